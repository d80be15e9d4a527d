"""The lecture's drawings as a teacher uses them: a Sequential's graph names its layers'
weights W₁, b₁, W₂, b₂ whatever listed its parameters before; the 2-2-1 network
pictures keep every number inside its node, in one format, at most 1280 px wide; the
legend says what a node's shade means, on one scale; plot_activations shows ReLU's
g′(z) = 0 and writes the slides' formulas; plot_neuron_outputs names its axes, classes
and dashed line; the playground's hidden-space panel labels coincident points and has
ticks."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from browser_helpers import needs_browser, open_playground

import glassnet as gn
from glassnet import functional as F
from glassnet import viz
from glassnet.viz._svg import ASCENT, DESCENT, text_width

SVG = "{http://www.w3.org/2000/svg}"
F64 = np.float64
XNOR_POINTS = [([0.0, 0.0], 1.0), ([0.0, 1.0], 0.0), ([1.0, 0.0], 0.0), ([1.0, 1.0], 1.0)]


def xnor_net(bias: bool = True) -> gn.nn.Module:
    """The slides' XNOR network (docs/gallery.py), or the lecture's 2-2-1 without biases."""
    if bias:
        net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", dtype=F64)
        net.layers[0].W.data[:] = [[4, -4], [4, -4]]
        net.layers[0].b.data[:] = [-6, 2]
        net.layers[2].W.data[:] = [[1], [1]]
        net.layers[2].b.data[:] = [-0.5]
        return net
    net = gn.nn.Sequential(
        gn.nn.Linear(2, 2, bias=False, dtype=F64), gn.nn.Sigmoid(),
        gn.nn.Linear(2, 1, bias=False, dtype=F64), gn.nn.Sigmoid(),
    )  # fmt: skip
    net.layers[0].W.data[:] = [[0.5, -0.3], [0.8, 0.2]]
    net.layers[2].W.data[:] = [[1.0], [-1.5]]
    return net


# ---------------------------------------------------------------- 1. W₁, b₁ of a Sequential
def _graph_texts(net: gn.nn.Module) -> set[str]:
    L = F.mse(net(gn.Tensor([[1.0, 0.5]])), gn.Tensor([[1.0]]), half=True)
    return set(re.findall(r"<text[^>]*>([^<>]*)</text>", viz.draw_graph(L, backward=True)))


def _sequential() -> gn.nn.Sequential:
    return gn.nn.Sequential(
        gn.nn.Linear(2, 2), gn.nn.Sigmoid(), gn.nn.Linear(2, 1), gn.nn.Sigmoid()
    )


def _labels_of(net: gn.nn.Sequential) -> list[str | None]:
    return [p.label for k in (0, 2) for p in (net.layers[k].W, net.layers[k].b)]


@pytest.mark.parametrize("before", ["nothing", "parameters", "optimizer", "layer parameters"])
def test_a_sequential_draws_its_layers_weights_numbered(before: str) -> None:
    """Both layers were titled "W" (edges "Wᵀ"), or "layers.0.W" once anything listed the
    model's parameters: now W₁, b₁, W₂, b₂, as MLP's drawing, and labels stay as they were."""
    net = _sequential()
    if before == "parameters":
        list(net.parameters())
    elif before == "optimizer":
        gn.optim.SGD(net.parameters(), lr=0.5)
    elif before == "layer parameters":  # a Linear's own parameters(): labels 'W', 'b'
        for layer in (net.layers[0], net.layers[2]):
            list(layer.parameters())
    labels = _labels_of(net)
    texts = _graph_texts(net)
    for want in ("W₁", "W₂", "b₁", "b₂", "W₁ᵀ", "W₂ᵀ", "X W₁ + b₁", "A W₂ + b₂", "σ(X W₁ + b₁)"):
        assert want in texts, (want, sorted(t for t in texts if "W" in t))
    assert not any("layers." in t for t in texts)
    assert not {"W", "Wᵀ", "X W + b", "A W + b"} & texts
    mlp = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    assert {t for t in texts if "W" in t} == {t for t in _graph_texts(mlp) if "W" in t}
    # the drawing changes no label (parameters()'s documented dotted names stay)
    assert labels == _labels_of(net)


def test_own_labels_are_kept_and_a_shared_layer_keeps_its_first_number() -> None:
    """A parameter's own label (MLP's W1, one's own 'weights') is its name; a Linear called
    twice keeps the number of its first call, as summary names it."""
    from glassnet.viz.graph import own_label

    a, b = gn.nn.Linear(2, 2), gn.nn.Linear(2, 2)
    a.W.label = "V"
    net = gn.nn.Sequential(a, gn.nn.Tanh(), b, gn.nn.Tanh(), b)
    texts = _graph_texts(gn.nn.Sequential(net, gn.nn.Linear(2, 1)))
    assert "V" in texts and "b₁" in texts and "W₂" in texts and "W₄" in texts
    assert "W₃" not in texts and "W₁" not in texts
    assert own_label("W1", "W") and own_label("weights", "W")
    assert not any(own_label(s, "W") for s in (None, "", "W", "layers.0.W"))


def _box_titles(net: gn.nn.Module) -> list[str]:
    """The titles of the graph's parameter boxes (W₁, b₂, W_in), each box once."""
    L = F.mse(net(gn.Tensor([[1.0, 0.5]])), gn.Tensor([[1.0]]), half=True)
    out = []
    for g in ET.fromstring(viz.draw_graph(L, backward=True)).iter(f"{SVG}g"):
        texts = [t.text or "" for t in g.findall(f"{SVG}text")]
        if texts and re.fullmatch(r"[Wb](_\w+|[₀-₉]+)?", texts[0]):
            out.append(texts[0])
    return out


