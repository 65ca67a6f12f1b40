"""The trusted side of the sandbox: a warm zygote per worker, one forked, confined child per job.

The job's parts (items, limits, outcome) and the descriptors that carry it are ``job.py``'s.
``Sandbox.run(...)`` writes the job's inputs to a fresh scratch directory, asks the zygote for a child, reads its
frames as plain data (``reader.py``), enforces the per-item and per-job wall-clock limits, keeps a truncated,
printable copy of what the student's code printed, and finally kills every process the job started (descendants
of the zygote, including ones that called setsid) and removes the scratch directory.

Scratch directories live in one directory per Sandbox (``hw1-sandbox-*`` in the temporary directory; as root it is
owned by root with mode 0711, so the sandbox user can enter its own job's directory but list nothing). How the
child is confined is decided by ``policy.configure`` and done by ``confine.py``; see docs/threat_model.md.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from grader.errors import SandboxError
from grader.sandbox import policy
from grader.sandbox.job import JobItem, JobLimits, JobOutcome, framed, job_descriptors
from grader.sandbox.master import start_zygote, stop_zygote
from grader.sandbox.procs import kill_tree, start_time, wait_gone
from grader.sandbox.reader import Reader, printable

SANDBOX_USER = policy.SANDBOX_USER
READY_SECONDS = 120.0
PR_SET_DUMPABLE = 4


def _check_reachable(base: Path) -> None:
    """As root: every folder above ``base`` must let other users through, or the sandbox user cannot reach its
    scratch directory."""
    for d in base.parents:
        if not os.stat(d).st_mode & 0o001:
            shutil.rmtree(base, ignore_errors=True)
            raise SandboxError(f"{d} does not let other users through, so the sandbox user {SANDBOX_USER!r} cannot "
                               f"reach its scratch directory; set TMPDIR to a folder such as /tmp")


def _sweep(uid: int) -> None:
    """Remove what ``uid`` left in the world-writable directories (root without Landlock or mount namespaces)."""
    for d in policy.TMP_DIRS:
        try:
            entries = list(os.scandir(d))
        except OSError:
            continue
        for e in entries:
            try:
                if e.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if e.is_dir(follow_symlinks=False):
                    shutil.rmtree(e.path, ignore_errors=True)
                else:
                    os.unlink(e.path)
            except OSError:
                pass


def _not_dumpable() -> None:
    """Keep processes of the same user (the student's, when not root) out of this one's memory and environment."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):
        pass


class Sandbox:
    """One warm zygote. Not thread-safe: give each worker its own.

    hide: more paths the student's code must not read (e.g. the folder of all submissions, a salt file). The
    grader's package, the reference solution and the rubrics are always protected. landlock, mountns: allow these
    layers (tests turn them off to check the fallbacks). When not root, this process is made non-dumpable.
    """

    def __init__(self, *, hide: tuple = (), landlock: bool = True, mountns: bool = True,
                 preload: tuple[str, ...] = (), attach: socket.socket | None = None, slot: int = 0) -> None:
        """preload: more modules for the zygote to import before it forks (a batch preloads matplotlib, which
        notebooks import and which costs half a second in every child otherwise). attach: the socket of a zygote
        forked by a ``Master`` (made with the same hide, landlock and mountns, and ``zygote(slot)``), used instead of
        starting one. slot: as root, which sandbox user the jobs run as (a batch gives each worker its own)."""
        self._cfg = policy.configure(tuple(hide), landlock=landlock, mountns=mountns, slot=slot)
        self._cfg["preload"] = list(preload)
        self._ids = (self._cfg["uid"], self._cfg["gid"]) if self._cfg["uid"] is not None else None
        if self._ids is None:
            _not_dumpable()
        self._base = Path(tempfile.mkdtemp(prefix="hw1-sandbox-"))
        os.chmod(self._base, 0o711 if self._ids else 0o700)
        if self._ids:
            _check_reachable(self._base)
        self.layers: list[str] = []
        self.landlock_abi = 0
        self._proc: subprocess.Popen | None = None
        self._pid = 0
        self._born: int | None = None
        self._stderr = None
        if attach is not None:
            self._sock = attach
        else:
            try:
                self._sock, self._proc, self._stderr = start_zygote(self._cfg)
            except SandboxError:
                shutil.rmtree(self._base, ignore_errors=True)
                raise
            self._pid = self._proc.pid
            self._born = start_time(self._pid)
        self._ready = False
        self._closed = False
        self._dying: set[int] = set()

    def _wait_ready(self) -> None:
        if self._ready:
            return
        self._sock.settimeout(READY_SECONDS)
        try:
            msg = self._sock.recv(1 << 16)
        except OSError:
            msg = b""
        self._sock.settimeout(None)
        if not msg:
            said = ""
            if self._stderr is not None:
                self._stderr.seek(0)
                said = self._stderr.read().decode(errors="replace")[-2000:]
            raise SandboxError("the sandbox process did not start: " + (said or "it closed its socket"))
        ready = json.loads(msg)
        self.landlock_abi = int(ready.get("landlock") or 0)
        self._pid = self._pid or int(ready["pid"])
        self._born = start_time(self._pid)
        self._ready = True

    def _zygote(self) -> int:
        """The zygote's pid while it is the process this Sandbox started or was given, else 0 (it is gone, and its
        pid may name another process by now: nothing below it is ours to kill)."""
        return self._pid if self._pid and start_time(self._pid) == self._born else 0

    def settle(self) -> None:
        """Return once every process of the jobs run so far is gone. ``run`` kills them all before it returns
        (none can act after that); the kernel's teardown of a forked torch process takes a few milliseconds,
        which the caller overlaps with its own work before calling this."""
        zygote = self._zygote()
        wait_gone(self._dying | (kill_tree(zygote) if zygote else set()))
        self._dying = set()

    def close(self) -> None:
        """Stop the zygote with every job below it. Closing again does nothing."""
        if self._closed:
            return
        self._closed = True
        stop_zygote(self._zygote(), self._sock, self._proc, self._dying)
        shutil.rmtree(self._base, ignore_errors=True)

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def pid(self) -> int:
        """The zygote's process id: every process of every job is one of its descendants."""
        self._wait_ready()
        return self._pid

    # ----------------------------------------------------------------------------------------------- one job
    def run(self, modules: dict[str, dict], files: dict[str, str], items: list[JobItem], limits: JobLimits) -> JobOutcome:
        """Run ``items`` against the student's ``modules`` in a fresh child. Never raises for the student's sake;
        SandboxError when the sandbox itself fails (it could not confine the child, or the child could still read
        a protected path as root).

        Items with ``withheld`` set run after all the others and reach the child only once it has finished those
        and the output pipe the student may see is closed; what is printed from then on is ``outcome.withheld``."""
        self._wait_ready()
        self.settle()
        scratch = Path(tempfile.mkdtemp(prefix="job-", dir=self._base))
        try:
            job, held = self._write_job(scratch, modules, files, items)
            outcome = self._supervise(scratch, items, limits, job, held)
        finally:
            zygote = self._zygote()
            self._dying |= kill_tree(zygote) if zygote else set()
            shutil.rmtree(scratch, ignore_errors=True)
        self.layers = outcome.layers
        if self._ids:
            if outcome.exposed:
                raise SandboxError(policy.exposed_message(outcome.exposed))
            if not any(x.startswith("landlock") or x == "mountns" for x in outcome.layers):
                _sweep(self._ids[0])
        return outcome

    @staticmethod
    def _part(items: list[JobItem]) -> tuple[list[dict], dict[str, np.ndarray]]:
        """The items' specs for the child, and their inputs keyed ``i{item}c{case}/{name}``."""
        arrays, spec = {}, []
        for i, it in enumerate(items):
            cases = []
            for c, (config, inputs) in enumerate(zip(it.configs, it.inputs)):
                for name, a in inputs.items():
                    arrays[f"i{i}c{c}/{name}"] = a
                cases.append({"config": config, "inputs": sorted(inputs)})
            spec.append({"id": it.id, "check": it.check, "role": it.role, "cases": cases})
        return spec, arrays

    def _write_job(self, scratch: Path, modules: dict, files: dict[str, str],
                   items: list[JobItem]) -> tuple[bytes, bytes | None]:
        """Write the student's files to ``scratch``; return the job (modules, visible items and their inputs) and
        the hidden items with their inputs (None when there are none), each as the bytes the child reads."""
        shown = [it for it in items if not it.withheld]
        hidden = [it for it in items if it.withheld]
        roles = list(dict.fromkeys(it.role for it in items))
        for name, text in files.items():
            target = scratch / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        if self._ids:
            uid, gid = self._ids
            for p in [scratch, *scratch.rglob("*")]:
                os.chown(p, uid, gid)
        spec, arrays = self._part(shown)
        job = framed({"modules": modules, "roles": roles, "items": spec, "held": bool(hidden)}, arrays)
        return job, framed(*self._part(hidden)) if hidden else None

    def _supervise(self, scratch: Path, items: list[JobItem], lim: JobLimits, job: bytes,
                   held: bytes | None) -> JobOutcome:
        ours, theirs = job_descriptors(job, held is not None)
        closed: set[int] = set()
        req = {"scratch": str(scratch),
               "limits": {"cpu_seconds": lim.job_seconds + 5, "memory_mb": lim.memory_mb,
                          "file_mb": lim.file_mb, "processes": lim.processes}}
        try:
            try:
                socket.send_fds(self._sock, [json.dumps(req).encode()], theirs)
                reply = json.loads(self._sock.recv(1 << 16) or b"{}")
            except OSError as e:
                raise SandboxError(f"the sandbox process stopped answering ({e})") from e
            finally:
                for fd in theirs:
                    os.close(fd)
            if "pid" not in reply:
                raise SandboxError(f"the sandbox could not start a job: {reply}")
            reader = Reader(ours, lim, {it.id: (it.role, it.withheld) for it in items}, JobOutcome(), held)
            closed = reader.closed
            outcome = reader.read()
        finally:
            for fd in ours:
                if fd not in closed:  # the reader closes the output pipe once the child holds
                    os.close(fd)
        if not reader.confined:
            raise SandboxError("the sandbox could not confine the student's code: "
                               + printable(outcome.output[-2000:]))
        return outcome
