"""Round 19 of the scale-out paths: Ctrl-C inside a collective, Parquet files changed
under a stream, -0.0 and 0.0 as one class, the sorted-label warning for every stream, and
the messages of streamed memmaps and Parquet rows."""

from __future__ import annotations

import signal
import sys
import textwrap

import mpi_helpers
import numpy as np
import pytest


# ---------------------------------------------------------------- 1. Ctrl-C in a collective
class _Posted:
    """A communicator of one rank that keeps what its rank posted (rank 1's part)."""

    def __init__(self):
        self.posted = []

    def Allreduce(self, sendbuf, buf, op=None):
        self.posted.append(buf.copy())

    def Iallreduce(self, sendbuf, buf, op=None):
        self.Allreduce(sendbuf, buf, op)
        return self

    def Wait(self):
        return None


class _Interrupted(_Posted):
    """Rank 0's side of a 2-rank collective whose other part is ``other``, during which
    Ctrl-C arrives (the signal itself, as mpiexec forwards it): the collective has run."""

    def __init__(self, other):
        super().__init__()
        self.other = other

    def Allreduce(self, sendbuf, buf, op=None):
        self.posted.append(buf.copy())
        buf += self.other
        signal.raise_signal(signal.SIGINT)


def _rank(comm, rank=0):
    mpi = pytest.importorskip("mpi4py.MPI")
    from glassnet.distributed import DataParallel

    dp = DataParallel(mpi.COMM_SELF)
    dp.comm, dp.size, dp.rank, dp.root = comm, 2, rank, rank == 0
    return dp


def test_ctrl_c_inside_the_collective_where_the_other_rank_left_posts_no_more():
    # rank 1 was interrupted first: its fit returned and it posted its last collective
    rank1 = _Posted()
    _rank(rank1, 1).finish()
    (left,) = rank1.posted
    comm = _Interrupted(left)
    dp = _rank(comm)
    with pytest.raises(KeyboardInterrupt):
        dp.broadcast_int(5)
    assert dp.done  # rank 1 has left: rank 0 ends as interrupted, no collective follows
    dp.finish()
    assert len(comm.posted) == 1  # (before: a second one, which rank 1 never joins: a hang)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_inside_a_collective_every_rank_ran_is_raised_after_it():
    rank1 = _Posted()
    _rank(rank1, 1).finish()
    part = np.zeros_like(rank1.posted[0])  # (rank 1's part of rank 0's broadcast: nothing)
    comm = _Interrupted(part)
    dp = _rank(comm)
    with pytest.raises(KeyboardInterrupt):
        dp.broadcast_int(5)
    assert not dp.done  # its last collective is still to come, as the other rank's is
    comm.Allreduce = rank1.Allreduce  # (no more signals)
    dp.finish()
    assert len(comm.posted) == 1 and len(rank1.posted) == 2  # the interrupt's, then the last
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


MPI_SCRIPT = textwrap.dedent(
    """
    import signal, sys
    import numpy as np
    import glassnet as gn
    from glassnet import distributed, nn
    from glassnet.distributed import DataParallel
    from glassnet.train import fit

    distributed.install()
    from mpi4py import MPI

    rank = MPI.COMM_WORLD.Get_rank()
    steps = []
    allreduce = DataParallel._allreduce

    def interrupted_inside(self):
        # rank 0: Ctrl-C arrives as the collective of step 4 returns, the one where rank 1
        # (interrupted after step 3) posted its last collective
        allreduce(self)
        if len(steps) == 3 and not self.fixed:
            steps.append("signalled")
            signal.raise_signal(signal.SIGINT)

    class Stop(gn.Callback):
        def on_step_end(self, state, *args, **kwargs):
            steps.append(state.step)
            if rank == 1 and state.step == 3:
                raise KeyboardInterrupt

    if rank == 0:
        DataParallel._allreduce = interrupted_inside
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3))
    y = (X[:, 0] > 0).astype(np.int64)
    model = nn.MLP([3, 4, 2], output_activation="softmax", rng=0)
    h = fit(model, X, y, loss="cross_entropy", batch_size=10, epochs=3, verbose=0, seed=0,
            distributed="mpi", callbacks=[Stop()])
    print(f"rank {rank} done {h.stop_reason} {steps}", flush=True)
    """
)


