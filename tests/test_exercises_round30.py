"""Round 30 (teach3 audit): an inseparable gate's empty weights earn their point only with
the student's own "no" (separable = 0), not for a missing or unreadable separable answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glassnet import exercises


def _xnor_key(tmp_path: Path) -> Path:
    files = exercises.write(2, tmp_path / "s2", kinds=["separable"])
    doc = json.loads(files["key.json"].read_text(encoding="utf-8"))
    assert doc["exercises"][0]["title"].endswith("XNOR")
    return files["key.json"]


def _grade(tmp_path: Path, key: Path, text: str) -> exercises.CheckResult:
    answers = tmp_path / "a.txt"
    answers.write_text(text, encoding="utf-8")
    return exercises.check(key, answers)


@pytest.mark.parametrize(
    "text",
    [
        "1.separable = 1\n",  # "yes, separable" and no weights line: the misconception
        "1.separable = 1\n1.weights = \n",  # "yes" and the weights left empty
        "1.separable = yes\n",  # an answer the grader cannot read
        "1.separable = yes\n1.weights = []\n",
        "1.weights = []\n",  # only the weights, left empty: no "no" was given
        "1.separable = 0.6\n1.weights = none\n",  # nearer yes than no
    ],
)
def test_empty_weights_without_the_students_no_earn_nothing(tmp_path: Path, text: str) -> None:
    r = _grade(tmp_path, _xnor_key(tmp_path), text)
    assert r.right == 0, r.lines
    assert r.total == 2


@pytest.mark.parametrize("text", ["1.separable = 0\n", "1.separable = 0\n1.weights = []\n"])
def test_no_and_empty_weights_earn_both_points(tmp_path: Path, text: str) -> None:
    assert _grade(tmp_path, _xnor_key(tmp_path), text).passed


def test_the_weights_message_names_the_separable_answer(tmp_path: Path) -> None:
    """The weights step's own reason (listed where it is the first wrong step, i.e. where
    separable was right or not graded first): empty weights count with separable = 0."""
    key = _xnor_key(tmp_path)
    doc = json.loads(key.read_text(encoding="utf-8"))
    steps = doc["exercises"][0]["steps"]
    doc["exercises"][0]["steps"] = [steps[1], steps[0]]  # the weights step graded first
    key.write_text(json.dumps(doc), encoding="utf-8")
    r = _grade(tmp_path, key, "1.separable = 1\n")
    assert r.right == 0
    why = r.first_wrong[1]
    assert "1.weights" in why and "1.separable = 0" in why and "1.separable = 1" in why, why