def test_automatic_numbers_skip_the_names_other_parameters_hold() -> None:
    """Sequential(Linear, Sigmoid, MLP) drew two boxes titled W₁ and two b₁ (the MLP's own
    W1, b1 and the first layer's automatic number); a user's "W1" on layer 2 clashed
    likewise. The automatic numbers skip the names taken: every box its own title."""
    mlp = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    composed = gn.nn.Sequential(gn.nn.Linear(2, 2), gn.nn.Sigmoid(), mlp)
    titles = _box_titles(composed)
    assert sorted(titles) == ["W₁", "W₂", "W₃", "b₁", "b₂", "b₃"]
    texts = _graph_texts(composed)
    assert {"X W₃ + b₃", "A W₁ + b₁", "A W₂ + b₂"} <= texts  # the MLP keeps its own
    clash = _sequential()
    clash.layers[2].W.label = "W1"
    titles = _box_titles(clash)
    assert len(titles) == 4 and len(set(titles)) == 4, titles
    assert "W₁" in titles and "X W₁ + b₁" not in _graph_texts(clash)
    for label in ("W_1", "W₁"):  # the same symbol, however written
        clash.layers[2].W.label = label
        assert _box_titles(clash).count("W₁") == 1
    # no label taken: the numbers as before
    assert sorted(_box_titles(_sequential())) == ["W₁", "W₂", "b₁", "b₂"]


# ---------------------------------------------------------------- 2. numbers inside their node
def _circles_and_values(svg: str) -> list[tuple[float, float, float, ET.Element]]:
    out = []
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        if g.get("class") != "node":
            continue
        c = g.find(f"{SVG}circle")
        for t in g.findall(f"{SVG}text"):
            if t.get("font-weight") == "bold":
                out.append((float(c.get("cx")), float(c.get("cy")), float(c.get("r")), t))
    return out


def _pictures() -> list[tuple[str, str]]:
    out = []
    for bias in (True, False):
        net = xnor_net(bias)
        for x, y in XNOR_POINTS:
            key = f"{'bias' if bias else 'no bias'} x={x}"
            out.append((key + " forward", viz.draw_network(net, x)))
            out.append((key + " backward", viz.draw_network(net, x, y, backward=True)))
    out.append(("lecture point", viz.draw_network(xnor_net(False), [1.0, 0.5], 1.0, backward=True)))
    return out


PICTURES = _pictures()


