"""Attack: change the grader for the next runs: find the grader's files from other processes' command lines, then
try to append to the sandbox's own scripts, the reference solution and the rubrics, to /autograder/run_autograder,
to create a module in site-packages (imported by the next Python), and to loosen permissions with chmod. A file
it manages to create is removed at once and an append writes nothing, so a failing sandbox shows up as a LEAK
line rather than as damage. The implementation is correct.

Expected: full credit, no LEAK, every file unchanged: as root the files belong to root and Landlock allows writing
only in the scratch directory; seccomp forbids the rest.
"""

import os
import site
import sys

import torch

TARGETS = set()
for pid in (p for p in os.listdir("/proc") if p.isdigit()):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            args = [a.decode(errors="replace") for a in fh.read().split(b"\0")]
    except OSError:
        continue
    for a in args:
        if a.endswith("/grader/sandbox/zygote.py"):
            sandbox = os.path.dirname(a)
            root = os.path.dirname(os.path.dirname(sandbox))
            TARGETS.update([a, os.path.join(sandbox, "harness.py"), os.path.join(sandbox, "client.py"),
                            os.path.join(root, "reference", "__init__.py"), os.path.join(root, "reference", "network.py"),
                            os.path.join(root, "rubrics", "fall2020.toml")])
TARGETS.update(["/autograder/run_autograder", "/autograder/source/run_autograder", "/etc/passwd"])
print("targets:", sorted(TARGETS))
for path in sorted(TARGETS):
    try:
        with open(path, "a"):
            pass  # opened for writing: enough to show the hole, and nothing is written
        print("LEAK opened for writing:", path)
    except OSError as e:
        print("blocked append", path, "-", type(e).__name__)
    try:
        os.chmod(path, 0o777)
        print("LEAK chmod:", path)
    except OSError as e:
        print("blocked chmod", path, "-", type(e).__name__)
for folder in {*site.getsitepackages(), os.path.dirname(os.__file__), "..", "/tmp", "/usr/local/bin"}:
    probe = os.path.join(folder, "hw1_adversarial_probe.py")
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.close(fd)
        os.unlink(probe)
        print("LEAK created a file in", folder)
    except OSError as e:
        print("blocked create in", folder, "-", type(e).__name__)


class MLP:
    def __init__(self, linear_1_in_features, linear_1_out_features, f_function,
                 linear_2_in_features, linear_2_out_features, g_function):
        self.f_function = f_function
        self.g_function = g_function
        self.parameters = dict(
            W1=torch.randn(linear_1_out_features, linear_1_in_features),
            b1=torch.randn(linear_1_out_features),
            W2=torch.randn(linear_2_out_features, linear_2_in_features),
            b2=torch.randn(linear_2_out_features),
        )
        self.grads = {"dJd" + k: torch.zeros_like(v) for k, v in self.parameters.items()}
        self.cache = dict()

    @staticmethod
    def _act(name, z):
        return {"relu": torch.relu, "sigmoid": torch.sigmoid, "identity": lambda u: u}[name](z)

    @staticmethod
    def _dact(name, z):
        if name == "relu":
            return (z > 0).to(z.dtype)
        if name == "sigmoid":
            s = torch.sigmoid(z)
            return s * (1 - s)
        return torch.ones_like(z)

    def forward(self, x):
        p = self.parameters
        z1 = x @ p["W1"].T + p["b1"]
        z2 = self._act(self.f_function, z1)
        z3 = z2 @ p["W2"].T + p["b2"]
        self.cache = dict(x=x, z1=z1, z2=z2, z3=z3)
        return self._act(self.g_function, z3)

    def backward(self, dJdy_hat):
        c = self.cache
        dJdz3 = dJdy_hat * self._dact(self.g_function, c["z3"])
        dJdz1 = (dJdz3 @ self.parameters["W2"]) * self._dact(self.f_function, c["z1"])
        self.grads["dJdW2"] = dJdz3.T @ c["z2"]
        self.grads["dJdb2"] = dJdz3.sum(0)
        self.grads["dJdW1"] = dJdz1.T @ c["x"]
        self.grads["dJdb1"] = dJdz1.sum(0)

    def clear_grad_and_cache(self):
        for k in self.grads:
            self.grads[k] = torch.zeros_like(self.grads[k])
        self.cache = dict()


def mse_loss(y, y_hat):
    diff = y_hat - y
    return 0.5 * (diff ** 2).mean(), diff / diff.numel()


def bce_loss(y, y_hat):
    J = -(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat)).mean()
    return J, (y_hat - y) / (y_hat * (1 - y_hat)) / y.numel()
