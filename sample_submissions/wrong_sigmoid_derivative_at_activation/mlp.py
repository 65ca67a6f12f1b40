import torch


def activation(name, z):
    if name == "relu":
        return torch.relu(z)
    elif name == "sigmoid":
        return torch.sigmoid(z)
    elif name == "identity":
        return z
    raise ValueError(name)


def activation_derivative(name, a):
    # a: output of the activation layer
    if name == "relu":
        return (a > 0).float()
    elif name == "sigmoid":
        return torch.sigmoid(a) * (1 - torch.sigmoid(a))
    elif name == "identity":
        return torch.ones_like(a)
    raise ValueError(name)


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

    def forward(self, x):
        self.cache['x'] = x
        self.cache['h'] = activation(self.f_function, x @ self.parameters['W1'].T + self.parameters['b1'])
        self.cache['out'] = activation(self.g_function, self.cache['h'] @ self.parameters['W2'].T + self.parameters['b2'])
        return self.cache['out']

    def backward(self, dJdy_hat):
        x, h, out = self.cache['x'], self.cache['h'], self.cache['out']

        d_out = dJdy_hat * activation_derivative(self.g_function, out)
        self.grads['dJdW2'].copy_(d_out.T @ h)
        self.grads['dJdb2'].copy_(d_out.sum(dim=0))

        d_h = (d_out @ self.parameters['W2']) * activation_derivative(self.f_function, h)
        self.grads['dJdW1'].copy_(d_h.T @ x)
        self.grads['dJdb1'].copy_(d_h.sum(dim=0))

    def clear_grad_and_cache(self):
        for grad in self.grads:
            self.grads[grad].zero_()
        self.cache = dict()


def mse_loss(y, y_hat):
    loss = 0.5 * torch.mean((y_hat - y) ** 2)
    return loss, (y_hat - y) / y_hat.numel()


def bce_loss(y, y_hat):
    loss = torch.mean(-y * torch.log(y_hat) - (1 - y) * torch.log(1 - y_hat))
    return loss, (y_hat - y) / (y_hat * (1 - y_hat)) / y_hat.numel()
