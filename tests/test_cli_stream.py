"""``glassnet train DATA.csv --stream``: training on a CSV file read in chunks.

The streamed model file is read by predict, evaluate, explain, info and export like an
in-memory one; on a file that fits in memory the streamed statistics (scaling, categories,
classes, the target's scaling) equal the in-memory ones and the accuracy is comparable;
the options a stream cannot honour are one-line errors."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import run, write_csv

from glassnet import cli
from glassnet.cli import classification_metrics, main, regression_metrics
from glassnet.io import load_arrays, load_checkpoint
from glassnet.train import Callback

pytest.importorskip("pyarrow")

FAST = ["--epochs", "6", "--hidden", "16", "--seed", "3", "-q"]


def make_rows(n: int, seed: int) -> tuple[list[str], list[list[object]]]:
    """Three number columns on different scales, a colour, a yes/no label, a price."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3)) * [1.0, 5.0, 0.1] + [0.0, 10.0, -2.0]
    color = rng.choice(["red", "green", "blue"], n)
    label = np.where(X[:, 0] + (X[:, 1] - 10) / 5 + (color == "red") > 0.5, "yes", "no")
    price = 3 * X[:, 0] + 10 * X[:, 2] + 2 * (color == "blue") + 50 + 0.1 * rng.standard_normal(n)
    rows = [
        [f"{a:.6f}", f"{b:.6f}", f"{c:.6f}", k, t, f"{p:.6f}"]
        for (a, b, c), k, t, p in zip(X, color, label, price)
    ]
    return ["a", "b", "c", "color", "label", "price"], rows


@pytest.fixture
def data(tmp_path: Path) -> Path:
    header, rows = make_rows(3000, 0)
    return write_csv(tmp_path / "train.csv", header, rows)


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    """New rows from the same distribution, for comparing models."""
    header, rows = make_rows(2000, 1)
    return write_csv(tmp_path / "fresh.csv", header, rows)


def train(capsys, data: Path, target: str, out: Path, *extra: object) -> str:
    fast = list(FAST)
    for flag in ("--epochs", "--hidden", "--seed"):  # (given twice: a warning; FAST's left out)
        if flag in extra:
            del fast[fast.index(flag) : fast.index(flag) + 2]
    code, stdout, err = run(capsys, "train", data, "--target", target, "--out", out, *fast, *extra)
    assert code == 0, err
    assert err == "", err
    return stdout


def meta_of(path: Path) -> dict:
    return load_arrays(path)[1]["meta"]


def pred_column(text: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(text)))
    return [r[0] for r in rows[1:]]


def accuracy(capsys, model: Path, data: Path) -> float:
    code, out, err = run(capsys, "evaluate", model, data)
    assert code == 0, err
    return float(out.split("accuracy")[1].split()[0])


