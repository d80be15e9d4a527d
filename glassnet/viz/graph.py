"""Draw the computational graph behind any :class:`~glassnet.Tensor`.

Each node shows its label (``z1``), its op (``add``, ``sigmoid``, ``linear``, ...),
its shape, its value (or a summary) and its gradient. The *backward* view
reverses every edge, as the lecture's slides do for backpropagation, and writes
on each edge the local derivative it carries: ``g'(z3) = 0.25`` on an activation
edge, ``w5 = 1`` on a product edge. A node's gradient is then the sum, over the
edges leaving it in the reversed graph, of (gradient at the edge's source) x
(the edge's local derivative).

Output is SVG, written here with a simple layered layout (no system
dependency), or DOT text for Graphviz users.

>>> import glassnet as gn
>>> from glassnet.viz import draw_graph
>>> x = gn.Tensor(2.0, requires_grad=True, label="x")
>>> y = (x * x).named("y")
>>> print(draw_graph(y, fmt="dot").splitlines()[0])
digraph glassnet {
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field

import numpy as np

from .._validation import (
    micrograd_network,
    micrograd_output,
    micrograd_package,
    micrograd_rebuild,
)
from ..explain import unicode_symbol
from ..functional import replaced_entry
from ..nn.module import Parameter
from ..report import fmt
from ..summary import layer_names, own_label
from ..tensor import BINARY_OPS, Tensor
from ._svg import (
    CHAR_EM,
    SVG,
    Box,
    Placer,
    arrow_head,
    esc,
    label_el,
    label_size,
    segments_hit_box,
    svg_open,
    text_el,
    text_width,
    whole,
    wrap_text,
)

__all__ = ["draw_graph", "expression", "graph_nodes", "local_derivative", "own_label"]

_FORWARD_EDGE = "#555555"
_BACKWARD_EDGE = "#c0392b"
_FILL = {
    "param": "#fff4c2",
    "leaf": "#fff4c2",
    "const": "#eeeeee",
    "op": "#dcebfa",
    "root": "#d5f5d5",
}


_DRAWN_NAMES: ContextVar[dict[int, str] | None] = ContextVar("_DRAWN_NAMES", default=None)
"""id(parameter) -> its name in the drawing being made (W1, b1), for parameters of a
Linear layer without a name of their own (:func:`_layer_names`)."""


def _label(t: Tensor) -> str | None:
    """The name a drawing gives ``t``: its layer's W₁, b₁ (:func:`_layer_names`), else its label."""
    names = _DRAWN_NAMES.get()
    if names is not None and id(t) in names:
        return names[id(t)]
    return t.label


def _layer_names(order: Sequence[Tensor]) -> dict[int, str]:
    """W{j}, b{j} for the weights and bias of the j-th linear node of the graph (inputs
    first) whose label is not a name of their own (None, the dotted path or the bare
    attribute name that ``parameters()`` gives them), as ``nn.MLP`` labels its own and
    summary names them: a Sequential's layers draw ``X W₁ + b₁`` and ``A W₂ + b₂``
    whatever listed its parameters before (they drew ``W`` for both layers, or
    ``layers.0.W`` once an optimizer had been made). A parameter used twice keeps its
    first name. A number whose W or b another tensor of the graph is already called (an
    ``nn.MLP`` inside a Sequential draws its own W1, b1; a label "W1" the user gave
    layer 2) is skipped: every box has a title of its own (two boxes read W₁)."""
    layers = [
        tuple(p if isinstance(p, Parameter) else None for p in (*t.parents[1:3], None)[:2])
        for t in order
        if t.op == "linear"
    ]
    params = {id(p) for pair in layers for p in pair if p is not None}
    # the names drawn already (by their symbol: "W1", "W_1" and "W₁" all draw W₁)
    return layer_names(layers, (t.label for t in order if t.label and id(t) not in params))


@dataclass
class _Node:
    t: Tensor
    index: int
    kind: str  # param, leaf, const, op
    lines: list[str] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)  # title, sub, value, grad (per line)
    tip: str = ""  # the tooltip: the op's name and every number
    tag: str = ""  # its number (#3), where a title or an edge label names it by it
    rank: int = 0
    order: float = 0.0
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0


def graph_nodes(root: Tensor, max_nodes: int = 400) -> list[Tensor]:
    """Every tensor the graph of ``root`` depends on, parents before children."""
    if not isinstance(root, Tensor):
        where = micrograd_network(root)  # (a network: its output's graph is drawn)
        got = f"Got {type(root).__name__}"
        pip = micrograd_package(root)  # (the micrograd package's: built with glassnet's)
        if where:
            got += (
                f", micrograd's network of Values ({where}), not a result: "
                + (f"{micrograd_rebuild(root)}, then " if pip else "")
                + f"draw the graph of its output, draw_graph({micrograd_output(root)}) (a "
                "Value: the network applied to one data point)."
            )
        elif pip:
            kind = type(root)
            got += (
                f" ({kind.__module__}.{kind.__qualname__}), a Value of the micrograd package: "
                f"{micrograd_rebuild(root)}."
            )
        raise TypeError(
            "draw_graph: expected a glassnet Tensor (the result of a computation). "
            + got
            + ("" if where or pip else ".")
        )
    order: list[Tensor] = []
    seen: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        if len(seen) > max_nodes:
            raise ValueError(
                f"draw_graph: the graph has more than max_nodes={max_nodes} nodes; draw a "
                "smaller computation (e.g. one data point, or one layer's matrix ops instead "
                "of scalar ops) or raise max_nodes."
            )
        stack.append((node, True))
        for p in reversed(node.parents):
            if id(p) not in seen:
                stack.append((p, False))
    return order


def _gradients(order: Sequence[Tensor], root: Tensor) -> dict[int, np.ndarray]:
    """dL/d(node) for every node, L = root (sum of root if it has several values),
    by the reverse sweep of Tensor.backward, without touching any ``.grad``."""
    grads: dict[int, np.ndarray] = {id(root): np.ones_like(root.data)}
    for node in reversed(order):
        g = grads.get(id(node))
        if g is None or node.backward_fn is None:
            continue
        for p, pg in zip(node.parents, node.backward_fn(g)):
            if pg is None or not p.requires_grad:
                continue
            prev = grads.get(id(p))
            grads[id(p)] = pg if prev is None else prev + pg
    return grads


def _name(t: Tensor, fallback: str) -> str:
    label = _label(t)
    return unicode_symbol(label) if label else fallback


_INFIX = {"add": " + ", "sub": " − ", "mul": " ", "div": "/"}
_FUNCS = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "exp": "exp", "log": "log"}


def expression(
    t: Tensor, decimals: int = 3, limit: int = 16, *, formula: bool = False
) -> str | None:
    """A short formula for an unlabelled node in terms of its inputs (``ŷ − 1``,
    ``w₁ x₁``, ``log ŷ``), or its label, or a scalar constant's value; None when the
    formula would be longer than ``limit`` characters. ``formula=True`` gives the formula
    of a labelled node too (``z₁`` -> ``w₁ x₁ + w₃ x₂``)."""

    def ex(u: Tensor, depth: int) -> str | None:
        label = _label(u)
        if label and not (formula and u is t):
            return unicode_symbol(label)
        if not u.parents:  # (a parameter is named by its role, never by its value)
            one = u.data.size == 1 and not isinstance(u, Parameter)
            return fmt(float(u.data.reshape(())), decimals) if one else None
        if depth == 0:
            return None
        args = [ex(p, depth - 1) for p in u.parents]
        if any(a is None for a in args):
            return None
        paren = [_paren(a, u.op, k) for k, a in enumerate(args)]
        if u.op == "add" and len(args) == 2 and paren[0].startswith("−"):  # 1 - a as -a + 1
            return paren[1] + " − " + paren[0][1:]
        if u.op == "add" and len(args) == 2 and paren[1].startswith(("−", "-")):  # a + (-b)
            return paren[0] + " − " + paren[1][1:]
        if u.op == "mul" and len(args) == 2:
            return _times(paren[0], paren[1])
        if u.op in _INFIX and len(args) == 2:
            return paren[0] + _INFIX[u.op] + paren[1]
        if u.op in _INFIX and len(args) == 1:  # with a Python number, kept in the closure
            c = _constant(u)
            if c is None:
                return None
            if u.op == "add" and paren[0].startswith("−"):  # 1 - a, built as -a + 1
                return f"{c} − {paren[0][1:]}"
            if u.op == "mul":  # c a: a is the second factor
                return _times(c, _paren(args[0], "mul", 1))
            if u.op in ("add", "sub") and c.startswith("-"):  # a + (-1) reads a − 1
                return paren[0] + _INFIX["sub" if u.op == "add" else "add"] + c[1:]
            if u.op == "div" and c.startswith("-"):
                return f"{paren[0]}/({c})"
            return paren[0] + _INFIX[u.op] + c
        if u.op == "neg":
            return f"−{paren[0]}"
        if u.op == "pow" and len(args) == 1 and u.data.size == 1 and u.parents[0].data.size == 1:
            p = _exponent(u)
            return None if p is None else f"{paren[0]}{_sup(p)}"
        if (
            u.op in ("half_mse", "mse")
            and u.data.size == 1
            and u.parents[0].data.size == 1
            and not replaced_entry(u.op, loss=True)
        ):
            return ("½" if u.op == "half_mse" else "") + f"({args[0]} − y)²"  # (the slides' ½)
        if u.op in _FUNCS and len(args) == 1:
            return f"{_FUNCS[u.op]}({args[0]})" if u.op != "log" else f"log {paren[0]}"
        return None

    s = ex(t, 3)  # (three levels: log (1 − ŷ) is log, add, neg over ŷ; the limit bounds it)
    return s if s is not None and len(s) <= limit else None


