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


META_PROBE = r"""
import json, sys
sys.path.insert(0, {here!r})
import warm
zygote = {zygote!r}
if zygote:
    warm.defer_meta_registrations()
import torch
if zygote:  # the zygote's sequence (zygote.main)
    import torch.nn, torch.nn.functional, torch.optim
    warm.stub_dynamo()
    warm.stub_symbolic_shapes()
    warm.warm_up()
    warm.meta_registrations_on_demand()
out = {{"deferred": "torch._decomp" not in sys.modules}}
g = torch.Generator().manual_seed(7)  # what torch._prims.rng_prims sets up on import
out["generator"] = torch.randn(3, generator=g).tolist()
loader = torch.utils.data.DataLoader(list(range(8)), batch_size=4, shuffle=True,
                                     generator=torch.Generator().manual_seed(1))
out["shuffle"] = [b.tolist() for b in loader]
out["broadcast_shapes"] = list(torch.broadcast_shapes((3, 1), (1, 4)))  # reads torch._refs
p, y, w = torch.full((2, 3), 0.25), torch.ones(2, 3), torch.tensor([1.0, 2.0, 3.0])
out["bce_weight"] = torch.nn.BCELoss(weight=w)(p, y).item()
torch.testing.assert_close(torch.ones(2), torch.ones(2))
try:
    torch.testing.assert_close(torch.ones(2), torch.zeros(2))
except AssertionError as e:
    out["assert_close"] = str(e).splitlines()[0]
torch.use_deterministic_algorithms(True)
torch.use_deterministic_algorithms(False)
torch.manual_seed(0)
x, W = torch.randn(5, 3), torch.randn(4, 3)
out["jacrev"] = torch.func.jacrev(lambda W: torch.tanh(x @ W.T))(W).tolist()  # vmap loads decompositions
out["vmap"] = torch.vmap(lambda r: torch.outer(r, r).diagonal())(x).tolist()
out["jacobian"] = torch.autograd.functional.jacobian(lambda W: torch.relu(x @ W.T), W, vectorize=True).tolist()
out["real"] = hasattr(sys.modules["torch._meta_registrations"], "register_meta")
out["same"] = torch._meta_registrations is sys.modules["torch._meta_registrations"]
import torch._decomp, torch._prims  # once each: a second copy would register its operators twice and fail
from torch._subclasses.fake_tensor import FakeTensorMode
with FakeTensorMode():
    out["fake"] = list((torch.randn(3, 4) @ torch.randn(4, 2)).shape)
out["meta"] = list(torch.sigmoid(torch.empty(2, 5, device="meta")).shape)
out["spec"] = torch._decomp.__spec__.origin.endswith("__init__.py")
print(json.dumps(out))
"""


def _meta_probe(zygote: bool) -> dict:
    return _run(META_PROBE.format(here=str(ROOT / "grader" / "sandbox"), zygote=zygote))


def test_torchs_deferred_parts_come_back_when_needed_and_give_torchs_own_results():
    """Deferred (the zygote's sequence), torch's meta registrations and decompositions are not imported by the
    warm-up; seeded generators, shuffled loaders, broadcast_shapes (weighted BCE), assert_close, deterministic
    mode, vmap, fake and meta tensors and an explicit import then give the same results as a plain
    ``import torch``, the real modules imported once."""
    deferred, plain = _meta_probe(True), _meta_probe(False)
    assert deferred.pop("deferred") is True and plain.pop("deferred") is False
    assert deferred == plain
    assert deferred["real"] and deferred["same"] and deferred["spec"]
    assert deferred["fake"] == [3, 2] and deferred["meta"] == [2, 5] and deferred["broadcast_shapes"] == [3, 4]


EVERYDAY = r"""
import io, json, sys, warnings
sys.path.insert(0, {here!r})
import warm, zygote  # zygote: its PRELOAD list
warm.defer_meta_registrations()
import importlib, torch
for name in zygote.PRELOAD:
    zygote._import_one(name)
warm.stub_dynamo()
warm.stub_symbolic_shapes()
warm.warm_up()
warm.meta_registrations_on_demand()
buf = io.BytesIO()
torch.save({{"w": torch.ones(2)}}, buf)
buf.seek(0)
loaded = torch.load(buf)["w"].tolist()
torch.set_default_device("cpu")
text = repr(torch.tensor([1 + 2j]))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    torch.has_cuda  # deprecated: torch warns, naming the caller's line
deferred = "torch._decomp" in sys.modules
spec = importlib.util.find_spec("torch._refs")  # the first use of a deferred part, asked only, never loaded
print(json.dumps([loaded, "1.+2.j" in text, deferred,
                  [w.filename.endswith("warm.py") for w in caught],
                  [spec.origin.endswith("__init__.py"), sys.modules["torch._refs"].__spec__.origin == spec.origin,
                   spec.submodule_search_locations is not None]]))
"""


