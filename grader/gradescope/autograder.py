"""``hw1-grader gradescope [--root /autograder]``: grade ``submission/`` and write ``results/results.json``.

Whatever happens (a bad rubric, a missing file, a grader bug, SIGTERM from Gradescope's timeout), a valid
results.json is written, last and atomically: on failure a visible "Autograder failed" test asks the student to
contact staff and a hidden one carries the traceback. The late policy uses Gradescope's dates only.
"""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

from grader.atomic import write_atomic
from grader.errors import GraderError
from grader.reporters.gradescope_results import failure_results, to_json, to_results
from grader.schemas.gradescope import Results, SubmissionMetadata

DEFAULT_ROOT = Path("/autograder")


class Terminated(Exception):
    """SIGTERM arrived (Gradescope's time limit): grading stops and the failure results are written."""


def _terminate(signum, frame) -> None:
    raise Terminated(f"stopped by signal {signum} (the autograder's time limit?)")


def read_metadata(path: Path) -> SubmissionMetadata | None:
    if not path.is_file():
        return None
    try:
        return SubmissionMetadata.model_validate_json(path.read_bytes())
    except Exception as e:  # noqa: BLE001 - any unreadable metadata is a grader-side failure
        raise GraderError(f"{path}: not valid Gradescope submission metadata ({e})") from e


def default_rubric(root: Path) -> Path | None:
    """The rubric the autograder zip carries (source/rubric.toml), else None (the bundled default)."""
    p = root / "source" / "rubric.toml"
    return p if p.is_file() else None


def grade_for_gradescope(root: Path, rubric: str | Path | None, salt_file: Path | None, start: float) -> Results:
    from grader.engine import grade
    from grader.gradescope.late import Lateness, lateness
    from grader.gradescope.upload import resolve_upload
    from grader.reporters.terminal import render
    from grader.rubric import load_rubric

    meta = read_metadata(root / "submission_metadata.json")
    rubric_model = load_rubric(rubric or default_rubric(root))
    try:
        salt = salt_file.read_text(encoding="utf-8").strip() if salt_file else None
    except OSError as e:
        raise GraderError(f"cannot read the salt file {salt_file}: {e}") from e
    report = grade(resolve_upload(root / "submission"), rubric_model, salt=salt)
    late = lateness(rubric_model.late_policy, meta) if meta else Lateness()
    print(render(report, rubric_model, student=False))  # run_autograder's stdout: instructors only
    if meta is None:
        print("no submission_metadata.json: lateness not checked")
    return to_results(report, factor=late.factor, late_note=late.note, execution_time=time.monotonic() - start)


def run(root: Path = DEFAULT_ROOT, rubric: str | Path | None = None, salt_file: Path | None = None) -> Results:
    """Grade and write ``root/results/results.json``; returns what was written. Never raises for a failure of
    grading (only when results.json itself cannot be written)."""
    start = time.monotonic()
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        try:
            results = grade_for_gradescope(root, rubric, salt_file, start)
        finally:
            signal.signal(signal.SIGTERM, previous)
    except BaseException as e:  # noqa: BLE001 - the student must get valid results whatever failed
        print(f"hw1-grader gradescope: grading failed: {type(e).__name__}: {e}", file=sys.stderr)
        results = failure_results(e, execution_time=time.monotonic() - start)
    write_atomic(root / "results" / "results.json", to_json(results) + "\n")
    return results
