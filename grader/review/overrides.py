"""A batch's score overrides: ``OUT/overrides.json``, the decisions of the people who review scores.

One override per (submission, item): the score a reviewer gave, their comment, who and when, the grader's score it
replaces and a hash of the answer it judged. It is applied only while the answer is the same: once a regrade of a
changed submission gives another answer (another hash), the override is *stale*, shown as such and not applied.

The file is validated as a whole (``OverridesFile``, with the rubric in the validation context so a score beyond an
item's points is refused) and written atomically; a file that does not validate is never overwritten, and the error
names the entry and the field. ``apply`` records each override beside the grader's result of its item
(``ItemResult.review``), leaving the grader's own score where it was.
"""

from __future__ import annotations

import fcntl
import getpass
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from grader.atomic import write_atomic
from grader.errors import GraderError
from grader.schemas import ItemResult, Report, Rubric
from grader.schemas.report import Review

FILE = "overrides.json"
Key = tuple[str, str]  # (submission, item)


class Override(BaseModel):
    """A reviewer's score for one item of one submission."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    submission: str = Field(min_length=1, description="the batch entry (the submission column of grades.csv)")
    item: str = Field(min_length=1, description="the rubric item id")
    score: float = Field(ge=0, description="the reviewer's score, at most the item's points")
    comment: str = Field("", max_length=4000, description="shown to the student on the feedback page")
    reviewer: str = Field(min_length=1)
    time: AwareDatetime = Field(description="when it was decided; the latest wins when two folders disagree")
    machine_score: float = Field(description="the grader's score it replaces")
    answer_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="hash of the answer it judged "
                                                                      "(``answer_hash``)")

    @field_validator("item")
    @classmethod
    def _known_item(cls, v: str, info: ValidationInfo) -> str:
        points = (info.context or {}).get("points")
        if points is not None and v not in points:
            raise ValueError(f"the rubric has no item {v!r}")
        return v

    @field_validator("score")
    @classmethod
    def _within_points(cls, v: float, info: ValidationInfo) -> float:
        points = (info.context or {}).get("points")
        item = info.data.get("item")
        if points is not None and item in points and v > points[item]:
            raise ValueError(f"{v:g} is more than the {points[item]:g} points of item {item}")
        return v

    @property
    def key(self) -> Key:
        return self.submission, self.item


class OverridesFile(BaseModel):
    """The whole of ``overrides.json``."""

    model_config = ConfigDict(extra="forbid")

    overrides: list[Override] = Field(default_factory=list)


# --------------------------------------------------------------------------------------------------- answers
def answer_hash(item: ItemResult) -> str:
    """What an override judged: the answer's hash when the report keeps the answer, else a hash of the grader's
    result of the item (score, checks, feedback), which changes when a regrade of changed work scores otherwise."""
    if item.answer is not None:
        return item.answer.sha256
    seen = item.model_dump(mode="json", include={"score", "status", "checks", "feedback", "error"})
    return hashlib.sha256(json.dumps(seen, sort_keys=True).encode("utf-8")).hexdigest()


def default_reviewer() -> str:
    """The OS user's name (the reviewer when none is given)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return f"uid {os.getuid()}"


def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def make(submission: str, item: ItemResult, score: float, comment: str, reviewer: str) -> Override:
    """A new override of ``item`` (the grader's result) of ``submission``; refuses a score outside its points."""
    if not 0 <= score <= item.max_score:
        raise GraderError(f"score {score:g} for {submission} / {item.id}: give a score from 0 to {item.max_score:g}")
    return Override(submission=submission, item=item.id, score=score, comment=comment.strip(),
                    reviewer=reviewer.strip() or default_reviewer(), time=now(), machine_score=item.score,
                    answer_sha256=answer_hash(item))


# ---------------------------------------------------------------------------------------------- load / save
def _where(data: object, loc: tuple) -> str:
    """'entry 3 (submission 'x', item 'y'), field 'score'' for a pydantic error location."""
    if len(loc) >= 2 and loc[0] == "overrides" and isinstance(loc[1], int):
        entry = f"entry {loc[1] + 1}"
        try:
            raw = data["overrides"][loc[1]]  # type: ignore[index]
            entry += f" (submission {raw['submission']!r}, item {raw['item']!r})"
        except (KeyError, IndexError, TypeError):
            pass
        return entry + (f", field {'.'.join(map(str, loc[2:]))!r}" if len(loc) > 2 else "")
    return f"field {'.'.join(map(str, loc))!r}" if loc else "the file as a whole"


