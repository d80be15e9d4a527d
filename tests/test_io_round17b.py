"""Model files: glassnet's own meta keys never mix with the user's (a meta read back and
given to the next save keeps no record of the mode or the frozen parameters), a mode record
carried into another file by an older glassnet is ignored, gn.load takes every CPU mapping
callable PyTorch takes, and the refusal to write a path says which OSError it is."""

import errno
import os

import numpy as np
import pytest

import glassnet as gn
import glassnet.io as gio
from glassnet import nn

pytest.importorskip("safetensors")

X = np.random.default_rng(0).normal(size=(16, 4)).astype(np.float32)


def _raw_meta(path):
    """The meta as the file holds it, glassnet's records included (as an older glassnet,
    which knows none of them, shows it to its user)."""
    return gio._load(path, True)[1]["meta"]


def _model_file_with_meta(model, path, meta):
    """A model file of ``model`` whose meta is ``meta`` as it is: what an older glassnet's
    save_model writes (config and meta, no record of its own)."""
    arrays = gio._clean_arrays(model.state_dict(), "model.state_dict()")
    description = {"config": gio.to_json(model.config(), "config"), "meta": meta}
    gio._save(path, gio._safetensors_numpy("saving"), arrays, description, kind="model")


def _frozen(model):
    return [n for n, p in model.named_parameters() if not p.requires_grad]


# ----------------------------------------------------------------------- own meta keys


def test_a_meta_carried_over_from_a_gn_save_file_keeps_no_record(tmp_path):
    m = nn.MLP([4, 5, 3], rng=0).eval()
    m.layers[0].W.requires_grad_(False)
    gn.save(m, tmp_path / "stage1.glassnet")
    meta = gio.load_arrays(tmp_path / "stage1.glassnet")[1]["meta"]
    assert meta == {} and gio.load_file(tmp_path / "stage1.glassnet").meta == {}
    # fine-tuned: unfrozen, training; saved with the first file's meta carried over
    again = gio.load_model(tmp_path / "stage1.glassnet")
    assert _frozen(again) == ["layers.0.W"] and not again.training
    again.layers[0].W.requires_grad_(True)
    again.train()
    gio.save_model(again, tmp_path / "stage2.glassnet", meta={**meta, "stage": 2})
    back = gio.load_model(tmp_path / "stage2.glassnet")
    assert _frozen(back) == [] and all(mod.training for mod in back.modules())
    assert gio.load_arrays(tmp_path / "stage2.glassnet")[1]["meta"] == {"stage": 2}
    # the same meta with another network: written and read back
    other = nn.MLP([2, 3, 1], rng=1)
    gio.save_model(other, tmp_path / "other.glassnet", meta=meta)
    assert _frozen(gio.load_model(tmp_path / "other.glassnet")) == []


def test_save_model_refuses_each_of_glassnets_own_keys(tmp_path):
    m = nn.MLP([2, 3, 1], rng=0)
    assert set(gio.OWN_META_KEYS) == {"glassnet.modes", "glassnet.save"}
    for key in gio.OWN_META_KEYS:
        with pytest.raises(ValueError, match=rf"'meta' holds the key '{key}'.*rename") as info:
            gio.save_model(m, tmp_path / "m.glassnet", meta={key: "v2 pipeline", "a": 1})
        assert not isinstance(info.value, gio.ModelFileError)  # (the meta given, no file)
    assert not (tmp_path / "m.glassnet").exists()


def test_an_earlier_gn_save_file_still_loads_in_its_mode_with_its_frozen_parameters(tmp_path):
    m = nn.MLP([2, 3, 1], rng=0).eval()
    record = {"training": [False] * len(list(m.modules())), "frozen": ["layers.0.b"]}
    _model_file_with_meta(m, tmp_path / "old.glassnet", {"glassnet.save": record})
    back = gn.load(tmp_path / "old.glassnet")
    assert not any(mod.training for mod in back.modules()) and _frozen(back) == ["layers.0.b"]
    assert gio.load_arrays(tmp_path / "old.glassnet")[1]["meta"] == {}
    # gn.save's record among a user's keys: a meta carried over, not gn.save's file
    _model_file_with_meta(m, tmp_path / "kept.glassnet", {"glassnet.save": record, "run": 2})
    back = gio.load_model(tmp_path / "kept.glassnet")
    assert all(mod.training for mod in back.modules()) and _frozen(back) == []
    assert gio.load_arrays(tmp_path / "kept.glassnet")[1]["meta"] == {"run": 2}


