"""PyTorch's further layers for MLPs: ``nn.GELU``, ``nn.SiLU``, ``nn.ELU``, ``nn.Softplus``,
``nn.LayerNorm``, ``nn.BatchNorm1d``, ``nn.LogSoftmax``, ``nn.Hardtanh`` and ``nn.Unflatten``,
and their functions (``F.gelu``, ``F.silu``, ``F.elu``, ``F.softplus``, ``F.layer_norm``,
``hardtanh``), as PyTorch names and computes them.

They run on the autodiff graph only: they are not activations of the lecture's table
(:data:`glassnet.functional.ACTIVATIONS`), so the fast path (``fit(engine='fused')``),
:func:`glassnet.explain` and the ONNX export, which read a network as Linear layers and
the table's activations, refuse a network holding one, and ``fit`` trains it on the graph.

* Each activation is one node of the graph with its own derivative (as the table's are),
  computed where the composition of Tensor ops would lose digits or give NaN: SiLU's
  sigmoid with a relative error of an ulp for z < 0 too (``x * x.sigmoid()`` has an
  absolute one, 1e-3 relative at z = -30), Softplus as max(βx, 0) + log1p(e^−|βx|) (no
  overflow at any β x), the values and gradients at ±inf their limits (PyTorch's are NaN
  at some). The exact GELU needs erf, which NumPy lacks: :func:`erf` and :func:`erfc`
  below, vectorised, from W. J. Cody's rational Chebyshev approximations.
* ``LayerNorm`` is composed from Tensor ops (the mean, the biased variance, sqrt):
  gradient-checked as each of them is. Its parameters are ``weight`` and ``bias``, as
  PyTorch's, so a state_dict's names are PyTorch's (``"1.weight"``).
* ``BatchNorm1d`` too (the batch's mean and biased variance on the graph, so the gradient
  flows through them); its running statistics are buffers (``Module.register_buffer``),
  updated outside the graph: in the state_dict by PyTorch's names, never parameters.

Nothing of the engine imports this module; ``glassnet.nn`` exports its names, and
:func:`glassnet.nn.from_config` rebuilds its modules (``gn.save(model)`` / ``gn.load``).

>>> import numpy as np, glassnet as gn
>>> gn.nn.GELU()(np.array([-1.0, 0.0, 1.0])).numpy().round(6)
array([-0.158655,  0.      ,  0.841345])
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._validation import (
    ParameterError,
    check_bool,
    check_choice,
    check_float_dtype,
    check_no_inplace,
    check_number,
    check_size,
    implicit_dim,
)
from ..backend import device_of
from ..tensor import Tensor, as_tensor, get_default_dtype
from .module import Module, Parameter

# fmt: off
__all__ = [
    "GELU", "SiLU", "ELU", "Softplus", "LayerNorm", "BatchNorm1d", "LogSoftmax", "gelu",
    "silu", "elu", "softplus", "layer_norm", "erf", "erfc", "Hardtanh", "hardtanh",
    "Unflatten", "unflattened_shape", "unflattened_sizes",
]
# fmt: on


# ------------------------------------------------------------------------------------ erf
# W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23
# (1969) 631-637, as in his SPECFUN routine CALERF (netlib.org/specfun/erf): a relative error
# of a few ulps in float64 (the tests hold erf and erfc to math.erf and math.erfc within 1e-15).
_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
      3.20937758913846947e03, 1.85777706184603153e-1)  # fmt: skip
_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
      2.84423683343917062e03)  # fmt: skip
_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
      2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
      2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)  # fmt: skip
_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
      1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
      3.43936767414372164e03, 1.23033935480374942e03)  # fmt: skip
_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
      1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)  # fmt: skip
_Q = (2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
      6.05183413124413191e-2, 2.33520497626869185e-3)  # fmt: skip
_SQRT_1_PI = 5.6418958354775628695e-1  # 1 / sqrt(pi)


def _exp_minus_square(y: np.ndarray) -> np.ndarray:
    """e^(−y²) as Cody computes it: y² split as s² + (y − s)(y + s), s = y to 1/16, so that
    the rounding of y² (an absolute error of y² ulp in the exponent) does not enter."""
    s = np.trunc(y * 16.0) / 16.0
    return np.exp(-s * s) * np.exp(-(y - s) * (y + s))


def _cody(x: Any) -> tuple[np.ndarray, np.ndarray]:
    """(erf(x), erfc(x)) in float64, each to an ulp or so: erf directly for |x| <= 0.46875,
    erfc(|x|) by its rational forms on (0.46875, 4] and (4, 26.543) (beyond: 0, Cody's
    cut: erfc is below 2.3e-308 there, the subnormal range, 5e-319 at 27), the other from
    it; NaN stays NaN."""
    x = np.asarray(x, dtype=np.float64)
    y = np.abs(x)
    erf_, erfc_ = np.full_like(x, np.nan), np.full_like(x, np.nan)
    small = y <= 0.46875
    ys = y[small]
    z = np.where(ys > 1.11e-16, ys * ys, 0.0)
    num, den = _A[4] * z, z
    for a, b in zip(_A[:3], _B[:3]):
        num, den = (num + a) * z, (den + b) * z
    e = x[small] * (num + _A[3]) / (den + _B[3])
    erf_[small], erfc_[small] = e, 1.0 - e
    tail = np.zeros_like(x)  # erfc(|x|) where |x| > 0.46875
    mid = (y > 0.46875) & (y <= 4.0)
    ym = y[mid]
    num, den = _C[8] * ym, ym
    for c, d in zip(_C[:7], _D[:7]):
        num, den = (num + c) * ym, (den + d) * ym
    tail[mid] = _exp_minus_square(ym) * (num + _C[7]) / (den + _D[7])
    far = (y > 4.0) & (y < 26.543)
    yf = y[far]
    z = 1.0 / (yf * yf)
    num, den = _P[5] * z, z
    for p, q in zip(_P[:4], _Q[:4]):
        num, den = (num + p) * z, (den + q) * z
    tail[far] = _exp_minus_square(yf) * (_SQRT_1_PI - z * (num + _P[4]) / (den + _Q[4])) / yf
    out = y > 0.46875  # (and not NaN)
    t, neg = tail[out], x[out] < 0
    erf_[out] = np.where(neg, -1.0, 1.0) * ((0.5 - t) + 0.5)
    erfc_[out] = np.where(neg, 2.0 - t, t)
    return erf_, erfc_


def erf(x: Any) -> np.ndarray:
    """The error function, 2/√π ∫₀ˣ e^(−t²) dt, elementwise on a NumPy array (float64; a
    float32 array gives float32): Cody's approximations, within an ulp or two of
    ``math.erf``. Not a Tensor op (no gradient): :func:`gelu` uses it."""
    a = np.asarray(x)
    return _cody(a)[0].astype(a.dtype if a.dtype == np.float32 else np.float64)


def erfc(x: Any) -> np.ndarray:
    """1 − erf(x), without the cancellation (its relative error an ulp or two out to
    x = 26.543; beyond it 0, where the true value is subnormal, below 2.3e-308),
    elementwise as :func:`erf`."""
    a = np.asarray(x)
    return _cody(a)[1].astype(a.dtype if a.dtype == np.float32 else np.float64)


# ------------------------------------------------------------------------------------ helpers
def _unary(x: Any, op: str, value: np.ndarray, grad: np.ndarray) -> Tensor:
    """One node of the graph: ``value`` (in x's dtype), with d out / dx = ``grad``."""
    t = as_tensor(x)
    dt = t.data.dtype
    value, grad = value.astype(dt, copy=False), grad.astype(dt, copy=False)
    return Tensor.from_op(value, op, (t,), lambda g: (g * grad,))


def _values(input: Any, owner: str) -> np.ndarray:
    """The input's values, a NumPy array: these ops index, mask and clip with NumPy's own
    calls, which a GPU array (CuPy's) does not take: refused there, saying so."""
    data = as_tensor(input).data
    if device_of(data) != "cpu":
        raise TypeError(
            f"{owner}: glassnet computes it on NumPy arrays (the CPU) only. Got an array on "
            f"{device_of(data)!r}: train this model on the CPU (model.to('cpu'), fit(..., "
            "device='cpu')); LayerNorm and LogSoftmax, made of Tensor ops, run on a GPU."
        )
    return data


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) with a relative error of an ulp on both sides: e^z / (1 + e^z) for z < 0 (no
    overflow: e^−|z| <= 1), 1 / (1 + e^−z) for z >= 0."""
    e = np.exp(-np.abs(z))
    return np.where(z < 0, e, 1.0) / (1.0 + e)


# ------------------------------------------------------------------------------------ functions
_GELU_K = math.sqrt(2.0 / math.pi)  # the tanh approximation's √(2/π) and 0.044715
_GELU_C = 0.044715


def gelu(input: Any, approximate: str = "none") -> Tensor:
    """GELU(x) = x Φ(x), Φ the standard normal CDF, ½ erfc(−x/√2) (``approximate='none'``),
    or ``'tanh'``: ½ x (1 + tanh(√(2/π) (x + 0.044715 x³))), as PyTorch's ``F.gelu``.
    d/dx = Φ(x) + x φ(x), φ(x) = e^(−x²/2)/√(2π) (the tanh form's own derivative for
    ``'tanh'``). Computed in float64 (erf), returned in the input's dtype; at −inf the
    value and gradient are 0, at +inf ∞ and 1 (PyTorch's are NaN there)."""
    approximate = check_choice(approximate, "approximate", "gelu", ("none", "tanh"))
    x = _values(input, "gelu").astype(np.float64)
    xc = np.clip(x, -40.0, 40.0)  # (beyond ±40: Φ is 0 or 1 and x φ(x) is 0, exactly)
    with np.errstate(invalid="ignore"):  # (NaN in, NaN out)
        if approximate == "none":
            cdf = 0.5 * _cody(-x / math.sqrt(2.0))[1]
            value = np.multiply(x, cdf, out=np.zeros_like(x), where=cdf != 0)  # (0 at -inf)
            grad = cdf + xc * np.exp(-0.5 * xc * xc) / math.sqrt(2.0 * math.pi)
        else:
            xc = np.clip(x, -10.0, 10.0)  # (|u| > 43 there: tanh(u) is ±1 exactly)
            t = np.tanh(_GELU_K * (xc + _GELU_C * xc**3))
            value = np.multiply(0.5 * x, 1.0 + t, out=np.zeros_like(x), where=t != -1)
            grad = 0.5 * (1.0 + t) + 0.5 * xc * (1.0 - t * t) * _GELU_K * (
                1.0 + 3.0 * _GELU_C * xc * xc
            )
    return _unary(input, "gelu", value, grad)


def silu(input: Any, inplace: bool = False) -> Tensor:
    """SiLU(x) = x σ(x) (PyTorch's ``F.silu``, the swish); d/dx = σ(x) (1 + x (1 − σ(x))).
    The sigmoid exact to an ulp relatively for x < 0 too; at ±inf the limits (0 and ∞;
    gradients 0 and 1) where PyTorch gives NaN. ``inplace``: False only."""
    check_no_inplace(inplace, "silu")
    x = _values(input, "silu")
    s = _sigmoid(x)
    big = np.isinf(x)
    with np.errstate(invalid="ignore"):
        value = np.where(big, np.maximum(x, 0), x * s)
        grad = np.where(big, x > 0, s * (1 + np.where(big, 0, x) * (1 - s)))
    return _unary(input, "silu", value, grad)


def elu(input: Any, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """ELU(x) = x for x > 0, α (e^x − 1) (``expm1``) for x <= 0, as PyTorch's ``F.elu``;
    d/dx = 1 for x > 0, α e^x for x <= 0 (α at 0, as PyTorch's). ``inplace``: False only."""
    alpha = check_number(alpha, "alpha", "elu")
    check_no_inplace(inplace, "elu")
    x = _values(input, "elu")
    a = x.dtype.type(alpha)
    neg = x <= 0
    e = np.where(neg, x, 0)  # (no e^x overflow where x > 0)
    return _unary(input, "elu", np.where(neg, a * np.expm1(e), x), np.where(neg, a * np.exp(e), 1))


def softplus(input: Any, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """Softplus(x) = (1/β) log(1 + e^(βx)), and x itself where βx > ``threshold``, as
    PyTorch's ``F.softplus``; d/dx = σ(βx) (1 there). Computed as (max(βx, 0) +
    log1p(e^−|βx|)) / β: finite at any βx, where PyTorch's log1p(e^(βx)) overflows (β x >
    709 with a large threshold). β: a nonzero finite number; ``threshold`` any number."""
    beta = check_number(beta, "beta", "softplus")
    if beta == 0:
        raise ParameterError(
            "The 'beta' parameter of softplus must be a nonzero float: (1/β) log(1 + e^(βx)) "
            "divides by it (PyTorch gives inf). Got 0."
        )
    threshold = check_number(threshold, "threshold", "softplus", allow_inf=True)
    x = _values(input, "softplus")
    b = x.dtype.type(beta)
    with np.errstate(over="ignore", invalid="ignore"):  # (β x beyond the float range: ±inf)
        z = b * x
        linear = z > threshold
        value = np.where(linear, x, (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))) / b)
        grad = np.where(linear, 1, _sigmoid(z))
    return _unary(input, "softplus", value, grad)


def _normalized_shape(value: Any, owner: str) -> tuple[int, ...]:
    """PyTorch's ``normalized_shape``: an int or a sequence of ints >= 1."""
    shape = (value,) if isinstance(value, (int, np.integer)) else value
    if (
        isinstance(value, (bool, np.bool_, str))
        or not isinstance(shape, (tuple, list))
        or not shape
        or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in shape)
        or min(shape) < 1
    ):
        raise ParameterError(
            f"The 'normalized_shape' parameter of {owner} must be an int or a sequence of ints "
            f">= 1 (the sizes of the last axes to normalize, e.g. the features: 64 or (64,)). "
            f"Got {value!r:.80}."
        )
    return tuple(int(s) for s in shape)


