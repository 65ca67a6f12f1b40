"""Turn an item's comparisons into its checks, feedback and score. Scores are computed here and nowhere else.

An item is split into units, one per (configuration, quantity); a unit passes when every case passes. The item
scores ``points * passed units / units``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from grader.compare import Comparison, shape_text
from grader.schemas import Check, Item, ItemResult

EXCERPT = 4


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


def to_check(unit: Sequence[Comparison], show_values: bool) -> Check:
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
        expected_excerpt=_excerpt(bad.expected, bad.where) if show_values else None,
        received_excerpt=_excerpt(bad.received, bad.where) if show_values else None,
        message=bad.message)


def units(comparisons: Sequence[Comparison]) -> list[list[Comparison]]:
    """Group comparisons by (configuration, quantity), keeping first-seen order."""
    groups: dict[tuple[str, str], list[Comparison]] = {}
    for c in comparisons:
        groups.setdefault((c.case.config.label, c.quantity), []).append(c)
    return list(groups.values())


def _check_line(c: Check) -> str:
    where = f" at index {c.where}" if c.where else ""
    line = f"- {c.quantity} [{c.config}]: {c.message}{where}"
    if c.failed_case:
        line += f" (case {c.failed_case})"
    if c.expected_excerpt is not None and c.max_abs_error is not None:
        line += f"; expected {c.expected_excerpt}, got {c.received_excerpt}"
    return line


def score_item(item: Item, comparisons: Sequence[Comparison], diagnoses: list[str],
               notes: Sequence[str] = ()) -> ItemResult:
    """Score one item from its comparisons."""
    checks = [to_check(u, show_values=True) for u in units(comparisons)]
    passed = sum(c.passed for c in checks)
    total = len(checks)
    score = round(item.points * passed / total, 4) if total else 0.0
    status = "passed" if passed == total else ("partial" if passed else "failed")
    lines = [f"{passed} of {total} checks passed ({', '.join(sorted({c.quantity for c in checks}))} over "
             f"{len(item.configs)} configuration{'s' if len(item.configs) > 1 else ''}, "
             f"{item.cases} random case{'s' if item.cases > 1 else ''} each)."]
    lines += [f"Likely mistake: {d}" for d in diagnoses]
    lines += [_check_line(c) for c in checks if not c.passed][:12]
    lines += [f"Note: {n}" for n in dict.fromkeys([*notes, *(c.message for c in checks if c.passed and c.message)])]
    return ItemResult(id=item.id, title=item.title, score=score, max_score=item.points, status=status,
                      visibility=item.visibility, feedback="\n".join(lines), checks=checks, diagnoses=diagnoses)


def error_item(item: Item, reason: str) -> ItemResult:
    """An item that could not be run at all scores 0 and says why."""
    return ItemResult(id=item.id, title=item.title, score=0.0, max_score=item.points, status="error",
                      visibility=item.visibility, feedback=reason, error=reason)
