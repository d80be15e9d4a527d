"""Preprocessor.transform of a wide text column: the one-hot columns are written straight
into the output, in its dtype, with no second matrix of its size."""

from __future__ import annotations

import numpy as np
import pytest
from memory_helpers import traced

from glassnet.datasets import Table
from glassnet.preprocessing import OneHotEncoder, Preprocessor


def wide_table(n=3000, cities=1500, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n).round(3)
    city = rng.integers(0, cities, size=n)
    return Table(
        {
            "x": [str(v) for v in x],
            "city": [f"city_{c}" for c in city],
            "z": [str(v) for v in rng.normal(size=n) * 1e3],
            "shop": [f"s{c % 7}" for c in city],
            "label": ["yes" if v > 0 else "no" for v in x],
        },
        target="label",
    )


def reference(pre, table):
    """The output as numbers and one-hot blocks, built column by column."""
    num = [c for c in pre.columns_ if pre.kinds_[c] == "numeric"]
    Xn = pre.scaler_.transform(np.stack([table.numbers(c) for c in num], axis=1))
    parts, j = [], 0
    for c in pre.columns_:
        if pre.kinds_[c] == "numeric":
            parts.append(Xn[:, [j]])
            j += 1
        else:
            cats = pre.encoder_.categories_[pre.encoder_.names_.index(c)]
            parts.append((table.strings(c)[:, None] == cats[None, :]).astype(np.float64))
    return np.concatenate(parts, axis=1)


def test_transform_peak_memory_is_one_output_matrix():
    """A column of 1,500 cities in 3,000 rows: transform held the encoder's float64 one-hot
    matrix and the output (two float64 matrices of N x categories), 2.0 times the output's
    bytes at its peak; now the output alone (and a few columns)."""
    table = wide_table()
    pre = Preprocessor().fit(table)
    pre.transform(table)  # (warm: NumPy's and the caches' first allocations)
    out, peak = traced(pre.transform, table)
    assert out.dtype == np.float64 and out.shape == (3000, len(pre.feature_names_out))
    assert out.shape[1] > 1000
    assert peak < 1.25 * out.nbytes, (peak, out.nbytes)
    out32, peak32 = traced(pre.transform, table, dtype=np.float32)
    assert out32.dtype == np.float32
    assert peak32 < 1.25 * out32.nbytes, (peak32, out32.nbytes)


def test_transform_is_bit_identical_in_float64_and_float32():
    table = wide_table(n=800, cities=120, seed=1)
    pre = Preprocessor().fit(table)
    out = pre.transform(table)
    ref = reference(pre, table)
    assert out.dtype == np.float64 and out.shape == ref.shape
    assert np.array_equal(out.view(np.uint64), ref.view(np.uint64))
    out32 = pre.transform(table, dtype=np.float32)
    assert np.array_equal(out32.view(np.uint32), out.astype(np.float32).view(np.uint32))
    # the output's columns in the fitted order: numbers and one-hot blocks interleaved
    names = pre.feature_names_out
    assert names[0] == "x" and names[1].startswith("city=") and "z" in names
    j = names.index("z")
    assert np.array_equal(out[:, j], ref[:, j])


def test_transform_unknown_categories_ignored_as_before():
    table = wide_table(n=200, cities=30, seed=2)
    pre = Preprocessor().fit(table)
    other = wide_table(n=50, cities=60, seed=3)
    with pytest.raises(ValueError, match="not seen at fit"):
        pre.transform(other)
    out = pre.transform(other, unknown="ignore", dtype="float32")
    ref = pre.transform(other, unknown="ignore")
    assert np.array_equal(out, ref.astype(np.float32))
    unseen = int(np.count_nonzero(~np.isin(other.strings("city"), pre.encoder_.categories_[0])))
    assert unseen > 0 and pre.unknown_counts_ == {"city": unseen}
    block = [i for i, n in enumerate(pre.feature_names_out) if n.startswith("city=")]
    assert np.count_nonzero(ref[:, block].sum(axis=1) == 0) == unseen


@pytest.mark.parametrize("dtype", [np.int64, "float16", "nope"])
def test_transform_dtype_is_checked(dtype):
    table = wide_table(n=20, cities=5)
    pre = Preprocessor().fit(table)
    with pytest.raises(ValueError, match=r"'dtype' parameter of Preprocessor\.transform"):
        pre.transform(table, dtype=dtype)


def test_one_hot_encoder_transform_unchanged():
    enc = OneHotEncoder().fit([["red", "a"], ["blue", "b"], ["red", "c"]], names=["k", "m"])
    out = enc.transform([["red", "c"], ["blue", "a"]])
    assert out.dtype == np.float64
    assert out.tolist() == [[0.0, 1.0, 0.0, 0.0, 1.0], [1.0, 0.0, 1.0, 0.0, 0.0]]
