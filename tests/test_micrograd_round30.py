"""Round 30 (teach3 audit): glassnet.micrograd as a teacher meets it.

A micrograd network given to explain, the drawings, fit or the plots is named as what it
is, with what to do (one shared message); a batch given to a micrograd network is called
a batch; ``p.grad = None`` is refused naming ``.grad`` and micrograd's ``p.grad = 0``; a
second backward() after a ``.data`` change is the documented difference; the overflow
messages claim of micrograd only what micrograd does.
"""

from __future__ import annotations

import random
import re

import matplotlib
import numpy as np
import pytest

import glassnet as gn
import glassnet.micrograd as micrograd_pkg
import glassnet.micrograd.engine as engine_mod
from glassnet import viz
from glassnet.explain import explain
from glassnet.micrograd.engine import Value
from glassnet.micrograd.nn import MLP, Layer, Neuron
from glassnet.summary import summary

matplotlib.use("Agg")


# ------------------------------------------------- 2. a micrograd network where a Module is wanted
def _net() -> MLP:
    random.seed(0)
    return MLP(2, [2, 1])


X, Y = gn.datasets.xnor_gate()
CALLS = {
    "explain": lambda m: explain(m, [1.0, 0.0], 1.0),
    "draw_network": lambda m: viz.draw_network(m, [1.0, 0.0]),
    "fit": lambda m: gn.fit(m, X, Y, epochs=1, verbose=0),
    "summary": lambda m: summary(m),
    "plot_neuron_outputs": lambda m: viz.plot_neuron_outputs(m, X, Y),
    "plot_decision_boundary": lambda m: viz.plot_decision_boundary(m, X, Y),
    "plot_hidden_space": lambda m: viz.plot_hidden_space(m, X, Y),
    "plot_training_snapshots": lambda m: viz.plot_training_snapshots(m, X, Y, epochs=[0, 1]),
}


@pytest.mark.parametrize("owner", list(CALLS))
def test_a_micrograd_mlp_is_named_with_what_to_do(owner: str) -> None:
    """Each said 'model must be a glassnet Module (e.g. glassnet.nn.MLP). Got MLP.' (summary
    named the module but gave no advice)."""
    with pytest.raises(TypeError) as e:
        CALLS[owner](_net())
    why = str(e.value)
    assert why.startswith(f"{owner}: model must be a glassnet Module"), why
    assert "micrograd's network of Values (glassnet.micrograd.nn.MLP)" in why, why
    assert "glassnet.viz.draw_graph(m([x1, x2]))" in why, why
    assert 'glassnet.nn.MLP([2, 2, 1], activation="relu", dtype=np.float64)' in why, why
    assert "help(glassnet.micrograd.nn) shows how" in why, why


def test_a_lone_relu_neuron_is_told_its_relu_output() -> None:
    with pytest.raises(TypeError) as e:
        gn.fit(Neuron(3), np.ones((2, 3)), np.ones(2), epochs=1, verbose=0)
    why = str(e.value)
    assert "(glassnet.micrograd.nn.Neuron)" in why
    assert 'glassnet.nn.MLP([3, 1], activation="relu", output_activation="relu"' in why
    assert "draw_graph(m([x1, x2, x3]))" in why


@pytest.mark.parametrize("model", [_net(), Neuron(2), Layer(2, 3)])
def test_draw_graph_of_a_micrograd_network_says_to_draw_its_output(model) -> None:
    with pytest.raises(TypeError) as e:
        viz.draw_graph(model)
    why = str(e.value)
    assert "micrograd's network of Values (glassnet.micrograd.nn." in why, why
    assert "draw the graph of its output" in why and "draw_graph(m([x1, x2]))" in why, why
    # and the advice works
    assert "<svg" in viz.draw_graph(
        model([1.0, 0.0])
        if isinstance(model, MLP)
        else (model([1.0, 0.0])[0] if isinstance(model, Layer) else model([1.0, 0.0]))
    )


def test_the_weight_copy_the_message_points_to_gives_the_same_network() -> None:
    """help(glassnet.micrograd.nn) shows how to copy the weights into glassnet.nn.MLP."""
    doc = gn.micrograd.nn.__doc__
    assert "lin.W.data[:] =" in doc
    random.seed(3)
    m = MLP(2, [3, 2, 1])
    net = gn.nn.MLP([2, 3, 2, 1], activation="relu", dtype=np.float64)
    for lin, layer in zip(net.layers[::2], m.layers):
        lin.W.data[:] = [[n.w[i].data for n in layer.neurons] for i in range(lin.inputs)]
        lin.b.data[:] = [n.b.data for n in layer.neurons]
    for x in ([1.0, 0.5], [-0.3, 2.0]):
        assert float(net(np.array([x])).data[0, 0]) == pytest.approx(m(x).data, abs=1e-15)


