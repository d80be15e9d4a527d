"""read_csv's bulk reading of number cells: a column is classified and its numbers read a
run of cells at once (by NumPy, or pyarrow where installed), not by a Python call per
cell, to the very Table (values bit for bit, kinds, raw cells, imputed cells, notes and
errors) that the per-cell reading gives, on messy cells: markers of missing cells,
``1e5``, ``' 3.0 '``, ``+1``, ``inf``, ``-0``, ``1_000`` (which Python's float() reads),
hex, digits of other scripts (which float() reads), ``nan(1)`` (which pyarrow reads),
empty cells."""

from __future__ import annotations

import math
import random
import struct

import numpy as np
import pytest

import glassnet.datasets as D
from glassnet.stream import MISSING_TOKENS

#: cells float() reads, refuses, or reads as NaN / inf, and those pyarrow reads otherwise
ODD = [
    "", " ", "NA", "na", "N/A", "nan", "NaN", "-nan", "+nan", "null", "?", "-", "--", "#N/A",
    "1e5", "1E+05", " 3.0 ", "\t2\n", "+1", "-0", "-0.0", "0001", ".5", "5.", "1.e5", "inf",
    "-inf", "+inf", "Infinity", "iNF", "1e400", "-1e400", "1e-400", "5e-324",
    "2.4703282292062328e-324", "1.7976931348623159e308", "9007199254740993", "1_000",
    "18_24", "_1", "1__0", "0x10", "0b1", "0o7", "1j", "1d5", "1.5f", "1,5", "1.5e", "e5",
    "١٢", "٣.٥", "１２", "\u20071", "1.5\u00a0", "\u30001", "\ufeff1", "\x1c3", "1\x0b",
    "\x0c1", "nan(1)", "snan", "−1", "1e", "abc", "True", "1 000",
    "0.1000000000000000055511151231257827021181583404541015625",
    "1" * 30, "0." + "0" * 30 + "1", "1\n2", "3\n", "\n",
]  # fmt: skip


def _float_or_none(cell: str) -> float | None:
    try:
        return float(cell)
    except ValueError:
        return None


def _bits(values) -> list:
    return [None if v is None else struct.pack("<d", v) for v in values]


def _numbers(n: int, rng: random.Random) -> list[str]:
    """Numbers as files hold them: pandas' 17 digits, short ones, whole ones, exponents."""
    out = []
    for _ in range(n):
        x = rng.gauss(0, 1) * 10 ** rng.randint(-5, 5)
        out.append(rng.choice([repr(x), f"{x:.3f}", str(int(x)), f"{x:.6e}", f"{x:g}"]))
    return out


#: pyarrow's reading of numbers, where it is installed (read_csv takes it once imported)
try:
    import pyarrow  # noqa: F401

    ARROW = True
except ImportError:
    ARROW = False


@pytest.fixture(params=["arrow", "numpy"])
def readers(request, monkeypatch):
    """read with pyarrow's numbers where installed (the runs pyarrow read, counted), and
    with NumPy's alone."""
    calls: list[int] = []
    if request.param == "numpy":
        monkeypatch.setattr(D, "_arrow", lambda *a, **k: False)
        monkeypatch.setattr(D, "float_columns", lambda *a, **k: {})
        monkeypatch.setattr(D, "plain_rows", lambda *a, **k: None)
    else:
        real = D.float_columns

        def spy(data, *a, **k):
            calls.append(len(data))
            return real(data, *a, **k)

        monkeypatch.setattr(D, "float_columns", spy)
    return request.param, calls


def test_floats_are_float_of_each_cell(readers):
    """_floats: float() of every cell (same bits), and which cells float() refuses, with
    the odd cells few, many, at the start, at the end, or alone."""
    rng = random.Random(0)
    layouts = []
    for share in (0.0001, 0.001, 0.05, 0.5, 1.0):
        cells = _numbers(12_000, rng)
        for i in rng.sample(range(len(cells)), max(1, int(share * len(cells)))):
            cells[i] = rng.choice(ODD)
        layouts.append(cells)
    base = _numbers(9000, rng)
    for odd in ODD:  # each odd cell alone in a column of numbers: first, middle, last
        for at in (0, 4500, 8999):
            layouts.append(base[:at] + [odd] + base[at + 1 :])
    layouts.append(["?"] * 5000 + _numbers(5000, rng))  # (text first, then numbers)
    layouts.append(_numbers(5000, rng) + [f"n{i}" for i in range(5000)])
    layouts += [[], ["1"], ["?"], ODD]
    for cells in layouts:
        values, ok = D._floats(cells)
        want = [_float_or_none(c) for c in cells]
        assert ok.tolist() == [w is not None for w in want]
        got = [float(v) if k else None for v, k in zip(values, ok)]
        assert _bits(got) == _bits(want)
    assert bool(readers[1]) == (readers[0] == "arrow" and ARROW)  # (pyarrow read runs)


