"""The format item: are the files the course asked for there, and nothing else? Scored from the file list alone.

Rubric data (``[items.files]``): ``required`` entries are shell patterns, ``a|b`` meaning either (e.g.
``"mlp.py|*.ipynb"``); ``optional`` files may be there. Names are compared case-insensitively, relative to the
submission's top folder (one common top folder, as in ``netid/mlp.py``, is already stripped by the loader).
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from grader.checks.kind import CheckKind, register
from grader.schemas import Check, Item, ItemResult
from grader.score import score_checks
from grader.schemas.submission import Submission


def _matches(name: str, pattern: str) -> bool:
    return any(fnmatchcase(name.lower(), p.strip().lower()) for p in pattern.split("|"))


def format_checks(files: list[str], required: list[str], optional: list[str]) -> list[Check]:
    """One check per required entry, and one that no file matches neither list."""
    checks = []
    for entry in required:
        found = [f for f in files if _matches(f, entry)]
        checks.append(Check(quantity=entry, config="files", passed=bool(found), cases=1,
                            message="" if found else f"missing: {entry.replace('|', ' or ')}"))
    extra = [f for f in files if not any(_matches(f, p) for p in [*required, *optional])]
    checks.append(Check(quantity="no other files", config="files", passed=not extra, cases=1,
                        message="" if not extra else f"unexpected: {', '.join(extra[:10])}"
                                                      + (" ..." if len(extra) > 10 else "")))
    return checks


def score_format(item: Item, sub: Submission) -> ItemResult:

    rules = item.files
    checks = format_checks(sub.files, rules.required, rules.optional)
    expected = ", ".join(r.replace("|", " or ") for r in rules.required)
    lines = [f"Expected: {expected}" + (f" (and optionally {', '.join(rules.optional)})" if rules.optional else "")
             + f"; found: {', '.join(sub.files) or 'nothing'}."]
    lines += [f"- {c.message}" for c in checks if not c.passed]
    return score_checks(item, checks, lines)


register(CheckKind("format", (), lambda rng, config, sizes: {}, lambda config, inputs, conventions: {},
                   static=score_format))
