"""Tests for glassnet.cli on messy CSV files: the in-memory train, predict and evaluate."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from cli_helpers import assert_one_line_error, run, write_csv

from glassnet.io import load_pipeline

FAST = ["--epochs", "3", "--hidden", "8", "--seed", "0", "-q"]


def rows(n: int = 60, seed: int = 0) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return [
        [f"{a:.3f}", f"{b:.3f}", "yes" if a + b > 0 else "no", f"{3 * a - b:.3f}"] for a, b in X
    ]


HEADER = ["a", "b", "label", "score"]


def test_predict_ignores_the_target_columns_cells(capsys, tmp_path):
    # the rows to predict often have an empty target column: predict ignores it (its help
    # says so), so its cells, empty or not, are never an error
    data = write_csv(tmp_path / "d.csv", HEADER[:3], [r[:3] for r in rows()])
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    code, expected, err = run(capsys, "predict", model, data)
    assert code == 0, err
    new = [[a, b, "" if i % 2 else "?"] for i, (a, b, _) in enumerate(r[:3] for r in rows())]
    unlabelled = write_csv(tmp_path / "new.csv", HEADER[:3], new)
    code, out, err = run(capsys, "predict", model, unlabelled)
    assert code == 0, err
    assert out == expected
    # several targets (a multi-output regression): the same
    model2 = tmp_path / "m2.glassnet"
    data2 = write_csv(
        tmp_path / "d2.csv", ["a", "b", "s", "t"], [[a, b, s, s] for a, b, _, s in rows()]
    )
    code, _, err = run(capsys, "train", data2, "--target", "s,t", "--out", model2, *FAST)
    assert code == 0, err
    code, expected, err = run(capsys, "predict", model2, data2)
    assert code == 0, err
    blank = write_csv(
        tmp_path / "n2.csv", ["a", "b", "s", "t"], [[a, b, "", "NA"] for a, b, _, _ in rows()]
    )
    code, out, err = run(capsys, "predict", model2, blank)
    assert code == 0, err
    assert out == expected
    # evaluate needs the target: an empty cell there is still an error naming its line
    code, _, err = run(capsys, "evaluate", model, unlabelled)
    assert code == 2
    assert_one_line_error(err, "line 3", "'label'")


def test_numbers_written_for_people_are_an_error_not_text(capsys, tmp_path):
    # a European file (';' between cells, a decimal comma) or amounts such as "$1,013" are
    # read as text: one-hot encoding them (or a 60-class target) trains a useless model
    out = tmp_path / "m.glassnet"
    european = [[a.replace(".", ","), b.replace(".", ","), y, s] for a, b, y, s in rows()]
    data = write_csv(tmp_path / "eu.csv", HEADER, european, delimiter=";")
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", out, *FAST)
    assert code == 2
    line = european[0][0]
    assert_one_line_error(
        err, "column 'a'", "decimal comma", f"'{line}' at line 2", "--categorical a"
    )
    assert not out.exists()
    money = [[a, b, y, f"${1000 + 7 * i:,}"] for i, (a, b, y, _) in enumerate(rows())]
    data = write_csv(tmp_path / "money.csv", HEADER, money)
    code, _, err = run(capsys, "train", data, "--target", "score", "--out", out, *FAST)
    assert code == 2
    assert_one_line_error(err, "column 'score'", "'$1,000' at line 2", "plain numbers")
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", out, *FAST)
    assert code == 2
    assert_one_line_error(err, "column 'score'", "--categorical score")
    assert not out.exists()
    # codes that only look like amounts: --categorical (or, for a target, --task) says so
    code, _, err = run(
        capsys, "train", data, "--target", "label", "--categorical", "score", "--out", out, *FAST
    )
    assert code == 0, err
    assert out.exists()


def test_a_target_named_twice_is_refused(capsys, tmp_path):
    # it trained a two-output regression of one column, and predict wrote it twice
    data = write_csv(tmp_path / "d.csv", HEADER, rows())
    out = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "score, score", "--out", out, *FAST)
    assert code == 2
    assert_one_line_error(err, "'score' twice")
    assert not out.exists()


def test_evaluate_target_naming_a_feature_column_says_so(capsys, tmp_path):
    # it said the file had a column "not in the model" (the real target) instead
    data = write_csv(tmp_path / "d.csv", HEADER[:3], [r[:3] for r in rows()])
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    code, _, err = run(capsys, "evaluate", model, data, "--target", "a")
    assert code == 2
    assert_one_line_error(err, "--target 'a' is one of the model's feature columns", "'label'")
    code, out, err = run(capsys, "evaluate", model, data, "--target", "label")
    assert code == 0, err
    assert "accuracy" in out


def test_text_where_numbers_are_needed_gets_a_command_line_fix(capsys, tmp_path):
    # the message ended with the Python hint "Use a Preprocessor (one-hot encoding)"
    data = write_csv(tmp_path / "d.csv", ["a", "b", "score"], [[a, b, s] for a, b, _, s in rows()])
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "score", "--out", model, *FAST)
    assert code == 0, err
    text = [["x" if i % 3 else a, b, "?" if i % 3 else s] for i, (a, b, _, s) in enumerate(rows())]
    bad = write_csv(tmp_path / "bad.csv", ["a", "b", "score"], text)
    code, _, err = run(capsys, "predict", model, bad)
    assert code == 2
    assert_one_line_error(err, "'x' at line 3", "column 'a'", "trained on numbers")
    assert "Preprocessor" not in err
    shifted = write_csv(
        tmp_path / "s.csv", ["a", "b", "score"], [[a, b, "?"] for a, b, _, _ in rows()]
    )
    for command in ("evaluate", "explain"):
        extra = ["--row", "1"] if command == "explain" else []
        code, _, err = run(capsys, command, model, shifted, *extra)
        assert code == 2
        assert_one_line_error(err, "column 'score'", "'?' at line 2", "--target")
        assert "Preprocessor" not in err
    two = write_csv(
        tmp_path / "two.csv", ["a", "b", "s", "t"], [[a, b, s, y] for a, b, y, s in rows()]
    )
    code, _, err = run(capsys, "train", two, "--target", "s,t", "--out", model, *FAST)
    assert code == 2
    assert_one_line_error(err, "column 't'", "multi-output regression")
    assert "Preprocessor" not in err


def test_a_constant_numeric_target_is_not_called_a_classifier(capsys, tmp_path):
    data = write_csv(
        tmp_path / "d.csv", ["a", "b", "price"], [[a, b, "3.5"] for a, b, *_ in rows()]
    )
    code, _, err = run(capsys, "train", data, "--target", "price", "--out", tmp_path / "m", *FAST)
    assert code == 2
    assert_one_line_error(err, "single value ('3.5')", "nothing to learn", "two different values")
    assert "classifier" not in err


def test_column_names_that_hold_commas_can_be_named(capsys, tmp_path):
    # --target "Price, USD" was split into 'Price' and 'USD', neither of them a column
    header = ["a", "Size, m2", "Price, USD"]
    data = write_csv(tmp_path / "d.csv", header, [[a, b, s] for a, b, _, s in rows()])
    model = tmp_path / "m.glassnet"
    code, out, err = run(
        capsys, "train", data, "--target", "Price, USD", "--drop", "Size, m2", "--out", model, *FAST
    )
    assert code == 0, err
    assert "1 feature column" in out
    code, out, err = run(capsys, "predict", model, data)  # the dropped column is left out again
    assert code == 0, err
    assert out.splitlines()[0] == '"Price, USD"'
    code, out, err = run(capsys, "evaluate", model, data, "--target", "Price, USD")
    assert code == 0, err
    assert "R^2" in out
    code, out, err = run(
        capsys, "train", data, "--target", "a", "--categorical", "Size, m2", "--out", model, *FAST
    )
    assert code == 0, err
    assert "1 categorical" in out


@pytest.mark.parametrize("given", ["\\t", "tab", "TAB"])
def test_a_tab_delimiter_can_be_typed(capsys, tmp_path, given):
    # '\t' as typed in a shell (two characters) was an internal error
    data = write_csv(tmp_path / "d.txt", HEADER, rows(), delimiter="\t")
    model = tmp_path / "m.glassnet"
    argv = ["--target", "label", "--delimiter", given, "--out", model, *FAST]
    code, _, err = run(capsys, "train", data, *argv)
    assert code == 0, err
    code, out, err = run(capsys, "predict", model, data, "--delimiter", given)
    assert code == 0, err
    assert len(out.splitlines()) == len(rows()) + 1


@pytest.mark.parametrize("given", [";;", '"', ""])
def test_a_bad_delimiter_is_a_usage_error(capsys, tmp_path, given):
    data = write_csv(tmp_path / "d.csv", HEADER, rows())
    for command in (["train", data, "--target", "label"], ["predict", tmp_path / "m", data]):
        code, _, err = run(capsys, *command, "--delimiter", given)
        assert code == 2
        assert_one_line_error(err, "argument --delimiter", "one character", repr(given))


def test_export_never_replaces_a_csv_or_model_file_without_force(capsys, tmp_path):
    # `glassnet export model.glassnet data.csv` overwrote the CSV file (and a model) silently
    onnx = pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    data = write_csv(tmp_path / "d.csv", HEADER[:3], [r[:3] for r in rows()])
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    other = tmp_path / "other.glassnet"
    other.write_bytes(model.read_bytes())
    for victim, kind in ((data, "a CSV file (.csv)"), (other, "a glassnet model file")):
        before = victim.read_bytes()
        code, _, err = run(capsys, "export", model, victim)
        assert code == 2  # (its name is refused first: --force would not take it, round 27)
        assert_one_line_error(err, f"names {kind}", "give a name ending in .onnx")
        assert victim.read_bytes() == before
    onnx_path = tmp_path / "m.onnx"
    for _ in range(2):  # an ONNX file is replaced by the next export
        code, out, err = run(capsys, "export", model, onnx_path)
        assert code == 0, err
    victim = tmp_path / "notes.onnx"  # an existing file of another kind, named .onnx
    victim.write_text("a,b\n1,2\n", encoding="utf-8")
    code, _, err = run(capsys, "export", model, victim)
    assert code == 2
    assert_one_line_error(err, "exists and is a text (CSV) file", "--force")
    code, out, err = run(capsys, "export", model, victim, "--force")
    assert code == 0, err
    assert onnx.load(str(victim)).graph.node  # the text file, replaced as asked
    before = data.read_bytes()  # --force replaces; it does not accept a .csv name for ONNX
    code, _, err = run(capsys, "export", model, data, "--force")
    assert code == 2
    assert_one_line_error(err, "names a CSV file (.csv)", "ending in .onnx")
    assert data.read_bytes() == before


def test_a_split_too_small_for_one_row_of_each_class_is_made_unstratified(capsys, tmp_path):
    """12 classes of 3 rows: early stopping's 10% holds 4 rows, too few for one of each
    class, so the split is not stratified (it refused the run); 5 classes of 4 rows with a
    10% test split (2 rows) likewise."""
    rng = np.random.default_rng(0)
    many = [[f"{v:.3f}", f"c{k}"] for k in range(12) for v in rng.standard_normal(3)]
    path = write_csv(tmp_path / "many.csv", ["x", "label"], many)
    code, _, err = run(capsys, "train", path, "--target", "label", "--early-stopping",
                       "--epochs", "2", "--out", tmp_path / "a.glassnet", "-q")  # fmt: skip
    assert code == 0, err
    few = [[f"{v:.3f}", f"c{k}"] for k in range(5) for v in rng.standard_normal(4)]
    path = write_csv(tmp_path / "few.csv", ["x", "label"], few)
    code, _, err = run(capsys, "train", path, "--target", "label", "--test-split", "0.1",
                       "--epochs", "2", "--out", tmp_path / "b.glassnet", "-q")  # fmt: skip
    assert code == 0, err


def test_predicted_values_keep_every_digit_the_model_computed(capsys, tmp_path):
    """A target near 1e9 that varies by tens: seven significant digits wrote every
    prediction as 1e+09. The CSV holds the values that glassnet.io.load_model predicts."""
    from glassnet.io import load_model

    rng = np.random.default_rng(1)
    x = rng.standard_normal(200)
    body = [[f"{a:.5f}", f"{1e9 + 10 * a:.3f}"] for a in x]
    data = write_csv(tmp_path / "d.csv", ["x", "y"], body)
    model = tmp_path / "m.glassnet"
    code, _, err = run(
        capsys, "train", data, "--target", "y", "--out", model, "--epochs", "30", "-q"
    )
    assert code == 0, err
    code, out, err = run(capsys, "predict", model, data)
    assert code == 0, err
    written = np.array([float(line) for line in out.splitlines()[1:]])
    assert len(np.unique(written)) > 100  # the predictions differ, as the inputs do
    expected = np.asarray(load_model(model).predict({"x": [float(r[0]) for r in body]})).reshape(-1)
    np.testing.assert_array_equal(written, expected)


@pytest.mark.parametrize("layout", ["sep-line", "trailing-delimiter"])
def test_files_that_train_reads_are_read_by_predict_evaluate_and_explain(capsys, tmp_path, layout):
    """A spreadsheet's "sep=;" first line, or a ';' ending every line: train read them, but
    predict, evaluate and explain took "sep=" (or an unnamed column) for the header."""
    body = [";".join(r) for r in [HEADER, *rows()]]
    if layout == "sep-line":
        text = "sep=;\r\n" + "\r\n".join(body) + "\r\n"
    else:
        text = "\r\n".join(line + ";" for line in body) + "\r\n"
    data = tmp_path / "d.csv"
    data.write_text(text, encoding="utf-8")
    plain = write_csv(tmp_path / "plain.csv", HEADER, rows())
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    code, expected, err = run(capsys, "predict", model, plain)
    assert code == 0, err
    code, out, err = run(capsys, "predict", model, data)
    assert code == 0, err
    assert out == expected
    code, out, err = run(capsys, "evaluate", model, data)
    assert code == 0, err
    assert f"{len(rows())} rows, target label" in out
    code, out, err = run(capsys, "explain", model, data, "--row", "2")
    assert code == 0, err
    assert "target: " in out


def test_a_file_in_another_encoding_is_named_with_its_line_and_a_fix(capsys, tmp_path):
    """A spreadsheet's 'Unicode Text' export (UTF-16, tab-separated) was called a binary
    file ("it holds NUL bytes"); a Latin-1 file's bad byte was given as an offset only."""
    text = "\n".join("\t".join(r) for r in [HEADER, *rows()]) + "\n"
    out = tmp_path / "m.glassnet"
    for encoding in ("utf-16", "utf-16-le"):
        data = tmp_path / f"{encoding}.txt"
        data.write_bytes(text.encode(encoding))
        code, _, err = run(capsys, "train", data, "--target", "label", "--out", out, *FAST)
        assert code == 2
        assert_one_line_error(err, "is UTF-16 text", "iconv -f UTF-16 -t UTF-8")
        assert "binary" not in err
    body = [[a, b, "Genève" if i == 3 else "Zürich", s] for i, (a, b, _, s) in enumerate(rows())]
    data = tmp_path / "latin1.csv"
    data.write_bytes(
        "\n".join(",".join(r) for r in [["a", "b", "city", "score"], *body]).encode("latin-1")
    )
    code, _, err = run(capsys, "train", data, "--target", "score", "--out", out, *FAST)
    assert code == 2
    assert_one_line_error(err, "not UTF-8", "(line 2)", "Zürich", "iconv -f CP1252 -t UTF-8")
    assert not out.exists()


