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


def _runs(items: list[ItemResult], student: bool) -> list[list[ItemResult]]:
    """Items in order, consecutive errors with the same message in one run (a missing file is said once)."""
    runs: list[list[ItemResult]] = []
    for r in items:
        last = runs[-1][-1] if runs else None
        if last is not None and r.status == last.status == "error" and \
                (r.student_feedback if student else r.feedback) == (last.student_feedback if student else last.feedback):
            runs[-1].append(r)
        else:
            runs.append([r])
    return runs


def _run_block(run: list[ItemResult], student: bool) -> list[str]:
    if len(run) == 1:
        return _item_block(run[0], student)
    ids = f"{len(run)} items"
    head = (f"[{MARK['error']}] {ids:<22} {_points(sum(r.score for r in run)):>6} / "
            f"{_points(sum(r.max_score for r in run)):<4} {', '.join(r.id for r in run)}")
    text = run[0].student_feedback if student else run[0].feedback
    return [head, *("    " + line for line in text.splitlines())]


def render(report: Report, rubric: Rubric | None = None, student: bool = True) -> str:
    """The report as text. ``student``: feedback of visible items only; hidden items are counted, not shown."""
    lines = [f"hw1-grader {report.grader_version} - {report.submission} (rubric {report.rubric})", ""]
    shown = [r for r in report.items if r.visibility == "visible" or not student]
    for run in _runs(shown, student):
        lines += _run_block(run, student)
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
