"""The warm zygote: imports NumPy and torch once, then forks one confined child per job.

Untrusted-adjacent: started by the trusted parent as ``python -I zygote.py FD`` with a scrubbed environment and
its configuration (JSON, see ``confine.confine``) on stdin. It holds no reference solution, no expected value and
no salt: only what a student's code may see anyway. It is not dumpable (no process of its user can read or steer
it) and it becomes a child subreaper, so every process a job starts (even one that called setsid) stays its
descendant and the parent can find and kill it.

Control messages arrive on a SOCK_SEQPACKET socket (fd FD): a JSON request ``{"scratch", "limits"}`` plus three
file descriptors (the result pipe, the output pipe and an in-memory file holding the job), or five for a job with
hidden items (also the pipe on which they arrive and the withheld output pipe; see ``harness.run_job``). The reply
is ``{"pid": child_pid}``. The child confines itself (``confine.py``), writes a ``confined`` frame naming the layers
applied and the protected paths it can still read, and only then imports the student's code; if it can read one
and the configuration says ``require_hidden``, it stops there. A request ``{"zygote": true, "preload": [...]}``
with one descriptor forks a zygote (see ``serve``).
"""

from __future__ import annotations

import ctypes
import fcntl
import gc
import importlib
import json
import os
import signal
import socket
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)  # run as a script with -I, which leaves its folder off sys.path; the child takes it off
import confine  # noqa: E402
import landlock  # noqa: E402
import procs  # noqa: E402
import seccomp  # noqa: E402

PR_SET_CHILD_SUBREAPER, PR_SET_DUMPABLE, PR_SET_THP_DISABLE = 36, 4, 41
_libc = ctypes.CDLL(None, use_errno=True)
EXIT_EXPOSED = 72
JOB_FDS = (3, 1, 6, 4, 5)  # where a job's descriptors go, in the order they arrive (see _child)
#: The collector in a job: the zygote's objects are frozen, so a job's collections only look at its own; one every
#: 10,000 net allocations instead of 700 still frees cyclic garbage long before it could matter.
JOB_GC_THRESHOLD = (10_000, 10, 10)

#: Imported before forking, so that jobs find them imported already (and, should the zygote fail to open the way
#: to a Python installed where the sandbox user cannot read, e.g. under /root, still find these).
PRELOAD = ("encodings.cp437", "encodings.latin_1", "encodings.ascii", "zipfile", "math", "random", "collections",
           "itertools", "functools", "typing", "copy", "numbers", "warnings", "enum", "dataclasses", "abc", "re",
           "operator", "statistics", "time", "string", "decimal", "fractions", "pprint", "textwrap", "json",
           "linecache", "traceback", "io", "contextlib", "collections.abc", "torch.nn", "torch.nn.functional",
           "torch.optim", "numpy.linalg", "numpy.random",
           # what numpy.testing, unittest and matplotlib need from the standard library beyond what torch loads
           "sysconfig", "numpy.testing", "unittest", "unittest.mock", "decimal", "html.entities", "plistlib",
           "pyexpat", "shlex", "unicodedata", "xml.parsers.expat", "zoneinfo", "pickle", "csv", "glob", "shutil",
           "tempfile", "pathlib", "argparse", "logging", "datetime", "heapq", "bisect", "inspect", "timeit",
           "platform",
           # small parts of torch that everyday calls import (torch.save and torch.load, set_default_device and
           # checkpointing, printing complex tensors): imported here, a job's first use does not bring in the
           # parts warm.defer_meta_registrations defers
           "torch.utils.serialization", "torch.utils._device", "torch._subclasses.schema_check_mode")


def _reap(signum, frame) -> None:
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def _child(cfg: dict, req: dict, fds: list[int]) -> None:
    """Runs in the forked child; never returns."""
    code = 70
    try:
        os.setsid()
        procs.name_process("hw1-job")
        # The zygote's heap is in transparent huge pages (GLIBC_TUNABLES, see master._child_env): a fork copies
        # one entry per 2 MiB instead of 512. The job's own memory is not: a large allocation then costs no
        # compaction stall (a memory bomb still meets its limit in time).
        _libc.prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)
        gc.set_threshold(*JOB_GC_THRESHOLD)
        for s in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(s, signal.SIG_DFL)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        # 0 /dev/null, 1 and 2 the output pipe, 3 the result pipe, 6 the job (an in-memory file, read and closed
        # before the student's code runs); with hidden items also 4 the pipe on which they arrive and 5 the
        # withheld output pipe. Moved out of the way first, so no dup2 overwrites a source.
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 100) for fd in fds]
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        targets = JOB_FDS[:len(fds)]
        for target, src in zip(targets, high):
            os.dup2(src, target)
        os.dup2(1, 2)
        low = 3
        for keep in sorted({*targets, 65536} - {1}):
            os.closerange(low, keep)
            low = keep + 1
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
    gc.disable()  # no collection while importing (a sixth of the import time); the little garbage it leaves is frozen
    import warm

    warm.defer_meta_registrations()
    import numpy  # noqa: F401  (warm imports: paid once per zygote, not once per submission)
    import torch

    torch.set_num_threads(1)
    os.environ["MPLBACKEND"] = "Agg"  # matplotlib, if anything imports it, draws to files only
    for name in (*PRELOAD, *cfg.get("preload", [])):
        _import_one(name)
    import sysconfig

    sysconfig.get_config_vars()  # loads the platform's _sysconfigdata module too
    warm.stub_dynamo()
    warm.stub_symbolic_shapes()
    import harness  # noqa: F401

    warm.warm_up()
    warm.meta_registrations_on_demand()
    if seccomp.supported():
        seccomp.built()
    gc.freeze()  # what exists now is never scanned by the collector, so children do not copy its pages
    gc.enable()  # in the zygote and (inherited) in every job

    _become_zygote(cfg)
    signal.signal(signal.SIGCHLD, _reap)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    serve(sock, cfg)


