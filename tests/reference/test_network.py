import pathlib
import subprocess
import sys

import numpy as np
import pytest

from reference import ACTIVATIONS, LOSSES, REDUCTIONS, backward, forward, loss_and_grads

TOL = dict(rtol=1e-10, atol=1e-12)
GRAD_KEYS = {"dJdW1": "W1", "dJdb1": "b1", "dJdW2": "W2", "dJdb2": "b2"}

f_g = pytest.mark.parametrize("f,g", [(f, g) for f in ACTIVATIONS for g in ACTIVATIONS])
losses_ = pytest.mark.parametrize("loss", LOSSES)
reduces = pytest.mark.parametrize("reduce", REDUCTIONS)


@f_g
def test_forward_matches_torch(f, g, shape, rng, make_problem, tref):
    params, x, _ = make_problem(rng, shape, f, g, "mse")
    N, n, m, K = shape
    out = forward(params, x, f, g)
    want = tref.forward({k: tref.tensor(v) for k, v in params.items()}, tref.tensor(x), f, g)
    np.testing.assert_array_equal(out["x"], x)
    for key, size in [("z1", m), ("z2", m), ("z3", K), ("y_hat", K)]:
        assert out[key].shape == (N, size)
        np.testing.assert_allclose(out[key], want[key].numpy(), **TOL)


@f_g
@losses_
@reduces
@pytest.mark.parametrize("scale", (1.0, 0.5))
def test_loss_and_grads_match_autograd(f, g, loss, reduce, scale, shape, rng, make_problem, tref):
    params, x, y = make_problem(rng, shape, f, g, loss)
    tp = {k: tref.tensor(v, grad=True) for k, v in params.items()}
    t_out = tref.forward(tp, tref.tensor(x), f, g)
    t_out["y_hat"].retain_grad()
    t_J = tref.loss(loss, tref.tensor(y), t_out["y_hat"], scale, reduce)
    t_J.backward()

    J, dJdy_hat, grads = loss_and_grads(params, x, y, f, g, loss, scale, reduce)
    assert isinstance(J, float)
    np.testing.assert_allclose(J, t_J.item(), **TOL)
    np.testing.assert_allclose(dJdy_hat, t_out["y_hat"].grad.numpy(), **TOL)
    assert set(grads) == set(GRAD_KEYS)
    for key, name in GRAD_KEYS.items():
        assert grads[key].shape == params[name].shape
        np.testing.assert_allclose(grads[key], tp[name].grad.numpy(), **TOL)


@f_g
@losses_
@reduces
def test_loss_and_grads_match_finite_differences(f, g, loss, reduce, shape, rng, make_problem, num_jac):
    params, x, y = make_problem(rng, shape, f, g, loss)
    _, _, grads = loss_and_grads(params, x, y, f, g, loss, 0.5, reduce)
    for key, name in GRAD_KEYS.items():
        def J_of(value, name=name):
            return loss_and_grads({**params, name: value}, x, y, f, g, loss, 0.5, reduce)[0]

        np.testing.assert_allclose(grads[key], num_jac(J_of, params[name]), rtol=1e-6, atol=1e-8)


@f_g
def test_backward_is_linear_in_upstream_gradient(f, g, rng, make_problem):
    params, x, _ = make_problem(rng, (4, 3, 5, 2), f, g, "mse")
    cache = forward(params, x, f, g)
    d1, d2 = rng.normal(size=(2, 4, 2))
    g1, g2 = backward(params, cache, d1, f, g), backward(params, cache, d2, f, g)
    g12 = backward(params, cache, 2 * d1 - 3 * d2, f, g)
    for key in GRAD_KEYS:
        np.testing.assert_allclose(g12[key], 2 * g1[key] - 3 * g2[key], **TOL)


def test_inputs_not_mutated(rng, make_problem):
    params, x, y = make_problem(rng, (3, 2, 4, 2), "relu", "sigmoid", "bce")
    before = {k: v.copy() for k, v in params.items()}
    x0 = x.copy()
    loss_and_grads(params, x, y, "relu", "sigmoid", "bce")
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])
    np.testing.assert_array_equal(x, x0)


def test_reference_does_not_import_torch():
    code = "import sys, reference; assert 'torch' not in sys.modules, 'reference imported torch'"
    root = pathlib.Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
