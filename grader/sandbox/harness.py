"""Runs inside the sandboxed child: imports the student's modules and calls them on the case inputs.

Untrusted side. Imports only the standard library, NumPy, torch and the sibling ``protocol`` module. It receives
inputs, never expected values, and sends back what the student's code returned, converted to plain arrays.
"""

from __future__ import annotations

import io
import json
import linecache
import os
import sys
import traceback
import types

import numpy as np
import torch

from protocol import write_frame

GRADS = ("dJdW1", "dJdb1", "dJdW2", "dJdb2")
PARAMS = ("W1", "b1", "W2", "b2")
MAX_ELEMENTS = 1_000_000
STUDENT_FILES: set[str] = set()
AUTOGRAD_CALLS = {"n": 0}


# --------------------------------------------------------------------------------------------- outputs -> data
def _type_name(obj) -> str:
    t = type(obj)
    return {tuple: "a tuple", list: "a list", dict: "a dict", type(None): "None", str: "a string",
            bool: "a bool"}.get(t, f"a {t.__module__}.{t.__qualname__}" if t.__module__ != "builtins" else f"a {t.__name__}")


def to_plain(obj, what: str) -> tuple[dict, np.ndarray | None]:
    """A returned value -> (metadata, float64 array). Accepts torch tensors, NumPy arrays and scalars, Python
    numbers and nested lists of numbers; anything else is described, never trusted."""
    meta: dict = {}
    try:
        if isinstance(obj, torch.Tensor):
            t = torch.Tensor.detach(obj)
            meta["requires_grad"] = bool(torch.Tensor.requires_grad.__get__(obj)) or obj.grad_fn is not None
            meta["dtype"] = str(t.dtype).replace("torch.", "")
            if t.is_complex() or t.dtype == torch.bool:
                raise TypeError(f"{what} must hold real numbers; got a {meta['dtype']} tensor")
            if t.numel() > MAX_ELEMENTS:
                raise TypeError(f"{what} has {t.numel():,} elements, too many")
            arr = t.to("cpu", torch.float64).numpy().copy()
        elif type(obj) in (int, float) or isinstance(obj, (np.ndarray, np.number)) or type(obj) in (list, tuple):
            if type(obj) is tuple:
                raise TypeError(f"{what} must be a tensor; got a tuple of {len(obj)} values")
            arr = np.asarray(obj)
            if arr.dtype.kind not in "iuf":
                raise TypeError(f"{what} must be numeric; got {_type_name(obj)} of dtype {arr.dtype}")
            if arr.size > MAX_ELEMENTS:
                raise TypeError(f"{what} has {arr.size:,} elements, too many")
            meta["dtype"] = str(arr.dtype)
            arr = np.array(arr, dtype=np.float64)
        else:
            raise TypeError(f"{what} must be a tensor; got {_type_name(obj)}")
    except TypeError as e:
        return {"kind": "error", "message": str(e)}, None
    except Exception as e:  # an object that explodes when inspected
        return {"kind": "error", "message": f"{what} could not be read as numbers ({type(e).__name__})"}, None
    meta.update(kind="array", shape=list(arr.shape))
    return meta, arr


# --------------------------------------------------------------------------------------------- student errors
def describe_exception(e: BaseException, during: str) -> str:
    """'forward raised ZeroDivisionError: division by zero (mlp.py, line 42: return x / 0)'."""
    where = ""
    for fr in reversed(traceback.extract_tb(e.__traceback__)):
        if fr.filename in STUDENT_FILES:
            where = f" ({fr.filename}, line {fr.lineno}: {(fr.line or '').strip()[:120]})"
            break
    if isinstance(e, SyntaxError) and e.filename in STUDENT_FILES:
        where = f" ({e.filename}, line {e.lineno}: {(e.text or '').strip()[:120]})"
    msg = (e.msg if isinstance(e, SyntaxError) else str(e))[:300]
    return f"{during} raised {type(e).__name__}{': ' + msg if msg else ''}{where}"


