"""Helpers of the sandbox tests: a Part 2 rubric with small limits and checks for what a job may leave behind."""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass, field
from pathlib import Path

from grader.rubric import load_rubric
from grader.sandbox import policy
from grader.sandbox.procs import descendants
from grader.schemas import Report, Rubric

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_submissions"
PART2_CHECKS = ("loss", "forward", "backward", "end_to_end", "clear_grad")
LIMITS = {"item_seconds": 2.0, "submission_seconds": 20.0, "memory_mb": 1024}
MARKERS = ("HW1-ADVERSARIAL-FAKE-RESULTS", "still here")
WATCHED = ("/tmp/results.json", "/var/tmp/results.json", "/dev/shm/results.json", "/tmp/hw1-adversarial-daemon.txt")
AS_ROOT = os.getuid() == 0


def part2_rubric(**limits) -> Rubric:
    """The default rubric's Part 2 items (mlp.py), with small time limits so that the suite stays fast."""
    r = load_rubric()
    items = [i for i in r.items if i.module == "mlp" and i.check in PART2_CHECKS]
    return r.only(items).model_copy(update={"limits": r.limits.model_copy(update={**LIMITS, **limits})})


def sandbox_uid() -> int | None:
    try:
        return pwd.getpwnam(policy.SANDBOX_USER).pw_uid
    except KeyError:
        return None


def sandbox_uids() -> set[int]:
    """Every sandbox user's uid (a batch gives each worker its own: hw1-sandbox, hw1-sandbox-1, ...)."""
    return {pw.pw_uid for pw in pwd.getpwall()
            if pw.pw_name == policy.SANDBOX_USER or pw.pw_name.startswith(policy.SANDBOX_USER + "-")}


def litter(uid: int | set[int] | None, since: float) -> list[str]:
    """Entries of the world-writable directories owned by ``uid`` (or any of a set) and changed since ``since``,
    plus any watched file changed since then that holds an adversarial sample's marker."""
    uids = uid if isinstance(uid, set) else {uid} - {None}
    found = []
    for d in policy.TMP_DIRS:
        try:
            entries = list(os.scandir(d))
        except OSError:
            continue
        for e in entries:
            try:
                st = e.stat(follow_symlinks=False)
            except OSError:
                continue
            if st.st_uid in uids and st.st_mtime >= since - 1:
                found.append(e.path)
    for path in WATCHED:
        try:
            changed = os.stat(path).st_mtime >= since - 1
            text = Path(path).read_text(errors="replace")
        except OSError:
            continue
        if changed and any(m in text for m in MARKERS):
            found.append(path)
    return found


def processes_named(name: str, root: int | None = None) -> list[int]:
    """Live processes called ``name`` below ``root`` (this test process by default): every sandbox of this run is
    below it, and a zygote is a child subreaper, so nothing a job started can leave the tree. Not a scan of the
    whole machine: another test run there (another checkout, CI) grades the same samples at the same time, and its
    processes are not this run's leftovers."""
    out = []
    for pid in descendants(os.getpid() if root is None else root):
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == name:
                out.append(pid)
        except OSError:
            pass
    return out


def item(report: Report, item_id: str):
    return next(i for i in report.items if i.id == item_id)


# ------------------------------------------------------------------------------------------------------------------
# What each adversarial sample earns: the Part 2 items its honest work passes, and what the other items must say.
# ------------------------------------------------------------------------------------------------------------------
LOSSES = ("2.mse_loss", "2.bce_loss")
EVERYTHING = ("2.mse_loss", "2.bce_loss", "2.forward", "2.backward", "2.end_to_end", "2.clear_grad",
              "2.end_to_end_hidden")
ENDED = "ended the process"


@dataclass(frozen=True)
class Expect:
    """passes: item ids with full credit (every other Part 2 item scores 0). says: item id -> text its feedback
    must contain ("*": every item that does not pass)."""

    passes: tuple[str, ...] = ()
    says: dict = field(default_factory=dict)


ADVERSARIAL = {
    "adversarial_infinite_loop_forward": Expect(LOSSES, {"*": "did not finish within"}),
    "adversarial_memory_bomb": Expect(LOSSES, {"*": "MemoryError"}),
    "adversarial_fork_bomb": Expect(EVERYTHING),
    "adversarial_sys_exit_at_import": Expect((), {"*": "raised SystemExit"}),
    "adversarial_os_exit_at_import": Expect((), {"*": "importing your mlp module " + ENDED}),
    "adversarial_exit_mid_item": Expect(("2.bce_loss", "2.forward"),
                                        {"2.mse_loss": "mse_loss raised SystemExit", "2.backward": ENDED,
                                         "2.end_to_end": ENDED, "2.clear_grad": ENDED, "2.end_to_end_hidden": ENDED}),
    "adversarial_fake_results_files": Expect((), {"*": ENDED}),
    "adversarial_always_equal": Expect((), {"2.mse_loss": "must be a tensor; got a mlp.EqualFloat",
                                            "2.backward": "got a mlp.AlwaysEqual"}),
    "adversarial_exploding_objects": Expect((), {"2.mse_loss": "could not be read as numbers (RuntimeError)",
                                                 "2.bce_loss": "could not be read as numbers (KeyboardInterrupt)",
                                                 "2.forward": "could not be read as numbers"}),
    "adversarial_fake_score_stdout": Expect(LOSSES),
    "adversarial_daemon": Expect(EVERYTHING),
    "adversarial_read_environment": Expect(EVERYTHING),
    "adversarial_steal_reference": Expect(),
    "adversarial_output_flood": Expect(EVERYTHING),
    "adversarial_nan_inf": Expect(("2.forward",), {"2.mse_loss": "contains NaN", "2.bce_loss": "contains NaN",
                                                   "2.backward": "contains NaN"}),
    "adversarial_syntax_error": Expect((), {"*": "SyntaxError: invalid syntax (mlp.py, line 10"}),
    "adversarial_invalid_notebook": Expect((), {"*": "not a valid Jupyter notebook"}),
    "adversarial_reverse_shell": Expect(EVERYTHING),
    "adversarial_tamper_grader": Expect(EVERYTHING),
    "adversarial_forged_frames": Expect((), {"2.mse_loss": "sent data the grader cannot read"}),
}
#: scored exactly like an honest sample with the same bug
TWINS = {"adversarial_monkeypatch_compare": "wrong_mse_missing_factor_2"}


def check_expected(report: Report, expect: Expect) -> None:
    """Full credit on ``expect.passes``, 0 elsewhere, the messages present, and the total equal to the sum."""
    part2 = [i for i in report.items if i.id.startswith("2.")]
    assert {i.id for i in part2} == set(EVERYTHING)
    for it in part2:
        if it.id in expect.passes:
            assert it.status == "passed" and it.score == it.max_score, f"{it.id}: {it.feedback}"
        else:
            assert it.score == 0, f"{it.id} scored {it.score}: {it.feedback}"
            want = expect.says.get(it.id, expect.says.get("*"))
            if want:
                assert want in it.feedback, f"{it.id}: {it.feedback}"
            assert "\x1b" not in it.feedback and "\n[" not in it.feedback
    assert report.score == sum(i.max_score for i in part2 if i.id in expect.passes)
