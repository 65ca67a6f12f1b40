"""The confinement layers one by one, each applied in a forked child of the test process."""

from __future__ import annotations

import ctypes
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from grader.sandbox import policy
from sandbox_helpers import AS_ROOT, ROOT, sandbox_uid

sys.path.insert(0, str(ROOT / "grader" / "sandbox"))
import confine  # noqa: E402  (untrusted-side modules: standard library only, imported by path like the zygote does)
import landlock  # noqa: E402
import seccomp  # noqa: E402


def in_child(fn) -> dict:
    """Run ``fn() -> dict`` in a forked child; returns its dict (or {"error": ...})."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            out = fn()
        except BaseException as e:  # noqa: BLE001
            out = {"error": f"{type(e).__name__}: {e}"}
        os.write(w, json.dumps(out).encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    return json.loads(data)


def attempt(fn) -> str:
    try:
        fn()
        return "ok"
    except OSError as e:
        return e.__class__.__name__ if e.errno is None else os.strerror(e.errno)


def test_seccomp_program_jumps_stay_inside_the_program():
    for machine in seccomp.ARCHES:
        prog = seccomp.program(machine)
        assert prog[0] == (seccomp.LD_ABS_W, 0, 0, seccomp.OFF_ARCH)
        for i, (code, jt, jf, _) in enumerate(prog):
            if code in (seccomp.JEQ_K, seccomp.JGE_K, seccomp.JSET_K):
                assert i + 1 + max(jt, jf) < len(prog)
        assert prog[-2][3] == seccomp.RET_ERRNO | 1 and prog[-1][3] == seccomp.RET_ERRNO | 38


@pytest.mark.skipif(not seccomp.supported(), reason="no seccomp filter for this architecture")
def test_seccomp_refuses_sockets_exec_namespaces_and_ipc_but_not_fork():
    """IPC objects (System V shared memory, queues, semaphores) outlive the job: another child could read them."""
    def body():
        seccomp.install()
        libc = ctypes.CDLL(None, use_errno=True)
        pid = os.fork()
        if pid == 0:
            os._exit(7)
        forked = os.waitpid(pid, 0)[1] >> 8
        a, b = socket.socketpair()
        return {"inet": attempt(lambda: socket.socket(socket.AF_INET)),
                "unix": attempt(lambda: socket.socket(socket.AF_UNIX)),
                "exec": attempt(lambda: os.execv("/bin/true", ["true"])),
                "kill_all": attempt(lambda: os.kill(-1, 0)),
                "kill_self": attempt(lambda: os.kill(os.getpid(), 0)),
                "unshare": libc.unshare(0x10000000) == -1 and ctypes.get_errno(),
                "shmget": libc.shmget(0x48574C4B, 4096, 0o1666) == -1 and ctypes.get_errno(),
                "msgget": libc.msgget(0x48574C4B, 0o1666) == -1 and ctypes.get_errno(),
                "semget": libc.semget(0x48574C4B, 1, 0o1666) == -1 and ctypes.get_errno(),
                "fork": forked, "socketpair": a.fileno() > 0 and b.fileno() > 0}

    out = in_child(body)
    refused = os.strerror(1)
    assert out == {"inet": refused, "unix": refused, "exec": refused, "kill_all": refused, "kill_self": "ok",
                   "unshare": 1, "shmget": 1, "msgget": 1, "semget": 1, "fork": 7, "socketpair": True}, out


@pytest.mark.skipif(landlock.abi() < 1, reason="this kernel has no Landlock")
def test_landlock_reads_only_the_allow_list_and_writes_only_scratch(tmp_path):
    readable, scratch, secret = tmp_path / "lib", tmp_path / "scratch", tmp_path / "secret"
    for d in (readable, scratch, secret):
        d.mkdir()
        (d / "f.txt").write_text(d.name)

    def body():
        landlock.restrict([str(readable)], [str(scratch)])
        return {"read lib": attempt(lambda: (readable / "f.txt").read_text()),
                "read secret": attempt(lambda: (secret / "f.txt").read_text()),
                "list secret": attempt(lambda: os.listdir(secret)),
                "write scratch": attempt(lambda: (scratch / "new.txt").write_text("x")),
                "write lib": attempt(lambda: (readable / "new.txt").write_text("x")),
                "write tmp": attempt(lambda: (tmp_path / "new.txt").write_text("x")),
                "exec": attempt(lambda: os.execv("/bin/true", ["true"]))}

    out = in_child(body)
    denied = os.strerror(13)
    assert out == {"read lib": "ok", "read secret": denied, "list secret": denied, "write scratch": "ok",
                   "write lib": denied, "write tmp": denied, "exec": denied}, out
    assert not (tmp_path / "new.txt").exists() and not (readable / "new.txt").exists()


@pytest.mark.skipif(landlock.abi() < 6, reason="Landlock ABI < 6: no TCP rules and no signal scope")
def test_landlock_refuses_tcp_and_signals_outside_the_job(tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    decoy = subprocess.Popen(["sleep", "30"])
    try:
        def body():
            landlock.restrict([], [str(tmp_path)])
            s = socket.socket()
            return {"connect": attempt(lambda: s.connect(("127.0.0.1", port))),
                    "signal": attempt(lambda: os.kill(decoy.pid, 0)),
                    "environ": attempt(lambda: open(f"/proc/{os.getppid()}/environ", "rb").read())}

        out = in_child(body)
    finally:
        decoy.kill()
        decoy.wait()
        listener.close()
    assert out["connect"] == os.strerror(13) and out["signal"] == os.strerror(1)
    assert out["environ"] != "ok"


def test_exposed_lists_what_can_be_read(tmp_path):
    (tmp_path / "open").mkdir()
    assert confine.exposed([str(tmp_path / "open"), str(tmp_path / "missing")]) == [str(tmp_path / "open")]


def test_read_roots_leave_protected_paths_out_even_beneath_an_allowed_root(tmp_path):
    site = tmp_path / "site-packages"
    for d in ("numpy", "torch", "grader", "reference"):
        (site / d).mkdir(parents=True)
    (site / "sneaky").symlink_to(site / "reference")
    protected = [str((site / "grader").resolve()), str((site / "reference").resolve())]
    roots = policy._expand(str(site), protected)
    assert sorted(Path(r).name for r in roots) == ["numpy", "torch"]
    assert policy._expand(str(tmp_path / "elsewhere"), protected) == [str(tmp_path / "elsewhere")]


def test_configuration_protects_the_grader_and_reads_python():
    cfg = policy.configure()
    for name in ("grader", "reference", "rubrics"):
        assert str(ROOT / name) in cfg["hide"]
        assert not any(policy._under(str(ROOT / name), os.path.realpath(r)) for r in cfg["read"])
    assert {str(ROOT / "reference"), str(ROOT / "rubrics")} <= set(cfg["protected"])
    assert str(ROOT / "grader") not in cfg["protected"]  # not a secret: no reason to refuse when it is readable
    assert any(policy._under(os.path.realpath(sys.prefix), os.path.realpath(r)) for r in cfg["read"])
    if not policy._under(os.path.realpath(sys.prefix), str(ROOT)):  # a venv inside the checkout must stay readable
        assert str(ROOT) in cfg["hide"]  # a source checkout is hidden whole by the mount-namespace fallback
    assert cfg["require_hidden"] == AS_ROOT


@pytest.mark.skipif(not AS_ROOT, reason="needs root to own a file as the sandbox user")
def test_sweep_removes_what_the_sandbox_user_left_in_tmp(tmp_path):
    from grader.sandbox.client import _sweep

    uid = sandbox_uid()
    left = Path("/tmp") / f"hw1-sweep-test-{os.getpid()}"
    kept = tmp_path / "kept.txt"
    left.write_text("litter")
    kept.write_text("mine")
    os.chown(left, uid, -1)
    _sweep(uid)
    assert not left.exists() and kept.exists()


def test_fallback_hides_everything_beside_what_the_child_needs(tmp_path):
    for d in ("work/venv/lib", "work/main/reference", "work/other", "srv/data"):
        (tmp_path / d).mkdir(parents=True)
    (tmp_path / "work" / "notes.txt").write_text("x")
    needed = [str(tmp_path / "work" / "venv")]
    hidden = sorted(policy.beside(needed, str(tmp_path)))
    assert hidden == sorted(str(tmp_path / p) for p in ("srv", "work/main", "work/notes.txt", "work/other"))
    cfg = policy.configure()
    assert not any(policy._under(os.path.realpath(sys.prefix), h) for h in cfg["hide"])


def test_bridges_name_the_closed_folders_on_the_way_and_only_the_entries_that_lead_on(tmp_path):
    closed = tmp_path / "home"
    (closed / "python" / "lib").mkdir(parents=True)
    (closed / "secrets").mkdir()
    (closed / "python" / "other").mkdir()
    closed.chmod(0o700)
    (closed / "python").chmod(0o700)
    try:
        found = policy.bridges([str(closed / "python" / "lib")])
        assert [b for b in found if b[0].startswith(str(closed))] == [  # (pytest's own folders may be closed too)
            [str(closed), ["python"]], [str(closed / "python"), ["lib"]]]
    finally:
        (closed / "python").chmod(0o755)
        closed.chmod(0o755)
    assert not [b for b in policy.bridges([str(closed / "python" / "lib")]) if b[0].startswith(str(closed))]


@pytest.mark.skipif(not AS_ROOT or not policy.configure().get("bridge"),
                    reason="only as root with Python below a folder other users cannot enter (e.g. /root)")
def test_the_whole_standard_library_imports_but_the_closed_folder_shows_nothing_else(tmp_path):
    """Python below /root (mode 0700): any standard-library module imports in the child, not only the preloaded
    ones, and so do site-packages beyond the preloaded ones (sympy) and torch's backward with a gradient; /root
    itself lists only the way to Python."""
    from grader.engine import grade
    from grader.sandbox.client import Sandbox

    blocked = policy.configure()["bridge"]
    top, kept = blocked[0]
    src = (ROOT / "sample_submissions" / "correct_fall2020" / "mlp.py").read_text()
    probe = f'''
import colorsys, difflib, os, sympy, torch
w = torch.ones(3, 2, requires_grad=True)
(w * 2).backward(torch.ones(3, 2))
try:
    seen = sorted(os.listdir({top!r}))
except PermissionError:
    seen = "denied"  # Landlock: the folder itself is not on the read list
print("SEEN", seen, float(w.grad.sum()))
'''
    (tmp_path / "mlp.py").write_text(probe + src)
    with Sandbox() as sb:
        report = grade(tmp_path, sandbox=sb)
    assert f"SEEN {sorted(kept)!r} 12.0" in report.output or "SEEN denied 12.0" in report.output, report.output
    assert all(i.score == i.max_score for i in report.items if i.id.startswith("2.")), report.output


@pytest.mark.skipif(not AS_ROOT, reason="sandbox users are the root mode's")
def test_each_batch_worker_slot_runs_its_jobs_as_a_user_of_its_own(tmp_path):
    """The process limit is counted per user: with one user for all workers, a fork bomb in one worker's job
    could keep another worker's honest job from starting a thread or a process."""
    from grader.engine import grade
    from grader.sandbox.client import Sandbox
    from grader.sandbox.master import Master

    src = (ROOT / "sample_submissions" / "correct_fall2020" / "mlp.py").read_text()
    (tmp_path / "mlp.py").write_text("import os\nprint('UID', os.getuid())\n" + src)
    seen = {}
    with Master() as master:
        for slot in (0, 1):
            with Sandbox(attach=master.zygote(slot), slot=slot) as sb:
                report = grade(tmp_path, sandbox=sb)
            seen[slot] = int(report.output.split("UID ")[1].split()[0])
            assert report.items[-1].score == report.items[-1].max_score  # graded as usual
    assert seen == {0: policy.sandbox_ids(0)[0], 1: policy.sandbox_ids(1)[0]} and seen[0] != seen[1]


