"""The Gradescope flow end to end: build the zip, lay out a folder exactly like /autograder, run the real
run_autograder on correct, wrong (late) and broken submissions, and validate every results.json against the
specification's model. setup.sh itself runs only when HW1_TEST_SETUP_SH=1 (it installs packages)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.gradescope.build import build
from grader.rubric import load_rubric
from grader.schemas.gradescope import Results

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_submissions"
HW1_GRADER = next((str(p) for p in (Path(sys.executable).parent / "hw1-grader",) if p.is_file()),
                  shutil.which("hw1-grader"))
DUE = "2020-02-10T23:59:00.000000-05:00"
pytestmark = pytest.mark.skipif(HW1_GRADER is None, reason="the hw1-grader command is not installed")


def metadata(created_at: str) -> dict:
    return {"id": 123456, "created_at": created_at, "submission_method": "upload", "previous_submissions": [],
            "assignment": {"due_date": DUE, "late_due_date": None, "release_date": "2020-02-01T00:00:00-05:00",
                           "title": "Homework 1", "total_points": "102.0", "id": 25828, "group_size": None,
                           "group_submission": False},
            "users": [{"email": "ada@example.edu", "id": 1234, "name": "Ada Lovelace"}]}


@pytest.fixture(scope="module")
def zip_path(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("zip") / "autograder.zip"
    build(out)
    return out


def layout(base: Path, zip_path: Path, sample: str | None, created_at: str = DUE) -> Path:
    """A folder like Gradescope's /autograder: source/ (the zip), run_autograder, submission/, metadata."""
    root = base / "autograder"
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    os.chmod(root / "run_autograder", 0o755)
    (root / "submission").mkdir()
    if sample:
        for f in (SAMPLES / sample).iterdir():
            if f.is_file():
                shutil.copy(f, root / "submission" / f.name)
    (root / "submission_metadata.json").write_text(json.dumps(metadata(created_at)))
    (root / "results").mkdir()
    return root


