"""Run a submission's items in the sandbox: jobs, limits, retries after a timeout or crash, and what was printed.

run_in_sandbox(sandbox, submission, plans, rubric, written) -> (item id -> Ran, role -> ImportFrame, Printed, flags)

A timeout or crash costs the item it happened in; a fresh child goes on with the rest. An item that runs out of its
quick limit has its smallest case run alone: slow code that ends gets the full limit for every item.
"""

from __future__ import annotations

import time

from pydantic import ValidationError

from grader.checks import CHECKS
from grader.evaluate import Plan, Ran
from grader.sandbox.client import JobItem, JobLimits, Sandbox
from grader.schemas import Limits, Rubric
from grader.schemas.sandbox import ImportFrame, ItemFrame
from grader.schemas.submission import Submission
from grader.written import Written


def _job_item(p: Plan) -> JobItem:
    return JobItem(id=p.item.id, check=p.item.check, role=p.item.module,
                   configs=[c.config.model_dump() for c in p.cases], inputs=[c.inputs for c in p.cases],
                   withheld=p.item.visibility != "visible")


def run_in_sandbox(sandbox: Sandbox, sub: Submission, plans: list[Plan], rubric: Rubric,
                   written: Written | None = None):
    """Run every item, starting a fresh child after a timeout or crash so one item's failure costs that item only.
    Items a written sheet answers (``grader.written``) take its frames instead.

    Returns (item id -> Ran, role -> ImportFrame, Printed, flags).
    """
    lim = rubric.limits
    ran: dict[str, Ran] = {}
    imports: dict[str, ImportFrame] = {}
    printed, flags = Printed(), list(written.flags) if written else []
    for p in plans:
        if CHECKS[p.item.check].static is not None:
            ran[p.item.id] = Ran(result=CHECKS[p.item.check].static(p.item, sub))
        elif written and p.item.id in written.items:
            frame, arrays, error = written.items[p.item.id]
            ran[p.item.id] = Ran(frame=frame, arrays=arrays, error=error)
        elif sub.module_for(p.item.module) is None:
            ran[p.item.id] = Ran(error=f"no {p.item.module}.py in the submission (found: "
                                      f"{', '.join(sub.files) or 'nothing'})")
    modules = {role: {**sub.module_for(role).model_dump(), "stand_ins": rubric.packages.stand_in} for role in sub.roles}
    files = {m.filename: m.cells[0].source for m in sub.modules if m.cells and m.cells[0].number == 0}
    deadline = time.monotonic() + lim.submission_seconds
    # Visible items first, then hidden ones, whose inputs reach the child only after the output the student may see
    # is closed (see Sandbox.run): what the code prints then could show hidden inputs, so the student never sees it.
    pending = sorted((p for p in plans if p.item.id not in ran), key=lambda p: p.item.visibility != "visible")
    _run_jobs(sandbox, modules, files, pending, lim, deadline, ran, imports, printed, flags)
    return ran, imports, printed, flags


def _run_jobs(sandbox: Sandbox, modules: dict, files: dict, pending: list[Plan], lim, deadline: float,
              ran: dict[str, Ran], imports: dict[str, ImportFrame], printed: "Printed", flags: list[str]) -> None:
    """Run ``pending`` in as many jobs as it takes (a timeout or crash costs one item, then a fresh child goes on)."""
    after_hold = False  # once a child has had hidden inputs, everything later jobs print is withheld
    quick = {p.item.id: p.quick_seconds for p in pending if p.quick_seconds}
    probe: bool | None = None  # None: no item ran out of its quick limit yet; True: slow code that ends
    while pending:
        left = deadline - time.monotonic()
        if left <= 1:
            for p in pending:
                ran[p.item.id] = Ran(error=f"not run: the submission used up its {lim.submission_seconds:g} s")
            break
        job = sandbox.run(modules, files, [_job_item(p) for p in pending],
                          _limits(lim, left, printed, after_hold, None if probe else quick))
        printed.add(job, all_withheld=after_hold)
        after_hold = after_hold or job.held
        for role, header in job.imports.items():
            try:
                imports.setdefault(role, ImportFrame.model_validate(header))  # the first job's import stands
            except ValidationError:
                flags.append(f"malformed import frame for {role}")
        for item_id, (header, arrays) in job.results.items():
            try:
                ran[item_id] = Ran(frame=ItemFrame.model_validate(header), arrays=arrays)
            except ValidationError as e:
                ran[item_id] = Ran(error=f"your code sent back data the grader cannot read ({e.error_count()} "
                                         f"problems)")
        pending = [p for p in pending if p.item.id not in ran]
        if job.abort and pending:
            a = job.abort
            if a.phase == "import":
                for p in pending:
                    if p.item.module == a.target:
                        ran[p.item.id] = Ran(error=a.reason)
            else:
                named = a.phase == "item" and a.target in {p.item.id for p in pending}
                target = a.target if named else pending[0].item.id
                if named and a.timed_out and probe is None and a.target in quick:
                    p = next(p for p in pending if p.item.id == a.target)
                    probe, after_hold = _smallest_case_ends(sandbox, modules, files, p, lim, deadline, printed,
                                                            after_hold)
                    if probe:
                        continue  # slow code that ends: the item runs again, every item with the full limit
                    reason = (f"{a.reason}, and its smallest case run alone did not finish within "
                              f"{lim.probe_seconds:g} s either: look for a loop that never ends")
                    ran[target] = Ran(error=reason)
                else:
                    ran[target] = Ran(error=a.reason if named else f"your code {a.reason}")
            pending = [p for p in pending if p.item.id not in ran]
        elif pending:
            for p in pending:
                ran[p.item.id] = Ran(error="the sandbox stopped before running this item")
            break


