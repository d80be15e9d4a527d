"""Tests for glassnet.cli from a third audit on real, messy CSV files: arguments given in the
wrong order, numbers written for people among plain ones, exports with a row index, and
columns that train silently on nothing (IDs, long whole numbers, dates)."""

from __future__ import annotations

import numpy as np
import pytest
from cli_helpers import FAST, HEADER, assert_one_line_error, rows, run, warnings, write_csv


@pytest.fixture
def model(capsys, tmp_path):
    data = write_csv(tmp_path / "d.csv", HEADER, rows())
    path = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", path, *FAST)
    assert code == 0, err
    return path


@pytest.mark.parametrize(
    "argv",
    [
        ["predict", "{data}", "{model}"],
        ["evaluate", "{data}", "{model}"],
        ["explain", "{data}", "--row", "2", "{model}"],
    ],
)
def test_a_model_and_data_given_in_the_wrong_order_are_named_swapped(capsys, model, argv):
    # it said "'d.csv': the header length field says 7305508662777359457 bytes, more than the
    # 100000000 glassnet accepts; the file is corrupt or not a safetensors file: ..."
    data = model.parent / "d.csv"
    given = [a.format(data=data, model=model) for a in argv]
    code, out, err = run(capsys, *given)
    assert code == 2 and out == ""
    fix = f"glassnet {argv[0]} {model}{' --row 2' if argv[0] == 'explain' else ''} {data}"
    assert_one_line_error(err, f"the model file '{data}' is a text file", "model file comes", fix)
    assert "header length" not in err
    code, out, err = run(capsys, *[a.format(data=model, model=data) for a in argv])
    assert code == 0, err


@pytest.mark.parametrize("command", ["info", "export"])
def test_a_csv_file_given_as_the_model_says_what_a_model_file_is(capsys, model, command):
    data = model.parent / "d.csv"
    extra = [model.parent / "m.onnx"] if command == "export" else []
    code, out, err = run(capsys, command, data, *extra)
    assert code == 2 and out == ""
    assert_one_line_error(err, f"the model file '{data}' is a text file", "train's --out")
    assert "header length" not in err and not (model.parent / "m.onnx").exists()


@pytest.mark.parametrize("cell", ['"1,304.5"', '"$1,200"', "12%", '"0,75"'])
def test_a_formatted_number_among_plain_ones_is_named_so_not_told_to_be_imputed(
    capsys, tmp_path, model, cell
):
    # '1,304.5' among plain numbers: "fix the value, or leave the cell empty and pass
    # --impute mean", which would throw the number away
    text = "a,b,label\n" + "".join(f"{a},{b},{y}\n" for a, b, y in rows())
    text += f"{cell},0.5,yes\n"
    data = tmp_path / "f.csv"
    data.write_text(text)
    shown = cell.strip('"')
    for argv in (
        ["train", data, "--target", "label", "--out", tmp_path / "n.glassnet", *FAST],
        ["predict", model, data],
        ["evaluate", model, data],
    ):
        code, out, err = run(capsys, *argv)
        assert code == 2 and out == ""
        plain = "write the column's numbers plain, such as 1234.5"
        assert_one_line_error(err, f"Non-numeric value '{shown}' at line 42", plain)
        assert "thousands separator" in err
        assert "--impute" not in err
    assert not (tmp_path / "n.glassnet").exists()


def test_a_text_marker_among_numbers_still_gets_the_missing_advice(capsys, tmp_path):
    data = write_csv(tmp_path / "d.csv", HEADER, [*rows(), ["unknown", "0.5", "yes"]])
    code, _, err = run(capsys, "train", data, "--target", "label", *FAST)
    assert code == 2
    assert_one_line_error(err, "'unknown'", "--impute mean", "--missing unknown")


