"""Many networks of one shape trained at once: ensembles, seed studies, learning-rate sweeps.

``fit_many(models, X, y, ...)`` trains K networks of the same architecture in one batched
pass: their weights are stacked (``W``: (K, inputs, neurons)) and every step is the fast
path's forward and backward (:class:`glassnet.fused.FastMLP`) with ``np.matmul`` over the
model axis, then one optimizer update of the stacks. The per-step Python cost is paid once
for all K networks instead of K times, which is what dominates small networks.

Each network keeps what makes it itself: its own initial weights (the models as given),
its own batch order (``seed`` per model), its own learning rate and L2 strength, and its
own stopping point: a network stopped by ``tol`` or early stopping is frozen (its weights
put back after every update) while the others train on. With the same seeds, each network
ends with the weights :func:`glassnet.fit` gives it alone on the NumPy fast path (what
fit's ``engine="auto"`` runs for such a network; ``engine="jit"``, the compiled loop,
agrees to rounding only, see docs/jit.md), and its History holds fit's losses and
validation scores: bit for bit,
with any optimizer, with one learning rate for all models or one per model (each model's
rate enters its own update where its fit's rate enters: Adam's step, SGD's momentum and
weight decay). Two cases also agree to rounding only, where BLAS orders a sum by where a
value sits: cross-entropy on a batch of one row (BLAS sums one row's exponentials in
another order than a stack's rows: 5e-6 in float32 after 300 epochs whose last batch
holds one row; 0 in float64 there), and networks of more than 65,536 weights (BLAS's
axpy rounds the last values of a buffer without a fused multiply-add, and a network's
values sit elsewhere in the stack: 7e-19 in float64 after 3 epochs).

>>> import numpy as np
>>> import glassnet as gn
>>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
>>> y = np.array([1, 0, 0, 1])  # XNOR
>>> nets = [gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=s)
...         for s in range(20)]
>>> hs = fit_many(nets, X, y, loss="binary_cross_entropy", lr=2.0, epochs=500)
>>> len(hs), hs[0].epochs
(20, 500)
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import inspect
import itertools
import math
import os
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import functional as F
from . import optim as optim_mod
from . import tasks
from ._validation import (
    ParameterError,
    as_rng,
    attach,
    check_keywords,
    check_memory,
    check_name,
    check_number,
    check_positive,
    record_names,
)
from .backend import namespace
from .engines import check_followed
from .fused import FastMLP, Layer, add_l2, layers_of
from .gradient import loss_sum, plain
from .interrupts import interrupted_warning
from .metrics import UndefinedMetricWarning
from .nn.flat import grad_view
from .nn.module import Module, Parameter
from .stream import Stream
from .threads import gemm_flops, model_threads
from .threads import limit as blas_limit
from .train import History, fit

__all__ = ["fit_many", "search", "SearchResult"]


@dataclass
class _StackedLinear:
    """K Linear layers of one shape as one: ``W`` (K, inputs, neurons), ``b`` (K, 1, neurons)."""

    W: Parameter
    b: Parameter | None
    inputs: int
    neurons: int


@dataclass
class _View:
    """A share of a stacked parameter: networks [a, b) of its values and its gradient."""

    data: np.ndarray
    grad: np.ndarray
    shape = property(lambda self: self.data.shape)
    dtype = property(lambda self: self.data.dtype)


class _Shares:
    """The stacked step split over threads: each thread steps networks [a, b) of the stack,
    a FastMLP over views of the stacked weights and of their gradients (bound to the
    optimizer's flat buffer), so the update that follows is the one of the whole stack.
    Each network's numbers are the ones the whole stack computes for it: a product or
    a loss of one network never mixes with another's."""

    def __init__(self, layers: list[Layer], loss: str, dtype: Any, n: int) -> None:
        K = layers[0].W.shape[0]
        cuts = [K * i // n for i in range(n + 1)]
        for q in (q for lay in layers for q in (lay.linear.W, lay.linear.b) if q is not None):
            q.grad = grad_view(q)  # (the optimizer's flat view, as the first step binds it)
        self.shares = []
        for a, b in zip(cuts[:-1], cuts[1:]):
            part = [
                Layer(_StackedLinear(*[None if q is None else _View(q.data[a:b], q.grad[a:b])
                                       for q in (lay.linear.W, lay.linear.b)],
                                     lay.inputs, lay.neurons), lay.act, lay.alpha)
                for lay in layers
            ]  # fmt: skip
            self.shares.append((FastMLP(part, loss, dtype=dtype), a, b))
        # fit_many's errstate is per thread: its own threads ignore what it ignores
        quiet = functools.partial(np.seterr, over="ignore", invalid="ignore", divide="ignore")
        self.pool = ThreadPoolExecutor(n - 1, "glassnet-fit_many", initializer=quiet)

    def step(self, X: np.ndarray, y: np.ndarray, w: Any, m: int, own_rows: bool) -> np.ndarray:
        """Every network's loss on its batch (X: (K, m, ...) rows of its own, else shared)."""

        def one(share: tuple) -> np.ndarray:
            engine, a, b = share
            wk = None if w is None else w[a * m : b * m]
            return engine.step(X[a:b] if own_rows else X, y[a:b], wk)

        rest = [self.pool.submit(one, share) for share in self.shares[1:]]
        return np.concatenate([one(self.shares[0]), *(f.result() for f in rest)])


def _per_model(value: Any, name: str, K: int, dtype: Any = float) -> np.ndarray:
    """A setting given once or once per model, as an array of K values."""
    arr = np.asarray(value, dtype=object if dtype is object else None)
    if arr.ndim == 0:
        return np.array([value] * K, dtype=dtype)
    if arr.shape != (K,):
        got = f"{arr.shape[0]} values" if arr.ndim == 1 else f"an array of shape {arr.shape}"
        raise ValueError(f"fit_many: {name} must be one value or one per model ({K}). Got {got}.")
    return np.array(list(value), dtype=dtype)


def _place(w: np.ndarray, buffers: list[np.ndarray]) -> tuple[int, int]:
    """Which of ``buffers`` the 1-D slice ``w`` is a slice of, and where in it it starts."""
    at = w.__array_interface__["data"][0]
    for c, d in enumerate(buffers):
        start = (at - d.__array_interface__["data"][0]) // d.itemsize
        if d.dtype == w.dtype and 0 <= start < d.shape[0]:
            return c, start
    raise RuntimeError("fit_many: an update of values outside the stacked buffers")


class _Laid(dict):
    """A rule's settings, its per-model numbers laid out when the rule reads one (``lay``)."""

    lay: Any

    def __missing__(self, name: str) -> np.ndarray:
        self[name] = value = self.lay(name)  # (a KeyError for a name it has not, as a dict)
        return value


def _rate_per_model(opt: optim_mod.Optimizer, lrs: np.ndarray, K: int) -> None:
    """Give ``opt`` (one param group over the stacked parameters, each (K, ...)) the rate
    ``lrs[k]`` for model k's values: its rule meets each model's rate where that model's fit
    meets its one rate.

    A step's numbers that derive from the rate (Adam's γ√(1 − β₂ᵗ)/(1 − β₁ᵗ), AdamW's
    1 − γλ, NAdam's γ(1 − μₜ), ...) are made by the optimizer's own ``_per_step`` from the K
    rates at once (float64, each the number fit makes from its one rate: the same
    operations on the same values), then laid out one per value of the stack, in the
    buffer's dtype (as fit's rule casts its Python number). The rule is the optimizer's
    own, elementwise, run on blocks of at most 65,536 values (the block a rule's ``descend``
    takes one rate array for), so each model's values take fit's operations in fit's order.
    """
    (pack,) = opt._packs
    flat = pack.flat
    # each parameter's values in its dtype's buffer (buffer, slice, values per model), and
    # each value's model in a small buffer (laid out by one gather; a large one, per slot)
    slots = [(c, sl, p.data.size // K) for p, (c, sl) in zip(flat.params, flat.slots)]
    who = [np.empty(d.shape[0], np.intp) if d.shape[0] <= 8192 else None for d in flat.data]
    for c, sl, per in slots:
        if who[c] is not None:
            who[c][sl] = np.repeat(np.arange(K), per)
    rates = np.array(lrs, np.float64)
    own_per_step, own_rule, block = opt._per_step, opt._rule, optim_mod.BLOCK
    layout = {id(d): c for c, d in enumerate(flat.data)}
    # per number and dtype's buffer: the K values last laid out, and the buffer they fill
    # (the rule's own, read only during its call: a step's numbers laid out anew when they
    # change, Adam's rate each step, a rate or a decay once)
    laid: dict[tuple[str, int], tuple[bytes, np.ndarray]] = {}

    def spread(name: str, values: np.ndarray, c: int) -> np.ndarray:
        """K numbers, one per model, as one per value of buffer c (cast to its dtype)."""
        last, out = laid.get((name, c), (None, None))
        key = values.tobytes()
        if last != key:
            out = np.empty_like(flat.data[c]) if out is None else out
            cast = values.astype(out.dtype)
            if who[c] is not None:
                np.take(cast, who[c], out=out)
            for i, sl, per in slots if who[c] is None else ():
                if i == c:
                    out[sl].reshape(K, per)[...] = cast[:, None]
            laid[name, c] = key, out
        return out

    def per_step(h: dict) -> dict:
        h = own_per_step({**h, "lr": rates})
        varying = {k: v for k, v in h.items() if isinstance(v, np.ndarray) and v.shape == (K,)}
        return {**{k: v for k, v in h.items() if k not in varying}, "_many_rates": varying}

    def rule(w: np.ndarray, g: np.ndarray, work: Any, state: dict, h: dict) -> None:
        c, start = _place(w, flat.data) if id(w) not in layout else (layout[id(w)], 0)
        varying = h["_many_rates"]
        n, a, b = w.shape[0], *work
        for i in range(0, n, block):
            s, at = slice(i, i + block), slice(start + i, start + min(i + block, n))
            mine = _Laid(h)  # (a number the rule reads, laid out then: Adam reads no "lr")
            mine.lay = lambda name, at=at: spread(name, varying[name], c)[at]
            own_rule(w[s], g[s], (a[s], b[s]), {k: v[s] for k, v in state.items()}, mine)

    opt._per_step, opt._rule = per_step, rule  # type: ignore[method-assign]


def _describe(layers: list[Layer]) -> str:
    """``2->8 tanh, 8->1 sigmoid`` (a leaky ReLU's slope and a missing bias shown)."""
    return ", ".join(
        f"{lay.inputs}->{lay.neurons} {lay.act}"
        + (f"({lay.alpha:g})" if lay.act == "leaky_relu" else "")
        + (" without bias" if lay.b is None else "")
        for lay in layers
    )


def _dtypes(layers: list[Layer]) -> str:
    """``float64``, or each layer's dtype where they differ: ``mixed: float64, float32``
    (a bias of another dtype than its weights shown as ``float64 (bias float32)``)."""
    per = [
        f"{lay.W.dtype}"
        + ("" if lay.b is None or lay.b.dtype == lay.W.dtype else f" (bias {lay.b.dtype})")
        for lay in layers
    ]
    return per[0] if len(set(per)) == 1 else "mixed: " + ", ".join(per)


def _stack(models: Sequence[Module], spec: Any) -> tuple[list[list[Layer]], list[Layer]]:
    """Each model's layers, and the stacked layers of all of them (checked to match)."""
    per = []
    for k, m in enumerate(models):
        try:
            per.append(layers_of(m, owner="fit_many", training=True))
        except TypeError as e:  # which model, then what is wrong with it
            why = str(e).removeprefix("fit_many: ")
            if "handles networks of" in why or "has no Linear layer" in why:  # (what to do)
                why += (
                    " fit_many stacks networks of that kind alone: train such a model with "
                    "glassnet.fit, which takes any model (the autodiff graph), or build the "
                    "models of Linear layers and activations."
                )
            raise TypeError(f"fit_many: model {k}: {why}") from None
    # each model trained is written back to its own parameters: none may be another's
    first_owner: dict[int, int] = {}
    for k, m in enumerate(models):
        for p in m.parameters():
            if namespace(p.data) is not np:  # (the stacked step is NumPy's, on the CPU)
                raise TypeError(
                    f"fit_many: model {k}'s weights are arrays of another library "
                    f"({type(p.data).__module__}.{type(p.data).__name__}, a GPU's); fit_many "
                    "stacks and trains on the CPU. Move the models there with model.to('cpu') "
                    "first, or train each where it is with glassnet.fit."
                )
            j = first_owner.setdefault(id(p), k)
            if j == k:
                continue
            if models[j] is m:
                raise ValueError(
                    f"fit_many: model {k} is model {j} (the same object); each model must be "
                    "a network of its own: build them one by one, e.g. "
                    "[MLP(..., rng=s) for s in range(K)], not [MLP(...)] * K."
                )
            raise ValueError(
                f"fit_many: model {k} shares a parameter with model {j}; each model must have "
                "weights of its own (copy.deepcopy(model) makes an independent copy)."
            )
    first = per[0]
    shape = [(lay.inputs, lay.neurons, lay.act, lay.alpha, lay.b is None) for lay in first]
    for k, layers in enumerate(per[1:], 1):
        other = [(lay.inputs, lay.neurons, lay.act, lay.alpha, lay.b is None) for lay in layers]
        if other != shape:
            raise ValueError(
                f"fit_many: every model must have the same layers, activations and biases; "
                f"model {k} has layers {_describe(layers)}; model 0 has {_describe(first)}. "
                "Build them with the same sizes and activations, or call fit_many once per "
                "shape."
            )
        if _dtypes(layers) != _dtypes(first):  # (each layer's: np.stack would promote one)
            raise ValueError(
                f"fit_many: model {k} is {_dtypes(layers)}; model 0 is {_dtypes(first)}; "
                "convert them to one dtype (model.to(dtype))."
            )
    out, loss_head = first[-1].act, spec.head
    if loss_head and out != loss_head and not (out == "identity" and spec.on_logits == spec.name):
        raise ValueError(
            f"fit_many: the loss {spec.name!r} expects a {loss_head} output layer; the models "
            f"end in {out}. End them in {loss_head} (output_activation={loss_head!r})"
            + (f", or train their {out} outputs as logits with loss={spec.on_logits!r}."
               if out == "identity" else ".")
        )  # fmt: skip
    stacked = []
    for i, lay in enumerate(first):
        W = Parameter(np.stack([layers[i].W for layers in per]))
        b = None if lay.b is None else Parameter(np.stack([layers[i].b for layers in per])[:, None])
        stacked.append(Layer(_StackedLinear(W, b, lay.inputs, lay.neurons), lay.act, lay.alpha))  # type: ignore[arg-type]
    return per, stacked


def _in_memory(X: Any, y: Any, owner: str) -> None:
    """Refuse what fit reads as a stream (a file path, a Stream, chunks with y None, a
    memmap), which the stacked run cannot take (or, a memmap, would train otherwise: with a
    full permutation, where fit draws its batches through a shuffle buffer), saying so,
    before anything reads it as an array."""
    if isinstance(X, (str, os.PathLike, Stream)) or y is None:  # (what fit reads as streams)
        given = "y is None (chunks of (X, y) are a stream)"
        if isinstance(X, (str, os.PathLike, Stream)):
            given = "X is a Stream" if isinstance(X, Stream) else "X is a file path"
        raise TypeError(
            f"{owner} trains on arrays held in memory, X and y; {given}. Read the data into "
            "memory first (glassnet.datasets.read_csv, np.load), or train each model on the "
            "stream with glassnet.fit."
        )
    if isinstance(X, np.memmap):  # (fit streams it, through a shuffle buffer)
        raise TypeError(
            f"{owner} trains on arrays held in memory, X and y; X is a np.memmap, which "
            "glassnet.fit streams through a shuffle buffer (buffer_size rows, 65,536 by "
            f"default), so {owner}'s full permutation per epoch would not train as separate "
            f"fits on it do. Pass np.asarray(X) (and np.asarray(y)), what {owner} trains on, "
            "which glassnet.fit trains the same way; or train each model on the memmap with "
            "glassnet.fit."
        )


def _named_loss(owner: str, loss: Any) -> Any:
    """The named loss the stacked step computes for all the models at once; a function, or
    anything else, refused (tasks.loss_spec's refusal offers a function: fit takes one)."""
    try:
        spec = tasks.loss_spec(loss, owner)
    except ParameterError:
        names = sorted(set(F.LOSSES) | set(F.LOSS_ALIASES))
        raise ParameterError(
            f"The 'loss' parameter of {owner} must be one of {names}. Got {loss!r:.80}."
        ) from None
    if spec is None:
        name = getattr(loss, "__name__", type(loss).__name__)
        raise ValueError(
            f"{owner} trains on a named loss (see glassnet.functional.LOSSES), computed for "
            f"all the models at once. Got the function {name}; pass a name such as 'mse' or "
            "'cross_entropy', or train each model with glassnet.fit, which takes a function."
        )
    check_followed(spec, owner)  # (an entry replaced in its fn: fit's numbers, not the kernel's)
    return spec


def fit_many(
    models: Sequence[Module],
    X: Any,
    y: Any,
    *,
    loss: str = "mse",
    optimizer: str = "sgd",
    lr: float | Sequence[float] = 0.01,
    l2: float | Sequence[float] | None = 0.0,
    epochs: int = 100,
    max_steps: int | None = None,
    batch_size: int | None = None,
    shuffle: bool = True,
    seed: Any = None,
    tol: float | None = None,
    n_iter_no_change: int | None = None,
    validation_split: float = 0.0,
    validation_data: tuple[Any, ...] | None = None,
    early_stopping: bool = False,
    sample_weight: Any = None,
    threads: int | str | None = None,
    **optimizer_options: Any,
) -> list[History]:
    """Train every model of ``models`` on (X, y) at once; returns one History per model.

    The options mean what they mean in :func:`glassnet.fit`:

    ``epochs`` (default 100): passes over the training rows; each model stops at the
    last one, or earlier by its own rule (``tol``, early stopping, ``max_steps``,
    divergence), its History's ``stop_reason`` saying which.
    ``batch_size`` (default None: all the rows, full-batch gradient descent): rows per
    step, the last batch of an epoch the rows left; one above all the rows is refused (one
    above the rows a validation split leaves trains on those full-batch).
    ``shuffle`` (default True): each epoch's batches are drawn from a new permutation of
    the rows, each model's from its ``seed`` (a full batch is never shuffled); False: the
    rows in order.
    ``tol`` (default None: no tolerance rule) and ``n_iter_no_change`` (default 10):
    a model stops (``"tol"``) once its epoch loss has not fallen below its best by more
    than ``tol`` for ``n_iter_no_change`` epochs in a row; with early stopping the same
    rule on its validation loss (``tol=None`` then: by any amount). Giving
    ``n_iter_no_change`` without ``tol`` or early stopping is refused: it would change
    nothing.
    ``validation_split`` (default 0.0): the fraction of the rows held out, drawn with each
    model's ``seed`` (stratified for classification), which then do not train; each epoch
    scores them into the History's ``val_loss`` (and its metric). ``validation_data=(X_val,
    y_val[, w_val])`` gives the rows instead (not both).
    ``early_stopping`` (default False): a model stops (``"early_stopping"``) when its
    validation loss has not improved by more than ``tol`` for ``n_iter_no_change`` epochs,
    and gets back the weights of its best epoch when the run ends; without
    ``validation_data`` or ``validation_split`` it holds out 0.1 of the rows, as fit does.
    ``sample_weight``: one weight per row of X, for every model, the rows a validation
    split holds out weighing each model's validation scores, as ``w_val`` of
    ``validation_data`` does. ``max_steps``: at most this many steps per model.
    ``**optimizer_options``: further keywords go to the optimizer (below), e.g.
    ``momentum=0.9``, ``betas=(0.9, 0.999)``, ``weight_decay=``; an
    option of :func:`glassnet.fit` that ``fit_many`` does not take (``callbacks``,
    ``schedule``, ...) is refused with a ``TypeError`` naming it rather than reach the
    optimizer.

    ``lr``, ``l2`` and ``seed`` take one value for all models or a sequence of one per
    model. ``seed`` draws each model's batch order (and validation split); ``None`` or one
    seed gives every model the same batches, which lets them share each gathered batch. A
    seed may be a function of the epoch, as in fit. In a sequence, one Generator (or None,
    glassnet's default generator) given for two models is refused: they would take turns
    drawing from it, neither drawing its own fit's batches.
    ``optimizer`` is a name from ``glassnet.optim.OPTIMIZERS`` (or an Optimizer class);
    further keywords (``momentum=0.9``, ``betas=``) go to it. A class of your own with a
    ``step()`` of its own is refused: over the stack it would see every model's gradients
    at once (a class that gives its rule as ``_rule`` sees them in one buffer too: its
    update must be elementwise). Per-model learning rates work with every built-in
    optimizer: each model's rate scales its own update inside the optimizer's rule, as its
    fit's rate does (Adam's γ√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m̂/s, SGD's velocity and weight decay,
    AdamW's decay 1 − γλ), so an lr sweep with Adam equals one fit per rate, bit for bit. A
    class of your own takes one ``lr`` for all models (its rule may read its rate where one
    rate per model cannot reach it). A
    parameter with ``requires_grad=False`` is left as it is.

    ``threads`` splits the stack over that many threads, each stepping its share of the
    networks (NumPy's calls release the GIL, so the shares run on as many cores; BLAS is
    held to one thread, on one share too, where threadpoolctl is installed). None /
    ``'auto'``: one thread per 6 MFLOP of the stacked step, at most one per network and
    the CPUs this process may use, whatever the load (the same call on the same machine
    gets the same count); XNOR-sized networks stay on one. ``'load'``: also at most the
    CPUs other work leaves free (:func:`glassnet.threads.model_threads`). ``'keep'``: as
    ``'auto'``, with BLAS's count in force left as it is (not held to one: for a process
    whose other threads compute meanwhile, docs/threads.md). An int: that
    many. Every network's numbers are the same on any count of threads (with BLAS held
    to one thread: without threadpoolctl, BLAS's own count may change the last bits).

    The models' parameters hold the trained weights when ``fit_many`` returns (also
    after Ctrl-C, with the History's ``stop_reason`` ``"interrupted"``). A model whose
    loss becomes NaN or inf stops with ``stop_reason="diverged"`` and keeps its weights
    from before that step (its last finite ones, recorded every 64 steps, when those
    overflowed; with early stopping too, as in fit); the others go on. Each model must be
    its own object, sharing no parameter with another.
    """
    given = type(models).__name__
    if isinstance(models, np.ndarray) and models.ndim == 1:  # (an object array of models)
        models = list(models)
    if isinstance(models, (list, tuple)) and not models:
        raise ParameterError(  # (a ValueError, and the TypeError it was)
            f"fit_many: models must be a non-empty list of glassnet models of one shape. Got an "
            f"empty {given}: pass at least one model, e.g. [nn.MLP([2, 8, 1], rng=s) for s in "
            "range(5)]."
        )
    if isinstance(models, Module) or not isinstance(models, Sequence) or not models:
        raise TypeError(
            "fit_many: models must be a non-empty list of glassnet models of one shape. "
            f"Got {type(models).__name__}."
        )
    # fit's options that fit_many has not would reach the optimizer: named here instead
    fit_only = sorted(set(optimizer_options) & _FIT_ONLY)
    if fit_only:
        raise TypeError(
            f"fit_many takes no {fit_only}: an option of glassnet.fit that fit_many does not "
            "have (it takes loss, optimizer and the optimizer's settings, lr, l2, epochs, "
            "max_steps, batch_size, shuffle, seed, tol, n_iter_no_change, validation_split, "
            "validation_data, early_stopping, sample_weight, threads). Leave it out, or "
            "train the models one by one with glassnet.fit."
        )
    if not isinstance(optimizer, (str, type)):
        raise TypeError(
            "fit_many: optimizer must be a name from glassnet.optim.OPTIMIZERS, with its "
            "settings as keywords (optimizer='sgd', momentum=0.9): fit_many builds one "
            f"optimizer over the stacked weights of all the models. Got {optimizer!r:.80}."
        )
    if validation_data is not None:
        validation_data = tasks.validation_parts(validation_data, "fit_many")
    _in_memory(X, y, "fit_many")
    K = len(models)
    spec = _named_loss("fit_many", loss)
    per, layers = _stack(models, spec)
    for k, model in enumerate(models):  # (as fit refuses it: its epochs would change nothing)
        if not any(getattr(p, "requires_grad", True) for p in model.parameters()):
            raise ValueError(
                f"fit_many: model {k} has no parameter to train (every one frozen): its "
                "epochs would change nothing, and its History would count steps it never "
                "took. Unfreeze some, p.requires_grad_(True), or leave it out of models."
            )
    for m in models[1:]:  # (a DataFrame's column names, each model's: check_data, the first's)
        record_names(m, X, "fit_many")
    X, y, w = tasks.check_data(models[0], spec, X, y, sample_weight, "fit_many")
    # (as fit checks them: a batch_size against all the rows, one above the rows a
    # validation split leaves trains on those full-batch)
    tasks.check_patience(n_iter_no_change, "fit_many", tol=tol, early_stopping=early_stopping)
    n_iter_no_change = 10 if n_iter_no_change is None else n_iter_no_change
    tasks.check_run(
        "fit_many", X.shape[0], batch_size=batch_size, epochs=epochs, max_steps=max_steps,
        n_iter_no_change=n_iter_no_change, tol=tol, validation_split=validation_split,
        shuffle=shuffle, early_stopping=early_stopping,
    )  # fmt: skip
    lrs = _per_model(lr, "lr", K, object)
    l2s = _per_model(0.0 if l2 is None else l2, "l2", K, object)  # (None: off, as in fit)
    for name, values, zero in (("lr", lrs, False), ("l2", l2s, True)):
        for v in values:  # (as given: None or "0.1" named as such, not as a float)
            check_positive(name, v, "fit_many", allow_zero=zero)
    lrs, l2s = lrs.astype(float), l2s.astype(float)
    seeds = seed if isinstance(seed, (list, tuple, range, np.ndarray)) else None
    # every model its own generator (its own batches and split), or one for all; a function
    # of the epoch draws each epoch's generator, its split drawn as fit draws it (from s(0))
    given = list(_per_model(seeds, "seed", K, object)) if seeds is not None else [seed]
    draws = [(k, s) for k, s in enumerate(given) if callable(s)]
    split = validation_data is None and (validation_split > 0 or early_stopping)
    rngs = [as_rng(s(0) if callable(s) and split else None if callable(s) else s, "fit_many")
            for s in given]  # fmt: skip
    first_use: dict[int, int] = {}
    for k, s in enumerate(given):  # (None is glassnet's default generator: one stream too)
        j = k if callable(s) else first_use.setdefault(id(rngs[k]), k)
        if j != k:
            same = (
                "both None: glassnet's default generator"
                if s is None and given[j] is None
                else "the same Generator"
            )
            raise ValueError(
                f"fit_many: seed {k} is seed {j} ({same}): the two models would "
                "take turns drawing from one stream, so neither would draw the batches its "
                "own fit draws. Give each model a generator of its own, e.g. "
                "seed=range(K) or [np.random.default_rng(s) for s in range(K)], or one seed "
                "for all models (seed=None: every model the same batches)."
            )

    # validation: one split per model's generator (one for all when the seed is shared)
    Xv = yv = wv = None
    if validation_data is not None:  # (checked, and refused beside a split, as fit's)
        given = (validation_data, validation_split, False, rngs[0], "fit_many")
        Xv, yv, wv = tasks.validation_set(models[0], spec, X, y, w, *given)[3:]
    elif validation_split > 0 or early_stopping:
        if seeds is not None:  # each model's rows copied: the splits, then their stack
            data = sum(a.nbytes for a in (X, y, w) if a is not None)
            check_memory("fit_many", 2 * K * data, _PER_MODEL_ROWS)
        # (each model's split checked as fit checks its own: no class held out whole; a
        # loop, not a comprehension, whose frame would move the one-row warning's line)
        parts = []
        for r in rngs:
            got = (None, validation_split, early_stopping, r, "fit_many")
            parts.append(tasks.validation_set(models[0], spec, X, y, w, *got))
        if seeds is None:
            X, y, w, Xv, yv, wv = parts[0]
        else:
            X, y, Xv, yv = (np.stack([part[j] for part in parts]) for j in (0, 1, 3, 4))
            if w is not None:
                w, wv = (np.stack([part[j] for part in parts]) for j in (2, 5))
    if seeds is not None and X.ndim == 2:  # (K, n, ...): every model its own rows
        X, y = np.broadcast_to(X, (K, *X.shape)), np.broadcast_to(y, (K, *y.shape))
        w = None if w is None else np.broadcast_to(w, (K, *w.shape))
    lead = 1 if seeds is not None else 0  # the rows' axis of X, y and w

    n = X.shape[lead]
    bs = n if batch_size is None else min(batch_size, n)  # (above the rows left: full batch)

    # refused before allocating, as fit refuses: the stacked weights' gradients, optimizer
    # state and the copies fit_many keeps (last finite, held, best: 6 copies at most), and
    # per batch row of each model each layer's activation, its dL/dZ and a scratch buffer
    weights = sum(q.nbytes for lay in layers for q in (lay.W, lay.b) if q is not None)
    widths = sum(lay.neurons for lay in layers)
    need = 6 * weights + 3 * K * bs * widths * X.dtype.itemsize
    if np.any(lrs != lrs[0]):  # (a rate per model: the rate laid out one per weight)
        need += weights
    if lead and shuffle and bs < n:  # each epoch's permutations, one per model, and their stack
        need += 2 * K * n * np.dtype(np.intp).itemsize
    # validation runs forward only, over groups of networks and of rows, so that its rows
    # (held out from all the data) cost about what a training step's batch costs (at least
    # tasks.FORWARD_BYTES, what a forward pass in blocks of rows holds), not K models'
    # forward passes of them all: per network and row, the forward's three buffers of the
    # widest layer; per network, its outputs for every row (the loss's and the metric's
    # arrays of them, which an output-sized pass keeps whole)
    val_group, val_rows = K, 1
    if Xv is not None:
        nv, size = Xv.shape[-2], X.dtype.itemsize
        row = 3 * max(lay.neurons for lay in layers) * size
        kept = nv * (4 * layers[-1].neurons * size + 8)
        budget = max(tasks.FORWARD_BYTES, 3 * K * bs * widths * size)
        val_group = int(max(1, min(K, budget // (nv * row + kept))))
        val_rows = int(max(1, min(nv, budget // (val_group * row))))
        need += val_group * (val_rows * row + kept)
    check_memory("fit_many", need, "train fewer models at once, or use a smaller batch_size")
    # the engine: one FastMLP over the stacks, one optimizer over the stacked parameters
    engine = FastMLP(layers, spec.name, dtype=X.dtype)
    params = [q for lay in layers for q in (lay.linear.W, lay.linear.b) if q is not None]
    owns = [[q for lay in layers_k for q in (lay.linear.W, lay.linear.b) if q is not None]
            for layers_k in per]  # fmt: skip
    # a parameter a model keeps fixed (requires_grad=False), as fit's optimizer leaves it:
    # (stacked parameter, model, its values), put back after every update
    fixed = [(params[j], k, p.data) for k, own in enumerate(owns) for j, p in enumerate(own)
             if not getattr(p, "requires_grad", True)]  # fmt: skip
    weights = [lay.linear.W for lay in layers]
    per_model_lr = bool(np.any(lrs != lrs[0]))
    kind = check_name(optimizer, optim_mod.OPTIMIZERS, "optimizer", optim_mod.Optimizer)
    base = optim_mod.Optimizer
    own = [a for a in ("step", "prepared") if getattr(kind, a) is not getattr(base, a)]
    if own:  # (a step of its own sees the K models' gradients at once: a norm would mix them)
        raise TypeError(
            f"fit_many: the optimizer class {kind.__name__} has a {own[0]}() of its own; "
            "fit_many steps one optimizer over the stacked weights of all the models, where "
            "that code would see every model's gradients at once (a norm, a clipping, a "
            "check would mix the models), so the models would not train as each does alone. "
            "Train each model with glassnet.fit, or give fit_many a built-in optimizer by "
            f"name ({', '.join(sorted(set(optim_mod.OPTIMIZERS) - {'gd'}))})."
        )
    if per_model_lr and kind not in optim_mod.OPTIMIZERS.values():
        raise ValueError(
            f"fit_many: per-model learning rates reach the built-in optimizers' rules (each "
            f"model's rate in its own update); {kind.__name__} is a class of your own, whose "
            "rule may read its rate elsewhere (self.lr, a number of its own), where one rate "
            "per model would not reach it. Give it one lr for all models, call fit_many once "
            "per lr, or use a built-in optimizer by name."
        )
    try:  # (params=, name=: get_optimizer's own arguments)
        check_keywords(kind, optimizer_options)
    except TypeError as e:  # a keyword of neither: most often a misspelt option of fit_many
        raise TypeError(f"fit_many: {e} {_unknown_hint(optimizer_options, kind)}") from None
    opt = optim_mod.get_optimizer(optimizer, params, lr=float(lrs[0]), **optimizer_options)
    opt.fuse_above *= K  # each network's part of a buffer updated as fit updates it alone
    flops = gemm_flops(models[0], bs)  # per layer, one product; a step has 3 (the first 2)
    n_threads = model_threads(K * (3 * sum(flops) - flops[0]), K, threads)
    # per-model rates: plain SGD steps at rate 1 on gradients each scaled by its model's
    # rate (w − γ_k g, the numbers of its fit); any other rule is given each model's rate
    # inside its update (a momentum, a moment or a decay meets the rate where it does alone)
    scale = None
    if per_model_lr and kind is optim_mod.SGD and not (opt.momentum or opt.weight_decay):
        opt.lr = 1.0
        scale = lrs.astype(X.dtype).reshape(K, 1, 1)
    elif per_model_lr:
        _rate_per_model(opt, lrs, K)
    l2_arr = l2s.reshape(K, 1, 1) if np.any(l2s) else None

    # Each model's books are arrays over the K models, so a step or an epoch costs a few
    # NumPy calls whatever K is (a loop over the models per step was most of a small
    # network's time); the Histories are written from them when training ends.
    active = np.ones(K, bool)
    steps, samples = np.zeros(K, np.int64), np.zeros(K, np.int64)
    reasons: dict[int, str] = {}
    notes: dict[int, list[str]] = {}
    held: list[np.ndarray] = []  # the stopped models' weights (stacked), put back each step
    frozen = np.zeros(0, np.intp)  # which models those are
    best, bad, best_epoch = np.full(K, math.inf), np.zeros(K, np.int64), np.zeros(K, np.int64)
    best_weights = [q.data.copy() for q in params] if early_stopping else []
    has_best = np.zeros(K, bool)  # whether best_weights holds the model's best epoch's
    records: list[tuple[np.ndarray, Any, np.ndarray]] = []  # per epoch: loss, val, who
    # each model's last finite weights, recorded every 64 steps as fit records them: what a
    # model diverged by weights that overflowed (its loss still finite) is put back to
    finite = [q.data.copy() for q in params]

    def stop(k: int, reason: str, values: list[np.ndarray] | None = None) -> None:
        nonlocal held, frozen
        if values is None and not all(np.isfinite(q.data[k]).all() for q in params):
            # every loss it computed was finite, its last update was not (as fit raises)
            reason, values, has_best[k] = "diverged", [v[k].copy() for v in finite], False
            notes.setdefault(k, []).append(
                f"fit_many: model {k}'s update at step {steps[k]} left non-finite weights: "
                "it diverged and keeps the last finite weights recorded (up to 64 steps "
                "earlier). Try a smaller learning rate for it."
            )
        active[k] = False
        if not held:
            held = [q.data.copy() for q in params]
        for v, value in zip(held, values or [q.data[k] for q in params]):
            v[k] = value
        frozen = np.flatnonzero(~active)
        reasons[k] = reason

    # the stack split over threads (threads=), each stepping a share of the networks, with
    # one BLAS thread under each where threadpoolctl can set it; one share too, so that
    # every count of shares gives the same bits (BLAS's own count of threads would not)
    shares = _Shares(layers, spec.name, X.dtype, n_threads) if n_threads > 1 else None
    one = "keep" if isinstance(threads, str) and threads == "keep" else 1  # (keep: BLAS's own)
    blas = blas_limit(models[0], bs, threads=one, owner="fit_many", best_effort=True)
    try:
        if blas is not None:
            blas.__enter__()
    except (ImportError, RuntimeError):  # (no threadpoolctl, or no BLAS it can set)
        blas = None
    errstate = np.errstate(over="ignore", invalid="ignore", divide="ignore")
    errstate.__enter__()
    taken = 0  # steps taken by the stack
    update = opt.step  # (its prepared form once every parameter has a gradient)
    try:
        for epoch in range(1, epochs + 1):
            for k, draw in draws:  # (a model's own while it trains, as in its fit)
                if len(rngs) == 1 or active[k]:
                    rngs[k] = as_rng(draw(epoch), "fit_many")
            orders = None
            if shuffle and bs < n:
                orders = np.stack([r.permutation(n) for r in rngs])  # (K or 1, n)
            total, seen = np.zeros(K), 0
            for start in range(0, n, bs):
                stop_ = min(start + bs, n)
                m = stop_ - start
                # 1) the batch: shared rows (one seed) or each model's own rows
                wbt = None
                if orders is None:
                    xb = X[:, start:stop_] if lead else X[start:stop_]
                    ybt = y[:, start:stop_] if lead else y[start:stop_]
                    if w is not None:
                        wbt = w[:, start:stop_] if lead else w[start:stop_]
                elif not lead:
                    xb, ybt = (
                        np.take(X, orders[0, start:stop_], axis=0),
                        np.take(y, orders[0, start:stop_], axis=0),
                    )
                    if w is not None:
                        wbt = np.take(w, orders[0, start:stop_])
                else:
                    rows = np.arange(K)[:, None]
                    xb, ybt = X[rows, orders[:, start:stop_]], y[rows, orders[:, start:stop_]]
                    if w is not None:
                        wbt = w[rows, orders[:, start:stop_]]
                if not lead:  # every model scores the same targets (with the same weights)
                    ybt = np.broadcast_to(ybt, (K, *ybt.shape))
                    wbt = None if wbt is None else np.broadcast_to(wbt, (K, m))
                if wbt is not None:  # (K m,): one weight per row of the stacked batch
                    wbt = np.ascontiguousarray(wbt).reshape(-1)
                # 2) forward, loss and backward of all models, 3) one update
                ybt = np.ascontiguousarray(ybt)
                if shares is None:
                    batch_loss = engine.step(xb, ybt, wbt)
                else:
                    batch_loss = shares.step(xb, ybt, wbt, m, bool(lead))
                if l2_arr is not None:
                    batch_loss = batch_loss + add_l2(weights, l2_arr, m)
                for k in np.flatnonzero(active & ~np.isfinite(batch_loss)):
                    # its weights from before this step are kept, else its last finite ones
                    ok = all(np.isfinite(q.data[k]).all() for q in params)
                    stop(k, "diverged", None if ok else [v[k].copy() for v in finite])
                    has_best[k] = False  # (as fit: not put back to its best epoch's)
                    notes.setdefault(k, []).append(
                        f"fit_many: model {k}'s loss became {batch_loss[k]} at step "
                        f"{steps[k] + 1} (epoch {epoch}): it diverged and keeps "
                        + ("its weights from before that step." if ok else "the last finite "
                           "weights recorded (up to 64 steps earlier).")
                        + " Try a smaller learning rate for it."
                    )  # fmt: skip
                if scale is not None:
                    for q in params:
                        g = plain(q.grad)  # (NumPy's own in-place ops: a Grad's cost a call)
                        g *= scale
                update()
                if update == opt.step:  # (every gradient is bound now: see Optimizer.prepared)
                    update = opt.prepared()
                for q, v in zip(params, held) if len(frozen) else ():
                    q.data[frozen] = v[frozen]
                for q, k, v in fixed:
                    q.data[k] = v.reshape(q.data.shape[1:])
                total += np.where(active, batch_loss, 0.0) * m
                seen += m
                steps += active
                samples += active * m
                taken += 1
                if taken % 64 == 0:  # (the models still training have taken every step)
                    ok = active.copy()  # each model's weights all finite: one pass a stack
                    for q in params:
                        ok &= np.isfinite(q.data).reshape(K, -1).all(axis=1)
                    for v, q in zip(finite, params):
                        v[ok] = q.data[ok]
                if max_steps is not None and taken >= max_steps:
                    break
            # end of epoch: record, validate, each model's stopping rule
            epoch_loss = total / seen
            records.append((epoch_loss, None, active.copy()))  # (a Ctrl-C in validating: kept)
            val = None
            if Xv is not None:
                val = _validate_groups(
                    layers, spec.name, X.dtype, (Xv, yv, wv), K, (val_group, val_rows)
                )
            records[-1] = (epoch_loss, val, records[-1][2])
            score = val[0] if early_stopping else epoch_loss
            limit = (tol or 0.0) if early_stopping else tol
            bad = np.where(score < best - (limit or 0.0), 0, bad + 1)
            better = active & (score < best)
            best = np.where(better, score, best)
            best_epoch[better] = epoch
            for v, q in zip(best_weights, params) if better.any() else ():
                v[better] = q.data[better]
            has_best |= better & bool(early_stopping)
            # max_steps first: fit names it when a tolerance rule stops the same epoch
            for k in np.flatnonzero(active & (steps >= (max_steps or math.inf))):
                stop(k, "max_steps")
            for k in (
                np.flatnonzero(active & (bad >= n_iter_no_change)) if limit is not None else ()
            ):
                stop(k, "early_stopping" if early_stopping else "tol")
            if not active.any():
                break
        ok = active.copy()  # (the models still training: each one's weights all finite)
        for q in params:
            ok &= np.isfinite(q.data).reshape(K, -1).all(axis=1)
        for k in np.flatnonzero(active & ~ok):
            stop(k, "max_epochs")  # (named "diverged" there: its last update overflowed)
        for k in np.flatnonzero(active):
            reasons[k] = "max_epochs"
    except KeyboardInterrupt:
        for k in np.flatnonzero(active):
            reasons[k] = "interrupted"
    finally:
        errstate.__exit__(None, None, None)
        if shares is not None:  # (a step in flight ends first: it writes gradients only)
            shares.pool.shutdown()
        if blas is not None:
            blas.__exit__(None, None, None)
        # every model gets its weights back: the best seen (early stopping), else its last
        now = [q.data for q in params]
        for k in range(K):
            values = best_weights if has_best[k] else held if not active[k] else now
            for q, v in zip(owns[k], values):
                if not getattr(q, "requires_grad", True):  # (a fixed one never left its values)
                    continue
                if getattr(q.data.flags, "writeable", True):
                    q.data[...] = v[k].reshape(q.data.shape)
                else:  # a read-only array: a new one, as fit's optimizer moves it into its own
                    q.data = v[k].reshape(q.data.shape).copy()
    histories = _histories(records, steps, samples, best_epoch, lrs, reasons, notes)
    for h in histories:
        h.metric_name = "" if Xv is None else tasks.metric_name(spec, yv, yv.shape[-1])
    cut = [h for h in histories if h.stop_reason == "interrupted"]
    if cut:  # (a notebook's Stop, said as fit says it: fit_many(); save(...) would go on)
        warnings.warn(
            f"{len(cut)} of the {K} networks: {interrupted_warning(cut[0])}",
            UserWarning,
            stacklevel=2,
        )
    return histories


# what to do when rows of its own for each model (a seed per model) would not fit
_PER_MODEL_ROWS = (
    "give the models one seed for all (one split, the batches shared), pass validation_data, "
    "or train fewer models at once"
)

# fit_many's own options, the same for every model of a run
_STACKED_ONLY = frozenset(inspect.signature(fit_many).parameters) - {"models", "X", "y"}
_PER_MODEL = ("lr", "l2", "seed")  # what fit_many takes per model

# glassnet.fit's options that fit_many does not take (passed, they are named in an error)
_FIT_ONLY = frozenset(inspect.signature(fit).parameters) - frozenset(
    inspect.signature(fit_many).parameters
)


def _unknown_hint(given: dict[str, Any], kind: type) -> str:
    """What fit_many does with a keyword of its own that it does not know, and the option
    of fit_many or setting of the optimizer each unknown one may have meant."""
    takes = list(inspect.signature(kind.__init__).parameters)[2:]
    own = sorted(_STACKED_ONLY - {"optimizer_options"})
    bad = sorted(set(given) - set(takes))
    close = {k: difflib.get_close_matches(k, own + takes, n=1) for k in bad}
    meant = [f"{k!r}: did you mean {c[0]!r}?" for k, c in close.items() if c]
    return (
        f"fit_many passes the keywords that are none of its own options ({', '.join(own)}) "
        f"to the optimizer. {' '.join(meant)}"
    ).strip()


def _histories(
    records: list[tuple[np.ndarray, Any, np.ndarray]],
    steps: np.ndarray,
    samples: np.ndarray,
    best_epoch: np.ndarray,
    lrs: np.ndarray,
    reasons: dict[int, str],
    notes: dict[int, list[str]],
) -> list[History]:
    """One History per model from the books fit_many kept as arrays: ``records`` holds each
    epoch's losses of every model, its validation (loss, metric) or None, and which models
    were training in it (the epochs a model trained in are the first ones: a stopped model
    never starts again)."""
    K = len(steps)
    rows = np.array([r[2] for r in records], bool).reshape(-1, K)  # (epochs, K)
    loss = np.array([r[0] for r in records], np.float64).reshape(-1, K)
    val = [np.array([r[1][j] for r in records if r[1] is not None]) for j in (0, 1)]
    out = []
    for k in range(K):
        mine = rows[:, k]
        h = History(engine="fused", stop_reason=reasons.get(k, ""))
        h.loss = loss[mine, k].tolist()
        # (the last epoch has none when a Ctrl-C came while it was scored, as in fit)
        h.val_loss, h.val_metric = (
            [] if not len(v) else v[mine[: len(v)], k].tolist() for v in val
        )
        h.epochs, h.steps, h.samples_seen = int(mine.sum()), int(steps[k]), int(samples[k])
        h.lr = [float(lrs[k])] * h.epochs
        h.best_loss = min([math.inf, *h.loss])
        h.best_epoch = int(best_epoch[k]) or None
        h.warnings = notes.get(k, [])
        out.append(h)
    return out


def _validate(engine: FastMLP, out: Any, yv: np.ndarray, wv: Any, K: int, own: bool) -> tuple:
    """Each model's validation loss and metric (accuracy or R^2) from its outputs ``out``
    (K, n, outputs; logits when the head is fused): on its own held-out rows (``own``: ``yv``
    (K, n, ...), split with its own seed) or on the one set all share (``yv`` (n, ...):
    validation_data, or one seed); weighted by ``wv`` ((K, n) or (n,), as the rows) as fit's
    score weighs them."""
    yk = np.ascontiguousarray(yv if own else np.broadcast_to(yv, (K, *yv.shape)))
    C = out.shape[-1]
    G = np.empty((out.shape[0] * out.shape[1], C), out.dtype)
    per = engine.loss.kernel(out.reshape(-1, C), yk.reshape(-1, *yk.shape[2:]), G)
    if wv is not None:  # each row's loss times its weight, in the loss's dtype (as fit's)
        wk = np.broadcast_to(wv, out.shape[:2]).reshape(-1).astype(per.dtype)
        per = per * wk.reshape((-1,) + (1,) * (per.ndim - 1))
    # each network's mean as fit's score takes it: the sum (again in float64 where a float32
    # sum of finite terms overflowed) times 1 / n, in the loss's dtype
    mean = loss_sum(per.reshape(K, -1), axis=-1, scale=1.0 / (per.size // K))
    losses = mean.astype(per.dtype).astype(np.float64)
    if not engine.fused:
        return losses, tasks.metric(engine.loss, out, yk, wv)[1]
    # the metric from the head's outputs, as fit scores the model's own output: logits that
    # differ by less than the head resolves (softmax rows or sigmoids that round to a tie)
    # are a tie there too, and fit's argmax / threshold decides it as the output reads
    head = F.ACTIVATIONS[engine.spec.head].fn(out)
    return losses, tasks.metric(engine.spec, head, yk, wv)[1]


def _outputs(engine: FastMLP, X: Any, K: int, rows: int) -> Any:
    """The output layer's values (K, n, outputs) of the stacked networks of ``engine`` for
    the rows X ((n, features) shared, or (K, n, features)), ``rows`` rows at a time: the
    forward pass only, each layer's values for those rows in two buffers taken in turn and
    a scratch buffer (no buffers of the backward pass). Each row's outputs are the ones
    :meth:`FastMLP.forward` makes of all the rows at once (the same operations, row by row
    independent); an output fused with its loss is left as logits."""
    layers = engine.layers
    n = X.shape[-2]
    shapes = [(lay.inputs, lay.neurons) for lay in layers]  # (blocks with the bits of one pass)
    starts = tasks.row_blocks(n, rows, shapes)
    xp = namespace(layers[0].linear.W.data)
    longest = max((e - r for r, e in zip(starts, starts[1:])), default=0)
    size = K * longest * max(lay.neurons for lay in layers)
    flat = [xp.empty(size, engine.dtype) for _ in range(3)]  # two for A in turn, a scratch
    fns = engine.layer_fns()  # (the training step's own in-place activations)
    out = xp.empty((K, n, layers[-1].neurons), engine.dtype)
    for r, e in zip(starts, starts[1:]):
        per_layer = []
        for i, (lay, (fwd, _)) in enumerate(zip(layers, fns)):
            shape = (K, e - r, lay.neurons)
            A, T = (f[: math.prod(shape)].reshape(shape) for f in (flat[i % 2], flat[2]))
            per_layer.append((lay.linear.W, lay.linear.b, A, None, T, lay.alpha, fwd, None))
        forward_layers(per_layer, X[..., r:e, :])
        out[:, r:e] = per_layer[-1][2]
    return out


def forward_layers(per_layer: list, X: Any, record: list[dict] | None = None) -> None:
    """The forward pass into ``per_layer``'s buffers, each (W, b, A, _, T, alpha, fwd, _):
    A <- g(a @ W + b), a the layer below's A (X first). :func:`_outputs`'s, row blocks of a
    stack's predictions; ``FastMLP.forward_layers`` (attached below: the fast path's own
    step runs its forward inline, and never calls this)."""
    a = X
    for W, b, A, _, T, alpha, fwd, _ in per_layer:
        np.matmul(a, W.data, out=A)  # (n, neurons)
        if b is not None:
            np.add(A, b.data, out=A)
        if record is not None:
            record.append({"X": a, "Z": A.copy()})
        if fwd is not None:
            fwd(A, T, alpha)  # A <- g(Z) in place
        a = A


attach(FastMLP, {"forward_layers": staticmethod(forward_layers)}, module=False)  # (fused.py's name)


def _validate_groups(
    layers: list[Layer], loss: str, dtype: Any, val: tuple, K: int, chunk: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_validate` over networks [a, a + group) at a time, ``chunk`` = (group, rows),
    each group a FastMLP over views of the stacked weights, made for the call and dropped
    after it, whose forward pass runs ``rows`` rows at a time (:func:`_outputs`): the
    validation's buffers hold ``group`` networks' activations of ``rows`` rows, not K
    networks' of all the rows. Each network's numbers are the whole stack's (its products,
    losses and sums never mix with another's, and its loss sums every row's at once)."""
    Xv, yv, wv = val
    group, rows = chunk
    own = Xv.ndim == 3  # (each model's own held-out rows)
    parts = []
    for a in range(0, K, group):
        b = min(a + group, K)
        part = [
            Layer(_StackedLinear(*[None if q is None else _View(q.data[a:b], None)
                                   for q in (lay.linear.W, lay.linear.b)],
                                 lay.inputs, lay.neurons), lay.act, lay.alpha)
            for lay in layers
        ]  # fmt: skip
        engine = FastMLP(part, loss, dtype=dtype)
        out = _outputs(engine, Xv[a:b] if own else Xv, b - a, rows)
        labels = (yv[a:b], None if wv is None else wv[a:b]) if own else (yv, wv)
        parts.append(_validate(engine, out, *labels, b - a, own))
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


# ------------------------------------------------------------------- searches over a grid


@dataclass
class SearchResult:
    """What :func:`search` returns: every grid point trained, scored on one validation set.

    Attributes
    ----------
    params : list of dict
        Each model's grid point, in the grid's order (the last key varies fastest).
    models : list of Module
        The trained models, in that order.
    histories : list of History
        Each model's History (``fit_many``'s).
    val_loss, val_metric : numpy.ndarray
        Each model's loss (without the L2 penalty, so that models with different ``l2``
        compare) and metric (accuracy, or R²) on the validation set, with the weights it
        ended with.
    ranking : numpy.ndarray
        The models' indices, best first: lowest validation loss; a model that diverged, or
        whose loss is not finite, comes last.
    """

    params: list[dict[str, Any]]
    models: list[Module]
    histories: list[History]
    val_loss: np.ndarray
    val_metric: np.ndarray
    ranking: np.ndarray

    @property
    def best_index(self) -> int:
        """The index of the best model: a ValueError when every model diverged or scored a
        validation loss that is not finite (none is best; ``table()`` shows each one)."""
        i = int(self.ranking[0])
        if self.histories[i].stop_reason == "diverged" or not np.isfinite(self.val_loss[i]):
            raise ValueError(
                f"search: none of the {len(self.models)} models is best: every one diverged "
                "or scored a validation loss that is not finite (result.table() shows each "
                "one's). Try smaller learning rates, standardized features (and targets, for "
                "a regression), or a larger l2."
            )
        return i

    @property
    def best_params(self) -> dict[str, Any]:
        """The grid point of the best model (a ValueError when none is: see best_index)."""
        return self.params[self.best_index]

    @property
    def best_model(self) -> Module:
        """The best model, trained (a ValueError when none is: see best_index)."""
        return self.models[self.best_index]

    def table(self, top: int | None = None) -> str:
        """The ranking as text: a row per model (the best ``top`` ones), with its grid point,
        validation loss and metric, epochs and why it stopped."""
        if top is not None:
            check_positive("top", top, "SearchResult.table", integer=True)
        name = self.histories[0].metric_name or "metric"
        keys = list(self.params[0])
        head = ["rank", *keys, "val_loss", name, "epochs", "stopped"]
        rows = [head]
        for r, i in enumerate(self.ranking[:top], 1):
            h = self.histories[i]
            values = [
                f"{self.params[i][k]:g}"
                if isinstance(self.params[i][k], float)
                else str(self.params[i][k])
                for k in keys
            ]
            rows.append(
                [
                    str(r),
                    *values,
                    f"{self.val_loss[i]:.4g}",
                    f"{self.val_metric[i]:.4g}",
                    str(h.epochs),
                    h.stop_reason,
                ]
            )
        widths = [max(len(row[j]) for row in rows) for j in range(len(head))]
        return "\n".join("  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in rows)


def _varies_with(index: list[tuple[int, ...]], marks: list[Any], j: int) -> bool:
    """Whether ``marks`` (one per grid point) change with the grid's j-th key alone: two
    points that differ in that key only (``index``: each point's value indices) differ."""
    groups: dict[tuple[int, ...], set] = {}
    for idx, mark in zip(index, marks):
        groups.setdefault(idx[:j] + idx[j + 1 :], set()).add(mark)
    return any(len(g) > 1 for g in groups.values())


def _check_grid_effects(grid: dict[str, Any], points: list[dict], models: list[Module]) -> None:
    """Refuse, naming the grid's key, a key that changes the models' layers (one stacked
    run trains one shape) and a key that changes nothing (not one of fit_many's per-model
    settings, and build made the same model for each of its values: a misspelt "lr")."""
    try:
        per = [layers_of(m, owner="search", training=True) for m in models]
    except TypeError:  # (fit_many names what it cannot train, and which model)
        return
    index = list(itertools.product(*(range(len(v)) for v in grid.values())))
    shapes = [(_describe(layers), _dtypes(layers)) for layers in per]
    keys = list(grid)
    if len(set(shapes)) > 1:
        k = next(i for i, sh in enumerate(shapes) if sh != shapes[0])
        which = [key for j, key in enumerate(keys) if _varies_with(index, shapes, j)]
        which = which or [key for key in keys if points[k][key] is not points[0][key]]
        names = " and ".join(repr(key) for key in which)
        raise ValueError(
            f"search: the grid's {names} change{'s' if len(which) == 1 else ''} the models' "
            f"layers, activations or dtype (build({points[0]!r:.80}) made {_describe(per[0])} "
            f"{shapes[0][1]}; build({points[k]!r:.80}) made {_describe(per[k])} "
            f"{shapes[k][1]}), and one "
            "search trains models of one shape in one stacked run: call search once per "
            f"value of {names}, and compare their results' val_loss (one split_seed holds "
            "out the same rows for each)."
        )
    own = {key: j for j, key in enumerate(keys) if key not in _PER_MODEL and len(grid[key]) > 1}
    if not own or any(namespace(p.data) is not np for m in models for p in m.parameters()):
        return  # (fit_many refuses weights on a GPU, naming the model)
    models_as = [  # (each parameter's values as a digest: no copy of every model's weights)
        tuple(
            (hashlib.sha256(np.ascontiguousarray(p.data)).digest(), p.data.dtype.str,
             p.data.shape, bool(getattr(p, "requires_grad", True)))
            for p in m.parameters()
        )
        for m in models
    ]  # fmt: skip
    for key, j in own.items():
        if _varies_with(index, models_as, j):
            continue
        low = key.lower()  # (seeds, lr_init, l2_reg, learning_rate_init: a per-model one)
        close = [k for k in _PER_MODEL if low.startswith(k)]
        close = close or difflib.get_close_matches(low, [*_PER_MODEL, "learning_rate"], n=1)
        meant = {"learning_rate": "lr"}.get(close[0], close[0]) if close else ""
        raise ValueError(
            f"search: grid[{key!r}] changes nothing: it is not one of the settings fit_many "
            f"takes per model ({', '.join(_PER_MODEL)}), and build made the same model for "
            f"each of its values ({list(grid[key])!r:.60}), so they would all train the same "
            f"network. "
            + (f"Did you mean {meant!r}? " if meant else "")
            + f"Read it in build (params[{key!r}]), or leave it out of the grid."
        )


class _GridPoint(dict):
    """One grid point as build receives it: a dict that remembers a key read and missing."""

    missed: Any = None

    def __missing__(self, key: Any) -> Any:
        self.missed = key
        raise KeyError(key)


def search(
    build: Any,
    X: Any,
    y: Any,
    grid: dict[str, Sequence[Any]],
    *,
    validation_split: float | None = None,
    validation_data: tuple[Any, Any] | None = None,
    split_seed: Any = 0,
    loss: str = "mse",
    **fit_options: Any,
) -> SearchResult:
    """Train a network for every point of ``grid`` at once (:func:`fit_many`), score each
    on one validation set, and rank them: a learning-rate, L2 and seed sweep in one call.

    Parameters
    ----------
    build : callable
        ``build(params)`` returns a new, untrained model for the grid point ``params`` (a
        dict); every model must have the same layers. Use ``params.get("seed")`` as its
        ``rng`` for a seed study: the seed then draws both its initial weights and its
        batch order. Without ``"seed"`` in the grid or a ``seed=`` keyword, the batches
        come from glassnet's default generator, so a search repeated gives other numbers
        (``seed=0``, one batch order for every model, or ``glassnet.manual_seed`` first,
        makes it repeat).
    X, y : training data, as for :func:`glassnet.fit`.
    grid : dict of str to sequence
        The values of each setting; every combination is trained (``itertools.product``,
        the last key varying fastest). ``"lr"``, ``"l2"`` and ``"seed"`` go to
        :func:`fit_many` per model (with any built-in optimizer: an lr sweep with Adam);
        any other key is only passed to ``build`` (for example an initialization scale);
        ``split_seed`` and fit_many's other options cannot vary within one search.
    validation_split : float in (0, 1), default 0.2 (None)
        The fraction of (X, y) held out, once, for every model (stratified for the
        classification losses), drawn with ``split_seed``. Not taken beside
        ``validation_data`` (refused, as fit refuses the two: the split would be ignored).
    validation_data : pair (X_val, y_val) or triple (X_val, y_val, w_val), optional
        The validation set instead of a split. With weights (``w_val``, or the held-out
        rows' ``sample_weight`` of a split) the scores are weighted, as in fit.
    loss, **fit_options
        As for :func:`fit_many` (``epochs``, ``batch_size``, ``optimizer``, ``tol``,
        ``early_stopping``, ...). ``early_stopping`` watches the same validation set.

    Returns
    -------
    SearchResult
        ``best_params``, ``best_model``, the ranking and ``table()``.

    Example
    -------
    >>> import numpy as np
    >>> import glassnet as gn
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 8, dtype=float)
    >>> y = (X[:, 0] == X[:, 1]).astype(float)  # XNOR
    >>> build = lambda p: gn.nn.MLP([2, 4, 1], activation="tanh",
    ...                             output_activation="sigmoid", rng=p["seed"])
    >>> result = search(build, X, y, {"lr": [0.5, 2.0], "seed": [0, 1, 2]},
    ...                 loss="binary_cross_entropy", epochs=300)
    >>> len(result.models), sorted(result.best_params)
    (6, ['lr', 'seed'])
    """
    if isinstance(build, Module) or not callable(build):  # (a model is callable: its forward)
        raise TypeError(
            "search: build must be a function of a grid point (a dict) returning a new model, "
            f"e.g. lambda p: MLP([2, 8, 1], rng=p['seed']). Got {type(build).__name__}."
        )
    if not isinstance(grid, dict) or not grid:
        raise TypeError(
            "search: grid must be a non-empty dict of setting name to a list of values, e.g. "
            f"{{'lr': [0.01, 0.1], 'seed': [0, 1, 2]}}. Got {grid!r:.80}."
        )
    fixed = _STACKED_ONLY | {
        k for c in set(optim_mod.OPTIMIZERS.values()) for k in inspect.signature(c).parameters
    }
    for key, values in grid.items():
        if not isinstance(key, str):
            raise TypeError(f"search: the grid's keys are setting names (str). Got {key!r}.")
        if key in fit_options:
            raise TypeError(
                f"search: {key!r} is given both in the grid and as a keyword; give it once."
            )
        if key == "split_seed":  # (search's own: else only build would see it)
            raise ValueError(
                "search: 'split_seed' draws the one validation split every model is scored "
                "on, so it cannot vary within one search; call search once per split_seed "
                "(or put 'seed' in the grid for each model's own weights and batches)."
            )
        if key in fixed - set(_PER_MODEL):
            raise ValueError(
                f"search: {key!r} cannot vary between the models of one stacked run (only "
                f"{list(_PER_MODEL)} can); call search once per {key} value."
            )
        if isinstance(values, (set, frozenset)):  # (no order: the grid's would be arbitrary)
            raise TypeError(
                f"search: grid[{key!r}] must be a list of values to try, in order. Got a "
                f"set, {values!r:.80}; write it as a list, e.g. sorted({values!r:.40})."
            )
        if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
            raise TypeError(
                f"search: grid[{key!r}] must be a list of values to try. Got {values!r:.80}; "
                f"write [{values!r:.40}] for a single value."
            )
        if len(values) == 0:
            raise ValueError(f"search: grid[{key!r}] is empty; give at least one value.")
        nested = next((v for v in values if np.ndim(v)), None) if key in _PER_MODEL else None
        if nested is not None:  # (fit_many takes one number per model)
            raise ValueError(
                f"search: grid[{key!r}] must be a flat list of values to try, one per grid "
                f"point. Got {nested!r:.40} among them; flatten it (np.ravel)."
            )
        for v in values if key in ("lr", "l2") else ():  # (fit_many's check, of the grid)
            try:
                check_positive(key, v, "fit_many", allow_zero=key == "l2")
            except (ValueError, TypeError) as e:
                told = str(e).replace(f"The {key!r} parameter of fit_many", "", 1)
                raise type(e)(f"search: each value of grid[{key!r}]{told}") from None
    _in_memory(X, y, "search")
    opt = fit_options.get("optimizer", "sgd")
    if "lr" in grid and len({repr(v) for v in grid["lr"]}) > 1 and isinstance(opt, (str, type)):
        kind = check_name(opt, optim_mod.OPTIMIZERS, "optimizer", optim_mod.Optimizer)
        if kind not in optim_mod.OPTIMIZERS.values():  # (before any model is built)
            raise ValueError(
                f"search: grid['lr'] gives each model a learning rate of its own, which "
                f"reaches the built-in optimizers' rules; {kind.__name__} is a class of your "
                "own, whose rule may read its rate elsewhere (self.lr, a number of its own), "
                "where one rate per model would not reach it. Call search once per lr (one "
                "split_seed scores each on the same rows), or use a built-in optimizer by name."
            )
    points = [dict(zip(grid, combo)) for combo in itertools.product(*grid.values())]
    models = []
    for params in points:
        point = _GridPoint(params)
        try:
            model = build(point)
        except KeyError as e:  # build read a setting the grid does not have: p["seed"]
            if point.missed is None or e.args != (point.missed,):  # (another dict's KeyError)
                raise
            key = point.missed
            raise KeyError(
                f"search: build({params!r:.80}) read params[{key!r}], and the grid has no "
                f"{key!r} (its keys: {list(grid)}): add {key!r} to the grid, or read it with "
                f"params.get({key!r}, default)."
            ) from e
        if not isinstance(model, Module):
            raise TypeError(
                f"search: build({params!r:.80}) returned {type(model).__name__}; it must "
                "return a new glassnet model."
            )
        models.append(model)
    _check_grid_effects(grid, points, models)
    spec = _named_loss("search", loss)
    for m in models[1:]:  # (a DataFrame's column names, each model's: check_data, the first's)
        record_names(m, X, "search")
    X, y, w = tasks.check_data(models[0], spec, X, y, fit_options.get("sample_weight"), "search")
    if validation_data is not None and validation_split is not None:
        raise ValueError(
            f"search: validation_data and validation_split={validation_split!r:.20} were both "
            "given; every model is scored on validation_data, so the split would be ignored. "
            "Give one of them."
        )
    if validation_data is None:
        validation_split = 0.2 if validation_split is None else validation_split
        check_number(
            validation_split,
            "validation_split",
            "search",
            low=0,
            high=1,
            low_open=True,
            high_open=True,
        )
    bs = fit_options.get("batch_size")
    if bs is not None:  # against all the rows, as fit checks it beside a validation_split
        check_positive("batch_size", bs, "search", integer=True)
        if bs > X.shape[0]:
            raise ValueError(
                f"The 'batch_size' parameter of search ({bs}) is larger than the number of "
                f"samples ({X.shape[0]}); use batch_size=None for full-batch gradient descent."
            )
    rng = as_rng(split_seed, "search", "split_seed")
    X, y, w, Xv, yv, wv = tasks.validation_set(
        models[0], spec, X, y, w, validation_data, validation_split or 0.0, False, rng, "search"
    )
    per_model = {k: [p[k] for p in points] for k in _PER_MODEL if k in grid}
    fit_options = {**fit_options, **per_model, "sample_weight": w}
    if bs is not None and bs > X.shape[0]:  # above the rows the split leaves: full batch
        fit_options["batch_size"] = None
    with warnings.catch_warnings():  # (a one-row validation set was said once, above)
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        histories = fit_many(models, X, y, loss=loss, validation_data=(Xv, yv, wv), **fit_options)
    with np.errstate(over="ignore", invalid="ignore"):  # (a diverged model's: ranked last)
        scores = [tasks.score(m, spec, loss, Xv, yv, wv)[:2] for m in models]
    val_loss, val_metric = np.array(scores).reshape(-1, 2).T
    ok = np.isfinite(val_loss) & np.array([h.stop_reason != "diverged" for h in histories])
    ranking = np.lexsort((np.where(ok, val_loss, 0.0), ~ok))  # (the failed ones last)
    return SearchResult(points, models, histories, val_loss, val_metric, ranking)
