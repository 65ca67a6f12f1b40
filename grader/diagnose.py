"""Name the mistake behind a failed comparison, the way a TA would.

A detector looks at one failed comparison (and the case's inputs) and returns a sentence or None. Detectors compare
the student's values with transformed references: the same quantity transposed, scaled by a telling factor, and so on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from grader.compare import Comparison

Detector = Callable[[str, Comparison], str | None]
CLOSE = dict(rtol=1e-3, atol=1e-5)


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, **CLOSE))


def transposed(check: str, c: Comparison) -> str | None:
    """The gradient has the transposed shape (or values) of the parameter."""
    e, r = c.expected, c.received
    if r is None or e.ndim != 2 or e.shape[0] == e.shape[1]:
        return None
    if r.shape == e.T.shape and _close(r, e.T):
        return (f"{c.quantity} is transposed: it has shape {r.shape} but must match the parameter's shape "
                f"{e.shape} (out_features, in_features). Compute dz.T @ input, not input.T @ dz.")
    if r.shape == e.shape and _close(r, e.T.reshape(e.shape)):
        return (f"{c.quantity} holds the transposed gradient reshaped to {e.shape}: reshaping does not transpose. "
                f"Compute dz.T @ input (shape {e.shape}) instead of input.T @ dz.")
    return None


def _factors(c: Comparison) -> list[tuple[float, str]]:
    s = c.case.sizes
    n_el = s["N"] * s["K"]
    return [(-1.0, "the sign is flipped"), (2.0, "a factor of 2 too large"), (0.5, "missing a factor of 2"),
            (float(n_el), f"missing the 1/(N*K) = 1/{n_el} of the mean"),
            (1.0 / n_el, f"divided by N*K = {n_el} once too often"),
            (float(s["N"]), f"missing the 1/N = 1/{s['N']} of the batch mean"),
            (1.0 / s["N"], f"divided by the batch size N = {s['N']} once too often"),
            (float(s["K"]), f"missing the 1/K = 1/{s['K']} of the mean over outputs"),
            (1.0 / s["K"], f"divided by K = {s['K']} once too often")]


def scaled(check: str, c: Comparison) -> str | None:
    """The values are the expected ones times a telling constant (sign, 2, 1/2, N, K, N*K)."""
    e, r = c.expected, c.received
    if r is None or r.shape != e.shape or not np.any(np.abs(e) > 1e-6):
        return None
    for factor, what in _factors(c):
        if factor != 1.0 and _close(r, factor * e):
            return f"{c.quantity} is {what} (yours = {factor:g} x expected)."
    return None


DETECTORS: Sequence[Detector] = (transposed, scaled)


def diagnose(check: str, failed: Sequence[Comparison]) -> list[str]:
    """Distinct named mistakes over an item's failed comparisons, in the order first seen."""
    found: list[str] = []
    for c in failed:
        for detect in DETECTORS:
            sentence = detect(check, c)
            if sentence and sentence not in found:
                found.append(sentence)
    return found