def _normalized(x: Tensor, axes: tuple[int, ...], eps: float) -> tuple[Tensor, Tensor, Tensor]:
    """(x − mean) / √(var + eps) over ``axes`` (var biased), with that mean and var, on the
    graph. The moments are taken in float64 (a cast in the graph): float32's mean of a row
    of one value is not always that value, and eps amplifies what is left after centring
    (a row of 12345.678 normalised to -0.295 where the answer is 0). A row whose largest
    |x| is 2^64 or more is first divided by a power of two, 2^e >= that |x| (exact, the same
    function), so that its variance does not overflow (beyond 1e154 it did, and the row came
    out as 0); the mean and var returned are x's own (var inf beyond float64's range)."""
    wide = x if x.data.dtype == np.float64 else x.astype(np.float64)
    e = np.zeros((), np.int32)
    if wide.data.size:
        e = np.frexp(np.max(np.abs(wide.data), axis=axes, keepdims=True))[1]  # (inf, NaN: 0)
        e = np.where(e > 64, e, 0)
    scale = np.ldexp(1.0, -e)  # 2^-e, exact (2^-1024 too)
    wide = wide * scale if e.any() else wide
    mean = wide.mean(axis=axes, keepdims=True)
    centred = wide - mean
    var = (centred * centred).mean(axis=axes, keepdims=True)
    y = (centred / (var + eps * scale * scale).sqrt()).astype(x.data.dtype)
    if not e.any():
        return y, mean, var
    with np.errstate(over="ignore"):  # (a variance beyond float64's: inf, which BatchNorm names)
        return y, Tensor(np.ldexp(mean.data, e)), Tensor(np.ldexp(var.data, 2 * e))


