"""Confine the forked child before the student's code runs: every layer this machine allows, in order.

Untrusted side, standard library only (plus the sibling ``landlock`` and ``seccomp``). ``confine`` runs in the
child right after the fork, still with the zygote's identity:

0. resource limits: CPU seconds, address space, file size, open files, processes, no core files;
   then (not root, only without Landlock) a user namespace, so that 1 and 2 need no privilege;
1. (root, or in that user namespace) a new network namespace: no interface but a loopback that is down (as root
   the zygote makes it once, before any fork, and every job runs in it: jobs of a zygote never overlap, and every
   process of a job is killed before the next one starts);
2. (the same, only without Landlock) a new mount namespace: an empty read-only tmpfs over each hidden path (the
   grader, the reference solution, the rubrics, whatever the grader was told to hide) and over the world-writable
   directories (/tmp, /var/tmp, /dev/shm, /run/lock), with the job's scratch directory bound back in place;
3. (root) the unprivileged sandbox user, no supplementary groups; (not root) no capabilities left (none in the
   user namespace either);
4. not dumpable: no other process of the same user can read this one's memory, environment or cwd;
5. Landlock: read only the Python installation and the system's libraries, write only the scratch directory,
   execute nothing, no TCP, no signal to processes outside the job;
6. the seccomp filter (see ``seccomp.py``).

A layer the kernel refuses is skipped, except Landlock and seccomp when the kernel offers them (fail closed).
``exposed`` then tries to read each protected path, so the trusted side learns what the student's code could read.
"""

from __future__ import annotations

import ctypes
import os
import resource

import landlock
import seccomp

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWNET, CLONE_NEWIPC = 0x00020000, 0x10000000, 0x40000000, 0x08000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
PR_SET_DUMPABLE, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 4, 47, 4
CAP_VERSION_3 = 0x20080522
TMP_FLAGS = MS_NOSUID | MS_NODEV | MS_NOEXEC

_libc = ctypes.CDLL(None, use_errno=True)


def _check(res: int, what: str) -> None:
    if res != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    enc = (lambda s: s.encode() if s is not None else None)
    _check(_libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)), f"mount {target}")


# --------------------------------------------------------------------------------------------- namespaces
def enter_user_namespace() -> None:
    """(not root) A user namespace in which this process keeps its uid and gid but may create the other
    namespaces; its capabilities there are dropped again before the student's code runs."""
    uid, gid = os.getuid(), os.getgid()
    _libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # else /proc/self/uid_map belongs to root; dropped again below
    _check(_libc.unshare(CLONE_NEWUSER), "unshare(CLONE_NEWUSER)")
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
        with open(f"/proc/self/{name}", "w") as fh:
            fh.write(text)


def new_network() -> None:
    _check(_libc.unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)")


