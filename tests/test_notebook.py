"""Notebooks: each reading step on its own, then a whole notebook graded like the equivalent .py folder."""

from __future__ import annotations

import json
import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

from grader import notebook
from grader.engine import grade
from grader.errors import SubmissionError
from grader.rubric import load_rubric
from tests.conftest import SAMPLES, item


def _bytes(*cells) -> bytes:
    return nbformat.writes(new_notebook(cells=list(cells))).encode()


# ------------------------------------------------------------------------------------------------- neutralise
def test_valid_python_is_left_alone():
    src = "x = 5 % 3\nprint('%d!' % x)\n"
    assert notebook.neutralise(src) == src


def test_line_magics_and_shell_lines_become_pass_keeping_indentation_and_line_count():
    src = "%matplotlib inline\nimport numpy as np\nif True:\n    !pip install torch\n    y = 1\n"
    out = notebook.neutralise(src)
    compile(out, "<test>", "exec")
    lines = out.split("\n")
    assert len(lines) == len(src.split("\n"))
    assert lines[0].startswith("pass") and lines[1] == "import numpy as np"
    assert lines[3].startswith("    pass") and lines[4] == "    y = 1"


def test_shell_assignment_binds_none():
    ns: dict = {}
    exec(notebook.neutralise("files = !ls\nn = 1 if files is None else 2"), ns)
    assert ns["files"] is None and ns["n"] == 1


def test_python_cell_magic_keeps_its_body():
    ns: dict = {}
    exec(notebook.neutralise("%%time\nz = 2 + 3"), ns)
    assert ns["z"] == 5


def test_non_python_cell_magic_is_commented_out():
    out = notebook.neutralise("%%bash\necho hi\nrm -rf /")
    ns: dict = {}
    exec(out, ns)
    assert all(line.startswith("#") for line in out.split("\n"))


def test_writefile_writes_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exec(notebook.neutralise("%%writefile helper.py\ndef one():\n    return 1"), {})
    assert (tmp_path / "helper.py").read_text() == "def one():\n    return 1\n"


# ------------------------------------------------------------------------------------------------- cells
def test_cells_are_numbered_from_1_counting_markdown_and_raw_cells():
    data = _bytes(new_markdown_cell("# title"), new_code_cell("a = 1"), new_raw_cell("raw"), new_code_cell("b = 2"))
    module, _ = notebook.to_module("hw1.ipynb", data)
    assert [(c.number, c.source) for c in module.cells] == [(2, "a = 1"), (4, "b = 2")]
    assert module.name == "notebook" and module.continue_on_error


def test_cells_tagged_skip_grading_are_left_out():
    data = _bytes(new_code_cell("a = 1"), new_code_cell("while True: pass", metadata={"tags": ["skip-grading"]}))
    module, _ = notebook.to_module("hw1.ipynb", data)
    assert [c.source for c in module.cells] == ["a = 1"]


@pytest.mark.parametrize("cell", [
    new_markdown_cell("RELU_BENEFITS:\nIt does not saturate."),
    new_markdown_cell("## RELU_BENEFITS\n\nIt does not saturate."),
    new_markdown_cell("**RELU_BENEFITS**: It does not saturate."),
    new_markdown_cell("It does not saturate.", metadata={"tags": ["RELU_BENEFITS"]}),
])
def test_a_marked_markdown_cell_becomes_the_text_answer(cell):
    module, _ = notebook.to_module("hw1.ipynb", _bytes(new_code_cell("a = 1"), cell))
    ns: dict = {}
    exec(module.cells[-1].source, ns)
    assert ns["RELU_BENEFITS"] == "It does not saturate."
    assert module.cells[-1].number == 2


def test_other_markdown_cells_are_not_answers():
    for text in ("## RELU vs sigmoid\nsome notes", "# MLP\nthe class below", "RELU_BENEFITS are discussed below"):
        assert notebook.markdown_answer(new_markdown_cell(text)) is None


def test_a_later_code_cell_overrides_a_markdown_answer():
    module, _ = notebook.to_module("hw1.ipynb", _bytes(new_markdown_cell("RELU_BENEFITS:\nfirst"),
                                                       new_code_cell("RELU_BENEFITS = 'second'")))
    ns: dict = {}
    for c in module.cells:
        exec(c.source, ns)
    assert ns["RELU_BENEFITS"] == "second"