def _times(a: str, b: str) -> str:
    """The product a b as the slides write it (``w₁ x₁``, ``0.5 x₁``), with a dot where
    the second factor is a number (``0.500 · 1``, not ``0.500 1``: two numbers side by
    side read as one list), a negative one in its parentheses too (``2 · (-3)``: it read
    ``2 (-3)``), and a node's number (``2 · #3``)."""
    number = b[:1].isdigit() or b[:1] == "#" or _NEGATIVE.fullmatch(b) is not None
    return f"{a} · {b}" if number else f"{a} {b}"


_NEGATIVE = re.compile(r"\([−-](\d[\d.]*(e[+-]\d+)?|inf)\)")  # (-3), (−0.500), (-1e+20)


def _paren(a: str, op: str, k: int) -> str:
    """Argument ``k`` of ``op`` as its formula writes it: in parentheses where the formula
    would otherwise read differently (``(ŷ − 1)²``, ``−(a + b)``, ``log (1 − ŷ)``,
    ``x (−w)``, ``(−a)²``, ``(ŷ²)²``: a power of a power, whose exponents would otherwise
    run together and read as one, ``ŷ²²``)."""
    compound = " " in a and op in ("mul", "div", "sub", "pow", "neg", "log") and not _grouped(a)
    compound = compound or (a == "…" and op == "pow")  # (…)², not …²
    raised = op == "pow" and a != a.rstrip(_SUPERSCRIPTS)  # ((ŷ − 1)⁻¹)², not (ŷ − 1)⁻¹²
    compound = compound or raised
    negative = a.startswith(("−", "-")) and (
        op in ("pow", "neg") or (op in ("mul", "div", "sub") and k)
    )
    return f"({a})" if compound or negative else a


_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁻ᵀ"


def _grouped(a: str) -> bool:
    """Whether ``a`` is one parenthesized group, maybe raised to a power (``(ŷ − 1)²``):
    it needs no more parentheses as a factor (``0.500 (ŷ − 1)²``, not ``0.500 ((ŷ − 1)²)``)."""
    body = a.rstrip(_SUPERSCRIPTS)
    if not (body.startswith("(") and body.endswith(")")):
        return False
    depth = 0
    for i, ch in enumerate(body):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0 and i < len(body) - 1:  # (a) (b): closed before the end
            return False
    return True


_ARITHMETIC = ("add", "sub", "mul", "div", "neg", "pow")
"""The ops written as arithmetic on their input (``0.5 x``, ``x − 1``, ``x²``), where an
``x`` standing for a computed node read as the data input x."""


def _stand_in(node: Tensor, k: int, decimals: int, computed: str = "formula") -> str:
    """The name of input ``k`` of a named node in its formula (which names its inputs by
    role, not by their formulas). Arithmetic on a computed node (``0.5 *``, ``- 1``,
    ``** 2``) names it by its own short formula, else ``…``, the node the arrow points to:
    it read ``x``, as if it were the data input (``L = 0.5 * (y_hat - 1.0) ** 2`` read
    ``= 0.500 x``, now ``= 0.500 (ŷ − 1)²``). The data (a leaf) and the argument of a
    function or a loss (``exp(x)``, ``½(x − y)²``) are ``x``. ``computed`` says how a
    computed input is named: ``"formula"`` (its short formula, else ``…``), ``"…"`` (always
    ``…``: the formula again where the filled-in one was too long) or ``"x"`` (an unnamed
    node's title, as it always read)."""
    p = node.parents[k]
    if not p.parents or node.op not in _ARITHMETIC or computed == "x":
        return "x"
    return (expression(p, decimals) if computed == "formula" else None) or "…"


def _snap(v: float, scale: float, dtype: np.dtype) -> float:
    """``v`` with the fewest decimals (at most 9) that it equals up to the rounding error of
    ``dtype`` at the size ``scale`` (a float32 graph's 2.0000001 is 2)."""
    eps = float(np.finfo(dtype).eps) if np.issubdtype(dtype, np.floating) else 2.0**-52
    tol = 64 * eps * max(abs(scale), 1e-300)
    for k in range(10):
        r = round(v, k)
        if abs(r - v) <= tol:
            return r
    return v


def _derivative(node: Tensor) -> float | None:
    """d(node)/d(its first parent) of a scalar node, from its backward function."""
    if node.backward_fn is None:
        return None
    d = float(np.asarray(node.backward_fn(np.ones_like(node.data))[0]).reshape(()))
    return d if np.isfinite(d) else None


def _constant(node: Tensor) -> str | None:
    """The constant c of an ``a + c``, ``a - c``, ``c * a`` or ``a / c`` node (it is not a
    parent) as the formulas write it: the op's own operand (a Python number or an array,
    see :func:`_operand`), never rebuilt entry by entry from the values (that took seconds
    on a large tensor, and a float32 ``x + 1e-7`` read ``x + 0``). A number, or an array
    whose entries are all one number that does not widen the input's shape, is that number
    (``2.500``, ``1.00e-07``); an array of at most 4 numbers is written in its own shape
    (``[1, 2]``, ``[[1], [2]]``); a larger one is ``c`` with its shape (``c₃ₓ₂``). None
    where the number is not finite, or the node is not such an op."""
    if node.op not in _INFIX or len(node.parents) != 1:
        return None
    b = _operand(node)
    if b is None:  # (not binary_op's node: a scalar's number from its values)
        return _constant_of_values(node)
    b = np.asarray(b)
    if b.size == 0 or not np.all(np.isfinite(b)):
        return None
    first = float(b.reshape(-1)[0])
    shape = node.parents[0].data.shape
    if b.ndim == 0 or (np.broadcast_shapes(shape, b.shape) == shape and np.all(b == first)):
        return fmt(first, 3)
    if b.size <= 4:
        return _literal(b)
    return "c" + "ₓ".join(str(n) for n in b.shape).translate(_SUBSCRIPT)


_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _literal(b: np.ndarray) -> str:
    """A small array as a nested list of its numbers, in its own shape (``[[1], [2]]``)."""
    if b.ndim == 0:
        return fmt(float(b), 3)
    return "[" + ", ".join(_literal(row) for row in b) + "]"


def _operand(node: Tensor) -> object:
    """The constant operand ``B`` of a one-parent node of :func:`glassnet.tensor.binary_op`
    (the Python number or array it was given), read from its backward function's closure;
    None for another node (its closure is not binary_op's for this op)."""
    fn = node.backward_fn
    code, cells = getattr(fn, "__code__", None), getattr(fn, "__closure__", None)
    if code is None or not cells:
        return None
    try:
        free = dict(zip(code.co_freevars, (c.cell_contents for c in cells)))
    except ValueError:  # (an empty cell)
        return None
    table = BINARY_OPS.get(node.op)
    if table is None or free.get("d") is not table[1] or "B" not in free:
        return None
    return free["B"]


