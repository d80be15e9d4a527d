"""Round 27's resume audit (resume27): an unresumed optimizer refused by fit(initial_epoch=),
optimizer load_state_dict's messages and dtype conversion, load_weights' dtype conversion
and pointers, gn.save's list advice, the checkpoint callback, the CLI's checkpoints."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn, optim

X = np.random.default_rng(0).normal(size=(64, 3))
Y = (X[:, 0] > 0).astype(int)


def _seed(e):
    return np.random.default_rng([0, 0, e])


def _run(opt_cls=optim.Adam, epochs=4, initial_epoch=0, model=None, opt=None, **kw):
    m = model or nn.MLP([3, 5, 2], rng=0, output_activation="softmax")
    o = opt or opt_cls(m.parameters(), lr=0.01)
    gn.fit(m, X, Y, loss="cross_entropy", optimizer=o, epochs=epochs, verbose=0,
           batch_size=16, seed=_seed, initial_epoch=initial_epoch, **kw)  # fmt: skip
    return m, o


# 1. fit(initial_epoch=k) with a stateful optimizer that never stepped, or at another epoch
@pytest.mark.parametrize(
    "make",
    [
        lambda p: optim.Adam(p, lr=0.01),
        lambda p: optim.SGD(p, lr=0.01, momentum=0.9),
        lambda p: optim.RMSprop(p, lr=0.01),
    ],
)
def test_fresh_stateful_optimizer_refused_on_resume(make):
    m, _ = _run(epochs=2)
    o = make(m.parameters())
    with pytest.raises(ValueError, match=r"resumes after epoch 2.*optimizer has not stepped.*"
                       r"load_state_dict"):  # fmt: skip
        _run(epochs=4, initial_epoch=2, model=m, opt=o)


def test_fresh_plain_sgd_accepted_on_resume():
    m, _ = _run(optim.SGD, epochs=2)
    _run(epochs=4, initial_epoch=2, model=m, opt=optim.SGD(m.parameters(), lr=0.01))


def test_optimizer_of_another_epoch_refused():
    m, o = _run(epochs=3)  # 3 epochs of 4 steps: t == 12
    with pytest.raises(ValueError, match=r"epoch 2, 2 x 4 = 8 steps.*taken 12 steps"):
        _run(epochs=5, initial_epoch=2, model=m, opt=o)


def test_resumed_optimizer_accepted_and_bit_identical():
    full, _ = _run(epochs=4)
    m, o = _run(epochs=2)
    sd, osd = m.state_dict(), o.state_dict()
    m2 = nn.MLP([3, 5, 2], rng=1, output_activation="softmax")
    m2.load_state_dict(sd)
    o2 = optim.Adam(m2.parameters(), lr=0.01)
    o2.load_state_dict(osd)
    _run(epochs=4, initial_epoch=2, model=m2, opt=o2)
    for k, v in full.state_dict().items():
        assert np.array_equal(v, m2.state_dict()[k])


# 2. a dict that is not an optimizer's state_dict
def test_optimizer_load_of_whole_checkpoint_points_to_its_key():
    m = nn.MLP([3, 4, 2])
    o = optim.Adam(m.parameters())
    ck = {"epoch": 3, "model_state_dict": m.state_dict(), "optimizer_state_dict": o.state_dict()}
    with pytest.raises(ValueError) as e:
        o.load_state_dict(ck)
    msg = str(e.value)
    assert "not an optimizer's state_dict()" in msg and "'model_state_dict'" in msg
    assert "ck['optimizer_state_dict']" in msg or "['optimizer_state_dict']" in msg
    assert "None" not in msg
    for given in ({}, m.state_dict()):
        with pytest.raises(ValueError, match="not an optimizer's state_dict") as e:
            o.load_state_dict(given)
        assert "None" not in str(e.value)


def test_optimizer_of_another_type_message_grammar():
    m = nn.MLP([3, 4, 2])
    with pytest.raises(ValueError) as e:
        optim.SGD(m.parameters(), lr=0.1).load_state_dict(optim.Adam(m.parameters()).state_dict())
    assert "a Adam" not in str(e.value) and "an Adam" in str(e.value)


# 3. another architecture; another dtype
def test_optimizer_state_of_another_architecture_says_so():
    sd = optim.Adam(nn.MLP([3, 4, 2]).parameters()).state_dict()
    with pytest.raises(ValueError) as e:
        optim.Adam(nn.MLP([3, 5, 2]).parameters()).load_state_dict(sd)
    msg = str(e.value)
    assert "26 values in 4 parameters" in msg and "32 values in 4 parameters" in msg
    assert "same model" in msg


@pytest.mark.parametrize("src,dst", [("float32", "float64"), ("float64", "float32")])
def test_optimizer_state_converted_to_parameter_dtype(src, dst):
    m, o = _run(epochs=1, model=nn.MLP([3, 5, 2], rng=0, output_activation="softmax",
                                       dtype=src))  # fmt: skip
    sd = o.state_dict()
    m2 = nn.MLP([3, 5, 2], rng=0, output_activation="softmax", dtype=dst)
    o2 = optim.Adam(m2.parameters(), lr=0.01)
    o2.load_state_dict(sd)
    got = o2.state_dict()["param_groups"][0]
    for key in ("m.0", "v.0"):
        assert got[key].dtype == np.dtype(dst)
        assert np.array_equal(got[key], sd["param_groups"][0][key].astype(dst))
    assert o2.t == o.t


# 4. load_weights converts a dtype as load_state_dict does
def test_load_weights_converts_dtype(tmp_path):
    src = nn.MLP([3, 4, 2], rng=0, dtype="float64")
    gn.io.save_model(src, tmp_path / "m64.glassnet")
    m = nn.MLP([3, 4, 2], rng=1)
    gn.io.load_weights(m, tmp_path / "m64.glassnet")
    ref = nn.MLP([3, 4, 2], rng=1)
    ref.load_state_dict(src.state_dict())
    for k, v in ref.state_dict().items():
        assert m.state_dict()[k].dtype == np.float32
        assert np.array_equal(v, m.state_dict()[k])


# 5. gn.save of a long list
def test_save_long_list_advice(tmp_path, monkeypatch):
    import glassnet.io as gio

    monkeypatch.setattr(gio, "MAX_JSON_ITEMS", 50)
    with pytest.raises(gn.io.ModelFileError) as e:
        gn.save({"loss": [0.5] * 100}, tmp_path / "h.glassnet")
    assert "'meta'" not in str(e.value) and "np.asarray" in str(e.value)


# 7. a PyTorch-keyed safetensors file
def test_load_weights_of_torch_safetensors_points_to_load_torch_state_dict(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    arrays = {"0.weight": np.zeros((4, 3), np.float32), "0.bias": np.zeros(4, np.float32)}
    st.save_file(arrays, str(tmp_path / "t.safetensors"))
    with pytest.raises(gn.io.ModelFileError, match="load_torch_state_dict"):
        gn.io.load_weights(nn.MLP([3, 4, 2]), tmp_path / "t.safetensors")


# 12. a whole checkpoint dict given to a model's load_state_dict
def test_model_load_of_whole_checkpoint_points_to_its_key():
    m = nn.MLP([3, 4, 2])
    ck = {"epoch": 3, "model_state_dict": m.state_dict(), "optimizer_state_dict": {}}
    with pytest.raises((ValueError, KeyError)) as e:
        m.load_state_dict(ck)
    assert "['model_state_dict']" in str(e.value)


def test_model_load_of_gn_load_checkpoint_points_to_model_key(tmp_path):
    m = nn.MLP([3, 4, 2])
    o = optim.Adam(m.parameters())
    gn.io.save_checkpoint(tmp_path / "c.glassnet", m.state_dict(), o.state_dict(), {"epoch": 1})
    with pytest.raises(ValueError, match=r"ck\['model'\]"):
        m.load_state_dict(gn.load(tmp_path / "c.glassnet"))


# 6, 10, 11: the command line's checkpoints
def _cli(args, capsys):
    from glassnet.cli import main

    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


TRAIN = ["train", "--dataset", "moons", "--hidden", "4", "--seed", "0", "--threads", "1"]


def test_cli_resume_with_a_model_file_as_checkpoint_speaks_cli(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _cli([*TRAIN, "--epochs", "2", "--out", "full.glassnet"], capsys)[0] == 0
    code, _, err = _cli([*TRAIN, "--epochs", "4", "--out", "q.glassnet", "--checkpoint-every",
                         "1", "--resume", "--checkpoint", "full.glassnet"], capsys)  # fmt: skip
    assert code != 0
    assert "model file (what train --out writes)" in err and "'<out>.ckpt'" in err
    assert "load_model" not in err


def test_cli_resume_keeps_the_checkpoint_interval(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = [*TRAIN, "--out", "nn.glassnet"]
    assert _cli([*args, "--epochs", "4", "--checkpoint-every", "2"], capsys)[0] == 0
    code, _, err = _cli([*args, "--epochs", "6", "--resume"], capsys)
    assert code == 0 and "every 2 epochs, as before" in err
    ck = gn.io.load_checkpoint(tmp_path / "nn.glassnet.ckpt")
    assert ck.meta["state"]["epoch"] == 6 and ck.meta["checkpoint_every"] == 2
    # info of a checkpoint: its epoch, settings and arrays
    code, out, _ = _cli(["info", "nn.glassnet.ckpt"], capsys)
    assert code == 0 and "checkpoint file" in out and "epoch         6" in out
    assert "layers.0.W" in out and "hidden" in out
    code, out, _ = _cli(["info", "--json", "nn.glassnet.ckpt"], capsys)
    assert code == 0 and '"kind": "checkpoint"' in out


# 9. the public checkpoint callback: a resumed run bit for bit the uninterrupted one
class _CtrlC(gn.train.Callback):
    def __init__(self, at_step):
        self.at, self.steps = at_step, 0

    def on_step_end(self, state):
        self.steps += 1
        if self.steps == self.at:
            raise KeyboardInterrupt


def _dropout_run(folder, epochs, restore=False, stop_at=None, rng=7):
    from glassnet.schedules import StepLR

    folder.mkdir(exist_ok=True)
    gn.manual_seed(3)  # (the default generator: restored from the checkpoint too)
    m = nn.MLP([3, 6, 2], rng=rng, output_activation="softmax", dropout=0.3)
    o = optim.Adam(m.parameters(), lr=0.01)
    s = StepLR(o, step_size=2, gamma=0.5)
    path = folder / "run.ckpt"
    start = gn.ModelCheckpoint.restore(path, m, o, s) if restore else 0
    cbs = [gn.ModelCheckpoint(path, every=2, schedule=s)]
    if stop_at is not None:
        cbs.append(_CtrlC(stop_at))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (the interrupted run's warning)
        gn.fit(m, X, Y, loss="cross_entropy", optimizer=o, schedule=s, epochs=epochs,
               initial_epoch=start, verbose=0, batch_size=16, seed=0, callbacks=cbs)  # fmt: skip
    return m


@pytest.mark.parametrize("rng", [7, None])
@pytest.mark.parametrize("stop_at", [None, 14])
def test_model_checkpoint_resume_is_bit_identical(tmp_path, stop_at, rng):
    full = _dropout_run(tmp_path / "a", 6, rng=rng)
    if stop_at is None:
        _dropout_run(tmp_path / "b", 3, rng=rng)  # (epoch 3: written at the end, every=2)
    else:
        _dropout_run(tmp_path / "b", 6, stop_at=stop_at, rng=rng)  # (Ctrl-C within epoch 4)
    assert gn.io.load_checkpoint(tmp_path / "b" / "run.ckpt").meta["epoch"] == 3
    got = _dropout_run(tmp_path / "b", 6, restore=True, rng=rng)
    for k, v in full.state_dict().items():
        assert np.array_equal(v, got.state_dict()[k]), k


def test_model_checkpoint_refuses_a_bad_interval(tmp_path):
    with pytest.raises(ValueError, match="'every' must be an int >= 1"):
        gn.ModelCheckpoint(tmp_path / "c.ckpt", every=0)


def test_save_a_long_float_list_exactly(tmp_path):
    rng = np.random.default_rng(0)
    floats = [float(x) for x in rng.normal(size=500)] + [-0.0, 5e-324, 1.7976931348623157e308]
    mixed = [1, 2.5, True, None] + [0.5] * 20  # (not all floats: each item as before)
    tail = [0.25] * 20 + [float("inf"), float("nan")]  # (non-finite: tagged as before)
    gn.save({"loss": floats, "mixed": mixed, "tail": tail}, tmp_path / "h.glassnet")
    got = gn.load(tmp_path / "h.glassnet")
    assert got["loss"] == floats and all(type(v) is float for v in got["loss"])
    assert str(got["loss"][-3]) == "-0.0"
    assert got["mixed"] == mixed and [type(v) for v in got["mixed"]] == [type(v) for v in mixed]
    assert got["tail"][:21] == tail[:21] and np.isnan(got["tail"][-1])
