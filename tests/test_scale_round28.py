"""Round 28's mends of distributed training and its docs (the scale28 audit).

* Ranks whose streams hold shuffle buffers of other sizes (a Stream's buffer_size, the
  command line's --buffer-size) trained silently on batches of no one order: refused now,
  naming the buffer of each rank. The same data cut into other chunks (which gives the same
  batches) trains, and matches one process.
* The start-up check of the data said "other training data, seed or optimizer state" for any
  difference: it names the item now, with this rank's value and rank 0's (rows, lr, seed,
  sample_weight given on one rank, ...).
* Settings: "shuffle=False differ from rank 0's" (grammar, and rank 0's value unsaid).
* A command-line rank told that another rank's traceback is "in .error" (a Python attribute);
  a rank whose CSV has other columns told only that "the model" differs.
* search: a bad lr in the grid named as fit_many's 'lr' parameter.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import mpi_helpers
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent(
    """
    import os, sys
    import numpy as np
    import glassnet.distributed as gd
    from glassnet import nn, optim, stream
    from glassnet.train import fit

    case = sys.argv[1]
    one = len(sys.argv) > 2  # one process: the reference run
    if not one:
        gd.install()
        from mpi4py import MPI
        rank = MPI.COMM_WORLD.Get_rank()
    else:
        rank = 0
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 3))
    y = (X[:, 0] > 0).astype(float)
    m = nn.MLP([3, 4, 1], output_activation="sigmoid", rng=0, dtype="float64")
    kw = dict(loss="binary_cross_entropy", batch_size=64, epochs=2, seed=0, optimizer="sgd",
              lr=0.1, verbose=0, distributed=None if one else "mpi")
    data = (X, y)
    if case == "buffer":
        data = (stream.from_arrays(X, y, buffer_size=500 if rank == 1 else 1000), None)
    elif case == "buffer_same_cap":  # 500 // 64 == 510 // 64: the same 448-row buffer
        data = (stream.from_arrays(X, y, buffer_size=510 if rank == 1 else 500), None)
    elif case == "chunks":  # the same rows cut otherwise: the same batches
        data = (stream.from_arrays(X, y, chunk_rows=300 if rank == 1 else 100,
                                   buffer_size=500), None)
    elif case == "rows":
        data = (X[: 203 - rank], y[: 203 - rank])
    elif case == "lr":
        kw["lr"] = 0.1 if rank == 1 else 0.01
    elif case == "optimizer_lr":
        kw["optimizer"] = optim.SGD(m.parameters(), lr=0.1 if rank == 1 else 0.01)
        kw.pop("lr")
    elif case == "weights":
        kw["sample_weight"] = np.ones(len(y)) if rank == 1 else None
    elif case == "seed":
        kw["seed"] = rank
    elif case == "shuffle":
        kw["shuffle"] = rank != 1
    elif case == "columns":
        data = (X[:, : 3 - rank], y)
        m = nn.MLP([3 - rank, 4, 1], output_activation="sigmoid", rng=0, dtype="float64")
    elif case == "big_buffers":  # both buffers hold all 2000 rows: the same batches
        data = (stream.from_arrays(X, y, buffer_size=5000 if rank == 1 else 8000), None)
    elif case == "big_default":  # a memmap (the default 65,536) and a buffer of 100,000
        np.save(f"X{rank}.npy", X)
        Xm = np.load(f"X{rank}.npy", mmap_mode="r")
        data = (Xm, y) if rank == 0 else (stream.from_arrays(Xm, y, buffer_size=100_000), None)
    elif case == "memmap_array":  # rank 0 a memmap, rank 1 the same rows in memory
        np.save(f"X{rank}.npy", X)
        data = (np.load("X0.npy", mmap_mode="r") if rank == 0 else X, y)
    elif case == "path_arrays":  # rank 0 a CSV file (a stream), rank 1 arrays
        if rank == 0:
            with open("d.csv", "w") as f:
                f.write("a,b,c,y\\n" + "".join(f"{r[0]:.17g},{r[1]:.17g},{r[2]:.17g},{t:g}\\n"
                                             for r, t in zip(X, y)))
        data = ("d.csv", "y") if rank == 0 else (X, y)
    elif case.startswith("chunks_arrays"):  # rank 1's rows unknown (chunks), rank 0's known
        size = {"chunks_arrays": 5000, "chunks_arrays_small": 500}.get(case, 8000)
        cut = [(X[i : i + 500], y[i : i + 500]) for i in range(0, 2000, 500)]
        data = ((stream.from_arrays(X, y, buffer_size=5000 if case.endswith("_other") else size)
                 if rank == 0 else stream.from_chunks(cut, buffer_size=size)), None)
    elif case == "chunks_in_memory":  # rank 0 arrays, rank 1 chunks of unknown rows
        cut = [(X[i : i + 500], y[i : i + 500]) for i in range(0, 2000, 500)]
        data = (X, y) if rank == 0 else (stream.from_chunks(cut, buffer_size=5000), None)
    elif case == "bs_stream":  # another batch_size, the same buffer_size
        data = (stream.from_arrays(X, y, buffer_size=1000), None)
        kw["batch_size"] = 100 if rank == 1 else 64
    elif case == "momentum":
        kw["optimizer"] = optim.SGD(m.parameters(), lr=0.1, momentum=0.9 if rank == 1 else 0.0)
        kw.pop("lr")
    try:
        fit(m, *data, **kw)
    except Exception as e:
        said = f"{type(e).__name__}: {e}"
    else:
        w = np.concatenate([p.data.ravel() for p in m.parameters()])
        np.save(f"w_{case}_{'one' if one else rank}.npy", w)
        said = "ok"
    with open(f"said_{'one' if one else rank}.txt", "w") as f:  # (ranks' stdout interleaves)
        f.write(said)
    """
)


def _launch(tmp_path, args, timeout=120):
    got = mpi_helpers.launch(args, tmp_path, timeout)
    if got is None:
        pytest.fail(f"mpiexec {' '.join(map(str, args))} hung (killed after {timeout} s)")
    return got


def _ranks(tmp_path, case):
    """Each rank's line of ``mpiexec -n 2 python s.py case``: {rank: text}."""
    (tmp_path / "s.py").write_text(SCRIPT)
    code, out, err = _launch(tmp_path, ["-n", "2", sys.executable, "s.py", case])
    assert code == 0, err[-3000:]
    return {r: (tmp_path / f"said_{r}.txt").read_text() for r in (0, 1)}


