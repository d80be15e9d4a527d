"""Checks at the public boundary, with messages that name the argument and the fix."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["as_rng", "check_positive", "check_array"]


def as_rng(seed: Any) -> np.random.Generator:
    """A ``numpy.random.Generator`` from ``None``, an int seed or a Generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool)):
        return np.random.default_rng(seed)
    raise TypeError(
        f"A seed must be None, an int or a numpy.random.Generator. Got {type(seed).__name__}."
    )


def check_positive(
    name: str, value: Any, owner: str, *, integer: bool = False, allow_zero: bool = False
) -> Any:
    """``The 'lr' parameter of fit must be a float > 0. Got -1.``"""
    kind = "an int" if integer else "a float"
    bound = ">= 0" if allow_zero else "> 0"
    ok_type = (
        isinstance(value, (int, np.integer))
        if integer
        else isinstance(value, (int, float, np.integer, np.floating))
    )
    if (
        isinstance(value, bool)
        or not ok_type
        or not np.isfinite(value)
        or (value < 0 if allow_zero else value <= 0)
    ):
        raise ValueError(
            f"The {name!r} parameter of {owner} must be {kind} {bound}. Got {value!r}."
        )
    return value


def check_array(
    name: str,
    value: Any,
    owner: str,
    *,
    ndim: tuple[int, ...] = (1, 2),
    dtype: Any = None,
    allow_empty: bool = False,
) -> np.ndarray:
    """A finite numeric array of an allowed rank, or a ValueError naming ``name``."""
    if hasattr(value, "to_numpy") and not isinstance(value, np.ndarray):
        value = value.to_numpy()
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as e:
        raise ValueError(f"{owner}: {name} could not be read as an array ({e}).") from e
    if arr.dtype.kind == "c":
        raise ValueError(f"{owner}: {name} has complex values; only real numbers are supported.")
    if arr.dtype.kind not in "biuf":
        try:
            arr = arr.astype(np.float64)
        except (ValueError, TypeError) as e:
            raise ValueError(
                f"{owner}: {name} must be numeric. Got dtype {arr.dtype}; "
                "encode text columns first."
            ) from e
    if arr.ndim not in ndim:
        raise ValueError(
            f"{owner}: {name} must have {' or '.join(map(str, ndim))} dimensions. "
            f"Got shape {arr.shape}."
            + (" Reshape a single feature with X.reshape(-1, 1)." if arr.ndim == 1 else "")
        )
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{owner}: {name} is empty (shape {arr.shape}); pass at least one sample.")
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    # A sum is NaN/inf when any value is (a cheap first test that allocates no mask the
    # size of X; a finite sum that overflowed falls through to the exact check).
    if arr.dtype.kind == "f":
        with np.errstate(over="ignore", invalid="ignore"):
            total = np.add.reduce(arr, axis=None)
    if arr.dtype.kind == "f" and not np.isfinite(total) and not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(
            f"{owner}: {name} contains NaN or inf (first at index {tuple(int(i) for i in bad)}). "
            "Remove or impute those values."
        )
    return arr
