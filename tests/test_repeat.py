"""Correct work never fails: 20 runs of every correct sample, each run with fresh random cases, all full marks."""

import pytest

from grader.engine import grade
from grader.rubric import load_rubric
from tests.conftest import SAMPLES

CORRECT = sorted(p.name for p in SAMPLES.iterdir() if p.name.startswith("correct_") and (p / "mlp.py").exists())
RUNS = 20


@pytest.mark.parametrize("edition", ["fall2020", "spring2021"])
def test_correct_samples_get_full_part2_marks_on_twenty_different_case_sets(sandbox, edition):
    base = load_rubric(edition)
    failures = []
    for run in range(RUNS):
        rubric = base.model_copy(update={"seed": f"{base.seed}-run{run}"})
        for name in CORRECT:
            report = grade(SAMPLES / name, rubric, salt=f"salt-{run}", sandbox=sandbox)
            failures += [f"run {run} {name} {i.id}: {i.feedback}" for i in report.items
                         if i.id.startswith("2.") and i.score != i.max_score]
    assert not failures, "\n".join(failures[:5])


def test_grading_is_deterministic_for_a_given_submission(sandbox):
    a = grade(SAMPLES / "wrong_relu_mask", sandbox=sandbox)
    b = grade(SAMPLES / "wrong_relu_mask", sandbox=sandbox)
    assert a.model_dump(exclude={"seconds"}) == b.model_dump(exclude={"seconds"})
