"""plot_history's legend covers no curve: where matplotlib's 'best' place inside the panel
would still cover the data (the XNOR run's wide legend over the loss falling from 0.7 to
0.5, epochs 8-45), the legend goes below the panel, inside the figure."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import glassnet as gn  # noqa: E402
from glassnet.viz import plot_history  # noqa: E402


def _xnor_history():
    X, y = gn.datasets.xnor_gate()
    m = gn.nn.MLP(
        [2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0, dtype=np.float64
    )
    return gn.fit(
        m, X, y, loss="binary_cross_entropy", lr=5.0, epochs=300, verbose=0,
        validation_data=(X, y),
    )  # fmt: skip


def _curve_pixels(ax):
    """Every line of ax in display pixels, each segment sampled at 200 points."""
    pts = []
    for line in ax.get_lines():
        xy = line.get_transform().transform(np.asarray(line.get_xydata(), float))
        xy = xy[np.isfinite(xy).all(1)]
        for a, b in zip(xy[:-1], xy[1:]):
            pts.append(a + np.linspace(0, 1, 200)[:, None] * (b - a))
        pts.append(xy)
    return np.vstack(pts)


def _covered(fig):
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    out = {}
    for ax in fig.axes:
        leg = ax.get_legend()
        if leg is None:
            continue
        box = leg.get_window_extent(r)
        p = _curve_pixels(ax)
        inside = (p[:, 0] >= box.x0) & (p[:, 0] <= box.x1) & (p[:, 1] >= box.y0)
        out[ax.get_title()] = int(np.count_nonzero(inside & (p[:, 1] <= box.y1)))
    return out, r


def test_the_loss_legend_covers_no_curve_and_stays_in_the_figure():
    fig = plot_history(_xnor_history())
    covered, r = _covered(fig)
    assert covered == {"loss": 0, "validation accuracy": 0}, covered
    leg = fig.axes[0].get_legend()
    labels = [t.get_text() for t in leg.get_texts()]
    assert labels[:2] == ["training loss", "validation loss"]
    assert labels[2].startswith("best epoch 300")
    box, page = leg.get_window_extent(r), fig.bbox
    assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1
    for ax in fig.axes:  # nothing written over the tick labels or the axis label
        assert not box.overlaps(ax.xaxis.get_tightbbox(r)) or ax is not fig.axes[0]
    msg = fig._suptitle.get_window_extent(r)
    assert not box.overlaps(msg)


def test_a_legend_with_room_in_the_panel_stays_where_best_puts_it():
    X, y = gn.datasets.make_moons(100, noise=0.1, seed=0)
    m = gn.nn.MLP([2, 8, 1], activation="tanh", output_activation="sigmoid", rng=0)
    h = gn.fit(m, X, y, loss="binary_cross_entropy", optimizer="adam", lr=0.01, epochs=60,
               verbose=0)  # fmt: skip
    fig = plot_history(h)
    covered, r = _covered(fig)
    assert covered == {"loss": 0}
    ax = fig.axes[0]
    box = ax.get_legend().get_window_extent(r)
    assert ax.bbox.contains(box.x0, box.y0) and ax.bbox.contains(box.x1, box.y1)  # inside
