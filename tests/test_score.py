"""Feedback cuts: full for the instructor; for the student, what the item's hint level allows."""

import numpy as np

from grader.cases import Case
from grader.compare import compare
from grader.rubric import load_rubric
from grader.schemas import Config, Diagnosis
from grader.score import score_item

RUBRIC = load_rubric()


def _comparisons():
    case = Case(Config(f="relu", g="identity", loss="mse"), 0, {"N": 2, "n": 3, "m": 4, "K": 1}, {})
    e = np.array([[0.25, -1.5, 2.0]])
    good = compare("dJdW1", case, e, e.copy(), RUBRIC.item("2.end_to_end").tolerance)
    bad = compare("dJdb1", case, e, e * 3, RUBRIC.item("2.end_to_end").tolerance)
    return [good, bad]


DIAG = [Diagnosis(code="missing_mean", quantities=["dJdb1"], message="dJdb1: N*K times too large.")]


def test_visible_item_shows_values_to_the_student():
    r = score_item(RUBRIC.item("2.end_to_end"), _comparisons(), DIAG)
    assert r.score == RUBRIC.item("2.end_to_end").points / 2 and r.status == "partial"
    assert "expected [-1.5, 2], got [-4.5, 6]" in r.feedback and r.student_feedback == r.feedback
    assert "Likely mistake: dJdb1: N*K times too large." in r.student_feedback


def test_hidden_item_hides_values_but_keeps_the_named_mistake():
    item = RUBRIC.item("2.end_to_end_hidden")
    assert item.hint_level == "diagnosis"
    r = score_item(item, _comparisons(), DIAG)
    assert "expected [-1.5, 2]" in r.feedback
    assert "expected [" not in r.student_feedback and "-4.5" not in r.student_feedback
    assert "Likely mistake" in r.student_feedback and "dJdb1 [f=relu" in r.student_feedback


def test_pass_fail_hint_level_shows_only_the_summary():
    item = RUBRIC.item("2.end_to_end_hidden").model_copy(update={"hints": "pass_fail"})
    r = score_item(item, _comparisons(), DIAG)
    assert r.student_feedback == "1 of 2 checks passed (dJdW1, dJdb1 over 4 configurations, 2 random cases each)."
