"""Shared fixtures: one warm sandbox for the session, and a cache of graded sample submissions."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.engine import grade
from grader.rubric import load_rubric
from grader.sandbox.client import Sandbox
from grader.schemas import Report

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_submissions"


@pytest.fixture(scope="session")
def sandbox():
    with Sandbox() as sb:
        yield sb


@pytest.fixture(scope="session")
def graded(sandbox):
    """graded(sample_name, rubric_name="fall2020") -> Report, each graded once per session."""
    cache: dict[tuple[str, str], Report] = {}

    def get(name: str, rubric: str = "fall2020") -> Report:
        key = (name, rubric)
        if key not in cache:
            cache[key] = grade(SAMPLES / name, load_rubric(rubric), sandbox=sandbox)
        return cache[key]

    return get


def item(report: Report, item_id: str):
    return next(i for i in report.items if i.id == item_id)
