"""grades.csv, the Canvas gradebook, feedback pages and the class summary, on hand-made reports."""

from __future__ import annotations

import csv
import io

import pytest

from grader.reporters import canvas, csv_report, feedback_page, summary
from grader.reporters.rows import Row, Student, points
from grader.rubric import load_rubric
from grader.schemas import Diagnosis, ItemResult, Report


@pytest.fixture(scope="module")
def rubric():
    return load_rubric("fall2020")


def _item(it, score, diagnoses=(), feedback="", student_feedback=""):
    status = "passed" if score == it.points else ("failed" if score == 0 else "partial")
    return ItemResult(id=it.id, title=it.title, score=score, max_score=it.points, status=status,
                      visibility=it.visibility, feedback=feedback or f"{it.id} feedback",
                      student_feedback=student_feedback, diagnoses=list(diagnoses))


def _report(rubric, scores: dict[str, float] | None = None, diagnoses: dict | None = None, output="") -> Report:
    scores, diagnoses = scores or {}, diagnoses or {}
    items = [_item(it, scores.get(it.id, it.points), diagnoses.get(it.id, ())) for it in rubric.items]
    return Report(submission="x", rubric=rubric.edition, grader_version="t",
                  score=round(sum(i.score for i in items), 4), max_score=rubric.max_score, items=items,
                  output=output + "printed during a hidden item\n", student_output=output, seconds=1.2345)


