"""Read one written formula (LaTeX, after ``normalize.repair``) into an ``expr`` tree. Nothing is evaluated.

A small reader walks the text and knows the homework's notation: symbols (``W^{(1)}``, ``W_1``, ``W^1`` -> W1;
``\\hat y`` -> y_hat; ``z_{1i}`` -> z1, read elementwise), Jacobians (``\\frac{\\partial l}{\\partial \\hat y}``,
``dl/dW_1``, ``\\delta`` or ``d`` for the partial sign), functions (``\\sigma``, ``\\text{ReLU}``, ``\\max(0, .)``,
``(.)^+``, ``f`` and ``g``, ``\\sigma'``, ``\\operatorname{diag}``, ``\\mathbb{1}[z > 0]``, ``\\|.\\|``, ``\\sum_k``),
transposes (``^T``, ``^\\top``), ``\\begin{cases}``. Every symbol, function call, group and case table becomes a
placeholder ``q_{..}``, so what reaches SymPy's ``parse_latex`` (lark backend) is a flat operator skeleton such as
``q_{aa} \\cdot q_{ab} + q_{ac}``: SymPy parses the precedence of ``+ - \\cdot / \\frac ^``, and the placeholders'
numbers give back the written order of each product (SymPy's symbols commute; matrices do not). Skeletons repeat
across cells and students, so their parses are cached.
"""

from __future__ import annotations

import re
from functools import lru_cache

import sympy

from grader.written.expr import Add, Call, Node, Num, Pow, Prod, Tr
from grader.written.normalize import braced
from grader.written.notation import _fraction, _operand, _operator, _postfix
from grader.written.reader import _WRAPPERS, Unreadable, _Reader, top_level_split

__all__ = ["Unreadable", "read", "read_cached", "top_level_split"]


_IGNORED = re.compile(r"\\(?:left|right|big|Big|bigg|Bigg|bigl|bigr|Bigl|Bigr|displaystyle|limits|nonumber|"
                      r"quad|qquad|textstyle|mathstrut)(?![A-Za-z])\.?|(?<!\\)\\[,;:! ]|~")
_HAD = object()  # the marker between two factors of an elementwise product


_WRAPPER = re.compile(r"\\(?:" + "|".join(_WRAPPERS) + r")(?![A-Za-z])\s*")
_SYMBOL_TEXT = r"(?:\\hat\s*\{?\s*y\s*\}?|\\ell|[A-Za-z](?:_\{[^{}]*\}|_[A-Za-z0-9])?(?:\^\{[^{}]*\}|\^[0-9])?)"
_SLASH = re.compile(r"(?<![A-Za-z\\])(\\partial|d)\s*(" + _SYMBOL_TEXT + r")\s*/\s*(\\partial|d)\s*(" + _SYMBOL_TEXT + ")")


def prepare(text: str) -> str:
    """Sure rewrites before reading: \\mathbf{W} -> W, \\bm{1} -> \\mathbb{1}, dl/dW_1 -> \\frac{dl}{dW_1}."""
    text = re.sub(r"\\(?:bm|mathbf|boldsymbol|mathbb|pmb)\s*\{\s*1\s*\}", r"\\mathbb{1}", text)
    while (m := _WRAPPER.search(text)) is not None:
        got = braced(text, m.end())
        if got is None:  # \mathbf x: the wrapper of one character
            text = text[:m.start()] + text[m.end():]
            continue
        inner, end = got
        one = re.fullmatch(r"\s*(\\[A-Za-z]+\s*(\{[^{}]*\})?|\\[A-Za-z]+\s+[A-Za-z]|[A-Za-z0-9])\s*", inner)
        text = text[:m.start()] + (inner if one else "{" + inner + "}") + text[end:]
    return _SLASH.sub(lambda m: rf"\frac{{{m.group(1)} {m.group(2)}}}{{{m.group(3)} {m.group(4)}}}", text)


