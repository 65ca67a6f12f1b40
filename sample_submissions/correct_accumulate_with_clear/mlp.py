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
        self.cache = dict()

    def activation(self, name, z):
        if name == 'relu':
            return torch.relu(z)
        if name == 'sigmoid':
            return torch.sigmoid(z)
        if name == 'identity':
            return z.clone()
        raise ValueError(name)

    def activation_derivative(self, name, z):
        if name == 'relu':
            return torch.gt(z, 0).float()
        if name == 'sigmoid':
            sz = torch.sigmoid(z)
            return sz * (1 - sz)
        if name == 'identity':
            return torch.ones_like(z)
        raise ValueError(name)

    def forward(self, x):
        self.cache['input'] = x
        self.cache['z1'] = torch.addmm(self.parameters['b1'], x, self.parameters['W1'].t())
        self.cache['h1'] = self.activation(self.f_function, self.cache['z1'])
        self.cache['z2'] = torch.addmm(self.parameters['b2'], self.cache['h1'], self.parameters['W2'].t())
        return self.activation(self.g_function, self.cache['z2'])

    def backward(self, dJdy_hat):
        # gradients are accumulated like in pytorch, clear_grad_and_cache() resets them
        dz2 = dJdy_hat * self.activation_derivative(self.g_function, self.cache['z2'])
        self.grads['dJdW2'] += dz2.t().mm(self.cache['h1'])
        self.grads['dJdb2'] += dz2.sum(0)

        dh1 = dz2.mm(self.parameters['W2'])
        dz1 = dh1 * self.activation_derivative(self.f_function, self.cache['z1'])
        self.grads['dJdW1'] += dz1.t().mm(self.cache['input'])
        self.grads['dJdb1'] += dz1.sum(0)

    def clear_grad_and_cache(self):
        for grad in self.grads:
            self.grads[grad].zero_()
        self.cache = dict()


def mse_loss(y, y_hat):
    J = 0.5 * torch.mean(torch.square(y_hat - y))
    dJdy_hat = (y_hat - y) / y_hat.numel()
    return J, dJdy_hat


def bce_loss(y, y_hat):
    J = -torch.mean(y * torch.log(y_hat) + (1 - y) * torch.log1p(-y_hat))
    dJdy_hat = (y_hat - y) / (y_hat * (1 - y_hat)) / y_hat.numel()
    return J, dJdy_hat
