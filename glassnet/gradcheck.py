"""Compare autodiff gradients with central finite differences, in float64.

The inputs follow ``fn``: ``gradcheck(fn, a, b)`` (each checked), or PyTorch's form
``gradcheck(fn, (a, b))`` (one tuple or list of Tensors or arrays: the inputs themselves,
``fn`` called as ``fn(a, b)``), which is also ``glassnet.autograd.gradcheck``, as
PyTorch's ``torch.autograd.gradcheck``. In the tuple, as in PyTorch, a Tensor with
``requires_grad=False`` and integer or bool values (class labels) are constants, passed to
``fn`` as given and not checked; a Tensor with ``requires_grad=True`` and a float array are
checked. The report is true only when every entry passed
(``assert gn.gradcheck(fn, x, raise_exception=False)`` fails where the check does).

>>> import numpy as np, glassnet as gn
>>> report = gn.gradcheck(lambda a, b: (a * b).sum(), np.ones((2, 3)), np.arange(3.0))
>>> report.ok
True
>>> w = gn.randn(3, 2, dtype=gn.float64, requires_grad=True)
>>> bool(gn.autograd.gradcheck(lambda x, v: (x @ v).tanh().sum(), (np.ones((4, 3)), w)))
True
>>> from glassnet import functional as F
>>> logits = gn.randn(4, 3, dtype=gn.float64, requires_grad=True)
>>> [r["input"] for r in gn.gradcheck(F.cross_entropy, (logits, np.array([0, 2, 1, 2]))).rows]
[0]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import autograd
from ._validation import check_number
from .autograd import grad as autograd_grad
from .tensor import Tensor

__all__ = ["gradcheck", "GradcheckError", "GradcheckReport"]


class GradcheckError(AssertionError):
    """Raised by :func:`gradcheck` when autodiff and finite differences disagree."""


@dataclass
class GradcheckReport:
    """Per input: the worst absolute error, where it occurred and both values there, and
    ``upstream``: how its backward misused dL/dout ("" where it did not)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    ok: bool = True

    def __bool__(self) -> bool:  # (a dataclass is always true: a failed check passed an assert)
        return bool(self.ok)

    def __str__(self) -> str:
        lines = [
            f"{'input':>5}  {'shape':>12}  {'worst |err|':>12}  {'at':>10}  "
            f"{'autodiff':>12}  {'numeric':>12}  ok"
        ]
        for r in self.rows:
            lines.append(
                f"{r['input']:>5}  {str(r['shape']):>12}  {r['max_abs_err']:>12.3e}  "
                f"{str(r['at']):>10}  {r['analytic']:>12.6g}  {r['numeric']:>12.6g}  "
                f"{'yes' if r['ok'] else 'NO'}"
            )
        for r in self.rows:  # (a backward that drops dL/dout: the numbers above agree)
            if r.get("upstream"):
                lines.append(f"input {r['input']}: {r['upstream']}")
        return "\n".join(lines)


