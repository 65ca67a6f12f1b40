"""A written answer sheet -> for each theory item what the sandbox would have returned for theory.py: an
``ItemFrame`` with one ``CaseResult`` per case and the arrays its outputs name, so the usual compare, diagnose and
score code grades it.

One data point per case (``case.inputs``: x (n,), y (K,), W1 (m,n), b1 (m,), W2 (K,m), b2 (K,)). The items that
share a configuration (1.1(b), (c), (d): relu, identity, MSE) share the sheet's answers: each formula is evaluated
with the student's own earlier answers (z1 ... y_hat, the Jacobians) where they were read and have the right shape,
else with the true values, as theory.py's functions would use their own. Weight gradients come back parameter-
shaped: a numerator-layout answer (shaped like W^T, ``x dl/dz1``) is transposed back, per the rubric's
``[written] layout`` and the sheet's own consistent use.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import numpy as np

import reference
from grader.schemas.report import WrittenCell
from grader.schemas.sandbox import CaseResult, ItemFrame, Output
from grader.written import cell as cells
from grader.written.document import Found
from grader.written.evaluate import GENERIC, NoValue, Plan, ShapeError, Value, evaluate
from grader.written.expr import Call, Node, to_latex
from grader.written.labels import FORWARD, GRADIENTS, JACOBIANS

POINT_KINDS = ("forward_pass", "gradients", "jacobians", "single_point")
ORDER = FORWARD + JACOBIANS + tuple(GRADIENTS.values())
WEIGHTS = {"dl_dW1": "W1", "dl_dW2": "W2"}
VECTORS = {"z1", "z2", "z3", "y_hat", "dl_db1", "dl_db2", "dl_dyhat"}
REVIEW = "a person will read it and grade it"


@dataclass
class Compiled:
    """One item answered from the sheet: the frame and arrays (or why none), what was read, and whether the
    score waits for a person."""

    frame: ItemFrame | None = None
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    error: str | None = None
    cells: list[WrittenCell] = field(default_factory=list)
    provisional: bool = False


@dataclass
class _Cell:
    quantity: str
    found: Found | None
    node: Node | None = None
    status: str = "missing"
    why: str = ""
    plan: Plan | None = None
    layout: str | None = None  # weight gradients: "gradient" or "numerator" (decided on generic sizes)

    def record(self, config: str) -> WrittenCell:
        f = self.found
        return WrittenCell(quantity=self.quantity, question=f.question if f else "", where=f.where if f else "",
                           config=config, text=(f.text if f else "")[:cells.MAX_TEXT],
                           latex=to_latex(self.node) if self.node is not None else None, status=self.status,
                           note=self.why[:1000])


# ------------------------------------------------------------------------------------------------- values
def _col(a) -> Value:
    return Value(np.asarray(a, dtype=np.float64).reshape(-1, 1))


def _environment(d: dict[str, np.ndarray], config, conv) -> dict[str, Value]:
    """The true values of every symbol a formula may use, for one data point."""
    params = {k: d[k] for k in ("W1", "b1", "W2", "b2")}
    args = (d["x"], d["y"], params, config.f, config.g, config.loss, conv.scale, conv.reduce)
    fwd, jac = reference.forward_pass(*args), reference.jacobians(*args)
    env = {"x": _col(d["x"]), "y": _col(d["y"]), "W1": Value(np.asarray(d["W1"], float)), "b1": _col(d["b1"]),
           "W2": Value(np.asarray(d["W2"], float)), "b2": _col(d["b2"]), "e": Value(np.array([[np.e]])),
           "loss": Value(np.array([[float(fwd["loss"])]]))}
    for q in ("z1", "z2", "z3", "y_hat"):
        env[q] = _col(fwd[q])
    env["dz2_dz1"], env["dyhat_dz3"] = Value(jac["dz2_dz1"]), Value(jac["dyhat_dz3"])
    env["dl_dyhat"] = Value(np.asarray(jac["dl_dyhat"], float).reshape(1, -1), flex=True)
    (m, n), K = env["W1"].shape, env["W2"].shape[0]
    env.update({"n": Value(np.array([[float(n)]])), "m": Value(np.array([[float(m)]])),
                "K": Value(np.array([[float(K)]])), "N": Value(np.array([[1.0]]))})
    return _derive(env)


def _derive(env: dict[str, Value]) -> dict[str, Value]:
    """The chain rule's other Jacobians, from the ones in ``env`` (the student's own where they were read)."""
    W1, W2, D1, D3 = env["W1"].a, env["W2"].a, env["dz2_dz1"].a, env["dyhat_dz3"].a
    g = env["dl_dyhat"].a.reshape(1, -1)
    dl_dz3 = g @ D3
    dl_dz1 = dl_dz3 @ W2 @ D1
    flex = {"dl_dz3": dl_dz3, "dl_dz2": dl_dz3 @ W2, "dl_dz1": dl_dz1, "dl_db2": dl_dz3, "dl_db1": dl_dz1}
    env.update({k: Value(v, flex=True) for k, v in flex.items()})
    env.update({"dz3_dz2": Value(W2), "dz1_dx": Value(W1), "dz1_db1": Value(np.eye(W1.shape[0])),
                "dz3_db2": Value(np.eye(W2.shape[0])), "dyhat_dz2": Value(D3 @ W2), "dz3_dz1": Value(W2 @ D1),
                "dyhat_dz1": Value(D3 @ W2 @ D1), "dz2_dz2": Value(np.eye(D1.shape[0]))})
    return env


def _identity(env: dict[str, Value], q: str) -> None:
    """I in an answer for a square Jacobian is that Jacobian's size; elsewhere it has no size."""
    if q in ("dz2_dz1", "dyhat_dz3"):
        env["I"] = Value(np.eye(env[q].a.shape[0]))
    else:
        env.pop("I", None)


