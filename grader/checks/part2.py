"""Part 2 (mlp.py) check kinds: loss, forward, backward, end_to_end, clear_grad. Batched, float32 inputs."""

from __future__ import annotations

import numpy as np

import reference
from grader.checks.kind import CheckKind, Expected, Inputs, register
from grader.draw import f32, labels, network
from grader.schemas import Config, LossConvention

GRADS = ("dJdW1", "dJdb1", "dJdW2", "dJdb2")
Conventions = dict[str, LossConvention]


def _params(d: Inputs) -> dict[str, np.ndarray]:
    return {k: d[k] for k in ("W1", "b1", "W2", "b2")}


def _grads(d: Inputs, x: np.ndarray, upstream: np.ndarray, f: str, g: str) -> Expected:
    return reference.backward(_params(d), reference.forward(_params(d), x, f, g), upstream, f, g)


# ------------------------------------------------------------------------------------------------- loss
def _loss_inputs(rng, c: Config, s) -> Inputs:
    shape = (s["N"], s["K"])
    y_hat = rng.uniform(0.05, 0.95, shape) if c.loss == "bce" else rng.standard_normal(shape)
    return dict(y=labels(rng, c.loss, shape), y_hat=f32(y_hat))


def _loss_expected(c: Config, d: Inputs, conv: Conventions) -> Expected:
    k = conv[c.loss]
    return dict(J=np.asarray(reference.loss(c.loss, d["y"], d["y_hat"], k.scale, k.reduce)),
                dJdy_hat=reference.loss_grad(c.loss, d["y"], d["y_hat"], k.scale, k.reduce))


# ------------------------------------------------------------------------------------------------- forward
def _forward_inputs(rng, c: Config, s) -> Inputs:
    return network(rng, c.f, c.g, s, s["N"])


def _forward_expected(c: Config, d: Inputs, conv: Conventions) -> Expected:
    return dict(y_hat=reference.forward(_params(d), d["x"], c.f, c.g)["y_hat"])


# ------------------------------------------------------------------------------------------------- backward
def _backward_inputs(rng, c: Config, s) -> Inputs:
    d = network(rng, c.f, c.g, s, s["N"])
    d["dJdy_hat"] = f32(rng.standard_normal((s["N"], s["K"])))
    return d


def _backward_expected(c: Config, d: Inputs, conv: Conventions) -> Expected:
    return _grads(d, d["x"], d["dJdy_hat"], c.f, c.g)


# ------------------------------------------------------------------------------------------------- end to end
def _end_to_end_inputs(rng, c: Config, s) -> Inputs:
    d = network(rng, c.f, c.g, s, s["N"])
    d["y"] = labels(rng, c.loss, (s["N"], s["K"]))
    return d


def _end_to_end_expected(c: Config, d: Inputs, conv: Conventions) -> Expected:
    k = conv[c.loss]
    return reference.loss_and_grads(_params(d), d["x"], d["y"], c.f, c.g, c.loss, k.scale, k.reduce)[2]


# ------------------------------------------------------------------------------------------------- clear grad
def _clear_grad_inputs(rng, c: Config, s) -> Inputs:
    """Two rounds on the same weights: (x_a, dJdy_hat_a) then, after clear_grad_and_cache, (x, dJdy_hat)."""
    d = network(rng, c.f, c.g, s, 2 * s["N"])
    d["x_a"], d["x"] = d["x"][: s["N"]], d["x"][s["N"]:]
    d["dJdy_hat_a"] = f32(rng.standard_normal((s["N"], s["K"])))
    d["dJdy_hat"] = f32(rng.standard_normal((s["N"], s["K"])))
    return d


NET = ("MLP.__init__", "MLP.forward", "MLP.backward", "MLP.clear_grad_and_cache")
LOSSES = ("mse_loss", "bce_loss")
register(CheckKind("loss", ("J", "dJdy_hat"), _loss_inputs, _loss_expected, calls=LOSSES))
register(CheckKind("forward", ("y_hat",), _forward_inputs, _forward_expected))
register(CheckKind("backward", GRADS, _backward_inputs, _backward_expected, calls=NET))
register(CheckKind("end_to_end", GRADS, _end_to_end_inputs, _end_to_end_expected, calls=NET + LOSSES))
register(CheckKind("clear_grad", GRADS, _clear_grad_inputs, _backward_expected, calls=NET,
                   against_own={q: f"fresh_{q}" for q in GRADS}))