def gradcheck(
    fn: Callable[..., Tensor],
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-4,
    seed: int = 0,
    raise_exception: bool = True,
) -> GradcheckReport:
    """Check ``fn``'s autodiff gradients against central finite differences.

    ``inputs`` are ``fn``'s arguments, ``gradcheck(fn, x, w)``, each checked; one tuple or
    list of Tensors or arrays is PyTorch's ``gradcheck(fn, (x, w))`` (a list of numbers, or
    of lists of numbers, is one input, an array). In the tuple, as in PyTorch:

    * a Tensor with ``requires_grad=True`` is checked;
    * a Tensor with ``requires_grad=False``, integer or bool values (an array, a list, a
      number: class labels, an axis) and anything that is not numbers (``None``, a string)
      are constants: passed to ``fn`` as given, the same object, and not checked (no row
      in the report; ``input`` in a row is the argument's place in the tuple);
    * a float NumPy array, a list of floats or a float is checked, as in glassnet's own
      form (PyTorch passes non-Tensors along; here a plain float array is a value to
      check). To pass a float array unchanged, pass it as a Tensor without
      ``requires_grad``, ``gn.tensor(a)``.

    At least one input must be checked (a ``ValueError`` otherwise, as PyTorch's).

    Each checked input is converted to a float64 Tensor with ``requires_grad=True``; the
    gradients are taken with respect to those alone (the ``.grad`` of a tensor ``fn``
    closes over, a model's weights, or a constant's, is left as it was). A non-scalar
    output is reduced to ``L = sum(out * r)`` with a fixed random ``r``, so every output
    entry is checked (a scalar output: ``r = 1``). For each input entry ``x_k``, with the
    step ``h`` = eps (or 2²⁰ of x_k's ulps where that is more, past |x_k| ≈ 4e3):

        numeric_k = sum(r * (out(x_k + h) - out(x_k - h))) / ((x_k + h) - (x_k - h))

    (the step the input really took), and the entry passes when
    ``|autodiff_k - numeric_k| <= atol + rtol |numeric_k|``. The backward must also use its
    upstream gradient as the chain rule does, as PyTorch's gradcheck asks: seeded with
    dL/dout = 0 every gradient is 0, and (a scalar output, whose seed is otherwise 1) seeded
    with a factor c it is c times the gradient at 1; a backward that returns ``2 * a`` for
    ``2 * a * g`` fails, the report naming it.

    The absolute floor ``atol`` (1e-5, PyTorch's default too) passes any backward whose
    gradients all lie below it, however wrong: ``3 x`` for d(x²)/dx passes on a loss scaled
    by 1e-10 (autodiff 9e-10 against numeric 6e-10, both shown in the report). For gradients
    that small (an op checked at tiny or subnormal inputs), pass ``atol=0``, the relative
    test ``rtol`` alone, or scale ``fn``'s output up before checking.

    Returns a :class:`GradcheckReport` (worst mismatch per input); raises
    :class:`GradcheckError` with that report when an entry fails (unless
    ``raise_exception=False``).
    """
    if not callable(fn):
        raise TypeError(
            f"gradcheck: fn must be a function of Tensors that returns a Tensor (e.g. "
            f"lambda a, b: (a * b).sum()). Got {type(fn).__name__}."
        )
    eps = check_number(eps, "eps", "gradcheck", low=0, low_open=True)
    atol = check_number(atol, "atol", "gradcheck", low=0)
    rtol = check_number(rtol, "rtol", "gradcheck", low=0)
    if seed is not None:
        seed = check_number(seed, "seed", "gradcheck", low=0, integer=True)
    if not isinstance(raise_exception, (bool, np.bool_)):
        raise ValueError(
            f"The 'raise_exception' parameter of gradcheck must be a bool. Got {raise_exception!r}."
        )
    inputs, torch_style = _torch_inputs(inputs)
    if not inputs:  # (nothing to check would report ok)
        raise ValueError(
            "gradcheck: no inputs to check. Pass the arrays fn takes after it, e.g. "
            "gradcheck(lambda a, b: (a * b).sum(), x, w), or PyTorch's "
            "gradcheck(lambda a, b: (a * b).sum(), (x, w))."
        )
    # (PyTorch's tuple: a Tensor without requires_grad, integer labels, None are fn's
    # constants, passed as given; made float64 Tensors with requires_grad they were
    # checked, and a loss refused labels that required grad)
    constant = [torch_style and _is_constant(x) for x in inputs]
    if all(constant):
        kinds = ", ".join(f"{i}: {_describe(x)}" for i, x in enumerate(inputs))
        raise ValueError(
            f"gradcheck: no input in the tuple is checked ({kinds}); a Tensor with "
            "requires_grad=False and integer or bool values are passed to fn as constants. "
            "Give the inputs to check requires_grad=True, e.g. "
            "gn.tensor(x, dtype=gn.float64, requires_grad=True), as PyTorch's gradcheck asks."
        )
    checked = [i for i, c in enumerate(constant) if not c]
    arrays = []
    for i in checked:
        x = inputs[i]
        raw = x.data if isinstance(x, Tensor) else x
        try:
            # (C order: the steps are written through a.reshape(-1), a view only of a C array;
            # a transposed input's steps went into a copy, numeric 0, passes and fails false)
            a = np.array(raw, dtype=complex if np.iscomplexobj(raw) else np.float64, order="C")
        except (TypeError, ValueError) as err:
            raise ValueError(
                f"gradcheck: input {i} must be numbers (an array or a Tensor). Got {x!r:.60}. "
                "Pass fn's inputs after it, gradcheck(fn, x, w), or as one tuple of Tensors "
                "or arrays, gradcheck(fn, (x, w))."
            ) from err
        if a.dtype == complex:  # (float64 dropped the imaginary part, with a warning)
            raise ValueError(
                f"gradcheck: input {i} is complex; gradcheck checks real gradients. Pass "
                "the real and imaginary parts as two real inputs."
            )
        if not np.all(np.isfinite(a)):
            raise ValueError(
                f"gradcheck: input {i} holds NaN or inf; finite differences need finite "
                "values to step from."
            )
        arrays.append(a)
    if not any(a.size for a in arrays):  # (as with no inputs: nothing checked reported ok)
        shapes = ", ".join(str(a.shape) for a in arrays)
        raise ValueError(
            f"gradcheck: the inputs have no entries (shapes {shapes}), so there is no "
            "gradient to check; pass arrays with at least one value."
        )
    rng = np.random.default_rng(seed)

    def run(arrs: list[np.ndarray], grad: bool) -> tuple[Tensor, list[Tensor]]:
        ts = [Tensor(a, requires_grad=grad, dtype=np.float64) for a in arrs]
        args = list(inputs)  # (constants as given, the checked ones as float64 Tensors)
        for i, t in zip(checked, ts):
            args[i] = t
        out = fn(*args)
        if not isinstance(out, Tensor):
            raise TypeError(f"gradcheck: fn must return a Tensor. Got {type(out).__name__}.")
        if out.dtype != np.float64:
            raise TypeError(
                f"gradcheck: fn returned {out.dtype}; it must keep float64 inputs in float64."
            )
        return out, ts

    # (NumPy's warnings are silenced: a value fn cannot compute, log(0) say, shows as
    # inf or nan in the report, and fails)
    def quiet() -> Any:
        return np.errstate(all="ignore")

    # 1) autodiff: L = sum(out * r), r random for a non-scalar out (every entry checked), 1 for
    # a scalar (the report's numbers are then dL/dx itself)
    with quiet():
        out, ts = run(arrays, True)
        r = np.ones(()) if out.size == 1 else rng.standard_normal(out.shape)
        analytic = [np.zeros_like(a) for a in arrays]
        upstream = [""] * len(arrays)  # per input: how its backward misused dL/dout, or ""
        if out.requires_grad:  # (else fn cut the graph: every gradient is 0)
            # dL/d(input) alone: a backward() would also add into the .grad of every other
            # leaf fn reaches (a model's weights it closes over), left there for its next step
            loss = out.sum() if out.size == 1 else (out * r).sum()
            got = autograd_grad(loss, ts, allow_unused=True)
            analytic = [np.zeros_like(a) if g is None else g.data for a, g in zip(arrays, got)]
            upstream = _upstream_checks(out, ts, analytic, rng, atol, rtol)

    # 2) central differences of the outputs, then projected on r: L(x + h) − L(x − h) summed
    # over every entry of a large out rounded away the difference the step made (the entries
    # the step leaves alone cancel exactly here). The step is eps, or 2²⁰ of x_k's ulps where
    # that is more (|x_k| above ~4e3 at eps=1e-6): the rounding of x ± h, and of values of
    # x's size, is then a millionth of the difference (1e-6 at x = 1e7 is 537 ulps: a
    # thousandth, 10x rtol). The quotient's denominator is the step the inputs really took,
    # (x + h) − (x − h), not the 2h asked (x + 1e-6 rounds to a multiple of 2⁻²⁹ at 1e7)
    report = GradcheckReport()
    for i, a, grad, misuse in zip(checked, arrays, analytic, upstream):
        numeric = np.zeros_like(a)
        flat = a.reshape(-1)
        for k in range(flat.size):
            old = flat[k]
            h = max(eps, float(np.spacing(abs(old))) * 2.0**20)
            with quiet():
                flat[k] = old + h
                hi = np.array(run(arrays, False)[0].data)  # (a copy: out may view the input,
                flat[k] = old - h  # x.view(...), which the next step writes into)
                lo = np.array(run(arrays, False)[0].data)
                step = (old + h) - (old - h)
                flat[k] = old
                numeric.reshape(-1)[k] = np.sum(r * (hi - lo)) / step
        with quiet():
            err = np.abs(grad - numeric)
        bad = ~(err <= atol + rtol * np.abs(numeric))  # (a NaN on either side fails)
        k = int(np.argmax(err)) if err.size else 0
        at = np.unravel_index(k, a.shape) if a.ndim and err.size else ()  # (empty: nothing)
        row = {
            "input": i,
            "shape": a.shape,
            "max_abs_err": float(err.max()) if err.size else 0.0,
            "at": tuple(int(v) for v in at),
            "analytic": float(grad.reshape(-1)[k]) if err.size else 0.0,
            "numeric": float(numeric.reshape(-1)[k]) if err.size else 0.0,
            "ok": not bool(bad.any()) and not misuse,
            "upstream": misuse,
        }
        report.rows.append(row)
        report.ok &= row["ok"]
    if raise_exception and not report.ok:
        raise GradcheckError("autodiff and finite differences disagree:\n" + str(report))
    return report


