"""Inputs a float model would read as other numbers, refused however they come: an int
column beside a float column of a DataFrame or pyarrow Table (converted as one float64 block),
a pyarrow decimal holding a whole number; the command line's lock on the file written, however
it is spelled; the hint for a pandas Series given as X."""

import decimal
import os

import numpy as np
import pytest

import glassnet as gn

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")


def _mixed(value, dtype=np.int64):
    return pd.DataFrame({"a": np.array([1, value], dtype), "b": [0.5, 0.25]})


def _model(d, dtype=None):
    return gn.nn.Sequential(gn.nn.Linear(d, 1, dtype=dtype or gn.float32))


@pytest.mark.parametrize("table", [False, True])
def test_int_column_beside_float_column_refused_at_predict_call_and_fit(table):
    X = _mixed(2**24 + 1)
    if table:
        X = pa.Table.from_pandas(X, preserve_index=False)
    m = _model(2)
    with pytest.raises(ValueError, match=r"16777217 at index \(1, 0\) \(column 'a'\).*float32"):
        m.predict(X)
    with pytest.raises(ValueError, match=r"Sequential: x holds the whole number 16777217 at in"):
        m(X)
    with pytest.raises(ValueError, match=r"16777217 at index \(1, 0\) \(column 'a'\)"):
        gn.fit(m, X, np.array([1.0, 2.0]), epochs=1)


@pytest.mark.parametrize(
    "value, dtype", [(2**53 + 1, np.int64), (2**64 - 1, np.uint64)], ids=["int64", "uint64"]
)
def test_int_column_beside_float_column_refused_for_float64_model(value, dtype):
    X = _mixed(value, dtype)
    m = _model(2, gn.float64)
    with pytest.raises(ValueError, match=rf"{value} at index \(1, 0\) \(column 'a'\).*float64"):
        m.predict(X)
    with pytest.raises(ValueError, match=rf"{value} at index \(1, 0\)"):
        m(X)
    with pytest.raises(ValueError, match=rf"{value} at index \(1, 0\)"):
        gn.tensor(X)


def test_exact_int_column_beside_float_column_still_reads():
    X = _mixed(2**24)  # (exact in float32)
    m = _model(2)
    assert m.predict(X).shape == (2, 1)
    t = gn.tensor(_mixed(2**53, np.int64))
    assert t.numpy()[1, 0] == 2.0**53


def test_decimal_whole_numbers_refused_as_int64_is():
    big = pa.array([decimal.Decimal(2**53 + 1)], pa.decimal128(38, 0))
    with pytest.raises(ValueError, match="9007199254740993.*float64"):
        gn.tensor(big)
    small = pa.array([decimal.Decimal(2**24 + 1)], pa.decimal128(38, 0))
    with pytest.raises(ValueError, match="16777217.*float32"):
        gn.tensor(small, dtype=gn.float32)
    with pytest.raises(ValueError, match="16777217"):
        _model(1).predict(pa.table({"a": small}))
    with pytest.raises(ValueError, match="16777217"):
        _model(1)(pa.table({"a": small}))
    # exact whole numbers and fractions (which round in any float) are read
    assert gn.tensor(pa.array([decimal.Decimal(2**53)], pa.decimal128(38, 0))).numpy()[0] == 2.0**53
    frac = pa.array([decimal.Decimal("0.1"), decimal.Decimal("2.5")], pa.decimal128(10, 2))
    np.testing.assert_array_equal(gn.tensor(frac).numpy(), [0.1, 2.5])


def test_series_hint_names_to_frame():
    s = pd.Series(np.arange(6.0))
    with pytest.raises(ValueError) as e:
        gn.fit(_model(1), s, np.arange(6.0), epochs=1)
    assert "X.to_frame()" in str(e.value) and "X.reshape" not in str(e.value)
    with pytest.raises(ValueError, match=r"X.reshape\(-1, 1\)"):
        gn.fit(_model(1), np.arange(6.0), np.arange(6.0), epochs=1)


fcntl = pytest.importorskip("fcntl") if os.name == "posix" else None


@pytest.mark.skipif(fcntl is None, reason="the output lock needs fcntl (POSIX)")
def test_train_out_through_a_symlink_meets_the_real_files_lock(capsys, tmp_path):
    """The lock is the file's, not its spelling: a link to the file another run writes."""
    from cli_helpers import FAST, HEADER, assert_one_line_error, rows, run, write_csv

    data = write_csv(tmp_path / "d.csv", HEADER, rows(40))
    real = tmp_path / "real.glassnet"
    link = tmp_path / "link.glassnet"
    real.write_bytes(b"")
    link.symlink_to(real.name)
    with open(tmp_path / "real.glassnet.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        code, out, err = run(capsys, "train", data, "--target", "label", *FAST,
                             "--out", link, "--force")  # fmt: skip
    assert code == 2 and out == "", err
    assert_one_line_error(err, "is writing", "another --out")
    assert not (tmp_path / "link.glassnet.lock").exists()


def test_a_decimal_beyond_the_float_range_is_refused_in_words():
    huge = pa.array([decimal.Decimal(10**60)], pa.decimal256(70, 0))
    with pytest.raises(ValueError, match="not exact in float32.*would become inf"):
        gn.tensor(huge, dtype=gn.float32)
    with pytest.raises(ValueError, match="not exact in float64"):
        gn.tensor(huge)


def test_a_float_frame_and_nullable_int_column():
    X = pd.DataFrame({"a": pd.array([1, 2**24 + 1], dtype="Int64"), "b": [0.5, 0.5]})
    with pytest.raises(ValueError, match=r"16777217 at index \(1, 0\) \(column 'a'\)"):
        _model(2).predict(X)
    assert _model(2).predict(pd.DataFrame({"a": [1, 2], "b": [0.5, 0.5]})).shape == (2, 1)
