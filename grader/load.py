"""Read a submission (folder, .zip, .py, .ipynb, .md, .tex, .pdf) into source text. Nothing is executed here.

mlp.py and theory.py give the two parts; a notebook (``grader.notebook``) gives the parts no .py file gave; .md,
.tex and .pdf files and a notebook's markdown cells are kept as documents, where Part 1 may be answered in writing
(``grader.written``).
"""

from __future__ import annotations

import hashlib
import json
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from grader.errors import SubmissionError
from grader.schemas.submission import Cell, Document, Module, Submission

MAX_FILE_BYTES = 2_000_000
MAX_NOTEBOOK_BYTES = 20_000_000
MAX_ZIP_BYTES = 50_000_000
MAX_FILES = 500
MAX_PDF_BYTES = 20_000_000
#: Written answers to Part 1: read as documents (``grader.written``), whatever their names.
DOCUMENTS = {".md": "markdown", ".markdown": "markdown", ".tex": "latex", ".pdf": "pdf"}
READ = (".py", ".ipynb", *DOCUMENTS)
ROLES = {"mlp.py": "mlp", "theory.py": "theory"}
IGNORED_PARTS = {"__MACOSX", "__pycache__", ".ipynb_checkpoints", ".git"}


def load_submission(path: str | Path) -> Submission:
    """A folder, a .zip, a single .py or a notebook -> Submission. Raises SubmissionError with what to do."""
    return _build(Path(path).name, _strip_common_top(read_files(path)))


def read_files(path: str | Path) -> dict[str, bytes]:
    """The files of a submission: {path inside it: bytes}, the bytes of .py and .ipynb files only (others b'')."""
    p = Path(path)
    if not p.exists():
        raise SubmissionError(f"{p} does not exist; give a folder, a .zip, a .py file or a notebook")
    if p.is_dir():
        return _read_folder(p)
    if p.suffix.lower() == ".zip":
        return _read_zip(p)
    if p.suffix.lower() == ".py":
        return {p.name if p.name in ROLES else "mlp.py": _read_bytes(p)}
    if p.suffix.lower() == ".ipynb" or p.suffix.lower() in DOCUMENTS:
        return {p.name: _read_bytes(p)}
    raise SubmissionError(f"{p}: cannot grade a '{p.suffix}' file; give a folder, a .zip, a .py file, a "
                          f"notebook (.ipynb) or written answers (.md, .tex, .pdf)")


def _limit(name: str, size: int) -> None:
    """Source files and notebooks have size limits; a notebook's outputs (plots) are what usually makes it big."""
    if name.lower().endswith(".pdf"):
        if size > MAX_PDF_BYTES:
            raise SubmissionError(f"{name}: {size:,} bytes is too large for a PDF (limit {MAX_PDF_BYTES:,}); "
                                  f"export it again without embedded images")
    elif name.lower().endswith(".ipynb"):
        if size > MAX_NOTEBOOK_BYTES:
            raise SubmissionError(f"{name}: {size:,} bytes is too large for a notebook (limit "
                                  f"{MAX_NOTEBOOK_BYTES:,}); clear its outputs (Edit > Clear All Outputs), save "
                                  f"and resubmit")
    elif size > MAX_FILE_BYTES:
        raise SubmissionError(f"{name}: {size:,} bytes is too large for a source file (limit {MAX_FILE_BYTES:,})")


def _read_bytes(p: Path) -> bytes:
    st = p.stat()
    if not stat.S_ISREG(st.st_mode):  # a pipe would block the reader, a device never end
        raise SubmissionError(f"{p} is not a regular file; hand in the file itself")
    _limit(str(p), st.st_size)
    return p.read_bytes()


def _wanted(rel: PurePosixPath) -> bool:
    return not any(part in IGNORED_PARTS or part.startswith(".") for part in rel.parts)


def _read_folder(root: Path) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for f in sorted(root.rglob("*")):
        rel = PurePosixPath(f.relative_to(root).as_posix())
        if f.is_file() and not f.is_symlink() and _wanted(rel):
            if len(out) >= MAX_FILES:
                raise SubmissionError(f"{root}: more than {MAX_FILES} files; hand in only the homework files")
            out[str(rel)] = _read_bytes(f) if f.suffix.lower() in READ else b""
    return out


def _read_zip(p: Path) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(p) as z:
            infos = [i for i in z.infolist() if not i.is_dir() and _wanted(PurePosixPath(i.filename))]
            if len(infos) > MAX_FILES:
                raise SubmissionError(f"{p}: more than {MAX_FILES} files; hand in only the homework files")
            if sum(i.file_size for i in infos) > MAX_ZIP_BYTES:
                raise SubmissionError(f"{p}: unpacks to more than {MAX_ZIP_BYTES:,} bytes")
            out = {}
            for i in infos:
                name = PurePosixPath(i.filename)
                if name.is_absolute() or ".." in name.parts:
                    raise SubmissionError(f"{p}: unsafe path {i.filename!r} inside the zip")
                wanted = name.suffix.lower() in READ
                if wanted:
                    _limit(f"{p.name}: {name}", i.file_size)
                out[str(name)] = z.read(i) if wanted else b""
            return out
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as e:
        raise SubmissionError(f"{p}: not a readable zip file ({e}); zip the folder again and resubmit") from e
    except NotImplementedError as e:  # a compression method zipfile does not read (a RuntimeError too: first)
        raise SubmissionError(f"{p}: the zip uses a compression method the grader cannot read ({e}); zip the folder "
                              f"again with your system's standard zip tool and resubmit") from e
    except RuntimeError as e:  # what zipfile raises for an encrypted member
        raise SubmissionError(f"{p}: the zip is password-protected; zip the folder again without a password and "
                              f"resubmit") from e


