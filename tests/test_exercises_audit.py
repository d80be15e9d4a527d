"""glassnet.exercises audited: every key recomputed by hand in plain NumPy (no glassnet
code), gradients also by central differences; no exercise whose gradients are all 0;
answers and arguments of the wrong kind refused with words that name them."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from glassnet import exercises as X

AUDIT_SEEDS = range(150)
_CORNERS = np.array([(0, 0), (0, 1), (1, 0), (1, 1)], dtype=float)


def _network(d: dict) -> tuple[np.ndarray, ...]:
    """The 2-2-1 exercise network's given numbers: W1 (2, 2), b1 (2,), w2 (2,), b2, x."""
    W1, W2 = np.array(d["W"][0]), np.array(d["W"][1])
    return W1, np.array(d["b"][0]), W2[:, 0], float(d["b"][1][0]), np.array(d["x"])


def _forward_by_hand(d: dict) -> dict[str, float]:
    W1, b1, w2, b2, x = _network(d)
    z = np.array([b1[k] + W1[0, k] * x[0] + W1[1, k] * x[1] for k in range(2)])
    a = np.maximum(z, 0.0)
    z3 = b2 + w2[0] * a[0] + w2[1] * a[1]
    return {"z1": z[0], "z2": z[1], "a1": a[0], "a2": a[1], "z3": z3, "y_hat": z3}


def _backprop_by_hand(d: dict) -> dict[str, float]:
    W1, b1, w2, b2, x = _network(d)
    f = _forward_by_hand(d)
    z, a, y_hat, y = np.array([f["z1"], f["z2"]]), np.array([f["a1"], f["a2"]]), f["y_hat"], d["y"]
    dz3 = y_hat - y  # dL/dy_hat, and g'(z3) = 1 (identity)
    da = dz3 * w2
    gp = (z > 0).astype(float)  # ReLU'(z), z never 0 in a sheet
    dz = da * gp
    out = {"y_hat": y_hat, "L": 0.5 * (y_hat - y) ** 2, "dL/dy_hat": dz3, "g'(z3)": 1.0}
    out |= {"dL/dz3": dz3, "dL/da1": da[0], "dL/da2": da[1], "g'(z1)": gp[0], "g'(z2)": gp[1]}
    out |= {"dL/dz1": dz[0], "dL/dz2": dz[1], "dL/db1": dz[0], "dL/db2": dz[1], "dL/db3": dz3}
    # w1: x1 -> z1, w2: x1 -> z2, w3: x2 -> z1, w4: x2 -> z2, w5: a1 -> z3, w6: a2 -> z3
    out |= {"dL/dw1": dz[0] * x[0], "dL/dw2": dz[1] * x[0], "dL/dw3": dz[0] * x[1]}
    out |= {"dL/dw4": dz[1] * x[1], "dL/dw5": dz3 * a[0], "dL/dw6": dz3 * a[1]}
    return out


def _loss_of(d: dict, p: np.ndarray) -> float:
    """L = 1/2 (y_hat - y)^2 of the network with the parameters p = (w1..w6, b1, b2, b3)."""
    W1 = np.array([[p[0], p[1]], [p[2], p[3]]])
    a = np.maximum(d["x"] @ W1 + p[6:8], 0.0)
    return 0.5 * (a @ p[4:6] + p[8] - d["y"]) ** 2


@pytest.mark.parametrize("seed", AUDIT_SEEDS)
def test_every_key_is_the_hand_computation(seed: int) -> None:
    for ex in X.generate(seed):
        key = {s.id: s.value for s in ex.steps}
        d = ex.data
        if ex.kind == "forward":
            expected = _forward_by_hand(d)
        elif ex.kind == "backprop":
            expected = _backprop_by_hand(d)
            names = [f"dL/dw{i}" for i in range(1, 7)] + ["dL/db1", "dL/db2", "dL/db3"]
            W1, b1, w2, b2, _ = _network(d)
            p = np.concatenate([W1.ravel(), w2, b1, [b2]])
            for i, name in enumerate(names):  # central differences (L is quadratic near p)
                h = np.zeros(9)
                h[i] = 1e-6
                fd = (_loss_of(d, p + h) - _loss_of(d, p - h)) / 2e-6
                assert key[name] == pytest.approx(fd, rel=1e-5, abs=1e-6), (seed, name)
        elif ex.kind == "gd_step":
            (w1, w2), w0, (x1, x2), y, lr = d["w"], d["w0"], d["x"], d["y"], d["lr"]
            z = w0 + w1 * x1 + w2 * x2
            g = {"w1": (z - y) * x1, "w2": (z - y) * x2, "w0": z - y}
            expected = {"z": z, "y_hat": z, "L": 0.5 * (z - y) ** 2, "dL/dy_hat": z - y}
            expected |= {f"dL/d{n}": g[n] for n in g}
            expected |= {f"new {n}": v - lr * g[n] for n, v in (("w1", w1), ("w2", w2), ("w0", w0))}
        elif ex.kind == "separable":
            gate = d["gate"]
            separable = gate not in ([0, 1, 1, 0], [1, 0, 0, 1])  # XOR, XNOR
            expected = {"separable": float(separable)}
            if separable:
                w1, w2, w0 = key["weights"]
                assert ((_CORNERS @ [w1, w2] + w0 > 0).astype(int) == gate).all()
            else:
                assert key["weights"] is None
        elif ex.kind == "softmax":
            z, label = np.array(d["logits"]), d["label"]
            e = np.exp(z)
            p = e / e.sum()
            expected = {f"e^z{k + 1}": e[k] for k in range(3)} | {"sum": e.sum()}
            expected |= {f"y_hat{k + 1}": p[k] for k in range(3)}
            expected |= {"L": -math.log(p[label])}
            expected |= {f"dL/dz{k + 1}": p[k] - (k == label) for k in range(3)}
        else:
            classes = d["classes"]
            assert len(set(classes)) == len(classes)
            expected = {
                f"row{n + 1}": [1.0 if c == lab else 0.0 for c in classes]
                for n, lab in enumerate(d["labels"])
            }
        for name, v in expected.items():
            assert key[name] == pytest.approx(v, rel=1e-12, abs=1e-12), (seed, ex.kind, name)
        assert set(key) - {"weights"} == set(expected), (seed, ex.kind)


