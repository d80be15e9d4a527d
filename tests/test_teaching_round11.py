"""The teaching tools, round 11: a student's answers written as on paper get the fix."""

from __future__ import annotations

import json

import numpy as np
import pytest

import glassnet as gn
from glassnet import exercises
from glassnet.diagnostics import Diagnostics, _pct


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    out = tmp_path_factory.mktemp("sheet")
    exercises.write(5, out)
    return out / "key.json"


@pytest.mark.parametrize(
    ("answer", "fix"),
    [
        ("yes", "A yes/no answer is written 1 for yes and 0 for no: 1."),
        ("No", "A yes/no answer is written 1 for yes and 0 for no: 0."),
        ("1/2", "Write the fraction as a decimal: 0.5."),
        ("-3 / 4", "Write the fraction as a decimal: -0.75."),
        ("2,5", "Write the decimal point: 2.5."),  # (said already)
    ],
)
def test_an_answer_written_as_on_paper_is_named_with_its_fix(key, tmp_path, answer, fix):
    path = tmp_path / "answers.txt"
    path.write_text(f"4.separable = {answer}\n", encoding="utf-8")
    with pytest.raises(ValueError) as err:
        exercises.read_answers(path)
    assert f"line 1 of {str(path)!r}: {answer!r} is not a number" in str(err.value)
    assert str(err.value).endswith(fix), str(err.value)
    # check grades it wrong with the same words, and grades the other answers
    message = exercises.check(key, path).first_wrong[4]
    assert message.startswith("4.separable could not be read: line 1") and message.endswith(fix)


@pytest.mark.parametrize(("value", "digit"), [(True, 1), ("no", 0)])
def test_a_json_yes_or_no_is_named_with_its_fix(key, tmp_path, value, digit):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"4.separable": value}), encoding="utf-8")
    with pytest.raises(ValueError, match=rf"written 1 for yes and 0 for no: {digit}\.$"):
        exercises.read_answers(path)
    assert (
        exercises.check(key, path)
        .first_wrong[4]
        .endswith(f"written 1 for yes and 0 for no: {digit}.")
    )


def test_an_answer_that_is_no_number_gets_no_made_up_fix(key, tmp_path):
    path = tmp_path / "answers.txt"
    path.write_text("1.z1 = abc\n1.z2 = 1/0\n", encoding="utf-8")
    with pytest.raises(ValueError) as err:
        exercises.read_answers(path)
    assert str(err.value).endswith("'abc' is not a number or a vector like [0, 1, 0].")
    message = exercises.check(key, path).first_wrong[1]
    assert message.endswith("'abc' is not a number or a vector like [0, 1, 0].")


def test_the_yes_no_answer_written_as_the_fix_says_is_graded(key, tmp_path):
    path = tmp_path / "answers.txt"
    path.write_text("4.separable = 0\n", encoding="utf-8")  # seed 5's gate is XNOR
    result = exercises.check(key, path)
    assert "4. Linear separability: XNOR: 2/2 right" in str(result)


def test_diagnostics_say_100_percent_only_when_it_is_all():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 2))
    y = (X[:, 0] > 0).astype(float)
    net = gn.nn.MLP([2, 4, 4, 1], activation="tanh", output_activation="sigmoid", rng=0)
    net.layers[0].b.data[:] = -100.0
    net.layers[0].W.data[:] *= 200  # layer1's tanh outputs: all but a few saturated
    h = gn.fit(net, X, y, loss="bce", lr=0.1, epochs=1, verbose=0, callbacks=[Diagnostics()])
    frac = h.diagnostics[0]["saturated"]["layer1"]
    assert 0.99 < frac < 1  # (the record: 0.995)
    said = [w for w in h.warnings if "tanh outputs in layer1 are saturated" in w]
    assert said and "epoch 1: 99.5% of the tanh outputs" in said[0], said  # it said 100%


def test_a_whole_layer_is_still_100_percent():
    assert _pct(1.0) == "100%" and _pct(0.5) == "50%" and _pct(0.994) == "99%"
    assert _pct(0.9999) == "99.9%"  # cut, never rounded up to 100


def test_summary_numbers_each_layers_weights_on_every_call():
    nn = gn.nn
    seq = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    first = str(gn.summary(seq))
    assert "A⁽¹⁾ = relu(X W⁽¹⁾ + b⁽¹⁾)" in first and "ŷ = A⁽¹⁾ W⁽²⁾ + b⁽²⁾" in first
    # the first call labels each Linear's parameters 'W' and 'b' (the layer's own names):
    # the second read "relu(X W + b)" and "A⁽¹⁾ W + b", every layer's weights alike
    assert str(gn.summary(seq)) == first
    fresh = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    gn.optim.SGD(fresh.layers[2].parameters(), lr=0.1)  # (one layer's: labelled 'W', 'b')
    assert "ŷ = A⁽¹⁾ W⁽²⁾ + b⁽²⁾" in str(gn.summary(fresh))
    assert r"A^{(1)} W^{(2)} + b^{(2)}" in gn.summary(seq).to_markdown()


