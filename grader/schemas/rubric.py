"""The rubric: what is graded, how many points, with which conventions. Loaded from ``rubrics/*.toml``.

Conventions that differ between editions of the course (the 1/2 in the MSE, mean or sum) live here as data,
never as branches in the code.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from grader.schemas.answers import Concept, FileRules, Step
from grader.schemas.policies import STAND_INS, InPlace, LatePolicy, LateStep, Packages

__all__ = ["ACTIVATIONS", "CHECK_KINDS", "ITEM_DATA", "STAND_INS", "Concept", "Config", "Conventions", "FileRules",
           "InPlace", "Item", "LatePolicy", "LateStep", "Limits", "LossConvention", "Packages", "Rubric", "Sizes", "Step",
           "Tolerance", "Visibility"]

Visibility = Literal["visible", "hidden", "after_due_date", "after_published"]
Activation = Literal["relu", "sigmoid", "identity"]
LossName = Literal["mse", "bce"]
Reduce = Literal["sum", "mean", "batch_mean"]
ACTIVATIONS: tuple[str, ...] = ("relu", "sigmoid", "identity")

#: Check kinds and whether each needs f, g and/or loss in its configurations.
CHECK_KINDS: dict[str, tuple[str, ...]] = {
    "loss": ("loss",),
    "forward": ("f", "g"),
    "backward": ("f", "g"),
    "end_to_end": ("f", "g", "loss"),
    "clear_grad": ("f", "g"),
    # Part 1 (theory.py or a notebook): one data point, the theory conventions
    "forward_pass": ("f", "g", "loss"),
    "gradients": ("f", "g", "loss"),
    "jacobians": ("f", "g", "loss"),
    "single_point": ("f", "g", "loss"),
    "train_step": ("f", "g", "loss"),
    "steps": (),
    "free_text": (),
    "format": (),
}

#: Check kinds whose answers are rubric data rather than arrays: the Item field each one needs.
ITEM_DATA: dict[str, str] = {"steps": "steps", "free_text": "concepts", "format": "files"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LossConvention(_Strict):
    """One loss's convention: ``J = scale * reduce(elementwise term)``.

    reduce: ``sum`` over all elements, ``mean`` over all elements, or ``batch_mean`` (sum over the K outputs,
    mean over the batch).
    """

    scale: float = Field(1.0, gt=0)
    reduce: Reduce = "mean"


class Conventions(_Strict):
    """Loss conventions for the two parts: the batched implementation (mlp.py) and the one-point theory."""

    implementation: dict[LossName, LossConvention]
    theory: dict[LossName, LossConvention]


@lru_cache(maxsize=256)
def _label(f: str | None, g: str | None, loss: str | None) -> str:
    """'f=relu g=sigmoid loss=bce' (what is set), or 'default'."""
    return " ".join(f"{k}={v}" for k, v in (("f", f), ("g", g), ("loss", loss)) if v) or "default"


class Config(_Strict):
    """One network configuration an item is checked on. Unused fields stay None."""

    f: Activation | None = None
    g: Activation | None = None
    loss: LossName | None = None

    @property
    def label(self) -> str:
        return _label(self.f, self.g, self.loss)


class Sizes(_Strict):
    """Inclusive ranges the case sizes are drawn from: batch N, input n, hidden m, output K."""

    N: tuple[int, int] = (1, 8)
    n: tuple[int, int] = (1, 6)
    m: tuple[int, int] = (1, 10)
    K: tuple[int, int] = (1, 5)

    @field_validator("N", "n", "m", "K")
    @classmethod
    def _range(cls, v: tuple[int, int]) -> tuple[int, int]:
        if not 1 <= v[0] <= v[1] <= 256:
            raise ValueError(f"must be [low, high] with 1 <= low <= high <= 256, got {list(v)}")
        return v


class Tolerance(_Strict):
    """A value passes when ``max|student - expected| <= atol + rtol * max|expected|``."""

    rtol: float = Field(1e-4, ge=0)
    atol: float = Field(1e-5, ge=0)


class Limits(_Strict):
    """Resource limits for one submission's sandboxed run.

    Each item first gets a quick limit that fits the work: ``quick_multiple`` times what the reference solution
    needs for the item's cases, at least ``quick_seconds``, at most ``item_seconds``. A correct solution needs
    milliseconds; an endless loop is stopped in well under a second. An item that runs out of its quick limit is
    not scored 0 on that alone: its smallest case runs alone, within ``probe_seconds``. If it finishes, the code is
    slow but ends, and every item of the submission gets the full ``item_seconds`` from then on (the item runs
    again); if not, the item scores 0 and the others keep their quick limits.
    """

    item_seconds: float = Field(10.0, gt=0, description="wall-clock limit for one item of slow code, and for an "
                                                        "import")
    quick_seconds: float = Field(0.75, gt=0, description="the least quick limit of an item")
    quick_multiple: float = Field(500.0, gt=0, description="the quick limit in multiples of the reference's time")
    probe_seconds: float = Field(5.0, gt=0, description="limit for an item's smallest case run alone")
    submission_seconds: float = Field(60.0, gt=0, description="wall-clock limit for the whole submission")
    memory_mb: int = Field(2048, ge=256, description="address-space limit of the student's process")
    output_bytes: int = Field(20_000, ge=0, description="how much of what the student's code prints is kept")
    processes: int = Field(32, ge=1, description="how many processes the student's code may start")
    file_mb: int = Field(16, ge=1, description="largest file the student's code may write")


class Item(_Strict):
    """One rubric item: an id, points and how it is checked."""

    id: str = Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z_.\-]*$")
    title: str
    points: float = Field(ge=0)
    check: str
    visibility: Visibility = "visible"
    configs: list[Config] = Field(default_factory=lambda: [Config()])
    cases: int = Field(3, ge=1, le=50, description="randomized cases per configuration")
    sizes: Sizes = Sizes()
    tolerance: Tolerance = Tolerance()
    module: str = Field("mlp", description="the student module the item calls")
    hints: Literal["full", "diagnosis", "pass_fail"] | None = Field(
        None, description="what a student sees of this item before results are published: full feedback with "
                          "values, named mistakes only, or pass/fail only. Default: full for visible items, "
                          "diagnosis for the others.")

    @property
    def hint_level(self) -> str:
        return self.hints or ("full" if self.visibility == "visible" else "diagnosis")
    steps: list[Step] = Field(default_factory=list, description="steps checks: the canonical steps, in order")
    concepts: list[Concept] = Field(default_factory=list, description="free_text checks: the concept rubric")
    files: FileRules | None = Field(None, description="format checks: the expected files")
    manual_review: bool = Field(False, description="the score is provisional until a person reviews the item")
    in_place: InPlace | None = Field(None, description="this item's own in-place rule (default: the rubric's)")

    @field_validator("check")
    @classmethod
    def _known_check(cls, v: str) -> str:
        if v not in CHECK_KINDS:
            raise ValueError(f"unknown check {v!r}; allowed: {', '.join(CHECK_KINDS)}")
        return v

    @model_validator(mode="after")
    def _configs_fit_check(self) -> "Item":
        needs = CHECK_KINDS[self.check]
        for c in self.configs:
            missing = [k for k in needs if getattr(c, k) is None]
            if missing:
                raise ValueError(f"check {self.check!r} needs {', '.join(missing)} in every configuration; "
                                 f"got {c.label!r}")
            if c.loss == "bce" and c.g is not None and c.g != "sigmoid":
                raise ValueError(f"bce needs y_hat in (0, 1), so g must be 'sigmoid'; got {c.label!r}")
        field = ITEM_DATA.get(self.check)
        if field and not getattr(self, field):
            raise ValueError(f"check {self.check!r} needs {field!r} in the item")
        names = [s.name for s in self.steps]
        for s in self.steps:
            unknown = [a for a in s.after if a not in names]
            if unknown:
                raise ValueError(f"step {s.name!r}: 'after' names unknown steps {unknown}; known: {names}")
        return self


class Written(_Strict):
    """How written theory answers (Markdown, LaTeX, PDF) are read: which question of the handout each item is,
    and the layout asked for the derivative of the loss by a weight matrix.

    layout: ``either`` -- numerator layout (shaped like W^T, ``x dl/dz1``) or gradient layout (shaped like W,
    ``(dl/dz1)^T x^T``), whichever the sheet uses throughout; ``numerator`` or ``gradient`` -- only that one.
    questions: item id -> the handout's label of the question it grades, e.g. ``"1.1b_forward" = "1.1(b)"``.
    same_as: item id -> item id: an item only code can answer (``train_step``) takes, on a written sheet, the score
    fraction of the item that answers the same question in writing, e.g. ``"1.1a_train_step" = "1.1a_steps"``.
    """

    layout: Literal["either", "numerator", "gradient"] = "either"
    questions: dict[str, str] = Field(default_factory=dict)
    same_as: dict[str, str] = Field(default_factory=dict)

    @field_validator("questions")
    @classmethod
    def _labels(cls, v: dict[str, str]) -> dict[str, str]:
        bad = [q for q in v.values() if not re.fullmatch(r"\d\.\d\([a-e]\)", q)]
        if bad:
            raise ValueError(f"question labels look like '1.1(b)'; got {bad}")
        return v


class Rubric(_Strict):
    """A whole rubric file."""

    edition: str
    title: str
    seed: str = Field(description="public seed of the visible cases")
    conventions: Conventions
    limits: Limits = Limits()
    late_policy: LatePolicy | None = Field(None, description="no policy: lateness does not change the score")
    in_place: InPlace = Field(InPlace(), description="what changing the caller's inputs in place costs")
    packages: Packages = Field(Packages(), description="stand-ins for unused imports, extra packages to install")
    written: Written = Field(Written(), description="how written theory answers are read")
    items: list[Item]

    @model_validator(mode="after")
    def _unique_ids(self) -> "Rubric":
        seen: set[str] = set()
        for it in self.items:
            if it.id in seen:
                raise ValueError(f"item id {it.id!r} appears twice")
            seen.add(it.id)
        unknown = [k for k in self.written.questions if k not in seen]
        if unknown:
            raise ValueError(f"[written] questions name items the rubric does not have: {unknown}")
        unknown = [k for kv in self.written.same_as.items() for k in kv if k not in seen]
        if unknown:
            raise ValueError(f"[written] same_as names items the rubric does not have: {unknown}")
        return self

    def only(self, items: list[Item]) -> "Rubric":
        """This rubric with ``items`` only (a part of it); what [written] says of the others is dropped."""
        ids = {i.id for i in items}
        written = self.written.model_copy(update={
            "questions": {k: v for k, v in self.written.questions.items() if k in ids},
            "same_as": {k: v for k, v in self.written.same_as.items() if k in ids and v in ids}})
        return self.model_copy(update={"items": items, "written": written})

    @property
    def max_score(self) -> float:
        return sum(i.points for i in self.items)

    def item(self, item_id: str) -> Item:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)
