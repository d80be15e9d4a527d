"""Tests for glassnet.cli from a fourth audit: the in-memory path's warnings of columns that
train on nothing (row numbers, codes with leading zeros, IDs longer than float64 keeps,
dates) given by --stream too, files written with decimal commas (--decimal), explain reading
no more of a file than the row it shows, and Ctrl-C while the command line starts."""

from __future__ import annotations

import numpy as np
import pytest
from cli_helpers import run, write_csv

FAST = ["--epochs", "2", "--hidden", "4", "--seed", "0", "-q"]
HEADER = ["a", "b", "label"]


def rows(n: int = 40, seed: int = 0) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return [[f"{a:.3f}", f"{b:.3f}", "yes" if a + b > 0 else "no"] for a, b in X]


def warnings(err: str) -> list[str]:
    """The warnings of stderr, without the one about a held-out score (2 epochs earn one)."""
    lines = err.splitlines()
    return [x for x in lines if x.startswith("glassnet: warning: ") and "held-out" not in x]


def train(capsys, data, *extra: object) -> str:
    """stderr of a training run that succeeds."""
    out = data.parent / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", out, *FAST, *extra)
    assert code == 0, err
    return err


# ---------------------------------------------------------------- 1. --stream's warnings


def test_a_row_number_column_is_warned_of_when_streamed(capsys, tmp_path):
    pytest.importorskip("pyarrow")
    order = np.random.default_rng(1).permutation(40)
    table = [[str(1000 + int(k)), *r] for k, r in zip(order, rows(), strict=True)]
    data = write_csv(tmp_path / "d.csv", ["id", *HEADER], table)
    [memory] = warnings(train(capsys, data))
    [warning] = warnings(train(capsys, data, "--stream"))
    for needle in ["'id'", "1000 to 1039, each once:", "row number or an ID", "--drop id"]:
        assert needle in warning and needle in memory, (needle, warning)
    assert "write the file without it" in warning and "without --stream" in warning
    # a yearly series, or whole numbers with a gap: no row numbers, streamed or not
    table = [[str(1980 + i), *r] for i, r in enumerate(rows())]
    data = write_csv(tmp_path / "y.csv", ["Year", *HEADER], table)
    assert warnings(train(capsys, data, "--stream")) == []
    table = [[str(k), *r] for k, r in zip([*range(39), 50], rows(), strict=True)]
    data = write_csv(tmp_path / "g.csv", ["id", *HEADER], table)
    assert warnings(train(capsys, data, "--stream")) == []


def test_codes_with_leading_zeros_are_warned_of_when_streamed(capsys, tmp_path):
    pytest.importorskip("pyarrow")
    zips = ["02134", "90210", "10001", "00501"]
    table = [[zips[i % 4], *r] for i, r in enumerate(rows())]
    data = write_csv(tmp_path / "d.csv", ["zip", *HEADER], table)
    [warning] = warnings(train(capsys, data, "--stream"))
    for needle in ["'zip'", "leading zeros (02134 at line 2, 20 such cell(s))", "codes"]:
        assert needle in warning, (needle, warning)
    assert "without --stream) with --categorical zip" in warning
    # amounts with a whole value among them: no codes
    plain = write_csv(tmp_path / "e.csv", HEADER, [["0.5", "0", "yes"], *rows()])
    assert warnings(train(capsys, plain, "--stream")) == []


def test_ids_longer_than_float64_keeps_are_warned_of_when_streamed(capsys, tmp_path):
    pytest.importorskip("pyarrow")
    table = [[str(10**19 + 1000 * i), *r] for i, r in enumerate(rows())]
    data = write_csv(tmp_path / "d.csv", ["account", *HEADER], table)
    [warning] = warnings(train(capsys, data, "--stream"))
    needles = ["'account'", "more digits than float64 keeps", "10000000000000000000 at line 2"]
    needles += ["40 distinct ones in the file", "read as 20 distinct"]
    for needle in needles:
        assert needle in warning, (needle, warning)
    # 19 digits, within int64: pyarrow reads them exactly, the stream's float64 does not
    table = [[str(10**18 + i), *r] for i, r in enumerate(rows())]
    data = write_csv(tmp_path / "e.csv", ["account", *HEADER], table)
    warned = warnings(train(capsys, data, "--stream"))
    assert any("more digits than float64 keeps" in w for w in warned), warned
    few = [[str(10**15 + 7 * i), *r] for i, r in enumerate(rows())]  # 16 digits: all kept
    data = write_csv(tmp_path / "f.csv", ["account", *HEADER], few)
    assert not any("float64 keeps" in w for w in warnings(train(capsys, data, "--stream")))


@pytest.mark.parametrize(
    "dates",
    [
        [f"{i % 12 + 1}/{i % 28 + 1}/2023" for i in range(40)],
        [f"{i % 3 + 1:02d}.01.2024" for i in range(40)],
    ],
)
def test_a_date_column_is_warned_of_when_streamed(capsys, tmp_path, dates):
    # (pyarrow reads ISO dates as dates, which --stream refuses: test_cli_stream.py)
    pytest.importorskip("pyarrow")
    table = [[d, *r] for d, r in zip(dates, rows(), strict=True)]
    data = write_csv(tmp_path / "d.csv", ["when", *HEADER], table)
    [warning] = warnings(train(capsys, data, "--stream"))
    needles = ["text column 'when' holds dates", f"({dates[0]} at line 2)"]
    needles += ["write the file without it", "a year, a month, a day of the week"]
    for needle in needles:
        assert needle in warning, (needle, warning)
    assert "an ID or free text" not in warning


def test_a_streamed_file_longer_than_its_first_block_says_what_was_inspected(capsys, tmp_path):
    """The streamed warnings look at the file's first block (4 MiB): a row-number column
    sorted in the file is named with the rows it was seen in."""
    pytest.importorskip("pyarrow")
    n = 120_000  # (about 5 MiB: two blocks)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 2))
    pad = "x" * 20
    with open(tmp_path / "big.csv", "w") as f:
        f.write("id,a,b,pad,label\n")
        for i, (a, b) in enumerate(X):
            f.write(f"{i + 1},{a:.3f},{b:.3f},{pad},{'yes' if a + b > 0 else 'no'}\n")
    data = tmp_path / "big.csv"
    argv = ["--epochs", "1", "--batch-size", "4096", "--stream"]
    code, _, err = run(capsys, "train", data, "--target", "label", "--out",
                       tmp_path / "m", "--hidden", "4", "-q", *argv)  # fmt: skip
    assert code == 0, err
    [warning] = [w for w in warnings(err) if "'id'" in w]
    assert "holds the whole numbers 1 to " in warning and ", each once in its first " in warning
