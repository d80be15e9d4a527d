"""Worked exercises from the lecture, with answer keys: one sheet per student seed.

``generate(seed)`` makes a sheet of exercises, one of each kind in :data:`KINDS`:

* ``forward`` - the forward pass through a small network (ReLU hidden layer);
* ``backprop`` - the deltas dL/dz and every dL/dw, dL/db for one data point;
* ``gd_step`` - one gradient-descent step of one neuron;
* ``separable`` - is this logic gate linearly separable? If so, weights for one neuron;
* ``softmax`` - the softmax and the cross-entropy of given logits, and dL/dz;
* ``one_hot`` - one-hot encoding in a given class order.

The given numbers are small integers or have one decimal, so a student can work by
hand. Every number of the answer key is computed by glassnet itself: the networks'
numbers by :func:`glassnet.explain.explain` (the trace of the fast path that trains
networks), the softmax and cross-entropy and their gradient by the autodiff
(:mod:`glassnet.functional` and ``Tensor.backward``), one-hot rows by
:func:`glassnet.functional.one_hot`, and a gate's weights are checked by a
:class:`glassnet.nn.Neuron`. Nothing in a key is typed by hand.

``write(seed, out)`` writes the question sheet and the answer key as Markdown (with
LaTeX mathematics, ``$\\hat{y}$``) and HTML (the slides' symbols in Unicode, ŷ, ∂L/∂z₁),
the key as JSON, and a template of the answers file. The same seed gives the same
files, byte for byte. :func:`check` grades a student's answers file against the key
within a tolerance and says, for each exercise, which step went wrong first.

From the command line::

    glassnet exercise --seed 17 --out sheet17/
    glassnet exercise check sheet17/key.json my_answers.txt

>>> sheet = generate(3)
>>> [ex.kind for ex in sheet]
['forward', 'backprop', 'gd_step', 'separable', 'softmax', 'one_hot']
>>> generate(3)[0].steps == sheet[0].steps       # the same seed, the same numbers
True
"""

from __future__ import annotations

import difflib
import functools
import html
import itertools
import json
import math
import os
import re
import stat
import sys
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import (
    MAX_EMAX,
    MIN_EMIN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    InvalidOperation,
    localcontext,
)
from pathlib import Path
from typing import Any

import numpy as np

from . import functional as F
from ._validation import ParameterError, check_bool, check_choice
from .explain import decimals_for, explain, fmt_more, typeset, unicode_symbol
from .files import WriteError, atomic_write, home_refusal, read_only_file_system, read_only_refusal
from .fused import layers_of
from .io import open_regular, read_only
from .nn import MLP, Neuron
from .report import fmt
from .tensor import Tensor

__all__ = [
    "KINDS",
    "Step",
    "Exercise",
    "CheckResult",
    "generate",
    "to_markdown",
    "to_html",
    "write",
    "read_answers",
    "Unreadable",
    "check",
    "check_all",
    "BatchResult",
    "BatchRow",
    "DEFAULT_TOL",
]

KINDS = ("forward", "backprop", "gd_step", "separable", "softmax", "one_hot")
DEFAULT_TOL = 0.01
"""An answer counts as right when |answer - key| <= tol (the key is exact; the sheets ask
for 3 decimals, carried from step to step: 2 can miss)."""

GATES = {  # truth tables over (x1, x2) = (0,0), (0,1), (1,0), (1,1)
    "AND": (0, 0, 0, 1),
    "OR": (0, 1, 1, 1),
    "NAND": (1, 1, 1, 0),
    "NOR": (1, 0, 0, 0),
    "XOR": (0, 1, 1, 0),
    "XNOR": (1, 0, 0, 1),
}
_GATE_X = ((0, 0), (0, 1), (1, 0), (1, 1))
ANIMALS = ("Cat", "Dog", "Bird", "Fish", "Horse")


# =====================================================================================
# What an exercise is
# =====================================================================================
@dataclass
class Step:
    """One answer of the key, in the order a student computes it.

    ``id`` is what the answers file names (``z1``, ``dL/dw3``, ``g'(z2)``); ``value`` a
    number, a list of numbers (a vector), or for ``check='separates'`` the weights of
    one solution (any weights that separate the gate are right); ``how`` the formula
    in the slides' symbols with the numbers substituted."""

    id: str
    value: Any
    how: str = ""
    check: str = "value"  # "value": within the tolerance; "separates": the weights work
    slack: float = 0.0  # right within tol + slack: what the key's rounding carries in

    def __post_init__(self) -> None:  # (dL/da * g'(z) = (-7.5)(0) is -0.0: the key says 0)
        if isinstance(self.value, float):
            self.value += 0.0


@dataclass
class Exercise:
    kind: str
    number: int
    title: str
    question: list[tuple[str, Any]]  # blocks: ("p", text) or ("table", (headers, rows))
    steps: list[Step]
    data: dict[str, Any] = field(default_factory=dict)  # what the checker needs
    #: the seed generate() drew it for (None: built by hand); to_markdown and to_html label
    #: a sheet with it and refuse another (seed 3's numbers were labelled seed 5 in silence)
    seed: int | None = None


# =====================================================================================
# Symbols: LaTeX for Markdown, Unicode for HTML and the terminal
# =====================================================================================
def _tex_name(name: str) -> str:
    m = re.fullmatch(r"(y_hat|[a-zA-Z])(\d*)", name)
    if m is None:
        return rf"\mathrm{{{name}}}" if re.fullmatch(r"[A-Za-z]+\d*", name) else name
    head = r"\hat{y}" if m.group(1) == "y_hat" else m.group(1)
    return head + (f"_{{{m.group(2)}}}" if m.group(2) else "")


# an answer id's forms: (pattern, LaTeX, Unicode); ``{}`` is the typeset inner name
_FORMS = (
    (r"dL/d(.+)", r"\frac{{\partial L}}{{\partial {}}}", "∂L/∂{}"),
    (r"g'\((.+)\)", "g'({})", "g′({})"),
    (r"e\^(.+)", "e^{{{}}}", "e^{}"),
    (r"new (.+)", r"{}^{{\text{{new}}}}", "{} (new)"),
)


def _typeset(sym: str, unicode: bool) -> str:
    name = unicode_symbol if unicode else _tex_name
    for pattern, tex, uni in _FORMS:
        m = re.fullmatch(pattern, sym)
        if m:
            return (uni if unicode else tex).format(name(m.group(1)))
    return name(sym)


def _tex(sym: str) -> str:
    """An answer id (``dL/dw1``, ``g'(z2)``, ``y_hat``) in LaTeX."""
    return _typeset(sym, unicode=False)


def _uni(sym: str) -> str:
    """An answer id in the slides' Unicode typography (``∂L/∂w₁``, ``g′(z₂)``)."""
    return _typeset(sym, unicode=True)


def _num(v: Any, d: int = 3) -> str:
    if v is None:
        return "(none)"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_num(x, d) for x in v) + "]"
    v = float(v)
    # an answer with one decimal more than shown (w - lr dL/dw = -1.0625) is written
    # exactly: rounding it would break the tie by the float's binary value (-1.062 but
    # 2.888 for 2.8875), not as a student does by hand. A float a few ulps off such a
    # value is it too: w - lr dL/dw, computed in binary with lr = 0.05, gave
    # -0.5874999999999999 for -0.5875 (seed 419), which printed -0.587. (Within 1e-13 of
    # 1 or of the value: a key's binary error is some 1e-15, an irrational value never
    # comes that near a decimal of 4 places; to 6 places, beyond which the grader's
    # longer listings print the float as it is.)
    if abs(v) < 1e6 and d + 1 <= 6:
        near = round(v, d + 1)
        if round(near, d) != near and abs(v - near) <= 1e-13 * max(1.0, abs(v)):
            return f"{near:.{d + 1}f}"
    elif round(v, d) != v and round(v, d + 1) == v and abs(v) < 1e6:
        return f"{v:.{d + 1}f}"
    return fmt(v, d)


def _worked(values: list[float], evaluate: Any, result: float) -> list[str]:
    """``values`` as a key's worked line writes them: 3 decimals where the line's arithmetic
    (``evaluate``) with them gives ``result`` as the key shows it, else as many more as
    make it (explain's rule for its written-out sums, at most 6 more)."""
    c = decimals_for(values, evaluate, result, 3)
    return [fmt_more(v, 3, c) for v in values]


def _sub(v: float) -> str:
    """A number subtracted in a worked step, in parentheses when negative, as the slides
    write (-4): ``3.5 - (-1)``, not ``3.5 - -1``."""
    return f"({_num(v)})" if v < 0 else _num(v)


# =====================================================================================
# The generators (every number of a key computed by glassnet)
# =====================================================================================
def _choice(rng: np.random.Generator, values: Sequence[Any]) -> Any:
    return values[int(rng.integers(len(values)))]


def _small_net(rng: np.random.Generator, input_needed: bool = False) -> tuple[MLP, np.ndarray]:
    """A 2-2-1 network, ReLU hidden layer, identity output, with integer weights chosen so
    that every hidden weighted sum is nonzero and at least one is positive (the ReLU's
    derivative is then unambiguous and some gradient flows). With ``input_needed`` the
    input is not x = (0, 0): there the hidden sums are the biases alone (a forward exercise
    in which the first layer's weights play no part) and every dL/dw of the first layer is
    dL/dz * 0 = 0 (a backpropagation exercise whose first-layer answers are all 0)."""
    while True:
        # (its drawn weights are replaced below: drawn from a generator of its own, neither
        # the exercise's, whose numbers would change, nor glassnet's global one)
        net = MLP([2, 2, 1], "relu", "identity", rng=0, dtype=np.float64)
        W1 = rng.integers(-2, 3, size=(2, 2)).astype(float)
        b1 = rng.integers(-2, 3, size=2).astype(float)
        W2 = np.array(_choice(rng, [[1, 2], [2, -1], [-1, 2], [1, -2], [2, 1], [3, -1]]), float)
        b2 = float(rng.integers(-1, 2))
        x = np.array([_choice(rng, [0.0, 1.0, 2.0, 0.5, 1.5]) for _ in range(2)])
        z = x @ W1 + b1
        if (
            np.all(z != 0)
            and np.any(z > 0)
            and np.all(W1 != 0)
            and (np.any(x != 0) or not input_needed)
        ):
            net.layers[0].W.data[:] = W1
            net.layers[0].b.data[:] = b1
            net.layers[2].W.data[:] = W2.reshape(2, 1)
            net.layers[2].b.data[:] = b2
            return net, x


def _net_question(e: Any, what: str) -> list[tuple[str, Any]]:
    nm = e.names
    rows = []
    for l, W in enumerate(e.W):
        ins = nm.x if l == 0 else nm.a[l - 1]
        for i in range(W.shape[0]):
            for k in range(W.shape[1]):
                rows.append([nm.w[l][i][k], f"{ins[i]} → {nm.z[l][k]}", _num(W[i, k])])
        for k in range(W.shape[1]):
            rows.append([nm.b[l][k], f"bias of {nm.z[l][k]}", _num(e.b[l][k])])
    x = ", ".join(f"{n} = {_num(v)}" for n, v in zip(nm.x, e.x[0]))
    return [
        (
            "p",
            "A network with 2 inputs, one hidden layer of 2 ReLU neurons and one output "
            "neuron with the identity activation (a regression output). Each neuron "
            "computes z = b + sum of w * (its inputs), then a = g(z); the output is "
            "y_hat = z3. A neuron's bias b (b1, b2, b3 below) is the slides' w0 of that "
            "neuron, the weight of a constant input x0 = 1.",
        ),
        ("table", (["weight", "edge", "value"], rows)),
        ("p", f"The input is {x}. {what}"),
    ]


def _net_data(e: Any) -> dict[str, Any]:
    """The given numbers of a network exercise (weights W (inputs, neurons), biases, x)."""
    return {
        "W": [W.tolist() for W in e.W],
        "b": [b.tolist() for b in e.b],
        "x": e.x[0].tolist(),
    }


def _output_how(e: Any) -> str:
    """The output neuron's forward step, with the numbers: ``z3 = b3 + w5*a1 + w6*a2 = ...``
    (the identity output: y_hat = z3)."""
    nm, last = e.names, len(e.W) - 1
    ins = nm.x if last == 0 else nm.a[last - 1]
    vals = e.x[0] if last == 0 else e.A[last - 1][0]
    terms = " + ".join(f"{nm.w[last][i][0]}*{ins[i]}" for i in range(len(ins)))
    nums = " + ".join(f"({_num(e.W[last][i, 0])})({_num(vals[i])})" for i in range(len(ins)))
    return (
        f"the forward pass: y_hat = {nm.z[last][0]} = {nm.b[last][0]} + {terms} = "
        f"{_num(e.b[last][0])} + {nums} (identity output)"
    )


def _forward(rng: np.random.Generator, number: int) -> Exercise:
    net, x = _small_net(rng, input_needed=True)  # (at x = (0, 0) the first weights play no part)
    acts = [lay.act for lay in layers_of(net)]
    e = explain(net, x, 0.0, names="lecture")  # the forward numbers; y unused here
    nm, steps = e.names, []
    for l in range(len(e.W)):
        ins = nm.x if l == 0 else nm.a[l - 1]
        vals = e.x[0] if l == 0 else e.A[l - 1][0]
        for k, zn in enumerate(nm.z[l]):
            terms = " + ".join(
                f"{nm.w[l][i][k]}*{ins[i]}" for i in range(len(ins))
            )  # the slides' weighted sum
            nums = " + ".join(f"({_num(e.W[l][i, k])})({_num(vals[i])})" for i in range(len(ins)))
            steps.append(
                Step(zn, float(e.Z[l][0, k]), f"{nm.b[l][k]} + {terms} = "
                     f"{_num(e.b[l][k])} + {nums}")
            )  # fmt: skip
        for k, an in enumerate(nm.a[l]):
            zv = _num(e.Z[l][0, k])
            how = (
                f"ReLU({nm.z[l][k]}) = max(0, {zv})"
                if acts[l] == "relu"
                else f"{acts[l]}({nm.z[l][k]}) = {zv}"
            )
            steps.append(Step(an, float(e.A[l][0, k]), how))
    return Exercise(
        "forward",
        number,
        "Forward pass",
        # in the order of the key and of the slides (z1, z2, then a1 = g(z1), a2 = g(z2),
        # then z3): the question listed z1, a1, z2, a2, the answer ids another order
        _net_question(
            e, f"Compute {', '.join(s.id for s in steps[:-1])} and the output {steps[-1].id}."
        ),
        steps,
        _net_data(e),
    )