def _limits(lim: Limits, left: float, printed: "Printed", after_hold: bool,
            quick: dict[str, float] | None) -> JobLimits:
    """One job's limits: the time left, the output room left, each item's own limit (``quick``; None: the full one)."""
    withheld_room = max(0, lim.output_bytes - printed.kept_withheld)
    # after a hold both pipes of a job are withheld: they share the withheld room
    shown_room = withheld_room // 2 if after_hold else max(0, lim.output_bytes - printed.kept)
    return JobLimits(lim.item_seconds, left, lim.memory_mb, shown_room, lim.processes, lim.file_mb,
                     withheld_room - shown_room if after_hold else withheld_room, item_limits=quick,
                     import_seconds=lim.item_seconds)


def _smallest_case_ends(sandbox: Sandbox, modules: dict, files: dict, p: Plan, lim: Limits, deadline: float,
                        printed: "Printed", after_hold: bool) -> tuple[bool, bool]:
    """Run the item's smallest case alone, within ``probe_seconds``: (whether it finished, after_hold)."""
    small = min(range(len(p.cases)), key=lambda i: sum(a.size for a in p.cases[i].inputs.values()))
    one = Plan(p.item, [p.cases[small]], [p.expected[small]])
    left = min(lim.probe_seconds + 5, deadline - time.monotonic())
    if left <= 1:
        return False, after_hold
    job = sandbox.run(modules, files, [_job_item(one)],
                      _limits(lim, left, printed, after_hold, {p.item.id: lim.probe_seconds}))
    printed.add(job, all_withheld=after_hold)
    return p.item.id in job.results, after_hold or job.held


class Printed:
    """What the student's code printed, over all of a submission's jobs: everything (for the instructor) and
    what the student may see: what it printed before any hidden item began. Output printed once hidden inputs had
    reached a child could show them, so it is withheld, with all output of later jobs of the submission; and a
    note says so whenever hidden items ran, printed or not (its presence must not tell anything)."""

    WITHHELD = "[output printed while hidden items ran is not shown]"

    def __init__(self) -> None:
        self.everything: list[str] = []
        self.student: list[str] = []
        self.kept = 0  # bytes of visible output kept so far: the output limit holds for the whole submission
        self.kept_withheld = 0  # the same for withheld output, which has a room of its own

    def add(self, job, all_withheld: bool = False) -> None:
        """One job's output: what it printed before any hidden item began (withheld too when ``all_withheld``),
        then what it printed after (withheld)."""
        for text, kept, printed, withheld in ((job.output, job.output_kept, job.output_bytes, all_withheld),
                                              (job.withheld, job.withheld_kept, job.withheld_bytes, True)):
            if not printed:
                continue
            if withheld:
                self.kept_withheld += kept
            else:
                self.kept += kept
            note = f"\n... ({printed:,} bytes printed in all; the rest was cut)" if printed > kept else ""
            self.everything.append(text + note)
            if not withheld:
                self.student.append(text + note)
        if (job.held or all_withheld) and self.WITHHELD not in self.student:
            self.student.append(self.WITHHELD)
