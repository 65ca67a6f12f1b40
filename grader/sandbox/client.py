"""The trusted side of the sandbox: a warm zygote per worker, one forked child per job.

``Sandbox.run(job)`` writes the job's inputs to a fresh scratch directory, asks the zygote for a child, reads its
frames as plain data (JSON headers, ``.npz`` read with ``allow_pickle=False``), enforces the per-item and per-job
wall-clock limits, keeps a truncated copy of what the student's code printed, and finally kills every process the
job started (descendants of the zygote, including ones that called setsid) and removes the scratch directory.
"""

from __future__ import annotations

import io
import json
import os
import pwd
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from grader.errors import SandboxError
from grader.sandbox.protocol import FrameReader

ZYGOTE = Path(__file__).resolve().parent / "zygote.py"
SANDBOX_USER = "hw1-sandbox"
READY_SECONDS = 120.0


@dataclass
class JobItem:
    """One item to run: the check kind, the student module it calls, and its cases' configs and input arrays."""

    id: str
    check: str
    role: str
    configs: list[dict]
    inputs: list[dict[str, np.ndarray]]


@dataclass
class JobLimits:
    item_seconds: float
    job_seconds: float
    memory_mb: int
    output_bytes: int
    processes: int
    file_mb: int


@dataclass
class Abort:
    """Why a job stopped early: during the import of a module or during an item."""

    phase: str  # "import" or "item"
    target: str  # role or item id
    reason: str  # sentence for the student


@dataclass
class JobOutcome:
    imports: dict[str, dict] = field(default_factory=dict)  # role -> {"ok": bool, "errors": [...]}
    results: dict[str, tuple[dict, dict[str, np.ndarray]]] = field(default_factory=dict)
    abort: Abort | None = None
    output: str = ""
    output_bytes: int = 0


def _sandbox_ids() -> tuple[int, int] | None:
    """(uid, gid) of the unprivileged sandbox user when running as root (created if missing), else None."""
    if os.getuid() != 0:
        return None
    try:
        pw = pwd.getpwnam(SANDBOX_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SANDBOX_USER],
                       check=False, capture_output=True)
        try:
            pw = pwd.getpwnam(SANDBOX_USER)
        except KeyError as e:
            raise SandboxError(f"running as root but could not create the user {SANDBOX_USER!r}; create it "
                               f"(useradd --system {SANDBOX_USER}) or run the grader as an ordinary user") from e
    return pw.pw_uid, pw.pw_gid


def _child_env() -> dict[str, str]:
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
            **{k: v for k, v in os.environ.items() if k.startswith("OPENBLAS_CORETYPE") or k == "OPENBLAS_L2_SIZE"}}


def descendants(root: int) -> list[int]:
    """Live (non-zombie) descendants of ``root``, read from /proc."""
    parent, state = {}, {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        rest = stat[stat.rfind(b")") + 2:].split()
        parent[int(d)], state[int(d)] = int(rest[1]), rest[0]
    out, frontier = [], [root]
    children: dict[int, list[int]] = {}
    for pid, ppid in parent.items():
        children.setdefault(ppid, []).append(pid)
    while frontier:
        for c in children.get(frontier.pop(), []):
            frontier.append(c)
            if state[c] != b"Z":
                out.append(c)
    return out


def kill_tree(root: int, rounds: int = 200) -> None:
    """SIGKILL every descendant of ``root`` until none is left (a fork bomb may race the first rounds)."""
    for _ in range(rounds):
        pids = descendants(root)
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.002)


