"""Command line: ``hw1-grader check|grade|batch|merge|review|override|gradescope|build-autograder ...``.

Exit 0 when the work was done (a submission graded, whatever its score); exit 2 when the command itself cannot run
(bad path, bad rubric), with a message saying what to do."""

from __future__ import annotations

import argparse
import atexit
import os
import sys
from pathlib import Path

from grader import __version__
from grader.errors import GraderError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hw1-grader", description="Auto-grader for DS-GA 1008 Homework 1.")
    p.add_argument("--version", action="version", version=f"hw1-grader {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    def rubric_arg(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--rubric", default=None,
                        help="a bundled rubric (fall2020 [default], spring2021) or a path to a .toml file")

    g = sub.add_parser("grade", help="grade one submission (all items)")
    g.add_argument("path", help="a folder, a .zip, a .py or an .ipynb file")
    rubric_arg(g)
    g.add_argument("--json", action="store_true", help="print the report as one JSON object")
    g.add_argument("--salt-file", type=Path, help="file holding the secret salt of the hidden cases "
                                                  "(default: $HW1_GRADER_SALT)")

    c = sub.add_parser("check", help="the student's self-check: visible items only, readable feedback")
    c.add_argument("path", help="your folder, .zip, mlp.py or notebook (.ipynb)")
    rubric_arg(c)
    _instructor_parsers(sub, rubric_arg)
    return p


def _instructor_parsers(sub, rubric_arg) -> None:
    """batch, merge, gradescope, build-autograder (grader/batch/, grader/gradescope/)."""
    salt_help = "file holding the secret salt of the hidden cases (default: $HW1_GRADER_SALT)"
    b = sub.add_parser("batch", help="grade every submission in a folder: parallel, resumable, one CSV row each")
    b.add_argument("dir", help="folder with one folder, .zip, .py or .ipynb per submission (or a Gradescope export)")
    b.add_argument("--out", required=True, help="output folder; rerun the same command to finish an interrupted run")
    rubric_arg(b)
    b.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core)")
    b.add_argument("--shard", default=None, metavar="I/N", help="grade only the I-th of N disjoint slices")
    b.add_argument("--salt-file", type=Path, help=salt_help)
    b.add_argument("--retry-errors", action="store_true", help="grade again the submissions the grader failed on")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    m = sub.add_parser("merge", help="combine the output folders of batch shards")
    m.add_argument("inputs", nargs="+", metavar="OUT_I", help="output folders of `batch --shard`")
    m.add_argument("--out", required=True, help="the merged output folder")
    for sp in (b, m):
        sp.add_argument("--feedback", default="md", help="feedback pages: md (default), html or none")
        sp.add_argument("--canvas", action="store_true", help="also write canvas.csv for Canvas's gradebook import")
        sp.add_argument("--canvas-column", default=None, metavar="NAME",
                        help="its assignment column, e.g. 'Homework 1 (12345)' (default: the rubric's title)")
    _review_parsers(sub)
    gs = sub.add_parser("gradescope", help="Gradescope's entry point: grade submission/, write results/results.json")
    gs.add_argument("--root", type=Path, default=Path("/autograder"),
                    help="the autograder folder (default /autograder)")
    rubric_arg(gs)
    gs.add_argument("--salt-file", type=Path, help=salt_help)
    ba = sub.add_parser("build-autograder", help="build the autograder zip to upload to Gradescope")
    ba.add_argument("--out", type=Path, default=Path("autograder.zip"),
                    help="the zip to write (default autograder.zip)")
    rubric_arg(ba)
    ba.add_argument("--salt-file", type=Path, help="salt of the hidden cases, packed into the zip (root-only there); "
                    "default: a new random one, also written beside the zip")


