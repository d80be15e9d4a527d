"""A user's audit of the see-through tools (explain, viz, summary, diagnostics): the cases
a learner, a teacher or a practitioner reaches that the other tests did not, each with the
behaviour it must have: finite, correct numbers, or a clear word on why they are not."""

from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import glassnet as gn
from glassnet import viz
from glassnet.diagnostics import activation_stats
from glassnet.explain import explain
from glassnet.report import fmt
from glassnet.viz._svg import text_box

F64 = np.float64
SVG = "{http://www.w3.org/2000/svg}"


def _net(act: str = "sigmoid", out: str = "sigmoid", dtype=F64) -> gn.nn.Module:
    return gn.nn.MLP([2, 2, 1], activation=act, output_activation=out, rng=0, dtype=dtype)


def _linears(model: gn.nn.Module) -> list:
    return [m for m in model.modules() if isinstance(m, gn.nn.Linear)]


def _svg_text(svg: str) -> str:
    return " ".join("".join(el.itertext()) for el in ET.fromstring(svg).iter() if el.text)


# ------------------------------------------------------------- explain: extreme models
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_explain_of_a_diverged_model_says_so_and_warns_nothing(bad) -> None:
    """NaN or inf weights: no NumPy RuntimeWarning, and the header says why numbers are
    NaN (before: silent NaN for a NaN weight, a RuntimeWarning for an inf one)."""
    net = _net("relu", "identity")
    _linears(net)[0].W.data[0, 0] = bad
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        e = explain(net, [1.0, 0.5], 1.0, paths=True)
        text = e.to_text(notation="ascii")
        e.to_markdown()
        e.to_html()
        for name in ("x1", "w1", "z1", "a1", "b1", "y_hat"):
            e.paths(name)
    assert (
        len(e.problems) == 1
        and "1 of the model's weights and biases are NaN or inf" in (e.problems[0])
    )
    assert "Warning: 1 of the model's weights" in text
    assert "smaller learning rate" in text


def test_explain_names_an_overflow() -> None:
    """Finite weights whose numbers overflow float64 (the loss of a 1e200 ReLU network):
    the header says where it starts, no RuntimeWarning."""
    net = _net("relu", "identity")
    _linears(net)[0].W.data[:] = 1e200
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        e = explain(net, [1.0, 0.5], 1.0, paths=True)
        text = e.to_text(notation="ascii")
    assert e.problems and "overflow float64 from the loss on" in e.problems[0]
    assert "largest |w| 1.00e+200" in text
    assert np.isinf(e.loss) and np.all(np.isfinite(e.grad_W[0]))


