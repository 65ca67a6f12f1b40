"""Child side, run once in the zygote before it forks: make torch's first calls there instead of in every child.

- ``stub_dynamo``: torch.optim imports torch._dynamo (about 1.5 s) only to mark functions "not for compilation";
  eager code never compiles, so a small stand-in module gives the same behaviour at no cost. The first time
  anything asks it for more (torch.func, checkpointing), the real torch._dynamo is imported and takes its place.
- ``stub_symbolic_shapes``: the same for the two helpers autograd takes from torch.fx.experimental.symbolic_shapes
  when it is given a gradient (that module imports SymPy: about 0.4 s in each child that calls backward(gradient)).
- ``warm_up``: one tiny forward, backward and optimizer step, so lazily built state (dispatch caches, autograd
  engine, nn and optim modules) exists before the fork and is shared by every child instead of rebuilt in each.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

import numpy as np
import torch


def _stand_in(name: str, doc: str, **attrs) -> types.ModuleType | None:
    """Put a small module in place of ``name`` (not imported yet) that offers ``attrs``; the first time anything
    asks it for another attribute, the real module is imported, takes its place in sys.modules and answers."""
    if name in sys.modules:
        return None
    stub = types.ModuleType(name)
    stub.__doc__ = doc

    def real(attr: str):
        return getattr(_real(name, stub), attr)

    spec = importlib.util.find_spec(name)
    stub.__path__ = list(spec.submodule_search_locations or []) if spec and spec.submodule_search_locations else []
    for key, value in attrs.items():
        setattr(stub, key, value)
    stub.__getattr__ = real
    sys.modules[name] = stub
    parent, _, child = name.rpartition(".")
    setattr(sys.modules[parent], child, stub)
    return stub


def _real(name: str, stub: types.ModuleType) -> types.ModuleType:
    """The real module ``name``, imported in place of ``stub`` if that is still what sys.modules holds."""
    if sys.modules.get(name) is stub:
        del sys.modules[name]
        module = importlib.import_module(name)
        parent, _, child = name.rpartition(".")
        setattr(sys.modules[parent], child, module)
    return sys.modules[name]


def stub_dynamo() -> None:
    def disable(fn=None, recursive=True, *args, **kwargs):
        return fn if fn is not None else (lambda f: f)

    _stand_in("torch._dynamo", "The grader's stand-in for torch._dynamo: eager mode only (no torch.compile).",
              disable=disable, graph_break=lambda *a, **k: None, is_compiling=lambda: False)


def stub_symbolic_shapes() -> None:
    """``tensor.backward(gradient)`` and ``torch.autograd.grad(..., grad_outputs)`` import two helpers from
    torch.fx.experimental.symbolic_shapes, which imports SymPy (about 0.4 s, in every child that calls them). With
    plain (not symbolic) sizes the helpers are an equality test; anything symbolic goes to the real module."""
    name = "torch.fx.experimental.symbolic_shapes"
    stub: types.ModuleType | None = None

    def sym_eq(x, y):
        if isinstance(x, (tuple, list)) and isinstance(y, (tuple, list)):
            return len(x) == len(y) and all(sym_eq(a, b) for a, b in zip(x, y))
        if type(x) is int and type(y) is int:
            return x == y
        return _real(name, stub).sym_eq(x, y)

    def expect_true(a, skip: int = 0):
        if type(a) is bool:
            return a
        return _real(name, stub).expect_true(a, skip + 1)

    import torch.fx.experimental  # noqa: F401  (the parent package the stand-in hangs on)

    stub = _stand_in(name, "The grader's stand-in for torch.fx.experimental.symbolic_shapes: plain sizes only.",
                     sym_eq=sym_eq, expect_true=expect_true)


def warm_up() -> None:
    x = torch.from_numpy(np.linspace(-1.0, 1.0, 12, dtype=np.float32).reshape(4, 3))
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1), torch.nn.Sigmoid())
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for criterion in (torch.nn.MSELoss(), torch.nn.BCELoss()):
        opt.zero_grad()
        loss = criterion(model(x), torch.full((4, 1), 0.5))
        loss.backward()
        opt.step()
        loss.item()
    z = x @ x.T + 1
    (torch.clamp(z, min=0) * (z > 0).float() * torch.sigmoid(z) * (1 - torch.sigmoid(z))).sum(dim=0).numpy()