def _review_parsers(sub) -> None:
    """review, override (grader/review/)."""
    r = sub.add_parser("review", help="review provisional scores of a batch on a local web page")
    r.add_argument("out", help="the output folder of `hw1-grader batch`")
    r.add_argument("--status", action="store_true", help="print how many answers and groups are left, and exit")
    r.add_argument("--no-browser", action="store_true", help="print the page's address without opening a browser")
    r.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free one)")
    o = sub.add_parser("override", help="set (or --clear) a reviewer's score for one item of one submission")
    o.add_argument("out", help="the output folder of `hw1-grader batch`")
    o.add_argument("--submission", required=True, help="the entry, as in grades.csv's submission column")
    o.add_argument("--item", required=True, help="the rubric item id, e.g. 1.2c_relu_benefits")
    o.add_argument("--score", type=float, default=None, help="the score, from 0 to the item's points")
    o.add_argument("--comment", default="", help="shown to the student on the feedback page")
    o.add_argument("--clear", action="store_true", help="remove the override: the grader's score counts again")
    for sp in (r, o):
        sp.add_argument("--reviewer", default=None, help="who decides (default: the OS user)")


def _salt(args) -> str | None:
    if getattr(args, "salt_file", None) is None:
        return None
    try:
        return args.salt_file.read_text().strip()
    except OSError as e:
        raise GraderError(f"cannot read the salt file {args.salt_file}: {e}") from e


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except GraderError as e:
        print(f"hw1-grader: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("hw1-grader: interrupted", file=sys.stderr)
        return 130


def entry() -> None:
    """The ``hw1-grader`` command: ``main``, then the exit handlers (multiprocessing removes its folder in the
    temporary directory there) and out without the interpreter's teardown of torch, NumPy and pydantic (about
    50 ms; every file is written and closed by then, and a batch's processes are stopped). Output that cannot be
    written (a full disk) makes the exit status 120, as Python's own exit does.

    The grader's own arrays are tiny: NumPy's BLAS gets one thread in this process and the batch processes it
    starts (more would only spin beside the workers), unless the caller chose otherwise."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    code = main()
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # a reader that went away (``| head``): nothing to tell it
        pass
    except OSError as e:
        try:
            os.write(2, f"hw1-grader: could not write the output: {e}\n".encode())
        except OSError:
            pass
        code = code or 120
    os._exit(code)


def _run(args) -> int:
    if args.command == "batch":
        from grader.batch.command import batch_command

        return batch_command(args, _salt(args))
    if args.command == "merge":
        from grader.batch.command import merge_command

        return merge_command(args)
    if args.command in ("review", "override"):
        from grader.review.command import override_command, review_command

        return review_command(args) if args.command == "review" else override_command(args)
    if args.command == "gradescope":
        from grader.gradescope.autograder import run

        run(args.root, args.rubric, args.salt_file)
        return 0
    if args.command == "build-autograder":
        from grader.gradescope.build import build

        names = build(args.out, args.rubric, args.salt_file)
        print(f"wrote {args.out} ({len(names)} files); upload it in Gradescope's Configure Autograder")
        if args.salt_file is None:
            print(f"the hidden cases' salt is in {Path(args.out).with_suffix('.salt.txt')} (made at the first build, "
                  f"kept by later ones; regrade with the same cases: --salt-file)")
        return 0
    from grader.sandbox.client import Sandbox  # the warm sandbox starts importing torch right away

    if not Path(args.path).exists():
        raise GraderError(f"{args.path} does not exist; give a folder, a .zip or a .py file")
    with Sandbox() as sandbox:
        from grader.engine import grade
        from grader.reporters.terminal import render
        from grader.rubric import load_rubric

        rubric = load_rubric(args.rubric)
        if args.command == "check":
            report = grade(args.path, rubric, sandbox=sandbox, visible_only=True)
            print(render(report, rubric, student=True))
            return 0
        report = grade(args.path, rubric, salt=_salt(args), sandbox=sandbox)
    if args.json:
        from grader.reporters.json_report import to_json

        print(to_json(report))
    else:
        print(render(report, rubric, student=False))
    return 0
