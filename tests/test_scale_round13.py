"""Scale-out features under an adversarial user (round 13): a number column with a stray
text cell in a streamed file, arguments a stream would ignore, a one-class target, fit_many
on memmaps, a sliced memmap's pages, and --stream's --test-split at its ends."""

from __future__ import annotations

import re

import numpy as np
import pytest
from cli_helpers import assert_one_line_error, run, write_csv

from glassnet import nn
from glassnet import stream as gs
from glassnet.train import fit

KW = dict(loss="binary_cross_entropy", batch_size=32, epochs=1, verbose=0, seed=0)


def _model(inputs: int = 2) -> nn.MLP:
    return nn.MLP([inputs, 4, 1], output_activation="sigmoid", rng=0)


def _question_mark_csv(path, rows: int = 200, at: int = 57):
    """A file whose 'age' column holds numbers and one '?' (row ``at``, line at + 2), in
    pyarrow's first block, so that it types the column as text."""
    rng = np.random.default_rng(0)
    with open(path, "w") as f:
        f.write("age,income,label\n")
        for i in range(rows):
            age = "?" if i == at else f"{rng.uniform(18, 90):.1f}"
            f.write(f"{age},{rng.normal(50, 10):.2f},{'yes' if i % 2 else 'no'}\n")
    return path


# ------------------------------------------------- 1. text among a column of numbers


def test_a_number_column_with_a_stray_text_cell_is_refused_naming_its_line(tmp_path):
    # it was one-hot encoded, each distinct number a category (fit asked for inputs=180)
    pytest.importorskip("pyarrow")
    path = _question_mark_csv(tmp_path / "q.csv")
    with pytest.raises(ValueError, match=r"q.csv' line 59: column 'age' holds '\?'") as e:
        gs.from_csv(path, "label")
    # (the default missing texts and '?': missing=['', '?'] alone would read NA as a category)
    assert "missing=['', 'n/a', 'na', 'nan', 'null', '?']" in str(e.value)
    assert "178 of its 179 distinct values are numbers" in str(e.value)
    with pytest.raises(ValueError, match=r"line 59: column 'age' holds '\?'"):
        fit(_model(180), str(path), "label", **KW)
    # marked missing, the cell is a missing value (an error of a stream, naming its line)
    with pytest.raises(ValueError, match=r"line 59: column 'age' has a missing value"):
        gs.from_csv(path, "label", missing=["", "?"])


def test_a_text_column_with_a_few_numbers_stays_categorical(tmp_path):
    pytest.importorskip("pyarrow")
    path = tmp_path / "c.csv"
    rows = [f"{c},{i % 7},{i % 2}" for i, c in enumerate(["red", "blue", "7", "green"] * 10)]
    path.write_text("colour,x,label\n" + "\n".join(rows) + "\n")
    cols = gs.from_csv(path, "label").columns
    assert cols.kinds["colour"] == "categorical"
    assert cols.categories["colour"] == ["7", "blue", "green", "red"]


def test_text_categories_that_are_mostly_numbers_stay_categorical(tmp_path):
    """Sizes S, M, L, XL, 10, 12, 14, 16, 18 (more distinct numbers than texts, the texts in
    more cells) were refused as a number column with text in it; the in-memory reader's
    rule decides, by the cells: a column whose texts fill as many cells as its numbers or
    more is text (with fewer, it is a number column with stray text, refused as in memory:
    tests/test_stream_round14.py); texts that mark missing cells ('?', '-', 'unknown') or
    numbers written for people make such a column an error (the command line's rule)."""
    pytest.importorskip("pyarrow")
    sizes = ["S", "M", "L", "XL", "10", "12", "14", "16", "18", "S", "M", "L", "XL"]
    path = tmp_path / "sizes.csv"
    rows = [f"{sizes[i % 13]},{i % 5},{i % 2}" for i in range(91)]
    path.write_text("size,x,label\n" + "\n".join(rows) + "\n")
    cols = gs.from_csv(path, "label").columns
    assert cols.kinds["size"] == "categorical"
    assert cols.categories["size"] == sorted(set(sizes))
    fit(_model(2 + 9 - 1), str(path), "label", **KW)  # (9 categories and x)
    for marker in ("-", "unknown", "?"):  # a stray marker among numbers: still refused
        rows = [f"{marker if i == 40 else 10 + i % 7},{i % 5},{i % 2}" for i in range(90)]
        path.write_text("size,x,label\n" + "\n".join(rows) + "\n")
        with pytest.raises(ValueError, match=rf"line 42: column 'size' holds '{marker}'"):
            gs.from_csv(path, "label", missing=["", "n/a"])
        with pytest.raises(ValueError, match=re.escape(f"missing=['', 'n/a', '{marker}']")):
            gs.from_csv(path, "label", missing=["", "n/a"])


