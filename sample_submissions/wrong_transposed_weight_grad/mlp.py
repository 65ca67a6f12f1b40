import torch


class MLP:
    def __init__(
        self,
        linear_1_in_features,
        linear_1_out_features,
        f_function,
        linear_2_in_features,
        linear_2_out_features,
        g_function
    ):
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

        # put all the cache value you need in self.cache
        self.cache = dict()

    def _f(self, name, z):
        if name == "relu":
            return torch.clamp(z, min=0.0)
        if name == "sigmoid":
            return torch.sigmoid(z)
        return z

    def _df(self, name, z):
        if name == "relu":
            return (z > 0).float()
        if name == "sigmoid":
            return torch.sigmoid(z) * (1.0 - torch.sigmoid(z))
        return torch.ones_like(z)

    def forward(self, x):
        W1, b1 = self.parameters["W1"], self.parameters["b1"]
        W2, b2 = self.parameters["W2"], self.parameters["b2"]

        z1 = torch.mm(x, W1.t()) + b1
        h1 = self._f(self.f_function, z1)
        z2 = torch.mm(h1, W2.t()) + b2
        y_hat = self._f(self.g_function, z2)

        self.cache["x"], self.cache["z1"], self.cache["h1"], self.cache["z2"] = x, z1, h1, z2
        return y_hat

    def backward(self, dJdy_hat):
        x, z1, h1, z2 = self.cache["x"], self.cache["z1"], self.cache["h1"], self.cache["z2"]
        W1, W2 = self.parameters["W1"], self.parameters["W2"]

        dz2 = dJdy_hat * self._df(self.g_function, z2)            # (batch, out2)
        # dJ/dW2 = h1^T dz2, reshape so it has the same shape as W2
        self.grads["dJdW2"] = torch.mm(h1.t(), dz2).reshape(W2.shape)
        self.grads["dJdb2"] = dz2.sum(0)

        dz1 = torch.mm(dz2, W2) * self._df(self.f_function, z1)   # (batch, out1)
        self.grads["dJdW1"] = torch.mm(x.t(), dz1).reshape(W1.shape)
        self.grads["dJdb1"] = dz1.sum(0)

    def clear_grad_and_cache(self):
        for grad in self.grads:
            self.grads[grad].zero_()
        self.cache = dict()


def mse_loss(y, y_hat):
    J = 0.5 * torch.mean((y_hat - y) ** 2)
    dJdy_hat = (y_hat - y) / y.numel()
    return J, dJdy_hat


def bce_loss(y, y_hat):
    J = torch.mean(-(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat)))
    dJdy_hat = (-y / y_hat + (1 - y) / (1 - y_hat)) / y.numel()
    return J, dJdy_hat
