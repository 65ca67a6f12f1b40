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

from grader.written.normalize import braced
from grader.written.expr import Add, Call, Cases, Cmp, Node, Num, Pow, Prod, Sym, Tr


class Unreadable(Exception):
    """The formula cannot be read with confidence; the message says what stopped the reader."""


_IGNORED = re.compile(r"\\(?:left|right|big|Big|bigg|Bigg|bigl|bigr|Bigl|Bigr|displaystyle|limits|nonumber|"
                      r"quad|qquad|textstyle|mathstrut)(?![A-Za-z])\.?|(?<!\\)\\[,;:! ]|~")
_WRAPPERS = ("bm", "mathbf", "boldsymbol", "vec", "mathit", "mathsf", "underline", "textbf", "pmb", "mathnormal",
             "textit", "ensuremath")
_TRANSPOSE = ("T", r"\top", r"\intercal", r"\mathsf{T}", r"\rm T", r"\mathrm{T}", r"\text{T}", r"\textsf{T}", "t")
_FUNCTION_WORDS = {"relu": "relu", "sigmoid": "sigmoid", "sigma": "sigmoid", "diag": "diag", "exp": "exp",
                   "log": "log", "ln": "log", "max": "max", "sum": "sum", "id": "identity", "identity": "identity"}
_WORDS = ("otherwise", "else", "elsewhere", "if", "for", "and", "when", "where", "with", "all", "then")
_COMPARE = {">": ">", "<": "<", r"\geq": ">=", r"\ge": ">=", r"\leq": "<=", r"\le": "<=", r"\neq": "!=",
            r"\ne": "!=", ">=": ">=", "<=": "<=", "==": "=="}
_LOSS_NAMES = {"l", "L", "J", "C", "E"}
_SIZES = {"K", "n", "m", "N"}
_HAD = object()  # the marker between two factors of an elementwise product


class _Reader:
    """Reads one level of a formula into items: operands (placeholders), operators and postfix marks."""

    def __init__(self, text: str, guesses: list[str]):
        self.s, self.i, self.guesses = text, 0, guesses

    # ---------------------------------------------------------------- scanning helpers
    def peek(self, n: int = 1) -> str:
        return self.s[self.i:self.i + n] or "\0"

    def ws(self) -> None:
        while self.i < len(self.s) and (self.s[self.i].isspace() or self.s[self.i] == "&"):
            self.i += 1

    def eat(self, token: str) -> bool:
        self.ws()
        if self.s.startswith(token, self.i) and not (token[-1].isalpha() and self.s[self.i + len(token):
                                                                                  self.i + len(token) + 1].isalpha()):
            self.i += len(token)
            return True
        return False

    def command(self) -> str | None:
        m = re.compile(r"\\([A-Za-z]+|.)").match(self.s, self.i)
        return m.group(1) if m else None

    def group(self) -> str:
        """The next argument: a brace group's contents, or one character (``\\frac12``) or one command."""
        self.ws()
        if self.peek() == "{":
            depth, start = 0, self.i
            for j in range(self.i, len(self.s)):
                c = self.s[j]
                if c == "{" and self.s[j - 1:j] != "\\":
                    depth += 1
                elif c == "}" and self.s[j - 1:j] != "\\":
                    depth -= 1
                    if depth == 0:
                        self.i = j + 1
                        return self.s[start + 1:j]
            raise Unreadable("a '{' is never closed")
        cmd = self.command()
        if cmd:
            self.i += len(cmd) + 1
            return "\\" + cmd
        if self.i >= len(self.s):
            raise Unreadable("an argument is missing at the end")
        self.i += 1
        return self.s[self.i - 1]

    def until(self, opener: str, closer: str) -> str:
        """Text up to the ``closer`` matching an ``opener`` just read (nesting counted)."""
        depth, start, j = 1, self.i, self.i
        while j < len(self.s):
            if self.s.startswith(closer, j) and (closer != "|" or depth == 1):
                depth -= 1
                if depth == 0:
                    self.i = j + len(closer)
                    return self.s[start:j]
                j += len(closer)
                continue
            if self.s.startswith(opener, j) and opener != closer:
                depth += 1
                j += len(opener)
                continue
            j += 1
        raise Unreadable(f"a '{opener}' is never closed")


def _layer(text: str) -> str | None:
    """'1', '(1)', '{(1)}', '[1]' -> '1'."""
    m = re.fullmatch(r"\s*[{(\[]*\s*([123])\s*[)\]}]*\s*", text)
    return m.group(1) if m else None


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


