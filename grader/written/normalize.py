"""Text repairs for written math, before any parsing: what converters, fonts and preambles do to LaTeX.

Each repair is either sure (the damaged text has one reading) or a guess; ``repair`` returns the repaired text and
the guesses it made, and a cell read after any guess is provisional (a person reviews it). In order:

  control characters   a backslash escape eaten by a converter: TAB+"imes" -> \\times, FF+"rac" -> \\frac,
                       BS+"m{" -> \\bm{, CR+"ight" -> \\right, LF+"abla" -> \\nabla (sure: nothing else makes them)
  lost backslashes     "rac{" -> \\frac{, " imes" -> \\times, "ext{" -> \\text{, "artial" -> \\partial (guesses)
  HTML                 <sub>1</sub> -> _{1}, <sup>T</sup> -> ^{T}, &lt; -> <
  unicode              σ -> \\sigma, ∂ -> \\partial, ŷ -> \\hat{y}, × -> \\times, ᵀ -> ^{T}, ₁ -> _{1}, ‖ -> \\|
  macros               \\newcommand / \\renewcommand / \\def from the document's own preamble, expanded
"""

from __future__ import annotations

import re

#: A control character followed by the rest of a LaTeX command: what "\t", "\f", "\b", "\r", "\n", "\v", "\a"
#: become when a converter reads the backslash as an escape. (sure repairs)
_CONTROL = {"\t": "t", "\f": "f", "\b": "b", "\r": "r", "\n": "n", "\v": "v", "\a": "a"}
_COMMANDS = ("times", "text", "top", "tau", "theta", "tilde", "frac", "boldsymbol", "bm", "big", "bigg", "right",
             "rangle", "nabla", "norm", "vec", "varphi", "mathbf", "mathbb", "mathrm", "mathcal", "max", "hat",
             "partial", "sigma", "sum", "sqrt", "cdot", "odot", "circ", "left", "lVert", "rVert", "log", "exp",
             "quad", "qquad", "operatorname", "ell", "widehat", "delta", "dfrac", "tfrac", "begin", "end", "cases",
             "leq", "geq", "le", "ge", "neq", "intercal", "mathsf", "Vert", "diag", "in", "mathbf", "dots",
             "ldots", "cdots", "displaystyle", "alpha", "beta", "lambda", "eta", "mu", "nu", "pi", "otimes")
#: Commands whose backslash was dropped, recognised by what follows them (guesses: the letters could be words).
_LOST = [(re.compile(r"(?<![\\A-Za-z])rac(?=\s*\{)"), r"\\frac"), (re.compile(r"(?<![\\A-Za-z])d?frac(?=\s*\{)"), r"\\frac"),
         (re.compile(r"(?<![\\A-Za-z])imes\b"), r"\\times"), (re.compile(r"(?<![\\A-Za-z])ext(?=\{)"), r"\\text"),
         (re.compile(r"(?<![\\A-Za-z])artial\b"), r"\\partial"), (re.compile(r"(?<![\\A-Za-z])partial\b"), r"\\partial"),
         (re.compile(r"(?<![\\A-Za-z])hat(?=\s*\{)"), r"\\hat"), (re.compile(r"(?<![\\A-Za-z])mathbf(?=\s*\{)"), r"\\mathbf"),
         (re.compile(r"(?<![\\A-Za-z])sigma\b(?=\s*[(\\{])"), r"\\sigma"), (re.compile(r"(?<![\\A-Za-z])cdot\b"), r"\\cdot"),
         (re.compile(r"(?<![\\A-Za-z])oldsymbol(?=\s*\{)"), r"\\boldsymbol"), (re.compile(r"(?<![\\A-Za-z])op\b"), r"\\top")]

_UNICODE = {
    "σ": r"\sigma ", "∂": r"\partial ", "×": r"\times ", "·": r"\cdot ", "⋅": r"\cdot ", "∙": r"\cdot ",
    "⊙": r"\odot ", "∘": r"\circ ", "−": "-", "–": "-", "‖": r"\| ", "∥": r"\| ", "ᵀ": "^{T}", "⊤": r"\top ",
    "∑": r"\sum ", "Σ": r"\sum ", "ℓ": r"\ell ", "≥": r"\geq ", "≤": r"\leq ", "≠": r"\neq ", "∈": r"\in ",
    "′": "'", "’": "'", "δ": r"\delta ", "λ": r"\lambda ", "η": r"\eta ", "ŷ": r"\hat{y}", "ỹ": r"\tilde{y}",
    "𝟙": r"\mathbb{1}", "⊗": r"\otimes ", "…": r"\dots ", "⋯": r"\cdots ", "ˆy": r"\hat{y}", "ˆ y": r"\hat{y}",
    "\u00a0": " ", "\u2009": " ", "\u200b": "", "⁺": "^{+}", "₊": "_{+}", "⁻¹": "^{-1}", "ᵢ": "_{i}", "ₖ": "_{k}",
    "ⱼ": "_{j}", "ₙ": "_{n}", "ₘ": "_{m}", "ₗ": "_{l}",
}
_SUBSCRIPT = dict(zip("₀₁₂₃₄₅₆₇₈₉", "0123456789"))
_SUPERSCRIPT = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789"))
_HTML = [(re.compile(r"<sub>(.*?)</sub>", re.S), r"_{\1}"), (re.compile(r"<sup>(.*?)</sup>", re.S), r"^{\1}"),
         (re.compile(r"&lt;"), "<"), (re.compile(r"&gt;"), ">"), (re.compile(r"&amp;"), "&"),
         (re.compile(r"</?(?:em|i|b|strong|span|code)[^>]*>"), "")]


