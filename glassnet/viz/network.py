"""Draw a fully-connected network as the lecture's slides do: neurons in layers.

Forward view (``draw_network(model, x)``): each weight is an edge whose colour is its
sign (blue positive, red negative) and whose thickness is its magnitude; each neuron
shows its name and, for a given input, its activation ``a = g(z)`` (with ``z`` and the
bias written beneath).

Backward view (``draw_network(model, x, y, backward=True)``): the slides'
backpropagation picture. Each neuron is split into its weighted sum ``z`` and its
activation ``a``; the graph is reversed (arrows point from the loss back to the
inputs); each edge carries its local derivative, the weight ``w`` on a weighted-sum
edge and ``g'(z)`` on an activation edge; each node carries ``dL/d(node)``, each weight
edge ``dL/dw`` as well. Every number is :func:`glassnet.explain.explain`'s, for the same
data point and loss.

Layers wider than ``max_neurons`` show their first neurons and the last, a
``⋮ N more`` marker in between, and a note on the picture says so. Labels are laid out
so that no two overlap (:class:`glassnet.viz._svg.Placer`). SVG, written by hand: no
system dependency.

>>> import glassnet as gn
>>> from glassnet.viz import draw_network
>>> svg = draw_network(gn.nn.MLP([2, 2, 1], rng=0), x=[1.0, 0.0])
>>> svg.startswith("<svg")
True
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

import numpy as np

from .. import functional as F
from .._validation import check_choice
from ..chain import as_chain
from ..explain import Explanation, dropout_note, explain, loss_kind, unicode_symbol
from ..fused import FastMLP
from ..nn.module import Module
from ..report import fmt, make_names
from ..tensor import Tensor
from ._svg import (
    ASCENT,
    CHAR_EM,
    DESCENT,
    SVG,
    Box,
    Placer,
    arrow_head,
    backing_el,
    esc,
    label_el,
    label_size,
    segments_hit_box,
    svg_open,
    text_box,
    text_el,
    text_width,
    whole,
    wrap_text,
)
from .plots import network_layers, not_real

__all__ = ["draw_network", "LOSS_FORMULAS"]

POSITIVE = "#2b6cb0"
NEGATIVE = "#c53030"
BACKPROP = "#a5281b"  # gradients
NEUTRAL = "#555555"
HALO = ' stroke="white" stroke-width="3" paint-order="stroke"'  # edges never strike text
_R = 28.0  # neuron radius
_PAD = 3.0  # label padding

LOSS_FORMULAS = {
    "half_mse": "L = ½(ŷ − y)²",
    "mse": "L = (ŷ − y)²",
    "binary_cross_entropy": "L = −y log ŷ − (1 − y) log(1 − ŷ)",
    "binary_cross_entropy_with_logits": "L = −y log σ(ŷ) − (1 − y) log(1 − σ(ŷ))",
    "cross_entropy": "L = −Σₖ yₖ log ŷₖ",
}
"""The loss of each kind, as the backward picture writes it (one data point, one output):
the lecture's ½(ŷ − y)², as explain writes it."""

_MEAN_FORMULAS = {
    "half_mse": "L = (1/K) Σₖ ½(ŷₖ − yₖ)²",
    "mse": "L = (1/K) Σₖ (ŷₖ − yₖ)²",
    "binary_cross_entropy": "L = (1/K) Σₖ [−yₖ log ŷₖ − (1 − yₖ) log(1 − ŷₖ)]",
    "binary_cross_entropy_with_logits": "L = (1/K) Σₖ [−yₖ log σ(ŷₖ) − (1 − yₖ) log(1 − σ(ŷₖ))]",
    "cross_entropy": LOSS_FORMULAS["cross_entropy"],
}
"""The loss of K outputs (one data point): explain's mean over the outputs (cross-entropy
sums over the classes)."""

_LOGITS_CROSS_ENTROPY = "L = −Σₖ yₖ log softmax(ŷ)ₖ"
"""Cross-entropy on an identity output: ŷ are the logits, the softmax is inside the loss
(as explain writes it); −Σₖ yₖ log ŷₖ would take the log of a logit."""


@dataclass
class _Node:
    name: str  # shown inside, small
    value: str  # shown inside, bold ("" for none)
    captions: list[str] = field(default_factory=list)  # beneath the circle
    fill: str = "#ffffff"
    tip: str = ""  # hover text: its value in full
    x: float = 0.0
    y: float = 0.0


@dataclass
class _Edge:
    src: tuple[int, int]  # (column, row slot)
    dst: tuple[int, int]
    color: str
    width: float
    lines: list[tuple[str, str]]  # label lines (text, colour); empty: no label
    tip: str = ""  # hover text


def _shown(n: int, max_neurons: int) -> list[int]:
    """Indices drawn for a layer of n neurons (first ones and the last, when too many)."""
    if n <= max_neurons:
        return list(range(n))
    return list(range(max_neurons - 1)) + [n - 1]


def _absmax(arrays: Any) -> float:
    """The largest finite |value| of ``arrays`` (0 when there is none): NaN or inf in a
    diverged network do not set the scale of the others."""
    out = 0.0
    for a in arrays:
        a = np.abs(np.asarray(a, dtype=np.float64))
        a = a[np.isfinite(a)]
        if a.size:
            out = max(out, float(a.max()))
    return out


def _width(w: float, wmax: float) -> float:
    """An edge's stroke width for the weight w: 0.7 px at 0 to 6 px at the largest |w|
    (an infinite weight the widest, NaN the thinnest)."""
    if np.isnan(w):
        return 0.7
    return 0.7 + 5.3 * min(abs(w) / (wmax or 1.0), 1.0)


