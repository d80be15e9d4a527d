"""glassnet.exercises: seeded sheets, keys checked against the autodiff, the checker, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet import exercises as X
from glassnet import functional as F
from glassnet.cli import main

SEEDS = [0, 1, 7, 123, 2024]


def values(ex: X.Exercise) -> dict[str, object]:
    return {s.id: s.value for s in ex.steps}


# ------------------------------------------------------------------ the keys' numbers
def autodiff_network(W, b, x, y=None):
    """The exercise's 2-2-1 network (ReLU hidden, identity output) from scalar Tensors;
    returns the named nodes and, with a target, the leaves after L.backward()."""
    T = lambda v: gn.Tensor(float(v), requires_grad=True, dtype=np.float64)  # noqa: E731
    xs = [T(v) for v in x]
    W1 = [[T(v) for v in row] for row in W[0]]
    b1 = [T(v) for v in b[0]]
    W2 = [[T(v) for v in row] for row in W[1]]
    b2 = T(b[1][0])
    z = [b1[k] + W1[0][k] * xs[0] + W1[1][k] * xs[1] for k in range(2)]
    for t in z:
        t.retain_grad()
    a = [F.relu(t).retain_grad() for t in z]
    z3 = (b2 + W2[0][0] * a[0] + W2[1][0] * a[1]).retain_grad()
    nodes = {"z1": z[0], "z2": z[1], "a1": a[0], "a2": a[1], "z3": z3, "y_hat": z3}
    if y is not None:
        L = F.mse(z3, float(y), half=True)
        L.backward()
        nodes["L"] = L
        leaves = {"w1": W1[0][0], "w2": W1[0][1], "w3": W1[1][0], "w4": W1[1][1]}
        leaves |= {"w5": W2[0][0], "w6": W2[1][0], "b1": b1[0], "b2": b1[1], "b3": b2}
        nodes["leaves"] = leaves
    return nodes


@pytest.mark.parametrize("seed", SEEDS)
def test_forward_key_is_the_autodiffs(seed: int) -> None:
    ex = X.generate(seed, ["forward"])[0]
    nodes = autodiff_network(ex.data["W"], ex.data["b"], ex.data["x"])
    key = values(ex)
    assert set(key) == {"z1", "z2", "a1", "a2", "z3", "y_hat"}
    for name, v in key.items():
        assert v == pytest.approx(float(nodes[name].data), abs=1e-12), name


@pytest.mark.parametrize("seed", SEEDS)
def test_backprop_key_is_the_autodiffs(seed: int) -> None:
    ex = X.generate(seed, ["backprop"])[0]
    d = ex.data
    nodes = autodiff_network(d["W"], d["b"], d["x"], d["y"])
    key = values(ex)
    assert key["L"] == pytest.approx(float(nodes["L"].data), abs=1e-12)
    assert key["dL/dy_hat"] == pytest.approx(float(nodes["z3"].grad), abs=1e-12)
    for n in ("z1", "z2", "z3", "a1", "a2"):
        assert key[f"dL/d{n}"] == pytest.approx(float(nodes[n].grad), abs=1e-12), n
    for name, leaf in nodes["leaves"].items():
        assert key[f"dL/d{name}"] == pytest.approx(float(leaf.grad), abs=1e-12), name
    for n in ("z1", "z2"):  # ReLU's g'(z): 1 where z > 0 (never exactly 0 in a sheet)
        z = float(nodes[n].data)
        assert z != 0 and key[f"g'({n})"] == (1.0 if z > 0 else 0.0)
    assert key["g'(z3)"] == 1.0
    # every dL/dw is asked for, in the slides' order: deltas before weight gradients
    ids = [s.id for s in ex.steps]
    assert ids.index("dL/dz1") < ids.index("dL/dw1") and ids.index("dL/dz3") < ids.index("dL/dz1")
    assert {f"dL/dw{i}" for i in range(1, 7)} <= set(ids)


@pytest.mark.parametrize("seed", SEEDS)
def test_gradient_step_key_is_the_autodiffs(seed: int) -> None:
    ex = X.generate(seed, ["gd_step"])[0]
    d = ex.data
    w = [gn.Tensor(v, requires_grad=True, dtype=np.float64) for v in (*d["w"], d["w0"])]
    z = w[2] + w[0] * d["x"][0] + w[1] * d["x"][1]
    L = F.mse(z, d["y"], half=True)
    L.backward()
    key = values(ex)
    assert key["z"] == pytest.approx(float(z.data)) and key["L"] == pytest.approx(float(L.data))
    for name, t, v in zip(("w1", "w2", "w0"), w, (*d["w"], d["w0"])):
        assert key[f"dL/d{name}"] == pytest.approx(float(t.grad), abs=1e-12)
        assert key[f"new {name}"] == pytest.approx(v - d["lr"] * float(t.grad), abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_softmax_key_is_the_autodiffs(seed: int) -> None:
    ex = X.generate(seed, ["softmax"])[0]
    logits, label = np.array(ex.data["logits"]), ex.data["label"]
    z = gn.Tensor(logits.reshape(1, 3), requires_grad=True, dtype=np.float64)
    L = F.cross_entropy(z, np.array([label]))
    L.backward()
    key = values(ex)
    p = np.exp(logits) / np.exp(logits).sum()  # the lecture's definition, independently
    for k in range(3):
        assert key[f"e^z{k + 1}"] == pytest.approx(np.exp(logits[k]))
        assert key[f"y_hat{k + 1}"] == pytest.approx(p[k])
        assert key[f"dL/dz{k + 1}"] == pytest.approx(float(z.grad[0, k]), abs=1e-12)
    assert key["L"] == pytest.approx(-np.log(p[label])) and key["L"] == pytest.approx(float(L.data))


@pytest.mark.parametrize("seed", SEEDS)
def test_one_hot_and_separable_keys(seed: int) -> None:
    oh, sep = X.generate(seed, ["one_hot", "separable"])
    classes, labels = oh.data["classes"], oh.data["labels"]
    for n, lab in enumerate(labels):
        row = values(oh)[f"row{n + 1}"]
        assert row == [1.0 if c == lab else 0.0 for c in classes]  # the user's class order
    gate = sep.data["gate"]
    key = values(sep)
    separable = gate not in ([0, 1, 1, 0], [1, 0, 0, 1])  # XOR and XNOR are the two that are not
    assert key["separable"] == float(separable)
    if separable:
        w1, w2, w0 = key["weights"]
        out = [int(w0 + w1 * a + w2 * b > 0) for a, b in ((0, 0), (0, 1), (1, 0), (1, 1))]
        assert out == gate


def test_given_numbers_are_computable_by_hand() -> None:
    for seed in range(30):
        for ex in X.generate(seed):
            d = ex.data
            given = []
            if ex.kind in ("forward", "backprop"):
                given = [v for W in d["W"] for row in W for v in row] + sum(d["b"], []) + d["x"]
                given += [d["y"]] if "y" in d else []
            elif ex.kind == "gd_step":
                given = [*d["w"], d["w0"], *d["x"], d["y"]]
            elif ex.kind == "softmax":
                given = d["logits"]
            for v in given:  # small integers or one decimal
                assert abs(v) <= 5 and round(v * 10) == pytest.approx(v * 10), (ex.kind, v)


def test_key_shows_a_short_exact_answer_exactly_not_rounded_half_to_even() -> None:
    # seed 5: new w2 = -1 - 0.05 * 1.25 = -1.0625; 3 decimals would print -1.062 here
    # but 2.888 for 2.8875 (the float's own tie-breaking): the key shows it exactly
    step = {s.id: s for s in X.generate(5, ["gd_step"])[0].steps}["new w2"]
    assert step.value == -1.0625
    assert "| -1.0625 |" in X.to_markdown(X.generate(5, ["gd_step"]), 5, key=True)
    for seed in range(60):
        for ex in X.generate(seed, ["gd_step", "backprop"]):
            for s in ex.steps:
                if round(s.value, 4) == s.value:  # a decimal of at most 4 places
                    assert float(X._num(s.value)) == s.value, (seed, s.id, s.value)


def test_softmax_question_says_which_logarithm() -> None:
    # L = -log(y_hat) is the key's natural log; a student with log10 gets another number
    ex = X.generate(3, ["softmax"])[0]
    text = " ".join(body for kind, body in ex.question if kind == "p")
    assert "natural logarithm" in text
    L = {s.id: s.value for s in ex.steps}["L"]
    p = np.exp(ex.data["logits"]) / np.exp(ex.data["logits"]).sum()
    assert L == pytest.approx(-np.log(p[ex.data["label"]]), abs=1e-12)


# ------------------------------------------------------------------------- the files
def test_same_seed_same_bytes_other_seed_other_files(tmp_path: Path) -> None:
    a, b, c = (X.write(s, tmp_path / n) for s, n in ((5, "a"), (5, "b"), (6, "c")))
    assert sorted(a) == [
        "answers.html",
        "answers.md",
        "answers_template.txt",
        "key.json",
        "questions.html",
        "questions.md",
    ]
    for name in a:
        assert a[name].read_bytes() == b[name].read_bytes(), name
    for name in ("questions.md", "questions.html", "answers.md", "key.json"):
        assert a[name].read_bytes() != c[name].read_bytes(), name
    md = a["questions.md"].read_text()
    assert r"$\hat{y}$" in md and "## 2. Backpropagation" in md
    assert "1.z1" in md and "Answer ids" in md
    key_md = a["answers.md"].read_text()
    assert r"\frac{\partial L}{\partial w_{1}}" in key_md
    html = a["answers.html"].read_text()
    assert html.startswith("<!DOCTYPE html>") and "∂L/∂w₁" in html and "$" not in html
    # the question sheet holds no answer: no value of the key's backprop gradients
    assert "dL/dw1 =" not in md


def test_check_grades_and_names_the_first_wrong_step(tmp_path: Path) -> None:
    X.write(11, tmp_path)
    key = json.loads((tmp_path / "key.json").read_text())
    lines = []
    for ex in key["exercises"]:
        for s in ex["steps"]:
            if s["value"] is None:
                continue
            v = s["value"]
            text = json.dumps(v) if isinstance(v, list) else round(v, 3)
            lines.append(f"{ex['number']}.{s['id']} = {text}")
    good = tmp_path / "good.txt"
    good.write_text("\n".join(lines) + "\n")
    res = X.check(tmp_path / "key.json", good)
    assert res.passed and res.right == res.total
    # two wrong steps in exercise 2: the first one is named
    bp = next(ex for ex in key["exercises"] if ex["kind"] == "backprop")
    ids = [s["id"] for s in bp["steps"]]
    bad_lines = [
        ln + " # wrong" if ln.startswith((f"2.{ids[4]} ", f"2.{ids[8]} ")) else ln for ln in lines
    ]
    bad_lines = [(ln.split("=")[0] + "= 99") if ln.endswith("# wrong") else ln for ln in bad_lines]
    bad = tmp_path / "bad.txt"
    bad.write_text("\n".join(bad_lines) + "\n")
    res = X.check(tmp_path / "key.json", bad)
    assert res.right == res.total - 2
    assert res.first_wrong[2].startswith(f"2.{ids[4]} = 99, expected")
    assert "first wrong step: 2." + ids[4] in str(res)
    # within the tolerance: an answer off by 0.004 is right, by 0.02 wrong
    off = [ln for ln in lines if ln.startswith("1.z1 ")][0]
    v = float(off.split("=")[1])
    for delta, right in ((0.004, True), (0.02, False)):
        f = tmp_path / "tol.txt"
        f.write_text("\n".join(ln if ln != off else f"1.z1 = {v + delta}" for ln in lines))
        assert X.check(tmp_path / "key.json", f).passed is right


def test_check_accepts_any_separating_weights(tmp_path: Path) -> None:
    seed = next(
        s for s in range(100) if X.generate(s, ["separable"])[0].data["gate"] == [0, 0, 0, 1]
    )
    X.write(seed, tmp_path, ["separable"])
    f = tmp_path / "a.txt"
    f.write_text("1.separable = 1\n1.weights = [2, 2, -3]\n")  # AND, other weights than the key's
    assert X.check(tmp_path / "key.json", f).passed
    f.write_text("1.separable = 1\n1.weights = [1, 1, -0.5]\n")  # that is OR
    res = X.check(tmp_path / "key.json", f)
    assert not res.passed and "does not compute the gate" in res.first_wrong[1]
    xor = next(
        s for s in range(100) if X.generate(s, ["separable"])[0].data["gate"] == [0, 1, 1, 0]
    )
    X.write(xor, tmp_path / "x", ["separable"])
    f.write_text("1.separable = 0\n")
    assert X.check(tmp_path / "x" / "key.json", f).passed
    f.write_text("1.separable = 0\n1.weights = [1, 1, 0]\n")
    assert "no weights exist" in X.check(tmp_path / "x" / "key.json", f).first_wrong[1]


def test_cli_writes_and_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sheet"
    assert main(["exercise", "--seed", "3", "--out", str(out)]) == 0
    assert (out / "questions.md").read_bytes() == X.to_markdown(X.generate(3), 3).encode() + b""
    tpl = out / "answers_template.txt"
    assert (
        main(["exercise", "check", str(out / "key.json"), str(tpl)]) == 3
    )  # (some wrong: 3 since round 19)
    assert "total: " in capsys.readouterr().out
    assert main(["exercise", "check", str(tpl), str(tpl)]) == 2  # key and answers swapped
    assert "not a key.json" in capsys.readouterr().err
    assert main(["exercise", "--kinds", "softmax,bogus", "--out", str(out)]) == 2


def test_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'seed'"):
        X.generate(-1)
    with pytest.raises(ValueError, match="kinds"):
        X.generate(0, ["forward", "integral"])
    bad = tmp_path / "a.txt"
    bad.write_text("1.z1 2\n")
    X.write(0, tmp_path / "k")
    with pytest.raises(ValueError, match="line 1"):
        X.check(tmp_path / "k" / "key.json", bad)
    bad.write_text("1.z1 = two\n")
    with pytest.raises(ValueError, match="not a number"):
        X.read_answers(bad)
    assert "not a number" in X.check(tmp_path / "k" / "key.json", bad).first_wrong[1]
    with pytest.raises(ValueError, match="'tol'"):
        X.check(tmp_path / "k" / "key.json", bad, tol=-1)


# ------------------------------------------------------------------ bad input, clear words
def test_check_says_which_file_is_not_utf8(tmp_path: Path, capsys) -> None:
    X.write(0, tmp_path / "k")
    key = tmp_path / "k" / "key.json"
    latin = tmp_path / "answers.txt"
    latin.write_bytes("1.z1 = 2 # r\xe9ponse\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"answers file .*answers\.txt.* is not UTF-8 text"):
        X.check(key, latin)
    assert main(["exercise", "check", str(key), str(latin)]) == 2
    err = capsys.readouterr().err
    assert "answers.txt' is not UTF-8 text (byte 12 is 0xe9)" in err and "save it as UTF-8" in err
    assert "codec" not in err
    utf16 = tmp_path / "key16.json"
    utf16.write_bytes(key.read_text(encoding="utf-8").encode("utf-16"))
    assert main(["exercise", "check", str(utf16), str(latin)]) == 2
    err = capsys.readouterr().err
    assert "the key '" in err and "key16.json' is UTF-16 text, not UTF-8" in err
    assert "give the key.json that 'glassnet exercise' wrote" in err


def test_answers_with_a_byte_order_mark_are_graded_from_the_first_line(tmp_path: Path) -> None:
    X.write(0, tmp_path / "k")
    key = tmp_path / "k" / "key.json"
    z1 = X.generate(0)[0].steps[0]
    assert z1.id == "z1"
    answers = tmp_path / "a.txt"
    answers.write_text(f"1.z1 = {z1.value}\n", encoding="utf-8-sig")  # (Notepad's UTF-8)
    assert X.read_answers(answers) == {"1.z1": z1.value}
    assert "1. Forward pass: 1/" in str(X.check(key, answers))


def test_exercise_paths_that_cannot_be_used_say_what_to_do(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "k"
    X.write(0, folder)
    tpl = folder / "answers_template.txt"
    assert main(["exercise", "--out", "/proc/glassnet-sheet"]) == 2
    err = capsys.readouterr().err
    assert "--out: cannot create the folder '/proc/glassnet-sheet'" in err
    assert "choose a folder in a place you can write to" in err
    assert main(["exercise", "--out", str(tpl)]) == 2
    assert "--out must be a folder" in (err := capsys.readouterr().err)
    assert "Give the name of a folder (it is created if it does not exist)" in err
    assert main(["exercise", "check", str(folder), str(tpl)]) == 2
    err = capsys.readouterr().err
    assert "the key '" in err and "is a folder, not a file; give the key.json in it" in err
    assert main(["exercise", "check", str(folder / "key.json"), str(folder)]) == 2
    err = capsys.readouterr().err
    assert "the answers file '" in err and "is a folder, not a file; give a text file" in err
    assert main(["exercise", "check", str(folder / "key.json"), str(tmp_path / "no.txt")]) == 2
    err = capsys.readouterr().err
    assert "no.txt' does not exist (the working directory is" in err and "check the path" in err


@pytest.mark.parametrize("tol", ["nan", "inf", "-0.5"])
def test_tol_is_checked_where_the_command_line_reads_it(tmp_path: Path, capsys, tol) -> None:
    out = tmp_path / "sheet"
    assert main(["exercise", "--out", str(out), "--tol", tol]) == 2
    err = capsys.readouterr().err
    assert "--tol must be a finite number >= 0" in err and f"Got {float(tol)!r}" in err
    assert not out.exists()  # refused before anything was written
    X.write(0, out)
    key, tpl = out / "key.json", out / "answers_template.txt"
    assert main(["exercise", "check", str(key), str(tpl), "--tol", tol]) == 2
    assert "--tol must be a finite number >= 0" in capsys.readouterr().err


def test_tol_when_writing_a_sheet_is_not_silently_ignored(tmp_path: Path, capsys) -> None:
    assert main(["exercise", "--out", str(tmp_path / "s"), "--tol", "0.1"]) == 0
    err = capsys.readouterr().err
    assert "--tol 0.1 is used by 'glassnet exercise check' only" in err
    assert main(["exercise", "--out", str(tmp_path / "s")]) == 0
    assert capsys.readouterr().err == ""


def test_options_of_the_sheet_given_to_check_are_not_silently_ignored(
    tmp_path: Path, capsys
) -> None:
    assert main(["exercise", "--seed", "3", "--out", str(tmp_path / "s")]) == 0
    key = tmp_path / "s" / "key.json"
    answers = tmp_path / "answers.txt"
    answers.write_text("")
    capsys.readouterr()
    main(["exercise", "check", str(key), str(answers), "--seed", "4", "--kinds", "softmax"])
    err = capsys.readouterr().err
    assert "--seed, --kinds are used when writing a sheet only" in err
    assert "grades the answers against the key file as it is" in err
    main(["exercise", "check", str(key), str(answers)])
    assert "used when writing a sheet only" not in capsys.readouterr().err
