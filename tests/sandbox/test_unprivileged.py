"""The grader run by an ordinary user (a student's laptop, an instructor's account): the same samples hold, with
Landlock, or without it in an unprivileged user namespace.

The grader runs in a subprocess as ``nobody`` (through setpriv), with a secret in its own environment that the
student's code must not find."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.schemas import Report
from sandbox_helpers import ADVERSARIAL, AS_ROOT, ROOT, check_expected

sys.path.insert(0, str(ROOT / "grader" / "sandbox"))
import landlock  # noqa: E402

RUNNER = Path(__file__).resolve().parent / "unprivileged_grade.py"
SECRET = f"hw1-unprivileged-secret-{os.getpid()}"
CORRECT = "correct_fall2020"
ATTACKS = ["adversarial_steal_reference", "adversarial_read_environment", "adversarial_fake_results_files",
           "adversarial_reverse_shell", "adversarial_daemon", "adversarial_fork_bomb", "adversarial_tamper_grader"]
USERNS = [CORRECT, "adversarial_steal_reference", "adversarial_fake_results_files", "adversarial_read_environment",
          "adversarial_daemon"]


def _can_drop() -> bool:
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        return False
    return AS_ROOT and shutil.which("setpriv") is not None


pytestmark = pytest.mark.skipif(not _can_drop(), reason="needs root, setpriv and a 'nobody' user to drop to")


def start_unprivileged(mode: str, names: list[str]) -> subprocess.Popen:
    cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--inh-caps=+dac_read_search",
           "--ambient-caps=+dac_read_search", sys.executable, str(RUNNER), mode, *names]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HW1_GRADER_SALT": SECRET, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(cmd, cwd="/", env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def collect(proc: subprocess.Popen) -> dict[str, dict]:
    out, err = proc.communicate(timeout=240)
    assert proc.returncode == 0, err[-3000:]
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return {r["name"]: r for r in rows}


@pytest.fixture(scope="module")
def runs():
    """Both modes at once (each pays for its own interpreter and zygote)."""
    procs = {"userns": start_unprivileged("userns", USERNS)}
    if landlock.abi() >= 1:
        procs["landlock"] = start_unprivileged("landlock", [CORRECT, *ATTACKS])
    return {mode: collect(p) for mode, p in procs.items()}


def _check_row(row: dict) -> None:
    report = Report.model_validate(row["report"])
    assert row["uid"] != 0 and row["left"] == [] and row["litter"] == []
    assert "nocaps" in row["layers"] and "seccomp" in row["layers"] and "user" not in row["layers"]
    assert SECRET not in report.output and "LEAK" not in report.output, report.output
    if row["name"] == CORRECT:
        assert report.score == report.max_score
    else:
        check_expected(report, ADVERSARIAL[row["name"]])


def test_unprivileged_with_landlock(runs):
    if "landlock" not in runs:
        pytest.skip("this kernel has no Landlock")
    assert set(runs["landlock"]) == {CORRECT, *ATTACKS}
    for row in runs["landlock"].values():
        assert any(x.startswith("landlock") for x in row["layers"])
        _check_row(row)


def test_unprivileged_without_landlock_uses_a_user_namespace(runs):
    assert set(runs["userns"]) == set(USERNS)
    for row in runs["userns"].values():
        assert {"userns", "netns", "mountns"} <= set(row["layers"])
        _check_row(row)
