"""The table's added and replaced entries seen by their identity (the key they are read
by, F.replaced_entry), not by a name string: vector heads under losses on logits, a
custom forward's softmax of the user's, explain and fit_many under a replaced loss, a
head called by its forward, rounding below 0 in a vector head, a loaded dropout's stream."""

import copy
import dataclasses
import pickle

import numpy as np
import pytest

import glassnet as gn
import glassnet.functional as F
from glassnet import nn
from glassnet.chain import as_chain

SM = F.ACTIVATIONS["softmax"]
T = 3.0


def _hot(name="softmax"):  # a temperature softmax; dataclasses.replace keeps .name "softmax"
    return dataclasses.replace(
        SM,
        name=name,
        fn=lambda z, axis=-1: SM.fn(z / T, axis=axis),
        grad=lambda z, a: SM.grad(z / T, a) / T,
    )


def _onesum(z, axis=-1):  # softmax whose last class is 1 - the others' sum (rounding: < 0)
    p = SM.fn(z, axis=axis)
    p[..., -1] = 1 - p[..., :-1].sum(axis=-1)
    return p


X = np.random.default_rng(1).normal(size=(8, 2))
LABELS = np.arange(8) % 3
ROWS = np.eye(3)[LABELS]


# 1. losses on logits refuse an added vector entry's output, as the built-in softmax's
@pytest.mark.parametrize("key", ["softmax", "tsoft"])
def test_bce_with_logits_refuses_vector_entry_output(monkeypatch, key):
    monkeypatch.setitem(F.ACTIVATIONS, "tsoft", _hot("tsoft"))
    out = F.activation(gn.Tensor(X @ np.ones((2, 3))), key)
    with pytest.raises(ValueError, match=f"takes logits.*{key}'s output.*squash twice"):
        F.binary_cross_entropy_with_logits(out, ROWS)
    with pytest.raises(ValueError, match="squash twice"):
        nn.BCEWithLogitsLoss()(out, ROWS)
    with pytest.raises(ValueError, match="squash twice"):
        F.cross_entropy(out, LABELS)


@pytest.mark.parametrize("loss", ["bce", "binary_cross_entropy_with_logits"])
def test_fit_refuses_bce_on_added_vector_head(monkeypatch, loss):
    monkeypatch.setitem(F.ACTIVATIONS, "tsoft", _hot("tsoft"))
    net = nn.MLP([2, 4, 3], activation="tanh", output_activation="tsoft", rng=0)
    with pytest.raises(ValueError, match="fit: the model ends in tsoft.*(final tsoft|compete)"):
        gn.fit(net, X, ROWS, loss=loss, epochs=1)


# 2. a custom forward's F.activation(z, key): the entry under that key, whatever its .name
class _Net(nn.Module):
    def __init__(self, key):
        self.lin = nn.Linear(2, 3, rng=0)
        self.key = key

    def forward(self, x):
        return F.activation(self.lin(x), self.key)


def _expected(net):
    p = F.ACTIVATIONS[net.key].fn(net.lin(gn.Tensor(X)).data)
    return float(-np.mean(np.log(p[np.arange(len(X)), LABELS])))


def test_entry_named_softmax_under_another_key(monkeypatch):
    monkeypatch.setitem(F.ACTIVATIONS, "hot", _hot())  # (.name "softmax")
    assert F.activation(gn.Tensor(X), "hot").op == "hot"  # (the op is the key)
    chain = as_chain(_Net("hot"), X)  # (explain's reading: the entry, not the built-in softmax)
    assert type(chain.layers[-1]) is nn.TableActivation and chain.layers[-1].name == "hot"
    net = _Net("hot")
    h = gn.fit(net, X, LABELS, loss="cross_entropy", epochs=1, lr=1e-300, batch_size=8)
    assert h.loss[0] == pytest.approx(_expected(net), rel=1e-6)  # (float32; z itself: 1.585)


def test_replaced_softmax_in_custom_forward(monkeypatch):
    monkeypatch.setitem(F.ACTIVATIONS, "softmax", _hot())
    net = _Net("softmax")
    h = gn.fit(net, X, LABELS, loss="cross_entropy", epochs=1, lr=1e-300, batch_size=8)
    assert h.loss[0] == pytest.approx(_expected(net), rel=1e-6)  # (float32; z itself: 1.585)


