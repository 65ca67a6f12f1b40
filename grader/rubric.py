"""Find, read and validate a rubric file (``rubrics/<edition>.toml`` or any TOML path)."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from grader.errors import RubricError
from grader.schemas import Conventions, Rubric

RUBRICS_DIR = Path(__file__).resolve().parent.parent / "rubrics"
DEFAULT_RUBRIC = "fall2020"


def available() -> list[str]:
    """Names of the bundled rubrics, e.g. ['fall2020', 'spring2021']."""
    return sorted(p.stem for p in RUBRICS_DIR.glob("*.toml"))


@lru_cache(maxsize=1)
def bundled_conventions() -> dict[str, Conventions]:
    """Each bundled edition's loss conventions (edition -> Conventions): what work written for another edition of
    the course is recognised by. A bundled file that does not load is left out (``load_rubric`` reports it)."""
    out = {}
    for name in available():
        try:
            out[name] = load_rubric(name).conventions
        except RubricError:
            continue
    return out


def resolve(name_or_path: str | Path | None) -> Path:
    """A bundled rubric's name ('fall2020') or a path to a TOML file -> the file's path."""
    if name_or_path is None:
        name_or_path = DEFAULT_RUBRIC
    p = Path(name_or_path)
    if p.suffix == ".toml" or p.exists():
        if not p.is_file():
            raise RubricError(f"rubric file {p} does not exist; give a .toml path or one of: {', '.join(available())}")
        return p
    bundled = RUBRICS_DIR / f"{name_or_path}.toml"
    if not bundled.is_file():
        raise RubricError(f"no bundled rubric named {str(name_or_path)!r}; choose one of: {', '.join(available())}, "
                          f"or give a path to a .toml file")
    return bundled


def load_rubric(name_or_path: str | Path | None = None) -> Rubric:
    """Read and validate a rubric. Every problem is reported with the file, the field and what is allowed."""
    path = resolve(name_or_path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise RubricError(f"{path}: cannot read the rubric: {e}") from e
    except tomllib.TOMLDecodeError as e:
        raise RubricError(f"{path}: not valid TOML: {e}") from e
    try:
        return Rubric.model_validate(data)
    except ValidationError as e:
        raise RubricError(f"{path}: invalid rubric:\n{_describe(e, data)}") from e


def _describe(e: ValidationError, data: dict) -> str:
    lines = []
    for err in e.errors():
        loc = _location(err["loc"], data)
        got = f" (got {err['input']!r})" if "input" in err and not isinstance(err["input"], (dict, list)) else ""
        lines.append(f"  - {loc}: {err['msg']}{got}")
    return "\n".join(lines)


def _location(loc: tuple, data: dict) -> str:
    """('items', 3, 'points') -> "items[3] (id '2.forward').points"."""
    out, node = "", data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            try:
                node = node[part]
                if isinstance(node, dict) and "id" in node:
                    out += f" (id {node['id']!r})"
            except (IndexError, KeyError, TypeError):
                node = None
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "(top level)"
