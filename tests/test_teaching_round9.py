"""The teaching tools as a teacher preparing a class uses them: exercise sheets whose
every question tests something, Markdown keys that render as written, and explain's
softmax notation in the slides' symbols."""

from __future__ import annotations

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
