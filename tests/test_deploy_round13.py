"""Round 13's deployment mends: the streaming reader reads a number column that holds a cell
such as ``7\\xa0`` (a non-breaking space) or ``３``/``١٢`` (digits of another script) as
numbers, as the in-memory reader does (pyarrow typed it as text: a different model); the
exported ONNX file's probabilities name their columns' order; a float32 sklearn-style
classifier's ONNX label is predict's at the decision boundary."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from cli_helpers import run, write_csv

from glassnet.datasets import read_csv


@pytest.fixture
def pa():
    return pytest.importorskip("pyarrow")


FAST = ["--epochs", "1", "--hidden", "4", "--seed", "0", "-q", "--test-split", "0"]


def _odd(k: int) -> str:
    """Row ``k``'s number as pyarrow refuses it and Python's float() reads it."""
    return ["7\xa0", "\uff13", "\u0661\u0662", "\xa02.5\u2003"][k % 4]


def _rows(n: int, odd: set[int]) -> list[list[str]]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=n)
    return [
        [_odd(k) if k in odd else f"{x[k]:.4f}", str(k % 5 + 1), str(int(x[k] > 0))]
        for k in range(n)
    ]


def _stream_numbers(path: Path, passes: int = 1, **kw: object) -> dict[str, float]:
    from glassnet.stream import from_csv

    cols = from_csv(path, "y", standardize=True, **kw).columns
    assert cols.categories == {}, cols.categories
    assert cols.passes == passes, (cols.passes, cols.retyped)
    return {n: float(m) for n, m in zip(cols.numeric, cols.mean)}


def _memory_numbers(path: Path) -> dict[str, float]:
    t = read_csv(path, target="y")
    return {n: float(np.mean(t.numbers(n))) for n in t.numeric_columns}


def test_stream_reads_script_digits_and_nbsp_as_numbers_in_the_first_block(tmp_path, pa):
    path = write_csv(tmp_path / "d.csv", ["x", "rooms", "y"], _rows(60, {3, 10, 17, 30}))
    memory = _memory_numbers(path)
    assert set(memory) == {"x", "rooms"}
    streamed = _stream_numbers(path)
    assert streamed.keys() == memory.keys()
    for name in memory:
        assert streamed[name] == pytest.approx(memory[name], rel=1e-12), name


def test_stream_reads_such_a_cell_past_the_first_block(tmp_path, pa):
    # the column typed as numbers by the first block; pyarrow refuses the cell later
    path = write_csv(tmp_path / "late.csv", ["x", "rooms", "y"], _rows(3000, {2500, 2901}))
    memory = _memory_numbers(path)
    # (the statistics pass stops at that cell and reads the file again: two passes)
    streamed = _stream_numbers(path, passes=2, block_size=4096)
    for name in memory:
        assert streamed[name] == pytest.approx(memory[name], rel=1e-12), name


def test_the_pass_read_again_for_such_a_cell_is_counted_and_said():
    from types import SimpleNamespace

    from glassnet.cli import _passes_text

    cols = SimpleNamespace(passes=2, stopped_at=None, retyped={"x": 350002})
    text = _passes_text([cols])
    assert text.startswith("2 statistics passes (one of them stopped at a number"), text
    assert "column 'x' at line 350002" in text and "mended" not in text, text


def test_the_line_of_the_cell_that_stopped_a_pass_is_named_not_its_blocks_start(tmp_path, pa):
    # columns.retyped held the rows read before the block pyarrow refused (train --stream
    # said "after 263,973 rows" for a cell at row 350,000): it holds the cell's line
    from glassnet.stream import from_csv

    rows = _rows(3000, {2500, 2901})
    path = write_csv(tmp_path / "late.csv", ["x", "rooms", "y"], rows)
    cols = from_csv(path, "y", block_size=4096).columns
    assert cols.retyped == {"x": 2502}, cols.retyped  # (data row 2500: the header, line 1)
    rows[2700][1] = "\uff12"  # (a second column, stopped at in a later pass)
    write_csv(path, ["x", "rooms", "y"], rows)
    cols = from_csv(path, "y", block_size=4096).columns
    assert cols.retyped == {"x": 2502, "rooms": 2702}, cols.retyped


def test_low_cardinality_column_with_one_nbsp_cell_trains_as_numbers(tmp_path, pa, capsys):
    rows = [[str(k % 5 + 1), f"{k * 0.1:.2f}", str(k % 2)] for k in range(40)]
    rows[3][0] = "3\xa0"
    path = write_csv(tmp_path / "rooms.csv", ["rooms", "area", "y"], rows)
    kinds = {}
    for mode, extra in (("memory", []), ("stream", ["--stream"])):
        out = tmp_path / f"{mode}.glassnet"
        code, _, err = run(capsys, "train", path, "--target", "y", "--out", out, *FAST, *extra)
        assert code == 0, err
        assert "warning" not in err, err
        code, info, err = run(capsys, "info", out)
        assert code == 0, err
        kinds[mode] = [ln.split()[:2] for ln in info.splitlines() if ln.strip().startswith("rooms")]
    assert kinds["stream"] == kinds["memory"] == [["rooms", "numeric"]], kinds


def test_target_with_a_digit_of_another_script_has_the_in_memory_classes(tmp_path, pa, capsys):
    rows = [[f"{k * 0.1:.2f}", "\u0661" if k == 5 else str(k % 2)] for k in range(40)]
    path = write_csv(tmp_path / "t.csv", ["x", "y"], rows)
    for extra in ([], ["--stream"]):
        out = tmp_path / "t.glassnet"
        code, stdout, err = run(
            capsys, "train", path, "--target", "y", "--out", out, *FAST[:-3], *extra
        )
        assert code == 0, err
        assert "2 classes: 0, 1" in stdout + err, (extra, stdout, err)


def test_regression_target_with_a_digit_of_another_script_stays_a_regression(tmp_path, pa, capsys):
    rows = [[f"{k * 0.1:.2f}", f"{k * 0.37:.2f}"] for k in range(40)]
    rows[4][1] = "\uff13.5"
    path = write_csv(tmp_path / "r.csv", ["x", "y"], rows)
    out = tmp_path / "r.glassnet"
    code, stdout, err = run(
        capsys, "train", path, "--target", "y", "--out", out, *FAST[:-3], "--stream"
    )
    assert code == 0, err
    assert "regression of 'y'" in stdout + err, stdout + err


def test_text_past_the_first_block_of_such_a_column_names_its_line(tmp_path, pa):
    from glassnet.stream import from_csv

    rows = _rows(3000, {3})
    rows[2700][0] = "abc"
    path = write_csv(tmp_path / "bad.csv", ["x", "rooms", "y"], rows)
    with pytest.raises(ValueError, match=r"line 2702: column 'x' holds 'abc'"):
        from_csv(path, "y", block_size=4096)


def test_line_finder_names_a_cell_pyarrow_refuses_and_float_reads(tmp_path, pa):
    from glassnet.stream import null_values, unreadable

    rows = _rows(50, set())
    rows[40][0] = "7\xa0"
    path = write_csv(tmp_path / "f.csv", ["x", "rooms", "y"], rows)
    e = pa.ArrowInvalid("In CSV column #0: CSV conversion error to double: invalid value '7\xa0'")
    err = unreadable(str(path), ",", e, {"x": "numbers"}, null_values(None))
    assert "line 42" in str(err) and "'x'" in str(err), err
    assert "write it as 7" in str(err), err


# -- the ONNX file's probabilities name their columns' order --------------------------------


def test_onnx_probabilities_doc_string_names_the_classes_order(tmp_path, capsys):
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from glassnet.onnx import feeds

    rng = np.random.default_rng(0)
    rows = []
    for a, b in rng.normal(size=(120, 2)):
        rows.append([f"{a:.3f}", f"{b:.3f}", "Cat" if a > 0.5 else "Dog" if b > 0 else "Bird"])
    path = write_csv(tmp_path / "cls.csv", ["a", "b", "animal"], rows)
    model, out = tmp_path / "cls.glassnet", tmp_path / "cls.onnx"
    code, _, err = run(
        capsys, "train", path, "--target", "animal", "--classes", "Dog,Cat,Bird", "--out",
        model, *FAST,
    )  # fmt: skip
    assert code == 0, err
    code, _, err = run(capsys, "export", model, out)
    assert code == 0, err
    docs = {o.name: o.doc_string for o in onnx.load(str(out)).graph.output}
    assert docs["probabilities"] == "class probabilities, columns: Dog, Cat, Bird", docs
    # the columns are in that order indeed: predict --proba's
    code, proba, err = run(capsys, "predict", model, path, "--proba")
    assert code == 0, err
    header = proba.splitlines()[0]
    assert header.index("Dog") < header.index("Cat") < header.index("Bird"), header
    s = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    label, p = s.run(None, feeds(s, {"a": [r[0] for r in rows], "b": [r[1] for r in rows]}))
    order = np.array(["Dog", "Cat", "Bird"])
    assert (order[np.argmax(p, axis=1)] == label).all()


# -- a float32 glassnet.sklearn classifier's ONNX label is predict's at the boundary ---------


def _set_output(est, bias):
    """The output layer made to give every row the logits ``bias`` (float32)."""
    W, B = est.coefs_, est.intercepts_
    W[-1] = np.zeros_like(W[-1])
    B[-1] = np.asarray(bias, dtype=B[-1].dtype).reshape(B[-1].shape)
    est.coefs_, est.intercepts_ = W, B


def _onnx_labels(est, X, tmp_path, ort):
    from glassnet.onnx import export

    path = tmp_path / "m.onnx"
    export(est, path)
    s = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    label, _ = s.run(None, {"X": X})
    return label


@pytest.mark.parametrize(
    "z",
    [1e-7, -1e-7, 3e-8, 1e-16, 1.6653345e-16, 1.6653347e-16, 2e-16, 0.0, -1e-30, 1e-30],
)
def test_binary_onnx_label_is_predicts_near_the_boundary(tmp_path, z):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("sklearn")
    import warnings

    from sklearn.datasets import make_classification

    import glassnet.sklearn as gs

    X, y = make_classification(60, 4, random_state=0)
    X = X.astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (max_iter=2 does not converge)
        est = gs.MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, y)
    _set_output(est, [z])
    assert est.coefs_[-1].dtype == np.float32
    np.testing.assert_array_equal(_onnx_labels(est, X[:5], tmp_path, ort), est.predict(X[:5]))


@pytest.mark.parametrize("bias", [[0.0, 1e-8, 0.0], [2e-8, 1e-8, 3e-8], [0.5, 0.5, 0.5000001]])
def test_multiclass_onnx_label_is_predicts_for_logits_a_float32_softmax_ties(tmp_path, bias):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("sklearn")
    import warnings

    from sklearn.datasets import make_classification

    import glassnet.sklearn as gs

    X, y = make_classification(90, 4, n_informative=3, n_redundant=0, n_classes=3, random_state=0)
    X = X.astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = gs.MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, y)
    _set_output(est, bias)
    want = est.predict(X[:5])
    assert want[0] == int(np.argmax(np.float32(bias)))  # (the largest logit's class)
    np.testing.assert_array_equal(_onnx_labels(est, X[:5], tmp_path, ort), want)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "bias", [[1e-20, 2e-20, 1e-20], [0.0, 1e-17, 0.0], [-1e-18, 0.0, 3e-19], [0.0, 1e-8, 0.0]]
)
def test_multiclass_onnx_label_is_predicts_for_logits_a_few_ulps_apart(tmp_path, dtype, bias):
    """Logits closer than float64's probabilities tell apart are a tie to predict (the
    first class); the label read as argmax z named the largest logit's class instead (a
    float64 classifier's label differed from predict on half the rows of logits a few ulps
    apart). The exported graph still loads (glassnet.onnx.load reads its network)."""
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("sklearn")
    import warnings

    from sklearn.datasets import make_classification

    import glassnet.sklearn as gs
    from glassnet.onnx import load

    X, y = make_classification(90, 4, n_informative=3, n_redundant=0, n_classes=3, random_state=0)
    X = X.astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = gs.MLPClassifier(
            hidden_layer_sizes=(4,), max_iter=2, random_state=0, dtype=dtype
        ).fit(X, y)
    _set_output(est, bias)
    want = est.predict(X[:5])
    tie = bias != [0.0, 1e-8, 0.0]
    assert want[0] == (0 if tie else 1)  # (a tie: the first class, as NumPy's argmax)
    np.testing.assert_array_equal(_onnx_labels(est, X[:5], tmp_path, ort), want)
    net = load(tmp_path / "m.onnx")
    np.testing.assert_allclose(net.predict(X[:5]), est.predict_proba(X[:5]), rtol=1e-5)


def test_multilabel_onnx_labels_are_predicts_near_the_boundary(tmp_path):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("sklearn")
    import warnings

    import glassnet.sklearn as gs

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3)).astype(np.float32)
    Y = np.stack([X[:, 0] > 0, X[:, 1] > 0, X[:, 2] > 0, X[:, 0] > 1], axis=1).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = gs.MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, Y)
    _set_output(est, [1e-7, -1e-7, 1e-16, 3e-16])
    want = est.predict(X[:5])
    assert want[0].tolist() == [1, 0, 0, 1]
    np.testing.assert_array_equal(_onnx_labels(est, X[:5], tmp_path, ort), want)


def test_decimal_comma_file_with_such_cells_reads_as_in_memory(tmp_path, pa):
    from glassnet.stream import from_csv

    rows = [[f"{k * 0.25:.2f}".replace(".", ","), str(k % 2)] for k in range(30)]
    rows[4][0] = "\uff12,5"  # (２,5)
    rows[9][0] = "3,0\xa0"
    path = write_csv(tmp_path / "semi.csv", ["x", "y"], rows, delimiter=";")
    memory = read_csv(path, target="y", delimiter=";", decimal=",").numbers("x")
    cols = from_csv(path, "y", standardize=True, delimiter=";", decimal=",").columns
    assert cols.numeric == ["x"] and cols.categories == {}, cols
    assert float(cols.mean[0]) == pytest.approx(float(np.mean(memory)), rel=1e-12)
