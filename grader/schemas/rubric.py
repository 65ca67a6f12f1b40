"""The rubric: what is graded, how many points, with which conventions. Loaded from ``rubrics/*.toml``.

Conventions that differ between editions of the course (the 1/2 in the MSE, mean or sum) live here as data,
never as branches in the code.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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
}


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


class Config(_Strict):
    """One network configuration an item is checked on. Unused fields stay None."""

    f: Activation | None = None
    g: Activation | None = None
    loss: LossName | None = None

    @property
    def label(self) -> str:
        parts = [f"{k}={v}" for k, v in (("f", self.f), ("g", self.g), ("loss", self.loss)) if v]
        return " ".join(parts) or "default"


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
    """Resource limits for one submission's sandboxed run."""

    item_seconds: float = Field(10.0, gt=0, description="wall-clock limit for one item (and for an import)")
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
            if self.check == "end_to_end" and c.loss == "bce" and c.g != "sigmoid":
                raise ValueError(f"bce needs y_hat in (0, 1), so g must be 'sigmoid'; got {c.label!r}")
        return self


class Rubric(_Strict):
    """A whole rubric file."""

    edition: str
    title: str
    seed: str = Field(description="public seed of the visible cases")
    conventions: Conventions
    limits: Limits = Limits()
    items: list[Item]

    @model_validator(mode="after")
    def _unique_ids(self) -> "Rubric":
        seen: set[str] = set()
        for it in self.items:
            if it.id in seen:
                raise ValueError(f"item id {it.id!r} appears twice")
            seen.add(it.id)
        return self

    @property
    def max_score(self) -> float:
        return sum(i.points for i in self.items)

    def item(self, item_id: str) -> Item:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)
