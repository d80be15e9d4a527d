"""PyTorch eager: ``nn.Sequential`` of ``nn.Linear``, the stock losses and optimizers.

The way a PyTorch user writes it: ``zero_grad(); loss = crit(model(xb), yb);
loss.backward(); opt.step()``. The logits go to ``CrossEntropyLoss`` (fused log-softmax)
and ``BCEWithLogitsLoss`` (fused sigmoid); W3 puts an ``nn.Sigmoid`` before ``MSELoss``;
``MSELoss`` is the mean over all elements, as glassnet's ``mse``. Batches are gathered
with ``index_select`` from ``torch.from_numpy(X)`` (shares memory with the NumPy array),
in the same epoch order as the NumPy runner. ``torch.set_num_threads(2)`` (``--threads``).
``nn.Linear`` stores ``weight`` as ``W.T`` (neurons, inputs), so the runner loads
transposes.
"""

from __future__ import annotations

import os

import numpy as np
from workloads import SHUFFLE_SEED, Data, Weights, Workload, epoch_order

THREADS = int(os.environ.get("BENCH_THREADS", "2"))  # set by run.py --threads


def probe() -> dict:
    import torch

    torch.set_num_threads(THREADS)
    return {"version": torch.__version__, "threads": torch.get_num_threads()}


def unsupported(w: Workload) -> str | None:
    return None


class Runner:
    compile = False

    def __init__(self, w: Workload, data: Data, init: Weights) -> None:
        import torch
        from torch import nn

        torch.set_num_threads(THREADS)
        self.torch, self.w, self.init = torch, w, init
        acts = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}
        layers: list = []
        for i, (W, _) in enumerate(init):
            layers.append(nn.Linear(W.shape[0], W.shape[1]))
            if i < len(init) - 1:
                layers.append(acts[w.activation]())
        if w.loss == "mse" and w.output == "sigmoid":
            layers.append(nn.Sigmoid())
        self.model = nn.Sequential(*layers)
        self.lins = [m for m in self.model if isinstance(m, nn.Linear)]
        self.crit = {
            "cross_entropy": nn.CrossEntropyLoss(),
            "binary_cross_entropy": nn.BCEWithLogitsLoss(),
            "mse": nn.MSELoss(),
        }[w.loss]
        params = list(self.model.parameters())
        if w.optimizer == "adam":
            self.opt = torch.optim.Adam(params, lr=w.lr)
        else:
            self.opt = torch.optim.SGD(params, lr=w.lr)
        self.X = torch.from_numpy(data.X)
        self.y = torch.from_numpy(data.y)

        model, crit, opt, X, y = self.model, self.crit, self.opt, self.X, self.y

        def step(idx):
            xb, yb = X.index_select(0, idx), y.index_select(0, idx)
            opt.zero_grad(set_to_none=True)
            loss = crit(model(xb), yb)
            loss.backward()
            opt.step()

        def step_full():
            opt.zero_grad(set_to_none=True)
            loss = crit(model(X), y)
            loss.backward()
            opt.step()

        if self.compile:
            step = torch.compile(step, dynamic=False)
            step_full = torch.compile(step_full, dynamic=False)
        self.step, self.step_full = step, step_full
        self.reset()

    def reset(self) -> None:
        torch = self.torch
        with torch.no_grad():
            for lin, (W, b) in zip(self.lins, self.init):
                lin.weight.copy_(torch.from_numpy(W.T))
                lin.bias.copy_(torch.from_numpy(b))
            # a fresh optimizer state, kept in place so a compiled step stays valid
            for state in self.opt.state.values():
                for v in state.values():
                    if torch.is_tensor(v):
                        v.zero_()

    def warmup(self) -> None:
        w = self.w
        if w.batch_size is None and not w.shuffle:
            self.step_full()
            self.step_full()
        else:
            for n in w.batch_shapes:
                idx = self.torch.arange(n)
                self.step(idx)
                self.step(idx)
        self.reset()

    def train(self) -> None:
        w, torch = self.w, self.torch
        n, B = w.n_samples, w.batch
        if w.batch_size is None and not w.shuffle:
            for _ in range(w.epochs):
                self.step_full()
            return
        rng = np.random.default_rng(SHUFFLE_SEED)
        for _ in range(w.epochs):
            order = torch.from_numpy(epoch_order(rng, n))
            for s in range(0, n, B):
                self.step(order[s : s + B])

    def weights(self) -> Weights:
        return [
            (lin.weight.detach().numpy().T.copy(), lin.bias.detach().numpy().copy())
            for lin in self.lins
        ]


def tiny_op_overhead(number: int, repeat: int) -> dict:
    """Microseconds per ``y = (a * b).sum()`` (forward) and per forward + ``y.backward()``
    on 4-element float32 tensors; the median over ``repeat`` timings of ``number`` calls."""
    import timeit

    import torch

    torch.set_num_threads(THREADS)
    a = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    b = torch.tensor([0.5, -1.0, 2.0, 0.25], requires_grad=True)

    def fwd():
        (a * b).sum()

    def fwd_bwd():
        y = (a * b).sum()
        y.backward()

    out = {}
    for key, fn in (("forward", fwd), ("forward+backward", fwd_bwd)):
        fn()
        times = timeit.repeat(fn, number=number, repeat=repeat)
        out[key] = float(np.median(times)) / number * 1e6
    return out
