"""Readable text for a terminal: the student's view (visible items only) and the instructor's (everything)."""

from __future__ import annotations

from grader.schemas import ItemResult, Report, Rubric

MARK = {"passed": "PASS", "partial": "PART", "failed": "FAIL", "error": "ERR "}


def _points(x: float) -> str:
    return f"{x:g}"


def _item_block(r: ItemResult, student: bool) -> list[str]:
    head = f"[{MARK[r.status]}] {r.id:<22} {_points(r.score):>6} / {_points(r.max_score):<4} {r.title}"
    text = r.student_feedback if student else r.feedback
    if r.status == "passed" and "Note:" not in text:
        return [head]
    return [head, *("    " + line for line in text.splitlines())]


def render(report: Report, rubric: Rubric | None = None, student: bool = True) -> str:
    """The report as text. ``student``: feedback of visible items only; hidden items are counted, not shown."""
    lines = [f"hw1-grader {report.grader_version} - {report.submission} (rubric {report.rubric})", ""]
    shown = [r for r in report.items if r.visibility == "visible" or not student]
    for r in shown:
        lines += _item_block(r, student)
    lines.append("")
    lines.append(f"Score: {_points(report.score)} / {_points(report.max_score)}")
    lines += [f"Note: {n}" for n in report.notes]
    if student and rubric is not None:
        hidden = [i for i in rubric.items if i.visibility != "visible"]
        if hidden:
            pts = sum(i.points for i in hidden)
            lines.append(f"Not checked here: {len(hidden)} hidden item{'s' if len(hidden) > 1 else ''} worth "
                         f"{_points(pts)} points, graded after the deadline.")
    printed = report.student_output if student else report.output
    if printed.strip():
        out = printed.strip().splitlines()
        lines += ["", "What your code printed:", *("  | " + line for line in out[:30])]
        if len(out) > 30:
            lines.append(f"  | ... ({len(out) - 30} more lines)")
    if not student and report.flags:
        lines += ["", "Flags for the instructor:", *(f"  - {f}" for f in report.flags)]
    return "\n".join(lines)
