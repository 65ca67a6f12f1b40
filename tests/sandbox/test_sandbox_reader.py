"""The trusted reader takes whatever the child sends as hostile data: capped, validated, printable, never a crash."""

from __future__ import annotations

import json
import os
import struct
import threading
import time

import numpy as np
import pytest

from grader.sandbox import reader
from grader.sandbox.client import JobLimits, JobOutcome
from grader.sandbox.protocol import encode
from grader.sandbox.arrays import pack
from grader.sandbox.reader import Reader, clean, printable

CONFINED = encode({"type": "confined", "layers": ["limits"], "exposed": []})
ITEMS = {"2.forward": ("mlp", False), "2.backward": ("mlp", False)}


def _blob(**arrays) -> bytes:
    return pack(arrays)


def _read(chunks: list[bytes], output: bytes = b"", item_seconds: float = 5.0, output_bytes: int = 1000,
          delay: float = 0.0):
    """Feed ``chunks`` (then EOF) to a Reader from a thread; returns (outcome, reader)."""
    res_r, res_w = os.pipe()
    out_r, out_w = os.pipe()

    def feed():
        try:
            for c in chunks:
                os.write(res_w, c)
                time.sleep(delay)
        except OSError:
            pass
        finally:
            os.close(res_w)

    def feed_output():
        try:
            os.write(out_w, output)
        except OSError:
            pass
        finally:
            os.close(out_w)

    threads = [threading.Thread(target=feed), threading.Thread(target=feed_output)]
    for t in threads:
        t.start()
    r = Reader([res_r, out_r], JobLimits(item_seconds, 30.0, 1024, output_bytes, 8, 1), ITEMS, JobOutcome())
    try:
        outcome = r.read()
    finally:
        os.close(res_r)
        os.close(out_r)
        for t in threads:
            t.join()
    return outcome, r


def test_printable_drops_terminal_control():
    text = printable("a\x1b[2J\rb\r\nc\u202ed\x07\te")
    assert text == "a\\x1b[2J\nb\nc\\u202ed\\x07\te"
    assert printable("one\ntwo", newlines=False) == "one two"


def test_clean_makes_every_string_one_printable_line_and_bounds_nesting():
    assert clean({"m": ["x\ny", {"k": "\x1b"}], "n": 3}) == {"m": ["x y", {"k": "\\x1b"}], "n": 3}
    deep: list = []
    for _ in range(100):
        deep = [deep]
    with pytest.raises(ValueError):
        clean({"a": deep})


def test_reader_takes_results_after_the_confinement_report():
    result = {"type": "result", "item": "2.forward", "cases": [], "autograd_calls": 0}
    chunks = [CONFINED, encode({"type": "begin", "phase": "item", "item": "2.forward"}),
              encode(result, _blob(y=np.ones(2))), encode({"type": "end"})]
    outcome, r = _read(chunks)
    assert outcome.abort is None and r.confined and outcome.layers == ["limits"]
    assert outcome.results["2.forward"][1]["y"].tolist() == [1.0, 1.0]


@pytest.mark.parametrize("bad, says", [
    ([encode({"type": "begin", "phase": "item", "item": "2.forward"})], "did not report its confinement"),
    ([CONFINED, CONFINED], "a second confinement report"),
    ([CONFINED, struct.pack(">II", 0xFFFFFFFF, 0)], "frame too large"),
    ([CONFINED, encode({"type": "result", "item": "9.bonus", "cases": []})], "not asked for"),
    ([CONFINED, encode({"type": "begin", "phase": "item", "item": "9.bonus"})], "not asked for"),
    ([CONFINED, encode({"type": "begin", "phase": "import", "role": "theory"})], "not asked for"),
    ([CONFINED, encode({"type": "result", "item": "2.forward", "cases": []}),
      encode({"type": "begin", "phase": "item", "item": "2.forward"})], "again after it was done"),
    ([CONFINED, struct.pack(">II", 200_000, 0) + b"[" * 100_000 + b"]" * 100_000], "recursion"),
    ([CONFINED, encode({"type": "result", "item": "2.forward", "cases": []}, b"garbage")], "cannot read"),
    ([CONFINED, encode({"type": "result", "item": "2.forward", "cases": []}),
      encode({"type": "result", "item": "2.forward", "cases": []})], "a second result"),
    ([CONFINED, encode({"type": "import", "role": "mlp", "ok": True, "errors": []}),
      encode({"type": "import", "role": "mlp", "ok": True, "errors": []})], "a second import report"),
])
def test_reader_ends_the_job_on_hostile_frames(bad, says):
    outcome, _ = _read(bad)
    assert outcome.abort is not None and says in outcome.abort.reason
    assert "grader cannot read" in outcome.abort.reason


