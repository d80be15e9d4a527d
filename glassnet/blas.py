"""BLAS's axpy, ``y <- y + a x``, from the BLAS NumPy itself links: the optimizers' update of
a large buffer in one pass.

NumPy has no one call for ``w - γ d``: it takes two (``γ d`` into a scratch block, then the
subtraction), and on weights that do not stay in the cache between the backward pass and
the update the second one is a second trip to memory. BLAS's ``saxpy``/``daxpy`` reads
``d`` and ``w`` and writes ``w`` once, as PyTorch's fused update does. On bench/ W1
(784-256-128-10, 235k float32 weights, SGD) the whole ``fit`` ran 1.02-1.04x faster with it
at batch 32, 128 and 1024 (medians of 5 interleaved rounds on a shared 2-core VM, spreads
0.82-1.17x; ``python bench/axpy.py``): against the hand-written NumPy step, 0.95x, 0.92x
and 0.99x with it, 0.89x, 0.89x and 0.91x without.

glassnet calls the axpy of the OpenBLAS that NumPy's wheels bundle (``numpy.libs`` on
Linux and Windows, ``numpy/.dylibs`` on macOS): the same library, and the same thread pool,
as NumPy's matrix products, so :mod:`glassnet.threads`' limits hold for it too, and no new
dependency. Where there is none (NumPy built against another BLAS, e.g. MKL or Accelerate),
:func:`axpy` returns False and the optimizer keeps its two NumPy calls. axpy may round
``y + a x`` once (a fused multiply-add) where NumPy's two calls round twice: the two paths'
weights can differ in the last bit, as they do between two BLAS libraries.

>>> import numpy as np
>>> w, g = np.ones(100_000, np.float32), np.full(100_000, 2.0, np.float32)
>>> _ = axpy(w, g, -0.25) or np.subtract(w, 0.25 * g, out=w)  # without the BLAS: NumPy
>>> float(w[0])
0.5
"""

from __future__ import annotations

import ctypes
import glob
import os
from typing import Any

import numpy as np

__all__ = ["axpy", "available"]

_FUNCS: dict[np.dtype, Any] | None = None  # dtype -> the BLAS function (found on first use)


def _find() -> dict[np.dtype, Any]:
    """NumPy's bundled OpenBLAS's cblas_saxpy/cblas_daxpy, or {} when it has none."""
    site = os.path.dirname(os.path.dirname(os.path.abspath(np.__file__)))
    paths = [p for pat in ("numpy.libs", os.path.join("numpy", ".dylibs"))
             for p in sorted(glob.glob(os.path.join(site, pat, "*openblas*")))]  # fmt: skip
    for path in paths:
        try:
            lib = ctypes.CDLL(path)  # (already loaded by NumPy: the same handle)
        except OSError:
            continue
        # scipy-openblas64 (NumPy 2's wheels) names them scipy_cblas_saxpy64_; older
        # wheels' openblas64_ cblas_saxpy64_; a 32-bit-integer build cblas_saxpy
        for prefix, suffix, index in (
            ("scipy_", "64_", ctypes.c_int64),
            ("", "64_", ctypes.c_int64),
            ("scipy_", "", ctypes.c_int),
            ("", "", ctypes.c_int),
        ):
            try:
                s, d = (getattr(lib, f"{prefix}cblas_{t}axpy{suffix}") for t in "sd")
            except AttributeError:
                continue
            for f, real in ((s, ctypes.c_float), (d, ctypes.c_double)):
                f.restype = None
                f.argtypes = [index, real, ctypes.c_void_p, index, ctypes.c_void_p, index]
            limit = np.iinfo(np.int64 if index is ctypes.c_int64 else np.int32).max
            return {np.dtype(np.float32): s, np.dtype(np.float64): d, "limit": limit}
    return {}


def available() -> bool:
    """Whether NumPy's BLAS axpy was found (see the module docstring)."""
    global _FUNCS
    if _FUNCS is None:
        _FUNCS = _find()
    return bool(_FUNCS)


def axpy(y: Any, x: Any, a: float) -> bool:
    """``y <- y + a x`` in place, in one pass, for two contiguous 1-D NumPy arrays of one
    float dtype and a Python float ``a``. Returns False, having done nothing, where the BLAS
    was not found or the arrays are not such (a CuPy array, a view with strides, another
    dtype, overlapping arrays, ``a == 0``): the caller computes it another way."""
    if not available() or type(y) is not np.ndarray or not isinstance(x, np.ndarray):  # (x: a
        return False  # gradient, NumPy's array or glassnet.gradient.Grad, a view of one)
    f = _FUNCS.get(y.dtype)
    if (
        f is None
        or not isinstance(a, (int, float))
        or isinstance(a, bool)
        or x.dtype != y.dtype
        or x.shape != y.shape
        or y.ndim != 1
        or not (x.flags.c_contiguous and y.flags.c_contiguous and y.flags.writeable)
        or y.size > _FUNCS["limit"]
        or a == 0  # (BLAS skips the product: NumPy's w - 0 inf is nan, axpy's w)
        or np.may_share_memory(x, y)
    ):
        return False
    f(y.size, float(a), x.ctypes.data, 1, y.ctypes.data, 1)
    return True