def layer_norm(
    input: Any, normalized_shape: Any, weight: Any = None, bias: Any = None, eps: float = 1e-5
) -> Tensor:
    """PyTorch's ``F.layer_norm``: over the last ``len(normalized_shape)`` axes (whose sizes
    they must be), y = (x − mean) / √(var + eps) · weight + bias, var the biased variance
    (÷ n). ``weight`` and ``bias`` (None: 1 and 0): of shape ``normalized_shape``. Tensor
    ops (mean, sqrt, ...), so the gradient reaches x, weight and bias."""
    shape = _normalized_shape(normalized_shape, "layer_norm")
    eps = check_number(eps, "eps", "layer_norm", low=0)
    x = as_tensor(input)
    k = len(shape)
    if x.ndim < k or tuple(x.shape[x.ndim - k :]) != shape:
        raise ValueError(
            f"layer_norm: normalized_shape {list(shape)} must be the sizes of the input's last "
            f"{k} axes. Got an input of shape {x.shape}."
        )
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(np.shape(p.data if isinstance(p, Tensor) else p)) != shape:
            raise ValueError(
                f"layer_norm: {name} must have the shape normalized_shape {shape}. Got "
                f"{np.shape(p.data if isinstance(p, Tensor) else p)}."
            )
    y = _normalized(x, tuple(range(x.ndim - k, x.ndim)), eps)[0]
    if weight is not None:
        y = y * weight
    return y if bias is None else y + bias