def _become_zygote(cfg: dict) -> None:
    """Subreaper of every job, not dumpable, and (root) one network namespace for all its jobs instead of one per
    fork: a zygote runs one job at a time and every process of a job is killed before the next one starts."""
    if cfg.get("uid") is not None:
        try:
            confine.new_network()
            cfg["netns_shared"] = True
        except OSError:
            pass
        _libc.unshare(confine.CLONE_NEWIPC)  # IPC objects apart from the host's and other zygotes' (seccomp
        # refuses the IPC calls in jobs anyway)
    procs.name_process("hw1-zygote")
    _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def _bridge(cfg: dict) -> None:
    """Before the first fork (of a job or of a zygote, which inherits it): open the way to a Python installation
    the sandbox user cannot read (``confine.bridge``). Not before: what the first zygote request preloads
    (matplotlib) still sees this user's caches (its font list) rather than rebuilding them."""
    if not cfg.get("bridge") or cfg.get("bridged"):
        return
    cfg["bridged"] = True
    try:
        confine.bridge(cfg["bridge"])
    except OSError as e:  # only the preloaded modules will import in jobs, as without it
        print(f"hw1-grader zygote: could not open the Python installation to the sandbox user: {e}",
              file=sys.stderr)
        import warm

        warm.import_deferred()  # so no job needs to import torch's deferred parts


def _import(names) -> None:
    """Import the modules ``names`` (those that exist); what they build is frozen, as the first imports were."""
    gc.disable()
    for name in names:
        _import_one(name)
    gc.freeze()
    gc.enable()


def _import_one(name: str) -> None:
    """Import ``name`` if it can be: a module missing or failing to import leaves its jobs to import it (and meet
    the error) themselves; the zygote goes on."""
    try:
        importlib.import_module(name)
    except ImportError:
        pass
    except Exception as e:  # noqa: BLE001 - a module that raises on import must not stop the zygote
        print(f"hw1-grader zygote: importing {name} failed: {type(e).__name__}: {e}", file=sys.stderr)


def _preload(names) -> None:
    """A zygote request's preload (a list of module names): imported here, once, before forking the zygote."""
    if isinstance(names, list) and all(isinstance(n, str) and n for n in names):
        _import([n for n in names if n not in sys.modules])


def serve(sock: socket.socket, cfg: dict) -> None:
    """Say ready, then answer requests on ``sock`` until it closes.

    A job request carries three or five descriptors (see the module docstring) and is answered ``{"pid"}``. A request
    ``{"zygote": true}`` with one descriptor (a SOCK_SEQPACKET socket) forks a zygote of its own that serves that
    socket: a batch's workers each get one from a single warm process, so torch is imported once per batch. Its
    ``preload`` names modules to import first (once: a batch whose submissions may plot asks for matplotlib). It
    is not answered here; the new zygote says ready on its socket, with its pid.
    """
    sock.send(json.dumps({"ready": True, "pid": os.getpid(), "landlock": landlock.abi()}).encode())
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(sock, 1 << 16, len(JOB_FDS))
        except InterruptedError:
            continue
        if not msg:  # whoever holds the other end is gone (a worker killed mid-job): so is everything below us
            procs.kill_tree(os.getpid())
            return
        req = json.loads(msg)
        if req.get("zygote") and len(fds) == 1:
            _preload(req.get("preload"))
            _bridge(cfg)
            if os.fork() == 0:
                sock.close()
                try:
                    own = dict(cfg)
                    if cfg.get("uid") is not None and isinstance(req.get("uid"), int) and req["uid"] > 0:
                        own["uid"], own["gid"] = req["uid"], req["gid"]  # this worker's sandbox user
                    _become_zygote(own)
                    serve(socket.socket(fileno=fds[0]), own)
                finally:
                    os._exit(0)
            os.close(fds[0])
            continue
        if len(fds) not in (3, 5):
            for fd in fds:
                os.close(fd)
            sock.send(json.dumps({"error": "expected three or five file descriptors"}).encode())
            continue
        _bridge(cfg)
        pid = os.fork()
        if pid == 0:
            sock.close()
            _child(cfg, req, fds)
        for fd in fds:
            os.close(fd)
        sock.send(json.dumps({"pid": pid}).encode())


if __name__ == "__main__":
    main()
