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

    @staticmethod
    def act(fn, z):
        if fn == 'relu':
            return z * (z > 0)
        elif fn == 'sigmoid':
            return torch.sigmoid(z)
        else:
            return z

    @staticmethod
    def dact(fn, z):
        if fn == 'relu':
            return (z > 0).float()
        elif fn == 'sigmoid':
            return torch.sigmoid(z) * (1 - torch.sigmoid(z))
        else:
            return torch.ones_like(z)

    def forward(self, x):
        # like in lecture, every column is one sample: a = W x + b
        p = self.parameters
        x_col = x.T                                          # (in, batch)
        z1 = p['W1'] @ x_col + p['b1'].unsqueeze(1)          # (hidden, batch)
        a1 = self.act(self.f_function, z1)
        z2 = p['W2'] @ a1 + p['b2'].unsqueeze(1)             # (out, batch)
        a2 = self.act(self.g_function, z2)

        self.cache['x_col'] = x_col
        self.cache['z1'], self.cache['a1'], self.cache['z2'] = z1, a1, z2
        return a2.T                                          # (batch, out)

    def backward(self, dJdy_hat):
        x_col, z1, a1, z2 = self.cache['x_col'], self.cache['z1'], self.cache['a1'], self.cache['z2']

        delta2 = dJdy_hat.T * self.dact(self.g_function, z2)               # (out, batch)
        self.grads['dJdW2'].copy_(delta2 @ a1.T)
        self.grads['dJdb2'].copy_(delta2.sum(dim=1))

        delta1 = (self.parameters['W2'].T @ delta2) * self.dact(self.f_function, z1)  # (hidden, batch)
        self.grads['dJdW1'].copy_(delta1 @ x_col.T)
        self.grads['dJdb1'].copy_(delta1.sum(dim=1))

    def clear_grad_and_cache(self):
        for grad in self.grads:
            self.grads[grad].zero_()
        self.cache = dict()


def mse_loss(y, y_hat):
    err = y_hat - y
    loss = 0.5 * torch.mean(err * err)
    dJdy_hat = err / torch.numel(err)
    return loss, dJdy_hat


def bce_loss(y, y_hat):
    loss = torch.mean(-y * torch.log(y_hat) - (1 - y) * torch.log(1 - y_hat))
    dJdy_hat = ((1 - y) / (1 - y_hat) - y / y_hat) / torch.numel(y_hat)
    return loss, dJdy_hat