def _backprop(rng: np.random.Generator, number: int) -> Exercise:
    net, x = _small_net(rng, input_needed=True)
    acts = [lay.act for lay in layers_of(net)]
    while True:  # a target the output misses: with y_hat = y every gradient is 0
        y = float(rng.integers(-2, 4))
        e = explain(net, x, y, "half_mse", names="lecture")
        if e.dL_dyhat[0, 0] != 0:
            break
    nm = e.names
    steps = [
        Step("y_hat", float(e.y_hat[0, 0]), _output_how(e)),
        Step("L", e.loss, f"1/2 (y_hat - y)^2 = 1/2 ({_num(e.y_hat[0, 0])} - {_sub(y)})^2"),
        Step(
            "dL/dy_hat", float(e.dL_dyhat[0, 0]), f"y_hat - y = {_num(e.y_hat[0, 0])} - {_sub(y)}"
        ),
    ]
    L = len(e.W)
    for l in range(L - 1, -1, -1):
        for k, zn in enumerate(nm.z[l]):
            act = acts[l]
            rule = "1 if z > 0 else 0" if act == "relu" else ("1" if act == "identity" else act)
            zval = _num(e.Z[l][0, k])
            steps.append(
                Step(
                    f"g'({zn})",
                    float(e.gprime[l][0, k]),
                    f"{act}'({zn}) with {zn} = {zval}: {rule}",
                )
            )
            da, gp = e.dL_dA[l][0, k], e.gprime[l][0, k]
            steps.append(
                Step(f"dL/d{zn}", float(e.dL_dZ[l][0, k]),
                     f"dL/d{nm.a[l][k]} * g'({zn}) = ({_num(da)})({_num(gp)})")
            )  # fmt: skip
        if l > 0:
            for i, an in enumerate(nm.a[l - 1]):
                ks = range(len(nm.z[l]))
                sym = " + ".join(f"dL/d{nm.z[l][k]} * {nm.w[l][i][k]}" for k in ks)
                nums = " + ".join(f"({_num(e.dL_dZ[l][0, k])})({_num(e.W[l][i, k])})" for k in ks)
                steps.append(Step(f"dL/d{an}", float(e.dL_dA[l - 1][0, i]), f"{sym} = {nums}"))
    for l in range(L):
        ins = nm.x if l == 0 else nm.a[l - 1]
        vals = e.x[0] if l == 0 else e.A[l - 1][0]
        for i in range(len(ins)):
            for k, zn in enumerate(nm.z[l]):
                steps.append(
                    Step(f"dL/d{nm.w[l][i][k]}", float(e.grad_W[l][i, k]),
                         f"dL/d{zn} * {ins[i]} = ({_num(e.dL_dZ[l][0, k])})({_num(vals[i])})")
                )  # fmt: skip
        for k, zn in enumerate(nm.z[l]):
            steps.append(
                Step(f"dL/d{nm.b[l][k]}", float(e.grad_b[l][k]),
                     f"dL/d{zn} * 1 = ({_num(e.dL_dZ[l][0, k])})(1)")
            )  # fmt: skip
    q = _net_question(
        e,
        f"The target is y = {_num(y)} and the loss L = 1/2 (y_hat - y)^2. Compute y_hat, "
        "L, dL/dy_hat, then backwards g'(z) and dL/dz for every neuron (and "
        + ", ".join(f"dL/d{a}" for a in nm.a[0])  # (dL/da was not typeset: no index)
        + " for the hidden activations), then dL/dw for every weight and dL/db for every bias.",
    )
    data = _net_data(e) | {"y": y}
    return Exercise("backprop", number, "Backpropagation for one data point", q, steps, data)


def _gd_step(rng: np.random.Generator, number: int) -> Exercise:
    neuron = Neuron(2, "identity", rng=0, dtype=np.float64)  # (weights set below: see _small_net)
    w = [float(_choice(rng, [-2, -1, 1, 2, 3])) for _ in range(2)]
    w0 = float(rng.integers(-2, 3))
    neuron.set_weights(w, w0)
    x = [float(_choice(rng, [0.5, 1.0, 2.0, -1.0, 1.5])) for _ in range(2)]
    z = w0 + w[0] * x[0] + w[1] * x[1]  # (exact: small integers and halves)
    y = float(rng.integers(-2, 5))
    while y == z:  # y_hat = y: a zero gradient, a step that changes nothing
        y = float(rng.integers(-2, 5))
    lr = float(_choice(rng, [0.1, 0.05, 0.2]))
    e = explain(neuron, x, y, "half_mse", lr=lr, names="lecture")
    step = e.step()  # {name: (w, dL/dw, w - lr dL/dw)}
    steps = [
        Step("z", float(e.Z[0][0, 0]), f"w0 + w1*x1 + w2*x2 = {_num(w0)} + ({_num(w[0])})"
             f"({_num(x[0])}) + ({_num(w[1])})({_num(x[1])})"),
        Step("y_hat", float(e.y_hat[0, 0]), f"g(z) = z = {_num(e.Z[0][0, 0])} (identity)"),
        Step("L", e.loss, f"1/2 (y_hat - y)^2 = 1/2 ({_num(e.y_hat[0, 0])} - {_sub(y)})^2"),
        Step("dL/dy_hat", float(e.dL_dyhat[0, 0]),
             f"y_hat - y = {_num(e.y_hat[0, 0])} - {_sub(y)}"),
    ]  # fmt: skip
    for name, v in (("w1", x[0]), ("w2", x[1]), ("w0", 1.0)):
        vn = "1" if name == "w0" else "x" + name[1]
        steps.append(
            Step(f"dL/d{name}", step[name][1],
                 f"dL/dy_hat * g'(z) * {vn} = ({_num(e.dL_dyhat[0, 0])})(1)({_num(v)})")
        )  # fmt: skip
    for name in ("w1", "w2", "w0"):
        old, g, new = step[name]
        steps.append(
            Step(
                f"new {name}",
                new,
                f"{name} - lr * dL/d{name} = {_num(old)} - {lr:g} * ({_num(g)})",
            )
        )
    q = [
        (
            "p",
            "One neuron with the identity activation: y_hat = z = w0 + w1 x1 + w2 x2, with "
            "w0 (the bias, the weight of a constant input x0 = 1, as in the slides), and the "
            "loss L = 1/2 (y_hat - y)^2.",
        ),
        (
            "table",
            (
                ["w1", "w2", "w0", "x1", "x2", "y", "lr"],
                [[_num(v) for v in (*w, w0, *x, y)] + [f"{lr:g}"]],
            ),
        ),
        (
            "p",
            "Compute z, y_hat, L, dL/dy_hat, the gradients dL/dw1, dL/dw2, dL/dw0, and the "
            "weights after one gradient-descent step w <- w - lr dL/dw.",
        ),
    ]
    data = {"w": w, "w0": w0, "x": x, "y": y, "lr": lr}
    return Exercise("gd_step", number, "One gradient-descent step", q, steps, data)


def _weights_wrong(got: Any) -> str | None:
    """Why an answer to the separable weights cannot be a neuron's weights (not a vector of
    3 finite numbers [w1, w2, w0]), or None when it can."""
    need = "the weights need 3 numbers [w1, w2, w0] (w0 the bias)"
    if not isinstance(got, list):
        return f"is one number; {need}"
    if len(got) != 3:
        return f"has {len(got)} number{'' if len(got) == 1 else 's'}; {need}"
    if not all(math.isfinite(v) for v in got):
        return (
            "holds a weight that is not a finite number (NaN, or infinite: beyond a float's "
            "range of about 1.8e308); the weights must be finite"
        )
    return None


def _separates(gate: Sequence[int], w1: float, w2: float, w0: float) -> bool:
    """Whether one neuron with weights (w1, w2) and bias w0 computes the gate: output 1
    exactly where z = w0 + w1 x1 + w2 x2 > 0, the question's rule, worked out exactly in
    decimal on the weights as written (a point on the line, z = 0, gives 0: AND with
    [0.1, 0.2, -0.3] is 0 at (1, 1), where binary floats made z 5.6e-17 and output 1).
    An answer's weight is its text's decimal, whatever its digits (the float of
    -1.9999999999999999 is -2.0, of 1e-400 0.0: AND with [1, 1, -1.9999999999999999] or
    [1e-400, 1e-400, -1.5e-400] was graded wrong); a weight that came with no text is its
    float's shortest digits. Weights that are not finite compute no gate."""
    if not all(math.isfinite(v) for v in (w1, w2, w0)):
        return False
    return _gate_miss(gate, w1, w2, w0) is None


def _z(terms: Sequence[Decimal]) -> tuple[int, Decimal]:
    """The exact sum of at most three finite decimals as its sign (-1, 0, 1), exact however
    far apart their exponents (1.5 + 1e-999999999 - 1.5 is positive), and its value to 50
    digits: two terms of like size are added exactly, with the digits that takes; a term
    over 100 times the others' size decides the sign alone."""
    t = sorted((d for d in terms if d != 0), key=lambda d: d.adjusted(), reverse=True)
    with localcontext(Context(prec=50, Emax=MAX_EMAX, Emin=MIN_EMIN)) as ctx:
        if not t:
            return 0, Decimal(0)
        if len(t) == 3 and t[0].adjusted() > t[1].adjusted() + 2:  # |t1| + |t2| < |t0|
            return (1 if t[0] > 0 else -1), t[0] + t[1] + t[2]
        if len(t) == 3:
            low = min(int(t[0].as_tuple().exponent), int(t[1].as_tuple().exponent))
            ctx.prec = max(50, t[0].adjusted() + 3 - low)  # (exact: the digits of the sum)
            t = [d for d in (t[0] + t[1], t[2]) if d != 0]
            ctx.prec = 50
        if len(t) == 1:
            return (1 if t[0] > 0 else -1), +t[0]
        return (t[0] > -t[1]) - (t[0] < -t[1]), t[0] + t[1]  # (a comparison is exact)


def _z_shown(z: Decimal) -> str:
    """z as a grader's message shows it: 3 decimals, or, where that reads 0.000 though z is
    not 0 (or z is beyond a float's range), 4 significant digits (1e-16)."""
    if z == 0:
        return "0"
    if abs(z) >= Decimal("0.0005") and math.isfinite(float(z)):
        return _num(float(z))
    return format(z.normalize(Context(prec=4, Emax=MAX_EMAX, Emin=MIN_EMIN)), "g").replace("E", "e")


def _gate_miss(gate: Sequence[int], w1: float, w2: float, w0: float) -> str | None:
    """The first input where the weights (finite) give the wrong output, as the grader says
    it (``at (1, 1), z = 0 gives 0, the gate 1``), or None where they compute the gate.
    The weights as written, exactly (:func:`_separates`)."""
    a, b, c = (_answer_decimal(v) for v in (w1, w2, w0))
    for (x1, x2), t in zip(_GATE_X, gate):
        sign, z = _z([c] + ([a] if x1 else []) + ([b] if x2 else []))
        if int(sign > 0) != int(t):
            return f"at ({x1}, {x2}), z = {_z_shown(z)} gives {int(sign > 0)}, the gate {int(t)}"
    return None


def _slides_order(gate: Sequence[int], got: list[Any]) -> str:
    """The hint for weights that fail as [w1, w2, w0] but compute the gate read in the
    slides' order [w0, w1, w2] (z = w0 + w1 x1 + w2 x2): the answer's order, and the
    weights in it; '' for any other."""
    w0, w1, w2 = got
    if not _separates(gate, w1, w2, w0):
        return ""
    return (
        "; read in the slides' order [w0, w1, w2] they would compute it, but the answer "
        f"is asked as [w1, w2, w0], w0 last: write {_written([w1, w2, w0])}"
    )


def _neuron_separates(gate: Sequence[int], w1: float, w2: float, w0: float) -> bool:
    """:func:`_separates` evaluated by a glassnet Neuron (the key's weights are small
    integers and halves, exact in binary: the two agree on them)."""
    n = Neuron(2, "identity", rng=0, dtype=np.float64)  # (weights set below: see _small_net)
    n.set_weights([w1, w2], w0)
    z = n(Tensor(np.array(_GATE_X, dtype=np.float64))).data.reshape(-1)
    return bool(np.all((z > 0).astype(int) == np.asarray(gate)))


def _separable(rng: np.random.Generator, number: int) -> Exercise:
    name = _choice(rng, list(GATES))
    gate = GATES[name]
    # the first weights (small integers, half-integer bias) that a Neuron checks to work
    found = None
    for w1 in (1, -1, 2, -2):
        for w2 in (1, -1, 2, -2):
            for w0 in (-0.5, 0.5, -1.5, 1.5, -2.5, 2.5):
                w = (w1, w2, w0)
                if found is None and _neuron_separates(gate, *w) and _separates(gate, *w):
                    found = (float(w1), float(w2), float(w0))
    steps = [Step("separable", 1.0 if found else 0.0, "1 = yes, 0 = no")]
    if not found:
        steps.append(
            Step(
                "weights",
                None,
                "none exist: leave the answer empty (a blank, [] or none)",
                check="absent",
            )
        )
    if found:
        steps.append(
            Step("weights", list(found),
                 f"one solution: w1 = {_num(found[0])}, w2 = {_num(found[1])}, w0 = "
                 f"{_num(found[2])}; any w1, w2, w0 with output 1 exactly where "
                 "w0 + w1 x1 + w2 x2 > 0 is right", check="separates")
        )  # fmt: skip
        why = "A straight line separates the 1s from the 0s."
    else:
        ones = [x for x, t in zip(_GATE_X, gate) if t]
        zeros = [x for x, t in zip(_GATE_X, gate) if not t]
        why = (
            f"No straight line separates {ones} (output 1) from {zeros} (output 0): the two "
            "pairs sit on crossing diagonals of the square. Adding the two inequalities of "
            "one class and of the other gives 2 w0 + w1 + w2 > 0 and <= 0 at once. A hidden "
            "layer is needed (the lecture's XNOR network)."
        )
    steps[0].how = why
    rows = [[str(a), str(b), str(t)] for (a, b), t in zip(_GATE_X, gate)]
    q = [
        ("p", f"The {name} gate:"),
        ("table", (["x1", "x2", "y"], rows)),
        (
            "p",
            "Is it linearly separable, i.e. can one neuron with a step activation (output 1 "
            "where z = w0 + w1 x1 + w2 x2 > 0, else 0) compute it? Answer separable = 1 "
            "(yes) or 0 (no); if yes, give weights = [w1, w2, w0], in this order: w0 (the "
            "bias) last, not first as z writes it; if no, leave weights empty (a blank, [] "
            "or none).",
        ),
    ]
    return Exercise("separable", number, f"Linear separability: {name}", q, steps,
                    {"gate": list(gate)})  # fmt: skip


