"""Pydantic models for everything that crosses a boundary: rubric files, sandbox messages, reports.

This package imports nothing else from ``grader``.
"""

from grader.schemas.report import Check, Diagnosis, ItemResult, Report, Status
from grader.schemas.rubric import (
    ACTIVATIONS,
    CHECK_KINDS,
    Config,
    Conventions,
    Item,
    Limits,
    LossConvention,
    Rubric,
    Sizes,
    Tolerance,
    Visibility,
)

__all__ = [
    "ACTIVATIONS", "CHECK_KINDS", "Check", "Config", "Conventions", "Diagnosis", "Item", "ItemResult", "Limits", "LossConvention",
    "Report", "Rubric", "Sizes", "Status", "Tolerance", "Visibility",
]
