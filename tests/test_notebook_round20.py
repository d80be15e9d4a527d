"""Notebook display round 20: explain's display cost, interrupted training, figure and SVG
displays, Parameter's repr, Markdown escaping, verbose=2, legend labels, scaler repr."""

from __future__ import annotations

import importlib.util
import re

import numpy as np
import pytest

import glassnet as gn
import glassnet.explain as ex
from glassnet import nn


def _explanation(width: int) -> ex.Explanation:
    net = nn.MLP([width, width, width, 10], activation="relu", output_activation="softmax", rng=0)
    x = np.random.default_rng(0).normal(size=width)
    return gn.explain(net, x, np.eye(10)[0], loss="cross_entropy")


def _count_formatting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls = [0]
    for name in ("fmt", "fmt_more"):
        real = getattr(ex, name)

        def counted(*a, _real=real, **k):  # type: ignore[no-untyped-def]
            calls[0] += 1
            return _real(*a, **k)

        monkeypatch.setattr(ex, name, counted)
    return calls


def test_explain_display_formats_only_the_rows_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    # a 128-128-128-10 network's display formatted every one of its ~35,000 weights'
    # rows (and every term of each 128-term sum) before cutting to MAX_ROWS: 14 s a cell
    # (both networks have more rows in every table than MAX_ROWS shows)
    small, wide = _explanation(100), _explanation(200)
    calls = _count_formatting(monkeypatch)
    small.to_text()
    at_32 = calls[0]
    calls[0] = 0
    text = wide.to_text()
    at_128 = calls[0]
    assert at_128 < 1.5 * at_32, (at_32, at_128)  # (the work grew with the weights, 4x)
    # the rows left out are still counted
    more = [int(m) for m in re.findall(r"\.\.\. (\d+) more rows of this table", text)]
    n_weights = 200 * 201 * 2 + 201 * 10
    assert n_weights - ex.MAX_ROWS in more  # sections 3 and 4: one row per weight
    assert len(wide.to_text().splitlines()) == len(text.splitlines())


def test_explain_formats_shared_between_notebook_forms(monkeypatch: pytest.MonkeyPatch) -> None:
    e = _explanation(16)
    built = [0]
    real = ex.Explanation._build_sections

    def counting(self, limit):  # type: ignore[no-untyped-def]
        built[0] += 1
        return real(self, limit)

    monkeypatch.setattr(ex.Explanation, "_build_sections", counting)
    e._repr_html_()
    e._repr_markdown_()
    repr(e)
    assert built[0] == 1
    e.decimals = 5  # a changed setting builds them again
    assert "0.00000" in e.to_text() or built[0] == 2
    assert built[0] == 2


def test_explain_cut_counts_match_the_full_table() -> None:
    e = _explanation(12)
    full = e.to_text(max_rows=None)
    cut = e.to_text(max_rows=5)
    n_full = [len(t.splitlines()) for t in full.split("\n\n")]
    assert full != cut and n_full
    # every "N more rows" + the 5 shown = the rows of that table in the full text
    stated = [int(m) + 5 for m in re.findall(r"\.\.\. (\d+) more rows of this table", cut)]
    assert 12 * 13 * 2 + 13 * 10 in stated


def _stopped_at_epoch_3(state) -> None:  # type: ignore[no-untyped-def]
    if state.epoch == 3:
        raise KeyboardInterrupt  # the notebook's Stop button


def test_an_interrupted_fit_warns_at_every_verbose(capsys: pytest.CaptureFixture[str]) -> None:
    X = np.random.default_rng(0).normal(size=(64, 3))
    y = (X[:, 0] > 0).astype(float)
    for verbose in (0, 1):
        net = nn.MLP([3, 4, 1], output_activation="sigmoid", rng=0)
        with pytest.warns(UserWarning, match="Training interrupted by user") as got:
            h = gn.fit(net, X, y, loss="bce", epochs=50, batch_size=16, verbose=verbose,
                       callbacks=[_stopped_at_epoch_3])  # fmt: skip
        assert h.stop_reason == "interrupted"
        text = str(got[0].message)
        assert f"after {h.epochs} epochs ({h.steps} steps)" in text and h.steps > 0
        assert "weights of the last whole step" in text
        assert got[0].filename == __file__  # (the line that called fit)


def test_an_interrupted_estimator_warns_once_with_the_steps() -> None:
    from glassnet.sklearn import MLPClassifier

    X = np.random.default_rng(0).normal(size=(200, 5))
    y = (X[:, 0] > 0).astype(int)
    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=50, random_state=0)
    clf.set_params(callbacks=[_stopped_at_epoch_3])
    with pytest.warns(UserWarning, match="Training interrupted by user") as got:
        clf.fit(X, y)
    assert clf.stop_reason_ == "interrupted"
    said = [w for w in got if "interrupted" in str(w.message)]
    assert len(said) == 1 and "steps" in str(said[0].message)


def test_a_parameters_repr_shows_its_values_and_whether_it_is_frozen() -> None:
    lin = nn.Linear(2, 2, rng=0)
    lin.W.data[...] = [[0.25, -1.5], [2.0, 0.125]]
    text = repr(lin.W)
    assert text.startswith("Parameter containing:\n")  # (PyTorch's first line)
    assert "0.25" in text and "-1.5" in text and "requires_grad=True" in text
    lin.W.requires_grad = False
    assert repr(lin.W).endswith("dtype=float32, requires_grad=False)")
    assert (
        repr(lin.W).splitlines()[1:]
        == repr(gn.Tensor(lin.W.data)).replace(")", ", requires_grad=False)").splitlines()
    )


