"""Imported by a batch's forkserver, before it forks any worker (``Pool`` names it in the forkserver's preload).

When the batch put its rubric in the environment (``WARM_ENV``, the rubric's JSON: public data), every visible pool
case, its expected values and the known mistakes' values are computed here, once, while the Master is still
importing torch; the workers forked from this process start with them instead of each computing them again. The
variable is removed first, so no worker inherits it. Anything that goes wrong only leaves the caches cold.
"""

from __future__ import annotations

import os

WARM_ENV = "HW1_GRADER_WARM_RUBRIC"

_rubric = os.environ.pop(WARM_ENV, None)
if _rubric:
    try:
        from grader.engine import warm
        from grader.schemas import Rubric

        warm(Rubric.model_validate_json(_rubric))
    except Exception:  # noqa: BLE001 - a cache: the workers compute what they need
        pass