def test_explain_of_huge_float32_weights_is_finite_and_right() -> None:
    """1e30 weights in a float32 model: saturated sigmoids, finite numbers, the same as the
    float64 autodiff's, and no overflow warning (before: RuntimeWarning from the unused
    L2 norm in float32)."""
    net = _net(dtype=np.float32)
    _linears(net)[0].W.data[:] = 1e30
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        e = explain(net, [1.0, 0.5], 1.0)
        str(e)
    assert e.problems == []
    ref = net.to(dtype=F64)
    out = ref(gn.Tensor([[1.0, 0.5]], dtype=F64))
    loss = 0.5 * ((out - 1.0) ** 2).sum()
    loss.backward()
    lin = _linears(ref)
    for l in range(2):
        np.testing.assert_allclose(e.grad_W[l], lin[l].W.grad, rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(e.grad_b[l], lin[l].b.grad, rtol=1e-12, atol=1e-300)
    assert e.loss == pytest.approx(float(loss.data), rel=1e-12)


def test_draw_network_notes_an_overflow() -> None:
    net = _net("relu", "identity")
    _linears(net)[0].W.data[:] = 1e200
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        svg = viz.draw_network(net, [1.0, 0.5], 1.0, backward=True)
    assert "The numbers overflow float64 from the loss on" in _svg_text(svg)
    assert not viz.overlapping_texts(svg)


# ------------------------------------------------------------- explain: arguments
def test_explain_paths_arguments_are_checked() -> None:
    e = explain(_net(), [1.0, 0.5], 1.0)
    for bad in (0, -1, "a", 2.5):
        with pytest.raises(ValueError, match="'max_terms' parameter of paths"):
            e.paths("x1", max_terms=bad)
    with pytest.raises(ValueError, match="'paths' parameter of explain must be True, False"):
        explain(_net(), [1.0, 0.5], 1.0, paths=None)
    assert len(e.paths("x1", max_terms=1).terms) == 1


@pytest.mark.parametrize("level", [0, 6, "x", 2.0, True])
def test_markdown_level_is_checked(level) -> None:
    with pytest.raises(ValueError, match="'level' parameter of to_markdown"):
        explain(_net(), [1.0, 0.5], 1.0).to_markdown(level=level)
    with pytest.raises(ValueError, match="'level' parameter of to_markdown"):
        gn.summary(_net()).to_markdown(level=level)


# ------------------------------------------------------------------------- summary
class _Twice(gn.nn.Module):
    """A custom module: two Linear layers and a scaling, its own forward."""

    def __init__(self) -> None:
        super().__init__()
        self.l = gn.nn.Linear(2, 3)
        self.m = gn.nn.Linear(3, 1)

    def forward(self, x):
        return self.m(self.l(x).tanh()) * 2


def test_summary_names_y_hat_only_on_the_output() -> None:
    """A Linear followed by another module computes a hidden A, not ŷ (it was ŷ)."""
    s = gn.summary(gn.nn.Sequential(gn.nn.Linear(2, 2), _Twice(), gn.nn.Sigmoid()))
    text = s.to_text(notation="ascii")
    assert "A1 = X @ W1 + b1" in text and "y_hat" not in text
    s = gn.summary(gn.nn.Sequential(gn.nn.Linear(2, 2), _Twice(), gn.nn.Linear(1, 1)))
    assert "y_hat = H2 @ W2 + b2" in s.to_text(notation="ascii")
    assert s.total_parameters == 6 + 13 + 2 == sum(r.parameters for r in s.rows)


def test_summary_keeps_the_shape_through_a_leading_activation_or_dropout() -> None:
    """An activation or dropout before the first Linear maps (N, d) to (N, d) (it said '?')."""
    for first, act in ((gn.nn.ReLU(), "relu"), (gn.nn.Dropout(0.5), "-")):
        s = gn.summary(gn.nn.Sequential(first, gn.nn.Linear(2, 1), gn.nn.Sigmoid()))
        r0, r1 = s.rows
        assert (r0.input_shape, r0.output_shape, r0.activation) == ("(N, 2)", "(N, 2)", act)
        assert (r1.input_shape, r1.output_shape, r1.parameters) == ("(N, 2)", "(N, 1)", 3)
        assert re.search(r"y_hat = sigmoid\(H1 @ W1 \+ b1\)", s.to_text(notation="ascii"))


# ---------------------------------------------------------------------- draw_network
def _name_overflow(svg: str) -> float:
    """How far (px) the box of a text inside a circle (a node's name or value) reaches out
    of that circle, at worst: its top corners and its baseline's ends."""
    worst = 0.0
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        c = g.find(f"{SVG}circle")
        if c is None:
            continue
        cx, cy, r = (float(c.get(k)) for k in ("cx", "cy", "r"))
        for t in g.findall(f"{SVG}text"):
            y = float(t.get("y"))
            text = "".join(t.itertext())
            anchor = t.get("text-anchor", "start")
            b = text_box(float(t.get("x")), y, text, float(t.get("font-size")), anchor)
            if b.y0 > cy + r:  # a caption beneath the node
                continue
            for px, py in ((b.x0, b.y0), (b.x1, b.y0), (b.x0, y), (b.x1, y)):
                worst = max(worst, float(np.hypot(px - cx, py - cy)) - r)
    return worst


def test_draw_network_names_fit_in_their_circles() -> None:
    """A wide layer's last neuron (z⁽¹⁾₁₀₀₀) is named inside its circle: the circles grow
    for long names as they do for long values (the name ran 4 px out, under the arrows)."""
    net = gn.nn.MLP([2, 1000, 1], activation="relu", rng=0)
    for svg in (
        viz.draw_network(net),
        viz.draw_network(net, [1.0, 2.0]),
        viz.draw_network(net, [1.0, 2.0], 1.0, backward=True),
    ):
        assert "₁₀₀₀" in _svg_text(svg)
        assert _name_overflow(svg) <= 0.0
        assert not viz.overlapping_texts(svg)


# ------------------------------------------------------------------------ draw_graph
def _edge_labels(svg: str) -> list[str]:
    return [t for t in re.findall(r">([^<>]*)<", svg) if " y" in t]


def test_draw_graph_loss_edge_carries_the_mean() -> None:
    """A loss averaged over n entries: its edge's local derivative is each entry's
    derivative over n, as the grad in the node below says (the label said 2 (x − y),
    4 times the gradient for the README's XNOR batch)."""
    X, y = gn.datasets.logic_gate("xnor")
    net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    Y = y.reshape(-1, 1)
    pred = net(X)
    loss = gn.functional.mse(pred, Y)
    assert "2 (#1 − y)/4" in _edge_labels(viz.draw_graph(loss, backward=True))
    g = loss.backward_fn(np.ones_like(loss.data))[0]
    np.testing.assert_allclose(g, 2 * (pred.data - Y) / 4, rtol=1e-6)
    cases = {
        "(#1 − y)/4": gn.functional.mse(net(X), Y, half=True),  # (#1: the output's node;
        "2 (#1 − y)": gn.functional.mse(net(X), Y, reduction="sum"),  # it read x)
        # (on logits: a sigmoid's output is refused, it would be squashed twice)
        "(σ(#1) − y)/4": gn.functional.binary_cross_entropy_with_logits(
            gn.nn.MLP([2, 2, 1], activation="sigmoid", rng=0)(X), Y
        ),
        "(softmax(#1) − y)/4": gn.functional.cross_entropy(
            gn.nn.MLP([2, 3], rng=0)(X), y.astype(np.int64)
        ),
    }
    for label, loss in cases.items():
        assert label in _edge_labels(viz.draw_graph(loss, backward=True)), label
    one = gn.functional.mse(net(X[:1]), Y[:1])  # one entry: the number itself
    assert not any("/1" in t for t in _edge_labels(viz.draw_graph(one, backward=True)))


# --------------------------------------------------------------------------- plots
def _contour_sets(fig) -> list:
    return [c for ax in fig.axes for c in ax.collections if hasattr(c, "levels")]


def test_decision_boundary_shades_by_the_side_of_the_threshold() -> None:
    """Every y_hat above 0.5 (untrained XNOR net): the plane is class 1's blue, and the
    title says the threshold is not crossed (the low values were shaded red, class 0's
    colour, though the model predicts class 1 there)."""
    pytest.importorskip("matplotlib")
    X, y = gn.datasets.logic_gate("xnor")
    net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    assert np.all(net.predict(X) > 0.5)
    fig = viz.plot_decision_boundary(net, X, y, resolution=20, dpi=30)
    (cs,) = [c for c in _contour_sets(fig) if len(c.levels) > 2]
    assert np.all(cs.norm(cs.levels) > 0.5)  # RdBu: above the middle is blue
    assert "not crossed: y_hat > 0.5 everywhere" in fig.axes[0].get_title()
    for lay in _linears(net):  # and the other side: every y_hat below 0.5
        lay.b.data[:] = -20.0
    fig = viz.plot_decision_boundary(net, X, y, resolution=20, dpi=30)
    (cs,) = [c for c in _contour_sets(fig) if len(c.levels) > 2]
    assert np.all(cs.norm(cs.levels) < 0.5)
    assert "not crossed: y_hat <= 0.5 everywhere" in fig.axes[0].get_title()


def test_training_snapshots_of_logits_are_white_at_zero() -> None:
    """A logits output (threshold 0): white at 0, where the boundary is drawn (it was
    white halfway between the smallest and largest logit)."""
    pytest.importorskip("matplotlib")
    X, y = gn.datasets.logic_gate("xnor")
    net = gn.nn.MLP([2, 4, 1], activation="tanh", output_activation="identity", rng=0)
    kw = {"lr": 0.1, "loss": "binary_cross_entropy_with_logits"}
    fig = viz.plot_training_snapshots(net, X, y, epochs=[0, 50], resolution=20, dpi=30, **kw)
    sets = [c for c in _contour_sets(fig) if len(c.levels) > 2]
    assert len(sets) == 2
    for cs in sets:
        assert cs.norm(0.0) == pytest.approx(0.5)
        assert cs.levels.min() < 0.0 < cs.levels.max()


def test_history_of_one_epoch_is_drawn_on_whole_epochs() -> None:
    """One epoch: each curve's single point is drawn as a dot (a line of one point drew
    nothing: an empty plot) and the epoch axis ticks whole epochs (it read 0.96, 0.98...)."""
    pytest.importorskip("matplotlib")
    X, y = gn.datasets.logic_gate("xnor")
    net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    h = gn.fit(net, X, y, epochs=1, verbose=0, validation_data=(X, y))
    fig = viz.plot_history(h)
    fig.canvas.draw()
    curves = [ln for ax in fig.axes for ln in ax.lines if len(ln.get_xdata()) == 1]
    assert len(curves) == 3 and all(ln.get_marker() == "o" for ln in curves)
    for ax in fig.axes:
        lo, hi = ax.get_xlim()
        ticks = [t for t in ax.get_xticks() if lo <= t <= hi]
        assert ticks and all(float(t).is_integer() for t in ticks)
    h = gn.fit(net, X, y, epochs=5, verbose=0)
    fig = viz.plot_history(h)
    fig.canvas.draw()
    assert fig.axes[0].lines[0].get_marker() in ("None", "", None)  # a line, as before
    assert [t for t in fig.axes[0].get_xticks() if 1 <= t <= 5] == [1, 2, 3, 4, 5]


# ------------------------------------------------------------- explain: wide networks
def test_explain_of_a_wide_network_is_bounded() -> None:
    """A 2-1000-1 network printed 1.9 MB (tables of 4000 rows); each table now shows its
    first MAX_ROWS rows and says how many it leaves out, max_rows=None shows all, and a
    small network's text is unchanged."""
    from glassnet.explain import MAX_ROWS

    big = gn.nn.MLP([2, 1000, 1], activation="relu", rng=0)
    e = explain(big, [1.0, 0.5], 1.0, paths=True)
    text = e.to_text(notation="ascii")
    assert len(text) < 150_000
    assert "... 801 more rows of this table (max_rows=None shows every row)." in text
    assert "... 3801 more rows of this table" in text  # the weights, 3001 + 1000 biases
    for render in (e.to_markdown, e.to_html):
        assert "801 more rows" in render()
    full = e.to_text(notation="ascii", max_rows=None)
    assert "more rows" not in full and "z[1]_1000 " in full and len(full) > 1_000_000
    assert "z[1]_3 " in e.to_text(notation="ascii", max_rows=3)
    assert "z[1]_4 " not in e.to_text(notation="ascii", parts="forward", max_rows=3)
    for bad in (0, -1, 2.5, "10"):
        with pytest.raises(ValueError, match="'max_rows' parameter"):
            e.to_text(max_rows=bad)
    batch = explain(big, [[1.0, 0.5], [0.0, 1.0]], [1.0, 0.0]).to_text(notation="ascii")
    assert max(len(line) for line in batch.splitlines()) < 1000  # it was 17835 wide
    assert "... 1944 more columns of this table (max_rows=None shows every column)." in batch
    head = next(line for line in batch.splitlines() if line.startswith("#  x1"))
    assert head.split()[-2:] == ["...", "L_n"] and len(head.split()) == 64
    small = explain(_net(), [1.0, 0.5], 1.0, paths=True)
    assert small.to_text(max_rows=None) == small.to_text() and "more rows" not in str(small)
    assert len(small.to_text().splitlines()) < MAX_ROWS


# --------------------------------------------------------------------- diagnostics
@pytest.mark.parametrize(
    "X,words",
    [
        (np.array([["a", "b"]]), "X must be numeric"),
        (np.array([[np.nan, 1.0]]), "X contains NaN or inf"),
        (np.array([[1e300, 1.0]]), "X holds 1e\\+300 at index"),
    ],
)
def test_activation_stats_names_itself_on_bad_inputs(X, words) -> None:
    """The error names activation_stats (it named FastMLP.trace, which the user never
    called)."""
    net = gn.nn.MLP([2, 3, 1], activation="relu", rng=0)
    with pytest.raises(ValueError, match=f"^activation_stats: {words}"):
        activation_stats(net, X)


def test_activation_stats_on_crafted_layers() -> None:
    """Dead ReLUs (z <= 0 for every sample, z = 0 included) and saturated sigmoid/tanh
    outputs counted exactly on hand-made layers."""
    X = np.random.default_rng(0).normal(size=(100, 2))
    net = gn.nn.MLP([2, 4, 3, 1], activation="relu", rng=0, dtype=F64)
    l1, l2, _ = _linears(net)
    l1.b.data[:2] = -100.0  # 2 of 4 dead
    l2.W.data[:] = 0.0
    l2.b.data[:] = [0.0, 1.0, -1.0]  # z = 0: dead; 1: alive; -1: dead
    assert activation_stats(net, X)["dead_relu"] == {"layer1": 0.5, "layer2": 2 / 3}
    for act, b in (("sigmoid", [10.0, -10.0, 0.0, 4.59]), ("tanh", [10.0, -10.0, 0.0, 1.0])):
        net = gn.nn.MLP([2, 4, 1], activation=act, rng=0, dtype=F64)
        lay = _linears(net)[0]
        lay.W.data[:] = 0.0
        lay.b.data[:] = b  # two saturated, two not (sigmoid(4.59) = 0.98995 < 0.99)
        assert activation_stats(net, X) == {"dead_relu": {}, "saturated": {"layer1": 0.5}}


# ----------------------------------------------------------------------- gradcheck
def test_gradcheck_arguments_are_named() -> None:
    """Each bad argument is named (they raised NumPy's or Python's own errors), and an
    empty input checks nothing (it raised an IndexError; alone, it is refused as having
    nothing to check, as no inputs are: see test_teaching_audit2)."""
    ok = lambda a: (a * a).sum()  # noqa: E731
    cases = [
        ((3, np.ones(2)), {}, TypeError, "fn must be a function"),
        ((ok, ["a"]), {}, ValueError, "input 0 must be numbers"),
        ((ok, np.ones(2), [np.nan, 1.0]), {}, ValueError, "input 1 holds NaN or inf"),
        ((ok, np.ones(2)), {"seed": "x"}, ValueError, "'seed' parameter of gradcheck"),
        ((ok, np.ones(2)), {"raise_exception": "no"}, ValueError, "'raise_exception'"),
    ]
    for args, kw, exc, words in cases:
        with pytest.raises(exc, match=words):
            gn.gradcheck(*args, **kw)
    with pytest.raises(ValueError, match=r"no entries \(shapes \(0, 3\)\)"):
        gn.gradcheck(lambda a: a.sum() * 0.0, np.zeros((0, 3)))
    report = gn.gradcheck(lambda a, b: a.sum() * 0.0 + b.sum(), np.zeros((0, 3)), np.ones(2))
    assert report.ok and report.rows[0]["at"] == () and report.rows[0]["max_abs_err"] == 0.0
    assert gn.gradcheck(ok, np.ones(2), seed=None).ok


def test_gradcheck_of_a_function_that_cannot_be_computed_fails_without_warnings() -> None:
    """log at 0 or an overflowing square: the report shows inf/nan and fails, and no NumPy
    RuntimeWarning leaks (they did, from the autodiff and the finite differences)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fn, x in ((lambda a: a.log().sum(), [0.0, 1.0]), (lambda a: (a * a).sum(), [1e200])):
            report = gn.gradcheck(fn, np.array(x), raise_exception=False)
            assert not report.ok and "NO" in str(report)
            with pytest.raises(gn.GradcheckError, match="disagree"):
                gn.gradcheck(fn, np.array(x))


def test_explain_refuses_shared_weights() -> None:
    """One Linear used twice: explain gave each use its own weight names and a gradient
    that was one use's share (autodiff's .grad is the sum), so its step preview moved one
    parameter to two different values. It now says why it cannot lay that out."""
    lin = gn.nn.Linear(2, 2)
    net = gn.nn.Sequential(lin, gn.nn.Tanh(), lin, gn.nn.Sigmoid())
    for call in (
        lambda: explain(net, [1.0, 0.5], [1.0, 0.0]),
        lambda: viz.draw_network(net, [1.0, 0.5], [1.0, 0.0], backward=True),
    ):
        with pytest.raises(TypeError, match="layers 1 and 2 of the model are one Linear"):
            call()
    assert "<svg" in viz.draw_network(net, [1.0, 0.5])  # the forward view has no gradients


def test_explain_cross_entropy_targets_are_probabilities() -> None:
    """Target rows that do not sum to 1 (y = [1, 1, 0]) were taken, and explain wrote
    dL/dz3 = (y_hat1 - y1) = -0.375 where y_hat1 - y1 is -0.6875 (the identity holds for
    probabilities only); they are refused, probability rows and labels still work."""
    net = gn.nn.MLP([2, 2, 3], activation="tanh", output_activation="softmax", rng=0)
    for y in ([1, 1, 0], [0.5, 0.7, -0.2]):
        with pytest.raises(ValueError, match="rows of 3 probabilities"):
            explain(net, [1.0, 2.0], y, "cross_entropy")
    soft = explain(net, [1.0, 2.0], [0.1, 0.8, 0.1], "cross_entropy")
    p = soft.paths("z3")
    assert p.value == pytest.approx(soft.y_hat[0, 0] - 0.1, abs=1e-12)
    one_hot = explain(net, [1.0, 2.0], [0, 1, 0], "cross_entropy")
    label = explain(net, [1.0, 2.0], 1, "cross_entropy")
    assert one_hot.loss == label.loss


def test_plots_name_a_wrong_ax() -> None:
    """ax that is not a matplotlib Axes: an error that says what ax must be (it was
    AttributeError: 'int' object has no attribute 'figure')."""
    pytest.importorskip("matplotlib")
    X, y = gn.datasets.logic_gate("xnor")
    net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    for plot in (viz.plot_decision_boundary, viz.plot_hidden_space):
        with pytest.raises(TypeError, match=f"{plot.__name__}: ax must be a matplotlib Axes"):
            plot(net, X, y, ax=3)


def test_save_refuses_text_that_is_not_the_file_type(tmp_path) -> None:
    """Text that is neither SVG nor DOT went into a .png or .svg file as it was (a file
    that is not what its name says, an empty .svg for ''); it is refused and nothing is
    written. Other text keeps its own suffix (the gallery's Markdown table)."""
    for text, name in (("hello", "a.png"), ("hello", "a.svg"), ("", "b.svg"), ("x", "c.dot")):
        with pytest.raises(ValueError, match="neither SVG nor DOT"):
            viz.save(text, tmp_path / name)
    assert list(tmp_path.iterdir()) == []
    assert viz.save("| a |\n|---|\n", tmp_path / "t.md").read_text() == "| a |\n|---|\n"
    assert viz.save('<svg xmlns="http://www.w3.org/2000/svg"/>', tmp_path / "d.svg").exists()


def test_draw_graph_through_a_singular_point_warns_nothing() -> None:
    """log(a b) at a = 0: the picture writes the value -inf and the gradients inf/nan that
    the backward pass gives, and no NumPy RuntimeWarning leaks (one did, from 1/0)."""
    a = gn.Tensor(0.0, requires_grad=True)
    b = gn.Tensor(2.0, requires_grad=True)
    loss = (a * b).log()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fmt in ("svg", "dot"):
            for backward in (False, True):
                out = viz.draw_graph(loss, backward=backward, fmt=fmt)
                assert "-inf" in out and "grad inf" in out


def test_decision_boundary_of_inputs_beyond_the_model_dtype() -> None:
    """Inputs past float32's range for a float32 model: a clear error (a RuntimeWarning
    leaked from the cast in predict); a float64 model draws them."""
    pytest.importorskip("matplotlib")
    X, y = gn.datasets.logic_gate("xnor")
    net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="computes in float32, which ends at 3.4e\\+38"):
            viz.plot_decision_boundary(net, X * 1e300, y, resolution=10)
        viz.plot_decision_boundary(net.to(dtype=F64), X * 1e300, y, resolution=10, dpi=30)


