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
def test_fresh_stateful_optimizer_warned_of_on_resume(make):
    m, _ = _run(epochs=2)
    o = make(m.parameters())
    name = type(o).__name__
    with pytest.warns(UserWarning, match=rf"resumes after epoch 2 with a fresh {name} \(no "
                      r"moments\).*load its optimizer state_dict"):  # fmt: skip
        _run(epochs=4, initial_epoch=2, model=m, opt=o)  # (warned, and it trains: no refusal)
    assert o.t == 8


def test_fresh_plain_sgd_accepted_on_resume():
    m, _ = _run(optim.SGD, epochs=2)
    _run(epochs=4, initial_epoch=2, model=m, opt=optim.SGD(m.parameters(), lr=0.01))


def test_optimizer_of_another_epoch_warned_of():
    m, o = _run(epochs=3)  # 3 epochs of 4 steps: t == 12
    with pytest.warns(UserWarning, match=r"epoch 2, which takes 2 x 4 = 8 steps.*taken 12 "
                      r"steps.*another epoch"):  # fmt: skip
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
    # (round 30 names the class without an article: "load it into an instance of Adam")
    assert "a Adam" not in str(e.value) and "an instance of Adam" in str(e.value)


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


# --------------------------------------------------------------- round 27's review (rev27e)
def _es_build():
    from glassnet.schedules import StepLR

    m = nn.MLP([3, 16, 16, 2], rng=3, output_activation="softmax")
    o = optim.Adam(m.parameters(), lr=0.05)
    return m, o, StepLR(o, step_size=4, gamma=0.5)


_XS = np.random.default_rng(1).normal(size=(120, 3))
_YS = ((_XS[:, 0] + 0.8 * np.random.default_rng(2).normal(size=120)) > 0).astype(int)
_ES = dict(loss="cross_entropy", batch_size=16, validation_split=0.2, seed=0, verbose=0,
           early_stopping=True, n_iter_no_change=3)  # fmt: skip


def _es_fit(m, o, s, epochs, path=None, initial_epoch=0):
    cbs = [] if path is None else [gn.ModelCheckpoint(path, every=1, schedule=s)]
    return gn.fit(m, _XS, _YS, optimizer=o, schedule=s, epochs=epochs, callbacks=cbs,
                  initial_epoch=initial_epoch, **_ES)  # fmt: skip


# 1. one ModelCheckpoint object given to two fits on two models
def test_a_reused_checkpoint_writes_the_second_models_weights(tmp_path):
    path = tmp_path / "r.ckpt"
    ck = gn.ModelCheckpoint(path, every=1)
    m1 = nn.MLP([3, 5, 2], rng=3, output_activation="softmax")
    _run(epochs=2, model=m1, callbacks=[ck])
    m2 = nn.MLP([3, 5, 2], rng=9, output_activation="softmax")
    o2 = optim.Adam(m2.parameters(), lr=0.01)
    ep = gn.ModelCheckpoint.restore(path, m2, o2)
    _run(epochs=4, initial_epoch=ep, model=m2, opt=o2, callbacks=[ck])
    ck_file = gn.io.load_checkpoint(path)
    assert ck_file.meta["epoch"] == 4
    for k, v in m2.state_dict().items():
        assert np.array_equal(ck_file.model_state[k], v), k
    # another architecture with the same callback: written whole, restorable
    m3 = nn.MLP([3, 9, 2], rng=1, output_activation="softmax")
    _run(epochs=2, model=m3, callbacks=[ck])
    m4 = nn.MLP([3, 9, 2], rng=2, output_activation="softmax")
    gn.ModelCheckpoint.restore(path, m4, optim.Adam(m4.parameters(), lr=0.01))
    for k, v in m3.state_dict().items():
        assert np.array_equal(m4.state_dict()[k], v), k


# 2. the stopping rules' books saved and restored: early stopping resumes bit for bit
@pytest.mark.parametrize("at", [3, 5])
def test_checkpoint_resume_with_early_stopping_is_bit_identical(tmp_path, at):
    m, o, s = _es_build()
    full = _es_fit(m, o, s, 60)
    assert full.stop_reason == "early_stopping" and full.epochs > 5
    path = tmp_path / "run.ckpt"
    _es_fit(*_es_build(), at, path=path)
    m2, o2, s2 = _es_build()
    ep = gn.ModelCheckpoint.restore(path, m2, o2, s2)
    assert ep == at
    got = _es_fit(m2, o2, s2, 60, path=path, initial_epoch=ep)
    assert got.stop_reason == "early_stopping" and got.epochs == full.epochs
    assert got.best_epoch == full.best_epoch
    for k, v in m.state_dict().items():
        assert np.array_equal(v, m2.state_dict()[k]), k


