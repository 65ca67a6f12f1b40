"""Child side: how each Part 2 check calls the student's mlp.py (MLP, mse_loss, bce_loss)."""

from __future__ import annotations

import numpy as np
import torch

from convert import Inputs, type_name
from student import Missing, StudentError, call

GRADS = ("dJdW1", "dJdb1", "dJdW2", "dJdb2")
PARAMS = ("W1", "b1", "W2", "b2")


def _set_params(net, arrays: dict) -> None:
    """Write the case's weights into the student's ``net.parameters`` (in place when the shapes agree). The values
    are float64 arrays that float32 holds exactly, so every dtype receives the same numbers."""
    params = getattr(net, "parameters", None)
    if not isinstance(params, dict):
        raise TypeError(f"net.parameters must be the skeleton's dict; got {type_name(params)}")
    with torch.no_grad():
        for k in PARAMS:
            new = arrays[k]
            old = params.get(k)
            if isinstance(old, torch.Tensor) and tuple(old.shape) == new.shape:
                if not _assign(old, new):
                    torch.Tensor.copy_(old, torch.from_numpy(np.array(new, dtype=np.float32)))
            elif isinstance(old, np.ndarray) and old.shape == new.shape:
                np.copyto(old, new, casting="unsafe")
            elif old is not None and hasattr(old, "shape") and tuple(old.shape) != new.shape:
                raise ValueError(f"net.parameters['{k}'] has shape {tuple(old.shape)}; the skeleton's layout is "
                                 f"{new.shape} (out_features, in_features)")
            else:
                params[k] = torch.from_numpy(np.array(new, dtype=np.float32))


def _assign(old: torch.Tensor, new: np.ndarray) -> bool:
    """Write ``new`` into a contiguous CPU tensor through its NumPy view (a quarter of the cost of ``copy_``); False
    when ``copy_`` should do it: a view of other memory (an expanded tensor's elements share memory, which copy_
    refuses), or no NumPy view (it requires grad, or its device or dtype has none)."""
    if not torch.Tensor.is_contiguous(old):
        return False
    try:
        torch.Tensor.numpy(old)[...] = new
    except (RuntimeError, TypeError, ValueError):
        return False
    return True


def _build(mod, t: Inputs, config: dict):
    arrays = t._arrays
    W1, W2 = arrays["W1"], arrays["W2"]
    m, n, K = W1.shape[0], W1.shape[1], W2.shape[0]
    net = mod.MLP(n, m, config["f"], m, K, config["g"])
    _set_params(net, arrays)
    return net


def _params_kept(net, t: Inputs) -> None:
    """After the calls: a parameter whose values or shape differ from the case's (``W1.t_()`` or an update in
    forward/backward) counts as an input changed in place. What cannot be read is left alone: never an accusation
    on a guess."""
    try:
        params = net.parameters
        for k in PARAMS:
            value = params[k]
            if isinstance(value, torch.Tensor):
                value = torch.Tensor.numpy(torch.Tensor.detach(value).to("cpu", torch.float64))
            if isinstance(value, np.ndarray) and (value.shape != t._arrays[k].shape
                                                  or not np.array_equal(value, t._arrays[k])):
                t.changed(f"net.parameters['{k}']")
    except Exception:
        return


def _grads(net, returned) -> dict:
    grads = getattr(net, "grads", None)
    out = {}
    for k in GRADS:
        if isinstance(grads, dict) and k in grads:
            out[k] = grads[k]
        elif isinstance(returned, dict) and k in returned:
            out[k] = returned[k]
        else:
            out[k] = Missing(f"net.grads['{k}'] was not set by backward")
    return out


def run_loss(mod, t: Inputs, config: dict) -> dict:
    fn = getattr(mod, f"{config['loss']}_loss")
    res = call(f"{config['loss']}_loss", fn, t.tensor("y"), t.tensor("y_hat"))
    if not isinstance(res, (tuple, list)) or len(res) != 2:
        raise StudentError(f"{config['loss']}_loss must return (J, dJdy_hat); got {type_name(res)}")
    return {"J": res[0], "dJdy_hat": res[1]}


def run_forward(mod, t: Inputs, config: dict) -> dict:
    net = call("MLP(...)", _build, mod, t, config)
    call("clear_grad_and_cache", net.clear_grad_and_cache)
    out = {"y_hat": call("forward", net.forward, t.tensor("x"))}
    _params_kept(net, t)
    return out


def run_backward(mod, t: Inputs, config: dict) -> dict:
    net = call("MLP(...)", _build, mod, t, config)
    call("clear_grad_and_cache", net.clear_grad_and_cache)
    call("forward", net.forward, t.tensor("x"))
    out = _grads(net, call("backward", net.backward, t.tensor("dJdy_hat")))
    _params_kept(net, t)
    return out


def run_end_to_end(mod, t: Inputs, config: dict) -> dict:
    net = call("MLP(...)", _build, mod, t, config)
    call("clear_grad_and_cache", net.clear_grad_and_cache)
    y_hat = call("forward", net.forward, t.tensor("x"))
    res = call(f"{config['loss']}_loss", getattr(mod, f"{config['loss']}_loss"), t.tensor("y"), y_hat)
    if not isinstance(res, (tuple, list)) or len(res) != 2:
        raise StudentError(f"{config['loss']}_loss must return (J, dJdy_hat); got {type_name(res)}")
    out = _grads(net, call("backward", net.backward, res[1]))
    _params_kept(net, t)
    return out


def run_clear_grad(mod, t: Inputs, config: dict) -> dict:
    """Round a, clear_grad_and_cache, round b on one net; then round b alone on a fresh net (``fresh_*``)."""
    net = call("MLP(...)", _build, mod, t, config)
    call("clear_grad_and_cache", net.clear_grad_and_cache)
    call("forward", net.forward, t.tensor("x_a"))
    first = {k: _snapshot(v) for k, v in _grads(net, call("backward", net.backward, t.tensor("dJdy_hat_a"))).items()}
    call("clear_grad_and_cache", net.clear_grad_and_cache)
    call("forward (after clear_grad_and_cache)", net.forward, t.tensor("x"))
    after = _grads(net, call("backward (after clear_grad_and_cache)", net.backward, t.tensor("dJdy_hat")))
    after = {k: _snapshot(v) for k, v in after.items()}  # the fresh net must not be able to change them
    fresh = run_backward(mod, t, config)
    return {**after, **{f"fresh_{k}": v for k, v in fresh.items()}, **{f"first_{k}": v for k, v in first.items()}}


def _snapshot(value):
    """A copy taken now, so later in-place updates of the student's tensors do not change it."""
    if isinstance(value, torch.Tensor):
        return torch.Tensor.clone(torch.Tensor.detach(value))
    if isinstance(value, np.ndarray):
        return value.copy()
    return value


RUNNERS = {"loss": run_loss, "forward": run_forward, "backward": run_backward, "end_to_end": run_end_to_end,
           "clear_grad": run_clear_grad}
