"""Evaluate one item from what the sandbox returned: compare with the expected values and name the mistakes.

Evaluation stops short of the final ItemResult so that ``grader.diagnose.relate`` can link items (forward wrong ->
backward may follow) before ``Evaluated.finish`` scores them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from grader.cases import Case
from grader.checks import CHECKS, CheckKind, Expected
from grader.compare import Comparison, compare
from grader.diagnose import diagnose
from grader.diagnose.patterns import listed_inputs
from grader.schemas import Diagnosis, Item, ItemResult
from grader.schemas.rubric import InPlace
from grader.schemas.sandbox import CaseResult, ImportFrame, ItemFrame
from grader.score import error_item, score_item


@dataclass
class Plan:
    """One item ready to run: its cases and the expected values (which stay on this side)."""

    item: Item
    cases: list[Case]
    expected: list[Expected]
    quick_seconds: float = 0.0  # the item's first time limit in the sandbox (0: the rubric's item_seconds)


@dataclass
class Ran:
    """What running one item produced: a validated frame and its arrays, or the reason it could not run."""

    frame: ItemFrame | None = None
    arrays: dict[str, np.ndarray] | None = None
    error: str | None = None
    result: ItemResult | None = None  # an item scored without running code (CheckKind.static: the file format)


@dataclass
class Evaluated:
    """One item between comparison and score: either final already (error, static or text item) or comparisons
    with their named mistakes, to which cross-item relations may still add."""

    plan: Plan
    final: ItemResult | None = None
    comparisons: list[Comparison] = field(default_factory=list)
    diagnoses: list[Diagnosis] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    penalty: float = 0.0  # the fraction of the item's points taken off (the rubric's in-place rule)

    @property
    def item(self) -> Item:
        return self.plan.item

    def finish(self) -> ItemResult:
        if self.final is not None:
            return self.final
        return score_item(self.item, self.comparisons, self.diagnoses, list(dict.fromkeys(self.notes)),
                          penalty=self.penalty)


def evaluate(p: Plan, r: Ran, imported: ImportFrame | None, conventions, autograd: list[str],
             in_place: InPlace = InPlace()) -> Evaluated:
    """Compare and diagnose one item. ``autograd``: lines of the student's code that seem to use autograd where this
    item's check forbids it (static integrity check): named when the run confirms autograd calls, which alone
    score 0 (a static finding the run does not confirm is flagged for review by the engine). ``in_place``: what
    changing the caller's inputs costs."""
    item, kind = p.item, CHECKS[p.item.check]
    if r.result is not None:
        return Evaluated(p, final=r.result)
    if imported is not None and not imported.ok:
        return Evaluated(p, final=error_item(item, "Your code could not be imported, so this item was not run: "
                                             + "; ".join(e.message for e in imported.errors)))
    if r.error or r.frame is None:
        return Evaluated(p, final=error_item(item, r.error or "not run"))
    if len(r.frame.cases) != len(p.cases):
        return Evaluated(p, final=error_item(item, "your code sent back the wrong number of results"))
    if r.frame.autograd_calls and not kind.autograd:
        where = f"; {'; '.join(autograd[:3])}" if autograd else ""
        return Evaluated(p, final=error_item(item, f"your code used autograd ({r.frame.autograd_calls} calls to "
                                                   f"backward/grad while this item ran{where}): this item asks for "
                                                   f"gradients computed by hand, so it scores 0"))
    notes = [e.message for e in imported.errors] if imported is not None else []
    if kind.score is not None:  # answers that are not arrays (text), scored against rubric data
        return Evaluated(p, final=kind.score(item, p.cases, r.frame.cases, r.arrays or {}, list(dict.fromkeys(notes))))
    pairs, mutated = [], []
    for case, exp, res in zip(p.cases, p.expected, r.frame.cases):
        mutated += res.mutated
        pairs += _pairs(kind, case, exp, res, r.arrays or {})
    quick = _within_tolerance([(e, v) for _, _, e, v, _, _ in pairs], item.tolerance)
    comparisons = []
    for (q, case, expected, received, why, res), ok in zip(pairs, quick):
        if ok:  # the common case: same shape, within tolerance (decided for every pair at once)
            comparisons.append(Comparison(q, case, True, expected, received))
            continue
        comparisons.append(compare(q, case, expected, received, item.tolerance, why,
                                   others=_all_arrays(res, r.arrays or {}), quick=False))
    changed = {id(case): res.mutated for case, res in zip(p.cases, r.frame.cases) if res.mutated}
    penalty = 0.0
    if changed and in_place.cost == "checks":
        comparisons = [_spoiled(c, changed[id(c.case)]) if id(c.case) in changed else c for c in comparisons]
    elif changed:
        penalty = float(in_place.cost)
        notes.append(f"changing the inputs in place costs {penalty:.0%} of this item's points (the rubric's rule)")
    return Evaluated(p, comparisons=comparisons, notes=notes, penalty=penalty,
                     diagnoses=diagnose(item.check, comparisons, conventions, mutated, kind.detectors))


