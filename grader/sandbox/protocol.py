"""Framing of messages from the sandboxed child to the trusted parent. Standard library only.

A frame is ``>II`` (header length, blob length), a UTF-8 JSON header, then an optional binary blob (arrays in
the flat format of ``arrays.py``).
"""

from __future__ import annotations

import json
import os
import struct

HEAD = struct.Struct(">II")
MAX_HEADER = 4_000_000
MAX_BLOB = 64_000_000


def encode(header: dict, blob: bytes = b"") -> bytes:
    data = json.dumps(header, separators=(",", ":")).encode()
    return HEAD.pack(len(data), len(blob)) + data + blob


def write_frame(fd: int, header: dict, blob: bytes = b"") -> None:
    view = memoryview(encode(header, blob))
    while view:
        n = os.write(fd, view)
        view = view[n:]


class FrameReader:
    """Incremental decoder: feed bytes, take complete (header, blob) frames. Oversized frames raise ValueError."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[tuple[dict, bytes, bytes]]:
        """Complete frames as (parsed header, blob, the header's JSON text)."""
        self._buf += data
        frames = []
        while len(self._buf) >= HEAD.size:
            hlen, blen = HEAD.unpack_from(self._buf)
            if hlen > MAX_HEADER or blen > MAX_BLOB:
                raise ValueError(f"frame too large ({hlen} + {blen} bytes)")
            end = HEAD.size + hlen + blen
            if len(self._buf) < end:
                break
            raw = bytes(self._buf[HEAD.size:HEAD.size + hlen])
            header = json.loads(raw)
            if not isinstance(header, dict):
                raise ValueError("frame header is not a JSON object")
            frames.append((header, bytes(self._buf[HEAD.size + hlen:end]), raw))
            del self._buf[:end]
        return frames
