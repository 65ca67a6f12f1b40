"""The expression tree a written formula becomes, over the homework's symbols, and its LaTeX rendering.

Symbols (``Sym.name``): the inputs x (n,), y (K,), W1 (m,n), b1 (m,), W2 (K,m), b2 (K,); the forward quantities z1,
z2 (m,), z3, y_hat (K,), loss (); the sizes K, n, m; Euler's number e; and Jacobians named ``d{a}_d{b}`` (dz2_dz1,
dyhat_dz3, dl_dyhat, dl_dz3, dz3_dz2, ...; ``l`` is the loss). Products keep the order they were written in
(matrix products do not commute); ``Prod.hadamard[i]`` says the product between factors i and i+1 is elementwise
(written ``\\odot``), which binds more loosely than a matrix product.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy


class Node:
    """Base of the tree's nodes."""


@dataclass(frozen=True, eq=False)
class Sym(Node):
    name: str


@dataclass(frozen=True, eq=False)
class Num(Node):
    value: float


@dataclass(frozen=True, eq=False)
class Add(Node):
    terms: tuple[Node, ...]


@dataclass(frozen=True, eq=False)
class Prod(Node):
    factors: tuple[Node, ...]
    hadamard: tuple[bool, ...]


@dataclass(frozen=True, eq=False)
class Pow(Node):
    base: Node
    exp: Node


@dataclass(frozen=True, eq=False)
class Tr(Node):
    """The transpose of ``base``."""
    base: Node


@dataclass(frozen=True, eq=False)
class Call(Node):
    """fn: f, g (the question's activations), relu, sigmoid, identity, d_f, d_g, d_relu, d_sigmoid (derivatives),
    diag, exp, log, sum, norm, ind (1 where the condition holds, else 0), max."""
    fn: str
    args: tuple[Node, ...]


@dataclass(frozen=True, eq=False)
class Cmp(Node):
    lhs: Node
    op: str  # one of > >= < <= == !=
    rhs: Node


@dataclass(frozen=True, eq=False)
class Cases(Node):
    """Elementwise cases: the first row whose condition holds; a None condition is "otherwise"."""
    rows: tuple[tuple[Node, Node | None], ...]


# ------------------------------------------------------------------------------------------------- rendering
_DISPLAY = {"x": "x", "y": "y", "W1": "W^{(1)}", "b1": "b^{(1)}", "W2": "W^{(2)}", "b2": "b^{(2)}", "z1": "z_{1}",
            "z2": "z_{2}", "z3": "z_{3}", "y_hat": r"\hat{y}", "loss": r"\ell", "l": r"\ell", "K": "K", "n": "n",
            "m": "m", "e": "e"}
_FUNCTIONS = {"relu": r"\operatorname{ReLU}", "sigmoid": r"\sigma", "identity": r"\operatorname{id}", "f": "f",
              "g": "g", "d_f": "f'", "d_g": "g'", "d_relu": r"\operatorname{ReLU}'", "d_sigmoid": r"\sigma'",
              "diag": r"\operatorname{diag}", "exp": r"\exp", "log": r"\log", "sum": r"\sum",
              "ind": r"\mathbb{1}", "max": r"\max", "d_identity": r"\operatorname{id}'"}
_OPS = {">": sympy.StrictGreaterThan, ">=": sympy.GreaterThan, "<": sympy.StrictLessThan, "<=": sympy.LessThan,
        "==": sympy.Eq, "!=": sympy.Ne}


def display(name: str) -> str:
    """How a symbol is written: W1 -> W^{(1)}, dl_dyhat -> \\frac{\\partial \\ell}{\\partial \\hat{y}}."""
    if name in _DISPLAY:
        return _DISPLAY[name]
    if name.startswith("d") and "_d" in name:
        top, bottom = name[1:].split("_d", 1)
        names = {"yhat": "y_hat"}
        return (rf"\frac{{\partial {display(names.get(top, top))}}}"
                rf"{{\partial {display(names.get(bottom, bottom))}}}")
    return name


class _Norm(sympy.Function):
    def _latex(self, printer, exp=None):
        text = r"\left\|" + printer._print(self.args[0]) + r"\right\|"
        return text if exp is None else f"{text}^{{{exp}}}"


class _Hadamard(sympy.Function):
    def _latex(self, printer, exp=None):
        parts = [printer._print(a) for a in self.args]
        parts = [rf"\left({p}\right)" if isinstance(a, sympy.Add) else p for a, p in zip(self.args, parts)]
        text = r"\left(" + r" \odot ".join(parts) + r"\right)"
        return text if exp is None else rf"{text}^{{{exp}}}"


class _Indicator(sympy.Function):
    def _latex(self, printer, exp=None):
        return r"\mathbb{1}\left[" + printer._print(self.args[0]) + r"\right]"


@lru_cache(maxsize=512)
def _symbol(name: str, commutative: bool) -> sympy.Symbol:
    return sympy.Symbol(display(name), commutative=commutative)


def _sympy(node: Node, nc: bool = True) -> sympy.Basic:
    """The node as a SymPy expression of non-commutative symbols (so products print in their order)."""
    if isinstance(node, Sym):
        return _symbol(node.name, not nc)
    if isinstance(node, Num):
        v = node.value
        return sympy.Integer(int(v)) if float(v).is_integer() else sympy.nsimplify(v, rational=True) \
            if abs(v * 12 - round(v * 12)) < 1e-12 else sympy.Float(v, 4)
    if isinstance(node, Add):
        return sympy.Add(*(_sympy(t, nc) for t in node.terms), evaluate=False)
    if isinstance(node, Prod):
        if any(node.hadamard):
            segments, start = [], 0
            for i, had in enumerate(node.hadamard + (True,)):
                if had:
                    seg = [_sympy(f, nc) for f in node.factors[start:i + 1]]
                    segments.append(seg[0] if len(seg) == 1 else sympy.Mul(*seg, evaluate=False))
                    start = i + 1
            return _Hadamard(*segments)
        return sympy.Mul(*(_sympy(f, nc) for f in node.factors), evaluate=False)
    if isinstance(node, Pow):
        return sympy.Pow(_sympy(node.base, nc), _sympy(node.exp, False), evaluate=False)
    if isinstance(node, Tr):
        return sympy.Pow(_sympy(node.base, nc), sympy.Symbol("T"), evaluate=False)
    if isinstance(node, Call):
        fn = {"norm": _Norm, "ind": _Indicator}.get(node.fn) or sympy.Function(_FUNCTIONS.get(node.fn, node.fn))
        return fn(*(_sympy(a, nc) for a in node.args))
    if isinstance(node, Cmp):
        return _OPS[node.op](_sympy(node.lhs, False), _sympy(node.rhs, False), evaluate=False)
    if isinstance(node, Cases):
        return sympy.Piecewise(*((_sympy(v, False), True if c is None else _sympy(c, False)) for v, c in node.rows),
                               evaluate=False)
    raise TypeError(node)


@lru_cache(maxsize=4096)
def to_latex(node: Node) -> str:
    """The formula as the grader read it, written back as LaTeX (``sympy.latex``); elementwise products as
    ``\\odot``. Cached by node: ``latex.read_cached`` gives one tree per text, so a formula many students wrote
    alike is printed once."""
    try:
        text = sympy.latex(_sympy(node))
        if isinstance(node, Prod) and any(node.hadamard) and text.startswith(r"\left(") and text.endswith(r"\right)"):
            text = text[6:-7]
        return text
    except Exception:  # a renderer hiccup must not cost a grade: the tree was read all the same
        return "(formula)"
