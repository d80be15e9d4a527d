"""The command line (round 18): notes about a pipe's data name the pipe, --unknown ignore
names near-matched categories, evaluate's macro average agrees with its table, column
names equal up to Unicode normalization, a closed pipe
under predict and predict --stream alike, --dataset's constant columns, export's and
--checkpoint's file names, the truth-table datasets scored on their whole table."""

from __future__ import annotations

import os
import threading
import unicodedata

import numpy as np
import pytest
from cli_helpers import FAST, HEADER, assert_one_line_error, rows, run, write_csv

fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")


def through_fifo(capsys, tmp_path, text: str, *argv: object) -> tuple[int, str, str]:
    """``glassnet *argv PIPE``, with ``text`` written into the named pipe PIPE."""
    pipe = tmp_path / "data.fifo"
    if pipe.exists():
        pipe.unlink()
    os.mkfifo(pipe)
    writer = threading.Thread(target=lambda: pipe.write_text(text))
    writer.start()
    try:
        return run(capsys, *argv, pipe)
    finally:
        writer.join()


def model_of(capsys, tmp_path, *extra: str, data_rows=None) -> tuple:
    data = write_csv(tmp_path / "d.csv", HEADER, data_rows or rows(60))
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", *FAST, *extra, "--out", model)
    assert code == 0, err
    return data, model


# ------------------------------------------------------- 1. a pipe's notes name the pipe


@fifo
@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_notes_about_a_pipe_name_the_pipe_not_a_temporary_copy(capsys, tmp_path, command):
    """ "filled 1 missing cell(s) of '/tmp/glassnet-bpxr9dvo/data.csv'": a deleted file."""
    _, model = model_of(capsys, tmp_path, "--impute", "mean")
    text = "a,b,label\n,0.5,yes\n0.1,-0.2,no\n"
    code, _, err = through_fifo(capsys, tmp_path, text, command, model)
    assert code == 0, err
    pipe = str(tmp_path / "data.fifo")
    assert f"filled 1 missing cell(s) of '{pipe}'" in err, err
    assert "glassnet-" not in err and "data.csv" not in err, err


@fifo
def test_the_pandas_index_note_about_a_pipe_names_the_pipe(capsys, tmp_path):
    _, model = model_of(capsys, tmp_path)
    text = ",a,b\n" + "".join(f"{i},{r[0]},{r[1]}\n" for i, r in enumerate(rows(20)))
    code, _, err = through_fifo(capsys, tmp_path, text, "predict", model)
    assert code == 0, err
    assert f"note: '{tmp_path / 'data.fifo'}': its unnamed first column holds the row" in err
    assert "glassnet-" not in err, err


# ----------------------------------------- 2. --unknown ignore names near-matched values


def category_model(capsys, tmp_path):
    """A model of a number column and a category column 'place' of 'Bar' and an NFC 'Café'."""
    rng = np.random.default_rng(0)
    cafe = unicodedata.normalize("NFC", "Café")
    body = [
        [f"{a:.3f}", place, "yes" if (a > 0) == (place == cafe) else "no"]
        for a, place in zip(rng.normal(size=60), [cafe, "Bar"] * 30)
    ]
    data = write_csv(tmp_path / "d.csv", ["a", "place", "label"], body)
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", *FAST, "--out", model)
    assert code == 0, err
    return model


@pytest.mark.parametrize("stream", [[], ["--stream", "--chunk-rows", "2"]])
def test_unknown_ignore_names_categories_written_otherwise(capsys, tmp_path, stream):
    """`--unknown ignore` counted 'cafe' and an NFD 'Café' as unseen, silently zero-encoded,
    where the refusal without it says what to write."""
    model = category_model(capsys, tmp_path)
    nfd = unicodedata.normalize("NFD", "Café")
    new = write_csv(
        tmp_path / "new.csv", ["a", "place"], [["0.1", nfd], ["0.2", "bar"], ["0.3", "Pub"]]
    )
    code, out, err = run(capsys, "predict", model, new, "--unknown", "ignore", *stream)
    assert code == 0, err
    assert len(out.splitlines()) == 4, out
    (line,) = [x for x in err.splitlines() if "never saw" in x]
    assert "3 cell(s) of" in line and "place (3)" in line, line
    assert (
        "write 'Café' for 'Cafe\\u0301' (place: accent encoding), 'Bar' for 'bar' (place: case)"
        in line
    ), line
    assert "Pub" not in line, line  # (truly unknown: counted only)


def test_unknown_ignore_without_near_matches_warns_as_before(capsys, tmp_path):
    model = category_model(capsys, tmp_path)
    new = write_csv(tmp_path / "new.csv", ["a", "place"], [["0.3", "Pub"]])
    code, _, err = run(capsys, "predict", model, new, "--unknown", "ignore")
    assert code == 0, err
    (line,) = [x for x in err.splitlines() if "never saw" in x]
    assert line.endswith("encoded as all zeros (--unknown ignore): place (1)"), line