def _constant_of_values(node: Tensor) -> str | None:
    """:func:`_constant` of a scalar node not built by binary_op: from the local derivative
    (c, or 1/c) of a product or quotient, from the values of a sum or difference, snapped to
    the fewest decimals the dtype tells apart; None for a tensor, or where the snapped
    number is 0 but the rebuilt one is not (a float32 ``0.5 + 1e-7`` rebuilds to 1.19e-07:
    neither 0 nor that is the constant)."""
    if node.data.size != 1 or node.parents[0].data.size != 1:
        return None
    a = float(node.parents[0].data.reshape(()))
    y = float(node.data.reshape(()))
    if node.op in ("mul", "div"):
        d = _derivative(node)
        if d is None or d == 0:
            return None
        v = d if node.op == "mul" else 1.0 / d
        scale = abs(v)
    else:
        v = y - a if node.op == "add" else a - y
        scale = max(abs(a), abs(y))
    if not np.isfinite(v):
        return None
    snapped = _snap(v, scale, node.data.dtype)
    return None if snapped == 0 and v != 0 else fmt(snapped, 3)


def _sup(p: float) -> str:
    """The exponent p as a superscript (``²``, ``⁰·⁵``; nothing for 1)."""
    text = fmt(p, 3)
    if "." in text and "e" not in text:
        text = text.rstrip("0").rstrip(".")
    return text.translate(str.maketrans("0123456789-.", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻·")) if p != 1 else ""


def _exponent(node: Tensor) -> float | None:
    """The constant exponent p of a scalar ``a ** p`` node, from its local derivative:
    d(a^p)/da = p a^(p-1) = p y / a (rounded to what the dtype can tell apart)."""
    a = float(node.parents[0].data.reshape(()))
    y = float(node.data.reshape(()))
    d = _derivative(node)
    if d is None or a == 0 or y == 0 or not np.isfinite(y):
        return None
    p = d * a / y
    return _snap(p, p, node.data.dtype) if np.isfinite(p) else None


def local_derivative(node: Tensor, k: int, decimals: int = 3) -> str:
    """The local derivative d(node)/d(parent k) as the reversed edge's label.

    Symbolic by op, in terms of the actual input (``w₅``, ``g′(z₁)``, ``1/ŷ``,
    ``2 (ŷ − 1)``, ``Wᵀ``...), with its value when both ends hold a single number
    (``g′(z₃) = 0.250``).
    """
    return _local_derivative(node, k, decimals)


def _local_derivative(node: Tensor, k: int, decimals: int, ref: _Refs | None = None) -> str:
    """:func:`local_derivative`; with ``ref`` (a drawing's edge), a computed input with no
    name and no short formula is named by its node's number (``2 · #13``, not ``2 x``,
    where x read as the data)."""
    op = node.op
    ps = node.parents
    p = ps[k]
    other = ps[1 - k] if len(ps) == 2 else None
    pname = expression(p, decimals) or (
        "z" if op in _ACT_OPS else ref(p) if ref is not None and p.parents else "x"
    )
    par = f"({pname})" if " " in pname or pname.startswith("−") else pname
    sym = {
        "add": "1",
        "sub": "1" if k == 0 else "−1",
        "neg": "−1",
        "sum": "1",
        "mean": f"1/{max(p.data.size // max(node.data.size, 1), 1)}",
        "exp": f"e^{par}",
        "log": f"1/{par}",
        "sqrt": f"1/(2√{par})",
        "abs": f"sign({pname})",
        "sigmoid": f"g′({pname})",
        "tanh": f"g′({pname})",
        "relu": f"g′({pname})",
        "leaky_relu": f"g′({pname})",
        "softmax": f"softmax Jacobian at {pname}",
        "log_softmax": "I − softmax",
        "astype": "1",
        "reshape": "1 (reshaped)",
        "transpose": "1 (transposed)",
        "index": "1 (selected)",
        "concatenate": "1 (split)",
        "stack": "1 (split)",
        "where": "1 where chosen",
        "maximum": "1 where larger",
        "minimum": "1 where smaller",
        "clip": "1 inside the range",
        "dropout": "mask / (1 − p)",
        "half_mse": f"{par} − y",
        "mse": f"2 ({pname} − y)",
        "binary_cross_entropy": f"∂L/∂{pname}",
        "binary_cross_entropy_with_logits": f"σ({pname}) − y",
        "cross_entropy": f"softmax({pname}) − y",
    }.get(op)
    if _replaced_loss(op):  # (its formula is not the built-in's)
        sym = f"∂L/∂{par} of the table's replaced {op!r}"
    if op == "mul":  # d(a b)/da = b: the other factor
        if other is None:
            sym = _constant(node) or "c"  # times a Python number (or an array)
            if node.data.size == 1 and p.data.size == 1:
                # (the product's own factor: output/input read 0.3f/0.1f = 3.00000007)
                c = _derivative(node)
                sym = fmt(c, decimals) if c is not None else (_constant(node) or "c")
        else:  # (a parameter by its role, w, never by its value)
            sym = expression(other, decimals) or (
                _arg_name(node, 1 - k, decimals, ref=ref)
                if other.data.size > 1 or isinstance(other, Parameter)
                else fmt(float(other.data.reshape(())), decimals)
            )
    elif op == "div":  # d(a/b)/da = 1/b, d(a/b)/db = −a/b²
        if len(ps) == 1:  # divided by a Python number
            den = _constant(node) or "c"
        else:
            den = expression(ps[1], decimals) or _arg_name(node, 1, decimals, ref=ref)
        den = f"({den})" if " " in den or den.startswith(("−", "-")) else den
        if k == 0:
            sym = f"1/{den}"
        else:
            num = expression(ps[0], decimals) or _arg_name(node, 0, decimals, ref=ref)
            num = f"({num})" if " " in num or num.startswith("−") else num
            sym = f"−{num}/{den}²"
    elif op == "pow":
        e = _exponent(node) if (k == 0 and node.data.size == 1 and len(ps) == 1) else None
        if e is None:
            sym = "p a^(p−1)" if k == 0 else "a^p log a"
        else:
            sym = _times(fmt(e, decimals), f"{par}{_sup(e - 1)}")  # 3 · 2², not 3 2²
    elif op == "matmul":
        sym = f"@ {_name(other, 'B')}ᵀ" if k == 0 else f"{_name(other, 'A')}ᵀ @"
    elif op == "linear":
        # the input's name: X for the data, A for a layer's activations (an op's result)
        inp = _name(ps[0], "A" if ps[0].parents else "X")
        sym = {0: f"{_name(ps[1], 'W')}ᵀ", 1: f"{inp}ᵀ", 2: "sum over rows"}[k]
    elif sym is None:
        sym = f"d{op}/d{pname}"
    elif op in _LOSS_OPS and op != "binary_cross_entropy" and not sym.startswith("∂L/∂"):
        # a loss's mean over n entries (n rows for cross-entropy) divides each entry's
        # derivative by n: 2 (ŷ − y)/4, not 2 (ŷ − y)
        n = _mean_over(node)
        if n > 1:
            top = re.sub(r"\([^()]*\)", "", sym)  # a difference outside parentheses
            sym = f"({sym})/{n}" if " − " in top else f"{sym}/{n}"
    if node.data.size == 1 and p.data.size == 1 and node.backward_fn is not None:
        try:
            vals = node.backward_fn(np.ones_like(node.data))
        except (ValueError, TypeError, IndexError):  # pragma: no cover - defensive
            vals = ()
        if k < len(vals) and vals[k] is not None:
            value = fmt(float(np.asarray(vals[k]).reshape(())), decimals)
            return value if value == sym.replace("−", "-") else f"{sym} = {value}"
    return sym


_ACT_OPS = ("sigmoid", "tanh", "relu", "leaky_relu", "softmax")
_LOSS_OPS = (
    "half_mse",
    "mse",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
)


def _replaced_loss(op: str) -> bool:
    """Whether ``op`` is a loss whose entry in :data:`glassnet.functional.LOSSES` was
    replaced (:func:`glassnet.functional.replaced_entry`): its node and edge show no built-in
    formula, which would contradict the numbers."""
    return op in _LOSS_OPS and replaced_entry(op, loss=True)


def _mean_over(node: Tensor) -> int:
    """n when the loss ``node`` is the mean of n per-entry losses (its backward scales
    each entry's derivative by 1/n, the ``scale`` of :func:`glassnet.functional`'s loss
    ops); 1 for a sum, one entry, or a node that does not say."""
    fn = node.backward_fn
    names = getattr(getattr(fn, "__code__", None), "co_freevars", ())
    if node.data.size != 1 or "scale" not in names:
        return 1
    scale = fn.__closure__[names.index("scale")].cell_contents  # type: ignore[union-attr,index]
    if not isinstance(scale, float) or not 0 < scale < 1:
        return 1
    n = round(1 / scale)
    return n if math.isclose(n * scale, 1.0, rel_tol=1e-12) else 1


_UNIT = ("add", "sum", "astype")  # ops whose local derivative is 1 (left unlabelled)


def _is_unit(node: Tensor, k: int) -> bool:
    """Whether the edge's local derivative is exactly 1 everywhere (an add, say)."""
    if node.op in _UNIT or (node.op == "sub" and k == 0):
        return node.op != "sum" or node.data.size == 1
    return False


def _summary(a: np.ndarray, decimals: int) -> str:
    """A tensor's numbers on one line: a number, a list of at most 4, else [min .. max]."""
    if a.size == 1:
        return fmt(float(a.reshape(())), decimals)
    if a.size <= 4:
        return "[" + ", ".join(fmt(v, decimals) for v in a.reshape(-1)) + "]"
    return f"[{fmt(a.min(), decimals)} .. {fmt(a.max(), decimals)}]"


def _number_lines(prefix: str, a: np.ndarray, decimals: int) -> list[str]:
    """``prefix`` and a tensor's numbers as a node writes them: a number; a vector (or one
    row) of at most 4 numbers as a list; a matrix of at most 4 numbers as its rows, one
    line each, the columns aligned (``value [4, -4]`` over ``      [4, -4]``); anything
    larger as its range ``[min .. max]``, on two lines when long (``value [0.002 ..`` over
    ``      .. 0.881]``); the node's tooltip holds every number."""
    if a.ndim == 2 and a.shape[0] > 1 and a.shape[1] >= 1 and a.size <= 4:
        cells = [[fmt(float(v), decimals) for v in row] for row in a]
        widths = [max(len(r[j]) for r in cells) for j in range(a.shape[1])]
        # (commas, as a vector's [0.013, 0.021]: one style in one drawing)
        rows = ["[" + ", ".join(c.rjust(w) for c, w in zip(r, widths)) + "]" for r in cells]
        pad = " " * (len(prefix) + 1)
        return [f"{prefix} {rows[0]}"] + [pad + r for r in rows[1:]]
    line = f"{prefix} {_summary(a, decimals)}"
    if a.size > 4 and len(line) > _RANGE_CHARS:  # [min .. max], wrapped after its ".."
        lo, hi = line.split(" .. ")
        return [f"{lo} ..", " " * (len(prefix) + 1) + f".. {hi}"]
    return [line]


_RANGE_CHARS = 18  # a longer range [min .. max] is written on two lines

_TOOLTIP_MAX = 4096  # numbers written out in full in a node's tooltip


def _full(a: np.ndarray, decimals: int) -> str:
    """Every number of ``a`` (up to _TOOLTIP_MAX of them) for the node's tooltip."""
    a = np.asarray(a)
    if a.size == 1:
        return fmt(float(a.reshape(())), decimals)
    text = np.array2string(
        a,
        threshold=_TOOLTIP_MAX,
        max_line_width=100,
        separator=", ",
        formatter={"all": lambda v: fmt(float(v), decimals)},
    )
    if a.size > _TOOLTIP_MAX:
        text += f"\n(the first and last numbers of {a.size}; the tensor holds them all)"
    return text


# The lecture's symbol of each op, for a node whose formula is not written out: z3 is
# titled by its name and reads "op + (add)" beneath.
_SYMBOL = {
    "add": "+",
    "sub": "−",
    "mul": "×",
    "div": "÷",
    "neg": "−",
    "pow": "xᵖ",
    "matmul": "@",
    "linear": "X W + b",
    "sum": "Σ",
    "sigmoid": "σ",
    "relu": "ReLU",
    "leaky_relu": "leaky ReLU",
    "exp": "eˣ",
    "sqrt": "√",
    "abs": "|x|",
    "transpose": "ᵀ",
    "half_mse": "½(ŷ − y)²",
    "mse": "(ŷ − y)²",
    "binary_cross_entropy": "BCE",
    "binary_cross_entropy_with_logits": "BCE(σ(z))",
    "cross_entropy": "CE(softmax(z))",
}


def _op_line(op: str) -> str:
    """``op + (add)``: the op's symbol, then its name (``op tanh`` where they agree)."""
    sym = None if _replaced_loss(op) else _SYMBOL.get(op)  # (not a replaced loss's formula)
    return f"op {sym} ({op})" if sym and sym != op else f"op {op}"


def _arg_name(
    node: Tensor,
    k: int,
    decimals: int,
    short: bool = False,
    computed: str = "x",
    ref: _Refs | None = None,
) -> str:
    """Input ``k`` of ``node`` as the node's formula names it: its label or short formula
    (unless ``short``), else the letter of its role, as the edge labels name it: X (the
    data) or A (a layer's activations) and W, b for a linear layer, z for an activation's
    input (unless ``short``, a layer's own formula: ``σ(X W₁ + b₁)``), x for a loss's or a
    one-input op's, a and b for a two-input op's. In a named node's formula (``short``),
    arithmetic on a computed node with a Python number (``0.5 *``, ``** 2``) names it by
    its short formula or ``…`` (:func:`_stand_in`, by ``computed``), not ``x``, which reads
    as the data; an unnamed node's title wrote ``x`` (``computed="x"``, still so without
    ``ref``). With ``ref`` (a drawing's titles and edge labels), a computed input with no
    name and no short formula is named by its node's number, ``#3``, where a letter stood
    (``a + b``, ``a · 3``, ``x²``: the letters read as the learner's own variables,
    micrograd's a = -4 beside a node titled ``a + 1`` of value -2)."""
    p = node.parents[k]
    e = None if short and not _label(p) else expression(p, decimals)
    if e is not None:
        return e
    if ref is not None and _label(p):  # a name too long for a formula: its node's number
        return ref(p)
    name = _letter(node, k, decimals, short, computed, ref)
    # (a letter that another node of the drawing is named by would read as that node: a
    # leaf called a beside a title a a that meant learning_signal_scale · a)
    return ref(p) if ref is not None and name in ref.names else name


def _letter(
    node: Tensor, k: int, decimals: int, short: bool, computed: str, ref: _Refs | None
) -> str:
    """Input ``k`` of ``node`` by the letter of its role (:func:`_arg_name`)."""
    p = node.parents[k]
    op = node.op
    if op == "linear":
        return {0: "A" if p.parents else "X", 1: "W", 2: "b"}.get(k, "x")
    if op in _ACT_OPS:  # the layer it activates: σ(X W₁ + b₁), else z (as in g′(z))
        return _op_formula(p, decimals, True) if not short and p.op == "linear" else "z"
    role = _role(node, k)
    # (a named node's arithmetic keeps its short formula or …: ref names a function's or a
    # loss's computed argument there, where x stood)
    plain = computed == "x" or node.op not in _ARITHMETIC or len(node.parents) > 1
    if role is None and ref is not None and p.parents and plain:
        return ref(p)
    if len(node.parents) == 1 or op in _LOSS_OPS:
        return role or (_stand_in(node, k, decimals, computed) if short else "x")
    if role is not None:
        return role
    if k == 1 and node.parents[0] is node.parents[1]:
        return "a"  # (a tensor with itself: a a, as one node)
    return "ab"[k] if k < 2 else f"x{k + 1}"


def _role(node: Tensor, k: int) -> str | None:
    """Input ``k`` of a sum or product with a parameter in it (with another input or a
    Python number), named by the parameter's role as in the lecture's w x + b: a parameter
    that multiplies (or divides) is a weight w, its factor x; a parameter that is added is
    a bias b, the other term a. Two parameters multiplied are v and w. None where no
    parameter takes part (the a and b of two terms). A one-value parameter was titled by
    its place, so y = x * a drew the multiplier a as 'b', a bias's name. A parameter times
    itself is w w (it read v w, its local derivatives w and v)."""
    ps = node.parents
    if len(ps) > 2 or node.op not in ("add", "sub", "mul", "div"):
        return None
    param = [isinstance(p, Parameter) for p in ps]  # (a named one titles itself)
    if not any(param):
        return None
    if len(ps) == 1 or ps[0] is ps[1]:  # with a Python number (3 w, b + 1) or itself (w w)
        return "b" if node.op in ("add", "sub") else "w"
    if node.op in ("add", "sub"):
        return "b" if param[k] and not param[1 - k] else ("a" if not param[k] else "ab"[k])
    if all(param):
        return "vw"[k]
    return "w" if param[k] else "x"


def _reduced(node: Tensor, body: str) -> str:
    """A loss's formula over a batch: ``mean`` of the per-entry formula, or its sum."""
    if node.data.size != 1 or node.parents[0].data.size == 1:
        return body
    return f"mean {body}" if _mean_over(node) > 1 else f"Σ {body}"


def _op_formula(
    node: Tensor, decimals: int, short: bool, computed: str = "x", ref: _Refs | None = None
) -> str:
    """What ``node`` computes from its inputs (named by :func:`_arg_name`)."""
    op = node.op
    a = [_arg_name(node, k, decimals, short, computed, ref) for k in range(len(node.parents))]
    q = [_paren(x, op, k) for k, x in enumerate(a)]
    c = _constant(node) if len(a) == 1 and op in _INFIX else None
    if op in _INFIX:
        if len(a) == 2:
            if op == "add" and q[1].startswith(("-", "−")):  # a + (-1) reads a − 1
                return q[0] + " − " + q[1][1:]
            return _times(q[0], q[1]) if op == "mul" else q[0] + _INFIX[op] + q[1]
        cc = c if c is not None else "c"
        if op == "mul":
            return _times(cc, _paren(a[0], "mul", 1))
        if op in ("add", "sub") and cc.startswith("-"):  # x + (-1) reads x − 1 (it read x + -1)
            return q[0] + _INFIX["sub" if op == "add" else "add"] + cc[1:]
        return q[0] + _INFIX[op] + cc
    if op == "linear":
        return f"{a[0]} {a[1]}" + (f" + {a[2]}" if len(a) > 2 else "")
    if _replaced_loss(op):  # (the table's entry, by name: not the built-in's formula)
        return _reduced(node, f"{op}({a[0]}, y)")
    if op == "matmul":
        return f"{q[0]} @ {q[1]}"
    if op == "neg":
        return f"−{q[0]}"
    if op == "pow":
        e = _exponent(node) if node.data.size == 1 and node.parents[0].data.size == 1 else None
        return f"{q[0]}{_sup(e)}" if e is not None else f"{q[0]}ᵖ"
    if op in _FUNCS:
        return f"log {_paren(a[0], 'log', 0)}" if op == "log" else f"{_FUNCS[op]}({a[0]})"
    one = {
        "leaky_relu": f"leaky ReLU({a[0]})",
        "softmax": f"softmax({a[0]})",
        "log_softmax": f"log softmax({a[0]})",
        "sum": f"Σ {q[0]}",
        "mean": f"mean {q[0]}",
        "sqrt": f"√{q[0]}",
        "abs": f"|{a[0]}|",
        "transpose": f"{q[0]}ᵀ",
        "index": f"{q[0]}[…]",
        "astype": a[0],
        "clone": a[0],
        "dropout": f"dropout({a[0]})",
        "half_mse": _reduced(node, f"½({a[0]} − y)²"),
        "mse": _reduced(node, f"({a[0]} − y)²"),
        "binary_cross_entropy": _reduced(node, f"BCE({a[0]}, y)"),
        "binary_cross_entropy_with_logits": _reduced(node, f"BCE(σ({a[0]}), y)"),
        "cross_entropy": _reduced(node, f"CE(softmax({a[0]}), y)"),
    }
    if op in one:
        return one[op]
    if op in ("maximum", "minimum"):
        return f"{op[:3]}({', '.join(a)})"
    if op in ("concatenate", "stack"):
        return "[" + ", ".join(a) + "]"
    return f"{op}({', '.join(a)})"


_TITLE_LIMIT = 18  # characters of an unnamed node's formula title


def _title_formula(node: Tensor, decimals: int, ref: _Refs | None = None) -> str:
    """An unnamed op node's title: its formula (``w₁ x₁``, ``ŷ − 1``), else what it
    computes with its inputs named by their role (``X W₁ + b₁``, ``σ(X W₁ + b₁)``,
    ``σ(z)`` where that is too long: never a stand-in's formula, which could make it
    longer than the title's limit); an input computed by an unnamed node with no short
    formula, by that node's number (``#2 + 1``, ``#3 · 3``, ``#4²``; ``ref``)."""
    e = expression(node, decimals)
    if e is not None:
        return e
    f = _op_formula(node, decimals, short=False, ref=ref)
    if len(f) > _TITLE_LIMIT:
        f = _op_formula(node, decimals, short=True, ref=ref)
    return ref.keep(f) if ref is not None else f


def _tag(nodes: list[_Node], refs: _Refs) -> None:
    """Each node that a title or an edge names by its number says it (``#3``)."""
    for nd in nodes:
        n = refs.number.get(id(nd.t))
        if n is not None and not nd.tag:
            nd.tag = f"#{n}"
            nd.tip = f"{nd.tag} {nd.tip}"


def _edge_texts(
    nodes: list[_Node],
    edges: list[tuple[int, int, int]],
    decimals: int,
    unlabelled=lambda dst, k: False,
) -> list[str]:
    """Each edge's local derivative (``""`` where ``unlabelled``), an input named by its
    node's number where it has no name and no short formula; the nodes so named that no
    title named get their number too."""
    refs = _Refs()
    refs.names = _names([nd.t for nd in nodes])
    refs.number = {id(nd.t): int(nd.tag[1:]) for nd in nodes if nd.tag}
    texts = [
        "" if unlabelled(dst, k) else refs.keep(_local_derivative(nodes[dst].t, k, decimals, refs))
        for _, dst, k in edges
    ]
    _tag(nodes, refs)
    return texts


class _Refs:
    """The numbers (``#1``, ``#2``, ...) of the unnamed computed nodes that a title or an
    edge label names by their number, given in the order they are first named (the
    drawing's order, parents first, then the edges). A text tried and not kept numbers
    nothing."""

    def __init__(self) -> None:
        self.number: dict[int, int] = {}  # id(node) -> its number
        self.names: set[str] = set()  # the names the drawing's nodes are titled by
        self._tried: dict[int, int] = {}  # numbers a title being made gave, not yet kept

    def __call__(self, t: Tensor) -> str:
        n = self.number.get(id(t)) or self._tried.get(id(t))
        if n is None:
            n = self._tried[id(t)] = len(self.number) + len(self._tried) + 1
        return f"#{n}"

    def keep(self, title: str) -> str:
        """``title`` with the numbers it names kept (renumbered to follow the kept ones
        where a number tried for another title was left out); the others are free again."""
        named = {int(m) for m in re.findall(r"#(\d+)", title)}
        new: dict[int, int] = {}
        for key, n in sorted(self._tried.items(), key=lambda kv: kv[1]):
            if n in named:
                new[n] = self.number[key] = len(self.number) + 1
        self._tried.clear()
        return re.sub(r"#(\d+)", lambda m: f"#{new.get(int(m.group(1)), int(m.group(1)))}", title)


def _names(order: Sequence[Tensor]) -> set[str]:
    """The names that the drawn nodes are titled by (their labels)."""
    return {unicode_symbol(n) for n in map(_label, order) if n}


def _named_formula(node: Tensor, decimals: int, ref: _Refs | None = None) -> str | None:
    """A named op node's formula with its inputs named by their role (``X W₁ + b₁``,
    ``mean ½(x − y)²``), when short and when every input has a name of its own (not the
    a and b of a sum of two unnamed terms: z₃ reads ``op + (add)``). A computed input is
    named by its short formula (``0.500 (ŷ − 1)²``), or by ``…`` where that makes the
    formula too long (``0.500 …``, not the op's name); the computed argument of a function
    or a loss by its node's number (``mean ½(#1 − y)²``; ``ref``), where x stood."""
    if len(node.parents) > 1 and node.op != "linear":
        return None
    for computed in ("formula", "…"):
        f = _op_formula(node, decimals, short=True, computed=computed, ref=ref)
        if len(f) <= 16:
            return ref.keep(f) if ref is not None else f
    if ref is not None:
        ref.keep("")  # (none kept)
    return None


def _leaf_title(t: Tensor, consumers: list[tuple[Tensor, int]], decimals: int) -> str:
    """An unnamed leaf's title: a single number's value, else the name its first consumer's
    formula gives it (X: the data of a linear layer ``X W₁ + b₁``)."""
    if t.data.size == 1 and not isinstance(t, Parameter):  # (a parameter: by its role)
        return fmt(float(t.data.reshape(())), decimals)
    if consumers:
        node, k = consumers[0]
        return _arg_name(node, k, decimals)
    return "X" if t.data.ndim >= 2 else "x"


def _tooltip(t: Tensor, kind: str, title: str, grad: np.ndarray | None, decimals: int) -> str:
    """The node's SVG tooltip: what it is (its op's name), its shape and every number."""
    what = {
        "param": "parameter (leaf)",
        "leaf": "input (leaf, requires grad)",
        "const": "constant (leaf, no gradient)",
    }
    head = f"{title}: op {t.op}" if t.parents else f"{title}: {what.get(kind, 'leaf')}"
    out = [head, f"shape {tuple(t.data.shape)}", f"value = {_full(t.data, decimals)}"]
    if grad is not None:
        out.append(f"grad dL/d({title}) = {_full(grad, decimals)}")
    return "\n".join(out)


def _build(
    root: Tensor, grads: bool | None, decimals: int, max_nodes: int
) -> tuple[list[_Node], list[tuple[int, int, int]], bool]:
    order = graph_nodes(root, max_nodes)
    if grads and not root.requires_grad:
        raise ValueError(
            "draw_graph(grads=True): the tensor does not require grad (no input of its "
            "computation has requires_grad=True, or it was computed under no_grad), so it "
            "has no gradients to show. Build it from tensors with requires_grad=True, or "
            "leave grads out."
        )
    use_sweep = (root.requires_grad if grads is None else bool(grads)) and root.requires_grad
    gmap = _gradients(order, root) if use_sweep else {}
    nodes: list[_Node] = []
    index = {id(t): i for i, t in enumerate(order)}
    refs = _Refs()
    refs.names = _names(order)
    consumers: dict[int, list[tuple[Tensor, int]]] = {}
    for t in order:
        for k, p in enumerate(t.parents):
            consumers.setdefault(id(p), []).append((t, k))
    for i, t in enumerate(order):
        if t.parents:
            kind = "op"
        elif isinstance(t, Parameter):
            kind = "param"
        elif t.requires_grad:
            kind = "leaf"
        else:
            kind = "const"
        label = _label(t)
        if label:
            title = unicode_symbol(label)
        elif t.parents:
            title = _title_formula(t, decimals, refs)
        else:
            title = _leaf_title(t, consumers.get(id(t), []), decimals)
        lines, styles = [title], ["title"]
        if t.parents and label:  # a named result: its formula (when short), else its op
            f = expression(t, decimals, 12, formula=True) or _named_formula(t, decimals, refs)
            lines.append(f"= {f}" if f else _op_line(t.op))
            styles.append("sub")
        if t.data.ndim > 0:
            lines.append(f"shape {tuple(t.data.shape)}")
            styles.append("sub")
        vals = _number_lines("value", t.data, decimals)
        lines += vals
        styles += ["value"] * len(vals)
        g = gmap.get(id(t)) if use_sweep else t.grad
        if g is not None:
            gl = _number_lines("grad", np.asarray(g), decimals)
            lines += gl
            styles += ["grad"] * len(gl)
        nd = _Node(t, i, "root" if t is root else kind, lines)
        nd.styles = styles
        nd.tip = _tooltip(t, kind, title, None if g is None else np.asarray(g), decimals)
        nodes.append(nd)
    _tag(nodes, refs)
    edges = []
    for i, t in enumerate(order):
        for k, p in enumerate(t.parents):
            edges.append((index[id(p)], i, k))
    return nodes, edges, use_sweep


_FS = 12.0  # node text (px)
_LS = 12.0  # edge labels (px)
_LH = _FS + 4  # line height in a node
_VGAP = 20.0  # between nodes of a rank


_TAG_GAP = 12.0  # between a node's title and its number (#3)
_MIN_TEXT_W = 480.0  # the legend and the title wrap to the drawing, but at least this wide
_LANE = 10.0  # the height of the lane a long edge takes through a rank


@dataclass
class _Lane:
    """The place a long edge (one spanning several ranks) takes in a rank between its
    ends: laid out as a node without text, so no node of that rank sits on the edge."""

    rank: int
    order: float = 0.0
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = _LANE


Route = list[tuple[str, tuple[float, float, float, float]]]  # ("curve" | "line", x1 y1 x2 y2)


def _layout(
    nodes: list[_Node], edges: list[tuple[int, int, int]], gaps: dict[int, float]
) -> list[Route]:
    """Layered layout: a node's rank is 1 + its parents' highest rank; a leaf sits one
    rank left of its first consumer. An edge that spans several ranks takes a lane in
    each rank between its ends (it would otherwise run beneath that rank's nodes and
    seem to start at one of them). Within ranks, a few barycenter sweeps. ``gaps``:
    the horizontal room after each rank (for the edge labels). Returns each edge's
    route: curves between ranks, straight through the lanes."""
    n = len(nodes)
    parents: list[list[int]] = [[] for _ in range(n)]
    children: list[list[int]] = [[] for _ in range(n)]
    for src, dst, _ in edges:
        parents[dst].append(src)
        children[src].append(dst)
    for i in range(n):  # nodes come parents first
        if parents[i]:
            nodes[i].rank = 1 + max(nodes[p].rank for p in parents[i])
    for i in range(n):
        if not parents[i] and children[i]:
            nodes[i].rank = max(min(nodes[c].rank for c in children[i]) - 1, 0)
    # the lanes: items n, n+1, ... of the ordering (each edge's own, in its ranks)
    items: list[_Node | _Lane] = list(nodes)
    chains: list[list[int]] = []
    for src, dst, _ in edges:
        chain = [src]
        for r in range(nodes[src].rank + 1, nodes[dst].rank):
            items.append(_Lane(r))
            parents.append([chain[-1]])
            children.append([])
            children[chain[-1]].append(len(items) - 1)
            chain.append(len(items) - 1)
        if len(chain) > 1:  # the edge now runs src -> lanes -> dst (for the ordering)
            children[chain[-1]].append(dst)
            parents[dst].append(chain[-1])
            children[src].remove(dst)
            parents[dst].remove(src)
        chains.append(chain + [dst])
    ranks: dict[int, list[int]] = {}
    for i, it in enumerate(items):
        ranks.setdefault(it.rank, []).append(i)
    for members in ranks.values():
        for j, i in enumerate(members):
            items[i].order = j
    keys = sorted(ranks)
    for sweep in range(4):
        seq = keys if sweep % 2 == 0 else list(reversed(keys))
        for r in seq:
            members = ranks[r]

            def bary(i: int) -> float:
                nb = [j for j in parents[i] + children[i] if items[j].rank != items[i].rank]
                return (sum(items[j].order for j in nb) / len(nb)) if nb else items[i].order

            members.sort(key=lambda i: (bary(i), items[i].order))
            for j, i in enumerate(members):
                items[i].order = j
    # sizes and coordinates
    for nd in nodes:
        nd.w = max(text_width(s, _FS) for s in nd.lines) + 14
        if nd.tag:  # the title, a gap, the number
            nd.w = max(nd.w, text_width(nd.lines[0], _FS) + _TAG_GAP + text_width(nd.tag, _FS) + 14)
        nd.h = len(nd.lines) * _LH + 8
    x = 16.0
    heights = {r: sum(items[i].h for i in ranks[r]) + _VGAP * (len(ranks[r]) - 1) for r in keys}
    total_h = max(heights.values())
    for r in keys:
        col_w = max((nodes[i].w for i in ranks[r] if i < n), default=0.0)
        y = 16.0 + (total_h - heights[r]) / 2
        for i in ranks[r]:
            it = items[i]
            if isinstance(it, _Lane):  # across the whole column
                it.x, it.w = x, col_w
            else:
                it.x = x + (col_w - it.w) / 2
            it.y = y
            y += it.h + _VGAP
        x += col_w + gaps.get(r, 40.0)
    routes: list[Route] = []
    seen_pair: dict[tuple[int, int], int] = {}
    for (src, dst, _), chain in zip(edges, chains):
        rep = seen_pair.get((src, dst), 0)  # a second edge between the same two nodes
        seen_pair[(src, dst)] = rep + 1
        off = rep * 10.0
        route: Route = []
        a = items[src]
        x1, y1 = a.x + a.w, a.y + a.h / 2 + off
        for i in chain[1:]:
            b = items[i]
            yb = b.y + b.h / 2 + (off if i == dst else 0.0)
            route.append(("curve", (x1, y1, b.x, yb)))
            if isinstance(b, _Lane):
                route.append(("line", (b.x, yb, b.x + b.w, yb)))
            x1, y1 = b.x + b.w, yb
        routes.append(route)
    return routes


def _route_points(route: Route, per_curve: int = 12) -> list[tuple[float, float]]:
    """Points along a route (its curves sampled ``per_curve`` times), start to end."""
    pts: list[tuple[float, float]] = []
    for kind, c in route:
        us = np.linspace(0, 1, per_curve + 1) if kind == "curve" else np.array([0.0, 1.0])
        seg = [_bezier(c, u) if kind == "curve" else (c[0] + (c[2] - c[0]) * u, c[1])
               for u in us]  # fmt: skip
        pts += seg if not pts else seg[1:]
    return pts


def _route_at(route: Route, u: float) -> tuple[float, float]:
    """The point at u in [0, 1] along a route, each of its pieces an equal share of u."""
    q = min(int(u * len(route)), len(route) - 1)
    kind, c = route[q]
    v = u * len(route) - q
    return _bezier(c, v) if kind == "curve" else (c[0] + (c[2] - c[0]) * v, c[1])


def _route_path(route: Route) -> str:
    """The SVG path data of a route: a cubic curve (control points at mid-x) between
    ranks, a straight line through each lane."""
    x0, y0 = route[0][1][0], route[0][1][1]
    d = [f"M{x0:.1f},{y0:.1f}"]
    for kind, (x1, y1, x2, y2) in route:
        if kind == "curve":
            mx = (x1 + x2) / 2
            d.append(f"C{mx:.1f},{y1:.1f} {mx:.1f},{y2:.1f} {x2:.1f},{y2:.1f}")
        else:
            d.append(f"L{x2:.1f},{y2:.1f}")
    return " ".join(d)


def _bezier(c: tuple[float, ...], u: float) -> tuple[float, float]:
    """The point at parameter u of the edge's cubic curve (control points at mid-x)."""
    x1, y1, x2, y2 = c
    mx = (x1 + x2) / 2
    px = (1 - u) ** 3 * x1 + 3 * (1 - u) ** 2 * u * mx + 3 * (1 - u) * u * u * mx + u**3 * x2
    py = ((1 - u) ** 3 + 3 * (1 - u) ** 2 * u) * y1 + (3 * (1 - u) * u * u + u**3) * y2
    return px, py


def _svg(
    nodes: list[_Node],
    edges: list[tuple[int, int, int]],
    backward: bool,
    decimals: int,
    title: str,
) -> str:
    texts = (
        _edge_texts(nodes, edges, decimals, lambda dst, k: _is_unit(nodes[dst].t, k))
        if backward
        else [""] * len(edges)
    )
    label_lines = [_split(t) for t in texts]
    sizes = [label_size(ls, _LS, 3) if ls else (0.0, 0.0) for ls in label_lines]
    # the room after each rank: its widest label, then widen where a label finds no place
    _layout(nodes, edges, {})
    gaps: dict[int, float] = {}
    for (src, _, _), (w, _) in zip(edges, sizes):
        r = nodes[src].rank
        gaps[r] = max(gaps.get(r, 36.0), w + 10.0)
    for _attempt in range(12):
        routes = _layout(nodes, edges, gaps)
        placed, failed_ranks = _place_labels(nodes, edges, routes, label_lines, sizes)
        if not failed_ranks:
            break
        for r in failed_ranks:
            gaps[r] = gaps.get(r, 36.0) + 16.0
    legend_text = (
        [
            "Arrows point back to the inputs; each edge carries its local derivative "
            "d(node)/d(input);",
            "an edge without a label carries 1. grad = dL/d(node) = the sum over the edges "
            "into the node of (grad at the edge's start) × (its label).",
        ]
        if backward
        else []
    )
    if any(nd.tag for nd in nodes):
        legend_text.append(
            "#1, #2, ...: the value of the node with that number at its top right (a node "
            "whose name or formula is too long to write again)."
        )
    # the legend and the title wrap to the drawing's width (at least _MIN_TEXT_W): they
    # never make the picture wider than its graph
    body_w = max(max(nd.x + nd.w for nd in nodes) + 16, _MIN_TEXT_W)
    legend = [ln for t in legend_text for ln in wrap_text(t, int((body_w - 32) // (CHAR_EM * _LS)))]
    titles = wrap_text(title, int((body_w - 32) // (CHAR_EM * (_FS + 1)))) if title else []
    dy = len(titles) * (_FS + 5) + 13 if titles else 0.0
    width = max(
        body_w,
        max((text_width(t, _LS) for t in legend), default=0.0) + 32,
        max((text_width(t, _FS + 1) for t in titles), default=0.0) + 32,
    )
    body_h = max(
        max(nd.y + nd.h for nd in nodes),
        max((b.y1 for b, _, _ in placed), default=0.0),
        max((y for rt in routes for _, (_, y, _, _) in rt), default=0.0) + _LANE / 2,
    )
    height = dy + body_h + 12 + len(legend) * (_LS + 5) + (8 if legend else 0)
    color = _BACKWARD_EDGE if backward else _FORWARD_EDGE
    out = svg_open(width, height, title or "glassnet computational graph", _FS)
    for j, t in enumerate(titles):
        out.append(text_el(16, _FS + 8 + j * (_FS + 5), t, _FS + 1, bold=True))
    out.append(f'<g transform="translate(0,{dy:g})">')
    for route in routes:
        path = _route_path(route)
        out.append(f'<path d="{path}" fill="none" stroke="{color}" stroke-width="1.3"/>')
        # (a route leaves and enters its nodes level: the arrow heads are horizontal)
        x, y = route[0][1][:2] if backward else route[-1][1][2:]
        out.append(arrow_head(x, y, -1.0 if backward else 1.0, 0.0, color, 10))
    for nd in nodes:
        fill = _FILL[nd.kind]
        out.append(
            f'<g class="node"><rect x="{nd.x:.1f}" y="{nd.y:.1f}" width="{nd.w:.1f}" '
            f'height="{nd.h:.1f}" rx="6" fill="{fill}" stroke="#333" stroke-width="1"/>'
        )
        out.append(f"<title>{esc(nd.tip)}</title>")
        for j, line in enumerate(nd.lines):
            style = nd.styles[j] if j < len(nd.styles) else "value"
            fill_t = _BACKWARD_EDGE if (backward and style == "grad") else (
                "#555" if style == "sub" else "#111"
            )  # fmt: skip
            text = line.lstrip(" ")  # (a matrix's next row: indented under the first)
            indent = text_width(line[: len(line) - len(text)], _FS)
            keep = ' xml:space="preserve"' if "  " in text else ""  # a matrix's aligned columns
            out.append(
                text_el(nd.x + 7 + indent, nd.y + 4 + 0.8 * _FS + 2 + j * _LH, text, _FS,
                        fill=fill_t, bold=j == 0, extra=keep)
            )  # fmt: skip
        if nd.tag:
            y_title = nd.y + 4 + 0.8 * _FS + 2
            out.append(text_el(nd.x + nd.w - 7, y_title, nd.tag, _FS, anchor="end", fill="#666"))
        out.append("</g>")
    for box, lines, j in placed:
        src, dst, _ = edges[j]
        head, op = nodes[dst], nodes[dst].t.op
        tip = f"d({head.lines[0]})/d({nodes[src].lines[0]}) = {texts[j]} (op {op})"
        out.append(label_el([(t, _BACKWARD_EDGE) for t in lines], box, _LS, 3, tip=tip))
    out.append("</g>")
    y = dy + body_h + 12 + _LS
    for t in legend:
        out.append(text_el(16, y, t, _LS, fill="#444"))
        y += _LS + 5
    out.append("</svg>")
    return "\n".join(out) + "\n"


_LABEL_CHARS = 10  # an edge label's line: longer symbols wrap at their spaces


def _split(text: str) -> list[str]:
    """An edge label as lines: the symbol, wrapped at its spaces to _LABEL_CHARS (a
    formula's short pieces stay together: ``(x − y)/4``, ``2 (ŷ − 1)``), then its value
    (``g′(z₁)``, ``= 0.206``), so that it fits a narrow gap. The lines joined by spaces
    give the label back."""
    if not text:
        return []
    sym, sep, val = text.rpartition(" = ")
    if not sep:
        sym = text
    units: list[str] = []
    glue = False  # the previous piece was short (an operator, a factor): keep the next
    for word in sym.split(" "):
        if units and (glue or len(word) <= 2):
            units[-1] += " " + word
        else:
            units.append(word)
        glue = len(word) <= 2
    lines: list[str] = []
    for u in units:
        if lines and len(lines[-1]) + 1 + len(u) <= _LABEL_CHARS:
            lines[-1] += " " + u
        else:
            lines.append(u)
    return lines + ([f"= {val}"] if sep else [])


def _place_labels(
    nodes: list[_Node],
    edges: list[tuple[int, int, int]],
    routes: list[Route],
    label_lines: list[list[str]],
    sizes: list[tuple[float, float]],
) -> tuple[list[tuple[Box, list[str], int]], set[int]]:
    """Each label on its own edge, free of the nodes and of the labels placed before,
    where it covers the fewest other edges. Returns (box, lines, edge index) of each label
    and the ranks whose gap was too narrow."""
    placer = Placer([Box(nd.x, nd.y, nd.x + nd.w, nd.y + nd.h) for nd in nodes], margin=2.0)
    # each route as segments (12 per curve), to count the edges a label would cover
    polys = [_route_points(rt) for rt in routes]
    seg_all = np.array(
        [[*p[q], *p[q + 1]] for p in polys for q in range(len(p) - 1)], dtype=np.float64
    ).reshape(-1, 4)
    seg_owner = np.repeat(np.arange(len(polys)), [len(p) - 1 for p in polys])
    # the candidate places along each route, from its middle outwards
    us = sorted(np.linspace(0.04, 0.96, 31), key=lambda u: abs(u - 0.5))
    order = sorted(
        range(len(edges)), key=lambda j: -abs(routes[j][-1][1][3] - routes[j][0][1][1])
    )  # steepest first
    placed: list[tuple[Box, list[str], int]] = []
    failed: set[int] = set()
    for j in order:
        if not label_lines[j]:
            continue
        w, h = sizes[j]

        on = [_route_at(routes[j], u) for u in us]
        # then beside the edge, touching it from above or below (a small extra cost)
        beside = [(x, y + sgn * (h / 2 + 1)) for x, y in on for sgn in (-1, 1)]
        extra = {(round(x, 3), round(y, 3)): 0.5 for x, y in beside}

        def covered(box: Box, j: int = j, extra: dict = extra) -> float:
            c = (round((box.x0 + box.x1) / 2, 3), round((box.y0 + box.y1) / 2, 3))
            hit = segments_hit_box(seg_all, box) & (seg_owner != j)
            return extra.get(c, 0.0) + len(set(seg_owner[hit].tolist()))

        before = placer.failed
        box = placer.place(w, h, on + beside, covered)
        if placer.failed > before:
            failed.add(nodes[edges[j][0]].rank)
        placed.append((box, label_lines[j], j))
    return placed, failed


def _dot_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dot(
    nodes: list[_Node],
    edges: list[tuple[int, int, int]],
    backward: bool,
    decimals: int,
    title: str,
) -> str:
    texts = _edge_texts(nodes, edges, decimals) if backward else [""] * len(edges)
    out = [
        "digraph glassnet {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fontname="monospace", fontsize=10];',
        '  edge [fontname="monospace", fontsize=9];',
    ]
    if title:
        out.append(f"  label={_dot_str(title)}; labelloc=t;")
    for nd in nodes:
        lines = [f"{nd.lines[0]}   {nd.tag}", *nd.lines[1:]] if nd.tag else nd.lines
        label = "\\n".join(s.replace("\\", "\\\\").replace('"', '\\"') for s in lines)
        tip = _dot_str(nd.tip).replace("\n", "\\n")  # (the tooltip of an SVG made by dot)
        out.append(f'  n{nd.index} [label="{label}", fillcolor="{_FILL[nd.kind]}", tooltip={tip}];')
    for (src, dst, _k), text in zip(edges, texts):
        if backward:
            out.append(
                f'  n{src} -> n{dst} [dir=back, color="{_BACKWARD_EDGE}", '
                f'fontcolor="{_BACKWARD_EDGE}", label={_dot_str(text)}];'
            )
        else:
            out.append(f"  n{src} -> n{dst};")
    out.append("}")
    return "\n".join(out) + "\n"


def draw_graph(
    tensor: Tensor,
    backward: bool = False,
    fmt: str = "svg",
    *,
    grads: bool | None = None,
    decimals: int = 3,
    title: str = "",
    max_nodes: int = 400,
) -> str:
    """Draw the computational graph that produced ``tensor``.

    Parameters
    ----------
    tensor : Tensor
        The result of a computation (a loss, an output...), or a
        :class:`glassnet.micrograd.Value` (its Tensor is drawn).
    backward : bool
        Draw the reversed graph: arrows point from each node back to its inputs
        and carry the local derivative d(node)/d(input) (``w5 = 1``,
        ``g'(z3) = 0.25``), the slides' backpropagation picture.
    fmt : ``'svg'`` or ``'dot'``
        SVG text (self-contained, no Graphviz needed) or Graphviz DOT text.
    grads : bool, optional
        Show each node's gradient dL/d(node), L = ``tensor`` (the sum of its
        values if it has several), computed by a reverse sweep that leaves every
        ``.grad`` untouched. Default: when ``tensor`` requires grad. With
        ``grads=False`` the nodes show their ``.grad`` if backward() set one.
    decimals : int
        Decimals of the numbers shown.
    title : str
        A title written above the drawing.
    max_nodes : int
        Refuse graphs larger than this (they would not be readable).

    Returns
    -------
    str
        The SVG document or the DOT text. Save it with :func:`glassnet.viz.save`.
    """
    if fmt not in ("svg", "dot"):
        raise ValueError(f"The 'fmt' parameter of draw_graph must be 'svg' or 'dot'. Got {fmt!r}.")
    if not isinstance(tensor, Tensor) and isinstance(getattr(tensor, "tensor", None), Tensor):
        tensor = tensor.tensor  # a glassnet.micrograd Value: the Tensor node it is
    if not isinstance(backward, (bool, np.bool_)):  # draw_graph(t, "dot") meant fmt="dot"
        raise ValueError(
            f"The 'backward' parameter of draw_graph must be a bool. Got {backward!r}"
            + ("; pass the format as fmt=..." if backward in ("svg", "dot") else "")
            + "."
        )
    if grads is not None and not isinstance(grads, (bool, np.bool_)):
        raise ValueError(
            f"The 'grads' parameter of draw_graph must be True, False or None (automatic). "
            f"Got {grads!r}."
        )
    if whole(decimals) is None or not 0 <= decimals <= 12:  # (NumPy's ints too)
        raise ValueError(
            f"The 'decimals' parameter of draw_graph must be an int in [0, 12]. Got {decimals!r}."
        )
    if whole(max_nodes) is None or max_nodes < 1:
        raise ValueError(
            f"The 'max_nodes' parameter of draw_graph must be an int >= 1. Got {max_nodes!r}."
        )
    decimals, max_nodes = int(decimals), int(max_nodes)
    if not isinstance(title, str):  # (None drew the title "None")
        raise ValueError(f"The 'title' parameter of draw_graph must be a str. Got {title!r}.")
    # (a graph through a singular point, log(0) say, has inf or nan gradients: the
    # picture writes them, without NumPy's warnings from the backward functions)
    # (a Sequential's unlabelled weights are named by their layer: W₁, b₁, W₂, ...)
    names = _DRAWN_NAMES.set(_layer_names(graph_nodes(tensor, max_nodes)))
    try:
        with np.errstate(all="ignore"):
            nodes, edges, _ = _build(tensor, grads, decimals, max_nodes)
            render = _svg if fmt == "svg" else _dot
            drawn = render(nodes, edges, bool(backward), decimals, title)
            return SVG(drawn) if fmt == "svg" else drawn  # (SVG: a str a notebook draws)
    finally:
        _DRAWN_NAMES.reset(names)
