"""The parent side of the batch: N worker processes, one submission in flight per worker.

Each worker has its own pipe, so the parent always knows which submission a worker holds. When a worker dies
(killed, out of memory), its submission goes back to the queue once; a second death records an error row for it,
so one submission that kills its worker costs that row only. Workers are stopped with SIGTERM on the way out.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

from grader.batch.warmup import WARM_ENV
from grader.batch.worker import Done, serve
from grader.errors import GraderError

MAX_DEATHS = 2  # deaths of a worker holding the same submission before it is recorded as an error
STOP_SECONDS = 10.0


@dataclass
class _Worker:
    proc: mp.process.BaseProcess
    conn: Connection
    task: tuple[str, str] | None = None
    ready: bool = False
    stopping: bool = False
    slot: int = 0


class Pool:
    """Grades ``tasks`` [(entry name, path)] with ``workers`` processes running ``target(conn, *args)``.

    on_done(Done) is called in the parent for every finished submission; on_lost(name, message) when a
    submission killed its worker MAX_DEATHS times (the caller records the error row).
    """

    def __init__(self, workers: int, args: tuple, on_done: Callable[[Done], None],
                 on_lost: Callable[[str, str], Done], target: Callable = serve,
                 zygotes: Callable[[int], object] | None = None) -> None:
        """zygotes(slot): makes one more argument for each worker started (the batch gives each a zygote's
        socket). Each live worker has a slot of its own (0 .. workers - 1), passed after that argument."""
        self.n = max(1, workers)
        self.args = args
        self.zygotes = zygotes
        self.on_done = on_done
        self.on_lost = on_lost
        self.target = target
        self.ctx = mp.get_context("forkserver")
        self.ctx.set_forkserver_preload(["grader.batch.worker", "grader.engine", "grader.batch.store",
                                         "grader.batch.warmup"])
        self.live: list[_Worker] = []
        self.deaths: Counter[str] = Counter()
        self.idle_deaths = 0

    def _start(self) -> None:
        ours, theirs = self.ctx.Pipe()
        slot = min(set(range(self.n + 1)) - {w.slot for w in self.live})
        extra = (self.zygotes(slot), slot) if self.zygotes is not None else ()
        proc = self.ctx.Process(target=self.target, args=(theirs, *self.args, *extra), name="hw1-grader-worker")
        try:
            proc.start()
        finally:
            theirs.close()
            if extra and extra[0] is not None:
                extra[0].close()  # the worker has its own copy now
        self.live.append(_Worker(proc, ours, slot=slot))

    def _feed(self, w: _Worker, pending: deque) -> None:
        if pending:
            w.task = pending.popleft()
            try:
                w.conn.send(w.task)
            except OSError:  # the worker just died: the task was never sent
                pending.appendleft(w.task)
                w.task = None
        else:
            w.task, w.stopping = None, True
            try:
                w.conn.send(None)
            except OSError:
                pass

    def _receive(self, w: _Worker, pending: deque) -> None:
        while w.conn.poll():
            try:
                msg = w.conn.recv()
            except (EOFError, OSError):
                return
            if isinstance(msg, Done):
                w.task = None
                self._feed(w, pending)  # first: the worker waits for its next submission, on_done need not
                self.on_done(msg)
            elif msg[0] == "ready":
                w.ready = True
                self._feed(w, pending)
            elif msg[0] == "fatal":
                raise GraderError(f"a grading process could not start: {msg[1]}")

    def _bury(self, w: _Worker, pending: deque) -> None:
        self.live.remove(w)
        w.conn.close()
        code = w.proc.exitcode
        if w.task is not None:
            name = w.task[0]
            self.deaths[name] += 1
            if self.deaths[name] >= MAX_DEATHS:
                self.on_done(self.on_lost(name, f"grader error: the grading process died (exit code {code}) "
                                                f"{MAX_DEATHS} times while grading this submission"))
            else:
                pending.appendleft(w.task)
        elif not w.ready and not w.stopping:
            self.idle_deaths += 1
            if self.idle_deaths > 2 * self.n:
                raise GraderError(f"grading processes keep dying as they start (exit code {code}); see the "
                                  f"messages above")
        if pending and len(self.live) < self.n:
            self._start()

    def run(self, tasks: Sequence[tuple[str, str]], warm: str | None = None) -> None:
        """warm: the rubric's JSON, for the forkserver to compute the visible cases' values with before it forks
        the workers (``grader.batch.warmup``; only when this run starts the forkserver)."""
        pending = deque(tasks)
        try:
            if warm and len(warm) < 100_000:  # an environment variable holds up to 128 KiB
                os.environ[WARM_ENV] = warm
            try:
                if pending and self.ctx.get_start_method() == "forkserver":
                    from multiprocessing import forkserver

                    forkserver.ensure_running()  # its imports and warm-up overlap what zygotes(slot) does first
                for _ in range(min(self.n, len(pending))):
                    self._start()
            finally:
                os.environ.pop(WARM_ENV, None)
            while self.live:
                sentinels = {w.proc.sentinel: w for w in self.live}
                ready = wait([w.conn for w in self.live] + list(sentinels))
                for w in list(self.live):
                    if w.conn in ready or w.proc.sentinel in ready:
                        self._receive(w, pending)
                    if w.proc.sentinel in ready:
                        w.proc.join()
                        self._receive(w, pending)
                        self._bury(w, pending)
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop every worker still running: SIGTERM (they record nothing half-done), then SIGKILL."""
        for w in self.live:
            if w.proc.is_alive():
                w.proc.terminate()
        for w in self.live:
            w.proc.join(STOP_SECONDS)
            if w.proc.is_alive():
                w.proc.kill()
                w.proc.join()
            w.conn.close()
        self.live.clear()
