"""Elementwise activations f, g and their derivatives (pure NumPy, float64).

Every function takes a pre-activation array z of any shape and returns an
array of the same shape. derivative() is da/dz evaluated at the
PRE-activation z (not at the activation's output), with relu'(0) = 0.
"""

import numpy as np

ACTIVATIONS = ("relu", "sigmoid", "identity")


def _check(name):
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; expected one of {ACTIVATIONS}")


def sigmoid(z):
    """Numerically stable logistic 1 / (1 + exp(-z)); never overflows.

    Uses e = exp(-|z|) <= 1, so large |z| cannot overflow:
      z >= 0: 1 / (1 + e)
      z <  0: e / (1 + e)
    Underflow towards 0 for z << 0 is the correct answer, so it is silenced
    even under np.errstate(all="raise").
    """
    z = np.asarray(z, dtype=np.float64)
    a = np.abs(z)
    if a.size and a.max() > 700.0:  # exp(-|z|) underflows there: the right answer, without a warning
        with np.errstate(under="ignore"):
            e = np.exp(-a)
    else:
        e = np.exp(-a)
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def activate(name, z):
    """a = name(z), elementwise. z: any shape -> same shape, float64."""
    _check(name)
    z = np.asarray(z, dtype=np.float64)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "sigmoid":
        return sigmoid(z)
    return z.copy()  # identity


def derivative(name, z):
    """da/dz at the pre-activation z, elementwise. Same shape as z.

    relu'(z) = 1[z > 0] (so relu'(0) = 0); sigmoid'(z) = s(z) (1 - s(z));
    identity'(z) = 1.
    """
    _check(name)
    z = np.asarray(z, dtype=np.float64)
    if name == "relu":
        return (z > 0).astype(np.float64)
    if name == "sigmoid":
        s = sigmoid(z)
        with np.errstate(under="ignore"):
            return s * (1.0 - s)
    return np.ones_like(z)  # identity
