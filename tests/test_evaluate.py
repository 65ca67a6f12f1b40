"""The one-shot tolerance test that decides most comparisons agrees with ``compare`` on every pair."""

import numpy as np

from grader.cases import Case
from grader.compare import compare
from grader.evaluate import _within_tolerance
from grader.schemas import Config, Tolerance


def test_the_batched_test_passes_exactly_the_pairs_compare_passes_with_their_shape():
    rng = np.random.default_rng(7)
    tol = Tolerance(atol=1e-4, rtol=1e-3)
    pairs = []
    for i in range(400):
        e = rng.normal(size=tuple(rng.integers(1, 5, size=rng.integers(0, 3))))
        kind = i % 8
        if kind == 0:
            v = e + rng.normal(size=e.shape) * 1e-6  # well within
        elif kind == 1:
            v = e + 0.99 * (tol.atol + tol.rtol * np.abs(e).max())  # just within
        elif kind == 2:
            v = e + 1.01 * (tol.atol + tol.rtol * np.abs(e).max())  # just outside
        elif kind == 3:
            v = e.copy()
            v.flat[0] = np.nan
        elif kind == 4:
            v = e.T.copy() if e.ndim == 2 and e.shape[0] != e.shape[1] else e.reshape(1, *e.shape)  # wrong shape
        elif kind == 5:
            v = None  # nothing came back
        elif kind == 6:
            v = np.full(e.shape, np.inf)
        else:
            v, e = np.zeros((0, 3)), np.zeros((0, 3))  # empty: left to compare
        pairs.append((e, v))
    quick = _within_tolerance(pairs, tol)
    case = Case(Config(), 0, {}, {})
    for (e, v), ok in zip(pairs, quick):
        full = compare("y_hat", case, e, v, tol)
        if ok:
            assert full.passed
        elif v is not None and e.size and v.shape == e.shape:
            assert not full.passed  # same shape and not within: compare fails it too
    assert sum(quick) >= 100  # the batched test decides the common case
