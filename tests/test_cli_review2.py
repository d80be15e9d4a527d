"""Tests for glassnet.cli from a second review of the command line's fixes: fixed-width class
codes, a file written twice, amounts grouped by '_', combining marks of other scripts."""

from __future__ import annotations

import re

import numpy as np
from cli_helpers import FAST, assert_one_line_error, run, warnings, write_csv

# ---------------------------------------------------------------- 1. fixed-width class codes


def codes(tmp_path):
    """400 rows whose target is one of 25 codes written 001 to 025 (one width, all padded)."""
    rng = np.random.default_rng(11)
    table = []
    for _ in range(400):
        code = int(rng.integers(1, 26))
        table.append([f"{code + rng.normal(0, 0.3):.3f}", f"{rng.uniform():.3f}", f"{code:03d}"])
    return write_csv(tmp_path / "codes.csv", ["a", "b", "code"], table)


def test_fixed_width_codes_stay_classes(capsys, tmp_path):
    """001-025 (25 codes, more than 20) were read as a regression with a warning."""
    data = codes(tmp_path)
    code, out, err = run(
        capsys, "train", data, "--target", "code", "--out", tmp_path / "m.glassnet", *FAST[:-1]
    )
    assert code == 0, err
    assert "multiclass classification of 'code' (inferred), 25 classes: 001, 002," in out, out
    assert "warning" not in err and "read as numbers (a regression)" not in err, err
    code, out, err = run(
        capsys, "train", data, "--target", "code", "--stream",
        "--out", tmp_path / "m2.glassnet", *FAST[:-1],
    )  # fmt: skip
    assert code == 2 and "leading zeros" in err and "drop --stream" in err, err


def test_streamed_zero_padded_numbers_warn_as_in_memory(capsys, tmp_path):
    """Scores 074 beside 100 with --stream: a regression, and now the in-memory warning."""
    rng = np.random.default_rng(5)
    table = []
    for i in range(200):
        hours = float(rng.uniform(0, 10))
        score = 100 if i % 50 == 0 else int(9 * hours + rng.integers(0, 10))
        table.append([f"{hours:.2f}", f"{score:03d}"])
    data = write_csv(tmp_path / "scores.csv", ["hours", "y"], table)
    out_ = ["--out", tmp_path / "m.glassnet", "--force"]
    said = []
    for extra in ([], ["--stream"]):
        code, out, err = run(capsys, "train", data, "--target", "y", *extra, *out_, *FAST[:-1])
        assert code == 0, err
        assert "regression of 'y'" in out, out
        said.append([x for x in err.splitlines() if "leading zeros" in x])
    assert len(said[1]) == 1 and said[1][0].startswith("glassnet: warning: "), said
    assert "--categorical y" in said[1][0] and "--task multiclass" in said[1][0], said


# ---------------------------------------------------------------- 2. a file written twice


def written_twice(tmp_path, regression: bool = False):
    """200 records written twice: 'a' at 2 decimals (about 75% distinct), 'b' at 1 decimal;
    a class target, or (regression) a target of numbers at 2 decimals and 'a' at 1."""
    rng = np.random.default_rng(0)
    table = []
    for _ in range(200):
        a, b = rng.normal(), rng.normal()
        if regression:
            table.append([f"{a:.1f}", f"{b:.1f}", f"{a + b + rng.normal(0, 0.1):.2f}"])
        else:
            table.append([f"{a:.2f}", f"{b:.1f}", "y" if a + b > 0 else "n"])
    return write_csv(tmp_path / "twice.csv", ["a", "b", "label"], table * 2)


def test_a_file_written_twice_is_warned_of(capsys, tmp_path):
    """'a' is 75% distinct among the distinct records, under the 90% asked: no warning."""
    for regression in (False, True):
        data = written_twice(tmp_path, regression)
        code, _, err = run(
            capsys, "train", data, "--target", "label", "--out", tmp_path / "m.glassnet",
            "--force", *FAST[:-1],
        )  # fmt: skip
        assert code == 0, err
        said = [w for w in err.splitlines() if "repeat a training row" in w]
        assert len(said) == 1 and said[0].startswith("glassnet: warning: "), (regression, err)
        assert re.search(r"holds 20\d repeated rows", said[0]), said


# ---------------------------------------------------------------- 3. amounts grouped by '_'


def test_amounts_grouped_by_underscores_are_refused_as_numbers(capsys, tmp_path):
    """A budget of 1_000, 2_500, 5_000, 10_000 trained silently as 4 categories; it is the
    error that says they are numbers with a thousands separator, as before. Bands a_b with
    a < b (18_24, 25_34) stay text, with no message."""
    rng = np.random.default_rng(8)
    budgets, bands = ["1_000", "2_500", "5_000", "10_000"], ["18_24", "25_34", "35_64"]
    table = [
        [budgets[int(rng.integers(0, 4))], bands[int(rng.integers(0, 3))], f"{rng.normal():.3f}",
         "y" if rng.random() < 0.5 else "n"]
        for _ in range(80)
    ]  # fmt: skip
    data = write_csv(tmp_path / "budget.csv", ["budget", "age", "x", "label"], table)
    out_ = ["--out", tmp_path / "m.glassnet", "--force"]
    code, out, err = run(capsys, "train", data, "--target", "label", *out_, *FAST[:-1])
    assert code == 2, (out, err)
    assert_one_line_error(err, "'budget'", "thousands separator", "--categorical budget")
    code, out, err = run(
        capsys, "train", data, "--target", "label", "--drop", "budget", *out_, *FAST[:-1]
    )
    assert code == 0, err
    assert "(1 numeric, 1 categorical)" in out and not warnings(err), (out, err)


# ---------------------------------------------------------------- 5. marks of other scripts


def test_only_marks_nfc_combines_are_escaped():
    """Devanagari's virama (the mark in 'नमस्ते') was escaped beside the NFD 'Café''s accent:
    only a mark that NFC combines with the character before it is."""
    import unicodedata

    from glassnet.preprocessing import visible_text

    assert visible_text("नमस्ते Cafe\u0301") == "'नमस्ते Cafe\\u0301'"
    assert visible_text("नमस्ते") == "'नमस्ते'"
    # two marks on one letter (NFC: one character): both escaped
    assert visible_text("Vie\u0323\u0302t") == "'Vie\\u0323\\u0302t'"
    assert unicodedata.normalize("NFC", "e\u0323\u0302") == "\u1ec7"
