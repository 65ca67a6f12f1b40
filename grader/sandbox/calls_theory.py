"""Child side: how each Part 1 check calls the student's theory code (theory.py, or the same names in a notebook).

One data point, float64 NumPy arrays in: x (n,), y (K,), params = dict(W1 (m,n), b1 (m,), W2 (K,m), b2 (K,)).
  forward_pass(x, y, params, f, g, loss) -> dict(z1, z2, z3, y_hat, loss)
  gradients(x, y, params, f, g, loss)    -> dict(W1, b1, W2, b2)            dl/dparam, parameter-shaped
  jacobians(x, y, params, f, g, loss)    -> dict(dz2_dz1, dyhat_dz3, dl_dyhat)
  train_step(model, criterion, optimizer, x, y) -> the loss before the step   (torch model, x (N,n), y (N,K))
  FIVE_STEPS: list of str;  RELU_BENEFITS: str   (sent back as UTF-8 JSON bytes in a uint8 array)
"""

from __future__ import annotations

import json

import numpy as np
import torch

from convert import Inputs, type_name
from student import Missing, StudentError, call

PARAMS = ("W1", "b1", "W2", "b2")
FORWARD = {"z1": ("z1",), "z2": ("z2",), "z3": ("z3",), "y_hat": ("y_hat", "yhat"), "loss": ("loss", "l", "J")}
GRADIENTS = {f"dl_d{k}": (k, f"dl_d{k}", f"dJd{k}") for k in PARAMS}
JACOBIANS = {"dz2_dz1": ("dz2_dz1",), "dyhat_dz3": ("dyhat_dz3", "dy_hat_dz3"), "dl_dyhat": ("dl_dyhat", "dl_dy_hat")}
ACTIVATIONS = {"relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid, "identity": torch.nn.Identity}
CRITERIA = {"mse": torch.nn.MSELoss, "bce": torch.nn.BCELoss}
MAX_TEXT = 20_000
MAX_STEPS = 50


def _defined(mod, name: str):
    value = getattr(mod, name, None)
    if value is None:
        raise StudentError(f"{name} is not defined in your theory code (theory.py, or a notebook cell)")
    return value


def _point_call(mod, name: str, t: Inputs, config: dict):
    params = {k: t.array(k) for k in PARAMS}
    return call(name, _defined(mod, name), t.array("x"), t.array("y"), params, config["f"], config["g"],
                config["loss"])


def _pick(returned, name: str, keys: dict[str, tuple[str, ...]]) -> dict:
    """The quantities from a returned dict, looked up under their accepted key names."""
    if not isinstance(returned, dict):
        raise StudentError(f"{name} must return a dict with keys {', '.join(v[0] for v in keys.values())}; "
                           f"got {type_name(returned)}")
    out = {}
    for q, names in keys.items():
        key = next((k for k in names if k in returned), None)
        out[q] = returned[key] if key is not None else Missing(
            f"{name} returned no {names[0]!r} (its keys: {', '.join(map(str, list(returned)[:12]))})")
    return out


def run_forward_pass(mod, t: Inputs, config: dict) -> dict:
    return _pick(_point_call(mod, "forward_pass", t, config), "forward_pass", FORWARD)


def run_gradients(mod, t: Inputs, config: dict) -> dict:
    return _pick(_point_call(mod, "gradients", t, config), "gradients", GRADIENTS)


def run_jacobians(mod, t: Inputs, config: dict) -> dict:
    return _pick(_point_call(mod, "jacobians", t, config), "jacobians", JACOBIANS)


def run_single_point(mod, t: Inputs, config: dict) -> dict:
    """The three functions on the same point; one that fails costs only its own quantities."""
    out = {}
    for name, keys in (("forward_pass", FORWARD), ("gradients", GRADIENTS), ("jacobians", JACOBIANS)):
        try:
            out.update(_pick(_point_call(mod, name, t, config), name, keys))
        except StudentError as e:
            out.update({q: Missing(str(e)) for q in keys})
    return out


# --------------------------------------------------------------------------------------------- train_step
def _model(t: Inputs, config: dict) -> tuple[torch.nn.Sequential, list[torch.nn.Parameter]]:
    """Linear -> f -> Linear -> g with the case's weights, and stale gradients already in every .grad."""
    a = t._arrays
    (m, n), K = a["W1"].shape, a["W2"].shape[0]
    model = torch.nn.Sequential(torch.nn.Linear(n, m), ACTIVATIONS[config["f"]](), torch.nn.Linear(m, K),
                                ACTIVATIONS[config["g"]]())
    params = [model[0].weight, model[0].bias, model[2].weight, model[2].bias]
    with torch.no_grad():
        for p, k in zip(params, PARAMS):
            p.copy_(torch.from_numpy(np.asarray(a[k], dtype=np.float32)))
            p.grad = torch.from_numpy(np.asarray(a[f"stale_{k}"], dtype=np.float32).copy())
    return model, params


def run_train_step(mod, t: Inputs, config: dict) -> dict:
    fn = _defined(mod, "train_step")
    model, params = _model(t, config)
    optimizer = torch.optim.SGD(model.parameters(), lr=float(t._arrays["lr"]))
    loss = call("train_step", fn, model, CRITERIA[config["loss"]](), optimizer, t.tensor("x"), t.tensor("y"))
    if loss is None:
        loss = Missing("train_step returned None; return the loss computed before the step (loss.item())")
    return {"loss": loss, **{f"new_{k}": torch.Tensor.detach(p).clone() for k, p in zip(PARAMS, params)}}


# --------------------------------------------------------------------------------------------- text answers
def _text(value) -> np.ndarray:
    """A JSON-serialisable value -> its UTF-8 bytes as a uint8 array (the channel for text)."""
    return np.frombuffer(json.dumps(value).encode("utf-8", errors="replace"), dtype=np.uint8).copy()


def run_steps(mod, t: Inputs, config: dict) -> dict:
    steps = _defined(mod, "FIVE_STEPS")
    if type(steps) is str:
        steps = [line for line in steps.splitlines() if line.strip()]
    if type(steps) not in (list, tuple) or not all(type(s) is str for s in steps):
        raise StudentError(f"FIVE_STEPS must be a list of strings, one per step, in order; got {type_name(steps)}")
    return {"FIVE_STEPS": _text([str.__str__(s)[:1000] for s in list(steps)[:MAX_STEPS]])}


def run_free_text(mod, t: Inputs, config: dict) -> dict:
    text = _defined(mod, "RELU_BENEFITS")
    if type(text) in (list, tuple) and all(type(s) is str for s in text):
        text = "\n".join(text)
    if type(text) is not str:
        raise StudentError(f"RELU_BENEFITS must be a string; got {type_name(text)}")
    return {"RELU_BENEFITS": _text(str.__str__(text)[:MAX_TEXT])}


RUNNERS = {"forward_pass": run_forward_pass, "gradients": run_gradients, "jacobians": run_jacobians,
           "single_point": run_single_point, "train_step": run_train_step, "steps": run_steps,
           "free_text": run_free_text}
