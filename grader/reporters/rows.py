"""One graded entry of a batch, as the batch reporters (CSV, Canvas, feedback pages, summary) read it."""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.schemas import ItemResult, Report


@dataclass(frozen=True)
class Student:
    """Who handed a submission in, as far as the course export says (any field may be empty)."""

    name: str = ""
    email: str = ""
    sid: str = ""


@dataclass(frozen=True)
class Row:
    """One submission of a batch: its report, or the reason the grader itself failed on it.

    entry: the file or folder name in the batch directory (the ``submission`` column).
    students: everyone on the submission (several for a group submission; empty when unknown).
    report: the grading report, None when grading failed or has not happened.
    error: one line saying why there is no report (a grader failure, or "not graded yet").
    """

    entry: str
    students: tuple[Student, ...] = ()
    report: Report | None = None
    error: str | None = None
    created_at: str | None = field(default=None, compare=False)

    @property
    def graded(self) -> bool:
        return self.report is not None


def points(x: float) -> str:
    """A score as the CSV files write it: at most 4 decimals, no trailing zeros (41.5833, 5, 0)."""
    text = f"{round(x, 4):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def student_feedback(item: ItemResult) -> str:
    """What the student may read of an item: the engine's student view when it gives one; otherwise the full
    feedback of a visible item, and nothing of the others (their feedback would reveal secret cases)."""
    if item.student_feedback:
        return item.student_feedback
    return item.feedback if item.visibility == "visible" else ""
