"""glassnet.sklearn against scikit-learn: a shared or reused RandomState, lbfgs's warnings
and warm starts, a DataFrame with several kinds of non-numeric columns, object labels."""

from __future__ import annotations

import warnings
from decimal import Decimal

import numpy as np
import pytest

pytest.importorskip("sklearn")
pd = pytest.importorskip("pandas")

import scipy.optimize  # noqa: E402
from sklearn.datasets import load_digits, make_classification  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier as SkClassifier  # noqa: E402
from sklearn.neural_network import MLPRegressor as SkRegressor  # noqa: E402

from glassnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

X150, Y150 = make_classification(150, 5, n_informative=3, n_classes=3, random_state=0)


def _fit(est, X, y):
    """``est.fit(X, y)`` without its ConvergenceWarning (short runs on purpose)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


# ------------------------------------------------------------ 1. the RandomState's draws
@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_two_fits_with_one_random_state_match_scikit_learn(solver):
    out = []
    for E in (SkClassifier, MLPClassifier):
        rs = np.random.RandomState(0)
        est = E(random_state=rs, max_iter=3, hidden_layer_sizes=(4,), solver=solver)
        # (scikit-learn keeps no loss_curve_ for lbfgs: loss_ then)
        first = _fit(est, X150, Y150).loss_
        first_w = est.coefs_[0].copy()
        second = _fit(est, X150, Y150).loss_
        second_w = est.coefs_[0].copy()
        curve = list(getattr(est, "loss_curve_", []))
        out.append((first, second, first_w, second_w, curve, rs.randint(10**6)))
    sk, gn = out
    tol = 1e-12 if solver != "lbfgs" else 1e-9
    np.testing.assert_allclose(gn[:2], sk[:2], rtol=tol, atol=0)
    np.testing.assert_allclose(gn[2], sk[2], rtol=tol, atol=1e-12)
    np.testing.assert_allclose(gn[3], sk[3], rtol=tol, atol=1e-12)
    if solver != "lbfgs":
        np.testing.assert_allclose(gn[4], sk[4], rtol=tol, atol=0)
    assert gn[5] == sk[5]


def test_two_estimators_sharing_a_random_state_match_scikit_learn():
    out = []
    for E in (SkClassifier, MLPClassifier):
        rs = np.random.RandomState(42)
        a = E(random_state=rs, max_iter=5, hidden_layer_sizes=(6,))
        b = E(random_state=rs, max_iter=5, hidden_layer_sizes=(6,), solver="sgd")
        _fit(a, X150, Y150)
        _fit(b, X150, Y150)
        out.append((a.loss_curve_, b.loss_curve_, b.coefs_[0].copy(), rs.randint(10**6)))
    (ska, skb, skw, skn), (gna, gnb, gnw, gnn) = out
    np.testing.assert_allclose(gna, ska, rtol=1e-12, atol=0)
    np.testing.assert_allclose(gnb, skb, rtol=1e-12, atol=0)
    np.testing.assert_allclose(gnw, skw, rtol=1e-12, atol=1e-15)
    assert gnn == skn


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"solver": "sgd"},
        {"early_stopping": True},
        {"shuffle": False},
    ],
)
def test_shuffled_mini_batches_take_scikit_learns_order(kw):
    X, y = load_digits(return_X_y=True)
    X = X[:700] / 16.0
    y = y[:700]
    out = []
    for E in (SkClassifier, MLPClassifier):
        rs = np.random.RandomState(3)
        est = E(random_state=rs, max_iter=3, hidden_layer_sizes=(8,), batch_size=64, **kw)
        _fit(est, X, y)
        est.set_params(warm_start=True)
        _fit(est, X, y)
        if not kw.get("early_stopping"):
            est.partial_fit(X[:300], y[:300])
        out.append((np.array(est.loss_curve_), rs.randint(10**6)))
    (sk_curve, sk_next), (gn_curve, gn_next) = out
    np.testing.assert_allclose(gn_curve, sk_curve, rtol=1e-12, atol=0)
    assert gn_next == sk_next


def test_partial_fit_with_an_int_random_state_repeats_scikit_learns_order():
    X, y = load_digits(return_X_y=True)
    X, y = X[:400] / 16.0, y[:400]
    curves = []
    for E in (SkClassifier, MLPClassifier):
        est = E(random_state=7, hidden_layer_sizes=(8,), batch_size=50)
        for _ in range(3):
            est.partial_fit(X, y, classes=np.arange(10))
        curves.append(est.loss_curve_)
    np.testing.assert_allclose(curves[1], curves[0], rtol=1e-12, atol=0)


def test_regressor_shared_random_state_matches_scikit_learn():
    rng = np.random.RandomState(1)
    X = rng.rand(300, 4)
    y = X @ [1.0, -2.0, 0.5, 3.0]
    out = []
    for E in (SkRegressor, MLPRegressor):
        rs = np.random.RandomState(5)
        est = E(random_state=rs, max_iter=4, hidden_layer_sizes=(5,), batch_size=32)
        _fit(est, X, y)
        _fit(est, X, y)
        out.append((est.loss_curve_, rs.randint(10**6)))
    np.testing.assert_allclose(out[1][0], out[0][0], rtol=1e-12, atol=0)
    assert out[1][1] == out[0][1]


def test_dropout_masks_are_repeatable_and_draw_nothing_from_the_random_state():
    X, y = load_digits(return_X_y=True)
    X, y = X[:300] / 16.0, y[:300]
    runs = []
    for _ in range(2):
        rs = np.random.RandomState(0)
        est = MLPClassifier(random_state=rs, max_iter=2, hidden_layer_sizes=(8,), dropout=0.3)
        _fit(est, X, y)
        runs.append((est.loss_curve_, rs.randint(10**6)))
    assert runs[0] == runs[1]
    rs = np.random.RandomState(0)
    sk = SkClassifier(random_state=rs, max_iter=2, hidden_layer_sizes=(8,))
    _fit(sk, X, y)
    assert runs[0][1] == rs.randint(10**6)


# ------------------------------------------------------------ 2. lbfgs's warning
def test_lbfgs_warning_names_max_fun_when_max_fun_stopped_it():
    est = MLPClassifier(solver="lbfgs", max_fun=5, random_state=0)
    with pytest.warns(ConvergenceWarning) as got:
        est.fit(X150, Y150)
    assert est.stop_reason_ == "max_fun"
    text = str(got[0].message)
    assert "max_fun=5" in text
    assert "max_iter" not in text


def test_lbfgs_warning_gives_no_max_iter_advice_for_a_line_search(monkeypatch):
    real = scipy.optimize.minimize

    def failing_line_search(*args, **kwargs):
        res = real(*args, **kwargs)
        res.status, res.message = 2, "ABNORMAL: "
        return res

    monkeypatch.setattr(scipy.optimize, "minimize", failing_line_search)
    est = MLPClassifier(solver="lbfgs", max_iter=3, random_state=0)
    with pytest.warns(ConvergenceWarning) as got:
        est.fit(X150, Y150)
    assert est.stop_reason_ == "line_search"
    text = str(got[0].message)
    assert "max_iter" not in text and "max_fun" not in text
    assert "line search" in text


def test_lbfgs_warning_for_max_iter_keeps_its_advice():
    est = MLPClassifier(solver="lbfgs", max_iter=2, random_state=0)
    with pytest.warns(ConvergenceWarning, match=r"max_iter=2"):
        est.fit(X150, Y150)
    assert est.stop_reason_ == "max_iter"


# ------------------------------------------------------------ 3. lbfgs warm start
@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_warm_start_appends_to_loss_curve_for_every_solver(solver):
    est = MLPClassifier(solver=solver, warm_start=True, max_iter=10, random_state=0)
    _fit(est, X150, Y150)
    first, best1 = list(est.loss_curve_), est.best_loss_
    _fit(est, X150, Y150)
    assert est.n_iter_ == 10
    assert len(est.loss_curve_) == len(first) + 10
    assert est.loss_curve_[: len(first)] == first
    assert est.best_loss_ == min(est.loss_curve_)
    assert est.best_loss_ <= best1


def test_lbfgs_fresh_fit_starts_a_new_curve():
    est = MLPClassifier(solver="lbfgs", max_iter=5, random_state=0)
    _fit(est, X150, Y150)
    _fit(est, X150, Y150)
    assert len(est.loss_curve_) == 5
    assert est.best_loss_ == min(est.loss_curve_)


# ------------------------------------------------------------ 4. every non-numeric column
def test_dataframe_with_text_categorical_and_date_columns_names_them_all():
    df = pd.DataFrame(X150, columns=list("abcde"))
    df["c"] = np.array(["x", "y", "z"])[Y150]
    df["k"] = pd.Categorical(np.array(["p", "q", "r"])[Y150])
    df["d"] = pd.date_range("2020", periods=150)
    with pytest.raises(ValueError) as got:
        MLPClassifier(max_iter=5).fit(df, Y150)
    text = str(got.value)
    assert "['c', 'k']" in text and "['d']" in text
    assert "OneHotEncoder" in text and ".dt." in text


def test_dataframe_with_only_date_columns_keeps_its_message():
    df = pd.DataFrame({"a": [1.0, 2, 3, 4], "d": pd.date_range("2020", periods=4)})
    with pytest.raises(ValueError, match=r"X has date or time columns \['d'\]") as got:
        MLPClassifier().fit(df, [0, 1, 0, 1])
    assert "OneHotEncoder" not in str(got.value)


# ------------------------------------------------------------ 6. object labels
@pytest.mark.parametrize(
    ("y", "fix"),
    [
        (pd.Series([0, 1, 2] * 10, dtype=object), "y.astype(int)"),
        (np.array([True, False] * 15, dtype=object), "y.astype(bool)"),
        (np.array([Decimal(1), Decimal(0)] * 15, dtype=object), "y.astype(int)"),
    ],
)
def test_object_labels_are_refused_with_the_conversion(y, fix):
    X = np.random.RandomState(0).rand(30, 3)
    with pytest.raises(ValueError) as got:
        MLPClassifier(max_iter=2).fit(X, y)
    text = str(got.value)
    assert fix in text
    assert "continuous" not in text


def test_object_int_classes_in_partial_fit_are_refused_with_the_conversion():
    X = np.random.RandomState(0).rand(6, 2)
    y = np.array([0, 1, 2, 0, 1, 2], dtype=object)
    with pytest.raises(ValueError, match=r"classes\.astype\(int\)"):
        MLPClassifier().partial_fit(X, y, classes=np.unique(y))
    with pytest.raises(ValueError, match=r"y\.astype\(int\)"):
        MLPClassifier().partial_fit(X, y, classes=[0, 1, 2])


def test_object_fractions_and_float_targets_keep_scikit_learns_continuous_message():
    X = np.random.RandomState(0).rand(30, 3)
    for y in (np.array([Decimal("0.5"), Decimal(0)] * 15, dtype=object), np.linspace(0, 1, 30)):
        with pytest.raises(ValueError, match="Unknown label type: .*continuous"):
            MLPClassifier(max_iter=2).fit(X, y)


# ------------------------------------------------------------ 5. the Differences rows
def test_documented_cases_where_scikit_learn_crashes_and_glassnet_trains():
    X, y = make_classification(300, 5, n_informative=3, n_classes=3, random_state=0)
    est = _fit(MLPClassifier(warm_start=True, max_iter=5, random_state=0), X, y)
    est.set_params(early_stopping=True, max_iter=50)
    _fit(est, X, y)
    assert est.stop_reason_ == "early_stopping"
    assert len(est.validation_scores_) == est.n_iter_
    est = _fit(MLPClassifier(early_stopping=True, max_iter=5, random_state=0), X, y)
    est.set_params(early_stopping=False).partial_fit(X, y)
    assert est.best_loss_ == est.loss_curve_[-1]
    est = _fit(MLPClassifier(solver="lbfgs", max_iter=5, random_state=0), X, y)
    n = len(est.loss_curve_)
    est.set_params(solver="adam").partial_fit(X, y)
    assert len(est.loss_curve_) == n + 1
    assert type(est._optimizer).__name__ == "Adam"
    w = np.ones(300)
    w[:50] = 0.0
    est = MLPClassifier(batch_size=50, shuffle=False, max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y, sample_weight=w)
    assert np.all(np.isfinite(est.loss_curve_))


def test_a_duration_columns_advice_runs_as_written():
    # (the review: the date advice led with .dt.dayofweek, which a timedelta column lacks)
    pd = pytest.importorskip("pandas")
    from glassnet.sklearn import MLPClassifier as GnMLP

    df = pd.DataFrame({"a": np.arange(6.0), "d": pd.to_timedelta(np.arange(6), unit="h")})
    with pytest.raises(ValueError, match=r"X\['d'\]\.dt\.total_seconds\(\)") as e:
        GnMLP(max_iter=2).fit(df, [0, 1] * 3)
    assert "dayofweek" not in str(e.value)
    assert df["d"].dt.total_seconds().tolist()[1] == 3600.0  # (the advice, run)
