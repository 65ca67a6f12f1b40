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

    def act(self, which, z):
        if which == 'relu':
            return torch.relu(z)
        elif which == 'sigmoid':
            return torch.sigmoid(z)
        return z

    def act_prime(self, which, z):
        if which == 'relu':
            return (z > 0).to(z.dtype)
        elif which == 'sigmoid':
            s = torch.sigmoid(z)
            return s * (1 - s)
        return torch.ones_like(z)

    def forward(self, x):
        p = self.parameters
        z1 = x.matmul(p['W1'].T) + p['b1']
        a1 = self.act(self.f_function, z1)
        z2 = a1.matmul(p['W2'].T) + p['b2']
        a2 = self.act(self.g_function, z2)
        self.cache = {'x': x, 'z1': z1, 'a1': a1, 'z2': z2}
        return a2

    def backward(self, dJdy_hat):
        c, p = self.cache, self.parameters
        dz2 = dJdy_hat * self.act_prime(self.g_function, c['z2'])
        dz1 = dz2.matmul(p['W2']) * self.act_prime(self.f_function, c['z1'])

        self.grads['dJdW2'].copy_(dz2.T.matmul(c['a1']))
        self.grads['dJdW1'].copy_(dz1.T.matmul(c['x']))
        # the bias is shared by all samples in the batch -> average over the batch
        self.grads['dJdb2'].copy_(dz2.mean(dim=0))
        self.grads['dJdb1'].copy_(dz1.mean(dim=0))

    def clear_grad_and_cache(self):
        for grad in self.grads:
            self.grads[grad].zero_()
        self.cache = dict()


def mse_loss(y, y_hat):
    J = 0.5 * torch.mean(torch.pow(y_hat - y, 2))
    dJdy_hat = (y_hat - y) / torch.numel(y)
    return J, dJdy_hat


def bce_loss(y, y_hat):
    J = torch.mean(-y * torch.log(y_hat) - (1 - y) * torch.log(1 - y_hat))
    dJdy_hat = (-y / y_hat + (1 - y) / (1 - y_hat)) / torch.numel(y)
    return J, dJdy_hat
