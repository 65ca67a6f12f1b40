"""``hw1-grader build-autograder --out autograder.zip``: the zip Gradescope's "Configure Autograder" takes.

Contents (at the root of the zip, as Gradescope requires)::

    setup.sh          installs Python >= 3.11, a CPU build of torch and the vendored grader into /autograder/venv
    run_autograder    exec's ``hw1-grader gradescope`` (after putting a placeholder results.json in place)
    rubric.toml       the rubric, validated before it is packed
    salt.txt          the hidden-case salt, when one is given (readable by root only once installed)
    hw1-grader/       the grader's source: pyproject.toml, grader/, reference/, rubrics/

The templates live in ``autograder/`` beside the package. The zip is reproducible: sorted entries, fixed times.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import shlex
import tomllib
import zipfile
from pathlib import Path

import grader
from grader.errors import GraderError
from grader.reporters.gradescope_results import failure_results, to_json

SOURCE_ROOT = Path(grader.__file__).resolve().parent.parent
TEMPLATES = SOURCE_ROOT / "autograder"
VENDORED = ("grader", "reference", "rubrics")
VENDORED_FILES = ("pyproject.toml", "README.md", "LICENSE")
STAMP = (1980, 1, 1, 0, 0, 0)
NOT_STARTED = ("the grader did not start (run_autograder's output, visible to instructors, says why); "
               "check that setup.sh ran to the end")


def torch_requirement(pyproject: Path) -> str:
    """The torch pin of the project, e.g. 'torch==2.13.0'."""
    deps = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    for d in deps:
        if re.match(r"^torch\b", d.strip()):
            return d.replace(" ", "")
    raise GraderError(f"{pyproject}: no torch dependency to install in setup.sh")


def _vendored(root: Path) -> list[tuple[str, Path]]:
    out = [(f"hw1-grader/{n}", root / n) for n in VENDORED_FILES if (root / n).is_file()]
    for top in VENDORED:
        for p in sorted((root / top).rglob("*")):
            rel = p.relative_to(root)
            if p.is_file() and "__pycache__" not in rel.parts and p.suffix not in (".pyc", ".pyo") \
                    and not any(part.startswith(".") for part in rel.parts):
                out.append((f"hw1-grader/{rel.as_posix()}", p))
    return out


def _add(z: zipfile.ZipFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = zipfile.ZipInfo(name, STAMP)
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, data)


def new_salt_file(out: Path) -> Path:
    """The salt beside the zip (``autograder.salt.txt``, owner-only) for a build given none: the one a previous
    build left there (a rebuild keeps the hidden cases of the zip already deployed), else a fresh random one. The
    rubric's public default would let anyone work out the hidden cases. Keep it to regrade with the same cases
    (``hw1-grader batch --salt-file``)."""
    path = Path(out).with_suffix(".salt.txt")
    if path.is_file() and path.read_text(encoding="utf-8").strip():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    return path


def build(out: Path, rubric: str | None = None, salt_file: Path | None = None) -> list[str]:
    """Write the zip to ``out``; returns the names it holds. Without ``salt_file`` a random salt is made
    (``new_salt_file``) and packed, so the hidden cases are never the rubric's public default."""
    from grader.rubric import load_rubric, resolve

    for needed in (TEMPLATES / "setup.sh", TEMPLATES / "run_autograder", SOURCE_ROOT / "pyproject.toml"):
        if not needed.is_file():
            raise GraderError(f"{needed} is missing: build the autograder from a checkout of hw1-grader "
                              f"(pip install -e .), not from an installed wheel")
    rubric_path = resolve(rubric)
    loaded = load_rubric(rubric_path)  # refuse to pack a rubric that does not validate
    setup = (TEMPLATES / "setup.sh").read_text(encoding="utf-8").replace(
        "@TORCH_REQUIREMENT@", torch_requirement(SOURCE_ROOT / "pyproject.toml")).replace(
        "@EXTRA_PACKAGES@", " ".join(shlex.quote(r) for r in loaded.packages.install))
    run = (TEMPLATES / "run_autograder").read_text(encoding="utf-8").replace(
        "@FALLBACK_RESULTS@", to_json(failure_results(NOT_STARTED)))
    files: list[tuple[str, bytes, int]] = [("setup.sh", setup.encode(), 0o755),
                                           ("run_autograder", run.encode(), 0o755),
                                           ("rubric.toml", rubric_path.read_bytes(), 0o644)]
    if salt_file is None:
        salt_file = new_salt_file(out)
    if salt_file is not None:
        try:
            files.append(("salt.txt", salt_file.read_text(encoding="utf-8").strip().encode() + b"\n", 0o600))
        except OSError as e:
            raise GraderError(f"cannot read the salt file {salt_file}: {e}") from e
    files += [(name, p.read_bytes(), 0o644) for name, p in _vendored(SOURCE_ROOT)]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data, mode in sorted(files):
            _add(z, name, data, mode)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(buf.getvalue())
    return sorted(name for name, _, _ in files)
