"""The flat array format that crosses the sandbox boundary: round trip, and refusal of malformed data."""

import json
import struct

import numpy as np
import pytest

from grader.sandbox.arrays import pack, unpack


def test_round_trip_of_float_and_text_arrays():
    arrays = {"a": np.arange(6.0).reshape(2, 3), "J": np.asarray(1.5), "t": np.frombuffer(b"hello", np.uint8),
              "empty": np.zeros((0, 4)), "f32": np.ones(3, dtype=np.float32)}
    out = unpack(pack(arrays))
    assert list(out) == list(arrays)
    for k, v in arrays.items():
        assert out[k].shape == v.shape and np.array_equal(out[k], v)
    assert bytes(out["t"]) == b"hello" and out["f32"].dtype == np.float64
    assert not out["a"].flags.writeable
    assert unpack(b"") == {}


def _raw(index, data: bytes) -> bytes:
    head = json.dumps(index).encode()
    return struct.pack("<I", len(head)) + head + data


@pytest.mark.parametrize("blob, match", [
    (_raw([["a", [10 ** 9], "f8"]], b"\0" * 8), "larger than the data"),
    (_raw([["a", [1], "f8"]], b"\0" * 16), "does not match"),
    (_raw([["a", [1], "O"]], b"\0" * 8), "malformed"),
    (_raw([["a", [-1], "f8"]], b""), "bad shape"),
    (_raw([["a", [1], "f8"], ["a", [1], "f8"]], b"\0" * 16), "twice"),
    (_raw({"a": 1}, b""), "not a list"),
    (struct.pack("<I", 999) + b"[]", "longer than the data"),
    (b"\x01", "too short"),
])
def test_malformed_data_is_refused(blob, match):
    with pytest.raises(ValueError, match=match):
        unpack(blob)


def test_a_pack_cache_gives_the_same_bytes_and_keeps_only_read_only_arrays():
    frozen = np.linspace(0, 1, 6).reshape(2, 3)
    frozen.setflags(write=False)
    live = np.ones(4)
    cache: dict = {}
    first = pack({"a": frozen, "b": live}, cache)
    assert first == pack({"a": frozen, "b": live}) == pack({"a": frozen, "b": live}, cache)
    assert list(cache) == [id(frozen)]  # a writable array may change: never cached
    live[0] = 7.0
    assert unpack(pack({"b": live}, cache))["b"][0] == 7.0


def test_the_childs_unpack_of_its_inputs_gives_what_the_checked_unpack_gives():
    from grader.sandbox.arrays import unpack_inputs

    arrays = {"i0c0/x": np.arange(6.0).reshape(2, 3), "i0c0/b": np.array(2.5), "t": np.arange(5, dtype=np.uint8),
              "e": np.zeros((0, 3))}
    blob = pack(arrays)
    fast, checked = unpack_inputs(blob), unpack(blob)
    assert list(fast) == list(checked) == list(arrays)
    for k in arrays:
        assert fast[k].dtype == checked[k].dtype and fast[k].shape == checked[k].shape
        assert np.array_equal(fast[k], checked[k]) and not fast[k].flags.writeable
    assert unpack_inputs(b"") == {}
