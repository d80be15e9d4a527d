"""Tests for glassnet.cli: the `glassnet` command, run in-process with main([...])."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import warnings
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import assert_one_line_error, run, write_csv

import glassnet as gn
from glassnet import cli
from glassnet.cli import classification_metrics, main, regression_metrics
from glassnet.datasets import make_moons, read_csv
from glassnet.io import ModelFileError, load_arrays, load_checkpoint, load_model, save_model
from glassnet.preprocessing import LabelEncoder, Preprocessor, StandardScaler
from glassnet.train import Callback

SUBCOMMANDS = ("demo", "train", "predict", "evaluate", "explain", "info", "jit")
FAST = ["--epochs", "8", "--hidden", "8", "--seed", "3", "-q"]


# ----------------------------------------------------------------------------- helpers


def moons_rows(n: int = 120, seed: int = 0) -> list[list[object]]:
    """Two moons plus a categorical column; labels are words."""
    X, y = make_moons(n, noise=0.15, seed=seed)
    rng = np.random.default_rng(seed)
    colors = rng.choice(["red", "green", "blue"], size=n)
    return [
        [f"{a:.4f}", f"{b:.4f}", c, "right" if t else "left"] for (a, b), c, t in zip(X, colors, y)
    ]


@pytest.fixture
def moons_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "moons.csv", ["x1", "x2", "color", "side"], moons_rows())


@pytest.fixture
def reg_csv(tmp_path: Path) -> Path:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(150, 3))
    y = 50 + 20 * X[:, 0] - 10 * X[:, 1] ** 2 + rng.normal(scale=0.5, size=150)
    rows = [[f"{a:.5f}", f"{b:.5f}", f"{c:.5f}", f"{t:.5f}"] for (a, b, c), t in zip(X, y)]
    return write_csv(tmp_path / "reg.csv", ["a", "b", "c", "price"], rows)


def train(capsys, data: Path, target: str, out: Path, *extra: object) -> str:
    fast = list(FAST)
    for flag in ("--epochs", "--hidden", "--seed"):  # (given twice, the last one counts and
        if flag in extra:  # a warning says so: FAST's is left out)
            del fast[fast.index(flag) : fast.index(flag) + 2]
    code, stdout, err = run(capsys, "train", data, "--target", target, "--out", out, *fast, *extra)
    assert code == 0, err
    # (a run on noise may be warned about its held-out score; nothing else goes to stderr)
    assert all(line.startswith("glassnet: warning: the held-out") for line in err.splitlines())
    return stdout


def model_meta(path: Path) -> dict:
    return load_arrays(path)[1]["meta"]


def read_pred_csv(text: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


# ----------------------------------------------------------------------------- help


def test_help_lists_every_subcommand(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for sub in SUBCOMMANDS:
        assert sub in out


@pytest.mark.parametrize("sub", SUBCOMMANDS)
def test_every_subcommand_has_help(capsys, sub):
    code, out, _ = run(capsys, sub, "--help")
    assert code == 0
    assert out.startswith(f"usage: glassnet {sub}")


def test_version_and_no_command(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"glassnet {gn.__version__}"
    code, _, err = run(capsys)
    assert code == 2 and "usage: glassnet" in err


def test_usage_error_is_one_line_with_exit_2(capsys):
    code, _, err = run(capsys, "train", "x.csv", "--target", "y", "--epochs", "-3")
    assert code == 2
    assert_one_line_error(err, "--epochs", "glassnet train --help")


# ----------------------------------------------------------------------------- demo


def demo_rows(out: str, marker: str) -> list[list[str]]:
    """The four data rows of the demo table that follows the header line holding `marker`."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if marker in line and "x1" in line)
    return [line.replace("|", " ").split() for line in lines[start + 2 : start + 6]]


@pytest.mark.parametrize("loss", ["bce", "mse"])
def test_demo_trains_xnor_and_prints_both_tables(capsys, loss):
    code, out, err = run(capsys, "demo", "--loss", loss)
    assert code == 0 and err == ""
    learned = demo_rows(out, "y_hat")
    assert [r[:3] for r in learned] == [
        ["0", "0", "1"],
        ["0", "1", "0"],
        ["1", "0", "0"],
        ["1", "1", "1"],
    ]
    for _x1, _x2, y, a1, a2, y_hat, pred, mark in learned:
        assert 0 <= float(a1) <= 1 and 0 <= float(a2) <= 1
        assert pred == str(int(float(y_hat) > 0.5)) == y
        assert mark == "right"
    # the slide's hand-set hidden features, exactly as printed on the slide
    slide = demo_rows(out, "z")
    assert [(r[3], r[4]) for r in slide] == [
        ("0.002", "0.881"),
        ("0.119", "0.119"),
        ("0.119", "0.119"),
        ("0.881", "0.002"),
    ]
    assert [r[6] for r in slide] == ["1", "0", "0", "1"]
    assert "a1 = sigmoid(-6 + 4 x1 + 4 x2)" in out
    assert "all 4 rows right" in out


def test_demo_hidden_features_match_the_printed_weights(capsys):
    code, out, _ = run(capsys, "demo")
    assert code == 0
    # a1 = sigmoid(b + w1 x1 + w2 x2) as printed, recomputed for the corner (1, 1)
    line = next(ln for ln in out.splitlines() if ln.strip().startswith("a1    = sigmoid("))
    terms = line.split("sigmoid(")[1].rstrip(")").replace("- ", "-").replace("+ ", "").split()
    b, w1, w2 = float(terms[0]), float(terms[1]), float(terms[3])
    a1 = 1 / (1 + np.exp(-(b + w1 + w2)))
    assert demo_rows(out, "y_hat")[3][3] == f"{a1:.3f}"


def test_demo_reports_a_stuck_start(capsys):
    code, out, _ = run(capsys, "demo", "--epochs", "1", "--lr", "0.01")
    assert code == 0
    assert "wrong" in out and "--seed" in out


# ------------------------------------------------------------------------ train, predict, evaluate


def test_train_writes_a_self_describing_model(capsys, tmp_path, moons_csv):
    out = tmp_path / "m.glassnet"
    stdout = train(capsys, moons_csv, "side", out, "--hidden", "8,4")
    assert "binary classification of 'side'" in stdout and f"saved     {out}" in stdout
    meta = model_meta(out)
    assert meta["format"] == cli.MODEL_FORMAT and meta["format_version"] == 1
    assert meta["glassnet_version"] == gn.__version__
    assert meta["task"]["name"] == "binary" and meta["task"]["loss"] == "binary_cross_entropy"
    assert LabelEncoder.from_dict(meta["target"]["labels"]).classes_.tolist() == ["left", "right"]
    assert meta["target"]["names"] == ["side"]
    pre = meta["preprocessing"]
    assert pre["standardize"] is True
    assert pre["inputs"] == ["x1", "x2", "color=blue", "color=green", "color=red"]
    t = meta["training"]
    assert t["hidden"] == [8, 4] and t["seed"] == 3 and t["epochs"] == 8
    assert t["rows"] == {"train": 90, "validation": 0, "test": 30}
    h = meta["history"]
    assert h["epoch"] == 8 and len(h["loss"]) == 8 and h["stop_reason"] == "max_epochs"
    assert set(meta["test_metrics"]) >= {"accuracy", "macro_f1", "confusion"}
    model = load_model(out, network_only=True)
    assert model.config()["sizes"] == [5, 8, 4, 1]


def test_predict_matches_the_stored_preprocessing_and_labels(capsys, tmp_path, moons_csv):
    out = tmp_path / "m.glassnet"
    train(capsys, moons_csv, "side", out)
    code, stdout, err = run(capsys, "predict", out, moons_csv, "--proba")
    assert code == 0 and err == ""
    header, rows = read_pred_csv(stdout)
    assert header == ["side", "p(left)", "p(right)"]
    assert len(rows) == 120
    # rebuild the prediction from the file's description alone
    meta = model_meta(out)
    pre = Preprocessor.from_dict(meta["preprocessing"]["preprocessor"])
    labels = LabelEncoder.from_dict(meta["target"]["labels"])
    X = pre.transform(read_csv(moons_csv, target="side")).astype(np.float32)
    p = load_model(out, network_only=True).predict(X)[:, 0]
    expected = labels.inverse_transform((p > 0.5).astype(int))
    assert [r[0] for r in rows] == expected.tolist()
    probs = np.array([[float(a), float(b)] for _, a, b in rows])
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(probs[:, 1], p, rtol=1e-5, atol=1e-6)


