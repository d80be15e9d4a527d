"""glassnet.preprocessing: pandas DataFrames' column names (kept, and checked at transform)."""

import json
import pickle

import numpy as np
import pytest

from glassnet.preprocessing import LabelEncoder, OneHotEncoder, StandardScaler

pd = pytest.importorskip("pandas")


def test_scaler_refuses_a_dataframe_whose_columns_come_in_another_order():
    # taken by position, column 'b' was scaled with 'a''s mean and scale: [[197, -1.99], ...]
    df = pd.DataFrame({"a": [1.0, 2.0], "b": [100.0, 300.0]})
    s = StandardScaler().fit(df)
    assert s.feature_names_in_ == ["a", "b"]
    for call in (s.transform, s.inverse_transform):
        with pytest.raises(ValueError, match=r"another order: pass X\[\['a', 'b'\]\]"):
            call(df[["b", "a"]])
    with pytest.raises(ValueError, match=r"lacks \['b'\] and has \['c'\] not seen at fit"):
        s.transform(df.rename(columns={"b": "c"}))
    assert s.transform(df).tolist() == [[-1.0, -1.0], [1.0, 1.0]]
    assert s.transform(df.to_numpy()).tolist() == [[-1.0, -1.0], [1.0, 1.0]]  # an array: as is
    # unnamed columns (pd.DataFrame(array)) and arrays give no names, as scikit-learn's
    assert StandardScaler().fit(pd.DataFrame(np.eye(2))).feature_names_in_ is None
    assert StandardScaler().fit(np.eye(2)).feature_names_in_ is None


def test_scaler_names_survive_to_dict_json_and_pickle():
    df = pd.DataFrame({"a": [1.0, 2.0], "b": [100.0, 300.0]})
    s = StandardScaler().fit(df)
    d = s.to_dict()
    assert d["names"] == ["a", "b"]
    again = StandardScaler.from_dict(json.loads(json.dumps(d)))
    for back in (again, pickle.loads(pickle.dumps(s))):
        assert back.feature_names_in_ == ["a", "b"]
        with pytest.raises(ValueError, match="another order"):
            back.transform(df[["b", "a"]])
    assert "names" not in StandardScaler().fit(np.eye(2)).to_dict()  # (files as before)
    with pytest.raises(ValueError, match=r"'names' must be a list of 2 str"):
        StandardScaler.from_dict({**d, "names": ["a"]})


def test_one_hot_takes_a_dataframes_column_names_and_checks_them_at_transform():
    # the names were x0, x1 and the columns in another order were encoded silently, each
    # with the other's categories
    df = pd.DataFrame({"c": ["a", "b"], "d": ["b", "a"]})
    enc = OneHotEncoder().fit(df)
    assert enc.names_ == ["c", "d"]
    assert enc.feature_names_out == ["c=a", "c=b", "d=a", "d=b"]
    with pytest.raises(ValueError, match=r"another order: pass X\[\['c', 'd'\]\]"):
        enc.transform(df[["d", "c"]])
    assert enc.transform(df).tolist() == [[1, 0, 0, 1], [0, 1, 1, 0]]
    assert enc.transform(df.to_numpy()).tolist() == [[1, 0, 0, 1], [0, 1, 1, 0]]
    # names given win; an encoder fitted without names takes any DataFrame by position
    assert OneHotEncoder().fit(df, names=["k", "m"]).names_ == ["k", "m"]
    plain = OneHotEncoder().fit(df.to_numpy())
    assert plain.names_ == ["x0", "x1"]
    assert plain.transform(df[["d", "c"]]).tolist() == [[0, 1, 1, 0], [1, 0, 0, 1]]
    back = OneHotEncoder.from_dict(json.loads(json.dumps(enc.to_dict())))
    with pytest.raises(ValueError, match="another order"):
        back.transform(df[["d", "c"]])


