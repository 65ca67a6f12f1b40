"""A batch's forkserver computes the visible cases and their values once, before forking the workers."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from grader.rubric import load_rubric
from tests.conftest import ROOT, SAMPLES


def test_warm_computes_what_grading_a_submission_uses_for_its_visible_items():
    """In a fresh process: after ``warm``, planning a submission draws no visible case and computes no expected
    value or known mistake again (hidden items come from the salt, so they are left to the workers)."""
    code = f"""
import json
import grader.engine as E
from grader.diagnose import detectors as D
from grader.load import load_submission
from grader.rubric import load_rubric
r = load_rubric()
n = E.warm(r)
before = E.expected_for.cache_info().misses, D._mistaken.cache_info().misses
plans = E.plan(r, load_submission({str(SAMPLES / "wrong_relu_mask")!r}), "a salt")
visible = [p for p in plans if p.item.visibility == "visible"]
for p in visible:
    for c in p.cases:
        if p.item.check in D.VARIANT_CHECKS:
            D.mistaken(c, p.item.check, r.conventions.implementation)
after = E.expected_for.cache_info().misses, D._mistaken.cache_info().misses
hidden = sum(len(p.cases) for p in plans if p.item.visibility != "visible")
print(json.dumps([n, before, after, hidden]))
"""
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    n, before, after, hidden = json.loads(res.stdout)
    assert n > 100
    assert after[0] - before[0] == hidden  # only the hidden item's cases were new
    assert after[1] == before[1]


def test_the_warmup_module_warms_from_the_environment_and_leaves_no_variable(tmp_path):
    from grader.batch.warmup import WARM_ENV

    code = f"""
import json, os
import grader.batch.warmup
import grader.engine as E
print(json.dumps([E.expected_for.cache_info().currsize, {WARM_ENV!r} in os.environ]))
"""
    env = {**os.environ, WARM_ENV: load_rubric().model_dump_json()}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT,
                         env=env)
    assert res.returncode == 0, res.stderr
    size, left = json.loads(res.stdout)
    assert size > 100 and left is False
    env[WARM_ENV] = "{not a rubric"  # a cache only: nothing breaks, nothing is warmed
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT,
                         env=env)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout) == [0, False]