def _color(w: float) -> str:
    """An edge's colour: blue for w >= 0, red for w < 0, grey for NaN."""
    if np.isnan(w):
        return NEUTRAL
    return POSITIVE if w >= 0 else NEGATIVE


def _fill(v: float, vmax: float) -> str:
    """Light shading by the value's sign and size (white at 0)."""
    if not np.isfinite(v) or not np.isfinite(vmax) or vmax <= 0:
        return "#ffffff"
    t = min(abs(v) / vmax, 1.0) * 0.5
    base = (43, 108, 176) if v >= 0 else (197, 48, 48)
    r, g, b = (round(255 - t * (255 - c)) for c in base)
    return f"#{r:02x}{g:02x}{b:02x}"


def _num(v: float, decimals: int) -> str:
    """A number as the picture writes it: :func:`glassnet.report.fmt`'s (the slides' fixed
    decimals, 0.002, 0.881, -0.010), but a nonzero value too small for ``decimals``
    decimals in a short scientific form, two significant digits: ``-2.4e-4``, not fmt's
    ``-2.41e-04`` (wider than its circle) nor ``-0.000`` (a deep sigmoid network's
    shrinking gradients all read 0.000, the vanishing gradient the picture is to show).
    The node's tooltip gives it in full; a huge value keeps fmt's notation.

    >>> _num(0.881, 3), _num(-0.000241, 3), _num(0.0005, 3), _num(9.58e-07, 3), _num(0.0, 3)
    ('0.881', '-2.4e-4', '5.0e-4', '9.6e-7', '0')
    """
    v = float(v)
    text = fmt(v, decimals)
    if "e-" in text and v != 0 and abs(v) < 1:
        with localcontext() as ctx:  # (half up, as fmt rounds)
            ctx.rounding = ROUND_HALF_UP
            mantissa, _, exponent = f"{Decimal(repr(v)):.1e}".partition("e")
        return f"{mantissa}e{int(exponent)}"
    return text


def _num_more(v: float, decimals: int, more: int) -> str:
    """``v`` as :func:`_num` writes it, with ``more`` more digits: more decimals, or, for
    its short scientific form, more digits of the mantissa (``-2.41e-4``); a value those
    decimals give exactly keeps its usual print (``0.5``, ``4``).

    >>> _num_more(0.0024665, 3, 2), _num_more(-0.000241, 3, 1), _num_more(0.5, 3, 2)
    ('0.00247', '-2.41e-4', '0.500')
    """
    text = _num(v, decimals)
    if more == 0 or not math.isfinite(v) or Decimal(text) == Decimal(repr(float(v))):
        return text
    if "e-" in text and abs(v) < 1:
        with localcontext() as ctx:  # (half up, as fmt rounds)
            ctx.rounding = ROUND_HALF_UP
            mantissa, _, exponent = f"{Decimal(repr(float(v))):.{1 + more}e}".partition("e")
        return f"{mantissa}e{int(exponent)}"
    return fmt(float(v), decimals + more)


def _factor(v: float, decimals: int, products: list[tuple[str, float]]) -> str:
    """A factor ``v`` as the picture writes it, with as many more digits (at most 6) as
    make each product it is drawn in, ``(the other factor as written, the product)``,
    worked out from the numbers as written, come out as the product is written: a₂ =
    0.00247 beside ∂L/∂z₃ = -0.098 and ∂L/∂w₆ = -2.4e-4, where 0.002 made -2.0e-4 (the
    rule explain's tables follow). Its usual print where no digits do (a saturated output,
    whose ∂L/∂z is the loss's own: a note says so) or none are needed (the slides' XNOR)."""
    for more in range(7):
        text = _num_more(v, decimals, more)
        try:
            if all(
                _num(float(Decimal(other) * Decimal(text)), decimals) == _num(p, decimals)
                for other, p in products
            ):
                return text
        except ArithmeticError:  # (an inf or nan written: its usual print)
            break
    return _num(v, decimals)


def _exact(v: float, decimals: int) -> str:
    """A number in full for a tooltip: 3 more decimals than the picture's, fmt's format."""
    return fmt(float(v), decimals + 3)


def _check_int(v: Any, name: str, lo: int, hi: int | None = None) -> int:
    n = whole(v)  # (NumPy's ints too: np.int64(4) was refused as "must be an int >= 2")
    if n is None or n < lo or (hi is not None and n > hi):
        rng = f">= {lo}" if hi is None else f"in [{lo}, {hi}]"
        raise ValueError(f"The '{name}' parameter of draw_network must be an int {rng}. Got {v!r}.")
    return n


def _explained(model: Any, x: Any, y: Any, loss: str, names: str, decimals: int) -> Any:
    """``explain``'s numbers for the backward view; a refusal of the target (its shape, text,
    a class label a binary loss cannot take) or of the loss for this model names
    draw_network, the function called, not explain."""
    try:
        return explain(model, x, y, loss, names=names, decimals=decimals)
    except (TypeError, ValueError) as err:
        text = str(err)
        if type(err) in (TypeError, ValueError) and text.startswith("explain: "):
            raise type(err)("draw_network: " + text.removeprefix("explain: ")) from None
        raise


