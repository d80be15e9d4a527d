"""The command line (round 14): train --stream decides a number column with stray text as
train does in memory, the held-out repeats warned of only where they are no chance, --out
names that do not misdescribe the file, a streamed file sorted by its label, the help an
unknown argument points to, and a resumed run's changed settings."""

from __future__ import annotations

import random

import numpy as np
import pytest
from cli_helpers import FAST, assert_one_line_error, run, warnings, write_csv
from memory_helpers import traced

from glassnet.io import load_pipeline

FAST1 = ["--epochs", "1", "--hidden", "4", "--seed", "0", "-q"]


def stray_csv(tmp_path, word: str, at: int = 200, rows: int = 400):
    """Column 'a' of numbers with one ``word`` (data row ``at``: line at + 2)."""
    rng = random.Random(3)
    table = []
    for i in range(rows):
        a, b = round(rng.gauss(0, 1), 3), round(rng.gauss(0, 1), 3)
        table.append([word if i == at else a, b, "yes" if a + b > 0 else "no"])
    return write_csv(tmp_path / "stray.csv", ["a", "b", "label"], table)


# ---------------------------------------------------------------- 1. stray text, streamed


@pytest.mark.parametrize("word", ["TBD", "oops", "pending", "x"])
def test_train_stream_refuses_a_stray_word_among_numbers_as_in_memory(capsys, tmp_path, word):
    """train --stream one-hot encoded a number column with one stray word (381 inputs, and
    predict then failed on any number unseen), where train in memory refuses it."""
    pytest.importorskip("pyarrow")
    data = stray_csv(tmp_path, word)
    out = ["--out", tmp_path / "m.glassnet"]
    code, _, err = run(capsys, "train", data, "--target", "label", *FAST1, *out)
    assert code == 2 and f"Non-numeric value '{word}' at line 202" in err, err
    code, _, err = run(capsys, "train", data, "--target", "label", "--stream", *FAST1, *out)
    assert code == 2, err
    assert_one_line_error(
        err,
        f"'{data}' line 202: column 'a' holds numbers and 1 value(s) that are not numbers "
        f"('{word}')",
        f"pass --missing {word}",
        "else fix the cell at that line",
    )
    assert not (tmp_path / "m.glassnet").exists()


def test_train_stream_refuses_shoe_sizes_and_a_few_letters_advising_categorical(capsys, tmp_path):
    """Shoe sizes 35 ... 46 in most rows and S, M, L in a few: in memory a number column
    with stray text ('pass --categorical size'); the stream trained 16 one-hot inputs."""
    pytest.importorskip("pyarrow")
    codes = [str(n) for n in range(35, 47)] * 20 + ["S", "M", "L"] * 5
    random.Random(1).shuffle(codes)
    table = [[c, i % 7, "yes" if i % 2 else "no"] for i, c in enumerate(codes)]
    data = write_csv(tmp_path / "shoe.csv", ["size", "other", "label"], table)
    out = ["--out", tmp_path / "m.glassnet"]
    code, _, err = run(capsys, "train", data, "--target", "label", *FAST1, *out)
    assert code == 2 and "pass --categorical size" in err, err
    code, _, err = run(capsys, "train", data, "--target", "label", "--stream", *FAST1, *out)
    assert code == 2, err
    assert_one_line_error(
        err,
        "column 'size' holds numbers and 3 value(s) that are not numbers ('L', 'M', 'S')",
        "if the column holds categories ('L', 'M', 'S'), pass --categorical size",
    )
    # as the in-memory path does, --categorical keeps the codes as text there
    code, _, err = run(
        capsys, "train", data, "--target", "label", "--categorical", "size", *FAST1, *out
    )
    assert code == 0, err


def test_train_stream_refuses_one_text_in_more_cells_than_the_numbers_as_in_memory(
    capsys, tmp_path
):
    """One text beside numbers, in more cells than they fill: train in memory refuses it
    (each number would be a category of its own; --categorical keeps codes); so does the
    stream, which kept it one-hot."""
    pytest.importorskip("pyarrow")
    cells = [str(n) for n in range(10, 40)] + ["pending"] * 60
    random.Random(2).shuffle(cells)
    table = [[c, i % 5, "yes" if i % 2 else "no"] for i, c in enumerate(cells)]
    data = write_csv(tmp_path / "p.csv", ["a", "b", "label"], table)
    out = ["--out", tmp_path / "m.glassnet"]
    code, _, err = run(capsys, "train", data, "--target", "label", *FAST1, *out)
    assert code == 2 and "--categorical a" in err, err
    code, _, err = run(capsys, "train", data, "--target", "label", "--stream", *FAST1, *out)
    assert code == 2, err
    assert_one_line_error(err, "column 'a'", "('pending')", "--categorical a")


