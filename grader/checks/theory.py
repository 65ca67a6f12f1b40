"""Part 1 (theory.py or a notebook) check kinds on randomized single data points, and train_step.

One data point, the rubric's theory conventions (``rubric.conventions.theory``):
  x (n,), y (K,), W1 (m, n), b1 (m,), W2 (K, m), b2 (K,)
  forward_pass -> z1 (m,), z2 (m,), z3 (K,), y_hat (K,), loss ()
  gradients    -> dl_dW1 (m, n), dl_db1 (m,), dl_dW2 (K, m), dl_db2 (K,)    parameter-shaped
  jacobians    -> dz2_dz1 (m, m), dyhat_dz3 (K, K), dl_dyhat (K,)
single_point checks the three functions together (1.2(a), 1.2(b)). train_step (1.1(a) as code) is checked on a
batch x (N, n), y (N, K) with a torch model, criterion and SGD optimizer built in the child.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

import reference
from grader.checks.kind import CheckKind, Expected, Inputs, register
from grader.diagnose.detectors import Finding
from grader.draw import f32, labels, network
from grader.schemas import Config, LossConvention

if TYPE_CHECKING:
    from grader.compare import Comparison

PARAMS = ("W1", "b1", "W2", "b2")
FORWARD = ("z1", "z2", "z3", "y_hat", "loss")
GRADIENTS = ("dl_dW1", "dl_db1", "dl_dW2", "dl_db2")
JACOBIANS = ("dz2_dz1", "dyhat_dz3", "dl_dyhat")
TRAIN = ("loss", "new_W1", "new_b1", "new_W2", "new_b2")
#: The child builds nn.MSELoss() / nn.BCELoss() for train_step: J = mean over all N*K elements.
TORCH_CRITERION = LossConvention(scale=1.0, reduce="mean")
LR = (0.05, 0.5)
Conventions = dict[str, LossConvention]


def _params(d: Inputs) -> dict[str, np.ndarray]:
    return {k: d[k] for k in PARAMS}


# ------------------------------------------------------------------------------------------------- one point
def _point_inputs(rng: np.random.Generator, c: Config, s: dict[str, int]) -> Inputs:
    """x (n,), y (K,) and the parameters, conditioned for f and g (no ReLU kink, no saturated sigmoid)."""
    d = network(rng, c.f, c.g, s, 1)
    d["x"] = d["x"][0]
    d["y"] = labels(rng, c.loss, (s["K"],))
    return d


def _args(c: Config, d: Inputs, conv: Conventions) -> tuple:
    k = conv[c.loss]
    return d["x"], d["y"], _params(d), c.f, c.g, c.loss, k.scale, k.reduce


def _forward_expected(c: Config, d: Inputs, conv: Conventions) -> Expected:
    out = reference.forward_pass(*_args(c, d, conv))
    return {q: np.asarray(out[q], dtype=np.float64) for q in FORWARD}


def _gradients_expected(c: Config, d: Inputs, conv: Conventions) -> Expected:
    out = reference.gradients(*_args(c, d, conv))
    return {f"dl_d{k}": out[k] for k in PARAMS}


def _jacobians_expected(c: Config, d: Inputs, conv: Conventions) -> Expected:
    return dict(reference.jacobians(*_args(c, d, conv)))


def _single_point_expected(c: Config, d: Inputs, conv: Conventions) -> Expected:
    return {**_forward_expected(c, d, conv), **_gradients_expected(c, d, conv), **_jacobians_expected(c, d, conv)}


# ------------------------------------------------------------------------------------------------- train step
def _train_inputs(rng: np.random.Generator, c: Config, s: dict[str, int]) -> Inputs:
    """A batch x (N, n), y (N, K), the parameters, a learning rate and stale gradients left in each .grad."""
    d = network(rng, c.f, c.g, s, s["N"])
    d["y"] = labels(rng, c.loss, (s["N"], s["K"]))
    d["lr"] = f32(rng.uniform(*LR))
    for k in PARAMS:
        d[f"stale_{k}"] = f32(rng.standard_normal(d[k].shape))
    return d


def _train_expected(c: Config, d: Inputs, conv: Conventions) -> Expected:
    J, new = reference.sgd_step(_params(d), d["x"], d["y"], c.f, c.g, c.loss, float(d["lr"]),
                                TORCH_CRITERION.scale, TORCH_CRITERION.reduce)
    return {"loss": np.asarray(J), **{f"new_{k}": new[k] for k in PARAMS}}


# ------------------------------------------------------------------------------------------------- detectors
# (check, failed comparison, conventions) -> findings, as in grader.diagnose.detectors; voted on with the shared ones.
def _finding(code: str, message: str) -> list[Finding]:
    return [Finding(code, message)]


def _close(a: np.ndarray | None, b: np.ndarray) -> bool:
    return a is not None and a.size == b.size and bool(np.allclose(a.reshape(b.shape), b, rtol=1e-3, atol=1e-5))


def jacobian_as_vector(check: str, c: Comparison, conventions) -> list[Finding]:
    """dz2_dz1 or dyhat_dz3 given as the vector of derivatives instead of the diagonal matrix."""
    e, r = c.expected, c.received
    if c.quantity not in ("dz2_dz1", "dyhat_dz3") or r is None or e.shape[0] < 2 or r.size != e.shape[0]:
        return []
    if not _close(r, np.diag(e)):
        return []
    return _finding("jacobian_as_vector", "the derivatives are given as a vector; the Jacobian of an elementwise "
                                          "activation is the square matrix with them on its diagonal (np.diag).")


def sigmoid_derivative_at_output(check: str, c: Comparison, conventions) -> list[Finding]:
    """sigmoid'(a) evaluated at the activation a = sigmoid(z) instead of at the pre-activation z."""
    act = {"dz2_dz1": c.case.config.f, "dyhat_dz3": c.case.config.g}.get(c.quantity)
    if act != "sigmoid" or c.received is None:
        return []
    d = c.case.inputs
    z1 = d["W1"] @ d["x"] + d["b1"]
    z = z1 if c.quantity == "dz2_dz1" else d["W2"] @ reference.activate(c.case.config.f, z1) + d["b2"]
    if not _close(c.received, np.diag(reference.derivative("sigmoid", reference.activate("sigmoid", z)))):
        return []
    return _finding("sigmoid_derivative_at_activation",
                    "sigmoid' is evaluated at the activation (sigmoid(z1), sigmoid(z3)) instead of at the "
                    "pre-activation z: the derivative at z is sigmoid(z) * (1 - sigmoid(z)).")


