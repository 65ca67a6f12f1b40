"""The scanner under the formula reader: a position in one formula's text, brace groups and bracket pairs.

``_Reader.level`` is the reader of a whole formula level (``latex._level``), handed in by ``latex`` so that the
notation's pieces (``notation``, ``symbols``) can read a nested formula without importing ``latex`` back.
"""

from __future__ import annotations

import re
from typing import Callable

from grader.written.expr import Node

#: (text, guesses) -> the tree of one formula level; raises Unreadable.
Level = Callable[[str, list[str]], Node]


class Unreadable(Exception):
    """The formula cannot be read with confidence; the message says what stopped the reader."""


_WRAPPERS = ("bm", "mathbf", "boldsymbol", "vec", "mathit", "mathsf", "underline", "textbf", "pmb", "mathnormal",
             "textit", "ensuremath")

class _Reader:
    """Reads one level of a formula into items: operands (placeholders), operators and postfix marks."""

    def __init__(self, text: str, guesses: list[str], level: Level):
        self.s, self.i, self.guesses, self.level = text, 0, guesses, level

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
