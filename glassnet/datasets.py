"""Data for glassnet: the lecture's logic gates, 2-D toy sets, bundled sets and CSV files.

Everything here returns plain NumPy arrays: features ``X`` of shape
``(n_samples, n_features)`` and targets ``y`` of shape ``(n_samples,)`` (or ``Y`` of
shape ``(n_samples, n_targets)`` for multi-output regression).

* :func:`logic_gate` and its shortcuts give the truth tables of the lecture
  (AND, OR, XNOR ... on the four corners of the unit square).
* :func:`make_circles`, :func:`make_moons`, :func:`make_spirals`, :func:`make_blobs`
  draw 2-D classification sets; :func:`make_regression_multi` draws a multi-output
  regression set. Each takes ``seed`` (an ``int`` or a ``numpy.random.Generator``);
  the same seed gives bit-identical output.
* :func:`load_digits`, :func:`load_iris`, :func:`load_wine`,
  :func:`load_breast_cancer`, :func:`load_diabetes` wrap the small data sets bundled
  with scikit-learn (the optional extra ``glassnet[sklearn]``).
* :func:`load_dataset` picks any of the above by name (the names in
  :data:`DATASETS`) and returns a :class:`Dataset` holding ``X``, ``y``, the feature
  and target names and a task hint; ``X, y = load_dataset("xnor")`` also works.
* :func:`read_csv` reads a CSV file with a header row into a :class:`Table` of
  string columns that knows which columns are numeric and which categorical.

File-system problems (no such file, a directory) raise ``FileNotFoundError`` /
``IsADirectoryError``; problems with the content raise ``ValueError`` naming the
file, the line (the header is line 1) and the column.
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import functools
import gc
import importlib.util
import io
import itertools
import math
import operator
import os
import re
import sys
import warnings
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ._validation import (
    ParameterError,
    as_rng,
    bytes_text,
    check_memory,
    check_number,
    check_size,
    seed_alias,
)
from .stream import (
    MISSING_TOKENS,
    SHEET_ERRORS,
    as_point,
    check_decimal,
    float_columns,
    line_notes_text,
    missing_tokens,
    people_numbers,
    plain_rows,
    sniff_delimiter,
)

__all__ = [
    "DATASETS",
    "TASK_HINTS",
    "Dataset",
    "Table",
    "and_gate",
    "load_breast_cancer",
    "load_dataset",
    "load_diabetes",
    "load_digits",
    "load_iris",
    "load_wine",
    "logic_gate",
    "make_blobs",
    "make_circles",
    "make_moons",
    "make_regression_multi",
    "make_spirals",
    "nand_gate",
    "nor_gate",
    "or_gate",
    "read_csv",
    "read_pipe",
    "xnor_gate",
    "xor_gate",
]

SeedLike = int | np.random.Generator | None

# ---------------------------------------------------------------------------------------
# logic gates
# ---------------------------------------------------------------------------------------

#: Truth tables on the inputs (x1, x2) = (0,0), (0,1), (1,0), (1,1), in that order.
_GATES: dict[str, tuple[int, int, int, int]] = {
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "nand": (1, 1, 1, 0),
    "nor": (1, 0, 0, 0),
    "xor": (0, 1, 1, 0),
    "xnor": (1, 0, 0, 1),
}


def logic_gate(name: str, dtype: Any = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """Truth table of a two-input logic gate, as in the lecture's gate slides.

    The inputs are the four corners of the unit square, rows in this order::

        x1 x2 | and or nand nor xor xnor
         0  0 |  0   0   1   1   0   1
         0  1 |  0   1   1   0   1   0
         1  0 |  0   1   1   0   1   0
         1  1 |  1   1   0   0   0   1

    AND and OR are linearly separable (one neuron, e.g. AND's boundary
    ``z = -1.5 + x1 + x2 = 0``); XOR and XNOR are not and need a hidden layer.

    Parameters
    ----------
    name : str
        One of ``"and", "or", "nand", "nor", "xor", "xnor"`` (any case).
    dtype : numpy dtype, default float64
        Floating dtype of both arrays.

    Returns
    -------
    X : array of shape (4, 2)
        The inputs ``(x1, x2)``.
    y : array of shape (4,)
        The gate's output, 0.0 or 1.0.

    Examples
    --------
    >>> X, y = logic_gate("XNOR")
    >>> X.tolist(), y.tolist()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [1.0, 0.0, 0.0, 1.0])
    """
    if not isinstance(name, str):
        raise TypeError(
            f"The 'name' parameter of logic_gate must be a str, one of {sorted(_GATES)}. "
            f"Got {name!r} of type {type(name).__name__}."
        )
    key = name.strip().lower()
    if key not in _GATES:
        raise ValueError(
            f"The 'name' parameter of logic_gate must be one of {list(_GATES)}. Got {name!r}."
        )
    try:
        dt = np.dtype(dtype)
    except TypeError:  # numpy's "data type 'banana' not understood" names no parameter
        raise TypeError(
            f"The 'dtype' parameter of logic_gate must be a floating dtype such as float32 "
            f"or float64. Got {dtype!r}."
        ) from None
    if dt.kind != "f":
        raise TypeError(
            f"The 'dtype' parameter of logic_gate must be a floating dtype such as float32 "
            f"or float64. Got {dt}."
        )
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=dt)  # (4, 2)
    y = np.array(_GATES[key], dtype=dt)  # (4,)
    return X, y


def and_gate(dtype: Any = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """AND truth table: ``y = x1 and x2``; see :func:`logic_gate`."""
    return logic_gate("and", dtype)


def or_gate(dtype: Any = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """OR truth table: ``y = x1 or x2``; see :func:`logic_gate`."""
    return logic_gate("or", dtype)


def nand_gate(dtype: Any = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """NAND truth table: ``y = not (x1 and x2)``; see :func:`logic_gate`."""
    return logic_gate("nand", dtype)


def nor_gate(dtype: Any = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """NOR truth table: ``y = not (x1 or x2)``; see :func:`logic_gate`."""
    return logic_gate("nor", dtype)


def xor_gate(dtype: Any = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """XOR truth table: ``y = x1 != x2``; see :func:`logic_gate`."""
    return logic_gate("xor", dtype)


def xnor_gate(dtype: Any = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """XNOR truth table (the lecture's running example): ``y = x1 == x2``."""
    return logic_gate("xnor", dtype)


# ---------------------------------------------------------------------------------------
# 2-D toy sets
# ---------------------------------------------------------------------------------------


def _shuffle(
    X: np.ndarray, y: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(X.shape[0])  # shuffle indices, not arrays
    return np.ascontiguousarray(X[order]), np.ascontiguousarray(y[order])


def _split_counts(n_samples: int, n_groups: int) -> list[int]:
    """``n_samples`` split into ``n_groups`` sizes differing by at most one (first ones larger)."""
    base, extra = divmod(n_samples, n_groups)
    return [base + (1 if i < extra else 0) for i in range(n_groups)]


def make_circles(
    n_samples: int = 200,
    noise: float = 0.05,
    factor: float = 0.5,
    seed: SeedLike = None,
    *,
    random_state: SeedLike = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles: a binary set no straight line separates.

    Class 0 lies on the unit circle, class 1 on the circle of radius ``factor``::

        x = r_c * (cos t, sin t) + noise * N(0, I),  t evenly spaced in [0, 2 pi)

    with ``r_0 = 1`` (``n_samples // 2`` points) and ``r_1 = factor`` (the rest).
    Rows are shuffled.

    Parameters
    ----------
    n_samples : int >= 1
    noise : float >= 0
        Standard deviation of the Gaussian noise added to each coordinate.
    factor : float in [0, 1)
        Radius of the inner circle relative to the outer one.
    seed : int, numpy.random.Generator or None
    random_state : int, numpy.random.Generator or None
        scikit-learn's name of ``seed`` (give one of the two, or both equal).

    Returns
    -------
    X : float64 array of shape (n_samples, 2)
    y : int64 array of shape (n_samples,), labels 0 (outer) and 1 (inner)

    Examples
    --------
    >>> X, y = make_circles(100, seed=0)
    >>> X.shape, y.shape, sorted(set(y.tolist()))
    ((100, 2), (100,), [0, 1])
    """
    func = "make_circles"
    seed, seed_name = seed_alias(seed, random_state, func)
    n_samples = check_number(n_samples, "n_samples", func, low=1, integer=True)
    check_size(f"{func}(n_samples={n_samples})", (n_samples, 2), "use fewer samples", 8)
    noise = check_number(noise, "noise", func, low=0.0)
    factor = check_number(factor, "factor", func, low=0.0, high=1.0, high_open=True)
    rng = as_rng(seed, func, seed_name)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = np.linspace(0.0, 2.0 * np.pi, n_out, endpoint=False)  # (n_out,)
    t_in = np.linspace(0.0, 2.0 * np.pi, n_in, endpoint=False)  # (n_in,)
    X = np.concatenate(
        [
            np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
            factor * np.stack([np.cos(t_in), np.sin(t_in)], axis=1),
        ]
    )  # (n_samples, 2)
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    X = X + noise * rng.standard_normal(X.shape)
    return _shuffle(X, y, rng)


def make_moons(
    n_samples: int = 200,
    noise: float = 0.1,
    seed: SeedLike = None,
    *,
    random_state: SeedLike = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (the "moons"), a binary set with a curved boundary.

    With ``t`` evenly spaced in ``[0, pi]``::

        class 0:  x = (cos t, sin t)                + noise * N(0, I)
        class 1:  x = (1 - cos t, 0.5 - sin t)      + noise * N(0, I)

    Class 0 gets ``n_samples // 2`` points, class 1 the rest. Rows are shuffled.

    Parameters
    ----------
    n_samples : int >= 1
    noise : float >= 0
        Standard deviation of the Gaussian noise added to each coordinate.
    seed : int, numpy.random.Generator or None
    random_state : int, numpy.random.Generator or None
        scikit-learn's name of ``seed`` (give one of the two, or both equal).

    Returns
    -------
    X : float64 array of shape (n_samples, 2)
    y : int64 array of shape (n_samples,), labels 0 and 1

    Examples
    --------
    >>> X, y = make_moons(10, noise=0.0, seed=0)
    >>> X.shape, int(y.sum())
    ((10, 2), 5)
    """
    func = "make_moons"
    seed, seed_name = seed_alias(seed, random_state, func)
    n_samples = check_number(n_samples, "n_samples", func, low=1, integer=True)
    check_size(f"{func}(n_samples={n_samples})", (n_samples, 2), "use fewer samples", 8)
    noise = check_number(noise, "noise", func, low=0.0)
    rng = as_rng(seed, func, seed_name)
    n0 = n_samples // 2
    n1 = n_samples - n0
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n1)
    X = np.concatenate(
        [
            np.stack([np.cos(t0), np.sin(t0)], axis=1),
            np.stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)], axis=1),
        ]
    )  # (n_samples, 2)
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n1, np.int64)])
    X = X + noise * rng.standard_normal(X.shape)
    return _shuffle(X, y, rng)


