"""Teaching tools: explain's written-out arithmetic gives the numbers it prints."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

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


def test_softmax_exercises_of_small_seeds_all_differ():
    seen = {}
    for seed in range(100):
        ex = X.generate(seed, ["softmax"])[0]
        key = (tuple(ex.data["logits"]), ex.data["label"])
        assert key not in seen, f"seeds {seen[key]} and {seed} share a softmax exercise"
        seen[key] = seed
    # a full sheet's softmax is the same exercise as the softmax-only sheet's
    assert X.generate(22)[4].data == X.generate(22, ["softmax"])[0].data
    assert X.generate(13)[4].data != X.generate(22)[4].data


def test_a_folder_of_another_seeds_sheet_is_not_overwritten(tmp_path):
    out = tmp_path / "sheet17"
    X.write(17, out)
    key17 = (out / "key.json").read_bytes()
    with pytest.raises(X.WriteError, match="seed 17.*seed 18"):
        X.write(18, out)
    assert (out / "key.json").read_bytes() == key17
    X.write(17, out)  # the same seed: the same files again
    assert (out / "key.json").read_bytes() == key17
    X.write(18, out, force=True)
    assert json.loads((out / "key.json").read_text())["seed"] == 18


def test_the_command_line_refuses_another_seeds_folder(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    run = [sys.executable, "-m", "glassnet", "exercise"]
    first = subprocess.run([*run, "--seed", "17", "--out", "s17"], cwd=tmp_path, env=env,
                           capture_output=True, text=True)  # fmt: skip
    assert first.returncode == 0, first.stderr
    second = subprocess.run([*run, "--seed", "18", "--out", "s17"], cwd=tmp_path, env=env,
                            capture_output=True, text=True)  # fmt: skip
    assert second.returncode == 2
    assert "seed 17" in second.stderr and "seed 18" in second.stderr
    assert json.loads((tmp_path / "s17" / "key.json").read_text())["seed"] == 17
