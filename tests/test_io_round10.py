"""Model files are read once: gn.load (and the ONNX export of a 'glassnet train' model) open
and read the file one time, so a file replaced while it is loaded gives the old version or
the new one whole, never one version's weights with the other's description."""

from __future__ import annotations

import os

import numpy as np
import pytest

pytest.importorskip("safetensors")

import glassnet as gn  # noqa: E402
from glassnet import io as gio  # noqa: E402
from glassnet import nn  # noqa: E402


def _count_opens(monkeypatch) -> list:
    """Patch the one place the readers open a file; return the list of paths opened."""
    opened = []
    real = gio._open_regular

    def counting(p):
        opened.append(os.fspath(p))
        return real(p)

    monkeypatch.setattr(gio, "_open_regular", counting)
    return opened


def _saved_model(path):
    model = nn.MLP([2, 3, 1], rng=0)
    model.eval()
    gn.save(model, path)
    return model


@pytest.mark.parametrize(
    "write",
    [
        _saved_model,
        lambda p: gn.save({"W": np.ones((2, 2)), "b": np.zeros(2)}, p),
        lambda p: gn.save(gn.Tensor(np.arange(3.0), requires_grad=True), p),
        lambda p: gio.save_checkpoint(p, {"W": np.ones(2)}, {"step": np.ones(2)}, meta={"e": 1}),
        lambda p: gio.save_model(nn.MLP([2, 1], rng=0), p),
        lambda p: gio.save_arrays(p, {"a": np.ones(3)}, {"note": "x"}),
    ],
    ids=["model", "state dict", "tensor", "checkpoint", "save_model", "save_arrays"],
)
def test_gn_load_opens_and_reads_the_file_once(tmp_path, monkeypatch, write):
    # gn.load asked file_kind (one open, the header read), then read a model with
    # load_model and again with load_arrays (for its modes): three opens, two full reads
    path = tmp_path / "m.glassnet"
    write(path)
    want = gn.load(path)
    opened = _count_opens(monkeypatch)
    got = gn.load(path)
    assert opened == [os.fspath(path)]
    assert type(got) is type(want)


def test_load_file_gives_each_kind_from_one_read(tmp_path, monkeypatch):
    model = _saved_model(tmp_path / "m.glassnet")
    gio.save_checkpoint(tmp_path / "c.glassnet", {"W": np.ones(2)}, {"lr": 0.1}, meta={"e": 3})
    gio.save_arrays(tmp_path / "a.glassnet", {"a": np.ones(3)}, {"note": "x"})
    opened = _count_opens(monkeypatch)
    kind, value, meta = gio.load_file(tmp_path / "m.glassnet")
    assert (
        kind == "model" and isinstance(value, nn.MLP) and meta == {}
    )  # (no record: glassnet's own)
    for p, q in zip(model.parameters(), value.parameters()):
        assert np.array_equal(p.data, q.data)
    kind, value, meta = gio.load_file(tmp_path / "c.glassnet")
    assert kind == "checkpoint" and value.optimizer_state == {"lr": 0.1} and meta == {"e": 3}
    kind, value, meta = gio.load_file(tmp_path / "a.glassnet")
    assert kind == "arrays" and list(value) == ["a"] and meta == {"note": "x"}
    assert len(opened) == 3


def test_a_file_replaced_while_gn_load_reads_it_gives_one_version_whole(tmp_path, monkeypatch):
    # Another program saves a new version (os.replace, as gn.save writes) each time the file
    # is opened. gn.load gave the second version's weights with the first's modes (its
    # file_kind read the first, load_model the second, load_arrays the third): a mix.
    path = tmp_path / "m.glassnet"
    old = nn.MLP([2, 3, 1], rng=0)
    old.eval()
    old.layers[0].W.requires_grad_(False)
    new = nn.MLP([2, 5, 1], rng=1)  # training mode, nothing frozen
    gn.save(new, tmp_path / "new.glassnet")
    gn.save(old, tmp_path / "old.glassnet")
    versions = [tmp_path / "new.glassnet", tmp_path / "old.glassnet"]
    for v in versions:  # (copies: each replace moves one in)
        (tmp_path / f"{v.stem}.0").write_bytes(v.read_bytes())
        (tmp_path / f"{v.stem}.1").write_bytes(v.read_bytes())
    spares = [tmp_path / "new.0", tmp_path / "old.0", tmp_path / "new.1", tmp_path / "old.1"]
    gn.save(old, path)
    real = gio._open_regular

    def replaced_after_open(p):
        f = real(p)
        if os.fspath(p) == os.fspath(path) and spares:
            os.replace(spares.pop(0), path)  # the next version, after this open
        return f

    monkeypatch.setattr(gio, "_open_regular", replaced_after_open)
    got = gn.load(path)
    # the version that was opened, whole: its weights, its modes, its frozen weight
    assert [p.data.shape for p in got.parameters()] == [p.data.shape for p in old.parameters()]
    for p, q in zip(old.parameters(), got.parameters()):
        assert np.array_equal(p.data, q.data)
    assert [m.training for m in got.modules()] == [m.training for m in old.modules()]
    assert [p.requires_grad for p in got.parameters()] == [False, True, True, True]
    assert len(spares) == 3  # one open


def _multilabel_model(tmp_path):
    from glassnet.cli import main

    rng = np.random.default_rng(0)
    lines = ["a,b,y1,y2"]
    for a, b in rng.normal(size=(40, 2)):
        lines.append(f"{a:.3f},{b:.3f},{int(a > 0)},{'yes' if b > 0 else 'no'}")
    (tmp_path / "d.csv").write_text("\n".join(lines) + "\n")
    model = tmp_path / "m.glassnet"
    argv = ["train", str(tmp_path / "d.csv"), "--target", "y1,y2", "--task", "multilabel"]
    assert main([*argv, "--epochs", "1", "-q", "--out", str(model)]) == 0
    return model


def test_export_of_a_train_model_reads_the_file_once(tmp_path, monkeypatch):
    # a multi-label model was read by load_model, then again by load_pipeline for its labels
    pytest.importorskip("onnx")
    from glassnet.onnx import export

    model = _multilabel_model(tmp_path)
    opened = _count_opens(monkeypatch)
    export(model, tmp_path / "m.onnx", verify=False)
    assert opened.count(os.fspath(model)) == 1


def test_glassnet_info_reads_the_model_file_once(tmp_path, monkeypatch, capsys):
    # a sniff of the header (a CSV file given as the model is named as such), then file_kind,
    # load_model and load_arrays: four opens, two full reads; now the sniff and one read
    from glassnet.cli import main

    path = tmp_path / "m.glassnet"
    _saved_model(path)
    opened = _count_opens(monkeypatch)
    assert main(["info", str(path)]) == 0
    assert "glassnet model file" in capsys.readouterr().out
    assert opened == [str(path)] * 2
    ck = tmp_path / "c.glassnet"
    gio.save_checkpoint(ck, {"W": np.ones(2)}, {"step": np.ones(2)}, meta={"e": 1})
    opened.clear()
    assert main(["info", str(ck)]) == 0  # (info shows a checkpoint since round 27, one read)
    assert "glassnet checkpoint file" in capsys.readouterr().out
    assert opened == [str(ck)] * 2