# ------------------------------------------------------------------------------------ modules
class GELU(Module):
    """a = x Φ(x) (``approximate='none'``) or its tanh approximation (``'tanh'``): see
    :func:`gelu`. PyTorch's ``nn.GELU``."""

    _hparams = ("approximate",)

    def __init__(self, approximate: str = "none") -> None:
        self.approximate = check_choice(approximate, "approximate", "GELU", ("none", "tanh"))

    def forward(self, x: Tensor) -> Tensor:
        return gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """a = x σ(x): see :func:`silu`. PyTorch's ``nn.SiLU`` (``inplace``: False only)."""

    _hparams = ()

    def __init__(self, inplace: bool = False) -> None:
        check_no_inplace(inplace, "SiLU")

    def forward(self, x: Tensor) -> Tensor:
        return silu(x)


class ELU(Module):
    """a = x for x > 0, α (e^x − 1) otherwise: see :func:`elu`. PyTorch's ``nn.ELU``."""

    _hparams = ("alpha",)

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        self.alpha = check_number(alpha, "alpha", "ELU")
        check_no_inplace(inplace, "ELU")

    def forward(self, x: Tensor) -> Tensor:
        return elu(x, self.alpha)


class Softplus(Module):
    """a = (1/β) log(1 + e^(βx)), x where βx > threshold: see :func:`softplus`. PyTorch's
    ``nn.Softplus``."""

    _hparams = ("beta", "threshold")

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        softplus(np.zeros(1), beta, threshold)  # (the same checks as the function's)
        self.beta, self.threshold = float(beta), float(threshold)

    def forward(self, x: Tensor) -> Tensor:
        return softplus(x, self.beta, self.threshold)


