"""Multi-label models of ``glassnet train --task multilabel``: exported to ONNX (each
label's value and its positive value's probability, as ``glassnet predict`` and
``load_pipeline`` give them, raw and messy rows in) and trained with ``--stream`` (the
labels read and encoded as in memory, the same weights where the in-memory run takes the
same steps, a bad label cell of a later block named by its line)."""

from __future__ import annotations

import csv
import io
import warnings
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import MULTILABEL_HEADER as HEADER
from cli_helpers import assert_one_line_error, run, write_csv
from cli_helpers import multilabel_rows as _rows

from glassnet import cli
from glassnet.io import load_arrays, load_pipeline


def _train(capsys, data: Path, model: Path, targets: str, *extra: object) -> str:
    code, out, err = run(capsys, "train", data, "--target", targets, "--task", "multilabel",
                         "--out", model, "--hidden", "8", "--seed", "0", *extra)  # fmt: skip
    assert code == 0, err
    return out


def _close(got: np.ndarray, want: np.ndarray, rtol: float = 1e-5) -> None:
    """Within docs/onnx.md's tolerance of an exported float32 model: ``rtol * (|y| + max
    |y|)`` (onnxruntime's float32 sigmoid is not glassnet's to the last bit)."""
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    assert got.shape == want.shape
    err = np.abs(got - want) / (np.abs(want) + np.abs(want).max())
    assert err.max() <= rtol, err.max()


def _predicted(capsys, model: Path, data: Path) -> list[list[str]]:
    code, out, err = run(capsys, "predict", model, data, "--proba")
    assert code == 0, err
    return list(csv.reader(io.StringIO(out)))


# ----------------------------------------------------------------------------------- ONNX


def test_export_gives_each_labels_value_and_probability_as_predict(capsys, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    from glassnet.onnx import feeds

    data = write_csv(tmp_path / "ml.csv", HEADER, _rows())
    model, onnx_path = tmp_path / "ml.glassnet", tmp_path / "ml.onnx"
    _train(capsys, data, model, "a,b,c,d", "--epochs", "40", "--impute", "mean")
    code, out, err = run(capsys, "export", model, onnx_path)
    assert code == 0, err
    assert "labels equal" in out
    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    outs = {o.name: (o.type, o.shape) for o in sess.get_outputs()}
    assert outs == {"label": ("tensor(string)", ["N", 4]),
                    "probabilities": ("tensor(float)", ["N", 4])}  # fmt: skip
    # messy rows: blanks around cells, a missing number (imputed), another spelling of a
    # missing cell, rows the model never saw
    messy = tmp_path / "messy.csv"
    messy.write_text(
        "x1,x2,color\n 0.5 ,1.2, blue \nNA,-0.3,red\n0.1,,red \n-1.5,n/a,blue\n"
        + "".join(f"{r[0]},{r[1]},{r[2]}\n" for r in _rows(40, seed=5))
    )
    for rows_file in (data, messy):
        table = _predicted(capsys, model, rows_file)
        with open(rows_file, newline="") as f:
            cells = list(csv.DictReader(f))
        columns = {c: [r[c] for r in cells] for c in ("x1", "x2", "color")}
        filled = rows_file == messy  # (feeds says it fills the messy file's missing cells)
        with pytest.warns(UserWarning, match="missing cell") if filled else nullcontext():
            label, proba = sess.run(None, feeds(sess, columns))
        assert label.tolist() == [r[:4] for r in table[1:]]  # glassnet predict's values
        pipe = load_pipeline(model)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # (its note of the cells it fills)
            want = pipe.predict_proba(columns)
            _close(proba, want)
            assert label.tolist() == pipe.predict(columns).astype(str).tolist()
        printed = np.array([r[4:] for r in table[1:]], dtype=np.float64)
        _close(proba, printed)  # (printed to 6 digits: within 5e-6 of the value)
    meta = dict(sess.get_modelmeta().custom_metadata_map)
    assert '"multilabel"' in meta["glassnet.target"] and '"TRUE"' in meta["glassnet.target"]


@pytest.mark.parametrize(
    "values, elem",
    [((("0", "1"), ("0", "1")), "tensor(int64)"), ((("0", "1"), ("0.5", "2.5")), "tensor(double)")],
)
def test_labels_of_numbers_are_typed_as_load_pipeline_types_them(capsys, tmp_path, values, elem):
    ort = pytest.importorskip("onnxruntime")
    from glassnet.onnx import export, feeds

    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 2))
    rows = [[f"{a:.3f}", f"{b:.3f}", values[0][int(a > 0)], values[1][int(b > 0)]] for a, b in X]
    data = write_csv(tmp_path / "n.csv", ["x1", "x2", "p", "q"], rows)
    model = tmp_path / "n.glassnet"
    _train(capsys, data, model, "p,q", "--epochs", "20")
    proto = export(model, tmp_path / "n.onnx")
    sess = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    assert sess.get_outputs()[0].type == elem
    columns = {"x1": [r[0] for r in rows], "x2": [r[1] for r in rows]}
    label, proba = sess.run(None, feeds(sess, columns))
    pipe = load_pipeline(model)
    want = pipe.predict(columns)
    if want.dtype != object:  # (0/1 beside 0.5/2.5: Pipeline's columns are int and float)
        assert label.dtype == want.dtype
    assert np.array_equal(label, want.astype(label.dtype))
    _close(proba, pipe.predict_proba(columns))


