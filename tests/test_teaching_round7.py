"""Teaching tools, round 7: shared parameters in the summary, a scalar parameter's title in
draw_graph, the rounding of report.fmt, and as_chain's check of a branch on x.data."""

from __future__ import annotations

import numpy as np

import glassnet as gn
from glassnet.summary import summary

# ----------------------------------------------------------------------------- summary


def _tied() -> gn.nn.Module:
    """Two Linear layers sharing their weight matrix (tied weights), biases of their own."""
    a, b = gn.nn.Linear(3, 3, rng=0), gn.nn.Linear(3, 3, rng=1)
    b.W = a.W
    return gn.nn.Sequential(a, gn.nn.Tanh(), b)


def test_summary_counts_a_weight_shared_by_two_layers_once_and_says_so():
    """Two Linear layers holding one Parameter: the rows counted it twice (12 + 12 = 24 for
    a model of 15 parameters), and nothing said they share it."""
    net = _tied()
    s = summary(net)
    assert [r.parameters for r in s.rows] == [12, 3]
    assert sum(r.parameters for r in s.rows) == s.total_parameters == net.num_parameters() == 15
    assert s.rows[1].shared_with == 1 and s.rows[0].shared_with is None
    text = s.to_text(notation="ascii")
    # the second layer's formula names the same W as the first's
    assert [r.computes for r in s.rows] == ["A1 = tanh(X @ W1 + b1)", "y_hat = A1 @ W1 + b2"]
    assert "3 (W1 shared with row 1)" in text
    assert "Shared: W1 (rows 1, 2)." in text
    assert "counted once" in text and "model.num_parameters()" in text
    assert "W⁽¹⁾ shared with row 1" in s.to_text(notation="unicode")
    assert "$W^{(1)}$ shared with row 1" in s.to_markdown()


def test_summary_of_a_layer_used_twice_notes_the_sharing():
    lin = gn.nn.Linear(2, 2, rng=0)
    net = gn.nn.Sequential(lin, gn.nn.ReLU(), lin)
    s = summary(net)
    assert sum(r.parameters for r in s.rows) == s.total_parameters == net.num_parameters() == 6
    text = s.to_text(notation="ascii")
    assert "0 (shared with row 1)" in text and "Shared: W1 (rows 1, 2), b1 (rows 1, 2)." in text


def test_a_model_without_sharing_has_no_shared_note():
    text = summary(gn.nn.MLP([2, 2, 1])).to_text(notation="ascii")
    assert "Shared" not in text and "shared" not in text


class _TiedAutoencoder(gn.nn.Module):
    """A custom forward whose decoder holds the encoder's weight matrix (tied)."""

    def __init__(self) -> None:
        self.enc = gn.nn.Linear(4, 4, rng=0)
        self.act = gn.nn.Tanh()
        self.dec = gn.nn.Linear(4, 4, rng=1)
        self.dec.W = self.enc.W

    def forward(self, x):
        return self.dec(self.act(self.enc(x)))


def test_traced_summary_counts_a_tied_weight_once():
    """The traced rows (a custom forward) summed each layer's parameters: the tied W twice."""
    net = _TiedAutoencoder()
    s = summary(net, input_data=np.ones((2, 4)))
    assert [r.parameters for r in s.rows] == [20, 0, 4]
    assert sum(r.parameters for r in s.rows) == s.total_parameters == net.num_parameters() == 24
    assert s.rows[2].shared_with == 1
    text = s.to_text(notation="ascii")
    assert "4 (enc.W shared with row 1)" in text and "Shared: enc.W (rows 1, 3)." in text


def test_traced_summary_counts_a_tied_weight_of_a_layer_not_called_once():
    class Net(gn.nn.Module):
        def __init__(self) -> None:
            self.enc, self.dec = gn.nn.Linear(4, 2, rng=0), gn.nn.Linear(4, 2, rng=1)
            self.dec.W = self.enc.W

        def forward(self, x):
            return self.enc(x)

    net = Net()
    s = summary(net, input_data=np.ones((2, 4)))
    assert [r.parameters for r in s.rows] == [10, 2]
    assert sum(r.parameters for r in s.rows) == net.num_parameters() == 12
    assert "not called" in s.rows[1].computes and s.rows[1].shared_with == 1


def test_a_module_of_another_kind_holding_a_layers_weight_is_counted_once():
    """A module of the user's own (counted as a whole, shapes unknown) holding a Linear
    layer's weight in a chain of layers."""

    class Scale(gn.nn.Module):
        def __init__(self, W) -> None:
            self.W = W

        def forward(self, x):
            return x @ self.W

    lin = gn.nn.Linear(2, 2, rng=0)
    net = gn.nn.Sequential(lin, Scale(lin.W))
    s = summary(net)
    assert [r.parameters for r in s.rows] == [6, 0]
    assert sum(r.parameters for r in s.rows) == net.num_parameters() == 6
    assert "0 (shared with row 1)" in s.to_text(notation="ascii")


# ----------------------------------------------------------------------------- draw_graph


def _titles(root) -> list[str]:
    import re

    from glassnet.viz import draw_graph

    dot = draw_graph(root, fmt="dot")
    # each node's tooltip starts with its title ("w: parameter (leaf)"), the root's last
    return [t.split(":")[0] for t in re.findall(r'tooltip="((?:[^"\\]|\\.)*)"', dot)]


def test_draw_graph_titles_a_one_value_parameter_that_multiplies_w_not_b():
    """y = x * a with a one-value Parameter a: the node of a read 'b' (the second input's
    letter), the bias's name, and the product 'a b'; a multiplier is a weight."""
    from glassnet.nn.module import Parameter

    for shape in [(1,), ()]:
        a = Parameter(np.full(shape, 2.0))
        x = gn.Tensor(np.array([[1.0], [2.0]]))
        for y, product in ((x * a, "x w"), (a * x, "w x")):
            titles = _titles(y)
            assert titles == (["x", "w", product] if y.parents[1] is a else ["w", "x", product])
            assert "b" not in titles


def test_draw_graph_keeps_b_for_a_one_value_bias_and_names_the_edges_by_role():
    from glassnet.nn.module import Parameter
    from glassnet.viz.graph import local_derivative

    w, b = Parameter(np.array([2.0])), Parameter(np.array([0.5]))
    x = gn.Tensor(np.array([[1.0], [3.0]]))
    z = x * w
    y = z + b
    titles = _titles(y)
    assert titles[-1] == "a + b"
    assert "b" in titles and "w" in titles
    assert local_derivative(z, 0) == "w"  # d(x w)/dx: the weight, by its role
    assert local_derivative(z, 1) == "x"  # d(x w)/dw: the other factor ('b' before)
    # a bias added first keeps its name too: b + x w
    assert _titles(b + z)[:3].count("b") == 1


def test_draw_graph_names_a_parameter_divisor_and_two_parameter_factors_by_role():
    from glassnet.nn.module import Parameter
    from glassnet.viz.graph import local_derivative

    s = Parameter(np.array([4.0]))
    x = gn.Tensor(np.array([[1.0], [3.0]]))
    q = x / s
    assert _titles(q)[-1] == "x/w"
    assert local_derivative(q, 0) == "1/w"
    v, w = Parameter(np.array([2.0])), Parameter(np.array([3.0]))
    assert _titles(v * w) == ["v", "w", "v w"]
    # two tensors that are no parameters keep the a and b of a product
    p = gn.Tensor(np.ones((2, 1)), requires_grad=True) * gn.Tensor(np.ones((2, 1)))
    assert _titles(p)[-1] == "a b"
