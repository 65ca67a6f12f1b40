"""What a class did, for the instructor: score histogram, per-item pass rates, and the named mistakes that were
common. Written as ``summary/`` (two SVG charts, ``mistakes.csv``, ``summary.md``) and as one screen of text.

A named mistake is counted once per student and item, by the diagnosis's stable ``code`` (for example
``transposed``); the table shows the first sentence seen with it (sentences quote sizes, which differ).

Scores a reviewer set count instead of the grader's everywhere (histogram, pass rates, means), and each part says
how many there are; the mistakes table's ``reviewed`` column counts the students whose item a reviewer scored.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.reporters.plots import histogram_svg, pass_rates_svg
from grader.reporters.rows import Row, item_score, item_status, points, report_score, reviewed
from grader.schemas import Rubric


@dataclass(frozen=True)
class ItemStats:
    id: str
    title: str
    points: float
    passed: int  # submissions with every check of the item passing
    graded: int
    mean: float  # mean score
    reviewed: int = 0  # submissions whose score of the item a reviewer set

    @property
    def pass_rate(self) -> float:
        return self.passed / self.graded if self.graded else 0.0


def item_stats(rows: Sequence[Row], rubric: Rubric) -> list[ItemStats]:
    out = []
    for item in rubric.items:
        results = [i for r in rows if r.report for i in r.report.items if i.id == item.id]
        out.append(ItemStats(item.id, item.title, item.points, sum(item_status(i) == "passed" for i in results),
                             len(results), statistics.fmean(item_score(i) for i in results) if results else 0.0,
                             sum(i.review is not None for i in results)))
    return out


@dataclass(frozen=True)
class Mistake:
    item: str
    code: str
    students: int
    example: str  # the first sentence seen with this code (in entry order)
    reviewed: int = 0  # of those students, how many had the item's score set by a reviewer


def mistakes(rows: Sequence[Row]) -> list[Mistake]:
    """Named mistakes by decreasing number of students, then item and code."""
    counts: Counter[tuple[str, str]] = Counter()
    example: dict[tuple[str, str], str] = {}
    by_person: Counter[tuple[str, str]] = Counter()
    for r in rows:
        if r.report is None:
            continue
        for item in r.report.items:
            found = {d.code: d.message for d in reversed(item.diagnoses) if not d.consequence}
            for code, sentence in found.items():
                counts[(item.id, code)] += 1
                by_person[(item.id, code)] += item.review is not None
                example.setdefault((item.id, code), sentence)
    out = [Mistake(i, c, n, example[(i, c)], by_person[(i, c)]) for (i, c), n in counts.items()]
    return sorted(out, key=lambda m: (-m.students, m.item, m.code))


def scores(rows: Sequence[Row]) -> list[float]:
    return [report_score(r.report) for r in rows if r.report is not None]


def reviewed_count(rows: Sequence[Row]) -> tuple[int, int]:
    """(item scores a reviewer set, submissions with at least one)."""
    per_row = [len(reviewed(r.report)) for r in rows]
    return sum(per_row), sum(n > 0 for n in per_row)


def _reviewed_line(rows: Sequence[Row]) -> str:
    items, subs = reviewed_count(rows)
    return (f"{items} item score{'s' * (items != 1)} of {subs} submission{'s' * (subs != 1)} set by a reviewer "
            f"(grades.csv's reviewed column names them)." if items else "")


# ------------------------------------------------------------------------------------------------------ files
def mistakes_csv(rows: Sequence[Row]) -> str:
    graded = len(scores(rows))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["item", "mistake", "students", "share", "example", "reviewed"])
    for m in mistakes(rows):
        w.writerow([m.item, m.code, m.students, f"{m.students / graded:.3f}" if graded else "", m.example,
                    m.reviewed])
    return buf.getvalue()


def summary_markdown(rows: Sequence[Row], rubric: Rubric) -> str:
    vals = scores(rows)
    lines = [f"# {rubric.title}: class summary", ""]
    lines.append(f"{len(rows)} submissions, {len(vals)} graded, {len(rows) - len(vals)} without a score.")
    if vals:
        lines.append(f"Score out of {points(rubric.max_score)}: mean {statistics.fmean(vals):.2f}, median "
                     f"{points(statistics.median(vals))}, min {points(min(vals))}, max {points(max(vals))}.")
    if _reviewed_line(rows):
        lines.append(_reviewed_line(rows))
    lines += ["", "![score histogram](histogram.svg)", "", "## Items", "", "| item | pass rate | mean score |",
              "|---|---|---|"]
    for s in item_stats(rows, rubric):
        lines.append(f"| {s.id} | {100 * s.pass_rate:.0f}% ({s.passed}/{s.graded}) | {s.mean:.2f} / "
                     f"{points(s.points)}{f' ({s.reviewed} reviewed)' if s.reviewed else ''} |")
    lines += ["", "![pass rates](pass_rates.svg)", "", "## Named mistakes", "",
              "| item | mistake | students | example |", "|---|---|---|---|"]
    for m in mistakes(rows):
        example = m.example.replace("|", "/").replace("\n", " ")
        lines.append(f"| {m.item} | {m.code} | {m.students}{f' ({m.reviewed} reviewed)' if m.reviewed else ''} "
                     f"| {example} |")
    return "\n".join(lines) + "\n"


def write_summary(rows: Sequence[Row], rubric: Rubric, folder: Path, write=None) -> list[Path]:
    """Write the summary files into ``folder``; ``write(path, text)`` writes text files (default: plain write)."""
    folder.mkdir(parents=True, exist_ok=True)
    write = write or (lambda p, t: p.write_text(t, encoding="utf-8"))
    stats = item_stats(rows, rubric)
    items, subs = reviewed_count(rows)
    note = f"{subs} with scores set by a reviewer" if items else ""
    write(folder / "histogram.svg", histogram_svg(scores(rows), rubric.max_score, points(rubric.max_score), note))
    write(folder / "pass_rates.svg", pass_rates_svg([s.id for s in stats], [100 * s.pass_rate for s in stats]))
    write(folder / "mistakes.csv", mistakes_csv(rows))
    write(folder / "summary.md", summary_markdown(rows, rubric))
    return [folder / n for n in ("histogram.svg", "pass_rates.svg", "mistakes.csv", "summary.md")]


# ----------------------------------------------------------------------------------------------------- screen
def screen(rows: Sequence[Row], rubric: Rubric, top: int = 6) -> str:
    """One screen of text: counts, score spread, each item's pass rate, the most common mistakes."""
    vals = scores(rows)
    errors = [r for r in rows if r.report is None]
    lines = [f"{len(rows)} submissions: {len(vals)} graded, {len(errors)} without a score"]
    if vals:
        lines.append(f"score /{points(rubric.max_score)}: mean {statistics.fmean(vals):.2f}  median "
                     f"{points(statistics.median(vals))}  min {points(min(vals))}  max {points(max(vals))}  "
                     f"full marks {sum(v >= rubric.max_score for v in vals)}")
    if _reviewed_line(rows):
        lines.append(_reviewed_line(rows))
    lines.append("")
    lines.append(f"{'item':<24}{'pass':>7}{'mean':>10}")
    for s in item_stats(rows, rubric):
        lines.append(f"{s.id:<24}{100 * s.pass_rate:>6.0f}%{s.mean:>7.2f}/{points(s.points)}")
    common = mistakes(rows)[:top]
    if common:
        lines += ["", "most common named mistakes (students):"]
        for m in common:
            text = f"{m.code}: {m.example}".replace("\n", " ")
            lines.append(f"{m.students:>5}  {m.item:<20} {text if len(text) <= 80 else text[:77] + '...'}")
    if errors:
        lines.append("")
    for r in errors[:5]:
        lines.append(f"  no score: {r.entry}: {r.error}")
    if len(errors) > 5:
        lines.append(f"  ... and {len(errors) - 5} more without a score")
    return "\n".join(lines)
