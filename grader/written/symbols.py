"""Symbols and derivatives of the homework, for ``notation``: a letter with its subscripts and superscripts, a
word such as ``relu`` or ``yhat``, and a derivative's numerator and denominator.

  W^{(1)}, W_1, W^1, W^{(2)\\top} -> W1, W2 (transposed)     z_{1}, z^{(1)}, z_{1i}, z_{1,i} -> z1 (i: elementwise)
  \\hat y, y_{hat}, yhat -> y_hat     l, L, J, \\ell -> loss     K, n, m -> sizes     e -> Euler's number
  I, I_K -> the identity             \\frac{\\partial a}{\\partial b}, da/db -> Sym('da_db')
"""

from __future__ import annotations

import re

from grader.written.expr import Node, Sym, Tr
from grader.written.reader import Unreadable, _Reader

_FUNCTION_WORDS = {"relu": "relu", "sigmoid": "sigmoid", "sigma": "sigmoid", "diag": "diag", "exp": "exp",
                   "log": "log", "ln": "log", "max": "max", "sum": "sum", "id": "identity", "identity": "identity"}
_WORDS = ("otherwise", "else", "elsewhere", "if", "for", "and", "when", "where", "with", "all", "then")
_LOSS_NAMES = {"l", "L", "J", "C", "E"}
_SIZES = {"K", "n", "m", "N"}




def _layer(text: str) -> str | None:
    """'1', '(1)', '{(1)}', '[1]' -> '1'."""
    m = re.fullmatch(r"\s*[{(\[]*\s*([123])\s*[)\]}]*\s*", text)
    return m.group(1) if m else None


_DIFF = re.compile(r"^\s*(?:\\partial|\\delta|\\mathrm\{d\}|\\text\{d\}|\\operatorname\{d\}|d(?![a-z]{2}))\s*(.+)$",
                   re.S)


def _jacobian(r: _Reader, top: str, bottom: str, guesses: list[str]) -> Sym | None:
    """\\frac{\\partial a}{\\partial b} -> Sym('da_db'); None when the fraction is not a derivative."""
    mt, mb = _DIFF.match(top), _DIFF.match(bottom)
    if not (mt and mb):
        return None
    a, b = _quantity(r, mt.group(1)), _quantity(r, mb.group(1))
    if a is None or b is None:
        raise Unreadable(f"a derivative of {mt.group(1).strip()!r} by {mb.group(1).strip()!r}: not quantities "
                         f"of the homework")
    short = {"y_hat": "yhat", "loss": "l"}
    return Sym(f"d{short.get(a, a)}_d{short.get(b, b)}")


def _quantity(r: _Reader, text: str) -> str | None:
    """A derivative's numerator or denominator -> a symbol name (z1, y_hat, W1, loss, ...), or None."""
    try:
        node = r.level(text, [])
    except Unreadable:
        return None
    if isinstance(node, Tr):
        node = node.base
    if isinstance(node, Sym) and node.name not in _SIZES and node.name != "e":
        return node.name
    return None


def _modifiers(r: _Reader, base: str, guesses: list[str]) -> Node:
    """Subscripts and layer superscripts after a letter -> the homework's symbol."""
    sub = sup = None
    while True:
        r.ws()
        if r.peek() == "_" and sub is None:
            r.i += 1
            sub = r.group().strip()
            continue
        if r.peek() == "^" and sup is None:
            save = r.i
            r.i += 1
            arg = r.group().strip()
            if _layer(arg) and (base in "Wb" or (base == "z" and "(" in arg)):
                sup = arg
                continue
            m = re.fullmatch(r"\s*(\(?\s*[12]\s*\)?)\s*(?:\\top|T|\\intercal|\\mathsf\{T\}|\^\{T\}|\^T)\s*", arg)
            if m and base in "Wb":  # W^{(2)\top}: the layer and a transpose at once
                return Tr(_symbol(base, sub, m.group(1), guesses))
            r.i = save
        break
    return _symbol(base, sub, sup, guesses)


def _symbol(base: str, sub: str | None, sup: str | None, guesses: list[str]) -> Node:
    # an element index such as z_{1i} or y_k is dropped: the formula is then read elementwise
    layer = None
    if sub is not None:
        s = re.sub(r"\\(?:bm|mathbf|boldsymbol)\s*", "", sub).replace(" ", "").strip("{}")
        m = re.fullmatch(r"\(?([123])\)?(?:,?[ijkn])?", s)
        if m:
            layer = m.group(1)
        elif re.fullmatch(r"[ijkn]", s) and base != "I":
            pass
        elif base == "I" and s in ("K", "m", "n", "k"):
            pass
        elif s == "hat" and base == "y":
            base = "y_hat"
        elif s in ("2",) and base == "loss":
            pass
        else:
            raise Unreadable(f"{base}_{{{sub}}} is not a quantity of the homework")
    if sup is not None:
        if layer is not None:
            raise Unreadable(f"{base} has both a layer subscript and superscript")
        layer = _layer(sup)
        if "(" not in sup and base == "z":
            guesses.append(f"read z^{sup} as z_{layer}")
    if base in ("W", "b"):
        if layer not in ("1", "2"):
            raise Unreadable(f"{base} without its layer (1 or 2)")
        name = base + layer
    elif base == "z":
        if layer is None:
            raise Unreadable("z without its layer (1, 2 or 3)")
        name = "z" + layer
    elif base in ("x", "y", "y_hat"):
        if layer is not None:
            raise Unreadable(f"{base} with a layer index")
        name = base
    elif base in _LOSS_NAMES or base == "loss":
        name = "loss"
    elif base in _SIZES or base == "e":
        name = base
    elif base == "I":  # the identity matrix (I, I_K, I_m): its size is the answer's
        name = "I"
    else:
        raise Unreadable(f"{base} is not a quantity of the homework")
    return Sym(name)