class _TwoLayers(gn.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = gn.nn.Linear(2, 3)
        self.b = gn.nn.Linear(3, 1)

    def forward(self, x):
        return self.b(self.a(x).relu()).sigmoid()


def test_summary_of_a_module_of_ones_own_keeps_its_markdown_table_whole():
    md = gn.summary(_TwoLayers()).to_markdown()
    rows = [line for line in md.splitlines() if line.startswith("| 1 |")]
    # the module's repr runs over 4 lines: its row was cut at the first, the table broken
    assert len(rows) == 1 and rows[0].endswith("| 13 |"), md
    assert "(a): Linear(inputs=2, neurons=3) (b): Linear(inputs=3, neurons=1)" in rows[0]
    assert "<td>_TwoLayers((a)" in gn.summary(_TwoLayers()).to_html()


def test_summary_says_how_to_learn_the_shapes_it_shows_as_unknown():
    nn = gn.nn
    for model in (
        _TwoLayers(),
        nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1)),
    ):
        text = str(gn.summary(model))
        assert "  ?  " in text
        assert "pass an example input, summary(model, input_data=x)" in text, text
    traced = str(gn.summary(_TwoLayers(), input_data=np.zeros((2, 2))))
    assert "?" not in traced and "input_data=x" not in traced  # every shape known: no note
    assert "input_data=x" not in str(gn.summary(gn.nn.MLP([2, 2, 1])))


def test_plot_neuron_outputs_draws_a_diverged_tanh_layer_and_says_so():
    pytest.importorskip("matplotlib")
    from glassnet import viz

    net = gn.nn.MLP([2, 3, 1], activation="tanh", output_activation="sigmoid", rng=0)
    net.layers[0].W.data[0, 0] = np.nan  # neuron 1 is NaN on the whole plane
    X = np.random.default_rng(0).normal(size=(20, 2))
    # it raised NumPy's "zero-size array to reduction operation minimum which has no identity"
    fig = viz.plot_neuron_outputs(net, X, (X[:, 0] > 0).astype(int))
    notes = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert notes == ["NaN or inf\neverywhere\n(diverged?)"], notes


def test_a_share_of_the_plane_reads_neither_0_nor_100_percent():
    from glassnet.viz.plots import _share

    assert [_share(f) for f in (0.5, 0.994, 0.995, 0.999, 0.001)] == [
        "50%",
        "99%",
        "99.5%",  # "100%" beside "everywhere" for all of it
        "99.9%",
        "0.1%",  # "0%"
    ]


