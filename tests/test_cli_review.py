"""Tests for glassnet.cli from a review of the command line's audit: a missing-cell text
with a '_' (N_A), numbers written with a leading zero, the repeated-rows warning on files
that repeat values by nature, long values that differ in the middle, decomposed text."""

from __future__ import annotations

import numpy as np
from cli_helpers import FAST, run, write_csv

# ---------------------------------------------------------------- 1. N_A marks missing cells


def ages_with_n_a(tmp_path):
    """A whole-number column 'age' whose missing cells are written N_A (a '_' in a text that
    --missing names, not digits grouped by '_')."""
    rng = np.random.default_rng(3)
    table = []
    for i in range(80):
        age, income = int(rng.integers(18, 80)), int(rng.integers(20000, 90000))
        table.append(["N_A" if i % 9 == 0 else age, income, "y" if age > 45 else "n"])
    return write_csv(tmp_path / "na.csv", ["age", "income", "label"], table)


def test_a_missing_marker_with_an_underscore_keeps_a_number_column_numeric(capsys, tmp_path):
    """--missing N_A: 'age' was read as text (one-hot, imputed by the most frequent value)
    because N_A holds a '_'; it is a number column with mean imputation."""
    data, model = ages_with_n_a(tmp_path), tmp_path / "m.glassnet"
    code, out, err = run(
        capsys, "train", data, "--target", "label", "--missing", "N_A", "--impute", "mean",
        "--out", model, *FAST[:-1],
    )  # fmt: skip
    assert code == 0, err
    assert "2 feature columns (2 numeric, 0 categorical) -> 2 inputs" in out, out
    assert "age (9, mean)" in out, out
    code, out, err = run(capsys, "info", model)
    assert code == 0, err
    assert "categorical" not in [
        w for line in out.splitlines() if "age" in line for w in line.split()
    ]
    for argv in (["predict", model, data], ["evaluate", model, data]):
        code, out, err = run(capsys, *argv)
        assert code == 0, err
        assert "declared categorical" not in err


# ---------------------------------------------------------------- 2. leading zeros in a target


def scores(tmp_path, typo_only: bool = False):
    """Scores 0-100 written zero-padded (074), or prices with one typed 0133207: numbers."""
    rng = np.random.default_rng(5)
    table = []
    for i in range(200):
        hours = float(rng.uniform(0, 10))
        if typo_only:
            price = int(50000 + 9000 * hours + rng.integers(0, 1000))
            table.append([f"{hours:.2f}", f"0{price}" if i == 7 else price])
        else:
            table.append([f"{hours:.2f}", f"{min(100, int(9 * hours + rng.integers(0, 10))):03d}"])
    return write_csv(tmp_path / "scores.csv", ["hours", "y"], table)


def test_zero_padded_numbers_with_many_values_stay_a_regression(capsys, tmp_path):
    """074 made the target text: 87 classes of scores, 198 classes of prices; they are
    numbers, as without the zeros, with a warning naming the flags that keep them."""
    for typo in (False, True):
        data = scores(tmp_path, typo)
        out_ = ["--out", tmp_path / "m.glassnet", "--force"]
        code, out, err = run(capsys, "train", data, "--target", "y", *out_, *FAST[:-1])
        assert code == 0, err
        assert "task      regression of 'y' (inferred)" in out, out
        said = [x for x in err.splitlines() if "leading zeros" in x]
        assert len(said) == 1 and said[0].startswith("glassnet: warning: "), err
        assert "--categorical y" in said[0] and "--task multiclass" in said[0], said
        code, out, err = run(capsys, "train", data, "--target", "y", "--stream", *out_, *FAST[:-1])
        assert code == 0, err
        assert "regression of 'y'" in out, out


def test_zero_padded_numbers_are_classes_when_asked(capsys, tmp_path):
    data = scores(tmp_path)
    code, out, err = run(
        capsys, "train", data, "--target", "y", "--task", "multiclass",
        "--out", tmp_path / "m.glassnet", *FAST[:-1],
    )  # fmt: skip
    assert code == 0, err
    assert "classes: 000, 001" in out or "classes: 00" in out, out
