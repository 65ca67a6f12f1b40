"""Child side: stand-ins for packages a solution imports but does not need, when the grader does not have them.

Real solutions start with ``import pandas as pd``, ``from tqdm import tqdm`` or ``from IPython.display import
display`` and never use them. Without the package that import alone would stop the module, and every item would
score 0. For the packages the rubric names (``[packages] stand_in``), a finder placed last on ``sys.meta_path``
(so a package that is installed is always the real one) gives a stand-in module instead: importing it and its
names works; using them (calling, iterating, indexing, arithmetic) raises ModuleNotFoundError saying which name was
used and that the package is not installed where the code is graded. So a package really used still fails, with
that message. Only the standard library is used here.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types

#: top-level names of the stand-in modules that were imported, in order (the import frame reports them)
USED: list[str] = []


def _message(what: str, package: str) -> str:
    return (f"your code uses {what}, but {package} is not installed where your code is graded (its import was "
            f"allowed because an unused import is harmless). Remove that use, or ask the course staff to install "
            f"{package}.")


class Absent:
    """A name taken from a stand-in module: it can be passed around and looked into, but not used."""

    __slots__ = ("_what", "_package")

    def __init__(self, what: str, package: str) -> None:
        object.__setattr__(self, "_what", what)
        object.__setattr__(self, "_package", package)

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return Absent(f"{self._what}.{name}", self._package)

    def __setattr__(self, name: str, value) -> None:
        self._fail()

    def __repr__(self) -> str:
        return f"<{self._what}: {self._package} is not installed>"

    def _fail(self, *args, **kwargs):
        raise ModuleNotFoundError(_message(self._what, self._package), name=self._package)

    __call__ = __iter__ = __getitem__ = __setitem__ = __delitem__ = __len__ = __contains__ = _fail
    __enter__ = __exit__ = __bool__ = __index__ = __int__ = __float__ = _fail
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _fail
    __matmul__ = __rmatmul__ = __pow__ = __neg__ = __lt__ = __le__ = __gt__ = __ge__ = _fail


class StandInModule(types.ModuleType):
    """A stand-in package: every attribute is an Absent name, every submodule another stand-in."""

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return Absent(f"{self.__name__}.{name}", self.__name__.split(".")[0])


class _Loader(importlib.abc.Loader):
    def create_module(self, spec):
        return StandInModule(spec.name)

    def exec_module(self, module) -> None:
        module.__path__ = []  # a package: ``import tqdm.auto`` and ``from IPython.display import ...`` work
        top = module.__name__.split(".")[0]
        if top not in USED:
            USED.append(top)


class StandInFinder(importlib.abc.MetaPathFinder):
    """Last on sys.meta_path: consulted only for what no real finder found."""

    def __init__(self, packages: list[str]) -> None:
        self.packages = tuple(packages)

    def find_spec(self, fullname: str, path=None, target=None):
        if any(fullname == p or fullname.startswith(p + ".") for p in self.packages):
            return importlib.machinery.ModuleSpec(fullname, _Loader(), is_package=True)
        return None


def install(packages: list[str]) -> None:
    """Put the finder for ``packages`` last on sys.meta_path (once; a second call replaces the list)."""
    for f in list(sys.meta_path):
        if isinstance(f, StandInFinder):
            sys.meta_path.remove(f)
    if packages:
        sys.meta_path.append(StandInFinder([str(p) for p in packages][:200]))
