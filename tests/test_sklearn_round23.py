"""glassnet.sklearn: the loss attributes' type, and the private L-BFGS objective's two
argument lists (scikit-learn 1.6's and 1.7+'s)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("scipy")

import sklearn.neural_network as skmlp  # noqa: E402

from glassnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    # (scikit-learn 1.6's lbfgs passes SciPy options that newer SciPy deprecates)
    pytest.mark.filterwarnings("ignore:scipy.optimize.*iprint:DeprecationWarning"),
]

RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 3))
Y_CLS = (X[:, 0] + X[:, 1] > 0).astype(int)
Y_REG = X @ np.array([0.5, -1.0, 2.0])
LOSS_ATTRS = ("loss_", "best_loss_", "validation_scores_", "best_validation_score_")


def _types(est):
    """{attribute: its type's name, a list's entries' types}, for the attributes set."""
    out = {}
    for name in (*LOSS_ATTRS, "loss_curve_"):
        if hasattr(est, name):
            v = getattr(est, name)
            if isinstance(v, list):
                out[name] = ("list", *sorted({type(x).__name__ for x in v}))
            else:
                out[name] = type(v).__name__
    return out


def _fit(cls, y, mode, **kw):
    est = cls(hidden_layer_sizes=(4,), max_iter=4, random_state=0, **kw)
    if mode == "partial_fit":
        for _ in range(3):
            if cls in (MLPClassifier, skmlp.MLPClassifier):
                est.partial_fit(X, y, classes=[0, 1])
            else:
                est.partial_fit(X, y)
        return est
    return est.fit(X, y)


@pytest.mark.parametrize("regress", [False, True])
@pytest.mark.parametrize(
    "solver,early_stopping,mode",
    [
        ("adam", False, "fit"),
        ("adam", True, "fit"),
        ("sgd", False, "fit"),
        ("sgd", True, "fit"),
        ("adam", False, "partial_fit"),
        ("sgd", False, "partial_fit"),
        ("lbfgs", False, "fit"),
    ],
)
def test_loss_attribute_types_are_scikit_learns(regress, solver, early_stopping, mode):
    """loss_, best_loss_ and loss_curve_'s entries are NumPy float64s, the types
    scikit-learn's estimators give on the same data (validation scores: Python floats in
    both), so NumPy scalar methods work on them: clf.loss_.round(4)."""
    ours_cls, theirs_cls = (
        (MLPRegressor, skmlp.MLPRegressor) if regress else (MLPClassifier, skmlp.MLPClassifier)
    )
    y = Y_REG if regress else Y_CLS
    kw = {"solver": solver, "early_stopping": early_stopping}
    ours, theirs = _fit(ours_cls, y, mode, **kw), _fit(theirs_cls, y, mode, **kw)
    got, want = _types(ours), _types(theirs)
    for name, kind in want.items():  # (lbfgs: scikit-learn sets loss_ alone)
        assert got[name] == kind, (name, got[name], kind)
    assert type(ours.loss_) is np.float64
    assert ours.loss_.round(4) == round(float(ours.loss_), 4)
    # lbfgs's loss_curve_ and best_loss_, glassnet's own, are float64s as well
    assert all(type(v) is np.float64 for v in ours.loss_curve_)
    if not early_stopping:
        assert type(ours.best_loss_) is np.float64
        assert ours.best_loss_ == min(ours.loss_curve_)


def test_warm_start_keeps_float64_losses():
    est = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0, warm_start=True)
    est.fit(X, Y_CLS).fit(X, Y_CLS)
    assert len(est.loss_curve_) == 6
    assert {type(v) for v in est.loss_curve_} == {np.float64}
    assert type(est.loss_) is np.float64 and type(est.best_loss_) is np.float64


