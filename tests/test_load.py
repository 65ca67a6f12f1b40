"""Reading submissions as the course collects them: folders, netid.zip with or without a top folder, notebooks."""

from __future__ import annotations

import zipfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader import load
from grader.errors import SubmissionError
from grader.load import load_submission
from tests.conftest import SAMPLES

THEORY = SAMPLES / "correct_theory_fall2020"


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def _course_files() -> dict[str, bytes]:
    return {name: (THEORY / name).read_bytes() for name in ("mlp.py", "theory.py", "theory.pdf")}


def test_a_folder_gives_both_parts():
    sub = load_submission(THEORY)
    assert sub.roles == {"mlp": "mlp", "theory": "theory"}
    assert sub.files == ["mlp.py", "theory.pdf", "theory.py"]
    assert sub.module_for("theory").cells[0].source == (THEORY / "theory.py").read_text()


@pytest.mark.parametrize("top", ["", "ab1234/"])
def test_netid_zip_with_or_without_a_top_folder(tmp_path, top):
    files = {top + k: v for k, v in _course_files().items()}
    files[top + "__MACOSX/._mlp.py"] = b"\x00junk"
    sub = load_submission(_zip(tmp_path / "ab1234.zip", files))
    assert sub.files == ["mlp.py", "theory.pdf", "theory.py"]
    assert sub.roles == {"mlp": "mlp", "theory": "theory"}
    assert sub.module_for("mlp").filename == "mlp.py"


def test_the_same_sources_give_the_same_cases_whatever_the_packaging(tmp_path):
    folder = load_submission(THEORY)
    zipped = load_submission(_zip(tmp_path / "x.zip", {"netid/" + k: v for k, v in _course_files().items()}))
    assert folder.key == zipped.key


def test_a_notebook_gives_both_parts(tmp_path):
    sub = load_submission(SAMPLES / "correct_notebook" / "hw1.ipynb")
    assert sub.roles == {"mlp": "notebook", "theory": "notebook"}
    m = sub.module_for("mlp")
    assert m.continue_on_error and all(c.number >= 1 for c in m.cells)


def test_a_zipped_notebook_is_read(tmp_path):
    data = (SAMPLES / "correct_notebook" / "hw1.ipynb").read_bytes()
    sub = load_submission(_zip(tmp_path / "n.zip", {"netid/hw1.ipynb": data, "netid/theory.pdf": b"%PDF"}))
    assert sub.roles == {"mlp": "notebook", "theory": "notebook"}
    assert sub.files == ["hw1.ipynb", "theory.pdf"]


def test_py_files_win_over_a_notebook_for_the_parts_they_give(tmp_path):
    (tmp_path / "mlp.py").write_bytes((THEORY / "mlp.py").read_bytes())
    (tmp_path / "hw1.ipynb").write_bytes((SAMPLES / "correct_notebook" / "hw1.ipynb").read_bytes())
    sub = load_submission(tmp_path)
    assert sub.roles == {"mlp": "mlp", "theory": "notebook"}
    assert any("took theory from hw1.ipynb" in p for p in sub.problems)


def test_a_notebook_next_to_both_py_files_is_not_graded(tmp_path):
    for name, data in _course_files().items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "scratch.ipynb").write_text("not even json")
    sub = load_submission(tmp_path)
    assert sub.roles == {"mlp": "mlp", "theory": "theory"}
    assert any("scratch.ipynb not graded" in p for p in sub.problems)


def test_an_unreadable_notebook_next_to_mlp_py_is_a_note_not_a_failure(tmp_path):
    (tmp_path / "mlp.py").write_bytes((THEORY / "mlp.py").read_bytes())
    (tmp_path / "hw1.ipynb").write_text('{"cells": [')
    sub = load_submission(tmp_path)
    assert sub.roles == {"mlp": "mlp"}
    assert any("hw1.ipynb is not a valid Jupyter notebook" in p for p in sub.problems)


def test_an_unreadable_notebook_alone_raises(tmp_path):
    (tmp_path / "hw1.ipynb").write_text('{"cells": [')
    with pytest.raises(SubmissionError, match="not a valid Jupyter notebook"):
        load_submission(tmp_path)


