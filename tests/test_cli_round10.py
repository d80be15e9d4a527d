"""The command line's round-10 fixes: a float32 model's predictions written with float32's
own shortest digits; usage errors of commands other than train printed once under mpiexec;
the statistics passes of a streamed run counted as made, a file read again mended
included; pyarrow's readings of plain CSV rows for the in-memory reader's fast path
(stream.float_columns, stream.plain_rows), their numbers bit for bit NumPy's."""

from __future__ import annotations

import numpy as np
import pytest
from cli_helpers import FAST, run

from glassnet.io import load_model

# ------------------------------------------------------ float32 predictions' digits


def _regression_file(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = 2 * X[:, 0] + 0.1
    data = tmp_path / "reg.csv"
    data.write_text("a,b,y\n" + "".join(f"{a:.3f},{b:.3f},{t:.3f}\n" for (a, b), t in zip(X, y)))
    return data


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_unscaled_predictions_are_written_with_their_own_dtypes_digits(capsys, tmp_path, dtype):
    """A float32 network trained with --no-standardize predicts float32 values, which
    predict's CSV wrote with float64's digits (3.547212600708008 for float32's 3.5472126);
    each is now the shortest text that reads back as the same value of the network's dtype
    (float64's repr for a float64 network, as before)."""
    data = _regression_file(tmp_path)
    model = tmp_path / "m.glassnet"
    code, _, err = run(
        capsys, "train", data, "--target", "y", "--no-standardize", "--dtype", dtype,
        "--out", model, *FAST,
    )  # fmt: skip
    assert code == 0, err
    code, out, err = run(capsys, "predict", model, data, "--out", "-")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "y"
    net = load_model(model, network_only=True)
    X = np.loadtxt(data, delimiter=",", skiprows=1, usecols=(0, 1))
    want = np.asarray(net.predict(X.astype(dtype)))[:, 0]
    assert want.dtype == np.dtype(dtype)
    kind = np.dtype(dtype).type
    got = [kind(text) for text in lines[1:]]
    np.testing.assert_array_equal(got, want)  # (every value read back exactly)
    for text, v in zip(lines[1:], want):
        if dtype == "float32":
            assert text == np.format_float_positional(v, unique=True, trim="0"), (text, v)
        else:
            assert text == repr(float(v))


# --------------------------------------- a streamed run's statistics passes, counted


def _mended_file(tmp_path, n=3000, at=2500):
    """``n`` rows of a,b,y (y a 0/1 label), row ``at`` ending in a delimiter (a row of
    another width than the header's, which pyarrow refuses and a mended reading takes)."""
    rng = np.random.default_rng(1)
    lines = ["a,b,y"] + [f"{rng.normal():.3f},{rng.normal():.3f},{i % 2}" for i in range(n)]
    if at is not None:
        lines[at] += ","
    data = tmp_path / "d.csv"
    data.write_text("\n".join(lines) + "\n")
    return data


@pytest.mark.parametrize("block_size", [1 << 22, 4096])
def test_from_csv_counts_the_pass_that_stopped_to_read_the_file_again_mended(tmp_path, block_size):
    """A row that has the file read again mended stops the statistics pass, which starts
    over: two passes made, the first stopped after the rows of the blocks before that row
    (none when it is in the first block); a file read once says one pass."""
    pytest.importorskip("pyarrow")
    from glassnet import stream

    src = stream.from_csv(_mended_file(tmp_path), "y", block_size=block_size)
    assert src.columns.passes == 2
    assert src.columns.trailing == {1: 1} and src.columns.rows == 3000
    if block_size == 1 << 22:
        assert src.columns.stopped_at == 0
    else:
        assert 0 < src.columns.stopped_at < 2500  # (whole blocks read before the row's)
    clean = stream.from_csv(_mended_file(tmp_path, at=None), "y", block_size=block_size)
    assert (clean.columns.passes, clean.columns.stopped_at) == (1, None)


@pytest.mark.parametrize("mended", [False, True])
def test_train_stream_says_the_statistics_passes_it_made(capsys, tmp_path, mended):
    """`glassnet train --stream` said "1 statistics pass" for a file whose first pass
    stopped at a row of another width and was read again mended: two passes, said so."""
    pytest.importorskip("pyarrow")
    data = _mended_file(tmp_path, at=2500 if mended else None)
    code, out, err = run(
        capsys, "train", data, "--target", "y", "--stream", "--epochs", "1",
        "--out", tmp_path / "m.glassnet",
    )  # fmt: skip
    assert code == 0, err
    (line,) = [x for x in out.splitlines() if "statistics pass" in x]
    if mended:
        assert (
            "2 statistics passes (one of them stopped in its first block of rows to read " in line
        )
        assert "again mended" in line
    else:
        assert line.strip().startswith("1 statistics pass in ")


# ----------------------------------------------- pyarrow's numbers, bit for bit NumPy's


def _decimal_texts(rng, n):
    """``n`` number texts of every shape a CSV file holds: repr of floats, 17 and 25
    significant digits, long mantissas, extreme exponents, subnormals, integers, signs."""
    out = []
    for _ in range(n):
        kind = rng.integers(8)
        x = float(rng.normal() * 10.0 ** rng.integers(-30, 30))
        if kind == 0:
            out.append(repr(x))
        elif kind == 1:
            out.append(f"{x:.17g}")
        elif kind == 2:
            out.append(f"{x:.25e}")
        elif kind == 3:
            out.append(f"{rng.integers(-(10**18), 10**18)}")
        elif kind == 4:
            out.append(f"{float(rng.uniform(1e-324, 1e-300)):.20e}")  # subnormals and near
        elif kind == 5:
            digits = "".join(map(str, rng.integers(0, 10, 40)))
            out.append(f"0.{digits}")
        elif kind == 6:
            out.append(f"+{abs(x):.6f}")
        else:
            out.append(f"{x:.3E}".replace("E+", "E"))
    return out


def test_float_columns_reads_numbers_as_numpy_does_bit_for_bit():
    """glassnet.stream.float_columns (pyarrow's CSV reader, the in-memory reader's fast
    path for number columns) gives each cell the float64 that NumPy (Python's float) gives
    its text, bit for bit, and leaves out a column with a cell pyarrow reads as no number
    (1_000, digits of another script, an empty cell), which the caller reads itself."""
    pytest.importorskip("pyarrow")
    from glassnet.stream import float_columns

    rng = np.random.default_rng(10)
    n = 20_000
    a, b = _decimal_texts(rng, n), _decimal_texts(rng, n)
    words = rng.choice(["red", "green"], n).tolist()
    text = "\n".join(f"{x},{w},{y}" for x, w, y in zip(a, words, b))
    got = float_columns(text, ",", 3, [0, 2], n)
    assert sorted(got) == [0, 2]
    for j, cells in ((0, a), (2, b)):
        want = np.array(cells, np.float64)
        np.testing.assert_array_equal(got[j].view(np.int64), want.view(np.int64))
    assert float_columns(text.encode(), ",", 3, [0], n)[0].view(np.int64).tolist() == (
        np.array(a, np.float64).view(np.int64).tolist()
    )
    for odd in ("1_000", "\u0661", "", "x", "0x10"):
        rows = f"1,2\n{odd},3\n4,5"
        assert sorted(float_columns(rows, ",", 2, [0, 1], 3)) == [1], odd
    assert float_columns("1,2\n3\n4,5", ",", 2, [0, 1], 3) == {}  # (a row of another width)
    assert float_columns("1;2\n3;4", ";", 2, [0, 1], 2)[1].tolist() == [2.0, 4.0]


def _no_pyarrow(monkeypatch) -> None:
    """``import pyarrow`` (and ``from pyarrow import csv``) raise ImportError from now on."""
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow", None)


def test_float_columns_without_pyarrow_reads_nothing(monkeypatch):
    """Without pyarrow, float_columns reads no column: the caller's NumPy reads them all."""
    from glassnet.stream import float_columns

    _no_pyarrow(monkeypatch)
    assert float_columns("1,2\n3,4", ",", 2, [0, 1], 2) == {}


# --------------------------------------- other commands' errors once under mpiexec

# each rank runs the command line in-process and writes its own exit status
_RANK_STATUS = """
import os, sys
from glassnet.cli import main

code = main(sys.argv[1:])
with open(f"status{os.environ.get('PMI_RANK', os.environ.get('OMPI_COMM_WORLD_RANK'))}", "w") as f:
    f.write(str(code))
sys.exit(code)
"""


def _mpiexec(tmp_path, args, timeout=120):
    """``mpiexec *args`` in ``tmp_path``: (status, stdout, stderr); a job still running after
    ``timeout`` seconds (a hang) is killed whole and fails the test."""
    import mpi_helpers

    got = mpi_helpers.launch(args, tmp_path, timeout)
    if got is None:
        pytest.fail(f"mpiexec {' '.join(map(str, args))} hung (killed after {timeout} s)")
    return got


def _model(capsys, tmp_path):
    data = _regression_file(tmp_path)
    code, _, err = run(
        capsys, "train", data, "--target", "y", "--out", tmp_path / "m.glassnet", *FAST
    )
    assert code == 0, err
    (tmp_path / "ranks.py").write_text(_RANK_STATUS)
    return data


@pytest.mark.parametrize(
    ("argv", "once"),
    [
        (["predict", "m.glassnet", "missing.csv"], "glassnet: error: no such file 'missing.csv'"),
        (["evaluate", "m.glassnet", "missing.csv"], "glassnet: error: no such file 'missing.csv'"),
        (["info", "nothing.glassnet"], "glassnet: error: "),
        (["predict", "m.glassnet", "reg.csv", "--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_other_commands_errors_are_printed_once_under_mpiexec(capsys, tmp_path, argv, once):
    """`mpiexec -n 2 glassnet predict m.glassnet missing.csv` (and other commands than
    train: their usage errors, a file missing) printed the error once per rank; rank 0
    prints it, every rank ends with status 2."""
    import sys

    _model(capsys, tmp_path)
    code, out, err = _mpiexec(tmp_path, ["-n", "2", sys.executable, "ranks.py", *argv])
    assert code == 2, err
    assert err.count(once) == 1, err
    assert len([x for x in err.splitlines() if x.startswith("glassnet: error: ")]) == 1, err
    assert [(tmp_path / f"status{r}").read_text() for r in range(2)] == ["2", "2"]


def test_a_rank_failing_alone_reports_and_leaves_the_others_command_alone(capsys, tmp_path):
    """`mpiexec -n 1 glassnet predict ... : -n 1 glassnet predict ... missing.csv`: rank 1
    prints its own error, rank 0 writes its predictions (not ended by it), and the job
    ends (no rank left waiting for the other in MPI_Init)."""
    import sys

    _model(capsys, tmp_path)
    good = [sys.executable, "ranks.py", "predict", "m.glassnet", "reg.csv", "--out", "p.csv"]
    bad = [sys.executable, "ranks.py", "predict", "m.glassnet", "missing.csv"]
    code, out, err = _mpiexec(tmp_path, ["-n", "1", *good, ":", "-n", "1", *bad], timeout=90)
    assert code == 2, err
    assert err.count("glassnet: error: no such file 'missing.csv'") == 1, err
    assert [(tmp_path / f"status{r}").read_text() for r in range(2)] == ["0", "2"]
    assert len((tmp_path / "p.csv").read_text().splitlines()) == 61


def test_plain_rows_gives_each_columns_texts_and_numbers_as_python_reads_them():
    """glassnet.stream.plain_rows (pyarrow's reading of plain CSV rows as text, the
    in-memory reader's fast path): each column's cells as written, joined, and as numbers
    bit for bit those NumPy (Python's float()) reads; None for a column with a cell pyarrow
    reads as no number (blanks around it, 1_000, another script's digits, an empty cell);
    rows of empty cells found; rows of another width, and no pyarrow, read nothing."""
    pytest.importorskip("pyarrow")
    from glassnet.stream import plain_rows

    rng = np.random.default_rng(11)
    n = 20_000
    a = _decimal_texts(rng, n)
    words = rng.choice(["red", "green", "1_000", ""], n).tolist()
    text = "\n".join(f"{x};{w};{i % 3}" for i, (x, w) in enumerate(zip(a, words)))
    rows = plain_rows(text.encode(), ";", 3, n)
    assert rows is not None and rows.n_rows == n
    np.testing.assert_array_equal(
        rows.numbers(0).view(np.int64), np.array(a, np.float64).view(np.int64)
    )
    assert rows.numbers(2).tolist() == [float(i % 3) for i in range(n)]
    assert rows.numbers(1) is None
    assert rows.texts(1) == words and rows.joined(0, "\x00") == "\x00".join(a)
    assert not rows.blank_row()
    for odd in (" 1", "1_000", "\u0661", "", "x"):
        assert plain_rows(f"1,2\n{odd},3".encode(), ",", 2, 2).numbers(0) is None, odd
    assert plain_rows(b",\n3,4", ",", 2, 2).blank_row()
    assert not plain_rows(b",5\n3,", ",", 2, 2).blank_row()
    assert plain_rows(b"1,2\n3\n4,5", ",", 2, 3) is None  # (a row of another width)
    assert plain_rows(b"1,2\n3,4", ",", 2, 3) is None  # (not the rows counted)


def test_plain_rows_without_pyarrow_reads_nothing(monkeypatch):
    from glassnet.stream import plain_rows

    _no_pyarrow(monkeypatch)
    assert plain_rows(b"1,2\n3,4", ",", 2, 2) is None


def test_adadelta_trains_at_pytorchs_default_rate(tmp_path, capsys):
    # the command line's default 0.01 for the adaptive optimizers left Adadelta, whose rate
    # multiplies an update already on the weights' scale, barely moving (R^2 -0.30)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = X @ [1.0, -2.0, 0.5]
    path = tmp_path / "d.csv"
    np.savetxt(path, np.column_stack([X, y]), delimiter=",", header="a,b,c,y", comments="")
    out = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", path, "--target", "y", "--optimizer", "adadelta",
                       "--epochs", "30", "--out", out, "--seed", "0")  # fmt: skip
    assert code == 0, err
    from glassnet.io import load_pipeline

    meta = load_pipeline(out).meta
    assert meta["training"]["lr"] == 1.0


# ranks.py, with rank $GLASSNET_TEST_SLOW_RANK starting its command $GLASSNET_TEST_SLOW_S
# seconds late (a slower read of a large file), and the ranks' wait for each other at their
# end shortened to $GLASSNET_TEST_WAIT seconds (10 s by default), so that the late rank comes
# after the others have given up waiting for it
_SLOW_RANK_STATUS = """
import os, sys, time
import glassnet.cli as cli
import glassnet.distributed as distributed

rank = os.environ.get('PMI_RANK', os.environ.get('OMPI_COMM_WORLD_RANK'))
distributed._ANSWER_WITHIN = float(os.environ["GLASSNET_TEST_WAIT"])
if rank == os.environ["GLASSNET_TEST_SLOW_RANK"]:
    command = cli._main

    def _main(args):
        time.sleep(float(os.environ["GLASSNET_TEST_SLOW_S"]))
        return command(args)

    cli._main = _main
code = cli.main(sys.argv[1:])
with open(f"status{rank}", "w") as f:
    f.write(str(code))
sys.exit(code)
"""


@pytest.mark.parametrize("slow", ["0", "1"])
def test_a_rank_failing_after_the_others_gave_up_waiting_ends(capsys, tmp_path, monkeypatch, slow):
    """`mpiexec -n 2 glassnet predict m.glassnet missing.csv` with one rank reaching the
    error after the other had given up waiting for it (10 s): the late rank hung in a
    blocking allgather the departed rank never joined. Every rank ends, the error printed
    once (the late rank learns that the other printed it), each with status 2."""
    import sys

    _model(capsys, tmp_path)
    (tmp_path / "slow.py").write_text(_SLOW_RANK_STATUS)
    monkeypatch.setenv("GLASSNET_TEST_SLOW_RANK", slow)
    monkeypatch.setenv("GLASSNET_TEST_SLOW_S", "5")
    monkeypatch.setenv("GLASSNET_TEST_WAIT", "1")
    argv = ["predict", "m.glassnet", "missing.csv"]
    code, out, err = _mpiexec(tmp_path, ["-n", "2", sys.executable, "slow.py", *argv], 60)
    assert code == 2, err
    assert err.count("glassnet: error: no such file 'missing.csv'") == 1, err
    assert len([x for x in err.splitlines() if x.startswith("glassnet: error: ")]) == 1, err
    assert [(tmp_path / f"status{r}").read_text() for r in range(2)] == ["2", "2"]


@pytest.mark.parametrize("good", [0, 2])
def test_ranks_failing_alike_beside_one_that_does_not_print_their_error_once(
    capsys, tmp_path, good
):
    """`mpiexec -n 1 glassnet predict ... : -n 2 glassnet predict ... missing.csv`: the two
    failing ranks printed their error each; the lowest of them prints it, the other rank
    writes its predictions."""
    import sys

    _model(capsys, tmp_path)
    ok = [sys.executable, "ranks.py", "predict", "m.glassnet", "reg.csv", "--out", "p.csv"]
    bad = [sys.executable, "ranks.py", "predict", "m.glassnet", "missing.csv"]
    parts = [["-n", "1", *ok], ["-n", "2", *bad]]
    args = [*parts[0], ":", *parts[1]] if good == 0 else [*parts[1], ":", *parts[0]]
    code, out, err = _mpiexec(tmp_path, args, timeout=90)
    assert code == 2, err
    assert err.count("glassnet: error: no such file 'missing.csv'") == 1, err
    assert len([x for x in err.splitlines() if x.startswith("glassnet: error: ")]) == 1, err
    want = ["2", "2", "2"]
    want[good] = "0"
    assert [(tmp_path / f"status{r}").read_text() for r in range(3)] == want
    assert len((tmp_path / "p.csv").read_text().splitlines()) == 61


def test_ranks_failing_differently_each_print_their_own(capsys, tmp_path):
    """Failing ranks whose errors differ (each rank's own file missing) print each their
    own: no rank's error is hidden behind another's."""
    import sys

    _model(capsys, tmp_path)
    one = [sys.executable, "ranks.py", "predict", "m.glassnet", "missing1.csv"]
    two = [sys.executable, "ranks.py", "predict", "m.glassnet", "missing2.csv"]
    code, out, err = _mpiexec(tmp_path, ["-n", "1", *one, ":", "-n", "1", *two], timeout=90)
    assert code == 2, err
    assert err.count("glassnet: error: no such file 'missing1.csv'") == 1, err
    assert err.count("glassnet: error: no such file 'missing2.csv'") == 1, err
    assert [(tmp_path / f"status{r}").read_text() for r in range(2)] == ["2", "2"]


@pytest.mark.parametrize("slow", ["0", "2"])
def test_a_late_rank_of_three_ends_with_the_error_printed(capsys, tmp_path, monkeypatch, slow):
    """As above with 3 ranks, one late: every rank ends, with status 2 and the error printed
    (by each rank that gave up waiting: they could not learn of one another)."""
    import sys

    _model(capsys, tmp_path)
    (tmp_path / "slow.py").write_text(_SLOW_RANK_STATUS)
    monkeypatch.setenv("GLASSNET_TEST_SLOW_RANK", slow)
    monkeypatch.setenv("GLASSNET_TEST_SLOW_S", "5")
    monkeypatch.setenv("GLASSNET_TEST_WAIT", "1")
    argv = ["predict", "m.glassnet", "missing.csv"]
    code, out, err = _mpiexec(tmp_path, ["-n", "3", sys.executable, "slow.py", *argv], 60)
    assert code == 2, err
    lines = [x for x in err.splitlines() if x.startswith("glassnet: error: ")]
    assert lines and all("no such file 'missing.csv'" in x for x in lines), err
    assert [(tmp_path / f"status{r}").read_text() for r in range(3)] == ["2", "2", "2"]
