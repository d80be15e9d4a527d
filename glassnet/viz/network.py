"""Draw a fully-connected network as the lecture's slides do: neurons in layers.

Each weight is an edge whose colour is its sign (blue positive, red negative) and
whose thickness is its magnitude; each neuron shows its name and, for a given
input, its activation ``a = g(z)`` (with ``z`` and the bias written beneath).
SVG, written by hand: no system dependency.

>>> import glassnet as gn
>>> from glassnet.viz import draw_network
>>> svg = draw_network(gn.nn.MLP([2, 2, 1], rng=0), x=[1.0, 0.0])
>>> svg.startswith("<svg")
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..fused import FastMLP, layers_of
from ..nn.module import Module
from ..report import fmt, make_names
from ._svg import esc, svg_open

__all__ = ["draw_network"]

POSITIVE = "#2b6cb0"
NEGATIVE = "#c53030"
_R = 27.0  # neuron radius
_DY = 92.0  # vertical distance between neurons
_DX = 210.0  # horizontal distance between layers


def _shown(n: int, max_neurons: int) -> list[int]:
    """Indices drawn for a layer of n neurons (first ones and the last, when too many)."""
    if n <= max_neurons:
        return list(range(n))
    return list(range(max_neurons - 1)) + [n - 1]


def _fill(v: float, vmax: float) -> str:
    """Light shading by the activation's sign and size (white at 0)."""
    if not np.isfinite(v) or vmax <= 0:
        return "#ffffff"
    t = min(abs(v) / vmax, 1.0) * 0.55
    base = (43, 108, 176) if v >= 0 else (197, 48, 48)
    r, g, b = (round(255 - t * (255 - c)) for c in base)
    return f"#{r:02x}{g:02x}{b:02x}"