def test_predict_out_file_and_evaluate_agree(capsys, tmp_path, moons_csv):
    out = tmp_path / "m.glassnet"
    train(capsys, moons_csv, "side", out, "--epochs", "30")
    preds = tmp_path / "preds.csv"
    preds.write_text("side,p(left),p(right)\nleft,0.9,0.1\n")  # (an earlier run's: replaced)
    code, stdout, _ = run(capsys, "predict", out, moons_csv, "--out", preds)
    assert code == 0 and "wrote 120 predictions" in stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.glassnet", "moons.csv", "preds.csv"]
    header, rows = read_pred_csv(preds.read_text())
    predicted = [r[0] for r in rows]
    truth = [r[3] for r in moons_rows()]
    accuracy = np.mean([a == b for a, b in zip(predicted, truth)])
    assert accuracy > 0.8
    code, stdout, _ = run(capsys, "evaluate", out, moons_csv)
    assert code == 0
    assert f"accuracy  {accuracy:.4f}" in stdout
    assert "confusion matrix" in stdout and "macro avg" in stdout
    # the confusion matrix rows, as printed, count the (true, predicted) pairs
    lines = stdout.splitlines()
    i = lines.index("  confusion matrix (rows: true class, columns: predicted class)")
    printed = [[int(v) for v in line.split()[1:]] for line in lines[i + 2 : i + 4]]
    pairs = [
        [sum(t == a and p == b for t, p in zip(truth, predicted)) for b in ("left", "right")]
        for a in ("left", "right")
    ]
    assert printed == pairs


def test_regression_predicts_in_the_targets_units(capsys, tmp_path, reg_csv):
    out = tmp_path / "r.glassnet"
    stdout = train(capsys, reg_csv, "price", out, "--epochs", "60", "--hidden", "16")
    assert "regression of 'price' (inferred)" in stdout
    meta = model_meta(out)
    assert meta["task"]["name"] == "regression" and meta["target"]["scaler"] is not None
    code, stdout, _ = run(capsys, "predict", out, reg_csv)
    assert code == 0
    header, rows = read_pred_csv(stdout)
    assert header == ["price"]
    pred = np.array([float(r[0]) for r in rows])
    truth = read_csv(reg_csv, target="price").y_float
    m = regression_metrics(truth, pred)
    assert m["r2"][0] > 0.8  # in the original units (the network saw standardized targets)
    code, stdout, _ = run(capsys, "evaluate", out, reg_csv)
    assert code == 0
    row = next(line.split() for line in stdout.splitlines() if line.strip().startswith("price"))
    assert float(row[1]) == pytest.approx(m["mse"][0], rel=1e-3)
    assert float(row[2]) == pytest.approx(m["mae"][0], rel=1e-3)
    assert float(row[3]) == pytest.approx(m["r2"][0], abs=1e-3)


def test_no_standardize_is_stored_and_applied(capsys, tmp_path, reg_csv):
    out = tmp_path / "r.glassnet"
    code, _, err = run(capsys, "train", reg_csv, "--target", "price", "--out", out, *FAST,
                       "--no-standardize", "--lr", "0.001")  # fmt: skip
    assert code == 0
    assert err.startswith("glassnet: warning: the held-out R^2")  # 8 epochs on raw units
    meta = model_meta(out)
    assert meta["preprocessing"]["standardize"] is False and meta["target"]["scaler"] is None
    scaler = StandardScaler.from_dict(meta["preprocessing"]["preprocessor"]["scaler"])
    assert scaler.mean_.tolist() == [0.0, 0.0, 0.0] and scaler.scale_.tolist() == [1.0] * 3
    code, stdout, _ = run(capsys, "predict", out, reg_csv)
    X = read_csv(reg_csv, target="price").to_array().astype(np.float32)
    expected = load_model(out, network_only=True).predict(X)[:, 0]
    got = np.array([float(r[0]) for r in read_pred_csv(stdout)[1]])
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_task_inference_and_override(capsys, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    few = write_csv(
        tmp_path / "few.csv", ["a", "b", "k"], [[*x, int(i % 3)] for i, x in enumerate(X)]
    )
    many = write_csv(  # (30 whole numbers, each twice: no identifier, which is warned of)
        tmp_path / "many.csv", ["a", "b", "k"], [[*x, int(i % 30)] for i, x in enumerate(X)]
    )
    out = tmp_path / "m.glassnet"
    assert "multiclass classification" in train(capsys, few, "k", out)
    classes = LabelEncoder.from_dict(model_meta(out)["target"]["labels"]).classes_
    assert classes.tolist() == [0, 1, 2]
    assert "regression of 'k' (inferred)" in train(capsys, many, "k", out)
    assert "regression of 'k' (--task)" in train(capsys, few, "k", out, "--task", "regression")
    code, _, err = run(
        capsys,
        "train",
        moons_csv_path(tmp_path),
        "--target",
        "side",
        "--task",
        "regression",
        "--out",
        out,
    )
    assert code == 2
    assert_one_line_error(err, "--task regression needs a numeric target")


def moons_csv_path(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "moons2.csv", ["x1", "x2", "color", "side"], moons_rows())


def test_multi_output_regression_from_csv(capsys, tmp_path):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(80, 2))
    rows = [[*x, x[0] + x[1], x[0] - x[1]] for x in X]
    data = write_csv(tmp_path / "two.csv", ["a", "b", "s", "d"], rows)
    out = tmp_path / "m.glassnet"
    stdout = train(capsys, data, "s,d", out, "--epochs", "40")
    assert "multioutput_regression of 's', 'd'" in stdout
    code, stdout, _ = run(capsys, "predict", out, data)
    header, pred = read_pred_csv(stdout)
    assert code == 0 and header == ["s", "d"] and len(pred[0]) == 2
    code, stdout, _ = run(capsys, "evaluate", out, data)
    assert code == 0 and stdout.count("\n  s ") + stdout.count("\n  d ") == 2


@pytest.mark.parametrize(
    "flag, needle",
    [
        (["--categorical", "nope"], "--categorical is for CSV files"),
        (["--delimiter", ";"], "--delimiter is for reading a CSV file"),
        (["--multiline-cells"], "--multiline-cells is for reading a CSV file"),
    ],
)
def test_csv_flags_with_a_dataset_are_refused_not_ignored(capsys, tmp_path, flag, needle):
    """--dataset moons --categorical nope trained on, the column never looked for (a CSV file
    without it is an error), as were --delimiter and --multiline-cells, silently."""
    out = tmp_path / "moons.glassnet"
    code, _, err = run(capsys, "train", "--dataset", "moons", "--out", out, *flag, *FAST)
    assert code == 2
    assert_one_line_error(err, needle)
    assert not out.exists()


def test_named_dataset_and_info(capsys, tmp_path):
    out = tmp_path / "moons.glassnet"
    code, stdout, err = run(capsys, "train", "--dataset", "moons", "--out", out, *FAST)
    assert code == 0, err
    assert "--dataset moons: 200 rows" in stdout
    code, stdout, _ = run(capsys, "info", out)
    assert code == 0
    assert "MLP 2 -> 8 -> 1, 33 parameters" in stdout
    assert "(2, 8)" in stdout and "(8, 1)" in stdout and "sigmoid" in stdout and "relu" in stdout
    assert "2 classes: 0, 1" in stdout
    assert "stopped: reached --epochs 8" in stdout
    code, stdout, _ = run(capsys, "info", out, "--json")
    description = json.loads(stdout)
    assert description["config"]["sizes"] == [2, 8, 1]
    assert description["meta"]["history"]["epoch"] == 8


def test_info_on_a_model_saved_from_python(capsys, tmp_path):
    path = tmp_path / "plain.glassnet"
    save_model(gn.nn.MLP([3, 4, 2], rng=0), path)
    code, stdout, _ = run(capsys, "info", path)
    assert code == 0 and "written with the Python API" in stdout and "(3, 4)" in stdout
    code, _, err = run(capsys, "predict", path, "x.csv")
    assert code == 2
    assert_one_line_error(err, "no description from 'glassnet train'")


def test_rare_category_and_scaler_fitted_on_training_rows(capsys, tmp_path):
    rows = moons_rows(60)
    rows[7][2] = "purple"  # one row: in the training or the test rows, its column is known
    data = write_csv(tmp_path / "rare.csv", ["x1", "x2", "color", "side"], rows)
    out = tmp_path / "m.glassnet"
    for split in ("0.5", "0.3", "0.1"):
        train(capsys, data, "side", out, "--test-split", split)
        pre = model_meta(out)["preprocessing"]
        assert "color=purple" in pre["inputs"]
        mean = StandardScaler.from_dict(pre["preprocessor"]["scaler"]).mean_
        all_rows = read_csv(data, target="side").to_array(["x1", "x2"]).mean(axis=0)
        assert not np.allclose(mean, all_rows)  # the test rows are left out
    train(capsys, data, "side", out, "--test-split", "0")
    mean = StandardScaler.from_dict(
        model_meta(out)["preprocessing"]["preprocessor"]["scaler"]
    ).mean_
    np.testing.assert_allclose(mean, all_rows)


def test_early_stopping_keeps_the_best_epoch(capsys, tmp_path, moons_csv):
    out = tmp_path / "m.glassnet"
    train(
        capsys,
        moons_csv,
        "side",
        out,
        "--early-stopping",
        "--patience",
        "2",
        "--epochs",
        "200",
        "--lr",
        "0.05",
    )
    h = model_meta(out)["history"]
    assert h["stop_reason"] == "early_stopping"
    assert h["epoch"] - h["best_epoch"] == 2
    assert h["best_val"] == min(h["val_loss"]) == h["val_loss"][h["best_epoch"] - 1]


