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


# ----------------------------------------------------------- explain(bias='w0'): x0 = 1
def _xnor_net():
    import numpy as np

    import glassnet as gn

    net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid",
                    dtype=np.float64)  # fmt: skip
    net.layers[0].W.data[:] = [[4, -4], [4, -4]]
    net.layers[0].b.data[:] = [-6, 2]
    net.layers[2].W.data[:] = [[1], [1]]
    net.layers[2].b.data[:] = [-0.5]
    return net


def test_bias_w0_paths_can_be_asked_for_by_the_w0_names():
    # explain(bias='w0') names the biases w0,1 ... (the slides' w0 of x0 = 1), but
    # paths=['w0,1'] was refused as an unknown quantity (the names were checked before
    # they became w0's), and paths=['b1'] is refused too: no bias's paths by name.
    from glassnet.explain import explain

    e = explain(_xnor_net(), [0, 1], 0, bias="w0", paths=["w0,1", "w0,3"], notation="ascii")
    text = e.to_text("paths")
    assert "dL/dw0,1 = " in text and "dL/dw0,3 = " in text
    for name in ("w0,1", "w0,3"):
        assert sum(e.paths(name).products) == pytest.approx(e.gradient(name), rel=1e-12)
    with pytest.raises(ValueError, match=r"unknown quantities \['b1'\].*w0,1, w0,2, w0,3"):
        explain(_xnor_net(), [0, 1], 0, bias="w0", paths=["b1"])
    with pytest.raises(ValueError, match=r"unknown quantities \['q1'\]; use names such as x1"):
        explain(_xnor_net(), [0, 1], 0, bias="w0", paths=["q1"])


def test_bias_w0_gradient_is_dL_dz_times_x0():
    # The slides: dL/dw_j = (y_hat - y) g'(z) x_j from j = 0, x0 = 1, and dL/dw = dL/du v.
    # Under bias='w0' the forward pass writes w0,1*x0, but the weight gradients wrote
    # "dL/dz1 * 1" and the path sum "(y_hat - y) g'(z3) w5 g'(z1)", without x0.
    import numpy as np

    import glassnet as gn
    from glassnet.explain import explain

    e = explain(_xnor_net(), [0, 1], 0, bias="w0", notation="ascii")
    weights = e.to_text("weights")
    assert "x0 = 1 for a bias w0" in weights
    rows = {ln.split()[0]: ln for ln in weights.splitlines() if ln.startswith("w0,")}
    assert "dL/dz1 * x0" in rows["w0,1"] and "dL/dz2 * x0" in rows["w0,2"]
    assert "dL/dz3 * a0" in rows["w0,3"]  # the hidden layer's constant a0 = 1
    assert e.paths("w0,1").symbolic == "(y_hat - y) g'(z3) w5 g'(z1) x0"
    assert e.paths("w0,3").symbolic == "(y_hat - y) g'(z3) a0"
    assert "(y_hat - y) g'(z3) w5 g'(z1) x0" in explain(
        _xnor_net(), [0, 1], 0, bias="w0", paths=True, notation="ascii"
    ).to_text("paths")
    # one neuron, the slides' own case: dL/dw0 = (y_hat - y) g'(z) x0, the number unchanged
    n = gn.nn.Neuron(2, "sigmoid", dtype=np.float64)
    n.set_weights([1.0, 1.0], -1.5)
    one = explain(n, [1.0, 1.0], 1.0, bias="w0", notation="ascii")
    assert one.paths("w0").symbolic == "(y_hat - y) g'(z) x0"
    assert sum(one.paths("w0").products) == pytest.approx(one.gradient("w0"), rel=1e-12)
    assert "dL/dz * x0" in one.to_text("weights")
    # without bias='w0' a bias stays b, times 1
    plain = explain(_xnor_net(), [0, 1], 0, notation="ascii").to_text("weights")
    assert "dL/dz1 * 1" in plain and "x0" not in plain


# ----------------------------------------------------------- forward: the order asked for
@pytest.mark.parametrize("seed", [0, 3, 17])
def test_forward_question_lists_the_answers_in_the_key_and_slides_order(seed):
    # The slides compute z1, z2, then a1 = g(z1), a2 = g(z2), then z3 and y_hat, and the
    # key and answers_template.txt list them so; the question asked for "z1, a1, z2, a2".
    ex = exercises.generate(seed, ["forward"])[0]
    ids = [s.id for s in ex.steps]
    assert ids == ["z1", "z2", "a1", "a2", "z3", "y_hat"]
    prompt = ex.question[-1][1]
    assert prompt.endswith("Compute z1, z2, a1, a2, z3 and the output y_hat.")


