"""Per-comparison detectors: each looks at one failed comparison and returns the mistakes it would explain."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

import reference
from grader.cases import Case
from grader.compare import Comparison
from grader.diagnose import variants
from grader.schemas import LossConvention

CLOSE = dict(rtol=2e-3, atol=1e-5)
GRADIENT_CHECKS = ("backward", "end_to_end")


@dataclass(frozen=True)
class Finding:
    """A mistake one comparison would explain. ``where``: the layer it sits in ("f", "g", "fg"), if any."""

    code: str
    message: str
    where: str = ""


Detector = Callable[[str, Comparison, dict], Iterable[Finding]]


_ATOL, _RTOL = CLOSE["atol"], CLOSE["rtol"]


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    """Elementwise |a - b| <= atol + rtol |b| (as np.allclose, without its overhead); NaN is never close. The
    first element is tested on its own first: most candidate mistakes differ there already."""
    if a.shape != b.shape:
        return False
    if a.size and not abs(a.item(0) - b.item(0)) <= _ATOL + _RTOL * abs(b.item(0)):
        return False
    return bool(np.all(np.abs(a - b) <= _ATOL + _RTOL * np.abs(b)))


def transposed(check: str, c: Comparison, conventions) -> Iterable[Finding]:
    e, r = c.expected, c.received
    if e.ndim != 2 or e.shape[0] == e.shape[1]:
        return
    if r.shape == e.T.shape and _close(r, e.T):
        yield Finding("transposed", f"the gradient is transposed: it has shape {r.shape} but must have the "
                                    f"parameter's shape {e.shape} (out_features, in_features). Compute "
                                    f"dJdz.T @ input, not input.T @ dJdz.")
    elif r.shape == e.shape and _close(r, e.T.reshape(e.shape)) and not _close(e, e.T.reshape(e.shape)):
        yield Finding("transposed", f"the gradient is transposed and then reshaped to {e.shape}: reshape and view "
                                    f"do not transpose. Compute dJdz.T @ input, which already has shape {e.shape}.")


def _factors(s: dict[str, int]) -> list[tuple[float, str, str]]:
    """(factor, code, sentence) for telling constants; yours = factor * expected."""
    return [
        (-1.0, "sign_flipped", "the sign is flipped. Check the sign of the loss's derivative: for BCE, "
                               "dJ/dy_hat = (y_hat - y) / (y_hat (1 - y_hat)), then the mean's 1/(N*K)."),
        (0.5, "missing_factor_2", "half the expected value: a factor of 2 is missing (the derivative of "
                                  "(y_hat - y)^2 is 2 (y_hat - y))."),
        (2.0, "extra_factor_2", "twice the expected value: a factor of 2 too many."),
        (float(s["N"] * s["K"]), "missing_mean", "N*K times too large: J is a mean over all N*K elements, so "
                                                 "dJdy_hat needs the same 1/(N*K)."),
        (1.0 / (s["N"] * s["K"]), "extra_mean", "divided by N*K once too often: the mean's 1/(N*K) belongs in "
                                                "dJdy_hat only."),
        (float(s["N"]), "missing_batch_mean", "N times too large: the 1/N of the mean over the batch is missing."),
        (1.0 / s["N"], "extra_batch_division", "divided by the batch size N once too often: backward should not "
                                               "divide by N; the mean's 1/(N*K) is already in dJdy_hat."),
        (float(s["K"]), "missing_output_mean", "K times too large: the 1/K of the mean over outputs is missing."),
        (1.0 / s["K"], "extra_output_division", "divided by the number of outputs K once too often."),
    ]


def _with_half(check: str, c: Comparison, conventions, factor: float) -> str | None:
    """The sentence for a factor of 2 when this course's MSE has 1/2 in front (J = 1/2 mean): the 2 of the
    derivative cancels it."""
    k = conventions.get(c.case.config.loss) if c.case.config.loss == "mse" else None
    if k is None or k.scale != 0.5 or factor != 2.0:
        return None
    if check == "loss" and c.quantity == "J":
        return ("twice the expected value: this course's MSE has 1/2 in front of the mean, J = 1/2 mean((y_hat - "
                "y)^2) (0.5 * F.mse_loss in the course's test), and the 1/2 is missing.")
    return ("twice the expected value: this course's MSE is J = 1/2 mean((y_hat - y)^2), so the 2 of the "
            "derivative cancels the 1/2: dJdy_hat = (y_hat - y) / (N*K).")


def scaled(check: str, c: Comparison, conventions) -> Iterable[Finding]:
    e, r = c.expected, c.received
    if r.shape != e.shape or not np.any(np.abs(e) > 1e-6):
        return
    for factor, code, sentence in _factors(c.case.sizes):
        if factor != 1.0 and _close(r, factor * e):
            yield Finding(code, _with_half(check, c, conventions, factor) or sentence)


def _upstream(check: str, case: Case, conventions) -> Callable[[np.ndarray], np.ndarray] | None:
    d = case.inputs
    if check == "backward" or check == "forward":
        return lambda y_hat: d.get("dJdy_hat", np.zeros_like(y_hat))
    if check == "end_to_end":
        k = conventions[case.config.loss]
        return lambda y_hat: reference.loss_grad(case.config.loss, d["y"], y_hat, k.scale, k.reduce)
    return None


@lru_cache(maxsize=2048)
def _mistaken(case: Case, check: str, loss: tuple | None) -> tuple[tuple[variants.Variant, str, dict], ...]:
    """Every known mistake's values on ``case``: (variant, layers, {quantity: array}). They depend on the case
    alone, and a class shares its cases (the pools), so they are computed once per case, not once per student.
    loss: (scale, reduce) of the loss convention, for end_to_end."""
    conventions = {case.config.loss: LossConvention(scale=loss[0], reduce=loss[1])} if loss else {}
    up = _upstream(check, case, conventions)
    d, cfg = case.inputs, case.config
    params = {k: d[k] for k in ("W1", "b1", "W2", "b2")}
    out = []
    for v in variants.VARIANTS:
        for which in variants.applicable(v, cfg.f, cfg.g):
            values = variants.run(v, params, d["x"], up, cfg.f, cfg.g, which)
            for a in values.values():
                a.setflags(write=False)
            out.append((v, which, values))
    return tuple(out)


VARIANT_CHECKS = (*GRADIENT_CHECKS, "forward")  # the checks whose mistakes are named by their values


def mistaken(case: Case, check: str, conventions) -> tuple[tuple[variants.Variant, str, dict], ...]:
    """Every known mistake's values on ``case`` for ``check`` (one of VARIANT_CHECKS), computed once per case:
    conventions, the loss conventions the check grades by (end_to_end's gradients start from the loss)."""
    loss = None
    if check == "end_to_end":
        k = conventions[case.config.loss]
        loss = (k.scale, k.reduce)
    return _mistaken(case, check, loss)


def variant(check: str, c: Comparison, conventions) -> Iterable[Finding]:
    """The student's value equals what a known mistake computes (and the mistake changes the value)."""
    if check not in VARIANT_CHECKS:
        return
    for v, which, values in mistaken(c.case, check, conventions):
        wrong = values[c.quantity]
        if _close(c.received, wrong) and not _close(wrong, c.expected):
            yield Finding(v.code, v.message, where=which)


def accumulated(check: str, c: Comparison, conventions) -> Iterable[Finding]:
    """clear_grad: the gradient after clearing equals the previous call's plus the new one."""
    first = c.others.get(f"first_{c.quantity}")
    if check != "clear_grad" or first is None or first.shape != c.expected.shape:
        return
    if _close(c.received, first + c.expected):
        yield Finding("gradients_accumulate",
                      "gradients accumulate across calls: after clear_grad_and_cache the previous call's gradient "
                      "is still added in. Zero every entry of self.grads in clear_grad_and_cache (or assign the "
                      "gradients in backward instead of adding to them).")


DETECTORS: tuple[Detector, ...] = (transposed, variant, accumulated, scaled)
