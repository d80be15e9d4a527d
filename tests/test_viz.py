"""glassnet.viz: graph and network drawings (SVG/DOT) and the matplotlib plots."""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet import functional as F
from glassnet import viz
from glassnet.explain import explain, unicode_symbol
from glassnet.report import fmt
from glassnet.viz import overlapping_texts, text_boxes
from glassnet.viz.network import NEGATIVE, POSITIVE

SVG = "{http://www.w3.org/2000/svg}"
F64 = np.float64
W6 = [0.5, -0.3, 0.8, 0.2, 1.0, -1.5]


def lecture_graph(half_mse_op: bool = False):
    """The slides' 2-2-1 network as scalar tensors; returns (loss, leaves by name). The
    loss L = 1/2 (y_hat - y)^2 from three ops, or one (``half_mse_op``, as the gallery)."""
    x1 = gn.Tensor(1.0, requires_grad=True, dtype=F64, label="x1")
    x2 = gn.Tensor(0.5, requires_grad=True, dtype=F64, label="x2")
    w = [gn.Tensor(v, requires_grad=True, dtype=F64, label=f"w{i + 1}") for i, v in enumerate(W6)]
    z1 = (w[0] * x1 + w[2] * x2).named("z1")
    z2 = (w[1] * x1 + w[3] * x2).named("z2")
    a1, a2 = F.sigmoid(z1).named("a1"), F.sigmoid(z2).named("a2")
    z3 = (w[4] * a1 + w[5] * a2).named("z3")
    yh = F.sigmoid(z3).named("y_hat")
    L = F.mse(yh, 1.0, half=True) if half_mse_op else 0.5 * (yh - 1.0) ** 2
    L = L.named("L")
    leaves = {"x1": x1, "x2": x2} | {f"w{i + 1}": t for i, t in enumerate(w)}
    return L, leaves, {"z3": z3, "a1": a1}


def svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def node_blocks(svg: str) -> dict[str, list[str]]:
    """Each node box's lines, keyed by its first (title) line."""
    root = ET.fromstring(svg)
    out = {}
    for g in root.iter(f"{SVG}g"):
        lines = [t.text for t in g.findall(f"{SVG}text")]
        if g.get("class") == "node" and lines:
            out.setdefault(lines[0], lines)
    return out


def network_nodes(svg: str) -> dict[str, list[str]]:
    """Each neuron's texts (name, value, captions), keyed by its name."""
    out = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        if g.get("class") == "node":
            texts = [t.text or "" for t in g.findall(f"{SVG}text")]
            out[texts[0]] = texts
    return out


def texts_inside(svg: str) -> bool:
    """Every text's box lies on the canvas (nothing cut off at an edge)."""
    root = ET.fromstring(svg)
    w, h = float(root.get("width")), float(root.get("height"))
    return all(b.x0 >= 0 and b.y0 >= 0 and b.x1 <= w and b.y1 <= h for b in text_boxes(svg))


def label_texts(svg: str) -> list[list[str]]:
    """Each edge label's lines."""
    return [
        [t.text or "" for t in g.findall(f"{SVG}text")]
        for g in ET.fromstring(svg).iter(f"{SVG}g")
        if g.get("class") == "label"
    ]


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


# ------------------------------------------------------------------------ draw_graph
def test_graph_svg_shows_values_and_gradients_equal_to_autodiff() -> None:
    L, leaves, _ = lecture_graph()
    svg = viz.draw_graph(L, decimals=4)
    assert all(t.grad is None for t in leaves.values())  # drawing leaves .grad untouched
    L2, leaves2, _ = lecture_graph()
    L2.backward()
    blocks = node_blocks(svg)
    for name, t in leaves2.items():
        block = blocks[unicode_symbol(name)]
        assert f"grad {float(t.grad):.4f}" in block, name
        assert f"value {fmt(float(t.data), 4)}" in block
    assert "= σ(z₃)" in blocks["ŷ"] and "grad 1" in blocks["L"]
    assert "= w₅ a₁ + w₆ a₂" not in blocks["z₃"]  # a formula longer than the node's numbers
    assert "w₁ x₁" in blocks  # an unnamed product is titled with its formula
    assert not any("scalar" in line for lines in blocks.values() for line in lines)
    n_edges = sum(len(t.parents) for t in viz.graph_nodes(L))
    paths = ET.fromstring(svg).findall(f".//{SVG}path")
    assert len([p for p in paths if p.get("fill") == "none"]) == n_edges


def test_backward_view_labels_edges_with_local_derivatives() -> None:
    L, _, inner = lecture_graph()
    svg = viz.draw_graph(L, backward=True)
    labels = [" ".join(x) for x in label_texts(svg)]
    a1 = float(inner["a1"].data)
    gz3 = float(F.sigmoid_fn(inner["z3"].data) * (1 - F.sigmoid_fn(inner["z3"].data)))
    assert "w₅ = 1" in labels and "w₆ = -1.500" in labels  # product edges carry the weight
    assert f"a₁ = {a1:.3f}" in labels  # ... and the other factor for the weight's edge
    assert f"g′(z₃) = {gz3:.3f}" in labels  # activation edges carry g'(z)
    assert "x₁ = 1" in labels
    # no redundant labels: an add's edges carry 1 and are left unlabelled (the legend says
    # so), a label never repeats its value ("1 = 1")
    ops = [t.op for t in viz.graph_nodes(L)]
    n_unit = 2 * ops.count("add") + ops.count("sub")  # d(a + b)/da = d(a - c)/da = 1
    n_labelled = sum(len(t.parents) for t in viz.graph_nodes(L)) - n_unit
    assert len(labels) == n_labelled
    assert not any(re.fullmatch(r"(\S+) = \1", lab) for lab in labels)
    assert any("without a label carries 1" in t for t in svg_texts(svg))
    assert 'class="arrow" d="M' in svg and "marker" not in svg  # heads drawn in place
    assert overlapping_texts(svg) == []


def test_log_edge_names_its_actual_input() -> None:
    x = gn.Tensor(2.0, requires_grad=True, label="x", dtype=F64)
    w = gn.Tensor(-0.5, requires_grad=True, label="w", dtype=F64)
    yh = F.sigmoid(w * x).named("y_hat")
    L = (-(yh.log()) - (1.0 - yh).log()).named("L")
    labels = [" ".join(x) for x in label_texts(viz.draw_graph(L, backward=True))]
    p = float(yh.data)
    assert f"1/ŷ = {fmt(1 / p, 3)}" in labels
    assert f"1/(1 − ŷ) = {fmt(1 / (1 - p), 3)}" in labels
    assert not any(lab.startswith("1/x") for lab in labels)  # not a generic "x"


def test_lecture_graph_fits_a_slide_without_overlaps() -> None:
    """The slides' 2-2-1 graph (as the gallery draws it) at 100 % on a 1280-px slide:
    at most 1280 px wide, no text under 12 px, no two texts or labels overlapping, and
    no label over a node."""
    L, _, _ = lecture_graph(half_mse_op=True)
    for backward in (False, True):
        svg = viz.draw_graph(L, backward=backward, decimals=2, title="the reversed graph")
        root = ET.fromstring(svg)
        assert float(root.get("width")) <= 1280
        assert min(b.y1 - b.y0 for b in text_boxes(svg)) >= 12 * 1.05 - 1e-9
        assert overlapping_texts(svg) == [] and texts_inside(svg)
        rects = {"node": [], "label": []}
        for g in root.iter(f"{SVG}g"):
            if g.get("class") in rects:
                r = g.find(f"{SVG}rect")
                x0, y0 = float(r.get("x")), float(r.get("y"))
                rects[g.get("class")].append(
                    (x0, y0, x0 + float(r.get("width")), y0 + float(r.get("height")))
                )
        for a in rects["label"]:
            for b in rects["node"] + [r for r in rects["label"] if r is not a]:
                assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