def test_summary_title_gives_widths_of_a_chain_only() -> None:
    """Sequential(Linear(2, 2), a custom module, Sigmoid()) maps 2 inputs to 1 output: its
    title said 'Sequential 2-2', the widths of its one top-level Linear."""
    model = gn.nn.Sequential(gn.nn.Linear(2, 2), _Twice(), gn.nn.Sigmoid())
    for s in (gn.summary(model), gn.summary(model, input_data=np.zeros((1, 2)))):
        assert s.title.startswith("Sequential: 19 parameters")
    assert gn.summary(gn.nn.MLP([2, 3, 1])).title.startswith("MLP 2-3-1: 13 parameters")


@pytest.mark.parametrize("bias,y", [(40.0, 0.0), (40.0, 1.0), (30.0, 0.0), (-40.0, 1.0)])
def test_explain_step_one_of_a_saturated_bce_output(bias, y) -> None:
    """y_hat that prints as 0 or 1 under binary cross-entropy: step 1 wrote the numbers
    '(1 - 0) / (1 (1 - 1)) = 4.50e+15' (a division by 0 equal to a number) or
    '(1 - 1) / (1 (1 - 1)) = -1.000'; it now gives the value with y_hat unrounded."""
    net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    _linears(net)[1].b.data[:] = bias
    e = explain(net, [1.0, 0.5], y, "binary_cross_entropy")
    line = next(ln for ln in e.to_text(notation="ascii").splitlines() if "Step 1" in ln)
    assert "(1 - 1)" not in line and "(1.000 - 1.000)" not in line and "(0 (1 - 0))" not in line
    assert f"= {fmt(e.dL_dyhat[0, 0])} (y_hat = {float(e.y_hat[0, 0])!r}, which rounds to" in line
    assert ("clips it to [eps, 1 - eps]" in line) == (bias != 30.0)
    normal = explain(_net(), [1.0, 0.5], 1.0, "binary_cross_entropy")
    # (4 decimals: (0.662 - 1) / (0.662 (1 - 0.662)) would make -1.511, not the -1.510 shown)
    text = str(normal.to_text(notation="ascii"))
    assert "= (0.6621 - 1) / (0.6621 (1 - 0.6621)) = -1.510." in text


