"""A user's review of the drawings and plots: what is drawn equals the model's numbers,
bad input gets a clear error, and extreme models and histories still draw."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import glassnet as gn
from glassnet import viz
from glassnet.explain import explain, unicode_symbol
from glassnet.report import fmt

pytest.importorskip("matplotlib")

SVG = "{http://www.w3.org/2000/svg}"
F64 = np.float64


def visible_points(ax) -> set[tuple[float, float]]:
    """The (x, y) points a viewer sees on ``ax``: every finite point of a line drawn with
    markers, and the ends of the segments between two finite points of a plain line."""
    seen = set()
    for line in ax.get_lines():
        x, y = (np.asarray(v, dtype=F64) for v in line.get_data())
        fin = np.isfinite(y)
        if line.get_marker() not in ("None", "", None, " "):
            seen |= {(float(a), float(b)) for a, b in zip(x[fin], y[fin])}
        else:
            both = fin[:-1] & fin[1:]
            for k in np.flatnonzero(both):
                seen |= {(float(x[k]), float(y[k])), (float(x[k + 1]), float(y[k + 1]))}
    return seen


# =====================================================================================
# The network drawn: its numbers are the model's
# =====================================================================================
def test_forward_edges_carry_w_ij_of_the_lecture_layout_and_the_activations() -> None:
    net = gn.nn.MLP([2, 3, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    x = np.array([1.0, -0.5])
    svg = viz.draw_network(net, x, names="layered", edge_labels=True)
    tips = re.findall(r"<line [^>]*><title>([^<]*)</title>", svg)
    W = [lay.W.data for lay in net.layers if isinstance(lay, gn.nn.Linear)]
    want = [
        f"{unicode_symbol(f'w[{l + 1}]_{i + 1}{k + 1}')} = {fmt(float(w[i, k]))}"
        for l, w in enumerate(W)
        for i in range(w.shape[0])
        for k in range(w.shape[1])
    ]
    assert tips == want  # W: (inputs, neurons), edge i -> k carries W[i, k]
    # each neuron's bold value is a = g(z) for x, computed here by hand
    a1 = 1 / (1 + np.exp(-(x @ W[0].astype(F64) + net.layers[0].b.data)))
    yh = 1 / (1 + np.exp(-(a1 @ W[1].astype(F64) + net.layers[2].b.data)))
    bold = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text") if t.get("font-weight")]
    assert bold == [fmt(v) for v in [*x, *a1, *yh]]


def test_edge_colours_follow_the_sign_and_nan_is_grey() -> None:
    net = gn.nn.MLP([2, 2], rng=0, dtype=F64)
    net.layers[0].W.data[:] = [[0.5, -0.5], [0.0, np.nan]]
    svg = viz.draw_network(net)
    colours = re.findall(r'<line [^>]*stroke="(#[0-9a-f]+)"', svg)
    assert colours == ["#2b6cb0", "#c53030", "#2b6cb0", "#555555"]


@pytest.mark.parametrize("font_size", [30, 40])
@pytest.mark.parametrize("backward", [False, True])
def test_large_font_keeps_name_value_and_notes_apart_inside_the_circles(
    font_size, backward
) -> None:
    net = gn.nn.MLP([2, 2, 1], rng=0)
    y = 1.0 if backward else None
    svg = viz.draw_network(net, [1.0, 2.0], y, backward=backward, font_size=font_size)
    assert viz.overlapping_texts(svg) == []  # the name ran into the value, the notes into
    root = ET.fromstring(svg)  # the lowest caption
    for g in root.iter(f"{SVG}g"):
        if g.get("class") != "node":
            continue
        c = g.find(f"{SVG}circle")
        cy, r = float(c.get("cy")), float(c.get("r"))
        value = [t for t in g.iter(f"{SVG}text") if t.get("font-weight")][0]
        size = float(value.get("font-size"))
        assert float(value.get("y")) + 0.25 * size <= cy + r  # the value inside its circle


# =====================================================================================
# The backward picture of a network too large to write every number
# =====================================================================================
def test_dense_backward_view_keeps_the_loss_its_target_and_value() -> None:
    net = gn.nn.MLP([2, 1000, 1], rng=0)
    x, y = [0.5, 1.0], 1.0
    svg = viz.draw_network(net, x, y, backward=True)
    e = explain(net, x, y)
    texts = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert "y = 1" in texts and f"= {fmt(e.loss)}" in texts  # L's value is drawn
    assert any(t.startswith("Biases and their gradients are not written") for t in texts)
    assert viz.overlapping_texts(svg) == []


# =====================================================================================
# The computational graph
# =====================================================================================
def test_graph_refuses_a_title_that_is_not_text() -> None:
    t = gn.Tensor(2.0, requires_grad=True) * 3.0
    with pytest.raises(ValueError, match="'title' parameter of draw_graph must be a str.*None"):
        viz.draw_graph(t, title=None)  # drew the title "None"
    with pytest.raises(ValueError, match="'title'.*Got 3"):
        viz.save(t, "/tmp/never-written.svg", title=3)


# =====================================================================================
# Training curves
# =====================================================================================
@pytest.mark.parametrize(
    ("loss", "bad"),
    [([1.0, math.nan, 2.0], 2), ([1.0, math.inf, 0.5], 2), ([0.9, 0.8, math.nan], 3)],
)
def test_history_draws_every_finite_loss_and_marks_nan_or_inf(loss, bad) -> None:
    h = gn.History(loss=loss, epochs=len(loss))
    fig = viz.plot_history(h, dpi=40)
    ax = fig.axes[0]
    finite = {(float(e + 1), v) for e, v in enumerate(loss) if math.isfinite(v)}
    assert finite <= visible_points(ax)  # (a line between NaN neighbours drew nothing)
    crosses = [ln for ln in ax.get_lines() if "NaN or inf" in ln.get_label()]
    assert len(crosses) == 1 and list(crosses[0].get_xdata()) == [bad]
    assert ax.get_yscale() == "linear"  # an inf did not make the 'span' infinite
    assert "1 of 3 epochs" in crosses[0].get_label()


def test_history_marks_nan_validation_epochs_and_metric() -> None:
    h = gn.History(
        loss=[3.0, 2.0, 1.0, 0.5],
        val_loss=[3.0, math.nan, math.nan, math.nan],
        val_metric=[0.5, math.nan, 0.7, 0.8],
        metric_name="accuracy",
        epochs=4,
    )
    fig = viz.plot_history(h, dpi=40)
    ax, ax2 = fig.axes
    assert (1.0, 3.0) in visible_points(ax)  # the one finite validation loss: a dot
    assert (1.0, 0.5) in visible_points(ax2)
    labels = [ln.get_label() for a in (ax, ax2) for ln in a.get_lines()]
    assert "validation loss: NaN or inf (3 of 4 epochs)" in labels
    assert "validation accuracy: NaN or inf (1 of 4 epochs)" in labels


def test_history_of_only_nan_or_text_is_refused() -> None:
    with pytest.raises(ValueError, match="every recorded loss is NaN or inf \\(3 epochs\\)"):
        viz.plot_history(gn.History(loss=[math.nan, math.inf, math.nan], epochs=3))
    with pytest.raises(ValueError, match="history.loss must hold one number per epoch"):
        viz.plot_history(gn.History(loss=["a", "b"], epochs=2))
    with pytest.raises(ValueError, match="history.val_metric must hold one number"):
        viz.plot_history(gn.History(loss=[1.0], val_metric=["high"], epochs=1))


def test_history_of_one_and_of_100000_epochs() -> None:
    fig = viz.plot_history(gn.History(loss=[0.5], epochs=1), dpi=40)
    assert (1.0, 0.5) in visible_points(fig.axes[0])
    loss = list(np.exp(-np.arange(100_000) / 20_000))
    fig = viz.plot_history(gn.History(loss=loss, epochs=100_000), dpi=40)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"  # 1 down to 0.0067: over two decades
    assert ax.get_xlim()[0] <= 1 and ax.get_xlim()[1] >= 100_000


# =====================================================================================
# The hidden feature space
# =====================================================================================
def test_hidden_space_labels_stay_apart_and_inside_the_figure() -> None:
    X, y = gn.datasets.logic_gate("xor")
    net = gn.nn.MLP([2, 2, 1], activation="tanh", output_activation="sigmoid", rng=0)
    # (1, 0) and (1, 1) map 0.05 apart: their labels were written over each other
    net.layers[0].W.data[:] = [[5.0, 0.0], [0.0, 0.05]]
    net.layers[0].b.data[:] = 0.0
    fig = viz.plot_hidden_space(net, X, y)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    assert len(boxes) == 4
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    W, H = fig.canvas.get_width_height()
    for artist in [*ax.texts, ax.xaxis.label, ax.yaxis.label, ax.title]:
        b = artist.get_window_extent(renderer)
        assert b.x0 >= 0 and b.x1 <= W and b.y0 >= 0 and b.y1 <= H, artist.get_text()


# =====================================================================================
# Bad input to the plots
# =====================================================================================
def test_plots_refuse_nan_labels_and_names_that_are_not_text() -> None:
    X, y = gn.datasets.logic_gate("xor")
    net = gn.nn.Neuron(2, activation="sigmoid", rng=0)
    with pytest.raises(ValueError, match="y contains NaN or inf \\(first at row 2\\)"):
        viz.plot_decision_boundary(net, X, np.array([0.0, 1.0, np.nan, 1.0]))
    with pytest.raises(ValueError, match="'names' parameter of plot_activations.*Got 3"):
        viz.plot_activations(3)


def test_snapshots_of_epoch_0_alone_are_refused_by_name() -> None:
    X, y = gn.datasets.logic_gate("xor")
    net = gn.nn.Neuron(2, activation="sigmoid", rng=0)
    with pytest.raises(ValueError, match="plot_training_snapshots: epochs=\\[0\\]"):
        viz.plot_training_snapshots(net, X, y, epochs=[0])


def test_neuron_outputs_of_a_diverged_network_say_why_a_panel_is_blank() -> None:
    X, y = gn.datasets.logic_gate("xor")
    net = gn.nn.MLP([2, 2, 1], rng=0)
    net.layers[0].W.data[0, 0] = np.nan
    fig = viz.plot_neuron_outputs(net, X, y, dpi=40)
    notes = [[t.get_text() for t in ax.texts] for ax in fig.axes[:2]]
    assert notes[0] == ["NaN or inf\neverywhere\n(diverged?)"]
    assert notes[1] == []  # the finite neuron is drawn as before
    net = gn.nn.MLP([2, 2, 1], rng=0)
    net.layers[0].b.data[1] = -100.0  # neuron 2 is 0 on the whole plane: one flat colour
    fig = viz.plot_neuron_outputs(net, X, y, dpi=40)
    notes = [[t.get_text() for t in ax.texts] for ax in fig.axes[:2]]
    assert notes == [[], ["a = 0 everywhere\n(a dead ReLU)"]]


def test_save_names_savefig_options_matplotlib_refuses(tmp_path) -> None:
    fig = viz.plot_history(gn.History(loss=[1.0, 0.5], epochs=2), dpi=30)
    for kwargs, cause in [({"dpi": "high"}, "can't multiply"), ({"foo": 1}, "'foo'")]:
        with pytest.raises(ValueError, match=f"save: matplotlib's savefig could not use.*{cause}"):
            viz.save(fig, tmp_path / "curves.png", **kwargs)  # (TypeErrors from its insides)
    assert list(tmp_path.iterdir()) == []  # nothing written
    assert viz.save(fig, tmp_path / "curves.png", dpi=40).stat().st_size > 0


def test_inputs_of_complex_numbers_or_text_are_refused_not_converted() -> None:
    net = gn.nn.MLP([2, 3, 1], rng=0)
    X, y = gn.datasets.logic_gate("xor")
    one = "x must be one input of 2 numbers, shape \\(2,\\); it holds"
    with pytest.raises(ValueError, match=f"{one} complex numbers"):
        viz.draw_network(net, np.array([1 + 2j, 0]))  # (drew 1, dropping 2j, with a warning)
    with pytest.raises(ValueError, match=f"{one} text.*Got \\['1.5', '2'\\]"):
        viz.draw_network(net, ["1.5", "2"])  # (read as numbers; the backward view refused)
    for plot in (viz.plot_decision_boundary, viz.plot_hidden_space, viz.plot_neuron_outputs):
        refused = f"{plot.__name__}: X must be numbers; it holds"
        with pytest.raises(ValueError, match=f"{refused} text"):
            plot(net, X.astype(str), y)
        with pytest.raises(ValueError, match=f"{refused} complex numbers"):
            plot(net, X.astype(complex), y)
    fig = viz.plot_decision_boundary(net, X, y.astype(str), dpi=30)  # text labels: classes
    assert sorted(t.get_text() for t in fig.axes[0].get_legend().get_texts()) == [
        "class 0.0",
        "class 1.0",
    ]


def test_two_4000_wide_layers_draw_without_writing_every_weight_name(monkeypatch) -> None:
    """make_names wrote the 16 million weight names (and explain's lookup put them in a
    dict): 14 s forward, 56 s backward; the picture shows 64 of them. Counted, not timed:
    the rows of names written (4,000 names each) stay a few, where all would be 8,002."""
    from glassnet.report import WeightNames

    written = []
    row = WeightNames._row
    monkeypatch.setattr(WeightNames, "_row", lambda self, i: written.append(i) or row(self, i))
    net = gn.nn.MLP([2, 4000, 4000, 1], rng=0)
    svg = viz.draw_network(net, [1.0, 2.0])
    svg_b = viz.draw_network(net, [1.0, 2.0], 1.0, backward=True)
    assert 0 < len(written) < 100
    W = net.layers[2].W.data
    assert f"w⁽²⁾₄₀₀₀,₄₀₀₀ = {fmt(float(W[3999, 3999]))}" in svg  # the last weight's edge
    assert "hidden 1: 8 of 4000, hidden 2: 8 of 4000 neurons drawn." in svg
    e = explain(net, [1.0, 2.0], 1.0)
    assert e.value("w[2]_4000,4000") == float(W[3999, 3999])
    assert e.value("w[2]_1,2") == float(W[0, 1]) and e.names.w[1][0][1] == "w[2]_1,2"
    grad = fmt(float(e.grad_W[1][3999, 3999]))
    assert f"∂L/∂w⁽²⁾₄₀₀₀,₄₀₀₀ = {grad}" in svg_b  # (the edge's hover text)


def test_graph_edge_of_a_number_times_an_infinite_value_reads_the_number() -> None:
    x = gn.Tensor(0.0, requires_grad=True, label="x", dtype=F64)
    L = (x.log() * 2.0).named("L")  # log 0 = -inf: the factor read inf/inf = nan
    svg = viz.draw_graph(L, backward=True)
    groups = [g for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("class") == "label"]
    labels = sorted(" ".join(t.text for t in g.iter(f"{SVG}text")) for g in groups)
    assert labels == ["1/x = inf", "2"]  # (the product's edge read "nan = 2")
    assert viz.local_derivative(L, 0) == "2"


def test_history_of_a_glassnet_sklearn_estimator_is_its_history_() -> None:
    from glassnet.sklearn import MLPClassifier

    X, y = gn.datasets.make_moons(40, seed=0)
    est = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
    with pytest.warns(Warning):  # (3 iterations do not converge)
        est.fit(X, y)
    fig = viz.plot_history(est, dpi=30)  # its .loss is the parameter 'log_loss'
    assert list(fig.axes[0].get_lines()[0].get_ydata()) == est.history_.loss == est.loss_curve_
    with pytest.raises(TypeError, match="Got MLPClassifier that is not fitted yet"):
        viz.plot_history(MLPClassifier())
    with pytest.raises(TypeError, match="History returned by glassnet.fit.*Got str"):
        viz.plot_history("log_loss")


def test_an_estimator_given_as_the_model_is_pointed_to_its_network() -> None:
    from glassnet.sklearn import MLPClassifier
    from glassnet.summary import summary

    X, y = gn.datasets.make_moons(40, seed=0)
    est = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0)
    with pytest.warns(Warning):
        est.fit(X, y)
    calls = {
        "draw_network": lambda: viz.draw_network(est),
        "plot_neuron_outputs": lambda: viz.plot_neuron_outputs(est, X, y),
        "plot_hidden_space": lambda: viz.plot_hidden_space(est, X, y),
        "plot_activations": lambda: viz.plot_activations(model=est),
        "plot_training_snapshots": lambda: viz.plot_training_snapshots(est, X, y, [0, 1]),
    }
    for owner, call in calls.items():
        with pytest.raises(
            TypeError, match=f"{owner}: .*Got MLPClassifier, an estimator; pass its network.*model_"
        ):
            call()
    with pytest.raises(
        TypeError, match="Got MLPClassifier, an estimator; pass its network.*model_"
    ):
        summary(est)
    assert viz.draw_network(est.model_).startswith("<svg")


def test_history_on_a_forced_log_scale_refuses_losses_it_cannot_show() -> None:
    h = gn.History(loss=[1.0, 0.0, -0.5, -1.0], epochs=4)
    with pytest.raises(ValueError, match="log=True .* 3 of them are 0 or negative"):
        viz.plot_history(h, log=True)  # (drew one vertical stroke)
    assert viz.plot_history(h, dpi=30).axes[0].get_yscale() == "linear"
    assert viz.plot_history(gn.History(loss=[1.0, 0.5], epochs=2), log=True, dpi=30)


def test_hidden_space_labels_are_laid_out_on_any_canvas() -> None:
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    X, y = gn.datasets.logic_gate("xor")
    net = gn.nn.MLP([2, 2, 1], activation="tanh", output_activation="sigmoid", rng=0)
    net.layers[0].W.data[:] = [[5.0, 0.0], [0.0, 0.05]]
    net.layers[0].b.data[:] = 0.0
    for canvas in (FigureCanvasSVG, None):  # (no get_renderer: an AttributeError)
        fig = Figure()
        if canvas is not None:
            canvas(fig)
        ax = fig.add_subplot()
        assert viz.plot_hidden_space(net, X, y, ax=ax) is fig
        boxes = [t.get_window_extent() for t in ax.texts]
        assert len(boxes) == 4
        assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_graph_values_and_gradients_are_explains() -> None:
    net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    x, y = np.array([[1.0, -0.5]]), 1.0
    L = (0.5 * (net(gn.Tensor(x, dtype=F64)) - y) ** 2).named("L")
    svg = viz.draw_graph(L, backward=True)
    nodes = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        if g.get("class") == "node":
            lines = [t.text for t in g.iter(f"{SVG}text")]
            nodes.setdefault(lines[0], []).append(lines)
    e = explain(net, x, y, "half_mse")

    def listed(a) -> str:
        return "[" + ", ".join(fmt(v) for v in np.ravel(a)) + "]"

    def numbers(lines: list[str], prefix: str) -> list[str]:
        """The numbers of a node's value (or grad) line and, for a matrix drawn as its
        rows, of the rows beneath it."""
        out, on = [], False
        for ln in lines:
            on = ln.startswith(prefix) or (on and ln.startswith("["))
            if on:
                out += re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]\d+)?", ln)
        return out

    for l, (Wn, bn) in enumerate([("W₁", "b₁"), ("W₂", "b₂")]):
        (w_lines,) = nodes[Wn]
        assert numbers(w_lines, "value ") == [fmt(v) for v in np.ravel(e.W[l])]
        assert numbers(w_lines, "grad ") == [fmt(v) for v in np.ravel(e.grad_W[l])]
        (b_lines,) = nodes[bn]
        b = e.grad_b[l]
        assert f"grad {listed(b) if b.size > 1 else fmt(float(b[0]))}" in b_lines
    linear = nodes["X W₁ + b₁"] + nodes["A W₂ + b₂"]  # z of each layer, and dL/dz
    z, dz = e.Z, e.dL_dZ
    assert [ln[2] for ln in linear] == [f"value {listed(z[0])}", f"value {fmt(z[1][0, 0])}"]
    assert [ln[3] for ln in linear] == [f"grad {listed(dz[0])}", f"grad {fmt(dz[1][0, 0])}"]
    assert nodes["L"][0][-2:] == [f"value {fmt(e.loss)}", "grad 1"]
