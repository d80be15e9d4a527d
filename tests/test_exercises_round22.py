"""Exercises, round 22: a folder holding a sheet of the same seed but other kinds is not
replaced without force (the sheet is its seed and its kinds, in order), and no key value is
a signed zero (-0.0: dL/dz of a switched-off ReLU neuron was one)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from glassnet import exercises as X
from glassnet.cli import main


def _kinds(folder: Path) -> list[str]:
    return [e["kind"] for e in json.loads((folder / "key.json").read_text())["exercises"]]


@pytest.mark.parametrize(
    "first, second",
    [(["gd_step"], ["forward"]), (["gd_step", "softmax"], list(X.KINDS)),
     (["forward", "backprop"], ["backprop", "forward"])],
)  # fmt: skip
def test_a_sheet_of_the_same_seed_with_other_kinds_is_not_replaced(
    tmp_path: Path, first: list[str], second: list[str]
) -> None:
    out = tmp_path / "ow"
    X.write(3, out, kinds=first)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(X.SheetExists) as info:
        X.write(3, out, kinds=second)
    msg = str(info.value)
    assert str(out) in msg and "force=True" in msg and "Nothing was written" in msg
    assert ", ".join(first) in msg and ", ".join(second) in msg
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    X.write(3, out, kinds=second, force=True)
    assert _kinds(out) == second


def test_the_same_sheet_is_written_again_without_force(tmp_path: Path) -> None:
    out = tmp_path / "s"
    X.write(3, out, kinds=["gd_step", "softmax"])
    X.write(3, out, kinds=["gd_step", "softmax"])  # (the same bytes: nothing lost)
    X.write(3, tmp_path / "all")
    X.write(3, tmp_path / "all", kinds=list(X.KINDS))  # (the default: every kind, in order)


def test_a_handed_out_copy_of_other_kinds_is_not_replaced(tmp_path: Path) -> None:
    """A folder without key.json (the students' copy: questions and template) is the same
    seed's other sheet too; its exercises are read from the files that are there."""
    for keep in ("questions.md", "answers_template.txt", "answers.md"):
        out = tmp_path / keep
        X.write(3, out, kinds=["gd_step"])
        for p in out.iterdir():
            if p.name != keep:
                p.unlink()
        with pytest.raises(X.SheetExists, match="gd_step"):
            X.write(3, out, kinds=["forward"])
        X.write(3, out, kinds=["gd_step"])  # (its own sheet: written again)


def test_a_key_of_other_numbers_for_the_same_seed_and_kinds_is_not_replaced(
    tmp_path: Path,
) -> None:
    """A key written by another version (teaching.md: the one-hot draw changed for 42
    seeds) holds other givens: its questions were handed out with them."""
    out = tmp_path / "v"
    X.write(3, out, kinds=["one_hot"])
    doc = json.loads((out / "key.json").read_text())
    doc["exercises"][0]["data"]["labels"] = ["x"]
    (out / "key.json").write_text(json.dumps(doc))
    with pytest.raises(X.SheetExists, match="other numbers.*another version"):
        X.write(3, out, kinds=["one_hot"])
    X.write(3, out, kinds=["one_hot"], force=True)


def test_the_command_line_refuses_other_kinds_naming_force(tmp_path: Path, capsys) -> None:
    out = tmp_path / "d"
    assert main(["exercise", "--seed", "3", "--out", str(out), "--kinds", "gd_step,softmax"]) == 0
    capsys.readouterr()
    assert main(["exercise", "--seed", "3", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--force" in err and str(out) in err and "gd_step, softmax" in err
    assert _kinds(out) == ["gd_step", "softmax"]
    assert main(["exercise", "--seed", "3", "--out", str(out), "--force"]) == 0
    assert _kinds(out) == list(X.KINDS)


def _signed_zeros(v: object, where: str) -> list[str]:
    if isinstance(v, float):
        return [where] if v == 0 and math.copysign(1, v) < 0 else []
    if isinstance(v, dict):
        return [z for k, x in v.items() for z in _signed_zeros(x, f"{where}.{k}")]
    if isinstance(v, (list, tuple)):
        return [z for i, x in enumerate(v) for z in _signed_zeros(x, f"{where}[{i}]")]
    return []


def test_no_key_value_is_a_signed_zero() -> None:
    """Seed 0's backprop held dL/dz1 = -0.0 (dL/da1 = -7.5 times g'(z1) = 0); over 60
    seeds of every kind no step value, nor any number of the exercise's data, is -0.0."""
    found = []
    for seed in range(60):
        for ex in X.generate(seed):
            found += _signed_zeros([s.value for s in ex.steps], f"{seed}.{ex.kind}.steps")
            found += _signed_zeros(ex.data, f"{seed}.{ex.kind}.data")
    assert found == []
    zero = [s for s in X.generate(0, ["backprop"])[0].steps if s.id == "dL/dz1"]
    assert zero[0].value == 0 and math.copysign(1, zero[0].value) == 1


def test_key_json_holds_no_negative_zero(tmp_path: Path) -> None:
    X.write(0, tmp_path / "z0")
    text = (tmp_path / "z0" / "key.json").read_text()
    assert not _signed_zeros(json.loads(text), "key")


# ------------------------------------------------------- check_all: the files' names
def _batch(tmp_path: Path) -> tuple[Path, Path]:
    X.write(17, tmp_path / "k", kinds=["forward"])
    folder = tmp_path / "answers"
    folder.mkdir()
    return tmp_path / "k" / "key.json", folder


def test_a_file_name_with_control_characters_is_shown_escaped(tmp_path: Path) -> None:
    """A student's file name is printed in the teacher's terminal: a newline split its row
    of the table in two, and an escape sequence (ESC [31m) was sent to the terminal."""
    key, folder = _batch(tmp_path)
    for name in ("new\nline.txt", "red\x1b[31m.txt", "tab\tname.txt"):
        (folder / name).write_text("1.z1 = 1\n")
    text = str(X.check_all(key, folder))
    assert "\x1b" not in text and "\t" not in text
    assert "\\x1b[31m" in text and "\\n" in text and "\\t" in text
    table = X.check_all(key, folder).table().splitlines()
    assert len(table) == 2 + 3  # (the summary line, the header and one row per file)


def test_a_file_given_twice_is_graded_once(tmp_path: Path) -> None:
    """The folder and one of its files, or one file by two paths: one student counted
    twice in the summary ('3 answers files' for two students)."""
    key, folder = _batch(tmp_path)
    (folder / "a.txt").write_text("1.z1 = 1\n")
    (folder / "b.txt").write_text("1.z1 = 1\n")
    twice = folder / ".." / folder.name / "a.txt"
    result = X.check_all(key, [folder, folder / "a.txt", twice])
    assert [Path(r.path).name for r in result.rows] == ["a.txt", "b.txt"]
    assert any("given twice" in s and "a.txt" in s for s in result.skipped)


def test_the_command_line_names_an_ungraded_file_escaped(tmp_path: Path, capsys) -> None:
    key, folder = _batch(tmp_path)
    (folder / "red\x1b[31m.txt").write_bytes(b"\xff\xfe")
    (folder / "ok.txt").write_text("1.z1 = 1\n")
    assert main(["exercise", "check", str(key), str(folder)]) == 2
    out, err = capsys.readouterr()
    assert "\x1b" not in out + err and "\\x1b[31m" in err


# ------------------------------------------------ sheets of hand-built exercises; links
def test_a_markdown_table_header_with_a_bar_stays_one_cell() -> None:
    """The rows' '|' was escaped, the headers' not: a header 'a|b' made the header row
    three cells over a two-column table."""
    ex = X.Exercise("forward", 1, "t", [("table", (["a|b", "c"], [["x|y", "z"]]))],
                    [X.Step("z1", 1.0, "h")])  # fmt: skip
    text = X.to_markdown([ex], 3)
    assert "| a\\|b | c |" in text and "| x\\|$y$ | z |" in text


def test_an_answers_file_that_is_a_broken_link_is_named_as_one(tmp_path: Path) -> None:
    key, folder = _batch(tmp_path)
    (folder / "ivan.txt").symlink_to(tmp_path / "gone.txt")
    with pytest.raises(FileNotFoundError, match=r"is a link to .*gone\.txt.*which does not"):
        X.check(key, folder / "ivan.txt")
    row = X.check_all(key, folder).rows[0]
    assert "is a link to" in row.error


def test_a_first_line_naming_a_seed_of_5000_digits_is_no_sheets(tmp_path: Path) -> None:
    """int() raised 'Exceeds the limit (4300 digits)' from write and check: no sheet has
    such a seed (its own first line could not be written)."""
    line = "# glassnet exercises, seed " + "9" * 5000 + "\n"
    (tmp_path / "big").mkdir()
    (tmp_path / "big" / "questions.md").write_text(line)
    with pytest.raises(X.SheetExists, match="force=True"):  # (not a sheet: the user's file)
        X.write(3, tmp_path / "big", kinds=["forward"])
    X.write(3, tmp_path / "big", kinds=["forward"], force=True)
    key, folder = _batch(tmp_path)
    (folder / "a.txt").write_text(line + "1.z1 = 1\n")
    assert X.check(key, folder / "a.txt").total == 6


def test_the_html_sheets_escape_every_text_of_a_hand_built_exercise() -> None:
    bad = "<script>alert(1)</script>"
    ex = X.Exercise("forward", bad, bad, [("p", bad), ("table", ([bad], [[bad]]))],
                    [X.Step(bad, 1.0, bad)])  # type: ignore[arg-type]  # fmt: skip
    for key in (False, True):
        page = X.to_html([ex], 3, key=key)
        assert "<script>" not in page and "&lt;script&gt;" in page


def test_a_folder_of_another_seed_is_refused_without_making_its_sheet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guard made the folder's seed's sheet (to read its titles' kinds) even when the
    seeds differ: 5.3 s for a handed-out questions.md of a 4000-digit seed, whose refusal
    then printed the whole number."""
    folder = tmp_path / "s"
    folder.mkdir()
    big = "7" * 4000
    (folder / "questions.md").write_text(f"# glassnet exercises, seed {big}\n\n## 1. Forward\n")
    made = []
    generate = X.generate
    monkeypatch.setattr(X, "generate", lambda seed, *a: made.append(seed) or generate(seed, *a))
    with pytest.raises(X.SheetExists, match=r"seed 777777.*\(4000 digits\) \(its questions") as e:
        X.write(1, folder, kinds=["forward"])
    assert made == [1] and len(str(e.value)) < 400


def test_a_numpy_integer_seed_writes_the_seed_s_sheet(tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    X.write(np.int64(3), tmp_path / "a")
    X.write(3, tmp_path / "b")
    for name in ("questions.md", "answers.md", "key.json", "answers_template.txt"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert json.loads((tmp_path / "a" / "key.json").read_text())["seed"] == 3


@pytest.mark.parametrize(
    "name", ["questions.md", "answers.md", "questions.html", "answers.html", "key.json",
             "answers_template.txt"],
)  # fmt: skip
def test_a_user_s_own_file_is_not_replaced_without_force(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("my own notes\n")
    with pytest.raises(X.SheetExists, match=rf"(?s){name}.*force=True"):
        X.write(1, tmp_path)
    assert (tmp_path / name).read_text() == "my own notes\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # (nothing written)
    X.write(1, tmp_path, force=True)
    assert (tmp_path / name).read_text() != "my own notes\n"


def test_a_user_s_file_beside_the_same_seed_s_sheet_is_not_replaced(tmp_path: Path) -> None:
    X.write(1, tmp_path)
    (tmp_path / "answers.md").write_text("# the teacher's own answers\n")
    with pytest.raises(X.SheetExists, match="answers.md"):
        X.write(1, tmp_path)
    assert (tmp_path / "answers.md").read_text() == "# the teacher's own answers\n"


def test_an_empty_out_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'out'"):
        X.write(1, "")