def test_text_categories_in_most_cells_train_alike_streamed_and_in_memory(capsys, tmp_path):
    """Codes 1 ... 10 in a few rows and A, B in most: text, in memory and streamed."""
    pytest.importorskip("pyarrow")
    cells = [str(n) for n in range(1, 11)] + ["A"] * 100 + ["B"] * 100
    random.Random(4).shuffle(cells)
    table = [[c, i % 5, "yes" if i % 2 else "no"] for i, c in enumerate(cells)]
    data = write_csv(tmp_path / "t.csv", ["code", "b", "label"], table)
    for extra in ([], ["--stream"]):
        code, out, err = run(
            capsys, "train", data, "--target", "label", *FAST1, *extra,
            "--out", tmp_path / "m.glassnet", "--force",
        )  # fmt: skip
        assert code == 0, err
        assert "-> 13 inputs" in out, out


def test_train_stream_quotes_a_non_finite_cell_as_written(capsys, tmp_path):
    """'Infinity' was reported as 'holds inf'."""
    pytest.importorskip("pyarrow")
    table = [
        ["Infinity" if i == 30 else i * 0.5, i % 3, "yes" if i % 2 else "no"] for i in range(80)
    ]
    data = write_csv(tmp_path / "inf.csv", ["a", "b", "label"], table)
    code, _, err = run(
        capsys, "train", data, "--target", "label", "--stream", *FAST1,
        "--out", tmp_path / "m.glassnet",
    )  # fmt: skip
    assert code == 2, err
    assert_one_line_error(err, "line 32: column 'a' holds 'Infinity'")


# ---------------------------------------------------------------- 2. repeats by chance


def shop(tmp_path, n: int = 200, seed: int = 3):
    """Rows drawn independently: integer prices 1-100 and revenue = price * 1..5; no row
    is a copy of another, and about 1 in 7 repeats another by chance."""
    rng = random.Random(seed)
    table = []
    for _ in range(n):
        p = rng.randint(1, 100)
        table.append([p, p * rng.randint(1, 5), "yes" if p > 50 else "no"])
    return write_csv(tmp_path / "shop.csv", ["unit_price", "revenue", "bought"], table)


@pytest.mark.parametrize("seed", [3, 5])
def test_rows_that_repeat_by_chance_are_not_warned_of(capsys, tmp_path, seed):
    """'14 of the 50 test rows (28%) repeat a training row exactly' for rows drawn
    independently: the docs promise the warning only where a repeat is no chance."""
    data = shop(tmp_path, seed=seed)
    code, _, err = run(
        capsys, "train", data, "--target", "bought", *FAST, "--out", tmp_path / "m.glassnet"
    )
    assert code == 0, err
    assert not [w for w in warnings(err) if "repeat a training row" in w], err