def _parse(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_points_formatting():
    assert [points(x) for x in (41.58333333, 5.0, 0.0, -0.0, 2.5, 1e-7)] == ["41.5833", "5", "0", "0", "2.5", "0"]


def test_grades_csv_one_row_per_entry_with_identity_items_total_and_error(rubric):
    first = rubric.items[0].id
    rows = [Row("alice.zip", (Student("Alice A", "a@x.edu", "N1"),), _report(rubric, {first: 0.5})),
            Row("group", (Student("Bo", "b@x.edu", "N2"), Student("Cy", "", "N3")), _report(rubric)),
            Row("broken", (), None, "grader error: ValueError: boom")]
    text = csv_report.to_csv(rows, rubric)
    header = text.splitlines()[0].split(",")
    assert header == ["submission", "name", "email", "sid", *(i.id for i in rubric.items), "total", "error",
                      "reviewed"]
    a, g, b = _parse(text)
    assert (a["submission"], a["name"], a["sid"], a[first]) == ("alice.zip", "Alice A", "N1", "0.5")
    assert float(a["total"]) == pytest.approx(rubric.max_score - rubric.items[0].points + 0.5)
    assert (g["name"], g["email"], g["sid"]) == ("Bo; Cy", "b@x.edu", "N2; N3")
    assert g["total"] == points(rubric.max_score) and g["error"] == ""
    # a grader failure has blank scores, never a 0 that looks graded
    assert b["total"] == "" and all(b[i.id] == "" for i in rubric.items) and b["error"].startswith("grader error")
    assert "1.2345" not in text  # timings never enter the CSV


def test_canvas_csv_one_row_per_student_and_skips_unknown_or_failed(rubric):
    rows = [Row("g", (Student("Bo", "b@x.edu", "N2"), Student("Cy", "c@x.edu", "N3")), _report(rubric)),
            Row("anon", (), _report(rubric)),
            Row("failed", (Student("Di", "d@x.edu", "N4"),), None, "grader error")]
    text = canvas.to_canvas_csv(rows, "Homework 1 (123)", rubric.max_score)
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Homework 1 (123)"]
    assert lines[1][0].strip() == "Points Possible" and lines[1][-1] == points(rubric.max_score)
    assert [(l[0], l[2], l[5]) for l in lines[2:]] == [("Bo", "N2", points(rubric.max_score)),
                                                       ("Cy", "N3", points(rubric.max_score))]
    assert canvas.skipped(rows) == ["anon", "failed"]


def test_feedback_page_shows_lost_items_and_hides_hidden_items_details(rubric):
    hidden = next(i for i in rubric.items if i.visibility != "visible")
    visible = next(i for i in rubric.items if i.visibility == "visible")
    report = _report(rubric, {hidden.id: 0.0, visible.id: 0.0}, output="hello from student\n")
    items = [i.model_copy(update={"feedback": "SECRET CASE N=17", "student_feedback": ""}) if i.id == hidden.id
             else i.model_copy(update={"feedback": "dJdW1 <wrong> | here"}) if i.id == visible.id else i
             for i in report.items]
    if hidden.visibility != "hidden":  # the engine's student view of a non-visible item
        items = [i.model_copy(update={"student_feedback": "named mistake only"}) if i.id == hidden.id else i
                 for i in items]
    row = Row("s1", (Student("Ada L"),), report.model_copy(update={"items": items}))
    md = feedback_page.render(row, rubric, "md")
    assert "feedback for Ada L" in md and "dJdW1 <wrong> | here" in md and "hello from student" in md
    assert "printed during a hidden item" not in md
    assert "SECRET CASE" not in md
    assert f"## {hidden.id}" in md
    html = feedback_page.render(row, rubric, "html")
    assert "dJdW1 &lt;wrong&gt; | here" in html and "<wrong>" not in html and "SECRET CASE" not in html
    assert html.startswith("<!DOCTYPE html>")
    failed = feedback_page.render(Row("s2", (), None, "grader error"), rubric, "md")
    assert "could not be graded automatically" in failed


def test_mistakes_counted_once_per_student_by_code(rubric):
    item = rubric.items[-1].id
    d1 = Diagnosis(code="transposed", quantities=["dJdW1"], message="dJdW1 is transposed (3, 5)")
    d1b = Diagnosis(code="transposed", quantities=["dJdW2"], message="dJdW2 is transposed (2, 4)")
    d2 = Diagnosis(code="missing_mean", message="N*K = 6 times too large")
    rows = [Row("a", (), _report(rubric, {item: 0.0}, {item: [d1, d1b]})),
            Row("b", (), _report(rubric, {item: 0.0}, {item: [d1b, d2]})),
            Row("c", (), _report(rubric)), Row("d", (), None, "grader error")]
    found = summary.mistakes(rows)
    assert [(m.item, m.code, m.students) for m in found] == [(item, "transposed", 2), (item, "missing_mean", 1)]
    assert found[0].example == d1.message
    table = _parse(summary.mistakes_csv(rows))
    assert table[0]["students"] == "2" and table[0]["share"] == "0.667"


def test_item_stats_and_screen(rubric):
    first = rubric.items[0]
    rows = [Row("a", (), _report(rubric, {first.id: 0.0})), Row("b", (), _report(rubric)),
            Row("c", (), None, "grader error: boom")]
    stats = {s.id: s for s in summary.item_stats(rows, rubric)}
    assert (stats[first.id].passed, stats[first.id].graded) == (1, 2)
    assert stats[first.id].mean == pytest.approx(first.points / 2)
    text = summary.screen(rows, rubric)
    assert "3 submissions: 2 graded, 1 without a score" in text and "grader error: boom" in text
    assert len(text.splitlines()) < 50


def test_write_summary_makes_charts_and_tables(rubric, tmp_path):
    import xml.etree.ElementTree as ET

    rows = [Row(f"s{i}", (), _report(rubric, {rubric.items[0].id: 0.0} if i % 2 else {})) for i in range(5)]
    files = summary.write_summary(rows, rubric, tmp_path / "summary")
    names = sorted(p.name for p in files)
    assert names == ["histogram.svg", "mistakes.csv", "pass_rates.svg", "summary.md"]
    for svg in ("histogram.svg", "pass_rates.svg"):
        assert ET.parse(tmp_path / "summary" / svg).getroot().tag == "{http://www.w3.org/2000/svg}svg"
    md = (tmp_path / "summary" / "summary.md").read_text()
    assert f"| {rubric.items[0].id} | 60% (3/5) |" in md
    assert "![score histogram](histogram.svg)" in md and "![pass rates](pass_rates.svg)" in md


def _bars(svg: str) -> list[dict]:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg)
    return [r.attrib for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.get("class") == "bar"]


