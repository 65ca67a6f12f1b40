"""One direction through grader/: the layers in pyproject.toml hold, and no module imports itself in a circle."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT), "--config", str(root / "pyproject.toml"), "--no-cache"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)


def circles(packages: tuple[str, ...] = ("grader", "reference")) -> list[list[str]]:
    """The import circles among the project's modules (strongly connected groups of two or more), from grimp's graph
    of their imports (type-checking imports and imports inside functions included)."""
    graph = grimp.build_graph(*packages, cache_dir=None)
    edges = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's algorithm, iteratively deep enough for a few hundred modules
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for m in sorted(edges):
        if m not in index:
            visit(m)
    return out


def test_no_module_imports_itself_in_a_circle():
    assert circles() == []


def test_the_layers_hold():
    p = _lint(ROOT)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "0 broken" in p.stdout


def test_a_circle_fails_the_check_with_a_message_naming_the_import(tmp_path):
    """A copy of the tree where a low layer imports a high one (cases -> engine): the checker fails, naming it."""
    for name in ("grader", "reference"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    cases = tmp_path / "grader" / "cases.py"
    cases.write_text(cases.read_text() + "\nfrom grader.engine import grade  # noqa: E402,F401\n")
    p = _lint(tmp_path)
    assert p.returncode != 0
    assert "grader.cases -> grader.engine" in p.stdout, p.stdout
    assert circles_in(tmp_path)


def circles_in(root: Path) -> list[list[str]]:
    code = ("import sys, json; sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[2]); "
            "from test_architecture import circles; print(json.dumps(circles()))")
    p = subprocess.run([sys.executable, "-c", code, str(root), str(Path(__file__).parent)], capture_output=True,
                       text=True, timeout=120, cwd=root)
    assert p.returncode == 0, p.stderr
    import json

    return json.loads(p.stdout)
