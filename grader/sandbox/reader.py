"""Trusted side: one job's frames and printed output, read as plain data under the job's time limits.

Everything here comes from a process that runs the student's code, so nothing is trusted:

- frames are size-capped (each by ``protocol``, all together by ``MAX_RESULT_BYTES``), JSON headers are parsed
  with their nesting bounded, and every string in them is made printable (no terminal escapes, no line breaks);
- arrays come in the flat format of ``arrays.py`` (float64 or uint8 only), checked against the data actually
  sent;
- a ``begin`` or ``result`` for an item (or module) the job did not ask for, a ``begin`` for one already done, a
  second result or import report, or a second ``confined`` frame, ends the job;
- the child imports its modules and runs the items in the order it was sent them, so each phase begins (and its
  clock starts) when the previous phase's frame arrives; the child needs no ``begin`` frame, and one restarts the
  clock only the first time a phase begins;
- hidden items go to the child only after a ``hold`` that follows every visible result, once the output pipe the
  student may see is closed; a hold before that, or a visible item's or an import's frame after it, ends the job;
- printed output is kept up to ``output_bytes`` (what is printed after the hold up to ``withheld_bytes``), made
  printable, and never parsed.
"""

from __future__ import annotations

import os
import re
import select
import time

from grader.sandbox.arrays import unpack
from grader.sandbox.job import Abort, JobLimits, JobOutcome
from grader.sandbox.protocol import FrameReader

MAX_RESULT_BYTES = 256 << 20
MAX_ARRAYS = 100_000
MAX_DEPTH = 16
DRAIN_BYTES = 4 << 20  # what a final or hold-time drain reads at most (a pipe holds 1 MB at most)
_CONTROL = {c: f"\\x{c:02x}" for c in [*range(32), 127, *range(0x80, 0xA0)] if c not in (9, 10)}
_CONTROL.update({c: f"\\u{c:04x}" for c in [0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]})