def hide_paths(scratch: str, hide: list[str], tmp_dirs: list[str]) -> None:
    """A private mount namespace in which ``hide`` are empty and ``tmp_dirs`` are read-only, except scratch."""
    _check(_libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    keep = os.open(scratch, os.O_PATH | os.O_DIRECTORY)
    try:
        for d in tmp_dirs:
            if not os.path.isdir(d) or os.path.islink(d):
                continue
            _mount("tmpfs", d, "tmpfs", TMP_FLAGS, "size=1m,mode=755")
            if scratch.startswith(d.rstrip("/") + "/"):
                os.makedirs(scratch, mode=0o755, exist_ok=True)
                _mount(f"/proc/self/fd/{keep}", scratch, None, MS_BIND)
            _mount(None, d, None, MS_REMOUNT | MS_RDONLY | TMP_FLAGS)
        for h in hide:
            if os.path.isdir(h):
                _mount("tmpfs", h, "tmpfs", MS_RDONLY | TMP_FLAGS, "size=4k,mode=000")
            elif os.path.exists(h):
                _mount("/dev/null", h, None, MS_BIND)
    finally:
        os.close(keep)


def bridge(blocked: list[list]) -> None:
    """(root, once, in the zygote) A private mount namespace in which each folder of ``blocked`` ([folder, [entries
    to keep]], top-down) is an empty read-only tmpfs (mode 0755) holding bind mounts of those entries only. The
    sandbox user can then reach a Python installed below a folder it cannot enter (e.g. /root) and nothing else
    there; every job the zygote forks inherits the namespace."""
    _check(_libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    for top, names in blocked:
        keep = {}
        for name in names:
            try:
                keep[name] = os.open(os.path.join(top, name), os.O_PATH)
            except OSError:
                continue
        try:
            _mount("tmpfs", top, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=755")
            for name, fd in keep.items():
                target = os.path.join(top, name)
                if os.path.isdir(f"/proc/self/fd/{fd}"):
                    os.mkdir(target)
                else:
                    open(target, "w").close()
                _mount(f"/proc/self/fd/{fd}", target, None, MS_BIND | MS_REC)
            _mount(None, top, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
        finally:
            for fd in keep.values():
                os.close(fd)


# --------------------------------------------------------------------------------------------- limits, identity
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


def apply_limits(lim: dict, drop_to: int | None) -> None:
    """lim: cpu_seconds, memory_mb, file_mb, processes (and optionally open_files)."""
    _limit(resource.RLIMIT_CORE, 0)
    _limit(resource.RLIMIT_CPU, max(1, int(lim["cpu_seconds"])))
    _limit(resource.RLIMIT_AS, int(lim["memory_mb"]) << 20)
    _limit(resource.RLIMIT_FSIZE, int(lim["file_mb"]) << 20)
    _limit(resource.RLIMIT_NOFILE, int(lim.get("open_files", 256)))
    uid = os.getuid() if drop_to is None else drop_to
    extra = 0 if drop_to is not None else _user_task_count(uid)
    _limit(resource.RLIMIT_NPROC, extra + int(lim["processes"]))


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def drop_capabilities() -> None:
    """No ambient, effective, permitted or inheritable capability left (a non-root grader may hold some)."""
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    _check(_libc.capset(ctypes.byref(_CapHeader(CAP_VERSION_3, 0)), (_CapData * 2)()), "capset")


def become(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise OSError("could not switch to the sandbox user")


# --------------------------------------------------------------------------------------------- all of it
def confine(cfg: dict, scratch: str, limits: dict) -> list[str]:
    """Apply the layers (see the module docstring); returns the names of those applied, e.g.
    ['limits', 'netns', 'user', 'nodump', 'landlock6', 'seccomp']."""
    uid = cfg.get("uid")
    apply_limits(limits, uid)  # first: a user namespace records the process limit it was created under
    layers = ["limits"]
    use_landlock = bool(cfg.get("landlock", True)) and landlock.abi() >= 1
    namespaces = uid is not None
    if not namespaces and not use_landlock and cfg.get("mountns", True):
        try:
            enter_user_namespace()
            layers.append("userns")
            namespaces = True
        except OSError:
            pass
    if cfg.get("netns_shared"):
        layers.append("netns")  # the zygote made one network namespace for all its jobs (see zygote.main)
    elif namespaces:
        try:
            new_network()
            layers.append("netns")
        except OSError:
            pass
    if namespaces:
        if not use_landlock and cfg.get("mountns", True):
            try:
                hide_paths(scratch, cfg.get("hide", []), cfg.get("tmp_dirs", []))
                layers.append("mountns")
            except OSError:
                pass
    if uid is not None:
        become(uid, cfg["gid"])
        layers.append("user")
    else:
        drop_capabilities()
        layers.append("nocaps")
    _check(_libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "prctl(PR_SET_DUMPABLE)")
    layers.append("nodump")
    if use_landlock:
        layers.append(f"landlock{landlock.restrict(cfg.get('read', []), [scratch, *cfg.get('write', [])])}")
    if seccomp.supported():
        seccomp.install()
        layers.append("seccomp")
    return layers


def exposed(paths: list[str]) -> list[str]:
    """The paths among ``paths`` that this process can read (list, for a directory)."""
    out = []
    for p in paths:
        try:
            if os.path.isdir(p):
                os.listdir(p)
            else:
                with open(p, "rb") as fh:
                    fh.read(1)
        except OSError:
            continue
        out.append(p)
    return out