def read(text: str) -> tuple[Node, list[str]]:
    """(tree, guesses) for one formula, or raise Unreadable."""
    guesses: list[str] = []
    parts = top_level_split(prepare(text), ("=", r"\approx", ":="))
    node = _level(parts[-1], guesses)
    return node, guesses


@lru_cache(maxsize=4096)
def read_cached(text: str) -> tuple[Node, tuple[str, ...]]:
    node, guesses = read(text)
    return node, tuple(guesses)


# ------------------------------------------------------------------------------------------------- one level
def _level(text: str, guesses: list[str]) -> Node:
    """One level of a formula: operands become placeholders, the skeleton goes to SymPy."""
    text = _IGNORED.sub(" ", text).strip()
    text = re.sub(r"[.,;]+\s*$", "", text).strip()
    if not text:
        raise Unreadable("an empty formula")
    bound: list[object] = []
    parts: list[str] = []
    r = _Reader(text, guesses, _level)
    prev_operand = False
    while True:
        r.ws()
        if r.i >= len(r.s):
            break
        op = _operator(r)
        if op is not None:
            if op == "had":
                bound.append(_HAD)
                parts.append(rf" \cdot {_placeholder(len(bound) - 1)} \cdot ")
            else:
                parts.append({"+": " + ", "-": " - ", "times": r" \cdot ", "/": " / "}[op])
            prev_operand = False
            continue
        post = _postfix(r, guesses) if prev_operand else None
        if post is not None:
            kind, value = post
            if kind == "T":
                parts.append("^{T}")
            elif kind == "plus":  # (.)^+ : the positive part of the operand before it
                last = parts.pop()
                bound_last = bound[_index(last)] if _is_placeholder(last) else None
                if bound_last is None:
                    raise Unreadable("'^+' follows something that is not a quantity")
                bound.append(Call("relu", (bound_last,)))
                parts.append(_placeholder(len(bound) - 1))
            else:
                bound.append(value)
                parts.append("^{" + _placeholder(len(bound) - 1) + "}")
            continue
        if prev_operand:
            parts.append(r" \cdot ")
        frac = _fraction(r, guesses)
        if isinstance(frac, Node):  # a derivative written as a fraction: one quantity
            bound.append(frac)
            parts.append(_placeholder(len(bound) - 1))
        elif frac is not None:
            num, den = frac
            bound += [num, den]  # numbers are placeholders too: fewer skeletons to parse
            parts.append(r"\frac{" + _placeholder(len(bound) - 2) + "}{" + _placeholder(len(bound) - 1) + "}")
        else:
            bound.append(_operand(r, guesses))
            parts.append(_placeholder(len(bound) - 1))
        prev_operand = True
    skeleton = "".join(parts).strip()
    if not skeleton or skeleton.endswith(("+ ", "- ", r"\cdot", "/")) or skeleton.rstrip().endswith(
            ("+", "-", r"\cdot", "/")):
        raise Unreadable("the formula ends with an operator")
    if _is_placeholder(skeleton):  # one operand: nothing for the parser to decide
        return _convert(sympy.Symbol(skeleton), bound)
    return _convert(_parse(skeleton), bound)


