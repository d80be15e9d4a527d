"""A layer with a forward of the user's, continued: summary shows a forward set on the
instance as the user's layer (its own tracing wrappers are no user's forward); a model of
the user's own (no Sequential) ending in a softmax head of the user's class is refused by
cross-entropy as a Sequential is; the refusals name the kind of layer once, and fit notes
when such a layer moves training to the graph."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import functional as F
from glassnet import nn
from glassnet.objective import evaluate_loss
from glassnet.tasks import WATCHES, builtin_forward

X = np.random.default_rng(0).standard_normal((32, 2))
Y = X[:, :1] * 0.5
LABELS = (X[:, 0] > 0).astype(int)


def net(act):
    return nn.Sequential(nn.Linear(2, 4, rng=0, dtype=np.float64), act, nn.Linear(4, 1, rng=1))


class Clamped(nn.Softmax):  # probabilities, but no softmax's output: no logits in it
    def forward(self, x):
        return F.softmax(x) * 0.98 + 0.01


class TempSoftmax(nn.Softmax):  # a softmax with a temperature: its input / 2 are the logits
    def forward(self, x):
        return F.softmax(x / 2.0)


class MySm(nn.ActivationModule):
    name = "softmax"

    def forward(self, x):
        return F.softmax(x) * 0.98 + 0.01


class LogTanh(nn.Tanh):  # the built-in maths, with a forward of its own (logging, say)
    def forward(self, x):
        return super().forward(x)


class Net(nn.Module):  # a model of the user's own, ending in ``head``
    def __init__(self, head, inner=None):
        super().__init__()
        self.a = nn.Linear(2, 3, rng=0, dtype=np.float64)
        self.b = nn.Linear(3, 2, rng=1, dtype=np.float64)
        self.head, self.inner = head, inner

    def forward(self, x):
        h = self.a(x)
        h = self.inner(h) if self.inner is not None else h
        z = self.b(h)
        return self.head(z) if self.head is not None else z


def ce(model):
    return gn.fit(model, X, LABELS, loss="cross_entropy", lr=0.1, epochs=1, verbose=0)


# ------------------------------------------------------------------ F1: summary
def test_summary_shows_a_forward_set_on_the_instance_as_the_layer_of_yours():
    m = net(nn.Tanh())
    m.layers[1].forward = lambda x: F.relu(x)
    text = str(gn.summary(m, (1, 2)))
    assert "tanh(" not in text
    m.layers[0].forward = lambda x: x @ (m.layers[0].W * 0.5)
    row = next(r for r in str(gn.summary(m, (1, 2))).splitlines() if "layers.0" in r)
    assert "Linear" in row and "+ b" not in row  # (no bias added: no formula with one)


def test_builtin_forward_looks_through_glassnets_watching_wrapper_only():
    t = nn.Tanh()
    inner = t.forward

    def run(x):
        return inner(x)

    setattr(run, WATCHES, inner)
    t.forward = run
    assert builtin_forward(t)  # (glassnet's wrapper around the class's forward)
    u = nn.Tanh()
    mine = lambda x: F.relu(x)  # noqa: E731
    u.forward = mine
    outer = lambda x: mine(x)  # noqa: E731
    setattr(outer, WATCHES, mine)
    u.forward = outer
    assert not builtin_forward(u)  # (around a forward of the user's: still the user's)


# ------------------------------------------------------------------ F2: a model of yours
def test_a_model_of_yours_ending_in_a_softmax_head_of_yours_is_refused():
    with pytest.raises(
        ValueError, match=r"loss='cross_entropy'.*Clamped, a subclass of nn.Softmax"
    ):
        ce(Net(Clamped()))
    m = Net(Clamped())
    assert "forward" not in vars(m.head)  # (the watched instance put back)


def test_a_model_of_yours_with_a_softmax_of_yours_inside_or_a_real_softmax_head_trains():
    inner = Net(None, inner=Clamped())  # (its output: logits of a Linear)
    h = ce(inner)
    assert np.isfinite(h.loss[-1]) and "forward" not in vars(inner.inner)
    temp = Net(TempSoftmax())
    with gn.no_grad():
        z = temp.b(temp.a(gn.Tensor(X))) / 2.0
    want = float(F.cross_entropy(z, LABELS).data)
    assert evaluate_loss(temp, X, LABELS, loss="cross_entropy") == pytest.approx(want)


# ------------------------------------------------------------------ F3: the words
def test_the_cross_entropy_refusal_names_the_kind_of_layer_and_no_owner():
    m = nn.Sequential(nn.Linear(2, 2, rng=0, dtype=np.float64), nn.Softmax())
    m.layers[1].forward = lambda x: F.softmax(x) * 0.98 + 0.01
    with pytest.raises(ValueError, match="a Softmax given a forward on the instance") as e:
        ce(m)
    assert "subclass" not in str(e.value)
    with pytest.raises(ValueError, match=r"MySm, a subclass of nn.ActivationModule,") as e:
        ce(nn.Sequential(nn.Linear(2, 2, rng=0, dtype=np.float64), MySm()))
    assert "nn.Softmax" not in str(e.value)
    obj = gn.Objective(
        nn.Sequential(nn.Linear(2, 2, rng=0, dtype=np.float64), Clamped()),
        X,
        LABELS,
        "cross_entropy",
    )
    with pytest.raises(ValueError) as e:
        obj()
    assert str(e.value).startswith("loss='cross_entropy'")


def test_the_fused_and_jit_refusals_give_the_advice_once():
    class ScaledTanh(nn.Tanh):
        def forward(self, x):
            return F.tanh(x) * 2

    with pytest.raises(ValueError, match="ScaledTanh, a subclass of nn.Tanh") as e:
        gn.fit(net(ScaledTanh()), X, Y, engine="fused", epochs=1, verbose=0)
    assert str(e.value).count("engine='graph'") == 1 and "'auto'" in str(e.value)
    with pytest.raises(ValueError, match="ScaledTanh") as e:
        gn.fit(net(ScaledTanh()), X, Y, engine="jit", epochs=1, verbose=0)
    assert str(e.value).count("engine=") == 2  # ('jit' given, and the advice)


# ------------------------------------------------------------------ F4: the note
def test_fit_notes_once_that_a_layer_of_yours_moves_training_to_the_graph():
    h = gn.fit(net(LogTanh()), X, Y, lr=0.05, epochs=3, verbose=0)
    assert h.engine == "graph"
    notes = [w for w in h.warnings if "LogTanh" in w]
    assert len(notes) == 1 and "graph" in notes[0] and "engine='graph'" in notes[0]
    assert not gn.fit(net(LogTanh()), X, Y, engine="graph", epochs=1, verbose=0).warnings
    assert not gn.fit(net(nn.Tanh()), X, Y, epochs=1, verbose=0).warnings
