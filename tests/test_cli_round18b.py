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


# ------------------------------------------------ evaluate: every 0/0 score is marked


def evaluate_table(out: str, first: str) -> dict[str, list[str]]:
    """evaluate's table whose header row starts with ``first``: row name -> its cells."""
    lines = out.splitlines()
    start = next(k for k, x in enumerate(lines) if x.startswith(f"  {first} "))
    end = next(k for k in range(start, len(lines)) if not lines[k].strip())
    return {x.split()[0]: x.split()[1:] for x in lines[start + 1 : end]}


def three_class_model(capsys, tmp_path):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(90, 2))
    label = np.where(x[:, 0] > 0.5, "pos", np.where(x[:, 0] < -0.5, "neg", "mid"))
    body = [[f"{a:.3f}", f"{b:.3f}", c] for (a, b), c in zip(x, label)]
    data = write_csv(tmp_path / "d.csv", ["a", "b", "label"], body)
    model = tmp_path / "m.glassnet"
    argv = ["--epochs", "200", "--hidden", "8", "--seed", "0", "-q", "--test-split", "0"]
    code, _, err = run(capsys, "train", data, "--target", "label", *argv, "--out", model)
    assert code == 0, err
    return model


@pytest.mark.parametrize("stream", STREAM)
def test_a_class_predicted_but_never_true_has_its_recall_marked(capsys, tmp_path, stream):
    """`evaluate` on rows of one class, some predicted as another: that class's recall is
    0/0, printed 0.0000 and averaged as 0 with no mark (scikit-learn warns of it)."""
    model = three_class_model(capsys, tmp_path)
    rows = [[f"{a:.2f}", "0.0", "mid"] for a in np.linspace(-0.45, 0.9, 12)]  # some "pos"
    data = write_csv(tmp_path / "e.csv", ["a", "b", "label"], rows)
    code, out, err = run(capsys, "evaluate", model, data, *stream)
    assert code == 0, err
    table = evaluate_table(out, "class")
    pos = table["pos"]
    assert pos[3] == "0" and pos[1] == "0.0000*" and not pos[0].endswith("*"), out
    mid = table["mid"]
    assert not any(c.endswith("*") for c in mid[:3]), out
    assert table["neg"][:3] == ["n/a"] * 3, out  # (no row of it nor predicted: left out)
    macro_recall = float(table["macro"][2])
    assert macro_recall == pytest.approx((float(mid[1]) + 0.0) / 2, abs=1e-4), out
    assert (
        "  (*: 0/0, taken as 0 in the row and in the macro average, as scikit-learn's "
        "classification_report takes it (zero_division): recall with no row of the class)"
    ) in out.splitlines(), out


@pytest.mark.parametrize("stream", STREAM)
def test_a_label_without_positives_true_or_predicted_is_marked(capsys, tmp_path, stream):
    """Multi-label: a label no row is positive in nor predicted positive printed
    0.0000 0.0000 0.0000 with no mark: each is 0/0."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(80, 2))
    body = [[f"{a:.3f}", f"{b:.3f}", str(int(a > 0)), str(int(b > 0))] for a, b in x]
    data = write_csv(tmp_path / "d.csv", ["a", "b", "t1", "t2"], body)
    model = tmp_path / "ml.glassnet"
    argv = ["--task", "multilabel", "--epochs", "200", "--hidden", "8", "--seed", "0", "-q"]
    code, _, err = run(capsys, "train", data, "--target", "t1,t2", *argv, "--out", model)
    assert code == 0, err
    new = [r[:3] + ["0"] for r in body if float(r[1]) < -1.0]  # (t2 clearly 0: none predicted)
    data = write_csv(tmp_path / "e.csv", ["a", "b", "t1", "t2"], new)
    code, out, err = run(capsys, "evaluate", model, data, *stream)
    assert code == 0, err
    table = evaluate_table(out, "label")
    assert table["t2"][2:] == ["0.0000*", "0.0000*", "0.0000*", "0"], out
    assert not any(c.endswith("*") for c in table["t1"]), out
    assert (
        "  (*: 0/0, taken as 0 in the row, as scikit-learn's classification_report takes it "
        "(zero_division): precision with no row predicted positive, recall with no row "
        "positive, f1 with no row positive nor predicted so)"
    ) in out.splitlines(), out