def test_a_row_index_without_a_name_says_where_it_comes_from(capsys, tmp_path):
    # pandas' df.to_csv(path) writes ",a,b,label": "has no name for column(s) [1]: give every
    # column a name in the first line", and no word of the index
    # (row numbers 0, 2, 4, ...: no range, so not pandas' index, which is left out)
    data = write_csv(tmp_path / "d.csv", ["", *HEADER], [[2 * i, *r] for i, r in enumerate(rows())])
    code, _, err = run(capsys, "train", data, "--target", "label", *FAST)
    assert code == 2
    assert_one_line_error(err, "no name for column(s) [1]", "row index", "index=False")
    other = write_csv(tmp_path / "e.csv", ["a", "", "label"], rows())
    code, _, err = run(capsys, "train", other, "--target", "label", *FAST)
    assert code == 2
    assert_one_line_error(err, "no name for column(s) [2]")
    assert "row index" not in err


def test_whole_numbers_beyond_float64_are_warned_of(capsys, tmp_path):
    # 20-digit account numbers all read as the same float64: a column the network cannot
    # tell apart, trained on in silence
    table = [[str(10**19 + 1000 * i), *r] for i, r in enumerate(rows())]
    data = write_csv(tmp_path / "d.csv", ["account", *HEADER], table)
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", tmp_path / "m", *FAST)
    assert code == 0, err
    [warning] = warnings(err)
    needles = ["'account'", "more digits than float64 keeps", "10000000000000000000 at line 2"]
    needles += ["40 distinct ones", "read as 20 distinct", "--drop account", "--categorical"]
    for needle in needles:
        assert needle in warning, (needle, warning)
    argv = ["train", data, "--target", "label", "--drop", "account", "--out", tmp_path / "m"]
    code, _, err = run(capsys, *argv, *FAST)
    assert code == 0 and warnings(err) == [], err
    few = [[str(10**15 + i), *r] for i, r in enumerate(rows())]  # 16 digits: all kept
    data = write_csv(tmp_path / "e.csv", ["account", *HEADER], few)
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", tmp_path / "m", *FAST)
    assert code == 0 and not any("float64 keeps" in w for w in warnings(err)), err


def test_a_row_number_column_is_warned_of(capsys, tmp_path):
    # an ID 1000..1039 (the file sorted by it) was standardized into an input: the network
    # learns the file's order
    order = np.random.default_rng(1).permutation(40)
    table = [[str(1000 + int(k)), *r] for k, r in zip(order, rows(), strict=True)]
    data = write_csv(tmp_path / "d.csv", ["id", *HEADER], table)
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", tmp_path / "m", *FAST)
    assert code == 0, err
    [warning] = warnings(err)
    for needle in ["'id'", "1000 to 1039", "row number or an ID", "--drop id", "--id id"]:
        assert needle in warning, (needle, warning)
    for flag in ("--drop", "--id"):
        argv = ["train", data, "--target", "label", flag, "id", "--out", tmp_path / "m"]
        code, _, err = run(capsys, *argv, *FAST)
        assert code == 0 and warnings(err) == [], err
    # a yearly series (a row a year) is no row number
    table = [[str(1980 + i), *r] for i, r in enumerate(rows())]
    data = write_csv(tmp_path / "y.csv", ["Year", *HEADER], table)
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", tmp_path / "m", *FAST)
    assert code == 0 and warnings(err) == [], err
    # whole numbers with a gap, or repeated, or few rows: no row numbers
    for ids, n in (([*range(39), 50], 40), ([*range(39), 0], 40), (list(range(20)), 20)):
        table = [[str(k), *r] for k, r in zip(ids, rows(n), strict=True)]
        data = write_csv(tmp_path / "e.csv", ["id", *HEADER], table)
        argv = ["train", data, "--target", "label", "--out", tmp_path / "m"]
        code, _, err = run(capsys, *argv, *FAST)
        assert code == 0 and warnings(err) == [], (ids, err)


@pytest.mark.parametrize(
    "dates",
    [
        [f"2024-01-{i % 28 + 1:02d}" for i in range(40)],
        [f"2024-02-{i % 9 + 1:02d}T12:{i:02d}:00Z" for i in range(40)],
        [f"{i % 12 + 1}/{i % 28 + 1}/2023" for i in range(40)],
        [f"{i % 3 + 1:02d}.01.2024" for i in range(40)],
    ],
)
def test_a_date_column_is_warned_of(capsys, tmp_path, dates):
    # a date column was one-hot encoded in silence (under 50% distinct values): a date that
    # new data brings matches no input
    table = [[d, *r] for d, r in zip(dates, rows(), strict=True)]
    data = write_csv(tmp_path / "d.csv", ["when", *HEADER], table)
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", tmp_path / "m", *FAST)
    assert code == 0, err
    [warning] = warnings(err)
    needles = ["text column 'when' holds dates", f"({dates[0]} at line 2)", "--drop when"]
    needles.append("a year, a month, a day of the week")
    for needle in needles:
        assert needle in warning, (needle, warning)


