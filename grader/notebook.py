"""A Jupyter notebook -> one student module of code cells. Read with nbformat; nothing is executed here.

Small steps, one function each, applied in this order by ``to_module``:
  read              bytes -> nbformat v4 notebook, or SubmissionError saying what to do
  skip_tagged       cells tagged ``skip-grading`` are left out
  markdown_answers  a markdown cell marked as the answer to a text question becomes ``NAME = "..."``
  neutralise        IPython magics and shell lines become plain Python (``%matplotlib inline`` -> ``pass``)
Cell numbers count every cell of the notebook from 1, markdown included, so a student can find the one named in
the feedback. The sandbox runs the cells top to bottom in one namespace and goes on after a failing cell.
"""

from __future__ import annotations

import re

import nbformat

from grader.errors import SubmissionError
from grader.schemas.submission import Cell, Module

MODULE_NAME = "notebook"
SKIP_TAGS = frozenset({"skip-grading"})
#: Text answers that may be written in a markdown cell instead of a code cell.
MARKDOWN_ANSWERS = ("RELU_BENEFITS",)
#: Cell magics whose body is Python: the magic line goes, the body runs once.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun"})
_MARKER = re.compile(r"^\s*(?:#+\s*)?[*_]*(?P<name>[A-Z][A-Z0-9_]*)[*_]*\s*(?::[*_]*\s*(?P<rest>.*))?$")
_ASSIGNED_SHELL = re.compile(r"^(?P<indent>\s*)(?P<target>[A-Za-z_][\w.]*)\s*=\s*[!%]")
_WRITEFILE = re.compile(r"^%%writefile(?P<append>\s+-a)?\s+(?P<path>\S+)\s*$")


def read(filename: str, data: bytes) -> nbformat.NotebookNode:
    """Parse and convert to nbformat 4. A file that is not a notebook raises SubmissionError."""
    try:
        nb = nbformat.reads(data.decode("utf-8-sig"), as_version=4)
    except Exception as e:  # nbformat raises several unrelated types (NotJSONError, KeyError, ...)
        why = "it is not complete JSON; was the file cut off?" if isinstance(e, (nbformat.reader.NotJSONError,
                                                                                ValueError)) \
            else f"{type(e).__name__}: {str(e).splitlines()[0][:150] if str(e) else ''}"
        raise SubmissionError(f"{filename} is not a valid Jupyter notebook ({why}); open it in Jupyter, save it, "
                              f"and resubmit (or hand in .py files)") from e
    cells = nb.get("cells")
    if not isinstance(cells, list) or not all(isinstance(c, dict) and "cell_type" in c for c in cells):
        raise SubmissionError(f"{filename} has no readable cells; open it in Jupyter, save it, and resubmit")
    return nb


def problems(filename: str, nb: nbformat.NotebookNode) -> list[str]:
    """What strict validation finds; the notebook is graded anyway when its cells can be read."""
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as e:
        return [f"{filename} does not follow the notebook format exactly ({str(e).splitlines()[0][:150]}); "
                f"its cells were graded anyway"]
    return []


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _tags(cell) -> set[str]:
    """A cell's tags; malformed metadata (the notebook is graded even when it fails validation) has none."""
    meta = cell.get("metadata")
    tags = meta.get("tags") if isinstance(meta, dict) else None
    return {t for t in tags if isinstance(t, str)} if isinstance(tags, list) else set()


def skip_tagged(cells: list[tuple[int, dict]]) -> list[tuple[int, dict]]:
    """Leave out cells tagged skip-grading (e.g. training runs, plots, downloads)."""
    return [(i, c) for i, c in cells if not SKIP_TAGS & _tags(c)]


def markdown_answer(cell: dict) -> tuple[str, str] | None:
    """(NAME, text) when a markdown cell answers a text question: tagged NAME, or its first line is NAME
    (as in ``RELU_BENEFITS:`` or ``## RELU_BENEFITS``) and the answer follows."""
    if cell.get("cell_type") != "markdown":
        return None
    text = _source(cell)
    tags = _tags(cell)
    for name in MARKDOWN_ANSWERS:
        if name in tags:
            return name, text.strip()
    first, _, rest = text.strip().partition("\n")
    m = _MARKER.match(first)
    if m and m.group("name") in MARKDOWN_ANSWERS:
        return m.group("name"), ((m.group("rest") or "") + "\n" + rest).strip()
    return None


def neutralise(source: str) -> str:
    """IPython-only syntax -> plain Python, keeping line numbers. Code that already compiles is left alone."""
    try:
        compile(source, "<cell>", "exec")
        return source
    except Exception:  # SyntaxError, or ValueError / RecursionError / MemoryError on pathological source
        pass
    lines = source.split("\n")
    head = next((i for i, line in enumerate(lines) if line.strip()), None)
    if head is not None and lines[head].lstrip().startswith("%%"):
        magic = lines[head].strip()
        name = magic[2:].split()[0] if len(magic) > 2 else ""
        body = "\n".join(lines[head + 1:])
        w = _WRITEFILE.match(magic)
        if w:  # the file is written, as Jupyter would, so that a later cell can import it
            mode = "a" if w.group("append") else "w"
            return f"open({w.group('path')!r}, {mode!r}, encoding='utf-8').write({body + chr(10)!r})"
        if name not in PYTHON_CELL_MAGICS:
            return "\n".join(f"# (not Python, skipped) {line}" for line in lines)
        lines[head] = f"pass  # {magic}"
    return "\n".join(_line(line) for line in lines)


def _line(line: str) -> str:
    stripped = line.lstrip()
    indent = line[: len(line) - len(stripped)]
    if stripped.startswith(("%", "!")):
        return f"{indent}pass  # {stripped}"
    m = _ASSIGNED_SHELL.match(line)
    if m:
        return f"{m.group('indent')}{m.group('target')} = None  # {stripped}"
    return line


def to_module(filename: str, data: bytes) -> tuple[Module, list[str]]:
    """The notebook's code cells (and marked markdown answers) as one module, and what the reader noticed."""
    nb = read(filename, data)
    notes = problems(filename, nb)
    cells = []
    for number, cell in skip_tagged(list(enumerate(nb.cells, 1))):
        answer = markdown_answer(cell)
        if answer is not None:
            cells.append(Cell(number=number, source=f"{answer[0]} = {answer[1]!r}\n"))
        elif cell.get("cell_type") == "code" and _source(cell).strip():
            cells.append(Cell(number=number, source=neutralise(_source(cell))))
    if not cells:
        raise SubmissionError(f"{filename} has no code cells to grade (cells tagged skip-grading are left out)")
    return Module(name=MODULE_NAME, filename=filename, cells=cells, continue_on_error=True), notes
