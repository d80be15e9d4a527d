"""An output head whose entry of glassnet.functional.ACTIVATIONS was replaced (sigmoid under
binary cross-entropy, softmax under cross-entropy) is trained on its own output, never fused
with the loss as the built-in head on the logits; functional.replaced_entry is the one check;
io.save_model refuses a model using a replaced entry as gn.save does."""

import dataclasses

import numpy as np
import pytest

import glassnet as gn
from glassnet import functional as F
from glassnet import io, nn
from glassnet.fused import FastMLP, layers_of

X = np.array([[1.0, 0.5], [0.2, 0.1], [-0.3, 0.8]])


def _sigmoid_of_tanh():  # 0.5 (1 + tanh z): sigmoid(2z), so another function than sigmoid
    F.ACTIVATIONS["sigmoid"] = dataclasses.replace(
        F.ACTIVATIONS["sigmoid"],
        fn=lambda z: 0.5 * (1 + np.tanh(z)),
        grad=lambda z, a: 2 * a * (1 - a),
    )


def _softmax_of_twice():  # softmax(2z)
    F.ACTIVATIONS["softmax"] = dataclasses.replace(
        F.ACTIVATIONS["softmax"],
        fn=lambda z, axis=-1: F.softmax_fn(2 * z, axis),
        grad=lambda z, a: 2 * F.softmax_jac(z, a),
    )


def _by_hand(net, loss):
    """One SGD step (lr 1) of the loss of the model's own output, by backward."""
    W = list(net.parameters())
    p = net(gn.Tensor(X))
    loss(p).backward()
    return [w.data - w.grad for w in W]


@pytest.mark.parametrize("engine", ["graph", "fused"])
def test_replaced_sigmoid_head_trains_on_its_output(tables, engine):
    _sigmoid_of_tanh()
    y = np.array([[1.0], [0.0], [1.0]])

    def make():
        return nn.Sequential(nn.Linear(2, 1, rng=0, dtype=np.float64), nn.Sigmoid())

    want = _by_hand(make(), lambda p: F.binary_cross_entropy(p, y))
    net = make()
    gn.fit(net, X, y, loss="bce", epochs=1, lr=1.0, batch_size=3, engine=engine, verbose=0)
    for p, w in zip(net.parameters(), want):
        np.testing.assert_allclose(p.data, w, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("engine", ["graph", "fused"])
def test_replaced_softmax_head_trains_on_its_output(tables, engine):
    _softmax_of_twice()
    labels = np.array([0, 2, 1])
    Y = np.eye(3)[labels]

    def make():
        return nn.Sequential(nn.Linear(2, 3, rng=0, dtype=np.float64), nn.Softmax())

    want = _by_hand(make(), lambda p: -(p.log() * Y).sum(axis=1).mean())
    net = make()
    gn.fit(net, X, labels, loss="cross_entropy", epochs=1, lr=1.0, batch_size=3, engine=engine,
           verbose=0)  # fmt: skip
    for p, w in zip(net.parameters(), want):
        np.testing.assert_allclose(p.data, w, rtol=1e-10, atol=1e-12)


def test_builtin_heads_still_fuse_with_their_loss(tables):
    net = nn.Sequential(nn.Linear(2, 1, rng=0, dtype=np.float64), nn.Sigmoid())
    assert FastMLP(layers_of(net, training=True), "bce").fused
    F.ACTIVATIONS["sigmoid"] = dataclasses.replace(F.ACTIVATIONS["sigmoid"], formula="s(z)")
    assert FastMLP(layers_of(net, training=True), "bce").fused  # (new texts only)
    _sigmoid_of_tanh()
    fast = FastMLP(layers_of(net, training=True), "bce")
    assert not fast.fused and fast.loss.name == "binary_cross_entropy"


def test_replaced_entry_is_functional_s_one_check(tables):
    from glassnet import explain

    assert explain.replaced_entry is F.replaced_entry
    assert not any(F.replaced_entry(n) for n in F.ACTIVATIONS)
    assert not any(F.replaced_entry(n, loss=True) for n in F.LOSSES)
    _sigmoid_of_tanh()
    assert F.replaced_entry("sigmoid") and not F.replaced_entry("tanh")
    with pytest.raises(TypeError, match="name must be a str"):
        F.replaced_entry(None)


def test_compiled_loop_refuses_tanh_given_another_builtin_pair(tables):
    jit = pytest.importorskip("glassnet.jit")
    from glassnet import optim

    net = nn.Sequential(
        nn.Linear(2, 2, rng=0, dtype=np.float64), nn.Tanh(), nn.Linear(2, 1, dtype=np.float64)
    )
    fast = FastMLP(layers_of(net, training=True), "mse")
    opt = optim.SGD(net.parameters(), lr=0.1)
    assert jit.why_not(fast, opt) is None
    relu = F.ACTIVATIONS["relu"]  # (the loop would compute tanh by its name: refused)
    F.ACTIVATIONS["tanh"] = dataclasses.replace(F.ACTIVATIONS["tanh"], fn=relu.fn, grad=relu.grad)
    assert "'tanh' was replaced" in jit.why_not(fast, opt)


def test_save_model_refuses_a_replaced_entry(tables, tmp_path):
    m = nn.MLP([2, 3, 1], activation="tanh", rng=0)
    io.save_model(m, tmp_path / "before.glassnet")  # (the built-in: saved as before)
    F.ACTIVATIONS["tanh"] = dataclasses.replace(
        F.ACTIVATIONS["tanh"], fn=lambda z: 1.7159 * np.tanh(z * 2 / 3)
    )
    with pytest.raises(TypeError) as info:
        io.save_model(m, tmp_path / "m.glassnet")
    msg = str(info.value)
    assert msg.startswith("save_model:") and "'tanh'" in msg and "replaced" in msg
    assert "state_dict()" in msg and not (tmp_path / "m.glassnet").exists()
