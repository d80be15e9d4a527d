"""Tests for glassnet.cli from a fifth audit, on files as practitioners bring them: a file
whose rows repeat (the held-out score is then on rows the model trained on), and long text
cells (a review, a description) that messages must not print whole."""

from __future__ import annotations

import re

import numpy as np
from cli_helpers import FAST, HEADER, rows, run, warnings, write_csv

# ---------------------------------------------------------------- 1. repeated rows


def test_held_out_rows_that_repeat_training_rows_are_warned_of(capsys, tmp_path):
    """A file written twice (or with its rows appended again) puts copies of training rows
    in the test split: the test score is then not on unseen data, and train says so."""
    twice = rows(60) * 2
    data = write_csv(tmp_path / "twice.csv", HEADER, twice)
    out = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", out, *FAST)
    assert code == 0, err
    said = [w for w in warnings(err) if "repeat a training row" in w]
    assert len(said) == 1, err
    # 120 rows, 30 held out for testing, each with its copy somewhere: those whose copy is
    # among the 90 training rows are counted
    k = int(re.search(r"(\d+) of the 30 test rows \((\d+)%\)", said[0]).group(1))
    assert 2 <= k <= 30 and f"({100 * k / 30:.0f}%)" in said[0]
    assert "holds 60 repeated rows" in said[0]
    assert "drop_duplicates" in said[0]


def test_repeated_validation_rows_are_warned_of_too(capsys, tmp_path):
    data = write_csv(tmp_path / "twice.csv", HEADER, rows(60) * 2)
    out = tmp_path / "m.glassnet"
    code, _, err = run(
        capsys, "train", data, "--target", "label", "--out", out, "--test-split", "0",
        "--val-split", "0.25", *FAST,
    )  # fmt: skip
    assert code == 0, err
    said = [w for w in warnings(err) if "repeat a training row" in w]
    assert len(said) == 1 and "of the 30 validation rows" in said[0], err


def test_rows_that_repeat_by_nature_are_not_warned_of(capsys, tmp_path):
    """Few distinct values (a truth table, small counts, categories) repeat rows by nature:
    no warning; nor for a file without repeats, or with a single repeated row."""
    rng = np.random.default_rng(0)
    small = [[int(a), int(b), "yes" if a == b else "no"] for a, b in rng.integers(0, 3, (80, 2))]
    once = rows(60)
    once.append(list(once[0]))  # one row twice
    for name, table in (("small.csv", small), ("plain.csv", rows(60)), ("once.csv", once)):
        data = write_csv(tmp_path / name, HEADER, table)
        code, _, err = run(
            capsys, "train", data, "--target", "label", "--out", tmp_path / "m.glassnet",
            "--force", "--val-split", "0.2", *FAST,
        )  # fmt: skip
        assert code == 0, err
        assert not [w for w in warnings(err) if "repeat a training row" in w], (name, err)


# ---------------------------------------------------------------- 2. long text cells


def long_table(tmp_path, note: str = "x" * 10, label_at_3: str = "yes"):
    """The audits' table with a text column 'note' whose cell on line 4 is 200,000
    characters long (a free-text field: a review, a description)."""
    table = [[a, b, "x" * 200_000 if i == 2 else note, y] for i, (a, b, y) in enumerate(rows(40))]
    table[3][3] = label_at_3
    return write_csv(tmp_path / "long.csv", ["a", "b", "note", "label"], table)


