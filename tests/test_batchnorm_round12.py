"""``nn.BatchNorm1d`` on PyTorch's (N, C, L) input: the statistics of each channel over the
rows and the positions, the gradient on the graph (float64 central differences), the running
statistics (the unbiased variance over N · L values), eval mode, against NumPy formulas
written here and against PyTorch's ``nn.BatchNorm1d`` (``torch==2.13.0``, optional); the
refusals of an input of another shape, and of the places that read a network as Linear
layers (the fast path, ``explain``, the ONNX export)."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn

C = 3
X3 = np.random.default_rng(0).normal(size=(4, C, 5)) * 2.0 + 1.0
WEIGHT, BIAS = np.array([0.5, 1.5, -1.0]), np.array([0.1, 0.2, 0.3])
G3 = np.random.default_rng(1).uniform(-1, 1, X3.shape)  # (the output's gradient)


def bn_of(dtype=np.float64, affine=True, **kw):
    bn = nn.BatchNorm1d(C, affine=affine, dtype=dtype, **kw)
    if affine:
        bn.weight.data[...], bn.bias.data[...] = WEIGHT, BIAS
    return bn


def formula(x, eps=1e-5, weight=WEIGHT, bias=BIAS, mean=None, var=None):
    """(x − mean) / √(var + eps) · weight + bias per channel (axis 1); mean and var the
    batch's over the rows and the positions (var biased) unless given."""
    mean = x.mean(axis=(0, 2)) if mean is None else mean
    var = x.var(axis=(0, 2)) if var is None else var
    y = (x - mean[:, None]) / np.sqrt(var[:, None] + eps)
    return y * weight[:, None] + bias[:, None]


def loss_of(bn, x):
    return (bn(gn.tensor(x)) * gn.tensor(G3)).sum()


def test_training_output_and_running_statistics_by_the_formula():
    bn = bn_of(momentum=0.3)
    y = bn(X3)
    assert y.shape == X3.shape and y.dtype == np.float64
    np.testing.assert_allclose(y.numpy(), formula(X3), rtol=1e-13, atol=1e-14)
    n = X3.shape[0] * X3.shape[2]  # (the values of each channel: N · L)
    mean, var = X3.mean(axis=(0, 2)), X3.var(axis=(0, 2)) * n / (n - 1)  # (unbiased)
    np.testing.assert_allclose(bn.running_mean, 0.7 * 0 + 0.3 * mean, rtol=1e-14)
    np.testing.assert_allclose(bn.running_var, 0.7 * 1 + 0.3 * var, rtol=1e-14)
    assert int(bn.num_batches_tracked) == 1
    bn(X3[:2])
    m2, v2 = X3[:2].mean(axis=(0, 2)), X3[:2].var(axis=(0, 2)) * 10 / 9
    np.testing.assert_allclose(bn.running_mean, 0.7 * 0.3 * mean + 0.3 * m2, rtol=1e-14)
    np.testing.assert_allclose(bn.running_var, 0.7 * (0.7 + 0.3 * var) + 0.3 * v2, rtol=1e-14)


def test_cumulative_average_with_momentum_none():
    bn = bn_of(momentum=None)
    for x in (X3, X3[1:] * 3.0):
        bn(x)
    unbiased = [v.var(axis=(0, 2), ddof=1) for v in (X3, X3[1:] * 3.0)]
    np.testing.assert_allclose(bn.running_var, np.mean(unbiased, axis=0), rtol=1e-14)
    assert int(bn.num_batches_tracked) == 2


def test_eval_uses_the_running_statistics_per_channel():
    bn = bn_of(eps=1e-3)
    bn.running_mean[...], bn.running_var[...] = [0.5, -1.0, 2.0], [0.25, 4.0, 1.5]
    bn.eval()
    y = bn(X3)
    want = formula(X3, 1e-3, mean=bn.running_mean, var=bn.running_var)
    np.testing.assert_allclose(y.numpy(), want, rtol=1e-13, atol=1e-14)
    assert int(bn.num_batches_tracked) == 0  # (eval: nothing tracked)
    one = bn(X3[:1, :, :1])  # (one value per channel: eval takes it)
    np.testing.assert_allclose(one.numpy(), want[:1, :, :1], rtol=1e-13)


