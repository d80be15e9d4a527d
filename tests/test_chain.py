"""A Module written as PyTorch models are, read as its chain of Linear layers and activations
(glassnet.chain.as_chain), so that explain, draw_network and the ONNX export take it: the
same numbers as the Sequential it equals, and a clear refusal for a forward that is no
such chain."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn.functional as F
from glassnet import nn
from glassnet.chain import as_chain

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([1.0, 0.0, 0.0, 1.0])


class Net(nn.Module):
    """Activations three ways: a module, a function of nn.functional, a Tensor method."""

    def __init__(self, slope=0.2):
        self.fc1, self.act = nn.Linear(2, 3, rng=0), nn.Tanh()
        self.fc2, self.fc3 = nn.Linear(3, 3, rng=1), nn.Linear(3, 1, rng=2)
        self.slope = slope

    def forward(self, x):
        h = F.leaky_relu(self.fc2(self.act(self.fc1(x))), self.slope)
        return self.fc3(h).sigmoid()


def test_a_custom_module_is_explained_as_the_sequential_it_equals():
    net = Net()
    chain = as_chain(net, X)
    assert [type(m).__name__ for m in chain] == [
        "Linear", "Tanh", "Linear", "LeakyReLU", "Linear", "Sigmoid"
    ]  # fmt: skip
    assert chain[0] is net.fc1 and chain[0].W is net.fc1.W  # its own layers, nothing copied
    assert chain[3].alpha == 0.2  # read from the values, exactly
    ours = gn.explain(net, X, Y, loss="binary_cross_entropy")
    same = gn.explain(nn.Sequential(*chain), X, Y, loss="binary_cross_entropy")
    for a, b in zip(ours.grad_W, same.grad_W):
        np.testing.assert_array_equal(a, b)
    assert str(ours).startswith("glassnet.explain: Net 2-3-3-1")
    # and the gradients are backward()'s on the user's own module
    net.zero_grad()
    out = net(X)
    (-(Y[:, None] * out.log() + (1 - Y[:, None]) * (1 - out).log())).mean().backward()
    np.testing.assert_allclose(ours.grad_W[0], net.fc1.W.grad, rtol=1e-5, atol=1e-7)


def test_a_sequential_is_taken_as_it_is_and_modes_are_put_back():
    seq = nn.MLP([2, 3, 1], rng=0)
    assert as_chain(seq, X) is seq
    net = Net()
    net.train()
    net.act.eval()  # (a mixed state stays mixed)
    as_chain(net, X)
    assert net.training and not net.act.training and net.fc1.training


class Residual(nn.Module):
    def __init__(self):
        self.fc1, self.fc2 = nn.Linear(2, 2, rng=0), nn.Linear(2, 1, rng=1)

    def forward(self, x):
        return self.fc2(self.fc1(x).relu() + x)


class Twice(nn.Module):
    def __init__(self):
        self.fc = nn.Linear(2, 2, rng=0)

    def forward(self, x):
        return self.fc(self.fc(x).tanh())


class Scaled(nn.Module):
    def __init__(self):
        self.fc = nn.Linear(2, 2, rng=0)

    def forward(self, x):
        return self.fc(x) * 2.0


class ColumnSoftmax(nn.Module):
    def __init__(self):
        self.fc = nn.Linear(2, 3, rng=0)

    def forward(self, x):
        return self.fc(x).softmax(dim=0)


@pytest.mark.parametrize(
    "model, needle",
    [
        (Residual(), "computes op 'add'"),
        (Twice(), "uses its Linear layer"),
        (Scaled(), "computes op 'mul'"),
        (ColumnSoftmax(), "does not give its outputs on every row"),
    ],
    ids=["residual", "twice", "scaled", "softmax-dim0"],
)
def test_a_forward_that_is_no_chain_is_refused_naming_what_it_found(model, needle):
    with pytest.raises(TypeError, match=needle):
        gn.explain(model, X, Y)
    with pytest.raises(TypeError, match="draw_network reads a model whose forward is a chain"):
        gn.viz.draw_network(model)


def test_draw_network_and_onnx_export_take_a_custom_module():
    net = Net()
    assert gn.viz.draw_network(net) == gn.viz.draw_network(nn.Sequential(*as_chain(net, X)))
    svg = gn.viz.draw_network(net, X[1], Y[1:2], backward=True, loss="binary_cross_entropy")
    assert svg.startswith("<svg") or "<svg" in svg[:200]
    pytest.importorskip("onnxruntime")
    import onnxruntime as ort

    from glassnet.onnx import export

    proto = export(net)
    sess = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    rows = np.random.default_rng(1).standard_normal((6, 2)).astype(np.float32)
    (out,) = sess.run(None, {"X": rows})
    np.testing.assert_allclose(out, net(rows).data, rtol=1e-5, atol=1e-6)


class Biased(nn.Module):
    """A LeakyReLU layer of one slope beside a forward using another; positive
    pre-activations on most rows (bias 100) hide the slope."""

    def __init__(self):
        self.fc1, self.fc2 = nn.Linear(2, 2, rng=0), nn.Linear(2, 1, rng=1)
        self.fc1.b.data[:] = 100.0
        self.act = nn.LeakyReLU(0.01)

    def forward(self, x):
        return self.fc2(F.leaky_relu(self.fc1(x), 0.3))


def test_a_slope_no_row_shows_is_refused_not_guessed_from_the_layers():
    """The module's LeakyReLU(0.01) was taken for the forward's 0.3 when every pre-activation
    of the rows was positive: the ONNX export then computed other numbers on rows with z < 0."""
    with pytest.raises(TypeError, match="slope of Biased's leaky ReLU cannot be read"):
        gn.explain(Biased(), np.ones((2, 2)), np.ones(2))
    chain = as_chain(Biased())  # (the random rows times 1000 reach z < 0: read, exactly)
    assert chain[1].alpha == 0.3


def test_a_sequential_subclass_with_its_own_forward_is_traced():
    class Doubled(nn.Sequential):
        def forward(self, x):
            return super().forward(x) * 2.0

    model = Doubled(nn.Linear(2, 1, rng=0))
    with pytest.raises(TypeError, match="computes op 'mul'"):
        gn.explain(model, X, Y)

    class Plain(nn.Sequential):  # (its forward is Sequential's: read as it is)
        pass

    plain = Plain(nn.Linear(2, 1, rng=0))
    assert as_chain(plain, X) is plain


class Branching(nn.Module):
    def __init__(self):
        self.a, self.b = nn.Linear(2, 1, rng=0), nn.Linear(2, 1, rng=1)

    def forward(self, x):
        return self.a(x).tanh() if x.sum() > 0 else self.b(x).tanh()


class ReadsData(nn.Module):
    def __init__(self):
        self.a = nn.Linear(2, 1, rng=0)

    def forward(self, x):
        small = float(np.abs(x.data).max()) < 1e5
        return self.a(x).tanh() if small else self.a(x).sigmoid()


class Writes(nn.Module):
    def __init__(self):
        self.a = nn.Linear(2, 1, rng=0)

    def forward(self, x):
        x.data *= 2
        return self.a(x).tanh()


class Doubling(nn.Linear):
    def forward(self, x):
        return super().forward(x) * 2


@pytest.mark.parametrize(
    "model, needle",
    [
        (Branching(), r"reads its input's values \(__gt__\)"),
        (ReadsData(), "does not give its outputs on every row"),
        (Writes(), "writes into its input"),
        (nn.Sequential(Doubling(2, 1, rng=0)), "holds a Doubling, a module of your own.*'mul'"),
    ],
    ids=["branch-on-values", "branch-on-data", "writes-input", "linear-subclass"],
)
def test_a_forward_a_probe_would_misread_is_refused(model, needle):
    """A branch on the input's values took one branch on the probe rows and was exported
    with it (other numbers on rows of the other branch); a forward writing into its input
    doubled the caller's array; a Linear subclass in a Sequential was read as a Linear."""
    xs = np.ones((3, 2), np.float32)
    with pytest.raises(TypeError, match=needle):
        as_chain(model, xs)
    assert xs.tolist() == np.ones((3, 2)).tolist()  # (the caller's rows as they were)
    with pytest.raises(TypeError, match=needle):
        as_chain(model, owner="export")
