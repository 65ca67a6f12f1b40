"""Landlock (Linux >= 5.13): what the sandboxed child may touch on the file system, by allow-list.

Untrusted side, standard library only. ``restrict(read, write)`` confines the calling process and every process it
starts, for good: read (files and directory listings) only beneath ``read``, write only beneath ``write``, execute
nothing anywhere. With ABI >= 4 it also forbids TCP bind and connect; with ABI >= 6 it forbids signalling any
process outside the job and connecting to abstract UNIX sockets. Landlock also keeps the child from ptrace-ing, or
reading ``/proc/PID/{mem,environ}`` of, any process outside its domain (the grader, the zygote, other jobs).
"""

from __future__ import annotations

import ctypes
import os
import stat

SYS_CREATE_RULESET, SYS_ADD_RULE, SYS_RESTRICT_SELF = 444, 445, 446  # the same numbers on x86_64 and aarch64
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1
PR_SET_NO_NEW_PRIVS = 38

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
MAKE_REG, MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE = 1 << 13, 1 << 14  # ABI 2, ABI 3
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE  # the rights that apply to a file (not a directory)
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1  # ABI 4
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1  # ABI 6

READ = READ_FILE | READ_DIR
WRITE = (READ | WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE_DIR | MAKE_REG | MAKE_SOCK | MAKE_FIFO | MAKE_SYM
         | REFER | TRUNCATE)


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _call(nr: int, *args) -> int:
    res = _libc.syscall(ctypes.c_long(nr), *args)
    if res < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"landlock syscall {nr}: {os.strerror(err)}")
    return res


def abi() -> int:
    """The Landlock ABI version this kernel offers; 0 when it has none (or a seccomp filter hides it). Asked once
    per process that has it offered (a forked job asks its zygote's answer)."""
    if not _ABI:
        try:
            _ABI.append(_call(SYS_CREATE_RULESET, None, ctypes.c_long(0), ctypes.c_long(CREATE_RULESET_VERSION)))
        except OSError:
            return 0
    return _ABI[0]


_ABI: list[int] = []


def _handled(version: int) -> tuple[int, int, int, int]:
    """(fs rights, net rights, scopes, size of the attribute struct) that ``version`` knows."""
    fs = (1 << 13) - 1 | (REFER if version >= 2 else 0) | (TRUNCATE if version >= 3 else 0)
    net = NET_BIND_TCP | NET_CONNECT_TCP if version >= 4 else 0
    scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if version >= 6 else 0
    size = 8 if version < 4 else 16 if version < 6 else 24
    return fs, net, scoped, size


def _allow(ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # missing, or out of reach of this user anyway
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            rights &= FILE_RIGHTS
        if rights:
            rule = _PathBeneath(rights, fd)
            _call(SYS_ADD_RULE, ctypes.c_long(ruleset), ctypes.c_long(RULE_PATH_BENEATH), ctypes.byref(rule),
                  ctypes.c_long(0))
    finally:
        os.close(fd)


def restrict(read: list[str], write: list[str]) -> int:
    """Confine this process as described above; returns the ABI used. OSError when Landlock is unavailable."""
    version = abi()
    if version < 1:
        raise OSError("Landlock is not available on this kernel")
    fs, net, scoped, size = _handled(version)
    attr = _RulesetAttr(fs, net, scoped)
    ruleset = _call(SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_long(size), ctypes.c_long(0))
    try:
        for path in read:
            _allow(ruleset, path, READ & fs)
        for path in write:
            _allow(ruleset, path, WRITE & fs)
        if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
        _call(SYS_RESTRICT_SELF, ctypes.c_long(ruleset), ctypes.c_long(0))
    finally:
        os.close(ruleset)
    return version