def test_draw_network_says_why_a_saturated_output_does_not_multiply_out() -> None:
    """ŷ = 1 under binary cross-entropy: the picture showed ∂L/∂ŷ = 4.50e+15 and
    g′(z₃) = 0 on the edges but ∂L/∂z₃ = 1 in the node, against its own legend; a note
    now says that ∂L/∂z₃ is ŷ − y computed directly. Pictures that multiply out: no note."""
    net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    _linears(net)[1].b.data[:] = 40.0
    svg = viz.draw_network(net, [1.0, 0.5], 0.0, backward=True, loss="binary_cross_entropy")
    text = _svg_text(svg)
    assert "ŷ = 1.0 is saturated: the edges into z₃ multiply out to 0" in text
    assert "∂L/∂z₃ = 1 is the loss's own ŷ − y, computed directly." in text
    assert not viz.overlapping_texts(svg)
    _linears(net)[1].b.data[:] = 0.0
    for loss in ("binary_cross_entropy", "half_mse"):
        svg = viz.draw_network(net, [1.0, 0.5], 0.0, backward=True, loss=loss)
        assert "saturated" not in _svg_text(svg)


def test_overlapping_texts_names_what_it_was_given() -> None:
    """Not an SVG document: a ValueError or TypeError that says what to pass (XML's
    ParseError or 'a bytes-like object is required' leaked)."""
    for bad in ("not svg", ""):
        with pytest.raises(ValueError, match="svg is not an SVG document"):
            viz.overlapping_texts(bad)
    with pytest.raises(TypeError, match="svg must be the SVG document as text"):
        viz.overlapping_texts(3)
    svg = viz.draw_network(_net())
    assert viz.overlapping_texts(svg) == [] == viz.overlapping_texts(svg.encode())


