"""Static integrity check: does the code a check calls use torch's autograd?

Part 2 and the theory's gradients ask for derivatives by hand. This reads the student's source (never runs it) and
finds torch's autograd in the functions a check calls (``CheckKind.calls``, e.g. ``MLP.backward``) and in every
module-level function they call, transitively. What a name means is resolved from what it is bound to (imports,
``ag = torch.autograd``, ``getattr(torch, "autograd")``), not from its spelling: a NumPy helper class with its own
``.grad(z)`` or ``.backward(d)`` method is the student's own work, not autograd. Code under
``if __name__ == "__main__":`` and ``test_*`` functions is the student's own testing and is left alone.

A static finding alone never scores 0: the sandbox counts autograd calls while each item runs (the harness probe),
and only that confirms. A finding the run does not confirm is flagged for review by a person (``grader.engine``).

Findings are strong (torch.autograd / torch.func / functorch reached through any binding, requires_grad turned on,
``retain_grad()``, ``.backward()`` with no gradient argument where the module defines no ``backward`` method of its
own besides MLP's, the autograd engine itself) or weak (reading an attribute ``.grad``, which is also what the
student's own classes may hold); weak ones are reported only beside a strong one.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache

from grader.checks import CheckKind
from grader.schemas.submission import Submission

AUTOGRAD_MODULES = ("torch.autograd", "torch.func", "functorch", "torch._functorch")
TENSOR_AUTOGRAD = ("torch.Tensor.backward", "torch.Tensor.grad", "torch.Tensor.retain_grad",
                   "torch.Tensor.requires_grad_")
ENGINE_NAMES = ("_execution_engine", "_ImperativeEngine", "_EngineBase", "_engine_run_backward")


def _autograd_path(path: str) -> bool:
    """torch.autograd, torch.func, functorch or something inside them (torch.functional is not one), or a
    Tensor method that is autograd."""
    return any(path == m or path.startswith(m + ".") for m in AUTOGRAD_MODULES + TENSOR_AUTOGRAD)


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


# ------------------------------------------------------------------------------------------------- bindings
def _resolve(node: ast.AST, bound: dict[str, str]) -> str | None:
    """The dotted path an expression names, from the module's bindings: ``ag.grad`` -> 'torch.autograd.grad'."""
    if isinstance(node, ast.Name):
        return bound.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _resolve(node.value, bound)
        return f"{base}.{node.attr}" if base else None
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
            and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
        base = _resolve(node.args[0], bound)
        return f"{base}.{node.args[1].value}" if base else None
    return None


def bindings(nodes: list[ast.AST]) -> dict[str, str]:
    """Name -> the dotted path of torch it is bound to, anywhere in the module (imports, then simple assignments
    such as ``ag = torch.autograd`` or ``bw = getattr(torch.Tensor, "backward")``, followed to a fixed point).
    ``nodes``: all of the module's nodes (``list(ast.walk(module))``, walked once by the caller)."""
    bound: dict[str, str] = {}
    for n in nodes:
        if isinstance(n, ast.Import):
            for a in n.names:
                if a.asname:
                    bound[a.asname] = a.name
                else:
                    top = a.name.split(".")[0]
                    bound[top] = top
        elif isinstance(n, ast.ImportFrom) and n.module and not n.level:
            for a in n.names:
                bound[a.asname or a.name] = f"{n.module}.{a.name}"
    bound = {k: v for k, v in bound.items() if v.split(".")[0] in ("torch", "functorch")}
    assigns = [n for n in nodes if isinstance(n, ast.Assign) and len(n.targets) == 1
               and isinstance(n.targets[0], ast.Name)]
    for _ in range(4):
        changed = False
        for n in assigns:
            path = _resolve(n.value, bound)
            if path and bound.get(n.targets[0].id) != path:
                bound[n.targets[0].id], changed = path, True
        if not changed:
            break
    return bound


def _own_backward(nodes: list[ast.AST]) -> bool:
    """The module defines a ``backward`` method in a class other than MLP: ``.backward()`` may be its own."""
    return any(isinstance(c, ast.ClassDef) and c.name != "MLP" and any(
        isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) and f.name == "backward" for f in c.body)
        for c in nodes)