def test_no_running_stats_and_no_affine_use_the_batch_in_eval_too():
    bn = bn_of(affine=False, track_running_stats=False).eval()
    y = bn(X3)
    np.testing.assert_allclose(
        y.numpy(), formula(X3, weight=np.ones(C), bias=np.zeros(C)), rtol=1e-13, atol=1e-14
    )
    nb = nn.BatchNorm1d(C, bias=False, dtype=np.float64)
    nb.weight.data[...] = WEIGHT
    np.testing.assert_allclose(nb(X3).numpy(), formula(X3, bias=np.zeros(C)), rtol=1e-13)


def _central(f, a, h=1e-6):
    """Central differences of the scalar f() in every entry of the array a (in place)."""
    out = np.zeros_like(a)
    for i in np.ndindex(a.shape):
        keep = a[i]
        a[i] = keep + h
        up = f()
        a[i] = keep - h
        down = f()
        a[i] = keep
        out[i] = (up - down) / (2 * h)
    return out


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_the_gradient_flows_through_the_batch_statistics_float64(mode):
    """x's, weight's and bias's gradients against float64 central differences of the loss
    (training: through the batch's mean and variance, which depend on x)."""
    bn = bn_of()
    bn.running_mean[...], bn.running_var[...] = [0.5, -1.0, 2.0], [0.25, 4.0, 1.5]
    bn.train(mode == "train")
    x = gn.tensor(X3.copy(), requires_grad=True)
    (bn(x) * gn.tensor(G3)).sum().backward()
    xs = X3.copy()

    def value():
        return float(loss_of(bn, xs).item())

    np.testing.assert_allclose(x.grad, _central(value, xs), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(bn.weight.grad, _central(value, bn.weight.data), rtol=1e-6)
    np.testing.assert_allclose(bn.bias.grad, _central(value, bn.bias.data), rtol=1e-6)
    if mode == "train":  # (the sum of a normalized channel is 0: so is its gradient's sum)
        np.testing.assert_allclose(x.grad.sum(axis=(0, 2)), 0.0, atol=1e-12)
    assert gn.gradcheck(lambda t: bn(t), X3).ok


def test_float32_input_keeps_float32():
    bn = bn_of(dtype=np.float32)
    y = bn(X3.astype(np.float32))
    assert y.dtype == np.float32 and bn.running_var.dtype == np.float32
    np.testing.assert_allclose(y.numpy(), formula(X3.astype(np.float32)), rtol=2e-6, atol=2e-6)


@pytest.mark.parametrize(
    "shape, match",
    [
        ((4, 2, 5), r"Got \(4, 2, 5\) \(2 features on axis 1; build BatchNorm1d\(num_features=2\), "
         r"or move the features to axis 1 \(x.transpose\(0, 2, 1\) for \(N, L, C\)\)\)"),
        ((4, 5), r"Got \(4, 5\) \(5 features on axis 1; build BatchNorm1d\(num_features=5\), "
         r"or move the features to axis 1\)\."),
        ((2, 3, 4, 5), r"Got \(2, 3, 4, 5\) \(4-d; give it 2 or 3 axes, e.g. "
         r"x.reshape\(N, 3, -1\)"),
        ((3,), r"Got \(3,\) \(1-d; give it 2 or 3 axes"),
    ],
)  # fmt: skip
def test_an_input_of_another_shape_is_refused_with_what_to_do(shape, match):
    head = r"BatchNorm1d\(3\): the input must be of shape \(N, 3\), .* or \(N, 3, L\), .*"
    with pytest.raises(ValueError, match=head + match):
        bn_of()(np.zeros(shape))


def test_one_value_per_channel_is_refused_in_training_as_pytorchs():
    bn = bn_of()
    with pytest.raises(ValueError, match=r"more than 1 value per channel when training, got "
                       r"input size \(1, 3, 1\)"):  # fmt: skip
        bn(np.ones((1, C, 1)))
    assert int(bn.num_batches_tracked) == 0
    y = bn(X3[:1])  # (one row of 5 positions: 5 values per channel, taken as PyTorch's)
    np.testing.assert_allclose(y.numpy(), formula(X3[:1]), rtol=1e-13, atol=1e-14)


def test_the_same_numbers_as_pytorchs_batchnorm1d():
    torch = pytest.importorskip("torch")
    for dtype, tdtype, tol in (
        (np.float64, torch.float64, 1e-13),
        (np.float32, torch.float32, 2e-6),
    ):
        bn = bn_of(dtype=dtype, momentum=0.3)
        tb = torch.nn.BatchNorm1d(C, momentum=0.3, dtype=tdtype)
        with torch.no_grad():
            tb.weight.copy_(torch.tensor(WEIGHT))
            tb.bias.copy_(torch.tensor(BIAS))
        x = gn.tensor(X3.astype(dtype), requires_grad=True)
        xt = torch.tensor(X3.astype(dtype), requires_grad=True)
        bn(X3[:2].astype(dtype))
        tb(torch.tensor(X3[:2].astype(dtype)))
        y, yt = bn(x), tb(xt)
        (y * gn.tensor(G3.astype(dtype))).sum().backward()
        (yt * torch.tensor(G3.astype(dtype))).sum().backward()
        close = dict(rtol=tol, atol=tol)
        np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), **close)
        np.testing.assert_allclose(x.grad, xt.grad.numpy(), **close)
        np.testing.assert_allclose(bn.weight.grad, tb.weight.grad.numpy(), rtol=tol, atol=10 * tol)
        np.testing.assert_allclose(bn.bias.grad, tb.bias.grad.numpy(), rtol=tol, atol=10 * tol)
        np.testing.assert_allclose(bn.running_mean, tb.running_mean.numpy(), **close)
        np.testing.assert_allclose(bn.running_var, tb.running_var.numpy(), **close)
        assert int(bn.num_batches_tracked) == int(tb.num_batches_tracked) == 2
        bn.eval()
        tb.eval()
        xe = X3[::-1].astype(dtype) * 0.5
        np.testing.assert_allclose(
            bn(xe).numpy(), tb(torch.tensor(xe.copy())).detach().numpy(), **close
        )
        state = {k: np.asarray(v) for k, v in bn.state_dict().items()}
        for k, v in tb.state_dict().items():
            np.testing.assert_allclose(state[k], v.numpy(), **close)


