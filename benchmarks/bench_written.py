"""What grading a written answer sheet (answers.md, .tex, notebook markdown, a PDF's text) adds to one grade.

    python benchmarks/bench_written.py [--repeat 5]

For each written sample: the time ``grader.written.answer`` takes (reading, parsing, evaluating on every case,
building the frames), cold (the first sheet of a fresh process, nothing parsed yet) and warm (after
``grader.written.warm()``, as in a batch's workers; the sheet itself never seen before); then a whole ``grade`` of
one sample with and without its answer sheet, on one warm sandbox, median of the repeats.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SAMPLES = ["correct_written_markdown_fall2020", "correct_written_numerator_layout", "correct_written_headings",
           "correct_written_macros", "correct_written_notebook", "damaged_written_converter",
           "written_pdf_text_layer"]


def _answer_seconds(name: str, rubric) -> float:
    from grader.engine import plan
    from grader.load import load_submission
    from grader.written import answer

    sub = load_submission(ROOT / "sample_submissions" / name)
    plans = plan(rubric, sub, "bench")
    start = time.perf_counter()
    answer(sub, plans, rubric)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    from grader.rubric import load_rubric
    from grader.written import warm

    rubric = load_rubric("fall2020")
    cold = _answer_seconds(SAMPLES[0], rubric)
    start = time.perf_counter()
    warm()
    warm_up = time.perf_counter() - start
    print(f"first sheet of a fresh process (cold parser): {cold * 1000:.0f} ms; warm-up once: {warm_up * 1000:.0f} ms")
    print(f"{'sample':40} {'answer() warm, ms':>18}")
    for name in SAMPLES[1:] + SAMPLES[:1]:
        print(f"{name:40} {_answer_seconds(name, rubric) * 1000:18.1f}")
    _whole_grade(rubric, args.repeat)


def _whole_grade(rubric, repeat: int) -> None:
    from grader.engine import grade
    from grader.sandbox.client import Sandbox

    with tempfile.TemporaryDirectory() as tmp, Sandbox() as sandbox:
        with_sheet = Path(tmp) / "with"
        shutil.copytree(ROOT / "sample_submissions" / "correct_written_headings", with_sheet)
        without = Path(tmp) / "without"
        without.mkdir()
        shutil.copy(with_sheet / "mlp.py", without / "mlp.py")
        grade(without, rubric, sandbox=sandbox)  # the sandbox warm
        times = {"with": [], "without": []}
        for _ in range(repeat):
            for key, path in (("with", with_sheet), ("without", without)):
                start = time.perf_counter()
                grade(path, rubric, sandbox=sandbox)
                times[key].append(time.perf_counter() - start)
    w, wo = statistics.median(times["with"]), statistics.median(times["without"])
    print(f"whole grade, mlp.py + answers.md: {w * 1000:.0f} ms; mlp.py alone: {wo * 1000:.0f} ms; "
          f"the written sheet adds {(w - wo) * 1000:.0f} ms (median of {repeat})")


if __name__ == "__main__":
    main()
