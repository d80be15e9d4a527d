"""StandardScaler and OneHotEncoder as scikit-learn transformers: fit(X, y=None), clone,
get_params/set_params, Pipeline steps; OneHotEncoder's earlier fit(X, names) kept, with a
FutureWarning, where it cannot be a target; a second argument that could be either is the
target, with a FutureWarning."""

import warnings

import numpy as np
import pytest

from glassnet.preprocessing import OneHotEncoder, StandardScaler

sklearn = pytest.importorskip("sklearn")

from sklearn.base import clone  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 3))
Y = (X[:, 0] > 0).astype(int)
C = np.array(list("abc"))[np.random.default_rng(1).integers(0, 3, (40, 2))]
YC = (C[:, 0] == "a").astype(int)


def test_fit_and_fit_transform_take_y_and_ignore_it():
    plain = StandardScaler().fit_transform(X)
    np.testing.assert_array_equal(StandardScaler().fit_transform(X, Y), plain)
    np.testing.assert_array_equal(StandardScaler().fit(X, Y).transform(X), plain)
    enc = OneHotEncoder().fit(C, YC)
    assert enc.names_ == ["x0", "x1"]  # (the target is no column names)
    np.testing.assert_array_equal(
        OneHotEncoder().fit_transform(C, YC), OneHotEncoder().fit_transform(C)
    )


@pytest.mark.parametrize("make, data, y", [(StandardScaler, X, Y), (OneHotEncoder, C, YC)])
def test_a_pipeline_step(make, data, y):
    pipe = make_pipeline(make(), LogisticRegression()).fit(data, y)
    assert pipe.score(data, y) > 0.8
    assert len(pipe[:-1].get_feature_names_out()) == pipe[:-1].transform(data).shape[1]


def test_clone_get_params_set_params():
    enc = OneHotEncoder(categories=[list("abc"), list("abc")])
    again = clone(enc)
    assert again.get_params() == {"categories": [list("abc"), list("abc")]}
    assert again.categories_ is None  # (unfitted: a new one)
    assert clone(StandardScaler()).get_params() == {}
    assert enc.set_params(categories="auto") is enc and enc.categories == "auto"
    with pytest.raises(ValueError, match="'categories' parameter of OneHotEncoder"):
        enc.set_params(categories=[])
    with pytest.raises(ValueError, match="Invalid parameter 'with_mean'.*parameters are none"):
        StandardScaler().set_params(with_mean=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (scikit-learn's own warnings about few rows)
        search = GridSearchCV(
            make_pipeline(OneHotEncoder(), LogisticRegression()),
            {"onehotencoder__categories": ["auto"]},
            cv=2,
        ).fit(C, YC)
    assert search.best_params_ == {"onehotencoder__categories": "auto"}


def test_sklearn_checks_that_pass():
    from sklearn.utils import estimator_checks as ec

    for est in (StandardScaler(), OneHotEncoder()):
        name = type(est).__name__
        ec.check_get_params_invariance(name, est)
        if isinstance(est, OneHotEncoder):  # (it checks 'categories' at once, as ever)
            with pytest.warns(UserWarning, match="recommended to delay parameter validation"):
                ec.check_set_params(name, est)
        else:
            ec.check_set_params(name, est)
        ec.check_estimator_cloneable(name, est)
        ec.check_transformers_unfitted(name, clone(est))
        ec.check_fit_score_takes_y(name, clone(est))
        ec.check_estimators_fit_returns_self(name, clone(est))
        ec.check_estimators_pickle(name, clone(est))
        ec.check_fit_idempotent(name, clone(est))
        ec.check_requires_y_none(name, clone(est))
        ec.check_transformer_general(name, clone(est))


def test_a_y_that_is_no_target_is_refused():
    with pytest.raises(ValueError, match=r"'y' parameter of StandardScaler.fit.*\(40\); got 3"):
        StandardScaler().fit(X, Y[:3])
    with pytest.raises(ValueError, match=r"'y' parameter of OneHotEncoder.fit.*got 5 rows"):
        OneHotEncoder().fit(C, np.zeros(5))


def test_earlier_positional_names_still_work_with_a_future_warning():
    with pytest.warns(
        FutureWarning, match=r"names second is deprecated.*names=\['color', 'size'\]"
    ):
        enc = OneHotEncoder().fit(C, ["color", "size"])  # (2 columns, 40 rows: the names)
    assert enc.names_ == ["color", "size"]
    with pytest.warns(FutureWarning, match="deprecated"):
        assert OneHotEncoder().fit_transform(C, ("k", "m")).shape == (40, 6)
    assert OneHotEncoder().fit(C, y=YC, names=["p", "q"]).names_ == ["p", "q"]


@pytest.mark.parametrize("kind", [np.array, tuple, "index"])
def test_names_given_second_as_an_array_or_index_are_names_too(kind):
    pd = pytest.importorskip("pandas")
    make = pd.Index if kind == "index" else kind
    with pytest.warns(FutureWarning, match="deprecated"):
        enc = OneHotEncoder().fit(C, make(["color", "size"]))
    assert enc.names_ == ["color", "size"]
    frame = pd.DataFrame(C, columns=["color", "size"])
    with pytest.warns(FutureWarning, match="deprecated"):
        assert OneHotEncoder().fit(frame.to_numpy(), frame.columns).names_ == ["color", "size"]


def test_names_given_second_reach_xs_messages():
    bad = C.astype(object)
    bad[3, 1] = None
    with pytest.warns(FutureWarning, match="deprecated"):
        with pytest.raises(ValueError, match=r"column 1 \('size'\)"):
            OneHotEncoder().fit(bad, np.array(["color", "size"]))


def test_a_target_that_could_be_names_is_the_target_with_a_warning():
    square = np.array([["a", "b"], ["b", "a"]])
    for y in (["u", "v"], np.asarray(["u", "v"])):
        with pytest.warns(FutureWarning, match=r"taken as the target y.*names=\[\.\.\.\]"):
            assert OneHotEncoder().fit(square, y).names_ == ["x0", "x1"]
    assert OneHotEncoder().fit(square, names=["u", "v"]).names_ == ["u", "v"]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The second argument of OneHotEncoder.fit")
        assert OneHotEncoder().fit(square, ["u", "v"]).names_ == ["x0", "x1"]


@pytest.mark.parametrize(
    "data, y",
    [
        ([["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"]], ["yes", "no", "yes"]),
        ([["a"], ["b"], ["a"]], ["yes", "no", "no"]),
        ([["a", "b"], ["b", "a"], ["a", "a"]], [1, 0, 1]),
    ],
)
def test_a_pipeline_with_a_list_target_on_a_small_table(data, y):
    pipe = make_pipeline(OneHotEncoder(), LogisticRegression()).fit(data, y)  # (no warning)
    assert list(pipe.predict(data)) == pipe.predict(data).tolist()


def test_ambiguous_or_wrong_second_argument_is_refused():
    with pytest.raises(ValueError, match="is a str.*names=\\['color'\\]"):
        OneHotEncoder().fit(C[:, :1], "color")
    with pytest.raises(ValueError, match="neither a target y.*got 3 values"):
        OneHotEncoder().fit(C, ["a", "b", "c"])
    with pytest.raises(ValueError, match="neither a target y.*distinct.*got 2 values"):
        OneHotEncoder().fit(C, np.array(["a", "a"]))  # (repeated: no names, nor 40 rows)
