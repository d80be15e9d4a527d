"""Tests for glassnet.stream: fit on chunks, memmaps, CSV and Parquet files; the shuffle
buffer; the statistics pass."""

from __future__ import annotations

import datetime
import decimal
import os

import numpy as np
import pytest

from glassnet import nn
from glassnet import stream as gs
from glassnet.train import fit


def data(n=103, d=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = (X @ rng.standard_normal(d) > 0).astype(np.int64)
    return X, y


def model(d=4, out=2, seed=1):
    return nn.MLP([d, 8, out], activation="tanh", output_activation="softmax", rng=seed,
                  dtype=np.float64)  # fmt: skip


def flat(m):
    return np.concatenate([p.data.ravel() for p in m.parameters()])


def reference(X, y, **kw):
    m = model(X.shape[1])
    fit(m, X, y, loss="cross_entropy", lr=0.3, epochs=3, batch_size=16, shuffle=False,
        verbose=0, **kw)  # fmt: skip
    return flat(m)


def stream_fit(src, y=None, d=4, **kw):
    m = model(d)
    h = fit(m, src, y, loss="cross_entropy", lr=0.3, epochs=3, batch_size=16, verbose=0,
            **{"shuffle": False, **kw})  # fmt: skip
    return flat(m), h


def test_chunks_in_order_equal_the_arrays():
    """Chunks of 10 rows re-cut into batches of 16: the same steps as the arrays."""
    X, y = data()
    chunks = [(X[s : s + 10], y[s : s + 10]) for s in range(0, len(X), 10)]
    got, h = stream_fit(chunks)
    np.testing.assert_allclose(got, reference(X, y), rtol=0, atol=1e-12)
    assert h.samples_seen == 3 * len(X) and h.steps == 3 * 7


def test_chunks_with_sample_weights_and_a_function_source():
    X, y = data()
    w = np.linspace(0.5, 2.0, len(X))
    src = gs.from_chunks(
        lambda: ((X[s : s + 7], y[s : s + 7], w[s : s + 7]) for s in range(0, 103, 7))
    )
    got, _ = stream_fit(src)
    np.testing.assert_allclose(got, reference(X, y, sample_weight=w), rtol=0, atol=1e-12)


def test_shuffle_buffer_emits_every_row_once_and_mixes_nearby_rows():
    n, bs, buf = 1000, 16, 128
    ids = np.arange(n, dtype=np.float64)[:, None]
    src = gs.from_chunks([(ids[s : s + 50], ids[s : s + 50, 0]) for s in range(0, n, 50)],
                         buffer_size=buf)  # fmt: skip
    rng = np.random.default_rng(0)
    out = [b for b in src.batches(bs, rng, lambda X, y, w: (X, y, w))]
    got = np.concatenate([b[0][:, 0] for b in out]).astype(int)
    assert sorted(got) == list(range(n))  # a permutation: each row once
    assert all(len(b[0]) == bs for b in out[:-1]) and 0 < len(out[-1][0]) <= bs
    assert not np.array_equal(got, np.arange(n))
    # a row leaves the buffer at most (buffer + batch) rows after it entered it... but may
    # stay longer; none comes out before the stream reached it
    assert np.all(got <= np.arange(n) + buf + bs)
    # shuffled well within the window: the first buffer's rows are not emitted in order
    assert abs(np.corrcoef(np.arange(n), got)[0, 1]) < 0.999
    # the same generator state, the same batches (every rank draws the same)
    again = [b for b in src.batches(bs, np.random.default_rng(0), lambda X, y, w: (X, y, w))]
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(out, again))


def test_shuffled_stream_trains():
    X, y = data(400)
    chunks = [(X[s : s + 50], y[s : s + 50]) for s in range(0, len(X), 50)]
    m = model()
    h = fit(m, gs.from_chunks(chunks, buffer_size=64), None, loss="cross_entropy", lr=0.5,
            epochs=20, batch_size=16, seed=0, verbose=0)  # fmt: skip
    assert h.loss[-1] < 0.5 * h.loss[0]
    assert np.mean(m.predict(X).argmax(axis=1) == y) > 0.9


def test_memmap_read_chunk_by_chunk(tmp_path):
    X, y = data()
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    Xm = np.load(tmp_path / "X.npy", mmap_mode="r")  # a memmap with a header offset
    ym = np.load(tmp_path / "y.npy", mmap_mode="r")
    assert isinstance(Xm, np.memmap)
    np.testing.assert_array_equal(gs._read_rows(Xm, 5, 9), X[5:9])
    src = gs.from_arrays(Xm, ym, chunk_rows=25)
    got, _ = stream_fit(src)
    np.testing.assert_allclose(got, reference(X, y), rtol=0, atol=1e-12)
    got, _ = stream_fit(Xm, ym)  # fit takes the memmaps as they are
    np.testing.assert_allclose(got, reference(X, y), rtol=0, atol=1e-12)


