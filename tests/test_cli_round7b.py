"""The command line's round-7 fixes (second part): a streamed multi-label run names the
stray cell of a label column by the values its cells stand for (No beside no, 1.0 beside
1), and accepts and refuses the files the in-memory run does."""

from __future__ import annotations

import numpy as np
import pytest
from cli_helpers import FAST, assert_one_line_error, run, warnings, write_csv


def _label_file(path, labels):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(len(labels), 2))
    rows = [[f"{a:.3f}", f"{b:.3f}", lab] for (a, b), lab in zip(X, labels)]
    return write_csv(path, ["x", "y", "a"], rows)


def _train(capsys, data, tmp_path, *extra):
    out = tmp_path / "m.glassnet"
    return run(capsys, "train", data, "--target", "a", "--task", "multilabel", "--out", out,
               *FAST, *extra)  # fmt: skip


def _words(n=300):
    """yes/no with every 7th cell capitalised (the same values) and one 'maybe' (line 192)."""
    labels = ["yes" if i % 2 else "no" for i in range(n)]
    labels = [c.capitalize() if i % 7 == 3 else c for i, c in enumerate(labels)]
    labels[190] = "maybe"
    return labels


def _numbers(n=300):
    """0/1 with some 1.0 cells (the value 1) and one stray 2 (line 92)."""
    labels = ["1" if i % 2 else "0" for i in range(n)]
    labels = ["1.0" if i % 7 == 2 and c == "1" else c for i, c in enumerate(labels)]
    labels[90] = "2"
    return labels


@pytest.mark.parametrize(
    "labels, cell, line, top",
    [(_words(), "maybe", 192, ("yes", "no")), (_numbers(), "2", 92, ("1", "0"))],
    ids=["words", "numbers"],
)
def test_streamed_multilabel_names_the_stray_cell_not_a_spelling_of_a_value(
    tmp_path, capsys, labels, cell, line, top
):
    data = _label_file(tmp_path / "labels.csv", labels)
    code, _, err = _train(capsys, data, tmp_path)  # in memory: refused, every value listed
    assert code == 2
    assert_one_line_error(err, "holds ", "value(s)")
    code, _, err = _train(capsys, data, tmp_path, "--stream")
    assert code == 2
    assert_one_line_error(
        err, f"line {line}: the label column 'a' holds {cell!r}",
        f"beside its most frequent values {top[0]!r} and {top[1]!r}",
    )  # fmt: skip


_FILES = {
    "case": [("YES" if i % 5 == 0 else "yes") if i % 2 else ("No" if i % 3 == 0 else "no")
             for i in range(60)],
    "zero_point": [["0", "0.0", "1.0", "1"][i % 4] for i in range(60)],
    "true_TRUE": [["true", "TRUE", "false", "False"][i % 4] for i in range(60)],
    "blank": ["" if i == 7 else ["0", "1"][i % 2] for i in range(60)],
    "third": ["2" if i == 30 else ["0", "1"][i % 2] for i in range(60)],
    "third_word": ["maybe" if i == 30 else ["yes", "No"][i % 2] for i in range(60)],
    "spelled_twice": ["maybe" if i == 30 else ["yes", "Yes"][i % 2] for i in range(60)],
    "padded": [[" 0", "1 "][i % 2] for i in range(60)],
    "two_texts": [["a", "b"][i % 2] for i in range(60)],
    "A_a_b": [["A", "a", "b"][i % 3] for i in range(60)],
    "signs": [["-", "+"][i % 2] for i in range(60)],
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(_FILES))
def test_streamed_and_in_memory_multilabel_accept_and_refuse_the_same_files(tmp_path, capsys, name):
    data = _label_file(tmp_path / f"{name}.csv", _FILES[name])
    memory, out_m, err_m = _train(capsys, data, tmp_path)
    streamed, out_s, err_s = _train(capsys, data, tmp_path, "--stream")
    assert memory == streamed, (err_m, err_s)
    if memory == 0:  # the same two values, negative first
        pair = [x for x in out_m.splitlines() if x.startswith("task")]
        assert len(pair) == 1
        assert pair == [x for x in out_s.splitlines() if x.startswith("task")]
    else:
        assert_one_line_error(err_m)
        assert_one_line_error(err_s)
        if name.startswith("third"):  # the stray cell, at its line
            assert "line 32: the label column 'a' holds" in err_s


def _id_file(path, n=300):
    """customer_id: distinct random 6-digit IDs; const: 5 in every row; country: US in every
    row; amount: distinct floats (an ordinary feature); order_id2 is no identifier's name."""
    rng = np.random.default_rng(1)
    ids = rng.choice(np.arange(100_000, 1_000_000), n, replace=False)
    X = rng.normal(size=(n, 2))
    rows = [
        [ids[i], 5, "US", f"{X[i, 0]:.6f}", f"{X[i, 1]:.3f}", "yes" if X[i].sum() > 0 else "no"]
        for i in range(n)
    ]
    return write_csv(path, ["customer_id", "const", "country", "amount", "x", "label"], rows)


