"""Weight initializers. Each takes a shape ``(inputs, neurons)``, a seed or Generator and a dtype.

fan_in = inputs, fan_out = neurons (the lecture's layout W: (inputs, neurons)); a
vector's one length counts as both. ``rng=None`` draws from glassnet's default
generator (:func:`glassnet.manual_seed`).

>>> from glassnet.nn import init
>>> init.xavier_uniform((2, 3), rng=0).shape
(2, 3)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._validation import as_rng, check_name, checked_initializer

Shape = tuple[int, ...]
F32 = np.float32  # the default dtype of every initializer


def uniform(
    shape: Shape, rng: Any = None, dtype: Any = F32, low: float = -0.05, high: float = 0.05
) -> np.ndarray:
    """W ~ U(low, high)."""
    return as_rng(rng, "an initializer", "rng").uniform(low, high, size=shape).astype(dtype)


def normal(
    shape: Shape, rng: Any = None, dtype: Any = F32, mean: float = 0.0, std: float = 0.01
) -> np.ndarray:
    """W ~ N(mean, std^2)."""
    return (mean + std * as_rng(rng, "an initializer", "rng").standard_normal(shape)).astype(dtype)


def xavier_uniform(
    shape: Shape, rng: Any = None, dtype: Any = F32, gain: float = 1.0
) -> np.ndarray:
    """Glorot/Xavier uniform: W ~ U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out))."""
    a = gain * np.sqrt(6.0 / (shape[0] + shape[-1]))
    return uniform(shape, rng, dtype, low=-a, high=a)


def xavier_normal(shape: Shape, rng: Any = None, dtype: Any = F32, gain: float = 1.0) -> np.ndarray:
    """Glorot/Xavier normal: W ~ N(0, s^2), s = gain * sqrt(2 / (fan_in + fan_out))."""
    return normal(shape, rng, dtype, std=gain * np.sqrt(2.0 / (shape[0] + shape[-1])))


def he_uniform(shape: Shape, rng: Any = None, dtype: Any = F32) -> np.ndarray:
    """He/Kaiming uniform (for ReLU): W ~ U(-a, a), a = sqrt(6 / fan_in)."""
    a = np.sqrt(6.0 / shape[0])
    return uniform(shape, rng, dtype, low=-a, high=a)


def he_normal(shape: Shape, rng: Any = None, dtype: Any = F32) -> np.ndarray:
    """He/Kaiming normal (for ReLU): W ~ N(0, 2 / fan_in)."""
    return normal(shape, rng, dtype, std=np.sqrt(2.0 / shape[0]))


def zeros(shape: Shape, rng: Any = None, dtype: Any = F32) -> np.ndarray:
    """W = 0 (every neuron of a layer then learns the same thing: use for biases)."""
    return np.zeros(shape, dtype=dtype)


def constant(shape: Shape, rng: Any = None, dtype: Any = F32, value: float = 0.0) -> np.ndarray:
    """W = value everywhere."""
    return np.full(shape, value, dtype=dtype)


_ALL = (xavier_uniform, xavier_normal, he_uniform, he_normal, normal, uniform, zeros, constant)
_ALL = tuple(map(checked_initializer, _ALL))  # (arguments checked, as normal_'s and Linear's)
xavier_uniform, xavier_normal, he_uniform, he_normal, normal, uniform, zeros, constant = _ALL
INITIALIZERS: dict[str, Callable[..., np.ndarray]] = {f.__name__: f for f in _ALL}
INITIALIZERS.update(glorot_uniform=xavier_uniform, glorot_normal=xavier_normal)
INITIALIZERS.update(kaiming_uniform=he_uniform, kaiming_normal=he_normal)


def get_initializer(name: str | Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """Look up an initializer by name, or pass a callable ``f(shape, rng, dtype)`` through."""
    return name if callable(name) else check_name(name, INITIALIZERS, "initializer")


# PyTorch's in-place initializers of a tensor (kaiming_uniform_(layer.W), ...), beside the
# shape-taking ones above: glassnet.nn.init_inplace
# isort: off
from .init_inplace import (  # noqa: E402, F401 (nn.init.kaiming_uniform_, ...)
    calculate_gain, constant_, eye_, kaiming_normal_, kaiming_uniform_, normal_, ones_,
    orthogonal_, trunc_normal_, uniform_, xavier_normal_, xavier_uniform_, zeros_,
)  # fmt: skip
# isort: on

__all__ = [
    "INITIALIZERS", "calculate_gain", "constant", "constant_", "eye_", "get_initializer",
    "he_normal", "he_uniform", "kaiming_normal_", "kaiming_uniform_", "normal", "normal_",
    "ones_", "orthogonal_", "trunc_normal_", "uniform", "uniform_", "xavier_normal",
    "xavier_normal_", "xavier_uniform", "xavier_uniform_", "zeros", "zeros_",
    "sparse_",  # noqa: F822 (nn.init_inplace sets it here when it is imported)
]  # fmt: skip
