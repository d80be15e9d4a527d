"""The teaching tools as a teacher preparing a class uses them: exercise sheets whose
every question tests something, Markdown keys that render as written, and explain's
softmax notation in the slides' symbols."""

from __future__ import annotations

import re
from pathlib import Path

from glassnet import exercises as X

SEEDS = range(300)


# =====================================================================================
# Exercises: no degenerate questions
# =====================================================================================
def test_backprop_exercise_never_gives_the_input_0_0() -> None:
    # x = (0, 0) made every first-layer gradient dL/dz * 0: dL/dw1 .. dL/dw4 were all 0
    # (seed 10, about 3 seeds in 100)
    for seed in SEEDS:
        (ex,) = X.generate(seed, ["backprop"])
        assert ex.data["x"] != [0.0, 0.0], (seed, ex.data)
        key = {s.id: s.value for s in ex.steps}
        assert any(key[f"dL/dw{i}"] != 0 for i in range(1, 5)), (seed, ex.data)


def test_one_hot_exercise_order_matters_and_targets_are_not_one_class() -> None:
    # the class order came out alphabetical (seed 16: Bird, Dog, Horse), where the given
    # order and the sorted one give the same rows, or the four targets were one class
    # (seed 46: Fish, Fish, Fish, Fish)
    for seed in SEEDS:
        (ex,) = X.generate(seed, ["one_hot"])
        order, labels = ex.data["classes"], ex.data["labels"]
        ranked = sorted(order)
        assert len(set(labels)) > 1, (seed, labels)
        assert any(order.index(s) != ranked.index(s) for s in labels), (seed, order, labels)
        for step, lab in zip(ex.steps, labels):  # the key is still in the given order
            assert step.value.index(1.0) == order.index(lab)


# =====================================================================================
# Exercises: Markdown renders as written
# =====================================================================================
def _prose(markdown: str) -> str:
    """The Markdown outside its maths ($...$) and code spans (`...`)."""
    return re.sub(r"\$[^$]*\$|`[^`]*`", " ", markdown)


def test_markdown_sheets_escape_emphasis_marks_outside_the_maths(tmp_path: Path) -> None:
    # the key's 'b1 + w1*x1 + w3*x2' was '$b_{1}$ + $w_{1}$*$x_{1}$ + $w_{3}$*$x_{2}$': in
    # any Markdown renderer (GitHub, Jupyter, MkDocs) the two '*' paired up as emphasis,
    # so the products lost their signs and 'x1 + w3' came out in italics
    for seed in range(12):
        files = X.write(seed, tmp_path / str(seed))
        for name in ("questions.md", "answers.md"):
            text = files[name].read_text(encoding="utf-8")
            bare = re.findall(r"(?<!\\)[*_]", _prose(text))
            assert not bare, (seed, name, bare[:5])
        key = files["answers.md"].read_text(encoding="utf-8")
        assert r"$w_{1}$\*$x_{1}$ + $w_{3}$\*$x_{2}$" in key  # the forward exercise's z1