# ----------------------------------------------------------------------------- checkpoints


def weights(path: Path) -> dict[str, np.ndarray]:
    return load_model(path, network_only=True).state_dict()


RESUMABLE = [
    "--epochs",
    "7",
    "--hidden",
    "6",
    "--batch-size",
    "16",
    "--val-split",
    "0.2",
    "--early-stopping",
    "--patience",
    "50",
    "--seed",
    "5",
    "-q",
]


class CtrlC(Callback):
    """Presses Ctrl-C at the end of epoch 5 or during a step of epoch 6."""

    def __init__(self, where: str) -> None:
        self.where = where

    def on_epoch_end(self, state):
        if self.where == "between epochs" and state.epoch == 5:
            raise KeyboardInterrupt

    def on_step_end(self, state):
        if self.where == "inside fit" and state.epoch == 6:
            raise KeyboardInterrupt


@pytest.mark.parametrize("where", ["between epochs", "inside fit"])
def test_interrupted_and_resumed_run_is_bit_identical(
    capsys, tmp_path, moons_csv, monkeypatch, where
):
    a, b = tmp_path / "a.glassnet", tmp_path / "b.glassnet"
    common = ["train", moons_csv, "--target", "side", *RESUMABLE, "--checkpoint-every", "2"]
    code, _, err = run(capsys, *common, "--out", a)
    assert code == 0, err

    real_fit, calls = cli.fit, []

    def interrupted_fit(*args, **kwargs):
        calls.append(1)
        # fit catches the Ctrl-C, returns what it learned; the checkpoint of the last
        # completed epoch (5, between the writes of 4 and 6) is written then
        kwargs["callbacks"] = [*kwargs["callbacks"], CtrlC(where)]
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(cli, "fit", interrupted_fit)
    code, stdout, _ = run(capsys, *common, "--out", b)
    assert len(calls) == 1  # one fit call for the whole run
    assert code == 130 and "interrupted" in stdout and "--resume" in stdout
    assert model_meta(b)["history"]["epoch"] == 5  # the epochs completed
    ckpt = load_checkpoint(tmp_path / "b.glassnet.ckpt")
    assert ckpt.meta["state"]["epoch"] == 5 and ckpt.optimizer_state["t"] > 0
    assert any(k.startswith("best:") for k in ckpt.model_state)
    monkeypatch.setattr(cli, "fit", real_fit)

    code, stdout, err = run(capsys, *common, "--out", b, "--resume")
    assert code == 0, err
    assert "resuming after epoch 5" in stdout
    wa, wb = weights(a), weights(b)
    assert wa.keys() == wb.keys()
    for name in wa:
        assert np.array_equal(wa[name], wb[name]), name
    ha, hb = model_meta(a)["history"], model_meta(b)["history"]
    assert ha["loss"] == hb["loss"] and ha["val_loss"] == hb["val_loss"]
    assert ha["epoch"] == hb["epoch"] == 7


def test_a_rerun_without_resume_never_replaces_an_unfinished_checkpoint(
    capsys, tmp_path, moons_csv, monkeypatch
):
    """Rerunning an interrupted command without --resume replaced its checkpoint (the only
    record of its epochs) at the first write."""
    out = tmp_path / "b.glassnet"
    ckpt = tmp_path / "b.glassnet.ckpt"
    common = ["train", moons_csv, "--target", "side", *RESUMABLE, "--checkpoint-every", "2"]
    real_fit = cli.fit

    def interrupted_fit(*args, **kwargs):
        kwargs["callbacks"] = [*kwargs["callbacks"], CtrlC("between epochs")]
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(cli, "fit", interrupted_fit)
    code, _, _ = run(capsys, *common, "--out", out)
    assert code == 130
    monkeypatch.setattr(cli, "fit", real_fit)
    before = ckpt.read_bytes()
    code, _, err = run(capsys, *common, "--out", out)
    assert code == 2
    assert_one_line_error(err, "holds an unfinished run (stopped after epoch 5)", "--resume")
    assert ckpt.read_bytes() == before
    code, _, err = run(capsys, *common, "--out", out, "--resume")
    assert code == 0, err
    code, _, err = run(capsys, *common, "--out", out)  # a finished run's: replaced
    assert code == 0, err
    code, _, err = run(capsys, *common, "--out", out, "--force")
    assert code == 0, err


def test_resume_after_early_stopping_changes_nothing(capsys, tmp_path, moons_csv):
    out = tmp_path / "m.glassnet"
    cmd = ["train", moons_csv, "--target", "side", "--out", out, "--hidden", "6", "-q",
           "--early-stopping", "--patience", "2", "--epochs", "300", "--lr", "0.05",
           "--checkpoint-every", "7"]  # fmt: skip
    assert run(capsys, *cmd)[0] == 0
    first, h = weights(out), model_meta(out)["history"]
    assert h["stop_reason"] == "early_stopping"
    ckpt = load_checkpoint(tmp_path / "m.glassnet.ckpt")
    assert ckpt.meta["state"]["epoch"] == h["epoch"]  # the last epoch is checkpointed too
    code, stdout, _ = run(capsys, *cmd, "--resume")
    assert code == 0 and f"resuming after epoch {h['epoch']}" in stdout
    again = weights(out)
    assert all(np.array_equal(first[k], again[k]) for k in first)
    assert model_meta(out)["history"]["best_epoch"] == h["best_epoch"]


def test_resume_continues_to_more_epochs(capsys, tmp_path, moons_csv):
    a, b = tmp_path / "a.glassnet", tmp_path / "b.glassnet"
    base = ["train", moons_csv, "--target", "side", "--hidden", "6", "--seed", "1", "-q"]
    assert run(capsys, *base, "--epochs", "6", "--out", a)[0] == 0
    assert run(capsys, *base, "--epochs", "3", "--out", b, "--checkpoint-every", "5")[0] == 0
    assert load_checkpoint(tmp_path / "b.glassnet.ckpt").meta["state"]["epoch"] == 3
    assert run(capsys, *base, "--epochs", "6", "--out", b, "--resume")[0] == 0
    wa, wb = weights(a), weights(b)
    assert all(np.array_equal(wa[k], wb[k]) for k in wa)


def test_resume_refuses_other_settings_or_no_checkpoint(capsys, tmp_path, moons_csv):
    out = tmp_path / "m.glassnet"
    ck = tmp_path / "run.ckpt"
    base = ["train", moons_csv, "--target", "side", "--out", out, "--checkpoint", ck, *FAST]
    code, _, err = run(capsys, *base, "--resume")
    assert code == 2
    assert_one_line_error(err, "no checkpoint at", "run.ckpt")
    assert run(capsys, *base, "--checkpoint-every", "4")[0] == 0
    code, _, err = run(capsys, *base, "--resume", "--lr", "0.5")
    assert code == 2
    assert_one_line_error(err, "other settings", "lr")
    code, _, err = run(capsys, *base, "--resume", "--epochs", "3")
    assert code == 2
    assert_one_line_error(err, "at epoch 8, past --epochs 3")


def test_an_output_path_ending_in_a_slash_is_refused_not_written_as_a_file(
    capsys, tmp_path, moons_csv, monkeypatch
):
    """--out models/ (a directory not made yet) wrote a file named 'models'."""
    monkeypatch.chdir(tmp_path)
    model = tmp_path / "m.glassnet"
    train(capsys, moons_csv, "side", model)
    base = ["train", moons_csv, "--target", "side", *FAST]
    for argv in (
        [*base, "--out", "models/"],
        [*base, "--checkpoint-every", "2", "--checkpoint", "ckpts/"],
        ["predict", model, moons_csv, "--out", "preds/"],
    ):
        code, _, err = run(capsys, *argv)
        assert code == 2
        assert_one_line_error(err, "/': the path ends in '/', so it names a directory")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([model.name, moons_csv.name])


def test_a_checkpoint_given_as_the_model_says_how_to_finish_its_run(capsys, tmp_path, moons_csv):
    """It said "read it with load_checkpoint", a Python call."""
    out = tmp_path / "m.glassnet"
    argv = ["train", moons_csv, "--target", "side", "--out", out, "--checkpoint-every", "2"]
    assert run(capsys, *argv, *FAST)[0] == 0
    ckpt = tmp_path / "m.glassnet.ckpt"
    for command in (  # (info shows a checkpoint since round 27: tests/test_resume_round27.py)
        ["predict", ckpt, moons_csv],
        ["export", ckpt, tmp_path / "x.onnx"],
    ):
        code, _, err = run(capsys, *command)
        assert code == 2
        assert_one_line_error(err, "checkpoint file, not a model file", "--resume")
        assert "load_checkpoint" not in err


