"""Where one submission's grading time goes, with a warm sandbox, one submission at a time.

    python benchmarks/profile_grading.py                      # the first 100 of a generated class
    python benchmarks/profile_grading.py -n 40 sample_submissions/correct_fall2020 ...

Prints per submission: wall time, CPU of this (the worker's) process, CPU of the zygote and its children (the
children's user and system time and minor page faults, from /proc/ZYGOTE/stat once they are reaped), and the wall
time between the child's frames as the reader receives them (fork to ``confined``, each import and item). Meant for
comparing a change with the one before it on a quiet machine: the benchmark (bench_batch.py) gives the figures
that count.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))


def _zygote_stat(pid: int) -> list[int]:
    """minflt, cminflt, utime, stime, cutime, cstime (ticks) of ``pid``."""
    with open(f"/proc/{pid}/stat") as fh:
        f = fh.read().rsplit(")", 1)[1].split()
    return [int(f[7]), int(f[8]), *(int(x) for x in f[11:15])]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", help="submissions (default: a class generated from sample_submissions)")
    ap.add_argument("-n", type=int, default=100, help="how many submissions (default 100)")
    args = ap.parse_args()

    import bench_batch
    import grader.sandbox.reader as reader
    from grader.engine import grade
    from grader.rubric import load_rubric
    from grader.sandbox.client import Sandbox
    from grader.sandbox.master import BATCH_PRELOAD

    paths = [Path(p) for p in args.paths]
    if not paths:
        src = Path(tempfile.mkdtemp(prefix="profile-")) / "class"
        bench_batch.make_py(src, args.n, seed=args.n)
        paths = sorted(src.iterdir())
    paths = (paths * (args.n // len(paths) + 1))[:args.n]

    gaps: collections.Counter = collections.Counter()
    counts: collections.Counter = collections.Counter()
    original = reader.Reader._frame

    def timed(self, header, blob):
        now = time.monotonic()
        kind = str(header.get("type"))
        key = kind + (":" + str(header.get("item") or header.get("role") or "") if kind in ("result", "import")
                      else "")
        gaps[key] += now - getattr(self, "_last", self.start)
        counts[key] += 1
        self._last = now
        return original(self, header, blob)

    rubric = load_rubric()
    with Sandbox(preload=BATCH_PRELOAD) as sb:
        grade(paths[0], rubric, sandbox=sb)  # warm: the first job pays for what later ones share
        sb.settle()
        reader.Reader._frame = timed
        z0, t0, c0 = _zygote_stat(sb.pid), time.perf_counter(), time.process_time()
        for p in paths:
            grade(p, rubric, sandbox=sb)
        sb.settle()
        wall, cpu, z1 = time.perf_counter() - t0, time.process_time() - c0, _zygote_stat(sb.pid)
        reader.Reader._frame = original
    n, tick = len(paths), 1000 / os.sysconf("SC_CLK_TCK")
    d = [b - a for a, b in zip(z0, z1)]
    print(f"{n} submissions, one at a time: wall {1000 * wall / n:.1f} ms/sub")
    print(f"  worker process CPU       {1000 * cpu / n:6.1f} ms/sub")
    print(f"  zygote CPU (forking)     {(d[2] + d[3]) * tick / n:6.1f} ms/sub")
    print(f"  children CPU user/system {d[4] * tick / n:6.1f} / {d[5] * tick / n:.1f} ms/sub, "
          f"{d[1] / n:.0f} minor page faults/sub")
    print("  wall time before each frame (summed over submissions, per submission):")
    for key, secs in sorted(gaps.items(), key=lambda kv: -kv[1]):
        print(f"    {key:<34} {1000 * secs / n:6.2f} ms  ({counts[key]} frames)")


if __name__ == "__main__":
    main()
