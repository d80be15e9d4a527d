"""glassnet train --classes: class labels in the user's order (the lecture's Cat, Dog,
Bird one-hot table), stored in the model file and used again by predict."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pytest

from glassnet.cli import main
from glassnet.datasets import read_csv
from glassnet.io import load_arrays, load_model
from glassnet.preprocessing import LabelEncoder, Preprocessor

FAST = ["--epochs", "30", "--hidden", "8", "--seed", "3", "-q"]


def _animals(tmp_path: Path, n: int = 90) -> Path:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 2))
    y = np.array(["Cat", "Dog", "Bird"])[np.argmax(np.c_[X, -X.sum(1)], axis=1)]
    path = tmp_path / "animals.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["x1", "x2", "animal"])
        w.writerows([[f"{a:.4f}", f"{b:.4f}", t] for (a, b), t in zip(X, y)])
    return path


def _run(capsys, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_train_classes_in_the_users_order_and_predict_uses_them(capsys, tmp_path):
    data = _animals(tmp_path)
    out = tmp_path / "m.glassnet"
    code, stdout, err = _run(
        capsys, "train", data, "--target", "animal", "--out", out, "--classes", "Cat,Dog,Bird",
        *FAST,
    )  # fmt: skip
    assert code == 0, err
    meta = load_arrays(out)[1]["meta"]
    labels = LabelEncoder.from_dict(meta["target"]["labels"])
    assert labels.classes_.tolist() == ["Cat", "Dog", "Bird"]  # not sorted
    assert labels.transform(["Cat", "Dog", "Bird"]).tolist() == [0, 1, 2]
    code, stdout, err = _run(capsys, "predict", out, data, "--proba")
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(stdout)))
    assert rows[0] == ["animal", "p(Cat)", "p(Dog)", "p(Bird)"]
    # output k is class k of the list: the prediction is the argmax column's name
    pre = Preprocessor.from_dict(meta["preprocessing"]["preprocessor"])
    P = load_model(out, network_only=True).predict(
        pre.transform(read_csv(data, target="animal")).astype(np.float32)
    )
    assert [r[0] for r in rows[1:]] == np.array(["Cat", "Dog", "Bird"])[P.argmax(1)].tolist()
    np.testing.assert_allclose(
        np.array([[float(v) for v in r[1:]] for r in rows[1:]]), P, rtol=1e-5, atol=1e-6
    )


def test_train_classes_with_numbers_and_binary(capsys, tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 2))
    y = (X[:, 0] > 0).astype(int)  # labels 0/1 in the file
    path = tmp_path / "b.csv"
    path.write_text("a,b,y\n" + "".join(f"{p:.3f},{q:.3f},{t}\n" for (p, q), t in zip(X, y)))
    out = tmp_path / "b.glassnet"
    code, stdout, err = _run(
        capsys, "train", path, "--target", "y", "--out", out, "--classes", "1,0", *FAST
    )
    assert code == 0, err
    meta = load_arrays(out)[1]["meta"]
    assert meta["task"]["name"] == "binary"
    assert LabelEncoder.from_dict(meta["target"]["labels"]).classes_.tolist() == [1, 0]


@pytest.mark.parametrize(
    "classes, extra, match",
    [
        ("Cat,Dog", [], "--classes Cat,Dog: the target 'animal' also holds 'Bird', which"),
        ("Cat,Dog,Cat", [], "--classes Cat,Dog,Cat: 'Cat' is listed twice"),
        ("Cat,,Dog,Bird", [], "--classes Cat,,Dog,Bird: an empty class name"),
        ("Cat,Dog,Bird", ["--stream"], "--classes cannot be combined with --stream"),
    ],
)
def test_train_classes_errors(capsys, tmp_path, classes, extra, match):
    data = _animals(tmp_path)
    code, _, err = _run(
        capsys, "train", data, "--target", "animal", "--out", tmp_path / "m.glassnet",
        "--classes", classes, *extra, *FAST,
    )  # fmt: skip
    assert code != 0 and re.search(match, err), err
    assert not (tmp_path / "m.glassnet").exists()


def test_train_classes_on_a_regression_target_is_refused(capsys, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("a,y\n" + "".join(f"{i / 10:.2f},{i * 0.37:.3f}\n" for i in range(40)))
    code, _, err = _run(
        capsys, "train", path, "--target", "y", "--out", tmp_path / "r.glassnet",
        "--classes", "a,b", *FAST,
    )  # fmt: skip
    assert code != 0 and "--classes names class labels" in err


def test_train_classes_say_what_is_wrong_with_the_list(capsys, tmp_path):
    """'Cat,,Dog,Bird' trained a four-class model with a class named ''; a class the data
    never holds trained an output silently; the refusals quoted LabelEncoder's parameters
    ("The 'y' parameter of LabelEncoder.fit") or int() ("invalid literal for int()")."""
    data = _animals(tmp_path)
    out = tmp_path / "m.glassnet"
    argv = ["train", data, "--target", "animal", "--out", out, *FAST]
    code, _, err = _run(capsys, *argv, "--classes", "Cat,Dog,Bird,Fish")
    assert code == 0, err
    assert "glassnet: warning: --classes Cat,Dog,Bird,Fish: 'Fish' never occur" in err
    assert (
        LabelEncoder.from_dict(load_arrays(out)[1]["meta"]["target"]["labels"]).classes_.size == 4
    )
    out.unlink()
    code, _, err = _run(capsys, *argv, "--classes", "Cat,Dog")
    assert code == 2 and "LabelEncoder" not in err and "'y' parameter" not in err, err
    numbers = tmp_path / "n.csv"
    numbers.write_text("a,y\n" + "".join(f"{i / 10:.2f},{i % 2}\n" for i in range(40)))
    code, _, err = _run(capsys, "train", numbers, "--target", "y", "--out", out,
                        "--classes", "1,x", *FAST)  # fmt: skip
    assert code == 2, err
    assert "'x' is not a whole number" in err and "(0, 1)" in err and "int()" not in err
    assert not out.exists()
