"""The worker pool: every task done once, a worker that dies is replaced, a poisonous submission costs one row."""

from __future__ import annotations

import os

import pytest

from grader.batch.pool import MAX_DEATHS, Pool
from grader.batch.worker import Done
from grader.errors import GraderError


def counting_worker(conn, log_dir):
    """Answers every task; dies (os._exit) on tasks named 'poison*' and, once, on 'flaky' (a marker file)."""
    conn.send(("ready", os.getpid()))
    while True:
        task = conn.recv()
        if task is None:
            return
        name = task[0]
        marker = os.path.join(log_dir, "flaky-died")
        if name.startswith("poison") or (name == "flaky" and not os.path.exists(marker)):
            open(marker, "w").close() if name == "flaky" else None
            os._exit(7)
        with open(os.path.join(log_dir, name), "a") as fh:
            fh.write(f"{os.getpid()}\n")
        conn.send(Done(name, 1.0, 1.0, None, 0.0))


def fatal_worker(conn, log_dir):
    conn.send(("fatal", "no sandbox here"))


def test_every_task_once_and_deaths_handled(tmp_path):
    done, lost = [], []
    tasks = [(f"s{i}", f"/p/s{i}") for i in range(12)] + [("poison", "/p/poison"), ("flaky", "/p/flaky")]

    def on_lost(name, message):
        lost.append((name, message))
        return Done(name, None, None, message, 0.0)

    Pool(2, (str(tmp_path),), done.append, on_lost, target=counting_worker).run(tasks)
    names = sorted(d.entry for d in done)
    assert names == sorted(n for n, _ in tasks)  # one Done per task, the poison included
    assert [n for n, _ in lost] == ["poison"] and f"{MAX_DEATHS} times" in lost[0][1]
    for name, _ in tasks:  # graded exactly once, the flaky one after its worker died
        if not name.startswith("poison"):
            assert len((tmp_path / name).read_text().split()) == 1
    assert next(d for d in done if d.entry == "poison").error.startswith("grader error: the grading process died")


def test_a_worker_that_cannot_start_stops_the_batch(tmp_path):
    with pytest.raises(GraderError, match="no sandbox here"):
        Pool(2, (str(tmp_path),), lambda d: None, lambda n, m: None, target=fatal_worker).run([("a", "a")])