def table(n=103, seed=0):
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"a": rng.standard_normal(n) * 3 + 1,
                       "color": rng.choice(["red", "green", "blue"], n),
                       "b": rng.integers(0, 5, n)})  # fmt: skip
    df["label"] = np.where(df.a + (df.color == "red") > 1, "yes", "no")
    return df


def expected(df, standardize):
    num = df[["a", "b"]].to_numpy(float)
    if standardize:
        num = (num - num.mean(axis=0)) / num.std(axis=0)
    onehot = np.stack([(df.color == c).to_numpy(float) for c in ["blue", "green", "red"]], 1)
    return np.hstack([num, onehot]), (df.label == "yes").to_numpy(int)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_file_stream_statistics_and_training(tmp_path, fmt):
    pytest.importorskip("pyarrow")
    df = table()
    path = tmp_path / f"t.{fmt}"
    df.to_csv(path, index=False) if fmt == "csv" else df.to_parquet(path)
    kw = {"block_size": 1 << 10} if fmt == "csv" else {"batch_rows": 20}  # many chunks
    read = gs.from_csv if fmt == "csv" else gs.from_parquet
    src = read(path, "label", standardize=True, dtype=np.float64, **kw)
    cols = src.columns
    assert cols.rows == len(df) and cols.numeric == ["a", "b"]
    assert cols.categories == {"color": ["blue", "green", "red"]}
    assert cols.classes == ["no", "yes"]
    np.testing.assert_allclose(cols.mean, df[["a", "b"]].mean(), rtol=1e-12)
    np.testing.assert_allclose(cols.scale, df[["a", "b"]].std(ddof=0), rtol=1e-12)
    X, y = expected(df, True)
    X = X[:, [0, 2, 3, 4, 1]]  # the file's column order: a, color=..., b
    assert cols.feature_names == ["a", "color=blue", "color=green", "color=red", "b"]
    streamed = np.concatenate([c[0] for c in src.chunks()])
    np.testing.assert_allclose(streamed, X, rtol=0, atol=1e-12)
    # the statistics are a Preprocessor's, as a model file stores it
    from glassnet.datasets import read_csv
    from glassnet.preprocessing import Preprocessor

    if fmt == "csv":
        pre = Preprocessor.from_dict(cols.preprocessor_dict())
        np.testing.assert_allclose(pre.transform(read_csv(path, "label")), X, atol=1e-12)
    got, _ = stream_fit(src, d=5)
    np.testing.assert_allclose(got, reference(X, y), rtol=0, atol=1e-12)
    # a number target: read as float, its moments from the same pass
    reg = read(path, "a", **kw)
    assert reg.columns.classes is None and reg.columns.features == ["color", "b", "label"]
    np.testing.assert_allclose(reg.columns.target_moments, (df.a.mean(), df.a.std(ddof=0)))
    # a path straight to fit (no scaling; read in float64, each chunk then float32)
    m = nn.MLP([5, 8, 2], activation="tanh", output_activation="softmax", rng=1)
    h = fit(m, str(path), "label", loss="cross_entropy", epochs=2, batch_size=16, verbose=0)
    assert h.steps == 2 * 7


def test_stream_errors(tmp_path):
    X, y = data()
    once = ((X[s : s + 10], y[s : s + 10]) for s in range(0, 103, 10))
    with pytest.raises(ValueError, match="iterator, which can be read once"):
        stream_fit(once)
    with pytest.raises(ValueError, match="needs a batch_size"):
        fit(model(), [(X, y)], None, loss="cross_entropy", epochs=1, verbose=0)
    with pytest.raises(ValueError, match="validation_data \\(not validation_split\\)"):
        stream_fit([(X, y)], validation_split=0.2)
    with pytest.raises(TypeError, match="chunk 0 of the stream is a ndarray.*Pass y too"):
        stream_fit([X])
    with pytest.raises(ValueError, match="no chunks"):
        stream_fit([])
    with pytest.raises(ValueError, match="X has 5 features"):
        stream_fit([(np.ones((4, 5)), np.zeros(4, int))])
    with pytest.raises(ValueError, match="'buffer_size' parameter of from_chunks"):
        gs.from_chunks([(X, y)], buffer_size=0)
    pytest.importorskip("pyarrow")
    with pytest.raises(FileNotFoundError, match="no file at"):
        stream_fit(str(tmp_path / "missing.csv"), "label")
    (tmp_path / "t.csv").write_text("a,label\n1,x\n")
    with pytest.raises(TypeError, match="y names its target column"):
        stream_fit(str(tmp_path / "t.csv"), None)
    with pytest.raises(ValueError, match="target column 'nope' is not in '.*t.csv'; its columns"):
        stream_fit(str(tmp_path / "t.csv"), "nope")


def test_a_one_shot_generator_trains_one_epoch():
    """fit's look at the first chunk is replayed: a generator serves epochs=1 whole."""
    X, y = data()
    once = ((X[s : s + 10], y[s : s + 10]) for s in range(0, 103, 10))
    m = model()
    h = fit(m, once, None, loss="cross_entropy", lr=0.3, epochs=1, batch_size=16,
            shuffle=False, verbose=0)  # fmt: skip
    assert h.samples_seen == len(X) and h.steps == 7
    again = model()
    fit(again, X, y, loss="cross_entropy", lr=0.3, epochs=1, batch_size=16, shuffle=False,
        verbose=0)  # fmt: skip
    np.testing.assert_allclose(flat(m), flat(again), rtol=0, atol=1e-12)