def _one_process(tmp_path, case):
    import subprocess

    path = f"{ROOT}:{tmp_path}"
    proc = subprocess.run(
        [sys.executable, "s.py", case, "one"], cwd=tmp_path, capture_output=True, text=True,
        env={"PYTHONPATH": path, "PATH": "/usr/bin:/bin"}, timeout=120,
    )  # fmt: skip
    assert (tmp_path / "said_one.txt").read_text() == "ok", proc.stdout + proc.stderr
    return np.load(tmp_path / f"w_{case}_one.npy")


def _trains_as_one_process(tmp_path, case):
    """Both ranks of ``case`` train ("ok") to the weights of one process, to 1e-12."""
    lines = _ranks(tmp_path, case)
    assert lines == {0: "ok", 1: "ok"}, lines
    ref = _one_process(tmp_path, case)
    for r in (0, 1):
        np.testing.assert_allclose(np.load(tmp_path / f"w_{case}_{r}.npy"), ref,
                                   rtol=0, atol=1e-12)  # fmt: skip


def _refused(lines, *said):
    """Rank 1 raised a ValueError saying each of ``said``; rank 0 a DistributedError naming
    rank 1 and saying them too."""
    assert lines[1].startswith("ValueError: fit(distributed='mpi'): "), lines
    assert lines[0].startswith("DistributedError: distributed training stopped: rank 1 of 2"), lines
    for text in said:
        assert text in lines[1], lines[1]
        assert text in lines[0], lines[0]


def test_other_shuffle_buffers_are_refused_naming_them(tmp_path):
    """Rank 1's stream held 500 rows, rank 0's 1000: each cut its shard of another global
    batch, the job ended 0 with weights of no real run."""
    lines = _ranks(tmp_path, "buffer")
    _refused(
        lines,
        "the shuffle buffer holds 448 rows of a stream (buffer_size=500) on rank 1, 960 rows "
        "of a stream (buffer_size=1000) on rank 0",
        "--buffer-size",
    )


def test_buffers_of_the_same_whole_batches_train_as_one_process(tmp_path):
    """500 and 510 rows both hold 7 batches of 64: the same batches, nothing refused."""
    _trains_as_one_process(tmp_path, "buffer_same_cap")


def test_the_same_stream_in_other_chunks_trains_as_one_process(tmp_path):
    """chunk_rows 100 and 300 over the same rows: refused as "other training data" (the
    first chunks differ), though the batches are the same (re-cut to batch_size rows)."""
    _trains_as_one_process(tmp_path, "chunks")


