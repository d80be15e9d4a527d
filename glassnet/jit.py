"""A compiled training loop for small networks (numba, the ``glassnet[jit]`` extra).

For a small network most of a NumPy step is the cost of calling NumPy: the lecture's XNOR
net (2-2-1, four samples) makes about 30 calls of about 1 µs for a few hundred
multiplications. This module runs many steps inside one compiled call instead: per step,

    1) forward    Z = A_prev @ W + b,  A = g(Z)          (each layer, (N, neurons))
    2) loss       L and dL/dZ of the output layer        (a head fused with its loss:
                                                           dL/dz = y_hat - y)
    3) backward   dL/dW = A_prevᵀ dL/dZ,  dL/db = 1ᵀ dL/dZ,  dL/dA_prev = dL/dZ Wᵀ
    4) update     the optimizer's rule (SGD, momentum, Nesterov, weight decay; Adam, AdamW)

on the same numbers as :class:`glassnet.fused.FastMLP` and :mod:`glassnet.optim`, in the
model's dtype, written back in place into every ``p.data`` (and the last gradient into
``p.grad``), with the optimizer's state (``t``, each parameter's step count, velocity or
moments) advanced as its own ``step()`` would have. Training may continue on the NumPy path
afterwards, or start there and continue here.

Entry points, for :func:`glassnet.fit` and for users who write their own loop:

* :func:`run_full_batch`: the whole full-batch epoch loop (the lecture's gradient descent),
  with fit's default stopping rule (training loss improved by no more than ``tol`` for
  ``n_iter_no_change`` epochs) and divergence (a NaN or infinite loss stops the run);
* :func:`run_epoch`: one epoch of mini-batches drawn by an index array ``order`` (the
  caller draws ``rng.permutation(n)`` as fit does, so the batches are fit's);
* :func:`supported` (with :func:`why_not`, its reason) and :func:`is_small`, the size rule;
  :func:`available`, whether numba (and SciPy's BLAS, which it calls) can be imported,
  and :func:`unavailable_reason`, what is missing.

**Same results.** The arithmetic is FastMLP's, operation for operation, in the same dtype:
the sigmoid as ``(1 + tanh(z / 2)) / 2``, the loss kernels of :mod:`glassnet.functional`,
the optimizer's scalars formed in float64 then rounded to the dtype as NumPy does. What
differs is the order of the sums inside the matrix products (loops here, OpenBLAS's
blocked kernels there) and ``tanh``/``exp``/``log1p`` (the C library's or Eigen's here,
NumPy's SIMD versions there; within 4 ulp of ±1, NumPy's tanh values, so units saturate where
NumPy's do), each a rounding-level difference per step: tests/test_jit.py holds every
run to 1e-10 relative in float64 and 1e-5 in float32 against the NumPy path.

**Compilation** happens on the first call for each dtype (numba's ``njit``, cached on disk
with ``cache=True``: later processes load it). docs/jit.md has the measured compile times,
the size rule and the speed against NumPy and JAX.

>>> import numpy as np
>>> from glassnet import nn, optim, jit
>>> from glassnet.fused import FastMLP, layers_of
>>> net = nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0,
...              dtype=np.float64)
>>> fast = FastMLP(layers_of(net, training=True), "mse")
>>> opt = optim.SGD(net.parameters(), lr=1.0)
>>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
>>> y = np.array([[1], [0], [0], [1]], dtype=np.float64)
>>> if jit.available():  # doctest: +SKIP
...     losses, reason = jit.run_full_batch(fast, opt, X, y, None, epochs=2000)
...     print(len(losses), reason, opt.t)
2000 max_epochs 2000
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import functional as F
from . import optim as optim_mod
from ._validation import COLLAPSED_FEATURES, check_array, check_positive, collapsed_targets
from .backend import namespace
from .fused import FastMLP, layers_of
from .gradient import as_grad

__all__ = [
    "available",
    "unavailable_reason",
    "supported",
    "why_not",
    "is_small",
    "run_full_batch",
    "run_epoch",
    "FullBatchRun",
    "SMALL_MACS",
    "SMALL_ROWS",
    "MIN_STEPS_COLD",
    "MIN_STEPS_PER_CALL",
    "use",
    "loaded",
    "warmup",
]

SMALL_ROWS = 128
SMALL_MACS = 1 << 22
"""The size rule: a step is *small* when it trains on at most ``SMALL_ROWS`` (128) rows and
its forward pass takes at most ``SMALL_MACS`` (4,194,304) multiply-adds,
``rows * sum(inputs * neurons)`` over the layers. There the compiled loop beats the NumPy
path, by 1.6x to 7.1x per step (it saves NumPy's per-call cost, about 1 µs a call and 30
calls a step, and fuses the elementwise work); at 256 rows it gains 0-20%, and at 1024
rows the NumPy path is faster for narrow networks. Measured in docs/jit.md
(``python bench/jit.py --crossover``)."""
MIN_STEPS_PER_CALL = 32
"""Steps each compiled call must run for :func:`use` to choose it: a call costs about 0.5 ms
around its steps (the optimizer's state read and written back through ``state_dict``), about
the time the compiled loop saves over 10-30 NumPy steps."""
MIN_STEPS_COLD = 20_000
"""Steps from which :func:`use` turns the compiled loop on: importing numba and loading the
compiled kernels from numba's cache takes about a second in a fresh process (compiling them
the first time, 15 to 30 s), which a shorter run would not win back."""

# activation codes of the kernels; a head fused with its loss is "identity" (its logits)
_ACT = {"identity": 0, "sigmoid": 1, "tanh": 2, "relu": 3, "leaky_relu": 4, "softmax": 5}
# loss codes: the kernels of glassnet.functional.LOSSES this loop transcribes
_LOSS = {"mse": 0, "half_mse": 1, "binary_cross_entropy_with_logits": 2, "cross_entropy": 3}
_LOSS_KERNELS = {name: F.LOSSES[name].kernel for name in _LOSS}  # the built-in ones
# optimizer rules: 0 gradient descent, 1 momentum (PyTorch), 2 momentum (scikit-learn),
# 3 Adam, 4 AdamW
_SGD, _TORCH, _SKLEARN, _ADAM, _ADAMW = range(5)
# hyperparameter slots (float64 and dtype copies): see _hyper()
# fmt: off
_LR, _WD, _MU, _DAMP, _B1, _B2, _EPS, _DECAY, _1MB1, _EPS_C2, _1MB2, _C, _2C, _HALF, _ONE = (
    range(15))
# fmt: on
# (_EPS_C2: 1 where Adam's ε is scaled by √(1 − β₂ᵗ), PyTorch's style; 0 in scikit-learn's)
_N_HYPER = 15  # a scratch slot: a float64 rounded to the dtype by storing it in hd
_FAST = 16  # 1: tanh by the rational approximation below (float32), 0: the C library's
_TAIL = 17  # NumPy's tanh near saturation, 5 thresholds then 5 values (see _tanh_tail)
_N_TAIL = 5
_TANH = _TAIL + 2 * _N_TAIL  # 13 constants: clamp, tiny, alpha_1 ... alpha_13, beta_0 ... beta_6
# Eigen's float tanh (generic_fast_tanh_float), the one XLA (so JAX) runs on the CPU: a
# 13/6 rational function of x clamped to [-7.9053, 7.9053], x itself below 4e-4. It
# vectorizes (the C library's tanhf is a call per value, ~10x slower); within a few ulp
# of NumPy's float32 tanh (tests/test_jit.py measures it).
_TANH_CONSTANTS = (
    7.90531110763549805, 0.0004,
    4.89352455891786e-03, 6.37261928875436e-04, 1.48572235717979e-05, 5.12229709037114e-08,
    -8.60467152213735e-11, 2.00018790482477e-13, -2.76076847742355e-16,
    4.89352518554385e-03, 2.26843463243900e-03, 1.18534705686654e-04, 1.19825839466702e-06,
)  # fmt: skip
_N_SLOTS = _TANH + len(_TANH_CONSTANTS)
_TAILS: dict[Any, np.ndarray] = {}


def _tanh_tail(dtype) -> np.ndarray:
    """NumPy's tanh near saturation in ``dtype``, for the kernels' ``hd[_TAIL:_TANH]``: the
    first ``x > 0`` at which ``np.tanh(x)`` reaches 1 - 4 ulp, 1 - 3 ulp, ... 1 (found by
    bisection on the float's bits: NumPy's tanh is monotone), then those 5 values. Past the
    first threshold the compiled loop takes NumPy's value, so a unit saturates (``a = ±1``,
    ``g'(z) = 0``) exactly where the NumPy path's does: NumPy's float32 tanh (SIMD) reaches
    1 at 10.0, Eigen's stops at 0.99999976 (4 ulp below), and ``1 - a²`` of a saturated
    unit, multiplied by unscaled inputs, kept it learning on the compiled path alone."""
    dt = np.dtype(dtype)
    if dt not in _TAILS:
        ints = np.int32 if dt.itemsize == 4 else np.int64
        one, below = dt.type(1), np.spacing(dt.type(1)) / 2  # 1 and its ulp below 1
        values = [one - k * below for k in range(_N_TAIL - 1, -1, -1)]
        firsts = []
        for v in values:  # the smallest x in [1, 64] with tanh(x) >= v, on the float's bits
            lo, hi = int(np.array(1, dt).view(ints)), int(np.array(64, dt).view(ints))
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if np.tanh(np.array(mid, ints).view(dt)) >= v:
                    hi = mid
                else:
                    lo = mid
            firsts.append(np.array(hi, ints).view(dt)[()])
        _TAILS[dt] = np.array(firsts + values, dt)
    return _TAILS[dt]


_BLAS_MIN = 1 << 10  # multiply-adds from which a matrix product goes to BLAS (bench/jit.py)
_NARROW = 8  # below this many columns a small product sums each entry in a register
_PAD = 8  # each layer's activations padded to a multiple of this many values (_k_act)

_REASONS = ("max_epochs", "tol", "max_steps", "diverged")
_CHUNK = 16384  # epochs per compiled call of run_full_batch (W3: about 15 ms)

# ------------------------------------------------------------------------------------------
# availability and the size rule
# ------------------------------------------------------------------------------------------
_numba: Any = None  # the numba module once imported; False when it cannot be
_missing = ""  # why the compiled loop cannot run here (see unavailable_reason); "" when it can
_compiled = False
_COMPILING = threading.Lock()  # (two threads' first jit fits: each kernel wrapped once)
_LOADED: set[np.dtype] = set()  # the dtypes whose kernels have run in this process


def available() -> bool:
    """Whether the compiled loop can run here: numba can be imported, and SciPy's BLAS,
    which numba's ``np.dot`` calls (both come with ``pip install "glassnet[jit]"``).
    Imports them on the first call (about 0.3 s), not at ``import glassnet``;
    :func:`unavailable_reason` says what is missing."""
    global _numba, _missing
    if _numba is None:
        try:
            import numba
        except Exception as e:  # not installed, or built for another NumPy: the NumPy path
            _numba, _missing = False, f"numba cannot be imported ({e})"
        else:
            try:  # (numba itself imports without SciPy; its first np.dot then fails)
                import scipy.linalg.cython_blas  # noqa: F401
            except Exception as e:
                _numba = False
                _missing = (
                    f"numba is installed but SciPy cannot be imported ({e}), and numba's "
                    "np.dot calls SciPy's BLAS"
                )
            else:
                _numba, _missing = numba, ""
    return _numba is not False


def unavailable_reason() -> str | None:
    """Why the compiled loop cannot run here, a sentence that ends in what to install
    (numba, or SciPy beside it: ``pip install "glassnet[jit]"``); None when it can
    (:func:`available`)."""
    if available():
        return None
    missing = _missing or "numba cannot be imported"
    return f'glassnet.jit needs numba and SciPy: {missing}. pip install "glassnet[jit]"'


def _macs(fast: FastMLP, batch: int) -> int:
    return batch * sum(lay.inputs * lay.neurons for lay in fast.layers)


def is_small(fast: FastMLP, batch_size: int) -> bool:
    """The size rule (see :data:`SMALL_ROWS`): ``batch_size <= SMALL_ROWS`` rows per step and
    ``batch_size * sum(inputs * neurons) <= SMALL_MACS``, where the compiled loop is faster
    than the NumPy path. ``batch_size``: an int > 0."""
    check_positive("batch_size", batch_size, "is_small", integer=True)
    return _small(fast, batch_size)


def _small(fast: FastMLP, batch_size: int) -> bool:
    return batch_size <= SMALL_ROWS and _macs(fast, batch_size) <= SMALL_MACS


def loaded(dtype: Any) -> bool:
    """Whether the kernels for ``dtype`` are compiled (or loaded from the cache) in this
    process: the next run starts at once."""
    return np.dtype(dtype) in _LOADED


def use(
    fast: Any, optimizer: Any, batch_size: int, steps: int, per_call: int | None = None
) -> bool:
    """Whether a training loop should run ``steps`` steps of ``batch_size`` rows on the
    compiled loop: :func:`supported` (the network and optimizer have a compiled form, the
    network is small, numba is installed), each compiled call runs at least
    :data:`MIN_STEPS_PER_CALL` steps (``per_call``: the epochs of a full-batch run, the
    batches of an epoch), and the run is long enough to pay for loading the kernels
    (:data:`MIN_STEPS_COLD`). Whether they are loaded already is not asked: the compiled
    loop lands where the NumPy path does to rounding only, and the same call must give the
    same numbers whatever ran before it (``fit(engine="jit")`` asks for it outright)."""
    check_positive("batch_size", batch_size, "use", integer=True)
    if not _small(fast, batch_size) or why_not(fast, optimizer) is not None:
        return False
    if per_call is not None and per_call < MIN_STEPS_PER_CALL:
        return False
    return steps >= MIN_STEPS_COLD and available()


def warmup(dtypes: Sequence[Any] = (np.float32, np.float64)) -> dict[str, float]:
    """Compile (or load from numba's cache) the kernels for each dtype now; returns the
    seconds each took. ``glassnet jit`` runs it, e.g. after installing."""
    from . import nn, optim

    if isinstance(dtypes, (str, type, np.dtype)):  # one dtype ("float32"), not its letters
        dtypes = [dtypes]
    if not isinstance(dtypes, Iterable):  # (3, None: not "'int' object is not iterable")
        raise TypeError(
            f"warmup: dtypes must be a dtype or a list of them, float32 and/or float64 (the "
            f"compiled loop's), e.g. warmup(['float32']). Got {dtypes!r:.60}."
        )
    for dt in dtypes:
        ok = True
        try:
            ok = np.dtype(dt) in (np.dtype(np.float32), np.dtype(np.float64))
        except TypeError:
            ok = False
        if not ok:
            raise ValueError(
                f"warmup: dtypes must be float32 and/or float64 (the compiled loop's); got {dt!r}."
            )
    out = {}
    for dt in dtypes:
        t = time.perf_counter()
        net = nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0, dtype=dt)
        X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dt)
        y = np.array([[1], [0], [0], [1]], dt)
        fast = FastMLP(layers_of(net, training=True), "mse")
        run_full_batch(fast, optim.SGD(net.parameters(), lr=1.0), X, y, None, 2)
        out[np.dtype(dt).name] = time.perf_counter() - t
    return out


def why_not(fast: Any, optimizer: Any) -> str | None:
    """Why :func:`run_full_batch` and :func:`run_epoch` cannot train ``fast`` with
    ``optimizer`` (a sentence), or None when they can. Size is not looked at here (see
    :func:`is_small`), nor whether numba is installed (:func:`available`)."""
    return _why_not(fast, optimizer, {})


def _why_not(fast: Any, optimizer: Any, keep: dict) -> str | None:
    """:func:`why_not`; the optimizer's ``state_dict()``, read for its step counts, is kept
    in ``keep["sd"]`` (:class:`_Plan` lays the run out from it: read once)."""
    if not isinstance(fast, FastMLP):
        return f"the network must be a glassnet.fused.FastMLP; got {type(fast).__name__}"
    if fast.lead:
        return "a stack of networks (glassnet.fit_many) has its own batched path"
    if fast.dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        return f"the dtype must be float32 or float64; got {fast.dtype}"
    last = len(fast.layers) - 1
    for i, lay in enumerate(fast.layers):
        if lay.act not in _ACT or lay.act not in F.ACTIVATIONS:
            return f"layer {i + 1}'s activation {lay.act!r} has no compiled form"
        if F.replaced_entry(lay.act):  # (the loop computes the built-in of its name)
            return (
                f"the table entry of {lay.act!r} was replaced; the compiled loop has the built-in"
            )
        if lay.act == "softmax" and i != last:
            return "softmax is only supported on the output layer"
        W = lay.linear.W
        if W.data.dtype != fast.dtype or (
            lay.linear.b is not None and lay.linear.b.data.dtype != fast.dtype
        ):
            return f"layer {i + 1}'s parameters are not {fast.dtype}"
    name = fast.loss.name
    if name not in _LOSS or fast.loss.kernel is not _LOSS_KERNELS[name]:
        return f"the loss {fast.spec.name!r} has no compiled form"
    for n in (n for n in (fast.spec.name, fast.spec.on_logits) if n):
        if F.replaced_entry(n, loss=True):  # (the loop computes the built-in of its name)
            return f"the table entry of the loss {n!r} was replaced; the loop has the built-in"
    if type(optimizer) not in (optim_mod.SGD, optim_mod.Adam, optim_mod.AdamW):
        return (
            f"the optimizer must be glassnet.optim.SGD, Adam or AdamW; got "
            f"{type(optimizer).__name__}"
        )
    if "step" in vars(optimizer):  # (the user's own, which runs at every step)
        return "the optimizer has a step() set on it, which the compiled loop would not run"
    if len(optimizer.param_groups) != 1:
        return f"the optimizer must have one param group; it has {len(optimizer.param_groups)}"
    named = _named_params(fast)
    theirs, ours = optimizer.param_groups[0]["params"], {id(p) for _, p in named}
    if len(theirs) != len(named) or {id(p) for p in theirs} != ours:
        return (
            f"the optimizer must hold exactly the network's parameters; it holds "
            f"{len(theirs)}, {sum(id(p) in ours for p in theirs)} of the network's {len(named)}"
        )
    frozen = [name for name, p in named if not getattr(p, "requires_grad", True)]
    if frozen:
        verb = "is" if len(frozen) == 1 else "are"
        return f"{', '.join(frozen)} {verb} frozen (requires_grad=False)"
    keep["sd"] = sd = optimizer.state_dict()
    steps = _steps_of(sd)
    if len(set(steps)) > 1:
        return (
            f"the parameters have taken different numbers of steps "
            f"({sorted(set(steps))}; the loop keeps one count)"
        )
    return None


def _steps_of(sd: dict) -> list[int]:
    """Each parameter's step count in the optimizer's state dict ``sd`` (one group)."""
    return np.asarray(sd["param_groups"][0]["steps"]).reshape(-1).tolist()


def supported(fast: Any, optimizer: Any, batch_size: int | None = None) -> bool:
    """True when numba is installed, the network and optimizer have a compiled form
    (:func:`why_not`) and, given ``batch_size`` (rows per step), the network is small
    (:func:`is_small`). Cheap checks first: numba is imported only when the rest holds."""
    if batch_size is not None:
        check_positive("batch_size", batch_size, "supported", integer=True)
    if why_not(fast, optimizer) is not None:
        return False
    if batch_size is not None and not _small(fast, batch_size):
        return False
    return available()


def _params_of(fast: FastMLP) -> list[Any]:
    return [p for _, p in _named_params(fast)]


def _named_params(fast: FastMLP) -> list[tuple[str, Any]]:
    """("layer 1's W", W), ("layer 1's b", b), ... over the network's layers."""
    out = []
    for i, lay in enumerate(fast.layers):
        out.append((f"layer {i + 1}'s W", lay.linear.W))
        if lay.linear.b is not None:
            out.append((f"layer {i + 1}'s b", lay.linear.b))
    return out


# ------------------------------------------------------------------------------------------
# the kernels: plain Python here, compiled by numba on first use (_compile rebinds them)
# ------------------------------------------------------------------------------------------
# Every float constant a kernel uses comes from the array ``hd`` in the model's dtype: in
# numba a Python float literal would turn float32 arithmetic into float64. Layer l's row
# of ``meta``: inputs K, neurons J, offset of W (K, J) and of b in theta (-1: no bias),
# activation code, offset of its input rows in ``act`` (-1: the batch X), offset of its
# output rows in ``act`` and of its dL/dZ rows in ``dz``.


def _k_tanh_constants(hd):
    o, t = _TANH, _TAIL
    nan = (hd[o] - hd[o]) / (hd[o] - hd[o])  # for the tail's thresholds where hd leaves them
    return (  # 0: no tail (no comparison with NaN holds)
        hd[o], hd[o + 1], hd[o + 2], hd[o + 3], hd[o + 4], hd[o + 5], hd[o + 6], hd[o + 7],
        hd[o + 8], hd[o + 9], hd[o + 10], hd[o + 11], hd[o + 12],
        hd[t] if hd[t] > 0 else nan, hd[t + 1] if hd[t + 1] > 0 else nan,
        hd[t + 2] if hd[t + 2] > 0 else nan, hd[t + 3] if hd[t + 3] > 0 else nan,
        hd[t + 4] if hd[t + 4] > 0 else nan,
        hd[t + 5], hd[t + 6], hd[t + 7], hd[t + 8], hd[t + 9],
    )  # fmt: skip


def _k_tanh_tail(x, ax, r, tc):
    """NumPy's tanh of ``x`` (``ax = |x|``) where it is within 4 ulp of ±1, else ``r``: the
    values there are steps of one ulp, and NumPy's own steps (see _tanh_tail) are copied,
    so that a saturated unit's ``1 - a²`` is NumPy's (0 past NumPy's saturation) and not a
    few ulp of another approximation magnified. Selects only (vectorizes); NaN gives r."""
    t4, t3, t2, t1, t0, v4, v3, v2, v1, v0 = tc[13:]
    s = v4
    s = v3 if ax >= t3 else s
    s = v2 if ax >= t2 else s
    s = v1 if ax >= t1 else s
    s = v0 if ax >= t0 else s
    s = s if x > 0 else -s
    return s if ax >= t4 else r


def _k_tanh(x, tc):
    """tanh(x) by Eigen's rational approximation (see _TANH_CONSTANTS), NumPy's values near
    saturation (_k_tanh_tail), NaN kept; written with selects only, so that a loop over it
    vectorizes."""
    c, tiny, a1, a3, a5, a7, a9, a11, a13, b0, b2, b4, b6 = tc[:13]
    xc = x if x < c else c
    xc = xc if xc > -c else -c
    x2 = xc * xc
    p = x2 * a13 + a11
    p = x2 * p + a9
    p = x2 * p + a7
    p = x2 * p + a5
    p = x2 * p + a3
    p = x2 * p + a1
    p = xc * p
    q = x2 * b6 + b4
    q = x2 * q + b2
    q = x2 * q + b0
    r = p / q
    ax = np.abs(x)
    return x if (ax < tiny or x != x) else _k_tanh_tail(x, ax, r, tc)


def _k_tanh_libm(x, tc):
    """tanh(x) from the C library (float64), NumPy's values near saturation
    (_k_tanh_tail): the C library's tanh reaches 1 only past |x| = 19.06, NumPy's past
    18.99."""
    return _k_tanh_tail(x, np.abs(x), np.tanh(x), tc)


def _k_matmul(A, n, K, W, J, Z):
    """Z = A @ W for flat views A (n, K), W (K, J), Z (n, J): Z[r, :] += A[r, k] W[k, :]."""
    for r in range(n):
        zr = Z[r * J : r * J + J]
        ar = A[r * K : r * K + K]
        for j in range(J):
            zr[j] = 0
        for k in range(K):
            s = ar[k]
            wk = W[k * J : k * J + J]
            for j in range(J):
                zr[j] += s * wk[j]


def _k_matmul_narrow(A, n, K, W, J, Z, B, zero):
    """Z = A @ W + B for fewer than _NARROW columns (B: the bias, or empty): each entry
    summed from 0 in k's order, as _k_matmul, then its bias added, in a register (through
    memory, each sum waited at every k for the store of the one before)."""
    nb = B.shape[0] > 0
    for r in range(n):
        ar = A[r * K : r * K + K]
        zr = Z[r * J : r * J + J]
        for j in range(J):
            s = zero
            for k in range(K):
                s += ar[k] * W[k * J + j]
            zr[j] = s + B[j] if nb else s


def _k_matmul_tn_narrow(A, n, K, G, J, D, zero):
    """D = Aᵀ G for fewer than _NARROW columns (or one column and fewer than _NARROW rows
    of D): each entry summed from 0 in r's order, as _k_matmul_tn, in a register."""
    for k in range(K):
        for j in range(J):
            s = zero
            for r in range(n):
                s += A[r * K + k] * G[r * J + j]
            D[k * J + j] = s


def _k_matmul_tn(A, n, K, G, J, D):
    """D = Aᵀ G for flat views A (n, K), G (n, J), D (K, J): D[k, :] += A[r, k] G[r, :]."""
    for i in range(K * J):
        D[i] = 0
    for r in range(n):
        gr = G[r * J : r * J + J]
        ar = A[r * K : r * K + K]
        for k in range(K):
            s = ar[k]
            dk = D[k * J : k * J + J]
            for j in range(J):
                dk[j] += s * gr[j]


def _k_matmul_nt(G, n, J, W, K, D):
    """D = G Wᵀ for flat views G (n, J), W (K, J), D (n, K): D[r, k] = G[r, :] · W[k, :]."""
    for r in range(n):
        gr = G[r * J : r * J + J]
        dr = D[r * K : r * K + K]
        for k in range(K):
            wk = W[k * J : k * J + J]
            s = gr[0] * wk[0]
            for j in range(1, J):
                s += gr[j] * wk[j]
            dr[k] = s


def _k_blas(A, n, K, B, J, C, mode):
    """A matrix product by NumPy's dot on SciPy's BLAS, of flat arrays: mode 0: C (n, J) =
    A (n, K) @ B (K, J); 1: C (K, J) = A (n, K)ᵀ @ B (n, J); 2: C (n, J) = A (n, K) @
    B (J, K)ᵀ. The one kernel compiled with numba's reference counting (its np.dot needs
    it); the others run without: a slice or a call counted a reference up and down (an
    atomic operation, in a call), tens of times a step, about a quarter of a W3 step."""
    if mode == 0:
        np.dot(A.reshape((n, K)), B.reshape((K, J)), C.reshape((n, J)))
    elif mode == 1:
        np.dot(A.reshape((n, K)).T, B.reshape((n, J)), C.reshape((K, J)))
    else:
        np.dot(A.reshape((n, K)), B.reshape((J, K)).T, C.reshape((n, J)))


def _k_mm(A, n, K, W, J, Z, B, zero):
    """Z = A @ W + B (B: the bias, or empty): BLAS (NumPy's dot, on SciPy's BLAS) unless
    the product is tiny or has one column (a dot product per row, vectorized here). The
    bias is added to each rounded product, as Z += b (in a register where the sum is)."""
    nb = B.shape[0] > 0
    if J == 1:
        b0 = B[0] if nb else zero
        for r in range(n):
            ar = A[r * K : r * K + K]
            s = ar[0] * W[0]
            for k in range(1, K):
                s += ar[k] * W[k]
            Z[r] = s + b0 if nb else s
        return
    if n * K * J < _BLAS_MIN and J < _NARROW:
        _k_matmul_narrow(A, n, K, W, J, Z, B, zero)
        return
    if n * K * J < _BLAS_MIN:
        _k_matmul(A, n, K, W, J, Z)
    else:
        _k_blas(A, n, K, W, J, Z, 0)
    if nb:
        for r in range(n):
            zr = Z[r * J : r * J + J]
            for j in range(J):
                zr[j] += B[j]


def _k_mm_tn(A, n, K, G, J, D, zero):
    """D = Aᵀ G, as _k_mm (one column: D += A[r, :] G[r] per row)."""
    if n * K * J < _BLAS_MIN and (J < _NARROW if J > 1 else K < _NARROW):
        _k_matmul_tn_narrow(A, n, K, G, J, D, zero)
    elif J == 1:
        for k in range(K):
            D[k] = 0
        for r in range(n):
            ar = A[r * K : r * K + K]
            g = G[r]
            for k in range(K):
                D[k] += ar[k] * g
    elif n * K * J < _BLAS_MIN:
        _k_matmul_tn(A, n, K, G, J, D)
    else:
        _k_blas(A, n, K, G, J, D, 1)


def _k_mm_nt(G, n, J, W, K, D):
    """D = G Wᵀ, as _k_mm (one column: the outer product G[r] W[:, 0])."""
    if J == 1:
        for r in range(n):
            dr = D[r * K : r * K + K]
            g = G[r]
            for k in range(K):
                dr[k] = g * W[k]
    elif n * K * J < _BLAS_MIN:
        _k_matmul_nt(G, n, J, W, K, D)
    else:
        _k_blas(G, n, J, W, K, D, 2)


def _k_softmax_row(z, out):
    """out = softmax(z) for one row (out may be z): e = exp(z - max z), e / sum e; returns
    (max z, sum e) for the row's logsumexp."""
    K = z.shape[0]
    mx = z[0]
    for j in range(1, K):
        v = z[j]
        if v > mx or v != v:
            mx = v
    for j in range(K):
        out[j] = np.exp(z[j] - mx)
    s = out[0]
    for j in range(1, K):
        s += out[j]
    for j in range(K):
        out[j] = out[j] / s
    return mx, s


def _k_activate(A, n, J, code, alpha, hd):
    """A <- g(Z) in place on the flat view A (n, J) (FastMLP's in-place kernels; softmax as
    functional.softmax_fn)."""
    _k_act(A, n, J, code, alpha, hd, _k_tanh_constants(hd))


def _k_act(A, n, J, code, alpha, hd, tc):
    """_k_activate, the tanh constants ``tc`` given (a run reads them once). A may run on
    past its n J entries, to a run's padding (_PAD): the vectorized tanh (float32) goes
    over all of it, so that a few rows make whole vectors, not a loop of single values."""
    half, one = hd[_HALF], hd[_ONE]
    fast = hd[_FAST] > 0
    m = n * J
    if code == 1 and fast:  # (1 + tanh(z / 2)) / 2
        for i in range(A.shape[0]):
            A[i] = (_k_tanh(A[i] * half, tc) + one) * half
    elif code == 1:
        for i in range(m):
            A[i] = (_k_tanh_libm(A[i] * half, tc) + one) * half
    elif code == 2 and fast:
        for i in range(A.shape[0]):
            A[i] = _k_tanh(A[i], tc)
    elif code == 2:
        for i in range(m):
            A[i] = _k_tanh_libm(A[i], tc)
    elif code == 3:  # np.maximum(z, 0): NaN stays NaN
        for i in range(m):
            a = A[i]
            if not (a >= 0 or a != a):
                A[i] = 0
    elif code == 4:  # np.maximum(z, alpha z); z itself where z > 0 (0 · inf is NaN)
        for i in range(m):
            a = A[i]
            b = a * alpha
            if not (a > 0 or a >= b or a != a):
                A[i] = b
    elif code == 5:  # e = exp(z - max z); e / sum e, per row
        for r in range(n):
            _k_softmax_row(A[r * J : r * J + J], A[r * J : r * J + J])


def _k_times_gprime(D, A, n, J, code, alpha, hd):
    """D <- D * g'(z) on flat views (n, J), g' read from a = g(z) (softmax:
    a * (D - sum(D * a)) per row)."""
    one = hd[_ONE]
    m = n * J
    if code == 1:
        for i in range(m):
            a = A[i]
            D[i] *= (one - a) * a
    elif code == 2:
        for i in range(m):
            a = A[i]
            D[i] *= one - a * a
    elif code == 3:
        for i in range(m):
            D[i] *= one if A[i] != 0 else one - one  # (NaN passes g, as the fast path)
    elif code == 4:
        for i in range(m):
            if not A[i] > 0:
                D[i] *= alpha
    elif code == 5:
        for r in range(n):
            dr = D[r * J : r * J + J]
            ar = A[r * J : r * J + J]
            s = dr[0] * ar[0]
            for j in range(1, J):
                s += dr[j] * ar[j]
            for j in range(J):
                dr[j] = ar[j] * (dr[j] - s)


def _k_output(P, n, K, yf, yi, w, has_w, G, per, code, hd, tc):
    """The table's loss kernel on the output P (flat (n, K)): the unreduced dL/dP into G,
    each row's loss (sample-weighted when weights are given) into ``per``; returns the
    number of per-entry losses (n for cross-entropy, n K otherwise)."""
    one = hd[_ONE]
    zero = one - one
    if code <= 1:  # (y_hat - y)^2 c; dL/dy_hat = 2 c (y_hat - y)
        c, c2 = hd[_C], hd[_2C]
        for r in range(n):
            pr, yr, gr = P[r * K : r * K + K], yf[r * K : r * K + K], G[r * K : r * K + K]
            acc = 0.0
            for j in range(K):
                g = pr[j] - yr[j]
                e = g * g
                if code == 1:
                    e = e * c
                if has_w:
                    e = e * w[r]
                acc += e
                gr[j] = g * c2
            per[r] = acc
        return n * K
    if code == 2:  # max(z, 0) - z y + log(1 + e^-|z|); dL/dz = sigma(z) - y
        half = hd[_HALF]
        fast = hd[_FAST] > 0
        for r in range(n):
            pr, yr, gr = P[r * K : r * K + K], yf[r * K : r * K + K], G[r * K : r * K + K]
            acc = 0.0
            for j in range(K):
                z = pr[j]
                y = yr[j]
                t = _k_tanh(z * half, tc) if fast else _k_tanh_libm(z * half, tc)
                gr[j] = (t + one) * half - y
                e = (z if (z > 0 or z != z) else zero) - z * y + np.log1p(np.exp(-np.abs(z)))
                if has_w:
                    e = e * w[r]
                acc += e
            per[r] = acc
        return n * K
    # cross-entropy from logits: softmax(z) sum_i y_i - y; lse sum_i y_i - sum_i z_i y_i
    half = hd[_HALF]
    for r in range(n):
        pr, gr = P[r * K : r * K + K], G[r * K : r * K + K]
        mx, s = _k_softmax_row(pr, gr)
        lse = np.log(s)  # log sum e^(z - m): m never added back and subtracted (functional's)
        if yi.shape[0] > 0:
            c = yi[r]
            gr[c] -= one
            e = (mx - pr[c]) + lse
        else:
            yr = yf[r * K : r * K + K]
            t = yr[0]
            for j in range(1, K):
                t += yr[j]
            zy = (pr[0] * half - mx * half) * yr[0]  # sum y (z - m), from the halves: finite
            for j in range(1, K):
                zy += (pr[j] * half - mx * half) * yr[j]
            for j in range(K):
                gr[j] = gr[j] * t - yr[j]
            e = lse * t - (zy + zy)
        if has_w:
            e = e * w[r]
        per[r] = e
    return n


def _k_pass(theta, grad, x, yf, yi, w, has_w, n, meta, alphas, hd, l2, act, dz, per, tc):
    """One forward, loss and backward pass on the batch x (flat (n, inputs)): dL/dθ into
    ``grad``, the batch loss (mean, weighted, plus the L2 penalty) returned. ``tc``:
    _k_tanh_constants(hd), read once per run."""
    L = meta.shape[0]
    zero = hd[_ONE] - hd[_ONE]
    # 1) forward: Z = A_prev @ W + b, A = g(Z), in place in act
    for l in range(L):
        K, J, wo, bo, ai, zo = (
            meta[l, 0],
            meta[l, 1],
            meta[l, 2],
            meta[l, 3],
            meta[l, 5],
            meta[l, 6],
        )
        a_prev = x[: n * K] if ai < 0 else act[ai : ai + n * K]
        Zp = act[zo : zo + (n * J + _PAD - 1) // _PAD * _PAD]  # (with its padding)
        B = theta[bo : bo + J] if bo >= 0 else theta[:0]
        _k_mm(a_prev, n, K, theta[wo : wo + K * J], J, Zp[: n * J], B, zero)
        _k_act(Zp, n, J, meta[l, 4], alphas[l], hd, tc)
    # 2) the loss and dL/dZ of the output layer (kernel, g', weights, 1 / count)
    K, zo, go = meta[L - 1, 1], meta[L - 1, 6], meta[L - 1, 7]
    out, G = act[zo : zo + n * K], dz[go : go + n * K]
    count = _k_output(out, n, K, yf, yi, w, has_w, G, per, meta[0, 8], hd, tc)
    _k_times_gprime(G, out, n, K, meta[L - 1, 4], alphas[L - 1], hd)
    if has_w:
        for r in range(n):
            gr = G[r * K : r * K + K]
            for j in range(K):
                gr[j] *= w[r]
    total = 0.0
    for r in range(n):
        total += per[r]
    loss = total / count
    hd[_N_HYPER] = 1.0 / count  # rounded to the dtype, as NumPy's G *= 1.0 / count
    inv = hd[_N_HYPER]
    for i in range(n * K):
        G[i] *= inv
    # 3) backward: dW = A_prevᵀ G, db = 1ᵀ G, dA_prev = G Wᵀ (times g'(Z_prev))
    for l in range(L - 1, -1, -1):
        K, J, wo, bo, ai, go = (
            meta[l, 0],
            meta[l, 1],
            meta[l, 2],
            meta[l, 3],
            meta[l, 5],
            meta[l, 7],
        )
        a_prev = x[: n * K] if ai < 0 else act[ai : ai + n * K]
        G = dz[go : go + n * J]
        _k_mm_tn(a_prev, n, K, G, J, grad[wo : wo + K * J], zero)
        if bo >= 0 and J < _NARROW:  # each sum in a register, rows in order from row 0
            gb = grad[bo : bo + J]
            for j in range(J):
                s = G[j]
                for r in range(1, n):
                    s += G[r * J + j]
                gb[j] = s
        elif bo >= 0:
            gb = grad[bo : bo + J]
            for j in range(J):
                gb[j] = G[j]
            for r in range(1, n):
                gr = G[r * J : r * J + J]
                for j in range(J):
                    gb[j] += gr[j]
        if l > 0:
            pgo = meta[l - 1, 7]
            D = dz[pgo : pgo + n * K]
            _k_mm_nt(G, n, J, theta[wo : wo + K * J], K, D)
            _k_times_gprime(D, a_prev, n, K, meta[l - 1, 4], alphas[l - 1], hd)
    # L2: dL/dW += (l2 / n) W, L += l2 / (2 n) ||W||^2
    if l2 > 0:
        c = l2 / n
        hd[_N_HYPER] = c
        cd = hd[_N_HYPER]
        penalty = 0.0
        for l in range(L):
            wo, size = meta[l, 2], meta[l, 0] * meta[l, 1]
            Wl, gW = theta[wo : wo + size], grad[wo : wo + size]
            sq = 0.0
            for i in range(size):
                v = Wl[i]
                gW[i] += cd * v
                sq += v * v
            penalty += 0.5 * c * sq
        loss += penalty
    return loss


def _k_update(theta, grad, s1, s2, s3, rule, h, hd, t, nesterov, amsgrad):
    """The optimizer's rule on the flat θ (glassnet.optim's _rule, value for value)."""
    m = theta.shape[0]
    lr, wd = h[_LR], h[_WD]
    if rule == _SGD:
        if wd:
            d = hd[_DECAY]
            for i in range(m):
                theta[i] *= d
        if lr == 1.0:
            for i in range(m):
                theta[i] -= grad[i]
        else:
            g = hd[_LR]
            for i in range(m):
                theta[i] -= grad[i] * g
        return
    if rule == _TORCH or rule == _SKLEARN:
        mu, wdd = hd[_MU], hd[_WD]
        if rule == _SKLEARN:
            lrd = hd[_LR]
            for i in range(m):
                g = grad[i] + theta[i] * wdd if wd else grad[i]
                v = s1[i] * mu
                b = g * lrd
                v = v - b
                s1[i] = v
                theta[i] = theta[i] + ((v * mu - b) if nesterov else v)
            return
        damp = 1.0 if t == 1 else 1.0 - h[_DAMP]
        hd[_N_HYPER] = damp
        dd = hd[_N_HYPER]
        for i in range(m):
            g = grad[i] + theta[i] * wdd if wd else grad[i]
            v = s1[i] * mu
            v = v + (g if damp == 1.0 else g * dd)
            s1[i] = v
            d = g + v * mu if nesterov else v
            theta[i] = theta[i] - d if lr == 1.0 else theta[i] - d * hd[_LR]
        return
    # Adam (AdamW: the decay first, on the weights)
    b1m, b2, b2m = hd[_1MB1], hd[_B2], hd[_1MB2]
    if rule == _ADAMW and wd:
        d = hd[_DECAY]
        for i in range(m):
            theta[i] *= d
    c2 = math.sqrt(1.0 - math.pow(h[_B2], float(t)))
    rate = lr * c2 / (1.0 - math.pow(h[_B1], float(t)))
    hd[_N_HYPER] = h[_EPS] * c2 if h[_EPS_C2] else h[_EPS]
    epsd = hd[_N_HYPER]
    hd[_N_HYPER] = rate
    rated = hd[_N_HYPER]
    wdd = hd[_WD]
    for i in range(m):
        g = grad[i] + theta[i] * wdd if (wd and rule == _ADAM) else grad[i]
        mi = s1[i]
        mi = mi + (g - mi) * b1m
        s1[i] = mi
        vi = s2[i] * b2 + (g * b2m) * g  # scaled, then squared: optim.mean_square
        s2[i] = vi
        if amsgrad:
            vm = s3[i]
            if not (vm >= vi or vm != vm):
                vm = vi
            s3[i] = vm
            vi = vm
        a = mi / (np.sqrt(vi) + epsd)
        theta[i] = theta[i] - a if rate == 1.0 else theta[i] - a * rated


def _k_copy(src, dst):
    for i in range(src.shape[0]):
        dst[i] = src[i]


def _k_finite(theta):
    for i in range(theta.shape[0]):
        if not np.isfinite(theta[i]):
            return False
    return True


def _k_run(
    theta, grad, s1, s2, s3, X, yf, n, K0, KY, yi, w, has_w, order, bs, max_steps, epochs,
    meta, alphas, h, hd, l2, rule, t0, nesterov, amsgrad, act, dz, per,
    xb, yfb, yib, wb, tol, has_tol, patience, step0, snap, losses, out,
):  # fmt: skip
    """The training loop: ``epochs`` full-batch epochs (``bs`` = 0) with the tolerance
    rule, or one epoch of batches of ``bs`` rows in ``order``. ``losses`` receives each
    epoch's (full batch) or batch's loss; ``out`` the steps taken, the reason code, best,
    bad, the best epoch and whether ``snap`` was written."""
    steps = 0
    reason = 0
    best, bad, best_e = out[2], int(out[3]), -1
    tc = _k_tanh_constants(hd)
    snapped = 0
    full = bs == 0
    iters = epochs if full else (n + bs - 1) // bs
    for it in range(iters):
        if full:  # full batch: the arrays themselves, one step per epoch
            m, xs, ys, yis, ws = n, X, yf, yi, w
        else:  # batch ``it`` of the epoch: rows order[it bs : it bs + m], gathered
            start = it * bs
            m = min(bs, n - start)
            for r in range(m):
                src = order[start + r]
                for k in range(K0):
                    xb[r * K0 + k] = X[src * K0 + k]
                for k in range(KY):
                    yfb[r * KY + k] = yf[src * KY + k]
                if yi.shape[0] > 0:
                    yib[r] = yi[src]
                if has_w:
                    wb[r] = w[src]
            xs, ys, yis, ws = xb, yfb, yib, wb
        loss = _k_pass(
            theta, grad, xs, ys, yis, ws, has_w, m, meta, alphas, hd, l2, act, dz, per, tc
        )
        losses[it] = loss * m / m if full else loss  # fit's epoch loss: (L m) / m
        if not np.isfinite(loss):
            reason = 3
            break
        _k_update(theta, grad, s1, s2, s3, rule, h, hd, t0 + steps + 1, nesterov, amsgrad)
        steps += 1
        if (step0 + steps) % 64 == 0 and _k_finite(theta):  # fit's last finite weights
            _k_copy(theta, snap)
            snapped = 1
        if full:  # fit's Tolerance rule on the epoch's loss
            score = losses[it]
            bad = 0 if score < best - tol else bad + 1
            if score < best:
                best = score
                best_e = it
            if has_tol and bad >= patience:
                reason = 1
        if steps >= max_steps:
            reason = 2
        if reason:
            break
    out[0] = steps
    out[1] = reason
    out[2] = best
    out[3] = bad
    out[4] = best_e
    out[5] = snapped


_KERNELS = (
    "_k_tanh_constants", "_k_tanh_tail", "_k_tanh", "_k_tanh_libm", "_k_softmax_row",
    "_k_matmul", "_k_matmul_narrow", "_k_matmul_tn", "_k_matmul_tn_narrow", "_k_matmul_nt",
    "_k_blas", "_k_mm", "_k_mm_tn", "_k_mm_nt", "_k_act", "_k_activate", "_k_times_gprime",
    "_k_output", "_k_pass", "_k_update", "_k_copy", "_k_finite", "_k_run",
)  # fmt: skip
# inlined where called (numba's inline="always"): the helpers of a step, so that a step
# is one compiled function (a call per layer and helper, with a dozen arguments per array,
# was about half of a W3 step). An inlined helper takes its caller's fastmath flags, none:
# the step's arithmetic is IEEE in the order written, sums included
_INLINE = (
    "_k_tanh_constants", "_k_tanh_tail", "_k_tanh_libm", "_k_softmax_row", "_k_matmul",
    "_k_matmul_narrow", "_k_matmul_tn", "_k_matmul_tn_narrow", "_k_matmul_nt", "_k_mm",
    "_k_mm_tn", "_k_mm_nt", "_k_act", "_k_activate", "_k_times_gprime", "_k_output",
)  # fmt: skip
# (_k_pass and _k_update stay calls of their own: inlined into _k_run too, a W3 step took
# 175 ns rather than 208, but compiling the kernels took 22 s of CPU time rather than 14)
# Eigen's tanh fuses multiply-adds (fastmath={"contract"}), as XLA's does (within 4.3 ulp of
# tanh; 5.4 without); a function of its own, which LLVM inlines where it is called
_CONTRACT = ("_k_tanh",)


def _compile() -> None:
    """Replace each kernel by its numba dispatcher (compiled per dtype on first call, and
    cached on disk). The helpers of a step are inlined into it (``_INLINE``) and no kernel
    but ``_k_blas`` counts references (numba's ``_nrt=False``: no array is allocated).
    Eigen's tanh fuses multiply-adds (``fastmath={"contract"}``); the rest is IEEE
    arithmetic in the order written (no fast-math, so NaN and inf behave as in NumPy; the
    small matrix products sum each entry in order, without fused multiply-adds, which a
    diverging run magnified past 1e-10 once the loss's arithmetic was fused too). Sums are
    not reassociated: with ``"reassoc"`` the kernels a process compiled and the same
    kernels a later process loaded from numba's cache summed in different orders, so a
    run's bits depended on whether it compiled them."""
    global _compiled
    if _compiled:
        return
    why = unavailable_reason()
    if why is not None:
        raise ImportError(why)
    g = globals()
    with _COMPILING:  # (another thread may have set them up while this one waited)
        for name in () if _compiled else _KERNELS:
            fm = {"contract"} if name in _CONTRACT else False
            nrt = name == "_k_blas"  # (the rest: no reference counting, see _k_blas)
            inline = "always" if name in _INLINE else "never"
            njit = _numba.njit(cache=True, fastmath=fm, nogil=True, error_model="numpy",
                               _nrt=nrt, inline=inline)  # fmt: skip
            g[name] = njit(g[name])
        _compiled = True


# ------------------------------------------------------------------------------------------
# the Python side: layout, optimizer state in and out
# ------------------------------------------------------------------------------------------
@dataclass
class FullBatchRun:
    """What :func:`run_full_batch` did. Unpacks as ``losses, stop_reason``.

    Attributes
    ----------
    losses : ndarray of shape (epochs run,), float64
        Each epoch's training loss, as fit records it. After a divergence the last entry
        is the NaN or infinite loss of the step that was not taken.
    stop_reason : str
        ``"max_epochs"``, ``"tol"``, ``"max_steps"``, ``"diverged"``, or ``"interrupted"``
        (Ctrl-C: the weights and the optimizer hold every step counted in ``steps``).
    steps : int
        Optimizer steps taken.
    best, bad : float, int
        The tolerance rule's state at the end (best loss, epochs in a row without an
        improvement of more than ``tol``), to continue a run.
    best_epoch : int or None
        0-based index into ``losses`` of the best epoch of this call (None if none
        improved on ``best``).
    """

    losses: np.ndarray
    stop_reason: str
    steps: int = 0
    best: float = math.inf
    bad: int = 0
    best_epoch: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __iter__(self) -> Any:
        return iter((self.losses, self.stop_reason))

    def record(self, history: Any, state: Any, rule: Any, epoch0: int, n: int, lr: float) -> None:
        """Fill ``fit``'s books with this run, started after ``epoch0`` epochs on n rows at
        the rate ``lr``: its History and TrainState, and the state of its Tolerance rule."""
        k = history.steps = self.steps
        # (as fit's epoch loss: the batch loss weighted by its rows, (L n) / n)
        history.loss, history.lr = (self.losses[:k] * n / n).tolist(), [lr] * k
        history.samples_seen, history.epochs = k * n, epoch0 + k if k else history.epochs
        history.best_loss = min(history.loss, default=math.inf)
        if self.best_epoch is not None:
            history.best_epoch = epoch0 + self.best_epoch + 1
        rule.best, rule.bad = self.best, self.bad
        state.epoch, state.step = history.epochs, k
        state.epoch_loss = state.batch_loss = history.loss[-1] if k else math.nan


class _Plan:
    """The network and optimizer laid out for the kernels: θ gathered in the optimizer's
    flat order (so its state buffers line up), per-layer offsets, constants."""

    def __init__(self, fast: FastMLP, optimizer: Any, rows: int, owner: str) -> None:
        keep: dict = {}  # (the optimizer's state, read once: checked, then the first state_in)
        reason = _why_not(fast, optimizer, keep)
        self.sd = keep.get("sd")
        if reason is not None:
            raise ValueError(f"{owner}: this network cannot use the compiled loop: {reason}.")
        _compile()
        self.fast, self.opt, dt = fast, optimizer, fast.dtype
        self.params = list(optimizer.param_groups[0]["params"])
        offs, where = [0], {}  # (laid out in Python ints, then one array each)
        for p in self.params:
            where[id(p)] = offs[-1]
            offs.append(offs[-1] + p.data.size)
        self.offs, self.numel = offs, offs[-1]
        last = len(fast.layers) - 1
        rows_of, act_at, dz_at, at_in = [], 0, 0, -1
        for i, lay in enumerate(fast.layers):
            K, J = lay.inputs, lay.neurons
            code = 0 if (i == last and fast.fused) else _ACT[lay.act]
            bo = -1 if lay.linear.b is None else where[id(lay.linear.b)]
            loss = _LOSS[fast.loss.name] if i == 0 else 0
            rows_of.append((K, J, where[id(lay.linear.W)], bo, code, at_in, act_at, dz_at, loss))
            at_in = act_at  # (the next layer's input: this one's output rows)
            act_at += -(-rows * J // _PAD) * _PAD  # each layer's rows padded (see _k_act)
            dz_at += rows * J
        self.meta = np.array(rows_of, np.int64)
        self.alphas = np.array([lay.alpha for lay in fast.layers], dt)
        self.act = np.zeros(max(act_at, 1), dt)  # (the padding: finite values)
        self.dz = np.empty(max(dz_at, 1), dt)
        self.per = np.empty(rows, np.float64)
        self.outputs = fast.layers[-1].neurons

    def state_in(self) -> tuple:
        """θ, ∂J/∂θ and the optimizer's buffers, settings and step count (its state as
        ``__init__`` read it, for the first call; read again for each later one)."""
        dt, opt = self.fast.dtype, self.opt
        theta = np.empty(self.numel, dt)
        for p, o in zip(self.params, self.offs):
            theta[o : o + p.data.size] = p.data.reshape(-1)
        grad = np.zeros(self.numel, dt)
        sd, self.sd = self.sd or opt.state_dict(), None
        group = sd["param_groups"][0]
        steps = _steps_of(sd)
        if len(set(steps)) > 1:
            raise ValueError(
                f"{type(opt).__name__}: its parameters have taken different numbers of steps "
                f"({sorted(set(steps))}); the compiled loop needs one step count. "
                "Train on the NumPy path (engine='fused' without the compiled loop)."
            )
        t0 = int(steps[0]) if steps else 0
        h = np.zeros(_N_SLOTS, np.float64)
        lr = float(group["lr"])
        wd = float(group.get("weight_decay", 0.0))
        h[_LR], h[_WD] = lr, wd
        nesterov = amsgrad = False
        if type(opt) is optim_mod.SGD:
            mu = float(group["momentum"])
            h[_MU], h[_DAMP] = mu, float(group["dampening"])
            nesterov = bool(group["nesterov"])
            rule = _SGD if not mu else (_SKLEARN if group["style"] == "sklearn" else _TORCH)
            names = ["v"] if mu else []
        else:
            b1, b2 = group["betas"]
            h[_B1], h[_B2], h[_EPS] = b1, b2, float(group["eps"])
            h[_1MB1], h[_1MB2] = 1.0 - b1, 1.0 - b2
            h[_EPS_C2] = 1.0 if group.get("style", "torch") == "torch" else 0.0
            amsgrad = bool(group["amsgrad"])
            rule = _ADAMW if type(opt) is optim_mod.AdamW else _ADAM
            names = ["m", "v"] + (["v_max"] if amsgrad else [])
        h[_DECAY] = 1.0 - lr * wd
        loss = self.fast.loss.name
        h[_C] = 0.5 if loss == "half_mse" else 1.0
        h[_2C] = 2.0 * h[_C]
        h[_HALF], h[_ONE] = 0.5, 1.0
        h[_FAST] = 1.0 if self.fast.dtype == np.float32 else 0.0
        h[_TANH:] = _TANH_CONSTANTS
        h[_TAIL:_TANH] = _tanh_tail(dt)
        hd = h.astype(dt)  # each scalar rounded to the dtype, as NumPy's weak scalars are
        bufs = [group[f"{n}.0"].astype(dt, copy=True) for n in names]
        empty = np.zeros(0, dt)
        s1, s2, s3 = (bufs + [empty] * 3)[:3]
        return sd, theta, grad, s1, s2, s3, h, hd, rule, t0, nesterov, amsgrad, names

    def state_out(self, sd, theta, grad, bufs, names, steps) -> None:
        """θ into every ``p.data`` in place, the last gradient into ``p.grad``, and the
        optimizer's state advanced by ``steps`` steps."""
        for p, o in zip(self.params, self.offs):
            p.data[...] = theta[o : o + p.data.size].reshape(p.data.shape)
            g = grad[o : o + p.data.size].reshape(p.data.shape)
            if p.grad is not None and p.grad.shape == g.shape and p.grad.dtype == g.dtype:
                p.grad[...] = g
            else:
                p.grad = as_grad(g.copy())
        if steps:  # (the same state dict each time: this may be repeated)
            group = dict(sd["param_groups"][0])
            for n, b in zip(names, bufs):
                group[f"{n}.0"] = b
            group["steps"] = np.asarray(group["steps"]) + steps
            put_back(self.opt, {**sd, "t": int(sd["t"]) + steps, "param_groups": [group]})


def put_back(optimizer: Any, state: Any) -> None:
    """``optimizer.load_state_dict(state)`` of a state a loop kept or made itself, as it is:
    NaN and inf included (Adam's v = (1 − β₂) g² may overflow to inf while every loss is
    still finite: those weights' steps are then 0 and they stop moving, and fit says so at
    the end of the run, a UserWarning naming the state, as after its per-step loop). A
    ``load_state_dict`` of the user's own that takes no ``finite=`` is called as it is (it
    keeps its own state; it may refuse an overflowed one)."""
    try:
        optimizer.load_state_dict(state, finite=False)
    except TypeError:  # (an override without finite=, or an optimizer of the user's own)
        optimizer.load_state_dict(state)


def _check_data(plan: _Plan, X: Any, y: Any, w: Any, owner: str) -> tuple:
    """X (n, inputs) C-contiguous in the dtype; y as float rows (n, K) and/or int labels."""
    dt, fast = plan.fast.dtype, plan.fast
    X = check_array("X", X, owner, ndim=(2,), dtype=dt, collapse=COLLAPSED_FEATURES)
    X = np.ascontiguousarray(X, dtype=dt)
    n, K0 = X.shape
    if K0 != fast.layers[0].inputs:
        raise ValueError(
            f"{owner}: X has {K0} features per sample but the first layer expects "
            f"{fast.layers[0].inputs}."
        )
    y = np.asarray(y)
    C = plan.outputs
    empty_f, empty_i = np.zeros((0, 0), dt), np.zeros(0, np.int64)
    if fast.loss.name == "cross_entropy" and y.ndim == 1:
        if y.dtype.kind not in "iu" or y.shape != (n,) or (n and (y.min() < 0 or y.max() >= C)):
            raise ValueError(
                f"{owner}: y must hold {n} integer class labels in [0, {C}); got dtype "
                f"{y.dtype}, shape {y.shape}."
            )
        yf, yi = empty_f, np.ascontiguousarray(y, dtype=np.int64)
    else:
        if y.ndim == 1 and C == 1:
            y = y.reshape(-1, 1)
        if y.shape != (n, C):
            raise ValueError(
                f"{owner}: y must have shape ({n}, {C}) (one row of targets per sample); got "
                f"shape {y.shape}, dtype {y.dtype}."
            )
        y = check_array("y", y, owner, ndim=(2,), dtype=dt, collapse=collapsed_targets("y"))
        yf, yi = np.ascontiguousarray(y, dtype=dt), empty_i
    if w is None:
        wv, has_w = np.zeros(0, dt), False
    else:
        wv = np.ascontiguousarray(check_array("w", w, owner, ndim=(1,), dtype=dt), dtype=dt)
        if wv.shape != (n,) or (wv < 0).any():
            raise ValueError(
                f"{owner}: w must hold {n} non-negative sample weights, one per sample; got "
                f"shape {wv.shape}, the smallest {wv.min(initial=0.0):.4g}."
            )
        has_w = True
    return X, yf, yi, wv, has_w


def _run(plan, X, yf, yi, wv, has_w, order, bs, max_steps, epochs, tol, patience, step0,
         snapshot, best, bad, n_losses, books, key):  # fmt: skip
    """One compiled call, its results written back to the model, the optimizer and the
    snapshot, and ``books[key]`` set to (the losses of the steps taken, the steps counted,
    the reason code, best, bad, the best index): all of it done even if Ctrl-C arrives (it
    is returned, to be raised). An interrupt before the call leaves ``books`` as it was."""
    (sd, theta, grad, s1, s2, s3, h, hd, rule, t0, nesterov, amsgrad, names) = plan.state_in()
    dt = plan.fast.dtype
    rows = bs if bs else X.shape[0]
    K0, KY = X.shape[1], yf.shape[1] if yf.shape[0] else 0
    xb, yfb = np.empty(rows * K0 if bs else 0, dt), np.empty(rows * KY if bs else 0, dt)
    yib = np.empty(rows if (bs and yi.shape[0]) else 0, np.int64)
    wb = np.empty(rows if (bs and has_w) else 0, dt)
    snap = np.empty(plan.numel, dt)
    losses = np.empty(n_losses, np.float64)
    out = np.zeros(6, np.float64)
    out[2], out[3] = best, bad
    args = (X.reshape(-1), yf.reshape(-1), X.shape[0], K0, KY, yi, wv, has_w, order, bs)
    # The results go back whole even if Ctrl-C arrives (numba holds it until the compiled
    # call returns, and it is raised then): writing them and the books is repeated until
    # done (each write the same), and the interrupt handed to the caller.
    pending = None
    try:
        _k_run(
            theta, grad, s1, s2, s3, *args, max_steps, epochs, plan.meta, plan.alphas, h, hd,
            float(plan.fast.l2), rule, t0, nesterov, amsgrad, plan.act, plan.dz, plan.per, xb,
            yfb, yib, wb, float(tol or 0.0), tol is not None, patience, step0, snap, losses, out,
        )  # fmt: skip
    except KeyboardInterrupt as e:
        pending = e
    while True:
        try:
            _LOADED.add(dt)
            steps, reason = int(out[0]), int(out[1])
            plan.state_out(sd, theta, grad, [s1, s2, s3][: len(names)], names, steps)
            if out[5] and snapshot is not None:  # fit's last finite weights at a 64th step
                for p, keep in snapshot:
                    o = plan.offs[[id(q) for q in plan.params].index(id(p))]
                    keep[...] = snap[o : o + keep.size].reshape(keep.shape)
            taken = steps + (reason == 3)
            books[key] = (losses[:taken].copy(), steps, reason, float(out[2]), int(out[3]),
                          int(out[4]))  # fmt: skip
            return pending
        except KeyboardInterrupt as e:
            pending = e


def _check_common(epochs_or_none, max_steps, step0, snapshot, owner):
    if max_steps is not None:
        check_positive("max_steps", max_steps, owner, integer=True)
    check_positive("step0", step0, owner, integer=True, allow_zero=True)
    if snapshot is not None:
        snapshot = list(snapshot)
        for item in snapshot:
            if not (isinstance(item, tuple) and len(item) == 2):
                raise TypeError(
                    f"{owner}: snapshot must be a list of (parameter, array) pairs; got "
                    f"{type(item).__name__}."
                )
    return snapshot


def _check_snapshot(plan: _Plan, snapshot: list | None, owner: str) -> None:
    """Each snapshot pair is (one of the network's parameters, an array of its shape and
    dtype), checked before any step: the copies are made as the call returns."""
    mine = {id(p) for p in plan.params}
    for i, (p, keep) in enumerate(snapshot or ()):
        if id(p) not in mine:
            raise ValueError(
                f"{owner}: snapshot[{i}] names a {type(p).__name__} that is not one of the "
                "network's parameters; pair each parameter with its copy."
            )
        want = (p.data.shape, p.data.dtype)
        got = (np.shape(keep), getattr(keep, "dtype", None))
        if not isinstance(keep, np.ndarray) or got != want or not keep.flags.writeable:
            raise ValueError(
                f"{owner}: snapshot[{i}]'s array must be a writable array of shape "
                f"{want[0]} and dtype {want[1]} (its parameter's); got shape {got[0]}, "
                f"dtype {got[1]}. Pass (p, p.data.copy())."
            )


def run_full_batch(
    fast: FastMLP,
    optimizer: Any,
    X: Any,
    y: Any,
    w: Any = None,
    epochs: int = 100,
    tol: float | None = None,
    n_iter_no_change: int = 10,
    *,
    max_steps: int | None = None,
    step0: int = 0,
    snapshot: Sequence[tuple[Any, np.ndarray]] | None = None,
    best: float = math.inf,
    bad: int = 0,
) -> FullBatchRun:
    """Full-batch gradient descent for up to ``epochs`` epochs in one compiled call.

    Each epoch is one step on all of (X, y): ``fast``'s forward, loss and backward, then
    ``optimizer``'s update, in place on the model's parameters. After each epoch, fit's
    default rule (:class:`glassnet.train.Tolerance`): with ``tol`` given, stop once the
    loss has not fallen below ``best - tol`` for ``n_iter_no_change`` epochs in a row
    (``tol=None``: never). A NaN or infinite loss stops the run before that step's update
    (``stop_reason == "diverged"``; the caller raises).

    Parameters
    ----------
    fast : FastMLP (see :func:`glassnet.fused.layers_of`), l2 included
    optimizer : glassnet.optim.SGD, Adam or AdamW over exactly its parameters, one group
    X : array (n, inputs) in the network's dtype; y : targets as fit prepares them, (n, K)
        values, or (n,) int labels / (n, C) rows for cross-entropy; w : (n,) or None
    epochs : int >= 1; tol : float >= 0 or None; n_iter_no_change : int >= 1
    max_steps : int, optional
        At most this many steps in this call (reason ``"max_steps"``, which wins over
        ``"tol"`` in the same epoch, as in fit).
    step0 : int
        Steps taken before this call: with ``snapshot``, the weights are copied into the
        snapshot arrays after every 64th step (counting from the start of training) when
        all are finite, as fit keeps its last finite weights.
    snapshot : list of (parameter, array) pairs, optional
    best, bad : the tolerance rule's state to continue from (a fresh rule: inf, 0)

    Returns
    -------
    FullBatchRun: ``losses, stop_reason = run_full_batch(...)`` (and ``.steps``, ...).
    """
    owner = "run_full_batch"
    check_positive("epochs", epochs, owner, integer=True)
    check_positive("n_iter_no_change", n_iter_no_change, owner, integer=True)
    if tol is not None:
        check_positive("tol", tol, owner, allow_zero=True)
    if not isinstance(best, (int, float, np.number)) or math.isnan(best):
        raise ValueError(f"{owner}: best must be a number (a fresh rule: inf); got {best!r}.")
    check_positive("bad", bad, owner, integer=True, allow_zero=True)
    snapshot = _check_common(epochs, max_steps, step0, snapshot, owner)
    n = np.shape(X)[0] if np.ndim(X) == 2 else 0
    plan = _Plan(fast, optimizer, max(n, 1), owner)
    _check_snapshot(plan, snapshot, owner)
    data = _check_data(plan, X, y, w, owner)
    return _full_batch(plan, data, epochs, tol, n_iter_no_change, max_steps, step0, snapshot,
                       best, bad)  # fmt: skip


def fit_full_batch(
    fast: FastMLP, optimizer: Any, X: np.ndarray, y: np.ndarray, w: np.ndarray | None,
    epochs: int, tol: float | None, n_iter_no_change: int, max_steps: int | None,
    snapshot: list,
) -> FullBatchRun:  # fmt: skip
    """:func:`run_full_batch` as :func:`glassnet.fit` calls it (``engine="jit"``, through
    :mod:`glassnet.engines`), from the start of the rule (best inf, bad 0) and step 0:
    fit checked its settings (``epochs``, ``tol``, ``max_steps``...), made ``snapshot`` of
    the model's own parameters, and checked its data (tasks.check_data: finite, in the
    model's dtype, X's width the first layer's, y prepared for the loss, w non-negative),
    so those checks are not made twice (:func:`_laid_out`). The network and optimizer are
    checked here, as they are at the run (:func:`why_not`: a callback's on_train_begin
    runs between fit's choice and this call)."""
    n = np.shape(X)[0] if np.ndim(X) == 2 else 0
    plan = _Plan(fast, optimizer, max(n, 1), "fit")
    data = _laid_out(plan, X, y, w)
    return _full_batch(plan, data, epochs, tol, n_iter_no_change, max_steps, 0, snapshot,
                       math.inf, 0)  # fmt: skip


def _laid_out(plan: _Plan, X: Any, y: Any, w: Any) -> tuple:
    """:func:`_check_data`'s result for data fit checked already: X (n, inputs), float
    targets y (n, outputs) and w (n,) or None, each an array in the network's dtype, are laid
    out as they are (C-contiguous); anything else (class labels, another dtype or shape)
    goes through :func:`_check_data`, which checks it again."""
    dt, fast = plan.fast.dtype, plan.fast
    arrays = [a for a in (X, y, w) if a is not None]
    n = np.shape(X)[0] if np.ndim(X) == 2 else -1
    if (
        all(type(a) is np.ndarray and a.dtype == dt for a in arrays)
        and X.shape == (n, fast.layers[0].inputs)
        and y.shape == (n, plan.outputs)
        and (w is None or w.shape == (n,))
    ):
        X, y = np.ascontiguousarray(X), np.ascontiguousarray(y)
        if w is None:
            return X, y, np.zeros(0, np.int64), np.zeros(0, dt), False
        return X, y, np.zeros(0, np.int64), np.ascontiguousarray(w), True
    return _check_data(plan, X, y, w, "fit")


def _full_batch(plan, data, epochs, tol, n_iter_no_change, max_steps, step0, snapshot, best,
                bad) -> FullBatchRun:  # fmt: skip
    """The run of :func:`run_full_batch` and :func:`fit_full_batch`, everything checked."""
    X, yf, yi, wv, has_w = data
    order = np.zeros(0, np.int64)
    # in calls of at most _CHUNK epochs: Ctrl-C (which numba holds until a compiled call
    # returns) lands between two, and the run returns what it learned ("interrupted"); each
    # call's books are kept by the call (_run), so an interrupt anywhere between two calls
    # leaves every step taken counted
    books: dict[int, tuple] = {}
    pending = None
    try:
        while True:
            steps, done, code, best, bad = _so_far(books, epochs, best, bad)
            if code or done >= epochs:
                break
            k = min(_CHUNK, epochs - done)
            cap = k + 1 if max_steps is None else max_steps - steps
            pending = _run(
                plan, X, yf, yi, wv, has_w, order, 0, cap, k, tol, n_iter_no_change,
                step0 + steps, snapshot, best, bad, k, books, len(books),
            )  # fmt: skip
            if pending is not None:
                break
    except KeyboardInterrupt as e:
        pending = e
    while True:  # (a second Ctrl-C here: the same run, told again)
        try:
            return _full_batch_run(books, epochs, best, bad, pending)
        except KeyboardInterrupt as e:
            pending = e


def _so_far(books: dict, epochs: int, best: float, bad: int) -> tuple:
    """The steps, epochs, last reason code and the rule's (best, bad) of the calls in
    ``books`` (each of ``_CHUNK`` epochs but the last; none: 0, 0, 0 and the given state)."""
    if not books:
        return 0, 0, 0, best, bad
    last = books[len(books) - 1]
    done = min(epochs, _CHUNK * len(books))
    return sum(b[1] for b in books.values()), done, last[2], last[3], last[4]


def _full_batch_run(books: dict, epochs: int, best: float, bad: int, pending: Any) -> FullBatchRun:
    """The run the calls in ``books`` made (``pending``: Ctrl-C arrived)."""
    steps, _, code, best, bad = _so_far(books, epochs, best, bad)
    best_e = -1
    for i in range(len(books)):
        if books[i][5] >= 0:
            best_e = i * _CHUNK + books[i][5]
    parts = [books[i][0] for i in range(len(books))]
    if code == 3:  # the call stopped at a non-finite loss (a Ctrl-C too: as fit's loop)
        reason = "diverged"
    elif pending is not None:
        reason = "interrupted"
    else:
        reason = _REASONS[code]
    return FullBatchRun(
        losses=np.concatenate(parts) if parts else np.zeros(0, np.float64),
        stop_reason=reason,
        steps=steps,
        best=best,
        bad=bad,
        best_epoch=None if best_e < 0 else best_e,
    )


def check_order(order: Any, n: int, owner: str) -> Any:
    """``order``, the rows of an epoch's batches, if it is a permutation of ``range(n)``,
    as fit draws it (``rng.permutation(n)``): n integer row indices, each row once (an
    array of ``order``'s own library; a list as a NumPy array). A few passes over its n
    indices, once an epoch, for :func:`run_epoch` and the loops under its contract.

    An order that repeats rows (a bootstrap sample) is refused: an epoch is every row
    once, and fit never draws one; train on the rows drawn (``X[idx]``, ``y[idx]``)."""
    if namespace(order) is np:
        order = np.asarray(order)
    want = (
        f"{owner}: order must be a permutation of range({n}) (rng.permutation({n}), as fit "
        f"draws it): {n} integer row indices, each row once"
    )
    if order.shape != (n,) or order.dtype.kind not in "iu":
        raise ValueError(f"{want}. Got dtype {order.dtype}, shape {order.shape}.")
    if not n:
        return order
    low, high = int(order.min()), int(order.max())
    if low < 0 or high >= n:
        raise ValueError(f"{want}. Got row index {low if low < 0 else high}.")
    xp = namespace(order)
    seen = xp.zeros(n, dtype=bool)
    seen[order] = True
    if not bool(seen.all()):  # n indices in range(n), one missing: another one repeated
        counts = xp.bincount(order, minlength=n)
        twice, never = int(xp.argmax(counts)), int(xp.argmin(counts))
        raise ValueError(
            f"{want}. Row {twice} comes {int(counts[twice])} times in it and row {never} "
            "never; to train on rows drawn with repeats (a bootstrap sample), pass those "
            "rows, X[idx] and y[idx], in order (order=None) or with their own permutation."
        )
    return order


def run_epoch(
    fast: FastMLP,
    optimizer: Any,
    X: Any,
    y: Any,
    w: Any,
    order: Any,
    batch_size: int,
    *,
    max_steps: int | None = None,
    step0: int = 0,
    snapshot: Sequence[tuple[Any, np.ndarray]] | None = None,
) -> np.ndarray:
    """One epoch of mini-batch training in one compiled call: the batches are rows
    ``order[s : s + batch_size]`` for s = 0, batch_size, ... (the last one may be shorter),
    gathered by index as fit gathers them; one optimizer step per batch.

    ``order`` is a permutation of ``range(n)`` (fit's ``rng.permutation(n)``), or None for
    the rows in order (``shuffle=False``); another order, one that repeats rows too, is
    refused (:func:`check_order`). ``max_steps`` bounds the steps of this call;
    ``step0`` and ``snapshot`` as in :func:`run_full_batch`.

    Returns the batch losses (float64), one per batch run. A NaN or infinite loss stops
    the epoch: it is the last value returned and its update was not made (the caller
    raises, as fit does).
    """
    owner = "run_epoch"
    check_positive("batch_size", batch_size, owner, integer=True)
    snapshot = _check_common(None, max_steps, step0, snapshot, owner)
    n = np.shape(X)[0] if np.ndim(X) == 2 else 0
    if batch_size > max(n, 1) and np.ndim(X) == 2:  # (X of another rank: _check_data says so)
        raise ValueError(
            f"{owner}: batch_size ({batch_size}) is larger than the number of samples ({n}); "
            "use run_full_batch for full-batch training."
        )
    plan = _Plan(fast, optimizer, batch_size, owner)
    _check_snapshot(plan, snapshot, owner)
    X, yf, yi, wv, has_w = _check_data(plan, X, y, w, owner)
    if order is None:
        order = np.arange(n, dtype=np.int64)
    else:
        order = np.ascontiguousarray(check_order(order, n, owner), dtype=np.int64)
    batches = -(-n // batch_size)
    cap = batches + 1 if max_steps is None else max_steps
    books: dict[int, tuple] = {}
    none = np.zeros(0, np.float64)
    try:
        pending = _run(
            plan, X, yf, yi, wv, has_w, order, batch_size, cap, 1, None, 1, step0, snapshot,
            math.inf, 0, batches, books, 0,
        )  # fmt: skip
    except KeyboardInterrupt as e:  # before the call (nothing taken) or after its books
        pending = e
    if pending is not None:  # the epoch's steps are in the weights and the optimizer:
        pending.losses = books[0][0] if books else none  # their losses go with the interrupt
        raise pending
    return books[0][0]


if __name__ == "__main__":  # python -m glassnet.jit: compile ahead (numba caches on disk)
    # The documented command is 'glassnet jit' (python -m glassnet jit): 'import glassnet'
    # imports this module before runpy runs it again as __main__, which Python warns of.
    # This copy hands over to the package's, whose kernels fit runs and numba caches.
    import sys

    if sys.argv[1:]:
        raise SystemExit(
            f"python -m glassnet.jit takes no arguments; got {' '.join(sys.argv[1:])!r}. "
            "Run 'glassnet jit' (see 'glassnet jit --help')."
        )
    _package = sys.modules.get("glassnet.jit")
    if _package is None or not _package.available():
        raise SystemExit(
            _package.unavailable_reason()
            if _package is not None
            else 'glassnet.jit needs numba and SciPy: pip install "glassnet[jit]"'
        )
    for name, seconds in _package.warmup().items():
        print(f"glassnet.jit: {name} kernels ready in {seconds:.1f} s")
    print("glassnet.jit: next time, run 'glassnet jit' (the same, without Python's warning)")
