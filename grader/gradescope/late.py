"""Late policy: the share of the score a submission keeps, from Gradescope's dates (never the clock).

lateness = created_at - due date. The due date is the student's own when Gradescope lists one for every user
(an extension; a group takes the latest), else the assignment's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from grader.schemas.gradescope import SubmissionMetadata
from grader.schemas.rubric import LatePolicy


@dataclass(frozen=True)
class Lateness:
    """factor: share of the score kept (1.0 on time); hours: how late (<= 0 on time); note: one sentence for the
    student, empty when on time."""

    factor: float = 1.0
    hours: float = 0.0
    note: str = ""


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=timezone.utc)


def due_date(meta: SubmissionMetadata) -> datetime | None:
    own = [u.assignment.due_date for u in meta.users if u.assignment is not None and u.assignment.due_date]
    if own and len(own) == len(meta.users):
        return max(_aware(t) for t in own)
    return _aware(meta.assignment.due_date) if meta.assignment.due_date else None


def _duration(hours: float) -> str:
    minutes = round(hours * 60)
    d, rest = divmod(minutes, 24 * 60)
    h, m = divmod(rest, 60)
    parts = [f"{d} d"] * bool(d) + [f"{h} h"] * bool(h) + [f"{m} min"] * bool(m or not (d or h))
    return " ".join(parts)


def lateness(policy: LatePolicy | None, meta: SubmissionMetadata) -> Lateness:
    due = due_date(meta)
    if policy is None or due is None:
        return Lateness()
    hours = (_aware(meta.created_at) - due).total_seconds() / 3600
    if hours <= policy.grace_minutes / 60:
        return Lateness(1.0, hours)
    when = f"Submitted {_duration(hours)} after the due date ({due.isoformat(timespec='minutes')})"
    for step in policy.steps:
        if hours <= step.hours:
            kept = 1 - step.penalty
            return Lateness(kept, hours, f"{when}: up to {step.hours:g} h late keeps {kept:.0%} of the score.")
    kept = 1 - policy.penalty_after
    limit = f"more than {policy.steps[-1].hours:g} h late" if policy.steps else "late"
    return Lateness(kept, hours, f"{when}: {limit} keeps {kept:.0%} of the score.")
