"""Attack: return objects that compare equal to anything (a float subclass and a tensor subclass whose == is always
true, and a plain object with __eq__, __float__ and __array__ that lie). Nothing is computed.

Expected: every Part 2 item scores 0: values are converted to plain arrays in the student's process and compared
in the grader's, so == is never consulted; the messages say what was returned instead of a tensor.
"""

import numpy as np
import torch

WRONG = 1234.5  # never the right value, so only == could make it pass


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__

    def __float__(self):
        return 0.0

    def __array__(self, dtype=None, copy=None):
        return np.zeros(())


class EqualFloat(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class EqualTensor(torch.Tensor):
    def __eq__(self, other):
        return torch.ones(self.shape, dtype=torch.bool)

    __hash__ = torch.Tensor.__hash__


class MLP:
    def __init__(self, linear_1_in_features, linear_1_out_features, f_function,
                 linear_2_in_features, linear_2_out_features, g_function):
        self.parameters = dict(
            W1=torch.randn(linear_1_out_features, linear_1_in_features),
            b1=torch.randn(linear_1_out_features),
            W2=torch.randn(linear_2_out_features, linear_2_in_features),
            b2=torch.randn(linear_2_out_features),
        )
        self.grads = {"dJd" + k: AlwaysEqual() for k in self.parameters}
        self.cache = dict()

    def forward(self, x):
        return torch.full((x.shape[0], self.parameters["W2"].shape[0]), WRONG).as_subclass(EqualTensor)

    def backward(self, dJdy_hat):
        self.grads = {k: AlwaysEqual() for k in self.grads}

    def clear_grad_and_cache(self):
        self.cache = dict()


def mse_loss(y, y_hat):
    return EqualFloat(0.0), AlwaysEqual()


def bce_loss(y, y_hat):
    return AlwaysEqual(), torch.full_like(y, WRONG).as_subclass(EqualTensor)