def test_rows_appended_again_are_still_warned_of(capsys, tmp_path):
    """Copies of a share of the rows (appended again at the end) are no chance."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 2)).round(3)
    table = [[a, b, "y" if a + b > 0 else "n"] for a, b in X.tolist()]
    table += [table[i] for i in rng.choice(1000, 300, replace=False).tolist()]
    data = write_csv(tmp_path / "appended.csv", ["a", "b", "label"], table)
    code, _, err = run(
        capsys, "train", data, "--target", "label", *FAST, "--out", tmp_path / "m.glassnet"
    )
    assert code == 0, err
    said = [w for w in warnings(err) if "repeat a training row" in w]
    assert len(said) == 1 and "holds 300 repeated rows" in said[0], err


def test_copied_rows_are_told_by_the_counts_of_records():
    import glassnet.cli as cli

    # records seen once, twice, three times ... (each record's count of rows)
    twice = np.array([2] * 200)  # a file written twice
    assert cli._copied_rows(twice)
    chance = np.array([1] * 128 + [2] * 30 + [3] * 4)  # rows drawn from 500 records
    assert not cli._copied_rows(chance)
    appended = np.array([1] * 700 + [2] * 300)  # 300 of 1000 rows appended again
    assert cli._copied_rows(appended)
    assert not cli._copied_rows(np.array([1] * 59 + [2]))  # a single repeat


# ---------------------------------------------------------------- 3. --out suffixes


def small(tmp_path):
    table = [[i, (i * 7) % 5, "yes" if i % 2 else "no"] for i in range(1, 9)]
    return write_csv(tmp_path / "t.csv", ["a", "b", "label"], table)


@pytest.mark.parametrize("name", ["preds.csv", "model.tsv", "m.onnx", "m.txt"])
def test_train_out_refuses_a_name_of_another_format(capsys, tmp_path, name):
    """train --out preds.csv wrote a binary model file under a .csv name."""
    data = small(tmp_path)
    code, _, err = run(
        capsys, "train", data, "--target", "label", *FAST1, "--test-split", "0",
        "--out", tmp_path / name,
    )  # fmt: skip
    assert code == 2, err
    stem = name.rsplit(".", 1)[0]
    assert_one_line_error(
        err,
        f"--out '{tmp_path / name}' names",
        "but train writes a glassnet model file",
        f"give a name ending in .glassnet, e.g. '{tmp_path / stem}.glassnet'",
    )
    assert not (tmp_path / name).exists()


@pytest.mark.parametrize("name", ["preds.glassnet", "preds.safetensors", "preds.ckpt"])
def test_predict_out_refuses_a_model_name(capsys, tmp_path, name):
    """predict --out preds.glassnet wrote CSV text under the model files' suffix."""
    data = small(tmp_path)
    model = tmp_path / "m.glassnet"
    code, _, err = run(
        capsys, "train", data, "--target", "label", *FAST1, "--test-split", "0", "--out", model
    )
    assert code == 0, err
    code, _, err = run(capsys, "predict", model, data, "--out", tmp_path / name)
    assert code == 2, err
    assert_one_line_error(
        err, f"--out '{tmp_path / name}' names", "but predict writes plain CSV text",
        f"e.g. '{tmp_path / 'preds.csv'}'",
    )  # fmt: skip
    assert not (tmp_path / name).exists()


# ---------------------------------------------------------------- 4. a sorted stream


def labelled(tmp_path, n: int, order: str):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 2)).round(3)
    y = np.where(X[:, 0] - 0.5 * X[:, 1] + rng.normal(size=n) > 0, "yes", "no")
    idx = np.argsort(y, kind="stable") if order == "sorted" else np.arange(n)
    table = [[a, b, t] for (a, b), t in zip(X[idx].tolist(), y[idx].tolist())]
    return write_csv(tmp_path / f"{order}.csv", ["f0", "f1", "label"], table)


def test_train_stream_warns_of_a_file_sorted_by_its_label(capsys, tmp_path):
    """A file sorted by its label trained a model of the last class, with a loss that
    looked good and no word; a shuffled file, or one the buffer holds whole, says nothing."""
    pytest.importorskip("pyarrow")
    fast = [*FAST1, "--stream", "--buffer-size", "256", "--out", tmp_path / "m.glassnet"]
    data = labelled(tmp_path, 3000, "sorted")
    code, _, err = run(capsys, "train", data, "--target", "label", *fast)
    assert code == 0, err
    said = [w for w in warnings(err) if "long runs" in w]
    assert len(said) == 1, err
    assert f"'{data}' holds the classes of 'label' in long runs (1 change of class" in said[0]
    assert "shuffle buffer of 256 rows" in said[0]
    assert "shuf" in said[0] and "train in memory without --stream" in said[0]
    code, _, err = run(capsys, "train", labelled(tmp_path, 3000, "shuffled"), "--target",
                       "label", *fast, "--force")  # fmt: skip
    assert code == 0 and not [w for w in warnings(err) if "long runs" in w], err
    # a buffer of every row shuffles the whole file: no word
    code, _, err = run(
        capsys, "train", data, "--target", "label", *fast, "--force", "--buffer-size", "4096"
    )
    assert code == 0 and not [w for w in warnings(err) if "long runs" in w], err


# ---------------------------------------------------------------- 5. argument errors


def test_an_unknown_argument_points_to_its_commands_help(capsys, tmp_path):
    code, _, err = run(capsys, "predict", "m.glassnet", "d.csv", "-x")  # (-q: a quiet run)
    assert code == 2
    assert_one_line_error(err, "unrecognized arguments: -x (see 'glassnet predict --help')")
    code, _, err = run(capsys, "train", "x.csv", "label")
    assert code == 2
    assert_one_line_error(
        err,
        "unrecognized arguments: label; if 'label' is the target column, name it with "
        "--target: glassnet train x.csv --target label (see 'glassnet train --help')",
    )
    code, _, err = run(capsys, "--bogus")
    assert code == 2
    assert_one_line_error(err, "(see 'glassnet --help')")


