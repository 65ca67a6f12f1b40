"""Homework 1, Part 1 as code (Fall 2020 conventions): one data point, NumPy, with helper classes whose methods are
named grad and backward (the student's own derivatives, not torch's autograd). Expected: full marks, no flag.

l_MSE = 1/2 ||y_hat - y||^2        l_BCE = -sum_k [y_k log y_hat_k + (1 - y_k) log(1 - y_hat_k)]
"""

import numpy as np

FIVE_STEPS = [
    "Forward pass: y_hat = model(x)",
    "Compute the loss: loss = criterion(y_hat, y)",
    "Zero the gradients: optimizer.zero_grad()",
    "Backward pass: loss.backward() computes dloss/dparameters",
    "Update the parameters: optimizer.step()",
]


def train_step(model, criterion, optimizer, x, y):
    y_hat = model(x)
    loss = criterion(y_hat, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


class Activation:
    """An activation with its own derivative, NumPy only: .grad(z) is the derivative at the pre-activation z, and
    .backward(z, upstream) passes a gradient back through it. Nothing here is torch's autograd."""

    def __init__(self, name):
        self.name = name

    def __call__(self, z):
        if self.name == "relu":
            return np.maximum(z, 0)
        if self.name == "sigmoid":
            return 1 / (1 + np.exp(-z))
        return z

    def grad(self, z):
        if self.name == "relu":
            return (z > 0).astype(float)
        if self.name == "sigmoid":
            s = self(z)
            return s * (1 - s)
        return np.ones_like(z)

    def backward(self, z, upstream):
        return self.grad(z) * upstream


class Loss:
    def __init__(self, name):
        self.name = name

    def __call__(self, y_hat, y):
        if self.name == "mse":
            return 0.5 * np.sum((y_hat - y) ** 2)
        return -np.sum(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))

    def grad(self, y_hat, y):
        if self.name == "mse":
            return y_hat - y
        return (y_hat - y) / (y_hat * (1 - y_hat))


def forward_pass(x, y, params, f, g, loss):
    z1 = params["W1"] @ x + params["b1"]
    z2 = Activation(f)(z1)
    z3 = params["W2"] @ z2 + params["b2"]
    y_hat = Activation(g)(z3)
    return dict(z1=z1, z2=z2, z3=z3, y_hat=y_hat, loss=Loss(loss)(y_hat, y))


def jacobians(x, y, params, f, g, loss):
    out = forward_pass(x, y, params, f, g, loss)
    return dict(dz2_dz1=np.diag(Activation(f).grad(out["z1"])),
                dyhat_dz3=np.diag(Activation(g).grad(out["z3"])),
                dl_dyhat=Loss(loss).grad(out["y_hat"], y))


def gradients(x, y, params, f, g, loss):
    out = forward_pass(x, y, params, f, g, loss)
    dl_dz3 = Activation(g).backward(out["z3"], Loss(loss).grad(out["y_hat"], y))   # (K,)
    dl_dz1 = Activation(f).backward(out["z1"], params["W2"].T @ dl_dz3)            # (m,)
    return dict(W1=np.outer(dl_dz1, x), b1=dl_dz1, W2=np.outer(dl_dz3, out["z2"]), b2=dl_dz3)


RELU_BENEFITS = """
With sigmoid, the derivative sigma'(z) = sigma(z)(1 - sigma(z)) is at most 1/4, so in a deep network the
backpropagated gradient is a product of many factors smaller than 1/4 and vanishes in the early layers; sigmoid
also saturates for large |z|. ReLU's derivative is exactly 1 for positive inputs, so the gradient passes through
unchanged and does not vanish. ReLU gives sparse activations (negative inputs give exactly 0), and it is cheaper
to compute: a max(0, z) instead of an exponential.
"""