def test_text_that_is_no_date_is_not_called_one(capsys, tmp_path):
    codes = [["A-12", "B-7", "12-B"][i % 3] for i in range(40)]
    table = [[c, *r] for c, r in zip(codes, rows(), strict=True)]
    data = write_csv(tmp_path / "d.csv", ["code", *HEADER], table)
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", tmp_path / "m", *FAST)
    assert code == 0 and warnings(err) == [], err


def test_labels_and_categories_in_another_case_are_warned_of_when_streamed(capsys, tmp_path):
    # in memory 'Yes' beside 'yes' was warned of; --stream trained four classes in silence
    pytest.importorskip("pyarrow")
    spelled = {"yes": ["yes", "Yes", "YES"], "no": ["no", "no", "no"]}
    table = [
        [a, b, ["red", "Red", "blue"][i % 3], spelled[y][i % 3]]
        for i, (a, b, y) in enumerate(rows())
    ]
    data = write_csv(tmp_path / "d.csv", ["a", "b", "color", "label"], table)
    argv = ["train", data, "--target", "label", "--out", tmp_path / "m", *FAST]
    for stream in ([], ["--stream"]):
        code, _, err = run(capsys, *argv, *stream)
        assert code == 0, err
        classes, colors = warnings(err)
        assert "classes of the target 'label' differ only in case" in classes
        assert "'YES' and 'Yes' and 'yes'" in classes
        assert "categories of the text column 'color'" in colors and "'Red' and 'red'" in colors


@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_a_name_twice_at_predict_is_named_not_called_a_missing_column(capsys, model, command):
    # 'a,a,label' said "has 2 feature column(s) but the model was trained on 2 (a, b);
    # missing: b: add them to the file"
    data = write_csv(model.parent / "dup.csv", ["a", "a", "label"], rows())
    code, out, err = run(capsys, command, model, data)
    assert code == 2 and out == ""
    assert_one_line_error(err, "repeats column names ['a']: make them unique")
    data = write_csv(
        model.parent / "idx.csv", ["", *HEADER], [[2 * i, *r] for i, r in enumerate(rows())]
    )
    code, out, err = run(capsys, command, model, data)
    assert code == 2 and out == ""
    assert_one_line_error(err, "no name for column(s) [1]", "row index")


@pytest.mark.parametrize("command", ["train", "stream", "targets", "predict", "evaluate"])
def test_a_file_without_a_header_row_is_named_so(capsys, model, command):
    # a first row of data taken for the header: "Available columns: 0.126, -0.436, no." or
    # "missing: a, b; not in the model: 0.126, -0.436, no: is it the file the model was made
    # for?", with no word of the header row
    if command == "stream":
        pytest.importorskip("pyarrow")
    data = model.parent / "nohead.csv"
    data.write_text("".join(",".join(r) + "\n" for r in rows()))
    argv = {
        "train": ["train", data, "--target", "label", *FAST],
        "stream": ["train", data, "--target", "label", "--stream", *FAST],
        "targets": ["train", data, "--target", "a,b", *FAST],
        "predict": ["predict", model, data],
        "evaluate": ["evaluate", model, data],
    }[command]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert_one_line_error(err, "looks like a row of data, not column names", "add a header row")
    if command in ("predict", "evaluate"):
        assert "(a, b" in err


def typographic(i: int, cell: str, share: int) -> str:
    """``cell`` with its '-' written as U+2212 (a minus sign), in ``share`` of 4 rows."""
    return cell.replace("-", "\u2212") if i % 4 < share else cell