def _upstream_checks(
    out: Tensor,
    ts: list[Tensor],
    analytic: list[np.ndarray],
    rng: np.random.Generator,
    atol: float,
    rtol: float,
) -> list[str]:
    """Does each input's gradient follow dL/dout as the chain rule says (linearly)? A
    backward that drops its upstream g (``lambda g: (2 * a,)`` for ``2 * a * g``) gives the
    right numbers at g = 1, the seed of a scalar output. As PyTorch's gradcheck ("backward not
    multiplied by grad_output"): seeded with zeros, every gradient must be 0; and (a scalar
    output) seeded with a factor c, it must be c times the gradient at 1, each within the
    check's atol + rtol · |gradient at 1|. Per input, what
    failed, or "" (the two extra passes reuse fn's graph: fn is not called again)."""
    notes = []
    zero = autograd_grad(out, ts, grad_outputs=np.zeros(out.shape), allow_unused=True)
    c = -(1.5 + rng.random()) if out.size == 1 else None  # (not near ±1: |g| and g² fail too)
    scaled = (
        autograd_grad(out, ts, grad_outputs=np.full(out.shape, c), allow_unused=True)
        if c is not None
        else [None] * len(ts)
    )
    for g0, gc, want in zip(zero, scaled, analytic):
        # (within the tolerance the check allows the gradient at g = 1: a backward off by
        # a constant 1e-5 of it passes there, and here). Only where that gradient is
        # finite: 0 · inf is NaN, so a correct backward with an infinite derivative (sqrt
        # at 0) gave NaN for g = 0 and was said to ignore its g
        want = np.asarray(want)
        finite = np.isfinite(want)
        tol = (atol + rtol * np.abs(want))[finite]
        g0d = None if g0 is None else np.broadcast_to(g0.data, want.shape)[finite]
        gcd = None if c is None else np.broadcast_to(0.0 if gc is None else gc.data, want.shape)
        if g0d is not None and not np.all(np.abs(g0d) <= tol):
            notes.append("dL/dout = 0 gave a nonzero gradient: backward ignores its g")
        elif gcd is not None and not np.all(np.abs(gcd[finite] / c - want[finite]) <= tol):
            notes.append(f"dL/dout = {c:.3g} did not scale the gradient by it: backward misuses g")
        elif not finite.all():
            at = tuple(int(v) for v in np.argwhere(~finite)[0])
            notes.append(
                f"the gradient is not finite at this input ({want[at]} at index {at}): its "
                "use of dL/dout is checked where it is finite only"
            )
        else:
            notes.append("")
    return notes


