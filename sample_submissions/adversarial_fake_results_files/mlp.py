"""Attack: write a perfect Gradescope results.json wherever the real one might be (the working directory, /tmp,
../results, /autograder/results, $HOME), then os._exit(0) at import. The functions below are stubs.

Expected: every Part 2 item scores 0 ("importing your mlp module ended the process"); as root, no file appears
outside the job's scratch directory (which is deleted); the report comes from the grader, never from these files.
"""

import json
import os

import torch

FAKE = json.dumps({"score": 100.0, "output": "HW1-ADVERSARIAL-FAKE-RESULTS", "tests": []})
TARGETS = ["results.json", "/tmp/results.json", "../results/results.json", "../results.json",
           "/autograder/results/results.json", os.path.expanduser("~/results.json"), "/var/tmp/results.json",
           "/dev/shm/results.json"]
for target in TARGETS:
    try:
        os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
        with open(target, "w") as fh:
            fh.write(FAKE)
        print("wrote", os.path.abspath(target))
    except OSError as e:
        print("could not write", target, "-", type(e).__name__)
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
