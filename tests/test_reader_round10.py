"""read_csv's fast path for a file of plain rows (no quote, no carriage return, no blank
line, every row as wide as the header): the very Table the csv module's reading gives,
values bit for bit, kinds, notes, errors; with pyarrow's numbers and with NumPy's."""

from __future__ import annotations

import random

import numpy as np
import pytest
from memory_helpers import traced

import glassnet.datasets as D


def _state(t: D.Table) -> dict:
    """Everything a Table read from a file holds, numbers by their bits."""
    d = {k: getattr(t, k) for k in (
        "names", "kinds", "imputed", "fill_values", "line_notes", "file_lines", "dropped",
        "index_dropped", "delimiter", "n_rows", "target", "source",
    )}  # fmt: skip
    d["lines"] = (t.line_numbers.dtype.str, t.line_numbers.tolist())
    d["raw"] = {n: t.raw(n).tolist() for n in t.names}
    d["joined"] = {n: t.joined(n) for n in t.names}
    d["why"] = {n: t.why_text(n) for n in t.categorical_columns}
    d["values"] = {
        n: t.numbers(n).view(np.int64).tolist()
        if t.kinds[n] == "numeric"
        else t.strings(n).tolist()
        for n in t.names
    }
    return d


def _read(path, plain: bool, monkeypatch, **options):
    with monkeypatch.context() as m:
        if not plain:
            m.setattr(D, "_read_plain", lambda *a, **k: None)
        try:
            return "ok", _state(D.read_csv(path, **options))
        except Exception as e:  # (the same error, type and message)
            return "error", type(e).__name__, str(e)


def _same(path, monkeypatch, **options) -> bool:
    """Whether the fast path read ``path`` (else the csv module did), asserting that its
    Table (or error) is the csv module's."""
    used = []
    real = D._read_plain

    def spy(*a, **k):
        got = real(*a, **k)
        used.append(got is not None)
        return got

    with monkeypatch.context() as m:
        m.setattr(D, "_read_plain", spy)
        fast = _read(path, True, monkeypatch, **options)
    assert fast == _read(path, False, monkeypatch, **options)
    return bool(used and used[0])


_CASES = {
    "plain": ("a,b,y\n1,2,0\n3,4,1\n", {}, True),
    "no final line break": ("a,b,y\n1,2,0\n3,4,1", {}, True),
    "blanks around cells": ("a , b,y\n 1, 2 ,0\n3 ,4,1\n", {}, True),
    "tabs": ("a\tb\ty\n1\t2\t0\n3\t 4\t1\n", {}, True),
    "decimal commas, refused": ("a;b;y\n1,5;2;0\n3;4;1\n", {}, True),
    "decimal commas, read": ("a;b;y\n1,5;2;0\n3;4;1\n", {"decimal": ","}, True),
    "a short row": ("a,b,y\n1,2,0\n3,4\n", {}, False),
    "a long row": ("a,b,y\n1,2,0,5\n3,4,1\n", {}, False),
    "delimiters ending rows": ("a,b,y\n1,2,0,\n3,4,1,\n", {}, False),
    "unnamed last column": ("a,b,y,\n1,2,0,\n3,4,1,\n", {}, False),
    "a row of blank cells": ("a,b,y\n1,2,0\n , ,\n3,4,1\n", {}, False),
    "a first cell empty": ("a,b,y\n,2,0\n3,4,1\n", {"impute": "mean"}, True),
    "a first cell empty, refused": ("a,b,y\n,2,0\n3,4,1\n", {}, True),
    "a blank line": ("a,b,y\n1,2,0\n\n3,4,1\n", {}, False),
    "CRLF": ("a,b,y\r\n1,2,0\r\n3,4,1\r\n", {}, False),
    "pandas index": (",a,b\n0,1,x\n1,2,y\n", {"pandas_index": True}, True),
    "pandas index, not a range": (",a,b\n0,1,x\n5,2,y\n", {"pandas_index": True}, True),
    "drop": ("id,a,y\n 7 ,1,0\n8,2,1\n", {"drop": "id"}, True),
    "drop, unknown": ("id,a,y\n7,1,0\n8,2,1\n", {"drop": ["nope"]}, False),
    "target of labels": ("a,b,y\n1,2,x\n3,4,z\n", {"target": "y"}, True),
    "age bands": ("a,b,y\n18_24,2,0\n25_34,4,1\n", {}, True),
    "1_0 among numbers": ("a,b,y\n18,2,0\n1_0,4,1\n", {}, True),
    "inf": ("a,b,y\n1,inf,0\n3,4,1\n", {}, True),
    "inf, imputed": ("a,b,y\n1,1e400,0\n3,4,1\n", {"impute": "mean"}, True),
    "NA": ("a,b,y\n1,NA,0\n3,4,1\n", {}, True),
    "a '?'": ("a,b,y\n1,?,0\n3,4,1\n5,6,0\n", {}, True),
    "missing given": ("a,b,y\n1,-999,0\n3,4,1\n", {"missing": ["-999"]}, True),
    "text late": ("a,b\n" + "".join(f"{i},{i}\n" for i in range(40_000)) + "1,abc\n", {}, True),
    "another script's digit": ("a,b,y\n1,\u0661,0\n3,4,1\n", {}, True),
    "no-break space": ("a,b,y\n1,\u00a02,0\n3,4,1\n", {}, True),
    "vertical tab": ("a,b,y\n1,\x0b2,0\n3,4,1\n", {}, True),
    "nan(1)": ("a,b,y\n1,nan(1),0\n3,4,1\n", {}, True),
    "accents": ("a,b,y\n1,café,0\n3,thé,1\n", {}, True),
    "extreme numbers": (
        "a,b\n4.9e-324,2.2250738585072011e-308\n0.1000000000000000055511151231257827,"
        "1.7976931348623157e308\n+.5,-3.E2\n",
        {},
        True,
    ),
    "sep= line": ("sep=;\na;b;y\n1;2;0\n", {}, False),
    "header only": ("a,b,y\n", {}, False),
    "one column": ("a\n1\n2\n", {}, False),
    "comment line": ("# hello\na,b,y\n1,2,0\n", {}, False),
    "quoted": ('a,b,y\n1,"x,y",0\n', {}, False),
    "a delimiter of two bytes": ("a§b§y\n1§2§0\n", {"delimiter": "§"}, False),
    "byte-order mark": ("\ufeffa,b,y\n1,2,0\n", {}, True),
    "the header again": ("a,b,y\n1,2,0\na,b,y\n3,4,1\n", {}, True),
    "no blank, a text column": ("a,b,y\n1.5,red,0\n2,green,1\n", {}, True),
    "no blank, a number column with text late": (
        "a,b\n" + "".join(f"{i}.5,{i}\n" for i in range(20_000)) + "x,1\n",
        {},
        True,
    ),
    "no blank, a row of empty cells": ("a,b,y\n1,2,0\n,,\n3,4,1\n", {}, False),
    "no blank, an empty first cell": ("a,b,y\n,2,0\n3,4,1\n", {"impute": "median"}, True),
    "no blank, 1_000": ("a,b\n1_000,2\n3,4\n", {}, True),
    "IDs": ("id,a\n" + "".join(f"{i:08d},{i % 3}\n" for i in range(70_000)), {}, True),
}


