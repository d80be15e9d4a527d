"""Tests for glassnet.preprocessing: split, StandardScaler, OneHotEncoder, LabelEncoder,
Preprocessor; scikit-learn is the reference where it has the same object."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from sklearn import preprocessing as skp

from glassnet.datasets import Table, read_csv
from glassnet.preprocessing import (
    LabelEncoder,
    NotFittedError,
    OneHotEncoder,
    Preprocessor,
    StandardScaler,
    train_test_split,
)


def json_round_trip(d):
    return json.loads(json.dumps(d))


# ---------------------------------------------------------------------------------------
# train_test_split
# ---------------------------------------------------------------------------------------


def test_split_sizes_partition_and_alignment():
    X = np.arange(40.0).reshape(20, 2)
    y = np.arange(20)
    names = [f"r{i}" for i in range(20)]
    X_tr, X_te, y_tr, y_te, n_tr, n_te = train_test_split(X, y, names, test_size=0.25, seed=0)
    assert X_tr.shape == (15, 2) and X_te.shape == (5, 2)
    assert isinstance(n_tr, list) and len(n_te) == 5
    assert sorted(np.concatenate([y_tr, y_te]).tolist()) == list(range(20))  # a partition
    assert np.array_equal(X_te[:, 0], 2 * y_te) and np.array_equal(X_tr[:, 1], 2 * y_tr + 1)
    assert n_te == [f"r{i}" for i in y_te]
    assert not np.array_equal(y_tr, np.sort(y_tr))  # shuffled


def test_split_sizes_round_up_and_int_sizes():
    y = np.arange(10)
    assert len(train_test_split(y, test_size=0.21, seed=0)[1]) == 3  # ceil(2.1)
    assert len(train_test_split(y, test_size=4, seed=0)[1]) == 4


def test_split_is_reproducible_by_seed():
    y = np.arange(50)
    a = train_test_split(y, seed=3)
    b = train_test_split(y, seed=3)
    c = train_test_split(y, seed=np.random.default_rng(3))
    d = train_test_split(y, seed=4)
    assert np.array_equal(a[1], b[1]) and np.array_equal(a[1], c[1])
    assert not np.array_equal(a[1], d[1])


def test_split_stratified_keeps_proportions():
    y = np.array([0] * 60 + [1] * 30 + [2] * 10)
    X = np.arange(100)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, seed=0, stratify=y)
    assert np.bincount(y_te).tolist() == [12, 6, 2]
    assert np.bincount(y_tr).tolist() == [48, 24, 8]
    assert np.array_equal(y[X_te], y_te)
    # remainders: 7 test rows from classes of 5, 3, 2 -> shares 3.5, 2.1, 1.4
    y = np.array(["a"] * 5 + ["b"] * 3 + ["c"] * 2)
    _, y_te = train_test_split(y, test_size=7, seed=1, stratify=y)
    counts = {k: int((y_te == k).sum()) for k in "abc"}
    assert sum(counts.values()) == 7
    assert all(abs(counts[k] - s) < 1 for k, s in zip("abc", [3.5, 2.1, 1.4], strict=True))


def test_split_stratified_puts_every_class_in_both_parts():
    # shares 1.96 and 96.04 of 98 test rows: rounding alone would leave class 0 out of train
    y = np.array([0] * 2 + [1] * 98)
    y_tr, y_te = train_test_split(y, test_size=98, seed=0, stratify=y)
    assert np.bincount(y_tr, minlength=2).tolist() == [1, 1]
    assert np.bincount(y_te, minlength=2).tolist() == [1, 97]
    # shares 0.2 and 1.8 of 2 test rows: class 1 needs one of them
    y = np.array([0] * 18 + [1] * 2)
    y_tr, y_te = train_test_split(y, test_size=2, seed=0, stratify=y)
    assert np.bincount(y_te, minlength=2).tolist() == [1, 1]
    assert np.bincount(y_tr, minlength=2).tolist() == [17, 1]


@pytest.mark.parametrize(
    "test_size, match",
    [
        (2, r"'test_size'.*2 test rows.*3 classes"),
        (9, r"'test_size'.*leaves 1 training row.*3 classes"),
    ],
)
def test_split_stratified_too_few_rows_for_the_classes(test_size, match):
    y = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
    with pytest.raises(ValueError, match=match):
        train_test_split(np.arange(10), test_size=test_size, seed=0, stratify=y)


def test_split_of_a_table_keeps_kinds():
    t = Table({"x": ["1", "2", "3", "4"], "c": ["a", "b", "a", "b"], "y": list("0101")}, target="y")
    t_tr, t_te = train_test_split(t, test_size=0.5, seed=0)
    assert isinstance(t_tr, Table) and len(t_tr) == 2 and len(t_te) == 2
    assert t_tr.kinds == t.kinds
    assert sorted(t_tr.numbers("x").tolist() + t_te.numbers("x").tolist()) == [1, 2, 3, 4]


def test_split_of_pandas_objects_by_position():
    import pandas as pd

    df = pd.DataFrame({"a": np.arange(10)}, index=np.arange(10)[::-1])
    df_tr, df_te, y_tr, y_te = train_test_split(df, np.arange(10), seed=2)
    assert isinstance(df_tr, pd.DataFrame) and len(df_te) == 3
    assert np.array_equal(df_te["a"].to_numpy(), y_te)


@pytest.mark.parametrize(
    "kwargs, exc, pattern",
    [
        ({"test_size": 0.0}, ValueError, r"'test_size'.*\(0, 1\). Got 0.0"),
        ({"test_size": 1.0}, ValueError, r"'test_size'.*\(0, 1\)"),
        ({"test_size": 10}, ValueError, r"'test_size'.*\[1, 9\].*Got 10"),
        ({"test_size": 0}, ValueError, r"'test_size'.*\[1, 9\]"),
        ({"test_size": 0.95}, ValueError, "leaves no training rows"),
        ({"test_size": True}, TypeError, "'test_size'"),
        ({"test_size": "0.2"}, TypeError, "'test_size'"),
        ({"seed": 1.5}, TypeError, "'seed'"),
        ({"stratify": np.arange(9)}, ValueError, "'stratify'.*10 labels.*shape \\(9,\\)"),
        ({"stratify": np.array([0] * 9 + [1])}, ValueError, r"single row: \[1\]"),
    ],
)
def test_split_argument_errors(kwargs, exc, pattern):
    with pytest.raises(exc, match=pattern):
        train_test_split(np.arange(10), **kwargs)


@pytest.mark.parametrize("bad", ["abcdef", {"a": 1, "b": 2}, {1, 2, 3}])
def test_split_rejects_a_string_dict_or_set(bad):
    with pytest.raises(TypeError, match="train_test_split takes arrays.*Got " + type(bad).__name__):
        train_test_split(bad, seed=0)


def test_split_array_errors():
    with pytest.raises(ValueError, match="at least one array"):
        train_test_split()
    with pytest.raises(ValueError, match=r"different numbers of rows \[10, 9\]"):
        train_test_split(np.arange(10), np.arange(9))
    with pytest.raises(ValueError, match="at least 2 rows"):
        train_test_split(np.arange(1))


# ---------------------------------------------------------------------------------------
# StandardScaler
# ---------------------------------------------------------------------------------------


def test_scaler_matches_scikit_learn_and_inverts():
    rng = np.random.default_rng(0)
    X = rng.normal(3.0, 2.0, size=(50, 4)) * np.array([1, 10, 0.1, 100])
    s = StandardScaler().fit(X)
    ref = skp.StandardScaler().fit(X)
    np.testing.assert_allclose(s.mean_, ref.mean_, rtol=1e-12)
    np.testing.assert_allclose(s.scale_, ref.scale_, rtol=1e-12)
    Z = s.transform(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(s.inverse_transform(Z), X, rtol=1e-12)
    np.testing.assert_allclose(s.fit_transform(X), Z)


def test_scaler_zero_variance_column_gets_scale_one():
    X = np.array([[1.0, 7.3], [2.0, 7.3], [3.0, 7.3]])
    s = StandardScaler().fit(X)
    assert s.scale_[1] == 1.0
    assert np.all(s.transform(X)[:, 1] == 0.0)
    assert np.all(np.isfinite(s.transform(X)))


def test_scaler_scales_a_column_of_tiny_values():
    # values near 1e-20 vary: only a column constant up to rounding gets scale 1
    X = np.array([[1e-20, 5.0], [3e-20, 5.0], [2e-20, 5.0]])
    s = StandardScaler().fit(X)
    ref = skp.StandardScaler().fit(X)
    np.testing.assert_allclose(s.scale_, ref.scale_, rtol=1e-12)
    Z = s.transform(X)
    np.testing.assert_allclose(Z[:, 0], [-1.224744871391589, 1.224744871391589, 0.0], atol=1e-12)


def test_scaler_rejects_complex_values_and_no_columns():
    with pytest.raises(TypeError, match="'X'.*real numbers.*complex128.*X.real"):
        StandardScaler().fit(np.array([[1 + 2j], [3 + 0j]]))
    with pytest.raises(ValueError, match=r"'X'.*no columns.*shape \(3, 0\)"):
        StandardScaler().fit(np.zeros((3, 0)))


def test_scaler_is_accurate_for_a_column_with_a_large_offset():
    # values 1e9 + N(0, 1): the std must not lose the digits that the offset takes
    X = np.random.default_rng(0).normal(1e9, 1.0, size=(200, 1))
    xs = [Fraction(v) for v in X[:, 0]]
    mean = sum(xs) / len(xs)
    std = math.sqrt(float(sum((x - mean) ** 2 for x in xs) / len(xs)))
    s = StandardScaler().fit(X)
    np.testing.assert_allclose(s.mean_, [float(mean)], rtol=1e-15)
    np.testing.assert_allclose(s.scale_, [std], rtol=1e-12)


def test_scaler_keeps_float32_and_round_trips_json():
    X = np.random.default_rng(1).normal(size=(20, 3)).astype(np.float32)
    s = StandardScaler().fit(X)
    assert s.transform(X).dtype == np.float32
    assert s.transform(X.astype(np.float64)).dtype == np.float64
    d = s.to_dict()
    s2 = StandardScaler.from_dict(json_round_trip(d))
    assert np.array_equal(s2.mean_, s.mean_) and np.array_equal(s2.scale_, s.scale_)
    assert np.array_equal(s2.transform(X), s.transform(X))


def test_scaler_errors():
    with pytest.raises(NotFittedError, match="StandardScaler is not fitted.*fit"):
        StandardScaler().transform(np.ones((2, 2)))
    with pytest.raises(NotFittedError):
        StandardScaler().to_dict()
    s = StandardScaler().fit(np.ones((3, 2)))
    with pytest.raises(ValueError, match="3 columns, but the scaler was fitted on 2"):
        s.transform(np.ones((1, 3)))
    with pytest.raises(ValueError, match=r"2-D.*shape \(3,\).*reshape"):
        StandardScaler().fit(np.ones(3))
    with pytest.raises(ValueError, match="NaN or inf.*row 1, column 0"):
        StandardScaler().fit(np.array([[1.0, 2.0], [np.nan, 1.0]]))
    with pytest.raises(TypeError, match="numeric.*OneHotEncoder"):
        StandardScaler().fit(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match="'type': 'StandardScaler'"):
        StandardScaler.from_dict({"type": "OneHotEncoder", "mean": [0.0], "scale": [1.0]})
    with pytest.raises(ValueError, match=r"lacks the key\(s\) \['scale'\]"):
        StandardScaler.from_dict({"type": "StandardScaler", "mean": [0.0]})
    with pytest.raises(ValueError, match="'scale' finite and > 0"):
        StandardScaler.from_dict({"type": "StandardScaler", "mean": [0.0], "scale": [0.0]})


# ---------------------------------------------------------------------------------------
# OneHotEncoder
# ---------------------------------------------------------------------------------------


def test_one_hot_matches_scikit_learn():
    X = np.array([["red", "S"], ["blue", "M"], ["red", "L"], ["green", "M"]], dtype=object)
    enc = OneHotEncoder().fit(X, names=["color", "size"])
    assert [c.tolist() for c in enc.categories_] == [["blue", "green", "red"], ["L", "M", "S"]]
    ref = skp.OneHotEncoder(sparse_output=False).fit(X)
    Z = enc.transform(X)
    assert Z.dtype == np.float64 and Z.shape == (4, 6)
    assert np.array_equal(Z, ref.transform(X))
    assert enc.feature_names_out == [
        "color=blue", "color=green", "color=red", "size=L", "size=M", "size=S",
    ]  # fmt: skip
    assert enc.inverse_transform(Z).tolist() == X.tolist()


def test_one_hot_inverse_of_an_unknown_value_is_none_as_scikit_learn():
    X = np.array([["red", "S"], ["blue", "M"]], dtype=object)
    enc = OneHotEncoder().fit(X)
    Z = enc.transform([["green", "M"]], unknown="ignore")  # the color block is all zeros
    ref = skp.OneHotEncoder(sparse_output=False, handle_unknown="ignore").fit(X)
    assert enc.inverse_transform(Z).tolist() == ref.inverse_transform(Z).tolist()
    assert enc.inverse_transform(Z).tolist() == [[None, "M"]]


def test_one_hot_single_column_and_non_string_values():
    enc = OneHotEncoder().fit([3, 1, 3])  # 1-D: one column, values compared as str
    assert enc.names_ == ["x0"] and enc.categories_[0].tolist() == ["1", "3"]
    assert enc.transform([1, 3]).tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_one_hot_unknown_value_names_column_value_and_known():
    enc = OneHotEncoder().fit([["red"], ["blue"]], names=["color"])
    with pytest.raises(ValueError) as info:
        enc.transform([["red"], ["purple"]])
    msg = str(info.value)
    assert "'color'" in msg and "'purple'" in msg and "['blue', 'red']" in msg


def test_one_hot_json_round_trip_and_errors():
    X = [["a", "x"], ["b", "y"], ["c", "x"]]
    enc = OneHotEncoder().fit(X, names=["p", "q"])
    enc2 = OneHotEncoder.from_dict(json_round_trip(enc.to_dict()))
    assert enc2.names_ == ["p", "q"]
    assert np.array_equal(enc2.transform(X), enc.transform(X))
    with pytest.raises(NotFittedError):
        OneHotEncoder().transform(X)
    with pytest.raises(ValueError, match="'names'.*2 column names"):
        OneHotEncoder().fit(X, names=["p"])
    with pytest.raises(ValueError, match="has 1 columns, but the encoder was fitted on 2"):
        enc.transform([["a"]])
    with pytest.raises(ValueError, match="same length"):
        OneHotEncoder.from_dict({"type": "OneHotEncoder", "names": ["p"], "categories": []})


# ---------------------------------------------------------------------------------------
# LabelEncoder
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "labels",
    [
        ["dog", "cat", "bird", "cat"],
        [3, -1, 7, 3, 7],
        np.array([2.5, 0.1, 2.5]),
        [True, False, True],
        np.array(["b", "a"], dtype=object),
    ],
)
def test_label_encoder_matches_scikit_learn_and_round_trips(labels):
    enc = LabelEncoder().fit(labels)
    ref = skp.LabelEncoder().fit(labels)
    assert enc.classes_.tolist() == ref.classes_.tolist()
    codes = enc.transform(labels)
    assert codes.dtype == np.int64
    assert np.array_equal(codes, ref.transform(labels))
    assert enc.inverse_transform(codes).tolist() == list(np.asarray(labels).tolist())
    enc2 = LabelEncoder.from_dict(json_round_trip(enc.to_dict()))
    assert enc2.classes_.tolist() == enc.classes_.tolist()
    # the types come back too: ints as ints, floats exactly, bools as bools
    assert [type(c) for c in enc2.classes_.tolist()] == [type(c) for c in enc.classes_.tolist()]
    assert np.array_equal(enc2.transform(labels), codes)


def test_label_encoder_json_keeps_int_type():
    d = json_round_trip(LabelEncoder().fit([10, 2, 2]).to_dict())
    assert d == {"type": "LabelEncoder", "label_type": "int", "classes": ["2", "10"]}
    enc = LabelEncoder.from_dict(d)
    assert enc.classes_.dtype.kind == "i" and enc.inverse_transform([1]).tolist() == [10]


def test_label_encoder_errors():
    enc = LabelEncoder().fit(["a", "b", "c"])
    with pytest.raises(ValueError, match=r"not seen at fit: \['d', 'e'\].*\['a', 'b', 'c'\]"):
        enc.transform(["a", "d", "e", "d"])
    with pytest.raises(ValueError, match=r"not seen at fit: \[1\]"):
        enc.transform([1])
    with pytest.raises(ValueError, match=r"must be in \[0, 2\]. Got \[3\]"):
        enc.inverse_transform([0, 3])
    with pytest.raises(ValueError, match=r"1-D.*y.ravel\(\)"):
        LabelEncoder().fit(np.array([[1], [2]]))
    with pytest.raises(
        ValueError, match=r"1 missing label\(s\) \(NaN or pandas' NA\), the first at"
    ):
        LabelEncoder().fit([1.0, np.nan])  # (round 27: missing, its position named)
    with pytest.raises(TypeError, match="one type"):
        LabelEncoder().fit(np.array([1, "a"], dtype=object))
    with pytest.raises(NotFittedError, match="LabelEncoder"):
        LabelEncoder().transform([1])
    with pytest.raises(ValueError, match="'label_type'"):
        LabelEncoder.from_dict({"type": "LabelEncoder", "label_type": "complex", "classes": ["1"]})
    with pytest.raises(ValueError, match="not all of type int"):
        LabelEncoder.from_dict({"type": "LabelEncoder", "label_type": "int", "classes": ["x"]})
    # floats equal to ints are the same labels
    assert LabelEncoder().fit([0, 1]).transform(np.array([1.0, 0.0])).tolist() == [1, 0]


# ---------------------------------------------------------------------------------------
# Preprocessor
# ---------------------------------------------------------------------------------------

TRAIN = "age,city,income,label\n20,paris,10,no\n30,rome,20,yes\n40,paris,60,no\n50,oslo,30,yes\n"


@pytest.fixture
def train_table(tmp_path):
    p = tmp_path / "train.csv"
    p.write_text(TRAIN)
    return read_csv(p, target="label")


def test_preprocessor_fit_transform(train_table):
    pre = Preprocessor().fit(train_table)
    assert pre.columns_ == ["age", "city", "income"]
    assert pre.kinds_ == {"age": "numeric", "city": "categorical", "income": "numeric"}
    names = ["age", "city=oslo", "city=paris", "city=rome", "income"]
    assert pre.feature_names_out == names and pre.n_features_out == 5
    X = pre.transform(train_table)
    assert X.shape == (4, 5) and X.dtype == np.float64
    age = np.array([20.0, 30, 40, 50])
    np.testing.assert_allclose(X[:, 0], (age - age.mean()) / age.std())
    assert X[:, 1:4].tolist() == [[0, 1, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0]]
    np.testing.assert_allclose(X.mean(axis=0)[[0, 4]], 0.0, atol=1e-12)
    assert np.array_equal(Preprocessor().fit_transform(train_table), X)


def test_preprocessor_transform_checks_unknown_without_categorical_columns(train_table):
    """unknown='foo' was checked by the one-hot encoder only: with no text column it passed."""
    pre = Preprocessor().fit(train_table, columns=["age", "income"])
    with pytest.raises(ValueError, match="The 'unknown' parameter must be 'error' or 'ignore'"):
        pre.transform(train_table, unknown="foo")


def test_preprocessor_chosen_columns_and_reordered_file(train_table, tmp_path):
    pre = Preprocessor().fit(train_table, columns=["income", "city"])
    assert pre.feature_names_out == ["income", "city=oslo", "city=paris", "city=rome"]
    p = tmp_path / "new.csv"
    p.write_text("city,income\nrome,20\noslo,60\n")  # other order, no target, no age
    X = pre.transform(read_csv(p))
    inc = np.array([10.0, 20, 60, 30])
    np.testing.assert_allclose(X[:, 0], (np.array([20.0, 60]) - inc.mean()) / inc.std())
    assert X[:, 1:].tolist() == [[0, 0, 1], [1, 0, 0]]


def test_preprocessor_json_round_trip_gives_the_same_output(train_table):
    pre = Preprocessor().fit(train_table)
    d = json_round_trip(pre.to_dict())
    assert d["type"] == "Preprocessor" and d["kinds"] == ["numeric", "categorical", "numeric"]
    pre2 = Preprocessor.from_dict(d)
    assert pre2.feature_names_out == pre.feature_names_out
    assert np.array_equal(pre2.transform(train_table), pre.transform(train_table))
    # only numeric, only categorical
    t = Table({"a": ["1", "2"]})
    assert Preprocessor.from_dict(json_round_trip(Preprocessor().fit(t).to_dict())).encoder_ is None
    t = Table({"c": ["u", "v"]})
    assert Preprocessor.from_dict(json_round_trip(Preprocessor().fit(t).to_dict())).scaler_ is None


def test_preprocessor_column_errors(train_table, tmp_path):
    pre = Preprocessor().fit(train_table)
    missing = tmp_path / "missing.csv"
    missing.write_text("age,income\n20,10\n")
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['city'\].*Expected columns"):
        pre.transform(read_csv(missing))
    extra = tmp_path / "extra.csv"
    extra.write_text("age,city,income,id,label\n20,rome,10,7,no\n")
    with pytest.raises(ValueError, match=r"column\(s\) \['id', 'label'\] not seen at fit"):
        pre.transform(read_csv(extra))
    X = pre.transform(read_csv(extra, target="label"), extra="ignore")
    assert X.shape == (1, 5)
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("age,city,income\n20,lima,10\n")
    with pytest.raises(ValueError, match=r"'city'.*\['lima'\].*\['oslo', 'paris', 'rome'\]"):
        pre.transform(read_csv(unknown))
    text = tmp_path / "text.csv"
    text.write_text("age,city,income\nold,rome,10\n")
    with pytest.raises(ValueError, match=r"'age'.*categorical, not numeric.*'old' at line 2"):
        pre.transform(read_csv(text))


def test_preprocessor_argument_errors(train_table):
    with pytest.raises(NotFittedError, match="Preprocessor"):
        Preprocessor().transform(train_table)
    with pytest.raises(TypeError, match="Table"):
        Preprocessor().fit(np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"\['nope'\].*Available columns"):
        Preprocessor().fit(train_table, columns=["age", "nope"])
    with pytest.raises(ValueError, match="includes the target column 'label'"):
        Preprocessor().fit(train_table, columns=["age", "label"])
    with pytest.raises(ValueError, match="'extra'"):
        Preprocessor().fit(train_table).transform(train_table, extra="drop")
    d = Preprocessor().fit(train_table).to_dict()
    d["encoder"] = None
    with pytest.raises(ValueError, match="'encoder' exactly when"):
        Preprocessor.from_dict(d)
    with pytest.raises(ValueError, match="'kinds'"):
        Preprocessor.from_dict({**d, "kinds": ["numeric"]})


# ------------------------------------------------- one-hot encoding in the user's order
def test_one_hot_encoder_in_the_users_category_order():
    """The lecture's slide: Cat=[1,0,0], Dog=[0,1,0], Bird=[0,0,1] (not sorted)."""
    from glassnet.preprocessing import OneHotEncoder

    enc = OneHotEncoder(categories=[["Cat", "Dog", "Bird"]])
    Z = enc.fit_transform([["Dog"], ["Cat"], ["Bird"], ["Dog"]], names=["animal"])
    assert Z.tolist() == [[0, 1, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0]]
    assert enc.feature_names_out == ["animal=Cat", "animal=Dog", "animal=Bird"]
    assert enc.inverse_transform(Z)[:, 0].tolist() == ["Dog", "Cat", "Bird", "Dog"]
    # a category the data lacks is still a column; the saved order survives a round trip
    enc2 = OneHotEncoder(categories=[["Cat", "Dog", "Bird"], [3, 1]]).fit([["Bird", 1]])
    assert enc2.transform([["Cat", 3], ["Bird", 1]]).tolist() == [
        [1, 0, 0, 1, 0],
        [0, 0, 1, 0, 1],
    ]
    back = OneHotEncoder.from_dict(enc2.to_dict())
    assert [c.tolist() for c in back.categories_] == [["Cat", "Dog", "Bird"], ["3", "1"]]
    assert np.array_equal(back.transform([["Dog", 3]]), enc2.transform([["Dog", 3]]))
    # 'auto' (the default) is sorted, as before
    assert OneHotEncoder().fit(["Dog", "Cat", "Bird"]).categories_[0].tolist() == [
        "Bird",
        "Cat",
        "Dog",
    ]
    with pytest.raises(ValueError, match="not seen at fit: \\['Cow'\\]"):
        enc.transform([["Cow"]])


