import numpy as np
import pytest
import torch

from reference import (ACTIVATIONS, LOSSES, REDUCTIONS, activate, forward_pass, gradients,
                       jacobians, loss_and_grads)
from reference import loss as loss_fn
from reference import network

TOL = dict(rtol=1e-10, atol=1e-12)
FD = dict(rtol=1e-6, atol=1e-8)
PARAMS = ("W1", "b1", "W2", "b2")

f_g = pytest.mark.parametrize("f,g", [(f, g) for f in ACTIVATIONS for g in ACTIVATIONS])
losses_ = pytest.mark.parametrize("loss", LOSSES)
reduces = pytest.mark.parametrize("reduce", REDUCTIONS)
scales = pytest.mark.parametrize("scale", (1.0, 0.5))


@pytest.fixture
def point(shape, rng, make_problem):
    """make(f, g, loss) -> (params, x (n,), y (K,)): one data point of `shape` (N ignored)."""

    def make(f, g, loss):
        params, x, y = make_problem(rng, (1,) + shape[1:], f, g, loss)
        return params, x[0], y[0]

    return make


@f_g
@losses_
@reduces
@scales
def test_matches_network_with_N_1(f, g, loss, reduce, scale, point):
    params, x, y = point(f, g, loss)
    out = forward_pass(x, y, params, f, g, loss, scale, reduce)
    batched = network.forward(params, x[None], f, g)
    for key in ("z1", "z2", "z3", "y_hat"):
        np.testing.assert_allclose(out[key], batched[key][0], **TOL)
    J, _, grads = loss_and_grads(params, x[None], y[None], f, g, loss, scale, reduce)
    # "mean" over one row == "mean" over K, "batch_mean" over one row == "sum" over K
    np.testing.assert_allclose(out["loss"], J, **TOL)
    single = gradients(x, y, params, f, g, loss, scale, reduce)
    for name in PARAMS:
        assert single[name].shape == params[name].shape
        np.testing.assert_allclose(single[name], grads["dJd" + name], **TOL)


@f_g
@losses_
@reduces
@scales
def test_gradients_and_jacobians_match_autograd(f, g, loss, reduce, scale, point, tref):
    params, x, y = point(f, g, loss)
    tp = {k: tref.tensor(v, grad=True) for k, v in params.items()}
    t_out = tref.forward(tp, tref.tensor(x), f, g)
    t_J = tref.loss(loss, tref.tensor(y), t_out["y_hat"], scale, reduce)
    t_J.backward()

    out = forward_pass(x, y, params, f, g, loss, scale, reduce)
    assert isinstance(out["loss"], float)
    np.testing.assert_allclose(out["loss"], t_J.item(), **TOL)
    grads = gradients(x, y, params, f, g, loss, scale, reduce)
    for name in PARAMS:
        np.testing.assert_allclose(grads[name], tp[name].grad.numpy(), **TOL)

    jac = jacobians(x, y, params, f, g, loss, scale, reduce)
    t = {k: v.detach() for k, v in t_out.items()}
    want = {
        "dz2_dz1": torch.autograd.functional.jacobian(lambda z: tref.act(f, z), t["z1"]),
        "dyhat_dz3": torch.autograd.functional.jacobian(lambda z: tref.act(g, z), t["z3"]),
        "dl_dyhat": torch.autograd.functional.jacobian(
            lambda h: tref.loss(loss, tref.tensor(y), h, scale, reduce), t["y_hat"]),
    }
    for key, value in want.items():
        np.testing.assert_allclose(jac[key], value.numpy(), **TOL)


@f_g
@losses_
@reduces
def test_gradients_and_jacobians_match_finite_differences(f, g, loss, reduce, point, num_jac):
    params, x, y = point(f, g, loss)
    grads = gradients(x, y, params, f, g, loss, 0.5, reduce)
    for name in PARAMS:
        def l_of(value, name=name):
            return forward_pass(x, y, {**params, name: value}, f, g, loss, 0.5, reduce)["loss"]

        np.testing.assert_allclose(grads[name], num_jac(l_of, params[name]), **FD)

    out = forward_pass(x, y, params, f, g, loss, 0.5, reduce)
    jac = jacobians(x, y, params, f, g, loss, 0.5, reduce)
    np.testing.assert_allclose(jac["dz2_dz1"], num_jac(lambda z: activate(f, z), out["z1"]), **FD)
    np.testing.assert_allclose(jac["dyhat_dz3"], num_jac(lambda z: activate(g, z), out["z3"]), **FD)
    numeric = num_jac(lambda h: loss_fn(loss, y, h, 0.5, reduce), out["y_hat"])
    np.testing.assert_allclose(jac["dl_dyhat"], numeric, **FD)


@f_g
def test_jacobian_shapes_and_diagonals(f, g, point):
    params, x, y = point(f, g, "mse")
    m, K = params["b1"].size, params["b2"].size
    jac = jacobians(x, y, params, f, g, "mse")
    assert jac["dz2_dz1"].shape == (m, m)
    assert jac["dyhat_dz3"].shape == (K, K)
    assert jac["dl_dyhat"].shape == (K,)
    for key in ("dz2_dz1", "dyhat_dz3"):
        np.testing.assert_array_equal(jac[key], np.diag(np.diag(jac[key])))


def test_default_is_theory_convention(rng, make_problem):
    """Defaults scale=1, reduce="sum"; the theory loss is scale=0.5, reduce="sum"."""
    params, x, y = make_problem(rng, (1, 3, 4, 2), "sigmoid", "identity", "mse")
    x, y = x[0], y[0]
    out = forward_pass(x, y, params, "sigmoid", "identity", "mse")
    np.testing.assert_allclose(out["loss"], ((out["y_hat"] - y) ** 2).sum(), **TOL)
    half = forward_pass(x, y, params, "sigmoid", "identity", "mse", scale=0.5)
    np.testing.assert_allclose(half["loss"], 0.5 * out["loss"], **TOL)
    jac = jacobians(x, y, params, "sigmoid", "identity", "mse", scale=0.5)
    np.testing.assert_allclose(jac["dl_dyhat"], out["y_hat"] - y, **TOL)
