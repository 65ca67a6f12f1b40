import numpy as np
import pytest
import torch
import torch.nn.functional as F

from reference import LOSSES, REDUCTIONS, loss, loss_grad

TOL = dict(rtol=1e-10, atol=1e-12)
Y_SHAPES = [(1,), (5,), (1, 1), (3, 4), (2, 3, 4)]
SCALES = (1.0, 0.5, 3.0)


def sample(rng, name, shape):
    """y, y_hat of the given shape; for bce y in {0, 1} and y_hat in (0.01, 0.99)."""
    if name == "bce":
        return rng.integers(0, 2, size=shape).astype(float), rng.uniform(0.02, 0.98, size=shape)
    return rng.normal(size=shape), rng.normal(size=shape)


def test_names():
    assert LOSSES == ("mse", "bce")
    assert REDUCTIONS == ("sum", "mean", "batch_mean")


@pytest.mark.parametrize("shape", Y_SHAPES, ids=str)
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("reduce", REDUCTIONS)
@pytest.mark.parametrize("name", LOSSES)
def test_loss_and_grad_match_autograd(name, reduce, scale, shape, rng, tref):
    y, y_hat = sample(rng, name, shape)
    t_hat = tref.tensor(y_hat, grad=True)
    J = tref.loss(name, tref.tensor(y), t_hat, scale, reduce)
    J.backward()
    value = loss(name, y, y_hat, scale, reduce)
    assert isinstance(value, float)
    np.testing.assert_allclose(value, J.item(), **TOL)
    grad = loss_grad(name, y, y_hat, scale, reduce)
    assert grad.shape == y_hat.shape
    np.testing.assert_allclose(grad, t_hat.grad.numpy(), **TOL)


@pytest.mark.parametrize("shape", Y_SHAPES, ids=str)
@pytest.mark.parametrize("reduce", REDUCTIONS)
@pytest.mark.parametrize("name", LOSSES)
def test_grad_matches_finite_differences(name, reduce, shape, rng, num_jac):
    y, y_hat = sample(rng, name, shape)
    numeric = num_jac(lambda h: loss(name, y, h, 0.7, reduce), y_hat)
    np.testing.assert_allclose(loss_grad(name, y, y_hat, 0.7, reduce), numeric, rtol=1e-6, atol=1e-8)


def test_torch_conventions(rng):
    y, y_hat = sample(rng, "mse", (4, 3))
    t, t_hat = torch.tensor(y), torch.tensor(y_hat)
    assert loss("mse", y, y_hat) == pytest.approx(F.mse_loss(t_hat, t).item(), rel=1e-12)
    assert loss("mse", y, y_hat, 0.5, "sum") == pytest.approx(0.5 * ((y_hat - y) ** 2).sum(), rel=1e-12)
    y, y_hat = sample(rng, "bce", (4, 3))
    t, t_hat = torch.tensor(y), torch.tensor(y_hat)
    assert loss("bce", y, y_hat) == pytest.approx(F.binary_cross_entropy(t_hat, t).item(), rel=1e-12)


def test_reductions_by_hand():
    y, y_hat = np.zeros((2, 2)), np.array([[1.0, 2.0], [3.0, 4.0]])  # e = [[1, 4], [9, 16]]
    assert loss("mse", y, y_hat, reduce="sum") == 30.0
    assert loss("mse", y, y_hat, reduce="mean") == 7.5
    assert loss("mse", y, y_hat, reduce="batch_mean") == 15.0
    assert loss("mse", y, y_hat, scale=0.5, reduce="sum") == 15.0
    np.testing.assert_allclose(loss_grad("mse", y, y_hat, reduce="batch_mean"), y_hat)
    np.testing.assert_allclose(loss_grad("mse", y, y_hat, reduce="mean"), y_hat / 2)


@pytest.mark.parametrize("name", LOSSES)
def test_batch_mean_of_1d_is_sum(name, rng):
    y, y_hat = sample(rng, name, (6,))
    assert loss(name, y, y_hat, reduce="batch_mean") == loss(name, y, y_hat, reduce="sum")
    assert loss(name, y, y_hat, reduce="mean") != pytest.approx(loss(name, y, y_hat, reduce="sum"))
    np.testing.assert_array_equal(loss_grad(name, y, y_hat, reduce="batch_mean"),
                                  loss_grad(name, y, y_hat, reduce="sum"))


def test_bce_by_hand():
    y, y_hat = np.array([1.0, 0.0]), np.array([0.8, 0.25])
    assert loss("bce", y, y_hat, reduce="sum") == pytest.approx(-np.log(0.8) - np.log(0.75))
    np.testing.assert_allclose(loss_grad("bce", y, y_hat, reduce="sum"), [-1 / 0.8, 1 / 0.75])


@pytest.mark.parametrize("fn", [loss, loss_grad])
def test_bad_arguments_raise(fn):
    y = np.zeros((2, 3))
    with pytest.raises(ValueError, match="mse"):
        fn("nll", y, y)
    with pytest.raises(ValueError, match="batch_mean"):
        fn("mse", y, y, reduce="max")
    with pytest.raises(ValueError, match="shape"):  # would broadcast silently
        fn("mse", y, np.zeros((1, 3)))
