"""Child side: turn whatever the student's code returned into plain float64 arrays, or say why not."""

from __future__ import annotations

import numpy as np
import torch

MAX_ELEMENTS = 1_000_000
_VIEWABLE = (torch.float32, torch.float64)  # dtypes whose CPU tensors NumPy views as they are
_DTYPES = {d: str(d).replace("torch.", "") for d in (torch.float16, torch.bfloat16, torch.float32, torch.float64,
                                                      torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64)}


def type_name(obj) -> str:
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
            dtype = t.dtype
            meta["dtype"] = _DTYPES.get(dtype) or str(dtype).replace("torch.", "")
            if dtype.is_complex or dtype == torch.bool:
                raise TypeError(f"{what} must hold real numbers; got a {meta['dtype']} tensor")
            if t.numel() > MAX_ELEMENTS:
                raise TypeError(f"{what} has {t.numel():,} elements, too many")
            if dtype in _VIEWABLE and t.is_cpu and not t.is_neg():
                arr = np.array(torch.Tensor.numpy(t), dtype=np.float64)  # a copy: never the student's memory
            else:
                arr = torch.Tensor.numpy(t.to("cpu", torch.float64))  # a new tensor already
        elif type(obj) in (int, float) or isinstance(obj, (np.ndarray, np.number)) or type(obj) in (list, tuple):
            if type(obj) is tuple:
                raise TypeError(f"{what} must be a tensor; got a tuple of {len(obj)} values")
            arr = np.asarray(obj)
            if arr.dtype.kind not in "iuf":
                raise TypeError(f"{what} must be numeric; got {type_name(obj)} of dtype {arr.dtype}")
            if arr.size > MAX_ELEMENTS:
                raise TypeError(f"{what} has {arr.size:,} elements, too many")
            meta["dtype"] = str(arr.dtype)
            arr = np.array(arr, dtype=np.float64)
        else:
            raise TypeError(f"{what} must be a tensor; got {type_name(obj)}")
    except TypeError as e:
        return {"kind": "error", "message": str(e)}, None
    except BaseException as e:  # an object that explodes when inspected (with KeyboardInterrupt too)
        return {"kind": "error", "message": f"{what} could not be read as numbers ({type(e).__name__})"}, None
    meta.update(kind="array", shape=list(arr.shape))
    return meta, arr


class Inputs:
    """A case's inputs as the student's code receives them. Every object handed out is remembered, so that
    ``mutated()`` can tell which ones the student's code changed in place."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self._arrays = arrays
        self._given: list[tuple[str, object, object]] = []
        self._changed: list[str] = []

    def tensor(self, name: str) -> torch.Tensor:
        """The input as a float32 torch tensor (the mlp.py convention)."""
        t = torch.from_numpy(np.asarray(self._arrays[name], dtype=np.float32).copy())
        self._given.append((name, t, t.clone()))
        return t

    def array(self, name: str) -> np.ndarray:
        """The input as a float64 NumPy array (the theory convention)."""
        a = np.array(self._arrays[name], dtype=np.float64)
        self._given.append((name, a, a.copy()))
        return a

    def changed(self, name: str) -> None:
        """Record that ``name`` was changed in place by other means (a parameter the student's code overwrote)."""
        self._changed.append(name)

    def mutated(self) -> list[str]:
        out = list(dict.fromkeys(self._changed))
        for name, obj, copy in self._given:
            same = torch.equal(obj, copy) if isinstance(obj, torch.Tensor) else np.array_equal(obj, copy)
            if not same and name not in out:
                out.append(name)
        return out