def draw_network(
    model: Module,
    x: Any = None,
    y: Any = None,
    *,
    backward: bool = False,
    loss: str = "half_mse",
    names: str = "auto",
    decimals: int = 3,
    max_neurons: int = 8,
    edge_labels: bool | None = None,
    title: str = "",
    font_size: float = 13.0,
) -> str:
    """An SVG diagram of a network of fully-connected layers, forward or reversed.

    Parameters
    ----------
    model : Module
        A ``Sequential``, ``MLP`` or ``Neuron`` of ``Linear`` layers and activations, or a
        Module of your own whose forward calls them in turn (:func:`glassnet.chain.as_chain`).
    x : array of shape (d,), optional
        One input; each neuron then shows its activation a = g(z) for it, with z
        written beneath. Required with ``backward=True``.
    y : target of that data point (a number, shape (K,), or a class label for
        ``loss='cross_entropy'``); required with ``backward=True``.
    backward : bool
        Draw the slides' backpropagation picture: the reversed network, each neuron as
        its weighted sum z and activation a, edges carrying ``w`` and ``g'(z)``, nodes
        carrying dL/d(node), weight edges dL/dw too. The numbers are
        ``explain(model, x, y, loss)``'s.
    loss : str
        The loss of the backward view, as in :func:`glassnet.explain.explain`
        (default ``'half_mse'``, the lecture's L = 1/2 (y_hat - y)^2).
    names : ``'auto'``, ``'lecture'`` or ``'layered'``
        Neuron and weight names, as in :func:`glassnet.explain.explain` (drawn with the
        slides' typography: z₁, ŷ, w⁽¹⁾₁₂).
    decimals : int
        Decimals of the numbers written.
    max_neurons : int
        Layers wider than this show their first ``max_neurons - 1`` neurons and the
        last; the picture says how many it leaves out. Edges of neurons not drawn are
        not drawn either.
    edge_labels : bool, optional
        Write each weight's name and value on its edge (default: when at most 16 weight
        edges are drawn).
    title : str
        A title written above the drawing.
    font_size : float
        Size of the main text in px (captions are 1 px smaller); default 13, legible
        at 100 % on a 1280-px slide.

    Returns
    -------
    str
        The SVG document; save it with :func:`glassnet.viz.save`.
    """
    skipped = dropout_note(model, short=True)  # (said on the picture: it draws the eval-mode pass)
    model = as_chain(model, x, "draw_network")  # (a Module of the user's own: its chain)
    layers = network_layers(model, "draw_network")
    max_neurons = _check_int(max_neurons, "max_neurons", 2)
    decimals = _check_int(decimals, "decimals", 0, 12)
    if isinstance(backward, bool) is False:
        raise ValueError(
            f"The 'backward' parameter of draw_network must be a bool. Got {backward!r}."
        )
    if (
        isinstance(font_size, bool)
        or not isinstance(font_size, (int, float))
        or not 8 <= font_size <= 40
    ):
        raise ValueError(
            "The 'font_size' parameter of draw_network must be a number in [8, 40]. "
            f"Got {font_size!r}."
        )
    if edge_labels is not None and not isinstance(edge_labels, (bool, np.bool_)):
        raise ValueError(
            "The 'edge_labels' parameter of draw_network must be True, False or None "
            f"(automatic). Got {edge_labels!r}."
        )
    if not isinstance(title, str):
        raise ValueError(f"The 'title' parameter of draw_network must be a str. Got {title!r}.")
    if y is not None and not backward:
        raise ValueError(
            "draw_network: y (the target) is drawn only by the backward view, with the "
            "gradients of its loss; pass backward=True, or leave y out for the forward "
            "view's activations."
        )
    check_choice(names, "names", "draw_network", ("auto", "lecture", "layered"))
    d = layers[0].inputs
    nm = make_names(layers, names)
    bad = sum(int(np.count_nonzero(~np.isfinite(lay.W))) for lay in layers)
    # a diverged network's NaN are expected (the picture shows them and says why)
    quiet = np.errstate(invalid="ignore", over="ignore") if bad else contextlib.nullcontext()
    widths = [d] + [lay.neurons for lay in layers]
    shown = [_shown(n, max_neurons) for n in widths]
    # (the scales of what is drawn: an elided neuron's weight or value is nowhere to see)
    wmax = _absmax(lay.W[np.ix_(shown[l], shown[l + 1])] for l, lay in enumerate(layers))
    n_drawn = sum(len(shown[l]) * len(shown[l + 1]) for l in range(len(layers)))
    if edge_labels is None:
        edge_labels = n_drawn <= 16
    fs = float(font_size)
    if backward:
        if x is None or y is None:
            raise ValueError(
                "draw_network(backward=True) draws the gradients of one data point: pass its "
                "input x and target y, e.g. draw_network(model, [1.0, 0.5], 1.0, backward=True)."
            )
        known = sorted(
            n for n in set(F.LOSSES) | set(F.LOSS_ALIASES) if F.get_loss(n).name in LOSS_FORMULAS
        )
        if loss_kind(loss) not in LOSS_FORMULAS:  # (any case, an alias too)
            raise ValueError(
                f"The 'loss' parameter of draw_network must be one of {known}. Got {loss!r}."
            )
        _one_input(x, d)
        with quiet:
            e = _explained(model, x, y, loss, names, decimals)
        cols, edges, caps, vmax = _backward_picture(
            e, layers, shown, widths, wmax, edge_labels, decimals
        )
        xmax = 0.0
        # a weight gap (even) starts at 190 px (130 without labels) and widens while a label
        # finds no place; an activation or loss gap (odd) holds its one-line labels
        lab = [
            max((text_width(ed.lines[0][0], font_size - 1) for ed in edges
                 if min(ed.src[0], ed.dst[0]) == c and ed.lines), default=0.0)
            for c in range(len(cols) - 1)
        ]  # fmt: skip
        dxs = [
            (190.0 if edge_labels else 130.0)
            if c % 2 == 0 and c < len(lab) - 1
            else max(120.0, lab[c] + 2 * _R + 30)
            for c in range(len(lab))
        ]
        dy = 132.0
    else:
        with quiet:
            cols, edges, caps, (vmax, xmax) = _forward_picture(
                x, layers, nm, shown, widths, wmax, edge_labels, decimals
            )
        dxs = [230.0] * (len(cols) - 1)
        dy = 104.0
    # a circle holds its bold value, at fs px or down to 12 px: its whole box, on its line
    # below the centre, inside the circle (-2.41e-04 crossed the circle of z₂); long
    # values (-1234.500, 1.52e+07) widen every circle, and the gaps with them
    r = _R
    if any(n.value for col in cols for n in col):  # the value's line, below the centre
        r = max(r, _value_y(fs) + DESCENT * fs + 3)
    # and its name fits too (a⁽¹⁾₁₀₀₀ of a wide layer): the corners of the name's box,
    # above the value (or centred without one), inside the circle
    for col in cols:
        for n in col:
            size, top = (fs - 1, _name_up(fs) + ASCENT * (fs - 1)) if n.value else (fs, 0.45 * fs)
            r = max(r, math.hypot(text_width(n.name, size) / 2 + 2, top))
    r = max([r] + [_value_r(n.value, fs, _fit(n.value, fs, r)) for col in cols for n in col])
    r = float(math.ceil(r - 1e-9))  # (the circle is written with a whole radius)
    dxs = [g + 2 * (r - _R) for g in dxs]
    dy += 2 * (r - _R)
    notes = _elision_note(widths, shown) + [skipped] * bool(skipped)
    if bad:
        notes.append(
            f"{bad} of the weights are NaN or inf (has training diverged?): NaN edges are "
            "grey, infinite ones the widest; the thickness scale uses the finite weights."
        )
    elif backward and e.problems:  # finite weights, but a number overflowed float64
        notes.append(e.problems[0][0].upper() + e.problems[0][1:])
    if backward and not bad:
        notes += _unmultiplied(e)
    if n_drawn > 40 or max(len(s) for s in shown) > 6:  # dense: values only, rows closer
        for col in cols[:-1] if backward else cols:  # (the loss keeps its target and value)
            for node in col:
                node.captions = node.captions[:1] if backward else []
        dy = 2 * r + (22 if backward else 14)
        notes.append(
            ("Biases and their gradients are" if backward else "Weighted sums and biases are")
            + " not written on a network this size; explain(model, x, y) lists every number."
        )
    left_out = [w - len(s) for w, s in zip(widths, shown)]  # per layer
    # per column: the backward view draws each layer twice (z and a), then the loss
    more = (
        left_out
        if not backward
        else [left_out[0]] + [m for m in left_out[1:] for _ in (0, 1)] + [0]
    )
    # captions of neighbouring columns side by side (the loss formula of several outputs,
    # 'L = (1/K) Σₖ [−yₖ log ŷₖ − ...]', is wider than the gap its edge labels need)
    half = [
        max((text_width(t, fs - 1) / 2 for n in col for t in n.captions), default=0.0)
        for col in cols
    ]
    dxs = [max(g, half[c] + half[c + 1] + 16) for c, g in enumerate(dxs)]
    legend = _legend(backward, wmax, decimals, loss if backward else None, vmax, xmax)
    for attempt in range(40):  # widen the gaps until every label finds a free place
        svg, failed, gap_failed = _render(
            cols, edges, caps, more, dxs, dy, fs, title, notes, legend, backward, r
        )
        if not failed:
            break
        dxs = [g + (30.0 if gap_failed.get(c) else 0.0) for c, g in enumerate(dxs)]
        if attempt >= 5:  # many labels in a column: wider gaps alone do not free them
            dy *= 1.12
    return SVG(svg)  # (a str a notebook draws)