def _generic_inputs(config) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    n, m, K = GENERIC["n"], GENERIC["m"], GENERIC["K"]
    y = rng.uniform(0.2, 0.8, K) if config.loss == "bce" else rng.standard_normal(K)
    return {"x": rng.standard_normal(n), "y": y, "W1": rng.standard_normal((m, n)), "b1": rng.standard_normal(m),
            "W2": rng.standard_normal((K, m)), "b2": rng.standard_normal(K)}


def _fits(q: str, a: np.ndarray, env: dict[str, Value]) -> bool:
    want = {"loss": 1, "dz2_dz1": env["dz2_dz1"].a.size, "dyhat_dz3": env["dyhat_dz3"].a.size}
    size = want.get(q, env[q].a.size if q in env else None)
    return size is not None and a.size == size and (q not in ("dz2_dz1", "dyhat_dz3") or a.ndim == 2 and
                                                    a.shape[0] == a.shape[1])


def _as_output(q: str, v: Value, layout: str | None) -> np.ndarray:
    a = v.a
    if q == "loss":
        return a.reshape(()) if a.size == 1 else a
    if q in VECTORS and 1 in a.shape:
        return a.ravel().copy()
    if q in WEIGHTS and layout == "numerator":
        return a.T.copy()
    return a


# ------------------------------------------------------------------------------------------------- one group
def prepare(quantity: str, found: Found | None) -> _Cell:
    """Read a cell's formula; its plan and layout come from ``plan_cell``."""
    c = _Cell(quantity, found)
    if found is None:
        return c
    if not re.sub(r"[\s$.,;:\\]|\\[\[\](),;! ]|\\(?:quad|qquad)", "", found.text):
        c.status, c.why = "blank", "left blank"
        return c
    r = cells.read(found.text, found.diagonal)
    if r.node is None:
        c.status, c.why = "unread", r.why
        return c
    c.node, c.status = r.node, "guessed" if r.guesses or found.guesses else "read"
    c.why = "; ".join([*found.guesses, *r.guesses])
    return c


