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


# ------------------------------------------------------------------ grader messages
@pytest.fixture(scope="module")
def sheet5(tmp_path_factory):
    out = tmp_path_factory.mktemp("s5")
    X.write(5, out)
    doc = json.loads((out / "key.json").read_text())
    values = {
        f"{ex['number']}.{s['id']}": s["value"] for ex in doc["exercises"] for s in ex["steps"]
    }
    return out / "key.json", values, doc


def test_with_tol_0_a_wrong_number_is_shown_apart_from_the_key(sheet5, tmp_path):
    key, values, _ = sheet5
    path = tmp_path / "a.txt"
    path.write_text(f"5.e^z1 = {values['5.e^z1']:.3f}\n")
    message = X.check(key, path, tol=0).first_wrong[5]
    shown, expected = re.match(r"5\.e\^z1 = (\S+), expected (\S+) ", message).groups()
    assert shown != expected, message


def test_an_id_written_with_a_space_or_capital_is_named_with_the_key_id(sheet5, tmp_path):
    key, values, _ = sheet5
    path = tmp_path / "a.txt"
    path.write_text(f"1. z1 = {values['1.z1']}\n1.Z2 = {values['1.z2']}\n")
    result = X.check(key, path)
    assert "your answers write it '1. z1'; write 1.z1" in result.first_wrong[1]
    assert "1. z1 (write 1.z1), 1.Z2 (write 1.z2)" in result.lines[-1]


@pytest.mark.parametrize("written", ["[1 1 -0.5]", "[ 1.   1.  -0.5]", "[1., 1., -0.5]"])
def test_numpys_printed_vector_is_read(tmp_path, written):
    path = tmp_path / "a.txt"
    path.write_text(f"4.weights = {written}\n")
    assert X.read_answers(path) == {"4.weights": [1.0, 1.0, -0.5]}


def test_an_unreadable_answer_is_graded_wrong_and_the_others_graded(sheet5, tmp_path):
    key, values, _ = sheet5
    path = tmp_path / "a.txt"
    sep = values["4.separable"]
    path.write_text(f"1.z1 = {values['1.z1']}\n4.weights = 1, 1, -0.5\n4.separable = {sep}\n")
    with pytest.raises(
        ValueError, match=r"in brackets, its numbers parted by commas: \[1, 1, -0.5\]"
    ):
        X.read_answers(path)
    result = X.check(key, path)
    assert result.right >= 1  # 1.z1 graded
    assert result.first_wrong[4].startswith("4.weights could not be read: line 2")
    assert result.first_wrong[4].endswith("[1, 1, -0.5].")


def test_a_vector_given_for_a_number_is_named(sheet5, tmp_path):
    key, values, _ = sheet5
    path = tmp_path / "a.txt"
    path.write_text(f"1.z1 = [{values['1.z1']}]\n")
    assert "this answer is one number: write it" in X.check(key, path).first_wrong[1]


def test_weights_for_an_inseparable_gate_say_it_once(tmp_path):
    seed = next(s for s in range(100) if X.generate(s, ["separable"])[0].data["gate"] in
                ([0, 1, 1, 0], [1, 0, 0, 1]))  # fmt: skip
    X.write(seed, tmp_path, ["separable"])
    path = tmp_path / "a.txt"
    path.write_text("1.separable = 0\n1.weights = [1, 1, -0.5]\n")
    message = X.check(tmp_path / "key.json", path).first_wrong[1]
    assert message.count("exist") == 1, message
    assert "no weights exist" in message and "leave the answer empty" in message


def test_the_command_lines_force_replaces_another_seeds_sheet(tmp_path, capsys):
    # the refusal told the user to pass --force, which the command line did not take
    from glassnet.cli import main

    out = tmp_path / "sheet17"
    assert main(["exercise", "--seed", "17", "--out", str(out)]) == 0
    assert main(["exercise", "--seed", "18", "--out", str(out)]) == 2
    assert "pass --force" in capsys.readouterr().err
    assert main(["exercise", "--seed", "18", "--out", str(out), "--force"]) == 0
    assert '"seed": 18' in (out / "key.json").read_text()
    capsys.readouterr()
    key = str(out / "key.json")
    main(["exercise", "check", key, str(out / "answers_template.txt"), "--force"])
    assert "--force is used when writing a sheet only" in capsys.readouterr().err


def test_a_handed_out_copy_without_its_key_is_still_known_by_its_seed(tmp_path):
    # the docs say to keep key.json from students: a folder without it was overwritten by
    # another seed's sheet in silence
    from glassnet import exercises as X

    out = tmp_path / "s17"
    X.write(17, out)
    (out / "key.json").unlink()
    with pytest.raises(X.SheetExists, match=r"seed 17 \(its questions.md\)"):
        X.write(19, out)
    assert "seed 17" in (out / "questions.md").read_text().splitlines()[0]
    X.write(19, out, force=True)
    X.write(19, out)  # (its own seed again: no refusal)