def _placeholder(i: int) -> str:
    return "q_{" + chr(97 + i // 26) + chr(97 + i % 26) + "}"


_PLACEHOLDER = re.compile(r"^q_\{([a-z])([a-z])\}$")


def _is_placeholder(s: str) -> bool:
    return bool(_PLACEHOLDER.match(s))


def _index(name: str) -> int:
    m = _PLACEHOLDER.match(name)
    return (ord(m.group(1)) - 97) * 26 + ord(m.group(2)) - 97


@lru_cache(maxsize=2048)
def _parse(skeleton: str) -> sympy.Basic:
    from sympy.parsing.latex import parse_latex

    try:
        with sympy.evaluate(False):
            out = parse_latex(skeleton, backend="lark")
    except Exception as e:  # lark's UnexpectedInput and SymPy's LaTeXParsingError
        raise Unreadable(f"the operators do not fit together ({type(e).__name__})") from e
    if not isinstance(out, sympy.Basic):  # an ambiguous parse comes back as a lark tree
        raise Unreadable("the formula can be read in more than one way")
    return out


def _convert(e: sympy.Basic, bound: list[object]) -> Node:
    """SymPy's tree of placeholders -> the expression tree, with every product back in its written order."""
    if isinstance(e, sympy.Symbol):
        if _is_placeholder(e.name):
            value = bound[_index(e.name)]
            if value is _HAD:
                raise Unreadable("'\\odot' stands where a quantity was expected")
            return value
        raise Unreadable(f"unexpected symbol {e.name}")
    if not e.free_symbols:
        try:
            return Num(float(e))
        except (TypeError, ValueError) as err:
            raise Unreadable("a number the grader cannot work out") from err
    if isinstance(e, sympy.Add):
        terms = tuple(_convert(a, bound) for a in e.args)
        return Num(sum(t.value for t in terms)) if all(isinstance(t, Num) for t in terms) else Add(terms)
    if isinstance(e, sympy.Mul):
        flat = _flatten(e)
        numbers = [f for f in flat if not f.free_symbols]
        coefficient = float(sympy.Mul(*numbers)) if numbers else 1.0
        factors = sorted((f for f in flat if f.free_symbols), key=_first)
        if not factors:
            return Num(coefficient)
        nodes: list[Node] = [Num(coefficient)] if coefficient != 1.0 else []
        had: list[bool] = []
        pending = False
        for f in factors:
            if isinstance(f, sympy.Symbol) and _is_placeholder(f.name) and bound[_index(f.name)] is _HAD:
                if not nodes or pending:
                    raise Unreadable("'\\odot' has nothing on one side")
                pending = True
                continue
            if nodes:
                had.append(pending)
            pending = False
            nodes.append(_convert(f, bound))
        if nodes and isinstance(nodes[0], Num) and had and had[0]:
            raise Unreadable("'\\odot' after a number")
        if pending:
            raise Unreadable("'\\odot' has nothing on one side")
        nodes, had = _fold_numbers(nodes, had)
        return nodes[0] if len(nodes) == 1 else Prod(tuple(nodes), tuple(had))
    if isinstance(e, sympy.Pow):
        base, exp = e.args
        if exp == sympy.Symbol("T"):
            return Tr(_convert(base, bound))
        b, x = _convert(base, bound), _convert(exp, bound)
        if isinstance(b, Num) and isinstance(x, Num) and b.value != 0:
            return Num(b.value ** x.value)
        return Pow(b, x)
    raise Unreadable(f"'{type(e).__name__}' is not part of the homework's algebra")


def _fold_numbers(nodes: list[Node], had: list[bool]) -> tuple[list[Node], list[bool]]:
    """The numbers of a matrix product (not next to an odot) multiplied into one coefficient, put first."""
    coefficient, keep, keep_had = 1.0, [], []
    for i, n in enumerate(nodes):
        touches_odot = (i > 0 and had[i - 1]) or (i < len(had) and had[i])
        if isinstance(n, Num) and not touches_odot:
            coefficient *= n.value
            continue
        if keep:
            keep_had.append(had[i - 1] if i > 0 else False)
        keep.append(n)
    if not keep:
        return [Num(coefficient)], []
    if coefficient != 1.0:
        keep, keep_had = [Num(coefficient), *keep], [False, *keep_had]
    return keep, keep_had


def _flatten(e: sympy.Basic) -> list[sympy.Basic]:
    out: list[sympy.Basic] = []
    for a in e.args:
        out += _flatten(a) if isinstance(a, sympy.Mul) else [a]
    return out


def _first(e: sympy.Basic) -> int:
    """Where a factor began in the written text: its first placeholder's number (numbers go first)."""
    found = [_index(s.name) for s in e.free_symbols if _is_placeholder(s.name)]
    return min(found) if found else -1
