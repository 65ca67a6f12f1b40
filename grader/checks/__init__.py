"""What each kind of check needs: how to draw its inputs, what it compares, and the expected values.

A rubric item names its check kind (``check = "backward"``). The sandbox side has the matching caller in
``grader/sandbox/calls_*.py``; the names here and there must agree (a test pins it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from grader.schemas import Config, LossConvention

Inputs = dict[str, np.ndarray]
Expected = dict[str, np.ndarray]


@dataclass(frozen=True)
class CheckKind:
    """One kind of check.

    build(rng, config, sizes) -> inputs sent to the student's code (float64 arrays, float32-representable);
    expected(config, inputs, conventions) -> quantity name -> expected array, computed by the trusted reference.
    """

    name: str
    quantities: tuple[str, ...]
    build: Callable[[np.random.Generator, Config, dict[str, int]], Inputs]
    expected: Callable[[Config, Inputs, dict[str, LossConvention]], Expected]
    convention: Literal["implementation", "theory"] = "implementation"
    #: quantity -> name of another output of the student's own code to compare it with, instead of the reference
    #: (clear_grad compares the gradients after clear_grad_and_cache with those of a fresh network, so that it
    #: tests clearing alone and a wrong backward is not punished twice).
    against_own: dict[str, str] | None = None


CHECKS: dict[str, CheckKind] = {}


def register(kind: CheckKind) -> CheckKind:
    CHECKS[kind.name] = kind
    return kind


from grader.checks import part2  # noqa: E402,F401  (registers the Part 2 kinds)