# =====================================================================================
# What the two views show
# =====================================================================================
def _one_input(x: Any, d: int) -> np.ndarray:
    """``x`` as one finite input of d numbers (shape (d,) or (1, d)), else the error that
    says what draw_network wants."""
    raw = x.data if isinstance(x, Tensor) else x
    why = not_real(raw)  # (complex numbers lost their imaginary part, text was read)
    try:
        if why:
            raise ValueError(why)
        xa = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"draw_network: x must be one input of {d} numbers, shape ({d},)"
            + (f"; {why}" if why else "")
            + f". Got {x!r}."
        ) from None
    if xa.ndim == 2 and xa.shape[0] > 1 and xa.shape[1] == d:
        raise ValueError(
            f"draw_network draws one data point; x has {xa.shape[0]} rows. Pass one row, "
            "e.g. x[0] (and y[0])."
        )
    if xa.shape not in ((d,), (1, d)) or not np.all(np.isfinite(xa)):
        raise ValueError(
            f"draw_network: x must be one finite input of shape ({d},). Got shape "
            f"{xa.shape}" + ("" if np.all(np.isfinite(xa)) else " with NaN or inf") + "."
        )
    return xa


def _forward_picture(
    x: Any,
    layers: list,
    nm: Any,
    shown: list[list[int]],
    widths: list[int],
    wmax: float,
    edge_labels: bool,
    decimals: int,
) -> tuple[list[list[_Node]], list[_Edge], list[str], tuple[float, float]]:
    d = layers[0].inputs
    acts = zs = None
    if x is not None:
        xa = _one_input(x, d)
        # the fast path's forward trace (no targets: the loss is never computed; g' unread)
        fast = FastMLP(layers, "mse", dtype=np.float64)
        trace = fast.trace(xa.reshape(1, d), finite=False, jacobians=False)
        acts = [xa.reshape(d)] + [rec["A"][0] for rec in trace.layers]
        zs = [rec["Z"][0] for rec in trace.layers]
    u = unicode_symbol
    cols: list[list[_Node]] = []
    # one shade scale for the neurons (the legend gives it): per column, ŷ = 0.595 was as
    # dark as a₂ = 0.881; the inputs on their own (an unscaled x₁ = 100 washed every
    # neuron white)
    vmax = _absmax(a[shown[c + 1]] for c, a in enumerate(acts[1:])) if acts is not None else 0.0
    xmax = _absmax([acts[0][shown[0]]]) if acts is not None else 0.0
    for c, s in enumerate(shown):
        vals = acts[c] if acts is not None else None
        col = []
        for j in s:
            name = u(nm.x[j]) if c == 0 else u(nm.a[c - 1][j])
            node = _Node(name, "" if vals is None else _num(vals[j], decimals))
            if vals is not None:
                node.tip = f"{name} = {_exact(vals[j], decimals)}"
            node.fill = (
                "#f2f2f2"
                if vals is None and c == 0
                else (
                    "#ffffff" if vals is None else _fill(float(vals[j]), xmax if c == 0 else vmax)
                )
            )
            if c > 0:
                lay = layers[c - 1]
                if zs is not None:
                    node.captions.append(f"{u(nm.z[c - 1][j])} = {_num(zs[c - 1][j], decimals)}")
                if lay.b is not None:
                    node.captions.append(f"{u(nm.b[c - 1][j])} = {_num(lay.b[j], decimals)}")
            col.append(node)
        cols.append(col)
    edges = []
    for l, lay in enumerate(layers):
        for r1, i in enumerate(shown[l]):
            for r2, k in enumerate(shown[l + 1]):
                w = float(lay.W[i, k])
                color = _color(w)
                text = f"{u(nm.w[l][i][k])} = {_num(w, decimals)}"
                edges.append(
                    _Edge((l, r1), (l + 1, r2), color, _width(w, wmax),
                          [(text, color)] if edge_labels else [], text)
                )  # fmt: skip
    caps = ["input"] + [
        ("output" if l == len(layers) - 1 else f"hidden {l + 1}") + f" · {lay.act}"
        for l, lay in enumerate(layers)
    ]
    return cols, edges, caps, (vmax, xmax)


