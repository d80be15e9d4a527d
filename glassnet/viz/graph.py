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

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..nn.module import Parameter
from ..report import fmt
from ..tensor import Tensor
from ._svg import CHAR_W, LINE_H, arrow_marker, esc, svg_open

__all__ = ["draw_graph", "graph_nodes", "local_derivative"]

_FORWARD_EDGE = "#555555"
_BACKWARD_EDGE = "#c0392b"
_FILL = {
    "param": "#fff4c2",
    "leaf": "#fff4c2",
    "const": "#eeeeee",
    "op": "#dcebfa",
    "root": "#d5f5d5",
}


@dataclass
class _Node:
    t: Tensor
    index: int
    kind: str  # param, leaf, const, op
    lines: list[str] = field(default_factory=list)
    rank: int = 0
    order: float = 0.0
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0


def graph_nodes(root: Tensor, max_nodes: int = 400) -> list[Tensor]:
    """Every tensor the graph of ``root`` depends on, parents before children."""
    if not isinstance(root, Tensor):
        raise TypeError(
            f"draw_graph: expected a glassnet Tensor (the result of a computation). "
            f"Got {type(root).__name__}."
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
    return t.label or fallback


def local_derivative(node: Tensor, k: int, decimals: int = 3) -> str:
    """The local derivative d(node)/d(parent k) as the reversed edge's label.

    Symbolic by op (``w5``, ``g'(z1)``, ``1``, ``-1``, ``W^T``...), with its value
    when both ends hold a single number.
    """
    op = node.op
    ps = node.parents
    p = ps[k]
    other = ps[1 - k] if len(ps) == 2 else None
    act_ops = ("sigmoid", "tanh", "relu", "leaky_relu", "softmax")
    pname = _name(p, "z" if op in act_ops else "x")
    sym = {
        "add": "1",
        "sub": "1" if k == 0 else "-1",
        "neg": "-1",
        "sum": "1",
        "mean": f"1/{max(p.data.size // max(node.data.size, 1), 1)}",
        "exp": f"e^{pname}",
        "log": f"1/{pname}",
        "sqrt": f"1/(2 sqrt({pname}))",
        "abs": f"sign({pname})",
        "sigmoid": f"g'({pname})",
        "tanh": f"g'({pname})",
        "relu": f"g'({pname})",
        "leaky_relu": f"g'({pname})",
        "softmax": f"softmax Jacobian at {pname}",
        "log_softmax": "I - softmax",
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
        "dropout": "mask / (1 - p)",
        "mse": "dL/dy_hat",
        "binary_cross_entropy": "dL/dy_hat",
        "binary_cross_entropy_with_logits": "sigmoid(z) - y",
        "cross_entropy": "softmax(z) - y",
    }.get(op)
    if op == "mul":  # d(a b)/da = b: the other factor
        if other is None:
            sym = "c"  # times a Python number
        elif other.label:
            sym = other.label
        elif other.data.size == 1:
            sym = fmt(float(other.data.reshape(())), decimals)
        else:
            sym = "b"
    elif op == "div":
        sym = f"1/{_name(other, 'b')}" if k == 0 else f"-a/{_name(ps[1], 'b')}^2"
    elif op == "pow":
        sym = "p a^(p-1)" if k == 0 else "a^p log a"
    elif op == "matmul":
        sym = f"@ {_name(other, 'B')}^T" if k == 0 else f"{_name(other, 'A')}^T @"
    elif op == "linear":
        sym = {0: f"{_name(ps[1], 'W')}^T", 1: f"{_name(ps[0], 'X')}^T", 2: "sum over rows"}[k]
    elif sym is None:
        sym = f"d{op}/d{pname}"
    if node.data.size == 1 and p.data.size == 1 and node.backward_fn is not None:
        try:
            vals = node.backward_fn(np.ones_like(node.data))
        except (ValueError, TypeError, IndexError):  # pragma: no cover - defensive
            vals = ()
        if k < len(vals) and vals[k] is not None:
            return f"{sym} = {fmt(float(np.asarray(vals[k]).reshape(())), decimals)}"
    return sym


def _summary(a: np.ndarray, decimals: int) -> str:
    if a.size == 1:
        return fmt(float(a.reshape(())), decimals)
    if a.size <= 4:
        return "[" + ", ".join(fmt(v, decimals) for v in a.reshape(-1)) + "]"
    return f"[{fmt(a.min(), decimals)} .. {fmt(a.max(), decimals)}]"


def _build(
    root: Tensor, grads: bool | None, decimals: int, max_nodes: int
) -> tuple[list[_Node], list[tuple[int, int, int]], bool]:
    order = graph_nodes(root, max_nodes)
    use_sweep = (root.requires_grad if grads is None else bool(grads)) and root.requires_grad
    gmap = _gradients(order, root) if use_sweep else {}
    nodes: list[_Node] = []
    index = {id(t): i for i, t in enumerate(order)}
    for i, t in enumerate(order):
        if t.parents:
            kind = "op"
        elif isinstance(t, Parameter):
            kind = "param"
        elif t.requires_grad:
            kind = "leaf"
        else:
            kind = "const"
        title = t.label or (
            t.op if t.parents else {"param": "parameter", "leaf": "leaf", "const": "constant"}[kind]
        )
        lines = [title]
        if t.parents and t.label:
            lines.append(f"op {t.op}")
        elif kind == "param":
            lines.append("parameter")
        shape = "scalar" if t.data.ndim == 0 else f"shape {tuple(t.data.shape)}"
        lines.append(shape)
        lines.append(f"value {_summary(t.data, decimals)}")
        g = gmap.get(id(t)) if use_sweep else t.grad
        if g is not None:
            lines.append(f"grad {_summary(np.asarray(g), decimals)}")
        nodes.append(_Node(t, i, "root" if t is root else kind, lines))
    edges = []
    for i, t in enumerate(order):
        for k, p in enumerate(t.parents):
            edges.append((index[id(p)], i, k))
    return nodes, edges, use_sweep


def _layout(
    nodes: list[_Node], edges: list[tuple[int, int, int]], label_w: list[float] | None = None
) -> None:
    """Layered layout: a node's rank is 1 + its parents' highest rank; a leaf sits one
    rank left of its first consumer. Within ranks, a few barycenter sweeps."""
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
    ranks: dict[int, list[int]] = {}
    for i in range(n):
        ranks.setdefault(nodes[i].rank, []).append(i)
    for members in ranks.values():
        for j, i in enumerate(members):
            nodes[i].order = j
    keys = sorted(ranks)
    for sweep in range(4):
        seq = keys if sweep % 2 == 0 else list(reversed(keys))
        for r in seq:
            members = ranks[r]

            def bary(i: int) -> float:
                nb = parents[i] + children[i]
                return (sum(nodes[j].order for j in nb) / len(nb)) if nb else nodes[i].order

            members.sort(key=lambda i: (bary(i), nodes[i].order))
            for j, i in enumerate(members):
                nodes[i].order = j
    # sizes and coordinates
    for nd in nodes:
        nd.w = max(len(s) for s in nd.lines) * CHAR_W + 16
        nd.h = len(nd.lines) * LINE_H + 10
    x = 20.0
    heights = {r: sum(nodes[i].h for i in ranks[r]) + 22 * (len(ranks[r]) - 1) for r in keys}
    total_h = max(heights.values())
    for r in keys:
        col_w = max(nodes[i].w for i in ranks[r])
        y = 20.0 + (total_h - heights[r]) / 2
        for i in ranks[r]:
            nodes[i].x = x + (col_w - nodes[i].w) / 2
            nodes[i].y = y
            y += nodes[i].h + 22
        x += col_w
        # room for the edge labels that start in this rank
        widest = max(
            (label_w[e] for e, (src, _, _) in enumerate(edges) if label_w and nodes[src].rank == r),
            default=0.0,
        )
        x += max(70.0, widest + 50.0)


def _svg(
    nodes: list[_Node],
    edges: list[tuple[int, int, int]],
    backward: bool,
    decimals: int,
    title: str,
) -> str:
    texts = [local_derivative(nodes[dst].t, k, decimals) if backward else "" for _, dst, k in edges]
    _layout(nodes, edges, [len(t) * CHAR_W * 11 / 12 for t in texts])
    width = max(nd.x + nd.w for nd in nodes) + 20
    height = max(nd.y + nd.h for nd in nodes) + 20 + (24 if title else 0)
    dy = 24 if title else 0
    color = _BACKWARD_EDGE if backward else _FORWARD_EDGE
    out = svg_open(width, height, title or "glassnet computational graph")
    out.append(f"<defs>{arrow_marker('gn-arrow', color)}</defs>")
    if title:
        out.append(f'<text x="20" y="18" font-size="14" font-weight="bold">{esc(title)}</text>')
    out.append(f'<g transform="translate(0,{dy})">')
    seen_pair: dict[tuple[int, int], int] = {}
    labels = []
    for (src, dst, _k), text in zip(edges, texts):
        a, b = nodes[src], nodes[dst]
        rep = seen_pair.get((src, dst), 0)
        seen_pair[(src, dst)] = rep + 1
        off = rep * 12.0
        x1, y1 = a.x + a.w, a.y + a.h / 2 + off
        x2, y2 = b.x, b.y + b.h / 2 + off
        mx = (x1 + x2) / 2
        path = f"M{x1:.1f},{y1:.1f} C{mx:.1f},{y1:.1f} {mx:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
        marker = 'marker-start="url(#gn-arrow)"' if backward else 'marker-end="url(#gn-arrow)"'
        out.append(f'<path d="{path}" fill="none" stroke="{color}" stroke-width="1.3" {marker}/>')
        if backward:
            # the label sits near the input end (a quarter of the way), where edges that
            # cross in the middle have already parted
            tw = len(text) * CHAR_W * 11 / 12
            u = min(max((tw / 2 + 10) / max(x2 - x1, 1.0), 0.28), 0.5)
            lx = x1 + (x2 - x1) * (1.5 * (1 - u) ** 2 * u + 1.5 * (1 - u) * u * u + u**3)
            ly = ((1 - u) ** 3 + 3 * (1 - u) ** 2 * u) * y1 + (3 * (1 - u) * u * u + u**3) * y2
            ly -= 3
            labels.append(
                f'<rect x="{lx - tw / 2 - 2:.1f}" y="{ly - 11:.1f}" width="{tw + 4:.1f}" '
                f'height="14" fill="white" fill-opacity="0.85"/>'
                f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="11" text-anchor="middle" '
                f'fill="{_BACKWARD_EDGE}">{esc(text)}</text>'
            )
    out += labels
    for nd in nodes:
        fill = _FILL[nd.kind]
        out.append(
            f'<g><rect x="{nd.x:.1f}" y="{nd.y:.1f}" width="{nd.w:.1f}" '
            f'height="{nd.h:.1f}" rx="6" fill="{fill}" stroke="#333" '
            f'stroke-width="1"/>'
        )
        for j, line in enumerate(nd.lines):
            weight = ' font-weight="bold"' if j == 0 else ""
            fill_t = _BACKWARD_EDGE if (backward and line.startswith("grad ")) else "#111"
            out.append(
                f'<text x="{nd.x + 8:.1f}" y="{nd.y + 17 + j * LINE_H:.1f}"{weight} '
                f'fill="{fill_t}">{esc(line)}</text>'
            )
        out.append("</g>")
    out.append("</g></svg>")
    return "\n".join(out) + "\n"


def _dot_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dot(
    nodes: list[_Node],
    edges: list[tuple[int, int, int]],
    backward: bool,
    decimals: int,
    title: str,
) -> str:
    out = [
        "digraph glassnet {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fontname="monospace", fontsize=10];',
        '  edge [fontname="monospace", fontsize=9];',
    ]
    if title:
        out.append(f"  label={_dot_str(title)}; labelloc=t;")
    for nd in nodes:
        label = "\\n".join(s.replace("\\", "\\\\").replace('"', '\\"') for s in nd.lines)
        out.append(f'  n{nd.index} [label="{label}", fillcolor="{_FILL[nd.kind]}"];')
    for src, dst, k in edges:
        if backward:
            text = local_derivative(nodes[dst].t, k, decimals)
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
        The result of a computation (a loss, an output...).
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
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 12:
        raise ValueError(
            f"The 'decimals' parameter of draw_graph must be an int in [0, 12]. Got {decimals!r}."
        )
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(
            f"The 'max_nodes' parameter of draw_graph must be an int >= 1. Got {max_nodes!r}."
        )
    nodes, edges, _ = _build(tensor, grads, decimals, max_nodes)
    render = _svg if fmt == "svg" else _dot
    return render(nodes, edges, bool(backward), decimals, str(title))