def test_reader_caps_the_total_it_reads(monkeypatch):
    monkeypatch.setattr(reader, "MAX_RESULT_BYTES", 10_000)
    filler = encode({"type": "begin", "phase": "item", "item": "2.forward", "pad": "x" * 3000})
    outcome, _ = _read([CONFINED] + [filler] * 5)
    assert "more than 0 MB of results" in outcome.abort.reason


def test_repeated_begin_does_not_extend_the_item_limit():
    begin = encode({"type": "begin", "phase": "item", "item": "2.forward"})
    start = time.monotonic()
    outcome, _ = _read([CONFINED] + [begin] * 15, item_seconds=0.5, delay=0.15)
    assert outcome.abort is not None and "did not finish within 0.5 s" in outcome.abort.reason
    assert time.monotonic() - start < 1.5


IMPORTED = encode({"type": "import", "role": "mlp", "ok": True, "errors": []})
FORWARD_DONE = encode({"type": "result", "item": "2.forward", "cases": [], "autograd_calls": 0})


@pytest.mark.parametrize("chunks, phase", [([CONFINED], ("import", "mlp")),
                                           ([CONFINED, IMPORTED], ("item", "2.forward")),
                                           ([CONFINED, IMPORTED, FORWARD_DONE], ("item", "2.backward"))])
def test_without_begin_frames_the_next_phase_has_begun_once_the_previous_one_is_done(chunks, phase):
    """The child sends no begin frames: a hang after the confinement report is the import's, after the import the
    first item's, after an item's result the next one's."""
    outcome, _ = _read([b"".join(chunks)], item_seconds=0.5, delay=1.5)  # then silence, the pipe still open
    assert outcome.abort is not None and (outcome.abort.phase, outcome.abort.target) == phase
    assert "did not finish within 0.5 s" in outcome.abort.reason


def test_a_crash_between_items_is_the_next_items():
    outcome, _ = _read([CONFINED, IMPORTED, FORWARD_DONE])
    assert outcome.abort is not None and (outcome.abort.phase, outcome.abort.target) == ("item", "2.backward")
    assert "ended the process" in outcome.abort.reason


def test_output_is_capped_counted_and_printable():
    printed = b"\x1b[2Jfake score 55/55\r\n" * 10_000
    outcome, _ = _read([CONFINED, encode({"type": "end"})], output=printed, output_bytes=500, delay=0.3)
    assert outcome.output_bytes == len(printed)
    assert len(outcome.output) <= 500 * 4 and "\x1b" not in outcome.output and "\r" not in outcome.output
    assert json.dumps(outcome.output)  # plain text


