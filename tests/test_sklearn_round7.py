"""The estimators against scikit-learn 1.9's checks and habits: predict_proba and
predict_log_proba tied alike at their floor, parameters checked before partial_fit's
classes, a refused fit that leaves the estimator as it was, and class_weight='balanced'
counting sample weights."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.datasets import load_iris, make_blobs, make_multilabel_classification  # noqa: E402
from sklearn.exceptions import ConvergenceWarning, NotFittedError  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import (  # noqa: E402
    check_classifiers_train,
    check_sample_weight_equivalence_on_dense_data,
)
from sklearn.utils.validation import check_is_fitted  # noqa: E402

from glassnet.sklearn import MLPClassifier, MLPParameterError, MLPRegressor  # noqa: E402

TINY = np.finfo(np.float64).tiny


def _iris():
    X, y = load_iris(return_X_y=True)
    return (X - X.mean(0)) / X.std(0), y


def _quiet_fit(est, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kw)


# ---------------------------------------------- predict_proba / predict_log_proba ties
def test_lbfgs_classifier_passes_check_classifiers_train():
    # at the default max_iter the lbfgs network separates the blobs so far that a row's
    # other classes fall below predict_proba's floor: the logs were left apart there
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check_classifiers_train("MLPClassifier", MLPClassifier(solver="lbfgs"))


def test_probabilities_tied_at_the_floor_have_tied_logs():
    X, y = make_blobs(300, random_state=0)
    X = StandardScaler().fit_transform(X)
    clf = _quiet_fit(MLPClassifier(solver="lbfgs", random_state=0), X, y)
    P, L = clf.predict_proba(X), clf.predict_log_proba(X)
    floor = P == TINY
    assert floor.any()  # the case: a softmax row whose other classes underflow
    np.testing.assert_array_equal(L[floor], np.log(TINY))
    assert np.all(L[~floor] > np.log(TINY))
    # every pair of classes in every row: P and log P order them alike, ties included
    dP = np.sign(P[:, :, None] - P[:, None, :])
    dL = np.sign(L[:, :, None] - L[:, None, :])
    np.testing.assert_array_equal(dP, dL)
    np.testing.assert_array_equal(np.argsort(P, axis=1), np.argsort(L, axis=1))
    assert np.all(np.isfinite(L))


@pytest.mark.parametrize("kind", ["multiclass", "binary", "multilabel"])
def test_floor_ties_for_every_output(kind):
    rng = np.random.RandomState(0)
    Xm, Ym = make_multilabel_classification(n_samples=60, n_classes=4, random_state=0)
    y = {"multilabel": Ym, "multiclass": Ym.argmax(axis=1), "binary": Ym[:, 0]}[kind]
    clf = MLPClassifier(hidden_layer_sizes=(6,), max_iter=1, random_state=0)
    _quiet_fit(clf, Xm, y)
    X = rng.standard_normal((400, Xm.shape[1]))
    clf.coefs_[-1][...] = rng.standard_normal(clf.coefs_[-1].shape) * 1e3  # logits to +-1e4
    P, L = clf.predict_proba(X), clf.predict_log_proba(X)
    floor = P == TINY
    assert floor.any()
    if kind == "binary":
        # since round 21 a binary's first column is 1 - p (scikit-learn's complement), at
        # the floor where p rounds to 1.0 (logits above about 37, not only past the
        # floor's -708); its log stays the exact log-sigmoid, floored only past -708: the
        # tie rule holds for the column of p, and the first column's logs are checked
        np.testing.assert_array_equal(L[:, 1] == np.log(TINY), floor[:, 1])
        assert (P[floor[:, 0], 1] == 1.0).all()
        assert (L[floor[:, 0], 0] < -36.0).all()  # -log(1 + e^z) for z > 36, finite
        assert np.isfinite(L).all()
    else:
        np.testing.assert_array_equal(L == np.log(TINY), floor)
    dP = np.sign(P[:, :, None] - P[:, None, :])
    dL = np.sign(L[:, :, None] - L[:, None, :])
    np.testing.assert_array_equal(dP, dL)


# ------------------------------------------- partial_fit: parameters before classes
def test_partial_fit_checks_parameters_before_taking_classes():
    X, y = _iris()
    clf = MLPClassifier(alpha=-1, random_state=0)
    with pytest.raises(MLPParameterError, match="alpha"):
        clf.partial_fit(X, y, classes=[0, 1, 2, 3])
    assert not hasattr(clf, "classes_")
    clf.set_params(alpha=1e-4).partial_fit(X, y, classes=[0, 1, 2])
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])


def test_partial_fit_refusing_balanced_keeps_no_classes():
    X, y = _iris()
    clf = MLPClassifier(class_weight="balanced", random_state=0)
    with pytest.raises(ValueError, match="class_weight='balanced' is not supported"):
        clf.partial_fit(X, y, classes=[0, 1, 2, 3])
    assert not hasattr(clf, "classes_")
    clf.set_params(class_weight=None).partial_fit(X, y, classes=[0, 1, 2])
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])


def test_a_refused_first_partial_fit_leaves_the_estimator_unfitted_and_bare():
    X, y = _iris()
    clf = MLPClassifier(random_state=0)
    before = dict(clf.__dict__)
    with pytest.raises(ValueError, match="Negative values"):
        clf.partial_fit(X, y, sample_weight=-np.ones(150), classes=[0, 1, 2, 3])
    assert clf.__dict__ == before
    with pytest.raises(NotFittedError):
        check_is_fitted(clf)
    clf.partial_fit(X, y, classes=[0, 1, 2])  # other classes: no trace of the refused call
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])


# ------------------------------------------------- a refused fit changes nothing
def _refusals():
    """(estimator, first fit's (X, y), refit's (X, y), its fit kwargs, set_params before
    it, the error's words): each refit is refused by a check after the input checks began
    setting attributes (or, for the last ones, after a new network was built)."""
    X, y = _iris()
    neg = np.ones(150)
    neg[0] = -1
    C = dict(hidden_layer_sizes=(5,), max_iter=300, random_state=0)
    R = dict(hidden_layer_sizes=(5,), max_iter=200, random_state=0)
    abc = np.array(["c", "b", "a"])[y]
    y02 = np.c_[y == 0, y == 1].astype(int) * 2
    big = np.c_[X[:, :3], np.full(150, 1e300)]
    cases = [
        ("negative weights, new labels", MLPClassifier(**C), (X, y), (X, abc),
         dict(sample_weight=neg), {}, "Negative values"),
        ("0/2 multi-label y", MLPClassifier(**C), (X, y), (X[:, :3], y02),
         {}, {}, "0/1 indicator"),
        ("class_weight names no class", MLPClassifier(**C), (X, y), (X[:, :2], abc),
         {}, dict(class_weight={7: 2.0}), "not classes"),
        ("no sample held out", MLPClassifier(**C), (X, y), (X[:, :3], y % 2),
         {}, dict(early_stopping=True, validation_fraction=0.0), "validation_fraction=0.0"),
        ("zero class weights", MLPClassifier(solver="lbfgs", **C), (X, y), (X[:, :3], y % 2),
         {}, dict(class_weight={0: 0.0, 1: 0.0}), "zero for every sample"),
        ("X beyond float32", MLPClassifier(**C), (X, y), (big, y % 2),
         {}, dict(dtype="float32"), "beyond the range"),
        ("poisson with a negative y", MLPRegressor(**R), (X, X[:, 0]), (X[:, :3], X[:, 3]),
         {}, dict(loss="poisson"), "needs y >= 0"),
        ("logistic output, y out of range", MLPRegressor(**R), (X, X[:, 0]),
         (X[:, :2], X[:, :2] * 5), {}, dict(output_activation="logistic"), "Rescale y"),
        ("warm start, other layers", MLPRegressor(**R), (X, X[:, 0]), (X, X[:, 1]),
         {}, dict(warm_start=True, hidden_layer_sizes=(4,)), "hidden_layer_sizes"),
    ]  # fmt: skip
    return [pytest.param(*case[1:], id=case[0]) for case in cases]


@pytest.mark.parametrize("est, first, refit, fit_kw, params, match", _refusals())
def test_a_refused_refit_leaves_a_fitted_estimator_exactly_as_it_was(
    est, first, refit, fit_kw, params, match
):
    X0 = first[0]
    _quiet_fit(est, *first)
    pred = est.predict(X0)
    proba = est.predict_proba(X0) if hasattr(est, "predict_proba") else None
    coefs = [c.copy() for c in est.coefs_]
    est.set_params(**params)
    before = dict(est.__dict__)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.raises(ValueError, match=match):
            est.fit(*refit, **fit_kw)
    assert est.__dict__.keys() == before.keys()
    changed = [k for k in before if est.__dict__[k] is not before[k]]
    assert changed == []
    np.testing.assert_array_equal(est.predict(X0), pred)
    if proba is not None:
        np.testing.assert_array_equal(est.predict_proba(X0), proba)
    for a, b in zip(est.coefs_, coefs):
        np.testing.assert_array_equal(a, b)
    assert est.n_features_in_ == X0.shape[1]


def test_the_audits_example_predicts_the_right_labels_after_a_refused_refit():
    X, y = _iris()
    clf = _quiet_fit(MLPClassifier(max_iter=300, random_state=0), X, y)
    w = np.ones(150)
    w[0] = -1
    with pytest.raises(ValueError, match="Negative values"):
        clf.fit(X, np.array(["c", "b", "a"])[y], sample_weight=w)
    np.testing.assert_array_equal(clf.predict(X[[0, 60, 120]]), [0, 1, 2])
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])


def test_a_refused_refit_keeps_feature_names():
    pd = pytest.importorskip("pandas")
    X, y = _iris()
    df = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    reg = _quiet_fit(MLPRegressor(hidden_layer_sizes=(5,), max_iter=50, random_state=0), df, y)
    with pytest.raises(ValueError, match="needs y >= 0"):
        reg.set_params(loss="poisson").fit(df[["a", "b", "c"]], y - 1.0)
    np.testing.assert_array_equal(reg.feature_names_in_, ["a", "b", "c", "d"])
    assert reg.n_features_in_ == 4
    reg.predict(df)  # the original 4 columns, by name, without a warning


def test_a_first_fit_refused_leaves_the_estimator_unfitted():
    X, y = _iris()
    reg = MLPRegressor(loss="poisson")
    before = dict(reg.__dict__)
    with pytest.raises(ValueError, match="needs y >= 0"):
        reg.fit(X, y - 1.0)
    assert reg.__dict__ == before
    with pytest.raises(NotFittedError):
        check_is_fitted(reg)


def test_a_failure_once_training_started_keeps_the_weights_reached():
    # diverging SGD raises after training started: the weights it reached stay (documented)
    X, y = _iris()
    reg = MLPRegressor(activation="identity", solver="sgd", learning_rate_init=1, max_iter=50)
    with pytest.raises(ValueError, match="non-finite"):
        reg.fit(X * 1e3, y * 1e3)
    check_is_fitted(reg)
    assert reg.n_iter_ >= 1 or reg.t_ > 0


# --------------------------------------------- class_weight='balanced' and weights
def test_balanced_class_weight_counts_sample_weights():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check_sample_weight_equivalence_on_dense_data(
            "MLPClassifier", MLPClassifier(class_weight="balanced", random_state=0)
        )


def test_balanced_weight_3_is_the_row_three_times():
    X, y = _iris()
    rows = np.r_[0:30, 50:70, 100:110]  # unbalanced: 30, 20, 10
    X, y = X[rows], y[rows]
    w = np.arange(len(y)) % 4  # 0..3
    kw = dict(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=30, random_state=0)
    kw["class_weight"] = "balanced"
    a = _quiet_fit(MLPClassifier(**kw), X, y, sample_weight=w.astype(float))
    b = _quiet_fit(MLPClassifier(**kw), np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(a.loss_, b.loss_, rtol=1e-7)


def test_balanced_with_a_class_whose_rows_all_weigh_zero():
    X, y = _iris()
    w = np.where(y == 2, 0.0, 1.0)
    clf = _quiet_fit(
        MLPClassifier((4,), solver="lbfgs", max_iter=20, class_weight="balanced"),
        X,
        y,
        sample_weight=w,
    )
    assert np.all(np.isfinite(clf.predict_proba(X)))


# --------------------------------------------------------- documented behaviour
def test_multilabel_partial_fit_classes_follow_the_labels():
    # docs/sklearn.md, Differences: classes=[0, 1, 2] for a 2-label y gives classes_ [0, 1]
    # (one per output); scikit-learn gives [0, 1, 2] for its 2 outputs
    Xm, Ym = make_multilabel_classification(n_samples=60, n_classes=2, random_state=0)
    clf = MLPClassifier((5,), random_state=0).partial_fit(Xm, Ym, classes=[0, 1, 2])
    np.testing.assert_array_equal(clf.classes_, [0, 1])
    assert clf.predict_proba(Xm).shape == (60, 2)


@pytest.mark.parametrize(
    "est",
    [MLPClassifier(dtype="float32"), MLPRegressor(dtype="float32", solver="lbfgs")],
    ids=["classifier", "regressor-lbfgs"],
)
def test_float32_predictions_by_batch_agree_to_float32_rounding(est):
    # docs/sklearn.md: with dtype='float32', check_methods_subset_invariance (rtol=1e-7) can
    # fail: a prediction depends on the batch it is computed in by float32 rounding. An
    # output is a sum over the 100 hidden units of terms near 1, summed by BLAS in an order
    # that depends on the batch's size (and the machine's threads): the differences are a
    # few eps (1.2e-7) of those terms, absolute, so an output near 0 moves by up to ~1e-6
    # (1.4e-6 measured on CI's machine) while its relative difference is large
    rng = np.random.RandomState(0)
    X = 3 * rng.uniform(size=(20, 3))
    y = X[:, 0].astype(int)
    fitted = _quiet_fit(est, X, y)
    method = fitted.predict_proba if hasattr(fitted, "predict_proba") else fitted.predict
    whole = method(X)
    parts = np.concatenate([method(X[i : i + 2]) for i in range(0, 20, 2)])
    np.testing.assert_allclose(parts, whole, rtol=1e-5, atol=100 * np.finfo(np.float32).eps)


def test_adam_matches_scikit_learn_on_near_constant_inputs() -> None:
    """Adam's epsilon enters where scikit-learn's AdamOptimizer adds it. On digits (pixels
    that are almost always 0: tiny second moments) PyTorch's placement made the loss curves
    differ by 6e-3 relative and the probabilities by 8e-3."""
    from sklearn.datasets import load_digits
    from sklearn.neural_network import MLPClassifier as SkMLP

    X, y = load_digits(return_X_y=True)
    X = X[:500] / 16.0
    y = y[:500]
    kw = dict(hidden_layer_sizes=(20,), batch_size=100, shuffle=False, max_iter=20,
              random_state=0)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (ConvergenceWarning: 20 epochs on purpose)
        theirs = SkMLP(**kw).fit(X, y)
        ours = MLPClassifier(dtype="float64", **kw).fit(X, y)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-9)