@pytest.mark.parametrize("stream", [False, True], ids=["memory", "stream"])
def test_train_warns_of_a_random_id_column_and_of_single_value_columns(tmp_path, capsys, stream):
    data = _id_file(tmp_path / "rid.csv")
    out = tmp_path / "m.glassnet"
    extra = ["--stream"] if stream else []
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", out, *FAST, *extra)
    assert code == 0, err
    found = warnings(err)
    assert len(found) == 2, found
    ids, single = found
    assert "'customer_id' holds 300 distinct whole numbers, each once" in ids
    assert "--drop customer_id" in ids and "--id customer_id" in ids
    assert (
        "2 columns each hold a single value in all 300 rows: 'const' ('5'), 'country' ('US'); "
        "they carry no information to learn from" in single
    )
    assert "--drop const,country" in single
    if stream:
        assert "write the file without them" in single
    else:  # one such column: its own words
        code, _, err = run(capsys, "train", data, "--target", "label", "--out", out, *FAST,
                           "--drop", "country")  # fmt: skip
        assert code == 0, err
        [_, single] = warnings(err)
        assert "the column 'const' holds the single value '5' in all 300 rows" in single
        assert single.endswith("leave it out with --drop const")
    # left out, or kept as the row's ID: no warning; distinct floats are no ID
    if not stream:
        code, _, err = run(capsys, "train", data, "--target", "label", "--out", out, *FAST,
                           "--drop", "const,country", "--id", "customer_id")  # fmt: skip
        assert code == 0, err
        assert warnings(err) == []


@pytest.mark.parametrize(
    "name, flagged",
    [("id", True), ("customer_id", True), ("CustomerID", True), ("userId", True),
     ("uuid", True), ("order-key", True), ("paid", False), ("valid", False),
     ("monkey", False), ("amount", False), ("width", False)],
)  # fmt: skip
def test_identifier_names(name, flagged):
    from glassnet.cli import _identifier_numbers

    ids = np.random.default_rng(0).choice(10**6, 100, replace=False).astype(float)
    assert _identifier_numbers(name, ids) is flagged
    assert not _identifier_numbers(name, ids + 0.5)  # distinct amounts: a feature's
    assert not _identifier_numbers(name, np.repeat(ids[:50], 2))  # repeated: a category's


def test_a_dense_run_of_ids_with_a_gap_is_no_identifier_column():
    """0 to 38 and 50: steps of one but for a gap; neither the row-number warning's (steps of
    one) nor the identifiers' (spread over more than twice their count)."""
    from glassnet.cli import _identifier_numbers

    assert not _identifier_numbers("id", np.array([*range(39), 50], float))


def _excel_lines(n=60, stray=None):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 2))
    lines = ["a,b,label,,"]
    for i, (a, b) in enumerate(X):
        extra = "x" if i == stray else ""
        lines.append(f"{a:.3f},{b:.3f},{'yes' if a + b > 0 else 'no'},{extra},")
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize("stream", [False, True], ids=["memory", "stream"])
def test_trailing_unnamed_empty_columns_are_left_out_with_and_without_stream(
    tmp_path, capsys, stream
):
    """A spreadsheet's export with two empty unnamed columns at the end of every line: the
    stream refused it ("column 4 has no name") while the in-memory reader leaves them out;
    a value in one of them is an error of both, naming its line."""
    data = tmp_path / "excel.csv"
    data.write_text(_excel_lines(), encoding="utf-8-sig")
    out = tmp_path / "m.glassnet"
    extra = ["--stream"] if stream else []
    code, text, err = run(capsys, "train", data, "--target", "label", "--out", out, *FAST, *extra)
    assert code == 0, err
    assert "2 feature columns (2 numeric, 0 categorical) -> 2 inputs" in text
    code, text, err = run(capsys, "predict", out, data)
    assert code == 0, err
    assert len(text.splitlines()) == 61
    data.write_text(_excel_lines(stray=40))
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", out, *FAST, *extra)
    assert code == 2
    assert_one_line_error(err, "ine 42", "has a value in column 4, which the header row leaves")