def test_a_one_shot_generator_asked_for_more_epochs_is_refused_before_training():
    """Not after a whole epoch of training: before the first step, the model untouched."""
    X, y = data()
    once = ((X[s : s + 10], y[s : s + 10]) for s in range(0, 103, 10))
    m = model()
    before = flat(m).copy()
    with pytest.raises(ValueError, match="serves one epoch, and fit was asked for 3"):
        fit(m, once, None, loss="cross_entropy", lr=0.3, epochs=3, batch_size=16, verbose=0)
    np.testing.assert_array_equal(flat(m), before)


def test_a_sample_weight_beside_a_stream_is_refused(tmp_path):
    """Not silently ignored: a stream's weights come in its chunks."""
    X, y = data()
    with pytest.raises(TypeError, match="an iterable of chunks, so a sample_weight array"):
        stream_fit([(X, y)], sample_weight=np.zeros(len(X)))
    with pytest.raises(TypeError, match="a Stream, so a sample_weight array"):
        stream_fit(gs.from_chunks([(X, y)]), sample_weight=np.zeros(len(X)))
    (tmp_path / "t.csv").write_text("a,label\n1,x\n")
    with pytest.raises(TypeError, match="a file path, so a sample_weight array"):
        stream_fit(str(tmp_path / "t.csv"), "label", sample_weight=np.zeros(1))


def messy(tmp_path, name, row, edit, n=120):
    """A CSV of ``n`` rows (a, b, label) whose data row ``row`` (line row + 2) is edited."""
    rng = np.random.default_rng(0)
    lines = ["a,b,label"] + [
        f"{a:.6f},{b:.6f},{lab}"
        for a, b, lab in zip(
            rng.standard_normal(n), rng.standard_normal(n), rng.choice(["x", "y"], n)
        )
    ]
    lines[row + 1] = edit(lines[row + 1])
    path = tmp_path / f"{name}.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


FIRST, LATER = 2, 100  # data rows in the first 1 KiB block, and far past it
MESSY = {
    "empty number": (lambda l: "," + l.split(",", 1)[1], "column 'a' has a missing value"),
    "NaN": (lambda l: "NaN," + l.split(",", 1)[1], "column 'a' has a missing value"),
    "inf": (lambda l: "inf," + l.split(",", 1)[1], "column 'a' holds inf; replace or drop"),
    "empty label": (lambda l: l.rsplit(",", 1)[0] + ",", "column 'label' has a missing value"),
    "ragged": (lambda l: l + ",7", "has 4 cells where the header names 3 columns; give every"),
    "short": (lambda l: l.split(",", 1)[1], "has 2 cells where the header names 3 columns"),
}


@pytest.mark.parametrize("row", [FIRST, LATER])
@pytest.mark.parametrize("case", list(MESSY))
def test_a_messy_csv_names_its_line(tmp_path, case, row):
    """Not a NaN loss, a class "" or pyarrow's traceback: the file, the line, what to do."""
    pytest.importorskip("pyarrow")
    edit, what = MESSY[case]
    path = messy(tmp_path, case.replace(" ", "_"), row, edit)
    with pytest.raises(ValueError, match=rf"'{path}' line {row + 2}\b.*{what}"):
        stream_fit(gs.from_csv(path, "label", block_size=1 << 10), d=2)


def test_a_csv_column_that_turns_to_text_names_its_line(tmp_path):
    pytest.importorskip("pyarrow")
    path = messy(tmp_path, "text", LATER, lambda l: "zz," + l.split(",", 1)[1])
    with pytest.raises(ValueError, match=rf"line {LATER + 2}: column 'a' holds 'zz' where its"):
        stream_fit(gs.from_csv(path, "label", block_size=1 << 10), d=2)


def test_an_empty_csv_file_is_named(tmp_path):
    pytest.importorskip("pyarrow")
    (tmp_path / "e.csv").write_text("")
    with pytest.raises(ValueError, match="e.csv' is empty: a CSV file needs a header row"):
        stream_fit(str(tmp_path / "e.csv"), "label", d=2)


def test_a_parquet_cell_that_cannot_train_names_its_row(tmp_path):
    pytest.importorskip("pyarrow")
    df = table()
    df.loc[57, "a"] = np.inf
    df.to_parquet(tmp_path / "t.parquet")
    with pytest.raises(ValueError, match="t.parquet' row 58: column 'a' holds inf"):
        stream_fit(gs.from_parquet(tmp_path / "t.parquet", "label", batch_rows=20), d=5)
    df.loc[57, "a"] = 1.0
    df.loc[90, "color"] = None
    df.to_parquet(tmp_path / "t.parquet")
    with pytest.raises(ValueError, match="row 91: column 'color' has a missing value"):
        stream_fit(gs.from_parquet(tmp_path / "t.parquet", "label", batch_rows=20), d=5)


