"""Late policy from Gradescope's dates: on time, grace, within a step, after every step, extensions."""

from __future__ import annotations

import pytest

from grader.gradescope.late import lateness
from grader.rubric import load_rubric
from grader.schemas.gradescope import SubmissionMetadata
from grader.schemas.rubric import LatePolicy

DUE = "2020-02-10T23:59:00-05:00"


def meta(created_at: str, due: str | None = DUE, user_due: list[str | None] | None = None) -> SubmissionMetadata:
    users = [{"name": f"u{i}", "email": "", "id": i} | ({"assignment": {"due_date": d}} if d else {})
             for i, d in enumerate(user_due or [None])]
    return SubmissionMetadata.model_validate(
        {"created_at": created_at, "assignment": {"due_date": due, "late_due_date": None}, "users": users})


@pytest.fixture(scope="module")
def course():
    """The course's policy as the bundled rubric states it: 20% off within 24 hours, nothing after."""
    return load_rubric("fall2020").late_policy


@pytest.mark.parametrize("created, factor", [
    ("2020-02-10T20:00:00-05:00", 1.0),          # early
    ("2020-02-10T23:59:00-05:00", 1.0),          # exactly at the due date
    ("2020-02-11T00:00:00-05:00", 0.8),          # one minute late
    ("2020-02-11T06:00:00+01:00", 0.8),          # another time zone: 05:00 UTC, one minute late
    ("2020-02-11T23:59:00-05:00", 0.8),          # exactly 24 h late
    ("2020-02-12T00:00:00-05:00", 0.0),          # 24 h 1 min late: nothing
])
def test_course_policy(course, created, factor):
    assert lateness(course, meta(created)).factor == pytest.approx(factor)


def test_note_says_how_late_and_what_is_kept(course):
    late = lateness(course, meta("2020-02-11T03:14:00-05:00"))
    assert late.hours == pytest.approx(3.25)
    assert "3 h 15 min after the due date" in late.note and "80%" in late.note
    assert lateness(course, meta("2020-02-10T23:00:00-05:00")).note == ""


def test_grace_steps_and_penalty_after():
    policy = LatePolicy(grace_minutes=10, steps=[{"hours": 1, "penalty": 0.1}, {"hours": 48, "penalty": 0.5}],
                        penalty_after=0.9)
    assert lateness(policy, meta("2020-02-11T00:08:00-05:00")).factor == 1.0  # 9 min: grace
    assert lateness(policy, meta("2020-02-11T00:30:00-05:00")).factor == pytest.approx(0.9)
    assert lateness(policy, meta("2020-02-12T00:30:00-05:00")).factor == pytest.approx(0.5)
    assert lateness(policy, meta("2020-02-13T00:30:00-05:00")).factor == pytest.approx(0.1)


def test_extension_and_group_take_the_latest_own_due_date(course):
    created = "2020-02-12T10:00:00-05:00"  # 34 h after the assignment's due date
    assert lateness(course, meta(created)).factor == 0.0
    assert lateness(course, meta(created, user_due=["2020-02-12T23:59:00-05:00"])).factor == 1.0
    group = ["2020-02-10T23:59:00-05:00", "2020-02-12T09:00:00-05:00"]
    assert lateness(course, meta(created, user_due=group)).factor == pytest.approx(0.8)
    # an extension for only one member of a group does not count for the group
    assert lateness(course, meta(created, user_due=[None, "2020-02-13T00:00:00-05:00"])).factor == 0.0


def test_no_policy_or_no_due_date_changes_nothing(course):
    assert lateness(None, meta("2021-01-01T00:00:00Z")).factor == 1.0
    assert lateness(course, meta("2021-01-01T00:00:00Z", due=None)).factor == 1.0


def test_policy_rejects_unordered_steps():
    with pytest.raises(ValueError, match="strictly increasing"):
        LatePolicy(steps=[{"hours": 48, "penalty": 0.5}, {"hours": 24, "penalty": 0.2}])
