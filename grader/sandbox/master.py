"""Trusted side: starting zygotes (standard library only, so a batch can start its Master before anything heavy).

``start_zygote`` runs ``python -I zygote.py FD`` with the sandbox configuration on its stdin; ``Master`` is one such
warm process that forks a zygote for each batch worker (``Sandbox(attach=master.zygote())``).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from grader.errors import SandboxError
from grader.sandbox import policy
from grader.sandbox.procs import kill_tree, wait_gone

ZYGOTE = Path(__file__).resolve().parent / "zygote.py"
#: What a batch's zygotes import once, when its submissions may plot (notebooks do), so that each job that plots does
#: not pay for it.
BATCH_PRELOAD = ("matplotlib", "matplotlib.pyplot")


def _child_env() -> dict[str, str]:
    """The zygote's environment. GLIBC_TUNABLES: the C library backs its heap with transparent huge pages (where the
    kernel offers them on request), so that each fork copies far fewer page-table entries (the jobs themselves
    turn them off: see zygote._child)."""
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1",
            "GLIBC_TUNABLES": "glibc.malloc.hugetlb=1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
            **{k: v for k, v in os.environ.items() if k.startswith("OPENBLAS_CORETYPE") or k == "OPENBLAS_L2_SIZE"}}


def start_zygote(cfg: dict) -> tuple[socket.socket, subprocess.Popen, object]:
    """Start ``python -I zygote.py FD`` with ``cfg`` on its stdin: (our end of its socket, the process, the file
    that collects its stderr). It says ready on the socket once it has imported torch."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    stderr = tempfile.TemporaryFile()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-I", str(ZYGOTE), str(theirs.fileno())], pass_fds=[theirs.fileno()],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=stderr, env=_child_env(), cwd="/")
        proc.stdin.write(json.dumps(cfg).encode())
        proc.stdin.close()
    except OSError as e:
        ours.close()
        raise SandboxError(f"could not start the sandbox ({e})") from e
    finally:
        theirs.close()
    return ours, proc, stderr


def stop_zygote(pid: int, sock: socket.socket, proc: subprocess.Popen | None, dying: set[int] = frozenset()) -> None:
    """Kill everything below the zygote ``pid`` and wait until it is gone (with ``dying``, processes killed
    earlier), close its socket (a zygote stops when it closes), kill the zygote itself (``proc``, when this process
    started it; else its parent, a Master, reaps it). ``pid`` 0: the zygote is gone already
    (its pid may belong to another process by now), so nothing is killed. Callers call it once."""
    if proc is not None and proc.poll() is not None:
        pid = 0  # exited and reaped: the pid is free for any other process
    try:
        if pid:
            wait_gone(set(dying) | kill_tree(pid))
        sock.close()
        if proc is not None:
            proc.kill()
            proc.wait(timeout=10)
        elif pid:
            os.kill(pid, signal.SIGKILL)
    except (OSError, subprocess.TimeoutExpired):
        pass


class Master:
    """One warm process that forks a zygote for each batch worker, so a batch imports torch once.

    ``zygote()`` returns at once a socket for ``Sandbox(attach=...)`` (in any process): the request waits in the
    master's socket until it has imported torch, then a forked copy of it serves that socket. Closing the master
    kills it and every zygote and job below it. Same arguments as ``Sandbox``.
    """

    def __init__(self, *, hide: tuple = (), landlock: bool = True, mountns: bool = True,
                 preload: tuple[str, ...] = ()) -> None:
        cfg = policy.configure(tuple(hide), landlock=landlock, mountns=mountns)
        cfg["preload"] = list(preload)
        self._sock, self._proc, self._stderr = start_zygote(cfg)
        self._closed = False

    def zygote(self, slot: int = 0, preload: tuple[str, ...] = ()) -> socket.socket:
        """A new zygote's socket, for ``Sandbox(attach=..., slot=slot)``; as root its jobs run as the sandbox user
        of ``slot`` (``policy.sandbox_user``). preload: modules the Master imports (once) before it forks it, e.g.
        ``BATCH_PRELOAD`` for a class whose submissions plot (name them in the first request: only what the Master
        imports before its first fork sees this user's caches, see zygote._bridge)."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        req: dict = {"zygote": True, "preload": list(preload)}
        ids = policy.sandbox_ids(slot)
        if ids is not None:
            req["uid"], req["gid"] = ids
        try:
            socket.send_fds(self._sock, [json.dumps(req).encode()], [theirs.fileno()])
        except OSError as e:
            ours.close()
            raise SandboxError(f"the sandbox process stopped answering ({e})") from e
        finally:
            theirs.close()
        return ours

    def close(self) -> None:
        """Stop the Master with every zygote and job below it. Closing again does nothing."""
        if self._closed:
            return
        self._closed = True
        stop_zygote(self._proc.pid, self._sock, self._proc)

    def __enter__(self) -> "Master":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def start_master() -> Master | None:
    """A batch's Master, importing torch while everything else starts (what else its zygotes need, such as
    matplotlib, each zygote request names); None when it cannot start (each worker then starts a zygote of its own,
    and says why if that fails too)."""
    try:
        return Master()
    except SandboxError:
        return None
