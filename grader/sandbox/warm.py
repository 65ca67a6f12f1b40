"""Child side, run once in the zygote before it forks: make torch's first calls there instead of in every child.

- ``stub_dynamo``: torch.optim imports torch._dynamo (about 1.5 s) only to mark functions "not for compilation";
  eager code never compiles, so a small stand-in module gives the same behaviour at no cost. The first time
  anything asks it for more (torch.func, checkpointing), the real torch._dynamo is imported and takes its place.
- ``stub_symbolic_shapes``: the same for the two helpers autograd takes from torch.fx.experimental.symbolic_shapes
  when it is given a gradient (that module imports SymPy: about 0.4 s in each child that calls backward(gradient)).
- ``defer_meta_registrations``: torch's import ends with its Python meta kernels and decompositions (a quarter of
  the import), which only meta and fake tensors and tracing use; they are imported the first time anything needs
  them instead.
- ``warm_up``: one tiny forward, backward and optimizer step, so lazily built state (dispatch caches, autograd
  engine, nn and optim modules) exists before the fork and is shared by every child instead of rebuilt in each.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types


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


#: torch attributes that name deferred modules: torch reads some without importing them (torch.broadcast_shapes reads
#: torch._refs), so reading one imports them.
_DEFERRED_ATTRS = ("_refs", "_decomp", "_prims")


def _needs_meta(name: str) -> bool:
    """Any part of torch not imported yet (tracing, fake tensors, vmap's decompositions, export, ... all import
    some): torch imported every other part after its meta registrations, so they come first."""
    return name.startswith("torch.") or name == "functorch"


class _MetaOnDemand(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports the real torch._meta_registrations the first time anything imports a part of torch not imported yet
    (before that part loads, so in torch's own order: no part of torch is half-imported then) or asks the
    stand-in for an attribute. Inert after that (it stays in sys.meta_path: removing a finder while the import
    system walks the list would skip the next one)."""

    def __init__(self, stub: types.ModuleType) -> None:
        self.stub = stub
        self.done = False

    def restore(self) -> types.ModuleType:
        """Import the real torch._meta_registrations (and torch._dynamo in place of its stand-in, as torch.optim
        would have); return it."""
        self.done = True
        if sys.modules.get("torch._meta_registrations") is self.stub:
            del sys.modules["torch._meta_registrations"]
        module = importlib.import_module("torch._meta_registrations")
        # torch imported torch._dynamo (through torch.optim) before any part not imported yet: the same here,
        # or a part that needs it (torch.distributed.tensor, torch._inductor) meets it half-imported.
        dynamo = sys.modules.get("torch._dynamo")
        if dynamo is not None and "__file__" not in vars(dynamo):  # still the stand-in (no __getattr__ asked)
            _real("torch._dynamo", dynamo)
        return module

    def find_spec(self, name, path=None, target=None):
        if self.done or not _needs_meta(name):
            return None
        reloading = name in sys.modules  # importlib.reload: the import system uses the spec it gets, as it is
        self.restore()  # may import ``name`` too (torch._decomp, torch._prims, ...)
        module = sys.modules.get(name)
        if module is None or reloading:
            return None
        # The import system answers with the __spec__ of a module that appeared in sys.modules meanwhile and then
        # loads it: ours hands back the module restore() imported (not a second copy) and puts the real spec back.
        # It is a copy of the real one (origin, package path) with this loader, so that it is right as it is when
        # only importlib.util.find_spec asked and nothing loads it.
        real = module.__spec__
        spec = importlib.machinery.ModuleSpec(name, self, origin=real.origin, loader_state=real,
                                              is_package=real.submodule_search_locations is not None)
        spec.submodule_search_locations = real.submodule_search_locations
        spec.cached, spec.has_location = real.cached, real.has_location
        module.__spec__ = spec
        return spec

    def create_module(self, spec):
        return sys.modules[spec.name]

    def exec_module(self, module) -> None:
        module.__spec__ = module.__spec__.loader_state


_meta: _MetaOnDemand | None = None


def defer_meta_registrations() -> None:
    """Before ``import torch``: torch's import ends by registering Python meta kernels (torch._meta_registrations,
    with torch._decomp, torch._prims and torch._refs: about a quarter of the import). Only meta tensors, fake
    tensors and tracing (torch.compile, torch.export, make_fx, vmap's decompositions) use them; eager code on CPU
    tensors does not (but importing a part of torch not loaded yet brings them back: the zygote preloads the
    small parts everyday calls import). A stand-in takes its place; once the zygote has imported what it preloads,
    ``meta_registrations_on_demand`` arranges for the real module to be imported the moment anything may need it."""
    global _meta
    if "torch" in sys.modules or "torch._meta_registrations" in sys.modules:
        return
    stub = _on_first_use("torch._meta_registrations", lambda: _meta.restore())
    _meta = _MetaOnDemand(stub)
    sys.modules[stub.__name__] = stub


def meta_registrations_on_demand() -> None:
    """The last step of the zygote's warm-up (see ``defer_meta_registrations``): the stand-in leaves sys.modules
    (torch keeps it as an attribute until the real module replaces it), and from now on importing any part of
    torch not imported yet, or reading one of ``_DEFERRED_ATTRS`` from torch, imports the real meta registrations
    first (and the real torch._dynamo)."""
    if _meta is not None and not _meta.done and sys.modules.get("torch._meta_registrations") is _meta.stub:
        import torch

        # What torch._prims.rng_prims (one of the deferred modules) does on import: without it torch.Generator()
        # raises (DataLoader(shuffle=True), random_split(generator=...), gradcheck(fast_mode=True), SobolEngine).
        try:
            from torch._opaque_base import OpaqueBaseMeta
        except ImportError:  # a torch without it has no such metaclass to set
            OpaqueBaseMeta = None
        if OpaqueBaseMeta is not None and hasattr(torch._C, "_set_generator_metaclass"):
            torch._C._set_generator_metaclass(OpaqueBaseMeta)
        # torch.broadcast_shapes (so BCELoss(weight=...), MultivariateNormal) reads torch._refs as an attribute,
        # without importing it: each such attribute is a stand-in whose first use imports the real meta
        # registrations (which import it and put it in the stand-in's place).
        for name in _DEFERRED_ATTRS:
            if name not in vars(torch):
                setattr(torch, name, _on_first_use(f"torch.{name}", _deferred_part(f"torch.{name}")))
        del sys.modules["torch._meta_registrations"]
        sys.meta_path.insert(0, _meta)


def _on_first_use(name: str, fetch) -> types.ModuleType:
    """A stand-in module ``name`` that, asked for a name, answers from the module ``fetch()`` returns (which
    imports what was deferred). The import machinery's questions (``__path__``, ...) are not a use."""
    stub = types.ModuleType(name)
    stub.__doc__ = f"The grader's stand-in for {name}: the real one is imported on first use."

    def real(attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return getattr(fetch(), attr)

    stub.__getattr__ = real
    return stub


def _deferred_part(name: str):
    """fetch() for the stand-in of torch.<part>: the deferred parts imported, that part."""
    def fetch() -> types.ModuleType:
        _meta.restore()
        return importlib.import_module(name)
    return fetch


def import_deferred() -> None:
    """Import now what ``defer_meta_registrations`` deferred (the zygote does when its jobs could not import it
    themselves: the sandbox user cannot read the Python installation)."""
    if _meta is not None and not _meta.done:
        _meta.restore()


def warm_up() -> None:
    import numpy as np
    import torch

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