@pytest.mark.parametrize(
    ("case", "said"),
    [
        ("rows", ["X has 202 rows on rank 1, 203 rows on rank 0"]),
        ("optimizer_lr", ["the optimizer's lr is 0.1 on rank 1, 0.01 on rank 0"]),
        ("lr", ["lr=0.1 on rank 1, where rank 0 has lr=0.01"]),
        ("weights", ["sample_weight is given on rank 1, None on rank 0"]),
        ("seed", ["rank 1's shuffling seed differs from rank 0's: seed=1 on rank 1, seed=0 on "
                  "rank 0"]),
        ("shuffle", ["shuffle=False on rank 1, where rank 0 has shuffle=True"]),
        ("columns", ["X has 2 feature columns on rank 1, 3 feature columns on rank 0",
                     "rank 1's model differs from rank 0's"]),
    ],
)  # fmt: skip
def test_a_mismatch_names_what_differs_and_each_ranks_value(tmp_path, case, said):
    """One checksum covered the shapes, rows, rng and optimizer state: every case got the
    same "other training data, seed or optimizer state" (false for an lr)."""
    lines = _ranks(tmp_path, case)
    _refused(lines, *said)
    assert "differ from rank 0's" not in lines[1]  # (the grammar of one setting)
    assert "other training data, seed or optimizer state" not in lines[1]


def _csv(path, columns, n=400):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, columns))
    y = (X[:, 0] > 0).astype(int)
    head = ",".join(f"x{i}" for i in range(columns)) + ",y\n"
    path.write_text(head + "".join(",".join(f"{v:.4f}" for v in r) + f",{t}\n"
                                   for r, t in zip(X, y)))  # fmt: skip
    return path


def _mpmd(tmp_path, first, second):
    base = [sys.executable, "-m", "glassnet", "train"]
    opts = ["--target", "y", "--epochs", "1", "--batch-size", "16", "--seed", "0", "--quiet"]
    args = ["-n", "1", *base, *first, *opts, "--out", "a.glassnet", ":",
            "-n", "1", *base, *second, *opts, "--out", "b.glassnet"]  # fmt: skip
    return _launch(tmp_path, args)


def test_command_line_other_buffer_size_is_refused(tmp_path):
    """An MPMD launch whose second command line has another --buffer-size: status 0 and a
    model of mixed batches."""
    _csv(tmp_path / "d.csv", 3)
    code, out, err = _mpmd(
        tmp_path, ["d.csv", "--stream", "--buffer-size", "64"],
        ["d.csv", "--stream", "--buffer-size", "128"],
    )  # fmt: skip
    assert code != 0, out + err
    assert "shuffle buffer holds" in err and "--buffer-size" in err, err
    assert "in .error" not in err, err


def test_command_line_other_columns_named_and_no_python_attribute(tmp_path):
    """Rank 1's CSV of 2 feature columns, rank 0's of 3: told as "the model" differs, the
    others pointed at ".error"."""
    _csv(tmp_path / "d3.csv", 3)
    _csv(tmp_path / "d2.csv", 2)
    code, out, err = _mpmd(tmp_path, ["d3.csv"], ["d2.csv"])
    assert code != 0, out + err
    assert "X has 2 feature columns on rank 1, 3 feature columns on rank 0" in err, err
    assert "in .error" not in err, err


def test_search_names_its_grid_for_a_bad_lr():
    from glassnet import nn
    from glassnet.many import search

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(float)

    def build(params):
        return nn.MLP([2, 3, 1], output_activation="sigmoid", rng=0)

    with pytest.raises(ValueError) as e:
        search(build, X, y, {"lr": [float("nan"), 0.1]}, loss="binary_cross_entropy",
               epochs=2, batch_size=16)  # fmt: skip
    assert "grid['lr']" in str(e.value), e.value
    assert "parameter of fit_many" not in str(e.value), e.value


def test_cli_docs_say_a_process_substitution_is_copied_for_train():
    """cli.md said `train <(zcat big.csv.gz) --stream` reads the rows with no copy; its
    streaming section (and the code) copy every pipe to $TMPDIR for train."""
    text = " ".join((ROOT / "docs" / "cli.md").read_text().split())
    assert "`glassnet train <(zcat big.csv.gz) --stream` reads the rows as they come" not in text
    assert "`glassnet train <(zcat big.csv.gz) --stream` copy the rows there too" in text


