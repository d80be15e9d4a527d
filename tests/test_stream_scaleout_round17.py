"""glassnet.stream: pandas' saved index in Parquet, long label runs warned of by the Python
API, Columns.transform's messages for a validation table, and pandas' CSV index named."""

import os
import warnings

import numpy as np
import pytest

from glassnet import nn, stream
from glassnet.train import fit

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow.parquet")
import pyarrow.csv as pcsv  # noqa: E402


def _frame(n=400, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.normal(size=n),
            "cat": rng.choice(["g", "r", "b"], size=n),
            "label": rng.choice(["no", "yes"], size=n),
        }
    )


# ------------------------------------------------------------------ 1. Parquet index
def test_pandas_index_saved_in_parquet_is_no_feature(tmp_path):
    df = _frame()
    path = tmp_path / "sub.parquet"
    df[df.a > -1].to_parquet(path)  # a filtered frame: its index saved as a column
    assert "__index_level_0__" in pa.parquet.read_schema(path).names
    s = stream.from_parquet(path, "label")
    assert s.columns.feature_names == ["a", "b", "cat=b", "cat=g", "cat=r"]
    assert s.columns.dropped == ["__index_level_0__"]
    X = np.concatenate([c[0] for c in s.chunks()])
    kept = df[df.a > -1]
    np.testing.assert_allclose(X[:, 0], kept.a.to_numpy(), rtol=1e-6)
    # fit on the path trains a model of the data's width (it asked for one more input)
    h = fit(nn.MLP([5, 4, 2], rng=0), str(path), "label", loss="cross_entropy",
            batch_size=32, epochs=1, verbose=0)  # fmt: skip
    assert np.isfinite(h.loss[-1])


def test_a_set_index_column_is_left_out_unless_it_is_the_target(tmp_path):
    df = _frame().assign(when=pd.date_range("2020-01-01", periods=400, freq="h"))
    path = tmp_path / "ix.parquet"
    df.set_index("when").to_parquet(path)  # (a timestamp: refused as a feature)
    s = stream.from_parquet(path, "label")
    assert s.columns.dropped == ["when"] and "when" not in s.columns.features
    path2 = tmp_path / "lab.parquet"
    df.drop(columns="when").set_index("label").to_parquet(path2)
    s = stream.from_parquet(path2, "label")
    assert s.columns.classes == ["no", "yes"] and s.columns.dropped == []
    # a default RangeIndex is metadata only: nothing to leave out
    df.drop(columns="when").to_parquet(tmp_path / "plain.parquet")
    assert stream.from_parquet(tmp_path / "plain.parquet", "label").columns.dropped == []


# ------------------------------------------------------------------ 2. label runs
def _sorted_csv(path, classes=6, run=1000, seed=0):
    rng = np.random.default_rng(seed)
    lines = ["a,b,label"]
    for c in range(classes):
        x = rng.normal(size=(run, 2)) + c
        lines += [f"{u},{v},c{c}" for u, v in x]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_stream_of_a_file_sorted_by_its_label_warns_once(tmp_path):
    path = _sorted_csv(tmp_path / "sorted.csv")
    s = stream.from_csv(path, "label", buffer_size=500)
    assert s.columns.label_runs == 6
    with pytest.warns(UserWarning, match="long runs") as caught:
        fit(nn.MLP([2, 4, 6], rng=0), s, None, loss="cross_entropy", batch_size=50,
            epochs=2, seed=0, verbose=0)  # fmt: skip
    texts = [str(w.message) for w in caught if "long runs" in str(w.message)]
    assert len(texts) == 1  # (once per stream, not once per epoch)
    text = texts[0]
    [where] = [w.filename for w in caught if "long runs" in str(w.message)]
    assert where == __file__  # (the caller's fit line, not glassnet's)
    assert "sorted.csv" in text and "'label'" in text and "5 changes of class in 6,000 rows" in text
    assert "buffer of 500 rows" in text and "buffer_size" in text and "Shuffle" in text
    with warnings.catch_warnings():  # the same stream again: warned already
        warnings.simplefilter("error")
        fit(nn.MLP([2, 4, 6], rng=0), s, None, loss="cross_entropy", batch_size=50,
            epochs=1, seed=0, verbose=0)  # fmt: skip


