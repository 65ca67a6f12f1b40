"""Behaviour kept: every sample's scores and feedback are the ones stored in tests/snapshots/samples.json.

A change that moves code around must leave this file as it is. A change that means to change what students see
regenerates it and shows the difference in review:

    HW1_UPDATE_SNAPSHOT=1 .venv/bin/python -m pytest -q tests/test_snapshot.py

Left out: the adversarial samples, whose feedback depends on the machine (how far a memory bomb got, which limit
struck first), and everything timed (``seconds``).
"""

from __future__ import annotations

import difflib
import json
import os
import re

import pytest

from tests.conftest import ROOT, SAMPLES, edition

SNAPSHOT = ROOT / "tests" / "snapshots" / "samples.json"
SKIPPED_PREFIXES = ("adversarial",)


def _samples() -> list[str]:
    return sorted(p.name for p in SAMPLES.iterdir() if p.is_dir() and not p.name.startswith(SKIPPED_PREFIXES)
                  and any(p.iterdir()))


def _behaviour(report) -> dict:
    """What a student and a TA see of one report, with the paths of this checkout taken out."""
    here = re.escape(str(ROOT))

    def clean(text: str) -> str:
        return re.sub(here, "<root>", text)

    return {"score": report.score, "max_score": report.max_score,
            "items": {i.id: {"score": i.score, "status": i.status, "provisional": i.provisional,
                             "diagnoses": [d.code for d in i.diagnoses], "feedback": clean(i.feedback),
                             "student_feedback": clean(i.student_feedback)} for i in report.items},
            "flags": [clean(f) for f in report.flags], "notes": [clean(n) for n in report.notes]}


@pytest.fixture(scope="module")
def now(graded) -> dict:
    return {name: _behaviour(graded(name)) for name in _samples()}


def test_every_sample_behaves_as_stored(now):
    if os.environ.get("HW1_UPDATE_SNAPSHOT"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")
    stored = json.loads(SNAPSHOT.read_text())
    assert sorted(stored) == sorted(now), "samples added or removed: regenerate the snapshot (see the docstring)"
    changed = [name for name in now if now[name] != stored[name]]
    if changed:
        name = changed[0]
        diff = difflib.unified_diff(json.dumps(stored[name], indent=1, sort_keys=True).splitlines(),
                                    json.dumps(now[name], indent=1, sort_keys=True).splitlines(), "stored", "now",
                                    lineterm="", n=1)
        pytest.fail(f"{len(changed)} samples changed ({', '.join(changed[:8])}); the first:\n" + "\n".join(
            list(diff)[:60]))


def test_the_snapshot_notices_a_change(now):
    """The comparison can fail: a one-point change in one item of one sample is found."""
    stored = json.loads(SNAPSHOT.read_text())
    name = sorted(stored)[0]
    item_id = sorted(stored[name]["items"])[0]
    altered = json.loads(json.dumps(now))
    altered[name]["items"][item_id]["score"] += 1
    assert altered[name] != stored[name]
