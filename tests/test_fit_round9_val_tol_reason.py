"""A Tolerance on the validation loss names it when it stops the run (the message said the
training loss had stopped improving, the other rule's)."""

import numpy as np

import glassnet as gn
from glassnet import nn

rng = np.random.default_rng(0)
X = rng.normal(size=(60, 3))
Y = X[:, 0] + rng.normal(size=60)


def test_a_tolerance_on_the_validation_loss_names_the_validation_loss():
    rule = gn.train.Tolerance(1e-2, 2, monitor="val_loss")
    h = gn.fit(
        nn.MLP([3, 8, 1], rng=0), X, Y, stop_rules=[rule], validation_split=0.3, epochs=500,
        lr=0.05, verbose=0,
    )  # fmt: skip
    assert h.epochs < 500
    assert h.stop_reason == "val_tol"
    assert "validation loss improved by less than tol" in h.message
    assert "training loss" not in h.message


def test_a_tolerance_on_the_training_loss_still_names_tol():
    h = gn.fit(nn.MLP([3, 8, 1], rng=0), X, Y, tol=1e-2, n_iter_no_change=2, epochs=500, verbose=0)
    assert (h.stop_reason, h.epochs < 500) == ("tol", True)
    assert "training loss improved by less than tol" in h.message
