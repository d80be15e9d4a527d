"""PyTorch's in-place initializers: ``nn.init.kaiming_uniform_(layer.W)`` and the rest.

They fill a tensor's values in place and return it, as ``torch.nn.init``'s do (glassnet's
own initializers, :mod:`glassnet.nn.init`, take a shape and return a new array):

>>> import numpy as np
>>> from glassnet import nn
>>> layer = nn.Linear(3, 2, rng=0)
>>> w = nn.init.xavier_uniform_(layer.W, generator=0)
>>> w is layer.W, bool(np.abs(layer.W.data).max() <= np.sqrt(6 / (3 + 2)))
(True, True)

**Fans in the lecture's layout.** A weight is ``W: (inputs, neurons)``, the transpose of
PyTorch's ``weight: (out, in)``, so fan_in is ``W.shape[0]`` here where PyTorch reads
``weight.shape[1]``: the same number, the number of inputs. ``kaiming_uniform_(layer.W)``
draws from the distribution ``kaiming_uniform_(layer.weight)`` draws from in PyTorch (the
values differ: the generators differ). A vector (a bias) has no fans: the fan-based
initializers refuse it, as PyTorch's do.

**A weight kept in PyTorch's layout** ``(out, in)`` (a port's own ``nn.Parameter`` used with
:func:`glassnet.nn.functional.linear`, which takes that layout) is read so with
``layout="torch"``: ``kaiming_uniform_(self.weight, a=math.sqrt(5), layout="torch")`` reads
fan_in = ``weight.shape[1]``, as PyTorch's. Without it such a weight is read as a W, its
fans swapped (for a 1024 -> 16 layer, 8 times PyTorch's spread). Every fan-based
initializer and ``sparse_`` take ``layout`` (``"lecture"``, the default, or ``"torch"``; the
xavier laws read both fans, so the two layouts draw alike).

``F.linear`` warns at its first call with a weight that kaiming_uniform_ or kaiming_normal_
drew without ``layout="torch"``, non-square and holding those values still (not since
written: a loaded state_dict, another init), unless it is a glassnet Linear's own ``W``
(drawn for that layer, as tied weights reuse it). Nothing else warns: sparse_ does not
(its zeros fall per row instead of per column), nor the xavier laws (alike in both
layouts), nor a copy of such a weight (``copy.deepcopy``, ``clone()``).

``generator``: None (glassnet's default generator, :func:`glassnet.manual_seed`), an int
seed or a ``numpy.random.Generator``. The values are drawn in float64 and written in the
tensor's dtype, into its own memory (a parameter packed into an optimizer's flat buffer
stays packed).

``x.normal_(mean, std)`` and ``x.uniform_(a, b)`` (PyTorch's Tensor methods, with
``generator=``) draw as ``normal_(x, ...)`` and ``uniform_(x, ...)`` here, under the rules of
``x.copy_(src)``: a parameter inside ``no_grad()``, as PyTorch's.

``calculate_gain``, ``uniform_``, ``normal_``, ``trunc_normal_``, ``constant_``, ``ones_``,
``zeros_``, ``eye_``, ``xavier_uniform_``, ``xavier_normal_``, ``kaiming_uniform_``,
``kaiming_normal_``, ``orthogonal_``, ``sparse_`` (a dense W with zeros, in the lecture's
layout as the fans are). (PyTorch's ``dirac_`` is not here: glassnet has no convolutions.)
"""

from __future__ import annotations

import gc
import math
import warnings
import weakref
from typing import Any

import numpy as np

from .._validation import as_rng, check_fits, check_setting, missing_name
from ..backend import asarray
from ..gradient import Grad
from ..habits import check_writable, write_values
from ..tensor import Tensor
from .init import normal, uniform, xavier_normal, xavier_uniform  # (the laws, drawn once)

