"""The command line, round 20: evaluate --json, info's saved mode, the stream's columns."""

import json

import pytest
from cli_helpers import HEADER, run, write_csv
from test_cli_round18 import model_of


def test_evaluate_json_metrics_null_for_a_class_absent_from_truth_and_predictions(capsys, tmp_path):
    """metrics' per-class precision, recall and F1 said 0.0 for a class no row is of nor
    predicted as, where the report and the JSON's own "classes" say n/a (null)."""
    _, model = model_of(capsys, tmp_path)
    one = write_csv(tmp_path / "one.csv", ["a", "b"], [["0.5", "0.4"]])
    said = run(capsys, "predict", model, one)[1].splitlines()[1]
    data = write_csv(tmp_path / "e.csv", HEADER, [["0.5", "0.4", said]] * 3)
    code, out, err = run(capsys, "evaluate", model, data, "--json")
    assert code == 0, err
    report = json.loads(out)
    names = [c["class"] for c in report["classes"]]
    other, mine = names.index({"yes": "no", "no": "yes"}[said]), names.index(said)
    for k in ("precision", "recall", "f1"):
        assert report["metrics"][k][other] is None, report["metrics"]
        assert report["classes"][other][k] is None
        assert report["metrics"][k][mine] == report["classes"][mine][k] == 1.0
    assert report["metrics"]["macro_f1"] == 1.0


def test_info_shows_the_mode_and_frozen_parameters_a_file_restores(capsys, tmp_path):
    """gn.save records the modes and the frozen parameters, and gn.load restores them;
    info showed neither, so a file that loads in eval mode looked like any other."""
    import glassnet as gn

    m = gn.nn.MLP([2, 3, 1], rng=0)
    m.eval()
    m.layers[0].W.requires_grad_(False)
    gn.save(m, tmp_path / "eval.gnet")
    code, out, err = run(capsys, "info", tmp_path / "eval.gnet")
    assert code == 0, err
    assert "\nmode          eval (as saved: loading the file gives it)\n" in out, out
    assert "\nfrozen        layers.0.W (requires_grad False, as saved)\n" in out, out
    m.train()
    m.layers[1].eval()
    m.layers[0].W.requires_grad_(True)
    gn.save(m, tmp_path / "mixed.gnet")
    code, out, err = run(capsys, "info", tmp_path / "mixed.gnet")
    assert "mode          mixed: layers.1 in eval mode, the rest training" in out, out
    assert "frozen" not in out
    code, out, err = run(capsys, "info", tmp_path / "mixed.gnet", "--json")
    report = json.loads(out)
    assert (report["mode"], report["eval_modules"], report["frozen"]) == ("mixed", ["layers.1"], [])
    assert gn.load(tmp_path / "mixed.gnet").layers[1].training is False  # (what info says)


def test_info_of_a_trained_file_says_train_mode(capsys, tmp_path):
    _, model = model_of(capsys, tmp_path)
    code, out, err = run(capsys, "info", model, "--json")
    assert code == 0, err
    assert (json.loads(out)["mode"], json.loads(out)["frozen"]) == ("train", [])


def test_stream_columns_repr_counts_its_features_and_its_inputs(tmp_path):
    """Columns printed features=21 (the inputs after one-hot encoding) where .features
    holds the 17 source columns: a model sized from the printout was refused."""
    pytest.importorskip("pyarrow")
    from glassnet import stream

    path = write_csv(tmp_path / "s.csv", ["a", "color", "y"],
                     [["0.5", c, str(i % 2)] for i, c in enumerate("rgbrgbrg")])  # fmt: skip
    cols = stream.from_csv(path, "y").columns
    assert (len(cols.features), len(cols.feature_names)) == (2, 4)
    assert "features=2, inputs=4," in repr(cols) and "classes=2)" in repr(cols)