def test_old_pickle_float_losses_load_as_float64():
    """An estimator pickled when glassnet kept Python floats loads with float64s, the
    values unchanged, and a partial_fit after it records float64s too."""
    est = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
    est.partial_fit(X, Y_CLS, classes=[0, 1])
    est.partial_fit(X, Y_CLS)
    values = [float(v) for v in est.loss_curve_]
    est.loss_, est.best_loss_ = float(est.loss_), float(est.best_loss_)
    est.loss_curve_ = list(values)  # as glassnet pickled them before
    back = pickle.loads(pickle.dumps(est))
    assert type(back.loss_) is np.float64 and back.loss_ == values[-1]
    assert type(back.best_loss_) is np.float64 and back.best_loss_ == min(values)
    assert [type(v) for v in back.loss_curve_] == [np.float64, np.float64]
    assert back.loss_curve_ == values
    back.partial_fit(X, Y_CLS)
    assert [type(v) for v in back.loss_curve_] == [np.float64] * 3
    # a best_loss_ of inf (no epoch recorded) stays Python's inf, as scikit-learn's
    est.best_loss_ = np.inf
    assert type(pickle.loads(pickle.dumps(est)).best_loss_) is float


def _lbfgs_buffers(est):
    units = [X.shape[1], *est.hidden_layer_sizes, est.n_outputs_]
    activations = [X] + [np.empty((X.shape[0], u)) for u in units[1:]]
    deltas = [np.empty((X.shape[0], u)) for u in units[1:]]
    coef_grads = [np.empty((a, b)) for a, b in zip(units[:-1], units[1:])]
    intercept_grads = [np.empty(b) for b in units[1:]]
    return activations, deltas, coef_grads, intercept_grads


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_loss_grad_lbfgs_takes_scikit_learn_16_arguments(cls):
    """scikit-learn 1.6's argument list, without sample_weight (its test_gradient calls it
    so), gives what 1.7+'s gives with sample_weight=None; by name as well."""
    y = Y_REG if cls is MLPRegressor else Y_CLS
    est = cls(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=2, random_state=0).fit(X, y)
    Y = y.reshape(-1, 1).astype(float)
    theta = np.hstack([c.ravel() for c in est.coefs_ + est.intercepts_]) + 0.01
    new = _lbfgs_buffers(est)
    loss_new, grad_new = est._loss_grad_lbfgs(theta, X, Y, None, *new)
    old = _lbfgs_buffers(est)
    loss_old, grad_old = est._loss_grad_lbfgs(theta, X, Y, *old)  # 1.6's seven arguments
    assert loss_old == loss_new and np.array_equal(grad_old, grad_new)
    assert type(loss_old) is np.float64  # as scikit-learn's
    for a, b in zip(old[0][1:] + old[2] + old[3], new[0][1:] + new[2] + new[3]):
        assert np.array_equal(a, b)
    a, d, cg, ig = _lbfgs_buffers(est)
    by_name = est._loss_grad_lbfgs(
        packed_coef_inter=theta, X=X, y=Y, activations=a, deltas=d, coef_grads=cg,
        intercept_grads=ig,
    )  # fmt: skip
    assert by_name[0] == loss_new and np.array_equal(by_name[1], grad_new)
    # 1.7+'s with weights: weighted, unlike 1.6's
    w = np.linspace(0.5, 2.0, X.shape[0])
    assert est._loss_grad_lbfgs(theta, X, Y, w, *_lbfgs_buffers(est))[0] != loss_new


def test_loss_grad_lbfgs_refuses_other_argument_lists():
    est = MLPRegressor(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=2, random_state=0)
    est.fit(X, Y_REG)
    theta = np.hstack([c.ravel() for c in est.coefs_ + est.intercepts_])
    a, d, cg, ig = _lbfgs_buffers(est)
    with pytest.raises(TypeError, match=r"sample_weight.*\(1\.6\)\. Got \(ndarray, ndarray"):
        est._loss_grad_lbfgs(theta, X, Y_REG, a, d, cg)  # six: neither list
    with pytest.raises(TypeError, match="pass one of these lists"):
        est._loss_grad_lbfgs(theta, X, Y_REG, a, d, cg, ig, sample_weight=None)
