"""A 'glassnet train' model file whose task contradicts its network or its labels is refused
as malformed, naming what disagrees: a regression task with class labels loaded as a
Regression that printed sigmoid probabilities as the target's values, and export failed
with an internal error of its LabelEncoder."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import glassnet.io as gio
from glassnet.cli import main


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A binary 'glassnet train' model (a number and a text column, a yes/no target)."""
    folder = tmp_path_factory.mktemp("round14")
    rng = np.random.default_rng(0)
    lines = ["a,c,y"] + [
        f"{v:.3f},{rng.choice(['x', 'z'])},{'yes' if v > 0 else 'no'}" for v in rng.normal(size=40)
    ]
    (folder / "d.csv").write_text("\n".join(lines) + "\n")
    model = folder / "m.glassnet"
    argv = ["train", str(folder / "d.csv"), "--target", "y", "--epochs", "1", "-q"]
    assert main([*argv, "--out", str(model)]) == 0
    return model


def _edited(model, path, edit):
    """``model``'s network saved at ``path`` with its description edited by ``edit``."""
    pipe = gio.load_pipeline(model)
    meta = copy.deepcopy(pipe.meta)
    edit(meta)
    gio.save_model(pipe.network, path, meta=meta)  # (the network alone: written as given)
    return path


def _set(*keys_value):
    *keys, last, value = keys_value

    def edit(meta):
        for k in keys:
            meta = meta[k]
        meta[last] = value

    return edit


@pytest.mark.parametrize(
    "edit, found",
    [
        (
            _set("task", "name", "regression"),
            r"a regression task has no target.labels, but the file lists 2 class labels "
            r"\['no', 'yes'\]",
        ),
        (
            lambda m: (_set("task", "name", "regression")(m), _set("target", "labels", None)(m)),
            r"a regression task's network ends in identity, and task.output_activation is "
            r"'sigmoid', but the network ends in sigmoid",
        ),
        (
            _set("task", "output_activation", "softmax"),
            r"a binary task's network ends in sigmoid, and task.output_activation is 'softmax'",
        ),
        (
            _set("target", "scaler", {"type": "StandardScaler", "mean": [0.0], "scale": [1.0]}),
            r"a binary task has no target.scaler",
        ),
    ],
    ids=["regression with labels", "regression of a sigmoid network", "activation", "scaler"],
)
def test_a_task_that_contradicts_the_network_or_labels_is_malformed(trained, tmp_path, edit, found):
    path = _edited(trained, tmp_path / "bad.glassnet", edit)
    for read in (gio.load_pipeline, gio.load_file):
        with pytest.raises(gio.ModelFileError, match=f"description is malformed \\({found}"):
            read(path)


def test_export_and_predict_of_a_contradicting_file_say_it_is_malformed(trained, tmp_path, capsys):
    path = _edited(trained, tmp_path / "bad.glassnet", _set("task", "name", "regression"))
    data = trained.parent / "d.csv"
    out = tmp_path / "p.csv"
    assert main(["predict", str(path), str(data), "--out", str(out)]) != 0
    err = capsys.readouterr().err
    assert "malformed (a regression task has no target.labels" in err and not out.exists()
    pytest.importorskip("onnx")
    from glassnet.onnx import export

    with pytest.raises(gio.ModelFileError, match="regression task has no target.labels"):
        export(path, tmp_path / "bad.onnx")
    assert not (tmp_path / "bad.onnx").exists()


def test_the_file_as_written_and_a_regression_file_still_load(trained, tmp_path):
    assert type(gio.load_pipeline(trained).task).__name__ == "BinaryClassification"
    rng = np.random.default_rng(1)
    lines = ["a,b,y"] + [f"{a:.3f},{b:.3f},{2 * a - b:.3f}" for a, b in rng.normal(size=(40, 2))]
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n")
    model = tmp_path / "r.glassnet"
    argv = ["train", str(tmp_path / "r.csv"), "--target", "y", "--epochs", "1", "-q"]
    assert main([*argv, "--out", str(model)]) == 0
    pipe = gio.load_pipeline(model)
    assert type(pipe.task).__name__ == "Regression" and pipe.labels is None
    assert pipe.network.output_activation == "identity"
