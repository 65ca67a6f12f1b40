"""Child side: calling student code and describing its exceptions in the student's own terms."""

from __future__ import annotations

import traceback

#: Filenames of the student's code (for tracebacks that point at the student's line).
STUDENT_FILES: set[str] = set()


def describe_exception(e: BaseException, during: str) -> str:
    """'forward raised ZeroDivisionError: division by zero (mlp.py, line 42: return x / 0)'."""
    where = ""
    for fr in reversed(traceback.extract_tb(e.__traceback__)):
        if fr.filename in STUDENT_FILES:
            where = f" ({fr.filename}, line {fr.lineno}: {(fr.line or '').strip()[:120]})"
            break
    if isinstance(e, SyntaxError) and e.filename in STUDENT_FILES:
        where = f" ({e.filename}, line {e.lineno}: {(e.text or '').strip()[:120]})"
    msg = (e.msg if isinstance(e, SyntaxError) else str(e))[:300]
    return f"{during} raised {type(e).__name__}{': ' + msg if msg else ''}{where}"


class StudentError(Exception):
    """The student's code raised, or returned something unusable; the message says which and where."""


class Missing:
    """A value the student's code should have set but did not."""

    def __init__(self, message: str) -> None:
        self.message = message


def call(what: str, fn, *args):
    """fn(*args), with any exception (SystemExit too) turned into a StudentError naming ``what``."""
    try:
        return fn(*args)
    except BaseException as e:
        raise StudentError(describe_exception(e, what)) from None
