"""Rubric policies that are not items: lateness, inputs changed in place, packages beyond the grader's own."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InPlace(_Strict):
    """What changing the caller's inputs in place costs (``x -= ...``, ``x.t_()``, a parameter overwritten in
    forward). The course's own tests reuse x, y and the parameters after calling the student's code (to build the
    autograd reference), so work that changes them fails there even when its own values are right.

    cost: ``"checks"`` -- the checks of every case whose inputs were changed fail (all of a case's quantities
    depend on all of its inputs), as they would in the course's tests; or a number in [0, 1] -- the item keeps its
    checks and loses that fraction of its points (0: named in the feedback, nothing taken off).
    """

    cost: Literal["checks"] | float = "checks"

    @field_validator("cost")
    @classmethod
    def _fraction(cls, v):
        if not isinstance(v, str) and not 0 <= v <= 1:
            raise ValueError(f'must be "checks" or a fraction of the item\'s points in [0, 1], got {v!r}')
        return v


#: Packages real solutions import and seldom use, none of which the homework needs: without them an unused import
#: would stop the whole module.
STAND_INS = ("pandas", "seaborn", "tqdm", "IPython", "ipywidgets", "sklearn", "scipy", "cv2", "PIL", "plotly",
             "wandb", "tensorboard", "torchvision", "google.colab", "jax", "numba", "h5py", "imageio", "skimage")


class Packages(_Strict):
    """Packages beyond the grader's own (numpy, torch, matplotlib).

    stand_in: when the student's code imports one of these and it is not installed, the import gives a stand-in
    that fails only when the code really uses it (the report notes it); a package that is installed is always the
    real one. install: pip requirement strings the Gradescope autograder's setup.sh installs as well, for a course
    that wants its students to use them.
    """

    stand_in: list[str] = Field(default_factory=lambda: list(STAND_INS), max_length=200)
    install: list[str] = Field(default_factory=list, max_length=50)

    @field_validator("stand_in")
    @classmethod
    def _names(cls, v: list[str]) -> list[str]:
        bad = [n for n in v if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*", n)]
        if bad:
            raise ValueError(f"not importable module names: {bad}")
        protected = [n for n in v if n.split(".")[0] in ("numpy", "torch", "matplotlib", "grader", "reference")]
        if protected:
            raise ValueError(f"{protected}: the grader's own packages cannot be stood in for")
        return v

    @field_validator("install")
    @classmethod
    def _requirements(cls, v: list[str]) -> list[str]:
        bad = [r for r in v if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._\-]*(\[[A-Za-z0-9,._\-]+\])?"
                                                 r"\s*([<>=!~]=?\s*[A-Za-z0-9.*+!_\-]+\s*,?\s*)*", r)]
        if bad:
            raise ValueError(f"not pip requirements (name, optionally a version like ==1.2): {bad}")
        return v


class LateStep(_Strict):
    """Submitted at most ``hours`` after the due date: the score loses ``penalty`` (a fraction of it)."""

    hours: float = Field(gt=0)
    penalty: float = Field(ge=0, le=1)


class LatePolicy(_Strict):
    """How lateness changes the score. Lateness is the submission time minus the due date, both as Gradescope
    records them (never the clock of the machine that grades).

    ``grace_minutes`` late still counts as on time; then the first step whose ``hours`` covers the lateness applies;
    later than every step, ``penalty_after`` applies (1.0: nothing is kept).
    """

    grace_minutes: float = Field(0.0, ge=0)
    steps: list[LateStep] = Field(default_factory=list)
    penalty_after: float = Field(1.0, ge=0, le=1)

    @field_validator("steps")
    @classmethod
    def _increasing(cls, v: list[LateStep]) -> list[LateStep]:
        hours = [s.hours for s in v]
        if hours != sorted(set(hours)):
            raise ValueError(f"steps must have strictly increasing hours, got {hours}")
        return v
