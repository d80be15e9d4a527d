"""Teaching tools: explain's written-out arithmetic gives the numbers it prints."""

import re
from pathlib import Path

import numpy as np

import glassnet as gn


def _audit_net():
    net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", dtype=np.float64)
    net.layers[0].W.data[:] = [[4, -4], [4, -4]]
    net.layers[0].b.data[:] = [-6, 2]
    net.layers[2].W.data[:] = [[1], [1]]
    net.layers[2].b.data[:] = [-0.5]
    return net


def _evaluate(numbers: str) -> float:
    """'(-0.0426)*4 + (-0.0010)*(-4)' -> its value (the products of a sum, by hand)."""
    return float(eval(numbers, {"__builtins__": {}}))  # (digits, +, -, *, /, parentheses)


def _rows(text: str, header: str) -> list[list[str]]:
    lines = text.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith(header))
    rows = []
    for ln in lines[start + 2 :]:
        row = re.split(r"\s{2,}", ln.strip())
        if len(row) < 4:  # (the table's end)
            break
        rows.append(row)
    return rows


def test_step_three_numbers_give_the_value_shown():
    e = gn.explain(_audit_net(), [1.0, 1.0], 1.0, loss="binary_cross_entropy")
    text = e.to_text(notation="ascii")
    rows = _rows(text, "node  dL/dnode =")
    assert len(rows) == 7
    for node, _sym, numbers, value in rows:
        got = _evaluate(numbers)
        assert abs(got - float(value)) <= 0.0005 * (1 + 1e-9), (node, numbers, value)
    x1 = next(r for r in rows if r[0] == "x1")
    assert x1[2] == "(-0.0426)*4 + (-0.0010)*(-4)" and x1[3] == "-0.166"


def test_forward_and_step_one_numbers_give_the_value_shown():
    e = gn.explain(_audit_net(), [1.0, 1.0], 1.0, loss="binary_cross_entropy")
    text = e.to_text(notation="ascii")
    for row in _rows(text, "neuron  z = weighted sum"):
        assert abs(_evaluate(row[2]) - float(row[3])) <= 0.0005 * (1 + 1e-9), row
    step1 = next(ln for ln in text.splitlines() if ln.startswith("Step 1."))
    formula, shown = step1.rsplit(" = ", 1)
    numbers = formula.rsplit(" = ", 1)[1].replace(" (1 - ", "*(1 - ").replace(") (", ")*(")
    assert abs(_evaluate(numbers) - float(shown.rstrip("."))) <= 0.0005 * (1 + 1e-9), step1


def test_lecture_rows_that_add_up_keep_three_decimals():
    e = gn.explain(_audit_net(), [1.0, 1.0], 1.0, loss="binary_cross_entropy")
    text = e.to_text(notation="ascii")
    assert "-0.500 + 1*0.881 + 1*0.002" in text  # (makes 0.383: as it was)
    assert "(-0.405)*0.002" in text


# ------------------------------------------------------------------ exercise sheets
from glassnet import exercises as X  # noqa: E402


def test_question_sheet_tells_students_the_key_stays_with_the_teacher(tmp_path):
    files = X.write(3, tmp_path / "s")
    for name in ("questions.md", "questions.html"):
        text = files[name].read_text(encoding="utf-8")
        assert "check it with" not in text, name
        assert "your teacher grades it with the answer key" in text, name
        assert "stays with the teacher" in text, name
    teaching = (Path(__file__).resolve().parents[1] / "docs" / "teaching.md").read_text()
    assert "Keep the key from students" in teaching
