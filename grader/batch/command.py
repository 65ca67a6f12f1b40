"""The ``batch`` and ``merge`` commands: arguments in, one screen of summary out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from grader.batch import FEEDBACK_FORMATS
from grader.errors import GraderError

if TYPE_CHECKING:
    from grader.batch.outputs import Written


def _outputs(out: Path, written: Written) -> list[str]:
    lines = ["", f"grades:    {out / 'grades.csv'}", f"reports:   {out / 'reports'}/<submission>.json"]
    if (out / "feedback").is_dir():
        lines.append(f"feedback:  {out / 'feedback'}/")
    lines.append(f"summary:   {out / 'summary' / 'summary.md'} (+ histogram.svg, pass_rates.svg, mistakes.csv)")
    if (out / "canvas.csv") in written.files:
        lines.append(f"canvas:    {out / 'canvas.csv'}"
                     + (f" ({len(written.canvas_skipped)} submissions without a student or score left out)"
                        if written.canvas_skipped else ""))
    if written.notes:
        lines += ["", *written.notes[:12]] + ([f"... and {len(written.notes) - 12} more"] if len(written.notes) > 12
                                             else [])
    return lines


def _canvas(args) -> str | None:
    """None: no canvas.csv; '': the rubric's title as the column; else the column's name."""
    if args.canvas_column:
        return args.canvas_column
    return "" if args.canvas else None


def _feedback(args) -> str:
    if args.feedback not in (*FEEDBACK_FORMATS, "none"):
        raise GraderError(f"--feedback {args.feedback!r}: choose md, html or none")
    return "" if args.feedback == "none" else args.feedback


def batch_command(args, salt: str | None) -> int:
    from grader.sandbox.master import start_master

    feedback = _feedback(args)
    if args.workers is not None and args.workers < 1:
        raise GraderError("--workers must be at least 1")
    master = start_master()  # first: it imports torch while the rest of the batch starts
    try:
        from grader.batch.entries import parse_shard
        from grader.batch.run import BatchOptions, run_batch
        from grader.reporters.summary import screen
        from grader.rubric import load_rubric

        rubric = load_rubric(args.rubric)
        opts = BatchOptions(Path(args.dir), Path(args.out), rubric, salt=salt, workers=args.workers or 0,
                            shard=parse_shard(args.shard) if args.shard else None, retry_errors=args.retry_errors,
                            feedback=feedback, canvas_column=_canvas(args), quiet=args.quiet)
        res = run_batch(opts, master)
    except KeyboardInterrupt:
        print(f"hw1-grader: interrupted; every finished submission is recorded in {args.out}/reports. "
              f"Run the same command again to grade the rest.", file=sys.stderr)
        return 130
    finally:
        if master is not None:
            master.close()
    assert res.written is not None
    rate = f" ({res.graded / res.seconds:.1f}/s)" if res.seconds > 0 and res.graded else ""
    head = [f"hw1-grader batch: {res.entries} submissions in {args.dir}"
            + (f" (shard {args.shard})" if args.shard else "") + f", rubric {rubric.edition}",
            (f"graded {res.graded} now in {res.seconds:.1f} s{rate} with {res.workers} worker"
             f"{'s' * (res.workers != 1)}" if res.graded else "nothing left to grade")
            + (f"; {res.already} recorded by an earlier run" if res.already else "")]
    if res.skipped:
        head.append(f"skipped (not a folder, .zip, .py or .ipynb): {', '.join(res.skipped[:8])}"
                    + (" ..." if len(res.skipped) > 8 else ""))
    print("\n".join(head + [""] + [screen(res.written.rows, rubric)] + _outputs(Path(args.out), res.written)))
    return 0


def merge_command(args) -> int:
    from grader.batch.merge import merge
    from grader.batch.store import Store
    from grader.reporters.summary import screen

    if not args.inputs:
        raise GraderError("give the output folders to merge")
    written = merge([Path(p) for p in args.inputs], Path(args.out), _feedback(args), _canvas(args))
    rubric = Store(Path(args.out)).rubric()
    print("\n".join([f"hw1-grader merge: {len(args.inputs)} folders -> {args.out}", "",
                     screen(written.rows, rubric)] + _outputs(Path(args.out), written)))
    return 0
