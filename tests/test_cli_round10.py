"""The command line's round-10 fixes: a float32 model's predictions written with float32's
own shortest digits; usage errors of commands other than train printed once under mpiexec;
the statistics passes of a streamed run counted as made, a file read again mended
included; the fast path of the CSV reader giving the very table the full reader gives."""

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