# fmt: off
__all__ = [
    "calculate_gain", "constant_", "eye_", "kaiming_normal_", "kaiming_uniform_", "normal_",
    "ones_", "orthogonal_", "sparse_", "trunc_normal_", "uniform_", "xavier_normal_",
    "xavier_uniform_", "zeros_",
]
# fmt: on

_LINEAR = ("linear", "identity", "sigmoid", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
           "conv_transpose2d", "conv_transpose3d")  # fmt: skip
_REAL = {}  # any real number
_POSITIVE = {"low": 0, "low_open": True}


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """PyTorch's recommended gain for ``nonlinearity``: 1 for linear (identity) and
    sigmoid, 5/3 for tanh, √2 for relu, √(2 / (1 + a²)) for leaky_relu (``param`` = a,
    default 0.01), 3/4 for selu."""
    if nonlinearity in _LINEAR:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        a = 0.01 if param is None else check_setting(param, "param", "calculate_gain", _REAL)
        return math.sqrt(2.0 / (1 + a**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(
        f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; choose from "
        f"{[*_LINEAR[:3], 'tanh', 'relu', 'leaky_relu', 'selu']} (PyTorch's names)."
    )


def _target(tensor: Any, owner: str) -> np.ndarray:
    """The float array to fill: a Tensor's (or Parameter's) ``.data``, or an array itself."""
    data = tensor.data if isinstance(tensor, Tensor) else tensor
    if not hasattr(data, "dtype") or not hasattr(data, "shape") or data.dtype.kind != "f":
        got = getattr(data, "dtype", type(tensor).__name__)
        raise TypeError(
            f"{owner} fills a float Tensor, Parameter or array in place (e.g. layer.W); "
            f"got {got!s:.80}."
        )
    return data


def _fill(tensor: Any, values: Any, owner: str) -> Any:
    data = _target(tensor, owner)
    check_fits(values, data.dtype, f"nn.init.{owner}", "what it writes")  # (not inf from a finite)
    data[...] = asarray(np.asarray(values, dtype=np.float64), like=data, dtype=data.dtype)
    if isinstance(tensor, Tensor):  # (new values: any mark of the old ones is off)
        _READ_AS_W.pop(id(tensor), None)
    return tensor


_LAYOUTS = ("lecture", "torch")  # W: (inputs, neurons), or PyTorch's weight: (out, in)
_READ_AS_W: dict[int, tuple] = {}  # id(tensor) -> (weakref, initializer, its values' sum)


def _check_layout(layout: Any, owner: str) -> None:
    if not isinstance(layout, str) or layout not in _LAYOUTS:
        raise ValueError(
            f"{owner}: layout must be 'lecture' (the tensor is a W: (inputs, neurons), "
            f"glassnet's Linear's) or 'torch' (PyTorch's weight: (out, in), as "
            f"nn.functional.linear takes it). Got {layout!r:.40}."
        )


def _fans(data: Any, owner: str, layout: Any = "lecture") -> tuple[int, int]:
    """(fan_in, fan_out) of a weight matrix in ``layout``; (1, 1) for one of no values,
    after a warning that nothing is drawn (PyTorch's, for a zero-element tensor)."""
    _check_layout(layout, owner)
    if data.ndim == 2 and data.size == 0:
        warnings.warn(
            f"{owner}: the tensor of shape {tuple(data.shape)} holds no values; nothing to "
            "initialize.",
            UserWarning,
            stacklevel=3,
        )
        return 1, 1
    if data.ndim != 2:
        raise ValueError(
            f"{owner}: fan in and fan out are those of a weight matrix W: (inputs, neurons); "
            f"got a tensor of shape {tuple(data.shape)}. Initialize a bias with zeros_, "
            "constant_, uniform_ or normal_."
        )
    fans = int(data.shape[0]), int(data.shape[1])
    return fans[::-1] if layout == "torch" else fans


def _mark(tensor: Any, owner: str, layout: str) -> Any:
    """Remember a non-square Tensor whose fans ``owner`` read as a W, for :func:`warn_layout`
    (with its values' sum: a write since, a loaded state_dict, takes the mark off)."""
    shape = tensor.shape if isinstance(tensor, Tensor) else ()  # (no values: nothing drawn)
    if layout == "lecture" and len(shape) == 2 and shape[0] != shape[1] and 0 not in shape:
        key = id(tensor)  # (by identity: == on tensors compares values)
        gone = weakref.ref(tensor, lambda _: _READ_AS_W.pop(key, None))
        _READ_AS_W[key] = (gone, owner, float(tensor.data.sum()))
    return tensor


def warn_layout(weight: Tensor) -> None:
    """Warn (once) when ``weight``, taken as PyTorch's ``(out, in)``, holds the values an
    initializer drew reading it as the lecture's W: their spread is then not PyTorch's."""
    ref, owner, total = _READ_AS_W.pop(id(weight), (None,) * 3) if _READ_AS_W else (None,) * 3
    if ref is None or ref() is not weight or float(weight.data.sum()) != total:
        return
    if not _a_linears_w(weight):
        out, inputs = weight.shape
        warnings.warn(
            f"nn.functional.linear takes weight of shape {(out, inputs)} as PyTorch's "
            f"(out, in), fan_in {inputs}, but nn.init.{owner} read it as the lecture's W: "
            f"(inputs, neurons), fan_in {out}, so its values do not have PyTorch's spread. "
            f"Initialize it with nn.init.{owner}(weight, ..., layout='torch').",
            UserWarning,
            stacklevel=3,
        )


def _a_linears_w(weight: Tensor) -> bool:
    """Whether ``weight`` is the ``W`` of a glassnet Linear: a W drawn in the lecture's layout
    on purpose, for that layer, and used as its transpose with F.linear (tied weights: a
    decoder's ``F.linear(h, encoder.W)``). Looked up among what holds it (a Linear, or its
    ``__dict__``), only for a weight about to be warned of: once."""
    from .layers import Linear

    for holder in gc.get_referrers(weight):
        if isinstance(holder, Linear) and holder.W is weight:
            return True
        if isinstance(holder, dict) and holder.get("W") is weight:
            owners = gc.get_referrers(holder)
            if any(isinstance(m, Linear) and vars(m) is holder for m in owners):
                return True
    return False


def _rng(generator: Any, owner: str) -> np.random.Generator:
    return as_rng(generator, owner, "generator")


def uniform_(tensor: Any, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Any:
    """Values from U(a, b), in place; returns ``tensor``."""
    return _uniform(tensor, a, b, generator, ("a", "b"))


def _uniform(tensor: Any, a: Any, b: Any, generator: Any, names: tuple[str, str]) -> Any:
    """:func:`uniform_`, its bounds named as the caller gave them (PyTorch's ``x.uniform_``
    calls them ``from`` and ``to``)."""
    data, owner = _target(tensor, "uniform_"), "uniform_"
    a, b = (check_setting(v, n, owner, _REAL) for v, n in zip((a, b), names))
    if a > b:
        low, high = names
        raise ValueError(
            f"uniform_: the lower bound {low}={a} is above the upper bound {high}={b}."
        )
    return _fill(tensor, uniform(data.shape, _rng(generator, owner), np.float64, a, b), owner)


def normal_(tensor: Any, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Any:
    """Values from N(mean, std²), in place; returns ``tensor``."""
    data, owner = _target(tensor, "normal_"), "normal_"
    mean = check_setting(mean, "mean", owner, _REAL)
    std = check_setting(std, "std", owner, {"low": 0})
    values = normal(data.shape, _rng(generator, owner), np.float64, mean, std)
    return _fill(tensor, values, owner)


def trunc_normal_(
    tensor: Any,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: Any = None,
) -> Any:
    """Values from N(mean, std²) truncated to [a, b] (drawn again until inside), in place;
    returns ``tensor``. The bounds are values, not standard deviations, as in PyTorch."""
    data, owner = _target(tensor, "trunc_normal_"), "trunc_normal_"
    given = ((mean, "mean"), (a, "a"), (b, "b"))
    mean, a, b = (check_setting(v, n, owner, _REAL) for v, n in given)
    std = check_setting(std, "std", owner, _POSITIVE)
    if not a < b:
        raise ValueError(f"trunc_normal_: the interval [a, b] = [{a}, {b}] is empty.")
    lo, hi = (a - mean) / std, (b - mean) / std  # in standard deviations
    mass = 0.5 * (math.erf(hi / math.sqrt(2)) - math.erf(lo / math.sqrt(2)))
    if mass < 1e-3:  # (draws kept one in 1/mass: the loop below would all but never end)
        raise ValueError(
            f"trunc_normal_: [a, b] = [{a}, {b}] holds {mass:.2g} of N({mean}, {std}²)'s mass, "
            "too little to draw from by rejection; move the mean into [a, b] or widen std."
        )
    rng, z = _rng(generator, owner), np.empty(data.shape)
    todo = np.ones(data.shape, bool)
    while todo.any():  # each round keeps the draws inside [lo, hi]
        z[todo] = rng.standard_normal(int(todo.sum()))
        todo &= (z < lo) | (z > hi)
    return _fill(tensor, mean + std * z, owner)


def constant_(tensor: Any, val: float) -> Any:
    """Every value ``val``, in place; returns ``tensor``."""
    _target(tensor, "constant_")
    return _fill(tensor, check_setting(val, "val", "constant_", _REAL), "constant_")


def ones_(tensor: Any) -> Any:
    """Every value 1, in place; returns ``tensor``."""
    return _fill(tensor, 1.0, "ones_")


def zeros_(tensor: Any) -> Any:
    """Every value 0, in place; returns ``tensor``."""
    return _fill(tensor, 0.0, "zeros_")


def eye_(tensor: Any) -> Any:
    """The identity matrix (ones on the diagonal of a 2-D tensor), in place; returns it."""
    data = _target(tensor, "eye_")
    if data.ndim != 2:
        raise ValueError(f"eye_ fills a 2-D tensor; got one of shape {tuple(data.shape)}.")
    return _fill(tensor, np.eye(*data.shape), "eye_")


def xavier_uniform_(
    tensor: Any, gain: float = 1.0, generator: Any = None, *, layout: str = "lecture"
) -> Any:
    """Glorot/Xavier: U(-a, a), a = gain · √(6 / (fan_in + fan_out)), in place (``layout``:
    the module's docstring; the sum of the fans is the same in both)."""
    data, owner = _target(tensor, "xavier_uniform_"), "xavier_uniform_"
    _fans(data, owner, layout)
    gain = check_setting(gain, "gain", owner, {"low": 0})  # (>= 0: a negative gain, a negative std)
    values = xavier_uniform(data.shape, _rng(generator, owner), np.float64, gain)
    return _fill(tensor, values, owner)  # (the fans read alike in both layouts)


def xavier_normal_(
    tensor: Any, gain: float = 1.0, generator: Any = None, *, layout: str = "lecture"
) -> Any:
    """Glorot/Xavier: N(0, s²), s = gain · √(2 / (fan_in + fan_out)), in place (``layout``:
    see :func:`xavier_uniform_`)."""
    data, owner = _target(tensor, "xavier_normal_"), "xavier_normal_"
    _fans(data, owner, layout)
    gain = check_setting(gain, "gain", owner, {"low": 0})
    values = xavier_normal(data.shape, _rng(generator, owner), np.float64, gain)
    return _fill(tensor, values, owner)


def _kaiming_std(
    data: Any, a: float, mode: str, nonlinearity: str, owner: str, layout: str
) -> float:
    fan_in, fan_out = _fans(data, owner, layout)
    mode = check_setting(mode, "mode", owner, ("fan_in", "fan_out"))
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(
    tensor: Any,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Any = None,
    *,
    layout: str = "lecture",
) -> Any:
    """He/Kaiming: U(-bound, bound), bound = gain · √(3 / fan), ``fan`` the inputs
    (``mode="fan_in"``) or the neurons (``"fan_out"``), ``gain`` =
    ``calculate_gain(nonlinearity, a)`` (√2 for the default, leaky ReLU with a = 0), in place.
    The inputs are ``W.shape[0]`` (``layout="lecture"``, the default) or, of a weight in
    PyTorch's layout (out, in), ``weight.shape[1]`` (``layout="torch"``)."""
    data, owner = _target(tensor, "kaiming_uniform_"), "kaiming_uniform_"
    bound = math.sqrt(3.0) * _kaiming_std(data, a, mode, nonlinearity, owner, layout)
    values = _rng(generator, owner).uniform(-bound, bound, data.shape)
    return _mark(_fill(tensor, values, owner), owner, layout)


def kaiming_normal_(
    tensor: Any,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Any = None,
    *,
    layout: str = "lecture",
) -> Any:
    """He/Kaiming: N(0, std²), std = gain / √fan (see :func:`kaiming_uniform_`, ``layout``
    too), in place."""
    data, owner = _target(tensor, "kaiming_normal_"), "kaiming_normal_"
    std = _kaiming_std(data, a, mode, nonlinearity, owner, layout)
    values = std * _rng(generator, owner).standard_normal(data.shape)
    return _mark(_fill(tensor, values, owner), owner, layout)


def orthogonal_(tensor: Any, gain: float = 1.0, generator: Any = None) -> Any:
    """A (semi-)orthogonal matrix times ``gain``, in place: PyTorch's construction (the Q
    of a QR decomposition of a normal matrix, its signs fixed by R's diagonal), so the
    rows are orthonormal when there are fewer rows than columns, else the columns."""
    data, owner = _target(tensor, "orthogonal_"), "orthogonal_"
    if data.ndim != 2:
        raise ValueError(f"orthogonal_ fills a 2-D tensor; got one of shape {tuple(data.shape)}.")
    gain = check_setting(gain, "gain", owner, _REAL)
    rows, cols = data.shape
    flat = _rng(generator, owner).standard_normal((rows, cols))
    flat = flat.T if rows < cols else flat
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))
    return _fill(tensor, gain * (q.T if rows < cols else q), owner)


def sparse_(
    tensor: Any,
    sparsity: float,
    std: float = 0.01,
    generator: Any = None,
    *,
    layout: str = "lecture",
) -> Any:
    """PyTorch's ``sparse_`` (Martens, 2010): values from N(0, std²), then, for each input,
    the connections to ``ceil(sparsity · neurons)`` of the neurons, chosen at random, set to
    0, in place; returns ``tensor``.

    **In the lecture's layout.** PyTorch zeroes that fraction of each *column* of its
    ``weight: (out, in)``, a column being one input's connections to the ``out`` neurons.
    Here ``W: (inputs, neurons)`` is that weight transposed, so the same column is a *row*
    of W: each row of W gets ``ceil(sparsity · W.shape[1])`` zeros, and
    ``sparse_(layer.W, s)`` draws from the distribution PyTorch's
    ``sparse_(layer.weight, s)`` draws from (the values differ: the generators differ).
    Every neuron keeps about ``1 - sparsity`` of its inputs. ``layout="torch"``: ``tensor``
    is PyTorch's ``weight: (out, in)``, and each of its columns gets the zeros, as there.

    ``sparsity`` in [0, 1]; ``std`` >= 0; a 2-D tensor only, as PyTorch's.

    >>> import numpy as np
    >>> from glassnet import nn
    >>> W = nn.init.sparse_(np.empty((4, 10)), sparsity=0.3, generator=0)
    >>> (W == 0).sum(axis=1).tolist()
    [3, 3, 3, 3]
    """
    data, owner = _target(tensor, "sparse_"), "sparse_"
    if data.ndim != 2:
        raise ValueError(
            f"sparse_ fills a 2-D weight W: (inputs, neurons), as PyTorch's takes 2-D tensors "
            f"only; got a tensor of shape {tuple(data.shape)}."
        )
    sparsity = check_setting(sparsity, "sparsity", owner, {"low": 0, "high": 1})
    std = check_setting(std, "std", owner, {"low": 0})
    _check_layout(layout, owner)
    inputs, neurons = data.shape[::-1] if layout == "torch" else data.shape
    zeros = math.ceil(sparsity * neurons)  # (per input: PyTorch's per column of weight)
    rng = _rng(generator, owner)
    values = normal((inputs, neurons), rng, np.float64, 0.0, std)  # (as a W)
    if zeros and inputs:  # each row's own random choice of neurons: a permutation per row
        chosen = np.argsort(rng.random((inputs, neurons)), axis=1)[:, :zeros]
        np.put_along_axis(values, chosen, 0.0, axis=1)
    return _fill(tensor, values.T if layout == "torch" else values, owner)


def _pytorch_args(name: str, names: tuple[str, str], args: tuple, kwargs: dict) -> list[Any]:
    """The two numbers of PyTorch's ``x.normal_(mean=0, std=1, *, generator)`` /
    ``x.uniform_(from=0, to=1, *, generator)``, by position or by PyTorch's names (nn.init's
    ``a=``/``b=`` are not the method's); anything else a TypeError saying what to write."""
    given = dict(zip(names, args))
    if len(args) > 2 or not set(names).issuperset(kwargs) or given.keys() & kwargs.keys():
        raise TypeError(
            f"{name}() takes {names[0]} and {names[1]} (two at most by position) and generator= "
            f"by keyword, as PyTorch's. Got {len(args)} positional and the keywords "
            f"{sorted(kwargs)}."
        )
    given.update(kwargs)
    return [given.get(k, d) for k, d in zip(names, (0.0, 1.0))]


def _pytorch_uniform(target: Any, *args: Any, generator: Any = None, **kwargs: Any) -> Any:
    """PyTorch's ``x.uniform_(from=0, to=1, *, generator=None)`` into ``target``."""
    low, high = _pytorch_args("uniform_", ("from", "to"), args, kwargs)
    return _uniform(target, low, high, generator, ("from", "to"))


def _pytorch_normal(target: Any, *args: Any, generator: Any = None, **kwargs: Any) -> Any:
    """PyTorch's ``x.normal_(mean=0, std=1, *, generator=None)`` into ``target``."""
    return normal_(target, *_pytorch_args("normal_", ("mean", "std"), args, kwargs), generator)


def _drawn(fill: Any, name: str) -> Any:
    """PyTorch's ``x.normal_(mean, std)`` / ``x.uniform_(from, to)``: ``fill`` drawn into a new
    array of x's dtype, written into x under ``copy_``'s rules (checked before a value is
    drawn)."""

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        what = f"x.{name}(...)"
        check_writable(self, what, fix=f"or call nn.init.{name}(x, ...), which writes as an init.")
        fresh = np.empty_like(self.data)  # (x's dtype, and its array module)
        return write_values(self, what, fill(fresh, *args, **kwargs))

    method.__doc__ = f"PyTorch's ``x.{name}(...)``: :func:`glassnet.nn.init.{name}` into x."
    return method


_PYTORCH = ((_pytorch_normal, "normal_"), (_pytorch_uniform, "uniform_"))
Tensor.normal_, Tensor.uniform_ = (_drawn(f, n) for f, n in _PYTORCH)
Grad.normal_, Grad.uniform_ = _pytorch_normal, _pytorch_uniform  # (into the gradient itself)


# nn.init.sparse_ (glassnet.nn.init imports the others by name, above this module)
from . import init as _init  # noqa: E402

_init.sparse_ = sparse_


def _missing(name: str) -> Any:  # (nn.init's __getattr__: PyTorch's names it has not)
    raise missing_name("glassnet.nn.init", name)


_init.__getattr__ = _missing  # type: ignore[attr-defined]