@pytest.mark.parametrize("name, svg", PICTURES, ids=[n for n, _ in PICTURES])
def test_the_lectures_2_2_1_pictures_fit_a_slide_and_their_numbers_their_nodes(name, svg) -> None:
    """At XNOR's (1, 1), ∂L/∂z₂ = -2.41e-04 crossed z₂'s circle, beside ∂L/∂w₁ = -0.010 (two
    formats on one slide), and the picture was 1333 px wide: every bold number's box lies
    inside its circle (inside the 1.4 px outline), one format, and <= 1280 px."""
    assert float(ET.fromstring(svg).get("width")) <= 1280
    values = _circles_and_values(svg)
    assert values
    for cx, cy, r, t in values:
        size = float(t.get("font-size"))
        x, base = float(t.get("x")), float(t.get("y"))
        assert t.get("text-anchor") == "middle" and abs(x - cx) < 0.1
        half = text_width(t.text, size) / 2
        for dx in (-half, half):
            for y in (base - ASCENT * size, base + DESCENT * size):
                assert math.hypot(x + dx - cx, y - cy) <= r - 0.7, (name, t.text, size, r)
    # one format: the slides' 3 decimals, and a value too small for them in the short
    # -2.4e-4 (never fmt's -2.41e-04, never a nonzero value as 0.000); a factor written
    # with more digits where its product would not come out as drawn (round 30, teach3:
    # g′(z₂) = 0.00247 beside -0.098 and -2.4e-4), in the same two forms
    texts = re.findall(r">([^<>]*)</text>", svg)
    for t in texts:
        for num in re.findall(r"(?<![\w.⁽₀-₉])-?\d[\d.]*(?:e[-+]\d+)?", t):
            assert re.fullmatch(r"-?\d+(\.\d{3,9})?|-?[1-9]\.\d{1,7}e-\d", num), (t, num)
            assert "e" not in num or abs(float(num)) < 5e-4, (t, num)


def test_a_value_too_small_for_the_decimals_keeps_its_size_in_short_form() -> None:
    """A value under half the last decimal read -0.000 (with a note): a deep sigmoid net's
    backward picture read 0.000 in 23 of its 65 nodes, the vanishing gradient gone. It
    reads -2.4e-4, inside its circle; the slides' 3-decimal numbers stay as they were."""
    net = xnor_net()
    svg = viz.draw_network(net, [1.0, 1.0], 1.0, backward=True)
    e = gn.explain(net, [1.0, 1.0], 1.0, "half_mse")
    assert -5e-4 < float(e.dL_dZ[0][0, 1]) < 0  # ∂L/∂z₂ = -2.41e-04
    nodes = {g.findall(f"{SVG}text")[0].text: g for g in ET.fromstring(svg).iter(f"{SVG}g")
             if g.get("class") == "node"}  # fmt: skip
    z2 = nodes["z₂"]
    assert z2.findall(f"{SVG}text")[1].text == "-2.4e-4"
    assert z2.find(f"{SVG}title").text == "∂L/∂z₂ = -0.000241"  # in full on hovering
    texts = re.findall(r">([^<>]*)</text>", svg)
    assert "∂L/∂w₂ = -2.4e-4" in texts and "∂L/∂w₁ = -0.010" in texts
    assert not any("0.000" in t for t in texts)  # (nor the note that said 0.000 was not 0)
    forward = re.findall(r">([^<>]*)</text>", viz.draw_network(net, [0.0, 0.0]))
    assert {"0.002", "0.881", "0.595", "z₁ = -6", "z₂ = 2"} <= set(forward)
    deep = gn.nn.MLP([2, 6, 6, 6, 6, 6, 1], activation="sigmoid", output_activation="sigmoid",
                     dtype=F64, rng=0)  # fmt: skip
    for y in (1.0, float(deep(gn.Tensor([[1.0, 0.5]])).data[0, 0]) + 1e-3):
        svg = viz.draw_network(deep, [1.0, 0.5], y, backward=True)
        values = [t.text for *_, t in _circles_and_values(svg)]
        assert len(values) == 65 and not any(re.fullmatch(r"-?0\.0+", v) for v in values)
        assert all(float(v) != 0 for v in values)
        for _, cy, r, t in _circles_and_values(svg):  # each inside its circle
            size = float(t.get("font-size"))
            low = float(t.get("y")) + DESCENT * size - cy
            assert math.hypot(text_width(t.text, size) / 2, low) < r
    for d in (3, 5):
        texts = re.findall(
            r">([^<>]*)</text>", viz.draw_network(deep, [1.0, 0.5], 1.0, backward=True, decimals=d)
        )
        assert not any(re.search(r"(?<![\w.])-?0\.0+(?![\d])", t) for t in texts)


