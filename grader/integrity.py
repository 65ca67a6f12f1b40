"""Static integrity check: does the code a Part 2 check calls use autograd?

Part 2 asks for gradients by hand. This reads the student's source (never runs it) and finds autograd use --
``requires_grad``, ``.grad``, ``tensor.backward()``, ``torch.autograd``, ``torch.func``/``functorch`` -- in the
functions a check calls (``CheckKind.calls``, e.g. ``MLP.backward``) and in every module-level function they call,
transitively. Code under ``if __name__ == "__main__":`` and ``test_*`` functions is the student's own testing
and is left alone. The sandbox counts autograd calls at run time as well (harness probe).
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache

from grader.checks import CheckKind
from grader.schemas.submission import Submission

AUTOGRAD_MODULES = ("torch.autograd", "torch.func", "functorch")


def _autograd_module(name: str) -> bool:
    """torch.autograd, torch.func, functorch or a module inside them (torch.functional is not one)."""
    return any(name == m or name.startswith(m + ".") for m in AUTOGRAD_MODULES)


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


def _use(n: ast.AST) -> str | None:
    """What ``n`` does with autograd, if anything: turning requires_grad on, ``.grad``, ``tensor.backward()``,
    ``retain_grad()``, torch.autograd / torch.func / functorch. Reading ``x.requires_grad``,
    ``requires_grad=False``, ``torch.no_grad()`` and ``.detach()`` are fine."""
    if _turns_on_grad(n):
        return "requires_grad on"
    if isinstance(n, ast.Attribute):
        if n.attr in ("grad", "retain_grad"):
            return f".{n.attr}"
        if n.attr in ("autograd", "func") and isinstance(n.value, ast.Name) and n.value.id == "torch":
            return f"torch.{n.attr}"
    elif isinstance(n, ast.Name):
        if n.id in ("autograd", "functorch"):
            return n.id
    elif isinstance(n, ast.Call):
        if (isinstance(n.func, ast.Attribute) and n.func.attr == "backward"
                and not (isinstance(n.func.value, ast.Name) and n.func.value.id == "self")
                and (not n.args or any(k.arg == "gradient" for k in n.keywords))):
            return ".backward()"
    elif isinstance(n, ast.ImportFrom):
        if _autograd_module(n.module or ""):
            return f"from {n.module} import ..."
    elif isinstance(n, ast.Import):
        if any(_autograd_module(a.name) for a in n.names):
            return "import of autograd"
    return None


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
def _index(source: str) -> dict[str, tuple[frozenset[str], tuple[tuple[int, str], ...]]] | None:
    """Per definition: the module-level functions it calls and its autograd uses. None when it does not parse.
    Computed once per source, whatever the check asking, in one walk of the tree: a node belongs to every
    definition whose lines hold it."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    defs = _definitions(tree)
    uses: list[tuple[int, str]] = []
    calls: list[tuple[int, str]] = []
    for n in ast.walk(tree):
        what = _use(n)
        if what is not None:
            uses.append((n.lineno, what))
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in defs:
            calls.append((n.lineno, n.func.id))
    return {name: (frozenset(c for ln, c in calls if first <= ln <= last),
                   tuple(h for h in uses if first <= h[0] <= last))
            for name, (first, last) in defs.items()}


#: Words without which ``_use`` finds nothing (a cheap test that spares most sources the parse and the walk).
#: ``grad`` and ``func`` count only after a dot (``_use`` looks at them as attributes or module names only), with
#: whatever Python allows between the two tokens: spaces, a backslash and a newline, or (in brackets) newlines and
#: comments. So the skeleton's ``for grad in self.grads`` does not make every submission pay for the parse.
_WORDS = re.compile(r"requires_grad|retain_grad|autograd|functorch|\.(?:\s|\\|#[^\n]*)*(?:grad|func)\b")
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