def _softmax_draw(rng: np.random.Generator) -> tuple[tuple[float, ...], int]:
    """A softmax exercise's givens: 3 distinct logits and the true class (360 in all)."""
    K = 3
    logits = np.array([float(_choice(rng, [-1, 0, 0.5, 1, 2, 3])) for _ in range(K)])
    while len(set(logits)) < K:
        logits[int(rng.integers(K))] = float(_choice(rng, [-1, 0, 0.5, 1, 2, 3]))
    return tuple(float(v) for v in logits), int(rng.integers(K))


SOFTMAX_BLOCK = 360
"""Seeds ``0-359``, ``360-719``, ... get softmax exercises that differ from each other's
(360 exercises there are in all): independent draws gave seeds 13 and 22 the same one."""


def _softmax_givens(seed: int, kind_stream: list[int]) -> tuple[tuple[float, ...], int]:
    """Seed ``seed``'s softmax givens, other than every earlier seed's of its block of
    :data:`SOFTMAX_BLOCK` seeds: each seed takes its own stream's first draw (as before)
    unless an earlier seed of the block has it, then its next draw, and so on."""
    taken: set[tuple[tuple[float, ...], int]] = set()
    for s in range(seed - seed % SOFTMAX_BLOCK, seed + 1):
        for r in itertools.count():
            extra = [0, r] if r else []
            drawn = _softmax_draw(np.random.default_rng([s, *kind_stream[1:], *extra]))
            if drawn not in taken:
                break
        taken.add(drawn)
    return drawn


def _softmax(
    rng: np.random.Generator,
    number: int,
    givens: tuple[tuple[float, ...], int] | None = None,
) -> Exercise:
    K = 3
    drawn_logits, label = _softmax_draw(rng) if givens is None else givens
    logits = np.array(drawn_logits)
    # the autodiff: softmax, cross-entropy and dL/dz by Tensor.backward
    z = Tensor(logits.reshape(1, K), requires_grad=True, dtype=np.float64)
    p = F.softmax(z).data[0]
    loss = F.cross_entropy(z, np.array([label]))
    loss.backward()
    steps = [
        Step(f"e^z{k + 1}", float(np.exp(logits[k])), f"e^{_num(logits[k])}") for k in range(K)
    ]
    ez, total = np.exp(logits), float(np.exp(logits).sum())
    # each worked line's numbers with the decimals that make its arithmetic give the key's
    # value as shown (explain's rule): 3 where they do, else more (1.649 + 20.086 + 1 is
    # 22.735, not the 22.734 of e^0.5 + e^3 + e^0: 1.6487 + 20.0855 + 1)
    shown = _worked([float(v) for v in ez], lambda v: sum(v), total)
    steps.append(Step("sum", total, "e^z1 + e^z2 + e^z3 = " + " + ".join(shown)))
    for k in range(K):
        a, b = _worked([float(ez[k]), total], lambda v: v[0] / v[1], float(p[k]))
        steps.append(Step(f"y_hat{k + 1}", float(p[k]), f"e^z{k + 1} / sum = {a} / {b}"))
    # -log moves fast near 0: the true class's probability as the key shows it (3
    # decimals, off by up to 0.0005) moves L by up to log(p / (p - 0.0005)), 0.016 at
    # p = 0.032, more than the tolerance; a student who carries it in is right
    pt = float(p[label])
    slack = math.log(pt / (pt - 0.0005)) if pt > 0.001 else 0.0
    note = (
        f"; graded within tol + {slack:.3f}, what y_hat{label + 1} to 3 decimals carries in"
        if slack > DEFAULT_TOL / 2
        else ""
    )
    steps.append(
        Step("L", float(loss.data),
             # (-log of y_hat as shown, 3 decimals, is off by up to the slack: log(sum) - z
             # with the shown sum is within 0.0003 of L)
             f"-log y_hat{label + 1} = -log(e^z{label + 1} / sum) = log "
             f"{_worked([total], lambda v: math.log(v[0]) - logits[label], float(loss.data))[0]}"
             f" - {_sub(logits[label])} (y is one-hot: class {label + 1}){note}", slack=slack)
    )  # fmt: skip
    for k in range(K):
        y_k = int(k == label)
        g = float(z.grad[0, k])
        pk = _worked([float(p[k])], lambda v, y_k=y_k: v[0] - y_k, g)[0]  # type: ignore[misc]
        steps.append(Step(f"dL/dz{k + 1}", g, f"y_hat{k + 1} - y{k + 1} = {pk} - {y_k}"))
    q = [
        ("p", "An output layer with softmax activation computed the logits"),
        ("table", (["z1", "z2", "z3"], [[_num(v) for v in logits]])),
        (
            "p",
            f"and the true class is class {label + 1} of 3 (the target is one-hot). Compute "
            "e^z1, e^z2, e^z3, their sum, the probabilities y_hat1, y_hat2, y_hat3 (each "
            "e^z divided by the sum), the cross-entropy L = -log of the true class's "
            "probability (log is the natural logarithm, ln), and its gradients dL/dz1, "
            "dL/dz2, dL/dz3.",
        ),
    ]
    data = {"logits": logits.tolist(), "label": label}
    return Exercise("softmax", number, "Softmax and cross-entropy", q, steps, data)


def _one_hot_draw(rng: np.random.Generator) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A one-hot exercise's givens: the class order (3 or 4 of :data:`ANIMALS`) and 4
    targets."""
    C = int(_choice(rng, [3, 4]))
    while True:
        order = [str(a) for a in rng.permutation(ANIMALS)[:C]]
        labels = [str(_choice(rng, order)) for _ in range(4)]
        # the given order must matter: some target's row differs from its row in the
        # sorted (alphabetical) order, which a student might use instead (an order that
        # is sorted, or targets that sit at the same place in both, tested nothing), and
        # the targets are not all one class
        ranked = sorted(order)
        if len(set(labels)) > 1 and any(order.index(s) != ranked.index(s) for s in labels):
            return tuple(order), tuple(labels)


ONE_HOT_BLOCK = 1000
"""Seeds ``0-999``, ``1000-1999``, ... get one-hot exercises that differ from each other's
(independent draws gave seeds 59 and 194 the same one, and 111 and 147)."""


@functools.lru_cache(maxsize=4)  # (a class's seeds share a block: drawn once)
def _one_hot_block(start: int, kind: int) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """The one-hot givens of the seeds ``start`` .. ``start + ONE_HOT_BLOCK - 1``, each
    other than every earlier seed's of the block: each seed takes its own stream's first
    draw (as before) unless an earlier seed of the block has it, then its next draw, and
    so on (as :func:`_softmax_givens`)."""
    taken: set[tuple[tuple[str, ...], tuple[str, ...]]] = set()
    out = []
    for s in range(start, start + ONE_HOT_BLOCK):
        for r in itertools.count():
            extra = [0, r] if r else []
            drawn = _one_hot_draw(np.random.default_rng([s, kind, *extra]))
            if drawn not in taken:
                break
        taken.add(drawn)
        out.append(drawn)
    return tuple(out)


def _one_hot_givens(seed: int, kind_stream: list[int]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Seed ``seed``'s one-hot givens, other than every other seed's of its block of
    :data:`ONE_HOT_BLOCK` seeds."""
    start = seed - seed % ONE_HOT_BLOCK
    return _one_hot_block(start, kind_stream[1])[seed - start]


def _one_hot(
    rng: np.random.Generator,
    number: int,
    givens: tuple[tuple[str, ...], tuple[str, ...]] | None = None,
) -> Exercise:
    drawn_order, drawn_labels = _one_hot_draw(rng) if givens is None else givens
    order, labels = list(drawn_order), list(drawn_labels)
    C = len(order)
    rows = F.one_hot(np.array([order.index(s) for s in labels]), C, dtype=np.float64)
    steps = [
        Step(
            f"row{n + 1}",
            [float(v) for v in rows[n]],
            f"{lab}: 1 at position {order.index(lab) + 1}",
        )
        for n, lab in enumerate(labels)
    ]
    # the example has C entries, one per class (an example of 3 entries for 4 classes
    # showed a vector of the wrong length: its length is the number of classes)
    example = "[" + ", ".join(["0", "1"] + ["0"] * (C - 2)) + "]"
    q = [
        ("p", f"The classes, in this order: {', '.join(order)}."),
        (
            "p",
            f"One-hot encode the targets {', '.join(labels)} (give each as a vector of "
            f"{C} entries, one per class, row1 .. row{len(labels)}, e.g. {example}).",
        ),
    ]
    data = {"classes": order, "labels": labels}
    return Exercise("one_hot", number, "One-hot encoding", q, steps, data)


_MAKERS = {
    "forward": _forward,
    "backprop": _backprop,
    "gd_step": _gd_step,
    "separable": _separable,
    "softmax": _softmax,
    "one_hot": _one_hot,
}


def _check_seed(seed: Any, owner: str = "glassnet.exercises") -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        hint = ""
        if isinstance(seed, str) and seed.strip().isdigit():  # (read from a file or argv)
            hint = f"; give it as a number, {int(seed.strip())}, not as text"
        elif isinstance(seed, (float, np.floating)) and float(seed).is_integer() and seed >= 0:
            hint = f"; give it as an int, {int(seed)}"
        raise ParameterError(  # (a ValueError and a TypeError)
            f"The 'seed' parameter of {owner} must be an int >= 0 (one per student). Got "
            f"{seed!r:.60} of type {type(seed).__name__}{hint}."
        )
    return int(seed)


def _check_sheet(sheet: Any, seed: Any, key: Any, owner: str) -> int:
    """The arguments of to_markdown and to_html: a sheet from generate(), its seed (None:
    the seed the sheet was generated for), key. A seed other than that of one generate()'s
    sheet is refused: the sheet would be labelled with it and graded by its key, every
    answer wrong. A sheet combined on purpose (exercises of several seeds, or some built by
    hand) is labelled with the seed given."""
    if isinstance(sheet, Exercise):
        raise TypeError(
            f"{owner}: 'sheet' must be the list of exercises generate() returns. Got one "
            "Exercise; pass it in a list: [exercise]."
        )
    if not isinstance(sheet, (list, tuple)) or not all(isinstance(e, Exercise) for e in sheet):
        raise TypeError(
            f"{owner}: 'sheet' must be the list of exercises generate() returns "
            f"(generate(seed)). Got {sheet!r:.60} of type {type(sheet).__name__}."
        )
    check_bool(key, "key", owner)
    drawn = sorted({e.seed for e in sheet if e.seed is not None})
    if seed is None:
        if len(drawn) > 1:  # (a sheet combined from several generate calls: which label?)
            raise TypeError(
                f"{owner}: the sheet combines exercises generated for seeds "
                f"{', '.join(map(str, drawn[:-1]))} and {drawn[-1]}; pass seed= to label "
                "the combined sheet with (its key is this sheet's own)."
            )
        if not drawn:
            raise TypeError(
                f"{owner}: no seed is recorded on the sheet's exercises (built by hand, or "
                "saved by a glassnet older than round 26); pass seed= to label the sheet with."
            )
        return drawn[0]
    seed = _check_seed(seed, owner)
    one = len(drawn) == 1 and all(e.seed == drawn[0] for e in sheet)  # (one generate's)
    if one and drawn[0] != seed:
        raise ValueError(
            f"{owner}: the sheet was generated for seed {_seed(drawn[0])} (generate("
            f"{_seed(drawn[0])})), and 'seed' is {_seed(seed)}: it would be labelled seed "
            f"{_seed(seed)} with seed {_seed(drawn[0])}'s numbers, and seed {_seed(seed)}'s "
            f"key would grade it wrong. Pass seed={_seed(drawn[0])} (or leave it out), or "
            f"render generate({_seed(seed)}) for seed {_seed(seed)}'s sheet."
        )
    return seed


def generate(seed: int, kinds: Sequence[str] = KINDS) -> list[Exercise]:
    """A sheet of exercises, one per kind in ``kinds`` (in that order), for ``seed``.

    Each kind draws its numbers from its own stream (seeded by ``seed`` and the kind),
    so a sheet of some kinds has the same numbers as the full sheet for those kinds; a
    kind asked for again draws other numbers (``["forward", "forward"]``: two exercises).
    The softmax exercises of seeds of one block of :data:`SOFTMAX_BLOCK` (0-359, ...)
    differ from each other (a seed whose draw an earlier seed has draws again), and so
    do the one-hot exercises of one block of :data:`ONE_HOT_BLOCK` (0-999, ...). The
    other kinds are drawn independently and can repeat: ``separable`` has six gates,
    ``gd_step`` some 62,000 draws (seeds 34 and 378 share one: a class of 30 seeds shares
    one with a chance of about 0.7%), ``forward`` and ``backprop`` millions. A whole sheet
    repeats practically never. (Drawing ``gd_step`` apart, as softmax and one-hot are,
    would change the exercise of seeds whose sheets are handed out already.)
    """
    seed = _check_seed(seed)
    if isinstance(kinds, str):
        kinds = [kinds]
    if not isinstance(kinds, (list, tuple)):
        raise TypeError(
            f"generate: 'kinds' must be a kind or a list of kinds from {list(KINDS)}. Got "
            f"{kinds!r:.80} of type {type(kinds).__name__}."
        )
    for k in kinds:
        try:
            check_choice(k, "kinds", "generate", KINDS)
        except ParameterError as exc:  # (a kind misspelled: forwrd, FORWARD, gd-step, onehot)
            typed = k.strip().lower().replace("-", "_") if isinstance(k, str) else ""
            close = [m for m in KINDS if typed and m.startswith(typed)]  # (sep: separable)
            if len(close) != 1:
                close = difflib.get_close_matches(typed, KINDS, n=1) if typed else []
            if not close:
                raise
            raise ParameterError(f"{exc} Did you mean {close[0]!r}?") from None
    if not kinds:
        raise ValueError(f"generate: 'kinds' is empty; pick some of {list(KINDS)}.")
    out = []
    for number, kind in enumerate(kinds, start=1):
        # a kind asked for again gets a stream of its own (the same numbers otherwise)
        again = sum(ex.kind == kind for ex in out)
        stream = [seed, KINDS.index(kind)] + ([again] if again else [])
        rng = np.random.default_rng(stream)
        if kind == "softmax" and not again:  # (distinct from the other seeds' of its block)
            out.append(_softmax(rng, number, _softmax_givens(seed, stream)))
        elif kind == "one_hot" and not again:  # (the same)
            out.append(_one_hot(rng, number, _one_hot_givens(seed, stream)))
        else:
            out.append(_MAKERS[kind](rng, number))
        out[-1].seed = seed
    return out


