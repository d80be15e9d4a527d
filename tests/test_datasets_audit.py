"""glassnet.datasets audited: every generator against its docstring (shapes, dtypes, class
balance, ranges, formulas), its determinism for every kind of seed, and its errors for
bad input, each naming the parameter of the function the user called."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet import datasets as ds

MAKERS = {
    "circles": ds.make_circles,
    "moons": ds.make_moons,
    "spirals": ds.make_spirals,
    "blobs": ds.make_blobs,
    "regression_multi": ds.make_regression_multi,
}
_SMALLEST = {"circles": 1, "moons": 1, "spirals": 3, "blobs": 3, "regression_multi": 1}


@pytest.mark.parametrize("name", MAKERS)
def test_same_seed_same_data_other_seed_other_data(name: str) -> None:
    make = MAKERS[name]
    a = make(60, seed=4)
    for same in (make(60, seed=4), make(60, seed=np.int64(4)), make(60, seed=np.uint8(4))):
        assert all(np.array_equal(u, v) for u, v in zip(a, same, strict=True))
    generator = make(60, seed=np.random.default_rng(4))  # a Generator's stream: the same
    assert all(np.array_equal(u, v) for u, v in zip(a, generator, strict=True))
    assert not np.array_equal(a[0], make(60, seed=5)[0])
    rng = np.random.default_rng(9)  # the caller's stream goes on: two draws differ
    assert not np.array_equal(make(60, seed=rng)[0], make(60, seed=rng)[0])
    # load_dataset's seed draws the same set as the maker's
    loaded = ds.load_dataset(name, seed=4)
    default = make(seed=4)
    assert np.array_equal(loaded.X, default[0]) and np.array_equal(loaded.y, default[1])


@pytest.mark.parametrize("name", MAKERS)
@pytest.mark.parametrize("extra", [0, 1, 2, 7])
def test_shapes_dtypes_and_class_balance_are_the_documented_ones(name: str, extra: int) -> None:
    n = _SMALLEST[name] + extra
    X, y = MAKERS[name](n, seed=0)
    assert X.dtype == np.float64 and X.flags.c_contiguous and np.isfinite(X).all()
    if name == "regression_multi":
        assert X.shape == (n, 8) and y.shape == (n, 3) and y.dtype == np.float64
        return
    assert X.shape == (n, 2) and y.shape == (n,) and y.dtype == np.int64
    counts = np.bincount(y, minlength=3 if name in ("spirals", "blobs") else 2).tolist()
    if name in ("circles", "moons"):  # class 0 gets n // 2, class 1 the rest
        assert counts == [n // 2, n - n // 2]
    else:  # as evenly as possible, the first classes larger
        assert counts == [n // 3 + (1 if c < n % 3 else 0) for c in range(3)]


def test_noise_free_sets_lie_where_the_docstrings_say() -> None:
    X, y = ds.make_circles(101, noise=0.0, factor=0.3, seed=1)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0, rtol=1e-12)
    np.testing.assert_allclose(r[y == 1], 0.3, rtol=1e-12)
    X, y = ds.make_moons(50, noise=0.0, seed=1)
    np.testing.assert_allclose(np.hypot(X[y == 0, 0], X[y == 0, 1]), 1.0, rtol=1e-12)
    assert (X[y == 0, 1] >= -1e-12).all()  # the upper half circle
    np.testing.assert_allclose(np.hypot(1 - X[y == 1, 0], 0.5 - X[y == 1, 1]), 1.0, rtol=1e-12)
    X, y = ds.make_spirals(300, n_classes=3, noise=0.0, seed=1)
    assert np.hypot(X[:, 0], X[:, 1]).max() <= 1.0 + 1e-12  # inside the unit disc
    X, y = ds.make_blobs(900, centers=[[0.0, 0.0], [10.0, 10.0]], cluster_std=[0.5, 2.0], seed=1)
    assert abs(X[y == 0].std() - 0.5) < 0.05 and abs(X[y == 1].std() - 2.0) < 0.2


@pytest.mark.parametrize(
    "call, pattern",
    [
        # NumPy's "could not convert string to float: 'a'" named no parameter
        (lambda: ds.make_blobs(9, cluster_std=["a", "b", "c"]), r"'cluster_std'.*3 floats > 0"),
        (lambda: ds.make_blobs(9, cluster_std=[1, {}, 2]), r"'cluster_std'.*3 floats > 0"),
        # "must be an array of shape (n_centers, n_features). Got shape ()": 2 centers meant
        (lambda: ds.make_blobs(9, centers=2.0), r"'centers'.*an int >= 1 .*Got 2.0 of type float"),
        (lambda: ds.make_blobs(9, centers=True), r"'centers'.*an int >= 1 .*Got True of type bool"),
    ],
)
def test_make_blobs_names_the_parameter(call, pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        call()


@pytest.mark.parametrize("name", ["xor", "moons", "spirals", "iris"])
@pytest.mark.parametrize("seed", ["1", -1, 1.5, True, np.random.RandomState(0)])
def test_load_dataset_checks_its_seed_for_every_set(name: str, seed) -> None:
    # a fixed set ignored a bad seed in silence, and a generated one named make_moons
    if name == "iris":
        pytest.importorskip("sklearn")
    with pytest.raises(ValueError, match="The 'seed' parameter of load_dataset must be"):
        ds.load_dataset(name, seed=seed)


def test_text_in_a_number_target_is_never_answered_with_impute_advice(tmp_path):
    """Targets are never imputed: the advice was impute="mean" or missing=(...)."""
    path = tmp_path / "t.csv"
    path.write_text("a,y\n1,2\n2,3\n3,yes\n4,5\n")
    with pytest.raises(ValueError, match=r"fix the value or drop the row\. If the target") as e:
        ds.read_csv(path, target="y")
    assert "impute" not in str(e.value) and "missing=" not in str(e.value)
    assert "categorical=['y']" in str(e.value)
    assert ds.read_csv(path, target="y", categorical=["y"]).kinds["y"] == "categorical"