def test_under_mpiexec_ctrl_c_inside_the_collective_where_the_other_rank_left_ends_both(
    tmp_path,
):
    script = tmp_path / "ctrl_c.py"
    script.write_text(MPI_SCRIPT)
    got = mpi_helpers.launch(["-n", "2", sys.executable, str(script)], tmp_path, timeout=90)
    assert got is not None, "the job hung (killed after its timeout)"
    rc, out, err = got
    assert rc == 0, err
    assert "rank 0 done interrupted [1, 2, 3, 'signalled']" in out, out
    assert "rank 1 done interrupted [1, 2, 3]" in out, out


# ---------------------------------------------------------------- 2. a Parquet file changed
def _parquet(path, n, scale=1.0):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rng = np.random.default_rng(n)
    a, b = rng.normal(size=n) * scale, rng.normal(size=n)
    table = pa.table({"a": a, "b": b, "label": (a > 0).astype(np.int64)})
    pq.write_table(table, path)


def _model():
    from glassnet import nn

    return nn.MLP([2, 4, 2], output_activation="softmax", rng=0)


def test_a_parquet_file_replaced_after_the_statistics_pass_is_refused(tmp_path):
    import os

    from glassnet import stream
    from glassnet.train import fit

    path = tmp_path / "w.parquet"
    _parquet(path, 40)
    src = stream.from_parquet(path, "label", standardize=True)
    _parquet(path, 120, scale=1000.0)  # (other rows, other means)
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    with pytest.raises(ValueError, match="changed after the statistics pass read it"):
        fit(_model(), src, None, loss="cross_entropy", batch_size=16, epochs=1, verbose=0)


def test_rows_appended_to_a_parquet_file_between_epochs_are_refused(tmp_path):
    import os

    import glassnet as gn
    from glassnet import stream
    from glassnet.train import fit

    path = tmp_path / "w.parquet"
    _parquet(path, 40)

    class Append(gn.Callback):
        def on_epoch_end(self, state, *args, **kwargs):
            _parquet(path, 45)
            st = os.stat(path)
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))

    src = stream.from_parquet(path, "label")
    with pytest.raises(ValueError, match="changed after the statistics pass read it"):
        fit(
            _model(), src, None, loss="cross_entropy", batch_size=16, epochs=3, verbose=0,
            callbacks=[Append()],
        )  # fmt: skip


# ---------------------------------------------------------------- 3. -0.0 and 0.0: one class
def test_a_target_holding_minus_zero_and_zero_streams_as_one_class(tmp_path):
    pytest.importorskip("pyarrow")
    from glassnet import nn, stream
    from glassnet.train import fit

    path = tmp_path / "negzero.csv"
    path.write_text("a,y\n1,-0.0\n2,1.0\n3,0.0\n4,2.0\n5,1.0\n6,2.0\n7,0.0\n")
    src = stream.from_csv(path, "y", labels=True)
    assert [str(c) for c in src.columns.classes] == ["0.0", "1.0", "2.0"]
    assert src.columns.class_counts == [3, 2, 2]  # (-0.0 counted with the 0.0s)
    model = nn.MLP([1, 4, 3], output_activation="softmax", rng=0)
    history = fit(model, src, None, loss="cross_entropy", batch_size=2, epochs=2, verbose=0)
    assert history.steps == 8
    (_, y, _), *_ = list(src.batches(7, None, lambda X, y, w: (X, y, w)))
    assert y.tolist() == [0, 1, 0, 2, 1, 2, 0]


