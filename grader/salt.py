"""The secret behind hidden cases. A module of its own so that commands can read it without loading the engine."""

from __future__ import annotations

import os

from grader.schemas import Rubric

SALT_ENV = "HW1_GRADER_SALT"


def hidden_salt(rubric: Rubric, salt: str | None) -> str:
    """The argument, else $HW1_GRADER_SALT, else a per-rubric default (fine for self-checks, not for real grading)."""
    return salt or os.environ.get(SALT_ENV) or f"{rubric.seed}/hidden"
