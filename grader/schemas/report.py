"""The grading report: a frozen record of what was checked and what it scored. Reporters read only this."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from grader.schemas.rubric import Visibility

Status = Literal["passed", "partial", "failed", "error"]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Check(_Frozen):
    """One unit of an item: one quantity under one configuration, over all of that configuration's cases."""

    quantity: str = Field(description="what was compared: J, dJdy_hat, y_hat, dJdW1, ...")
    config: str = Field(description="configuration label, e.g. 'f=relu g=identity'")
    passed: bool
    cases: int = Field(description="how many randomized cases were compared")
    failed_case: str | None = Field(None, description="sizes of the first failing case, e.g. 'N=1 n=3 m=5 K=2'")
    expected_shape: list[int] | None = None
    received_shape: list[int] | None = None
    max_abs_error: float | None = None
    max_rel_error: float | None = None
    where: list[int] | None = Field(None, description="index of the largest error")
    expected_excerpt: str | None = Field(None, description="a few expected values (visible items only)")
    received_excerpt: str | None = Field(None, description="a few received values (visible items only)")
    message: str = Field("", description="one sentence saying what went wrong, empty when passed")


class Diagnosis(_Frozen):
    """A named mistake: a stable code (for counting across a class), the quantities it explains, a sentence."""

    code: str = Field(description="stable key, e.g. relu_mask_missing, transposed, missing_mean")
    quantities: list[str] = Field(default_factory=list)
    consequence: bool = Field(False, description="a pointer to another item's mistake (forward wrong -> backward "
                                                 "may follow), not a mistake of its own; summaries do not count it")
    message: str = Field(description="what is wrong and how to fix it, in the student's terms")


#: At most this many characters of an answer are kept in a report (the hash covers the whole answer).
ANSWER_CHARS = 4000


class Answer(_Frozen):
    """What the student answered to an item whose score a person reviews, as the grader read it."""

    text: str = Field(max_length=ANSWER_CHARS, description="the answer, cut to ANSWER_CHARS characters")
    format: Literal["markdown", "code"] = Field("markdown", description="how to show it: Markdown (with $math$ "
                                                                         "as written) or code")
    sha256: str = Field(description="hash of the whole answer: a review of it is stale once this changes")
    chars: int = Field(description="length of the whole answer, in characters")


class Review(_Frozen):
    """A person's score for an item, recorded beside the grader's (which stays in ``ItemResult.score``)."""

    score: float = Field(description="the score the reviewer gave; it counts instead of the grader's")
    reviewer: str
    time: str = Field(description="when it was decided (ISO 8601)")
    comment: str = Field("", description="the reviewer's comment, shown to the student")


class WrittenCell(_Frozen):
    """One answer read from a written sheet (Markdown, LaTeX, PDF text): what it said and how it was read."""

    quantity: str = Field(description="what it answers: z1, dl_dW1, dz2_dz1, FIVE_STEPS, ...")
    question: str = Field("", description="the handout's question it was found under, e.g. '1.1(b)'")
    where: str = Field("", description="file and line")
    config: str = Field("", description="the configuration it was graded under")
    text: str = Field("", max_length=4000, description="the text the grader saw")
    latex: str | None = Field(None, description="the formula as the grader read it, written back as LaTeX")
    status: Literal["read", "guessed", "unread", "missing", "blank", "wrong"] = Field(
        description="read; read after a repair that guessed; not read (a person grades it); not found (a person "
                    "looks for it); found but left blank (no answer: 0, nothing to review); read but not defined "
                    "for the homework's shapes (a wrong answer)")
    note: str = Field("", max_length=1000, description="why, for every status but read")


class ItemResult(_Frozen):
    """The result of one rubric item."""

    id: str
    title: str
    score: float
    max_score: float
    status: Status
    visibility: Visibility
    feedback: str = Field(description="the full feedback: a summary, named mistakes, then the failing checks")
    student_feedback: str = Field("", description="what the student may see, given the item's visibility and "
                                                  "hint level (equal to feedback for visible items)")
    checks: list[Check] = Field(default_factory=list)
    diagnoses: list[Diagnosis] = Field(default_factory=list, description="named mistakes")
    error: str | None = Field(None, description="why the item could not be run (exception, timeout, crash)")
    provisional: bool = Field(False, description="the score waits for a person to review it")
    written: list[WrittenCell] = Field(default_factory=list, description="the written answers this item was "
                                                                          "graded from, as read")
    answer: Answer | None = Field(None, description="the student's answer, for the person who reviews it")
    review: Review | None = Field(None, description="a reviewer's score, applied by the batch from its "
                                                    "overrides.json; ``score`` stays the grader's")


class Report(_Frozen):
    """Everything known about one graded submission."""

    submission: str = Field(description="the path or name that was graded")
    rubric: str = Field(description="rubric edition")
    grader_version: str
    score: float
    max_score: float
    items: list[ItemResult]
    files: list[str] = Field(default_factory=list, description="the files found in the submission")
    output: str = Field("", description="what the student's code printed (truncated)")
    student_output: str = Field("", description="the part of it the student may see: output printed while "
                                                "hidden items ran is withheld")
    notes: list[str] = Field(default_factory=list, description="for the student and the instructor: what the "
                                                                "grader noticed about the submission as a whole")
    flags: list[str] = Field(default_factory=list, description="for the instructor: integrity or grader issues")
    seconds: float = Field(0.0, description="wall time spent grading")