# ---------------------------------------------------------------------------------- stream


def test_streamed_labels_are_encoded_as_in_memory_and_train_the_same_weights(capsys, tmp_path):
    """With no held-out rows and one full batch per epoch, the in-memory and the streamed
    run take the same steps from the same initial weights on the same (scaled) rows, in
    another order: the gradient is a sum over the rows, so the float64 weights agree to
    rounding (not bit for bit: the rows are summed in another order)."""
    pytest.importorskip("pyarrow")
    data = write_csv(tmp_path / "ml.csv", HEADER, _rows(150))
    mem, st = tmp_path / "mem.glassnet", tmp_path / "st.glassnet"
    same = ("--epochs", "25", "--test-split", "0", "--dtype", "float64", "--batch-size", "200")
    out_mem = _train(capsys, data, mem, "a,b,c,d", *same, "--val-split", "0")
    out_st = _train(capsys, data, st, "a,b,c,d", *same, "--stream")
    task_line = [line for line in out_mem.splitlines() if line.startswith("task")]
    assert task_line and task_line[0] in out_st.splitlines()
    a, b = load_arrays(mem), load_arrays(st)
    assert a[1]["meta"]["target"] == b[1]["meta"]["target"]  # each label's two values
    assert a[1]["meta"]["task"] == b[1]["meta"]["task"]
    pa_, pb = a[1]["meta"]["preprocessing"], b[1]["meta"]["preprocessing"]
    assert pa_["inputs"] == pb["inputs"]
    sa, sb = pa_["preprocessor"]["scaler"], pb["preprocessor"]["scaler"]
    np.testing.assert_allclose(sb["mean"], sa["mean"], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(sb["scale"], sa["scale"], rtol=1e-12)
    assert a[0].keys() == b[0].keys()
    for k in a[0]:
        np.testing.assert_allclose(b[0][k], a[0][k], rtol=1e-9, atol=1e-12)

    # the targets: the stream's codes, as the command line maps them, are the in-memory 0/1
    args = cli.build_parser().parse_args(
        ["train", str(data), "--target", "a,b,c,d", "--task", "multilabel", "--stream"]
    )
    args.buffer_size = 65_536
    src = cli._stream_source(args, ["a", "b", "c", "d"], True)
    entries, codes = cli._streamed_labels(args, src.columns)
    y = np.concatenate([
        np.stack([c[y[:, k]] for k, c in enumerate(codes)], axis=1) for _, y, _ in src.chunks()
    ])  # fmt: skip
    table = cli._read_table(str(data), categorical=list("abcd"))
    memory = cli._multilabel_targets(table, list("abcd"), str(data))
    assert entries == memory.label_values
    np.testing.assert_array_equal(y, memory.y_multilabel)


def test_streamed_and_in_memory_runs_reach_comparable_scores(capsys, tmp_path):
    pytest.importorskip("pyarrow")
    data = write_csv(tmp_path / "ml.csv", HEADER, _rows(1500))
    fresh = write_csv(tmp_path / "fresh.csv", HEADER, _rows(600, seed=7))
    mem, st = tmp_path / "mem.glassnet", tmp_path / "st.glassnet"
    _train(capsys, data, mem, "a,b,c,d", "--epochs", "15")
    out = _train(capsys, data, st, "a,b,c,d", "--epochs", "15", "--stream", "--buffer-size",
                 "256", "--test-split", "0.2")  # fmt: skip
    assert "test      " in out and "Hamming score" in out
    meta = load_arrays(st)[1]["meta"]
    # the stored test scores are multilabel_metrics of the documented held-out rows
    rows = _rows(1500)
    held = np.random.default_rng([0, 2, 0]).random(1500) < 0.2
    held_file = write_csv(tmp_path / "held.csv", HEADER, [r for r, h in zip(rows, held) if h])
    assert meta["training"]["rows"]["test"] == held.sum()
    table = _predicted(capsys, st, held_file)
    entries = meta["target"]["multilabel"]
    truth = cli._multilabel_targets(
        cli._read_table(str(held_file), categorical=list("abcd")), list("abcd"), "held"
    )  # (read with the model's values below)
    pred = np.array([[e["values"].index(v) for e, v in zip(entries, r[:4])] for r in table[1:]])
    want = cli.multilabel_metrics(truth.y_multilabel, pred)
    assert meta["test_metrics"] == want  # (the same formulas, on counts)
    scores = {}
    for name, model in (("memory", mem), ("stream", st)):
        code, text, err = run(capsys, "evaluate", model, fresh)
        assert code == 0, err
        scores[name] = float(text.split("Hamming score")[1].split()[0])
    assert scores["stream"] > 0.9 and abs(scores["stream"] - scores["memory"]) < 0.03, scores


def _big_file(path: Path, bad: str) -> Path:
    """A file of more than one of the stream's 4 MiB blocks; row 190,000 (line 190,002),
    past the first block, holds ``bad`` in the label column 'b'."""
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200_000, 2))
    lines = ["x1,x2,a,b"] + [
        f"{x1:.9f},{x2:.9f},{int(x1 > 0)},{'yes' if x2 > 0 else 'no'}" for x1, x2 in X
    ]
    lines[190_001] = lines[190_001].rsplit(",", 1)[0] + "," + bad
    path.write_text("\n".join(lines) + "\n")
    assert len("\n".join(lines[:190_001]).encode()) > 1 << 22
    return path


