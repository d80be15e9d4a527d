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
