"""Attack: find the grader on disk (from the command line of the process that started this one, other processes'
command lines and a walk of the file system), read its reference solution, rubrics and other students'
submissions, and import the reference to compute every answer. Nothing is computed honestly: without the reference
every function returns a constant that is never right.

Expected: every Part 2 item scores 0 and nothing is printed as LEAK: the protected paths are out of reach
(Landlock, or the mount-namespace fallback, or file permissions checked before any student code runs).
"""

import importlib
import itertools
import os
import sys
import time

import numpy as np
import torch

REF = None
FOUND = set()
WRONG = 1234.5  # what the functions return without the reference: never the right value
CALLS = itertools.count()  # ... nor the same twice (so that it does not pass as "no gradient leaks" either)


def _grader_root(pid):
    """The checkout or site-packages holding the grader whose script process ``pid`` runs, or None."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            args = fh.read().split(b"\0")
    except OSError:
        return None
    for a in args:
        a = a.decode(errors="replace")
        if a.endswith(".py") and "/grader/" in a:
            return a[: a.rindex("/grader/")]
    return None


def _own_grader():
    """The grader running this very code: the nearest ancestor that is one of its scripts (the zygote)."""
    pid = os.getpid()
    while pid > 1:
        root = _grader_root(pid)
        if root:
            return root
        try:
            with open(f"/proc/{pid}/stat") as fh:
                pid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return None
    return None


def _roots_from_processes():
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        root = _grader_root(pid)
        if root:
            FOUND.add(root)


def _roots_from_walk(seconds=1.0):
    stop = time.monotonic() + seconds
    for top, dirs, files in os.walk("/"):
        if time.monotonic() > stop:
            return
        dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev")]
        if "reference" in dirs and ("rubrics" in dirs or "grader" in dirs):
            FOUND.add(top)


def _try_read(path):
    try:
        if os.path.isdir(path):
            return bool(os.listdir(path))
        with open(path, "rb") as fh:
            return bool(fh.read(64))
    except OSError:
        return False


OWN = _own_grader()
_roots_from_processes()
_roots_from_walk()
print("grading me:", OWN, "- other candidate grader folders:", sorted(FOUND - {OWN}))
for root in [OWN, *sorted(FOUND - {OWN})] if OWN else sorted(FOUND):
    for rel in ("reference/__init__.py", "reference/network.py", "rubrics", "grader/sandbox/zygote.py",
                "sample_submissions", "sample_submissions/correct_fall2020/mlp.py"):
        if _try_read(os.path.join(root, rel)):
            # another installation of the grader on the same machine is not this grader's secret
            print("LEAK read" if root == OWN else "also readable:", os.path.join(root, rel))
    try:
        sys.path.insert(0, root)
        REF = importlib.import_module("reference")
        REF.forward, REF.backward, REF.loss, REF.loss_grad  # an unreadable folder imports as an empty namespace
        print("LEAK imported the reference from", root)
        break
    except Exception as e:  # noqa: BLE001
        REF = None
        print("could not import the reference from", root, "-", type(e).__name__)
    finally:
        sys.path.remove(root)


def _params(net):
    return {k: v.detach().double().numpy() for k, v in net.parameters.items()}


class MLP:
    def __init__(self, linear_1_in_features, linear_1_out_features, f_function,
                 linear_2_in_features, linear_2_out_features, g_function):
        self.f_function, self.g_function = f_function, g_function
        self.parameters = dict(
            W1=torch.randn(linear_1_out_features, linear_1_in_features),
            b1=torch.randn(linear_1_out_features),
            W2=torch.randn(linear_2_out_features, linear_2_in_features),
            b2=torch.randn(linear_2_out_features),
        )
        self.grads = {"dJd" + k: torch.zeros_like(v) for k, v in self.parameters.items()}
        self.cache = dict()

    def forward(self, x):
        if REF is None:
            return torch.full((x.shape[0], self.parameters["W2"].shape[0]), WRONG)
        self.cache = REF.forward(_params(self), x.double().numpy(), self.f_function, self.g_function)
        return torch.from_numpy(self.cache["y_hat"])

    def backward(self, dJdy_hat):
        self.grads = {k: torch.full_like(v, WRONG + next(CALLS)) for k, v in self.grads.items()}
        if REF is not None:
            grads = REF.backward(_params(self), self.cache, dJdy_hat.double().numpy(), self.f_function,
                                 self.g_function)
            self.grads = {k: torch.from_numpy(np.asarray(v)) for k, v in grads.items()}

    def clear_grad_and_cache(self):
        self.grads = {k: torch.zeros_like(v) for k, v in self.grads.items()}
        self.cache = dict()


def _loss(name, y, y_hat):
    if REF is None:
        return torch.tensor(0.0), torch.zeros_like(y_hat)
    y, y_hat = y.double().numpy(), y_hat.double().numpy()
    return torch.tensor(REF.loss(name, y, y_hat)), torch.from_numpy(REF.loss_grad(name, y, y_hat))


def mse_loss(y, y_hat):
    return _loss("mse", y, y_hat)


def bce_loss(y, y_hat):
    return _loss("bce", y, y_hat)