def test_a_chunk_that_cannot_train_is_named_with_its_rows(tmp_path):
    """An error's row indices are the chunk's own: the chunk and its rows are named."""
    X, y = data()
    chunks = [(X[s : s + 10], y[s : s + 10]) for s in range(0, len(X), 10)]
    bad = X[50:60].copy()
    bad[3, 1] = np.nan
    with pytest.raises(
        ValueError, match=r"chunk 5 of the stream \(rows 50 to 59 of the epoch\): X contains NaN"
    ):
        stream_fit([*chunks[:5], (bad, y[50:60]), *chunks[6:]])
    with pytest.raises(
        ValueError, match=r"chunk 2 of the stream \(rows 20 to 29 .*X has 5 features"
    ):
        stream_fit([*chunks[:2], (np.ones((10, 5)), y[20:30]), *chunks[3:]])
    np.save(tmp_path / "X.npy", X)
    with pytest.raises(TypeError, match="X is a memmap, which holds no targets: pass y"):
        stream_fit(np.load(tmp_path / "X.npy", mmap_mode="r"))


def test_a_tsv_file_is_read_with_tabs(tmp_path):
    """fit takes a .tsv path: its columns split at tabs, not one column named 'a\\tb\\tlabel'."""
    pytest.importorskip("pyarrow")
    X, y = data()
    rows = [f"{a}\t{b}\t{c}\t{d}\t{lab}" for (a, b, c, d), lab in zip(X, y)]
    (tmp_path / "t.tsv").write_text("a\tb\tc\td\tlabel\n" + "\n".join(rows) + "\n")
    src = gs.from_csv(tmp_path / "t.tsv", "label", dtype=np.float64)
    assert src.columns.features == ["a", "b", "c", "d"]
    got, _ = stream_fit(src)
    np.testing.assert_allclose(got, reference(X, y), rtol=0, atol=1e-12)


def test_from_csv_reads_missing_cells_as_the_in_memory_reader_does(tmp_path):
    """By default a stream and read_csv agree on which cells are missing: glassnet's set in
    any case ("Null" is missing; pyarrow's own default missed it), and "#N/A", which
    pyarrow's default counted missing, is a category as in memory."""
    pytest.importorskip("pyarrow")
    from glassnet.datasets import read_csv

    path = tmp_path / "r.csv"
    path.write_text("grade,x,label\n#N/A,1,0\nA,2,1\n#N/A,3,0\nB,4,1\n")
    src = gs.from_csv(path, "label")
    assert src.columns.categories == {"grade": ["#N/A", "A", "B"]}
    table = read_csv(path, "label")
    assert table.kinds["grade"] == "categorical"
    assert sorted(set(table.strings("grade"))) == ["#N/A", "A", "B"]
    path.write_text("grade,x,label\nA,1,0\nB,Null,1\nA,3,0\n")
    with pytest.raises(ValueError, match="line 3: column 'x' has a missing value"):
        gs.from_csv(path, "label")
    assert gs.MISSING_TOKENS is __import__("glassnet").datasets.MISSING_TOKENS


def test_from_csv_missing_names_the_texts_of_missing_cells(tmp_path):
    """missing=("",): "NA" and "N/A" are text (a region code, a grade); by default they are
    missing cells (errors). missing=("", "?"): "?" in a number column is a missing cell, in
    any case, not text that would make the column one of categories."""
    pytest.importorskip("pyarrow")
    path = tmp_path / "r.csv"
    path.write_text("region,x,label\nNA,1,0\nEU,2,1\nN/A,3,0\nAS,4,1\n")
    with pytest.raises(ValueError, match="line 2: column 'region' has a missing value"):
        gs.from_csv(path, "label")
    src = gs.from_csv(path, "label", missing=("",))
    assert src.columns.categories == {"region": ["AS", "EU", "N/A", "NA"]}
    path.write_text("region,x,label\nna,1,0\nEU,?,1\nAS,3,0\n")
    with pytest.raises(ValueError, match=r"line 3: column 'x' holds '\?'"):  # (a text cell
        gs.from_csv(path, "label", missing=[""])  # among numbers: refused, not categories)
    with pytest.raises(ValueError, match="line 3: column 'x' has a missing value"):
        gs.from_csv(path, "label", missing=["", "?"])
    assert sorted(gs.null_values(["", " N/a "])) == ["", "N/A", "N/a", "n/A", "n/a"]
    with pytest.raises(TypeError, match=r"'missing' parameter of from_csv must be a list"):
        gs.from_csv(path, "label", missing="?")
    with pytest.raises(TypeError, match=r"must hold str cell texts.*Got NoneType None"):
        gs.from_csv(path, "label", missing=["", None])
    assert len(gs.null_values(["not available"])) == 2**12  # every spelling, up to 12 letters
    with pytest.raises(ValueError, match=r"'not available!x', of 13 letters: .*at most 12"):
        gs.null_values(["not available!x"])


