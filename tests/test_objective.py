"""Tests for glassnet.objective: a loss that is neither a callable nor a name is refused
naming Objective / evaluate_loss, not fit, and not with an internal TypeError."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet import nn
from glassnet.objective import Objective, evaluate_loss

X = np.random.default_rng(0).standard_normal((12, 3))
Y = np.arange(12) % 2


def model():
    return nn.MLP([3, 4, 2], output_activation="softmax", rng=0, dtype=np.float64)


@pytest.mark.parametrize("loss", [None, 3, "nope"], ids=["None", "int", "unknown name"])
@pytest.mark.parametrize("owner", ["Objective", "evaluate_loss"])
def test_a_bad_loss_is_refused_naming_the_caller_and_the_names(loss, owner):
    call = Objective if owner == "Objective" else evaluate_loss
    with pytest.raises(ValueError, match=rf"The 'loss' parameter of {owner} must be a callable"):
        call(model(), X, Y, loss)


def test_named_and_callable_losses_still_work():
    m = model()
    assert Objective(m, X, Y, "cross_entropy")() == pytest.approx(
        evaluate_loss(m, X, Y, "cross_entropy")
    )
    assert np.isfinite(Objective(m, X, Y.reshape(-1, 1) * 1.0, lambda o, t: (o - t).mean())())


def test_a_model_with_dropout_in_training_mode_is_refused_and_in_eval_mode_is_deterministic():
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.Dropout(0.5, rng=0), nn.Linear(4, 1, rng=1))
    X, y = np.ones((5, 3)), np.zeros(5)
    with pytest.raises(ValueError, match=r"Dropout\(p=0.5\) in training mode"):
        Objective(model, X, y)
    model.eval()
    objective = Objective(model, X, y)
    assert objective() == objective()