def test_output_and_a_begin_frame_ready_together_never_block_the_reader():
    """Both pipes ready at once: whatever handling a frame does, reading output must never block (the student's
    code still holds the output pipe open, so a blocking read would wait for ever)."""
    res_r, res_w = os.pipe()
    out_r, out_w = os.pipe()
    os.write(out_w, b"printed before the item\n")
    os.write(res_w, CONFINED + encode({"type": "begin", "phase": "item", "item": "2.forward"}))

    def finish():
        time.sleep(0.3)
        os.write(res_w, encode({"type": "end"}))
        os.close(res_w)

    threading.Thread(target=finish).start()
    r = Reader([res_r, out_r], JobLimits(5.0, 30.0, 1024, 1000, 8, 1), ITEMS, JobOutcome())
    box = {}
    reading = threading.Thread(target=lambda: box.setdefault("outcome", r.read()), daemon=True)
    reading.start()
    reading.join(5)
    blocked = reading.is_alive()
    os.close(out_w)  # only now: a reader blocked on the output pipe is released
    reading.join(5)
    os.close(res_r)
    os.close(out_r)
    assert not blocked, "the reader blocked on the output pipe"
    outcome = box["outcome"]
    assert outcome.abort is None and r.ended
    assert outcome.output == "printed before the item\n" and outcome.output_kept == len(outcome.output)


# ------------------------------------------------------------------------------------------ hidden items (hold)
HELD_ITEMS = {"2.forward": ("mlp", False), "2.hidden": ("mlp", True)}


def _result(item: str) -> bytes:
    return encode({"type": "result", "item": item, "cases": [], "autograd_calls": 0})


def _read_held(script, held: bytes = b"HIDDEN-INPUTS" * 10_000):
    """A Reader for a job with a hidden item. ``script(res_w, out_w, held_r, wout_w)`` plays the child in a thread
    (it must close res_w). Returns (outcome, reader, what the child could read from the held pipe)."""
    res_r, res_w = os.pipe()
    out_r, out_w = os.pipe()
    held_r, held_w = os.pipe()
    wout_r, wout_w = os.pipe()
    got = {}

    def child():
        try:
            got["held"] = script(res_w, out_w, held_r, wout_w)
        finally:
            for fd in (res_w, out_w, held_r, wout_w):
                try:
                    os.close(fd)
                except OSError:
                    pass

    t = threading.Thread(target=child)
    t.start()
    r = Reader([res_r, out_r, held_w, wout_r], JobLimits(5.0, 30.0, 1024, 100_000, 8, 1), HELD_ITEMS,
               JobOutcome(), held)
    try:
        outcome = r.read()
    finally:
        for fd in {res_r, out_r, held_w, wout_r} - r.closed:
            os.close(fd)
        t.join()
    return outcome, r, got.get("held")


def _read_all(fd: int) -> bytes:
    data = b""
    while chunk := os.read(fd, 1 << 16):
        data += chunk
    return data


def test_after_the_visible_items_a_hold_closes_the_visible_output_and_then_sends_the_hidden_items():
    held = b"HIDDEN-INPUTS" * 10_000  # more than a pipe holds: written as the child reads

    def child(res_w, out_w, held_r, wout_w):
        os.write(res_w, CONFINED + encode({"type": "begin", "phase": "item", "item": "2.forward"}))
        os.write(out_w, b"visible line\n")
        os.write(res_w, _result("2.forward") + encode({"type": "hold"}))
        data = _read_all(held_r)  # EOF only once the reader has sent it all
        with pytest.raises(BrokenPipeError):
            os.write(out_w, b"too late for the student\n")  # the reader closed the visible pipe before sending
        os.write(wout_w, b"hidden line\n")
        os.write(res_w, encode({"type": "begin", "phase": "item", "item": "2.hidden"}) + _result("2.hidden")
                 + encode({"type": "end"}))
        os.close(res_w)
        return data

    outcome, r, got = _read_held(child, held)
    assert outcome.abort is None and got == held
    assert set(outcome.results) == {"2.forward", "2.hidden"}
    assert outcome.output == "visible line\n" and outcome.withheld == "hidden line\n"


