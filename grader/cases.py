"""Randomized cases for each rubric item. Inputs only: expected values are computed by ``grader.checks``, which also
gives each item's drawing function (``CheckKind.build``; ``grader.checks.cases_for`` puts the two together).

Each case slot (item, configuration, index) has a pool of POOL cases drawn from the secret alone; a submission gets
the one its key picks (key = hash of its source), so cases are deterministic for a given submission, differ between
submissions, and change when the code changes. Visible items use the rubric's public seed; the other items use a
salt the student's code never sees (it decides both the pool and the pick). A pool case is drawn once per process
and shared, read-only, by every submission that picks it: a class costs a few pools, not one draw per student.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from grader.draw import case_rng, draw_sizes
from grader.schemas import Config, Item, Sizes

POOL = 4


@dataclass(frozen=True, eq=False)
class Case:
    """One randomized case: a configuration, its sizes and its inputs (float32-representable float64 arrays).
    Compared and hashed by identity: pool cases are shared."""

    config: Config
    index: int
    sizes: dict[str, int]
    inputs: dict[str, np.ndarray] = field(repr=False)

    @property
    def label(self) -> str:
        return " ".join(f"{k}={v}" for k, v in self.sizes.items())


def pick(secret: str, submission_key: str, item_id: str, config: Config, index: int) -> int:
    """Which of the slot's POOL cases this submission gets."""
    text = "\0".join((secret, submission_key, item_id, config.label, str(index)))
    return hashlib.sha256(text.encode()).digest()[0] % POOL


#: Draws a case's inputs: (generator, configuration, sizes) -> {name: float64 array} (``CheckKind.build``).
Build = Callable[[np.random.Generator, Config, dict[str, int]], dict[str, np.ndarray]]


@lru_cache(maxsize=8192)
def pool_case(build: Build, item_id: str, sizes: Sizes, secret: str, config: Config, index: int, j: int) -> Case:
    """Case j of the pool of slot (item, configuration, index); its arrays are read-only (the case is shared)."""
    rng = case_rng(secret, f"pool{j}", item_id, config, index)
    drawn = draw_sizes(rng, sizes, index)
    inputs = build(rng, config, drawn)
    for a in inputs.values():
        a.setflags(write=False)
    return Case(config, index, drawn, inputs)


def make_cases(item: Item, secret: str, submission_key: str, build: Build) -> list[Case]:
    """All cases of one item: ``item.cases`` per configuration, configurations in rubric order."""
    return [pool_case(build, item.id, item.sizes, secret, config, i,
                      pick(secret, submission_key, item.id, config, i))
            for config in item.configs for i in range(item.cases)]
