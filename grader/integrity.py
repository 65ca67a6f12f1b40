"""Static integrity check: does the code a Part 2 check calls use autograd?

Part 2 asks for gradients by hand. This reads the student's source (never runs it) and finds autograd use --
``requires_grad``, ``.grad``, ``tensor.backward()``, ``torch.autograd``, ``torch.func``/``functorch`` -- in the
functions a check calls (``CheckKind.calls``, e.g. ``MLP.backward``) and in every module-level function they call,
transitively. Code under ``if __name__ == "__main__":`` and ``test_*`` functions is the student's own testing
and is left alone. The sandbox counts autograd calls at run time as well (harness probe).
"""

from __future__ import annotations

import ast
from functools import lru_cache

from grader.checks import CheckKind
from grader.schemas.submission import Submission

AUTOGRAD_MODULES = ("torch.autograd", "torch.func", "functorch")


def _is_false(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _turns_on_grad(n: ast.AST) -> bool:
    """requires_grad_() / requires_grad_(True), x.requires_grad = <not False>, f(..., requires_grad=<not False>)."""
    if isinstance(n, ast.Call):
        if isinstance(n.func, ast.Attribute) and n.func.attr == "requires_grad_":
            return not (n.args and _is_false(n.args[0])) and not any(
                k.arg == "requires_grad" and _is_false(k.value) for k in n.keywords)
        return any(k.arg == "requires_grad" and not _is_false(k.value) for k in n.keywords)
    if isinstance(n, ast.Assign):
        return not _is_false(n.value) and any(
            isinstance(t, ast.Attribute) and t.attr == "requires_grad" for t in n.targets)
    return False


def _uses(node: ast.AST) -> list[tuple[int, str]]:
    """(line, what) for every place inside ``node`` that makes autograd compute a gradient or reads one: turning
    requires_grad on, ``.grad``, ``tensor.backward()``, ``retain_grad()``, torch.autograd / torch.func / functorch.
    Reading ``x.requires_grad``, ``requires_grad=False``, ``torch.no_grad()`` and ``.detach()`` are fine."""
    hits = []
    for n in ast.walk(node):
        if _turns_on_grad(n):
            hits.append((n.lineno, "requires_grad on"))
        elif isinstance(n, ast.Attribute) and n.attr in ("grad", "retain_grad"):
            hits.append((n.lineno, f".{n.attr}"))
        elif isinstance(n, ast.Attribute) and n.attr in ("autograd", "func") and \
                isinstance(n.value, ast.Name) and n.value.id == "torch":
            hits.append((n.lineno, f"torch.{n.attr}"))
        elif isinstance(n, ast.Name) and n.id in ("autograd", "functorch"):
            hits.append((n.lineno, n.id))
        elif (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "backward"
              and not (isinstance(n.func.value, ast.Name) and n.func.value.id == "self")
              and (not n.args or any(k.arg == "gradient" for k in n.keywords))):
            hits.append((n.lineno, ".backward()"))
        elif isinstance(n, ast.ImportFrom) and (n.module or "").startswith(AUTOGRAD_MODULES):
            hits.append((n.lineno, f"from {n.module} import ..."))
        elif isinstance(n, ast.Import) and any(a.name.startswith(AUTOGRAD_MODULES) for a in n.names):
            hits.append((n.lineno, "import of autograd"))
    return hits


def _definitions(tree: ast.Module) -> dict[str, ast.AST]:
    """'MLP.backward', 'mse_loss', ... -> their nodes (top level, main guard and test_* left out)."""
    defs: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("test"):
            defs[node.name] = node
        elif isinstance(node, ast.ClassDef):
            defs[node.name] = node
            for sub in node.body:
                if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    defs[f"{node.name}.{sub.name}"] = sub
    return defs


def _called_names(node: ast.AST) -> set[str]:
    return {n.func.id for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}


@lru_cache(maxsize=64)
def _index(source: str) -> dict[str, tuple[frozenset[str], tuple[tuple[int, str], ...]]] | None:
    """Per definition: the module-level functions it calls and its autograd uses. None when it does not parse.
    Computed once per source, whatever the check asking."""
    try:
        defs = _definitions(ast.parse(source))
    except SyntaxError:
        return None
    return {name: (frozenset(c for c in _called_names(node) if c in defs and "." not in c), tuple(_uses(node)))
            for name, node in defs.items()}


@lru_cache(maxsize=256)
def _scan(source: str, roots: tuple[str, ...]) -> tuple[str, ...]:
    index = _index(source)
    if index is None:
        return ()
    todo = [r for r in roots if r in index]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += index[name][0]
    lines = source.splitlines()
    hits = sorted({h for name in seen for h in index[name][1]})
    return tuple(f"line {ln}: {lines[ln - 1].strip()[:80]}" for ln, _ in hits)


def autograd_lines(sub: Submission, kind: CheckKind, role: str = "mlp") -> list[str]:
    """Lines of the student's code that use autograd inside what ``kind`` calls; empty when clean or allowed."""
    if kind.autograd or not kind.calls:
        return []
    module = sub.module_for(role)
    if module is None:
        return []
    out: list[str] = []
    for cell in module.cells:
        found = _scan(cell.source, tuple(kind.calls))
        prefix = f"cell {cell.number}, " if cell.number else ""
        out += [prefix + f for f in found]
    return out
