"""Trusted side: the processes below a zygote, found and killed (standard library only).

The zygote is a child subreaper, so every process a job started (even one that called setsid) stays its
descendant; ``kill_tree`` kills them all, round after round, and ``wait_gone`` waits for the kernel's teardown.
"""

from __future__ import annotations

import os
import signal
import time

#: Linux offers /proc/PID/task/TID/children where CONFIG_PROC_CHILDREN is set (most distributions).
CHILDREN_FILES = os.path.exists(f"/proc/self/task/{os.getpid()}/children")
PR_SET_NAME = 15


def name_process(name: str) -> None:
    """Give this process the name ps, top and perf show (``hw1-worker``, ``hw1-zygote``, ``hw1-job``; at most 15
    bytes), in place of ``python``."""
    import ctypes  # here: the batch imports this module before it starts the Master

    try:
        ctypes.CDLL(None).prctl(PR_SET_NAME, name.encode()[:15], 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the name is cosmetic
        pass


def _children(pid: int) -> list[int]:
    """Direct children of ``pid``, from its threads' children files."""
    out = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as fh:
                out += [int(c) for c in fh.read().split()]
        except OSError:
            continue
    return out


def start_time(pid: int) -> int | None:
    """When ``pid`` started (clock ticks since boot), or None when there is no such process: with the pid, it
    names one process for good (a pid alone may be reused once its process is gone and reaped)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
        return int(stat[stat.rfind(b")") + 2:].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def _live(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return False
    return stat[stat.rfind(b")") + 2:stat.rfind(b")") + 3] != b"Z"


def _descendants_by_scan(root: int) -> list[int]:
    """The same as ``descendants`` from a scan of every process (kernels without the children files)."""
    parent = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat", "rb") as fh:
                    stat = fh.read()
                parent[int(d)] = int(stat[stat.rfind(b")") + 2:].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    children: dict[int, list[int]] = {}
    for pid, ppid in parent.items():
        children.setdefault(ppid, []).append(pid)
    out, frontier = [], [root]
    while frontier:
        for c in children.get(frontier.pop(), []):
            frontier.append(c)
            out.append(c)
    return [p for p in out if _live(p)]


def descendants(root: int) -> list[int]:
    """Live (non-zombie) descendants of ``root``. The zygote is a child subreaper, so every process a job started
    (even one that called setsid) stays below it; walking the children files visits only them."""
    if not CHILDREN_FILES:
        return _descendants_by_scan(root)
    out, frontier = [], [root]
    while frontier:
        kids = _children(frontier.pop())
        frontier += kids
        out += kids
    return [p for p in out if _live(p)]


def kill_tree(root: int, seconds: float = 5.0) -> set[int]:
    """SIGKILL every descendant of ``root``, round after round, until a round finds none not yet killed.

    A process with a SIGKILL pending never runs user code again, so once every descendant has been sent one,
    nothing of the job can act, even while the kernel is still tearing the processes down. A process forked just
    before its parent was killed is new in the next round, and killed then (so a fork bomb only lasts a few rounds).
    Returns the processes it killed; ``wait_gone`` waits until the kernel has finished with them.
    """
    killed: set[int] = set()
    deadline, pause = time.monotonic() + seconds, 0.0002
    while time.monotonic() < deadline:
        pids = [p for p in descendants(root) if p not in killed]
        if not pids:
            return killed
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        killed.update(pids)
        time.sleep(pause)
        pause = min(2 * pause, 0.01)
    return killed


def wait_gone(pids: set[int], seconds: float = 5.0) -> None:
    """Wait until none of ``pids`` is alive (a killed process with a large address space takes milliseconds)."""
    deadline, pause = time.monotonic() + seconds, 0.0002
    while pids and time.monotonic() < deadline:
        pids = {p for p in pids if _live(p)}
        if pids:
            time.sleep(pause)
            pause = min(2 * pause, 0.01)