@pytest.mark.parametrize(
    "categories, X, match",
    [
        (["Cat", "Dog"], ["Cat"], "'categories' parameter of OneHotEncoder must be 'auto'"),
        ("sorted", ["Cat"], "'categories' parameter of OneHotEncoder must be 'auto'"),
        ([[]], ["Cat"], "'categories' parameter of OneHotEncoder must be 'auto'"),
        ([["Cat", "Cat"]], ["Cat"], "repeat \\['Cat'\\]"),
        ([["Cat"], ["Dog"]], ["Cat"], "lists 2 column\\(s\\), but X has 1"),
        ([["Cat", "Dog"]], ["Cat", "Cow"], "missing from the 'categories'.*\\['Cow'\\]"),
    ],
)
def test_one_hot_encoder_categories_errors(categories, X, match):
    from glassnet.preprocessing import OneHotEncoder

    with pytest.raises(ValueError, match=match):
        OneHotEncoder(categories=categories).fit(X)


def test_label_encoder_classes_of_mixed_types_are_rejected():
    # np.asarray would turn [1, "a"] into the strings ["1", "a"]: fit([1]) then failed oddly
    with pytest.raises(TypeError, match=r"'classes'.*one type.*\['int', 'str'\]"):
        LabelEncoder(classes=[1, "a"])


