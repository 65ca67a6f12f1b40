"""The gradebook CSV that Canvas imports (Grades > Import).

Canvas matches a row to a student by ``ID``, ``SIS User ID`` or ``SIS Login ID``, needs the ``Section`` column
(it may be blank), and takes every further column as an assignment: a column named like an existing assignment
(``Homework 1 (12345)``, as Canvas exports it) updates it, any other name creates one. The second row gives the
points possible. One row per student: a group submission gives every member the group's score. Submissions
without a known student, or whose grading failed, are left out (Canvas would ignore or blank them). A reviewer's
score counts (Canvas takes every extra column as an assignment, so grades.csv's ``reviewed`` column says which).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from grader.reporters.rows import Row, points, report_score

HEADER = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")


def to_canvas_csv(rows: Sequence[Row], column: str, max_score: float) -> str:
    """column: the Canvas assignment column, e.g. 'Homework 1 (12345)'. Students sorted by name, then id."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([*HEADER, column])
    w.writerow(["    Points Possible", "", "", "", "", points(max_score)])
    lines = []
    for row in rows:
        if row.report is None:
            continue
        for s in row.students:
            if s.sid or s.email:
                lines.append([s.name, "", s.sid, s.email, "", points(report_score(row.report))])
    for line in sorted(lines, key=lambda l: (l[0], l[2], l[3])):
        w.writerow(line)
    return buf.getvalue()


def skipped(rows: Sequence[Row]) -> list[str]:
    """Entries left out of the Canvas file, so the instructor can enter them by hand."""
    return [r.entry for r in rows if r.report is None or not any(s.sid or s.email for s in r.students)]
