"""What to grade in an upload folder (Gradescope's ``submission/``, or one folder of an export)."""

from __future__ import annotations

from pathlib import Path

SOURCE_SUFFIXES = (".py", ".ipynb")


def resolve_upload(folder: Path) -> Path:
    """The folder itself, or the one ``.zip`` in it when it holds no .py or .ipynb file (a student who uploaded
    a zip of their folder)."""
    if not folder.is_dir():
        return folder
    files = [f for f in folder.rglob("*") if f.is_file()
             and not any(p.startswith(".") or p == "__MACOSX" for p in f.relative_to(folder).parts)]
    if any(f.suffix.lower() in SOURCE_SUFFIXES for f in files):
        return folder
    zips = [f for f in files if f.suffix.lower() == ".zip"]
    return zips[0] if len(zips) == 1 else folder
