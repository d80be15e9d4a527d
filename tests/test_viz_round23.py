"""Plots refuse 2-column y that is not one-hot; viz.save crops a figure as the notebook
shows it (legends and captions placed by hand kept); summary's Markdown escapes a `$` in a
name without formulas; explain(paths=True) works out only the path sums it shows."""

from __future__ import annotations

import io
import struct

import numpy as np
import pytest

import glassnet as gn
from glassnet import viz
from glassnet.explain import Explanation, latex_markdown
from glassnet.report import Section

pytest.importorskip("matplotlib")


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def _moons() -> tuple[np.ndarray, np.ndarray]:
    return gn.datasets.make_moons(30, noise=0.1, seed=0)


# ------------------------------------------------ 2-column y must be one-hot rows
@pytest.mark.parametrize(
    "plot", ["plot_decision_boundary", "plot_hidden_space", "plot_neuron_outputs"]
)
def test_plots_refuse_two_column_y_that_is_not_one_hot(plot: str) -> None:
    """A 2-output regression's targets (N, 2) were argmaxed into 'class 0 / class 1' and a
    'decision boundary (2 classes)' that meant nothing; now refused as 1-D real y is."""
    X, y = _moons()
    net = gn.nn.MLP([2, 2, 2], activation="tanh", rng=0)
    draw = getattr(viz, plot)
    kw = {"dpi": 20} if plot == "plot_hidden_space" else {"resolution": 10, "dpi": 20}
    with pytest.raises(ValueError, match=rf"^{plot}: y of shape \(30, 2\) must be one-hot rows"):
        draw(net, X, np.c_[X[:, 0], X[:, 1]], **kw)  # regression targets
    probs = np.c_[np.full(30, 0.7), np.full(30, 0.3)]
    with pytest.raises(ValueError, match=r"Got row 0 = \[0.7, 0.3\].*y.argmax\(axis=1\)"):
        draw(net, X, probs, **kw)
    with pytest.raises(ValueError, match="must be one-hot rows"):
        draw(net, X, np.eye(2)[y] * 2, **kw)  # (2s, not 1s)
    with pytest.raises(ValueError, match="must be one-hot rows"):
        draw(net, X, np.array([["a", "b"]] * 30), **kw)  # text in columns

    def legend(fig) -> list[str]:
        from matplotlib.legend import Legend

        return [t.get_text() for g in fig.findobj(Legend) for t in g.get_texts()]

    expect = legend(draw(net, X, y, **kw))
    assert "class 0" in expect and "class 1" in expect
    for one_hot in (np.eye(2)[y], np.eye(2, dtype=int)[y], np.eye(2, dtype=bool)[y]):
        assert legend(draw(net, X, one_hot, **kw)) == expect


def test_decision_boundary_of_one_hot_rows_is_unchanged() -> None:
    X, y = _moons()
    net = gn.nn.MLP([2, 3, 2], activation="tanh", output_activation="softmax", rng=0)
    fig = viz.plot_decision_boundary(net, X, np.eye(2)[y], resolution=10, dpi=20)
    assert fig.axes[0].get_title() == "decision boundary (2 classes)"


# ----------------------------------------------------------- save as the notebook
def test_save_png_is_the_notebook_picture_with_the_y_label_whole(tmp_path) -> None:
    """viz.save wrote the whole figure, where the y label 'x2' beside a colour bar began
    at x = -9.7 px (a sliver left); the notebook's PNG, cropped to a tight box, showed it."""
    import matplotlib.image as mpimg

    X, y = _moons()
    m = gn.nn.MLP([2, 5, 1], activation="tanh", output_activation="sigmoid", rng=0)
    fig = viz.plot_decision_boundary(m, X, y, resolution=20, dpi=50)
    fig.canvas.draw()
    label = fig.axes[0].yaxis.label.get_window_extent(fig.canvas.get_renderer())
    assert label.x0 < 0  # (the figure cuts it: the crop must reach past its left edge)
    saved = viz.save(fig, tmp_path / "db.png")
    notebook = fig._repr_png_()
    assert _png_size(saved.read_bytes()) == _png_size(notebook)
    assert np.array_equal(mpimg.imread(saved), mpimg.imread(io.BytesIO(notebook)))
    full = viz.save(fig, tmp_path / "full.png", bbox_inches=None)  # (the figure's own size)
    assert _png_size(full.read_bytes()) == (250, 225)
    for ext in ("pdf", "svg"):
        assert viz.save(fig, tmp_path / f"db.{ext}").stat().st_size > 1000