def test_a_network_of_sequences_trains_on_the_graph_and_the_linear_readers_refuse_it():
    rng = np.random.default_rng(2)
    model = nn.Sequential(
        nn.BatchNorm1d(C, dtype=np.float64), nn.Flatten(), nn.Linear(15, 1, rng=0)
    )
    opt = gn.optim.SGD(model.parameters(), lr=0.01)
    x, y = X3, X3.mean(axis=(1, 2))[:, None]
    losses = []
    for _ in range(20):
        opt.zero_grad()
        loss = ((model(x) - gn.tensor(y)) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(float(loss.item()))
    assert losses[-1] < losses[0] and int(model[0].num_batches_tracked) == 20
    assert model.eval()(rng.normal(size=(1, C, 5))).shape == (1, 1)
    text = str(gn.summary(model, input_data=X3[:2]))
    assert "(N, 3, 5)  (N, 3, 5)" in text
    with pytest.raises(TypeError, match=r"explain handles networks of Linear layers.*BatchNorm1d"):
        gn.explain(model, X3[:2], y[:2])
    from glassnet import onnx

    with pytest.raises(TypeError, match=r"export handles networks of Linear.*BatchNorm1d"):
        onnx.export(model, "unused.onnx")
    with pytest.raises(ValueError, match=r"engine='fused' handles .*the model holds a BatchNorm1d"):
        gn.fit(nn.Sequential(nn.BatchNorm1d(15), nn.Linear(15, 1, rng=0)), x.reshape(4, 15), y,
               epochs=1, verbose=0, loss="mse", engine="fused")  # fmt: skip