def test_a_masters_zygote_imports_what_its_request_names_before_it_forks(tmp_path):
    """A batch whose submissions may plot asks for matplotlib with each zygote: the Master imports it once and
    every job finds it imported; a zygote asked for nothing has jobs that do not."""
    from grader.engine import grade
    from grader.sandbox.client import Sandbox
    from grader.sandbox.master import BATCH_PRELOAD, Master

    src = (ROOT / "sample_submissions" / "correct_fall2020" / "mlp.py").read_text()
    (tmp_path / "mlp.py").write_text("import sys\nprint('MPL', 'matplotlib.pyplot' in sys.modules)\n" + src)
    seen = []
    for requests in (((),), (BATCH_PRELOAD, ())):
        with Master() as master:
            for preload in requests:
                with Sandbox(attach=master.zygote(0, preload)) as sb:
                    seen.append(grade(tmp_path, sandbox=sb).output.split("MPL ")[1].split()[0])
    assert seen == ["False", "True", "True"]  # imported once, in the Master: later zygotes have it too


@pytest.mark.skipif(not policy.configure(()).get("bridge"), reason="only where the Python installation is bridged")
def test_what_a_request_preloads_sees_the_users_caches_before_the_bridge_hides_them(tmp_path):
    """matplotlib imported for a zygote request finds this user's font list (the Master opens the way to the Python
    installation only at its first fork): hidden, it would rebuild it in a temporary folder in every batch."""
    from grader.engine import grade
    from grader.sandbox.client import Sandbox
    from grader.sandbox.master import BATCH_PRELOAD, Master

    from grader.sandbox.master import _child_env

    probe = subprocess.run([sys.executable, "-I", "-c", "import matplotlib; print(matplotlib.get_cachedir())"],
                           capture_output=True, text=True, env={**_child_env(), "MPLBACKEND": "Agg"}, cwd="/")
    ours = probe.stdout.strip()
    src = (ROOT / "sample_submissions" / "correct_fall2020" / "mlp.py").read_text()
    (tmp_path / "mlp.py").write_text("import matplotlib\nprint('CACHE', matplotlib.get_cachedir())\n" + src)
    with Master() as master, Sandbox(attach=master.zygote(0, BATCH_PRELOAD)) as sb:
        report = grade(tmp_path, sandbox=sb)
    assert f"CACHE {ours}\n" in report.output, (ours, report.output[:300])