def test_train_stream_suggests_the_target_column_meant(capsys, tmp_path):
    pytest.importorskip("pyarrow")
    data = small(tmp_path)
    for extra in ([], ["--stream"]):
        code, _, err = run(
            capsys, "train", data, "--target", "Label", *FAST1, *extra,
            "--out", tmp_path / "m.glassnet",
        )  # fmt: skip
        assert code == 2 and "Did you mean 'label'?" in err, (extra, err)


# ---------------------------------------------------------------- 6. --resume


def test_resume_without_stream_names_only_what_changed(capsys, tmp_path):
    """'(buffer_size 65536 -> None; dtype 'float32' -> None; stream True -> None)': the user
    changed --stream only."""
    pytest.importorskip("pyarrow")
    data = labelled(tmp_path, 200, "shuffled")
    cmd = ["train", data, "--target", "label", *FAST1, "--out", tmp_path / "m.glassnet"]
    code, _, err = run(capsys, *cmd, "--stream", "--checkpoint-every", "1")
    assert code == 0, err
    code, _, err = run(capsys, *cmd, "--epochs", "2", "--resume")
    assert code == 2
    assert_one_line_error(err, "was written with other settings (stream True -> False);")


def test_train_stream_leaves_pandas_row_index_out_as_in_memory(capsys, tmp_path):
    """pandas' df.to_csv(path) writes an unnamed first column of row numbers: the stream
    refused the file, which train in memory reads with a note; both train 2 inputs now."""
    pytest.importorskip("pyarrow")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 2)).round(3)
    table = [[i, a, b, "yes" if a > 0 else "no"] for i, (a, b) in enumerate(X.tolist())]
    data = write_csv(tmp_path / "pd.csv", ["", "a", "b", "label"], table)
    for extra in ([], ["--stream"]):
        code, out, err = run(
            capsys, "train", data, "--target", "label", *FAST1, *extra,
            "--out", tmp_path / "m.glassnet", "--force",
        )  # fmt: skip
        assert code == 0, err
        assert "2 feature columns (2 numeric, 0 categorical) -> 2 inputs" in out, out
        assert "its unnamed first column holds the row numbers 0 to 119" in err, err
    shuffled = write_csv(tmp_path / "sh.csv", ["", "a", "b", "label"], table[::-1])
    code, _, err = run(
        capsys, "train", shuffled, "--target", "label", *FAST1, "--stream",
        "--out", tmp_path / "m.glassnet", "--force",
    )  # fmt: skip
    assert code == 2, err
    assert_one_line_error(
        err, "the first column of", "in order (0, 1, 2, ...)", "to_csv(index=False)",
        "train without --stream takes a shuffled frame's index",
    )  # fmt: skip


def test_an_unknown_option_suggests_only_a_close_one(tmp_path):
    """--bogus is near no option (it was offered --out, its dashes counted as alike)."""
    import subprocess
    import sys

    (tmp_path / "d.csv").write_text("a,b,y\n1,2,0\n3,4,1\n")
    run = lambda *flags: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "glassnet", "train", "d.csv", "--target", "y", *flags],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert "did you mean" not in run("--bogus").stderr
    assert "did you mean --hidden (for --hiden)?" in run("--hiden", "8").stderr
    assert "did you mean --test-split (for --test_split)?" in run("--test_split", "0.2").stderr
    # an option the word starts with (a close match scores too low for these)
    assert "did you mean --lr (for --lr-rate)?" in run("--lr-rate", "0.1").stderr
    assert "did you mean --out (for --output)?" in run("--output", "m.glassnet").stderr
    # an option like the word's end before one it starts with
    said = run("--output-activation", "sigmoid").stderr
    assert "did you mean --activation (for --output-activation)?" in said


def test_the_range_check_of_a_wide_input_makes_no_second_matrix():
    """A one-hot X of many columns is checked in blocks of rows: its peak was a float64 copy
    of X and a bool matrix beside it (predict of 40,000 rows x 7,938 inputs: 5.4 GB)."""

    from glassnet import cli

    X = np.zeros((1000, 20_000))  # 160 MB
    X[-1, -1] = 1.0
    peak = traced(cli._check_range, X, None, None, np.dtype(np.float32), "f.csv", "fix it")[1]
    assert peak < 0.3 * X.nbytes, peak