def test_graph_dot_text() -> None:
    L, _, _ = lecture_graph()
    nodes = viz.graph_nodes(L)
    dot = viz.draw_graph(L, fmt="dot")
    assert dot.startswith("digraph glassnet {") and dot.rstrip().endswith("}")
    assert len(re.findall(r"^  n\d+ \[label=", dot, re.M)) == len(nodes)
    assert len(re.findall(r"^  n\d+ -> n\d+", dot, re.M)) == sum(len(t.parents) for t in nodes)
    back = viz.draw_graph(L, fmt="dot", backward=True)
    assert back.count("dir=back") == sum(len(t.parents) for t in nodes)
    assert 'label="g′(z₃) = 0.250"' in back


def test_graph_of_a_matrix_computation() -> None:
    model = gn.nn.MLP([2, 3, 1], rng=0, dtype=F64)
    loss = F.mse(model(np.ones((4, 2))), np.zeros((4, 1)))
    svg = viz.draw_graph(loss, backward=True, title="an MLP's loss")
    blocks = node_blocks(svg)
    assert "W₁" in blocks and "shape (2, 3)" in blocks["W₁"]
    loss.backward()
    g = model.layers[0].W.grad
    assert f"grad [{fmt(g.min(), 3)} .. {fmt(g.max(), 3)}]" in blocks["W₁"]
    labels = [" ".join(x) for x in label_texts(svg)]
    assert "W₁ᵀ" in labels and "Xᵀ" in labels and "an MLP's loss" in svg_texts(svg)
    assert overlapping_texts(svg) == [] and texts_inside(svg)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_graph_formulas_keep_their_meaning(dtype) -> None:
    """A compound argument is parenthesized ((ŷ − 1)², not ŷ − 1², which reads as
    ŷ − 1), and a float32 graph's constants read as given (2, not 2.000)."""
    from glassnet.viz.graph import expression, local_derivative

    yh = gn.Tensor(0.7, requires_grad=True, label="y_hat", dtype=dtype)
    w = gn.Tensor(1.3, requires_grad=True, label="w", dtype=dtype)
    assert expression((yh - 1.0) ** 2) == "(ŷ − 1)²"
    assert expression(-(yh + 1.0)) == "−(ŷ + 1)"
    assert expression((-yh) ** 2) == "(−ŷ)²"
    assert expression(w * (-yh)) == "w (−ŷ)"
    assert expression(yh * 3.0) == "3 ŷ" and expression(yh + 1.0) == "ŷ + 1"
    assert expression(yh**0.5) == "ŷ⁰·⁵"
    sq = (yh - 1.0) ** 2
    assert local_derivative(sq, 0) == f"2 (ŷ − 1) = {fmt(2 * (float(yh.data) - 1), 3)}"
    blocks = node_blocks(viz.draw_graph(0.5 * sq))
    assert "(ŷ − 1)²" in blocks and "ŷ − 1²" not in blocks


def test_graph_formulas_with_a_negative_number() -> None:
    """ŷ + (-1) reads ŷ − 1 (it was 'ŷ + -1'), ŷ − (-1) reads ŷ + 1."""
    from glassnet.viz.graph import expression

    yh = gn.Tensor(0.7, requires_grad=True, label="y_hat", dtype=F64)
    assert expression(yh + (-1.0)) == "ŷ − 1" and expression(yh - (-1.0)) == "ŷ + 1"
    assert expression(yh / -2.0) == "ŷ/(-2)" and expression(yh * -2.0) == "-2 ŷ"
    w = gn.Tensor(1.3, requires_grad=True, label="w", dtype=F64)
    minus_one = gn.Tensor(-1.0, dtype=F64)  # a constant tensor
    assert expression(yh + (-w)) == "ŷ − w" and expression(yh + minus_one) == "ŷ − 1"
    assert expression(w * minus_one) == "w · (-1)" and expression(yh - minus_one) == "ŷ − (-1)"


def test_graph_of_a_quotient_by_a_number_and_of_a_number() -> None:
    """d(a/c)/da = 1/c for a Python number c (drawn, not an IndexError); d(a/b)/db =
    −a/b² names the numerator a."""
    yh = gn.Tensor(0.8, requires_grad=True, label="y_hat", dtype=F64)
    labels = [" ".join(x) for x in label_texts(viz.draw_graph(yh / 4.0, backward=True))]
    assert labels == ["1/4 = 0.250"]
    assert 'label="1/4 = 0.250"' in viz.draw_graph(yh / 4.0, backward=True, fmt="dot")
    labels = [" ".join(x) for x in label_texts(viz.draw_graph(2.0 / yh, backward=True))]
    assert f"−2/ŷ² = {fmt(-2 / 0.8**2, 3)}" in labels


def test_drawings_with_control_characters_in_names_still_parse() -> None:
    """A label or title holding a character XML cannot carry (ESC, \\x01) is written as
    U+FFFD: the SVG still parses (it was not well-formed)."""
    t = gn.Tensor(1.0, requires_grad=True, label="a\x01b")
    svg = viz.draw_graph(t * 2.0, title="x\x1by")
    assert "a\ufffdb" in svg_texts(svg) and "x\ufffdy" in svg_texts(svg)
    svg = viz.draw_network(xnor_net(), title="tab\there\x1b!")
    assert "tab\there\ufffd!" in svg_texts(svg)


def test_a_layer_s_weight_edge_names_its_actual_input() -> None:
    """dL/dW = Aᵀ @ G: the second layer's weight edge carries its input, the first layer's
    activations (Aᵀ), not the data X."""
    from glassnet.viz.graph import local_derivative

    model = gn.nn.MLP([2, 3, 1], rng=0, dtype=F64)
    out = model(np.ones((4, 2)))
    first = out.parents[0].parents[0]  # relu <- linear of the first layer
    assert out.op == first.op == "linear"
    assert local_derivative(out, 1) == "Aᵀ" and local_derivative(first, 1) == "Xᵀ"
    assert local_derivative(out, 0) == "W₂ᵀ"


def test_graph_format_given_in_the_backward_place_is_named() -> None:
    """draw_graph(L, "dot") put "dot" in backward (truthy): it drew the reversed SVG."""
    L, _, _ = lecture_graph()
    with pytest.raises(ValueError, match="'backward' parameter.*Got 'dot'; pass the format"):
        viz.draw_graph(L, "dot")
    with pytest.raises(ValueError, match="'grads' parameter.*Got 1"):
        viz.draw_graph(L, grads=1)
    const = gn.Tensor(2.0) * 3.0  # no gradient anywhere: grads=True cannot be honoured
    with pytest.raises(ValueError, match="grads=True.*does not require grad"):
        viz.draw_graph(const, grads=True)
    assert "grad " not in " ".join(svg_texts(viz.draw_graph(const)))  # (by default: none)


def test_graph_errors() -> None:
    L, _, _ = lecture_graph()
    with pytest.raises(TypeError, match="glassnet Tensor"):
        viz.draw_graph(np.ones(3))
    with pytest.raises(ValueError, match="'fmt' parameter"):
        viz.draw_graph(L, fmt="png")
    with pytest.raises(ValueError, match="max_nodes"):
        viz.draw_graph(L, max_nodes=5)
    with pytest.raises(ValueError, match="'decimals' parameter"):
        viz.draw_graph(L, decimals=-1)


# ---------------------------------------------------------------------- draw_network
def xnor_net() -> gn.nn.MLP:
    net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", dtype=F64)
    net.layers[0].W.data[:] = [[4, -4], [4, -4]]
    net.layers[0].b.data[:] = [-6, 2]
    net.layers[2].W.data[:] = [[1], [1]]
    net.layers[2].b.data[:] = [-0.5]
    return net