def one_short_line(err: str, *needles: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err[:2000]
    assert len(lines[0]) < 600, lines[0][:2000]
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def test_long_cells_are_shown_abridged_by_predict_evaluate_and_info(capsys, tmp_path):
    """Errors list a few values, and each value abridged: a 300,000-character cell made an
    error line of 500,000 characters, and info a line of 200,000."""
    model = tmp_path / "m.glassnet"
    code, out, err = run(capsys, "train", long_table(tmp_path), "--target", "label",
                         "--out", model, *FAST)  # fmt: skip
    assert code == 0, err[:2000]
    new = write_csv(tmp_path / "new.csv", ["a", "b", "note"], [[0.1, 0.2, "y" * 300_000]])
    code, _, err = run(capsys, "predict", model, new)
    assert code == 2
    one_short_line(err, "glassnet: error: ", "(300,000 characters)", "(200,000 characters)",
                   "--unknown ignore")  # fmt: skip
    two = [[0.1, 0.2, "x" * 10, "z" * 300_000], [0.3, 0.1, "x" * 10, "yes"]]
    scored = write_csv(tmp_path / "scored.csv", ["a", "b", "note", "label"], two)
    code, _, err = run(capsys, "evaluate", model, scored)
    assert code == 2
    one_short_line(err, "glassnet: error: ", "(300,000 characters)", "first at line 2")
    code, out, err = run(capsys, "info", model)
    assert code == 0, err
    assert max(map(len, out.splitlines())) < 300
    assert "(200,000 characters)" in out
    # explain's row line and its compact view's terms ('note=xxx...' inputs): 1 MB before
    for flags in ([], ["--full"]):
        code, out, err = run(capsys, "explain", model, "--row", 3, tmp_path / "long.csv", *flags)
        assert code == 0, err
        assert max(map(len, out.splitlines())) < 700, max(map(len, out.splitlines()))
        assert "(200,000 characters)" in out.splitlines()[0]


def test_a_long_class_label_is_abridged_in_train_and_evaluate_tables(capsys, tmp_path):
    data = long_table(tmp_path, label_at_3="q" * 5000)
    model = tmp_path / "m.glassnet"
    code, out, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST)
    assert code == 0, err[:2000]
    assert max(map(len, out.splitlines())) < 300, out[:2000]
    assert "(5,000 characters)" in out
    # the warning of a class of a single row names it, abridged
    assert max(map(len, err.splitlines())) < 600, err[:2000]
    code, out, err = run(capsys, "evaluate", model, data)
    assert code == 0, err[:2000]
    assert max(map(len, out.splitlines())) < 300, out[:2000]


def test_a_long_cell_in_an_error_from_the_reader_is_abridged(capsys, tmp_path):
    """The reader's own messages (a text in a number column) go through the same line."""
    table = rows(40)
    table[3][0] = "q" * 5000
    data = write_csv(tmp_path / "t.csv", HEADER, table)
    code, _, err = run(capsys, "train", data, "--target", "label", *FAST)
    assert code == 2
    one_short_line(err, "glassnet: error: ", "at line 5", "column 'a'", "(5,000 characters)")


def test_abridging_keeps_paths_prose_and_short_values_whole():
    from glassnet.cli import _abridged

    path = "/tmp/" + "d" * 120 + "/data.csv"
    text = (
        f"the model's file '{path}' holds 'yes' and 'no'; glassnet's reader wrote "
        + "a long sentence without a quote " * 20
    )
    assert _abridged(text) == text
    long = "'" + "v" * 300 + "'"
    assert _abridged(f"value {long} at line 2") == (
        f"value '{'v' * 60}...{'v' * 10}' (300 characters) at line 2"
    )


def test_one_hot_errors_abridge_long_categories():
    import pytest

    from glassnet.preprocessing import OneHotEncoder

    enc = OneHotEncoder().fit(np.array([["a"], ["b" * 1000]], dtype=object), names=["note"])
    with pytest.raises(ValueError) as info:
        enc.transform(np.array([["c" * 100_000]], dtype=object))
    message = str(info.value)
    assert len(message) < 500, message[:2000]
    assert "(100,000 characters)" in message and "(1,000 characters)" in message


# ---------------------------------------------------------------- 3. digits grouped by '_'


def bands(tmp_path):
    """Age bands written 18_24, 25_34, 35_44 (as survey exports write them), a feature and
    the target: Python's float() reads 18_24 as the number 1824."""
    rng = np.random.default_rng(8)
    names = ["18_24", "25_34", "35_44"]
    table = []
    for _ in range(60):
        a, b = float(rng.normal()), int(rng.integers(0, 3))
        table.append([f"{a:.3f}", names[b], names[(b + (a > 0)) % 3]])
    return write_csv(tmp_path / "bands.csv", ["a", "band", "label"], table)


def test_digits_grouped_by_underscores_are_text_as_spreadsheets_read_them(capsys, tmp_path):
    """18_24 was read as 1824: the classes were printed 1824, 2534, 3544 and predict wrote
    them so, while --stream (and pandas) read the same file as text."""
    data, model = bands(tmp_path), tmp_path / "m.glassnet"
    code, out, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    assert "3 classes: 18_24, 25_34, 35_44" in out
    assert "2 feature columns (1 numeric, 1 categorical) -> 4 inputs" in out
    code, out, err = run(capsys, "info", model)
    assert code == 0, err
    assert "band    categorical  one-hot: 18_24, 25_34, 35_44" in out
    code, out, err = run(capsys, "predict", model, data)
    assert code == 0, err
    assert set(out.split()[1:]) <= {"18_24", "25_34", "35_44"}, out
    code, out, err = run(capsys, "evaluate", model, data)
    assert code == 0, err
    assert "18_24" in out and "1824" not in out


