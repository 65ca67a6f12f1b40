"""Trusted side: who the sandboxed child runs as, what it may read, and what it must never read.

``configure(hide, landlock, mountns)`` builds the zygote's configuration (``confine.confine`` reads it):

- protected: the secrets: the reference solution, the bundled rubrics and the paths in ``hide`` (for example a
  folder of other submissions or a salt file). The child tries to read each of them before the student's code
  runs and reports what it could read; as root, any success stops the job (``require_hidden``).
- read (Landlock's allow-list): the system's libraries and configuration, the Python installation and its
  site-packages, and a few devices; any of those that contains a secret or the grader's own package is replaced
  by its entries, so those are left out.
- bridge (root): the folders others cannot enter on the way to the Python installation (e.g. /root), which the
  zygote opens to the sandbox user for those entries only (``bridges``);
- hide, tmp_dirs: for the mount-namespace fallback (without Landlock): the secrets, the grader's package, the
  whole source checkout when the grader runs from one (its tests and sample submissions too), and everything
  beside the paths the child needs (``beside``: other checkouts, home folders, other submissions).
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import site
import subprocess
import sys
from pathlib import Path

from grader.errors import SandboxError

SANDBOX_USER = "hw1-sandbox"
SYSTEM_READ = ("/usr", "/lib", "/lib64", "/lib32", "/libx32", "/bin", "/sbin", "/etc", "/proc", "/sys",
               "/dev/zero", "/dev/urandom", "/dev/random")
DEVICES_WRITE = ("/dev/null",)
TMP_DIRS = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")


def sandbox_user(slot: int = 0) -> str:
    """The sandbox user of a batch worker's slot: hw1-sandbox, then hw1-sandbox-1, -2, ... Each worker has its own,
    so the process limit (counted per user) of one worker's jobs is not used up by another's (a fork bomb)."""
    return SANDBOX_USER if slot == 0 else f"{SANDBOX_USER}-{slot}"


def sandbox_ids(slot: int = 0) -> tuple[int, int] | None:
    """(uid, gid) of the unprivileged sandbox user of ``slot`` when running as root (created if missing), else
    None."""
    if os.getuid() != 0:
        return None
    name = sandbox_user(slot)
    try:
        pw = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                       check=False, capture_output=True)
        try:
            pw = pwd.getpwnam(name)
        except KeyError as e:
            raise SandboxError(f"running as root but could not create the user {name!r}; create it "
                               f"(useradd --system {name}) or run the grader as an ordinary user") from e
    if pw.pw_uid == 0:
        raise SandboxError(f"the user {name!r} has uid 0; give it an unprivileged uid")
    return pw.pw_uid, pw.pw_gid


def _package_dir(name: str) -> str | None:
    spec = importlib.util.find_spec(name)
    locations = list(spec.submodule_search_locations or []) if spec else []
    return os.path.realpath(locations[0]) if locations else None


def secret_paths(hide: tuple[str | os.PathLike, ...] = ()) -> list[str]:
    """What the student's code must never read: the reference solution, the bundled rubrics and ``hide``, as real
    paths (missing ones are kept: harmless)."""
    from grader.rubric import RUBRICS_DIR

    found = [_package_dir("reference"), str(RUBRICS_DIR)]
    return list(dict.fromkeys(os.path.realpath(p) for p in [*found, *map(os.fspath, hide)] if p))


def probe_paths(protected: list[str]) -> list[str]:
    """Each protected path and, for a directory, one file in it (a listable directory is not the only leak)."""
    out = []
    for p in protected:
        out.append(p)
        if os.path.isdir(p):
            files = sorted(f for f in os.listdir(p) if os.path.isfile(os.path.join(p, f)))
            if files:
                out.append(os.path.join(p, files[0]))
    return out


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _expand(root: str, protected: list[str]) -> list[str]:
    """``root``, or its entries (recursively) when a protected path lies beneath it; never a protected path."""
    real = os.path.realpath(root)
    if any(_under(real, p) for p in protected):
        return []
    if not any(_under(p, real) for p in protected):
        return [root]
    try:
        entries = sorted(os.scandir(real), key=lambda e: e.name)
    except OSError:
        return []
    return [x for e in entries for x in _expand(e.path, protected)]


def readable_roots(protected: list[str]) -> list[str]:
    """What Landlock lets the child read: the system, the Python installation and site-packages."""
    roots = [*SYSTEM_READ, sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             *site.getsitepackages()]
    for name in ("numpy", "torch"):
        d = _package_dir(name)
        if d:
            roots.append(os.path.dirname(d))
    out: list[str] = []
    for r in dict.fromkeys(roots):
        if os.path.exists(r):
            out += _expand(r, protected)
    return list(dict.fromkeys(out))


def source_checkout(roots: list[str]) -> str | None:
    """The grader's source checkout (the folder holding grader/ and pyproject.toml: tests, samples, .git), unless
    the Python installation lives inside it; the mount-namespace fallback hides it whole."""
    pkg = _package_dir("grader")
    top = os.path.dirname(pkg) if pkg else None
    if not top or not os.path.isfile(os.path.join(top, "pyproject.toml")):
        return None
    return None if any(_under(os.path.realpath(r), top) for r in roots) else top


#: Top-level folders the child needs or that the fallback handles on its own (tmp dirs become private tmpfs).
KEEP_TOP = frozenset({"usr", "lib", "lib64", "lib32", "libx32", "bin", "sbin", "etc", "proc", "sys", "dev", "run",
                      "tmp", "var"})


def beside(needed: list[str], root: str = "/") -> list[str]:
    """Everything beside the paths the child needs, for the mount-namespace fallback to hide: walking from / down
    to each needed path, every sibling folder or file that leads to none of them (other checkouts of the grader,
    home folders, other students' submissions). Landlock's allow-list has the same effect where it exists."""
    needed = [os.path.realpath(n) for n in needed]
    out: list[str] = []
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return out
    for e in entries:
        if (root == "/" and e.name in KEEP_TOP) or e.is_symlink() or e.path in needed:
            continue
        if any(_under(n, e.path) for n in needed):
            out += beside(needed, e.path)
        elif e.is_dir(follow_symlinks=False) or e.is_file(follow_symlinks=False):
            out.append(e.path)
    return out


def bridges(paths: list[str]) -> list[list]:
    """The folders on the way to ``paths`` that other users cannot enter (e.g. /root, mode 0700, when Python was
    installed there), each with the entries below it that lead to one of the paths, top-down. As root the zygote
    turns each into an empty tmpfs holding only those entries (``confine.bridge``), so the sandbox user reaches
    Python and nothing else there: without it only the modules the zygote preloads could be imported."""
    out: dict[str, set[str]] = {}
    for p in paths:
        parts = Path(os.path.realpath(p)).parts
        for i in range(1, len(parts) - 1):
            d = os.path.join(*parts[:i + 1])
            try:
                if not os.stat(d).st_mode & 0o001:
                    out.setdefault(d, set()).add(parts[i + 1])
            except OSError:
                break
    return [[d, sorted(names)] for d, names in sorted(out.items(), key=lambda kv: (kv[0].count(os.sep), kv[0]))]


def configure(hide: tuple = (), landlock: bool = True, mountns: bool = True, slot: int = 0) -> dict:
    """The zygote's configuration (JSON-ready). slot: which sandbox user (``sandbox_user``)."""
    ids = sandbox_ids(slot)
    secrets = secret_paths(hide)
    private = list(dict.fromkeys([*secrets, *filter(None, [_package_dir("grader")])]))
    roots = readable_roots(private)
    checkout = source_checkout(roots)
    cfg = {"uid": None, "gid": None, "landlock": landlock, "mountns": mountns, "require_hidden": ids is not None,
           "protected": probe_paths(secrets),
           "hide": list(dict.fromkeys(private + ([checkout] if checkout else []) + beside(roots))),
           "tmp_dirs": list(TMP_DIRS), "read": roots if landlock else [], "write": list(DEVICES_WRITE)}
    if ids:
        cfg["uid"], cfg["gid"] = ids
        cfg["bridge"] = bridges([r for r in roots if r not in SYSTEM_READ and r not in DEVICES_WRITE])
    return cfg


def exposed_message(paths: list[str]) -> str:
    top = sorted({p if os.path.isdir(p) else str(Path(p).parent) for p in paths})
    return (f"the sandbox user {SANDBOX_USER!r} could read {', '.join(paths)}: this system offers neither "
            f"Landlock (Linux >= 5.13) nor mount namespaces to hide them, so the grader refuses to run students' "
            f"code. Make them unreadable to other users (chmod -R o-rwx {' '.join(top)}) or run on a kernel with "
            f"Landlock.")