def plan_cell(c: _Cell, config, conv) -> None:
    """Decide, on generic sizes, what each product of the formula is, and a weight gradient's layout."""
    if c.node is None:
        return
    env = _environment(_generic_inputs(config), config, conv)
    _identity(env, c.quantity)
    c.plan = Plan()
    try:
        v = evaluate(c.node, env, {"f": config.f, "g": config.g}, c.plan, scalar=c.quantity == "loss")
    except ShapeError as e:
        c.plan, c.status, c.why = None, "wrong", str(e)
        return
    except NoValue as e:
        c.plan, c.status, c.why = None, "unread", str(e)
        return
    c.plan.recording = False
    if c.quantity in WEIGHTS:
        shape = env[WEIGHTS[c.quantity]].shape
        c.layout = "gradient" if v.shape == shape else "numerator" if v.shape == shape[::-1] else None


def run_group(group: dict[str, _Cell], config, conv, case, layout: dict[str, str | None]) -> dict[str, object]:
    """One case: quantity -> output array, or the error sentence for it. layout: the sheet's layout for the weight
    gradients (empty: each cell's own)."""
    env = _environment(case.inputs, config, conv)
    acts = {"f": config.f, "g": config.g}
    out: dict[str, object] = {}
    for q in ORDER:
        c = group.get(q)
        if c is None or c.plan is None:
            out[q] = _missing_message(q, c)
        else:
            _identity(env, q)
            try:
                v = evaluate(c.node, env, acts, c.plan, scalar=q == "loss")
                a = _as_output(q, v, layout.get(q, c.layout))
                out[q] = a
                if q in env and _fits(q, a, env) and np.all(np.isfinite(a)):
                    env[q] = Value(a.reshape(1, -1), flex=True) if q == "dl_dyhat" else \
                        Value(a.reshape(env[q].shape))
            except (ShapeError, NoValue, ValueError, FloatingPointError) as e:
                out[q] = f"{q}: {e}"
        if q == JACOBIANS[-1]:
            _derive(env)
    return out


def _missing_message(q: str, c: _Cell | None) -> str:
    if c is None or c.found is None:
        return f"{q}: no answer for it was found in the written sheet; {REVIEW}"
    if c.status == "wrong":
        return f"{q}: {c.why}"
    if c.status == "blank":
        return f"{q}: the answer is left blank ({c.found.where})"
    return f"{q}: the grader could not read this answer ({c.why}); it saw {c.found.text[:300]!r}; {REVIEW}"


def frame(item_id: str, index: int, results: list[dict[str, object]], quantities) -> tuple[ItemFrame, dict]:
    """The per-case results as the sandbox's result frame and its arrays."""
    arrays, cases = {}, []
    for ci, res in enumerate(results):
        outputs = {}
        for q in quantities:
            value = res.get(q, f"{q}: not answered")
            if isinstance(value, np.ndarray):
                key = f"w{index}c{ci}/{q}"
                arrays[key] = np.asarray(value, dtype=np.float64)
                outputs[q] = Output(kind="array", key=key, shape=list(arrays[key].shape), dtype="float64")
            else:
                outputs[q] = Output(kind="error", message=str(value)[:2000])
        cases.append(CaseResult(outputs=outputs))
    return ItemFrame(type="result", item=item_id, cases=cases), arrays


def text_frame(item_id: str, name: str, value, n_cases: int) -> tuple[ItemFrame, dict]:
    """A text answer (FIVE_STEPS, RELU_BENEFITS) as the UTF-8 JSON bytes the child would send."""
    data = np.frombuffer(json.dumps(value).encode("utf-8"), dtype=np.uint8).astype(np.float64)
    arrays = {f"t/{name}": data}
    out = {name: Output(kind="array", key=f"t/{name}", shape=[int(data.size)], dtype="uint8")}
    return ItemFrame(type="result", item=item_id, cases=[CaseResult(outputs=out)] * n_cases), arrays


def explicit_activation(node: Node) -> bool:
    """Does the formula name an activation (ReLU, sigmoid) rather than the question's f and g?"""
    if isinstance(node, Call) and node.fn in ("relu", "sigmoid", "d_relu", "d_sigmoid"):
        return True
    return any(explicit_activation(v) for v in vars(node).values() if isinstance(v, Node)) or any(
        explicit_activation(x) for v in vars(node).values() if isinstance(v, tuple)
        for x in (v if not (v and isinstance(v[0], tuple)) else [y for t in v for y in t if y is not None])
        if isinstance(x, Node))
