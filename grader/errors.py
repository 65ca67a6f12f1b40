"""Exceptions raised by the grader itself (never by the code it grades).

The tree::

    GraderError                    anything the grader reports instead of crashing
    ├── RubricError                a rubric file is missing, not TOML, or fails validation
    ├── SubmissionError            a submission cannot be read (missing path, bad zip, bad notebook)
    └── SandboxError               the sandbox itself failed (could not start, protocol broken)

Each carries a message written for the person who has to act on it: what went wrong and what to do.
Low-level errors are wrapped with ``raise ... from e`` so the traceback keeps the cause.
"""


class GraderError(Exception):
    """Base class of every error the grader raises on purpose."""


class RubricError(GraderError):
    """A rubric file is missing, is not valid TOML, or does not validate."""


class SubmissionError(GraderError):
    """A submission cannot be read: missing path, unreadable zip, invalid notebook, no gradable file."""


class SandboxError(GraderError):
    """The sandbox could not run the student's code for a reason of its own (not the student's)."""
