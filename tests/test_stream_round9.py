"""The stream's round-9 fix: rows whose every cell is blank (``,,`` in a file of three
columns, or cells of blanks only, " , ,"), which the in-memory reader skips with a note,
are skipped by ``glassnet.stream.from_csv`` and ``glassnet train --stream`` too, with the
same counts over the whole file (``Columns.line_notes``), read through the mended reading
that rows ending in empty fields take; a file without such rows is read as before."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from cli_helpers import FAST, run

pytest.importorskip("pyarrow")


def _file(path: Path, blanks: dict[int, str], eol: str = "\n", n: int = 600) -> Path:
    """``n`` rows of a number, a text and a 0/1 label (a,c,y), the line ``blanks[i]`` put
    before data row ``i`` (0-based)."""
    rng = np.random.default_rng(9)
    lines = ["a,c,y"]
    for i in range(n):
        if i in blanks:
            lines.append(blanks[i])
        lines.append(f"{rng.normal():.4f},{['x', 'z', 'p q'][i % 3]},{i % 2}")
    path.write_text(eol.join(lines) + eol, newline="")
    return path


# blank rows of the header's width, of other widths, quoted, with blanks; and blank lines
_BLANKS = [",,", " , ,", '""," ",', ",,,,", "   ", ",", "\t,\t,\t", '"",""', "", ",\u00a0,"]


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_rows_of_blank_cells_are_skipped_as_in_memory(tmp_path, eol):
    """Early rows (the first block, whose cells decide the columns' types: " , ," made
    column a text) and late ones (after blocks the statistics pass has read) are skipped,
    the rows, cells, categories and note those of the in-memory reader."""
    from glassnet.datasets import read_csv
    from glassnet.stream import from_csv

    rows = [2, 3, 5, *range(300, 600, 23)]
    blanks = {i: _BLANKS[k % len(_BLANKS)] for k, i in enumerate(rows)}
    data = _file(tmp_path / "d.csv", blanks, eol)
    table = read_csv(data, target="y")
    stream = from_csv(data, "y", block_size=1 << 12)
    cols = stream.columns
    assert cols.rows == table.n_rows == 600
    assert cols.kinds == {"a": "numeric", "c": "categorical"}
    assert cols.blank == len(rows) - 1  # (the empty line is no row: pyarrow skips it)
    said = f"600 rows from {601 + len(rows)} lines (1 header, {len(rows)} blank)"
    assert cols.line_notes == table.line_notes == said
    assert cols.categories["c"] == ["p q", "x", "z"]
    assert cols.category_counts["c"] == [200, 200, 200]
    X, y = (np.concatenate(a) for a in zip(*[(x, t) for x, t, _ in stream.chunks()]))
    np.testing.assert_allclose(X[:, 0], table.numbers("a"), rtol=1e-6)
    np.testing.assert_array_equal(X[:, 1:].argmax(axis=1), (np.arange(600) % 3 + 1) % 3)
    np.testing.assert_array_equal(y, np.arange(600) % 2)


@pytest.mark.parametrize("blank", _BLANKS[:-2] + _BLANKS[-1:])
def test_a_blank_row_past_the_first_blocks_is_skipped(tmp_path, blank):
    """A row of blank cells after blocks the statistics pass has read, found however
    pyarrow reads it: as missing cells (,,), as no number (" , ," in a number column),
    as a row of another width (``,,,,``, a line of blanks)."""
    from glassnet.datasets import read_csv
    from glassnet.stream import from_csv

    data = _file(tmp_path / "d.csv", {500: blank})
    table = read_csv(data, target="y")
    stream = from_csv(data, "y", block_size=1 << 12)
    cols = stream.columns
    assert cols.rows == table.n_rows == 600 and cols.blank == 1
    assert cols.kinds == {"a": "numeric", "c": "categorical"}
    assert cols.line_notes == table.line_notes == "600 rows from 602 lines (1 header, 1 blank)"
    X = np.concatenate([x for x, _, _ in stream.chunks()])
    np.testing.assert_allclose(X[:, 0], table.numbers("a"), rtol=1e-6)


def test_the_mended_reading_takes_lines_ending_in_a_carriage_return(tmp_path):
    """A Macintosh CSV file (lines ending in CR alone) read mended: its header row was
    read as the whole file ("new-line character seen in unquoted field"), for rows ending
    in empty fields as for rows of blank cells; blank lines before the header, and a
    last line of blank cells without a line break, counted as in memory."""
    from glassnet.datasets import read_csv
    from glassnet.stream import from_csv

    data = _file(tmp_path / "d.csv", {}, "\r")
    lines = data.read_bytes().split(b"\r")
    lines[4] += b",,"
    data.write_bytes(b"\r".join(lines))
    table, cols = read_csv(data, target="y"), from_csv(data, "y", block_size=1 << 12).columns
    assert cols.rows == table.n_rows == 600 and cols.trailing == {2: 1}
    data.write_bytes(b"\r\r" + b"\r".join(lines) + b" , ,")
    table, cols = read_csv(data, target="y"), from_csv(data, "y", block_size=1 << 12).columns
    assert cols.rows == table.n_rows == 600 and cols.blank == 1
    assert cols.line_notes == "600 rows from 604 lines (1 header, 3 blank)"
    assert table.line_notes.startswith(cols.line_notes + "; 1 of the 600 rows end in 2")


def test_blank_rows_of_text_columns_whose_empty_cells_are_no_missing_mark(tmp_path):
    """With ``missing=("?",)`` an empty cell of a text column is the text "", which pyarrow
    reads without complaint: a row of them is skipped all the same, as in memory."""
    from glassnet.datasets import read_csv
    from glassnet.stream import from_csv

    lines = ["c,d,y", *[f"{'xz'[i % 2]},{'pq'[i % 3 > 0]},{i % 2}" for i in range(40)]]
    lines[7:7] = [",,", " , , "]
    data = tmp_path / "t.csv"
    data.write_text("\n".join(lines) + "\n")
    table = read_csv(data, target="y", missing=("?",))
    cols = from_csv(data, "y", missing=("?",)).columns
    assert cols.rows == table.n_rows == 40 and cols.blank == 2
    assert cols.categories == {"c": ["x", "z"], "d": ["p", "q"]}
    assert cols.line_notes == table.line_notes == "40 rows from 43 lines (1 header, 2 blank)"


def test_a_row_of_missing_marks_is_no_blank_row_and_errors_name_their_lines(tmp_path):
    """``NA,NA,NA`` is a row of missing cells (an error under a stream), not a blank one;
    a bad cell after blank rows is named with its line, as in memory."""
    from glassnet.datasets import read_csv
    from glassnet.stream import from_csv

    data = _file(tmp_path / "d.csv", {4: ",,", 450: " , ,"})
    lines = data.read_text().splitlines()
    lines[500] = "NA,NA,NA"  # (line 501)
    data.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match="line 501 of"):
        read_csv(data, target="y")
    with pytest.raises(ValueError, match=r"line 501: column 'a' has a missing value"):
        from_csv(data, "y", block_size=1 << 12)
    lines[500] = "abc,x,1"
    data.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"line 501: column 'a' holds 'abc' where its first"):
        from_csv(data, "y", block_size=1 << 12)
    lines[500] = "0.5,x,1,2"
    data.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"line 501 has 4 cells where the header names 3"):
        from_csv(data, "y", block_size=1 << 12)


def test_a_file_without_blank_rows_is_not_read_mended(tmp_path, monkeypatch):
    """The look for blank rows costs a file without them no second reading: its rows are
    read by pyarrow alone, and no lines are counted (no note)."""
    from glassnet import stream

    def refused(*args, **kwargs):
        raise AssertionError("read mended")

    monkeypatch.setattr(stream, "_Mended", refused)
    data = _file(tmp_path / "d.csv", {10: ""})  # (an empty line: pyarrow's to skip)
    cols = stream.from_csv(data, "y", block_size=1 << 12).columns
    assert cols.rows == 600 and cols.blank == 0 and cols.line_notes == ""


def test_train_stream_skips_blank_rows_as_the_in_memory_run(capsys, tmp_path):
    """glassnet train --stream on a file with rows of blank cells trains on the rows the
    in-memory run trains on, where it stopped at the first ("has a missing value")."""
    data = _file(tmp_path / "d.csv", {3: ",,", 200: " , ,", 550: ",,"}, n=300)
    for flags in ([], ["--stream"]):
        code, out, err = run(
            capsys, "train", data, "--target", "y", "--out", tmp_path / "m.glassnet", *FAST,
            *flags,
        )  # fmt: skip
        assert code == 0, err
        assert "300 rows, 2 feature columns" in out, out
    code, out, err = run(capsys, "predict", tmp_path / "m.glassnet", data)
    assert code == 0, err
    assert len(out.splitlines()) == 301
