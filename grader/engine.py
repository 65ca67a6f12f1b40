"""grade(submission, rubric) -> Report: the one place where the steps are put together.

load -> cases -> expected (trusted) -> sandbox (untrusted child) -> compare -> diagnose -> score -> Report
"""

from __future__ import annotations

import time
from functools import lru_cache
from pathlib import Path

from grader import __version__
from grader.cases import POOL, Case, pool_case
from grader.checks import CHECKS, Expected, cases_for
from grader.diagnose.editions import same_as_edition
from grader.diagnose.relate import relate
from grader.errors import SubmissionError
from grader.evaluate import Plan, evaluate
from grader.integrity import autograd_lines
from grader.load import load_submission
from grader.rubric import bundled_conventions, load_rubric
from grader.salt import hidden_salt
from grader.sandbox.client import Sandbox
from grader.schemas import Item, Limits, Report, Rubric
from grader.schemas.submission import Submission
from grader.jobs import run_in_sandbox
from grader.written import answer as answer_written
from grader.score import error_item



@lru_cache(maxsize=8192)
def expected_for(case: Case, check: str, conventions: tuple) -> Expected:
    """The reference's answer for a (shared, pool) case, computed once; read-only arrays."""
    kind = CHECKS[check]
    out = kind.expected(case.config, case.inputs, {name: conv for name, conv in conventions})
    for a in out.values():
        a.setflags(write=False)
    return out


def plan(rubric: Rubric, sub: Submission, salt: str) -> list[Plan]:
    plans = []
    for item in rubric.items:
        secret = rubric.seed if item.visibility == "visible" else salt
        cases = cases_for(item, secret, sub.key)
        conventions = tuple(sorted(getattr(rubric.conventions, CHECKS[item.check].convention).items()))
        expected = [expected_for(c, item.check, conventions) for c in cases]
        plans.append(Plan(item, cases, expected, quick_limit(rubric.limits, item, cases, conventions)))
    return plans


def quick_limit(lim: Limits, item: Item, cases: list[Case], conventions: tuple) -> float:
    """An item's first time limit: ``quick_multiple`` times what the reference needs for its cases (timed on its
    largest case), at least ``quick_seconds``, at most ``item_seconds``."""
    if CHECKS[item.check].static is not None or not cases:
        return lim.item_seconds
    need = _reference_seconds(_largest(tuple(cases)), item.check, conventions) * len(cases)
    return min(lim.item_seconds, max(lim.quick_seconds, lim.quick_multiple * need))


@lru_cache(maxsize=4096)
def _largest(cases: tuple[Case, ...]) -> Case:
    """The case with the most input numbers (pool cases repeat across a class: decided once per set)."""
    return max(cases, key=lambda c: sum(a.size for a in c.inputs.values()))


@lru_cache(maxsize=1024)
def _reference_seconds(case: Case, check: str, conventions: tuple) -> float:
    """Seconds the reference takes for ``case`` (the best of three runs; pool cases are shared, so once each)."""
    kind, conv = CHECKS[check], dict(conventions)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        kind.expected(case.config, case.inputs, conv)
        best = min(best, time.perf_counter() - start)
    return best


def warm(rubric: Rubric) -> int:
    """Draw every case of the visible items' pools and compute its expected values and (for the checks that name
    mistakes by their values) the known mistakes' values, so that grading finds them computed. A batch's forkserver
    does this once, while the Master imports torch, for the workers it forks (``grader.batch.warmup``). Hidden items
    are left out: their pools come from the salt. Returns the number of pool cases."""
    from grader.diagnose.detectors import VARIANT_CHECKS, mistaken

    n = 0
    for item in rubric.items:
        if item.visibility != "visible":
            continue
        conventions = getattr(rubric.conventions, CHECKS[item.check].convention)
        key = tuple(sorted(conventions.items()))
        for config in item.configs:
            for i in range(item.cases):
                for j in range(POOL):
                    case = pool_case(CHECKS[item.check].build, item.id, item.sizes, rubric.seed, config, i, j)
                    expected_for(case, item.check, key)
                    if item.check in VARIANT_CHECKS:
                        mistaken(case, item.check, conventions)
                    n += 1
    from grader.written import warm as warm_written  # the written sheets' parser, once per batch

    warm_written()
    return n


