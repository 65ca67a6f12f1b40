"""Report -> Gradescope results.json: one test per item, visibility, late scaling, failure results."""

from __future__ import annotations

import json

import pytest

from grader.reporters.gradescope_results import failure_results, to_json, to_results
from grader.rubric import load_rubric
from grader.schemas import ItemResult, Report
from grader.schemas.gradescope import Results


@pytest.fixture(scope="module")
def report() -> Report:
    rubric = load_rubric("fall2020")
    items = []
    for k, it in enumerate(rubric.items):
        score = it.points if k % 3 else it.points / 2
        items.append(ItemResult(id=it.id, title=it.title, score=score, max_score=it.points,
                                status="passed" if score == it.points else "partial", visibility=it.visibility,
                                feedback=f"full feedback {it.id}",
                                student_feedback=f"student view {it.id}" if it.visibility != "visible" else ""))
    return Report(submission="s", rubric="fall2020", grader_version="9.9", score=sum(i.score for i in items),
                  max_score=rubric.max_score, items=items, output="printed by student\nduring a hidden item\n",
                  student_output="printed by student\n", flags=["integrity: x"])


def test_one_test_per_item_with_the_items_visibility(report):
    res = Results.model_validate_json(to_json(to_results(report, execution_time=3.14159)))
    assert [t.number for t in res.tests] == [i.id for i in report.items]
    for t, i in zip(res.tests, report.items):
        assert (t.name, t.score, t.max_score, t.visibility) == (i.title, i.score, i.max_score, i.visibility)
        assert t.status == ("passed" if i.score == i.max_score else "failed")
        assert t.output == (f"student view {i.id}" if i.visibility != "visible" else f"full feedback {i.id}")
    assert res.stdout_visibility == "hidden"
    assert res.execution_time is None  # with hidden items, how long grading took could tell about them
    visible = report.model_copy(update={"items": [i for i in report.items if i.visibility == "visible"]})
    assert Results.model_validate_json(to_json(to_results(visible, execution_time=3.14159))).execution_time == 3.14
    assert res.score is None  # Gradescope sums the tests
    assert "printed by student" in res.output and "integrity" not in res.output
    assert "during a hidden item" not in res.output


def test_late_factor_scales_every_test_and_says_so(report):
    res = to_results(report, factor=0.8, late_note="Submitted 2 h late: keeps 80%.")
    assert sum(t.score for t in res.tests) == pytest.approx(0.8 * report.score)
    assert "Submitted 2 h late" in res.output
    scored = next(t for t in res.tests if t.score)
    assert scored.output.startswith("Submitted 2 h late") and "x 0.8" in scored.output
    assert [t.status for t in res.tests] == [t.status for t in to_results(report).tests]  # correctness unchanged


def test_json_has_no_nulls_and_only_spec_fields(report):
    data = json.loads(to_json(to_results(report)))
    assert set(data) <= {"score", "execution_time", "output", "output_format", "test_output_format",
                         "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
    assert all(v is not None for t in data["tests"] for v in t.values())


def test_failure_results_visible_note_and_hidden_traceback():
    try:
        raise RuntimeError("rubric exploded")
    except RuntimeError as e:
        res = Results.model_validate_json(to_json(failure_results(e, execution_time=1.0)))
    visible, hidden = res.tests
    assert visible.name == "Autograder failed" and visible.visibility == "visible"
    assert "contact the course staff" in visible.output and "rubric exploded" not in visible.output
    assert hidden.visibility == "hidden" and "RuntimeError: rubric exploded" in hidden.output
    assert "Traceback" in hidden.output
    assert res.score == 0.0


def test_results_model_rejects_what_gradescope_would_not_take():
    with pytest.raises(ValueError):
        Results.model_validate({"tests": [{"name": "x", "status": "partial"}]})
    with pytest.raises(ValueError):
        Results.model_validate({"tests": [{"name": "x", "visibility": "secret"}]})
    with pytest.raises(ValueError):
        Results.model_validate({"scores": 1})
