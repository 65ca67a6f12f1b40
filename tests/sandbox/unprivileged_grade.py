"""Grade samples as an unprivileged user and print one JSON line per sample (used by test_unprivileged.py).

    python unprivileged_grade.py MODE SAMPLE...     MODE: landlock (the default Sandbox) or userns (no Landlock)

Run through ``setpriv`` as an ordinary user; the only capability it keeps (CAP_DAC_READ_SEARCH, to reach a Python
installed under /root) is one the sandbox must drop before the student's code runs.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from grader.engine import grade  # noqa: E402
from grader.sandbox.client import Sandbox  # noqa: E402
from grader.sandbox.procs import descendants  # noqa: E402
from sandbox_helpers import SAMPLES, litter, part2_rubric  # noqa: E402


#: what the grader itself makes in /tmp as this same user: its scratch folders (this run's and a concurrent run's)
#: and torch's cache folder (made when the zygote imports torch)
GRADERS = ("hw1-sandbox-", "torchinductor_")


def main(mode: str, names: list[str]) -> None:
    rubric = part2_rubric()
    with Sandbox(landlock=(mode == "landlock")) as sb:
        for name in names:
            start = time.time()
            report = grade(SAMPLES / name, rubric, sandbox=sb)
            print(json.dumps({"name": name, "uid": os.getuid(), "layers": sb.layers, "left": descendants(sb.pid),
                              "litter": [p for p in litter(os.getuid(), start) if not os.path.basename(p).startswith(GRADERS)], "seconds": time.time() - start,
                              "report": report.model_dump(mode="json")}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
