"""The review of round 29's security mends (revS): the constant-columns warning's --drop
pasteable again up to the real argument limit, every printed command's column names
quoted, and predict's column-mismatch error grammatical."""

from __future__ import annotations

import shlex
from pathlib import Path

from cli_helpers import FAST, HEADER, rows, run, write_csv

from glassnet.cli import _split_names


def _constant(tmp_path: Path, names: list[str]) -> Path:
    body = [[*(1 for _ in names), "yes" if r % 2 else "no"] for r in range(4)]
    return write_csv(tmp_path / "wide.csv", [*names, "label"], body)


def _single_line(err: str) -> str:
    (line,) = [s for s in err.splitlines() if "single value" in s]
    return line


def _train(capsys, tmp_path: Path, data: Path, *extra: str) -> str:
    code, _, err = run(capsys, "train", data, "--target", "label", "--epochs", "1",
                       "--hidden", "2", "--out", tmp_path / "m.glassnet", *extra)  # fmt: skip
    assert code == 0, err
    return err


def _pasted_drop(line: str) -> list[str]:
    """The column names a shell and --drop read from the line's ``--drop WORD``."""
    words = shlex.split(line.split("--drop ", 1)[1])
    return _split_names(words[0].rstrip(","), None)


def test_forty_constant_columns_get_a_pasteable_drop(capsys, tmp_path):
    # revS #1: 31+ columns printed 30 Python-quoted names "and 10 more", nothing to paste
    names = [f"c{i}" for i in range(40)]
    line = _single_line(_train(capsys, tmp_path, _constant(tmp_path, names)))
    assert "--drop c0,c1,c2," in line and "c39" in line, line
    assert "more" not in line.split("--drop", 1)[1], line
    assert _pasted_drop(line) == names


def test_hundreds_of_awkward_names_still_paste(capsys, tmp_path):
    names = [f"col {i}, x" if i % 3 == 0 else f"c{i};'q'" for i in range(300)]
    line = _single_line(_train(capsys, tmp_path, _constant(tmp_path, names)))
    assert _pasted_drop(line) == names


def test_a_long_quoted_drop_is_not_abridged(capsys, tmp_path):
    # a message shortens a quoted text of 200+ characters ("'col 0 x,...' (2,000
    # characters)"): never a --drop printed to paste
    names = [f"col {i} x" for i in range(300)]
    line = _single_line(_train(capsys, tmp_path, _constant(tmp_path, names)))
    assert "characters)" not in line, line
    assert _pasted_drop(line) == names


def test_the_limit_counts_utf8_bytes_and_the_shortened_list_is_drops_syntax(capsys, tmp_path):
    # 1000 names of 70 characters: 71 K characters but 137 KB of UTF-8, past Linux's
    # 128 KiB argument: shortened, said so, one alternative; long names cut with an ellipsis
    names = [f"{i:04d}" + "é" * 66 for i in range(1000)]
    line = _single_line(_train(capsys, tmp_path, _constant(tmp_path, names)))
    assert len(line) < 3000, len(line)
    assert "128 KiB" in line and "without them" in line, line
    assert line.count("without them") == 1, line
    assert "…" in line and "970 more" in line, line
    shown = line.split("--drop", 1)[1]
    assert "', '" not in shown, line  # (--drop's syntax, not Python's repr)
    assert "0000" + "é" * 10 in shown and "0029" in shown and "0030" not in shown, line


def test_ascii_names_under_the_limit_are_listed_whole(capsys, tmp_path):
    # 1000 names of 100 ASCII characters: 101 KB, under 128 KiB: the whole --drop
    names = [f"{i:04d}" + "x" * 96 for i in range(1000)]
    line = _single_line(_train(capsys, tmp_path, _constant(tmp_path, names)))
    assert _pasted_drop(line) == names


def test_streamed_constant_columns_past_the_limit_give_one_alternative(capsys, tmp_path):
    # revS #4: "write the file without them, or train in memory ... with a file written
    # without them" said the same thing twice
    names = [f"{i:04d}" + "é" * 66 for i in range(1000)]
    err = _train(capsys, tmp_path, _constant(tmp_path, names), "--stream")
    line = _single_line(err)
    assert "without --stream" not in line and line.count("without them") == 1, line
    few = [f"c{i}" for i in range(40)]
    line = _single_line(_train(capsys, tmp_path, _constant(tmp_path, few), "--stream"))
    assert "without --stream" in line and _pasted_drop(line) == few, line


def test_a_hostile_text_column_name_is_quoted_in_the_advice(capsys, tmp_path):
    # revS #2: "leave it out with --drop note; touch PWNED, or ... --id note; touch PWNED"
    hostile = "note; touch PWNED"
    body = [[i, f"free text {i}", "yes" if i % 2 else "no"] for i in range(200)]
    data = write_csv(tmp_path / "cat.csv", ["x", hostile, "label"], body)
    err = _train(capsys, tmp_path, data)
    (line,) = [s for s in err.splitlines() if "distinct values" in s]
    assert "--drop 'note; touch PWNED'" in line, line
    assert "--id 'note; touch PWNED'" in line, line


def test_a_name_with_a_comma_in_the_text_column_advice_is_read_as_one(capsys, tmp_path):
    # --drop splits on commas: the name is CSV-quoted inside the shell quotes
    name = "notes, free"
    body = [[i, f"free text {i}", "yes" if i % 2 else "no"] for i in range(200)]
    data = write_csv(tmp_path / "cat.csv", ["x", name, "label"], body)
    err = _train(capsys, tmp_path, data)
    (line,) = [s for s in err.splitlines() if "distinct values" in s]
    assert _pasted_drop(line) == [name], line


def test_a_formatted_number_columns_categorical_advice_is_quoted(capsys, tmp_path):
    hostile = "price;id"
    body = [[i, f"${i},000.50", "yes" if i % 2 else "no"] for i in range(1, 40)]
    data = write_csv(tmp_path / "money.csv", ["x", hostile, "label"], body)
    code, _, err = run(capsys, "train", data, "--target", "label", *FAST)
    assert code == 2, err
    assert "--categorical 'price;id'" in err, err


def test_predict_column_mismatch_reads_as_a_sentence(capsys, tmp_path):
    # revS #5: "'ac.csv' its feature columns differ from the model's (a, b)"
    data = write_csv(tmp_path / "data.csv", HEADER, rows())
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    other = write_csv(tmp_path / "ac.csv", ["a", "c"], [[1, 2], [3, 4]])
    code, _, err = run(capsys, "predict", model, other)
    assert code == 2
    assert "the feature columns of '" in err and "ac.csv' differ from the model's (a, b)" in err
    assert "' its feature" not in err, err
