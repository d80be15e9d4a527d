"""draw_graph: every node titled with what it computes (the op's name in its tooltip),
and backward pictures of the lecture's XNOR network at a page's width, every number
still there (small matrices as rows, the rest in each node's tooltip)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import glassnet as gn
from glassnet import functional as F
from glassnet import viz
from glassnet.report import fmt
from glassnet.viz import text_boxes

SVG = "{http://www.w3.org/2000/svg}"
F64 = np.float64
# docs/teaching.md: "Legible at 100 % on a 1280-px slide"; a 1280-px page shows the
# picture at 100 %, its 12-px text unscaled (the XNOR pictures were 1382-1827 px wide)
PAGE = 1280


def xnor_net() -> gn.nn.MLP:
    """The slides' XNOR network (docs/gallery.py)."""
    net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", dtype=F64)
    net.layers[0].W.data[:] = [[4, -4], [4, -4]]
    net.layers[0].b.data[:] = [-6, 2]
    net.layers[2].W.data[:] = [[1], [1]]
    net.layers[2].b.data[:] = [-0.5]
    return net


def xnor_loss(rows: int) -> tuple[gn.Tensor, gn.nn.MLP, np.ndarray, np.ndarray]:
    """½(ŷ − y)² averaged over ``rows`` rows of XNOR's truth table, repeated."""
    net = xnor_net()
    table = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=F64)
    X = np.resize(table, (rows, 2))
    Y = np.resize(np.array([[1], [0], [0], [1]], dtype=F64), (rows, 1))
    return F.mse(net(gn.Tensor(X)), Y, half=True).named("L"), net, X, Y


def nodes_of(svg: str) -> list[tuple[ET.Element, list[str], str]]:
    """(group, its visible lines, its tooltip) for every node box."""
    out = []
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        if g.get("class") == "node":
            tip = g.find(f"{SVG}title")
            lines = [t.text or "" for t in g.findall(f"{SVG}text")]
            out.append((g, lines, "" if tip is None else tip.text or ""))
    return out


def lecture_graph() -> gn.Tensor:
    x1 = gn.Tensor(1.0, requires_grad=True, label="x1", dtype=F64)
    x2 = gn.Tensor(0.5, requires_grad=True, label="x2", dtype=F64)
    w = [
        gn.Tensor(v, requires_grad=True, label=f"w{i + 1}", dtype=F64)
        for i, v in enumerate([0.5, -0.3, 0.8, 0.2, 1.0, -1.5])
    ]
    z1 = (w[0] * x1 + w[2] * x2).named("z1")
    z2 = (w[1] * x1 + w[3] * x2).named("z2")
    a1, a2 = F.sigmoid(z1).named("a1"), F.sigmoid(z2).named("a2")
    z3 = (w[4] * a1 + w[5] * a2).named("z3")
    return F.mse(F.sigmoid(z3).named("y_hat"), 1.0, half=True).named("L")


# ------------------------------------------------------------------ 1. node titles
@pytest.mark.parametrize("backward", [False, True])
def test_no_node_is_titled_by_its_op_name_and_every_node_names_its_op(backward) -> None:
    """The XNOR batch's nodes were titled "linear", "sigmoid", "constant" (the op's
    name); each is now titled with what it computes, in the lecture's notation, and
    carries an SVG <title> (its tooltip) naming its op."""
    L, _, _, _ = xnor_loss(4)
    graph = viz.graph_nodes(L)
    svg = viz.draw_graph(L, backward=backward)
    nodes = nodes_of(svg)
    assert len(nodes) == len(graph)
    op_names = {t.op for t in graph if t.op}
    titles = [lines[0] for _, lines, _ in nodes]
    assert not op_names & set(titles), titles
    assert not {"constant", "parameter", "leaf"} & set(titles)
    # the lecture's notation: X W + b, then σ of that layer (its edge reads g′(z))
    assert titles.count("X W₁ + b₁") == 1 and titles.count("A W₂ + b₂") == 1
    assert titles.count("σ(X W₁ + b₁)") == 1 and titles.count("σ(A W₂ + b₂)") == 1
    assert "X" in titles and "L" in titles
    # each op node's tooltip names its op; each leaf's says what kind of leaf it is
    for (_, lines, tip), t in zip(nodes, graph):
        if t.parents:
            assert f"op {t.op}" in tip.splitlines()[0], (lines[0], tip)
        else:
            assert "leaf" in tip.splitlines()[0], (lines[0], tip)
    (l_lines,) = [lines for _, lines, _ in nodes if lines[0] == "L"]
    assert l_lines[1] == "= mean ½(#1 − y)²"  # (was "op half_mse", then x for ŷ)