@pytest.mark.parametrize(
    "bad, needles",
    [
        ("maybe", ["big.csv' line 190002: the label column 'b' holds 'maybe'",
                   "its most frequent values", "3 value(s): maybe, no, yes",
                   "fix or drop that row"]),
        ("NA", ["big.csv' line 190002: column 'b' has a missing value"]),
    ],
)  # fmt: skip
def test_a_bad_label_cell_in_a_later_block_names_file_line_and_column(
    capsys, tmp_path, bad, needles
):
    pytest.importorskip("pyarrow")
    data = _big_file(tmp_path / "big.csv", bad)
    model = tmp_path / "big.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "a,b", "--task", "multilabel",
                       "--stream", "--out", model, "-q")  # fmt: skip
    assert code == 2
    assert_one_line_error(err, *needles)
    assert not model.exists()


def test_stream_refusals_of_several_targets(capsys, tmp_path):
    pytest.importorskip("pyarrow")
    data = write_csv(tmp_path / "ml.csv", HEADER, _rows())
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "a,b,a", "--task", "multilabel",
                       "--stream", "--out", model)  # fmt: skip
    assert code == 2
    assert_one_line_error(err, "names the column 'a' twice")
    code, _, err = run(capsys, "train", data, "--target", "x1,x2", "--stream", "--out", model)
    assert code == 2
    assert_one_line_error(err, "several targets of numbers (a multi-output regression)")
    rows = _rows()
    for r in rows:
        r[3] = 1
    one = write_csv(tmp_path / "one.csv", HEADER, rows)
    code, _, err = run(capsys, "train", one, "--target", "a,b,c,d", "--task", "multilabel",
                       "--stream", "--out", model)  # fmt: skip
    assert code == 2
    assert_one_line_error(err, "the label column 'a'", "holds the single value 1 in all 120")


def test_a_resumed_streamed_multilabel_run_ends_with_the_uninterrupted_weights(capsys, tmp_path):
    pytest.importorskip("pyarrow")
    data = write_csv(tmp_path / "ml.csv", HEADER, _rows())
    whole, part = tmp_path / "whole.glassnet", tmp_path / "part.glassnet"
    _train(capsys, data, whole, "a,b,c,d", "--stream", "--epochs", "6", "-q")
    _train(capsys, data, part, "a,b,c,d", "--stream", "--epochs", "3", "--checkpoint-every",
           "1", "-q")  # fmt: skip
    _train(capsys, data, part, "a,b,c,d", "--stream", "--epochs", "6", "--checkpoint-every",
           "1", "--resume", "--force", "-q")  # fmt: skip
    a, b = load_arrays(whole), load_arrays(part)
    for k in a[0]:
        np.testing.assert_array_equal(a[0][k], b[0][k])
    assert a[1]["meta"]["test_metrics"] == b[1]["meta"]["test_metrics"]


def test_from_csv_takes_a_list_of_label_columns(tmp_path):
    pytest.importorskip("pyarrow")
    from glassnet import stream

    rows = [r[:5] for r in _rows(50)]
    data = write_csv(tmp_path / "ml.csv", HEADER[:5], rows)
    src = stream.from_csv(data, ["b", "a"], block_size=300)  # (several blocks)
    cols = src.columns
    assert cols.targets == ["b", "a"] and cols.features == ["x1", "x2", "color"]
    assert cols.classes == [["Yes", "no", "yes"], ["0", "1"]]  # (texts, as written)
    b = [str(r[4]) for r in rows]
    a = [r[3] for r in rows]
    assert cols.counts == [[b.count("Yes"), b.count("no"), b.count("yes")],
                           [a.count(0), a.count(1)]]  # fmt: skip
    y = np.concatenate([c[1] for c in src.chunks()])
    np.testing.assert_array_equal(y[:, 0], [cols.classes[0].index(v) for v in b])
    np.testing.assert_array_equal(y[:, 1], a)
    with pytest.raises(ValueError, match="'labels' parameter of from_csv is False"):
        stream.from_csv(data, ["a", "b"], labels=False)
    with pytest.raises(TypeError, match="a list of label columns' names, each once"):
        stream.from_csv(data, ["a", "a"])
    with pytest.raises(TypeError, match="must be the target column's name \\(a str\\)"):
        stream.from_parquet(tmp_path / "x.parquet", ["a", "b"])
    with pytest.raises(ValueError, match="the target column 'zz' is not in"):
        stream.from_csv(data, ["a", "zz"])
