import numpy as np
import torch


def to_np(t):
    return t.detach().cpu().numpy()


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def activate(name, z):
    if name == "relu":
        return np.maximum(z, 0)
    if name == "sigmoid":
        return sigmoid(z)
    return z  # identity


def activate_prime(name, z):
    if name == "relu":
        return (z > 0).astype(z.dtype)
    if name == "sigmoid":
        s = sigmoid(z)
        return s * (1 - s)
    return np.ones_like(z)  # identity


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
        # I find numpy easier to reason about, convert back to torch at the end
        X = to_np(x)
        W1 = to_np(self.parameters['W1'])
        b1 = to_np(self.parameters['b1'])
        W2 = to_np(self.parameters['W2'])
        b2 = to_np(self.parameters['b2'])

        Z1 = X.dot(W1.T) + b1
        A1 = activate(self.f_function, Z1)
        Z2 = A1.dot(W2.T) + b2
        Y = activate(self.g_function, Z2)

        self.cache['X'] = X
        self.cache['Z1'] = Z1
        self.cache['A1'] = A1
        self.cache['Z2'] = Z2
        return torch.from_numpy(Y)

    def backward(self, dJdy_hat):
        G = to_np(dJdy_hat)
        X, Z1, A1, Z2 = (self.cache[k] for k in ('X', 'Z1', 'A1', 'Z2'))
        W2 = to_np(self.parameters['W2'])

        dZ2 = G * activate_prime(self.g_function, Z2)
        dW2 = dZ2.T.dot(A1)
        db2 = dZ2.sum(axis=0)

        dA1 = dZ2.dot(W2)
        dZ1 = dA1 * activate_prime(self.f_function, Z1)
        dW1 = dZ1.T.dot(X)
        db1 = dZ1.sum(axis=0)

        self.grads['dJdW1'].copy_(torch.from_numpy(dW1))
        self.grads['dJdb1'].copy_(torch.from_numpy(db1))
        self.grads['dJdW2'].copy_(torch.from_numpy(dW2))
        self.grads['dJdb2'].copy_(torch.from_numpy(db2))

    def clear_grad_and_cache(self):
        for grad in self.grads:
            self.grads[grad].zero_()
        self.cache = dict()


def mse_loss(y, y_hat):
    Y, Yh = to_np(y), to_np(y_hat)
    J = 0.5 * np.mean((Yh - Y) ** 2)
    dJdy_hat = (Yh - Y) / Yh.size
    return torch.tensor(J), torch.from_numpy(dJdy_hat)


def bce_loss(y, y_hat):
    Y, Yh = to_np(y), to_np(y_hat)
    J = -np.mean(Y * np.log(Yh) + (1 - Y) * np.log(1 - Yh))
    dJdy_hat = (-Y / Yh + (1 - Y) / (1 - Yh)) / Yh.size
    return torch.tensor(J), torch.from_numpy(dJdy_hat)