def test_train_stream_trains_sizes_and_words_a_column_of_several_markers(capsys, tmp_path):
    """train --stream refused the sizes column too (its own rule: more numbers than not,
    with only the distinct values at hand), which train in memory trains (its cells more
    text than numbers); a column of numbers and several marks of missing cells is still
    refused in its words."""
    pytest.importorskip("pyarrow")
    sizes = ["S", "M", "L", "XL", "10", "12", "14", "16", "18", "S", "M", "L", "XL"]
    rows = [[sizes[i % 13], i % 5, i % 2] for i in range(130)]
    path = write_csv(tmp_path / "sizes.csv", ["size", "x", "label"], rows)
    out = tmp_path / "m.glassnet"
    fast = ["--epochs", "1", "--hidden", "4", "-q", "--out", out]
    for extra in ([], ["--stream"]):
        code, _, err = run(capsys, "train", path, "--target", "label", *fast, *extra)
        assert code == 0, err
    marks = ["1", "2", "?", "-", "."]
    rows = [[marks[i % 5], i % 7, i % 2] for i in range(90)]
    path = write_csv(tmp_path / "marks.csv", ["a", "x", "label"], rows)
    code, _, err = run(capsys, "train", path, "--target", "label", "--stream", *fast)
    assert code == 2, err
    assert_one_line_error(
        err, "column 'a'", "holds numbers and 3 value(s) that are not numbers ('-', '.', '?')"
    )


def test_a_thousands_separator_among_numbers_is_named_as_such(tmp_path):
    """'1,234' among a column's numbers was called a text that may mark a missing value,
    with missing=['', '1,234'] as the advice; it is a number written with a thousands
    separator, as the command line says."""
    pytest.importorskip("pyarrow")
    path = tmp_path / "thou.csv"
    path.write_text('amount,y\n5,0\n12,1\n800,0\n"1,234",1\n7,0\n"2,500",1\n9,0\n')
    with pytest.raises(ValueError, match=r"line 5: column 'amount' holds '1,234'") as e:
        gs.from_csv(path, "y")
    text = str(e.value)
    assert "numbers written with a thousands separator" in text, text
    assert "plain number such as 1234.5" in text and "missing=" not in text, text


@pytest.mark.parametrize("decimal", [".", ","])
def test_the_number_check_of_a_text_column_reads_cells_as_float_does(decimal):
    # (the check reads ASCII cells by a regular expression, at once: the same as float())
    cells = ["?", "S", "1e5", " 7 ", "inf", "-.5", "5.", "1_0", "\uff13", "7\xa0", "+1E-3", "Zoë"]
    cells += ["1.2.3", "e5", ".", "nan", "-Infinity", "0x10", "1,5", "3,", ",5", "1e", "--1"]
    cells += ["\x0b4\x1c", "\u0663", "Infinity", "INF", "1e+5", "\t-2\n", "+", "٣.٥", "1 2"]
    want = [c for c in cells if gs.number_value(c.strip(), decimal) is None]
    assert gs._not_numbers(cells, decimal) == want


def test_the_command_line_still_words_a_streamed_number_column_with_text(capsys, tmp_path):
    pytest.importorskip("pyarrow")
    path = _question_mark_csv(tmp_path / "q.csv")
    code, _, err = run(capsys, "train", path, "--target", "label", "--stream", "--epochs", "1")
    assert code != 0
    assert_one_line_error(
        err, "column 'age'", "holds numbers and 1 value(s) that are not numbers ('?')"
    )


# ------------------------------------------------- 2 and 6. what a stream would ignore


