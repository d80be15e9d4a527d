"""Round 18: OneHotEncoder compares numbers as numbers (scikit-learn's semantics),
Preprocessor and StandardScaler fixes."""

import numpy as np
import pytest

from glassnet.preprocessing import OneHotEncoder


def test_int_and_float_are_one_category():
    enc = OneHotEncoder().fit(np.array([[1], [1.0], [2]], dtype=object))
    assert [c.tolist() for c in enc.categories_] == [["1", "2"]]
    assert enc.transform(np.array([[1.0], [2], [1]], dtype=object)).tolist() == [
        [1.0, 0.0],
        [0.0, 1.0],
        [1.0, 0.0],
    ]


def test_numbers_sorted_numerically():
    enc = OneHotEncoder().fit(np.array([[10], [9], [2]]))
    assert enc.get_feature_names_out().tolist() == ["x0=2", "x0=9", "x0=10"]
    enc = OneHotEncoder().fit(np.array([[2.5], [-1.0], [10.0]]))
    assert enc.feature_names_out == ["x0=-1.0", "x0=2.5", "x0=10.0"]


def test_int_fit_takes_float_transform():
    enc = OneHotEncoder().fit(np.array([[1], [2]]))
    assert enc.transform(np.array([[1.0], [2.0]])).tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_negative_zero_is_zero():
    enc = OneHotEncoder().fit(np.array([[0.0], [1.0]]))
    assert enc.transform(np.array([[-0.0]])).tolist() == [[1.0, 0.0]]
    enc = OneHotEncoder().fit(np.array([[-0.0], [1.0]]))
    assert enc.categories_[0].tolist() == ["0.0", "1.0"]


def test_unknown_number_still_refused():
    enc = OneHotEncoder().fit(np.array([[1], [2]]))
    with pytest.raises(ValueError, match="not seen at fit"):
        enc.transform(np.array([[1.5]]))
    assert enc.transform(np.array([[3.0]]), unknown="ignore").tolist() == [[0.0, 0.0]]


def test_bools_and_numbers_refused():
    with pytest.raises(TypeError, match="bools and numbers"):
        OneHotEncoder().fit(np.array([[True], [2]], dtype=object))


def test_given_numeric_categories_match_by_value():
    enc = OneHotEncoder(categories=[[3, 1, 2]]).fit(np.array([[1.0], [2.0]]))
    assert enc.transform(np.array([[3.0], [1]])).tolist() == [[1, 0, 0], [0, 1, 0]]
    with pytest.raises(ValueError, match="one number twice"):
        OneHotEncoder(categories=[[1, 1.0]]).fit(np.array([[1]]))


def test_saved_encoders_of_earlier_glassnet_load_and_transform_as_before():
    # to_dict of encoders fitted by earlier glassnet (values compared as text)
    mixed = {"type": "OneHotEncoder", "names": ["x0"], "categories": [["1", "1.0", "2"]]}
    enc = OneHotEncoder.from_dict(mixed)
    col = np.array([[1], [1.0], [2]], dtype=object)
    assert enc.transform(col).tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    text_order = {"type": "OneHotEncoder", "names": ["x0"], "categories": [["10", "2", "9"]]}
    enc = OneHotEncoder.from_dict(text_order)
    assert enc.transform(np.array([[2], [10]])).tolist() == [[0, 1, 0], [1, 0, 0]]
    f32 = {"type": "OneHotEncoder", "names": ["x0"], "categories": [["0.10000000149011612", "1.0"]]}
    enc = OneHotEncoder.from_dict(f32)
    assert enc.transform(np.array([[0.1]], dtype=np.float32)).tolist() == [[1, 0]]
    assert enc.transform(np.array([[1]])).tolist() == [[0, 1]]
    with pytest.raises(ValueError, match="float32"):
        enc.transform(np.array([[0.1]]))


def test_text_columns_unchanged():
    enc = OneHotEncoder().fit(np.array([["10"], ["9"], ["2"]]))
    assert enc.feature_names_out == ["x0=10", "x0=2", "x0=9"]
    with pytest.raises(ValueError, match="not seen at fit"):
        enc.transform(np.array([["2.0"]]))


