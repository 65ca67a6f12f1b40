"""Every adversarial sample is graded with the score its honest work earns and a clear message, within the time
limit, with nothing left running and (as root) nothing written outside its scratch directory.

The ``grade_sample`` fixture checks the last two after every grade; the tests below check the scores and what is
particular to each attack."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time

import pytest

from grader.engine import grade
from sandbox_helpers import ADVERSARIAL, AS_ROOT, ROOT, SAMPLES, TWINS, check_expected, item, processes_named


@pytest.fixture
def adversarial(sandbox, grade_sample, adversarial_reports):
    """adversarial(name) -> the sample's report, graded once per session (with the checks of ``grade_sample``)."""

    def get(name):
        if name not in adversarial_reports:
            adversarial_reports[name] = grade_sample(name, sandbox)
        return adversarial_reports[name]

    return get


def test_every_adversarial_sample_is_pinned():
    on_disk = {p.name for p in SAMPLES.iterdir() if p.name.startswith("adversarial_")}
    assert on_disk == set(ADVERSARIAL) | set(TWINS)
    assert len(on_disk) >= 14


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_adversarial_sample_earns_its_honest_score(sandbox, grade_sample, rubric2, adversarial_reports, name):
    report = adversarial_reports[name] = grade_sample(name, sandbox)
    check_expected(report, ADVERSARIAL[name])
    assert report.seconds <= rubric2.limits.submission_seconds + 5
    assert "LEAK" not in report.output, report.output


@pytest.mark.parametrize("name", sorted(TWINS))
def test_monkeypatching_comparisons_changes_nothing(sandbox, grade_sample, name):
    """Scored item by item like the honest sample with the same bug (and that bug does cost points)."""
    report = grade_sample(name, sandbox)
    twin = grade_sample(TWINS[name], sandbox)
    assert {i.id: i.score for i in report.items} == {i.id: i.score for i in twin.items}
    assert report.score < report.max_score


def test_process_limit_stops_the_fork_bomb(adversarial, rubric2):
    report = adversarial("adversarial_fork_bomb")
    started = int(re.search(r"started (\d+) children", report.output).group(1))
    assert started < rubric2.limits.processes


def test_daemon_is_killed_with_its_job(sandbox, grade_sample):
    grade_sample("adversarial_daemon", sandbox)
    time.sleep(0.3)  # a survivor would have written its file by now
    assert processes_named("hw1advdaemon") == []
    assert not os.path.exists("/tmp/hw1-adversarial-daemon.txt")


def test_infinite_loop_costs_one_quick_limit_per_item_and_one_probe(adversarial, rubric2):
    report = adversarial("adversarial_infinite_loop_forward")
    lim = rubric2.limits
    # each item's quick limit: 500x the reference's time, at least quick_seconds; far below the full limit
    limits = {i.id: float(m.group(1)) for i in report.items
              if (m := re.search(r"did not finish within ([\d.]+) s", i.feedback))}
    assert len(limits) == 5 and all(lim.quick_seconds <= v < lim.item_seconds for v in limits.values()), limits
    stuck = [i for i in report.items if i.id in limits]
    assert sum("its smallest case run alone did not finish" in i.feedback for i in stuck) == 1
    assert report.seconds < sum(limits.values()) + lim.probe_seconds + 3


def test_output_flood_is_cut_and_counted(adversarial, rubric2):
    report = adversarial("adversarial_output_flood")
    printed = int(re.search(r"\(([\d,]+) bytes printed in all", report.output).group(1).replace(",", ""))
    assert printed >= 50_000_000
    assert len(report.output.encode()) <= rubric2.limits.output_bytes + 200


def test_printed_fake_report_is_shown_inert(adversarial):
    report = adversarial("adversarial_fake_score_stdout")
    assert "Score: 55 / 55" in report.output  # shown to the student as what their code printed ...
    assert report.score == 10  # ... and never read as a result
    assert not any(c in report.output for c in "\x1b\r\u202e")
    assert "\\x1b[2J" in report.output


def test_syntax_error_line_is_shown_without_escapes(adversarial):
    report = adversarial("adversarial_syntax_error")
    feedback = item(report, "2.forward").feedback
    assert "\\x1b[2J" in feedback and "\x1b" not in feedback


def test_reverse_shell_reaches_nobody(sandbox, grade_sample):
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(("127.0.0.1", 47101))
    except OSError:
        pytest.skip("port 47101 is taken on this machine")
    listener.listen(4)
    listener.settimeout(0.5)
    try:
        report = grade_sample("adversarial_reverse_shell", sandbox)
        with pytest.raises(socket.timeout):
            listener.accept()
    finally:
        listener.close()
    for what in ("tcp connect", "udp send", "unix socket", "os.system", "subprocess", "fork + exec"):
        assert f"blocked {what}" in report.output


def test_steal_reference_finds_the_grader_but_reads_nothing(adversarial):
    report = adversarial("adversarial_steal_reference")
    assert f"grading me: {ROOT} " in report.output  # it did find the checkout, from its parent's command line
    assert "could not import the reference" in report.output and report.score == 0


def test_grader_files_are_untouched(sandbox, grade_sample):
    files = [ROOT / "grader" / "sandbox" / "zygote.py", ROOT / "grader" / "sandbox" / "harness.py",
             ROOT / "reference" / "__init__.py", ROOT / "rubrics" / "fall2020.toml"]
    before = {f: (f.stat().st_mtime_ns, f.stat().st_mode, f.read_bytes()) for f in files}
    report = grade_sample("adversarial_tamper_grader", sandbox)
    assert {f: (f.stat().st_mtime_ns, f.stat().st_mode, f.read_bytes()) for f in files} == before
    assert report.output.count("blocked append") >= 4


@pytest.mark.skipif(not AS_ROOT, reason="the decoy runs as root")
def test_environment_of_other_processes_stays_closed(sandbox, grade_sample):
    """A process holding a secret in its environment (as the grader would) is out of the student's reach."""
    token = f"hw1-secret-{os.getpid()}-{time.monotonic_ns()}"
    decoy = subprocess.Popen(["sleep", "30"], env={"HW1_GRADER_SALT": token, "PATH": "/usr/bin:/bin"})
    try:
        report = grade_sample("adversarial_read_environment", sandbox)
    finally:
        decoy.kill()
        decoy.wait()
    assert token not in report.output and "LEAK" not in report.output
    assert f"read /proc/{decoy.pid}/environ" not in report.output
    assert "environment: ['HOME', 'LANG'" in report.output


def test_salt_never_reaches_the_student(sandbox, rubric2, monkeypatch):
    """The hidden cases' salt stays in the grader: the student's environment does not carry it."""
    monkeypatch.setenv("HW1_GRADER_SALT", "hw1-salt-in-the-grader")
    report = grade(SAMPLES / "adversarial_read_environment", rubric2, sandbox=sandbox, salt="hw1-salt-argument")
    assert "hw1-salt" not in report.output and "HW1_GRADER_SALT" not in report.output