def test_hidden_space_of_a_wide_layer_says_which_neurons() -> None:
    """A layer of 1000 neurons drawn as the plane of two of them: the title says which
    (it read 'hidden feature space (layer 1)', as for a layer of two)."""
    pytest.importorskip("matplotlib")
    X, y = gn.datasets.logic_gate("xnor")
    wide = gn.nn.MLP([2, 1000, 1], activation="relu", rng=0)
    fig = viz.plot_hidden_space(wide, X, y, dims=(4, 9), dpi=30)
    assert fig.axes[0].get_title() == "hidden feature space (layer 1, neurons 5 and 10 of 1000)"
    fig = viz.plot_hidden_space(_net(), X, y, dpi=30)
    assert fig.axes[0].get_title() == "hidden feature space (layer 1)"


def test_draw_graph_writes_a_product_of_numbers_with_a_dot() -> None:
    """Unlabelled scalar tensors: w x titled '0.500 1' (two numbers side by side read as a
    list); a product whose second factor is a number gets a dot, symbols stay as the
    slides write them."""
    from glassnet.viz.graph import expression

    T = gn.Tensor
    x1, w = T(1.0, requires_grad=True), T(0.5, requires_grad=True)
    assert expression(w * x1) == "0.500 · 1"
    assert expression(T(-0.3, requires_grad=True) * x1) == "-0.300 · 1"
    assert expression(2 * x1) == "2 · 1"
    wl, xl = T(0.5, requires_grad=True, label="w1"), T(1.0, requires_grad=True, label="x1")
    assert expression(wl * xl) == "w₁ x₁" and expression(xl * 0.5) == "0.500 x₁"
    assert "0.500 · 1" in _svg_text(viz.draw_graph(0.5 * (w * x1 - 1.0) ** 2, backward=True))


