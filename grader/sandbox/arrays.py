"""A flat binary format for the arrays that cross the sandbox boundary, in both directions.

    [u32 index length][index: JSON list of [name, shape, dtype]][data: each array's bytes, padded to 8]

dtype is "f8" (float64) or "u1" (uint8, used for text answers), little-endian. Packing is one ``tobytes`` per
array; unpacking is one ``frombuffer`` per array (read-only views of the received bytes): no zip archive, no
per-array header parsing, nothing that could unpickle. Every field of an untrusted index is checked against the
data actually sent.
"""

from __future__ import annotations

import json
import struct

import numpy as np

DTYPES = {"f8": np.dtype("<f8"), "u1": np.dtype("u1")}
MAX_ARRAYS = 100_000
MAX_NDIM = 8
_LEN = struct.Struct("<I")


def _chunk(a: np.ndarray) -> tuple[list[int], str, bytes]:
    a = np.asarray(a, dtype=np.uint8 if a.dtype == np.uint8 else "<f8", order="C")
    data = a.tobytes()
    return list(a.shape), "u1" if a.dtype == np.uint8 else "f8", data + b"\0" * (-len(data) % 8)


def pack(arrays: dict[str, np.ndarray], cache: dict | None = None) -> bytes:
    """{name: array} -> bytes. Arrays are stored as float64, except uint8 ones.

    cache: a dict that keeps each read-only array's bytes for later calls (a class shares its cases' inputs); it
    holds the array too, so its id cannot be reused while the entry exists."""
    index, chunks = [], []
    for name, a in arrays.items():
        if cache is not None and not a.flags.writeable:
            hit = cache.get(id(a))
            if hit is None or hit[0] is not a:
                hit = cache[id(a)] = (a, _chunk(a))
            shape, code, data = hit[1]
        else:
            shape, code, data = _chunk(a)
        index.append([name, shape, code])
        chunks.append(data)
    head = json.dumps(index, separators=(",", ":")).encode()
    return _LEN.pack(len(head)) + head + b"".join(chunks)


def _nbytes(shape: list[int], code: str) -> int:
    count = 1
    for n in shape:
        count *= n
    return count * DTYPES[code].itemsize


def _arrays(index, data: memoryview) -> dict[str, np.ndarray]:
    """{name: read-only view of ``data``} for an index of (name, shape, code[, nbytes]), each array padded to 8
    bytes."""
    out, offset = {}, 0
    for entry in index:
        name, shape, code = entry[0], entry[1], entry[2]
        dtype = DTYPES[code]
        nbytes = entry[3] if len(entry) > 3 else _nbytes(shape, code)
        out[name] = np.frombuffer(data, dtype=dtype, count=nbytes // dtype.itemsize, offset=offset).reshape(shape)
        offset += nbytes + (-nbytes % 8)
    return out


def unpack_inputs(blob: bytes) -> dict[str, np.ndarray]:
    """``unpack`` for the child reading its job's inputs, which the trusted parent packed: the same result without
    checking the index (the parent's ``unpack`` of what a child sends checks everything)."""
    if not blob:
        return {}
    (hlen,) = _LEN.unpack_from(blob)
    return _arrays(json.loads(blob[_LEN.size:_LEN.size + hlen]), memoryview(blob)[_LEN.size + hlen:])


def unpack(blob: bytes) -> dict[str, np.ndarray]:
    """bytes -> {name: read-only array}. ValueError for anything malformed or inconsistent."""
    if not blob:
        return {}
    if len(blob) < _LEN.size:
        raise ValueError("array data too short")
    (hlen,) = _LEN.unpack_from(blob)
    if hlen > len(blob) - _LEN.size:
        raise ValueError("array index longer than the data")
    index = json.loads(blob[_LEN.size:_LEN.size + hlen])
    if not isinstance(index, list) or len(index) > MAX_ARRAYS:
        raise ValueError("array index is not a list of arrays")
    data = memoryview(blob)[_LEN.size + hlen:]
    entries, seen, offset = [], set(), 0
    for entry in index:
        name, shape, code = _entry(entry)
        if name in seen:
            raise ValueError(f"array {name[:60]!r} sent twice")
        seen.add(name)
        nbytes = _nbytes(shape, code)
        if offset + nbytes > len(data):
            raise ValueError(f"array {name[:60]!r} is larger than the data sent")
        offset += nbytes + (-nbytes % 8)
        entries.append((name, shape, code, nbytes))
    if offset != len(data):
        raise ValueError("array data does not match its index")
    return _arrays(entries, data)


def _entry(entry) -> tuple[str, list[int], str]:
    if not (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], str)
            and isinstance(entry[1], list) and entry[2] in DTYPES):
        raise ValueError("malformed array index entry")
    shape = entry[1]
    if len(shape) > MAX_NDIM:
        raise ValueError(f"bad shape for array {entry[0][:60]!r}")
    for n in shape:
        if type(n) is not int or not 0 <= n < 2**31:
            raise ValueError(f"bad shape for array {entry[0][:60]!r}")
    return entry[0], shape, entry[2]
