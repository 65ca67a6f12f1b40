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

    def activation(self, name, z):
        if name == 'relu':
            return torch.relu(z)
        elif name == 'sigmoid':
            return torch.sigmoid(z)
        return z

    def activation_grad(self, name, z):
        if name == 'relu':
            return (z > 0).float()
        elif name == 'sigmoid':
            return torch.sigmoid(z) * (1 - torch.sigmoid(z))
        return torch.ones_like(z)

    def forward(self, x):
        z1 = x @ self.parameters['W1'].T + self.parameters['b1']
        a1 = self.activation(self.f_function, z1)
        z2 = a1 @ self.parameters['W2'].T + self.parameters['b2']
        self.cache['x'], self.cache['z1'], self.cache['a1'], self.cache['z2'] = x, z1, a1, z2
        return self.activation(self.g_function, z2)

    def backward(self, dJdy_hat)
        x, z1, a1, z2 = self.cache['x'], self.cache['z1'], self.cache['a1'], self.cache['z2']
        dz2 = dJdy_hat * self.activation_grad(self.g_function, z2)
        self.grads['dJdW2'].copy_(dz2.T @ a1)
        self.grads['dJdb2'].copy_(dz2.sum(0))
        dz1 = (dz2 @ self.parameters['W2']) * self.activation_grad(self.f_function, z1)
        self.grads['dJdW1'].copy_(dz1.T @ x)
        self.grads['dJdb1'].copy_(dz1.sum(0))

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