def transposed_outer(check: str, c: Comparison, conventions) -> list[Finding]:
    """dl_dW1 or dl_dW2 built as outer(input, dl/dz): the transpose of the parameter's shape."""
    e, r = c.expected, c.received
    if c.quantity not in ("dl_dW1", "dl_dW2") or r is None or e.shape[0] == e.shape[1] or not _close(r, e.T):
        return []
    return _finding("transposed", "the weight gradient is transposed: dl/dW is shaped like W (out, in), the outer "
                                  "product of dl/dz with the layer's input: np.outer(dl_dz1, x) for W1, "
                                  "np.outer(dl_dz3, z2) for W2.")


#: The loss written as each (scale, reduce) convention says, for one point with K outputs.
_LOSS_TEXT = {("mse", 0.5, "sum"): "1/2 ||y_hat - y||^2", ("mse", 1.0, "sum"): "||y_hat - y||^2",
              ("mse", 1.0, "mean"): "(1/K) ||y_hat - y||^2", ("mse", 0.5, "mean"): "1/(2K) ||y_hat - y||^2",
              ("bce", 1.0, "sum"): "-sum_k [y_k log y_hat_k + (1 - y_k) log(1 - y_hat_k)]",
              ("bce", 1.0, "mean"): "-(1/K) sum_k [y_k log y_hat_k + (1 - y_k) log(1 - y_hat_k)]"}
_LOSS_QUANTITIES = ("loss", "dl_dyhat", *GRADIENTS)


def _loss_text(loss: str, k: LossConvention) -> str:
    return _LOSS_TEXT.get((loss, k.scale, k.reduce), f"{k.scale:g} x the {k.reduce} of the elementwise {loss}")