def test_an_earlier_files_own_glassnet_modes_key_loads_in_training_mode(tmp_path):
    m = nn.MLP([2, 3, 1], rng=0).eval()
    n = len(list(m.modules()))
    for value in ("mine", [True], {"training": [False] * n}):  # (no fingerprint: not a record)
        _model_file_with_meta(m, tmp_path / "old.glassnet", {"glassnet.modes": value, "a": 1})
        back = gio.load_model(tmp_path / "old.glassnet")
        assert all(mod.training for mod in back.modules())
        assert gio.load_arrays(tmp_path / "old.glassnet")[1]["meta"] == {"a": 1}
    # gn.save's file beside a list of modes (as glassnet wrote it for a while): gn.save's record
    record = {"training": [False] * n, "frozen": ["layers.0.W"]}
    meta = {"glassnet.save": record, "glassnet.modes": [False] * n}
    _model_file_with_meta(m, tmp_path / "gs.glassnet", meta)
    back = gn.load(tmp_path / "gs.glassnet")
    assert not any(mod.training for mod in back.modules()) and _frozen(back) == ["layers.0.W"]


@pytest.mark.parametrize(
    "state",
    [
        {"training": [True], "frozen": [[1]]},
        {"training": [True], "frozen": ["no.such.weight"]},
        {"training": "abc", "frozen": []},
        {"training": [True] * 50, "frozen": []},
        [1, 2],
    ],
)
def test_an_earlier_gn_save_files_hostile_record_is_refused(tmp_path, state):
    path = tmp_path / "m.glassnet"
    _model_file_with_meta(nn.MLP([2, 3, 1], rng=0), path, {"glassnet.save": state})
    with pytest.raises(gio.ModelFileError, match="modes and frozen parameters.*corrupt"):
        gn.load(path)


# ----------------------------------------------------------- a record an older glassnet kept


def test_a_mode_record_carried_over_by_an_older_glassnet_is_ignored(tmp_path):
    m = nn.MLP([4, 8, 3], dropout=0.5, rng=0).eval()
    gio.save_model(m, tmp_path / "v1.glassnet", meta={"run": 1})
    shown = _raw_meta(tmp_path / "v1.glassnet")  # (an older glassnet's load_arrays)
    assert gio.MODES_KEY in shown
    # it trains on in training mode and saves with the meta carried over, one key changed
    m.train()
    _model_file_with_meta(m, tmp_path / "v2.glassnet", {**shown, "run": 2})
    back = gio.load_model(tmp_path / "v2.glassnet")
    assert all(mod.training for mod in back.modules())
    assert gio.load_arrays(tmp_path / "v2.glassnet")[1]["meta"] == {"run": 2}
    # other weights, the meta as it was
    m.layers[0].W.data[0, 0] += 1.0
    _model_file_with_meta(m, tmp_path / "v3.glassnet", shown)
    assert all(mod.training for mod in gn.load(tmp_path / "v3.glassnet").modules())
    # another network altogether: ignored, not called corrupt
    _model_file_with_meta(nn.MLP([2, 3, 1], rng=0), tmp_path / "v4.glassnet", shown)
    assert all(mod.training for mod in gio.load_model(tmp_path / "v4.glassnet").modules())
    # the very file it read (same weights, config and meta) loads as that file did
    _model_file_with_meta(gio.load_model(tmp_path / "v1.glassnet"), tmp_path / "v5.glassnet", shown)
    assert not any(mod.training for mod in gio.load_model(tmp_path / "v5.glassnet").modules())


# ---------------------------------------------------------------------- map_location


def _state_file(tmp_path):
    gn.save({"w": np.ones(2)}, tmp_path / "w.glassnet")
    return tmp_path / "w.glassnet"


@pytest.mark.parametrize(
    "where",
    [
        lambda s, loc: None,
        lambda s, loc: s if s.device.type == "cpu" else s.cpu(),
        lambda s, loc: s.to(device="cpu"),
        lambda s, loc: s.to("cpu"),
        lambda s, loc: s if s.nbytes() >= 0 and s.size() >= 0 else None,
        lambda s, loc: s if str(s.device) == "cpu" and loc == "cpu" else s.cuda(),
    ],
    ids=["none", "device_type", "to_device", "to", "nbytes", "str_device"],
)
def test_cpu_mapping_callables_that_pytorch_takes_are_taken(tmp_path, where):
    assert gn.load(_state_file(tmp_path), map_location=where)["w"].tolist() == [1, 1]