def test_histogram_counts_each_score_once_in_its_bin():
    from grader.reporters.plots import bins, histogram_svg

    edges, counts = bins([0, 0.5, 9.9, 10, 55, 100, 100, 120, -3], 100)
    assert len(counts) == 20 and edges[0] == 0 and edges[-1] == 100
    assert counts[0] == 3  # bins of 5 points: 0, 0.5 and -3 (clipped into the first bin)
    assert counts[1] == 1 and counts[2] == 1 and counts[11] == 1  # 9.9; 10; 55
    assert counts[19] == 3 and sum(counts) == 9  # full marks twice and 120 (clipped into the last bin)
    bars = _bars(histogram_svg([0, 0.5, 9.9, 10, 55, 100, 100, 120, -3], 100, "100"))
    heights = [float(b["height"]) for b in bars]
    assert len(bars) == 20 and heights[3] == 0
    assert heights[0] == pytest.approx(heights[19]) and heights[1] == pytest.approx(heights[0] / 3, rel=0.01)


def test_pass_rate_bars_are_as_long_as_their_rates():
    from grader.reporters.plots import pass_rates_svg

    bars = _bars(pass_rates_svg(["2.forward", "2.backward <&>"], [100.0, 25.0]))
    assert len(bars) == 2
    assert float(bars[1]["width"]) == pytest.approx(float(bars[0]["width"]) / 4, rel=0.01)
    assert "2.backward &lt;&amp;&gt;" in pass_rates_svg(["2.backward <&>"], [25.0])  # names are escaped


def test_mistakes_table_counts_mistakes_not_pointers_to_other_items(rubric):
    from grader.reporters.summary import mistakes
    from grader.schemas import Diagnosis

    backward = next(i for i in rubric.items if i.id == "2.backward")
    own = Diagnosis(code="relu_mask_missing", quantities=["dJdW1"], message="dJdW1: no mask")
    pointer = Diagnosis(code="follows_forward", message="forward is wrong", consequence=True)
    rows = [Row(f"s{i}", (), _report(rubric, {backward.id: 5.0}, {backward.id: (pointer, own)})) for i in range(3)]
    found = {(m.item, m.code): m.students for m in mistakes(rows)}
    assert found == {("2.backward", "relu_mask_missing"): 3}


def test_a_reviewers_score_counts_everywhere_and_says_so(rubric):
    from grader.schemas.report import Review

    backward = next(i for i in rubric.items if i.id == "2.backward")
    mistake = Diagnosis(code="transposed", quantities=["dJdW1"], message="dJdW1 is transposed")
    report = _report(rubric, {backward.id: 5.0}, {backward.id: [mistake]})
    review = Review(score=backward.points, reviewer="ta.kim", time="2024-05-01T10:00:00+00:00",
                    comment="Transposed on purpose, as the notes allow.")
    reviewed = report.model_copy(update={"items": [i.model_copy(update={"review": review}) if i.id == backward.id
                                                   else i for i in report.items]})
    rows = [Row("a", (Student("Ann", "a@x.edu", "N1"),), reviewed), Row("b", (), report)]
    a, b = _parse(csv_report.to_csv(rows, rubric))
    assert a[backward.id] == points(backward.points) and float(a["total"]) == rubric.max_score
    assert a["reviewed"] == f"2.backward: {points(backward.points)} (the grader's 5), reviewed by ta.kim"
    assert b[backward.id] == "5" and b["reviewed"] == ""
    assert reviewed.score == report.score  # the grader's total stays in the report
    assert _parse(canvas.to_canvas_csv(rows, "HW1", rubric.max_score))[0]["HW1"] == points(rubric.max_score)
    stats = {s.id: s for s in summary.item_stats(rows, rubric)}[backward.id]
    assert (stats.passed, stats.reviewed) == (1, 1) and stats.mean == pytest.approx((backward.points + 5) / 2)
    assert [(m.code, m.students, m.reviewed) for m in summary.mistakes(rows)] == [("transposed", 2, 1)]
    assert _parse(summary.mistakes_csv(rows))[0]["reviewed"] == "1"
    md = summary.summary_markdown(rows, rubric)
    assert "1 item score of 1 submission set by a reviewer" in md and "| transposed | 2 (1 reviewed) |" in md
    page = feedback_page.render(rows[0], rubric, "md")
    assert f"| {points(backward.points)} / {points(backward.points)} | passed (reviewed by ta.kim) |" in page
    assert "Reviewed by ta.kim (2024-05-01)" in page and "Transposed on purpose" in page
    assert f"Score: {points(rubric.max_score)} / {points(rubric.max_score)}." in page
