"""Part 2.2 (gd.py) in NumPy: a VGG-style classifier's forward pass, the gradient of one logit by the input image,
and the grader's own gradient ascent (DeepDream-style), the yardstick a student's ``gradient_descent`` is held to.

The classifier is given as data: ``layers``, a list of tuples (("conv", key, c_in, c_out), ("bn", key, c),
("relu",), ("maxpool",), ("avgpool", pool), ("flatten",), ("linear", key, n_in, n_out), ("dropout",), ("tanh",)), and
``weights``, {torchvision state_dict key: array}. In eval mode: BatchNorm uses its running statistics, Dropout is
the identity. Images are (3, H, W) float64, values in [0, 1] (the batch of one without its batch axis).

  normalize(image)                                 -> (3, H, W)   (image - ImageNet mean) / ImageNet std
  logits(layers, weights, image)                   -> (classes,)  on normalize(image), no jitter
  probability(layers, weights, image, target)      -> softmax(logits)[target]
  logit_grad(layers, weights, x, target)           -> (logit, d logit / d x)  x: a normalized (3, H, W) image
  ascend(layers, weights, image, target, iterations, lr, step, seed) -> (3, H, W)  the image after the ascent
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

MEAN = np.array([0.485, 0.456, 0.406])
STD = np.array([0.229, 0.224, 0.225])
BN_EPS = 1e-5


def normalize(image):
    return (np.asarray(image, dtype=np.float64) - MEAN[:, None, None]) / STD[:, None, None]


def _im2col(x):
    """(C, H, W) -> (H*W, C*9): the 3x3 neighbourhoods (zero padding 1), in a conv weight's (c, ky, kx) order."""
    C, H, W = x.shape
    windows = sliding_window_view(np.pad(x, ((0, 0), (1, 1), (1, 1))), (3, 3), axis=(1, 2))  # (C, H, W, 3, 3)
    return windows.transpose(1, 2, 0, 3, 4).reshape(H * W, C * 9)


def _col2im(cols, C, H, W):
    """The adjoint of _im2col: (H*W, C*9) -> (C, H, W)."""
    d = cols.reshape(H, W, C, 3, 3)
    out = np.zeros((C, H + 2, W + 2))
    for ky in range(3):
        for kx in range(3):
            out[:, ky:ky + H, kx:kx + W] += d[:, :, :, ky, kx].transpose(2, 0, 1)
    return out[:, 1:-1, 1:-1]


def _forward(layers, w, x):
    """The logits of a normalized image x (3, H, W), and what the backward pass needs of each layer."""
    cache = []
    for layer in layers:
        kind = layer[0]
        if kind == "conv":
            _, key, c_in, c_out = layer
            C, H, W = x.shape
            wmat = np.asarray(w[f"{key}.weight"], dtype=np.float64).reshape(c_out, c_in * 9)
            cache.append((wmat, (C, H, W)))
            x = (_im2col(x) @ wmat.T + np.asarray(w[f"{key}.bias"], dtype=np.float64)).T.reshape(c_out, H, W)
        elif kind == "bn":
            key = layer[1]
            scale = w[f"{key}.weight"] / np.sqrt(np.asarray(w[f"{key}.running_var"], np.float64) + BN_EPS)
            cache.append(scale[:, None, None])
            x = (x - w[f"{key}.running_mean"][:, None, None]) * scale[:, None, None] + w[f"{key}.bias"][:, None, None]
        elif kind == "relu":
            cache.append(x > 0)
            x = np.maximum(x, 0)
        elif kind == "maxpool":
            C, H, W = x.shape
            win = x[:, :H // 2 * 2, :W // 2 * 2].reshape(C, H // 2, 2, W // 2, 2).transpose(0, 1, 3, 2, 4)
            win = win.reshape(C, H // 2, W // 2, 4)
            first = np.argmax(win, axis=-1)  # the first largest, as torch picks it
            cache.append((first, (C, H, W)))
            x = np.take_along_axis(win, first[..., None], -1)[..., 0]
        elif kind == "avgpool":
            C, H, W = x.shape
            p = layer[1]
            if H % p or W % p:
                raise ValueError(f"adaptive average pooling to {p}x{p} of a {H}x{W} map is not supported here")
            cache.append((H // p, W // p))
            x = x.reshape(C, p, H // p, p, W // p).mean(axis=(2, 4))
        elif kind == "flatten":
            cache.append(x.shape)
            x = x.reshape(-1)
        elif kind == "linear":
            wmat = np.asarray(w[f"{layer[1]}.weight"], dtype=np.float64)
            cache.append(wmat)
            x = wmat @ x + w[f"{layer[1]}.bias"]
        elif kind == "tanh":
            x = np.tanh(x)
            cache.append(1 - x ** 2)
        elif kind == "dropout":
            cache.append(None)
        else:
            raise ValueError(f"unknown layer {kind!r}")
    return x, cache


def _backward(layers, cache, d):
    """d (classes,) = dJ/dlogits -> dJ/dx (3, H, W) for the normalized input image."""
    for layer, c in zip(reversed(layers), reversed(cache)):
        kind = layer[0]
        if kind == "linear":
            d = c.T @ d
        elif kind == "flatten":
            d = d.reshape(c)
        elif kind == "avgpool":
            kh, kw = c
            d = np.repeat(np.repeat(d, kh, axis=1), kw, axis=2) / (kh * kw)
        elif kind == "maxpool":
            first, (C, H, W) = c
            win = np.zeros(first.shape + (4,))
            np.put_along_axis(win, first[..., None], d[..., None], -1)
            full = np.zeros((C, H, W))
            full[:, :H // 2 * 2, :W // 2 * 2] = win.reshape(C, H // 2, W // 2, 2, 2).transpose(0, 1, 3, 2, 4) \
                .reshape(C, H // 2 * 2, W // 2 * 2)
            d = full
        elif kind in ("relu", "bn", "tanh"):
            d = d * c
        elif kind == "conv":
            wmat, (C, H, W) = c
            d = _col2im(d.reshape(wmat.shape[0], H * W).T @ wmat, C, H, W)
    return d


def logits(layers, weights, image):
    return _forward(layers, weights, normalize(image))[0]


def probability(layers, weights, image, target):
    z = logits(layers, weights, image)
    e = np.exp(z - z.max())
    return float(e[target] / e.sum())


def logit_grad(layers, weights, x, target):
    """(logit[target], its gradient by the normalized image x (3, H, W))."""
    z, cache = _forward(layers, weights, np.asarray(x, dtype=np.float64))
    d = np.zeros_like(z)
    d[target] = 1.0
    return float(z[target]), _backward(layers, cache, d)


def ascend(layers, weights, image, target, iterations, lr, step, seed):
    """Gradient ascent on logit[target] of normalize(roll(image)), the roll drawn as the handout's
    normalize_and_jitter draws it (np.random.randint(-step, step - 1, 2), from RandomState(seed)); each step moves
    every pixel by lr times its gradient over the mean absolute gradient, then clamps to [0, 1]."""
    rng = np.random.RandomState(int(seed))
    x = np.asarray(image, dtype=np.float64).copy()
    for _ in range(int(iterations)):
        dx, dy = rng.randint(-step, step - 1, 2)
        _, g = logit_grad(layers, weights, normalize(np.roll(np.roll(x, dx, -1), dy, -2)), target)
        g = np.roll(np.roll(g / STD[:, None, None], -dy, -2), -dx, -1)
        x = np.clip(x + lr * g / (np.abs(g).mean() + 1e-12), 0.0, 1.0)
    return x
