"""Compare the student's values with the expected ones, case by case and quantity by quantity."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from grader.cases import Case
from grader.schemas import Tolerance


@dataclass(frozen=True)
class Comparison:
    """One quantity in one case. ``received`` is None when nothing usable came back (``message`` says why)."""

    quantity: str
    case: Case
    passed: bool
    expected: np.ndarray
    received: np.ndarray | None
    message: str = ""
    max_abs_error: float | None = None
    max_rel_error: float | None = None
    where: tuple[int, ...] | None = None
    note: str = ""
    #: everything else the student's code returned in this case (e.g. clear_grad's first-round gradients)
    others: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)
    #: failed by the rubric's in-place rule although the value was right: no mistake in the value to name
    spoiled: bool = False


def shape_text(shape) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _aligned(quantity: str, expected: np.ndarray, received: np.ndarray) -> tuple[np.ndarray | None, str]:
    """Received reshaped to the expected shape when it only adds or drops size-1 axes ((K,) for (1, K), a (1,) J
    for a scalar); else None. Same number of axes but another shape, e.g. (1, 3) for (3, 1), is a wrong shape:
    for a weight gradient that is a transpose."""
    if received.shape == expected.shape:
        return received, ""
    if (received.ndim != expected.ndim and received.size == expected.size
            and np.squeeze(received).shape == np.squeeze(expected).shape):
        note = "" if expected.ndim == 0 else (f"{quantity} has shape {shape_text(received.shape)}; the expected "
                                              f"shape is {shape_text(expected.shape)} (accepted: same values)")
        return received.reshape(expected.shape), note
    return None, ""


def compare(quantity: str, case: Case, expected: np.ndarray, received: np.ndarray | None, tol: Tolerance,
            error: str = "", others: dict[str, np.ndarray] | None = None, quick: bool = True) -> Comparison:
    """Compare one quantity: shape first, then ``max|received - expected| <= atol + rtol * max|expected|``.

    others: what else the case returned, kept on a failed comparison for the detectors. quick: first try the
    common case (same shape, within tolerance) by one subtraction; False when the caller has tried it already."""
    if received is None:
        why = error or f"{quantity} was not returned"
        if why.startswith(f"{quantity} must be a tensor;") and expected.ndim:  # the child cannot know the shape
            why = why.replace("must be a tensor;", f"must be a tensor of shape {shape_text(expected.shape)};", 1)
        return Comparison(quantity, case, False, expected, None, why, others=others or {})
    if quick and received.shape == expected.shape and expected.size:  # the common case, one subtraction
        max_abs = float(np.abs(received - expected).max())  # NaN never passes the test below
        if max_abs <= tol.atol + tol.rtol * float(np.abs(expected).max()):
            return Comparison(quantity, case, True, expected, received)
    aligned, note = _aligned(quantity, expected, received)
    if aligned is None:
        return Comparison(quantity, case, False, expected, received,
                          f"{quantity} should have shape {shape_text(expected.shape)}; "
                          f"got {shape_text(received.shape)}", others=others or {})
    if not np.all(np.isfinite(aligned)):
        bad = "NaN" if np.isnan(aligned).any() else "inf"
        return Comparison(quantity, case, False, expected, aligned, f"{quantity} contains {bad}", note=note,
                          others=others or {})
    diff = np.abs(aligned - expected)
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    max_abs = float(diff.max()) if diff.size else 0.0
    where = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), diff.shape)) if diff.size else ()
    passed = max_abs <= tol.atol + tol.rtol * scale
    msg = "" if passed else f"{quantity} differs from the expected value by up to {max_abs:.3g}"
    return Comparison(quantity, case, passed, expected, aligned, msg, max_abs, max_abs / max(scale, 1e-12), where,
                      note, {} if passed else others or {})