def test_a_missing_cell_in_one_of_several_targets_is_never_imputed(capsys, tmp_path):
    """evaluate --impute mean filled a multi-output regression's empty target cell with the
    column's mean and scored the model against it; without --impute, train and evaluate
    suggested --impute for it."""
    body = [[a, b, s, s] for a, b, _, s in rows()]
    model = tmp_path / "m.glassnet"
    data = write_csv(tmp_path / "d.csv", ["a", "b", "s", "t"], body)
    code, _, err = run(capsys, "train", data, "--target", "s,t", "--out", model, *FAST)
    assert code == 0, err
    body[5][3] = ""
    holey = write_csv(tmp_path / "holey.csv", ["a", "b", "s", "t"], body)
    for command in (
        ["train", holey, "--target", "s,t", "--out", tmp_path / "x"],
        ["evaluate", model, holey],
    ):
        code, _, err = run(capsys, *command)
        assert code == 2
        assert_one_line_error(err, "line 7", "column 't'", "never imputed")
        assert "--impute" not in err
        code, out, err = run(capsys, *command, "--impute", "mean")
        assert code == 2
        assert_one_line_error(err, "target column 't'", "line 7", "never imputed")
        assert "MSE" not in out
    code, out, err = run(capsys, "predict", model, holey, "--impute", "mean")  # (targets unread)
    assert code == 0, err