# ----------------------------------------------------------- docs/teaching.md's promises
def test_teaching_md_says_the_forward_input_is_never_the_origin():
    # docs/teaching.md promised x != (0, 0) for the backpropagation exercise only; the
    # forward exercise keeps it too (at x = (0, 0) its first-layer weights play no part).
    text = (Path(__file__).resolve().parent.parent / "docs" / "teaching.md").read_text(
        encoding="utf-8"
    )
    assert "the forward and backpropagation exercises' input is never x = (0, 0)" in text
    for seed in range(60):
        for ex in exercises.generate(seed, ["forward", "backprop"]):
            assert any(v != 0 for v in ex.data["x"]), (seed, ex.kind)


# ----------------------------------------------------------- docs/lecture.md: layer counts
def test_lecture_md_counts_the_slides_network_as_two_layers():
    # The slides' "Multi-layer (No bias)" network has W[1] (3 x 3) and W[2] (3 x 2):
    # y_hat = g[2](W[2]^T g[1](W[1]^T x)), L = 2. docs/lecture.md called it "a
    # three-layer network" (counting the inputs) and, one block later, called the network
    # of W[1] .. W[5] "a five-layer network", L = 5 (not counting them).
    text = (Path(__file__).resolve().parent.parent / "docs" / "lecture.md").read_text(
        encoding="utf-8"
    )
    assert "three-layer" not in text
    assert "y_hat = g[2](W[2]^T g[1](W[1]^T x)). The slides' two-layer network" in text
    assert "a five-layer network" in text and "L = 5 layers" in text


def test_lecture_md_numbers_the_classes_from_1_as_the_slides():
    # The slides: the label is in {class 1, ..., class C}; pick the class with the highest
    # y_hat_i. docs/lecture.md printed "-> class 0" for the first class (an index).
    text = (Path(__file__).resolve().parent.parent / "docs" / "lecture.md").read_text(
        encoding="utf-8"
    )
    assert "softmax of z = (2, 1, 0.1): [[0.659 0.242 0.099]] -> class 1 of 3 (index 0)" in text
    assert "-> class 0" not in text


# ----------------------------------------------------------- glassnet explain, compact view
def test_explain_compact_view_counts_one_neuron_and_one_input_in_the_singular(
    capsys, tmp_path: Path
):
    # A 1-12-1 regression network: its output layer printed "layer 2: 1 neurons", its
    # first layer "1 inputs", and a layer with one neuron left out "... 1 more neurons".
    import numpy as np
    from cli_helpers import run, write_csv

    rng = np.random.default_rng(0)
    rows = [[round(float(v), 3), round(float(2 * v + 1), 3)] for v in rng.normal(size=40)]
    data = write_csv(tmp_path / "d.csv", ["x", "y"], rows)
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "y", "--hidden", "12",
                       "--epochs", "3", "-q", "--out", model)  # fmt: skip
    assert code == 0, err
    code, text, err = run(capsys, "explain", model, "--row", "1", data, "--top", "11")
    assert code == 0, err
    assert "layer 1: 12 neurons (identity), 1 input\n" in text or (
        "layer 1: 12 neurons (relu), 1 input\n" in text
    )
    assert "layer 2: 1 neuron (identity), 12 inputs" in text
    assert "... 1 more neuron (--layer 1)" in text
    assert "1 neurons" not in text and "1 inputs" not in text.replace("12 inputs", "")
    code, text, err = run(capsys, "explain", model, "--row", "1", data, "--layer", "1",
                          "--neuron", "1")  # fmt: skip
    assert code == 0, err
    assert "layer 1, neuron 1 (" in text and "), 1 input\n" in text


def test_w0_constant_of_each_hidden_layer_is_named_by_its_layer():
    # under bias='w0' with layered names every hidden layer's constant read 'a0', so
    # w[2]_01 and w[3]_01 multiplied the same symbol
    import numpy as np

    import glassnet as gn
    from glassnet.explain import explain

    net = gn.nn.MLP(
        [2, 2, 2, 1], activation="sigmoid", output_activation="sigmoid", dtype=np.float64, rng=0
    )
    text = explain(net, [0.3, 0.7], 1, bias="w0", names="layered", notation="ascii").to_text(
        "weights"
    )
    rows = {line.split()[0]: line for line in text.splitlines() if line.startswith("w[")}
    assert "* a[1]_0" in rows["w[2]_01"] and "* a[2]_0" in rows["w[3]_01"]
    assert "* x0" in rows["w[1]_01"]
