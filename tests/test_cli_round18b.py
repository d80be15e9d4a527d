"""The command line (round 18, second pass): --unknown ignore's near-matched categories,
all counted (in memory and with --stream alike) and each named with how it differs."""

from __future__ import annotations

import re

import numpy as np
import pytest
from cli_helpers import FAST, run, write_csv

STREAM = [[], ["--stream", "--chunk-rows", "3"]]


def colour_model(capsys, tmp_path, columns=("colour",)):
    """A model of a number column and category columns of 'red', 'blue', 'green' and
    'dark red'."""
    rng = np.random.default_rng(0)
    cats = ["red", "blue", "green", "dark red"]
    body = [
        [f"{a:.3f}", *[cats[(k + j) % 4] for j in range(len(columns))], "yes" if a > 0 else "no"]
        for k, a in enumerate(rng.normal(size=60))
    ]
    data = write_csv(tmp_path / "d.csv", ["a", *columns, "label"], body)
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", *FAST, "--out", model)
    assert code == 0, err
    return model


def unknown_line(capsys, model, new, stream) -> str:
    code, _, err = run(capsys, "predict", model, new, "--unknown", "ignore", *stream)
    assert code == 0, err
    (line,) = [x for x in err.splitlines() if "never saw" in x]
    return line


TEN = ["Red", "RED", "rEd", "reD", "Blue", "BLUE", "bLue", "Green", "GREEN", "gReen"]


@pytest.mark.parametrize("stream", STREAM)
def test_near_matches_beyond_five_in_one_column_are_counted(capsys, tmp_path, stream):
    """10 case variants in one column: 5 were named and the other 5 went unsaid."""
    model = colour_model(capsys, tmp_path)
    new = write_csv(tmp_path / "new.csv", ["a", "colour"], [["0.1", v] for v in TEN])
    line = unknown_line(capsys, model, new, stream)
    named = re.findall(r"'(\w+)' for '(\w+)' \(colour: case\)", line)
    assert named == [(v.lower(), v) for v in TEN[:5]], line
    assert line.endswith(" (and 5 more)"), line


def test_streamed_near_matches_are_counted_as_in_memory(capsys, tmp_path):
    """Two columns, near-matches spread over blocks: --stream kept the first 6 pairs it met
    (the first blocks', column by column within each), so its list and its "N more" were
    not those of the file read in memory."""
    model = colour_model(capsys, tmp_path, ("colour", "shade"))
    body = [["0.1", a, b] for a, b in zip(TEN, reversed(TEN))]
    new = write_csv(tmp_path / "new.csv", ["a", "colour", "shade"], body)
    in_memory = unknown_line(capsys, model, new, [])
    streamed = unknown_line(capsys, model, new, ["--stream", "--chunk-rows", "2"])
    assert in_memory.endswith(" (and 15 more)"), in_memory
    assert streamed == in_memory


@pytest.mark.parametrize("stream", STREAM)
@pytest.mark.parametrize(
    ("cell", "how"),
    [
        ("ｒｅｄ", "width or compatibility form"),
        ("ＲＥＤ", "width or compatibility form, case"),
        ("re\u200bd", "an invisible character"),
        ("dark  red", "blanks"),
        ("Blue", "case"),
    ],
)
def test_a_near_match_names_how_it_differs(capsys, tmp_path, stream, cell, how):
    """Full-width letters and doubled blanks were said to differ "only in case, accent
    encoding or an invisible character", none of which they do."""
    model = colour_model(capsys, tmp_path)
    new = write_csv(tmp_path / "new.csv", ["a", "colour"], [["0.1", cell]])
    line = unknown_line(capsys, model, new, stream)
    shown = repr(cell).replace("  ", "\\x20\\x20")  # (shown apart from one blank)
    assert f"for {shown} (colour: {how})" in line, line
    assert "(case, accent encoding or an invisible character)" not in line, line


@pytest.mark.parametrize("stream", STREAM)
def test_predict_into_a_pipe_closed_early_warns_of_unknown_categories_alike(
    capsys, tmp_path, stream
):
    """`predict m.glassnet big.csv --unknown ignore --stream | head -1` said nothing on
    stderr, where the same command without --stream warned of the unknown categories."""
    import os
    import subprocess
    import sys

    import glassnet

    model = colour_model(capsys, tmp_path)
    big = tmp_path / "big.csv"
    big.write_text("a,colour\n" + "0.125,red\n0.25,pink\n" * 40_000)  # (past a pipe's buffer)
    env = {**os.environ, "PYTHONPATH": str(os.path.dirname(os.path.dirname(glassnet.__file__)))}
    argv = ["predict", str(model), str(big), "--unknown", "ignore"]
    if stream:
        argv += ["--stream", "--chunk-rows", "5000"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "glassnet", *argv],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline() == b"label\n"
    proc.stdout.close()  # (head -1's exit)
    with proc.stderr:
        err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, err
    (line,) = [x for x in err.splitlines() if "never saw" in x]
    assert re.match(
        rf"glassnet: warning: \d+ cell\(s\) of '{re.escape(str(big))}' hold categories the "
        r"model never saw, encoded as all zeros \(--unknown ignore\): colour \(\d+\)$", line
    ), line  # fmt: skip
    assert "error" not in err and "Traceback" not in err, err
