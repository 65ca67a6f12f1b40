"""Correct work never fails: 20 runs of every correct sample, each run with fresh random cases, all full marks."""

import pytest

from grader.engine import grade
from grader.rubric import load_rubric
from tests.conftest import SAMPLES, edition

CORRECT = sorted(p.name for p in SAMPLES.iterdir() if "correct" in p.name.split("_")
                 and ((p / "mlp.py").exists() or any(p.glob("*.ipynb"))))
RUNS = 20


def answered(name: str) -> set[str]:
    """The items a sample answers: Part 2 always, Part 1 when it has theory answers (code, a notebook or a written
    sheet), the format with theory.pdf."""
    folder = SAMPLES / name
    theory = (folder / "theory.py").exists() or any(folder.glob("*.ipynb")) or any(folder.glob("*.md")) \
        or any(folder.glob("*.tex")) or "written_pdf" in name
    rubric = load_rubric(edition(name))
    return {i.id for i in rubric.items if i.id.startswith("2.") or (theory and i.module == "theory" and i.check != "format")
            or (i.check == "format" and (folder / "theory.pdf").exists())}


def test_the_correct_samples_cover_both_editions_and_both_parts():
    assert {edition(n) for n in CORRECT} == {"fall2020", "spring2021"}
    assert any((SAMPLES / n / "theory.py").exists() for n in CORRECT) and "correct_notebook" in CORRECT


@pytest.mark.parametrize("name", CORRECT)
def test_correct_samples_get_full_marks_on_twenty_different_case_sets(sandbox, name):
    """Under the edition the sample follows, every item it answers, 20 runs, each with fresh cases (the public seed
    and the salt change)."""
    base = load_rubric(edition(name))
    want = answered(name)
    failures = []
    for run in range(RUNS):
        rubric = base.model_copy(update={"seed": f"{base.seed}-run{run}"})
        report = grade(SAMPLES / name, rubric, salt=f"salt-{run}", sandbox=sandbox)
        assert want <= {i.id for i in report.items}
        failures += [f"run {run} {name} {i.id}: {i.feedback}" for i in report.items
                     if i.id in want and i.score != i.max_score]
    assert not failures, "\n".join(failures[:5])


def test_grading_is_deterministic_for_a_given_submission(sandbox):
    a = grade(SAMPLES / "wrong_relu_mask", sandbox=sandbox)
    b = grade(SAMPLES / "wrong_relu_mask", sandbox=sandbox)
    assert a.model_dump(exclude={"seconds"}) == b.model_dump(exclude={"seconds"})
