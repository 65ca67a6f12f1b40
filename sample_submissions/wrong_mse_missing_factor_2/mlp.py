import torch


def _relu(z):
    return z.clamp(min=0)


def _sigmoid(z):
    return 1 / (1 + torch.exp(-z))


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

    @staticmethod
    def _forward_act(name, z):
        return {"relu": _relu, "sigmoid": _sigmoid, "identity": lambda t: t}[name](z)

    @staticmethod
    def _backward_act(name, z, grad):
        if name == "relu":
            return grad * (z > 0).float()
        if name == "sigmoid":
            s = _sigmoid(z)
            return grad * s * (1 - s)
        return grad

    def forward(self, x):
        W1 = self.parameters["W1"]
        b1 = self.parameters["b1"]
        W2 = self.parameters["W2"]
        b2 = self.parameters["b2"]

        pre1 = x @ W1.T + b1
        post1 = self._forward_act(self.f_function, pre1)
        pre2 = post1 @ W2.T + b2
        y_hat = self._forward_act(self.g_function, pre2)

        self.cache["x"] = x
        self.cache["pre1"] = pre1
        self.cache["post1"] = post1
        self.cache["pre2"] = pre2
        return y_hat

    def backward(self, dJdy_hat):
        d_pre2 = self._backward_act(self.g_function, self.cache["pre2"], dJdy_hat)
        self.grads["dJdW2"].copy_(d_pre2.T @ self.cache["post1"])
        self.grads["dJdb2"].copy_(d_pre2.sum(0))

        d_post1 = d_pre2 @ self.parameters["W2"]
        d_pre1 = self._backward_act(self.f_function, self.cache["pre1"], d_post1)
        self.grads["dJdW1"].copy_(d_pre1.T @ self.cache["x"])
        self.grads["dJdb1"].copy_(d_pre1.sum(0))

    def clear_grad_and_cache(self):
        for grad in self.grads:
            self.grads[grad].zero_()
        self.cache = dict()


def mse_loss(y, y_hat):
    n = y.numel()
    J = ((y_hat - y) ** 2).sum() / n
    dJdy_hat = (y_hat - y) / n
    return J, dJdy_hat


def bce_loss(y, y_hat):
    n = y.numel()
    J = -(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat)).sum() / n
    dJdy_hat = (y_hat - y) / (y_hat * (1 - y_hat)) / n
    return J, dJdy_hat
