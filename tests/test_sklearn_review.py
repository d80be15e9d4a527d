"""glassnet.sklearn against scikit-learn's MLPs: behaviours a drop-in user meets."""

import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("scipy")

from sklearn.neural_network import MLPClassifier as SkClassifier  # noqa: E402
from sklearn.neural_network import MLPRegressor as SkRegressor  # noqa: E402

from glassnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402


def _data():
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3)
    y = (X[:, 0] > 0).astype(int)
    return X, y


@pytest.mark.parametrize(
    "ours, theirs", [(MLPClassifier, SkClassifier), (MLPRegressor, SkRegressor)]
)
def test_validation_fraction_zero_without_early_stopping_fits(ours, theirs):
    # scikit-learn allows validation_fraction in [0, 1); 0 is only unusable with early stopping
    X, y = _data()
    kw = dict(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=5, validation_fraction=0.0)
    with pytest.warns(Warning):
        theirs(**kw).fit(X, y)
    with pytest.warns(Warning):
        est = ours(**kw, threads=1).fit(X, y)
    assert est.n_iter_ == 5
    kw.update(solver="adam", early_stopping=True)  # lbfgs ignores early_stopping
    with pytest.raises(ValueError):
        theirs(**kw).fit(X, y)
    with pytest.raises(ValueError):
        ours(**kw, threads=1).fit(X, y)


@pytest.mark.parametrize(
    "params",
    [
        {"alpha": -1.0},
        {"activation": "foo"},
        {"solver": "bar"},
        {"hidden_layer_sizes": (0,)},
        {"learning_rate": "foo"},
        {"random_state": "x"},
        {"random_state": -1},
    ],
)
def test_bad_parameter_raises_sklearn_invalid_parameter_error_at_fit(params):
    from sklearn.utils._param_validation import InvalidParameterError

    X, y = _data()
    est = MLPClassifier(max_iter=1, **params)  # the constructor accepts anything
    with pytest.raises(InvalidParameterError):
        est.fit(X, y)
    with pytest.raises(TypeError):  # InvalidParameterError is a TypeError too
        est.fit(X, y)


def test_random_state_accepted_as_in_sklearn():
    X, y = _data()
    for rs in (None, 0, 2**32 - 1, np.int64(3), np.random.RandomState(1)):
        MLPClassifier((3,), solver="lbfgs", max_iter=200, random_state=rs, threads=1).fit(X, y)