# ---------------------------------------------------------------- 6. a 1-D memmap given to fit
def test_a_1d_memmap_given_to_fit_is_refused_naming_fits_argument(tmp_path):
    from glassnet.train import fit

    np.save(tmp_path / "X.npy", np.arange(10.0))
    np.save(tmp_path / "y.npy", np.arange(10) % 2)
    X = np.load(tmp_path / "X.npy", mmap_mode="r")
    y = np.load(tmp_path / "y.npy", mmap_mode="r")
    with pytest.raises(ValueError, match=r"X \(a memmap, which fit streams\) must be 2-D") as e:
        fit(_model(), X, y, loss="cross_entropy", epochs=1, verbose=0)
    assert "from_arrays" not in str(e.value) and "reshape(-1, 1)" in str(e.value)


# ---------------------------------------------------------------- 5. Parquet rows: how counted
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_a_parquet_error_says_how_its_rows_count(tmp_path, bad):
    pytest.importorskip("pyarrow")
    pd = pytest.importorskip("pandas")
    from glassnet import stream

    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    x[150] = bad
    df = pd.DataFrame({"x": x, "z": rng.normal(size=200), "label": np.arange(200) % 2})
    df.to_parquet(tmp_path / "t.parquet", row_group_size=50)
    with pytest.raises(ValueError, match=r"t\.parquet' row 151: column 'x' ") as e:
        stream.from_parquet(tmp_path / "t.parquet", "label")
    assert "Rows count from 1" in str(e.value) and "df.iloc[150], 0-based" in str(e.value)


# ---------------------------------------------------------------- 4. sorted labels, any stream
def _sorted(n=4000):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 2)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    order = np.argsort(y, kind="stable")
    return X[order], y[order]


def _fit_stream(src, **kw):
    from glassnet.train import fit

    return fit(
        _model(), src, None, loss="cross_entropy", batch_size=64, epochs=1, verbose=0, seed=0,
        max_steps=2, **kw,
    )  # fmt: skip


def test_a_memmap_sorted_by_its_label_warns_as_a_sorted_file_does(tmp_path):
    from glassnet.train import fit

    X, y = _sorted(100_000)  # (more rows than fit's shuffle buffer of a memmap: 65,536)
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    Xm = np.load(tmp_path / "X.npy", mmap_mode="r")
    ym = np.load(tmp_path / "y.npy", mmap_mode="r")
    with pytest.warns(UserWarning, match=r"labels y of the arrays streamed come in long runs"):
        fit(
            _model(), Xm, ym, loss="cross_entropy", batch_size=64, epochs=1, verbose=0, seed=0,
            max_steps=2,
        )  # fmt: skip


@pytest.mark.parametrize("kind", ["from_arrays", "list", "tuple", "float labels"])
def test_a_stream_of_arrays_sorted_by_its_label_warns(kind):
    from glassnet import stream

    X, y = _sorted()
    if kind == "float labels":
        y = y.astype(np.float64)
    if kind in ("from_arrays", "float labels"):
        src = stream.from_arrays(X, y, buffer_size=512)
    else:
        chunks = [(X[i : i + 1000], y[i : i + 1000]) for i in range(0, len(y), 1000)]
        src = stream.from_chunks(chunks if kind == "list" else tuple(chunks), buffer_size=512)
    with pytest.warns(UserWarning, match=r"1 change of class in 4,000 rows") as got:
        _fit_stream(src)
    assert len(got) == 1 and "at least 4,000 rows (all the rows: a full shuffle)" in str(
        got[0].message
    )
    _fit_stream(src)  # (once: pytest's -W error would raise a second)


def test_a_shuffled_stream_of_arrays_and_a_regression_target_do_not_warn():
    from glassnet import stream

    X, y = _sorted()
    order = np.random.default_rng(1).permutation(len(y))
    _fit_stream(stream.from_arrays(X[order], y[order], buffer_size=512))
    reg = np.sort(np.random.default_rng(2).normal(size=len(y)))  # (sorted, but no classes)
    assert stream.label_runs_of([reg]) is None
    runs = stream.label_runs_of([np.array([0.0, -0.0, 1.0]), np.array([1.0, 2.0])])
    assert runs.label_runs == 3 and runs.class_counts == [2, 2, 1]
