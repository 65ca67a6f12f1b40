"""One found answer -> its formula as a tree, or why it cannot be read: math picked out of the words around it.

  "$W^{(1)} x + b^{(1)}$"                                  -> the math
  "a diagonal matrix with $(dz_2/dz_1)_{ii} = 1$ if $z_{1i} > 0$, else 0"
                                                           -> cases (1 where z1 > 0, else 0), on a diagonal
  "$\\sigma(z_3)(1 - \\sigma(z_3))$ on the diagonal"       -> diag(...)
Words such as "diagonal" or an element label ``(...)_{ii}`` put the vector read on the diagonal of a matrix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from grader.written.expr import Call, Node
from grader.written.latex import Unreadable, read_cached, top_level_split

MAX_TEXT = 2000


@dataclass
class Read:
    """A formula read from a cell: the tree, or None and why not; the guesses made on the way."""

    node: Node | None
    why: str = ""
    guesses: list[str] = field(default_factory=list)


_CASES_WORDS = re.compile(r"^(?P<a>.+?)\s*,?\s*(?:\\text\{\s*)?\bif\b\s*\}?\s*(?P<cond>.+?)\s*[,;]?\s*(?:and\s+)?"
                          r"(?:(?:\\text\{\s*)?\b(?:else|otherwise)\b\s*\}?\s*,?\s*(?P<b>.+?)|(?P<b2>[^,;]+?)\s*"
                          r"(?:\\text\{\s*)?\b(?:otherwise|else)\b\s*\}?)\s*\.?$", re.I | re.S)


_KEPT_WORDS = re.compile(r"\s*(if|otherwise|else|for|when|d|relu|sigmoid|diag|id|identity|[a-z])\s*", re.I)


def formula(text: str) -> str:
    """The math of a cell: its $...$ segments joined, words that carry meaning kept (if / else); a remark in
    \\text{...} inside the math (\\text{ (a diagonal matrix)}) is not math and goes."""
    t = text.strip().rstrip(".,")
    t = re.sub(r"\\(?:text|textrm|mbox)\{([^{}]*)\}",
               lambda m: m.group(0) if _KEPT_WORDS.fullmatch(m.group(1)) else " ", t)
    for left, right in (("$$", "$$"), (r"\[", r"\]")):
        if t.startswith(left) and t.endswith(right):
            t = t[len(left):-len(right)]
    if "$" in t:
        words = re.sub(r"\$[^$]*\$", " ", t)
        if re.search(r"\bif\b", words, re.I):
            t = t.replace("$", " ")
        else:
            segments = [s for s in re.findall(r"\$([^$]+)\$", t) if s.strip()]
            t = segments[-1] if segments else t.replace("$", " ")
    t = re.sub(r"(?i)^\s*(?:an?\s+|the\s+)?(?:diagonal\s+)?(?:matrix\s+)?(?:with\s+)?(?:entries|elements)?\s*", "", t)
    t = re.sub(r"(?i)\s*(?:on|along)\s+(?:the|its)\s+diagonal.*$|\s*,?\s*(?:and\s+)?(?:0|zero)\s+(?:elsewhere|off"
               r"[- ]diagonal|otherwise|everywhere else).*$", "", t) if not re.search(r"\bif\b", t, re.I) else t
    return t.strip()


def read(text: str, diagonal: bool) -> Read:
    """Read one cell's text. diagonal: the answer gives the diagonal of a matrix (wrap a vector in diag)."""
    if len(text) > MAX_TEXT:
        return Read(None, f"the answer is longer than {MAX_TEXT} characters")
    math = formula(text)
    parts = top_level_split(math, ("=",))
    math = parts[-1]
    m = _CASES_WORDS.match(math)
    if m and not math.lstrip().startswith(r"\begin"):
        other = m.group("b") or m.group("b2")
        math = rf"\begin{{cases}} {m.group('a')} & {m.group('cond')} \\ {other} & \text{{otherwise}} \end{{cases}}"
    try:
        node, guesses = read_cached(math)
    except Unreadable as e:
        return Read(None, str(e))
    except RecursionError:
        return Read(None, "the formula is nested too deep")
    if diagonal and not (isinstance(node, Call) and node.fn == "diag"):
        node = Call("diag", (node,))
    return Read(node, "", list(guesses))