def test_no_warning_for_a_shuffled_file_or_a_buffer_holding_it(tmp_path):
    path = _sorted_csv(tmp_path / "sorted.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = stream.from_csv(path, "label", buffer_size=6000)  # (the whole file)
        fit(nn.MLP([2, 4, 6], rng=0), s, None, loss="cross_entropy", batch_size=50,
            epochs=1, verbose=0)  # fmt: skip
        lines = path.read_text().splitlines()
        body = lines[1:]
        np.random.default_rng(1).shuffle(body)
        path.write_text("\n".join([lines[0], *body]) + "\n")
        s = stream.from_csv(path, "label", buffer_size=500)
        fit(nn.MLP([2, 4, 6], rng=0), s, None, loss="cross_entropy", batch_size=50,
            epochs=1, verbose=0)  # fmt: skip
    assert stream.long_label_runs(s.columns, 500) is None


# ------------------------------------------------------------------ 3. transform
@pytest.fixture
def trained(tmp_path):
    df = _frame()
    df[df.cat != "b"].to_csv(tmp_path / "train.csv", index=False)
    df.to_csv(tmp_path / "val.csv", index=False)
    return stream.from_csv(tmp_path / "train.csv", "label", standardize=True), df, tmp_path


def test_transform_names_an_unseen_category_of_a_validation_table(trained):
    s, df, tmp = trained
    row = int(np.argmax(df.cat.to_numpy() == "b"))
    with pytest.raises(ValueError) as e:
        s.columns.transform(pcsv.read_csv(tmp / "val.csv"))
    text = str(e.value)
    assert type(e.value) is ValueError and not text.startswith("fit")
    assert f"row {row} (0-based)" in text and "'cat'" in text and "'b'" in text
    assert "not in the training file" in text and "train.csv" in text
    assert "changed while fit read it" not in text


def test_transform_names_a_missing_target_and_takes_a_dataframe(trained):
    s, df, tmp = trained
    with pytest.raises(ValueError, match=r"no column 'label', the target") as e:
        s.columns.transform(pcsv.read_csv(tmp / "val.csv").drop(["label"]))
    assert "['a', 'b', 'cat']" in str(e.value) and "preprocessor_dict" in str(e.value)
    kept = df[df.cat != "b"].reset_index(drop=True)
    X, y = s.columns.transform(kept)  # a DataFrame, converted
    X2, y2 = s.columns.transform(pa.Table.from_pandas(kept, preserve_index=False))
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, (kept.label == "yes").to_numpy().astype(int))
    with pytest.raises(ValueError, match=r"column 'cat' of the table holds numbers"):
        s.columns.transform(kept.assign(cat=1))
    with pytest.raises(TypeError, match=r"takes a pyarrow Table.*ndarray of shape \(2, 3\)"):
        s.columns.transform(np.zeros((2, 3)))


def test_the_stream_itself_still_blames_a_file_that_changed(trained):
    s, df, tmp = trained
    path = tmp / "train.csv"
    st = os.stat(path)  # (a same-size rewrite, its time kept: the pass finds the new class)
    path.write_text(path.read_text().replace(",g,", ",q,"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    # (since round 19 the file's inode and status-change time are compared too: the
    # rewrite is caught before the pass, as a file changed after the statistics pass)
    with pytest.raises(
        ValueError, match="^from_csv: .*changed (while fit|after the statistics pass)"
    ):
        list(s.chunks())


# ------------------------------------------------------------------ 4. CSV index
def test_a_csv_written_with_pandas_index_names_pandas_index_true(tmp_path):
    path = tmp_path / "idx.csv"
    _frame().to_csv(path)  # header ",a,b,cat,label"
    assert path.read_text().startswith(",a,b,cat,label")
    for call in (
        lambda: stream.from_csv(path, "label"),
        lambda: fit(nn.MLP([5, 4, 2], rng=0), str(path), "label", batch_size=8, verbose=0),
    ):
        with pytest.raises(ValueError) as e:
            call()
        text = str(e.value)
        assert "pandas_index=True" in text and "to_csv" in text and "0, 1, 2" in text
        assert "delimiter at the end" not in text and "first column" in text
    s = stream.from_csv(path, "label", pandas_index=True)  # the fix it names works
    assert s.columns.features == ["a", "b", "cat"] and s.columns.dropped == [""]
