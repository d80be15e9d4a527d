"""summary only describes a model: running a forward to learn its shapes leaves the
modules' modes, every buffer (a BatchNorm's running statistics, num_batches_tracked) and
the generators dropout draws from (glassnet's default one, a Dropout's own) as they were,
so predictions and the next training step are those of a model never summarized."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.summary import summary

nn = gn.nn


class Net(nn.Module):
    """A custom forward: BatchNorm, a Dropout with its own generator, and F.dropout from
    glassnet's default generator."""

    def __init__(self):
        self.fc1 = nn.Linear(3, 16, rng=0)
        self.bn = nn.BatchNorm1d(16)
        self.drop = nn.Dropout(0.5, rng=1)
        self.fc2 = nn.Linear(16, 1, rng=2)

    def forward(self, x):
        h = self.drop(self.bn(self.fc1(x)).relu())
        return self.fc2(gn.nn.functional.dropout(h, 0.3, self.training))


def _state(m):
    return {k: np.array(v, copy=True) for k, v in m.state_dict().items()}


X = np.random.default_rng(0).normal(size=(16, 3)) * 3 + 1
Y = X.sum(1, keepdims=True)


def _step(m):
    opt = gn.optim.SGD(m.parameters(), lr=0.1)
    loss = ((m(gn.Tensor(X)) - gn.Tensor(Y)) ** 2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    return float(loss.data), _state(m)


@pytest.mark.parametrize("how", ["input_data", "input_shape"])
def test_summary_leaves_the_model_and_its_next_training_step_as_they_were(how):
    gn.manual_seed(5)
    a = Net()
    gn.manual_seed(5)
    b = Net()  # a twin of a, never summarized
    for m in (a, b):
        gn.manual_seed(7)
        _step(m)  # (moved off the initial state: buffers that are not zeros and ones)
        m.fc2.eval()  # a mixed mode: each module's own comes back
    before = a.predict(X)
    buffers = _state(a)
    modes = [m.training for m in a.modules()]
    kwargs = {"input_data": X[:8]} if how == "input_data" else {"input_shape": (8, 3)}
    gn.manual_seed(11)
    shown = str(summary(a, **kwargs))
    assert "(8, 16)" in shown or "(N, 16)" in shown, shown
    assert [m.training for m in a.modules()] == modes
    after = _state(a)
    assert after.keys() == buffers.keys()
    for k, v in after.items():
        np.testing.assert_array_equal(v, buffers[k], err_msg=k)
    np.testing.assert_array_equal(a.predict(X), before)
    # the next training step, from the same default generator: a's is b's
    loss_a, state_a = _step(a)
    gn.manual_seed(11)
    loss_b, state_b = _step(b)
    assert loss_a == loss_b
    for k in state_a:
        np.testing.assert_array_equal(state_a[k], state_b[k], err_msg=k)


def test_batchnorm_statistics_are_not_updated_by_summary():
    m = nn.Sequential(nn.Linear(3, 5, rng=0), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 1, rng=1))
    gn.fit(m, X, X.sum(1), loss="mse", lr=0.01, epochs=5, verbose=0)
    assert m.training
    before = m.predict(X[:3])
    bn = m.layers[1]
    mean, var, n = bn.running_mean.copy(), bn.running_var.copy(), int(bn.num_batches_tracked)
    s = summary(m, input_shape=(8, 3))
    assert "(8, 5)" in str(s)
    summary(m, input_data=X[:7])
    np.testing.assert_array_equal(bn.running_mean, mean)
    np.testing.assert_array_equal(bn.running_var, var)
    assert int(bn.num_batches_tracked) == n
    assert m.training and all(q.training for q in m.modules())
    np.testing.assert_array_equal(m.predict(X[:3]), before)


def test_dropout_masks_after_summary_are_those_of_a_model_never_summarized():
    class Drop(nn.Module):
        def __init__(self, rng):
            self.fc1 = nn.Linear(3, 50, rng=0)
            self.drop = nn.Dropout(0.5, rng=rng)
            self.fc2 = nn.Linear(50, 1, rng=2)

        def forward(self, x):
            return self.fc2(self.drop(self.fc1(x).relu()))

    ones = np.ones((4, 3))
    for rng in (1, None):
        gn.manual_seed(3)
        ya = Drop(rng)(gn.Tensor(ones)).numpy()
        gn.manual_seed(3)
        b = Drop(rng)
        summary(b, input_data=ones)
        yb = b(gn.Tensor(ones)).numpy()
        np.testing.assert_array_equal(ya, yb)