def test_a_categorical_column_not_in_the_file_is_named_by_its_flag(capsys, tmp_path):
    # it said "The 'categorical' parameter names columns not in ...", Python's word
    data = write_csv(tmp_path / "d.csv", HEADER, rows())
    out = tmp_path / "m.glassnet"
    argv = ["train", data, "--target", "label", "--categorical", "colour", "--out", out, *FAST]
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert_one_line_error(err, "--categorical names column(s) not in", "['colour']", "a, b")
    assert "parameter" not in err
    assert not out.exists()


def test_predict_says_when_the_file_lacks_the_models_id_column(capsys, tmp_path):
    # the id column, the first of predict's output, was left out without a word
    body = [[f"r{i}", *r] for i, r in enumerate(rows())]
    data = write_csv(tmp_path / "d.csv", ["key", *HEADER], body)
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--id", "key", "--out", model,
                       *FAST)  # fmt: skip
    assert code == 0, err
    code, out, err = run(capsys, "predict", model, data)
    assert code == 0, err
    assert out.splitlines()[:2] == ["key,label", f"r0,{out.splitlines()[1].split(',')[1]}"]
    assert err == ""
    anonymous = write_csv(tmp_path / "a.csv", HEADER, rows())
    code, out2, err = run(capsys, "predict", model, anonymous)
    assert code == 0, err
    assert out2.splitlines()[0] == "label"
    assert [r.split(",")[1] for r in out.splitlines()[1:]] == out2.splitlines()[1:]
    assert "glassnet: note: " in err and "no column 'key', the model's --id" in err


