"""Every wrong sample gets its own named mistake in the items it breaks; correct samples get none."""

import pytest

from tests.conftest import SAMPLES, item

#: sample -> {item id: diagnosis code that must be among the item's diagnoses}
EXPECTED = {
    "wrong_relu_mask": {"2.backward": "relu_mask_missing", "2.end_to_end": "relu_mask_missing"},
    "wrong_sigmoid_missing_derivative": {"2.backward": "sigmoid_derivative_missing",
                                         "2.end_to_end": "sigmoid_derivative_missing"},
    "wrong_sigmoid_derivative_at_activation": {"2.backward": "sigmoid_derivative_at_activation",
                                               "2.end_to_end": "sigmoid_derivative_at_activation"},
    "wrong_transposed_weight_grad": {"2.backward": "transposed", "2.end_to_end": "transposed"},
    "wrong_bias_not_summed": {"2.backward": "bias_gradient_averaged", "2.end_to_end": "bias_gradient_averaged"},
    "wrong_mse_missing_mean": {"2.mse_loss": "missing_mean", "2.end_to_end": "missing_mean"},
    "wrong_mse_missing_factor_2": {"2.mse_loss": "missing_factor_2", "2.end_to_end": "missing_factor_2"},
    "wrong_bce_sign": {"2.bce_loss": "sign_flipped", "2.end_to_end": "sign_flipped"},
    "wrong_grads_accumulate": {"2.clear_grad": "gradients_accumulate"},
    "wrong_identity_as_relu": {"2.forward": "identity_as_relu", "2.backward": "follows_forward"},
    "wrong_batch1_only": {"2.backward": "batch_size_one_only", "2.end_to_end": "batch_size_one_only"},
    "wrong_mutates_input": {"2.forward": "input_mutated", "2.backward": "input_mutated"},
    "wrong_transposes_input_in_place": {"2.forward": "input_mutated", "2.backward": "input_mutated"},
    "wrong_updates_weights_in_backward": {"2.backward": "input_mutated", "2.end_to_end": "input_mutated"},
    "wrong_forward_returns_tuple": {"2.end_to_end": "follows_forward"},
    "wrong_mean_in_backward": {"2.mse_loss": "mean_in_backward", "2.bce_loss": "mean_in_backward",
                               "2.backward": "extra_mean"},
}

#: words the sentence must use, so that it names the quantity and the fix in the student's terms
WORDS = {
    "relu_mask_missing": ["mask", "z1 > 0"], "sigmoid_derivative_missing": ["s(z) * (1 - s(z))"],
    "sigmoid_derivative_at_activation": ["pre-activation"], "transposed": ["dJdz.T @ input"],
    "bias_gradient_averaged": ["sum", "dim 0"], "missing_mean": ["1/(N*K)"], "missing_factor_2": ["factor of 2"],
    "sign_flipped": ["sign"], "gradients_accumulate": ["clear_grad_and_cache"], "identity_as_relu": ["identity"],
    "batch_size_one_only": ["batch size 1"], "input_mutated": ["in place", "x"], "follows_forward": ["forward"],
    "mean_in_backward": ["backward", "dJdy_hat"], "extra_mean": ["N*K"],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_wrong_sample_gets_its_named_mistake(graded, name):
    report = graded(name)
    for item_id, code in EXPECTED[name].items():
        it = item(report, item_id)
        codes = [d.code for d in it.diagnoses]
        assert code in codes, f"{name} {item_id}: {codes}\n{it.feedback}"
        d = next(d for d in it.diagnoses if d.code == code)
        assert all(w in d.message for w in WORDS[code]), d.message
        assert f"Likely mistake: {d.message}" in it.feedback


def test_every_wrong_sample_is_covered():
    wrong = {p.name for p in SAMPLES.iterdir() if p.name.startswith("wrong_") and (p / "mlp.py").exists()
             and not (p / "theory.py").exists() and "written" not in p.name}  # written: tests/written
    assert wrong - {"wrong_uses_autograd", "wrong_autograd_behind_alias", "wrong_uses_missing_package"} <= set(EXPECTED)


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.iterdir() if p.name.startswith("correct_")))
def test_correct_samples_get_no_diagnosis(graded, name):
    report = graded(name)
    assert [(i.id, d.code) for i in report.items for d in i.diagnoses] == []


def test_diagnoses_name_the_quantities_they_explain(graded):
    it = item(graded("wrong_bias_not_summed"), "2.backward")
    d = next(d for d in it.diagnoses if d.code == "bias_gradient_averaged")
    assert d.quantities == ["dJdb1", "dJdb2"] and d.message.startswith("dJdb1, dJdb2:")