def test_the_buffer_of_streams_fit_makes_is_the_one_compared():
    """A rank passing a path (fit's own stream) and one a Stream of the default buffer hold
    the same buffer: the check takes the default for streams fit makes."""
    import inspect

    from glassnet import distributed, stream

    default = inspect.signature(stream.Stream).parameters["buffer_size"].default
    assert distributed._BUFFER == default


# ---------------------------------------------------------------- the fix of rev28a
@pytest.mark.parametrize("case", ["big_buffers", "big_default", "memmap_array"])
def test_buffers_holding_all_rows_train_as_one_process(tmp_path, case):
    """Buffers of 5000 and 8000 rows (or the default and 100,000) over 2000 rows shuffle all
    rows alike, as arrays in memory do (a memmap on one rank, the rows in memory on the
    other): refused as other shuffle buffers, where they had trained and matched one
    process."""
    _trains_as_one_process(tmp_path, case)


def test_a_stream_and_arrays_are_named_as_such(tmp_path):
    """A path on rank 0, arrays on rank 1: "X has 2000 rows on rank 1,  on rank 0; the
    stream's shuffle buffer holds  on rank 1, ...", values left empty. Then (distfix28)
    refused as another shuffle, though the file's 2000 rows (a count fit's stream knows)
    fit the default buffer of 65,536 rows: all rows shuffled at once, as arrays are. It
    trains now, and matches one process."""
    _trains_as_one_process(tmp_path, "path_arrays")


# ---------------------------------------------------------------- the fix of rev28g
@pytest.mark.parametrize("case", ["chunks_arrays", "chunks_arrays_small"])
def test_the_same_buffer_size_trains_whether_or_not_rows_are_known(tmp_path, case):
    """Rank 0 from_arrays, rank 1 the same rows as a list of chunks (its row count
    unknown), both buffer_size=5000 (or 500): refused as "4992 rows ... (buffer_size=5000)
    on rank 1, all 2000 rows ... (buffer_size=5000) on rank 0 ... give every rank the same
    buffer_size", which they had; they trained alike before round 28."""
    _trains_as_one_process(tmp_path, case)


@pytest.mark.parametrize(
    "case, said",
    [
        ("chunks_arrays_other", "the shuffle buffer holds 8000 rows of a stream whose row "
         "count is unknown (buffer_size=8000) on rank 1, all 2000 rows of a stream "
         "(buffer_size=5000) on rank 0"),
        ("chunks_in_memory", "the shuffle buffer holds 4992 rows of a stream whose row count "
         "is unknown (buffer_size=5000) on rank 1, all 2000 rows (arrays in memory) on rank 0"),
    ],
)  # fmt: skip
def test_an_unknown_row_count_is_said_where_buffers_differ(tmp_path, case, said):
    """Where the buffers differ and a stream's rows are unknown (chunks), whether its buffer
    holds every row cannot be told: refused, saying so and what to do."""
    lines = _ranks(tmp_path, case)
    _refused(lines, said, "row count is unknown", "stream.from_arrays")


@pytest.mark.parametrize(
    "case, said, unsaid",
    [
        ("bs_stream", "batch_size=100 on rank 1, where rank 0 has batch_size=64",
         "shuffle buffer"),
        ("momentum", "the optimizer's settings differ: ", "optimizer's state"),
    ],
)  # fmt: skip
def test_a_consequence_is_not_named_beside_its_cause(tmp_path, case, said, unsaid):
    """Another batch_size on a stream was also told as another shuffle buffer (pointing at
    --buffer-size, equal on both); another momentum also as other optimizer state ("resume:
    load the same checkpoint"), with nothing resumed."""
    lines = _ranks(tmp_path, case)
    _refused(lines, said)
    assert unsaid not in lines[1], lines[1]
    assert ". rank " not in lines[1], lines[1]  # (each sentence starts in upper case)


def test_command_line_buffers_holding_every_row_train(tmp_path):
    """--buffer-size 5000 and 8000 on a 400-row file: both shuffle every row at once (the
    same batches), refused as other shuffle buffers (status 3); both ranks write one model."""
    _csv(tmp_path / "d.csv", 3)
    code, out, err = _mpmd(
        tmp_path, ["d.csv", "--stream", "--buffer-size", "5000"],
        ["d.csv", "--stream", "--buffer-size", "8000"],
    )  # fmt: skip
    assert code == 0, out + err
    assert "shuffle buffer" not in err, err