def one_line_error(err: str, *needles: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("glassnet: error: "), err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


# ----------------------------------------------------------------------------- the model file


def test_streamed_model_file_works_with_every_command(capsys, tmp_path, data, fresh):
    model = tmp_path / "s.glassnet"
    out = train(capsys, data, "label", model, "--stream", "--buffer-size", "512")
    assert "(streamed): 3000 rows" in out and "binary classification of 'label'" in out
    meta = meta_of(model)
    assert meta["training"]["stream"] is True and meta["training"]["buffer_size"] == 512
    assert meta["target"]["labels"]["classes"] == ["no", "yes"]
    rows = meta["training"]["rows"]
    assert rows["train"] + rows["test"] == 3000 and 600 < rows["test"] < 900

    code, out, err = run(capsys, "predict", model, fresh)
    assert code == 0, err
    preds = pred_column(out)
    truth = [r[4] for r in make_rows(2000, 1)[1]]
    assert len(preds) == 2000 and set(preds) == {"no", "yes"}
    assert np.mean(np.array(preds) == np.array(truth)) > 0.9  # the classes decode right
    assert accuracy(capsys, model, fresh) > 0.9

    code, out, err = run(capsys, "info", model)
    assert code == 0, err
    assert "2 classes: no, yes" in out and "one-hot: blue, green, red" in out
    assert f"{rows['train']} train / 0 validation / {rows['test']} test" in out
    assert "--stream --buffer-size 512" in out

    code, out, err = run(capsys, "explain", model, "--row", "2", fresh)
    assert code == 0, err
    assert "prediction:" in out

    pytest.importorskip("onnxruntime")
    onnx_path = tmp_path / "s.onnx"
    code, out, err = run(capsys, "export", model, onnx_path)
    assert code == 0, err
    assert onnx_path.stat().st_size > 0 and "wrote" in out


def test_test_scores_are_those_of_the_documented_held_out_rows(capsys, tmp_path, data):
    """The stored test scores, summed chunk by chunk, equal classification_metrics /
    regression_metrics of the rows the model file says were held out (the file is one
    chunk: rows where default_rng([seed, 2, 0]).random(rows) < test_split)."""
    header, rows = make_rows(3000, 0)
    held = np.random.default_rng([3, 2, 0]).random(3000) < 0.3
    test_file = write_csv(tmp_path / "held.csv", header, [r for r, h in zip(rows, held) if h])
    for target in ("label", "price"):
        model = tmp_path / f"{target}.glassnet"
        train(capsys, data, target, model, "--stream", "--test-split", "0.3")
        meta = meta_of(model)
        assert meta["training"]["rows"]["test"] == held.sum()
        code, out, err = run(capsys, "predict", model, test_file)
        assert code == 0, err
        pred = pred_column(out)
        if target == "label":
            names = ["no", "yes"]
            t = np.array([names.index(r[4]) for r, h in zip(rows, held) if h])
            p = np.array([names.index(v) for v in pred])
            want = classification_metrics(t, p, 2)
            assert meta["test_metrics"] == want
        else:
            t = np.array([float(r[5]) for r, h in zip(rows, held) if h])
            want = regression_metrics(t, np.array(pred, dtype=np.float64))
            got = meta["test_metrics"]
            for k in ("mse", "mae", "r2"):  # predict prints 6 significant digits
                np.testing.assert_allclose(got[k], want[k], rtol=1e-4)


# ----------------------------------------------------------------------------- = in memory


def test_statistics_equal_the_in_memory_ones(capsys, tmp_path, data, fresh):
    """With no test split (the in-memory path's scaling then comes from every row, as the
    stream's does) the stored preprocessing, labels and target scaling are the same."""
    for target, extra in (("label", []), ("price", []), ("price", ["--no-standardize"])):
        mem, st = tmp_path / "mem.glassnet", tmp_path / "st.glassnet"
        train(capsys, data, target, mem, "--test-split", "0", *extra)
        train(capsys, data, target, st, "--test-split", "0", "--stream", *extra)
        a, b = meta_of(mem), meta_of(st)
        assert a["task"] == b["task"]
        pa_, pb = a["preprocessing"], b["preprocessing"]
        assert pa_["inputs"] == pb["inputs"] and pa_["standardize"] == pb["standardize"]
        da, db = pa_["preprocessor"], pb["preprocessor"]
        assert da["columns"] == db["columns"] and da["kinds"] == db["kinds"]
        assert da["encoder"] == db["encoder"]
        np.testing.assert_allclose(db["scaler"]["mean"], da["scaler"]["mean"], rtol=1e-12,
                                   atol=1e-12)  # fmt: skip
        np.testing.assert_allclose(db["scaler"]["scale"], da["scaler"]["scale"], rtol=1e-12)
        assert a["target"]["labels"] == b["target"]["labels"]
        if a["target"]["scaler"] is None:
            assert b["target"]["scaler"] is None
        else:
            for k in ("mean", "scale"):
                np.testing.assert_allclose(b["target"]["scaler"][k], a["target"]["scaler"][k],
                                           rtol=1e-12)  # fmt: skip
    # comparable accuracy on new rows (different batch orders: not the same weights)
    mem, st = tmp_path / "mem.glassnet", tmp_path / "st.glassnet"
    train(capsys, data, "label", mem)
    train(capsys, data, "label", st, "--stream", "--buffer-size", "4096")
    acc_mem, acc_st = accuracy(capsys, mem, fresh), accuracy(capsys, st, fresh)
    assert acc_st > 0.95 and abs(acc_st - acc_mem) < 0.02, (acc_mem, acc_st)


def test_task_inference_matches_the_in_memory_path(capsys, tmp_path):
    """Whole numbers (even written 0.0/1.0) are classes, an integer target with more than
    20 values a regression, --task overrides: the same decisions with and without --stream."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((400, 2))
    cases = {
        "int3": ["multiclass", np.digitize(X[:, 0], [-0.5, 0.5])],
        "float01": ["binary", [f"{v:.1f}" for v in (X[:, 0] > 0).astype(float)]],
        "int50": ["regression", np.clip((X[:, 0] * 10).round().astype(int), -25, 24)],
        "real": ["regression", [f"{v:.4f}" for v in X[:, 0] + X[:, 1]]],
    }
    for name, (want, y) in cases.items():
        path = write_csv(tmp_path / f"{name}.csv", ["p", "q", "y"],
                         [[f"{a:.4f}", f"{b:.4f}", t] for (a, b), t in zip(X, y)])  # fmt: skip
        for extra in ([], ["--stream"]):
            model = tmp_path / f"{name}{len(extra)}.glassnet"
            train(capsys, path, "y", model, "--test-split", "0", *extra)
            m = meta_of(model)
            assert m["task"]["name"] == want, (name, extra)
            if not extra:
                first = m
        assert m["target"]["labels"] == first["target"]["labels"], name
    path = tmp_path / "real.csv"
    code, _, err = run(capsys, "train", path, "--target", "y", "--stream", "--task", "binary",
                       "--out", tmp_path / "x.glassnet", *FAST)  # fmt: skip
    assert code == 2  # many float "classes" for a binary task
    one_line_error(err, "--task binary needs 2 classes")


def test_the_target_s_kind_is_decided_from_the_cells_as_the_stream_reads_them(capsys, tmp_path):
    """The first block is read with the stream's missing cells: "#N/A" is text for both (it
    was null for the first look, pyarrow's default, so the target looked numeric and the
    stream then refused it as text). Since round 26 a spreadsheet formula error is no class
    of its own (as the in-memory path refuses it): the error names it, read as text."""
    rows = [[str(i), v] for i, v in enumerate(["0.5", "1.5", "#N/A", "2.5"] * 5)]
    path = write_csv(tmp_path / "t.csv", ["x", "y"], rows)
    model = tmp_path / "t.glassnet"
    code, _, err = run(
        capsys, "train", path, "--target", "y", "--out", model, *FAST, "--test-split", "0",
        "--stream",
    )  # fmt: skip
    assert code == 2 and "'#N/A' (5 cell(s))" in err and "formula error" in err, err
    rows = [[str(i), v] for i, v in enumerate(["0.5", "1.5", "n.a.", "2.5"] * 5)]
    path = write_csv(tmp_path / "t.csv", ["x", "y"], rows)
    train(capsys, path, "y", model, "--test-split", "0", "--stream")
    assert meta_of(model)["task"]["name"] == "multiclass"


def test_same_seed_same_weights(capsys, tmp_path, data):
    """A streamed run is reproducible: the buffer's shuffle and the test rows come from the
    seed."""
    a, b = tmp_path / "a.glassnet", tmp_path / "b.glassnet"
    train(capsys, data, "label", a, "--stream", "--buffer-size", "300")
    train(capsys, data, "label", b, "--stream", "--buffer-size", "300")
    wa, wb = load_arrays(a)[0], load_arrays(b)[0]
    assert wa.keys() == wb.keys()
    for k in wa:
        np.testing.assert_array_equal(wa[k], wb[k])


# ----------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    "extra, needle",
    [
        (["--impute", "mean"], "--impute cannot be combined with --stream"),
        (["--val-split", "0.2"], "no --validation FILE option"),
        (["--early-stopping"], "--early-stopping cannot be combined with --stream"),
        (["--drop", "a"], "--drop cannot be combined with --stream"),
        (["--id", "a"], "--id cannot be combined with --stream"),
        (["--multiline-cells"], "--multiline-cells cannot be combined"),
        (["--batch-size", "0"], "--batch-size 0"),
        (["--delimiter", ";"], "--delimiter ';' splits no column"),
        (["--task", "multioutput_regression"], "one --target column"),
        (["--task", "regression", "--target", "color"], "--task regression needs a numeric"),
    ],
)
def test_options_a_stream_cannot_honour_are_one_line_errors(capsys, tmp_path, data, extra,
                                                            needle):  # fmt: skip
    out = tmp_path / "never.glassnet"
    target = [] if "--target" in extra else ["--target", "label"]  # (given once: twice is refused)
    argv = ["train", data, *target, "--stream", "--out", out, *FAST, *extra]
    code, stdout, err = run(capsys, *argv)
    assert code == 2 and stdout == ""
    one_line_error(err, needle)
    assert not out.exists()


def test_bad_files_and_flags_are_one_line_errors(capsys, tmp_path, data):
    out = tmp_path / "never.glassnet"

    def bad(*argv: object) -> str:
        code, _, err = run(capsys, "train", *argv, "--out", out, *FAST)
        assert code == 2
        assert not out.exists()
        return one_line_error(err)

    assert "add --stream" in bad(data, "--target", "label", "--buffer-size", "100")
    assert "--dataset cannot be combined" in bad("--dataset", "xor", "--stream")
    assert "one --target column" in bad(data, "--target", "a,b", "--stream")
    assert "not in" in bad(data, "--target", "nope", "--stream")
    assert "does not exist" in bad(tmp_path / "missing.csv", "--target", "y", "--stream")
    assert "name the column to predict" in bad(data, "--stream")
    text = data.read_text().splitlines()
    cells = text[5].split(",")
    cells[1] = ""
    holes = tmp_path / "holes.csv"
    holes.write_text("\n".join([*text[:5], ",".join(cells), *text[6:]]) + "\n")
    message = bad(holes, "--target", "label", "--stream")
    assert "empty values" in message and message.count("holes.csv") == 1, message
    single = write_csv(tmp_path / "single.csv", ["a", "y"], [[i, "x"] for i in range(50)])
    assert "single class" in bad(single, "--target", "y", "--stream")


def test_a_tsv_file_streams_as_it_trains_in_memory(capsys, tmp_path, data):
    """Read with tabs by --stream's look at the target as by the stream itself."""
    tsv = tmp_path / "train.tsv"
    tsv.write_text(data.read_text().replace(",", "\t"))
    out = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", tsv, "--target", "label", "--stream", "--out", out, *FAST)
    assert code == 0, err
    assert out.exists()