class LogSoftmax(Module):
    """log softmax along ``dim`` (PyTorch's ``nn.LogSoftmax(dim=1)``, the input of
    ``nn.NLLLoss``): z − logsumexp(z). ``dim=None``: the last axis of an input of at most
    two axes (refused on more, where PyTorch's implicit axis is another)."""

    _hparams = ("dim",)

    def __init__(self, dim: int | None = None) -> None:
        if dim is not None and (isinstance(dim, bool) or not isinstance(dim, (int, np.integer))):
            raise ParameterError(
                f"The 'dim' parameter of LogSoftmax must be an int or None. Got {dim!r:.40}."
            )
        self.dim = None if dim is None else int(dim)

    def forward(self, x: Tensor) -> Tensor:
        implicit_dim(x, self.dim, "nn.LogSoftmax()", "nn.LogSoftmax(dim=-1)")
        return x.log_softmax(-1 if self.dim is None else self.dim)


class LayerNorm(Module):
    """Layer normalization over the last axes (PyTorch's ``nn.LayerNorm``): y = (x − mean)
    / √(var + eps) · weight + bias, see :func:`layer_norm`.

    Parameters
    ----------
    normalized_shape : int or sequence of int
        The sizes of the last axes normalized together (an MLP's features: ``64``).
    eps : float >= 0
        Added to the variance (1e-5, PyTorch's).
    elementwise_affine : bool
        Learn ``weight`` (starts at 1) and ``bias`` (starts at 0), of shape
        ``normalized_shape``; False: neither.
    bias : bool
        With ``elementwise_affine``, learn ``bias`` too.
    dtype : float32 or float64 (default: ``get_default_dtype()``, as Linear's)

    Shapes: x (..., *normalized_shape) -> y of x's shape. The parameters are named
    ``weight`` and ``bias``, as PyTorch's: a state_dict holds ``"<layer>.weight"``.

    >>> import numpy as np, glassnet as gn
    >>> ln = gn.nn.LayerNorm(3, dtype=np.float64)
    >>> ln
    LayerNorm((3,), eps=1e-05, elementwise_affine=True, bias=True)
    >>> ln(np.array([[1.0, 2.0, 3.0]])).numpy().round(4)
    array([[-1.2247,  0.    ,  1.2247]])
    """

    def __init__(
        self,
        normalized_shape: Any,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        dtype: Any = None,
        *,
        device: Any = None,
    ) -> None:
        self.normalized_shape = _normalized_shape(normalized_shape, "LayerNorm")
        self.eps = check_number(eps, "eps", "LayerNorm", low=0)
        self.elementwise_affine = check_bool(elementwise_affine, "elementwise_affine", "LayerNorm")
        with_bias = check_bool(bias, "bias", "LayerNorm")
        dt = check_float_dtype(dtype, "LayerNorm", default=get_default_dtype())
        shape = self.normalized_shape
        affine = self.elementwise_affine
        if affine:
            check_size(f"LayerNorm({list(shape)})", (2, *shape), "use fewer features", dt.itemsize)
        self.weight = Parameter(np.ones(shape, dt), dtype=dt) if affine else None
        self.bias = Parameter(np.zeros(shape, dt), dtype=dt) if affine and with_bias else None
        if device is not None:  # (PyTorch's nn.LayerNorm(64, device=device))
            self.to(device=device)

    def forward(self, x: Tensor) -> Tensor:
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine="
            f"{self.elementwise_affine}, bias={self.bias is not None}"
        )

    def config(self) -> dict[str, Any]:
        ps = self.parameters()
        return {
            "type": "LayerNorm",
            "normalized_shape": list(self.normalized_shape),
            "eps": self.eps,
            "elementwise_affine": self.elementwise_affine,
            "bias": self.bias is not None,
            **({"dtype": ps[0].dtype.name} if ps else {}),
        }