def _cut_texts(fig):
    """The texts of ``fig`` that run past its right edge (drawn, in pixels)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    width = fig.get_size_inches()[0] * fig.dpi
    return [
        t.get_text()
        for ax in fig.axes
        for t in [ax.yaxis.label, ax.title, *ax.get_yticklabels()]
        if t.get_text() and t.get_window_extent(renderer).x1 > width
    ]


def test_a_colour_bar_beside_one_panel_keeps_its_label_in_the_picture():
    pytest.importorskip("matplotlib")
    from glassnet import viz

    X = np.random.default_rng(0).normal(size=(20, 2))
    y = (X[:, 0] > 0).astype(int)
    net = gn.nn.MLP([2, 1, 1], activation="tanh", output_activation="sigmoid", rng=0)
    # one neuron's panel: "a = g(z)" was cut off at the right edge; one snapshot: "y_hat"
    assert _cut_texts(viz.plot_neuron_outputs(net, X, y)) == []
    snap = viz.plot_training_snapshots(net, X, y.astype(float), epochs=[1], loss="bce", verbose=0)
    assert _cut_texts(snap) == []
    wide = gn.nn.MLP([2, 3, 1], activation="tanh", output_activation="sigmoid", rng=0)
    fig = viz.plot_neuron_outputs(wide, X, y)  # (room to spare already: its size is kept)
    assert _cut_texts(fig) == [] and np.allclose(fig.get_size_inches(), [8.2, 2.9])


@pytest.mark.parametrize(
    ("plot", "fix"),
    [
        ("plot_decision_boundary", "plot_neuron_outputs(model, X, layer="),
        ("plot_hidden_space", "pass the classes"),
        ("plot_neuron_outputs", "pass y=None"),
    ],
)
def test_regression_targets_are_not_drawn_as_one_class_a_point(plot, fix):
    pytest.importorskip("matplotlib")
    from glassnet import viz

    X = np.random.default_rng(0).normal(size=(40, 2))
    net = gn.nn.MLP([2, 2, 1], activation="tanh", output_activation="identity", rng=0)
    # each value was a class: a legend of 40 "class 0.4293..." entries ran off the picture
    with pytest.raises(ValueError, match=r"y must be class labels") as err:
        getattr(viz, plot)(net, X, 2.0 * X[:, 0])
    assert "Got 40 distinct values" in str(err.value) and fix in str(err.value)
    getattr(viz, plot)(net, X, (X[:, 0] > 0).astype(float))  # 0.0 / 1.0 labels still draw


def test_the_hidden_space_title_of_a_wider_layer_fits_the_figure():
    pytest.importorskip("matplotlib")
    from glassnet import viz

    X = np.random.default_rng(0).normal(size=(40, 2))
    net = gn.nn.MLP([2, 3, 1], activation="tanh", output_activation="sigmoid", rng=0)
    fig = viz.plot_hidden_space(net, X, (X[:, 0] > 0).astype(int))
    title = fig.axes[0].title
    assert title.get_text() == "hidden feature space (layer 1, neurons 1 and 2 of 3)"
    fig.canvas.draw()
    box = title.get_window_extent(fig.canvas.get_renderer())
    # its ")" ran past the 500-px figure's right edge
    assert 0 <= box.x0 and box.x1 <= fig.get_size_inches()[0] * fig.dpi, box
    assert title.get_fontsize() >= 8


def test_plot_activations_of_a_softmax_only_model_draws_no_activation_it_lacks():
    pytest.importorskip("matplotlib")
    from glassnet import viz

    softmax_only = gn.nn.MLP([2, 3], output_activation="softmax", rng=0)
    # it drew "identity", an activation this model does not use
    with pytest.raises(ValueError, match=r"only activation is softmax, which is not elementwise"):
        viz.plot_activations(model=softmax_only)
    titles = [ax.get_title() for ax in viz.plot_activations(model=gn.nn.MLP([2, 1], rng=0)).axes]
    assert titles == ["identity\ng(z) = z"]  # (a linear model's identity is its own)
    hidden = gn.nn.MLP([2, 2, 3], activation="tanh", output_activation="softmax", rng=0)
    assert [ax.get_title().split("\n")[0] for ax in viz.plot_activations(model=hidden).axes] == [
        "tanh"
    ]


def test_diagnostics_name_a_zero_start_as_why_no_gradient_flows():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2))
    y = (X[:, 0] > 0).astype(float)
    net = gn.nn.MLP([2, 3, 1], activation="tanh", output_activation="sigmoid", rng=0)
    for p in net.parameters():
        p.data[:] = 0
    h = gn.fit(net, X, y, loss="bce", lr=0.1, epochs=1, verbose=0, callbacks=[Diagnostics()])
    said = [w for w in h.warnings if "no gradient reaches any weight" in w]
    # it named dead ReLUs, saturated outputs or the loss: none of them, in a tanh network
    assert said and "Every weight is 0" in said[0] and "dead ReLUs" not in said[0], said
    dead = gn.nn.MLP([2, 3, 1], activation="relu", output_activation="sigmoid", rng=0)
    dead.layers[0].b.data[:] = -100.0  # every ReLU off: no gradient, the weights not 0
    h = gn.fit(
        dead, X, 0.5 + 0 * y, loss="mse", lr=0.1, epochs=1, verbose=0, callbacks=[Diagnostics()]
    )
    said = [w for w in h.warnings if "no gradient reaches any weight" in w]
    assert said and "dead ReLUs" in said[0] and "Every weight is 0" not in said[0], said


@pytest.mark.parametrize(
    ("x", "y", "said"),
    [
        ([1.0, 2.0], "cat", "y must be real numbers (class names are not read: encode them"),
        (["red", 2.0], 1, "x must be real numbers (text is not read: encode it as numbers"),
        ([1.0, 2.0], "1", "(text is not read: convert it, e.g. np.asarray(y, dtype=float))"),
    ],
)
def test_explain_says_how_to_encode_words_not_to_convert_them_to_float(x, y, said):
    net = gn.nn.MLP([2, 3], output_activation="softmax", rng=0)
    # a class name ('cat') was told to be converted with np.asarray(y, dtype=float)
    with pytest.raises(TypeError) as err:
        gn.explain(net, x, y, loss="cross_entropy")
    assert said in str(err.value), str(err.value)
    if "encode" in said:
        assert "dtype=float" not in str(err.value)


def test_summary_does_not_guess_the_input_width_past_a_module_of_ones_own():
    """A first row that is a module of one's own (which may change the width) showed the
    first Linear's input, (N, 1), though it takes 2 features; a Dropout first keeps it."""
    import glassnet as gn
    from glassnet import nn

    class Cut(nn.Module):
        def __init__(self):
            self.a = nn.Linear(2, 3)

        def forward(self, x):
            return self.a(x)[:, :1]

    rows = gn.summary(nn.Sequential(Cut(), nn.Linear(1, 1))).rows
    assert (rows[0].input_shape, rows[0].output_shape) == ("?", "?")
    rows = gn.summary(nn.Sequential(nn.Dropout(0.1), nn.Linear(4, 3))).rows
    assert rows[0].input_shape == rows[1].input_shape == "(N, 4)"