@pytest.mark.parametrize(
    "X",
    [
        np.array([["2020-01-01"], ["2020-01-03"]], dtype="datetime64[D]"),
        np.array([[1], [2]], dtype="timedelta64[s]"),
        "frame",
    ],
)
def test_scaler_refuses_dates_and_durations(X):
    # they were cast to floats silently, in the dtype's unit: days, seconds or nanoseconds
    if isinstance(X, str):
        X = pd.DataFrame({"when": pd.to_datetime(["2020-01-01", "2020-01-03"])})
    with pytest.raises(TypeError, match=r"Got dates or durations \(dtype .*np\.timedelta64"):
        StandardScaler().fit(X)
    s = StandardScaler().fit([[0.0], [1.0]])
    with pytest.raises(TypeError, match="dates or durations"):
        s.transform(X)


def test_scaler_names_missing_cells_of_object_columns_and_huge_ints():
    # pandas' NA in a nullable boolean column was called text ("encode text columns"), and
    # an int past float64's range raised a bare OverflowError
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": pd.array([True, None], dtype="boolean")})
    with pytest.raises(ValueError, match=r"1 missing value\(s\).*row 1, column 1\. Remove"):
        StandardScaler().fit(frame)
    objects = np.array([[1, 2], [None, 3]], dtype=object)
    with pytest.raises(ValueError, match=r"1 missing value\(s\).*row 1, column 0\. Remove"):
        StandardScaler().fit(objects)
    with pytest.raises(ValueError, match=r"'X' parameter of StandardScaler.fit holds a number "):
        StandardScaler().fit(np.array([[10**400], [1]], dtype=object))
    # numbers as objects still convert
    assert StandardScaler().fit(np.array([[1, 2], [3, 4]], dtype=object)).mean_.tolist() == [2, 3]


def test_label_encoder_refuses_nan_labels_of_object_arrays_and_in_classes():
    # a float array's NaN was refused, an object array's became a class (which transform
    # then refused), and LabelEncoder(classes=[1.0, nan]) was taken
    for y in (np.array([1.0, np.nan], dtype=object), pd.Series([1.0, np.inf], dtype=object)):
        with pytest.raises(ValueError, match=r"LabelEncoder.fit holds (NaN or inf|1 missing)"):
            LabelEncoder().fit(y)
    with pytest.raises(ValueError, match=r"'classes' parameter of LabelEncoder holds NaN or inf"):
        LabelEncoder(classes=[1.0, np.nan])


def test_label_encoder_takes_numpy_scalars_in_object_arrays_as_a_list_reads_them():
    # an object array of NumPy ints was refused ("Got ['int64']"), and one of ints and
    # floats too, which as a list is read as floats
    y = np.array([np.int64(2), np.int64(1), np.int64(2)], dtype=object)
    enc = LabelEncoder().fit(y)
    assert enc.classes_.tolist() == [1, 2] and enc.to_dict()["label_type"] == "int"
    assert enc.transform(y).tolist() == [1, 0, 1]
    mixed = np.array([1, 2.5], dtype=object)
    assert (
        LabelEncoder().fit(mixed).classes_.tolist()
        == LabelEncoder().fit([1, 2.5]).classes_.tolist()
    )
    with pytest.raises(TypeError, match="one type"):  # bools and ints stay refused
        LabelEncoder().fit(np.array([True, 2], dtype=object))


def test_label_encoder_dict_keeps_uint64_labels_past_int64():
    # read back, labels past 2**63 became float64, in which 2**64 - 2 and 2**64 - 1 are one
    # value: both transformed to the same index
    y = np.array([2**64 - 1, 2**64 - 2, 1], dtype=np.uint64)
    enc = LabelEncoder().fit(y)
    back = LabelEncoder.from_dict(json.loads(json.dumps(enc.to_dict())))
    assert back.classes_.dtype == np.uint64
    assert back.classes_.tolist() == enc.classes_.tolist() == [1, 2**64 - 2, 2**64 - 1]
    assert back.transform(y).tolist() == enc.transform(y).tolist() == [2, 1, 0]
    assert back.inverse_transform([2]).tolist() == [2**64 - 1]
    assert LabelEncoder.from_dict({**enc.to_dict(), "classes": ["-1", "3"]}).classes_.tolist() == [
        -1,
        3,
    ]
    with pytest.raises(ValueError, match="beyond int64 and uint64"):
        LabelEncoder.from_dict({**enc.to_dict(), "classes": ["-1", str(2**64 - 1)]})


