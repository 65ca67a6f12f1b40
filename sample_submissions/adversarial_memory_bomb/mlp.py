"""Attack: MLP.forward allocates memory until it runs out (and keeps every block alive). The losses are correct.

Expected: the address-space limit stops it with MemoryError inside forward, so every item that calls forward
scores 0 with "forward raised MemoryError"; 2.mse_loss and 2.bce_loss get full credit; the grader's own process
is untouched.
"""

import torch

HOG = []


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
        while True:
            HOG.append(b"\x01" * (64 << 20))  # touched, so really resident
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