def test_a_mistake_inside_the_callable_is_its_own_error(tmp_path):
    path = _state_file(tmp_path)

    def typo(storage, loc):
        return storag  # noqa: F821

    with pytest.raises(NameError, match=r"map_location=.*raised NameError.*storag") as info:
        gn.load(path, map_location=typo)
    assert isinstance(info.value.__cause__, NameError)
    assert "on the CPU" not in str(info.value)


def test_a_callable_that_moves_to_a_gpu_is_refused_saying_where(tmp_path):
    path = _state_file(tmp_path)
    for where, device in [
        (lambda s, loc: s.cuda(), "'cuda'"),
        (lambda s, loc: s.to("cuda:1"), "'cuda:1'"),
        (lambda s, loc: s.to(device="cuda"), "'cuda'"),
    ]:
        with pytest.raises(ValueError, match=rf"moves the storage to {device}.*model.to\(device\)"):
            gn.load(path, map_location=where)
    with pytest.raises(ValueError, match="gives back a int"):
        gn.load(path, map_location=lambda s, loc: 3)


def test_a_torch_device_in_the_callable(tmp_path):
    torch = pytest.importorskip("torch")
    path = _state_file(tmp_path)
    assert gn.load(path, map_location=lambda s, loc: s.to(torch.device("cpu")))["w"].size == 2
    with pytest.raises(ValueError, match="moves the storage to 'cuda:0'"):
        gn.load(path, map_location=lambda s, loc: s.to(torch.device("cuda", 0)))


# ----------------------------------------------------------------------- write errors


def test_a_refused_path_is_the_oserror_python_would_raise(tmp_path):
    data = tmp_path / "results.csv"
    data.write_text("a,b\n1,2\n")
    folder = tmp_path / "d"
    folder.mkdir()
    m = nn.MLP([2, 3, 1], rng=0)
    writers = [
        lambda p: gn.save(m, p),
        lambda p: gn.save({"w": np.ones(2)}, p),
        lambda p: gio.save_model(m, p),
        lambda p: gio.save_arrays(p, {"w": np.ones(2)}),
    ]
    for write in writers:
        with pytest.raises(FileExistsError) as info:
            write(data)
        assert info.value.errno == errno.EEXIST and info.value.filename == os.fspath(data)
        assert isinstance(info.value, gio.ModelWriteError) and isinstance(info.value, ValueError)
        assert str(info.value).startswith(("cannot write", "save: ")), str(info.value)
        assert "[Errno" not in str(info.value) and "Delete it" in str(info.value)
        with pytest.raises(IsADirectoryError) as info:
            write(folder)
        assert info.value.errno == errno.EISDIR and info.value.filename == os.fspath(folder)
        assert isinstance(info.value, gio.ModelFileError) and "[Errno" not in str(info.value)
    assert data.read_text() == "a,b\n1,2\n" and os.listdir(folder) == []


# ---------------------------------------------------------------------- a Pipeline's mode


def test_a_pipeline_saved_in_each_mode_loads_in_it(tmp_path):
    from glassnet.cli import main

    rng = np.random.default_rng(0)
    lines = ["a,c,y"] + [
        f"{v:.3f},{rng.choice(['x', 'z'])},{'yes' if v > 0 else 'no'}" for v in rng.normal(size=30)
    ]
    (tmp_path / "d.csv").write_text("\n".join(lines) + "\n")
    argv = ["train", str(tmp_path / "d.csv"), "--target", "y", "--epochs", "1", "-q"]
    assert main([*argv, "--out", str(tmp_path / "m.glassnet")]) == 0
    pipe = gio.load_model(tmp_path / "m.glassnet")
    assert isinstance(pipe, gio.Pipeline) and not any(k in pipe.meta for k in gio.OWN_META_KEYS)
    for training in (False, True):
        pipe.network.train(training)
        gio.save_model(pipe, tmp_path / "p.glassnet")
        back = gio.load_model(tmp_path / "p.glassnet")
        assert isinstance(back, gio.Pipeline)
        assert [mod.training for mod in back.network.modules()] == [training] * len(
            list(back.network.modules())
        )
        assert back.meta == pipe.meta  # (the record is glassnet's, not the Pipeline's meta)
        gio.save_model(back, tmp_path / "p2.glassnet")  # (saved again as it was loaded)
        assert gio.load_model(tmp_path / "p2.glassnet").network.training is training