def test_label_encoder_empty_transform_and_huge_float_codes():
    enc = LabelEncoder().fit(["a", "b"])
    ref = skp.LabelEncoder().fit(["a", "b"])
    out = enc.transform([])  # an empty batch, as scikit-learn
    assert out.dtype == np.int64 and out.shape == (0,) == ref.transform([]).shape
    with pytest.raises(ValueError, match=r"'indices'.*\[0, 1\]\. Got \[1e\+20\]"):
        enc.inverse_transform(np.array([1e20]))


def test_label_encoder_in_the_users_class_order():
    from glassnet.preprocessing import LabelEncoder

    enc = LabelEncoder(classes=["Cat", "Dog", "Bird"]).fit(["Dog", "Bird", "Dog"])
    assert enc.classes_.tolist() == ["Cat", "Dog", "Bird"]
    assert enc.transform(["Cat", "Dog", "Bird", "Bird"]).tolist() == [0, 1, 2, 2]
    assert enc.inverse_transform([2, 0]).tolist() == ["Bird", "Cat"]
    back = LabelEncoder.from_dict(enc.to_dict())
    assert back.classes_.tolist() == ["Cat", "Dog", "Bird"]
    assert back.transform(["Bird"]).tolist() == [2]
    ints = LabelEncoder(classes=[3, 1, 2]).fit([1, 2, 3])
    assert ints.transform([3, 2]).tolist() == [0, 2]
    assert LabelEncoder().fit(["Dog", "Cat"]).classes_.tolist() == ["Cat", "Dog"]  # sorted
    with pytest.raises(ValueError, match="missing from 'classes': \\['Cow'\\]"):
        LabelEncoder(classes=["Cat", "Dog"]).fit(["Cat", "Cow"])
    with pytest.raises(ValueError, match="not seen at fit: \\['Cow'\\]"):
        enc.transform(["Cow"])
    for bad in (["Cat", "Cat"], [], [["Cat"]]):
        with pytest.raises(ValueError, match="'classes' parameter of LabelEncoder"):
            LabelEncoder(classes=bad)