def test_explain_header_of_many_inputs_is_bounded() -> None:
    """An image's 784 inputs: the header listed every one (a line of 10970 characters);
    it lists the first 20 and how many more."""
    net = gn.nn.MLP([784, 16, 10], activation="relu", output_activation="softmax", rng=0)
    x = np.random.default_rng(0).uniform(size=784)
    text = explain(net, x, 3, "cross_entropy").to_text(notation="ascii")
    head = next(line for line in text.splitlines() if line.startswith("Data point"))
    assert len(head) < 600 and "x20 = " in head and "x21 = " not in head
    assert ", ... (+764 more); target y1 = 0, y2 = 0, y3 = 0, y4 = 1," in head
    assert max(len(line) for line in text.splitlines()) < 1000


@pytest.mark.parametrize("loss", ["binary_cross_entropy", "binary_cross_entropy_with_logits"])
def test_draw_network_loss_formula_of_several_outputs_has_room(loss) -> None:
    """Three outputs under binary cross-entropy: the loss node's formula 'L = (1/K) Σₖ
    [−yₖ log ŷₖ − ...]' ran over the ŷ₂ caption (the gap was sized by the edge labels)."""
    net = gn.nn.MLP([2, 4, 3], activation="relu", output_activation="sigmoid", rng=0)
    svg = viz.draw_network(net, [1.0, 0.5], [0.0, 1.0, 0.0], backward=True, loss=loss)
    assert "L = (1/K) Σₖ [−yₖ log" in _svg_text(svg)
    assert viz.overlapping_texts(svg) == []


