"""Evaluate an ``expr`` tree with NumPy arrays: the grader's own walk of the tree (nothing is compiled or run).

Values are 2-d float64 arrays: column vectors (k, 1), rows (1, k), matrices, scalars (1, 1). The derivative of the
loss by a vector (dl/dy_hat, dl/dz3, dl/dz1, ...) is a vector whose orientation the formula decides (``Value.flex``):
a row in numerator layout (x dl/dz1 is shaped like W1^T), a column in gradient layout ((dl/dz1)^T x^T, W2^T dl/dz3).

A product of two factors is, in this order of preference: a scaling (one is a scalar); the matrix product when the
shapes allow it; the elementwise product of two vectors of the same length (sigma(z)(1 - sigma(z))); else the
formula is wrong (``ShapeError``: a product that is not defined, e.g. a missing transpose). ``\\odot`` is always
elementwise. What a product turned out to be depends only on which dimensions are equal, so it is decided once on
generic sizes (``GENERIC``: n, m, K all different and above 1) and replayed on the real cases, where n may equal m
or K be 1 (``Plan``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import reference
from grader.written.expr import Add, Call, Cases, Cmp, Node, Num, Pow, Prod, Sym, Tr

GENERIC = {"n": 2, "m": 3, "K": 4}


class ShapeError(Exception):
    """The formula is read, but it is not defined for the homework's shapes: a wrong answer, with why."""


class NoValue(Exception):
    """The formula uses something the grader has no value for (a Jacobian of a vector by a matrix, ...)."""


@dataclass
class Value:
    a: np.ndarray  # 2-d
    flex: bool = False  # a derivative of the loss by a vector: its orientation is free (stored as a row)

    @property
    def shape(self) -> tuple[int, int]:
        return self.a.shape

    def scalar(self) -> bool:
        return self.a.shape == (1, 1) and not self.flex


@dataclass
class Plan:
    """The decisions taken on generic sizes (node id -> choices), replayed on the real sizes."""

    choices: dict = field(default_factory=dict)
    recording: bool = True


def _shape(s: tuple[int, int]) -> str:
    return f"({s[0]}, {s[1]})"


# ------------------------------------------------------------------------------------------------- products
def _orient(v: Value, column: bool) -> np.ndarray:
    a = v.a.reshape(1, -1)
    return a.T if column else a


def _candidates(a: Value, b: Value):
    """(kind, column-a?, column-b?) in order of preference, for a product a b."""
    ca = (True, False) if a.flex else (None,)
    cb = (True, False) if b.flex else (None,)
    out = []
    for kind in ("scale", "had_vec", "mat", "had"):
        for fa in ca:
            for fb in cb:
                out.append((kind, fa, fb))
    return out


def _apply(kind: str, A: np.ndarray, B: np.ndarray) -> np.ndarray | None:
    if kind == "scale":
        return A * B if A.shape == (1, 1) or B.shape == (1, 1) else None
    if kind == "mat":
        return A @ B if A.shape[1] == B.shape[0] else None
    vec = 1 in A.shape and A.size > 1
    if kind == "had_vec":  # two vectors of the same length, one of them free to turn: elementwise
        return A * B if A.shape == B.shape and vec else None
    return A * B if A.shape == B.shape else None


def product(a: Value, b: Value, key, plan: Plan, elementwise: bool = False) -> Value:
    if plan.recording:
        for kind, fa, fb in _candidates(a, b):
            if elementwise and kind in ("mat",):
                continue
            if kind == "had_vec" and not (a.flex or b.flex):
                continue
            A = a.a if fa is None else _orient(a, fa)
            B = b.a if fb is None else _orient(b, fb)
            if elementwise and kind in ("had", "had_vec") and A.shape != B.shape and A.size == B.size \
                    and 1 in A.shape:
                B = B.reshape(A.shape)  # v odot w with v a column and w a row: elementwise all the same
            out = _apply(kind, A, B)
            if out is not None:
                plan.choices[key] = (kind, fa, fb)
                return Value(out, kind == "scale" and (a.flex or b.flex))
        raise ShapeError(f"the product of {_what(a)} and {_what(b)} is not defined"
                         + (": a transpose is missing" if 1 in a.shape and 1 in b.shape else ""))
    kind, fa, fb = plan.choices[key]
    A = a.a if fa is None else _orient(a, fa)
    B = b.a if fb is None else _orient(b, fb)
    if kind in ("had", "had_vec") and A.shape != B.shape:
        B = B.reshape(A.shape)
    return Value(A @ B if kind == "mat" else A * B, kind == "scale" and (a.flex or b.flex))