def test_no_exercise_has_all_its_gradients_zero() -> None:
    # a target equal to the output (about one sheet in 20 of each) made every gradient of
    # the backprop exercise 0 and the gradient step change nothing: nothing to practise
    for seed in range(400):
        for ex in X.generate(seed, ["backprop", "gd_step"]):
            key = {s.id: s.value for s in ex.steps}
            assert key["dL/dy_hat"] != 0 and key["L"] > 0, (seed, ex.kind)
    # the sheets the docs and tests show are the same numbers as before
    key = {s.id: s.value for s in X.generate(17, ["backprop"])[0].steps}
    assert key["dL/dz1"] == 4.5


def test_answers_in_json_are_numbers_or_vectors(tmp_path: Path) -> None:
    # {"1.z1": "x"} ended in Python's "could not convert string to float: 'x'", and a
    # JSON true was graded as the number 1
    X.write(5, tmp_path / "k")
    key = tmp_path / "k" / "key.json"
    z1 = {s.id: s.value for s in X.generate(5, ["forward"])[0].steps}["z1"]
    answers = tmp_path / "a.json"
    for bad in ("x", True, {"v": 1}, [1, "a"], [1, None], [True, 0]):
        answers.write_text(json.dumps({"1.z1": bad}))
        with pytest.raises(ValueError, match=r"the answer '1\.z1' in .*a\.json.* not a number"):
            X.read_answers(answers)
        # check grades it wrong, saying the same (and grades the other answers)
        assert re.match(
            r"1\.z1 could not be read: the answer '1\.z1' in .*a\.json.* not a number",
            X.check(key, answers).first_wrong[1],
        )
    answers.write_text(json.dumps({"1.z1": str(z1), "1.z2": None, "1.a1": " "}))
    assert X.read_answers(answers) == {"1.z1": z1}  # (empty answers are left out)
    assert X.check(key, answers).first_wrong[1].startswith("1.z2 is missing")
    text = tmp_path / "a.txt"
    text.write_text("6.row1 = [1, true, 0]\n")
    with pytest.raises(ValueError, match="line 1 .* not a number or a vector"):
        X.read_answers(text)


@pytest.mark.parametrize("kinds", [None, 3, {"forward", "softmax"}, (k for k in ["forward"])])
def test_kinds_must_be_a_kind_or_a_list_of_kinds(kinds) -> None:
    # None: "'NoneType' object is not iterable"; a set: an order that changes from run to
    # run; a generator: used up by the check, and an empty sheet came back
    with pytest.raises(TypeError, match="generate: 'kinds' must be a kind or a list of kinds"):
        X.generate(0, kinds)


@pytest.mark.parametrize("out", [None, 5, b"dir"])
def test_write_names_an_out_that_is_no_path(tmp_path: Path, out) -> None:
    # "expected str, bytes or os.PathLike object, not NoneType", naming no parameter
    with pytest.raises(TypeError, match="write: 'out' must be the path of a folder"):
        X.write(0, out)


def test_check_names_answer_ids_not_in_the_key(tmp_path: Path) -> None:
    # a misspelt id ("1.Z1", "1. z2") was dropped in silence: only "1.z1 is missing" showed
    X.write(3, tmp_path / "k")
    z1, z2, a1 = (X.generate(3, ["forward"])[0].steps[i].value for i in (0, 1, 2))
    answers = tmp_path / "a.txt"
    answers.write_text(f"1.Z1 = {z1}\n1. z2 = {z2}\n1.a1 = {a1}\n")
    result = X.check(tmp_path / "k" / "key.json", answers)
    assert result.right == 1  # 1.a1
    assert result.lines[-1] == (
        "not graded: 1.Z1 (write 1.z1), 1. z2 (write 1.z2) (no such answer id in the key; "
        "the ids are those of answers_template.txt)"
    )
    answers.write_text(f"1.a1 = {a1}\n")
    assert "not graded" not in str(X.check(tmp_path / "k" / "key.json", answers))


def test_a_kind_asked_for_twice_gives_two_exercises() -> None:
    # ["forward", "forward"] gave the same exercise twice, numbered 1 and 2
    for seed in range(20):
        sheet = X.generate(seed, ["forward", "softmax", "forward", "forward"])
        datas = [json.dumps(ex.data) for ex in sheet if ex.kind == "forward"]
        assert len(set(datas)) == 3, seed
        assert [ex.number for ex in sheet] == [1, 2, 3, 4]
        # the first of each kind keeps the numbers of the full sheet
        full = X.generate(seed)
        assert sheet[0].steps == full[0].steps and sheet[1].steps == full[4].steps
