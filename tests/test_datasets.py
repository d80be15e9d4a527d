"""Tests for glassnet.datasets: gates, toy sets, bundled loaders, load_dataset, read_csv."""

from __future__ import annotations

import json
import os
import re
import sys
import warnings

import numpy as np
import pytest

from glassnet import datasets as ds
from glassnet.datasets import (
    DATASETS,
    TASK_HINTS,
    Dataset,
    Table,
    load_dataset,
    logic_gate,
    make_blobs,
    make_circles,
    make_moons,
    make_regression_multi,
    make_spirals,
    read_csv,
)

# ---------------------------------------------------------------------------------------
# logic gates
# ---------------------------------------------------------------------------------------

GATE_RULES = {
    "and": lambda a, b: a and b,
    "or": lambda a, b: a or b,
    "nand": lambda a, b: not (a and b),
    "nor": lambda a, b: not (a or b),
    "xor": lambda a, b: a != b,
    "xnor": lambda a, b: a == b,
}


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


@pytest.mark.parametrize("name", sorted(GATE_RULES))
def test_gate_truth_tables_are_exact(name):
    X, y = logic_gate(name)
    assert X.shape == (4, 2) and y.shape == (4,)
    assert X.dtype == np.float64 and y.dtype == np.float64
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    expected = [float(GATE_RULES[name](bool(a), bool(b))) for a, b in X.tolist()]
    assert y.tolist() == expected
    # the shortcut function gives the same arrays
    X2, y2 = getattr(ds, f"{name}_gate")()
    assert np.array_equal(X, X2) and np.array_equal(y, y2)


def test_gate_name_is_case_insensitive_and_dtype_is_honoured():
    X, y = logic_gate(" XNor ", dtype=np.float32)
    assert X.dtype == np.float32 and y.dtype == np.float32
    assert y.tolist() == [1.0, 0.0, 0.0, 1.0]


def test_lecture_and_boundary_and_xnor_network_reproduce_the_gates():
    # AND: z = -1.5 + x1 + x2, y_hat = [sigma(z) > 0.5]
    X, y = ds.and_gate()
    assert np.array_equal((sigmoid(-1.5 + X.sum(axis=1)) > 0.5).astype(float), y)
    # XNOR with the lecture's hidden neurons a1, a2 and output boundary -0.5 + a1 + a2
    X, y = ds.xnor_gate()
    a1 = sigmoid(-6 + 4 * X[:, 0] + 4 * X[:, 1])
    a2 = sigmoid(2 - 4 * X[:, 0] - 4 * X[:, 1])
    np.testing.assert_allclose(a1, [0.002, 0.119, 0.119, 0.881], atol=5e-4)
    np.testing.assert_allclose(a2, [0.881, 0.119, 0.119, 0.002], atol=5e-4)
    assert np.array_equal((sigmoid(-0.5 + a1 + a2) > 0.5).astype(float), y)


def test_gate_errors():
    with pytest.raises(ValueError, match=r"'name'.*\['and', 'or', 'nand', 'nor', 'xor', 'xnor'\]"):
        logic_gate("xand")
    with pytest.raises(TypeError, match="'name'"):
        logic_gate(3)
    with pytest.raises(TypeError, match="'dtype'.*floating"):
        logic_gate("and", dtype=np.int64)


# ---------------------------------------------------------------------------------------
# toy sets
# ---------------------------------------------------------------------------------------

MAKERS = {
    "circles": lambda **kw: make_circles(**kw),
    "moons": lambda **kw: make_moons(**kw),
    "spirals": lambda **kw: make_spirals(**kw),
    "blobs": lambda **kw: make_blobs(**kw),
}


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_toy_sets_shapes_dtypes_and_seeds(name):
    make = MAKERS[name]
    X, y = make(n_samples=61, seed=3)
    assert X.shape == (61, 2) and y.shape == (61,)
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert np.all(np.isfinite(X))
    counts = np.bincount(y)
    assert counts.max() - counts.min() <= 1  # classes split evenly
    X2, y2 = make(n_samples=61, seed=3)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    X3, y3 = make(n_samples=61, seed=np.random.default_rng(3))
    assert np.array_equal(X, X3) and np.array_equal(y, y3)
    X4, _ = make(n_samples=61, seed=4)
    assert not np.array_equal(X, X4)
    # rows are shuffled: the labels are not sorted
    assert not np.all(np.diff(y) >= 0)


def test_circles_without_noise_lie_on_their_circles():
    X, y = make_circles(50, noise=0.0, factor=0.3, seed=0)
    r = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.3)
    assert np.bincount(y).tolist() == [25, 25]


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = make_moons(41, noise=0.0, seed=0)
    a, b = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(a[:, 0], a[:, 1]), 1.0)
    assert np.all(a[:, 1] >= -1e-12)
    np.testing.assert_allclose(np.hypot(b[:, 0] - 1.0, b[:, 1] - 0.5), 1.0)
    assert np.all(b[:, 1] <= 0.5 + 1e-12)