def test_verbose_2_prints_the_first_epoch_at_once_off_a_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # (stderr captured: not a terminal, as a notebook's; a line was due only 10 s in)
    X = np.random.default_rng(0).normal(size=(32, 3))
    y = X[:, :1]
    net = nn.MLP([3, 4, 1], rng=0)
    gn.fit(net, X, y, loss="mse", epochs=5, verbose=2)
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("epoch ")]
    assert lines[0].startswith("epoch 1/5 ") and lines[-1].startswith("epoch 5/5 ")
    assert len(lines) == 2  # (then one every 10 s, and the last)


def test_standard_scaler_reprs_as_a_constructor_call_in_a_pipeline() -> None:
    from sklearn.pipeline import make_pipeline

    from glassnet.preprocessing import StandardScaler

    scaler = StandardScaler()
    assert repr(scaler) == "StandardScaler()"
    scaler.fit(np.ones((3, 2)))
    assert repr(scaler) == "StandardScaler()"
    assert "('standardscaler', StandardScaler())" in repr(make_pipeline(StandardScaler()))


def test_class_labels_with_dollars_are_not_typeset_as_maths() -> None:
    from glassnet.sklearn import MLPClassifier

    X = np.random.default_rng(0).normal(size=(40, 2))
    names = np.where(X[:, 0] > 0, "$10 bill$", "coin")
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3000, tol=1e-2, random_state=0)
    clf.fit(X, names)
    fig = gn.viz.plot_decision_boundary(clf, X, names)
    texts = [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().texts]
    assert r"class \$10 bill\$" in texts, texts


def _formatted(obj: object) -> dict | None:
    """IPython's display formatter's outputs for ``obj`` (as Jupyter computes a cell's), or
    None where IPython is not installed (the test extra does not ask for it: the rich
    display protocol, ``_repr_png_``/``_repr_svg_``, is checked directly then)."""
    if importlib.util.find_spec("IPython") is None:
        return None
    from IPython.core.interactiveshell import InteractiveShell

    return InteractiveShell.instance().display_formatter.format(obj)[0]


def test_drawings_are_strs_a_notebook_draws(tmp_path) -> None:  # type: ignore[no-untyped-def]
    net = nn.MLP([2, 3, 1], rng=0)
    x = gn.Tensor(np.ones((1, 2)))
    loss = (net(x) ** 2).sum()
    loss.backward()
    for drawing in (gn.viz.draw_network(net), gn.viz.draw_graph(loss, backward=True)):
        assert isinstance(drawing, str) and drawing.startswith("<svg")
        assert drawing._repr_svg_() == str(drawing)  # (the protocol a notebook reads)
        shown = _formatted(drawing)
        assert shown is None or shown["image/svg+xml"] == str(drawing)  # (drawn, not source)
        (tmp_path / "d.svg").write_text(drawing)  # (still a str: written as before)
        assert (tmp_path / "d.svg").read_text() == drawing


def test_plots_show_as_pictures_in_a_notebook_without_pyplot() -> None:
    import pickle

    X = np.random.default_rng(0).normal(size=(32, 2))
    h = gn.fit(nn.MLP([2, 3, 1], rng=0), X, X[:, :1], loss="mse", epochs=3, verbose=0)
    fig = gn.viz.plot_history(h)
    assert fig._repr_png_().startswith(b"\x89PNG")  # (the protocol a notebook reads)
    # (IPython's formatter, as Jupyter computes each output; pyplot's inline printer is
    # registered only once pyplot loads, which glassnet's figures never make it do)
    shown = _formatted(fig)
    assert shown is None or ("image/png" in shown and shown["image/png"])
    again = pickle.loads(pickle.dumps(fig))
    assert type(again) is type(fig)


def test_markdown_forms_escape_html_in_user_names() -> None:
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.d = nn.ModuleDict(
                {"<script>alert(1)</script>": nn.Linear(2, 2), "a&amp;b": nn.Linear(2, 1)}
            )

        def forward(self, x):  # type: ignore[no-untyped-def]
            return self.d["a&amp;b"](self.d["<script>alert(1)</script>"](x))

    m = Net()
    md = gn.summary(m, input_data=np.ones((1, 2)))._repr_markdown_()
    assert "<script>" not in md and "&lt;script>alert(1)&lt;/script>" in md
    assert "a&amp;amp;b" in md
    assert "&lt;script&gt;" in gn.summary(m, input_data=np.ones((1, 2)))._repr_html_()


def test_markdown_forms_escape_dollars_in_user_names() -> None:
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.d = nn.ModuleDict({"cost $a": nn.Linear(2, 3), "b$ x": nn.Linear(3, 1)})

        def forward(self, x):  # type: ignore[no-untyped-def]
            return self.d["b$ x"](self.d["cost $a"](x))

    md = gn.summary(Net(), input_data=np.zeros((1, 2)))._repr_markdown_()
    assert "| d.cost \\$a | $A^{(1)} = X W^{(1)} + b^{(1)}$ |" in md
    assert "| d.b\\$ x |" in md and "\ue001" not in md
