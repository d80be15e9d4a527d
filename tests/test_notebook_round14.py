"""A notebook's walk through glassnet: the history plot of an estimator with early stopping,
the best epoch next to a validation curve, explain's advice on class labels and on an
estimator, the dead-ReLU count's words, the matrix form's notation, a custom Module's
summary."""

import warnings

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import glassnet as gn  # noqa: E402
from glassnet import nn, viz  # noqa: E402


def _iris2():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    X = X[:, :2]
    return (X - X.mean(0)) / X.std(0), y


def _legend(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


# ----------------------------------------------- 1. an estimator's early stopping
def test_estimator_history_carries_the_validation_curves_and_a_true_message():
    from glassnet.sklearn import MLPClassifier

    X, y = _iris2()
    clf = MLPClassifier(
        hidden_layer_sizes=(10,), max_iter=300, random_state=0, early_stopping=True
    ).fit(X, y)
    h = clf.history_
    assert clf.stop_reason_ == h.stop_reason == "early_stopping"
    assert h.val_loss == pytest.approx(clf.validation_loss_curve_)
    assert h.val_metric == pytest.approx(clf.validation_scores_)
    assert h.metric_name == "accuracy"
    assert len(h.val_loss) == len(h.loss) == clf.n_iter_
    best = int(np.argmax(clf.validation_scores_)) + 1
    assert h.best_epoch == best
    assert "validation accuracy improved by less than tol" in h.message
    assert "validation loss did not improve" not in h.message
    fig = viz.plot_history(clf)
    ax, ax2 = fig.axes[:2]
    labels = _legend(ax)
    assert "validation loss" in labels
    assert f"best epoch {best} (best validation accuracy)" in labels
    assert f"best epoch {best} (best validation accuracy)" in _legend(ax2)
    assert "validation accuracy" in fig._suptitle.get_text()
    val_line = [ln for ln in ax.get_lines() if ln.get_label() == "validation loss"][0]
    assert np.allclose(val_line.get_ydata(), clf.validation_loss_curve_)


def test_regressor_history_names_the_r2_score():
    from sklearn.datasets import load_diabetes

    from glassnet.sklearn import MLPRegressor

    X, y = load_diabetes(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg = MLPRegressor(
            hidden_layer_sizes=(8,),
            max_iter=300,
            random_state=0,
            early_stopping=True,
            n_iter_no_change=2,
            learning_rate_init=0.05,
        ).fit(X, y)
    h = reg.history_
    assert h.metric_name == "r2" and h.val_metric == pytest.approx(reg.validation_scores_)
    assert reg.stop_reason_ == "early_stopping"
    assert "validation R^2 score improved by less than tol" in h.message


# ----------------------------------------------- 2. which loss the best epoch is best by
def _iris_run(**kw):
    X, y = _iris2()
    net = nn.MLP([2, 8, 3], activation="tanh", output_activation="softmax", rng=0)
    return gn.fit(
        net, X, y, loss="cross_entropy", lr=0.1, epochs=200, batch_size=16, verbose=0,
        validation_split=0.2, seed=0, **kw,
    )  # fmt: skip


def test_plot_history_says_the_best_epoch_is_the_training_losss_and_marks_validation():
    h = _iris_run()
    train_best = int(np.argmin(h.loss)) + 1
    val_best = int(np.argmin(h.val_loss)) + 1
    assert h.best_epoch == train_best != val_best  # (the run's rule watches the training loss)
    labels = _legend(viz.plot_history(h).axes[0])
    assert f"best epoch {train_best} (lowest training loss)" in labels
    assert f"lowest validation loss: epoch {val_best}" in labels
    assert f"best epoch {train_best}" not in labels  # never unqualified


def test_plot_history_says_an_early_stopping_best_is_the_validation_losss():
    h = _iris_run(early_stopping=True, n_iter_no_change=200)
    val_best = int(np.argmin(h.val_loss)) + 1
    assert h.best_epoch == val_best
    labels = _legend(viz.plot_history(h).axes[0])
    assert f"best epoch {val_best} (lowest validation loss)" in labels
    assert not any(t.startswith("lowest validation loss") for t in labels)


# ----------------------------------------------- 3. class labels with explain's default loss
def _digits_net():
    net = nn.MLP([4, 6, 3], activation="relu", output_activation="softmax", rng=0)
    x = np.array([0.1, 0.5, -0.3, 0.8])
    return net, x


@pytest.mark.parametrize("y", [2, np.int64(2), [2], np.array([2.0])])
def test_explain_says_class_labels_need_cross_entropy(y):
    net, x = _digits_net()
    with pytest.raises(ValueError, match=r"look like class labels 0\.\.2") as err:
        gn.explain(net, x, y)
    msg = str(err.value)
    assert "loss='cross_entropy'" in msg and "one-hot rows (y of shape (1, 3))" in msg
    assert "half_mse" in msg
    e = gn.explain(net, x, y, loss="cross_entropy")  # the advice works
    assert np.array_equal(e.y, [[0.0, 0.0, 1.0]])


def test_explain_labels_on_a_sigmoid_output_are_pointed_to_one_hot_rows():
    net = nn.MLP([4, 6, 3], activation="relu", output_activation="sigmoid", rng=0)
    with pytest.raises(ValueError, match=r"look like class labels 0\.\.2: pass one-hot rows"):
        gn.explain(net, np.zeros(4), 1)


def test_explain_keeps_regression_targets_of_one_output():
    net = nn.MLP([4, 3, 1], activation="tanh", rng=0)
    assert "Loss" in gn.explain(net, np.zeros(4), 2.0).to_text()


# ----------------------------------------------- 4. dead ReLUs: the rows that were looked at
def _relu_net(alive_units: int):
    """1 input, 3 ReLU units: ``alive_units`` of them active on one row only (x = 10), the
    others on none."""
    net = nn.MLP([1, 3, 1], activation="relu", rng=0)
    W, b = net.layers[0].W.data, net.layers[0].b.data
    W[:] = 1.0
    b[:] = -5.0  # active only where x > 5
    W[0, alive_units:] = -1.0  # dead: z = -x - 5 < 0 for x >= 0
    n = 1000
    X = np.linspace(0, 1, n).reshape(n, 1)
    sampled = set(np.linspace(0, n - 1, 256).astype(np.int64).tolist())
    row = next(i for i in range(n) if i not in sampled)
    X[row] = 10.0
    return net, X.astype(net.layers[0].W.dtype)


def test_a_unit_active_on_one_unsampled_row_is_not_called_dead():
    from glassnet.diagnostics import epoch_diagnostics
    from glassnet.train import History

    net, X = _relu_net(alive_units=2)  # 1 of 3 dead on every row; all 3 on the sample
    h = History(loss=[1.0], epochs=1)
    rec = epoch_diagnostics(net, X, h)
    assert rec["dead_relu"]["layer1"] == 1.0  # the 256 rows looked at, as documented
    assert not any("are dead" in w for w in h.warnings)


def test_the_dead_relu_warning_counts_every_training_row():
    from glassnet.diagnostics import epoch_diagnostics
    from glassnet.train import History

    net, X = _relu_net(alive_units=1)  # 2 of 3 dead on every row
    h = History(loss=[1.0], epochs=1)
    epoch_diagnostics(net, X, h)
    (msg,) = [w for w in h.warnings if "are dead" in w]
    assert "67% of the ReLU units in layer1 are dead" in msg
    assert "output 0 for every training sample" in msg  # (true: all 1000 rows looked at)


# ----------------------------------------------- 5. e.W[0] in every notation
def test_matrix_form_names_the_weights_as_python_does_in_every_notation():
    net = nn.MLP([64, 32, 10], activation="relu", output_activation="softmax", rng=0)
    x = np.linspace(0, 1, 64)
    e = gn.explain(net, x, [3], loss="cross_entropy", matrix=True)
    for text in (
        e.to_text(),
        e.to_text(notation="ascii"),
        e.to_text(notation="unicode"),
        e.to_markdown(),
        e.to_html(),
    ):
        assert "it is e.W[0], z" in text and "it is e.W[1], z" in text
        assert "e.W⁽" not in text
    assert "z⁽¹⁾ = W⁽¹⁾ᵀ x + b⁽¹⁾" in e.to_text(notation="unicode")  # (the maths still typeset)


# ----------------------------------------------- 6. an estimator given to explain
def test_explain_points_an_estimator_to_its_network():
    from glassnet.sklearn import MLPClassifier

    X, y = _iris2()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = MLPClassifier(hidden_layer_sizes=(3,), max_iter=5, random_state=0).fit(X, y)
    with pytest.raises(TypeError, match=r"Got MLPClassifier.*explain\(est\.model_, x, y"):
        gn.explain(clf, X[0], y[0], loss="cross_entropy")
    with pytest.raises(TypeError, match=r"est\.fit\(X, y\), then explain\(est\.model_"):
        gn.explain(MLPClassifier(), X[0], y[0])
    assert "Loss" in gn.explain(clf.model_, X[0], y[:1], loss="cross_entropy").to_text()


# ----------------------------------------------- 7. a custom Module's summary
class _Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(64, 16)
        self.b = nn.Linear(16, 10)

    def forward(self, x):
        return self.b(self.a(x).relu())


class _NetWithModule(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(8, 4)
        self.act = nn.Tanh()
        self.b = nn.Linear(4, 2)

    def forward(self, x):
        return self.b(self.act(self.a(x)) * 2.0)


def test_summary_of_a_custom_module_names_its_layers_and_their_inputs():
    s = gn.summary(_Net(), input_data=np.zeros((2, 64)))
    assert [r.name for r in s.rows] == ["a", "b"]
    text = s.to_text(notation="unicode")
    lines = [ln for ln in text.splitlines() if ln[:1] in "12"]
    assert lines[0].startswith("1  a ") and "A⁽¹⁾ = relu(X W⁽¹⁾ + b⁽¹⁾)" in lines[0]
    assert lines[1].startswith("2  b ") and "ŷ = A⁽¹⁾ W⁽²⁾ + b⁽²⁾" in lines[1]
    assert "X @ W + b" not in s.to_text(notation="ascii")
    assert "y_hat = A1 @ W2 + b2" in s.to_text(notation="ascii")
    assert r"$\hat{y} = A^{(1)} W^{(2)} + b^{(2)}$" in s.to_markdown()


def test_summary_says_an_input_it_cannot_name_plainly():
    s = gn.summary(_NetWithModule(), input_data=np.zeros((3, 8)))
    assert [r.name for r in s.rows] == ["a", "act", "b"]
    ascii_ = s.to_text(notation="ascii")
    assert "A1 = X @ W1 + b1" in ascii_ and "H2 = tanh(A1)" in ascii_
    assert "y_hat = (its input) @ W2 + b2" in ascii_  # (2 tanh(A1): not X, not A1)


def test_summary_of_a_chain_keeps_its_table():
    s = gn.summary(nn.MLP([2, 3, 1], activation="relu"))
    assert all(r.name == "" for r in s.rows)
    assert s.to_text(notation="ascii").splitlines()[2].split()[:3] == ["#", "layer", "computes"]


class _Scaled(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(3, 4)
        self.b = nn.Linear(4, 2)

    def forward(self, x):
        return self.b(self.a(x * 2.0).sigmoid())


def test_summary_calls_x_only_the_models_own_input():
    rows = gn.summary(_Scaled(), input_data=np.zeros((2, 3))).rows
    assert [r.computes for r in rows] == [
        "A1 = sigmoid((its input) @ W1 + b1)",  # 2 x: not X, though its numbers are X's
        "y_hat = A1 @ W2 + b2",
    ]
    rows = gn.summary(_Net(), input_data=[[0.5] * 64]).rows  # a list, made an array
    assert rows[0].computes == "A1 = relu(X @ W1 + b1)"
