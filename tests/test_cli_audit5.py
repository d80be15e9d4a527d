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
