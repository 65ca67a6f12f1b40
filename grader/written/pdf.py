"""The text layer of a PDF (pypdf), and the repairs that flattened math needs.

A PDF made from LaTeX or Markdown keeps its text, but math comes out flattened: ``W(1)x+ b(1)`` for
W^{(1)}x + b^{(1)}, ``ˆy`` for \\hat{y}, ``∥ˆy −y∥2`` for the squared norm, ``(W(1)x + b(1))+`` for the positive
part, ``z1`` for z_1. Repairs that restore a layer index are sure; those that read a trailing 2 as a square, a
trailing + as the positive part or a digit after z, W or b as its index are guesses (the cell is provisional).
A PDF with no text layer (a scan, math as images) gives no text at all: it is graded by hand.
"""

from __future__ import annotations

import io
import logging
import re

MAX_PAGES = 60
MAX_CHARS = 400_000

#: (pattern, replacement, sure?) applied to each line of text from a PDF.
_FLAT = [(re.compile(r"\b([Wb])\s*\(\s*([12])\s*\)"), r"\1^{(\2)}", ""),
         (re.compile(r"ˆ\s*y|\by\s*ˆ|\bŷ"), r"\\hat{y}", ""),
         (re.compile(r"[∥‖]\s*([^∥‖]+?)\s*[∥‖]\s*2\b"), r"\\|\1\\|^{2}", "read ‖...‖2 as a squared norm"),
         (re.compile(r"\)\s*\+(?=\s*(?:$|[,.;=]))"), r")^{+}", "read a closing ')+' as the positive part"),
         (re.compile(r"(?<![A-Za-z\\])([zWb])([123])(?![0-9A-Za-z])"), r"\1_{\2}",
          "read a digit after z, W or b as its index"),
         (re.compile(r"(∑|\\sum)\s*([ijk])(?![A-Za-z])"), r"\\sum_{\2}", "read a letter after a sum as its index"),
         (re.compile(r"(?<![A-Za-z\\])(\\hat\{y\}|ˆy|ŷ|y)([ijk])(?![A-Za-z])"), r"\1_{\2}",
          "read a letter after y as its index")]


def text_layer(data: bytes) -> tuple[str, list[str]]:
    """(the text of the PDF's pages, problems reading it). Empty text when it has no text layer."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:  # pragma: no cover - a dependency of the package
        return "", ["pypdf is not installed, so PDFs cannot be read"]
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # what it cannot read is reported once, below
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return "", ["the PDF is encrypted"]
        pages, size = [], 0
        for page in reader.pages[:MAX_PAGES]:
            text = page.extract_text() or ""
            pages.append(text)
            size += len(text)
            if size > MAX_CHARS:
                break
        return "\n".join(pages)[:MAX_CHARS], []
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError, AttributeError) as e:
        return "", [f"the PDF could not be read ({type(e).__name__})"]


def unflatten(line: str) -> tuple[str, list[str]]:
    """(the line with its flattened math repaired, the guesses made)."""
    guesses = []
    for pattern, repl, guess in _FLAT:
        new = pattern.sub(repl, line)
        if new != line and guess:
            guesses.append(f"{guess} (flattened math in the PDF)")
        line = new
    return line, guesses


def has_text(text: str) -> bool:
    """Is there enough text to look for answers in (not a scan)?"""
    return len(re.sub(r"\s+", "", text)) >= 40
