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
        self.cache = dict()

    def forward(self, x):
        z1 = torch.matmul(x, self.parameters['W1'].t()) + self.parameters['b1']
        if self.f_function == 'relu':
            h = torch.relu(z1)
        elif self.f_function == 'sigmoid':
            h = torch.sigmoid(z1)
        else:
            h = z1
        z2 = torch.matmul(h, self.parameters['W2'].t()) + self.parameters['b2']
        if self.g_function == 'relu':
            out = torch.relu(z2)
        elif self.g_function == 'sigmoid':
            out = torch.sigmoid(z2)
        else:
            out = z2
        self.cache['x'] = x
        self.cache['z1'] = z1
        self.cache['h'] = h
        self.cache['z2'] = z2
        return out

    def backward(self, dJdy_hat):
        z1, h, z2, x = self.cache['z1'], self.cache['h'], self.cache['z2'], self.cache['x']

        if self.g_function == 'relu':
            g_prime = (z2 > 0).float()
        elif self.g_function == 'sigmoid':
            g_prime = torch.sigmoid(z2) * (1 - torch.sigmoid(z2))
        else:
            g_prime = torch.ones_like(z2)
        dJdz2 = dJdy_hat * g_prime

        if self.f_function == 'relu':
            f_prime = (z1 > 0).float()
        elif self.f_function == 'sigmoid':
            f_prime = torch.sigmoid(z1) * (1 - torch.sigmoid(z1))
        else:
            f_prime = torch.ones_like(z1)
        dJdz1 = torch.matmul(dJdz2, self.parameters['W2']) * f_prime

        self.grads['dJdW2'] = torch.matmul(dJdz2.t(), h)
        self.grads['dJdb2'] = torch.sum(dJdz2, dim=0)
        self.grads['dJdW1'] = torch.matmul(dJdz1.t(), x)
        self.grads['dJdb1'] = torch.sum(dJdz1, dim=0)

    def clear_grad_and_cache(self):
        for grad in self.grads:
            self.grads[grad].zero_()
        self.cache = dict()


def mse_loss(y, y_hat):
    J = 0.5 * torch.mean((y_hat - y) ** 2)
    dJdy_hat = (y_hat - y) / y_hat.numel()
    return J, dJdy_hat


def bce_loss(y, y_hat):
    # J = -mean( y log(y_hat) + (1-y) log(1-y_hat) )
    J = -torch.mean(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat))
    dJdy_hat = (y / y_hat - (1 - y) / (1 - y_hat)) / y_hat.numel()
    return J, dJdy_hat