def test_thousands_grouped_by_underscores_are_named_not_read(capsys, tmp_path):
    """1_000 among plain numbers is a number written for people, as 1,000 is: an error
    naming the cell (it was read as 1000 in memory, while --stream read it as text)."""
    table = rows(40)
    table[3][0] = "1_000"
    data = write_csv(tmp_path / "t.csv", HEADER, table)
    code, _, err = run(capsys, "train", data, "--target", "label", *FAST)
    assert code == 2
    one_short_line(err, "column 'a'", "'1_000' at line 5", "thousands separator")


def test_predict_names_an_underscored_cell_in_a_number_column(capsys, tmp_path):
    data, model = write_csv(tmp_path / "t.csv", HEADER, rows(40)), tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    new = write_csv(tmp_path / "new.csv", HEADER, [["0.5", "0.1", "yes"], ["1_5", "0.2", "no"]])
    for argv in (
        ["predict", model, new],
        ["evaluate", model, new],
        ["explain", model, "--row", 1, new],
    ):
        code, _, err = run(capsys, *argv)
        assert code == 2, err
        one_short_line(err, "column 'a'", "'1_5' at line 3", "text, not a number")


# ---------------------------------------------------------------- 4. evaluate --target order


def two_targets(tmp_path):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(120, 3))
    table = [[*np.round(x, 3), round(3 * x[0] + 1, 3), round(x[1] - x[2], 3)] for x in X]
    return write_csv(tmp_path / "two.csv", ["a", "b", "c", "r1", "r2"], table)


def test_evaluate_pairs_the_models_own_target_names_by_name(capsys, tmp_path):
    """--target r2,r1 for a model of r1,r2 compared output 1 (r1) with the column r2 and
    printed the result as r2's scores (R^2 -4.7, where the model scores 0.99)."""
    data, model = two_targets(tmp_path), tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "r1,r2", "--out", model,
                       "--epochs", "30", "--seed", "0", "-q")  # fmt: skip
    assert code == 0, err
    code, plain, err = run(capsys, "evaluate", model, data)
    assert code == 0, err
    code, swapped, err = run(capsys, "evaluate", model, data, "--target", "r2,r1")
    assert code == 0, err
    assert swapped == plain


def test_evaluate_refuses_a_models_target_name_at_another_output(capsys, tmp_path):
    data, model = two_targets(tmp_path), tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "r1,r2", "--out", model, *FAST)
    assert code == 0, err
    other = tmp_path / "other.csv"
    other.write_text(data.read_text().replace("r1,r2", "r1,r2,x", 1).replace("\n", ",0\n")
                     .replace("r1,r2,x,0", "r1,r2,x", 1))  # fmt: skip
    code, _, err = run(capsys, "evaluate", model, other, "--target", "r2,x")
    assert code == 2
    one_short_line(err, "'r2' as the column of the model's output 1", "r1,r2")


def test_a_pipeline_names_an_underscored_cell_in_a_number_column(capsys, tmp_path):
    """gn.io.load_model's Pipeline reads raw rows as the command line does: 1_5 is text."""
    import pytest

    from glassnet.io import load_model

    data, model = write_csv(tmp_path / "t.csv", HEADER, rows(40)), tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    pipe = load_model(model)
    assert pipe.predict({"a": ["0.5", "0.2"], "b": ["0.1", "0.3"]}).shape == (2,)
    with pytest.raises(ValueError, match=r"column 'a' holds '1_5' at row 1, which is text"):
        pipe.predict({"a": ["0.5", "1_5"], "b": ["0.1", "0.3"]})
    bands_model = tmp_path / "bands.glassnet"
    code, _, err = run(capsys, "train", bands(tmp_path), "--target", "label", "--out",
                       bands_model, *FAST)  # fmt: skip
    assert code == 0, err
    assert load_model(bands_model).predict({"a": ["0.1"], "band": ["18_24"]})[0] in {
        "18_24", "25_34", "35_44"
    }  # fmt: skip


# ---------------------------------------------------------------- 5. the header row again


def test_a_header_row_again_in_a_number_column_is_named_so(capsys, tmp_path):
    """cat a.csv b.csv: the second header, at line 42, was a 'Non-numeric value' to fix or
    impute (and for a column named without digits, a text to read as missing)."""
    one = write_csv(tmp_path / "one.csv", ["age", "b", "label"], rows(40))
    joined = tmp_path / "joined.csv"
    joined.write_text(one.read_text() * 2)
    code, _, err = run(capsys, "train", joined, "--target", "label", *FAST)
    assert code == 2
    line = one_short_line(err, "line 42", "'age', the name of its number column", "header row")
    assert "--impute" not in line and "--missing" not in line


