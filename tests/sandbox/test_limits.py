"""Time limits that fit the work: quick per item, and never a correct solution that is only slow, or on a busy
machine, scored 0."""

from __future__ import annotations

import multiprocessing
import re
import time

import pytest

from grader.engine import grade, plan, quick_limit
from grader.load import load_submission
from grader.rubric import load_rubric
from sandbox_helpers import SAMPLES

PART2 = ("2.mse_loss", "2.bce_loss", "2.forward", "2.backward", "2.end_to_end", "2.clear_grad", "2.end_to_end_hidden")


def _item(report, item_id):
    return next(i for i in report.items if i.id == item_id)


def test_quick_limits_follow_the_rubric():
    rubric = load_rubric()
    plans = plan(rubric, load_submission(SAMPLES / "correct_fall2020"), "salt")
    for p in plans:
        if p.item.check == "format":
            continue
        assert rubric.limits.quick_seconds <= p.quick_seconds <= rubric.limits.item_seconds
    lim = rubric.limits.model_copy(update={"quick_seconds": 0.01, "quick_multiple": 1e9})
    p = next(p for p in plans if p.item.id == "2.end_to_end_hidden")
    conv = tuple(sorted(rubric.conventions.implementation.items()))
    assert quick_limit(lim, p.item, p.cases, conv) == lim.item_seconds  # capped by the full limit
    lim = lim.model_copy(update={"quick_multiple": 1e-9})
    assert quick_limit(lim, p.item, p.cases, conv) == 0.01  # the floor


def test_an_endless_loop_is_stopped_at_the_quick_limit_after_one_probe(sandbox):
    report = grade(SAMPLES / "adversarial_infinite_loop_forward", sandbox=sandbox)
    rubric = load_rubric()
    forward = _item(report, "2.forward")
    assert forward.score == 0 and "its smallest case run alone did not finish" in forward.error
    for item_id in ("2.backward", "2.end_to_end", "2.clear_grad"):
        it = _item(report, item_id)
        # the item's quick limit: 500x the reference's time, at least quick_seconds; far below the full limit
        m = re.search(r"did not finish within ([\d.]+) s", it.error or "")
        assert it.score == 0 and m, it.error
        assert rubric.limits.quick_seconds <= float(m.group(1)) < rubric.limits.item_seconds / 4, it.error
    assert _item(report, "2.mse_loss").score == _item(report, "2.mse_loss").max_score
    # one quick limit per item that loops, one probe: far below one full item limit per item
    assert report.seconds < 4 * rubric.limits.quick_seconds + rubric.limits.probe_seconds + rubric.limits.item_seconds


def test_slow_code_that_ends_gets_the_full_limit_and_full_marks(sandbox, tmp_path):
    """30 ms of sleep in every forward call: 2.backward's 27 cases need about a second, past the quick limit; its
    smallest case alone finishes, so every item gets the full limit, and the work its full marks."""
    src = (SAMPLES / "correct_fall2020" / "mlp.py").read_text()
    slow = src.replace("import torch\n", "import time\nimport torch\n", 1).replace(
        "    def forward(self, x):\n", "    def forward(self, x):\n        time.sleep(0.03)\n", 1)
    assert slow != src
    (tmp_path / "mlp.py").write_text(slow)
    report = grade(tmp_path, sandbox=sandbox)
    for item_id in PART2:
        it = _item(report, item_id)
        assert it.score == it.max_score, (item_id, it.feedback)


def _burn(stop) -> None:
    while not stop.is_set():
        sum(i * i for i in range(10_000))


@pytest.fixture
def busy_machine():
    """Three processes burning CPU on a two-core machine while the test grades."""
    stop = multiprocessing.Event()
    hogs = [multiprocessing.Process(target=_burn, args=(stop,), daemon=True) for _ in range(3)]
    for h in hogs:
        h.start()
    time.sleep(0.2)
    yield
    stop.set()
    for h in hogs:
        h.join(5)
        if h.is_alive():
            h.kill()


@pytest.mark.parametrize("name", ["correct_fall2020", "correct_column_major", "correct_numpy_inside",
                                  "correct_notebook", "correct_theory_torch"])
def test_correct_work_gets_full_marks_on_a_busy_machine(sandbox, busy_machine, name):
    for run in range(3):
        rubric = load_rubric()
        rubric = rubric.model_copy(update={"seed": f"{rubric.seed}-busy{run}"})
        report = grade(SAMPLES / name, rubric, salt=f"busy-{run}", sandbox=sandbox)
        lost = [(i.id, i.feedback) for i in report.items if i.id.startswith("2.") and i.score != i.max_score]
        assert not lost, lost
