"""What the student's code prints: shown to the student, except what it printed while hidden items ran."""

from tests.conftest import item


def test_output_printed_during_hidden_items_is_withheld_from_the_student(sandbox, tmp_path):
    from grader.engine import grade
    from tests.conftest import SAMPLES

    src = (SAMPLES / "correct_fall2020" / "mlp.py").read_text()
    chatty = src.replace("    def forward(self, x):\n", "    def forward(self, x):\n"
                         "        print('FORWARD-SHAPE', tuple(x.shape))\n", 1)
    assert chatty != src
    (tmp_path / "mlp.py").write_text("print('IMPORTED')\n" + chatty)
    report = grade(tmp_path, sandbox=sandbox)
    assert item(report, "2.end_to_end_hidden").score == item(report, "2.end_to_end_hidden").max_score
    assert "IMPORTED" in report.student_output and "FORWARD-SHAPE" in report.student_output
    hidden_shapes = {line for line in report.output.splitlines() if "FORWARD-SHAPE" in line} - \
        {line for line in report.student_output.splitlines() if "FORWARD-SHAPE" in line}
    assert hidden_shapes, "the larger hidden cases' shapes appear only in the instructor's output"
    assert "[output printed while hidden items ran is not shown]" in report.student_output
    assert report.student_output.count("not shown") == 1
