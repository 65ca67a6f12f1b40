"""The submissions of a batch folder: every folder, ``.zip``, ``.py`` and ``.ipynb`` in it is one submission.

A Gradescope "Export submissions" folder (``submission_metadata.yml`` beside one folder per submission) is
recognised: its students' names, emails and ids come with the entries, and a submission listed there whose folder
is missing still gets a row. Hidden files are ignored; any other file is reported as skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from grader.errors import GraderError
from grader.gradescope.export import EXPORT_METADATA, read_export
from grader.gradescope.upload import resolve_upload
from grader.reporters.rows import Student

SUFFIXES = (".zip", ".py", ".ipynb")
#: Source text that may draw plots (an import of one of these; a notebook always may).
PLOTTING = re.compile(rb"\b(matplotlib|pylab|seaborn)\b")


@dataclass(frozen=True)
class Entry:
    """name: the folder or file name (the row's ``submission``); path: what ``grade`` is given."""

    name: str
    path: Path
    students: tuple[Student, ...] = ()
    created_at: str | None = None


def discover(source: Path) -> tuple[list[Entry], list[str]]:
    """(entries sorted by name, names of the files skipped)."""
    source = Path(source)
    if not source.is_dir():
        raise GraderError(f"{source} is not a folder; give the folder that holds one entry per submission "
                          f"(unzip a Gradescope export first)")
    export = read_export(source) if (source / EXPORT_METADATA).is_file() else {}
    names, skipped = set(export), []
    for child in source.iterdir():
        if child.name.startswith(".") or child.name == EXPORT_METADATA:
            continue
        if child.is_dir() or child.suffix.lower() in SUFFIXES:
            names.add(child.name)
        else:
            skipped.append(child.name)
    entries = []
    for name in sorted(names):
        if "/" in name or name.startswith(".") or name in ("", "..") or "\0" in name:
            raise GraderError(f"{source / EXPORT_METADATA}: {name!r} is not a submission folder name")
        info = export.get(name)
        path = source / name
        entries.append(Entry(name, resolve_upload(path), info.students if info else (),
                             info.created_at if info else None))
    return entries, sorted(skipped)


def may_plot(entries: Iterable[Entry]) -> bool:
    """Whether any of these submissions is or holds a notebook, or a .py file that names a plotting library: then
    the batch's zygotes import matplotlib once (about 0.3 s) rather than each job that plots. Stops at the first
    that does; a submission that cannot be read is left to its grading to report (a guess must never stop a
    batch)."""
    from grader.load import read_files

    for e in entries:
        if e.path.suffix.lower() == ".ipynb":
            return True
        try:
            files = read_files(e.path)
        except Exception:  # noqa: BLE001 - its grading says what is wrong with it
            continue
        if any(name.lower().endswith(".ipynb") or PLOTTING.search(data) for name, data in files.items()):
            return True
    return False


def parse_shard(text: str) -> tuple[int, int]:
    """'2/4' -> (2, 4): the second of four slices (1 <= I <= N)."""
    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError as e:
        raise GraderError(f"--shard {text!r}: give I/N, e.g. 1/4 for the first of four slices") from e
    if not 1 <= i <= n:
        raise GraderError(f"--shard {text!r}: need 1 <= I <= N")
    return i, n


def shard(entries: list[Entry], i: int, n: int) -> list[Entry]:
    """The I-th of N disjoint slices (round robin over the sorted names): together the N slices are the batch."""
    return [e for k, e in enumerate(sorted(entries, key=lambda e: e.name)) if k % n == i - 1]