def test_a_header_row_again_among_text_columns_is_no_row_of_data(capsys, tmp_path):
    """Text columns read the header again as a row: 'label' became a class of its own (with
    a warning of a one-row class), and predict wrote a prediction for it, one line more than
    the rows of data."""
    rng = np.random.default_rng(1)
    table = [[rng.choice(["red", "blue"]), rng.choice(["S", "M", "L"]), rng.choice(["yes", "no"])]
             for _ in range(40)]  # fmt: skip
    one = write_csv(tmp_path / "one.csv", ["color", "size", "label"], table)
    joined = tmp_path / "joined.csv"
    joined.write_text(one.read_text() + one.read_text() + one.read_text())
    code, _, err = run(capsys, "train", joined, "--target", "label", *FAST)
    assert code == 2
    one_short_line(err, "line 42 of", "repeats the header row (and 1 more line(s) like it)")
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", one, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    new = tmp_path / "new.csv"
    new.write_text("color,size\nred,S\ncolor,size\nblue,M\n")
    code, out, err = run(capsys, "predict", model, new)
    assert code == 2 and out == ""
    one_short_line(err, "line 3 of", "repeats the header row")


def test_a_header_row_again_is_named_when_streamed(capsys, tmp_path):
    """--stream read a joined file's second header as a row: among text columns 'label'
    became a class of its own; among numbers, a column 'of numbers and the text x1'."""
    import pytest

    pytest.importorskip("pyarrow")
    rng = np.random.default_rng(1)
    text = [[rng.choice(["red", "blue"]), rng.choice(["S", "M"]), rng.choice(["yes", "no"])]
            for _ in range(40)]  # fmt: skip
    for header, table in ((["color", "size", "label"], text), (HEADER, rows(40))):
        one = write_csv(tmp_path / "one.csv", header, table)
        joined = tmp_path / "joined.csv"
        joined.write_text(one.read_text() * 2)
        code, _, err = run(capsys, "train", joined, "--target", "label", "--stream", *FAST)
        assert code == 2, err
        one_short_line(err, "repeats its header row further down", repr(header[0]))


# ---------------------------------------------------------------- 6. accents written two ways


