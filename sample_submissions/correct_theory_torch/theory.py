# Part 1 in torch, float32, column vectors: x is (n, 1), so gradients come out (m, n), (m, 1), (K, m), (K, 1)
# and dl/dy_hat as a (1, K) row, the way the lecture writes it. Fall 2020 conventions.
import torch

FIVE_STEPS = """
1. feed the batch through the network (model.forward)
2. evaluate the criterion on y_hat and y
3. optimizer.zero_grad() so old gradients are cleared
4. loss.backward() -- backpropagation
5. optimizer.step() -- gradient descent step
"""

ACT = {"relu": torch.relu, "sigmoid": torch.sigmoid, "identity": lambda z: z}
DACT = {
    "relu": lambda z: (z > 0).float(),
    "sigmoid": lambda z: torch.sigmoid(z) * (1 - torch.sigmoid(z)),
    "identity": lambda z: torch.ones_like(z),
}


def train_step(model, criterion, optimizer, x, y):
    optimizer.zero_grad(set_to_none=True)
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.detach()


def _col(a):
    return torch.as_tensor(a, dtype=torch.float32).reshape(-1, 1)


def _setup(x, y, params):
    W1, W2 = (torch.as_tensor(params[k], dtype=torch.float32) for k in ("W1", "W2"))
    return _col(x), _col(y), W1, _col(params["b1"]), W2, _col(params["b2"])


def forward_pass(x, y, params, f, g, loss):
    x, y, W1, b1, W2, b2 = _setup(x, y, params)
    z1 = W1 @ x + b1
    z2 = ACT[f](z1)
    z3 = W2 @ z2 + b2
    y_hat = ACT[g](z3)
    if loss == "mse":
        l = 0.5 * ((y_hat - y) ** 2).sum()
    else:
        l = -(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat)).sum()
    return {"z1": z1, "z2": z2, "z3": z3, "y_hat": y_hat, "loss": l}


def jacobians(x, y, params, f, g, loss):
    out = forward_pass(x, y, params, f, g, loss)
    yc, y_hat = _col(y), out["y_hat"]
    d = (y_hat - yc) if loss == "mse" else (y_hat - yc) / (y_hat * (1 - y_hat))
    return {
        "dz2_dz1": torch.diag(DACT[f](out["z1"]).flatten()),
        "dyhat_dz3": torch.diag(DACT[g](out["z3"]).flatten()),
        "dl_dyhat": d.T,                                   # a (1, K) row
    }


def gradients(x, y, params, f, g, loss):
    xc = _col(x)
    out = forward_pass(x, y, params, f, g, loss)
    J = jacobians(x, y, params, f, g, loss)
    W2 = torch.as_tensor(params["W2"], dtype=torch.float32)
    dl_dz3 = J["dl_dyhat"] @ J["dyhat_dz3"]                # (1, K)
    dl_dz1 = dl_dz3 @ W2 @ J["dz2_dz1"]                    # (1, m)
    return {"W1": dl_dz1.T @ xc.T, "b1": dl_dz1.T, "W2": dl_dz3.T @ out["z2"].T, "b2": dl_dz3.T}


RELU_BENEFITS = (
    "The gradient that reaches the first layers is a product of one activation derivative per layer. "
    "Sigmoid's derivative is never larger than 0.25, so in a deeper net that product shrinks fast: the "
    "gradients vanish. ReLU has slope 1 on the positive side, so the gradient is passed back without "
    "shrinking. Its outputs are sparse (every negative pre-activation gives 0), and it needs no exp, "
    "so it is computationally cheap."
)
