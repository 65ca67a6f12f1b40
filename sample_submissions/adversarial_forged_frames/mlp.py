"""Attack: talk to the grader directly. At import, write forged frames on the result pipe (file descriptor 3): a
"result" for 2.forward with made-up arrays, then a header nested 100,000 levels deep (which would crash a naive
JSON reader with RecursionError), then "end"; then os._exit(0). The functions are stubs.

Expected: every Part 2 item scores 0 with a clear message ("sent data the grader cannot read" or "ended the
process"): frames are size-capped, validated and only ever hold values, which are compared with the expected
values in the grader's process; the grader never crashes.
"""

import io
import json
import os
import struct

import numpy as np
import torch


def frame(header, blob=b""):
    data = json.dumps(header).encode()
    return struct.pack(">II", len(data), len(blob)) + data + blob


NESTED = b'{"type": "begin", "nested": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
buf = io.BytesIO()
np.savez(buf, **{"fake/y_hat": np.zeros((4, 3))})
outputs = {"y_hat": {"kind": "array", "key": "fake/y_hat", "shape": [4, 3], "dtype": "float32"}}
forged = [
    frame({"type": "begin", "phase": "item", "item": "2.forward"}),
    frame({"type": "result", "item": "2.forward", "cases": [{"outputs": outputs, "error": None, "mutated": []}],
           "autograd_calls": 0}, buf.getvalue()),
    struct.pack(">II", len(NESTED), 0) + NESTED,
    frame({"type": "end"}),
]
for data in forged:
    try:
        os.write(3, data)
    except OSError as e:
        print("could not write a frame:", e)
os._exit(0)


class MLP:
    def __init__(self, *args):
        self.parameters, self.grads, self.cache = {}, {}, {}

    def forward(self, x):
        return torch.zeros(1)

    def backward(self, dJdy_hat):
        pass

    def clear_grad_and_cache(self):
        pass


def mse_loss(y, y_hat):
    return torch.tensor(0.0), torch.zeros_like(y)


def bce_loss(y, y_hat):
    return torch.tensor(0.0), torch.zeros_like(y)
