"""Helpers of the review desk's tests. The class to review: alice and bob wrote the same RELU_BENEFITS answer (bob
with other case and spacing), carol a vague one, dan handed in no theory (his item is an error, not provisional).
Graded once by the real batch command (``conftest.graded_class``); each test works on its own copy."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_submissions"
ITEM = "1.2c_relu_benefits"


def run(*args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "grader", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def batch(source: Path, out: Path, *more: str) -> subprocess.CompletedProcess:
    return run("batch", str(source), "--out", str(out), "--workers", "2", "--quiet", *more)


def make_class(dest: Path) -> Path:
    for name, sample in (("alice", "correct_theory_fall2020"), ("bob", "correct_theory_fall2020"),
                         ("carol", "wrong_theory_relu_benefits_vague"), ("dan", "correct_fall2020")):
        shutil.copytree(SAMPLES / sample, dest / name)
    theory = dest / "bob" / "theory.py"
    text = theory.read_text()
    assert "With sigmoid, the derivative" in text
    theory.write_text(text.replace("With sigmoid, the derivative", "with SIGMOID,   the derivative"))
    return dest


def read_csv(path: Path) -> dict[str, dict[str, str]]:
    """grades.csv (or any CSV with a submission column) by submission."""
    import csv

    with open(path, newline="", encoding="utf-8") as fh:
        return {r["submission"]: r for r in csv.DictReader(fh)}


def machine_item(out: Path, entry: str, item: str = ITEM) -> dict:
    """An item of a report as its record holds it (JSON)."""
    import json

    report = json.loads((out / "reports" / f"{entry}.json").read_text(encoding="utf-8"))
    return next(i for i in report["items"] if i["id"] == item)
