"""Round 21: the drawings say what they compute (draw_graph's titles name nodes of the
picture; edge labels, captions, legends and colour bars tell true, readable numbers)."""

from __future__ import annotations

import re

import numpy as np
import pytest

import glassnet as gn
from glassnet import viz

F64 = np.float64


def _tips(svg: str) -> list[str]:
    return [t for t in re.findall(r"<title>([^<]*)</title>", str(svg))][1:]


_SUP = {"²": "**2", "³": "**3"}


def _evaluate(formula: str, values: dict[str, float]) -> float:
    """A title's formula (``a b + #1``, ``#2 · 3``, ``−(a − b)²``) computed from the
    values of the nodes named in it (by their titles or numbers)."""
    names = {}
    out: list[str] = []
    prev_operand = False
    for tok in re.findall(r"#\d+|\d+(?:\.\d+)?|\w+|[()+\-−·/²³]", formula):
        operand = tok[0].isalnum() or tok[0] in "#(_"
        if operand and prev_operand:
            out.append("*")  # a b: a product
        if tok in _SUP:
            out.append(_SUP[tok])
            prev_operand = True
            continue
        if tok[0] == "#" or (tok[0].isalpha() or tok[0] == "_"):
            assert tok in values, (tok, formula, sorted(values))
            key = f"v{len(names)}"
            names[key] = values[tok]
            out.append(key)
        else:
            out.append({"−": "-", "·": "*"}.get(tok, tok))
        prev_operand = tok[0] in "#)_" or tok[0].isalnum()
    return float(eval(" ".join(out), {"__builtins__": {}}, names))  # noqa: S307


def _random_graph(rng: np.random.Generator) -> gn.Tensor:
    pool = ["a", "b", "c", "x", "w"]
    long = ["learning_signal_scale", "averyverylongparametername", "another_long_input_name"]
    labels = [*rng.choice(pool, size=3, replace=False), *rng.choice(long, 2, replace=False)]
    rng.shuffle(labels)
    leaves = [
        gn.Tensor(float(rng.integers(-3, 4) or 1), requires_grad=True, label=str(n), dtype=F64)
        for n in labels[: int(rng.integers(2, 6))]
    ]
    live = list(leaves)
    for _ in range(int(rng.integers(2, 7))):
        u, v = (live[int(i)] for i in rng.integers(0, len(live), 2))
        op = int(rng.integers(0, 6))
        t = [u * v, u + v, u - v, u * 2, u + 3, -u][op]
        live.append(t)
    out = live[-1]
    for t in live[len(leaves) : -1]:  # every node ends in the root
        out = out + t
    return out


@pytest.mark.parametrize("seed", range(12))
def test_every_title_formula_gives_the_node_value(seed) -> None:
    """Each node's title, read with the names the picture shows (the leaves' labels and
    the nodes' numbers #k), computes the value the node shows. A long label was replaced
    by a, b (the letters of other leaves), so "a a" stood for learning_signal_scale · a."""
    out = _random_graph(np.random.default_rng(seed))
    svg = viz.draw_graph(out, decimals=8)
    tips = _tips(svg)
    values: dict[str, float] = {}
    parsed = []
    for tip in tips:
        head, _, value = tip.split("\n")[:3]
        title = re.search(r"grad dL/d\((.*)\) = ", tip).group(1)  # (the title, untagged)
        tag, sep, kind = head.rpartition(f"{title}: ")
        assert sep and tag in ("", *(f"#{k} " for k in range(1, 40))), head
        v = float(value.split("= ")[1])
        if tag:
            values[tag.strip()] = v
        if not kind.startswith("op"):
            values[title] = v
        parsed.append((title, kind, v))
    for title, kind, v in parsed:
        if kind.startswith("op"):
            assert _evaluate(title, values) == pytest.approx(v, rel=1e-6, abs=1e-6), (
                title,
                v,
                values,
            )


def test_a_long_name_is_not_a_neighbour_letter() -> None:
    """The audit's picture: learning_signal_scale · a is titled by the long name's number,
    not 'a a' beside a leaf a."""
    L = lambda v, n: gn.Tensor(v, requires_grad=True, label=n, dtype=F64)  # noqa: E731
    a, b, s = L(2.0, "a"), L(-3.0, "b"), L(4.0, "learning_signal_scale")
    titles = [t.split(":")[0] for t in _tips(viz.draw_graph(a * b + s * a))]
    assert "#2 #1 a" in titles and "#1 learning_signal_scale" in titles, titles
    assert not any(t.endswith(" a a") for t in titles), titles