def other_convention(check: str, c: Comparison, conventions) -> list[Finding]:
    """The loss (and everything after it) follows another edition's convention: a 1/2 or a 1/K too many or few."""
    if c.quantity not in _LOSS_QUANTITIES or c.received is None or not np.any(np.abs(c.expected) > 1e-6):
        return []
    loss, K = c.case.config.loss, c.case.sizes["K"]
    mine = conventions[loss]
    per = {"sum": 1.0, "mean": 1.0 / K}
    for (name, scale, reduce), text in _LOSS_TEXT.items():
        ratio = (scale * per[reduce]) / (mine.scale * per[mine.reduce])
        if name == loss and abs(ratio - 1) > 1e-9 and _close(c.received, ratio * c.expected):
            return _finding(f"{loss}_convention", f"matches the loss {text}; this course's {loss} for one point "
                                                  f"is {_loss_text(loss, mine)} (and its derivatives follow it).")
    return []


def loss_sign(check: str, c: Comparison, conventions) -> list[Finding]:
    """dl/dy_hat (and so every gradient) with the opposite sign."""
    if c.quantity not in _LOSS_QUANTITIES[1:] or c.received is None or not _close(c.received, -c.expected):
        return []
    if not np.any(np.abs(c.expected) > 1e-6):
        return []
    grad = {"mse": "is proportional to (y_hat - y)", "bce": "is (y_hat - y) / (y_hat (1 - y_hat)), times the "
                                                           "convention's scale"}[c.case.config.loss]
    return _finding("sign_flipped", f"the sign is flipped: dl/dy_hat {grad}, and every gradient follows its sign.")


def stale_gradients(check: str, c: Comparison, conventions) -> list[Finding]:
    """train_step left the stale .grad values in: the update used stale + fresh gradients."""
    if not c.quantity.startswith("new_") or c.received is None:
        return []
    d = c.case.inputs
    if not _close(c.received, c.expected - float(d["lr"]) * d[f"stale_{c.quantity[4:]}"]):
        return []
    return _finding("stale_gradients", "gradients left in .grad before train_step leaked into the update: call "
                                       "optimizer.zero_grad() before loss.backward() (backward adds to .grad).")


def no_update(check: str, c: Comparison, conventions) -> list[Finding]:
    """train_step did not change the parameters."""
    if not c.quantity.startswith("new_") or c.received is None or not _close(c.received, c.case.inputs[c.quantity[4:]]):
        return []
    return _finding("no_update", "the parameters did not change: call optimizer.step() after loss.backward(), and "
                                 "zero the gradients before backward, not between backward and the step.")


def loss_after_step(check: str, c: Comparison, conventions) -> list[Finding]:
    """train_step returned the loss of the updated parameters."""
    if c.quantity != "loss" or c.received is None:
        return []
    d, cfg = c.case.inputs, c.case.config
    k = TORCH_CRITERION
    _, new = reference.sgd_step(_params(d), d["x"], d["y"], cfg.f, cfg.g, cfg.loss, float(d["lr"]), k.scale, k.reduce)
    y_hat = reference.forward(new, d["x"], cfg.f, cfg.g)["y_hat"]
    if not _close(c.received, np.asarray(reference.loss(cfg.loss, d["y"], y_hat, k.scale, k.reduce))):
        return []
    return _finding("loss_after_step", "train_step returned the loss after the update; return the loss computed "
                                       "before optimizer.step().")


POINT_DETECTORS = (other_convention, loss_sign, transposed_outer, jacobian_as_vector, sigmoid_derivative_at_output)

register(CheckKind("forward_pass", FORWARD, _point_inputs, _forward_expected, "theory", POINT_DETECTORS,
                   calls=("forward_pass",)))
register(CheckKind("gradients", GRADIENTS, _point_inputs, _gradients_expected, "theory", POINT_DETECTORS,
                   calls=("gradients",)))
register(CheckKind("jacobians", JACOBIANS, _point_inputs, _jacobians_expected, "theory", POINT_DETECTORS,
                   calls=("jacobians",)))
register(CheckKind("single_point", FORWARD + GRADIENTS + JACOBIANS, _point_inputs, _single_point_expected, "theory",
                   POINT_DETECTORS, calls=("forward_pass", "gradients", "jacobians")))
register(CheckKind("train_step", TRAIN, _train_inputs, _train_expected, "implementation",
                   (stale_gradients, no_update, loss_after_step), autograd=True))
