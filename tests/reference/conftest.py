"""Shared fixtures for the reference tests: random problems, torch twins, finite differences."""

import types

import numpy as np
import pytest
import torch
import torch.nn.functional as F

# (N, n, m, K): N=1, m=1, K=1 and non-square weights (n != m != K).
SHAPES = [(1, 3, 4, 2), (5, 2, 1, 3), (4, 3, 5, 1), (1, 1, 1, 1), (6, 4, 3, 2)]
SCALES = (1.0, 0.5)
MARGIN = 0.05  # relu pre-activations kept at least this far from 0


@pytest.fixture(params=SHAPES, ids=lambda s: "N{}n{}m{}K{}".format(*s))
def shape(request):
    return request.param


@pytest.fixture
def rng():
    return np.random.default_rng(1008)


def _sample(rng, shape, loss):
    N, n, m, K = shape
    x = rng.normal(size=(N, n))
    W1 = rng.normal(size=(m, n)) / np.sqrt(n)
    b1 = 0.5 * rng.normal(size=m)
    if loss == "bce":  # keep y_hat near 0.5 whatever g is
        W2 = 0.2 * rng.normal(size=(K, m)) / np.sqrt(m)
        b2 = rng.uniform(0.3, 0.7, size=K)
        y = rng.integers(0, 2, size=(N, K)).astype(np.float64)
    else:
        W2 = rng.normal(size=(K, m)) / np.sqrt(m)
        b2 = 0.5 * rng.normal(size=K)
        y = rng.normal(size=(N, K))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}, x, y


def _acceptable(params, x, f, g, loss):
    z1 = x @ params["W1"].T + params["b1"]
    z2 = {"relu": np.maximum(z1, 0), "sigmoid": 1 / (1 + np.exp(-z1)), "identity": z1}[f]
    z3 = z2 @ params["W2"].T + params["b2"]
    y_hat = {"relu": np.maximum(z3, 0), "sigmoid": 1 / (1 + np.exp(-z3)), "identity": z3}[g]
    ok = True
    if f == "relu":
        ok &= np.abs(z1).min() > MARGIN
    if g == "relu":
        ok &= np.abs(z3).min() > MARGIN
    if loss == "bce":
        ok &= y_hat.min() > 0.01 and y_hat.max() < 0.99
    return ok


@pytest.fixture
def make_problem():
    """make_problem(rng, (N,n,m,K), f, g, loss) -> (params, x (N,n), y (N,K)).

    Resamples until relu pre-activations are >= MARGIN from 0 and, for bce,
    y_hat lies in (0.01, 0.99).
    """

    def make(rng, shape, f, g, loss):
        for _ in range(10_000):
            params, x, y = _sample(rng, shape, loss)
            if _acceptable(params, x, f, g, loss):
                return params, x, y
        raise RuntimeError(f"could not sample a problem for {shape, f, g, loss}")

    return make


def _t_act(name, t):
    return {"relu": torch.relu, "sigmoid": torch.sigmoid, "identity": lambda u: u}[name](t)


def _t_loss(name, y, y_hat, scale, reduce):
    if name == "mse":
        e = F.mse_loss(y_hat, y, reduction="none")
    else:
        e = F.binary_cross_entropy(y_hat, y, reduction="none")
    r = {"sum": e.sum(), "mean": e.mean(), "batch_mean": e.sum(-1).mean()}[reduce]
    return scale * r


def _t_forward(p, x, f, g):
    """p: dict of torch tensors (nn.Linear layout); works for x (N,n) and x (n,)."""
    z1 = F.linear(x, p["W1"], p["b1"])
    z2 = _t_act(f, z1)
    z3 = F.linear(z2, p["W2"], p["b2"])
    return {"z1": z1, "z2": z2, "z3": z3, "y_hat": _t_act(g, z3)}


def _t_tensor(a, grad=False):
    return torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=grad)


@pytest.fixture
def tref():
    """Torch float64 twins: act, loss, forward, tensor."""
    return types.SimpleNamespace(act=_t_act, loss=_t_loss, forward=_t_forward, tensor=_t_tensor)


def _num_jac(fun, a, eps=1e-6):
    """Central-difference d fun(a) / d a, shape fun(a).shape + a.shape."""
    a = np.array(a, dtype=np.float64)
    out_shape = np.shape(fun(a))
    jac = np.zeros(out_shape + a.shape)
    for idx in np.ndindex(*a.shape):
        up, down = a.copy(), a.copy()
        up[idx] += eps
        down[idx] -= eps
        jac[(...,) + idx] = (np.asarray(fun(up)) - np.asarray(fun(down))) / (2 * eps)
    return jac


@pytest.fixture
def num_jac():
    """num_jac(fun, a, eps=1e-6); for scalar fun it is the gradient, shaped like a."""
    return _num_jac
