"""The warm zygote: imports NumPy and torch once, then forks one sandboxed child per job.

Untrusted-adjacent: started by the trusted parent as ``python -I zygote.py FD`` with a scrubbed environment. It
holds no reference solution, no expected value and no salt: only what a student's code may see anyway. It becomes
a child subreaper, so every process a job starts (even one that called setsid) stays its descendant and the parent
can find and kill it.

Control messages arrive on a SOCK_SEQPACKET socket (fd FD): a JSON request plus two file descriptors (the result
pipe and the output pipe). The reply is ``{"pid": child_pid}``.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import socket
import sys
import traceback

PR_SET_CHILD_SUBREAPER = 36
CLONE_NEWNET = 0x40000000
HERE = os.path.dirname(os.path.abspath(__file__))

#: Imported before forking, so student code finds them even when, as root, the sandbox user cannot read the
#: Python installation (for example one under /root).
PRELOAD = ("encodings.cp437", "encodings.latin_1", "encodings.ascii", "zipfile", "math", "random", "collections",
           "itertools", "functools", "typing", "copy", "numbers", "warnings", "enum", "dataclasses", "abc", "re",
           "operator", "statistics", "time", "string", "decimal", "fractions", "pprint", "textwrap", "json",
           "linecache", "traceback", "io", "contextlib", "collections.abc", "torch.nn", "torch.nn.functional",
           "torch.optim", "numpy.linalg", "numpy.random")


def _reap(signum, frame) -> None:
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def _limit(which: int, value: int) -> None:
    try:
        resource.setrlimit(which, (value, value))
    except (ValueError, OSError):
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY and value > hard:
            resource.setrlimit(which, (hard, hard))


def _user_task_count(uid: int) -> int:
    """Threads and processes of ``uid`` now (RLIMIT_NPROC counts tasks of the real uid, not just ours)."""
    n = 0
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if os.stat(f"/proc/{d}").st_uid == uid:
                    n += len(os.listdir(f"/proc/{d}/task"))
            except OSError:
                pass
    return n


def _apply_limits(lim: dict, drop_to: int | None) -> None:
    _limit(resource.RLIMIT_CORE, 0)
    _limit(resource.RLIMIT_CPU, int(lim["cpu_seconds"]))
    _limit(resource.RLIMIT_AS, int(lim["memory_mb"]) << 20)
    _limit(resource.RLIMIT_FSIZE, int(lim["file_mb"]) << 20)
    _limit(resource.RLIMIT_NOFILE, 256)
    uid = os.getuid() if drop_to is None else drop_to
    extra = 0 if drop_to is not None else _user_task_count(uid)
    _limit(resource.RLIMIT_NPROC, extra + int(lim["processes"]))


def _isolate_network() -> bool:
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.unshare(CLONE_NEWNET) == 0


def _child(req: dict, res_fd: int, out_fd: int) -> None:
    """Runs in the forked child; never returns."""
    code = 70
    try:
        os.setsid()
        for s in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(s, signal.SIG_DFL)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        os.dup2(res_fd, 3)
        os.closerange(4, 65536)
        scratch = req["scratch"]
        uid, gid = req.get("uid"), req.get("gid")
        if uid is not None and req.get("isolate_network", True):
            _isolate_network()
        _apply_limits(req["limits"], uid)
        if uid is not None:
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
        os.chdir(scratch)
        os.umask(0o077)
        os.environ.clear()
        os.environ.update(PATH="/usr/local/bin:/usr/bin:/bin", HOME=scratch, TMPDIR=scratch, LANG="C.UTF-8",
                          OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
        sys.path[:] = [scratch] + [p for p in sys.path if os.path.abspath(p or ".") != HERE]
        sys.argv[:] = ["mlp.py"]
        import harness

        harness.run_job(scratch, 3)
        code = 0
    except BaseException:
        try:
            os.write(2, traceback.format_exc().encode()[-4000:])
        except OSError:
            pass
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            pass
        os._exit(code)


def main() -> None:
    sock = socket.socket(fileno=int(sys.argv[1]))
    sys.path.insert(0, HERE)  # -I leaves the script's folder off sys.path; the child takes it off again
    import numpy  # noqa: F401  (warm imports: paid once per zygote, not once per submission)
    import torch

    torch.set_num_threads(1)
    import importlib

    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    import harness  # noqa: F401

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    signal.signal(signal.SIGCHLD, _reap)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sock.send(json.dumps({"ready": True, "pid": os.getpid()}).encode())
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(sock, 1 << 16, 2)
        except InterruptedError:
            continue
        if not msg:
            return
        req = json.loads(msg)
        if len(fds) != 2:
            for fd in fds:
                os.close(fd)
            sock.send(json.dumps({"error": "expected two file descriptors"}).encode())
            continue
        pid = os.fork()
        if pid == 0:
            sock.close()
            _child(req, fds[0], fds[1])
        for fd in fds:
            os.close(fd)
        sock.send(json.dumps({"pid": pid}).encode())


if __name__ == "__main__":
    main()
