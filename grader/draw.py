"""Random draws for case inputs: sizes, well-conditioned weights, labels. Deterministic given the generator.

Inputs are drawn in float64 and rounded to float32 (what the student's code receives); the reference then works on
exactly those values. Conditioning, so that correct float32 code never fails:
- every pre-activation that feeds a sigmoid stays within [-4, 4] (no saturation);
- every pre-activation that feeds a ReLU stays at least 0.05 away from 0, so rounding never flips the mask and
  ReLU'(0) taken as 0 or 1 gives the same answer.
"""

from __future__ import annotations

import hashlib

import numpy as np

from grader.schemas import Config, Sizes
from reference import activate

RELU_MARGIN = 0.05
PRE_ACTIVATION_BOUND = 4.0


def case_rng(secret: str, submission_key: str, item_id: str, config: Config, index: int) -> np.random.Generator:
    """A generator fixed by everything that identifies a case."""
    text = "\0".join((secret, submission_key, item_id, config.label, str(index)))
    return np.random.default_rng(int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little"))


def draw_sizes(rng: np.random.Generator, r: Sizes, index: int) -> dict[str, int]:
    """Sizes N, n, m, K. Case 0 has N=1, case 1 has m=1, case 2 has K=1; every other case has N > 1 where the range
    allows (so code that works for a batch of one only cannot pass a configuration by drawing N = 1 throughout);
    n, m, K differ where the ranges allow."""
    forced = {0: "N", 1: "m", 2: "K"}.get(index)
    ranges = r.model_dump()
    if index and ranges["N"][1] > 1:
        ranges["N"] = (max(ranges["N"][0], 2), ranges["N"][1])
    for _ in range(20):
        s = {k: int(rng.integers(lo, hi + 1)) for k, (lo, hi) in ranges.items()}
        if forced:
            s[forced] = getattr(r, forced)[0]
        if len({s["n"], s["m"], s["K"]}) == 3:
            break
    return s


def f32(a) -> np.ndarray:
    """Round to float32 and back: the exact values the student's float32 code will see."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def layer(rng: np.random.Generator, inp: np.ndarray, out_features: int, act: str) -> tuple[np.ndarray, np.ndarray]:
    """W (out, in) and b (out,) such that every z = inp @ W.T + b (inp: (rows, in)) is well conditioned for act,
    and, for ReLU, at least one z is positive (an all-dead layer has zero gradients, which would hide mistakes).

    Units (rows of W) whose pre-activations break the conditions are drawn again, all at once, until none does.
    """
    fan_in = inp.shape[1]

    def draw(k: int) -> tuple[np.ndarray, np.ndarray]:
        return f32(rng.standard_normal((k, fan_in)) / np.sqrt(fan_in)), f32(rng.uniform(-0.5, 0.5, k))

    for _ in range(100):
        W, b = draw(out_features)
        for _ in range(500):
            z = inp @ W.T + b  # (rows, out)
            a = np.abs(z)
            bad = (a > PRE_ACTIVATION_BOUND).any(axis=0)
            if act == "relu":
                bad |= (a < RELU_MARGIN).any(axis=0)
            if not bad.any():
                break
            W[bad], b[bad] = draw(int(bad.sum()))
        if act != "relu" or (z > 0).any():
            break
    return W, b


def network(rng: np.random.Generator, f: str, g: str, s: dict[str, int], rows: int) -> dict[str, np.ndarray]:
    """x (rows, n) and W1 (m, n), b1 (m,), W2 (K, m), b2 (K,), conditioned for f and g."""
    x = f32(np.clip(rng.standard_normal((rows, s["n"])), -2.5, 2.5))
    W1, b1 = layer(rng, x, s["m"], f)
    W2, b2 = layer(rng, activate(f, x @ W1.T + b1), s["K"], g)
    return dict(x=x, W1=W1, b1=b1, W2=W2, b2=b2)


def labels(rng: np.random.Generator, loss: str, shape: tuple[int, ...]) -> np.ndarray:
    """Targets: 0/1 labels for BCE, standard normal values for MSE."""
    if loss == "bce":
        return rng.integers(0, 2, size=shape).astype(np.float64)
    return f32(rng.standard_normal(shape))