class Sandbox:
    """One warm zygote. Not thread-safe: give each worker its own."""

    def __init__(self) -> None:
        self._ids = _sandbox_ids()
        self._sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._stderr = tempfile.TemporaryFile()
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-I", str(ZYGOTE), str(theirs.fileno())], pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._stderr, env=_child_env(), cwd="/")
        except OSError as e:
            raise SandboxError(f"could not start the sandbox ({e})") from e
        finally:
            theirs.close()
        self._ready = False

    def _wait_ready(self) -> None:
        if self._ready:
            return
        self._sock.settimeout(READY_SECONDS)
        try:
            msg = self._sock.recv(1 << 16)
        except OSError as e:
            msg = b""
        self._sock.settimeout(None)
        if not msg:
            self._stderr.seek(0)
            raise SandboxError("the sandbox process did not start: "
                               + self._stderr.read().decode(errors="replace")[-2000:])
        self._ready = True

    def close(self) -> None:
        try:
            kill_tree(self._proc.pid)
            self._sock.close()
            self._proc.kill()
            self._proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ----------------------------------------------------------------------------------------------- one job
    def run(self, modules: dict[str, dict], files: dict[str, str], items: list[JobItem], limits: JobLimits) -> JobOutcome:
        """Run ``items`` against the student's ``modules`` in a fresh child. Never raises for the student's sake."""
        self._wait_ready()
        scratch = Path(tempfile.mkdtemp(prefix="hw1-job-"))
        try:
            self._write_job(scratch, modules, files, items)
            return self._supervise(scratch, items, limits)
        finally:
            kill_tree(self._proc.pid)
            shutil.rmtree(scratch, ignore_errors=True)

    def _write_job(self, scratch: Path, modules: dict, files: dict[str, str], items: list[JobItem]) -> None:
        arrays, spec = {}, []
        for i, it in enumerate(items):
            cases = []
            for c, (config, inputs) in enumerate(zip(it.configs, it.inputs)):
                for name, a in inputs.items():
                    arrays[f"i{i}c{c}/{name}"] = a
                cases.append({"config": config, "inputs": sorted(inputs)})
            spec.append({"id": it.id, "check": it.check, "role": it.role, "cases": cases})
        for name, text in files.items():
            target = scratch / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        (scratch / "job.json").write_text(json.dumps({"modules": modules, "items": spec}), encoding="utf-8")
        np.savez(scratch / "inputs.npz", **arrays)
        if self._ids:
            uid, gid = self._ids
            for p in [scratch, *scratch.rglob("*")]:
                os.chown(p, uid, gid)

    def _supervise(self, scratch: Path, items: list[JobItem], lim: JobLimits) -> JobOutcome:
        res_r, res_w = os.pipe()
        out_r, out_w = os.pipe()
        req = {"scratch": str(scratch),
               "limits": {"cpu_seconds": lim.job_seconds + 5, "memory_mb": lim.memory_mb,
                          "file_mb": lim.file_mb, "processes": lim.processes}}
        if self._ids:
            req["uid"], req["gid"] = self._ids
        try:
            socket.send_fds(self._sock, [json.dumps(req).encode()], [res_w, out_w])
            reply = json.loads(self._sock.recv(1 << 16) or b"{}")
        except OSError as e:
            raise SandboxError(f"the sandbox process stopped answering ({e})") from e
        finally:
            os.close(res_w)
            os.close(out_w)
        if "pid" not in reply:
            raise SandboxError(f"the sandbox could not start a job: {reply}")
        try:
            return _Reader(res_r, out_r, lim).read()
        finally:
            os.close(res_r)
            os.close(out_r)


class _Reader:
    """Reads one job's frames and output under its time limits."""

    def __init__(self, res_r: int, out_r: int, lim: JobLimits) -> None:
        self.res_r, self.out_r, self.lim = res_r, out_r, lim
        self.frames = FrameReader()
        self.outcome = JobOutcome()
        self.output = bytearray()
        self.phase: tuple[str, str] | None = None
        self.start = time.monotonic()
        self.phase_deadline = self.start + lim.item_seconds

    def read(self) -> JobOutcome:
        open_fds = {self.res_r, self.out_r}
        job_deadline = self.start + self.lim.job_seconds
        while self.res_r in open_fds:
            now = time.monotonic()
            deadline = min(self.phase_deadline, job_deadline)
            if now >= deadline:
                self._abort(f"did not finish within {self._limit_text(deadline == job_deadline)}")
                break
            ready, _, _ = select.select(list(open_fds), [], [], deadline - now)
            for fd in ready:
                data = os.read(fd, 1 << 20)
                if not data:
                    open_fds.discard(fd)
                elif fd == self.out_r:
                    self._keep_output(data)
                elif self._feed(data):
                    open_fds.clear()
        else:
            if not self._ended:
                self._abort("ended the process (sys.exit, os._exit or a crash)")
        self._drain_output()
        self.outcome.output = self.output.decode(errors="replace")
        return self.outcome

    _ended = False

    def _limit_text(self, whole_job: bool) -> str:
        return f"{self.lim.job_seconds:g} s (the limit for a whole submission)" if whole_job \
            else f"{self.lim.item_seconds:g} s"

    def _keep_output(self, data: bytes) -> None:
        self.outcome.output_bytes += len(data)
        room = self.lim.output_bytes - len(self.output)
        if room > 0:
            self.output += data[:room]

    def _drain_output(self) -> None:
        while True:
            ready, _, _ = select.select([self.out_r], [], [], 0)
            if not ready:
                return
            data = os.read(self.out_r, 1 << 20)
            if not data:
                return
            self._keep_output(data)

    def _abort(self, what: str) -> None:
        if self.phase is None:
            self.outcome.abort = Abort("start", "", f"the sandbox {what} before running anything")
            return
        kind, target = self.phase
        if kind == "import":
            self.outcome.abort = Abort("import", target, f"importing your {target} module {what}")
        else:
            self.outcome.abort = Abort("item", target, f"your code {what} during this item")

    def _feed(self, data: bytes) -> bool:
        """Handle new result bytes; True once the job is over."""
        try:
            frames = self.frames.feed(data)
        except (ValueError, UnicodeDecodeError) as e:
            self._abort(f"sent data the grader cannot read ({e})")
            return True
        for header, blob in frames:
            kind = header.get("type")
            if kind == "begin":
                self.phase = (str(header.get("phase")), str(header.get("role") or header.get("item")))
                self.phase_deadline = time.monotonic() + self.lim.item_seconds
            elif kind == "import":
                self.outcome.imports[str(header.get("role"))] = header
            elif kind == "result":
                try:
                    with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
                        arrays = {k: npz[k] for k in npz.files}
                except Exception as e:  # noqa: BLE001  (any malformed archive)
                    self._abort(f"sent arrays the grader cannot read ({type(e).__name__})")
                    return True
                self.outcome.results[str(header.get("item"))] = (header, arrays)
                self.phase = None
            elif kind == "end":
                self._ended = True
                return True
        return False
