"""read_csv on messy real-world files (round 7): data rows that end in empty fields, a
column of non-finite numbers only, every non-number text of a number column named at once,
and the in-memory reader's results and messages kept as they were when it got faster."""

from __future__ import annotations

import re

import numpy as np
import pytest

from glassnet.datasets import Table, read_csv


def write(tmp_path, text, name="data.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8", newline="")
    return p


# ---------------------------------------------------------------- trailing empty fields


def test_data_rows_that_end_in_empty_fields_are_read_and_said(tmp_path):
    # a header of 3 names and every data row '0.227,g,n,,' (a spreadsheet's export): it was
    # "Line 2 has 5 field(s) but the header has 3 columns"
    p = write(tmp_path, "a,color,label\n0.227,g,n,,\n0.126,r,y,,\n0.5,g,n,,\n")
    table = read_csv(p, target="label")
    assert table.names == ("a", "color", "label")
    np.testing.assert_array_equal(table.numbers("a"), [0.227, 0.126, 0.5])
    assert table.y_raw.tolist() == ["n", "y", "n"]
    assert table.line_notes == (
        "3 rows from 4 lines (1 header); all 3 rows end in 2 empty field(s) past the header's "
        "3 columns (a delimiter ending the line): left out"
    )


def test_some_rows_ending_in_empty_fields_and_other_notes(tmp_path):
    p = write(tmp_path, "a,label\n1,x,\n\n2,y\n3,x,,,\n")
    table = read_csv(p, target="label")
    np.testing.assert_array_equal(table.numbers("a"), [1.0, 2.0, 3.0])
    assert table.line_notes == (
        "3 rows from 5 lines (1 header, 1 blank); 2 of the 3 rows end in 1/3 empty field(s) "
        "past the header's 2 columns (a delimiter ending the line): left out"
    )


def test_a_value_past_the_header_is_still_an_error(tmp_path):
    p = write(tmp_path, "a,label\n1,x,,\n2,y,,7\n")
    message = f"Line 3 of {str(p)!r} has 4 field(s) but the header has 2 columns"
    with pytest.raises(ValueError, match=re.escape(message)):
        read_csv(p, target="label")


# ---------------------------------------------------------------- nothing to impute from


