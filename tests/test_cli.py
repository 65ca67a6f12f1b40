"""The command line as a user runs it: a real process, real exit codes."""

import json
import subprocess
import sys

from tests.conftest import ROOT, SAMPLES


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, timeout=300,
                          cwd=ROOT)


def test_grade_json_prints_one_object_with_items():
    p = run("grade", str(SAMPLES / "wrong_relu_mask"), "--json")
    assert p.returncode == 0, p.stderr
    report = json.loads(p.stdout)
    assert report["max_score"] > report["score"] > 0
    ids = [i["id"] for i in report["items"]]
    assert "2.backward" in ids and "2.end_to_end_hidden" in ids
    backward = next(i for i in report["items"] if i["id"] == "2.backward")
    assert backward["score"] < backward["max_score"] and backward["feedback"]


def test_a_broken_submission_is_graded_zero_and_exits_zero():
    p = run("grade", str(SAMPLES / "broken_syntax_error"), "--json", "--rubric", "spring2021")
    assert p.returncode == 0, p.stderr
    report = json.loads(p.stdout)
    part2 = [i for i in report["items"] if i["id"].startswith("2.")]
    assert report["rubric"] == "spring2021" and part2 and sum(i["score"] for i in part2) == 0
    assert all("line 54" in i["feedback"] for i in part2)


def test_check_shows_visible_items_and_counts_hidden_ones():
    p = run("check", str(SAMPLES / "correct_fall2020" / "mlp.py"))
    assert p.returncode == 0, p.stderr
    assert "[PASS] 2.backward" in p.stdout and "[PASS] 2.end_to_end " in p.stdout
    assert "2.end_to_end_hidden" not in p.stdout
    assert "1 hidden item worth 5 points" in p.stdout


def test_usage_errors_exit_2_with_a_message():
    p = run("grade", str(SAMPLES / "no_such_folder"))
    assert p.returncode == 2 and "does not exist" in p.stderr and "Traceback" not in p.stderr
    p = run("grade", str(SAMPLES / "correct_fall2020"), "--rubric", "winter1999")
    assert p.returncode == 2 and "fall2020" in p.stderr and "Traceback" not in p.stderr


def test_a_batch_leaves_nothing_in_the_temporary_directory(tmp_path):
    """The command leaves without the interpreter's teardown, but after the exit handlers: multiprocessing's
    folder (its forkserver's socket) goes too."""
    import glob
    import shutil
    import tempfile

    subs = tmp_path / "subs"
    shutil.copytree(SAMPLES / "broken_syntax_error", subs / "s1")
    before = set(glob.glob(f"{tempfile.gettempdir()}/pymp-*"))
    p = run("batch", str(subs), "--out", str(tmp_path / "out"), "--workers", "1", "--quiet")
    assert p.returncode == 0, p.stderr
    assert set(glob.glob(f"{tempfile.gettempdir()}/pymp-*")) <= before


def test_output_that_cannot_be_written_is_an_error_not_a_success(tmp_path):
    """stdout on a full device: what the command printed is lost, so the exit status says so (120, as Python's
    own) with a message, even when the lines were still in the buffer when the command finished."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    with open("/dev/full", "w") as full:
        p = subprocess.run([sys.executable, "-m", "grader", "build-autograder", "--out", str(tmp_path / "ag.zip")],
                           stdout=full, stderr=subprocess.PIPE, text=True, timeout=300, cwd=ROOT, env=env)
    assert p.returncode == 120, p.stderr
    assert "could not write the output" in p.stderr and "No space left" in p.stderr
