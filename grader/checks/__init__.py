"""What each kind of check needs: how to draw its inputs, what it compares, and the expected values.

A rubric item names its check kind (``check = "backward"``). The sandbox side has the matching caller in
``grader/sandbox/calls_*.py``; the names here and there must agree (a test pins it).
"""

from grader.checks.kind import (CHECKS, CheckKind, Detector, Expected, Inputs, Scorer, StaticScorer, cases_for,
                                register)
from grader.checks import answers, layout, part2, theory  # noqa: E402,F401  (each module registers its kinds)

__all__ = ["CHECKS", "CheckKind", "Detector", "Expected", "Inputs", "Scorer", "StaticScorer", "cases_for", "register"]
