"""The written samples (Markdown, LaTeX, a notebook's markdown, PDF): each gets exactly its pinned Part 1 scores,
correct sheets full marks, wrong ones lose only in the items their mistake touches, with the mistake named; what the
grader cannot read is flagged for a person with its text, never silently scored 0."""

from __future__ import annotations

import pytest

from tests.conftest import SAMPLES, item

PART1 = ("1.1a_steps", "1.1a_train_step", "1.1b_forward", "1.1c_gradients", "1.1d_jacobians", "1.2a_sigmoid_mse",
         "1.2b_sigmoid_bce", "1.2c_relu_benefits")
#: the free-text answer is always the reader's to confirm (as with theory.py)
ALWAYS_PROVISIONAL = {"1.2c_relu_benefits"}

#: sample -> Part 1 items it does NOT get full marks on, with its score; every other Part 1 item is full
PINNED: dict[str, dict[str, float]] = {
    "correct_written_headings": {},
    "correct_written_latex_spring2021": {},
    "correct_written_macros": {},
    "correct_written_markdown_fall2020": {},
    "correct_written_notebook": {},
    "correct_written_numerator_layout": {},
    "written_pdf_text_layer": {},
    "wrong_written_bce_sign": {"1.2b_sigmoid_bce": 4.6667},
    "wrong_written_missing_half": {"1.1b_forward": 4, "1.1c_gradients": 0, "1.1d_jacobians": 3.3333,
                                   "1.2a_sigmoid_mse": 4},
    "wrong_written_missing_transpose": {"1.1c_gradients": 7.5, "1.2b_sigmoid_bce": 7.3333},
    "wrong_written_sigmoid_derivative_at_activation": {"1.2a_sigmoid_mse": 4, "1.2b_sigmoid_bce": 4},
    "wrong_written_transposed_grad": {"1.1c_gradients": 7.5, "1.2b_sigmoid_bce": 7.3333},
    "damaged_written_converter": {"1.1c_gradients": 7.5, "1.1d_jacobians": 3.3333, "1.2b_sigmoid_bce": 7.3333},
    "unreadable_written": {i: 0 for i in PART1},
    "written_pdf_scan": {i: 0 for i in PART1},
}
#: sample -> items whose score waits for a person (besides the free text)
PROVISIONAL = {
    "damaged_written_converter": {"1.1b_forward", "1.1c_gradients", "1.1d_jacobians", "1.2b_sigmoid_bce"},
    "written_pdf_text_layer": {"1.1b_forward", "1.1c_gradients", "1.1d_jacobians", "1.2a_sigmoid_mse",
                               "1.2b_sigmoid_bce"},
    "unreadable_written": set(PART1),
    "written_pdf_scan": set(PART1),
}
#: the named mistake of each wrong sample, on every item it touches
NAMED = {
    "wrong_written_bce_sign": ("sign_flipped", {"1.2b_sigmoid_bce"}),
    "wrong_written_missing_half": ("mse_convention", {"1.1b_forward", "1.1c_gradients", "1.1d_jacobians",
                                                      "1.2a_sigmoid_mse"}),
    "wrong_written_missing_transpose": ("missing_transpose", {"1.1c_gradients", "1.2b_sigmoid_bce"}),
    "wrong_written_sigmoid_derivative_at_activation": ("sigmoid_derivative_at_activation",
                                                       {"1.2a_sigmoid_mse", "1.2b_sigmoid_bce"}),
    "wrong_written_transposed_grad": ("transposed", {"1.1c_gradients", "1.2b_sigmoid_bce"}),
}


def test_every_written_sample_is_pinned():
    on_disk = {p.name for p in SAMPLES.iterdir() if "written" in p.name}
    assert on_disk == set(PINNED)
    assert len(PINNED) >= 14


@pytest.mark.parametrize("name", sorted(PINNED))
def test_written_sample_scores_are_pinned(graded, name):
    report = graded(name)
    for item_id in PART1:
        it = item(report, item_id)
        want = PINNED[name].get(item_id, it.max_score)
        assert it.score == pytest.approx(want, abs=1e-3), f"{name} {item_id}: {it.feedback}"
    for it in report.items:  # Part 2 (mlp.py) is correct in every written sample
        if it.id.startswith("2."):
            assert it.score == it.max_score, f"{name} {it.id}: {it.feedback}"


@pytest.mark.parametrize("name", sorted(PINNED))
def test_provisional_items_are_the_ones_not_read_with_confidence(graded, name):
    report = graded(name)
    provisional = {i.id for i in report.items if i.provisional}
    assert provisional == PROVISIONAL.get(name, set()) | ALWAYS_PROVISIONAL