@pytest.mark.parametrize("y", [[1, "a"], ("a", 2.5), ["yes", True]])
def test_label_encoder_labels_of_mixed_types_are_rejected_not_turned_into_str(y):
    # np.asarray([1, "a"]) is ['1', 'a']: fit would learn the class '1' for the int 1
    with pytest.raises(TypeError, match=r"'y' parameter of LabelEncoder.fit mixes label types"):
        LabelEncoder().fit(y)
    enc = LabelEncoder().fit(["1", "a"])
    with pytest.raises(
        TypeError, match=r"LabelEncoder.transform mixes label types \['int', 'str'\]"
    ):
        enc.transform([1, "a"])
    assert enc.transform(["a", "1"]).tolist() == [1, 0]  # one type: as before


def test_standard_scaler_ragged_rows_are_named():
    with pytest.raises(ValueError, match=r"'X' parameter of StandardScaler.fit .* rows have diff"):
        StandardScaler().fit([[1.0, 2.0], [3.0]])
    s = StandardScaler().fit([[1.0], [3.0]])
    with pytest.raises(ValueError, match=r"'X' parameter of StandardScaler.transform .* rows"):
        s.transform([[1.0], [2.0, 3.0]])


def test_preprocessor_names_a_numeric_column_read_as_text_without_advising_itself(tmp_path):
    """Table.numbers' error said "Use a Preprocessor" to a Preprocessor's user."""
    fit_path, new_path = tmp_path / "fit.csv", tmp_path / "new.csv"
    fit_path.write_text("a,b,label\n1,x,0\n2,y,1\n")
    new_path.write_text("a,b,label\nfoo,x,0\n2,y,1\n")
    pre = Preprocessor().fit(read_csv(fit_path, target="label"))
    with pytest.raises(
        ValueError, match=r"Column 'a' was numeric when the Preprocessor was fit"
    ) as e:
        pre.transform(read_csv(new_path, target="label"))
    assert "'foo' at line 2" in str(e.value) and "Use a Preprocessor" not in str(e.value)
    with pytest.raises(ValueError, match=r"declared categorical \(read_csv's 'categorical'\)"):
        pre.transform(read_csv(fit_path, target="label", categorical=["a"]))
    assert pre.transform(read_csv(fit_path, target="label")).shape == (2, 3)


