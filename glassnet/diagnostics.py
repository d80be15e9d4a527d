"""Training diagnostics: is the network still learning, and if not, why?

``fit(..., callbacks=[Diagnostics()])`` calls :func:`epoch_diagnostics` after every
epoch and appends its record to ``history.diagnostics``:

* ``grad_norm`` - per layer, ||dL/dW||, the size of the last batch's gradient
  (weights and bias together). Gradients that shrink layer after layer toward the
  input *vanish*: the first layers stop learning.
* ``update_ratio`` - per layer, ||W_now - W_before|| / ||W_before|| over the epoch.
  Around 1e-3 per step is healthy; far below, training has stalled (learning rate
  too small); near or above 1, the steps are too big.
* ``dead_relu`` - per ReLU hidden layer, the fraction of units that output 0 for
  every one of the rows looked at (at most ``max_samples``, 256, evenly spaced training
  rows): no gradient flows through them, they never recover. Before warning, a layer
  found half dead there is checked on every training row, and the warning gives the
  fraction dead on all of them.
* ``saturated`` - per sigmoid/tanh hidden layer, the fraction of activations in the
  flat tails (sigmoid below 0.01 or above 0.99, |tanh| above 0.99) where
  g'(z) is nearly 0 and gradients vanish.

When one of these stops training, a plain-language warning naming the layer and a
fix is appended to ``history.warnings`` (once per run and kind) and, with
``verbose``, printed. No Python warning is raised.

>>> import numpy as np, glassnet as gn
>>> from glassnet.diagnostics import activation_stats
>>> net = gn.nn.MLP([2, 3, 1], activation="relu", rng=0)
>>> net.layers[0].b.data[:] = -100.0           # every ReLU is off: all dead
>>> activation_stats(net, np.random.default_rng(0).normal(size=(50, 2)))["dead_relu"]
{'layer1': 1.0}
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._validation import check_array, check_number, not_a_network
from .fused import FastMLP, layers_of
from .nn.module import Module
from .train import Callback, TrainState

__all__ = [
    "Diagnostics",
    "epoch_diagnostics",
    "activation_stats",
    "gradient_norms",
    "DEAD_RELU_WARN",
    "SATURATION_WARN",
    "VANISHING_RATIO",
    "VANISHING_STUCK",
    "STALL_RATIO",
]

DEAD_RELU_WARN = 0.5  # warn when at least half of a layer's ReLUs are dead
SATURATION_WARN = 0.5  # ... or half of its sigmoid/tanh outputs are saturated
VANISHING_RATIO = 1e-3  # first layer's gradient norm below this fraction of the last's
VANISHING_STUCK = 0.05  # ... or below this one while the loss has stalled (STUCK_EPOCHS)
STUCK_EPOCHS = 5  # the loss improved by under 1% over this many epochs
STALL_RATIO = 1e-6  # every layer's update/weight ratio over an epoch below this
SIGMOID_TAIL = 0.01  # sigmoid outputs below 0.01 or above 0.99: g'(z) < 0.0099
TANH_TAIL = 0.99  # |tanh| above 0.99: g'(z) < 0.0199
_TINY = 1e-8  # a gradient norm this small counts as no gradient at all


def _groups(
    model: Module, owner: str = "gradient_norms"
) -> tuple[list[str], list[list[Any]], list[Any] | None]:
    """Parameter groups by layer: names, [params], and the layers when the model is a
    network of Linear layers (else one group per parameter, no layers)."""
    _check_model(model, owner)
    try:
        layers = layers_of(model, "diagnostics")
    except TypeError:
        named = list(model.named_parameters())
        return [n for n, _ in named], [[p] for _, p in named], None
    names = [f"layer{j + 1}" for j in range(len(layers))]
    groups = [
        [lay.linear.W] + ([lay.linear.b] if lay.linear.b is not None else []) for lay in layers
    ]
    return names, groups, layers


def _check_model(model: Any, owner: str) -> None:
    if not isinstance(model, Module):
        raise TypeError(not_a_network(model, owner))


def gradient_norms(model: Module) -> dict[str, float]:
    """||dL/dW|| per layer (weights and bias together) from the parameters' ``.grad``.

    A parameter without a gradient counts as 0.
    """
    names, groups, _ = _groups(model)
    out = {}
    for name, ps in zip(names, groups):
        grads = [p.grad for p in ps if p.grad is not None]
        sq = sum(float(np.vdot(g, g)) for g in grads)
        norm = math.sqrt(sq)
        if not 1e-140 < norm < 1e140:  # squares that overflowed (float32 gradients from
            # 1.9e19) or underflowed: the norm of the gradients scaled to a largest entry 1
            big = max((float(np.max(np.abs(g), initial=0.0)) for g in grads), default=0.0)
            if 0 < big < math.inf:
                scaled = (g.astype(np.float64) / big for g in grads)  # (NumPy or CuPy)
                norm = big * math.sqrt(sum(float(np.vdot(g, g)) for g in scaled))
        out[name] = norm
    return out


def activation_stats(model: Module, X: Any, max_samples: int = 256) -> dict[str, dict[str, float]]:
    """Dead ReLUs and saturated sigmoid/tanh units of each hidden layer on inputs ``X``.

    Returns ``{"dead_relu": {layer: fraction of units}, "saturated": {layer: fraction of
    activations}}`` (NaN for a layer whose activations are NaN or inf: a diverged network
    is neither). At most ``max_samples`` rows of X, evenly spaced, are used: a unit is
    counted dead when it outputs 0 on each of them (pass ``max_samples=len(X)`` to look at
    every row).
    """
    check_number(max_samples, "max_samples", "activation_stats", low=1, integer=True)
    _check_model(model, "activation_stats")
    try:
        layers = layers_of(model, "activation_stats")
    except TypeError:
        return {"dead_relu": {}, "saturated": {}}
    Xa = np.asarray(X.data if hasattr(X, "grad") and hasattr(X, "data") else X)
    if Xa.ndim != 2 or Xa.shape[1] != layers[0].inputs:
        got = f"shape {Xa.shape}" if Xa.ndim else repr(X)[:60]  # (None, a str: not "()")
        raise ValueError(
            f"activation_stats: X must be the inputs, shape (N, {layers[0].inputs}). Got {got}."
        )
    if Xa.shape[0] == 0:  # no sample: whether a unit is ever active is unknown
        raise ValueError(
            "activation_stats: X has no rows; pass the inputs to look at (e.g. the training data)."
        )
    n = Xa.shape[0]
    if n > max_samples:
        Xa = Xa[np.linspace(0, n - 1, max_samples).astype(np.int64)]
    # finite numbers in the model's dtype (an error that names activation_stats, not the
    # fast path it calls)
    Xa = check_array("X", Xa, "activation_stats", ndim=(2,), dtype=layers[0].W.dtype)
    # the fast path's forward pass, every layer (no softmax head's (N, K, K) Jacobian: unread)
    trace = FastMLP(layers, "mse").trace(Xa, finite=False, jacobians=False)
    dead: dict[str, float] = {}
    sat: dict[str, float] = {}
    for j, (lay, rec) in enumerate(zip(layers[:-1], trace.layers[:-1])):  # hidden layers only
        name = f"layer{j + 1}"
        A = rec["A"]
        if lay.act in ("relu", "sigmoid", "tanh") and not np.all(np.isfinite(A)):
            # NaN activations (a diverged network) are neither dead nor saturated: unknown
            (dead if lay.act == "relu" else sat)[name] = math.nan
            continue
        if lay.act == "relu":
            dead[name] = float(np.mean(np.all(rec["Z"] <= 0, axis=0)))
        elif lay.act == "sigmoid":
            sat[name] = float(np.mean((A < SIGMOID_TAIL) | (A > 1 - SIGMOID_TAIL)))
        elif lay.act == "tanh":
            sat[name] = float(np.mean(np.abs(A) > TANH_TAIL))
    return {"dead_relu": dead, "saturated": sat}


def _dead_on_every_row(layers: list[Any], X: Any, chunk: int) -> dict[str, float]:
    """The fraction of each ReLU hidden layer's units that output 0 (z <= 0) on every row
    of ``X``, all rows, ``chunk`` rows at a time. NaN for a layer whose pre-activations are
    NaN or inf."""
    Xa = np.asarray(X.data if hasattr(X, "grad") and hasattr(X, "data") else X)
    n, chunk = Xa.shape[0], max(int(chunk), 1024)
    alive: dict[str, Any] = {}
    fast = FastMLP(layers, "mse")
    for lo in range(0, n, chunk):
        part = check_array("X", Xa[lo : lo + chunk], "activation_stats", dtype=layers[0].W.dtype)
        trace = fast.trace(part, finite=False, jacobians=False)
        for j, (lay, rec) in enumerate(zip(layers[:-1], trace.layers[:-1])):
            if lay.act != "relu":
                continue
            name, Z = f"layer{j + 1}", rec["Z"]
            if not np.all(np.isfinite(Z)):
                alive[name] = None
            elif alive.get(name, False) is not None:
                alive[name] = np.any(Z > 0, axis=0) | alive.get(name, False)
    dead = {k: math.nan if a is None else float(np.mean(~a)) for k, a in alive.items()}
    return dead


def _update_ratios(
    names: list[str],
    groups: list[list[Any]],
    model: Module,
    previous: Sequence[np.ndarray] | None,
) -> dict[str, float]:
    if previous is None:
        return {}
    params = model.parameters()
    fix = "pass [p.data.copy() for p in model.parameters()]"
    if isinstance(previous, (str, bytes)) or not isinstance(previous, Sequence):
        raise ValueError(
            f"epoch_diagnostics: previous must be a list of the parameters' values at the "
            f"start of the epoch. Got {type(previous).__name__}; {fix}."
        )
    if len(previous) != len(params):
        raise ValueError(
            f"epoch_diagnostics: previous holds {len(previous)} arrays but the model has "
            f"{len(params)} parameters; {fix}."
        )
    for i, p in enumerate(params):  # (a (3,) array broadcast against a (2, 3) weight)
        if np.shape(previous[i]) != p.data.shape:
            raise ValueError(
                f"epoch_diagnostics: previous[{i}] has shape {np.shape(previous[i])} but the "
                f"model's parameter {i} has shape {p.data.shape}; {fix}."
            )
    where = {id(p): i for i, p in enumerate(params)}
    out = {}
    for name, ps in zip(names, groups):
        num = den = 0.0
        for p in ps:
            before = np.asarray(previous[where[id(p)]], dtype=np.float64)
            diff = p.data.astype(np.float64) - before
            num += float(np.vdot(diff, diff))
            den += float(np.vdot(before, before))
        out[name] = math.sqrt(num) / math.sqrt(den) if den > 0 else (0.0 if num == 0 else math.inf)
    return out


def _pct(f: float) -> str:
    """A fraction as a whole percentage; 100% only when it is all (0.995 printed "100%" of
    the units dead or saturated while some were not): else cut to one decimal (99.5%,
    0.9999 as 99.9%), never rounded up to 100."""
    text = f"{100 * f:.0f}"
    if text != "100" or f >= 1:
        return text + "%"
    digits = 1
    while digits < 12 and math.floor(100 * f * 10**digits) == 100 * 10**digits:
        digits += 1
    return f"{math.floor(100 * f * 10**digits) / 10**digits:.{digits}f}%"


def epoch_diagnostics(
    model: Module,
    X: Any,
    history: Any,
    previous: Sequence[np.ndarray] | None = None,
    verbose: int = 0,
    max_samples: int = 256,
) -> dict[str, Any]:
    """The diagnostics of the epoch that just ended (called by :class:`Diagnostics`).

    Parameters
    ----------
    model : Module
        The model being trained; its parameters' ``.grad`` hold the last batch's gradient.
    X : array of shape (N, d)
        Training inputs (at most ``max_samples`` evenly spaced rows are used for the
        record; a dead-ReLU warning is checked on every row).
    history : glassnet.History
        Its ``epochs``, ``loss`` and ``diagnostics`` so far are read; warnings are
        appended to ``history.warnings``.
    previous : list of arrays, optional
        The parameters' values at the start of the epoch, in ``model.parameters()``
        order; without them ``update_ratio`` is empty.
    verbose : int
        Print new warnings to stderr when > 0.

    Returns
    -------
    dict
        ``{"epoch", "loss", "grad_norm", "update_ratio", "dead_relu", "saturated",
        "warnings"}``; the per-layer entries are dicts keyed ``"layer1"``, ``"layer2"``...
        (parameter names for models that are not a stack of Linear layers);
        ``"warnings"`` lists the keys of the warnings raised this epoch.
    """
    names, groups, layers = _groups(model, "epoch_diagnostics")
    if not hasattr(history, "loss"):  # (None ran on: epoch 0, its warnings lost)
        raise TypeError(
            "epoch_diagnostics: history must be the glassnet.History of the run (fit's "
            f"state.history), whose .loss and .warnings it reads and extends. Got "
            f"{type(history).__name__}."
        )
    epoch = int(getattr(history, "epochs", 0) or len(getattr(history, "loss", [])))
    losses = list(getattr(history, "loss", []) or [])
    record: dict[str, Any] = {
        "epoch": epoch,
        "loss": losses[-1] if losses else math.nan,
        "grad_norm": gradient_norms(model),
        "update_ratio": _update_ratios(names, groups, model, previous),
    }
    stats = (
        activation_stats(model, X, max_samples)
        if layers is not None
        else {"dead_relu": {}, "saturated": {}}
    )
    record.update(stats)
    # plain-language warnings, each kind once per run
    fired = {k for d in getattr(history, "diagnostics", []) for k in d.get("warnings", [])}
    # a layer that looks dead on the rows sampled is checked on every training row before
    # the warning says so (a unit active on 1 row of 1797 is alive); the record keeps the
    # sample's fraction, as activation_stats gives it
    suspects = [
        name
        for name, frac in stats["dead_relu"].items()
        if frac >= DEAD_RELU_WARN and f"dead_relu:{name}" not in fired
    ]
    dead_all: dict[str, float] = {}
    if suspects and layers is not None:
        dead_all = _dead_on_every_row(layers, X, max_samples)
    checked = dict(stats, dead_relu=dead_all)
    new = _warnings(epoch, record, checked, names, layers, losses, history)
    record["warnings"] = []
    for key, message in new:
        if key in fired:
            continue
        record["warnings"].append(key)
        warnings_list = getattr(history, "warnings", None)
        if warnings_list is not None:
            warnings_list.append(message)
        if verbose:
            sys.stderr.write("\n" + message + "\n")
            sys.stderr.flush()
    return record


def _warnings(
    epoch: int,
    record: dict[str, Any],
    stats: dict[str, dict[str, float]],
    names: list[str],
    layers: list[Any] | None,
    losses: list[float],
    history: Any,
) -> list[tuple[str, str]]:
    """(key, plain-language message) for each reason this epoch's training may stall
    (``stats["dead_relu"]``: measured on every training row)."""
    new: list[tuple[str, str]] = []
    for name, frac in stats["dead_relu"].items():
        if frac >= DEAD_RELU_WARN:
            msg = (
                f"epoch {epoch}: {_pct(frac)} of the ReLU units in {name} are dead: they "
                "output 0 for every training sample, so no gradient reaches their weights "
                "and they stop learning. Lower the learning rate, or use leaky_relu, or He "
                "initialization (init='he_uniform')."
            )
            new.append((f"dead_relu:{name}", msg))
    for name, frac in stats["saturated"].items():
        if frac >= SATURATION_WARN:
            act = layers[int(name[5:]) - 1].act if layers else "sigmoid/tanh"
            msg = (
                f"epoch {epoch}: {_pct(frac)} of the {act} outputs in {name} are saturated "
                "(near their limits, where g'(z) is almost 0), so the gradients through "
                "them vanish and learning stalls. Standardize the inputs "
                "(glassnet.preprocessing.StandardScaler), start from smaller weights, or "
                "use relu."
            )
            new.append((f"saturated:{name}", msg))
    norms = record["grad_norm"]
    if layers is not None and len(norms) >= 2:
        first, last = norms[names[0]], norms[names[-1]]
        k = STUCK_EPOCHS
        stuck = len(losses) > k and losses[-k - 1] - losses[-1] < 0.01 * abs(losses[-k - 1])
        limit = VANISHING_STUCK if stuck else VANISHING_RATIO
        if last > _TINY and first < limit * last:
            msg = (
                f"epoch {epoch}: the gradients vanish toward the input: {names[0]}'s "
                f"gradient norm ({first:.2g}) is below 1/{1 / limit:g} of "
                f"{names[-1]}'s ({last:.2g})"
                + (f" and the loss has not improved for {k} epochs" if stuck else "")
                + ", so the first layers barely learn. Use relu or leaky_relu hidden layers, "
                "standardize the inputs, or use fewer layers."
            )
            new.append(("vanishing", msg))
    if norms and all(v <= _TINY for v in norms.values()):
        zero = layers is not None and all(not np.any(lay.W) for lay in layers)
        msg = (
            f"epoch {epoch}: no gradient reaches any weight (every gradient is about 0): "
            "the network's output does not depend on its weights for this data. "
            + (
                # (the one cause seen from the weights alone: it listed dead ReLUs, saturated
                # outputs and the loss, none of which was the fault)
                "Every weight is 0: each layer's gradient is multiplied by the next "
                "layer's weights, 0, and every neuron of a layer computes the same. Start "
                "from random weights (the layers' own initialisation: do not set them to 0)."
                if zero
                else "Check for dead ReLUs, saturated outputs, or a loss that ignores the "
                "predictions."
            )
        )
        new.append(("no_gradient", msg))
    ratios = record["update_ratio"]
    if ratios and max(ratios.values()) < STALL_RATIO and not new:  # no other cause found
        lr = (getattr(history, "lr", None) or [math.nan])[-1]
        msg = (
            f"epoch {epoch}: the weights changed by less than {STALL_RATIO:g} of their "
            f"size this epoch (largest update/weight ratio {max(ratios.values()):.2g}): "
            f"training has stalled. Raise the learning rate (now {lr:g}) or check the "
            "schedule."
        )
        new.append(("stalled", msg))
    if ratios and len(losses) >= 2 and losses[-1] > losses[-2]:
        big = {k: v for k, v in ratios.items() if v > 1.0}
        if big:
            k = max(big, key=lambda n: big[n])
            msg = (
                f"epoch {epoch}: the loss went up while {k}'s weights changed by "
                f"{big[k]:.2g} times their own size: the steps are too big. Lower the "
                "learning rate."
            )
            new.append((f"large_updates:{k}", msg))
    return new


class Diagnostics(Callback):
    """A training callback: :func:`epoch_diagnostics` after every epoch, its record
    appended to ``history.diagnostics`` (warnings to ``history.warnings``, printed when
    fit's ``verbose`` is on).

    >>> import glassnet as gn
    >>> X, y = gn.datasets.logic_gate("xor")
    >>> net = gn.nn.MLP([2, 4, 1], activation="tanh", output_activation="sigmoid", rng=0)
    >>> h = gn.fit(net, X, y, loss="binary_cross_entropy", lr=0.5, epochs=3, verbose=0,
    ...            callbacks=[Diagnostics()])
    >>> sorted(h.diagnostics[-1])
    ['dead_relu', 'epoch', 'grad_norm', 'loss', 'saturated', 'update_ratio', 'warnings']
    """

    def __init__(self, max_samples: int = 256) -> None:
        self.max_samples = check_number(
            max_samples, "max_samples", "Diagnostics", low=1, integer=True
        )

    def on_train_begin(self, state: TrainState) -> None:
        self.previous = [p.data.copy() for p in state.model.parameters()]

    def on_epoch_end(self, state: TrainState) -> None:
        h = state.history
        h.diagnostics.append(
            epoch_diagnostics(
                state.model, state.X, h, self.previous, state.verbose, self.max_samples
            )
        )
        self.previous = [p.data.copy() for p in state.model.parameters()]