# ----------------------------------------- 3. evaluate: the macro average and its table


def class_table(out: str) -> dict[str, list[str]]:
    """evaluate's class table: each row's first word -> the others ("macro" -> "avg", ...)."""
    lines = out.splitlines()
    start = next(k for k, x in enumerate(lines) if x.startswith("  class "))
    end = next(k for k, x in enumerate(lines) if x.startswith("  macro avg "))
    return {x.split()[0]: x.split()[1:] for x in lines[start + 1 : end + 1]}


@pytest.mark.parametrize("stream", [[], ["--stream", "--chunk-rows", "2"]])
def test_a_class_absent_from_truth_and_predictions_is_na_not_zero(capsys, tmp_path, stream):
    """A class no row is of nor predicted as printed 0.0000 0.0000 0.0000, and the macro
    average under it left it out (the printed rows averaged otherwise)."""
    _, model = model_of(capsys, tmp_path)
    one = write_csv(tmp_path / "one.csv", ["a", "b"], [["0.5", "0.4"]])
    code, out, err = run(capsys, "predict", model, one)
    assert code == 0, err
    said = out.splitlines()[1]  # (the truth is the model's answer: the other class is absent)
    other = {"yes": "no", "no": "yes"}[said]
    data = write_csv(tmp_path / "e.csv", HEADER, [["0.5", "0.4", said]] * 3)
    code, out, err = run(capsys, "evaluate", model, data, *stream)
    assert code == 0, err
    table = class_table(out)
    assert table[other] == ["n/a", "n/a", "n/a", "0"], out
    assert table[said] == ["1.0000", "1.0000", "1.0000", "3"], out
    assert table["macro"] == ["avg", "1.0000", "1.0000", "1.0000", "3"], out
    assert "(n/a: no row is of the class nor predicted as it; the macro average is over" in out


def test_a_class_with_rows_keeps_its_zero_scores_in_the_average(capsys, tmp_path):
    """Every class predicted or true is a number, and the average is the mean of the rows;
    a 0/0 among them (precision of a class never predicted, recall of one no row is of) is
    0, marked, as scikit-learn's zero_division takes it."""
    _, model = model_of(capsys, tmp_path)
    one = write_csv(tmp_path / "one.csv", ["a", "b"], [["0.5", "0.4"]])
    said = run(capsys, "predict", model, one)[1].splitlines()[1]
    other = {"yes": "no", "no": "yes"}[said]
    data = write_csv(tmp_path / "e.csv", HEADER, [["0.5", "0.4", other]])
    code, out, err = run(capsys, "evaluate", model, data)
    assert code == 0, err
    assert "n/a" not in out, out
    table = class_table(out)
    assert table[other][:3] == ["0.0000*", "0.0000", "0.0000"], out  # (never predicted)
    assert table[said][:3] == ["0.0000", "0.0000*", "0.0000"], out  # (no row of it)
    assert table["macro"][1:4] == ["0.0000"] * 3, out


# --------------------------- 4. column names equal up to Unicode normalization: a hint


@pytest.mark.parametrize("trained, given", [("NFC", "NFD"), ("NFD", "NFC")])
def test_a_column_name_in_another_unicode_form_is_named_escaped(capsys, tmp_path, trained, given):
    """ "missing: größe; not in the model: größe": two names that look the same, no cause."""
    name = unicodedata.normalize(trained, "größe")
    other = unicodedata.normalize(given, "größe")
    data = write_csv(tmp_path / "d.csv", [name, "b", "label"], rows(40))
    model = tmp_path / "m.glassnet"
    assert run(capsys, "train", data, "--target", "label", *FAST, "--out", model)[0] == 0
    new = write_csv(tmp_path / "new.csv", [other, "b"], [r[:2] for r in rows(3)])
    code, out, err = run(capsys, "predict", model, new)
    assert code == 2 and out == "", err
    nfd = repr(unicodedata.normalize("NFD", "größe")).replace("\u0308", "\\u0308")
    assert nfd == "'gro\\u0308ße'"
    assert_one_line_error(
        err,
        f"not in the model: {nfd if given == 'NFD' else 'größe'}",
        f"missing: {nfd if trained == 'NFD' else 'größe'}",
        f"rename {nfd if given == 'NFD' else repr(other)} to "
        f"{nfd if trained == 'NFD' else repr(name)}",
        "look alike but are two Unicode forms of one name",
        "(NFD, as macOS tools write names), the other as one character each (NFC)",
    )


