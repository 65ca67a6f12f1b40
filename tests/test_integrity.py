"""Autograd in the graded code: found statically and at run time; the gradient items score 0 and are flagged."""

import pytest

from grader.checks import CHECKS
from grader.integrity import autograd_lines
from grader.load import load_submission
from tests.conftest import SAMPLES, item


def _lines(tmp_path, source: str, check: str = "backward") -> list[str]:
    (tmp_path / "mlp.py").write_text(source)
    return autograd_lines(load_submission(tmp_path), CHECKS[check])


def test_autograd_in_backward_scores_zero_on_gradient_items_and_is_flagged(graded):
    report = graded("wrong_uses_autograd")
    for item_id in ("2.backward", "2.end_to_end", "2.clear_grad", "2.end_to_end_hidden"):
        it = item(report, item_id)
        assert it.score == 0 and "autograd" in it.feedback and "line 86" in it.feedback
    assert item(report, "2.forward").score == item(report, "2.forward").max_score
    assert item(report, "2.mse_loss").score == item(report, "2.mse_loss").max_score
    assert any("autograd" in f for f in report.flags)


def test_static_scan_follows_helpers_and_ignores_the_students_own_tests(tmp_path):
    src = '''
import torch
def helper(t):
    t.requires_grad_(True)
    return t
class MLP:
    def backward(self, d):
        return helper(d)
def mse_loss(y, y_hat):
    return ((y_hat - y) ** 2).mean(), 2 * (y_hat - y) / y.numel()
def test_against_autograd():
    w = torch.zeros(2, requires_grad=True)
    (w * 2).sum().backward()
if __name__ == "__main__":
    x = torch.ones(3, requires_grad=True)
    x.sum().backward()
'''
    assert [l.split(":")[0] for l in _lines(tmp_path, src)] == ["line 4"]
    assert _lines(tmp_path, src, "loss") == []
    assert _lines(tmp_path, src, "forward") == []


def test_plain_code_with_detach_no_grad_and_grads_dict_is_clean(graded, tmp_path):
    src = (SAMPLES / "correct_numpy_inside" / "mlp.py").read_text()
    assert _lines(tmp_path, src) == [] and _lines(tmp_path, src, "end_to_end") == []
    assert not graded("correct_numpy_inside").flags


def test_runtime_probe_catches_autograd_the_scan_cannot_see(sandbox, tmp_path):
    from grader.engine import grade

    src = (SAMPLES / "correct_fall2020" / "mlp.py").read_text()
    sneaky = src.replace("    def backward(self, dJdy_hat):\n", "    def backward(self, dJdy_hat):\n"
                         "        getattr(torch.ones(1, **{'requires' + '_grad': True}).sum(), 'back' + 'ward')()\n")
    assert sneaky != src
    (tmp_path / "mlp.py").write_text(sneaky)
    report = grade(tmp_path, sandbox=sandbox)
    it = item(report, "2.backward")
    assert it.score == 0 and "calls to backward/grad" in it.feedback
    assert item(report, "2.forward").score == item(report, "2.forward").max_score


def test_reading_requires_grad_or_turning_it_off_is_not_autograd(tmp_path):
    src = """
import torch
class MLP:
    def backward(self, d):
        d = d.detach() if d.requires_grad else d
        w = torch.zeros(2, requires_grad=False)
        w.requires_grad_(False)
        w.requires_grad = False
        with torch.no_grad():
            return d * 2
"""
    assert _lines(tmp_path, src) == []
    on = src.replace("requires_grad=False", "requires_grad=True")
    assert [l.split(":")[0] for l in _lines(tmp_path, on)] == ["line 6"]
    grad = src.replace("return d * 2", "return w.grad")
    assert _lines(tmp_path, grad) == []  # reading .grad alone: the student's own classes hold .grad too
    both = on.replace("return d * 2", "return w.grad")
    assert [l.split(":")[0] for l in _lines(tmp_path, both)] == ["line 6", "line 10"]  # beside a strong finding


@pytest.mark.parametrize("body", [
    "loss.backward()", "loss . backward()", "(loss.\n     backward())", "loss.\\\n    backward()",
    "w.requires_grad_()", "w = torch.zeros(2, requires_grad=True)", "g = w.grad", "w.retain_grad()",
    "from torch.func import grad", "import torch.autograd as ag", "from functorch import vmap",
    "torch.autograd.grad(y, x)", "f = torch.func.jacrev(g)", "g = w . grad", "g = (w.  # the gradient\n  grad)",
    "g = (w\n  # the gradient\n  .\n  # of w\n  grad)", "g = w.\\\n    grad", "import torch . func as tf",
    "f = (torch.\n  func.vmap)", "(loss.  # def\n     backward())",
    "g = w.\uff47\uff52\uff41\uff44",  # fullwidth letters: Python reads the name as 'grad'
])
def test_the_quick_prefilter_never_hides_a_use_the_scan_would_find(body):
    """Most sources skip the parse (no telling word); any source with a use must still be parsed and flagged."""
    from grader.integrity import _index, _may_use, _scan

    source = "import torch\n\nclass MLP:\n    def backward(self, dJdy_hat):\n" + \
        "".join(f"        {line}\n" for line in body.splitlines()) + "        return None\n"
    uses = [u for _, found in _index(source).values() for u in found]
    assert uses, "the snippet must be a use the scan finds"
    assert _may_use(source)
    assert bool(_scan(source, ("MLP.backward",))) == any(strong for _, _, strong in uses)