def _multiline_labels(tmp_path):
    """A file whose label "yes" is written "yes\nreally" (a quoted cell with a line break),
    a model path and the flag that reads such cells."""
    body = [[a, b, "yes\nreally" if y == "yes" else y] for a, b, y, _ in rows()]
    data = write_csv(tmp_path / "d.csv", HEADER[:3], body)
    return body, data, tmp_path / "m.glassnet", ["--multiline-cells"]


def test_explain_prints_a_cell_with_a_line_break_on_one_line(capsys, tmp_path):
    # a quoted cell holding a line break (--multiline-cells) broke explain's row line in two
    body, data, model, argv = _multiline_labels(tmp_path)
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *argv, *FAST)
    assert code == 0, err
    row = next(i for i, r in enumerate(body) if r[2] != "no") + 1
    code, out, err = run(capsys, "explain", model, data, "--row", row, *argv)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"row {row} of ") and lines[1].startswith("target: yes\\nreally ")
    assert "really" not in "".join(lines[2:])


def test_a_class_label_with_a_line_break_keeps_train_evaluate_and_info_tables_whole(
    capsys, tmp_path
):
    # the label "yes\nreally" broke train's task line, evaluate's tables and info's target
    body, data, model, argv = _multiline_labels(tmp_path)
    code, out, err = run(capsys, "train", data, "--target", "label", "--out", model, *argv, *FAST)
    assert code == 0, err
    code, out2, err = run(capsys, "evaluate", model, data, *argv)
    assert code == 0, err
    code, out3, err = run(capsys, "info", model)
    assert code == 0, err
    for text in (out, out2, out3):
        assert "yes\\nreally" in text
        assert not any(line.startswith("really") for line in text.splitlines()), text


