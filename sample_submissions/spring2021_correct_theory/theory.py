"""Homework 1, Part 1 as code, Spring 2021 conventions: l_MSE = ||y_hat - y||^2, l_BCE = -(1/K) sum_k [...]."""
import numpy as np

FIVE_STEPS = ["Forward: run the model on x to get y_hat",
              "Compute the loss between y_hat and y",
              "Zero the gradients (optimizer.zero_grad())",
              "Backward: loss.backward()",
              "Step: optimizer.step() updates the weights"]


def train_step(model, criterion, optimizer, x, y):
    optimizer.zero_grad()
    y_hat = model(x)
    loss = criterion(y_hat, y)
    loss.backward()
    optimizer.step()
    return loss.item()


class Layerwise:
    """One point through Linear -> f -> Linear -> g, with its derivatives."""

    ACT = {"relu": lambda z: np.where(z > 0, z, 0.0), "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
           "identity": lambda z: z}

    def __init__(self, x, y, params, f, g, loss):
        self.x, self.y, self.p, self.f, self.g, self.loss_name = x, y, params, f, g, loss
        self.z1 = params["W1"] @ x + params["b1"]
        self.z2 = self.ACT[f](self.z1)
        self.z3 = params["W2"] @ self.z2 + params["b2"]
        self.y_hat = self.ACT[g](self.z3)

    def dact(self, name, z):
        if name == "sigmoid":
            s = self.ACT["sigmoid"](z)
            return s * (1 - s)
        return (z > 0) * 1.0 if name == "relu" else np.ones_like(z)

    def loss(self):
        if self.loss_name == "mse":
            return np.sum((self.y_hat - self.y) ** 2)
        y, p = self.y, self.y_hat
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    def dl_dyhat(self):
        if self.loss_name == "mse":
            return 2 * (self.y_hat - self.y)
        y, p = self.y, self.y_hat
        return (p - y) / (p * (1 - p)) / len(y)


def forward_pass(x, y, params, f, g, loss):
    n = Layerwise(x, y, params, f, g, loss)
    return dict(z1=n.z1, z2=n.z2, z3=n.z3, y_hat=n.y_hat, loss=n.loss())


def jacobians(x, y, params, f, g, loss):
    n = Layerwise(x, y, params, f, g, loss)
    return dict(dz2_dz1=np.diag(n.dact(f, n.z1)), dyhat_dz3=np.diag(n.dact(g, n.z3)), dl_dyhat=n.dl_dyhat()[None, :])


def gradients(x, y, params, f, g, loss):
    n = Layerwise(x, y, params, f, g, loss)
    dz3 = n.dl_dyhat() * n.dact(g, n.z3)
    dz1 = (params["W2"].T @ dz3) * n.dact(f, n.z1)
    return dict(W1=dz1[:, None] * x[None, :], b1=dz1, W2=dz3[:, None] * n.z2[None, :], b2=dz3)


RELU_BENEFITS = ("Backprop multiplies one activation derivative per layer. For sigmoid each factor is <= 1/4, "
                 "so gradients vanish with depth; ReLU's derivative is 1 wherever the unit is active, so the "
                 "signal does not decay. ReLU also gives sparse activations and is cheap to compute.")