def _spoiled(c: Comparison, names: list[str]) -> Comparison:
    """A comparison of a case whose inputs the student's code changed: it fails, whatever the values, as it does in
    the course's tests, which reuse those inputs after the call."""
    if not c.passed:
        return c
    return replace(c, passed=False, spoiled=True,
                   message=f"the value is right, but your code changed {listed_inputs(names)} in place while this "
                           f"case ran, which fails the course's tests (they reuse the inputs after the call)")


def _within_tolerance(pairs: list[tuple[np.ndarray, np.ndarray | None]], tol) -> list[bool]:
    """For each (expected, received): True when both have the same non-empty shape and
    ``max|received - expected| <= atol + rtol * max|expected|``, tested for all pairs in a few array operations.
    False leaves the pair to ``compare`` (wrong shape, NaN, or a real difference), which says why."""
    idx = [i for i, (e, v) in enumerate(pairs) if v is not None and e.size and v.shape == e.shape]
    out = [False] * len(pairs)
    if not idx:
        return out
    expected = np.concatenate([pairs[i][0].ravel() for i in idx])
    received = np.concatenate([pairs[i][1].ravel() for i in idx])
    starts = np.cumsum([0] + [pairs[i][0].size for i in idx[:-1]])
    worst = np.maximum.reduceat(np.abs(received - expected), starts)  # NaN stays NaN, and NaN <= x is False
    scale = np.maximum.reduceat(np.abs(expected), starts)
    for i, ok in zip(idx, (worst <= tol.atol + tol.rtol * scale).tolist()):
        out[i] = ok
    return out


def _received(res: CaseResult, arrays: dict[str, np.ndarray], q: str) -> tuple[np.ndarray | None, str]:
    """The student's value of ``q`` in one case, or None and why not."""
    out = res.outputs.get(q)
    if out is None:
        return None, res.error or f"{q} was not returned"
    if out.kind == "error":
        return None, out.message
    value = arrays.get(out.key or "")
    return (value, "") if value is not None else (None, f"{q} was lost on the way")


def _pairs(kind: CheckKind, case: Case, exp: Expected, res: CaseResult,
           arrays: dict[str, np.ndarray]) -> list[tuple[str, Case, np.ndarray, np.ndarray | None, str, CaseResult]]:
    """(quantity, case, expected, received or None, why not received, the case's result) for each quantity of one
    case. A quantity checked against the student's own value (``CheckKind.against_own``) expects that value."""
    own = {q: _received(res, arrays, o) for q, o in (kind.against_own or {}).items()}
    # A backward that leaves every gradient at zero would trivially match itself: that is not clearing.
    empty = bool(own) and all(v is not None and not np.any(v) for v, _ in own.values()) \
        and any(np.any(exp[q]) for q in own)
    out = []
    for q in kind.quantities:
        received, why = _received(res, arrays, q)
        expected = exp[q]
        if q in own and received is not None:
            (mine, mine_why) = own[q]
            if mine is None or empty:
                received, why = None, mine_why or "backward left every gradient at zero, so clearing cannot be checked"
            else:
                expected = mine
        out.append((q, case, expected, received, why, res))
    return out


def _all_arrays(res: CaseResult, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {q: arrays[o.key] for q, o in res.outputs.items() if o.kind == "array" and o.key in arrays}
