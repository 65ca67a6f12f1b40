"""Attack: return objects that raise from every method the grader might call while reading them (attribute access,
__array__, __float__, __len__, __repr__, __del__), and a tensor subclass whose __torch_function__ raises
KeyboardInterrupt, so that even detaching it fails with something that is not an Exception.

Expected: every Part 2 item scores 0 with a message about what was returned (or that the process ended); the
grader does not crash and grades every item.
"""

import torch


class Boom:
    def __getattribute__(self, name):
        raise RuntimeError("boom: " + name)

    def __array__(self, *args, **kwargs):
        raise RuntimeError("boom: __array__")

    def __float__(self):
        raise RuntimeError("boom: __float__")

    def __len__(self):
        raise RuntimeError("boom: __len__")

    def __repr__(self):
        raise RuntimeError("boom: __repr__")

    def __del__(self):
        raise RuntimeError("boom: __del__")


class BoomTensor(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        raise KeyboardInterrupt("boom: " + getattr(func, "__name__", "?"))


class MLP:
    def __init__(self, linear_1_in_features, linear_1_out_features, f_function,
                 linear_2_in_features, linear_2_out_features, g_function):
        self.parameters = dict(
            W1=torch.randn(linear_1_out_features, linear_1_in_features),
            b1=torch.randn(linear_1_out_features),
            W2=torch.randn(linear_2_out_features, linear_2_in_features),
            b2=torch.randn(linear_2_out_features),
        )
        self.grads = {"dJd" + k: Boom() for k in self.parameters}
        self.cache = dict()

    def forward(self, x):
        return Boom()

    def backward(self, dJdy_hat):
        self.grads = {k: Boom() for k in ("dJdW1", "dJdb1", "dJdW2", "dJdb2")}
        return Boom()

    def clear_grad_and_cache(self):
        self.cache = dict()


def mse_loss(y, y_hat):
    return Boom(), Boom()


def bce_loss(y, y_hat):
    return torch.zeros(()).as_subclass(BoomTensor), torch.zeros_like(y).as_subclass(BoomTensor)