def test_a_text_target_for_a_loss_on_numbers_is_refused(tmp_path):
    pytest.importorskip("pyarrow")
    (tmp_path / "t.csv").write_text("a,label\n1,x\n2,y\n")
    m = nn.MLP([1, 4, 1], rng=1)
    with pytest.raises(ValueError, match="target column 'label' holds text \\('x', ...\\)"):
        fit(m, str(tmp_path / "t.csv"), "label", loss="mse", batch_size=2, verbose=0)


def test_a_float64_model_trains_on_a_file_s_values_unrounded(tmp_path):
    """A path given to fit is read in float64 (each chunk then in the model's dtype), not
    rounded through float32 first."""
    pytest.importorskip("pyarrow")
    X, y = data()
    X = X * (1 + 1e-9)  # digits that float32 rounds away
    rows = [",".join(f"{v!r}" for v in x) + f",{lab}" for x, lab in zip(X.tolist(), y)]
    (tmp_path / "t.csv").write_text("a,b,c,d,label\n" + "\n".join(rows) + "\n")
    got, _ = stream_fit(str(tmp_path / "t.csv"), "label")
    np.testing.assert_allclose(got, reference(X, y), rtol=0, atol=1e-12)


def test_a_number_too_large_names_its_line(tmp_path):
    """Beyond float32's range (a cast to inf) or too large to standardize: not a NumPy
    overflow warning and an inf feature."""
    pytest.importorskip("pyarrow")
    path = messy(tmp_path, "huge", LATER, lambda l: "1e200," + l.split(",", 1)[1])
    with pytest.raises(
        ValueError, match=rf"line {LATER + 2}: column 'a' holds 1e\+200, beyond float32"
    ):
        stream_fit(gs.from_csv(path, "label", block_size=1 << 10), d=2)
    # standardized, 1e200 is no error: the mean and spread are the in-memory scaler's, and
    # the scaled values are finite (tests/test_cli_round7b.py compares the two)
    chunks = gs.from_csv(path, "label", standardize=True).chunks()
    assert all(np.isfinite(c[0]).all() for c in chunks)
    src = gs.from_csv(path, "label", dtype=np.float64)  # float64 holds it
    assert np.concatenate([c[0] for c in src.chunks()])[LATER, 0] == 1e200


def open_files(path):
    fds = "/proc/self/fd"
    return [f for f in os.listdir(fds) if os.path.realpath(os.path.join(fds, f)) == str(path)]


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="lists open files on Linux")
@pytest.mark.parametrize("case", ["ragged", "inf", "model"])
def test_a_file_is_closed_while_fit_s_error_is_held(tmp_path, case):
    """The traceback of an error (kept by a notebook or pytest) holds no reader of the
    file: it is closed when fit raises, not when the error is collected."""
    pytest.importorskip("pyarrow")
    edit = {"ragged": MESSY["ragged"][0], "inf": MESSY["inf"][0]}.get(case, lambda l: l)
    path = (messy(tmp_path, case, LATER, edit)).resolve()
    with pytest.raises(ValueError) as held:
        stream_fit(gs.from_csv(path, "label", block_size=1 << 10), d=2 if case != "model" else 3)
    said = "fit:" if case == "model" else "from_csv:"  # (the model's error is fit's own)
    assert str(held.value).startswith(said) and open_files(path) == []


def test_a_whole_number_target_that_turns_fractional(tmp_path):
    """A loss on numbers reads the target as float throughout (whole numbers in the first
    block, 2.5 later); for class labels 2.5 is an error naming its line."""
    pytest.importorskip("pyarrow")
    rows = ["a,t"] + [f"{i / 10},{i % 7}" for i in range(300)]
    rows[251] = "1.0,2.5"
    (tmp_path / "t.csv").write_text("\n".join(rows) + "\n")
    src = gs.from_csv(tmp_path / "t.csv", "t", labels=False, block_size=1 << 10)
    y = np.concatenate([c[1] for c in src.chunks()])
    assert y[250] == 2.5 and y[:250].tolist() == [i % 7 for i in range(250)]
    with pytest.raises(ValueError, match="line 252: column 't' holds '2.5' where its first rows"):
        gs.from_csv(tmp_path / "t.csv", "t", block_size=1 << 10)


@pytest.mark.parametrize("shuffle", [False, True])
def test_chunks_that_differ_in_layout_are_named_and_empty_ones_skipped(shuffle):
    X, y = data()
    chunks = [(X[s : s + 10], y[s : s + 10]) for s in range(0, len(X), 10)]
    empty = (X[:0], y[:0])
    got, h = stream_fit([empty, *chunks[:3], empty, *chunks[3:]], shuffle=shuffle, seed=0)
    assert h.samples_seen == 3 * len(X)
    if not shuffle:
        np.testing.assert_allclose(got, reference(X, y), rtol=0, atol=1e-12)
    onehot = (X[50:60], np.eye(2)[y[50:60]])
    with pytest.raises(
        ValueError, match=r"chunk 5 .* y of shape \(10, 2\) where chunk 0 has y of shape \(rows,\)"
    ):
        stream_fit([*chunks[:5], onehot, *chunks[6:]], shuffle=shuffle)
    weighted = (*chunks[5], np.ones(10))
    with pytest.raises(ValueError, match=r"chunk 5 .* has sample weights and chunk 0 has none"):
        stream_fit([*chunks[:5], weighted, *chunks[6:]], shuffle=shuffle)


