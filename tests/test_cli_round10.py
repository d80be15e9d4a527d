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