class BatchNorm1d(Module):
    """Batch normalization of an MLP's features (PyTorch's ``nn.BatchNorm1d``): y = (x −
    mean) / √(var + eps) · weight + bias, per feature (column), or per channel C of a batch
    of sequences (N, C, L), as PyTorch's.

    In training mode mean and var are the batch's, over its n values of each feature (the
    N rows; N · L for (N, C, L), the rows and the positions), var biased (÷ n), on the
    graph (the gradient flows through them), and the running statistics are updated
    outside it: running = (1 − momentum) · running + momentum · batch's, the variance
    unbiased (÷ n − 1), and ``num_batches_tracked`` + 1. In eval mode (``model.eval()``,
    ``predict``) the running statistics are used.

    Parameters
    ----------
    num_features : int >= 1
        C, the input's columns.
    eps : float >= 0
        Added to the variance (1e-5, PyTorch's).
    momentum : float in [0, 1] or None
        The running statistics' update weight; None: their cumulative average (the weight
        1 / num_batches_tracked).
    affine : bool
        Learn ``weight`` (starts at 1) and ``bias`` (starts at 0), of shape (C,).
    bias : bool (keyword)
        With ``affine``, learn ``bias`` too (PyTorch 2.13's keyword).
    track_running_stats : bool
        Keep ``running_mean`` (starts at 0), ``running_var`` (starts at 1) and
        ``num_batches_tracked`` (int64) as buffers; False: none (PyTorch's None), and the
        batch's statistics in eval mode too.
    dtype : float32 or float64 (default: ``get_default_dtype()``, as Linear's) (keyword)

    Shapes: x (N, C) -> y (N, C), and x (N, C, L) -> y (N, C, L), as PyTorch's; a batch of
    one value per feature (one row; (1, C, 1)) is refused where batch statistics are used
    (training), as PyTorch refuses it. (The fast path, :func:`glassnet.explain` and the ONNX
    export refuse a network holding a BatchNorm1d, whatever its input: it trains on the
    graph.)

    >>> import numpy as np, glassnet as gn
    >>> bn = gn.nn.BatchNorm1d(2, dtype=np.float64)
    >>> bn
    BatchNorm1d(2, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    >>> bn(np.array([[1.0, 0.0], [3.0, 4.0]])).numpy().round(4)
    array([[-1., -1.],
           [ 1.,  1.]])
    >>> list(bn.state_dict()), bn.running_mean
    (['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked'], array([0.2, 0.2]))
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        *,
        bias: bool = True,
        dtype: Any = None,
        device: Any = None,
    ) -> None:
        owner = "BatchNorm1d"
        self.num_features = check_number(num_features, "num_features", owner, low=1, integer=True)
        self.eps = check_number(eps, "eps", owner, low=0)
        self.momentum = None if momentum is None else check_number(
            momentum, "momentum", owner, low=0, high=1
        )  # fmt: skip
        self.affine = check_bool(affine, "affine", owner)
        with_bias = check_bool(bias, "bias", owner)
        self.track_running_stats = check_bool(track_running_stats, "track_running_stats", owner)
        dt = check_float_dtype(dtype, owner, default=get_default_dtype())
        c, track = self.num_features, self.track_running_stats
        arrays = 2 * self.affine + 2 * track  # (weight and bias, the running mean and var)
        check_size(f"BatchNorm1d({c})", (arrays, c), "use fewer features", dt.itemsize)
        self.weight = Parameter(np.ones(c, dt), dtype=dt) if self.affine else None
        self.bias = Parameter(np.zeros(c, dt), dtype=dt) if self.affine and with_bias else None
        self.register_buffer("running_mean", np.zeros(c, dt) if track else None)
        self.register_buffer("running_var", np.ones(c, dt) if track else None)
        self.register_buffer("num_batches_tracked", np.array(0, np.int64) if track else None)
        if device is not None:  # (PyTorch's nn.BatchNorm1d(64, device=device))
            self.to(device=device)

    def forward(self, x: Tensor) -> Tensor:
        x = as_tensor(x)
        c = self.num_features
        if x.ndim not in (2, 3) or x.shape[1] != c:
            if x.ndim not in (2, 3):
                what = (
                    f"{x.ndim}-d; give it 2 or 3 axes, e.g. x.reshape(N, {c}, -1) for {c} "
                    "channels of sequences (PyTorch's BatchNorm1d takes 2-d or 3-d input)"
                )
            else:
                what = (
                    f"{x.shape[1]} features on axis 1; build BatchNorm1d(num_features="
                    f"{x.shape[1]}), or move the features to axis 1"
                    + (" (x.transpose(0, 2, 1) for (N, L, C))" if x.ndim == 3 else "")
                )
            raise ValueError(
                f"BatchNorm1d({c}): the input must be of shape (N, {c}), a batch of rows of "
                f"its num_features columns, or (N, {c}, L), a batch of {c}-channel sequences "
                f"(PyTorch's). Got {tuple(x.shape)} ({what})."
            )
        axes = (0,) if x.ndim == 2 else (0, 2)  # (the feature's axis 1 kept)
        if self.training or self.running_mean is None:  # the batch's statistics
            n = x.shape[0] * (1 if x.ndim == 2 else x.shape[2])  # the values per feature
            if n < 2:
                raise ValueError(
                    "BatchNorm1d: Expected more than 1 value per channel when training, got "
                    f"input size {tuple(x.shape)}: the batch's variance needs 2 values or more "
                    "per feature (a batch_size that leaves no last batch of one row; eval() "
                    "for one row)."
                )
            y, mean, var = _normalized(x, axes, self.eps)
            if self.training and self.running_mean is not None:
                self._track(mean.data.reshape(c), var.data.reshape(c) * (n / (n - 1)))
        else:
            shape = (c,) if x.ndim == 2 else (c, 1)
            std = Tensor(self.running_var + self.running_var.dtype.type(self.eps)).sqrt()
            y = (x - self.running_mean.reshape(shape)) / std.reshape(*shape)
        if x.ndim == 2:
            y = y if self.weight is None else y * self.weight
            return y if self.bias is None else y + self.bias
        y = y if self.weight is None else y * self.weight.reshape(c, 1)
        return y if self.bias is None else y + self.bias.reshape(c, 1)

    def _track(self, mean: Any, unbiased_var: Any) -> None:
        """The running statistics' update, in place (not on the graph); a ValueError for a
        variance beyond running_var's dtype, which would hold inf."""
        big = np.abs(unbiased_var) > np.finfo(self.running_var.dtype).max
        if big.any():
            j = int(np.argmax(big))
            dt = self.running_var.dtype
            raise ValueError(
                f"BatchNorm1d({self.num_features}): the batch's variance of feature {j} is "
                f"{float(unbiased_var[j]):.4g}, beyond the range of {dt}, running_var's dtype "
                "(it would hold inf, and eval mode's outputs would be 0): inputs that spread "
                f"beyond about +-{float(np.sqrt(np.finfo(dt).max)):.2g} (the square root of "
                f"{dt}'s largest value) give such a variance. Scale the inputs (e.g. "
                "glassnet.preprocessing.StandardScaler)"
                + (", convert the model to float64 (model.double())," if dt != np.float64 else "")
                + f" or build BatchNorm1d({self.num_features}, track_running_stats=False), "
                "which normalises by each batch's statistics in eval mode too. running_mean "
                "and running_var are unchanged (eval mode, which uses them, takes such inputs)."
            )
        self.num_batches_tracked += 1
        f = 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
        self.running_mean[...] = (1 - f) * self.running_mean + f * mean
        self.running_var[...] = (1 - f) * self.running_var + f * unbiased_var

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine="
            f"{self.affine}, bias={self.bias is not None}, track_running_stats="
            f"{self.track_running_stats}"
        )

    def config(self) -> dict[str, Any]:
        held = self.weight if self.weight is not None else self.running_mean
        return {
            "type": "BatchNorm1d",
            "num_features": self.num_features,
            "eps": self.eps,
            "momentum": self.momentum,
            "affine": self.affine,
            "bias": self.bias is not None,
            "track_running_stats": self.track_running_stats,
            **({"dtype": held.dtype.name} if held is not None else {}),
        }


