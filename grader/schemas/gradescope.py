"""Gradescope's two files: ``submission_metadata.json`` (what Gradescope tells the autograder) and
``results/results.json`` (what the autograder tells Gradescope).

Field names and allowed values follow Gradescope's autograder specification. The results models forbid unknown
fields, so a typo in a reporter fails a test instead of being silently dropped by Gradescope.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

GsVisibility = Literal["visible", "hidden", "after_due_date", "after_published"]
OutputFormat = Literal["text", "html", "simple_format", "md", "ansi"]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TestResult(_Spec):
    """One entry of ``tests``: what the student sees as one test case."""

    __test__ = False  # not a pytest test class

    score: float | None = Field(None, description="points earned; Gradescope sums the tests when no top-level score")
    max_score: float | None = Field(None, description="points possible")
    status: Literal["passed", "failed"] | None = Field(None, description="overrides the colour Gradescope infers")
    name: str | None = None
    name_format: OutputFormat | None = None
    number: str | None = Field(None, description="label shown before the name, e.g. '2.forward'")
    output: str | None = Field(None, description="feedback shown with the test")
    output_format: OutputFormat | None = None
    tags: list[str] | None = None
    visibility: GsVisibility | None = None
    extra_data: dict | None = None


class LeaderboardEntry(_Spec):
    name: str
    value: float | str
    order: Literal["asc", "desc"] | None = None


class Results(_Spec):
    """The whole ``results/results.json``."""

    score: float | None = Field(None, description="overall score; required when a test has no score")
    execution_time: float | None = Field(None, description="seconds")
    output: str | None = Field(None, description="text shown above the tests")
    output_format: OutputFormat | None = None
    test_output_format: OutputFormat | None = None
    test_name_format: OutputFormat | None = None
    visibility: GsVisibility | None = Field(None, description="default visibility of the tests")
    stdout_visibility: GsVisibility | None = Field(None, description="who sees what run_autograder printed")
    extra_data: dict | None = None
    tests: list[TestResult] | None = None
    leaderboard: list[LeaderboardEntry] | None = None


# ------------------------------------------------------------------------------------ submission_metadata.json
class _Lenient(BaseModel):
    """Gradescope adds fields over time: keep unknown ones, require only what the grader reads."""

    model_config = ConfigDict(extra="allow")


class UserAssignment(_Lenient):
    """A student's own dates, present when the student has an extension."""

    due_date: datetime | None = None
    late_due_date: datetime | None = None
    release_date: datetime | None = None


class User(_Lenient):
    email: str | None = None
    id: int | str | None = None
    name: str | None = None
    assignment: UserAssignment | None = None


class AssignmentMetadata(_Lenient):
    due_date: datetime | None = None
    late_due_date: datetime | None = None
    release_date: datetime | None = None
    title: str | None = None
    total_points: float | str | None = None
    id: int | str | None = None


class SubmissionMetadata(_Lenient):
    """``/autograder/submission_metadata.json``; the grader reads the submission time, due dates and users."""

    id: int | str | None = None
    created_at: datetime
    assignment: AssignmentMetadata
    users: list[User] = Field(default_factory=list)
    submission_method: str | None = None
    previous_submissions: list[dict] = Field(default_factory=list)