def test_columns_the_stream_would_read_otherwise_than_predict_are_refused(capsys, tmp_path):
    """pyarrow reads true/false as booleans and ISO dates as dates, which the stream would
    turn into numbers while predict reads them as text categories: refused, naming the
    column, rather than a model file that predict then rejects."""
    rows = [["true" if i % 3 else "false", f"2024-01-{i % 28 + 1:02d}", i / 7, "ab"[i % 2]]
            for i in range(60)]  # fmt: skip
    path = write_csv(tmp_path / "odd.csv", ["flag", "day", "x", "y"], rows)
    out = tmp_path / "never.glassnet"
    code, _, err = run(capsys, "train", path, "--target", "y", "--stream", "--out", out, *FAST)
    assert code == 2 and not out.exists()
    one_line_error(err, "'flag'", "bool")
    rows = [[f"2024-01-{i % 28 + 1:02d}", i / 7, "ab"[i % 2]] for i in range(60)]
    path = write_csv(tmp_path / "day.csv", ["day", "x", "y"], rows)
    code, _, err = run(capsys, "train", path, "--target", "y", "--stream", "--out", out, *FAST)
    assert code == 2 and not out.exists()
    one_line_error(err, "'day'", "date")


def test_checkpoint_and_resume_give_the_uninterrupted_weights(capsys, tmp_path, data):
    """A streamed run stopped after 2 epochs and resumed to 4 ends with the weights of a run
    of 4 epochs: epoch e's shuffle buffer draws from default_rng([seed, 0, e])."""
    a, b = tmp_path / "a.glassnet", tmp_path / "b.glassnet"
    base = ["--stream", "--buffer-size", "700", "--seed", "1"]
    code, _, err = run(capsys, "train", data, "--target", "price", "--out", a, "--hidden", "8",
                       "-q", "--epochs", "4", *base)  # fmt: skip
    assert code == 0, err
    cmd = ["train", data, "--target", "price", "--out", b, "--hidden", "8", "-q", *base]
    assert run(capsys, *cmd, "--epochs", "2", "--checkpoint-every", "1")[0] == 0
    assert load_checkpoint(tmp_path / "b.glassnet.ckpt").meta["state"]["epoch"] == 2
    code, out, err = run(capsys, *cmd, "--epochs", "4", "--resume")
    assert code == 0, err
    assert "resuming after epoch 2" in out
    wa, wb = load_arrays(a)[0], load_arrays(b)[0]
    for k in wa:
        np.testing.assert_array_equal(wa[k], wb[k])
    ha, hb = meta_of(a)["history"], meta_of(b)["history"]
    assert ha["loss"] == hb["loss"] and hb["epoch"] == 4
    assert meta_of(a)["test_metrics"] == meta_of(b)["test_metrics"]
    # other settings, or another file, are refused
    code, _, err = run(capsys, *cmd, "--epochs", "4", "--resume", "--lr", "0.5")
    assert code == 2
    one_line_error(err, "other settings", "lr")
    code, _, err = run(capsys, *cmd, "--epochs", "4", "--resume", "--buffer-size", "800")
    assert code == 2
    one_line_error(err, "other settings", "buffer_size")
    header, rows = make_rows(3000, 5)
    other = write_csv(tmp_path / "other.csv", header, rows)
    cmd[1] = other
    code, _, err = run(capsys, *cmd, "--epochs", "4", "--resume", "--checkpoint",
                       tmp_path / "b.glassnet.ckpt")  # fmt: skip
    assert code == 2
    one_line_error(err, "training data differ")


