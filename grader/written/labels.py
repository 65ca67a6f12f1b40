"""What a cell's label says it answers: a table's first column, a heading, the left side of an equation.

  Linear1, Linear_1, Linear$_1$, "Linear 1", z_1 -> z1        f, ReLU, z_2 -> z2        Linear2, z_3 -> z3
  g, \\hat{y} -> y_hat          loss, MSE, BCE, \\ell -> loss
  W^{(1)}, W_1, \\frac{\\partial l}{\\partial W^{(1)}}, dl/dW1 -> dl_dW1 (and b1, W2, b2)
  \\frac{\\partial z_2}{\\partial z_1}, dz2/dz1 -> dz2_dz1;  dyhat/dz3 -> dyhat_dz3;  dl/dyhat -> dl_dyhat
An element index on the label, ``(\\frac{\\partial z_2}{\\partial z_1})_{ii}``, says the answer gives the diagonal
of a diagonal matrix.
"""

from __future__ import annotations

import re

from grader.written.latex import Unreadable, read_cached
from grader.written.expr import Sym
from grader.written.normalize import repair

FORWARD = ("z1", "z2", "z3", "y_hat", "loss")
GRADIENTS = {"W1": "dl_dW1", "b1": "dl_db1", "W2": "dl_dW2", "b2": "dl_db2"}
JACOBIANS = ("dz2_dz1", "dyhat_dz3", "dl_dyhat")

_WORDS = [(re.compile(r"^\W*(?:the\s+)?(?:first\s+linear|linear\s*(?:layer\s*)?[_$\s{]*1\b|lin\s*1\b)", re.I), "z1"),
          (re.compile(r"^\W*(?:the\s+)?(?:second\s+linear|linear\s*(?:layer\s*)?[_$\s{]*2\b|lin\s*2\b)", re.I), "z3"),
          (re.compile(r"^\W*(?:activation\s+)?f\b(?!\s*\()|^\W*relu\b", re.I), "z2"),
          (re.compile(r"^\W*(?:activation\s+)?g\b(?!\s*\()", re.I), "y_hat"),
          (re.compile(r"^\W*(?:the\s+)?(?:loss|mse|bce|cost|objective)\b", re.I), "loss")]
_INDEX = re.compile(r"^\s*(?:\\left)?\s*[(\[]\s*(.+?)\s*(?:\\right)?\s*[)\]]\s*_\s*\{?\s*(ii|ij|i\s*,\s*[ij]|kk|jj)\s*\}?\s*$")
_DERIVATIVE = re.compile(r"\\[dt]?frac\s*\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}\s*\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}|"
                         r"(?:\\partial|d)\s*[\\A-Za-z][\\A-Za-z_{}()^0-9]*\s*/\s*(?:\\partial|d)\s*[\\A-Za-z]"
                         r"[\\A-Za-z_{}()^0-9]*")


def _clean(label: str) -> str:
    text, _ = repair(label)
    text = re.sub(r"\\textbf\{([^}]*)\}|\*\*([^*]*)\*\*", lambda m: m.group(1) or m.group(2), text)
    text = re.sub(r"\b(d\s*)?([zWb])\s*([123])\b", lambda m: (m.group(1) or "") + f"{m.group(2)}_{{{m.group(3)}}}",
                  text)
    text = re.sub(r"\bd\s*y\s*_?hat\b|\bd\s*\\?hat\s*\{?y\}?", r"d\\hat{y}", text)
    return text.strip().strip(":").strip()


def quantity(label: str, kind: str | None) -> tuple[str | None, bool]:
    """(the quantity a label names, whether it names one element of a diagonal matrix); (None, False) if none."""
    text = _clean(label)
    for pattern, name in _WORDS:
        if pattern.search(text.replace("$", "")):
            return name, False
    candidates = [m.group(1) for m in re.finditer(r"\$([^$]+)\$", text)] or [text]
    for cand in candidates:
        cand = cand.strip()
        diagonal = False
        m = _INDEX.match(cand)
        if m:
            cand, diagonal = m.group(1), True
        name = _symbol(cand)
        if name is None:
            found = _DERIVATIVE.search(cand)
            name = _symbol(found.group(0)) if found else None
        if name is not None:
            return name, diagonal
    return None, False


def _symbol(text: str) -> str | None:
    try:
        node, _ = read_cached(text)
    except Unreadable:
        return None
    if not isinstance(node, Sym):
        return None
    name = node.name
    if name in FORWARD:
        return name
    if name in GRADIENTS:
        return GRADIENTS[name]
    if name in JACOBIANS or name in GRADIENTS.values():
        return name
    return None


_REFERENCE = re.compile(r"\b(?:same\s+as|as\s+in|as\s+above|see|identical\s+to|unchanged|similar\s+to|"
                        r"as\s+before)\b\s*(?:part\s*|question\s*|problem\s*)?(\d\s*\.\s*\d\s*\(?\s*[a-e]\s*\)?|"
                        r"\(\s*[a-e]\s*\))?", re.I)


def reference(text: str) -> str | None:
    """'same as 1.1(b)' -> '1.1(b)'; 'as above' -> 'above'; None when the text refers to nothing."""
    m = _REFERENCE.search(text)
    if not m:
        return None
    target = re.sub(r"\s+", "", m.group(1) or "above")
    if re.fullmatch(r"\d\.\d[a-e]", target):
        target = f"{target[:3]}({target[3]})"
    return target
