"""read_csv's round-14 mends: whole numbers with a '.' between thousands in a ';' file are
named, several title lines above the header keep the advice to delete them, and column
names that hold ', ' or a line break are listed so that each can be told apart."""

from __future__ import annotations

import csv
import random
import re

import numpy as np
import pytest

from glassnet.datasets import Table, read_csv


def write(tmp_path, text, name="data.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_text(text, encoding=encoding, newline="")
    return p


# ----------------------------------------------------- a '.' between thousands


def german_export(tmp_path, n=300, seed=12):
    """A German spreadsheet's ';' export: BOM, CRLF, whole amounts grouped by '.'."""
    rng = random.Random(seed)
    lines = ["Kunde;Umsatz;Kauf"]
    for i in range(n):
        u = rng.randint(100, 20000)
        grouped = f"{u:,}".replace(",", ".")
        lines.append(f"K{i};{grouped};{'ja' if u > 5000 else 'nein'}")
    return write(tmp_path, "\r\n".join(lines) + "\r\n", name="de.csv", encoding="utf-8-sig")


def test_whole_numbers_grouped_by_dots_in_a_semicolon_file_are_an_error(tmp_path):
    """'15.650' (15650) beside '987' was read as 15.65 in silence: every amount of 1000 or
    more became 1.0 to 20.0."""
    p = german_export(tmp_path)
    with pytest.raises(ValueError) as info:
        read_csv(p, target="Kauf", drop=["Kunde"], dot_thousands="error")
    message = str(info.value)
    # by default a warning, the column read as written (the evidence is never certain)
    with pytest.warns(UserWarning, match="Column 'Umsatz'.*between thousands"):
        warned = read_csv(p, target="Kauf", drop=["Kunde"])
    assert np.all(warned.numbers("Umsatz") < 1000)
    first = p.read_text(encoding="utf-8-sig").splitlines()[1].split(";")[1]
    assert "." in first  # ('15.650' at line 2)
    assert f"Column 'Umsatz' of '{p}'" in message
    assert f"{first!r} at line 2 reads as {float(first)!r}" in message
    assert "between thousands" in message and first.replace(".", "") in message
    assert "decimal=','" in message and "dot_thousands='decimal'" in message
    # read as written when asked: each '.' the decimal point
    table = read_csv(p, target="Kauf", drop=["Kunde"], dot_thousands="decimal")
    assert table.kinds["Umsatz"] == "numeric" and table.numbers("Umsatz")[0] == float(first)
    assert np.all(table.numbers("Umsatz") < 1000)
    # the grouping removed: the whole numbers
    plain = write(tmp_path, p.read_text(encoding="utf-8-sig").replace(".", ""), name="p.csv")
    assert read_csv(plain, target="Kauf").numbers("Umsatz").max() >= 1000
    # a column kept as text is kept, as asked
    kept = read_csv(p, target="Kauf", categorical=["Umsatz"])
    assert kept.kinds["Umsatz"] == "categorical"
    with pytest.raises(ValueError, match="'dot_thousands' parameter of read_csv"):
        read_csv(p, dot_thousands="yes")


def test_the_target_grouped_by_dots_is_named_too(tmp_path):
    p = write(tmp_path, "a;price\n1;1.250\n2;987\n3;12.400\n4;5\n")
    with pytest.raises(ValueError, match=r"Column 'price' .*'1\.250' at line 2 reads as 1\.25"):
        read_csv(p, target="price", dot_thousands="error")


@pytest.mark.parametrize(
    "text",
    [
        # genuine numbers of three decimals, in a file separated by commas
        "a,b,label\n0.125,1,x\n2.750,2,y\n1.500,3,x\n7,4,y\n3.250,5,x\n",
        # ... and by ';': no whole numbers beside them (a fixed format writes 7.000)
        "a;b;label\n0.125;1;x\n2.750;2;y\n1.500;3;x\n7.000;4;y\n",
        # ... whole numbers beside them, but no dotted cell ends in 0: as a number is written
        "a;b;label\n1.125;1;x\n2.375;2;y\n3;3;x\n7;4;y\n4.625;5;x\n",
        # a whole number of 1000 or more, written with no '.': no grouping
        "a;b;label\n1.250;1;x\n2.500;2;y\n1500;3;x\n7;4;y\n",
        # decimals of other lengths beside them
        "a;b;label\n1.250;1;x\n2.5;2;y\n3;3;x\n7;4;y\n",
        # three decimals after a 0: no grouping writes 0.500
        "a;b;label\n0.500;1;x\n0.250;2;y\n3;3;x\n7;4;y\n",
    ],
)
def test_numbers_of_three_decimals_read_as_before(tmp_path, text):
    p = write(tmp_path, text)
    table = read_csv(p, target="label")
    assert table.kinds["a"] == "numeric"
    cells = [line.split(table.delimiter)[0] for line in text.splitlines()[1:]]
    assert table.numbers("a").tolist() == [float(c) for c in cells]


def test_a_text_column_of_dot_grouped_numbers_is_an_error(tmp_path):
    """'1.234.567' is no number the decimal point reads: the column was text in silence,
    each amount a category."""
    p = write(tmp_path, "a;amount;label\n1;1.234.567;x\n2;2.345.678;y\n3;999;x\n4;12.500.000;y\n")
    with pytest.raises(ValueError) as info:
        read_csv(p, target="label", dot_thousands="error")
    message = str(info.value)
    assert "Column 'amount'" in message and "'1.234.567' at line 2" in message
    assert "(1234567;" in message and "categorical=['amount']" in message
    # with a decimal comma too: remove the grouping, read with decimal=','
    p = write(tmp_path, "a;amount;label\n1;1.234,5;x\n2;2.345.125,25;y\n3;999;x\n")
    with pytest.raises(ValueError, match=r"'2\.345\.125,25' at line 3.*\(2345125,25;.*decimal=','"):
        read_csv(p, target="label", dot_thousands="error")
    # kept as text when asked
    assert read_csv(p, target="label", categorical=["amount"]).kinds["amount"] == "categorical"
    # a text column of other texts: no such error
    p = write(tmp_path, "a;code;label\n1;1.234.567;x\n2;A-7;y\n3;999;x\n")
    assert read_csv(p, target="label").kinds["code"] == "categorical"


def test_dot_thousands_text_reads_only_semicolon_files_with_the_point():
    from glassnet.datasets import dot_thousands_text

    table = Table({"a": ["1.250", "987", "12.400"], "b": ["1", "2", "3"]})
    assert dot_thousands_text(table, "a") is None  # (no delimiter: built in memory)
    table.delimiter = ";"
    assert "between thousands" in dot_thousands_text(table, "a")
    assert dot_thousands_text(table, "b") is None


# ------------------------------------------------------ title lines above the header


ROWS = "".join(f"{x};{c};{'yes' if x > 0 else 'no'}\n" for x, c in zip(
    [0.5, -1.25, 2.0, -0.125, 1.5], "xyzxy", strict=True))  # fmt: skip


@pytest.mark.parametrize(
    ("titles", "lines", "shown"),
    [
        ("Sales report;;\n", "line 1", "('Sales report') is a title"),
        (
            "Sales report;;\ngenerated 2024-05-01;;\n",
            "lines 1, 2",
            "('Sales report', 'generated 2024-05-01') are titles",
        ),
        (
            "Sales report;;\ngenerated 2024-05-01;;\nRegion: EU;;\n",
            "lines 1, 2, 3",
            "('Sales report', 'generated 2024-05-01', 'Region: EU') are titles",
        ),
        (
            "Sales report\ngenerated 2024-05-01\n",
            "lines 1, 2",
            "('Sales report', 'generated 2024-05-01') are titles",
        ),
    ],
)
def test_title_lines_above_the_header_are_named(tmp_path, titles, lines, shown):
    """Two title lines (Excel pads them with ';;') lost the advice one title line got:
    the error said only "name it in the first line"."""
    p = write(tmp_path, titles + "a;cat;label\n" + ROWS)
    with pytest.raises(ValueError) as info:
        read_csv(p, target="label", delimiter=";")
    message = str(info.value)
    assert f"If {lines} {shown} above the header row, delete" in message


def test_no_title_advice_for_rows_of_data(tmp_path):
    # a one-column file of numbers, then a row too wide: no title above it
    p = write(tmp_path, "value\n3\n4\n5;6\n")
    with pytest.raises(ValueError) as info:
        read_csv(p, delimiter=";")
    assert "Line 4" in str(info.value) and "above the header" not in str(info.value)
    # more rows under the one name than titles run to
    p = write(tmp_path, "Sales;;\nnorth;;\nsouth;;\neast;;\nwest;;\na;b;c\n1;2;3\n")
    with pytest.raises(ValueError) as info:
        read_csv(p)
    assert "above the header" not in str(info.value) and "Line 6" in str(info.value)


# ------------------------------------------------------- names that hold ', ' or a line break


def test_column_names_with_commas_and_line_breaks_are_listed_quoted(tmp_path):
    """'Unit\\nPrice', 'Revenue, USD' were listed as "Unit Price, Revenue, USD, Bought?":
    four names, one of them refused when given back."""
    p = tmp_path / "hdr.csv"
    with open(p, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Unit\nPrice", "Revenue, USD", "Bought?"])
        for i in range(1, 11):
            w.writerow([i, i * 3, "yes" if i > 5 else "no"])
    with pytest.raises(ValueError) as info:
        read_csv(p, target="Unit Price", multiline=True)
    assert "Available columns: 'Unit\\nPrice', 'Revenue, USD', 'Bought?'." in str(info.value)
    table = read_csv(p, multiline=True)
    with pytest.raises(ValueError, match=r"Available columns: 'Unit\\nPrice', 'Revenue, USD'"):
        table.numbers("Revenue")
    with pytest.raises(ValueError, match=r"'Revenue, USD', 'Bought\?'\)\."):
        _ = table.y_raw
    # plain names are listed as before
    q = write(tmp_path, "a,b,label\n1,2,x\n", name="plain.csv")
    with pytest.raises(ValueError, match=r"Available columns: a, b, label\."):
        read_csv(q, target="lable")


@pytest.mark.parametrize(
    "text",
    [
        "code;y\n1.010;0\n2;1\n1.020;0\n3;1\n",  # codes
        "price;y\n4.990;0\n5;1\n12.500;0\n7;1\n",  # prices beside whole prices
        "x;y\n-1.500;0\n2;1\n-3.250;0\n1;1\n",
    ],
)
def test_data_that_may_be_decimals_is_read_as_written_with_a_warning(tmp_path, text):
    """The rule cannot tell 1.010 (a code) or 4.990 (a price) from a grouped 1010: such a
    column is read as written, as before, and warned of, never refused by default."""
    p = write(tmp_path, text)
    with pytest.warns(UserWarning, match="between thousands"):
        table = read_csv(p, target="y")
    cells = [line.split(";")[0] for line in text.splitlines()[1:]]
    assert table.numbers(table.names[0]).tolist() == [float(c) for c in cells]
    read_csv(p, target="y", dot_thousands="decimal")  # (in silence: filterwarnings=error)


@pytest.mark.parametrize("first", ["name", "city"])
def test_a_one_column_file_of_names_gets_no_title_advice(tmp_path, first):
    """Its header and data rows are no titles: deleting them, as advised, lost the data."""
    rows = ["Alice", "Bob", "Smith, John", "Carol"] if first == "name" else [
        "Paris", "Rome", "Washington, D.C."]  # fmt: skip
    p = write(tmp_path, "\n".join([first, *rows]) + "\n")
    with pytest.raises(ValueError) as info:
        read_csv(p)
    assert "fix that row" in str(info.value) and "titles above" not in str(info.value)


def test_an_imputed_mean_does_not_hide_dot_thousands(tmp_path):
    """One empty cell imputed by the mean (241.41166667, four decimals and more) made the
    check pass the column by in silence."""
    rows = [
        f"R{i};{v};{i % 3};{i % 2}" for i, v in enumerate(["15.650", "987", "2.300", "450"] * 5)
    ]
    p = write(tmp_path, "Region;Umsatz;Menge;y\n" + "\n".join([*rows, "R9;;3;1"]) + "\n")
    for impute in ("mean", "median"):
        with pytest.warns(UserWarning, match="Column 'Umsatz'.*between thousands"):
            read_csv(p, target="y", impute=impute)


def test_no_title_advice_for_a_one_column_file_whose_second_line_is_refused(tmp_path):
    p = write(tmp_path, "Name\nSmith;John\nAnna\nBen\nCarl\n")
    with pytest.raises(ValueError) as info:
        read_csv(p, delimiter=";")
    assert "is a title" not in str(info.value)
    # a title above a table's header row still is one
    p = write(tmp_path, "Sales report\na;b;label\n1;2;x\n3;4;y\n")
    with pytest.raises(ValueError, match=re.escape("If line 1 ('Sales report') is a title")):
        read_csv(p, delimiter=";")