def printable(text: str, newlines: bool = True) -> str:
    """``text`` without terminal control sequences or bidirectional overrides; CR becomes a line break, and line
    breaks become spaces unless ``newlines``."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not newlines:
        text = text.replace("\n", " ")
    return text.translate(_CONTROL)


_STRINGS = re.compile(rb'"[^"]*"')
_PLAIN = re.compile(rb"[^\x20-\x7e]|\\")  # a byte outside printable ASCII, or a backslash (an escape)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_INNERMOST = re.compile(rb"\[\]|\{\}")


def plain(raw: bytes) -> bool:
    """True when the JSON text ``raw`` (valid, already parsed) is printable ASCII without escapes and nested at
    most MAX_DEPTH deep: ``clean`` would give its parsed value back unchanged, so it can be skipped."""
    if _PLAIN.search(raw):
        return False
    brackets = _STRINGS.sub(b"", raw).translate(None, _NOT_BRACKETS)  # no escapes, so no quote inside a string
    for _ in range(MAX_DEPTH + 1):  # each round removes the innermost level: MAX_DEPTH levels at most
        if not brackets:
            return True
        brackets = _INNERMOST.sub(b"", brackets)
    return False


def clean(value, depth: int = 0):
    """A parsed JSON header with every string made printable on one line. ValueError when nested too deep."""
    if depth > MAX_DEPTH:
        raise ValueError("a frame header is nested too deeply")
    if isinstance(value, str):
        return value if value.isascii() and value.isprintable() else printable(value, newlines=False)
    if isinstance(value, list):
        return [clean(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {str(k): clean(v, depth + 1) for k, v in value.items()}
    return value


class Reader:
    """Reads one job's frames and output until the job ends, a limit is hit or the child goes away.

    With hidden items (``held``: their specs and inputs, as bytes) the job has two parts. When every visible item has
    its result the child sends ``hold``; the reader then drains and closes the output pipe the student may see,
    and only then writes ``held`` to the child. What arrives afterwards on the withheld output pipe, or before on
    it, is ``outcome.withheld``; frames for visible items or imports are refused after the hold, frames for hidden
    items before it.
    """

    def __init__(self, fds: list[int], lim: JobLimits, items: dict[str, tuple[str, bool]], outcome: JobOutcome,
                 held: bytes | None = None) -> None:
        """fds: the result and output pipes (read ends), and with ``held`` also the pipe to write it to and the
        withheld output pipe; items: item id -> (the role (student module) it calls, whether it is hidden)."""
        self.res_r, self.out_r = fds[0], fds[1]
        self.held_w, self.wout_r = (fds[2], fds[3]) if held is not None else (-1, -1)
        for fd in fds:
            os.set_blocking(fd, False)
        self.lim = lim
        self.items = set(items)
        self.order = list(items)  # the order the child runs them in: visible ones first, hidden ones after the hold
        self.hidden = {i for i, (_, withheld) in items.items() if withheld}
        self.role_order = list(dict.fromkeys(role for role, _ in items.values()))
        self.roles = set(self.role_order)
        self.held = memoryview(held) if held is not None else None
        self.holding = False
        self.frames = FrameReader()
        self.outcome = outcome
        self.output = bytearray()
        self.withheld = bytearray()
        self.phase: tuple[str, str] | None = None
        self.begun: set[tuple[str, str]] = set()
        self.received = 0
        self.confined = False
        self.ended = False
        self.open_fds = {fd for fd in (self.res_r, self.out_r, self.wout_r) if fd >= 0}
        self.closed: set[int] = set()  # fds this reader closed (the caller closes the rest)
        self.start = time.monotonic()
        self.phase_deadline = self.start + self._limit(self._next_phase())

    def read(self) -> JobOutcome:
        job_deadline = self.start + self.lim.job_seconds
        while self.res_r in self.open_fds:
            now = time.monotonic()
            deadline = min(self.phase_deadline, job_deadline)
            if now >= deadline:
                self._abort(f"did not finish within {self._limit_text(deadline == job_deadline)}")
                self.outcome.abort.timed_out = deadline != job_deadline
                break
            writing = [self.held_w] if self.holding and self.held_w not in self.closed else []
            ready, can_write, _ = select.select(list(self.open_fds), writing, [], deadline - now)
            if can_write:
                self._send_held()
            for fd in ready:
                if fd not in self.open_fds:
                    continue  # closed by a hold handled earlier in this round
                try:
                    data = os.read(fd, 1 << 20)
                except BlockingIOError:  # a frame's handling drained the output pipe since the select
                    continue
                if not data:
                    self.open_fds.discard(fd)
                elif fd != self.res_r:
                    self._keep(data, fd == self.wout_r)
                elif self._feed(data):
                    self.open_fds.clear()
        else:
            if not self.ended and self.outcome.abort is None:
                self._abort("ended the process (sys.exit, os._exit or a crash)")
        for fd in (self.out_r, self.wout_r):
            if fd >= 0 and fd not in self.closed:
                self._drain(fd)
        self.outcome.output = printable(self.output.decode(errors="replace"))
        self.outcome.output_kept = len(self.output)
        self.outcome.withheld = printable(self.withheld.decode(errors="replace"))
        self.outcome.withheld_kept = len(self.withheld)
        return self.outcome

    def _limit(self, phase: tuple[str, str] | None) -> float:
        """A phase's time limit: an import's, or the item's own."""
        if phase is not None and phase[0] == "import" and self.lim.import_seconds is not None:
            return self.lim.import_seconds
        if phase is not None and phase[0] == "item" and self.lim.item_limits:
            return self.lim.item_limits.get(phase[1], self.lim.item_seconds)
        return self.lim.item_seconds

    def _limit_text(self, whole_job: bool) -> str:
        return f"{self.lim.job_seconds:g} s (the limit for a whole submission)" if whole_job \
            else f"{self._limit(self.phase):g} s"

    def _keep(self, data: bytes, withheld: bool) -> None:
        """Count and keep printed bytes; what is withheld has a room of its own, so it never changes how much of
        the visible output is kept."""
        if withheld:
            self.outcome.withheld_bytes += len(data)
            limit = self.lim.output_bytes if self.lim.withheld_bytes is None else self.lim.withheld_bytes
            room = limit - len(self.withheld)
        else:
            self.outcome.output_bytes += len(data)
            room = self.lim.output_bytes - len(self.output)
        if room > 0:
            (self.withheld if withheld else self.output).extend(data[:room])

    def _drain(self, fd: int) -> None:
        """Read what ``fd`` holds now: at most DRAIN_BYTES, as a pipe holds at most 1 MB (a child still writing as
        fast as it can must not keep the reader here)."""
        taken = 0
        while taken < DRAIN_BYTES:
            ready, _, _ = select.select([fd], [], [], 0)
            if not ready:
                return
            try:
                data = os.read(fd, 1 << 20)
            except BlockingIOError:
                return
            if not data:
                return
            taken += len(data)
            self._keep(data, fd == self.wout_r)

    def _close(self, fd: int) -> None:
        self.open_fds.discard(fd)
        self.closed.add(fd)
        os.close(fd)

    def _advance(self) -> None:
        """A phase is done, so the next has begun, and its clock starts now: the child imports its modules, then
        runs the items in the order it was given them (the visible ones; after the hold, the hidden ones), so it
        need not say ``begin`` (a ``begin`` for the phase begun here does not restart the clock)."""
        self.phase = self._next_phase()
        if self.phase is not None:
            self.begun.add(self.phase)
        self.phase_deadline = time.monotonic() + self._limit(self.phase)

    def _next_phase(self) -> tuple[str, str] | None:
        for role in self.role_order:
            if role not in self.outcome.imports:
                return ("import", role)
        for item in self.order:  # the visible items before the hold, the hidden ones after it
            if item not in self.outcome.results and (item in self.hidden) == self.holding:
                return ("item", item)
        return None

    def _hold(self) -> None:
        """Every visible item is done: keep what the student may see, close its pipe, then send the hidden items."""
        if self.held is None or self.holding:
            raise ValueError("an unexpected hold")
        if self.items - self.hidden - set(self.outcome.results):
            raise ValueError("a hold before every visible item was done")
        self._drain(self.out_r)
        self._close(self.out_r)
        self.holding = True
        self.outcome.held = True
        self._advance()  # the first hidden item, as soon as its inputs arrive
        self._send_held()

    def _send_held(self) -> None:
        assert self.held is not None
        try:
            while self.held:
                n = os.write(self.held_w, self.held[:1 << 16])
                self.held = self.held[n:]
        except BlockingIOError:
            return  # the rest when the pipe has room
        except OSError:
            self.held = self.held[:0]  # the child closed its end: it will not run the hidden items
        self._close(self.held_w)

    def _abort(self, what: str) -> None:

        if self.phase is None:  # after the confinement report, so it is the student's code (e.g. at import)
            self.outcome.abort = Abort("start", "", f"{what} outside any item")
            return
        kind, target = self.phase
        if kind == "import":
            self.outcome.abort = Abort("import", target, f"importing your {target} module {what}")
        else:
            self.outcome.abort = Abort("item", target, f"your code {what} during this item")

    def _feed(self, data: bytes) -> bool:
        """Handle new result bytes; True once the job is over."""
        self.received += len(data)
        try:
            if self.received > MAX_RESULT_BYTES:
                raise ValueError(f"more than {MAX_RESULT_BYTES >> 20} MB of results")
            frames = self.frames.feed(data)
            for header, blob, raw in frames:
                if self._frame(header if plain(raw) else clean(header), blob):
                    return True
        except Exception as e:  # noqa: BLE001  (malformed JSON, RecursionError, bad arrays: all the student's)
            self._abort(f"sent data the grader cannot read ({printable(str(e), newlines=False)[:200]})")
            return True
        return False

    def _frame(self, header: dict, blob: bytes) -> bool:
        kind = header.get("type")
        if not self.confined:
            if kind != "confined":
                raise ValueError("the sandbox did not report its confinement first")
            self.confined = True
            self.outcome.layers = [str(x) for x in header.get("layers") or []]
            self.outcome.exposed = [str(x) for x in header.get("exposed") or []]
            self._advance()  # the first import
        elif kind == "confined":
            raise ValueError("a second confinement report")
        elif kind == "begin":
            phase = (str(header.get("phase")), str(header.get("role") or header.get("item")))
            if phase not in {("import", r) for r in self.roles} | {("item", i) for i in self.items}:
                raise ValueError(f"began {phase[1][:60]!r}, which was not asked for")
            if self.holding != (phase[0] == "item" and phase[1] in self.hidden):
                raise ValueError(f"began {phase[1][:60]!r} out of order (hidden items come last)")
            if phase[1] in (self.outcome.results if phase[0] == "item" else self.outcome.imports):
                raise ValueError(f"began {phase[1][:60]!r} again after it was done")
            self.phase = phase
            if self.phase not in self.begun:
                self.begun.add(self.phase)
                self.phase_deadline = time.monotonic() + self._limit(self.phase)
        elif kind == "import":
            if self.holding:
                raise ValueError("an import after the hidden items began")
            role = str(header.get("role"))
            if role in self.outcome.imports:
                raise ValueError(f"a second import report for {role[:60]!r}")  # each one starts the next clock
            self.outcome.imports[role] = header
            self._advance()
        elif kind == "hold":
            self._hold()
        elif kind == "result":
            item = str(header.get("item"))
            if item not in self.items:
                raise ValueError(f"a result for {item[:60]!r}, which was not asked for")
            if self.holding != (item in self.hidden):
                raise ValueError(f"a result for {item[:60]!r} out of order (hidden items come last)")
            if item in self.outcome.results:
                raise ValueError(f"a second result for {item[:60]!r}")  # each one starts the next clock
            self.outcome.results[item] = (header, unpack(blob))
            self._advance()
        elif kind == "end":
            self.ended = True
            return True
        return False
