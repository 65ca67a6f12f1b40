"""Each edition's conventions, as the course's own tests use them, and work written for another edition.

Fall 2020's test script compares the student's gradients with autograd on ``0.5 * F.mse_loss(y_hat, y)`` and
``F.binary_cross_entropy(y_hat, y)``; the default rubric (fall2020) must grade mlp.py by exactly that.
"""

import importlib.util
from collections import OrderedDict

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from grader.diagnose.editions import ratio, term
from grader.rubric import load_rubric
from grader.schemas import LossConvention
from tests.conftest import SAMPLES, item

PART2 = ("2.mse_loss", "2.bce_loss", "2.forward", "2.backward", "2.end_to_end", "2.clear_grad", "2.end_to_end_hidden")
ACT = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "identity": nn.Identity}


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"sample_{name}", SAMPLES / name / "mlp.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("f,g,loss", [("relu", "identity", "mse"), ("sigmoid", "sigmoid", "bce"),
                                      ("relu", "sigmoid", "mse"), ("identity", "sigmoid", "bce")])
def test_the_fall2020_sample_passes_the_courses_own_fall2020_test(f, g, loss):
    """The course's Fall 2020 test, as handed out: the student's loss and backward against autograd on
    0.5 * F.mse_loss / F.binary_cross_entropy with the same weights."""
    mlp = _module("correct_fall2020")
    torch.manual_seed(0)
    net = mlp.MLP(2, 20, f, 20, 5, g)
    for k in net.parameters:  # the handout's randn weights saturate a sigmoid after 20 identity units: log(0)
        net.parameters[k] *= 0.3
    x, y = torch.randn(10, 2), (torch.randn(10, 5) if loss == "mse" else torch.randint(0, 2, (10, 5)).float())
    net.clear_grad_and_cache()
    y_hat = net.forward(x)
    J, dJdy_hat = getattr(mlp, f"{loss}_loss")(y, y_hat)
    net.backward(dJdy_hat)
    auto = nn.Sequential(OrderedDict([("linear1", nn.Linear(2, 20)), ("f", ACT[f]()), ("linear2", nn.Linear(20, 5)),
                                      ("g", ACT[g]())]))
    auto.linear1.weight.data, auto.linear1.bias.data = net.parameters["W1"], net.parameters["b1"]
    auto.linear2.weight.data, auto.linear2.bias.data = net.parameters["W2"], net.parameters["b2"]
    out = auto(x)
    J_auto = 0.5 * F.mse_loss(out, y) if loss == "mse" else F.binary_cross_entropy(out, y)
    auto.zero_grad()
    J_auto.backward()
    assert torch.allclose(torch.as_tensor(J), J_auto, atol=1e-6)
    for k, p in (("dJdW1", auto.linear1.weight), ("dJdb1", auto.linear1.bias), ("dJdW2", auto.linear2.weight),
                 ("dJdb2", auto.linear2.bias)):
        assert (net.grads[k] - p.grad).norm() < 1e-3, k


def test_the_default_rubric_is_the_courses_fall2020_convention():
    fall = load_rubric()
    assert fall.edition == "fall2020"
    assert fall.conventions.implementation["mse"] == LossConvention(scale=0.5, reduce="mean")
    assert fall.conventions.implementation["bce"] == LossConvention(scale=1.0, reduce="mean")
    assert load_rubric("spring2021").conventions.implementation["mse"] == LossConvention(scale=1.0, reduce="mean")


@pytest.mark.parametrize("name", ["correct_fall2020", "correct_unused_imports", "correct_numpy_layers"])
def test_a_fall2020_solution_gets_full_part2_marks_under_the_default_rubric(graded, name):
    report = graded(name, "fall2020")
    for item_id in PART2:
        it = item(report, item_id)
        assert it.score == it.max_score and not it.diagnoses, it.feedback


def test_ratio_between_conventions():
    half_mean, mean, total = (LossConvention(scale=0.5, reduce="mean"), LossConvention(scale=1.0, reduce="mean"),
                              LossConvention(scale=1.0, reduce="sum"))
    assert ratio(mean, half_mean, (4, 3)) == 2.0
    assert ratio(half_mean, mean, (4, 3)) == 0.5
    assert ratio(total, mean, (4, 3)) == 12.0
    assert ratio(LossConvention(scale=1.0, reduce="mean"), total, (5,)) == pytest.approx(0.2)
    assert term("spring2021") == "Spring 2021" and term("my-course") == "my-course"


def test_spring2021_work_under_fall2020_is_named_for_its_edition_in_one_line(graded):
    report = graded("correct_spring2021", "fall2020")
    mse, e2e = item(report, "2.mse_loss"), item(report, "2.end_to_end")
    assert mse.score == 0 and item(report, "2.bce_loss").score == item(report, "2.bce_loss").max_score
    for it in (mse, e2e, item(report, "2.end_to_end_hidden")):
        codes = [d.code for d in it.diagnoses]
        assert codes[0] == "other_edition", it.feedback
        assert not set(codes) & {"extra_factor_2", "missing_factor_2"}, codes  # the one line says it all
        assert "Spring 2021" in it.diagnoses[0].message and "Fall 2020" in it.diagnoses[0].message
    # only the mse configurations lose points end to end; the line names the MSE alone
    assert all("loss=mse" in c.config for c in e2e.checks if not c.passed)
    assert "MSE" in e2e.diagnoses[0].message and "BCE" not in e2e.diagnoses[0].message
    assert item(report, "2.backward").score == item(report, "2.backward").max_score


def test_fall2020_work_under_spring2021_is_named_too(graded):
    report = graded("correct_fall2020", "spring2021")
    it = item(report, "2.mse_loss")
    assert it.score == 0 and it.diagnoses[0].code == "other_edition"
    assert "follows the Fall 2020 convention" in it.diagnoses[0].message
    assert "Spring 2021" in it.diagnoses[0].message


def test_the_theory_of_another_edition_is_named_for_it(graded):
    report = graded("spring2021_correct_theory", "fall2020")
    lines = [d.message for i in report.items if i.id.startswith("1.") for d in i.diagnoses if d.code == "other_edition"]
    assert lines and all("Spring 2021" in m for m in lines)


def test_a_real_bug_is_not_called_another_edition(graded):
    """A missing factor 2 with the Spring 2021 J (wrong in both editions) is not an edition: no such line."""
    for rubric in ("fall2020", "spring2021"):
        report = graded("wrong_mse_missing_factor_2", rubric)
        assert not any(d.code == "other_edition" for i in report.items for d in i.diagnoses), rubric
    report = graded("wrong_mse_missing_mean")
    assert not any(d.code == "other_edition" for i in report.items for d in i.diagnoses)
    assert "missing_mean" in [d.code for d in item(report, "2.mse_loss").diagnoses]