def test_spirals_classes_and_radius():
    X, y = make_spirals(100, n_classes=4, noise=0.0, seed=0)
    assert sorted(np.bincount(y).tolist()) == [25, 25, 25, 25]
    assert np.all(np.linalg.norm(X, axis=1) <= 1.0 + 1e-12)
    # noise is on the angle only: the radii are unchanged by it
    Xn, yn = make_spirals(100, n_classes=4, noise=0.5, seed=0)
    np.testing.assert_allclose(
        np.sort(np.linalg.norm(X, axis=1)), np.sort(np.linalg.norm(Xn, axis=1))
    )


def test_blobs_centers_std_and_features():
    centers = np.array([[0.0, 0.0, 0.0], [20.0, 0.0, 5.0]])
    X, y = make_blobs(400, centers=centers, cluster_std=[0.5, 2.0], seed=1)
    assert X.shape == (400, 3)
    for c in range(2):
        np.testing.assert_allclose(X[y == c].mean(axis=0), centers[c], atol=0.5)
    assert abs((X[y == 0] - centers[0]).std() - 0.5) < 0.1
    assert abs((X[y == 1] - centers[1]).std() - 2.0) < 0.4
    X, y = make_blobs(30, centers=5, n_features=4, seed=2)
    assert X.shape == (30, 4) and set(y.tolist()) == set(range(5))
    assert np.all(np.abs(X) < 10 + 6)  # centers in [-10, 10], std 1