def top_level_split(text: str, marks: tuple[str, ...]) -> list[str]:
    """``text`` split at each mark outside brackets ('<=', '>=', '!=' and '==' are not split at '=')."""
    out, depth, start, j = [], 0, 0, 0
    while j < len(text):
        c = text[j]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif depth == 0:
            hit = next((m for m in marks if text.startswith(m, j)), None)
            if hit and not (hit == "=" and (text[j - 1:j] in "<>!=:" and j > 0 or text[j + 1:j + 2] == "=")):
                out.append(text[start:j])
                j += len(hit)
                start = j
                continue
        j += 1
    return [p for p in out + [text[start:]] if p.strip()] or [text]


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
    r = _Reader(text, guesses)
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
            pieces = []
            for piece in (num, den):
                if isinstance(piece, Num):
                    pieces.append(_number(piece.value))
                else:
                    bound.append(piece)
                    pieces.append(_placeholder(len(bound) - 1))
            parts.append(r"\frac{" + pieces[0] + "}{" + pieces[1] + "}")
        else:
            node = _operand(r, guesses)
            if isinstance(node, Num):
                parts.append(_number(node.value))
            else:
                bound.append(node)
                parts.append(_placeholder(len(bound) - 1))
        prev_operand = True
    skeleton = "".join(parts).strip()
    if not skeleton or skeleton.endswith(("+ ", "- ", r"\cdot", "/")) or skeleton.rstrip().endswith(
            ("+", "-", r"\cdot", "/")):
        raise Unreadable("the formula ends with an operator")
    if _is_placeholder(skeleton):  # one operand: nothing for the parser to decide
        return _convert(sympy.Symbol(skeleton), bound)
    return _convert(_parse(skeleton), bound)


def _number(v: float) -> str:
    text = repr(float(v))
    text = text[:-2] if text.endswith(".0") else text
    return text if v >= 0 else "(" + text + ")"


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
        return Add(tuple(_convert(a, bound) for a in e.args))
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
        return nodes[0] if len(nodes) == 1 else Prod(tuple(nodes), tuple(had))
    if isinstance(e, sympy.Pow):
        base, exp = e.args
        if exp == sympy.Symbol("T"):
            return Tr(_convert(base, bound))
        return Pow(_convert(base, bound), _convert(exp, bound))
    raise Unreadable(f"'{type(e).__name__}' is not part of the homework's algebra")


def _flatten(e: sympy.Basic) -> list[sympy.Basic]:
    out: list[sympy.Basic] = []
    for a in e.args:
        out += _flatten(a) if isinstance(a, sympy.Mul) else [a]
    return out


def _first(e: sympy.Basic) -> int:
    """Where a factor began in the written text: its first placeholder's number (numbers go first)."""
    found = [_index(s.name) for s in e.free_symbols if _is_placeholder(s.name)]
    return min(found) if found else -1


# ------------------------------------------------------------------------------------------------- pieces
def _operator(r: _Reader) -> str | None:
    r.ws()
    c = r.peek()
    if c in "+-/":
        if c == "-" and r.peek(2) == "->":
            raise Unreadable("an arrow is not part of a formula")
        r.i += 1
        return c
    if c == "*":
        r.i += 1
        return "times"
    for cmd, op in ((r"\times", "times"), (r"\cdot", "times"), (r"\odot", "had"), (r"\circ", "had"),
                    (r"\otimes", "times"), (r"\ast", "had"), (r"\bullet", "times")):
        if r.eat(cmd):
            return op
    return None


def _postfix(r: _Reader, guesses: list[str]):
    """^T, ^+, ^{power} or a prime after an operand: ('T', None), ('plus', None), ('pow', Node) or None."""
    r.ws()
    if r.peek() == "'":
        r.i += 1
        guesses.append("read a prime (') after a quantity as a transpose")
        return "T", None
    if r.peek() != "^":
        return None
    r.i += 1
    arg = r.group().strip()
    if arg in _TRANSPOSE or arg.replace(" ", "") in ("{T}", r"\top"):
        return "T", None
    if arg in ("+", "{+}"):
        return "plus", None
    if re.fullmatch(r"\(\s*[123]\s*\)", arg):
        raise Unreadable(f"a layer index ^{{{arg}}} on a quantity that has none")
    return "pow", _level(arg, guesses)


def _fraction(r: _Reader, guesses: list[str]) -> tuple[Node, Node] | Node | None:
    r.ws()
    for cmd in (r"\frac", r"\dfrac", r"\tfrac", r"\cfrac"):
        if r.eat(cmd):
            top, bottom = r.group(), r.group()
            jac = _jacobian(top, bottom, guesses)
            return jac if jac is not None else (_level(top, guesses), _level(bottom, guesses))
    return None


