"""glassnet.onnx.feeds and missing cells, as glassnet predict treats them: refused for a
model trained without imputation (its graph answered NaN probabilities and a label, in
silence), filled with a warning for one that imputes (filled in silence)."""

import numpy as np
import pytest

pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from glassnet.cli import main  # noqa: E402
from glassnet.onnx import export, feeds  # noqa: E402

ROWS = {"a": [0.5, None, "NA"], "b": [1.0, 2.0, 3.0], "c": ["red", None, " blue"]}


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("feeds")
    rng = np.random.default_rng(0)
    lines = ["a,b,c,y"]
    for _ in range(80):
        a, b = rng.normal(size=2)
        lines.append(f"{a:.3f},{b:.3f},{rng.choice(['red', 'blue'])},{int(a + b > 0)}")
    data = tmp / "d.csv"
    data.write_text("\n".join(lines) + "\n")
    out = {}
    for name, extra in (("plain", []), ("imputed", ["--impute", "mean"])):
        model = tmp / f"{name}.glassnet"
        argv = ["train", str(data), "--target", "y", "--epochs", "2", "-q", *extra]
        assert main([*argv, "--out", str(model)]) == 0
        out[name] = ort.InferenceSession(
            export(model, tmp / f"{name}.onnx").SerializeToString(),
            providers=["CPUExecutionProvider"],
        )
    return out


def test_a_model_without_imputation_refuses_a_missing_cell(models):
    with pytest.raises(ValueError, match=r"row 1 of column 'a' is missing.*--impute mean"):
        feeds(models["plain"], ROWS)
    with pytest.raises(ValueError, match="row 1 of column 'c' is missing"):
        feeds(models["plain"], {"a": [0.5, 0.1], "b": [1.0, 2.0], "c": ["red", "N/A "]})
    label, proba = models["plain"].run(
        None, feeds(models["plain"], {k: v[:1] for k, v in ROWS.items()})
    )
    assert np.isfinite(proba).all()


def test_a_model_that_imputes_fills_them_and_says_so(models):
    with pytest.warns(UserWarning, match=r"3 missing cell\(s\), by column 'a' \(2\), 'c' \(1\)"):
        rows = feeds(models["imputed"], ROWS)
    label, proba = models["imputed"].run(None, rows)
    assert np.isfinite(proba).all() and len(label) == 3


def test_an_infinite_cell_is_a_missing_one_as_glassnet_predict_reads_it(models):
    rows = {"a": [np.inf, "-inf"], "b": [1.0, 2.0], "c": ["red", "blue"]}
    with pytest.raises(ValueError, match="row 0 of column 'a' is missing or not finite"):
        feeds(models["plain"], rows)
    with pytest.warns(UserWarning, match=r"2 missing cell\(s\), by column 'a' \(2\)"):
        feeds(models["imputed"], rows)


def test_bytes_in_a_text_column_are_refused_naming_it(models):
    # (the fuzzing audit: b"red" became the category "b'red'", unknown, in silence)
    rows = {"a": [0.5], "b": [1.0], "c": [b"red"]}
    with pytest.raises(ValueError, match=r"column 'c' holds bytes, b'red'.*decode"):
        feeds(models["imputed"], rows)