def _readers(monkeypatch, readers: str) -> None:
    """The fast path's readers: pyarrow's texts and numbers (of a file with no blank
    around a cell), or Python's split and pyarrow's numbers (of any plain file), or Python's
    split and NumPy's numbers (without pyarrow)."""
    if readers != "pyarrow":
        monkeypatch.setattr(D, "plain_rows", lambda *a, **k: None)
    if readers == "numpy":
        monkeypatch.setattr(D, "float_columns", lambda *a, **k: {})


@pytest.mark.parametrize("readers", ["pyarrow", "split, pyarrow's numbers", "numpy"])
@pytest.mark.parametrize("case", list(_CASES))
def test_the_fast_path_reads_as_the_csv_module(tmp_path, monkeypatch, case, readers):
    text, options, plain = _CASES[case]
    _readers(monkeypatch, readers)
    path = tmp_path / "d.csv"
    path.write_text(text, encoding="utf-8")
    assert _same(path, monkeypatch, **options) == plain


@pytest.mark.parametrize("readers", ["pyarrow", "numpy"])
def test_random_files_read_as_the_csv_module(tmp_path, monkeypatch, readers):
    """Files of numbers and of texts that read as numbers to one reader but not another
    (1_0, another script's digits, nan(2), 0x1, a no-break space), rows cut short or
    lengthened, rows of blank cells: the same Table or error as the csv module's."""
    _readers(monkeypatch, readers)
    rng = random.Random(10)
    vocab = ["1", "2.5", "-3e2", "1e400", "inf", "nan", "NA", "", "?", " ", "x", "café",
             "1_0", "\u0661", "\u00a07", " 4 ", "\t5", "+.5", "5.", "0x1", "nan(2)", "-",
             "1,5", "00012", "1e-320", "9007199254740993", "\x0b3"]  # fmt: skip
    plain = 0
    for k in range(60):
        width, n = rng.randint(2, 5), rng.choice([1, 5, 30, 17_000])
        sep = rng.choice([",", ";", "\t", "|"])
        numbers = [rng.random() < 0.6 for _ in range(width)]
        lines = [sep.join(f"c{j}" for j in range(width))]
        for _ in range(n):
            lines.append(sep.join(
                repr(rng.uniform(-1e3, 1e3)) if numbers[j] and rng.random() < 0.97
                else rng.choice(vocab).replace(sep, "")
                for j in range(width)
            ))  # fmt: skip
        if rng.random() < 0.3 and n > 1:
            i = rng.randrange(1, len(lines))
            lines[i] = rng.choice([
                sep.join(lines[i].split(sep)[:-1]), lines[i] + sep, sep.join([" "] * width),
            ])  # fmt: skip
        path = tmp_path / f"f{k}.csv"
        path.write_text("\n".join(lines) + "\n" * (rng.random() < 0.8), encoding="utf-8")
        options = rng.choice([
            {}, {"impute": "mean"}, {"missing": ["", "?"]}, {"categorical": ["c0"]},
            {"target": "c1"}, {"impute": "median", "drop": ["c0"]},
            {"pandas_index": True, "decimal_commas": "text"},
        ])  # fmt: skip
        plain += _same(path, monkeypatch, **options)
    assert plain > 20  # (most files are plain rows: the fast path read them)