@pytest.mark.parametrize(
    "call, exc, pattern",
    [
        (lambda: make_circles(0), ValueError, "'n_samples'.*>= 1. Got 0"),
        (lambda: make_circles(2.5), TypeError, "'n_samples'.*Got 2.5"),
        (lambda: make_moons(True), TypeError, "'n_samples'"),
        (lambda: make_moons(10, noise=-0.1), ValueError, "'noise'.*>= 0.*-0.1"),
        (lambda: make_moons(10, noise=float("nan")), ValueError, "'noise'"),
        (lambda: make_moons(10, noise="a"), TypeError, "'noise'"),
        (lambda: make_circles(10, factor=1.0), ValueError, r"'factor'.*\[0.0, 1.0\)"),
        (lambda: make_circles(10, seed="x"), TypeError, "'seed'"),
        (lambda: make_circles(10, seed=-1), ValueError, "'seed'"),
        (lambda: make_spirals(2, n_classes=3), ValueError, "'n_samples'.*>= 3"),
        (lambda: make_spirals(10, n_classes=1), ValueError, "'n_classes'.*>= 2"),
        (lambda: make_blobs(10, centers=0), ValueError, "'centers'"),
        (lambda: make_blobs(10, centers=[1.0, 2.0]), ValueError, r"'centers'.*shape \(2,\)"),
        (lambda: make_blobs(10, centers=3, cluster_std=[1, 2]), ValueError, "'cluster_std'"),
        (lambda: make_blobs(10, cluster_std=0.0), ValueError, "'cluster_std'"),
        (lambda: make_blobs(10, n_features=0), ValueError, "'n_features'"),
        (lambda: make_regression_multi(10, n_targets=0), ValueError, "'n_targets'"),
        (lambda: make_regression_multi(0), ValueError, "'n_samples'"),
    ],
)
def test_generator_argument_errors(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


def test_regression_multi_follows_its_documented_formula():
    X, Y = make_regression_multi(200, n_features=5, n_targets=4, noise=0.0, seed=7)
    assert X.shape == (200, 5) and Y.shape == (200, 4)
    d = X.shape[1]
    for k in range(4):
        a, b, c = k % d, (k + 1) % d, (k + 2) % d
        w = np.array([np.cos(1 + j + 3 * k) for j in range(d)]) / np.sqrt(d)
        ref = X @ w + np.sin(1.5 * X[:, a]) + 0.5 * np.tanh(X[:, b] * X[:, c])
        np.testing.assert_allclose(Y[:, k], ref, rtol=1e-12, atol=1e-12)
    # noise: the residual has the asked standard deviation; same seed, same data
    X1, Y1 = make_regression_multi(4000, noise=0.3, seed=1)
    X0, Y0 = make_regression_multi(4000, noise=0.0, seed=1)
    assert np.array_equal(X1, X0)
    assert abs((Y1 - Y0).std() - 0.3) < 0.02
    X2, Y2 = make_regression_multi(4000, noise=0.3, seed=1)
    assert np.array_equal(Y1, Y2)


def test_regression_multi_is_learnable_by_a_small_mlp():
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import r2_score
    from sklearn.neural_network import MLPRegressor

    X, Y = make_regression_multi(seed=0)
    X_test, Y_test = make_regression_multi(500, seed=1)  # same function, new samples
    mlp = MLPRegressor(
        hidden_layer_sizes=(64,), learning_rate_init=3e-3, max_iter=400, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(X, Y)
    r2 = r2_score(Y_test, mlp.predict(X_test), multioutput="raw_values")
    assert r2.shape == (3,)
    assert np.all(r2 >= 0.9), r2


# ---------------------------------------------------------------------------------------
# bundled loaders and load_dataset
# ---------------------------------------------------------------------------------------

LOADERS = {
    "digits": ((1797, 64), 10),
    "iris": ((150, 4), 3),
    "wine": ((178, 13), 3),
    "breast_cancer": ((569, 30), 2),
}


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_classification_loaders(name):
    shape, n_classes = LOADERS[name]
    X, y = getattr(ds, f"load_{name}")()
    assert X.shape == shape and X.dtype == np.float64
    assert y.shape == (shape[0],) and y.dtype == np.int64
    assert sorted(set(y.tolist())) == list(range(n_classes))


def test_diabetes_loader_is_regression():
    X, y = ds.load_diabetes()
    assert X.shape == (442, 10) and X.dtype == np.float64
    assert y.shape == (442,) and y.dtype == np.float64
    assert len(np.unique(y)) > 100


def test_loaders_without_scikit_learn_say_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    with pytest.raises(ImportError) as info:
        ds.load_digits()
    assert str(info.value) == 'load_digits needs scikit-learn: pip install "glassnet[sklearn]"'
    with pytest.raises(ImportError, match="load_wine needs scikit-learn"):
        load_dataset("wine")


@pytest.mark.parametrize("name", DATASETS)
def test_load_dataset_every_name(name):
    d = load_dataset(name)
    assert isinstance(d, Dataset) and d.name == name
    assert d.task_hint in TASK_HINTS
    assert d.X.dtype == np.float64 and d.X.ndim == 2
    assert len(d.feature_names) == d.X.shape[1]
    assert d.y.shape[0] == d.X.shape[0]
    if d.task_hint in ("binary", "multiclass"):
        labels = set(d.y.astype(np.int64).tolist())
        assert labels == set(range(len(d.target_names)))
        assert (len(d.target_names) == 2) == (d.task_hint == "binary")
    elif d.task_hint == "multioutput_regression":
        assert d.y.ndim == 2 and len(d.target_names) == d.y.shape[1]
    else:
        assert d.y.ndim == 1 and len(d.target_names) == 1
    X, y = d  # unpacks like the loaders' (X, y)
    assert X is d.X and y is d.y


def test_load_dataset_matches_the_functions_and_seed_zero():
    X, y = load_dataset("moons")
    X0, y0 = make_moons(seed=0)
    assert np.array_equal(X, X0) and np.array_equal(y, y0)
    X, y = load_dataset("Regression-Multi")
    assert np.array_equal(y, make_regression_multi(seed=0)[1])
    X, y = load_dataset("spirals", seed=5)
    assert np.array_equal(X, make_spirals(seed=5)[0])
    d = load_dataset("BREAST-CANCER")
    assert d.target_names == ("malignant", "benign")
    assert d.feature_names[0] == "mean radius"
    assert load_dataset("xnor").y.tolist() == [1.0, 0.0, 0.0, 1.0]


def test_load_dataset_unknown_name_lists_valid_names():
    with pytest.raises(ValueError) as info:
        load_dataset("moon")
    msg = str(info.value)
    assert "Unknown dataset 'moon'" in msg and "Did you mean 'moons'" in msg
    assert all(n in msg for n in DATASETS)
    with pytest.raises(TypeError, match="'name'"):
        load_dataset(None)


# ---------------------------------------------------------------------------------------
# read_csv and Table
# ---------------------------------------------------------------------------------------


def write(tmp_path, text, name="data.csv", mode="w"):
    p = tmp_path / name
    if mode == "wb":
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8", newline="")
    return p


def test_read_csv_numeric_categorical_and_target(tmp_path):
    p = write(
        tmp_path, "size,color,weight,label\n1.5,red,10,cat\n2,blue,12.5,dog\n-3e1,red,7,cat\n"
    )
    t = read_csv(p, target="label")
    assert t.names == ("size", "color", "weight", "label")
    assert t.feature_names == ("size", "color", "weight")
    assert t.kinds == {
        "size": "numeric",
        "color": "categorical",
        "weight": "numeric",
        "label": "categorical",
    }
    assert t.numeric_columns == ("size", "weight") and t.categorical_columns == ("color",)
    assert len(t) == 3 and t.n_rows == 3
    assert t.numbers("size").dtype == np.float64
    assert t.numbers("size").tolist() == [1.5, 2.0, -30.0]
    assert t.to_array(["size", "weight"]).tolist() == [[1.5, 10.0], [2.0, 12.5], [-30.0, 7.0]]
    assert t.strings("color").tolist() == ["red", "blue", "red"]
    assert t.y_raw.tolist() == ["cat", "dog", "cat"]
    assert t.y_float is None
    assert t.line_numbers.tolist() == [2, 3, 4]


def test_read_csv_numeric_target_has_float_version(tmp_path):
    p = write(tmp_path, "x,y\n1,0.5\n2,1.5\n")
    t = read_csv(p, target="y")
    assert t.y_raw.tolist() == ["0.5", "1.5"]
    assert t.y_float.dtype == np.float64 and t.y_float.tolist() == [0.5, 1.5]
    assert t.to_array().tolist() == [[1.0], [2.0]]


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_read_csv_sniffs_the_delimiter(tmp_path, sep):
    p = write(
        tmp_path,
        sep.join(["a", "b", "c"])
        + "\n"
        + sep.join(["1", "2", "x"])
        + "\n"
        + sep.join(["3", "4", "y"])
        + "\n",
    )
    t = read_csv(p)
    assert t.names == ("a", "b", "c")
    assert t.to_array(["a", "b"]).tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_read_csv_quotes_bom_crlf_blank_lines_and_explicit_delimiter(tmp_path):
    text = '\ufeffname,"note, with comma",v\r\n"Smith, J",hello,1\r\n\r\nLee,"say ""hi""",2\r\n'
    t = read_csv(write(tmp_path, text))
    assert t.names == ("name", "note, with comma", "v")
    assert t.raw("name").tolist() == ["Smith, J", "Lee"]
    assert t.raw("note, with comma").tolist() == ["hello", 'say "hi"']
    assert t.line_numbers.tolist() == [2, 4]  # the blank line 3 is skipped but counted
    p = write(tmp_path, "a;b\n1,5;2\n", name="semi.csv")
    with pytest.raises(ValueError, match="pass decimal=','"):
        read_csv(p, delimiter=";")
    t = read_csv(p, delimiter=";", decimal_commas="text")
    assert t.raw("a").tolist() == ["1,5"] and t.kinds["a"] == "categorical"
    with pytest.raises(ValueError, match="'delimiter'.*one character"):
        read_csv(p, delimiter=";;")


def test_read_csv_text_in_numeric_column_names_file_line_and_column(tmp_path):
    p = write(tmp_path, "a,b\n1,2\n3,4\n\n5,oops\n6,7\n")
    with pytest.raises(ValueError) as info:
        read_csv(p)
    msg = str(info.value)
    assert "'oops'" in msg and "line 5" in msg and "column 'b'" in msg and str(p) in msg


@pytest.mark.parametrize(
    "cell, what",
    [
        ("", "Missing value ''"),
        ("nan", "Missing value 'nan'"),
        ("NA", "Missing value 'NA'"),
        ("inf", "Non-finite value 'inf'"),
        ("-Infinity", "Non-finite value '-Infinity'"),
    ],
)
def test_read_csv_missing_and_non_finite_cells_are_errors(tmp_path, cell, what):
    p = write(tmp_path, f"a,b\n1,2\n3,{cell}\n5,6\n")
    with pytest.raises(ValueError) as info:
        read_csv(p)
    msg = str(info.value)
    assert what in msg and "line 3" in msg and "column 'b'" in msg and 'impute="mean"' in msg


def test_read_csv_missing_categorical_cell_is_an_error(tmp_path):
    p = write(tmp_path, "c,x\nred,1\n,2\nblue,3\n")
    with pytest.raises(ValueError, match=r"Missing value '' at line 3 .*column 'c'"):
        read_csv(p)


@pytest.mark.parametrize(
    "missing, keep",
    [(None, "('',)"), (("NA", "?"), "('?',)"), (("NA",), "()")],
)
def test_read_csv_text_value_read_as_missing_hint_keeps_the_other_texts(tmp_path, missing, keep):
    # "NA" a region code: the hint said missing=('',) whatever the user gave ('?' lost)
    p = write(tmp_path, "region,x\nNA,1\nEU,2\n")
    kw = {} if missing is None else {"missing": missing}
    hint = "If 'NA' is a value here, pass only the texts that mark missing cells, e.g. "
    with pytest.raises(ValueError, match=re.escape(f"{hint}missing={keep}.")):
        read_csv(p, **kw)


def test_read_csv_impute_mean_median_and_most_frequent(tmp_path):
    p = write(tmp_path, "a,c,y\n1,red,0\n,blue,1\n4,,0\n10,red,1\ninf,blue,0\nnan,red,1\n")
    t = read_csv(p, target="y", impute="mean")
    assert t.numbers("a").tolist() == [1.0, 5.0, 4.0, 10.0, 5.0, 5.0]  # mean of 1, 4, 10
    assert t.strings("c").tolist() == ["red", "blue", "red", "red", "blue", "red"]
    assert t.raw("c").tolist()[2] == ""  # raw cells stay as read
    assert t.imputed == {"a": (3, 6, 7), "c": (4,)}
    t = read_csv(p, target="y", impute="median")
    assert t.numbers("a").tolist() == [1.0, 4.0, 4.0, 10.0, 4.0, 4.0]
    with pytest.raises(ValueError, match="'impute'.*'mean' or 'median'.*'mode'"):
        read_csv(p, impute="mode")


def test_read_csv_most_frequent_tie_takes_the_first_in_sorted_order(tmp_path):
    p = write(tmp_path, "c,x\nzeta,1\nalpha,2\n,3\n")
    assert read_csv(p, impute="mean").strings("c").tolist() == ["zeta", "alpha", "alpha"]


def test_read_csv_target_is_never_imputed(tmp_path):
    p = write(tmp_path, "x,y\n1,2\n2,\n")
    with pytest.raises(ValueError, match=r"line 3 .*column 'y'.*fill it in or drop the row"):
        read_csv(p, target="y", impute="mean")


def test_read_csv_missing_replaces_the_texts_read_as_missing(tmp_path):
    # a region code "NA" (North America) is a category, "?" marks the missing cells
    p = write(tmp_path, "region,x,grade,y\nNA,1,N/A,0\nEU,?,A,1\nna,4,,0\nAS,10,a,1\n")
    with pytest.raises(ValueError, match=r"Missing value 'NA' at line 2.*missing=\('',\)"):
        read_csv(p, target="y")  # by default NA is a missing cell
    with pytest.raises(ValueError, match=r"Non-numeric value '\?'.*missing=\('', '\?'\)"):
        read_csv(p, target="y", missing=("",))
    t = read_csv(p, target="y", impute="mean", missing=("", " ? "))
    assert t.missing == frozenset({"", "?"})
    assert t.kinds == {"region": "categorical", "x": "numeric", "grade": "categorical",
                       "y": "numeric"}  # fmt: skip
    assert t.strings("region").tolist() == ["NA", "EU", "na", "AS"]  # values, as written
    assert t.numbers("x").tolist() == [1.0, 5.0, 4.0, 10.0]  # "?" imputed: mean of 1, 4, 10
    assert t.strings("grade").tolist() == ["N/A", "A", "A", "a"]  # "" -> the most frequent
    assert t.imputed == {"x": (3,), "grade": (4,)}
    assert t.take([1, 2]).missing == t.missing
    # compared in any case; a number-like text is matched as text; () reads nothing as missing
    t = read_csv(p, target="y", impute="mean", missing=("", "?", "N/a", "10"))
    assert t.strings("grade").tolist() == ["A", "A", "A", "a"]
    assert t.numbers("x").tolist() == [1.0, 2.5, 4.0, 2.5]
    t = read_csv(write(tmp_path, "c,x\nNA,1\n,2\n", name="none.csv"), missing=[])
    assert t.strings("c").tolist() == ["NA", ""]
    # the default is unchanged: NA and N/A are missing cells, "?" is text
    t = read_csv(p, target="y", impute="mean", categorical=["x"])
    assert t.missing == ds.MISSING_TOKENS
    assert t.imputed == {"region": (2, 4), "grade": (2, 4)}


@pytest.mark.parametrize(
    "cell, missing, hint",
    [
        ("?", None, "missing=('', 'n/a', 'na', 'nan', 'null', '?')"),
        ("?", ("",), "missing=('', '?')"),
        ("?", (" NA ", "-"), "missing=('-', 'na', '?')"),
        ("", ("?",), "missing=('', '?')"),
        ("", ("na", "?"), "missing=('', '?', 'na')"),
    ],
)
def test_read_csv_missing_marker_hint_keeps_the_texts_given(tmp_path, cell, missing, hint):
    # the hint was missing=('', cell) whatever missing= held: ('', '') for an empty cell
    # under missing=('?',), and the user's own texts dropped
    p = write(tmp_path, f"x,y\n1,0\n{cell},1\n3,0\n")
    with pytest.raises(ValueError, match="Non-numeric value") as info:
        read_csv(p, target="y", missing=missing)
    message = str(info.value)
    assert message.endswith(f"If {cell!r} marks missing cells, pass {hint}."), message
    # an empty cell is a missing cell only when missing= lists it
    assert ("leave the cell empty" in message) == (missing is None or "" in missing)


def test_read_csv_refuses_numbers_beside_one_marker_text_it_would_one_hot_encode(tmp_path):
    # "?" as often as the numbers, or more, made the column text: each number became a
    # category of its own, in silence (the command line refuses such a column)
    p = write(tmp_path, "a,b,y\n1.5,red,0\n?,red,1\n?,blue,0\n3.1,blue,1\n?,red,0\n,red,1\n")
    with pytest.raises(ValueError) as info:
        read_csv(p, target="y")
    message = str(info.value)
    assert message.startswith(f"Column 'a' of {str(p)!r} holds numbers and the text '?' ")
    assert "(3 of its 5 cells not read as missing, the first at line 3)" in message
    assert "each number would be a category of its own" in message
    hint = "pass missing=('', 'n/a', 'na', 'nan', 'null', '?') (impute=\"mean\" then fills them)"
    assert hint in message and message.endswith("pass categorical=['a'].")
    # either fix it names reads the file
    t = read_csv(p, target="y", missing=("", "n/a", "na", "nan", "null", "?"), impute="mean")
    assert t.kinds["a"] == "numeric" and t.imputed == {"a": (3, 4, 6, 7)}
    assert t.numbers("a").tolist() == [1.5, 2.3, 2.3, 3.1, 2.3, 2.3]
    t = read_csv(p, target="y", categorical=["a"], impute="mean")
    assert t.kinds["a"] == "categorical" and set(t.strings("a")) == {"1.5", "3.1", "?"}
    # impute given: not advised again; another marker, with missing= given
    with pytest.raises(ValueError, match=r"pass missing=\('\?', 'unknown'\), or drop") as info:
        read_csv(
            write(tmp_path, "a,y\n1,0\nunknown,1\n?,0\n2,1\nunknown,0\n", name="u.csv"),
            target="y",
            missing=("?",),
            impute="mean",
        )
    message = str(info.value)
    assert "'unknown' (2 of its 4 cells not read as missing, the first at line 3)" in message

    def table(cells, target="y", **kwargs):
        rows = "".join(f"{c},{i % 2}\n" for i, c in enumerate(cells.split(",")))
        return read_csv(write(tmp_path, "c,y\n" + rows, name="c.csv"), target, **kwargs)

    # an empty cell, which missing= leaves out, is that one text
    with pytest.raises(ValueError, match=r"numbers and empty cells \(3 of its 5 cells not read"):
        table('1,2,"","",""', missing=("?",))
    # text columns stay text: several texts (numbers among them), one number, a target
    for cells in ("1,2,x,x,y", "1,x,x,x,x", "x,x,x,1,1", "a,b,c,1,2"):
        assert table(cells).kinds["c"] == "categorical", cells
    assert table("1,2,?,?,?", target="c").kinds["c"] == "categorical"
    # codes 1, 2 and x, with x as often as the numbers or more: an error that names the fix,
    # as it is when x is rarer (text in a number column)
    with pytest.raises(ValueError, match=r"if the numbers are codes, pass categorical=\['c'\]\.$"):
        table("1,2,x,x,x")
    assert table("1,2,x,x,x", categorical=["c"]).kinds["c"] == "categorical"
    # a table built in memory may take its kinds from a model (a Pipeline's rows): unchanged
    assert Table({"c": ["1.5", "?", "?", "3.1", "?"]}).kinds["c"] == "categorical"


@pytest.mark.parametrize(
    "missing, error, pattern",
    [
        ("?", TypeError, r"'missing' parameter of read_csv.*Got str '\?': write \('\?',\)"),
        (["", 0], TypeError, r"'missing' parameter of read_csv must hold str.*Got int 0"),
        (5, TypeError, r"'missing' parameter of read_csv must be a list or tuple.*Got int 5"),
        (b"?", TypeError, r"'missing' parameter of read_csv.*Got bytes"),
    ],
)
def test_read_csv_refuses_a_bad_missing(tmp_path, missing, error, pattern):
    p = write(tmp_path, "a,b\n1,2\n")
    with pytest.raises(error, match=pattern):
        read_csv(p, missing=missing)
    with pytest.raises(error, match=pattern.replace("read_csv", "Table")):
        Table({"a": ["1"]}, missing=missing)


def test_read_csv_file_problems(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file.*nope.csv"):
        read_csv(tmp_path / "nope.csv")
    with pytest.raises(IsADirectoryError, match="is a directory"):
        read_csv(tmp_path)
    with pytest.raises(ValueError, match="is empty"):
        read_csv(write(tmp_path, ""))
    with pytest.raises(ValueError, match="is empty"):
        read_csv(write(tmp_path, "\n  \n\n"))
    with pytest.raises(ValueError, match=r"has a header row \(a, b\) but no data rows"):
        read_csv(write(tmp_path, "a,b\n\n"))
    with pytest.raises(ValueError, match="NUL bytes.*binary"):
        read_csv(write(tmp_path, b"a,b\n1,\x002\n", mode="wb"))
    with pytest.raises(ValueError, match="not UTF-8.*0xff at offset 4"):
        read_csv(write(tmp_path, b"a,b\n\xff,2\n", mode="wb"))


def test_a_compressed_file_a_workbook_or_a_model_is_named_with_what_to_do(tmp_path):
    """A gzip'd CSV, an .xlsx workbook or a model file given as the data were all "it holds
    NUL bytes (a binary file?)", which named neither what the file is nor what to do."""
    import gzip
    import zipfile

    import glassnet as gn

    csv_text = b"a,b\n1,2\n3,4\n"
    gz = tmp_path / "d.csv.gz"
    gz.write_bytes(gzip.compress(csv_text))
    what = r"d\.csv\.gz' is not a CSV file: it is gzip-compressed; decompress it first"
    with pytest.raises(ValueError, match=what + r" \(gunzip -k FILE\)"):
        read_csv(gz)
    xlsx = tmp_path / "book.xlsx"
    with zipfile.ZipFile(xlsx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ValueError, match=r"is an Excel workbook \(\.xlsx\); save the sheet"):
        read_csv(xlsx)
    model = gn.io.save_model(gn.nn.MLP([2, 1], rng=0), tmp_path / "m.glassnet")
    with pytest.raises(ValueError, match=r"is a safetensors file \(a glassnet model\?\)"):
        read_csv(model)
    other = tmp_path / "x.bin"
    other.write_bytes(b"\x89PNG\0\0\x01")
    with pytest.raises(ValueError, match="NUL bytes.*binary"):
        read_csv(other)
    text = tmp_path / "t.csv"  # (text that starts as a magic number does is text)
    text.write_bytes(b"PAR1,BZh\n1,2\n")
    assert list(read_csv(text).names) == ["PAR1", "BZh"]


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_an_endless_binary_stream_is_refused_not_read_forever():
    """read_csv('/dev/zero') read until memory ran out."""
    with pytest.raises(ValueError, match="'/dev/zero' is not a CSV file: it holds NUL bytes"):
        read_csv("/dev/zero")


def test_a_comment_line_above_the_header_is_named(tmp_path):
    """'# exported 2024-01-01' above the header: "Line 2 has 3 field(s) but the header has 1
    columns (# exported 2024-01-01): fix that row", but the row was fine."""
    path = write(tmp_path, "# exported 2024-01-01\na,b,c\n1,2,3\n")
    what = r"is the comment line '# exported 2024-01-01', one column, and line 2 has 3 fields"
    with pytest.raises(ValueError, match=what + ": delete the comment line"):
        read_csv(path)
    assert list(read_csv(write(tmp_path, "#,a\n1,2\n")).names) == ["#", "a"]


def test_a_cell_longer_than_the_csv_module_s_default_limit_is_read(tmp_path):
    """A 200,000-character note: "not valid CSV at line 3: field larger than field limit
    (131072) (a quote inside a quoted cell must be doubled)", even with drop=['note']."""
    note = "x" * 200_000
    path = write(tmp_path, f"a,note\n1,short\n2,{note}\n")
    assert read_csv(path).raw("note")[1] == note
    assert list(read_csv(path, drop=["note"]).names) == ["a"]


def test_read_csv_ragged_rows_name_the_line(tmp_path):
    with pytest.raises(ValueError, match=r"Line 4 .* has 3 field\(s\) but the header has 2"):
        read_csv(write(tmp_path, "a,b\n1,2\n3,4\n5,6,7\n"))
    with pytest.raises(ValueError, match=r"Line 3 .* has 1 field\(s\)"):
        read_csv(write(tmp_path, "a,b\n1,2\n3\n"))


def test_read_csv_header_problems(tmp_path):
    with pytest.raises(ValueError, match="header row naming the columns is required"):
        read_csv(write(tmp_path, "1,2\n3,4\n"))
    with pytest.raises(ValueError, match=r"repeats column names \['a'\]"):
        read_csv(write(tmp_path, "a,b,a\n1,2,3\n"))
    with pytest.raises(ValueError, match=r"no name for column\(s\) \[1\]"):
        read_csv(write(tmp_path, ",b\n1,2\n"))


def test_read_csv_missing_target_lists_columns(tmp_path):
    p = write(tmp_path, "alpha,beta,label\n1,2,3\n")
    with pytest.raises(ValueError) as info:
        read_csv(p, target="lable")
    msg = str(info.value)
    assert "'lable'" in msg and "alpha, beta, label" in msg and "Did you mean 'label'" in msg


def test_read_csv_categorical_override_and_table_helpers(tmp_path):
    p = write(tmp_path, "zip,v,y\n02139,1,a\n10001,2,b\n02139,3,a\n")
    t = read_csv(p, target="y", categorical=["zip"])
    assert t.kinds["zip"] == "categorical"
    assert t.strings("zip").tolist() == ["02139", "10001", "02139"]
    with pytest.raises(ValueError, match="categorical.*declared"):
        t.numbers("zip")
    with pytest.raises(ValueError, match=r"\['zip'\] .*categorical.*Preprocessor"):
        t.to_array()
    with pytest.raises(ValueError, match="'categorical'.*'nope'"):
        read_csv(p, categorical=["nope"])
    with pytest.raises(ValueError, match="Column 'w' is not in .*zip, v, y"):
        t.raw("w")
    sub = t.take(np.array([2, 0]))
    assert sub.kinds == t.kinds and len(sub) == 2
    assert sub.line_numbers.tolist() == [4, 2]
    assert sub.numbers("v").tolist() == [3.0, 1.0] and sub.y_raw.tolist() == ["a", "a"]
    with pytest.raises(ValueError, match="without a target column.*target=NAME"):
        _ = read_csv(p).y_raw


def test_categorical_column_numbers_error_names_the_text_cell():
    t = Table({"c": ["a", "b", "1"]})
    assert t.kinds["c"] == "categorical"  # mostly text: categorical, '1' kept as a string
    with pytest.raises(ValueError, match=r"'a' at line 2 of <table>, column 'c' is not a number"):
        t.numbers("c")


def test_table_from_memory_and_json_friendly_values():
    t = Table({"x": ["1", "2"], "y": ["u", "v"]}, target="y")
    assert t.source == "<table>" and t.feature_names == ("x",)
    assert json.loads(json.dumps(t.y_raw.tolist())) == ["u", "v"]
    with pytest.raises(ValueError, match="differ in length"):
        Table({"x": ["1"], "y": ["a", "b"]})
    with pytest.raises(ValueError, match="no data rows"):
        Table({"x": []})
    with pytest.raises(ValueError, match="non-empty mapping"):
        Table({})


# ----------------------------------------------------------------------------- read_csv: rows


def test_read_csv_refuses_an_unclosed_quote_naming_its_line(tmp_path):
    """A cell that opens a quote and never closes it would swallow the rest of the file."""
    lines = ["x,label"] + [f"{i},{'upper' if i % 2 else 'lower'}" for i in range(300)]
    lines[7] = '7,"upper'
    path = tmp_path / "q.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"Line 8 of .* opens a quote .* never closed.*294 lines"):
        read_csv(path, target="label")


def test_read_csv_quoted_line_breaks_need_multiline(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text('x,note\n1,"two\nlines"\n2,plain\n')
    with pytest.raises(ValueError, match=r"Line 2 .* runs on to line 3.*multiline=True"):
        read_csv(path)
    table = read_csv(path, multiline=True)
    assert table.raw("note").tolist() == ["two\nlines", "plain"]
    assert table.line_numbers.tolist() == [2, 4]  # where each row starts
    assert (
        table.line_notes
        == "2 rows from 4 lines (1 header, 1 inside quoted cells that hold line breaks)"
    )


def test_read_csv_reports_rows_against_lines(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text("\nx,y\n1,a\n\n2,b\n,\n")
    table = read_csv(path)
    assert (table.n_rows, table.file_lines) == (2, 6)
    assert table.line_notes == "2 rows from 6 lines (1 header, 3 blank)"
    plain = tmp_path / "p.csv"
    plain.write_text("x,y\n1,a\n2,b")
    assert read_csv(plain).line_notes == ""


def test_read_csv_stray_quote_names_the_line(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text('x,y\n1,a\n2,"b"c\n')
    with pytest.raises(ValueError, match="not valid CSV at line 3"):
        read_csv(path)


def test_read_csv_and_preprocessor_are_linear_in_the_columns(tmp_path):
    """3 x 10^4 columns: every pass over the columns is linear (a quadratic one in Python
    takes most of an hour here; 10^5 columns cost this test 30 s of CI time)."""
    from glassnet.preprocessing import Preprocessor

    n = 30_000
    header = [f"c{i}" for i in range(n)] + ["y"]
    rows = [",".join(str((i * 7 + r) % 13) for i in range(n)) + f",{'ab'[r % 2]}" for r in range(3)]
    path = tmp_path / "wide.csv"
    path.write_text(",".join(header) + "\n" + "\n".join(rows) + "\n")
    table = read_csv(path, target="y")
    X = Preprocessor().fit(table).transform(table)
    assert X.shape == (3, n) and np.isfinite(X).all()
    dup = tmp_path / "dup.csv"
    dup.write_text(",".join(header[:-1] + ["c5"]) + "\n" + rows[0] + "\n")
    with pytest.raises(ValueError, match=r"repeats column names \['c5'\]"):
        read_csv(dup)


def test_fill_values_cover_every_feature_column_and_refill_other_data(tmp_path):
    """With impute, every feature column gets its fill value (complete ones too), and a
    dict of them fills another file's missing cells the same way."""
    path = tmp_path / "t.csv"
    path.write_text("a,b,c,y\n1,,red,x\n2,4,blue,y\n6,8,red,x\n")
    table = read_csv(path, target="y", impute="median")
    assert table.fill_values == {"a": 2.0, "b": 6.0, "c": "red"}
    new = tmp_path / "n.csv"
    new.write_text("a,b,c\n,1,\n5,,blue\n")
    other = read_csv(new, impute=table.fill_values, categorical=["c"])
    assert other.numbers("a").tolist() == [2.0, 5.0] and other.numbers("b").tolist() == [1.0, 6.0]
    assert other.strings("c").tolist() == ["red", "blue"]
    with pytest.raises(ValueError, match="Missing value '' at line 2 .* column 'a'.*have none"):
        read_csv(new, impute={"b": 0.0}, categorical=["c"])


def test_read_csv_takes_a_spreadsheet_s_sep_line_and_trailing_delimiters(tmp_path):
    """Excel's 'sep=;' first line names the delimiter; a delimiter ending every line leaves
    an unnamed, empty last column, which is not a column of the table."""
    p = tmp_path / "excel.csv"
    p.write_text("sep=;\na;b;label;\n1.5;2;x;\n3;4;y;\n5;6;x\n")
    t = read_csv(p, "label")
    assert t.names == ("a", "b", "label") and list(t.y_raw) == ["x", "y", "x"]
    assert t.line_notes == "3 rows from 5 lines (1 header, 1 'sep=' line)"
    p.write_text("a,b,label,\n1,2,x,\n3,4,y,9\n")
    with pytest.raises(ValueError, match=r"Line 3 of .* has a value in column 4, which the "
                       r"header row leaves unnamed"):  # fmt: skip
        read_csv(p, "label")


def test_read_csv_path_and_multiline_of_the_wrong_type_are_named(tmp_path):
    """read_csv(3) failed in pathlib (expected str, bytes or os.PathLike object, not int);
    multiline="no" was true and read quoted line breaks."""
    from glassnet.datasets import read_csv

    with pytest.raises(TypeError, match=r"'path' parameter of read_csv .*Got int 3\."):
        read_csv(3)
    path = tmp_path / "t.csv"
    path.write_text('a,b\n1,"x\ny"\n')
    with pytest.raises(TypeError, match=r"'multiline' parameter of read_csv .*Got 'no'\."):
        read_csv(path, multiline="no")
    assert read_csv(path, multiline=True).strings("b").tolist() == ["x\ny"]


def test_logic_gate_names_a_dtype_numpy_does_not_know():
    from glassnet.datasets import logic_gate

    with pytest.raises(TypeError, match=r"'dtype' parameter of logic_gate .*Got 'banana'\."):
        logic_gate("xor", dtype="banana")


def test_digits_grouped_by_underscores_are_text_as_pandas_reads_them(tmp_path):
    """Python's float() reads 18_24 as 1824: age bands trained as the classes 1824, 2534
    (the command line refused them; read_csv and Table, the Python API, read them so)."""
    from glassnet.datasets import read_csv

    path = tmp_path / "bands.csv"
    path.write_text("age,x,y\n18_24,1,0\n25_34,2,1\n35_44,3,0\n18_24,4,1\n")
    table = read_csv(path, target="y")
    assert table.kinds["age"] == "categorical" and table.kinds["x"] == "numeric"
    labels = read_csv(path, target="age")
    assert sorted(set(labels.raw("age").tolist())) == ["18_24", "25_34", "35_44"]
