"""``hw1-grader batch DIR --out OUT``: grade every submission of a folder, in parallel, resumably.

discover entries -> (shard) -> claim OUT (same grader, rubric, salt as its records) -> roster -> grade what is
missing in worker processes (each records its submissions atomically) -> rebuild grades.csv and the rest.
Interrupted (Ctrl-C, SIGTERM, a crash), the same command grades only what is missing.
"""

from __future__ import annotations

import functools
import os
import signal
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from grader.batch.entries import Entry, discover, may_plot, shard
from grader.batch.outputs import Written, rebuild
from grader.batch.pool import Pool
from grader.batch.progress import Progress
from grader.batch.store import Store, roster_entry, settings
from grader.batch.worker import Done
from grader.errors import GraderError
from grader.review.overrides import load as load_overrides
from grader.sandbox.master import BATCH_PRELOAD
from grader.schemas import Rubric


@dataclass
class BatchOptions:
    source: Path
    out: Path
    rubric: Rubric
    salt: str | None = None
    workers: int = 0  # 0: one per core
    shard: tuple[int, int] | None = None
    retry_errors: bool = False
    feedback: str = "md"
    canvas_column: str | None = None
    quiet: bool = False
    stream: TextIO | None = None


@dataclass
class BatchResult:
    entries: int
    already: int  # recorded by an earlier run
    graded: int  # graded by this run
    errors: int  # grader errors in this run
    seconds: float  # wall time of the grading
    workers: int
    skipped: list[str] = field(default_factory=list)
    written: Written | None = None


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


@contextmanager
def _master(started=None):
    """The batch's Master (see ``grader.sandbox.master.start_master``), closed on the way out."""
    from grader.sandbox.master import start_master

    master = started or start_master()
    try:
        yield master
    finally:
        if master is not None:
            master.close()


def _from(master, todo: list[Entry]):
    """zygotes(slot) for the Pool: a zygote the Master forks (after importing matplotlib when a submission of
    ``todo`` may plot: decided at the first call, once the Pool has started its forkserver), or None (the worker
    then starts one of its own, still with its slot's sandbox user) when there is no Master or it stopped
    answering."""
    from grader.errors import SandboxError

    @functools.cache
    def preload() -> tuple[str, ...]:
        return BATCH_PRELOAD if may_plot(todo) else ()

    def zygote(slot: int):
        if master is None:
            return None
        try:
            return master.zygote(slot, preload())
        except SandboxError:
            return None
    return zygote


def run_batch(opts: BatchOptions, master=None) -> BatchResult:
    """master: a Master started already (``start_master``), closed here (closing it again is harmless); else one is
    started when there is work."""
    from grader.salt import hidden_salt  # noqa: PLC0415 - keeps `hw1-grader --help` light

    out, source = Path(opts.out).resolve(), Path(opts.source).resolve()
    if out == source or source in out.parents:
        raise GraderError(f"--out {opts.out} is inside {opts.source}, where every folder is a submission; "
                          f"put the output folder somewhere else")
    entries, skipped = discover(opts.source)
    if opts.shard:
        entries = shard(entries, *opts.shard)
    store = Store(opts.out)
    store.claim(settings(opts.rubric, hidden_salt(opts.rubric, opts.salt)))
    load_overrides(store.out, opts.rubric)  # a malformed overrides.json stops the batch now, not after grading
    store.add_to_roster({e.name: roster_entry(e.students, e.created_at) for e in entries})
    done = store.done(opts.retry_errors)
    todo: list[Entry] = [e for e in entries if e.name not in done]
    workers = min(opts.workers or os.cpu_count() or 1, max(1, len(todo)))
    progress = Progress(len(entries), len(entries) - len(todo), opts.stream, opts.quiet)
    result = BatchResult(len(entries), len(entries) - len(todo), 0, 0, 0.0, workers, skipped)

    loaded: dict = {}  # entry -> its report, read from its record as soon as the worker has written it

    def on_done(d: Done) -> None:
        result.graded += 1
        result.errors += d.error is not None
        progress.advance(error=d.error is not None)
        if d.error is None:
            report = store.load_report(d.entry)  # now, while the workers grade the rest: not all at the end
            if report is not None:
                loaded[d.entry] = report

    def on_lost(name: str, message: str) -> Done:
        store.save_error(name, message)
        return Done(name, None, None, message, 0.0)

    start = time.monotonic()
    if todo:
        progress.draw()
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            with _master(master) as master:
                rubric_json = opts.rubric.model_dump_json()
                Pool(workers, (rubric_json, opts.salt, str(store.out)), on_done, on_lost,
                     zygotes=_from(master, todo)).run([(e.name, str(e.path)) for e in todo], warm=rubric_json)
        finally:
            signal.signal(signal.SIGTERM, previous)
            progress.finish()
    elif master is not None:
        master.close()  # nothing to grade
    result.seconds = time.monotonic() - start
    result.written = rebuild(store, opts.rubric, opts.feedback, opts.canvas_column, loaded)
    return result