class CtrlC(Callback):
    """Presses Ctrl-C during a step of epoch 3."""

    def on_step_end(self, state):
        if state.epoch == 3:
            raise KeyboardInterrupt


def test_ctrl_c_saves_the_weights_so_far_and_resume_finishes_the_run(
    capsys, tmp_path, data, monkeypatch
):
    """Ctrl-C: the model file holds the weights so far (exit 130), the held-out rows are not
    scored (another pass over the file), and --resume from the last checkpoint (epoch 2)
    ends with the weights of a run that was never stopped."""
    a, b = tmp_path / "a.glassnet", tmp_path / "b.glassnet"
    common = ["train", data, "--target", "label", "--stream", "--buffer-size", "1000",
              "--hidden", "8", "--epochs", "5", "--checkpoint-every", "2", "-q"]  # fmt: skip
    assert run(capsys, *common, "--out", a)[0] == 0
    real_fit = cli.fit

    def interrupted_fit(*args, **kwargs):
        kwargs["callbacks"] = [*kwargs["callbacks"], CtrlC()]
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(cli, "fit", interrupted_fit)
    code, out, err = run(capsys, *common, "--out", b)
    assert code == 130, err
    assert "training was interrupted" in out and "--resume" in out
    assert "held-out rows were not scored" in err
    meta = meta_of(b)
    assert meta["history"]["stop_reason"] == "interrupted" and meta["test_metrics"] is None
    assert meta["training"]["rows"]["test"] is None
    assert load_checkpoint(tmp_path / "b.glassnet.ckpt").meta["state"]["epoch"] == 2
    monkeypatch.setattr(cli, "fit", real_fit)
    code, out, err = run(capsys, *common, "--out", b, "--resume")
    assert code == 0, err
    wa, wb = load_arrays(a)[0], load_arrays(b)[0]
    for k in wa:
        np.testing.assert_array_equal(wa[k], wb[k])
    assert meta_of(a)["test_metrics"] == meta_of(b)["test_metrics"]


