"""summary names each parameter once: a Sequential holding an nn.MLP numbered its first
Linear W⁽¹⁾ beside the MLP's own W⁽¹⁾ (two rows read W⁽¹⁾), where draw_graph names them
apart; both read one numbering now (glassnet.summary.layer_names)."""

import numpy as np

import glassnet as gn
from glassnet.viz.graph import graph_nodes


def _model():
    return gn.nn.Sequential(gn.nn.Linear(3, 4), gn.nn.ReLU(), gn.nn.MLP([4, 3, 1]))


def test_no_two_rows_share_a_weight_name():
    m = _model()
    for s in (gn.summary(m), gn.summary(m, input_data=np.zeros((2, 3), np.float32))):
        Ws = [row.computes.split(" W")[1].split()[0] for row in s.rows if " W" in row.computes]
        assert len(Ws) == 3 and len(set(Ws)) == 3, Ws


def test_summary_and_draw_graph_name_the_first_layer_alike():
    from glassnet.summary import layer_names

    m = _model()
    rows = gn.summary(m).rows
    first = rows[0].computes  # A1 = relu(X @ W3 + b3)
    order = graph_nodes(m(gn.tensor(np.zeros((1, 3), np.float32))), 10_000)
    layers = [
        (t.parents[1], t.parents[2] if len(t.parents) > 2 else None)
        for t in order
        if t.op == "linear"
    ]
    names = layer_names(layers)
    first_W = m[0].W
    assert names[id(first_W)] == "W3"
    assert "@ W3 + b3" in first


def test_a_plain_sequential_keeps_the_lectures_numbers():
    m = gn.nn.Sequential(gn.nn.Linear(3, 4), gn.nn.ReLU(), gn.nn.Linear(4, 1))
    rows = gn.summary(m).rows
    assert "@ W1 + b1" in rows[0].computes and "@ W2 + b2" in rows[1].computes


def test_two_mlps_in_a_sequential_are_numbered_apart():
    """Each nn.MLP labels its own W1, W2: a Sequential of two read W1, W2, W1, W2 in both
    summary and draw_graph; the second's are numbered on (W3, W4)."""
    m = gn.nn.Sequential(gn.nn.MLP([3, 4, 2]), gn.nn.ReLU(), gn.nn.MLP([2, 3, 1]))
    rows = gn.summary(m).rows
    Ws = [row.computes.split(" W")[1].split()[0] for row in rows]
    assert Ws == ["1", "2", "3", "4"], Ws  # (the rows read "X @ W1 + b1")
