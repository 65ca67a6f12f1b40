import numpy as np

from grader.cases import Case
from grader.compare import compare
from grader.schemas import Config, Tolerance

CASE = Case(Config(f="relu", g="identity"), 0, {"N": 2, "n": 3, "m": 4, "K": 1}, {})
TOL = Tolerance(rtol=1e-4, atol=1e-6)


def test_equal_values_pass_and_float32_noise_is_tolerated():
    e = np.linspace(-3, 3, 12).reshape(4, 3)
    assert compare("dJdW1", CASE, e, e.copy(), TOL).passed
    noisy = e.astype(np.float32).astype(np.float64) * (1 + 1e-6)
    assert compare("dJdW1", CASE, e, noisy, TOL).passed


def test_a_real_difference_fails_with_where_and_size():
    e = np.zeros((4, 3))
    e[0, 0] = 1.0
    r = e.copy()
    r[2, 1] = 0.01
    c = compare("dJdW1", CASE, e, r, TOL)
    assert not c.passed and c.where == (2, 1) and abs(c.max_abs_error - 0.01) < 1e-12
    assert "dJdW1" in c.message


def test_shapes_that_differ_only_by_size_one_axes_are_accepted_with_a_note():
    e = np.arange(3.0)
    c = compare("dJdb1", CASE, e, e.reshape(1, 3), TOL)
    assert c.passed and "(1, 3)" in c.note
    j = compare("J", CASE, np.asarray(2.0), np.array([2.0]), TOL)
    assert j.passed and j.note == ""
    w = np.arange(3.0).reshape(3, 1)  # a (K, m) = (3, 1) weight gradient given as (1, 3): transposed, not accepted
    t = compare("dJdW2", CASE, w, w.T.copy(), TOL)
    assert not t.passed and "should have shape (3, 1); got (1, 3)" in t.message


def test_wrong_shape_nan_and_missing_fail_with_clear_messages():
    e = np.ones((4, 3))
    c = compare("dJdW1", CASE, e, np.ones((3, 4)), TOL)
    assert not c.passed and c.message == "dJdW1 should have shape (4, 3); got (3, 4)"
    bad = e.copy()
    bad[1, 1] = np.nan
    assert "NaN" in compare("dJdW1", CASE, e, bad, TOL).message
    m = compare("dJdW1", CASE, e, None, TOL, "backward raised ValueError")
    assert not m.passed and m.message == "backward raised ValueError"


def test_a_value_that_is_not_a_tensor_is_told_the_shape_it_should_have():
    e = np.ones((7, 3))
    c = compare("y_hat", CASE, e, None, TOL, "y_hat must be a tensor; got a tuple of 2 values")
    assert not c.passed and c.message == "y_hat must be a tensor of shape (7, 3); got a tuple of 2 values"
