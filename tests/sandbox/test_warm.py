"""The zygote's stand-ins for torch modules that eager code imports but does not need (``warm.py``): same results,
the real module as soon as anything needs more, and none of the import cost in each child."""

from __future__ import annotations

import json
import subprocess
import sys

from grader.engine import grade
from sandbox_helpers import ROOT

PROBE = r"""
import json, sys
sys.path.insert(0, {here!r})
import torch
import warm
warm.stub_dynamo()
warm.stub_symbolic_shapes()
out = {{}}
x = torch.arange(6.0).reshape(3, 2).requires_grad_()
(x * x).backward(torch.full((3, 2), 0.5))
out["backward"] = x.grad.tolist()
out["grad"] = torch.autograd.grad((x * 3).sum(), x)[0].tolist()
out["grad_outputs"] = torch.autograd.grad(x * x, x, grad_outputs=torch.ones(3, 2))[0].tolist()
try:
    (x * 2).backward(torch.ones(2, 3))
except RuntimeError as e:
    out["mismatch"] = str(e)
out["sympy_before"] = "sympy" in sys.modules
out["disable"] = torch._dynamo.disable(len)([1, 2])
from torch.fx.experimental.symbolic_shapes import ShapeEnv
out["real"] = type(sys.modules["torch.fx.experimental.symbolic_shapes"].ShapeEnv).__name__
out["replaced"] = torch.fx.experimental.symbolic_shapes.__file__.endswith("symbolic_shapes.py")
out["sympy_after"] = "sympy" in sys.modules
print(json.dumps(out))
"""


def _run(code: str) -> dict:
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_stand_ins_give_torchs_results_and_make_way_for_the_real_module():
    got = _run(PROBE.format(here=str(ROOT / "grader" / "sandbox")))
    x = [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]
    assert got["backward"] == [[v * 1.0 for v in row] for row in x]  # d(x^2)/dx * 0.5 = x
    assert got["grad"] == [[3.0, 3.0]] * 3
    assert got["grad_outputs"] == [[2 * v for v in row] for row in x]
    assert "Mismatch in shape" in got["mismatch"]
    assert got["sympy_before"] is False, "backward(gradient) imported sympy through the stand-in"
    assert got["disable"] == 2
    assert got["real"] == "type" and got["replaced"] and got["sympy_after"] is True


def test_a_job_calling_backward_with_a_gradient_does_not_import_sympy(tmp_path, sandbox):
    """In the sandbox too: a student's autograd check pays for autograd, not for an import of SymPy."""
    src = (ROOT / "sample_submissions" / "correct_fall2020" / "mlp.py").read_text()
    probe = """
import sys, torch
_w = torch.ones(3, 2, requires_grad=True)
(_w * 2).backward(torch.ones(3, 2))
print("SYMPY", "sympy" in sys.modules, float(_w.grad.sum()))
"""
    (tmp_path / "mlp.py").write_text(probe + src)
    report = grade(tmp_path, sandbox=sandbox)
    assert "SYMPY False 12.0" in report.output, report.output


def test_the_zygote_heap_is_in_huge_pages_and_the_jobs_memory_is_not(tmp_path, sandbox):
    """Huge pages make each fork cheap; in the job they could stall a large allocation on compaction, so the job
    turns them off (a memory bomb must meet its limit in time)."""
    try:
        with open(f"/proc/{sandbox.pid}/environ", "rb") as fh:  # the zygote is not dumpable: root reads it
            assert b"GLIBC_TUNABLES=glibc.malloc.hugetlb=1" in fh.read().split(b"\0")
    except PermissionError:
        pass
    src = (ROOT / "sample_submissions" / "correct_fall2020" / "mlp.py").read_text()
    probe = """
with open("/proc/self/status") as _fh:
    print("THP", [l.split()[1] for l in _fh if l.startswith("THP_enabled")])
"""
    (tmp_path / "mlp.py").write_text(probe + src)
    report = grade(tmp_path, sandbox=sandbox)
    assert "THP ['0']" in report.output or "THP []" in report.output, report.output  # [] : a kernel without the line
