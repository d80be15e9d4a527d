"""fit with PyTorch's loss modules on class labels: nn.CrossEntropyLoss(weight=...) (the way
to weigh classes of imbalanced data) with integer labels was refused, the labels made a
float column (N, 1) the loss could not take; its validation metric was the R^2 of raw
outputs."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn

rng = np.random.default_rng(0)
X = rng.normal(size=(60, 3))
Y = (X[:, 0] > 0.5).astype(np.int64)


def test_cross_entropy_module_with_class_labels_trains_as_on_one_hot_rows():
    a, b = nn.MLP([3, 4, 2], rng=0), nn.MLP([3, 4, 2], rng=0)
    loss = nn.CrossEntropyLoss()
    ha = gn.fit(a, X, Y, loss=loss, epochs=3, batch_size=20, seed=1, verbose=0)
    hb = gn.fit(b, X, np.eye(2)[Y], loss=loss, epochs=3, batch_size=20, seed=1, verbose=0)
    np.testing.assert_allclose(ha.loss, hb.loss, rtol=1e-6)
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_allclose(p.data, q.data, rtol=1e-5, atol=1e-7)


def test_class_weights_with_labels_and_accuracy_as_the_metric():
    net = nn.MLP([3, 4, 2], rng=0)
    weighted = nn.CrossEntropyLoss(weight=[1.0, 3.0])
    h = gn.fit(net, X, Y, loss=weighted, epochs=3, verbose=0, validation_split=0.2, seed=0)
    assert h.metric_name == "accuracy"
    assert all(0.0 <= m <= 1.0 for m in h.val_metric)
    # the labels' loss is PyTorch's weighted mean (divided by the targets' summed weights)
    out = net(X).data
    logp = out - np.log(np.exp(out).sum(axis=1, keepdims=True))
    w = np.array([1.0, 3.0])[Y]
    want = -(w * logp[np.arange(len(Y)), Y]).sum() / w.sum()
    assert weighted(out, Y).item() == pytest.approx(want, rel=1e-5)


def test_a_regression_callable_keeps_its_column():
    net = nn.MLP([3, 4, 1], rng=0)
    h = gn.fit(net, X, Y, loss=nn.MSELoss(), epochs=2, verbose=0, validation_split=0.2, seed=0)
    assert h.metric_name == "r2"


def test_a_callable_of_the_users_gets_integer_targets_as_a_float_column():
    """The labels rule holds for PyTorch's label losses only: a loss of the user's on a model
    of two outputs (a mean and a log-variance) with whole-number targets still gets y as a
    float column (N, 1), as before, where (N,) broadcast (N, 1) - (N,) to (N, N) in silence."""
    seen = []

    def gaussian_nll(out, t):
        seen.append((t.shape, np.asarray(t).dtype))
        mean, logvar = out[:, 0:1], out[:, 1:2]
        return (((mean - t) ** 2) * (-logvar).exp() + logvar).mean()

    y = np.round(X[:, 0] * 3).astype(np.int64)
    gn.fit(nn.MLP([3, 8, 2], rng=0), X, y, loss=gaussian_nll, epochs=1, verbose=0)
    assert seen and all(s == (len(X), 1) for s, _ in seen[:1])
    assert seen[0][1] == np.float32
