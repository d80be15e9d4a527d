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


def test_head_of_yours_called_by_forward_refused():
    # (called as self.head.forward(z), no __call__: not seen; its output is not told apart
    # by its values, which refused logits that happened to be rows summing to 1, see 9.)
    with pytest.raises(ValueError, match="takes logits.*_MyHead.*not softmax"):
        gn.fit(_HeadNet(False), X, LABELS, loss="cross_entropy", epochs=1)


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


# 7. the loss on probabilities: the exact log for every p > 0 (a confidently wrong sample
# keeps its gradient, as PyTorch's nll_loss(log(softmax))), no NaN or inf at p = 0
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_probabilities_loss_exact_when_confidently_wrong(monkeypatch, dtype):
    from glassnet.tasks import loss_parts

    monkeypatch.setitem(F.ACTIVATIONS, "tsoft", SM)  # (softmax's entry under another key)
    fwd, fn, _ = loss_parts(nn.Sequential(nn.TableActivation("tsoft")), F.get_loss("ce"), "ce")
    z = gn.Tensor(np.array([[0.0, 40.0]], dtype), requires_grad=True)
    loss = fn(fwd(z), np.array([0]), None)  # (p_0 = e^-40: below eps in both dtypes)
    loss.backward()
    assert float(loss.data) == pytest.approx(40.0, rel=1e-6)  # (clipped at eps: 15.94)
    np.testing.assert_allclose(z.grad, [[-1.0, 1.0]], atol=1e-6)  # (clipped: 3.6e-11)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_probabilities_loss_below_eps_and_at_zero(dtype):
    from glassnet.tasks import on_output

    spec, tiny = on_output(F.LOSSES["cross_entropy"]), np.finfo(dtype).tiny

    def loss_and_grad(row):
        p = gn.Tensor(np.array([row], dtype), requires_grad=True)
        loss = spec.fn(p, np.array([0]))
        loss.backward()
        return float(loss.data), np.asarray(p.grad)[0]

    value, grad = loss_and_grad([1e-10, 0.5 - 1e-10, 0.5])  # (torch: 23.03, -1e10)
    assert value == pytest.approx(-np.log(dtype(1e-10)), rel=1e-6)
    assert grad[0] == pytest.approx(-1 / dtype(1e-10), rel=1e-6)
    value, grad = loss_and_grad([0.0, 0.5, 0.5])  # (torch, and glassnet before: inf)
    assert value == pytest.approx(-np.log(tiny), rel=1e-6) and np.all(np.isfinite(grad))
    value, grad = loss_and_grad([0.5, 0.5, 0.0])  # (a 0 elsewhere: 0 log 0 was NaN)
    assert value == pytest.approx(np.log(2), rel=1e-6) and np.all(np.isfinite(grad))


def test_replaced_softmax_head_fast_path_and_graph_agree(monkeypatch):
    same = dataclasses.replace(SM, fn=lambda z, axis=-1: SM.fn(z, axis=axis))  # (its values)
    monkeypatch.setitem(F.ACTIVATIONS, "softmax", same)
    assert F.replaced_entry("softmax")
    steps = {}
    for engine in ("auto", "graph"):
        net = nn.Sequential(nn.Linear(2, 2, rng=0), nn.Softmax())
        net[0].W.data[:] = 0
        net[0].b.data[:] = [0, 30]  # (label 0: p_0 = e^-30, below float32's eps)
        h = gn.fit(net, X[:1], [0], loss="cross_entropy", epochs=1, lr=1.0, engine=engine)
        assert h.loss[0] == pytest.approx(30.0, rel=1e-6)
        steps[h.engine] = net[0].b.data - [0, 30]
    np.testing.assert_allclose(steps["fused"], [1.0, -1.0], atol=1e-5)
    np.testing.assert_allclose(steps["graph"], steps["fused"], atol=1e-5)