def _what(v: Value) -> str:
    if v.flex:
        return f"a derivative of the loss by a vector of length {v.a.size}"
    r, c = v.shape
    if (r, c) == (1, 1):
        return "a scalar"
    if c == 1:
        return f"a column vector {_shape(v.shape)}"
    if r == 1:
        return f"a row vector {_shape(v.shape)}"
    return f"a matrix {_shape(v.shape)}"


# ------------------------------------------------------------------------------------------------- the walk
def evaluate(node: Node, env: dict[str, Value], acts: dict[str, str], plan: Plan, scalar: bool = False) -> Value:
    """The value of ``node``. env: symbol -> value; acts: {'f': 'relu', 'g': 'identity'} (the question's f and
    g); scalar: the formula is a loss (a square of a vector is its squared norm)."""
    with np.errstate(all="ignore"):
        return _eval(node, env, acts, plan, scalar)


def _eval(node: Node, env, acts, plan: Plan, scalar: bool) -> Value:
    if isinstance(node, Num):
        return Value(np.array([[node.value]]))
    if isinstance(node, Sym):
        if node.name not in env:
            raise NoValue(f"{node.name} has no value in this question")
        return env[node.name]
    if isinstance(node, Add):
        return _add([_eval(t, env, acts, plan, scalar) for t in node.terms], id(node), plan)
    if isinstance(node, Prod):
        return _prod(node, env, acts, plan, scalar)
    if isinstance(node, Tr):
        v = _eval(node.base, env, acts, plan, scalar)
        return Value(v.a.T.copy(), v.flex)
    if isinstance(node, Pow):
        return _pow(node, env, acts, plan, scalar)
    if isinstance(node, Call):
        return _call(node, env, acts, plan, scalar)
    if isinstance(node, Cases):
        return _cases(node, env, acts, plan)
    if isinstance(node, Cmp):
        raise NoValue("a comparison stands where a value was expected")
    raise NoValue(f"unknown node {type(node).__name__}")


def _add(values: list[Value], key, plan: Plan) -> Value:
    if plan.recording:
        fixed = [v for v in values if not v.flex and not v.scalar()]
        target = fixed[0].shape if fixed else None
        turns = []
        for v in values:
            if v.flex and target is not None:
                column = target[1] == 1 and target[0] == v.a.size
                if not column and target != (1, v.a.size):
                    raise ShapeError(f"{_what(v)} is added to {_what(fixed[0])}")
                turns.append(column)
            else:
                turns.append(None)
            if not v.flex and not v.scalar() and v.shape != target:
                raise ShapeError(f"{_what(v)} is added to {_what(fixed[0])}"
                                 + (": a transpose is missing" if v.a.size == fixed[0].a.size else ""))
        plan.choices[key] = turns
    turns = plan.choices[key]
    arrays = [v.a if t is None else _orient(v, t) for v, t in zip(values, turns)]
    flex = all(v.flex for v in values)
    out = arrays[0]
    for a in arrays[1:]:
        out = out + a
    return Value(out, flex)


