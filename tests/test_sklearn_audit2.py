"""Audit of the scikit-learn drop-in against scikit-learn's own MLP, side by side: each test
is a difference a user of ``sklearn.neural_network`` would hit, and fails before its fix."""

from __future__ import annotations

import copy
import pickle
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("scipy")

from sklearn import neural_network as skl  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from glassnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

X, Y = load_iris(return_X_y=True)


def _both(ours, theirs, **kw):
    """The same estimator fitted by glassnet and by scikit-learn: full-batch SGD, whose
    weights agree to float64 rounding (the docs' 1e-10 loss curves)."""
    base = dict(hidden_layer_sizes=(6,), solver="sgd", max_iter=30, random_state=0, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return ours(**base).fit(X, Y), theirs(**base).fit(X, Y)


# ------------------------------------------------ coefs_[i] = W writes the layer
@pytest.mark.parametrize("name", ["coefs_", "intercepts_"])
def test_assigning_an_item_of_coefs_changes_the_model_as_in_sklearn(name):
    ours, theirs = _both(MLPClassifier, skl.MLPClassifier)
    for est in (ours, theirs):
        arrays = getattr(est, name)
        getattr(est, name)[0] = np.zeros_like(arrays[0])  # was a silent no-op
        getattr(est, name)[-1] = np.full_like(arrays[-1], 0.5)
    for i in (0, 1):
        np.testing.assert_array_equal(getattr(ours, name)[i], getattr(theirs, name)[i])
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-12)


def test_assigning_a_slice_of_coefs_changes_the_model_and_the_list_shows_it():
    ours, theirs = _both(MLPRegressor, skl.MLPRegressor)
    for est in (ours, theirs):
        coefs = est.coefs_
        coefs[:] = [np.ones_like(c) * 0.1 for c in coefs]
        assert all(np.all(c == 0.1) for c in coefs)  # the list read before shows the values
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-12)


def test_training_continues_from_the_assigned_weights():
    est = MLPClassifier(hidden_layer_sizes=(6,), solver="sgd", max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, Y)
    W = np.random.default_rng(0).normal(size=est.coefs_[0].shape)
    est.coefs_[0] = W
    ref = copy.deepcopy(est)
    ref.coefs_ = [W, ref.coefs_[1]]  # the documented whole-list assignment
    est.partial_fit(X, Y)
    ref.partial_fit(X, Y)
    np.testing.assert_array_equal(est.coefs_[0], ref.coefs_[0])
    assert not np.array_equal(est.coefs_[0], W)  # it trained from W


@pytest.mark.parametrize(
    "value, match",
    [
        (
            np.zeros((3, 6)),
            r"coefs_\[0\] must be a finite array of shape \(4, 6\). Got shape \(3, 6\)",
        ),
        (np.full((4, 6), np.nan), r"coefs_\[0\] must be a finite array. Got NaN or inf"),
    ],
)
def test_an_item_of_the_wrong_shape_or_not_finite_is_refused_and_nothing_changes(value, match):
    est, _ = _both(MLPClassifier, skl.MLPClassifier)
    before = est.coefs_[0].copy()
    with pytest.raises(ValueError, match=match):
        est.coefs_[0] = value
    np.testing.assert_array_equal(est.coefs_[0], before)


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c.append(c[0]),
        lambda c: c.extend([c[0]]),
        lambda c: c.insert(0, c[0]),
        lambda c: c.pop(),
        lambda c: c.remove(c[0]),
        lambda c: c.clear(),
        lambda c: c.reverse(),
        lambda c: c.__delitem__(0),
        lambda c: c.__setitem__(slice(0, 2), [c[0]]),
    ],
)
def test_changing_the_number_of_layers_through_coefs_is_an_error(change):
    est, _ = _both(MLPClassifier, skl.MLPClassifier)
    with pytest.raises(TypeError, match=r"one array per layer \(2\), set by hidden_layer_sizes"):
        change(est.coefs_)
    with pytest.raises(TypeError, match="hidden_layer_sizes"):
        est.coefs_ += [est.coefs_[0]]
    assert len(est.coefs_) == 2


def test_copies_of_coefs_are_plain_lists_of_arrays():
    est, _ = _both(MLPClassifier, skl.MLPClassifier)
    deep, pickled = copy.deepcopy(est.coefs_), pickle.loads(pickle.dumps(est.intercepts_))
    assert type(deep) is list and type(pickled) is list
    deep[0][...] = 0  # a deep copy: the model keeps its weights
    assert np.abs(est.coefs_[0]).sum() > 0
    shallow = copy.copy(est.coefs_)
    assert type(shallow) is list and shallow[0] is not None
    assert isinstance(est.coefs_, list)