def _strip_common_top(files: dict[str, bytes]) -> dict[str, bytes]:
    """{'netid/mlp.py': ...} -> {'mlp.py': ...} when every file sits in one top folder."""
    tops = {PurePosixPath(k).parts[0] for k in files}
    if len(tops) == 1 and all(len(PurePosixPath(k).parts) > 1 for k in files):
        return {str(PurePosixPath(*PurePosixPath(k).parts[1:])): v for k, v in files.items()}
    return files


def _decode(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise SubmissionError(f"{name} is not UTF-8 text ({e}); save it as UTF-8 and resubmit") from e


def _build(name: str, files: dict[str, bytes]) -> Submission:
    modules, roles, problems = [], {}, []
    for filename, role in ROLES.items():
        matches = [k for k in files if PurePosixPath(k).name == filename]
        if not matches:
            continue
        chosen = min(matches, key=lambda k: (len(PurePosixPath(k).parts), k))
        if len(matches) > 1:
            problems.append(f"found {len(matches)} files named {filename}; graded {chosen}")
        source = _decode(chosen, files[chosen])
        modules.append(Module(name=role, filename=chosen, cells=[Cell(number=0, source=source)]))
        roles[role] = role
    _add_notebook(files, modules, roles, problems)
    documents = _documents(files, problems)
    if not modules and not documents:
        found = ", ".join(sorted(files)) or "nothing"
        raise SubmissionError(f"{name}: no mlp.py, theory.py, notebook or written answers found (found: {found}); "
                              f"hand in mlp.py (Part 2) and theory.py or your written answers (Part 1), or one "
                              f"notebook with both")
    digest = hashlib.sha256()
    for m in modules:
        for c in m.cells:
            digest.update(f"{m.name}\0{c.number}\0{c.source}\0".encode())
    return Submission(name=name, files=sorted(files), modules=modules, roles=roles, key=digest.hexdigest(),
                      problems=problems, documents=documents)


def _documents(files: dict[str, bytes], problems: list[str]) -> list[Document]:
    """Every .md, .tex and .pdf file, and the markdown cells of each notebook: candidates for written answers.
    (Not part of the submission's key: the cases follow the code.)"""
    out = []
    for filename in sorted(files, key=lambda k: (len(PurePosixPath(k).parts), k)):
        kind = DOCUMENTS.get(PurePosixPath(filename).suffix.lower())
        data = files[filename]
        if kind == "pdf":
            out.append(Document(filename=filename, kind=kind, data=data))
        elif kind is not None:
            try:
                out.append(Document(filename=filename, kind=kind, text=_decode(filename, data)))
            except SubmissionError as e:
                problems.append(str(e))
        elif filename.lower().endswith(".ipynb"):
            text = _markdown_cells(data)
            if text.strip():
                out.append(Document(filename=filename, kind="notebook", text=text))
    return out


def _markdown_cells(data: bytes) -> str:
    """A notebook's markdown cells, joined (an unreadable notebook gives nothing: it is reported elsewhere)."""
    try:
        nb = json.loads(data.decode("utf-8-sig"))
        cells = nb.get("cells", []) if isinstance(nb, dict) else []
        return "\n\n".join("".join(c["source"]) if isinstance(c.get("source"), list) else str(c.get("source", ""))
                           for c in cells if isinstance(c, dict) and c.get("cell_type") == "markdown")
    except (ValueError, UnicodeDecodeError, TypeError, KeyError, RecursionError):
        return ""


def _add_notebook(files: dict[str, bytes], modules: list[Module], roles: dict[str, str], problems: list[str]) -> None:
    """A notebook gives the parts no .py file gave. Without .py files, a notebook that cannot be read is fatal."""
    books = sorted((k for k in files if k.lower().endswith(".ipynb")), key=lambda k: (len(PurePosixPath(k).parts), k))
    missing = [r for r in dict.fromkeys(ROLES.values()) if r not in roles]
    if not books:
        return
    if not missing:
        problems.append(f"{', '.join(books)} not graded: mlp.py and theory.py were")
        return
    chosen = books[0]
    if len(books) > 1:
        problems.append(f"found {len(books)} notebooks; graded {chosen}")
    try:
        from grader import notebook  # here: reading files (a batch's first look at its class) needs no nbformat

        module, notes = notebook.to_module(chosen, files[chosen])
    except SubmissionError as e:
        if not modules:
            raise
        problems.append(str(e))
        return
    modules.append(module)
    roles.update({r: module.name for r in missing})
    problems += notes
    if len(missing) < len(ROLES):
        problems.append(f"graded {', '.join(m.filename for m in modules[:-1])}; took "
                        f"{' and '.join(missing)} from {chosen}")
