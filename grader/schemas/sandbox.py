"""What the sandboxed child sends back, validated before the trusted side uses any of it."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Output(_Strict):
    """One returned value: an array (stored under ``key`` in the frame's array data) or an error sentence."""

    kind: Literal["array", "error"]
    key: str | None = Field(None, max_length=200)
    shape: list[int] | None = Field(None, max_length=8)
    dtype: str | None = Field(None, max_length=40)
    requires_grad: bool = False
    message: str = Field("", max_length=2000)


class CaseResult(_Strict):
    """What one case's calls returned, the exception they raised, and which inputs they modified in place."""

    outputs: dict[str, Output] = Field(default_factory=dict, max_length=32)
    error: str | None = Field(None, max_length=4000)
    mutated: list[str] = Field(default_factory=list, max_length=32)


class ItemFrame(_Strict):
    """A ``result`` frame: one item's cases, in the order they were sent."""

    type: Literal["result"]
    item: str = Field(max_length=200)
    cases: list[CaseResult] = Field(max_length=10_000)
    autograd_calls: int = Field(0, ge=0)


class ImportError_(_Strict):
    cell: int
    message: str = Field(max_length=4000)


class ImportFrame(_Strict):
    """An ``import`` frame: whether a student module imported, and each failing cell."""

    type: Literal["import"]
    role: str = Field(max_length=50)
    ok: bool
    errors: list[ImportError_] = Field(default_factory=list, max_length=1000)
    stand_ins: list[Annotated[str, Field(max_length=100)]] = Field(
        default_factory=list, max_length=200, description="packages imported as stand-ins (not installed here)")
