"""Randomized cases for each rubric item. Inputs only: expected values are computed by ``grader.checks``.

Cases are deterministic for a given (secret, submission key, item, configuration, index). Visible items use the
rubric's public seed; the other items use a salt the student's code never sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from grader.checks import CHECKS
from grader.draw import case_rng, draw_sizes
from grader.schemas import Config, Item


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


def make_cases(item: Item, secret: str, submission_key: str) -> list[Case]:
    """All cases of one item: ``item.cases`` per configuration, configurations in rubric order."""
    build = CHECKS[item.check].build
    out = []
    for config in item.configs:
        for i in range(item.cases):
            rng = case_rng(secret, submission_key, item.id, config, i)
            sizes = draw_sizes(rng, item.sizes, i)
            out.append(Case(config, i, sizes, build(rng, config, sizes)))
    return out
