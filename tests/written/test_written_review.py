"""Written answers meet the review desk: a provisional written item carries the answer as the student wrote it,
and equal sheets of two students are one group to decide once."""

from __future__ import annotations

from grader.reporters.rows import Row, Student
from grader.review import queue
from grader.rubric import load_rubric
from tests.conftest import item


def test_provisional_written_items_carry_their_answer_and_group_across_students(graded):
    report = graded("damaged_written_converter")
    it = item(report, "1.1c_gradients")
    assert it.provisional and it.answer is not None and it.answer.format == "markdown"
    unread = next(c for c in it.written if c.status == "unread")
    assert unread.text in it.answer.text and "not read" in it.answer.text and "line" not in it.answer.text
    rows = [Row("s1", (Student("Ada L"),), report), Row("s2", (Student("Bo K"),), report)]
    groups = queue.build(rows, load_rubric("fall2020"), {})
    mine = [g for g in groups if g.item_id == "1.1c_gradients"]
    assert len(mine) == 1 and [a.entry for a in mine[0].answers] == ["s1", "s2"]
    # a sheet read with confidence sends nothing of it to review but the free text
    clean = graded("correct_written_markdown_fall2020")
    groups = queue.build([Row("s3", (Student("Cy D"),), clean)], load_rubric("fall2020"), {})
    assert {g.item_id for g in groups} == {"1.2c_relu_benefits"}
