"""A forward replaced by a mock (unittest.mock) counts as the user's own and runs; the
validation over blocks of rows scores cross-entropy as one pass does on every chain; loss_parts
looks at a softmax head of a model of the user's without setting anything on its layers."""

import threading
from unittest import mock

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn, tasks

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
