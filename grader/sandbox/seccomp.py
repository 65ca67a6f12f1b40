"""A seccomp filter for the sandboxed child: the system calls a student's mlp.py never needs fail with EPERM.

Untrusted side, standard library only. Installed last, just before the student's code runs; it stays on every
process the child starts. Denied:

- ``socket`` (any family: no network, no D-Bus or other local services; ``socketpair`` still works);
- ``execve``/``execveat`` (no shell, no reverse shell, no other program);
- ``ptrace``, ``process_vm_readv/writev``, ``pidfd_getfd`` (no reading or steering other processes);
- ``kill(-1, ...)`` (no signal to every process of the user);
- new namespaces (``unshare``, ``setns``, ``clone`` with CLONE_NEW*; ``clone3`` answers ENOSYS so the C library
  falls back to ``clone``), mounts, ``chroot``, ``pivot_root``;
- ``io_uring`` (it could open sockets behind the filter's back), ``bpf``, ``perf_event_open``, ``userfaultfd``,
  the kernel keyring;
- every system call of another ABI (x32, or i386 through ``int 0x80``).
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform

PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
RET_ALLOW, RET_ERRNO = 0x7FFF0000, 0x00050000
LD_ABS_W, JEQ_K, JGE_K, JSET_K, RET_K = 0x20, 0x15, 0x35, 0x45, 0x06
OFF_NR, OFF_ARCH, OFF_ARG0 = 0, 4, 16  # struct seccomp_data; the low 32 bits of args[0] (little-endian)
CLONE_NEW_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000

#: machine -> (AUDIT_ARCH, syscall numbers, first number of a foreign ABI on the same arch or None)
ARCHES = {
    "x86_64": (0xC000003E, {
        "socket": 41, "execve": 59, "execveat": 322, "ptrace": 101, "process_vm_readv": 310,
        "process_vm_writev": 311, "kill": 62, "clone": 56, "unshare": 272, "setns": 308, "mount": 165,
        "umount2": 166, "pivot_root": 155, "chroot": 161, "bpf": 321, "perf_event_open": 298,
        "userfaultfd": 323, "keyctl": 250, "add_key": 248, "request_key": 249,
        # System V and POSIX message queues, semaphores and shared memory: they outlive the process
        "shmget": 29, "shmat": 30, "shmctl": 31, "shmdt": 67, "semget": 64, "semop": 65, "semctl": 66,
        "semtimedop": 220, "msgget": 68, "msgsnd": 69, "msgrcv": 70, "msgctl": 71, "mq_open": 240,
        "mq_unlink": 241, "mq_timedsend": 242, "mq_timedreceive": 243, "mq_notify": 244, "mq_getsetattr": 245},
        0x40000000),
    "aarch64": (0xC00000B7, {
        "socket": 198, "execve": 221, "execveat": 281, "ptrace": 117, "process_vm_readv": 270,
        "process_vm_writev": 271, "kill": 129, "clone": 220, "unshare": 97, "setns": 268, "mount": 40,
        "umount2": 39, "pivot_root": 41, "chroot": 51, "bpf": 280, "perf_event_open": 241,
        "userfaultfd": 282, "keyctl": 219, "add_key": 217, "request_key": 218,
        "mq_open": 180, "mq_unlink": 181, "mq_timedsend": 182, "mq_timedreceive": 183, "mq_notify": 184,
        "mq_getsetattr": 185, "msgget": 186, "msgctl": 187, "msgrcv": 188, "msgsnd": 189, "semget": 190,
        "semctl": 191, "semtimedop": 192, "semop": 193, "shmget": 194, "shmctl": 195, "shmat": 196, "shmdt": 197},
        None),
}
#: numbers shared by every 64-bit architecture (added after the tables were unified)
COMMON = {"io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "open_tree": 428,
          "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433, "pidfd_getfd": 438,
          "mount_setattr": 442}
CLONE3 = 435
ARG_CHECKS = ("kill", "clone")  # denied only for some arguments


_libc = ctypes.CDLL(None, use_errno=True)


class _Filter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint32)]


class _Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Filter))]


def program(machine: str | None = None) -> list[tuple[int, int, int, int]]:
    """The BPF program as (code, jt, jf, k) tuples. Jumps are relative; the labels are resolved here."""
    arch, nrs, foreign = ARCHES[machine or platform.machine()]
    deny_all = [n for name, n in {**nrs, **COMMON}.items() if name not in ARG_CHECKS]
    out: list[tuple] = []  # ("jump", code, k, true_label, false_label) or a plain tuple
    out.append((LD_ABS_W, 0, 0, OFF_ARCH))
    out.append(("jump", JEQ_K, arch, None, "deny"))
    out.append((LD_ABS_W, 0, 0, OFF_NR))
    if foreign is not None:
        out.append(("jump", JGE_K, foreign, "deny", None))
    for n in deny_all:
        out.append(("jump", JEQ_K, n, "deny", None))
    out.append(("jump", JEQ_K, CLONE3, "enosys", None))
    out.append(("jump", JEQ_K, nrs["kill"], "kill", None))
    out.append(("jump", JEQ_K, nrs["clone"], "clone", None))
    labels = {}
    tail = [("allow", (RET_K, 0, 0, RET_ALLOW)),
            ("kill", (LD_ABS_W, 0, 0, OFF_ARG0)), (None, ("jump", JEQ_K, 0xFFFFFFFF, "deny", None)),
            (None, (RET_K, 0, 0, RET_ALLOW)),
            ("clone", (LD_ABS_W, 0, 0, OFF_ARG0)), (None, ("jump", JSET_K, CLONE_NEW_FLAGS, "deny", None)),
            (None, (RET_K, 0, 0, RET_ALLOW)),
            ("deny", (RET_K, 0, 0, RET_ERRNO | errno.EPERM)),
            ("enosys", (RET_K, 0, 0, RET_ERRNO | errno.ENOSYS))]
    for label, ins in tail:
        if label:
            labels[label] = len(out)
        out.append(ins)
    resolved = []
    for i, ins in enumerate(out):
        if ins[0] == "jump":
            _, code, k, t, f = ins
            jt = labels[t] - i - 1 if t else 0
            jf = labels[f] - i - 1 if f else 0
            assert 0 <= jt < 256 and 0 <= jf < 256, "BPF jump out of range"
            resolved.append((code, jt, jf, k))
        else:
            resolved.append(ins)
    return resolved


def supported() -> bool:
    return platform.machine() in ARCHES


_BUILT: list = []  # [(filter array, its sock_fprog)]: built once in the zygote, so each job only installs it


def built() -> "_Prog":
    """The filter, ready to install: built on the first call (the zygote's, before it forks) and kept."""
    if not _BUILT:
        prog = program()
        arr = (_Filter * len(prog))(*[_Filter(*ins) for ins in prog])
        _BUILT.append((arr, _Prog(len(prog), ctypes.cast(arr, ctypes.POINTER(_Filter)))))
    return _BUILT[0][1]


def install() -> None:
    """Install the filter on the calling thread (and its future children). OSError when the kernel refuses."""
    if not supported():
        raise OSError(f"no seccomp filter for the {platform.machine()} architecture")
    fprog = built()
    libc = _libc
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"seccomp filter refused: {os.strerror(err)}")
