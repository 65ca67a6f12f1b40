"""`hw1-grader batch` end to end, in subprocesses: one row per submission, killed and resumed runs give the same
grades.csv as an uninterrupted one, shards merge to the same file, Gradescope exports carry names."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from generate import generate, generate_export
from grader.batch.entries import discover, shard
from grader.batch.merge import merge
from grader.errors import GraderError

ROOT = Path(__file__).resolve().parents[2]
N = 12


def batch(*args: str, wait: bool = True, workers: int = 2, env: dict | None = None):
    cmd = [sys.executable, "-m", "grader", "batch", *args, "--workers", str(workers), "--quiet"]
    if not wait:
        return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done


def reports(out: Path) -> int:
    folder = out / "reports"
    return len([p for p in folder.glob("*.json") if not p.name.startswith(".")]) if folder.is_dir() else 0


def rows(out: Path) -> list[dict[str, str]]:
    with open(out / "grades.csv", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("class")
    generate(src, N, seed=1008)
    (src / "notebook_student.ipynb").write_text('{"cells": [], "nbformat": 4, "nbformat_minor": 5, "metadata": {}}')
    (src / "empty_folder").mkdir()
    (src / "notes.txt").write_text("not a submission")
    return src


@pytest.fixture(scope="module")
def baseline(source, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("baseline")
    done = batch(str(source), "--out", str(out))
    assert "skipped (not a folder, .zip, .py or .ipynb): notes.txt" in done.stdout
    return out


def _interrupted(source: Path, out: Path, sig: int, at_least: int):
    """Start a batch, wait until ``at_least`` submissions are recorded, send ``sig`` to the batch process. Its
    temporary folders (multiprocessing's, the sandboxes') go to a folder of the test's own, removed after: a batch
    killed outright cannot remove them."""
    tmp = tempfile.mkdtemp(prefix="hw1-test-")
    os.chmod(tmp, 0o711)  # sandbox users reach their jobs' folders through it
    try:
        proc = batch(str(source), "--out", str(out), wait=False, env={**os.environ, "TMPDIR": tmp})
        deadline = time.monotonic() + 120
        while reports(out) < at_least:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.kill(proc.pid, sig)
        stdout, stderr = proc.communicate(timeout=60)
        return proc.returncode, reports(out), stderr
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_one_row_per_submission(source, baseline):
    entries = sorted(p.name for p in source.iterdir() if p.name != "notes.txt")
    table = rows(baseline)
    assert [r["submission"] for r in table] == entries  # sorted, one each, nothing lost
    assert reports(baseline) == len(entries) and not list((baseline / "errors").iterdir())
    by_name = {r["submission"]: r for r in table}
    assert float(by_name["empty_folder"]["total"]) == 0.0  # unreadable submissions score 0, with a row
    assert by_name["notebook_student.ipynb"]["total"] != ""
    assert any(float(r["total"]) > 50 for r in table) and any(float(r["total"]) < 50 for r in table)
    assert len(list((baseline / "feedback").glob("*.md"))) == len(entries)
    assert {p.name for p in (baseline / "summary").iterdir()} >= {"histogram.svg", "pass_rates.svg",
                                                                 "mistakes.csv", "summary.md"}


def test_files_rebuilt_from_the_records_alone_are_the_ones_the_batch_wrote(baseline, tmp_path):
    """The batch reads each record as soon as it is written (not all at the end); the derived files must be what
    the records on disk give."""
    from grader.batch.outputs import rebuild
    from grader.batch.store import Store
    from grader.rubric import load_rubric

    copy = tmp_path / "copy"
    shutil.copytree(baseline, copy)
    rebuild(Store(copy), load_rubric())
    for name in ("grades.csv", "summary/summary.md", "summary/mistakes.csv"):
        assert (copy / name).read_bytes() == (baseline / name).read_bytes(), name
    for page in (baseline / "feedback").iterdir():
        assert (copy / "feedback" / page.name).read_bytes() == page.read_bytes(), page.name


def test_interrupted_runs_resume_to_the_same_grades_csv(source, baseline, tmp_path):
    # Ctrl-C: the batch stops cleanly; nothing half-graded is recorded
    code, first, stderr = _interrupted(source, tmp_path, signal.SIGINT, at_least=3)
    assert code == 130 and "Run the same command again" in stderr
    assert first < N and not list((tmp_path / "errors").iterdir())
    assert not list((tmp_path / "reports").glob(".*.tmp")) and not (tmp_path / "grades.csv").exists()
    # a crash: the batch process is killed outright
    code, second, _ = _interrupted(source, tmp_path, signal.SIGKILL, at_least=first + 2)
    assert code == -signal.SIGKILL and second < N
    done = batch(str(source), "--out", str(tmp_path))
    assert f"{N + 2} submissions" in done.stdout and "recorded by an earlier run" in done.stdout
    assert (tmp_path / "grades.csv").read_bytes() == (baseline / "grades.csv").read_bytes()


def test_a_shard_grades_its_slice_and_merge_rebuilds_the_whole(source, baseline, tmp_path):
    entries, _ = discover(source)
    part1, part2 = tmp_path / "part1", tmp_path / "part2"
    batch(str(source), "--out", str(part2), "--shard", "2/2", workers=1)
    mine = {e.name for e in shard(entries, 2, 2)}
    assert {r["submission"] for r in rows(part2)} == mine
    # part 1 as another machine would have made it: the baseline's records of the other slice
    shutil.copytree(baseline, part1)
    for name in mine:
        (part1 / "reports" / f"{name}.json").unlink()
    roster = json.loads((part1 / "roster.json").read_text())
    (part1 / "roster.json").write_text(json.dumps({k: v for k, v in roster.items() if k not in mine}))
    merged = subprocess.run([sys.executable, "-m", "grader", "merge", str(part1), str(part2), "--out",
                             str(tmp_path / "all")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert merged.returncode == 0, merged.stderr
    assert (tmp_path / "all" / "grades.csv").read_bytes() == (baseline / "grades.csv").read_bytes()
    again = merge([part2, tmp_path / "all"], tmp_path / "again", feedback="")  # the same records twice: fine
    assert [r.entry for r in again.rows] == [r["submission"] for r in rows(baseline)]
    (tmp_path / "odd" / "reports").mkdir(parents=True)
    (tmp_path / "odd" / "batch.json").write_text(json.dumps(
        {**json.loads((part2 / "batch.json").read_text()), "rubric_sha256": "0"}))
    with pytest.raises(GraderError, match="another grader version, rubric or salt"):
        merge([part2, tmp_path / "odd"], tmp_path / "refused")


def test_gradescope_export_gives_names_and_canvas_gradebook(tmp_path):
    generate_export(tmp_path / "export", 4, seed=3, group_every=3)
    batch(str(tmp_path / "export"), "--out", str(tmp_path / "out"), "--canvas-column", "Homework 1 (77)",
          "--feedback", "html", workers=1)
    table = rows(tmp_path / "out")
    assert [r["sid"] for r in table] == ["N10000; N11000", "N10001", "N10002", "N10003; N11003"]
    assert table[1]["name"] == "Alan Lovelace" and table[1]["email"] == "s0001@example.edu"
    with open(tmp_path / "out" / "canvas.csv", newline="") as fh:
        canvas = list(csv.reader(fh))
    assert canvas[0][-1] == "Homework 1 (77)" and len(canvas) == 2 + 6  # header, points, 6 students
    totals = {r["sid"].split("; ")[0]: r["total"] for r in table}
    assert {row[2]: row[5] for row in canvas[2:]}["N10001"] == totals["N10001"]
    assert (tmp_path / "out" / "feedback" / "submission_5001.html").read_text().count("Alan Lovelace") >= 1


def test_a_batch_goes_on_when_its_master_is_gone(tmp_path):
    """The warm process that forks each worker's zygote died before the workers started: each worker starts a
    zygote of its own, and every submission is graded."""
    import shutil

    from grader.batch.run import BatchOptions, run_batch
    from grader.rubric import load_rubric
    from grader.sandbox.master import Master

    src = tmp_path / "class"
    for name in ("correct_fall2020", "wrong_relu_mask", "correct_numpy_inside"):
        shutil.copytree(ROOT / "sample_submissions" / name, src / name)
    master = Master()
    master.close()  # gone: requests to it fail or are never answered
    result = run_batch(BatchOptions(src, tmp_path / "out", load_rubric(), workers=2, feedback="", quiet=True),
                       master)
    assert result.graded == 3 and result.errors == 0
    assert {r.entry: r.report.score for r in result.written.rows}["correct_fall2020"] > 50


def test_a_worker_whose_zygote_never_comes_up_starts_its_own(tmp_path):
    """The Master took the request and died before forking: the worker's socket just closes. The worker then
    starts a zygote of its own instead of giving up."""
    import socket

    from grader.batch.pool import Pool
    from grader.batch.store import Store
    from grader.rubric import load_rubric

    def dead(slot: int):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        theirs.close()
        return ours

    out = tmp_path / "out"
    Store(out).claim({"test": 1})
    done = []
    Pool(1, (load_rubric().model_dump_json(), None, str(out)), done.append, lambda n, m: None,
         zygotes=dead).run([("c", str(ROOT / "sample_submissions" / "correct_fall2020"))])
    assert len(done) == 1 and done[0].error is None and done[0].score > 50
