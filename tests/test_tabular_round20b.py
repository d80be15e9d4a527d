"""Tabular data through load_pipeline, onnx.feeds, fit_many, the CLI's labels and the
estimators (round 20b)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from cli_helpers import FAST, run, write_csv

from glassnet.io import load_pipeline
from glassnet.preprocessing import CategoryValues

# ---------------------- 1. a typed cell that is the value of several categories: refused


def _codes_model(tmp_path, codes: list[str]):
    rng = np.random.RandomState(1)
    rows = [[f"{x:.3f}", codes[i % len(codes)], "yes" if x > 0 else "no"]
            for i, x in enumerate(rng.randn(45))]  # fmt: skip
    data = write_csv(tmp_path / "codes.csv", ["x", "code", "label"], rows)
    return data, tmp_path / "codes.glassnet"


@pytest.mark.parametrize(
    ("codes", "cells"),
    [(["1", "01", "2"], [1, 2]), (["True", "true", "no"], [True, True])],
)
def test_pipeline_refuses_a_typed_cell_several_categories_have(capsys, tmp_path, codes, cells):
    """pandas reads '01' and '1' both as 1 ('true' and 'True' both as True): the int cell
    does not show which was written, even though str(1) is one of them."""
    data, out = _codes_model(tmp_path, codes)
    code, _, err = run(
        capsys, "train", data, "--target", "label", "--categorical", "code", *FAST,
        "--out", out,
    )  # fmt: skip
    assert code == 0, err
    p = load_pipeline(out)
    X = pd.DataFrame({"x": [0.5, -0.5], "code": cells})
    with pytest.raises(ValueError, match=r"row 0 of X's column 'code' is .*value of several"):
        p.predict(X)
    written = X.astype({"code": str}).replace({"code": {"1": "01", "True": "true"}})
    assert p.predict(written)[0] in ("yes", "no")


def test_category_values_one_matcher_for_pipeline_and_feeds() -> None:
    import glassnet.onnx as gonnx

    assert not hasattr(gonnx, "_category_index") and not hasattr(gonnx, "_same_value")
    index = CategoryValues(["1", "01", "2", "9007199254740993", "9007199254740992"])
    with pytest.raises(ValueError, match=r"'1', '01'"):
        index.category_of(1, "here")
    assert index.category_of(np.int64(2), "here") == "2"
    assert index.category_of(9007199254740993, "here") == "9007199254740993"
    with pytest.raises(ValueError, match="value of several"):  # (float64 merges the two)
        index.category_of(9007199254740992.0, "here")
    assert index.category_of(9007199254740992, "here") == "9007199254740992"  # (int: exact)
    comma = CategoryValues(["1,5", "x"], decimal=",")
    assert comma.category_of(1.5, "here") == "1,5"


# --------------------------- 2. fit_many(threads='auto') whatever the machine's load


def _stack_bits(threads) -> bytes:
    import glassnet as gn
    from glassnet.many import fit_many

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(256, 784)), rng.normal(size=(256, 1))
    models = []
    for k in range(4):
        m = gn.nn.Sequential(gn.nn.Linear(784, 100), gn.nn.ReLU(), gn.nn.Linear(100, 1))
        r = np.random.default_rng(k)
        for q in m.parameters():
            q.data[...] = r.normal(size=q.data.shape) * 0.05
        models.append(m)
    fit_many(models, X, y, epochs=2, batch_size=128, lr=0.01, threads=threads, seed=0)
    return b"".join(q.data.tobytes() for m in models for q in m.parameters())


def test_fit_many_auto_reads_no_load_and_gives_the_same_bits(monkeypatch) -> None:
    import glassnet.many as many
    import glassnet.threads as threads

    monkeypatch.setattr(threads, "usable_cpus", lambda: 4)
    monkeypatch.setattr(many, "usable_cpus", lambda: 4, raising=False)
    monkeypatch.setattr(threads, "busy_cpus", lambda: 0.0)
    quiet = _stack_bits("auto")

    def busy() -> float:
        raise AssertionError("threads='auto' read the load")

    monkeypatch.setattr(threads, "busy_cpus", busy)
    assert _stack_bits("auto") == quiet
    assert _stack_bits(None) == quiet
    monkeypatch.setattr(threads, "busy_cpus", lambda: 4.0)  # 'load': one share, same bits
    assert _stack_bits("load") == quiet
    assert _stack_bits(1) == quiet


# ------------- 3, 7. labels written as numbers read alike by train, evaluate, --classes


def _labels_csv(tmp_path, name: str, labels: list[str]):
    rows = [[str(i % 7), labels[i % len(labels)]] for i in range(40)]
    return write_csv(tmp_path / name, ["x", "y"], rows)


@pytest.mark.parametrize(
    "labels",
    [["1e20", "2e20"], ["12345678901234567890123", "9.0"], ["1e20", "100000000000000000001"]],
)
def test_labels_beyond_int64_evaluate_on_the_training_file(capsys, tmp_path, labels) -> None:
    data = _labels_csv(tmp_path, "big.csv", labels)
    model = tmp_path / "big.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "y", "--task", "multiclass", *FAST,
                       "--out", model)  # fmt: skip
    assert code == 0, err
    code, out, err = run(capsys, "evaluate", model, data)
    assert code == 0, err
    assert "accuracy" in out
    shown = ",".join(reversed(labels))
    code, _, err = run(capsys, "train", data, "--target", "y", "--task", "multiclass", *FAST,
                       "--classes", shown, "--out", tmp_path / "c.glassnet")  # fmt: skip
    assert code == 0, err


def test_labels_that_float64_would_merge_are_digits_read_by_their_number(capsys, tmp_path):
    data = _labels_csv(tmp_path, "merge.csv", ["100000000000000000000", "100000000000000000001"])
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "y", "--task", "multiclass", *FAST,
                       "--out", model)  # fmt: skip
    assert code == 0, err
    spelled = _labels_csv(tmp_path, "spelled.csv", ["1e20", "100000000000000000001.0"])
    code, out, err = run(capsys, "evaluate", model, spelled)
    assert code == 0, err
    listed = "100000000000000000001,1e20"
    code, _, err = run(capsys, "train", data, "--target", "y", "--task", "multiclass", *FAST,
                       "--classes", listed, "--out", tmp_path / "c.glassnet")  # fmt: skip
    assert code == 0, err


def test_classes_accept_digits_grouped_by_underscores(capsys, tmp_path) -> None:
    data = _labels_csv(tmp_path, "k.csv", ["5", "1000"])
    code, _, err = run(capsys, "train", data, "--target", "y", "--task", "multiclass", *FAST,
                       "--classes", "5,1_000", "--out", tmp_path / "k.glassnet")  # fmt: skip
    assert code == 0, err


def test_evaluate_reads_small_whole_labels_without_decimal(monkeypatch) -> None:
    import glassnet.cli as cli

    assert cli._whole_number("123") == 123 and cli._whole_number("-7") == -7
    assert cli._whole_number("9007199254740993") == 9007199254740993
    assert (
        cli._whole_number("1_000") is None and cli._whole_number("1_000", underscores=True) == 1000
    )
    import decimal

    class NoDecimal:
        def __init__(self, *a):
            raise AssertionError("Decimal used for a plain integer")

    monkeypatch.setattr(decimal, "Decimal", NoDecimal)
    assert cli._whole_number("42") == 42


# ------------------------- 5. a regressor's y of date or duration objects: refused by name


def _time_objects() -> list[object]:
    import datetime

    d = pd.date_range("2020-01-01", periods=6)
    return [
        np.array(list(d.values), dtype=object),
        np.array([np.timedelta64(i, "D") for i in range(6)], dtype=object),
        [[1.0, x] for x in d.values],
        pd.Series(list(d), dtype=object),
        [datetime.datetime(2020, 1, i + 1) for i in range(6)],
        [datetime.timedelta(days=i) for i in range(6)],
        [1.0, 2.0, np.datetime64("2020-01-01"), 3.0, 4.0, 5.0],
    ]


@pytest.mark.parametrize("k", range(7))
def test_regressor_refuses_date_and_duration_objects_by_name(k: int) -> None:
    from glassnet.sklearn import MLPRegressor

    X = np.arange(12.0).reshape(6, 2)
    reg = MLPRegressor(hidden_layer_sizes=(2,), max_iter=2, random_state=0)
    with pytest.raises(ValueError, match=r"y holds (dates|durations) \(objects: "):
        reg.fit(X, _time_objects()[k])
    assert not hasattr(reg, "coefs_")


# --------------------------------- 8. --threads refused by its own name, before training


def test_threads_flag_above_the_blas_maximum_names_the_flag(capsys, tmp_path) -> None:
    data = _labels_csv(tmp_path, "t.csv", ["0", "1"])
    code, out, err = run(capsys, "train", data, "--target", "y", *FAST, "--threads", "99999",
                         "--out", tmp_path / "t.glassnet")  # fmt: skip
    assert code == 2 and "--threads 99999" in err and "threads=" not in err, err
    assert "training" not in out, out


def test_threads_flag_without_threadpoolctl_refused_before_training(capsys, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # (import raises ImportError)
    data = _labels_csv(tmp_path, "t.csv", ["0", "1"])
    code, out, err = run(capsys, "train", data, "--target", "y", *FAST, "--threads", "2",
                         "--out", tmp_path / "t.glassnet")  # fmt: skip
    assert code == 2 and "--threads 2" in err and "threadpoolctl" in err, err
    assert "threads=" not in err and "training" not in out, out


# -------------------- 6. docs/teaching.md names the seeds whose one-hot exercise changed


def test_teaching_page_names_the_seeds_whose_one_hot_exercise_changed() -> None:
    import re
    from pathlib import Path

    from glassnet import exercises as ex

    text = " ".join((Path(__file__).parent.parent / "docs" / "teaching.md").read_text().split())
    assert "byte for byte, with the same version of glassnet" in text
    m = re.search(r"changed the one-hot exercise \(only it\) of (\d+) seeds of 0-999 from the "
                  r"earlier draw: ([\d, and]+) \(", text)  # fmt: skip
    assert m is not None
    listed = [int(s) for s in re.findall(r"\d+", m.group(2))]
    k = ex.KINDS.index("one_hot")
    redrawn = [  # (the earlier draw was each seed's own first draw)
        s for s in range(1000)
        if ex._one_hot_givens(s, [s, k]) != ex._one_hot_draw(np.random.default_rng([s, k]))
    ]  # fmt: skip
    assert listed == redrawn and int(m.group(1)) == len(redrawn)


# ------------- 4. train --stream: labels beyond int64 that float64 keeps apart are trained


@pytest.mark.parametrize("labels", [["12345678901234567890123", "9"], ["1e20", "2e20"]])
def test_stream_trains_labels_beyond_int64_that_float64_keeps_apart(capsys, tmp_path, labels):
    data = _labels_csv(tmp_path, "s.csv", labels)
    model = tmp_path / "s.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "y", "--task", "multiclass", "--stream",
                       *FAST, "--out", model)  # fmt: skip
    assert code == 0, err
    code, out, err = run(capsys, "evaluate", model, data)
    assert code == 0 and "accuracy" in out, err


def test_stream_refuses_labels_that_float64_would_merge(capsys, tmp_path) -> None:
    data = _labels_csv(tmp_path, "m.csv", ["1e20", "100000000000000000001", "3"])
    code, _, err = run(capsys, "train", data, "--target", "y", "--task", "multiclass", "--stream",
                       *FAST, "--out", tmp_path / "m.glassnet")  # fmt: skip
    assert code == 2 and "'1e20' and '100000000000000000001'" in err and "drop --stream" in err, err