def test_an_output_path_with_an_unexpanded_tilde_is_not_a_folder_to_create(
    capsys, tmp_path, moons_csv, monkeypatch
):
    """--out=~/m.glassnet (no shell expands ~ after '='): "the directory '~' does not exist;
    create it first", which makes a folder named '~' (that a later rm -rf ~ ... )."""
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "train", moons_csv, "--target", "side", "--out=~/m.glassnet")
    assert code == 2
    assert_one_line_error(err, "its '~' was not replaced by your home folder", "--out ~/")
    assert "create it first" not in err and not (tmp_path / "~").exists()


@pytest.mark.parametrize(
    "flag, given, hint",
    [
        ("--lr", "0,05", "(write it with a decimal point: 0.05)"),
        ("--test-split", "20%", "(write it as a fraction, not a percentage: 0.2)"),
        ("--epochs", "1e3", "(write it as digits: 1000)"),
        ("--test-split", "120%", None),  # (0.2 would not be a fraction in [0, 1) either)
        ("--epochs", "-1", None),
        ("--lr", "abc", None),
    ],
)
def test_a_number_written_as_people_write_it_gets_its_spelling(capsys, tmp_path, flag, given, hint):
    """--lr 0,05 and --test-split 20% were "expected a number > 0, got '0,05'", no more."""
    code, _, err = run(capsys, "train", tmp_path / "d.csv", "--target", "y", flag, given)
    assert code == 2
    assert_one_line_error(err, f"argument {flag}: expected", f"got {given!r}")
    if hint is None:
        assert "(write it" not in err
    else:
        assert hint in err


def test_a_busy_playground_port_says_what_to_do(capsys):
    """It said "cannot serve on port N: Address already in use", and no more."""
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, _, err = run(capsys, "playground", "--no-browser", "--port", port)
    assert code == 2
    assert_one_line_error(err, f"cannot serve on port {port}", "choose another --port")


def test_checkpoint_without_checkpoint_every_is_refused_not_ignored(capsys, tmp_path, moons_csv):
    """--checkpoint FILE alone trained to the end and wrote no checkpoint, silently."""
    out, ck = tmp_path / "m.glassnet", tmp_path / "run.ckpt"
    code, _, err = run(
        capsys, "train", moons_csv, "--target", "side", "--out", out, "--checkpoint", ck, *FAST
    )
    assert code == 2
    assert_one_line_error(err, "--checkpoint", "run.ckpt", "add --checkpoint-every N")
    assert not out.exists() and not ck.exists()


# ----------------------------------------------------------------------------- bad input


@pytest.fixture
def existing_out(tmp_path: Path) -> Path:
    """A model file that a failing command must leave as it is."""
    return save_model(gn.nn.MLP([2, 1], rng=0), tmp_path / "keep.glassnet")