def test_under_mpiexec_the_weights_of_one_process(tmp_path, data):
    """`mpiexec -n 2 glassnet train --stream`: each rank reads the stream and runs its shard
    of every global batch; in float64 the weights are those of one process, and rank 0
    alone prints and writes the model file."""
    pytest.importorskip("mpi4py")
    mpiexec = shutil.which("mpiexec")
    if mpiexec is None:
        pytest.skip("mpiexec not found (pip install 'glassnet[mpi]' brings MPICH's)")
    args = ["train", str(data), "--target", "price", "--stream", "--buffer-size", "800",
            "--epochs", "2", "--hidden", "8", "--dtype", "float64", "-q"]  # fmt: skip
    one, two = tmp_path / "one.glassnet", tmp_path / "two.glassnet"
    proc = subprocess.run(
        [mpiexec, "-n", "2", sys.executable, "-m", "glassnet", *args, "--out", str(two)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.count("saved") == 1
    assert main([*args, "--out", str(one)]) == 0
    wa, wb = load_arrays(one)[0], load_arrays(two)[0]
    for k in wa:
        np.testing.assert_allclose(wb[k], wa[k], rtol=0, atol=1e-12)
    assert meta_of(one)["test_metrics"]["r2"] == pytest.approx(meta_of(two)["test_metrics"]["r2"])


def test_integer_target_with_many_values_later_is_a_regression(capsys, tmp_path):
    """The first 4 MB block shows 5 whole-number values (classes, by the first look), the
    rest 60: more than 20, so a regression as in memory, by a second statistics pass that
    gives y's mean and standard deviation."""
    rng = np.random.default_rng(0)
    n = 420_000  # rows of 11 bytes: the first 4 MB block is 381,300 rows
    y = np.where(np.arange(n) < 395_000, rng.integers(0, 5, n), rng.integers(0, 60, n))
    path = tmp_path / "late.csv"
    with open(path, "w") as f:
        f.write("p,y\n")
        f.write("".join(f"{i % 997 / 997:.6f},{v}\n" for i, v in enumerate(y)))
    out = tmp_path / "late.glassnet"
    code, stdout, err = run(capsys, "train", path, "--target", "y", "--stream", "--out", out,
                            "--epochs", "1", "--hidden", "4", "--batch-size", "4096", "-q",
                            "--test-split", "0")  # fmt: skip
    assert code == 0, err
    assert "2 statistics passes" in stdout and "task      regression of 'y'" in stdout
    scaler = meta_of(out)["target"]["scaler"]
    np.testing.assert_allclose(scaler["mean"], [y.mean()], rtol=1e-12)
    np.testing.assert_allclose(scaler["scale"], [y.std()], rtol=1e-12)


@pytest.mark.parametrize("bad", ["?", "-", "$1,013"])
def test_a_number_column_with_a_text_cell_is_refused_not_one_hot_encoded(tmp_path, capsys, bad):
    """One '?' among numbers made pyarrow read the column as text: the stream one-hot
    encoded ~300 numbers as categories, where the in-memory path names the cell."""
    header, rows = make_rows(300, 0)
    rows[10][1] = bad
    data = write_csv(tmp_path / "d.csv", header, rows)
    out = tmp_path / "m.glassnet"
    code = main(["train", str(data), "--target", "label", "--stream", "--out", str(out), *FAST])
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("glassnet: error: "), err
    assert "column 'b'" in err and repr(bad) in err and "drop --stream" in err
    assert not out.exists()
    # a text column of codes stays text
    for r in rows:
        r[1] = f"code{r[1]}"
    data = write_csv(tmp_path / "codes.csv", header, rows)
    code = main(["train", str(data), "--target", "label", "--stream", "--out", str(out), *FAST])
    assert code == 0, capsys.readouterr().err


@pytest.mark.parametrize(
    "layout, needles",
    [
        ("sep-line", ["'sep=,' line", "delete that line"]),
        ("unnamed", ["column 2", "no name"]),
        ("duplicate", ["'a' twice"]),
    ],
)
def test_a_header_the_stream_cannot_read_is_a_one_line_error(capsys, tmp_path, layout, needles):
    """A "sep=," first line was read as the header (a pyarrow parse error); an unnamed
    column trained on a column named '' (which predict refuses); a repeated name was an
    internal error. (A delimiter ending every line, a spreadsheet's empty unnamed last
    column, is left out as in memory: tests/test_cli_round7b.py.)"""
    header, rows = make_rows(200, 0)
    lines = [",".join(r) for r in [header, *rows]]
    if layout == "sep-line":
        lines.insert(0, "sep=,")
    elif layout == "unnamed":
        lines[0] = lines[0].replace(",b,", ",,")
    else:
        lines[0] = lines[0].replace(",b,", ",a,")
    data = tmp_path / "d.csv"
    data.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")
    out = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--stream", "--out", out, *FAST)
    assert code == 2, err
    one_line_error(err, *needles, "--stream" if layout != "duplicate" else "own name")
    assert not out.exists()


def test_a_file_that_is_not_utf8_is_named_as_in_memory(capsys, tmp_path):
    """UTF-16 was "'utf-8' codec can't decode byte 0xff in position 0" (no file named); a
    Latin-1 column "is read as binary ... write it as numbers"."""
    header, rows = make_rows(200, 0)
    rows[4][3] = "rosé"
    text = "\n".join(",".join(r) for r in [header, *rows]) + "\n"
    out = tmp_path / "m.glassnet"
    for encoding, needles in (
        ("utf-16", ["u.csv' is UTF-16 text", "iconv"]),
        ("latin-1", ["l.csv' is not UTF-8", "(line 6)", "rosé", "iconv"]),
    ):
        data = tmp_path / f"{encoding[0]}.csv"
        data.write_bytes(text.encode(encoding))
        code, _, err = run(
            capsys, "train", data, "--target", "label", "--stream", "--out", out, *FAST
        )
        assert code == 2, err
        one_line_error(err, *needles)
        code, _, in_memory = run(capsys, "train", data, "--target", "label", "--out", out, *FAST)
        assert code == 2 and in_memory == err
    assert not out.exists()


def test_a_byte_that_is_not_utf8_past_the_first_block_says_what_to_do(capsys, tmp_path):
    """A Latin-1 cell after the first 4 MB: "CSV conversion error to string: invalid UTF8
    data", without a word on what to do."""
    body = "".join(f"{i % 97 / 10},{'rose' if i % 2 else 'lily'},{'ab'[i % 3 == 0]}\n"
                   for i in range(400_000))  # fmt: skip
    data = tmp_path / "late.csv"
    data.write_bytes(b"x,c,y\n" + body.encode() + "0.5,ros\xe9,a\n".encode("latin-1"))
    assert data.stat().st_size > 1 << 22
    out = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "y", "--stream", "--out", out, *FAST)
    assert code == 2, err
    one_line_error(err, "invalid UTF8", "save it as 'CSV UTF-8'", "iconv")
    assert not out.exists()


def test_missing_keeps_na_a_category_when_streamed_and_is_stored(capsys, tmp_path):
    """--missing '' makes a region code NA a category, in the stream as in memory; the texts
    are stored and reused by predict; a cell they name is a missing cell, an error naming
    its line (a stream trains on complete rows)."""
    rng = np.random.default_rng(0)
    region = rng.choice(["NA", "EU", "AS"], 600)
    rows = [
        [r, f"{v:.4f}", "yes" if r == "NA" else "no"] for r, v in zip(region, rng.normal(size=600))
    ]
    data = write_csv(tmp_path / "r.csv", ["region", "x", "label"], rows)
    model, mem = tmp_path / "s.glassnet", tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST,
                       "--stream")  # fmt: skip
    assert code == 2
    first = rows.index(next(r for r in rows if r[0] == "NA")) + 2  # (the header is line 1)
    one_line_error(err, f"line {first}: column 'region' has a missing value", "--missing ''")
    train(capsys, data, "label", model, "--stream", "--missing", "")
    train(capsys, data, "label", mem, "--test-split", "0", "--missing", "")
    for m in (model, mem):
        prep = meta_of(m)["preprocessing"]
        assert prep["missing"] == [""]
        assert prep["preprocessor"]["encoder"]["categories"] == [["AS", "EU", "NA"]]
    code, out, err = run(capsys, "predict", model, data)
    assert code == 0, err
    assert pred_column(out) == [r[2] for r in rows]
    code, _, err = run(capsys, "predict", model, data, "--missing", "?")
    assert code == 2 and "differs from the missing-cell texts the model" in err
    # "?" named: a missing cell where the file has one, not text that makes x a text column
    rows[7][1] = "?"
    data = write_csv(tmp_path / "q.csv", ["region", "x", "label"], rows)
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST,
                       "--stream", "--missing", "", "--missing", "?")  # fmt: skip
    assert code == 2
    one_line_error(err, "line 9: column 'x' has a missing value")
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST,
                       "--stream", "--missing", "thirteen-letters")  # fmt: skip
    assert code == 2
    one_line_error(err, "--missing holds 'thirteen-letters', of 15 letters", "drop --stream")