def test_read_numbers_reads_as_float_or_refuses(readers):
    """_read_numbers: float() of every cell, or None when float() refuses one, though
    pyarrow reads it (``nan(1)`` as NaN, ``\\ufeff1`` at the start as 1)."""
    rng = random.Random(1)
    for odd in ODD:
        for at in (0, 3000, 4999):
            cells = _numbers(5000, rng)
            cells[at] = odd
            got = D._read_numbers(cells)
            want = [_float_or_none(c) for c in cells]
            if any(w is None for w in want):
                assert got is None, odd
            else:
                assert _bits(got.tolist()) == _bits(want), odd
    assert bool(readers[1]) == (readers[0] == "arrow" and ARROW)


@pytest.mark.parametrize(
    "tokens", [MISSING_TOKENS, frozenset({"", "?"}), frozenset({"-999", "na", ""})]
)
def test_classified_is_classify_of_each_cell(tokens, readers):
    """_classified: _classify of every cell, and the numbers of the _NUM cells (NaN in the
    others), for a column of numbers with a few odd cells, a repeated one, text."""
    rng = random.Random(2)
    columns = []
    for share in (0.0, 0.002, 0.1, 0.4, 0.9):
        cells = _numbers(10_000, rng) + ["-999"] * 10
        for i in rng.sample(range(len(cells)), int(share * len(cells))):
            cells[i] = rng.choice(ODD)
        columns.append(cells)
    columns.append([rng.choice(["red", "green", "", "NA", "1", "?"]) for _ in range(9000)])
    columns.append([f"2024-01-{i % 28 + 1:02d} {i}" for i in range(9000)])
    for cells in columns:
        classes, values = D._classified(cells, tokens)
        assert classes.tolist() == [D._classify(c, tokens) for c in cells]
        want = [float(c) if k == D._NUM else None for c, k in zip(cells, classes)]
        got = [float(v) if k == D._NUM else None for v, k in zip(values, classes)]
        assert _bits(got) == _bits(want)
        assert np.isnan(values[classes != D._NUM]).all()


def _per_cell(m) -> None:
    """The reader as it read before the bulk reading: float() and _classify per cell."""

    def read_numbers(cells, halve=False):
        try:
            return np.array([float(c) for c in cells], np.float64)
        except ValueError:
            return None

    def classified(cells, tokens):
        classes = np.array([D._classify(c, tokens) for c in cells], np.int8)
        values = np.array([float(c) if k == D._NUM else math.nan for c, k in zip(cells, classes)])
        return classes, values

    m.setattr(D, "_read_numbers", read_numbers)
    m.setattr(D, "_classified", classified)
    m.setattr(D, "_in_tokens", lambda cells, t: np.array([c.lower() in t for c in cells], bool))


def _state(t: D.Table) -> dict:
    """Everything a Table read from a file holds, numbers by their bits."""
    d = {k: getattr(t, k) for k in (
        "names", "kinds", "imputed", "fill_values", "line_notes", "file_lines", "dropped",
        "index_dropped", "delimiter", "n_rows", "target", "source",
    )}  # fmt: skip
    d["lines"] = t.line_numbers.tolist()
    d["raw"] = {n: t.raw(n).tolist() for n in t.names}
    d["why"] = {n: t.why_text(n) for n in t.categorical_columns}
    d["values"] = {
        n: t.numbers(n).view(np.int64).tolist()
        if t.kinds[n] == "numeric"
        else t.strings(n).tolist()
        for n in t.names
    }
    return d


def _read(path, monkeypatch, per_cell: bool, **options):
    with monkeypatch.context() as m:
        if per_cell:
            _per_cell(m)
        try:
            return "ok", _state(D.read_csv(path, **options))
        except Exception as e:  # (the same error, type and message)
            return "error", type(e).__name__, str(e)


#: each file's number columns: the odd cells each holds (a few, or many of them)
ODD_SETS = [
    [[], ["", "NA"], ["nan", "-nan"], ["inf", "1e400"], ["+1", " 3.0 ", "-0", "١٢", "1e5", ".5"]],
    [[], ["?"], ["?", ""], ["18_24", "abc", "x", "1_000"], ["0x10"], ["-999"]],
    [[], ["?"], ["", "NA"], ["1_000"], [c for c in ODD if not any(ch in c for ch in '\n,;"')]],
]