# ------------------------------------------------------------------------------------ round 28
def hardtanh(
    input: Any,  # noqa: A002 (PyTorch's names)
    min_val: float = -1.0,
    max_val: float = 1.0,
    inplace: bool = False,
) -> Tensor:
    """x clipped into [min_val, max_val], PyTorch's ``F.hardtanh``; d/dx = 1 strictly
    inside, 0 outside and at the bounds themselves (PyTorch's, where ``clamp``'s is 1 there).
    ``inplace``: False only."""
    lo = check_number(min_val, "min_val", "hardtanh")
    hi = check_number(max_val, "max_val", "hardtanh")
    if lo > hi:
        raise ParameterError(
            f"hardtanh: min_val ({lo}) must be at most max_val ({hi}), as PyTorch's asks."
        )
    check_no_inplace(inplace, "hardtanh")
    x = _values(input, "hardtanh")
    return _unary(input, "hardtanh", np.clip(x, lo, hi), (x > lo) & (x < hi))


class Hardtanh(Module):
    """a = x clipped into [min_val, max_val] (−1 and 1): see :func:`hardtanh`. PyTorch's
    ``nn.Hardtanh`` (``inplace``: False only)."""

    _hparams = ("min_val", "max_val")

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        hardtanh(np.zeros(1), min_val, max_val, inplace)  # (the same checks as the function's)
        if not max_val > min_val:  # (the function takes them equal; the layer does not)
            raise ParameterError(
                f"Hardtanh: max_val ({float(max_val)}) must be greater than min_val "
                f"({float(min_val)}), as PyTorch's nn.Hardtanh asks (F.hardtanh takes them equal)."
            )
        self.min_val, self.max_val = float(min_val), float(max_val)

    def forward(self, x: Tensor) -> Tensor:
        return hardtanh(x, self.min_val, self.max_val)


