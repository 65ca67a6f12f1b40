"""Deliberately wrong versions of the reference: what a student's common mistakes compute.

Each variant is a batched forward/backward with one mistake built in. If a student's value matches a variant and
not the reference, the mistake is named. Shapes follow the mlp.py convention:
x (N, n), W1 (m, n), b1 (m,), W2 (K, m), b2 (K,), upstream dJ/dy_hat (N, K).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from reference import activate, derivative
from reference.activations import sigmoid

Deriv = Callable[[str, np.ndarray], np.ndarray]


def _right(name: str, z: np.ndarray) -> np.ndarray:
    return derivative(name, z)


def _no_relu_mask(name: str, z: np.ndarray) -> np.ndarray:
    return np.ones_like(z) if name == "relu" else derivative(name, z)


def _no_sigmoid_factor(name: str, z: np.ndarray) -> np.ndarray:
    return np.ones_like(z) if name == "sigmoid" else derivative(name, z)


def _sigmoid_at_activation(name: str, z: np.ndarray) -> np.ndarray:
    if name != "sigmoid":
        return derivative(name, z)
    s = sigmoid(sigmoid(z))
    return s * (1 - s)


@dataclass(frozen=True)
class Variant:
    """A mistake: which activations it swaps, which derivative it uses, how it reduces the bias gradient.

    layers: which layers the mistake applies to ("f", "g" or both); the other layer is computed correctly.
    """

    code: str
    needs: str  # the activation the mistake is about ("relu", "sigmoid", "identity"); "" for any
    message: str
    swap: dict[str, str] | None = None  # activation name -> the one used instead (forward and backward)
    deriv: Deriv = _right
    bias: str = "sum"


VARIANTS: tuple[Variant, ...] = (
    Variant("relu_mask_missing", "relu",
            "backward ignores ReLU's derivative: the gradient passes straight through the ReLU. Multiply by the mask "
            "of the pre-activation saved in forward, e.g. dJdz1 = dJdz2 * (z1 > 0).", deriv=_no_relu_mask),
    Variant("sigmoid_derivative_missing", "sigmoid",
            "backward leaves out the sigmoid's derivative. Multiply by s(z) * (1 - s(z)), with s(z) the sigmoid of "
            "the pre-activation saved in forward.", deriv=_no_sigmoid_factor),
    Variant("sigmoid_derivative_at_activation", "sigmoid",
            "the sigmoid's derivative is taken at the activation instead of the pre-activation: you compute "
            "s(a) * (1 - s(a)) with a = sigmoid(z) (or the cached z was overwritten by an in-place sigmoid_()). "
            "Use a * (1 - a) with the saved activation a, or s(z) * (1 - s(z)) with the saved z.",
            deriv=_sigmoid_at_activation),
    Variant("identity_as_relu", "identity",
            "the 'identity' activation behaves like ReLU: identity must return its input unchanged, and its "
            "derivative is 1 everywhere.", swap={"identity": "relu"}),
    Variant("relu_as_identity", "relu",
            "the 'relu' activation behaves like the identity: ReLU must return max(z, 0) and its derivative is "
            "the mask (z > 0).", swap={"relu": "identity"}),
    Variant("bias_gradient_averaged", "",
            "the bias gradient is averaged over the batch: sum dJdz over the batch (dim 0) instead of taking the "
            "mean. Any 1/N belongs in the loss's dJdy_hat only.", bias="mean"),
)


def _layers(v: Variant, f: str, g: str, which: str) -> tuple[tuple[str, Deriv], tuple[str, Deriv]]:
    def one(act: str, on: bool) -> tuple[str, Deriv]:
        if not on:
            return act, _right
        return (v.swap or {}).get(act, act), v.deriv
    return one(f, which in ("f", "fg")), one(g, which in ("g", "fg"))


def run(v: Variant, p: dict[str, np.ndarray], x: np.ndarray, upstream: Callable[[np.ndarray], np.ndarray],
        f: str, g: str, which: str) -> dict[str, np.ndarray]:
    """y_hat and the four gradients as the mistaken code computes them, the mistake on layer(s) ``which``.

    upstream(y_hat) -> dJ/dy_hat (N, K): the grader's given gradient, or the reference loss's gradient.
    """
    (fa, fd), (ga, gd) = _layers(v, f, g, which)
    z1 = x @ p["W1"].T + p["b1"]
    z2 = activate(fa, z1)
    z3 = z2 @ p["W2"].T + p["b2"]
    y_hat = activate(ga, z3)
    reduce = np.mean if v.bias == "mean" else np.sum
    dz3 = upstream(y_hat) * gd(ga, z3)
    dz1 = (dz3 @ p["W2"]) * fd(fa, z1)
    return {"y_hat": y_hat, "dJdW1": dz1.T @ x, "dJdb1": reduce(dz1, axis=0), "dJdW2": dz3.T @ z2,
            "dJdb2": reduce(dz3, axis=0)}


def applicable(v: Variant, f: str, g: str) -> list[str]:
    """Layer choices where the variant changes something: subsets of 'f', 'g', 'fg'."""
    if not v.needs:
        return ["fg"]
    on = [w for w, act in (("f", f), ("g", g)) if act == v.needs]
    return on + (["fg"] if len(on) == 2 else [])