def test_a_column_name_in_another_case_keeps_its_hint(capsys, tmp_path):
    _, model = model_of(capsys, tmp_path)
    new = write_csv(tmp_path / "new.csv", ["A", "b"], [r[:2] for r in rows(3)])
    code, _, err = run(capsys, "predict", model, new)
    assert code == 2
    assert_one_line_error(err, "case included: rename 'A' to 'a'")
    assert "Unicode forms" not in err


# ------------------------------- 6. a reader that closes the pipe early: status 0, alike


@pytest.mark.parametrize("stream", [[], ["--stream", "--chunk-rows", "5000"]])
@pytest.mark.parametrize("read", [1, 0])
def test_predict_into_a_pipe_closed_early_exits_0_quietly(capsys, tmp_path, stream, read):
    """`glassnet predict m.glassnet big.csv | head -1` ended with status 0, and with
    --stream with status 1: one behaviour now, the filter's (the reader took what it
    wanted); no error line, no traceback."""
    import subprocess
    import sys

    import glassnet

    _, model = model_of(capsys, tmp_path)
    big = tmp_path / "big.csv"
    line = "0.125,-0.25\n"
    big.write_text("a,b\n" + line * 60_000)  # (predictions far past a pipe's buffer)
    env = {**os.environ, "PYTHONPATH": str(os.path.dirname(os.path.dirname(glassnet.__file__)))}
    proc = subprocess.Popen(
        [sys.executable, "-m", "glassnet", "predict", str(model), str(big), *stream],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    if read:
        assert proc.stdout.readline() == b"label\n"
    proc.stdout.close()  # (head -1's exit)
    with proc.stderr:
        err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, err
    assert "error" not in err and "Traceback" not in err, err


# ------------------------- 7. --dataset's constant columns: no advice the CLI then refuses


def test_a_datasets_constant_columns_get_no_drop_advice(capsys, tmp_path):
    """`train --dataset digits` warned "leave them out with --drop pixel_0_0,...", and
    `--drop` with --dataset is refused."""
    pytest.importorskip("sklearn")
    model = tmp_path / "d.glassnet"
    argv = ["train", "--dataset", "digits", "--epochs", "1", "--hidden", "4", "-q"]
    code, _, err = run(capsys, *argv, "--out", model)
    assert code == 0, err
    (line,) = [x for x in err.splitlines() if "single value" in x]
    assert line.startswith("glassnet: note: 3 columns each hold a single value in all 1797"), line
    assert "'pixel_0_0' ('0.0')" in line and "nothing to do for --dataset digits" in line, line
    assert "leave them out with --drop" not in line, line
    code, _, err = run(capsys, *argv, "--drop", "pixel_0_0", "--out", model, "--force")
    assert code == 2  # (the refusal the old advice ran into: the note does not advise it)
    assert_one_line_error(err, "--drop is for CSV files")


def test_a_csv_files_constant_columns_still_advise_drop(capsys, tmp_path):
    body = [r[:2] + ["5", r[2]] for r in rows(40)]
    data = write_csv(tmp_path / "d.csv", ["a", "b", "const", "label"], body)
    code, _, err = run(capsys, "train", data, "--target", "label", *FAST, "--out", tmp_path / "m")
    assert code == 0, err
    assert "glassnet: warning: the column 'const' holds the single value '5' in all 40 rows" in err
    assert "leave it out with --drop const" in err, err


# ------------------------------ 8. export's OUT and --checkpoint: names of another format


@pytest.mark.parametrize("name", ["fresh.glassnet", "out.csv", "out.txt", "out.safetensors"])
def test_export_refuses_a_name_of_another_format(capsys, tmp_path, name):
    """`glassnet export m.glassnet fresh.glassnet` wrote ONNX under a model file's name."""
    pytest.importorskip("onnx")
    _, model = model_of(capsys, tmp_path)
    out = tmp_path / name
    code, stdout, err = run(capsys, "export", model, out)
    assert code == 2 and stdout == "", err
    assert_one_line_error(
        err, f"OUT '{out}' names ", "but export writes an ONNX model",
        f"give a name ending in .onnx, e.g. '{out.with_suffix('.onnx')}'",
    )  # fmt: skip
    assert "--force" not in err  # (--force replaces a file; it does not accept the name)
    assert not out.exists()
    code, stdout, err = run(capsys, "export", model, out, "--force")  # the same refusal
    assert code == 2 and stdout == "", err
    assert_one_line_error(err, f"OUT '{out}' names ", "give a name ending in .onnx")
    assert not out.exists()


def test_export_writes_onnx_and_suffixless_names(capsys, tmp_path):
    pytest.importorskip("onnx")
    _, model = model_of(capsys, tmp_path)
    for name in ("m.onnx", "m"):
        code, out, err = run(capsys, "export", model, tmp_path / name)
        assert code == 0 and out.startswith(f"wrote {tmp_path / name} (ONNX opset"), err


def train_with_checkpoint(capsys, tmp_path, ck, *extra: str) -> tuple[int, str, str]:
    data = write_csv(tmp_path / "d.csv", HEADER, rows(40))
    return run(
        capsys, "train", data, "--target", "label", *FAST, "--out", tmp_path / "m.glassnet",
        "--checkpoint-every", "1", "--checkpoint", ck, *extra,
    )  # fmt: skip


@pytest.mark.parametrize("force", [[], ["--force"]])
@pytest.mark.parametrize("name", ["ck.csv", "ck.onnx", "ck.txt", "ck.json"])
def test_checkpoint_refuses_a_name_of_another_format(capsys, tmp_path, name, force):
    """`--checkpoint ck.csv` wrote a binary checkpoint under a CSV name (--force replaces
    a file; it does not accept the name)."""
    ck = tmp_path / name
    code, _, err = train_with_checkpoint(capsys, tmp_path, ck, *force)
    assert code == 2, err
    assert_one_line_error(
        err, f"--checkpoint '{ck}' names ", "but train writes a checkpoint there",
        f"give a name ending in .ckpt, e.g. '{ck.with_suffix('.ckpt')}'",
    )  # fmt: skip
    assert not ck.exists() and not (tmp_path / "m.glassnet").exists()


@pytest.mark.parametrize("name", ["ck.ckpt", "ck.safetensors", "ck", "ck.glassnet"])
def test_checkpoint_takes_its_own_names(capsys, tmp_path, name):
    ck = tmp_path / name
    code, _, err = train_with_checkpoint(capsys, tmp_path, ck)
    assert code == 0 and ck.is_file(), err


# ---------------------------- 10. a truth table is trained and scored whole, by default

GATES = ["and", "or", "nand", "nor", "xor", "xnor"]


@pytest.mark.parametrize("gate", GATES)
def test_a_truth_table_is_trained_and_scored_whole_by_default(capsys, tmp_path, gate):
    """`train --dataset xnor` held one of the 4 rows out: accuracy 0, with overfitting
    advice (--early-stopping would hold out another)."""
    code, out, err = run(capsys, "train", "--dataset", gate, "--out", tmp_path / "g.glassnet")
    assert code == 0, err
    assert (
        f"split     4 train, no test split (seed 0): --dataset {gate} is a truth table, "
        "trained and scored whole\n" in out
    ), out
    assert "table     4 rows, the whole truth table: accuracy 1.0000 (4 of 4 right)" in out, out
    assert "\ntest " not in out and err == "", (out, err)


@pytest.mark.parametrize(
    ("flags", "held", "leave"),
    [
        (["--test-split", "0.25"], "1 for testing (--test-split 0.25)",
         "--test-split 0.25 (0 is a truth table's default)"),
        (["--early-stopping"], "1 for validation (--early-stopping)", "--early-stopping"),
        (["--val-split", "0.25", "--early-stopping"],
         "1 for validation (--val-split 0.25, --early-stopping)",
         "--val-split 0.25 and --early-stopping"),
        (["--val-split", "0.25"], "1 for validation (--val-split 0.25)", "--val-split 0.25"),
        (["--test-split", "0.25", "--val-split", "0.25"],
         "1 for testing (--test-split 0.25) and 1 for validation (--val-split 0.25)",
         "--test-split 0.25 (0 is a truth table's default) and --val-split 0.25"),
    ],
)  # fmt: skip
def test_a_truth_table_with_rows_held_out_says_why_they_score_nothing(
    capsys, tmp_path, flags, held, leave
):
    """The advice names the options given, only those (it named --test-split, --val-split
    and --early-stopping whichever was given)."""
    code, out, err = run(
        capsys, "train", "--dataset", "xor", *flags, "--out", tmp_path / "g.glassnet"
    )
    assert code == 0, err
    lines = [x for x in err.splitlines() if x.startswith("glassnet: warning: ")]
    assert len(lines) == 1, err
    assert lines[0].startswith(
        "glassnet: warning: --dataset xor is a truth table of 4 rows, each a case of its own: "
        "the rows held out, 1 for "
    ), err
    assert f"the rows held out, {held}, are cases" in lines[0], err
    assert lines[0].endswith(f"train and score on the whole table: leave out {leave}"), err
    assert "overfits" not in err and "--l2" not in err, err


def test_other_datasets_keep_the_default_test_split(capsys, tmp_path):
    code, out, err = run(
        capsys, "train", "--dataset", "moons", "--epochs", "1", "--out", tmp_path / "m.glassnet"
    )
    assert code == 0, err
    assert "split     150 train, 50 test (seed 0)\n" in out, out
    assert "truth table" not in out + err
