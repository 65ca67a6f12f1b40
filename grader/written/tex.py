"""A LaTeX answer sheet -> Markdown-like lines that ``document`` reads like any other sheet.

  \\section{1.1 ...}, \\subsection*{(b)}, \\paragraph{...}   -> "# ..." headings
  \\item[(b)] -> "(b) ...";  \\item in a top-level enumerate -> "(a)", "(b)", ... when no label is written out
  \\item elsewhere -> "- ..."
  tabular rows (cells split at &, rows at \\\\, rules dropped) -> "| c1 | c2 |"
  align / equation / gather environments -> one "$ ... $" line per row
  verbatim / lstlisting / minted -> a fenced code block
Comments and the preamble go; macros were expanded before (``normalize.expand``).
"""

from __future__ import annotations

import re

_DROP = re.compile(r"\\(?:maketitle|noindent|centering|hline|toprule|midrule|bottomrule|newpage|clearpage|"
                   r"medskip|bigskip|smallskip|par|tableofcontents)(?![A-Za-z])|\\(?:vspace|hspace|label|caption|"
                   r"author|title|date)\*?\{[^{}]*\}|\\cline\{[^{}]*\}")
_HEADING = re.compile(r"\\(?:sub)*section\*?\{((?:[^{}]|\{[^{}]*\})*)\}|\\paragraph\*?\{((?:[^{}]|\{[^{}]*\})*)\}")
_MATH_ENV = re.compile(r"\\begin\{(align|equation|gather|multline|eqnarray)\*?\}(.*?)\\end\{\1\*?\}", re.S)
_CODE_ENV = re.compile(r"\\begin\{(verbatim|lstlisting|minted)\}(?:\[[^\]]*\])?(?:\{[^}]*\})?(.*?)\\end\{\1\}", re.S)
_TABULAR = re.compile(r"\\begin\{(tabular|tabularx|array|longtable)\}(?:\{[^{}]*\})?(\{(?:[^{}]|\{[^{}]*\})*\})"
                      r"(.*?)\\end\{\1\}", re.S)


def to_lines(text: str) -> str:
    if r"\begin{document}" in text:
        text = text.split(r"\begin{document}", 1)[1]
    text = text.split(r"\end{document}", 1)[0]
    text = re.sub(r"(?<!\\)%.*", "", text)
    text = _CODE_ENV.sub(lambda m: "\n```\n" + m.group(2).strip("\n") + "\n```\n", text)
    text = _TABULAR.sub(lambda m: _table(m.group(3)), text)
    text = _MATH_ENV.sub(lambda m: _math_rows(m.group(2)), text)
    text = re.sub(r"\\\[(.*?)\\\]", lambda m: "\n$$ " + " ".join(m.group(1).split()) + " $$\n", text, flags=re.S)
    text = _HEADING.sub(lambda m: "\n# " + (m.group(1) or m.group(2) or "") + "\n", text)
    text = _DROP.sub("", text)
    text = _items(text)
    text = re.sub(r"\\begin\{(?:enumerate|itemize|description|center|flushleft)\}(?:\[[^\]]*\])?|"
                  r"\\end\{(?:enumerate|itemize|description|center|flushleft)\}", "\n", text)
    text = re.sub(r"\\textbf\{((?:[^{}]|\{[^{}]*\})*)\}", r"\1", text)
    text = re.sub(r"\\\\(?:\[[^\]]*\])?\s*$", "", text, flags=re.M)
    text = re.sub(r"\\newline\b", "\n", text)
    return text


def _table(body: str) -> str:
    rows = []
    for row in _split_rows(body):
        row = _DROP.sub("", row).strip()
        if not row:
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)&", row)]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n" + "\n".join(rows) + "\n"


def _split_rows(body: str) -> list[str]:
    """Rows at the \\\\ of this level (not those of a cases or matrix inside a row)."""
    rows, depth, start = [], 0, 0
    for m in re.finditer(r"\\begin\{|\\end\{|\\\\", body):
        if m.group(0) == r"\begin{":
            depth += 1
        elif m.group(0) == r"\end{":
            depth -= 1
        elif depth == 0:
            rows.append(body[start:m.start()])
            start = m.end()
    return rows + [body[start:]]


def _math_rows(body: str) -> str:
    rows = [" ".join(_split_rows_cells(r).split()) for r in _split_rows(body)]
    return "\n" + "\n".join(f"${r}$" for r in rows if r.strip()) + "\n"


def _split_rows_cells(row: str) -> str:
    """An align row without its alignment marks (those of a cases inside it stay)."""
    out, depth = [], 0
    for m in re.finditer(r"\\begin\{|\\end\{|(?<!\\)&|.", row, re.S):
        t = m.group(0)
        depth += (t == r"\begin{") - (t == r"\end{")
        out.append(" " if t == "&" and depth == 0 else t)
    return "".join(out)


def _items(text: str) -> str:
    """\\item[(b)] -> (b); plain items of a top-level enumerate get letters unless the sheet writes them out."""
    explicit = bool(re.search(r"\\item\s*\[\s*\(?[a-e]\)?\s*\]|^\s*#\s*\(?[a-e]\)", text, re.M))
    out, depth, kinds, count = [], 0, [], [0]
    for token in re.split(r"(\\begin\{(?:enumerate|itemize)\}(?:\[[^\]]*\])?|\\end\{(?:enumerate|itemize)\}|"
                          r"\\item\s*(?:\[[^\]]*\])?)", text):
        if token.startswith(r"\begin"):
            kinds.append("enumerate" if "enumerate" in token else "itemize")
            count.append(0)
            depth += 1
        elif token.startswith(r"\end"):
            if kinds:
                kinds.pop()
                count.pop()
            depth = max(0, depth - 1)
        elif token.startswith(r"\item"):
            label = re.match(r"\\item\s*(?:\[([^\]]*)\])?", token).group(1)
            count[-1] += 1
            if label:
                out.append("\n" + label.strip() + " ")
                continue
            if depth == 1 and kinds and kinds[-1] == "enumerate" and not explicit:
                out.append(f"\n({chr(96 + min(count[-1], 26))}) ")
                continue
            out.append("\n- ")
            continue
        out.append(token)
    return "".join(out)
