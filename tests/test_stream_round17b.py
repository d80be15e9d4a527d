"""glassnet.stream: the long-label-runs rule measured on the shuffle buffer's own batches
(a file barely larger than the buffer is not warned of), the command line on the same
rule, a 0.0/1.0 target of binary cross-entropy checked, and a bool target in
Columns.transform."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")

from cli_helpers import run, write_csv  # noqa: E402
from cli_helpers import warnings as said_warnings  # noqa: E402

from glassnet import fit, nn, stream  # noqa: E402


def _sorted_file(path, n, classes=2, value=int):
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(classes), -(-n // classes))[:n]
    pd.DataFrame({"a": rng.normal(size=n), "y": [value(v) for v in y]}).to_csv(path, index=False)
    return path


def _emitted(s, batch_size, seed=0):
    s.warn_label_runs = False
    batches = s.batches(batch_size, np.random.default_rng(seed), lambda X, y, w: (X, y, w))
    return np.concatenate([np.asarray(b[1]) for b in batches]).astype(int)


# ----------------------------------------------------------------- 1. the rule
def test_a_sorted_file_barely_larger_than_the_buffer_is_not_warned_of(tmp_path):
    """70,000 sorted rows through the default buffer of 65,536 give batches of 49-51% of
    either class all epoch, and were warned of; 100,000 rows (23% then 64%) still are."""
    s = stream.from_csv(_sorted_file(tmp_path / "s70k.csv", 70_000), "y")
    assert s.buffer_size == 65_536
    assert stream.long_label_runs(s.columns, 65_536, 64) is None
    assert stream.label_runs_warning(s.columns, 65_536, 64) is None
    s = stream.from_csv(_sorted_file(tmp_path / "s100k.csv", 100_000), "y")
    found = stream.long_label_runs(s.columns, 65_536, 64)
    assert found is not None and found.off > 0.25
    text = stream.label_runs_warning(s.columns, 65_536, 64)
    assert "long runs (1 change of class in 100,000 rows" in text
    assert "hold class" in text and "where the file holds 0.50" in text


@pytest.mark.parametrize(
    "n, classes, buffer, batch",
    [(7_000, 2, 6_400, 64), (10_000, 2, 6_400, 64), (9_000, 3, 2_048, 32), (20_000, 2, 4_096, 32)],
)
def test_the_expected_shares_are_the_buffers_own(tmp_path, n, classes, buffer, batch):
    """label_shares, computed from the runs alone, matches the class shares of the rows
    Stream.batches emits, stretch by stretch (up to sampling noise)."""
    s = stream.from_csv(_sorted_file(tmp_path / "s.csv", n, classes), "y", buffer_size=buffer)
    bounds, shares = stream.label_shares(s.columns, buffer, batch)
    assert bounds[0] == 0 and bounds[-1] == n and shares.shape == (len(bounds) - 1, classes)
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    ys = _emitted(s, batch)
    assert len(ys) == n
    cuts = np.round(bounds).astype(int)
    for (a, b), want in zip(zip(cuts[:-1], cuts[1:]), shares):
        got = np.bincount(ys[a:b], minlength=classes) / (b - a)
        assert np.abs(got - want).max() < 0.06, (a, b, got, want)


def test_runs_the_buffer_mixes_stay_silent_and_others_warn(tmp_path):
    # runs of 1,000 rows, two classes in turn, through a buffer of 4,096: balanced windows
    y = np.tile(np.repeat([0, 1], 1_000), 10)
    path = tmp_path / "r.csv"
    pd.DataFrame({"a": np.zeros(len(y)), "y": y}).to_csv(path, index=False)
    s = stream.from_csv(path, "y", buffer_size=4_096)
    assert stream.long_label_runs(s.columns, 4_096, 32) is None
    # ten classes in runs of 1,000: a window holds four of them
    s = stream.from_csv(_sorted_file(tmp_path / "t.csv", 10_000, 10), "y", buffer_size=4_096)
    found = stream.long_label_runs(s.columns, 4_096, 32)
    assert found is not None and found.off > 0.5


def test_a_file_of_many_runs_keeps_none_and_uses_the_average_rule(tmp_path, monkeypatch):
    monkeypatch.setattr(stream, "LABEL_RUNS_KEPT", 3)
    s = stream.from_csv(_sorted_file(tmp_path / "s.csv", 6_000, 6), "y", buffer_size=500)
    assert s.columns.run_classes is None and s.columns.label_runs == 6
    found = stream.long_label_runs(s.columns, 500, 50)
    assert found is not None and np.isnan(found.off)
    assert "long runs" in stream.label_runs_warning(s.columns, 500, 50)


def test_the_runs_kept_are_the_files(tmp_path):
    y = [0] * 5 + [1] * 3 + [0] * 7 + [2] * 1 + [1] * 4
    path = tmp_path / "r.csv"
    pd.DataFrame({"a": np.arange(len(y)), "y": y}).to_parquet(path.with_suffix(".parquet"))
    for rows in (1, 3, 64):  # runs across record batches
        s = stream.from_parquet(path.with_suffix(".parquet"), "y", batch_rows=rows)
        assert s.columns.run_classes.tolist() == [0, 1, 0, 2, 1]
        assert s.columns.run_rows.tolist() == [5, 3, 7, 1, 4]
        assert s.columns.label_runs == 5


# ----------------------------------------------------------------- 2. the command line
def test_the_command_line_uses_the_streams_rule(capsys, tmp_path, monkeypatch):
    """1,100 sorted rows through a buffer of 1,024: batches of 46-54% of either class, and
    the command line warned; 3,000 rows through 256 still warns, in its own words."""
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(0)
    fast = ["--epochs", "1", "--hidden", "4", "--seed", "0", "-q", "--stream"]
    for n, buffer, warned in ((1_100, 1_024, False), (3_000, 256, True)):
        table = [[round(float(v), 3), "no" if i < n // 2 else "yes"]
                 for i, v in enumerate(rng.normal(size=n))]  # fmt: skip
        data = write_csv(tmp_path / f"s{n}.csv", ["f0", "label"], table)
        out = ["--buffer-size", str(buffer), "--out", tmp_path / f"m{n}.glassnet"]
        code, _, err = run(capsys, "train", data, "--target", "label", *fast, *out)
        assert code == 0, err
        said = [w for w in said_warnings(err) if "long runs" in w]
        assert bool(said) == warned, err
        if warned:
            assert f"'{data}' holds the classes of 'label' in long runs (1 change" in said[0]
            assert "shuffle buffer of 256 rows" in said[0] and "shuf" in said[0]


# ----------------------------------------------------------------- 3. a 0.0/1.0 BCE target
def test_a_sorted_float_zero_one_target_of_bce_is_warned_of(tmp_path):
    path = _sorted_file(tmp_path / "f.csv", 3_000, value=float)
    assert "0.0" in path.read_text()
    s = stream.from_csv(path, "y", buffer_size=256)
    assert s.columns.classes is None  # (a number target: BCE's, as its type says)
    assert s.columns.class_counts == [1_500, 1_500] and s.columns.label_runs == 2
    with pytest.warns(UserWarning, match="long runs") as caught:
        fit(nn.MLP([1, 4, 1], rng=0), s, None, loss="binary_cross_entropy_with_logits",
            batch_size=64, epochs=1, seed=0, verbose=0)  # fmt: skip
    [text] = [str(w.message) for w in caught if "long runs" in str(w.message)]
    assert "'y'" in text and "1 change of class in 3,000 rows" in text
    # soft targets, and a shuffled 0/1 file, are not warned of
    rng = np.random.default_rng(1)
    for name, y in (("soft", np.repeat([0.1, 0.9], 1_500)), ("shuf", rng.permutation(
            np.repeat([0.0, 1.0], 1_500)))):  # fmt: skip
        p = tmp_path / f"{name}.csv"
        pd.DataFrame({"a": rng.normal(size=3_000), "y": y}).to_csv(p, index=False)
        s = stream.from_csv(p, "y", buffer_size=256)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fit(nn.MLP([1, 4, 1], rng=0), s, None, loss="binary_cross_entropy_with_logits",
                batch_size=64, epochs=1, seed=0, verbose=0)  # fmt: skip


# ----------------------------------------------------------------- 4. a bool target
def test_transform_reads_a_bool_target_against_classes_zero_and_one(tmp_path):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=200), "y": rng.integers(0, 2, 200)})
    df.to_csv(tmp_path / "bin.csv", index=False)
    cols = stream.from_csv(tmp_path / "bin.csv", "y").columns
    X, y = cols.transform(df)
    Xb, yb = cols.transform(df.assign(y=df.y.astype(bool)))
    np.testing.assert_array_equal(yb, y)
    np.testing.assert_array_equal(Xb, X)
    import pyarrow.csv

    (tmp_path / "val.csv").write_text("a,y\n0.5,true\n0.1,false\n")
    _, yv = cols.transform(pyarrow.csv.read_csv(tmp_path / "val.csv"))
    assert yv.tolist() == [1, 0]


def test_transform_names_a_bool_target_against_other_classes(tmp_path):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=200), "y": rng.integers(1, 3, 200)})
    df.to_csv(tmp_path / "bin2.csv", index=False)
    cols = stream.from_csv(tmp_path / "bin2.csv", "y").columns
    with pytest.raises(ValueError, match=r"column 'y' of the table holds bool") as e:
        cols.transform(df.assign(y=df.y == 2))
    assert "bin2.csv' it holds numbers" in str(e.value) and "[1, 2]" in str(e.value)


def test_the_runs_kept_of_a_category_target_and_of_signed_zeros(tmp_path):
    y = ["b"] * 5 + ["a"] * 3 + ["b"] * 7 + ["c"] + ["a"] * 4
    path = tmp_path / "cat.parquet"
    pd.DataFrame({"x": np.arange(20.0), "y": pd.Categorical(y)}).to_parquet(path)
    for rows in (1, 3, 64):
        cols = stream.from_parquet(path, "y", batch_rows=rows).columns
        assert cols.classes == ["a", "b", "c"] and cols.class_counts == [7, 12, 1]
        assert cols.run_classes.tolist() == [1, 0, 1, 2, 0]
        assert cols.run_rows.tolist() == [5, 3, 7, 1, 4]
    # -0.0 is 0.0: one class, counted as such (a float 0/1 target)
    path = tmp_path / "z.parquet"
    pd.DataFrame({"x": np.arange(6.0), "y": [0.0, -0.0, 1.0, 1.0, 0.0, 0.0]}).to_parquet(path)
    cols = stream.from_parquet(path, "y").columns
    assert cols.classes is None and cols.class_counts == [4, 2] and cols.label_runs == 3
    assert cols.run_classes.tolist() == [0, 1, 0] and cols.run_rows.tolist() == [2, 2, 2]
