"""The exercise sheets and their grader: worked lines that add up, exact gate grading,
"no weights" written as a student would, the rounding rule stated, one intro text."""

from __future__ import annotations

import json
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from decimal_helpers import own_decimal_context, rounds_to  # noqa: F401

from glassnet import exercises


def _round3(v: float | Decimal) -> Decimal:
    """Rounded to 3 decimals, a half up (away from zero), as the sheet asks."""
    return Decimal(repr(float(v))).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


# --------------------------------------------------------------- softmax worked lines
def test_softmax_worked_lines_add_up_to_the_keys_values() -> None:
    """1.649 + 20.086 + 1 = 22.734 (seed 0) was in 90 of the 360 keys, and a ŷ line such as
    20.086 / 22.734 = 0.883 (by hand 0.8835) in 18: every line now gives its value."""
    more = 0
    for seed in range(exercises.SOFTMAX_BLOCK):
        ex = exercises.generate(seed, ["softmax"])[0]
        st = {s.id: s for s in ex.steps}
        addends = [Decimal(t) for t in st["sum"].how.split("=")[1].split(" + ")]
        assert rounds_to(sum(addends), exercises._num(st["sum"].value)), (seed, st["sum"].how)
        more += any(len(str(a).partition(".")[2]) > 3 for a in addends)
        for k in (1, 2, 3):
            a, b = (Decimal(t) for t in st[f"y_hat{k}"].how.split("=")[1].split(" / "))
            assert rounds_to(a / b, exercises._num(st[f"y_hat{k}"].value)), (seed, k)
            m = re.search(r"= (\S+) - ([01])$", st[f"dL/dz{k}"].how)
            got = Decimal(m.group(1)) - int(m.group(2))
            assert rounds_to(got, exercises._num(st[f"dL/dz{k}"].value)), (seed, k)
        m = re.search(r"= log (\S+) - \(?(-?[\d.]+)\)? ", st["L"].how)
        got = Decimal(math.log(float(m.group(1))) - float(m.group(2)))
        assert rounds_to(got, exercises._num(st["L"].value)), (seed, st["L"].how)
    assert more == 90  # (the lines that 3 decimals did not make add up: shown with more)
    st = {s.id: s for s in exercises.generate(0, ["softmax"])[0].steps}
    assert st["sum"].how == "e^z1 + e^z2 + e^z3 = 1.6487 + 20.0855 + 1"
    assert exercises._num(st["sum"].value) == "22.734"


def test_a_student_who_rounds_half_up_and_carries_is_right_on_every_softmax() -> None:
    """What the sheet now says (round a half up at 3 decimals, carry the rounded numbers)
    is graded right on all 360 softmax exercises, within the tolerance and L's slack."""
    tol = exercises.DEFAULT_TOL
    for seed in range(exercises.SOFTMAX_BLOCK):
        ex = exercises.generate(seed, ["softmax"])[0]
        key = {s.id: s for s in ex.steps}
        z, label = ex.data["logits"], ex.data["label"]
        e = [_round3(math.exp(v)) for v in z]
        total = _round3(sum(e))
        p = [_round3(v / total) for v in e]
        carried = {f"e^z{k + 1}": e[k] for k in range(3)} | {"sum": total}
        carried |= {f"y_hat{k + 1}": p[k] for k in range(3)}
        carried |= {"L": _round3(-math.log(p[label]))}
        carried |= {f"dL/dz{k + 1}": p[k] - (k == label) for k in range(3)}
        for name, got in carried.items():
            gap = abs(float(got) - key[name].value)
            assert gap <= tol + key[name].slack, (seed, name, got, key[name].value)


# --------------------------------------------------------------- the sheet's words
@pytest.mark.parametrize("seed", [0, 17])
def test_the_sheets_say_round_half_up_and_why_the_key_has_more_decimals(seed: int) -> None:
    sheet = exercises.generate(seed)
    for text in (exercises.to_markdown(sheet, seed), exercises.to_html(sheet, seed)):
        assert "Round each answer to 3 decimals, a half up" in text
        assert "0.0625 gives 0.063" in text
        assert "in full where it has exactly 4 decimals (2.8875" in text
        assert "the line writes them with more" in text