def test_predict_out_never_replaces_a_data_file_without_force(capsys, tmp_path):
    # `--out train.csv` (meant: preds.csv) replaced the training data without a word
    data = write_csv(tmp_path / "train.csv", HEADER, rows())
    other = write_csv(tmp_path / "other.csv", HEADER, rows(20, seed=1))
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    before = other.read_bytes()
    code, _, err = run(capsys, "predict", model, data, "--out", other)
    assert code == 2
    assert_one_line_error(err, "exists and holds data, not predictions", "--force")
    assert other.read_bytes() == before
    preds = tmp_path / "preds.csv"
    for _ in range(2):  # earlier predictions are replaced
        code, _, err = run(capsys, "predict", model, data, "--out", preds)
        assert code == 0, err
    code, _, err = run(capsys, "predict", model, data, "--out", other, "--force")
    assert code == 0, err
    assert other.read_text() == preds.read_text()


def test_a_delimiter_that_splits_no_column_says_which_one_would(capsys, tmp_path):
    # ';' for a comma-separated file: "Target column 'label' is not in ... Available
    # columns: a,b,label,score." (one column), with no word about the delimiter
    data = write_csv(tmp_path / "d.csv", HEADER, rows())
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--delimiter", ";",
                       "--out", model, *FAST)  # fmt: skip
    assert code == 2
    assert_one_line_error(err, "--delimiter ';' splits no column", "give --delimiter ','")
    assert not model.exists()
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    for command in ("predict", "evaluate"):
        code, _, err = run(capsys, command, model, data, "--delimiter", "tab")
        assert code == 2
        assert_one_line_error(err, "--delimiter '\\t' splits no column", "give --delimiter ','")


def test_export_names_a_missing_or_directory_input_by_its_argument(capsys, tmp_path):
    # a directory as MODEL was "no such model file"; --impute-from's errors named read_csv
    # or export's Python parameter 'impute_from'
    pytest.importorskip("onnx")
    data = write_csv(tmp_path / "d.csv", HEADER, rows())
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    out = tmp_path / "m.onnx"
    code, _, err = run(capsys, "export", tmp_path, out)
    assert code == 2
    assert_one_line_error(err, f"the model file '{tmp_path}' is a directory")
    imputed = tmp_path / "i.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--impute", "mean",
                       "--out", imputed, *FAST)  # fmt: skip
    assert code == 0, err
    for source, why in ((tmp_path, "is a directory"), (tmp_path / "no.csv", "does not exist")):
        code, _, err = run(capsys, "export", imputed, out, "--impute-from", source)
        assert code == 2
        assert_one_line_error(err, f"--impute-from '{source}' {why}")
    code, _, err = run(capsys, "export", model, out, "--impute-from", data)
    assert code == 2
    assert_one_line_error(err, "trained without --impute", "leave out --impute-from")
    assert "impute_from" not in err
    assert not out.exists()


def test_a_column_mismatch_says_what_to_do(capsys, tmp_path):
    # the message listed the missing and extra columns but not what to do about them
    data = write_csv(tmp_path / "d.csv", HEADER, rows())
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    extra = write_csv(tmp_path / "e.csv", [*HEADER, "z"], [[*r, "1"] for r in rows()])
    fewer = write_csv(
        tmp_path / "f.csv", ["a", "label", "score"], [[a, y, s] for a, _, y, s in rows()]
    )
    other = write_csv(tmp_path / "o.csv", ["p", "q"], [["1", "2"]])
    for path, needles in (
        (extra, ["not in the model: z: remove them from the file"]),
        (fewer, ["missing: b: add them to the file"]),
        (other, ["missing: a, b, score; not in the model: p, q: is it the file"]),
    ):
        code, _, err = run(capsys, "predict", model, path)
        assert code == 2
        assert_one_line_error(err, *needles)


@pytest.mark.parametrize("name", ["empty", "notes, free"])
def test_an_all_empty_column_with_impute_names_the_flag_that_leaves_it_out(capsys, tmp_path, name):
    # "has no values to impute from: drop the column." named no way to drop it
    data = write_csv(tmp_path / "d.csv", [*HEADER, name], [[*r, ""] for r in rows()])
    model = tmp_path / "m.glassnet"
    argv = ["train", data, "--target", "label", "--impute", "mean", "--out", model, *FAST]
    code, _, err = run(capsys, *argv)
    assert code == 2
    flag = "--drop empty" if name == "empty" else "--drop 'notes, free'"
    assert_one_line_error(err, f"'{name}'", "no values to impute from", f"leave it out with {flag}")
    code, _, err = run(capsys, *argv, "--drop", name)
    assert code == 0, err


