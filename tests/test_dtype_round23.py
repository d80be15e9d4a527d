"""Dtypes at the edges of a Tensor: pandas float64 kept, masked cells, nullable and pyarrow
columns, complex values written in place, longdouble, overflow to inf, huge integers."""

import numpy as np
import pytest

import glassnet as gn
from glassnet._validation import ParameterError
from glassnet.micrograd import Value

pd = pytest.importorskip("pandas")


# 1. a pandas float64 column is read as the same NumPy float64 array is
def test_pandas_float64_kept():
    df = pd.DataFrame({"a": [1 + 2**-40], "b": [0.0]})
    for make in (gn.tensor, gn.Tensor, gn.as_tensor):
        t = make(df)
        assert t.dtype == np.float64 and t.data[0, 0] == 1 + 2**-40
    s = pd.Series([0.1, 1e300])
    assert gn.tensor(s).data.tolist() == [0.1, 1e300]
    t = gn.tensor(np.zeros(1))
    assert (t + pd.Series([1 + 2**-40])).data[0] == 1 + 2**-40
    m = gn.nn.Linear(1, 1).double()
    with gn.no_grad():
        m.W.data[:] = 1
        m.b.data[:] = -1
    assert m(pd.DataFrame({"a": [1 + 2**-30]})).data[0, 0] == 2**-30


# 2. masked cells are refused where their hidden values would be written
def test_masked_writes_refused():
    ma = np.ma.array([1.0, 500.0], mask=[0, 1])
    x = gn.tensor([1.0, 2.0])
    with pytest.raises(ValueError, match="masked"):
        x[:] = ma
    with pytest.raises(ValueError, match="masked"):
        x.copy_(ma)
    assert x.data.tolist() == [1.0, 2.0]
    x.copy_(np.ma.array([3.0, 4.0], mask=[0, 0]))  # (no masked cell: taken)
    assert x.data.tolist() == [3.0, 4.0]


def test_masked_state_dict_and_grad_refused():
    m = gn.nn.Linear(1, 1)
    sd = m.state_dict()
    with pytest.raises(ValueError, match="masked"):
        m.load_state_dict({"W": np.ma.array([[5.0]], mask=[[1]]), "b": sd["b"]})
    assert m.W.data[0, 0] == sd["W"][0, 0]
    (m(np.ones((1, 1))) ** 2).sum().backward()
    with pytest.raises(ValueError, match="masked"):
        m.W.grad.copy_(np.ma.array([[9.0]], mask=[[1]]))


# 3. nullable and pyarrow columns are refused where NumPy's forms are
@pytest.mark.parametrize("dtype", ["Int64", "int64[pyarrow]"])
def test_nullable_int_not_exact_refused(dtype):
    if "pyarrow" in dtype:
        pytest.importorskip("pyarrow")
    with pytest.raises(ParameterError, match="9007199254740993"):
        gn.tensor(pd.Series([2**53 + 1], dtype=dtype))
    with pytest.raises(ParameterError, match="16777217"):
        gn.tensor(pd.Series([2**24 + 1], dtype=dtype))
    assert gn.tensor(pd.Series([3, 4], dtype=dtype)).data.tolist() == [3.0, 4.0]


@pytest.mark.parametrize("dtype", ["boolean", "bool[pyarrow]"])
def test_nullable_bool_refused(dtype):
    if "pyarrow" in dtype:
        pytest.importorskip("pyarrow")
    with pytest.raises(TypeError, match="True/False"):
        gn.tensor(pd.Series([True, False], dtype=dtype))


def test_nullable_float_kept():
    t = gn.tensor(pd.Series([1 + 2**-40], dtype="Float64"))
    assert t.dtype == np.float64 and t.data[0] == 1 + 2**-40


# 4. complex values written in place are refused
def test_complex_writes_refused():
    c = np.complex128(1 + 2j)
    x = gn.tensor([1.0, 2.0])
    for write in (
        lambda: x.fill_(c),
        lambda: x.__setitem__(0, c),
        lambda: x.copy_(np.array([1 + 2j, 3 + 4j])),
        lambda: x.masked_fill(np.array([True, False]), c),
    ):
        with pytest.raises(TypeError, match="complex"):
            write()
    assert x.data.tolist() == [1.0, 2.0]
    lin = gn.nn.Linear(1, 1)
    (lin(np.ones((1, 1))) ** 2).sum().backward()
    with pytest.raises(TypeError, match="complex"):
        lin.W.grad.fill_(c)
    with pytest.raises(TypeError, match="complex"):
        lin.W.grad.copy_(np.array([[1 + 2j]]))


# 5. longdouble scalars: kept exactly or refused
def test_longdouble_scalar_save_refused(tmp_path):
    for v in (np.longdouble("1e400"), np.longdouble(1) + np.longdouble(2) ** -60):
        with pytest.raises((TypeError, ValueError), match="longdouble|float128|float96"):
            gn.save({"a": v}, tmp_path / "x.glassnet")
    gn.save({"a": np.longdouble(0.5)}, tmp_path / "y.glassnet")  # (exact in float64)
    assert gn.load(tmp_path / "y.glassnet")["a"] == 0.5


def test_longdouble_value_refused():
    with pytest.raises(OverflowError):
        Value(np.longdouble("1e400"))
    with pytest.raises(ValueError, match="exact"):
        Value(np.longdouble(1) + np.longdouble(2) ** -60)
    assert Value(np.longdouble(0.5)).data == 0.5


# 6. longdouble arrays are refused
def test_longdouble_array_refused():
    ld = np.array([[np.longdouble(1), 2.0]])
    for make in (gn.tensor, gn.Tensor, gn.as_tensor):
        with pytest.raises(TypeError, match="float32 or float64"):
            make(ld)
    with pytest.raises(TypeError, match="float32 or float64"):
        gn.tensor([1.0, 2.0]) + np.array([1, 2], np.longdouble)
    assert gn.tensor(ld, dtype=gn.float64).dtype == np.float64  # (asked for: converted)


# 7, 8. a finite value beyond float32's range is refused, not stored as inf
def test_beyond_float32_refused():
    for make in (
        lambda: gn.tensor([1e300]),
        lambda: gn.tensor(np.array([1e300]), dtype=gn.float32),
        lambda: gn.FloatTensor(np.array([1e300])),
        lambda: gn.Tensor([1.0, -1e39]),
    ):
        with pytest.raises(ValueError, match="inf"):
            make()
    assert np.isinf(gn.tensor([np.inf, 1.0]).data[0])  # (inf given: kept)
    lin = gn.nn.Linear(1, 1)
    (lin(np.ones((1, 1))) ** 2).sum().backward()
    with pytest.raises(ValueError, match="inf"):
        lin.W.grad.fill_(1e300)
    with pytest.raises(ValueError, match="inf"):
        lin.W.grad.fill_(np.longdouble("1e400"))


# 11. an integer too large for NumPy's int64
def test_huge_integer_message():
    for v in (2**64, 10**400):
        with pytest.raises((TypeError, ValueError), match="too large"):
            gn.tensor([v])


# 10. the CLI counts a column's distinct values exactly, not after the cast to float
def test_cli_ids_past_float64_not_one_value(tmp_path, capsys):
    from cli_helpers import run

    rng = np.random.default_rng(0)
    lines = ["id,x1,y"] + [f"{2**63 + i},{rng.random()},{rng.random()}" for i in range(40)]
    path = tmp_path / "ids.csv"
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "ids.glassnet"
    code, _, err = run(capsys, "train", path, "--target", "y", "--epochs", "1", "--out", out)
    assert code == 0
    assert "single value" not in err and "40 distinct" in err
