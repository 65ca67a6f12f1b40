import numpy as np
import pytest

from grader.checks import cases_for as make_cases
from grader.draw import PRE_ACTIVATION_BOUND, RELU_MARGIN
from grader.rubric import load_rubric
from grader.schemas import Config, Item
from reference import activate

RUBRIC = load_rubric()


def _item(item_id: str) -> Item:
    return RUBRIC.item(item_id)


def test_cases_are_deterministic_per_submission_and_secret():
    it = _item("2.backward")
    a = make_cases(it, "seed", "key1")
    b = make_cases(it, "seed", "key1")
    c = make_cases(it, "seed", "key2")
    d = make_cases(it, "other", "key1")
    assert len(a) == len(it.configs) * it.cases
    for x, y in zip(a, b):
        assert x.sizes == y.sizes and all(np.array_equal(x.inputs[k], y.inputs[k]) for k in x.inputs)
    assert any(not np.array_equal(x.inputs["W1"], y.inputs["W1"]) for x, y in zip(a, c))
    assert any(not np.array_equal(x.inputs["W1"], y.inputs["W1"]) for x, y in zip(a, d))


def test_first_cases_force_batch_1_hidden_1_and_k_1_with_non_square_weights():
    cases = make_cases(_item("2.forward"), "s", "k")
    per_config = [c for c in cases if c.config == cases[0].config]
    assert per_config[0].sizes["N"] == 1
    assert per_config[1].sizes["m"] == 1
    assert per_config[2].sizes["K"] == 1
    assert sum(len({c.sizes["n"], c.sizes["m"], c.sizes["K"]}) == 3 for c in cases) >= len(cases) * 0.8


@pytest.mark.parametrize("f", ["relu", "sigmoid", "identity"])
@pytest.mark.parametrize("g", ["relu", "sigmoid", "identity"])
def test_inputs_are_float32_exact_and_well_conditioned(f, g):
    item = _item("2.backward").model_copy(update={"configs": [Config(f=f, g=g)], "cases": 40})
    for c in make_cases(item, "s", f"{f}{g}"):
        d = c.inputs
        for k, v in d.items():
            assert np.array_equal(v, v.astype(np.float32).astype(np.float64)), k
        z1 = d["x"] @ d["W1"].T + d["b1"]
        z3 = activate(f, z1) @ d["W2"].T + d["b2"]
        for z, act in ((z1, f), (z3, g)):
            assert np.abs(z).max() <= PRE_ACTIVATION_BOUND + 1e-9
            if act == "relu":
                assert np.abs(z).min() >= RELU_MARGIN - 1e-9


def test_loss_cases_keep_bce_inputs_valid():
    for c in make_cases(_item("2.bce_loss"), "s", "k"):
        assert set(np.unique(c.inputs["y"])) <= {0.0, 1.0}
        assert 0.0 < c.inputs["y_hat"].min() and c.inputs["y_hat"].max() < 1.0


def test_visible_and_hidden_items_use_different_secrets(sandbox):
    from grader.engine import hidden_salt, plan
    from grader.load import load_submission
    from tests.conftest import SAMPLES

    sub = load_submission(SAMPLES / "correct_fall2020")
    p1 = {p.item.id: p for p in plan(RUBRIC, sub, "salt-one")}
    p2 = {p.item.id: p for p in plan(RUBRIC, sub, "salt-two")}
    same = lambda a, b: all(np.array_equal(x.inputs["W1"], y.inputs["W1"]) for x, y in zip(a.cases, b.cases))
    assert same(p1["2.backward"], p2["2.backward"])  # visible: public seed
    assert not same(p1["2.end_to_end_hidden"], p2["2.end_to_end_hidden"])  # hidden: salted
    assert hidden_salt(RUBRIC, None) != RUBRIC.seed