# ---------------------------------------------------------------- 3. what a node's shade means
def _fills(svg: str) -> dict[str, str]:
    out = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        if g.get("class") == "node":
            out[g.findall(f"{SVG}text")[0].text] = g.find(f"{SVG}circle").get("fill")
    return out


def _lightness(fill: str) -> int:
    return sum(int(fill[i : i + 2], 16) for i in (1, 3, 5))


def test_the_legend_says_what_a_node_shade_means_on_one_scale() -> None:
    """The legend named the edges' colours only, and each column had its own scale: ŷ =
    0.595 was as dark as a₂ = 0.881."""
    net = xnor_net()
    fw = viz.draw_network(net, [0.0, 0.0])
    texts = [t.text or "" for t in ET.fromstring(fw).iter(f"{SVG}text")]
    shade = [t for t in texts if t.startswith("Node shade")]
    assert shade == ["Node shade: its value (blue > 0, red < 0), darkest at 0.881 (neurons)."]
    fills = _fills(fw)
    assert _lightness(fills["ŷ"]) > _lightness(fills["a₂"])  # 0.595 lighter than 0.881
    bw = viz.draw_network(net, [0.0, 0.0], 1.0, backward=True)
    shade = [t.text for t in ET.fromstring(bw).iter(f"{SVG}text") if "Node shade" in t.text]
    assert shade == [
        "Blue: w > 0, red: w < 0, thickness: |w| (largest 4). Node shade: ∂L/∂(node) alike, "
        "darkest at 0.405 in size; one scale."
    ]
    # without x no node is shaded, and no shade is explained
    assert "Node shade" not in viz.draw_network(net)


def test_a_large_input_does_not_wash_out_the_neurons_shades() -> None:
    """One scale over inputs and neurons: x₁ = 100 was deep blue, a₁ = 1 and ŷ = 0.622 as
    white as a₂ = 0. The neurons share one scale, the inputs have their own, and the
    legend says both."""
    net = xnor_net()
    svg = viz.draw_network(net, [100.0, 0.5])
    fills = _fills(svg)
    white = _lightness("#ffffff")
    assert fills["a₁"] == _fills(viz.draw_network(net, [1.0, 1.0]))["a₁"] != "#ffffff"
    assert white > _lightness(fills["ŷ"]) > _lightness(fills["a₁"])  # 0.622 lighter than 1
    assert _lightness(fills["a₂"]) == white  # a₂ = 0
    assert white > _lightness(fills["x₂"]) > _lightness(fills["x₁"])  # 0.5, 100: own scale
    texts = [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert [t for t in texts if t.startswith("Node shade")] == [
        "Node shade: its value (blue > 0, red < 0), darkest at 1 (neurons), "
        "100 (inputs, their own scale)."
    ]
    wide = gn.nn.MLP([4, 8, 3], activation="relu", output_activation="softmax", rng=0)
    fills = _fills(viz.draw_network(wide, [250.0, 3.0, 0.1, -1.0]))
    assert sum(f != "#ffffff" for name, f in fills.items() if not name.startswith("x")) >= 3


# ---------------------------------------------------------------- 4, 5. matplotlib figures
def test_plot_activations_draws_the_derivative_over_the_function_in_the_slides_notation() -> None:
    pytest.importorskip("matplotlib")
    fig = viz.plot_activations()
    try:
        titles = [ax.get_title() for ax in fig.axes]
        assert any("\\sigma(z) = 1/(1+e^{-z})" in t for t in titles), titles
        assert not any("e^-z" in t for t in titles)
        for ax in fig.axes:
            g, dg = ax.lines[0], ax.lines[1]
            assert g.get_label() == "$g(z)$" and dg.get_label() == "$g'(z)$"
            assert dg.get_zorder() > g.get_zorder()  # ReLU's g′ = 0 was hidden under g = 0
        relu = next(ax for ax in fig.axes if ax.get_title().startswith("relu"))
        z, dg = relu.lines[1].get_data()
        assert np.all(dg[np.asarray(z) < 0] == 0)  # drawn for z < 0, on top
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)


