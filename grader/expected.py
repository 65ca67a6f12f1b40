"""Expected values for each case, from the trusted reference. Never sent to the sandbox."""

from __future__ import annotations

import numpy as np

import reference
from grader.cases import Case
from grader.schemas import LossConvention

Expected = dict[str, np.ndarray]


def _params(inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: inputs[k] for k in ("W1", "b1", "W2", "b2")}


def _grads(inputs: dict[str, np.ndarray], x: np.ndarray, upstream: np.ndarray, f: str, g: str) -> Expected:
    cache = reference.forward(_params(inputs), x, f, g)
    return reference.backward(_params(inputs), cache, upstream, f, g)


def expected_values(check: str, case: Case, conventions: dict[str, LossConvention]) -> Expected:
    """The reference's answer for one case: quantity name -> float64 array (J as a 0-d array)."""
    c, d = case.config, case.inputs
    if check == "loss":
        conv = conventions[c.loss]
        return dict(J=np.asarray(reference.loss(c.loss, d["y"], d["y_hat"], conv.scale, conv.reduce)),
                    dJdy_hat=reference.loss_grad(c.loss, d["y"], d["y_hat"], conv.scale, conv.reduce))
    if check == "forward":
        return dict(y_hat=reference.forward(_params(d), d["x"], c.f, c.g)["y_hat"])
    if check in ("backward", "clear_grad"):
        return _grads(d, d["x"], d["dJdy_hat"], c.f, c.g)
    if check == "end_to_end":
        conv = conventions[c.loss]
        _, _, grads = reference.loss_and_grads(_params(d), d["x"], d["y"], c.f, c.g, c.loss, conv.scale, conv.reduce)
        return grads
    raise ValueError(f"no expected values for check {check!r}")