@pytest.mark.parametrize("share", [1, 4])
def test_a_minus_sign_that_is_not_a_hyphen_is_named_not_told_to_be_imputed(
    capsys, tmp_path, model, share
):
    # '−0.132' (U+2212, as web pages and typesetting write it) looks like a number: among
    # plain numbers it was told to be emptied and imputed; in most cells it made the column
    # text, 40 one-hot categories under a warning of an ID
    table = [[typographic(i, a, share), b, y] for i, (a, b, y) in enumerate(rows())]
    data = write_csv(tmp_path / "m.csv", HEADER, table)
    code, out, err = run(capsys, "train", data, "--target", "label", *FAST)
    assert code == 2 and out == ""
    assert_one_line_error(err, "MINUS SIGN (U+2212)", "write '-' in place of the minus sign")
    assert "--impute" not in err
    for command in ("predict", "evaluate"):
        code, out, err = run(capsys, command, model, data)
        assert code == 2 and out == ""
        assert_one_line_error(err, "MINUS SIGN (U+2212)", "write '-' in place")


def test_a_minus_sign_that_is_not_a_hyphen_is_named_when_streamed(capsys, tmp_path):
    pytest.importorskip("pyarrow")
    table = [[typographic(i, a, 3), b, y] for i, (a, b, y) in enumerate(rows())]
    data = write_csv(tmp_path / "m.csv", HEADER, table)
    code, out, err = run(capsys, "train", data, "--target", "label", "--stream", *FAST)
    assert code == 2
    assert_one_line_error(err, "column 'a'", "minus sign other than '-'", "MINUS SIGN (U+2212)")


def test_an_invisible_character_in_a_number_is_named(capsys, tmp_path):
    table = [[("\u200b" if i == 3 else "") + a, b, y] for i, (a, b, y) in enumerate(rows())]
    data = write_csv(tmp_path / "z.csv", HEADER, table)
    code, out, err = run(capsys, "train", data, "--target", "label", *FAST)
    assert code == 2
    assert_one_line_error(err, "line 5", "ZERO WIDTH SPACE (U+200B)", "remove it")


@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_new_data_with_decimal_commas_is_not_called_a_shifted_column(capsys, model, command):
    # a spreadsheet's ';'-separated export with decimal commas, scored by a model of plain
    # numbers: "Column 'a' ... is categorical, not numeric: '0,126' ... (a shifted column?)"
    table = [[a.replace(".", ","), b.replace(".", ","), y] for a, b, y in rows()]
    data = write_csv(model.parent / "semi.csv", HEADER, table, delimiter=";")
    code, out, err = run(capsys, command, model, data)
    assert code == 2 and out == ""
    needles = ["column 'a'", "a decimal comma", "plain numbers such as 1234.5", "trained on plain"]
    assert_one_line_error(err, *needles)
    assert "shifted" not in err
    shifted = [["low" if i % 2 else "high", b, y] for i, (a, b, y) in enumerate(rows())]
    data = write_csv(model.parent / "shift.csv", HEADER, shifted)
    code, out, err = run(capsys, command, model, data)
    assert code == 2
    assert_one_line_error(err, "'a'", "a shifted column?")


def test_a_class_of_one_row_is_warned_of_and_a_cut_last_line_is_named(capsys, tmp_path):
    # a class of one row that the split kept for training was trained on in silence; the
    # last line of a file cut short ("yes" cut to "y", no line break after it) is one
    text = "a,b,label\n" + "".join(f"{a},{b},{y}\n" for a, b, y in rows()) + "0.5,-0.2,y"
    data = tmp_path / "cut.csv"
    data.write_text(text)
    notes = []
    for seed in range(4):  # the row trained on (a class of one row is never held out)
        argv = ["train", data, "--target", "label", "--out", tmp_path / "m", *FAST[:-3]]
        code, _, err = run(capsys, *argv, "--seed", str(seed), "-q")
        assert code == 0, err
        [warning] = warnings(err)
        assert "'label'" in warning and ("'y' (line 42)" in warning or "y (1 row(s))" in warning)
        assert (
            "line 42, the file's last, ends without a line break: was the file cut short?"
            in warning
        )
        notes.append("with a single row" in warning)
    assert all(notes)
    data.write_text(text + "\n")  # a class of one row, the file whole: no word of a cut
    for seed in range(4):
        argv = ["train", data, "--target", "label", "--out", tmp_path / "m", *FAST[:-3]]
        code, _, err = run(capsys, *argv, "--seed", str(seed), "-q")
        assert code == 0 and "cut short" not in err, err
    single = "a,b,label\nx,0.1,rare\n" + "".join(f"{a},{b},{y}\n" for a, b, y in rows())
    data.write_text(single.replace("x,", "0.3,", 1))
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", tmp_path / "m", *FAST)
    assert code == 0, err
    [warning] = warnings(err)
    assert "with a single row: 'rare' (line 2)" in warning and "cut short" not in warning