def _torch_inputs(inputs: tuple[Any, ...]) -> tuple[tuple[Any, ...], bool]:
    """PyTorch's ``gradcheck(fn, (x, w))``: one tuple or list holding a Tensor or an array is
    the inputs themselves (it was made one array: a tuple of one (3, 4) Tensor gave fn a
    (1, 3, 4) input, whose gradients could be 0 and pass; two gave an error). A list of
    numbers or of lists of numbers stays one input, glassnet's own form. Also says whether
    the inputs came in PyTorch's form (where some are constants)."""
    if len(inputs) == 1 and isinstance(inputs[0], (tuple, list)):
        items = tuple(inputs[0])
        if any(isinstance(x, (Tensor, np.ndarray)) for x in items):
            return items, True
    return inputs, False


def _is_constant(x: Any) -> bool:
    """In PyTorch's tuple: is ``x`` passed to fn as given (a Tensor without requires_grad,
    integer or bool values, something not numbers) rather than checked?"""
    if isinstance(x, Tensor):
        return not x.requires_grad
    try:
        kind = np.asarray(x).dtype.kind
    except (TypeError, ValueError):  # (a ragged list, an object numpy cannot hold)
        return True
    return kind not in "fc"  # (complex: checked, so that its error says to split it)


def _describe(x: Any) -> str:
    if isinstance(x, Tensor):
        return f"Tensor {x.dtype} requires_grad=False"
    if isinstance(x, np.ndarray):
        return f"{x.dtype} array"
    return type(x).__name__


# PyTorch's torch.autograd.gradcheck (glassnet.autograd is a layer below this module and
# cannot import it: the function is attached to it here, as ops.py attaches Tensor methods)
autograd.gradcheck = gradcheck  # type: ignore[attr-defined]
