"""The playground's model of one run: its settings, its data, its network and its training.

A run is a :class:`Run`: the settings of :func:`check_config` (every field checked, sizes
capped), the data set of :func:`make_dataset` split into train and test points, the
input features of :data:`FEATURES` computed from (x1, x2), a ``glassnet.nn.MLP`` in
float64, and plain gradient descent on mini-batches done by glassnet itself:

1) a batch's forward and backward pass: :class:`glassnet.fused.FastMLP` ``.step``,
   which writes dL/dW, dL/db into every parameter's ``.grad``;
2) the regularization's gradient added to each weight matrix (never to a bias):
   ``λ·W`` for L2 (the penalty ``λ/2 Σ w²``), ``λ·sign(W)`` for L1 (``λ Σ |w|``);
3) ``glassnet.optim.SGD`` takes the step ``w ← w − γ·dL/dw``.

A step whose batch loss or gradient is NaN or infinite (too large a learning rate) is
not taken: the run raises :class:`Diverged` and keeps the weights from before it, as
``glassnet.fit`` does, and :attr:`Run.diverged` says so until a step succeeds again.

Epoch ``e`` visits the training points in the order
``numpy.random.default_rng([seed, 2, e]).permutation(n_train)``, in batches of
``batch_size``; a step is one batch, an epoch one pass. The numbers the page shows
(losses, the output over the plane, every neuron's output, the weights, the explained
numbers of one point) are computed here, by glassnet.
"""

from __future__ import annotations

import base64
import math
import threading
import time
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import numpy as np

from .. import datasets
from .._validation import ParameterError, check_choice, check_number
from ..engines import check_followed
from ..explain import decimals_for, explain, fmt_more
from ..functional import get_loss
from ..fused import FastMLP, layers_of
from ..nn import MLP
from ..optim import SGD
from ..report import make_names

__all__ = [
    "ACTIVATIONS",
    "CLASSIFICATION_DATASETS",
    "DEFAULTS",
    "Diverged",
    "FEATURES",
    "LECTURE",
    "LIMITS",
    "REGRESSION_DATASETS",
    "Run",
    "check_config",
    "feature_matrix",
    "make_dataset",
    "previews",
]

#: The input features, each a function of the point (x1, x2), in the page's order.
FEATURES: dict[str, Any] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1x2": lambda x1, x2: x1 * x2,
    "sin_x1": lambda x1, x2: np.sin(x1),
    "sin_x2": lambda x1, x2: np.sin(x2),
}
#: The lecture's truth tables (its four points, 0 and 1): XNOR for the hidden layer, OR and
#: AND for one neuron (docs/lecture.md, section 3).
GATES = ("xnor", "or", "and")
CLASSIFICATION_DATASETS = ("circle", "xor", "gauss", "spiral", "moons", *GATES)
REGRESSION_DATASETS = ("reg-plane", "reg-gauss")
#: The page's activation names and glassnet's (``functional.ACTIVATIONS``) for them.
ACTIVATIONS = {
    "relu": "relu",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "linear": "identity",
    "leaky_relu": "leaky_relu",
}
REGULARIZATIONS = ("none", "L1", "L2")
PROBLEMS = ("classification", "regression")
PRESETS = ("none", "lecture")

#: Caps on every size a request may ask for.
LIMITS = {
    "hidden_layers": 6,
    "neurons": 8,
    "samples": 2000,
    "grid": 200,
    "epochs_per_request": 200,
    "history": 2000,
    "changes": 1000,
}
#: The recorded changes a frame carries, the first ones (the page's link holds them; a run
#: with more is shared whole by its exported script, which replays them all)
LINK_CHANGES = 50

DEFAULTS: dict[str, Any] = {
    "dataset": "circle",
    "problem": "classification",
    "features": ["x1", "x2"],
    "hidden": [4, 2],
    "activation": "tanh",
    "lr": 0.03,
    "regularization": "none",
    "reg_rate": 0.0,
    "noise": 0,
    "train_ratio": 50,
    "batch_size": 10,
    "samples": 500,
    "seed": 0,
    "grid": 100,
    "preset": "none",
    "loss": "cross_entropy",
}
#: The page's losses and glassnet's for them: a classifier's binary cross-entropy (on the
#: logits) or the slides' L = 1/2 (y_hat - y)^2 (``half_mse``); a regression's is half_mse.
LOSSES = {"cross_entropy": "binary_cross_entropy", "half_mse": "half_mse"}
#: What the Lecture preset lets change and stays the preset (a new run from the slide's
#: weights): the training settings, the batch size (1 for one point a step) and the loss.
LECTURE_FREE = ("lr", "regularization", "reg_rate", "batch_size", "loss", "grid", "seed")

#: The lecture's XNOR network: a 2-2-1 sigmoid network with the slide's weights,
#: a1 = σ(-6 + 4 x1 + 4 x2), a2 = σ(2 - 4 x1 - 4 x2), y_hat = σ(-0.5 + a1 + a2).
LECTURE: dict[str, Any] = {
    "config": {
        "dataset": "xnor",
        "problem": "classification",
        "features": ["x1", "x2"],
        "hidden": [2],
        "activation": "sigmoid",
        "lr": 1.0,
        "batch_size": 4,
        "samples": 4,
        "noise": 0,
        "train_ratio": 100,
        "loss": "half_mse",  # the slides' L = 1/2 (y_hat - y)^2, so their backprop matches
    },
    "W": [[[4.0, -4.0], [4.0, -4.0]], [[1.0], [1.0]]],
    "b": [[-6.0, 2.0], [-0.5]],
}

_OWNER = "the playground"


HALF_WIDTH = 6.0  # the plane is [-6, 6]², as TF Playground's


def domain(dataset: str) -> tuple[float, float]:
    """The (low, high) of both axes of the plane drawn for ``dataset``."""
    return (-0.5, 1.5) if dataset in GATES else (-HALF_WIDTH, HALF_WIDTH)


