"""Fixtures of the review desk's tests: a small batch graded once (see ``review_helpers``), copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from review_helpers import batch, make_class


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory) -> tuple[Path, Path]:
    """(the class folder, its batch output), made once."""
    source = make_class(tmp_path_factory.mktemp("review_class"))
    out = tmp_path_factory.mktemp("review_out") / "out"
    batch(source, out)
    return source, out


@pytest.fixture
def out(graded_class, tmp_path) -> Path:
    """A copy of the batch output of ``graded_class``, for one test to change."""
    copy = tmp_path / "out"
    shutil.copytree(graded_class[1], copy)
    return copy


@pytest.fixture
def source(graded_class, tmp_path) -> Path:
    """A copy of the class folder, for one test to change."""
    copy = tmp_path / "class"
    shutil.copytree(graded_class[0], copy)
    return copy
