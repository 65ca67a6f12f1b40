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
        """
        Args:
            linear_1_in_features: the in features of first linear layer
            linear_1_out_features: the out features of first linear layer
            linear_2_in_features: the in features of second linear layer
            linear_2_out_features: the out features of second linear layer
            f_function: string for the f function: relu | sigmoid | identity
            g_function: string for the g function: relu | sigmoid | identity
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

        # put all the cache value you need in self.cache
        self.cache = dict()

    def _activation(self, name, z):
        if name == "relu":
            return torch.clamp(z, min=0)
        elif name == "sigmoid":
            return 1 / (1 + torch.exp(-z))
        elif name == "identity":
            return z
        raise ValueError("unknown activation: " + str(name))

    def _activation_grad(self, name, z):
        # derivative of the activation w.r.t. its input z
        if name == "relu":
            return (z > 0).float()
        elif name == "sigmoid":
            s = 1 / (1 + torch.exp(-z))
            return s * (1 - s)
        elif name == "identity":
            return torch.ones_like(z)
        raise ValueError("unknown activation: " + str(name))

    def forward(self, x):
        """
        Args:
            x: tensor shape (batch_size, linear_1_in_features)
        """
        W1 = self.parameters['W1']
        b1 = self.parameters['b1']
        W2 = self.parameters['W2']
        b2 = self.parameters['b2']

        z1 = torch.matmul(x, W1.T) + b1          # (batch, out1)
        z2 = self._activation(self.f_function, z1)
        z3 = torch.matmul(z2, W2.T) + b2         # (batch, out2)
        y_hat = self._activation(self.g_function, z3)

        self.cache['x'] = x
        self.cache['z1'] = z1
        self.cache['z2'] = z2
        self.cache['z3'] = z3
        return y_hat

    def backward(self, dJdy_hat):
        """
        Args:
            dJdy_hat: The gradient tensor of shape (batch_size, linear_2_out_features)
        """
        x, z1, z2, z3 = self.cache['x'], self.cache['z1'], self.cache['z2'], self.cache['z3']

        dJdz3 = dJdy_hat * self._activation_grad(self.g_function, z3)
        self.grads['dJdW2'].copy_(dJdz3.T @ z2)
        self.grads['dJdb2'].copy_(dJdz3.sum(dim=0))

        dJdz2 = dJdz3 @ self.parameters['W2']
        dJdz1 = dJdz2 * self._activation_grad(self.f_function, z1)
        self.grads['dJdW1'].copy_(dJdz1.T @ x)
        self.grads['dJdb1'].copy_(dJdz1.sum(dim=0))

    def clear_grad_and_cache(self):
        for grad in self.grads:
            self.grads[grad].zero_()
        self.cache = dict()


def mse_loss(y, y_hat):
    """
    Args:
        y: the label tensor (batch_size, linear_2_out_features)
        y_hat: the prediction tensor (batch_size, linear_2_out_features)

    Return:
        J: scalar of loss
        dJdy_hat: The gradient tensor of shape (batch_size, linear_2_out_features)
    """
    diff = y_hat - y
    J = 0.5 * (diff ** 2).mean()
    dJdy_hat = diff / diff.numel()
    return J, dJdy_hat


def bce_loss(y, y_hat):
    """
    Args:
        y_hat: the prediction tensor
        y: the label tensor

    Return:
        loss: scalar of loss
        dJdy_hat: The gradient tensor of shape (batch_size, linear_2_out_features)
    """
    J = -(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat)).mean()
    dJdy_hat = (y_hat - y) / (y_hat * (1 - y_hat)) / y.numel()
    return J, dJdy_hat