def _iris():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    return (X - X.mean(0)) / X.std(0), y


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
def test_a_new_activation_applies_to_the_fitted_weights_as_in_sklearn(how):
    # scikit-learn reads `activation` at every forward pass: a warm-started fit or a later
    # partial_fit trains the fitted weights with the new one (glassnet kept the old one)
    X, y = _iris()
    kw = dict(hidden_layer_sizes=(5,), random_state=0, solver="sgd", learning_rate_init=0.1)
    fitted = []
    for Est in (SkClassifier, MLPClassifier):
        if how == "warm_start":
            est = Est(max_iter=20, warm_start=True, **kw).fit(X, y)
            est.set_params(activation="tanh").fit(X, y)
        else:
            est = Est(**kw).partial_fit(X, y, classes=[0, 1, 2])
            est.set_params(activation="tanh").partial_fit(X, y)
        fitted.append(est)
    sk, gn = fitted
    np.testing.assert_allclose(gn.loss_curve_, sk.loss_curve_, rtol=1e-9)
    for a, b in zip(gn.coefs_, sk.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(gn.predict_proba(X), sk.predict_proba(X), rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize("also", [{}, {"learning_rate": "invscaling", "momentum": 0.5}])
def test_a_partial_fit_after_a_new_activation_keeps_the_momentum(also):
    # the rebuilt network carries the optimizer's state: the third call matches too; as in
    # scikit-learn, the first call's optimizer settings and schedule stay
    X, y = _iris()
    kw = dict(hidden_layer_sizes=(5,), random_state=0, solver="sgd", learning_rate_init=0.1)
    fitted = []
    for Est in (SkClassifier, MLPClassifier):
        est = Est(**kw).partial_fit(X, y, classes=[0, 1, 2])
        est.set_params(activation="logistic", **also).partial_fit(X, y)
        est.partial_fit(X, y)
        fitted.append(est)
    sk, gn = fitted
    np.testing.assert_allclose(gn.loss_curve_, sk.loss_curve_, rtol=1e-9)
    for a, b in zip(gn.coefs_, sk.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
@pytest.mark.parametrize("hidden", [(7,), (5, 5)])
def test_new_hidden_layer_sizes_on_fitted_weights_is_an_error(how, hidden):
    # glassnet kept training the old layers and ignored the parameter silently
    X, y = _iris()
    est = MLPClassifier((5,), random_state=0, max_iter=5, warm_start=how == "warm_start")
    with pytest.warns(Warning):
        est.fit(X, y)
    est.set_params(hidden_layer_sizes=hidden)
    with pytest.raises(ValueError, match=r"hidden_layer_sizes=.* differs from the fitted"):
        est.fit(X, y) if how == "warm_start" else est.partial_fit(X, y)


def test_a_new_regressor_loss_on_fitted_weights_predicts_with_its_own_link():
    # partial_fit with loss='poisson' after 'squared_error' trained the log-mean z but
    # predict returned z itself (negative "counts"): out_activation_ follows the loss now
    X, y = _iris()
    reg = MLPRegressor(
        hidden_layer_sizes=(5,), random_state=0, solver="sgd", learning_rate_init=0.1
    )
    reg.partial_fit(X[:, 1:], X[:, 0])
    reg.set_params(loss="poisson").partial_fit(X[:, 1:], np.exp(X[:, 0]))
    assert reg.out_activation_ == "exp"
    z = reg.model_.predict(X[:, 1:]).ravel()
    np.testing.assert_allclose(reg.predict(X[:, 1:]), np.exp(z), rtol=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_lbfgs_with_early_stopping_has_no_validation_attributes():
    # early stopping does not apply to lbfgs; docs/sklearn.md: the validation ones are None
    X, y = _iris()
    clf = MLPClassifier((5,), solver="lbfgs", early_stopping=True, random_state=0, max_iter=20)
    clf.fit(X, y)
    assert clf.validation_scores_ is None
    assert clf.best_validation_score_ is None
    assert clf.validation_loss_curve_ is None
    sk = SkClassifier((5,), solver="lbfgs", early_stopping=True, random_state=0, max_iter=20)
    sk.fit(X, y)
    for a, b in zip(clf.coefs_, sk.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize("copy_how", ["pickle", "deepcopy"])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_pickling_leaves_the_estimator_able_to_keep_training(copy_how, solver):
    # __getstate__ replaced the optimizer by its state dict in the instance's own __dict__:
    # after pickle.dumps (joblib, n_jobs > 1) partial_fit raised TypeError on the original
    import copy
    import pickle

    X, y = _iris()
    clf = MLPClassifier((5,), random_state=0, solver=solver).partial_fit(X, y, classes=[0, 1, 2])
    twin = pickle.loads(pickle.dumps(clf)) if copy_how == "pickle" else copy.deepcopy(clf)
    clf.partial_fit(X, y)
    twin.partial_fit(X, y)
    for a, b in zip(clf.coefs_, twin.coefs_):
        np.testing.assert_array_equal(a, b)
    assert clf.loss_curve_ == twin.loss_curve_


@pytest.mark.parametrize(
    "Ours, Theirs", [(MLPClassifier, SkClassifier), (MLPRegressor, SkRegressor)]
)
def test_verbose_adaptive_rate_exhausted_prints_sklearns_lines(Ours, Theirs, capsys):
    # scikit-learn says "Learning rate too small. Stopping." when 'adaptive' gives up
    X, y = _iris()
    if Ours is MLPRegressor:
        X, y = X[:, 1:], X[:, 0]
    kw = dict(
        hidden_layer_sizes=(3,),
        solver="sgd",
        learning_rate="adaptive",
        learning_rate_init=1e-4,
        tol=10.0,
        n_iter_no_change=1,
        max_iter=50,
        random_state=0,
        verbose=True,
    )
    out = []
    for Est in (Theirs, Ours):
        est = Est(**kw).fit(X, y)
        out.append(capsys.readouterr().out)
    theirs, ours = out
    assert "Learning rate too small. Stopping." in theirs
    assert est.stop_reason_ == "min_lr"
    assert [line.split(" = ")[0] for line in ours.splitlines()] == [
        line.split(" = ")[0] for line in theirs.splitlines()
    ]


@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
def test_a_new_dtype_on_fitted_weights_is_an_error(how):
    # the fitted network kept computing in float64 after dtype='float32', silently
    X, y = _iris()
    est = MLPClassifier((5,), random_state=0, max_iter=5, warm_start=how == "warm_start")
    with pytest.warns(Warning):
        est.fit(X, y)
    est.set_params(dtype="float32")
    with pytest.raises(ValueError, match=r"dtype='float32' differs from the fitted"):
        est.fit(X, y) if how == "warm_start" else est.partial_fit(X, y)
    est.set_params(dtype="float64")  # naming the fitted dtype is fine
    est.partial_fit(X, y)
    assert est.coefs_[0].dtype == np.float64


@pytest.mark.parametrize("cw", [{0: -1.0}, {0: np.nan}, {1: np.inf}, [{0: -1.0}, {1: 1.0}]])
def test_a_negative_or_non_finite_class_weight_is_named(cw):
    # {0: -1} was reported as "fit: sample_weight ... the smallest -3" (after rescaling),
    # {0: nan} as "sample_weight (times class_weight) is zero for every sample"
    X, y = _iris()
    if isinstance(cw, list):
        y = np.c_[y == 0, y == 1].astype(int)
    with pytest.raises(ValueError, match=r"'class_weight' parameter .* finite weight >= 0"):
        MLPClassifier((3,), max_iter=3, class_weight=cw).fit(X, y)


def test_partial_fit_first_call_with_sparse_multilabel_y_as_sklearn():
    # a sparse 0/1 y was taken for a multi-class one on the first call: ValueError
    import scipy.sparse as sp

    X, y = _iris()
    Y = np.c_[y == 0, y == 1, y == 2, y > 0].astype(int)
    kw = dict(hidden_layer_sizes=(5,), random_state=0, solver="sgd", learning_rate_init=0.1)
    fitted = []
    for Est in (SkClassifier, MLPClassifier):
        est = Est(**kw).partial_fit(X, sp.csr_matrix(Y), classes=[0, 1, 2, 3])
        est.partial_fit(X, sp.csr_matrix(Y))
        fitted.append(est)
    sk, gn = fitted
    assert gn.out_activation_ == "logistic"
    np.testing.assert_array_equal(gn.classes_, sk.classes_)
    np.testing.assert_allclose(gn.loss_curve_, sk.loss_curve_, rtol=1e-9)
    np.testing.assert_allclose(gn.predict_proba(X), sk.predict_proba(X), rtol=1e-7, atol=1e-12)


def test_partial_fit_multilabel_y_wider_than_classes_is_refused_as_sklearn():
    # classes=[0, 1] with a 4-label y: scikit-learn refuses it; glassnet fitted 4 labels
    X, y = _iris()
    Y = np.c_[y == 0, y == 1, y == 2, y > 0].astype(int)
    msg = r"`y` has classes not in `self.classes_`. `self.classes_` has \[0 1\]"
    for Est in (SkClassifier, MLPClassifier):
        with pytest.raises(ValueError, match=msg):
            Est((5,), random_state=0).partial_fit(X, Y, classes=[0, 1])


def test_partial_fit_class_weight_on_a_batch_without_the_weighted_class():
    # class_weight={0: 2} raised "The classes, [1, 2], are not in class_weight" on a batch
    # without class 0; it weighs as the equivalent sample_weight now
    X, y = _iris()
    kw = dict(hidden_layer_sizes=(3,), random_state=0, solver="sgd", learning_rate_init=0.1)
    a = MLPClassifier(class_weight={0: 2.0}, **kw)
    b = MLPClassifier(**kw)
    for rows in (slice(0, 100), slice(50, 150), slice(100, 150)):
        a.partial_fit(X[rows], y[rows], classes=[0, 1, 2])
        w = np.where(y[rows] == 0, 2.0, 1.0)
        b.partial_fit(X[rows], y[rows], sample_weight=w, classes=[0, 1, 2])
    for p, q in zip(a.coefs_, b.coefs_):
        np.testing.assert_array_equal(p, q)
    assert a.loss_curve_ == b.loss_curve_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_class_weight_naming_a_label_that_is_not_a_class():
    # scikit-learn's rule (compute_class_weight), round 21: a key that is not a class is
    # refused only where a class is left unweighted too, as this typo leaves 1 and 2; a dict
    # weighing every class may name labels beyond them (a cross-validation fold lacking a
    # class, a subset), which are unused
    X, y = _iris()
    with pytest.raises(ValueError, match=r"names labels that are not classes: \[7\]"):
        MLPClassifier((3,), max_iter=2, class_weight={0: 2.0, 7: 1.0}).fit(X, y)
    MLPClassifier((3,), max_iter=2, class_weight={0: 2.0, 1: 1.0, 2: 1.0, 7: 1.0}).fit(X, y)


def test_partial_fit_multilabel_class_weight_on_a_batch_without_a_weighted_value():
    # a batch where a label is never 1 raised "The classes, [0], are not in class_weight"
    X, y = _iris()
    Y = np.c_[y == 0, y == 2].astype(int)
    kw = dict(hidden_layer_sizes=(3,), random_state=0, solver="sgd", learning_rate_init=0.1)
    a = MLPClassifier(class_weight=[{1: 3.0}, {1: 2.0}], **kw)
    b = MLPClassifier(**kw)
    for rows in (slice(0, 100), slice(50, 100), slice(100, 150)):
        a.partial_fit(X[rows], Y[rows], classes=[0, 1])
        w = np.where(Y[rows, 0] == 1, 3.0, 1.0) * np.where(Y[rows, 1] == 1, 2.0, 1.0)
        b.partial_fit(X[rows], Y[rows], sample_weight=w, classes=[0, 1])
    for p, q in zip(a.coefs_, b.coefs_):
        np.testing.assert_array_equal(p, q)
    with pytest.raises(ValueError, match=r"label 0's dict has keys other than 0 and 1: \[2\]"):
        MLPClassifier((3,), max_iter=2, class_weight=[{2: 3.0}, {1: 2.0}]).fit(X, Y)