def test_checkpoint_resume_with_tol_and_stop_rules_is_bit_identical(tmp_path):
    from glassnet.train import EarlyStopping

    kw = dict(_ES, early_stopping=False, n_iter_no_change=None)
    m, o, s = _es_build()
    full = gn.fit(m, _XS, _YS, optimizer=o, schedule=s, epochs=60, **kw,
                  stop_rules=[EarlyStopping(1e-3, 3)])  # fmt: skip
    path = tmp_path / "run.ckpt"
    m1, o1, s1 = _es_build()
    gn.fit(m1, _XS, _YS, optimizer=o1, schedule=s1, epochs=4, **kw,
           stop_rules=[EarlyStopping(1e-3, 3)],
           callbacks=[gn.ModelCheckpoint(path, schedule=s1)])  # fmt: skip
    m2, o2, s2 = _es_build()
    ep = gn.ModelCheckpoint.restore(path, m2, o2, s2)
    got = gn.fit(m2, _XS, _YS, optimizer=o2, schedule=s2, epochs=60, initial_epoch=ep, **kw,
                 stop_rules=[EarlyStopping(1e-3, 3)],
                 callbacks=[gn.ModelCheckpoint(path, schedule=s2)])  # fmt: skip
    assert got.epochs == full.epochs and got.stop_reason == full.stop_reason
    for k, v in m.state_dict().items():
        assert np.array_equal(v, m2.state_dict()[k]), k


# 3, 4, 5. fit(initial_epoch=k): a fresh or mismatched optimizer warned of, not refused
def test_fresh_optimizer_by_name_warns_on_resume():
    m, _ = _run(epochs=2)
    said = r"after epoch 2 with a fresh Adam \(no moments\).*load its optimizer state_dict"
    with pytest.warns(UserWarning, match=said + r".*warnings.filterwarnings"):
        gn.fit(m, X, Y, loss="cross_entropy", optimizer="adam", lr=0.01, epochs=4, verbose=0,
               batch_size=16, seed=_seed, initial_epoch=2)  # fmt: skip


def test_step_count_of_another_batch_size_warns_without_a_wrong_epoch():
    m, o = _run(epochs=3)  # t == 12 (4 steps an epoch at batch 16)
    with pytest.warns(UserWarning) as rec:
        gn.fit(m, X, Y, loss="cross_entropy", optimizer=o, epochs=5, verbose=0,
               batch_size=32, seed=_seed, initial_epoch=3)  # fmt: skip
    msg = str(rec[0].message)
    assert "taken 12 steps" in msg and "3 x 2 = 6 steps" in msg
    assert "another batch size" in msg and "another epoch" in msg
    assert "epoch 6's state" not in msg and "initial_epoch that" not in msg


def test_a_run_cut_by_max_steps_continues_with_a_warning():
    m = nn.MLP([3, 5, 2], rng=0, output_activation="softmax")
    o = optim.Adam(m.parameters(), lr=0.01)
    h = gn.fit(m, X, Y, loss="cross_entropy", optimizer=o, epochs=5, max_steps=7, verbose=0,
               batch_size=16, seed=_seed)  # fmt: skip
    assert h.epochs == 2 and o.t == 7
    with pytest.warns(UserWarning, match=r"taken 7 steps.*within an epoch"):
        h2 = gn.fit(m, X, Y, loss="cross_entropy", optimizer=o, epochs=5, verbose=0,
                    batch_size=16, seed=_seed, initial_epoch=h.epochs)  # fmt: skip
    assert h2.epochs == 5


def test_nothing_to_train_no_warning():
    m, _ = _run(epochs=4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _run(epochs=4, initial_epoch=4, model=m)  # (a fresh Adam: no step runs)
        _run(epochs=4, initial_epoch=4, model=m, opt=_run(epochs=1)[1].__class__(
            m.parameters(), lr=0.01))  # fmt: skip


# 6. the smaller points
def test_checkpoint_in_a_missing_directory_refused_at_construction(tmp_path):
    path = tmp_path / "missing" / "run.ckpt"
    with pytest.raises(gn.io.ModelWriteError, match="missing") as e:
        gn.ModelCheckpoint(path)
    assert str(path) in str(e.value)


def test_info_of_a_checkpoint_without_epoch_prints_no_question_mark(tmp_path, capsys):
    m = nn.MLP([3, 4, 2])
    o = optim.Adam(m.parameters())
    gn.io.save_checkpoint(tmp_path / "c.glassnet", m.state_dict(), o.state_dict())
    code, out, _ = _cli(["info", str(tmp_path / "c.glassnet")], capsys)
    assert code == 0 and "epoch ?" not in out.replace("  ", " ") and "?" not in out.split(
        "epoch")[1].splitlines()[0]  # fmt: skip
    assert "no epoch recorded" in out


def test_resume_checks_use_no_private_optimizer_attributes():
    import inspect

    from glassnet import engines, saving

    for mod in (engines, saving):
        src = inspect.getsource(mod)
        for name in ("._packs", "._buffers", "._regroup", '"_rule"', "'_rule'"):
            assert name not in src, (mod.__name__, name)
