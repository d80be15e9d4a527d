"""scikit-learn's private habits its own tests rely on: weights assigned before the first
fit, the L-BFGS objective ``_loss_grad_lbfgs``, and early stopping's stratified split
with scikit-learn's own error."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.exceptions import ConvergenceWarning, NotFittedError  # noqa: E402
from sklearn.neural_network import MLPClassifier as SkC  # noqa: E402
from sklearn.neural_network import MLPRegressor as SkR  # noqa: E402
from sklearn.preprocessing import LabelBinarizer  # noqa: E402

from glassnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.normal(size=(12, 4))


def _fitted(cls, y, **kw):
    est = cls(hidden_layer_sizes=(5, 3), solver="lbfgs", max_iter=1, random_state=0, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def _buffers(est, n_rows):
    units = [X.shape[1], 5, 3, est.n_outputs_]
    acts = [X] + [np.empty((n_rows, u)) for u in units[1:]]
    deltas = [np.empty((n_rows, u)) for u in units[1:]]
    cg = [np.empty((a, b)) for a, b in zip(units[:-1], units[1:])]
    ig = [np.empty(b) for b in units[1:]]
    return acts, deltas, cg, ig


CASES = {
    "binary": (SkC, MLPClassifier, np.arange(12) % 2, {}),
    "multiclass": (SkC, MLPClassifier, np.arange(12) % 3, {"activation": "tanh"}),
    "multilabel": (SkC, MLPClassifier, np.c_[np.arange(12) % 2, np.arange(12) // 6], {}),
    "regression": (SkR, MLPRegressor, RNG.normal(size=12), {"activation": "relu"}),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("weighted", [False, True])
def test_loss_grad_lbfgs_is_scikit_learns(case, weighted):
    """The same loss, gradient and layer outputs as scikit-learn's own at the same weights."""
    sk_cls, gn_cls, y, kw = CASES[case]
    sk, gn = _fitted(sk_cls, y, alpha=0.3, **kw), _fitted(gn_cls, y, alpha=0.3, **kw)
    Y = LabelBinarizer().fit_transform(y) if case in ("binary", "multiclass") else y
    Y = Y.astype(float).reshape(12, -1)
    # small weights: no probability within float64's eps of 0 or 1, which scikit-learn's
    # log-loss clips (glassnet's, on the logits, does not)
    theta = 0.3 * RNG.normal(size=sum(c.size for c in sk.coefs_ + sk.intercepts_))
    sw = RNG.uniform(0.5, 2.0, size=12) if weighted else None
    sk_bufs, gn_bufs = _buffers(sk, 12), _buffers(gn, 12)
    v_sk, g_sk = sk._loss_grad_lbfgs(theta, X, Y, sw, *sk_bufs)
    v_gn, g_gn = gn._loss_grad_lbfgs(theta, X, Y, sw, *gn_bufs)
    np.testing.assert_allclose(v_gn, v_sk, rtol=1e-10)
    np.testing.assert_allclose(g_gn, g_sk, rtol=1e-8, atol=1e-12)
    for a_sk, a_gn in zip(sk_bufs[0][1:], gn_bufs[0][1:]):  # activations, set as scikit-learn's
        np.testing.assert_allclose(a_gn, a_sk, rtol=1e-10, atol=1e-12)
    for name, i in (("coef_grads", 2), ("intercept_grads", 3)):
        for b_sk, b_gn in zip(sk_bufs[i], gn_bufs[i]):
            np.testing.assert_allclose(b_gn, b_sk, rtol=1e-8, atol=1e-12, err_msg=name)
    # the weights are now theta's, as scikit-learn's _unpack leaves them
    for c_sk, c_gn in zip(sk.coefs_ + sk.intercepts_, gn.coefs_ + gn.intercepts_):
        np.testing.assert_array_equal(c_gn, c_sk)


def test_loss_grad_lbfgs_multi_output_regression_gradient_is_its_losss():
    """With several outputs scikit-learn's squared loss averages over the outputs too, but its
    gradient (and so its _loss_grad_lbfgs) sums over them, K times the loss's gradient.
    glassnet returns scikit-learn's loss and that loss's own gradient (finite differences)."""
    y = RNG.normal(size=(12, 2))
    sk, gn = _fitted(SkR, y, alpha=0.3), _fitted(MLPRegressor, y, alpha=0.3)
    theta = 0.3 * RNG.normal(size=sum(c.size for c in sk.coefs_ + sk.intercepts_))
    v_sk, g_sk = sk._loss_grad_lbfgs(theta, X, y, None, *_buffers(sk, 12))
    v_gn, g_gn = gn._loss_grad_lbfgs(theta, X, y, None, *_buffers(gn, 12))
    np.testing.assert_allclose(v_gn, v_sk, rtol=1e-12)
    h, num = 1e-6, np.empty_like(theta)
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = h
        up = gn._loss_grad_lbfgs(theta + e, X, y, None, *_buffers(gn, 12))[0]
        down = gn._loss_grad_lbfgs(theta - e, X, y, None, *_buffers(gn, 12))[0]
        num[i] = (up - down) / (2 * h)
    np.testing.assert_allclose(g_gn, num, rtol=1e-6, atol=1e-8)
    assert not np.allclose(g_sk, num, rtol=1e-3)  # (scikit-learn's is not its loss's)


