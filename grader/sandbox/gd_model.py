"""Both sides (NumPy and the standard library only): the image classifiers ``gradient_descent`` (gd.py) is graded
on, as data, and their weights.

The child builds the torch model from these (``calls_gd``); the trusted side evaluates it with the NumPy reference
(``reference.gd``), so the trusted side never imports torch. A classifier is VGG-style, in torchvision's layout,
so the keys of a VGG13-BN state_dict fit:

  features    for each entry of cfg: an int c -> Conv2d(prev, c, 3, padding=1) [BatchNorm2d(c)] ReLU;
              "M" -> MaxPool2d(2)
  avgpool     AdaptiveAvgPool2d(pool)
  classifier  Linear(c * pool * pool, h) ReLU Dropout for each h in hidden, then Linear(last, classes)

Weights are ``{torchvision key: float32 array}``: features.{i}.weight (c, prev, 3, 3), features.{i}.bias (c,);
BatchNorm features.{i}.weight/bias/running_mean/running_var (c,); classifier.{j}.weight (out, in), .bias (out,).
"""

from __future__ import annotations

import zipfile

import numpy as np

#: The grader's own classifier: 3x32x32 images, 10 classes, a few milliseconds per step.
SMALL = {"cfg": (16, "M", 32, "M"), "batch_norm": False, "pool": 1, "hidden": (), "classes": 10, "size": 32,
         "bounded": True}
#: The handout's ImageNet VGG13-BN (weights from a local file only: see docs/gradient_descent.md).
VGG13_BN = {"cfg": (64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"), "batch_norm": True,
            "pool": 7, "hidden": (4096, 4096), "classes": 1000, "size": 224}
ARCHITECTURES = {"small": SMALL, "vgg13_bn": VGG13_BN}
BN_EPS = 1e-5
MAX_WEIGHTS_BYTES = 2_000_000_000


def scaled(spec: dict, width: float = 1.0, classes: int | None = None, size: int | None = None) -> dict:
    """``spec`` with every channel and hidden width times ``width`` (at least 1), other classes or image size."""
    cfg = tuple(c if c == "M" else max(1, round(c * width)) for c in spec["cfg"])
    hidden = tuple(max(1, round(h * width)) for h in spec["hidden"])
    return {**spec, "cfg": cfg, "hidden": hidden, "classes": classes or spec["classes"], "size": size or spec["size"]}


def layers(spec: dict) -> list[tuple]:
    """The layers in order, as plain tuples:
    ("conv", key, c_in, c_out), ("bn", key, c), ("relu",), ("maxpool",), ("avgpool", pool), ("flatten",),
    ("linear", key, n_in, n_out), ("dropout",), ("tanh",) (the grader's own classifier, ``bounded``: first in
    classifier)."""
    out: list[tuple] = []
    prev, i = 3, 0
    for c in spec["cfg"]:
        if c == "M":
            out.append(("maxpool",))
            i += 1
            continue
        out.append(("conv", f"features.{i}", prev, int(c)))
        i += 1
        if spec["batch_norm"]:
            out.append(("bn", f"features.{i}", int(c)))
            i += 1
        out.append(("relu",))
        i += 1
        prev = int(c)
    out += [("avgpool", int(spec["pool"])), ("flatten",)]
    n, j = prev * int(spec["pool"]) ** 2, 0
    if spec.get("bounded"):  # features in [0, 1): an ascent that overshoots cannot blow every logit up
        out.append(("tanh",))
        j += 1
    for h in spec["hidden"]:
        out += [("linear", f"classifier.{j}", n, int(h)), ("relu",), ("dropout",)]
        n, j = int(h), j + 3
    out.append(("linear", f"classifier.{j}", n, int(spec["classes"])))
    return out


def shapes(spec: dict) -> dict[str, tuple[int, ...]]:
    """Every weight's key and shape, in layer order."""
    out: dict[str, tuple[int, ...]] = {}
    for layer in layers(spec):
        if layer[0] == "conv":
            _, key, c_in, c_out = layer
            out[f"{key}.weight"], out[f"{key}.bias"] = (c_out, c_in, 3, 3), (c_out,)
        elif layer[0] == "bn":
            _, key, c = layer
            for name in ("weight", "bias", "running_mean", "running_var"):
                out[f"{key}.{name}"] = (c,)
        elif layer[0] == "linear":
            _, key, n_in, n_out = layer
            out[f"{key}.weight"], out[f"{key}.bias"] = (n_out, n_in), (n_out,)
    return out


def draw_weights(spec: dict, seed: int) -> dict[str, np.ndarray]:
    """Random weights fixed by ``seed`` (He-scaled convolutions, a last layer that separates the classes)."""
    rng = np.random.default_rng(int(seed))
    out: dict[str, np.ndarray] = {}
    last = f"classifier.{3 * len(spec['hidden']) + bool(spec.get('bounded'))}"
    for key, shape in shapes(spec).items():
        name = key.rsplit(".", 1)[1]
        if name == "weight" and len(shape) > 1:
            fan_in = int(np.prod(shape[1:]))
            gain = 4.0 if key.startswith(last) else 2.0
            w = rng.standard_normal(shape) * np.sqrt(gain / fan_in)
            if key.startswith(last):
                w = _separating(w, gain)
        elif name in ("weight", "running_var"):  # BatchNorm scale, variance
            w = rng.uniform(0.8, 1.2, shape)
        else:  # biases, BatchNorm shift and mean
            w = rng.uniform(-0.1, 0.1, shape)
        out[key] = w.astype(np.float32)
    return out


def _separating(w: np.ndarray, gain: float) -> np.ndarray:
    """The last layer (classes, n): rows orthogonal to each other and to (1, ..., 1), when n allows, so that
    raising one class's logit does not raise the others and features that grow together favour no class."""
    classes, n = w.shape
    if n <= classes:
        return w - w.mean(axis=0, keepdims=True)
    g = w.T - w.T.mean(axis=0, keepdims=True)  # (n, classes), columns orthogonal to the ones vector
    q, _ = np.linalg.qr(g)
    return q.T * np.sqrt(gain * n / classes)


def load_weights(path: str, spec: dict) -> dict[str, np.ndarray]:
    """A local ``.npz`` file of the spec's weights (float arrays under torchvision's keys; others, such as
    num_batches_tracked, are ignored). Read with allow_pickle=False. Raises ValueError saying what is wrong."""
    want = shapes(spec)
    try:
        with np.load(path, allow_pickle=False) as z:
            missing = [k for k in want if k not in z.files]
            if missing:
                raise ValueError(f"{path}: no {', '.join(missing[:3])} (the keys of torchvision's state_dict)")
            out = {k: np.asarray(z[k], dtype=np.float32) for k in want}
    except (OSError, zipfile.BadZipFile, EOFError) as e:
        raise ValueError(f"{path}: not a readable .npz file of weights ({e})") from e
    wrong = [f"{k} {a.shape} (want {want[k]})" for k, a in out.items() if a.shape != want[k]]
    if wrong:
        raise ValueError(f"{path}: wrong shapes: {'; '.join(wrong[:3])}")
    return out
