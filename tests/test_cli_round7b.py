"""The command line's round-7 fixes (second part): a streamed multi-label run names the
stray cell of a label column by the values its cells stand for (No beside no, 1.0 beside
1), and accepts and refuses the files the in-memory run does."""

from __future__ import annotations

import numpy as np
import pytest
from cli_helpers import FAST, assert_one_line_error, run, write_csv


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
