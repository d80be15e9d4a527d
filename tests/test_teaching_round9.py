"""The teaching tools as a teacher preparing a class uses them: exercise sheets whose
every question tests something, Markdown keys that render as written, and explain's
softmax notation in the slides' symbols."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet import exercises as X
from glassnet.explain import explain

SEEDS = range(300)


# =====================================================================================
# Exercises: no degenerate questions
# =====================================================================================
def test_backprop_exercise_never_gives_the_input_0_0() -> None:
    # x = (0, 0) made every first-layer gradient dL/dz * 0: dL/dw1 .. dL/dw4 were all 0
    # (seed 10, about 3 seeds in 100)
    for seed in SEEDS:
        (ex,) = X.generate(seed, ["backprop"])
        assert ex.data["x"] != [0.0, 0.0], (seed, ex.data)
        key = {s.id: s.value for s in ex.steps}
        assert any(key[f"dL/dw{i}"] != 0 for i in range(1, 5)), (seed, ex.data)


def test_one_hot_exercise_order_matters_and_targets_are_not_one_class() -> None:
    # the class order came out alphabetical (seed 16: Bird, Dog, Horse), where the given
    # order and the sorted one give the same rows, or the four targets were one class
    # (seed 46: Fish, Fish, Fish, Fish)
    for seed in SEEDS:
        (ex,) = X.generate(seed, ["one_hot"])
        order, labels = ex.data["classes"], ex.data["labels"]
        ranked = sorted(order)
        assert len(set(labels)) > 1, (seed, labels)
        assert any(order.index(s) != ranked.index(s) for s in labels), (seed, order, labels)
        for step, lab in zip(ex.steps, labels):  # the key is still in the given order
            assert step.value.index(1.0) == order.index(lab)


# =====================================================================================
# Exercises: Markdown renders as written
# =====================================================================================
def _prose(markdown: str) -> str:
    """The Markdown outside its maths ($...$) and code spans (`...`)."""
    return re.sub(r"\$[^$]*\$|`[^`]*`", " ", markdown)


def test_markdown_sheets_escape_emphasis_marks_outside_the_maths(tmp_path: Path) -> None:
    # the key's 'b1 + w1*x1 + w3*x2' was '$b_{1}$ + $w_{1}$*$x_{1}$ + $w_{3}$*$x_{2}$': in
    # any Markdown renderer (GitHub, Jupyter, MkDocs) the two '*' paired up as emphasis,
    # so the products lost their signs and 'x1 + w3' came out in italics
    for seed in range(12):
        files = X.write(seed, tmp_path / str(seed))
        for name in ("questions.md", "answers.md"):
            text = files[name].read_text(encoding="utf-8")
            bare = re.findall(r"(?<!\\)[*_]", _prose(text))
            assert not bare, (seed, name, bare[:5])
        key = files["answers.md"].read_text(encoding="utf-8")
        assert r"$w_{1}$\*$x_{1}$ + $w_{3}$\*$x_{2}$" in key  # the forward exercise's z1


# =====================================================================================
# explain: the softmax's symbols in the slides' notation
# =====================================================================================
def _softmax_net(outputs: int, loss: str) -> tuple[gn.nn.Module, object]:
    net = gn.nn.MLP([2, 2, outputs], activation="relu", output_activation="softmax", rng=0)
    y = np.eye(outputs)[1]
    return net, explain(net, [1.0, -0.5], y, loss, paths=True, names="lecture")


def test_explain_writes_the_softmax_symbols_in_unicode_and_latex() -> None:
    # the rest of the text was typeset (ŷ₁, ∂L/∂z₃) but the softmax's own symbols stayed
    # ASCII in every notation: 'ŷ₁ (delta_11 − ŷ₁)', '∂L/∂ŷ₁ · dy_hat1/dz3',
    # 'L = -sum_k y_k log y_hat_k', '∂L/∂ŷ = -y_k / y_hat_k', 'softmax(z₃, z₄, z₅)_1'
    # (draw_network writes the same network's ∂ŷ₁/∂z₃ and −Σₖ yₖ log ŷₖ)
    for loss in ("cross_entropy", "half_mse"):
        _, e = _softmax_net(3, loss)
        text = e.to_text(notation="unicode")
        for ascii_left in ("delta_", "dy_hat", "sum_k", "y_k", "y_hat", ")_1", ")_k"):
            assert ascii_left not in text, (loss, ascii_left)
        assert "ŷ₂ (δ₂₁ − ŷ₁)" in text and "softmax(z₃, z₄, z₅)₁" in text
        if loss == "cross_entropy":
            assert "L = -Σₖ yₖ log ŷₖ" in text and "∂L/∂ŷ = -yₖ / ŷₖ" in text
        else:
            assert "∂L/∂ŷ₁ · ∂ŷ₁/∂z₃ + ∂L/∂ŷ₂ · ∂ŷ₂/∂z₃" in text  # step 3
            assert "∂ŷ₁/∂z₃ w₅ g′(z₁)" in text  # a path
        md = e.to_markdown()
        assert r"$\delta_{21}$" in md and "delta" not in md.replace(r"\delta", "")
        assert not any(a in md for a in ("dy\\_hat", "sum\\_k", "y\\_k", ")\\_"))
        if loss == "half_mse":
            assert r"$\frac{\partial \hat{y}_{1}}{\partial z_{3}}$" in md
        else:
            assert r"-$\sum_{k}$ $y_{k}$ log $\hat{y}_{k}$" in md
        assert e.to_text(notation="ascii").count("delta_21") >= 1  # ascii: as it was


def test_explain_separates_the_kronecker_indices_of_ten_or_more_classes() -> None:
    # 'delta_112' read as delta_1,12 or delta_11,2 for 12 classes
    _, e = _softmax_net(12, "cross_entropy")
    text = e.to_text(notation="ascii", max_rows=None)
    assert "(delta_1,12 - y_hat12)" in text and "(delta_11,2 - y_hat2)" in text
    assert "ŷ₁ (δ₁,₁₂ − ŷ₁₂)" in e.to_text(notation="unicode", max_rows=None)


# =====================================================================================
# draw_network: its own name on a refused target or loss
# =====================================================================================
def test_draw_network_names_itself_when_it_refuses_the_target_or_the_loss() -> None:
    # the backward view's refusals of y and of the loss began 'explain: ...', a function
    # the teacher had not called
    from glassnet import viz

    net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    cases = [
        (([0.0, 1.0], "a"), {}, TypeError, "y must be real numbers"),
        (([0.0, 1.0], [1.0, 0.0]), {}, ValueError, "y must hold 1 target value(s)"),
        (([0.0, 1.0], 2.0), {"loss": "bce"}, ValueError, "needs targets in [0, 1]"),
        (([0.0, 1.0], 1.0), {"loss": "cross_entropy"}, ValueError, "needs a softmax output"),
    ]
    for args, kwargs, exc, words in cases:
        with pytest.raises(exc, match=r"^draw_network: ") as info:
            viz.draw_network(net, *args, backward=True, **kwargs)
        assert words in str(info.value)


# =====================================================================================
# plot_activations: no stroke where g'(z) is not defined
# =====================================================================================
def test_plot_activations_breaks_the_derivative_at_a_kink() -> None:
    # ReLU's and the leaky ReLU's g'(z) were drawn with a vertical dashed stroke at z = 0,
    # which reads as g'(0) taking every value between the two slopes
    from glassnet import viz

    fig = viz.plot_activations(["relu", "leaky_relu", "sigmoid", "identity"], alpha=0.2)
    for ax, kinks in zip(fig.axes, (1, 1, 0, 0)):
        z, g = (np.asarray(v, dtype=float) for v in ax.lines[1].get_data())
        assert int(np.isnan(g).sum()) == kinks, ax.get_title()
        for part in np.split(g, np.flatnonzero(np.isnan(g))):
            part = part[np.isfinite(part)]
            assert np.all(np.abs(np.diff(part)) < 0.05), ax.get_title()  # no jump inside
        if kinks:
            gap = z[np.flatnonzero(np.isnan(g))[0] - 1 : np.flatnonzero(np.isnan(g))[0] + 2]
            assert gap[0] <= 0 <= gap[2]  # the break is at z = 0
        a = np.asarray(ax.lines[0].get_ydata(), dtype=float)
        assert np.isfinite(a).all()  # g(z) itself is continuous and drawn whole


def test_explain_writes_tanhs_derivative_squared() -> None:
    # tanh's g'(z) = 1 - a^2 read '1 − ŷ^2', '1 − a₁^2' in Unicode and '1 - $a_{1}$^2' (a
    # literal ^2 after the maths) in Markdown, where ½(ŷ − y)² was typeset
    net = gn.nn.MLP([2, 2, 1], activation="tanh", output_activation="tanh", rng=0)
    e = explain(net, [1.0, 0.5], 1.0)
    text, md = e.to_text(notation="unicode"), e.to_markdown()
    assert "g′(z₃) = 1 − ŷ²" in text and "g′(z₁) = 1 − a₁²" in text and "^2" not in text
    assert r"$g'(z_{1})$ = 1 - $a_{1}^{2}$" in md and "$^2" not in md
    assert "1 - a1^2" in e.to_text(notation="ascii")
    # a power of e stays as written (the exercises' e^2 for a logit of 2)
    assert gn.explain.typeset("e^2 + e^3") == "e^2 + e^3"


# =====================================================================================
# draw_graph: a negative number added reads as a subtraction
# =====================================================================================
def _svg_texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_draw_graph_titles_a_negative_number_added_as_a_subtraction() -> None:
    # a node whose formula is too long to write out titled 'x + -1' (a Python number
    # added) or 'a + -1' (a one-value tensor, micrograd's out - 1.0), where a short one
    # read 'ŷ − 1'
    from glassnet import viz
    from glassnet.micrograd.engine import Value

    x = gn.Tensor([[1.0, 2.0]], requires_grad=True)
    h = (x * 3.0).sum()
    cases = {
        "#4 − 1": (h.sigmoid() * 2.0 + 1.0).tanh() + (-1.0),  # (x − 1, a − 1, x + 2 before
        "#2 − 1": h + gn.Tensor(-1.0),  # the computed input was named by its node's number)
        "#4 + 2": (h.sigmoid() * 2.0 + 1.0).tanh() - (-2.0),
    }
    for title, node in cases.items():
        texts = _svg_texts(viz.draw_graph(node))
        assert title in texts, (title, texts)
        assert not any("+ -" in t or "+ −" in t for t in texts), texts
    a, b = Value(2.0), Value(-3.0)
    loss = ((a * b).tanh() * 2.0 + a - 1.0) ** 2
    loss.backward()
    texts = _svg_texts(viz.draw_graph(loss, backward=True))
    assert not any("+ -" in t or "+ −" in t for t in texts), texts


def test_draw_graph_writes_a_power_of_a_number_with_a_dot() -> None:
    # d(b³)/db of a one-value b = 2 read '3 2²' (as 32² might), where products of two
    # numbers elsewhere read '0.500 · 1'
    from glassnet import viz
    from glassnet.micrograd.engine import Value

    b = gn.Tensor(2.0, requires_grad=True)
    assert "3 · 2²" in _svg_texts(viz.draw_graph(b**3, backward=True))
    v = Value(2.0)
    out = v**3
    out.backward()
    texts = _svg_texts(viz.draw_graph(out, backward=True))
    assert "3 · 2²" in texts and "3 2²" not in texts
    x = gn.Tensor([[1.0, 2.0]], requires_grad=True).sum()
    assert "2 · #1" in _svg_texts(viz.draw_graph(x**2, backward=True))  # (2 x: x the sum)


def test_markdown_writes_the_lectures_loss_with_its_half_and_square_in_the_maths(
    tmp_path: Path,
) -> None:
    # Markdown read 'L = 1/2 ($\hat{y}$ - y)^2' (a literal 1/2 and ^2), where the terminal
    # reads L = ½(ŷ − y)²: explain's to_markdown, the exercises' keys and their questions
    net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    e = explain(net, [1.0, 0.5], 1.0)
    assert r"L = $\frac{1}{2}$($\hat{y}$ - y)$^{2}$." in e.to_markdown()
    assert "L = ½(ŷ − y)²" in e.to_text(notation="unicode")
    assert "L = 1/2 (y_hat - y)^2" in e.to_text(notation="ascii")
    files = X.write(4, tmp_path, ["backprop", "gd_step"])
    for name in ("questions.md", "answers.md"):
        text = files[name].read_text(encoding="utf-8")
        assert r"$\frac{1}{2}$($\hat{y}$ - $y$)$^{2}$" in text, name
        assert "1/2 (" not in text and ")^2" not in text, name


def test_the_forward_exercise_never_gives_the_input_0_0():
    """At x = (0, 0) the hidden sums were the biases alone: the first layer's four weights,
    given in the question, played no part (seeds 3 and 7 of the first 200)."""
    import glassnet.exercises as X

    for seed in range(200):
        ex = X.generate(seed, ["forward"])[0]
        assert ex.data["x"] != [0.0, 0.0], seed
