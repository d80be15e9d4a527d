"""glassnet.stream reads a CSV file with the delimiter the in-memory reader sniffs."""

import numpy as np
import pytest

pytest.importorskip("pyarrow")

import glassnet.stream as gs  # noqa: E402
from glassnet.datasets import read_csv  # noqa: E402


def test_from_csv_reads_a_semicolon_file_whose_header_holds_a_comma(tmp_path):
    """'id;income, EUR;label' with cells 3.5: from_csv read it with ',' (the header row
    alone decided: under ',' it is two columns), so 'label' was no column; read_csv
    sniffs ';' from the rows."""
    path = tmp_path / "income.csv"
    rows = [f"{i};{1000 + 10 * i}.5;{'yes' if i % 2 else 'no'}" for i in range(40)]
    path.write_text("id;income, EUR;label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert gs.csv_delimiter(path) == ";"
    stream = gs.from_csv(path, "label", block_size=1 << 10)
    X = np.concatenate([chunk[0] for chunk in stream.chunks()])
    assert X.shape == (40, 2)
    frame = read_csv(path)
    assert frame.delimiter == ";" and list(frame.names) == ["id", "income, EUR", "label"]


def test_a_header_split_by_bar_wins_where_the_rows_sniff_nothing(tmp_path):
    """Rows unlike each other: the sniffer found nothing and the reader took ',' where the
    header row is split by '|' alone."""
    from glassnet.datasets import sniff_delimiter

    sample = "a|b|label\n1,5;2;x\n"
    assert sniff_delimiter(sample) == "|"


def test_a_tsv_file_with_commas_in_its_cells_is_read_with_tabs(tmp_path):
    """csv_delimiter's .tsv rule was dropped for read_csv's sniffing (89ba7ad), which read a
    .tsv file whose header and cells hold commas with ','; both readers take the tab now."""
    path = tmp_path / "income.tsv"
    rows = [f"{i}\t{'north, east' if i % 3 else 'south, west'}\t{'yes' if i % 2 else 'no'}"
            for i in range(30)]  # fmt: skip
    path.write_text("id\tregion, zone\tlabel\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert gs.csv_delimiter(path) == "\t"
    assert list(read_csv(path).names) == ["id", "region, zone", "label"]
    X = np.concatenate([chunk[0] for chunk in gs.from_csv(path, "label").chunks()])
    assert X.shape[0] == 30
