"""The review queue: which items are flagged, how answers are grouped (and how other code adds a grouping key),
what is left; and the answer text the trusted side keeps for the reviewer."""

from __future__ import annotations

import hashlib

import pytest

from grader.batch.store import Store
from grader.reporters.rows import Row
from grader.review import overrides, queue
from grader.rubric import load_rubric
from grader.schemas import ItemResult
from grader.schemas.report import Answer
from review_helpers import ITEM, SAMPLES


@pytest.fixture
def rubric():
    return load_rubric("fall2020")


def _answer(text: str) -> Answer:
    return Answer(text=text, sha256=hashlib.sha256(text.encode()).hexdigest(), chars=len(text))


def _result(text: str | None, score: float = 1.0, **more) -> ItemResult:
    return ItemResult(id=ITEM, title="RELU_BENEFITS", score=score, max_score=4.0, status="partial",
                      visibility="visible", feedback="1 of 4 checks passed.", provisional=text is not None,
                      answer=_answer(text) if text is not None else None, **more)


def test_the_batch_keeps_the_answer_of_a_provisional_item(graded_class):
    _, out = graded_class
    store = Store(out)
    written = (SAMPLES / "wrong_theory_relu_benefits_vague" / "theory.py").read_text()
    item = next(i for i in store.load_report("carol").items if i.id == ITEM)
    assert item.provisional and item.answer is not None and item.answer.text in written
    assert item.answer.sha256 == hashlib.sha256(item.answer.text.encode()).hexdigest()
    dan = next(i for i in store.load_report("dan").items if i.id == ITEM)  # no theory.py: an error, no answer
    assert dan.status == "error" and not dan.provisional and dan.answer is None


def test_answers_that_read_the_same_are_one_group(graded_class):
    _, out = graded_class
    store = Store(out)
    groups = queue.build(store.rows(), store.rubric(), {})
    assert [[a.entry for a in g.answers] for g in groups] == [["alice", "bob"], ["carol"]]
    assert {g.item_id for g in groups} == {ITEM} and not any(g.decided for g in groups)
    p = queue.progress(groups)
    assert (p.answers, p.groups, p.answers_left, p.groups_left, p.stale) == (3, 2, 3, 2, 0)
    assert p.sentence() == "3 of 3 answers left to review, in 2 of 2 groups."


def test_decided_answers_and_stale_overrides_count_in_the_progress(rubric):
    rows = [Row("a", (), None), *(Row(n, (), _report(rubric, _result(t))) for n, t in
                                  (("b", "Cheap."), ("c", "cheap"), ("d", "Vanishing gradients.")))]
    b = next(i for i in rows[1].report.items if i.id == ITEM)
    d = next(i for i in rows[3].report.items if i.id == ITEM)
    decided = {("b", ITEM): overrides.make("b", b, 2, "", "r"),
               ("d", ITEM): overrides.make("d", d, 3, "", "r").model_copy(update={"answer_sha256": "0" * 64})}
    groups = queue.build(rows, rubric, decided)
    assert [[a.entry for a in g.answers] for g in groups] == [["b", "c"], ["d"]]
    p = queue.progress(groups)
    assert (p.answers_left, p.groups_left, p.stale) == (2, 2, 1)  # c is left in its group; d's answer changed
    assert "1 override stale" in p.sentence()


def _report(rubric, item: ItemResult):
    from grader.schemas import Report

    return Report(submission="x", rubric=rubric.edition, grader_version="t", score=item.score,
                  max_score=rubric.max_score, items=[item])


def test_flagged_items(rubric):
    manual = next(i for i in rubric.items if i.id == ITEM)
    other = next(i for i in rubric.items if not i.manual_review)
    plain = _result(None).model_copy(update={"feedback": "3 of 4 checks passed."})
    assert queue.is_flagged(_result("x"), other)  # provisional
    assert queue.is_flagged(plain, manual)  # the rubric asks for a review
    assert not queue.is_flagged(plain.model_copy(update={"status": "error"}), manual)  # it did not run
    assert queue.is_flagged(plain.model_copy(update={"feedback": "A provisional score."}), other)
    assert not queue.is_flagged(plain, other)
    assert queue.is_flagged(plain, other, {ITEM})  # a flag of the report asks for a person


def test_a_flag_of_the_report_puts_its_item_in_the_queue(rubric):
    plain = _result(None).model_copy(update={"feedback": "4 of 4 checks passed.", "id": "2.backward"})
    report = _report(rubric, plain).model_copy(update={"flags": [
        "2.backward: the code may use autograd (line 3), but none ran while it was graded: score kept, to be "
        "reviewed by hand", "unreadable submission: nothing"]})
    assert queue.flagged_by_report(report) == {"2.backward"}
    groups = queue.build([Row("a", (), report)], rubric, {})
    assert [(g.item_id, [a.entry for a in g.answers]) for g in groups] == [("2.backward", ["a"])]


def test_other_code_can_add_a_grouping_key(rubric):
    rows = [Row(n, (), _report(rubric, _result(t))) for n, t in (("a", "$J = y^2$"), ("b", "J=y**2"), ("c", "no"))]
    assert len(queue.build(rows, rubric, {})) == 3

    def formula(result: ItemResult) -> str | None:  # e.g. a parser of formulas
        text = result.answer.text if result.answer else ""
        return "formula:J=y^2" if text.replace(" ", "").replace("**", "^").strip("$") == "J=y^2" else None

    queue.register_key(formula)
    try:
        groups = queue.build(rows, rubric, {})
        assert [[a.entry for a in g.answers] for g in groups] == [["a", "b"], ["c"]]
    finally:
        queue._KEYS.remove(formula)


def test_normalised_text_ignores_case_spacing_and_punctuation():
    assert queue.normalise("ReLU: *cheap*,  and\nfast!") == queue.normalise("relu cheap and fast")
    assert queue.normalise("relu is cheap") != queue.normalise("relu is not cheap")


def test_a_long_answer_is_cut_for_the_report_and_hashed_whole():
    from grader.checks.answers import kept_answer
    from grader.schemas.report import ANSWER_CHARS

    long = "relu " * ANSWER_CHARS
    kept = kept_answer(long)
    assert len(kept.text) == ANSWER_CHARS and kept.chars == len(long)
    assert kept.sha256 == hashlib.sha256(long.encode()).hexdigest()
    assert kept_answer(long + "!").sha256 != kept.sha256  # a change past the cut still makes a review stale