# --------------------------------------------------------------------------------------------- import
def import_module(spec: dict) -> tuple[types.ModuleType | None, list[dict]]:
    """Run a module's cells top to bottom in one namespace. Notebooks go on after a failing cell."""
    mod = types.ModuleType(spec["name"])
    mod.__file__ = os.path.abspath(spec["filename"]) if spec["cells"][0]["number"] == 0 else spec["filename"]
    sys.modules[spec["name"]] = mod
    errors = []
    for cell in spec["cells"]:
        fname = spec["filename"] if cell["number"] == 0 else f"<{spec['filename']} cell {cell['number']}>"
        STUDENT_FILES.add(fname)
        linecache.cache[fname] = (len(cell["source"]), None, cell["source"].splitlines(True), fname)
        try:
            exec(compile(cell["source"], fname, "exec"), mod.__dict__)
        except BaseException as e:  # SystemExit and KeyboardInterrupt too: student code must not end the run
            errors.append({"cell": cell["number"], "message": describe_exception(e, "importing " + fname)})
            if not spec.get("continue_on_error"):
                del sys.modules[spec["name"]]
                return None, errors
    return mod, errors


# --------------------------------------------------------------------------------------------- calling the MLP
def _tensor(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.asarray(a, dtype=np.float32).copy())


def _set_params(net, arrays: dict) -> None:
    params = getattr(net, "parameters", None)
    if not isinstance(params, dict):
        raise TypeError(f"net.parameters must be the skeleton's dict; got {_type_name(params)}")
    for k in PARAMS:
        new = _tensor(arrays[k])
        old = params.get(k)
        if isinstance(old, torch.Tensor) and tuple(old.shape) == tuple(new.shape):
            with torch.no_grad():
                torch.Tensor.copy_(old, new)
        elif isinstance(old, np.ndarray) and old.shape == tuple(new.shape):
            np.copyto(old, new.numpy(), casting="unsafe")
        elif old is not None and hasattr(old, "shape") and tuple(old.shape) != tuple(new.shape):
            raise ValueError(f"net.parameters['{k}'] has shape {tuple(old.shape)}; the skeleton's layout is "
                             f"{tuple(new.shape)} (out_features, in_features)")
        else:
            params[k] = new


def _build(mod, inputs: dict, config: dict):
    W1, W2 = inputs["W1"], inputs["W2"]
    m, n, K = W1.shape[0], W1.shape[1], W2.shape[0]
    net = mod.MLP(n, m, config["f"], m, K, config["g"])
    _set_params(net, inputs)
    return net


def _grads(net, returned) -> dict:
    grads = getattr(net, "grads", None)
    out = {}
    for k in GRADS:
        if isinstance(grads, dict) and k in grads:
            out[k] = grads[k]
        elif isinstance(returned, dict) and k in returned:
            out[k] = returned[k]
        else:
            out[k] = _Missing(f"net.grads['{k}'] was not set by backward")
    return out


class _Missing:
    def __init__(self, message: str) -> None:
        self.message = message


def _call(what: str, fn, *args):
    try:
        return fn(*args)
    except BaseException as e:
        raise _StudentError(describe_exception(e, what)) from None


class _StudentError(Exception):
    pass


def run_loss(mod, t: dict, config: dict) -> dict:
    fn = getattr(mod, f"{config['loss']}_loss")
    res = _call(f"{config['loss']}_loss", fn, t["y"], t["y_hat"])
    if not isinstance(res, (tuple, list)) or len(res) != 2:
        raise _StudentError(f"{config['loss']}_loss must return (J, dJdy_hat); got {_type_name(res)}")
    return {"J": res[0], "dJdy_hat": res[1]}


def run_forward(mod, t: dict, config: dict) -> dict:
    net = _call("MLP(...)", _build, mod, t, config)
    _call("clear_grad_and_cache", net.clear_grad_and_cache)
    return {"y_hat": _call("forward", net.forward, t["x"])}


def run_backward(mod, t: dict, config: dict) -> dict:
    net = _call("MLP(...)", _build, mod, t, config)
    _call("clear_grad_and_cache", net.clear_grad_and_cache)
    _call("forward", net.forward, t["x"])
    return _grads(net, _call("backward", net.backward, t["dJdy_hat"]))


def run_end_to_end(mod, t: dict, config: dict) -> dict:
    net = _call("MLP(...)", _build, mod, t, config)
    _call("clear_grad_and_cache", net.clear_grad_and_cache)
    y_hat = _call("forward", net.forward, t["x"])
    res = _call(f"{config['loss']}_loss", getattr(mod, f"{config['loss']}_loss"), t["y"], y_hat)
    if not isinstance(res, (tuple, list)) or len(res) != 2:
        raise _StudentError(f"{config['loss']}_loss must return (J, dJdy_hat); got {_type_name(res)}")
    return _grads(net, _call("backward", net.backward, res[1]))