def unflattened_sizes(sizes: Any, owner: str) -> tuple[int, ...]:
    """PyTorch's ``unflattened_size``: a non-empty sequence of ints >= 1 (one may be -1)."""
    raw = sizes.tolist() if hasattr(sizes, "tolist") else sizes
    if (
        not isinstance(raw, (tuple, list))
        or not raw
        or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in raw)
        or any(s < 1 and s != -1 for s in raw)
        or list(raw).count(-1) > 1
    ):
        raise TypeError(
            f"{owner}: the sizes must be a tuple of ints >= 1, one of them -1 at most (its size "
            f"inferred), e.g. (1, 28, 28). Got {sizes!r:.60}."
        )
    return tuple(int(s) for s in raw)


def unflattened_shape(shape: tuple[int, ...], dim: Any, sizes: Any, owner: str) -> tuple[int, ...]:
    """``shape`` with axis ``dim`` split into ``sizes`` (one of them may be -1), as
    PyTorch's ``unflatten``; a RuntimeError where they do not multiply up to that axis."""
    n = max(len(shape), 1)
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or not -n <= dim < n:
        raise IndexError(
            f"{owner}: dim must be an int in [{-n}, {n - 1}] (the axis to split, of an input "
            f"of shape {tuple(shape)}). Got {dim!r:.40}."
        )
    d = int(dim) % n
    sizes = unflattened_sizes(sizes, owner)
    m = shape[d] if shape else 1
    known = math.prod(s for s in sizes if s != -1)
    wild = -1 in sizes
    if (not wild and known != m) or (wild and m % known):
        raise RuntimeError(
            f"{owner}: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
            f"({m}) in the input tensor."
        )
    return (*shape[:d], *(m // known if s == -1 else s for s in sizes), *shape[d + 1 :])


class Unflatten(Module):
    """Axis ``dim`` of the input split into ``unflattened_size`` (``Unflatten(1, (1, 28,
    28))`` undoes ``Flatten``), PyTorch's ``nn.Unflatten``: a reshape, in the graph."""

    _hparams = ("dim", "unflattened_size")

    def __init__(self, dim: int, unflattened_size: Any) -> None:
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
            raise TypeError(f"Unflatten: dim must be an int (the axis to split). Got {dim!r:.40}.")
        self.dim = int(dim)
        self.unflattened_size = unflattened_sizes(unflattened_size, "Unflatten")

    def forward(self, x: Tensor) -> Tensor:
        x = as_tensor(x)
        return x.reshape(*unflattened_shape(x.shape, self.dim, self.unflattened_size, "Unflatten"))
