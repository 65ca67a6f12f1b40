"""The output folder as a store: atomic records, the settings guard, grader errors as rows."""

from __future__ import annotations

import json

import pytest

from grader.batch.store import NOT_GRADED, Store, roster_entry, settings, write_atomic
from grader.batch.worker import grade_entry
from grader.errors import GraderError, SandboxError
from grader.reporters.rows import Student
from grader.rubric import load_rubric
from grader.schemas import Report


@pytest.fixture(scope="module")
def rubric():
    return load_rubric("fall2020")


def _report(rubric, name="s") -> Report:
    return Report(submission=name, rubric=rubric.edition, grader_version="t", score=1.0, max_score=rubric.max_score,
                  items=[], seconds=0.5)


def test_write_atomic_replaces_whole_file_and_leaves_no_temp(tmp_path):
    p = tmp_path / "a" / "x.json"
    write_atomic(p, "old")
    write_atomic(p, "new")
    assert p.read_text() == "new" and [q.name for q in p.parent.iterdir()] == ["x.json"]


def test_claim_refuses_other_rubric_or_salt_and_cleans_temp_files(tmp_path, rubric):
    store = Store(tmp_path)
    store.claim(settings(rubric, "salt-1"))
    (store.reports / ".a.json.123.tmp").write_text("half")
    store.claim(settings(rubric, "salt-1"))  # the same settings: fine, and the killed write is gone
    assert not list(store.reports.glob(".*.tmp"))
    with pytest.raises(GraderError, match="another hidden-case salt"):
        store.claim(settings(rubric, "salt-2"))
    with pytest.raises(GraderError, match="another rubric"):
        store.claim(settings(load_rubric("spring2021"), "salt-1"))
    assert "salt-1" not in (tmp_path / "batch.json").read_text()  # only its hash is kept
    assert store.rubric() == rubric


def test_rows_from_reports_errors_and_roster(tmp_path, rubric):
    store = Store(tmp_path)
    store.claim(settings(rubric, "s"))
    store.add_to_roster({"a": roster_entry((Student("Ada", "a@x", "1"),), "2020-01-01"), "b": roster_entry((), None),
                         "c": roster_entry((), None)})
    store.save_report("a", _report(rubric, "a"))
    store.save_error("b", "grader error: boom", "Traceback ...")
    (store.reports / "d.json").write_text("{not json")  # a report that does not validate is graded again
    rows = {r.entry: r for r in store.rows()}
    assert rows["a"].report.score == 1.0 and rows["a"].students[0].name == "Ada"
    assert rows["b"].report is None and rows["b"].error == "grader error: boom"
    assert rows["c"].error == NOT_GRADED and rows["d"].error == NOT_GRADED
    assert store.done() == {"a", "b"} and store.done(retry_errors=True) == {"a"}
    store.save_report("b", _report(rubric, "b"))  # a report replaces the error
    assert not (store.errors / "b.json").exists()
    assert json.loads((store.reports / "a.json").read_text())["submission"] == "a"


class _Box:
    closed = 0

    def close(self):
        _Box.closed += 1


def test_grader_bug_is_recorded_as_an_error_row(tmp_path, rubric):
    store = Store(tmp_path)
    store.claim(settings(rubric, "s"))

    def broken_grade(path, rubric, salt=None, sandbox=None):
        raise KeyError("items")

    done, _ = grade_entry("x.zip", "/nowhere/x.zip", rubric, None, _Box(), store, grade=broken_grade)
    assert done.error == "grader error: KeyError: 'items'" and done.score is None
    record = json.loads((store.errors / "x.zip.json").read_text())
    assert record["error"] == done.error and "broken_grade" in record["traceback"]
    assert [r.error for r in store.rows()] == [done.error]


def test_sandbox_failure_is_retried_once_with_a_fresh_sandbox(tmp_path, rubric, monkeypatch):
    store = Store(tmp_path)
    store.claim(settings(rubric, "s"))
    import grader.batch.worker as worker

    monkeypatch.setattr(worker, "new_sandbox", lambda attach=None, slot=0: _Box())
    calls = []

    def flaky(path, rubric, salt=None, sandbox=None):
        calls.append(sandbox)
        if len(calls) == 1:
            raise SandboxError("the sandbox process stopped answering")
        return _report(rubric, path)

    first = _Box()
    done, sandbox = grade_entry("s1", "s1", rubric, None, first, store, grade=flaky)
    assert done.error is None and done.score == 1.0 and (store.reports / "s1.json").exists()
    assert len(calls) == 2 and calls[1] is sandbox and sandbox is not first

    def always(path, rubric, salt=None, sandbox=None):
        raise SandboxError("protocol broken")

    done, _ = grade_entry("s2", "s2", rubric, None, _Box(), store, grade=always)
    assert done.error == "grader error: SandboxError: protocol broken"


def test_merge_refuses_one_submission_with_two_different_grades(tmp_path, rubric):
    from grader.batch.merge import merge

    parts = []
    for k, score in enumerate((1.0, 2.0)):
        store = Store(tmp_path / f"p{k}")
        store.claim(settings(rubric, "s"))
        store.save_report("same", _report(rubric).model_copy(update={"score": score, "seconds": k}))
        store.save_report(f"only{k}", _report(rubric))
        parts.append(store.out)
    with pytest.raises(GraderError, match="same has different grades"):
        merge(parts, tmp_path / "all", feedback="")
    # the same grades with other timings merge fine
    (parts[1] / "reports" / "same.json").write_text(
        (parts[0] / "reports" / "same.json").read_text().replace('"seconds": 0', '"seconds": 9'))
    written = merge(parts, tmp_path / "all2", feedback="")
    assert [r.entry for r in written.rows] == ["only0", "only1", "same"]


def test_an_interrupted_write_leaves_neither_a_partial_file_nor_a_temporary_one(tmp_path, monkeypatch):
    import os as _os

    import pytest as _pytest

    from grader.batch.store import write_atomic

    target = tmp_path / "reports" / "s.json"
    write_atomic(target, "old")

    def stopped(*args):
        raise SystemExit(143)  # what the worker's SIGTERM handler raises

    monkeypatch.setattr(_os, "replace", stopped)
    with _pytest.raises(SystemExit):
        write_atomic(target, "new")
    assert target.read_text() == "old" and not list(target.parent.glob(".*.tmp"))
