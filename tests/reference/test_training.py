import numpy as np
import pytest
import torch
from torch import nn

from reference import ACTIVATIONS, LOSSES, REDUCTIONS, loss_and_grads, sgd_step

TOL = dict(rtol=1e-10, atol=1e-12)
MODULES = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "identity": nn.Identity}


def torch_model(params, f, g):
    """nn.Sequential(Linear, f, Linear, g) in float64 holding copies of params."""
    (m, n), K = params["W1"].shape, params["b2"].size
    model = nn.Sequential(nn.Linear(n, m), MODULES[f](), nn.Linear(m, K), MODULES[g]()).double()
    with torch.no_grad():
        for layer, i in ((model[0], "1"), (model[2], "2")):
            layer.weight.copy_(torch.from_numpy(params["W" + i]))
            layer.bias.copy_(torch.from_numpy(params["b" + i]))
    return model


@pytest.mark.parametrize("f,g", [(f, g) for f in ACTIVATIONS for g in ACTIVATIONS])
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("reduce", REDUCTIONS)
@pytest.mark.parametrize("lr", (0.1, 0.01))
def test_matches_torch_optim_sgd(f, g, loss, reduce, lr, shape, rng, make_problem, tref):
    params, x, y = make_problem(rng, shape, f, g, loss)
    model = torch_model(params, f, g)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    tx, ty = tref.tensor(x), tref.tensor(y)
    # bce needs 0 < y_hat < 1, which only sigmoid keeps after a step.
    steps = 3 if loss == "mse" or g == "sigmoid" else 1
    for _ in range(steps):
        opt.zero_grad()
        t_J = tref.loss(loss, ty, model(tx), 0.5, reduce)
        t_J.backward()
        opt.step()
        J, params = sgd_step(params, x, y, f, g, loss, lr, 0.5, reduce)
        np.testing.assert_allclose(J, t_J.item(), **TOL)
        for layer, i in ((model[0], "1"), (model[2], "2")):
            np.testing.assert_allclose(params["W" + i], layer.weight.detach().numpy(), **TOL)
            np.testing.assert_allclose(params["b" + i], layer.bias.detach().numpy(), **TOL)


def test_step_is_p_minus_lr_grad_and_does_not_mutate(rng, make_problem):
    params, x, y = make_problem(rng, (5, 3, 4, 2), "relu", "sigmoid", "bce")
    before = {k: v.copy() for k, v in params.items()}
    J0, _, grads = loss_and_grads(params, x, y, "relu", "sigmoid", "bce")
    J, new = sgd_step(params, x, y, "relu", "sigmoid", "bce", lr=0.3)
    assert J == J0
    assert set(new) == {"W1", "b1", "W2", "b2"}
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])
        np.testing.assert_allclose(new[k], before[k] - 0.3 * grads["dJd" + k], **TOL)
        assert new[k] is not params[k]


@pytest.mark.parametrize("g,loss", [("identity", "mse"), ("sigmoid", "bce")])
def test_small_steps_decrease_loss(g, loss, rng, make_problem):
    params, x, y = make_problem(rng, (8, 3, 5, 2), "sigmoid", g, loss)
    losses = []
    for _ in range(20):
        J, params = sgd_step(params, x, y, "sigmoid", g, loss, lr=0.05)
        losses.append(J)
    assert all(b < a for a, b in zip(losses, losses[1:]))
