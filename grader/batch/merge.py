"""``hw1-grader merge OUT1 OUT2 ... --out OUT``: combine the output folders of shards (or of any batches made
with the same grader, rubric and salt) and rebuild grades.csv and the rest over all of them.

A submission recorded in two inputs must have the same grades in both (timings and reviews aside); a report beats
a grader error for the same submission. The reviewers' overrides of every input are kept: where two hold different
overrides of one item, the latest by time wins (and the merge says so).
"""

from __future__ import annotations

import json
from pathlib import Path

from grader.batch.outputs import Written, rebuild
from grader.batch.store import SETTING_KEYS, Store, write_atomic
from grader.errors import GraderError
from grader.review import overrides as review


def _same_grades(a: Path, b: Path) -> bool:
    def strip(p: Path) -> dict:
        data = json.loads(p.read_text(encoding="utf-8"))
        data.pop("seconds", None)
        for item in data.get("items", []):
            item.pop("review", None)  # applied from overrides.json, merged on their own
        return data

    return strip(a) == strip(b)


def merge(inputs: list[Path], out: Path, feedback: str = "md", canvas_column: str | None = None) -> Written:
    stores = [Store(p) for p in inputs]
    target = Store(out)
    first = None
    for s in stores:
        have = s.settings()
        if have is None:
            raise GraderError(f"{s.out} holds no batch.json: it is not the output folder of `hw1-grader batch`")
        if first is None:
            first = have
        elif any(have.get(k) != first.get(k) for k in SETTING_KEYS):
            raise GraderError(f"{s.out} was graded with another grader version, rubric or salt than "
                              f"{stores[0].out}; merge only shards of one batch")
    assert first is not None
    rubric = Store(stores[0].out).rubric()
    found = [o for s in [target, *stores] for o in review.load(s.out, rubric).values()]  # all readable, or stop
    target.claim(first)
    roster: dict[str, dict] = {}
    for s in stores:
        roster.update(s.roster())
        for report in sorted(s.reports.glob("*.json")):
            if report.name.startswith("."):
                continue
            dest = target.reports / report.name
            if dest.resolve() == report.resolve():
                continue
            if dest.exists() and not _same_grades(dest, report):
                raise GraderError(f"{report.name[:-5]} has different grades in two of the folders merged "
                                  f"(one is {report}); grade it again in one place")
            write_atomic(dest, report.read_bytes())
        for error in sorted(s.errors.glob("*.json")):
            dest = target.errors / error.name
            if error.name.startswith(".") or dest.resolve() == error.resolve():
                continue
            if not (target.reports / error.name).exists():
                write_atomic(dest, error.read_bytes())
    for report in target.reports.glob("*.json"):  # a report recorded anywhere beats an error recorded elsewhere
        (target.errors / report.name).unlink(missing_ok=True)
    target.add_to_roster(roster)
    kept, conflicts = review.latest(found)
    if kept or (target.out / review.FILE).exists():
        review.save(target.out, kept)
    written = rebuild(target, target.rubric(), feedback, canvas_column)
    written.notes[:0] = [f"override conflict: {c}" for c in conflicts]
    return written
