"""The command line's round-7 fixes: a model trained on a decimal-comma file keeps its
decimal mark in ``glassnet export --impute-from`` and in ``glassnet.io``'s Pipeline."""

from __future__ import annotations

import numpy as np
import pytest
from cli_helpers import FAST, run, write_csv


def _comma_rows(n: int = 40, seed: int = 0) -> list[list[str]]:
    """Rows of a European spreadsheet's export: decimal commas, ';' between cells, and an
    empty cell or two (imputed)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    out = []
    for i, (a, b) in enumerate(X):
        cell_a = "" if i % 9 == 4 else f"{a:.3f}".replace(".", ",")
        out.append([cell_a, f"{b:.3f}".replace(".", ","), "yes" if a + b > 0 else "no"])
    return out


@pytest.fixture
def comma_model(tmp_path):
    from glassnet.cli import main

    data = write_csv(tmp_path / "eu.csv", ["a", "b", "label"], _comma_rows(), delimiter=";")
    model = tmp_path / "eu.glassnet"
    argv = ["train", data, "--target", "label", "--decimal", ",", "--impute", "mean"]
    assert main([str(a) for a in [*argv, "--out", model]] + FAST) == 0
    return data, model


def test_export_impute_from_reads_the_csv_with_the_models_decimal_mark(
    tmp_path, capsys, comma_model
):
    onnx = pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    from onnx import numpy_helper

    data, model = comma_model
    out = tmp_path / "eu.onnx"
    capsys.readouterr()
    code, _, err = run(capsys, "export", model, out)  # the file's stored fill values
    assert code == 0, err
    stored = onnx.load(out)
    # recomputed from the training CSV, read with the model's ',' (it was read with '.',
    # which refused the file's numbers)
    code, _, err = run(capsys, "export", model, out, "--impute-from", data)
    assert code == 0, err
    proto = onnx.load(out)
    assert [(i.name, numpy_helper.to_array(i).tolist()) for i in stored.graph.initializer] == [
        (i.name, numpy_helper.to_array(i).tolist()) for i in proto.graph.initializer
    ]


def test_export_impute_from_refuses_a_malformed_decimal_mark(tmp_path, comma_model):
    from glassnet.io import load_arrays
    from glassnet.onnx import OnnxError, _cli_fills
    from glassnet.preprocessing import Preprocessor

    data, model = comma_model
    meta = load_arrays(model)[1]["meta"]
    pre = Preprocessor.from_dict(meta["preprocessing"]["preprocessor"])
    fills = _cli_fills(meta, pre, data, model)
    assert fills is not None and fills["a"] == pytest.approx(pre.fill_["a"])
    meta["training"]["decimal"] = "ab"
    with pytest.raises(OnnxError, match=r"training\.decimal .*got 'ab'"):
        _cli_fills(meta, pre, data, model)


def test_pipeline_reads_text_numbers_with_the_models_decimal_mark(tmp_path, capsys, comma_model):
    from glassnet.io import load_pipeline

    _, model = comma_model
    new = write_csv(tmp_path / "new.csv", ["a", "b"], [["1,5", "0,25"], ["-2,5", "-1,75"]], ";")
    capsys.readouterr()
    code, out, err = run(capsys, "predict", model, new, "--proba")
    assert code == 0, err
    cli_rows = [line.split(",") for line in out.splitlines()[1:]]
    pipe = load_pipeline(model)
    assert pipe.decimal == ","
    as_text = {"a": ["1,5", "-2,5"], "b": ["0,25", "-1,75"]}  # as the CSV file writes them
    as_numbers = {"a": [1.5, -2.5], "b": [0.25, -1.75]}
    for X in (as_text, as_numbers):
        assert pipe.predict(X).tolist() == [r[0] for r in cli_rows]
        proba = pipe.predict_proba(X)
        expect = np.array([[float(v) for v in r[1:]] for r in cli_rows])
        np.testing.assert_allclose(proba, expect, atol=1e-4)
    # a point is no number's under ',' (as the CLI reads it): an error, not a silent value
    with pytest.raises(ValueError, match="not a number") as info:
        pipe.predict({"a": ["1.5"], "b": ["0,25"]})
    assert "with the decimal mark ',' of its training data (Pipeline.decimal)" in str(info.value)
