"""A Report as Gradescope's ``results.json`` (the one place that speaks Gradescope's vocabulary).

One test per rubric item: number = item id, name = title, output = what the student may read of it
(``rows.student_feedback``), visibility = the item's (the two vocabularies are the same), status passed only with
full marks. A late submission's tests keep ``factor`` of their score, each test
saying so, so the total is still the sum of the tests and no hidden item's score is revealed. What run_autograder
printed stays hidden (``stdout_visibility``); what the student's code printed is shown, truncated, in ``output``.
"""

from __future__ import annotations

import traceback as tb

from grader.reporters.rows import points, student_feedback
from grader.schemas import ItemResult, Report
from grader.schemas.gradescope import Results, TestResult

PRINTED_CHARS = 8000
STAFF_NOTE = ("The autograder could not grade this submission because of a problem on the course's side, not in "
              "your code. Please contact the course staff (mention this assignment and the time you submitted); "
              "resubmitting the same files will not help until they fix it.")


def _test(r: ItemResult, factor: float, late_note: str) -> TestResult:
    score = round(r.score * factor, 4)
    output = student_feedback(r) or f"{points(r.score)} / {points(r.max_score)}: details are not shown for this item."
    if factor != 1.0 and r.score:
        output = f"{late_note} This test: {points(r.score)} x {factor:g} = {points(score)}.\n\n{output}"
    return TestResult(name=r.title, number=r.id, score=score, max_score=r.max_score,
                      status="passed" if r.score >= r.max_score else "failed", output=output,
                      output_format="text", visibility=r.visibility)


def to_results(report: Report, *, factor: float = 1.0, late_note: str = "", execution_time: float = 0.0,
               notes: list[str] | None = None) -> Results:
    """factor: the share of the score a late submission keeps (1.0 on time); late_note explains it."""
    tests = [_test(r, factor, late_note) for r in report.items]
    lines = [f"Graded by hw1-grader {report.grader_version} (rubric {report.rubric})."]
    if late_note:
        lines.append(late_note)
    lines += notes or []
    if report.student_output.strip():  # the output is visible to the student, so hidden items' part is withheld
        printed = report.student_output.strip()
        cut = f"\n... ({len(printed) - PRINTED_CHARS:,} more characters)" if len(printed) > PRINTED_CHARS else ""
        lines += ["", "What your code printed:", printed[:PRINTED_CHARS] + cut]
    # How long grading took includes the hidden items' run, which the student's code can stretch at will depending
    # on a hidden input: with hidden items it is left out.
    hidden = any(r.visibility != "visible" for r in report.items)
    return Results(execution_time=None if hidden else round(execution_time, 2), output="\n".join(lines),
                   output_format="text", stdout_visibility="hidden", tests=tests)


def failure_results(error: BaseException | str, *, execution_time: float = 0.0) -> Results:
    """Results when grading itself failed: a visible test that asks the student to contact staff, and a hidden
    one that carries the traceback for the staff."""
    detail = error if isinstance(error, str) else "".join(tb.format_exception(error))
    return Results(
        score=0.0, execution_time=round(execution_time, 2), output=STAFF_NOTE, output_format="text",
        stdout_visibility="hidden",
        tests=[TestResult(name="Autograder failed", score=0.0, max_score=0.0, status="failed", output=STAFF_NOTE,
                          output_format="text", visibility="visible"),
               TestResult(name="Autograder failure details (staff only)", score=0.0, max_score=0.0,
                          status="failed", output=detail[-20000:], output_format="text", visibility="hidden")])


def to_json(results: Results) -> str:
    return results.model_dump_json(indent=2, exclude_none=True)
