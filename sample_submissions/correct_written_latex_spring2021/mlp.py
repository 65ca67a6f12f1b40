import torch

# activation functions and their derivatives (derivative takes the pre-activation)
ACT = {
    'relu': lambda z: torch.relu(z),
    'sigmoid': lambda z: torch.sigmoid(z),
    'identity': lambda z: z,
}

DACT = {
    'relu': lambda z: (z > 0).type(z.dtype),
    'sigmoid': lambda z: torch.sigmoid(z) * (1 - torch.sigmoid(z)),
    'identity': lambda z: torch.ones_like(z),
}


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
        # linear1 -> f -> linear2 -> g
        s1 = x @ self.parameters['W1'].t() + self.parameters['b1']
        h = ACT[self.f_function](s1)
        s2 = h @ self.parameters['W2'].t() + self.parameters['b2']
        y_hat = ACT[self.g_function](s2)

        self.cache.update(x=x, s1=s1, h=h, s2=s2)
        return y_hat

    def backward(self, dJdy_hat):
        c = self.cache
        # output layer
        delta2 = dJdy_hat * DACT[self.g_function](c['s2'])
        self.grads['dJdW2'][:] = delta2.t() @ c['h']
        self.grads['dJdb2'][:] = torch.sum(delta2, 0)
        # hidden layer
        delta1 = (delta2 @ self.parameters['W2']) * DACT[self.f_function](c['s1'])
        self.grads['dJdW1'][:] = delta1.t() @ c['x']
        self.grads['dJdb1'][:] = torch.sum(delta1, 0)

    def clear_grad_and_cache(self):
        for grad in self.grads:
            self.grads[grad].zero_()
        self.cache = dict()


def mse_loss(y, y_hat):
    n = y_hat.shape[0] * y_hat.shape[1]
    loss = torch.sum((y_hat - y) ** 2) / n
    dJdy_hat = 2.0 / n * (y_hat - y)
    return loss, dJdy_hat


def bce_loss(y, y_hat):
    n = y_hat.shape[0] * y_hat.shape[1]
    loss = -torch.sum(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat)) / n
    dJdy_hat = -(y / y_hat - (1 - y) / (1 - y_hat)) / n
    return loss, dJdy_hat
