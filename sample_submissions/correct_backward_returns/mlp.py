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

    def f(self, z, derivative=False):
        return self._apply(self.f_function, z, derivative)

    def g(self, z, derivative=False):
        return self._apply(self.g_function, z, derivative)

    @staticmethod
    def _apply(kind, z, derivative):
        if kind == "relu":
            return (z > 0).float() if derivative else z.clamp(min=0)
        if kind == "sigmoid":
            s = torch.sigmoid(z)
            return s * (1 - s) if derivative else s
        if kind == "identity":
            return torch.ones_like(z) if derivative else z
        raise NotImplementedError(kind)

    def forward(self, x):
        """
        Args:
            x: tensor shape (batch_size, linear_1_in_features)
        """
        self.cache["x"] = x
        self.cache["s1"] = x.matmul(self.parameters["W1"].t()) + self.parameters["b1"]
        self.cache["a1"] = self.f(self.cache["s1"])
        self.cache["s2"] = self.cache["a1"].matmul(self.parameters["W2"].t()) + self.parameters["b2"]
        return self.g(self.cache["s2"])

    def backward(self, dJdy_hat):
        """
        Args:
            dJdy_hat: The gradient tensor of shape (batch_size, linear_2_out_features)
        Returns:
            the grads dict (also stored in self.grads)
        """
        ds2 = dJdy_hat * self.g(self.cache["s2"], derivative=True)
        da1 = ds2.matmul(self.parameters["W2"])
        ds1 = da1 * self.f(self.cache["s1"], derivative=True)

        self.grads["dJdW2"] = ds2.t().matmul(self.cache["a1"])
        self.grads["dJdb2"] = ds2.sum(dim=0)
        self.grads["dJdW1"] = ds1.t().matmul(self.cache["x"])
        self.grads["dJdb1"] = ds1.sum(dim=0)
        return self.grads

    def clear_grad_and_cache(self):
        for grad in self.grads:
            self.grads[grad].zero_()
        self.cache = dict()


def mse_loss(y, y_hat):
    """
    Return:
        J: scalar of loss
        dJdy_hat: The gradient tensor of shape (batch_size, linear_2_out_features)
    """
    d = y_hat - y
    J = 0.5 * d.pow(2).mean().item()
    dJdy_hat = d / d.numel()
    return J, dJdy_hat


def bce_loss(y, y_hat):
    """
    Return:
        loss: scalar of loss
        dJdy_hat: The gradient tensor of shape (batch_size, linear_2_out_features)
    """
    J = (-(y * y_hat.log() + (1 - y) * (1 - y_hat).log())).mean().item()
    dJdy_hat = (1 / y.numel()) * ((1 - y) / (1 - y_hat) - y / y_hat)
    return J, dJdy_hat
