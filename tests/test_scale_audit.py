"""A practitioner's review of the modules past one machine (fit_many, streams, MPI, files):
each test is a case where they did otherwise than glassnet.fit or than their documents say."""

from __future__ import annotations

import os

import numpy as np
import pytest

from glassnet import nn, stream
from glassnet.many import fit_many
from glassnet.train import fit


def _bce_data(n=50, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, (X[:, 0] > 0).astype(float)


def _net(seed):
    return nn.MLP(
        [3, 5, 1], activation="tanh", output_activation="sigmoid", rng=seed, dtype=np.float64
    )


def _flat(m):
    return np.concatenate([p.data.ravel() for p in m.parameters()])


def test_fit_many_takes_a_batch_size_fit_takes_once_the_validation_rows_are_held_out():
    # 100 rows, 20 held out: a batch of 90 is full-batch training on the 80 left, as in fit
    # (fit_many refused it: "larger than the number of training samples (80)")
    X, y = _bce_data(100)
    kw = dict(
        loss="binary_cross_entropy", lr=0.5, epochs=3, batch_size=90, seed=1, validation_split=0.2
    )
    alone = _net(0)
    h = fit(alone, X, y, verbose=0, engine="fused", **kw)
    stacked = _net(0)
    (hm,) = fit_many([stacked], X, y, **kw)
    np.testing.assert_array_equal(_flat(stacked), _flat(alone))
    assert (hm.loss, hm.val_loss, hm.steps) == (h.loss, h.val_loss, h.steps)
    with pytest.raises(
        ValueError,
        match=r"'batch_size' parameter of fit_many \(101\) is larger "
        r"than the number of training samples \(100\)",
    ):
        fit_many([_net(0)], X, y, loss="binary_cross_entropy", batch_size=101, validation_split=0.2)


@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("batch_size", [None, 10])
def test_fit_many_names_max_steps_as_fit_does_when_a_tolerance_stops_the_same_epoch(
    early_stopping, batch_size
):
    # the tolerance rule and max_steps both end epoch 3: fit says "max_steps", and so does
    # each network of fit_many (it said "tol" or "early_stopping")
    X, y = _bce_data()
    kw = dict(
        loss="binary_cross_entropy",
        lr=0.1,
        epochs=15,
        batch_size=batch_size,
        tol=10.0,
        n_iter_no_change=2,
        max_steps=3 if batch_size is None else 15,
        seed=0,
        early_stopping=early_stopping,
    )
    h = fit(_net(0), X, y, verbose=0, engine="fused", **kw)
    hs = fit_many([_net(0), _net(1)], X, y, **kw)
    assert h.stop_reason == "max_steps"
    assert [(g.stop_reason, g.epochs) for g in hs] == [("max_steps", 3)] * 2


def test_a_stream_whose_sample_weights_are_all_zero_is_refused_as_arrays_are():
    # fit on arrays refuses weights all 0 (nothing to train on); a stream of such chunks
    # trained every epoch on a loss of 0 and returned as if it had learned
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    y = (X[:, 0] > 0).astype(float)
    chunks = [(X[:12], y[:12], np.zeros(12)), (X[12:], y[12:], np.zeros(8))]
    m = _net(0)
    before = _flat(m)
    with pytest.raises(ValueError, match=r"every sample_weight of the stream is 0 \(20 rows\)"):
        fit(m, chunks, None, loss="binary_cross_entropy", batch_size=5, epochs=3, verbose=0)
    np.testing.assert_array_equal(_flat(m), before)
    # a chunk of zeros among weighted ones trains, as before
    chunks[1] = (X[12:], y[12:], np.ones(8))
    h = fit(_net(0), chunks, None, loss="binary_cross_entropy", batch_size=5, epochs=2, verbose=0)
    assert h.steps == 8 and h.loss[-1] > 0


def test_a_copy_on_write_memmap_trains_on_its_own_values_not_the_file_s(tmp_path):
    # np.load(..., mmap_mode="c") scaled in place keeps its changes in memory: the stream
    # mapped the file again for each chunk and trained on the unscaled values
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    y = (X[:, 0] > 0).astype(float)
    np.save(tmp_path / "X.npy", X)
    Xc = np.load(tmp_path / "X.npy", mmap_mode="c")
    Xc *= 10.0
    got = np.concatenate([c[0] for c in stream.from_arrays(Xc, y, chunk_rows=7).chunks()])
    np.testing.assert_array_equal(got, X * 10.0)
    kw = dict(loss="binary_cross_entropy", batch_size=6, epochs=2, shuffle=False, verbose=0)
    streamed, alone = _net(0), _net(0)
    fit(streamed, Xc, y, **kw)
    fit(alone, X * 10.0, y, **kw)
    np.testing.assert_array_equal(_flat(streamed), _flat(alone))


@pytest.mark.parametrize("chunks", [5, None, 2.5])
def test_from_chunks_names_a_source_that_is_no_chunks(chunks):
    # it was Python's own "TypeError: 'int' object is not iterable"
    with pytest.raises(TypeError, match=r"'chunks' parameter of from_chunks must be a list of "):
        stream.from_chunks(chunks)


@pytest.mark.parametrize(
    "header, names",
    [("a,a,y", "['a']"), ("a , a,y", "['a']"), ("a,y,y", "['y']")],
)
def test_a_csv_header_that_repeats_a_name_is_named_not_a_pyarrow_key_error(tmp_path, header, names):
    # it was pyarrow's KeyError: 'Field "a" exists 2 times in schema'
    path = tmp_path / "dup.csv"
    path.write_text(header + "\n1,2,0\n3,4,1\n")
    with pytest.raises(ValueError, match=rf"columns of '.*dup.csv' repeat the names \{names}"):
        stream.from_csv(path, "y")


def test_a_parquet_file_that_repeats_a_column_name_is_named(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.Table.from_arrays(
        [pa.array([1.0, 2.0]), pa.array([3.0, 4.0]), pa.array([0, 1])], names=["a", "a", "y"]
    )
    pq.write_table(table, tmp_path / "dup.parquet")
    with pytest.raises(ValueError, match=r"repeat the names \['a'\]"):
        fit(nn.MLP([2, 2], rng=0), str(tmp_path / "dup.parquet"), "y", batch_size=1, verbose=0)


def test_a_csv_column_without_a_name_is_named_as_the_in_memory_reader_names_it(tmp_path):
    # a column named "" trained as a feature called '' (or, empty, was "column '' has a
    # missing value"); the in-memory reader refuses a name missing inside the header
    path = tmp_path / "unnamed.csv"
    path.write_text("a,,y\n1,2,0\n3,4,1\n")
    with pytest.raises(ValueError, match=r"has no name for column\(s\) \[2\]"):
        stream.from_csv(path, "y")


def test_an_empty_unnamed_last_column_is_left_out_as_in_memory(tmp_path):
    # a delimiter ending every line (a spreadsheet's export): the in-memory reader leaves
    # the empty, unnamed last column out, and so does the stream (it refused the file)
    path = tmp_path / "trailing.csv"
    path.write_text("a,b,y,\n1,2,0,\n3,4,1,\n")
    src = stream.from_csv(path, "y")
    assert src.columns.features == ["a", "b"]
    X = np.concatenate([c[0] for c in src.chunks()])
    assert X.tolist() == [[1.0, 2.0], [3.0, 4.0]]


def _chunks_of(X, y, size=5):
    return [(X[i : i + size], y[i : i + size]) for i in range(0, len(X), size)]


def test_fit_takes_a_function_returning_chunks_as_docs_scaling_md_shows():
    # fit(model, chunks_function, None) was "X must be numeric. Got dtype object"
    X, y = _bce_data(20)
    chunks = _chunks_of(X, y)
    kw = dict(loss="binary_cross_entropy", batch_size=5, epochs=3, seed=0, verbose=0)
    from_list, from_function = _net(0), _net(0)
    fit(from_list, chunks, None, **kw)
    h = fit(from_function, lambda: iter(chunks), None, **kw)
    assert h.steps == 12
    np.testing.assert_array_equal(_flat(from_function), _flat(from_list))


@pytest.mark.parametrize("kind", ["generator", "list iterator"])
def test_a_function_returning_the_same_iterator_each_call_is_refused_before_training(kind):
    # every epoch trained on nothing (loss 0.0, steps 0, "max_epochs"), or epoch 1 on all
    # but the chunk fit looked at first and the later epochs on nothing
    X, y = _bce_data(20)
    chunks = _chunks_of(X, y)
    it = (c for c in chunks) if kind == "generator" else iter(chunks)
    m = _net(0)
    before = _flat(m)
    with pytest.raises(ValueError, match=r"must return a fresh iterator on each call"):
        fit(m, lambda: it, None, loss="binary_cross_entropy", batch_size=5, epochs=3, verbose=0)
    np.testing.assert_array_equal(_flat(m), before)


def test_a_function_whose_later_iterators_are_empty_is_an_error_not_epochs_of_loss_0():
    X, y = _bce_data(20)
    chunks = _chunks_of(X, y)
    calls = []

    def source():
        calls.append(1)
        return iter(chunks if len(calls) <= 2 else [])  # fit's look, then one epoch

    with pytest.raises(ValueError, match=r"gave no new rows for this pass"):
        fit(_net(0), source, None, loss="binary_cross_entropy", batch_size=5, epochs=3, verbose=0)


@pytest.mark.parametrize("source", ["chunks", "path", "Stream"])
def test_fit_many_names_a_stream_it_cannot_train_on(tmp_path, source):
    # chunks were "X could not be read as an array (... inhomogeneous shape ...)", a path
    # "X must be numeric. It holds text"
    X, y = _bce_data(20)
    path = tmp_path / "d.csv"
    path.write_text("a,b,c,y\n" + "".join(f"{a},{b},{c},{int(t)}\n" for (a, b, c), t in zip(X, y)))
    args = {
        "chunks": ([(X, y)], None),
        "path": (str(path), "y"),
        "Stream": (stream.from_chunks([(X, y)]), None),
    }[source]
    with pytest.raises(TypeError, match=r"fit_many trains on arrays held in memory, X and y; "):
        fit_many([_net(0)], *args, loss="binary_cross_entropy")


def test_a_standardized_float32_stream_scales_in_float64_as_the_model_file_s_preprocessor(
    tmp_path,
):
    # a column 1e6 + 0.01 z was cast to float32 before its mean was taken off: what was left
    # of z was the float32 spacing at 1e6 (0.06), the values up to 2.5 standard deviations
    # off those predict's Preprocessor gives the model
    pytest.importorskip("pyarrow")
    from glassnet.datasets import read_csv
    from glassnet.preprocessing import Preprocessor

    rng = np.random.default_rng(0)
    a, b = 1e6 + 0.01 * rng.normal(size=200), rng.normal(size=200)
    path = tmp_path / "offset.csv"
    rows = "".join(f"{float(u)!r},{float(v)!r},{int(v > 0)}\n" for u, v in zip(a, b))
    path.write_text("a,b,y\n" + rows)
    src = stream.from_csv(path, "y", standardize=True, dtype=np.float32)
    streamed = np.concatenate([c[0] for c in src.chunks()])
    pre = Preprocessor.from_dict(src.columns.preprocessor_dict())
    expected = pre.transform(read_csv(path, "y")).astype(np.float32)
    np.testing.assert_array_equal(streamed, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_fit_many_scores_each_network_s_validation_loss_bit_for_bit_as_fit(dtype, loss):
    # the mean was sum / n where fit's score takes sum * (1 / n): 1e-16 apart, enough to
    # tip an early-stopping comparison one way in fit_many and the other in fit
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = np.digitize(X[:, 0], [-0.5, 0.5]) if loss == "cross_entropy" else X[:, :2] * 2
    out, head = (3, "softmax") if loss == "cross_entropy" else (2, "identity")

    def net(s):
        return nn.MLP([3, 5, out], activation="relu", output_activation=head, rng=s, dtype=dtype)

    kw = dict(loss=loss, lr=0.05, epochs=8, batch_size=8, validation_split=0.25, seed=4)
    hs = fit_many([net(k) for k in range(4)], X, y, **kw)
    for k in range(4):
        h = fit(net(k), X, y, verbose=0, engine="fused", **kw)
        assert hs[k].val_loss == h.val_loss
        assert hs[k].val_metric == h.val_metric


def test_search_takes_a_batch_size_fit_takes_beside_a_validation_split():
    # search holds out 0.2 of 50 rows; a batch of 50 was refused by fit_many, "larger than
    # the number of training samples (40)", where fit(validation_split=0.2) takes it
    from glassnet.many import search

    X, y = _bce_data(50)
    kw = dict(loss="binary_cross_entropy", epochs=2, lr=0.5)
    whole = search(lambda p: _net(p["seed"]), X, y, {"seed": [0, 1]}, batch_size=50, **kw)
    full = search(lambda p: _net(p["seed"]), X, y, {"seed": [0, 1]}, **kw)
    assert [h.steps for h in whole.histories] == [2, 2]
    for a, b in zip(whole.models, full.models):
        np.testing.assert_array_equal(_flat(a), _flat(b))
    with pytest.raises(ValueError, match=r"'batch_size' parameter of search \(51\) is larger"):
        search(lambda p: _net(p["seed"]), X, y, {"seed": [0]}, batch_size=51, **kw)


@pytest.mark.parametrize("data", [123, None, ["a"]])
def test_atomic_write_names_data_that_is_neither_bytes_nor_str(tmp_path, data):
    # it was Python's "a bytes-like object is required, not 'int'" from inside the write
    from glassnet.files import atomic_write

    with pytest.raises(TypeError, match=r"'data' parameter of atomic_write must be bytes or str"):
        atomic_write(tmp_path / "out.bin", data)
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_calls_an_empty_path_empty_not_the_directory_dot():
    from glassnet.files import WriteError, atomic_write

    with pytest.raises(WriteError, match=r"cannot write '': the path is empty"):
        atomic_write("", b"x")


def test_a_memmap_of_a_file_without_a_name_streams():
    # np.memmap(tempfile.TemporaryFile(), ...) has no filename: the stream mapped "None"
    # again ("expected str, bytes or os.PathLike object, not NoneType")
    import tempfile

    X, y = _bce_data(20)
    with tempfile.TemporaryFile() as f:
        Xm = np.memmap(f, np.float64, "w+", shape=X.shape)
        Xm[:] = X
        kw = dict(loss="binary_cross_entropy", batch_size=5, epochs=2, shuffle=False, verbose=0)
        streamed, alone = _net(0), _net(0)
        assert fit(streamed, Xm, y, **kw).steps == 8
        fit(alone, X, y, **kw)
        np.testing.assert_array_equal(_flat(streamed), _flat(alone))
        del Xm


def test_a_memmap_given_without_a_batch_size_is_told_it_is_streamed(tmp_path):
    # "fit on a stream needs a batch_size": a memmap's user did not know fit streams it
    X, y = _bce_data(20)
    np.save(tmp_path / "X.npy", X)
    Xm = np.load(tmp_path / "X.npy", mmap_mode="r")
    with pytest.raises(ValueError, match=r"a memmap .* np\.asarray\(X\)"):
        fit(_net(0), Xm, y, loss="binary_cross_entropy", validation_split=0.2, verbose=0)


def test_atomic_write_leaves_a_user_s_old_hidden_backup_beside_its_target(tmp_path):
    # ".out.bin.backup.tmp", two hours old, was taken for a temporary of an older glassnet
    # (any 6 or more letters) and deleted by the next write to out.bin
    import os
    import time

    from glassnet.files import atomic_write

    mine = tmp_path / ".out.bin.backup.tmp"
    mine.write_text("keep me")
    stale = tmp_path / ".out.bin.zyxw_123.tmp"  # tempfile's 8 characters: an old temporary
    stale.write_text("")
    # (two days old: an untagged temporary may be another machine's, removed after a day)
    two_days_ago = time.time() - 2 * 86400
    for p in (mine, stale):
        os.utime(p, (two_days_ago, two_days_ago))
    atomic_write(tmp_path / "out.bin", b"x")
    assert mine.read_text() == "keep me"
    assert not stale.exists()


def test_a_memmap_streams_its_own_rows_after_its_file_is_replaced_or_deleted(tmp_path):
    # the stream mapped the file again by its name for every chunk: a file replaced since
    # np.load (a new X.npy written over it) gave the new file's rows, a deleted one a
    # FileNotFoundError
    X, y = _bce_data(30)
    np.save(tmp_path / "X.npy", X)
    Xm = np.load(tmp_path / "X.npy", mmap_mode="r")
    np.save(tmp_path / "new.npy", X * 100)
    os.replace(tmp_path / "new.npy", tmp_path / "X.npy")
    src = stream.from_arrays(Xm, y, chunk_rows=7)
    np.testing.assert_array_equal(np.concatenate([c[0] for c in src.chunks()]), X)
    os.remove(tmp_path / "X.npy")
    np.testing.assert_array_equal(np.concatenate([c[0] for c in src.chunks()]), X)


def _rss_file_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("RssFile:"):
                return int(line.split()[1]) / 1024
    return None


def test_a_memmap_s_pages_do_not_pile_up_in_the_process_while_it_streams(tmp_path):
    if not os.path.exists("/proc/self/status") or _rss_file_mb() is None:
        pytest.skip("RssFile is read from Linux's /proc/self/status")
    rows, cols = 100_000, 256  # 100 MB of float32
    m = np.lib.format.open_memmap(tmp_path / "X.npy", "w+", np.float32, (rows, cols))
    for s in range(0, rows, 25_000):
        m[s : s + 25_000] = 1.0
    m.flush()
    del m
    Xm = np.load(tmp_path / "X.npy", mmap_mode="r")
    before = _rss_file_mb()
    total = 0.0
    for X, _, _ in stream.from_arrays(Xm, np.zeros(rows), chunk_rows=10_000).chunks():
        total += float(X[:, 0].sum())
    assert total == rows
    assert _rss_file_mb() - before < 30  # one chunk is 10 MB; all of them, 100 MB


def test_without_madvise_a_memmap_is_read_through_a_mapping_of_each_chunk(tmp_path, monkeypatch):
    # (Windows has no madvise: there the rows are read as before, a mapping per chunk)
    import mmap

    X, y = _bce_data(20)
    np.save(tmp_path / "X.npy", X)
    Xm = np.load(tmp_path / "X.npy", mmap_mode="r")
    monkeypatch.delattr(mmap, "MADV_DONTNEED", raising=False)
    got = np.concatenate([c[0] for c in stream.from_arrays(Xm, y, chunk_rows=7).chunks()])
    np.testing.assert_array_equal(got, X)


def test_a_soft_bce_target_streamed_from_a_csv_trains_as_in_memory(tmp_path):
    """fit(path, target, loss='binary_cross_entropy') read a float target of 0.1/0.9 as the
    class labels 0/1 and trained on hard labels, where the arrays train on 0.1/0.9."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 2))
    t = np.where(X[:, 0] > 0, 0.9, 0.1)
    path = tmp_path / "soft.csv"
    rows = "".join(f"{float(a)!r},{float(b)!r},{float(c)!r}\n" for (a, b), c in zip(X, t))
    path.write_text("a,b,t\n" + rows)
    kw = dict(loss="binary_cross_entropy", batch_size=64, epochs=3, verbose=0, shuffle=False)
    nets = [nn.MLP([2, 3, 1], output_activation="sigmoid", rng=0, dtype="float64") for _ in "ab"]
    streamed = fit(nets[0], str(path), "t", **kw)
    in_memory = fit(nets[1], X, t, **kw)
    assert streamed.loss == in_memory.loss
    for p, q in zip(nets[0].parameters(), nets[1].parameters()):
        np.testing.assert_array_equal(p.data, q.data)


@pytest.mark.parametrize("kind", ["generator", "zip", "Stream"])
@pytest.mark.parametrize(
    ("bad", "says"),
    [({"batch_size": 0}, "'batch_size' parameter"), ({"optimizer": "nope"}, "nope")],
)
def test_a_one_shot_iterator_keeps_the_chunk_a_refused_fit_looked_at(kind, bad, says):
    # fit reads the first chunk, then refuses an argument checked after it: the same
    # iterator given again trained on all rows but that chunk (45 of 50), and a Stream held
    # over it was "training needs it again (epochs > 1)" with epochs=1
    X, y = _bce_data()
    chunks = _chunks_of(X, y, size=10)
    src = {
        "generator": lambda: (c for c in chunks),
        "zip": lambda: zip([c[0] for c in chunks], [c[1] for c in chunks]),
        "Stream": lambda: stream.from_chunks(c for c in chunks),
    }[kind]()
    kw = dict(loss="binary_cross_entropy", batch_size=10, epochs=1, verbose=0, shuffle=False)
    for _ in range(2):  # refused twice: the look is kept again
        with pytest.raises(ValueError, match=says):
            fit(_net(0), src, None, **{**kw, **bad})
    once, whole = _net(0), _net(0)
    h = fit(once, src, None, **kw)
    fit(whole, X, y, **kw)
    assert h.samples_seen == len(X)
    np.testing.assert_array_equal(_flat(once), _flat(whole))


def test_a_one_shot_iterator_whose_first_chunk_is_empty_trains():
    # fit's look skips the empty chunk and reads the next: the training pass was refused
    # with "training needs it again (epochs > 1)", epochs=1
    X, y = _bce_data()
    chunks = [(X[:0], y[:0]), *_chunks_of(X, y, size=10)]
    kw = dict(loss="binary_cross_entropy", batch_size=10, epochs=1, verbose=0, shuffle=False)
    once, whole = _net(0), _net(0)
    h = fit(once, (c for c in chunks), None, **kw)
    fit(whole, X, y, **kw)
    assert h.samples_seen == len(X)
    np.testing.assert_array_equal(_flat(once), _flat(whole))


def test_a_stream_over_an_iterator_read_by_a_fit_names_that_on_the_next():
    X, y = _bce_data()
    src = stream.from_chunks(c for c in _chunks_of(X, y, size=10))
    kw = dict(loss="binary_cross_entropy", batch_size=10, epochs=1, verbose=0)
    fit(_net(0), src, None, **kw)
    with pytest.raises(ValueError, match=r"it was read by an epoch of training: another"):
        fit(_net(0), src, None, **kw)
