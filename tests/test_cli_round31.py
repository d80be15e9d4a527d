"""Round 31 (audit31C): the command line on messy files, what two audits before it missed."""

from __future__ import annotations

import numpy as np
import pytest
from cli_helpers import FAST, HEADER, assert_one_line_error, rows, run, write_csv


@pytest.mark.parametrize(
    "argv",
    [
        ["predict", "-", "DATA"],
        ["evaluate", "-", "DATA"],
        ["explain", "-", "DATA", "--row", "1"],
        ["info", "-"],
        ["export", "-", "OUT"],
    ],
)
def test_a_model_given_as_dash_says_a_model_is_not_read_from_standard_input(
    capsys, tmp_path, monkeypatch, argv
):
    # 'glassnet predict - data.csv' said "no such model file '-'", as if a file were
    # missing: '-' is standard input only as the data argument
    monkeypatch.chdir(tmp_path)
    data = write_csv(tmp_path / "d.csv", HEADER, rows())
    named = {"DATA": str(data), "OUT": str(tmp_path / "m.onnx")}
    argv = [named.get(a, a) for a in argv]
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert_one_line_error(err, "standard input", "the data argument", "./-")
    assert "no such model file" not in err


def test_a_model_file_named_dash_is_still_read(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = write_csv(tmp_path / "d.csv", HEADER, rows())
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", "m.glassnet", *FAST)
    assert code == 0, err
    (tmp_path / "-").write_bytes((tmp_path / "m.glassnet").read_bytes())
    code, out, err = run(capsys, "predict", "./-", data)
    assert code == 0, err
    assert out.splitlines()[0] == "label"


def test_classes_that_differ_from_the_target_only_in_case_are_named(capsys, tmp_path):
    # --classes yes,no on a target of Yes/No said only that the target "also holds 'No',
    # 'Yes', which the list lacks", not that the list's names differ from them in case
    data = write_csv(tmp_path / "d.csv", HEADER, [[a, b, c.capitalize()] for a, b, c in rows()])
    code, _, err = run(capsys, "train", data, "--target", "label", "--classes", "yes,no", *FAST)
    assert code == 2
    assert_one_line_error(
        err, "which the list lacks", "'Yes' for 'yes'", "'No' for 'no'", "case included"
    )


def test_a_listed_class_the_target_holds_is_not_offered_as_a_misspelling(capsys, tmp_path):
    # a target of yes, Yes and no with --classes yes,no said "write 'Yes' for 'yes'", which
    # drops the real class 'yes'; the list lacks 'Yes', and that is all it says
    data = write_csv(
        tmp_path / "d.csv",
        HEADER,
        [[a, b, "Yes" if i % 5 == 0 and c == "yes" else c] for i, (a, b, c) in enumerate(rows())],
    )
    code, _, err = run(capsys, "train", data, "--target", "label", "--classes", "yes,no", *FAST)
    assert code == 2
    assert_one_line_error(err, "also holds 'Yes', which the list lacks")
    assert "write" not in err and "case included" not in err
    # a listed name the target does not hold still gets the hint: 'YES' for 'Yes'
    code, _, err = run(capsys, "train", data, "--target", "label", "--classes", "yes,YES,no", *FAST)
    assert code == 2
    assert_one_line_error(err, "also holds 'Yes', which the list lacks", "'Yes' for 'YES'")
    assert "for 'yes'" not in err


def test_classes_lacking_a_label_of_another_spelling_keep_the_plain_message(capsys, tmp_path):
    data = write_csv(tmp_path / "d.csv", HEADER, rows())
    code, _, err = run(capsys, "train", data, "--target", "label", "--classes", "yes", *FAST)
    assert code == 2
    assert_one_line_error(err, "also holds 'no', which the list lacks")
    assert "write" not in err


def _huge_target(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    return write_csv(
        tmp_path / "huge.csv",
        ["x1", "x2", "y"],
        [[f"{a:.4f}", f"{b:.4f}", f"{a * 1e200:.4e}"] for a, b in X],
    )


def test_a_loss_past_float64_before_any_update_names_no_standardize_not_float64(capsys, tmp_path):
    # targets near 1e200, unscaled (--no-standardize), in a float64 network: the squared
    # error overflows before any update; the advice was "Scale y (e.g. the target column,
    # ...) and X, or train with --dtype float64" (the dtype given), and never named
    # --no-standardize, which left the target unscaled
    data = _huge_target(tmp_path)
    out_path = tmp_path / "m.glassnet"
    argv = ["train", data, "--target", "y", "--no-standardize", "--dtype", "float64"]
    code, _, err = run(capsys, *argv, "--out", out_path, *FAST)
    assert code == 1
    assert_one_line_error(err, "before any update", "Leave out --no-standardize", "No model")
    assert "--dtype float64" not in err
    assert "Scale y" not in err and " X" not in err
    assert not out_path.exists()


def test_a_float32_loss_past_its_range_still_names_float64(capsys, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    data = write_csv(
        tmp_path / "d.csv", ["x1", "x2", "y"],
        [[f"{a:.4f}", f"{b:.4f}", f"{a * 1e25:.4e}"] for a, b in X],
    )  # fmt: skip
    code, _, err = run(capsys, "train", data, "--target", "y", "--no-standardize", *FAST)
    assert code == 1
    assert_one_line_error(err, "before any update", "Leave out --no-standardize", "--dtype float64")


def _target_renamed(capsys, tmp_path, name):
    data = write_csv(tmp_path / "d.csv", HEADER, rows())
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    return model, write_csv(tmp_path / "new.csv", ["a", "b", name], rows())


def test_predict_names_a_target_column_written_otherwise(capsys, tmp_path):
    # a file whose target column is 'LABEL' (the model's is 'label') was refused with "not
    # in the model: LABEL: remove them from the file", not saying it is the target renamed
    model, new = _target_renamed(capsys, tmp_path, "LABEL")
    code, _, err = run(capsys, "predict", model, new)
    assert code == 2
    assert_one_line_error(err, "not in the model: LABEL", "the model's target 'label'", "rename")


def test_predict_with_a_truly_extra_column_keeps_its_advice(capsys, tmp_path):
    model, new = _target_renamed(capsys, tmp_path, "notes")
    code, _, err = run(capsys, "predict", model, new)
    assert code == 2
    assert_one_line_error(err, "not in the model: notes: remove them from the file")
    assert "target" not in err


@pytest.mark.parametrize("command", ["evaluate", "explain"])
def test_scoring_names_a_target_column_written_otherwise(capsys, tmp_path, command):
    model, new = _target_renamed(capsys, tmp_path, "LABEL")
    extra = ["--row", "1"] if command == "explain" else []
    code, _, err = run(capsys, command, model, new, *extra)
    assert code == 2
    assert_one_line_error(err, "no target column 'label'", "Did you mean 'LABEL'?")
