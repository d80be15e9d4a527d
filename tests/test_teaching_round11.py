"""The teaching tools, round 11: a student's answers written as on paper get the fix."""

from __future__ import annotations

import json

import pytest

from glassnet import exercises


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    out = tmp_path_factory.mktemp("sheet")
    exercises.write(5, out)
    return out / "key.json"


@pytest.mark.parametrize(
    ("answer", "fix"),
    [
        ("yes", "A yes/no answer is written 1 for yes and 0 for no: 1."),
        ("No", "A yes/no answer is written 1 for yes and 0 for no: 0."),
        ("1/2", "Write the fraction as a decimal: 0.5."),
        ("-3 / 4", "Write the fraction as a decimal: -0.75."),
        ("2,5", "Write the decimal point: 2.5."),  # (said already)
    ],
)
def test_an_answer_written_as_on_paper_is_named_with_its_fix(key, tmp_path, answer, fix):
    path = tmp_path / "answers.txt"
    path.write_text(f"4.separable = {answer}\n", encoding="utf-8")
    with pytest.raises(ValueError) as err:
        exercises.check(key, path)
    assert f"line 1 of {str(path)!r}: {answer!r} is not a number" in str(err.value)
    assert str(err.value).endswith(fix), str(err.value)


@pytest.mark.parametrize(("value", "digit"), [(True, 1), ("no", 0)])
def test_a_json_yes_or_no_is_named_with_its_fix(key, tmp_path, value, digit):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"4.separable": value}), encoding="utf-8")
    with pytest.raises(ValueError, match=rf"written 1 for yes and 0 for no: {digit}\.$"):
        exercises.check(key, path)


def test_an_answer_that_is_no_number_gets_no_made_up_fix(key, tmp_path):
    path = tmp_path / "answers.txt"
    path.write_text("1.z1 = abc\n1.z2 = 1/0\n", encoding="utf-8")
    with pytest.raises(ValueError) as err:
        exercises.check(key, path)
    assert str(err.value).endswith("'abc' is not a number or a vector like [0, 1, 0].")


def test_the_yes_no_answer_written_as_the_fix_says_is_graded(key, tmp_path):
    path = tmp_path / "answers.txt"
    path.write_text("4.separable = 0\n", encoding="utf-8")  # seed 5's gate is XNOR
    result = exercises.check(key, path)
    assert "4. Linear separability: XNOR: 2/2 right" in str(result)