def test_standard_scaler_overflow_in_the_fitted_scale_is_an_error_not_inf():
    """A finite value whose standardized (or restored) value leaves the dtype's range came
    back as inf with only numpy's RuntimeWarning."""
    s = StandardScaler().fit([[0.0], [1.0]])
    with pytest.raises(ValueError, match=r"'X' .*transform holds 1e\+308 at row 0, column 0.*"):
        s.transform([[1e308]])
    with pytest.raises(ValueError, match=r"overflows float32 .*pass X as float64"):
        s.transform(np.array([[3e38]], np.float32))
    wide = StandardScaler().fit([[0.0], [1e300]])
    with pytest.raises(ValueError, match=r"'Z' .*inverse_transform holds 1 .*pass Z as float64"):
        wide.inverse_transform(np.array([[1.0]], np.float32))
    assert wide.inverse_transform([[1.0]]).tolist() == [[1e300]]
    assert s.transform(np.array([[1e38]], np.float32)).dtype == np.float32


NAN = float("nan")


@pytest.mark.parametrize(
    "X", [[["a"], [None]], [["a"], [NAN]], np.array([[1.0], [NAN]]), [[np.float32(NAN)]]]
)
def test_one_hot_refuses_none_and_nan_rather_than_make_them_categories(X):
    # str() made None and NaN the categories 'None' and 'nan', without a word
    with pytest.raises(ValueError, match=r"missing value\(s\) \(None, NaN, .* row \d, column 0"):
        OneHotEncoder().fit(X)
    enc = OneHotEncoder().fit([["a"], ["b"]], names=["color"])
    with pytest.raises(ValueError, match=r"column 0 \('color'\): fill them first"):
        enc.transform([["a"], [None], [NAN]])
    assert enc.transform(np.array([["b"]])).tolist() == [[0.0, 1.0]]  # str arrays: unchanged