@pytest.mark.parametrize("name", sorted(NAMED))
def test_each_wrong_sheet_has_its_mistake_named_where_it_shows(graded, name):
    code, where = NAMED[name]
    report = graded(name)
    named = {i.id for i in report.items if any(d.code == code for d in i.diagnoses)}
    assert named == where, [(i.id, [d.code for d in i.diagnoses]) for i in report.items if i.diagnoses]
    assert all(it.score < it.max_score for it in report.items if it.id in where)


@pytest.mark.parametrize("name", sorted(n for n in PINNED if n.startswith("correct_") or n == "written_pdf_text_layer"))
def test_correct_sheets_show_what_was_read_and_name_no_mistake(graded, name):
    report = graded(name)
    for item_id in ("1.1b_forward", "1.1c_gradients", "1.1d_jacobians", "1.2a_sigmoid_mse", "1.2b_sigmoid_bce"):
        it = item(report, item_id)
        assert not it.diagnoses and "Read from " in it.feedback and "$" in it.feedback, it.feedback
        assert it.written and all(c.status in ("read", "guessed") for c in it.written), it.written


def test_train_step_takes_the_written_steps_fraction(graded):
    it = item(graded("correct_written_markdown_fall2020"), "1.1a_train_step")
    assert it.score == it.max_score and it.error is None and "1.1a_steps" in it.feedback


def test_damaged_cells_are_graded_where_read_and_flagged_with_their_text(graded):
    report = graded("damaged_written_converter")
    unread = [c for i in report.items for c in i.written if c.status == "unread"]
    guessed = [c for i in report.items for c in i.written if c.status == "guessed"]
    assert unread and guessed
    for c in unread:
        it = next(i for i in report.items if c in i.written)
        assert it.provisional and "NOT READ" in it.feedback and repr(c.text[:200]) in it.feedback
        assert any(f.startswith(it.id) and "reviewed by hand" in f for f in report.flags)
    # the cells it did read are graded: 1.1(b) and 1.2(a) are full although the sheet is damaged
    assert item(report, "1.1b_forward").score == 5 and item(report, "1.2a_sigmoid_mse").score == 8


def test_a_sheet_without_question_labels_is_one_flag_not_eight_zeros_in_silence(graded):
    report = graded("unreadable_written")
    flags = [f for f in report.flags if "written answers could not be read" in f]
    assert len(flags) == 1 and "a person will grade Part 1 by hand" in flags[0]
    assert all(item(report, i).provisional for i in PART1)


def test_a_pdf_without_text_is_flagged_as_a_whole_and_asks_for_the_source(graded):
    report = graded("written_pdf_scan")
    flags = [f for f in report.flags if "theory.pdf" in f]
    assert len(flags) == 1 and "no text layer" in flags[0] and ".md or .tex source" in flags[0]
    assert item(report, "format").score == item(report, "format").max_score  # theory.pdf is there


def test_a_pdf_with_a_text_layer_is_graded_item_by_item(graded):
    report = graded("written_pdf_text_layer")
    it = item(report, "1.1c_gradients")
    assert it.score == it.max_score and it.provisional  # flattened math read after guessing: a person confirms
    assert any(c.status == "guessed" and "flattened math" in c.note for c in it.written)


def test_no_theory_in_any_form_is_one_note_and_one_terminal_line(graded):
    from grader.reporters.terminal import render

    report = graded("correct_numpy_inside")
    assert [n for n in report.notes if n.startswith("Part 1: no theory answers")]
    assert not [f for f in report.flags if "Part 1" in f]
    text = render(report, student=False)
    assert text.count("Part 1 not handed in") == 1 and "8 items" in text


def test_the_answer_template_unfilled_is_read_cell_by_cell_as_blank(sandbox, tmp_path):
    """templates/answers.md: every cell found under its question and label; blank is 0 with nothing to review."""
    import shutil

    from grader.engine import grade
    from grader.rubric import load_rubric
    from tests.conftest import ROOT

    shutil.copy(ROOT / "templates" / "answers.md", tmp_path / "answers.md")
    shutil.copy(SAMPLES / "correct_fall2020" / "mlp.py", tmp_path / "mlp.py")
    report = grade(tmp_path, load_rubric("fall2020"), sandbox=sandbox)
    for item_id in ("1.1b_forward", "1.1c_gradients", "1.1d_jacobians", "1.2a_sigmoid_mse", "1.2b_sigmoid_bce"):
        it = item(report, item_id)
        assert it.score == 0 and not it.provisional and it.written
        assert {c.status for c in it.written} == {"blank"}, [(c.quantity, c.status, c.note) for c in it.written]