def test_a_huge_notebook_asks_to_clear_outputs(tmp_path, monkeypatch):
    monkeypatch.setattr(load, "MAX_NOTEBOOK_BYTES", 1000)
    nb = new_notebook(cells=[new_code_cell("x = 1\n" + "#" * 2000)])
    (tmp_path / "hw1.ipynb").write_text(nbformat.writes(nb))
    with pytest.raises(SubmissionError, match="clear its outputs"):
        load_submission(tmp_path / "hw1.ipynb")
    with pytest.raises(SubmissionError, match="clear its outputs"):
        load_submission(_zip(tmp_path / "big.zip", {"hw1.ipynb": nbformat.writes(nb).encode()}))


def test_nothing_gradable_says_what_to_hand_in(tmp_path):
    (tmp_path / "notes.txt").write_text("my answers are on paper")
    with pytest.raises(SubmissionError) as e:
        load_submission(tmp_path)
    msg = str(e.value)
    assert "notes.txt" in msg and "mlp.py" in msg and "notebook" in msg and "written answers" in msg


def test_a_pdf_alone_is_a_written_hand_in(tmp_path):
    (tmp_path / "theory.pdf").write_bytes(b"%PDF")  # even a broken one: Part 1 goes to a person, Part 2 is missing
    sub = load_submission(tmp_path)
    assert sub.modules == [] and [d.filename for d in sub.documents] == ["theory.pdf"]


def test_unsafe_zip_paths_are_never_read(tmp_path):
    with pytest.raises(SubmissionError, match="unsafe path"):
        load_submission(_zip(tmp_path / "evil.zip", {"/mlp.py": b"x = 1"}))
    sub = load_submission(_zip(tmp_path / "dots.zip", {"../mlp.py": b"x = 1", "theory.py": b"y = 2"}))
    assert sub.files == ["theory.py"] and sub.roles == {"theory": "theory"}


def test_a_corrupt_zip_says_to_zip_again(tmp_path):
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 definitely not a zip")
    with pytest.raises(SubmissionError, match="zip the folder again"):
        load_submission(tmp_path / "broken.zip")


def _patched_zip(path: Path, patch) -> Path:
    """A zip of one deflated mlp.py whose bytes ``patch(bytearray, local header offset, central header offset)``
    changes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mlp.py", "import torch\n" * 50)
    data = bytearray(path.read_bytes())
    patch(data, data.find(b"PK\x03\x04"), data.find(b"PK\x01\x02"))
    path.write_bytes(bytes(data))
    return path


def _encrypted(data, local, central):
    data[local + 6] |= 1  # general purpose flag, bit 0: encrypted
    data[central + 8] |= 1


def _unknown_method(data, local, central):
    data[local + 8] = data[central + 10] = 99  # AES, which zipfile does not read


def _bad_deflate(data, local, central):
    start = local + 30 + len("mlp.py")
    data[start:start + 4] = b"\xff\xff\xff\xff"  # the compressed stream itself


@pytest.mark.parametrize("patch, says", [(_encrypted, "password-protected"), (_unknown_method, "compression method"),
                                         (_bad_deflate, "not a readable zip")])
def test_a_zip_that_cannot_be_unpacked_says_what_to_do(tmp_path, patch, says):
    """Encrypted, compressed in a way zipfile cannot read, or damaged inside: a message, never a traceback."""
    with pytest.raises(SubmissionError, match=says) as e:
        load_submission(_patched_zip(tmp_path / "netid.zip", patch))
    assert "resubmit" in str(e.value)


def test_a_single_theory_py_is_the_theory(tmp_path):
    (tmp_path / "theory.py").write_bytes((THEORY / "theory.py").read_bytes())
    sub = load_submission(tmp_path / "theory.py")
    assert sub.roles == {"theory": "theory"}


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_submission_that_is_not_a_regular_file_is_refused_without_reading_it(tmp_path, kind):
    """A named pipe would block the reader for ever, /dev/zero never ends: refused with a message, unread."""
    import os

    p = tmp_path / "mlp.py"
    if kind == "fifo":
        os.mkfifo(p)
    else:
        p.symlink_to("/dev/zero")
    with pytest.raises(SubmissionError, match="not a regular file"):
        load_submission(p)
