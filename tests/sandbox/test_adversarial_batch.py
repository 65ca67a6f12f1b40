"""A class of 200 submissions, 10% of them adversarial, through ``grader.batch.run_batch`` (worker processes, one
warm sandbox each): every row is present, the honest submissions score exactly what they score when graded alone,
the adversarial ones what their honest work earns, and nothing is left running or written outside scratch."""

from __future__ import annotations

import csv
import os
import random
import shutil
import time

import pytest

from grader.batch.run import BatchOptions, run_batch
from grader.engine import grade
from grader.sandbox.client import Sandbox
from grader.sandbox.procs import descendants
from sandbox_helpers import (ADVERSARIAL, AS_ROOT, SAMPLES, TWINS, check_expected, litter, processes_named,
                             sandbox_uids)

N = 200
HONEST = sorted(p.name for p in SAMPLES.iterdir()
                if p.name.split("_")[0] in ("correct", "wrong", "broken") and (p / "mlp.py").is_file())
ATTACKS = sorted(n for n in [*ADVERSARIAL, *TWINS] if n != "adversarial_sys_exit_at_import")  # 20 of them


def _resource_trackers() -> set[int]:
    """multiprocessing's helper processes (its resource tracker, and the fork server batch workers come from),
    which live as long as the test process and run no student code. Only the test process's own children: a
    worker forked by the fork server has the fork server's command line, and a worker left over is a failure."""
    out = set()
    for pid in descendants(os.getpid()):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmdline = fh.read()
            with open(f"/proc/{pid}/stat", "rb") as fh:
                stat = fh.read()
            ppid = int(stat[stat.rfind(b")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == os.getpid() and (b"multiprocessing.resource_tracker" in cmdline
                                    or b"multiprocessing.forkserver" in cmdline):
            out.add(pid)
    return out


@pytest.fixture(scope="module")
def rubric_batch(rubric2):
    """The Part 2 rubric with one case per configuration: the batch is about the sandbox, not the arithmetic. Items
    keep the sandbox tests' 2 s: three workers share two cores with a fork bomb and endless loops, and a memory bomb
    must still reach its MemoryError (about 0.2 s alone) within the item's time."""
    return rubric2.model_copy(update={"items": [i.model_copy(update={"cases": 1}) for i in rubric2.items]})


@pytest.fixture(scope="module")
def batch(tmp_path_factory, rubric_batch):
    assert len(ATTACKS) == N // 10
    src, out = tmp_path_factory.mktemp("class"), tmp_path_factory.mktemp("out")
    chosen = ATTACKS + [HONEST[i % len(HONEST)] for i in range(N - len(ATTACKS))]
    random.Random(1008).shuffle(chosen)
    entries = {}
    for i, sample in enumerate(chosen):
        name = f"student{i:03d}"
        shutil.copytree(SAMPLES / sample, src / name)
        entries[name] = sample
    start = time.time()
    result = run_batch(BatchOptions(src, out, rubric_batch, workers=3, feedback="", quiet=True))
    print(f"batch of {N}: {result.seconds:.1f} s with {result.workers} workers")
    return entries, result, out, start


def test_every_row_is_present(batch):
    entries, result, out, _ = batch
    assert result.entries == N and result.graded == N and result.errors == 0
    with open(out / "grades.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(r["submission"] for r in rows) == sorted(entries)
    assert {r.entry for r in result.written.rows if r.report is not None} == set(entries)


def test_scores_match_grading_alone(batch, rubric_batch):
    """Alone means one at a time in a sandbox like a batch worker's (which preloads what notebooks plot with:
    without it, importing matplotlib in the child can take longer than this rubric's 1 s on a busy machine)."""
    from grader.batch.worker import BATCH_PRELOAD

    entries, result, _, _ = batch
    with Sandbox(preload=BATCH_PRELOAD) as sandbox:
        alone = {s: grade(SAMPLES / s, rubric_batch, sandbox=sandbox) for s in HONEST}
        twins = {a: alone[t] if t in alone else grade(SAMPLES / t, rubric_batch, sandbox=sandbox)
                 for a, t in TWINS.items()}
    reports = {r.entry: r.report for r in result.written.rows}
    for name, sample in entries.items():
        report = reports[name]
        if sample in ADVERSARIAL:
            check_expected(report, ADVERSARIAL[sample])
        else:
            want = alone.get(sample) or twins[sample]
            assert {i.id: i.score for i in report.items} == {i.id: i.score for i in want.items}, (name, sample)


def test_batch_leaves_nothing_behind(batch, sandbox):
    *_, start = batch
    mine = set(descendants(os.getpid())) - {sandbox.pid} - set(descendants(sandbox.pid)) - _resource_trackers()
    assert not mine and processes_named("hw1advdaemon") == []
    if AS_ROOT:
        assert litter(sandbox_uids(), start) == []