def _missing_cells():
    pd = pytest.importorskip("pandas")
    return {
        "pd.NA": pd.NA,
        "pd.NaT": pd.NaT,
        "np.datetime64 NaT": np.datetime64("NaT"),
        "np.timedelta64 NaT": np.timedelta64("NaT"),
        "Decimal NaN": Decimal("NaN"),
        "complex NaN": complex(NAN, 0.0),
        "None": None,
        "np.nan": np.nan,
    }


MISSING_KINDS = ("pd.NA", "pd.NaT", "np.datetime64 NaT", "np.timedelta64 NaT", "Decimal NaN")


@pytest.mark.parametrize("kind", [*MISSING_KINDS, "complex NaN", "None", "np.nan"])
def test_one_hot_refuses_every_missing_value_alike(kind):
    # pandas' NA became the category '<NA>', NaT (pandas' or NumPy's) 'NaT' and a Decimal
    # NaN 'NaN', in silence, where None and np.nan were refused; transform with
    # unknown="ignore" encoded them as all zeros, and a categories list made them categories
    cell = _missing_cells()[kind]
    words = r"holds 2 missing value\(s\) \(None, NaN, pandas' NA or NaT\), the first \("
    X = np.array([["a", "x"], ["b", cell], ["a", cell]], dtype=object)
    with pytest.raises(ValueError, match=words + r".*\) at row 1, column 1 \('c'\): fill"):
        OneHotEncoder().fit(X, names=["k", "c"])
    enc = OneHotEncoder().fit([["a", "x"], ["b", "y"]], names=["k", "c"])
    for unknown in ("error", "ignore"):
        with pytest.raises(ValueError, match=words + r".*\) at row 1, column 1 \('c'\)"):
            enc.transform(X, unknown=unknown)
    with pytest.raises(ValueError, match=r"categories given to OneHotEncoder hold a missing"):
        OneHotEncoder(categories=[["x", "y", cell]]).fit([["x"], ["y"]])