def test_parquet_category_columns(tmp_path):
    """pandas category columns (Parquet dictionary arrays) as features and as the target."""
    pytest.importorskip("pyarrow")
    pd = pytest.importorskip("pandas")
    df = table()
    df["color"] = pd.Categorical(df.color)
    df["label"] = pd.Categorical(df.label)
    df.to_parquet(tmp_path / "t.parquet")
    src = gs.from_parquet(tmp_path / "t.parquet", "label", batch_rows=20, dtype=np.float64)
    assert src.columns.categories == {"color": ["blue", "green", "red"]}
    X, y = expected(df.astype({"color": str, "label": str}), False)
    streamed = [c for c in src.chunks()]
    np.testing.assert_array_equal(np.concatenate([c[0] for c in streamed]), X[:, [0, 2, 3, 4, 1]])
    np.testing.assert_array_equal(np.concatenate([c[1] for c in streamed]), y)


def test_an_empty_parquet_file_is_named(tmp_path):
    pytest.importorskip("pyarrow")
    pd = pytest.importorskip("pandas")
    pd.DataFrame({"a": np.zeros(0), "label": np.zeros(0)}).to_parquet(tmp_path / "e.parquet")
    with pytest.raises(ValueError, match="e.parquet' has no rows to train on"):
        gs.from_parquet(tmp_path / "e.parquet", "label")


def test_chunk_sizes_are_checked(tmp_path):
    X, y = data()
    for bad in (0, 2.5, True):
        with pytest.raises(
            ValueError, match="'chunk_rows' parameter of from_arrays must be an int"
        ):
            gs.from_arrays(X, y, chunk_rows=bad)
    pytest.importorskip("pyarrow")
    (tmp_path / "t.csv").write_text("a,label\n1,x\n")
    with pytest.raises(ValueError, match="'block_size' parameter of from_csv must be an int"):
        gs.from_csv(tmp_path / "t.csv", "label", block_size=0)
    with pytest.raises(ValueError, match="'batch_rows' parameter of from_parquet must be an int"):
        gs.from_parquet(tmp_path / "t.parquet", "label", batch_rows=0)


@pytest.mark.parametrize("row", [FIRST, LATER])
def test_a_stray_quote_is_an_error_naming_its_line_not_rows_run_together(tmp_path, row):
    """A quote never closed took the lines after it into one cell (up to the next quote):
    rows lost and a category such as 'x\\n0.12,-0.3,y\\n...' trained on, silently."""
    pytest.importorskip("pyarrow")

    def edit(line):
        return line.rsplit(",", 1)[0] + ',"x'

    path = messy(tmp_path, "stray", row, edit)
    lines = path.read_text().splitlines()
    lines[row + 6] = lines[row + 6] + '"'  # (the quote that closes the cell, 5 lines on)
    path.write_text("\n".join(lines) + "\n")
    what = r"column 'label' holds a cell that runs on across lines \('x\\n.*close or remove"
    with pytest.raises(ValueError, match=rf"'{path}' line {row + 2}: {what}"):
        stream_fit(gs.from_csv(path, "label", block_size=1 << 10), d=2)


def test_a_long_cell_does_not_hide_the_line_of_a_later_error(tmp_path):
    """The line of a bad row is found by reading the file again with Python's csv module,
    whose 131,072-character cell limit made a 200,000-character cell a csv.Error there."""
    pytest.importorskip("pyarrow")
    lines = ["a,note,label"] + [f"{i / 10},{'x' * (200_000 if i == 3 else 5)},y" for i in range(40)]
    lines[21] += ",7"
    path = tmp_path / "long.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=rf"'{path}' line 22 has 4 cells where the header"):
        stream_fit(gs.from_csv(path, "label", block_size=1 << 16), d=2)


def test_a_shuffle_buffer_far_above_the_data_allocates_what_the_data_needs():
    """buffer_size=10**12 allocated 10**12 rows up front (a MemoryError for 103 rows): the
    buffer grows as it fills, and shuffles as a buffer of any size above the rows does."""
    X, y = data()
    chunks = [(X[s : s + 10], y[s : s + 10]) for s in range(0, len(X), 10)]
    huge, _ = stream_fit(gs.from_chunks(chunks, buffer_size=10**12), shuffle=True, seed=4)
    some, _ = stream_fit(gs.from_chunks(chunks, buffer_size=1000), shuffle=True, seed=4)
    np.testing.assert_array_equal(huge, some)