def _backward_picture(
    e: Explanation,
    layers: list,
    shown: list[list[int]],
    widths: list[int],
    wmax: float,
    edge_labels: bool,
    decimals: int,
) -> tuple[list[list[_Node]], list[_Edge], list[str], float]:
    """Columns: x | z(1) a(1) | ... | z(L) y_hat | L. Every number from ``e``."""
    nm, u, d = e.names, unicode_symbol, decimals
    f = lambda v: _num(v, d)  # noqa: E731
    vmax = _absmax(
        [g[0, shown[l + 1]] for l, g in enumerate(e.dL_dZ)]
        + [g[0, shown[l + 1]] for l, g in enumerate(e.dL_dA)]
        + [e.dL_dx[0, shown[0]]]
    )
    cols: list[list[_Node]] = []

    def value(l: int, i: int, v: float) -> str:
        """The value ``v`` that layer ``l``'s weights from unit ``i`` multiply (an input,
        or a hidden unit's a), written so that each ∂L/∂w = ∂L/∂z × v drawn multiplies out."""
        if l == len(layers):  # (ŷ: no weight multiplies it)
            return f(v)
        pairs = [(f(e.dL_dZ[l][0, k]), float(e.grad_W[l][i, k])) for k in shown[l + 1]]
        return _factor(v, d, pairs)

    # inputs: dL/dx
    cols.append(
        [
            _Node(u(nm.x[i]), f(e.dL_dx[0, i]), [f"{u(nm.x[i])} = {value(0, i, e.x[0, i])}"],
                  _fill(float(e.dL_dx[0, i]), vmax))
            for i in shown[0]
        ]
    )  # fmt: skip
    for node, i in zip(cols[0], shown[0]):
        node.tip = f"∂L/∂{node.name} = {_exact(e.dL_dx[0, i], d)}"
    for l, lay in enumerate(layers):
        zc, ac = [], []
        for k in shown[l + 1]:
            zn, an = nm.z[l][k], nm.a[l][k]
            caps = [f"{u(zn)} = {f(e.Z[l][0, k])}"]
            if lay.b is not None:
                bn = nm.b[l][k]
                caps.append(f"{u(bn)} = {f(e.b[l][k])}")
                caps.append(f"∂L/∂{u(bn)} = {f(e.grad_b[l][k])}")
            zc.append(_Node(u(zn), f(e.dL_dZ[l][0, k]), caps, _fill(float(e.dL_dZ[l][0, k]), vmax)))
            ac.append(
                _Node(u(an), f(e.dL_dA[l][0, k]), [f"{u(an)} = {value(l + 1, k, e.A[l][0, k])}"],
                      _fill(float(e.dL_dA[l][0, k]), vmax))
            )  # fmt: skip
        for node, k in zip(zc, shown[l + 1]):
            node.tip = f"∂L/∂{node.name} = {_exact(e.dL_dZ[l][0, k], d)}"
        for node, k in zip(ac, shown[l + 1]):
            node.tip = f"∂L/∂{node.name} = {_exact(e.dL_dA[l][0, k], d)}"
        cols += [zc, ac]
    formula = (LOSS_FORMULAS if widths[-1] == 1 else _MEAN_FORMULAS)[e.kind]
    if e.kind == "cross_entropy" and layers[-1].act != "softmax":  # ŷ are the logits
        formula = _LOGITS_CROSS_ENTROPY
    if widths[-1] == 1:
        loss_caps = [formula, f"y = {f(e.y[0, 0])}", f"= {f(e.loss)}"]
    else:
        y_row = "y = [" + ", ".join(f(v) for v in e.y[0]) + "]"
        mean = e.kind != "cross_entropy"
        loss_caps = [formula] + ([f"K = {widths[-1]}"] if mean else [])
        loss_caps += [y_row, f"= {f(e.loss)}"]
    # (∂L/∂L = 1 > 0, shaded as every node: a fixed pink read as negative)
    cols.append([_Node("L", "1", loss_caps, _fill(1.0, vmax))])
    edges: list[_Edge] = []
    nL = len(layers)
    # L -> y_hat: step 1, dL/dy_hat
    for r, k in enumerate(shown[-1]):
        text = f"∂L/∂{u(nm.a[-1][k])} = {f(e.dL_dyhat[0, k])}"
        edges.append(_Edge((2 * nL + 1, 0), (2 * nL, r), NEUTRAL, 1.6, [(text, BACKPROP)], text))
    for l, lay in enumerate(layers):
        zc, ac = 2 * l + 1, 2 * l + 2
        # a -> z: step 2, g'(z) (a softmax output: its Jacobian d a_i / d z_k)
        for r, k in enumerate(shown[l + 1]):
            if lay.act == "softmax":
                for r2, i in enumerate(shown[l + 1]):
                    jac = float(e.gprime[l][0, i, k])
                    text = f"∂{u(nm.a[l][i])}/∂{u(nm.z[l][k])} = {_num(jac, d)}"
                    lines = [(text, NEUTRAL)] if len(shown[l + 1]) <= 3 else []
                    edges.append(_Edge((ac, r2), (zc, r), NEUTRAL, 1.3, lines, text))
            else:  # (written so that ∂L/∂z = g′(z) × ∂L/∂a, as drawn, multiplies out)
                g, zn = float(e.gprime[l][0, k]), u(nm.z[l][k])
                text = f"g′({zn}) = {_factor(g, d, [(f(e.dL_dA[l][0, k]), e.dL_dZ[l][0, k])])}"
                tip = f"g′({zn}) = {_exact(g, d)}"  # (in full, as the nodes' tooltips)
                edges.append(_Edge((ac, r), (zc, r), NEUTRAL, 1.6, [(text, NEUTRAL)], tip))
        # z -> the values below it: the weights, and dL/dw = dL/dz * v
        for r2, k in enumerate(shown[l + 1]):
            for r1, i in enumerate(shown[l]):
                w = float(e.W[l][i, k])
                wn = u(nm.w[l][i][k])
                color = _color(w)
                lines = [
                    (f"{wn} = {_num(w, d)}", color),
                    (f"∂L/∂{wn} = {f(e.grad_W[l][i, k])}", BACKPROP),
                ]
                edges.append(
                    _Edge((zc, r2), (zc - 1, r1), color, _width(w, wmax),
                          lines if edge_labels else [], " ; ".join(t for t, _ in lines))
                )  # fmt: skip
    caps = ["input"]
    for l, lay in enumerate(layers):
        name = "output" if l == nL - 1 else f"hidden {l + 1}"
        caps += [f"{name}: z", f"{'ŷ' if l == nL - 1 else 'a'} = {lay.act}(z)"]
    caps.append("loss")
    return cols, edges, caps, vmax