def run_clear_grad(mod, t: dict, config: dict) -> dict:
    net = _call("MLP(...)", _build, mod, t, config)
    _call("clear_grad_and_cache", net.clear_grad_and_cache)
    _call("forward", net.forward, t["x_a"])
    _call("backward", net.backward, t["dJdy_hat_a"])
    _call("clear_grad_and_cache", net.clear_grad_and_cache)
    _call("forward (after clear_grad_and_cache)", net.forward, t["x"])
    return _grads(net, _call("backward (after clear_grad_and_cache)", net.backward, t["dJdy_hat"]))


RUNNERS = {"loss": run_loss, "forward": run_forward, "backward": run_backward, "end_to_end": run_end_to_end,
           "clear_grad": run_clear_grad}


# --------------------------------------------------------------------------------------------- one item
def run_case(mod, check: str, config: dict, arrays: dict, blob: dict, key: str) -> dict:
    tensors = {k: _tensor(v) for k, v in arrays.items()}
    pristine = {k: v.clone() for k, v in tensors.items()}
    try:
        returned = RUNNERS[check](mod, tensors, config)
        error = None
    except _StudentError as e:
        returned, error = {}, str(e)
    except BaseException as e:
        returned, error = {}, describe_exception(e, check)
    outputs = {}
    for q, value in returned.items():
        if isinstance(value, _Missing):
            outputs[q] = {"kind": "error", "message": value.message}
            continue
        meta, arr = to_plain(value, q)
        if arr is not None:
            meta["key"] = f"{key}/{q}"
            blob[meta["key"]] = arr
        outputs[q] = meta
    mutated = [k for k in tensors if not torch.equal(tensors[k], pristine[k])]
    return {"outputs": outputs, "error": error, "mutated": mutated}


def _install_autograd_probe() -> None:
    """Count calls into autograd made while the student's code runs (integrity check)."""
    def wrap(fn):
        def probe(*a, **kw):
            AUTOGRAD_CALLS["n"] += 1
            return fn(*a, **kw)
        return probe
    torch.autograd.backward = wrap(torch.autograd.backward)
    torch.autograd.grad = wrap(torch.autograd.grad)
    torch.Tensor.backward = wrap(torch.Tensor.backward)


def run_job(job_dir: str, fd: int) -> None:
    """Read job.json and inputs.npz from ``job_dir``; stream one frame per import and per item to ``fd``."""
    with open(os.path.join(job_dir, "job.json"), encoding="utf-8") as fh:
        job = json.load(fh)
    with np.load(os.path.join(job_dir, "inputs.npz"), allow_pickle=False) as npz:
        inputs = {k: npz[k] for k in npz.files}
    os.remove(os.path.join(job_dir, "job.json"))
    _install_autograd_probe()
    modules: dict[str, types.ModuleType | None] = {}
    for item_index, item in enumerate(job["items"]):
        role = item["role"]
        if role not in modules:
            spec = job["modules"][role]
            write_frame(fd, {"type": "begin", "phase": "import", "role": role})
            modules[role], errors = import_module(spec)
            write_frame(fd, {"type": "import", "role": role, "ok": modules[role] is not None, "errors": errors})
        write_frame(fd, {"type": "begin", "phase": "item", "item": item["id"]})
        AUTOGRAD_CALLS["n"] = 0
        cases, blob = [], {}
        for case_index, case in enumerate(item["cases"]):
            prefix = f"i{item_index}c{case_index}"
            if modules[role] is None:
                cases.append({"outputs": {}, "error": None, "mutated": []})
                continue
            arrays = {name: inputs[f"{prefix}/{name}"] for name in case["inputs"]}
            cases.append(run_case(modules[role], item["check"], case["config"], arrays, blob, prefix))
        buf = io.BytesIO()
        np.savez(buf, **blob)
        sys.stdout.flush()
        sys.stderr.flush()
        write_frame(fd, {"type": "result", "item": item["id"], "cases": cases,
                         "autograd_calls": AUTOGRAD_CALLS["n"]}, buf.getvalue())
    write_frame(fd, {"type": "end"})