# =====================================================================================
# Rendering: Markdown (LaTeX) and HTML (Unicode)
# =====================================================================================
_INTRO = (
    "Work by hand (a calculator for e^x and log). Write each answer as "
    "`<exercise>.<id> = <value>` in a text file (see `answers_template.txt`), e.g. "
    "`1.z1 = 2.5`, a vector as `[0, 1, 0]`, and hand it in: your teacher grades it with "
    "the answer key (`glassnet exercise check key.json answers.txt`; the key holds every "
    "answer, so it stays with the teacher)."
)
"""The question sheets' first paragraph, one text for the Markdown and the HTML sheet
(`` `code` `` spans; the HTML sheet writes e^x as eˣ): the HTML sheet left out the
example answers the Markdown one gave. A sheet with no softmax exercise leaves out the
calculator for e^x and log (:func:`_intro`)."""


def _intro(sheet: Sequence[Exercise]) -> str:
    """:data:`_INTRO` for ``sheet``: "Work by hand." where it has no softmax exercise (a
    forward-only sheet spoke of e^x and log)."""
    if any(ex.kind == "softmax" for ex in sheet):
        return _INTRO
    return _INTRO.replace(" (a calculator for e^x and log).", ".", 1)


_PRECISION = (
    "Round each answer to 3 decimals, a half up (away from zero, as by hand: 0.0625 "
    "gives 0.063, -0.0625 gives -0.063), and carry 3 decimals, so rounded, from one step "
    f"to the next: an answer within {DEFAULT_TOL:g} of the exact value counts as right (one "
    "rounded to 2 decimals or fewer can miss: -log of a small probability moves fast). The "
    "key gives each exact value rounded to 3 decimals, or in full where it has exactly 4 "
    "decimals (2.8875, a half, not rounded for you); where 3 decimals of the "
    "numbers in a worked line would not give its value, the line writes them with more, "
    "so that its arithmetic adds up; carrying the rounded numbers stays within the "
    "tolerance."
)
"""What the question sheets say of rounding: the tolerance of :func:`check` (its default),
the 3 decimals (rounded half up, as :func:`glassnet.report.fmt` does) its slack for
L = -log y_hat assumes, and why the key shows 4 decimals or more in places (a sheet said
nothing, and a student who gave 1 or 2 decimals was marked wrong by rules never stated;
one who cut 3 decimals off rather than rounding missed L in 18 of 360 softmax exercises).
A sheet says of it only what applies to its kinds (:func:`_precision_for`)."""

_SOFTMAX_MISS = ": -log of a small probability moves fast"
_FOUR_DECIMALS = (
    ", or in full where it has exactly 4 decimals (2.8875, a half, not rounded for you)"
)
_WORKED = (
    "; where 3 decimals of the numbers in a worked line would not give its value, the line "
    "writes them with more, so that its arithmetic adds up"
)


def _precision_for(kinds: set[str]) -> str:
    """:data:`_PRECISION` with what a sheet of ``kinds`` has: -log moving fast and the worked
    lines written with more decimals (softmax: its lines only need them), the values of
    exactly 4 decimals (gd_step: w - lr dL/dw with lr = 0.05; no other kind's key has one
    in seeds 0-1499). A forward-only sheet spoke of -log and 2.8875."""
    text = _PRECISION
    if "softmax" not in kinds:
        text = text.replace(_SOFTMAX_MISS, "").replace(_WORKED, "")
    if "gd_step" not in kinds:
        text = text.replace(_FOUR_DECIMALS, "")
    return text


def _r3(v: float) -> float:
    """``v`` rounded to 3 decimals as the sheet says (a half away from zero, by its digits)."""
    with localcontext(Context()):  # (not the caller's: its precision, traps and flags)
        return float(Decimal(repr(float(v))).quantize(Decimal("0.001"), ROUND_HALF_UP))


def _carried_L(ex: Exercise) -> float | None:
    """How far from the key's L a softmax exercise's L lands when worked from the rounded
    numbers the sheet says to carry (e^z, their sum, y_hat to 3 decimals: the sum of the
    rounded e^z or the exact sum rounded, y_hat from those or rounded exactly; L as -log
    y_hat, log(sum) - z or -log(e^z / sum)), the farthest; None for no softmax exercise."""
    z, c = ex.data.get("logits"), ex.data.get("label")
    L = next((s.value for s in ex.steps if s.id == "L"), None)
    if ex.kind != "softmax" or not isinstance(z, list) or not isinstance(c, int) or L is None:
        return None
    if ex.seed is None:  # (a hand-built exercise: its sheet reads as before, whatever data)
        return None
    try:  # (data changed by hand: y_hat rounded to 0, e^z overflowing, a label out of range)
        e = [_r3(math.exp(v)) for v in z]
        far = 0.0
        for total in {_r3(sum(e)), _r3(sum(math.exp(v) for v in z))}:
            for p in {_r3(e[c] / total), _r3(math.exp(z[c]) / sum(math.exp(v) for v in z))}:
                for got in (-math.log(p), math.log(total) - z[c], -math.log(e[c] / total)):
                    far = max(far, abs(_r3(got) - float(L)))
    except (ArithmeticError, ValueError, TypeError, IndexError):
        return None
    return far


def _precision(sheet: Sequence[Exercise]) -> str:
    """:data:`_PRECISION` for ``sheet``. Where a softmax exercise's L worked from the carried
    rounded numbers lands outside the tolerance (0.021 off in seed 26's, whose sheet said
    0.01: -log of a small probability moves fast), the sheet names that L and the allowance
    the grader gives it, tol + its slack to 3 decimals rounded down (12 of the 360 softmax
    exercises); any other sheet reads as before."""
    wide = []
    text = _precision_for({ex.kind for ex in sheet})
    for ex in sheet:
        far = _carried_L(ex)
        if far is not None and far > DEFAULT_TOL:
            slack = next(s.slack for s in ex.steps if s.id == "L")
            wide.append((ex.number, math.floor((DEFAULT_TOL + slack) * 1000) / 1000))
    if not wide:
        return text
    each = " and ".join(
        f"{'the cross-entropy L' if i == 0 else 'that'} of exercise {n}, which counts as right "
        f"within {within:.3f} of the exact value"
        for i, (n, within) in enumerate(wide)
    )
    return (
        f"{text[:-1]}, except {each} (the probability carried into its -log has 3 decimals only)."
    )


def _intro_html(sheet: Sequence[Exercise]) -> str:
    """:func:`_intro` as HTML: its `` `code` `` spans in <code>, e^x as eˣ."""
    parts = re.split(r"`([^`]*)`", _intro(sheet))
    return "".join(
        f"<code>{html.escape(p)}</code>" if i % 2 else html.escape(p).replace("e^x", "e\u02e3")
        for i, p in enumerate(parts)
    )


_MATH_WORDS = re.compile(r"(?<![\w/'^{\\])(?:e\^z\d|y)(?![\w}])")


def _md_escape(text: str) -> str:
    """Markdown's emphasis marks in prose escaped: ``w1*x1 + w3*x2`` between two maths
    spans read as emphasis (the two ``*`` vanished and ``x1 + w3`` came out in italics)."""
    return text.replace("*", "\\*").replace("_", "\\_")


def _md_text(text: str) -> str:
    """Prose with the symbols in LaTeX (``y_hat`` -> ``$\\hat{y}$``), by explain's typesetter;
    the few symbols only exercises use (``e^z1``, ``y``) by this module's. The text outside
    the maths is escaped for Markdown (``*`` and ``_``)."""
    out = []
    for part in re.split(r"((?<![\w/'^])e\^z\d)", text):
        if re.fullmatch(r"e\^z\d", part):
            out.append(f"${_tex(part)}$")
            continue
        for q in re.split(r"(\$[^$]*\$)", typeset(part, "latex")):
            if q.startswith("$"):
                out.append(q)
                continue
            pieces = re.split(r"(\$[^$]*\$)", _MATH_WORDS.sub(lambda m: f"${_tex(m.group(0))}$", q))
            out.append("".join(p if p.startswith("$") else _md_escape(p) for p in pieces))
    return "".join(out)


def _html_text(text: str) -> str:
    """Prose in the slides' Unicode (ŷ, ∂L/∂w₁, ½(ŷ − y)²), by explain's typesetter, and
    HTML's (:func:`_html_maths`)."""
    parts = re.split(r"((?<![\w/'^])e\^z\d)", text)
    out = "".join(_uni(p) if re.fullmatch(r"e\^z\d", p) else typeset(p, "unicode") for p in parts)
    return _html_maths(html.escape(out, quote=False))


def _html_maths(text: str) -> str:
    """HTML text (escaped) with the few symbols the Unicode typesetter leaves in ASCII set
    as the rest of the page sets its symbols: a power of e as e<sup>z₁</sup> (``e^z₁``,
    ``e^-1``: no Unicode superscript has z₁), a derivative's prime as ′ (``relu'(z₁)``
    beside ``g′(z₁)``), and the minus sign of ``-log`` as − (beside ``log 8.757 − 2``)."""
    text = re.sub(
        r"(?<![\w^])e\^(-?\d+(?:\.\d+)?|[a-z][\u2080-\u2089]*)(?![\w.])",
        lambda m: f"e<sup>{m.group(1).replace('-', chr(0x2212))}</sup>",
        text,
    )
    text = re.sub(r"(?<=[a-z])'\(", "\u2032(", text)
    return re.sub(r"(?<![\w\u2212-])-(?=log\b)", "\u2212", text)


def _key_rows(ex: Exercise, md: bool) -> list[list[str]]:
    rows = []
    for s in ex.steps:
        sym = f"${_tex(s.id)}$" if md else _html_maths(html.escape(_uni(s.id)))
        how = _md_text(s.how) if md else _html_text(s.how)
        rows.append(
            [f"`{s.id}`" if md else f"<code>{html.escape(s.id)}</code>", sym, how, _num(s.value)]
        )
    return rows


def _md_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in [headers, *rows]]
    return out[:1] + ["|" + "---|" * len(headers)] + out[1:]


def to_markdown(sheet: Sequence[Exercise], seed: int | None = None, key: bool = False) -> str:
    """The question sheet (``key=False``) or the answer key, as Markdown with LaTeX.

    ``seed``: the sheet's, generate()'s (left out, the sheet's own); another is refused
    for one generate()'s sheet. A sheet combined from several generate() calls
    (``generate(3, ["forward"]) + generate(4, ["softmax"])``) is labelled with the seed
    passed, which it needs: ``to_markdown(sheet, 3)`` titles it seed 3."""
    seed = _check_sheet(sheet, seed, key, "to_markdown")
    title = f"glassnet exercises, seed {seed}" + (": answer key" if key else "")
    out = [f"# {title}", ""]
    if not key:
        out += [
            _intro(sheet),
            "",
            _md_escape(_precision(sheet)),
            "",
        ]
    for ex in sheet:
        out += [f"## {ex.number}. {ex.title}", ""]
        if not key:
            for kind, body in ex.question:
                if kind == "p":
                    out += [_md_text(body), ""]
                else:
                    rows = [[_md_text(c) for c in r] for r in body[1]]
                    out += _md_table([_md_text(h) for h in body[0]], rows) + [""]
            out += ["Answer ids: " + ", ".join(f"`{ex.number}.{s.id}`" for s in ex.steps), ""]
        else:
            out += _md_table(["id", "symbol", "how", "value"], _key_rows(ex, True)) + [""]
    return "\n".join(out)


_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.45}table{border-collapse:collapse;margin:.6rem 0}td,th{border:1px solid "
    "#bbb;padding:.25rem .6rem;text-align:left}th{background:#f3f3f3}code{background:#f5f5f5;"
    "padding:0 .2rem}"
)


def to_html(sheet: Sequence[Exercise], seed: int | None = None, key: bool = False) -> str:
    """The question sheet or the answer key as a standalone HTML page (Unicode maths);
    ``seed`` as for :func:`to_markdown`."""
    seed = _check_sheet(sheet, seed, key, "to_html")
    title = f"glassnet exercises, seed {seed}" + (": answer key" if key else "")
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]

    def table(headers: list[str], rows: list[list[str]], raw: bool = False) -> None:
        out.append("<table><tr>" + "".join(f"<th>{h}</th>" for h in headers) + "</tr>")
        for r in rows:
            cells = r if raw else [html.escape(c) for c in r]
            out.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        out.append("</table>")

    if not key:
        out.append(f"<p>{_intro_html(sheet)}</p>")
        out.append(f"<p>{_html_maths(html.escape(_precision(sheet), quote=False))}</p>")
    for ex in sheet:
        number = html.escape(str(ex.number))  # (a hand-built exercise's: any text)
        out.append(f"<h2>{number}. {html.escape(ex.title)}</h2>")
        if not key:
            for kind, body in ex.question:
                if kind == "p":
                    out.append(f"<p>{_html_text(body)}</p>")
                else:
                    table(
                        [_html_text(h) for h in body[0]],
                        [[_html_text(c) for c in r] for r in body[1]],
                        raw=True,
                    )
            ids = ", ".join(f"<code>{number}.{html.escape(s.id)}</code>" for s in ex.steps)
            out.append(f"<p>Answer ids: {ids}</p>")
        else:
            table(["id", "symbol", "how", "value"], _key_rows(ex, False), raw=True)
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _key_json(sheet: Sequence[Exercise], seed: int) -> str:
    doc = {
        "format": "glassnet-exercise-key",
        "version": 1,
        "seed": seed,
        "exercises": [
            {
                "number": ex.number,
                "kind": ex.kind,
                "title": ex.title,
                "data": ex.data,
                "steps": [
                    {"id": s.id, "value": s.value, "check": s.check, "how": s.how}
                    | ({"slack": s.slack} if s.slack else {})
                    for s in ex.steps
                ],
            }
            for ex in sheet
        ],
    }
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def _template(sheet: Sequence[Exercise], seed: int) -> str:
    out = [f"# glassnet exercises, seed {seed}: one answer per line, '<exercise>.<id> = <value>'"]
    for ex in sheet:
        out.append(f"# {ex.number}. {ex.title}")
        out += [f"{ex.number}.{s.id} = " for s in ex.steps]
    return "\n".join(out) + "\n"