def test_network_diagram_shows_activations_and_weights() -> None:
    svg = viz.draw_network(xnor_net(), x=[0, 0])
    texts = svg_texts(svg)
    assert "0.002" in texts and "0.881" in texts  # a1, a2 for x = (0, 0), as on the slide
    assert "z₁ = -6" in texts and "b₂ = 2" in texts  # the slides' typography
    assert "w₁ = 4" in texts and "w₂ = -4" in texts
    lines = ET.fromstring(svg).findall(f"{SVG}line")
    edges = [ln for ln in lines if ln.find(f"{SVG}title") is not None]
    assert len(edges) == 6
    colors = {ln.find(f"{SVG}title").text.split(" = ")[0]: ln.get("stroke") for ln in edges}
    assert colors == {
        "w₁": POSITIVE,
        "w₂": NEGATIVE,
        "w₃": POSITIVE,
        "w₄": NEGATIVE,
        "w₅": POSITIVE,
        "w₆": POSITIVE,
    }
    width = {
        ln.find(f"{SVG}title").text.split(" = ")[0]: float(ln.get("stroke-width")) for ln in edges
    }
    assert width["w₁"] > width["w₅"]  # thickness grows with |w|: |4| > |1|
    assert overlapping_texts(svg) == []


def test_network_diagram_elides_wide_layers_and_says_so() -> None:
    svg = viz.draw_network(gn.nn.MLP([64, 20, 10], rng=0), max_neurons=8)
    texts = svg_texts(svg)
    assert {"56 more", "12 more", "2 more"} <= set(texts)
    assert "x₆₄" in texts and "x₉" not in texts
    assert not any(" = " in t and t.startswith("w") for t in texts)  # no labels: many weights
    note = " ".join(t for t in texts if "elided" in t or "drawn" in t)
    assert "input: 8 of 64" in note and "hidden 1: 8 of 20" in note and "output: 8 of 10" in note
    lines = [
        ln for ln in ET.fromstring(svg).iter(f"{SVG}line") if ln.find(f"{SVG}title") is not None
    ]
    assert len(lines) == 8 * 8 + 8 * 8  # only the edges between neurons drawn
    assert overlapping_texts(svg) == []


@pytest.mark.parametrize("sizes", [[4, 6, 6, 3], [64, 32, 10], [3, 12, 1]])
def test_wider_networks_stay_legible(sizes: list[int]) -> None:
    """No two texts overlap, every text is at least 12 px, and the picture fits a slide."""
    net = gn.nn.MLP(sizes, rng=0, output_activation="softmax" if sizes[-1] > 1 else "sigmoid")
    x = np.linspace(-1, 1, sizes[0])
    for svg in (viz.draw_network(net, x), viz.draw_network(net, x, 0, backward=True, loss="mse")
                if sizes[-1] == 1 else viz.draw_network(net, x)):  # fmt: skip
        assert overlapping_texts(svg) == [] and texts_inside(svg)
        assert min(b.y1 - b.y0 for b in text_boxes(svg)) >= 12 * 1.05 - 1e-9
        root = ET.fromstring(svg)
        assert float(root.get("width")) <= 1280 and float(root.get("height")) <= 900


@pytest.mark.parametrize("seed", range(6))
def test_random_networks_lay_out_cleanly(seed: int) -> None:
    """Any small network, forward and backward: no two texts overlap, nothing is cut off."""
    rng = np.random.default_rng(seed)
    sizes = [int(rng.integers(1, 5)) for _ in range(int(rng.integers(2, 4)))] + [1]
    act = ["sigmoid", "tanh", "relu", "leaky_relu"][seed % 4]
    net = gn.nn.MLP(sizes, activation=act, rng=seed, dtype=F64)
    x = rng.normal(size=sizes[0]).round(1)
    for svg in (viz.draw_network(net, x), viz.draw_network(net, x, 1.0, backward=True)):
        assert overlapping_texts(svg) == [] and texts_inside(svg), sizes


def test_forced_edge_labels_on_a_dense_network_do_not_overlap() -> None:
    """edge_labels=True on 3-8-2 backward: 40 weight edges with two-line labels. Wider
    gaps alone left 11 pairs of labels on top of each other; the rows now part too."""
    net = gn.nn.MLP([3, 8, 2], rng=0, output_activation="softmax", dtype=F64)
    svg = viz.draw_network(
        net, np.linspace(-1, 1, 3), 0, backward=True, loss="cross_entropy", edge_labels=True
    )
    assert len([t for t in label_texts(svg) if t[0].startswith("w")]) == 3 * 8 + 8 * 2
    assert overlapping_texts(svg) == [] and texts_inside(svg)


def _lecture_221() -> gn.nn.Sequential:
    net = gn.nn.Sequential(
        gn.nn.Linear(2, 2, bias=False, dtype=F64), gn.nn.Sigmoid(),
        gn.nn.Linear(2, 1, bias=False, dtype=F64), gn.nn.Sigmoid(),
    )  # fmt: skip
    net.layers[0].W.data[:] = [[0.5, -0.3], [0.8, 0.2]]
    net.layers[2].W.data[:] = [[1.0], [-1.5]]
    return net


@pytest.mark.parametrize(
    "net, x, y, loss",
    [
        (_lecture_221(), [1.0, 0.5], 1.0, "half_mse"),
        (None, [0.0, 1.0], 1.0, "binary_cross_entropy"),  # the XNOR net, with biases
        (gn.nn.MLP([2, 3, 3], activation="tanh", output_activation="softmax", rng=1,
                   dtype=F64), [1.0, -0.5], 2, "cross_entropy"),
        (gn.nn.MLP([2, 2, 2, 1], activation="tanh", output_activation="sigmoid", rng=3,
                   dtype=F64), [0.5, -1.0], 1.0, "binary_cross_entropy"),
    ],
)  # fmt: skip
def test_backward_network_numbers_are_explains(net, x, y, loss) -> None:
    """The slides' backprop picture: every number on it is explain's, in the same place."""
    net = net if net is not None else xnor_net()
    svg = viz.draw_network(net, x, y, backward=True, loss=loss, decimals=3)
    e = explain(net, x, y, loss, decimals=3)
    u, nm, d = unicode_symbol, e.names, 3
    nodes = network_nodes(svg)
    for l in range(len(e.W)):
        for k, zn in enumerate(nm.z[l]):
            assert nodes[u(zn)][1] == fmt(e.dL_dZ[l][0, k], d)  # each neuron carries dL/dz
            assert f"{u(zn)} = {fmt(e.Z[l][0, k], d)}" in nodes[u(zn)]
            assert nodes[u(nm.a[l][k])][1] == fmt(e.dL_dA[l][0, k], d)
            if e.b[l] is not None:
                assert f"∂L/∂{u(nm.b[l][k])} = {fmt(e.grad_b[l][k], d)}" in nodes[u(zn)]
    for i, xn in enumerate(nm.x):
        assert nodes[u(xn)][1] == fmt(e.dL_dx[0, i], d)
    labels = label_texts(svg)
    for l in range(len(e.W)):
        for i, row in enumerate(nm.w[l]):
            for k, wn in enumerate(row):
                assert [f"{u(wn)} = {fmt(e.W[l][i, k], d)}",
                        f"∂L/∂{u(wn)} = {fmt(e.grad_W[l][i, k], d)}"] in labels  # fmt: skip
        if e.gprime[l].ndim == 2:  # g'(z) on each activation edge
            for k, zn in enumerate(nm.z[l]):
                # (with more decimals where 3 do not multiply out to dL/dz as drawn:
                # round 30, teach3; the value rounded to the decimals written)
                g = float(e.gprime[l][0, k])
                shown = next(
                    x[0].split(" = ")[1] for x in labels if x[0].startswith(f"g′({u(zn)}) = ")
                )
                places = len(shown.partition(".")[2]) if "e" not in shown else None
                assert shown == fmt(g, d) or (
                    places is not None and places > d and shown == fmt(g, places)
                ), (shown, g)
        else:  # a softmax output: its Jacobian
            assert [f"∂{u(nm.a[l][0])}/∂{u(nm.z[l][1])} = {fmt(e.gprime[l][0, 0, 1], d)}"] in labels
    for k, yn in enumerate(nm.a[-1]):
        assert [f"∂L/∂{u(yn)} = {fmt(e.dL_dyhat[0, k], d)}"] in labels
    assert any(t.endswith(fmt(e.loss, d)) for t in nodes["L"])
    assert 'class="arrow" d="M' in svg and "marker" not in svg  # heads drawn in place
    assert overlapping_texts(svg) == [] and texts_inside(svg)
    # labels never sit on a node: no label box overlaps a neuron's circle
    root = ET.fromstring(svg)
    circles = [
        (float(c.get("cx")), float(c.get("cy")), float(c.get("r")))
        for c in root.iter(f"{SVG}circle")
    ]
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "label":
            r = g.find(f"{SVG}rect")
            x0, y0 = float(r.get("x")), float(r.get("y"))
            x1, y1 = x0 + float(r.get("width")), y0 + float(r.get("height"))
            for cx, cy, rad in circles:
                assert not (x0 < cx + rad and cx - rad < x1 and y0 < cy + rad and cy - rad < y1)


