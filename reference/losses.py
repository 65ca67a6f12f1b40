"""Losses J(y, y_hat) = scale * reduce(e(y, y_hat)) and dJ/dy_hat (NumPy, float64).

Elementwise terms e:
  mse: (y_hat - y)**2
  bce: -(y log(y_hat) + (1 - y) log(1 - y_hat))        (needs 0 < y_hat < 1)
Reductions:
  sum:        sum of all elements
  mean:       mean of all elements
  batch_mean: sum over the last axis, mean over the leading axes
              (for a 1-d array this equals "sum")

Common conventions:
  Fall 2020 theory part:        mse, scale=0.5, reduce="sum"
  torch F.mse_loss:             mse, scale=1,   reduce="mean"
  torch F.binary_cross_entropy: bce, scale=1,   reduce="mean"
"""

import numpy as np

LOSSES = ("mse", "bce")
REDUCTIONS = ("sum", "mean", "batch_mean")


def _prepare(name, y, y_hat, reduce):
    """Validate names and shapes; return y, y_hat as float64 arrays."""
    if name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; expected one of {LOSSES}")
    if reduce not in REDUCTIONS:
        raise ValueError(f"unknown reduce {reduce!r}; expected one of {REDUCTIONS}")
    y = np.asarray(y, dtype=np.float64)
    y_hat = np.asarray(y_hat, dtype=np.float64)
    if y.shape != y_hat.shape:
        raise ValueError(f"y has shape {y.shape} but y_hat has shape {y_hat.shape}")
    return y, y_hat


def _count(reduce, shape):
    """Number the summed elements are divided by under `reduce`."""
    size = int(np.prod(shape))
    if reduce == "sum" or (reduce == "batch_mean" and len(shape) <= 1):
        return 1
    if reduce == "mean":
        return size
    return size // shape[-1]  # batch_mean: product of the leading axes


def _elementwise(name, y, y_hat):
    """e(y, y_hat), same shape as y_hat."""
    if name == "mse":
        return (y_hat - y) ** 2
    return -(y * np.log(y_hat) + (1.0 - y) * np.log(1.0 - y_hat))


def _elementwise_grad(name, y, y_hat):
    """de/dy_hat, same shape as y_hat."""
    if name == "mse":
        return 2.0 * (y_hat - y)
    return (1.0 - y) / (1.0 - y_hat) - y / y_hat


def loss(name, y, y_hat, scale=1.0, reduce="mean"):
    """J = scale * reduce(e(y, y_hat)) as a Python float. y, y_hat: same shape."""
    y, y_hat = _prepare(name, y, y_hat, reduce)
    e = _elementwise(name, y, y_hat)
    return float(scale * e.sum() / _count(reduce, y_hat.shape))


def loss_grad(name, y, y_hat, scale=1.0, reduce="mean"):
    """dJ/dy_hat, same shape as y_hat."""
    y, y_hat = _prepare(name, y, y_hat, reduce)
    return scale * _elementwise_grad(name, y, y_hat) / _count(reduce, y_hat.shape)