def _arrays():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2)).astype(np.float32)
    return X, (X[:, 0] > 0).astype(int)


def test_a_y_beside_a_stream_is_refused():
    # it was ignored: fit(Stream, 1 - y) trained on the stream's own targets
    X, y = _arrays()
    with pytest.raises(TypeError, match=r"X is a Stream, which holds its targets: pass y=None"):
        fit(_model(), gs.from_arrays(X, y), 1 - y, **KW)
    fit(_model(), gs.from_arrays(X, y), None, **KW)


def test_a_y_beside_chunks_is_refused_naming_the_chunks():
    X, y = _arrays()
    chunks = [(X[:30], y[:30]), (X[30:], y[30:])]
    with pytest.raises(TypeError, match=r"X is a list of chunks, whose chunks carry their own"):
        fit(_model(), chunks, y, **KW)
    with pytest.raises(TypeError, match=r"X is a function returning chunks.*pass y=None"):
        fit(_model(), lambda: iter(chunks), y, **KW)
    fit(_model(), chunks, None, **KW)
    fit(_model(), X.tolist(), y, **KW)  # (a list of rows is an array, as before)


def test_a_memmap_with_a_column_name_is_refused(tmp_path):
    X, _ = _arrays()
    np.save(tmp_path / "X.npy", X)
    Xm = np.load(tmp_path / "X.npy", mmap_mode="r")
    with pytest.raises(TypeError, match=r"X is a memmap and y is 'label', a column's name"):
        fit(_model(), Xm, "label", **KW)