def test_plot_neuron_outputs_names_axes_classes_and_the_dashed_line() -> None:
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=F64)
    fig = viz.plot_neuron_outputs(xnor_net(), X, np.array([1, 0, 0, 1]))
    try:
        panels = [ax for ax in fig.axes if ax.get_title()]
        assert len(panels) == 2
        for ax in panels:
            assert (ax.get_xlabel(), ax.get_ylabel()) == ("x1", "x2")
        assert len(fig.legends) == 1
        labels = [t.get_text() for t in fig.legends[0].get_texts()]
        assert labels == ["class 0", "class 1", "z = 0"]
        fig.canvas.draw()  # the legend beneath the panels, not over them
        box = fig.legends[0].get_window_extent()
        assert all(box.y1 <= ax.get_window_extent().y0 for ax in panels)
    finally:
        plt.close(fig)


@pytest.mark.parametrize("hidden, classes", [(1, 5), (1, 7), (2, 5), (1, 2), (2, 3)])
def test_plot_neuron_outputs_legend_fits_the_figure(hidden: int, classes: int) -> None:
    """One neuron's panel and 5 classes: the legend's one row ran from x = -69 to 395 px
    on a 326 px figure, "class 0" and "z = 0" cut off. It wraps into rows that fit, below
    the panels; where one row fits, one row."""
    pytest.importorskip("matplotlib")
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(60, 2)), rng.integers(0, classes, 60)
    out = ("softmax", classes) if classes > 2 else ("sigmoid", 1)
    net = gn.nn.MLP([2, hidden, out[1]], activation="tanh", output_activation=out[0], rng=0)
    fig = viz.plot_neuron_outputs(net, X, y)
    fig.canvas.draw()
    legend = fig.legends[0]
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels == [f"class {c}" for c in range(classes)] + ["z = 0"]
    box = legend.get_window_extent()
    assert 0 <= box.x0 and box.x1 <= fig.bbox.width and 0 <= box.y0
    for t in legend.get_texts():  # every entry inside the figure
        tb = t.get_window_extent()
        assert 0 <= tb.x0 and tb.x1 <= fig.bbox.width and tb.y0 >= 0
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert all(box.y1 <= ax.get_window_extent().y0 for ax in panels)
    if hidden == 2 or classes == 2:  # room for one row: one row
        assert legend._ncols == len(labels)


# ---------------------------------------------------------------- 6. the playground's hidden space


@needs_browser
def test_the_playground_hidden_space_labels_coincident_points_and_has_ticks(page, server) -> None:
    """The Lecture preset's XNOR points (0, 1) and (1, 0) both map to (0.119, 0.119): one
    dot, no label, no ticks (a class saw 3 points for 4); now each spot names its inputs,
    coincident ones together, and the axes have ticks at 0 and 1."""
    open_playground(page, server, "#preset=lecture")
    page.wait_for_selector("#hidden-space-wrap:not([hidden])")
    page.wait_for_function("hsLabels.length > 0")
    labels = page.evaluate("hsLabels")
    assert "x=(0, 1) / x=(1, 0)" in labels, labels
    assert sorted(labels) == sorted(["x=(0, 0)", "x=(0, 1) / x=(1, 0)", "x=(1, 1)"]), labels
    assert page.evaluate("hsTicks") == ["0", "1"]


@needs_browser
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_the_hidden_space_labels_few_distinct_inputs_in_many_rows(page, server, activation) -> None:
    """Changing the Lecture preset's activation rebuilds XNOR as 500 rows of its 4 inputs:
    the labels were for 8 rows at most, so they vanished (with ReLU, 3 dots for 4 inputs,
    unlabelled). Labels go by distinct inputs: every one of the 4 is named."""
    open_playground(page, server, "#preset=lecture")
    page.wait_for_selector("#hidden-space-wrap:not([hidden])")
    page.wait_for_function("hsLabels.length > 0")
    page.select_option("#activation", activation)
    page.wait_for_function(
        "run.data.points.length > 8 && hiddenSpace && hsLabels.length > 0", timeout=20000
    )
    rows = page.evaluate("run.data.points.map((p) => p.join(','))")
    assert len(rows) > 8 and len(set(rows)) == 4
    labels = page.evaluate("hsLabels")
    named = sorted(x for t in labels for x in t.split(" / "))
    assert named == ["x=(0, 0)", "x=(0, 1)", "x=(1, 0)", "x=(1, 1)"], labels