def _points(rubric: Rubric | None) -> dict | None:
    return {i.id: i.points for i in rubric.items} if rubric is not None else None


def parse(text: str | bytes, rubric: Rubric | None = None, name: str = FILE) -> dict[Key, Override]:
    """The overrides of a file's text, one per (submission, item): the latest by time where the file has two."""
    try:
        data = json.loads(text)
    except ValueError as e:
        raise GraderError(f"{name} is not valid JSON ({e}); fix it by hand (it was left as it is)") from e
    try:
        model = OverridesFile.model_validate(data, context={"points": _points(rubric)})
    except ValidationError as e:
        problems = [f"  {_where(data, tuple(err['loc']))}: {err['msg']}" for err in e.errors()]
        raise GraderError(f"{name} does not validate; fix or remove these entries (the file was left as it is):\n"
                          + "\n".join(problems)) from e
    return latest(model.overrides)[0]


def load(out: Path, rubric: Rubric | None = None) -> dict[Key, Override]:
    """The overrides of a batch's output folder ({} when it has none)."""
    path = Path(out) / FILE
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as e:
        raise GraderError(f"cannot read {path}: {e}") from e
    return parse(text, rubric, str(path))


def dumps(overrides: dict[Key, Override]) -> str:
    entries = [overrides[k] for k in sorted(overrides)]
    return OverridesFile(overrides=entries).model_dump_json(indent=2) + "\n"


def save(out: Path, overrides: dict[Key, Override]) -> None:
    """Write the folder's overrides.json atomically (sorted by submission and item)."""
    write_atomic(Path(out) / FILE, dumps(overrides))


@contextmanager
def editing(out: Path, rubric: Rubric | None = None) -> Iterator[dict[Key, Override]]:
    """Read, change and write overrides.json under a lock, so a reviewer's page and the ``override`` command do not
    lose each other's decisions. The file is read first: one that does not validate is never overwritten."""
    out = Path(out)
    with open(out / ".overrides.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = load(out, rubric)
        before = dict(current)
        yield current
        if current != before:
            save(out, current)


@dataclass(frozen=True)
class Conflict:
    """Two folders (or two entries of one file) hold different overrides of one item: ``kept`` is the latest."""

    kept: Override
    dropped: Override

    def __str__(self) -> str:
        k, d = self.kept, self.dropped
        return (f"{k.submission} / {k.item}: kept {k.score:g} by {k.reviewer} ({k.time.isoformat()}) over "
                f"{d.score:g} by {d.reviewer} ({d.time.isoformat()}): the latest wins")


def latest(overrides: Iterable[Override]) -> tuple[dict[Key, Override], list[Conflict]]:
    """One override per (submission, item): the latest by time (the first seen on a tie); and the conflicts."""
    kept: dict[Key, Override] = {}
    conflicts = []
    for o in overrides:
        have = kept.get(o.key)
        if have is None or have == o:
            kept[o.key] = have or o
            continue
        new, old = (o, have) if o.time > have.time else (have, o)
        kept[o.key] = new
        conflicts.append(Conflict(new, old))
    return kept, conflicts


# ------------------------------------------------------------------------------------------------------ apply
def is_stale(override: Override, item: ItemResult) -> bool:
    """The answer changed since the override was decided: it judged something else."""
    return override.answer_sha256 != answer_hash(item)


def apply(entry: str, report: Report, overrides: dict[Key, Override]) -> tuple[Report, list[Override]]:
    """The report with each override of ``entry`` that still fits recorded as its item's ``review`` (reviews of
    earlier runs no longer in ``overrides`` are removed); and the stale overrides, not applied."""
    items, stale = [], []
    for item in report.items:
        o = overrides.get((entry, item.id))
        review = None
        if o is not None and is_stale(o, item):
            stale.append(o)
        elif o is not None:
            review = Review(score=min(o.score, item.max_score), reviewer=o.reviewer,
                            time=o.time.isoformat(), comment=o.comment)
        items.append(item if item.review == review else item.model_copy(update={"review": review}))
    if all(a is b for a, b in zip(items, report.items)):
        return report, stale
    return report.model_copy(update={"items": items}), stale
