"""``glassnet train --task multilabel``: several label columns of two values each, one
sigmoid output per label trained with binary cross-entropy; predict, evaluate, explain,
info and glassnet.io's Pipeline read the model file; export writes it as ONNX
(tests/test_multilabel_round7.py checks the file in onnxruntime)."""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pytest
from cli_helpers import FAST, assert_one_line_error, run, write_csv
from cli_helpers import MULTILABEL_HEADER as HEADER
from cli_helpers import multilabel_rows as _rows

from glassnet.cli import multilabel_metrics


@pytest.fixture
def labelled(tmp_path):
    data = write_csv(tmp_path / "ml.csv", HEADER, _rows())
    model = tmp_path / "ml.glassnet"
    argv = ("train", data, "--target", "a,b,c,d", "--task", "multilabel", "--out", model)
    return data, model, argv


def test_train_predict_evaluate_info_explain(tmp_path, capsys, labelled):
    data, model, argv = labelled
    code, out, err = run(capsys, *argv, "--epochs", "60", "--hidden", "8", "--seed", "0",
                         "--test-split", "0.25")  # fmt: skip
    assert code == 0, err
    assert (
        "task      multilabel classification (--task), 4 label(s), each negative/positive: "
        "'a' 0/1, 'b' no/yes, 'c' cat/dog, 'd' false/TRUE" in out
    )
    assert "MLP 4 -> 8 -> 4, relu hidden, sigmoid output" in out
    assert "loss binary_cross_entropy" in out
    assert "test      30 rows: Hamming score " in out and "subset accuracy " in out
    from glassnet.io import load_arrays

    meta = load_arrays(model)[1]["meta"]
    assert meta["task"] == {
        "name": "multilabel", "loss": "binary_cross_entropy", "output_activation": "sigmoid",
        "n_outputs": 4,
    }  # fmt: skip
    assert meta["target"]["multilabel"] == [
        {"kind": "number", "values": ["0", "1"]},
        {"kind": "words", "values": ["no", "yes"]},  # (yes: its most frequent spelling)
        {"kind": "text", "values": ["cat", "dog"]},  # (the second sorted is positive)
        {"kind": "words", "values": ["false", "TRUE"]},
    ]
    hamming = meta["test_metrics"]["hamming_score"]
    assert hamming == pytest.approx(np.mean(meta["test_metrics"]["accuracy"]))

    # predict: each label's own values; --proba adds each positive value's probability
    code, out, err = run(capsys, "predict", model, data, "--proba")
    assert code == 0, err
    table = list(csv.reader(io.StringIO(out)))
    assert table[0] == ["a", "b", "c", "d", "p(a=1)", "p(b=yes)", "p(c=dog)", "p(d=TRUE)"]
    assert len(table) == 121
    assert {r[0] for r in table[1:]} <= {"0", "1"} and {r[1] for r in table[1:]} <= {"no", "yes"}
    assert {r[2] for r in table[1:]} <= {"cat", "dog"}
    assert {r[3] for r in table[1:]} <= {"false", "TRUE"}
    for r in table[1:]:  # the value is the positive one exactly when its p > 0.5
        for k, (neg, pos) in enumerate([("0", "1"), ("no", "yes"), ("cat", "dog"),
                                        ("false", "TRUE")]):  # fmt: skip
            assert r[k] == (pos if float(r[4 + k]) > 0.5 else neg)
    code, plain, _ = run(capsys, "predict", model, data)
    assert [r[:4] for r in table] == list(csv.reader(io.StringIO(plain)))

    # glassnet.io's Pipeline predicts the same
    from glassnet.io import load_pipeline

    pipe = load_pipeline(model)
    assert pipe.task.name == "multilabel" and pipe.classes_ is None
    assert pipe.label_values == [[0, 1], ["no", "yes"], ["cat", "dog"], ["false", "TRUE"]]
    rows = [dict(zip(HEADER[:3], r[:3])) for r in _rows()]
    pred = pipe.predict(rows)
    assert pred.shape == (120, 4)
    assert [[str(v) for v in r] for r in pred.tolist()] == [r[:4] for r in table[1:]]
    proba = pipe.predict_proba(rows)
    np.testing.assert_allclose(proba, [[float(v) for v in r[4:]] for r in table[1:]], atol=1e-5)

    # evaluate: subset accuracy, Hamming score, one row per label
    code, out, err = run(capsys, "evaluate", model, data)
    assert code == 0, err
    truth = np.array([[int(r[3]), r[4].lower() == "yes", r[5] == "dog", r[6] == "TRUE"]
                      for r in _rows()], dtype=int)  # fmt: skip
    guess = np.array([[r[0] == "1", r[1] == "yes", r[2] == "dog", r[3] == "TRUE"]
                      for r in table[1:]], dtype=int)  # fmt: skip
    subset = np.mean(np.all(truth == guess, axis=1))
    assert f"  subset accuracy  {subset:.4f}  ({round(subset * 120)} of 120 rows" in out
    assert f"  Hamming score    {np.mean(truth == guess):.4f}  (the mean" in out
    lines = out.splitlines()
    head = next(i for i, x in enumerate(lines) if x.split()[:2] == ["label", "positive"])
    for k, name in enumerate("abcd"):
        cells = lines[head + 1 + k].split()
        assert cells[0] == name
        assert float(cells[2]) == pytest.approx(np.mean(truth[:, k] == guess[:, k]), abs=5e-5)
        assert int(cells[6]) == truth[:, k].sum()

    # info shows the task and the labels
    code, out, _ = run(capsys, "info", model)
    assert "task          multilabel, loss binary_cross_entropy, output sigmoid" in out
    assert "target        4 label(s), each negative/positive: 'a' 0/1, 'b' no/yes" in out
    assert f"test scores   Hamming score {hamming:.4f}, subset accuracy" in out

    # explain one row: its labels as the network's 0/1 targets
    code, out, err = run(capsys, "explain", model, "--row", "2", data)
    assert code == 0, err
    r = _rows()[1]
    assert f"target: a={r[3]}, b={r[4]}, c={r[5]}, d={r[6]} (y = " in out
    y = ", ".join(str(v) for v in truth[1])
    assert f"(y = {y} for the network); prediction: a={table[2][0]}, b={table[2][1]}" in out


