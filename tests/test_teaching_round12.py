"""Lecture fidelity and answer keys, round 12: what an exercise sheet states.

Each test failed before its fix.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from glassnet import exercises


# ----------------------------------------------------------- the sheet states its rounding
def _sheet_texts(seed: int) -> list[str]:
    sheet = exercises.generate(seed)
    return [exercises.to_markdown(sheet, seed), exercises.to_html(sheet, seed)]


@pytest.mark.parametrize("seed", [0, 17])
def test_question_sheets_say_how_precise_an_answer_must_be(seed):
    # The grader counts an answer right within 0.01 and gives L = -log y_hat a slack for
    # y_hat carried to 3 decimals; the sheets said neither, so a student who answered
    # with 1 or 2 decimals was marked wrong by a rule never stated.
    for text in _sheet_texts(seed):
        assert "3 decimals" in text
        assert f"within {exercises.DEFAULT_TOL:g}" in text
    # the answer keys are not the place for it (they show the values themselves)
    sheet = exercises.generate(seed)
    assert "3 decimals, and carry" not in exercises.to_markdown(sheet, seed, key=True)


def test_the_stated_rounding_is_what_the_grader_needs(tmp_path: Path):
    # seed 17's softmax exercise: logits (3, -1, 0), class 3, y_hat3 = 0.047. A student
    # who carries y_hat3 to 3 decimals, as the sheet now asks, is graded right; one who
    # carries 2 decimals (0.05) is off by 0.07 in L and graded wrong: the sheet must say so.
    files = exercises.write(17, tmp_path / "s")
    key = json.loads(files["key.json"].read_text(encoding="utf-8"))
    ex = next(e for e in key["exercises"] if e["kind"] == "softmax")
    n, label = ex["number"], ex["data"]["label"]
    logits = ex["data"]["logits"]
    assert (logits, label) == ([3.0, -1.0, 0.0], 2)
    total = sum(math.exp(z) for z in logits)
    p = math.exp(logits[label]) / total
    graded = {}
    for decimals in (3, 2):
        lines = [  # every other answer exact: only L's rounding is graded
            f"{e['number']}.{st['id']} = {json.dumps(st['value'])}"
            for e in key["exercises"]
            for st in e["steps"]
            if st["value"] is not None and st["check"] != "separates" and st["id"] != "L"
        ]
        lines += [
            f"{e['number']}.weights = {json.dumps(st['value'])}"
            for e in key["exercises"]
            for st in e["steps"]
            if st["check"] == "separates"
        ]
        lines += [
            f"{e['number']}.L = {e['steps'][[st['id'] for st in e['steps']].index('L')]['value']}"
            for e in key["exercises"]
            if e["number"] != n
            and e["kind"] != "softmax"
            and any(st["id"] == "L" for st in e["steps"])
        ]
        lines.append(f"{n}.L = {-math.log(round(p, decimals))}")
        answers = tmp_path / f"a{decimals}.txt"
        answers.write_text("\n".join(lines) + "\n", encoding="utf-8")
        graded[decimals] = exercises.check(files["key.json"], answers).passed
    assert graded == {3: True, 2: False}
    text = files["questions.md"].read_text(encoding="utf-8")
    assert "carry 3 decimals" in text


# ----------------------------------------------------------- one-hot: the example's length
def _one_hot_prompt(ex: exercises.Exercise) -> str:
    return " ".join(body for kind, body in ex.question if kind == "p")


def test_one_hot_example_vector_has_one_entry_per_class():
    # The lecture: "Length of vector == The number of classes". The question's example
    # was [0, 1, 0] for 4 classes too (seed 17: Horse, Bird, Cat, Fish), a vector of the
    # wrong length.
    seen = set()
    for seed in range(40):
        ex = exercises.generate(seed, ["one_hot"])[0]
        C = len(ex.data["classes"])
        seen.add(C)
        example = re.search(r"e\.g\. (\[[^\]]*\])", _one_hot_prompt(ex)).group(1)
        vector = json.loads(example)
        assert len(vector) == C, (seed, example, ex.data["classes"])
        assert sorted(vector) == [0] * (C - 1) + [1]
        assert f"{C} entries" in _one_hot_prompt(ex)
        assert all(len(s.value) == C for s in ex.steps)  # the key's rows agree
    assert seen == {3, 4}


def test_seed_17_one_hot_question_reads_four_entries():
    ex = exercises.generate(17, ["one_hot"])[0]
    assert ex.data["classes"] == ["Horse", "Bird", "Cat", "Fish"]
    assert "e.g. [0, 1, 0, 0]" in _one_hot_prompt(ex)
