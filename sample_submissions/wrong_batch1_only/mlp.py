import torch


def sigmoid(z):
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

    def act(self, name, z):
        if name == 'relu':
            return torch.relu(z)
        if name == 'sigmoid':
            return sigmoid(z)
        return z

    def dact(self, name, z):
        if name == 'relu':
            return (z > 0).float()
        if name == 'sigmoid':
            return sigmoid(z) * (1 - sigmoid(z))
        return torch.ones_like(z)

    def forward(self, x):
        """
        Args:
            x: tensor shape (batch_size, linear_1_in_features)
        """
        z1 = x @ self.parameters['W1'].T + self.parameters['b1']
        z2 = self.act(self.f_function, z1)
        z3 = z2 @ self.parameters['W2'].T + self.parameters['b2']
        y_hat = self.act(self.g_function, z3)

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
        # work with vectors like in the lecture notes (dJ/dW = delta x^T)
        x = self.cache['x'].flatten()
        z1 = self.cache['z1'].flatten()
        z2 = self.cache['z2'].flatten()
        z3 = self.cache['z3'].flatten()
        g = dJdy_hat.flatten()

        delta3 = g * self.dact(self.g_function, z3)
        self.grads['dJdW2'] = torch.outer(delta3, z2)
        self.grads['dJdb2'] = delta3

        delta1 = (self.parameters['W2'].T @ delta3) * self.dact(self.f_function, z1)
        self.grads['dJdW1'] = torch.outer(delta1, x)
        self.grads['dJdb1'] = delta1

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
    J = 0.5 * torch.mean((y_hat - y) ** 2)
    dJdy_hat = (y_hat - y) / y.numel()
    return J, dJdy_hat


def bce_loss(y, y_hat):
    """
    Return:
        loss: scalar of loss
        dJdy_hat: The gradient tensor of shape (batch_size, linear_2_out_features)
    """
    J = torch.mean(-y * torch.log(y_hat) - (1 - y) * torch.log(1 - y_hat))
    dJdy_hat = (y_hat - y) / (y_hat * (1 - y_hat)) / y.numel()
    return J, dJdy_hat