def test_draw_network_edge_labels_keep_off_the_elision_marker() -> None:
    """An elided layer's '⋮ N more' marker was not among the boxes the labels avoid, so a
    weight label could sit on it (3-9-3, max_neurons=2, labels forced)."""
    for seed in range(3):
        net = gn.nn.MLP([3, 9, 3], activation="identity", output_activation="softmax", rng=seed)
        kw = {"font_size": 18.0, "edge_labels": True, "max_neurons": 2, "decimals": 1}
        kw["names"] = "lecture"
        for svg in (viz.draw_network(net, **kw), viz.draw_network(net, [1, 2, 3], **kw)):
            assert "7 more" in _svg_text(svg)
            assert viz.overlapping_texts(svg) == []


def test_draw_network_lays_out_forced_labels_at_a_large_font() -> None:
    """25 weight labels forced on one gap at font_size=18: the layout gave up after 16
    widenings and left labels on top of each other; it keeps widening until they fit."""
    rng = np.random.default_rng(1)
    net = gn.nn.MLP([5, 5, 2, 1], activation="identity", output_activation="identity", rng=1)
    for p in net.parameters():
        p.data[:] = rng.normal(size=p.data.shape) * 1e7
    x = rng.normal(size=5) * 100
    kw = {"font_size": 18.0, "edge_labels": True, "names": "layered", "decimals": 2}
    svg = viz.draw_network(net, x, rng.normal(size=1), backward=True, loss="mse", **kw)
    assert viz.overlapping_texts(svg) == []