def _prod(node: Prod, env, acts, plan: Plan, scalar: bool) -> Value:
    """Matrix products first, then the elementwise products (written \\odot) between their results."""
    values = [_eval(f, env, acts, plan, scalar) for f in node.factors]
    segments, current = [], values[0]
    for i, (had, v) in enumerate(zip(node.hadamard, values[1:])):
        if had:
            segments.append(current)
            current = v
        else:
            current = product(current, v, (id(node), i), plan)
    segments.append(current)
    out = segments[0]
    for j, v in enumerate(segments[1:]):
        out = product(out, v, (id(node), "had", j), plan, elementwise=True)
    return out


def _pow(node: Pow, env, acts, plan: Plan, scalar: bool) -> Value:
    exponent = _eval(node.exp, env, acts, plan, False)
    if isinstance(node.base, Sym) and node.base.name == "e":
        return Value(np.exp(exponent.a), exponent.flex)
    if not exponent.scalar():
        raise ShapeError("an exponent that is not a number")
    base = _eval(node.base, env, acts, plan, scalar)
    p = float(exponent.a[0, 0])
    if plan.recording:
        plan.choices[id(node)] = scalar and p == 2 and not base.scalar()
    if plan.choices[id(node)]:  # the square of a vector in a loss: its squared norm
        return Value(np.array([[float(np.sum(base.a ** 2))]]))
    return Value(base.a ** p, base.flex)


def _activation(fn: str, acts: dict[str, str]) -> tuple[str, bool]:
    derivative = fn.startswith("d_")
    name = fn[2:] if derivative else fn
    return acts.get(name, name), derivative


def _call(node: Call, env, acts, plan: Plan, scalar: bool) -> Value:
    fn = node.fn
    if fn == "ind":
        return Value(_condition(node.args[0], env, acts, plan).astype(np.float64))
    arg = _eval(node.args[0], env, acts, plan, scalar and fn == "sum")
    name, derivative = _activation(fn, acts)
    if name in reference.ACTIVATIONS:
        out = reference.derivative(name, arg.a) if derivative else reference.activate(name, arg.a)
        return Value(out, arg.flex)
    if fn == "exp":
        return Value(np.exp(arg.a), arg.flex)
    if fn == "log":
        return Value(np.log(arg.a), arg.flex)
    if fn == "sum":
        return Value(np.array([[float(np.sum(arg.a))]]))
    if fn == "norm":
        return Value(np.array([[float(np.sqrt(np.sum(arg.a ** 2)))]]))
    if fn == "diag":
        if arg.shape[0] == arg.shape[1] and arg.shape[0] > 1:  # "a diagonal matrix" given as the matrix
            return arg
        if 1 not in arg.shape:
            raise ShapeError(f"diag of {_what(arg)}: diag makes a matrix of a vector")
        return Value(np.diag(arg.a.ravel()))
    raise NoValue(f"the function {fn} is not one of the homework's")


def _condition(node: Node, env, acts, plan: Plan) -> np.ndarray:
    if not isinstance(node, Cmp):
        raise NoValue("the indicator's argument is not a comparison")
    lhs = _eval(node.lhs, env, acts, plan, False).a
    rhs = _eval(node.rhs, env, acts, plan, False).a
    ops = {">": np.greater, ">=": np.greater_equal, "<": np.less, "<=": np.less_equal, "==": np.equal,
           "!=": np.not_equal}
    return ops[node.op](lhs, rhs)


def _cases(node: Cases, env, acts, plan: Plan) -> Value:
    conds, values, default = [], [], None
    for value, cond in node.rows:
        v = _eval(value, env, acts, plan, False).a
        if cond is None:
            default = v
        else:
            conds.append(_condition(cond, env, acts, plan))
            values.append(v)
    if not conds:
        raise NoValue("cases without a condition")
    shape = np.broadcast_shapes(*(c.shape for c in conds), *(v.shape for v in values),
                                *(() if default is None else (default.shape,)))
    if default is None:
        default = np.full(shape, np.nan)  # no "otherwise": where no condition holds, there is no value
    out = np.select([np.broadcast_to(c, shape) for c in conds], [np.broadcast_to(v, shape) for v in values],
                    np.broadcast_to(default, shape))
    return Value(out.astype(np.float64))
