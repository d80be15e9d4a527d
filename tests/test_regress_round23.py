"""A forward replaced by a mock (unittest.mock) counts as the user's own and runs; the
validation over blocks of rows scores cross-entropy as one pass does on every chain; loss_parts
looks at a softmax head of a model of the user's without setting anything on its layers."""

import copy
import pickle
import threading
from unittest import mock

import numpy as np
import pytest

import glassnet as gn
from glassnet import functional as F
from glassnet import nn, tasks
from glassnet.objective import evaluate_loss

X = np.random.default_rng(0).standard_normal((32, 2))
Y = X[:, :1] * 0.5


def net():
    return nn.Sequential(
        nn.Linear(2, 4, rng=0, dtype=np.float64), nn.Tanh(), nn.Linear(4, 1, rng=1)
    )


def finishes(fn, seconds=10.0):
    got: list = []
    t = threading.Thread(target=lambda: got.append(fn()), daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), "did not finish (a mock's attributes followed for ever)"
    return got[0]


@pytest.mark.parametrize("kind", [mock.MagicMock, mock.Mock])
def test_a_mocked_forward_is_the_users_own_and_fit_and_summary_finish(kind):
    m = net()
    orig = m.layers[1].forward
    spy = kind(side_effect=lambda x: orig(x))
    m.layers[1].forward = spy
    assert not tasks.builtin_forward(m.layers[1])
    assert tasks.forward_set(m.layers[1]) is spy
    h = finishes(lambda: gn.fit(m, X, Y, epochs=1, verbose=0))
    assert h.engine == "graph" and spy.call_count > 0
    text = finishes(lambda: str(gn.summary(m, (1, 2))))
    assert "Tanh" in text


def test_a_patched_forward_with_a_return_value_runs_in_summary():
    m = net()
    with mock.patch.object(m.layers[1], "forward", return_value=gn.Tensor(np.zeros((1, 4)))):
        assert "layers.2" in finishes(lambda: str(gn.summary(m, (1, 2))))


def _chains():
    def lin(a, b, seed):
        return nn.Linear(a, b, rng=seed, dtype=np.float64)

    def body():
        return [lin(20, 64, 0), nn.Tanh(), lin(64, 10, 1)]

    return {
        "softmax, identity": nn.Sequential(*body(), nn.Softmax(), nn.Identity()),
        "softmax, dropout": nn.Sequential(*body(), nn.Softmax(), nn.Dropout(0.0)),
        "nested head": nn.Sequential(*body()[:2], nn.Sequential(lin(64, 10, 1), nn.Softmax())),
        "softmax head": nn.Sequential(*body(), nn.Softmax()),
        "logits": nn.Sequential(*body()),
    }


@pytest.mark.parametrize("name", list(_chains()))
def test_cross_entropy_over_blocks_of_rows_is_the_one_pass(monkeypatch, name):
    rng = np.random.default_rng(2)
    Xv, L = rng.standard_normal((4000, 20)), rng.integers(0, 10, 4000)
    spec = F.LOSSES["cross_entropy"]

    def run():
        model = _chains()[name]
        h = gn.fit(model, Xv[:64], L[:64], loss="cross_entropy", lr=0.1, epochs=1, verbose=0,
                   validation_data=(Xv, L))  # fmt: skip
        return (evaluate_loss(model, Xv, L, loss="cross_entropy"),
                tasks.score(model, spec, "cross_entropy", Xv, L), h.val_loss[-1])  # fmt: skip

    whole = run()
    monkeypatch.setattr(tasks, "FORWARD_BYTES", 2_000)
    assert len(tasks.row_blocks(4000, 10, [(20, 64), (64, 10)])) > 2  # (blocks of rows)
    # (a float32 model: to rounding, as a float32 BLAS product's rows may take other last
    # bits in a block than in the product of all the rows; a wrong head is off by far more)
    got = run()
    assert got[1][2:] == whole[1][2:]  # (the metric's name)

    def numbers(r):
        return [r[0], *r[1][:2], r[2]]

    np.testing.assert_allclose(numbers(got), numbers(whole), rtol=1e-5, equal_nan=True)


class Clamped(nn.Softmax):  # probabilities, no softmax's output: refused by cross-entropy
    def forward(self, x):
        seen.append(("forward" in vars(self), pickle.dumps(owner[0]), copy.deepcopy(owner[0])))
        return F.softmax(x) * 0.98 + 0.01


seen: list = []
owner: list = []


class Net(nn.Module):  # a model of the user's own, ending in a softmax head of the user's
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(2, 2, rng=0, dtype=np.float64)
        self.head = Clamped()

    def forward(self, x):
        return self.head(self.a(x))


def test_the_head_of_a_model_of_yours_is_watched_without_setting_anything_on_it():
    m = Net()
    owner[:] = [m]
    seen.clear()
    with pytest.raises(ValueError, match=r"loss='cross_entropy'.*Clamped, a subclass"):
        gn.fit(m, X, (X[:, 0] > 0).astype(int), loss="cross_entropy", epochs=1, verbose=0)
    on_it, pickled, copied = seen[0]
    assert not on_it and "forward" not in vars(m.head)  # (nothing set, during nor after)
    assert "forward" not in vars(pickle.loads(pickled).head)
    assert "forward" not in vars(copied.head)
    with gn.no_grad():  # (the copy's head runs its own forward, on its own instance)
        copied.head(gn.Tensor(X[:2]))
    assert "forward" not in vars(copied.head)