@pytest.mark.parametrize(
    "act,key", [("sigmoid", "saturated"), ("tanh", "saturated"), ("relu", "dead_relu")]
)
def test_activation_stats_of_nan_activations_is_unknown(act, key) -> None:
    """A NaN weight makes a layer's activations NaN: the fraction was 0.0 (nothing dead or
    saturated, a silent all-clear); it is NaN, unknown."""
    X = np.random.default_rng(0).normal(size=(20, 2))
    net = gn.nn.MLP([2, 3, 1], activation=act, rng=0)
    _linears(net)[0].W.data[0, 0] = np.nan
    assert np.isnan(activation_stats(net, X)[key]["layer1"])
    _linears(net)[0].W.data[0, 0] = 0.5
    assert np.isfinite(activation_stats(net, X)[key]["layer1"])


def test_explain_matrix_form_of_a_wide_layer_is_named_not_written() -> None:
    """matrix=True on a 784-16-10 network wrote W⁽¹⁾ᵀ as 16 rows of 784 numbers under a
    784-row column (lines of 5000 characters); a layer wider than 20 is named with its
    shape and where its numbers are, narrower layers are written out as before."""
    net = gn.nn.MLP([784, 16, 10], activation="relu", output_activation="softmax", rng=0)
    x = np.random.default_rng(0).uniform(size=784)
    text = explain(net, x, 3, "cross_entropy", matrix=True).to_text(
        notation="ascii", parts="matrix"
    )
    assert "(W[1] is 784 x 16: too wide to write out here; it is e.W[0], z[1] is e.Z[0])" in text
    assert "z[2] = W[2]^T a[1] + b[2]" in text and "[ 0.761 ]" in text
    assert max(len(line) for line in text.splitlines()) < 200