# 3. explain and fit_many compute a loss by its kernel: a replaced fn is refused in words
def test_explain_and_fit_many_refuse_loss_replaced_in_fn(monkeypatch):
    mse = F.LOSSES["mse"]

    def fn(x, y, reduction="mean", sample_weight=None):
        return mse.fn(x, y, reduction=reduction, sample_weight=sample_weight) * 3.0

    monkeypatch.setitem(F.LOSSES, "mse", dataclasses.replace(mse, fn=fn))
    y = np.array([[0.5], [0.2], [0.9]])
    Xs = X[:3]
    with pytest.raises(ValueError, match="explain: the entry 'mse'.*kernel alone"):
        gn.explain(nn.MLP([2, 2, 1], activation="tanh", rng=0), Xs, y, loss="mse")
    models = [nn.MLP([2, 2, 1], activation="tanh", rng=s) for s in (0, 1)]
    with pytest.raises(ValueError, match="fit_many: the entry 'mse'.*kernel alone"):
        gn.fit_many(models, Xs, y, loss="mse", epochs=1)
    h = gn.fit(models[0], Xs, y, loss="mse", epochs=1, lr=1e-300)  # (fit: the graph, fn's)
    assert h.engine == "graph"


# 4. a softmax head of the user's called by its forward, not its __call__
class _MyHead(nn.Softmax):
    def forward(self, z):
        e = (z - z.max(axis=1, keepdims=True)).exp()
        return e / e.sum(axis=1, keepdims=True)


class _HeadNet(nn.Module):
    def __init__(self, direct):
        self.lin = nn.Linear(2, 3, rng=0)
        self.head = _MyHead()
        self.direct = direct

    def forward(self, x):
        z = self.lin(x)
        return self.head.forward(z) if self.direct else self.head(z)


@pytest.mark.parametrize("direct", [False, True])
def test_head_of_yours_called_by_forward_refused(direct):
    with pytest.raises(ValueError, match="takes logits.*_MyHead.*not softmax"):
        gn.fit(_HeadNet(direct), X, LABELS, loss="cross_entropy", epochs=1)


# 5. a vector head's rounding below 0 (a few eps) is probabilities; a clear negative is not
def _onesum_net(bias):
    net = nn.Sequential(nn.Linear(2, 3, rng=0), nn.TableActivation("onesum"))
    net.layers[0].b.data[:] = bias
    return net


def test_vector_head_rounding_below_zero(monkeypatch):
    monkeypatch.setitem(F.ACTIVATIONS, "onesum", dataclasses.replace(SM, name="onesum", fn=_onesum))
    Xr = np.random.default_rng(0).normal(size=(400, 2))
    yr = np.arange(400) % 2
    assert np.min(_onesum_net([0, 0, -40])(gn.Tensor(Xr)).data) == -(2.0**-52)  # (the case)
    h = gn.fit(_onesum_net([0, 0, -40]), Xr, yr, loss="cross_entropy", epochs=2, lr=0.1)
    assert np.all(np.isfinite(h.loss))

    def shifted(z, axis=-1):
        p = _onesum(z, axis)
        p[..., -1] -= 1e-3
        return p

    monkeypatch.setitem(F.ACTIVATIONS, "onesum", dataclasses.replace(SM, name="onesum", fn=shifted))
    with pytest.raises(ValueError, match="'onesum'.*< 0 \\(beyond rounding"):
        gn.fit(_onesum_net([0, 0, 0]), Xr, yr, loss="cross_entropy", epochs=1)


# 6. gn.save keeps a dropout's int seed, not its stream's position (a pickle keeps it)
def _masks(model, n=2):
    model.train()
    return [model(gn.Tensor(np.ones((5, 4)))).data.copy() for _ in range(n)]


def test_loaded_dropout_restarts_from_its_seed(tmp_path):
    def seq():
        return nn.Sequential(nn.Linear(4, 8, rng=0), nn.Dropout(0.5, rng=7))

    used = seq()
    _masks(used)  # (its stream moved on)
    gn.save(used, tmp_path / "m.glassnet")
    kept = pickle.loads(pickle.dumps(used))
    copied = copy.deepcopy(used)
    going_on = _masks(used)
    loaded = _masks(gn.load(tmp_path / "m.glassnet"))
    assert all(np.array_equal(a, b) for a, b in zip(loaded, _masks(seq()), strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(loaded, going_on, strict=True))
    for other in (kept, copied):
        assert all(np.array_equal(a, b) for a, b in zip(_masks(other), going_on, strict=True))
