"""Turn an item's comparisons into its checks, feedback and score. Scores are computed here and nowhere else.

An item is split into units, one per (configuration, quantity); a unit passes when every case passes. The item
scores ``points * passed units / units``. Feedback comes in two cuts: the full one (instructor) and the one the
student may see, following the item's hint level (full, diagnosis, pass_fail).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from grader.compare import Comparison
from grader.schemas import Check, Diagnosis, Item, ItemResult

EXCERPT = 4
MAX_LINES = 12


def _excerpt(a: np.ndarray | None, where: tuple[int, ...] | None) -> str | None:
    if a is None:
        return None
    flat = np.atleast_1d(a).ravel()
    start = 0
    if where and a.ndim:
        start = max(0, int(np.ravel_multi_index(where, a.shape)) - 1)
    vals = ", ".join(f"{v:.5g}" for v in flat[start:start + EXCERPT])
    more = "" if flat.size <= EXCERPT else " ..."
    return f"[{vals}{more}]" if a.ndim else vals


def to_check(unit: Sequence[Comparison]) -> Check:
    """All cases of one (configuration, quantity) unit -> a Check describing its first failure."""
    first = unit[0]
    bad = next((c for c in unit if not c.passed), None)
    if bad is None:
        return Check(quantity=first.quantity, config=first.case.config.label, passed=True, cases=len(unit),
                     message=next((c.note for c in unit if c.note), ""))
    return Check(
        quantity=bad.quantity, config=bad.case.config.label, passed=False, cases=len(unit),
        failed_case=bad.case.label, expected_shape=list(bad.expected.shape),
        received_shape=None if bad.received is None else list(bad.received.shape),
        max_abs_error=bad.max_abs_error, max_rel_error=bad.max_rel_error,
        where=list(bad.where) if bad.where is not None else None,
        expected_excerpt=_excerpt(bad.expected, bad.where), received_excerpt=_excerpt(bad.received, bad.where),
        message=bad.message)


def units(comparisons: Sequence[Comparison]) -> list[list[Comparison]]:
    """Group comparisons by (configuration, quantity), keeping first-seen order."""
    groups: dict[tuple[str, str], list[Comparison]] = {}
    for c in comparisons:
        groups.setdefault((c.case.config.label, c.quantity), []).append(c)
    return list(groups.values())


def check_line(c: Check, values: bool) -> str:
    """One failing check as a line: what, where, how far off, and (values=True) a few values of each side."""
    line = f"- {c.quantity} [{c.config}]: {c.message}"
    if c.where and c.max_abs_error is not None:
        line += f" at index {c.where}"
    if c.failed_case:
        line += f" (case {c.failed_case})"
    if c.max_rel_error is not None:
        line += f"; relative error {c.max_rel_error:.2g}"
    if values and c.expected_excerpt is not None and c.received_excerpt is not None:
        line += f"; expected {c.expected_excerpt}, got {c.received_excerpt}"
    return line


def _summary(item: Item, checks: Sequence[Check]) -> str:
    passed = sum(c.passed for c in checks)
    what = ", ".join(dict.fromkeys(c.quantity for c in checks))
    n_cfg = len(item.configs)
    return (f"{passed} of {len(checks)} checks passed ({what} over {n_cfg} configuration{'s' * (n_cfg > 1)}, "
            f"{item.cases} random case{'s' * (item.cases > 1)} each).")


def feedback(item: Item, checks: Sequence[Check], diagnoses: Sequence[Diagnosis], notes: Sequence[str],
             level: str) -> str:
    """Feedback text at a hint level: full (values shown), diagnosis (no values), pass_fail (summary only)."""
    lines = [_summary(item, checks)]
    if level == "pass_fail":
        return lines[0]
    lines += [f"Likely mistake: {d.message}" for d in diagnoses]
    failing = [c for c in checks if not c.passed]
    lines += [check_line(c, values=level == "full") for c in failing[:MAX_LINES]]
    if len(failing) > MAX_LINES:
        lines.append(f"- ... and {len(failing) - MAX_LINES} more failing checks")
    lines += [f"Note: {n}" for n in dict.fromkeys([*notes, *(c.message for c in checks if c.passed and c.message)])]
    return "\n".join(lines)


def score_item(item: Item, comparisons: Sequence[Comparison], diagnoses: Sequence[Diagnosis],
               notes: Sequence[str] = (), penalty: float = 0.0) -> ItemResult:
    """Score one item from its comparisons; ``penalty``: a fraction of its points taken off (never below 0)."""
    checks = [to_check(u) for u in units(comparisons)]
    passed = sum(c.passed for c in checks)
    total = len(checks)
    score = round(max(0.0, item.points * passed / total - penalty * item.points), 4) if total else 0.0
    status = "passed" if passed == total and not penalty else ("partial" if score > 0 else "failed")
    return ItemResult(id=item.id, title=item.title, score=score, max_score=item.points, status=status,
                      visibility=item.visibility, checks=checks, diagnoses=list(diagnoses),
                      feedback=feedback(item, checks, diagnoses, notes, "full"),
                      student_feedback=feedback(item, checks, diagnoses, notes, item.hint_level))


def error_item(item: Item, reason: str) -> ItemResult:
    """An item that could not be run at all scores 0 and says why."""
    return ItemResult(id=item.id, title=item.title, score=0.0, max_score=item.points, status="error",
                      visibility=item.visibility, feedback=reason, student_feedback=reason, error=reason)


def score_checks(item: Item, checks: Sequence[Check], details: Sequence[str], diagnoses: Sequence[Diagnosis] = (),
                 notes: Sequence[str] = ()) -> ItemResult:
    """Score an item whose checks are not array comparisons (text answers, the files handed in): the same rule,
    ``points * passed checks / checks``. details: lines that say what was found, shown after the summary."""
    passed = sum(c.passed for c in checks)
    total = len(checks)
    score = round(item.points * passed / total, 4) if total else 0.0
    status = "passed" if passed == total else ("partial" if passed else "failed")
    head = f"{passed} of {total} checks passed."
    full = [head, *(f"Likely mistake: {d.message}" for d in diagnoses), *details,
            *(f"Note: {n}" for n in dict.fromkeys(notes))]
    return ItemResult(id=item.id, title=item.title, score=score, max_score=item.points, status=status,
                      visibility=item.visibility, checks=list(checks), diagnoses=list(diagnoses),
                      feedback="\n".join(full), student_feedback=head if item.hint_level == "pass_fail" else
                      "\n".join(full))