def _csv(path, text):
    path.write_text(text)
    return str(path)


def test_preprocessor_transform_fills_with_training_values(tmp_path):
    from glassnet.datasets import read_csv
    from glassnet.preprocessing import Preprocessor

    train = _csv(tmp_path / "train.csv", "a,c,y\n1,r,0\n2,g,1\n3,r,0\n4,g,1\n")
    test = _csv(tmp_path / "test.csv", "a,c,y\n,r,0\n100,,1\n102,g,0\n")
    pre = Preprocessor().fit(read_csv(train, target="y", impute="mean"))
    assert pre.fill_ == {"a": 2.5, "c": "g"}
    own = pre.transform(read_csv(test, target="y", impute="mean"))
    given = pre.transform(read_csv(test, target="y", impute=pre.fill_))
    np.testing.assert_array_equal(own, given)
    assert own[0, 0] == 0.0  # the training mean, standardized
    assert own[1, 1:].tolist() == [1.0, 0.0]  # the training's most frequent value, 'g'


def test_preprocessor_without_fill_refuses_test_statistics(tmp_path):
    from glassnet.datasets import read_csv
    from glassnet.preprocessing import Preprocessor

    train = _csv(tmp_path / "train.csv", "a,y\n1,0\n2,1\n3,0\n")
    test = _csv(tmp_path / "test.csv", "a,y\n,0\n100,1\n")
    pre = Preprocessor().fit(read_csv(train, target="y"))
    with pytest.raises(ValueError, match="no training value"):
        pre.transform(read_csv(test, target="y", impute="mean"))
    out = pre.transform(read_csv(test, target="y", impute={"a": 2.0}))  # the user's value
    assert out[0, 0] == 0.0


def test_sparse_input_named_with_what_to_do():
    import scipy.sparse as sp

    from glassnet.preprocessing import StandardScaler

    with pytest.raises(TypeError, match=r"SciPy sparse matrix \(csr_matrix, 3x3\).*X\.toarray\(\)"):
        StandardScaler().fit(sp.csr_matrix(np.eye(3)))
    scaler = StandardScaler().fit(np.eye(3))
    with pytest.raises(TypeError, match="sparse") as err:
        scaler.transform(sp.csr_array(np.eye(3)))
    assert "encode text" not in str(err.value)


def test_scaler_nan_refusal_is_documented_and_raised():
    from glassnet.preprocessing import StandardScaler

    doc = " ".join(StandardScaler.__doc__.split())
    assert "Unlike scikit-learn's scaler, NaN and inf are refused" in doc
    with pytest.raises(ValueError, match="NaN or inf"):
        StandardScaler().fit(np.array([[1.0], [np.nan], [3.0]]))


def test_from_dict_keeps_the_users_categories_parameter():
    import json

    from sklearn.base import clone

    X = np.array([["Cat"], ["Dog"], ["Bird"]])
    enc = OneHotEncoder(categories=[["Cat", "Dog", "Bird"]]).fit(X)
    back = OneHotEncoder.from_dict(json.loads(json.dumps(enc.to_dict())))
    assert back.get_params() == {"categories": [["Cat", "Dog", "Bird"]]}
    assert clone(back).fit(X).feature_names_out == ["x0=Cat", "x0=Dog", "x0=Bird"]
    nums = OneHotEncoder(categories=[np.array([3, 1, 2])]).fit(np.array([[1], [2]]))
    back = OneHotEncoder.from_dict(json.loads(json.dumps(nums.to_dict())))
    assert back.get_params() == {"categories": [[3, 1, 2]]}
    assert clone(back).fit(np.array([[1.0]])).feature_names_out == ["x0=3", "x0=1", "x0=2"]
    auto = OneHotEncoder().fit(X).to_dict()
    assert "categories_given" not in auto
    assert OneHotEncoder.from_dict(auto).get_params() == {"categories": "auto"}