def test_tight_crop_keeps_legends_and_captions_placed_below(tmp_path) -> None:
    """plot_history's legend moved below its panel and its 'Stopped after ...' caption are
    outside the layout (set_in_layout(False)): bbox_inches='tight' alone left them out of
    the notebook's picture and of the saved file."""
    X, y = _moons()
    m = gn.nn.MLP([2, 3, 1], activation="tanh", output_activation="sigmoid", rng=0)
    h = gn.fit(m, X, y, loss="binary_cross_entropy", epochs=3, verbose=0, seed=0,
               validation_data=(X, y))  # fmt: skip
    assert h.message.startswith("Stopped after 3 epochs")
    fig = viz.plot_history(h, dpi=40)
    fig.canvas.draw()
    caption = fig._suptitle.get_window_extent(fig.canvas.get_renderer())
    need = fig.bbox.height - caption.y0  # (from the figure's top to the caption's foot)
    for data in (viz.save(fig, tmp_path / "h.png").read_bytes(), fig._repr_png_()):
        assert _png_size(data)[1] >= need
    assert fig._suptitle.get_in_layout() is False  # (left as it was)


# -------------------------------------------------- summary's Markdown without formulas
def test_summary_markdown_escapes_dollar_when_it_has_no_formula() -> None:
    class M(gn.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = gn.nn.Linear(2, 1)

        def forward(self, x):
            return self.fc(x)

    M.__name__ = M.__qualname__ = "Cost$5to$10"
    for s in (gn.summary(M()), gn.summary(M(), input_data=np.ones((1, 2)))):
        head = s._repr_markdown_().splitlines()[0]
        assert "Cost\\$5to\\$10" in head, head


def test_latex_markdown_keeps_a_callers_own_latex_unless_marked() -> None:
    sec = Section("s")
    sec.p("cost $x$ of 5")
    assert "$x$" in latex_markdown("t", [sec])  # (a caller's own LaTeX, as before)
    assert "\\$x\\$" in latex_markdown("t", [sec], marked=True)
    with pytest.raises(TypeError, match="marked must be True, False or None. Got 'yes'"):
        latex_markdown("t", [sec], marked="yes")


# ------------------------------------------------------ explain's paths, only shown
def test_explain_paths_works_out_only_the_sums_shown(monkeypatch) -> None:
    """Every path sum (26,234 for 784-32-10) was worked out, then all but the first lines
    thrown away: a notebook display of a wide model took seconds to minutes."""
    net = gn.nn.MLP([20, 10, 3], activation="relu", output_activation="softmax", rng=0)
    x = np.linspace(-1, 1, 20)
    full = gn.explain(net, x, [1], "cross_entropy", paths=True)
    every = full.to_text(parts="paths", max_rows=None).split("\n")
    calls = []
    real = Explanation.paths

    def counted(self, *a, **k):
        calls.append(a[0] if a else k["name"])
        return real(self, *a, **k)

    monkeypatch.setattr(Explanation, "paths", counted)
    e = gn.explain(net, x, [1], "cross_entropy", paths=True)
    text = e.to_text(parts="paths", max_rows=2).split("\n")
    assert len(calls) <= 3, calls  # (2 rows: 8 lines, two path sums and a line of a third)
    start = next(i for i, t in enumerate(text) if t.startswith("5. Each gradient")) + 2
    block = "\n".join(every[start:]).rstrip("\n").split("\n")  # (every path sum)
    assert len(block) == 4 * (20 + 10 * 21 + 3 * 11) - 1  # (3 lines each, a blank between)
    assert text[:start] == every[:start] and text[start : start + 8] == block[:8]
    assert text[start + 8] == f"... {len(block) - 8} more lines (max_rows=None)"