def make_spirals(
    n_samples: int = 300, n_classes: int = 3, noise: float = 0.2, seed: SeedLike = None
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class: a multi-class set that needs hidden layers.

    Arm ``c`` has ``m`` points (``n_samples`` split as evenly as possible); its point
    ``i`` is::

        r = i / (m - 1),   t = 4 (c + r) + noise * N(0, 1)
        x = r * (sin t, cos t)

    so the noise is on the angle ``t`` (radians), which blurs the arms into one
    another near the outside. Rows are shuffled.

    Parameters
    ----------
    n_samples : int >= n_classes
    n_classes : int >= 2
    noise : float >= 0
        Standard deviation of the angle noise, in radians.
    seed : int, numpy.random.Generator or None

    Returns
    -------
    X : float64 array of shape (n_samples, 2), inside the unit disc when ``noise = 0``
    y : int64 array of shape (n_samples,), labels ``0 .. n_classes - 1``

    Examples
    --------
    >>> X, y = make_spirals(90, n_classes=3, seed=0)
    >>> X.shape, np.bincount(y).tolist()
    ((90, 2), [30, 30, 30])
    """
    func = "make_spirals"
    n_classes = check_number(n_classes, "n_classes", func, low=2, integer=True)
    n_samples = check_number(n_samples, "n_samples", func, low=n_classes, integer=True)
    check_size(f"{func}(n_samples={n_samples})", (n_samples, 2), "use fewer samples", 8)
    noise = check_number(noise, "noise", func, low=0.0)
    rng = as_rng(seed, func)
    xs, ys = [], []
    for c, m in enumerate(_split_counts(n_samples, n_classes)):
        r = np.linspace(0.0, 1.0, m)  # (m,)
        t = 4.0 * (c + r) + noise * rng.standard_normal(m)  # (m,)
        xs.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))  # (m, 2)
        ys.append(np.full(m, c, dtype=np.int64))
    return _shuffle(np.concatenate(xs), np.concatenate(ys), rng)


def make_blobs(
    n_samples: int = 200,
    centers: int | Sequence[Sequence[float]] | np.ndarray = 3,
    cluster_std: float | Sequence[float] = 1.0,
    n_features: int = 2,
    seed: SeedLike = None,
    *,
    random_state: SeedLike = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian blobs, one per class.

    Blob ``c`` has center ``mu_c`` and standard deviation ``s_c``::

        x = mu_c + s_c * N(0, I)

    Parameters
    ----------
    n_samples : int >= number of centers
        Split as evenly as possible between the blobs. Rows are shuffled.
    centers : int >= 1 or array of shape (n_centers, n_features)
        An int draws that many centers uniformly in the box ``[-10, 10]^n_features``;
        an array gives the centers (and then fixes ``n_features``: the
        ``n_features`` argument is ignored, as in scikit-learn).
    cluster_std : float > 0 or sequence of n_centers floats > 0
    n_features : int >= 1
        Dimension of the points when ``centers`` is an int.
    seed : int, numpy.random.Generator or None
    random_state : int, numpy.random.Generator or None
        scikit-learn's name of ``seed`` (give one of the two, or both equal).

    Returns
    -------
    X : float64 array of shape (n_samples, n_features)
    y : int64 array of shape (n_samples,), labels ``0 .. n_centers - 1``

    Examples
    --------
    >>> X, y = make_blobs(6, centers=[[0.0, 0.0], [5.0, 5.0]], cluster_std=0.1, seed=0)
    >>> X.shape, np.bincount(y).tolist()
    ((6, 2), [3, 3])
    """
    func = "make_blobs"
    seed, seed_name = seed_alias(seed, random_state, func)
    rng = as_rng(seed, func, seed_name)
    if isinstance(centers, int | np.integer) and not isinstance(centers, bool | np.bool_):
        n_centers = check_number(centers, "centers", func, low=1, integer=True)
        n_features = check_number(n_features, "n_features", func, low=1, integer=True)
        mu = None
    else:
        try:
            mu = np.asarray(centers, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"The 'centers' parameter of {func} must be an int >= 1 or an array of shape "
                f"(n_centers, n_features). Got {centers!r}."
            ) from exc
        if mu.ndim == 0:  # (2.0, True: a number of centers, but not an int)
            raise ParameterError(
                f"The 'centers' parameter of {func} must be an int >= 1 (the number of "
                f"centers) or an array of shape (n_centers, n_features). Got {centers!r} of "
                f"type {type(centers).__name__}."
            )
        if mu.ndim != 2 or mu.shape[0] < 1 or mu.shape[1] < 1:
            raise ValueError(
                f"The 'centers' parameter of {func} must be an array of shape "
                f"(n_centers, n_features). Got shape {mu.shape}."
            )
        if not np.all(np.isfinite(mu)):
            raise ValueError(f"The 'centers' parameter of {func} holds NaN or inf: {mu.tolist()}.")
        n_centers, n_features = mu.shape
    n_samples = check_number(n_samples, "n_samples", func, low=n_centers, integer=True)
    size = f"{func}(n_samples={n_samples}, n_features={n_features})"
    check_size(size, (n_samples + n_centers, n_features), "use fewer samples or features", 8)
    if np.ndim(cluster_std) == 0:
        stds = np.full(
            n_centers, check_number(cluster_std, "cluster_std", func, low=0.0, low_open=True)
        )
    else:
        try:
            stds = np.asarray(cluster_std, dtype=np.float64)
        except (TypeError, ValueError):  # (['a', 'b']: NumPy's words name no parameter)
            stds = np.full(0, np.nan)
        if stds.shape != (n_centers,) or not np.all(np.isfinite(stds)) or np.any(stds <= 0):
            raise ValueError(
                f"The 'cluster_std' parameter of {func} must be a float > 0 or {n_centers} "
                f"floats > 0 (one per center). Got {cluster_std!r}."
            )
    if mu is None:
        mu = rng.uniform(-10.0, 10.0, size=(n_centers, n_features))  # (n_centers, n_features)
    xs, ys = [], []
    for c, m in enumerate(_split_counts(n_samples, n_centers)):
        xs.append(mu[c] + stds[c] * rng.standard_normal((m, n_features)))  # (m, n_features)
        ys.append(np.full(m, c, dtype=np.int64))
    return _shuffle(np.concatenate(xs), np.concatenate(ys), rng)


def make_regression_multi(
    n_samples: int = 1000,
    n_features: int = 8,
    n_targets: int = 3,
    noise: float = 0.1,
    seed: SeedLike = None,
) -> tuple[np.ndarray, np.ndarray]:
    """A multi-output regression set: each output mixes a linear and smooth nonlinear terms.

    With ``x ~ N(0, I_d)`` (``d = n_features``) and, for output ``k``, the feature
    indices ``a = k mod d``, ``b = (k + 1) mod d``, ``c = (k + 2) mod d``::

        Y_k = sum_j W_jk x_j + sin(1.5 x_a) + 0.5 tanh(x_b x_c) + noise * N(0, 1)
        W_jk = cos(1 + j + 3k) / sqrt(d)

    ``W`` is fixed (it does not depend on ``seed``), so sets drawn with different
    seeds come from the same function: one can be the training set and another the
    test set. The outputs have standard deviation about 1; with the default noise
    0.1 a one-hidden-layer MLP reaches R^2 above 0.9 on every output.

    Parameters
    ----------
    n_samples : int >= 1
    n_features : int >= 1
    n_targets : int >= 1
    noise : float >= 0
        Standard deviation of the Gaussian noise added to each output.
    seed : int, numpy.random.Generator or None

    Returns
    -------
    X : float64 array of shape (n_samples, n_features)
    Y : float64 array of shape (n_samples, n_targets)

    Examples
    --------
    >>> X, Y = make_regression_multi(50, n_features=4, n_targets=2, seed=0)
    >>> X.shape, Y.shape
    ((50, 4), (50, 2))
    """
    func = "make_regression_multi"
    n_samples = check_number(n_samples, "n_samples", func, low=1, integer=True)
    d = check_number(n_features, "n_features", func, low=1, integer=True)
    n_targets = check_number(n_targets, "n_targets", func, low=1, integer=True)
    size = f"{func}(n_samples={n_samples}, n_features={d}, n_targets={n_targets})"
    check_size(size, ((n_samples + n_targets) * (d + n_targets),), "use fewer of them", 8)
    noise = check_number(noise, "noise", func, low=0.0)
    rng = as_rng(seed, func)
    X = rng.standard_normal((n_samples, d))  # (N, d)
    j = np.arange(d)[:, None]
    k = np.arange(n_targets)[None, :]
    W = np.cos(1.0 + j + 3.0 * k) / np.sqrt(d)  # (d, K)
    Y = X @ W  # (N, K)
    for t in range(n_targets):
        a, b, c = t % d, (t + 1) % d, (t + 2) % d
        Y[:, t] += np.sin(1.5 * X[:, a]) + 0.5 * np.tanh(X[:, b] * X[:, c])
    Y += noise * rng.standard_normal(Y.shape)
    return X, Y


# ---------------------------------------------------------------------------------------
# scikit-learn's bundled data
# ---------------------------------------------------------------------------------------


def _sklearn_bunch(name: str) -> Any:
    func = f"load_{name}"
    try:
        from sklearn import datasets as skd
    except ImportError as exc:
        raise ImportError(f'{func} needs scikit-learn: pip install "glassnet[sklearn]"') from exc
    return getattr(skd, func)()


def _classification(name: str) -> tuple[np.ndarray, np.ndarray]:
    bunch = _sklearn_bunch(name)
    X = np.ascontiguousarray(bunch.data, dtype=np.float64)
    y = np.ascontiguousarray(bunch.target, dtype=np.int64)
    return X, y


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 8x8 handwritten digits (1797 images, 10 classes), from scikit-learn.

    Returns
    -------
    X : float64 array of shape (1797, 64), pixel intensities 0 .. 16
    y : int64 array of shape (1797,), the digit 0 .. 9
    """
    return _classification("digits")


def load_iris() -> tuple[np.ndarray, np.ndarray]:
    """Fisher's iris flowers (150 samples, 4 features, 3 classes), from scikit-learn.

    Returns
    -------
    X : float64 array of shape (150, 4), sepal and petal length and width in cm
    y : int64 array of shape (150,), 0 setosa, 1 versicolor, 2 virginica
    """
    return _classification("iris")


def load_wine() -> tuple[np.ndarray, np.ndarray]:
    """Wine recognition (178 samples, 13 chemical features, 3 cultivars), from scikit-learn.

    Returns
    -------
    X : float64 array of shape (178, 13)
    y : int64 array of shape (178,), labels 0 .. 2
    """
    return _classification("wine")


def load_breast_cancer() -> tuple[np.ndarray, np.ndarray]:
    """Wisconsin diagnostic breast cancer (569 samples, 30 features, binary), from scikit-learn.

    Returns
    -------
    X : float64 array of shape (569, 30)
    y : int64 array of shape (569,), 0 malignant, 1 benign
    """
    return _classification("breast_cancer")


def load_diabetes() -> tuple[np.ndarray, np.ndarray]:
    """Diabetes progression (442 samples, 10 standardized features), from scikit-learn.

    Returns
    -------
    X : float64 array of shape (442, 10)
    y : float64 array of shape (442,), disease progression one year after baseline
    """
    bunch = _sklearn_bunch("diabetes")
    X = np.ascontiguousarray(bunch.data, dtype=np.float64)
    y = np.ascontiguousarray(bunch.target, dtype=np.float64)
    return X, y


# ---------------------------------------------------------------------------------------
# datasets by name
# ---------------------------------------------------------------------------------------

#: Task hints carried by :class:`Dataset`: the lecture's four tasks.
TASK_HINTS: tuple[str, ...] = ("binary", "multiclass", "regression", "multioutput_regression")


@dataclass(frozen=True, eq=False)
class Dataset:
    """A named data set: arrays plus the names that make them readable.

    Attributes
    ----------
    name : str
        The name it was loaded by (one of :data:`DATASETS`).
    X : float64 array of shape (n_samples, n_features)
    y : array of shape (n_samples,) or (n_samples, n_targets)
        int64 class labels ``0 .. C-1`` for the classification sets (float 0/1 for
        the logic gates), float64 values for regression.
    feature_names : tuple of str, one per column of ``X``
    target_names : tuple of str
        For classification the class names, indexed by label; for regression the
        names of the outputs (one per column of ``y``).
    task_hint : str
        One of :data:`TASK_HINTS`: ``"binary"``, ``"multiclass"``, ``"regression"``
        (one output) or ``"multioutput_regression"``.

    A ``Dataset`` unpacks like the ``(X, y)`` pair the loaders return:
    ``X, y = load_dataset("iris")``.
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]
    target_names: tuple[str, ...]
    task_hint: str

    def __iter__(self) -> Iterator[np.ndarray]:
        yield self.X
        yield self.y

    def __repr__(self) -> str:
        return (
            f"Dataset(name={self.name!r}, X.shape={self.X.shape}, y.shape={self.y.shape}, "
            f"task_hint={self.task_hint!r})"
        )


_GATE_NAMES = tuple(_GATES)
_TOY_NAMES = ("circles", "moons", "spirals", "blobs", "regression_multi")
_SKLEARN_NAMES = ("digits", "iris", "wine", "breast_cancer", "diabetes")

#: Every name :func:`load_dataset` accepts.
DATASETS: tuple[str, ...] = _GATE_NAMES + _TOY_NAMES + _SKLEARN_NAMES


def _xy_names(d: int) -> tuple[str, ...]:
    return tuple(f"x{i + 1}" for i in range(d))


def _label_names(y: np.ndarray) -> tuple[str, ...]:
    return tuple(str(c) for c in range(int(y.max()) + 1))


def load_dataset(name: str, *, seed: SeedLike = 0) -> Dataset:
    """Load any data set of this module by name, with its default parameters.

    Parameters
    ----------
    name : str
        One of :data:`DATASETS` (any case; ``-`` and ``_`` are interchangeable):
        the gates ``and or nand nor xor xnor``, the generated sets
        ``circles moons spirals blobs regression_multi`` and scikit-learn's bundled
        ``digits iris wine breast_cancer diabetes``.
    seed : int, numpy.random.Generator or None, default 0
        Seed of the generated sets; the gates and bundled sets are fixed and ignore it.

    Returns
    -------
    Dataset
        ``X``, ``y``, ``feature_names``, ``target_names`` and ``task_hint``; it
        unpacks as ``X, y``.

    Examples
    --------
    >>> ds = load_dataset("xnor")
    >>> ds.task_hint, ds.feature_names, ds.y.tolist()
    ('binary', ('x1', 'x2'), [1.0, 0.0, 0.0, 1.0])
    >>> X, y = load_dataset("moons")
    >>> X.shape
    (200, 2)
    """
    if not isinstance(name, str):
        raise TypeError(
            f"The 'name' parameter of load_dataset must be a str, one of {list(DATASETS)}. "
            f"Got {name!r} of type {type(name).__name__}."
        )
    # checked for every set (the fixed ones ignore it), in load_dataset's name
    seed = as_rng(seed, "load_dataset") if seed is not None else None
    key = name.strip().lower().replace("-", "_")
    if key not in DATASETS:
        close = difflib.get_close_matches(key, DATASETS, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"Unknown dataset {name!r}: the 'name' parameter of load_dataset must be one of "
            f"{', '.join(DATASETS)}.{hint}"
        )
    if key in _GATES:
        X, y = logic_gate(key)
        return Dataset(key, X, y, ("x1", "x2"), ("0", "1"), "binary")
    if key in ("circles", "moons", "spirals", "blobs"):
        maker = {
            "circles": make_circles,
            "moons": make_moons,
            "spirals": make_spirals,
            "blobs": make_blobs,
        }[key]
        X, y = maker(seed=seed)
        hint = "binary" if key in ("circles", "moons") else "multiclass"
        return Dataset(key, X, y, _xy_names(X.shape[1]), _label_names(y), hint)
    if key == "regression_multi":
        X, Y = make_regression_multi(seed=seed)
        names = tuple(f"y{i + 1}" for i in range(Y.shape[1]))
        return Dataset(key, X, Y, _xy_names(X.shape[1]), names, "multioutput_regression")
    bunch = _sklearn_bunch(key)
    X = np.ascontiguousarray(bunch.data, dtype=np.float64)
    features = tuple(str(f) for f in bunch.feature_names)
    if key == "diabetes":
        y = np.ascontiguousarray(bunch.target, dtype=np.float64)
        return Dataset(key, X, y, features, ("disease_progression",), "regression")
    y = np.ascontiguousarray(bunch.target, dtype=np.int64)
    targets = tuple(str(t) for t in bunch.target_names)
    hint = "binary" if len(targets) == 2 else "multiclass"
    return Dataset(key, X, y, features, targets, hint)


# ---------------------------------------------------------------------------------------
# CSV files
# ---------------------------------------------------------------------------------------

# MISSING_TOKENS (imported above): the cells read as missing by default, compared lower-case
# after stripping blanks; the ``missing`` parameter of read_csv and Table replaces the set.
_IMPUTE = ("mean", "median")

# cell classes
_NUM, _MISSING, _NONFINITE, _TEXT = 0, 1, 2, 3


def _number_like(tokens: frozenset[str]) -> bool:
    """Whether a token reads as a finite number ("-999"), which the fast path would parse."""
    for t in tokens:
        try:
            if math.isfinite(float(t)):
                return True
        except ValueError:
            pass
    return False


def _classify(cell: str, tokens: frozenset[str] = MISSING_TOKENS) -> int:
    if cell.lower() in tokens:
        return _MISSING
    if "_" in cell:  # (Python's float reads 18_24 as 1824; spreadsheets and pandas, as text)
        return _TEXT
    try:
        v = float(cell)
    except ValueError:
        return _TEXT
    if math.isnan(v):
        return _MISSING
    if math.isinf(v):
        return _NONFINITE
    return _NUM


#: Texts that stand for a missing value (compared lower-case), besides texts with no letter
#: and no digit ("?", "-", "--", "", "#"): markers a number column may hold.
_MARKERS = frozenset(
    ("na", "n/a", "n.a.", "#n/a", "n/d", "nan", "null", "none", "nil", "missing", "unknown")
    + ("empty", "blank", "not available")
)


def _marker_like(text: str) -> bool:
    """Whether a text cell of a number column looks like a mark for a missing value (``?``,
    ``-``, ``N/A``, ``missing``), not a category (``abc``) nor a mistyped number (``12kg``)."""
    return text.lower() in _MARKERS or not any(ch.isalnum() for ch in text)


def _text_hint(name: str, counts: Counter[str], tokens: frozenset[str]) -> str:
    """The advice for the text cells of a number column, ``counts`` (each distinct text and
    its cells): when there are several, each (up to 5) and its count; ``missing=`` with every
    marker-like text (``?``, ``-``, ``N/A``) added to ``tokens``; ``categorical=`` when some
    hold letters or digits, as categories do. '' when the one text is no marker."""
    errors = [t for t in counts if t.strip().upper() in SHEET_ERRORS]  # no categories
    markers = [t for t in counts if _marker_like(t) or t in errors]
    others = [t for t in counts if t not in markers]
    hint = ""
    if len(counts) > 1:
        shown = [f"{t!r} ({n})" for t, n in counts.most_common(5)]
        more = f", and {len(counts) - 5} more" if len(counts) > 5 else ""
        hint += f" Its texts, with their counts of cells: {', '.join(shown)}{more}."
    if errors:
        listed = ", ".join(repr(t) for t in errors[:5]) + (", ..." if len(errors) > 5 else "")
        one = len(errors) == 1
        hint += (
            f" {listed} {'is a' if one else 'are'} spreadsheet formula error"
            f"{'' if one else 's'} (a formula that failed in the sheet, exported as its "
            f"error text): fix the formula{'' if one else 's'} and export the file again."
        )
    if others and (markers or len(others) > 1):
        listed = ", ".join(repr(t) for t in others[:5]) + (", ..." if len(others) > 5 else "")
        hint += (
            f" If the column holds categories ({listed}), pass categorical=[{name!r}] (its "
            f"numbers are then categories too)."
        )
    if markers:
        # the texts read as missing now and these (the empty cell: first among them)
        texts = sorted({*tokens, ""}) if "" in markers else sorted(tokens)
        texts += [t for t in dict.fromkeys(markers) if t != ""]
        quoted = [repr(t) for t in markers]
        which = (
            f"{quoted[0]} marks"
            if len(quoted) == 1
            else f"{', '.join(quoted[:-1])} and {quoted[-1]} mark"
        )
        hint += f" If {which} missing cells, pass missing={tuple(texts)!r}."
    return hint


