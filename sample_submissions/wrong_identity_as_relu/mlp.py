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

    def nonlinearity(self, name, z):
        if name == "relu":
            return torch.clamp(z, min=0)
        elif name == "sigmoid":
            return torch.sigmoid(z)
        elif name == "identity":
            return torch.clamp(z, min=0)
        else:
            raise ValueError("bad function name " + name)

    def nonlinearity_grad(self, name, z):
        if name == "relu":
            return (z > 0).float()
        elif name == "sigmoid":
            return torch.sigmoid(z) * (1 - torch.sigmoid(z))
        elif name == "identity":
            return (z > 0).float()
        else:
            raise ValueError("bad function name " + name)

    def forward(self, x):
        """
        Args:
            x: tensor shape (batch_size, linear_1_in_features)
        """
        z1 = x @ self.parameters["W1"].t() + self.parameters["b1"]
        z2 = self.nonlinearity(self.f_function, z1)
        z3 = z2 @ self.parameters["W2"].t() + self.parameters["b2"]
        y_hat = self.nonlinearity(self.g_function, z3)
        self.cache = dict(x=x, z1=z1, z2=z2, z3=z3)
        return y_hat

    def backward(self, dJdy_hat):
        """
        Args:
            dJdy_hat: The gradient tensor of shape (batch_size, linear_2_out_features)
        """
        dJdz3 = dJdy_hat * self.nonlinearity_grad(self.g_function, self.cache["z3"])
        self.grads["dJdW2"].copy_(dJdz3.t() @ self.cache["z2"])
        self.grads["dJdb2"].copy_(dJdz3.sum(dim=0))

        dJdz2 = dJdz3 @ self.parameters["W2"]
        dJdz1 = dJdz2 * self.nonlinearity_grad(self.f_function, self.cache["z1"])
        self.grads["dJdW1"].copy_(dJdz1.t() @ self.cache["x"])
        self.grads["dJdb1"].copy_(dJdz1.sum(dim=0))

    def clear_grad_and_cache(self):
        for grad in self.grads:
            self.grads[grad].zero_()
        self.cache = dict()


def mse_loss(y, y_hat):
    J = 0.5 * ((y - y_hat) ** 2).mean()
    dJdy_hat = (y_hat - y) / (y.size(0) * y.size(1))
    return J, dJdy_hat


def bce_loss(y, y_hat):
    J = -(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat)).mean()
    dJdy_hat = (-y / y_hat + (1 - y) / (1 - y_hat)) / (y.size(0) * y.size(1))
    return J, dJdy_hat