def test_a_stray_quote_is_refused_as_in_memory_not_trained_on(capsys, tmp_path):
    """--stream read a quote never closed as a cell holding the next lines: 15 rows run into
    one category, and training went on; in memory it is an error naming the line."""
    header, rows = make_rows(200, 0)
    rows[4][3] = '"red'
    rows[19][3] = 'blue"x'
    data = tmp_path / "stray.csv"
    data.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n")
    out = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--stream", "--out", out, *FAST)
    assert code == 2, err
    one_line_error(err, "stray.csv' line 6: column 'color'", "runs on across lines", "quote")
    assert "drop --stream and pass --multiline-cells" in err
    assert not out.exists()


def test_blanks_around_names_and_cells_are_read_as_in_memory(capsys, tmp_path):
    """'a , color , label' with cells ' red ': --stream trained on columns ' a ' and classes
    ' yes', a model file whose columns predict (which strips blanks) never found, not even
    in the file it was trained on."""
    header, rows = make_rows(300, 0)
    lines = [" , ".join(header)] + [" , ".join(r) for r in rows]
    data = tmp_path / "blanks.csv"
    data.write_text("\n".join(lines) + "\n")
    streamed, in_memory = tmp_path / "s.glassnet", tmp_path / "m.glassnet"
    train(capsys, data, "label", streamed, "--stream")
    train(capsys, data, "label", in_memory)
    s_pre, m_pre = (load_arrays(p)[1]["meta"]["preprocessing"] for p in (streamed, in_memory))
    features = ["a", "b", "c", "color", "price"]
    assert s_pre["preprocessor"]["columns"] == m_pre["preprocessor"]["columns"] == features
    assert s_pre["preprocessor"]["encoder"] == m_pre["preprocessor"]["encoder"]
    code, out, err = run(capsys, "predict", streamed, data)
    assert code == 0, err
    assert set(out.splitlines()[1:]) == {"yes", "no"}


