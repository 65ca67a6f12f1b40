"""Overrides as data: ``hw1-grader override`` and overrides.json flow into every file of a batch, survive a rerun
and a merge, go stale when the answer changes, and a malformed file is reported, never overwritten."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from grader.errors import GraderError
from grader.reporters.rows import points
from grader.review import overrides
from review_helpers import ITEM, batch, machine_item, read_csv, run


def override(out: Path, entry: str, score: str, *more: str, check: bool = True):
    return run("override", str(out), "--submission", entry, "--item", ITEM, "--score", score, *more, check=check)


def test_an_override_reaches_every_file_and_the_report_keeps_the_graders_score(out):
    before = read_csv(out / "grades.csv")["carol"]
    assert before[ITEM] == "1" and before["reviewed"] == ""
    done = override(out, "carol", "3", "--comment", "Names one idea; the vanishing gradient is implied.",
                    "--reviewer", "ta.bob")
    assert "carol / 1.2c_relu_benefits: 3 (the grader's 1), reviewed by ta.bob" in done.stdout
    row = read_csv(out / "grades.csv")["carol"]
    assert row[ITEM] == "3" and float(row["total"]) == float(before["total"]) + 2
    assert row["reviewed"] == "1.2c_relu_benefits: 3 (the grader's 1), reviewed by ta.bob"
    item = machine_item(out, "carol")
    assert item["score"] == 1.0 and item["status"] == "partial"  # the grader's result, as it was
    assert item["review"]["score"] == 3.0 and item["review"]["reviewer"] == "ta.bob"
    page = (out / "feedback" / "carol.md").read_text()
    assert "| 3 / 4 | partial (reviewed by ta.bob) |" in page
    assert "Reviewed by ta.bob" in page and "the grader's automatic score was 1" in page
    assert "the vanishing gradient is implied" in page
    summary = (out / "summary" / "summary.md").read_text()
    assert "1 item score of 1 submission set by a reviewer" in summary and "(1 reviewed)" in summary
    assert "1 with scores set by a reviewer" in (out / "summary" / "histogram.svg").read_text()
    saved = json.loads((out / "overrides.json").read_text())["overrides"]
    assert [(o["submission"], o["item"], o["score"], o["machine_score"]) for o in saved] == \
        [("carol", ITEM, 3.0, 1.0)]
    assert saved[0]["answer_sha256"] == item["answer"]["sha256"]
    # cleared: the grader's score counts again, everywhere
    run("override", str(out), "--submission", "carol", "--item", ITEM, "--clear")
    assert read_csv(out / "grades.csv")["carol"] == before
    assert "review" not in machine_item(out, "carol") or machine_item(out, "carol")["review"] is None
    assert json.loads((out / "overrides.json").read_text()) == {"overrides": []}


def test_the_reviewer_defaults_to_the_os_user(out):
    import getpass

    override(out, "alice", "4")
    assert read_csv(out / "grades.csv")["alice"]["reviewed"].endswith(f"reviewed by {getpass.getuser()}")


def test_scores_outside_the_items_points_and_unknown_names_are_refused(out):
    for args, message in ((("carol", "4.5"), "give a score from 0 to 4"), (("carol", "-1"), "from 0 to 4"),
                          (("nobody", "1"), "no submission 'nobody'")):
        done = override(out, *args, check=False)
        assert done.returncode == 2 and message in done.stderr
    done = run("override", str(out), "--submission", "carol", "--item", "1.9z", "--score", "1", check=False)
    assert done.returncode == 2 and "has no item '1.9z'" in done.stderr
    done = run("override", str(out), "--submission", "carol", "--item", ITEM, "--clear", check=False)
    assert done.returncode == 2 and "no override of carol" in done.stderr
    assert not (out / "overrides.json").exists()


def test_overrides_survive_a_rerun_of_the_batch(source, out):
    override(out, "carol", "2.5", "--reviewer", "ta.bob")
    expected = (out / "grades.csv").read_bytes()
    done = batch(source, out)
    assert "nothing left to grade" in done.stdout and "overrides: 1 applied" in done.stdout
    assert (out / "grades.csv").read_bytes() == expected
    # a submission graded again (its record removed) gets the same answer, so the override applies again
    (out / "reports" / "carol.json").unlink()
    batch(source, out)
    assert (out / "grades.csv").read_bytes() == expected
    assert machine_item(out, "carol")["review"]["score"] == 2.5


def test_an_override_of_a_changed_answer_is_stale_and_not_applied(source, out):
    override(out, "carol", "3", "--reviewer", "ta.bob")
    theory = source / "carol" / "theory.py"
    theory.write_text(theory.read_text().replace("so training is quicker.", "and its gradient does not vanish."))
    (out / "reports" / "carol.json").unlink()  # a regrade of the changed submission
    done = batch(source, out)
    assert f"override stale (the answer changed since; not applied): carol / {ITEM}" in done.stdout
    row = read_csv(out / "grades.csv")["carol"]
    assert row["reviewed"] == "" and row[ITEM] == points(machine_item(out, "carol")["score"])
    assert machine_item(out, "carol").get("review") is None
    status = run("review", str(out), "--status").stdout
    assert "1 override stale" in status and "stale: carol / 1.2c_relu_benefits (decided 3 by ta.bob" in status
    assert json.loads((out / "overrides.json").read_text())["overrides"][0]["score"] == 3.0  # kept, not applied


def test_merge_keeps_the_overrides_of_every_shard_and_the_latest_wins(graded_class, tmp_path):
    _, whole = graded_class
    part1, part2 = tmp_path / "part1", tmp_path / "part2"
    for part, mine in ((part1, {"alice", "carol"}), (part2, {"bob", "dan"})):
        shutil.copytree(whole, part)
        for p in (part / "reports").glob("*.json"):
            if p.stem not in mine:
                p.unlink()
        roster = json.loads((part / "roster.json").read_text())
        (part / "roster.json").write_text(json.dumps({k: v for k, v in roster.items() if k in mine}))
    override(part1, "carol", "2", "--reviewer", "ta.early")
    override(part2, "bob", "3.5", "--reviewer", "ta.bob")
    # the same item decided in two places: the later decision wins
    data = json.loads((part1 / "overrides.json").read_text())
    late = dict(data["overrides"][0], score=3.0, reviewer="ta.late",
                time=(datetime.now(timezone.utc) + timedelta(minutes=5)).isoformat())
    (part2 / "overrides.json").write_text(json.dumps({"overrides": [
        *json.loads((part2 / "overrides.json").read_text())["overrides"], late]}))
    done = run("merge", str(part1), str(part2), "--out", str(tmp_path / "all"))
    assert "override conflict: carol / 1.2c_relu_benefits: kept 3 by ta.late" in done.stdout
    assert "over 2 by ta.early" in done.stdout and "the latest wins" in done.stdout
    table = read_csv(tmp_path / "all" / "grades.csv")
    assert (table["carol"][ITEM], table["bob"][ITEM], table["alice"][ITEM]) == ("3", "3.5", "4")
    assert "reviewed by ta.late" in table["carol"]["reviewed"] and "ta.bob" in table["bob"]["reviewed"]
    merged = overrides.load(tmp_path / "all")
    assert sorted(merged) == [("bob", ITEM), ("carol", ITEM)]


@pytest.mark.parametrize("broken, where", [
    ('{"overrides": [{"submission": "carol", "item": "1.2c_relu_benefits", "score": "lots"}]}',
     "entry 1 (submission 'carol', item '1.2c_relu_benefits'), field 'score'"),
    ('{"overrides": [{}, {"submission": "bob", "item": "1.2c_relu_benefits", "score": 9, "reviewer": "x", '
     '"time": "2024-01-01T00:00:00Z", "machine_score": 4, "answer_sha256": "' + "0" * 64 + '"}]}',
     "entry 2 (submission 'bob', item '1.2c_relu_benefits'), field 'score': Value error, 9 is more than the 4"),
    ('{"overrides": [', "is not valid JSON"),
])
def test_a_malformed_overrides_file_names_the_entry_and_field_and_is_never_overwritten(source, out, broken, where):
    path = out / "overrides.json"
    path.write_text(broken)
    grades = (out / "grades.csv").read_bytes()
    for args in (("override", str(out), "--submission", "carol", "--item", ITEM, "--score", "2"),
                 ("review", str(out), "--status"),
                 ("batch", str(source), "--out", str(out), "--workers", "1", "--quiet")):
        done = run(*args, check=False)
        assert done.returncode == 2, (args, done.stderr)
        assert where in done.stderr and "left as it is" in done.stderr
        assert path.read_text() == broken  # nothing lost
    assert (out / "grades.csv").read_bytes() == grades
    assert len(list((out / "reports").glob("*.json"))) == 4


def test_parse_reports_every_bad_entry_and_keeps_the_latest_of_duplicates():
    good = {"submission": "a", "item": ITEM, "score": 1, "reviewer": "r", "time": "2024-01-01T00:00:00Z",
            "machine_score": 0, "answer_sha256": "a" * 64}
    later = dict(good, score=2, time="2024-01-02T00:00:00+00:00")
    assert overrides.parse(json.dumps({"overrides": [later, good]}))[("a", ITEM)].score == 2
    bad = [dict(good, time="yesterday"), dict(good, answer_sha256="xyz"), dict(good, colour="red")]
    with pytest.raises(GraderError) as e:
        overrides.parse(json.dumps({"overrides": bad}))
    text = str(e.value)
    assert "entry 1 (submission 'a', item '1.2c_relu_benefits'), field 'time'" in text
    assert "entry 2 (submission 'a', item '1.2c_relu_benefits'), field 'answer_sha256'" in text
    assert "entry 3 (submission 'a', item '1.2c_relu_benefits'), field 'colour'" in text
    with pytest.raises(GraderError, match="the file as a whole"):
        overrides.parse("[]")


def test_a_decision_rebuilds_the_files_as_the_batch_made_them(out):
    """html feedback pages and canvas.csv with its own column stay so (no .md pages appear, the column is kept)."""
    import csv

    from grader.batch.outputs import rebuild
    from grader.batch.store import Store

    shutil.rmtree(out / "feedback")
    roster = json.loads((out / "roster.json").read_text())
    roster["carol"]["students"] = [{"name": "Carol C", "email": "c@x.edu", "sid": "N3"}]
    (out / "roster.json").write_text(json.dumps(roster))
    rebuild(Store(out), Store(out).rubric(), "html", "Homework 1 (77)")
    override(out, "carol", "4", "--comment", "<b>fine</b>", "--reviewer", "ta.bob")
    assert sorted(p.suffix for p in (out / "feedback").iterdir()) == [".html"] * 4
    page = (out / "feedback" / "carol.html").read_text()
    assert "Reviewed by ta.bob" in page and "&lt;b&gt;fine&lt;/b&gt;" in page and "<b>fine" not in page
    with open(out / "canvas.csv", newline="") as fh:
        canvas = list(csv.reader(fh))
    assert canvas[0][-1] == "Homework 1 (77)"
    assert canvas[2][:3] == ["Carol C", "", "N3"] and canvas[2][-1] == read_csv(out / "grades.csv")["carol"]["total"]
    machine_total = json.loads((out / "reports" / "carol.json").read_text())["score"]
    assert float(canvas[2][-1]) == machine_total + 4 - machine_item(out, "carol")["score"]
