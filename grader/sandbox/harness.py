"""Runs inside the sandboxed child: imports the student's modules and calls them on the case inputs.

Untrusted side. Imports only the standard library, NumPy, torch and the sibling ``protocol`` module. It receives
inputs, never expected values, and sends back what the student's code returned, converted to plain arrays.
"""

from __future__ import annotations

import json
import linecache
import os
import sys
import types

import torch

import calls_mlp
import calls_theory
import stand_in
from convert import Inputs, to_plain
from arrays import pack, unpack_inputs
from protocol import write_frame
from student import STUDENT_FILES, Missing, StudentError, describe_exception

AUTOGRAD_CALLS = {"n": 0}
RUNNERS = {**calls_mlp.RUNNERS, **calls_theory.RUNNERS}


# --------------------------------------------------------------------------------------------- import
def import_module(spec: dict) -> tuple[types.ModuleType | None, list[dict]]:
    """Run a module's cells top to bottom in one namespace. Notebooks go on after a failing cell."""
    stand_in.install(spec.get("stand_ins", []))
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


# --------------------------------------------------------------------------------------------- one item
def run_case(mod, check: str, config: dict, arrays: dict, blob: dict, key: str) -> dict:
    given = Inputs(arrays)
    try:
        returned = RUNNERS[check](mod, given, config)
        error = None
    except StudentError as e:
        returned, error = {}, str(e)
    except BaseException as e:
        returned, error = {}, describe_exception(e, check)
    outputs = {}
    for q, value in returned.items():
        if type(value) is Missing:  # not isinstance: it would ask the student's object for its __class__
            outputs[q] = {"kind": "error", "message": value.message}
            continue
        meta, arr = to_plain(value, q)
        if arr is not None:
            meta["key"] = f"{key}/{q}"
            blob[meta["key"]] = arr
        outputs[q] = meta
    return {"outputs": outputs, "error": error, "mutated": given.mutated()}


class _CountingEngine:
    """Stands in for torch's autograd engine object (``Variable._execution_engine``): every backward pass, however
    it was reached, goes through ``run_backward``."""

    def __init__(self, engine) -> None:
        self._engine = engine

    def run_backward(self, *a, **kw):
        AUTOGRAD_CALLS["n"] += 1
        return self._engine.run_backward(*a, **kw)

    def __getattr__(self, name: str):
        return getattr(self._engine, name)


def _install_autograd_probe() -> None:
    """Count calls into autograd made while the student's code runs (integrity check): backward passes (through
    Tensor.backward, torch.autograd.backward/grad, torch.func's grad/vjp/jacrev, or the engine itself) and
    forward-mode dual numbers (torch.func.jvp/jacfwd, torch.autograd.forward_ad)."""
    def wrap(fn):
        def probe(*a, **kw):
            AUTOGRAD_CALLS["n"] += 1
            return fn(*a, **kw)
        return probe
    import torch.autograd.forward_ad as forward_ad
    from torch.autograd.variable import Variable

    torch.autograd.backward = wrap(torch.autograd.backward)
    torch.autograd.grad = wrap(torch.autograd.grad)
    torch.Tensor.backward = wrap(torch.Tensor.backward)
    forward_ad.make_dual = wrap(forward_ad.make_dual)
    forward_ad.unpack_dual = wrap(forward_ad.unpack_dual)
    if not isinstance(Variable._execution_engine, _CountingEngine):
        Variable._execution_engine = _CountingEngine(Variable._execution_engine)


def _unframe(data: bytes):
    """[u32 length][JSON header][packed arrays] (the trusted side's ``client._framed``) -> (header, arrays)."""
    size = int.from_bytes(data[:4], "big")
    return json.loads(data[4:4 + size]), unpack_inputs(data[4 + size:])


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        data = os.read(fd, 1 << 20)
        if not data:
            return b"".join(chunks)
        chunks.append(data)


def run_items(items: list[dict], inputs: dict, modules: dict, fd: int) -> None:
    """Run each item's cases, in order, and send one ``result`` frame per item to ``fd`` (the reader knows the
    order: the next item has begun once the previous one's result is in)."""
    for item_index, item in enumerate(items):
        AUTOGRAD_CALLS["n"] = 0
        cases, blob = [], {}
        mod = modules.get(item["role"])
        for case_index, case in enumerate(item["cases"]):
            prefix = f"i{item_index}c{case_index}"
            if mod is None:
                cases.append({"outputs": {}, "error": None, "mutated": []})
                continue
            arrays = {name: inputs[f"{prefix}/{name}"] for name in case["inputs"]}
            cases.append(run_case(mod, item["check"], case["config"], arrays, blob, prefix))
        sys.stdout.flush()
        sys.stderr.flush()
        write_frame(fd, {"type": "result", "item": item["id"], "cases": cases,
                         "autograd_calls": AUTOGRAD_CALLS["n"]}, pack(blob))


def run_job(job_dir: str, fd: int, held_fd: int = 4, withheld_out_fd: int = 5, job_fd: int = 6) -> None:
    """Read the job (modules, items and their inputs) from ``job_fd`` and close it; send one frame per import and
    per item to ``fd``, in the job's order (the reader times each phase from the frame before it). ``job_dir`` is
    the scratch directory, the student's files in it.

    Every module the job needs is imported first, then the visible items run. A job with hidden items
    (``"held": true``) then says ``hold`` and waits: the parent closes the output pipe the student may see, and only
    then writes the hidden items and their inputs on ``held_fd``; from then on fd 1 and 2 are the withheld output
    pipe (``withheld_out_fd``). So nothing the code does after it could know a hidden input reaches the student.
    """
    os.lseek(job_fd, 0, os.SEEK_SET)
    data = _read_all(job_fd)
    os.close(job_fd)  # the student's code gets its inputs through its calls only
    job, inputs = _unframe(data)
    _install_autograd_probe()
    modules: dict[str, types.ModuleType | None] = {}
    imported: dict[str, tuple[types.ModuleType | None, list[dict]]] = {}  # by module name: a notebook gives
    for role in job["roles"]:                                            # both roles, imported once
        spec = job["modules"][role]
        if spec["name"] not in imported:
            imported[spec["name"]] = import_module(spec)
        modules[role], errors = imported[spec["name"]]
        write_frame(fd, {"type": "import", "role": role, "ok": modules[role] is not None, "errors": errors,
                         "stand_ins": list(stand_in.USED)})
    run_items(job["items"], inputs, modules, fd)
    if job.get("held"):
        sys.stdout.flush()
        sys.stderr.flush()
        write_frame(fd, {"type": "hold"})
        data = _read_all(held_fd)
        os.close(held_fd)
        os.dup2(withheld_out_fd, 1)
        os.dup2(withheld_out_fd, 2)
        os.close(withheld_out_fd)
        items, held_inputs = _unframe(data)
        run_items(items, held_inputs, modules, fd)
    write_frame(fd, {"type": "end"})