def grade(path: str | Path, rubric: Rubric | None = None, *, salt: str | None = None,
          sandbox: Sandbox | None = None, visible_only: bool = False) -> Report:
    """Grade one submission. Student mistakes of every kind become scores and feedback, never exceptions.

    visible_only: grade the visible items alone (the student's ``check``); the report's max_score counts only them.
    """
    start = time.monotonic()
    rubric = rubric or load_rubric()
    if visible_only:
        rubric = rubric.only([i for i in rubric.items if i.visibility == "visible"])
    own = sandbox is None
    sandbox = sandbox or Sandbox()
    try:
        try:
            sub = load_submission(path)
        except SubmissionError as e:
            return _unreadable(str(path), rubric, str(e), start)
        plans = plan(rubric, sub, hidden_salt(rubric, salt))
        written = answer_written(sub, plans, rubric)  # Part 1 answered in a document, where no code answers it
        ran, imports, printed, flags = run_in_sandbox(sandbox, sub, plans, rubric, written)
        suspected = {p.item.id: [] if p.item.id in written.items else
                     autograd_lines(sub, CHECKS[p.item.check], p.item.module) for p in plans}
        evaluated = [evaluate(p, ran[p.item.id], None if p.item.id in written.items else imports.get(p.item.module),
                              getattr(rubric.conventions, CHECKS[p.item.check].convention),
                              suspected[p.item.id], p.item.in_place or rubric.in_place) for p in plans]
        relate(evaluated)
        others = {k: v for k, v in bundled_conventions().items() if k != rubric.edition}
        same_as_edition(evaluated, rubric.conventions, others, rubric.edition)
        items = written.share([written.annotate(e.finish()) for e in evaluated])
        sandbox.settle()  # the job's processes, all killed already, are gone too once grade returns
    finally:
        if own:
            sandbox.close()
    flags += [f"{r.id}: autograd used" for r in items if r.error and "autograd" in r.error]
    flags += [f"{r.id}: the code may use autograd ({'; '.join(suspected[r.id][:3])}), but none ran while it was "
              f"graded: score kept, to be reviewed by hand" for r in items
              if suspected[r.id] and r.error is None]
    flags += [f"{p.item.id}: provisional score, to be reviewed by hand" for p, r in zip(plans, items)
              if p.item.manual_review and r.status != "error"]
    notes = [_stand_in_note(sub, role, frame.stand_ins) for role, frame in imports.items() if frame.stand_ins]
    notes += written.notes
    return Report(submission=str(path), rubric=rubric.edition, grader_version=__version__,
                  score=round(sum(i.score for i in items), 4), max_score=rubric.max_score, items=items,
                  files=sub.files, notes=list(dict.fromkeys(notes)), output="\n".join(printed.everything),
                  student_output="\n".join(printed.student), flags=flags + sub.problems, seconds=time.monotonic() - start)


def _stand_in_note(sub: Submission, role: str, packages: list[str]) -> str:
    module = sub.module_for(role)
    names = ", ".join(packages)
    one = len(packages) == 1
    return (f"{module.filename if module else role} imports {names}, which {'is' if one else 'are'} not installed "
            f"where your code is graded: {'it was' if one else 'they were'} replaced by a stand-in, which is fine "
            f"as long as your code does not use {'it' if one else 'them'} (a use fails with a message naming it).")


def _unreadable(path: str, rubric: Rubric, reason: str, start: float) -> Report:
    items = [error_item(it, reason) for it in rubric.items]
    return Report(submission=path, rubric=rubric.edition, grader_version=__version__, score=0.0,
                  max_score=rubric.max_score, items=items, flags=[f"unreadable submission: {reason}"],
                  seconds=time.monotonic() - start)