def test_a_clean_skeleton_skips_the_parse():
    from grader.integrity import _may_use

    assert not _may_use("class MLP:\n    def backward(self, dJdy_hat):\n        self.grads['dJdW1'] = dJdy_hat\n"
                        "    def clear_grad_and_cache(self):\n        for grad in self.grads:\n"
                        "            self.grads[grad].zero_()\n        func = grad\n")
    for name in ("correct_fall2020", "correct_numpy_inside", "wrong_relu_mask"):  # the skeleton's own code
        assert not _may_use((SAMPLES / name / "mlp.py").read_text()), name


def test_torch_functional_is_not_autograd(tmp_path):
    """torch.functional (einsum, norm, ...) is not torch.func: importing it is fine; torch.autograd.functional is
    autograd."""
    src = ("import torch\n\nclass MLP:\n    def backward(self, d):\n        {line}\n"
           "        assert not d.requires_grad  # reading it is fine, and makes the scan parse the source\n")
    for fine in ("from torch.functional import norm", "import torch.functional as TF", "from torch import functional"):
        assert _lines(tmp_path, src.format(line=fine)) == [], fine
    for used in ("import torch.autograd.functional as AF", "from torch.func import grad", "import functorch"):
        assert [l.split(":")[0] for l in _lines(tmp_path, src.format(line=used))] == ["line 5"], used


def test_the_students_own_grad_and_backward_methods_are_not_autograd(tmp_path):
    """Names are resolved from what they are bound to: a NumPy helper's .grad(z) or .backward(d) is the student's."""
    src = (SAMPLES / "correct_theory_numpy_helpers" / "theory.py").read_text()
    assert autograd_lines(load_submission(SAMPLES / "correct_theory_numpy_helpers"), CHECKS["gradients"], "theory") == []
    assert _lines(tmp_path, (SAMPLES / "correct_numpy_layers" / "mlp.py").read_text()) == []
    own = """
import torch
class Loss:
    def backward(self):
        return 1.0
class MLP:
    def backward(self, d):
        loss = Loss()
        g = loss.backward()
        return self.act.grad(d) * g
"""
    assert _lines(tmp_path, own) == []
    assert "grad" in src  # the sample does name its methods grad and backward


@pytest.mark.parametrize("line", [
    "g = ag.grad(y, x)",                                   # import torch.autograd as ag
    "g = dif(y, x)",                                      # from torch.autograd import grad as dif
    "g = A.grad(y, x)",                                    # A = torch.autograd
    "g = getattr(torch, 'autograd').grad(y, x)",
    "g = BW(y)",                                           # BW = torch.Tensor.backward
    "g = F.jacrev(h)(x)",                                  # from torch import func as F
    "g = torch.autograd.variable.Variable._execution_engine.run_backward(y)",
])
def test_autograd_behind_an_alias_is_still_found(tmp_path, line):
    src = ("import torch\nimport torch.autograd as ag\nfrom torch.autograd import grad as dif\n"
           "from torch import func as F\nA = torch.autograd\nBW = torch.Tensor.backward\n\n"
           f"class MLP:\n    def backward(self, d):\n        {line}\n        return g\n")
    assert [l.split(":")[0] for l in _lines(tmp_path, src)] == ["line 10"], line


def test_a_static_finding_the_run_does_not_confirm_keeps_its_score_and_is_flagged(sandbox, tmp_path):
    """Code that reads as autograd but never runs it (an unreachable branch) is not scored 0 on a guess: the item
    keeps its score and a person is asked to look."""
    from grader.engine import grade

    src = (SAMPLES / "correct_fall2020" / "mlp.py").read_text()
    odd = src.replace("    def backward(self, dJdy_hat):\n", "    def backward(self, dJdy_hat):\n"
                      "        if dJdy_hat is None:  # never true when graded\n"
                      "            return torch.autograd.grad(self.cache['z3'].sum(), [self.parameters['W1']])\n")
    assert odd != src
    (tmp_path / "mlp.py").write_text(odd)
    report = grade(tmp_path, sandbox=sandbox)
    for item_id in ("2.backward", "2.end_to_end", "2.clear_grad"):
        it = item(report, item_id)
        assert it.score == it.max_score and "autograd" not in it.feedback, it.feedback
        assert any(f.startswith(f"{item_id}: the code may use autograd") and "reviewed by hand" in f
                   for f in report.flags), report.flags


def test_autograd_behind_aliases_scores_zero(graded):
    report = graded("wrong_autograd_behind_alias")
    for item_id in ("2.backward", "2.end_to_end", "2.clear_grad", "2.end_to_end_hidden"):
        it = item(report, item_id)
        assert it.score == 0 and "calls to backward/grad" in it.feedback, it.feedback
    assert item(report, "2.forward").score == item(report, "2.forward").max_score
    assert "2.backward: autograd used" in report.flags


@pytest.mark.parametrize("name", ["correct_theory_numpy_helpers", "correct_numpy_layers"])
def test_numpy_helpers_named_grad_and_backward_get_full_marks_and_no_flag(graded, name):
    report = graded(name)
    answered = [i for i in report.items if i.id.startswith("2.") or (name.startswith("correct_theory")
                                                                    and i.id[0] == "1")]
    assert all(i.score == i.max_score for i in answered), [(i.id, i.feedback) for i in answered if i.score < i.max_score]
    assert not any("autograd" in f for f in report.flags), report.flags
