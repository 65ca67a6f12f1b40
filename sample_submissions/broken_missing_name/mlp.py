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
        self.cache = dict()

    def f(self, z):
        if self.f_function == "relu":
            return torch.relu(z)
        if self.f_function == "sigmoid":
            return torch.sigmoid(z)
        return z

    def g(self, z):
        if self.g_function == "relu":
            return torch.relu(z)
        if self.g_function == "sigmoid":
            return torch.sigmoid(z)
        return z

    @staticmethod
    def d(name, z):
        if name == "relu":
            return (z > 0).float()
        if name == "sigmoid":
            return torch.sigmoid(z) * (1 - torch.sigmoid(z))
        return torch.ones_like(z)

    def forward(self, x):
        z1 = x @ self.parameters["W1"].T + self.parameters["b1"]
        h = self.f(z1)
        z2 = h @ self.parameters["W2"].T + self.parameters["b2"]
        self.cache = {"x": x, "z1": z1, "h": h, "z2": z2}
        return self.g(z2)

    def backward(self, dJdy_hat):
        c = self.cache
        dz2 = dJdy_hat * self.d(self.g_function, c["z2"])
        dz1 = (dz2 @ self.parameters["W2"]) * self.d(self.f_function, c["z1"])
        self.grads["dJdW2"].copy_(dz2.T @ c["h"])
        self.grads["dJdb2"].copy_(dz2.sum(0))
        self.grads["dJdW1"].copy_(dz1.T @ c["x"])
        self.grads["dJdb1"].copy_(dz1.sum(0))

    def clear_grad_and_cache(self):
        for grad in self.grads:
            self.grads[grad].zero_()
        self.cache = dict()


def mse_loss(y, y_hat):
    J = 0.5 * torch.mean((y_hat - y) ** 2)
    dJdy_hat = (y_hat - y) / y.numel()
    return J, dJdy_hat


# TODO: bce_loss -- ran out of time, will finish after the deadline
# def bce_loss(y, y_hat):
#     J = -torch.mean(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat))
#     dJdy_hat = ...
#     return J, dJdy_hat
