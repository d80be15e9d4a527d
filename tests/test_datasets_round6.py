"""read_csv's round-6 parameters and checks: decimal commas read as text are named,
nrows reads only a file's first rows, pandas_index leaves out pandas' row index."""

from __future__ import annotations

import re

import numpy as np
import pytest

from glassnet.datasets import read_csv


def write(tmp_path, text, name="data.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8", newline="")
    return p


# ---------------------------------------------------------------- decimal commas


def test_a_column_of_decimal_commas_read_with_the_point_is_an_error_naming_it(tmp_path):
    # a European spreadsheet's ';' export: 'a' was read as text in silence, each number a
    # category of its own
    p = write(tmp_path, "a;b;label\n1;2;x\n1,5;3;y\n-2,25;;x\n", name="eu.csv")
    message = (
        f"Column 'a' of '{p}' holds numbers written with a decimal comma ('1,5' at line 3), "
        f"read as text with decimal='.': pass decimal=',' to read them as numbers (or "
        f"categorical=['a'] to keep them as text)."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        read_csv(p, target="label", impute="mean")
    with pytest.raises(ValueError, match=re.escape(message)):
        read_csv(p, target="label", impute="mean", delimiter=";")
    table = read_csv(p, target="label", impute="mean", decimal=",")
    assert table.kinds["a"] == "numeric"
    np.testing.assert_array_equal(table.numbers("a"), [1.0, 1.5, -2.25])
    # kept as text when asked: categorical, or decimal_commas="text"
    assert read_csv(p, target="label", impute="mean", categorical=["a"]).kinds["a"] == (
        "categorical"
    )
    kept = read_csv(p, target="label", impute="mean", decimal_commas="text")
    assert kept.kinds["a"] == "categorical"
    assert kept.raw("a").tolist() == ["1", "1,5", "-2,25"]


def test_a_target_of_decimal_commas_is_named_too(tmp_path):
    p = write(tmp_path, "x;price\n1;2,5\n2;3,75\n3;4\n")
    with pytest.raises(ValueError, match=r"Column 'price' .* \('2,5' at line 2\).*decimal=','"):
        read_csv(p, target="price")
    assert read_csv(p, target="price", decimal=",").y_float.tolist() == [2.5, 3.75, 4.0]


@pytest.mark.parametrize(
    "text",
    [
        "a;b\n1,5;x\nred;y\n",  # text among them: a text column
        'a,b\n"1,5",x\n"2,5",y\n',  # a comma-separated file: "1,5" quoted is no decimal comma
        "a;b\n1;x\n2;y\n",  # no comma at all: numbers
        "a;b\n1.234,5;x\n2;y\n",  # a thousands point: not read by decimal=',' either
    ],
)
def test_other_columns_are_read_as_before(tmp_path, text):
    table = read_csv(write(tmp_path, text))
    assert table.kinds["b"] == "categorical"


def test_decimal_commas_parameter_is_checked(tmp_path):
    p = write(tmp_path, "a;b\n1;2\n")
    with pytest.raises(ValueError, match="'decimal_commas' parameter of read_csv must be"):
        read_csv(p, decimal_commas="ignore")


# ---------------------------------------------------------------- nrows


def _big(tmp_path, rows: int, tail: bytes) -> tuple[object, list[str]]:
    lines = [f"{i},{i * 0.5},{'yes' if i % 3 else 'no'}\n" for i in range(rows)]
    p = tmp_path / "big.csv"
    p.write_bytes(("n,v,label\n" + "".join(lines)).encode() + tail)
    return p, lines


def test_nrows_reads_only_the_first_rows_of_a_large_file(tmp_path):
    # its last line is not UTF-8 and no row: read whole, the file is an error
    p, _ = _big(tmp_path, 60_000, b"\xff\xfe,oops\n")
    assert p.stat().st_size > 1 << 19
    with pytest.raises(ValueError, match="is not UTF-8 text"):
        read_csv(p, target="label")
    table = read_csv(p, target="label", nrows=4)
    assert table.n_rows == 4 and table.file_lines == 5
    np.testing.assert_array_equal(table.numbers("v"), [0.0, 0.5, 1.0, 1.5])
    assert table.line_numbers.tolist() == [2, 3, 4, 5]
    assert table.delimiter == ","


def test_nrows_of_a_short_file_reads_every_row(tmp_path):
    p, _ = _big(tmp_path, 50, b"")
    assert read_csv(p, nrows=1000).n_rows == 50
    assert read_csv(p, nrows=50).n_rows == 50
    assert read_csv(p, nrows=7).n_rows == 7


def test_nrows_keeps_multiline_cells_blank_lines_and_a_sep_line_whole(tmp_path):
    body = "".join(f'{i};"two\nlines";{i}\n\n' for i in range(20_000))
    p = write(tmp_path, "sep=;\nn;note;v\n" + body)
    assert p.stat().st_size > 1 << 18
    table = read_csv(p, nrows=3, multiline=True)
    assert table.raw("note").tolist() == ["two\nlines"] * 3
    assert table.line_numbers.tolist() == [3, 6, 9]
    assert read_csv(p, nrows=20_000, multiline=True).n_rows == 20_000


@pytest.mark.parametrize("nrows", [0, -1, 1.5, True, "3"])
def test_nrows_is_checked(tmp_path, nrows):
    p = write(tmp_path, "a,b\n1,2\n")
    with pytest.raises(ValueError, match="'nrows' parameter of read_csv must be a whole number"):
        read_csv(p, nrows=nrows)


# ---------------------------------------------------------------- pandas_index


def test_pandas_index_leaves_out_pandas_row_index(tmp_path):
    # as pandas.DataFrame(...).sample(frac=1.0, random_state=0).to_csv(p) writes it: the
    # index first, its header cell empty, in the shuffled frame's order
    p = write(tmp_path, ",a,label\n3,4.5,y\n0,1.5,x\n2,3.5,x\n1,2.5,y\n", name="pd.csv")
    with pytest.raises(ValueError, match=r"no name for column\(s\) \[1\].*row index"):
        read_csv(p)
    table = read_csv(p, target="label", pandas_index=True)
    assert table.names == ("a", "label") and table.index_dropped == (0, 3)
    assert table.numbers("a").tolist() == [4.5, 1.5, 3.5, 2.5]
    assert read_csv(p, nrows=2, pandas_index=True).n_rows == 2


@pytest.mark.parametrize("index", ["0 2 4", "0 0 1", "01 02 03", "a b c", "-1 0 1"])
def test_pandas_index_refuses_other_unnamed_columns(tmp_path, index):
    rows = "".join(f"{i},{k}\n" for k, i in enumerate(index.split()))
    p = write(tmp_path, ",a\n" + rows)
    with pytest.raises(ValueError, match=r"no name for column\(s\) \[1\]"):
        read_csv(p, pandas_index=True)


def test_without_pandas_index_nothing_is_dropped(tmp_path):
    p = write(tmp_path, "i,a\n0,1\n1,2\n")
    table = read_csv(p, pandas_index=True)
    assert table.names == ("i", "a") and table.index_dropped is None


def test_commas_that_may_be_thousands_separators_are_not_called_decimal_commas(tmp_path):
    """1,250 and 12,500 in a ';' file: the error told the user to pass decimal=',', which
    reads 1.25 and 12.5 for a thousands separator's 1250 and 12500."""
    path = tmp_path / "prices.csv"
    path.write_text("price;rooms;y\n1,250;3;1\n12,500;4;0\n3,000;2;1\n950;1;0\n")
    with pytest.raises(ValueError) as info:
        read_csv(path, "y")
    msg = str(info.value)
    assert "a thousands separator (1,250 for 1250) or a decimal comma" in msg
    assert "write the numbers without it" in msg and "decimal=','" in msg


def test_a_leading_zero_comma_is_a_decimal_comma_not_a_thousands_separator(tmp_path):
    path = tmp_path / "fractions.csv"
    path.write_text("share;y\n0,125;1\n0,500;0\n0,750;1\n")
    with pytest.raises(ValueError, match="holds numbers written with a decimal comma"):
        read_csv(path, "y")
