"""Dtypes at the edges of a Tensor (2): whole numbers in a list NumPy reads as floats,
missing values and dates written into a tensor, a float16 written, a graph node pickled."""

import copy
import pickle
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet._validation import ParameterError

pd = pytest.importorskip("pandas")


# 1. a list of whole numbers is checked as whole numbers, where NumPy reads it as floats
@pytest.mark.parametrize(
    "data, dtype, number",
    [
        ([2**53 + 1, 2**63], None, 2**53 + 1),  # (float32: 2**53+1 not exact)
        ([2**53 + 1, 2**64 - 1], None, 2**53 + 1),
        ([[2**53 + 1], [2**63]], None, 2**53 + 1),  # (nested)
        ((2**53 + 1, 2**63), None, 2**53 + 1),  # (a tuple)
        ([2**63 + 1, -1], gn.float64, 2**63 + 1),
        ([[2**63 + 1], [-1]], gn.float64, 2**63 + 1),
        ([np.int64(3), 2**64 - 1, -1], gn.float64, 2**64 - 1),
    ],
)
def test_list_of_whole_numbers_exact(data, dtype, number):
    for make in (gn.tensor, gn.as_tensor):
        with pytest.raises(ParameterError, match=f"whole number {number} is not exact"):
            make(data, dtype=dtype)


def test_list_of_whole_numbers_kept():
    t = gn.tensor([2**63, -1], dtype=gn.float64)  # (both exact in float64)
    assert t.data.tolist() == [2.0**63, -1.0]
    assert gn.tensor([2**63, 2**40]).data.tolist() == [2.0**63, 2.0**40]
    assert gn.tensor([2**53 + 1, 0.5], dtype=gn.float64).dtype == np.float64  # (floats given)
    assert gn.tensor([[1, 2], [3, 4]]).data.tolist() == [[1, 2], [3, 4]]


# 2. a write refuses a missing value or a date as gn.tensor does
def _writes(x):
    return {
        "x[:] = y": lambda v: x.__setitem__(slice(None), v),
        "copy_": x.copy_,
    }


@pytest.mark.parametrize(
    "value, match",
    [
        (lambda: pd.Series([1, None], dtype="Int64"), "pd.NA"),
        (lambda: pd.Series([1.5, None], dtype="Float64"), "pd.NA"),
        (lambda: pd.DataFrame({"a": [1.5, None]}, dtype="Float64"), "pd.NA"),
        (lambda: np.array(["2020-01-01", "2021-01-01"], dtype="datetime64[D]"), "dates"),
        (lambda: np.array([5, 6], dtype="timedelta64[s]"), "dates or durations"),
        (lambda: pd.Series(pd.to_datetime(["2020-01-01", "2021-01-01"])), "dates"),
        (lambda: pd.Series(pd.to_datetime(["2020-01-01"] * 2).tz_localize("UTC")), "dates"),
        (lambda: [pd.Timestamp("2020-01-01"), 1.0], "dates"),
        (lambda: [1.0, pd.NA], "pd.NA"),
    ],
)
def test_writes_refuse_missing_and_dates(value, match):
    shape = getattr(value(), "shape", (2,))  # (the DataFrame's (2, 1))
    x = gn.zeros(shape)
    for what, write in _writes(x).items():
        with pytest.raises(ValueError, match=match):
            write(value())
        assert (x.data == 0).all(), what
    g = gn.zeros(shape, requires_grad=True)
    (g * 2).sum().backward()
    with pytest.raises(ValueError, match=match):
        g.grad.copy_(value())
    assert (g.grad == 2).all()


@pytest.mark.parametrize(
    "value, match",
    [
        (np.datetime64("2020-01-01"), "dates"),
        (np.timedelta64(5, "s"), "durations"),
        (pd.NA, "pd.NA"),
        (pd.Timestamp("2020-01-01"), "dates"),
    ],
)
def test_one_value_writes_refuse_missing_and_dates(value, match):
    x = gn.zeros(2)
    with pytest.raises(ValueError, match=match):
        x.fill_(value)
    with pytest.raises(ValueError, match=match):
        x[0] = value
    assert x.data.tolist() == [0.0, 0.0]
    g = gn.zeros(2, requires_grad=True)
    (g * 2).sum().backward()
    with pytest.raises(ValueError, match=match):
        g.grad.fill_(value)


def test_writes_of_numbers_from_pandas_kept():
    x = gn.zeros(2)
    x[:] = pd.Series([1, 2], dtype="Int64")
    assert x.data.tolist() == [1.0, 2.0]
    x.copy_(pd.Series([1.5, 2.5], dtype="Float64"))
    assert x.data.tolist() == [1.5, 2.5]
    x.copy_(np.array([np.nan, 3.0]))  # (NaN given: kept, as before)
    assert np.isnan(x.data[0]) and x.data[1] == 3.0


# 3. an in-range float16 is written without a warning
@pytest.mark.parametrize("dtype", [gn.float32, gn.float64])
def test_fill_float16_no_warning(dtype):
    x = gn.zeros(2, dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x.fill_(np.float16(1.5))
        x[0] = np.float16(-2.5)
        x.fill_(np.float32(3.5))
        x[1] = np.float16(np.inf)
    assert x.data.tolist() == [3.5, np.inf]
    with pytest.raises(ValueError, match="beyond the range"):
        gn.zeros(1).fill_(np.float64(1e300))


# 4. a graph node that requires grad is refused by pickle with a reason
def test_pickle_of_graph_node_refused():
    p = gn.Tensor(np.ones(3), requires_grad=True)
    y = p[1:]
    for dump in (pickle.dumps, copy.deepcopy):
        with pytest.raises(RuntimeError, match=r"non-leaf tensor that requires grad.*detach\(\)"):
            dump(y)
    back = pickle.loads(pickle.dumps(y.detach()))
    assert back.data.tolist() == [1.0, 1.0] and not back.requires_grad
    assert pickle.loads(pickle.dumps(p)).requires_grad  # (a leaf: as before)


def test_save_of_graph_node_keeps_values(tmp_path):
    p = gn.Tensor(np.ones(3), requires_grad=True)
    gn.save({"y": p[1:] * 2}, tmp_path / "y.gn")
    back = gn.load(tmp_path / "y.gn")["y"]
    assert back.data.tolist() == [2.0, 2.0] and back.is_leaf  # (the values, no graph)