# ------------------------------------------------------------------------------------------------- uses
def _uses(nodes: list[ast.AST]) -> list[tuple[int, str, bool]]:
    """(line, what, strong) for every autograd use in the module (``nodes``: all of its nodes, ``ast.walk``)."""
    bound, own = bindings(nodes), _own_backward(nodes)
    called = {id(n.func) for n in nodes if isinstance(n, ast.Call)}
    out = []
    for n in nodes:
        if _turns_on_grad(n):
            out.append((n.lineno, "requires_grad on", True))
        elif isinstance(n, (ast.Name, ast.Attribute, ast.Call)) and (path := _resolve(n, bound)) \
                and _autograd_path(path):
            out.append((n.lineno, path, True))
        elif isinstance(n, ast.ImportFrom) and _autograd_path(n.module or "") and not n.level:
            out.append((n.lineno, f"from {n.module} import ...", True))
        elif isinstance(n, ast.Import) and any(_autograd_path(a.name) for a in n.names):
            out.append((n.lineno, "import of autograd", True))
        elif isinstance(n, (ast.Attribute, ast.Name)) and getattr(n, "attr", getattr(n, "id", "")) in ENGINE_NAMES:
            out.append((n.lineno, "the autograd engine", True))
        elif isinstance(n, ast.Attribute) and n.attr == "retain_grad":
            out.append((n.lineno, ".retain_grad", True))
        elif isinstance(n, ast.Attribute) and n.attr == "grad" and id(n) not in called:
            out.append((n.lineno, ".grad", False))  # a method call .grad(z) is never torch's: tensors have none
        elif (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "backward"
              and not (isinstance(n.func.value, ast.Name) and n.func.value.id == "self")
              and (not n.args or any(k.arg == "gradient" for k in n.keywords))):
            out.append((n.lineno, ".backward()", not own))
    return out


def _definitions(tree: ast.Module) -> dict[str, tuple[int, int]]:
    """'MLP.backward', 'mse_loss', ... -> their first and last lines, decorators included (top level; the main
    guard and test_* left out)."""
    def span(node) -> tuple[int, int]:
        return min([node.lineno] + [d.lineno for d in node.decorator_list]), node.end_lineno or node.lineno

    defs: dict[str, tuple[int, int]] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("test"):
            defs[node.name] = span(node)
        elif isinstance(node, ast.ClassDef):
            defs[node.name] = span(node)
            for sub in node.body:
                if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    defs[f"{node.name}.{sub.name}"] = span(sub)
    return defs


@lru_cache(maxsize=64)
def _index(source: str) -> dict[str, tuple[frozenset[str], tuple[tuple[int, str, bool], ...]]] | None:
    """Per definition: the module-level functions it calls and its autograd uses (line, what, strong). None when
    it does not parse. Computed once per source, whatever the check asking: a node belongs to every definition
    whose lines hold it."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    defs = _definitions(tree)
    nodes = list(ast.walk(tree))
    uses = _uses(nodes)
    calls = [(n.lineno, n.func.id) for n in nodes
             if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in defs]
    return {name: (frozenset(c for ln, c in calls if first <= ln <= last),
                   tuple(h for h in uses if first <= h[0] <= last))
            for name, (first, last) in defs.items()}


#: Words without which ``_uses`` finds nothing (a cheap test that spares most sources the parse and the walk).
#: ``grad`` and ``func`` count only after a dot or in an import, with whatever Python allows between the tokens:
#: spaces, a backslash and a newline, or (in brackets) newlines and comments. So the skeleton's
#: ``for grad in self.grads`` does not make every submission pay for the parse.
_WORDS = re.compile(r"requires_grad|retain_grad|autograd|functorch|_execution_engine|_ImperativeEngine|_EngineBase"
                    r"|_engine_run_backward|\.(?:\s|\\|#[^\n]*)*(?:grad|func)\b|\bimport\b[^\n]*\b(?:grad|func)\b")
_BACKWARD = re.compile(r"\bbackward\b")
_DEF_BACKWARD = re.compile(r"^[ \t\f]*(?:async[ \t]+)?def[ \t]+backward\b", re.MULTILINE)  # a line that starts one


def _may_use(source: str) -> bool:
    """False only when no autograd use can be in ``source``: ASCII (Python folds other letters into names: a
    fullwidth 'ｇｒａｄ' is 'grad'), none of the telling words, and every 'backward' is a ``def backward``."""
    return not source.isascii() or bool(_WORDS.search(source)) or \
        len(_BACKWARD.findall(source)) > len(_DEF_BACKWARD.findall(source))


@lru_cache(maxsize=256)
def _scan(source: str, roots: tuple[str, ...]) -> tuple[str, ...]:
    if not _may_use(source):
        return ()
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
    hits = {h for name in seen for h in index[name][1]}
    if not any(strong for _, _, strong in hits):
        return ()
    lines = source.splitlines()
    return tuple(f"line {ln}: {lines[ln - 1].strip()[:80]}" for ln in sorted({ln for ln, _, _ in hits}))


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