def repair(text: str) -> tuple[str, list[str]]:
    """(repaired text, the guesses made). Sure repairs are not listed."""
    guesses: list[str] = []
    text = controls(text)
    for pattern, repl in _HTML:
        text = pattern.sub(repl, text)
    text = _unicode(text)
    for pattern, repl in _LOST:
        new = pattern.sub(repl, text)
        if new != text:
            guesses.append(f"read \\{repl.lstrip(chr(92))} where the text had lost its backslash")
            text = new
    return text, guesses


def controls(text: str) -> str:
    """The sure repairs of eaten backslash escapes (a control character followed by the rest of a command)."""
    def fix(m: re.Match) -> str:
        letter, rest = _CONTROL[m.group(1)], m.group(2)
        for cmd in sorted(_COMMANDS, key=len, reverse=True):
            after = rest[len(cmd) - 1:len(cmd)]
            if cmd.startswith(letter) and rest.startswith(cmd[1:]) and not after.islower():
                return "\\" + cmd + rest[len(cmd) - 1:]
        return m.group(0)

    return re.sub(r"([\t\f\b\r\n\v\a])([A-Za-z]+)", fix, text)


def _unicode(text: str) -> str:
    for k, v in _UNICODE.items():
        if k in text:
            text = text.replace(k, v)
    text = re.sub("[₀-₉]+", lambda m: "_{" + "".join(_SUBSCRIPT[c] for c in m.group(0)) + "}", text)
    text = re.sub("⁽([⁰-⁹¹²³]+)⁾", lambda m: "^{(" + "".join(_SUPERSCRIPT[c] for c in m.group(1)) + ")}", text)
    text = re.sub("[⁰¹²³⁴-⁹]+", lambda m: "^{" + "".join(_SUPERSCRIPT[c] for c in m.group(0)) + "}", text)
    return text


# ------------------------------------------------------------------------------------------------- macros
_NEWCOMMAND = re.compile(r"\\(?:re)?newcommand\*?\s*\{?\s*\\([A-Za-z]+)\s*\}?\s*(?:\[(\d)\])?\s*(?:\[[^\]]*\])?\s*\{")
_DEF = re.compile(r"\\def\s*\\([A-Za-z]+)\s*((?:#\d)*)\s*\{")
_OPERATOR = re.compile(r"\\DeclareMathOperator\*?\s*\{\s*\\([A-Za-z]+)\s*\}\s*\{([^{}]*)\}")


def braced(text: str, start: int) -> tuple[str, int] | None:
    """The contents of the brace group opening at ``text[start] == '{'`` and the index after it, or None."""
    if start >= len(text) or text[start] != "{":
        return None
    depth = 0
    for i in range(start, len(text)):
        c = text[i]
        if c == "\\":
            continue
        if c == "{" and (i == 0 or text[i - 1] != "\\"):
            depth += 1
        elif c == "}" and (i == 0 or text[i - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return text[start + 1:i], i + 1
    return None


def macros(text: str) -> dict[str, tuple[int, str]]:
    """The document's own macros: name -> (number of arguments, body)."""
    found: dict[str, tuple[int, str]] = {}
    for m in _NEWCOMMAND.finditer(text):
        body = braced(text, m.end() - 1)
        if body is not None:
            found[m.group(1)] = (int(m.group(2) or 0), body[0])
    for m in _DEF.finditer(text):
        body = braced(text, m.end() - 1)
        if body is not None:
            found[m.group(1)] = (len(m.group(2)) // 2, body[0])
    for m in _OPERATOR.finditer(text):
        found[m.group(1)] = (0, r"\operatorname{" + m.group(2) + "}")
    return found


def expand(text: str, defs: dict[str, tuple[int, str]], depth: int = 0) -> str:
    """Expand the document's macros in ``text`` (nested up to 8 deep; arguments in braces)."""
    if not defs or depth > 8:
        return text
    names = "|".join(sorted(map(re.escape, defs), key=len, reverse=True))
    pattern = re.compile(r"\\(" + names + r")(?![A-Za-z])")
    out, pos = [], 0
    for m in pattern.finditer(text):
        if m.start() < pos:
            continue
        n, body = defs[m.group(1)]
        end, args = m.end(), []
        for _ in range(n):
            while end < len(text) and text[end] == " ":
                end += 1
            got = braced(text, end)
            if got is None:
                args.append(text[end:end + 1])
                end += 1
            else:
                args.append(got[0])
                end = got[1]
        for k, a in enumerate(args, 1):
            body = body.replace(f"#{k}", a)
        out.append(text[pos:m.start()] + " " + body + " ")
        pos = end
    out.append(text[pos:])
    result = "".join(out)
    return expand(result, defs, depth + 1) if pattern.search(result) else result


def strip_preamble_definitions(text: str) -> str:
    """The text without its macro definitions (they are not answers)."""
    for pattern in (_NEWCOMMAND, _DEF):
        while (m := pattern.search(text)) is not None:
            body = braced(text, m.end() - 1)
            text = text[:m.start()] + (text[body[1]:] if body else text[m.end():])
    return _OPERATOR.sub("", text)
