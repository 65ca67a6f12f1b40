"""The report as one JSON object (the instructor's view: every item, every check)."""

from __future__ import annotations

from grader.schemas import Report


def to_json(report: Report, indent: int | None = 2) -> str:
    return report.model_dump_json(indent=indent)