@pytest.mark.parametrize(
    ("X", "shown"),
    [
        (np.array([[1], ["1"], ["a"]], dtype=object), r"'1' and 1 \(int\)"),
        ([[True], ["True"]], r"'True' and True \(bool\)"),
        ("frame", r"\('c'\), such as 'a' and 1 \(int\)"),
    ],
)
def test_one_hot_refuses_a_column_mixing_text_and_other_values(X, shown):
    # the int 1 and the text '1' (True and 'True') became one category, silently
    if isinstance(X, str):
        X = pd.DataFrame({"c": ["a", 1]})
    with pytest.raises(TypeError, match=r"mixes text and other values in column 0.*" + shown):
        OneHotEncoder().fit(X)
    enc = OneHotEncoder().fit([["1"], ["a"], ["True"]])
    with pytest.raises(TypeError, match="mixes text and other values"):
        enc.transform(np.array([["1"], [1]], dtype=object))
    # columns of one type each, text beside numbers, still encode
    assert OneHotEncoder().fit([["a", 1], ["b", 2.5]]).feature_names_out == [
        "x0=a",
        "x0=b",
        "x1=1",
        "x1=2.5",
    ]


def test_preprocessor_overflow_is_an_inf_without_a_numpy_warning():
    # NumPy's "overflow encountered in subtract" leaked before the callers' own error, and
    # with warnings as errors it was raised instead of it
    import warnings

    from glassnet.datasets import Table
    from glassnet.preprocessing import Preprocessor

    pre = Preprocessor().fit(Table({"a": ["1e308", "1e308"], "y": ["0", "1"]}, target="y"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = pre.transform(Table({"a": ["-1e308", "1e308"], "y": ["0", "1"]}, target="y"))
    assert out.tolist() == [[-np.inf], [0.0]]


@pytest.mark.parametrize(
    "y",
    [
        np.array([None, None], dtype=object),
        ["a", None],
        "string",
        np.array([1, None], dtype=object),
    ],
)
def test_label_encoder_names_missing_labels(y):
    # "LabelEncoder takes labels of one type; 'y' mixes ['NoneType']" (or ['NAType', 'str'])
    if isinstance(y, str):
        y = pd.Series(["a", None], dtype="string")
    with pytest.raises(ValueError, match=r"'y' parameter of LabelEncoder.fit holds \d missing "):
        LabelEncoder().fit(y)
    with pytest.raises(ValueError, match=r"LabelEncoder.transform holds 1 missing label\(s\)"):
        LabelEncoder().fit(["a", "b"]).transform(np.array(["a", None], dtype=object))


def test_one_hot_checks_a_dataframes_columns_even_when_names_are_given():
    # the names given label the outputs; the DataFrame's own columns are what transform
    # checks (an encoder fitted on df with names=... took df itself at transform)
    df = pd.DataFrame({"c": ["a", "b"], "d": ["b", "a"]})
    enc = OneHotEncoder().fit(df, names=["k", "m"])
    assert enc.feature_names_out == ["k=a", "k=b", "m=a", "m=b"]
    assert enc.feature_names_in_ == ["c", "d"]
    assert enc.transform(df).tolist() == [[1, 0, 0, 1], [0, 1, 1, 0]]
    with pytest.raises(ValueError, match="another order"):
        enc.transform(df[["d", "c"]])
    assert enc.to_dict()["names_in"] == ["c", "d"]
    assert "names_in" not in OneHotEncoder().fit(df.to_numpy()).to_dict()
    with pytest.raises(ValueError, match=r"'names_in' must be a list of 2 str"):
        OneHotEncoder.from_dict({**enc.to_dict(), "names_in": ["c"]})


def test_train_test_split_names_missing_stratify_labels():
    # "the 'stratify' labels mix types that cannot be sorted (e.g. str and int)" for a None
    from glassnet.preprocessing import train_test_split

    X = np.arange(20).reshape(10, 2)
    labels = np.array(["a", "b"] * 4 + ["a", None], dtype=object)
    with pytest.raises(ValueError, match=r"'stratify' parameter holds 1 missing label\(s\).*row 9"):
        train_test_split(X, stratify=labels, seed=0)
    with pytest.raises(TypeError, match="mix types"):  # a true mix still says so
        train_test_split(X, stratify=np.array(["a", 1] * 5, dtype=object), seed=0)
