import torch

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

        # put all the cache value you need in self.cache
        self.cache = dict()

    def forward(self, x):
        W1, b1 = self.parameters['W1'], self.parameters['b1']
        W2, b2 = self.parameters['W2'], self.parameters['b2']

        self.cache['x'] = x
        z1 = x @ W1.T + b1
        self.cache['z1'] = z1
        if self.f_function == 'relu':
            z2 = torch.maximum(z1, torch.zeros_like(z1))
        elif self.f_function == 'sigmoid':
            z2 = torch.sigmoid(z1)
        else:
            z2 = z1
        self.cache['z2'] = z2

        z3 = z2 @ W2.T + b2
        self.cache['z3'] = z3
        if self.g_function == 'relu':
            y_hat = torch.maximum(z3, torch.zeros_like(z3))
        elif self.g_function == 'sigmoid':
            y_hat = torch.sigmoid(z3)
        else:
            y_hat = z3
        return y_hat

    def backward(self, dJdy_hat):
        z3 = self.cache['z3']
        if self.g_function == 'relu':
            dydz3 = (z3 >= 0).to(z3.dtype)
        elif self.g_function == 'sigmoid':
            dydz3 = torch.sigmoid(z3) * (1 - torch.sigmoid(z3))
        else:
            dydz3 = torch.ones_like(z3)
        dJdz3 = dJdy_hat * dydz3

        self.grads['dJdW2'].copy_(torch.mm(dJdz3.T, self.cache['z2']))
        self.grads['dJdb2'].copy_(dJdz3.sum(0))

        dJdz2 = torch.mm(dJdz3, self.parameters['W2'])
        z1 = self.cache['z1']
        if self.f_function == 'relu':
            dz2dz1 = (z1 >= 0).to(z1.dtype)
        elif self.f_function == 'sigmoid':
            dz2dz1 = torch.sigmoid(z1) * (1 - torch.sigmoid(z1))
        else:
            dz2dz1 = torch.ones_like(z1)
        dJdz1 = dJdz2 * dz2dz1

        self.grads['dJdW1'].copy_(torch.mm(dJdz1.T, self.cache['x']))
        self.grads['dJdb1'].copy_(dJdz1.sum(0))

    def clear_grad_and_cache(self):
        for grad in self.grads:
            self.grads[grad].zero_()
        self.cache = dict()


def mse_loss(y, y_hat):
    J = 0.5 * torch.mean((y - y_hat) ** 2)
    dJdy_hat = -(y - y_hat) / (y.shape[0] * y.shape[1])
    return J, dJdy_hat


def bce_loss(y, y_hat):
    J = torch.mean(-(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat)))
    dJdy_hat = (-y / y_hat + (1 - y) / (1 - y_hat)) / (y.shape[0] * y.shape[1])
    return J, dJdy_hat