def _unmultiplied(e: Explanation) -> list[str]:
    """A note for each output neuron whose ∂L/∂z the picture's edges do not multiply out
    to: a saturated sigmoid under binary cross-entropy (or softmax under cross-entropy),
    where ŷ rounds to 0 or 1, so g′(z) is 0 and ∂L/∂ŷ huge, and ∂L/∂z is the loss's own
    ŷ − y, computed directly."""
    notes = []
    last = len(e.W) - 1
    for k, zn in enumerate(e.names.z[-1]):
        dz = float(e.dL_dZ[last][0, k])
        with np.errstate(all="ignore"):
            if e.gprime[last].ndim == 3:  # softmax: the sum over the Jacobian's column
                prod = float(np.dot(e.dL_dyhat[0], e.gprime[last][0, :, k]))
            else:
                prod = float(e.dL_dyhat[0, k] * e.gprime[last][0, k])
        if not (math.isfinite(prod) and math.isclose(prod, dz, rel_tol=1e-6, abs_tol=1e-9)):
            yn, z = unicode_symbol(e.names.a[-1][k]), unicode_symbol(zn)
            notes.append(
                f"{yn} = {float(e.y_hat[0, k])!r} is saturated: the edges into {z} multiply "
                f"out to {fmt(prod, 3)} in floating point, so ∂L/∂{z} = {fmt(dz, 3)} is the "
                f"loss's own {yn} − {unicode_symbol(e.names.y[k])}, computed directly."
            )
    return notes


def _elision_note(widths: list[int], shown: list[list[int]]) -> list[str]:
    parts = []
    names = ["input"] + [f"hidden {c}" for c in range(1, len(widths) - 1)] + ["output"]
    for c, (w, s) in enumerate(zip(widths, shown)):
        if len(s) < w:  # (the inputs are no neurons)
            parts.append(f"{names[c]}: {len(s)} of {w}" + (" inputs" if c == 0 else ""))
    if not parts:
        return []
    neurons = " neurons" if any(len(s) < w for w, s in zip(widths[1:], shown[1:])) else ""
    return [
        "Wide layers elided (first neurons and the last shown, ⋮ marks the rest; their "
        "edges are not drawn):",
        "  " + ", ".join(parts) + neurons + " drawn.",
    ]