@pytest.mark.parametrize(
    "layout, needles",
    [
        ("decimal-commas", ["column 'a'", "written with a comma", "--decimal ,"]),
        ("ragged", ["d.csv' line 7 has 7 cells where the header names 6", "one cell per column"]),
    ],
)
def test_a_file_the_stream_cannot_split_says_where_and_what_to_do(
    capsys, tmp_path, layout, needles
):
    """pyarrow's own words: "CSV parse error: Expected 1 columns, got 3: 0,189;-0,523;no";
    a ';' file of decimal commas read without --decimal , did not say to pass it."""
    header, rows = make_rows(100, 0)
    if layout == "ragged":
        rows[5].append("7")
    sep = "," if layout == "ragged" else ";"
    lines = [sep.join(r) for r in [header, *rows]]
    if layout == "decimal-commas":
        lines = [line.replace(".", ",") for line in lines]
    data = tmp_path / "d.csv"
    data.write_text("\n".join(lines) + "\n")
    out = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--stream", "--out", out, *FAST)
    assert code == 2, err
    one_line_error(err, *needles)
    assert not out.exists()


def test_a_target_too_large_to_scale_says_what_to_do(capsys, tmp_path):
    """It said "the target 'price' of d.csv has values beyond float64", and no more."""
    header, rows = make_rows(200, 0)
    rows[7][5] = "1e300"
    data = write_csv(tmp_path / "d.csv", header, rows)
    out = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "price", "--stream", "--out", out, *FAST)
    assert code == 2
    one_line_error(err, "'price'", "too large to scale", "scale the column down")
    assert not out.exists()


def test_a_missing_cell_text_with_blanks_around_it_is_missing_as_in_memory(capsys, tmp_path):
    """' NA ' was the category 'NA' in a stream (pyarrow matches missing-cell texts exactly,
    before the blanks are stripped), a missing cell in memory and at predict."""
    header, rows = make_rows(200, 0)
    for r in rows:
        r[3] = f" {r[3]} "
    rows[9][3] = " NA "
    data = write_csv(tmp_path / "d.csv", header, rows)
    out = tmp_path / "m.glassnet"
    for stream in ([], ["--stream"]):
        code, _, err = run(capsys, "train", data, "--target", "label", "--out", out, *stream, *FAST)
        assert code == 2
        one_line_error(err, "line 11", "'color'", "issing value")
    assert not out.exists()
    code, _, err = run(
        capsys, "train", data, "--target", "label", "--out", out, "--stream", "--missing", "", *FAST
    )
    assert code == 0, err
    assert (
        "NA"
        in load_arrays(out)[1]["meta"]["preprocessing"]["preprocessor"]["encoder"]["categories"][0]
    )


