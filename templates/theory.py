"""DS-GA 1008 Homework 1, Part 1 (theory) as code.

Fill in the names below; keep their spelling. The grader calls them on random single data points:
    x (n,), y (K,)                       float64 NumPy arrays
    params = dict(W1=(m, n), b1=(m,), W2=(K, m), b2=(K,))
    f, g in {"relu", "sigmoid", "identity"};  loss in {"mse", "bce"}
Use the loss conventions of your edition (see docs/student_instructions.md), e.g. Fall 2020:
    mse: l = 1/2 ||y_hat - y||^2           bce: l = -sum_k [y_k log y_hat_k + (1 - y_k) log(1 - y_hat_k)]
You may return NumPy arrays, torch tensors, Python floats or nested lists. Compute the gradients by hand
(no autograd) everywhere except in train_step.
"""

import numpy as np

# 1.1(a): the five steps of one training step, in order, one short sentence each.
FIVE_STEPS = [
    "TODO",
    "TODO",
    "TODO",
    "TODO",
    "TODO",
]


def train_step(model, criterion, optimizer, x, y):
    """1.1(a) as code: one SGD step on the batch x (N, n), y (N, K) with a torch model, criterion and optimizer.

    Returns the loss computed before the step (a float). Gradients left in .grad by earlier calls must not
    leak into this step.
    """
    raise NotImplementedError("train_step")


def forward_pass(x, y, params, f, g, loss):
    """1.1(b), 1.2(a), 1.2(b): dict(z1=(m,), z2=(m,), z3=(K,), y_hat=(K,), loss=scalar)."""
    raise NotImplementedError("forward_pass")


def gradients(x, y, params, f, g, loss):
    """1.1(c): dl/dparam, each shaped like its parameter: dict(W1=(m, n), b1=(m,), W2=(K, m), b2=(K,))."""
    raise NotImplementedError("gradients")


def jacobians(x, y, params, f, g, loss):
    """1.1(d): dict(dz2_dz1=(m, m), dyhat_dz3=(K, K), dl_dyhat=(K,) or (1, K))."""
    raise NotImplementedError("jacobians")


# 1.2(c): why f = ReLU can be better than sigmoid for training a (deeper) network. A few sentences.
RELU_BENEFITS = """
TODO
"""