def _legend(
    backward: bool,
    wmax: float,
    decimals: int,
    loss: str | None,
    vmax: float = 0.0,
    xmax: float = 0.0,
) -> list[tuple[str, str]]:
    # (a reader took the node shades for weight signs: the legend named only the edges');
    # the backward view says it on its weights' line (a fourth line made a 3-12-1 picture
    # taller than a slide)
    top = fmt(vmax, decimals)
    if not backward:
        # the neurons on one scale, the inputs (raw features, x₁ = 100) on their own
        scales = ([f"{top} (neurons)"] if vmax > 0 else []) + (
            [f"{fmt(xmax, decimals)} (inputs, their own scale)"] if xmax > 0 else []
        )
        shade = f"Node shade: its value (blue > 0, red < 0), darkest at {', '.join(scales)}."
        return [
            (f"blue: w > 0, red: w < 0, thickness: |w| (largest {fmt(wmax, decimals)})", NEUTRAL),
        ] + ([(shade, NEUTRAL)] if scales else [])
    shade = (
        f" Node shade: ∂L/∂(node) alike, darkest at {top} in size; one scale." if vmax > 0 else ""
    )
    return [
        ("Arrows: the backward pass. Bold in a node: ∂L/∂(node); beneath: its forward value.",
         BACKPROP),
        ("An edge carries its local derivative (w, or g′(z)); ∂L/∂w = ∂L/∂z × (the value w "
         "multiplies).", NEUTRAL),
        (f"Blue: w > 0, red: w < 0, thickness: |w| (largest {fmt(wmax, decimals)}).{shade}",
         NEUTRAL),
    ]  # fmt: skip