_DIFF = re.compile(r"^\s*(?:\\partial|\\delta|\\mathrm\{d\}|\\text\{d\}|\\operatorname\{d\}|d(?![a-z]{2}))\s*(.+)$",
                   re.S)


def _jacobian(top: str, bottom: str, guesses: list[str]) -> Sym | None:
    """\\frac{\\partial a}{\\partial b} -> Sym('da_db'); None when the fraction is not a derivative."""
    mt, mb = _DIFF.match(top), _DIFF.match(bottom)
    if not (mt and mb):
        return None
    a, b = _quantity(mt.group(1)), _quantity(mb.group(1))
    if a is None or b is None:
        raise Unreadable(f"a derivative of {mt.group(1).strip()!r} by {mb.group(1).strip()!r}: not quantities "
                         f"of the homework")
    short = {"y_hat": "yhat", "loss": "l"}
    return Sym(f"d{short.get(a, a)}_d{short.get(b, b)}")


def _quantity(text: str) -> str | None:
    """A derivative's numerator or denominator -> a symbol name (z1, y_hat, W1, loss, ...), or None."""
    try:
        node = _level(text, [])
    except Unreadable:
        return None
    if isinstance(node, Tr):
        node = node.base
    if isinstance(node, Sym) and node.name not in _SIZES and node.name != "e":
        return node.name
    return None


def _operand(r: _Reader, guesses: list[str]) -> Node:
    r.ws()
    c = r.peek()
    if c.isdigit() or (c == "." and r.s[r.i + 1:r.i + 2].isdigit()):
        m = re.compile(r"\d+(?:\.\d+)?|\.\d+").match(r.s, r.i)
        r.i = m.end()
        value = float(m.group(0))
        if value == 1 and r.peek() == "_" and re.match(r"_\{[^}]*[<>]", r.s[r.i:]):  # 1_{z > 0}
            r.i += 1
            return Call("ind", (_condition(r.group(), guesses),))
        return Num(value)
    if c in "([":
        r.i += 1
        inner = r.until(c, ")" if c == "(" else "]")
        return _group_or_call(inner, guesses)
    if c == "{":
        return _level(r.group(), guesses)
    if c == "|":
        r.i += 1
        if r.peek() == "|":
            r.i += 1
            return _norm(r, r.until("||", "||"), guesses)
        return _norm(r, r.until("|", "|"), guesses)
    if c == "\\":
        return _command(r, guesses)
    if c.isalpha():
        return _letters(r, guesses)
    raise Unreadable(f"'{c}' is not something the grader reads in a formula")


_COMPARISONS = (">=", "<=", "!=", r"\geq", r"\leq", r"\neq", r"\ge", r"\le", r"\ne", ">", "<")


def _group_or_call(inner: str, guesses: list[str]) -> Node:
    """A bracket's contents: a condition when it compares at its top level, else a formula."""
    if len(top_level_split(inner, _COMPARISONS)) > 1:
        return _condition(inner, guesses)
    return _level(inner, guesses)


def _norm(r: _Reader, inner: str, guesses: list[str]) -> Node:
    r.ws()
    if r.peek() == "_":  # ||v||_2
        r.i += 1
        r.group()
    return Call("norm", (_level(inner, guesses),))


def _condition(text: str, guesses: list[str]) -> Node:
    """'z_1 > 0' -> Cmp; words such as 'if' are dropped."""
    text = re.sub(r"\\text\{\s*(if|for|when)\s*\}|\b(if|for|when)\b", " ", text)
    m = re.search(r"(>=|<=|==|!=|\\geq?|\\leq?|\\neq?|>|<)", text)
    if not m:
        raise Unreadable(f"the condition {text.strip()!r} has no comparison")
    op = _COMPARE[m.group(1)]
    return Cmp(_level(text[:m.start()], guesses), op, _level(text[m.end():], guesses))


def _argument(r: _Reader, guesses: list[str]) -> tuple[Node, ...]:
    """A function's argument(s): a parenthesised list, a brace group, or the next single operand."""
    r.ws()
    if r.peek() in "([":
        c = r.peek()
        r.i += 1
        inner = r.until(c, ")" if c == "(" else "]")
        return tuple(_group_or_call(a, guesses) for a in _split_commas(inner))
    if r.peek() == "{":
        return (_group_or_call(r.group(), guesses),)
    if r.peek() == "\\" and r.s.startswith(r"\{", r.i):
        r.i += 2
        return (_group_or_call(r.until(r"\{", r"\}"), guesses),)
    node = _operand(r, guesses)
    return (node,)


