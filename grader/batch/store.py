"""The batch's output folder as a store of finished work. Every file is written atomically (temporary file in the
same folder, then ``os.replace``), so a crash leaves each record either whole or absent.

Layout of OUT::

    batch.json            what the records were made with (grader version, rubric, hash of the hidden salt)
    roster.json           every entry of the batch: {entry: {"students": [...], "created_at": ...}}
    reports/<entry>.json  one graded submission: the same JSON as ``hw1-grader grade --json``
    errors/<entry>.json   a submission the grader itself failed on: {"entry", "error", "traceback"}
    overrides.json        the reviewers' decisions (``grader.review.overrides``), applied whenever the rest is rebuilt
    grades.csv, canvas.csv, feedback/, summary/   rebuilt from the records at the end of every run

``grades.csv`` and the rest are derived, so a rerun after a crash, a merge of shards and an uninterrupted run give
the same files.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

from pydantic import ValidationError

from grader.atomic import write_atomic  # noqa: F401  (re-exported: the batch's files use it)
from grader import __version__
from grader.errors import GraderError
from grader.reporters.json_report import to_json
from grader.reporters.rows import Row, Student
from grader.schemas import Report, Rubric

NOT_GRADED = "not graded yet: run the same batch command again to grade it"


def settings(rubric: Rubric, hidden_salt: str) -> dict:
    """What a batch's grades depend on besides the submissions. The salt itself is never written."""
    return {"grader_version": __version__, "rubric_edition": rubric.edition,
            "rubric_sha256": hashlib.sha256(rubric.model_dump_json().encode()).hexdigest(),
            "salt_sha256": hashlib.sha256(hidden_salt.encode()).hexdigest(),
            "rubric": rubric.model_dump(mode="json")}


SETTING_KEYS = ("grader_version", "rubric_sha256", "salt_sha256")


class Store:
    def __init__(self, out: Path) -> None:
        self.out = Path(out)
        self.reports = self.out / "reports"
        self.errors = self.out / "errors"

    # ------------------------------------------------------------------------------------------------ settings
    def settings(self) -> dict | None:
        p = self.out / "batch.json"
        if not p.is_file():
            return None
        try:
            return json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise GraderError(f"{p} is unreadable ({e}); delete it to start this output folder afresh") from e

    def rubric(self) -> Rubric:
        s = self.settings()
        if s is None:
            raise GraderError(f"{self.out} holds no batch.json: it is not the output folder of `hw1-grader batch`")
        return Rubric.model_validate(s["rubric"])

    def claim(self, wanted: dict) -> None:
        """Make sure every record here was (or will be) made with ``wanted`` settings, then write them."""
        have = self.settings()
        if have is not None:
            changed = [k for k in SETTING_KEYS if have.get(k) != wanted[k]]
            if changed:
                what = {"grader_version": "another grader version", "rubric_sha256": "another rubric",
                        "salt_sha256": "another hidden-case salt"}
                raise GraderError(f"{self.out} holds grades made with {' and '.join(what[k] for k in changed)}; "
                                  f"give a new --out folder, or delete {self.out} to grade everything again")
        self.out.mkdir(parents=True, exist_ok=True)
        for d in (self.reports, self.errors):
            d.mkdir(exist_ok=True)
            for tmp in d.glob(".*.tmp"):  # left by a run that was killed mid-write
                tmp.unlink(missing_ok=True)
        write_atomic(self.out / "batch.json", json.dumps(wanted, indent=2, sort_keys=True) + "\n")

    # ------------------------------------------------------------------------------------------------- records
    def save_report(self, entry: str, report: Report) -> None:
        write_atomic(self.reports / f"{entry}.json", to_json(report) + "\n")
        (self.errors / f"{entry}.json").unlink(missing_ok=True)

    def save_error(self, entry: str, error: str, traceback: str = "") -> None:
        write_atomic(self.errors / f"{entry}.json",
                     json.dumps({"entry": entry, "error": error, "traceback": traceback}, indent=2) + "\n")

    def load_report(self, entry: str) -> Report | None:
        """The recorded report, or None when there is none or it no longer validates (then it is graded again)."""
        p = self.reports / f"{entry}.json"
        try:
            return Report.model_validate_json(p.read_bytes())
        except (OSError, ValidationError, ValueError):
            return None

    def load_error(self, entry: str) -> str | None:
        try:
            return str(json.loads((self.errors / f"{entry}.json").read_text(encoding="utf-8"))["error"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _names(self, folder: Path) -> set[str]:
        return {p.name[:-5] for p in folder.glob("*.json") if not p.name.startswith(".")} if folder.is_dir() \
            else set()

    def done(self, retry_errors: bool = False) -> set[str]:
        """Entries that need no grading: a valid report, or (unless retry_errors) a recorded grader failure."""
        ok = {n for n in self._names(self.reports) if self.load_report(n) is not None}
        return ok if retry_errors else ok | self._names(self.errors)

    # -------------------------------------------------------------------------------------------------- roster
    def roster(self) -> dict[str, dict]:
        p = self.out / "roster.json"
        try:
            return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else {}
        except (OSError, ValueError) as e:
            raise GraderError(f"{p} is unreadable ({e}); run the batch command again to rewrite it") from e

    def add_to_roster(self, entries: dict[str, dict]) -> None:
        roster = self.roster()
        roster.update(entries)
        write_atomic(self.out / "roster.json", json.dumps(dict(sorted(roster.items())), indent=2) + "\n")

    def rows(self, loaded: dict[str, Report] | None = None) -> list[Row]:
        """One row per entry known here (roster, reports, errors), sorted by entry name. loaded: reports read from
        their records already (a batch reads each as it is recorded, while the others are still being graded)."""
        roster = self.roster()
        names = set(roster) | self._names(self.reports) | self._names(self.errors)
        loaded = loaded or {}
        rows = []
        for name in sorted(names):
            info = roster.get(name, {})
            students = tuple(Student(**s) for s in info.get("students", []))
            report = loaded.get(name) or self.load_report(name)
            error = None if report else (self.load_error(name) or NOT_GRADED)
            rows.append(Row(name, students, report, error, info.get("created_at")))
        return rows


def roster_entry(students: tuple[Student, ...], created_at: str | None) -> dict:
    return {"students": [asdict(s) for s in students], "created_at": created_at}
