"""Pure-NumPy (float64) reference solution for DS-GA 1008 Homework 1.

Backprop through x -> Linear -> f -> Linear -> g -> loss, batched
(network) and for a single data point (single).
"""

from .activations import ACTIVATIONS, activate, derivative
from .losses import LOSSES, REDUCTIONS, loss, loss_grad
from .network import backward, forward, loss_and_grads
from .single import forward_pass, gradients, jacobians
from .training import sgd_step

__all__ = [
    "ACTIVATIONS", "activate", "derivative",
    "LOSSES", "REDUCTIONS", "loss", "loss_grad",
    "forward", "backward", "loss_and_grads",
    "forward_pass", "gradients", "jacobians",
    "sgd_step",
]