#: A column's distinct cells (in the order they first appear) and each cell's place among
#: them, (n,) intp: :func:`_factor`'s.
_Factor = tuple[list[str], np.ndarray]


class _Repeated(tuple):  # type: ignore[type-arg]
    """A column's cells (a tuple of str) that repeat their values, with their
    :func:`_factor` (``factor``), which :func:`_memo_map` reads once for every map of them
    (whether each is missing, its class) rather than once a map."""

    factor: _Factor


def _factor(cells: Sequence[str]) -> _Factor | None:
    """The distinct cells of a column that repeats its values (as its first 4096 cells
    say: a text column of categories, codes), in the order they first appear, and each
    cell's place among them; None for a column of mostly distinct cells (an ID, free text,
    numbers)."""
    head = cells[:4096]
    if 2 * len(set(head)) > len(head):
        return None
    index = {c: i for i, c in enumerate(dict.fromkeys(cells))}
    codes = np.fromiter(map(index.__getitem__, cells), dtype=np.intp, count=len(cells))
    return list(index), codes


def _memo_map(cells: Sequence[str], f: Any, dtype: Any) -> np.ndarray:
    """``f`` of each cell as an array of ``dtype``: once per distinct cell (a text column
    repeats its values; a :class:`_Repeated` column's distinct cells are known)."""
    factor = cells.factor if isinstance(cells, _Repeated) else _factor(cells)
    if factor is None:  # mostly distinct (an ID, free text): cell by cell
        return np.fromiter(map(f, cells), dtype=dtype, count=len(cells))
    keys, codes = factor
    return np.fromiter(map(f, keys), dtype=dtype, count=len(keys))[codes]


def _in_tokens(cells: Sequence[str], tokens: frozenset[str]) -> np.ndarray:
    """Whether each cell, lower-case, is one of ``tokens`` (a missing cell's text), (n,)
    bool: ``cell.lower() in tokens`` of each, once per distinct cell in a column that
    repeats its values, else with no Python call per cell, of the cells no longer than
    the longest token."""
    head = cells[:4096]
    if isinstance(cells, _Repeated) or 2 * len(set(head)) <= len(head):  # (mostly
        return _memo_map(cells, lambda c: c.lower() in tokens, bool)  # repeated: per value)
    # only a cell as short as a token can be one (a lower-case text is never shorter)
    longest = max(map(len, tokens), default=0)
    sizes = np.fromiter(map(len, cells), np.intp, len(cells))
    short = np.flatnonzero(sizes <= longest).tolist()
    out = np.zeros(len(cells), bool)
    some = map(str.lower, map(cells.__getitem__, short))
    out[short] = np.fromiter(map(tokens.__contains__, some), bool, len(short))
    return out


_RUN = 32  # cells read one by one by _floats once a run that holds a refused cell is this short
_ARROW_CELLS = 4096  # (fewer cells: NumPy reads them, sooner than pyarrow starts)


@functools.cache
def _arrow_installed() -> bool:
    return importlib.util.find_spec("pyarrow") is not None


def _arrow(load: bool = False) -> bool:
    """Whether :func:`_read_numbers` reads with pyarrow: it is imported already (by the
    fast path for plain rows, or by the caller), or ``load``: imported now, for a file
    large enough to pay for its import (a tenth of a second)."""
    if sys.modules.get("pyarrow") is not None:  # (None: an import blocked on purpose)
        return True
    if not load or not _arrow_installed():
        return False
    try:
        import pyarrow  # noqa: F401
    except ImportError:  # (installed but broken: NumPy reads the numbers)
        return False
    return True


def _read_numbers(cells: Sequence[str], halve: bool = False) -> np.ndarray | None:
    """``float(cell)`` of every cell, (n,) float64, or None when float() refuses one (the
    caller leaves out the cells with a '_', which float() reads: 18_24 is 1824). Where
    pyarrow is installed, many cells of ASCII text (no quote, no carriage return) are read
    by its CSV reader (:func:`glassnet.stream.float_columns`: the bits float() gives,
    several times faster), taken only when every cell reads as a finite number (pyarrow
    reads ``nan(1)`` as NaN, which float() refuses); any other run is read by NumPy, whose
    float64 of a str is float()'s. ``halve``: None also when pyarrow reads no number in a
    cell (the caller reads the run in parts, as it would if float() refused one)."""
    try:  # (a run of text fails at once)
        float(cells[0]), float(cells[-1])
    except (ValueError, IndexError):
        return np.empty(0) if not cells else None
    if len(cells) >= _ARROW_CELLS and _arrow():
        text = "\n".join(cells)
        # (ASCII: a cell of digits of another script, or starting with a byte-order mark,
        # which pyarrow skips, is NumPy's; one line a cell: no cell holds a line break)
        lines = text.count("\n") + 1 == len(cells)
        if lines and text.isascii() and '"' not in text and "\r" not in text:
            got = float_columns(text.encode(), ",", 1, [0], len(cells)).get(0)
            if got is not None and np.all(np.isfinite(got)):
                return got
            if halve:
                return None
    try:
        return np.array(cells, np.float64)
    except ValueError:
        return None


_HEAD = 1024  # the first cells _floats reads one by one: the texts float() refuses there


