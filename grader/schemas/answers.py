"""Rubric data for the items whose answers are not arrays: the five steps, the free-text concepts, the hand-in files."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _compiles(patterns: list[str]) -> list[str]:
    for p in patterns:
        try:
            re.compile(p)
        except re.error as e:
            raise ValueError(f"{p!r} is not a valid regular expression: {e}") from e
    return patterns


class Step(_Strict):
    """One canonical training step (1.1(a)). A student's step matches when any pattern is found in it
    (case-insensitive regular expressions). A step that matches several canonical steps counts as the one with
    the highest priority. ``after`` names the steps that must come earlier."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    patterns: list[str] = Field(min_length=1)
    after: list[str] = Field(default_factory=list)
    priority: int = 0

    @field_validator("patterns")
    @classmethod
    def _valid(cls, v: list[str]) -> list[str]:
        return _compiles(v)


class Concept(_Strict):
    """One idea a free-text answer should contain, found by any of its case-insensitive regular expressions.
    Every concept is one check of the item."""

    name: str
    patterns: list[str] = Field(min_length=1)

    @field_validator("patterns")
    @classmethod
    def _valid(cls, v: list[str]) -> list[str]:
        return _compiles(v)


class FileRules(_Strict):
    """The files a submission should hold, relative to its top folder (shell patterns, ``a|b`` = either).

    Each required entry is one check; one more check fails when files match neither list.
    """

    required: list[str] = Field(min_length=1)
    optional: list[str] = Field(default_factory=list)
