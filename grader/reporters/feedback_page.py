"""A feedback page per student that a course can hand back: Markdown or standalone HTML.

The page shows the score, a table of every item, and the feedback a student may see of every item that lost
points (``rows.student_feedback``). Items whose visibility is ``hidden`` show their score only. Instructor flags are
never shown. An item a reviewer scored shows that score, who reviewed it, the grader's score and the comment. Both
formats are rendered from one list of blocks, so they always say the same thing.
"""

from __future__ import annotations

import html

from grader.reporters.rows import Row, item_score, item_status, points, report_score, student_feedback
from grader.schemas import ItemResult, Rubric

PRINTED_LINES = 40
Block = tuple[str, object]  # ("h1"|"h2"|"p"|"pre", str) or ("table", [[cells], ...] with a header row)


def blocks(row: Row, rubric: Rubric) -> list[Block]:
    who = ", ".join(s.name for s in row.students if s.name) or row.entry
    out: list[Block] = [("h1", f"{rubric.title}: feedback for {who}")]
    if row.report is None:
        return out + [("p", "Your submission could not be graded automatically; the course staff will grade it "
                            "by hand. You do not need to do anything.")]
    r = row.report
    out.append(("p", f"Submission: {row.entry}. Score: {points(report_score(r))} / {points(r.max_score)}."))
    out += [("p", f"Note: {n}") for n in r.notes]
    table = [["Item", "Title", "Score", "Result"]]
    table += [[i.id, i.title, f"{points(item_score(i))} / {points(i.max_score)}",
               item_status(i) + (f" (reviewed by {i.review.reviewer})" if i.review else "")] for i in r.items]
    out.append(("table", table))
    for i in r.items:
        if item_status(i) == "passed" and "Note:" not in i.feedback and i.review is None:
            continue
        out.append(("h2", f"{i.id}: {i.title} ({points(item_score(i))} / {points(i.max_score)})"))
        if i.review is not None:
            out.append(("p", _review_text(i)))
        text = student_feedback(i) if i.visibility != "hidden" else ""
        out.append(("pre", text) if text else ("p", "This item uses secret cases, so only its score is shown."))
    if r.student_output.strip():
        lines = r.student_output.strip().splitlines()
        more = [f"... ({len(lines) - PRINTED_LINES} more lines)"] if len(lines) > PRINTED_LINES else []
        out += [("h2", "What your code printed"), ("pre", "\n".join(lines[:PRINTED_LINES] + more))]
    return out


def _review_text(i: ItemResult) -> str:
    assert i.review is not None
    comment = f" Comment: {i.review.comment}" if i.review.comment.strip() else ""
    return (f"Reviewed by {i.review.reviewer} ({i.review.time[:10]}): {points(i.review.score)} / "
            f"{points(i.max_score)} (the grader's automatic score was {points(i.score)}).{comment}")


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(row: Row, rubric: Rubric) -> str:
    parts = []
    for kind, body in blocks(row, rubric):
        if kind == "h1":
            parts.append(f"# {body}")
        elif kind == "h2":
            parts.append(f"## {body}")
        elif kind == "p":
            parts.append(str(body))
        elif kind == "pre":
            fence = "````" if "```" in str(body) else "```"
            parts.append(f"{fence}text\n{body}\n{fence}")
        else:
            head, *rest = body  # type: ignore[misc]
            lines = ["| " + " | ".join(_md_cell(c) for c in head) + " |", "|" + "---|" * len(head)]
            lines += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in rest]
            parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


STYLE = ("body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
         "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}"
         "pre{background:#f6f6f6;padding:.6em;white-space:pre-wrap}")


def to_html(row: Row, rubric: Rubric) -> str:
    e = html.escape
    page = blocks(row, rubric)
    body = []
    for kind, content in page:
        if kind in ("h1", "h2", "p", "pre"):
            body.append(f"<{kind}>{e(str(content))}</{kind}>")
        else:
            head, *rest = content  # type: ignore[misc]
            rows = ["<tr>" + "".join(f"<th>{e(c)}</th>" for c in head) + "</tr>"]
            rows += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rest]
            body.append("<table>" + "".join(rows) + "</table>")
    title = e(str(page[0][1]))
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title>"
            f"<style>{STYLE}</style></head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n")


def render(row: Row, rubric: Rubric, fmt: str = "md") -> str:
    """fmt: 'md' or 'html'."""
    return to_html(row, rubric) if fmt == "html" else to_markdown(row, rubric)

