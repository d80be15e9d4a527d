"""The checks ``glassnet train`` (and predict, evaluate) make of a number column's text: a
leading zero, digits float64 loses, digits grouped by '_', the header row again, numbers
written for people. They search a column's text once (``Table.joined``) and skip a column
they cannot apply to; these small messy files hold each message, so that a check skipped
where it applies fails here."""

from __future__ import annotations

import numpy as np
import pytest
from cli_helpers import FAST, assert_one_line_error, rows, run, warnings, write_csv

from glassnet.datasets import Table, read_csv


def _labels(n: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    return ["yes" if v > 0 else "no" for v in rng.normal(size=n)]


def _train(capsys, tmp_path, path, *extra: object) -> tuple[int, str, str]:
    return run(capsys, "train", path, "--target", "label", "--out", tmp_path / "m.glassnet",
               *extra, *FAST)  # fmt: skip


# -- Table.joined: the text the checks search ----------------------------------------


def test_joined_is_the_cells_joined_for_every_kind_of_column(tmp_path):
    path = write_csv(
        tmp_path / "t.csv",
        ["n", "w", "t", "label"],
        [[f"{i * 0.5:.2f}", f"{i:03d}", f"c{i % 3}", "yes"] for i in range(30)],
    )
    table = read_csv(path, target="label")
    for name in table.names:
        cells = table.raw(name).tolist()
        assert table.joined(name) == "\n".join(cells), name
        assert table.joined(name, ",") == ",".join(cells), name
    kept = table.take(np.array([5, 2, 9]))  # (rows taken: the text of those rows only)
    for name in kept.names:
        assert kept.joined(name) == "\n".join(kept.raw(name).tolist()), name
    built = Table({"a": ["1", " 2 "], "b": ["x", "y"]})
    assert built.joined("a") == "1\n2" and built.joined("b", "|") == "x|y"
    with pytest.raises(ValueError, match="'nope' is not in"):
        table.joined("nope")


def test_joined_of_a_long_number_column_read_in_chunks(tmp_path):
    n = 70_000  # (read_csv parses a number column a chunk of rows at a time)
    values = np.round(np.random.default_rng(1).normal(size=n), 4)
    path = tmp_path / "long.csv"
    path.write_text("x,label\n" + "".join(f"{v},{'ab'[i % 2]}\n" for i, v in enumerate(values)))
    table = read_csv(path, target="label")
    text = table.joined("x")
    assert text == "\n".join(table.raw("x").tolist())
    assert text.count("\n") == n - 1


# -- leading zeros ---------------------------------------------------------------------


def test_a_feature_of_zero_padded_codes_is_warned_of(capsys, tmp_path):
    n = 40
    labels = _labels(n)
    zips = [f"{2100 + (i * 7) % 30:05d}" if i % 4 else str(90210 + i) for i in range(n)]
    path = write_csv(
        tmp_path / "zip.csv", ["a", "zip", "label"],
        [[f"{i * 0.25:.2f}", z, y] for i, (z, y) in enumerate(zip(zips, labels))],
    )  # fmt: skip
    code, _, err = _train(capsys, tmp_path, path)
    assert code == 0, err
    [line] = [w for w in warnings(err) if "leading zeros" in w]
    assert "the column 'zip' holds whole numbers written with leading zeros" in line
    assert f"({zips[1]} at line 3, 30 such cell(s))" in line
    assert "pass --categorical zip" in line


def test_a_target_of_zero_padded_class_codes_is_read_as_written(capsys, tmp_path):
    n = 40
    path = write_csv(
        tmp_path / "codes.csv", ["a", "b", "label"],
        [[f"{i * 0.1:.2f}", f"{(i * 3) % 7}", ["01", "02", "10"][i % 3]] for i in range(n)],
    )  # fmt: skip
    code, _, err = _train(capsys, tmp_path, path)
    assert code == 0, err
    assert "the target 'label' holds whole numbers written with leading zeros (01 at line 2" in err
    assert "its classes are read as written" in err


def test_a_regression_target_with_a_zero_typed_in_is_warned_of(capsys, tmp_path):
    n = 60
    scores = [str(100 + i * 3) for i in range(n)]
    scores[7] = "074"
    path = write_csv(
        tmp_path / "scores.csv", ["a", "label"],
        [[f"{i * 0.1:.2f}", s] for i, s in enumerate(scores)],
    )  # fmt: skip
    code, _, err = _train(capsys, tmp_path, path)
    assert code == 0, err
    assert "the target 'label' holds whole numbers written with leading zeros (074 at line 9" in err


def test_amounts_with_a_zero_before_the_point_are_no_codes(capsys, tmp_path):
    path = write_csv(tmp_path / "amounts.csv", ["a", "b", "label"], rows(40))
    code, _, err = _train(capsys, tmp_path, path)
    assert code == 0, err
    assert "leading zeros" not in err


# -- digits float64 loses --------------------------------------------------------------


def test_ids_of_more_digits_than_float64_keeps_are_warned_of(capsys, tmp_path):
    n = 40
    ids = [str(10**19 + i) for i in range(n)]
    path = write_csv(
        tmp_path / "ids.csv", ["a", "account", "label"],
        [[f"{i * 0.3:.2f}", c, y] for i, (c, y) in enumerate(zip(ids, _labels(n)))],
    )  # fmt: skip
    code, _, err = _train(capsys, tmp_path, path)
    assert code == 0, err
    [line] = [w for w in warnings(err) if "more digits than float64 keeps" in w]
    assert (
        f"column 'account' holds whole numbers of more digits than float64 keeps ({ids[0]} " in line
    )
    assert "at line 2): 40 distinct ones in the file read as 1 distinct number(s)" in line
    assert "--drop account or --id account" in line


# -- digits grouped by '_' -------------------------------------------------------------


def test_age_bands_written_with_underscores_are_read_as_text(capsys, tmp_path):
    n = 40
    bands = ["18_24", "25_34", "35_44"]
    path = write_csv(
        tmp_path / "bands.csv", ["a", "age", "label"],
        [[f"{i * 0.3:.2f}", bands[i % 3], y] for i, y in enumerate(_labels(n))],
    )  # fmt: skip
    code, out, err = run(capsys, "train", path, "--target", "label", "--out",
                         tmp_path / "m.glassnet", "--epochs", "2", "--hidden", "4")  # fmt: skip
    assert code == 0, err
    assert "(1 numeric, 1 categorical)" in out  # 'age' is a text column of three bands


def test_amounts_grouped_by_underscores_are_refused(capsys, tmp_path):
    n = 40
    amounts = [f"{1 + i}_{(i * 37) % 1000:03d}" for i in range(n)]
    path = write_csv(
        tmp_path / "grouped.csv", ["a", "amount", "label"],
        [[f"{i * 0.3:.2f}", c, y] for i, (c, y) in enumerate(zip(amounts, _labels(n)))],
    )  # fmt: skip
    code, _, err = _train(capsys, tmp_path, path)
    assert code != 0
    assert_one_line_error(err, "column 'amount'", f"'{amounts[0]}' at line 2", "plain numbers")


def test_a_column_of_underscored_digits_is_refused_by_predict_and_evaluate(capsys, tmp_path):
    path = write_csv(tmp_path / "train.csv", ["a", "b", "label"], rows(40))
    model = tmp_path / "m.glassnet"
    code, _, err = _train(capsys, tmp_path, path)
    assert code == 0, err
    new = rows(12, seed=3)
    for i, row in enumerate(new):
        row[1] = f"{i + 1}_{i % 3}"
    new[0][1] = "0.5"  # (a plain number first: the check finds the row of the first '_')
    data = write_csv(tmp_path / "new.csv", ["a", "b", "label"], new)
    for command in ("predict", "evaluate"):
        code, _, err = run(capsys, command, model, data)
        assert code != 0, command
        assert_one_line_error(
            err, "column 'b'", "holds '2_1' at line 3", "digits grouped by '_' are read as text"
        )


# -- the header row again --------------------------------------------------------------


def test_a_header_row_again_among_text_columns_is_refused(capsys, tmp_path):
    n = 30
    body = [[f"c{i % 4}", f"k{i % 3}", y] for i, y in enumerate(_labels(n))]
    path = write_csv(
        tmp_path / "joined.csv", ["color", "kind", "label"],
        [*body[:12], ["color", "kind", "label"], *body[12:], ["color", "kind", "label"]],
    )  # fmt: skip
    code, _, err = _train(capsys, tmp_path, path)
    assert code != 0
    assert_one_line_error(
        err, "line 14 of", "repeats the header row (and 1 more line(s) like it)",
        "two files joined into one",
    )  # fmt: skip


def test_a_header_row_again_of_columns_named_by_numbers_is_refused(capsys, tmp_path):
    # the columns '0' and '1' hold numbers and the header row again reads as numbers too:
    # the search of each column's text for its name finds it, and the row is named
    n = 30
    body = [[str(i % 5), str((i * 3) % 7), y] for i, y in enumerate(_labels(n))]
    path = write_csv(
        tmp_path / "numbered.csv", ["0", "1", "label"],
        [*body[:20], ["0", "1", "label"], *body[20:]],
    )  # fmt: skip
    code, _, err = _train(capsys, tmp_path, path)
    assert code != 0
    assert_one_line_error(err, "line 22 of", "repeats the header row:", "remove that line")


def test_a_header_row_again_with_a_byte_order_mark_is_refused(capsys, tmp_path):
    n = 20
    body = [f"c{i % 4},k{i % 3},{y}\n" for i, y in enumerate(_labels(n))]
    part = "color,kind,label\n" + "".join(body[:10])
    path = tmp_path / "cat.csv"  # (cat a.csv b.csv of two Excel 'CSV UTF-8' files)
    path.write_text("\ufeff" + part + "\ufeff" + part, encoding="utf-8")
    code, _, err = _train(capsys, tmp_path, path)
    assert code != 0
    assert_one_line_error(err, "line 12 of", "repeats the header row;", "byte-order mark")


def test_a_header_row_again_among_number_columns_is_refused(capsys, tmp_path):
    data = rows(30)
    path = write_csv(
        tmp_path / "nums.csv", ["a", "b", "label"], [*data[:9], ["a", "b", "label"], *data[9:]]
    )
    code, _, err = _train(capsys, tmp_path, path)
    assert code != 0
    assert_one_line_error(
        err, "line 11 of", "holds 'a', the name of its number column: the header row again"
    )


def test_a_column_holding_its_name_among_other_cells_is_no_header_row(capsys, tmp_path):
    # each column holds its own name somewhere, but never all in one row: no error
    n = 30
    body = [[f"c{i % 4}", f"k{i % 3}", y] for i, y in enumerate(_labels(n))]
    body[3][0], body[8][1] = "color", "kind"
    path = write_csv(tmp_path / "names.csv", ["color", "kind", "label"], body)
    code, _, err = _train(capsys, tmp_path, path)
    assert code == 0, err
    assert "repeats the header row" not in err


# -- numbers written for people --------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "shown"),
    [
        (["1,234.5", "2,500.0", "12,000.25"], "'1,234.5' at line 2"),
        (["$12.50", "$3.99", "$100.00"], "'$12.50' at line 2"),
        (["12%", "7.5%", "100%"], "'12%' at line 2"),
    ],
)
def test_numbers_written_with_separators_or_signs_are_refused(capsys, tmp_path, cells, shown):
    n = 30
    path = write_csv(
        tmp_path / "people.csv", ["a", "amount", "label"],
        [[f"{i * 0.3:.2f}", cells[i % 3], y] for i, y in enumerate(_labels(n))],
    )  # fmt: skip
    code, _, err = _train(capsys, tmp_path, path)
    assert code != 0
    assert_one_line_error(err, "column 'amount'", shown, "write them as plain numbers")


def test_a_typographic_minus_sign_is_refused(capsys, tmp_path):
    n = 30
    path = write_csv(
        tmp_path / "minus.csv", ["a", "amount", "label"],
        [[f"{i * 0.3:.2f}", f"\u2212{i % 5}.5", y] for i, y in enumerate(_labels(n))],
    )  # fmt: skip
    code, _, err = _train(capsys, tmp_path, path)
    assert code != 0
    assert_one_line_error(err, "column 'amount'", "'\u22120.5' at line 2", "is a number but for")


# -- the reader's collections of cycles ------------------------------------------------


def test_read_csv_leaves_the_collector_as_it_found_it(tmp_path):
    import gc

    good = write_csv(tmp_path / "good.csv", ["a", "b", "label"], rows(20))
    bad = tmp_path / "bad.csv"
    bad.write_text('a,b,label\n1,2,yes\n3,"4,no\n5,6,yes\n')  # (a quote never closed)
    was = gc.isenabled()
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            assert read_csv(good, target="label").n_rows == 20
            assert gc.isenabled() is enabled
            with pytest.raises(ValueError, match="never closed"):
                read_csv(bad, target="label")
            assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