def test_a_column_of_non_finite_numbers_names_one_and_its_line(tmp_path):
    p = write(tmp_path, "a,b,label\n1,inf,n\n2,,y\n3,1e999,n\n4,-inf,y\n")
    message = (
        f"Column 'b' of {str(p)!r} has no finite numbers to impute from: its cells are missing "
        f"or non-finite, such as 'inf' at line 2 (and 2 more in this column); write finite "
        f"numbers in it (a number beyond float64's range, such as 1e999, reads as inf), or "
        f"leave the column out."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        read_csv(p, target="label", impute="mean")


# ---------------------------------------------------------------- the texts of a number column


def test_every_marker_of_a_number_column_is_named_at_once(tmp_path):
    # NA, N/A, '', ?, -, null, NaN in one column: each error named one text, so --impute
    # mean failed once per marker
    cells = ["1.5", "NA", "2", "?", "N/A", "3", "-", "", "4", "null", "5", "NaN", "?", "6"]
    p = write(tmp_path, "a,label\n" + "".join(f"{c},{i % 2}\n" for i, c in enumerate(cells)))
    with pytest.raises(ValueError) as info:
        read_csv(p, target="label", impute="mean")
    message = str(info.value)
    assert message.startswith(
        f"Non-numeric value '?' at line 5 of {str(p)!r}, column 'a', a numeric column (and 2 "
        f'more in this column): fix the value, or leave the cell empty and pass impute="mean".'
    ), message
    assert message.endswith(
        " Its texts, with their counts of cells: '?' (2), '-' (1). If '?' and '-' mark "
        "missing cells, pass missing=('', 'n/a', 'na', 'nan', 'null', '?', '-')."
    ), message
    table = read_csv(p, target="label", impute="mean", missing=("", "n/a", "na", "null", "?", "-"))
    assert table.imputed["a"] == (3, 5, 6, 8, 9, 11, 13, 14)


def test_texts_that_look_like_categories_suggest_categorical_not_missing(tmp_path):
    # numbers and 'abc', '12kg': the hint was missing=('', ..., 'abc'), a category read as
    # missing, and categorical was never suggested
    cells = ["1", "abc", "2", "3", "12kg", "4", "abc", "5"]
    p = write(tmp_path, "w,label\n" + "".join(f"{c},{i % 2}\n" for i, c in enumerate(cells)))
    with pytest.raises(ValueError) as info:
        read_csv(p, target="label", impute="mean")
    message = str(info.value)
    assert message.endswith(
        'fix the value, or leave the cell empty and pass impute="mean". Its texts, with their '
        "counts of cells: 'abc' (2), '12kg' (1). If the column holds categories ('abc', "
        "'12kg'), pass categorical=['w'] (its numbers are then categories too)."
    ), message
    assert "missing=" not in message


def test_markers_and_categories_in_one_column_are_told_apart(tmp_path):
    cells = ["1", "?", "2", "3", "high", "4", "unknown", "5", "low", "6", "7", "8"]
    p = write(tmp_path, "w,label\n" + "".join(f"{c},{i % 2}\n" for i, c in enumerate(cells)))
    with pytest.raises(ValueError) as info:
        read_csv(p, target="label")
    message = str(info.value)
    assert message.endswith(
        " Its texts, with their counts of cells: '?' (1), 'high' (1), 'unknown' (1), 'low' (1)."
        " If the column holds categories ('high', 'low'), pass categorical=['w'] (its numbers "
        "are then categories too). If '?' and 'unknown' mark missing cells, pass missing=('', "
        "'n/a', 'na', 'nan', 'null', '?', 'unknown')."
    ), message


def test_one_word_among_numbers_is_no_missing_marker(tmp_path):
    # a single 'abc' was taken for a missing-cell marker (it has no digit)
    p = write(tmp_path, "w,label\n1,0\nabc,1\n2,0\n3,1\n")
    with pytest.raises(ValueError) as info:
        read_csv(p, target="label")
    message = str(info.value)
    assert message.endswith("column 'w', a numeric column: fix the value, or leave the cell "
                            "empty and pass impute=\"mean\".")  # fmt: skip


# ---------------------------------------------------------------- the faster in-memory reader


def _messy_rows(n, seed=0):
    """Rows of a messy file: numbers with blanks around them, a column whose text comes
    late, missing cells late, a category column, an ID, a column of whole numbers."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        late = "abc" if i == n - 3 else f"{rng.normal():.3f}"
        gap = "" if i in (n // 2, n - 1) else f"{rng.normal():.5g}"
        rows.append(
            [
                f" {rng.normal():.4f} ",
                late,
                gap,
                ["red", "blue", "NA", "green"][i % 4] if i > 5 else "red",
                f"id{i}",
                str(int(rng.integers(0, 9))),
                "yes" if rng.random() > 0.5 else "no",
            ]
        )
    return rows


def _in_memory(rows, header, **options):
    """The same cells as a Table built in memory (no parsing as the file is read)."""
    columns = {h: [r[j] for r in rows] for j, h in enumerate(header)}
    return Table(columns, **options)


@pytest.mark.parametrize("chunk", [3, 64, 16384])
def test_read_csv_gives_what_a_table_of_the_same_cells_gives(tmp_path, monkeypatch, chunk):
    import glassnet.datasets as ds

    monkeypatch.setattr(ds, "_CHUNK", chunk)  # (the columns are gathered chunk by chunk)
    header = ["a", "late", "gap", "color", "id", "k", "label"]
    rows = _messy_rows(200)
    p = write(tmp_path, ",".join(header) + "\n" + "".join(",".join(r) + "\n" for r in rows))
    cases = [
        dict(target="label", impute="mean", categorical=["late"]),
        dict(target="label", impute="median", categorical=["late", "k"], missing=("", "?")),
    ]
    for options in cases:
        table = read_csv(p, **options)
        mem = _in_memory(rows, header, **options, source=str(p), _from_file=True)
        assert table.kinds == mem.kinds and table.imputed == mem.imputed
        assert table.fill_values == mem.fill_values
        for t in (table, mem):
            assert t._first_text == mem._first_text
        idx = np.random.default_rng(1).permutation(200)[:150]
        pairs = [(table, mem), (table.take(idx), mem.take(idx))]
        pairs.append((table.take(idx).take(idx[:5] % 150), mem.take(idx).take(idx[:5] % 150)))
        for a, b in pairs:
            assert a.n_rows == b.n_rows and a.line_numbers.tolist() == b.line_numbers.tolist()
            assert a.imputed == b.imputed and a._first_text == b._first_text
            for name in header:
                assert a.raw(name).tolist() == b.raw(name).tolist(), name
                assert a.strings(name).tolist() == b.strings(name).tolist(), name
                if a.kinds[name] == "numeric":
                    np.testing.assert_array_equal(a.numbers(name), b.numbers(name))
                else:
                    assert a.why_text(name) == b.why_text(name)
            np.testing.assert_array_equal(a.to_array(["a", "gap"]), b.to_array(["a", "gap"]))
    # the same messages: a text late in a number column, a missing cell late in one
    for options in (dict(target="label", impute="mean"), dict(target="label")):
        with pytest.raises(ValueError) as info:
            read_csv(p, **options)
        with pytest.raises(ValueError) as again:
            _in_memory(rows, header, **options, source=str(p), _from_file=True)
        assert str(info.value) == str(again.value)
    table = read_csv(p, target="label", drop=["id", "late"], impute="mean")
    assert table.dropped["id"] == tuple(f"id{i}" for i in range(200))
    assert table.names == ("a", "gap", "color", "k", "label")
    assert table.raw("a")[0] == rows[0][0].strip()


@pytest.mark.parametrize("size", [1, 2, 5, 1 << 22])
def test_the_reader_s_lines_are_those_of_a_stringio(size):
    import io

    from glassnet.datasets import _lines

    text = 'a,b\r\n1,"x\ny"\r2,3\n\n4,"\r\n"\r\n5,6'
    assert list(_lines(text, size)) == list(io.StringIO(text, newline=""))


def test_quoted_line_breaks_and_mixed_line_ends_read_as_before(tmp_path):
    p = write(tmp_path, 'a,b,label\r\n1,"x\r\ny",n\r2,z,y\n\n3,"w",n\r\n')
    table = read_csv(p, target="label", multiline=True)
    assert table.raw("b").tolist() == ["x\r\ny", "z", "w"]
    assert table.line_numbers.tolist() == [2, 4, 6]
    assert (
        table.line_notes
        == "3 rows from 6 lines (1 header, 1 blank, 1 inside quoted cells that hold line breaks)"
    )


# ---------------------------------------------------------------- memory, before reading


def test_a_file_too_large_for_the_memory_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    from glassnet.datasets import CSVMemoryError

    rows = "".join(f"{i * 0.5},{i % 7},c{i},{'ab'[i % 2]}\n" for i in range(20000))
    p = write(tmp_path, "x,k,id,label\n" + rows)
    monkeypatch.setenv("GLASSNET_MEMORY_LIMIT", "1M")
    with pytest.raises(CSVMemoryError) as info:
        read_csv(p, target="label")
    message = str(info.value)
    assert re.fullmatch(
        rf"reading {re.escape(repr(str(p)))} \(\d+ KB\) into memory needs about [\d.]+ MB of "
        r"memory, more than GLASSNET_MEMORY_LIMIT=1M \(1 MB\): read its first rows only "
        r"\(nrows=\), or stream it a chunk at a time \(glassnet.stream.from_csv; on the "
        r"command line, train with --stream\)",
        message,
    ), message
    assert isinstance(info.value, MemoryError) and isinstance(info.value, ValueError)
    with pytest.raises(CSVMemoryError, match=r"1 MB\): use --stream$"):
        read_csv(p, target="label", memory_hint="use --stream")
    assert read_csv(p, target="label", nrows=10).n_rows == 10  # (the first rows only: read)
    monkeypatch.setenv("GLASSNET_MEMORY_LIMIT", "1G")
    assert read_csv(p, target="label").n_rows == 20000
