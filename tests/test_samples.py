"""Every Part 2 sample gets exactly its pinned scores: correct ones full marks, wrong ones lose points only in the
items (and configurations) their bug touches."""

import pytest

from tests.conftest import SAMPLES, item

#: Part 2 items a sample does NOT get full marks on, with the score it gets; every other Part 2 item is full.
PINNED = {
    "broken_exception_at_import": {"2.mse_loss": 0, "2.bce_loss": 0, "2.forward": 0, "2.backward": 0, "2.end_to_end": 0, "2.clear_grad": 0, "2.end_to_end_hidden": 0},
    "broken_missing_name": {"2.bce_loss": 0, "2.end_to_end": 6, "2.end_to_end_hidden": 3.75},
    "broken_syntax_error": {"2.mse_loss": 0, "2.bce_loss": 0, "2.forward": 0, "2.backward": 0, "2.end_to_end": 0, "2.clear_grad": 0, "2.end_to_end_hidden": 0},
    "correct_accumulate_with_clear": {},
    "correct_backward_returns": {},
    "correct_column_major": {},
    "correct_fall2020": {},
    "correct_float64": {},
    "correct_numpy_inside": {},
    "correct_relu_ge0": {},
    "correct_spring2021": {},
    "correct_with_plotting": {},
    "wrong_batch1_only": {"2.backward": 0, "2.end_to_end": 0, "2.clear_grad": 0, "2.end_to_end_hidden": 0},
    "wrong_bce_sign": {"2.bce_loss": 2.5, "2.end_to_end": 6, "2.end_to_end_hidden": 3.75},
    "wrong_bias_not_summed": {"2.backward": 7.5, "2.end_to_end": 5, "2.end_to_end_hidden": 2.5},
    "wrong_grads_accumulate": {"2.clear_grad": 0},
    "wrong_identity_as_relu": {"2.forward": 4.4444, "2.backward": 6.6667, "2.end_to_end": 4, "2.clear_grad": 2.5, "2.end_to_end_hidden": 3.75},
    "wrong_mean_in_backward": {"2.mse_loss": 2.5, "2.bce_loss": 2.5, "2.backward": 0},
    "wrong_forward_returns_tuple": {"2.forward": 0, "2.end_to_end": 0, "2.end_to_end_hidden": 0},
    "wrong_uses_autograd": {"2.backward": 0, "2.end_to_end": 0, "2.clear_grad": 0, "2.end_to_end_hidden": 0},
    "wrong_mse_missing_factor_2": {"2.mse_loss": 2.5, "2.end_to_end": 4, "2.end_to_end_hidden": 1.25},
    "wrong_mse_missing_mean": {"2.mse_loss": 2.5, "2.end_to_end": 4, "2.end_to_end_hidden": 1.25},
    "wrong_mutates_input": {"2.forward": 0, "2.backward": 0, "2.end_to_end": 0, "2.clear_grad": 0, "2.end_to_end_hidden": 0},
    "wrong_transposes_input_in_place": {"2.forward": 0, "2.backward": 0, "2.end_to_end": 0, "2.clear_grad": 0, "2.end_to_end_hidden": 0},
    "wrong_updates_weights_in_backward": {"2.backward": 0, "2.end_to_end": 0, "2.clear_grad": 0, "2.end_to_end_hidden": 0},
    "correct_unused_imports": {},
    "wrong_uses_missing_package": {"2.forward": 0, "2.backward": 0, "2.end_to_end": 0, "2.clear_grad": 0, "2.end_to_end_hidden": 0},
    "correct_numpy_layers": {},
    "wrong_autograd_behind_alias": {"2.backward": 0, "2.end_to_end": 0, "2.clear_grad": 0, "2.end_to_end_hidden": 0},
    "wrong_relu_mask": {"2.backward": 10.0, "2.end_to_end": 7, "2.end_to_end_hidden": 1.25},
    "wrong_sigmoid_derivative_at_activation": {"2.backward": 8.3333, "2.end_to_end": 5, "2.end_to_end_hidden": 1.875},
    "wrong_sigmoid_missing_derivative": {"2.backward": 8.3333, "2.end_to_end": 5, "2.end_to_end_hidden": 1.875},
    "wrong_transposed_weight_grad": {"2.backward": 8.3333, "2.end_to_end": 6, "2.end_to_end_hidden": 2.5},
}

#: For wrong samples: every failing check's configuration must mention this (the bug's trigger).
TRIGGER = {
    "wrong_relu_mask": "relu",
    "wrong_sigmoid_derivative_at_activation": "sigmoid",
    "wrong_sigmoid_missing_derivative": "sigmoid",
    "wrong_identity_as_relu": "identity",
    "wrong_bce_sign": "bce",
    "wrong_mse_missing_mean": "mse",
    "wrong_mse_missing_factor_2": "mse",
}


def test_every_mlp_sample_is_pinned():
    on_disk = {p.name for p in SAMPLES.iterdir()
               if (p / "mlp.py").is_file() and not (p / "theory.py").exists() and not p.name.startswith("adversarial")
               and "written" not in p.name}  # the written samples: tests/written/test_written_samples.py
    assert on_disk <= set(PINNED), f"pin these samples: {sorted(on_disk - set(PINNED))}"


@pytest.mark.parametrize("name", sorted(PINNED))
def test_part2_scores_are_pinned(graded, name):
    report = graded(name)
    part2 = {i.id: i for i in report.items if i.id.startswith("2.")}
    for item_id, it in part2.items():
        want = PINNED[name].get(item_id, it.max_score)
        assert it.score == pytest.approx(want, abs=1e-3), f"{name} {item_id}: {it.feedback}"


@pytest.mark.parametrize("name", sorted(n for n in PINNED if n.startswith("correct_")))
def test_correct_samples_get_full_marks_and_no_diagnosis(graded, name):
    report = graded(name)
    for it in report.items:
        if it.id.startswith("2."):
            assert it.status == "passed" and not it.diagnoses and it.error is None, it.feedback


@pytest.mark.parametrize("name", sorted(TRIGGER))
def test_wrong_samples_fail_only_where_their_bug_applies(graded, name):
    report = graded(name)
    failed = [(i.id, c) for i in report.items if i.id.startswith("2.") for c in i.checks if not c.passed]
    assert failed
    for item_id, c in failed:
        assert TRIGGER[name] in c.config, f"{name} failed {item_id} {c.quantity} [{c.config}]"


@pytest.mark.parametrize("name", ["broken_syntax_error", "broken_exception_at_import"])
def test_a_submission_that_does_not_import_scores_zero_and_shows_the_line(graded, name):
    report = graded(name)
    assert sum(i.score for i in report.items if i.id.startswith("2.")) == 0
    for it in report.items:
        if it.id.startswith("2."):
            assert it.status == "error" and "mlp.py, line" in it.feedback, it.feedback


def test_syntax_error_feedback_names_the_line(graded):
    fb = item(graded("broken_syntax_error"), "2.forward").feedback
    assert "SyntaxError" in fb and "line 54" in fb and "def backward(self, dJdy_hat)" in fb


def test_missing_name_costs_only_the_items_that_need_it(graded):
    report = graded("broken_missing_name")
    assert "bce_loss" in item(report, "2.bce_loss").feedback
    assert item(report, "2.mse_loss").status == "passed"
    assert item(report, "2.backward").status == "passed"


def test_a_wrong_return_type_is_named_with_the_shape_expected(graded):
    fb = item(graded("wrong_forward_returns_tuple"), "2.forward").feedback
    assert "y_hat must be a tensor of shape (" in fb and "got a tuple of 2 values" in fb
