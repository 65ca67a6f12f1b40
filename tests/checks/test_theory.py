"""Part 1 checks: randomized single points, train_step, FIVE_STEPS, RELU_BENEFITS and the hand-in format.

Unit tests first (expected values, detectors, text matching), then pinned scores of the theory samples.
"""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

import reference
from grader.checks import cases_for as make_cases
from grader.checks import CHECKS, answers, layout, theory
from grader.compare import compare
from grader.engine import grade
from grader.rubric import load_rubric
from tests.conftest import ROOT, SAMPLES, item

FALL, SPRING = load_rubric("fall2020"), load_rubric("spring2021")
THEORY_IDS = [i.id for i in FALL.items if i.module == "theory"]
POINT_KINDS = ("forward_pass", "gradients", "jacobians", "single_point")


def _cases(item_id: str, rubric=FALL, key: str = "k"):
    it = rubric.item(item_id)
    kind = CHECKS[it.check]
    conv = getattr(rubric.conventions, kind.convention)
    return [(c, kind.expected(c.config, c.inputs, conv), conv) for c in make_cases(it, rubric.seed, key)]


# ------------------------------------------------------------------------------------------------- kinds
def test_every_sandboxed_theory_kind_has_a_runner_of_the_same_name():
    tree = ast.parse((ROOT / "grader" / "sandbox" / "calls_theory.py").read_text())
    runners = next(n.value for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "RUNNERS")
    names = {k.value for k in runners.keys}
    used = {i.check for r in (FALL, SPRING) for i in r.items if i.module == "theory"}
    assert used <= names and names <= set(CHECKS)
    assert all(CHECKS[n].static is None for n in names) and CHECKS["format"].static is not None


@pytest.mark.parametrize("item_id", ["1.1b_forward", "1.1c_gradients", "1.1d_jacobians", "1.2a_sigmoid_mse",
                                     "1.2b_sigmoid_bce"])
def test_single_point_inputs_and_expected_shapes(item_id):
    sizes = set()
    for case, exp, _ in _cases(item_id):
        d, s = case.inputs, case.sizes
        assert d["x"].shape == (s["n"],) and d["y"].shape == (s["K"],) and s["N"] == 1
        assert np.array_equal(d["x"], d["x"].astype(np.float32))
        for k in ("W1", "b1", "W2", "b2"):
            if f"dl_d{k}" in exp:
                assert exp[f"dl_d{k}"].shape == d[k].shape
        if "dz2_dz1" in exp:
            assert exp["dz2_dz1"].shape == (s["m"], s["m"]) and exp["dl_dyhat"].shape == (s["K"],)
        sizes.add(s["K"])
    assert 1 in sizes and max(sizes) > 1          # K = 1 as in the homework, and K > 1


def test_the_theory_conventions_come_from_the_rubric():
    (case, fall, _), = _cases("1.1b_forward")[:1]
    spring = CHECKS["forward_pass"].expected(case.config, case.inputs, SPRING.conventions.theory)
    assert float(spring["loss"]) == pytest.approx(2 * float(fall["loss"]))
    y_hat, y = fall["y_hat"], case.inputs["y"]
    assert float(fall["loss"]) == pytest.approx(0.5 * np.sum((y_hat - y) ** 2))


