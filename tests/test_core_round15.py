"""Round 15's core mends: ReLU's gate with an infinite upstream gradient, the mean of an empty
axis refused, a logits loss of probabilities refused, ... (each failed before its mend)."""

import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import functional as F


def test_relu_passes_an_infinite_upstream_gradient_as_0_where_it_is_off():
    # sqrt'(0) is inf: g * [z > 0] was inf * 0 = NaN at every ReLU that was off (PyTorch: 0)
    x = gn.tensor([-1.0, 2.0, 0.0], dtype=np.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # (sqrt's own 1 / 0 at the 0)
        x.relu().sqrt().sum().backward()
    assert x.grad[0] == 0 and x.grad[2] == 0
    np.testing.assert_allclose(x.grad[1], 0.5 / np.sqrt(2))
    y = gn.tensor([-1.0, 3.0], dtype=np.float32, requires_grad=True)
    gn.nn.ReLU()(y).backward(np.array([np.inf, 2.0], np.float32))
    np.testing.assert_array_equal(y.grad, [0.0, 2.0])
    assert y.grad.dtype == np.float32


def test_relu_gate_gives_the_tables_gradient():
    # the gate is g * relu_grad(z, a) wherever that is a number: the table's derivative
    rng = np.random.default_rng(0)
    z = rng.normal(size=(5, 4))
    g = rng.normal(size=(5, 4))
    act = F.ACTIVATIONS["relu"]
    a = act.fn(z)
    np.testing.assert_array_equal(act.backward(g, z, a), g * F.relu_grad(z, a))


def test_the_mean_of_an_empty_axis_is_refused():
    t = gn.tensor(np.zeros((0, 3)))
    with pytest.raises(ValueError, match=r"axis of length 0 .*shape \(0, 3\)"):
        t.mean(0)
    with pytest.raises(ValueError, match="axis of length 0"):
        t.mean()
    assert t.mean(1).shape == (0,)  # (an empty result: nothing averaged, nothing refused)
    assert t.sum(0).data.tolist() == [0.0, 0.0, 0.0]


def _softmax_net():
    return gn.nn.MLP([2, 2, 3], activation="tanh", output_activation="softmax", rng=1,
                     dtype=np.float64)  # fmt: skip


def test_a_logits_loss_refuses_probabilities_it_would_squash_twice():
    # cross_entropy of a softmax's output gave 1.1146 where the lecture's -log y_hat_3 is 1.1454
    net, x = _softmax_net(), gn.tensor([[1.0, -0.5]], dtype=np.float64)
    p = net(x)
    with pytest.raises(ValueError, match="takes logits.*squash twice.*nll_loss"):
        F.cross_entropy(p, np.array([[0, 0, 1.0]]))
    with pytest.raises(ValueError, match="takes logits"):
        gn.nn.CrossEntropyLoss()(p, [2])
    s = gn.tensor([[0.3]], requires_grad=True).sigmoid()
    with pytest.raises(ValueError, match=r"applies sigmoid itself.*binary_cross_entropy\(p, y\)"):
        F.binary_cross_entropy_with_logits(s, [[1.0]])
    with pytest.raises(ValueError, match="takes logits"):
        gn.nn.BCEWithLogitsLoss()(s, gn.tensor([[1.0]]))
    # the advice gives the lecture's number; log_softmax's output is logits as good as any
    got = gn.nn.functional.nll_loss(p.log(), gn.tensor([2])).item()
    assert got == pytest.approx(-np.log(p.data[0, 2]), rel=1e-12)
    z = net.layers[0](x)
    F.cross_entropy(z.log_softmax(1), [1])  # (softmax(log_softmax(z)) = softmax(z): not refused)


def test_half_mse_is_public_as_the_readme_lists_it():
    p, y = gn.tensor([[1.0, 3.0]], dtype=np.float64), np.array([[0.0, 1.0]])
    assert F.half_mse(p, y).item() == pytest.approx((1 + 4) / 2 / 2)
    assert F.LOSSES["half_mse"].fn is F.half_mse


def test_a_neuron_refuses_softmax_when_built():
    # softmax over its one output always gives 1 (Neuron(2, "softmax").predict was all 1s);
    # an MLP may end in one (a one-class task's network, which fit refuses to train)
    with pytest.raises(ValueError, match="softmax over one output is always 1.*sigmoid"):
        gn.nn.Neuron(2, "softmax")
    assert gn.nn.MLP([3, 4, 1], output_activation="softmax", rng=0).predict(np.ones((2, 3))).shape


@pytest.mark.parametrize(
    "call",
    [
        lambda A: A.softmax(dim=2),
        lambda A: A.sum(dim=2),
        lambda A: A.mean(-3),
        lambda A: A.log_softmax(5),
        lambda A: F.softmax(A, 2),
    ],
)
def test_a_dim_out_of_range_is_pytorchs_index_error(call):
    # NumPy's AxisError came out of its own fromnumeric.py, unlike unsqueeze's or transpose's
    A = gn.tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(IndexError, match=r"dim -?\d is out of range for a tensor of shape"):
        call(A)


def test_a_backward_returning_an_array_is_told_to_return_a_tuple():
    x = gn.tensor(np.ones(4), requires_grad=True)
    y = gn.Tensor.from_op(x.data * 2, "double", (x,), lambda g: 2 * g)  # (not (2 * g,))
    with pytest.raises(ValueError, match=r"returns a tuple, one gradient per input"):
        y.sum().backward()


@pytest.mark.parametrize(
    "f, x, expect",
    [
        (lambda x: x.log(), [0.0, 2.0], [np.inf, 0.5]),
        (lambda x: x**0.5, [0.0, 4.0], [np.inf, 0.25]),
        (lambda x: x**-1.0, [0.0, 2.0], [-np.inf, -0.25]),
        (lambda x: 1.0 / x, [0.0, 2.0], [-np.inf, -0.25]),
    ],
)
def test_a_backward_at_0_gives_pytorchs_limit_without_numpys_warning(f, x, expect):
    # NumPy's "divide by zero" came from glassnet's own backward lines (an error under
    # -W error) for values PyTorch gives in silence
    t = gn.tensor(x, dtype=np.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (the forward's own division may warn: NumPy's)
        y = f(t).sum()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y.backward()
    np.testing.assert_array_equal(t.grad, expect)


@pytest.mark.parametrize(
    "base, p, expect",
    [
        ([-2.0, 1.0], 2.0, np.nan),  # no real log of a negative base: NaN, as PyTorch's
        ([2.0, 0.0, 3.0], 2.0, 4 * np.log(2) + 9 * np.log(3)),  # 0 ** 2: 0 (was 0 too)
        ([0.0], -1.0, -np.inf),  # 0 ** -1 = inf, times log 0: -inf, as PyTorch's (was NaN)
        ([0.0], 0.0, 0.0),
    ],
)
def test_pow_gradient_with_respect_to_the_exponent(base, p, expect):
    a = gn.tensor(base, dtype=np.float64)
    q = gn.tensor(p, dtype=np.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (0 ** -1's forward: NumPy's own warning)
        y = (a**q).sum()
    y.backward()
    assert q.grad == pytest.approx(expect, nan_ok=True)


def test_fit_scores_a_custom_forwards_softmax_on_its_logits_under_cross_entropy():
    # fit strips a Sequential's softmax head; a custom forward's softmax output was scored as
    # logits, squashed twice in silence: now its logits (the softmax's input) are scored
    class Net(gn.nn.Module):
        def __init__(self, head):
            super().__init__()
            self.lin, self.head = gn.nn.Linear(2, 3, rng=0, dtype=np.float64), head

        def forward(self, x):
            z = self.lin(x)
            return z.softmax() if self.head else z

    X = np.random.default_rng(0).normal(size=(12, 2))
    y = np.arange(12) % 3
    runs = [Net(head) for head in (True, False)]
    hs = [gn.fit(m, X, y, loss="cross_entropy", epochs=3, verbose=0, seed=0) for m in runs]
    assert hs[0].loss == hs[1].loss
    np.testing.assert_array_equal(runs[0].lin.W.data, runs[1].lin.W.data)
    # a logits loss named outright still refuses probabilities (no head it could strip)
    with pytest.raises(ValueError, match="squash twice"):
        F.binary_cross_entropy_with_logits(runs[0].lin(gn.tensor(X)).sigmoid(), np.ones((12, 3)))


class _SoftmaxNet(gn.nn.Module):
    def __init__(self, dim=-1):
        super().__init__()
        self.lin, self.dim = gn.nn.Linear(4, 3, rng=0, dtype=np.float64), dim

    def forward(self, x):
        return self.lin(x).softmax(self.dim)


def _xy(n=24):
    X = np.random.default_rng(1).normal(size=(n, 4))
    return X, np.arange(n) % 3


def test_a_custom_softmax_forward_is_scored_under_no_grad_too():
    # validation runs under no_grad(), where the softmax node keeps no input: parents[0]
    # was an IndexError ("tuple index out of range") in fit's validation and evaluate_loss
    from glassnet.objective import evaluate_loss

    X, y = _xy()
    h = gn.fit(_SoftmaxNet(), X, y, loss="cross_entropy", epochs=2, verbose=0,
               validation_data=(X, y))  # fmt: skip
    assert np.isfinite(h.val_loss).all()
    m = _SoftmaxNet()
    p = m(gn.tensor(X)).data
    expect = -np.log(p[np.arange(len(y)), y]).mean()  # the lecture's -log y_hat
    assert evaluate_loss(m, X, y, loss="cross_entropy") == pytest.approx(expect, rel=1e-12)


def test_a_softmax_over_another_axis_is_neither_stripped_nor_refused():
    # only a softmax over the classes (rows summing to 1) is a head a logits loss repeats
    m = _SoftmaxNet(dim=0)
    X, y = _xy()
    p = m(gn.tensor(X))
    F.cross_entropy(p, y)  # (taken as the logits it is given)
    spec_loss = gn.tasks.loss_parts(m, F.get_loss("cross_entropy"), "cross_entropy")[1]
    assert spec_loss(p, y, None).item() == pytest.approx(F.cross_entropy(p, y).item())


def test_every_route_of_the_loss_modules_refuses_probabilities():
    # with ignore_index or pos_weight, the modules took routes of their own, squashing twice
    z = gn.tensor(np.random.default_rng(2).normal(size=(6, 3)), requires_grad=True)
    y = np.array([0, 1, 2, 0, 1, 2])
    with pytest.raises(ValueError, match="squash twice"):
        gn.nn.CrossEntropyLoss(ignore_index=2)(z.softmax(-1), y)
    with pytest.raises(ValueError, match="squash twice"):
        gn.nn.CrossEntropyLoss(label_smoothing=0.1)(z.softmax(-1), y)
    yb = (np.arange(18).reshape(6, 3) % 2).astype(float)
    with pytest.raises(ValueError, match="squash twice"):
        gn.nn.BCEWithLogitsLoss(pos_weight=np.ones(3))(z.sigmoid(), yb)
    gn.nn.CrossEntropyLoss(ignore_index=2)(z, y).backward()  # (logits: as ever)


def test_hooks_of_a_leaf_left_out_of_inputs_do_not_run_and_a_handle_counts_once():
    from glassnet.hooks import grad_hooks  # (the count of hooks on, which backward reads)

    a = gn.tensor([1.0], requires_grad=True)
    w = gn.tensor([2.0], requires_grad=True)
    before, calls = grad_hooks.on, []
    a.register_hook(lambda g: calls.append("a"))
    h = w.register_hook(lambda g: calls.append("w"))
    (a * w).sum().backward(inputs=[w])
    assert calls == ["w"] and a.grad is None  # (PyTorch computes no gradient for a there)
    h.remove()
    h.remove()
    assert grad_hooks.on == before + 1  # (a's still on; w's counted off once)
    with pytest.raises(TypeError, match=r"takes a function hook\(grad\). Got None"):
        w.register_hook(None)


def test_division_by_a_python_zero_backward_is_quiet_and_inf():
    x = gn.tensor([1.0, 2.0], requires_grad=True, dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (the forward's own x / 0: NumPy's warning)
        y = (x / 0.0).sum()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y.backward()
    np.testing.assert_array_equal(x.grad, [np.inf, np.inf])


def test_amax_and_logsumexp_name_a_dim_out_of_range():
    A = gn.tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(IndexError, match=r"dim 2 is out of range for a tensor of shape \(2, 3\)"):
        A.amax(dim=2)
    with pytest.raises(IndexError, match="logsumexp: dim must be an int from -2 to 1"):
        A.logsumexp(2)
