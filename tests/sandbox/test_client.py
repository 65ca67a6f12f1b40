"""The trusted side of a sandboxed job (``grader.sandbox.client``, ``grader.sandbox.job``): what it sets up, and cleans up."""

from __future__ import annotations

import os

import pytest


def _open_fds() -> set[int]:
    return {int(n) for n in os.listdir("/proc/self/fd")}


@pytest.mark.parametrize("fail_at", ["memfd", "third pipe"])
def test_descriptors_of_a_job_that_cannot_be_set_up_are_closed(monkeypatch, fail_at):
    """Out of memory for the job's memfd, or out of descriptors for a hidden part's pipe: what was opened for the
    job is closed again before the error goes up (a batch worker runs for hours)."""
    from grader.sandbox import job as client

    if fail_at == "memfd":
        monkeypatch.setattr(client, "_memfd", lambda data: (_ for _ in ()).throw(MemoryError()))
    else:
        real, calls = os.pipe, []

        def pipe():
            calls.append(1)
            if len(calls) == 3:
                raise OSError(24, "Too many open files")
            return real()
        monkeypatch.setattr(client.os, "pipe", pipe)
    before = _open_fds()
    with pytest.raises((MemoryError, OSError)):
        client.job_descriptors(b"job", held=True)
    monkeypatch.undo()
    assert _open_fds() == before
    ours, theirs = client.job_descriptors(b"job", held=True)
    assert len(ours) == 4 and len(theirs) == 5
    for fd in ours + theirs:
        os.close(fd)
