"""Finding every process a job left behind: the children-file walk agrees with a scan of every process."""

import os
import signal
import subprocess
import sys
import time

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
