"""glassnet.stream (round 14, second part): from_csv's categorical= for columns of codes,
and a single text beside a few numbers refused as the in-memory reader refuses it."""

from __future__ import annotations

import random

import numpy as np
import pytest

from glassnet import stream as gs
from glassnet.datasets import read_csv
from glassnet.preprocessing import Preprocessor

pytest.importorskip("pyarrow")


def codes_csv(path, cells, name: str = "c"):
    rng = random.Random(0)
    rows = [f"{rng.gauss(0, 1):.3f},{c},{i % 2}\n" for i, c in enumerate(cells)]
    path.write_text(f"x,{name},y\n" + "".join(rows))
    return path


def floors(n: int = 400):
    rng = random.Random(0)
    return [
        rng.choice(["G", "B"]) if rng.random() < 0.3 else str(rng.randint(1, 20)) for _ in range(n)
    ]


def grades(n: int = 400):
    rng = random.Random(1)
    return [rng.choice(["K"] + [str(i) for i in range(1, 13)]) for _ in range(n)]


def shoes(n: int = 400):
    rng = random.Random(2)
    return [
        rng.choice(["S", "M", "L"]) if rng.random() < 0.1 else str(rng.randint(35, 46))
        for _ in range(n)
    ]


@pytest.mark.parametrize("cells", [floors(), grades(), shoes()], ids=["floors", "grades", "shoes"])
def test_from_csv_categorical_one_hot_encodes_codes_as_read_csv(tmp_path, cells):
    """Floors G, B, 1-20, grades K-12, shoe sizes with a few S, M, L: refused as numbers
    with text in them, and from_csv had no categorical= to read them as codes."""
    path = codes_csv(tmp_path / "c.csv", cells)
    with pytest.raises(gs.ColumnsRefused, match="pass categorical=\\['c'\\]"):
        gs.from_csv(path, "y")
    s = gs.from_csv(path, "y", categorical=["c"])
    assert s.columns.kinds == {"x": "numeric", "c": "categorical"}
    table = read_csv(path, "y", categorical=["c"])
    assert table.kinds["c"] == "categorical"
    assert s.columns.categories["c"] == sorted(set(cells))
    encoder = Preprocessor().fit(table).to_dict()["encoder"]
    assert s.columns.preprocessor_dict()["encoder"]["categories"] == encoder["categories"]
    X = next(iter(s.chunks()))[0]
    j = s.columns.feature_names.index("c=G" if "G" in cells else f"c={cells[0]}")
    want = np.array([c == s.columns.feature_names[j][2:] for c in cells[: len(X)]])
    assert np.array_equal(X[:, j] == 1, want)


def test_from_csv_categorical_refuses_an_unknown_column(tmp_path):
    path = codes_csv(tmp_path / "c.csv", floors())
    with pytest.raises(ValueError) as info:
        gs.from_csv(path, "y", categorical=["floor"])
    text = str(info.value)
    assert "'categorical' parameter of from_csv names columns not in" in text
    assert "['floor']" in text and "Available columns: ['x', 'c', 'y']" in text


@pytest.mark.parametrize("text", ["A", "none_given"])
def test_a_single_text_beside_a_few_numbers_is_refused_as_read_csv_refuses_it(tmp_path, text):
    """'A' in most of 400 cells, 1 or 2 in the others: read_csv refuses it (each number a
    category of its own); from_csv one-hot encoded it silently."""
    rng = random.Random(0)
    cells = [rng.choice([text] * 8 + ["1", "2"]) for _ in range(400)]
    path = codes_csv(tmp_path / "c.csv", cells)
    with pytest.raises(ValueError, match="holds numbers and the text"):
        read_csv(path, "y")
    with pytest.raises(gs.ColumnsRefused) as info:
        gs.from_csv(path, "y")
    assert info.value.column == "c" and info.value.cell == text
    assert "pass categorical=['c']" in str(info.value)
    # told, both read it as codes
    assert read_csv(path, "y", categorical=["c"]).kinds["c"] == "categorical"
    assert gs.from_csv(path, "y", categorical=["c"]).columns.categories["c"] == ["1", "2", text]


def test_a_column_of_several_texts_and_a_few_numbers_stays_text(tmp_path):
    """Sizes S, M, L, XL in most rows and 10, 12 in a few: categories, in both readers."""
    rng = random.Random(0)
    cells = [
        rng.choice(["10", "12"]) if rng.random() < 0.2 else rng.choice("SML") for _ in range(400)
    ]
    path = codes_csv(tmp_path / "c.csv", cells)
    assert read_csv(path, "y").kinds["c"] == "categorical"
    assert gs.from_csv(path, "y").columns.kinds["c"] == "categorical"