def bad_train(capsys, tmp_path, existing_out, data: Path, *extra: object) -> str:
    before = existing_out.read_bytes()
    code, stdout, err = run(capsys, "train", data, "--target", "y", "--out", existing_out, *extra)
    assert code == 2, (stdout, err)
    assert existing_out.read_bytes() == before  # untouched
    assert [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    return err


def test_bad_input_missing_file(capsys, tmp_path, existing_out):
    err = bad_train(capsys, tmp_path, existing_out, tmp_path / "nope.csv")
    assert_one_line_error(err, "no such file", "nope.csv")


def test_bad_input_empty_file(capsys, tmp_path, existing_out):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert_one_line_error(bad_train(capsys, tmp_path, existing_out, empty), "empty")


def test_bad_input_missing_target_column(capsys, tmp_path, existing_out):
    data = write_csv(tmp_path / "d.csv", ["a", "label"], [[1, "x"], [2, "z"]])
    err = bad_train(capsys, tmp_path, existing_out, data)
    assert_one_line_error(err, "'y'", "not in", "a, label")


def test_bad_input_text_in_a_numeric_column(capsys, tmp_path, existing_out):
    data = write_csv(
        tmp_path / "d.csv",
        ["a", "b", "y"],
        [[1, 2, "x"], [3, "oops", "z"], [4, 5, "x"], [6, 7, "z"]],
    )
    err = bad_train(capsys, tmp_path, existing_out, data)
    assert_one_line_error(err, "'oops'", "line 3", "column 'b'", "--impute mean")


@pytest.mark.parametrize("cell", ["nan", "inf", ""])
def test_bad_input_nan_inf_or_missing(capsys, tmp_path, existing_out, cell):
    rows = [[1, 2, "x"], [3, 4, "z"], [4, cell, "x"], [6, 7, "z"], [2, 2, "x"], [5, 5, "z"]]
    data = write_csv(tmp_path / "d.csv", ["a", "b", "y"], rows)
    err = bad_train(capsys, tmp_path, existing_out, data)
    assert_one_line_error(err, "line 4", "column 'b'")
    code, stdout, err = run(
        capsys,
        "train",
        data,
        "--target",
        "y",
        "--impute",
        "mean",
        "--out",
        tmp_path / "ok.glassnet",
        "--test-split",
        "0",
        *FAST,
    )
    assert code == 0, err
    assert "imputed 1 missing cell(s): b (1, mean)" in stdout
    assert model_meta(tmp_path / "ok.glassnet")["preprocessing"]["impute"] == "mean"


def test_bad_input_missing_target_value(capsys, tmp_path, existing_out):
    rows = [[1, "x"], [3, ""], [4, "x"], [6, "z"]]
    data = write_csv(tmp_path / "d.csv", ["a", "y"], rows)
    err = bad_train(capsys, tmp_path, existing_out, data, "--impute", "mean")
    assert_one_line_error(err, "line 3", "'y'")


def test_bad_input_single_class(capsys, tmp_path, existing_out):
    data = write_csv(tmp_path / "d.csv", ["a", "y"], [[1, "cat"], [2, "cat"], [3, "cat"]])
    err = bad_train(capsys, tmp_path, existing_out, data)
    assert_one_line_error(err, "single value", "'cat'", "two classes")


def test_bad_input_non_csv_file(capsys, tmp_path, existing_out):
    binary = tmp_path / "photo.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    err = bad_train(capsys, tmp_path, existing_out, binary)
    assert_one_line_error(err, "not a CSV file")


def test_bad_input_unwritable_output(capsys, tmp_path, moons_csv):
    for out, needle in [
        (tmp_path / "no" / "dir" / "m.glassnet", "does not exist"),
        (tmp_path, "is a directory"),
    ]:
        code, _, err = run(capsys, "train", moons_csv, "--target", "side", "--out", out, *FAST)
        assert code == 2
        assert_one_line_error(err, "cannot write the model file", needle)
    assert not (tmp_path / "no").exists()
    model = tmp_path / "m.glassnet"
    train(capsys, moons_csv, "side", model)
    code, _, err = run(capsys, "predict", model, moons_csv, "--out", tmp_path / "x" / "p.csv")
    assert code == 2
    assert_one_line_error(err, "cannot write the predictions file")


def test_bad_input_feature_columns_differ_at_predict(capsys, tmp_path, moons_csv):
    model = tmp_path / "m.glassnet"
    train(capsys, moons_csv, "side", model)
    fewer = write_csv(tmp_path / "fewer.csv", ["x1", "color"], [[0.5, "red"], [1.0, "blue"]])
    code, _, err = run(capsys, "predict", model, fewer)
    assert code == 2
    assert_one_line_error(err, "2 feature column(s)", "trained on 3", "missing: x2")
    more = write_csv(tmp_path / "more.csv", ["x1", "x2", "color", "x9"], [[0.5, 1, "red", 2]])
    preds = tmp_path / "p.csv"
    code, _, err = run(capsys, "predict", model, more, "--out", preds)
    assert code == 2
    assert_one_line_error(err, "not in the model: x9")
    assert not preds.exists()


def test_bad_input_unseen_category_at_predict(capsys, tmp_path, moons_csv):
    model = tmp_path / "m.glassnet"
    train(capsys, moons_csv, "side", model)
    data = write_csv(tmp_path / "new.csv", ["x1", "x2", "color"], [[0.5, 1, "purple"]])
    code, _, err = run(capsys, "predict", model, data)
    assert code == 2
    assert_one_line_error(err, "'purple'", "color")


def test_bad_input_unseen_labels_at_evaluate(capsys, tmp_path, moons_csv):
    model = tmp_path / "m.glassnet"
    train(capsys, moons_csv, "side", model)
    rows = moons_rows(10)
    rows[4][3] = "middle"
    data = write_csv(tmp_path / "eval.csv", ["x1", "x2", "color", "side"], rows)
    code, stdout, err = run(capsys, "evaluate", model, data)
    assert code == 2 and stdout == ""
    assert_one_line_error(err, "'middle'", "line 6", "left, right")
    nolabel = write_csv(tmp_path / "nolabel.csv", ["x1", "x2", "color"], [[0.5, 1, "red"]])
    code, _, err = run(capsys, "evaluate", model, nolabel)
    assert code == 2
    assert_one_line_error(err, "no target column 'side'")


@pytest.mark.parametrize("command", ["predict", "evaluate", "info", "explain"])
def test_bad_input_corrupt_model_file(capsys, tmp_path, moons_csv, command):
    model = tmp_path / "m.glassnet"
    train(capsys, moons_csv, "side", model)
    corrupt = tmp_path / "corrupt.glassnet"
    corrupt.write_bytes(model.read_bytes()[:200])
    extra = {
        "predict": [moons_csv],
        "evaluate": [moons_csv],
        "info": [],
        "explain": ["--row", "1", moons_csv],
    }[command]
    code, stdout, err = run(capsys, command, corrupt, *extra)
    assert code == 2 and stdout == ""
    assert_one_line_error(err, "corrupt.glassnet", "truncated")
    code, _, err = run(capsys, command, tmp_path / "missing.glassnet", *extra)
    assert code == 2
    assert_one_line_error(err, "no such model file")


def test_divergence_is_a_clean_error_and_writes_nothing(capsys, tmp_path, reg_csv, existing_out):
    before = existing_out.read_bytes()
    code, _, err = run(
        capsys,
        "train",
        reg_csv,
        "--target",
        "price",
        "--out",
        existing_out,
        "--optimizer",
        "sgd",
        "--lr",
        "1e30",
        "--no-standardize",
        *FAST,
    )
    assert code == 1
    assert_one_line_error(err, "diverged")
    assert existing_out.read_bytes() == before


def test_internal_errors_are_one_line_unless_debug(capsys, tmp_path, monkeypatch):
    def broken(args):
        raise TypeError("a bug")

    monkeypatch.setattr(cli, "_cmd_info", broken)
    code, _, err = run(capsys, "info", "m.glassnet")
    assert code == 1
    assert_one_line_error(err, "internal error", "TypeError: a bug", "--debug")
    with pytest.raises(TypeError, match="a bug"):
        main(["--debug", "info", "m.glassnet"])
    with pytest.raises(TypeError, match="a bug"):
        main(["info", "m.glassnet", "--debug"])


# ----------------------------------------------------------------------------- explain


def test_explain_traces_one_row(capsys, tmp_path):
    model = tmp_path / "xnor.glassnet"
    code, _, err = run(
        capsys,
        "train",
        "--dataset",
        "xnor",
        "--out",
        model,
        "--hidden",
        "2",
        "--activation",
        "sigmoid",
        "--test-split",
        "0",
        "--epochs",
        "5",
        "-q",
    )
    assert code == 0, err
    data = write_csv(tmp_path / "xnor.csv", ["x1", "x2", "y"], [[0, 0, 1], [0, 1, 0]])
    code, stdout, err = run(capsys, "explain", model, "--row", "2", data)
    assert code == 0, err
    assert stdout.startswith(f"row 2 of {data} (line 3): x1=0, x2=1")
    assert "Forward pass" in stdout and "Backward pass" in stdout
    assert "lr = 0.01" in stdout  # the training learning rate, for the step preview
    code, _, err = run(capsys, "explain", model, "--row", "3", data)
    assert code == 2
    assert_one_line_error(err, "--row 3", "2 data rows")


def test_explain_without_the_explain_module(capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "glassnet.explain", None)  # makes the import fail
    code, _, err = run(capsys, "explain", tmp_path / "m.glassnet", "--row", "1", "d.csv")
    assert code == 1
    assert_one_line_error(err, "glassnet.explain")


# ----------------------------------------------------------------------------- metrics


def test_classification_metrics_against_a_direct_count():
    rng = np.random.default_rng(0)
    t = rng.integers(0, 4, size=200)
    p = np.where(rng.random(200) < 0.7, t, rng.integers(0, 4, size=200))
    m = classification_metrics(t, p, 4)
    for c in range(4):
        tp = np.sum((t == c) & (p == c))
        precision = tp / np.sum(p == c)
        recall = tp / np.sum(t == c)
        assert m["precision"][c] == pytest.approx(precision)
        assert m["recall"][c] == pytest.approx(recall)
        assert m["f1"][c] == pytest.approx(2 * precision * recall / (precision + recall))
        assert m["confusion"][c] == [int(np.sum((t == c) & (p == k))) for k in range(4)]
    assert m["accuracy"] == pytest.approx(np.mean(t == p))
    assert m["macro_f1"] == pytest.approx(np.mean(m["f1"]))


def test_classification_metrics_match_scikit_learn():
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    rng = np.random.default_rng(1)
    t = rng.integers(0, 3, size=50)
    p = rng.integers(0, 3, size=50)
    m = classification_metrics(t, p, 3)
    ps, rs, fs, ss = precision_recall_fscore_support(t, p, labels=[0, 1, 2], zero_division=0)
    np.testing.assert_allclose(m["precision"], ps)
    np.testing.assert_allclose(m["recall"], rs)
    np.testing.assert_allclose(m["f1"], fs)
    assert m["support"] == ss.tolist()
    assert m["confusion"] == confusion_matrix(t, p, labels=[0, 1, 2]).tolist()


def test_classification_metrics_zero_denominators():
    m = classification_metrics(np.array([0, 0]), np.array([0, 0]), 3)
    assert m["precision"] == [1.0, 0.0, 0.0] and m["recall"] == [1.0, 0.0, 0.0]
    assert m["macro_f1"] == 1.0  # averaged over the classes that occur


def test_regression_metrics_match_scikit_learn():
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    rng = np.random.default_rng(2)
    t = rng.normal(size=(40, 2))
    p = t + rng.normal(scale=0.3, size=(40, 2))
    m = regression_metrics(t, p)
    np.testing.assert_allclose(m["mse"], mean_squared_error(t, p, multioutput="raw_values"))
    np.testing.assert_allclose(m["mae"], mean_absolute_error(t, p, multioutput="raw_values"))
    np.testing.assert_allclose(m["r2"], r2_score(t, p, multioutput="raw_values"))
    assert regression_metrics(np.ones(3), np.zeros(3))["r2"] == [None]


# ----------------------------------------------------------------------------- real processes


def test_python_dash_m_glassnet_demo():
    proc = subprocess.run(
        [sys.executable, "-m", "glassnet", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert proc.returncode == 0, proc.stderr
    assert "0.002  0.881" in proc.stdout and "all 4 rows right" in proc.stdout


def test_train_piped_to_a_reader_that_leaves_still_writes_the_model(tmp_path):
    """'glassnet train ... | head -1': the reader leaves after the first line of the report;
    the rest of the report goes nowhere, the model is written, the exit status is 0 and
    nothing is printed about the pipe (it exited 1 with no model and no message)."""
    X, y = make_moons(200, noise=0.2, seed=0)
    data = write_csv(tmp_path / "m.csv", ["a", "b", "moon"], [[*r, int(t)] for r, t in zip(X, y)])
    cmd = [sys.executable, "-m", "glassnet", "train", str(data), "--target", "moon"]
    cmd += ["--out", str(tmp_path / "m.glassnet"), "--epochs", "3"]
    train = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    first = train.stdout.readline()
    train.stdout.close()  # the reader leaves, as head -1 does
    with train.stderr:
        err = train.stderr.read().decode()
    assert train.wait(timeout=120) == 0, err
    assert first.startswith(b"data") and err == ""
    assert load_model(tmp_path / "m.glassnet") is not None


def test_report_numbers_never_read_negative_zero():
    """explain's compact view printed 'dL/dz = dL/da * g'(z) = -0' for a dead ReLU."""
    assert cli._num(-0.0) == "0" and cli._num(np.float32(-0.0)) == "0"
    assert cli._num(-1e-20) == "-1e-20" and cli._num(-0.12345) == "-0.1235"


def test_console_script_help_and_error_exit_code(tmp_path):
    script = shutil.which("glassnet", path=sysconfig.get_path("scripts")) or shutil.which(
        "glassnet"
    )
    assert script is not None, "the console script is missing: run pip install -e ."
    proc = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "usage: glassnet" in proc.stdout
    proc = subprocess.run(
        [script, "predict", str(tmp_path / "none.glassnet"), "x.csv"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("glassnet: error: no such model file")


# ----------------------------------------------------------------------------- a messy real table


def not_about_the_score(err: str) -> str:
    """stderr without the warning about a held-out score (8 epochs of FAST may earn one)."""
    lines = err.splitlines(keepends=True)
    return "".join(x for x in lines if not x.startswith("glassnet: warning: the held-out"))


def churn_rows(n: int = 80, seed: int = 0) -> list[list[object]]:
    """A churn table as a practitioner brings it: an ID column, text columns, missing cells."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        plan = ["basic", "plus", "pro"][i % 3]
        age = "" if i % 11 == 5 else f"{rng.integers(18, 80)}"
        if i % 13 == 7:
            plan = ""
        tenure = int(rng.integers(1, 60))
        churn = "yes" if (tenure < 20) != (plan == "pro") else "no"
        rows.append([f"C{1000 + i}", age, plan, tenure, churn])
    return rows


@pytest.fixture
def churn_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "churn.csv", ["customer_id", "age", "plan", "tenure", "churn"],
                     churn_rows())  # fmt: skip


def test_an_id_column_is_warned_about_and_drop_or_id_leave_it_out(capsys, tmp_path, churn_csv):
    out = tmp_path / "m.glassnet"
    code, stdout, err = run(capsys, "train", churn_csv, "--target", "churn", "--impute", "mean",
                            "--out", out, *FAST)  # fmt: skip
    assert code == 0, err
    err = not_about_the_score(err)
    assert err.startswith("glassnet: warning: the text column 'customer_id' has ")
    assert "--drop customer_id" in err and "--id customer_id" in err
    assert len(err.splitlines()) == 1
    for flag in ("--drop", "--id"):
        code, stdout, err = run(capsys, "train", churn_csv, "--target", "churn", "--impute",
                                "mean", flag, "customer_id", "--out", out, *FAST)  # fmt: skip
        assert code == 0 and not_about_the_score(err) == "", err
        assert "-> 5 inputs" in stdout  # age, tenure, plan=basic/plus/pro: no ID columns
        assert "left out: customer_id (--drop, --id)" in stdout
        assert model_meta(out)["preprocessing"]["preprocessor"]["columns"] == [
            "age",
            "plan",
            "tenure",
        ]


def test_predict_fills_missing_cells_with_the_training_statistics(capsys, tmp_path, churn_csv):
    """One row with a missing number and a missing text cell predicts: the model stores the
    training data's mean (numbers) and most frequent value (text), and applies them."""
    out = tmp_path / "m.glassnet"
    code, stdout, err = run(capsys, "train", churn_csv, "--target", "churn", "--impute", "mean",
                            "--id", "customer_id", "--out", out, *FAST)  # fmt: skip
    assert code == 0, err
    assert "age (" in stdout and ", mean)" in stdout and "plan (" in stdout
    assert "most frequent)" in stdout  # plan, a text column, is not reported as mean-imputed
    fill = model_meta(out)["preprocessing"]["preprocessor"]["fill"]
    ages = [float(r[1]) for r in churn_rows() if r[1] != ""]
    assert fill["age"] == pytest.approx(np.mean(ages))
    plans = [r[2] for r in churn_rows() if r[2] != ""]
    assert fill["plan"] == max(sorted(set(plans)), key=plans.count)
    one = write_csv(tmp_path / "one.csv", ["customer_id", "age", "plan", "tenure"],
                    [["C9", "", "", 12]])  # fmt: skip
    code, stdout, err = run(capsys, "predict", out, one, "--proba")
    assert code == 0, err
    assert err.startswith("glassnet: note: filled 2 missing cell(s) of ")
    assert "with the training data's values: age (1), plan (1)" in err
    header, rows = read_pred_csv(stdout)
    assert header[:2] == ["customer_id", "churn"] and rows[0][0] == "C9"
    filled = write_csv(tmp_path / "filled.csv", ["customer_id", "age", "plan", "tenure"],
                       [["C9", repr(fill["age"]), fill["plan"], 12]])  # fmt: skip
    code, stdout2, err = run(capsys, "predict", out, filled, "--proba")
    assert code == 0 and err == ""
    assert read_pred_csv(stdout2) == (header, rows)


def test_a_model_without_imputation_says_so_at_predict(capsys, tmp_path, churn_csv):
    out = tmp_path / "m.glassnet"
    rows = [r for r in churn_rows() if "" not in r]
    data = write_csv(tmp_path / "clean.csv", ["customer_id", "age", "plan", "tenure", "churn"],
                     rows)  # fmt: skip
    code, _, err = run(capsys, "train", data, "--target", "churn", "--drop", "customer_id",
                       "--out", out, *FAST)  # fmt: skip
    assert code == 0, err
    one = write_csv(tmp_path / "one.csv", ["age", "plan", "tenure"], [["", "pro", 3]])
    code, _, err = run(capsys, "predict", out, one)
    assert code == 2
    assert_one_line_error(err, "Missing value '' at line 2", "column 'age'", "--impute mean")


def test_unknown_categories_error_or_ignore(capsys, tmp_path, churn_csv):
    out = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", churn_csv, "--target", "churn", "--impute", "median",
                       "--drop", "customer_id", "--out", out, *FAST)  # fmt: skip
    assert code == 0, err
    new = write_csv(tmp_path / "new.csv", ["age", "plan", "tenure"],
                    [[30, "platinum", 5], [40, "pro", 50], [50, "gold", 7]])  # fmt: skip
    code, _, err = run(capsys, "predict", out, new)
    assert code == 2
    assert_one_line_error(err, "'plan' has 2 value(s) not seen at fit: ['platinum', 'gold']",
                          "--unknown ignore")  # fmt: skip
    code, stdout, err = run(capsys, "predict", out, new, "--unknown", "ignore", "--proba")
    assert code == 0
    assert err == (f"glassnet: warning: 2 cell(s) of '{new}' hold categories the model never "
                   f"saw, encoded as all zeros (--unknown ignore): plan (2)\n")  # fmt: skip
    # the all-zero one-hot block, as scikit-learn's handle_unknown="ignore"
    meta = model_meta(out)
    pre = Preprocessor.from_dict(meta["preprocessing"]["preprocessor"])
    X = pre.transform(read_csv(new, categorical=["plan"]), unknown="ignore")
    assert X[0, 1:4].tolist() == [0.0, 0.0, 0.0] and X[1, 1:4].tolist() == [0.0, 0.0, 1.0]
    p = load_model(out, network_only=True).predict(X.astype(np.float32))[:, 0]
    probs = [float(r[2]) for r in read_pred_csv(stdout)[1]]  # p(yes)
    np.testing.assert_allclose(probs, p, rtol=1e-5)


def test_an_unknown_value_message_lists_a_few_of_many(capsys, tmp_path):
    rows = [[i, f"city{i:03d}", "ab"[i % 2]] for i in range(300)]
    data = write_csv(tmp_path / "c.csv", ["x", "city", "y"], rows)
    out = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "y", "--out", out, *FAST)
    assert code == 0 and "the text column 'city' has 300 distinct values in 300 rows" in err
    new = write_csv(tmp_path / "n.csv", ["x", "city"], [[1, "atlantis"]])
    code, _, err = run(capsys, "predict", out, new)
    assert code == 2
    assert_one_line_error(err, "['atlantis']", "known categories: ['city000', 'city001'",
                          "(300 in all)")  # fmt: skip
    assert len(err) < 400


def test_a_cli_model_from_python_is_a_pipeline_that_takes_raw_rows(capsys, tmp_path, churn_csv):
    """load_pipeline gives what the command line predicts, from raw rows (a DataFrame, a
    dict of columns, a list of dicts, rows in column order), not class 0 for everything."""
    import pandas as pd

    from glassnet.io import Pipeline, load_pipeline

    out = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", churn_csv, "--target", "churn", "--impute", "mean",
                       "--id", "customer_id", "--out", out, *FAST)  # fmt: skip
    assert code == 0, err
    code, stdout, err = run(capsys, "predict", out, churn_csv, "--proba")
    assert code == 0
    header, rows = read_pred_csv(stdout)
    expected = [r[1] for r in rows]
    expected_p = np.array([[float(v) for v in r[2:]] for r in rows])
    pipe = load_pipeline(out)
    assert isinstance(pipe, Pipeline) and isinstance(pipe.network, gn.nn.Module)
    assert pipe.columns == ["age", "plan", "tenure"] and pipe.targets == ["churn"]
    df = pd.read_csv(churn_csv)  # missing cells are NaN: filled with the training values
    with pytest.warns(UserWarning, match=r"filled \d+ missing cell\(s\) of X"):  # (said)
        assert pipe.predict(df).tolist() == expected
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # (the same note, each call)
        np.testing.assert_allclose(pipe.predict_proba(df), expected_p, rtol=1e-5)
        assert pipe.predict(df.to_dict("list")).tolist() == expected
        assert pipe.predict(df.to_dict("records")).tolist() == expected
        assert pipe.predict(df[["age", "plan", "tenure"]].values.tolist()).tolist() == expected
    assert list(pipe.classes_) == ["no", "yes"]
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['plan'\]"):
        pipe.predict({"age": [1], "tenure": [2]})
    with pytest.raises(ModelFileError, match="no description from 'glassnet train'"):
        load_pipeline(save_model(gn.nn.MLP([2, 1], rng=0), tmp_path / "bare.glassnet"))


def test_a_regression_pipeline_predicts_in_the_targets_units(capsys, tmp_path, reg_csv):
    from glassnet.io import load_pipeline

    out = tmp_path / "r.glassnet"
    train(capsys, reg_csv, "price", out)
    code, stdout, _ = run(capsys, "predict", out, reg_csv)
    expected = [float(r[0]) for r in read_pred_csv(stdout)[1]]
    table = read_csv(reg_csv)
    X = {c: table.raw(c).tolist() for c in ("a", "b", "c")}
    np.testing.assert_allclose(load_pipeline(out).predict(X), expected, rtol=1e-5)


def test_progress_in_a_log_is_plain_lines(capsys, tmp_path, moons_csv, monkeypatch):
    """stderr that is not a terminal gets plain periodic lines: no carriage return, no escape."""
    monkeypatch.setattr(cli._LogProgress, "AFTER", 0.0)
    monkeypatch.setattr(cli._LogProgress, "EVERY", 0.0)
    code, _, err = run(capsys, "train", moons_csv, "--target", "side", "--epochs", "20",
                       "--hidden", "4", "--out", tmp_path / "m.glassnet")  # fmt: skip
    assert code == 0
    lines = err.splitlines()
    assert [line.split(",")[0] for line in lines] == [f"glassnet: epoch {e}/20" for e in
                                                      range(2, 21, 2)]  # fmt: skip
    assert "\r" not in err and "\x1b" not in err
    code, _, err = run(capsys, "train", moons_csv, "--target", "side", "--epochs", "20",
                       "--hidden", "4", "--out", tmp_path / "m.glassnet", "-q")  # fmt: skip
    assert code == 0 and err == ""


def test_a_held_out_score_worse_than_the_mean_is_warned_about(capsys, tmp_path):
    """Noise to learn: the held-out R^2 is below 0 and train says what to change."""
    rng = np.random.default_rng(0)
    rows = [[*np.round(rng.normal(size=4), 3), round(float(rng.normal()), 3)] for _ in range(60)]
    data = write_csv(tmp_path / "noise.csv", ["a", "b", "c", "d", "y"], rows)
    code, out, err = run(capsys, "train", data, "--target", "y", "--epochs", "200", "-q",
                         "--out", tmp_path / "m.glassnet")  # fmt: skip
    assert code == 0
    r2 = float(out.split("R^2 ")[1].split(",")[0])
    assert r2 < 0
    assert err.startswith(f"glassnet: warning: the held-out R^2 of 'y' is {r2:.3g}")
    assert "--early-stopping" in err and len(err.splitlines()) == 1


@pytest.fixture
def wide_model(capsys, tmp_path):
    """A 13-64-3 classifier: too wide for the full trace."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 13))
    rows = [[*np.round(x, 3), f"c{int(np.argmax(x[:3]))}"] for x in X]
    data = write_csv(tmp_path / "w.csv", [f"f{i}" for i in range(13)] + ["cls"], rows)
    out = tmp_path / "w.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "cls", "--hidden", "64",
                       "--epochs", "5", "-q", "--out", out)  # fmt: skip
    assert code == 0, err
    return out, data


def test_explain_is_compact_for_a_wide_network(capsys, wide_model):
    out, data = wide_model
    code, full, _ = run(capsys, "explain", out, "--row", "2", data, "--full")
    assert code == 0 and len(full.splitlines()) > 1000
    code, text, err = run(capsys, "explain", out, "--row", "2", data)
    assert code == 0, err
    lines = text.splitlines()
    assert len(lines) < 30 and max(map(len, lines[1:])) < 200  # (line 1: the path, 13 cells)
    assert "layer 1: 64 neurons (relu), 13 inputs" in text and "... 59 more neurons" in text
    assert "layer 2: 3 neurons (softmax), 64 inputs" in text
    code, text, _ = run(capsys, "explain", out, "--row", "2", data, "--layer", "1", "--top", "2")
    assert code == 0 and "... " not in text.split("layer 1:")[1]  # all 64 neurons
    assert len(text.split("layer 1:")[1].splitlines()) == 1 + 1 + 64


def test_explain_one_neuron_adds_up(capsys, wide_model):
    """--layer L --neuron J: z is its bias plus the terms w * input, as the model computes."""
    out, data = wide_model
    code, text, err = run(capsys, "explain", out, "--row", "1", data, "--layer", "1",
                          "--neuron", "3", "--top", "13")  # fmt: skip
    assert code == 0, err
    net = load_model(out, network_only=True)
    pre = Preprocessor.from_dict(model_meta(out)["preprocessing"]["preprocessor"])
    x = pre.transform(read_csv(data, target="cls"))[0]  # (13,)
    W, b = net.layers[0].W.data.astype(np.float64), net.layers[0].b.data.astype(np.float64)
    z = float(b[2] + x @ W[:, 2])
    line = next(x for x in text.splitlines() if x.strip().startswith("z = b + sum"))
    assert line.endswith(f"= {cli._num(z)}")
    assert "(+ " not in line  # --top 13: every term shown
    largest = int(np.argmax(np.abs(W[:, 2] * x)))
    assert line.split(" = ")[2].split(" + ", 1)[1].startswith(f"f{largest} ")
    for bad, message in [
        (["--neuron", "3"], "--neuron needs --layer"),
        (["--layer", "3"], "--layer 3: the network has layers 1 to 2"),
        (["--layer", "2", "--neuron", "4"], "--neuron 4: layer 2 has neurons 1 to 3"),
    ]:
        code, stdout, err = run(capsys, "explain", out, "--row", "1", data, *bad)
        assert code == 2
        assert_one_line_error(err, message)
        assert stdout == ""  # (the row and its prediction were printed before the error)


def test_explain_l2_shows_the_penalty_in_the_gradients(capsys, wide_model):
    """explain had no --l2: a model trained with 'train --l2' could not be traced with the
    penalty's gradient l2/N * w; now each weight's gradient has it (N = 1, the row)."""
    out, data = wide_model
    code, text, err = run(capsys, "explain", out, "--row", "1", data, "--layer", "1",
                          "--neuron", "3", "--l2", "0.5")  # fmt: skip
    assert code == 0, err
    assert "dL/dw_i = input_i * dL/dz + 0.5 * w_i (--l2), largest:" in text
    assert "(with the L2 penalty, " in next(x for x in text.splitlines() if "loss L =" in x)
    code, plain, err = run(capsys, "explain", out, "--row", "1", data, "--layer", "1",
                           "--neuron", "3")  # fmt: skip
    assert code == 0 and "--l2" not in plain and "penalty" not in plain
    W = load_model(out, network_only=True).layers[0].W.data[:, 2].astype(np.float64)

    def grads(t: str) -> dict[str, str]:
        line = next(x for x in t.splitlines() if "dL/dw_i" in x)
        terms = line.split("largest: ")[1].split(" (+")[0].split(", ")  # 'f3 0.123'
        return dict(p.rsplit(" ", 1) for p in terms)

    with_l2, without = grads(text), grads(plain)
    assert len(set(with_l2) & set(without)) >= 2
    for name in set(with_l2) & set(without):
        j = int(name[1:])
        assert float(with_l2[name]) == pytest.approx(float(without[name]) + 0.5 * W[j], abs=2e-3)
    code, _, err = run(capsys, "explain", out, "--row", "1", data, "--l2", "-1")
    assert code == 2
    assert_one_line_error(err, "--l2")


def test_train_removes_the_leftover_of_a_killed_save(capsys, tmp_path, moons_csv):
    """A save killed outright leaves .NAME.PID.hTAG.XXXXXXXX.tmp; the next save of the same
    model removes it (and leaves other files' temporaries alone)."""
    from glassnet.files import temporary_prefix

    out = tmp_path / "m.glassnet"
    # no process 99999999 can exist; the tag is this machine's (another's waits a day)
    tag = temporary_prefix(out).split(".")[-2]
    dead = tmp_path / f".m.glassnet.99999999.{tag}.k1ll3d00.tmp"
    other = tmp_path / f".other.glassnet.99999999.{tag}.k1ll3d00.tmp"
    dead.write_bytes(b"half a model")
    other.write_bytes(b"half another")
    train(capsys, moons_csv, "side", out)
    assert not dead.exists() and other.exists() and out.is_file()


def test_patience_without_early_stopping_is_refused_not_ignored(capsys, tmp_path, moons_csv):
    """--patience 5 alone trained every --epochs, no early stopping, silently."""
    out = tmp_path / "m.glassnet"
    code, _, err = run(
        capsys, "train", moons_csv, "--target", "side", "--out", out, "--patience", "5", *FAST
    )
    assert code == 2
    assert_one_line_error(err, "--patience 5", "add --early-stopping")
    assert not out.exists()
    train(capsys, moons_csv, "side", out, "--early-stopping", "--epochs", "3")
    assert model_meta(out)["training"]["patience"] == 10  # (the default, as before)


# ------------------------------------------------------------------ messages that say what to do


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_keeps_the_exit_status_of_a_users_mistake(capsys, tmp_path, where):
    """A user's mistake exits 2 with or without --debug; --debug adds the traceback."""
    argv = ["train", str(tmp_path / "missing.csv"), "--target", "y"]
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert_one_line_error(err, "no such file")
    debug = ["--debug", *argv] if where == "before" else [*argv, "--debug"]
    code, _, err = run(capsys, *debug)
    assert code == 2
    assert err.startswith("Traceback (most recent call last):")
    assert err.splitlines()[-1].startswith("glassnet: error: no such file")


def test_a_repeated_hidden_is_not_silently_dropped(capsys, tmp_path, reg_csv):
    out = tmp_path / "m.glassnet"
    argv = ["train", reg_csv, "--target", "price", "--out", out, "--epochs", "2", "-q"]
    code, stdout, err = run(capsys, *argv, "--hidden", "8", "--hidden", "16")
    assert code == 0 and "MLP 3 -> 16 -> 1" in stdout  # the last one counts, as before
    assert (
        "glassnet: warning: --hidden was given 2 times (8, then 16): only the last one, "
        "--hidden 16, was used; for one hidden layer per width give them in one option, "
        "--hidden 8,16"
    ) in err
    code, stdout, err = run(capsys, *argv, "--hidden", "8")
    assert code == 0 and "was given" not in err


@pytest.mark.parametrize(
    ("extra", "needles"),
    [
        (
            ["--l2", "1e300"],
            ("with --l2 1e+300 over batches of 32 rows, the penalty's gradient",
             "overflows float32", "use a much smaller --l2"),
        ),
        (
            ["--l2", "1000", "--optimizer", "sgd"],
            ("with --lr 0.1 and batches of 32 rows, --l2 1000 takes 3.12 times each weight",
             "keep --lr * --l2 / 32 below 2"),
        ),
    ],
)  # fmt: skip
def test_divergence_from_a_huge_l2_names_the_l2(capsys, tmp_path, reg_csv, extra, needles):
    out = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", reg_csv, "--target", "price", "--out", out, *FAST, *extra)
    assert code == 1
    assert_one_line_error(err, "training diverged", "The L2 penalty is the likely cause", *needles)
    assert "smaller learning rate" not in err and "smaller --lr (now" not in err
    assert "No model was written." in err and not out.exists()


def test_divergence_from_a_huge_learning_rate_still_names_it(capsys, tmp_path, reg_csv):
    out = tmp_path / "m.glassnet"
    argv = ["train", reg_csv, "--target", "price", "--out", out, *FAST, "--optimizer", "sgd"]
    code, _, err = run(capsys, *argv, "--lr", "1e30", "--l2", "0.001", "--no-standardize")
    assert code == 1
    assert_one_line_error(err, "diverged", "Try a smaller --lr (now 1e+30)")
    assert "leave out --no-standardize" in err and "No model was written." in err
    assert "L2" not in err and "The model keeps" not in err and "fit:" not in err


def test_info_on_an_onnx_file_says_what_it_is(capsys, tmp_path):
    path = tmp_path / "model.onnx"
    path.write_bytes(b"\x08\x09\x12\x08glassnet\x1a\x050.1.0" + bytes(300))
    code, _, err = run(capsys, "info", path)
    assert code == 2
    assert_one_line_error(
        err, "it looks like an ONNX model (as 'glassnet export' writes), not a glassnet model file",
        "(.safetensors", "give the model file it was exported from",
    )  # fmt: skip
    assert "header length" not in err


def test_export_of_a_regression_model_claims_no_labels(capsys, tmp_path, reg_csv, moons_csv):
    pytest.importorskip("onnxruntime")
    model = tmp_path / "r.glassnet"
    train(capsys, reg_csv, "price", model)
    code, stdout, err = run(capsys, "export", model, tmp_path / "r.onnx")
    assert code == 0, err
    checked = stdout.splitlines()[1]
    assert checked.startswith("checked  onnxruntime") and "values within" in checked
    assert "labels" not in checked
    train(capsys, moons_csv, "side", model)
    code, stdout, err = run(capsys, "export", model, tmp_path / "c.onnx")
    assert code == 0, err
    assert "64 random rows, labels equal, values within" in stdout  # a classifier has labels


def test_a_read_only_output_is_never_replaced(capsys, tmp_path, reg_csv):
    """A file made read-only (mode 0444) is left as it is, even by root (who may write any
    file) and with --force: the user meant to protect it."""
    kept = tmp_path / "kept.glassnet"
    train(capsys, reg_csv, "price", kept)
    preds = tmp_path / "preds.csv"
    preds.write_text("price\n1\n")
    for path in (kept, preds):
        os.chmod(path, 0o444)
    before = kept.read_bytes()
    argv = ["train", reg_csv, "--target", "price", *FAST]
    for extra in ([], ["--force"]):
        code, _, err = run(capsys, *argv, "--out", kept, *extra)
        assert code == 2
        assert_one_line_error(
            err, f"cannot write the model file '{kept}': the file is read-only",
            "(--force does not replace it)", f"chmod u+w '{kept}'", "or choose another path",
        )  # fmt: skip
        assert kept.read_bytes() == before
    other = tmp_path / "other.glassnet"
    train(capsys, reg_csv, "price", other)
    code, _, err = run(capsys, "predict", other, reg_csv, "--out", preds)
    assert code == 2
    assert_one_line_error(err, f"predictions file '{preds}': the file is read-only")
    assert preds.read_text() == "price\n1\n"


def test_jit_command_compiles_the_kernels_or_says_how_to_get_numba(capsys, monkeypatch):
    from glassnet import jit

    monkeypatch.setattr(jit, "warmup", lambda: {"float32": 1.25, "float64": 0.5})
    monkeypatch.setattr(jit, "available", lambda: True)
    code, out, err = run(capsys, "jit")
    assert code == 0 and err == ""
    assert out.splitlines() == [
        "glassnet.jit: float32 kernels ready in 1.2 s",
        "glassnet.jit: float64 kernels ready in 0.5 s",
    ]
    monkeypatch.setattr(jit, "available", lambda: False)
    code, _, err = run(capsys, "jit")
    assert code == 1
    assert_one_line_error(err, 'glassnet jit needs numba: pip install "glassnet[jit]"')


def test_python_m_glassnet_jit_runs_without_a_warning(tmp_path):
    """'glassnet jit' (and python -m glassnet jit) is the documented command: no runpy
    warning that glassnet.jit was imported before it ran, as 'python -m glassnet.jit' has."""
    env = {**os.environ, "PYTHONWARNINGS": "default"}
    code = (
        "import sys, runpy\n"
        "from glassnet import jit\n"
        "jit.available = lambda: True\n"
        "jit.warmup = lambda: {'float64': 0.0}\n"
        "sys.argv = ['glassnet', 'jit']\n"
        "runpy.run_module('glassnet', run_name='__main__')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env,
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "glassnet.jit: float64 kernels ready in 0.0 s\n"
    assert proc.stderr == ""


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc")
def test_an_output_where_no_file_can_be_made_is_refused_before_training(capsys, reg_csv):
    """/proc takes no new file, even from root (whom os.access lets write anywhere): the
    run is refused before it trains, not after."""
    code, out, err = run(capsys, "train", reg_csv, "--target", "price", "--out", "/proc/m.gn")
    assert code == 2 and out == ""
    assert_one_line_error(
        err, "cannot write the model file '/proc/m.gn': cannot create a file in '/proc'",
        "choose a path in a directory you can write to",
    )  # fmt: skip


def test_resume_names_a_checkpoint_whose_settings_are_not_an_object(capsys, tmp_path, moons_csv):
    # a hand-edited checkpoint's "settings": [] was "internal error (AttributeError: 'list'
    # object has no attribute 'get')"
    from glassnet.io import save_checkpoint

    out, ck = tmp_path / "m.glassnet", tmp_path / "run.ckpt"
    base = ["train", moons_csv, "--target", "side", "--out", out, "--checkpoint", ck, *FAST]
    assert run(capsys, *base, "--checkpoint-every", "4")[0] == 0
    model, optim, meta = load_checkpoint(ck)
    save_checkpoint(ck, model, optim, {**meta, "settings": ["lr", 0.5]})
    code, _, err = run(capsys, *base, "--resume")
    assert code == 2
    assert_one_line_error(err, "run.ckpt", "settings must be a JSON object", "got list")


@pytest.mark.parametrize("edit", [{"epoch": "4"}, {"loss": 3}, {"seconds": None}, {"epoch": True}])
def test_resume_names_a_checkpoint_whose_run_state_has_a_field_of_the_wrong_kind(
    capsys, tmp_path, moons_csv, edit
):
    # each was "internal error (TypeError ...)"
    from glassnet.io import save_checkpoint

    out, ck = tmp_path / "m.glassnet", tmp_path / "run.ckpt"
    base = ["train", moons_csv, "--target", "side", "--out", out, "--checkpoint", ck, *FAST]
    assert run(capsys, *base, "--checkpoint-every", "4")[0] == 0
    model, optim, meta = load_checkpoint(ck)
    save_checkpoint(ck, model, optim, {**meta, "state": {**meta["state"], **edit}})
    code, _, err = run(capsys, *base, "--resume")
    assert code == 2
    assert_one_line_error(err, "run.ckpt", "run state holds", next(iter(edit)))
