"""A student's answer as HTML for the review page, safely: every character the student wrote is escaped first, and
only a few tags of our own are added around it. Nothing is fetched (no CDN: the reviewer's browser may have no
network either), so math stays as the student wrote it, in a ``<code class="math">`` span.

Markdown understood: paragraphs, ``#`` headings, ``-``/``*``/``1.`` lists, fenced code blocks (with line numbers),
```code``` spans, ``**bold**``, ``*italic*``; math ``$...$`` and ``$$...$$`` (also ``\\(...\\)``, ``\\[...\\]``).
Links show as their text and address, never as links.
"""

from __future__ import annotations

import html
import re

_INLINE = re.compile(r"(?P<tick>`+)(?P<code>.+?)(?P=tick)"
                     r"|\$\$(?P<dmath>.+?)\$\$|\\\[(?P<bmath>.+?)\\\]|\\\((?P<pmath>.+?)\\\)"
                     r"|\$(?P<math>[^\s$](?:[^$\n]*?[^\s$])?)\$", re.DOTALL)
_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")
_EM = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])|(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)")
_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^\s*(```+|~~~+)")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def e(text: str) -> str:
    return html.escape(text, quote=True)


def _plain(text: str) -> str:
    """Escaped text with bold, italic and links (as text) marked up."""
    out = e(text)
    out = _LINK.sub(lambda m: f"{m.group(1)} &lt;{m.group(2)}&gt;", out)
    out = _STRONG.sub(lambda m: f"<strong>{m.group(1) or m.group(2)}</strong>", out)
    return _EM.sub(lambda m: f"<em>{m.group(1) or m.group(2)}</em>", out)


def inline(text: str) -> str:
    """One paragraph's text: code spans and math kept as written (escaped), the rest as ``_plain``."""
    parts, last = [], 0
    for m in _INLINE.finditer(text):
        parts.append(_plain(text[last:m.start()]))
        if m.group("code") is not None:
            parts.append(f"<code>{e(m.group('code'))}</code>")
        else:
            parts.append(f'<code class="math" title="math, as written">{e(m.group(0))}</code>')
        last = m.end()
    parts.append(_plain(text[last:]))
    return "".join(parts)


def code(text: str, language: str = "") -> str:
    """Code with line numbers: an ordered list of lines (the numbers are the list's own, not part of the text)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    body = "".join(f"<li><code>{e(line) or ' '}</code></li>" for line in lines)
    lang = f' data-language="{e(language)}"' if language else ""
    return f'<ol class="code"{lang}>{body}</ol>'


def markdown(text: str) -> str:
    """The answer's Markdown as HTML blocks."""
    out: list[str] = []
    para: list[str] = []
    items: list[str] = []
    kind = ""  # "ul" or "ol" while a list is open

    def flush() -> None:
        nonlocal kind
        if para:
            out.append(f"<p>{inline(' '.join(para))}</p>")
            para.clear()
        if items:
            out.append(f"<{kind}>" + "".join(f"<li>{inline(i)}</li>" for i in items) + f"</{kind}>")
            items.clear()
            kind = ""

    lines = text.replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            flush()
            end = next((j for j in range(i + 1, len(lines)) if lines[j].strip().startswith(fence.group(1))),
                       len(lines))
            out.append(code("\n".join(lines[i + 1:end]), line.strip()[len(fence.group(1)):].strip()))
            i = end + 1
            continue
        stripped = line.strip()
        if stripped.startswith("$$"):  # display math: to the line that closes it
            flush()
            closed = len(stripped) > 2 and stripped.endswith("$$")
            end = i if closed else next((j for j in range(i + 1, len(lines)) if lines[j].strip().endswith("$$")),
                                        len(lines) - 1)
            block = "\n".join(lines[i:end + 1])
            out.append(f'<pre class="math" title="math, as written"><code>{e(block)}</code></pre>')
            i = end + 1
            continue
        heading, bullet, numbered = _HEADING.match(line), _BULLET.match(line), _NUMBERED.match(line)
        if not line.strip():
            flush()
        elif heading:
            flush()
            level = min(6, len(heading.group(1)) + 3)  # under the page's own headings
            out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
        elif bullet or numbered:
            want = "ul" if bullet else "ol"
            if para or (kind and kind != want):
                flush()
            kind = want
            items.append((bullet or numbered).group(1))  # type: ignore[union-attr]
        elif items and line.startswith((" ", "\t")):
            items[-1] += " " + line.strip()
        else:
            if items:
                flush()
            para.append(line.strip())
        i += 1
    flush()
    return "".join(out) or '<p class="empty">(empty answer)</p>'


def answer(text: str, fmt: str) -> str:
    """An answer in its format: 'code' or 'markdown'."""
    return code(text) if fmt == "code" else markdown(text)
