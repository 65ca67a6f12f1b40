"""Item-wide patterns: mistakes that show in which cases fail, not in one case's values."""

from __future__ import annotations

from collections.abc import Sequence

from grader.compare import Comparison
from grader.schemas.report import Diagnosis


def batch_size_one_only(comparisons: Sequence[Comparison]) -> Diagnosis | None:
    """Every case with N = 1 passes and every case with N > 1 fails (at least one of each)."""
    one = [c for c in comparisons if c.case.sizes.get("N") == 1]
    more = [c for c in comparisons if c.case.sizes.get("N", 1) > 1]
    if not one or not more or not all(c.passed for c in one):
        return None
    failing_cases = {id(c.case) for c in more if not c.passed}
    if len(failing_cases) < len({id(c.case) for c in more}):
        return None
    qs = sorted({c.quantity for c in more if not c.passed})
    return Diagnosis(code="batch_size_one_only", quantities=qs,
                     message=f"{', '.join(qs)}: your code works only for batch size 1: every case with N = 1 "
                             f"passes and every case with N > 1 fails. Keep the batch dimension: sum over dim 0 "
                             f"where the batch is reduced, use matrix products (dJdz.T @ x) rather than "
                             f"squeeze()/flatten() and outer products.")


def inputs_mutated(names: Sequence[str]) -> Diagnosis:
    listed = ", ".join(dict.fromkeys(names))
    return Diagnosis(code="input_mutated", quantities=list(dict.fromkeys(names)),
                     message=f"your code changes its input {listed} in place (for example x -= ... or x.clamp_()), "
                             f"so the caller's tensor, and anything cached from it, changes under it. Work on a new "
                             f"tensor instead (x = x - ..., torch.clamp(x, min=0)).")
