"""Tests for glassnet.cli from an audit on messy CSV files: options that would do nothing,
advice that does not fit the command, and files of many columns."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from cli_helpers import assert_one_line_error, run, write_csv

FAST = ["--epochs", "3", "--hidden", "8", "--seed", "0", "-q"]


def rows(n: int = 40, seed: int = 0) -> list[list[object]]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return [[f"{a:.3f}", f"{b:.3f}", "yes" if a + b > 0 else "no"] for a, b in X]


HEADER = ["a", "b", "label"]


@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_an_impute_other_than_the_models_is_refused_not_ignored(capsys, tmp_path, command):
    # a model trained with --impute mean filled new data with its training means whatever
    # --impute said: predict --impute median ran, and filled with the means
    data = write_csv(tmp_path / "d.csv", HEADER, rows())
    model = tmp_path / "m.glassnet"
    argv = ["train", data, "--target", "label", "--impute", "mean", "--out", model, *FAST]
    code, _, err = run(capsys, *argv)
    assert code == 0, err
    new = write_csv(tmp_path / "new.csv", HEADER, [["", "0.5", "yes"], ["0.1", "0.2", "no"]])
    code, out, err = run(capsys, command, model, new, "--impute", "median")
    assert code == 2 and out == ""
    assert_one_line_error(
        err, "--impute median", "trained with --impute mean", "leave out --impute"
    )
    for same in (["--impute", "mean"], []):  # the model's own, or none: its values
        code, out, err = run(capsys, command, model, new, *same)
        assert code == 0, err
        if command == "predict":
            assert "filled 1 missing cell(s)" in err and "the training data's values" in err


@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_an_all_empty_column_at_predict_time_is_not_told_to_be_dropped(capsys, tmp_path, command):
    # "has no values to impute from: drop the column.": the model needs the column, and
    # dropping it only led to "the file lacks column 'a'"
    data = write_csv(tmp_path / "d.csv", HEADER, rows())
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    new = write_csv(tmp_path / "new.csv", HEADER, [["", "0.5", "yes"], ["", "0.2", "no"]])
    code, out, err = run(capsys, command, model, new, "--impute", "mean")
    assert code == 2 and out == ""
    needles = ["Column 'a'", "no values to impute from", "fill the column in"]
    assert_one_line_error(err, *needles, "retrain with --impute mean")
    assert "drop the column" not in err


class _Name(str):
    """A column name that counts the comparisons made with it (``list.index``, ``in`` a
    list: the lookups that make a check quadratic in the columns)."""

    __hash__ = str.__hash__

    def __eq__(self, other):
        return str.__eq__(self, other)

    def __ne__(self, other):
        return str.__ne__(self, other)


def test_a_wide_file_is_checked_in_time_linear_in_its_columns():
    # train's check of each numeric column looked the column up with list.index: quadratic
    # in the columns, 2.8 s of a 20,000-column file's 6 s (70 s at 100,000 columns). The
    # work is counted, not timed, at n columns and at 2n; twice the columns must cost about
    # twice the work, not four times. Two counts: the calls the check makes (a comparison
    # of names included), and the elements of the arrays and lists handed to those calls
    # (a Python function's arguments, an array's C method its array): a lookup done inside NumPy
    # (the names as an array, np.flatnonzero(cols == name) for each column) is one call per
    # column, but a call given the whole column set each time
    from glassnet.cli import _warn_collapsed
    from glassnet.datasets import Table
    from glassnet.preprocessing import Preprocessor

    def size(value) -> int:
        if isinstance(value, np.ndarray):
            return value.size
        return len(value) if isinstance(value, (list, tuple, dict)) else 0

    def work(n: int) -> tuple[int, int]:
        rng = np.random.default_rng(0)
        cells = rng.integers(0, 100, size=(4, n)).astype(str)
        table = Table({f"f{j}": cells[:, j].tolist() for j in range(n)})
        pre = Preprocessor().fit(table)
        X = pre.transform(table)  # (4, n)
        numeric = [_Name(name) for name in table.names]  # (each comparison, a call)
        count = elements = 0

        def profile(frame, event, arg):
            nonlocal count, elements
            if event == "call":
                count += 1
                code = frame.f_code
                names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
                elements += sum(size(frame.f_locals.get(name)) for name in names)
            elif event == "c_call":
                count += 1
                owner = getattr(arg, "__self__", None)  # (an array's method; not list.append's)
                elements += owner.size if isinstance(owner, np.ndarray) else 0

        sys.setprofile(profile)
        try:
            _warn_collapsed(X, pre, table, numeric)
        finally:
            sys.setprofile(None)
        return count, elements

    (calls, elements), (calls2, elements2) = work(1_000), work(2_000)
    assert calls2 < 2.5 * calls, (calls, calls2)
    assert elements2 < 2.5 * elements, (elements, elements2)


def test_labels_and_categories_that_differ_only_in_spelling_are_warned_of(capsys, tmp_path):
    # "Yes" beside "yes", "1" beside "1.0": three classes trained where the file meant two,
    # and "Red" beside "red" two inputs, without a word
    table = [
        [f"{i}", ["Red", "red", "blue"][i % 3], ["yes", "no", "Yes", "1", "1.0"][i % 5]]
        for i in range(30)
    ]
    data = write_csv(tmp_path / "d.csv", ["a", "color", "label"], table)
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    lines = err.strip().splitlines()
    classes = [ln for ln in lines if "classes of the target 'label'" in ln]
    assert len(classes) == 1, err
    assert "'Yes' and 'yes'" in classes[0] and "'1' and '1.0'" in classes[0]
    assert "write them the same way" in classes[0]
    colors = [ln for ln in lines if "categories of the text column 'color'" in ln]
    assert len(colors) == 1 and "'Red' and 'red'" in colors[0], err
    # distinct spellings, or the user's own --classes list: no warning
    table = [[f"{i}", ["red", "blue"][i % 2], ["yes", "no"][i % 3 % 2]] for i in range(30)]
    write_csv(data, ["a", "color", "label"], table)
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST)
    assert code == 0 and "differ only" not in err, err


@pytest.mark.parametrize("name", ["rate of x", "it's", 'say "hi" of'])
def test_a_marker_column_named_with_quotes_or_of_gets_the_command_line_fix(capsys, tmp_path, name):
    # read_csv refuses the column first; the command line reads its name back out of that
    # message (a name holding " of " or quotes included) and says it with its own flags
    table = [[["?", f"{0.5 * i:.1f}"][i % 2], "yes" if i % 3 else "no"] for i in range(20)]
    data = write_csv(tmp_path / "d.csv", [name, "label"], table)
    argv = ["train", data, "--target", "label", "--out", tmp_path / "m.glassnet", *FAST]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert_one_line_error(err, f"column {name!r}", "--missing '' --missing '?'", "--categorical")


def test_numbers_beside_a_marker_text_are_an_error_not_categories(capsys, tmp_path):
    # a column of numbers whose "?" cells were as many as the numbers was read as text: with
    # --impute the numbers became 8 one-hot categories, the "?" a ninth, without a word
    table = [
        [["?", "", f"{0.1 * i:.1f}"][i % 3], f"{i}", "yes" if i % 2 else "no"] for i in range(30)
    ]
    data = write_csv(tmp_path / "d.csv", HEADER, table)
    model = tmp_path / "m.glassnet"
    argv = ["train", data, "--target", "label", "--impute", "mean", "--out", model, *FAST]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    needles = ["column 'a'", "holds numbers and the text '?' (10 of its 20 filled cells)"]
    assert_one_line_error(err, *needles, "--missing '' --missing '?'", "--categorical a")
    code, out, err = run(capsys, *argv, "--missing", "", "--missing", "?")  # the fix it names
    assert code == 0, err
    assert "a (20, mean)" in out
    code, out, err = run(capsys, *argv, "--categorical", "a")  # codes, as the user says
    assert code == 0, err
    assert "(1 numeric, 1 categorical)" in out


@pytest.mark.parametrize("command", ["evaluate", "explain"])
def test_a_text_target_with_number_labels_scores_its_own_training_file(capsys, tmp_path, command):
    # a target of labels "1", "0" and "yes" (trained with --categorical label) was read as
    # numbers by evaluate and explain, which refused "yes" with advice to impute it
    table = [[f"{i % 7}", f"{i % 5}", ["1", "0", "yes"][i % 3]] for i in range(30)]
    data = write_csv(tmp_path / "d.csv", HEADER, table)
    model = tmp_path / "m.glassnet"
    argv = ["train", data, "--target", "label", "--categorical", "label", "--out", model]
    code, _, err = run(capsys, *argv, *FAST)
    assert code == 0, err
    extra = ["--row", "1"] if command == "explain" else []
    code, out, err = run(capsys, command, model, data, *extra)
    assert code == 0, err
    if command == "evaluate":
        assert "30 rows, target label" in out and "yes" in out


def test_text_in_a_number_target_is_not_told_to_be_imputed(capsys, tmp_path):
    # "fix the value, or leave the cell empty and pass --impute mean. If 'yes' marks missing
    # cells, ... --missing": a target is never imputed, so both led to another error
    table = [[f"{i}", f"{i % 4}", ["1", "0", "1.0", "yes"][i % 4]] for i in range(30)]
    data = write_csv(tmp_path / "d.csv", HEADER, table)
    model = tmp_path / "m.glassnet"
    argv = ["train", data, "--target", "label", "--out", model, *FAST]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    needles = ["Non-numeric value 'yes'", "column 'label'", "a target is never imputed"]
    assert_one_line_error(err, *needles, "pass --categorical label if the column holds")
    assert "--impute" not in err.replace("never imputed", "") and "--missing" not in err
    code, out, err = run(capsys, *argv, "--categorical", "label")  # the fix it names
    assert code == 0, err
    # a regression model scoring a file with text in its target
    table = [[f"{i}", f"{i % 4}", f"{i * 0.5}"] for i in range(30)]
    write_csv(data, HEADER, table)
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    new = write_csv(
        tmp_path / "new.csv", HEADER, [["1", "2", "3.5"], ["2", "3", "?"], ["3", "1", "4"]]
    )
    code, out, err = run(capsys, "evaluate", model, new)
    assert code == 2 and out == ""
    assert_one_line_error(err, "Non-numeric value '?'", "the model predicts numbers")
    assert "--missing" not in err and "--impute" not in err


@pytest.mark.parametrize("command", ["train", "predict"])
def test_a_data_file_without_read_permission_says_what_to_do(
    capsys, tmp_path, monkeypatch, command
):
    # "Permission denied 'd.csv'": no word of which argument, nor of what to do
    import glassnet.cli as cli

    data = write_csv(tmp_path / "d.csv", HEADER, rows())
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    data.chmod(0)

    def denied(path, *args, **kwargs):  # what open() raises for a user who may not read it
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(cli, "read_csv", denied)  # (root may read any file)
    argv = ["train", data, "--target", "label", "--out", model, *FAST]
    code, out, err = run(capsys, *(argv if command == "train" else ["predict", model, data]))
    assert code == 2 and out == ""
    assert_one_line_error(
        err, f"cannot read the data file '{data}'", "permission denied", "chmod u+r"
    )


@pytest.mark.parametrize(
    "cells",
    [
        ["1 234", "12 500", "987", "3 001"],  # a blank between thousands (French, SI)
        ["1\u00a0234,5", "12\u00a0500,25", "987,0", "3\u202f001,5"],  # no-break spaces
        ["1'234.50", "12'500", "987", "3\u2019001"],  # an apostrophe (Swiss)
    ],
)
def test_numbers_with_blank_or_apostrophe_thousands_are_an_error_not_text(capsys, tmp_path, cells):
    # "13 123" was read as text: each price a one-hot category, and the only word a warning
    # that called the column an ID to drop (or none, below 20 distinct values)
    table = [[cells[i % 4], f"{i}", "yes" if i % 2 else "no"] for i in range(12)]
    data = write_csv(tmp_path / "d.csv", ["price", "b", "label"], table)
    argv = ["train", data, "--target", "label", "--out", tmp_path / "m.glassnet", *FAST]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert_one_line_error(err, "column 'price'", "thousands separator", "--categorical price")
    code, out, err = run(capsys, *argv, "--categorical", "price")  # codes, as the user says
    assert code == 0, err


@pytest.mark.parametrize(
    ("a", "color", "needle"),
    [
        ("?", "red", "If '?' marks missing cells, retrain the model with every text"),
        ("0.3", "NA", "If 'NA' is a value here, retrain the model with only the texts"),
    ],
)
def test_predict_never_advises_a_missing_flag_it_refuses(capsys, tmp_path, a, color, needle):
    # predict said "list every text that does with --missing, e.g. --missing '' --missing '?'",
    # and then refused that --missing: it differs from the model's
    table = [[r[0], ["red", "blue"][i % 2], r[2]] for i, r in enumerate(rows())]
    data = write_csv(tmp_path / "d.csv", ["a", "color", "label"], table)
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    table = [[a, color], ["0.1", "red"], ["0.2", "blue"]]
    new = write_csv(tmp_path / "new.csv", ["a", "color"], table)
    code, out, err = run(capsys, "predict", model, new)
    assert code == 2 and out == ""
    assert_one_line_error(err, needle, "--missing cannot change that")


def test_columns_named_in_another_case_are_named_with_the_rename(capsys, tmp_path):
    # "missing: a; not in the model: A: is it the file the model was made for?"
    data = write_csv(tmp_path / "d.csv", HEADER, rows())
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    new = write_csv(tmp_path / "new.csv", ["A", "b"], [["0.1", "0.2"]])
    code, out, err = run(capsys, "predict", model, new)
    assert code == 2 and out == ""
    assert_one_line_error(err, "missing: a", "case included: rename 'A' to 'a'")
    assert "add or remove the others" not in err


@pytest.mark.parametrize(
    ("flags", "needle"),
    [
        (["--test-split", "0.99"], "--test-split 0.99 holds out 40 of the 40 rows"),
        (
            ["--test-split", "0.95", "--val-split", "0.9"],
            "--val-split 0.9 holds out 2 of the 2 rows that --test-split 0.95 leaves",
        ),
    ],
)
def test_a_split_that_leaves_no_training_rows_speaks_of_its_flag(capsys, tmp_path, flags, needle):
    # "--test-split 0.99: The 'test_size' parameter 0.99 leaves no training rows out of 40:
    # use a smaller test_size": a Python parameter the command line does not have
    data = write_csv(tmp_path / "d.csv", HEADER, rows())
    argv = ["train", data, "--target", "label", "--out", tmp_path / "m.glassnet", *FAST]
    code, out, err = run(capsys, *argv, *flags)
    assert code == 2 and out == ""
    assert_one_line_error(err, needle, "leaves none to train on", f"use a smaller {flags[-2]}")
    assert "test_size" not in err


def test_an_activation_with_no_hidden_layer_is_refused_not_ignored(capsys, tmp_path):
    # --hidden none --activation tanh trained a model without a tanh anywhere, and its report
    # said "MLP 2 -> 1, relu hidden"
    data = write_csv(tmp_path / "d.csv", HEADER, rows())
    argv = ["train", data, "--target", "label", "--out", tmp_path / "m.glassnet", *FAST]
    code, out, err = run(capsys, *argv, "--hidden", "none", "--activation", "tanh")
    assert code == 2 and out == ""
    assert_one_line_error(err, "--activation tanh", "--hidden none gives no hidden layer")
    code, out, err = run(capsys, *argv, "--hidden", "none")
    assert code == 0, err
    assert "MLP 2 -> 1, no hidden layer, sigmoid output" in out


def test_info_of_a_model_without_hidden_layers_shows_a_command_train_takes(capsys, tmp_path):
    # info showed "--hidden none --activation relu", which train now refuses
    data = write_csv(tmp_path / "d.csv", HEADER, rows())
    model = tmp_path / "m.glassnet"
    argv = ["train", data, "--target", "label", "--out", model, *FAST, "--hidden", "none"]
    code, _, err = run(capsys, *argv)
    assert code == 0, err
    code, out, err = run(capsys, "info", model)
    assert code == 0, err
    assert "--hidden none --optimizer adam" in out and "--activation" not in out


def test_explain_top_is_never_ignored(capsys, tmp_path):
    # --top K on a network small enough for the full trace printed the full trace, and --full
    # with --layer or --top printed it too: either option did nothing, without a word
    data = write_csv(tmp_path / "d.csv", HEADER, rows())
    model = tmp_path / "m.glassnet"
    argv = ["train", data, "--target", "label", "--out", model, *FAST[:2], "--hidden", "2", "-q"]
    code, _, err = run(capsys, *argv)
    assert code == 0, err
    code, full, err = run(capsys, "explain", model, data, "--row", "1")
    assert code == 0 and "Forward pass" in full, err
    code, out, err = run(capsys, "explain", model, data, "--row", "1", "--top", "1")
    assert code == 0, err
    assert "largest terms" in out and "Forward pass" not in out  # the compact view, top 1
    for part in (["--top", "2"], ["--layer", "1"]):
        code, out, err = run(capsys, "explain", model, data, "--row", "1", "--full", *part)
        assert code == 2 and out == ""
        assert_one_line_error(err, "--full prints the whole trace", f"and {part[0]} picks part")


def test_a_feature_column_empty_in_every_row_is_named_with_the_flag_that_drops_it(capsys, tmp_path):
    # "Missing value '' at line 2 ..., column 'notes' (and 39 more in this column): fill it in,
    # drop the row, or pass --impute mean", and --impute then said the column has no values
    data = write_csv(tmp_path / "d.csv", [*HEADER, "notes"], [[*r, ""] for r in rows()])
    argv = ["train", data, "--target", "label", "--out", tmp_path / "m.glassnet", *FAST]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert_one_line_error(err, "column 'notes'", "empty in every row", "--drop notes")
    code, out, err = run(capsys, *argv, "--drop", "notes")
    assert code == 0, err
    table = [[*r, "" if i else "a note"] for i, r in enumerate(rows())]  # one cell filled
    write_csv(data, [*HEADER, "notes"], table)
    code, out, err = run(capsys, *argv)
    assert code == 2
    # (39 of 40 cells empty: nearly empty, to leave out, not to impute from one value)
    assert_one_line_error(err, "Missing value ''", "column 'notes'", "nearly empty", "--drop notes")