def test_named_node_with_a_long_formula_shows_the_ops_symbol() -> None:
    """z₃ = w₅ a₁ + w₆ a₂ is too long for its box: it read "op add"; now "op + (add)",
    the lecture's symbol, and its name. Short formulas stay (a₁ = σ(z₁))."""
    svg = viz.draw_graph(lecture_graph(), backward=True)
    blocks = {lines[0]: lines for _, lines, _ in nodes_of(svg)}
    assert blocks["z₃"][1] == "op + (add)" and blocks["z₁"][1] == "op + (add)"
    assert blocks["a₁"][1] == "= σ(z₁)" and blocks["ŷ"][1] == "= σ(z₃)"
    assert "w₁ x₁" in blocks  # an unnamed product: its formula


def test_titles_of_other_ops() -> None:
    """Each op titled with its formula, never its name: a matrix product, a sum, an
    exponential, a transpose, a ReLU, a tanh (an activation's input is z, as its edge's
    g′(z) names it; another computed input, by its node's number: exp(#1), not exp(x))."""
    A = gn.Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, label="A", dtype=F64)
    B = gn.Tensor(np.ones((3, 2)), requires_grad=True, label="B", dtype=F64)
    out = (F.relu(A @ B).tanh().exp().T).sum()
    svg = viz.draw_graph(out, backward=True)
    titles = [lines[0] for _, lines, _ in nodes_of(svg)]
    for want in ("A @ B", "ReLU(z)", "tanh(z)", "exp(#1)", "#2ᵀ", "Σ #3"):
        assert want in titles, (want, titles)
    assert not {t.op for t in viz.graph_nodes(out)} & set(titles)


# --------------------------------------------------------------- 2. a page's width
@pytest.mark.parametrize("rows", [1, 4, 16, 1000])
def test_xnor_backward_picture_fits_a_page(rows) -> None:
    """The XNOR network's backward graph, for one row, its truth table (4 rows) and
    larger batches, is at most PAGE px wide (it was 1382, 1827 and 1631 px for 1, 4 and
    16 rows), its text at least 12 px, no two texts overlapping, every text inside its
    node's box and the canvas."""
    L, _, _, _ = xnor_loss(rows)
    svg = viz.draw_graph(L, backward=True, title="the XNOR network's reversed graph")
    root = ET.fromstring(svg)
    assert float(root.get("width")) <= PAGE
    assert min(b.y1 - b.y0 for b in text_boxes(svg)) >= 12 * 1.05 - 1e-9
    assert viz.overlapping_texts(svg) == []
    w, h = float(root.get("width")), float(root.get("height"))
    assert all(b.x0 >= 0 and b.y0 >= 0 and b.x1 <= w and b.y1 <= h for b in text_boxes(svg))
    for g, lines, _ in nodes_of(svg):
        rect = g.find(f"{SVG}rect")
        x0, y0 = float(rect.get("x")), float(rect.get("y"))
        x1, y1 = x0 + float(rect.get("width")), y0 + float(rect.get("height"))
        inner = "".join(ET.tostring(e, encoding="unicode") for e in g.findall(f"{SVG}text"))
        doc = f'<svg xmlns="http://www.w3.org/2000/svg" font-size="12">{inner}</svg>'
        for b in text_boxes(doc):
            assert x0 <= b.x0 and b.x1 <= x1 and y0 <= b.y0 and b.y1 <= y1, (lines, b)