@pytest.mark.parametrize("frames, says, sent", [
    ([encode({"type": "hold"})], "a hold before every visible item was done", False),
    ([encode({"type": "begin", "phase": "item", "item": "2.hidden"})], "out of order", False),
    ([_result("2.hidden")], "out of order", False),
    ([_result("2.forward"), encode({"type": "hold"}), encode({"type": "hold"})], "an unexpected hold", True),
    ([_result("2.forward"), encode({"type": "hold"}), _result("2.forward")], "out of order", True),
    ([_result("2.forward"), encode({"type": "hold"}),
      encode({"type": "import", "role": "mlp", "ok": True, "errors": []})], "an import after", True),
])
def test_hidden_items_are_sent_only_once_every_visible_item_is_done(frames, says, sent):
    def child(res_w, out_w, held_r, wout_w):
        os.write(res_w, CONFINED + b"".join(frames))
        os.set_blocking(held_r, False)
        time.sleep(0.2)
        try:
            data = os.read(held_r, 1 << 16)
        except BlockingIOError:
            data = b""
        os.close(res_w)
        return data

    outcome, _, got = _read_held(child)
    assert outcome.abort is not None and says in outcome.abort.reason
    assert bool(got) == sent  # nothing hidden goes out before a hold that follows every visible result


@pytest.mark.parametrize("value", [
    {"type": "result", "item": "2.forward", "cases": [{"outputs": {"y": {"kind": "array", "shape": [2, 3]}}}]},
    {"m": "x\ny", "k": "\x1b[2J"}, {"s": "caf\u00e9 \u202e"}, {"s": "[[[[{{{{"},
    {"a": [[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]},
    {"a": [[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]}, {"a": [[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]}, {"q": "a \"quoted\" [word]"}, {},
])
def test_plain_headers_skip_cleaning_only_when_cleaning_would_change_nothing(value):
    raw = json.dumps(value).encode()
    if reader.plain(raw):
        assert clean(json.loads(raw)) == json.loads(raw)
    else:
        try:
            changed = clean(json.loads(raw)) != json.loads(raw)
        except ValueError:
            changed = True  # nested too deeply: plain() must not pass it
        assert changed or b"\\" in raw, raw  # escapes alone may be harmless, and go through clean anyway
    assert reader.plain(json.dumps(value).encode()) == (json.dumps(value).isascii() and "\\" not in json.dumps(value)
                                                       and _depth(value) <= reader.MAX_DEPTH)


def _depth(v) -> int:
    if isinstance(v, dict):
        return 1 + max((_depth(x) for x in v.values()), default=0)
    if isinstance(v, list):
        return 1 + max((_depth(x) for x in v), default=0)
    return 0


@pytest.mark.parametrize("levels", range(14, 20))
def test_plain_never_passes_a_header_that_clean_would_refuse(levels):
    value = 1
    for i in range(levels):  # lists and objects in turn: each level counts once
        value = [value] if i % 2 else {"k": value}
    raw = json.dumps(value).encode()
    assert reader.plain(raw) == (levels <= reader.MAX_DEPTH)
    if reader.plain(raw):
        assert clean(json.loads(raw)) == json.loads(raw)
    else:
        with pytest.raises(ValueError):
            clean(json.loads(raw))


def test_a_child_that_never_stops_printing_cannot_keep_the_reader_draining():
    """After a time-out the reader drains what the output pipe holds; a child still printing as fast as it can
    (here ``yes``, another process) must not keep it there (the child is killed once the reader returns)."""
    import subprocess

    res_r, res_w = os.pipe()
    out_r, out_w = os.pipe()
    os.write(res_w, CONFINED + encode({"type": "begin", "phase": "item", "item": "2.forward"}))
    flood = subprocess.Popen(["yes", "x" * 4000], stdout=out_w)
    os.close(out_w)
    r = Reader([res_r, out_r], JobLimits(0.3, 30.0, 1024, 1000, 8, 1), ITEMS, JobOutcome())
    start = time.monotonic()
    try:
        outcome = r.read()
    finally:
        flood.kill()
        flood.wait()
        os.close(res_r)
        os.close(res_w)
        os.close(out_r)
    assert "did not finish within 0.3 s" in outcome.abort.reason
    assert time.monotonic() - start < 3 and outcome.output_bytes > 0
