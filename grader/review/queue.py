"""What there is to review in a batch: every flagged item of every graded submission, in groups of answers that
read the same, so a reviewer decides each group once (as Gradescope's answer groups do).

An item is flagged when its score is provisional (``ItemResult.provisional``), when the rubric marks it
``manual_review`` (and it ran), when its feedback calls its score provisional, or when a flag of the report asks for
it to be reviewed by hand (``"<item id>: ... to be reviewed by hand"``). An item with an override is in the queue too
(a regrade decided with ``hw1-grader override``), flagged or not.

Groups are made per item by a *grouping key*: a function of the grader's result of an item that returns a string
(answers with equal strings are one group) or None (no opinion). ``group_key`` asks the functions registered with
``register_key``, the latest first; the default, ``normalised_text``, compares answers whatever their case, spacing
and punctuation. A module that parses formulas registers a key that returns the parsed formula, and is asked first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass

from grader.reporters.rows import Row, Student
from grader.review.overrides import Key, Override, is_stale
from grader.schemas import Item, ItemResult, Report, Rubric

KeyFunction = Callable[[ItemResult], "str | None"]
_KEYS: list[KeyFunction] = []


def register_key(fn: KeyFunction) -> KeyFunction:
    """Add a grouping key (usable as a decorator); keys registered later are asked first."""
    _KEYS.append(fn)
    return fn


def group_key(result: ItemResult) -> str | None:
    """The first answer of the registered keys, latest first; None: the answer is a group of its own."""
    for fn in reversed(_KEYS):
        key = fn(result)
        if key is not None:
            return key
    return None


_PUNCTUATION = re.compile(r"[\s.,;:!?*_`'\"()\[\]-]+")


def normalise(text: str) -> str:
    """Text as the default key compares it: Unicode-normalised, case-folded, punctuation and spacing as one space."""
    return _PUNCTUATION.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


@register_key
def normalised_text(result: ItemResult) -> str | None:
    if result.answer is None:
        return None
    return "text:" + normalise(result.answer.text)


# ------------------------------------------------------------------------------------------------------ queue
BY_HAND = "to be reviewed by hand"


def flagged_by_report(report: Report) -> set[str]:
    """Ids of the items a flag of the report asks a person to review."""
    return {f.split(":", 1)[0].strip() for f in report.flags if BY_HAND in f and ":" in f}


def is_flagged(result: ItemResult, item: Item | None, by_report: Set[str] = frozenset()) -> bool:
    """by_report: the ids of ``flagged_by_report`` of the item's report."""
    if result.provisional or result.id in by_report:
        return True
    if item is not None and item.manual_review and result.status != "error":
        return True
    return "provisional" in result.feedback.casefold()


@dataclass(frozen=True)
class Answer:
    """One submission's answer to one item, with its override if there is one."""

    entry: str
    students: tuple[Student, ...]
    result: ItemResult  # the grader's
    override: Override | None
    flagged: bool

    @property
    def stale(self) -> bool:
        return self.override is not None and is_stale(self.override, self.result)

    @property
    def decided(self) -> bool:
        return self.override is not None and not self.stale

    @property
    def key(self) -> Key:
        return self.entry, self.result.id


@dataclass(frozen=True)
class Group:
    """Answers to one item that read the same (or one answer alone)."""

    id: str  # stable within a queue: 'g1', 'g2', ...
    item: Item | None
    item_id: str
    answers: tuple[Answer, ...]

    @property
    def decided(self) -> bool:
        return all(a.decided for a in self.answers)

    @property
    def left(self) -> int:
        return sum(not a.decided for a in self.answers)


@dataclass(frozen=True)
class Progress:
    answers: int
    groups: int
    answers_left: int
    groups_left: int
    stale: int

    def sentence(self) -> str:
        if not self.answers:
            return "Nothing to review: no score in this batch is provisional or flagged."
        left = (f"{self.answers_left} of {self.answers} answers left to review, in {self.groups_left} of "
                f"{self.groups} groups" if self.answers_left else
                f"All {self.answers} answers reviewed ({self.groups} groups)")
        stale = (f"; {self.stale} override{'s' * (self.stale != 1)} stale (the answer changed since: decide "
                 f"again)" if self.stale else "")
        return left + stale + "."


def build(rows: Sequence[Row], rubric: Rubric, overrides: dict[Key, Override]) -> list[Group]:
    """The groups to review, in rubric order of their item, larger groups first, then by first submission."""
    items = {i.id: i for i in rubric.items}
    buckets: dict[tuple[str, str], list[Answer]] = {}
    for row in rows:
        if row.report is None:
            continue
        by_report = flagged_by_report(row.report)
        for result in row.report.items:
            o = overrides.get((row.entry, result.id))
            flagged = is_flagged(result, items.get(result.id), by_report)
            if not flagged and o is None:
                continue
            key = group_key(result) if flagged else None
            bucket = (result.id, key if key is not None else f"alone:{row.entry}")
            buckets.setdefault(bucket, []).append(Answer(row.entry, row.students, result, o, flagged))
    order = {i: n for n, i in enumerate(items)}
    ranked = sorted(buckets.items(), key=lambda kv: (order.get(kv[0][0], len(order)), -len(kv[1]), kv[1][0].entry))
    return [Group(f"g{n}", items.get(item_id), item_id, tuple(answers))
            for n, ((item_id, _), answers) in enumerate(ranked, 1)]


def progress(groups: Sequence[Group]) -> Progress:
    answers = [a for g in groups for a in g.answers]
    return Progress(len(answers), len(groups), sum(not a.decided for a in answers),
                    sum(not g.decided for g in groups), sum(a.stale for a in answers))


def find(groups: Sequence[Group], entry: str, item_id: str) -> Answer | None:
    return next((a for g in groups for a in g.answers if a.entry == entry and a.result.id == item_id), None)
