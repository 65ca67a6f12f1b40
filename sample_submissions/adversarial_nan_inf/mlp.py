"""Attack: return NaN and inf, which compare unequal to everything (so a check written as "not (error > tol)" would
pass them). The losses return NaN for J and inf for dJ/dy_hat; backward writes NaN gradients; forward is correct.

Expected: 2.forward gets full credit; every other Part 2 item scores 0 with "contains NaN" / "contains inf".
"""

import torch


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
        self.grads = {k: torch.full_like(v, float("nan")) for k, v in self.grads.items()}

    def clear_grad_and_cache(self):
        for k in self.grads:
            self.grads[k] = torch.zeros_like(self.grads[k])
        self.cache = dict()


def mse_loss(y, y_hat):
    diff = y_hat - y
    return torch.tensor(float("nan")), torch.full_like(diff, float("inf"))


def bce_loss(y, y_hat):
    return torch.tensor(float("nan")), torch.full_like(y, float("-inf"))