def test_text_in_a_number_column_under_impute_does_not_ask_for_impute_again(capsys, tmp_path):
    # with --impute mean given, the error still said "... and pass --impute mean"
    body = rows()
    body[4][0] = "?"
    data = write_csv(tmp_path / "d.csv", HEADER, body)
    out = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--impute", "mean",
                       "--out", out, *FAST)  # fmt: skip
    assert code == 2
    assert_one_line_error(err, "'?' at line 6", "leave the cell empty (--impute fills it)")
    assert "pass --impute" not in err
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", out, *FAST)
    assert code == 2
    assert_one_line_error(err, "'?' at line 6", "leave the cell empty and pass --impute mean")


def test_a_class_with_every_row_held_out_is_warned_of(capsys, tmp_path):
    """A class of one row that the test split holds out was trained on no rows, without a
    word (the split cannot be stratified for it)."""
    import argparse

    from glassnet.cli import _split_rows

    body = rows()
    body[7][2] = "rare"
    data = write_csv(tmp_path / "d.csv", HEADER, body)
    y = np.array([{"no": 0, "rare": 1, "yes": 2}[r[2]] for r in body])
    where = {}
    for seed in range(40):
        flags = argparse.Namespace(test_split=0.25, seed=seed, val_split=0.0, early_stopping=False)
        train_rows, _, _ = _split_rows(flags, y, True)
        where.setdefault(7 in train_rows, seed)
    model = tmp_path / "m.glassnet"
    for trained, seed in where.items():
        argv = ["--out", model, "--epochs", "2", "--hidden", "8", "-q", "--seed", seed]
        code, _, err = run(capsys, "train", data, "--target", "label", *argv)
        assert code == 0, err
        said = "rare (1 row(s))" in err and "never learns them" in err
        assert said == (not trained), err


def test_a_value_that_dwarfs_its_column_is_warned_of(capsys, tmp_path):
    """1e150 among values near 1: standardized in float32, every other value of the column
    became the same input, without a word."""
    body = rows()
    body[0][0] = "1e150"
    data = write_csv(tmp_path / "d.csv", HEADER, body)
    model = tmp_path / "m.glassnet"
    argv = ["--target", "label", "--test-split", "0", "--out", model, *FAST]
    code, _, err = run(capsys, "train", data, *argv)
    assert code == 0, err
    assert "glassnet: warning: column 'a' has 60 distinct values but only 2 distinct inputs" in err
    assert "1e+150 at line 2" in err
    clean = write_csv(tmp_path / "c.csv", HEADER, rows())
    code, _, err = run(capsys, "train", clean, *argv)
    assert code == 0 and err == "", err


# ------------------------------------------------------------------ --missing