def test_a_single_label_is_allowed_and_predicts_one_column(tmp_path, capsys):
    data = write_csv(tmp_path / "ml.csv", HEADER, _rows(40))
    model = tmp_path / "one.glassnet"
    code, out, err = run(capsys, "train", data, "--target", "b", "--task", "multilabel",
                         "--out", model, *FAST)  # fmt: skip
    assert code == 0, err
    code, out, err = run(capsys, "predict", model, data)
    assert code == 0, err
    assert out.splitlines()[0] == "b" and set(out.splitlines()[1:]) <= {"no", "yes"}
    from glassnet.io import load_pipeline

    row = dict(zip(HEADER, _rows(1)[0]))
    del row["b"]  # (the other label columns are features here)
    assert load_pipeline(model).predict(row).shape == (1, 1)


def test_auto_keeps_several_0_1_targets_a_regression_and_notes_multilabel(tmp_path, capsys):
    data = write_csv(tmp_path / "ml.csv", HEADER, _rows(40))
    model = tmp_path / "reg.glassnet"
    code, out, err = run(capsys, "train", data, "--target", "a", "--out", model, *FAST)
    assert code == 0 and "--task multilabel" not in err  # (one target: binary, no note)
    rows = [[r[0], r[1], r[3], str(1 - int(r[3]))] for r in _rows(40)]
    data = write_csv(tmp_path / "zo.csv", ["x1", "x2", "a", "b"], rows)
    code, out, err = run(capsys, "train", data, "--target", "a,b", "--out", model, *FAST)
    assert code == 0, err
    notes = [x for x in err.splitlines() if "--task multilabel" in x]
    assert notes == [
        "glassnet: note: the target columns a, b each hold only 0 and 1: they are trained as "
        "a multi-output regression (--task auto); if each is a yes/no label, add --task "
        "multilabel (one sigmoid output per label, binary cross-entropy)"
    ]
    from glassnet.io import load_pipeline

    assert load_pipeline(model).task.name == "multioutput_regression"
    # text labels under auto: no regression is possible, the error names --task multilabel
    data = write_csv(tmp_path / "ml.csv", HEADER, _rows(40))
    code, _, err = run(capsys, "train", data, "--target", "a,b", "--out", model, *FAST)
    assert code == 2
    assert_one_line_error(err, "the target column 'b'", "(no/yes)", "add --task multilabel")


@pytest.mark.parametrize(
    ("column", "cells", "needles"),
    [
        ("b", lambda i: ["no", "yes", "maybe"][i % 3], ("holds 3 value(s): maybe, no, yes",)),
        ("a", lambda i: i % 3, ("holds 3 value(s): 0, 1, 2",)),
        ("c", lambda i: "dog", ("holds the single value dog in all 30 rows",)),
        ("a", lambda i: "" if i == 4 else i % 2, ("at line 6", "targets are never imputed")),
    ],
)
def test_bad_label_columns_are_one_line_errors(tmp_path, capsys, column, cells, needles):
    rows = _rows(30)
    j = HEADER.index(column)
    for i, r in enumerate(rows):
        r[j] = cells(i)
    data = write_csv(tmp_path / "bad.csv", HEADER, rows)
    for extra in ((), ("--impute", "mean")):
        code, _, err = run(capsys, "train", data, "--target", "a,b,c", "--task", "multilabel",
                           "--out", tmp_path / "m.glassnet", *extra, *FAST)  # fmt: skip
        assert code == 2
        assert_one_line_error(err, f"'{column}'", *needles)
    assert not (tmp_path / "m.glassnet").exists()