def _messy_file(path, rng: random.Random, rows: int, quoted: bool, odd_sets, sep=",") -> None:
    """A file of number columns, each with odd cells of its own (``odd_sets``: their
    texts), a text column (quoted cells holding the delimiter when ``quoted``) and a
    target."""
    names = [f"x{j}" for j in range(len(odd_sets))]
    cols = []
    for odd in odd_sets:
        cells = _numbers(rows, rng)
        if odd:
            for i in rng.sample(range(rows), rng.choice([1, 3, rows // 50, rows // 2 + 9])):
                cells[i] = rng.choice(odd)
        cols.append([c.replace(sep, ".") if sep != "," else c for c in cells])
    text = [rng.choice(["red", "blue", "red, dark" if quoted else "green"]) for _ in range(rows)]
    y = [str(rng.randint(0, 1)) for _ in range(rows)]
    lines = [sep.join([*names, "c", "y"])]
    for i in range(rows):
        cell = f'"{text[i]}"' if quoted and "," in text[i] else text[i]
        cells = [f'"{c[i]}"' if quoted and sep in c[i] else c[i] for c in cols]
        lines.append(sep.join([*cells, cell, y[i]]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


OPTIONS = [
    {},
    {"impute": "mean"},
    {"impute": "median", "target": "y"},
    {"missing": ("", "?"), "impute": "mean"},
    {"categorical": ["x1", "x3"], "impute": "mean"},
    {"missing": ("-999", "na", ""), "impute": "mean", "pandas_index": True},
    {"nrows": 3000, "impute": "mean"},
    {"missing": ("", "?", "na", "n/a"), "impute": "mean", "categorical": ["x4"]},
]


@pytest.mark.parametrize("quoted", [False, True])
def test_messy_files_read_as_the_per_cell_reading(tmp_path, monkeypatch, readers, quoted):
    """Files of 6,000 rows with odd cells in their number columns, plain (the fast path
    for plain rows) and with quoted cells (the csv module's): the same Table, or the same
    error, as the per-cell reading, under each set of options."""
    rng = random.Random(3 + quoted)
    outcomes = set()
    for k, odd_sets in enumerate(ODD_SETS):
        path = tmp_path / f"messy{k}.csv"
        _messy_file(path, rng, 6000, quoted, odd_sets)
        for options in OPTIONS:
            fast = _read(path, monkeypatch, False, **options)
            assert fast == _read(path, monkeypatch, True, **options), options
            outcomes.add(fast[0])
    assert outcomes == {"ok", "error"}  # (both kinds of outcome compared)


def test_a_decimal_comma_file_reads_as_the_per_cell_reading(tmp_path, monkeypatch, readers):
    rng = random.Random(5)
    path = tmp_path / "comma.csv"
    _messy_file(path, rng, 5000, False, ODD_SETS[0], sep=";")
    text = path.read_text(encoding="utf-8").replace(".", ",")
    path.write_text(text, encoding="utf-8")
    for options in ({"decimal": ",", "impute": "mean"}, {"impute": "mean"}, {}):
        assert _read(path, monkeypatch, False, **options) == _read(
            path, monkeypatch, True, **options
        )


def test_a_column_with_missing_cells_is_not_classified_cell_by_cell(tmp_path, monkeypatch):
    """A number column with empty cells and '?' markers: its cells are classified in bulk,
    _classify called on a sample of its first cells, not on each of its 20,000 cells."""
    rng = random.Random(6)
    cells = _numbers(20_000, rng)
    for i in range(0, 20_000, 40):
        cells[i] = rng.choice(["", "NA", "?"])
    path = tmp_path / "m.csv"
    path.write_text("a,b\n" + "\n".join(f"{c},{i % 2}" for i, c in enumerate(cells)) + "\n")
    calls = []
    real = D._classify
    monkeypatch.setattr(D, "_classify", lambda *a: calls.append(1) or real(*a))
    table = D.read_csv(path, missing=("", "na", "?"), impute="mean")
    assert table.kinds["a"] == "numeric" and len(table.imputed["a"]) == 500
    assert len(calls) <= 300


def test_the_csv_modules_number_columns_are_read_in_bulk(tmp_path, monkeypatch):
    """A file with quoted cells (read by the csv module): its number columns are read by
    pyarrow where installed (here a stand-in that reads as float() does), a run of rows
    at a time, and the Table is the per-cell reading's."""
    calls = []

    def float_columns(data, delimiter, n_columns, wanted, n_rows):
        calls.append(n_rows)
        lines = data.decode().split("\n")
        try:
            return {0: np.array([float(c) for c in lines])} if len(lines) == n_rows else {}
        except ValueError:
            return {}

    monkeypatch.setattr(D, "_arrow", lambda *a, **k: True)
    monkeypatch.setattr(D, "float_columns", float_columns)
    rng = random.Random(7)
    path = tmp_path / "q.csv"
    _messy_file(path, rng, 20_000, True, ODD_SETS[1][:3])
    got = _read(path, monkeypatch, False, impute="mean", missing=("", "?", "na"))
    assert calls and max(calls) >= 4096
    assert got == _read(path, monkeypatch, True, impute="mean", missing=("", "?", "na"))


def test_blank_line_is_a_search_for_two_line_ends():
    """_blank_line (NumPy over the rows' bytes, a slice at a time): the fast path's test
    for an empty line, ``"\\n\\n" in text``, on random texts, slices of any size."""
    rng = random.Random(8)
    seen = set()
    for _ in range(20_000):
        text = "".join(rng.choice("a\n,é") for _ in range(rng.randint(0, 14)))
        stop = len(text) - text.endswith("\n")
        cut = text.find("\n", 0, stop)
        if cut < 0 or text.startswith("\n"):
            continue  # (no rows: _read_plain declines such a text before)
        data = text[cut + 1 : stop].encode("utf-8")
        want = "\n\n" in text
        assert D._blank_line(data, size=rng.choice([1, 2, 3, 5, 1 << 22])) == want, text
        seen.add(want)
    assert seen == {True, False}


def test_a_number_columns_cells_are_stripped_only_where_a_blank_is():
    """_Column.add strips a chunk of a number column's cells only when its text holds a
    character str.strip() removes: the cells kept are those stripped, any blank (ASCII,
    or Unicode where the text is not ASCII) in any place."""
    rng = random.Random(9)
    blanks = [" ", "\t", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "\u00a0", "\u3000"]
    for _ in range(200):
        cells = _numbers(50, rng)
        if rng.random() < 0.7:
            i = rng.randrange(50)
            cells[i] = rng.choice(["", rng.choice(blanks)]) + cells[i] + rng.choice(blanks)
        if rng.random() < 0.2:
            cells[rng.randrange(50)] = rng.choice(["?", " ? ", "١٢", "1_000"])
        col = D._Column(strip=True, pack=True)
        col.add(tuple(cells[:25]))
        col.add(tuple(cells[25:]))
        got = col.column()
        got = got.cells() if isinstance(got, D._Packed) else got
        assert got == [c.strip() for c in cells]


def test_scattered_texts_are_not_read_again_and_again(monkeypatch):
    # runs holding a text were cut in 8 and read again down to runs of 32: 5x the column's
    # cells handed to the bulk reading (1.8x slower than the per-cell reader before)
    import random

    import glassnet.datasets as D

    rng = random.Random(0)
    n = 100_000
    cells = [repr(rng.gauss(0, 1)) for _ in range(n)]
    for k, i in enumerate(range(2000, n, (n - 2000) // 500)):
        cells[i] = f"t{k}"
    sent = []
    real = D._read_numbers
    monkeypatch.setattr(
        D, "_read_numbers", lambda some, **kw: sent.append(len(some)) or real(some, **kw)
    )
    values, ok = D._floats(cells)
    assert sum(sent) <= 2 * n + n // 8 + 1  # (the bulk reading stops once 2n cells were sent)
    expect = np.array([float(c) if not c.startswith("t") else np.nan for c in cells])
    np.testing.assert_array_equal(values, expect)
    assert (~ok).sum() == 500


def test_a_column_that_turns_to_text_past_its_start_is_read_as_text(monkeypatch):
    # only its first 256 cells were sampled: numbers, so the bulk path failed run after run
    import glassnet.datasets as D

    n = 20_000
    cells = [str(i) for i in range(300)] + [f"R{i}" for i in range(300, n)]
    calls = []
    monkeypatch.setattr(
        D, "_floats", lambda c: calls.append(1) or (_ for _ in ()).throw(AssertionError)
    )
    classes, values = D._classified(cells, frozenset())
    assert not calls
    assert (classes[:300] == D._NUM).all() and (classes[300:] == D._TEXT).all()
