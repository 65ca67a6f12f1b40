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


def test_hidden_inputs_never_reach_the_student_whatever_the_code_prints(sandbox, tmp_path):
    """Printing the job's input file at import, every x in forward, and forging or dropping the harness's frames:
    the hidden item runs in a job of its own whose output the student never sees."""
    import numpy as np

    from grader.engine import grade, hidden_salt, plan
    from grader.load import load_submission
    from grader.rubric import load_rubric
    from tests.conftest import SAMPLES

    attack = '''
import os, sys
if os.path.exists("inputs.bin"):
    arrays = sys.modules["arrays"].unpack(open("inputs.bin", "rb").read())
    print("LEAK", [a.ravel()[:4].tolist() for a in arrays.values()])
_write = sys.modules["harness"].write_frame
def write_frame(fd, header, blob=b""):
    if header.get("phase") == "item":
        return None  # drop every begin frame
    return _write(fd, header, blob)
sys.modules["harness"].write_frame = write_frame
'''
    src = (SAMPLES / "correct_fall2020" / "mlp.py").read_text()
    src = src.replace("    def forward(self, x):\n", "    def forward(self, x):\n        print('X', x.ravel().tolist())\n", 1)
    (tmp_path / "mlp.py").write_text(attack + src)
    rubric = load_rubric()
    rubric = rubric.model_copy(update={"limits": rubric.limits.model_copy(update={"output_bytes": 2_000_000})})
    report = grade(tmp_path, rubric, sandbox=sandbox)
    hidden = next(p for p in plan(rubric, load_submission(tmp_path), hidden_salt(rubric, None))
                  if p.item.id == "2.end_to_end_hidden")
    for case in hidden.cases:
        first = f"{float(np.float32(case.inputs['x'].ravel()[0]))!r}"
        assert first in report.output  # the instructor sees it
        assert first not in report.student_output, "a hidden input reached the student"
    assert "LEAK" not in report.output  # the input file is gone before the student's code runs
