"""A submission that follows another edition of the course: every loss check off by the factor between the editions.

The course changed its loss conventions between editions (Fall 2020: MSE = 1/2 of the mean in mlp.py, 1/2 the
squared norm in the theory; Spring 2021: the plain mean and the squared norm, BCE averaged over the K outputs). Work
written for one edition and graded with another fails every check that depends on the loss, each by that factor.
Naming a "missing factor 2" there sends the student looking for a bug they do not have; one line saying which
edition the work matches, and what this course uses, tells them what to change.

``same_as_edition(evaluated, conventions, others)`` adds that line (a Diagnosis, code ``other_edition``) to every
item whose loss checks it explains, in place, and returns it; the per-quantity factor diagnoses it explains go.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from grader.compare import Comparison
from grader.diagnose.relate import Evaluated
from grader.schemas import Conventions, Diagnosis, LossConvention

#: For each part of the homework, the checks whose values follow the loss, and which of their quantities do.
LOSS_QUANTITIES: dict[str, dict[str, tuple[str, ...]]] = {
    "implementation": {"loss": ("J", "dJdy_hat"), "end_to_end": ("dJdW1", "dJdb1", "dJdW2", "dJdb2")},
    "theory": {c: ("loss", "dl_dyhat", "dl_dW1", "dl_db1", "dl_dW2", "dl_db2")
               for c in ("forward_pass", "gradients", "jacobians", "single_point")},
}
#: The quantities that carry the loss alone (no other step of the network): the edition is decided on these.
MATCHED: dict[str, dict[str, tuple[str, ...]]] = {
    "implementation": {"loss": ("J", "dJdy_hat")},
    "theory": {"forward_pass": ("loss",), "jacobians": ("dl_dyhat",), "single_point": ("loss", "dl_dyhat")},
}
#: The factor diagnoses a different convention produces, which the edition line replaces.
FACTOR_CODES = {"missing_factor_2", "extra_factor_2", "missing_mean", "extra_mean", "missing_batch_mean",
                "extra_batch_division", "missing_output_mean", "extra_output_division", "mse_convention",
                "bce_convention"}
_RTOL, _ATOL = 2e-3, 1e-5


def term(edition: str) -> str:
    """'spring2021' -> 'Spring 2021'; another name stays as it is."""
    head = edition.rstrip("0123456789")
    year = edition[len(head):]
    return f"{head.capitalize()} {year}" if head.isalpha() and len(year) == 4 else edition


def _count(reduce: str, shape: tuple[int, ...]) -> int:
    size = int(np.prod(shape))
    if reduce == "sum" or (reduce == "batch_mean" and len(shape) <= 1):
        return 1
    return size if reduce == "mean" else size // shape[-1]


def ratio(theirs: LossConvention, mine: LossConvention, shape: tuple[int, ...]) -> float:
    """J (and every derivative of it) under ``theirs`` divided by J under ``mine``, for y_hat of ``shape``."""
    return (theirs.scale / _count(theirs.reduce, shape)) / (mine.scale / _count(mine.reduce, shape))


def describe(loss: str, k: LossConvention, part: str) -> str:
    """One convention in words: 'J = 1/2 mean((y_hat - y)^2) over the N*K elements'."""
    over = {"implementation": {"mean": "the mean over all N*K elements", "sum": "the sum over all elements",
                               "batch_mean": "the sum over the K outputs, averaged over the batch"},
            "theory": {"mean": "the mean over the K outputs", "sum": "the sum over the K outputs",
                       "batch_mean": "the sum over the K outputs"}}[part][k.reduce]
    term_ = "(y_hat - y)^2" if loss == "mse" else "-[y log y_hat + (1 - y) log(1 - y_hat)]"
    scale = "" if k.scale == 1 else "1/2 of " if k.scale == 0.5 else f"{k.scale:g} x "
    return f"{loss.upper()} = {scale}{over} of {term_}"


def _shape(c: Comparison, part: str) -> tuple[int, ...]:
    s = c.case.sizes
    return (s["K"],) if part == "theory" else (s.get("N", 1), s["K"])


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= _ATOL + _RTOL * np.abs(b)))


def _matches(comparisons: Sequence[Comparison], part: str, theirs: Conventions, mine: Conventions) -> bool:
    """Every comparison is what ``theirs`` gives (passed where the two agree, off by their ratio elsewhere), and
    at least one is off."""
    off = False
    for c in comparisons:
        loss = c.case.config.loss
        r = ratio(getattr(theirs, part)[loss], getattr(mine, part)[loss], _shape(c, part))
        if c.passed:
            if abs(r - 1) > 1e-9 and np.any(np.abs(c.expected) > 1e-6):
                return False  # it agrees with this course where the other edition would differ
            continue
        if c.received is None or abs(r - 1) <= 1e-9 or not np.any(np.abs(c.expected) > 1e-6):
            return False
        received = c.received.reshape(c.expected.shape) if c.received.size == c.expected.size else c.received
        if not _close(received, r * c.expected):
            return False
        off = True
    return off


def same_as_edition(evaluated: Sequence[Evaluated], conventions: Conventions,
                    others: Mapping[str, Conventions], edition: str) -> list[str]:
    """For each part whose loss checks all match one other edition: add the line to its items (in place) and
    return it. ``others``: edition name -> its conventions; ``edition``: this rubric's."""
    lines = []
    for part, checks in LOSS_QUANTITIES.items():
        items = [e for e in evaluated if e.final is None and e.item.check in checks]
        matched = MATCHED[part]  # decided on visible items alone: hidden results must not show through them
        comps = [c for e in items if e.item.check in matched and e.item.visibility == "visible" for c in e.comparisons
                 if c.quantity in matched[e.item.check]]
        if not comps or all(c.passed for c in comps):
            continue
        for name, theirs in others.items():
            if getattr(theirs, part) == getattr(conventions, part) or not _matches(comps, part, theirs, conventions):
                continue
            losses = sorted({c.case.config.loss for c in comps if not c.passed})
            line = (f"your {' and '.join(losses).upper()} follow{'s' * (len(losses) == 1)} the {term(name)} "
                    f"convention ({'; '.join(describe(x, getattr(theirs, part)[x], part) for x in losses)}); this "
                    f"course ({term(edition)}) uses {'; '.join(describe(x, getattr(conventions, part)[x], part) for x in losses)}, "
                    f"and every gradient follows the loss. Change the loss to this course's convention.")
            for e in items:
                explained = _explained(e, checks[e.item.check], part, theirs, conventions)
                if not explained:
                    continue
                e.diagnoses[:] = [d for d in e.diagnoses if not (d.code in FACTOR_CODES
                                                                 and set(d.quantities) <= explained)]
                e.diagnoses.insert(0, Diagnosis(code="other_edition", quantities=sorted(explained), message=line))
            lines.append(line)
            break
    return lines


def _explained(e: Evaluated, quantities: tuple[str, ...], part: str, theirs: Conventions,
               mine: Conventions) -> set[str]:
    """The quantities of ``e`` whose every failure the other edition's factor explains."""
    out: set[str] = set()
    bad: set[str] = set()
    for c in e.comparisons:
        if c.quantity not in quantities or c.passed:
            continue
        (out if _matches([c], part, theirs, mine) else bad).add(c.quantity)
    return out - bad