@pytest.mark.parametrize("stream", [False, True], ids=["memory", "stream"])
@pytest.mark.parametrize("big", ["1e300", "-1e300"])
def test_a_value_near_float64s_limit_trains_with_the_warning_of_memory(
    tmp_path, capsys, stream, big
):
    """1e300 among values near 1: the stream refused it (its sum of squares overflowed: "too
    large to standardize"); in memory, where StandardScaler divides by a power of two first,
    it trains, with the warning that the column's other values become equal inputs: so does
    the stream now (the warning from the file's first block)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    rows = [[big if i == 5 else f"{a:.3f}", f"{b:.3f}", "yes" if a + b > 0 else "no"]
            for i, (a, b) in enumerate(X)]  # fmt: skip
    data = write_csv(tmp_path / "big.csv", ["a", "b", "label"], rows)
    out = tmp_path / "m.glassnet"
    extra = ["--stream"] if stream else []
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", out, *FAST, *extra)
    assert code == 0, err
    [warning] = warnings(err)
    assert "column 'a' has 60 distinct values but only 2 distinct inputs to the network" in warning
    assert f"its value {float(big):.3g} at line 7 dwarfs the others" in warning
    code, text, err = run(capsys, "predict", out, data)  # (the model file reads back)
    assert code == 0, err
    assert len(text.splitlines()) == 61


def test_the_stream_standardizes_values_near_float64s_limit_as_standard_scaler(tmp_path):
    pytest.importorskip("pyarrow")
    from glassnet import stream as gs
    from glassnet.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 3)) * [1.0, 1e150, 1e-200] + [0.0, 0.0, 5e-200]
    X[7, 0], X[2500, 0] = 1e300, -3e299  # (the second one in a later block)
    X[2999, 2] = 1e300  # (a larger unit in the last block: the moments kept rescaled)
    y = (X[:, 0] > 0).astype(int)
    path = tmp_path / "t.csv"
    lines = ["a,b,c,label"] + [",".join(map(repr, r.tolist())) + f",{t}" for r, t in zip(X, y)]
    path.write_text("\n".join(lines) + "\n")
    cols = gs.from_csv(path, "label", standardize=True, block_size=1 << 14).columns
    ref = StandardScaler().fit(X)
    np.testing.assert_allclose(cols.mean, ref.mean_, rtol=1e-12)
    np.testing.assert_allclose(cols.scale, ref.scale_, rtol=1e-12)
    np.testing.assert_array_equal(cols.low, X.min(axis=0))
    np.testing.assert_array_equal(cols.high, X.max(axis=0))


def _marks_file(path):
    rng = np.random.default_rng(0)
    rows = []
    for i in range(80):
        a = rng.normal()
        color = "?" if i % 17 == 3 else "-" if i % 23 == 5 else ["red", "blue"][i % 2]
        rows.append([f"{a:.3f}", color, "yes" if a > 0 else "no"])
    return write_csv(path, ["a", "color", "label"], rows)


@pytest.mark.parametrize("impute", [[], ["--impute", "mean"]], ids=["plain", "impute"])
def test_missing_marks_among_categories_are_noted_with_the_missing_flags(tmp_path, capsys, impute):
    """'?' and '-' in a text column became categories silently (one-hot: -, ?, blue, red),
    even with --impute: a note names them and the --missing flags that make them missing."""
    data = _marks_file(tmp_path / "marks.csv")
    out = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", out, *FAST, *impute)
    assert code == 0, err
    notes = [x for x in err.splitlines() if x.startswith("glassnet: note: ")]
    assert len(notes) == 1, err
    [note] = notes
    assert "the text column 'color' holds '-' (4 row(s)), '?' (5 row(s))" in note
    assert "--missing '' --missing - --missing '?'" in note
    assert "most frequent value" in note
    # the flags it gives: no categories '?' and '-' any more, and no note
    flags = ["--missing", "", "--missing", "-", "--missing", "?"]
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", out, *FAST, *flags,
                       "--impute", "mean")  # fmt: skip
    assert code == 0, err
    assert "holds '-'" not in err
    code, text, err = run(capsys, "info", out)
    assert code == 0, err
    assert "one-hot: blue, red" in text
    if not impute:  # without --impute, the flags make each mark an error naming its line
        code, _, err = run(capsys, "train", data, "--target", "label", "--out", out, *FAST, *flags)
        assert code == 2
        assert_one_line_error(err, "Missing value '?' at line 5")


@pytest.mark.parametrize(
    "categories, noted",
    [(["+", "-"], False), (["-", "+", "0"], False), (["?", "-"], False), (["a-b", "c"], False),
     (["...more", "x"], False), (["n.a", "x"], False), (["x", "y", "--"], True)],
)  # fmt: skip
def test_the_note_of_missing_marks_is_for_marks_beside_values(tmp_path, capsys, categories, noted):
    """Signs (+ and -), a column of marks only, and texts that hold a mark are no case."""
    rng = np.random.default_rng(0)
    rows = [[f"{a:.3f}", categories[i % len(categories)], "yes" if a > 0 else "no"]
            for i, a in enumerate(rng.normal(size=60))]  # fmt: skip
    data = write_csv(tmp_path / "d.csv", ["a", "c", "label"], rows)
    out = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", out, *FAST)
    assert code == 0, err
    assert ("which read as marks of a missing cell" in err) is noted, err
