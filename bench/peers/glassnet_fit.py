"""glassnet, used the way a user would: ``nn.MLP``, ``optim``, ``glassnet.fit``.

The initial weights are written into each ``nn.Linear``'s ``W`` (inputs, neurons) and
``b`` (neurons,) Parameters; the loss is named (``cross_entropy`` fuses the softmax head,
``binary_cross_entropy`` the sigmoid head, ``mse`` is the mean over all elements) and
``fit`` does the shuffling (``seed=0``), batching and updates. ``warmup()`` is one short
``fit`` on the first rows (every batch shape), then the initial weights and a fresh
optimizer are put back.

BLAS threads: ``glassnet.threads.limit(model, batch, threads=...)`` wraps each ``fit`` call
(``threads`` from ``BENCH_GLASSNET_THREADS``: ``auto``, the default, or an int; run.py's
``glassnet@N`` sets it). Where ``fit`` takes ``threads=`` itself, it is passed to ``fit``
instead and the wrapper is left out.
"""

from __future__ import annotations

import contextlib
import inspect
import os

import numpy as np
from workloads import Data, Weights, Workload


def probe() -> dict:
    import glassnet
    from glassnet import nn, optim

    missing = [
        name
        for name, obj in (
            ("glassnet.fit", glassnet),
            ("nn.MLP", nn),
            ("nn.Linear", nn),
            ("optim.SGD", optim),
            ("optim.Adam", optim),
        )
        if not hasattr(obj, name.split(".")[-1])
    ]
    if missing:
        raise ImportError(f"glassnet lacks {', '.join(missing)}")
    return {"version": getattr(glassnet, "__version__", "?"), "path": glassnet.__file__}


def unsupported(w: Workload) -> str | None:
    return None


def _threads_option() -> str | int:
    value = os.environ.get("BENCH_GLASSNET_THREADS", "auto")
    return value if value in ("auto", "load") else int(value)


class Runner:
    extra: dict = {}  # more keyword arguments for fit (the graph-engine variant sets engine)

    def __init__(self, w: Workload, data: Data, init: Weights) -> None:
        import glassnet
        from glassnet import nn, optim

        self.glassnet, self.optim, self.w, self.init = glassnet, optim, w, init
        self.fit_takes_threads = "threads" in inspect.signature(glassnet.fit).parameters
        self.X, self.y = data.X, data.y
        self.model = nn.MLP(
            list(w.sizes),
            activation=w.activation,
            output_activation=w.output,
            dtype=np.float32,
            rng=0,
        )
        self.lins = [m for m in self.model.modules() if isinstance(m, nn.Linear)]
        shapes = [(tuple(lin.W.data.shape), tuple(lin.b.data.shape)) for lin in self.lins]
        want = [(W.shape, b.shape) for W, b in init]
        if shapes != want:
            raise RuntimeError(f"nn.MLP layer shapes {shapes} differ from the workload's {want}")
        self.reset()

    def reset(self) -> None:
        for lin, (W, b) in zip(self.lins, self.init):
            lin.W.data[...] = W
            lin.b.data[...] = b
        params = self.model.parameters()
        if self.w.optimizer == "adam":
            self.opt = self.optim.Adam(params, lr=self.w.lr)
        else:
            self.opt = self.optim.SGD(params, lr=self.w.lr)

    def _fit(self, X: np.ndarray, y: np.ndarray, epochs: int):
        from glassnet import threads

        w, opt = self.w, _threads_option()
        extra = dict(self.extra)
        if self.fit_takes_threads:
            extra["threads"] = opt  # fit chooses (or sets) the BLAS threads itself
            wrap = contextlib.nullcontext()
        else:
            wrap = threads.limit(self.model, min(w.batch, len(X)), threads=opt, owner="bench")
        with wrap:
            return self.glassnet.fit(
                self.model,
                X,
                y,
                loss=w.loss,
                optimizer=self.opt,
                batch_size=w.batch_size,
                epochs=epochs,
                shuffle=w.shuffle,
                seed=0,
                verbose=0,
                **extra,
            )

    def warmup(self) -> None:
        w = self.w
        n = w.n_samples if w.batch_size is None else sum(w.batch_shapes)
        self._fit(self.X[:n], self.y[:n], epochs=2 if w.batch_size is None else 1)
        self.reset()

    def train(self) -> None:
        self.history = self._fit(self.X, self.y, epochs=self.w.epochs)

    def info(self) -> dict:
        """What fit reported: its engine and the steps it ran (checked against the workload)."""
        h = self.history
        steps = getattr(h, "steps", None)
        if steps is not None and steps != self.w.steps:
            raise RuntimeError(f"glassnet.fit ran {steps} steps, the workload has {self.w.steps}")
        from glassnet import threads

        return {
            "engine": getattr(h, "engine", None),
            "stop_reason": getattr(h, "stop_reason", None),
            # the choice as the rule makes it now (the same load as the timed runs)
            "blas_threads": threads.blas_threads(self.model, self.w.batch, _threads_option()),
            "threads_choice": threads.explain(self.model, self.w.batch, _threads_option()),
        }

    def weights(self) -> Weights:
        return [
            (np.array(lin.W.data, dtype=np.float32), np.array(lin.b.data, dtype=np.float32))
            for lin in self.lins
        ]


def tiny_op_overhead(number: int, repeat: int) -> dict:
    """Microseconds per ``y = (a * b).sum()`` and per forward + ``y.backward()`` on
    4-element float32 tensors (median over ``repeat`` timings of ``number`` calls)."""
    import timeit

    import glassnet

    Tensor = getattr(glassnet, "Tensor", None)
    if Tensor is None:
        from glassnet.tensor import Tensor
    a = Tensor(np.array([1.0, 2.0, 3.0, 4.0], dtype=np.float32), requires_grad=True)
    b = Tensor(np.array([0.5, -1.0, 2.0, 0.25], dtype=np.float32), requires_grad=True)

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
