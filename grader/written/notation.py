"""The homework's notation, read piece by piece for ``latex._level``: operators, postfix marks (^T, ^+, powers),
fractions and derivatives, symbols with their subscripts and layer superscripts, functions, norms, sums, indicators
and cases. Each reader takes a ``reader._Reader`` at a position and returns a tree node (or an operator name).

  W^{(1)}, W_1, W^1, \\mathbf{W}_1 -> W1        \\hat{y}, \\hat y, y_{hat} -> y_hat     z_{1i}, (z_1)_i -> z1
  \\frac{\\partial l}{\\partial \\hat y}, dl/d\\hat{y}, \\frac{\\delta \\ell}{\\delta \\hat y} -> dl_dyhat
  \\sigma, \\text{sigmoid} -> sigmoid   \\max(0, .), (.)^+, \\text{ReLU} -> relu   f, g -> the question's f, g
  \\sigma'(z), f'(z) -> derivatives      \\mathbb{1}[z > 0], 1_{z > 0} -> indicator    I, I_K -> identity
"""

from __future__ import annotations

import re

from grader.written.expr import Call, Cases, Cmp, Node, Num, Sym
from grader.written.reader import _WRAPPERS, Unreadable, _Reader, top_level_split
from grader.written.symbols import _FUNCTION_WORDS, _WORDS, _jacobian, _modifiers, _quantity

_TRANSPOSE = ("T", r"\top", r"\intercal", r"\mathsf{T}", r"\rm T", r"\mathrm{T}", r"\text{T}", r"\textsf{T}", "t")
_COMPARE = {">": ">", "<": "<", r"\geq": ">=", r"\ge": ">=", r"\leq": "<=", r"\le": "<=", r"\neq": "!=",
            r"\ne": "!=", ">=": ">=", "<=": "<=", "==": "=="}
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
    return "pow", r.level(arg, guesses)


def _fraction(r: _Reader, guesses: list[str]) -> tuple[Node, Node] | Node | None:
    r.ws()
    for cmd in (r"\frac", r"\dfrac", r"\tfrac", r"\cfrac"):
        if r.eat(cmd):
            top, bottom = r.group(), r.group()
            jac = _jacobian(r, top, bottom, guesses)
            return jac if jac is not None else (r.level(top, guesses), r.level(bottom, guesses))
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
            return Call("ind", (_condition(r, r.group(), guesses),))
        if value == 1 and r.peek() == "[" and len(top_level_split(r.s[r.i + 1:].split("]")[0], _COMPARISONS)) > 1:
            r.i += 1  # 1[z > 0]
            return Call("ind", (_condition(r, r.until("[", "]"), guesses),))
        return Num(value)
    if c in "([":
        r.i += 1
        inner = r.until(c, ")" if c == "(" else "]")
        return _group_or_call(r, inner, guesses)
    if c == "{":
        return r.level(r.group(), guesses)
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


def _group_or_call(r: _Reader, inner: str, guesses: list[str]) -> Node:
    """A bracket's contents: a condition when it compares at its top level, else a formula."""
    if not re.match(r"\s*\\begin\b", inner) and len(top_level_split(inner, _COMPARISONS)) > 1:  # a cases' rows compare
        return _condition(r, inner, guesses)
    return r.level(inner, guesses)


def _norm(r: _Reader, inner: str, guesses: list[str]) -> Node:
    r.ws()
    if r.peek() == "_":  # ||v||_2
        r.i += 1
        r.group()
    return Call("norm", (r.level(inner, guesses),))


def _condition(r: _Reader, text: str, guesses: list[str]) -> Node:
    """'z_1 > 0' -> Cmp; words such as 'if' are dropped."""
    text = re.sub(r"\\text\{\s*(if|for|when)\s*\}|\b(if|for|when)\b", " ", text)
    m = re.search(r"(>=|<=|==|!=|\\geq?|\\leq?|\\neq?|>|<)", text)
    if not m:
        raise Unreadable(f"the condition {text.strip()!r} has no comparison")
    op = _COMPARE[m.group(1)]
    return Cmp(r.level(text[:m.start()], guesses), op, r.level(text[m.end():], guesses))


def _argument(r: _Reader, guesses: list[str]) -> tuple[Node, ...]:
    """A function's argument(s): a parenthesised list, a brace group, or the next single operand."""
    r.ws()
    if r.peek() in "([":
        c = r.peek()
        r.i += 1
        inner = r.until(c, ")" if c == "(" else "]")
        return tuple(_group_or_call(r, a, guesses) for a in _split_commas(inner))
    if r.peek() == "{":
        return (_group_or_call(r, r.group(), guesses),)
    if r.peek() == "\\" and r.s.startswith(r"\{", r.i):
        r.i += 2
        return (_group_or_call(r, r.until(r"\{", r"\}"), guesses),)
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
        if inner == "I" and r.peek() not in ("(", "[", "_"):
            return Sym("I")
        if inner in ("1", "I"):
            r.ws()
            if r.peek() == "_":
                r.i += 1
                return Call("ind", (_condition(r, r.group(), guesses),))
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
        return _group_or_call(r, r.until(r"\{", r"\}"), guesses)
    if cmd == "begin":
        return _cases(r, guesses)
    if cmd == "nabla":
        r.i += 6
        r.ws()
        if r.peek() != "_":
            raise Unreadable("\\nabla without a subscript")
        r.i += 1
        by = _quantity(r, r.group())
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
    if r.peek() in "([":  # a bracketed summand, with its power: \sum_k (y_k - t_k)^2
        start = r.i
        _operand(r, guesses)
        r.ws()
        if r.peek() == "^":
            r.i += 1
            r.group()
        return Call("sum", (r.level(r.s[start:r.i], guesses),))
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
    return Call("sum", (r.level(r.s[start:j], guesses),))


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
        rows.append((r.level(value, guesses), None if otherwise else _condition(r, c, guesses)))
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
            jac = _jacobian(r, "d" + slash.group(1), "d" + slash.group(2), guesses)
            if jac is not None:
                r.i = len(r.s)
                return jac
    return _modifiers(r, letter, guesses)