# =====================================================================================
# Settings
# =====================================================================================
def check_config(raw: Any) -> dict[str, Any]:
    """The settings of a run, from a JSON object: :data:`DEFAULTS` for missing fields,
    every given field checked (a name from its fixed list, a finite number in its range,
    sizes capped by :data:`LIMITS`), unknown fields refused. Raises ``ParameterError``
    naming the field, what was given and what is allowed."""
    if not isinstance(raw, Mapping):
        raise ParameterError(
            f"The settings of {_OWNER} must be a JSON object. Got {type(raw).__name__}."
        )
    unknown = sorted(str(k) for k in raw if k not in DEFAULTS)
    if unknown:
        raise ParameterError(
            f"Unknown setting(s) {', '.join(repr(u[:40]) for u in unknown[:5])}; the settings "
            f"are {', '.join(DEFAULTS)}."
        )
    preset = check_choice(raw.get("preset", "none"), "preset", _OWNER, PRESETS)
    base = {**DEFAULTS, **(LECTURE["config"] if preset == "lecture" else {})}
    if preset == "lecture":  # the slide's network and data: the training settings may change
        fixed = [
            k for k in raw if k in LECTURE["config"] and k not in LECTURE_FREE and raw[k] != base[k]
        ]
        if fixed:
            raise ParameterError(
                f"The lecture preset fixes {', '.join(repr(k) for k in fixed)} (its value is "
                f"{', '.join(repr(base[k]) for k in fixed)}); leave it out, or set preset 'none'."
            )
    c = {**base, **raw}
    out: dict[str, Any] = {"preset": preset}
    out["problem"] = check_choice(c["problem"], "problem", _OWNER, PROBLEMS)
    allowed = CLASSIFICATION_DATASETS if out["problem"] == "classification" else REGRESSION_DATASETS
    if "dataset" not in raw and c["dataset"] not in allowed:  # the default follows the problem
        c["dataset"] = allowed[0]  # (as TF Playground's: regression opens on its plane)
    out["dataset"] = check_choice(c["dataset"], "dataset", _OWNER, allowed)
    feats = c["features"]
    if (
        not isinstance(feats, list)
        or not feats
        or len(feats) > len(FEATURES)
        or len(set(map(str, feats))) != len(feats)
    ):
        raise ParameterError(
            f"The 'features' parameter of {_OWNER} must be a list of distinct names from "
            f"{', '.join(FEATURES)}, at least one. Got {str(feats)[:80]}."
        )
    for f in feats:
        check_choice(f, "features", _OWNER, tuple(FEATURES))
    out["features"] = [f for f in FEATURES if f in feats]  # the page's order
    hidden = c["hidden"]
    if not isinstance(hidden, list) or len(hidden) > LIMITS["hidden_layers"]:
        raise ParameterError(
            f"The 'hidden' parameter of {_OWNER} must be a list of at most "
            f"{LIMITS['hidden_layers']} layer widths. Got {str(hidden)[:80]}."
        )
    if any(type(h) is int and h == 0 for h in hidden):  # (a teacher's "no hidden layer")
        raise ParameterError(
            f"The 'hidden' parameter of {_OWNER} lists the hidden layers' widths, each 1 to "
            f"{LIMITS['neurons']} neurons; got a layer of 0 in {str(hidden)[:80]}. For no "
            "hidden layer at all, leave the list empty (`hidden=` in a link, [] in a config)."
        )
    out["hidden"] = [
        check_number(h, "hidden", _OWNER, low=1, high=LIMITS["neurons"], integer=True)
        for h in hidden
    ]
    out["activation"] = check_choice(c["activation"], "activation", _OWNER, tuple(ACTIVATIONS))
    if "loss" not in raw and out["problem"] == "regression":  # (the default follows the problem)
        c["loss"] = "half_mse"
    out["loss"] = check_choice(c["loss"], "loss", _OWNER, tuple(LOSSES))
    if out["problem"] == "regression" and out["loss"] != "half_mse":
        raise ParameterError(
            f"The 'loss' parameter of {_OWNER} is 'half_mse' (1/2 (y_hat - y)^2) for regression: "
            f"cross-entropy is a classifier's loss. Got {out['loss']!r}; leave it out, or "
            "set problem 'classification'."
        )
    out["lr"] = check_number(c["lr"], "lr", _OWNER, low=0, low_open=True, high=10)
    out["regularization"] = check_choice(
        c["regularization"], "regularization", _OWNER, REGULARIZATIONS
    )
    # (+ 0.0: a JSON -0.0 passes the check, and would be shown and exported as -0.0)
    out["reg_rate"] = check_number(c["reg_rate"], "reg_rate", _OWNER, low=0, high=10) + 0.0
    out["noise"] = check_number(c["noise"], "noise", _OWNER, low=0, high=50, integer=True)
    out["train_ratio"] = check_number(
        c["train_ratio"], "train_ratio", _OWNER, low=10, high=100, integer=True
    )
    out["samples"] = check_number(
        c["samples"], "samples", _OWNER, low=4, high=LIMITS["samples"], integer=True
    )
    out["batch_size"] = check_number(
        c["batch_size"], "batch_size", _OWNER, low=1, high=LIMITS["samples"], integer=True
    )
    out["seed"] = check_number(c["seed"], "seed", _OWNER, low=0, high=2**31 - 1, integer=True)
    out["grid"] = check_number(c["grid"], "grid", _OWNER, low=10, high=LIMITS["grid"], integer=True)
    return out