def test_other_models_keep_their_messages() -> None:
    with pytest.raises(TypeError, match=r"fit: model must be a glassnet Module .*Got list\.$"):
        gn.fit([1, 2], X, Y, epochs=1, verbose=0)
    with pytest.raises(TypeError, match=r"draw_graph: expected a glassnet Tensor .* Got list\.$"):
        viz.draw_graph([1.0])


# ------------------------------------------------- 3. a batch given to a micrograd network
@pytest.mark.parametrize(
    ("x", "got"),
    [
        ([[1, 2, 3]], "a list of 1 row of 3 numbers"),
        (np.ones((4, 3)), "an array of shape (4, 3): 4 rows of 3 numbers"),
        (np.ones((3, 3)), "an array of shape (3, 3): 3 rows of 3 numbers"),
        ([[1, 2, 3], [4, 5, 6], [7, 8, 9]], "a list of 3 rows of 3 numbers"),
        ([(1, 2, 3), (4, 5, 6)], "a list of 2 rows of 3 numbers"),
    ],
)
def test_a_batch_is_called_a_batch(x, got: str) -> None:
    random.seed(0)
    m = MLP(3, [4, 1])
    with pytest.raises(ValueError) as e:
        m(x)
    why = str(e.value)
    assert why.startswith("MLP(3, [4, 1]) takes one data point (a list of 3 numbers or Values)")
    assert f"Got {got}" in why, why
    assert "[m(x) for x in X]" in why and "glassnet.nn.MLP" in why, why


@pytest.mark.parametrize(
    ("model", "name"), [(Neuron(3), "Neuron(3)"), (Layer(3, 2), "Layer(3, 2)")]
)
def test_a_batch_given_to_a_neuron_or_layer_is_called_a_batch(model, name: str) -> None:
    for x in ([[1, 2, 3], [4, 5, 6]], np.ones((3, 3)), np.ones((5, 3))):
        with pytest.raises(ValueError, match="^" + re.escape(f"{name} takes one data point")):
            model(x)


def test_one_data_point_still_works_and_a_short_one_is_still_counted() -> None:
    random.seed(0)
    m = MLP(3, [4, 1])
    assert isinstance(m([1, 2, 3]), Value)
    assert isinstance(m(np.array([1.0, 2.0, 3.0])), Value)
    with pytest.raises(ValueError, match=r"takes 3 inputs. Got 2"):
        m([1, 2])


# ------------------------------------------------- 4. p.grad = None
def test_grad_none_is_refused_naming_grad_and_zero_grad() -> None:
    """micrograd takes p.grad = None and fails at the next backward() or update (a
    TypeError on None += float); glassnet refuses it at once, saying so."""
    p = Value(2.0)
    with pytest.raises(TypeError) as e:
        p.grad = None
    why = str(e.value)
    assert why.startswith("Value.grad must be a number"), why
    assert "p.grad = 0" in why and "zero_grad()" in why and "Got None" in why, why
    assert "micrograd" in why
    assert p.grad == 0  # unchanged
    with pytest.raises(TypeError, match=r"^Value.data must be a number.*Got None"):
        p.data = None
    with pytest.raises(TypeError, match=r"^Value.grad must be a number.*Got '1'"):
        p.grad = "1"


def test_grad_none_matches_what_micrograd_does_later() -> None:
    M = pytest.importorskip("micrograd.engine")
    p = M.Value(2.0)
    p.grad = None  # micrograd takes it ...
    with pytest.raises(TypeError):  # ... and fails at the next backward()
        (p * 3).backward()


# ------------------------------------------------- 5. a second backward() after a .data change
def test_a_second_backward_after_an_update_is_documented() -> None:
    a, b = Value(2.0), Value(3.0)
    out = a * b
    out.backward()
    a.data = 5.0
    a.grad = 0
    b.grad = 0
    out.backward()
    assert b.grad == 2.0  # the value the graph was built with (micrograd's reads 5.0)
    for doc in (engine_mod.__doc__, micrograd_pkg.__doc__):
        flat = " ".join(doc.split())
        assert "uses the values the graph was built with" in flat, flat[:200]
        assert "micrograd's reads the new ones" in flat


def test_the_documented_update_difference_is_micrograds() -> None:
    M = pytest.importorskip("micrograd.engine")
    a, b = M.Value(2.0), M.Value(3.0)
    out = a * b
    out.backward()
    a.data = 5.0
    a.grad = 0
    b.grad = 0
    out.backward()
    assert b.grad == 5.0


# ------------------------------------------------- 10. overflow: what micrograd does
def test_overflow_messages_claim_only_what_micrograd_does() -> None:
    with pytest.raises(OverflowError) as e:
        Value(10) ** 400
    why = str(e.value)
    assert "micrograd's Value raises too)" not in why
    assert "Value(10) an int" in why, why  # micrograd's int ** is exact
    with pytest.raises(OverflowError) as e:
        Value(1000.0).exp()
    assert "micrograd's Value raises too" not in str(e.value)
    assert "math.exp" in str(e.value)
