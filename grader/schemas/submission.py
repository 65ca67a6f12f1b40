"""A submission as source text: what the loader found, before anything runs."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cell(_Frozen):
    """One piece of source run as a unit: a whole .py file, or one notebook code cell."""

    number: int = Field(description="notebook cell number (1-based); 0 for a .py file")
    source: str


class Module(_Frozen):
    """One student module as the sandbox will run it: cells executed top to bottom in one namespace."""

    name: str = Field(description="importable name: mlp, theory, or notebook")
    filename: str = Field(description="the file it came from, as the student named it")
    cells: list[Cell]
    continue_on_error: bool = Field(False, description="notebooks: a failing cell is reported and the run goes on")


class Document(_Frozen):
    """A written hand-in the theory may be answered in: Markdown, LaTeX, a notebook's markdown cells, or a PDF."""

    filename: str
    kind: Literal["markdown", "latex", "notebook", "pdf"]
    text: str = Field("", description="the text (Markdown, LaTeX, or the notebook's markdown cells joined)")
    data: bytes = Field(b"", description="a PDF's bytes; its text layer is read only when the theory needs it")


class Submission(_Frozen):
    """Everything the grader knows about a submission without running it."""

    name: str = Field(description="display name: the folder, zip or file name")
    files: list[str] = Field(description="every file found, relative to the submission root")
    modules: list[Module]
    roles: dict[str, str] = Field(description="which module provides each part: {'mlp': 'mlp', 'theory': ...}")
    key: str = Field(description="sha256 of the source files: fixes the randomized cases for this submission")
    problems: list[str] = Field(default_factory=list, description="what the loader noticed, for the student")
    documents: list[Document] = Field(default_factory=list, description="written answers (.md, .tex, notebook "
                                                                        "markdown, .pdf), for Part 1")

    def module_for(self, role: str) -> Module | None:
        name = self.roles.get(role)
        return next((m for m in self.modules if m.name == name), None)
