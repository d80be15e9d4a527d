"""plot_history's legends at any reasonable figure size: a legend that would cover a
curve goes below its panel, within the panel's share of the figure's width (fewer
columns, long labels wrapped), so that it lies inside the figure, covers no data point,
overlaps no other legend, title, tick label or the message, and every title is whole."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from test_viz_round18 import _curve_pixels  # noqa: E402  (one sampling of the curves)

import glassnet as gn  # noqa: E402
from glassnet.viz import plot_history  # noqa: E402


def _xnor(validation):
    X, y = gn.datasets.xnor_gate()
    m = gn.nn.MLP(
        [2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0, dtype=np.float64
    )
    kw = {"validation_data": (X, y)} if validation else {}
    return gn.fit(m, X, y, loss="binary_cross_entropy", lr=5.0, epochs=300, verbose=0, **kw)


def _moons():
    X, y = gn.datasets.make_moons(100, noise=0.1, seed=0)
    m = gn.nn.MLP([2, 8, 1], activation="tanh", output_activation="sigmoid", rng=0)
    return gn.fit(m, X, y, loss="binary_cross_entropy", optimizer="adam", lr=0.01, epochs=60,
                  verbose=0, validation_data=(X, y))  # fmt: skip


HISTORIES = {}


def _history(name):
    if name not in HISTORIES:
        HISTORIES[name] = {"xnor": lambda: _xnor(True), "xnor1": lambda: _xnor(False),
                           "moons": _moons}[name]()  # fmt: skip
    return HISTORIES[name]


def _inside(box, page):
    return page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1


SIZES = [(9, 3.5), (7, 3), (6, 3), (5, 2.6), (8, 4)]


# two panels at each size; one panel down to 4 inches wide
CASES = [(n, s) for n in ("xnor", "moons") for s in SIZES] + [("xnor1", s) for s in SIZES]
CASES += [("xnor1", (4, 3))]


@pytest.mark.parametrize("name, size", CASES)
def test_each_legend_is_inside_the_figure_and_covers_nothing(name, size):
    fig = plot_history(_history(name), figsize=size)
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    page = fig.bbox
    legends = []
    for ax in fig.axes:
        leg = ax.get_legend()
        assert leg is not None
        box = leg.get_window_extent(r)
        assert _inside(box, page), (ax.get_title(), box, page)
        for other in fig.axes:  # no data point of any panel under it
            p = _curve_pixels(other)
            covered = (p[:, 0] >= box.x0) & (p[:, 0] <= box.x1)
            covered &= (p[:, 1] >= box.y0) & (p[:, 1] <= box.y1)
            assert not covered.any(), (ax.get_title(), other.get_title(), int(covered.sum()))
            # nor the title, tick labels or axis labels of any panel
            title = other.title.get_window_extent(r)
            assert _inside(title, page), (other.get_title(), title, page)
            assert not box.overlaps(title)
            assert not box.overlaps(other.xaxis.get_tightbbox(r))
            assert not box.overlaps(other.yaxis.get_tightbbox(r))
        if fig._suptitle is not None:  # the message under the panels
            assert not box.overlaps(fig._suptitle.get_window_extent(r))
            assert _inside(fig._suptitle.get_window_extent(r), page)
        legends.append(box)
    if len(legends) == 2:
        assert not legends[0].overlaps(legends[1])
    for ax in fig.axes:  # the panels are not squeezed to slivers
        assert ax.bbox.width > 0.25 * page.width / len(fig.axes)
        assert ax.bbox.height > 0.2 * page.height


def test_a_moved_legend_wraps_a_label_too_long_for_its_share_of_the_figure():
    fig = plot_history(_history("xnor"), figsize=(5, 2.6))
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[:2] == ["training loss", "validation loss"]
    assert labels[2].startswith("best epoch 300") and "\n" in labels[2]
    assert labels[2].replace("\n", " ") == "best epoch 300 (lowest training and validation loss)"