def _split_commas(text: str) -> list[str]:
    out, depth, start = [], 0, 0
    for j, c in enumerate(text):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            out.append(text[start:j])
            start = j + 1
    return out + [text[start:]]


def _call(r: _Reader, fn: str, guesses: list[str]) -> Node:
    r.ws()
    derivative = False
    if r.peek() == "'":
        r.i += 1
        derivative = True
    elif r.s.startswith("^", r.i) and re.match(r"\^\s*\{?\s*(\\prime|')\s*\}?", r.s[r.i:]):
        r.i += re.match(r"\^\s*\{?\s*(\\prime|')\s*\}?", r.s[r.i:]).end()
        derivative = True
    args = _argument(r, guesses)
    if fn == "max":
        if len(args) != 2 or not any(isinstance(a, Num) and a.value == 0 for a in args):
            raise Unreadable("\\max of something other than (0, a quantity)")
        return Call("relu", tuple(a for a in args if not (isinstance(a, Num) and a.value == 0))[:1])
    if len(args) != 1:
        raise Unreadable(f"{fn} takes one argument; got {len(args)}")
    if fn == "sum":
        return Call("sum", args)
    return Call(("d_" if derivative else "") + fn, args)


def _command(r: _Reader, guesses: list[str]) -> Node:
    cmd = r.command()
    if cmd in ("hat", "widehat", "tilde"):
        r.i += len(cmd) + 1
        inner = r.group().strip()
        inner = re.sub(r"^\\(?:bm|mathbf|boldsymbol)\s*\{?\s*(\w)\s*\}?$", r"\1", inner)
        if inner != "y":
            raise Unreadable(f"\\{cmd}{{{inner}}} is not a quantity of the homework")
        return _modifiers(r, "y_hat", guesses)
    if cmd in _WRAPPERS:
        raise Unreadable(f"\\{cmd} around something the grader cannot take apart")
    if cmd in ("mathbb",):
        r.i += len(cmd) + 1
        inner = r.group().strip()
        if inner in ("1", "I"):
            r.ws()
            if r.peek() == "_":
                r.i += 1
                return Call("ind", (_condition(r.group(), guesses),))
            return Call("ind", _argument(r, guesses))
        raise Unreadable(f"\\mathbb{{{inner}}} is not a quantity of the homework")
    if cmd in ("text", "mathrm", "operatorname", "textrm", "mbox"):
        r.i += len(cmd) + 1
        word = r.group().strip()
        key = word.lower().replace(" ", "")
        if key in _FUNCTION_WORDS:
            return _call(r, _FUNCTION_WORDS[key], guesses)
        if key == "d":
            raise Unreadable("a differential 'd' outside a derivative")
        if re.fullmatch(r"[A-Za-z]", word):
            r.s = r.s[:r.i] + word + r.s[r.i:]
            return _letters(r, guesses)
        raise Unreadable(f"the words {word!r} inside the formula")
    if cmd in ("sigma", "relu", "diag", "exp", "log", "ln", "max"):
        r.i += len(cmd) + 1
        return _call(r, _FUNCTION_WORDS[cmd], guesses)
    if cmd == "sum":
        r.i += 4
        _bounds(r)
        return _sum(r, guesses)
    if cmd in ("ell", "mathcal"):
        r.i += len(cmd) + 1
        if cmd == "mathcal":
            r.group()
        return _modifiers(r, "loss", guesses)
    if cmd in ("|", "lVert", "Vert", "lvert"):
        r.i += len(cmd) + 1
        closer = {"|": r"\|", "lVert": r"\rVert", "Vert": r"\Vert", "lvert": r"\rvert"}[cmd]
        return _norm(r, r.until("\\" + cmd if cmd != "|" else r"\|", closer), guesses)
    if cmd == "{":
        r.i += 2
        return _group_or_call(r.until(r"\{", r"\}"), guesses)
    if cmd == "begin":
        return _cases(r, guesses)
    if cmd == "nabla":
        r.i += 6
        r.ws()
        if r.peek() != "_":
            raise Unreadable("\\nabla without a subscript")
        r.i += 1
        by = _quantity(r.group())
        r.ws()
        of = _operand(r, guesses) if r.i < len(r.s) else Sym("loss")
        if by is None or not (isinstance(of, Sym) and of.name == "loss"):
            raise Unreadable("\\nabla of something other than the loss")
        return Sym(f"dl_d{'yhat' if by == 'y_hat' else by}")
    if cmd == "delta":
        raise Unreadable("\\delta names a quantity the sheet does not define")
    raise Unreadable(f"\\{cmd} is not notation the grader reads")