def test_small_matrices_drawn_as_rows_and_every_number_in_the_tooltip() -> None:
    """W₁ (2 × 2) is drawn as its two rows; the 4 × 1 output's value and gradient as its
    four rows (each number on the page); a larger tensor's range [min .. max], wrapped
    after its ".." when long, and every number of every tensor in its node's tooltip."""
    L, net, X, Y = xnor_loss(4)
    svg = viz.draw_graph(L, backward=True)
    nodes = {lines[0]: (lines, tip) for _, lines, tip in nodes_of(svg)}
    w_lines, w_tip = nodes["W₁"]
    assert w_lines[2:4] == ["value [4, -4]", "[4, -4]"]  # (the second row indented under it)
    L.backward()
    gw = net.layers[0].W.grad
    for v in np.ravel(gw):
        assert fmt(float(v)) in " ".join(w_lines) and fmt(float(v)) in w_tip
    out_lines, out_tip = nodes["A W₂ + b₂"]
    z = net.layers[0](gn.Tensor(X)).data  # the output layer's z = A W₂ + b₂
    z = F.sigmoid_fn(z) @ net.layers[2].W.data + net.layers[2].b.data
    values = re.findall(r"-?\d+\.\d+", " ".join(out_lines[2:6]))
    np.testing.assert_allclose([float(v) for v in values], z.ravel(), atol=5e-4)
    # the 4 × 2 hidden layer: its range on the page, every number in the tooltip
    h_lines, h_tip = nodes["X W₁ + b₁"]
    zh = X @ net.layers[0].W.data + net.layers[0].b.data
    assert f"value [{fmt(zh.min())} .. {fmt(zh.max())}]" in h_lines
    body = h_tip.split("value = ", 1)[1].split("grad", 1)[0]
    np.testing.assert_allclose(
        [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", body)], zh.ravel(), atol=5e-4
    )
    # a long range wraps after its "..": 16 rows of the hidden layer
    L16, _, _, _ = xnor_loss(16)
    sig = [lines for _, lines, _ in nodes_of(viz.draw_graph(L16, backward=True))
           if lines[0] == "σ(X W₁ + b₁)"]  # fmt: skip
    assert sig and sig[0][2].endswith("..") and sig[0][3].strip().startswith("..")


def test_long_edge_labels_wrap_and_keep_their_text() -> None:
    """The label "sum over rows" (13 characters) stretched the gap after W₁; labels wrap at their
    spaces to 10 characters, a formula's short pieces together ((x − y)/4), and every
    label carries its full text and its op in a tooltip."""
    L, _, _, _ = xnor_loss(4)
    svg = viz.draw_graph(L, backward=True)
    groups = [g for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("class") == "label"]
    labels = [[t.text for t in g.findall(f"{SVG}text")] for g in groups]
    assert ["sum over", "rows"] in labels and ["(#1 − y)/4"] in labels
    assert all(len(line) <= 10 for lab in labels for line in lab), labels
    tips = [g.find(f"{SVG}title").text for g in groups]
    assert any(t.endswith("= sum over rows (op linear)") for t in tips), tips
    from glassnet.viz._svg import wrap_text

    assert wrap_text("a bb ccc", 4) == ["a bb", "ccc"] and wrap_text("", 5) == [""]


def test_legend_and_title_wrap_to_the_drawing() -> None:
    """A small graph's legend (two lines of 89 and 137 characters) made the picture
    ~1020 px wide; it wraps to the drawing (at least 480 px), as does a long title."""
    x = gn.Tensor(2.0, requires_grad=True, label="x", dtype=F64)
    svg = viz.draw_graph((x * x).named("y"), backward=True, title="a " * 80)
    assert float(ET.fromstring(svg).get("width")) <= 480
    assert viz.overlapping_texts(svg) == []


def test_dot_nodes_carry_the_same_tooltip() -> None:
    """The DOT text gives each node the SVG's tooltip (its op and every number), which
    Graphviz writes into the SVG it makes."""
    L, _, _, _ = xnor_loss(4)
    dot = viz.draw_graph(L, backward=True, fmt="dot")
    tips = re.findall(r'tooltip="((?:[^"\\]|\\.)*)"', dot)
    assert len(tips) == len(viz.graph_nodes(L))
    assert any(t.startswith("X W₁ + b₁: op linear\\nshape (4, 2)") for t in tips), tips
    assert "\n" not in "".join(tips)  # (each node on one line of the DOT text)


def test_a_one_value_bias_is_named_by_its_role_not_its_value():
    """nn.Linear(2, 1)'s bias holds one number: its node read '0' and the layer 'A W + 0',
    so a parameter looked like a constant (0.374 once trained)."""
    import glassnet as gn
    from glassnet import nn
    from glassnet.viz import draw_graph

    net = nn.Sequential(nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 1))
    X = gn.Tensor(np.ones((4, 3), np.float32))
    svg = draw_graph(gn.functional.mse(net(X), np.zeros((4, 1), np.float32)))
    texts = set(re.findall(r">([^<>\n]+)<", svg))
    # (round 16: a Sequential's layers numbered, W₂ and b₂, as MLP's)
    assert "A W₂ + b₂" in texts and not any(re.fullmatch(r"A W₂ \+ -?[\d.]+", t) for t in texts)
    assert "b₂" in texts  # the bias node's own title
