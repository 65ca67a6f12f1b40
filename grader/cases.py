"""Randomized case inputs for each rubric item. Inputs only: expected values are computed elsewhere.

Cases are deterministic for a given (secret, submission key, item, configuration, index). Visible items use the
rubric's public seed; the other items use a salt the student's code never sees. Inputs are drawn in float64 and
rounded to float32 (what the student's code receives); the reference then works on exactly those values.

Conditioning, so that correct float32 code never fails:
- every pre-activation that feeds a sigmoid stays within [-4, 4] (no saturation);
- every pre-activation that feeds a ReLU stays at least 0.05 away from 0, so rounding never flips the mask and
  ReLU'(0) taken as 0 or 1 gives the same answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from grader.schemas import Config, Item, Sizes
from reference import activate

RELU_MARGIN = 0.05
PRE_ACTIVATION_BOUND = 4.0
GRADS = ("dJdW1", "dJdb1", "dJdW2", "dJdb2")

#: What each check kind compares, in report order. The sandbox harness produces the same names.
QUANTITIES: dict[str, tuple[str, ...]] = {
    "loss": ("J", "dJdy_hat"),
    "forward": ("y_hat",),
    "backward": GRADS,
    "end_to_end": GRADS,
    "clear_grad": GRADS,
}


@dataclass(frozen=True)
class Case:
    """One randomized case: a configuration, its sizes and its inputs (float32-representable float64 arrays)."""

    config: Config
    index: int
    sizes: dict[str, int]
    inputs: dict[str, np.ndarray] = field(repr=False)

    @property
    def label(self) -> str:
        return " ".join(f"{k}={v}" for k, v in self.sizes.items())


def case_rng(secret: str, submission_key: str, item_id: str, config: Config, index: int) -> np.random.Generator:
    """A generator fixed by everything that identifies the case."""
    text = "\0".join((secret, submission_key, item_id, config.label, str(index)))
    return np.random.default_rng(int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little"))


def make_cases(item: Item, secret: str, submission_key: str) -> list[Case]:
    """All cases of one item: ``item.cases`` per configuration, configurations in rubric order."""
    out = []
    for config in item.configs:
        for i in range(item.cases):
            rng = case_rng(secret, submission_key, item.id, config, i)
            sizes = draw_sizes(rng, item.sizes, i)
            out.append(Case(config, i, sizes, _BUILDERS[item.check](rng, config, sizes)))
    return out


def draw_sizes(rng: np.random.Generator, r: Sizes, index: int) -> dict[str, int]:
    """Sizes N, n, m, K. Case 0 has N=1, case 1 has m=1, case 2 has K=1; n, m, K differ where the ranges allow."""
    forced = {0: "N", 1: "m", 2: "K"}.get(index)
    for _ in range(20):
        s = {k: int(rng.integers(lo, hi + 1)) for k, (lo, hi) in r.model_dump().items()}
        if forced:
            s[forced] = getattr(r, forced)[0]
        if len({s["n"], s["m"], s["K"]}) == 3:
            break
    return s


def _f32(a: np.ndarray) -> np.ndarray:
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def _layer(rng: np.random.Generator, inp: np.ndarray, out_features: int, act: str) -> tuple[np.ndarray, np.ndarray]:
    """W (out, in) and b (out,) such that every z = inp @ W.T + b is well conditioned for ``act``."""
    fan_in = inp.shape[1]
    W = np.empty((out_features, fan_in))
    b = np.empty(out_features)
    for j in range(out_features):
        for _ in range(500):
            w_j = _f32(rng.standard_normal(fan_in) / np.sqrt(fan_in))
            b_j = _f32(rng.uniform(-0.5, 0.5))
            z = inp @ w_j + b_j
            if np.all(np.abs(z) <= PRE_ACTIVATION_BOUND) and (act != "relu" or np.all(np.abs(z) >= RELU_MARGIN)):
                break
        W[j], b[j] = w_j, b_j
    return W, b


def _network(rng: np.random.Generator, config: Config, s: dict[str, int], rows: int) -> dict[str, np.ndarray]:
    x = _f32(np.clip(rng.standard_normal((rows, s["n"])), -2.5, 2.5))
    W1, b1 = _layer(rng, x, s["m"], config.f)
    z2 = activate(config.f, x @ W1.T + b1)
    W2, b2 = _layer(rng, z2, s["K"], config.g)
    return dict(x=x, W1=W1, b1=b1, W2=W2, b2=b2)


def _labels(rng: np.random.Generator, loss: str, shape: tuple[int, ...]) -> np.ndarray:
    if loss == "bce":
        return rng.integers(0, 2, size=shape).astype(np.float64)
    return _f32(rng.standard_normal(shape))


def _loss_inputs(rng, config: Config, s) -> dict[str, np.ndarray]:
    shape = (s["N"], s["K"])
    y_hat = rng.uniform(0.05, 0.95, shape) if config.loss == "bce" else rng.standard_normal(shape)
    return dict(y=_labels(rng, config.loss, shape), y_hat=_f32(y_hat))


def _forward_inputs(rng, config: Config, s) -> dict[str, np.ndarray]:
    return _network(rng, config, s, s["N"])


def _backward_inputs(rng, config: Config, s) -> dict[str, np.ndarray]:
    d = _network(rng, config, s, s["N"])
    d["dJdy_hat"] = _f32(rng.standard_normal((s["N"], s["K"])))
    return d


def _end_to_end_inputs(rng, config: Config, s) -> dict[str, np.ndarray]:
    d = _network(rng, config, s, s["N"])
    d["y"] = _labels(rng, config.loss, (s["N"], s["K"]))
    return d


def _clear_grad_inputs(rng, config: Config, s) -> dict[str, np.ndarray]:
    """Two rounds on the same weights: (x_a, dJdy_hat_a) then, after clear_grad_and_cache, (x, dJdy_hat)."""
    d = _network(rng, config, s, 2 * s["N"])
    d["x_a"], d["x"] = d["x"][: s["N"]], d["x"][s["N"]:]
    d["dJdy_hat_a"] = _f32(rng.standard_normal((s["N"], s["K"])))
    d["dJdy_hat"] = _f32(rng.standard_normal((s["N"], s["K"])))
    return d


_BUILDERS = {
    "loss": _loss_inputs,
    "forward": _forward_inputs,
    "backward": _backward_inputs,
    "end_to_end": _end_to_end_inputs,
    "clear_grad": _clear_grad_inputs,
}