def test_a_target_far_from_zero_is_scaled_from_its_values_not_their_float32_rounding(
    capsys, tmp_path
):
    """A price of 1e6 + 0.01 z: the stream gave the target in float32, whose spacing at 1e6
    (0.06) left nothing of z before the command line scaled it (test R^2 about 0 streamed,
    0.999 in memory); now the target is scaled from the file's values, as in memory."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((1200, 3))
    t = 1e6 + 0.01 * (X @ [1.0, -0.5, 0.2])
    rows = [
        [repr(float(a)), repr(float(b)), repr(float(c)), repr(float(v))]
        for (a, b, c), v in zip(X, t)
    ]
    path = write_csv(tmp_path / "offset.csv", ["a", "b", "c", "t"], rows)
    out = tmp_path / "m.glassnet"
    train(capsys, path, "t", out, "--stream", "--epochs", "20")
    code, text, err = run(capsys, "evaluate", out, path)
    assert code == 0, err
    r2 = float(text.split("R^2")[1].split()[-1])  # (the row of t: MSE, MAE, R^2)
    assert r2 > 0.95, text


@pytest.mark.parametrize(
    "sep, decimal, extra",
    [
        (";", ".", []),  # sniffed from the header, as the in-memory reader sniffs it
        (";", ",", ["--decimal", ","]),  # a European spreadsheet's export
        (";", ",", ["--decimal", ",", "--delimiter", ";"]),  # given
        ("|", ".", []),
    ],
)
def test_a_file_not_separated_by_commas_streams_to_the_comma_files_model(
    capsys, tmp_path, sep, decimal, extra
):
    """--stream read commas only: a ';' file (a European spreadsheet's, with decimal
    commas) was refused, and --delimiter with --stream too. The same rows written with
    another delimiter and decimal mark now train the same model, bit for bit."""
    header, rows = make_rows(400, 0)
    commas = write_csv(tmp_path / "commas.csv", header, rows)
    lines = [sep.join(str(c).replace(".", decimal) for c in r) for r in [header, *rows]]
    other = tmp_path / "other.csv"
    other.write_text("\n".join(lines) + "\n")
    a, b = tmp_path / "a.glassnet", tmp_path / "b.glassnet"
    train(capsys, commas, "label", a, "--stream")
    train(capsys, other, "label", b, "--stream", *extra)
    (wa, ma), (wb, mb) = load_arrays(a), load_arrays(b)
    assert ma["meta"]["preprocessing"] == mb["meta"]["preprocessing"]
    assert wa.keys() == wb.keys()
    for k in wa:
        np.testing.assert_array_equal(wa[k], wb[k])
    code, out, err = run(capsys, "predict", b, other, *extra)
    assert code == 0, err
    assert set(out.splitlines()[1:]) == {"yes", "no"}


def test_a_decimal_mark_that_is_the_streamed_files_delimiter_says_to_give_it(capsys, tmp_path):
    header, rows = make_rows(50, 0)
    data = write_csv(tmp_path / "d.csv", header, rows)
    out = tmp_path / "m.glassnet"
    code, _, err = run(
        capsys, "train", data, "--target", "label", "--stream", "--decimal", ",", "--out", out
    )
    assert code == 2
    one_line_error(err, "--decimal ','", "field separator", "sniffed", "--delimiter")
    assert not out.exists()


def test_under_mpiexec_a_rank_failing_before_its_fit_ends_the_job(tmp_path, data):
    """`mpiexec -n 1 glassnet train good.csv : -n 1 glassnet train missing.csv`: the rank
    without its file printed its error and exited, and the other waited in its fit's first
    Allreduce for ever (MPICH's mpiexec with it). It now ends the job (MPI_Abort)."""
    pytest.importorskip("mpi4py")
    mpiexec = shutil.which("mpiexec")
    if mpiexec is None:
        pytest.skip("mpiexec not found (pip install 'glassnet[mpi]' brings MPICH's)")
    common = ["--target", "label", "--epochs", "2", "--hidden", "8", "-q"]
    good = [sys.executable, "-m", "glassnet", "train", str(data), *common,
            "--out", str(tmp_path / "a.glassnet")]  # fmt: skip
    bad = [sys.executable, "-m", "glassnet", "train", str(tmp_path / "missing.csv"), *common,
           "--out", str(tmp_path / "b.glassnet")]  # fmt: skip
    proc = subprocess.run(
        [mpiexec, "-n", "1", *good, ":", "-n", "1", *bad],
        capture_output=True, text=True, timeout=90,
    )  # fmt: skip
    assert proc.returncode != 0
    assert "no such file" in proc.stderr and "missing.csv" in proc.stderr
