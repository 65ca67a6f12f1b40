"""The child's side of a Part 2 call: the case's weights go into whatever the student's net holds, and whatever
comes back becomes the same float64 numbers, whichever dtype or kind of tensor carried them."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import torch

from sandbox_helpers import ROOT

sys.path.insert(0, str(ROOT / "grader" / "sandbox"))
import calls_mlp  # noqa: E402
from convert import to_plain  # noqa: E402

RNG = np.random.default_rng(7)
WEIGHTS = {k: np.asarray(RNG.standard_normal(s), dtype=np.float32).astype(np.float64)  # as cases are drawn
           for k, s in (("W1", (3, 4)), ("b1", (3,)), ("W2", (2, 3)), ("b2", (2,)))}


class Net:
    def __init__(self, make):
        self.parameters = {k: make(v.shape) for k, v in WEIGHTS.items()}


@pytest.mark.parametrize("make", [
    lambda s: torch.zeros(s), lambda s: torch.zeros(s, dtype=torch.float64),
    lambda s: torch.zeros(s, requires_grad=True), lambda s: torch.zeros(s, dtype=torch.bfloat16),
    lambda s: torch.zeros(tuple(reversed(s))).T if len(s) == 2 else torch.zeros(s),  # a transposed view
    lambda s: np.zeros(s), lambda s: np.zeros(s, dtype=np.float32),
], ids=["float32", "float64", "requires_grad", "bfloat16", "view", "numpy64", "numpy32"])
def test_weights_are_written_in_place_whatever_the_student_holds(make):
    net = Net(make)
    before = dict(net.parameters)
    calls_mlp._set_params(net, WEIGHTS)
    for k, want in WEIGHTS.items():
        got = net.parameters[k]
        assert got is before[k], f"{k} was replaced instead of written in place"
        got = got.detach().float().numpy() if isinstance(got, torch.Tensor) else got
        if isinstance(before[k], torch.Tensor) and before[k].dtype == torch.bfloat16:
            np.testing.assert_allclose(got, want, rtol=1e-2)  # what bfloat16 can hold
        else:
            np.testing.assert_array_equal(got, want.astype(got.dtype))


def test_an_expanded_weight_is_refused_as_torch_refuses_it():
    """Its elements share one memory location: writing a weight into it cannot work, and the student hears so."""
    net = Net(lambda s: torch.zeros(s))
    net.parameters["b1"] = torch.zeros(1).expand(3)
    with pytest.raises(RuntimeError, match="single memory location"):
        calls_mlp._set_params(net, WEIGHTS)


def test_missing_weights_are_given_and_wrong_shapes_are_named():
    net = Net(lambda s: torch.zeros(s))
    del net.parameters["b2"]
    calls_mlp._set_params(net, WEIGHTS)
    assert net.parameters["b2"].dtype == torch.float32
    np.testing.assert_array_equal(net.parameters["b2"].numpy(), WEIGHTS["b2"])
    net.parameters["W1"] = torch.zeros(4, 3)
    with pytest.raises(ValueError, match=r"net.parameters\['W1'\] has shape \(4, 3\)"):
        calls_mlp._set_params(net, WEIGHTS)


@pytest.mark.parametrize("value", [
    torch.tensor([[1.5, -2.25]]), torch.tensor([[1.5, -2.25]], dtype=torch.float64),
    torch.tensor([[1.5, -2.25]], requires_grad=True) * 1, torch._neg_view(torch.tensor([[-1.5, 2.25]])),
    torch.tensor([[1.5, -2.25]], dtype=torch.bfloat16), torch.tensor([[1.5, -2.25]]).T.T,
    np.array([[1.5, -2.25]], dtype=np.float32), [[1.5, -2.25]],
], ids=["float32", "float64", "grad", "neg_bit", "bfloat16", "view", "numpy", "list"])
def test_returned_values_become_the_same_float64_numbers(value):
    meta, arr = to_plain(value, "y_hat")
    assert meta["kind"] == "array" and meta["shape"] == [1, 2]
    assert arr.dtype == np.float64 and arr.tolist() == [[1.5, -2.25]]
    if isinstance(value, torch.Tensor):
        assert meta["requires_grad"] == (value.grad_fn is not None)
        if value.dtype in (torch.float32, torch.float64) and not value.is_neg():
            assert not np.shares_memory(arr, value.detach().numpy()), "the student's memory must be copied"


def test_without_memfd_the_job_goes_through_an_unlinked_temporary_file(monkeypatch, sandbox):
    """A container that refuses memfd_create: jobs still run, the same way."""
    import os

    from grader.engine import grade
    from grader.rubric import load_rubric
    from sandbox_helpers import SAMPLES

    def refused(*args, **kwargs):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "memfd_create", refused)
    report = grade(SAMPLES / "correct_fall2020", load_rubric(), sandbox=sandbox)
    part2 = [i for i in report.items if i.id.startswith("2.")]
    assert part2 and all(i.score == i.max_score for i in part2), [(i.id, i.feedback) for i in part2]
