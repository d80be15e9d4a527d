"""Round 22's "kaggle" audit: the command line on Kaggle-shaped CSVs. --impute mean|median on
predict, evaluate and explain for a model trained without --impute (this file's own column
statistics, as docs/cli.md says), the advice to pass --impute that leads there, pandas' 'NA'
category read as NaN in Pipeline.predict, and a class of one row in the stratified split."""

from __future__ import annotations

import json

import numpy as np
import pytest
from cli_helpers import FAST, assert_one_line_error, run, write_csv

from glassnet.cli import main

# ---------------------------------------------------------------- --impute from the file's columns


@pytest.fixture(scope="module")
def plain_model(tmp_path_factory):
    """A model of a number column, a text column and a label, trained without --impute."""
    d = tmp_path_factory.mktemp("plain")
    rng = np.random.default_rng(0)
    k = rng.integers(0, 2, 60)
    rows = [
        [f"{c + rng.normal(0, 0.3):.3f}", ["r", "g", "b"][int(rng.integers(0, 3))], "yn"[c]]
        for c in k
    ]
    data = write_csv(d / "train.csv", ["a", "c", "y"], rows)
    model = d / "m.glassnet"
    assert main(["train", str(data), "--target", "y", "--out", str(model), *FAST]) == 0
    return model


# 'a' holds 0, 0.25, 1.25 (mean 0.5, median 0.25), 'c' g twice (its most frequent value)
_HOLES = [["", "r", "y"], ["0", "g", "n"], ["0.25", "", "y"], ["1.25", "g", "n"]]
_FILLED = {
    "mean": [["0.5", "r", "y"], ["0", "g", "n"], ["0.25", "g", "y"], ["1.25", "g", "n"]],
    "median": [["0.25", "r", "y"], ["0", "g", "n"], ["0.25", "g", "y"], ["1.25", "g", "n"]],
}


def _pair(tmp_path, how: str, header=("a", "c", "y")):
    holes = write_csv(tmp_path / "holes.csv", list(header), _HOLES)
    filled = write_csv(tmp_path / "filled.csv", list(header), _FILLED[how])
    return holes, filled


@pytest.mark.parametrize("how", ["mean", "median"])
def test_predict_impute_fills_from_the_files_own_columns(capsys, plain_model, tmp_path, how):
    holes, filled = _pair(tmp_path, how)
    code, want, err = run(capsys, "predict", plain_model, filled, "--proba")
    assert code == 0, err
    code, out, err = run(capsys, "predict", plain_model, holes, "--proba", "--impute", how)
    assert code == 0, err
    assert out == want
    assert f"of '{holes}' from this file's columns: a (1, {how}), c (1, most frequent)" in err


@pytest.mark.parametrize("how", ["mean", "median"])
def test_evaluate_impute_fills_from_the_files_own_columns(capsys, plain_model, tmp_path, how):
    holes, filled = _pair(tmp_path, how)
    code, want, err = run(capsys, "evaluate", plain_model, filled, "--json")
    assert code == 0, err
    code, out, err = run(capsys, "evaluate", plain_model, holes, "--json", "--impute", how)
    assert code == 0, err
    got, want = json.loads(out), json.loads(want)
    got.pop("data"), want.pop("data")
    assert got == want


@pytest.mark.parametrize("how", ["mean", "median"])
@pytest.mark.parametrize("row", ["1", "2"])  # (row 1's cell filled; row 2 has none)
def test_explain_impute_fills_from_the_files_own_columns(capsys, plain_model, tmp_path, how, row):
    holes, filled = _pair(tmp_path, how)
    code, want, err = run(capsys, "explain", plain_model, filled, "--row", row)
    assert code == 0, err
    code, out, err = run(capsys, "explain", plain_model, holes, "--row", row, "--impute", how)
    assert code == 0, err
    # (the row's cells as written: 'a=' for the one filled; then the same trace)
    assert out.split("\n", 1)[1] == want.split("\n", 1)[1]


def test_the_advice_to_pass_impute_leads_to_a_prediction(capsys, plain_model, tmp_path):
    holes = write_csv(tmp_path / "inf.csv", ["a", "c"], [["inf", "r"], ["0", "g"], ["1", "g"]])
    code, out, err = run(capsys, "predict", plain_model, holes)
    assert code == 2
    assert_one_line_error(err, "line 2", "column 'a'", "pass --impute mean")
    code, out, err = run(capsys, "predict", plain_model, holes, "--impute", "mean")
    assert code == 0, err
    assert len(out.splitlines()) == 4  # (a header and 3 rows)
    # --stream cannot: its refusal says drop --stream, which then predicts
    code, _, err = run(capsys, "predict", plain_model, holes, "--impute", "mean", "--stream")
    assert code == 2
    assert_one_line_error(err, "drop --stream")
    code, again, err = run(capsys, "predict", plain_model, holes, "--impute", "mean")
    assert code == 0 and again == out, err


# ---------------------------------------------------------------- pandas' 'NA' category


