"""What a job is, on the trusted side: the items it runs, its limits, what came back, and the bytes and descriptors
that carry it to the child.

``client.Sandbox.run`` builds a job from these and ``reader.Reader`` fills the outcome; neither imports the other's
module for them.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field

import numpy as np

from grader.sandbox.arrays import pack

_PACKED: dict = {}  # read-only case inputs -> their packed bytes (see arrays.pack), shared by a worker's jobs


@dataclass
class JobItem:
    """One item to run: the check kind, the student module it calls, and its cases' configs and input arrays."""

    id: str
    check: str
    role: str
    configs: list[dict]
    inputs: list[dict[str, np.ndarray]]
    withheld: bool = False  # a hidden item: runs after every visible one, and what is printed then is withheld


@dataclass
class JobLimits:
    item_seconds: float
    job_seconds: float
    memory_mb: int
    output_bytes: int
    processes: int
    file_mb: int
    withheld_bytes: int | None = None  # room for what is printed once hidden items began (None: output_bytes)
    item_limits: dict[str, float] | None = None  # item id -> its own limit (default: item_seconds)
    import_seconds: float | None = None  # the limit for importing each module (default: item_seconds)


@dataclass
class Abort:
    """Why a job stopped early: during the import of a module or during an item."""

    phase: str  # "start", "import" or "item"
    target: str  # role or item id
    reason: str  # sentence for the student
    timed_out: bool = False  # the phase ran out of its time limit (not the whole job's)


@dataclass
class JobOutcome:
    imports: dict[str, dict] = field(default_factory=dict)  # role -> {"ok": bool, "errors": [...]}
    results: dict[str, tuple[dict, dict[str, np.ndarray]]] = field(default_factory=dict)
    abort: Abort | None = None
    output: str = ""  # printable, at most JobLimits.output_bytes of it
    output_kept: int = 0  # bytes of it kept (before making them printable)
    output_bytes: int = 0  # how much was printed in all
    withheld: str = ""  # what was printed once hidden items had begun (never for the student), printable
    withheld_kept: int = 0  # bytes of it kept (at most JobLimits.withheld_bytes)
    withheld_bytes: int = 0
    held: bool = False  # the child reached the hold: hidden items were sent to it
    layers: list[str] = field(default_factory=list)  # confinement applied, e.g. ['netns', 'user', 'landlock6']
    exposed: list[str] = field(default_factory=list)  # protected paths the child could still read


def framed(head, arrays: dict[str, np.ndarray]) -> bytes:
    """[u32 length of the JSON header][header][the arrays, packed]: how a job and its hidden part reach the child."""
    if len(_PACKED) > 50_000:  # a worker's cache of packed pool inputs stays bounded over a long batch
        _PACKED.clear()
    text = json.dumps(head).encode()
    return len(text).to_bytes(4, "big") + text + pack(arrays, _PACKED)


def _memfd(data: bytes) -> int:
    """An anonymous in-memory file holding ``data`` (no file system entry to create, or for anything to find). Where
    memfd_create is refused (an old kernel, a strict container), an unlinked temporary file (readable by the
    grader's user only, and gone from the folder before anything runs)."""
    try:
        fd = os.memfd_create("hw1-job", os.MFD_CLOEXEC)
    except (OSError, AttributeError):
        fd, name = tempfile.mkstemp(prefix="hw1-job-")
        os.unlink(name)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except BaseException:
        os.close(fd)
        raise
    return fd


def job_descriptors(job: bytes, held: bool) -> tuple[list[int], list[int]]:
    """(ours, the child's): the result and output pipes' read ends and, with hidden items, the write end of the
    pipe that brings them and the withheld output's read end; for the child the other ends and the job's memfd,
    in ``zygote.JOB_FDS`` order. If one cannot be made (out of descriptors or memory), those made are closed."""
    made: list[int] = []
    try:
        res_r, res_w = _pair(made)
        out_r, out_w = _pair(made)
        job_fd = _memfd(job)
        made.append(job_fd)
        ours, theirs = [res_r, out_r], [res_w, out_w, job_fd]
        if held:
            held_r, held_w = _pair(made)
            wout_r, wout_w = _pair(made)
            ours += [held_w, wout_r]
            theirs += [held_r, wout_w]
    except BaseException:
        for fd in made:
            os.close(fd)
        raise
    return ours, theirs


def _pair(made: list[int]) -> tuple[int, int]:
    r, w = os.pipe()
    made += [r, w]
    return r, w