def test_loss_grad_lbfgs_checks_its_input():
    gn = _fitted(MLPClassifier, np.arange(12) % 2)
    with pytest.raises(ValueError, match="packed_coef_inter must hold 47 values.*Got 3"):
        gn._loss_grad_lbfgs(np.zeros(3), X, np.zeros((12, 1)), None, *_buffers(gn, 12))
    theta = np.zeros(47)
    with pytest.raises(ValueError, match=r"y must be the encoded targets, of shape \(12, 1\)"):
        gn._loss_grad_lbfgs(theta, X, np.zeros((12, 2)), None, *_buffers(gn, 12))
    with pytest.raises(AttributeError, match="not fitted yet"):
        MLPClassifier()._loss_grad_lbfgs(theta, X, np.zeros((12, 1)), None, [], [], [], [])


def _given(est, seed=1):
    r = np.random.default_rng(seed)
    W = [r.normal(size=(4, 3)), r.normal(size=(3, 1))]
    b = [r.normal(size=3), r.normal(size=1)]
    est.coefs_ = [w.copy() for w in W]
    est.intercepts_ = [v.copy() for v in b]
    return W, b


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_partial_fit_starts_from_weights_assigned_before_it(momentum):
    """scikit-learn continues from coefs_/intercepts_ it finds; so does glassnet."""
    y = np.arange(12) % 2
    kw = dict(hidden_layer_sizes=3, solver="sgd", learning_rate_init=0.1, alpha=0.1,
              momentum=momentum, random_state=1, shuffle=False, batch_size=12)  # fmt: skip
    sk, gn = SkC(**kw), MLPClassifier(**kw)
    W, b = _given(gn)
    sk.coefs_, sk.intercepts_ = [w.copy() for w in W], [v.copy() for v in b]
    sk.n_outputs_, sk.n_layers_, sk.out_activation_ = 1, 3, "logistic"
    sk.n_iter_, sk.t_, sk.loss_curve_, sk.best_loss_ = 0, 0, [], np.inf
    sk._no_improvement_count, sk.n_features_in_ = 0, 4
    for _ in range(3):
        sk.partial_fit(X, y, classes=[0, 1])
        gn.partial_fit(X, y, classes=[0, 1])
    for c_sk, c_gn in zip(sk.coefs_ + sk.intercepts_, gn.coefs_ + gn.intercepts_):
        np.testing.assert_allclose(c_gn, c_sk, rtol=1e-10)
    np.testing.assert_allclose(gn.predict_proba(X), sk.predict_proba(X), rtol=1e-10)


def test_weights_assigned_before_fit_read_back_and_item_assignment():
    gn = MLPClassifier(hidden_layer_sizes=3)
    gn.coefs_ = [0] * 2  # scikit-learn's own test fills the list item by item
    gn.coefs_[0] = np.ones((4, 3))
    gn.coefs_[1] = np.ones((3, 1))
    gn.intercepts_ = [np.zeros(3), np.zeros(1)]
    assert gn.coefs_[0].shape == (4, 3)
    gn.partial_fit(X, np.arange(12) % 2, classes=[0, 1])
    assert len(gn.coefs_) == 2 and gn.coefs_[0].shape == (4, 3)
    assert "_given_weights" not in vars(gn)  # used once, then the network's own arrays


def test_warm_start_fit_starts_from_assigned_weights():
    gn = MLPClassifier(hidden_layer_sizes=3, solver="sgd", learning_rate_init=1e-12,
                       max_iter=1, warm_start=True, random_state=0)  # fmt: skip
    W, b = _given(gn)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gn.fit(X, np.arange(12) % 2)
    for got, want in zip(gn.coefs_ + gn.intercepts_, W + b):
        np.testing.assert_allclose(got, want, atol=1e-9)


