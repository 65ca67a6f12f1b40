import torch


class MLP:
    def __init__(self, linear_1_in_features, linear_1_out_features, f_function,
                 linear_2_in_features, linear_2_out_features, g_function):
        self.f_function = f_function
        self.g_function = g_function

        self.parameters = dict(
            W1 = torch.randn(linear_1_out_features, linear_1_in_features),
            b1 = torch.randn(linear_1_out_features),
            W2 = torch.randn(linear_2_out_features, linear_2_in_features),
            b2 = torch.randn(linear_2_out_features),
        )
        self.grads = dict(
            dJdW1 = torch.zeros(linear_1_out_features, linear_1_in_features),
            dJdb1 = torch.zeros(linear_1_out_features),
            dJdW2 = torch.zeros(linear_2_out_features, linear_2_in_features),
            dJdb2 = torch.zeros(linear_2_out_features),
        )
        self.cache = dict()

    def _activate(self, fn, z):
        if fn == "relu":
            return torch.relu(z)
        if fn == "sigmoid":
            return torch.sigmoid(z)
        return z

    def _activate_grad(self, fn, z):
        if fn == "relu":
            return (z > 0).float()
        if fn == "sigmoid":
            s = torch.sigmoid(z)
            return s * (1 - s)
        return torch.ones_like(z)

    def forward(self, x):
        # zero-center the features of the batch first (helps the sigmoid not saturate)
        x -= x.mean(dim=0, keepdim=True)

        W1, b1 = self.parameters["W1"], self.parameters["b1"]
        W2, b2 = self.parameters["W2"], self.parameters["b2"]
        z1 = x @ W1.T + b1
        a1 = self._activate(self.f_function, z1)
        z2 = a1 @ W2.T + b2
        y_hat = self._activate(self.g_function, z2)

        self.cache["x"] = x
        self.cache["z1"] = z1
        self.cache["a1"] = a1
        self.cache["z2"] = z2
        return y_hat

    def backward(self, dJdy_hat):
        dz2 = dJdy_hat * self._activate_grad(self.g_function, self.cache["z2"])
        dz1 = (dz2 @ self.parameters["W2"]) * self._activate_grad(self.f_function, self.cache["z1"])

        self.grads["dJdW2"].copy_(dz2.T @ self.cache["a1"])
        self.grads["dJdb2"].copy_(dz2.sum(dim=0))
        self.grads["dJdW1"].copy_(dz1.T @ self.cache["x"])
        self.grads["dJdb1"].copy_(dz1.sum(dim=0))

    def clear_grad_and_cache(self):
        for grad in self.grads:
            self.grads[grad].zero_()
        self.cache = dict()


def mse_loss(y, y_hat):
    J = 0.5 * torch.mean((y_hat - y) ** 2)
    dJdy_hat = (1 / y.numel()) * (y_hat - y)
    return J, dJdy_hat


def bce_loss(y, y_hat):
    J = -torch.mean(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat))
    dJdy_hat = (1 / y.numel()) * ((1 - y) / (1 - y_hat) - y / y_hat)
    return J, dJdy_hat