# =====================================================================================
# Data
# =====================================================================================
def make_dataset(config: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """The points (N, 2) and targets (N,) of ``config["dataset"]`` with its ``noise``
    (0-50), ``samples`` and ``seed``: labels 0/1 for classification, values in [-1, 1]
    for regression. The shapes come from :mod:`glassnet.datasets` where it has them
    (circles, moons, blobs), scaled to the plane [-6, 6]²; the spiral is TF Playground's,
    two arms of 1.75 turns out to radius 5 (``datasets.make_spirals`` turns less than once,
    which a 2-4-2-1 network on x1, x2 learns at once: not the lesson)."""
    name, n, noise = config["dataset"], int(config["samples"]), config["noise"] / 100.0
    seed = np.random.default_rng([int(config["seed"]), 0])
    e = HALF_WIDTH
    if name == "circle":
        X, y = datasets.make_circles(n, noise=noise * 0.3, factor=0.4, seed=seed)
        X, y = X * 5.0, y
    elif name == "moons":
        X, y = datasets.make_moons(n, noise=noise * 0.6, seed=seed)
        X = (X - [0.5, 0.25]) * 3.2
    elif name == "spiral":  # point i of an arm: r = 5 i/m, t = 1.75 turns · i/m (+ π: class 0)
        y = (np.arange(n) < (n + 1) // 2).astype(np.float64)  # class 1 first, as TF's
        i = np.where(y == 1, np.arange(n), np.arange(n) - (n + 1) // 2)
        m = np.where(y == 1, (n + 1) // 2, n // 2)
        r = 5.0 * i / m
        t = 1.75 * 2.0 * np.pi * i / m + np.where(y == 1, 0.0, np.pi)
        X = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
        X += seed.uniform(-1.0, 1.0, size=(n, 2)) * noise
    elif name == "gauss":
        std = 0.5 + 2.5 * noise
        X, y = datasets.make_blobs(
            n, centers=[[-2.0, -2.0], [2.0, 2.0]], cluster_std=std, seed=seed
        )
    elif name == "xor":
        X = seed.uniform(-5, 5, size=(n, 2))
        X += np.where(X > 0, 0.3, -0.3)  # a margin around the axes, as TF Playground has
        flip = seed.random(n) < noise * 0.5
        y = ((X[:, 0] * X[:, 1] > 0) ^ flip).astype(np.float64)
    elif name in GATES:  # the lecture's four points, n/4 copies each, with noise
        Xg, yg = datasets.logic_gate(name)
        reps = -(-n // 4)
        X = np.tile(Xg, (reps, 1))[:n] + seed.normal(0, 0.5 * noise, size=(n, 2))
        y = np.tile(yg, reps)[:n]
    elif name == "reg-plane":
        X = seed.uniform(-e, e, size=(n, 2))
        y = (X[:, 0] + X[:, 1]) / (2 * e) + seed.normal(0, noise, size=n)
    else:  # reg-gauss: bumps of alternating sign
        X = seed.uniform(-e, e, size=(n, 2))
        centers = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1),
                   (4, -2.5, -1)]  # fmt: skip
        y = np.zeros(n)
        for cx, cy, s in centers:
            y += s * np.exp(-((X[:, 0] - cx) ** 2 + (X[:, 1] - cy) ** 2) / 2.0)
        y = y + seed.normal(0, noise, size=n)
    if name in REGRESSION_DATASETS:
        y = np.clip(y, -1.0, 1.0)
    return np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)


def previews(n: int = 120) -> dict[str, Any]:
    """A few points of every data set (noise 0, seed 0) for the page's data-set buttons."""
    out = {}
    for name in CLASSIFICATION_DATASETS + REGRESSION_DATASETS:
        problem = "classification" if name in CLASSIFICATION_DATASETS else "regression"
        cfg = {**DEFAULTS, "dataset": name, "problem": problem, "samples": n, "noise": 0}
        P, y = make_dataset(cfg)
        out[name] = {"points": P.round(3).tolist(), "targets": y.round(3).tolist(),
                     "domain": list(domain(name))}  # fmt: skip
    return out


def feature_matrix(points: np.ndarray, features: list[str]) -> np.ndarray:
    """The network's inputs (N, len(features)) for points (N, 2): one column per feature."""
    x1, x2 = points[:, 0], points[:, 1]
    return np.stack([FEATURES[f](x1, x2) for f in features], axis=1).astype(np.float64)


def colour_bytes(s: np.ndarray) -> str:
    """Values on the colour scale [-1, 1] (orange -1, white 0, blue 1) as base64 bytes
    ``round((s + 1) * 127.5)``: what the page paints (the heat maps are colours, so 8 bits
    each; the numbers the page prints come as full floats). A byte of 128 or more is a
    positive value, 127 or less a value of 0 or below."""
    s = np.nan_to_num(s, nan=0.0, posinf=1.0, neginf=-1.0)  # a diverged network's NaN: 0
    q = np.rint((np.clip(s, -1.0, 1.0) + 1.0) * 127.5)
    # the byte keeps the sign, a 0 on the negative side (127, not rint's 128): the page reads
    # a byte of 128 or more as positive, and a classifier's output of exactly 0.5 (s = 0, a
    # ReLU network's dead region) is class 0, as glassnet predicts it (y_hat > 0.5)
    q = np.where(s > 0, np.maximum(q, 128.0), np.minimum(q, 127.0)).astype(np.uint8)
    return base64.b64encode(q.tobytes()).decode("ascii")


def output_scale(problem: str) -> dict[str, Any]:
    """The output heat map's colour scale, as the page's legend states it: ``ticks``, the
    output's values at the legend's orange end, middle and blue end, and ``words``, what
    the colours mean. A classifier's ŷ in (0, 1) is painted as ``2ŷ - 1`` on the colour
    scale (:func:`output_colours`), so orange is ŷ = 0 (class 0), white 0.5, blue 1 (class
    1); a regression's ŷ is painted as it is, clipped to [-1, 1]. The neurons' thumbnails
    (and a hovered one on the big plot) keep the scale [-1, 1] of their own values."""
    if problem == "classification":
        return {
            "ticks": [0.0, 0.5, 1.0],
            "words": "output \u0177: orange class 0 (\u0177 = 0), white \u0177 = 0.5, "
            "blue class 1 (\u0177 = 1)",
        }
    return {
        "ticks": [-1.0, 0.0, 1.0],
        "words": "output \u0177: orange negative, white 0, blue positive (clipped to [-1, 1])",
    }


def output_colours(out: np.ndarray, problem: str) -> np.ndarray:
    """The output's values on the colour scale [-1, 1] that :func:`colour_bytes` paints:
    the ticks of :func:`output_scale` go to -1, 0 and 1."""
    lo, mid, hi = output_scale(problem)["ticks"]
    return (np.asarray(out, dtype=np.float64) - mid) / ((hi - lo) / 2.0)


# a network trained with too large a learning rate overflows: the run says so (Diverged,
# Run.diverged), so NumPy's warnings would only repeat it on the terminal
_QUIET = {"over": "ignore", "invalid": "ignore"}


class Diverged(FloatingPointError):
    """A gradient-descent step of a run met a NaN or infinite loss or gradient; the step
    was not taken (the run keeps its weights from before it). The message says where,
    and what to do."""


def _word(v: float) -> str:
    """A loss that is not finite as the page writes it: NaN, infinite (not Python's nan, inf)."""
    return "NaN" if math.isnan(v) else "infinite"


def mean_of(values: np.ndarray) -> float:
    """The mean of ``values`` (per-point losses), as ``np.mean`` gives it, without its
    overflow: where every value is finite but their sum is not (7.48e+307 a point), the
    mean of the values scaled by the largest, times it (7.48e+307, not inf). NaN and inf
    stay NaN and inf."""
    with np.errstate(over="ignore"):
        v = float(np.mean(values))
    if math.isinf(v) and np.isfinite(values).all():  # (np.mean sums first: it overflowed)
        top = float(np.abs(values).max())
        v = float(np.mean(values / top)) * top
    return v


def _num(v: float) -> float | None:
    """A float for JSON (None for NaN or inf, which JSON has no word for)."""
    v = float(v)
    return v if math.isfinite(v) else None


# =====================================================================================
# A run
# =====================================================================================
class Run:
    """One playground run: data, network, optimizer and the training position.

    Thread-safe: every public method holds the run's lock.
    """

    THUMB = 24  # the neurons' heat maps: THUMB x THUMB samples of the plane

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.lock = threading.RLock()
        self.config = c = check_config(config)
        self.initial = dict(c)  # the settings the run started with (the script's)
        # 1) data: points, targets, the train/test split
        P, y = make_dataset(c)
        order = np.random.default_rng([c["seed"], 1]).permutation(len(y))
        n_train = max(1, round(len(y) * c["train_ratio"] / 100))
        self.train_idx, self.test_idx = order[:n_train], order[n_train:]
        self.points, self.targets = P, y
        self.X = feature_matrix(P, c["features"])  # (N, features)
        self.Y = y.reshape(-1, 1)  # (N, 1)
        # 2) the network: a sigmoid output for classification, with binary cross-entropy
        # (trained on the logits) or the slides' 1/2 (y_hat - y)^2 (the Lecture preset's);
        # an identity output with 1/2 (y_hat - y)^2 for regression
        classify = c["problem"] == "classification"
        self.loss_name = LOSSES[c["loss"]]
        sizes = [len(c["features"]), *c["hidden"], 1]
        self.model = MLP(
            sizes,
            activation=ACTIVATIONS[c["activation"]],
            output_activation="sigmoid" if classify else "identity",
            rng=np.random.default_rng([c["seed"], 3]),
            dtype=np.float64,
        )
        self.layers = layers_of(self.model, owner="playground")
        if c["preset"] == "lecture":
            for lay, W, b in zip(self.layers, LECTURE["W"], LECTURE["b"]):
                lay.linear.W.data[...] = W
                lay.linear.b.data[...] = b  # type: ignore[union-attr]
        self.names = make_names(self.layers, "auto")
        self.params = list(self.model.parameters())  # (a walk over the modules: once)
        self.opt = SGD(self.params, lr=c["lr"])
        check_followed(get_loss(self.loss_name), "the playground")  # (it runs the kernel)
        self.engine = FastMLP(self.layers, self.loss_name, dtype=np.float64)
        # forward only, with the output activation applied (no fused head)
        self.viewer = FastMLP(self.layers, "half_mse", dtype=np.float64)
        # 3) the plane the page draws: grid x grid points, row 0 at the top (x2 high)
        lo, hi = domain(c["dataset"])
        g = c["grid"]
        xs = np.linspace(lo, hi, g)
        gx, gy = np.meshgrid(xs, xs[::-1])
        self.grid_inputs = feature_matrix(np.stack([gx.ravel(), gy.ravel()], axis=1), c["features"])
        t = np.linspace(0, g - 1, self.THUMB).round().astype(int)
        self.thumb_idx = (t[:, None] * g + t[None, :]).ravel()  # (THUMB*THUMB,)
        # 4) the training position and the record of settings changed during the run
        self.epoch = 0
        self.step_count = 0
        self.seconds = 0.0  # spent training
        self._perm: np.ndarray | None = None
        self._pos = 0
        self.history: list[list[float | None]] = []
        # {"step", "lr", "regularization", "reg_rate"} or {"step", "set": [l, i, j, value]}
        self.changes: list[dict[str, Any]] = []
        # the changes still to replay (:meth:`replay`), each applied after its step
        self._replay: list[dict[str, Any]] = []
        self._replaying = False  # (a replayed change is no change of the user's own)
        #: None, or why the last step was refused (its loss or gradient was NaN or inf)
        self.diverged: str | None = None
        self._batch_loss = 0.0  # the last step's (before it), as FastMLP.step gives it
        self.records = 0  #: the loss points recorded after the first (history may halve)
        self.history.append([0, *self._losses()])

    # ------------------------------------------------------------------ training
    def _batch(self) -> np.ndarray:
        """The next batch's row indices (into the whole data set)."""
        if self._perm is None:
            rng = np.random.default_rng([self.config["seed"], 2, self.epoch])
            self._perm = rng.permutation(len(self.train_idx))
            self._pos = 0
        B = self.config["batch_size"]
        rows = self.train_idx[self._perm[self._pos : self._pos + B]]
        self._pos += B
        if self._pos >= len(self._perm):
            self._perm = None
            self.epoch += 1
        return rows

    def _update(self, detail: bool = False) -> tuple[np.ndarray, ...]:
        """One gradient-descent step on the next batch; returns the rows and, with
        ``detail``, the flat weights before, dL/dw (data + regularization) and after."""
        position = (self._perm, self._pos, self.epoch)
        rows = self._batch()
        # 1) forward and backward: dL/dW, dL/db into each parameter's .grad
        with np.errstate(**_QUIET):  # a diverging step is refused below
            loss = self.engine.step(self.X[rows], self.Y[rows])
            if math.isinf(loss):  # (its mean sums first: finite points' losses may overflow)
                out = self.engine.forward(self.X[rows])[-1]
                loss = mean_of(self.engine.loss.kernel(out, self.Y[rows], np.empty_like(out)))
            # 2) the regularization's gradient on the weight matrices (not the biases)
            lam, kind = self.config["reg_rate"], self.config["regularization"]
            if lam and kind != "none":
                for lay in self.layers:
                    W = lay.linear.W
                    W.grad += lam * (W.data if kind == "L2" else np.sign(W.data))
            # a sum of finite numbers is finite, unless it overflows: then each is looked at
            total = sum(float(np.add.reduce(p.grad, axis=None)) for p in self.params)
            if math.isinf(total) and all(np.isfinite(p.grad).all() for p in self.params):
                total = 0.0
        if not (math.isfinite(loss) and math.isfinite(total)):
            self._perm, self._pos, self.epoch = position  # the step is not taken
            what = "loss" if not math.isfinite(loss) else "gradient"
            self.diverged = (
                f"Training diverged: at step {self.step_count + 1} (epoch {self.epoch}) the "
                f"batch's {what} became {_word(loss) if what == 'loss' else 'NaN or infinite'}, "
                "so that step was not taken and the weights are those from before it. Lower the "
                f"learning rate (now {self.opt.lr:g}) and reset."
            )
            raise Diverged(self.diverged)
        self.diverged = None
        self._batch_loss = loss
        if detail:
            before = self.parameters()
            grads = np.concatenate([p.grad.ravel() for p in self.model.parameters()])
        # 3) w <- w - lr * dL/dw
        self.opt.step()
        self.step_count += 1
        return (rows, before, grads, self.parameters()) if detail else (rows,)

    def parameters(self) -> np.ndarray:
        """Every parameter, one flat vector in the order of :meth:`parameter_names`."""
        return np.concatenate([p.data.ravel().copy() for p in self.model.parameters()])

    def parameter_names(self) -> list[str]:
        """The lecture's names of the parameters (``explain``'s), in the flat order:
        each layer's W row by row, then its b."""
        out: list[str] = []
        for l, lay in enumerate(self.layers):
            out += [self.names.w[l][i][k] for i in range(lay.inputs) for k in range(lay.neurons)]
            out += list(self.names.b[l])  # type: ignore[arg-type]
        return out

    def train(self, epochs: int) -> None:
        """Train ``epochs`` whole epochs (finishing the current one first counts as one).

        Raises :class:`Diverged` at a step whose loss or gradient is NaN or infinite, which
        is not taken: the run stops there, with the weights from before that step; and
        ``ParameterError`` for ``epochs`` not a whole number >= 1 (0, -1 and 2.5 trained
        nothing, nothing and three epochs)."""
        epochs = check_number(epochs, "epochs", "Run.train", low=1, integer=True)
        with self.lock:
            t0 = time.perf_counter()
            target = self.epoch + epochs
            try:
                while self.epoch < target:
                    self._update()
                    if self._perm is None or self._exploding():
                        self._record()
                    self._due()
            except Diverged:
                if self.history[-1][0] != self.epochs_done:  # (not recorded there yet)
                    self._record()  # where it stopped
                raise
            finally:
                self.seconds += time.perf_counter() - t0

    def _exploding(self) -> bool:
        """The last step's batch loss is over 1,000 times the last training loss recorded
        (and over 1,000): the loss curve gets a point mid-epoch, so that a run that diverges
        within an epoch draws its climb (its curve held the start and the stop alone)."""
        last = self.history[-1][1]
        return last is not None and self._batch_loss > 1e3 * max(1.0, last)

    def step(self) -> dict[str, Any]:
        """One gradient-descent step (one batch), and the update as the slides write it:
        each weight's w, dL/dw and w − γ·dL/dw. Raises :class:`Diverged` instead of a step
        whose loss or gradient is NaN or infinite."""
        with self.lock:
            rows, before, grads, after = self._update(detail=True)
            self._record()
            lr = self.opt.lr
            table = [
                [n, float(b), float(g), float(a)]
                for n, b, g, a in zip(self.parameter_names(), before, grads, after)
            ]
            step = _minus_rate_times(lr)
            update = {
                "lr": lr,
                "batch": [int(r) for r in rows[:64]],
                "batch_size": len(rows),
                "rows": table,
                # w and dL/dw as the table prints them: with the decimals that make
                # w - lr * dL/dw, worked out from the printed numbers, give the printed w after
                "printed": [_printed([b, g], step, a, 4) for _, b, g, a in table],
            }
            self._due()  # (after the step's table: its lr is the one the step took)
            return update

    def _record(self) -> None:
        self.records += 1
        self.history.append([self.epoch + self._fraction(), *self._losses()])
        if len(self.history) > LIMITS["history"]:  # keep every other point of the old half
            half = len(self.history) // 2
            self.history = self.history[:half:2] + self.history[half:]

    def _fraction(self) -> float:
        return 0.0 if self._perm is None else self._pos / len(self._perm)

    @property
    def epochs_done(self) -> float:
        """The epochs trained, with the part of the one under way (30 steps of 25 an epoch:
        1.2), as the loss curve's axis counts them; :attr:`epoch` counts whole epochs."""
        return self.epoch + self._fraction()

    @property
    def steps_per_epoch(self) -> int:
        """The gradient-descent steps of one epoch (the last batch may be smaller)."""
        return -(-len(self.train_idx) // self.config["batch_size"])

    def _losses(self) -> tuple[float | None, float | None]:
        return self._loss(self.train_idx), self._loss(self.test_idx)

    def _loss_word(self, rows: np.ndarray) -> str | None:
        """What a data loss over ``rows`` that is not finite is: 'NaN' or 'infinite' (the
        frame's null says neither); None for a finite one, or no rows."""
        if len(rows) == 0:
            return None
        with np.errstate(**_QUIET):
            acts = self.engine.forward(self.X[rows])
            per = self.engine.loss.kernel(acts[-1], self.Y[rows], np.empty_like(acts[-1]))
            v = mean_of(per)
        return None if math.isfinite(v) else _word(v)

    def _loss(self, rows: np.ndarray) -> float | None:
        """The data loss (no regularization) over ``rows``, as training computes it."""
        if len(rows) == 0:
            return None
        with np.errstate(**_QUIET):
            acts = self.engine.forward(self.X[rows])
            G = np.empty_like(acts[-1])
            per = self.engine.loss.kernel(acts[-1], self.Y[rows], G)
            return _num(mean_of(per))

    def set_training(self, changes: Mapping[str, Any]) -> dict[str, Any] | None:
        """Change the learning rate or the regularization mid-run (recorded, so that the
        exported script replays them); any other change starts a new run. An empty
        ``changes`` is refused (``ParameterError``): a change of nothing did nothing, unsaid.
        Returns what :meth:`replay` had still to apply, dropped by this change of the
        user's own (:meth:`_own_change`), or None."""
        if not isinstance(changes, Mapping):
            raise ParameterError(
                "set_training takes a mapping of the settings to change, such as "
                f"{{'lr': 0.1}} (of 'lr', 'regularization' and 'reg_rate'). Got {changes!r:.60}."
            )
        if not changes:
            raise ParameterError(
                "set_training needs at least one of 'lr', 'regularization' and 'reg_rate' "
                "(the settings it changes mid-run); got none, so nothing would change."
            )
        other = [str(k) for k in changes if k not in ("lr", "regularization", "reg_rate")]
        if other:
            raise ParameterError(
                f"set_training changes 'lr', 'regularization' and 'reg_rate' only; {other} "
                "need a new run (Run(config))."
            )
        with self.lock:
            new = check_config({**self._raw_config(), **changes})
            if all(new[k] == self.config[k] for k in _TRAINING):
                return None  # nothing changes: nothing to replay
            dropped = self._own_change()
            for k in _TRAINING:
                self.config[k] = new[k]
            self.opt.lr = new["lr"]
            self._change({"step": self.step_count, **{k: new[k] for k in _TRAINING}})
            return dropped

    def set_weight(self, target: Mapping[str, Any], value: Any) -> dict[str, Any] | None:
        """Set one weight (``{"kind": "edge", "layer": l, "from": i, "to": j}``, as in
        :meth:`explain`) or one bias (``{"kind": "neuron", "layer": l, "index": j}``) to
        ``value``, a number in [-100, 100]; recorded, so that the exported script replays it.
        Returns what :meth:`replay` had still to apply, dropped by this change, or None."""
        with self.lock:
            l, i, j, value = self._weight_slot(target, value)
            dropped = self._own_change()
            lin = self.layers[l - 1].linear
            if i >= 0:
                lin.W.data[i, j] = value
            else:
                lin.b.data[j] = value  # type: ignore[union-attr]
            self._change({"step": self.step_count, "set": [l, i, j, float(value)]})
            self._record()  # (capped, as training's points are)
            return dropped

    def _weight_slot(self, target: Any, value: Any) -> tuple[int, int, int, float]:
        """(layer, from, to, value) of a set_weight call, checked: from is -1 for a bias."""
        with self.lock:
            value = check_number(value, "value", "set_weight", low=-100, high=100)
            if not isinstance(target, Mapping):
                raise ParameterError("The 'target' of set_weight must be an object.")
            kind = _target_kind(target, "set_weight")
            L = len(self.layers)
            l = check_number(
                target.get("layer"), "layer", "set_weight", low=1, high=L, integer=True
            )
            lin = self.layers[l - 1].linear
            if kind == "edge":
                i = check_number(
                    target.get("from"), "from", "set_weight", low=0, high=lin.inputs - 1,
                    integer=True,
                )  # fmt: skip
                j = check_number(
                    target.get("to"), "to", "set_weight", low=0, high=lin.neurons - 1,
                    integer=True,
                )  # fmt: skip
            else:
                i = -1
                j = check_number(
                    target.get("index"), "index", "set_weight", low=0, high=lin.neurons - 1,
                    integer=True,
                )  # fmt: skip
            return l, i, j, value

    # ------------------------------------------------------------------ a link's replay
    def replay(self, changes: Any) -> None:
        """Replay ``changes``, a run's record (:attr:`changes`, as a shared link holds it):
        each applied after its step (``"step"``: the steps taken before it) as the live
        control applies it (:meth:`set_training`, :meth:`set_weight`), so that the same
        steps give the same numbers, bit for bit; those at step 0 at once. Every change is
        checked first, as the live controls' values are, and refused (``ParameterError``,
        naming ``changes[n]``) before any applies. A change of the user's own (a live
        :meth:`set_training` or :meth:`set_weight`) before the last replayed one drops the
        rest (:meth:`_own_change`). A list at most ``LIMITS["changes"]`` long, in step order."""
        most = LIMITS["changes"]
        if not isinstance(changes, (list, tuple)) or len(changes) > most:
            size = f"{len(changes)} changes" if isinstance(changes, (list, tuple)) else None
            raise ParameterError(
                f"'changes' must be a list of at most {most} changes by step, a run's record "
                "(Run.changes): {'step': 25, 'lr': 1.0} (of 'lr', 'regularization' and "
                "'reg_rate') or {'step': 26, 'set': [layer, from, to, value]} (from -1: a "
                f"bias). Got {size or repr(changes)[:60]}."
            )
        with self.lock:
            pending: list[dict[str, Any]] = []
            last = 0
            for n, ch in enumerate(changes):
                try:
                    pending.append(self._checked_change(ch, last))
                except ParameterError as exc:
                    raise ParameterError(f"changes[{n}]: {exc}") from None
                last = pending[-1]["step"]
            if pending and pending[0]["step"] < self.step_count:
                raise ParameterError(
                    f"changes[0] is after step {pending[0]['step']}, and this run has taken "
                    f"{self.step_count} steps: a change applies after its step, so replay "
                    "the changes on a new run (Run(run.initial).replay(changes))."
                )
            self._replay = pending
            self._due()

    def _checked_change(self, ch: Any, last: int) -> dict[str, Any]:
        """One replayed change, checked as its live call checks it."""
        if not isinstance(ch, Mapping) or "step" not in ch:
            raise ParameterError(
                "a change is an object with its 'step' and 'lr', 'regularization', "
                f"'reg_rate' or 'set': [layer, from, to, value]. Got {ch!r:.60}."
            )
        step = check_number(ch["step"], "step", "changes", low=0, high=2**53, integer=True)
        if step < last:
            raise ParameterError(
                f"the changes must be in step order (as a run records them): step {step} "
                f"comes after step {last}; sort them by step."
            )
        if "set" in ch:
            extra = [str(k)[:40] for k in ch if k not in ("step", "set")]
            where = ch["set"]
            if extra or not isinstance(where, list) or len(where) != 4:
                raise ParameterError(
                    "a weight's change is {'step': s, 'set': [layer, from, to, value]} (from "
                    f"-1: a bias, 'to' its neuron). Got {dict(ch)!r:.80}."
                )
            l, i, j, v = where
            target = (
                {"kind": "neuron", "layer": l, "index": j}
                if i == -1 and not isinstance(i, bool)
                else {"kind": "edge", "layer": l, "from": i, "to": j}
            )
            self._weight_slot(target, v)
            return {"step": step, "target": target, "value": v}
        training = {k: v for k, v in ch.items() if k != "step"}
        other = [str(k)[:40] for k in training if k not in _TRAINING]
        if other or not training:
            raise ParameterError(
                f"a change sets 'lr', 'regularization' and 'reg_rate' (or 'set' a weight); "
                f"{other or 'none'} {'are' if other else 'is'} not a setting changed mid-run "
                "(the others need a new run)."
            )
        check_config({**self._raw_config(), **training})
        return {"step": step, "training": training}

    def _due(self) -> None:
        """Apply the replayed changes due at this step (:meth:`replay`)."""
        while self._replay and self._replay[0]["step"] <= self.step_count:
            ch = self._replay.pop(0)
            self._replaying = True
            try:
                if "training" in ch:
                    self.set_training(ch["training"])
                else:
                    self.set_weight(ch["target"], ch["value"])
            finally:
                self._replaying = False

    def _own_change(self) -> dict[str, Any] | None:
        """A change of the user's own, not the replay's: the changes still to replay are
        dropped (the run is no longer the link's, and goes on with the user's changes);
        returns how many, the step of the next one, and this change's step, or None."""
        if self._replaying or not self._replay:
            return None
        dropped = {"dropped": len(self._replay), "next": self._replay[0]["step"]}
        self._replay = []
        return {**dropped, "at": self.step_count}

    def link_changes(self) -> dict[str, Any]:
        """The record's first :data:`LINK_CHANGES` changes (a link holds them) and its length."""
        with self.lock:
            first = [_copy_change(ch) for ch in self.changes[:LINK_CHANGES]]
            return {"changes": first, "changes_total": len(self.changes)}

    def replay_state(self) -> dict[str, Any] | None:
        """The replay's progress for the page: changes still to apply and the next one's step."""
        with self.lock:
            if not self._replay:
                return None
            return {"pending": len(self._replay), "next": self._replay[0]["step"]}

    def _change(self, entry: dict[str, Any]) -> None:
        """Record a change for the exported script, which replays them, within
        ``LIMITS["changes"]`` entries: a change before the same step as an earlier one of
        the same thing (the training settings, or one weight) replaces it, as only the
        last is in effect when that step is taken; past the cap, the record starts again
        from now: the settings in effect and every weight and bias, set before this step
        (the replay reaches the same weights, since the data's order depends on the step
        count only)."""
        step = entry["step"]
        start = len(self.changes)  # this step's changes are self.changes[start:]
        while start and self.changes[start - 1]["step"] == step:
            start -= 1
        kept = [ch for ch in self.changes[start:] if _change_key(ch) != _change_key(entry)]
        self.changes[start:] = [*kept, entry]
        if len(self.changes) <= LIMITS["changes"]:
            return
        self.changes = [{"step": step, **{k: self.config[k] for k in _TRAINING}}]
        for l, lay in enumerate(self.layers, start=1):
            W, b = lay.linear.W.data, lay.linear.b.data  # type: ignore[union-attr]
            for i in range(lay.inputs):
                for j in range(lay.neurons):
                    self.changes.append({"step": step, "set": [l, i, j, float(W[i, j])]})
            for j in range(lay.neurons):
                self.changes.append({"step": step, "set": [l, -1, j, float(b[j])]})

    def _raw_config(self, initial: bool = False) -> dict[str, Any]:
        c = dict(self.initial if initial else self.config)
        if c["preset"] == "lecture":
            c = {k: c[k] for k in ("preset", *LECTURE_FREE)}
        return c

    # ------------------------------------------------------------------ the view
    def data(self) -> dict[str, Any]:
        """The points, once per run: train and test, with their targets."""
        with self.lock:
            lo, hi = domain(self.config["dataset"])
            return {
                "domain": [lo, hi],
                "points": self.points.tolist(),
                "targets": self.targets.tolist(),
                "train": self.train_idx.tolist(),
                "test": self.test_idx.tolist(),
                "names": {
                    "inputs": self.names.x,
                    "neurons": self.names.a,
                    "sums": self.names.z,
                    # (each layer's names are written when read: lists for json)
                    "weights": [[list(row) for row in w] for w in self.names.w],
                    "biases": self.names.b,
                },
            }

    def frame(self, history: bool | int = True) -> dict[str, Any]:
        """Everything the page draws now: the counters, the losses, the output over the
        plane, every neuron's output over the plane (a thumbnail), the weights; the whole
        loss history when ``history`` is True, else its last point, or its last ``history``
        points for a number (the page appends them: :attr:`records` counts them)."""
        with self.lock:
            with np.errstate(**_QUIET):
                acts = self.viewer.forward(self.grid_inputs)  # (grid*grid, neurons) per layer
            ti = self.thumb_idx
            train, test = self.history[-1][1], self.history[-1][2]
            # (a classifier's p in [0, 1] on the scale [-1, 1]: the legend reads 0, 0.5, 1)
            out = output_colours(acts[-1][:, 0], self.config["problem"])
            inputs = self.grid_inputs[ti]  # (THUMB*THUMB, features), scaled by their largest
            inputs = inputs / np.maximum(np.abs(inputs).max(axis=0), 1e-12)
            frame = {
                "epoch": self.epoch,
                "step": self.step_count,
                "train_loss": train,
                "test_loss": test,
                # a loss that is not finite (null above): NaN or infinite, as the page says it
                "loss_words": [
                    None if v is not None else self._loss_word(rows)
                    for v, rows in ((train, self.train_idx), (test, self.test_idx))
                ],
                "history": self.history
                if history is True
                else self.history[-max(1, int(history)) :],
                # the heat maps on the colour scale: the output over the grid, then every
                # input and neuron over a THUMB x THUMB grid (hidden values clipped to [-1, 1])
                "output": colour_bytes(out),
                "thumbs": [[colour_bytes(inputs[:, j]) for j in range(inputs.shape[1])]]
                + [[colour_bytes(A[ti, j]) for j in range(A.shape[1])] for A in acts[:-1]]
                + [[colour_bytes(out[ti])]],
                "W": [lay.W.tolist() for lay in self.layers],
                "b": [lay.b.tolist() for lay in self.layers],  # type: ignore[union-attr]
                "diverged": self.diverged,
                "scale": output_scale(self.config["problem"]),  # (what the legend says)
                # the settings in force (a replayed change sets them), the replay's
                # progress, and the record's first changes (the page's link holds them)
                "training": {k: self.config[k] for k in _TRAINING},
                "replay": self.replay_state(),
                **self.link_changes(),
            }
            if self.config["problem"] == "classification":
                frame["accuracy"] = [self._accuracy(self.train_idx), self._accuracy(self.test_idx)]
            return frame

    def _accuracy(self, rows: np.ndarray) -> float | None:
        if len(rows) == 0:
            return None
        with np.errstate(**_QUIET):
            out = self.viewer.forward(self.X[rows])[-1][:, 0]
        if not np.isfinite(out).all():  # a diverged network: no class (NaN >= 0.5 read as 0)
            return None
        # class 1 where y_hat > 0.5, as glassnet's binary task decides (glassnet.tasks) and
        # `glassnet evaluate` counts: an output of exactly 0.5 (a ReLU network's dead region)
        # is class 0 (read as 1 here, the page's accuracy disagreed with evaluate's)
        return float(np.mean((out > 0.5) == (self.Y[rows, 0] > 0.5)))

    def hidden_space(self) -> dict[str, Any] | None:
        """With two neurons in the last hidden layer: every point moved to (a1, a2), and
        the output neuron's line there (its z = 0, the 0.5 threshold of a sigmoid)."""
        with self.lock:
            if not self.config["hidden"] or self.config["hidden"][-1] != 2:
                return None
            with np.errstate(**_QUIET):
                acts = self.viewer.forward(self.X)
            A = acts[-2]  # (N, 2)
            out = self.layers[-1]
            return {
                "points": A.round(6).tolist(),
                "w": out.W[:, 0].tolist(),
                "b": float(out.b[0]),  # type: ignore[index]
                "names": self.names.a[-2],
            }

    def table(self, limit: int = 16) -> dict[str, Any]:
        """The hidden-layer table of the slides: x, y, each hidden a and y_hat, for the
        distinct points (the lecture's four) or the first ``limit`` points. An input whose
        feature is not the network input of its name is named with it: ``x2 (x1^2)``.

        ``limit`` is a whole number >= 1 (``ParameterError`` otherwise: 0, -1 and 2.5
        ended in a ZeroDivisionError or an IndexError)."""
        limit = check_number(limit, "limit", "Run.table", low=1, integer=True)
        with self.lock:
            P, idx = np.unique(self.X.round(9), axis=0, return_index=True)
            rows = np.sort(idx)[:limit] if len(idx) <= limit else np.arange(min(limit, len(self.X)))
            with np.errstate(**_QUIET):
                acts = self.viewer.forward(self.X[rows])
            # an input column by its feature's own name beside the network's (x2 holding
            # X1^2 read "x2", as if it were the point's second coordinate)
            inputs = [
                x if x == f else f"{x} ({f})" for x, f in zip(self.names.x, self.config["features"])
            ]
            cols = inputs + [n for layer in self.names.a[:-1] for n in layer] + ["y", "y_hat"]
            values = np.concatenate(
                [self.X[rows], *acts[:-1], self.Y[rows], acts[-1]], axis=1
            )  # (rows, columns)
            # (the full floats: the page prints them as report.fmt does; rounded to 6 decimals
            # here first, a1 = 2.06e-09 read 0 and 0.1234996 read 0.124, where the explain
            # panel beside the table, from the same activation, read 2.06e-09 and 0.123)
            return {"columns": cols, "rows": values.tolist(), "index": rows.tolist()}

    # ------------------------------------------------------------------ explain
    def explain(self, point: int, target: Mapping[str, Any]) -> dict[str, Any]:
        """The slides' numbers for data point ``point`` and the clicked ``target``
        (``{"kind": "neuron", "layer": l, "index": j}`` with layer 0 the inputs, or
        ``{"kind": "edge", "layer": l, "from": i, "to": j}`` for the weight from node i
        of layer l-1 to neuron j of layer l), from :func:`glassnet.explain`."""
        with self.lock:
            n = len(self.targets)
            point = check_number(point, "point", _OWNER, low=0, high=n - 1, integer=True)
            if not isinstance(target, Mapping):
                raise ParameterError(f"The 'target' of {_OWNER}'s explain must be an object.")
            kind = _target_kind(target, "explain")
            L = len(self.layers)
            layer = check_number(
                target.get("layer"), "layer", "explain", low=0, high=L, integer=True
            )
            with np.errstate(**_QUIET):
                y_hat = self.viewer.forward(self.X[point : point + 1])[-1]
            if not np.isfinite(y_hat).all():
                raise Diverged(
                    f"The network's output at point {point} is NaN or infinite: its weights "
                    "are too large (the training diverged). Lower the learning rate and reset."
                )
            e = explain(self.model, self.X[point], self.Y[point], self.loss_name, lr=self.opt.lr)
            nm = self.names
            out: dict[str, Any] = {
                "point": point,
                "x": [[nm.x[i], float(v)] for i, v in enumerate(e.x[0])],
                "point_xy": self.points[point].tolist(),
                "y": float(e.y[0, 0]),
                "y_hat": float(e.y_hat[0, 0]),
                "loss": float(e.loss),
                "loss_name": self.loss_name,
                "lr": self.opt.lr,
                "features": self.config["features"],
            }
            if kind == "neuron":
                if layer == 0:
                    j = check_number(
                        target.get("index"), "index", "explain", low=0,
                        high=len(nm.x) - 1, integer=True,
                    )  # fmt: skip
                    out.update(kind="input", name=nm.x[j], value=float(e.x[0, j]))
                    out["dL"] = float(e.dL_dx[0, j])
                    out["path"] = _path(e.paths(nm.x[j], max_terms=6))
                    return out
                l = layer - 1
                lay = self.layers[l]
                j = check_number(
                    target.get("index"), "index", "explain", low=0, high=lay.neurons - 1,
                    integer=True,
                )  # fmt: skip
                inputs = nm.x if l == 0 else nm.a[l - 1]
                v = e.x[0] if l == 0 else e.A[l - 1][0]
                out.update(
                    kind="neuron",
                    z_name=nm.z[l][j],
                    a_name=nm.a[l][j],
                    activation=lay.act,
                    bias=[nm.b[l][j], float(e.b[l][j])],  # type: ignore[index]
                    terms=[
                        [nm.w[l][i][j], float(e.W[l][i, j]), inputs[i], float(v[i])]
                        for i in range(lay.inputs)
                    ],  # fmt: skip
                    z=float(e.Z[l][0, j]),
                    a=float(e.A[l][0, j]),
                    gprime=float(e.gprime[l][0, j]),
                    dL_da=float(e.dL_dA[l][0, j]),
                    dL_dz=float(e.dL_dZ[l][0, j]),
                    path=_path(e.paths(nm.z[l][j], max_terms=6)),
                )
                factors = [out["bias"][1]] + [x for t in out["terms"] for x in (t[1], t[3])]
                out["printed"] = {
                    "z": _printed(factors, _bias_plus_products, out["z"]),
                    "dL_dz": _printed([out["dL_da"], out["gprime"]], _product, out["dL_dz"]),
                }
                return out
            if layer == 0:
                raise ParameterError(
                    "explain: an edge's 'layer' is 1 or more (layer 0 is the inputs)."
                )
            l = layer - 1
            lay = self.layers[l]
            i = check_number(
                target.get("from"), "from", "explain", low=0, high=lay.inputs - 1, integer=True
            )
            j = check_number(
                target.get("to"), "to", "explain", low=0, high=lay.neurons - 1, integer=True
            )
            name = nm.w[l][i][j]
            v_name = nm.x[i] if l == 0 else nm.a[l - 1][i]
            v = float(e.x[0, i] if l == 0 else e.A[l - 1][0, i])
            w, g, after = e.step()[name]
            lam, reg = self.config["reg_rate"], self.config["regularization"]
            if lam and reg != "none":  # the step adds the penalty's gradient (as _update does)
                pen = float(lam * (w if reg == "L2" else np.sign(w)))
                out["penalty"] = {"kind": reg, "rate": lam, "dL_dw": pen}
                after = w - self.opt.lr * (g + pen)
            out.update(
                kind="edge",
                name=name,
                w=w,
                u_name=nm.z[l][j],
                dL_du=float(e.dL_dZ[l][0, j]),
                v_name=v_name,
                v=v,
                dL_dw=g,
                after=after,
                path=_path(e.paths(name, max_terms=6)),
            )
            if "penalty" in out:
                pen = out["penalty"]["dL_dw"]
                rate = Decimal(repr(float(self.opt.lr)))
                step = _printed([w, g, pen], lambda v: v[0] - rate * (v[1] + v[2]), after)
            else:
                step = _printed([w, g], _minus_rate_times(self.opt.lr), after)
            out["printed"] = {"dL_dw": _printed([out["dL_du"], v], _product, g), "after": step}
            return out

    # ------------------------------------------------------------------ export
    def script(self) -> str:
        """A Python script that reproduces this run with glassnet's API, step for step."""
        from .export import script

        with self.lock:
            return script(self._raw_config(initial=True), self.changes, self.step_count)


#: The settings :meth:`Run.set_training` changes mid-run.
_TRAINING = ("lr", "regularization", "reg_rate")


def _copy_change(change: Mapping[str, Any]) -> dict[str, Any]:
    return {k: list(v) if k == "set" else v for k, v in change.items()}


def _change_key(change: Mapping[str, Any]) -> Any:
    """What a recorded change sets: the training settings, or one weight (layer, i, j)."""
    return tuple(change["set"][:3]) if "set" in change else "training"


#: The fields of a clicked neuron (or input, layer 0) and of a clicked edge.
TARGET_FIELDS = {"neuron": ("kind", "layer", "index"), "edge": ("kind", "layer", "from", "to")}


def _target_kind(target: Mapping[str, Any], owner: str) -> str:
    """The ``kind`` of an explain or set_weight target, whose fields must be its kind's."""
    kind = check_choice(target.get("kind"), "kind", owner, tuple(TARGET_FIELDS))
    extra = [str(k)[:40] for k in target if k not in TARGET_FIELDS[kind]]
    if extra:
        raise ParameterError(
            f"The 'target' of {owner} is a {kind}, with the fields "
            f"{', '.join(TARGET_FIELDS[kind])}; it has no {', '.join(map(repr, extra[:5]))}."
        )
    return kind


def _printed(values: Sequence[float], evaluate: Any, result: float, decimals: int = 3) -> list[str]:
    """``values``, the factors of arithmetic written out beside its ``result`` (printed
    with ``decimals``), as glassnet's explain prints them: with as many decimals as make the
    arithmetic, worked out from the printed numbers, give the printed result
    (:func:`glassnet.explain.decimals_for`): -0.4483 - 0.1 * 0.0063 is -0.4489, so a printed
    -0.4490 needs -0.44834 - 0.1 * 0.00634. ``evaluate``: the arithmetic, on Decimals."""
    more = decimals_for(values, evaluate, result, decimals)
    return [fmt_more(v, decimals, more) for v in values]


def _minus_rate_times(lr: float) -> Any:
    """w - lr * dL/dw, on the printed w and dL/dw (lr as the page prints it)."""
    rate = Decimal(repr(float(lr)))
    return lambda v: v[0] - rate * v[1]


def _product(v: Sequence[Decimal]) -> Decimal:
    return v[0] * v[1]


def _bias_plus_products(v: Sequence[Decimal]) -> Decimal:
    """b + w1 * v1 + w2 * v2 + ...: ``v`` is b, w1, v1, w2, v2, ..."""
    return v[0] + sum((v[k] * v[k + 1] for k in range(1, len(v), 2)), Decimal(0))


def _path(p: Any) -> dict[str, Any]:
    return {
        "symbolic": p.symbolic,
        "numeric": p.numeric,
        "value": p.value,
        "terms": len(p.terms),
        "total": p.total_terms,
    }
