"""The estimators as a scikit-learn user drives them: dropout draws new masks at every
partial_fit and warm-started fit; ``out_activation_ = 'identity'`` gives the logits as in
scikit-learn; a 1-D y after a multi-label fit is refused; L-BFGS refuses a loss that
overflowed; DOK sparse input is accepted; non-finite weights are named; scikit-learn's own
fitted MLP is named as such by glassnet's tools; hidden_layer_sizes errors say what is
wrong."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from glassnet.sklearn import MLPClassifier, MLPRegressor

X, Y = make_classification(64, 5, random_state=0)


def _quiet_fit(est, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **kw)


# ----------------------------------------------------------- dropout across calls
def _dropout_clf(**kw):
    return MLPClassifier(
        hidden_layer_sizes=(8,),
        dropout=0.5,
        random_state=0,
        solver="sgd",
        momentum=0,
        alpha=0,
        activation="tanh",
        **kw,
    )


def _kept_units(c, step):
    """The hidden units that one step on one sample updated (their outgoing weights moved):
    the units dropout kept."""
    W = c.coefs_[1].copy()  # (8, 1)
    step()
    return tuple(np.flatnonzero((c.coefs_[1] != W).ravel()).tolist())


def _partial_fit_masks():
    c = _dropout_clf()
    c.partial_fit(X[:1], Y[:1], classes=[0, 1])
    return [
        _kept_units(c, lambda i=i: c.partial_fit(X[i : i + 1], Y[i : i + 1])) for i in range(1, 6)
    ]


def test_partial_fit_draws_new_dropout_masks_at_each_call():
    masks = _partial_fit_masks()
    assert len(set(masks)) > 1, masks  # were the same units at every call
    assert _partial_fit_masks() == masks  # the same random_state and calls: the same masks


def test_warm_start_fit_draws_new_dropout_masks_at_each_fit():
    c = _quiet_fit(_dropout_clf(warm_start=True, max_iter=1), X[:1], Y[:1])
    masks = [_kept_units(c, lambda: _quiet_fit(c, X[:1], Y[:1])) for _ in range(5)]
    assert len(set(masks)) > 1, masks


# ------------------------------------------------------------ out_activation_
X3, Y3 = make_classification(100, 5, n_informative=3, n_classes=3, random_state=0)


@pytest.mark.parametrize("labels", ["multiclass", "binary", "multilabel"])
def test_identity_out_activation_gives_the_logits_as_sklearn(labels):
    from sklearn.neural_network import MLPClassifier as SkMLP

    y = {"multiclass": Y3, "binary": Y3 > 0, "multilabel": np.c_[Y3 == 0, Y3 > 1].astype(int)}
    kw = dict(hidden_layer_sizes=(6,), max_iter=20, random_state=0, solver="lbfgs")
    ours = _quiet_fit(MLPClassifier(**kw), X3, y[labels])
    theirs = _quiet_fit(SkMLP(**kw), X3, y[labels])
    for c in (ours, theirs):
        c.out_activation_ = "identity"
    P = ours.predict_proba(X3[:5])
    np.testing.assert_allclose(P, theirs.predict_proba(X3[:5]), rtol=1e-4, atol=1e-6)
    assert P.min() < 0 or P.max() > 1  # logits, not probabilities
    np.testing.assert_array_equal(ours.predict(X3), theirs.predict(X3))
    with pytest.raises(ValueError, match="raw outputs.*no logarithm"):
        ours.predict_log_proba(X3[:5])


@pytest.mark.parametrize("head", ["softmx", "Identity", "relu", None])
def test_unknown_out_activation_is_refused(head):
    c = _quiet_fit(MLPClassifier(hidden_layer_sizes=(6,), max_iter=5, random_state=0), X3, Y3)
    c.out_activation_ = head
    for method in (c.predict_proba, c.predict, c.predict_log_proba):
        with pytest.raises(ValueError, match="'logistic'.*'softmax'.*'identity'.*fitted with"):
            method(X3[:2])


# ------------------------------------------------------- L-BFGS and a loss that overflowed
def test_lbfgs_refuses_a_regression_loss_that_overflowed_as_adam_does():
    from sklearn.datasets import make_regression

    Xr, yr = make_regression(200, 5, random_state=0)
    messages = []
    for solver in ("adam", "lbfgs"):
        r = MLPRegressor(solver=solver, max_iter=20, random_state=0)
        with pytest.raises(ValueError, match="training loss overflowed") as e:
            _quiet_fit(r, Xr, yr * 1e160)
        messages.append(str(e.value))
        assert all(np.isfinite(w).all() for w in r.coefs_)
    assert "Scale y, e.g. sklearn.compose.TransformedTargetRegressor" in messages[1]
    assert "the loss is inf at the initial weights" in messages[1]


def test_lbfgs_keeps_the_lowest_finite_loss_when_a_step_overflows():
    # SciPy stops where a step's loss is NaN and returns that NaN: loss_ was NaN
    c = MLPClassifier(solver="lbfgs", max_iter=20, random_state=0)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        c.fit(X * 1e300, Y)
    assert np.isfinite(c.loss_) and c.loss_ == c.best_loss_
    assert all(np.isfinite(w).all() for w in c.coefs_)
    with np.errstate(over="ignore"):
        c.predict_proba(X[:3])


# ------------------------------------------------------------------ DOK sparse input
@pytest.mark.parametrize("kind", ["dok_matrix", "dok_array"])
@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor])
def test_dok_sparse_input_is_accepted_as_csr(Est, kind):
    import scipy.sparse as sp

    est = Est(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    dense = _quiet_fit(clone_of(est), X, Y)
    dok = _quiet_fit(est, getattr(sp, kind)(X), Y)
    np.testing.assert_allclose(dok.predict(getattr(sp, kind)(X)), dense.predict(X))
    for a, b in zip(dok.coefs_, dense.coefs_):
        np.testing.assert_array_equal(a, b)


def clone_of(est):
    from sklearn.base import clone

    return clone(est)


# ------------------------------------------------------------- non-finite weights
@pytest.fixture
def written():
    """A fitted classifier with NaN written into coefs_[0] (a live view) at [1, 2]."""
    c = _quiet_fit(MLPClassifier((4,), max_iter=5, random_state=0, warm_start=True), X, Y)
    c.coefs_[0][1, 2] = np.nan
    return c


def test_a_nonfinite_weight_is_named_by_predict_not_blamed_on_x(written):
    for method in (written.predict, written.predict_proba):
        with pytest.raises(ValueError, match=r"coefs_\[0\]\[1, 2\] is nan") as e:
            method(X)
        assert "Scale X" not in str(e.value)
    r = _quiet_fit(MLPRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0), X, X[:, 0])
    r.intercepts_[1][0] = np.inf
    with pytest.raises(ValueError, match=r"intercepts_\[1\]\[0\] is inf.*predictions"):
        r.predict(X)


def test_a_nonfinite_weight_is_named_by_a_later_fit_not_blamed_on_the_rate(written):
    for call in (lambda: written.partial_fit(X, Y), lambda: _quiet_fit(written, X, Y)):
        with pytest.raises(ValueError, match=r"coefs_\[0\]\[1, 2\] is nan.*training") as e:
            call()
        assert "learning rate" not in str(e.value)
    assert np.isnan(written.coefs_[0][1, 2])  # refused before training: left as it was


# ------------------------------------------- scikit-learn's own MLP in glassnet's tools
def _sk_fitted(**kw):
    from sklearn.neural_network import MLPClassifier as SkMLP

    return _quiet_fit(SkMLP(hidden_layer_sizes=(4,), max_iter=8, random_state=0, **kw), X, Y)


def test_summary_names_a_scikit_learn_mlp_as_scikit_learns():
    import glassnet as gn

    with pytest.raises(TypeError, match="scikit-learn's own estimator.*glassnet.sklearn") as e:
        gn.summary(_sk_fitted())
    assert "fit it, then" not in str(e.value)


@pytest.mark.parametrize("early_stopping", [False, True])
def test_plot_history_draws_a_fitted_scikit_learn_mlps_curves(early_stopping):
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    import glassnet as gn

    sk = _sk_fitted(early_stopping=early_stopping)
    fig = gn.viz.plot_history(sk)
    lines = fig.axes[0].get_lines()
    np.testing.assert_allclose(lines[0].get_ydata(), sk.loss_curve_)
    if early_stopping:
        assert len(fig.axes) == 2
        np.testing.assert_allclose(fig.axes[1].get_lines()[0].get_ydata(), sk.validation_scores_)
    plt.close(fig)


def test_plot_history_of_an_unfitted_scikit_learn_mlp_says_whose_it_is():
    from sklearn.neural_network import MLPClassifier as SkMLP

    import glassnet as gn

    with pytest.raises(TypeError, match="scikit-learn's own estimator, not fitted yet"):
        gn.viz.plot_history(SkMLP())


# -------------------------------------------------------------- 'sigmoid', an alias
def test_sigmoid_is_a_documented_alias_listed_in_the_errors():
    kw = dict(max_iter=5, random_state=0)
    a = _quiet_fit(MLPClassifier((4,), activation="sigmoid", **kw), X, Y)
    b = _quiet_fit(MLPClassifier((4,), activation="logistic", **kw), X, Y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    listed = "'logistic', 'sigmoid' \\(the same\\), 'tanh'"
    with pytest.raises(ValueError, match=listed):
        MLPClassifier((4,), activation="Sigmoid", **kw).fit(X, Y)
    with pytest.raises(ValueError, match=listed):
        MLPClassifier((4, 4), activation=["relu", "Sigmoid"], **kw).fit(X, Y)
    with pytest.raises(ValueError, match="'sigmoid'"):
        MLPRegressor(output_activation="Sigmoid").fit(X, X[:, 0])
    # 'sigmoid' is an output_activation like 'logistic': poisson's own output refuses both
    with pytest.raises(ValueError, match="loss='poisson' has its own output"):
        MLPRegressor(loss="poisson", output_activation="sigmoid").fit(X, np.abs(X[:, 0]))


# ------------------------------------------------------------ hidden_layer_sizes errors
@pytest.mark.parametrize(
    "sizes, why",
    [
        ((5.0,), "5.0 is a float, not an int"),
        (None, "None is not a number"),
        ("10", "'10' is a str, not an int"),
        (True, "True is a bool, not an int"),
        ([[10]], "[10] is a list, not an int"),
    ],
)
def test_hidden_layer_sizes_errors_say_what_is_wrong(sizes, why):
    with pytest.raises(ValueError, match="must hold ints >= 1") as e:
        MLPClassifier(hidden_layer_sizes=sizes).fit(X, Y)
    assert why in str(e.value) and "> 0" not in str(e.value)


@pytest.mark.parametrize("sizes", [(10, 0), -1, (0,)])
def test_hidden_layer_sizes_not_positive_keep_scikit_learns_words(sizes):
    with pytest.raises(ValueError, match="hidden_layer_sizes must be > 0"):
        MLPClassifier(hidden_layer_sizes=sizes).fit(X, Y)


def test_plot_history_of_scikit_learns_lbfgs_mlp_says_it_has_no_curve():
    # it said "not fitted yet" of a fitted one: scikit-learn's lbfgs records no loss_curve_
    pytest.importorskip("matplotlib")
    import warnings

    from sklearn.neural_network import MLPClassifier as SkMLP

    from glassnet.viz import plot_history

    X, y = np.random.default_rng(0).normal(size=(40, 3)), np.arange(40) % 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = SkMLP(solver="lbfgs", max_iter=5, random_state=0).fit(X, y)
    with pytest.raises(TypeError, match="solver='lbfgs', which records no loss_curve_") as e:
        plot_history(m)
    assert "not fitted" not in str(e.value)


def test_explain_names_scikit_learns_own_mlp_as_such():
    # a fitted scikit-learn MLP was told "an estimator has its network once fitted: fit it"
    import warnings

    from sklearn.neural_network import MLPClassifier as SkMLP

    import glassnet as gn

    X, y = np.random.default_rng(0).normal(size=(40, 3)), np.arange(40) % 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = SkMLP(max_iter=5, random_state=0).fit(X, y)
    with pytest.raises(
        TypeError, match=r"own estimator \(sklearn\..*Fit glassnet.sklearn.MLPClassifier"
    ) as e:
        gn.explain(m, X[0], y[0])
    assert "fit it, then" not in str(e.value)