def test_one_hot_refuses_missing_values_of_pandas_columns():
    # a DataFrame's string, nullable-int and datetime columns hold pd.NA and NaT
    pd = pytest.importorskip("pandas")
    frames = [
        pd.DataFrame({"c": pd.array(["a", None, "b"], dtype="string")}),
        pd.DataFrame({"c": pd.array([1, None, 2], dtype="Int64")}),
        pd.DataFrame({"c": pd.to_datetime(["2020-01-01", None, "2020-01-02"])}),
        pd.DataFrame({"c": pd.Categorical(["a", None, "b"])}),
    ]
    for frame in frames:
        with pytest.raises(ValueError, match=r"holds 1 missing value\(s\).* row 1, column 0"):
            OneHotEncoder().fit(frame)
    full = pd.DataFrame({"c": pd.array(["b", "a", "b"], dtype="string")})
    assert OneHotEncoder().fit_transform(full).tolist() == [[0, 1], [1, 0], [0, 1]]


@pytest.mark.parametrize("X", [np.array([["1", "2"], ["3", "1_000"]]), [["2.5", 1.0]]])
def test_scaler_refuses_numbers_written_as_text_rather_than_convert_them(X):
    # "2" became 2.0 and "1_000" 1000.0 without a word (scikit-learn refuses text too)
    with pytest.raises(TypeError, match=r"must be numeric\. Got text, such as '.*float\(\)"):
        StandardScaler().fit(X)
    s = StandardScaler().fit(np.array([[1.0, 2.0], [3.0, 4.0]]))
    with pytest.raises(TypeError, match="Got text"):
        s.transform(X)
    objects = np.array([[Fraction(1, 2), 2], [Fraction(3, 2), 4]], dtype=object)
    assert StandardScaler().fit(objects).mean_.tolist() == [1.0, 3.0]  # numbers as objects


@pytest.mark.parametrize("unit", ["D", "s", "ns"])
def test_one_hot_of_numpy_dates_names_dates_and_refuses_nat(unit):
    # a datetime64[ns] column became integer categories (nanoseconds since 1970): NumPy
    # turns such dates into ints when made objects
    X = np.array(["2020-01-01", "2020-01-02", "2020-01-01"], dtype=f"datetime64[{unit}]")
    enc = OneHotEncoder().fit(X)
    assert [c[:10] for c in enc.categories_[0].tolist()] == ["2020-01-01", "2020-01-02"]
    assert enc.transform(X).tolist() == [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]
    with pytest.raises(ValueError, match=r"1 missing value\(s\).*NaT.*row 1, column 0"):
        OneHotEncoder().fit(np.array(["2020-01-01", "NaT"], dtype=f"datetime64[{unit}]"))