@pytest.mark.parametrize(
    "values, kind",
    [
        ([datetime.datetime(2024, 1, 1, h) for h in range(6)], "timestamp"),
        ([datetime.date(2024, 1, d) for d in range(1, 7)], "date32"),
        ([decimal.Decimal("1.25")] * 6, "decimal128"),
        ([[1.0, 2.0]] * 6, "list<"),
    ],
)
def test_parquet_columns_of_other_types_are_refused_by_name(tmp_path, values, kind):
    """A timestamp trained as microseconds since 1970, a date as days; a decimal or a list
    column failed inside pyarrow or numpy."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path = tmp_path / "t.parquet"
    table = {"a": pa.array(np.arange(6.0)), "c": pa.array(values), "label": pa.array([0, 1] * 3)}
    pq.write_table(pa.table(table), path)
    with pytest.raises(ValueError, match=rf"column 'c' of .*t.parquet' is of type {kind}.*Conv"):
        gs.from_parquet(path, "label")


def test_a_csv_date_column_is_text_as_the_in_memory_reader_reads_it(tmp_path):
    """pyarrow read 2024-01-01 as date32: the stream trained on days since 1970 where
    read_csv (and a model file's preprocessing) one-hot encodes the dates."""
    pytest.importorskip("pyarrow")
    from glassnet.datasets import read_csv

    path = tmp_path / "t.csv"
    path.write_text("a,when,label\n1.5,2024-01-02,0\n2,2024-01-01,1\n3,2024-01-02,0\n")
    cols = gs.from_csv(path, "label").columns
    assert cols.kinds == {"a": "numeric", "when": "categorical"}
    assert read_csv(path).kinds["when"] == "categorical"
    assert cols.categories == {"when": ["2024-01-01", "2024-01-02"]}
    X, y, _ = next(gs.from_csv(path, "label").chunks())
    np.testing.assert_array_equal(X, [[1.5, 0, 1], [2, 1, 0], [3, 0, 1]])


def test_an_unreadable_parquet_file_is_named(tmp_path):
    pytest.importorskip("pyarrow")
    path = tmp_path / "empty.parquet"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match=r"'.*empty.parquet' is not a Parquet file .*0 bytes"):
        gs.from_parquet(path, "label")


def test_file_stream_arguments_are_checked_before_the_file_is_read(tmp_path):
    """standardize="no" standardized, dtype=np.int32 truncated the standardized values,
    delimiter=",," and a path 3 failed inside pyarrow and pathlib."""
    pytest.importorskip("pyarrow")
    path = tmp_path / "t.csv"
    path.write_text("a,label\n1.5,0\n2,1\n")
    for kw, match in [
        ({"standardize": "no"}, r"'standardize' parameter of from_csv must be a bool.*'no'"),
        ({"labels": "yes"}, r"'labels' parameter of from_csv must be a bool.*'yes'"),
        ({"dtype": np.int32}, r"'dtype' parameter of from_csv must be a floating dtype"),
        ({"dtype": "banana"}, r"'dtype' parameter of from_csv .*Got 'banana'"),
        ({"delimiter": ",,"}, r"'delimiter' parameter of from_csv must be one character"),
    ]:
        with pytest.raises((TypeError, ValueError), match=match):
            gs.from_csv(path, "label", **kw)
    with pytest.raises(TypeError, match=r"'target' parameter of from_parquet .*Got int 2\."):
        gs.from_parquet(path, 2)
    with pytest.raises(TypeError, match=r"from_csv: a file to read must be a path.*Got int 3\."):
        gs.from_csv(3, "label")
    X, y, _ = next(gs.from_csv(path, "label", standardize=True, dtype=np.float64).chunks())
    np.testing.assert_array_equal(X.ravel(), [-1.0, 1.0])


def test_from_arrays_names_a_1d_x():
    with pytest.raises(ValueError, match=r"X of from_arrays must be 2-D.*Got shape \(5,\)"):
        gs.from_arrays(np.arange(5.0), np.arange(5))


def test_a_line_longer_than_block_size_is_named_not_called_empty(tmp_path):
    """pyarrow read a header longer than block_size as an empty file ("is empty"), and a
    longer row as "straddling object straddles two block boundaries"."""
    pytest.importorskip("pyarrow")
    path = tmp_path / "t.csv"
    path.write_text("a,b,label\n1,x,0\n2," + "y" * 40 + ",1\n")
    for block_size in (4, 12):
        with pytest.raises(ValueError, match=rf"line longer than block_size \({block_size} by"):
            list(gs.from_csv(path, "label", block_size=block_size).chunks())
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n")
    with pytest.raises(ValueError, match=r"empty.csv' is empty"):
        gs.from_csv(empty, "label", block_size=1)
    assert gs.from_csv(path, "label", block_size=64).columns.rows == 2


