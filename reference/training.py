"""Plain SGD on the batched network."""

from .network import PARAM_NAMES, as_params, loss_and_grads


def sgd_step(params, x, y, f, g, loss, lr, scale=1.0, reduce="mean"):
    """One step p <- p - lr * dJ/dp for W1, b1, W2, b2.

    x (N, n), y (N, K). Returns (J before the step, new params dict);
    the input params are not modified.
    """
    p = as_params(params)
    J, _, grads = loss_and_grads(p, x, y, f, g, loss, scale, reduce)
    return J, {k: p[k] - lr * grads["dJd" + k] for k in PARAM_NAMES}