def test_a_category_in_another_unicode_composition_is_shown_apart(capsys, tmp_path):
    """'Café' with its accent as a combining mark (NFD, as macOS tools may write it) is
    another category: the error said "not seen at fit: ['Café']; known categories:
    ['Café', ...]", two texts that look the same, and training on both said nothing."""
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Café")
    rng = np.random.default_rng(12)
    table = [[f"{a:.3f}", str(rng.choice(["Café", "Zoo"])), "yes" if a > 0 else "no"]
             for a in rng.normal(size=60)]  # fmt: skip
    data, model = write_csv(tmp_path / "cafe.csv", ["a", "city", "label"], table), tmp_path / "m"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    new = write_csv(tmp_path / "new.csv", ["a", "city"], [["0.1", nfd]])
    code, _, err = run(capsys, "predict", model, new)
    assert code == 2
    one_short_line(err, r"not seen at fit: ['Cafe\u0301']", r"write 'Café' for 'Cafe\u0301'")
    table[5][1] = nfd
    mixed = write_csv(tmp_path / "mixed.csv", ["a", "city", "label"], table)
    code, _, err = run(capsys, "train", mixed, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    said = [w for w in warnings(err) if "how an accent is encoded" in w]
    assert len(said) == 1 and r"'Cafe\u0301' and 'Café'" in said[0], err


def test_a_label_in_another_unicode_composition_is_shown_apart(capsys, tmp_path):
    import unicodedata

    rows_ = [[a, b, "ouí" if y == "yes" else "non"] for a, b, y in rows(40)]
    data, model = write_csv(tmp_path / "t.csv", HEADER, rows_), tmp_path / "m"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    nfd = [[a, b, unicodedata.normalize("NFD", y)] for a, b, y in rows_]
    scored = write_csv(tmp_path / "nfd.csv", HEADER, nfd)
    code, _, err = run(capsys, "evaluate", model, scored)
    assert code == 2
    one_short_line(err, r"not trained on: ['oui\u0301']", r"write 'ouí' for 'oui\u0301'")


# ---------------------------------------------------------------- 7. an empty output path


def test_an_empty_output_path_is_a_usage_error(capsys, tmp_path, monkeypatch):
    """--out "$OUT" with OUT unset: predict printed the predictions and exited 0, exercise
    wrote ./exercises, --checkpoint '' wrote the default checkpoint, train and export named
    the directory '.'; each is now a usage error naming the flag."""
    monkeypatch.chdir(tmp_path)
    data, model = write_csv(tmp_path / "t.csv", HEADER, rows(40)), tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    before = sorted(p.name for p in tmp_path.iterdir())
    cases = [
        (["predict", model, data, "--out", ""], "argument --out"),
        (["train", data, "--target", "label", "--out", "", *FAST], "argument --out"),
        (
            [
                "train",
                data,
                "--target",
                "label",
                "--checkpoint",
                "",
                "--checkpoint-every",
                1,
                "--out",
                tmp_path / "m2.glassnet",
                *FAST,
            ],
            "argument --checkpoint",
        ),  # fmt: skip
        (["export", model, ""], "argument OUT.onnx"),
        (["exercise", "--seed", 1, "--out", ""], "argument --out"),
    ]
    for argv, needle in cases:
        code, out, err = run(capsys, *argv)
        assert code == 2 and out == "", (argv, out[:200])
        one_short_line(err, needle, "an empty path")
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_an_empty_input_path_is_a_usage_error(capsys, tmp_path):
    """An empty MODEL or DATA.csv read as the directory '.': "'' is a directory"."""
    data, model = write_csv(tmp_path / "t.csv", HEADER, rows(40)), tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    cases = [
        (["predict", "", data], "argument MODEL"),
        (["predict", model, ""], "argument DATA.csv"),
        (["evaluate", model, ""], "argument DATA.csv"),
        (["explain", model, "--row", 1, ""], "argument DATA.csv"),
        (["info", ""], "argument MODEL"),
        (["export", "", tmp_path / "m.onnx"], "argument MODEL"),
        (["train", "", "--target", "label", *FAST], "argument DATA.csv"),
    ]
    for argv, needle in cases:
        code, out, err = run(capsys, *argv)
        assert code == 2 and out == "", (argv, out[:200])
        one_short_line(err, needle, "an empty path", "give the file to read")


# ---------------------------------------------------------------- 8. class codes with zeros


def test_class_labels_with_leading_zeros_are_kept_as_written(capsys, tmp_path):
    """Department codes 01, 02, 10 as the target were read as the numbers 1, 2, 10: the
    classes, the predictions and evaluate's table said 1 and 2, labels the file never holds
    ("predictions with the original label names")."""
    rng = np.random.default_rng(13)
    table = [[f"{a:.3f}", f"{b:.3f}", "01" if a > 0.5 else "02" if b > 0 else "10"]
             for a, b in rng.normal(size=(80, 2))]  # fmt: skip
    data, model = write_csv(tmp_path / "dept.csv", ["a", "b", "dept"], table), tmp_path / "m"
    code, out, err = run(capsys, "train", data, "--target", "dept", "--out", model, *FAST)
    assert code == 0, err
    assert "3 classes: 01, 02, 10" in out
    assert "leading zeros (01 at line 2" in err and "read as written" in err
    code, out, err = run(capsys, "predict", model, data)
    assert code == 0, err
    assert set(out.split()[1:]) <= {"01", "02", "10"}, out
    code, out, err = run(capsys, "evaluate", model, data)
    assert code == 0, err
    assert "  01  " in out and "  1  " not in out
    # as numbers on request
    code, out, err = run(capsys, "train", data, "--target", "dept", "--out", model, "--task",
                         "regression", *FAST)  # fmt: skip
    assert code == 0, err
    assert "regression of 'dept'" in out and "leading zeros" not in err


def test_class_labels_with_leading_zeros_are_refused_when_streamed(capsys, tmp_path):
    """--stream read 01, 02, 10 as 1, 2, 10 (pyarrow's integers): refused, not trained
    on classes other than the in-memory path's."""
    import pytest

    pytest.importorskip("pyarrow")
    rng = np.random.default_rng(13)
    table = [[f"{a:.3f}", f"{b:.3f}", "01" if a > 0.5 else "02" if b > 0 else "10"]
             for a, b in rng.normal(size=(80, 2))]  # fmt: skip
    data = write_csv(tmp_path / "dept.csv", ["a", "b", "dept"], table)
    code, _, err = run(capsys, "train", data, "--target", "dept", "--stream", *FAST)
    assert code == 2
    one_short_line(err, "'dept'", "leading zeros", "drop --stream")
    code, out, err = run(capsys, "train", data, "--target", "dept", "--stream", "--task",
                         "regression", "--out", tmp_path / "m", *FAST)  # fmt: skip
    assert code == 0, err
