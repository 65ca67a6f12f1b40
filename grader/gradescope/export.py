"""Read the ``submission_metadata.yml`` of a Gradescope "Export submissions" folder.

The export holds one folder per submission (``submission_<id>/``) and this YAML file, written by Gradescope's
Ruby side: keys are Ruby symbols (``:submitters:``, ``:name:``), and some values carry Ruby type tags. The reader
strips the leading colons and reads any tagged value as the plain mapping, list or text under the tag.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.errors import GraderError
from grader.reporters.rows import Student

EXPORT_METADATA = "submission_metadata.yml"


@dataclass(frozen=True)
class ExportedSubmission:
    students: tuple[Student, ...]
    created_at: str | None


def _loader():
    try:
        import yaml
    except ImportError as e:  # pragma: no cover - pyyaml is a dependency
        raise GraderError("reading a Gradescope export needs PyYAML: pip install pyyaml") from e

    class Loader(yaml.SafeLoader):
        """SafeLoader that reads Ruby-tagged nodes (!ruby/object:..., !ruby/hash:...) as plain data."""

    def untagged(loader, suffix, node):
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node, deep=True)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node, deep=True)
        return loader.construct_scalar(node)

    Loader.add_multi_constructor("!", untagged)
    return yaml, Loader


def _plain(x):
    """Strip the Ruby symbols' leading colons from every key."""
    if isinstance(x, dict):
        return {str(k).lstrip(":"): _plain(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_plain(v) for v in x]
    return x


def _text(x) -> str:
    return "" if x is None else str(x).strip()


def read_export(folder: Path) -> dict[str, ExportedSubmission]:
    """folder name -> who submitted it and when, from ``folder/submission_metadata.yml``."""
    path = folder / EXPORT_METADATA
    yaml, Loader = _loader()
    try:
        data = _plain(yaml.load(path.read_text(encoding="utf-8"), Loader=Loader))  # noqa: S506 (SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise GraderError(f"{path}: cannot read Gradescope's export metadata ({e}); export the submissions "
                          f"again, or move the file away to grade the folders without names") from e
    if not isinstance(data, dict):
        raise GraderError(f"{path}: expected one mapping of submission folders, found {type(data).__name__}")
    out = {}
    for name, record in data.items():
        record = record if isinstance(record, dict) else {}
        people = record.get("submitters") or []
        students = tuple(Student(name=_text(p.get("name")), email=_text(p.get("email")), sid=_text(p.get("sid")))
                         for p in people if isinstance(p, dict))
        created = record.get("created_at")
        out[str(name)] = ExportedSubmission(students, None if created is None else _text(
            created.isoformat() if hasattr(created, "isoformat") else created))
    return out
