"""Find the answers in a written document: which text answers which question, and which cell answers what.

A document (Markdown, LaTeX, notebook markdown, or the text layer of a PDF) is first turned into Markdown-like
lines (``tex.to_lines`` for LaTeX), then split by question labels ("1.1 (b)", "## (c)", "Problem 1.2(a)", ...) into
the text of each question; each question's text into cells: table rows (pipe tables, tab-separated rows, LaTeX
``tabular``), headings with "Output:" lines, and equations or list items ``label = formula`` / ``label: formula``.
A cell's label says what it answers (``Linear1`` -> z1, ``W^{(1)}`` in a gradient table -> dl/dW1,
``\\frac{\\partial z_2}{\\partial z_1}`` -> dz2/dz1, ...), see ``grader.written.labels``.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from grader.written import labels
from grader.written.normalize import controls, expand, macros, repair, strip_preamble_definitions
from grader.written.pdf import unflatten
from grader.written.tex import to_lines


class Found(BaseModel):
    """One answer found in a document: the text that answers one quantity of one question."""

    model_config = ConfigDict(frozen=True)

    question: str = Field(description="the handout's label, e.g. '1.1(b)'")
    quantity: str = Field(description="z1 ... loss, dl_dW1 ... dl_db2, dz2_dz1, dyhat_dz3, dl_dyhat")
    text: str = Field(description="the formula as written (or the words around it)")
    where: str = Field(description="file and line")
    diagonal: bool = Field(False, description="the text says the matrix is diagonal (its elements are given)")
    reference: str | None = Field(None, description="the answer refers to another one ('same as 1.1(b)')")
    guesses: list[str] = Field(default_factory=list, description="repairs that guessed")


class Questions(BaseModel):
    """What one document answers: its cells, and the plain text of each question (for steps and free text)."""

    filename: str
    cells: list[Found] = Field(default_factory=list)
    texts: dict[str, str] = Field(default_factory=dict, description="question label -> its text")
    lines: dict[str, list[str]] = Field(default_factory=dict, description="question label -> its lines")


_SECTION = re.compile(r"^\s*(?:[#*>\-\s]|\\?(?:sub)*section\*?\{|\\textbf\{|\\item\s*\[?)*\s*(?:problem|question|"
                      r"part|exercise|q)?\s*\.?\s*1\s*\.\s*([1-5])(?![\d.])\s*(?:\.?\s*\(?\s*([a-e])\s*\)(?!\w)|"
                      r"\.\s*([a-e])\b)?", re.I)
_LETTER = re.compile(r"^\s*(?:[#*>\s]|\\?(?:sub)*section\*?\{|\\textbf\{|\\item\s*\[)*\s*\(\s*([a-e])\s*\)(?!\w)|"
                     r"^\s*(?:#+|\*\*)\s*([a-e])[.):]\s|^\s*([a-e])\)\s", re.I)


def questions(filename: str, text: str, kind: str) -> Questions:
    """The questions a document answers. kind: markdown, latex, notebook or pdf."""
    text = controls(text)  # sure repairs first: a TAB that was "\\t" of "\\times" is not a column break
    defs = macros(text)
    body = strip_preamble_definitions(text)
    if kind == "latex":
        body = to_lines(body)
    body = expand(body, defs)
    guessed: dict[int, list[str]] = {}
    if kind == "pdf":  # flattened math: W(1)x + b(1), ∥ˆy −y∥2, (...)+
        lines = []
        for number, line in enumerate(body.splitlines(), 1):
            line, guesses = unflatten(line)
            lines.append(line)
            if guesses:
                guessed[number] = guesses
        body = "\n".join(lines)
    by_question: dict[str, list[tuple[int, str]]] = {}
    section = letter = None
    fenced = False
    for number, line in enumerate(body.splitlines(), 1):
        if line.strip().startswith("```"):
            fenced = not fenced
            if section and letter:
                by_question.setdefault(f"1.{section}({letter})", []).append((number, line))
            continue
        if not fenced:
            m = _SECTION.match(line)
            if m and (m.group(2) or m.group(3) or _heading(line)):
                section, letter = m.group(1), (m.group(2) or m.group(3) or "").lower() or None
                rest = line[m.end():].strip(" :*#}")
                if section and letter and rest:
                    by_question.setdefault(f"1.{section}({letter})", []).append((-number, rest))
                continue
            m = _LETTER.match(line)
            if m and section:
                letter = next(g for g in m.groups() if g).lower()
                rest = line[m.end():].strip(" :*#}")
                if rest:  # a heading's own words: text of the question, not a cell (negative line number)
                    by_question.setdefault(f"1.{section}({letter})", []).append((-number if _heading(line) else
                                                                                 number, rest))
                continue
        if section and letter:
            by_question.setdefault(f"1.{section}({letter})", []).append((number, line))
    out = Questions(filename=filename)
    for q, lines in by_question.items():
        out.lines[q] = [ln for _, ln in lines]
        out.texts[q] = "\n".join(ln for _, ln in lines).strip()
        out.cells += [c.model_copy(update={"guesses": c.guesses + guessed.get(_line(c.where), [])})
                      if guessed else c for c in _cells(filename, q, lines)]
    return out


def _line(where: str) -> int:
    m = re.search(r"line (\d+)$", where)
    return int(m.group(1)) if m else 0


def _heading(line: str) -> bool:
    s = line.strip()
    return s.startswith(("#", "**", "\\section", "\\subsection", "\\textbf")) or bool(
        re.match(r"^\s*(problem|question|part|exercise)\b", s, re.I))


# ------------------------------------------------------------------------------------------------- cells
def _cells(filename: str, question: str, lines: list[tuple[int, str]]) -> list[Found]:
    found: list[Found] = []
    header: list[str] | None = None
    heading: tuple[int, str] | None = None
    pending: tuple[int, str] | None = None  # a label line whose formula is in the next display-math block
    block: list[str] | None = None
    for number, raw in lines:
        if number < 0:
            continue
        line = raw.strip()
        where = f"{filename}: line {number}"
        if block is not None:  # inside $$ ... $$ or \[ ... \]
            if line.endswith(("$$", r"\]")):
                block.append(line.rstrip("$").removesuffix(r"\]"))
                found += _equations(question, " ".join(block), where, pending[1] if pending else None)
                block, pending = None, None
            else:
                block.append(line)
            continue
        if line in ("$$", r"\[") or (line.startswith(("$$", r"\[")) and not line.endswith(("$$", r"\]"))):
            block = [line.removeprefix("$$").removeprefix(r"\[")]
            continue
        if not line or re.fullmatch(r"[|:\-\s+=]+", line):
            continue
        cols = _columns(raw)
        if cols is not None:
            if header is None and _is_header(cols):
                header = cols
                continue
            cell = _table_row(question, cols, header, where)
            if cell is not None:
                found.append(cell)
            continue
        header = None
        if line.startswith("#") or re.fullmatch(r"\*\*[^*]+\*\*:?", line):
            heading = (number, line.strip("#* :"))
            continue
        m = re.match(r"^[-*]?\s*(?:\*\*)?(output|result)(?:\*\*)?\s*[:=]\s*(.+)$", line, re.I)
        if m and heading:
            cell = _labelled(question, heading[1], m.group(2), where, kind="forward")
            if cell is not None:
                found.append(cell)
            continue
        if re.match(r"^[-*]?\s*(?:\*\*)?input(?:\*\*)?\s*[:=]", line, re.I):
            continue
        found += _equations(question, line, where, None)
        if not found or found[-1].where != where:
            pending = (number, line)
    return found


def _columns(raw: str) -> list[str] | None:
    bars = len(re.findall(r"(?<!\\)\|", raw))
    if bars >= 2 and raw.strip().startswith("|") or bars >= 3:
        inner = re.sub(r"^\s*\||(?<!\\)\|\s*$", "", raw.strip())
        cols = [c.strip() for c in re.split(r"(?<!\\)\|", inner)]
        return cols if len(cols) >= 2 else None
    if raw.count("\t") >= 1 and not raw.startswith("\t"):
        cols = [c.strip() for c in raw.split("\t") if c.strip()]
        return cols if len(cols) >= 2 else None
    return None


def _is_header(cols: list[str]) -> bool:
    words = " ".join(cols).lower()
    return bool(re.search(r"\b(layer|input|output|parameter|gradient|jacobian|quantity|element|derivative|"
                          r"variable|name|value|expression)s?\b", words)) and "$" not in words


def _table_row(question: str, cols: list[str], header: list[str] | None, where: str) -> Found | None:
    label = cols[0]
    if header:
        names = [h.lower() for h in header]
        pick = next((i for i, h in enumerate(names) if re.search(r"output|gradient|derivative|value|element|"
                                                                  r"jacobian|expression|answer", h) and i > 0), None)
        formula = cols[pick] if pick is not None and pick < len(cols) else cols[-1]
    else:
        formula = cols[-1]
    return _labelled(question, label, formula, where)


def _labelled(question: str, label: str, formula: str, where: str, kind: str | None = None) -> Found | None:
    quantity, diagonal = labels.quantity(label, kind)
    if quantity is None:
        return None
    return _make(question, quantity, formula, where, diagonal)


def _make(question: str, quantity: str, formula: str, where: str, diagonal: bool) -> Found:
    text, guesses = repair(formula)
    reference = labels.reference(text)
    diagonal = diagonal or bool(re.search(r"\bdiagonal\b|\\text\{diag|\\operatorname\{diag|\bdiag\b", text, re.I))
    return Found(question=question, quantity=quantity, text=text.strip(), where=where, diagonal=diagonal,
                 reference=reference, guesses=guesses)


def _equations(question: str, line: str, where: str, label_line: str | None) -> list[Found]:
    """``$label = formula$`` / ``label: formula`` (a list item, a sentence, a display block)."""
    text = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", line)
    out = []
    math = _math_equation(question, text, where)
    if math is not None:
        return [math]
    m = re.match(r"^(?P<label>[^=:]{1,80}?)\s*(?::|=|\\coloneqq|:=)\s*(?P<formula>.+)$", _unwrap(text))
    if m:
        label, formula = m.group("label"), m.group("formula")
        quantity, diagonal = labels.quantity(label, None)
        if quantity is not None:
            out.append(_make(question, quantity, formula, where, diagonal))
            return out
    if label_line is not None:
        quantity, diagonal = labels.quantity(label_line.rstrip(":"), None)
        if quantity is not None:
            out.append(_make(question, quantity, text, where, diagonal))
    return out


def _math_equation(question: str, text: str, where: str) -> Found | None:
    """'$label = formula$ words' or '$label$: words': the label in the first math, the answer after it."""
    m = re.match(r"^\s*\$(?P<math>[^$]+)\$(?P<rest>.*)$", text)
    if not m:
        return None
    math, rest = m.group("math"), m.group("rest")
    eq = re.match(r"^(?P<label>[^=]+?)\s*(?:=|\\coloneqq|:=)\s*(?P<formula>.+)$", math)
    if eq:
        quantity, diagonal = labels.quantity(eq.group("label"), None)
        if quantity is None:
            return None
        tail = rest if re.match(r"^\s*,?\s*(?:\\text\{\s*)?(if|when|for)\b", rest, re.I) else ""
        return _make(question, quantity, f"${eq.group('formula')}${tail}", where, diagonal)
    colon = re.match(r"^\s*(?::|=|is|are)\s*(?P<formula>.+)$", rest)
    if colon:
        quantity, diagonal = labels.quantity(math, None)
        if quantity is not None:
            return _make(question, quantity, colon.group("formula"), where, diagonal)
    return None


def _unwrap(text: str) -> str:
    """'$z_1 = W x$' -> 'z_1 = W x'; text outside the math stays."""
    t = text.strip()
    if t.startswith("$") and t.endswith("$") and t.count("$") in (2, 4):
        return t.strip("$").strip()
    return t