def test_pipeline_names_keep_default_na_for_a_category_pandas_reads_as_missing(tmp_path):
    pd = pytest.importorskip("pandas")
    from glassnet.io import load_pipeline

    rng = np.random.default_rng(1)
    grade = rng.choice(["NA", "Gd", "TA"], 40)  # 'NA': none, as house prices' PoolQC
    price = 100 + 30 * (grade == "Gd") + rng.normal(0, 5, 40)
    rows = [[g, f"{x:.3f}", f"{p:.1f}"] for g, x, p in zip(grade, rng.normal(size=40), price)]
    data = write_csv(tmp_path / "hp.csv", ["q", "x", "price"], rows)
    model = tmp_path / "hp.glassnet"
    argv = ["train", data, "--target", "price", "--missing", "", "--out", model, *FAST]
    assert main([str(a) for a in argv]) == 0
    pipe = load_pipeline(model)
    X = pd.read_csv(data).drop(columns="price")  # (pandas' defaults: 'NA' is NaN)
    with pytest.raises(ValueError) as info:
        pipe.predict(X)
    message = str(info.value)
    assert "column 'q'" in message and "'NA'" in message
    assert "read_csv(..., keep_default_na=False)" in message
    assert "retrain with --impute" not in message  # (it would fill 'NA' with another grade)
    kept = pd.read_csv(data, keep_default_na=False).drop(columns="price")
    assert pipe.predict(kept).shape == (40,)
    # a number column's NaN: no category of pandas' missing texts, the advice as it was
    X = kept.assign(x=kept["x"].where(kept.index != 3))
    with pytest.raises(ValueError, match="retrain with --impute mean"):
        pipe.predict(X)


# ---------------------------------------------------------------- a class of one row


def _split(y, seed, test_split=0.25, val_split=0.0):
    import argparse

    from glassnet.cli import _split_rows

    args = argparse.Namespace(
        test_split=test_split, val_split=val_split, early_stopping=False, seed=seed
    )
    return _split_rows(args, np.asarray(y), True)


def _shares(y, rows):
    return np.bincount(np.asarray(y)[rows], minlength=4)


@pytest.mark.parametrize("seed", range(6))
def test_a_class_of_one_row_trains_and_the_others_stay_stratified(seed):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 120)
    y[0] = 3  # 'rare': its only row
    counts = np.bincount(y)
    train, val, test = _split(y, seed)
    assert len(test) == 30 and len(val) == 0 and len(train) == 90
    assert sorted([*train, *test]) == list(range(120))
    assert 0 in train  # (never tested on a class the model cannot learn)
    held = _shares(y, test)[:3]
    want = counts[:3] * 30 / 119  # (each class its share of the test rows, within one)
    assert np.all(np.abs(held - want) < 1), (held, want)
    # and so for the validation rows, after the test rows
    train, val, test = _split(y, seed, val_split=0.2)
    assert 0 in train and len(val) == 18


def test_a_split_without_a_class_of_one_row_is_as_it_was():
    from glassnet.preprocessing import train_test_split

    y = np.random.default_rng(3).integers(0, 3, 50)
    train, _, test = _split(y, 7)
    rows = np.arange(50)
    want = train_test_split(rows, test_size=0.25, seed=np.random.default_rng([7, 2]), stratify=y)
    np.testing.assert_array_equal(train, want[0])
    np.testing.assert_array_equal(test, want[1])


def test_train_keeps_the_one_row_of_a_class_and_says_so(capsys, tmp_path):
    rng = np.random.default_rng(0)
    k = rng.integers(0, 3, 120)
    rows = [[f"{c + rng.normal(0, 0.3):.3f}", f"{rng.normal():.3f}", "svg"[c]] for c in k]
    rows[0][2] = "rare"
    data = write_csv(tmp_path / "sg.csv", ["a", "b", "y"], rows)
    out = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "y", "--out", out, *FAST[:-3],
                       "--seed", "1", "-q")  # fmt: skip
    assert code == 0, err
    assert "no training rows" not in err
    assert "'rare' (line 2)" in err and "kept in the training rows" in err


# ---------------------------------------------------------------- blanks around cells


def test_blanks_around_cells_and_names_are_not_part_of_them(capsys, tmp_path):
    # docs/cli.md: 'age, income' and ' <=50K' (the Adult census data) read as 'income', '<=50K'
    rng = np.random.default_rng(0)
    lines = [f"{k + rng.normal(0, 0.3):.3f}, {['<=50K', '>50K'][k]}" for k in [0, 1] * 20]
    data = tmp_path / "adult.csv"
    data.write_text("age, income\n" + "\n".join(lines) + "\n")
    model = tmp_path / "m.glassnet"
    code, out, err = run(capsys, "train", data, "--target", " income", "--out", model, *FAST)
    assert code == 0, err
    code, out, err = run(capsys, "predict", model, data)
    assert code == 0, err
    assert out.splitlines()[0] == "income"
    assert set(out.splitlines()[1:]) <= {"<=50K", ">50K"}
    code, out, err = run(capsys, "evaluate", model, data, "--target", "income", "--json")
    assert code == 0, err
    assert {c["class"] for c in json.loads(out)["classes"]} == {"<=50K", ">50K"}
