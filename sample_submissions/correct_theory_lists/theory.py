# Part 1 with plain Python lists and the math module: no NumPy at all. Fall 2020 conventions.
import math

FIVE_STEPS = ["predict: y_hat = net(x)", "loss = criterion(y_hat, y)", "clear old gradients",
              "back-propagate the loss", "take a step"]


def train_step(model, criterion, optimizer, x, y):
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    value = float(loss.detach())
    loss.backward()
    optimizer.step()
    return value


def act(name, v):
    if name == "relu":
        return max(v, 0.0)
    if name == "sigmoid":
        return 1.0 / (1.0 + math.exp(-v))
    return v


def dact(name, v):
    if name == "relu":
        return 1.0 if v > 0 else 0.0
    if name == "sigmoid":
        s = 1.0 / (1.0 + math.exp(-v))
        return s * (1.0 - s)
    return 1.0


def matvec(W, v):
    return [sum(float(w) * float(a) for w, a in zip(row, v)) for row in W]


def forward_pass(x, y, params, f, g, loss):
    x, y = list(x), list(y)
    z1 = [a + float(b) for a, b in zip(matvec(params["W1"], x), params["b1"])]
    z2 = [act(f, v) for v in z1]
    z3 = [a + float(b) for a, b in zip(matvec(params["W2"], z2), params["b2"])]
    y_hat = [act(g, v) for v in z3]
    if loss == "mse":
        l = 0.5 * sum((p - t) ** 2 for p, t in zip(y_hat, y))
    else:
        l = -sum(t * math.log(p) + (1 - t) * math.log(1 - p) for p, t in zip(y_hat, y))
    return {"z1": z1, "z2": z2, "z3": z3, "y_hat": y_hat, "loss": l}


def diag(values):
    return [[v if i == j else 0.0 for j in range(len(values))] for i, v in enumerate(values)]


def jacobians(x, y, params, f, g, loss):
    out = forward_pass(x, y, params, f, g, loss)
    y_hat = out["y_hat"]
    if loss == "mse":
        dl = [p - t for p, t in zip(y_hat, y)]
    else:
        dl = [(p - t) / (p * (1 - p)) for p, t in zip(y_hat, y)]
    return {"dz2_dz1": diag([dact(f, v) for v in out["z1"]]),
            "dyhat_dz3": diag([dact(g, v) for v in out["z3"]]),
            "dl_dyhat": [dl]}                       # nested: one row of K values


def gradients(x, y, params, f, g, loss):
    out = forward_pass(x, y, params, f, g, loss)
    J = jacobians(x, y, params, f, g, loss)
    dl_dz3 = [d * J["dyhat_dz3"][k][k] for k, d in enumerate(J["dl_dyhat"][0])]
    back = [sum(float(params["W2"][k][j]) * dl_dz3[k] for k in range(len(dl_dz3))) for j in range(len(out["z1"]))]
    dl_dz1 = [b * J["dz2_dz1"][j][j] for j, b in enumerate(back)]
    return {"W1": [[d * float(xi) for xi in x] for d in dl_dz1], "b1": dl_dz1,
            "W2": [[d * a for a in out["z2"]] for d in dl_dz3], "b2": dl_dz3}


RELU_BENEFITS = """Sigmoid saturates: its derivative is tiny for large |z| and at most 1/4 anywhere, so the
product of these derivatives across many layers vanishes. The derivative of ReLU is one for z > 0, so gradients
keep their size. ReLU also makes sparse representations and is faster to evaluate (a threshold at zero)."""