def draw_network(
    model: Module,
    x: Any = None,
    *,
    names: str = "auto",
    decimals: int = 3,
    max_neurons: int = 12,
    edge_labels: bool | None = None,
    title: str = "",
) -> str:
    """An SVG diagram of a network of fully-connected layers.

    Parameters
    ----------
    model : Module
        A ``Sequential``, ``MLP`` or ``Neuron`` of ``Linear`` layers and activations.
    x : array of shape (d,), optional
        One input; each neuron then shows its activation a = g(z) for it, with z
        written beneath.
    names : ``'auto'``, ``'lecture'`` or ``'layered'``
        Neuron and weight names, as in :func:`glassnet.explain.explain`.
    decimals : int
        Decimals of the numbers written.
    max_neurons : int
        Layers wider than this show their first ``max_neurons - 1`` neurons and the
        last one, with the count of those left out.
    edge_labels : bool, optional
        Write each weight's name and value on its edge (default: when the network
        has at most 16 weights).
    title : str
        A title written above the drawing.

    Returns
    -------
    str
        The SVG document; save it with :func:`glassnet.viz.save`.
    """
    layers = layers_of(model, "draw_network")
    if isinstance(max_neurons, bool) or not isinstance(max_neurons, int) or max_neurons < 2:
        raise ValueError(
            f"The 'max_neurons' parameter of draw_network must be an int >= 2. Got {max_neurons!r}."
        )
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 12:
        raise ValueError(
            f"The 'decimals' parameter of draw_network must be an int in [0, 12]. Got {decimals!r}."
        )
    nm = make_names(layers, names)
    d = layers[0].inputs
    acts: list[np.ndarray] | None = None
    zs: list[np.ndarray] | None = None
    if x is not None:
        xa = np.asarray(x, dtype=np.float64)
        if xa.shape not in ((d,), (1, d)) or not np.all(np.isfinite(xa)):
            raise ValueError(
                f"draw_network: x must be one finite input of shape ({d},). Got shape "
                f"{xa.shape}" + ("" if np.all(np.isfinite(xa)) else " with NaN or inf") + "."
            )
        # the fast path's forward trace (no targets: the loss is never computed)
        trace = FastMLP(layers, "mse", dtype=np.float64).trace(xa.reshape(1, d))
        acts = [xa.reshape(d)] + [rec["A"][0] for rec in trace.layers]
        zs = [rec["Z"][0] for rec in trace.layers]
    n_weights = sum(lay.inputs * lay.neurons for lay in layers)
    if edge_labels is None:
        edge_labels = n_weights <= 16
    widths = [d] + [lay.neurons for lay in layers]
    shown = [_shown(n, max_neurons) for n in widths]
    rows = max(len(s) + (1 if len(s) < w else 0) for s, w in zip(shown, widths))
    top = 56.0 + (26.0 if title else 0.0)
    height = top + rows * _DY + 46
    width = 90 + _DX * len(layers) + 90
    wmax = max(float(np.abs(lay.W).max()) for lay in layers) or 1.0

    def pos(col: int, j: int) -> tuple[float, float]:
        s = shown[col]
        slots = len(s) + (1 if len(s) < widths[col] else 0)
        k = s.index(j)
        if len(s) < widths[col] and k == len(s) - 1:
            k += 1  # leave a slot for the "... more" marker
        y0 = top + (rows - slots) * _DY / 2
        return 90 + col * _DX, y0 + k * _DY + _DY / 2

    out = svg_open(width, height, title or "glassnet network diagram")
    if title:
        out.append(f'<text x="20" y="22" font-size="15" font-weight="bold">{esc(title)}</text>')
    # layer captions
    for col in range(len(widths)):
        if col == 0:
            cap = f"input ({d})"
        elif col == len(widths) - 1:
            cap = f"output ({widths[col]}, {layers[col - 1].act})"
        else:
            cap = f"hidden {col} ({widths[col]}, {layers[col - 1].act})"
        out.append(
            f'<text x="{90 + col * _DX:.1f}" y="{top - 18:.1f}" text-anchor="middle" '
            f'font-size="12" fill="#444">{esc(cap)}</text>'
        )
    # edges (under the neurons)
    labels = []
    for l, lay in enumerate(layers):
        for i in shown[l]:
            for k in shown[l + 1]:
                w = float(lay.W[i, k])
                (x1, y1), (x2, y2) = pos(l, i), pos(l + 1, k)
                length = float(np.hypot(x2 - x1, y2 - y1))
                ux, uy = (x2 - x1) / length, (y2 - y1) / length
                sw = 0.6 + 5.4 * abs(w) / wmax
                color = POSITIVE if w >= 0 else NEGATIVE
                name = nm.w[l][i][k]
                out.append(
                    f'<line x1="{x1 + ux * _R:.1f}" y1="{y1 + uy * _R:.1f}" '
                    f'x2="{x2 - ux * _R:.1f}" y2="{y2 - uy * _R:.1f}" stroke="{color}" '
                    f'stroke-width="{sw:.2f}" stroke-opacity="0.85">'
                    f"<title>{esc(name)} = {esc(fmt(w, decimals))}</title></line>"
                )
                if edge_labels:
                    t = 0.3
                    lx, ly = x1 + (x2 - x1) * t, y1 + (y2 - y1) * t
                    text = f"{name}={fmt(w, decimals)}"
                    tw = len(text) * 6.6
                    labels.append(
                        f'<rect x="{lx - tw / 2 - 2:.1f}" y="{ly - 10:.1f}" width="{tw + 4:.1f}" '
                        f'height="13" fill="white" fill-opacity="0.85"/>'
                        f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="middle" font-size="11" '
                        f'fill="{color}">{esc(text)}</text>'
                    )
    out += labels
    # neurons
    for col in range(len(widths)):
        vals = acts[col] if acts is not None else None
        vmax = float(np.abs(vals).max()) if vals is not None and vals.size else 0.0
        for j in shown[col]:
            cx, cy = pos(col, j)
            if col == 0:
                name = nm.x[j]
                fill = "#eeeeee" if vals is None else _fill(float(vals[j]), vmax)
            else:
                name = nm.a[col - 1][j]
                fill = "#ffffff" if vals is None else _fill(float(vals[j]), vmax)
            out.append(
                f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{_R:.0f}" fill="{fill}" '
                f'stroke="#222" stroke-width="1.4"/>'
            )
            if vals is None:
                out.append(
                    f'<text x="{cx:.1f}" y="{cy + 4:.1f}" text-anchor="middle" '
                    f'font-size="12">{esc(name)}</text>'
                )
            else:
                out.append(
                    f'<text x="{cx:.1f}" y="{cy - 5:.1f}" text-anchor="middle" '
                    f'font-size="10" fill="#333">{esc(name)}</text>'
                )
                out.append(
                    f'<text x="{cx:.1f}" y="{cy + 11:.1f}" text-anchor="middle" '
                    f'font-size="12" font-weight="bold">'
                    f"{esc(fmt(float(vals[j]), decimals))}</text>"
                )
            if col > 0:
                lay = layers[col - 1]
                notes = []
                if zs is not None:
                    notes.append(f"{nm.z[col - 1][j]} = {fmt(float(zs[col - 1][j]), decimals)}")
                if lay.b is not None:
                    notes.append(f"{nm.b[col - 1][j]} = {fmt(float(lay.b[j]), decimals)}")
                for q, note in enumerate(notes):
                    out.append(
                        f'<text x="{cx:.1f}" y="{cy + _R + 13 + 12 * q:.1f}" '
                        f'text-anchor="middle" font-size="10" fill="#555">'
                        f"{esc(note)}</text>"
                    )
        if len(shown[col]) < widths[col]:
            cx, cy = pos(col, shown[col][-1])
            more = widths[col] - len(shown[col])
            out.append(
                f'<text x="{cx:.1f}" y="{cy - _DY + 4:.1f}" text-anchor="middle" '
                f'font-size="11" fill="#555">... {more} more</text>'
            )
    # legend
    ly = height - 16
    out.append(
        f'<line x1="20" y1="{ly - 4:.1f}" x2="50" y2="{ly - 4:.1f}" stroke="{POSITIVE}" '
        f'stroke-width="3"/><text x="56" y="{ly:.1f}" font-size="11">w &gt; 0</text>'
    )
    out.append(
        f'<line x1="110" y1="{ly - 4:.1f}" x2="140" y2="{ly - 4:.1f}" '
        f'stroke="{NEGATIVE}" stroke-width="3"/>'
        f'<text x="146" y="{ly:.1f}" font-size="11">w &lt; 0   (thickness: |w|, '
        f"largest {esc(fmt(wmax, decimals))})</text>"
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"
