import torch

# Everything is computed in double precision to avoid rounding problems
DTYPE = torch.float64


def relu(z):
    return torch.where(z > 0, z, torch.zeros_like(z))


def relu_grad(z):
    return torch.where(z > 0, torch.ones_like(z), torch.zeros_like(z))


def sigmoid(z):
    return 1.0 / (1.0 + torch.exp(-z))


def sigmoid_grad(z):
    s = sigmoid(z)
    return s * (1.0 - s)


def identity(z):
    return z


def identity_grad(z):
    return torch.ones_like(z)


FUNCS = {"relu": (relu, relu_grad), "sigmoid": (sigmoid, sigmoid_grad), "identity": (identity, identity_grad)}


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
        """
        f_function, g_function: relu | sigmoid | identity
        """
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

    def _params(self):
        p = self.parameters
        return (p["W1"].to(DTYPE), p["b1"].to(DTYPE), p["W2"].to(DTYPE), p["b2"].to(DTYPE))

    def forward(self, x):
        f, _ = FUNCS[self.f_function]
        g, _ = FUNCS[self.g_function]
        W1, b1, W2, b2 = self._params()

        x = x.to(DTYPE)
        z1 = x.mm(W1.t()) + b1
        a1 = f(z1)
        z2 = a1.mm(W2.t()) + b2
        y_hat = g(z2)

        self.cache = {"x": x, "z1": z1, "a1": a1, "z2": z2}
        return y_hat

    def backward(self, dJdy_hat):
        _, df = FUNCS[self.f_function]
        _, dg = FUNCS[self.g_function]
        _, _, W2, _ = self._params()
        x, z1, a1, z2 = self.cache["x"], self.cache["z1"], self.cache["a1"], self.cache["z2"]

        dz2 = dJdy_hat.to(DTYPE) * dg(z2)
        dz1 = dz2.mm(W2) * df(z1)

        self.grads["dJdW2"] = dz2.t().mm(a1)
        self.grads["dJdb2"] = dz2.sum(0)
        self.grads["dJdW1"] = dz1.t().mm(x)
        self.grads["dJdb1"] = dz1.sum(0)

    def clear_grad_and_cache(self):
        for grad in self.grads:
            self.grads[grad].zero_()
        self.cache = dict()


def mse_loss(y, y_hat):
    y = y.to(DTYPE)
    y_hat = y_hat.to(DTYPE)
    J = 0.5 * ((y_hat - y) ** 2).mean()
    dJdy_hat = (y_hat - y) / y.numel()
    return J, dJdy_hat


def bce_loss(y, y_hat):
    y = y.to(DTYPE)
    y_hat = y_hat.to(DTYPE)
    J = -(y * torch.log(y_hat) + (1.0 - y) * torch.log(1.0 - y_hat)).mean()
    dJdy_hat = (y_hat - y) / (y_hat * (1.0 - y_hat) * y.numel())
    return J, dJdy_hat
