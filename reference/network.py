"""Batched two-layer network  x -> Linear -> f -> Linear -> g -> y_hat.

The mlp.py convention, with nn.Linear's weight layout:
  x (N, n); W1 (m, n), b1 (m,); W2 (K, m), b2 (K,)
  z1 = x W1^T + b1   (N, m)
  z2 = f(z1)         (N, m)
  z3 = z2 W2^T + b2  (N, K)
  y_hat = g(z3)      (N, K)
"""

import numpy as np

from . import activations, losses

PARAM_NAMES = ("W1", "b1", "W2", "b2")


def as_params(params):
    """The four parameters of `params` as float64 arrays (a new dict)."""
    return {k: np.asarray(params[k], dtype=np.float64) for k in PARAM_NAMES}


def forward(params, x, f, g):
    """Forward pass. x (N, n) -> dict x, z1 (N,m), z2 (N,m), z3 (N,K), y_hat (N,K)."""
    p = as_params(params)
    x = np.asarray(x, dtype=np.float64)
    z1 = x @ p["W1"].T + p["b1"]
    z2 = activations.activate(f, z1)
    z3 = z2 @ p["W2"].T + p["b2"]
    y_hat = activations.activate(g, z3)
    return {"x": x, "z1": z1, "z2": z2, "z3": z3, "y_hat": y_hat}


def backward(params, cache, dJdy_hat, f, g):
    """Backward pass from dJ/dy_hat (N, K), using forward's cache (with "x").

    Returns dJdW1 (m,n), dJdb1 (m,), dJdW2 (K,m), dJdb2 (K,).
    """
    p = as_params(params)
    x, z1, z2, z3 = (np.asarray(cache[k], dtype=np.float64) for k in ("x", "z1", "z2", "z3"))
    dJdz3 = np.asarray(dJdy_hat, dtype=np.float64) * activations.derivative(g, z3)  # (N,K)
    dJdW2 = dJdz3.T @ z2                                          # (K,m)
    dJdb2 = dJdz3.sum(axis=0)                                     # (K,)
    dJdz2 = dJdz3 @ p["W2"]                                       # (N,m)
    dJdz1 = dJdz2 * activations.derivative(f, z1)                 # (N,m)
    dJdW1 = dJdz1.T @ x                                           # (m,n)
    dJdb1 = dJdz1.sum(axis=0)                                     # (m,)
    return {"dJdW1": dJdW1, "dJdb1": dJdb1, "dJdW2": dJdW2, "dJdb2": dJdb2}


def loss_and_grads(params, x, y, f, g, loss, scale=1.0, reduce="mean"):
    """Forward, loss and backward in one go.

    x (N, n), y (N, K) -> (J float, dJdy_hat (N, K), grads dict as in backward).
    """
    cache = forward(params, x, f, g)
    J = losses.loss(loss, y, cache["y_hat"], scale, reduce)
    dJdy_hat = losses.loss_grad(loss, y, cache["y_hat"], scale, reduce)
    return J, dJdy_hat, backward(params, cache, dJdy_hat, f, g)
