import torch
from hw1_utils import relu, relu_prime, sigmoid, sigmoid_prime

ACTIVATIONS = {
    "relu": (relu, relu_prime),
    "sigmoid": (sigmoid, sigmoid_prime),
    "identity": (lambda z: z, lambda z: torch.ones_like(z)),
}


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

    def forward(self, x):
        f, _ = ACTIVATIONS[self.f_function]
        g, _ = ACTIVATIONS[self.g_function]
        z1 = x @ self.parameters["W1"].T + self.parameters["b1"]
        a1 = f(z1)
        z2 = a1 @ self.parameters["W2"].T + self.parameters["b2"]
        self.cache.update(x=x, z1=z1, a1=a1, z2=z2)
        return g(z2)

    def backward(self, dJdy_hat):
        _, df = ACTIVATIONS[self.f_function]
        _, dg = ACTIVATIONS[self.g_function]
        dz2 = dJdy_hat * dg(self.cache["z2"])
        dz1 = (dz2 @ self.parameters["W2"]) * df(self.cache["z1"])
        self.grads["dJdW2"].copy_(dz2.T @ self.cache["a1"])
        self.grads["dJdb2"].copy_(dz2.sum(0))
        self.grads["dJdW1"].copy_(dz1.T @ self.cache["x"])
        self.grads["dJdb1"].copy_(dz1.sum(0))

    def clear_grad_and_cache(self):
        for grad in self.grads:
            self.grads[grad].zero_()
        self.cache = dict()


def mse_loss(y, y_hat):
    J = 0.5 * torch.mean((y_hat - y) ** 2)
    dJdy_hat = (y_hat - y) / y.numel()
    return J, dJdy_hat


def bce_loss(y, y_hat):
    J = -torch.mean(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat))
    dJdy_hat = (y_hat - y) / (y_hat * (1 - y_hat)) / y.numel()
    return J, dJdy_hat
