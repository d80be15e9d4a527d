"""``.grad`` takes PyTorch's methods for a gradient (glassnet.gradient.Grad): the loops of
PyTorch's tutorials that clear gradients with ``w.grad.zero_()`` run as written."""

from __future__ import annotations

import importlib.util
import math
import pickle

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.gradient import Grad

HAVE_TORCH = importlib.util.find_spec("torch") is not None


def _digits(n: int = 120, d: int = 16, c: int = 4, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    y = rng.integers(0, c, size=n)
    w0 = (rng.normal(size=(d, c)) / math.sqrt(d)).astype(np.float32)
    return x, y, w0


def _tutorial_loop(torch, x_train, y_train, w0, lr=0.5, epochs=2, bs=32):
    """PyTorch's "What is torch.nn really?" first loop, as written there (log_softmax, nll,
    the update under no_grad, then weights.grad.zero_() and bias.grad.zero_())."""
    weights = torch.tensor(w0.copy())
    weights.requires_grad_()
    bias = torch.zeros(w0.shape[1], requires_grad=True)

    def log_softmax(x):
        return x - x.exp().sum(-1).log().unsqueeze(-1)

    def model(xb):
        return log_softmax(xb @ weights + bias)

    def nll(input, target):
        return -input[range(target.shape[0]), target].mean()

    n = x_train.shape[0]
    losses = []
    for _epoch in range(epochs):
        for i in range((n - 1) // bs + 1):
            start_i = i * bs
            end_i = start_i + bs
            xb = x_train[start_i:end_i]
            yb = y_train[start_i:end_i]
            pred = model(xb)
            loss = nll(pred, yb)
            losses.append(loss.item())

            loss.backward()
            with torch.no_grad():
                weights -= weights.grad * lr
                bias -= bias.grad * lr
                weights.grad.zero_()
                bias.grad.zero_()
    return weights.detach().numpy().copy(), bias.detach().numpy().copy(), losses


def _numpy_loop(x, y, w0, lr=0.5, epochs=2, bs=32):
    """The same loop by hand: softmax regression's gradient (softmax - onehot) / m."""
    W, b = w0.astype(np.float64), np.zeros(w0.shape[1])
    losses = []
    for _epoch in range(epochs):
        for i in range((x.shape[0] - 1) // bs + 1):
            xb, yb = x[i * bs : (i + 1) * bs].astype(np.float64), y[i * bs : (i + 1) * bs]
            z = xb @ W + b
            logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
            losses.append(-logp[np.arange(len(yb)), yb].mean())
            d = np.exp(logp)
            d[np.arange(len(yb)), yb] -= 1
            d /= len(yb)
            W -= lr * (xb.T @ d)
            b -= lr * d.sum(0)
    return W, b, losses


def test_the_nn_really_tutorial_loop_runs_as_written_and_learns_the_right_numbers():
    x, y, w0 = _digits()
    W, b, losses = _tutorial_loop(gn, gn.tensor(x), gn.tensor(y), w0)
    Wn, bn, ln = _numpy_loop(x, y, w0)
    np.testing.assert_allclose(losses, ln, rtol=2e-5)  # (float32 against float64)
    np.testing.assert_allclose(W, Wn, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(b, bn, rtol=1e-4, atol=1e-5)
    assert losses[-1] < losses[0]


@pytest.mark.skipif(not HAVE_TORCH, reason="torch==2.13.0 not installed (the NumPy twin runs)")
def test_the_nn_really_tutorial_loop_agrees_with_torch():
    import torch

    x, y, w0 = _digits()
    W, b, losses = _tutorial_loop(gn, gn.tensor(x), gn.tensor(y), w0)
    Wt, bt, lt = _tutorial_loop(torch, torch.tensor(x), torch.tensor(y), w0)
    np.testing.assert_allclose(losses, lt, rtol=1e-5)
    np.testing.assert_allclose(W, Wt, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(b, bt, rtol=1e-4, atol=1e-6)


def test_zero_grad_clears_in_place_so_the_next_backward_does_not_accumulate():
    w = gn.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (w * w).sum().backward()
    g = w.grad
    assert isinstance(g, Grad) and isinstance(g, np.ndarray)
    assert g.zero_() is g and not g.any()
    (w * 3).sum().backward()
    assert w.grad is g  # accumulated into the same array: += keeps it a Grad, in place
    np.testing.assert_array_equal(w.grad, [3.0, 3.0, 3.0])


def test_backward_accumulation_keeps_the_grad_type_and_identity():
    w = gn.tensor([1.0, 2.0], requires_grad=True)
    (w * 2).sum().backward()
    first = w.grad
    (w * 5).sum().backward()
    assert w.grad is first and type(w.grad) is Grad
    np.testing.assert_array_equal(w.grad, [7.0, 7.0])


def test_arithmetic_on_a_grad_gives_plain_numpy_and_views_stay_grads():
    w = gn.tensor([[1.0, -2.0], [3.0, -4.0]], requires_grad=True)
    (w * w).sum().backward()
    assert type(0.5 * w.grad) is np.ndarray
    assert type(np.exp(w.grad)) is np.ndarray
    assert type(w.grad.sum()) is np.float32  # a reduction: NumPy's scalar
    assert repr(w.grad).startswith("array(")  # the lecture's numbers print as NumPy prints
    row = w.grad[0]
    assert type(row) is Grad
    row.zero_()  # PyTorch's w.grad[0].zero_(): the row of the gradient itself
    np.testing.assert_array_equal(w.grad, [[0.0, 0.0], [6.0, -8.0]])


def test_the_in_place_methods_return_the_array_and_take_tensors():
    w = gn.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (w * gn.tensor([1.0, -2.0, 4.0])).sum().backward()
    g = w.grad
    assert g.add_(gn.tensor([1.0, 1.0, 1.0]), alpha=2) is g
    np.testing.assert_array_equal(g, [3.0, 0.0, 6.0])
    assert g.sub_(np.ones(3)) is g and g.mul_(2) is g and g.div_(gn.tensor(4.0)) is g
    np.testing.assert_array_equal(g, [1.0, -0.5, 2.5])
    assert g.clamp_(-0.25, 1.0) is g
    np.testing.assert_array_equal(g, [1.0, -0.25, 1.0])
    assert g.copy_(gn.tensor([9.0, 8.0, 7.0])) is g and g.fill_(5.0) is g
    np.testing.assert_array_equal(w.grad, [5.0, 5.0, 5.0])
    assert w.grad.dtype == np.float32  # in place: the parameter's dtype stays


def test_clamp_with_no_bound_is_refused():
    w = gn.tensor([1.0], requires_grad=True)
    w.sum().backward()
    with pytest.raises(ValueError, match="give min or max"):
        w.grad.clamp_()


def test_logging_habits_norm_item_detach_cpu_numpy_clone():
    w = gn.tensor([3.0, -4.0], requires_grad=True)
    (w * w).sum().backward()  # grad [6, -8]
    assert w.grad.norm().item() == 10.0
    assert w.grad.norm(1).item() == 14.0 and w.grad.norm("fro").item() == 10.0
    assert w.grad.norm().dtype == np.float32
    out = w.grad.detach().cpu().numpy()
    assert type(out) is np.ndarray and np.shares_memory(out, w.grad)
    c = w.grad.clone()
    assert type(c) is Grad and not np.shares_memory(c, w.grad)
    assert w.grad.numel() == 2 and w.grad.abs().max() == 8.0


def test_optimizer_flat_views_are_grads_and_zeroing_one_zeroes_what_the_step_reads():
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    opt = gn.optim.SGD(model.parameters(), lr=0.1)
    x, y = gn.tensor(np.ones((5, 3))), gn.tensor(np.zeros((5, 1)))
    gn.nn.functional.mse_loss(model(x), y).backward()
    opt.step()  # binds every .grad to its view of the flat buffer
    for p in model.parameters():
        assert type(p.grad) is Grad
    opt.zero_grad(set_to_none=False)
    gn.nn.functional.mse_loss(model(x), y).backward()
    before = [p.data.copy() for p in model.parameters()]
    for p in model.parameters():
        p.grad.zero_()  # the loop clears them itself: the step then moves nothing
    opt.step()
    for p, b in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.data, b)


HAVE_NUMBA = importlib.util.find_spec("numba") is not None


@pytest.mark.parametrize(
    "engine",
    [
        "fused",
        "graph",
        pytest.param(
            "jit", marks=pytest.mark.skipif(not HAVE_NUMBA, reason="glassnet[jit] not installed")
        ),
    ],
)
def test_after_fit_every_grad_is_a_grad(engine):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 3)), rng.normal(size=40)
    model = nn.MLP([3, 5, 1], rng=0)
    history = gn.fit(model, X, y, epochs=2, verbose=0, batch_size=8, engine=engine)
    assert history.engine == engine
    for p in model.parameters():
        assert type(p.grad) is Grad
        p.grad.zero_()
        assert not p.grad.any()


def test_a_tensor_assigned_to_grad_is_seen_as_a_grad_an_array_is_kept_as_given():
    w = gn.tensor([1.0, 2.0], requires_grad=True)
    t = gn.zeros_like(w)
    w.grad = t  # PyTorch's p.grad = torch.zeros_like(p)
    assert type(w.grad) is Grad and np.shares_memory(w.grad, t.data)
    a = np.zeros(2, np.float32)
    w.grad = a
    assert w.grad is a  # an array of the user's own: that array, as assigned


def test_a_grad_pickles_and_copies_as_its_values():
    w = gn.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    back = pickle.loads(pickle.dumps(w))
    np.testing.assert_array_equal(back.grad, [2.0, 4.0])
    back.grad.zero_()
    np.testing.assert_array_equal(w.grad, [2.0, 4.0])


def test_view_takes_pytorchs_shapes_and_numpys_dtypes():
    w = gn.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    (w * w).sum().backward()
    flat = w.grad.view(-1)  # torch.cat([p.grad.view(-1) for p in params])'s habit
    assert type(flat) is Grad and flat.shape == (4,) and np.shares_memory(flat, w.grad)
    assert w.grad.view(4, 1).shape == (4, 1) and w.grad.view((1, 4)).shape == (1, 4)
    flat[0] = 9.0  # a view, as PyTorch's
    assert w.grad[0, 0] == 9.0
    assert type(w.grad.view(np.ndarray)) is np.ndarray  # NumPy's view(type) and view(dtype)
    assert w.grad.view(np.int32).dtype == np.int32
    with pytest.raises(RuntimeError, match=r"view\(-1\): .*not contiguous.*reshape"):
        w.grad.T.view(-1)


def test_std_and_var_are_pytorchs_unbiased_and_numpys_np_std_stays_numpys():
    w = gn.tensor([3.0, -4.0, 0.5, 0.0], requires_grad=True)
    (w * w).sum().backward()  # grad [6, -8, 1, 0]
    g, a = w.grad, np.array([6.0, -8.0, 1.0, 0.0], np.float32)
    np.testing.assert_allclose(g.std(), a.std(ddof=1), rtol=1e-6)  # as p.std(), PyTorch's
    np.testing.assert_allclose(g.var(), a.var(ddof=1), rtol=1e-6)
    np.testing.assert_allclose(g.std(unbiased=False), a.std(), rtol=1e-6)
    np.testing.assert_allclose(g.var(correction=0), a.var(), rtol=1e-6)
    np.testing.assert_allclose(np.std(g), a.std(), rtol=1e-6)  # NumPy's call: NumPy's ddof=0
    np.testing.assert_allclose(g.var(False), a.var(), rtol=1e-6)  # var(unbiased), PyTorch's
    p = gn.tensor(a)
    np.testing.assert_allclose(g.std(), p.std().item(), rtol=1e-6)  # the Tensor's convention
    with pytest.raises(TypeError, match="ddof .* or unbiased/correction, not both"):
        g.std(ddof=1, unbiased=True)


def test_reductions_take_pytorchs_dim_and_keepdim():
    w = gn.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
    (w * w).sum().backward()  # grad [[2, -4], [6, 8]]
    g = w.grad
    np.testing.assert_array_equal(g.sum(dim=0), [8.0, 4.0])
    np.testing.assert_array_equal(g.mean(dim=1, keepdim=True), [[-1.0], [7.0]])
    np.testing.assert_allclose(g.norm(dim=1), [math.sqrt(20), 10.0], rtol=1e-6)
    np.testing.assert_allclose(g.norm(1, dim=[0, 1]), 20.0)
    assert g.norm(float("inf")) == 8.0
    np.testing.assert_allclose(g.std(dim=0), [2.828427, 8.485281], rtol=1e-6)
    with pytest.raises(TypeError, match="axis or dim"):
        g.sum(axis=0, dim=0)


def test_grad_data_is_the_gradient_itself_as_pytorchs():
    w = gn.tensor([3.0, -4.0], requires_grad=True)
    (w * w).sum().backward()
    assert w.grad.data is w.grad
    assert w.grad.data.norm(2).item() == 10.0
    w.grad.data.zero_()  # old PyTorch code's habit
    assert not w.grad.any()


def test_clamp_takes_tensor_bounds():
    w = gn.tensor([3.0, -4.0, 0.5], requires_grad=True)
    (w * w).sum().backward()  # [6, -8, 1]
    w.grad.clamp_(gn.tensor(0.0), gn.tensor(1.0))
    np.testing.assert_array_equal(w.grad, [1.0, 0.0, 1.0])


@pytest.mark.parametrize("args", [("cpu",), (np.float64,), ("cpu", np.float64)])
def test_model_to_keeps_every_grad_a_grad(args):
    m = nn.Linear(2, 3)
    m(gn.tensor(np.ones((1, 2)))).sum().backward()
    m.to(*args)
    for p in m.parameters():
        assert type(p.grad) is Grad
        p.grad.zero_()


def test_accumulating_backward_keeps_the_grad_and_its_values():
    w = gn.tensor([1.0, 2.0], requires_grad=True)
    (w * 2).sum().backward()
    g = w.grad
    for _ in range(3):
        (w * w).sum().backward()
    assert w.grad is g and type(g) is Grad
    np.testing.assert_array_equal(g, [2 + 3 * 2.0, 2 + 3 * 4.0])


def test_an_empty_dim_reduces_every_axis_as_pytorch_and_the_tensor():
    w = gn.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    (w * w / 2).sum().backward()  # the grad is w itself: 0..5
    g = w.grad
    for dim in ((), []):
        assert g.sum(dim=dim) == 15.0
        np.testing.assert_allclose(g.var(dim=dim), np.arange(6.0).var(ddof=1))
        np.testing.assert_allclose(g.std(dim=dim), np.arange(6.0).std(ddof=1))
        np.testing.assert_allclose(g.norm(dim=dim), math.sqrt(55.0))


def test_var_and_std_take_pytorchs_positional_forms():
    w = gn.tensor(np.array([[1.0, 2.0, 4.0], [3.0, 5.0, 9.0]]), requires_grad=True)
    (w * w / 2).sum().backward()
    g, a = w.grad, np.array([[1.0, 2.0, 4.0], [3.0, 5.0, 9.0]])
    np.testing.assert_allclose(g.std(1, True), a.std(axis=1, ddof=1))
    np.testing.assert_allclose(g.std(1, False, True), a.std(axis=1, keepdims=True))
    np.testing.assert_allclose(g.var(False), a.var())


@pytest.mark.skipif(not HAVE_TORCH, reason="torch==2.13.0 not installed (the NumPy twins run)")
def test_reductions_agree_with_torch():
    import torch

    a = np.random.default_rng(0).normal(size=(3, 4))
    w = gn.tensor(a, requires_grad=True)
    (w * w / 2).sum().backward()
    g, t = w.grad, torch.tensor(a)
    for name, args, kw in [
        ("std", (), {}), ("var", (), {}), ("std", (1, True, True), {}), ("var", (False,), {}),
        ("var", (0,), {"correction": 0}), ("sum", (), {"dim": ()}), ("mean", (), {"dim": 1}),
        ("norm", (), {}), ("norm", (1,), {"dim": 0}), ("norm", (float("inf"),), {"dim": 1}),
    ]:  # fmt: skip
        np.testing.assert_allclose(
            getattr(g, name)(*args, **kw), getattr(t, name)(*args, **kw).numpy(), rtol=1e-12
        )