def test_dot_thousands_warning_names_the_command_lines_flags(tmp_path):
    """read_csv's advice (decimal=',', dot_thousands='decimal') in the command line's
    words, as a warning: the column is read as written (1.010 may be a code)."""
    import subprocess
    import sys

    rows = [f"K{i};{v};ja" for i, v in enumerate(["15.650", "8.914", "987", "12.300", "450"] * 4)]
    rows += [f"L{i};{v};nein" for i, v in enumerate(["1.650", "3.914", "97", "2.300", "45"] * 4)]
    (tmp_path / "de.csv").write_text("Kunde;Umsatz;Kauf\n" + "\n".join(rows) + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "glassnet", "train", "de.csv", "--target", "Kauf", "-q",
         "--epochs", "1", "--drop", "Kunde", "--out", "m.glassnet"],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    err = done.stderr
    assert "glassnet: warning: Column 'Umsatz'" in err and "give --decimal ," in err, err
    assert "decimal=','" not in err and "dot_thousands" not in err, err


def test_long_codes_read_as_categories_are_not_called_lookalikes(capsys, tmp_path):
    """Five 20-digit account codes with --categorical (as the stream's warning advises):
    they were said to differ only in how a number is written, float64 merging them."""
    codes = [f"1234567890123456789{d}" for d in "01234"]
    rows = [[codes[i % 5], i % 3, "yes" if i % 2 else "no"] for i in range(60)]
    data = write_csv(tmp_path / "ids.csv", ["acct", "x", "y"], rows)
    code, _, err = run(
        capsys, "train", data, "--target", "y", "--categorical", "acct", "--epochs", "1",
        "--out", tmp_path / "m.glassnet",
    )  # fmt: skip
    assert code == 0, err
    assert "how a number is written" not in err, err


def test_export_reads_its_imputation_file_without_read_csvs_advice(tmp_path):
    """export --impute-from printed read_csv's Python advice (dot_thousands='decimal')."""
    pytest.importorskip("onnx")
    import subprocess
    import sys

    rows = [f"K{i};{v};{i % 3};{'ja' if i % 2 else 'nein'}" for i, v in
            enumerate(["15.650", "8.914", "987", "12.300", "450"] * 4)]  # fmt: skip
    rows.append("K99;;1;ja")
    (tmp_path / "de.csv").write_text("Kunde;Umsatz;Menge;Kauf\n" + "\n".join(rows) + "\n")
    cmd = [sys.executable, "-m", "glassnet"]
    done = subprocess.run(
        [*cmd, "train", "de.csv", "--target", "Kauf", "--drop", "Kunde", "--impute", "mean",
         "--epochs", "1", "-q", "--out", "m.glassnet"],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [*cmd, "export", "m.glassnet", "m.onnx", "--impute-from", "de.csv"],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "dot_thousands" not in done.stderr and "decimal=','" not in done.stderr, done.stderr


def test_a_target_of_long_codes_merged_into_fewer_classes_is_warned_of(capsys, tmp_path):
    """Five 20-digit account codes as the target became 2 classes in silence (then a
    warning pointed to --categorical); class labels are now read exactly, as written: 5
    classes, no warning, with --categorical or without."""
    codes = ["12345678901234567890", "12345678901234567891", "98765432109876543210",
             "98765432109876543211", "12345678901234567892"]  # fmt: skip
    rows = [[round(i * 0.37 % 1, 3), i % 3, codes[i % 5]] for i in range(100)]
    data = write_csv(tmp_path / "acct.csv", ["x", "z", "konto"], rows)
    out = tmp_path / "m.glassnet"
    code, _, err = run(
        capsys, "train", data, "--target", "konto", "--task", "multiclass", "--epochs", "1",
        "--out", out,
    )  # fmt: skip
    assert code == 0, err
    assert not [w for w in warnings(err) if "more digits than float64 keeps" in w], err
    assert len(load_pipeline(out).classes_) == 5
    code, _, err = run(
        capsys, "train", data, "--target", "konto", "--categorical", "konto", "--epochs", "1",
        "--out", out, "--force",
    )  # fmt: skip
    assert code == 0 and "more digits" not in err, err
