"""summary runs a custom model's forward in ``mode`` ('eval' by default, as torchinfo):
nothing draws and no running statistic moves, one row is enough for a BatchNorm, no
generator is rewound (another thread's draws are never handed out again), and each
module's mode is put back whatever happens. In 'train'/'same', a BatchNorm's updated
statistics are written back: only those the run changed (a read-only buffer is left
alone), and never half of them."""

import threading

import numpy as np
import pytest

import glassnet as gn
from glassnet.summary import summary

nn = gn.nn
X = np.random.default_rng(0).normal(size=(8, 3))


class ReadOnly(nn.Module):
    """The review's repro: a constant buffer (np.broadcast_to: read-only) and a BatchNorm."""

    def __init__(self):
        self.fc = nn.Linear(3, 4, rng=0)
        self.register_buffer("scale", np.broadcast_to(np.float32(2.0), (4,)))
        self.bn = nn.BatchNorm1d(4)

    def forward(self, x):
        return self.bn(self.fc(x)) * gn.Tensor(self.scale)


@pytest.mark.parametrize("mode", ["eval", "train", "same"])
def test_a_read_only_buffer_is_no_failure_and_batchnorm_is_left_as_it_was(mode):
    m = ReadOnly()
    assert not m.scale.flags.writeable
    mean, var = m.bn.running_mean.copy(), m.bn.running_var.copy()
    s = summary(m, input_data=X, mode=mode)
    assert "(8, 4)" in str(s) or "(N, 4)" in str(s)
    assert int(m.bn.num_batches_tracked) == 0
    np.testing.assert_array_equal(m.bn.running_mean, mean)
    np.testing.assert_array_equal(m.bn.running_var, var)
    np.testing.assert_array_equal(m.scale, np.full(4, 2.0, np.float32))
    assert all(q.training for q in m.modules())


class Seen(nn.Module):
    """Records the mode each call of its forward ran in."""

    def __init__(self):
        self.fc = nn.Linear(3, 4, rng=0)
        self.bn = nn.BatchNorm1d(4)
        self.drop = nn.Dropout(0.5, rng=1)
        self.fc2 = nn.Linear(4, 1, rng=2)
        self.log = []

    def forward(self, x):
        self.log.append((self.training, self.bn.training, self.drop.training))
        return self.fc2(self.drop(self.bn(self.fc(x)).relu()))


@pytest.mark.parametrize(
    "mode, seen",
    [
        ("eval", (False, False, False)),
        ("train", (True, True, True)),
        ("same", (True, False, True)),
    ],  # fmt: skip
)
def test_the_forward_runs_in_the_mode_asked_and_each_modules_mode_comes_back(mode, seen):
    m = Seen()
    m.bn.eval()  # a mixed mode: 'same' keeps it, and each module's own comes back
    modes = [q.training for q in m.modules()]
    log = m.log
    summary(m, input_data=X, mode=mode)
    assert log[-1] == seen
    assert [q.training for q in m.modules()] == modes


def test_modes_and_statistics_come_back_when_the_forward_fails():
    class Fails(Seen):
        def forward(self, x):
            self.bn(self.fc(x))  # (the statistics move in training mode, then it fails)
            raise RuntimeError("broken forward")

    for mode in ("eval", "train", "same"):
        m = Fails()
        m.fc.eval()
        modes = [q.training for q in m.modules()]
        with pytest.raises(ValueError, match="broken forward"):
            summary(m, input_data=X, mode=mode)
        assert [q.training for q in m.modules()] == modes
        assert int(m.bn.num_batches_tracked) == 0
        np.testing.assert_array_equal(m.bn.running_mean, np.zeros(4, np.float32))
        assert "forward" not in vars(m.fc)  # the tracing is undone too


@pytest.mark.parametrize("shape", [3, (3,), (None, 3)])
def test_a_one_row_input_shape_on_a_fresh_batchnorm_model(shape):
    m = nn.Sequential(nn.Linear(3, 5, rng=0), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 1, rng=1))
    assert m.training
    for mode in ("eval", "train"):  # (train: the example is two rows, shown as N)
        s = str(summary(m, input_shape=shape, mode=mode))
        assert "(N, 5)" in s, s
    assert m.training and int(m.layers[1].num_batches_tracked) == 0
    with pytest.raises(ValueError, match=r"mode='eval'"):  # one row given, in training mode
        summary(m, input_shape=(1, 3), mode="train")
    assert "(1, 5)" in str(summary(m, input_shape=(1, 3)))  # in evaluation mode: it runs


def test_a_thread_drawing_during_summary_is_not_rewound():
    class Other(nn.Module):
        """Another thread draws from glassnet's and NumPy's global generators while the
        forward runs; summary must not hand those numbers out again."""

        def __init__(self):
            self.fc = nn.Linear(3, 2, rng=0)
            self.drawn = []

        def forward(self, x):
            def draw():
                self.drawn.append((gn.randn(4).numpy().copy(), np.random.random_sample(4)))

            t = threading.Thread(target=draw)
            t.start()
            t.join()
            return self.fc(x)

    for mode in ("eval", "train"):
        m = Other()
        gn.manual_seed(0)
        np.random.seed(0)
        summary(m, input_data=X, mode=mode)
        ours, legacy = m.drawn[-1]
        assert not np.array_equal(gn.randn(4).numpy(), ours)
        assert not np.array_equal(np.random.random_sample(4), legacy)


def test_dropout_in_eval_mode_draws_nothing():
    m = Seen()
    gn.manual_seed(1)
    m.drop.rng = None  # glassnet's default generator
    expected = gn.randn(3).numpy()
    gn.manual_seed(1)
    summary(m, input_data=X)
    np.testing.assert_array_equal(gn.randn(3).numpy(), expected)


def test_mode_is_checked():
    with pytest.raises(ValueError, match=r"'mode' parameter of summary.*'eval', 'train' or"):
        summary(Seen(), input_data=X, mode="training")


def test_a_part_that_cannot_be_put_back_leaves_the_rest_put_back_and_says_so():
    runs = []

    class Frozen(nn.Module):
        """A buffer the forward updates in place and then makes read-only: it cannot be
        written back."""

        def __init__(self):
            self.fc = nn.Linear(3, 4, rng=0)
            self.bn = nn.BatchNorm1d(4)
            self.register_buffer("count", np.zeros(1))

        def forward(self, x):
            runs.append(1)
            self.count += 1
            self.count.flags.writeable = False
            return self.bn(self.fc(x))

    m = Frozen()
    m.fc.eval()
    modes = [q.training for q in m.modules()]
    with pytest.raises(RuntimeError, match="could not be put back.*read-only"):
        summary(m, input_data=X, mode="train")
    assert len(runs) == 1  # (not run again after the failure)
    assert [q.training for q in m.modules()] == modes
    assert int(m.bn.num_batches_tracked) == 0  # the other buffers are put back
    np.testing.assert_array_equal(m.bn.running_mean, np.zeros(4, np.float32))
    assert "forward" not in vars(m.fc)
