"""Command line: ``hw1-grader grade|check ...``. Exit 0 when a submission was graded, whatever its score;
exit 2 when the command itself cannot run (bad path, bad rubric), with a message saying what to do."""

from __future__ import annotations

import argparse
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
    g.add_argument("path", help="a folder, a .zip or a .py file")
    rubric_arg(g)
    g.add_argument("--json", action="store_true", help="print the report as one JSON object")
    g.add_argument("--salt-file", type=Path, help="file holding the secret salt of the hidden cases "
                                                  "(default: $HW1_GRADER_SALT)")

    c = sub.add_parser("check", help="the student's self-check: visible items only, readable feedback")
    c.add_argument("path", help="your folder, .zip or mlp.py")
    rubric_arg(c)
    return p


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


def _run(args) -> int:
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
