"""glassnet.stream (round 14): a number column with stray text decided as the in-memory
reader decides it, a non-finite cell quoted as written, the target column meant, and the
label's runs in file order."""

from __future__ import annotations

import random

import numpy as np
import pytest

from glassnet import stream as gs
from glassnet.datasets import read_csv

pytest.importorskip("pyarrow")


def column_csv(path, cells, name: str = "code"):
    path.write_text(f"{name},y\n" + "".join(f"{c},{i % 2}\n" for i, c in enumerate(cells)))
    return path


def in_memory_kind(path, name: str = "code") -> str:
    try:
        return read_csv(path, target="y").kinds[name]
    except ValueError as exc:
        assert "Non-numeric value" in str(exc), exc
        return "refused"


@pytest.mark.parametrize(
    "cells",
    [
        [str(round(0.37 * i, 2)) for i in range(300)] + ["TBD"],  # a stray word
        [str(round(0.37 * i, 2)) for i in range(300)] + ["pending", "oops"],
        [str(n) for n in range(35, 47)] * 20 + ["S", "M", "L"] * 5,  # shoe sizes
        [str(n) for n in range(35, 47)] + ["S", "M", "L"],
        [str(n) for n in range(1, 21)] + ["G", "B"],  # floors, each once
        ["5"] * 50 + ["abc"] * 3,  # one number in most rows
    ],
)
def test_numbers_with_stray_text_are_refused_as_in_memory(tmp_path, cells):
    """A column whose cells of numbers outnumber its cells of text is refused by the
    in-memory reader (unless told categorical=[...]); the stream one-hot encoded it when a
    text held no digit ('TBD', 'S'), each number a category of its own."""
    random.Random(0).shuffle(cells)
    path = column_csv(tmp_path / "c.csv", cells)
    assert in_memory_kind(path) == "refused"
    with pytest.raises(gs.ColumnsRefused) as info:
        gs.from_csv(path, "y")
    text = str(info.value)
    assert info.value.column == "code", text
    assert "a column of numbers with text in it" in text, text
    first = next(i for i, c in enumerate(cells) if gs.number_value(c) is None)
    assert info.value.place == f"'{path}' line {first + 2}", text
    assert info.value.cell == cells[first]


def test_several_stray_words_are_told_to_pass_categorical(tmp_path):
    """The in-memory reader's advice for a column of categories, categorical=[name], which
    from_csv takes too."""
    cells = [str(n) for n in range(35, 47)] * 20 + ["S", "M", "L"] * 5
    path = column_csv(tmp_path / "c.csv", cells, "size")
    with pytest.raises(gs.ColumnsRefused) as info:
        gs.from_csv(path, "y")
    assert "If the column holds categories ('L', 'M', 'S')" in str(info.value)
    assert "pass categorical=['size'] (its numbers are then categories too)" in str(info.value)


@pytest.mark.parametrize(
    "cells",
    [
        [str(n) for n in range(1, 11)] + ["A"] * 100 + ["B"] * 100,
        [str(n) for n in range(35, 47)] + ["S", "M", "L"] * 4,  # as many cells of each
        ["S", "M", "L", "XL"] * 30 + ["10", "12", "14"] * 10,
    ],
)
def test_text_in_as_many_cells_as_numbers_or_more_stays_categories(tmp_path, cells):
    path = column_csv(tmp_path / "c.csv", cells)
    assert in_memory_kind(path) == "categorical"
    cols = gs.from_csv(path, "y").columns
    assert cols.kinds["code"] == "categorical"
    assert cols.categories["code"] == sorted(set(cells))


def test_numbers_majority_counts_cells():
    assert gs.numbers_majority(300, 1)
    assert gs.numbers_majority(240, 15)
    assert gs.numbers_majority(20, 10)  # (more cells of numbers: numbers, as in memory)
    assert not gs.numbers_majority(12, 12)  # (as many: text, as in memory)
    assert not gs.numbers_majority(10, 200)


def test_a_non_finite_cell_is_quoted_as_written(tmp_path):
    """'Infinity' was named as 'holds inf'; a cell written inf stays so."""
    for cell in ("Infinity", "-INF", "inf"):
        path = tmp_path / "i.csv"
        lines = [f"{cell if i == 30 else i * 0.5},{i % 2}" for i in range(80)]
        path.write_text("a,y\n" + "\n".join(lines) + "\n")
        shown = repr(cell) if cell != "inf" else "inf"
        with pytest.raises(ValueError, match=rf"line 32: column 'a' holds {shown};"):
            gs.from_csv(path, "y")


def test_a_mistyped_target_is_suggested(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("a,label\n" + "".join(f"{i},{i % 2}\n" for i in range(20)))
    with pytest.raises(ValueError, match="Did you mean 'label'"):
        gs.from_csv(path, "Label")


def test_the_label_runs_and_class_counts_are_counted(tmp_path):
    """A file sorted by its label has one run per class; a shuffled one about rows * (1 -
    the classes' shares squared); counted across the reader's blocks."""
    rng = np.random.default_rng(0)
    y = rng.choice(["a", "b", "c"], 3000, p=[0.5, 0.3, 0.2])
    x = rng.normal(size=3000).round(3)
    path = tmp_path / "r.csv"
    path.write_text("x,y\n" + "".join(f"{v},{t}\n" for v, t in zip(x, y)))
    cols = gs.from_csv(path, "y", block_size=1 << 12).columns
    counts = [int((y == c).sum()) for c in ("a", "b", "c")]
    assert cols.class_counts == counts
    assert cols.label_runs == 1 + int(np.count_nonzero(y[1:] != y[:-1]))
    o = np.argsort(y, kind="stable")
    path.write_text("x,y\n" + "".join(f"{v},{t}\n" for v, t in zip(x[o], y[o])))
    cols = gs.from_csv(path, "y", block_size=1 << 12).columns
    assert cols.label_runs == 3 and cols.class_counts == counts
    assert gs.from_csv(path, "x", labels=False).columns.label_runs is None


def test_pandas_index_is_left_out_when_asked(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(",a,y\n" + "".join(f"{i},{i * 0.5},{i % 2}\n" for i in range(3000)))
    with pytest.raises(ValueError, match=r"no name for column\(s\) \[1\]"):
        gs.from_csv(path, "y")
    s = gs.from_csv(path, "y", pandas_index=True, block_size=1 << 12)
    assert s.columns.features == ["a"] and s.columns.index_dropped == (0, 2999)
    X = np.concatenate([c[0] for c in s.chunks()])
    np.testing.assert_array_equal(X[:, 0], np.arange(3000) * 0.5)
    lines = [f"{i if i != 2500 else 7},{i * 0.5},{i % 2}\n" for i in range(3000)]
    path.write_text(",a,y\n" + "".join(lines))  # (a number out of order, past the first block)
    with pytest.raises(ValueError, match="not the row numbers that pandas' to_csv writes"):
        gs.from_csv(path, "y", pandas_index=True, block_size=1 << 12)
