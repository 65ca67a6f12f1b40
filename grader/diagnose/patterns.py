"""Item-wide patterns: mistakes that show in which cases fail, not in one case's values."""

from __future__ import annotations

from collections.abc import Sequence

from grader.compare import Comparison
from grader.schemas.report import Diagnosis


def batch_size_one_only(comparisons: Sequence[Comparison]) -> Diagnosis | None:
    """Every case with N = 1 passes and every case with N > 1 fails (at least one of each). Checks failed by the
    in-place rule alone say nothing about the values and are left out."""
    comparisons = [c for c in comparisons if not c.spoiled]
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


PARAMETER = "net.parameters['"


def listed_inputs(names: Sequence[str]) -> str:
    """['x', "net.parameters['W1']", "net.parameters['b1']"] -> "x and the parameters W1, b1 (net.parameters)"."""
    names = list(dict.fromkeys(names))
    params = [n[len(PARAMETER):-2] for n in names if n.startswith(PARAMETER)]
    others = [n for n in names if not n.startswith(PARAMETER)]
    parts = others + ([f"the parameter{'s' * (len(params) > 1)} {', '.join(params)} (net.parameters)"] if params else [])
    return " and ".join(parts)


def inputs_mutated(names: Sequence[str]) -> Diagnosis:
    listed = listed_inputs(names)
    return Diagnosis(code="input_mutated", quantities=list(dict.fromkeys(names)),
                     message=f"your code changes {listed} in place (for example x -= ..., x.t_(), x.clamp_(), "
                             f"or a parameter overwritten in forward), so the caller's tensor, and anything cached "
                             f"from it, changes under it. The course's tests reuse x and the parameters after "
                             f"calling your code (to build the autograd reference), so they fail even where your "
                             f"own values are right. Work on a new tensor instead (x = x - ..., x.t(), "
                             f"torch.clamp(x, min=0)).")