def test_train_step_expected_is_one_torch_sgd_step_with_nn_losses():
    for case, exp, _ in _cases("1.1a_train_step"):
        d, cfg = case.inputs, case.config
        acts = {"relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid, "identity": torch.nn.Identity}
        model = torch.nn.Sequential(torch.nn.Linear(1, 1), acts[cfg.f](), torch.nn.Linear(1, 1), acts[cfg.g]()).double()
        params = [model[0].weight, model[0].bias, model[2].weight, model[2].bias]
        with torch.no_grad():
            for p, k in zip(params, ("W1", "b1", "W2", "b2")):
                p.data = torch.from_numpy(d[k].copy())
        opt = torch.optim.SGD(params, lr=float(d["lr"]))
        crit = {"mse": torch.nn.MSELoss(), "bce": torch.nn.BCELoss()}[cfg.loss]
        loss = crit(model(torch.from_numpy(d["x"].copy())), torch.from_numpy(d["y"].copy()))
        loss.backward()
        opt.step()
        assert float(exp["loss"]) == pytest.approx(loss.item(), rel=1e-10)
        for p, k in zip(params, ("W1", "b1", "W2", "b2")):
            np.testing.assert_allclose(exp[f"new_{k}"], p.detach().numpy(), rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------------------------------------- detectors
def _codes(kind: str, q: str, case, exp, received, conv) -> list[str]:
    c = compare(q, case, exp[q], np.asarray(received, dtype=np.float64), FALL.item("1.1b_forward").tolerance)
    assert not c.passed
    return [f.code for d in CHECKS[kind].detectors for f in d(kind, c, conv)]


def _multi_output(item_id: str):
    """A case with K > 1 and a non-square hidden layer, from the first submission key whose cases have one."""
    return next((c, e, v) for key in map(str, range(50)) for c, e, v in _cases(item_id, key=key)
                if c.sizes["K"] > 1 and c.sizes["m"] > 1 and c.sizes["m"] != c.sizes["n"])


def test_another_editions_convention_is_named():
    case, exp, conv = _multi_output("1.2b_sigmoid_bce")
    K = case.sizes["K"]
    assert "bce_convention" in _codes("single_point", "loss", case, exp, exp["loss"] / K, conv)
    case, exp, conv = _multi_output("1.1c_gradients")
    assert "mse_convention" in _codes("gradients", "dl_dW1", case, exp, 2 * exp["dl_dW1"], conv)


def test_a_flipped_sign_and_a_transposed_gradient_are_named():
    case, exp, conv = _multi_output("1.2b_sigmoid_bce")
    assert _codes("single_point", "dl_dyhat", case, exp, -exp["dl_dyhat"], conv)[0] == "sign_flipped"
    assert _codes("single_point", "dl_dW1", case, exp, exp["dl_dW1"].T, conv)[0] == "transposed"


def test_jacobian_mistakes_are_named():
    case, exp, conv = _multi_output("1.2a_sigmoid_mse")
    vector = np.diag(exp["dz2_dz1"])
    assert _codes("single_point", "dz2_dz1", case, exp, vector, conv) == ["jacobian_as_vector"]
    d = case.inputs
    z3 = d["W2"] @ reference.activate("sigmoid", d["W1"] @ d["x"] + d["b1"]) + d["b2"]
    at_output = np.diag(reference.derivative("sigmoid", reference.activate("sigmoid", z3)))
    assert _codes("single_point", "dyhat_dz3", case, exp, at_output, conv) == ["sigmoid_derivative_at_activation"]


def test_train_step_mistakes_are_named():
    case, exp, conv = _cases("1.1a_train_step")[0]
    d = case.inputs
    leaked = exp["new_W1"] - float(d["lr"]) * d["stale_W1"]
    assert _codes("train_step", "new_W1", case, exp, leaked, conv) == ["stale_gradients"]
    assert _codes("train_step", "new_b2", case, exp, d["b2"], conv) == ["no_update"]
    new = {k: exp[f"new_{k}"] for k in ("W1", "b1", "W2", "b2")}
    after = reference.loss(case.config.loss, d["y"], reference.forward(new, d["x"], case.config.f,
                                                                     case.config.g)["y_hat"])
    assert _codes("train_step", "loss", case, exp, after, conv) == ["loss_after_step"]


# ------------------------------------------------------------------------------------------------- FIVE_STEPS
STEPS = FALL.item("1.1a_steps").steps


@pytest.mark.parametrize("text,step", [
    ("Forward pass: y_hat = model(x)", "forward"), ("feed the batch through the network", "forward"),
    ("predict", "forward"), ("model.forward(x)", "forward"),
    ("loss = criterion(output, target)", "loss"), ("Compute the loss", "loss"), ("evaluate the cost", "loss"),
    ("optimizer.zero_grad()", "zero_grad"), ("Zero the parameter gradients", "zero_grad"),
    ("set the gradients to zero", "zero_grad"), ("clear old gradients", "zero_grad"),
    ("loss.backward()", "backward"), ("Backpropagation", "backward"), ("back-propagate the loss", "backward"),
    ("compute the gradients of the loss w.r.t. the parameters", "backward"),
    ("optimizer.step()", "step"), ("update the weights", "step"), ("take a step", "step"), ("step", "step"),
    ("gradient descent step", "step"),
])
def test_student_wordings_read_as_the_canonical_step(text, step):
    assert answers.match_step(text, STEPS).name == step


def test_numbered_steps_are_not_all_read_as_the_optimizer_step():
    assert answers.match_step("Step 1: forward pass", STEPS).name == "forward"


def _failed(answer: list[str]) -> list[str]:
    checks, _ = answers.step_checks(answer, STEPS)
    return [c.quantity for c in checks if not c.passed]


def test_zeroing_may_come_anywhere_before_backward():
    assert _failed(["zero_grad", "forward", "loss", "backward", "step"]) == []
    assert _failed(["forward", "loss", "zero_grad", "backward", "step"]) == []
    assert _failed(["forward", "loss", "backward", "zero_grad", "step"]) == ["zero_grad before backward"]


def test_order_mistakes_and_missing_steps_cost_only_their_checks():
    assert _failed(["zero_grad", "forward", "loss", "step", "backward"]) == ["backward before step"]
    assert _failed(["forward", "loss", "backward", "step"]) == ["zero_grad", "zero_grad before backward"]
    assert len(answers.step_checks([], STEPS)[0]) == 9


# ------------------------------------------------------------------------------------------------- RELU_BENEFITS
CONCEPTS = FALL.item("1.2c_relu_benefits").concepts


def _found(text: str) -> list[int]:
    return [i for i, c in enumerate(answers.concept_checks(text, CONCEPTS)) if c.passed]


def test_each_concept_is_found_in_its_own_words():
    assert _found("Sigmoid's derivative is at most 1/4, so the gradients vanish in deep nets.") == [0]
    assert _found("The derivative of ReLU is 1 for positive inputs.") == [1]
    assert _found("ReLU outputs are sparse.") == [2]
    assert _found("It is cheaper: no exponential.") == [3]
    assert _found("Because it is nonlinear and popular.") == []


def test_concepts_come_from_the_rubric_not_the_code():
    custom = FALL.item("1.2c_relu_benefits").model_copy(update={"concepts": CONCEPTS[:1]})
    assert len(answers.concept_checks("anything", custom.concepts)) == 1


def test_text_goes_through_the_array_channel_and_back():
    class Res:
        error = None
        outputs = {"RELU_BENEFITS": type("O", (), {"kind": "array", "key": "k", "message": ""})()}
    text = "ReLU' = 1 for z > 0 — no vanishing ∂ℓ/∂z"
    sent = np.frombuffer(json.dumps(text).encode(), dtype=np.uint8).astype(np.float64)  # as calls_theory._text
    value, why = answers.read_text(Res, "RELU_BENEFITS", {"k": sent})
    assert value == text and why == ""
    value, why = answers.read_text(Res, "RELU_BENEFITS", {"k": np.array([300.0, 1.5])})
    assert value is None and "cannot read" in why


# ------------------------------------------------------------------------------------------------- format
def _format_failed(files: list[str]) -> list[str]:
    rules = FALL.item("format").files
    return [c.quantity for c in layout.format_checks(files, rules.required, rules.optional) if not c.passed]


def test_format_wants_theory_pdf_and_mlp_py_or_a_notebook():
    assert _format_failed(["mlp.py", "theory.pdf", "theory.py"]) == []
    assert _format_failed(["Theory.PDF", "hw1.ipynb"]) == []
    assert _format_failed(["mlp.py", "theory.py"]) == ["theory.pdf"]
    assert _format_failed(["theory.pdf", "mlp.py", "notes.txt"]) == ["no other files"]
    assert _format_failed(["code/mlp.py", "theory.pdf"]) == ["mlp.py|*.ipynb", "no other files"]


# ------------------------------------------------------------------------------------------------- samples
#: Theory items a sample does NOT get full marks on, with its score there; every other item is full (Part 2 too).
PINNED = {
    "correct_theory_fall2020": {},
    "correct_theory_torch": {},
    "correct_theory_lists": {},
    "correct_theory_numpy_helpers": {},
    "correct_notebook": {},
    "wrong_theory_missing_half": {"1.1b_forward": 4, "1.1c_gradients": 0, "1.1d_jacobians": 3.3333,
                                  "1.2a_sigmoid_mse": 4},
    "wrong_theory_transposed_grad": {"1.1c_gradients": 5, "1.2a_sigmoid_mse": 6.6667, "1.2b_sigmoid_bce": 6.6667},
    "wrong_theory_sigmoid_derivative_at_activation": {"1.2a_sigmoid_mse": 4, "1.2b_sigmoid_bce": 4},
    "wrong_theory_bce_sign": {"1.2b_sigmoid_bce": 4.6667},
    "wrong_theory_jacobian_as_vector": {"1.1d_jacobians": 1.6667, "1.2a_sigmoid_mse": 6.6667,
                                        "1.2b_sigmoid_bce": 6.6667},
    "wrong_theory_steps_order": {"1.1a_steps": 2.6667},
    "wrong_theory_stale_grads": {"1.1a_train_step": 0.4},
    "wrong_theory_relu_benefits_vague": {"1.2c_relu_benefits": 1},
    "broken_theory_missing_jacobians": {"1.1d_jacobians": 0, "1.2a_sigmoid_mse": 6, "1.2b_sigmoid_bce": 6},
    "wrong_format_extra_files": {"format": 0.6667},
}
#: The named mistake each wrong sample must get, on the item where it shows first.
NAMED = {
    "wrong_theory_missing_half": ("1.1c_gradients", "mse_convention"),
    "wrong_theory_transposed_grad": ("1.1c_gradients", "transposed"),
    "wrong_theory_sigmoid_derivative_at_activation": ("1.2a_sigmoid_mse", "sigmoid_derivative_at_activation"),
    "wrong_theory_bce_sign": ("1.2b_sigmoid_bce", "sign_flipped"),
    "wrong_theory_jacobian_as_vector": ("1.1d_jacobians", "jacobian_as_vector"),
    "wrong_theory_stale_grads": ("1.1a_train_step", "stale_gradients"),
}


def test_every_theory_sample_is_pinned():
    on_disk = {p.name for p in SAMPLES.iterdir() if ((p / "theory.py").exists() or list(p.glob("*.ipynb")))
               and not p.name.startswith("adversarial") and "written" not in p.name}  # written: tests/written
    assert on_disk - {"spring2021_correct_theory", "broken_notebook_invalid"} <= set(PINNED)


@pytest.mark.parametrize("name", sorted(PINNED))
def test_theory_sample_scores_are_pinned(graded, name):
    report = graded(name)
    for it in report.items:
        want = PINNED[name].get(it.id, it.max_score)
        assert it.score == pytest.approx(want, abs=1e-3), f"{name} {it.id}: {it.feedback}"


@pytest.mark.parametrize("name", sorted(NAMED))
def test_theory_mistakes_are_named(graded, name):
    item_id, code = NAMED[name]
    assert code in [d.code for d in item(graded(name), item_id).diagnoses], item(graded(name), item_id).feedback


def test_the_spring2021_sample_gets_full_marks_with_its_rubric_and_not_with_fall2020(graded):
    assert graded("spring2021_correct_theory", "spring2021").score == SPRING.max_score
    fall = graded("spring2021_correct_theory", "fall2020")
    assert item(fall, "1.1c_gradients").score == 0
    assert item(fall, "1.1a_steps").score == 3 and item(fall, "2.backward").score == 15


def test_relu_benefits_is_marked_for_review(graded):
    report = graded("wrong_theory_relu_benefits_vague")
    it = item(report, "1.2c_relu_benefits")
    assert "1.2c_relu_benefits: provisional score, to be reviewed by hand" in report.flags
    assert "provisional" in it.feedback and "cheaper to compute" in it.feedback
    assert [c.passed for c in it.checks] == [False, False, False, True]


def test_a_part2_only_submission_scores_zero_on_theory(graded):
    report = graded("correct_fall2020")
    for item_id in THEORY_IDS:
        assert item(report, item_id).score == 0
        assert "no theory.py in the submission" in item(report, item_id).feedback
    assert not any("provisional" in f for f in report.flags)


@pytest.mark.parametrize("name,rubric", [("correct_theory_fall2020", FALL), ("correct_theory_torch", FALL),
                                         ("correct_theory_lists", FALL), ("spring2021_correct_theory", SPRING)])
def test_correct_styles_get_full_theory_marks_20_runs_in_a_row(sandbox, name, rubric):
    only = rubric.only([i for i in rubric.items if i.module == "theory"])
    for run in range(20):
        report = grade(SAMPLES / name, only.model_copy(update={"seed": f"run-{run}"}), sandbox=sandbox)
        assert report.score == report.max_score, [i.feedback for i in report.items if i.score < i.max_score]


def _theory_variant(tmp_path: Path, old: str, new: str) -> Path:
    shutil.copy(SAMPLES / "correct_theory_fall2020" / "mlp.py", tmp_path / "mlp.py")
    text = (SAMPLES / "correct_theory_fall2020" / "theory.py").read_text()
    assert old in text
    (tmp_path / "theory.py").write_text(text.replace(old, new))
    return tmp_path


def test_autograd_is_allowed_in_train_step_but_not_for_gradients(tmp_path, sandbox):
    autograd = '''def gradients(x, y, params, f, g, loss):
    import torch
    p = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    y_hat = p["W2"] @ torch.relu(p["W1"] @ torch.tensor(x) + p["b1"]) + p["b2"]
    (0.5 * ((y_hat - torch.tensor(y)) ** 2).sum()).backward()    # right values, but by autograd
    return {k: v.grad for k, v in p.items()}


def _numpy_gradients('''
    path = _theory_variant(tmp_path, "def gradients(", autograd)
    only = FALL.only([FALL.item("1.1c_gradients"), FALL.item("1.1a_train_step")])
    report = grade(path, only, sandbox=sandbox)
    assert item(report, "1.1a_train_step").status == "passed"
    assert item(report, "1.1c_gradients").score == 0 and "autograd" in item(report, "1.1c_gradients").feedback


def test_a_function_that_returns_the_wrong_type_says_so(tmp_path, sandbox):
    path = _theory_variant(tmp_path, "    return dict(z1=z1, z2=z2, z3=z3, y_hat=y_hat, loss=l)",
                           "    return z1, z2, z3, y_hat, l")
    only = FALL.only([FALL.item("1.1b_forward")])
    report = grade(path, only, sandbox=sandbox)
    assert report.score == 0
    assert "forward_pass must return a dict with keys z1, z2, z3, y_hat, loss; got a tuple" in report.items[0].feedback


def test_the_templates_define_every_name_and_grade_to_zero_with_clear_messages(sandbox):
    tree = ast.parse((ROOT / "templates" / "theory.py").read_text())
    defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    defined |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets}
    assert {"FIVE_STEPS", "train_step", "forward_pass", "gradients", "jacobians", "RELU_BENEFITS"} <= defined
    only = FALL.only([i for i in FALL.items if i.module == "theory"])
    report = grade(ROOT / "templates", only, sandbox=sandbox)
    assert report.score == 0
    for it in report.items:
        assert it.status == "failed" and "not defined" not in it.feedback, it.feedback
    assert "NotImplementedError: gradients" in item(report, "1.1c_gradients").feedback