# ------------------------------------- a 2-D y of other values than 0/1 is named
@pytest.mark.parametrize("code", ["-1/1", "0/2"])
@pytest.mark.parametrize("how", ["fit", "partial_fit"])
def test_a_multilabel_y_that_is_not_0_1_is_refused_in_the_estimators_terms(code, how):
    rng = np.random.default_rng(0)
    Y01 = (rng.random((40, 3)) > 0.5).astype(int)
    Yc = Y01 * 2 - 1 if code == "-1/1" else Y01 * 2
    shown = "-1, 1" if code == "-1/1" else "0, 2"
    est = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    Xs = rng.normal(size=(40, 2))
    with pytest.raises(ValueError, match=rf"0/1 indicator matrix .* y holds the values {shown}\."):
        if how == "fit":
            est.fit(Xs, Yc)
        else:  # (a sparse y of such values is scikit-learn's multiclass-multioutput error)
            est.partial_fit(Xs, Yc, classes=[0, 1, 2])


def test_a_multiclass_y_on_a_multilabel_network_is_one_hot_as_in_sklearn():
    """warm_start with a 1-D y on a network fitted multi-label: each sample has one label,
    as scikit-learn's LabelBinarizer reads it (only a 2-D y must be 0/1)."""
    rng = np.random.default_rng(0)
    Xs, Y01 = rng.normal(size=(40, 2)), (rng.random((40, 3)) > 0.5).astype(int)
    kw = dict(hidden_layer_sizes=(4,), solver="sgd", max_iter=5, random_state=0, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = MLPClassifier(**kw).fit(Xs, Y01).fit(Xs, np.arange(40) % 3)
        theirs = skl.MLPClassifier(**kw).fit(Xs, Y01).fit(Xs, np.arange(40) % 3)
    np.testing.assert_array_equal(ours.predict(Xs), theirs.predict(Xs))


def test_a_sparse_0_1_multilabel_y_still_fits():
    import scipy.sparse as sp

    rng = np.random.default_rng(0)
    Xs, Y01 = rng.normal(size=(40, 2)), (rng.random((40, 3)) > 0.5).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0).fit(Xs, Y01)
        est = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
        est.fit(Xs, sp.csr_matrix(Y01))
    np.testing.assert_array_equal(est.predict_proba(Xs), dense.predict_proba(Xs))


# ------------------------- regression targets beyond float32 are named, not "NaN or inf"
@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
@pytest.mark.parametrize("how", ["float32 X", "dtype='float32'"])
def test_targets_beyond_float32_say_so_and_how_to_fix_it(loss, solver, how):
    y = np.abs(Y.astype(np.float64)) * 1e39  # finite, beyond float32's 3.4e38
    Xs, kw = (X.astype(np.float32), {}) if how == "float32 X" else (X, {"dtype": "float32"})
    est = MLPRegressor(hidden_layer_sizes=(4,), loss=loss, solver=solver, max_iter=3, **kw)
    fix = "fit it on float64 X" if how == "float32 X" else "use dtype='float64'"
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow warning on the way
        with pytest.raises(ValueError, match=r"y has values up to 2e\+39, beyond the range") as e:
            est.fit(Xs, y)
    assert "NaN or inf" not in str(e.value)
    assert fix in str(e.value) and "TransformedTargetRegressor" in str(e.value)