def _sheet_found(folder: Path, seed_of: int) -> tuple[int, list[str] | None, Any, str] | None:
    """The sheet in ``folder``: its seed, its exercises' kinds in order, their givens
    (key.json's data) and the file that says them (its key.json, or a sheet's other files:
    the copy handed out holds no key; their titles name the kinds, read for a sheet of seed
    ``seed_of`` only), or None. None for kinds or givens: not said (compared by the seed)."""
    try:
        doc = json.loads((folder / "key.json").read_text(encoding="utf-8"))
        seed = doc.get("seed") if isinstance(doc, dict) else None
        if isinstance(seed, int) and not isinstance(seed, bool):
            exs = doc.get("exercises")
            if not (isinstance(exs, list) and all(isinstance(e, dict) for e in exs)):
                return seed, None, None, "key.json"
            kinds = [e.get("kind") for e in exs]
            return seed, kinds, [e.get("data") for e in exs], "key.json"
    except (OSError, ValueError):
        pass
    for name in ("questions.md", "answers_template.txt", "answers.md"):
        try:
            with open(folder / name, encoding="utf-8") as f:
                text = f.read(1 << 20)
        except (OSError, ValueError):
            continue
        m = _SEED_LINE.match(text)
        if m:
            seed = int(m.group(1))
            if seed != seed_of:  # (another seed: its sheet is not made, 5 s for 4000 digits)
                return seed, None, None, name
            titles = re.findall(r"^##? \d+\. (.+)$", text, re.M)
            kind_of = {ex.title: ex.kind for ex in generate(seed)}
            return seed, [kind_of.get(t, repr(t)) for t in titles], None, name
    return None


