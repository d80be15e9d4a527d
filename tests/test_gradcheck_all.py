"""Every differentiable op of glassnet, gradient-checked against central finite differences in
float64, and its numerics at extreme inputs.

The ops are enumerated from the tables that define them (``tensor.BINARY_OPS``,
``habits.FUNCTIONS``, ``functional.ACTIVATIONS``, ``functional.LOSSES``, the loss modules of
``glassnet.nn``, ``glassnet.nn.functional``, ``glassnet.ops``, the Tensor's public methods and
operators): :func:`test_every_op_is_gradient_checked` fails when one of them has no check here,
so an op added to a table without a check is caught.

* :func:`test_gradcheck`: ``glassnet.gradcheck`` (float64, central differences) on each case;
  cases avoid kinks (relu and abs at 0, max ties), which
  :func:`test_documented_subgradient` checks against the documented subgradient instead.
  Binary ops run on broadcasting shapes, reductions over each axis (and a tuple of axes),
  with and without keepdims.
* :func:`test_backward_with_random_upstream_gradient`: ``out.backward(r)`` with a random ``r``
  of the output's shape, against the finite differences of ``sum(fn(x) r)``.
* :func:`test_extreme_inputs`: ±1e300, ±1e-300, ±88/±89 (float32) and ±709/±710 (float64)
  for the exp-like ops, logits of ±1e4, probabilities of exactly 0 and 1: values and
  gradients finite wherever the mathematical value is finite (and, where an expected value is
  given, equal to it); where it is infinite, inf, never NaN.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import glassnet as gn
from glassnet import autograd, habits, nn, ops
from glassnet import functional as F
from glassnet import tensor as T
from glassnet import torch_tensor as TT
from glassnet.nn import functional as NF
from glassnet.nn import losses as NL
from glassnet.nn import torch_layers as TL
from glassnet.tensor import Tensor

ATOL, RTOL = 1e-5, 1e-4  # gradcheck's defaults


# ----------------------------------------------------------------------------- inputs
def u(shape: Any, lo: float = -2.0, hi: float = 2.0, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(lo, hi, shape)


def away(shape: Any, seed: int = 0, gap: float = 0.2, hi: float = 2.0) -> np.ndarray:
    """Values of either sign, none within ``gap`` of 0 (no kink of relu or abs)."""
    rng = np.random.default_rng(seed)
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(gap, hi, shape)


def pos(shape: Any, seed: int = 0) -> np.ndarray:
    return u(shape, 0.3, 2.0, seed)


def prob(shape: Any, seed: int = 0) -> np.ndarray:
    return u(shape, 0.05, 0.95, seed)


def grid(shape: Any, seed: int = 0, offset: float = 0.0) -> np.ndarray:
    """Distinct values k / 10 + offset (shuffled): no two within 0.1 of each other, no ties;
    with offset 0.05 none within 0.05 of a value of an offset-0 grid."""
    n = int(np.prod(shape))
    k = np.random.default_rng(seed).permutation(n) - n // 2
    return (k / 10 + offset).reshape(shape)


def labels(n: int, c: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, c, n)


def rows(n: int, c: int, seed: int = 0) -> np.ndarray:
    p = u((n, c), 0.1, 1.0, seed)
    return p / p.sum(axis=1, keepdims=True)


def binary(shape: Any, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 2, shape).astype(float)


# ----------------------------------------------------------------------------- the registry
CASES: list[Any] = []
COVERED: dict[str, set[str]] = defaultdict(set)


def case(covers: str | tuple[str, ...], cid: str, fn: Callable, *inputs: Any, xfail: str = ""):
    """A gradient check of ``fn`` at ``inputs``; ``covers`` names "table:op" entries."""
    for c in (covers,) if isinstance(covers, str) else covers:
        table, name = c.split(":")
        COVERED[table].add(name)
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    first = covers if isinstance(covers, str) else covers[0]
    inputs = tuple(np.asarray(a, dtype=np.float64) for a in inputs)
    CASES.append(pytest.param(fn, inputs, id=f"{first}[{cid}]", marks=marks))


SHAPE3 = (2, 3, 4)
AXES = [None, 0, 1, 2, -1, (0, 2)]

# ---------------------------------------------------------------- binary ops (BINARY_OPS)
BROADCAST = [
    ((3, 4), (3, 4)),
    ((3, 4), (4,)),
    ((2, 1, 4), (3, 1)),
    ((4,), (2, 3, 4)),
    ((2, 3), ()),
    ((1,), (2, 3)),
]
BINARY_CALL = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "maximum": ops.maximum,
    "minimum": ops.minimum,
}
for name, call in BINARY_CALL.items():
    for sa, sb in BROADCAST:
        if name in ("maximum", "minimum"):  # grids apart by >= 0.05: no tie
            a, b = grid(sa, 1), grid(sb, 2, offset=0.05)
        elif name == "pow":  # a positive base: dL/dp = y log a
            a, b = pos(sa, 1), u(sb, -2, 2, 2)
        elif name == "div":
            a, b = u(sa, seed=1), away(sb, 2, gap=0.5)
        else:
            a, b = u(sa, seed=1), u(sb, seed=2)
        case(f"BINARY_OPS:{name}", f"{sa}x{sb}", call, a, b)
    # a Python number as the other operand (a constant), on either side
    x = pos((3, 4), 3) if name in ("pow", "div") else grid((3, 4), 3, offset=0.05)
    case(f"BINARY_OPS:{name}", "number", lambda a, c=call: c(a, 0.7), x)
    if name not in ("maximum", "minimum"):  # the reflected operators
        case(f"BINARY_OPS:{name}", "reflected", lambda a, c=call: c(0.7, a), x)
        case(f"BINARY_OPS:{name}", "array-reflected", lambda a, c=call: c(pos((3, 4), 9), a), x)

ARITHMETIC = (  # the arithmetic dunders, each with a number as the other operand
    "__add__",
    "__radd__",
    "__sub__",
    "__rsub__",
    "__mul__",
    "__rmul__",
    "__truediv__",
    "__rtruediv__",
    "__pow__",
    "__rpow__",
)
for dunder in ARITHMETIC:
    case(f"Tensor:{dunder}", "number", lambda a, d=dunder: getattr(a, d)(1.3), pos((2, 3), 4))
case("Tensor:__neg__", "", lambda a: -a, u((2, 3)))
case(("Tensor:neg", "Tensor:__neg__"), "method", lambda a: a.neg(), u((2, 3)))
for meth in ("add", "sub", "mul", "div", "pow"):
    other = (lambda: pos((3,), 5)) if meth == "pow" else (lambda: away((3,), 5, gap=0.5))
    case(f"Tensor:{meth}", "tensors", lambda a, b, m=meth: getattr(a, m)(b), pos((2, 3)), other())
case("Tensor:add", "alpha", lambda a, b: a.add(b, alpha=2.5), u((2, 3)), u((3,), seed=1))
case("Tensor:sub", "alpha", lambda a, b: a.sub(b, alpha=-0.5), u((2, 3)), u((2, 1), seed=1))
for meth in ("add", "sub", "mul", "div"):  # torch.add(a, b) and kin: the function forms
    case(
        f"FUNCTIONS:{meth}",
        "function",
        lambda a, b, m=meth: getattr(gn, m)(a, b),
        pos((2, 3)),
        away((3,), 5, gap=0.5),
    )
case("FUNCTIONS:neg", "function", gn.neg, u((2, 3)))
case("FUNCTIONS:t", "function", gn.t, u((3, 4)))
case(("Tensor:square", "FUNCTIONS:square"), "", gn.square, u((2, 3)))
case("Tensor:square", "method", lambda a: a.square(), u((2, 3)))
case(("FUNCTIONS:pow", "Tensor:pow"), "tensor", gn.pow, pos((2, 3)), u((3,), seed=1))
case("FUNCTIONS:pow", "number", lambda a: gn.pow(a, 3.0), away((2, 3)))

# ---------------------------------------------------------------- matmul
MATMUL = [
    ((3, 4), (4, 2)),
    ((4,), (4, 2)),
    ((3, 4), (4,)),
    ((4,), (4,)),
    ((2, 3, 4), (4, 2)),
    ((2, 1, 3, 4), (3, 4, 2)),
]
for sa, sb in MATMUL:
    case(
        ("Tensor:__matmul__", "FUNCTIONS:matmul", "Tensor:matmul"),
        f"{sa}@{sb}",
        gn.matmul,
        u(sa, seed=1),
        u(sb, seed=2),
    )
    case("Tensor:__matmul__", f"op {sa}@{sb}", lambda a, b: a @ b, u(sa, seed=3), u(sb, seed=4))
case("Tensor:__rmatmul__", "array@tensor", lambda b: u((3, 4), seed=5) @ b, u((4, 2)))
case(("FUNCTIONS:mm", "Tensor:mm"), "", gn.mm, u((3, 4)), u((4, 2), seed=1))
case("Tensor:mm", "method", lambda a, b: a.mm(b), u((3, 4)), u((4, 2), seed=1))
# PyTorch's vector products: dot and outer of two 1-D vectors, mv of a matrix and a vector
case(("FUNCTIONS:dot", "Tensor:dot"), "", gn.dot, u((5,)), u((5,), seed=1))
case("Tensor:dot", "method", lambda a, b: a.dot(b), u((4,), seed=2), u((4,), seed=3))
case("Tensor:dot", "a constant", lambda a: a.dot(u((3,), seed=4)), u((3,), seed=5))
case(("FUNCTIONS:mv", "Tensor:mv"), "", gn.mv, u((3, 4)), u((4,), seed=1))
case("Tensor:mv", "method", lambda a, b: a.mv(b), u((2, 5), seed=2), u((5,), seed=3))
case(("FUNCTIONS:outer", "Tensor:outer"), "", gn.outer, u((3,)), u((4,), seed=1))
case("Tensor:outer", "method", lambda a, b: a.outer(b), u((1,), seed=2), u((5,), seed=3))

# ---------------------------------------------------------------- elementwise unary
UNARY = {  # name: (fn of a tensor, domain)
    "exp": (lambda t: t.exp(), u),
    "log": (lambda t: t.log(), pos),
    "log1p": (lambda t: t.log1p(), lambda s, seed=0: u(s, -0.7, 2.0, seed)),
    "sqrt": (lambda t: t.sqrt(), pos),
    "abs": (lambda t: t.abs(), away),
    "sigmoid": (lambda t: t.sigmoid(), u),
    "tanh": (lambda t: t.tanh(), u),
    "relu": (lambda t: t.relu(), away),
    "clone": (lambda t: t.clone(), u),
    "sin": (lambda t: t.sin(), lambda s, seed=0: u(s, -4.0, 4.0, seed)),
    "cos": (lambda t: t.cos(), lambda s, seed=0: u(s, -4.0, 4.0, seed)),
    # piecewise constant, gradient 0 (PyTorch's): checked away from their jumps, where the
    # finite differences are 0 too (grid offsets: every value 0.05 from a whole number and a
    # half; sign: none near 0)
    "floor": (lambda t: t.floor(), lambda s, seed=0: grid(s, seed, offset=0.05)),
    "ceil": (lambda t: t.ceil(), lambda s, seed=0: grid(s, seed, offset=0.05)),
    "round": (lambda t: t.round(), lambda s, seed=0: grid(s, seed, offset=0.05)),
    "sign": (lambda t: t.sign(), away),
}
for name, (method, domain) in UNARY.items():
    for shape in ((), (5,), (2, 3)):
        case(f"Tensor:{name}", f"{shape}", method, domain(shape, seed=len(shape)))
    if name in habits.FUNCTIONS:
        case(f"FUNCTIONS:{name}", "function", getattr(gn, name), domain((2, 3), seed=7))

# ---------------------------------------------------------------- reductions, each axis
REDUCTIONS = {  # name: (call(t, axis, keepdims), domain, table names)
    "sum": (lambda t, a, k: t.sum(axis=a, keepdims=k), u),
    "mean": (lambda t, a, k: t.mean(axis=a, keepdims=k), u),
    "max": (lambda t, a, k: t.max(axis=a, keepdims=k), grid),
    "min": (lambda t, a, k: t.min(axis=a, keepdims=k), grid),
    "amax": (lambda t, a, k: t.amax(a, k), grid),
    "amin": (lambda t, a, k: t.amin(a, k), grid),
    "var": (lambda t, a, k: t.var(a, keepdim=k), u),
    "std": (lambda t, a, k: t.std(a, keepdim=k), u),
    "norm": (lambda t, a, k: t.norm(2, a, k), u),
    "norm1": (lambda t, a, k: t.norm(1, a, k), away),
}
FUNCTION_FORM = {  # the same through torch-style gn.<name>(x, dim=, keepdim=)
    "sum": lambda t, a, k: gn.sum(t, dim=a, keepdim=k),
    "mean": lambda t, a, k: gn.mean(t, dim=a, keepdim=k),
    "amax": lambda t, a, k: gn.amax(t, a, k),
    "amin": lambda t, a, k: gn.amin(t, a, k),
    "var": lambda t, a, k: gn.var(t, a, keepdim=k),
    "std": lambda t, a, k: gn.std(t, a, keepdim=k),
    "norm": lambda t, a, k: gn.norm(t, 2, a, k),
}
for name, (call, domain) in REDUCTIONS.items():
    method = "norm" if name == "norm1" else name
    for axis in AXES:
        for keep in (False, True):
            x = domain(SHAPE3, seed=11)
            case(
                f"Tensor:{method}",
                f"{name} axis={axis} keepdims={keep}",
                lambda t, c=call, a=axis, k=keep: c(t, a, k),
                x,
            )
    if name in FUNCTION_FORM:
        for axis in (None, 1, (0, 2)):
            case(
                f"FUNCTIONS:{name}",
                f"dim={axis} keepdim=True",
                lambda t, c=FUNCTION_FORM[name], a=axis: c(t, a, True),
                domain(SHAPE3, seed=12),
            )
case("Tensor:var", "correction=0", lambda t: t.var(1, correction=0), u(SHAPE3))
case("Tensor:var", "unbiased=False", lambda t: t.var(False), u((3, 4)))
case("Tensor:std", "correction=2", lambda t: t.std(dim=2, correction=2), u(SHAPE3))
case("Tensor:max", "whole", lambda t: t.max(), grid((3, 4)))
case("Tensor:min", "whole", lambda t: t.min(), grid((3, 4)))
case(("FUNCTIONS:norm", "Tensor:norm"), "p=1 dim=1", lambda t: gn.norm(t, 1, 1), away((3, 4)))
# every p PyTorch takes: ±inf (no ties in u's values), 0 (gradient 0), any real p, negative
# too (away from 0, where p < 1 has its kink), and the nuclear norm of matrices
for p, domain in (
    (np.inf, u), (-np.inf, away), (0, away), (0.5, away), (3, u), (1.5, u), (-1.5, away),
    (-1, away), (7, u), ("fro", u),
):  # fmt: skip
    for axis in (None, 1, (0, 2)):
        case(
            "Tensor:norm",
            f"p={p} dim={axis}",
            lambda t, p=p, a=axis: t.norm(p, a),
            domain(SHAPE3, seed=13),
        )
case(
    ("FUNCTIONS:norm", "Tensor:norm"),
    "p=inf dim=-1 keepdim",
    lambda t: gn.norm(t, float("inf"), -1, True),
    u(SHAPE3, seed=14),
)
case("Tensor:norm", "p=3 dim=0 keepdim", lambda t: t.norm(3, 0, True), u(SHAPE3, seed=15))
case("Tensor:norm", "p='nuc'", lambda t: t.norm("nuc"), u((3, 4), seed=16))
case("Tensor:norm", "p='nuc' 4x3", lambda t: t.norm("nuc"), u((4, 3), seed=17))
case(
    "Tensor:norm",
    "p='nuc' dim=(0, 2) keepdim",
    lambda t: t.norm("nuc", (0, 2), True),
    u(SHAPE3, seed=18),
)
case("Tensor:norm", "p='nuc' dim=(-1, 1)", lambda t: t.norm("nuc", (-1, 1)), u(SHAPE3, seed=19))

# NumPy's functions on a Tensor (np.mean(x) passes dtype= and out=, np.var(x) ddof=)
case("Tensor:mean", "np.mean", lambda t: np.mean(t), u(SHAPE3))
case("Tensor:sum", "np.sum axis=1", lambda t: np.sum(t, axis=1), u(SHAPE3))
case("Tensor:var", "np.var", lambda t: np.var(t), u(SHAPE3))
case("Tensor:std", "np.std axis=2", lambda t: np.std(t, axis=2), u(SHAPE3))
case(
    "Tensor:std",
    "dim=-1 keepdim correction=0",
    lambda t: t.std(-1, correction=0, keepdim=True),
    u(SHAPE3),
)
case("Tensor:var", "dim=(-1, 0)", lambda t: t.var((-1, 0)), u(SHAPE3))
case("Tensor:norm", "dim=-2 keepdim", lambda t: t.norm(dim=-2, keepdim=True), u(SHAPE3))
case("Tensor:amax", "dim=-1", lambda t: t.amax(-1), grid(SHAPE3))
case(
    "Tensor:std",
    "rows of very different scales",
    lambda t: t.std(dim=1),
    np.array([[3e3, -1e3, 2e3], [3e-3, -1e-3, 2e-3]]),
)

# ---------------------------------------------------------------- sort, topk, bmm (habits)
X_SORT = u((3, 4), seed=30)  # (no ties: each value's place is unique)
for d, desc in ((1, False), (0, True), (-1, True)):
    case(
        ("Tensor:sort", "FUNCTIONS:sort"),
        f"dim={d} descending={desc}",
        lambda t, d=d, s=desc: gn.sort(t, d, s).values,
        X_SORT,
    )
for k, d, big in ((2, 1, True), (1, 0, False), (4, -1, False)):
    case(
        ("Tensor:topk", "FUNCTIONS:topk"),
        f"k={k} dim={d} largest={big}",
        lambda t, k=k, d=d, g=big: gn.topk(t, k, d, g).values,
        X_SORT,
    )
case(("Tensor:bmm", "FUNCTIONS:bmm"), "", gn.bmm, u((3, 2, 4), seed=31), u((3, 4, 2), seed=32))

# ---------------------------------------------------------------- along an axis
for d in (0, 1, 2, -1):
    x = u(SHAPE3, seed=13)
    case(("Tensor:cumsum", "FUNCTIONS:cumsum"), f"dim={d}", lambda t, d=d: gn.cumsum(t, d), x)
    case("Tensor:cumsum", f"method dim={d}", lambda t, d=d: t.cumsum(d), x)
    case(("Tensor:softmax", "FUNCTIONS:softmax"), f"dim={d}", lambda t, d=d: gn.softmax(t, d), x)
    case("Tensor:softmax", f"method dim={d}", lambda t, d=d: t.softmax(d), x)
    case(
        ("Tensor:log_softmax", "FUNCTIONS:log_softmax"),
        f"dim={d}",
        lambda t, d=d: gn.log_softmax(t, d),
        x,
    )
    case("Tensor:log_softmax", f"method dim={d}", lambda t, d=d: t.log_softmax(d), x)
case("Tensor:round", "decimals=1", lambda t: t.round(decimals=1), grid((3, 4), offset=0.03))
case("Tensor:round", "decimals=-1", lambda t: gn.round(t * 10, decimals=-1), grid((3, 4), 1, 0.03))
case("Tensor:cumsum", "0-d", lambda t: t.cumsum(0), np.array(1.5))
case("Tensor:cumsum", "dtype", lambda t: t.cumsum(1, dtype=np.float64), u((2, 3)))

# ---------------------------------------------------------------- shape ops and indexing
SHAPE_OPS = {
    "reshape": (lambda t: t.reshape(4, 6), lambda t: gn.reshape(t, (6, -1))),
    "view": (lambda t: t.view(-1), None),
    "flatten": (lambda t: t.flatten(1), lambda t: gn.flatten(t, 0, 1)),
    "permute": (lambda t: t.permute(2, 0, 1), lambda t: gn.permute(t, (1, 2, 0))),
    "transpose": (lambda t: t.transpose(0, 2), lambda t: gn.transpose(t, 1, 2)),
    "unsqueeze": (lambda t: t.unsqueeze(1), lambda t: gn.unsqueeze(t, -1)),
    "squeeze": (lambda t: t.reshape(2, 1, 3, 4).squeeze(1), lambda t: gn.squeeze(t[None])),
    "T": (lambda t: t.T, None),
    "t": (lambda t: t.reshape(4, 6).t(), None),
}
for name, (method, function) in SHAPE_OPS.items():
    case(f"Tensor:{name}", "method", method, u(SHAPE3, seed=14))
    if function is not None:
        case(f"FUNCTIONS:{name}", "function", function, u(SHAPE3, seed=15))
# expand and repeat (habits): the gradient sums over the positions a value reached
EXPAND = {
    "new leading axes": ((3, 1, 4), (2, 3, 5, 4)),
    "-1 keeps": ((3, 1), (-1, 4)),
    "same shape": ((2, 3), (2, 3)),
    "0-d": ((), (2, 3)),
    "tuple": ((1, 3), ((2, 2, 3),)),
}
for cid, (shape, sizes) in EXPAND.items():
    case("Tensor:expand", cid, lambda t, s=sizes: t.expand(*s), u(shape, seed=33))
REPEAT = {
    "each axis": ((2, 3), (2, 3)),
    "leading axes": ((2, 3), (2, 1, 2)),
    "ones": ((2, 3), (1, 1)),
    "0-d": ((), (3, 2)),
    "list": ((3,), ([2, 2],)),
}
for cid, (shape, reps) in REPEAT.items():
    case("Tensor:repeat", cid, lambda t, r=reps: t.repeat(*r), u(shape, seed=34))
case("Tensor:repeat", "then expand", lambda t: t.repeat(1, 2).expand(3, 2, 6), u((2, 3)))

INDEXES = {
    "int": 1,
    "slice": (slice(None), slice(1, 3)),
    "ellipsis-step": (Ellipsis, slice(None, None, 2)),
    "repeated": [0, 1, 0, 0],
    "mask": u((3, 4), seed=16) > 0,
    "pairs": (np.array([0, 2, 2]), np.array([3, 0, 3])),
    "newaxis": (None, 1),
    "tensor-index": Tensor([2.0, 0.0, 2.0]),
}
for cid, index in INDEXES.items():
    case("Tensor:__getitem__", cid, lambda t, i=index: t[i], u((3, 4), seed=17))

# gather (habits): the gradient scattered back, repeated indices adding up
GATHER = {  # id: (dim, index) on a (3, 4) x
    "dim=1 repeated": (1, [[0, 0, 3], [2, 1, 1], [3, 3, 3]]),
    "dim=0 shorter": (0, [[2, 0, 1, 2], [0, 0, 2, 1]]),
    "dim=-1 one column": (-1, [[1], [3], [0]]),
    "longer on dim": (1, [[0, 1, 2, 3, 0, 1]]),
}
for cid, (d, index) in GATHER.items():
    case(
        ("Tensor:gather", "FUNCTIONS:gather"),
        cid,
        lambda t, d=d, i=index: gn.gather(t, d, np.array(i)),
        u((3, 4), seed=35),
    )
case("Tensor:gather", "argmax", lambda t: t.gather(1, t.argmax(1, keepdim=True)), u((3, 4)))

# scatter (habits): x receives g where nothing was written, src g at each place it went
SCATTER = {  # id: (dim, index, src's shape) on a (3, 4) x; no index repeated on dim
    "dim=0": (0, [[0, 1, 2, 0], [2, 0, 1, 1]], (2, 4)),
    "dim=1": (1, [[0, 3, 2], [1, 3, 0], [2, 0, 1]], (3, 3)),
    "src longer": (0, [[1, 2], [0, 1]], (3, 5)),
}
for cid, (d, index, shape) in SCATTER.items():
    case(
        ("Tensor:scatter", "FUNCTIONS:scatter"),
        cid,
        lambda t, s, d=d, i=index: gn.scatter(t, d, np.array(i), s),
        u((3, 4), seed=37),
        u(shape, seed=38),
    )
case(
    "Tensor:scatter",
    "value",
    lambda t: t.scatter(1, np.array([[0], [2], [3]]), value=0.5),
    u((3, 4)),
)
case(
    "Tensor:gather",
    "3-D dim=2",
    lambda t: t.gather(2, labels(24, 4, 36).reshape(2, 3, 4)),
    u(SHAPE3),
)

# ---------------------------------------------------------------- casts (exact: see below)
# astype/float/double/to cast, and their gradient is cast back: a float32 round trip cannot be
# finite-differenced at eps = 1e-6 (float32 keeps 7 digits), so test_casts checks them exactly.
for name in ("astype", "float", "double", "to", "type"):
    COVERED["Tensor"].add(name)

# ---------------------------------------------------------------- glassnet.ops
for axis, (sa, sb) in ((0, ((2, 3), (4, 3))), (1, ((2, 3), (2, 1))), (-1, ((2, 2, 1), (2, 2, 3)))):
    case(
        ("ops:concatenate", "ops:cat"),
        f"axis={axis}",
        lambda a, b, x=axis: ops.concatenate([a, b], axis=x),
        u(sa, seed=1),
        u(sb, seed=2),
    )
case(
    "ops:cat",
    "dim=1 three",
    lambda a, b, c: ops.cat((a, b, c), dim=1),
    u((2, 1)),
    u((2, 2), seed=1),
    u((2, 3), seed=2),
)
for axis in (0, 1, -1):
    case(
        "ops:stack",
        f"axis={axis}",
        lambda a, b, x=axis: ops.stack([a, b], axis=x),
        u((2, 3), seed=1),
        u((2, 3), seed=2),
    )


# split and chunk (ops): each piece's gradient goes back to its place (weighted: each its own)
def _weighted(pieces: tuple[Tensor, ...], dim: int) -> Tensor:
    return ops.cat([p * (i + 1.0) for i, p in enumerate(pieces)], dim=dim)


SPLITS = {  # id: (args of split, dim) on a (2, 5, 3) x
    "2 dim=1": (2, 1),
    "sections dim=1": ([1, 0, 4], 1),
    "larger than the axis": (7, 1),
    "1 dim=-1": (1, -1),
}
for cid, (size, d) in SPLITS.items():
    case(
        ("Tensor:split", "FUNCTIONS:split"),
        cid,
        lambda t, s=size, d=d: _weighted(gn.split(t, s, dim=d), d),
        u((2, 5, 3), seed=37),
    )
case("Tensor:split", "one piece", lambda t: t.split([2, 3], 1)[1], u((2, 5, 3), seed=37))
for chunks, d in ((2, 1), (4, 1), (3, 0), (2, -1)):  # (5 in 4 chunks: 3 pieces, 2 2 1)
    case(
        ("Tensor:chunk", "FUNCTIONS:chunk"),
        f"{chunks} dim={d}",
        lambda t, c=chunks, d=d: _weighted(gn.chunk(t, c, d), d),
        u((2, 5, 3), seed=38),
    )
case("Tensor:chunk", "one piece", lambda t: t.chunk(3, 1)[2], u((2, 5, 3), seed=38))

COND = u((3, 4), seed=18) > 0
case(
    "ops:where", "(3,4) (3,4) (4,)", lambda a, b: ops.where(COND, a, b), u((3, 4)), u((4,), seed=1)
)
case(
    "ops:where",
    "cond (4,) a (2,3,4) b (3,1)",
    lambda a, b: ops.where(COND[0], a, b),
    u((2, 3, 4)),
    u((3, 1), seed=1),
)
case("ops:where", "number a", lambda b: ops.where(COND, 0.5, b), u((3, 4)))
case("ops:where", "number b", lambda a: ops.where(COND, a, -1.0), u((3, 4)))
case("ops:maximum", "number first", lambda b: ops.maximum(0.05, b), grid((3, 4)))
case("ops:minimum", "tensors", ops.minimum, grid((3, 4)), grid((4,), 1, offset=0.05))
case("ops:maximum", "tensors", ops.maximum, grid((3, 4)), grid((4,), 1, offset=0.05))

case(
    "ops:where",
    "cond (2,3,4) grows a (3,4) and b",
    lambda a, b: ops.where(u(SHAPE3) > 0, a, b),
    u((3, 4)),
    u((1, 4), seed=1),
)

# ---------------------------------------------------------------- masked_fill, clip
MASK = u((3, 4), seed=19) > 0
MASK_TT = u((3, 4), seed=53) > 0
for cid, mask in (
    ("mask (3,4)", MASK),
    ("mask (4,)", MASK[0]),
    ("mask (2,1,1) grows x", MASK[:2, :1, None]),
):
    case(
        ("FUNCTIONS:masked_fill", "Tensor:masked_fill"),
        cid,
        lambda t, m=mask: gn.masked_fill(t, m, -2.5),
        u((3, 4)),
    )
case(
    "Tensor:masked_fill",
    "0-d Tensor value",
    lambda t, v: t.masked_fill(MASK, v),
    u((3, 4)),
    np.array(0.7),
)
X_CLIP = grid((3, 4), 20, offset=0.03)  # no value within 0.02 of the bounds +-0.5
case("Tensor:clip", "low high", lambda t: t.clip(-0.5, 0.5), X_CLIP)
case("FUNCTIONS:clip", "min max", lambda t: gn.clip(t, min=-0.5, max=0.5), X_CLIP)
case("FUNCTIONS:clip", "positional", lambda t: gn.clip(t, -0.5, 0.5), X_CLIP)
case("Tensor:clip", "low only", lambda t: t.clip(low=-0.5), X_CLIP)
case("Tensor:clip", "high only", lambda t: t.clip(high=0.5), X_CLIP)
case("Tensor:clip", "array bounds (4,)", lambda t: t.clip(np.full(4, -0.5), 0.5), X_CLIP)
case(
    "Tensor:clip",
    "bounds of more axes (2,1,4)",
    lambda t: t.clip(np.full((2, 1, 4), -0.5), 0.5),
    X_CLIP,
)
case(
    ("Tensor:clamp", "FUNCTIONS:clamp"), "min max", lambda t: gn.clamp(t, min=-0.5, max=0.5), X_CLIP
)
case("Tensor:clamp", "method", lambda t: t.clamp(max=0.5), X_CLIP)
case(("Tensor:clamp_min", "FUNCTIONS:clamp_min"), "", lambda t: gn.clamp_min(t, -0.5), X_CLIP)
case("Tensor:clamp_min", "array (4,)", lambda t: t.clamp_min(np.full(4, -0.5)), X_CLIP)
case(("Tensor:clamp_max", "FUNCTIONS:clamp_max"), "", lambda t: gn.clamp_max(t, max=0.5), X_CLIP)
case("Tensor:clamp_max", "0-d Tensor", lambda t: t.clamp_max(Tensor(0.5)), X_CLIP)

# ---------------------------------------------------------------- activations, functional
for name, act in F.ACTIVATIONS.items():
    domain = away if name in ("relu", "leaky_relu") else u
    kw = {"alpha": 0.2} if name == "leaky_relu" else {}
    for shape in ((5,), (2, 3)):
        case(
            f"ACTIVATIONS:{name}",
            f"{shape}",
            lambda t, n=name, k=kw: F.activation(t, n, **k),
            domain(shape, seed=21),
        )
    if not act.elementwise:
        for axis in (0, 1, 2):
            case(
                f"ACTIVATIONS:{name}",
                f"axis={axis}",
                lambda t, n=name, a=axis: F.activation(t, n, axis=a),
                u(SHAPE3, seed=22),
            )
FUNCTIONAL = {  # glassnet.functional's graph functions (the losses are below)
    "sigmoid": lambda t: F.sigmoid(t),
    "tanh": lambda t: F.tanh(t),
    "relu": lambda t: F.relu(t),
    "leaky_relu": lambda t: F.leaky_relu(t, 0.1),
    "identity": lambda t: F.identity(t) * 1.0,
    "softmax": lambda t: F.softmax(t, dim=0),
    "log_softmax": lambda t: F.log_softmax(t, axis=0),
    "activation": lambda t: F.activation(t, "logistic"),
    "dropout": lambda t: F.dropout(t, 0.4, np.random.default_rng(3)),  # one mask every call
}
for name, fn in FUNCTIONAL.items():
    case(f"functional:{name}", "", fn, away((3, 4), seed=23))
case(
    "functional:dropout",
    "eval",
    lambda t: F.dropout(t, 0.4, np.random.default_rng(3), False),
    u((3, 4)),
)
case("functional:linear", "bias", F.linear, u((3, 4)), u((4, 2), seed=1), u((2,), seed=2))
case("functional:linear", "no bias", F.linear, u((3, 4)), u((4, 2), seed=1))
case("functional:linear", "one row", F.linear, u((1, 4)), u((4, 2), seed=1), u((2,), seed=2))
case("functional:linear", "1-D x", F.linear, u((4,)), u((4, 2), seed=1), u((2,), seed=2))

# ---------------------------------------------------------------- LOSSES
N, C = 4, 3
LOSS_DATA = {  # name: [(case id, x, target)]
    "mse": [("", u((N, C)), u((N, C), seed=1)), ("1-D", u(N), u(N, seed=1))],
    "half_mse": [("", u((N, C)), u((N, C), seed=1))],
    "binary_cross_entropy": [  # (p in [0.05, 0.95]: below eps the clipped loss is flat but
        # dL/dp is the clipped point's, -1/eps, on purpose: F.binary_cross_entropy's docstring)
        ("hard", prob((N, C)), binary((N, C), 1)),
        ("soft", prob((N, C)), prob((N, C), 1)),
    ],
    "binary_cross_entropy_with_logits": [
        ("hard", u((N, C)), binary((N, C), 1)),
        ("soft", u((N, C)), prob((N, C), 1)),
    ],
    "cross_entropy": [
        ("labels", u((N, C)), labels(N, C, 1)),
        ("rows", u((N, C)), rows(N, C, 1)),
        ("unnormalized rows", u((N, C)), u((N, C), 0, 1, 1)),
    ],
}
SAMPLE_WEIGHT = u(N, 0.2, 2.0, seed=30)
for name in F.LOSSES:
    for cid, x, y in LOSS_DATA.get(name, []):
        for red in ("mean", "sum", "none"):
            case(
                f"LOSSES:{name}",
                f"{cid} {red}",
                lambda t, n=name, y=y, r=red: F.LOSSES[n](t, y, reduction=r),
                x,
            )
        sw = SAMPLE_WEIGHT if x.ndim == 2 else SAMPLE_WEIGHT
        case(
            f"LOSSES:{name}",
            f"{cid} sample_weight",
            lambda t, n=name, y=y, w=sw: F.LOSSES[n](t, y, sample_weight=w),
            x,
        )
case("functional:mse", "half", lambda t: F.mse(t, u((N, C), seed=1), half=True), u((N, C)))
case("functional:half_mse", "", lambda t: F.half_mse(t, u((N, C), seed=1)), u((N, C)))
for name in ("binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy"):
    cid, x, y = LOSS_DATA[name][0]
    case(f"functional:{name}", cid, lambda t, n=name, y=y: getattr(F, n)(t, y), x)

# ---------------------------------------------------------------- nn loss modules
WEIGHT_C = u(C, 0.3, 2.0, seed=31)
NN_LOSSES: dict[str, list[tuple[str, Callable, Any]]] = {
    # class name: [(case id, make(reduction) -> module, the target; None: x minus a gap)]
    "MSELoss": [("", lambda r: nn.MSELoss(reduction=r), u((N, C), seed=1))],
    "L1Loss": [("", lambda r: nn.L1Loss(reduction=r), None)],
    "HuberLoss": [
        ("delta=1", lambda r: nn.HuberLoss(reduction=r), None),
        ("delta=0.5", lambda r: nn.HuberLoss(reduction=r, delta=0.5), None),
        (  # (the derivative is continuous there: only the second one jumps)
            "|d| = delta",
            lambda r: nn.HuberLoss(reduction=r, delta=0.5),
            u((N, C)) - np.where(binary((N, C), 4) > 0, 0.5, -0.5),
        ),
    ],
    "BCELoss": [
        ("", lambda r: nn.BCELoss(reduction=r), binary((N, C), 1)),
        ("weight", lambda r: nn.BCELoss(WEIGHT_C, reduction=r), prob((N, C), 1)),
    ],
    "BCEWithLogitsLoss": [
        ("", lambda r: nn.BCEWithLogitsLoss(reduction=r), binary((N, C), 1)),
        ("weight", lambda r: nn.BCEWithLogitsLoss(WEIGHT_C, reduction=r), prob((N, C), 1)),
        (
            "pos_weight",
            lambda r: nn.BCEWithLogitsLoss(reduction=r, pos_weight=WEIGHT_C),
            prob((N, C), 1),
        ),
    ],
    "CrossEntropyLoss": [
        ("labels", lambda r: nn.CrossEntropyLoss(reduction=r), labels(N, C, 1)),
        ("rows", lambda r: nn.CrossEntropyLoss(reduction=r), rows(N, C, 1)),
        ("weight", lambda r: nn.CrossEntropyLoss(WEIGHT_C, reduction=r), labels(N, C, 1)),
        ("weight rows", lambda r: nn.CrossEntropyLoss(WEIGHT_C, reduction=r), rows(N, C, 1)),
        (
            "smoothing",
            lambda r: nn.CrossEntropyLoss(reduction=r, label_smoothing=0.2),
            labels(N, C, 1),
        ),
        (
            "smoothing rows",
            lambda r: nn.CrossEntropyLoss(reduction=r, label_smoothing=0.2),
            rows(N, C, 1),
        ),
        (
            "ignore_index",
            lambda r: nn.CrossEntropyLoss(reduction=r, ignore_index=1),
            np.array([1, 0, 2, 1]),
        ),
        (
            "ignore -100 weight",
            lambda r: nn.CrossEntropyLoss(WEIGHT_C, reduction=r),
            np.array([2, -100, 0, 1]),
        ),
    ],
    "SmoothL1Loss": [
        ("beta=1", lambda r: nn.SmoothL1Loss(reduction=r), None),
        ("beta=0.5", lambda r: nn.SmoothL1Loss(reduction=r, beta=0.5), None),
        ("beta=0 (L1)", lambda r: nn.SmoothL1Loss(reduction=r, beta=0.0), None),
    ],
    "NLLLoss": [
        ("labels", lambda r: nn.NLLLoss(reduction=r), labels(N, C, 1)),
        ("weight", lambda r: nn.NLLLoss(WEIGHT_C, reduction=r), labels(N, C, 1)),
        ("ignore_index", lambda r: nn.NLLLoss(reduction=r, ignore_index=0), np.array([0, 1, 2, 0])),
        ("rows", lambda r: nn.NLLLoss(reduction=r), rows(N, C, 1)),
    ],
}
NN_LOSS_CLASSES = sorted(
    n
    for n in nn.__all__
    if isinstance(getattr(nn, n), type) and issubclass(getattr(nn, n), NL._Loss)
)
X_LOSS = {"BCELoss": prob((N, C)), "NLLLoss": -pos((N, C))}
for name, specs in NN_LOSSES.items():
    for cid, make, y in specs:
        x = X_LOSS.get(name, u((N, C)))
        if y is None:  # L1 and Huber: d = x - y away from 0 (and from +-delta)
            y = x - away((N, C), 1, gap=0.1, hi=1.8) * np.where(u((N, C), seed=2) > 0, 1, 0.3)
        for red in ("mean", "sum", "none"):
            case(f"nn:{name}", f"{cid} {red}", lambda t, m=make, y=y, r=red: m(r)(t, y), x)
    if name in ("MSELoss", "L1Loss", "HuberLoss"):  # a target that requires grad gets -dL/dd
        x = u((N, C))
        case(
            f"nn:{name}",
            "target requires grad",
            lambda t, y, m=specs[0][1]: m("mean")(t, y),
            x,
            x - away((N, C), 3, gap=0.1),
        )

case(
    "nn:SmoothL1Loss",
    "target requires grad",
    lambda t, y: nn.SmoothL1Loss(beta=0.7)(t, y),
    u((N, C)),
    u((N, C)) - away((N, C), 3, gap=0.1),
)


def _kl(reduction: str, log_target: bool = False) -> Callable:
    """KLDivLoss of the log-probabilities of t; 'mean' warns (as PyTorch's): kept quiet."""

    def loss(t: Tensor, y: Any) -> Tensor:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return nn.KLDivLoss(reduction=reduction, log_target=log_target)(t.log_softmax(1), y)

    return loss


Y_KL = rows(N, C, 1)
Y_KL[0, 1] = 0.0  # (a class of probability 0: no term)
for red in ("mean", "batchmean", "sum", "none"):
    case("nn:KLDivLoss", f"{red}", lambda t, r=red: _kl(r)(t, Y_KL), u((N, C)))
    case(
        "nn:KLDivLoss",
        f"log_target {red}",
        lambda t, r=red: _kl(r, True)(t, np.log(rows(N, C, 2))),
        u((N, C)),
    )
case(
    "nn:KLDivLoss",
    "target requires grad",
    lambda t, y: _kl("batchmean")(t, y),
    u((N, C)),
    rows(N, C, 3),
)
case(
    "nn:KLDivLoss",
    "log target requires grad",
    lambda t, y: _kl("sum", True)(t, y.log_softmax(1)),
    u((N, C)),
    u((N, C), seed=4),
)

# ---------------------------------------------------------------- glassnet.nn.torch_layers
X_TL = away((N, C), seed=25, gap=0.1, hi=3.0)  # (ELU's kink at 0 avoided)


def _bn_eval() -> TL.BatchNorm1d:
    """A BatchNorm1d in eval mode, its weight, bias and running statistics not 1 and 0."""
    bn = TL.BatchNorm1d(C, eps=1e-3, dtype=np.float64)
    bn.weight.data[...], bn.bias.data[...] = u(C, seed=7), u(C, seed=8)
    bn.running_mean[...], bn.running_var[...] = u(C, seed=9), pos(C, seed=10)
    return bn.eval()


TORCH_LAYERS = {  # name: [(case id, fn)]
    "gelu": [("none", TL.gelu), ("tanh", lambda t: TL.gelu(t, approximate="tanh"))],
    "GELU": [("none", TL.GELU()), ("tanh", TL.GELU("tanh"))],
    "silu": [("", TL.silu)],
    "SiLU": [("", TL.SiLU())],
    "elu": [("alpha=1", TL.elu), ("alpha=0.3", lambda t: TL.elu(t, alpha=0.3))],
    "ELU": [("alpha=2", TL.ELU(alpha=2.0))],
    "softplus": [
        ("", TL.softplus),
        ("beta=2 threshold=3", lambda t: TL.softplus(t, beta=2.0, threshold=3.0)),
        ("beta=-1.5", lambda t: TL.softplus(t, beta=-1.5)),
    ],
    "Softplus": [("beta=0.5", TL.Softplus(beta=0.5, threshold=1.0))],
    "layer_norm": [
        ("no affine", lambda t: TL.layer_norm(t, C)),
        ("two axes", lambda t: TL.layer_norm(t.reshape(2, 2, 3), (2, 3), eps=1e-3)),
        ("rows x 1e160", lambda t: TL.layer_norm(t * 1e160, C)),  # (its variance: > 1e308)
    ],
    "LayerNorm": [
        ("affine", TL.LayerNorm(C, dtype=np.float64)),
        ("no affine", TL.LayerNorm((C,), elementwise_affine=False, dtype=np.float64)),
    ],
    "LogSoftmax": [("dim=1", TL.LogSoftmax(dim=1)), ("dim=0", TL.LogSoftmax(0))],
    "BatchNorm1d": [  # (training: through the batch's mean and variance)
        ("training", TL.BatchNorm1d(C, dtype=np.float64)),
        ("eval", _bn_eval()),
        ("no running stats", TL.BatchNorm1d(C, affine=False, track_running_stats=False).eval()),
        (
            "x 1e160",
            lambda t: TL.BatchNorm1d(C, track_running_stats=False, dtype=np.float64)(t * 1e160),
        ),
    ],
}
for name, specs in TORCH_LAYERS.items():
    for cid, fn in specs:
        case(f"nn.torch_layers:{name}", cid, fn, X_TL)
# BatchNorm1d on PyTorch's (N, C, L) sequences: each channel's statistics over N and L
for cid, bn in (
    ("training (N, C, L)", TL.BatchNorm1d(C, dtype=np.float64)),
    ("eval (N, C, L)", _bn_eval()),
):
    case("nn.torch_layers:BatchNorm1d", cid, bn, away((N, C, 5), seed=26, gap=0.1, hi=3.0))
case(
    "nn.torch_layers:layer_norm",
    "weight and bias",
    lambda t, w, b: TL.layer_norm(t, (C,), w, b),
    X_TL,
    u(C, seed=5),
    u(C, seed=6),
)
case(
    "nn.torch_layers:GELU",
    "around 0 and the tails",
    TL.GELU(),
    np.array([-9.0, -5.5, -3.2, -0.3, 0.2, 0.45, 0.5, 3.7, 4.2, 8.0]),
)

# ---------------------------------------------------------------- glassnet.nn.functional
X_NF = away((N, C), seed=24)
NN_FUNCTIONAL = {
    "relu": lambda t: NF.relu(t),
    "sigmoid": lambda t: NF.sigmoid(t),
    "tanh": lambda t: NF.tanh(t),
    "leaky_relu": lambda t: NF.leaky_relu(t, negative_slope=0.3),
    "softmax": lambda t: NF.softmax(t, dim=1, dtype=np.float64),
    "log_softmax": lambda t: NF.log_softmax(t, 0),
    "mse_loss": lambda t: NF.mse_loss(t, u((N, C), seed=1), reduction="sum"),
    "l1_loss": lambda t: NF.l1_loss(t, X_NF - away((N, C), 1)),  # (d away from 0 and delta)
    "huber_loss": lambda t: NF.huber_loss(t, X_NF - away((N, C), 1), delta=0.7),
    "binary_cross_entropy": lambda t: NF.binary_cross_entropy(t.sigmoid(), prob((N, C), 1)),
    "binary_cross_entropy_with_logits": lambda t: NF.binary_cross_entropy_with_logits(
        t, binary((N, C), 1), WEIGHT_C, pos_weight=WEIGHT_C[::-1].copy()
    ),
    "cross_entropy": lambda t: NF.cross_entropy(t, labels(N, C, 1), WEIGHT_C, label_smoothing=0.1),
    "nll_loss": lambda t: NF.nll_loss(t.log_softmax(1), labels(N, C, 1), ignore_index=2),
    # (the same mask at every call: the generator seeded first)
    "dropout": lambda t: (gn.manual_seed(0), NF.dropout(t, 0.4))[1],
    "gelu": lambda t: NF.gelu(t, approximate="tanh"),
    "silu": lambda t: NF.silu(t),
    "elu": lambda t: NF.elu(t, 0.5),
    "softplus": lambda t: NF.softplus(t, 1.5, 2.0),
    "layer_norm": lambda t: NF.layer_norm(t, [C], eps=0.0),
    "smooth_l1_loss": lambda t: NF.smooth_l1_loss(t, X_NF - away((N, C), 1), beta=0.5),
    "kl_div": lambda t: NF.kl_div(t.log_softmax(1), rows(N, C, 1), reduction="batchmean"),
    "linear": lambda t: NF.linear(t, u((2, C), seed=1), u((2,), seed=2)),
}
for name, fn in NN_FUNCTIONAL.items():
    case(f"nn.functional:{name}", "", fn, X_NF)
for slope in (-0.5, 1.5):  # (PyTorch's slopes outside [0, 1): the graph computes them)
    case("nn.functional:leaky_relu", f"negative_slope={slope}",
         lambda t, s=slope: NF.leaky_relu(t, negative_slope=s), X_NF)  # fmt: skip

# ---------------------------------------------------------------- products, logsumexp, casts
for d in (None, 0, 1):
    case(("Tensor:prod", "FUNCTIONS:prod"), f"dim={d}", lambda t, d=d: gn.prod(t, d), u((3, 4)))
case("Tensor:prod", "zeros", lambda t: t.prod(1, keepdim=True), u((3, 4)) * (u((3, 4)) > 0))
case("Tensor:logsumexp", "dim=1", lambda t: t.logsumexp(1), u((3, 4)))
case("Tensor:logsumexp", "dims", lambda t: t.logsumexp((0, 1), keepdim=True), u((3, 4)))
case("FUNCTIONS:logsumexp", "1e4", lambda t: gn.logsumexp(t, 0), u((3, 4)) + 1e4)
case("Tensor:type_as", "", lambda t: t.type_as(t.double()), u((2, 3)))
case("Tensor:expand_as", "", lambda t: t.expand_as(np.zeros((4, 2, 3))), u((2, 1)))
# PyTorch's contiguous, view_as, index_select, flip, roll, tril, triu (habits)
case("Tensor:contiguous", "", lambda t: t.T.contiguous().view(-1), u((3, 4)))
case("Tensor:view_as", "", lambda t: t.view_as(np.zeros((2, 6))), u((3, 4)))
for cid, (d, index) in {
    "dim=1 repeated": (1, [3, 0, 3]),
    "dim=0": (0, [2, 1]),
    "one": (-1, 2),
}.items():
    case(
        ("Tensor:index_select", "FUNCTIONS:index_select"),
        cid,
        lambda t, d=d, i=index: gn.index_select(t, d, np.array(i)),
        u((3, 4), seed=36),
    )
case("Tensor:flip", "dims", lambda t: t.flip(0, 2), u(SHAPE3, seed=37))
case("FUNCTIONS:flip", "list", lambda t: gn.flip(t, [-1]), u(SHAPE3, seed=37))
case("Tensor:roll", "flat", lambda t: t.roll(5), u(SHAPE3, seed=38))
case("FUNCTIONS:roll", "dims", lambda t: gn.roll(t, (1, -2), (0, 2)), u(SHAPE3, seed=38))
for k in (0, 1, -1):
    case(
        ("Tensor:tril", "FUNCTIONS:tril"), f"diagonal={k}", lambda t, k=k: gn.tril(t, k), u(SHAPE3)
    )
    case(
        ("Tensor:triu", "FUNCTIONS:triu"), f"diagonal={k}", lambda t, k=k: gn.triu(t, k), u(SHAPE3)
    )

# PyTorch's addcmul, addcdiv and lerp (habits): every input gets its gradient
case(
    ("Tensor:addcmul", "FUNCTIONS:addcmul"),
    "function",
    lambda a, b, c: gn.addcmul(a, b, c, value=-0.7),
    u((2, 3)),
    u((2, 3), seed=1),
    u((3,), seed=2),
)
case("Tensor:addcmul", "value", lambda a, b, c: a.addcmul(b, c, value=-0.7), u((2, 3)),
     u((2, 3), seed=1), u((3,), seed=2))  # fmt: skip
case(
    ("Tensor:addcdiv", "FUNCTIONS:addcdiv"),
    "function",
    lambda a, b, c: gn.addcdiv(a, b, c, value=1.5),
    u((2, 3)),
    u((2, 3), seed=1),
    pos((2, 3), 3),
)
case("Tensor:addcdiv", "value", lambda a, b, c: a.addcdiv(b, c, value=1.5), u((2, 3)),
     u((2, 3), seed=1), pos((2, 3), 3))  # fmt: skip
case(("Tensor:lerp", "FUNCTIONS:lerp"), "function", lambda a, b: gn.lerp(a, b, 0.3), u((2, 3)),
     u((2, 3), seed=1))  # fmt: skip
case("Tensor:lerp", "weight 0.3", lambda a, b: a.lerp(b, 0.3), u((2, 3)), u((2, 3), seed=1))
case("Tensor:lerp", "weight 0.8", lambda a, b: a.lerp(b, 0.8), u((2, 3)), u((2, 3), seed=1))
case("Tensor:lerp", "weight tensor", lambda a, b, w: a.lerp(b, w), u((2, 3)), u((2, 3), seed=1),
     u((2, 3), 0.0, 1.0, seed=4))  # fmt: skip


# ---------------------------------------------------------------- glassnet.torch_tensor (round 28)
def tt(name: str, cid: str, method: Callable | None, function: Callable, *inputs: Any) -> None:
    """A case of the method (x.name) and of the function (gn.name / torch_tensor.name)."""
    if method is not None:
        case(f"Tensor:{name}", cid, method, *inputs)
    case(f"torch_tensor:{name}", cid, function, *inputs)


X_TT = grid((3, 4), 35, offset=0.03)  # distinct values (no ties of a sort or median)
A_MOD, B_MOD = u((3, 4), -3.0, 3.0, seed=36), away((4,), seed=37, gap=0.4)
case("Tensor:mT", "3-D", lambda t: t.mT, u(SHAPE3, seed=38))
case("Tensor:__mod__", "x % y", lambda a, b: a % b, A_MOD, B_MOD)
case("Tensor:__mod__", "x % 0.7", lambda a: a % 0.7, A_MOD)
tt("remainder", "x, y", lambda a, b: a.remainder(b), TT.remainder, A_MOD, B_MOD)
tt("fmod", "x, y", lambda a, b: a.fmod(b), TT.fmod, A_MOD, B_MOD)
tt("diag", "matrix", lambda t: t.diag(1), lambda t: gn.diag(t, -1), u((3, 4), seed=39))
tt("diag", "vector", lambda t: t.diag(), lambda t: gn.diag(t, 2), u((3,), seed=40))
tt(
    "diagonal",
    "dims",
    lambda t: t.diagonal(1, 2, 0),
    lambda t: gn.diagonal(t, -1, 1, 2),
    u(SHAPE3, seed=41),
)
tt("trace", "", lambda t: t.trace(), TT.trace, u((3, 4), seed=42))
tt("select", "dim 1", lambda t: t.select(1, -1), lambda t: gn.select(t, 0, 1), u(SHAPE3))
tt("narrow", "dim -1", lambda t: t.narrow(-1, 1, 2), lambda t: gn.narrow(t, 0, -1, 1), u(SHAPE3))
tt(
    "unbind",
    "dim 1",
    lambda t: _weighted(t.unbind(1), 0),
    lambda t: _weighted(gn.unbind(t), 0),
    u(SHAPE3),
)
tt(
    "unflatten",
    "",
    lambda t: t.unflatten(2, (2, -1)),
    lambda t: gn.unflatten(t, 1, [3, 1]),
    u(SHAPE3),
)
tt(
    "masked_select",
    "broadcast mask",
    lambda t: t.masked_select(MASK_TT),
    lambda t: gn.masked_select(t, MASK_TT[0]),
    u((3, 4), seed=43),
)
tt(
    "repeat_interleave",
    "counts",
    lambda t: t.repeat_interleave(np.array([2, 0, 1]), dim=0),
    lambda t: gn.repeat_interleave(t, 3),
    u((3, 4), seed=44),
)
tt("reciprocal", "", lambda t: t.reciprocal(), TT.reciprocal, away((3, 4), seed=45))
tt("rsqrt", "", lambda t: t.rsqrt(), TT.rsqrt, pos((3, 4), seed=46))
tt("erf", "", lambda t: t.erf(), TT.erf, u((3, 4), -3.0, 3.0, seed=47))
tt("nan_to_num", "", lambda t: t.nan_to_num(), TT.nan_to_num, u((3, 4), seed=48))
tt("median", "all", lambda t: t.median(), TT.median, X_TT)
tt("median", "dim", lambda t: t.median(1).values, lambda t: gn.median(t, 0, True)[0], X_TT)
tt(
    "quantile",
    "linear",
    lambda t: t.quantile(0.4),
    lambda t: gn.quantile(t, [0.1, 0.9], dim=1),
    X_TT,
)
for _how in ("lower", "higher", "midpoint", "nearest"):
    tt(
        "quantile",
        _how,
        None,
        lambda t, h=_how: gn.quantile(t, 0.3, 0, True, interpolation=h),
        X_TT,
    )
IDX_TT = (np.array([0, 2, 0]), np.array([1, 3, 1]))  # (position (0, 1) twice)
tt(
    "index_put",
    "accumulate",
    lambda t, v: t.index_put(IDX_TT, v, accumulate=True),
    lambda t, v: gn.index_put(t, IDX_TT, v, True),
    u((3, 4), seed=49),
    u((3,), seed=50),
)
tt(
    "index_put",
    "overwrite",
    lambda t, v: t.index_put((np.array([1, 2]),), v),
    lambda t, v: gn.index_put(t, (np.array([0]),), v),
    u((3, 4), seed=51),
    u((4,), seed=52),
)
case("torch_tensor:var_mean", "dim", lambda t: _weighted(gn.var_mean(t, 1), 0), u((3, 4)))
case(
    "torch_tensor:std_mean",
    "all",
    lambda t: _weighted(gn.std_mean(t, 0, correction=0), 0),
    u((3, 4)),
)
EINSUM = {
    "matmul": ("ij,jk->ik", (3, 4), (4, 2)),
    "batched": ("bij,bjk->bik", (2, 3, 4), (2, 4, 5)),
    "diagonal": ("ii->i", (3, 3)),
    "trace implicit": ("ii", (3, 3)),
    "sum": ("ij->", (3, 4)),
    "implicit": ("ij,j", (3, 4), (4,)),
    "outer": ("i,j->ij", (3,), (4,)),
    "ellipsis": ("...ij,jk->...ik", (2, 3, 4), (4, 2)),
    "lone letter": ("ij,k->i", (3, 4), (2,)),
    "broadcast 1": ("ij,ij->i", (3, 1), (3, 4)),
    "three": ("ij,jk,kl->il", (2, 3), (3, 4), (4, 2)),
}
for _cid, (_eq, *_shapes) in EINSUM.items():
    case(
        "torch_tensor:einsum",
        _cid,
        lambda *ts, e=_eq: gn.einsum(e, *ts),
        *(u(s, seed=60 + i) for i, s in enumerate(_shapes)),
    )
case("nn.torch_layers:hardtanh", "", lambda t: TL.hardtanh(t, -0.5, 1.5), X_TL)
case("nn.torch_layers:Hardtanh", "", TL.Hardtanh(), X_TL)
case("nn.torch_layers:Unflatten", "", TL.Unflatten(1, (C, 1)), X_TL)


# ---------------------------------------------------------------- custom Functions
class _Legendre3(autograd.Function):
    """PyTorch's tutorial Function, P3(x) = (5x^3 - 3x) / 2, with its hand-written backward."""

    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        ctx.save_for_backward(x)
        return 0.5 * (5 * x**3 - 3 * x)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return g * 1.5 * (5 * x**2 - 1)


class _ScaledPair(autograd.Function):
    """Two outputs and a number argument (its gradient None)."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, b: Tensor, k: float) -> tuple[Tensor, Tensor]:
        ctx.save_for_backward(a, b)
        ctx.k = k
        return a * b * k, a.exp()

    @staticmethod
    def backward(ctx: Any, g1: Tensor, g2: Tensor) -> tuple[Any, ...]:
        a, b = ctx.saved_tensors
        return g1 * b * ctx.k + g2 * a.exp(), g1 * a * ctx.k, None


case("autograd:Function", "one output", _Legendre3.apply, u((3, 4)))
case(
    "autograd:Function",
    "two outputs",
    lambda a, b: sum(o.sum() * w for o, w in zip(_ScaledPair.apply(a, b, 1.5), (1.0, -2.0))),
    u((3,)),
    u((3,), seed=1),
)


# ---------------------------------------------------------------- the coverage
NOT_DIFFERENTIABLE = {  # table: {name: why it has no gradient check}
    "FUNCTIONS": {
        "argmax": "indices",
        "argmin": "indices",
        "numel": "an int",
        "argsort": "indices",
        "isclose": "a bool Array",
        "allclose": "a bool",
        "equal": "a bool",
        "isnan": "a bool Array",
        "isinf": "a bool Array",
        "isfinite": "a bool Array",
        "any": "a bool Array",
        "all": "a bool Array",
        "detach": "no gradient flows back (a copy outside the graph)",
    },
    "nn.functional": {"one_hot": "an int64 Array of labels"},
    "autograd": {
        "GradShapeError": "an exception class",
        "FunctionCtx": "the ctx of a Function (autograd:Function's cases use it)",
    },
    "nn.torch_layers": {
        "erf": "a NumPy function",
        "erfc": "a NumPy function",
        "unflattened_shape": "a shape",
        "unflattened_sizes": "sizes checked",
    },
    "torch_tensor": {
        "floor_divide": "no derivative (piecewise constant), as PyTorch's: backward refuses",
        "count_nonzero": "an int64 Array",
        "index_put_": "an in-place write",
        "NOT_OFFERED": "a table",
        "missing_name": "an AttributeError",
    },
    "Tensor": dict.fromkeys(
        (
            "add_ allclose argmax argmin argsort backward backward_fn clamp_ copy_ cpu cuda "
            "data detach device dim div_ dtype equal fill_ from_op grad is_leaf isclose item "
            "label masked_fill_ mul_ named ndim numel numpy op parents requires_grad "
            "register_hook requires_grad_ retain_grad shape size sub_ tolist "
            "zero_ zero_grad grad_fn scatter_ new_zeros new_ones new_full new_tensor long int "
            "bool isnan isinf isfinite any all detach_ normal_ uniform_ addcmul_ addcdiv_ "
            "lerp_ exp_ sqrt_ abs_ neg_ pow_ sign_ is_cuda unique floor_divide count_nonzero "
            "index_put_"
        ).split(),
        "not an op of the graph: an attribute, an in-place write, indices, graph control "
        "(detach_), a new leaf (new_zeros, ...), an integer or bool Array (long, int, bool), "
        "an op without a derivative (unique, as PyTorch's)",
    ),
    "functional": dict.fromkeys(
        (
            "Activation ACTIVATIONS get_activation LOSSES get_loss Loss LOSS_ALIASES INPLACE "
            "check_target one_hot loss_node logsumexp check_logits squashed replaced_entry"
        ).split(),
        "a table, a look-up or a NumPy helper, not a graph function (loss_node: every loss; "
        "check_logits, squashed: whether a loss was given probabilities; replaced_entry: "
        "whether a table entry is the built-in one)",
    ),
}
DUNDERS = (
    *ARITHMETIC,
    "__neg__",
    "__matmul__",
    "__rmatmul__",
    "__getitem__",
    "__mod__",
)
TABLES = {
    "BINARY_OPS": sorted(T.BINARY_OPS),
    "FUNCTIONS": list(habits.FUNCTIONS),
    "ACTIVATIONS": sorted(F.ACTIVATIONS),
    "LOSSES": sorted(F.LOSSES),
    "nn": NN_LOSS_CLASSES,
    "nn.functional": list(NF.__all__),
    "nn.torch_layers": list(TL.__all__),
    "ops": list(ops.__all__),
    "functional": list(F.__all__),
    "Tensor": [  # (PyTorch's names not offered are class attributes that raise: skipped)
        n for n in dir(Tensor) if not n.startswith("_") and n not in TT.NOT_OFFERED["Tensor"]
    ]
    + list(DUNDERS),
    "autograd": list(autograd.__all__),
    "torch_tensor": list(TT.__all__),
}


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_op_is_gradient_checked(table: str):
    """Each differentiable op of each table has a float64 finite-difference check here; a
    name this file does not know (an op added later) fails until it gets one."""
    skipped = NOT_DIFFERENTIABLE.get(table, {})
    missing = [n for n in TABLES[table] if n not in COVERED[table] and n not in skipped]
    assert not missing, f"{table}: no gradient check for {missing}; add a case() for each."
    stale = sorted(COVERED[table] - set(TABLES[table]))
    assert not stale, f"{table}: cases name ops the table lacks: {stale}"


def test_the_tables_are_not_empty():
    for table, names in TABLES.items():
        assert len(names) >= 1, table
    assert len(CASES) > 300


# ----------------------------------------------------------------------------- the checks
def _close(analytic: np.ndarray, numeric: np.ndarray) -> bool:
    return bool(np.all(np.abs(analytic - numeric) <= ATOL + RTOL * np.abs(numeric)))


@pytest.mark.parametrize("fn, inputs", CASES)
def test_gradcheck(fn: Callable, inputs: tuple[np.ndarray, ...]):
    report = gn.gradcheck(fn, *inputs)
    assert report.ok and len(report.rows) == len(inputs)


def _numeric_vjp(fn: Callable, arrays: list[np.ndarray], r: np.ndarray, eps: float = 1e-6):
    """d/dx_i of sum(fn(x) r) by central differences, one array per input."""

    def value() -> float:
        with np.errstate(all="ignore"):
            out = fn(*[Tensor(a, dtype=np.float64) for a in arrays])
            return float(np.sum(out.data * r))

    grads = []
    for a in arrays:
        g = np.zeros_like(a)
        flat, gf = a.reshape(-1), g.reshape(-1)
        for k in range(flat.size):
            old = flat[k]
            flat[k] = old + eps
            hi = value()
            flat[k] = old - eps
            lo = value()
            flat[k] = old
            gf[k] = (hi - lo) / (2 * eps)
        grads.append(g)
    return grads


@pytest.mark.parametrize("fn, inputs", CASES)
def test_backward_with_random_upstream_gradient(fn: Callable, inputs: tuple[np.ndarray, ...]):
    """out.backward(r), r random of out's shape: each input's .grad is d sum(out r) / dx."""
    arrays = [np.array(a, dtype=np.float64, order="C") for a in inputs]
    ts = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    out = fn(*ts)
    assert out.dtype == np.float64
    r = np.random.default_rng(42).uniform(-2, 2, out.shape)
    out.backward(r)
    numeric = _numeric_vjp(fn, arrays, r)
    for i, (t, n) in enumerate(zip(ts, numeric)):
        got = np.zeros_like(n) if t.grad is None else t.grad
        assert got.shape == n.shape
        assert _close(got, n), f"input {i}: autodiff {got} vs finite differences {n}"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_casts(dtype: Any):
    """astype/float/double/to: the values cast, the gradient cast back exactly (a float32
    round trip has no float64 finite difference at eps 1e-6)."""
    other = np.float64 if dtype == np.float32 else np.float32
    x = u((2, 3)).astype(dtype)
    r = np.random.default_rng(1).uniform(-2, 2, (2, 3)).astype(other)
    calls = {
        "astype": lambda t: t.astype(other),
        "float/double": lambda t: t.float() if other == np.float32 else t.double(),
        "to": lambda t: t.to(other),
        "type": lambda t: t.type(other),
    }
    for name, call in calls.items():
        t = Tensor(x, requires_grad=True)
        out = call(t)
        assert out.dtype == other, name
        np.testing.assert_array_equal(out.data, x.astype(other))
        out.backward(r)
        assert t.grad.dtype == dtype, name
        np.testing.assert_array_equal(t.grad, r.astype(dtype))
    t = Tensor(x, requires_grad=True)  # to its own dtype: the tensor itself
    assert t.to(dtype) is t and (t.float() if dtype == np.float32 else t.double()) is t


def test_autograd_grad_matches_finite_differences():
    """autograd.grad's d(out)/d(inputs), a leaf and a computed input, with grad_outputs."""
    a0, b0 = u((3, 4)), u((4, 2), seed=1)
    r = u((3, 2), seed=2)

    def fn(a: Tensor, b: Tensor) -> Tensor:
        return (a @ b).tanh()

    a, b = Tensor(a0, requires_grad=True), Tensor(b0, requires_grad=True)
    z = a @ b
    out = z.tanh()
    ga, gb, gz = autograd.grad(out, [a, b, z], grad_outputs=r)
    na, nb = _numeric_vjp(fn, [a0.copy(), b0.copy()], r)
    assert _close(ga.data, na) and _close(gb.data, nb)
    np.testing.assert_allclose(gz.data, r * (1 - out.data**2), rtol=1e-12)
    assert a.grad is None and b.grad is None
    COVERED["autograd"].add("grad")


COVERED["autograd"].add("grad")  # (test_autograd_grad_matches_finite_differences)


def test_autograd_backward_matches_finite_differences():
    """autograd.backward(tensors, grad_tensors): the sum of each output's vector-Jacobian
    product, accumulated into the leaves' .grad, as PyTorch's."""
    a0, b0 = u((3, 4)), u((4, 2), seed=1)
    r1, r2 = u((3, 2), seed=2), u((3, 4), seed=3)

    def fn(a: Tensor, b: Tensor) -> Tensor:  # (one output whose VJP with r is both's)
        return ((a @ b).tanh() * Tensor(r1)).sum() + (a.sigmoid() * Tensor(r2)).sum()

    a, b = Tensor(a0, requires_grad=True), Tensor(b0, requires_grad=True)
    autograd.backward([(a @ b).tanh(), a.sigmoid()], [r1, r2])
    na, nb = _numeric_vjp(fn, [a0.copy(), b0.copy()], np.array(1.0))
    assert _close(a.grad, na) and _close(b.grad, nb)


COVERED["autograd"].add("backward")  # (test_autograd_backward_matches_finite_differences)


# ----------------------------------------------------------------------------- subgradients
def _grad(fn: Callable, x: Any, *more: Any) -> list[np.ndarray]:
    ts = [Tensor(np.asarray(v, dtype=np.float64), requires_grad=True) for v in (x, *more)]
    out = fn(*ts)
    out.backward(np.ones(out.shape))
    return [t.grad for t in ts]


SUBGRADIENTS = {  # id: (fn, inputs, expected gradients): the documented values at kinks
    "relu at 0 is 0 (as PyTorch)": (lambda t: t.relu(), ([0.0, 1.0, -1.0],), ([0.0, 1.0, 0.0],)),
    "ACTIVATIONS relu at 0 is 0": (lambda t: F.activation(t, "relu"), ([0.0],), ([0.0],)),
    "nn.functional relu at 0 is 0": (lambda t: NF.relu(t), ([0.0],), ([0.0],)),
    "leaky_relu at 0 is alpha": (lambda t: F.leaky_relu(t, 0.1), ([0.0, 2.0],), ([0.1, 1.0],)),
    "abs at 0 is 0": (lambda t: t.abs(), ([0.0, -2.0],), ([0.0, -1.0],)),
    # the piecewise-constant ops at their jumps: 0, as PyTorch's (no delta)
    "round at halves is 0": (lambda t: t.round(), ([0.5, -1.5, 2.5],), ([0.0, 0.0, 0.0],)),
    "round(decimals=1) at its halves is 0": (
        lambda t: t.round(decimals=1),
        ([0.25, -0.35],),
        ([0.0, 0.0],),
    ),
    "floor at whole numbers is 0": (lambda t: t.floor(), ([1.0, -2.0],), ([0.0, 0.0],)),
    "ceil at whole numbers is 0": (lambda t: t.ceil(), ([1.0, -2.0],), ([0.0, 0.0],)),
    "sign at 0 is 0": (lambda t: t.sign(), ([0.0, -0.0],), ([0.0, 0.0],)),
    "L1Loss at d = 0 is 0": (
        lambda t: nn.L1Loss(reduction="sum")(t, [1.0, 0.0]),
        ([1.0, 2.0],),
        ([0.0, 1.0],),
    ),
    "max ties share g equally": (lambda t: t.max(), ([3.0, 1.0, 3.0],), ([0.5, 0.0, 0.5],)),
    "max(axis) ties share": (
        lambda t: t.max(axis=1),
        ([[2.0, 2.0, 2.0], [1.0, 0.0, 1.0]],),
        ([[1 / 3] * 3, [0.5, 0.0, 0.5]],),
    ),
    "amax ties share": (
        lambda t: t.amax(0),
        ([[1.0, 5.0], [1.0, 4.0]],),
        ([[0.5, 1.0], [0.5, 0.0]],),
    ),
    "min ties share": (lambda t: t.min(), ([-1.0, -1.0],), ([0.5, 0.5],)),
    "amin ties share": (lambda t: t.amin(), ([0.0, 0.0, 0.0, 1.0],), ([1 / 3] * 3 + [0.0],)),
    "maximum tie: half each": (ops.maximum, ([1.0, 2.0], [1.0, 0.0]), ([0.5, 1.0], [0.5, 0.0])),
    "minimum tie: half each": (ops.minimum, ([1.0, 2.0], [1.0, 0.0]), ([0.5, 0.0], [0.5, 1.0])),
    "clip with low > high: all high, no gradient": (
        lambda t: t.clip(1.0, -1.0),
        ([0.0, 3.0],),
        ([0.0, 0.0],),
    ),
    "clip at a bound passes g": (
        lambda t: t.clip(-1.0, 1.0),
        ([1.0, -1.0, 2.0],),
        ([1.0, 1.0, 0.0],),
    ),
    "sqrt at 0 is inf": (lambda t: t.sqrt(), ([0.0, 4.0],), ([np.inf, 0.25],)),
    "norm at 0 is 0 (not NaN)": (lambda t: t.norm(), ([0.0, 0.0],), ([0.0, 0.0],)),
    "norm(dim) at a zero row is 0": (
        lambda t: t.norm(dim=1),
        ([[0.0, 0.0], [3.0, 4.0]],),
        ([[0.0, 0.0], [0.6, 0.8]],),
    ),
    "std of constants is 0": (lambda t: t.std(), ([2.0, 2.0, 2.0],), ([0.0, 0.0, 0.0],)),
    "pow: dL/dp is NaN at a < 0 (no real log), 0 at a = 0 (PyTorch's)": (
        lambda a, p: a**p,
        ([-2.0, 0.0], [2.0, 2.0]),
        ([-4.0, 0.0], [np.nan, 0.0]),
    ),
}


@pytest.mark.parametrize("cid", sorted(SUBGRADIENTS))
def test_documented_subgradient(cid: str):
    fn, inputs, expected = SUBGRADIENTS[cid]
    with np.errstate(divide="ignore"):
        grads = _grad(fn, *inputs)
    for got, want in zip(grads, expected):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


# ----------------------------------------------------------------------------- extremes
EXTREMES: list[Any] = []
EXTREME_COVERED: dict[str, set[str]] = defaultdict(set)
F32, F64 = np.float32, np.float64


def extreme(
    covers: str,
    cid: str,
    fn: Callable,
    x: Any,
    dtype: Any,
    *,
    value: Any = "finite",
    grad: Any = "finite",
    xfail: str = "",
) -> None:
    """``fn`` at ``x`` (upstream gradient 1): ``value``/``grad`` are "finite", "inf" (an
    overflow or a mathematically infinite result: inf somewhere, NaN nowhere), or the expected
    array (which is finite)."""
    table, name = covers.split(":")
    EXTREME_COVERED[table].add(name)
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    pid = f"{covers}[{cid} {np.dtype(dtype).name}]"
    EXTREMES.append(pytest.param(fn, np.array(x, dtype=dtype), value, grad, id=pid, marks=marks))


def sig(z: Any) -> np.ndarray:
    return 0.5 * (1 + np.tanh(0.5 * np.asarray(z, dtype=np.float64)))


def softmax_rows(z: Any) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


EXP_LIMITS = {F32: (88.0, 89.0), F64: (709.0, 710.0)}  # exp(lo) finite, exp(hi) overflows
for dt, (lo, hi) in EXP_LIMITS.items():
    extreme("Tensor:exp", f"+-{lo:g} -{hi:g}", lambda t: t.exp(), [lo, -lo, -hi], dt)
    extreme("Tensor:exp", f"{hi:g} overflows", lambda t: t.exp(), [hi], dt, value="inf", grad="inf")
    for name in ("sigmoid", "tanh"):
        extreme(
            f"ACTIVATIONS:{name}",
            f"+-{lo:g} +-{hi:g}",
            lambda t, n=name: F.activation(t, n),
            [lo, -lo, hi, -hi],
            dt,
        )
    z = [[lo, -hi, 0.0], [hi, hi, -lo]]
    extreme(
        "ACTIVATIONS:softmax",
        f"+-{lo:g} +-{hi:g}",
        lambda t: (t.softmax(1) * [1.0, 2.0, 3.0]).sum(),
        z,
        dt,
    )
    extreme("Tensor:log_softmax", f"+-{lo:g} +-{hi:g}", lambda t: t.log_softmax(1).sum(), z, dt)
    extreme(
        "LOSSES:binary_cross_entropy_with_logits",
        f"+-{lo:g} +-{hi:g}",
        lambda t: F.binary_cross_entropy_with_logits(t, [1.0, 0.0, 1.0, 0.0], "sum"),
        [lo, -hi, -lo, hi],
        dt,
        grad=sig([lo, -hi, -lo, hi]) - [1.0, 0.0, 1.0, 0.0],
    )
    extreme(
        "LOSSES:cross_entropy",
        f"+-{lo:g} +-{hi:g}",
        lambda t: F.cross_entropy(t, [1, 0], "sum"),
        z,
        dt,
        grad=softmax_rows(z) - [[0, 1, 0], [1, 0, 0]],
    )

BIG, TINY = 1e300, 1e-300
for dt, big, tiny in ((F64, 1e300, 1e-300), (F32, 1e30, 1e-30)):
    pair, tpair = [big, -big], [tiny, -tiny]
    for name in F.ACTIVATIONS:
        if name != "softmax":
            extreme(
                f"ACTIVATIONS:{name}",
                f"+-{big:g} +-{tiny:g}",
                lambda t, n=name: F.activation(t, n),
                pair + tpair,
                dt,
            )
    extreme(
        "ACTIVATIONS:softmax",
        f"+-{big:g}",
        lambda t: t.softmax(1)[:, 0].sum(),
        [[big, -big, 0.0], [tiny, -tiny, 0.0]],
        dt,
    )
    extreme(
        "Tensor:log_softmax",
        f"+-{big:g}",
        lambda t: t.log_softmax(1)[:, 1].sum(),
        [[big, -big, 0.0], [tiny, -tiny, 0.0]],
        dt,
    )
    extreme("Tensor:exp", f"-{big:g} +-{tiny:g}", lambda t: t.exp(), [-big, tiny, -tiny], dt)
    extreme(
        "Tensor:exp", f"{big:g} overflows", lambda t: t.exp(), [big], dt, value="inf", grad="inf"
    )
    extreme("Tensor:log", f"{big:g} {tiny:g}", lambda t: t.log(), [big, tiny], dt)
    extreme(
        "Tensor:log",
        "0 is -inf, its gradient inf",
        lambda t: t.log(),
        [0.0],
        dt,
        value="inf",
        grad="inf",
    )
    extreme("Tensor:log1p", f"{big:g} +-{tiny:g}", lambda t: t.log1p(), [big, tiny, -tiny], dt)
    extreme("Tensor:log1p", "-1 is -inf", lambda t: t.log1p(), [-1.0], dt, value="inf", grad="inf")
    extreme("Tensor:sqrt", f"{big:g} {tiny:g}", lambda t: t.sqrt(), [big, tiny], dt)
    extreme("Tensor:sqrt", "gradient at 0 is inf", lambda t: t.sqrt(), [0.0], dt, grad="inf")
    extreme("Tensor:abs", f"+-{big:g}", lambda t: t.abs(), pair + tpair, dt)
    extreme("Tensor:sum", f"+-{big:g}", lambda t: t.sum(), pair + [big], dt, value=[big])
    extreme(
        "Tensor:mean",
        f"+-{big:g}",
        lambda t: t.mean(),
        [big, big],
        dt,
        value=[big],
        grad=[0.5, 0.5],
    )
    extreme("Tensor:cumsum", f"+-{big:g}", lambda t: t.cumsum(0), pair, dt)
    extreme("Tensor:max", f"+-{big:g}", lambda t: t.max(), pair, dt, grad=[1.0, 0.0])
    extreme(
        "BINARY_OPS:mul",
        f"{big:g} x {tiny:g}",
        lambda t: t * t[::-1],
        [big, tiny],
        dt,
        value=[1.0, 1.0],
        grad=[2 * tiny, 2 * big],
    )
    root = np.sqrt(big)
    extreme("BINARY_OPS:div", f"1 / {tiny:g}", lambda t: 1.0 / t, [np.sqrt(tiny), root], dt)
    extreme("BINARY_OPS:pow", f"{root:g} ** 2", lambda t: t**2.0, [root, -root], dt)
    extreme(
        "BINARY_OPS:pow",
        f"{big:g} ** 2 overflows, its gradient finite",
        lambda t: t**2.0,
        [big],
        dt,
        value="inf",
        grad=[2 * big],
    )
    extreme("BINARY_OPS:pow", f"{tiny:g} ** 0.5", lambda t: t**0.5, [tiny, big], dt)
    extreme("BINARY_OPS:maximum", f"+-{big:g}", lambda t: ops.maximum(t, -t), pair, dt)
    extreme(
        "Tensor:__matmul__",
        f"{root:g}^2",
        lambda t: t @ t,
        [root, -root],
        dt,
        value=[2 * big],
        grad=[2 * root, -2 * root],
    )
    # the spread of values whose squares overflow (or underflow): std scales them
    for name in ("std", "norm"):
        h = np.sqrt(2.0)
        want = big * h  # (both are sqrt(2) b for [b, -b]: std with n - 1 = 1)
        call = (lambda t: t.std()) if name == "std" else (lambda t: t.norm())
        extreme(
            f"Tensor:{name}",
            f"+-{big:g}",
            call,
            pair,
            dt,
            value=[want],
            grad=[1 / h, -1 / h],
        )
        extreme(
            f"Tensor:{name}",
            f"+-{tiny:g}",
            call,
            tpair,
            dt,
            value=[want * tiny / big],
            grad=[1 / h, -1 / h],
        )
    extreme(
        "Tensor:norm",
        f"p=1 +-{big:g}",
        lambda t: t.norm(1),
        pair,
        dt,
        value=[2 * big],
        grad=[1.0, -1.0],
    )
    # any p: (2 b^p)^(1/p) = 2^(1/p) b, gradient sign(x) 2^(1/p - 1) (PyTorch's
    # sign(x) (|x|/‖x‖)^(p-1)); ±inf share g between the tied [b, -b]; p=0 counts them
    for p in (3.0, 0.5, -1.0, -2.5, 1.5, 7.0):
        for pr, scale in ((pair, big), (tpair, tiny)):
            extreme(
                "Tensor:norm",
                f"p={p:g} +-{scale:g}",
                lambda t, p=p: t.norm(p),
                pr,
                dt,
                value=[2 ** (1 / p) * scale],
                grad=[2 ** (1 / p - 1), -(2 ** (1 / p - 1))],
            )
    for p in (np.inf, -np.inf):
        extreme(
            "Tensor:norm", f"p={p} +-{big:g}", lambda t, p=p: t.norm(p), pair, dt,
            value=[big], grad=[0.5, -0.5],
        )  # fmt: skip
    extreme(
        "Tensor:norm", f"p=0 +-{big:g}", lambda t: t.norm(0), pair + tpair, dt,
        value=[4.0], grad=[0.0] * 4,
    )  # fmt: skip
    extreme(
        "Tensor:norm",
        f"p=3 {big:g} and {tiny:g}",
        lambda t: t.norm(3),
        [big, tiny],
        dt,
        value=[big],
        grad=[1.0, 0.0],  # ((tiny / big)^2: 0)
    )
    extreme(
        "Tensor:var",
        f"+-{big:g}: var overflows, its gradient finite",
        lambda t: t.var(),
        pair,
        dt,
        value="inf",
        grad=[2 * big, -2 * big],
    )
    extreme("Tensor:var", f"+-{tiny:g}", lambda t: t.var(), tpair, dt, grad=[2 * tiny, -2 * tiny])
    # losses
    for name in ("mse", "half_mse"):
        c = 1.0 if name == "mse" else 0.5
        extreme(
            f"LOSSES:{name}",
            f"+-{big:g}: loss overflows, gradient finite",
            lambda t, n=name: F.LOSSES[n](t, [0.0, 0.0]),
            pair,
            dt,
            value="inf",
            grad=[c * big, -c * big],
        )
    extreme(
        "nn:MSELoss",
        f"+-{big:g}: loss overflows, gradient finite",
        lambda t: nn.MSELoss()(t, [0.0, 0.0]),
        pair,
        dt,
        value="inf",
        grad=[big, -big],
    )
    extreme(
        "nn:L1Loss",
        f"+-{big:g}",
        lambda t: nn.L1Loss()(t, [0.0, 0.0]),
        pair,
        dt,
        value=[big],
        grad=[0.5, -0.5],
    )
    extreme(
        "nn:HuberLoss",
        f"+-{big:g}",
        lambda t: nn.HuberLoss()(t, [0.0, 0.0]),
        pair,
        dt,
        value=[big - 0.5],
        grad=[0.5, -0.5],
    )
    zs, ys = [big, -big, big, -big], [1.0, 0.0, 0.0, 1.0]
    extreme(
        "LOSSES:binary_cross_entropy_with_logits",
        f"+-{big:g}",
        lambda t, ys=ys: F.binary_cross_entropy_with_logits(t, ys, "sum"),
        zs,
        dt,
        value=[2 * big],
        grad=sig(zs) - ys,
    )
    extreme(
        "LOSSES:cross_entropy",
        f"+-{big:g} labels",
        lambda t: F.cross_entropy(t, [0, 1], "sum"),
        [[big, -big], [big, -big]],
        dt,
        value=[2 * big],
        grad=[[0, 0], [1, -1]],
    )
    extreme(
        "LOSSES:cross_entropy",
        f"+-{big:g} rows",
        lambda t: F.cross_entropy(t, [[1.0, 0.0], [0.0, 1.0]], "sum"),
        [[big, -big], [big, -big]],
        dt,
        value=[2 * big],
        grad=[[0, 0], [1, -1]],
    )

# logits of +-1e4, probabilities of exactly 0 and 1
L4 = [[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [0.0, 0.0, -1e4]]
Y4 = [0, 0, 2]
for dt in (F32, F64):
    extreme(
        "ACTIVATIONS:softmax", "+-1e4", lambda t: (t.softmax(1) * [1.0, 2.0, 3.0]).sum(), L4, dt
    )
    extreme(
        "Tensor:log_softmax",
        "+-1e4",
        lambda t: t.log_softmax(1).sum(),
        L4,
        dt,
        grad=1 - 3 * softmax_rows(L4),
    )
    onehot = np.eye(3)[Y4]
    extreme(
        "LOSSES:cross_entropy",
        "+-1e4 labels",
        lambda t: F.cross_entropy(t, Y4, "sum"),
        L4,
        dt,
        value=[3e4 + 2 * np.log(2)],
        grad=softmax_rows(L4) - onehot,
    )
    extreme(
        "LOSSES:cross_entropy",
        "+-1e4 soft rows",
        lambda t: F.cross_entropy(t, rows(3, 3, 1), "sum"),
        L4,
        dt,
        grad=softmax_rows(L4) - rows(3, 3, 1),
    )
    for cid, make in (
        ("", lambda: nn.CrossEntropyLoss(reduction="sum")),
        ("weight", lambda: nn.CrossEntropyLoss(WEIGHT_C, reduction="sum")),
        ("smoothing", lambda: nn.CrossEntropyLoss(reduction="sum", label_smoothing=0.1)),
        ("ignore_index", lambda: nn.CrossEntropyLoss(reduction="sum", ignore_index=2)),
    ):
        extreme("nn:CrossEntropyLoss", f"+-1e4 {cid}", lambda t, m=make: m()(t, Y4), L4, dt)
    extreme(
        "nn:NLLLoss",
        "log-probabilities -1e4",
        lambda t: nn.NLLLoss(WEIGHT_C)(t.log_softmax(1), Y4),
        L4,
        dt,
    )
    extreme(
        "nn.functional:cross_entropy",
        "+-1e4",
        lambda t: NF.cross_entropy(t, Y4, label_smoothing=0.2),
        L4,
        dt,
    )
    z4, y4 = [1e4, -1e4, 1e4, -1e4, 1e4], [1.0, 0.0, 0.0, 1.0, 0.3]
    extreme(
        "LOSSES:binary_cross_entropy_with_logits",
        "+-1e4",
        lambda t, y4=y4: F.binary_cross_entropy_with_logits(t, y4, "sum"),
        z4,
        dt,
        value=[0 + 0 + 1e4 + 1e4 + 0.7e4],
        grad=sig(z4) - y4,
    )
    for cid, kw in (("", {}), ("pos_weight", {"pos_weight": np.array(3.0)})):
        extreme(
            "nn:BCEWithLogitsLoss",
            f"+-1e4 {cid}",
            lambda t, k=kw, y4=y4: nn.BCEWithLogitsLoss(reduction="sum", **k)(t, y4),
            z4,
            dt,
        )
    extreme(
        "nn.functional:binary_cross_entropy_with_logits",
        "+-1e4",
        lambda t, y4=y4: NF.binary_cross_entropy_with_logits(t, y4),
        z4,
        dt,
    )
    p01, y01 = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0], [0.0, 1.0, 1.0, 0.0, 0.5, 0.5]
    extreme(
        "LOSSES:binary_cross_entropy",
        "p = 0 and 1",
        lambda t, y=y01: F.binary_cross_entropy(t, y, "sum"),
        p01,
        dt,
    )
    extreme(
        "nn:BCELoss",
        "p = 0 and 1",
        lambda t, y=y01: nn.BCELoss(reduction="sum")(t, y),
        p01,
        dt,
        value=[0 + 0 + 100 + 100 + 50 + 50],
        grad=np.array([0, 0, -1, 1, -0.5, 0.5]) / float(np.float32(1e-12)),
    )
    extreme(
        "nn.functional:binary_cross_entropy",
        "p = 0 and 1",
        lambda t, y=y01: NF.binary_cross_entropy(t, y, WEIGHT_C[[0, 1, 2, 0, 1, 2]]),
        p01,
        dt,
    )

# masked logits: a class of logit -inf (masked_fill(mask, -inf)) has probability 0; where the
# target gives it no mass the loss and every gradient are finite
ZM, MASKED = [[0.0, -np.inf, 1.0], [2.0, 0.5, -np.inf]], np.array([[0, 1, 0], [0, 0, 1]], bool)
PM = softmax_rows(np.where(MASKED, -1e300, ZM))  # (the probabilities, 0 at the masked classes)
YM, RM = [0, 1], np.array([[0.3, 0.0, 0.7], [0.5, 0.5, 0.0]])
for dt in (F32, F64):
    extreme(
        "ACTIVATIONS:softmax",
        "masked -inf",
        lambda t: (t.softmax(1) * [1.0, 2.0, 3.0]).sum(),
        ZM,
        dt,
        value=[(PM * [1.0, 2.0, 3.0]).sum()],
    )
    extreme(
        "Tensor:masked_fill",
        "-inf then softmax",
        lambda t: (t.masked_fill(MASKED, -np.inf).softmax(1) * [1.0, 2.0, 3.0]).sum(),
        np.where(MASKED, 5.0, ZM),
        dt,
        value=[(PM * [1.0, 2.0, 3.0]).sum()],
    )
    extreme(
        "Tensor:log_softmax",
        "masked -inf",
        lambda t: t.log_softmax(1)[:, 0].sum(),
        ZM,
        dt,
        value=[np.log(PM[:, 0]).sum()],
        grad=[[1.0, 0.0, 0.0]] * 2 - PM,
    )
    extreme(
        "LOSSES:cross_entropy",
        "masked -inf labels",
        lambda t: F.cross_entropy(t, YM, "sum"),
        ZM,
        dt,
        value=[-np.log(PM[[0, 1], YM]).sum()],
        grad=PM - np.eye(3)[YM],
    )
    extreme(
        "LOSSES:cross_entropy",
        "masked -inf rows",
        lambda t: F.cross_entropy(t, RM, "sum"),
        ZM,
        dt,
        value=[-(RM[~MASKED] * np.log(PM[~MASKED])).sum()],
        grad=PM - RM,
    )
    extreme(
        "nn:CrossEntropyLoss",
        "masked -inf rows",
        lambda t: nn.CrossEntropyLoss(reduction="sum")(t, RM),
        ZM,
        dt,
        value=[-(RM[~MASKED] * np.log(PM[~MASKED])).sum()],
        grad=PM - RM,
    )
    extreme(
        "nn:CrossEntropyLoss",
        "masked -inf weight",
        lambda t: nn.CrossEntropyLoss(WEIGHT_C, reduction="sum")(t, YM),
        ZM,
        dt,
    )
    extreme(
        "nn:NLLLoss",
        "masked -inf",
        lambda t: nn.NLLLoss(reduction="sum")(t.log_softmax(1), YM),
        ZM,
        dt,
        value=[-np.log(PM[[0, 1], YM]).sum()],
        grad=PM - np.eye(3)[YM],
    )

for dt, big in ((F64, 1e300), (F32, 1e30)):
    extreme(
        "nn:SmoothL1Loss",
        f"+-{big:g}",
        lambda t: nn.SmoothL1Loss(beta=0.5)(t, [0.0, 0.0]),
        [big, -big],
        dt,
        value=[big - 0.25],
        grad=[0.5, -0.5],
    )
    extreme(
        "nn:SmoothL1Loss",
        f"+-{big:g} beta=0",
        lambda t: nn.SmoothL1Loss(reduction="sum", beta=0.0)(t, [0.0, 0.0]),
        [big, -big],
        dt,
        value=[2 * big],
        grad=[1.0, -1.0],
    )
KL_MASKED = -(RM[~MASKED] * np.log(PM[~MASKED] / RM[~MASKED]))  # (RM is 0 where masked)
for dt in (F32, F64):
    extreme(
        "nn:KLDivLoss",
        "log-probabilities of +-1e4 logits",
        lambda t: nn.KLDivLoss(reduction="batchmean")(t.log_softmax(1), rows(3, 3, 1)),
        L4,
        dt,
        grad=(softmax_rows(L4) - rows(3, 3, 1)) / 3,
    )
    extreme(
        "nn:KLDivLoss",
        "masked -inf, target 0 there",
        lambda t: nn.KLDivLoss(reduction="sum")(t.log_softmax(1), RM),
        ZM,
        dt,
        value=[KL_MASKED[RM[~MASKED] > 0].sum()],
        grad=PM - RM,
    )
    extreme(
        "nn:KLDivLoss",
        "log_target -inf",
        lambda t: nn.KLDivLoss(reduction="sum", log_target=True)(t, [[0.0, -np.inf]]),
        [[-1e4, -np.inf]],
        dt,
        value=[1e4],
        grad=[[-1.0, 0.0]],
    )

# sin, cos, round and dot at the float range's ends: finite where PyTorch's are (round's rule,
# x * 10^d, overflows there in PyTorch and NumPy: x itself, which has no decimals that large)
for dt, big in ((F64, 1e300), (F32, 1e30)):
    for op in ("sin", "cos"):
        extreme(f"Tensor:{op}", f"+-{big:g}", lambda t, op=op: getattr(t, op)(), [big, -big], dt)
    top = float(np.finfo(dt).max) / 2
    extreme(
        "Tensor:round",
        f"decimals=2 at {top:g}",
        lambda t: t.round(decimals=2),
        [top, -top],
        dt,
        value=[top, -top],
        grad=[0.0, 0.0],
    )
    extreme(
        "Tensor:dot",
        f"sqrt of {big:g}",
        lambda t: t.dot(t),
        [big**0.5 / 2, big**0.5 / 2],
        dt,
        value=[big / 2],
        grad=[big**0.5, big**0.5],
    )


def _normalized(rows: np.ndarray, axis: int, weights: np.ndarray) -> tuple[np.ndarray, ...]:
    """NumPy's normalisation of ``rows`` along ``axis`` (eps negligible) times ``weights``,
    and the gradient of its sum: (w - mean(w) - xhat mean(w xhat)) / sigma."""
    xhat = (rows - rows.mean(axis, keepdims=True)) / rows.std(axis, keepdims=True)
    w = np.broadcast_to(weights, rows.shape)
    grad = w - w.mean(axis, keepdims=True) - xhat * (w * xhat).mean(axis, keepdims=True)
    return xhat * w, grad / rows.std(axis, keepdims=True)


# Rows of 1e160 (a variance beyond 1e308): the values and gradients of the normalisation
# of the rows unscaled, the gradient 1e-160 times theirs. (The gradcheck cases "rows x
# 1e160" and "x 1e160" above pass on outputs and gradients of zeros too: these fail there.)
W_TL = np.linspace(-1.0, 2.0, N * C).reshape(N, C)  # (varying along both axes)
for axis, norm, cid in (
    (1, lambda t: TL.layer_norm(t, C) * W_TL, "nn.torch_layers:layer_norm"),
    (
        0,
        lambda t: TL.BatchNorm1d(C, track_running_stats=False, dtype=np.float64)(t) * W_TL,
        "nn.torch_layers:BatchNorm1d",
    ),
):
    value, grad = _normalized(X_TL, axis, W_TL)
    extreme(cid, "rows x 1e160", norm, X_TL * 1e160, F64, value=value, grad=grad / 1e160)


EXTREME_TABLES = {  # every activation and loss has a case at extreme inputs
    "ACTIVATIONS": sorted(F.ACTIVATIONS),
    "LOSSES": sorted(F.LOSSES),
    "nn": NN_LOSS_CLASSES,
}


@pytest.mark.parametrize("table", sorted(EXTREME_TABLES))
def test_every_activation_and_loss_meets_extreme_inputs(table: str):
    missing = [n for n in EXTREME_TABLES[table] if n not in EXTREME_COVERED[table]]
    assert not missing, f"{table}: no extreme-input check for {missing}"


def _expect(what: str, got: np.ndarray, want: Any) -> None:
    assert not np.isnan(got).any(), f"{what} holds NaN: {got}"
    if isinstance(want, str):
        if want == "finite":
            assert np.isfinite(got).all(), f"{what} is not finite: {got}"
        else:  # "inf": the mathematical value is infinite (or overflows): inf, never NaN
            assert np.isinf(got).any(), f"{what}: expected an inf somewhere: {got}"
        return
    want = np.asarray(want, dtype=np.float64).astype(got.dtype)  # (what underflows there: 0)
    assert np.isfinite(got).all(), f"{what} is not finite: {got} (expected {want})"
    # float32 computes in 7 digits: 2e-6 relative; float64 1e-12 relative; below the smallest
    # normal number (subnormals keep fewer digits) that number absolute
    rtol = 2e-6 if got.dtype == np.float32 else 1e-12
    atol = float(np.finfo(got.dtype).tiny)
    np.testing.assert_allclose(got.reshape(want.shape), want, rtol=rtol, atol=atol, err_msg=what)


@pytest.mark.parametrize("fn, x, value, grad", EXTREMES)
def test_extreme_inputs(fn: Callable, x: np.ndarray, value: Any, grad: Any):
    t = Tensor(x, requires_grad=True)
    with np.errstate(all="ignore"):  # (an overflow may warn; the values are what is checked)
        out = fn(t)
        assert out.dtype == x.dtype
        out.backward(np.ones(out.shape, out.dtype))
    _expect("value", out.data, value)
    assert t.grad is not None and t.grad.dtype == x.dtype
    _expect("gradient", t.grad, grad)