@pytest.mark.parametrize(
    "name, header, mark, expected",
    [
        ("a.csv", "a,b,label", ".", ","),
        ("a.csv", "a;b;label", ".", ";"),
        ("a.csv", "a|b|label", ".", "|"),
        ("a.csv", "a\tb\tlabel", ".", "\t"),
        ("a.tsv", "a\tb\tlabel", ".", "\t"),
        ("a.csv", "a;b;label", ",", ";"),
        ("a.csv", "a,b,label", ",", ","),  # (the decimal mark is its delimiter: from_csv says so)
        ("a.csv", '"x;y"', ".", ";"),  # one quoted column under ',' or ';' (';' as sniffed)
        ("a.csv", "\ufeff\n\n  a;b;label", ".", ";"),  # a BOM, blank lines first
        ("a.csv", "label", ".", ","),
    ],
)
def test_csv_delimiter_reads_the_header_row(tmp_path, name, header, mark, expected):
    """from_csv read every file but a .tsv with commas: a ';' file (a European spreadsheet's
    export) was one column, where the in-memory reader sniffs ';'."""
    path = tmp_path / name
    path.write_text(header + "\n1,5;2;x\n", encoding="utf-8")
    assert gs.csv_delimiter(path, mark) == expected
    # as the in-memory reader sniffs it (the decimal mark there is refused by both)
    sample = path.read_text(encoding="utf-8-sig")
    assert expected == (gs.sniff_delimiter(sample, mark) or mark)


def test_fit_streams_a_semicolon_file_with_decimal_commas(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 2))
    y = (X[:, 0] > 0).astype(int)
    semi, plain = tmp_path / "semi.csv", tmp_path / "plain.csv"
    semi.write_text(
        "a;b;y\n" + "".join(f"{a:.4f};{b:.4f};{t}\n".replace(".", ",") for (a, b), t in zip(X, y))
    )
    plain.write_text("a,b,y\n" + "".join(f"{a:.4f},{b:.4f},{t}\n" for (a, b), t in zip(X, y)))
    weights = []
    for path, mark in ((semi, ","), (plain, ".")):
        model = nn.MLP([2, 4, 1], output_activation="sigmoid", rng=0)
        src = gs.from_csv(path, "y", decimal=mark)
        fit(model, src, None, loss="binary_cross_entropy", epochs=2, batch_size=32, seed=0,
            verbose=0)  # fmt: skip
        weights.append([p.data.copy() for p in model.parameters()])
    for a, b in zip(*weights):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("mark", ["x", "n", "a", "i", "f", "e", "E", "5", "é"])
def test_a_letter_or_digit_is_no_decimal_mark(tmp_path, mark):
    """decimal='x' read 1x5 as 1.5, and 'n', 'a', 'i' or 'f' would change how nan and inf
    read (as_point swaps the mark and '.'): letters are refused as digits were."""
    with pytest.raises(ValueError, match="'decimal' parameter of from_csv must be one char"):
        gs.check_decimal(mark, "from_csv")
    assert gs.check_decimal("·", "from_csv") == "·"  # (a middle dot is a decimal mark)


def test_from_chunks_names_itself_in_a_bad_buffer_size():
    with pytest.raises(ValueError, match="'buffer_size' parameter of from_chunks"):
        gs.from_chunks([(np.zeros((2, 2)), np.zeros(2))], buffer_size=0)


def test_decimal_commas_in_a_semicolon_file_read_without_decimal_are_refused(tmp_path):
    """from_csv of a ';' file of decimal commas without decimal=',' one-hot encoded every
    number (584 features from 3 columns) without a word; the command line refused it."""
    path = tmp_path / "euro.csv"
    rng = np.random.default_rng(0)
    rows = [f"{a:.3f};{b:.3f};{'yes' if a > 0 else 'no'}".replace(".", ",")
            for a, b in rng.standard_normal((50, 2))]  # fmt: skip
    path.write_text("x1;x2;label\n" + "\n".join(rows) + "\n")
    with pytest.raises(
        ValueError, match=r"column 'x1' .* written with a comma .* pass decimal=','"
    ):
        gs.from_csv(path, "label")
    assert gs.from_csv(path, "label", decimal=",").columns.numeric == ["x1", "x2"]


def test_a_spreadsheets_sep_line_is_named(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("sep=;\na;b;y\n1;2;0\n3;4;1\n")
    with pytest.raises(ValueError, match=r"starts with a spreadsheet's 'sep=;' line"):
        gs.from_csv(path, "y")


@pytest.mark.parametrize(
    "cells", [["3,50", "2", "4,75", "1,25"], ["1.003,50", "2,00", "7", "12,5"]]
)
def test_mixed_european_number_columns_are_refused_too(tmp_path, cells):
    """A column of decimal commas with a whole number among them (or thousands points) was
    one-hot encoded in silence: only columns of nothing but d,d cells were caught."""
    path = tmp_path / "p.csv"
    rows = [f"{c};{k % 2}" for k, c in enumerate(cells * 5)]
    path.write_text("price;y\n" + "\n".join(rows) + "\n")
    with pytest.raises(ValueError, match=r"column 'price' .* written with a comma"):
        gs.from_csv(path, "y")


def test_a_sep_line_after_a_byte_order_mark_is_named(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes("\ufeffsep=;\na;b;y\n1;2;0\n3;4;1\n".encode())
    with pytest.raises(ValueError, match=r"starts with a spreadsheet's 'sep=;' line"):
        gs.from_csv(path, "y")