# ------------------------------------------------------------------------------------------------- bad files
@pytest.mark.parametrize("data", [b"", b"{\"cells\": [", b"not json at all", "{}".encode()])
def test_a_file_that_is_not_a_notebook_raises_a_clear_error(data):
    with pytest.raises(SubmissionError) as e:
        notebook.to_module("hw1.ipynb", data)
    assert "hw1.ipynb" in str(e.value) and ("resubmit" in str(e.value) or "no code cells" in str(e.value))


def test_a_notebook_without_code_cells_raises():
    with pytest.raises(SubmissionError, match="no code cells"):
        notebook.to_module("hw1.ipynb", _bytes(new_markdown_cell("only text"),
                                               new_code_cell("x = 1", metadata={"tags": ["skip-grading"]})))


def test_malformed_tags_are_no_tags():
    nb = json.loads(_bytes(new_code_cell("a = 1"), new_code_cell("b = 2")))
    nb["cells"][0]["metadata"] = {"tags": 5}
    nb["cells"][1]["metadata"] = {"tags": [3, "skip-grading"]}
    module, notes = notebook.to_module("hw1.ipynb", json.dumps(nb).encode())
    assert [c.source for c in module.cells] == ["a = 1"] and notes


def test_a_loosely_valid_notebook_is_graded_with_a_note():
    nb = json.loads(_bytes(new_code_cell("a = 1")))
    nb["cells"][0]["unexpected_field"] = 1
    module, notes = notebook.to_module("hw1.ipynb", json.dumps(nb).encode())
    assert [c.source for c in module.cells] == ["a = 1"]
    assert notes and "graded anyway" in notes[0]


# ------------------------------------------------------------------------------------------------- graded
def _scores(report) -> dict[str, float]:
    return {i.id: i.score for i in report.items}


def test_the_notebook_sample_grades_like_the_equivalent_folder(graded):
    nb, folder = graded("correct_notebook"), graded("correct_theory_fall2020")
    assert _scores(nb) == _scores(folder)
    assert nb.score == nb.max_score


def test_a_failing_cell_is_reported_with_its_number_and_the_run_goes_on(graded):
    report = graded("correct_notebook")
    feedback = item(report, "1.1c_gradients").feedback
    assert "hw1.ipynb cell 8" in feedback          # the plotting cell (losses was never computed)
    assert item(report, "1.1c_gradients").status == "passed"
    assert "cell 7" not in feedback                # tagged skip-grading: its endless loop never ran


def test_a_cut_off_notebook_scores_zero_with_a_message(graded):
    report = graded("broken_notebook_invalid")
    assert report.score == 0
    assert all(i.status == "error" and "not a valid Jupyter notebook" in i.feedback for i in report.items)


def test_a_notebook_can_write_and_import_a_module(tmp_path, sandbox):
    mlp = (SAMPLES / "correct_fall2020" / "mlp.py").read_text()
    data = _bytes(new_code_cell("%%writefile mlp.py\n" + mlp), new_code_cell("from mlp import MLP, mse_loss, bce_loss"))
    (tmp_path / "hw1.ipynb").write_bytes(data)
    rubric = load_rubric()
    rubric = rubric.only([i for i in rubric.items if i.id in ("2.forward", "2.mse_loss")])
    report = grade(tmp_path / "hw1.ipynb", rubric, sandbox=sandbox)
    assert report.score == report.max_score, [i.feedback for i in report.items]


def test_a_notebook_next_to_mlp_py_gives_only_the_theory(tmp_path, sandbox):
    shutil.copy(SAMPLES / "wrong_relu_mask" / "mlp.py", tmp_path / "mlp.py")
    shutil.copy(SAMPLES / "correct_notebook" / "hw1.ipynb", tmp_path / "hw1.ipynb")
    rubric = load_rubric()
    rubric = rubric.only([i for i in rubric.items if i.id in ("2.backward", "1.1c_gradients")])
    report = grade(tmp_path, rubric, sandbox=sandbox)
    assert item(report, "1.1c_gradients").status == "passed"
    assert item(report, "2.backward").status == "partial"      # the bug of mlp.py, not the notebook's MLP
    assert any("took theory from hw1.ipynb" in f for f in report.flags)
