"""Unused imports of packages the grader does not have: stand-ins that fail only when really used."""

import pytest

from grader.engine import grade
from grader.errors import RubricError
from grader.rubric import load_rubric
from sandbox_helpers import SAMPLES

PART2 = ("2.mse_loss", "2.bce_loss", "2.forward", "2.backward", "2.end_to_end", "2.clear_grad", "2.end_to_end_hidden")


def _item(report, item_id):
    return next(i for i in report.items if i.id == item_id)


def test_unused_imports_of_missing_packages_cost_nothing_and_are_noted(sandbox):
    report = grade(SAMPLES / "correct_unused_imports", sandbox=sandbox)
    assert all(_item(report, i).score == _item(report, i).max_score for i in PART2)
    stand_ins = [n for n in report.notes if "stand-in" in n]
    assert len(stand_ins) == 1  # (the other note: this sample has no Part 1)
    note = stand_ins[0]
    for name in ("pandas", "seaborn", "tqdm", "IPython", "sklearn"):
        assert name in note
    assert "stand-in" in note and note.startswith("mlp.py imports")


def test_a_package_really_used_fails_with_a_message_naming_the_use(sandbox):
    report = grade(SAMPLES / "wrong_uses_missing_package", sandbox=sandbox)
    for item_id in ("2.forward", "2.backward", "2.end_to_end", "2.clear_grad"):
        it = _item(report, item_id)
        assert it.score == 0 and "your code uses pandas.DataFrame, but pandas is not installed" in it.feedback
    assert _item(report, "2.mse_loss").score == _item(report, "2.mse_loss").max_score


def test_a_package_not_on_the_list_still_stops_the_import(sandbox, tmp_path):
    src = (SAMPLES / "correct_fall2020" / "mlp.py").read_text()
    (tmp_path / "mlp.py").write_text("import definitely_not_a_package_here\n" + src)
    report = grade(tmp_path, sandbox=sandbox)
    it = _item(report, "2.forward")
    assert it.score == 0 and "No module named 'definitely_not_a_package_here'" in it.feedback


def test_a_use_at_import_time_fails_the_import_with_the_message(sandbox, tmp_path):
    src = (SAMPLES / "correct_fall2020" / "mlp.py").read_text()
    (tmp_path / "mlp.py").write_text("import pandas as pd\npd.set_option('display.width', 200)\n" + src)
    report = grade(tmp_path, sandbox=sandbox)
    it = _item(report, "2.forward")
    assert it.score == 0 and "could not be imported" in it.feedback and "pandas.set_option" in it.feedback


def test_an_installed_package_is_always_the_real_one(sandbox, tmp_path):
    """numpy and matplotlib are installed: never stood in for, even when a rubric lists them (refused)."""
    src = (SAMPLES / "correct_fall2020" / "mlp.py").read_text()
    (tmp_path / "mlp.py").write_text("import matplotlib.pyplot as plt\nplt.figure()\nplt.close('all')\n" + src)
    report = grade(tmp_path, sandbox=sandbox)
    assert not [n for n in report.notes if "stand-in" in n]
    assert _item(report, "2.forward").score == _item(report, "2.forward").max_score


def test_an_empty_list_turns_the_stand_ins_off(sandbox):
    rubric = load_rubric()
    rubric = rubric.model_copy(update={"packages": rubric.packages.model_copy(update={"stand_in": []})})
    report = grade(SAMPLES / "correct_unused_imports", rubric, sandbox=sandbox)
    assert _item(report, "2.forward").score == 0 and "No module named 'pandas'" in _item(report, "2.forward").feedback


@pytest.mark.parametrize("bad,field", [('stand_in = ["torch"]', "stand_in"), ('stand_in = ["not a name"]', "stand_in"),
                                       ('install = ["pandas; rm -rf /"]', "install")])
def test_the_lists_are_validated(tmp_path, bad, field):
    text = (SAMPLES.parent / "rubrics" / "fall2020.toml").read_text()
    path = tmp_path / "r.toml"
    path.write_text(text.replace("[limits]", f"[packages]\n{bad}\n\n[limits]"))
    with pytest.raises(RubricError, match=rf"packages\.{field}"):
        load_rubric(path)