@pytest.mark.parametrize(
    "loss, act, formula, value",
    [
        (
            "half_mse",
            "identity",
            "L = (1/K) Σₖ ½(ŷₖ − yₖ)²",  # (the slides' ½, as explain writes it)
            lambda p, y: np.mean((p - y) ** 2) / 2,
        ),
        ("mse", "identity", "L = (1/K) Σₖ (ŷₖ − yₖ)²", lambda p, y: np.mean((p - y) ** 2)),
        (
            "binary_cross_entropy",
            "sigmoid",
            "L = (1/K) Σₖ [−yₖ log ŷₖ − (1 − yₖ) log(1 − ŷₖ)]",
            lambda p, y: -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)),
        ),
    ],
)
def test_backward_network_of_several_outputs_writes_the_loss_it_computes(
    loss, act, formula, value
) -> None:
    """With K outputs the loss is the mean over them: the picture wrote the one-output
    formula L = (ŷ − y)²/2 beside a number that is half of it for K = 2."""
    net = gn.nn.MLP([2, 2, 2], rng=0, output_activation=act, dtype=F64)
    x, y = [1.0, 0.5], np.array([1.0, 0.0])
    texts = network_nodes(viz.draw_network(net, x, y, backward=True, loss=loss))["L"]
    p = net.predict(np.array([x]))[0]
    assert texts[2:] == [formula, "K = 2", "y = [1, 0]", f"= {fmt(value(p, y), 3)}"]


def test_backward_network_of_the_lecture_fits_a_slide() -> None:
    svg = viz.draw_network(_lecture_221(), [1.0, 0.5], 1.0, backward=True)
    root = ET.fromstring(svg)
    assert float(root.get("width")) <= 1280
    assert min(b.y1 - b.y0 for b in text_boxes(svg)) >= 12 * 1.05 - 1e-9


def test_backward_network_errors() -> None:
    with pytest.raises(ValueError, match="pass its input x and target y"):
        viz.draw_network(xnor_net(), [0, 0], backward=True)
    with pytest.raises(ValueError, match="one data point"):
        viz.draw_network(xnor_net(), [[0, 0], [1, 1]], [1, 1], backward=True)
    with pytest.raises(ValueError, match="'loss'"):
        viz.draw_network(xnor_net(), [0, 0], 1, backward=True, loss="hinge")
    with pytest.raises(ValueError, match="'backward'"):
        viz.draw_network(xnor_net(), [0, 0], 1, backward="yes")


def test_network_diagram_of_a_diverged_or_untrained_network() -> None:
    """NaN and inf weights are drawn (NaN grey, inf the widest, the scale set by the finite
    weights, a note saying so), never a crash or stroke-width="nan"; all-zero weights give
    the true largest |w|, 0."""
    net = xnor_net()
    net.layers[0].W.data[0, 0] = np.nan
    net.layers[0].W.data[1, 1] = -np.inf
    finite = 4.0  # the largest finite |w| left
    for svg in (
        viz.draw_network(net),
        viz.draw_network(net, [1.0, 0.5]),
        viz.draw_network(net, [1.0, 0.5], 1.0, backward=True),
    ):
        root = ET.fromstring(svg)
        for el in root.iter():
            for key, v in el.attrib.items():
                assert "nan" not in v.lower() and "inf" not in v.lower(), (key, v)
        edges = {
            ln.find(f"{SVG}title").text.split(" = ")[0]: ln
            for ln in root.iter(f"{SVG}line")
            if ln.find(f"{SVG}title") is not None
        }
        assert edges["w₁"].get("stroke") == "#555555"  # NaN: grey
        assert edges["w₄"].get("stroke") == NEGATIVE  # -inf: negative, the widest
        assert float(edges["w₄"].get("stroke-width")) == pytest.approx(6.0)
        assert float(edges["w₂"].get("stroke-width")) == pytest.approx(0.7 + 5.3 * 4 / finite)
        texts = " ".join(svg_texts(svg))
        assert "2 of the weights are NaN or inf" in texts and f"(largest {fmt(finite)})" in texts
    zero = gn.nn.MLP([2, 2, 1], rng=0, dtype=F64)
    for lay in (zero.layers[0], zero.layers[2]):
        lay.W.data[:] = 0.0
    texts = " ".join(svg_texts(viz.draw_network(zero, [1.0, 1.0])))
    assert "(largest 0)" in texts and "NaN" not in texts


def test_network_diagram_errors() -> None:
    with pytest.raises(ValueError, match="shape \\(2,\\)"):
        viz.draw_network(xnor_net(), x=[1, 2, 3])
    with pytest.raises(ValueError, match="'max_neurons'"):
        viz.draw_network(xnor_net(), max_neurons=1)
    with pytest.raises(TypeError, match="glassnet Module"):
        viz.draw_network(object())


def test_long_values_fit_inside_their_circles() -> None:
    """-1234.500 or 1.52e+07 at the least legible size, 12 px, is wider than a 28-px
    circle: the circles grow (and the gaps with them) instead of the text crossing them."""
    net = gn.nn.MLP([2, 2, 1], activation="relu", rng=0, dtype=F64)
    net.layers[0].W.data[:] = [[-12345.6, 1e-5], [3.5, 200000.0]]
    for svg in (
        viz.draw_network(net, [-1234.5, 0.001]),
        viz.draw_network(net, [-1234.5, 0.001], 3.0, backward=True),
    ):
        root = ET.fromstring(svg)
        for g in root.iter(f"{SVG}g"):
            if g.get("class") != "node":
                continue
            r = float(g.find(f"{SVG}circle").get("r"))
            for t in g.findall(f"{SVG}text")[:2]:  # the name and the bold value
                size = float(t.get("font-size"))
                assert len(t.text) * 0.6 * size <= 2 * r, (t.text, r)
        assert overlapping_texts(svg) == [] and texts_inside(svg)
    small = viz.draw_network(xnor_net(), [0, 0])  # short values: the usual 28 px
    assert {c.get("r") for c in ET.fromstring(small).iter(f"{SVG}circle")} == {"28"}


def test_network_diagram_takes_a_tensor_input_as_explain_does() -> None:
    x = gn.Tensor([0.0, 0.0], dtype=F64)
    assert svg_texts(viz.draw_network(xnor_net(), x)) == svg_texts(
        viz.draw_network(xnor_net(), [0.0, 0.0])
    )