def region_rows(n: int = 80, seed: int = 0, unknown: str = "?") -> list[list[str]]:
    """A region code NA (North America) among EU and AS, the label following it, and the
    number column's missing cells marked ``unknown``."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        region = ["NA", "EU", "AS"][i % 3]
        x = unknown if i % 9 == 4 else f"{rng.normal():.3f}"
        out.append([region, x, "yes" if region == "NA" else "no"])
    return out


def model_meta(path: Path) -> dict:
    from glassnet.io import load_arrays

    return load_arrays(path)[1]["meta"]


def test_missing_keeps_na_a_category_reads_question_marks_as_missing_and_is_reused(
    capsys, tmp_path
):
    header = ["region", "x", "label"]
    data = write_csv(tmp_path / "d.csv", header, region_rows())
    model = tmp_path / "m.glassnet"
    train = ["train", data, "--target", "label", "--impute", "mean", "--out", model, *FAST,
             "--epochs", "60"]  # fmt: skip
    # by default "NA" is a missing cell (imputed, here) and "?" text in a number column
    code, _, err = run(capsys, *train)
    assert code == 2
    assert_one_line_error(
        err, "Non-numeric value '?' at line 6", "--missing '' --missing '?'"
    )  # the error names the flag
    code, out, err = run(capsys, *train, "--missing", "", "--missing", "?")
    assert code == 0, err
    assert "imputed 9 missing cell(s): x (9, mean)" in out  # "?" imputed, NA left alone
    meta = model_meta(model)
    assert meta["preprocessing"]["missing"] == ["", "?"]
    assert meta["preprocessing"]["preprocessor"]["encoder"]["categories"] == [["AS", "EU", "NA"]]
    code, out, err = run(capsys, "info", model)
    assert code == 0 and "missing       cells reading '', '?', in any case (--missing)" in out
    # predict and evaluate read new data with the model's texts, without being told
    new = region_rows(30, seed=1)
    new[1][1] = " ? "  # (blanks stripped, as any cell's)
    new_csv = write_csv(tmp_path / "new.csv", header, new)
    code, out, err = run(capsys, "predict", model, new_csv)
    assert code == 0, err
    assert "filled 4 missing cell(s) of" in err and "x (4)" in err
    predicted = out.splitlines()[1:]
    assert [p == "yes" for p in predicted] == [r[0] == "NA" for r in new]
    code, out, err = run(capsys, "evaluate", model, new_csv)
    assert code == 0, err
    assert "(30 of 30 right)" in out
    pipe = load_pipeline(model)  # from Python too: "?" and None are missing, NA a region
    assert pipe.missing == frozenset({"", "?"})
    with pytest.warns(UserWarning, match=r"filled 2 missing cell\(s\) of X .*'x' \(2\)"):
        got = pipe.predict({"region": ["NA", "EU", "NA"], "x": [None, "?", "0.5"]})
    assert got.tolist() == ["yes", "no", "yes"]
    # the same texts given again are the model's; other ones are refused
    code, same, err = run(capsys, "predict", model, new_csv, "--missing", "?", "--missing", "")
    assert code == 0 and same.splitlines()[1:] == predicted, err
    code, _, err = run(capsys, "predict", model, new_csv, "--missing", "?")
    assert code == 2
    assert_one_line_error(
        err, "--missing '?' differs from the missing-cell texts the model",
        "(--missing '' --missing '?')", "leave out --missing",
    )  # fmt: skip
    code, _, err = run(capsys, "evaluate", model, new_csv, "--missing", "")
    assert code == 2 and "differs from the missing-cell texts" in err


def test_a_model_file_without_missing_texts_reads_with_the_default_ones(capsys, tmp_path):
    from glassnet.io import load_model, save_model

    header = ["region", "x", "label"]
    body = region_rows(unknown="")
    data = write_csv(tmp_path / "d.csv", header, body)
    model, old = tmp_path / "m.glassnet", tmp_path / "old.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--impute", "mean",
                       "--out", model, *FAST)  # fmt: skip
    assert code == 0, err
    meta = model_meta(model)
    assert meta["preprocessing"]["missing"] == ["", "n/a", "na", "nan", "null"]
    del meta["preprocessing"]["missing"]  # as glassnet wrote it before it stored them
    save_model(load_model(model, network_only=True), old, meta=meta)
    code, expected, err = run(capsys, "predict", model, data)
    assert code == 0, err
    code, out, err = run(capsys, "predict", old, data)
    assert code == 0 and out == expected, err
    assert "region (27)" in err  # NA: a missing cell, filled, as it was in training
    code, _, err = run(capsys, "info", old)
    assert code == 0 and "missing       cells" not in err
    # and a file whose texts are not a list of str is refused, naming them
    meta["preprocessing"]["missing"] = "?"
    save_model(load_model(model, network_only=True), old, meta=meta)
    code, _, err = run(capsys, "predict", old, data)
    assert code == 2 and "preprocessing.missing must be a list" in err


def test_bad_missing_flags_are_usage_errors(capsys, tmp_path):
    data = write_csv(tmp_path / "d.csv", ["region", "x", "label"], region_rows())
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--missing")
    assert code == 2
    assert_one_line_error(err, "argument --missing: expected one argument")
    code, _, err = run(capsys, "train", "--dataset", "iris", "--missing", "?", "--out", model)
    assert code == 2
    assert_one_line_error(err, "--missing is for CSV files")
    # a "NA" that is a value: the error says how to keep it
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST)
    assert code == 2
    assert_one_line_error(
        err, "Missing value 'NA' at line 2", "list only the texts that mark missing cells with "
        "--missing, e.g. --missing '' for empty cells"
    )  # fmt: skip


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="named pipes are POSIX")
def test_predict_and_evaluate_read_a_pipe_as_a_file(capsys, tmp_path):
    """`cat new.csv | glassnet predict m.glassnet /dev/stdin`: the header row could not be
    read before the rows, so the target column was taken for a feature: "has 3 feature
    column(s) but the model was trained on 2 ... not in the model: label"."""
    import os
    import threading

    data = write_csv(tmp_path / "d.csv", HEADER[:3], [r[:3] for r in rows()])
    model = tmp_path / "m.glassnet"
    assert run(capsys, "train", data, "--target", "label", "--out", model, *FAST)[0] == 0
    expected = run(capsys, "predict", model, data)
    scores = run(capsys, "evaluate", model, data)
    for command, want in (("predict", expected), ("evaluate", scores)):
        pipe = tmp_path / f"{command}.fifo"
        os.mkfifo(pipe)
        writer = threading.Thread(target=lambda p=pipe: p.write_bytes(data.read_bytes()))
        writer.start()
        got = run(capsys, command, model, pipe)
        writer.join()
        assert got == (want[0], want[1].replace(str(data), str(pipe)), want[2]), got
    bad = tmp_path / "bad.fifo"
    os.mkfifo(bad)
    text = data.read_text().replace("\n0", "\nabc", 1)
    writer = threading.Thread(target=lambda: bad.write_text(text))
    writer.start()
    code, _, err = run(capsys, "predict", model, bad)
    writer.join()
    assert code == 2
    assert_one_line_error(err, f"at line 2 of '{bad}'", "Non-numeric value 'abc")
    if os.path.exists("/dev/zero"):  # (endless: the copy stops at its first NUL byte)
        code, _, err = run(capsys, "predict", model, "/dev/zero")
        assert code == 2
        assert_one_line_error(err, "'/dev/zero' is not a CSV file", "NUL bytes")


