"""The teaching surface: exercise sheets written whole, the separable-weights answers graded
with their reason, the explanation of a saturated output, the graph's labels."""

from __future__ import annotations

import html
import math
import re
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet import exercises as X
from glassnet import viz
from glassnet.cli import main
from glassnet.explain import explain
from glassnet.report import fmt


def _sheet(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# ------------------------------------------------------------------ 2. a sheet written whole
def test_a_folder_in_the_way_leaves_the_earlier_sheet_whole_and_says_which(tmp_path, capsys):
    out = tmp_path / "mix"
    assert main(["exercise", "--seed", "1", "--out", str(out)]) == 0
    (out / "answers.md").unlink()
    (out / "answers.md").mkdir()
    seed1 = _sheet(out)
    assert main(["exercise", "--seed", "2", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert _sheet(out) == seed1  # nothing of seed 2 (its questions.md came before)
    assert f"{str(out / 'answers.md')!r} is a folder, in the way of that file" in err
    assert "move or rename it, or choose another folder. Nothing was written." in err
    assert "give a file path inside it" not in err  # the user gave the folder


def test_a_write_that_fails_midway_puts_back_the_files_before_it(tmp_path, monkeypatch):
    X.write(1, tmp_path)
    (tmp_path / "notes.txt").write_text("mine\n")  # a file of the user's, kept
    (tmp_path / "answers.html").unlink()  # written new by the failing write, then removed
    seed1 = _sheet(tmp_path)
    real = X.atomic_write

    def failing(path, data):
        if Path(path).name == "key.json":
            raise X.WriteError(f"cannot write '{path}' (No space left on device)")
        return real(path, data)

    monkeypatch.setattr(X, "atomic_write", failing)
    with pytest.raises(X.WriteError, match="No space left on device"):
        X.write(2, tmp_path, force=True)  # (seed 1's folder: replaced only with force)
    assert _sheet(tmp_path) == seed1


def test_a_link_to_a_missing_file_is_refused_before_anything_is_written(tmp_path, monkeypatch):
    """questions.md a link to a file not yet made: it was written through (the sheet's file
    appeared at the link's target) and, when a later file failed, the rollback removed the
    link and left that file behind. Now refused first, naming the link and what to do."""
    out, elsewhere = tmp_path / "sheet", tmp_path / "shared"
    out.mkdir()
    elsewhere.mkdir()
    (out / "questions.md").symlink_to(elsewhere / "q.md")
    (elsewhere / "a.md").write_text("old key\n")
    (out / "answers.md").symlink_to(elsewhere / "a.md")  # a link to a file: written through
    real, calls = X.atomic_write, []

    def failing(path, data):
        calls.append(path)
        if Path(path).name == "key.json":
            raise X.WriteError(f"cannot write '{path}' (No space left on device)")
        return real(path, data)

    monkeypatch.setattr(X, "atomic_write", failing)
    with pytest.raises(X.WriteError) as info:
        X.write(2, out)
    msg = str(info.value)
    assert f"{str(out / 'questions.md')!r} is a link to {str(elsewhere / 'q.md')!r}" in msg
    assert "which does not exist; remove the link" in msg and "Nothing was written." in msg
    assert calls == []
    assert (out / "questions.md").is_symlink() and not (elsewhere / "q.md").exists()
    assert (elsewhere / "a.md").read_text() == "old key\n"
    assert sorted(p.name for p in elsewhere.iterdir()) == ["a.md"]
    monkeypatch.setattr(X, "atomic_write", real)  # the link removed: the sheet is written
    (out / "questions.md").unlink()
    # answers.md links to a file of the user's own (round 22: not replaced without force)
    with pytest.raises(X.SheetExists, match="answers.md' is not a file of glassnet's sheet"):
        X.write(2, out)
    assert (elsewhere / "a.md").read_text() == "old key\n"
    X.write(2, out, force=True)
    assert (out / "answers.md").is_symlink() and "seed 2" in (elsewhere / "a.md").read_text()


# ------------------------------------------------------------------ 3, 4. separable weights
@pytest.fixture(scope="module")
def and_key(tmp_path_factory) -> Path:
    seed = next(
        s for s in range(100) if X.generate(s, ["separable"])[0].data["gate"] == [0, 0, 0, 1]
    )
    folder = tmp_path_factory.mktemp("and")
    X.write(seed, folder, ["separable"])
    return folder / "key.json"


@pytest.mark.parametrize(
    "name, text",
    [
        ("a.txt", "1.separable = 1\n1.weights = [1e400, 1, 1]\n"),  # 1e400 reads inf
        ("a.txt", "1.separable = 1\n1.weights = [1, -1e400, 1]\n"),
        ("a.json", '{"1.separable": 1, "1.weights": [NaN, 1, 1]}'),
        ("a.json", '{"1.separable": 1, "1.weights": [1, 1, Infinity]}'),
    ],
)
def test_weights_that_are_not_finite_are_graded_wrong_saying_why(
    and_key, tmp_path, capsys, name, text
):
    f = tmp_path / name
    f.write_text(text)
    res = X.check(and_key, f)  # (crashed in Neuron.set_weights, about 'impute')
    assert res.right == 1 and not res.passed
    assert "a weight that is not a finite number" in res.first_wrong[1]
    assert (
        main(["exercise", "check", str(and_key), str(f)]) == 3
    )  # graded (some wrong: 3): not an error (2)
    out = capsys.readouterr().out
    assert "1.weights = [" in out and "the weights must be finite" in out


@pytest.mark.parametrize("given, n", [("[1, 1]", 2), ("[1, 1, -0.5, 2]", 4), ("[2]", 1)])
def test_weights_of_the_wrong_length_say_they_need_three_numbers(and_key, tmp_path, given, n):
    f = tmp_path / "a.txt"
    f.write_text(f"1.separable = 1\n1.weights = {given}\n")
    res = X.check(and_key, f)
    assert not res.passed
    why = res.first_wrong[1]
    assert f"has {n} number{'' if n == 1 else 's'}; the weights need 3 numbers [w1, w2, w0]" in why
    assert "does not compute the gate" not in why
    f.write_text("1.separable = 1\n1.weights = 3\n")
    assert "is one number; the weights need 3 numbers" in X.check(and_key, f).first_wrong[1]
    f.write_text("1.separable = 1\n1.weights = [1, 1, -0.5]\n")  # OR: 3 numbers, wrong gate
    assert "does not compute the gate" in X.check(and_key, f).first_wrong[1]


# ------------------------------------------------------------------ 6. a saturated output
def _saturated():
    net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", dtype=np.float64)
    net.layers[0].W.data[:] = [[4, -4], [4, -4]]
    net.layers[0].b.data[:] = [-6, 2]
    net.layers[2].W.data[:] = [[30], [30]]
    net.layers[2].b.data[:] = [10]  # z3 = 36.5: y_hat = 1 - 1.1e-16, clipped by the loss
    return net


def test_a_clipped_sigmoid_output_tells_one_story_of_dl_dyhat():
    """Step 1 printed the clipped dL/dy_hat (4.50e+15), the paths the same symbol as 9.01e+15
    (dL/dz / g'(z)); now the paths show y_hat - y as one factor, as Step 3 does."""
    e = explain(_saturated(), [0.0, 0.0], 0.0, loss="binary_cross_entropy", paths=["w5"])
    assert 1 - e.y_hat[0, 0] < np.finfo(np.float64).eps  # (the loss clips it)
    text = e.to_text()
    step1 = next(ln for ln in text.splitlines() if ln.startswith("Step 1."))
    assert f"= {fmt(e.dL_dyhat[0, 0], 3)} (" in step1 and "4.50e+15" in step1
    assert "so this times g′(z₃) is not ∂L/∂z₃" in step1 and "ŷ − y" in step1
    assert "9.01e+15" not in text
    p = e.paths("w5")
    for term in p.terms:
        assert term[0][0] == "(y_hat - y)" and term[0][1] == e.dL_dZ[-1][0, 0]
        assert all(v != pytest.approx(9.007e15, rel=1e-3) for _, v in term)
    assert sum(math.prod(v for _, v in t) for t in p.terms) == pytest.approx(p.value, rel=1e-12)
    assert "∂L/∂w₅ = (ŷ − y) a₁" in text


def test_an_unclipped_sigmoid_output_keeps_its_two_factors():
    net = _saturated()
    net.layers[2].b.data[:] = [-30]  # z3 = -3.5: nothing clipped
    e = explain(net, [0.0, 0.0], 0.0, loss="binary_cross_entropy")
    (t,) = e.paths("w5").terms
    assert [s for s, _ in t] == ["(y_hat - y) / (y_hat (1 - y_hat))", "g'(z3)", "a1"]
    assert t[0][1] == pytest.approx(e.dL_dyhat[0, 0], rel=1e-12)


# ------------------------------------------------------------------ 7. the graph's labels
def _texts(svg: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r">([^<>]+)</text>", svg)]


def test_the_lectures_loss_node_reads_its_formula_not_x():
    """docs/lecture.md §9's L = 0.5 (ŷ − 1)² read '= 0.500 x', x as if the data input."""
    F = gn.functional
    z3 = gn.Tensor(0.036, requires_grad=True, label="z3", dtype=np.float64)
    y_hat = F.sigmoid(z3).named("y_hat")
    L = (0.5 * (y_hat - 1.0) ** 2).named("L")
    L.backward()
    for backward in (False, True):
        texts = _texts(viz.draw_graph(L, backward=backward))
        assert texts[texts.index("L") + 1] == "= 0.500 (ŷ − 1)²"
        assert "= 0.500 x" not in texts
    # an unnamed product of a power: no doubled parentheses
    assert viz.graph.expression(0.5 * (y_hat - 1.0) ** 2) == "0.500 (ŷ − 1)²"


def test_a_named_nodes_arithmetic_on_a_long_formula_names_it_neutrally_not_x():
    F = gn.functional
    z = gn.Tensor(0.036, requires_grad=True, label="z3", dtype=np.float64)
    deep = ((F.sigmoid(z) * 2.0 + 1.0).exp() - 1.0).log()  # too deep to write out
    L = (0.5 * deep**2).named("L")
    L.backward()
    texts = _texts(viz.draw_graph(L, backward=True))
    assert texts[texts.index("L") + 1] == "= 0.500 …"
    assert "log #2" in texts and "1/#2" in texts  # (a computed argument: its node's number)
    # the data: a leaf input is still x
    x = gn.Tensor(np.ones((3, 2)), requires_grad=True, dtype=np.float64)
    texts = _texts(viz.draw_graph((0.5 * x).named("h"), backward=True))
    assert texts[:1] == ["x"] and texts[texts.index("h") + 1] == "= 0.500 x"  # (its constant)


def test_a_power_of_a_power_keeps_each_exponent_apart():
    """((ŷ − 1)⁻¹)² printed (ŷ − 1)⁻¹², which reads as the power −12; (ŷ²)² printed ŷ²²."""
    F = gn.functional
    z3 = gn.Tensor(0.036, requires_grad=True, label="z3", dtype=np.float64)
    y_hat = F.sigmoid(z3).named("y_hat")
    ex = viz.graph.expression
    assert ex(((y_hat - 1.0) ** -1) ** 2) == "((ŷ − 1)⁻¹)²"
    assert ex(((y_hat - 1.0) ** 2) ** 3) == "((ŷ − 1)²)³"
    assert ex((y_hat**2) ** 2) == "(ŷ²)²"
    assert ex(0.5 * (y_hat - 1.0) ** 2) == "0.500 (ŷ − 1)²"  # (one power: as before)
    L = (((y_hat - 1.0) ** -1) ** 2).named("L")
    L.backward()
    texts = _texts(viz.draw_graph(L, backward=True))
    assert texts[texts.index("L") + 1] == "= ((ŷ − 1)⁻¹)²"
    assert not any("⁻¹²" in t or "²²" in t for t in texts)


def _lecture_z3(F):
    x1 = gn.Tensor(1.0, requires_grad=True, label="x1", dtype=np.float64)
    x2 = gn.Tensor(0.5, requires_grad=True, label="x2", dtype=np.float64)
    w = [
        gn.Tensor(v, requires_grad=True, label=f"w{i + 1}", dtype=np.float64)
        for i, v in enumerate([0.5, -0.3, 0.8, 0.2, 1.0, -1.5])
    ]
    a1 = F.sigmoid((w[0] * x1 + w[2] * x2).named("z1")).named("a1")
    a2 = F.sigmoid((w[1] * x1 + w[3] * x2).named("z2")).named("a2")
    return w, a1, a2


def test_a_named_nodes_formula_too_long_to_fill_in_reads_with_a_stand_in_not_its_op():
    """L = 0.5 (σ(z₃) − 1)² with ŷ unnamed: filled in, 0.500 (σ(z₃) − 1)² is too long; it
    fell back to 'op × (mul)' (it read '= 0.500 x'), now '= 0.500 …'."""
    F = gn.functional
    w, a1, a2 = _lecture_z3(F)
    z3 = (w[4] * a1 + w[5] * a2).named("z3")
    L = (0.5 * (F.sigmoid(z3) - 1.0) ** 2).named("L")
    L.backward()
    for backward in (False, True):
        texts = _texts(viz.draw_graph(L, backward=backward))
        assert texts[texts.index("L") + 1] == "= 0.500 …"
        assert "op × (mul)" not in texts


def test_an_unnamed_nodes_title_names_a_computed_input_x_within_the_title_limit():
    """The unnamed − 1 node of (w₅ a₁ + w₆ a₂ − 1)² was titled '(w₅ a₁ + w₆ a₂) − 1', 19
    characters, past the title's limit; it reads '#1 − 1' (it read 'x − 1', x the sum),
    the sum's node numbered #1."""
    F = gn.functional
    w, a1, a2 = _lecture_z3(F)
    L = ((w[4] * a1 + w[5] * a2 - 1.0) ** 2).named("L")
    L.backward()
    for backward in (False, True):
        texts = _texts(viz.draw_graph(L, backward=backward))
        assert "#1 − 1" in texts and "(w₅ a₁ + w₆ a₂) − 1" not in texts
        assert texts[texts.index("L") + 1] == "= (…)²"


def test_a_clipped_weighted_output_names_the_weighted_dl_dz_and_whose_backward_pass():
    """With a sample weight, Step 1 said dL/dz = y_hat - y 'as Step 3 and the paths show'
    while they show s (ŷ − y); and it did not say whose backward pass (autograd's
    binary_cross_entropy on the clipped ŷ, then .backward(), gives dL/dz 0.5, not 1)."""
    e = explain(_saturated(), [0.0, 0.0], 0.0, loss="binary_cross_entropy", sample_weight=[3.0])
    step1 = next(ln for ln in e.to_text().splitlines() if ln.startswith("Step 1."))
    assert "∂L/∂z₃ = s (ŷ − y) straight from the sum" in step1
    assert "fit's backward pass (glassnet's fast path, on the logits)" in step1
    assert e.paths("w5").terms[0][0][0] == "s (y_hat - y)"
    e = explain(_saturated(), [0.0, 0.0], 0.0, loss="binary_cross_entropy")
    step1 = next(ln for ln in e.to_text().splitlines() if ln.startswith("Step 1."))
    assert "∂L/∂z₃ = ŷ − y straight from the sum" in step1
    F = gn.functional  # what a student's .backward() gives: other numbers, as it says
    z = gn.Tensor(np.array([[float(e.Z[-1][0, 0])]]), requires_grad=True, dtype=np.float64)
    F.binary_cross_entropy(F.sigmoid(z), np.array([[0.0]])).backward()
    assert z.grad[0, 0] != pytest.approx(e.dL_dZ[-1][0, 0])
    assert "then .backward(), gives other numbers here" in step1
