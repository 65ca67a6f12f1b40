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


# ------------------------------------------------------------------------------------------- reviewed scores
def item_score(item: ItemResult) -> float:
    """The score that counts: a reviewer's when the item carries one, else the grader's."""
    return item.review.score if item.review is not None else item.score


def item_status(item: ItemResult) -> str:
    """The item's status, taken from the reviewer's score when there is one."""
    if item.review is None:
        return item.status
    score = item.review.score
    return "passed" if score >= item.max_score else ("failed" if score <= 0 else "partial")


def report_score(report: Report) -> float:
    """The submission's total with reviewers' scores counted (the grader's ``report.score`` when none)."""
    if not any(i.review for i in report.items):
        return report.score
    return round(report.score + sum(i.review.score - i.score for i in report.items if i.review), 4)


def reviewed(report: Report | None) -> list[ItemResult]:
    """The items of a report whose score a reviewer set."""
    return [i for i in report.items if i.review is not None] if report is not None else []


def review_note(item: ItemResult) -> str:
    """One line for an item a reviewer scored, e.g. '1.2c: 3 (the grader's 2), reviewed by alice'."""
    assert item.review is not None
    return (f"{item.id}: {points(item.review.score)} (the grader's {points(item.score)}), "
            f"reviewed by {item.review.reviewer}")
