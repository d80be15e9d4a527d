"""fit's validation metric for loss modules and functions of the user's."""

from __future__ import annotations

import io
from contextlib import redirect_stderr

import numpy as np
import pytest

import glassnet as gn


def _data(n=120):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    labels = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0)
    return X, labels


def _net():
    return gn.nn.MLP([3, 8, 3], rng=0, dtype=np.float64)


def test_cross_entropy_module_on_one_hot_rows_reports_accuracy_as_on_labels():
    # PyTorch's CrossEntropyLoss takes labels or class-probability rows: both are classes,
    # and the metric is accuracy for both (one-hot rows reported R^2)
    X, labels = _data()
    one_hot = np.eye(3)[labels]
    kw = dict(loss=gn.nn.CrossEntropyLoss(), epochs=5, lr=0.5, validation_split=0.25, seed=0)
    h_lab = gn.fit(_net(), X, labels, **kw)
    h_hot = gn.fit(_net(), X, one_hot, **kw)
    assert h_lab.metric_name == h_hot.metric_name == "accuracy"
    # the same network, the same rows: the same accuracies (an R^2 would be negative)
    assert h_hot.val_metric == pytest.approx(h_lab.val_metric, abs=1e-12)
    assert all(0 <= a <= 1 for a in h_hot.val_metric)


def test_a_loss_function_whose_targets_are_not_one_per_output_has_no_metric():
    # a function of the user's gets labels as a float column (N, 1) beside 3 outputs: there
    # is no R^2 of one target against three outputs (it raised an internal reshape error)
    X, labels = _data()

    def gaussian_nll(out, y):  # mean and log-variance of one target
        mean, logvar = out[:, 0:1], out[:, 1:2]
        return (((y - mean) ** 2) * (-logvar).exp() + logvar).mean()

    err = io.StringIO()
    with redirect_stderr(err):
        h = gn.fit(_net(), X, labels, loss=gaussian_nll, epochs=3, validation_split=0.25,
                   seed=0, verbose=2)  # fmt: skip
    assert h.metric_name == "none"
    assert len(h.val_metric) == 3 and np.isnan(h.val_metric).all()
    assert np.isfinite(h.val_loss).all()
    assert "val_loss" in err.getvalue() and "val_none" not in err.getvalue()


def test_a_loss_function_with_one_target_per_output_keeps_r2():
    X, labels = _data()
    y = np.eye(3)[labels]
    h = gn.fit(_net(), X, y, loss=lambda o, t: ((o - t) ** 2).mean(), epochs=3,
               validation_split=0.25, seed=0)  # fmt: skip
    assert h.metric_name == "r2" and np.isfinite(h.val_metric).all()


def test_plot_history_leaves_out_a_run_without_a_metric():
    pytest.importorskip("matplotlib")
    from glassnet.viz import plot_history

    X, labels = _data()
    h = gn.fit(_net(), X, labels, loss=lambda o, t: ((o[:, :1] - t) ** 2).mean(), epochs=2,
               validation_split=0.25, seed=0)  # fmt: skip
    assert h.metric_name == "none"
    fig = plot_history(h)
    assert len(fig.axes) == 1


def test_a_module_of_yours_with_a_loss_of_another_width_has_no_metric_either():
    # fit cannot see the output width of a Module of the user's before it runs: the first
    # validation decides (it named the metric "r2" and recorded NaN)
    class Net(gn.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = gn.nn.Linear(3, 8, rng=0, dtype=np.float64)
            self.b = gn.nn.Linear(8, 2, rng=1, dtype=np.float64)

        def forward(self, x):
            return self.b(self.a(x).tanh())

    def gnll(out, t):
        mu, lv = out[:, :1], out[:, 1:]
        return (0.5 * (lv + (t - mu) ** 2 / lv.exp())).mean()

    X = np.random.default_rng(0).standard_normal((60, 3))
    h = gn.fit(Net(), X, X[:, :1] * 2, loss=gnll, epochs=2, validation_split=0.25, seed=0)
    assert h.metric_name == "none" and np.isnan(h.val_metric).all()
    h = gn.fit(Net(), X, X[:, :2], loss=lambda o, t: ((o - t) ** 2).mean(), epochs=2,
               validation_split=0.25, seed=0)  # fmt: skip
    assert h.metric_name == "r2" and np.isfinite(h.val_metric).all()


@pytest.mark.parametrize(
    "loss, head",
    [
        (gn.nn.BCEWithLogitsLoss(), "identity"),
        (gn.nn.functional.binary_cross_entropy_with_logits, "identity"),
        (gn.nn.BCELoss(), "sigmoid"),
        (gn.nn.functional.binary_cross_entropy, "sigmoid"),
    ],
)
def test_pytorch_binary_cross_entropies_report_accuracy(loss, head):
    # they reported the R^2 of logits (or probabilities) against 0/1 labels (about -19)
    X, _ = _data()
    y = (X[:, 0] > 0).astype(np.int64)
    # validation rows given (a named loss's own split is stratified, a callable's is not)
    kw = dict(epochs=4, lr=0.5, validation_data=(X[90:], y[90:]), seed=0)
    X, y = X[:90], y[:90]
    net = lambda: gn.nn.MLP([3, 8, 1], output_activation=head, rng=0, dtype=np.float64)  # noqa: E731
    h = gn.fit(net(), X, y, loss=loss, **kw)
    named = "binary_cross_entropy" + ("_with_logits" if head == "identity" else "")
    ref = gn.fit(net(), X, y, loss=named, **kw)
    assert h.metric_name == "accuracy"
    assert h.val_metric == pytest.approx(ref.val_metric, abs=1e-12)
