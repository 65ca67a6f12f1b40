"""Links between items, so feedback points at the cause instead of piling up messages.

- forward wrong for (f, g) -> the gradient items' failures on the same (f, g) may follow from it: fix forward first;
- a loss's dJdy_hat wrong while every end-to-end check with that loss passes -> the mean's 1/(N*K) sits in
  backward instead of in the loss (so backward given the grader's dJdy_hat is off by the same factor).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from grader.compare import Comparison
from grader.schemas import Diagnosis, Item, ItemResult


class Evaluated(Protocol):
    """One item between comparison and score, as ``grader.evaluate.Evaluated`` holds it: final already (an error, a
    static or text item), or comparisons and the named mistakes, to which the links here add."""

    @property
    def item(self) -> Item: ...

    final: ItemResult | None
    comparisons: list[Comparison]
    diagnoses: list[Diagnosis]

AFTER_FORWARD = ("backward", "end_to_end", "clear_grad")


def _open(evaluated: Sequence[Evaluated], check: str) -> list[Evaluated]:
    return [e for e in evaluated if e.item.check == check and e.final is None]


def _forward_first(sources: Sequence[Evaluated], targets: Sequence[Evaluated]) -> None:
    bad = {(c.case.config.f, c.case.config.g) for e in _open(sources, "forward")
           for c in e.comparisons if not c.passed and not c.spoiled}
    if not bad:
        return
    for check in AFTER_FORWARD:
        for e in _open(targets, check):
            hit = sorted({c.case.config.label for c in e.comparisons
                          if not c.passed and not c.spoiled and (c.case.config.f, c.case.config.g) in bad})
            if hit:
                e.diagnoses.insert(0, Diagnosis(
                    code="follows_forward", quantities=[], consequence=True,
                    message=f"forward is wrong for {'; '.join(hit)} (see 2.forward): the failures below for these "
                            f"configurations may follow from it. Fix forward first."))


def _mean_in_backward(sources: Sequence[Evaluated], targets: Sequence[Evaluated]) -> None:
    e2e = [c for e in _open(sources, "end_to_end") for c in e.comparisons]
    for loss_item in _open(targets, "loss"):
        wrong = [c for c in loss_item.comparisons if c.quantity == "dJdy_hat" and not c.passed]
        if not wrong:
            continue
        loss = wrong[0].case.config.loss
        mine = [c for c in e2e if c.case.config.loss == loss]
        if mine and all(c.passed for c in mine):
            loss_item.diagnoses.insert(0, Diagnosis(
                code="mean_in_backward", quantities=["dJdy_hat"],
                message=f"{loss}_loss's dJdy_hat is off, yet your end-to-end gradients are right: the mean's "
                        f"1/(N*K) (or another factor) is applied in backward instead of in the loss. Put it in "
                        f"dJdy_hat, as the course's tests feed dJdy_hat to backward, and do not divide in backward."))
            for b in _open(targets, "backward"):
                if any(not c.passed for c in b.comparisons) and not any(d.code == "mean_in_backward"
                                                                       for d in b.diagnoses):
                    b.diagnoses.insert(0, Diagnosis(
                        code="mean_in_backward", quantities=[],
                        message="backward rescales the dJdy_hat it is given (see the loss items): given the "
                                "grader's dJdy_hat, which already holds the mean's 1/(N*K), it must not divide."))


def relate(evaluated: Sequence[Evaluated]) -> None:
    """Add cross-item diagnoses in place (before scoring; scores are not changed). A visible item's feedback is
    drawn from visible items only: what a hidden item's results say (how its hidden cases went) must not show
    through a visible item before the due date."""
    visible = [e for e in evaluated if e.item.visibility == "visible"]
    hidden = [e for e in evaluated if e.item.visibility != "visible"]
    for targets, sources in ((visible, visible), (hidden, evaluated)):
        _forward_first(sources, targets)
        _mean_in_backward(sources, targets)
