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
#: The edition a sample follows, when it is not the default rubric's (Fall 2020): the loss conventions of its mlp.py
#: and its theory answers are that edition's, and it is pinned under that rubric.
EDITIONS = {"correct_spring2021": "spring2021", "spring2021_correct_theory": "spring2021",
            "wrong_mse_missing_factor_2": "spring2021", "correct_written_latex_spring2021": "spring2021"}


def edition(name: str) -> str:
    return EDITIONS.get(name, "fall2020")


@pytest.fixture(scope="session")
def sandbox():
    with Sandbox() as sb:
        yield sb


@pytest.fixture(scope="session")
def graded(sandbox):
    """graded(sample_name, rubric_name=the edition it follows) -> Report, each graded once per session."""
    cache: dict[tuple[str, str], Report] = {}

    def get(name: str, rubric: str | None = None) -> Report:
        rubric = rubric or edition(name)
        key = (name, rubric)
        if key not in cache:
            cache[key] = grade(SAMPLES / name, load_rubric(rubric), sandbox=sandbox)
        return cache[key]

    return get


def item(report: Report, item_id: str):
    return next(i for i in report.items if i.id == item_id)