def test_network_diagram_names_each_mistaken_argument() -> None:
    """A target without backward=True is refused (it was silently ignored), and a bad x,
    edge_labels or title names the argument instead of a NumPy or len() traceback."""
    with pytest.raises(ValueError, match="y \\(the target\\) is drawn only by the backward"):
        viz.draw_network(xnor_net(), [0, 1], 1.0)
    with pytest.raises(ValueError, match="x must be one input of 2 numbers.*Got 'ab'"):
        viz.draw_network(xnor_net(), "ab")
    with pytest.raises(ValueError, match="'edge_labels' parameter.*Got 'yes'"):
        viz.draw_network(xnor_net(), [0, 1], edge_labels="yes")
    with pytest.raises(ValueError, match="'title' parameter.*Got 3"):
        viz.draw_network(xnor_net(), title=3)
    with pytest.raises(ValueError, match="The 'names' parameter of draw_network"):
        viz.draw_network(xnor_net(), names="slides")  # (it said 'of explain')
    with pytest.raises(ValueError, match="The 'loss' parameter of draw_network.*'half_mse'"):
        viz.draw_network(xnor_net(), [0, 0], 1, backward=True, loss="hinge")
    for x in ([1, 2, 3], "ab", [np.nan, 1.0]):  # the backward view names draw_network too
        with pytest.raises(ValueError, match="^draw_network: x must be one"):
            viz.draw_network(xnor_net(), x, 1, backward=True)


# ------------------------------------------------------------------------------- save
def test_save_text_tensor_and_figure(tmp_path: Path) -> None:
    L, _, _ = lecture_graph()
    p = viz.save(viz.draw_network(xnor_net()), tmp_path / "net.svg")
    ET.parse(p)
    q = viz.save(L, tmp_path / "sub" / "graph.dot", backward=True)
    assert q.read_text().startswith("digraph") and "dir=back" in q.read_text()
    ET.parse(viz.save(L, tmp_path / "graph.svg"))
    fig = viz.plot_activations(["sigmoid"], dpi=40)
    r = viz.save(fig, tmp_path / "act.png", bbox_inches=None)  # (the figure's own size)
    assert png_size(r) == (round(fig.get_figwidth() * 40), round(fig.get_figheight() * 40))
    with pytest.raises(TypeError, match="Figure"):
        viz.save(123, tmp_path / "x.svg")
    with pytest.raises(ValueError, match=".svg or .dot"):
        viz.save(L, tmp_path / "graph.png")


# ------------------------------------------------------------------------------ plots
def test_save_refuses_mismatched_suffixes_and_names_bad_paths(tmp_path: Path, monkeypatch) -> None:
    """SVG text to .png (a broken image) is refused; a figure without a suffix is
    refused (matplotlib wrote NAME.png and save returned NAME); a directory in the way is
    named; figures are written through atomic_write (no half-written file)."""
    from glassnet.files import WriteError

    svg = viz.draw_network(xnor_net())
    fig = viz.plot_activations(["relu"], dpi=20)
    with pytest.raises(ValueError, match="SVG text.*'.*x.png'.*save it as .svg"):
        viz.save(svg, tmp_path / "x.png")
    dot = viz.draw_graph(lecture_graph()[0], fmt="dot")
    with pytest.raises(ValueError, match="DOT text.*save it as .dot or .gv"):
        viz.save(dot, tmp_path / "x.svg")
    assert not list(tmp_path.iterdir())
    with pytest.raises(ValueError, match="has none. Use one of: .*\\.png"):
        viz.save(fig, tmp_path / "plot")
    with pytest.raises(ValueError, match="names 'xyz', which matplotlib cannot write"):
        viz.save(fig, tmp_path / "plot.xyz")
    with pytest.raises(ValueError, match="format='svg' but the path .* ends in .png"):
        viz.save(fig, tmp_path / "plot.png", format="svg")  # SVG bytes in a .png
    assert not list(tmp_path.iterdir())
    with pytest.raises(WriteError, match="it is a directory"):
        viz.save(fig, tmp_path)
    (tmp_path / "f").write_text("")
    with pytest.raises(WriteError, match="cannot create its directory"):
        viz.save(svg, tmp_path / "f" / "net.svg")
    with pytest.raises(TypeError, match="path must be a file path.*Got int"):
        viz.save(svg, 3)
    written = []
    real = viz.atomic_write

    def spy(path, data):
        written.append((Path(path).name, data[:4]))
        return real(path, data)

    monkeypatch.setattr(viz, "atomic_write", spy)
    out = viz.save(fig, tmp_path / "plot.png")
    assert out == tmp_path / "plot.png" and written == [("plot.png", b"\x89PNG")]
    # (cropped as the notebook's picture is)
    assert png_size(out) == struct.unpack(">II", fig._repr_png_()[16:24])


def test_decision_boundary_binary_and_multiclass(tmp_path: Path) -> None:
    import matplotlib.image as mpimg

    X, y = gn.datasets.xnor_gate()
    fig = viz.plot_decision_boundary(xnor_net(), X, y, resolution=40, dpi=50)
    path = viz.save(fig, tmp_path / "xnor.png", bbox_inches=None)  # (the figure's own size)
    assert png_size(path) == (250, 225)
    assert mpimg.imread(path).shape[:2] == (225, 250)
    ax = fig.axes[0]
    pts = np.vstack(
        [c.get_offsets() for c in ax.collections if type(c).__name__ == "PathCollection"]
    )  # the scatter plots
    assert sorted(map(tuple, pts)) == sorted(map(tuple, X))  # the data are drawn
    rng = np.random.default_rng(0)
    Xm = np.vstack([rng.normal(c, 0.3, (10, 2)) for c in ((0, 0), (3, 0), (0, 3))])
    ym = np.repeat([0, 1, 2], 10)
    model = gn.nn.MLP([2, 3], output_activation="softmax", rng=0, dtype=F64)
    model.layers[0].W.data[:] = [[0, 3, 0], [0, 0, 3]]
    model.layers[0].b.data[:] = [0, -4.5, -4.5]
    fig = viz.plot_decision_boundary(model, Xm, ym, resolution=30, dpi=40)
    assert "3 classes" in fig.axes[0].get_title()
    assert png_size(viz.save(fig, tmp_path / "mc.png", bbox_inches=None)) == (200, 180)


def _point_colours(ax) -> dict[str, str]:
    """Each scatter's legend label ('class 1') and its face colour."""
    from matplotlib.colors import to_hex

    return {
        c.get_label(): to_hex(c.get_facecolor()[0])
        for c in ax.collections
        if type(c).__name__ == "PathCollection"
    }


def test_points_have_the_colour_of_their_class_region_when_classes_are_missing() -> None:
    """A test set without class 0: class 1's points are drawn in class 1's colour (the
    colour of its region), not in class 0's, and the legend lists the classes present."""
    from glassnet.viz.plots import _CLASS_COLORS

    rng = np.random.default_rng(0)
    Xm = np.vstack([rng.normal(c, 0.3, (10, 2)) for c in ((3, 0), (0, 3))])
    ym = np.repeat([1, 2], 10)
    model = gn.nn.MLP([2, 3], output_activation="softmax", rng=0, dtype=F64)
    model.layers[0].W.data[:] = [[0, 3, 0], [0, 0, 3]]
    model.layers[0].b.data[:] = [0, -4.5, -4.5]
    ax = viz.plot_decision_boundary(model, Xm, ym, resolution=20, dpi=30).axes[0]
    assert _point_colours(ax) == {"class 1": _CLASS_COLORS[1], "class 2": _CLASS_COLORS[2]}
    X, y = gn.datasets.xnor_gate()
    net = xnor_net()
    ones = np.asarray(y).reshape(-1) == 1
    for fig in (
        viz.plot_decision_boundary(net, X[ones], np.asarray(y)[ones], resolution=20, dpi=30),
        viz.plot_hidden_space(net, X[ones], np.asarray(y)[ones], dpi=30),
    ):  # one output: class 1 is the blue side of the y_hat scale, in every plot
        assert _point_colours(fig.axes[0]) == {"class 1": _CLASS_COLORS[1]}
    signs = np.where(ones, 1, -1)  # -1/1 labels of a tanh output: -1 red, 1 blue
    tanh = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="tanh", rng=0)
    ax = viz.plot_decision_boundary(tanh, X[ones], signs[ones], resolution=20, dpi=30).axes[0]
    assert _point_colours(ax) == {"class 1": _CLASS_COLORS[1]}
    # labels that are not class indices are numbered in sorted order, as before
    ax = viz.plot_decision_boundary(model, Xm, np.where(ym == 1, 7, 9), resolution=20, dpi=30)
    assert _point_colours(ax.axes[0]) == {"class 7": _CLASS_COLORS[0], "class 9": _CLASS_COLORS[1]}