def test_random_files_without_blanks_read_as_the_csv_module(tmp_path, monkeypatch):
    """Files with no blank around any cell, which pyarrow reads as text: numbers, texts,
    empty cells, inf, 1_0, nan(2), rows cut short or of empty cells, a column of numbers
    with a text late: the csv module's Table or error."""
    rng = random.Random(11)
    vocab = ["1", "2.5", "-3e2", "1e400", "inf", "nan", "NA", "", "?", "x", "1_0", "+.5",
             "5.", "0x1", "nan(2)", "-", "00012", "1e-320", "9007199254740993"]  # fmt: skip
    plain = 0
    for k in range(40):
        width, n = rng.randint(2, 5), rng.choice([1, 5, 30, 17_000])
        numbers = [rng.random() < 0.7 for _ in range(width)]
        lines = [",".join(f"c{j}" for j in range(width))]
        for _ in range(n):
            lines.append(",".join(
                repr(rng.uniform(-1e3, 1e3)) if numbers[j] and rng.random() < 0.99
                else rng.choice(vocab) for j in range(width)
            ))  # fmt: skip
        if rng.random() < 0.3 and n > 1:
            i = rng.randrange(1, len(lines))
            lines[i] = rng.choice([",".join(lines[i].split(",")[:-1]), "," * (width - 1)])
        path = tmp_path / f"f{k}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        options = rng.choice([{}, {"impute": "mean"}, {"missing": ["", "?"]}, {"target": "c1"}])
        plain += _same(path, monkeypatch, **options)
    assert plain > 20


def test_the_memory_estimate_covers_the_plain_rows_fast_path(tmp_path):
    # the fast path holds the rows again as bytes and as pyarrow's table: 1.6-1.9 bytes a
    # byte of the file above the estimate, so a file could pass the memory check and then
    # run out of memory instead of getting CSVMemoryError
    pa = pytest.importorskip("pyarrow")
    from pathlib import Path

    rng = np.random.default_rng(0)
    path = tmp_path / "plain.csv"  # (the shape of bench/csv_read.py's files, 13 MB)
    X, colour = rng.normal(size=(40_000, 10)), rng.integers(0, 3, 40_000)
    with open(path, "w") as f:
        f.write(",".join(f"x{i}" for i in range(10)) + ",c,y\n")
        for i in range(40_000):
            f.write(",".join(map(repr, X[i])) + f",{('red', 'green', 'blue')[colour[i]]},{i % 2}\n")
    pool = pa.default_memory_pool()
    arrow_before = pool.max_memory()
    python_peak = traced(D.read_csv, path)[1]
    arrow_peak = pool.max_memory() - arrow_before if arrow_before else pool.max_memory()
    # (their sum bounds the true peak from above: the two need not peak together)
    assert D._bytes_needed(Path(path), path.stat().st_size) >= python_peak + arrow_peak


def test_the_fast_paths_share_of_the_memory_estimate_is_for_files_it_reads(tmp_path):
    # a file of CRLF lines is read by the csv module alone: no fast path's copies to count
    from pathlib import Path

    rows = "".join(f"{i}.5,x{i % 3},{i % 2}\n" for i in range(2000))
    quoted, plain = tmp_path / "q.csv", tmp_path / "p.csv"
    quoted.write_bytes(("a,c,y\n" + rows).replace("\n", "\r\n").encode())
    plain.write_bytes(("a,c,y\n" + rows).encode())
    size_q, size_p = quoted.stat().st_size, plain.stat().st_size
    extra_q = D._bytes_needed(Path(quoted), size_q) / size_q
    extra_p = D._bytes_needed(Path(plain), size_p) / size_p
    assert extra_p - extra_q > 1.5  # (2 bytes a byte for the plain file's copies)
