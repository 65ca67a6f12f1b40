"""A batch worker process: one warm Sandbox for its whole life, one submission at a time.

Started with the 'forkserver' context (forked from a fresh interpreter that imported the grader once, never a
fork of the parent), with the socket of a zygote the batch's Master forked for it. It leaves the terminal's
process group first, so Ctrl-C reaches only the parent, which then stops the workers with SIGTERM: a submission
interrupted half-way is never recorded. Each finished submission is recorded by the worker itself, atomically,
before the parent hears of it, so nothing finished is lost if the parent dies.

Messages to the parent: ``("ready", pid)``, then a ``Done`` per submission, or ``("fatal", message)`` when the
sandbox cannot start at all.
"""

from __future__ import annotations

import gc
import os
import signal
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from grader.errors import SandboxError
from grader.sandbox.master import BATCH_PRELOAD
from grader.sandbox.procs import name_process
from grader.schemas import Rubric

HEALTH_LIMITS = (30.0, 30.0, 1024, 1000, 8, 1)  # JobLimits of the empty job that checks a fresh sandbox
GC_THRESHOLD = (10_000, 20, 100)  # a submission leaves little cyclic garbage: collect it every few hundred


@dataclass(frozen=True)
class Done:
    """One finished submission, as the worker tells the parent (the record is already written)."""

    entry: str
    score: float | None
    max_score: float | None
    error: str | None
    seconds: float


def one_line(e: BaseException) -> str:
    text = f"grader error: {type(e).__name__}: {e}".splitlines()[0]
    return text if len(text) <= 300 else text[:297] + "..."


def new_sandbox(attach=None, slot: int = 0):
    """A started and checked Sandbox (an empty job runs through it); SandboxError when it cannot start.
    attach: the socket of a zygote forked by the batch's Master (else this worker starts a zygote of its own);
    slot: the worker's slot (as root, its jobs run as that slot's sandbox user)."""
    from grader.sandbox.client import JobLimits, Sandbox

    sandbox = Sandbox(preload=BATCH_PRELOAD, attach=attach, slot=slot)
    try:
        import grader.engine  # noqa: F401  (the worker's own imports overlap the zygote's import of torch)

        sandbox.run({}, {}, [], JobLimits(*HEALTH_LIMITS))
    except BaseException:
        sandbox.close()
        raise
    return sandbox


def grade_entry(name: str, path: str, rubric: Rubric, salt: str | None, sandbox, store, grade=None,
                slot: int = 0):
    """Grade one entry and record the result; returns (Done, the sandbox to use next).

    A SandboxError is retried once with a fresh sandbox; any other exception (a grader bug) is recorded as the
    entry's error with its traceback. A fresh sandbox that fails its check raises SandboxError to the caller.
    """
    if grade is None:
        from grader.engine import grade
    start = time.monotonic()
    error: BaseException | None = None
    for attempt in (1, 2):
        try:
            report = grade(path, rubric, salt=salt, sandbox=sandbox)
        except SandboxError as e:
            error = e
            if attempt == 1:
                sandbox.close()
                sandbox = new_sandbox(slot=slot)
                continue
        except Exception as e:  # noqa: BLE001 - a grader bug must cost one row, never the batch
            error = e
        else:
            store.save_report(name, report)
            return Done(name, report.score, report.max_score, None, time.monotonic() - start), sandbox
        break
    assert error is not None
    message = one_line(error)
    store.save_error(name, message, "".join(traceback.format_exception(error)))
    return Done(name, None, None, message, time.monotonic() - start), sandbox


def _terminate(signum, frame) -> None:
    raise SystemExit(128 + signum)


def serve(conn, rubric_json: str, salt: str | None, out: str, zygote=None, slot: int = 0) -> None:
    """The worker's main loop: receive ``(name, path)`` tasks until None or the parent goes away. zygote: the socket
    of a zygote forked for this worker by the batch's Master, or None to start one; slot: the worker's slot (its
    sandbox user, as root)."""
    from grader.batch.store import Store

    os.setsid()
    name_process("hw1-worker")
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    rubric = Rubric.model_validate_json(rubric_json)
    store = Store(Path(out))
    sandbox = None
    try:
        try:
            try:
                sandbox = new_sandbox(zygote, slot)
            except SandboxError:
                if zygote is None:
                    raise
                sandbox = new_sandbox(None, slot)  # the Master's zygote did not come up: a zygote of our own
            gc.freeze()  # the grader, NumPy, pydantic, the rubric: never scanned again by the collector
            gc.set_threshold(*GC_THRESHOLD)
            conn.send(("ready", os.getpid()))
            while True:
                try:
                    task = conn.recv()
                except (EOFError, OSError):
                    return
                if task is None:
                    break
                done, sandbox = grade_entry(task[0], task[1], rubric, salt, sandbox, store, slot=slot)
                conn.send(done)
        except SandboxError as e:
            conn.send(("fatal", f"the sandbox cannot start: {e}"))
    except (BrokenPipeError, EOFError, OSError):
        return  # the parent is gone; what was finished is recorded
    finally:
        if sandbox is not None:
            sandbox.close()
    conn.close()
    os._exit(0)  # told to stop, with everything recorded and closed: skip the interpreter's slow teardown
