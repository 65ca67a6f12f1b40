"""The warm zygote: imports NumPy and torch once, then forks one confined child per job.

Untrusted-adjacent: started by the trusted parent as ``python -I zygote.py FD`` with a scrubbed environment and
its configuration (JSON, see ``confine.confine``) on stdin. It holds no reference solution, no expected value and
no salt: only what a student's code may see anyway. It is not dumpable (no process of its user can read or steer
it) and it becomes a child subreaper, so every process a job starts (even one that called setsid) stays its
descendant and the parent can find and kill it.

Control messages arrive on a SOCK_SEQPACKET socket (fd FD): a JSON request ``{"scratch", "limits"}`` plus two file
descriptors (the result pipe and the output pipe). The reply is ``{"pid": child_pid}``. The child confines itself
(``confine.py``), writes a ``confined`` frame naming the layers applied and the protected paths it can still read,
and only then imports the student's code; if it can read one and the configuration says ``require_hidden``, it
stops there.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import signal
import socket
import sys
import traceback

PR_SET_CHILD_SUBREAPER, PR_SET_DUMPABLE = 36, 4
EXIT_EXPOSED = 72
HERE = os.path.dirname(os.path.abspath(__file__))

#: Imported before forking, so student code finds them even when, as root, the sandbox user cannot read the
#: Python installation (for example one under /root).
PRELOAD = ("encodings.cp437", "encodings.latin_1", "encodings.ascii", "zipfile", "math", "random", "collections",
           "itertools", "functools", "typing", "copy", "numbers", "warnings", "enum", "dataclasses", "abc", "re",
           "operator", "statistics", "time", "string", "decimal", "fractions", "pprint", "textwrap", "json",
           "linecache", "traceback", "io", "contextlib", "collections.abc", "torch.nn", "torch.nn.functional",
           "torch.optim", "numpy.linalg", "numpy.random",
           # what numpy.testing, unittest and matplotlib need from the standard library beyond what torch loads
           "sysconfig", "numpy.testing", "unittest", "unittest.mock", "decimal", "html.entities", "plistlib",
           "pyexpat", "shlex", "unicodedata", "xml.parsers.expat", "zoneinfo", "pickle", "csv", "glob", "shutil",
           "tempfile", "pathlib", "argparse", "logging", "datetime", "heapq", "bisect", "inspect", "timeit",
           "platform")


def _reap(signum, frame) -> None:
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def _child(cfg: dict, req: dict, res_fd: int, out_fd: int) -> None:
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
        import confine
        from protocol import write_frame

        layers = confine.confine(cfg, scratch, req["limits"])
        os.chdir(scratch)  # before the report: a scratch directory out of reach is the sandbox's failure
        seen = confine.exposed(cfg.get("protected", []))
        write_frame(3, {"type": "confined", "layers": layers, "exposed": seen})
        if seen and cfg.get("require_hidden"):
            os._exit(EXIT_EXPOSED)
        os.umask(0o077)
        os.environ.clear()
        os.environ.update(PATH="/usr/local/bin:/usr/bin:/bin", HOME=scratch, TMPDIR=scratch, LANG="C.UTF-8",
                          OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")
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


def _read_config() -> dict:
    """The configuration the parent wrote on stdin; stdin becomes /dev/null."""
    with os.fdopen(os.dup(0), "rb") as fh:
        cfg = json.loads(fh.read() or b"{}")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    return cfg


def main() -> None:
    sock = socket.socket(fileno=int(sys.argv[1]))
    cfg = _read_config()
    sys.path.insert(0, HERE)  # -I leaves the script's folder off sys.path; the child takes it off again
    import numpy  # noqa: F401  (warm imports: paid once per zygote, not once per submission)
    import torch

    torch.set_num_threads(1)
    import importlib

    os.environ["MPLBACKEND"] = "Agg"  # matplotlib, if anything imports it, draws to files only
    for name in (*PRELOAD, *cfg.get("preload", [])):
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    import sysconfig

    sysconfig.get_config_vars()  # loads the platform's _sysconfigdata module too
    import warm

    warm.stub_dynamo()
    import confine  # noqa: F401
    import harness  # noqa: F401
    import landlock

    warm.warm_up()
    gc.collect()
    gc.freeze()  # what exists now is never scanned by the collector, so children do not copy its pages

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    signal.signal(signal.SIGCHLD, _reap)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sock.send(json.dumps({"ready": True, "pid": os.getpid(), "landlock": landlock.abi()}).encode())
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
            _child(cfg, req, fds[0], fds[1])
        for fd in fds:
            os.close(fd)
        sock.send(json.dumps({"pid": pid}).encode())


if __name__ == "__main__":
    main()