def test_labels_and_categories_in_another_case_than_the_models_say_so(capsys, tmp_path):
    # 'YES' for the model's 'yes', 'TRUE' for its 'True': "not trained on" / "not seen at
    # fit", with the known ones listed and no word of the case
    table = [[a, ["True", "False"][i % 2], y] for i, (a, _, y) in enumerate(rows())]
    data = write_csv(tmp_path / "d.csv", ["a", "flag", "label"], table)
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    shouted = [[a, f.upper(), y.upper()] for a, f, y in table]
    data = write_csv(tmp_path / "e.csv", ["a", "flag", "label"], shouted)
    code, out, err = run(capsys, "evaluate", model, data)
    assert code == 2 and out == ""
    assert_one_line_error(err, "not trained on", "case included: write 'no' for 'NO'")
    code, out, err = run(capsys, "predict", model, data)
    assert code == 2 and out == ""
    assert_one_line_error(err, "'flag'", "case included: write 'True' for 'TRUE'")
    other = write_csv(tmp_path / "f.csv", ["a", "flag", "label"], [[0.1, "1", "maybe"]])
    for command in ("predict", "evaluate"):
        code, out, err = run(capsys, command, model, other)
        assert code == 2 and "case included" not in err


def test_predict_out_dash_is_standard_output(capsys, model, monkeypatch):
    # --out - wrote a file named '-' in the working directory
    monkeypatch.chdir(model.parent)
    data = model.parent / "d.csv"
    code, expected, err = run(capsys, "predict", model, data)
    assert code == 0, err
    code, out, err = run(capsys, "predict", model, data, "--out", "-")
    assert code == 0 and out == expected, err
    assert not (model.parent / "-").exists()


def test_a_target_of_one_row_per_class_is_warned_of_once(capsys, tmp_path):
    # --target name (a name per row) trained 40 classes under two warnings that listed the
    # classes held out and those of one row, and no word of what the column is
    table = [[a, b, f"N{i}"] for i, (a, b, _) in enumerate(rows())]
    data = write_csv(tmp_path / "d.csv", ["a", "b", "name"], table)
    code, _, err = run(capsys, "train", data, "--target", "name", "--out", tmp_path / "m", *FAST)
    assert code == 0, err
    [warning] = warnings(err)
    for needle in ["'name' has 40 classes in 40 rows, 40 of them of a single row", "an ID?"]:
        assert needle in warning, (needle, warning)


def test_years_as_column_names_are_no_row_of_data(capsys, tmp_path):
    table = [[a, b, y] for a, b, y in rows()]
    data = write_csv(tmp_path / "d.csv", ["2024", "2025", "label"], table)
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    other = write_csv(tmp_path / "e.csv", ["2024", "2026", "label"], table)
    code, _, err = run(capsys, "predict", model, other)
    assert code == 2
    assert_one_line_error(err, "missing: 2025", "not in the model: 2026")
    assert "row of data" not in err


def test_numbers_with_leading_zeros_are_warned_of_as_codes(capsys, tmp_path):
    # zip codes 02134 ... were standardized as amounts in silence, their zeros lost
    zips = ["02134", "90210", "10001", "00501"]
    table = [[zips[i % 4], *r] for i, r in enumerate(rows())]
    data = write_csv(tmp_path / "d.csv", ["zip", *HEADER], table)
    argv = ["train", data, "--target", "label", "--out", tmp_path / "m"]
    code, _, err = run(capsys, *argv, *FAST)
    assert code == 0, err
    [warning] = warnings(err)
    for needle in [
        "'zip'",
        "leading zeros (02134 at line 2, 20 such cell(s))",
        "--categorical zip",
    ]:
        assert needle in warning, (needle, warning)
    code, _, err = run(capsys, *argv, "--categorical", "zip", *FAST)
    assert code == 0 and warnings(err) == [], err
    plain = write_csv(tmp_path / "e.csv", HEADER, [["0.5", "0", "yes"], *rows()])
    code, _, err = run(capsys, "train", plain, "--target", "label", "--out", tmp_path / "m", *FAST)
    assert code == 0 and warnings(err) == [], err


