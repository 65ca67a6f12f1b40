"""Child side, run once in the zygote before it forks: make torch's first calls there instead of in every child.

- ``stub_dynamo``: torch.optim imports torch._dynamo (about 1.5 s) only to mark functions "not for compilation";
  eager code never compiles, so a small stand-in module gives the same behaviour at no cost. The first time
  anything asks it for more (torch.func, checkpointing), the real torch._dynamo is imported and takes its place.
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


def stub_dynamo() -> None:
    if "torch._dynamo" in sys.modules:
        return
    stub = types.ModuleType("torch._dynamo")
    stub.__doc__ = "The grader's stand-in for torch._dynamo: eager mode only (no torch.compile)."

    def disable(fn=None, recursive=True, *args, **kwargs):
        return fn if fn is not None else (lambda f: f)

    def real(name: str):
        """Anything beyond the stand-in: import the real module (paid once, only by code that needs it)."""
        if sys.modules.get("torch._dynamo") is stub:
            del sys.modules["torch._dynamo"]
            module = importlib.import_module("torch._dynamo")
            torch._dynamo = module
        return getattr(sys.modules["torch._dynamo"], name)

    spec = importlib.util.find_spec("torch._dynamo")
    stub.__path__ = list(spec.submodule_search_locations or []) if spec else []
    stub.disable = disable
    stub.graph_break = lambda *a, **k: None
    stub.is_compiling = lambda: False
    stub.__getattr__ = real
    sys.modules["torch._dynamo"] = stub
    torch._dynamo = stub


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