def test_large_targets_within_float32_still_train_in_float32():
    y = Y.astype(np.float64) * 1e15  # large, and their squares within float32's range
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = MLPRegressor(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
        est.fit(X.astype(np.float32), y)
    assert est.coefs_[0].dtype == np.float32
    assert est.predict(X.astype(np.float32)).dtype == np.float32


# ------------- a later partial_fit and copies keep the fit's optimizer, as scikit-learn does
def _partial_fits(module, first, then, calls=4):
    """scikit-learn's or glassnet's SGD classifier: 3 partial_fit calls, set_params(**then),
    ``calls`` more; returns the estimator."""
    from sklearn.preprocessing import StandardScaler

    Xs = StandardScaler().fit_transform(X)
    kw = dict(hidden_layer_sizes=(5,), solver="sgd", random_state=0, shuffle=False, **first)
    est = module.MLPClassifier(**kw)
    for _ in range(3):
        est.partial_fit(Xs, Y, classes=[0, 1, 2])
    est.set_params(**then)
    for _ in range(calls):
        est.partial_fit(Xs, Y)
    return est


@pytest.mark.parametrize(
    "first, then",
    [
        ({}, {"solver": "adam", "activation": "tanh"}),  # was: ValueError loading SGD's state
        ({}, {"learning_rate": "adaptive", "tol": 10.0, "n_iter_no_change": 1}),
        (
            {"learning_rate": "adaptive", "tol": 10.0, "n_iter_no_change": 1},
            {"learning_rate": "constant"},
        ),
        (
            {"learning_rate": "invscaling", "learning_rate_init": 0.5},
            {"learning_rate": "constant", "activation": "tanh"},
        ),
    ],
)
def test_a_later_partial_fit_keeps_the_optimizer_as_sklearn(first, then):
    import glassnet.sklearn as gn

    ours, theirs = _partial_fits(gn, first, then), _partial_fits(skl, first, then)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-10)
    assert ours._optimizer.lr == pytest.approx(theirs._optimizer.learning_rate, rel=1e-12)


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
@pytest.mark.parametrize(
    "first, then",
    [
        ({}, {"solver": "lbfgs"}),  # was: ValueError, SGD's state loaded into an Adam
        ({}, {"solver": "adam"}),
        ({"learning_rate": "invscaling", "learning_rate_init": 0.5}, {"learning_rate": "constant"}),
    ],
)
def test_a_copy_after_set_params_keeps_training_as_the_original(how, first, then):
    import glassnet.sklearn as gn

    est = _partial_fits(gn, first, then, calls=0)
    copied = copy.deepcopy(est) if how == "deepcopy" else pickle.loads(pickle.dumps(est))
    assert type(copied._optimizer) is type(est._optimizer)
    est.set_params(solver="sgd")  # partial_fit needs a stochastic solver; the optimizer stays
    copied.set_params(solver="sgd")
    for e in (est, copied):
        for _ in range(3):
            e.partial_fit(X, Y)
    np.testing.assert_array_equal(copied.coefs_[0], est.coefs_[0])  # was: the schedule dropped
    np.testing.assert_array_equal(copied.loss_curve_, est.loss_curve_)


# ------------------- predict leaves the model's training flag alone: thread-safe with dropout
def _dropout_clf():
    rng = np.random.default_rng(0)
    Xs = rng.normal(size=(400, 20))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier((64, 64), dropout=0.5, max_iter=3, random_state=0)
        return clf.fit(Xs, (Xs[:, 0] > 0).astype(int)), Xs


def test_predict_never_switches_the_models_mode(monkeypatch):
    """predict switched model_ to eval mode and back: a predict in another thread could run
    with dropout on in between (wrong probabilities), or leave the model in eval mode."""
    clf, Xs = _dropout_clf()
    ref = clf.predict_proba(Xs)

    def refuse(*a, **k):
        raise AssertionError("predict changed model_'s training mode")

    monkeypatch.setattr(clf.model_, "eval", refuse)
    monkeypatch.setattr(clf.model_, "train", refuse)
    clf.model_.training = True  # (as another thread's fit or predict may have left it)
    np.testing.assert_array_equal(clf.predict_proba(Xs), ref)  # dropout is not applied
    np.testing.assert_array_equal(clf.predict(Xs), ref.argmax(axis=1))
    assert clf.model_.training


def test_concurrent_predictions_with_dropout_are_exact():
    from concurrent.futures import ThreadPoolExecutor

    clf, Xs = _dropout_clf()
    ref = clf.predict_proba(Xs)
    with ThreadPoolExecutor(4) as pool:
        outs = list(pool.map(lambda _: clf.predict_proba(Xs), range(40)))
    for out in outs:
        np.testing.assert_array_equal(out, ref)


def test_a_coefs_list_read_before_a_new_fit_cannot_write_into_the_new_network():
    """scikit-learn's fit makes new lists, so an old one no longer reaches the model; here
    writing through it is an error, not a write into the network the new fit built."""
    est, _ = _both(MLPClassifier, skl.MLPClassifier)
    old = est.coefs_
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, Y)
    before = est.coefs_[0].copy()
    with pytest.raises(ValueError, match=r"read before a fit built a new network"):
        old[0] = np.zeros_like(before)
    np.testing.assert_array_equal(est.coefs_[0], before)
    est.set_params(warm_start=True)  # a warm start keeps the network: the list still writes
    kept = est.coefs_
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, Y)
    kept[0] = np.zeros_like(before)
    assert not est.coefs_[0].any()