# 8. a vector entry whose outputs are no probabilities (z - mean z, log softmax) is taken
# by the losses on logits, as PyTorch's cross_entropy takes them; probabilities are refused
def _center(z, axis=-1):
    return z - z.mean(axis=axis, keepdims=True)


def _log_softmax(z, axis=-1):
    return np.log(SM.fn(z, axis=axis))


VEC = {
    "center": F.Activation("center", _center, lambda z, a: np.eye(3) - 1 / 3 + 0 * z[..., None],
                           "z - mean", "", elementwise=False),
    "log_softmax": F.Activation("log_softmax", _log_softmax, lambda z, a: None, "log p", "",
                                elementwise=False),
}  # fmt: skip


@pytest.mark.parametrize("key", list(VEC))
def test_losses_on_logits_take_non_probability_vector_outputs(monkeypatch, key):
    monkeypatch.setitem(F.ACTIVATIONS, key, VEC[key])
    z = gn.Tensor(X @ np.ones((2, 3)) + np.arange(3))
    out = F.activation(z, key)
    ce = float(F.cross_entropy(z, LABELS).data)  # (shift invariant: CE(out) = CE(z))
    assert float(F.cross_entropy(out, LABELS).data) == pytest.approx(ce, rel=1e-12)
    assert float(nn.CrossEntropyLoss()(out, LABELS).data) == pytest.approx(ce, rel=1e-12)
    plain = F.binary_cross_entropy_with_logits(gn.Tensor(out.data), ROWS)
    assert float(F.binary_cross_entropy_with_logits(out, ROWS).data) == float(plain.data)


def test_custom_forward_ending_in_non_probability_vector_entry_trains(monkeypatch):
    monkeypatch.setitem(F.ACTIVATIONS, "center", VEC["center"])
    net = _Net("center")
    z = net.lin(gn.Tensor(X)).data
    p = SM.fn(z)
    h = gn.fit(net, X, LABELS, loss="cross_entropy", epochs=1, lr=1e-300, batch_size=8)
    assert h.loss[0] == pytest.approx(float(-np.mean(np.log(p[np.arange(8), LABELS]))), 1e-5)


def test_fit_takes_bce_with_logits_after_non_probability_vector_entry(monkeypatch):
    monkeypatch.setitem(F.ACTIVATIONS, "center", VEC["center"])
    net = nn.Sequential(nn.Linear(2, 3, rng=0), nn.TableActivation("center"))
    h = gn.fit(net, X, ROWS, loss="binary_cross_entropy_with_logits", epochs=1, lr=0.1)
    assert np.all(np.isfinite(h.loss))


# 9. a softmax module of the user's used in the middle: a model ending in a Linear whose
# logits happen to be rows in [0, 1] summing to 1 is trained, not refused
class _AttnNet(nn.Module):
    def __init__(self):
        self.q = nn.Linear(2, 2, rng=0)
        self.attn = _MyHead()
        self.out = nn.Linear(2, 2, rng=1)

    def forward(self, x):
        return self.out(self.attn(self.q(x)) * x)


def test_softmax_of_yours_in_the_middle_is_not_the_output():
    net = _AttnNet()
    net.out.W.data[:] = 0
    net.out.b.data[:] = [0.3, 0.7]  # (logits in [0, 1] summing to 1)
    h = gn.fit(net, X, LABELS % 2, loss="cross_entropy", epochs=1, lr=0.1, batch_size=8)
    assert np.all(np.isfinite(h.loss))


# 10. the playground trains by the loss's kernel: a loss replaced in its fn is refused
def test_playground_refuses_loss_replaced_in_fn(monkeypatch):
    from glassnet.playground.engine import Run

    bce = F.LOSSES["binary_cross_entropy"]
    monkeypatch.setitem(F.LOSSES, "binary_cross_entropy", dataclasses.replace(bce, fn=F.mse))
    with pytest.raises(ValueError, match="the playground: the entry 'binary_cross_entropy'"):
        Run({"problem": "classification"})
