"""PyTorch's checkpoint habits on glassnet's safe files: gn.save/gn.load of the usual
checkpoint dict (nested state dicts, numbers, strings), resuming from it to the same weights,
and Module.load_state_dict's refusals caught by a ported ``except RuntimeError:``, with the
pointer to load_torch_state_dict for PyTorch's keys in every form."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn, optim
from glassnet.io import ModelFileError, file_kind


def _model(seed: int = 0) -> nn.Module:
    return nn.Sequential(nn.Linear(3, 5, rng=seed), nn.ReLU(), nn.Linear(5, 2, rng=seed + 1))


def _data():
    rng = np.random.default_rng(7)
    return rng.standard_normal((16, 3)), rng.standard_normal((16, 2))


def _run(model, opt, sched, epochs):
    X, Y = _data()
    for _ in range(epochs):
        for i in range(0, 16, 4):
            opt.zero_grad()
            loss = ((model(X[i : i + 4]) - Y[i : i + 4]) ** 2).mean()
            loss.backward()
            opt.step()
        sched.step()
    return float(loss.item())


def _build():
    model = _model()
    opt = optim.Adam(model.parameters(), lr=0.05, weight_decay=0.01)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    return model, opt, sched


def test_a_pytorch_checkpoint_dict_round_trips_with_its_types(tmp_path):
    model, opt, sched = _build()
    _run(model, opt, sched, 1)
    plateau = optim.lr_scheduler.ReduceLROnPlateau(optim.SGD(model.parameters(), lr=0.1))
    mask = np.array([[0.0, -np.inf], [0.0, 0.0]], dtype=np.float32)
    ck = {
        "epoch": 3,
        "model_state_dict": model.state_dict(),
        "optimizer_state_dict": opt.state_dict(),
        "scheduler": sched.state_dict(),
        "plateau": plateau.state_dict(),  # ('best': inf before its first step)
        "loss": 0.12,
        "history": [1.5, 2, None, True, "text"],
        "pair": (1, 2.0),
        "by_index": {0: np.arange(3, dtype=np.int32), 1: np.zeros((), dtype=np.uint8)},
        "mask": mask,
        "w": gn.tensor([1.0, 2.0], requires_grad=True),
        "__private": 1,
    }
    path = tmp_path / "checkpoint.pt"
    gn.save(ck, path)
    back = gn.load(path)
    assert list(back) == list(ck)
    assert type(back["epoch"]) is int and back["epoch"] == 3
    assert type(back["loss"]) is float and back["loss"] == 0.12
    assert back["history"] == [1.5, 2, None, True, "text"] and type(back["history"][1]) is int
    assert back["pair"] == (1, 2.0) and type(back["pair"]) is tuple
    assert list(back["by_index"]) == [0, 1]
    assert back["by_index"][0].dtype == np.int32 and back["by_index"][1].shape == ()
    assert back["by_index"][1].dtype == np.uint8
    np.testing.assert_array_equal(back["mask"], mask)
    assert back["mask"].dtype == np.float32
    assert isinstance(back["w"], gn.Tensor) and back["w"].requires_grad
    assert back["w"].data.tolist() == [1.0, 2.0]
    assert back["plateau"]["best"] == np.inf and type(back["plateau"]["best"]) is float
    assert back["scheduler"] == sched.state_dict()
    assert back["optimizer_state_dict"]["param_groups"][0]["betas"] == (0.9, 0.999)
    for name, a in model.state_dict().items():
        got = back["model_state_dict"][name]
        assert got.dtype == a.dtype and got.shape == a.shape
        np.testing.assert_array_equal(got, a)
    assert file_kind(path) == "arrays"  # (no pickle: arrays and JSON)


def test_an_optimizers_state_dict_alone_and_lists_and_numbers_round_trip(tmp_path):
    model, opt, sched = _build()
    _run(model, opt, sched, 1)
    gn.save(opt.state_dict(), tmp_path / "o.pt")
    fresh = optim.Adam(_model().parameters(), lr=0.05, weight_decay=0.01)
    fresh.load_state_dict(gn.load(tmp_path / "o.pt"))
    for name, a in opt.state_dict()["param_groups"][0].items():
        np.testing.assert_array_equal(fresh.state_dict()["param_groups"][0][name], a)
    for obj in ([1, 2], (1, [2.5, "x"]), 3, 2.5, "text", None, True, []):
        gn.save(obj, tmp_path / "x.pt")
        got = gn.load(tmp_path / "x.pt")
        assert got == obj and type(got) is type(obj)


def test_a_state_dict_of_tensors_gives_its_tensors_back(tmp_path):
    """A flat state dict of Tensors came back as arrays: a Tensor is a Tensor again."""
    lin = nn.Linear(2, 3, rng=0)
    gn.save({"W": lin.W, "b": np.ones(3)}, tmp_path / "sd.pt")
    back = gn.load(tmp_path / "sd.pt")
    assert isinstance(back["W"], gn.Tensor) and back["W"].requires_grad
    assert type(back["b"]) is np.ndarray
    np.testing.assert_array_equal(back["W"].data, lin.W.data)
    assert nn.Linear(2, 3).load_state_dict(back) == ([], [])


def test_resuming_from_a_saved_checkpoint_gives_the_uninterrupted_weights(tmp_path):
    model, opt, sched = _build()
    _run(model, opt, sched, 6)
    straight = model.state_dict()

    model, opt, sched = _build()
    loss = _run(model, opt, sched, 3)
    path = tmp_path / "resume.pt"
    gn.save(
        {
            "epoch": 3,
            "model_state_dict": model.state_dict(),
            "optimizer_state_dict": opt.state_dict(),
            "scheduler": sched.state_dict(),
            "loss": loss,
        },
        path,
    )
    del model, opt, sched
    model, opt, sched = _build()
    ck = gn.load(path)
    model.load_state_dict(ck["model_state_dict"])
    opt.load_state_dict(ck["optimizer_state_dict"])
    sched.load_state_dict(ck["scheduler"])
    assert ck["epoch"] == 3 and ck["loss"] == loss
    _run(model, opt, sched, 6 - ck["epoch"])
    resumed = model.state_dict()
    assert list(resumed) == list(straight)
    for name in straight:  # (bit-identical)
        assert resumed[name].tobytes() == straight[name].tobytes(), name


def test_what_cannot_be_saved_safely_is_refused_naming_its_key_path(tmp_path):
    path = tmp_path / "bad.pt"
    model, opt, _ = _build()
    cases = [
        (
            {"optimizer_state_dict": {"param_groups": [{"params": lambda: 0}]}},
            r"'optimizer_state_dict\.param_groups\[0\]\.params' holds a builtins\.function.*"
            "leave it out",
        ),
        ({"model": model}, r"'model' holds a glassnet\.nn\..*Sequential.*model\.state_dict\(\)"),
        ({"opt": opt}, r"'opt' holds a glassnet\.optim\.Adam.*its state_dict\(\) in its place"),
        ({"tags": {"a"}}, r"'tags' holds a builtins\.set.*sorted\(value\)"),
        (
            {"state": {0: {1.5: 2}}},
            r"in 'state\[0\]' the key 1\.5 is a float, not a str or int.*name it",
        ),
        ({"x": [1, object()]}, r"'x\[1\]' holds a builtins\.object.*never pickled"),
        ({"big": 10**5000}, r"'big' is an integer of more than 4300 digits"),
        ({"odd key": np.ones(2, dtype=np.complex128)}, r"\['odd key'\].*complex128"),
        (object(), r"the object holds a builtins\.object"),
    ]
    for obj, message in cases:
        with pytest.raises((TypeError, ValueError), match=message):
            gn.save(obj, path)
    loop: dict = {}
    loop["me"] = loop
    with pytest.raises(ValueError, match=r"'me.me' holds itself"):
        gn.save({"me": loop}, path)
    assert not path.exists()
    gn.save({"epoch": 1}, path)  # (a refusal leaves the file there as it was)
    with pytest.raises(TypeError, match="a function is code"):
        gn.save({"epoch": 2, "f": print}, path)
    assert gn.load(path) == {"epoch": 1}
    data = tmp_path / "data.csv"
    data.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="is a text file, not a glassnet file"):
        gn.save({"epoch": 1}, data)
    assert data.read_text() == "a,b\n1,2\n"


def test_a_file_of_glassnets_arrays_named_as_an_object_but_not_one_is_refused(tmp_path):
    path = tmp_path / "forged.pt"
    gn.io.save_arrays(path, {"other/x": np.ones(2)}, meta={"glassnet.save": "object"})
    with pytest.raises(ModelFileError, match="inconsistent.*corrupt"):
        gn.load(path)


def test_load_state_dict_refusals_are_runtime_errors_as_pytorchs():
    model = _model()
    sd = model.state_dict()
    missing = {k: v for k, v in sd.items() if k != "layers.0.b"}
    extra = {**sd, "other": np.ones(1)}
    shape = {**sd, "layers.0.b": np.ones(7)}
    nan = {**sd, "layers.0.b": np.full(5, np.nan)}
    for bad, strict in ((missing, True), (extra, True), (shape, True), (shape, False), (nan, True)):
        with pytest.raises(RuntimeError):
            model.load_state_dict(bad, strict=strict)
        with pytest.raises(ValueError):  # (as before)
            model.load_state_dict(bad, strict=strict)
    try:  # the ported fallback
        model.load_state_dict(missing)
    except RuntimeError:
        result = model.load_state_dict(missing, strict=False)
    assert result.missing_keys == ["layers.0.b"]
    with pytest.raises(TypeError, match="expects the dict returned by state_dict"):
        model.load_state_dict([1, 2])


def test_pytorchs_keys_bare_or_prefixed_point_to_load_torch_state_dict():
    w, b = np.zeros((4, 3)), np.zeros(4)
    hint = r"PyTorch state_dict's \('{}'.*glassnet\.io\.load_torch_state_dict"
    cases = [
        (nn.Linear(3, 4), {"weight": w, "bias": b}, "weight"),
        (nn.Linear(3, 4, bias=False), {"weight": w}, "weight"),
        (nn.Sequential(nn.Linear(3, 4)), {"0.weight": w, "0.bias": b}, "0.weight"),
        (nn.Sequential(nn.Linear(3, 4)), {"weight": w, "bias": b}, "weight"),
    ]
    for model, state, key in cases:  # (ValueError: the hint alone, as before this round)
        with pytest.raises(ValueError, match=hint.format(key)):
            model.load_state_dict(state)
    with pytest.raises(RuntimeError, match="missing keys") as info:  # (glassnet's own keys)
        nn.Linear(3, 4).load_state_dict({"W": np.zeros((3, 4)), "weight": w})
    assert "load_torch_state_dict" not in str(info.value)
    ln = nn.LayerNorm(4)  # (its own weight loads)
    assert ln.load_state_dict(ln.state_dict()) == ([], [])


def test_load_checkpoint_of_a_gn_save_checkpoint_dict_says_to_use_gn_load(tmp_path):
    gn.save({"epoch": 1, "model_state_dict": _model().state_dict()}, tmp_path / "c.pt")
    with pytest.raises(ModelFileError, match=r"not a checkpoint: read it with gn\.load"):
        gn.io.load_checkpoint(tmp_path / "c.pt")
