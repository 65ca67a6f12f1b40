import warnings

import numpy as np
import pytest

from reference import ACTIVATIONS, activate, derivative

TOL = dict(rtol=1e-12, atol=1e-14)


def away_from_zero(rng, shape, low=0.05, high=6.0):
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(low, high, size=shape)


def test_activation_names():
    assert ACTIVATIONS == ("relu", "sigmoid", "identity")


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activate_matches_torch(name, rng, tref):
    z = 8 * rng.normal(size=(4, 3))
    np.testing.assert_allclose(activate(name, z), tref.act(name, tref.tensor(z)).numpy(), **TOL)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_derivative_matches_autograd(name, rng, tref):
    z = away_from_zero(rng, (3, 5))
    t = tref.tensor(z, grad=True)
    tref.act(name, t).sum().backward()
    np.testing.assert_allclose(derivative(name, z), t.grad.numpy(), **TOL)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_derivative_matches_finite_differences(name, rng):
    z, eps = away_from_zero(rng, (7,)), 1e-6
    numeric = (activate(name, z + eps) - activate(name, z - eps)) / (2 * eps)
    np.testing.assert_allclose(derivative(name, z), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("fn", [activate, derivative])
def test_shape_dtype_and_no_mutation(name, fn):
    assert fn(name, np.array([[-2, 0, 3]])).dtype == np.float64  # int input
    z = np.array([[-2.0, 0.5, 3.0]])
    out = fn(name, z)
    assert out.shape == z.shape and out.dtype == np.float64
    out[...] = 42.0  # must not write through to z
    np.testing.assert_array_equal(z, [[-2.0, 0.5, 3.0]])


def test_relu_at_zero():
    assert derivative("relu", np.zeros(4)).tolist() == [0.0] * 4
    assert derivative("relu", 0.0) == 0.0
    assert activate("relu", np.array([-1.0, 0.0, 2.0])).tolist() == [0.0, 0.0, 2.0]
    assert derivative("relu", np.array([-1.0, 1e-300, 2.0])).tolist() == [0.0, 1.0, 1.0]


def test_sigmoid_known_values():
    np.testing.assert_allclose(activate("sigmoid", [0.0, np.log(3.0)]), [0.5, 0.75], **TOL)
    np.testing.assert_allclose(derivative("sigmoid", [0.0, np.log(3.0)]), [0.25, 0.1875], **TOL)


def test_sigmoid_extremes_without_warnings():
    z = np.array([-1000.0, -740.0, 740.0, 1000.0])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        s = activate("sigmoid", z)
        d = derivative("sigmoid", z)
    np.testing.assert_allclose(s, [0.0, 0.0, 1.0, 1.0], rtol=0, atol=1e-300)
    np.testing.assert_allclose(d, [0.0, 0.0, 0.0, 0.0], rtol=0, atol=1e-300)
    assert s[0] == 0.0 and s[-1] == 1.0


@pytest.mark.parametrize("fn", [activate, derivative])
def test_unknown_activation_raises(fn):
    with pytest.raises(ValueError) as info:
        fn("tanh", np.zeros(2))
    for allowed in ("tanh",) + ACTIVATIONS:
        assert allowed in str(info.value)
