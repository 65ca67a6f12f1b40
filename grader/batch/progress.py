"""A progress line on stderr: counts, rate and the time left. Redrawn in place on a terminal; elsewhere (a log
file, CI) one line every few seconds."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def clock(seconds: float) -> str:
    s = max(0, round(seconds))
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


class Progress:
    """total: entries in the batch; already: recorded by an earlier run (not graded again)."""

    WIDTH = 28

    def __init__(self, total: int, already: int = 0, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.total, self.already = total, already
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.graded = self.errors = 0
        self.start = time.monotonic()
        self.last_draw = 0.0

    @property
    def done(self) -> int:
        return self.already + self.graded

    def rate(self) -> float:
        elapsed = time.monotonic() - self.start
        return self.graded / elapsed if elapsed > 0 else 0.0

    def line(self) -> str:
        frac = self.done / self.total if self.total else 1.0
        bar = "#" * int(frac * self.WIDTH)
        left = self.total - self.done
        rate = self.rate()
        eta = clock(left / rate) if rate > 0 else "--:--"
        errors = f", {self.errors} grader error{'s' * (self.errors != 1)}" if self.errors else ""
        return (f"[{bar:<{self.WIDTH}}] {self.done}/{self.total} ({frac:.0%}){errors}  {rate:.1f}/s  "
                f"left {eta}")

    def advance(self, error: bool = False) -> None:
        self.graded += 1
        self.errors += error
        now = time.monotonic()
        if now - self.last_draw >= (0.1 if self.tty else 5.0) or self.done == self.total:
            self.draw()

    def draw(self) -> None:
        if self.quiet:
            return
        self.last_draw = time.monotonic()
        if self.tty:
            self.stream.write("\r" + self.line() + "\033[K")
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if not self.quiet and self.tty:
            self.stream.write("\n")
            self.stream.flush()