def _floats(cells: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """``float(cell)`` of each cell, (n,) float64 (NaN where it raises ValueError), and
    whether it read, (n,) bool. The first ``_HEAD`` cells are read one by one, the others
    a run at a time (:func:`_read_numbers`), leaving out every cell whose text float()
    refused already (a marker repeated among numbers, ``?``: no call per cell); a run that
    holds another cell float() refuses is cut in 8, down to runs of ``_RUN`` cells read
    one by one (and every run, once more than ``_HEAD`` cells were refused so)."""
    n = len(cells)
    values = np.full(n, np.nan)
    ok = np.ones(n, bool)
    refused: set[str] = set()  # the texts float() refused so far
    texts = 0  # cells that float() refused, read one by one past the first ones
    sent = 0  # cells handed to _read_numbers: past 2n (texts scattered), one by one from then
    head = min(n, _HEAD)
    for i in range(head):
        try:
            values[i] = float(cells[i])
        except ValueError:
            ok[i] = False
            refused.add(cells[i])
    # runs of rows to read, and how many texts were refused when they were last sifted
    todo = [(np.arange(head, n), 0)]
    while todo:
        rows, known = todo.pop()
        if rows.size == n - head:  # (the first run: every cell past the first ones)
            some = cells[head:]
        else:
            some = list(map(cells.__getitem__, rows.tolist()))
        if len(refused) > known:  # (texts refused since: left out)
            skip = np.fromiter(map(refused.__contains__, some), bool, len(some))
            if skip.any():
                ok[rows[skip]] = False
                some = list(itertools.compress(some, (~skip).tolist()))
                rows = rows[~skip]
        if rows.size <= _RUN or texts > _HEAD or sent > 2 * n:  # (or text, often: cell by
            # cell from now, as where runs cut in 8 were read again and again)
            got = []
            for cell in some:
                try:
                    got.append(float(cell))
                except ValueError:
                    got.append(math.nan)
                    refused.add(cell)
                    ok[rows[len(got) - 1]] = False
                    texts += 1
            values[rows] = got
            continue
        sent += len(some)
        got = _read_numbers(some, halve=True)
        if got is not None:
            values[rows] = got
            continue
        todo += [(part, len(refused)) for part in np.array_split(rows, 8)[::-1]]
    return values, ok


def _classified(cells: Sequence[str], tokens: frozenset[str]) -> tuple[np.ndarray, np.ndarray]:
    """The class of each cell (_NUM, _MISSING, _NONFINITE, _TEXT), (n,) int8, as
    :func:`_classify` gives it, and its number where it is _NUM ((n,) float64, NaN in the
    other cells). A column that repeats its values (codes, categories) is classified once
    per distinct cell (as its first 4096 cells say), and one of text (names, dates) cell by
    cell (as 256 cells taken across it say: an ID column may turn to text past its start);
    any other column (numbers, some missing or text) at once: the cells read as missing,
    those with a '_' (text), and a reading of the rest (:func:`_floats`)."""
    n = len(cells)
    head = cells[:4096]
    sample = cells[:: max(1, n // 256)][:256]  # (across the column: codes that turn to text)
    if (isinstance(cells, _Repeated) or 2 * len(set(head)) <= len(head)) or (
        4 * sum(_classify(c, tokens) == _TEXT for c in sample) > len(sample)
    ):  # (mostly repeated, or mostly text: as _classify reads each cell)
        classes = _memo_map(cells, lambda c: _classify(c, tokens), np.int8)
        values = np.full(n, np.nan)
        number = classes == _NUM
        values[number] = np.array(
            list(itertools.compress(cells, number.tolist())), dtype=np.float64
        )
        return classes, values
    classes = np.full(n, _TEXT, np.int8)
    missing = _in_tokens(cells, tokens)
    classes[missing] = _MISSING
    read = ~missing
    if "_" in "".join(cells):  # (Python's float reads 18_24 as 1824: text, as _classify)
        read &= ~np.fromiter(map(operator.contains, cells, itertools.repeat("_")), bool, n)
    rows = np.flatnonzero(read)
    some = cells if rows.size == n else list(map(cells.__getitem__, rows.tolist()))
    got, ok = _floats(some)
    rows, got = rows[ok], got[ok]
    nan, inf = np.isnan(got), np.isinf(got)
    classes[rows] = np.where(nan, _MISSING, np.where(inf, _NONFINITE, _NUM))
    values = np.full(n, np.nan)
    number = ~(nan | inf)
    values[rows[number]] = got[number]
    return classes, values


def _more(count: int) -> str:
    return f" (and {count} more in this column)" if count > 0 else ""


_SEP = "\x00"  # (no cell of a number column holds it: float() refuses it)


class _Packed:
    """The cells of a column that read_csv parsed as finite numbers, kept as text joined by
    a NUL in chunks (a str object per cell cost 50 bytes more than its characters), with
    the numbers (``values``, float64) NumPy read from them; ``index``: the rows a
    :meth:`Table.take` kept, in order (None: every row)."""

    __slots__ = ("chunks", "index", "n", "values")

    def __init__(
        self, chunks: list[str], n: int, values: np.ndarray, index: np.ndarray | None = None
    ) -> None:
        self.chunks, self.n, self.values, self.index = chunks, n, values, index

    def __len__(self) -> int:
        return self.n if self.index is None else int(self.index.size)

    def cells(self) -> list[str]:
        """The cells, as read (blanks stripped)."""
        out: list[str] = []
        for chunk in self.chunks:
            out += chunk.split(_SEP)
        if self.index is None:
            return out
        return list(map(out.__getitem__, self.index.tolist()))

    def take(self, idx: np.ndarray) -> _Packed:
        index = idx if self.index is None else self.index[idx]
        return _Packed(self.chunks, self.n, self.values, index)


class Table:
    """Columns of strings read from a CSV file, with helpers that turn them into arrays.

    Every column is either *numeric* (its cells parse as numbers) or *categorical*
    (its cells are text, kept as strings). A column is numeric when more than half
    of its present cells are numbers; a text cell in a numeric column is an error
    that names the line. In a table read by :func:`read_csv`, a feature column of
    numbers and one text as often as the numbers, or more (``1.5, ?, ?, 3.1, ?``), is
    an error too, which names the text, its count and the fix (``missing`` when it
    marks missing cells, ``categorical`` when the numbers are codes): read as text,
    each number would be a category.
    Cells that are empty or ``nan``, ``NA``, ``N/A``, ``null`` (any case;
    ``missing`` replaces this set) are *missing*, and so is a cell of a
    numeric column that reads as NaN (``nan``, ``-nan``); ``inf`` is *non-finite*.
    Both are errors unless ``impute`` is given: then a numeric feature column's bad
    cells take the mean (or median) of its finite cells and a categorical column's
    missing cells take its most frequent value (ties: the first in sorted order). The
    target column is never imputed.

    Usually made by :func:`read_csv`; it can also be built from columns in memory.

    Parameters
    ----------
    columns : mapping of column name to a sequence of str, all the same length
    target : str or None
        The column to hold apart as the target.
    categorical : sequence of str
        Columns to keep as categorical even when their cells look like numbers
        (codes such as zip codes).
    impute : None, "mean", "median", or dict of column name to fill value
        A dict fills each named column's missing cells with its value (a number for a
        numeric column, a str for a categorical one): e.g. the ``fill_values`` of the
        table a model was trained on, so new data is filled as the training data was.
    source : str
        Where the data came from, for error messages.
    missing : sequence of str, optional
        The cell texts read as missing, compared after stripping blanks and ignoring
        case; None (the default) is :data:`MISSING_TOKENS`: ``""``, ``nan``, ``na``,
        ``n/a``, ``null``. A sequence replaces that set: ``("", "?")`` reads ``?`` as
        missing and ``NA`` as an ordinary value (a category, such as a region code).
        Kept as ``table.missing`` (a frozenset of lower-case str).
    line_numbers : sequence of int, optional
        The line of each row in the source (the header is line 1); by default
        row ``i`` is line ``i + 2``.
    decimal : str, default "."
        The character that marks the decimal point in a number's cell: ``","`` reads
        ``3,14`` as 3.14 (and ``3.14`` as text, as pandas' ``decimal=","`` does). Text
        cells are kept as written. Kept as ``table.decimal``.

    Attributes
    ----------
    names : tuple of str
        All columns, in order.
    feature_names : tuple of str
        All columns but the target.
    kinds : dict of str to str
        ``"numeric"`` or ``"categorical"`` for every column.
    imputed : dict of str to tuple of int
        For each column where cells were imputed, the lines of those cells.
    missing : frozenset of str
        The cell texts read as missing (lower-case).

    Examples
    --------
    >>> t = Table({"size": ["1.5", "2", "3.5"], "color": ["red", "blue", "red"],
    ...            "label": ["a", "b", "a"]}, target="label")
    >>> t.feature_names, t.kinds["color"], t.numbers("size").tolist()
    (('size', 'color'), 'categorical', [1.5, 2.0, 3.5])
    >>> t.y_raw.tolist(), t.y_float is None
    (['a', 'b', 'a'], True)
    """

    def __init__(
        self,
        columns: Mapping[str, Sequence[str]],
        *,
        target: str | None = None,
        categorical: Sequence[str] = (),
        impute: str | None = None,
        source: str = "<table>",
        line_numbers: Sequence[int] | None = None,
        missing: Sequence[str] | None = None,
        decimal: str = ".",
        _from_file: bool = False,
    ) -> None:
        # _from_file (read_csv's): the data alone says each column's kind, so a feature
        # column of numbers and one text is an error; a table built in memory may take its
        # kinds from a model (a Pipeline's rows), whose own checks say what to do
        self._from_file = _from_file
        self.missing = missing_tokens(missing, "Table")
        self.decimal = check_decimal(decimal, "Table")
        self.delimiter: str | None = None  # set by read_csv: the file's delimiter
        if not isinstance(columns, Mapping) or len(columns) == 0:
            raise ValueError(
                f"The 'columns' parameter of Table must be a non-empty mapping of column name "
                f"to a list of strings. Got {type(columns).__name__} {columns!r:.80}."
            )
        self.source = str(source)
        self.names: tuple[str, ...] = tuple(str(n) for n in columns)
        raw: dict[str, tuple[str, ...]] = {}
        for name, col in columns.items():
            if isinstance(col, _Packed):  # (read_csv's number column, parsed)
                raw[str(name)] = col
                continue
            if isinstance(col, str | bytes):
                raise TypeError(
                    f"Column {name!r} of {self._src} must be a sequence of str, not one str."
                )
            if isinstance(col, _Stripped):  # (read_csv's cells: stripped as read)
                raw[str(name)] = tuple(col)
                continue
            try:  # str.strip in C when every cell is already a str
                raw[str(name)] = tuple(map(str.strip, col))
            except TypeError:
                raw[str(name)] = tuple(str(c).strip() for c in col)
        lengths = {n: len(c) for n, c in raw.items()}
        n_rows = next(iter(lengths.values()))
        if any(v != n_rows for v in lengths.values()):
            raise ValueError(f"The columns of {self._src} differ in length: {lengths}.")
        if n_rows == 0:
            raise ValueError(f"{self._src} has no data rows.")
        self.n_rows = n_rows
        if line_numbers is None:
            lines = np.arange(2, n_rows + 2, dtype=np.int64)
        else:
            lines = np.asarray(line_numbers, dtype=np.int64)
            if lines.shape != (n_rows,):
                raise ValueError(
                    f"The 'line_numbers' parameter of Table must have one entry per row "
                    f"({n_rows}). Got shape {lines.shape}."
                )
        self.line_numbers = lines
        self.file_lines: int | None = None  # set by read_csv: the lines in the file
        self.dropped: dict[str, tuple[str, ...]] = {}  # set by read_csv: columns left out
        #: set by read_csv(pandas_index=True): the (lowest, highest) row numbers of the
        #: pandas index column it left out, or None
        self.index_dropped: tuple[int, int] | None = None
        self.line_notes = ""  # set by read_csv: how rows and lines differ, if they do
        if target is not None and target not in raw:
            close = difflib.get_close_matches(str(target), self.names, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            if headerless(self.names) and not close:
                hint = (
                    " Its first line looks like a row of data, not column names: add a header "
                    "row naming the columns as the first line."
                )
            raise ValueError(
                f"Target column {target!r} is not in {self._src}. Available columns: "
                f"{_names(self.names, len(self.names))}.{hint}"
            )
        self.target = target
        if isinstance(categorical, str):
            categorical = (categorical,)
        unknown = [c for c in categorical if c not in raw]
        if unknown:
            raise ValueError(
                f"The 'categorical' parameter names columns not in {self._src}: {unknown}. "
                f"Available columns: {_names(self.names, len(self.names))}."
            )
        if isinstance(impute, Mapping):
            impute = {str(k): v for k, v in impute.items()}
        elif impute is not None and impute not in _IMPUTE:
            raise ValueError(
                f"The 'impute' parameter must be None, 'mean' or 'median' (or a dict of "
                f"column name to fill value). Got {impute!r}."
            )
        self.impute = impute
        self._raw = raw
        self.kinds: dict[str, str] = {}
        self.imputed: dict[str, tuple[int, ...]] = {}
        #: With ``impute`` "mean" or "median": every feature column's fill value (its mean
        #: or median; a categorical column's most frequent value), to fill other data's
        #: missing cells the same way (``Table(..., impute=table.fill_values)``).
        self.fill_values: dict[str, float | str] = {}
        self._values: dict[str, np.ndarray] = {}
        self._first_text: dict[str, int] = {}  # categorical column -> first text row or -1
        self._texts: dict[str, np.ndarray] = {}  # categorical column -> (n_rows,) text cells
        for name in self.names:
            self._parse_column(name, force_categorical=name in categorical)

    # -- parsing ---------------------------------------------------------------------

    def _where(self, row: int, name: str) -> str:
        return f"line {int(self.line_numbers[row])} of {self._src}, column {name!r}"

    def _as_numbers(self, cells: Sequence[str]) -> Sequence[str]:
        """``cells`` as Python's float() reads numbers: with a ``decimal`` other than ".",
        that character is the point and a "." is no number's (it becomes the decimal
        character, so float() refuses it). A missing-cell token is kept as written ("n.a."
        stays itself, to be read as missing)."""
        if self.decimal == ".":
            return cells
        d, tokens = self.decimal, self.missing
        return tuple(c if c.lower() in tokens else as_point(c, d) for c in cells)

    def _cells(self, name: str) -> Sequence[str]:
        """Column ``name``'s cells as read (blanks stripped)."""
        col = self._raw[name]
        return col.cells() if isinstance(col, _Packed) else col

    def _fill_from(self, name: str, values: np.ndarray, is_target: bool) -> None:
        """A complete number column's fill value under ``impute`` (its mean or median): a
        later file may lack cells of it."""
        if isinstance(self.impute, str) and not is_target and values.size:
            avg = np.mean(values) if self.impute == "mean" else np.median(values)
            self.fill_values[name] = float(avg)

    def _parse_column(self, name: str, *, force_categorical: bool) -> None:
        col = self._raw[name]
        is_target = name == self.target
        tokens = self.missing
        fast = not force_categorical and not _number_like(tokens)
        if isinstance(col, _Packed) and not (fast and self.decimal == "."):
            col = self._raw[name] = tuple(col.cells())  # (read as the cells say)
        if isinstance(col, _Packed):
            values = col.values  # (read_csv's fast path, below: every cell a finite number)
            self.kinds[name] = "numeric"
            self._values[name] = values
            self._fill_from(name, values, is_target)
            return
        cells = col
        parsed = self._as_numbers(cells)  # (the cells themselves for the decimal point)
        values = None
        if fast:
            # fast path: every cell a number (NumPy or pyarrow parse the strings; not 18_24;
            # a text column fails at its first cell, before its cells are joined)
            values = _read_numbers(parsed)
            if values is not None and "_" in "".join(parsed):
                values = None
            if values is not None and np.all(np.isfinite(values)):
                self.kinds[name] = "numeric"
                self._values[name] = values
                self._fill_from(name, values, is_target)
                return
        factor = _factor(parsed)  # (a column of categories: each read once per value)
        if factor is not None:
            parsed = _Repeated(parsed)
            parsed.factor = factor
            if self.decimal == ".":  # (the cells as written are the cells parsed)
                cells = parsed
        classes, numbers = _classified(parsed, tokens)
        n_num = int(np.count_nonzero((classes == _NUM) | (classes == _NONFINITE)))
        n_text = int(np.count_nonzero(classes == _TEXT))
        given = self.impute.get(name) if isinstance(self.impute, dict) else None
        numeric = not force_categorical and (
            n_num > n_text or (n_num == n_text == 0 and isinstance(given, (int, float)))
        )
        if is_target:
            fix = "fill it in or drop the row"
        elif isinstance(self.impute, dict):
            fix = "fill it in or drop the row (the fill values given have none for this column)"
        else:
            fix = 'fill it in, drop the row, or pass impute="mean"'
        fills = not is_target and (
            isinstance(self.impute, str) or (given is not None and not isinstance(given, bool))
        )
        if numeric:
            self.kinds[name] = "numeric"
            if n_text:
                rows = np.flatnonzero(classes == _TEXT)
                r = int(rows[0])
                cell = cells[r]
                # (an empty cell is no missing cell when missing= leaves it out)
                empty = ', or leave the cell empty and pass impute="mean"' if "" in tokens else ""
                if is_target:  # (never imputed: a missing target cell is an error too)
                    empty = " or drop the row"
                    hint = f" If the target holds class labels, pass categorical=[{name!r}]."
                else:
                    hint = _text_hint(name, Counter(cells[i] for i in rows.tolist()), tokens)
                error = ValueError(
                    f"Non-numeric value {cell!r} at {self._where(r, name)}, a numeric "
                    f"column{_more(len(rows) - 1)}: fix the value{empty}." + hint
                )
                # the missing texts of ``tokens`` the column holds ('N/A', as written): a
                # caller that advises fewer texts than ``tokens`` keeps these
                error.missing_found = sorted(  # type: ignore[attr-defined]
                    {cells[i] for i in np.flatnonzero(classes == _MISSING).tolist()} - {""}
                )
                raise error
            bad = np.flatnonzero(classes != _NUM)
            values = numbers  # (NaN in every cell but the numbers: filled below)
            if bad.size and not fills:
                r = int(bad[0])
                what = "Missing value" if classes[r] == _MISSING else "Non-finite value"
                beyond = ""
                if classes[r] != _MISSING and not re.search("inf|nan", cells[r], re.IGNORECASE):
                    # (1e400: a number float64 cannot hold, read as infinite, not a missing one)
                    what = "Number"
                    beyond = (
                        " is beyond float64's range (largest 1.8e308), so it reads as "
                        "infinite: check the value (a unit or a typo?), or write the column "
                        "scaled down; else"
                    )
                error = ValueError(
                    f"{what} {cells[r]!r} at {self._where(r, name)}{_more(bad.size - 1)}"
                    f"{beyond}{' ' if beyond else ': '}{fix}."
                )
                # how many of the column's cells are missing, for a caller that words the
                # advice for a nearly empty column (leave it out)
                found = {cells[i] for i in np.flatnonzero(classes == _NUM).tolist()}
                error.missing_cells = (  # type: ignore[attr-defined]
                    name, int(np.count_nonzero(classes == _MISSING)), len(classes),
                    sorted(found) if len(found) <= 2 else None,
                )  # fmt: skip
                raise error
            if fills and isinstance(self.impute, str):
                good = values[classes == _NUM]
                if good.size == 0:  # (a numeric column: its numbers are inf, 1e999)
                    inf = np.flatnonzero(classes == _NONFINITE)
                    r = int(inf[0])
                    raise ValueError(
                        f"Column {name!r} of {self._src} has no finite numbers to impute "
                        f"from: its cells are missing or non-finite, such as {cells[r]!r} "
                        f"at line {int(self.line_numbers[r])}{_more(inf.size - 1)}; write "
                        f"finite numbers in it (a number beyond float64's range, such as "
                        f"1e999, reads as inf), or leave the column out."
                    )
                fill = float(np.mean(good) if self.impute == "mean" else np.median(good))
                self.fill_values[name] = fill
            elif fills:
                if not isinstance(given, (int, float)) or not math.isfinite(given):
                    raise ValueError(
                        f"The fill value for the numeric column {name!r} of {self._src} must "
                        f"be a finite number. Got {given!r}."
                    )
                fill = float(given)
            if bad.size:
                values[bad] = fill
                self.imputed[name] = tuple(int(self.line_numbers[r]) for r in bad)
            self._values[name] = values
            return
        if self._from_file and not force_categorical and not is_target:
            self._refuse_numbers_with_a_marker(name, classes)
        self.kinds[name] = "categorical"
        self._texts[name] = classes == _TEXT
        texts = np.flatnonzero(self._texts[name])
        self._first_text[name] = int(texts[0]) if texts.size else -1
        absent = _in_tokens(cells, tokens)
        missing = np.flatnonzero(absent)
        if isinstance(cells, _Repeated):  # (one str object per value, as read_csv's)
            keys, codes = cells.factor
            strings = np.array(keys, dtype=object)[codes]
        else:
            strings = np.array(cells, dtype=object)
        if missing.size and not fills:
            r = int(missing[0])
            cell = cells[r]
            # a text column's "NA" may be a value (a region code): the parameter that says so
            rest = tuple(sorted(t for t in tokens if t != cell.lower()))  # (the user's, kept;
            rest = ("",) if tokens == MISSING_TOKENS else rest  # the default: the empty cell)
            hint = f" If {cell!r} is a value here, pass only the texts that mark missing "
            hint += f"cells, e.g. missing={rest!r}."
            error = ValueError(
                f"Missing value {cell!r} at {self._where(r, name)}{_more(missing.size - 1)}: "
                f"{fix}." + (hint if cell and not is_target else "")
            )
            # the column's name, its missing cells, its cells, and its values (when one or
            # two: a checkbox's 'x' and blanks), for a caller that words the advice for a
            # nearly empty column or a checkbox column (blank for no)
            values = sorted(set(strings[~absent].tolist()))
            error.missing_cells = (  # type: ignore[attr-defined]
                name,
                int(missing.size),
                len(cells),
                values if len(values) <= 2 else None,
            )
            raise error
        if fills and isinstance(self.impute, str):
            present = list(itertools.compress(cells, (~absent).tolist()))
            if not present:
                raise ValueError(
                    f"Column {name!r} of {self._src} has no values to impute from: drop the column."
                )
            counts = Counter(present)
            top = max(counts.values())
            fill = min(c for c, n in counts.items() if n == top)
            self.fill_values[name] = fill
        elif fills:
            fill = str(given)
        if missing.size:
            strings[missing] = fill
            self.imputed[name] = tuple(int(self.line_numbers[r]) for r in missing)
        self._values[name] = strings

    def _refuse_numbers_with_a_marker(self, name: str, classes: np.ndarray) -> None:
        """In a table read from a file, a feature column of numbers but for one text (a ``?``
        or ``unknown`` as many times as the numbers, or more, which makes the column text) is
        an error, as on the command line: each number would be one-hot encoded as a category
        of its own."""
        cells = self._cells(name)
        at = np.flatnonzero(classes == _TEXT)
        # several texts: categories (a number among them is one too); stops at the second
        if not at.size or any(cells[r] != cells[int(at[0])] for r in map(int, at)):
            return
        rows = at.tolist()
        texts = {cells[rows[0]]: len(rows)}
        parsed = self._as_numbers(cells)
        numbers = {float(c) for c, k in zip(parsed, classes, strict=True) if k == _NUM}
        if len(numbers) < 2:
            return
        [(marker, count)] = texts.items()
        filled = int(np.count_nonzero(classes != _MISSING))
        first = int(self.line_numbers[cells.index(marker)])
        tokens = self.missing
        given = sorted({*tokens, ""}) if marker == "" else [*sorted(tokens), marker]
        what = "empty cells" if marker == "" else f"the text {marker!r}"
        fills = ' (impute="mean" then fills them)' if self.impute is None else ""
        raise ValueError(
            f"Column {name!r} of {self._src} holds numbers and {what} ({count} of its "
            f"{filled} cells not read as missing, the first at line {first}), so it would be "
            f"read as text and each number would be a category of its own: if {marker!r} "
            f"marks missing cells, pass missing={tuple(given)!r}{fills}, or drop those rows; "
            f"if the numbers are codes, pass categorical=[{name!r}]."
        )

    # -- views -----------------------------------------------------------------------

    def __len__(self) -> int:
        return self.n_rows

    def __repr__(self) -> str:
        kinds = ", ".join(f"{n}:{self.kinds[n][:3]}" for n in self.names)
        return (
            f"Table({self.source!r}, rows={self.n_rows}, columns=[{kinds}], target={self.target!r})"
        )

    def _check_name(self, name: str) -> None:
        if name not in self._raw:
            raise ValueError(
                f"Column {name!r} is not in {self._src}. Available columns: "
                f"{_names(self.names, len(self.names))}."
            )

    @property
    def _src(self) -> str:
        """The source as messages quote it, unless it reads like "<table>"."""
        return self.source if self.source.startswith("<") else repr(self.source)

    @property
    def feature_names(self) -> tuple[str, ...]:
        """All column names except the target, in file order."""
        return tuple(n for n in self.names if n != self.target)

    @property
    def numeric_columns(self) -> tuple[str, ...]:
        """Feature columns that are numeric."""
        return tuple(n for n in self.feature_names if self.kinds[n] == "numeric")

    @property
    def categorical_columns(self) -> tuple[str, ...]:
        """Feature columns that are categorical."""
        return tuple(n for n in self.feature_names if self.kinds[n] == "categorical")

    def raw(self, name: str) -> np.ndarray:
        """Column ``name`` as read (blanks stripped): object array of str, (n_rows,)."""
        self._check_name(name)
        return np.array(self._cells(name), dtype=object)

    def joined(self, name: str, sep: str = "\n") -> str:
        """Column ``name``'s cells as read (blanks stripped) joined by ``sep``, one str:
        ``sep.join(table.raw(name))``, made for a number column that read_csv parsed from
        its text as read, with no str object per cell (a search over a whole column, one
        regex pass, costs no more than the column's characters)."""
        self._check_name(name)
        col = self._raw[name]
        if isinstance(col, _Packed) and col.index is None:
            parts = [c if sep == _SEP else c.replace(_SEP, sep) for c in col.chunks if c]
            return sep.join(parts)  # (an empty chunk is a chunk of no cells: a number's
            # cell is never empty)
        return sep.join(self._cells(name))

    def numbers(self, name: str) -> np.ndarray:
        """Numeric column ``name`` as a float64 array of shape (n_rows,), imputed if asked.

        Raises ``ValueError`` naming the first text cell's line if the column is categorical.
        """
        self._check_name(name)
        if self.kinds[name] != "numeric":
            raise ValueError(
                f"Column {name!r} of {self._src} is categorical, not numeric: "
                f"{self.why_text(name)}. Use a Preprocessor (one-hot encoding) for categorical "
                "columns."
            )
        return self._values[name].copy()

    def why_text(self, name: str) -> str:
        """Why column ``name`` reads as text: its first cell that is no number, and where
        (``'abc' at line 3 of 'f.csv', column 'a' is not a number``), or that it was
        declared categorical (``read_csv``'s ``categorical``)."""
        r = self._first_text[name]
        if r < 0:
            return "it was declared categorical (read_csv's 'categorical')"
        return f"{self._cells(name)[r]!r} at {self._where(r, name)} is not a number"

    def strings(self, name: str) -> np.ndarray:
        """Column ``name`` as an object array of str of shape (n_rows,).

        Categorical columns have their missing cells imputed if asked; numeric
        columns give their raw cells.
        """
        self._check_name(name)
        if self.kinds[name] == "categorical":
            return self._values[name].copy()
        return self.raw(name)

    def to_array(self, columns: Sequence[str] | None = None) -> np.ndarray:
        """Numeric columns stacked into a float64 array of shape (n_rows, len(columns)).

        ``columns`` defaults to all feature columns; all must be numeric (use a
        ``Preprocessor`` to one-hot encode categorical ones). A str is one column's name,
        as in read_csv's ``categorical`` and ``drop``.
        """
        if isinstance(columns, str):  # (tuple("ab") would be the columns 'a' and 'b')
            columns = (columns,)
        cols = self.feature_names if columns is None else tuple(columns)
        for c in cols:
            self._check_name(c)
        cat = [c for c in cols if self.kinds[c] != "numeric"]
        if cat:
            raise ValueError(
                f"Columns {cat} of {self._src} are categorical: to_array takes numeric "
                f"columns only. Use glassnet.preprocessing.Preprocessor to one-hot encode them."
            )
        if not cols:
            return np.empty((self.n_rows, 0), dtype=np.float64)
        return np.stack([self._values[c] for c in cols], axis=1)  # (n_rows, k)

    def _need_target(self) -> str:
        if self.target is None:
            raise ValueError(
                f"{self._src} was read without a target column: pass target=NAME to "
                f"read_csv (columns: {_names(self.names, len(self.names))})."
            )
        return self.target

    @property
    def y_raw(self) -> np.ndarray:
        """The target column's cells as an object array of str, shape (n_rows,)."""
        return self.raw(self._need_target())

    @property
    def y_float(self) -> np.ndarray | None:
        """The target column parsed as float64, shape (n_rows,); None if it is categorical."""
        name = self._need_target()
        return self._values[name].copy() if self.kinds[name] == "numeric" else None

    def take(self, indices: Sequence[int] | np.ndarray) -> Table:
        """The rows at ``indices`` as a new Table with the same kinds and imputed values."""
        idx = np.asarray(indices)
        if idx.dtype.kind not in "iu" or idx.ndim != 1:
            raise TypeError(
                f"The 'indices' parameter of Table.take must be a 1-D array of ints. "
                f"Got dtype {idx.dtype} and shape {idx.shape}."
            )
        if idx.size and (idx.min() < -self.n_rows or idx.max() >= self.n_rows):
            raise IndexError(f"Table.take: index out of range for a table of {self.n_rows} rows.")
        out = object.__new__(Table)
        out.source = self.source
        out.names = self.names
        out.target = self.target
        out.impute = self.impute
        out.missing = self.missing
        out.decimal, out.delimiter = self.decimal, self.delimiter
        out._from_file = self._from_file
        out.fill_values = dict(self.fill_values)
        out.n_rows = int(idx.size)
        out.line_numbers = self.line_numbers[idx]
        out.file_lines, out.line_notes = self.file_lines, ""
        out.dropped = {n: tuple(np.array(v, dtype=object)[idx].tolist())
                       for n, v in self.dropped.items()}  # fmt: skip
        out.kinds = dict(self.kinds)
        rows = idx.tolist()
        out._raw = {
            n: c.take(idx) if isinstance(c, _Packed) else tuple(map(c.__getitem__, rows))
            for n, c in self._raw.items()
        }
        out._values = {n: v[idx] for n, v in self._values.items()}
        kept = set(out.line_numbers.tolist())
        out.imputed = {
            n: tuple(line for line in lines if line in kept) for n, lines in self.imputed.items()
        }
        out.imputed = {n: v for n, v in out.imputed.items() if v}
        out._texts = {n: v[idx] for n, v in self._texts.items()}
        out._first_text = {}
        for n, v in out._texts.items():  # first text cell among the kept rows, if any
            texts = np.flatnonzero(v)
            out._first_text[n] = int(texts[0]) if texts.size else -1
        return out


#: The most lines under a title taken for the header row that the advice to delete the
#: titles still reads as titles (a report's "generated 2024-05-01", "Region: EU").
_TITLE_LINES = 3


def _title_hint(
    header: list[str], above: Sequence[Sequence[str]], lines: Sequence[int], header_line: int,
    fields: int, following: Sequence[str] | None = None,
) -> str:  # fmt: skip
    """For a data row of ``fields`` fields, under a header row of one name: the advice to
    delete the title lines written above the header (a report's "Sales 2024" line, and
    perhaps a "generated 2024-05-01" under it, as spreadsheets export them), which read_csv
    took for the header and its first rows; else "". ``above``: the rows read before this
    one (one cell each, the header's width), on ``lines``: titles when they are at most
    :data:`_TITLE_LINES` and none is a number (the rows of a one-column file are), and
    ``following``, the row after this one, has this row's width (a table starts here)."""
    named = [h for h in header if h]
    if len(named) != 1 or fields < 2 or len(lines) > _TITLE_LINES or len(above) != len(lines):
        return ""
    texts = [row[0].strip() for row in above]
    if any(not t or _classify(t) != _TEXT for t in texts):
        return ""
    if following is None or len(following) != fields:  # (the row after a header of a table
        return ""  # has its width; the rows of names under a one-column header do not)
    if not texts:
        return (
            f" If line {header_line} ({named[0]!r:.60}) is a title above the header row, "
            f"delete it (and any other line above the header)."
        )
    numbers = ", ".join(str(n) for n in [header_line, *lines])
    titles = ", ".join(f"{t!r:.60}" for t in [named[0], *texts])
    return (
        f" If lines {numbers} ({titles}) are titles above the header row, delete them (and "
        f"any other line above the header)."
    )


def read_csv(
    path: str | os.PathLike[str],
    target: str | None = None,
    *,
    delimiter: str | None = None,
    impute: str | None = None,
    categorical: Sequence[str] = (),
    multiline: bool = False,
    drop: Sequence[str] = (),
    missing: Sequence[str] | None = None,
    decimal: str = ".",
    nrows: int | None = None,
    pandas_index: bool = False,
    decimal_commas: str = "error",
    memory_hint: str | None = None,
    dot_thousands: str = "warn",
) -> Table:
    """Read a CSV file with a header row into a :class:`Table`.

    The file must be UTF-8 text (a byte-order mark is fine) whose first non-blank
    line names the columns. The delimiter (``,`` ``;`` tab or ``|``) is sniffed
    unless given, or read from a spreadsheet's ``sep=;`` first line. Blank lines and
    lines whose cells are all empty are skipped; a delimiter ending every line (as
    spreadsheets write) leaves unnamed columns at the end, which must stay empty.

    Parameters
    ----------
    path : str or path-like
    target : str, optional
        Name of the target column, returned apart as ``table.y_raw`` (strings) and
        ``table.y_float`` (float64, or None when not numeric).
    delimiter : str of length 1, optional
    impute : None, "mean" or "median"
        How to fill missing / non-finite feature cells; None makes them errors.
        See :class:`Table`.
    categorical : sequence of str
        Columns to keep categorical even if they look numeric.
    drop : sequence of str
        Columns to leave out of the table (an ID, free text, ...): they are not parsed,
        and their cells are kept as read in ``table.dropped[name]`` (a tuple of str).
    multiline : bool, default False
        Accept quoted cells that hold line breaks. Without it such a cell is an error
        naming its line: far more often it is a stray quote that would swallow the
        following lines into one cell.
    missing : sequence of str, optional
        The cell texts read as missing (compared after stripping blanks, in any case).
        None (the default) is :data:`MISSING_TOKENS`: empty, ``nan``, ``NA``, ``N/A``,
        ``null``. A sequence replaces that set, as pandas' ``na_values`` with
        ``keep_default_na=False``: ``missing=("", "?")`` reads ``?`` as missing and
        ``NA`` (a region code, a grade) as an ordinary value; list ``""`` to keep empty
        cells missing. A token that reads as a number (``"-999"``) is matched as text.
        (A cell of a number column that reads as NaN, such as ``nan``, is missing
        whatever the set: it is no number.)
    decimal : str of length 1, default "."
        The decimal mark of the file's numbers: ``decimal=","`` reads ``3,14`` as 3.14, as
        European spreadsheets write it (with ``;`` between cells), and ``3.14`` as text, as
        pandas' ``decimal`` does. It must differ from the delimiter, which is sniffed
        among the others (``;``, a tab, ``|``) when not given.
    nrows : int, optional
        Read only the header and the first ``nrows`` data rows: the file is read up to
        them (and its first 256 KiB, from which the delimiter is sniffed), not to its end,
        so a huge file's first rows cost little, and its later rows are not checked.
    pandas_index : bool, default False
        Leave out an unnamed first column (its header cell empty, every other column
        named) that holds the row numbers pandas' ``to_csv`` writes for its index (or R's
        ``write.csv``): unique whole numbers that make up a range, ``0 .. n-1`` in any
        order (of rows read in part with ``nrows``: unique whole numbers).
        ``table.index_dropped`` is then its ``(lowest, highest)`` numbers (else None). Any
        other unnamed column, and this one without it, is an error.
    decimal_commas : {"error", "text"}, default "error"
        A column read as text with ``decimal="."`` whose every cell is a number, some
        written with a decimal comma (``1,5``, in a file not separated by commas, as a
        European spreadsheet's ';' export writes them): "error" raises a ValueError naming
        the column, the cell and ``decimal=","``; "text" keeps it as text (as a column
        passed in ``categorical`` always is).
    dot_thousands : {"warn", "error", "decimal"}, default "warn"
        Whole numbers that look written with a "." between thousands (``15.650`` for
        15650, as a European spreadsheet's ';' export writes them), in a file separated
        by ';' read with ``decimal="."``: "warn" reads each "." as the decimal point and
        warns (a UserWarning naming the column, a cell, its line and what to do), "error"
        raises a ValueError saying so, "decimal" reads them as written in silence. The
        evidence cannot be certain (``1.010`` may be a code, ``4.990`` a price beside
        whole prices), hence a warning by default (see :func:`dot_thousands_text` for the
        rule); a column of numbers with three decimals and no whole numbers below 1000
        beside them (``0.125``, ``2.750``) reads in silence, as does any column of a file
        separated by anything but ';'.
    memory_hint : str, optional
        What to do, said in the error for a file too large to read into memory (the
        default names ``nrows`` and ``glassnet.stream.from_csv``). Before a whole file is
        read, the memory it needs is estimated from its size and its first MiB; when that
        is more than glassnet may use (``GLASSNET_MEMORY_LIMIT``, else the memory
        available now), :class:`CSVMemoryError` (a ``MemoryError`` and a ``ValueError``)
        says how much, the limit and what to do.

    Returns
    -------
    Table
        With ``file_lines`` (the lines in the file, or those read with ``nrows``) and
        ``line_notes`` ('' when every line after the header is one row, else e.g. ``"300
        rows from 302 lines (1 header, 1 blank)"``).

    Raises
    ------
    FileNotFoundError, IsADirectoryError
        No such file, or a directory.
    CSVMemoryError
        A file too large to read into memory (see ``memory_hint``).
    ValueError
        Not UTF-8 text (binary), empty, header only, no header, ragged row, a quote
        never closed, a quoted line break (without ``multiline``), unknown target
        column, text in a numeric column, a feature column of numbers and one text
        (``?``, ``unknown``) as often as the numbers or more (pass that text in
        ``missing``, or the column in ``categorical`` if the numbers are codes),
        missing or non-finite cells, numbers written with a decimal comma read with
        ``decimal="."``, whole numbers written with a "." between thousands (see
        ``dot_thousands``). The message names the file and, where it applies, the line
        and column.
    """
    if decimal_commas not in ("error", "text"):
        raise ValueError(
            f"The 'decimal_commas' parameter of read_csv must be 'error' or 'text'. Got "
            f"{decimal_commas!r:.60}."
        )
    if dot_thousands not in ("warn", "error", "decimal"):
        raise ValueError(
            f"The 'dot_thousands' parameter of read_csv must be 'warn', 'error' or 'decimal'. "
            f"Got {dot_thousands!r:.60}."
        )
    table = _read_csv(
        path, target, delimiter=delimiter, impute=impute, categorical=categorical,
        multiline=multiline, drop=drop, missing=missing, decimal=decimal, nrows=nrows,
        pandas_index=pandas_index, memory_hint=memory_hint,
    )  # fmt: skip
    if dot_thousands != "decimal":
        kept = {categorical} if isinstance(categorical, str) else set(categorical)
        for name in table.names:
            problem = None if name in kept else dot_thousands_text(table, name)
            if problem is not None and dot_thousands == "error":
                raise ValueError(problem)
            if problem is not None:  # (the column read as written: each '.' a decimal point)
                warnings.warn(problem, UserWarning, stacklevel=2)
    if decimal_commas == "error":
        _refuse_decimal_commas(table, categorical)
    return table


#: A whole number that a "." between thousands would write with none: below 1000.
_SHORT_WHOLE = re.compile(r"[+-]?\d{1,3}")
#: A whole number below 1000000 with a "." between its thousands (or a number of three
#: decimals: 15.650 is either).
_ONE_DOT = re.compile(r"[+-]?[1-9]\d{0,2}\.\d{3}")
#: A number with a "." between its thousands, perhaps with a decimal comma (1.234.567,
#: 1.234,5), and a number perhaps with a decimal comma (987, 12,5): the cells of a column
#: of such numbers, which a decimal point reads as text.
_DOT_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?")
_COMMA_OR_WHOLE = re.compile(r"[+-]?\d+(?:,\d+)?")


def dot_thousands_text(table: Table, name: str) -> str | None:
    """The error for column ``name`` of ``table`` (read from a file separated by ';', with
    the decimal point '.') when its numbers look written with a "." between thousands, as
    a European spreadsheet's ';' export writes whole numbers (``15.650`` for 15650); else
    None. The evidence must be strong, for a number with three decimals looks the same:

    * a number column each of whose cells (but missing ones) is a whole number below
      1000 written with no "." (``987``) or a number of one to three digits, a ".", and
      three digits (``15.650``), with cells of both kinds and at least one dotted cell
      ending in 0 (``15.650``, ``2.000``): a number written for a decimal point keeps no
      trailing 0 where the column writes its whole numbers without ".000", and a whole
      number of 1000 or more would be grouped too; or
    * a text column each of whose cells is a number with a "." between thousands,
      perhaps with a decimal comma (``1.234.567``, ``1.234,5``), or a number perhaps with
      a decimal comma (``987``, ``12,5``), at least one of the former with two dots or
      more: no number any decimal mark reads (``1.234,5`` alone may be a number written
      for another reader, and is left as text, as it was).

    A file separated by anything but ';' is never taken to group its numbers so."""
    if table.decimal != "." or table.delimiter != ";":
        return None
    numeric = table.kinds[name] == "numeric"
    if numeric:
        values = table._values[name]
        if values.size == 0 or not np.all(np.abs(values) < 1000):  # (cheap: most columns)
            return None
        keep = ~np.isnan(values)  # (the cells as written: an imputed mean is none)
        if table.imputed.get(name):
            keep &= ~np.isin(table.line_numbers, table.imputed[name])
        v = values[keep]  # (no more than three decimals, and both whole
        whole = v == np.round(v)  # numbers and others: else no cell's text is looked at)
        if whole.all() or not whole.any() or np.any(np.abs(v * 1000 - np.round(v * 1000)) > 1e-6):
            return None
    cells = table._cells(name)
    tokens = table.missing
    present = [r for r, c in enumerate(cells) if c.lower() not in tokens]
    if not present:
        return None
    if numeric:
        dotted = [r for r in present if "." in cells[r]]
        if not dotted or len(dotted) == len(present):
            return None
        if not all(_ONE_DOT.fullmatch(cells[r]) for r in dotted):
            return None
        if not all(_SHORT_WHOLE.fullmatch(cells[r]) for r in present if "." not in cells[r]):
            return None
        zeros = [r for r in dotted if cells[r].endswith("0")]
        if not zeros:
            return None
        r, z = dotted[0], zeros[0]
        whole = len(present) - len(dotted)
        such = "" if z == r else f" (such as {cells[z]!r} at line {int(table.line_numbers[z])})"
        return (
            f"Column {name!r} of {table._src} holds numbers that look written with a '.' "
            f"between thousands, as a spreadsheet's ';' export writes whole numbers: "
            f"{cells[r]!r} at line {int(table.line_numbers[r])} reads as "
            f"{float(cells[r])!r} with the decimal point '.', but each of its "
            f"{len(dotted)} cells with a '.' has three digits after it{such}, and none of "
            f"its {whole} cells without one reaches 1000. Write the numbers without the "
            f"'.' between thousands ({cells[r].replace('.', '')}; in a spreadsheet, turn off the "
            f"thousands separator of the cells' number format), and if the file writes "
            f"decimals with a comma, read it with decimal=','. If each '.' is the decimal "
            f"point, pass dot_thousands='decimal' (read so, as written)."
        )
    if not all(
        _DOT_GROUPED.fullmatch(cells[r]) or _COMMA_OR_WHOLE.fullmatch(cells[r]) for r in present
    ):
        return None
    grouped = [r for r in present if cells[r].count(".") > 1 and _DOT_GROUPED.fullmatch(cells[r])]
    if not grouped:
        return None
    r = grouped[0]
    plain = cells[r].replace(".", "")
    return (
        f"Column {name!r} of {table._src} holds numbers written with a '.' between "
        f"thousands ({cells[r]!r} at line {int(table.line_numbers[r])}), which no decimal "
        f"mark reads, so the column would be read as text: write the numbers without the "
        f"'.' between thousands ({plain}; in a spreadsheet, turn off the thousands "
        f"separator of the cells' number format)"
        + (", and read the file with decimal=','" if "," in plain else "")
        + f"; to keep them as text, pass categorical=[{name!r}]."
    )


#: A number written with a decimal comma, or a whole number (which any decimal mark reads).
_COMMA_NUMBER = re.compile(r"[+-]?\d+(,\d+)?")
_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2}(,\d{3})+")  # (also a decimal comma's 1,250)


def _refuse_decimal_commas(table: Table, categorical: Sequence[str]) -> None:
    """A column of a table read with the decimal point, from a file not separated by
    commas, whose every cell (but missing ones) is a number and at least one written with a
    decimal comma (``1,5``: a European spreadsheet's ';' export) was read as text in
    silence: a ValueError naming it, the cell and ``decimal=","``. A column passed in
    ``categorical`` is kept as text, as asked."""
    if table.decimal != "." or table.delimiter in (None, ","):
        return
    kept = {categorical} if isinstance(categorical, str) else set(categorical)
    for name in table.names:
        if table.kinds[name] != "categorical" or name in kept:
            continue
        cells = table._cells(name)
        # (numbers, some written with a decimal comma, and perhaps a few texts: n.v., TBD)
        found = people_numbers(Counter(cells), table.decimal, table.missing)
        if found is None or not all(_COMMA_NUMBER.fullmatch(c) for c in found[0]):
            continue
        first = cells.index(found[0][0])
        commas = found[0]
        where = f"{cells[first]!r} at line {int(table.line_numbers[first])}"
        texts, tail = found[1], ""
        if texts:  # (what to do with them: the missing cells they mark)
            given = (*sorted(table.missing), *texts)
            lines = ", ".join(
                f"{t!r} at line {int(table.line_numbers[cells.index(t)])}" for t in texts
            )
            tail = (
                f" Its other cells, {lines}, are text: if they mark missing cells, also pass "
                f"missing={given!r}."
            )
        if all(_THOUSANDS.fullmatch(c) for c in commas):  # 1,250 12,500: which is it?
            raise ValueError(
                f"Column {name!r} of {table._src} holds numbers with a comma ({where}), read "
                f"as text with decimal='.': a thousands separator (1,250 for 1250) or a "
                f"decimal comma (1,250 for 1.25) cannot be told apart here. For a thousands "
                f"separator, write the numbers without it; for a decimal comma, pass "
                f"decimal=','; to keep them as text, categorical=[{name!r}]." + tail
            )
        raise ValueError(
            f"Column {name!r} of {table._src} holds numbers written with a decimal comma "
            f"({where}), read as text with decimal='.': pass decimal=',' to read them as "
            f"numbers (or categorical=[{name!r}] to keep them as text)." + tail
        )


_CHUNK = 16384  # rows read before their cells go into read_csv's columns

#: What to do when a file is too large to read into memory (read_csv's ``memory_hint``).
_MEMORY_HINT = (
    "read its first rows only (nrows=), or stream it a chunk at a time "
    "(glassnet.stream.from_csv; on the command line, train with --stream)"
)


class CSVMemoryError(MemoryError, ValueError):
    """read_csv's refusal of a file that would need more memory than glassnet may use (a
    MemoryError, and a ValueError as the reader's other refusals of a file are)."""


def _bytes_needed(path: Path, size: int, sample_size: int = 1 << 20) -> float:
    """About the bytes :func:`read_csv` holds when it reads the ``size`` bytes of ``path``
    into memory, from the file's first ``sample_size`` bytes: the bytes and their text
    (a str holds 1, 2 or 4 bytes a character), the plain rows' fast path's copies of
    them, then each cell as read_csv keeps it: a
    number, its float64 and its characters; a text, 8 bytes and a str object (57 bytes and
    its characters, and its place in a dict while parsed) for each value not seen before in
    its column; and each row's line number and list of cells while read."""
    with open(path, "rb") as f:
        sample = f.read(sample_size).decode("utf-8", errors="replace")
    lines = sample.splitlines()
    if len(lines) > 2:
        lines = lines[1:-1] if len(sample) == sample_size else lines[1:]  # (a line cut off)
    header = sample.splitlines()[0] if sample else ""
    delimiter = max(",;\t|", key=header.count)
    seen: dict[int, set[str]] = {}
    cost = 96 * len(lines)  # (each line's number, its list of cells while read, ...)
    # a column at a time (the cells of each line's j-th field, in order): a column of
    # numbers read by NumPy at once (float()'s reading), any other cell by cell
    rows = [line.split(delimiter) for line in lines]
    for j, column in enumerate(itertools.zip_longest(*rows)):
        cells = [c.strip() for c in column if c is not None]
        try:
            np.array(cells, dtype=np.float64)
        except ValueError:
            pass
        else:
            cost += 9 * len(cells) + sum(map(len, cells))
            continue
        for cell in cells:
            known = seen.get(j)
            if known is not None and cell in known:  # (a text seen: float() refused it)
                cost += 8
                continue
            try:
                float(cell)
                cost += 9 + len(cell)
            except ValueError:
                known = seen.setdefault(j, set())
                cost += 8 + (100 + len(cell)) * (cell not in known)  # (and in a dict)
                known.add(cell)
    width = 1 if sample.isascii() else 2 if max(sample) <= "\uffff" else 4
    read = sum(len(line) + 1 for line in lines) or 1
    # a file of plain rows (no quote, no carriage return: the sample says) is read without
    # the csv module, holding its rows again as UTF-8 bytes and as pyarrow's table of texts
    # beside the text: 1.6 to 1.9 bytes a byte of the file more (measured), counted as 2
    plain = 2 * ('"' not in sample and "\r" not in sample)
    return size * (1 + width + plain) + cost * size / read


def _check_memory_for(path: Path, src: str, hint: str) -> None:
    """A :class:`CSVMemoryError` when reading ``path`` into memory would need more bytes than
    glassnet may use (``GLASSNET_MEMORY_LIMIT``, or the memory available now)."""
    size = path.stat().st_size
    if size < 1 << 22 and "GLASSNET_MEMORY_LIMIT" not in os.environ:
        return  # (a small file: not worth reading the memory available)
    needed = _bytes_needed(path, size)
    if needed < 1 << 20:
        return  # (less than the interpreter itself: never the reason a read fails)
    try:
        check_memory(f"reading {src!r} ({bytes_text(size)}) into memory", needed, hint)
    except MemoryError as e:
        raise CSVMemoryError(str(e)) from None


def _lines(text: str, size: int = 1 << 22) -> Iterator[str]:
    """The lines of ``text`` as ``io.StringIO(text, newline="")`` gives them (each with its
    end: \\n, \\r\\n or \\r), a slice of about ``size`` characters at a time: a StringIO
    holds 4 bytes a character, 4 times a file of ASCII text."""
    start = 0
    while start < len(text):
        end = text.find("\n", start + size)
        end = len(text) if end < 0 else end + 1
        yield from io.StringIO(text[start:end], newline="")
        start = end


#: The characters str.strip() removes from ASCII text.
_ASCII_BLANKS = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"


def _bare(text: str) -> bool:
    """Whether ASCII ``text`` holds no character that str.strip() removes (no cell of it
    has a blank to strip)."""
    return not any(ch in text for ch in _ASCII_BLANKS)


class _Stripped(list):  # type: ignore[type-arg]
    """The cells of a column that read_csv read, each stripped already: a :class:`Table`
    takes them as they are (no str.strip call per cell)."""


class _Column:
    """The cells of one column that read_csv has read, added a chunk of rows at a time:
    stripped (``strip``; a dropped column's are kept as read), and while every cell is a
    finite number (``pack``) kept as their numbers and their text joined (a
    :class:`_Packed`), not as a str object each; a text column's repeated values share one
    str object."""

    __slots__ = ("cells", "chunks", "memo", "strip", "values")

    def __init__(self, strip: bool, pack: bool) -> None:
        self.strip = strip
        self.cells: list[str] | None = None if pack else self._empty()
        self.chunks: list[str] = []
        self.values: list[np.ndarray] = []
        self.memo: dict[str, str] | None = {}

    def add(
        self, cells: Sequence[str], values: np.ndarray | None = None, bare: bool = False
    ) -> None:
        """Add the next ``cells``; ``values``: their numbers, read already (by pyarrow:
        :func:`glassnet.stream.float_columns`), as NumPy reads them; ``bare``: no cell has
        blanks to strip."""
        text = _SEP.join(cells) if self.cells is None else None  # (numbers, so far)
        if self.strip and not bare and (text is None or not (text.isascii() and _bare(text))):
            cells = list(map(str.strip, cells))  # (numbers: only where a cell has a blank)
            text = _SEP.join(cells) if text is not None else None
        if text is not None:  # every cell a finite number so far
            if "_" in text:  # (Python's float reads 18_24 as 1824: text, as in Table)
                values = None
            elif values is None:
                values = _read_numbers(cells)
            if values is not None and np.all(np.isfinite(values)):
                self.chunks.append(text)
                self.values.append(values)
                return
            self.cells = self._empty()
            for chunk in self.chunks:
                self.cells += chunk.split(_SEP)
            self.chunks, self.values = [], []
        memo = self.memo
        if memo is not None:
            cells = list(map(memo.setdefault, cells, cells))
            if len(memo) > 4 * _CHUNK and 2 * len(memo) > len(self.cells) + len(cells):
                self.memo = None  # (mostly distinct values: an ID, free text)
        self.cells += cells

    def _empty(self) -> list[str]:
        """A list for the cells: a :class:`_Stripped` one when they are stripped."""
        return _Stripped() if self.strip else []

    def pack(self, text: str, values: np.ndarray) -> None:
        """Take a whole column of finite numbers at once, as :meth:`add` keeps it chunk by
        chunk: its cells (stripped) joined by _SEP, none with a '_', and their numbers."""
        self.chunks.append(text)
        self.values.append(values)

    def column(self) -> list[str] | _Packed:
        if self.cells is not None:
            return self.cells
        values = (
            self.values[0] if len(self.values) == 1  # (read at once: no copy)
            else np.concatenate(self.values) if self.values
            else np.empty(0)
        )  # fmt: skip
        return _Packed(self.chunks, int(values.size), values)


def _blank_line(data: bytes, size: int = 1 << 22) -> bool:
    """Whether the rows of a file, ``data`` (UTF-8, the header's line and the last line's
    end cut off), hold an empty line: ``b"\n\n"``, or ``b"\n"`` first or last, or no byte
    at all. (``"\n\n" in text`` searched the text 25 times slower than NumPy compares
    its bytes, a slice of ``size`` at a time.)"""
    if not data or data.startswith(b"\n") or data.endswith(b"\n"):
        return True
    octets = np.frombuffer(data, np.uint8)
    for start in range(0, octets.size, size):
        breaks = octets[start : start + size + 1] == 10
        if np.any(breaks[1:] & breaks[:-1]):
            return True
    return False


def _read_plain(
    held: list[Any],
    delimiter: str,
    src: str,
    tokens: frozenset[str],
    categorical: Sequence[str] | str,
    drop: Sequence[str] | str,
    pandas_index: bool,
    point: bool,
) -> tuple[dict[str, list[str] | _Packed], int, bool] | None:
    """:func:`_read_csv`'s columns of a file of plain rows, read without the csv module:
    ``(cells by column, rows, whether the first column is pandas' index)``, the very
    columns the csv module's reading gives, for a file with no quote, no carriage return,
    no blank line (nor a row of blank cells), a header row of two or more names, the last
    one named, on its first line, and every row as wide as it; None for any other file,
    which the csv module reads (and whose errors it names). A number column's values are
    read by pyarrow where it is installed (:func:`glassnet.stream.float_columns`, bit for
    bit NumPy's), else by NumPy, as the csv module's reading reads them. ``held``: the
    file's text and, for an ASCII file, its bytes (else None), in a list that this reading
    empties once pyarrow holds the rows (the text is not read again then: its memory is
    free for the columns); the text is kept for None."""
    text = held[0]
    if '"' in text or "\r" in text or text.startswith("\n"):
        return None  # (a blank line, "\n\n": below, in the bytes)
    if not delimiter.isascii():  # (one byte in UTF-8: counted in the bytes below)
        return None
    stop = len(text) - text.endswith("\n")  # (the rows' text ends here: no copy of it)
    cut = text.find("\n", 0, stop)
    if cut < 0:
        return None
    first = text[:cut].split(delimiter)
    header = [c.strip() for c in first]
    width = len(header)
    if width < 2 or not header[-1] or not (first[0].strip() or "".join(first).strip()):
        return None
    if isinstance(drop, str):
        drop = (drop,)
    kept = {categorical} if isinstance(categorical, str) else set(categorical)
    numbers = point and not _number_like(tokens)
    index = pandas_index and not header[0] and all(header[1:])
    check_header(header[1:] if index else header, src, first[1:] if index else first)
    raw = set(drop) | ({""} if index else set())  # (kept as read, not stripped)
    columns = [_Column(h not in raw, numbers and h not in raw and h not in kept) for h in header]
    if held[1] is not None:  # (ASCII: the file's bytes, a character a byte)
        data = held[1][cut + 1 : stop]
        held[1] = None
    else:
        data = text[cut + 1 : stop].encode("utf-8")
    if _blank_line(data):
        return None
    count = data.count(b"\n") + 1
    # no blank around any cell: nothing to strip (every ASCII blank str.strip removes)
    blanks = " \t\x0b\x0c\x1c\x1d\x1e\x1f".replace(delimiter, "")
    bare = text.isascii() and not any(ch in text for ch in blanks)
    # such a file's cells read by pyarrow (its rows as wide as the header), where installed
    rows = plain_rows(data, delimiter, width, count) if bare else None
    collecting = gc.isenabled()
    gc.disable()  # (as the csv module's reading: a row's cells are in no cycle)
    try:
        if rows is not None:
            del data
            if rows.blank_row():
                return None  # (a row of empty cells: skipped, by the csv module's reading)
            del text
            held.clear()  # (the rows are pyarrow's: the text is read no more)
            n_rows = rows.n_rows
            for j, col in enumerate(columns):
                if col.cells is None:  # (a number column, perhaps: its every cell at once)
                    values = rows.numbers(j)
                    if values is not None and np.all(np.isfinite(values)):
                        joined = rows.joined(j, _SEP)
                        if joined is not None and "_" not in joined:
                            col.pack(joined, values)
                            continue
                cells = rows.texts(j)
                for start in range(0, n_rows, _CHUNK):
                    col.add(cells[start : start + _CHUNK], bare=True)
        else:
            lines = text[cut + 1 : stop].split("\n")
            n_rows = len(lines)
            # the number columns, by their first row's cells (a text column would cost
            # pyarrow a reading of its own), read by pyarrow at once where installed
            wanted = []
            for j, (col, cell) in enumerate(zip(columns, lines[0].split(delimiter))):
                if col.cells is None and "_" not in cell:
                    with contextlib.suppress(ValueError):
                        if math.isfinite(float(cell)):
                            wanted.append(j)
            values = float_columns(data, delimiter, width, wanted, n_rows)
            if not values:  # every row as wide as the header (pyarrow's reading checked it):
                # each line's delimiters, counted by NumPy in the bytes (one byte in UTF-8)
                octets = np.frombuffer(data, np.uint8)
                breaks = np.flatnonzero(octets == 10)
                marks = np.flatnonzero(octets == ord(delimiter))
                ends = np.searchsorted(marks, breaks)
                per_line = np.diff(np.concatenate(([0], ends, [marks.size])))
                del octets, breaks, marks, ends
                if np.any(per_line != width - 1):
                    return None
            del data
            for start in range(0, n_rows, _CHUNK):
                flat = delimiter.join(lines[start : start + _CHUNK]).split(delimiter)
                cells = [flat[j::width] for j in range(width)]
                if not all(map(str.strip, cells[0])) and any(
                    not "".join(flat[i : i + width]).strip() for i in range(0, len(flat), width)
                ):
                    return None  # (a row of blank cells: skipped, by the csv module's reading)
                for j, (col, column) in enumerate(zip(columns, cells)):
                    got = values.get(j)
                    got = None if got is None else got[start : start + _CHUNK]
                    col.add(column, got, bare)
    finally:
        if collecting:
            gc.enable()
    unknown = [c for c in drop if c not in set(header)]
    if unknown:
        raise ValueError(
            f"The 'drop' parameter names column(s) not in {src!r}: {unknown[:5]}. Available "
            f"columns: {_names(header)}.{_close_names(unknown, header)}"
        )
    return {h: col.column() for h, col in zip(header, columns)}, n_rows, index


def _close_names(unknown: Sequence[str], header: Sequence[str]) -> str:
    """The hint " Did you mean 'Region'?" for names not among ``header`` that are one of its
    names in another case or nearly (difflib's close matches), each its nearest; "" if none
    is."""
    folded = {h.casefold(): h for h in header}
    near = []
    for name in unknown[:5]:
        close = [folded[name.casefold()]] if name.casefold() in folded else []
        close = close or difflib.get_close_matches(name, list(header), n=1)
        near += close[:1]
    if not near:
        return ""
    return f" Did you mean {' and '.join(repr(c) for c in dict.fromkeys(near))}?"


def _read_csv(
    path: str | os.PathLike[str],
    target: str | None = None,
    *,
    delimiter: str | None = None,
    impute: str | None = None,
    categorical: Sequence[str] = (),
    multiline: bool = False,
    drop: Sequence[str] = (),
    missing: Sequence[str] | None = None,
    decimal: str = ".",
    nrows: int | None = None,
    pandas_index: bool = False,
    memory_hint: str | None = None,
) -> Table:
    """:func:`read_csv` but its check of decimal commas read as text."""
    tokens = missing_tokens(missing)  # (checked before the file is read)
    decimal = check_decimal(decimal, "read_csv")
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"The 'path' parameter of read_csv must be a file path, a str or a pathlib.Path. "
            f"Got {type(path).__name__} {path!r:.60}."
        )
    if not isinstance(multiline, (bool, np.bool_)):  # "no" would be true
        raise TypeError(
            f"The 'multiline' parameter of read_csv must be True or False. Got {multiline!r:.60}."
        )
    if not os.fspath(path):  # (Path("") is the current directory)
        raise ValueError("The 'path' parameter of read_csv is empty: give the CSV file's path.")
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"read_csv: no such file {str(p)!r} (resolved: {p.resolve()}).")
    if p.is_dir():
        raise IsADirectoryError(f"read_csv: {str(p)!r} is a directory, not a CSV file.")
    if nrows is not None and (
        isinstance(nrows, bool) or not isinstance(nrows, (int, np.integer)) or nrows < 1
    ):
        raise ValueError(
            f"The 'nrows' parameter of read_csv must be a whole number of data rows of at "
            f"least 1 (or None for every row). Got {nrows!r:.60}."
        )
    src = str(p)
    if nrows is None and p.is_file():
        _check_memory_for(p, src, _MEMORY_HINT if memory_hint is None else memory_hint)
    head = _head(p, int(nrows), delimiter, decimal) if nrows is not None and p.is_file() else None
    partial = head is not None  # (the file read up to its first nrows rows)
    if head is not None:
        data = head
    else:
        data = p.read_bytes() if p.is_file() else read_pipe(p)
    text = utf8_text(data, src)
    # an ASCII file's bytes are its text's UTF-8: the fast path for plain rows reads them
    ascii_bytes = data if head is None and data.isascii() else None
    del data, head  # (the text alone is read from now, and the fast path's bytes)
    if not text or text.isspace():  # (text.strip(), without a copy of the text)
        raise ValueError(f"{src!r} is empty: a CSV file needs a header row and data rows.")
    # Excel's "sep=;" first line names the delimiter: read as such, and as a blank line
    hint = re.match(r"[ \t]*sep=(.)[ \t]*(?:\r\n|\r|\n)", text, flags=re.IGNORECASE)
    how = "given"
    if hint:
        how = "given" if delimiter else "named by its sep= line"
        delimiter = delimiter or hint.group(1)
        text = "\n" + text[hint.end() :]
    if delimiter is None:
        how = "sniffed: the only one of ',', ';', a tab and '|' in its header row"
        delimiter = sniff_delimiter(text[:65536], decimal, src) or decimal
    elif not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '\r\n"':
        raise ValueError(
            f"The 'delimiter' parameter of read_csv must be one character such as ',' or ';'. "
            f"Got {delimiter!r}."
        )
    if delimiter == decimal:
        raise ValueError(
            f"The 'decimal' parameter of read_csv, {decimal!r}, is also the delimiter of "
            f"{src!r} ({how}): a number's decimal mark must differ from the character "
            f"between cells; give the delimiter (such as ';'), or another decimal mark."
        )
    if nrows is None and not hint:  # a file of plain rows: read without the csv module
        held = [text, ascii_bytes]  # (the fast path lets go of them once it holds the rows)
        del text
        ascii_bytes = None
        fast = _read_plain(
            held, delimiter, src, tokens, categorical, drop, pandas_index, decimal == "."
        )
        if fast is not None:
            del held
            cells, n_rows, index = fast
            return _table_of(
                cells, list(cells), src, target, categorical, impute, tokens, decimal,
                (drop,) if isinstance(drop, str) else drop, index, partial, nrows, n_rows,
                n_rows + 1, 0, 0, hint, Counter(), delimiter, None,
            )  # fmt: skip
        text = held[0]
    del ascii_bytes  # (the csv module reads the text)
    if len(text) >= 1 << 23:  # (its number columns read by pyarrow, where installed)
        _arrow(load=True)
    # strict: a quote that is never closed is an error ("unexpected end of data"), not a
    # cell that silently swallows the rest of the file
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
    if csv.field_size_limit() < len(text):  # (its default, 131,072 characters, refused a
        csv.field_size_limit(len(text))  # long free-text cell as "not valid CSV")
    header: list[str] | None = None
    index = False  # an unnamed first column taken for pandas' row index (pandas_index)
    rows: list[list[str]] = []  # the rows read since the last that went into ``columns``
    columns: list[_Column] = []  # each column's cells, gathered a chunk of rows at a time
    n_rows = 0
    lines: list[int] = []
    if isinstance(drop, str):
        drop = (drop,)
    kept = {categorical} if isinstance(categorical, str) else set(categorical)
    # a column of numbers is parsed as it is read (the fast path of Table._parse_column)
    numbers = decimal == "." and not _number_like(tokens)
    blank = 0  # lines skipped as blank
    joined = 0  # lines read as part of a quoted cell that holds line breaks
    end = 0  # the last line of the previous record
    unnamed = 0  # empty columns after the header's last name (a delimiter ending each line)
    trailing: Counter[int] = Counter()  # rows that end in k empty fields past the header's
    # no collection of cycles while the rows are read: a row is a list, made in its
    # millions and in no cycle, and each collection walks those still held (a tenth of the
    # time of reading a file of numbers)
    collecting = gc.isenabled()
    gc.disable()
    try:
        for row in reader:
            start, end = end + 1, reader.line_num  # this record's first and last line
            if not (row and row[0].strip()) and not "".join(row).strip():  # blank line, or
                # every cell empty (a first cell with text says it is not, for most rows)
                blank += end - start + 1
                continue
            if end > start:
                if not multiline:
                    raise ValueError(
                        f"Line {start} of {src!r} opens a quoted cell that runs on to line "
                        f"{end}, so {end - start + 1} lines would be read as one row: close "
                        f"the quote on line {start} (or remove it); if the line breaks "
                        f"inside quotes are meant, pass multiline=True."
                    )
                joined += end - start
            if header is None:
                header, header_line = [c.strip() for c in row], start
                written = row[: len(header)]
                # a delimiter at the end of every line (as spreadsheets write): unnamed
                # columns at the end, which must stay empty
                while len(header) > 1 and not header[-1]:
                    header.pop()
                    unnamed += 1
                # pandas' row index, perhaps: its values say (below)
                index = pandas_index and len(header) > 1 and not header[0] and all(header[1:])
                written = written[: len(header)]
                check_header(
                    header[1:] if index else header, src, written[1:] if index else written
                )
                raw = set(drop) | ({""} if index else set())  # (kept as read, not stripped)
                columns = [
                    _Column(h not in raw, numbers and h not in raw and h not in kept)
                    for h in header
                ]
                continue
            if unnamed and len(header) < len(row) <= len(header) + unnamed:
                extra = [j for j, c in enumerate(row[len(header) :]) if c.strip()]
                if extra:
                    raise ValueError(
                        f"Line {start} of {src!r} has a value in column "
                        f"{len(header) + 1 + extra[0]}, which the header row leaves unnamed: "
                        "name it in the first line."
                        + _title_hint(
                            header, rows, lines, header_line, len(row), next(reader, None)
                        )
                    )
                row = row[: len(header)]
            if len(row) != len(header) and len(header) == 1 and header[0].startswith("#"):
                raise ValueError(
                    f"The header row of {src!r} is the comment line {header[0]!r}, one column, "
                    f"and line {start} has {len(row)} fields: delete the comment line(s) above "
                    f"the header row."
                )
            if len(row) > len(header) and not "".join(row[len(header) :]).strip():
                # a data row that ends in empty fields past the header's last column (a
                # delimiter, or several, ending the line, as spreadsheets write): left out,
                # as a header's own trailing delimiters are; said in table.line_notes
                trailing[len(row) - len(header)] += 1
                row = row[: len(header)]
            if len(row) != len(header):
                raise ValueError(
                    f"Line {start} of {src!r} has {len(row)} field(s) but the header has "
                    f"{len(header)} columns ({_names(header)}): fix that row (a missing or "
                    f"extra {delimiter!r}, or an unclosed quote?)."
                    + _title_hint(header, rows, lines, header_line, len(row), next(reader, None))
                )
            rows.append(row)
            lines.append(start)
            n_rows += 1
            if len(rows) == _CHUNK:
                for col, cells in zip(columns, zip(*rows, strict=True), strict=True):
                    col.add(cells)
                rows = []
            if n_rows == nrows:
                break
    except csv.Error as exc:
        start = end + 1
        if "unexpected end of data" in str(exc):
            raise ValueError(
                f'Line {start} of {src!r} opens a quote (") that is never closed: the '
                f"rest of the file ({reader.line_num - start + 1} lines) would be read as "
                f"one cell. Close the quote or remove it."
            ) from None
        raise ValueError(
            f"{src!r} is not valid CSV at line {reader.line_num}: {exc} (a quote inside a "
            f'quoted cell must be doubled: ""). Fix that line.'
        ) from None
    finally:
        if collecting:
            gc.enable()
    if header is None:  # (every line blank, or of blank cells only: ",," and " , ,")
        raise ValueError(
            f"{src!r} has no header row: every line is blank or holds blank cells only; a CSV "
            "file needs a header row and data rows."
        )
    if not n_rows:
        raise ValueError(f"{src!r} has a header row ({_names(header)}) but no data rows.")
    if rows:
        for col, cells in zip(columns, zip(*rows, strict=True), strict=True):
            col.add(cells)
        rows = []
    unknown = [c for c in drop if c not in set(header)]
    if unknown:
        raise ValueError(
            f"The 'drop' parameter names column(s) not in {src!r}: {unknown[:5]}. Available "
            f"columns: {_names(header)}.{_close_names(unknown, header)}"
        )
    cells = {h: col.column() for h, col in zip(header, columns, strict=True)}
    del columns
    return _table_of(
        cells, header, src, target, categorical, impute, tokens, decimal, drop, index,
        partial, nrows, n_rows, end, blank, joined, hint, trailing, delimiter, lines,
    )  # fmt: skip


def _table_of(
    cells: dict[str, Any],
    header: list[str],
    src: str,
    target: str | None,
    categorical: Sequence[str],
    impute: Any,
    tokens: frozenset[str],
    decimal: str,
    drop: Sequence[str],
    index: bool,
    partial: bool,
    nrows: int | None,
    n_rows: int,
    end: int,
    blank: int,
    joined: int,
    hint: Any,
    trailing: Counter[int],
    delimiter: str,
    lines: list[int] | None,
) -> Table:
    """The :class:`Table` of the columns read by :func:`_read_csv` (``cells``, by name in
    the order of ``header``; ``lines``: each row's line, None for 2, 3, ...)."""
    index_dropped = None
    if index:  # an unnamed first column: pandas' row index, or the error it was
        index_dropped = _row_index(cells[""], complete=not partial and n_rows != nrows)
        if index_dropped is None:
            check_header(header, src)
        del cells[""]
    dropped = {c: tuple(cells.pop(c)) for c in drop}  # (as read: str)
    if not cells:
        raise ValueError(f"read_csv: every column of {src!r} is dropped; keep at least one.")
    table = Table(
        cells,
        target=target,
        categorical=categorical,
        impute=impute,
        source=src,
        line_numbers=lines,
        missing=tokens,
        decimal=decimal,
        _from_file=True,
    )
    table.delimiter = delimiter
    table.file_lines = end
    table.dropped = dropped
    table.index_dropped = index_dropped
    table.line_notes = line_notes_text(n_rows, end, blank - bool(hint), joined, bool(hint))
    if trailing:
        table.line_notes = _trailing_notes(table.line_notes, trailing, n_rows, len(header))
    return table


def _trailing_notes(notes: str, trailing: Counter[int], n_rows: int, n_columns: int) -> str:
    """``notes`` (read_csv's line notes) and the data rows that ended in empty fields past
    the header's ``n_columns`` columns, which were left out (``trailing``: their count by
    the number of such fields)."""
    head = notes or f"{n_rows} rows from {n_rows + 1} lines (1 header)"
    return f"{head}; {trailing_fields_text(trailing, n_rows, n_columns)}"


def trailing_fields_text(trailing: Mapping[int, int], n_rows: int, n_columns: int) -> str:
    """What became of the data rows that ended in empty fields past the header's
    ``n_columns`` columns (``trailing``: how many rows by the number of such fields, of
    ``n_rows``): left out, as read_csv and ``glassnet.stream.from_csv`` read them."""
    count = sum(trailing.values())
    fields = "/".join(str(k) for k in sorted(trailing))
    rows = f"all {n_rows} rows" if count == n_rows else f"{count} of the {n_rows} rows"
    return (
        f"{rows} end in {fields} empty field(s) past the header's {n_columns} columns (a "
        f"delimiter ending the line): left out"
    )


#: A row number as pandas' to_csv (or R's write.csv) writes it: a whole number, no sign.
_ROW_NUMBER = re.compile(r"0|[1-9][0-9]*")


def _row_index(cells: Sequence[str], complete: bool) -> tuple[int, int] | None:
    """``(lowest, highest)`` when ``cells`` (a column's, stripped) are the row numbers pandas'
    ``to_csv`` writes for its index: unique whole numbers that make up a range, such as
    ``0 .. n-1`` (a shuffled frame's, in any order; a slice's, from another start). Of
    rows read only in part (``complete`` False), unique whole numbers. Else None."""
    if not all(_ROW_NUMBER.fullmatch(c) for c in cells):
        return None
    values = [int(c) for c in cells]
    low, high = min(values), max(values)
    if len(set(values)) != len(values):
        return None
    if complete and high - low + 1 != len(values):
        return None
    return low, high


def _head(path: Path, nrows: int, delimiter: str | None, decimal: str) -> bytes | None:
    """The start of the file ``path`` that holds its header row and ``nrows`` rows of data
    (whole lines) and at least its first 256 KiB, from which the delimiter is sniffed as
    from the whole file; None when that is the whole file, or when the start cannot be
    told apart without reading it (not text, a stray quote): then it is read whole, and
    its errors are the whole file's."""
    least = 1 << 18
    with open(path, "rb") as f:
        start = f.read(least)
        if len(start) < least or b"\x00" in start:
            return None
        sample = start.decode("utf-8-sig", errors="replace")
        hint = re.match(r"[ \t]*sep=(.)[ \t]*(?:\r\n|\r|\n)", sample, flags=re.IGNORECASE)
        if hint:
            delimiter = delimiter or hint.group(1)
            sample = "\n" + sample[hint.end() :]
        if delimiter is None:
            delimiter = sniff_delimiter(sample[:65536], decimal, path) or decimal
        if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '\r\n"':
            return None
        f.seek(0)
        kept: list[bytes] = []
        size = 0

        def lines() -> Iterator[str]:
            nonlocal size
            for line in f:
                kept.append(line)
                size += len(line)
                yield line.decode("utf-8", errors="replace")

        need = nrows + 1 + bool(hint)  # the header row, the rows and a "sep=" line
        found = 0
        try:
            for row in csv.reader(lines(), delimiter=delimiter):
                found += bool("".join(row).strip())
                if found >= need and size >= least:
                    return b"".join(kept)
        except csv.Error:
            return None
    return None


#: The first bytes of the files given for a CSV file most often, and what to do with each.
_MAGIC = (
    (b"\x1f\x8b", "gzip-compressed; decompress it first (gunzip -k FILE)"),
    (b"BZh", "bzip2-compressed; decompress it first (bunzip2 -k FILE)"),
    (b"\xfd7zXZ\x00", "xz-compressed; decompress it first (unxz -k FILE)"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed; decompress it first (unzstd FILE)"),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an Excel 97-2003 workbook (.xls) or another "
        "Office file; save the sheet from Excel as 'CSV UTF-8 (Comma delimited)'",
    ),
    (
        b"PAR1",
        "a Parquet file; write it as CSV (pandas.read_parquet(...).to_csv(...)), or read "
        "it with glassnet.stream.from_parquet",
    ),
    (b"%PDF", "a PDF document; export its table as CSV"),
)


def _binary_kind(data: bytes) -> str | None:
    """What a binary file (one with NUL bytes) is, by its first bytes (a compressed CSV file,
    a spreadsheet, a glassnet model), with what to do; None if none of those."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    if data.startswith(b"PK\x03\x04"):  # a zip archive: an .xlsx workbook is one
        if b"xl/" in data[:65536]:
            return (
                "an Excel workbook (.xlsx); save the sheet from Excel as 'CSV UTF-8 (Comma "
                "delimited)'"
            )
        return "a zip archive; unzip it first"
    if len(data) > 10 and data[8:10] == b'{"' and b'"__metadata__"' in data[:65536]:
        return (
            "a safetensors file (a glassnet model?); give the CSV file of data here (predict, "
            "evaluate and explain take the model first: glassnet predict MODEL DATA.csv)"
        )
    return None


def read_pipe(path: str | os.PathLike[str], limit: float = math.inf) -> bytes:
    """The bytes of a pipe or device (``/dev/stdin``), to their end or to the block that
    holds the first NUL byte (a binary stream such as ``/dev/zero`` has no end); a
    MemoryError past ``limit`` bytes."""
    if not isinstance(path, (str, os.PathLike)):  # (as read_csv's, not open()'s words)
        raise TypeError(
            f"The 'path' parameter of read_pipe must be a path, a str or a pathlib.Path "
            f"(such as '/dev/stdin'). Got {type(path).__name__} {path!r:.60}."
        )
    parts, total = [], 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            parts.append(chunk)
            total += len(chunk)
            if b"\0" in chunk:
                break
            if total > limit:
                raise MemoryError(f"'{path}' gives more than {limit:.0f} bytes")
    return b"".join(parts)


def iconv_command(src: str, encoding: str) -> str:
    """The shell command that converts the file ``src`` from ``encoding`` to UTF-8 (a
    gzip-compressed one decompressed, converted and compressed again), into a file named
    after it; "iconv -f ENCODING -t UTF-8" alone for no file's name (standard input)."""
    import shlex  # (here: the command line's Ctrl-C while glassnet imports is its own)

    if src.startswith("<") or src == "-":
        return f"iconv -f {encoding} -t UTF-8"
    path = Path(src)
    gz = path.suffix.lower() == ".gz"
    inner = Path(path.stem) if gz else path  # (data.csv of data.csv.gz)
    out = path.with_name(f"{inner.stem}-utf8{inner.suffix}" + (path.suffix if gz else ""))
    a, b = shlex.quote(str(path)), shlex.quote(str(out))
    if gz:
        return f"gunzip -c {a} | iconv -f {encoding} -t UTF-8 | gzip > {b}"
    return f"iconv -f {encoding} -t UTF-8 {a} > {b}"


def utf8_text(data: bytes, src: str, complete: bool = True) -> str:
    """``data`` decoded as UTF-8 (a byte-order mark dropped), else a ValueError naming the
    encoding it is in (UTF-16, UTF-32), its NUL bytes (binary), or its first byte that is
    not UTF-8 with that byte's line. ``complete=False``: ``data`` is the start of a file,
    which may end inside a character."""
    wide = _wide_encoding(data)
    if wide is not None:
        raise ValueError(
            f"{src!r} is {wide} text (as a spreadsheet's 'Unicode Text' export writes), not "
            f"UTF-8. Save it as 'CSV UTF-8', or convert it: {iconv_command(src, wide)}."
        )
    if b"\x00" in data:
        kind = _binary_kind(data)
        if kind is not None:
            raise ValueError(f"{src!r} is not a CSV file: it is {kind}.")
        raise ValueError(
            f"{src!r} is not a CSV file: it holds NUL bytes (a binary file?). Give a UTF-8 text "
            f"file with a header row."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        at = exc.start
        if not complete and at >= len(data) - 3 and exc.reason == "unexpected end of data":
            return data[:at].decode("utf-8-sig")  # a character cut at the end of the start
        line = data.count(b"\n", 0, at) + 1
        start = data.rfind(b"\n", 0, at) + 1
        end = data.find(b"\n", at)
        cells = data[start : end if end >= 0 else len(data)][:200]
        shown = cells.decode("cp1252", errors="replace").strip()
        raise ValueError(
            f"{src!r} is not UTF-8 text: byte 0x{data[at]:02x} at offset {at} (line {line}) "
            f"cannot be decoded; read as Windows-1252 (Latin-1) that line is {shown!r}. Save "
            f"the file as 'CSV UTF-8', or convert it: {iconv_command(src, 'CP1252')}."
        ) from None


def _wide_encoding(data: bytes) -> str | None:
    """``"UTF-16"`` or ``"UTF-32"`` when ``data`` starts with that encoding's byte-order mark
    or, without one, looks like UTF-16 text (a NUL in nearly every second byte); else None."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    head = data[: 4096 - 4096 % 2]
    half = len(head) // 2
    if half < 8:
        return None
    for zeros, chars in ((head[0::2], head[1::2]), (head[1::2], head[0::2])):
        text = sum(32 <= c < 127 or c in (9, 10, 13) for c in chars)
        if zeros.count(0) >= 0.9 * half and text >= 0.9 * half:
            return "UTF-16"
    return None


def _names(header: Sequence[str], limit: int = 8) -> str:
    """At most ``limit`` column names, then how many more: as written, joined by ", ",
    unless one of them holds a comma, a quote or a character not printable (a line break),
    or is empty; then each quoted as ``repr`` quotes it, so that every name can be told
    apart and written as given ('Unit\\nPrice', 'Revenue, USD', 'Bought?')."""
    names = list(header[:limit])
    plain = all(n and n.isprintable() and not any(c in n for c in ",'\"") for n in names)
    shown = ", ".join(names if plain else map(repr, names))
    return shown + (f", ... ({len(header)} in all)" if len(header) > limit else "")


def headerless(names: Sequence[str]) -> bool:
    """Whether column names read from a first line are more numbers than not (0.126,
    -0.436, no): a file without a header row, whose first row of data was taken for one.
    Years (2019, 2020: whole numbers of four digits) are names, as a wide table has them, and
    so are the column numbers 0, 1, 2, ... (or 1, 2, 3, ...) in order that pandas' ``to_csv``
    writes for unnamed columns."""
    year = re.compile(r"[12]\d{3}")
    data = [str(h) for h in names if _classify(str(h)) == _NUM and not year.fullmatch(str(h))]
    if not names or len(data) * 2 < len(names):
        return False
    with contextlib.suppress(ValueError):  # (a value not a whole number: data)
        whole = [int(h) for h in data]
        return whole != list(range(whole[0], whole[0] + len(whole))) or whole[0] not in (0, 1)
    return True


def check_header(header: list[str], src: str, raw: Sequence[str] | None = None) -> None:
    """A ValueError, naming the file ``src``, for a header row (its names, stripped) with an
    unnamed column, a name twice, or numbers only (a file without a header row). ``raw``:
    its names as written, for a name twice but for the blanks around it ('x1' and 'x1 ')."""
    empty = [j + 1 for j, h in enumerate(header) if not h]
    if empty:
        index = ""
        if empty == [1]:  # pandas' to_csv (or R's write.csv) and its row index
            index = (
                " (an unnamed first column is most often the row index that pandas' to_csv "
                "or R's write.csv writes: write the file with index=False, or row.names=FALSE)"
            )
        raise ValueError(
            f"The header row of {src!r} has no name for column(s) {empty}: give every column "
            f"a name in the first line{index}."
        )
    counts = Counter(header)  # (one pass: wide files have 10^5 columns)
    dup = sorted(h for h, n in counts.items() if n > 1)
    if dup:
        told = []
        for h in dup[:3] if raw is not None and len(raw) == len(header) else ():
            spelled = [(j + 1, raw[j]) for j, x in enumerate(header) if x == h]  # type: ignore[index]
            if len({r for _, r in spelled}) > 1:
                told.append(" and ".join(f"{r!r} (column {j})" for j, r in spelled))
        blanks = (
            f" ({'; '.join(told)}: the blanks around a name are stripped, so these are one name)"
            if told
            else ""
        )
        raise ValueError(
            f"The header row of {src!r} repeats column names {dup}{blanks}: make them unique."
        )
    if all(_classify(h) in (_NUM, _NONFINITE) for h in header):
        raise ValueError(
            f"The first line of {src!r} is all numbers ({', '.join(header)}): a header row "
            f"naming the columns is required. Add one as the first line."
        )
