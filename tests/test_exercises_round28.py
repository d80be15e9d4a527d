"""Exercises, round 28: the separability grader works on the weights exactly as written
(it graded their binary floats: [1, 1, -1.9999999999999999] for AND was wrong with a false
"z = 0", [-1, -1, 2.0000000000000001] for NAND right); the HTML sheets write e<sup>z₁</sup>,
relu′ and −log as the rest of the sheet writes its symbols (e^z₁, relu', -log); one sheet
names the bias as the lecture does (w₀, the weight of a constant input 1) and states the
weights' order [w1, w2, w0] prominently; the rounding paragraph says only what applies to
the sheet's kinds (e^x and log, -log, the 4-decimal halves)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from glassnet import exercises as X


def _grade(tmp_path: Path, seed: int, gate: str, weights: str) -> X.CheckResult:
    files = X.write(seed, tmp_path / f"s{seed}", ["separable"], force=True)
    assert X.generate(seed, ["separable"])[0].title.endswith(": " + gate)
    answers = tmp_path / "a.txt"
    answers.write_text(f"1.separable = 1\n1.weights = {weights}\n", encoding="utf-8")
    return X.check(files["key.json"], answers)


# ------------------------------------------------------------------ 1. exact weights
@pytest.mark.parametrize(
    "seed, gate, weights",
    [
        (6, "AND", "[1, 1, -1.9999999999999999]"),  # z(1, 1) = 1e-16 > 0: right
        (6, "AND", "[1e-400, 1e-400, -1.5e-400]"),  # the AND line, scaled: right
        (6, "AND", "[1, 1, -1.99999999999999999999999999999999999999999]"),
        (6, "AND", "[2e-320, 2e-320, -3e-320]"),  # (right before too)
        (1, "NAND", "[-1, -1, 1.0000000000000001]"),  # z(1, 0) = 1e-16 > 0
        (1, "NAND", "[-1e-400, -1e-400, 1.5e-400]"),
    ],
)
def test_separating_weights_written_with_many_digits_are_right(
    tmp_path: Path, seed: int, gate: str, weights: str
) -> None:
    r = _grade(tmp_path, seed, gate, weights)
    assert r.passed, r.lines


def test_weights_that_fail_as_written_are_wrong_with_the_true_z(tmp_path: Path) -> None:
    # NAND as written: z(1, 1) = -1 - 1 + 2.0000000000000001 = 1e-16 > 0 gives 1, not 0
    r = _grade(tmp_path, 1, "NAND", "[-1, -1, 2.0000000000000001]")
    assert r.right == 1, r.lines
    assert "at (1, 1), z = 1e-16 gives 1, the gate 0" in r.first_wrong[1]
    # AND as written: z(1, 1) = -1e-16 <= 0 (floats made it 0)
    r = _grade(tmp_path, 6, "AND", "[1, 1, -2.0000000000000001]")
    assert r.right == 1 and "at (1, 1), z = -1e-16 gives 0, the gate 1" in r.first_wrong[1]
    # a point exactly on the line still gives 0 (as before)
    r = _grade(tmp_path, 6, "AND", "[0.1, 0.2, -0.3]")
    assert "at (1, 1), z = 0 gives 0, the gate 1" in r.first_wrong[1]
    # an ordinary miss still reads as before
    r = _grade(tmp_path, 6, "AND", "[1, 1, -0.5]")
    assert "at (0, 1), z = 0.500 gives 1, the gate 0" in r.first_wrong[1]


def test_weights_of_far_apart_exponents_are_graded_exactly_and_at_once(tmp_path: Path) -> None:
    start = time.perf_counter()
    # z(1, 0) = 0 gives 0, z(1, 1) = 1e-999999999 > 0 gives 1: AND, exactly (floats: z = 0)
    assert _grade(tmp_path, 6, "AND", "[1.5, 1e-999999999, -1.5]").passed
    r = _grade(tmp_path, 6, "AND", "[1, 1e-999999999, -1.5]")
    assert r.right == 1 and "at (1, 1), z = -0.500 gives 0, the gate 1" in r.first_wrong[1]
    assert time.perf_counter() - start < 10


def test_the_slides_order_gets_a_hint(tmp_path: Path) -> None:
    """[w0, w1, w2], the lecture's order, is still wrong (the answer's order is documented
    as [w1, w2, w0]), but the message says what the student did."""
    r = _grade(tmp_path, 6, "AND", "[-1.5, 1, 1]")
    assert r.right == 1
    assert "in the slides' order [w0, w1, w2]" in r.first_wrong[1]
    assert "write [1, 1, -1.5]" in r.first_wrong[1]
    # weights wrong in both orders get no such hint
    assert "slides' order" not in _grade(tmp_path, 6, "AND", "[1, 1, 1]").first_wrong[1]


# ------------------------------------------------------------------ 2. HTML typography
def test_the_html_sheets_typeset_e_to_the_z_primes_and_minus(tmp_path: Path) -> None:
    files = X.write(5, tmp_path / "s5")
    q = files["questions.html"].read_text(encoding="utf-8")
    k = files["answers.html"].read_text(encoding="utf-8")
    for page in (q, k):
        page = re.sub(r"<code>.*?</code>", "", page)  # (the ids are written as they are)
        assert "e^" not in page
        assert not re.search(r"\w'\(", page)  # relu'(z1), identity'(z3)
        assert not re.search(r"(?<![\w-])-log", page)
    assert "Compute e<sup>z₁</sup>, e<sup>z₂</sup>, e<sup>z₃</sup>" in q
    assert "each e<sup>z</sup> divided by the sum" in q
    assert "L = −log of the true class" in q
    assert "<td>e<sup>z₁</sup></td><td>e<sup>2</sup></td>" in k
    assert "e<sup>−1</sup>" in k
    assert "relu′(z₁) with z₁" in k and "identity′(z₃) with z₃" in k
    assert "−log ŷ₁ = −log(e<sup>z₁</sup> / sum) = log 8.757 − 2" in k
    # the Markdown sheets and the key.json are as they were
    md = files["answers.md"].read_text(encoding="utf-8")
    assert "$e^{z_{1}}$" in md and "<sup>" not in md
    assert '"e^z1"' in files["key.json"].read_text(encoding="utf-8")


# ------------------------------------------------------------------ 3. the bias's name
def test_one_sheet_names_the_bias_as_the_lecture_does() -> None:
    sheet = X.generate(5)
    for ex in sheet[:2]:  # the networks: b1, b2, b3 are each neuron's w0
        text = ex.question[0][1]
        assert "the slides' w0" in text and "x0 = 1" in text
    gd = " ".join(b for kind, b in sheet[2].question if kind == "p")
    assert "w0 (the bias" in gd
    sep = sheet[3].question[-1][1]
    assert "w0 (the bias" in sep
    # the order is stated where the answer is asked for, and the key's json keeps it
    assert "weights = [w1, w2, w0]" in sep
    assert "in this order: w0 (the bias) last" in sep
    assert "in this order: w₀ (the bias) last" in X.to_html(sheet)


# ------------------------------------------------------------------ 4. the rounding paragraph
@pytest.mark.parametrize("kinds", [["forward"], ["gd_step"], ["backprop", "separable", "one_hot"]])
def test_a_sheet_without_softmax_says_nothing_of_e_x_or_log(kinds: list[str]) -> None:
    sheet = X.generate(1, kinds)
    for text in (X.to_markdown(sheet), X.to_html(sheet)):
        head = text.split("## 1.")[0].split("<h2>1.")[0]
        assert "e^x" not in head and "eˣ" not in head and "log" not in head
        assert "worked line" not in head
        assert "Round each answer to 3 decimals, a half up" in head
        assert ("2.8875" in head) == ("gd_step" in kinds)


def test_a_softmax_sheet_says_what_it_did() -> None:
    sheet = X.generate(1, ["softmax"])
    head = X.to_markdown(sheet).split("## 1.")[0]
    assert "a calculator for e^x and log" in head
    assert "-log of a small probability moves fast" in head
    assert "the line writes them with more" in head
    assert "2.8875" not in head
    # a full sheet reads as before
    full = X.to_markdown(X.generate(1)).split("## 1.")[0]
    for words in ("e^x and log", "-log of a small", "2.8875", "the line writes them with more"):
        assert words in full
