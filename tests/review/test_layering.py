"""The review desk reads records and reports: neither it nor anything it imports brings in the engine, the sandbox
or torch (it starts in a fraction of a second and cannot run a student's code)."""

from __future__ import annotations

import ast
import subprocess
import sys

from review_helpers import ROOT

FORBIDDEN = ("grader.engine", "grader.sandbox", "torch")


def test_no_module_of_the_review_desk_imports_the_engine_or_the_sandbox():
    for path in sorted((ROOT / "grader" / "review").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not [n for n in names if n.startswith(FORBIDDEN)], (path.name, names)


def test_importing_the_review_desk_imports_neither_engine_sandbox_nor_torch():
    code = ("import sys, grader.review.command, grader.review.server, grader.review.desk\n"
            f"print([m for m in sys.modules if m.startswith({FORBIDDEN!r})])")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