# =====================================================================================
# Layout and SVG
# =====================================================================================
def _render(
    cols: list[list[_Node]],
    edges: list[_Edge],
    caps: list[str],
    more: list[int],
    dxs: list[float],
    dy: float,
    fs: float,
    title: str,
    notes: list[str],
    legend: list[tuple[str, str]],
    backward: bool,
    r: float = _R,
) -> tuple[str, int, dict[int, bool]]:
    small = fs - 1
    lh = small + 3
    slots = [len(c) + (1 if m else 0) for c, m in zip(cols, more)]
    rows = max(slots)
    x0 = 34.0 + max(text_width(c, small) for c in caps[:1]) / 2 + r
    xs = [x0]
    for g in dxs:
        xs.append(xs[-1] + g)
    # the title wraps to the network's width (at least 480 px): a long one made the drawing
    # 3282 px wide, the network in its left quarter
    title_w = max(xs[-1] + r + 34, 480.0) - 40
    titles = wrap_text(title, int(title_w // (CHAR_EM * (fs + 2)))) if title else []
    title_lh = fs + 2 + 5
    top = 24.0 + (fs + 16 + (len(titles) - 1) * title_lh if titles else 0.0) + fs + 14
    for c, col in enumerate(cols):
        y0 = top + (rows - slots[c]) * dy / 2
        for row, node in enumerate(col):
            k = row + (1 if more[c] and row == len(col) - 1 else 0)  # skip the marker's slot
            node.x, node.y = xs[c], y0 + k * dy + dy / 2
    # boxes taken up front: circles, their texts, captions, column captions, title
    taken: list[Box] = []
    for col in cols:
        for node in col:
            taken.append(Box(node.x - r, node.y - r, node.x + r, node.y + r, node.name))
            for q, cap in enumerate(node.captions):
                yb = node.y + r + 4 + small * 0.8 + q * lh
                taken.append(text_box(node.x, yb, cap, small, "middle"))
    for c, cap in enumerate(caps):
        taken.append(text_box(xs[c], top - 14, cap, small, "middle"))
    for c, col in enumerate(cols):  # an elided column's "⋮ N more" marker (drawn below)
        if more[c]:
            mx, my = col[-1].x, col[-1].y - dy
            taken.append(text_box(mx, my - 2, "⋮", fs + 6, "middle"))
            taken.append(text_box(mx, my + small + 4, f"{more[c]} more", small, "middle"))
    placer = Placer(taken, margin=6.0)  # room to breathe between a label and a caption
    labels: list[str] = []
    lines_svg: list[str] = []
    gap_failed: dict[int, bool] = {}
    segs = []
    for ed in edges:
        a = cols[ed.src[0]][ed.src[1]]
        b = cols[ed.dst[0]][ed.dst[1]]
        segs.append((a.x, a.y, b.x, b.y))
        length = float(np.hypot(b.x - a.x, b.y - a.y))
        ux, uy = (b.x - a.x) / length, (b.y - a.y) / length
        op = 0.9 if len(edges) <= 40 else 0.55
        lines_svg.append(
            f'<line x1="{a.x + ux * r:.1f}" y1="{a.y + uy * r:.1f}" '
            f'x2="{b.x - ux * (r + 1):.1f}" y2="{b.y - uy * (r + 1):.1f}" stroke="{ed.color}" '
            f'stroke-width="{ed.width:.2f}" stroke-opacity="{op}">'
            f"<title>{esc(ed.tip)}</title></line>"
        )
        if backward:
            ex, ey = b.x - ux * (r + 1), b.y - uy * (r + 1)
            lines_svg.append(arrow_head(ex, ey, ux, uy, "#333333", 11))
    # labels: the steepest edges first (they have the fewest free places), each on its
    # own edge, where it covers the fewest other edges
    ts = sorted(np.linspace(0.2, 0.8, 25), key=lambda t: abs(t - 0.5))
    seg_arr = np.array(segs, dtype=np.float64).reshape(-1, 4)  # (edges, 4)
    idx = np.arange(len(segs))
    order = sorted(range(len(edges)), key=lambda j: -abs(segs[j][3] - segs[j][1]))
    for j in order:
        ed = edges[j]
        if not ed.lines:
            continue
        ax, ay, bx, by = segs[j]
        w, h = label_size([t for t, _ in ed.lines], small, _PAD)

        def crossings(box: Box, j: int = j) -> float:
            return float(np.count_nonzero(segments_hit_box(seg_arr, box) & (idx != j)))

        before = placer.failed
        box = placer.place(w, h, [(ax + (bx - ax) * t, ay + (by - ay) * t) for t in ts], crossings)
        if placer.failed > before:
            gap_failed[min(ed.src[0], ed.dst[0])] = True
        labels.append(label_el(ed.lines, box, small, _PAD))
    # picture size
    content_w = xs[-1] + r + 34
    foot = notes + [t for t, _ in legend]
    foot_w = max((text_width(t, small) for t in foot), default=0.0) + 40
    cap_w = max(xs[c] + text_width(cap, small) / 2 for c, cap in enumerate(caps)) + 20
    right = max(b.x1 for b in placer.taken) + 16  # node captions, labels
    title_w = max((text_width(t, fs + 2) for t in titles), default=0.0) + 40
    width = max(content_w, foot_w, cap_w, right, title_w)
    lowest = max(b.y1 for b in placer.taken)
    gap = max(22.0, ASCENT * small + 10)  # from the lowest caption to the first note
    height = lowest + gap + len(foot) * lh + 10
    out = svg_open(width, height, title or "glassnet network diagram", fs)
    for j, t in enumerate(titles):
        out.append(text_el(20, 24 + fs + j * title_lh, t, fs + 2, bold=True))
    for c, cap in enumerate(caps):
        out.append(text_el(xs[c], top - 14, cap, small, "middle", "#444"))
    out += lines_svg
    for col in cols:
        for node in col:
            out.append(
                f'<g class="node"><circle cx="{node.x:.1f}" cy="{node.y:.1f}" r="{r:.0f}" '
                f'fill="{node.fill}" stroke="#222" stroke-width="1.4"/>'
                + (f"<title>{esc(node.tip)}</title>" if node.tip else "")
            )
            if node.value:
                out.append(
                    text_el(node.x, node.y - _name_up(fs), node.name, small, "middle", "#333")
                )
                out.append(
                    text_el(
                        node.x,
                        node.y + _value_y(fs),
                        node.value,
                        _fit(node.value, fs, r),
                        "middle",
                        "#000",
                        bold=True,
                    )
                )
            else:
                out.append(text_el(node.x, node.y + fs * 0.35, node.name, fs, "middle"))
            if node.captions:  # one white backing under the lines: edges never strike them
                yb = [node.y + r + 4 + small * 0.8 + q * lh for q in range(len(node.captions))]
                out.append(
                    backing_el(_union([text_box(node.x, y, c, small, "middle")
                                       for y, c in zip(yb, node.captions)]))
                )  # fmt: skip
                for y, cap in zip(yb, node.captions):
                    out.append(text_el(node.x, y, cap, small, "middle", "#444", extra=HALO))
            out.append("</g>")
    out += labels
    # elision markers, in the slot left free before the last neuron of an elided column
    for c, col in enumerate(cols):
        if more[c]:
            mx, my = col[-1].x, col[-1].y - dy
            marks = [
                text_box(mx, my - 2, "⋮", fs + 6, "middle"),
                text_box(mx, my + small + 4, f"{more[c]} more", small, "middle"),
            ]
            out.append(backing_el(_union(marks)))
            out.append(text_el(mx, my - 2, "⋮", fs + 6, "middle", "#555", True, HALO))
            out.append(
                text_el(mx, my + small + 4, f"{more[c]} more", small, "middle", "#555", extra=HALO)
            )
    y = lowest + gap
    for t in notes:
        out.append(text_el(20, y, t, small, fill="#7a4d00"))
        y += lh
    for t, color in legend:
        out.append(text_el(20, y, t, small, fill=color))
        y += lh
    out.append("</svg>")
    return "\n".join(out) + "\n", placer.failed, gap_failed


def _union(boxes: list[Box]) -> Box:
    """The smallest box holding every one of ``boxes``."""
    return Box(
        min(b.x0 for b in boxes),
        min(b.y0 for b in boxes),
        max(b.x1 for b in boxes),
        max(b.y1 for b in boxes),
    )


def _name_up(fs: float) -> float:
    """How far above a circle's centre the name's baseline lies (above the value): 5 px,
    more for a large font, whose name would reach down into the value's line."""
    return max(5.0, 2 + DESCENT * (fs - 1))


def _value_y(fs: float) -> float:
    """The baseline of a circle's bold value, below its centre."""
    return fs * 0.8 + 1


def _value_r(text: str, fs: float, size: float) -> float:
    """The radius of the smallest circle that holds the bold value ``text`` at ``size``
    px, its box (baseline :func:`_value_y` below the centre) 2 px inside the outline."""
    if not text:
        return 0.0
    return math.hypot(text_width(text, size) / 2 + 2, _value_y(fs) + DESCENT * size + 1)


def _fit(text: str, fs: float, r: float = _R) -> float:
    """The bold value's size: ``fs``, or smaller, down to 12 px (11 px for a value too small
    for the decimals, :func:`_num`'s ``-2.4e-4``, a character longer than ``-0.010``: the
    lecture's 2-2-1 pictures keep their size), where that fits it in the circle of radius
    r (where the smallest does not, the circle is made larger, :func:`_value_r`)."""
    size, least = float(fs), (11.0 if "e-" in text else 12.0)
    while size > least and _value_r(text, fs, size) > r:
        size = max(least, size - 0.5)
    return size