def test_decision_boundary_of_a_classifier_estimator_uses_its_probabilities() -> None:
    """A scikit-learn-style classifier's predict gives labels: three classes were drawn as
    one output y_hat in [0, 2] cut at 0.5, string labels crashed. Its predict_proba is
    drawn instead, each label in the colour of its column of classes_."""
    import warnings

    from glassnet.sklearn import MLPClassifier
    from glassnet.viz.plots import _CLASS_COLORS

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = np.array(["a", "b", "c"])[np.digitize(X[:, 0], [-0.5, 0.5])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = MLPClassifier(hidden_layer_sizes=(6,), max_iter=40, random_state=0).fit(X, y)
    keep = y != "a"  # class a missing from the points drawn
    ax = viz.plot_decision_boundary(clf, X[keep], y[keep], resolution=20, dpi=30).axes[0]
    assert ax.get_title() == "decision boundary (3 classes)"
    assert _point_colours(ax) == {"class b": _CLASS_COLORS[1], "class c": _CLASS_COLORS[2]}
    yb = np.where(X[:, 1] > 0, "yes", "no")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf2 = MLPClassifier(hidden_layer_sizes=(6,), max_iter=40, random_state=0).fit(X, yb)
    fig = viz.plot_decision_boundary(clf2, X, yb, resolution=20, dpi=30)
    assert fig.axes[0].get_title() == "decision boundary (y_hat = 0.5)"  # P(yes)
    lo, hi = fig.axes[1].get_ylim()
    assert 0 <= lo < hi <= 1
    assert _point_colours(fig.axes[0]) == {
        "class no": _CLASS_COLORS[0],
        "class yes": _CLASS_COLORS[1],
    }


def test_plots_take_tensor_data() -> None:
    X, y = gn.datasets.xnor_gate()
    net = xnor_net()
    for plot in (viz.plot_decision_boundary, viz.plot_hidden_space):
        fig = plot(net, gn.Tensor(X, dtype=F64), gn.Tensor(np.asarray(y, dtype=F64)), dpi=30)
        pts = np.vstack(
            [
                c.get_offsets()
                for c in fig.axes[0].collections
                if type(c).__name__ == "PathCollection"
            ]
        )
        assert len(pts) == 4
    with pytest.raises(ValueError, match="X must be numbers"):
        viz.plot_decision_boundary(net, [["a", "b"]], [0])
    fig = viz.plot_neuron_outputs(net, gn.Tensor(X, dtype=F64), dpi=30)  # points, no labels
    assert len(fig.axes[0].collections[-1].get_offsets()) == 4


def test_decision_boundary_user_mistakes_get_clear_errors() -> None:
    X, y = gn.datasets.xnor_gate()
    with pytest.raises(ValueError, match="the model takes 3 inputs"):
        viz.plot_decision_boundary(gn.nn.MLP([3, 2, 1], rng=0), X, y)
    with pytest.raises(ValueError, match="y is required.*Got None"):
        viz.plot_decision_boundary(xnor_net(), X, None)
    with pytest.raises(ValueError, match="X has no rows"):
        viz.plot_decision_boundary(xnor_net(), np.zeros((0, 2)), [])
    with pytest.raises(TypeError, match="predict\\(X\\) method.*Got str"):
        viz.plot_decision_boundary("model", X, y)
    diverged = xnor_net()
    diverged.layers[0].W.data[:] = np.nan  # (a glassnet model's predict names its weights)
    with pytest.raises(ValueError, match=r"weights hold NaN or inf \(layers.0.W; has training"):
        viz.plot_decision_boundary(diverged, X, y)

    class AllNaN:  # any other model with predict(X)
        def predict(self, P):
            return np.full((len(P), 1), np.nan)

    with pytest.raises(ValueError, match="NaN or inf everywhere"):
        viz.plot_decision_boundary(AllNaN(), X, y)

    class HalfNaN:  # any model with predict(X): NaN on part of the plane, drawn elsewhere
        def predict(self, P):
            out = 1 / (1 + np.exp(-(P[:, :1] - P[:, 1:])))
            return np.where(P[:, :1] > 1.0, np.nan, out)

    fig = viz.plot_decision_boundary(HalfNaN(), X, y, resolution=20, dpi=30)
    lo, hi = fig.axes[1].get_ylim()  # the colour bar spans the finite predictions
    assert np.isfinite(lo) and np.isfinite(hi) and 0 < lo < 0.5 < hi < 1


def test_neuron_outputs_one_panel_per_hidden_neuron(tmp_path: Path) -> None:
    X, y = gn.datasets.xnor_gate()
    fig = viz.plot_neuron_outputs(xnor_net(), X, y, resolution=30, dpi=40)
    panels, bar = fig.axes[:-1], fig.axes[-1]  # the last axes: the one colour bar
    assert [ax.get_title() for ax in panels] == ["a1 = sigmoid(z1)", "a2 = sigmoid(z2)"]
    assert bar.get_ylabel() == "a = g(z)"
    assert {ax.images[0].get_clim() for ax in panels} == {(0.0, 1.0)}  # one scale
    img = fig.axes[0].images[0].get_array()
    assert img.min() >= 0 and img.max() <= 1  # sigmoid outputs
    # a1 = sigma(-6 + 4 x1 + 4 x2) is "AND": high at the top-right corner (1.2, 1.2)
    assert img[-1, -1] == pytest.approx(F.sigmoid_fn(-6 + 4 * 2.4)) and img[0, 0] < 0.001
    w, h = png_size(viz.save(fig, tmp_path / "n.png", bbox_inches=None))
    assert (w, h) == (round(fig.get_figwidth() * 40), round(fig.get_figheight() * 40))
    deep = gn.nn.MLP([2, 3, 2, 1], rng=0)  # relu: unbounded, one scale over all 5 panels
    fig = viz.plot_neuron_outputs(deep, resolution=20, dpi=30)
    assert len(fig.axes) == 5 + 1
    clims = {ax.images[0].get_clim() for ax in fig.axes[:-1]}
    assert len(clims) == 1
    lo, hi = clims.pop()
    assert lo <= min(ax.images[0].get_array().min() for ax in fig.axes[:-1])
    assert hi >= max(ax.images[0].get_array().max() for ax in fig.axes[:-1])


def test_hidden_space_shows_the_slides_xnor_points() -> None:
    X, y = gn.datasets.xnor_gate()
    fig = viz.plot_hidden_space(xnor_net(), X, y, dpi=40)
    ax = fig.axes[0]
    offsets = np.vstack(
        [c.get_offsets() for c in ax.collections if type(c).__name__ == "PathCollection"]
    )
    got = sorted(tuple(np.round(p, 3)) for p in offsets)
    assert got == sorted([(0.002, 0.881), (0.119, 0.119), (0.119, 0.119), (0.881, 0.002)])
    assert "a1 = sigmoid(z1)" in ax.get_xlabel()
    # the output layer's boundary z3 = -0.5 + a1 + a2 = 0 is drawn: a line through
    # (0.5, 0) and (0, 0.5) in the (a1, a2) plane
    contour = [c for c in ax.collections if type(c).__name__ != "PathCollection"][-1]
    verts = np.vstack([p.vertices for p in contour.get_paths() if len(p.vertices)])
    np.testing.assert_allclose(verts.sum(axis=1), 0.5, atol=0.02)


def test_history_and_activation_plots() -> None:
    h = gn.History(
        loss=[1.0, 0.5, 0.25],
        val_loss=[1.1, 0.6, 0.4],
        val_metric=[0.5, 0.7, 0.9],
        metric_name="accuracy",
        epochs=3,
        steps=3,
        stop_reason="max_epochs",
    )
    fig = viz.plot_history(h, dpi=40)
    ax1, ax2 = fig.axes
    lines = {ln.get_label(): ln.get_ydata() for ln in ax1.get_lines()}
    np.testing.assert_allclose(lines["training loss"], h.loss)
    np.testing.assert_allclose(lines["validation loss"], h.val_loss)
    np.testing.assert_allclose(ax2.get_lines()[0].get_ydata(), h.val_metric)
    fig = viz.plot_activations(dpi=40)
    assert len(fig.axes) == 5
    sig_ax = fig.axes[0]
    z = sig_ax.get_lines()[0].get_xdata()
    np.testing.assert_allclose(sig_ax.get_lines()[0].get_ydata(), F.sigmoid_fn(z))
    np.testing.assert_allclose(
        sig_ax.get_lines()[1].get_ydata(), F.sigmoid_fn(z) * (1 - F.sigmoid_fn(z))
    )
    # the model's own leaky-ReLU slope, and only the activations the model uses
    leaky = gn.nn.MLP([2, 4, 1], activation="leaky_relu", rng=0)
    slope = leaky.layers[1].alpha
    fig = viz.plot_activations(model=leaky, dpi=40)
    assert [ax.get_title().split()[0] for ax in fig.axes] == ["leaky_relu", "identity"]
    assert f"(a = {slope:g})" in fig.axes[0].get_title()
    zl = fig.axes[0].get_lines()[0].get_xdata()
    np.testing.assert_allclose(
        fig.axes[0].get_lines()[0].get_ydata(), np.where(zl > 0, zl, slope * zl)
    )
    fig = viz.plot_activations(["leaky_relu"], alpha=0.3, dpi=40)
    assert fig.axes[0].get_lines()[0].get_ydata()[0] == pytest.approx(0.3 * -5.0)


def test_training_snapshots_share_one_colour_scale() -> None:
    X, y = gn.datasets.make_moons(60, noise=0.1, seed=0)
    model = gn.nn.MLP([2, 8, 1], activation="tanh", output_activation="sigmoid", rng=0)
    before = {k: v.copy() for k, v in model.state_dict().items()}
    fig = viz.plot_training_snapshots(
        model, X, y, [0, 3, 30], loss="binary_cross_entropy", optimizer="adam", lr=0.05,
        seed=0, resolution=25, dpi=40,
    )  # fmt: skip
    panels = fig.axes[:-1]
    assert [ax.get_title().split(",")[0] for ax in panels] == ["epoch 0", "epoch 3", "epoch 30"]
    assert fig.axes[-1].get_ylabel() == "y_hat"  # one colour bar for the strip
    assert {ax.collections[0].norm.vmin for ax in panels} == {0.0}
    assert {ax.collections[0].norm.vmax for ax in panels} == {1.0}
    # the snapshot at epoch 0 is the untrained model; the model keeps its final weights
    assert fig.history.epochs == 30
    assert not np.allclose(model.state_dict()["layers.0.W"], before["layers.0.W"])
    loss30 = float(panels[2].get_title().split("loss ")[1])
    assert loss30 == pytest.approx(fig.history.loss[-1], abs=5e-4)
    with pytest.raises(ValueError, match="'epochs'"):
        viz.plot_training_snapshots(model, X, y, [])


def test_training_snapshots_show_where_a_stopping_rule_ended_training() -> None:
    """A run stopped by tol before the last snapshot epoch: the epoch it stopped at gets
    a panel saying so (not silently fewer panels); the caller's callbacks run too."""
    X, y = gn.datasets.make_moons(60, noise=0.1, seed=0)
    model = gn.nn.MLP([2, 8, 1], activation="tanh", output_activation="sigmoid", rng=0)
    seen = []
    fig = viz.plot_training_snapshots(
        model,
        X,
        y,
        [0, 2, 5000],
        loss="binary_cross_entropy",
        lr=0.5,
        tol=0.05,
        n_iter_no_change=2,
        seed=0,
        resolution=20,
        dpi=30,
        callbacks=[lambda state: seen.append(state.epoch)],
    )
    stop = fig.history.epochs
    assert 2 < stop < 5000 and fig.history.stop_reason == "tol"
    titles = [ax.get_title() for ax in fig.axes[:-1]]
    assert [t.split(",")[0] for t in titles] == ["epoch 0", "epoch 2", f"epoch {stop}"]
    assert "training stopped: tol" in titles[-1]
    assert seen == list(range(1, stop + 1))
    with pytest.raises(ValueError, match="'epochs' parameter.*Got 5"):
        viz.plot_training_snapshots(model, X, y, 5)


def test_training_snapshots_of_a_logits_model_draw_the_boundary_at_logit_0() -> None:
    """Trained with binary_cross_entropy_with_logits, the model outputs logits: class 1
    where the logit is > 0 (as fit's accuracy counts), not > 0.5."""
    X, y = gn.datasets.make_moons(60, noise=0.1, seed=0)
    model = gn.nn.MLP([2, 8, 1], activation="tanh", rng=0)
    fig = viz.plot_training_snapshots(
        model,
        X,
        y,
        [30],
        loss="binary_cross_entropy_with_logits",
        lr=0.5,
        seed=0,
        resolution=30,
        dpi=30,
    )
    lines = [
        c for c in fig.axes[0].collections if hasattr(c, "levels") and len(c.levels) == 1
    ]  # the boundary's contour
    assert len(lines) == 1 and list(lines[0].levels) == [0.0]


def test_history_of_a_resumed_run_is_drawn_at_its_own_epochs() -> None:
    """fit(initial_epoch=6, epochs=10) records epochs 7..10: drawn there (they were drawn at
    1..4, with the best-epoch line at 10 off the curve)."""
    X, y = gn.datasets.xnor_gate()
    net = gn.nn.MLP([2, 3, 1], rng=0)
    h = gn.fit(net, X, y, epochs=10, initial_epoch=6, validation_data=(X, y), verbose=0)
    assert len(h.loss) == 4 and h.epochs == 10
    fig = viz.plot_history(h, dpi=30)
    for ax in fig.axes:
        for line in ax.get_lines():
            if line.get_label().startswith(("training", "validation")):
                assert list(line.get_xdata()) == [7, 8, 9, 10], line.get_label()
    best = [ln for ln in fig.axes[0].get_lines() if ln.get_label().startswith("best")]
    assert list(best[0].get_xdata()) == [h.best_epoch] * 2 and 7 <= h.best_epoch <= 10


def test_activation_and_history_plot_argument_errors() -> None:
    for bad in ((1,), ("a", "b"), (2, 1), 3):
        with pytest.raises(ValueError, match="'z_range' parameter of plot_activations"):
            viz.plot_activations(["relu"], z_range=bad)
    with pytest.raises(TypeError, match="History returned by glassnet.fit.*Got list"):
        viz.plot_history([1.0, 0.5])


def test_plot_arguments_are_checked_and_named() -> None:
    """Each plot's layout and decision arguments name themselves when wrong, instead of a
    NumPy or matplotlib traceback (or a silent negative padding)."""
    X, y = gn.datasets.xnor_gate()
    net = xnor_net()
    bad = [
        ("padding", lambda: viz.plot_decision_boundary(net, X, y, padding="a")),
        ("padding", lambda: viz.plot_decision_boundary(net, X, y, padding=-1.0)),
        ("threshold", lambda: viz.plot_decision_boundary(net, X, y, threshold="a")),
        ("threshold", lambda: viz.plot_hidden_space(net, X, y, threshold=[0.5])),
        ("ncols", lambda: viz.plot_neuron_outputs(net, ncols=1.5)),
        ("ncols", lambda: viz.plot_activations(ncols=-1)),
        ("extent", lambda: viz.plot_neuron_outputs(net, extent=(1, 0, 0, 1))),
        ("extent", lambda: viz.plot_neuron_outputs(net, extent=(1,))),
        ("panel_size", lambda: viz.plot_neuron_outputs(net, panel_size="a")),
        ("panel_size", lambda: viz.plot_activations(panel_size=0)),
        ("panel_size", lambda: viz.plot_training_snapshots(net, X, y, [0], panel_size=-1)),
        ("dims", lambda: viz.plot_hidden_space(net, X, y, dims=(True, False))),
        ("dims", lambda: viz.plot_hidden_space(net, X, y, dims=(0, 0))),
        ("log", lambda: viz.plot_history(gn.fit(gn.nn.MLP([2, 1]), X, y, epochs=2), log="y")),
    ]
    for name, call in bad:
        with pytest.raises(ValueError, match=f"The '{name}' parameter of plot_"):
            call()


def test_too_many_panels_name_the_layout_arguments() -> None:
    """100 hidden neurons: 25 rows of 4 panels. The error named 'figsize', which
    plot_neuron_outputs does not take; it now names panel_size, ncols and layer."""
    with pytest.raises(ValueError, match="100 panels, 25 rows of 4.*panel_size.*ncols.*layer"):
        viz.plot_neuron_outputs(gn.nn.MLP([2, 100, 1], rng=0), resolution=10)
    # (40 panels, not 100: matplotlib takes about 50 ms an axes)
    fig = viz.plot_neuron_outputs(
        gn.nn.MLP([2, 40, 1], rng=0), resolution=10, ncols=10, panel_size=1.0, dpi=10
    )
    assert len(fig.axes) == 40 + 1  # the panels and the colour bar
    X, y = gn.datasets.xnor_gate()
    net = xnor_net()
    before = net.state_dict()
    with pytest.raises(ValueError, match="20 panels.*smaller panel_size or fewer epochs"):
        viz.plot_training_snapshots(net, X, y, list(range(20)), resolution=10)
    assert all(np.array_equal(v, net.state_dict()[k]) for k, v in before.items())  # untrained


def test_data_of_one_feature_or_one_dimension_is_named_as_such() -> None:
    """One feature: no plane to draw (the message said to plot two features); a 1-D X
    for plot_hidden_space, which takes any width: not '(N, 2)'."""
    X = np.linspace(-1, 1, 8).reshape(-1, 1)
    y = (X[:, 0] > 0).astype(int)
    with pytest.raises(ValueError, match="X has 1 feature.*np.linspace"):
        viz.plot_decision_boundary(gn.nn.MLP([1, 2, 1], rng=0), X, y)
    with pytest.raises(ValueError, match="X must have shape \\(N, d\\), one row per sample"):
        viz.plot_hidden_space(gn.nn.MLP([1, 2, 1], rng=0), X[:, 0], y)


def test_neuron_plots_of_a_diverged_network() -> None:
    """A NaN weight: the other neurons' panels keep their colour scale (the NaN panel set
    it to NaN), and plot_hidden_space names the NaN activations, not 'X contains NaN'."""
    X, y = gn.datasets.xnor_gate()
    net = gn.nn.MLP([2, 2, 1], activation="relu", rng=0, dtype=F64)
    net.layers[0].W.data[0, 0] = np.nan  # a1 = relu(NaN x1 + ...): NaN on the plane
    fig = viz.plot_neuron_outputs(net, X, y, resolution=20, dpi=30)
    a2 = fig.axes[1].images[0]
    lo, hi = a2.get_clim()
    assert np.isfinite(lo) and np.isfinite(hi)
    values = a2.get_array()
    assert lo <= float(values.min()) and float(values.max()) <= hi and hi > lo
    with pytest.raises(ValueError, match="hidden layer 0's activations are NaN"):
        viz.plot_hidden_space(net, X, y)


def test_hidden_space_of_a_one_neuron_layer_says_so() -> None:
    """The error named dims=(0, 1) as out of [0, 0] though the user gave no dims."""
    X, y = gn.datasets.xnor_gate()
    with pytest.raises(ValueError, match="hidden layer 0 has 1 neuron.*plot_neuron_outputs"):
        viz.plot_hidden_space(gn.nn.MLP([2, 1, 1], rng=0), X, y)


def test_neuron_outputs_with_points_but_no_labels_draws_them_unlabelled() -> None:
    """X without y: the points in one neutral colour, not every point called 'class 0'."""
    X, _ = gn.datasets.xnor_gate()
    fig = viz.plot_neuron_outputs(xnor_net(), X, dpi=30)
    for ax in fig.axes[:-1]:
        scatters = [c for c in ax.collections if type(c).__name__ == "PathCollection"]
        assert len(scatters) == 1 and not scatters[0].get_label().startswith("class")
        assert len(scatters[0].get_offsets()) == 4


def test_plot_errors() -> None:
    X, y = gn.datasets.xnor_gate()
    net = xnor_net()
    with pytest.raises(ValueError, match="shape \\(N, 2\\)"):
        viz.plot_decision_boundary(net, np.ones((4, 3)), y)
    with pytest.raises(ValueError, match="4 rows but y has 3"):
        viz.plot_decision_boundary(net, X, y[:3])
    with pytest.raises(ValueError, match="'resolution'"):
        viz.plot_decision_boundary(net, X, y, resolution=2)
    with pytest.raises(ValueError, match="softmax is not elementwise"):
        viz.plot_activations(["softmax"])
    with pytest.raises(ValueError, match="'layer' parameter"):
        viz.plot_hidden_space(net, X, y, layer=1)
    with pytest.raises(ValueError, match="no hidden layer"):
        viz.plot_hidden_space(gn.nn.MLP([2, 1]), X, y)
    with pytest.raises(ValueError, match="2 inputs"):
        viz.plot_neuron_outputs(gn.nn.MLP([3, 2, 1]))
    with pytest.raises(ValueError, match="no recorded loss"):
        viz.plot_history(gn.History())
    with pytest.raises(ValueError, match="'figsize'"):
        viz.plot_decision_boundary(net, X, y, figsize=(0, 1))


# ---------------------------------------------------------------------------- gallery
def test_gallery_regenerates_every_picture(tmp_path: Path) -> None:
    import importlib.util

    import matplotlib.image as mpimg

    docs = Path(__file__).resolve().parents[1] / "docs"
    spec = importlib.util.spec_from_file_location("glassnet_docs_gallery", docs / "gallery.py")
    gallery = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gallery)
    assert gallery.main(["--out", str(tmp_path)]) == 0
    made = sorted(p.name for p in tmp_path.iterdir())
    assert made == sorted(gallery.pictures())
    assert all((docs / "img" / name).exists() for name in made)  # committed too
    for name in made:
        new, old = tmp_path / name, docs / "img" / name
        if name.endswith(".png"):
            w, h = png_size(new)
            assert (w, h) == png_size(old) and w >= 300 and h >= 200
            assert mpimg.imread(new).shape[:2] == (h, w)
        else:  # SVG, DOT and Markdown depend only on glassnet: the committed ones are current
            assert new.read_text() == old.read_text(), f"docs/img/{name} is stale"
            if name.endswith(".svg"):
                ET.parse(new)
    texts = svg_texts((tmp_path / "xnor_network.svg").read_text())
    assert "0.002" in texts and "0.881" in texts
    table = (tmp_path / "backprop_table.md").read_text()
    assert "(ŷ − y) g′(z₃) w₅ g′(z₁) w₁ + (ŷ − y) g′(z₃) w₆ g′(z₂) w₂" in table
    assert r"$\frac{\partial L}{\partial z_{1}}$" in table  # LaTeX in the Markdown tables
