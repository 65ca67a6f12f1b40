"""One kind of check (``CheckKind``) and the registry the rubric's ``check = "..."`` names look up (``CHECKS``).

Each module of this package defines and registers its kinds here; ``grader.checks`` imports them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from grader.cases import make_cases
from grader.schemas import Config, Item, ItemResult, LossConvention

if TYPE_CHECKING:
    from grader.cases import Case
    from grader.compare import Comparison
    from grader.diagnose.detectors import Finding
    from grader.schemas.sandbox import CaseResult
    from grader.schemas.submission import Submission

Inputs = dict[str, np.ndarray]
Expected = dict[str, np.ndarray]
#: A named-mistake detector, as in ``grader.diagnose.detectors``: (check, failed comparison, conventions) ->
#: the findings (code, message) it would explain.
Detector = Callable[[str, "Comparison", dict], Iterable["Finding"]]
#: Scores answers that are not arrays: (item, cases, what each case returned, the returned arrays, notes).
Scorer = Callable[[Item, "list[Case]", "list[CaseResult]", dict[str, np.ndarray], Sequence[str]], ItemResult]
#: Scores an item from the submission's files alone, without running the student's code.
StaticScorer = Callable[[Item, "Submission"], ItemResult]


@dataclass(frozen=True)
class CheckKind:
    """One kind of check.

    build(rng, config, sizes) -> inputs sent to the student's code (float64 arrays, float32-representable);
    expected(config, inputs, conventions) -> quantity name -> expected array, computed by the trusted reference.
    The optional hooks, for kinds that are not "compare arrays with the reference":
    detectors: this kind's own named-mistake detectors, voted on with the shared ones in ``grader.diagnose``;
    score: replaces the array comparison (answers given as text, scored against rubric data);
    static: scores the item from the submission's files; the student's code is not run for it;
    autograd: the check calls torch autograd on purpose (train_step), so autograd calls are not held against it.
    """

    name: str
    quantities: tuple[str, ...]
    build: Callable[[np.random.Generator, Config, dict[str, int]], Inputs]
    expected: Callable[[Config, Inputs, dict[str, LossConvention]], Expected]
    convention: Literal["implementation", "theory"] = "implementation"
    detectors: tuple[Detector, ...] = ()
    score: Scorer | None = None
    static: StaticScorer | None = None
    autograd: bool = False
    #: the student's functions this check calls ("MLP.backward", "mse_loss"): where autograd is looked for
    calls: tuple[str, ...] = ()
    #: quantity -> name of another output of the student's own code to compare it with, instead of the reference
    #: (clear_grad compares the gradients after clear_grad_and_cache with those of a fresh network, so that it
    #: tests clearing alone and a wrong backward is not punished twice).
    against_own: dict[str, str] | None = None


CHECKS: dict[str, CheckKind] = {}


def register(kind: CheckKind) -> CheckKind:
    CHECKS[kind.name] = kind
    return kind


def cases_for(item: Item, secret: str, submission_key: str) -> "list[Case]":
    """The item's randomized cases, drawn by its check kind (``grader.cases.make_cases``)."""
    return make_cases(item, secret, submission_key, CHECKS[item.check].build)