def test_a_target_value_that_dwarfs_the_others_is_warned_of(capsys, tmp_path):
    """A price of 1e300 among prices near 1 left every other target equal after scaling:
    the run trained on nothing and reported "R^2 -inf, MSE inf" without saying why."""
    rng = np.random.default_rng(0)
    body = [[f"{a:.3f}", f"{2 * a:.3f}"] for a in rng.normal(size=40)]
    body[3][1] = "1e300"
    data = write_csv(tmp_path / "d.csv", ["a", "price"], body)
    out = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "price", "--out", out, *FAST)
    assert code == 0, err
    assert "the target 'price' has 40 distinct values but only 2" in err
    assert "value 1e+300 at line 5 dwarfs the others" in err
    body[3][1] = "0.5"
    write_csv(data, ["a", "price"], body)
    code, _, err = run(capsys, "train", data, "--target", "price", "--out", out, "--force", *FAST)
    assert code == 0 and "dwarfs" not in err, err


def test_missing_advice_keeps_the_users_own_texts(capsys, tmp_path):
    # --missing replaces the default (which holds the empty cell): an empty cell under
    # --missing '?' is no missing cell, and the advice said to leave the cell empty and
    # gave '--missing '' --missing ''', the user's '?' lost
    model = tmp_path / "m.glassnet"
    numbers = [[i, i % 3, "xy"[i % 2]] for i in range(12)]
    empty = write_csv(tmp_path / "e.csv", ["a", "b", "t"], [*numbers, ["", 3, "y"]])
    code, _, err = run(capsys, "train", empty, "--target", "t", "--impute", "mean",
                       "--missing", "?", "--out", model, *FAST)  # fmt: skip
    assert code == 2
    assert_one_line_error(
        err, "the cell is empty, but --missing lists the texts that mark missing cells",
        "add it: --missing '?' --missing ''.",
    )  # fmt: skip
    assert "leave the cell empty" not in err
    query = write_csv(tmp_path / "q.csv", ["a", "b", "t"], [*numbers, ["?", 3, "y"]])
    code, _, err = run(capsys, "train", query, "--target", "t", "--impute", "mean",
                       "--missing", "NA", "--out", model, *FAST)  # fmt: skip
    assert code == 2
    assert_one_line_error(err, "e.g. --missing na --missing '?'.")
    assert "leave the cell empty" not in err  # (an empty cell is no missing cell either)
    code, _, err = run(capsys, "train", query, "--target", "t", "--impute", "mean",
                       "--out", model, *FAST)  # fmt: skip
    assert_one_line_error(err, "leave the cell empty", "e.g. --missing '' --missing '?'.")


def test_an_output_under_a_file_says_it_is_a_file(capsys, tmp_path):
    # it said "the directory 'plain.txt' is not a directory; create it first"
    data = write_csv(tmp_path / "d.csv", ["a", "t"], [[i, i % 2] for i in range(20)])
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    code, _, err = run(capsys, "train", data, "--target", "t", "--out", plain / "m.glassnet",
                       *FAST)  # fmt: skip
    assert code == 2
    assert_one_line_error(err, f"'{plain}' is a file, not a directory; choose another path")
    assert "create it first" not in err and plain.read_text() == "x"


def test_a_text_columns_value_read_as_missing_keeps_the_users_other_texts(capsys, tmp_path):
    # "NA" a region code under --missing NA --missing '?': the advice said "--missing ''",
    # losing the user's '?'; it lists the texts given but the value
    data = write_csv(tmp_path / "d.csv", ["region", "x", "label"], region_rows())
    code, _, err = run(capsys, "train", data, "--target", "label", "--missing", "NA",
                       "--missing", "?", "--out", tmp_path / "m.glassnet", *FAST)  # fmt: skip
    assert code == 2
    assert_one_line_error(
        err, "Missing value 'NA' at line 2", "list only the texts that mark missing cells with "
        "--missing, e.g. --missing '?'"
    )  # fmt: skip
    assert "for empty cells" not in err


def test_a_value_that_was_the_only_missing_text_gets_advice_that_says_what_it_does(
    capsys, tmp_path
):
    # --missing NA alone, "NA" a region code: the advice was a bare "e.g. --missing ''",
    # which does not say that it reads empty cells as missing (no --missing reads none)
    data = write_csv(tmp_path / "d.csv", ["region", "x", "label"], region_rows())
    argv = ["train", data, "--target", "label", "--missing", "NA"]
    code, _, err = run(capsys, *argv, "--out", tmp_path / "m.glassnet", *FAST)
    assert code == 2
    assert_one_line_error(
        err,
        "Missing value 'NA' at line 2",
        "with --missing, e.g. --missing '' for empty cells.",
    )
    # the same advice when the user's other text is the empty cell itself
    argv += ["--missing", ""]
    code, _, err = run(capsys, *argv, "--out", tmp_path / "m.glassnet", *FAST)
    assert code == 2 and "e.g. --missing '' for empty cells." in err