def test_everyday_calls_do_not_bring_back_the_deferred_parts():
    """torch.save/torch.load, set_default_device and printing a complex tensor import small parts of torch that
    the zygote preloads, so a job using them does not pay about 1.5 s for the deferred parts; torch's warnings
    still name the caller; find_spec of a deferred part (the first use) gives its real origin and package path."""
    got = _run(EVERYDAY.format(here=str(ROOT / "grader" / "sandbox")))
    assert got[:3] == [[1.0, 1.0], True, False]
    assert got[3] and not any(got[3]), got[3]
    assert got[4] == [True, True, True]


def test_a_reload_of_a_part_of_torch_as_the_first_use_reloads_it():
    here = str(ROOT / "grader" / "sandbox")
    got = _run(f"""
import importlib, json, sys
sys.path.insert(0, {here!r})
import warm
warm.defer_meta_registrations()
import torch, torch.nn.init
warm.meta_registrations_on_demand()
module = importlib.reload(torch.nn.init)
print(json.dumps([module is torch.nn.init, type(module.__loader__).__name__, module.__spec__.origin.endswith("init.py"),
                  hasattr(sys.modules["torch._meta_registrations"], "register_meta")]))
""")
    assert got == [True, "SourceFileLoader", True, True]


def test_the_stand_in_gives_way_when_asked_for_a_name():
    here = str(ROOT / "grader" / "sandbox")
    got = _run(f"""
import json, sys
sys.path.insert(0, {here!r})
import warm
warm.defer_meta_registrations()
import torch
before = "torch._decomp" in sys.modules
f = torch._meta_registrations.meta_index_Tensor  # what fake_impls reads from it
print(json.dumps([before, callable(f), hasattr(sys.modules["torch._meta_registrations"], "register_meta")]))
""")
    assert got == [False, True, True]


def test_a_job_runs_without_torchs_meta_registrations_until_it_needs_them(tmp_path, sandbox):
    """In the sandbox: a correct submission's job never imports them; one that seeds a generator, checks itself
    with assert_close and broadcast_shapes and calls torch.func.jacrev gets them, its results and full marks."""
    src = (ROOT / "sample_submissions" / "correct_fall2020" / "mlp.py").read_text()
    probe = """
import sys, torch
print("DECOMP", "torch._decomp" in sys.modules)
_g = torch.Generator().manual_seed(0)
torch.testing.assert_close(torch.ones(2), torch.ones(2))
_s = torch.broadcast_shapes((3, 1), (1, 4))
_j = torch.func.jacrev(lambda w: (w * w).sum())(torch.arange(3.0))
print("JACREV", _j.tolist(), "torch._decomp" in sys.modules, list(_s))
"""
    (tmp_path / "mlp.py").write_text(probe + src)
    report = grade(tmp_path, sandbox=sandbox)
    assert "DECOMP False" in report.output and "JACREV [0.0, 2.0, 4.0] True [3, 4]" in report.output, report.output
    assert report.score == grade(ROOT / "sample_submissions" / "correct_fall2020", sandbox=sandbox).score


def test_a_preload_that_fails_to_import_leaves_the_zygote_running(tmp_path, monkeypatch, capsys):
    """A module named for preloading that raises on import (not only ImportError) is reported and skipped: the
    Master must go on forking zygotes."""
    monkeypatch.syspath_prepend(str(ROOT / "grader" / "sandbox"))
    import zygote

    (tmp_path / "boom_on_import.py").write_text("raise RuntimeError('boom')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("boom_on_import", "no_such_module_here", "json"):
        zygote._import_one(name)
    assert "importing boom_on_import failed: RuntimeError: boom" in capsys.readouterr().err
    zygote._preload(["", 3])  # not a list of names: ignored
