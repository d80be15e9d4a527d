"""Grading a folder of answers files (round 19, second pass): one student's file (a
'[[[[...' file, a 401-digit number, a named pipe, a link to /dev/zero, a huge file) is that
file's row in the table, never the end of the batch, and a single check refuses it naming
the file; the tolerance compares the answer exactly as written (1.98999999995 is not within
0.01 of 2); an answer is shown as the student wrote it (1e999, -0.0)."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from test_exercises_round19 import _good_lines, _write
from test_exercises_round19 import _key as _key_of

from glassnet import exercises as X


def _key(tmp_path: Path, seed: int = 17) -> tuple[Path, dict]:
    return _key_of(tmp_path, seed)


def _replace(lines: list[str], answer_id: str, value: str) -> list[str]:
    out = [f"{answer_id} = {value}" if ln.split(" = ")[0] == answer_id else ln for ln in lines]
    assert out != lines
    return out


@contextmanager
def _no_hang(seconds: int = 20) -> Iterator[None]:
    """A grader that blocks on a pipe fails the test instead of hanging the run."""

    def stop(*_: object) -> None:
        raise TimeoutError(f"the grader was still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _rows(batch: X.BatchResult) -> dict[str, X.BatchRow]:
    return {Path(r.path).name: r for r in batch.rows}


# ------------------------------------------------------------- 1. one file, one row
def test_a_file_of_brackets_is_its_own_row_and_a_clean_refusal(tmp_path: Path) -> None:
    key, doc = _key(tmp_path)
    folder = tmp_path / "batch"
    folder.mkdir()
    _write(folder / "alice.txt", _good_lines(doc))
    _write(folder / "bob.txt", "[" * 100_000 + "\n")
    _write(folder / "carol.json", '{"a":' * 100_000 + "\n")
    rows = _rows(X.check_all(key, folder))
    assert rows["alice.txt"].result is not None and rows["alice.txt"].result.passed
    for name in ("bob.txt", "carol.json"):
        assert rows[name].result is None and name in rows[name].error, rows[name]
    assert "holds no answer" in rows["bob.txt"].error
    assert "nested too deeply" in rows["carol.json"].error
    # one file: refused naming it, as it was before the JSON-array check (no RecursionError)
    with pytest.raises(ValueError, match=r"bob\.txt.*holds no answer"):
        X.check(key, folder / "bob.txt")
    with pytest.raises(ValueError, match=r"line 1 of .*bob\.txt.* is not '<exercise>"):
        X.read_answers(folder / "bob.txt")
    with pytest.raises(ValueError, match=r"carol\.json.*nested too deeply"):
        X.check(key, folder / "carol.json")


def test_a_vector_answer_nested_too_deeply_is_graded_wrong(tmp_path: Path) -> None:
    key, doc = _key(tmp_path)
    deep = "[" * 5000 + "]" * 5000
    r = X.check(key, _write(tmp_path / "a.txt", _replace(_good_lines(doc), "6.row1", deep)))
    assert r.right == r.total - 1 and "6.row1 could not be read" in r.first_wrong[6]


def test_a_401_digit_number_is_graded_wrong_not_the_end_of_the_batch(tmp_path: Path) -> None:
    key, doc = _key(tmp_path)
    huge = "1" + "0" * 400
    folder = tmp_path / "batch"
    folder.mkdir()
    good = _good_lines(doc)
    _write(folder / "alice.txt", good)
    _write(folder / "bob.txt", _replace(good, "6.row1", f"[{huge}, 0, 0, 0]"))
    answers = {ln.split(" = ")[0]: json.loads(ln.split(" = ")[1]) for ln in good}
    text = json.dumps(answers | {"1.z1": int(huge)})
    (folder / "carol.json").write_text(text, encoding="utf-8")
    rows = _rows(X.check_all(key, folder))
    assert rows["alice.txt"].result.passed
    bob, carol = rows["bob.txt"].result, rows["carol.json"].result
    assert bob is not None and bob.right == bob.total - 1, rows["bob.txt"]
    assert carol is not None and carol.right == carol.total - 1, rows["carol.json"]
    # shown as written, cut short
    assert "6.row1 = [1000000000" in bob.first_wrong[6] and "characters" in bob.first_wrong[6]
    assert "1.z1 = 1000000000" in carol.first_wrong[1]
    assert X.check(key, folder / "bob.txt").right == bob.total - 1


def test_a_named_pipe_and_a_link_to_a_device_are_rows_not_a_hang(tmp_path: Path) -> None:
    key, doc = _key(tmp_path)
    folder = tmp_path / "batch"
    folder.mkdir()
    _write(folder / "alice.txt", _good_lines(doc))
    os.mkfifo(folder / "pipe.txt")
    os.symlink("/dev/zero", folder / "zero.txt")
    with _no_hang():
        rows = _rows(X.check_all(key, folder))
    assert rows["alice.txt"].result.passed
    assert rows["pipe.txt"].result is None and "named pipe (FIFO)" in rows["pipe.txt"].error
    assert rows["zero.txt"].result is None and "a device" in rows["zero.txt"].error
    assert "pipe.txt" in rows["pipe.txt"].error and "zero.txt" in rows["zero.txt"].error
    with _no_hang(), pytest.raises(ValueError, match=r"pipe\.txt' is a named pipe"):
        X.check(key, folder / "pipe.txt")
    with _no_hang(), pytest.raises(ValueError, match=r"zero\.txt' is a device"):
        X.check(key, folder / "zero.txt")


def test_an_answers_file_over_the_size_cap_is_refused_unread(tmp_path: Path) -> None:
    key, doc = _key(tmp_path)
    folder = tmp_path / "batch"
    folder.mkdir()
    _write(folder / "alice.txt", _good_lines(doc))
    big = folder / "big.txt"
    with big.open("w", encoding="utf-8") as f:
        f.write("\n".join(_good_lines(doc)) + "\n")
        f.write("# " + "x" * X.ANSWERS_MAX_BYTES + "\n")
    rows = _rows(X.check_all(key, folder))
    assert rows["alice.txt"].result.passed
    assert rows["big.txt"].result is None and "larger than 1024 KiB" in rows["big.txt"].error
    with pytest.raises(ValueError, match=r"big\.txt' is larger than 1024 KiB"):
        X.check(key, big)


def test_check_all_turns_any_failure_of_one_file_into_its_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, doc = _key(tmp_path)
    folder = tmp_path / "batch"
    folder.mkdir()
    _write(folder / "alice.txt", _good_lines(doc))
    _write(folder / "bob.txt", _good_lines(doc))
    real = X._read_answers

    def failing(path, lenient):  # (a failure the grader did not foresee)
        if Path(path).name == "bob.txt":
            raise RuntimeError("something unforeseen")
        return real(path, lenient)

    monkeypatch.setattr(X, "_read_answers", failing)
    rows = _rows(X.check_all(key, folder))
    assert rows["alice.txt"].result.passed
    assert rows["bob.txt"].result is None and "something unforeseen" in rows["bob.txt"].error


# ------------------------------------------------------------- 2. the tolerance, exactly
@pytest.mark.parametrize(
    ("value", "tol", "right"),
    [
        ("1.99", 0.01, True),
        ("2.01", 0.01, True),
        ("1.98999999995", 0.01, False),
        ("1.989999999999", 0.01, False),
        ("2.01000000001", 0.01, False),
        ("2.00000000004", 0, False),
        ("1.99999999999999", 0, False),
        ("2", 0, True),
        ("2.000", 0, True),
        ("1.9900000000000000000000000000000000000000000000001", 0.01, True),
        ("1.9899999999999999999999999999999999999999999999999", 0.01, False),
    ],
)
def test_an_answer_is_compared_exactly_as_written(
    tmp_path: Path, value: str, tol: float, right: bool
) -> None:
    key, doc = _key(tmp_path)
    good = _good_lines(doc)
    assert "1.z1 = 2.0" in good
    r = X.check(key, _write(tmp_path / "a.txt", _replace(good, "1.z1", value)), tol=tol)
    assert r.passed is right, (value, tol, r.first_wrong)


def test_the_key_as_stored_and_without_its_binary_noise_are_both_right_with_tol_0(
    tmp_path: Path,
) -> None:
    key, doc = _key(tmp_path)
    good = _good_lines(doc)
    assert "5.e^z1 = 20.085536923187668" in good
    assert X.check(key, _write(tmp_path / "a.txt", good), tol=0).passed
    a = _write(tmp_path / "a.txt", _replace(good, "5.e^z1", "20.0855369232"))
    assert X.check(key, a, tol=0).passed
    a = _write(tmp_path / "a.txt", _replace(good, "5.e^z1", "20.08553692"))
    assert not X.check(key, a, tol=0).passed


@pytest.mark.parametrize(
    ("value", "shown"),
    [("1e999", "1.z1 = 1e999, "), ("-0.0", "1.z1 = -0.0, "), ("2.50", "1.z1 = 2.50, ")],
)
def test_a_wrong_answer_is_shown_as_the_student_wrote_it(
    tmp_path: Path, value: str, shown: str
) -> None:
    key, doc = _key(tmp_path)
    r = X.check(key, _write(tmp_path / "a.txt", _replace(_good_lines(doc), "1.z1", value)))
    assert r.right == r.total - 1 and shown in r.first_wrong[1], r.first_wrong[1]


def test_a_json_answer_is_shown_as_written(tmp_path: Path) -> None:
    key, doc = _key(tmp_path)
    answers = {ln.split(" = ")[0]: ln.split(" = ")[1] for ln in _good_lines(doc)}
    body = ", ".join(f'"{k}": {v}' for k, v in answers.items() if k != "1.z1")
    a = tmp_path / "a.json"
    a.write_text("{" + body + ', "1.z1": 2.50}', encoding="utf-8")
    r = X.check(key, a)
    assert r.right == r.total - 1 and "1.z1 = 2.50, " in r.first_wrong[1], r.first_wrong


def test_a_key_of_brackets_and_a_key_that_is_a_pipe_are_refused_naming_it(tmp_path: Path) -> None:
    _, doc = _key(tmp_path)
    answers = _write(tmp_path / "a.txt", _good_lines(doc))
    deep = _write(tmp_path / "deep.json", "[" * 100_000)
    with pytest.raises(ValueError, match=r"deep\.json' is not a key\.json"):
        X.check(deep, answers)
    with pytest.raises(ValueError, match=r"deep\.json' is not a key\.json"):
        X.check_all(deep, [answers])
    os.mkfifo(tmp_path / "key.json")
    with _no_hang(), pytest.raises(ValueError, match=r"key '.*key\.json' is a named pipe"):
        X.check(tmp_path / "key.json", answers)


def test_an_unreadable_long_answer_is_named_cut_short(tmp_path: Path) -> None:
    key, doc = _key(tmp_path)
    deep = "[" * 5000 + "]" * 5000
    r = X.check(key, _write(tmp_path / "a.txt", _replace(_good_lines(doc), "6.row1", deep)))
    assert len(r.first_wrong[6]) < 400, len(r.first_wrong[6])


def test_read_answers_values_are_floats_that_copy_and_pickle(tmp_path: Path) -> None:
    import copy
    import pickle

    got = X.read_answers(_write(tmp_path / "a.txt", "1.z1 = 2.50\n6.row1 = [0, 1.0, -0.0]\n"))
    assert got == {"1.z1": 2.5, "6.row1": [0.0, 1.0, 0.0]}
    assert isinstance(got["1.z1"], float) and json.dumps(got) == json.dumps(
        {"1.z1": 2.5, "6.row1": [0.0, 1.0, -0.0]}
    )
    for again in (copy.deepcopy(got), pickle.loads(pickle.dumps(got))):
        assert again == got and X._written(again["1.z1"]) == "2.50"
