"""Answers given as text: FIVE_STEPS (1.1(a)) and RELU_BENEFITS (1.2(c)), scored against rubric data.

The child sends text back as the UTF-8 bytes of a JSON document in a uint8 array (the only channel for student
values is arrays); ``read_text`` turns it back into text on this side. What counts as a step or a concept lives in
the rubric (``[[items.steps]]``, ``[[items.concepts]]``): patterns are case-insensitive regular expressions.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence

import numpy as np

from grader.checks.kind import CheckKind, register
from grader.schemas import Check, Item, ItemResult
from grader.schemas.report import ANSWER_CHARS, Answer
from grader.schemas.rubric import Concept, Step
from grader.score import error_item, score_checks

MAX_TEXT = 20_000
MISSING_ORDER = "the order rules that involve a missing step count as not met"
REVIEW = ("This score is provisional: it counts the ideas the grader recognised, and a person will read your "
          "answer and may change it.")


# ------------------------------------------------------------------------------------------------- text channel
def read_text(res, quantity: str, arrays: dict[str, np.ndarray]) -> tuple[object | None, str]:
    """(the decoded JSON value, "") or (None, why not) for one returned quantity of one case."""
    if res.error:
        return None, res.error
    out = res.outputs.get(quantity)
    if out is None:
        return None, f"{quantity} was not returned"
    if out.kind == "error":
        return None, out.message
    a = arrays.get(out.key or "")
    if a is None or a.ndim != 1 or a.size > 4 * MAX_TEXT + 64 or not np.all((a >= 0) & (a <= 255) & (a == a // 1)):
        return None, f"{quantity} came back in a form the grader cannot read"
    try:
        return json.loads(bytes(a.astype(np.uint8)).decode("utf-8", errors="replace")), ""
    except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep, from hostile code
        return None, f"{quantity} came back in a form the grader cannot read"


def _clip(text: str, n: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 3] + "..."


# ------------------------------------------------------------------------------------------------- FIVE_STEPS
def match_step(text: str, steps: Sequence[Step]) -> Step | None:
    """The canonical step a student's step reads as: the highest-priority one with a matching pattern."""
    hits = [s for s in steps if any(re.search(p, text, re.IGNORECASE) for p in s.patterns)]
    return max(hits, key=lambda s: s.priority) if hits else None


def step_checks(answer: Sequence[str], steps: Sequence[Step]) -> tuple[list[Check], list[str]]:
    """One check per canonical step (found) and one per order rule (``after``); and the lines that explain them."""
    where: dict[str, int] = {}
    lines = ["Your steps, as the grader read them:"]
    for i, text in enumerate(answer, 1):
        s = match_step(text, steps)
        if s is not None and s.name in where:
            lines.append(f"  {i}. {_clip(text)!r} -> {s.title} (again; the first one counts)")
            continue
        if s is not None:
            where[s.name] = i
        lines.append(f"  {i}. {_clip(text)!r} -> {s.title if s else 'not one of the five steps'}")
    titles = {s.name: s.title for s in steps}
    checks = []
    for s in steps:
        checks.append(Check(quantity=s.name, config="FIVE_STEPS", passed=s.name in where, cases=1,
                            message="" if s.name in where else f"no step reads as: {s.title}"))
    for s in steps:
        for a in s.after:
            both = a in where and s.name in where
            ok = both and where[a] < where[s.name]
            why = "" if ok else f"{titles[a]} must come before {titles[s.name]}" if both else MISSING_ORDER
            checks.append(Check(quantity=f"{a} before {s.name}", config="FIVE_STEPS", passed=ok, cases=1,
                                message=why))
    return checks, lines


def _as_steps(value: object) -> list[str] | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def score_steps(item: Item, cases, results, arrays: dict[str, np.ndarray], notes: Sequence[str]) -> ItemResult:

    value, why = read_text(results[0], "FIVE_STEPS", arrays)
    answer = _as_steps(value)
    if answer is None:
        return error_item(item, why or "FIVE_STEPS must be a list of strings, one per step, in order")
    checks, lines = step_checks(answer, item.steps)
    lines += list(dict.fromkeys(f"- {c.message}" for c in checks if not c.passed))
    return score_checks(item, checks, lines, notes=notes)


# ------------------------------------------------------------------------------------------------- free text
def concept_checks(text: str, concepts: Sequence[Concept]) -> list[Check]:
    """One check per concept of the rubric: passed when any of its patterns is found in the text."""
    flat = " ".join(text.split())
    return [Check(quantity=c.name, config="RELU_BENEFITS", cases=1,
                  passed=any(re.search(p, flat, re.IGNORECASE) for p in c.patterns),
                  message="") for c in concepts]


def score_free_text(item: Item, cases, results, arrays: dict[str, np.ndarray], notes: Sequence[str]) -> ItemResult:

    value, why = read_text(results[0], "RELU_BENEFITS", arrays)
    if not isinstance(value, str):
        return error_item(item, why or "RELU_BENEFITS must be a string")
    checks = concept_checks(value, item.concepts)
    found = [c.quantity for c in checks if c.passed]
    missing = [c.quantity for c in checks if not c.passed]
    lines = [f"Ideas found: {'; '.join(found) or 'none'}.", f"Ideas not found: {'; '.join(missing) or 'none'}."]
    if not value.strip():
        lines.insert(0, "RELU_BENEFITS is empty.")
    if item.manual_review:
        lines.append(REVIEW)
    result = score_checks(item, checks, lines, notes=notes)
    if not item.manual_review:
        return result
    return result.model_copy(update={"provisional": True, "answer": kept_answer(value)})


def kept_answer(text: str, fmt: str = "markdown") -> Answer:
    """The answer as a report keeps it for its reviewer: cut to ANSWER_CHARS, hashed whole."""
    return Answer(text=text[:ANSWER_CHARS], format=fmt, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                  chars=len(text))


def _no_inputs(rng, config, sizes) -> dict:
    return {}


def _nothing_expected(config, inputs, conventions) -> dict:
    return {}


register(CheckKind("steps", ("FIVE_STEPS",), _no_inputs, _nothing_expected, score=score_steps))
register(CheckKind("free_text", ("RELU_BENEFITS",), _no_inputs, _nothing_expected, score=score_free_text))