def test_other_refusals(tmp_path, capsys, labelled):
    data, model, argv = labelled
    code, _, err = run(capsys, *argv[:3], "a,zz", *argv[4:], *FAST)
    assert code == 2
    assert_one_line_error(err, "target column(s) ['zz'] are not in")
    code, _, err = run(capsys, "train", "--dataset", "moons", "--task", "multilabel",
                       "--out", model, *FAST)  # fmt: skip
    assert code == 2
    assert_one_line_error(err, "--task multilabel needs label columns of a CSV file")
    # a value the model does not know, in evaluate
    assert run(capsys, *argv, *FAST)[0] == 0
    rows = _rows(5)
    rows[3][4] = "maybe"
    new = write_csv(tmp_path / "new.csv", HEADER, rows)
    code, _, err = run(capsys, "evaluate", model, new)
    assert code == 2
    assert_one_line_error(
        err, "the label column 'b'", "holds maybe at line 5", "neither of the model's values",
        "no/yes",
    )  # fmt: skip
    # ONNX export writes it (what the file computes: tests/test_multilabel_round7.py)
    pytest.importorskip("onnx")
    code, _, err = run(capsys, "export", model, tmp_path / "m.onnx")
    assert code == 0 and (tmp_path / "m.onnx").exists(), err


def test_a_malformed_multilabel_description_is_refused(tmp_path, capsys, labelled):
    from glassnet.io import ModelFileError, load_model, load_pipeline, save_model

    _, model, argv = labelled
    assert run(capsys, *argv, *FAST)[0] == 0
    network = load_model(model, network_only=True)
    from glassnet.io import load_arrays

    meta = load_arrays(model)[1]["meta"]
    bad = tmp_path / "bad.glassnet"
    for broken in ([{"kind": "number", "values": ["0", "1"]}],  # 1 entry for 4 labels
                   [{"kind": "words", "values": ["no", "no"]}] * 4,
                   [{"kind": "number", "values": ["x", "1"]}] * 4):  # fmt: skip
        save_model(network, bad, meta={**meta, "target": {**meta["target"], "multilabel": broken}})
        with pytest.raises(ModelFileError, match="malformed"):
            load_pipeline(bad)
    no_labels = {k: v for k, v in meta["target"].items() if k != "multilabel"}
    save_model(network, bad, meta={**meta, "target": no_labels})
    with pytest.raises(ModelFileError, match="target.multilabel"):
        load_pipeline(bad)


def test_multilabel_metrics_by_hand():
    t = np.array([[1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 0]])
    p = np.array([[1, 0, 0], [0, 1, 1], [0, 1, 0], [0, 0, 1]])
    m = multilabel_metrics(t, p)
    assert m["accuracy"] == [0.75, 1.0, 0.5]
    assert m["hamming_score"] == pytest.approx(9 / 12)
    assert m["subset_accuracy"] == 0.25  # (row 2 only)
    assert m["precision"] == [1.0, 1.0, 0.5] and m["recall"] == [0.5, 1.0, 0.5]
    assert m["positives"] == [2, 2, 2]


def test_one_word_in_two_spellings_is_one_value_and_signs_are_words():
    """yes and YES were two texts, YES negative: a split by spelling; + and - were texts
    sorted '+' first, so '-' was the positive value."""
    from glassnet.cli import _label_column

    assert _label_column(["yes", "YES", "yes"]).startswith("1 value(s)")
    assert _label_column(["+", "-", "+"]) == {"kind": "words", "values": ["-", "+"]}
    assert _label_column(["no", "YES"]) == {"kind": "words", "values": ["no", "YES"]}


@pytest.mark.parametrize(
    "entry, said",
    [
        ({"kind": "number", "values": ["nan", "1"]}, "two finite numbers"),
        ({"kind": "number", "values": ["0", "inf"]}, "two finite numbers"),
        ({"kind": "number", "values": ["1", "1.0"]}, "the smaller (negative) first"),
        ({"kind": "words", "values": ["maybe", "perhaps"]}, "false/true, no/yes or -/+"),
        ({"kind": "words", "values": ["no", "NO"]}, "false/true, no/yes or -/+"),
    ],
)
def test_a_damaged_label_entry_of_a_model_file_is_named(entry, said):
    """NaN, inf, equal numbers and unknown words loaded (or raised bare ValueError and
    OverflowError) from a damaged or crafted model file."""
    from glassnet.io import ModelFileError, _check_label_values

    def bad(message):
        return ModelFileError(message)

    with pytest.raises(ModelFileError, match=re.escape(said)):
        _check_label_values([entry], ["y"], bad)


def test_two_texts_that_differ_in_case_are_two_values():
    """A and a (alleles) are two texts; only the label words in two spellings are one."""
    from glassnet.cli import _label_column

    assert _label_column(["A", "a", "A"]) == {"kind": "text", "values": ["A", "a"]}
