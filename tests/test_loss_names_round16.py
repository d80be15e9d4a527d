"""Loss names in any case, as activation, optimizer and initializer names (``loss='MSE'``
was refused)."""

import numpy as np
import pytest

import glassnet as gn
import glassnet.functional as F

NAMES = [
    ("MSE", "mse"),
    ("Cross-Entropy", "cross_entropy"),
    ("BCE", "binary_cross_entropy"),
    ("Log_Loss", "cross_entropy"),
]


@pytest.mark.parametrize("name, canonical", NAMES)
def test_loss_names_in_any_case(name, canonical):
    assert F.get_loss(name) is F.get_loss(canonical)


def test_fit_takes_a_loss_name_in_capitals():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(16, 2)), rng.normal(size=(16, 1))
    a, b = gn.nn.MLP([2, 3, 1], rng=0), gn.nn.MLP([2, 3, 1], rng=0)
    gn.fit(a, X, y, loss="MSE", lr=0.1, epochs=3, seed=0, verbose=False)
    gn.fit(b, X, y, loss="mse", lr=0.1, epochs=3, seed=0, verbose=False)
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


def test_an_unknown_name_is_still_refused_as_given():
    with pytest.raises(ValueError, match="Unknown loss 'MSEE'"):
        F.get_loss("MSEE")


def test_explain_takes_a_loss_name_in_capitals():
    m = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    x, y = np.ones((1, 2)), np.ones((1, 1))
    a = gn.explain(m, x, y, loss="MSE")
    b = gn.explain(m, x, y, loss="mse")
    np.testing.assert_array_equal(a.grad_W[0], b.grad_W[0])
    assert a.loss == b.loss


def test_draw_network_takes_a_loss_name_in_capitals():
    m = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    x, y = np.ones((1, 2)), np.ones((1, 1))
    drawn = gn.viz.draw_network(m, x, y, backward=True, loss="MSE")
    assert drawn == gn.viz.draw_network(m, x, y, backward=True, loss="mse")
