"""One data point, the theory convention: x (n,), y (K,), column-vector maths.

  z1 = W1 x + b1 (m,)   z2 = f(z1) (m,)   z3 = W2 z2 + b2 (K,)   y_hat = g(z3) (K,)

Gradients are built from the Jacobians by the chain rule, independently of
network.backward, so the two implementations can check each other:
  dl/dz3 = dl/dy_hat . dy_hat/dz3      dl/dW2 = (dl/dz3)^T z2^T   dl/db2 = dl/dz3
  dl/dz1 = dl/dz3 . W2 . dz2/dz1       dl/dW1 = (dl/dz1)^T x^T    dl/db1 = dl/dz1
"""

import numpy as np

from . import activations, losses
from .network import as_params


def forward_pass(x, y, params, f, g, loss, scale=1.0, reduce="sum"):
    """dict z1 (m,), z2 (m,), z3 (K,), y_hat (K,), loss (float)."""
    p = as_params(params)
    x = np.asarray(x, dtype=np.float64)
    z1 = p["W1"] @ x + p["b1"]
    z2 = activations.activate(f, z1)
    z3 = p["W2"] @ z2 + p["b2"]
    y_hat = activations.activate(g, z3)
    J = losses.loss(loss, y, y_hat, scale, reduce)
    return {"z1": z1, "z2": z2, "z3": z3, "y_hat": y_hat, "loss": J}


def jacobians(x, y, params, f, g, loss, scale=1.0, reduce="sum"):
    """dict dz2_dz1 (m,m) = diag f'(z1), dyhat_dz3 (K,K) = diag g'(z3), dl_dyhat (K,)."""
    out = forward_pass(x, y, params, f, g, loss, scale, reduce)
    return {
        "dz2_dz1": np.diag(activations.derivative(f, out["z1"])),
        "dyhat_dz3": np.diag(activations.derivative(g, out["z3"])),
        "dl_dyhat": losses.loss_grad(loss, y, out["y_hat"], scale, reduce),
    }


def gradients(x, y, params, f, g, loss, scale=1.0, reduce="sum"):
    """dl/dparam, parameter-shaped: W1 (m,n), b1 (m,), W2 (K,m), b2 (K,)."""
    p = as_params(params)
    x = np.asarray(x, dtype=np.float64)
    out = forward_pass(x, y, p, f, g, loss, scale, reduce)
    jac = jacobians(x, y, p, f, g, loss, scale, reduce)
    dl_dz3 = jac["dl_dyhat"] @ jac["dyhat_dz3"]        # (K,)
    dl_dz1 = dl_dz3 @ p["W2"] @ jac["dz2_dz1"]          # (m,)
    return {
        "W1": np.outer(dl_dz1, x),
        "b1": dl_dz1,
        "W2": np.outer(dl_dz3, out["z2"]),
        "b2": dl_dz3,
    }