def test_the_html_sheet_gives_the_answer_format_example_as_the_markdown_one() -> None:
    sheet = exercises.generate(17)
    md, page = exercises.to_markdown(sheet, 17), exercises.to_html(sheet, 17)
    assert "e.g. `1.z1 = 2.5`, a vector as `[0, 1, 0]`" in md
    assert "e.g. <code>1.z1 = 2.5</code>, a vector as <code>[0, 1, 0]</code>" in page
    # one text: the HTML paragraph is the Markdown one with its code spans as <code>
    intro = md.split("\n\n")[1]
    html_intro = page.split("<p>", 1)[1].split("</p>", 1)[0]
    as_md = re.sub(r"</?code>", "`", html_intro).replace("&lt;", "<").replace("&gt;", ">")
    assert as_md.replace("eˣ", "e^x") == intro


# --------------------------------------------------------------- separable grading
def _sheet(tmp_path: Path, seed: int, gate: str) -> Path:
    files = exercises.write(seed, tmp_path / f"s{seed}", kinds=["separable"])
    assert json.loads(files["key.json"].read_text(encoding="utf-8"))["exercises"][0][
        "title"
    ].endswith(gate)
    return files["key.json"]


def _grade(tmp_path: Path, key: Path, text: str) -> exercises.CheckResult:
    answers = tmp_path / "a.txt"
    answers.write_text(text, encoding="utf-8")
    return exercises.check(key, answers)


def test_a_point_on_the_line_gives_0_exactly_as_written(tmp_path: Path) -> None:
    """z = 0 at (1, 1) gives 0 (output 1 only where z > 0): AND with [0.1, 0.2, -0.3] is
    wrong (floats made z 5.6e-17 and accepted it), NAND with [-0.1, -0.7, 0.8] is right
    (floats made z 1.1e-16 and refused it)."""
    key = _sheet(tmp_path, 6, "AND")
    r = _grade(tmp_path, key, "1.separable = 1\n1.weights = [0.1, 0.2, -0.3]\n")
    assert r.right == 1
    assert "at (1, 1), z = 0 gives 0, the gate 1 (output 1 only where z > 0)" in r.first_wrong[1]
    assert _grade(tmp_path, key, "1.separable = 1\n1.weights = [0.1, 0.2, -0.29]\n").passed
    key = _sheet(tmp_path, 1, "NAND")
    assert _grade(tmp_path, key, "1.separable = 1\n1.weights = [-0.1, -0.7, 0.8]\n").passed


@pytest.mark.parametrize("written", ["[]", "none", "None", "n/a", "-", "", "[ ]"])
def test_no_weights_may_be_written_as_a_student_writes_it(tmp_path: Path, written) -> None:
    key = _sheet(tmp_path, 2, "XNOR")
    r = _grade(tmp_path, key, f"1.separable = 0\n1.weights = {written}\n")
    assert r.passed, r.lines
    answers = tmp_path / "a.json"
    answers.write_text('{"1.separable": 0, "1.weights": []}', encoding="utf-8")
    assert exercises.check(key, answers).passed
    # the question says what to write
    q = exercises.generate(2, ["separable"])[0].question[-1][1]
    assert "if no, leave weights empty (a blank, [] or none)" in q
    # weights given for an inseparable gate are still wrong, saying what to write
    r = _grade(tmp_path, key, "1.separable = 0\n1.weights = [1, 1, -1]\n")
    assert r.right == 1 and "leave the answer empty (a blank, [] or none)" in r.first_wrong[1]


# --------------------------------------------------------------- ids in the sheet's symbols
def test_an_id_in_the_sheets_symbols_is_named_with_the_keys_id(tmp_path: Path) -> None:
    files = exercises.write(17, tmp_path / "s")
    r = _grade(tmp_path, files["key.json"], "1.ŷ = 4\n3.∂L/∂w1 = -2\n3.new_w2 = 1\n")
    unknown = r.lines[-1]
    assert "1.ŷ (write 1.y_hat)" in unknown
    assert "3.∂L/∂w1 (write 3.dL/dw1)" in unknown
    assert "3.new_w2 (write 3.new w2)" in unknown
    r = _grade(tmp_path, files["key.json"], "4.separable = 1\n4.weights = [1, 1, -0.5]\n2.ŷ = 1\n")
    assert "2.y_hat is missing: your answers write it '2.ŷ'" in r.first_wrong[2]
