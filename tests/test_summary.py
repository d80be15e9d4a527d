"""glassnet.summary: layers, shapes, parameter counts, activations."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

import glassnet as gn
from glassnet.summary import ModelSummary, summary


def test_mlp_rows_shapes_and_counts() -> None:
    sizes = [4, 16, 8, 3]
    m = gn.nn.MLP(
        sizes, activation=["relu", "tanh"], output_activation="softmax", dropout=0.2, rng=0
    )
    s = summary(m, input_shape=(32, 4))
    assert isinstance(s, ModelSummary)
    expected = [a * b + b for a, b in zip(sizes[:-1], sizes[1:])]
    assert [r.parameters for r in s.rows] == expected
    assert s.total_parameters == sum(expected) == m.num_parameters() == s.trainable_parameters
    assert [r.input_shape for r in s.rows] == ["(32, 4)", "(32, 16)", "(32, 8)"]
    assert [r.output_shape for r in s.rows] == ["(32, 16)", "(32, 8)", "(32, 3)"]
    assert [r.W_shape for r in s.rows] == ["(4, 16)", "(16, 8)", "(8, 3)"]
    assert [r.activation for r in s.rows] == ["relu, dropout 0.2", "tanh, dropout 0.2", "softmax"]
    assert [r.computes for r in s.rows] == [
        "A1 = relu(X @ W1 + b1)",
        "A2 = tanh(A1 @ W2 + b2)",
        "y_hat = softmax(A2 @ W3 + b3)",
    ]
    assert s.nbytes == 4 * s.total_parameters and s.dtype == "float32"
    text = str(s)
    assert "MLP 4-16-8-3: 243 parameters" in text and "Total: 243 parameters" in text
    assert repr(s) == text


@pytest.mark.parametrize(
    "shape,first",
    [(None, "(N, 2)"), (2, "(N, 2)"), ((2,), "(N, 2)"), ((None, 2), "(N, 2)"), ((5, 2), "(5, 2)")],
)
def test_input_shape_forms(shape, first) -> None:
    s = summary(gn.nn.MLP([2, 3, 1], rng=0), input_shape=shape)
    assert s.rows[0].input_shape == first


def test_no_bias_float64_neuron_and_other_modules() -> None:
    net = gn.nn.Sequential(
        gn.nn.Linear(2, 2, bias=False, dtype=np.float64),
        gn.nn.Sigmoid(),
        gn.nn.Linear(2, 1, bias=False, dtype=np.float64),
    )
    s = summary(net)
    assert [r.parameters for r in s.rows] == [4, 2]
    assert s.rows[0].b_shape == "-" and s.rows[0].computes == "A1 = sigmoid(X @ W1)"
    assert s.rows[1].computes == "y_hat = A1 @ W2" and s.rows[1].activation == "identity"
    assert s.nbytes == 8 * 6 and s.dtype == "float64"
    n = summary(gn.nn.Neuron(3, "sigmoid"))
    assert n.rows[0].computes == "y_hat = sigmoid(X @ w + w0)" and n.total_parameters == 4

    class Scale(gn.nn.Module):
        def __init__(self) -> None:
            self.s = gn.nn.Parameter(np.ones(3))

        def forward(self, x):
            return x * self.s

        def __repr__(self) -> str:
            return "Scale()"

    s2 = summary(gn.nn.Sequential(gn.nn.Linear(2, 3), Scale(), gn.nn.Linear(3, 1)))
    assert [r.computes for r in s2.rows][1] == "Scale()"
    assert s2.rows[1].parameters == 3 and s2.rows[1].output_shape == "?"
    assert s2.rows[2].input_shape == "(N, 3)"  # what the next Linear layer expects
    assert s2.rows[2].computes == "y_hat = H2 @ W2 + b2"
    assert s2.total_parameters == 9 + 3 + 4


def test_markdown_and_html() -> None:
    s = summary(gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid"))
    md = s.to_markdown()
    table = [ln for ln in md.splitlines() if ln.startswith("|")]
    assert len(table) == 2 + 2  # header, rule, two layers
    assert r"| 1 | $A^{(1)} = \operatorname{sigmoid}(X W^{(1)} + b^{(1)})$ | sigmoid |" in md
    assert "| 1 | A1 = sigmoid(X @ W1 + b1) | sigmoid |" in s.to_markdown(notation="ascii")
    root = ET.fromstring(f"<root>{s.to_html()}</root>")
    assert [td.text for td in root.iter("td")][-1] == "3"
    assert [td.text for td in root.iter("td")][9] == "ŷ = sigmoid(A⁽¹⁾ W⁽²⁾ + b⁽²⁾)"
    assert s._repr_html_() == s.to_html(notation="latex")
    assert "$\\hat{y} = \\operatorname{sigmoid}(A^{(1)} W^{(2)} + b^{(2)})$" in s._repr_markdown_()


def test_notations_match_explain() -> None:
    """The lecture's symbols come from explain's own typesetting (one source of truth)."""
    from glassnet.explain import latex_symbol, typeset, unicode_symbol

    m = gn.nn.MLP([2, 3, 1], activation="leaky_relu", rng=0)
    s = summary(m)
    uni = s.to_text(notation="unicode")
    assert "A⁽¹⁾ = leaky_relu(X W⁽¹⁾ + b⁽¹⁾)" in uni and "ŷ = A⁽¹⁾ W⁽²⁾ + b⁽²⁾" in uni
    assert unicode_symbol("y_hat") in uni and typeset("y_hat") == "ŷ"
    asc = s.to_text(notation="ascii")
    assert "A1 = leaky_relu(X @ W1 + b1)" in asc and "y_hat = A1 @ W2 + b2" in asc
    assert not any(ord(c) > 127 for c in asc)
    assert summary(m, notation="ascii").to_text() == asc == str(summary(m, notation="ascii"))
    md = s.to_markdown()
    assert r"$A^{(1)} = \operatorname{leaky\_relu}(X W^{(1)} + b^{(1)})$" in md
    assert f"${latex_symbol('y_hat')} = " in md
    assert "leaky\\_relu |" in md  # the activation column: text, escaped outside the maths
    html = s.to_html(notation="latex")
    assert r"\(\hat{y} = A^{(1)} W^{(2)} + b^{(2)}\)" in html
    # a neuron's bias weight w0 is a subscript, not a layer
    n = summary(gn.nn.Neuron(3, "sigmoid"))
    assert "ŷ = sigmoid(X w + w₀)" in n.to_text(notation="unicode")
    assert "$\\hat{y} = \\operatorname{sigmoid}(X w + w_{0})$" in n.to_markdown()


def test_terminal_without_unicode_falls_back(monkeypatch) -> None:
    import io
    import sys

    s = summary(gn.nn.MLP([2, 2, 1], rng=0))
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="cp1252"))
    assert str(s) == s.to_text(notation="ascii")
    assert "⁽" in s.to_text(notation="unicode")  # asked for explicitly: given


def test_notation_errors() -> None:
    with pytest.raises(ValueError, match="notation"):
        summary(gn.nn.MLP([2, 1]), notation="tex")
    s = summary(gn.nn.MLP([2, 1]))
    with pytest.raises(ValueError, match="notation"):
        s.to_text(notation="latex")  # a terminal cannot typeset LaTeX
    with pytest.raises(ValueError, match="notation"):
        s.to_markdown(notation="mathml")


def test_errors() -> None:
    with pytest.raises(TypeError, match="glassnet Module"):
        summary([1, 2])
    with pytest.raises(ValueError, match="expects 2"):
        summary(gn.nn.MLP([2, 1]), input_shape=(10, 3))
    with pytest.raises(ValueError, match="'input_shape' parameter"):
        summary(gn.nn.MLP([2, 1]), input_shape="2")
    with pytest.raises(ValueError, match="'input_shape' parameter"):
        summary(gn.nn.MLP([2, 1]), input_shape=(0, 2))


class _Custom(gn.nn.Module):
    """A model with its own forward: summary cannot read its shapes from a chain."""

    def __init__(self):
        self.first = gn.nn.Linear(3, 4, rng=0)
        self.act = gn.nn.ReLU()
        self.second = gn.nn.Linear(4, 2, rng=1)

    def forward(self, x):
        return self.second(self.act(self.first(x)))


def test_a_custom_module_traced_on_an_example_input():
    plain = gn.summary(_Custom())
    assert any(r.output_shape == "?" for r in plain.rows)  # no input: shapes unknown
    for s in (
        gn.summary(_Custom(), input_data=np.ones((5, 3))),
        gn.summary(_Custom(), input_shape=(None, 3)),
    ):
        assert [(r.input_shape, r.output_shape) for r in s.rows] == [
            ("(N, 3)", "(N, 4)"),
            ("(N, 4)", "(N, 4)"),
            ("(N, 4)", "(N, 2)"),
        ]
        assert [r.parameters for r in s.rows] == [16, 0, 10] and s.total_parameters == 26
        assert [r.W_shape for r in s.rows] == ["(3, 4)", "-", "(4, 2)"]
    model = _Custom()
    gn.summary(model, input_data=np.ones((2, 3)))
    assert "forward" not in vars(model.first)  # the tracing leaves the model as it was
    with pytest.raises(ValueError, match="running _Custom on the example input of shape"):
        gn.summary(_Custom(), input_data=np.ones((2, 7)))
    with pytest.raises(ValueError, match="does not fit the first layer"):
        gn.summary(gn.nn.MLP([3, 2, 1]), input_data=np.ones((2, 4)))


def test_every_activation_after_a_layer_is_in_its_formula() -> None:
    """Dropout before the activation, or two activations: the formula applies each one,
    in order (it wrote only the first, dropping the ReLU after a Dropout)."""
    net = gn.nn.Sequential(
        gn.nn.Linear(2, 3),
        gn.nn.Dropout(0.5),
        gn.nn.ReLU(),
        gn.nn.Linear(3, 2),
        gn.nn.Tanh(),
        gn.nn.Sigmoid(),
        gn.nn.Linear(2, 1),
    )
    s = summary(net)
    assert [r.computes for r in s.rows] == [
        "A1 = relu(X @ W1 + b1)",
        "A2 = sigmoid(tanh(A1 @ W2 + b2))",
        "y_hat = A2 @ W3 + b3",
    ]
    assert [r.activation for r in s.rows] == ["relu, dropout 0.5", "tanh, sigmoid", "identity"]
    assert "A⁽²⁾ = sigmoid(tanh(A⁽¹⁾ W⁽²⁾ + b⁽²⁾))" in s.to_text(notation="unicode")
    assert r"\operatorname{sigmoid}(\operatorname{tanh}(" in s.to_markdown()


def test_a_linear_layer_used_twice_is_named_and_counted_once() -> None:
    lin = gn.nn.Linear(3, 3)
    net = gn.nn.Sequential(lin, gn.nn.ReLU(), lin)
    s = summary(net)
    assert [r.computes for r in s.rows] == ["A1 = relu(X @ W1 + b1)", "y_hat = A1 @ W1 + b1"]
    assert [r.parameters for r in s.rows] == [12, 0]
    assert sum(r.parameters for r in s.rows) == s.total_parameters == 12
    assert "0 (shared with row 1)" in s.to_text(notation="ascii")


def test_title_of_a_model_without_layers() -> None:
    assert summary(gn.nn.Sequential()).title.startswith("Sequential: 0 parameters")


class _Twice(gn.nn.Module):
    """A custom forward that calls its first layer twice."""

    def __init__(self) -> None:
        self.a = gn.nn.Linear(2, 4)
        self.act = gn.nn.ReLU()
        self.b = gn.nn.Linear(4, 1)

    def forward(self, x):
        return self.b(self.act(self.a(x)) + self.act(self.a(x)))


def test_a_traced_layer_called_twice_is_counted_once_and_one_sample_keeps_its_shape():
    s = gn.summary(_Twice(), input_data=np.ones((5, 2)))
    assert [r.parameters for r in s.rows] == [12, 0, 0, 0, 5]
    assert sum(r.parameters for r in s.rows) == s.total_parameters == 17
    assert s.rows[2].shared_with == 1 and s.rows[3].shared_with is None  # ReLU has none
    one = gn.summary(_Twice(), input_data=np.ones(2))  # one sample, no batch axis
    assert [(r.input_shape, r.output_shape) for r in one.rows][:2] == [
        ("(2,)", "(4,)"),
        ("(4,)", "(4,)"),
    ]


def test_a_traced_layer_names_the_activation_a_function_applies_after_it():
    """A Module of the user's own calling F.relu(z) or z.tanh() after its layers showed '-'
    in the activation column (only activation modules were seen)."""
    import glassnet.nn.functional as F

    class Net(gn.nn.Module):
        def __init__(self):
            self.fc1, self.fc2 = gn.nn.Linear(3, 4, rng=0), gn.nn.Linear(4, 4, rng=1)
            self.act, self.fc3 = gn.nn.Sigmoid(), gn.nn.Linear(4, 2, rng=2)

        def forward(self, x):
            return self.fc3(self.act(self.fc2(F.relu(self.fc1(x)).tanh())))

    s = gn.summary(Net(), input_data=np.ones((2, 3)))
    assert [r.activation for r in s.rows] == ["relu, tanh", "-", "sigmoid", "-"]


def test_a_forward_that_cannot_run_recorded_is_summarized_as_before():
    """Recording the graph (to name function activations) made summary fail on a forward
    writing into a computed tensor (h += 1.0: an in-place write on a graph node)."""

    class InPlace(gn.nn.Module):
        def __init__(self):
            self.a, self.b = gn.nn.Linear(3, 4, rng=0), gn.nn.Linear(4, 2, rng=1)

        def forward(self, x):
            h = self.a(x)
            h += 1.0
            return self.b(h)

    s = gn.summary(InPlace(), input_data=np.zeros((2, 3), np.float32))
    assert [r.output_shape for r in s.rows] == ["(N, 4)", "(N, 2)"]
    assert [r.activation for r in s.rows] == ["-", "-"]
