"""Round 30 (teach3 audit): the backward network picture writes a factor with the digits
that make its product come out as drawn; the epoch-0 snapshot panel gives its loss; a
drawing refused as a PNG names a way to make one."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

import glassnet as gn
from glassnet import viz

matplotlib.use("Agg")


def _xnor() -> gn.nn.Module:
    xnor = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid",
                     dtype=np.float64)  # fmt: skip
    xnor.layers[0].W.data[:] = [[4, -4], [4, -4]]
    xnor.layers[0].b.data[:] = [-6, 2]
    xnor.layers[2].W.data[:] = [[1], [1]]
    xnor.layers[2].b.data[:] = [-0.5]
    return xnor


def _texts(svg: str) -> list[str]:
    """The texts drawn (not the tooltips)."""
    svg = re.sub(r"<title>[^<]*</title>", "", svg)
    return [html.unescape(t) for t in re.findall(r">([^<]+)<", svg) if t.strip()]


def _short(v: Decimal) -> str:
    """A product as the picture writes a small one: two significant digits, -2.4e-4."""
    from glassnet.viz.network import _num

    return _num(float(v), 3)


# ------------------------------------------------------------- 6. factors that multiply out
def test_the_xnor_backward_picture_multiplies_out_where_a_factor_is_small() -> None:
    """At x = (1, 1): a₂: -0.098, g′(z₂) = 0.002, z₂: -2.4e-4 (by hand -0.098 * 0.002 =
    -2.0e-4); the small factor is now written 0.00247, as explain's tables write it."""
    svg = viz.draw_network(_xnor(), [1, 1], 1, backward=True)
    texts = _texts(svg)
    assert "g′(z₂) = 0.00247" in texts, [t for t in texts if t.startswith("g′")]
    assert "g′(z₂) = 0.002" not in texts
    assert "a₂ = 0.00247" in texts, [t for t in texts if t.startswith("a")]
    # the products as drawn: ∂L/∂z₂ = g′(z₂) × ∂L/∂a₂, ∂L/∂w₆ = ∂L/∂z₃ × a₂
    assert _short(Decimal("-0.098") * Decimal("0.00247")) == "-2.4e-4"
    assert "-2.4e-4" in texts and "∂L/∂w₆ = -2.4e-4" in texts
    # the g′ edge's tooltip gives the full value, as the nodes' do
    assert re.search(r"<title>g′\(z₂\) = 0\.002467</title>", svg), re.findall(
        r"<title>g′[^<]*</title>", svg
    )
    # factors that already multiply out keep the slides' 3 decimals
    assert "g′(z₁) = 0.105" in texts and "a₁ = 0.881" in texts


def test_every_g_prime_edge_multiplies_out_on_random_networks() -> None:
    """Each ∂L/∂z node, as drawn, is the ∂L/∂a beside it times the g′ edge, as drawn,
    wherever some digits of g′ (up to 9 decimals) make it so (not where ∂L/∂a as drawn,
    3 decimals, is itself too far off: its tooltip gives it in full)."""
    from glassnet.explain import explain
    from glassnet.viz.network import _num

    rng = np.random.default_rng(4)
    checked = 0
    for seed in range(12):
        net = gn.nn.MLP([2, 3, 1], activation="sigmoid", output_activation="identity",
                        rng=seed, dtype=np.float64)  # fmt: skip
        net.layers[0].W.data[:] *= 4
        x = rng.uniform(-2, 2, 2)
        svg = viz.draw_network(net, x, 0.5, backward=True)
        texts = _texts(svg)
        e = explain(net, x[None], np.array([[0.5]]))
        for k in range(3):
            label = next(t for t in texts if t.startswith(f"g′(z{'₁₂₃'[k]}) = "))
            g = Decimal(label.split(" = ")[1])
            da = Decimal(_num(e.dL_dA[0][0, k], 3))
            want = _num(e.dL_dZ[0][0, k], 3)
            true_g = float(e.gprime[0][0, k])
            possible = any(
                _num(float(da * Decimal(f"{true_g:.{n}f}")), 3) == want for n in range(3, 10)
            )
            if possible:
                assert _num(float(da * g), 3) == want, (seed, k, label)
                checked += 1
    assert checked >= 30


# ------------------------------------------------------------- 9. the epoch-0 panel's loss
def test_the_epoch_0_panel_gives_the_untrained_loss() -> None:
    X, y = gn.datasets.xnor_gate()
    net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    before = gn.objective.evaluate_loss(net, X, y, loss="binary_cross_entropy")
    fig = viz.plot_training_snapshots(net, X, y, epochs=[0, 1], loss="binary_cross_entropy",
                                      lr=0.5)  # fmt: skip
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles[0] == f"epoch 0, loss {before:.3f}", titles
    # with full-batch gradient descent, epoch 1's loss is the loss before its step
    assert titles[1] == f"epoch 1, loss {fig.history.loss[0]:.3f}"
    assert f"{fig.history.loss[0]:.3f}" == f"{before:.3f}"
    plt.close(fig)


def test_the_epoch_0_loss_includes_the_l2_penalty_as_fit_does() -> None:
    X, y = gn.datasets.xnor_gate()
    net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    fig = viz.plot_training_snapshots(net, X, y, epochs=[0, 1], loss="binary_cross_entropy",
                                      lr=1e-12, l2=0.5)  # fmt: skip
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    # lr ~ 0: epoch 1's loss (fit's, with the penalty) is the untrained network's
    assert titles[0] == f"epoch 0, loss {fig.history.loss[0]:.3f}", titles
    plt.close(fig)


# ------------------------------------------------------------- 7. a PNG for slides
@pytest.mark.parametrize("suffix", [".png", ".jpg", ".pdf"])
def test_an_svg_saved_as_an_image_names_a_way_to_make_one(tmp_path: Path, suffix: str) -> None:
    svg = viz.draw_network(_xnor(), [1, 1], 1, backward=True)
    with pytest.raises(ValueError) as e:
        viz.save(svg, tmp_path / f"slide{suffix}")
    why = str(e.value)
    assert "save it as .svg" in why
    assert "rsvg-convert" in why and "browser" in why, why
    assert f"x.{'png' if suffix == '.jpg' else suffix[1:]}" in why, why
    dot = viz.draw_graph(gn.Tensor(2.0, requires_grad=True) * 3, fmt="dot")
    with pytest.raises(ValueError) as e:
        viz.save(dot, tmp_path / f"g{suffix}")
    assert f"dot -T{suffix[1:]}" in str(e.value), str(e.value)