@pytest.mark.parametrize("stream", [[], ["--stream"]])
def test_text_with_blanks_between_digits_trains_as_text(capsys, tmp_path, stream):
    """Scores ("2 1") and phone numbers ("020 7946 1048") are text: a plain blank was taken
    for an invisible character, and the column refused with the advice to write '21'."""
    body = [
        [["2 1", "1 1", "0 0"][i % 3], f"020 7946 {1000 + i % 4}", *row]
        for i, row in enumerate(rows())
    ]
    data = write_csv(tmp_path / "s.csv", ["score", "phone", *HEADER], body)
    code, _, err = run(capsys, "train", data, "--target", "label", "--out",
                       tmp_path / "m.glassnet", *stream, *FAST)  # fmt: skip
    assert code == 0, err
    assert "is a number but for" not in err and "SPACE" not in err


def test_a_header_of_pandas_column_numbers_keeps_the_did_you_mean_hint(capsys, tmp_path):
    # DataFrame(X).to_csv(index=False) names its columns 0, 1, 2: they were taken for a row
    # of data, and a mistyped --target lost "Did you mean 'label'?"
    table = [[a, b, y] for a, b, y in rows()]
    data = write_csv(tmp_path / "d.csv", ["0", "1", "label"], table)
    code, _, err = run(capsys, "train", data, "--target", "labl", "--out", tmp_path / "m", *FAST)
    assert code == 2 and "label" in err and "row of data" not in err, err
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", tmp_path / "m", *FAST)
    assert code == 0, err


def test_version_strings_are_not_called_dates(capsys, tmp_path):
    versions = [["1.2.10", "3.10.12", "2.7.18"][i % 3] for i in range(40)]
    table = [[v, *r] for v, r in zip(versions, rows(), strict=True)]
    data = write_csv(tmp_path / "d.csv", ["version", *HEADER], table)
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", tmp_path / "m", *FAST)
    assert code == 0 and "dates" not in err, err


def test_a_bundled_truth_table_is_not_warned_of_as_a_typo(capsys, tmp_path):
    # the AND table's one row of class 1 was "often a typo: fix or drop the row" (line 5)
    code, _, err = run(capsys, "train", "--dataset", "and", "--out", tmp_path / "m", *FAST)
    assert code == 0 and "single row" not in err and "typo" not in err, err


def test_a_long_tail_of_rare_classes_is_not_called_an_id(capsys, tmp_path):
    # 260 rows of three classes and 40 of one row each: "a name or an ID?", which hid the
    # warning of the rare classes (now kept in the training rows, never held out)
    rng = np.random.default_rng(0)
    table = [[f"{x:.3f}", f"{z:.3f}", ["A", "B", "C"][i % 3] if i < 260 else f"rare{i}"]
             for i, (x, z) in enumerate(rng.normal(size=(300, 2)))]  # fmt: skip
    data = write_csv(tmp_path / "d.csv", ["a", "b", "species"], table)
    argv = ["train", data, "--target", "species", "--out", tmp_path / "m"]
    code, _, err = run(capsys, *argv, *FAST)
    assert code == 0, err
    assert "an ID" not in err and "with a single row" in err and "no training rows" not in err
    assert "kept in the training rows" in err


def test_long_whole_numbers_differing_only_in_leading_zeros_are_one_number(capsys, tmp_path):
    # 0012345678901234567 and 12345678901234567 are one number, not two lost apart
    ids = ["0012345678901234567", "12345678901234567"]
    table = [[ids[i % 2], *r] for i, r in enumerate(rows())]
    data = write_csv(tmp_path / "d.csv", ["n", *HEADER], table)
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", tmp_path / "m",
                       "--categorical", "n", *FAST)  # fmt: skip
    assert code == 0, err
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", tmp_path / "m", *FAST)
    assert code == 0 and "more digits than float64 keeps" not in err, err