def test_from_csv_on_a_parquet_file_says_so(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path = tmp_path / "p.csv"  # (whatever its name)
    pq.write_table(pa.table({"a": [1.0, 2.0, 3.0], "label": [0, 1, 0]}), path)
    with pytest.raises(ValueError, match=r"p.csv' is a Parquet file.*from_parquet"):
        gs.from_csv(path, "label")


# ------------------------------------------------- 7. a target of one class


def test_a_text_target_of_a_single_class_is_refused(tmp_path):
    # it trained, 'yes' encoded as class 0, where the command line refuses it
    pytest.importorskip("pyarrow")
    path = tmp_path / "one.csv"
    path.write_text("a,b,label\n" + "".join(f"{i},{i % 3},yes\n" for i in range(20)))
    with pytest.raises(ValueError, match=r"target column 'label' .* single class \('yes'\)"):
        gs.from_csv(path, "label")
    with pytest.raises(ValueError, match=r"single class \('yes'\) in its 20 rows"):
        fit(_model(), str(path), "label", **KW)


def test_the_command_line_still_words_a_streamed_single_class(capsys, tmp_path):
    pytest.importorskip("pyarrow")
    single = write_csv(tmp_path / "single.csv", ["a", "y"], [[i, "x"] for i in range(50)])
    code, _, err = run(capsys, "train", single, "--target", "y", "--stream")
    assert code != 0
    assert_one_line_error(err, "the target 'y' of", "has a single class ('x') in its 50 rows")


# ------------------------------------------------- 3. fit_many and search on a memmap


def test_fit_many_and_search_refuse_a_memmap_pointing_to_np_asarray(tmp_path):
    # fit streams a memmap through a shuffle buffer of 65,536 rows; fit_many trained it with
    # a full permutation: above that size its models differed from separate fits
    from glassnet.many import fit_many, search

    X, y = _arrays()
    np.save(tmp_path / "X.npy", X)
    Xm = np.load(tmp_path / "X.npy", mmap_mode="r")
    KW = dict(loss="binary_cross_entropy", batch_size=32, epochs=1, seed=0)
    with pytest.raises(TypeError, match=r"fit_many .* X is a np.memmap.*np.asarray\(X\)"):
        fit_many([_model(), _model()], Xm, y, **KW)
    with pytest.raises(TypeError, match=r"search .* X is a np.memmap.*np.asarray\(X\)"):
        search(_model, Xm, y, {"lr": [0.1, 0.01]}, **KW)
    fit_many([_model(), _model()], np.asarray(Xm), y, **KW)


# ------------------------------------------------- 4. a sliced memmap's pages


def test_a_sliced_memmap_releases_the_pages_of_its_own_rows(tmp_path, monkeypatch):
    # X[:n_train] (a memmap whose base is the memmap over the file) was streamed without
    # madvise, its pages piling up in the process; the byte range is the slice's own
    import mmap

    if not hasattr(mmap, "MADV_DONTNEED"):
        pytest.skip("no madvise on this platform (the no-madvise branch is tested below)")
    calls: list[tuple[int, int]] = []

    class Spy(mmap.mmap):  # (numpy maps a memmap's file with mmap.mmap: this records)
        def madvise(self, option, start=0, length=None):  # type: ignore[override]
            calls.append((start, length))
            return super().madvise(option, start, length)

    rows, cols = 4096, 8  # 32 KiB a 1,024 rows: several pages per chunk
    X = np.arange(rows * cols, dtype=np.float32).reshape(rows, cols)
    np.save(tmp_path / "X.npy", X)
    monkeypatch.setattr(mmap, "mmap", Spy)
    Xm = np.load(tmp_path / "X.npy", mmap_mode="r")
    assert isinstance(Xm.base, Spy)
    part = Xm[1000:3000]
    got = np.concatenate(
        [c[0] for c in gs.from_arrays(part, np.zeros(2000), chunk_rows=512).chunks()]
    )
    np.testing.assert_array_equal(got, X[1000:3000])
    row = cols * 4
    head = Xm.offset % mmap.ALLOCATIONGRANULARITY  # (the mapping's first byte: the file's)
    first, last = head + 1000 * row, head + 3000 * row  # the slice's bytes in the mapping
    assert calls, "no page of the slice was released"
    lo = min(s for s, _ in calls)
    hi = max(s + n for s, n in calls)
    assert lo == first - first % mmap.PAGESIZE  # (from the page of its first byte)
    assert hi == last
    covered = sorted(calls)
    for (s1, n1), (s2, _) in zip(covered, covered[1:]):
        assert s2 <= s1 + n1  # (no gap between the chunks' ranges)


def test_without_madvise_a_sliced_memmap_reads_its_own_rows(tmp_path, monkeypatch):
    import mmap

    rows, cols = 300, 3
    X = np.arange(rows * cols, dtype=np.float64).reshape(rows, cols)
    np.save(tmp_path / "X.npy", X)
    Xm = np.load(tmp_path / "X.npy", mmap_mode="r")
    monkeypatch.delattr(mmap, "MADV_DONTNEED", raising=False)
    for part, want in [(Xm[37:250], X[37:250]), (Xm[37:250][5:100], X[42:137])]:
        got = np.concatenate(
            [c[0] for c in gs.from_arrays(part, np.zeros(len(part)), chunk_rows=40).chunks()]
        )
        np.testing.assert_array_equal(got, want)


# ------------------------------------------------- 5. --stream --test-split at its ends


def _small_csv(tmp_path):
    rows = [[i % 7, (i * 3) % 5, "yes" if i % 2 else "no"] for i in range(40)]
    return write_csv(tmp_path / "s.csv", ["a", "b", "label"], rows)


def test_stream_test_split_that_leaves_no_training_rows_names_the_flag(
    capsys, tmp_path, monkeypatch
):
    # it printed the training header, then "the stream yielded no chunks"
    pytest.importorskip("pyarrow")
    path = _small_csv(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(
        capsys, "train", path, "--target", "label", "--stream", "--test-split", "0.999999"
    )
    assert code != 0 and "training" not in out
    assert_one_line_error(
        err,
        "--test-split 0.999999 holds out 40 of the 40 rows",
        "which leaves none to train on: use a smaller --test-split",
    )


def test_stream_test_split_that_holds_out_no_row_says_so(capsys, tmp_path, monkeypatch):
    # in memory, ceil(0.000001 * 40) = 1 row is scored; the stream's draw held out none,
    # and nothing said there were no test scores
    pytest.importorskip("pyarrow")
    path = _small_csv(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(
        capsys, "train", path, "--target", "label", "--stream", "--test-split", "0.000001",
        "--epochs", "1",
    )  # fmt: skip
    assert code == 0, err
    assert "--test-split 1e-06 held out 0 of the 40 rows" in err
    assert "no test scores" in err and "test " not in out


# ------------------------------------------------- a class-label target read by float()


def _labels_csv(path, odd: str, at: int, rows: int = 3000):
    """A file whose target 'y' holds the classes 0, 1, 2, one of them written ``odd`` (a
    fullwidth digit, a no-break space after it) at row ``at``."""
    lines = [f"{i / rows:.4f},{odd if i == at else i % 3}" for i in range(rows)]
    path.write_text("x,y\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("odd", ["\uff11", "1\xa0"])
@pytest.mark.parametrize("at", [4, 2500])  # in the first block, and past it (read again)
def test_a_label_target_with_a_number_read_by_float_keeps_its_classes(tmp_path, odd, at):
    # it became a regression target in silence (the column read as float64: not labels)
    pytest.importorskip("pyarrow")
    path = _labels_csv(tmp_path / "y.csv", odd, at)
    plain = _labels_csv(tmp_path / "plain.csv", "1", at)
    for labels in (None, True):
        s = gs.from_csv(path, "y", labels=labels, block_size=4096)
        assert s.columns.classes == [0, 1, 2] == gs.from_csv(plain, "y").columns.classes
        assert all(isinstance(c, int) for c in s.columns.classes)
        if at > 1000:
            assert list(s.columns.retyped) == ["y"]
        y = np.concatenate([c[1] for c in s.chunks()])
        np.testing.assert_array_equal(y, np.arange(3000) % 3)
    # labels=False: a regression target, as asked
    assert gs.from_csv(path, "y", labels=False, block_size=4096).columns.classes is None


def test_a_number_that_is_not_whole_past_a_whole_label_targets_first_block_is_named(tmp_path):
    pytest.importorskip("pyarrow")
    path = _labels_csv(tmp_path / "y.csv", "\uff11", 4)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2501] = lines[2501].split(",")[0] + ",2.5"  # (data row 2500, line 2502)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 2502: the target column 'y' holds '2.5' where"):
        gs.from_csv(path, "y", block_size=4096)
    # a first block of numbers that are not whole: a regression target, whole later blocks
    # (read again for each epoch) as floats beside them
    lines[4] = lines[4].split(",")[0] + ",0.5"  # (data row 3, beside the \uff11 of row 4)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    s = gs.from_csv(path, "y", block_size=4096)
    assert s.columns.classes is None
    for _ in range(2):
        y = np.concatenate([c[1] for c in s.chunks()])
        assert (y[3], y[4], y[2500], y[7]) == (0.5, 1.0, 2.5, 1.0), y[:8]


@pytest.mark.parametrize(
    ("bad", "missing"),
    [("#DIV/0!", None), ("\u22120.5", None), ("12 kg", None), ("N/A", [""])],
)
def test_one_stray_text_among_numbers_is_refused_naming_its_line(tmp_path, bad, missing):
    """A column of 199 numbers and one stray cell with a letter or digit ('#DIV/0!', '12 kg',
    '−0.5' with U+2212, or 'N/A' when missing= drops the defaults) was one-hot encoded, 200
    categories, where the in-memory reader refuses it: numbers that are the clear majority of
    a column's distinct values make it a column of numbers, whatever its texts are."""
    pytest.importorskip("pyarrow")
    path = tmp_path / "t.csv"
    rows = [f'"{bad if i == 3 else i * 0.37}",{i % 2}' for i in range(200)]
    path.write_text("a,y\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(gs.ColumnsRefused) as info:
        gs.from_csv(path, "y", missing=missing)
    text = str(info.value)
    assert f"line 5: column 'a' holds {bad!r}" in text, text
    assert "199 of its 200 distinct values are numbers" in text, text
    given = sorted(missing or gs.MISSING_TOKENS)
    assert f"missing={[*given, bad]!r}" in text, text  # (if it marks a missing cell)
    fix = "else write every cell" if bad == "N/A" else "else fix the cell at that line"
    assert fix in text, text  # ('N/A' marks a missing cell: a marker's advice)
    assert info.value.place == f"'{path}' line 5" and info.value.column == "a"
    assert info.value.cell == bad


@pytest.mark.parametrize(
    "codes",
    [
        [str(n) for n in range(1, 11)] + ["A"] * 100 + ["B"] * 100 + ["C"] * 100,
        [str(n) for n in range(35, 47)] + ["S", "M", "L"] * 4,  # as many texts as numbers
    ],
)
def test_categories_of_mostly_numbers_stay_text_in_the_stream_as_in_memory(tmp_path, codes):
    """Codes whose texts fill as many cells as their numbers, or more: one-hot categories,
    as the in-memory reader reads them. (Codes of many numbers and a few words, shoe sizes
    35 ... 46 with one S, M and L, are numbers with stray text to the in-memory reader,
    which refuses them unless told categorical=[...]: the stream refuses them too, see
    tests/test_stream_round14.py.)"""
    pytest.importorskip("pyarrow")
    from glassnet.datasets import read_csv

    path = tmp_path / "c.csv"
    path.write_text("code,y\n" + "".join(f"{c},{i % 2}\n" for i, c in enumerate(codes)))
    src = gs.from_csv(path, "y")
    assert src.columns.kinds["code"] == "categorical"
    assert sorted(src.columns.categories["code"]) == sorted(set(codes))
    assert read_csv(path, target="y").kinds["code"] == "categorical"


def test_train_stream_refuses_one_stray_text_among_numbers_naming_its_line(capsys, tmp_path):
    """train --stream trained the column above as 200 categories; it is refused, naming the
    cell's line and what to do, as the stream refuses it."""
    pytest.importorskip("pyarrow")
    rows = [["#DIV/0!" if i == 3 else i * 0.37, i % 2] for i in range(200)]
    path = write_csv(tmp_path / "t.csv", ["a", "y"], rows)
    fast = ["--epochs", "1", "--hidden", "4", "-q", "--out", tmp_path / "m.glassnet"]
    code, _, err = run(capsys, "train", path, "--target", "y", "--stream", *fast)
    assert code == 2, err
    assert_one_line_error(
        err,
        "line 5: column 'a' holds numbers and 1 value(s) that are not numbers ('#DIV/0!')",
        "pass --missing '#DIV/0!'",
        "else fix the cell at that line",
    )


@pytest.mark.parametrize("odd", ["\uff11", "1.0\xa0"])
@pytest.mark.parametrize("at", [4, 2500])  # in the first block, and past it (read again)
def test_a_target_written_as_decimals_with_a_number_read_by_float_stays_regression(
    tmp_path, odd, at
):
    """A target written 0.0, 1.0, 2.0 (pyarrow: float64, a regression target) with one
    cell read by float() ('１', '1.0\\xa0') became 3 int64 classes: whole values, though
    its cells are not written as integers. The written cells decide, as pyarrow types them."""
    pytest.importorskip("pyarrow")
    path = tmp_path / "y.csv"
    lines = [f"{i % 7},{odd if i == at else f'{i % 3}.0'}" for i in range(3000)]
    path.write_text("a,y\n" + "\n".join(lines) + "\n", encoding="utf-8")
    plain = tmp_path / "plain.csv"
    plain.write_text("a,y\n" + "\n".join(f"{i % 7},{i % 3}.0" for i in range(3000)) + "\n")
    assert gs.from_csv(plain, "y", block_size=4096).columns.classes is None
    s = gs.from_csv(path, "y", block_size=4096)
    assert s.columns.classes is None
    y = np.concatenate([c[1] for c in s.chunks()])
    assert y.dtype == np.float64
    np.testing.assert_array_equal(y, np.arange(3000) % 3)


@pytest.mark.parametrize("cell", ['"  \uff13"', '"\uff13\t"', '"1\xa0"'])
def test_a_refused_cell_with_blanks_around_it_is_named_by_its_line(tmp_path, cell):
    """columns.retyped named 'the block from line 2049' for a quoted cell "  ３" (pyarrow's
    message names it without its spaces), not the cell's line."""
    pytest.importorskip("pyarrow")
    path = tmp_path / "r.csv"
    lines = [f"{cell if i == 2500 else i % 5},{i % 2}" for i in range(3000)]
    path.write_text("a,y\n" + "\n".join(lines) + "\n", encoding="utf-8")
    assert gs.from_csv(path, "y", block_size=4096).columns.retyped == {"a": 2502}
