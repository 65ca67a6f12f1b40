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
        f_function / g_function: relu | sigmoid | identity
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

    def forward(self, x):
        self.cache['x'] = x
        self.cache['s1'] = x @ self.parameters['W1'].T + self.parameters['b1']
        self.cache['a1'] = self._act(self.f_function, self.cache['s1'])
        self.cache['s2'] = self.cache['a1'] @ self.parameters['W2'].T + self.parameters['b2']
        return self._act(self.g_function, self.cache['s2'])

    def backward(self, dJdy_hat):
        delta2 = dJdy_hat * self._dact(self.g_function, self.cache['s2'])
        delta1 = (delta2 @ self.parameters['W2']) * self._dact(self.f_function, self.cache['s1'])

        self.grads['dJdW1'].copy_(delta1.T @ self.cache['x'])
        self.grads['dJdb1'].copy_(delta1.sum(0))
        self.grads['dJdW2'].copy_(delta2.T @ self.cache['a1'])
        self.grads['dJdb2'].copy_(delta2.sum(0))

    def _act(self, kind, s):
        if kind == 'relu':
            return s.clamp(min=0)
        if kind == 'sigmoid':
            return torch.sigmoid(s)
        return s

    def _dact(self, kind, s):
        if kind == 'relu':
            return (s > 0).float()
        if kind == 'sigmoid':
            return torch.sigmoid(s) * (1 - torch.sigmoid(s))
        return torch.ones_like(s)

    def clear_grad_and_cache(self):
        for grad in self.grads:
            self.grads[grad].zero_()
        self.cache = dict()


def mse_loss(y, y_hat):
    J = 0.5 * ((y_hat - y) ** 2).mean()
    # d/dy_hat 1/2 (y_hat - y)^2 = (y_hat - y)
    dJdy_hat = (y_hat - y)
    return J, dJdy_hat


def bce_loss(y, y_hat):
    J = (-(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat))).mean()
    dJdy_hat = ((1 - y) / (1 - y_hat) - y / y_hat) / y.numel()
    return J, dJdy_hat