def _own_file(path: Path, seed: int) -> bool:
    """Whether ``path`` is a file of a glassnet sheet of ``seed`` (its title says so, or
    key.json's "seed"): :func:`write` replaces no other file without force."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read(1 << 20)
        if path.name == "key.json":
            doc = json.loads(text)
            return isinstance(doc, dict) and type(doc.get("seed")) is int and doc["seed"] == seed
    except (OSError, ValueError):
        return False
    return re.search(rf"glassnet exercises, seed {seed}(?!\d)", text[: 1 << 16]) is not None


def _seed(seed: int) -> str:
    """``seed`` for a message: one of 4000 digits cut to its first ones and its length."""
    text = str(int(seed))
    return text if len(text) <= 40 else f"{text[:20]}... ({len(text)} digits)"


class SheetExists(WriteError):
    """``out`` holds another sheet; :func:`write` replaces it only with force=True."""


def write(
    seed: int,
    out: str | os.PathLike[str],
    kinds: Sequence[str] = KINDS,
    force: bool = False,
) -> dict[str, Path]:
    """Write the sheet for ``seed`` into the folder ``out`` and return {what: path}.

    Files: ``questions.md``, ``questions.html``, ``answers.md``, ``answers.html`` (the
    key), ``key.json`` (what :func:`check` reads) and ``answers_template.txt``. Hand
    out the questions and the template only: ``key.json`` holds every answer and how it
    is computed, as the ``answers`` files do; the teacher keeps them and grades. The
    same seed gives the same bytes. The sheet is written whole or not at all: every
    destination is checked first (a read-only file, a folder in the way, a link to a file
    that does not exist), each file is
    written atomically, and should one still fail, the ones written before it are put back.
    A folder that holds another sheet (of another seed, or of other kinds, or another
    version's numbers) is refused unless ``force``: writing seed 18 into seed 17's folder
    would replace one student's key with another's.
    """
    seed = _check_seed(seed)  # (a NumPy integer as the int it is: json.dumps refuses it)
    sheet = generate(seed, kinds)
    check_bool(force, "force", "write")
    if not isinstance(out, (str, os.PathLike)):
        raise TypeError(
            f"write: 'out' must be the path of a folder (a str or pathlib.Path). Got {out!r:.80} "
            f"of type {type(out).__name__}."
        )
    if "\0" in os.fspath(out):
        raise ValueError(
            f"write: 'out' cannot be {os.fspath(out)!r}: a path cannot hold a NUL character"
        )
    if not os.fspath(out):  # (Path('') is '.': the sheet would land where Python runs)
        raise ValueError("write: 'out' is ''; give the folder to write into ('.' for this one).")
    folder = Path(out)
    if not folder.exists() and home_refusal(folder):  # (not a folder named '~' here)
        raise WriteError(f"write: {home_refusal(folder)}")
    if folder.exists() and not folder.is_dir():
        raise ValueError(
            f"write: 'out' must be a folder; {str(folder)!r} is a file. Give the name of a "
            "folder (it is created if it does not exist)."
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        cause = exc.strerror or " ".join(str(exc).split())
        raise WriteError(
            f"write: cannot create the folder {str(folder)!r} ({cause}); choose a folder in "
            "a place you can write to."
        ) from None
    files = {
        "questions.md": to_markdown(sheet, seed),
        "questions.html": to_html(sheet, seed),
        "answers.md": to_markdown(sheet, seed, key=True),
        "answers.html": to_html(sheet, seed, key=True),
        "key.json": _key_json(sheet, seed),
        "answers_template.txt": _template(sheet, seed),
    }
    for name in files:  # (checked before any is written: the sheet is written whole)
        path = folder / name
        if read_only_file_system(path):
            raise WriteError(f"write: {read_only_refusal(path)}. Nothing was written.")
        if read_only(path):
            raise WriteError(
                f"write: cannot write {str(path)!r}: the file is read-only, so it is "
                "left as it is; make it writable first (chmod u+w) to replace it, or choose "
                "another folder. Nothing was written."
            )
        if path.is_symlink() and not path.exists():
            # (written through, the file would appear at the link's target, where a failed
            # write could not take it back: removing the link would leave it there)
            raise WriteError(
                f"write: cannot write the sheet's {name} into {str(folder)!r}: "
                f"{str(path)!r} is a link to {os.readlink(path)!r}, which does not exist; "
                "remove the link (or create the file it names) first, or choose another "
                "folder. Nothing was written."
            )
        if path.exists() and not path.is_file():
            what = "a folder" if path.is_dir() else "not a regular file"
            raise WriteError(
                f"write: cannot write the sheet's {name} into {str(folder)!r}: "
                f"{str(path)!r} is {what}, in the way of that file; move or rename it, or "
                "choose another folder. Nothing was written."
            )
    found = _sheet_found(folder, int(seed)) if folder.is_dir() and not force else None
    if found is not None:
        other, had, givens, said = found
        new = [ex.kind for ex in sheet]
        new_givens = [e["data"] for e in json.loads(files["key.json"])["exercises"]]
        if other != int(seed):
            why = f"the sheet of seed {_seed(other)} (its {said}), and this is seed {_seed(seed)}'s"
        elif had is not None and had != new:
            why = (
                f"seed {other}'s sheet of kinds {', '.join(map(str, had))} (its {said}), "
                f"and this is its sheet of kinds {', '.join(new)}"
            )
        elif givens is not None and givens != new_givens:
            why = (
                f"seed {other}'s sheet of these kinds with other numbers (its {said}: "
                "written by another version of glassnet), and these are this version's"
            )
        else:
            why = ""
        if why:
            raise SheetExists(
                f"write: {str(folder)!r} holds {why}: writing it would replace that sheet "
                "and its key. Choose another folder, or replace it with force=True. "
                "Nothing was written."
            )
    for name in files if not force else ():  # (a file not of this sheet: the user's own)
        if (folder / name).is_file() and not _own_file(folder / name, seed):
            raise SheetExists(
                f"write: {str(folder / name)!r} is not a file of glassnet's sheet of seed "
                f"{_seed(seed)}: writing the sheet would replace it. Move it, choose another "
                "folder, or replace it with force=True. Nothing was written."
            )
    # each file is written atomically; should one still fail (a full disk), the ones written
    # before it get their earlier bytes back (or are removed), so that the folder never
    # holds two seeds' files (the questions of one, the key of another)
    before: dict[str, bytes | None] = {}
    written: dict[str, Path] = {}
    try:
        for name, text in files.items():
            path = folder / name
            before[name] = path.read_bytes() if path.is_file() else None
            written[name] = atomic_write(path, text)
    except BaseException as exc:
        stuck = []
        for name in written:
            try:
                if before[name] is None:
                    (folder / name).unlink()
                else:
                    atomic_write(folder / name, before[name])  # type: ignore[arg-type]
            except OSError:
                stuck.append(name)
        if stuck and isinstance(exc, OSError):
            raise WriteError(
                f"{exc}; and {', '.join(stuck)} (written before it) could not be put back, "
                f"so {str(folder)!r} holds files of two sheets: write the sheet again once "
                "the cause is mended"
            ) from exc
        raise
    return written


# =====================================================================================
# Grading
# =====================================================================================
def _check_path(path: Any, name: str, owner: str, what: str) -> None:
    if not isinstance(path, (str, os.PathLike)):  # (a TypeError from deep in pathlib)
        raise TypeError(
            f"{owner}: '{name}' must be the path of the {what} (a str or pathlib.Path). Got "
            f"{path!r:.60} of type {type(path).__name__}."
        )


def _document_kind(raw: bytes) -> str | None:
    """What a file that is no text file looks like from its first bytes (a PDF, a Word
    document, an image: what a student hands in instead of the answers as text), or None."""
    if raw.startswith(b"%PDF"):
        return "a PDF document"
    if raw.startswith(b"{\\rtf"):
        return "an RTF document (WordPad's or TextEdit's rich text)"
    if raw.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "an old Word or Office document (.doc)"
    if raw.startswith(b"PK\x03\x04"):
        if b"word/" in raw:
            return "a Word document (.docx)"
        if b"opendocument" in raw:
            return "an OpenDocument file (.odt, LibreOffice)"
        return "a zip archive (or an Office document)"
    if raw.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "an image"
    return None


ANSWERS_MAX_BYTES = 1 << 20
"""The largest answers file :func:`check` reads (1 MiB; an answers file is a few KiB):
a larger one is refused, naming it, not read into memory."""

KEY_MAX_BYTES = 16 << 20
"""The largest key.json :func:`check` reads (16 MiB; a sheet's key is a few KiB)."""


def _not_regular(p: Path) -> str:
    """What ``p``, no regular file, is: a named pipe, a device, a socket."""
    try:
        mode = os.stat(p).st_mode
    except OSError:
        return "not a regular file"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device (such as /dev/zero)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _read_text(path: str | os.PathLike[str], what: str, owner: str) -> str:
    """The text of the key or the answers file (``what``), read as UTF-8 (a byte-order mark
    at its start left out), with a message that names the file and what to do when it is
    a folder, missing, or not UTF-8 text."""
    _check_path(path, "key" if what == "key" else "path", owner, what)
    p = Path(path)
    if p.is_dir():
        inside = (
            f"the key.json in it ({str(p / 'key.json')!r})"
            if what == "key"
            else "a text file, such as answers.txt"
        )
        raise IsADirectoryError(
            f"{owner}: the {what} {str(p)!r} is a folder, not a file; give {inside}."
        )
    try:
        # opened without blocking and checked on the descriptor: a named pipe or a device
        # (a link to /dev/zero) in a folder of answers would block or never end
        f = open_regular(p)
    except FileNotFoundError:
        gone = (
            f"is a link to {os.readlink(p)!r}, which does not exist"
            if p.is_symlink()
            else "does not exist"
        )
        raise FileNotFoundError(
            f"{owner}: the {what} {str(p)!r} {gone} (the working directory is "
            f"{os.getcwd()!r}); check the path."
        ) from None
    except OSError as exc:
        raise OSError(
            f"{owner}: the {what} {str(p)!r} cannot be read ({exc.strerror or exc}); check "
            "its permissions."
        ) from None
    if f is None:
        raise ValueError(
            f"{owner}: the {what} {str(p)!r} is {_not_regular(p)}, not a regular file; give the "
            f"{what} itself (a text file)."
        )
    cap = KEY_MAX_BYTES if what == "key" else ANSWERS_MAX_BYTES
    with f:
        size = os.fstat(f.fileno()).st_size
        raw = f.read(cap + 1) if size <= cap else b""
    if size > cap or len(raw) > cap:
        todo = (
            "give the key.json that 'glassnet exercise' wrote"
            if what == "key"
            else "an answers file holds one short line '<exercise>.<id> = <value>' per "
            "answer: is it the right file?"
        )
        raise ValueError(
            f"{owner}: the {what} {str(p)!r} is larger than {cap // 1024} KiB "
            f"({max(size, len(raw))} bytes or more); {todo}"
        )
    kind = _document_kind(raw)
    if kind is not None:
        todo = (
            "give the key.json that 'glassnet exercise' wrote"
            if what == "key"
            else "save the answers as plain text (in the editor: save as, plain text .txt, "
            "encoding UTF-8), one line '<exercise>.<id> = <value>' per answer, and check again"
        )
        raise ValueError(f"{owner}: the {what} {str(p)!r} is {kind}, not a text file; {todo}.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff"))
        kind = "UTF-16 text, not UTF-8" if utf16 else "not UTF-8 text"
        todo = (
            "give the key.json that 'glassnet exercise' wrote"
            if what == "key"
            else "save it as UTF-8 text (in an editor: save as, encoding UTF-8) and check again"
        )
        raise ValueError(
            f"{owner}: the {what} {str(p)!r} is {kind} (byte {exc.start} is "
            f"0x{raw[exc.start]:02x}); {todo}."
        ) from None


@dataclass
class Unreadable:
    """An answer :func:`check` could not read as a number or a vector: it is graded wrong,
    with ``why`` (what it is and how to write it), and the other answers are graded.
    ``line``: the line of the answers file it is on (None in a JSON answers file)."""

    why: str
    line: int | None = None


@dataclass
class _Answers:
    """An answers file as :func:`check` reads it: the answers, the line of each, the lines
    that are no ``<exercise>.<id> = <value>`` at all (number, text, why), and the seed its
    first comment names (the template's ``# glassnet exercises, seed 18: ...``)."""

    values: dict[str, Any]
    where: dict[str, int]
    bad: list[tuple[int, str, str]]
    seed: int | None
    empty: bool = False


_SEED_LINE = re.compile(r"#\s*glassnet exercises, seed (\d{1,4300})\b")
"""A sheet's first line (its files', the answers template's): a seed of more digits than
int() reads (4300) is none that a sheet has (it raised 'Exceeds the limit')."""


def _read_answers(path: str | os.PathLike[str], lenient: bool) -> _Answers:
    text = _read_text(path, "answers file", "read_answers")
    if not text.strip():  # (graded: every answer missing, and check says the file is empty)
        return _Answers({}, {}, [], None, empty=True)
    start = text.lstrip()
    if start.startswith("["):
        try:
            doc = json.loads(text)
        except (ValueError, RecursionError):  # ('[[[[...': read as lines, none an answer)
            doc = None
        if isinstance(doc, list):
            raise ValueError(
                f"read_answers: {str(path)!r} is a JSON array; a JSON answers file must be an "
                'object of answer ids and answers, {"1.z1": 2.5, "6.row1": [0, 1, 0]}, or '
                "write one line '<exercise>.<id> = <value>' per answer."
            )
    if start.startswith("{"):
        return _Answers(_read_json_answers(text, path, lenient), {}, [], None)
    out: dict[str, Any] = {}
    where: dict[str, int] = {}  # the line of each answer id
    bad: list[tuple[int, str, str]] = []
    seed, shaped = None, 0  # (shaped: the lines '<id> = <value>', answered or blank)
    for n, line in enumerate(text.splitlines(), start=1):
        m = _SEED_LINE.match(line.strip())
        if m and seed is None:
            seed = int(m.group(1))
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        key, sep, val = line.partition("=")
        if not sep:
            why = f"line {n} of {str(path)!r} is not '<exercise>.<id> = <value>': {line!r}"
            if not lenient:
                raise ValueError(f"read_answers: {why}.")
            bad.append((n, line, why))
            continue
        shaped += 1
        key, val = key.strip(), val.strip()
        # ids may hold '=' nowhere, but 'dL/dw1' holds '/': split at the first ' = ' only
        if not _empty(val):
            if key in where:  # (the later line silently replaced the earlier answer)
                raise ValueError(
                    f"read_answers: {str(path)!r} answers {key} twice, on lines {where[key]} "
                    f"and {n}; keep the one answer to grade and delete the other."
                )
            where[key] = n
            try:
                out[key] = _parse_value(val, n, path)
            except ValueError as err:
                if not lenient:
                    raise
                out[key] = Unreadable(str(err).removeprefix("read_answers: "), n)
    if bad and not shaped:  # (no line is an answer: a CSV, a letter, a document's text)
        n, line, _ = bad[0]
        raise ValueError(
            f"read_answers: {str(path)!r} holds no answer: none of its lines is "
            f"'<exercise>.<id> = <value>' (line {n} is {line!r:.60}). Write one answer per "
            "line, as in answers_template.txt: 1.z1 = 2.5"
        )
    return _Answers(out, where, bad, seed)


def _read_json_answers(text: str, path: Any, lenient: bool) -> dict[str, Any]:
    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for k, v in pairs:  # (json.loads kept the last of two equal keys, silently)
            if k in seen:
                raise ValueError(
                    f"read_answers: {str(path)!r} answers {k} twice; keep the one answer "
                    "to grade and delete the other."
                )
            seen[k] = v
        return seen

    try:
        data = json.loads(text, object_pairs_hook=unique, parse_float=_Written, parse_int=_json_int)
    except json.JSONDecodeError as err:
        raise ValueError(f"read_answers: {str(path)!r} is not valid JSON ({err}).") from err
    except RecursionError:
        raise ValueError(
            f"read_answers: {str(path)!r} is JSON nested too deeply to be an answers file; a "
            'JSON answers file is one object of answer ids and answers, {"1.z1": 2.5, '
            '"6.row1": [0, 1, 0]}.'
        ) from None
    if not isinstance(data, dict):
        raise ValueError(
            f"read_answers: {str(path)!r} is JSON but not an object; a JSON answers file "
            'must be an object of answer ids and answers, {"1.z1": 2.5, "6.row1": [0, 1, 0]}.'
        )
    if data.get("format") == "glassnet-exercise-key":
        raise ValueError(
            f"read_answers: {str(path)!r} is a key.json (the answer key of seed "
            f"{data.get('seed')!r:.20}), not a student's answers file: pass the key first and "
            "the student's answers file second."
        )
    answers: dict[str, Any] = {}
    for k, v in data.items():
        if v is None or v == [] or (isinstance(v, str) and _empty(v)):
            continue  # an empty answer
        try:
            if isinstance(v, str):
                answers[str(k)] = _parse_value(v.strip(), 0, path)
            elif isinstance(v, list):
                answers[str(k)] = [_number(x) for x in v]
            else:
                answers[str(k)] = _number(v)
        except (ValueError, TypeError):
            said = {True: "yes", False: "no"}.get(v, v) if isinstance(v, bool) else v
            hint = _hint(said) if isinstance(said, str) else ""
            why = (
                f"the answer {str(k)!r} in {str(path)!r} is {v!r:.60}, not a number or a "
                f"vector like [0, 1, 0].{hint}"
            )
            if not lenient:
                raise ValueError(f"read_answers: {why}") from None
            answers[str(k)] = Unreadable(why)
    return answers


def read_answers(path: str | os.PathLike[str], lenient: bool = False) -> dict[str, Any]:
    """A student's answers: lines ``<exercise>.<id> = <value>`` (``#`` starts a comment;
    a vector as ``[0, 1, 0]``, or as NumPy prints it, ``[1 1 -0.5]``), or a JSON object of
    the same keys. Empty answers (a blank, ``[]``, ``none``, ``n/a``, a dash: what a
    student writes for "no weights") are left out. An answer that is no number or vector
    raises ValueError, naming it and how to write it; with ``lenient``, it is returned as
    an :class:`Unreadable` holding that message instead (as :func:`check` grades it), and
    a line that is no ``<exercise>.<id> = <value>`` at all (``Name: Alice``, ``1.z1: 2``)
    as an :class:`Unreadable` under the key ``'line N'``. An empty file, a JSON array, a
    key.json, and a file none of whose lines is an answer are refused in either case."""
    got = _read_answers(path, lenient)
    return got.values | {f"line {n}": Unreadable(why, n) for n, _, why in got.bad}


EMPTY_ANSWERS = ("", "[]", "none", "n/a", "-", "\u2212", "\u2013", "\u2014")
"""What an answers file may write for "no answer" (an inseparable gate's weights): a blank,
an empty vector, ``none``, ``n/a`` or a dash; such an answer is left out, as a blank is."""


def _empty(text: str) -> bool:
    """Whether an answer's text is one of :data:`EMPTY_ANSWERS` (any case, inner spaces)."""
    return re.sub(r"\s+", "", text).lower() in EMPTY_ANSWERS


class _Written(float):
    """A number of an answer, with the text the student wrote for it (``text``): graded
    as that text's decimal, exactly, and shown as written (``2.50``, ``-0.0``, ``1e999``)."""

    __slots__ = ("text",)
    text: str

    def __new__(cls, text: str) -> _Written:
        v = super().__new__(cls, text)
        v.text = text.strip()
        return v

    def __reduce__(self) -> tuple[Any, tuple[str]]:  # (pickle, copy: with its text)
        return type(self), (self.text,)


def _json_int(text: str) -> int | _Written:
    """A JSON answer's integer: an int, or one of more digits than Python converts (4,300
    by default: int() refuses it with advice about sys.set_int_max_str_digits) as its
    text, graded as written, as the .txt reader grades it."""
    try:
        return int(text)
    except ValueError:
        return _Written(text)


def _number(v: Any) -> float:
    """A number of an answer: an int or a float (a bool, a str or None is a TypeError); a
    JSON int as its digits (an int of 401 digits is no float: float() overflowed)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise TypeError(f"not a number: {v!r:.60}")
    if isinstance(v, _Written):
        return v
    return _Written(str(v)) if isinstance(v, int) else float(v)


def _numpy_vector(text: str) -> list[float] | None:
    """A vector as NumPy prints it, ``[1 1 -0.5]`` or ``[1., 1., -0.5]`` (numbers parted by
    spaces, or by commas, in brackets), or None where ``text`` is none."""
    m = re.fullmatch(r"\[([^\[\]]*)\]", text.strip())
    if m is None:
        return None
    parts = m.group(1).split(",") if "," in m.group(1) else m.group(1).split()
    try:
        numbers: list[float] = [_Written(p) for p in parts]
    except ValueError:
        return None
    return numbers if numbers and all(math.isfinite(v) for v in numbers) else None


_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\ufe58\ufe63\uff0d"
"""Dashes a word processor puts for a minus sign (Word's autocorrect makes '-' an en dash,
U+2013): read as '-' where they stand before a number's digits."""


def _parse_value(val: str, n: int, path: Any) -> Any:
    # the minus sign of the HTML sheets and the slides (U+2212), copied from them, is '-'
    text = val.replace("\u2212", "-")
    # a dash before a number's digits (at its start, after '[', ',', a space or an
    # exponent's e) is its minus sign; elsewhere (5–3) it is named in the message
    text = re.sub(rf"(^|[\s\[,;(eE])[{_DASHES}](?=\.?\d)", r"\1-", text)
    try:
        if "_" in text:  # (float() reads 3_5 as 35: Python's digit separator)
            raise ValueError(text)
        if text.startswith("["):
            try:
                v = json.loads(text, parse_float=_Written)
            except (ValueError, RecursionError):  # (NumPy's print: [1 1 -0.5], [1., 1., -0.5])
                numpy = _numpy_vector(text)
                if numpy is None:
                    raise
                return numpy
            return [_number(x) for x in v]
        return _Written(text)
    except (ValueError, TypeError, RecursionError) as err:
        raise ValueError(
            f"read_answers: line {n} of {str(path)!r}: {val!r:.80} is not a number or a vector "
            f"like [0, 1, 0].{_hint(text)}"
        ) from err


def _hint(text: str) -> str:
    """The fix for an answer a student writes as on paper: a decimal comma (2,5, or in a
    vector [1,0 1,0 -1,5]), a yes or no (the yes/no answers are 1 and 0), a fraction (1/2),
    an underscore (3_5), a dash that is no minus sign."""
    if re.fullmatch(r"-?\d*,\d+", text):  # a decimal comma: 2,5
        return f" Write the decimal point: {text.replace(',', '.')}."
    if "_" in text:
        return (
            " It holds an underscore, which is not part of a number: write the number "
            f"without it ({text.replace('_', '.')} if you meant a decimal point, "
            f"{text.replace('_', '')} if not)."
        )
    dash = next((c for c in text if c in _DASHES), None)
    if dash is not None:
        return (
            f" It holds the character U+{ord(dash):04X} ({unicodedata.name(dash).lower()}), "
            "which a word processor puts for a dash, not a minus sign: write the minus "
            "sign as '-' (a dash directly before a number's digits is read as one)."
        )
    inner = text.strip()
    inner = inner[1:-1] if inner.startswith("[") and inner.endswith("]") else inner
    items = [t for t in re.split(r"\s*;\s*|,\s+|\s+", inner.strip()) if t]
    if (
        len(items) > 1
        and all(re.fullmatch(r"-?\d+(?:,\d+)?", t) for t in items)
        and any("," in t for t in items)
    ):  # decimal commas in a vector: [1,0 1,0 -1,5] is [1.0, 1.0, -1.5]
        fixed = ", ".join(t.replace(",", ".") for t in items)
        return f" Write decimal points, and commas between the numbers, in brackets: [{fixed}]."
    if text.strip().lower() in ("yes", "no", "true", "false", "y", "n"):
        one = text.strip().lower() in ("yes", "true", "y")
        return f" A yes/no answer is written 1 for yes and 0 for no: {int(one)}."
    m = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*", text)
    if m and float(m.group(2)) != 0:
        return f" Write the fraction as a decimal: {float(m.group(1)) / float(m.group(2)):g}."
    number = r"-?(?:\d+\.?\d*|\.\d+)"
    m = re.fullmatch(rf"\s*\[?\s*({number}(?:\s*[,\s]\s*{number})+)\s*\]?\s*", text)
    if m:  # (several numbers: 1, 1, -0.5 or 1 1 -0.5 without brackets)
        items = [t for t in re.split(r"[,\s]+", m.group(1)) if t]
        return (
            f" A vector is written in brackets, its numbers parted by commas: [{', '.join(items)}]."
        )
    return ""


@dataclass
class CheckResult:
    """The grade of an answers file: per exercise, the steps right and the first wrong one."""

    right: int
    total: int
    first_wrong: dict[int, str]  # exercise number -> message
    lines: list[str]
    #: the lines of the answers file that could not be read (graded wrong or not graded)
    unread_lines: list[int] = field(default_factory=list)
    #: whether the answers file was empty (or held only spaces): every answer is missing
    empty: bool = False

    @property
    def passed(self) -> bool:
        return self.right == self.total

    def __str__(self) -> str:
        return "\n".join(self.lines)


_ZERO_ONE = ("separable", "one_hot")
"""The kinds whose answers are 0s and 1s (yes or no; one-hot rows): right within the
tolerance and nearer the key than the other of 0 and 1, whatever the tolerance (a
--tol of 1 graded separable = 0 right for a separable gate)."""


_PLACES = 10
_DIGITS = 12
"""The answer is compared exactly as the student wrote it (the decimal of its text, not
rounded), with the key's value, a float computed in binary: an answer is right within tol
of the key as stored (the decimal of its float, 20.085536923187668) or of the key without
its binary noise (that decimal rounded to 12 significant digits and to no more than 10
places: a new weight -1.2000000000000002 is -1.2, a gradient 2.7e-17 is 0). So "within
tol" holds at the boundary on both sides of the key (1.99 and 2.01 are within 0.01 of 2)
and nothing past it counts (1.98999999995 is not; with tol 0, 2.00000000004 is not 2)."""

_EXACT = 1000
"""The decimal precision of the key's bounds, key ± tol: exact for any two floats (their
decimals span at most about 650 digits); comparing the answer with them is exact."""


def _key_decimal(v: Any) -> Decimal:
    """A key's value, rounded to :data:`_DIGITS` significant digits and at most
    :data:`_PLACES` places (its binary noise dropped)."""
    d = Decimal(repr(float(v)))
    if not d:
        return d
    places = max(-_PLACES, d.adjusted() - (_DIGITS - 1))
    return d.quantize(Decimal(1).scaleb(places), ROUND_HALF_EVEN)


def _answer_decimal(v: Any) -> Decimal:
    """An answer's number as written (the decimal of its text, exactly: 1.98999999995 is
    not rounded to 1.99); a number that came with no text, or whose text's exponent no
    decimal holds (1e-99999999999999999999), as its float's decimal."""
    text = getattr(v, "text", None)
    if text is not None:
        try:
            d = Decimal(text)
            if d.is_finite():
                return d
        except InvalidOperation:
            pass
    return Decimal(repr(float(v)))


def _close(a: Any, b: Any, tol: float | Decimal, strict: bool = False) -> bool:
    """Whether the answer ``a`` is within ``tol`` of the key's ``b`` (strictly within, with
    ``strict``), number by number for a vector: ``a`` as written, exactly, ``b`` as stored
    or without its binary noise (:data:`_DIGITS`)."""
    if isinstance(b, list):
        return (
            isinstance(a, list)
            and len(a) == len(b)
            and all(_close(x, y, tol, strict) for x, y in zip(a, b))
        )
    if isinstance(a, list) or not math.isfinite(float(a)):
        return False
    with localcontext() as ctx:
        ctx.prec = _EXACT
        limit = tol if isinstance(tol, Decimal) else Decimal(repr(float(tol)))
        got = _answer_decimal(a)  # (compared, not computed with: exact whatever its digits)
        for key in {Decimal(repr(float(b))), _key_decimal(b)}:
            low, high = key - limit, key + limit
            if (low < got < high) if strict else (low <= got <= high):
                return True
        return False


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _check_key(doc: dict[str, Any], key: Any) -> None:
    """A key.json's structure, as write() makes it: a damaged or hand-edited key gets an
    error that names the key and its first fault (it was an 'internal error', exit 1,
    which also means 'some answers wrong')."""

    def fault(where: str) -> ValueError:
        return ValueError(
            f"check: {str(key)!r} is damaged: {where}. It is not the key.json that 'glassnet "
            f"exercise' wrote; write the sheet again (glassnet exercise --seed N --out DIR) "
            "and grade against its key.json."
        )

    if not (isinstance(doc.get("seed"), int) and not isinstance(doc.get("seed"), bool)):
        raise fault(f"its seed is {doc.get('seed')!r:.40}, not a whole number")
    exercises = doc.get("exercises")
    if not isinstance(exercises, list) or not exercises:
        raise fault("it holds no list of exercises")
    for j, ex in enumerate(exercises, start=1):
        if not isinstance(ex, dict):
            raise fault(f"exercise {j} is not an object")
        num, title, steps = ex.get("number"), ex.get("title"), ex.get("steps")
        if not (isinstance(num, int) and not isinstance(num, bool)) or not isinstance(title, str):
            raise fault(f"exercise {j} has no number or title")
        if not isinstance(steps, list) or not steps:
            raise fault(f"exercise {num} has no steps")
        for q, st in enumerate(steps, start=1):
            if not isinstance(st, dict) or not isinstance(st.get("id"), str):
                raise fault(f"step {q} of exercise {num} has no id")
            kind, v = st.get("check"), st.get("value")
            if kind == "separates":
                ok = (
                    isinstance(ex.get("data"), dict)
                    and isinstance(ex["data"].get("gate"), list)
                    and len(ex["data"]["gate"]) == 4
                    and all(g in (0, 1) for g in ex["data"]["gate"])
                )
            elif kind == "absent":
                ok = v is None
            elif kind == "value":
                ok = _is_number(v) or (isinstance(v, list) and all(map(_is_number, v)))
            else:
                ok = False
            if not ok or not isinstance(st.get("how", ""), str):
                raise fault(f"step {num}.{st['id']} has check {kind!r} and value {v!r:.40}")


_APOSTROPHES = str.maketrans(dict.fromkeys("\u2032\u2019\u2018\u00b4`\u02bc\u02b9\u2035", "'"))
"""What an answer id may write for the ' of g'(z): the prime (′), a word processor's or a
phone's quotes (’ ‘), the acute accent (´), the backtick (`), the modifier letters (ʼ ʹ)
and the reversed prime (‵)."""


def _meant_ids(given: dict[str, Any], ids: set[str]) -> dict[str, str]:
    """{an answer id not in the key: the one key id it names but for spaces, underscores
    and case, or written with the sheets' symbols} ('1. z1' and '1.Z1' name '1.z1';
    '1.ŷ' names '1.y_hat', '3.∂L/∂w1' '3.dL/dw1', '3.new_w2' '3.new w2'; '2.g′(z3)' and a
    word processor's '2.g’(z3)' name "2.g'(z3)"; an id that could be two of the key's is
    left out)."""

    def loose(k: str) -> str:
        k = re.sub(r"^[-*+\u2022\u00b7]\s*", "", k.strip())  # a list's bullet: '- 1.z1'
        k = k.translate(_APOSTROPHES)  # (before NFKC, which makes ´ a space and an accent)
        k = unicodedata.normalize("NFKC", k).replace("\u2212", "-")
        return re.sub(r"[\s_]+", "", k).lower()

    by_loose: dict[str, list[str]] = {}
    for k in ids:
        num, _, sid = k.partition(".")
        for form in {loose(k), loose(f"{num}.{_uni(sid)}")}:
            by_loose.setdefault(form, []).append(k)
    return {
        k: by_loose[loose(k)][0]
        for k in given
        if k not in ids and len(by_loose.get(loose(k), [])) == 1
    }


def _written(v: Any) -> str:
    """An answer as the student wrote it (its text: ``3.48999999`` stays so, it is not
    shown as 3.490, which would read as within the tolerance; ``2.50``, ``-0.0`` and
    ``1e999`` too; an exponent written out where that is short, ``1e-5`` as 0.00001; a
    text of over 60 characters cut short), or the shortest decimal of a float that came
    with no text."""
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_written(x) for x in v) + "]"
    if isinstance(v, _Written):  # (the text itself: 2.50, -0.0, 1e999; 1e-5 as 0.00001)
        text = v.text
        if "e" in text.lower() and math.isfinite(v) and v:
            plain = format(_answer_decimal(v), "f")
            text = plain if len(plain) <= 20 else text
        return text if len(text) <= 60 else f"{text[:50]}... ({len(text)} characters)"
    text = repr(float(v))
    if not math.isfinite(float(v)):
        return text
    if "e" in text:
        text = format(Decimal(text), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _apart(got: Any, want: Any, right: Any) -> tuple[str, str]:
    """``got`` as written and ``want`` as the grader prints them: the key to 3 decimals, or
    to as many more as make the two, as printed, differ and be graded wrong too by
    ``right(got, key)`` (with --tol 0, 20.086 against 20.0855; an answer 20.0956 against 20.0855369
    is 0.01006 away, against a key shown as 20.086 it would look within 0.01)."""
    shown = _written(got)
    for d in range(3, 16):
        expected = _num(want, d)
        try:
            printed = json.loads(expected)
        except ValueError:
            return shown, expected
        if expected != shown and not right(got, printed):
            return shown, expected
    return shown, _num(want)


def _form(got: Any, step: dict[str, Any]) -> str:
    """The hint for an answer of the wrong form: a vector where one number is asked for
    (``[2]`` for ``2``), or one number where a vector is."""
    want = step["value"]
    if isinstance(got, list) and not isinstance(want, list):
        one = f", {_written(got[0])}," if len(got) == 1 else ""
        return f"; this answer is one number: write it{one} without brackets"
    if isinstance(want, list) and not isinstance(got, list):
        return f"; this answer is a vector of {len(want)} numbers in brackets, like [0, 1, 0]"
    return ""


def _check_tol(tol: Any) -> float:
    # (a NumPy number, np.float32(0.05) say, was refused as not a number)
    if (
        isinstance(tol, (bool, np.bool_))
        or not isinstance(tol, (int, float, np.integer, np.floating))
        or not (tol >= 0 and math.isfinite(tol))
    ):
        raise ParameterError(
            f"The 'tol' parameter of check must be a finite number >= 0 (an answer within it "
            f"of the key counts as right; default {DEFAULT_TOL:g}). Got {tol!r:.60}."
        )
    return float(tol)


def _load_key(key: Any) -> dict[str, Any]:
    """The key.json ``key``, read and checked (:func:`_check_key`)."""
    try:
        doc = json.loads(_read_text(key, "key", "check"))
    except RecursionError:  # ('[[[[...': no key.json)
        raise ValueError(
            f"check: {str(key)!r} is not a key.json written by glassnet (JSON nested too "
            "deeply); pass the key first, the answers second."
        ) from None
    except json.JSONDecodeError as err:
        raise ValueError(
            f"check: {str(key)!r} is not a key.json written by glassnet ({err}); pass the "
            "key first, the answers second."
        ) from err
    if not isinstance(doc, dict) or doc.get("format") != "glassnet-exercise-key":
        raise ValueError(
            f"check: {str(key)!r} is not a key.json written by 'glassnet exercise' (pass the "
            "key first, the answers second)."
        )
    _check_key(doc, key)
    return doc


def _place_bad_lines(
    bad: list[tuple[int, str, str]], given: dict[str, Any], ids: set[str]
) -> list[tuple[int, str]]:
    """The lines that are no ``<id> = <value>``: one that starts with an id of the key
    (``1.z1: 2.0``, ``1.z1 2``) is that answer, graded wrong with the fix; the others
    (``Name: Alice Smith``) are returned, (line number, text), to be listed."""
    left = []
    longest_first = sorted(ids, key=len, reverse=True)
    for n, line, _ in bad:
        text = re.sub(r"^[-*+\u2022\u00b7]\s*", "", line)
        k = next(
            (i for i in longest_first if text.startswith(i) and text[len(i) :][:1] in ":;, \t"),
            None,
        )
        if k is None or k in given:
            left.append((n, line))
            continue
        value = text[len(k) :].strip(" \t:;,") or "<value>"
        given[k] = Unreadable(
            f"line {n} is {line!r:.60}, not '<exercise>.<id> = <value>': write {k} = {value}", n
        )
    return left


def _within(tol: float, s: dict[str, Any]) -> Decimal:
    """How far from a step's key an answer may be: ``tol`` and the key's slack (the
    rounding its own shown numbers carry in), exactly."""
    slack = s.get("slack", 0.0)
    slack = slack if isinstance(slack, (int, float)) and 0 <= slack < 1 else 0.0
    with localcontext() as ctx:
        ctx.prec = _EXACT  # (exact: a rounded sum would move the boundary)
        return Decimal(repr(tol)) + Decimal(repr(float(slack)))


def _right(v: Any, want: Any, within: Decimal, zero_one: bool) -> bool:
    """Whether the answer ``v`` is right against ``want``: within ``within``, and a 0/1
    answer (separable, one-hot) nearer the key than the other (right for any answer with
    tol >= 1 otherwise)."""
    good = _close(v, want, within)
    if good and zero_one:
        good = _close(v, want, Decimal("0.5"), strict=True)
    return good


def _grade(doc: dict[str, Any], key: Any, answers: Any, tol: float) -> CheckResult:
    got_file = _read_answers(answers, lenient=True)
    if got_file.seed is not None and got_file.seed != doc["seed"]:
        raise ValueError(
            f"check: this answers file is for seed {got_file.seed}, the key is seed "
            f"{doc['seed']}: {str(answers)!r} says '# glassnet exercises, seed {got_file.seed}' "
            f"and {str(key)!r} is seed {doc['seed']}'s key. Grade it against seed "
            f"{got_file.seed}'s key.json (glassnet exercise --seed {got_file.seed} writes it); "
            f"if the answers are for seed {doc['seed']}'s sheet, correct that first line."
        )
    given = dict(got_file.values)
    ids = {f"{ex['number']}.{s['id']}" for ex in doc["exercises"] for s in ex["steps"]}
    left = _place_bad_lines(got_file.bad, given, ids)
    meant = _meant_ids(given, ids)  # an id written '1. z1' or '1.Z1': the key's '1.z1'
    right = total = 0
    first: dict[int, str] = {}
    lines = [f"glassnet exercise check: seed {doc['seed']}, tolerance {tol:g}"]
    if got_file.empty:
        lines.append(
            f"the answers file {str(answers)!r} is empty: no answer to grade (was it saved "
            "before it was handed in?)"
        )
    for ex in doc["exercises"]:
        num = ex["number"]
        ok = 0
        zero_one = ex.get("kind") in _ZERO_ONE
        answered = any(f"{num}.{s['id']}" in given for s in ex["steps"])

        # an inseparable gate's weights left empty are right only with the student's own
        # "no" (separable = 0 graded right): a blank sheet, a "yes" with no weights and an
        # unreadable separable answer each scored the weights point
        said = given.get(f"{num}.separable")
        said_no = any(
            s["id"] == "separable"
            and _is_number(said)
            and _right(said, s["value"], _within(tol, s), zero_one)
            for s in ex["steps"]
        )
        for s in ex["steps"]:
            total += 1
            k = f"{num}.{s['id']}"
            got = given.get(k)

            within = _within(tol, s)

            def right_value(
                v: Any, want: Any = s["value"], within: Decimal = within, zero_one: bool = zero_one
            ) -> bool:
                return _right(v, want, within, zero_one)

            if isinstance(got, Unreadable):
                good = False
            elif s["check"] == "absent":
                good = got is None and said_no
            elif s["check"] == "separates":
                good = _weights_wrong(got) is None and _separates(ex["data"]["gate"], *got)
            else:
                good = got is not None and right_value(got)
            if good:
                ok += 1
                right += 1
            elif num not in first:
                if isinstance(got, Unreadable):
                    first[num] = f"{k} could not be read: {got.why}"
                elif s["check"] == "absent" and got is None and not answered:
                    first[num] = (
                        f"{k}: this exercise has no answers ({s['how']}, with {num}.separable = 0)"
                    )
                elif s["check"] == "absent" and got is None:
                    yours = (
                        f"your {num}.separable = {_written(said)}"
                        if said is not None and not isinstance(said, Unreadable)
                        else f"your {num}.separable is {'unreadable' if said else 'missing'}"
                    )
                    first[num] = (
                        f"{k}: left empty, which is right only with {num}.separable = 0 (no "
                        f"weights exist: the gate is not linearly separable); {yours}"
                    )
                elif s["check"] == "absent":
                    first[num] = (
                        f"{k} = {_written(got)}, but no weights exist (the gate is not linearly "
                        "separable): leave the answer empty (a blank, [] or none)"
                    )
                elif got is None and k in meant.values():
                    written = next(w for w, m in meant.items() if m == k)
                    first[num] = (
                        f"{k} is missing: your answers write it {written!r}; write {k} "
                        f"(expected {_num(s['value'])}; {s['how']})"
                    )
                elif got is None:
                    first[num] = f"{k} is missing (expected {_num(s['value'])}; {s['how']})"
                elif s["check"] == "separates":
                    why = _weights_wrong(got) or (
                        "does not compute the gate: "
                        f"{_gate_miss(ex['data']['gate'], *got)} (output 1 only where z > 0)"
                        + _slides_order(ex["data"]["gate"], got)
                    )
                    first[num] = f"{k} = {_written(got)} {why} (e.g. {_num(s['value'])})"
                else:
                    shown, want = _apart(got, s["value"], right_value)
                    first[num] = f"{k} = {shown}, expected {want} ({s['how']}){_form(got, s)}"
        n = len(ex["steps"])
        status = "all right" if ok == n else f"first wrong step: {first[num]}"
        lines.append(f"{num}. {ex['title']}: {ok}/{n} right; {status}")
    lines.append(f"total: {right}/{total}")
    unread = sorted(
        {v.line for v in given.values() if isinstance(v, Unreadable) and v.line is not None}
        | {n for n, _ in left}
    )
    if left:  # (a name line, a note: it was the whole file's error, no answer graded)
        shown = ", ".join(f"line {n} {line!r:.50}" for n, line in left)
        lines.append(
            f"not read: {shown} (not '<exercise>.<id> = <value>'; the other lines are graded)"
        )
    unknown = [k for k in given if k not in ids]
    if unknown:  # (a misspelt id was only reported as its step missing; all are listed)
        named = [f"{k} (write {meant[k]})" if k in meant else k for k in unknown]
        lines.append(
            f"not graded: {', '.join(named)} "
            "(no such answer id in the key; the ids are those of answers_template.txt)"
        )
    return CheckResult(right, total, first, lines, unread, got_file.empty)


def check(
    key: str | os.PathLike[str], answers: str | os.PathLike[str], tol: float = DEFAULT_TOL
) -> CheckResult:
    """Grade the answers file ``answers`` against ``key`` (a ``key.json``): an answer is
    right within ``tol``, compared as decimals (1.99 and 2.01 are both within 0.01 of 2);
    each exercise reports its first wrong or missing step. An answer that is no number or
    vector, or a line that is no ``<exercise>.<id> = <value>``, is graded wrong (or listed
    as not read), saying how to write it, and the others are graded; an id written with
    other spaces or case (``1. z1``, ``1.Z1``) is named with the key's id to write
    (``1.z1``). A wrong answer is printed as written, the key with as many decimals as show
    it wrong. An answers file whose first line names another seed than the key's (the
    template's ``# glassnet exercises, seed 18: ...``) is refused, naming both seeds. To
    grade several files or a folder against one key, see :func:`check_all`."""
    tol = _check_tol(tol)
    _check_path(key, "key", "check", "key")
    _check_path(answers, "answers", "check", "answers file")
    return _grade(_load_key(key), key, answers, tol)


_SHEET_FILES = (
    "key.json",
    "answers_template.txt",
    "questions.md",
    "questions.html",
    "answers.md",
    "answers.html",
)
"""The files :func:`write` makes: in a folder given to :func:`check_all`, not answers."""


def _shown(path: str) -> str:
    """A file's name as printed in the teacher's terminal: as it is, or where it holds a
    newline, a tab or an escape sequence (a student's file name), as a Python string."""
    return path if path.isprintable() else repr(path)


@dataclass
class BatchRow:
    """One answers file of :func:`check_all`: its grade, or why it was not graded."""

    path: str
    result: CheckResult | None
    error: str | None = None


@dataclass
class BatchResult:
    """The grades of several answers files against one key (:func:`check_all`):
    ``str()`` gives each file's report and a summary table, one row per file."""

    seed: int
    tol: float
    rows: list[BatchRow]
    skipped: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Every file graded, and every answer right."""
        return all(r.result is not None and r.result.passed for r in self.rows)

    @property
    def not_graded(self) -> list[BatchRow]:
        """The files that could not be graded (their ``error`` says why)."""
        return [r for r in self.rows if r.result is None]

    def table(self) -> str:
        """The summary: per file, the score, the lines that could not be read, a note."""
        body = []
        for r in self.rows:
            if r.result is None:
                body.append([_shown(r.path), "-", "-", f"not graded: {r.error}"])
                continue
            unread = ", ".join(map(str, r.result.unread_lines)) or "-"
            note = "all right" if r.result.passed else ""
            note = "the file is empty" if r.result.empty else note
            body.append([_shown(r.path), f"{r.result.right}/{r.result.total}", unread, note])
        head = ["file", "score", "unreadable lines", "note"]
        width = [max(len(row[i]) for row in [head, *body]) for i in range(3)]
        n = f"{len(self.rows)} answers file{'s' * (len(self.rows) != 1)}"
        out = [f"summary: {n}, seed {self.seed}, tolerance {self.tol:g}"]
        for row in [head, *body]:
            out.append("  ".join(c.ljust(w) for c, w in zip(row, width)) + "  " + row[3])
        out = [line.rstrip() for line in out]
        if self.skipped:
            out.append(f"left out: {', '.join(self.skipped)}")
        if self.not_graded:
            out.append(
                f"{len(self.not_graded)} of {len(self.rows)} files not graded (the note says why)"
            )
        return "\n".join(out)

    def __str__(self) -> str:
        parts = []
        for r in self.rows:
            text = str(r.result) if r.result is not None else f"not graded: {r.error}"
            parts.append(f"== {_shown(r.path)}\n{text}")
        return "\n\n".join([*parts, self.table()])


def _answers_files(answers: Any) -> tuple[list[Path], list[str]]:
    """The files to grade: each path given, a folder's files (sorted by name; hidden files,
    the sheet's own files and subfolders left out, and named), and what was left out."""
    if isinstance(answers, (str, os.PathLike)):
        answers = [answers]
    if not isinstance(answers, (list, tuple)) or not answers:
        raise TypeError(
            "check_all: 'answers' must be the path of a folder of answers files, or a list "
            f"of paths (files or folders). Got {answers!r:.60}."
        )
    files: list[Path] = []
    skipped: list[str] = []
    for a in answers:
        _check_path(a, "answers", "check_all", "answers file or folder")
        p = Path(a)
        if not p.is_dir():
            files.append(p)  # (a missing file: its row says so)
            continue
        found, sheet = [], []
        for q in sorted(p.iterdir()):
            if q.name.startswith("."):
                skipped.append(f"{_shown(str(q))} (hidden)")
            elif q.is_dir():
                skipped.append(f"{_shown(str(q))} (a folder: not searched)")
            elif q.name in _SHEET_FILES:
                sheet.append(q.name)
            else:
                found.append(q)
        if sheet:
            skipped.append(f"{', '.join(sheet)} in {str(p)!r} (the sheet's own files)")
        if not found:
            which = f": the sheet's own files, {', '.join(sheet)}, are left out" if sheet else ""
            raise IsADirectoryError(
                f"check: the answers file {str(p)!r} is a folder, not a file; give a text "
                f"file, such as answers.txt, or a folder of answers files (this folder holds "
                f"none{which})."
            )
        files += found
    seen: dict[str, Path] = {}
    for f in files:  # (a folder and one of its files, or ./a.txt and a.txt: graded once)
        first = seen.setdefault(os.path.realpath(f), f)
        if first is not f:
            skipped.append(f"{_shown(str(f))} (given twice: graded as {_shown(str(first))})")
    return list(seen.values()), skipped


def check_all(
    key: str | os.PathLike[str],
    answers: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    tol: float = DEFAULT_TOL,
) -> BatchResult:
    """Grade several answers files against one ``key``: ``answers`` is a folder (its
    files, by name; hidden files and the sheet's own files left out) or a list of files
    and folders (a file given twice, as a folder's and by its name, is graded once). A
    file that cannot be graded (not text, empty, another seed's, a key.json, a named pipe
    or a device, over :data:`ANSWERS_MAX_BYTES`; any failure of one file) is a row saying
    why; the others are graded as :func:`check` grades them.
    ``str()`` of the result prints each file's report, then a table: per file, the score,
    the lines that could not be read, and a note."""
    tol = _check_tol(tol)
    _check_path(key, "key", "check_all", "key")
    doc = _load_key(key)
    files, skipped = _answers_files(answers)
    rows = []
    for f in files:
        try:
            rows.append(BatchRow(str(f), _grade(doc, key, f, tol)))
        except (ValueError, OSError) as exc:
            rows.append(BatchRow(str(f), None, str(exc)))
        except Exception as exc:  # (one student's file never ends the batch: its row says)
            rows.append(
                BatchRow(
                    str(f),
                    None,
                    f"{str(f)!r} could not be graded ({type(exc).__name__}: {exc}); this is "
                    "glassnet's fault, not the file's: please report it with the file",
                )
            )
    return BatchResult(doc["seed"], tol, rows, skipped)


# =====================================================================================
# Command line (glassnet exercise ...)
# =====================================================================================
def run_cli(args: Any) -> int:
    """``glassnet exercise --seed N --out DIR`` and ``glassnet exercise check KEY ANSWERS
    [ANSWERS ...]`` (``args``: the parsed options ``seed``, ``out``, ``kinds``, ``tol``,
    ``check``). One answers file: its report, and 0 when every answer is right, 1 when
    not. Several, or a folder: :func:`check_all`'s reports and table, and 2 when a file
    could not be graded (the table says why), else 0 or 1 as for one."""
    rest = list(getattr(args, "check", []) or [])
    tol = DEFAULT_TOL if args.tol is None else args.tol
    if not (math.isfinite(tol) and tol >= 0):
        raise ValueError(
            f"--tol must be a finite number >= 0 (an answer within it of the key counts as "
            f"right; default {DEFAULT_TOL:g}). Got {tol!r}."
        )
    if rest:
        if rest[0] != "check" or len(rest) < 3:
            raise ValueError(
                "usage: glassnet exercise --seed N --out DIR, or glassnet exercise check "
                f"KEY.json ANSWERS.txt [ANSWERS ...] (answers files or folders of them). Got "
                f"the arguments {rest}."
            )
        given = [f"--{k}" for k in ("seed", "out", "kinds") if getattr(args, k) is not None]
        given += ["--force"] if getattr(args, "force", False) else []
        if given:
            warnings.warn(
                f"{', '.join(given)} {'is' if len(given) == 1 else 'are'} used when writing a "
                "sheet only: 'glassnet exercise check' grades the answers against the key file "
                "as it is (its seed and exercises); leave them out",
                stacklevel=2,
            )
        if len(rest) == 3 and not Path(rest[2]).is_dir():
            result = check(rest[1], rest[2], tol)
            print(result)
            return 0 if result.passed else 1
        batch = check_all(rest[1], rest[2:], tol)
        print(batch)
        if batch.not_graded:
            names = ", ".join(_shown(r.path) for r in batch.not_graded)
            print(
                f"glassnet exercise check: {len(batch.not_graded)} of {len(batch.rows)} answers "
                f"files could not be graded: {names} (the table says why)",
                file=sys.stderr,
            )
            return 2
        return 0 if batch.passed else 1
    if args.tol is not None:
        warnings.warn(
            f"--tol {tol:g} is used by 'glassnet exercise check' only (the sheet does not "
            "store it); give it when you check the answers",
            stacklevel=2,
        )
    # (--kinds "" wrote every kind, while --kinds "," was refused as empty; an empty item,
    # --kinds forward,,backprop, was dropped in silence where generate refuses it by name)
    kinds = KINDS if args.kinds is None else [k.strip() for k in args.kinds.split(",")]
    if not any(kinds):  # ("" or ",": no kind at all, said in the option's name)
        raise ValueError(
            f"--kinds is empty (got {args.kinds!r}); give some of {', '.join(KINDS)}, parted "
            "by commas (--kinds forward,backprop), or leave --kinds out for all of them."
        )
    seed, out = 0 if args.seed is None else args.seed, args.out or "exercises"
    force = bool(getattr(args, "force", False))
    try:
        files = write(seed, out, kinds, force=force)
    except SheetExists as exc:
        how = (
            "pass --force to replace it"
            if hasattr(args, "force")
            else f"remove {str(Path(out) / 'key.json')!r} first to replace it"
        )
        raise SheetExists(str(exc).replace("replace it with force=True", how)) from None
    for path in files.values():
        print(f"wrote {path}")
    return 0
