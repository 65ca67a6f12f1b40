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

    def forward(self, x):
        """
        Args:
            x: tensor shape (batch_size, linear_1_in_features)
        """
        W1, b1, W2, b2 = [self.parameters[k] for k in ('W1', 'b1', 'W2', 'b2')]

        z1 = x @ W1.t() + b1
        if self.f_function == 'relu':
            a1 = torch.relu(z1)
        elif self.f_function == 'sigmoid':
            a1 = torch.sigmoid(z1)
        else:
            a1 = z1

        z2 = a1 @ W2.t() + b2
        if self.g_function == 'relu':
            y_hat = torch.relu(z2)
        elif self.g_function == 'sigmoid':
            y_hat = torch.sigmoid(z2)
        else:
            y_hat = z2

        self.cache['x'] = x
        self.cache['a1'] = a1
        self.cache['y_hat'] = y_hat
        return y_hat

    def backward(self, dJdy_hat):
        """
        Args:
            dJdy_hat: The gradient tensor of shape (batch_size, linear_2_out_features)
        """
        x, a1, y_hat = self.cache['x'], self.cache['a1'], self.cache['y_hat']

        # back through g
        if self.g_function == 'sigmoid':
            dz2 = dJdy_hat * y_hat * (1 - y_hat)
        else:
            # relu and identity are piecewise linear, slope 1
            dz2 = dJdy_hat

        self.grads['dJdW2'].copy_(dz2.t() @ a1)
        self.grads['dJdb2'].copy_(dz2.sum(0))

        da1 = dz2 @ self.parameters['W2']

        # back through f
        if self.f_function == 'sigmoid':
            dz1 = da1 * a1 * (1 - a1)
        else:
            dz1 = da1

        self.grads['dJdW1'].copy_(dz1.t() @ x)
        self.grads['dJdb1'].copy_(dz1.sum(0))

    def clear_grad_and_cache(self):
        for grad in self.grads:
            self.grads[grad].zero_()
        self.cache = dict()


def mse_loss(y, y_hat):
    J = 0.5 * ((y_hat - y) ** 2).mean()
    dJdy_hat = (y_hat - y) / y.numel()
    return J, dJdy_hat


def bce_loss(y, y_hat):
    J = -(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat)).mean()
    dJdy_hat = ((1 - y) / (1 - y_hat) - y / y_hat) / y.numel()
    return J, dJdy_hat
