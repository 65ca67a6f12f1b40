"""Reading formulas: the homework's notations all read to the same meaning; what cannot be read says why."""

from __future__ import annotations

import numpy as np
import pytest

from grader.written.evaluate import GENERIC, Plan, ShapeError, evaluate
from grader.written.expr import Sym, to_latex
from grader.written.latex import Unreadable, read
from grader.written.normalize import expand, macros, repair

RNG = np.random.default_rng(7)
n, m, K = GENERIC["n"], GENERIC["m"], GENERIC["K"]


def _env():
    from grader.written.evaluate import Value

    col = lambda k: Value(RNG.standard_normal((k, 1)))  # noqa: E731
    env = {"x": col(n), "y": col(K), "z1": col(m), "z2": col(m), "z3": col(K), "y_hat": Value(RNG.uniform(.1, .9, (K, 1))),
           "W1": Value(RNG.standard_normal((m, n))), "W2": Value(RNG.standard_normal((K, m))), "b1": col(m),
           "b2": col(K), "e": Value(np.array([[np.e]])), "K": Value(np.array([[float(K)]]))}
    env["dl_dz1"] = Value(RNG.standard_normal((1, m)), flex=True)
    env["dl_dz3"] = Value(RNG.standard_normal((1, K)), flex=True)
    return env


ENV = _env()


def value(text: str, scalar: bool = False) -> np.ndarray:
    node, _ = read(repair(text)[0])
    return evaluate(node, ENV, {"f": "relu", "g": "identity"}, Plan(), scalar=scalar).a


@pytest.mark.parametrize("forms", [
    [r"W^{(1)} x + b^{(1)}", r"W_1 x + b_1", r"W^1x + b^1", r"\mathbf{W}_1 \mathbf{x} + \mathbf{b}_1",
     r"\bm{W}^{(1)}\bm{x}+\bm{b}^{(1)}", "W<sub>1</sub> x + b<sub>1</sub>", r"W_{1} \cdot x + b_{1}",
     r"W^{(1)} \times x + b^{(1)}"],
    [r"\max(0, z_1)", r"(z_1)^+", r"\text{ReLU}(z_1)", r"\operatorname{relu}(z_1)", r"\max(z_1, 0)", r"f(z_1)"],
    [r"\sigma(z_3)", r"\frac{1}{1 + e^{-z_3}}", r"\frac{1}{1+\exp(-z_3)}", "σ(z_3)", r"\text{sigmoid}(z_3)"],
    [r"\sigma(z_3) \odot (1 - \sigma(z_3))", r"\sigma(z_3)(1 - \sigma(z_3))", r"\sigma'(z_3)", r"\sigma(z_3) - \sigma(z_3)^2"],
    [r"\hat{y} - y", r"\hat y - y", "ŷ − y", r"y_{hat} - y", r"-(y - \hat{y})"],
    [r"\left(\frac{\partial \ell}{\partial z_1}\right)^T x^T", r"(\frac{\partial l}{\partial z_1})^\top x^\top",
     r"\left(\frac{\delta \ell}{\delta z_1}\right)^{\top} x^{\top}", r"(dl/dz_1)^T x^T", "(∂ℓ/∂z_1)ᵀ xᵀ"],
    [r"\text{diag}(\mathbb{1}[z_1 > 0])", r"\operatorname{diag}(1_{z_1 > 0})",
     r"\text{diag}\left(\begin{cases} 1 & z_{1i} > 0 \\ 0 & \text{otherwise} \end{cases}\right)"],
])
def test_equivalent_forms_have_the_same_value(forms):
    values = [value(f) for f in forms]
    for f, v in zip(forms[1:], values[1:]):
        assert v.shape == values[0].shape and np.allclose(v, values[0]), f


@pytest.mark.parametrize("text", [r"\frac{1}{2}\|\hat y - y\|^2", r"\frac12 (\hat y - y)^2",
                                  r"\frac{1}{2}\sum_k (\hat y_k - y_k)^2", r"\frac{1}{2}(\hat{y}-y)^T(\hat{y}-y)",
                                  r"0.5 \left\lVert \hat y - y \right\rVert_2^2"])
def test_the_square_of_a_vector_in_a_loss_is_its_squared_norm(text):
    want = 0.5 * float(np.sum((ENV["y_hat"].a - ENV["y"].a) ** 2))
    assert value(text, scalar=True).item() == pytest.approx(want)


def test_products_keep_their_written_order():
    outer = value(r"x \frac{\partial \ell}{\partial z_1}")  # numerator layout: shaped like W1^T
    assert outer.shape == (n, m) and np.allclose(outer, ENV["x"].a @ ENV["dl_dz1"].a)
    grad = value(r"\left(\frac{\partial \ell}{\partial z_1}\right)^T x^T")
    assert grad.shape == (m, n) and np.allclose(grad, outer.T)


def test_a_missing_transpose_inside_a_product_is_a_wrong_answer_not_an_unread_one():
    node, _ = read(r"\frac{\partial \ell}{\partial z_3} z_2")
    with pytest.raises(ShapeError, match="transpose is missing"):
        evaluate(node, ENV, {"f": "relu", "g": "identity"}, Plan())


def test_odot_binds_more_loosely_than_a_matrix_product():
    got = value(r"\sigma'(z_1) \odot W_2^T (\hat y - y)")
    want = (ENV["W2"].a.T @ (ENV["y_hat"].a - ENV["y"].a)) * (lambda s: s * (1 - s))(1 / (1 + np.exp(-ENV["z1"].a)))
    assert np.allclose(got, want)


def test_rendering_shows_the_formula_as_read():
    node, _ = read(r"\left(W^{(2)\top}(\hat y - y) \odot \mathbb{1}[z_1 > 0]\right) x^\top")
    text = to_latex(node)
    assert r"\odot" in text and "W^{(2)}" in text and r"\hat{y}" in text and "x^{T}" in text


def test_converter_damage_sure_repairs_and_guesses():
    sure, guesses = repair("x \timesW_1\x0crac{1}{2}")
    assert r"\times" in sure and r"\frac{1}{2}" in sure and not guesses
    text, guesses = repair(r"rac{1}{2} \|\hat y - y\|^2")
    assert text.startswith(r"\frac{1}{2}") and guesses


def test_the_documents_own_macros_are_expanded():
    doc = r"\newcommand{\dydz}{\frac{\partial \hat{y}}{\partial z_3}}\newcommand{\norm}[1]{\left\| #1 \right\|}"
    node, _ = read(expand(r"\dydz", macros(doc)))
    assert isinstance(node, Sym) and node.name == "dyhat_dz3"
    assert value(expand(r"\frac{1}{2}\norm{\hat y - y}^2", macros(doc)), scalar=True).shape == (1, 1)


@pytest.mark.parametrize("text,why", [
    (r"\partial l \cup \partial \hat{y}", "partial"), (r"h_\theta(x)", "not a quantity"),
    (r"__import__('os').system('ls')", "not something the grader reads"), (r"W^{(1)} x + ", "ends with an operator"),
    (r"\frac{\hat y - y}{\hat y", "never closed"), (r"\delta_3 z_2^T", "does not define"),
])
def test_what_cannot_be_read_raises_with_a_reason(text, why):
    with pytest.raises(Unreadable, match=why):
        read(text)
