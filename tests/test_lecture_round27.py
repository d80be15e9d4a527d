"""Lecture audit 27: the leaky ReLU's printed formula says what glassnet computes
(``z if z > 0 else a z``, the lecture's max(a z, z) only for a <= 1); explain's
gradient-descent heading is the slides' ``w ← w − γ ∂L/∂w`` (ASCII keeps ``w <- w - lr``),
and so is the exercises' question; the loss ½(ŷ − y)² is written alike by explain,
draw_network and draw_graph; explain's header names a₀ only where there is a hidden
layer; the docs no longer credit the lecture with glassnet's choices (the losses, the
example's sigmoid and numbers, tol_weights' reading), and say infer_task's rule for
whole-number floats; Explanation.gradient says what it returns."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet import exercises as X
from glassnet.explain import Explanation
from glassnet.functional import ACTIVATIONS
from glassnet.tasks import infer_task

ROOT = Path(__file__).resolve().parents[1]
F64 = np.float64


def _slides_net():
    net = gn.nn.Sequential(
        gn.nn.Linear(2, 2, bias=False, dtype=F64), gn.nn.Sigmoid(),
        gn.nn.Linear(2, 1, bias=False, dtype=F64), gn.nn.Sigmoid(),
    )  # fmt: skip
    net.layers[0].W.data[:] = [[0.5, -0.3], [0.8, 0.2]]
    net.layers[2].W.data[:] = [[1.0], [-1.5]]
    return net


# ------------------------------------------------------------ 1. the leaky ReLU's formula
def test_leaky_relu_formula_is_what_it_computes():
    act = ACTIVATIONS["leaky_relu"]
    assert act.formula == "z if z > 0 else a z"
    z = np.array([-1.0, 1.5])
    for a in (0.1, 2.0):  # (a = 2: max(a z, z) would give [-1, 3])
        assert np.array_equal(act.fn(z, a), np.where(z > 0, z, a * z))


def test_plot_activations_title_is_true_for_any_slope():
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    def title(alpha):
        fig = gn.viz.plot_activations(["leaky_relu"], alpha=alpha)
        try:
            return fig.axes[0].get_title()
        finally:
            plt.close(fig)

    assert "max" in title(0.1)  # the slides' max(a z, z): true for a <= 1 (picture unchanged)
    steep = title(2.0)
    assert "max" not in steep and "else" in steep


def test_lecture_md_notes_max_only_for_slopes_up_to_one():
    text = (ROOT / "docs" / "lecture.md").read_text(encoding="utf-8")
    assert "max(a z, z)" not in text.split("## 3.")[0].split("leaky_relu  g(z) =")[1][:40]
    assert "z if z > 0 else a z" in text
    assert "max(a z, z) for a ≤ 1" in text


# ------------------------------------------------------------ 2. the step's heading
def test_step_heading_slides_arrow_and_gamma():
    e = gn.explain(_slides_net(), [1.0, 0.5], 1.0, lr=0.5)
    uni = e.to_text(notation="unicode")
    assert "4. Gradient-descent step: w ← w − γ ∂L/∂w (γ = lr = 0.5)" in uni
    assert "<-" not in uni.split("4. Gradient-descent step")[1].splitlines()[0]
    asc = e.to_text(notation="ascii")  # (ASCII cannot write ← or γ)
    assert "4. Gradient-descent step: w <- w - lr * dL/dw (lr = 0.5)" in asc
    md = e.to_markdown()
    head = next(line for line in md.splitlines() if "Gradient-descent step" in line)
    assert r"\leftarrow" in head and r"\gamma" in head and r"\*" not in head
    html = e.to_html()
    assert "w ← w − γ ∂L/∂w (γ = lr = 0.5)" in html


def test_typeset_update_leaves_the_edges_arrows():
    from glassnet.explain import typeset

    assert typeset("w <- w - lr dL/dw") == "w ← w − γ ∂L/∂w (γ = lr)"
    assert typeset("on the activation edge a <- z") == "on the activation edge a <- z"


def test_exercise_question_uses_the_slides_step():
    sheet = X.generate(3, kinds=["gd_step"])
    html = X.to_html(sheet, seed=3)
    assert "w ← w − γ ∂L/∂w (γ = lr)" in html and "lr dL/dw" not in html
    md = X.to_markdown(sheet, seed=3)
    assert r"\leftarrow" in md and r"\gamma" in md


# ------------------------------------------------------------ 3. the loss ½(ŷ − y)²
def test_loss_half_written_alike():
    from glassnet.viz.network import LOSS_FORMULAS

    assert LOSS_FORMULAS["half_mse"] == "L = ½(ŷ − y)²"
    svg = gn.viz.draw_network(_slides_net(), [1.0, 0.5], 1.0, backward=True)
    assert "½(ŷ − y)²" in svg and "²/2" not in svg
    e = gn.explain(_slides_net(), [1.0, 0.5], 1.0)
    assert "L = ½(ŷ − y)²" in str(e)
    x = gn.Tensor(np.array([1.0, 0.5]))
    net = _slides_net()
    loss = gn.functional.half_mse(net(x), gn.Tensor(np.array([1.0])))
    loss.backward()
    graph = gn.viz.draw_graph(loss, fmt="dot")
    assert "½(ŷ − y)²" in graph or "½(" in graph
    assert ")²/2" not in graph


def test_multi_output_half_mse_label():
    net = gn.nn.MLP([2, 2], output_activation="identity", rng=0, dtype=F64)
    svg = gn.viz.draw_network(net, [1.0, 0.5], [1.0, 0.0], backward=True, loss="half_mse")
    assert "L = (1/K) Σₖ ½(ŷₖ − yₖ)²" in svg


# ------------------------------------------------------------ 4. a₀ only with a hidden layer
def test_header_a0_only_with_hidden_layer():
    n = gn.nn.Neuron(2, "sigmoid", dtype=F64)
    n.set_weights([0.4, -0.7], 0.1)
    text = gn.explain(n, [1.0, 2.0], 1.0, bias="w0").to_text(notation="ascii")
    assert "x0 = 1" in text and "a0" not in text
    mlp = gn.nn.MLP([2, 2, 1], rng=0, dtype=F64)
    text = gn.explain(mlp, [1.0, 2.0], 1.0, bias="w0").to_text(notation="ascii")
    assert "a0 = 1 for a hidden layer's neurons" in text


# ------------------------------------------------------------ 5. the docs
def test_teaching_md_does_not_credit_the_lecture_with_the_losses():
    text = " ".join((ROOT / "docs" / "teaching.md").read_text(encoding="utf-8").split())
    old = "sigmoid and tanh regression outputs, binary cross-entropy and cross-entropy."
    assert old not in text
    assert "the lecture's only loss" in text.lower()
    assert "glassnet's reading of the lecture's" in text


def test_lecture_md_says_whose_choices_these_are():
    text = " ".join((ROOT / "docs" / "lecture.md").read_text(encoding="utf-8").split())
    assert "two sigmoid hidden neurons, one sigmoid output" not in text
    assert "g(z)" in text and "glassnet's choice" in text
    assert "glassnet's reading of the lecture's 'change between steps is small'" in text
    assert "one step per epoch" in text
    assert "at most 20 distinct values" in text


def test_infer_task_rule_documented_and_unchanged():
    assert "20" in infer_task.__doc__ and "whole" in infer_task.__doc__
    t = infer_task(np.array([100.0, 250.0, 310.0, 120.0, 95.0, 400.0]))
    assert type(t).__name__ == "MultiClassClassification"  # (behaviour kept)
    t = infer_task(np.arange(21, dtype=float))
    assert type(t).__name__ == "Regression"


def test_gradient_docstring_says_array_or_float():
    doc = Explanation.gradient.__doc__
    assert "float" in doc and "array" in doc and "value" in doc
    e = gn.explain(_slides_net(), [1.0, 0.5], 1.0)
    assert isinstance(e.gradient("w1"), float)
    assert e.gradient("x1").shape == (1,)


def test_lecture_md_is_current(tmp_path):
    out = tmp_path / "lecture.md"
    subprocess.run(
        [sys.executable, str(ROOT / "docs" / "lecture_gen.py"), "--out", str(out)],
        check=True, capture_output=True, cwd=ROOT,
    )  # fmt: skip
    assert out.read_text(encoding="utf-8") == (ROOT / "docs" / "lecture.md").read_text(
        encoding="utf-8"
    )