def test_times_a_number_edge_is_the_number() -> None:
    """x · 3 in float32: the edge's local derivative is the factor 3 of the product (it
    was worked out as 0.3f/0.1f and read 3.00000007 = 3)."""
    x = gn.Tensor(np.float32(0.1), requires_grad=True, dtype=np.float32)
    svg = viz.draw_graph(x * 3 + 1, backward=True, decimals=8)
    edge = [t for t in _tips(svg) if t.startswith("d(") and "(op mul)" in t]
    assert len(edge) == 1 and edge[0].endswith(" = 3 (op mul)"), edge
    assert "3.0000000" not in str(svg)


def _sk_fit(**kw):
    pytest.importorskip("sklearn")
    import warnings

    from sklearn.neural_network import MLPClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (max_iter's ConvergenceWarning)
        return MLPClassifier(hidden_layer_sizes=(5,), random_state=0, **kw).fit(X, y)


def test_history_of_a_scikit_learn_mlp_says_how_it_stopped() -> None:
    """plot_history of a scikit-learn MLP: its caption counts the steps the run took and
    names what stopped it (it read 'Trained 12 epochs (0 steps); not stopped yet.')."""
    import matplotlib

    matplotlib.use("Agg")
    clf = _sk_fit(max_iter=50, early_stopping=True)
    n_train = clf.t_ // clf.n_iter_  # (54 rows: 10% held out for validation)
    steps = clf.n_iter_ * -(-n_train // min(200, n_train))
    (text,) = [t.get_text() for t in viz.plot_history(clf).texts]
    assert clf.n_iter_ < 50 and text.startswith(f"Stopped after {clf.n_iter_} epochs ({steps} step")
    assert "validation accuracy" in text and "not stopped" not in text, text
    clf = _sk_fit(max_iter=5, batch_size=16)
    (text,) = [t.get_text() for t in viz.plot_history(clf).texts]
    assert text.startswith("Stopped after 5 epochs (20 steps): reached max_iter"), text
    clf = _sk_fit(max_iter=500, tol=0.5)
    (text,) = [t.get_text() for t in viz.plot_history(clf).texts]
    assert "training loss improved by less than tol=0.5" in text, text


def _points_under_legend(fig) -> list[list[float]]:
    ax = fig.axes[0]
    fig.canvas.draw()
    box = ax.get_legend().get_window_extent(fig.canvas.get_renderer())
    out = []
    for c in ax.collections:
        if c.get_label().startswith("class"):
            for u, v in c.get_offset_transform().transform(c.get_offsets()):
                if box.x0 <= u <= box.x1 and box.y0 <= v <= box.y1:
                    out.append([float(u), float(v)])
    return out


@pytest.mark.parametrize("case", ["10 classes", "long names", "10 classes, ax given"])
def test_decision_boundary_legend_hides_no_point(case) -> None:
    """plot_decision_boundary's legend (10 classes, or long class names) is placed off the
    data points, as plot_history's is off its curves: it hid (-2.33, -0.22) behind
    'class 0'."""
    import matplotlib

    matplotlib.use("Agg")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    gn.manual_seed(1)
    if case.startswith("10 classes"):
        m = gn.nn.MLP([2, 8, 10], activation="relu", output_activation="softmax", dtype=F64)
        y = rng.integers(0, 10, 60)
    else:
        m = gn.nn.MLP([2, 8, 3], activation="relu", output_activation="softmax", dtype=F64)
        names = np.array([f"a_very_long_class_name_number_{w}" for w in ("zero", "one", "two")])
        y = names[rng.integers(0, 3, 60)]
    if case.endswith("ax given"):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=(5, 5))
        FigureCanvasAgg(fig)
        assert viz.plot_decision_boundary(m, X, y, ax=fig.add_subplot()) is fig
    else:
        fig = viz.plot_decision_boundary(m, X, y)
    assert _points_under_legend(fig) == []
    assert len(fig.axes[0].get_legend().get_texts()) == len(set(y.tolist()))


def test_hidden_space_legend_hides_no_point() -> None:
    import matplotlib

    matplotlib.use("Agg")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    gn.manual_seed(1)
    m = gn.nn.MLP([2, 2, 10], activation="tanh", output_activation="softmax", dtype=F64)
    fig = viz.plot_hidden_space(m, X, rng.integers(0, 10, 60))
    assert _points_under_legend(fig) == []


def test_near_constant_colour_bar_ticks_differ() -> None:
    """A near-constant output's colour bar: its ticks have enough digits to tell them apart
    (all seven read 0.73)."""
    import matplotlib

    matplotlib.use("Agg")
    X = np.random.default_rng(0).normal(size=(60, 2))
    mh = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", dtype=F64)
    mh.layers[0].W.data[:] = [[1e6, -1e6], [1e6, 1e-8]]
    fig = viz.plot_decision_boundary(mh, X * 1e-8, (X[:, 0] > 0).astype(int))
    fig.canvas.draw()
    bar = fig.axes[1]
    labels = [t.get_text() for t in bar.get_yticklabels() if t.get_text()]
    assert len(labels) >= 2 and len(set(labels)) == len(labels), labels


def _node_circles(svg: str) -> list[tuple[str, list[str]]]:
    """(fill, texts) of each circle node of a draw_network picture."""
    out = []
    for g in re.findall(r'<g class="node">(.*?)</g>', str(svg), re.S):
        fill = re.search(r'<circle [^>]*fill="([^"]+)"', g)
        if fill:
            out.append((fill.group(1), re.findall(r">([^<>]+)</text>", g)))
    return out


def test_network_shade_scale_is_a_drawn_node() -> None:
    """A 64-neuron layer shows 8: the legend's 'darkest at' value is the largest |value|
    of a drawn node (it was 6.553, hidden neuron 53's, not drawn)."""
    gn.manual_seed(0)
    m = gn.nn.MLP([3, 64, 2], activation="relu", dtype=F64)
    svg = str(viz.draw_network(m, x=[1, 2, 3]))
    top = float(re.search(r"darkest at ([-\d.]+) \(neurons\)", svg).group(1))
    drawn = [
        abs(float(t[1]))
        for _, t in _node_circles(svg)
        if len(t) > 1 and re.fullmatch(r"-?\d+(\.\d+)?", t[1]) and not t[0].startswith("x")
    ]
    assert len(drawn) >= 10 and top == pytest.approx(max(drawn), abs=1e-3), (top, drawn)


def test_loss_node_is_shaded_by_its_sign() -> None:
    """The backward picture's L (∂L/∂L = 1 > 0) is shaded by the sign rule the legend gives
    every node (blue > 0, as dark as the largest on the scale): it was a fixed pink, which
    the legend reads as negative."""
    gn.manual_seed(0)
    m = gn.nn.MLP([2, 2, 1], activation="sigmoid", dtype=F64)
    svg = str(viz.draw_network(m, x=[1, 2], y=1.0, backward=True))
    (fill,) = [f for f, t in _node_circles(svg) if t[:2] == ["L", "1"]]
    r, g, b = (int(fill[k : k + 2], 16) for k in (1, 3, 5))
    assert b > r, fill  # blue: > 0
    top = float(re.search(r"darkest at ([-\d.]+) in size", svg).group(1))
    from glassnet.viz.network import _fill

    assert top < 1 and fill == _fill(1.0, top) == _fill(top, top), (fill, top)  # the darkest


def test_neuron_outputs_are_laid_out_without_drawing(monkeypatch) -> None:
    """plot_neuron_outputs of a 64-neuron layer: the room for the colour bar is measured
    without drawing the figure (two full draws of its 64 panels took most of its 14 s); a
    colour bar's label still fits inside the figure."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    draws = []
    real = FigureCanvasAgg.draw
    monkeypatch.setattr(FigureCanvasAgg, "draw", lambda self: draws.append(1) or real(self))
    gn.manual_seed(0)
    fig = viz.plot_neuron_outputs(gn.nn.MLP([2, 64, 1], dtype=F64))
    assert draws == [] and len(fig.axes) == 65
    fig = viz.plot_neuron_outputs(gn.nn.MLP([2, 1, 1], dtype=F64), layer=0)
    monkeypatch.setattr(FigureCanvasAgg, "draw", real)
    fig.canvas.draw()
    label = fig.axes[-1].yaxis.label
    assert label.get_text() == "a = g(z)"
    assert label.get_window_extent().x1 <= fig.bbox.width
