"""Fixtures for the sandbox tests: the Part 2 rubric with small limits, and a grader of samples that checks what a
job leaves behind."""

from __future__ import annotations

import time

import pytest

from grader.engine import grade
from grader.sandbox.procs import descendants
from grader.schemas import Report, Rubric
from sandbox_helpers import AS_ROOT, SAMPLES, litter, part2_rubric, processes_named, sandbox_uid


@pytest.fixture(scope="session")
def rubric2() -> Rubric:
    return part2_rubric()


@pytest.fixture
def grade_sample(rubric2):
    """grade_sample(name, sandbox) -> Report, checking afterwards that the job left nothing running and, as root,
    wrote nothing outside its scratch directory."""

    def run(name: str, sandbox, rubric: Rubric | None = None) -> Report:
        start = time.time()
        report = grade(SAMPLES / name, rubric or rubric2, sandbox=sandbox)
        left = descendants(sandbox.pid)
        assert left == [], f"{name} left processes running: {left}"
        assert processes_named("hw1advdaemon") == []
        assert not list(sandbox._base.iterdir()), f"{name} left files beside its scratch directory"
        if AS_ROOT:
            found = litter(sandbox_uid(), start)
            assert found == [], f"{name} wrote outside its scratch directory: {found}"
        return report

    return run


@pytest.fixture(scope="session")
def adversarial_reports():
    """Reports of samples graded once per session (by the tests that grade them through ``grade_sample``)."""
    return {}
