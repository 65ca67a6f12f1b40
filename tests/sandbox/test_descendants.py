"""Finding every process a job left behind: the children-file walk agrees with a scan of every process."""

import os
import signal
import subprocess
import sys
import time

import pytest

from grader.sandbox.procs import CHILDREN_FILES, _descendants_by_scan, descendants, kill_tree, wait_gone


def test_walk_and_scan_find_the_same_tree_and_kill_tree_empties_it():
    # a shell that starts a sleeper, which itself starts a detached (setsid) grandchild
    code = ("import os, subprocess, time\n"
            "subprocess.Popen(['sleep', '30'])\n"
            "subprocess.Popen(['setsid', 'sleep', '30'])\n"
            "time.sleep(30)\n")
    proc = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline = time.monotonic() + 10
        while len(descendants(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        walked = sorted(descendants(os.getpid()))
        assert proc.pid in walked and len(walked) >= 3  # proc and its two sleepers
        assert walked == sorted(_descendants_by_scan(os.getpid()))
        assert CHILDREN_FILES
        below = set(descendants(proc.pid))
        assert len(below) >= 2
        killed = kill_tree(proc.pid)  # returns at once: each one has a SIGKILL pending and cannot run again
        assert below <= killed
        wait_gone(killed)
        assert descendants(proc.pid) == []
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


def _take_pid(pid: int):
    """A new unrelated process (``sh`` with a ``sleep`` child) that gets ``pid``, via ns_last_pid; None if the
    kernel gave it another pid after a few tries."""
    import subprocess

    for _ in range(30):
        with open("/proc/sys/kernel/ns_last_pid", "w") as fh:
            fh.write(str(pid - 1))
        victim = subprocess.Popen(["sh", "-c", "sleep 300 & wait"])
        if victim.pid == pid:
            return victim
        victim.kill()
        victim.wait()
    return None


@pytest.mark.skipif(os.getuid() != 0 or not os.access("/proc/sys/kernel/ns_last_pid", os.W_OK),
                    reason="needs root to choose the next pid")
def test_closing_twice_never_kills_a_process_that_took_the_old_pid():
    """A Master (or Sandbox) closed a second time must not kill what now has its old pid, nor what is below it."""
    import time

    from grader.sandbox.client import Sandbox
    from grader.sandbox.master import Master

    for make in (Master, Sandbox):
        box = make()
        pid = box._proc.pid
        if make is Sandbox:
            box.pid  # ready
        box.close()
        victim = _take_pid(pid)
        if victim is None:
            pytest.skip("the kernel would not hand out the old pid")
        try:
            time.sleep(0.2)
            kids = descendants(pid)
            assert kids
            box.close()
            time.sleep(0.2)
            assert descendants(pid) == kids and victim.poll() is None
        finally:
            victim.kill()
            victim.wait()


def test_a_zygote_whose_worker_dies_mid_job_kills_the_job(tmp_path):
    """The worker holding a Master-forked zygote is killed while a job runs: the zygote kills the job (here an
    import that sleeps) and leaves, so nothing of that worker's keeps running, or counting against its sandbox
    user's process limit, for the rest of the batch."""
    import shutil
    import tempfile
    from pathlib import Path

    from grader.sandbox.master import Master

    (tmp_path / "mlp.py").write_text("import time\ntime.sleep(60)\n")
    tmp = tempfile.mkdtemp(prefix="hw1-test-")  # the killed worker's sandbox folder stays here, removed below
    os.chmod(tmp, 0o711)  # the sandbox user reaches its job's folder through it
    worker = ("import socket, sys\nfrom grader.engine import grade\nfrom grader.sandbox.client import Sandbox\n"
              "grade(sys.argv[2], sandbox=Sandbox(attach=socket.socket(fileno=int(sys.argv[1]))))\n")
    root = Path(__file__).resolve().parents[2]
    try:
        with Master() as master:
            sock = master.zygote(0)
            proc = subprocess.Popen([sys.executable, "-c", worker, str(sock.fileno()), str(tmp_path)],
                                    pass_fds=[sock.fileno()], cwd=root, env={**os.environ, "TMPDIR": tmp})
            sock.close()
            deadline = time.monotonic() + 60
            while len(descendants(master._proc.pid)) < 2 and time.monotonic() < deadline:  # a zygote and its job
                time.sleep(0.05)
            assert len(descendants(master._proc.pid)) >= 2, "the job never started"
            proc.kill()
            proc.wait()
            deadline = time.monotonic() + 10
            while descendants(master._proc.pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert descendants(master._proc.pid) == []
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
