"""Links between items: a visible item's feedback never draws on a hidden item's results."""

import numpy as np

from grader.cases import Case
from grader.compare import Comparison
from grader.diagnose.relate import relate
from grader.evaluate import Evaluated, Plan
from grader.rubric import load_rubric
from grader.schemas import Config


def _evaluated(item, quantity: str, loss: str, passed: bool) -> Evaluated:
    case = Case(Config(f="relu", g="identity", loss=loss), 0, {"N": 2, "K": 1}, {})
    c = Comparison(quantity, case, passed, np.ones(2), np.ones(2) * (1 if passed else 2))
    return Evaluated(Plan(item, [case], [{}]), comparisons=[c])


def _items():
    rubric = load_rubric()
    by_id = {i.id: i for i in rubric.items}
    return by_id["2.mse_loss"], by_id["2.end_to_end"], by_id["2.end_to_end_hidden"]


def _codes(e: Evaluated) -> set[str]:
    return {d.code for d in e.diagnoses}


def test_the_loss_item_hears_of_end_to_end_only_from_visible_items():
    loss_item, e2e, e2e_hidden = _items()
    assert e2e_hidden.visibility != "visible"
    # visible end to end right, hidden wrong: the visible items alone say "the 1/N is in backward"
    loss = _evaluated(loss_item, "dJdy_hat", "mse", False)
    relate([loss, _evaluated(e2e, "dJdW1", "mse", True), _evaluated(e2e_hidden, "dJdW1", "mse", False)])
    assert "mean_in_backward" in _codes(loss)
    # visible end to end wrong, hidden right: the hidden result must not make the visible loss item say it
    loss = _evaluated(loss_item, "dJdy_hat", "mse", False)
    relate([loss, _evaluated(e2e, "dJdW1", "mse", False), _evaluated(e2e_hidden, "dJdW1", "mse", True)])
    assert "mean_in_backward" not in _codes(loss)
    # only a hidden end to end item, right: nothing visible to go on
    loss = _evaluated(loss_item, "dJdy_hat", "mse", False)
    relate([loss, _evaluated(e2e_hidden, "dJdW1", "mse", True)])
    assert "mean_in_backward" not in _codes(loss)
