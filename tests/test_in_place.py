"""Changing the caller's inputs in place: the rubric says what it costs (default: that case's checks fail)."""

import pytest

from grader.engine import grade
from grader.errors import RubricError
from grader.rubric import load_rubric
from grader.schemas.rubric import InPlace
from tests.conftest import SAMPLES, item

CHANGED = ("2.forward", "2.backward", "2.end_to_end", "2.clear_grad", "2.end_to_end_hidden")


def test_a_transpose_in_place_fails_every_check_it_touches_and_says_why(graded):
    report = graded("wrong_transposes_input_in_place")
    for item_id in CHANGED:
        it = item(report, item_id)
        assert it.score == 0 and "input_mutated" in [d.code for d in it.diagnoses], it.feedback
        assert "the value is right, but your code changed x" in it.feedback and "in place" in it.feedback
        assert not any(d.code in ("transposed", "follows_forward") for d in it.diagnoses), it.feedback
    for item_id in ("2.mse_loss", "2.bce_loss"):
        assert item(report, item_id).score == item(report, item_id).max_score


def test_parameters_changed_by_backward_count_as_inputs_changed(graded):
    report = graded("wrong_updates_weights_in_backward")
    it = item(report, "2.backward")
    assert it.score == 0 and "the parameters W1, b1, W2, b2 (net.parameters)" in it.feedback
    assert item(report, "2.forward").score == item(report, "2.forward").max_score


@pytest.mark.parametrize("cost,kept", [(0.25, 0.75), (0.0, 1.0)])
def test_a_rubric_can_charge_a_fraction_instead(sandbox, cost, kept):
    rubric = load_rubric().model_copy(update={"in_place": InPlace(cost=cost)})
    report = grade(SAMPLES / "wrong_transposes_input_in_place", rubric, sandbox=sandbox)
    for item_id in CHANGED:
        it = item(report, item_id)
        assert it.score == pytest.approx(kept * it.max_score), (item_id, it.feedback)
        assert "input_mutated" in [d.code for d in it.diagnoses]
        assert all(c.passed for c in it.checks)
        if cost:
            assert it.status == "partial" and f"costs {cost:.0%} of this item's points" in it.feedback


def test_an_item_can_have_its_own_rule(sandbox):
    base = load_rubric()
    items = [i.model_copy(update={"in_place": InPlace(cost=0.0)}) if i.id == "2.forward" else i for i in base.items]
    report = grade(SAMPLES / "wrong_transposes_input_in_place", base.only(items),
                   sandbox=sandbox)
    assert item(report, "2.forward").score == item(report, "2.forward").max_score
    assert item(report, "2.backward").score == 0


def test_correct_work_changes_nothing_in_place(graded):
    for name in ("correct_fall2020", "correct_column_major", "correct_float64", "correct_numpy_inside"):
        assert not any(d.code == "input_mutated" for i in graded(name).items for d in i.diagnoses), name


def test_the_rule_is_validated(tmp_path):
    text = (SAMPLES.parent / "rubrics" / "fall2020.toml").read_text()
    bad = tmp_path / "r.toml"
    bad.write_text(text.replace('[limits]', '[in_place]\ncost = 2.5\n\n[limits]'))
    with pytest.raises(RubricError, match=r"in_place\.cost"):
        load_rubric(bad)