def start(root: Path, venv: str | None = None) -> subprocess.Popen:
    env = {**os.environ, "HW1_AUTOGRADER_ROOT": str(root),
           "HW1_VENV": venv or str(Path(HW1_GRADER).parent.parent)}
    return subprocess.Popen([str(root / "run_autograder")], cwd=root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def results(root: Path) -> Results:
    assert [p.name for p in (root / "results").iterdir()] == ["results.json"]  # written last, no temp left
    return Results.model_validate_json((root / "results" / "results.json").read_text())


@pytest.fixture(scope="module")
def runs(zip_path, tmp_path_factory):
    """Three submissions graded by run_autograder at once: name -> (root, exit code, stdout)."""
    cases = {"correct": ("correct_theory_fall2020", DUE),
             "late_wrong": ("wrong_relu_mask", "2020-02-11T03:14:00.000000-05:00"),
             "broken": ("broken_syntax_error", "2020-02-09T10:00:00.000000-05:00")}
    procs = {}
    for name, (sample, created) in cases.items():
        root = layout(tmp_path_factory.mktemp(name), zip_path, sample, created)
        procs[name] = (root, start(root))
    out = {}
    for name, (root, proc) in procs.items():
        stdout, _ = proc.communicate(timeout=300)
        out[name] = (root, proc.returncode, stdout)
    return out


def test_zip_has_what_gradescope_expects(zip_path, tmp_path):
    with zipfile.ZipFile(zip_path) as z:
        names = set(z.namelist())
        modes = {i.filename: stat.S_IMODE(i.external_attr >> 16) for i in z.infolist()}
        setup = z.read("setup.sh").decode()
        run = z.read("run_autograder").decode()
    assert {"setup.sh", "run_autograder", "rubric.toml", "hw1-grader/pyproject.toml",
            "hw1-grader/grader/engine.py", "hw1-grader/reference/__init__.py"} <= names
    assert not any("__pycache__" in n or n.startswith("hw1-grader/tests") for n in names)
    assert modes["setup.sh"] == modes["run_autograder"] == 0o755
    assert "torch==2.13.0" in setup and "HW1_TORCH_INDEX_URL" in setup and "download.pytorch.org/whl/cpu" in setup
    commands = [l for l in run.splitlines() if l.strip() and not l.startswith("#")]
    assert commands[-1].startswith("exec ")  # nothing appended after it can run
    fallback = run.split("<<'FALLBACK_JSON'\n")[1].split("\nFALLBACK_JSON")[0]
    assert Results.model_validate_json(fallback).tests[0].name == "Autograder failed"
    salt = zip_path.with_suffix(".salt.txt")
    assert len(salt.read_text().strip()) == 64 and stat.S_IMODE(salt.stat().st_mode) == 0o600  # a random salt
    with zipfile.ZipFile(zip_path) as z:
        assert z.read("salt.txt") == salt.read_bytes()
    build(tmp_path / "again.zip", salt_file=salt)
    assert (tmp_path / "again.zip").read_bytes() == zip_path.read_bytes()  # reproducible, given the same salt
    build(tmp_path / "other.zip")
    with zipfile.ZipFile(tmp_path / "other.zip") as z:
        assert z.read("salt.txt") != salt.read_bytes()  # each new zip without one gets its own
    build(tmp_path / "other.zip")
    with zipfile.ZipFile(tmp_path / "other.zip") as z:  # a rebuild keeps the salt of the zip deployed
        assert z.read("salt.txt") == (tmp_path / "other.salt.txt").read_bytes()


def test_zip_carries_the_salt_readable_by_root_only(tmp_path):
    (tmp_path / "salt").write_text("s3cret\n")
    build(tmp_path / "a.zip", rubric="spring2021", salt_file=tmp_path / "salt")
    with zipfile.ZipFile(tmp_path / "a.zip") as z:
        assert z.read("salt.txt") == b"s3cret\n"
        assert stat.S_IMODE(z.getinfo("salt.txt").external_attr >> 16) == 0o600
        assert b'edition = "spring2021"' in z.read("rubric.toml")


def test_correct_submission_gets_every_point(runs):
    root, code, stdout = runs["correct"]
    assert code == 0, stdout
    res = results(root)
    rubric = load_rubric(root / "source" / "rubric.toml")
    assert [(t.number, t.max_score, t.visibility) for t in res.tests] == \
           [(i.id, i.points, i.visibility) for i in rubric.items]
    assert all(t.status == "passed" for t in res.tests), [t.output for t in res.tests if t.status != "passed"]
    assert sum(t.score for t in res.tests) == pytest.approx(rubric.max_score)
    assert res.stdout_visibility == "hidden" and res.execution_time is None and "late" not in res.output.lower()
    assert "Flags for the instructor" in stdout or "Score:" in stdout  # the instructor's view went to stdout


def test_late_wrong_submission_keeps_80_percent(runs, graded):
    root, code, stdout = runs["late_wrong"]
    assert code == 0, stdout
    res = results(root)
    on_time = graded("wrong_relu_mask", "fall2020")  # the same files graded in-process
    assert 0 < on_time.score < on_time.max_score
    assert sum(t.score for t in res.tests) == pytest.approx(0.8 * on_time.score, abs=1e-3)
    assert "3 h 15 min after the due date" in res.output and "80%" in res.output
    assert any(t.status == "failed" for t in res.tests)


def test_broken_submission_gets_valid_results_saying_why(runs):
    root, code, stdout = runs["broken"]
    assert code == 0, stdout
    res = results(root)
    mlp = [t for t in res.tests if t.number.startswith("2.")]
    assert mlp and all(t.score == 0 and t.status == "failed" for t in mlp)
    assert any("SyntaxError" in (t.output or "") for t in mlp)
    assert res.tests[0].name != "Autograder failed"


def test_grader_failure_gives_autograder_failed_and_hidden_traceback(zip_path, tmp_path):
    root = layout(tmp_path, zip_path, "correct_fall2020")
    (root / "source" / "rubric.toml").write_text("edition = [broken")
    proc = start(root)
    stdout, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, stdout
    visible, hidden = results(root).tests
    assert (visible.name, visible.visibility, visible.score) == ("Autograder failed", "visible", 0.0)
    assert "contact the course staff" in visible.output
    assert hidden.visibility == "hidden" and "RubricError" in hidden.output and "not valid TOML" in hidden.output


def test_grader_that_cannot_start_leaves_the_placeholder_results(zip_path, tmp_path):
    root = layout(tmp_path, zip_path, "correct_fall2020")
    proc = start(root, venv=str(tmp_path / "no-venv"))
    proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert results(root).tests[0].name == "Autograder failed"


@pytest.mark.skipif(os.environ.get("HW1_TEST_SETUP_SH") != "1",
                    reason="installs packages into a new venv; set HW1_TEST_SETUP_SH=1 (and HW1_TORCH_INDEX_URL, "
                           "empty for pip's own configuration) to run it")
def test_setup_sh_installs_and_runs_on_a_clean_python(zip_path, tmp_path):
    root = layout(tmp_path, zip_path, "correct_theory_fall2020")
    venv = tmp_path / "venv"
    env = {**os.environ, "HW1_VENV": str(venv)}
    setup = subprocess.run(["bash", str(root / "source" / "setup.sh")], cwd=root / "source", env=env,
                           capture_output=True, text=True, timeout=3000)
    assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
    proc = start(root, venv=str(venv))
    stdout, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, stdout
    res = results(root)
    assert all(t.status == "passed" for t in res.tests)
    site = subprocess.run([str(venv / "bin" / "python"), "-I", "-c", "import sysconfig; "
                           "print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True).stdout.strip()
    if os.getuid() == 0:  # the reference solution and the rubric are out of the sandbox user's reach
        assert stat.S_IMODE(os.stat(Path(site) / "reference").st_mode) & 0o077 == 0
        assert stat.S_IMODE(os.stat(root / "source").st_mode) & 0o077 == 0


def test_cli_build_autograder(tmp_path, capsys):
    from grader.cli import main

    assert main(["build-autograder", "--out", str(tmp_path / "ag.zip"), "--rubric", "spring2021"]) == 0
    assert "wrote" in capsys.readouterr().out
    with zipfile.ZipFile(tmp_path / "ag.zip") as z:
        assert b"spring2021" in z.read("rubric.toml")
    assert main(["build-autograder", "--out", str(tmp_path / "x.zip"), "--rubric", "nope"]) == 2