def _bounds(r: _Reader) -> None:
    for mark in "_^":
        r.ws()
        if r.peek() == mark:
            r.i += 1
            r.group()


def _sum(r: _Reader, guesses: list[str]) -> Node:
    """\\sum_k followed by a bracketed term, or by the product up to the next + or - of this level."""
    r.ws()
    if r.peek() in "([" or r.s.startswith(r"\left", r.i) or r.s.startswith(r"\big", r.i):
        return Call("sum", (_operand(r, guesses),))
    start, depth, j = r.i, 0, r.i
    while j < len(r.s):
        c = r.s[j]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c in "+-" and depth == 0 and j > start:
            break
        j += 1
    r.i = j
    return Call("sum", (_level(r.s[start:j], guesses),))


def _cases(r: _Reader, guesses: list[str]) -> Node:
    m = re.compile(r"\\begin\s*\{(cases|dcases|array)\}(\{[^}]*\})?").match(r.s, r.i)
    if not m or m.group(1) == "array":
        raise Unreadable("a \\begin{...} that is not cases")
    r.i = m.end()
    body = r.until(r"\begin", r"\end")
    r.group()
    rows = []
    for line in re.split(r"\\\\", body):
        if not line.strip():
            continue
        value, _, cond = line.partition("&")
        if not cond:
            value, _, cond = re.split(r"(\\text\{\s*(?:if|for)\b|\bif\b|,)", line, maxsplit=1) + ["", ""] \
                if re.search(r"\\text\{\s*(?:if|for)\b|\bif\b|,", line) else [line, "", ""]
        c = re.sub(r"\\text\{([^}]*)\}", r"\1", cond).strip(" ,")
        otherwise = re.fullmatch(r"(?i)\s*(otherwise|else|elsewhere|o\.?w\.?|if not|\\text\{otherwise\})?\s*", c)
        rows.append((_level(value, guesses), None if otherwise else _condition(c, guesses)))
    if not rows:
        raise Unreadable("an empty cases")
    return Cases(tuple(rows))


def _letters(r: _Reader, guesses: list[str]) -> Node:
    """A symbol starting at a letter (``W``, ``z_{1i}``, ``f(...)``, a function word), with its modifiers."""
    m = re.compile(r"[A-Za-z]+").match(r.s, r.i)
    word = m.group(0)
    low = word.lower()
    for name in sorted(_FUNCTION_WORDS, key=len, reverse=True):
        if low == name and name not in ("id",):
            r.i += len(word)
            return _call(r, _FUNCTION_WORDS[name], guesses)
    if low in ("yhat", "y_hat"):
        r.i += len(word)
        return _modifiers(r, "y_hat", guesses)
    if low in _WORDS:
        raise Unreadable(f"the word {word!r} inside the formula")
    letter = word[0]
    r.i += 1
    if letter in "fg" and (r.peek() in ("(", "'") or r.s.startswith("^{\\prime}", r.i)):
        return _call(r, letter, guesses)
    if letter == "d" and len(word) > 1 and re.match(r"d\s*[A-Za-z\\]", r.s[r.i - 1:]):
        slash = re.compile(r"d\s*(.+?)\s*/\s*d\s*(.+)$").match(r.s, r.i - 1)
        if slash:
            jac = _jacobian("d" + slash.group(1), "d" + slash.group(2), guesses)
            if jac is not None:
                r.i = len(r.s)
                return jac
    return _modifiers(r, letter, guesses)


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
            r.i = save
        break
    return _symbol(base, sub, sup, guesses)


def _symbol(base: str, sub: str | None, sup: str | None, guesses: list[str]) -> Node:
    index = False  # an element index such as z_{1i}, y_k: the formula is read elementwise
    layer = None
    if sub is not None:
        s = re.sub(r"\\(?:bm|mathbf|boldsymbol)\s*", "", sub).replace(" ", "").strip("{}")
        m = re.fullmatch(r"\(?([123])\)?(?:,?[ijkn])?", s)
        if m:
            layer, index = m.group(1), len(s) > len(m.group(1)) and s[-1] in "ijkn"
        elif re.fullmatch(r"[ijkn]", s):
            index = True
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
    else:
        raise Unreadable(f"{base} is not a quantity of the homework")
    return Sym(name)