def test_fit_without_warm_start_says_it_replaced_assigned_weights():
    kw = dict(hidden_layer_sizes=3, max_iter=2, random_state=0)
    gn, plain = MLPClassifier(**kw), MLPClassifier(**kw)
    _given(gn)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.warns(UserWarning, match="assigned before fit were replaced.*warm_start=True"):
            gn.fit(X, np.arange(12) % 2)
        plain.fit(X, np.arange(12) % 2)
    for a, c in zip(gn.coefs_, plain.coefs_):  # scikit-learn's: fit starts over
        np.testing.assert_array_equal(a, c)


def test_assigned_weights_are_checked_when_used():
    gn = MLPClassifier(hidden_layer_sizes=3)
    gn.coefs_ = [np.ones((4, 3)), np.ones((3, 1))]
    with pytest.raises(ValueError, match="coefs_ was assigned before the first fit but intercep"):
        gn.partial_fit(X, np.arange(12) % 2, classes=[0, 1])
    gn = MLPClassifier(hidden_layer_sizes=3)
    gn.coefs_ = [np.ones((4, 3)), np.ones((2, 1))]
    gn.intercepts_ = [np.zeros(3), np.zeros(1)]
    with pytest.raises(ValueError, match=r"coefs_\[1\] must be a finite array of shape \(3, 1\)"):
        gn.partial_fit(X, np.arange(12) % 2, classes=[0, 1])
    gn = MLPClassifier(hidden_layer_sizes=3)
    with pytest.raises(AttributeError, match="not fitted yet"):
        _ = gn.coefs_


def test_early_stopping_error_is_scikit_learns_with_the_labels_named():
    est = MLPClassifier(early_stopping=True)
    with pytest.raises(ValueError) as info:
        est.fit([[1, 2], [2, 3], [3, 4], [4, 5]], ["no", "no", "no", "yes"])
    msg = str(info.value)
    assert "Classes with too few members are: ['True']" in msg
    assert "'False' is 'no', 'True' is 'yes'" in msg
    assert "set early_stopping=False" in msg


def test_early_stopping_split_is_scikit_learns():
    """Stratifying by scikit-learn's bool code splits as by the labels: the same rows held out."""
    Xs = np.random.default_rng(3).normal(size=(40, 3))
    y = np.r_[np.zeros(30), np.ones(10)].astype(int)
    kw = dict(hidden_layer_sizes=4, early_stopping=True, max_iter=3, random_state=5,
              validation_fraction=0.25, n_iter_no_change=100)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk, gn = SkC(**kw).fit(Xs, y), MLPClassifier(**kw).fit(Xs, y)
    np.testing.assert_allclose(gn.validation_scores_, sk.validation_scores_)
    # the two Adams round differently (about 1e-6 relative after 3 epochs); another split of
    # the 40 rows would move the weights far more
    np.testing.assert_allclose(gn.coefs_[0], sk.coefs_[0], rtol=1e-5)
    np.testing.assert_allclose(gn.loss_curve_, sk.loss_curve_, rtol=1e-6)


@pytest.mark.parametrize(
    "coefs, intercepts",
    [
        ([np.zeros((4, 4)), np.zeros((4, 1))], [np.zeros(4), np.zeros(1)]),  # a wrong shape
        ([np.zeros((4, 3)), np.zeros((3, 1))], [np.zeros(3), np.array([np.nan])]),  # NaN, last
    ],
)
def test_refused_assigned_weights_leave_the_estimator_unfitted_and_them_assigned(coefs, intercepts):
    gn = MLPClassifier(hidden_layer_sizes=3)
    gn.coefs_, gn.intercepts_ = coefs, intercepts
    for _ in range(2):  # refused again: the weights are still the ones assigned
        with pytest.raises(ValueError, match="must be a finite array"):
            gn.partial_fit(X, np.arange(12) % 2, classes=[0, 1])
    assert gn.coefs_ is coefs and gn.intercepts_ is intercepts
    with pytest.raises(NotFittedError):
        gn.predict(X)
    gn.coefs_ = [np.ones((4, 3)), np.ones((3, 1))]  # mended: used
    gn.intercepts_ = [np.zeros(3), np.zeros(1)]
    gn.set_params(learning_rate_init=1e-12).partial_fit(X, np.arange(12) % 2, classes=[0, 1])
    np.testing.assert_allclose(gn.coefs_[0], 1.0, atol=1e-9)


@pytest.mark.parametrize("y", [["a"], ["a"] * 5])
def test_early_stopping_split_errors_of_one_class_say_what_to_do(y):
    est = MLPClassifier(early_stopping=True, validation_fraction=0.1 if len(y) == 1 else 0.9)
    with pytest.raises(ValueError, match="Lower validation_fraction .*, or set early_stopping"):
        est.fit(X[: len(y)], y)
