"""``nn.BatchNorm1d`` and the buffers it keeps (``Module.register_buffer``).

Against PyTorch 2.13 where it is installed (values, gradients of the input, weight and bias,
and the running statistics over several training steps, then eval), and against the NumPy
formulas written here in every case (CI has no torch): training normalizes with the batch's
mean and biased variance; the running statistics move by ``momentum`` (the variance
unbiased; ``momentum=None`` a cumulative average); eval uses them. Buffers are state
(state_dict, load_state_dict, to()) but never parameters (optimizers, L2).
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.tensor import Tensor

C = 4
STEPS = 4


def batches(dtype, steps=STEPS, n=7, seed=0):
    """(x, upstream gradient) per step, and the weight and bias to start from."""
    rng = np.random.default_rng(seed)
    w, b = rng.normal(size=C).astype(dtype), rng.normal(size=C).astype(dtype)
    data = [
        ((rng.normal(size=(n, C)) * 3 + 1).astype(dtype), rng.normal(size=(n, C)).astype(dtype))
        for _ in range(steps)
    ]
    return w, b, data


def reference(x, g, w, b, eps):
    """Batch normalization's output and its gradients (x, weight, bias) by the formulas."""
    n = len(x)
    mean = x.mean(axis=0)
    var = ((x - mean) ** 2).mean(axis=0)
    inv = 1 / np.sqrt(var + eps)
    xhat = (x - mean) * inv
    gx = g * w  # dL/dxhat
    dx = inv / n * (n * gx - gx.sum(axis=0) - xhat * (gx * xhat).sum(axis=0))
    return xhat * w + b, dx, (g * xhat).sum(axis=0), g.sum(axis=0)


def glassnet_steps(bn, data):
    """Each step's (y, dx, dweight, dbias) from the module, on the graph, one step a time."""
    for x, g in data:
        X = Tensor(x, requires_grad=True)
        y = bn(X)
        y.backward(g)
        yield y.data, X.grad, bn.weight.grad.copy(), bn.bias.grad.copy()
        bn.zero_grad()


TOL = {np.float64: 1e-12, np.float32: 1e-6}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("momentum", [0.1, 0.3, None])
def test_training_steps_then_eval_against_formulas(dtype, momentum):
    w, b, data = batches(dtype)
    bn = nn.BatchNorm1d(C, momentum=momentum, dtype=dtype)
    bn.weight.data[...], bn.bias.data[...] = w, b
    got = glassnet_steps(bn, data)
    mean, var = np.zeros(C), np.ones(C)
    for k, ((x, g), outs) in enumerate(zip(data, got), start=1):
        x64, g64 = x.astype(np.float64), g.astype(np.float64)
        want = reference(x64, g64, w.astype(np.float64), b.astype(np.float64), 1e-5)
        for a, e in zip(outs, want):
            assert a.dtype == dtype
            np.testing.assert_allclose(a, e, rtol=TOL[dtype], atol=TOL[dtype] * 10)
        f = 1 / k if momentum is None else momentum
        mean = (1 - f) * mean + f * x64.mean(axis=0)
        var = (1 - f) * var + f * x64.var(axis=0, ddof=1)
    np.testing.assert_allclose(bn.running_mean, mean, rtol=TOL[dtype], atol=TOL[dtype])
    np.testing.assert_allclose(bn.running_var, var, rtol=TOL[dtype], atol=TOL[dtype])
    assert bn.running_mean.dtype == dtype and bn.num_batches_tracked.dtype == np.int64
    assert int(bn.num_batches_tracked) == STEPS
    x = np.random.default_rng(5).normal(size=(3, C)).astype(dtype)
    bn.eval()
    want = (x - mean) / np.sqrt(var + 1e-5) * w + b
    np.testing.assert_allclose(bn(x).data, want, rtol=TOL[dtype], atol=TOL[dtype] * 10)
    assert int(bn.num_batches_tracked) == STEPS  # (eval: nothing tracked)
    np.testing.assert_allclose(bn.predict(x), want, rtol=TOL[dtype], atol=TOL[dtype] * 10)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "settings",
    [{}, {"momentum": None}, {"eps": 1e-3, "momentum": 0.5}, {"track_running_stats": False}],
)
def test_against_pytorch(dtype, settings):
    torch = pytest.importorskip("torch")
    tdt = {np.float64: torch.float64, np.float32: torch.float32}[dtype]
    w, b, data = batches(dtype, seed=1)
    bn = nn.BatchNorm1d(C, dtype=dtype, **settings)
    tb = torch.nn.BatchNorm1d(C, **settings).to(tdt)
    bn.weight.data[...], bn.bias.data[...] = w, b
    with torch.no_grad():
        tb.weight.copy_(torch.from_numpy(w))
        tb.bias.copy_(torch.from_numpy(b))
    tol = TOL[dtype]
    for (x, g), outs in zip(data, glassnet_steps(bn, data)):
        tx = torch.tensor(x, requires_grad=True)
        tb.zero_grad()
        ty = tb(tx)
        ty.backward(torch.from_numpy(g))
        for a, e in zip(outs, (ty, tx.grad, tb.weight.grad, tb.bias.grad)):
            np.testing.assert_allclose(a, e.detach().numpy(), rtol=tol, atol=tol * 10)
        if bn.track_running_stats:
            for name in ("running_mean", "running_var"):
                np.testing.assert_allclose(
                    getattr(bn, name), getattr(tb, name).numpy(), rtol=tol, atol=tol
                )
            assert int(bn.num_batches_tracked) == int(tb.num_batches_tracked)
        else:
            assert tb.running_mean is None and bn.running_mean is None
    x = np.random.default_rng(9).normal(size=(5, C)).astype(dtype)
    bn.eval()
    tb.eval()
    want = tb(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(bn(x).data, want, rtol=tol, atol=tol * 10)
    assert repr(bn) == repr(tb)
    assert list(bn.state_dict()) == list(tb.state_dict())


def test_no_running_stats_and_no_affine():
    x = np.random.default_rng(2).normal(size=(6, C))
    bn = nn.BatchNorm1d(C, affine=False, bias=False, track_running_stats=False, dtype=np.float64)
    want = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5)
    np.testing.assert_allclose(bn(x).data, want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(bn.eval()(x).data, want, rtol=1e-12, atol=1e-12)  # batch's
    assert bn.parameters() == [] and bn.buffers() == [] and bn.state_dict() == {}
    assert bn.weight is None and bn.running_mean is None and bn.num_batches_tracked is None
    assert repr(bn) == (
        "BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=False, bias=False, "
        "track_running_stats=False)"
    )
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        bn(x[:1])  # (batch statistics in eval mode too: refused, as PyTorch)


def test_gradcheck_training_and_eval():
    rng = np.random.default_rng(3)
    x, w, b = rng.normal(size=(5, C)), rng.normal(size=C), rng.normal(size=C)
    bn = nn.BatchNorm1d(C, dtype=np.float64)
    del bn.weight, bn.bias  # (the checked Tensors take their places, as PyTorch's idiom)

    def fn(t, weight, bias):
        bn.weight, bn.bias = weight, bias  # (the checked Tensors as the module's)
        return bn(t)

    assert gn.gradcheck(fn, x, w, b).ok
    bn.running_mean[...], bn.running_var[...] = rng.normal(size=C), rng.uniform(0.5, 2, C)
    bn.eval()
    assert gn.gradcheck(fn, x, w, b).ok


def test_one_row_and_shapes_refused():
    bn = nn.BatchNorm1d(C)
    with pytest.raises(ValueError, match=r"Expected more than 1 value per channel when training"):
        bn(np.ones((1, C), np.float32))
    assert int(bn.num_batches_tracked) == 0
    bn.eval()(np.ones((1, C), np.float32))  # (eval: the running statistics)
    with pytest.raises(ValueError, match=r"shape \(N, 4\).*\(2, 3\)"):
        bn(np.ones((2, 3), np.float32))
    assert bn(np.ones((2, C, 3), np.float32)).shape == (2, C, 3)  # (PyTorch's (N, C, L))
    with pytest.raises(ValueError, match=r"\(2, 4, 3, 1\) \(4-d; give it 2 or 3 axes"):
        bn(np.ones((2, C, 3, 1), np.float32))
    for kw, name in [
        ({"num_features": 0}, "num_features"),
        ({"num_features": 2.5}, "num_features"),
        ({"num_features": 2, "eps": -1}, "eps"),
        ({"num_features": 2, "momentum": 1.5}, "momentum"),
        ({"num_features": 2, "affine": "yes"}, "affine"),
        ({"num_features": 2, "dtype": "int64"}, "dtype"),
    ]:
        with pytest.raises((TypeError, ValueError), match=name):
            nn.BatchNorm1d(**kw)


def test_repr_in_a_model_as_pytorch():
    model = nn.Sequential(nn.Linear(3, C), nn.BatchNorm1d(C), nn.ReLU())
    want = (
        "BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"
    )
    assert f"(1): {want}" in repr(model)  # (PyTorch 2.13's, its keyword bias included)
    assert repr(nn.BatchNorm1d(4, momentum=None)) == want.replace("0.1", "None")
    assert repr(nn.BatchNorm1d(4, bias=False)) == want.replace("bias=True", "bias=False")


def test_buffers_are_state_not_parameters():
    model = nn.Sequential(nn.Linear(3, C, rng=0), nn.BatchNorm1d(C), nn.Linear(C, 1, rng=1))
    bn = model.layers[1]
    assert [n for n, _ in model.named_parameters()] == [
        "layers.0.W", "layers.0.b", "layers.1.weight", "layers.1.bias", "layers.2.W",
        "layers.2.b",
    ]  # fmt: skip
    assert [n for n, _ in model.named_buffers()] == [
        "layers.1.running_mean", "layers.1.running_var", "layers.1.num_batches_tracked",
    ]  # fmt: skip
    assert [id(a) for a in model.buffers()] == [
        id(bn.running_mean),
        id(bn.running_var),
        id(bn.num_batches_tracked),
    ]
    # PyTorch's order: each layer's parameters, then its buffers
    assert list(model.state_dict()) == [
        "layers.0.W", "layers.0.b", "layers.1.weight", "layers.1.bias", "layers.1.running_mean",
        "layers.1.running_var", "layers.1.num_batches_tracked", "layers.2.W", "layers.2.b",
    ]  # fmt: skip
    ids = {id(a) for a in model.buffers()}
    assert not ids & {id(p) for p in model.parameters()}
    assert not ids & {id(p.data) for p in model.parameters()}
    assert model.num_parameters() == 3 * C + C + 2 * C + C + 1
    opt = gn.optim.SGD(model.parameters(), lr=0.1)
    held = [p for group in opt.param_groups for p in group["params"]]
    assert len(held) == 6 and all(isinstance(p, nn.Parameter) for p in held)
    # the state_dict holds copies; to() converts the float buffers only
    sd = model.state_dict()
    sd["layers.1.running_mean"][...] = 7
    assert (bn.running_mean == 0).all()
    model.to(np.float64)
    assert bn.running_mean.dtype == bn.running_var.dtype == np.float64
    assert bn.num_batches_tracked.dtype == np.int64
    model.float()
    assert bn.running_var.dtype == np.float32


def test_register_buffer():
    class Scaled(nn.Module):
        def __init__(self):
            self.lin = nn.Linear(2, 2, rng=0)
            self.register_buffer("scale", np.full(2, 3.0, np.float32))
            self.register_buffer("empty", None)

        def forward(self, x):
            return self.lin(x) * self.scale

    m = Scaled()
    # PyTorch's order: a module's own buffers before its sub-modules' state
    assert list(m.state_dict()) == ["scale", "lin.W", "lin.b"]  # (None: not state)
    assert [n for n, _ in m.named_buffers()] == ["scale"] and len(m.parameters()) == 2
    m.load_state_dict({**m.state_dict(), "scale": np.array([1.0, 2.0])})
    np.testing.assert_array_equal(m.scale, [1.0, 2.0])
    m.scale = np.zeros(2, np.float32)  # (set again as an attribute: still a buffer)
    assert "scale" in m.state_dict()
    with pytest.raises(KeyError, match="'lin' already exists"):
        m.register_buffer("lin", np.zeros(2))
    with pytest.raises(TypeError, match="name must be an attribute name"):
        m.register_buffer("a.b", np.zeros(2))
    with pytest.raises(
        ValueError, match="'persistent' parameter of Scaled.register_buffer must be a bool"
    ):
        m.register_buffer("other", np.zeros(2), persistent="no")
    with pytest.raises(ValueError, match=r"'scale' must be an array of shape \(2,\)"):
        m.load_state_dict({**m.state_dict(), "scale": np.zeros(3)})
    with pytest.raises(ValueError, match=r"missing keys \['scale'\]"):
        m.load_state_dict({"lin.W": m.lin.W.data, "lin.b": m.lin.b.data})


def test_state_dict_round_trip_and_files(tmp_path):
    rng = np.random.default_rng(4)
    a = nn.BatchNorm1d(C, momentum=0.2, dtype=np.float64)
    for _ in range(3):
        a(rng.normal(size=(8, C)) * 2 + 1)
    b = nn.BatchNorm1d(C, momentum=0.2, dtype=np.float64)
    assert b.load_state_dict(a.state_dict()) == ([], [])
    for name, v in a.state_dict().items():
        np.testing.assert_array_equal(getattr(b, name).data if name in ("weight", "bias")
                                      else getattr(b, name), v)  # fmt: skip
    assert int(b.num_batches_tracked) == 3
    x = rng.normal(size=(5, C))
    np.testing.assert_array_equal(a.predict(x), b.predict(x))
    gn.save(a.state_dict(), tmp_path / "bn.glassnet")
    loaded = gn.load(tmp_path / "bn.glassnet")
    assert list(loaded) == list(a.state_dict())
    assert loaded["num_batches_tracked"].dtype == np.int64
    c = nn.BatchNorm1d(C, momentum=0.2, dtype=np.float64)
    c.load_state_dict(loaded)
    np.testing.assert_array_equal(a.predict(x), c.predict(x))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_pytorch_state_dict_loads(dtype):
    torch = pytest.importorskip("torch")
    tdt = {np.float64: torch.float64, np.float32: torch.float32}[dtype]
    tb = torch.nn.BatchNorm1d(C, momentum=0.3).to(tdt)
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        tb.weight.copy_(torch.randn(C, generator=gen))
        tb.bias.copy_(torch.randn(C, generator=gen))
    for _ in range(3):
        tb(torch.randn(10, C, generator=gen, dtype=tdt) * 2 + 1)
    state = {k: v.numpy() for k, v in tb.state_dict().items()}
    bn = nn.BatchNorm1d(C, momentum=0.3, dtype=dtype)
    assert list(bn.state_dict()) == list(state)
    assert bn.load_state_dict(state) == ([], [])
    assert int(bn.num_batches_tracked) == 3
    x = np.random.default_rng(6).normal(size=(5, C)).astype(dtype)
    tb.eval()
    tol = TOL[dtype]
    want = tb(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(bn.predict(x), want, rtol=tol, atol=tol * 10)
    for name, v in bn.state_dict().items():  # and back, each array PyTorch's
        np.testing.assert_array_equal(v, state[name])


def test_fit_trains_and_eval_uses_running_stats():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(96, 3)) * [1.0, 10.0, 0.1] + [0.0, 50.0, -3.0]
    y = (X[:, :1] - 0.1 * X[:, 1:2] + 5 * X[:, 2:]).astype(np.float64)
    model = nn.Sequential(
        nn.Linear(3, 8, rng=0, dtype=np.float64),
        nn.BatchNorm1d(8, dtype=np.float64),
        nn.ReLU(),
        nn.Linear(8, 1, rng=1, dtype=np.float64),
    )
    bn = model.layers[1]
    before = float(((model.predict(X) - y) ** 2).mean())
    history = gn.fit(model, X, y, epochs=30, batch_size=32, lr=0.05, shuffle=False)
    assert history.engine == "graph"
    assert int(bn.num_batches_tracked) == 30 * 3
    after = float(((model.predict(X) - y) ** 2).mean())
    assert after < 0.5 * before
    assert not np.allclose(bn.running_mean, 0)
    # eval predictions: the running statistics, not the batch's
    h = X @ model.layers[0].W.data + model.layers[0].b.data
    z = (h - bn.running_mean) / np.sqrt(bn.running_var + 1e-5) * bn.weight.data + bn.bias.data
    want = np.maximum(z, 0) @ model.layers[3].W.data + model.layers[3].b.data
    np.testing.assert_allclose(model.predict(X), want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(model.predict(X[:1]), want[:1], rtol=1e-12, atol=1e-12)
    assert model.training  # (predict restored the mode)


def test_fit_fused_refused():
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.BatchNorm1d(4), nn.Linear(4, 1, rng=1))
    X = np.random.default_rng(0).normal(size=(16, 3)).astype(np.float32)
    with pytest.raises(ValueError, match=r"engine='fused' handles .*engine='graph'"):
        gn.fit(model, X, X[:, :1], epochs=1, engine="fused")
    assert int(model.layers[1].num_batches_tracked) == 0


def test_save_model_refusals_are_clear():
    """explain and the ONNX export read Linear layers and activations: refused, naming it."""
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.BatchNorm1d(4), nn.Linear(4, 1, rng=1))
    X = np.ones((2, 3), np.float32)
    with pytest.raises(TypeError, match="holds a BatchNorm1d"):
        gn.explain(model, X, X[:, :1])


def test_bias_false_against_pytorch():
    """PyTorch 2.13's keyword ``bias=False``: a weight and no bias (formulas; torch too)."""
    rng = np.random.default_rng(8)
    x, g, w = rng.normal(size=(6, C)), rng.normal(size=(6, C)), rng.normal(size=C)
    bn = nn.BatchNorm1d(C, bias=False, dtype=np.float64)
    assert bn.bias is None and list(bn.state_dict()) == [
        "weight", "running_mean", "running_var", "num_batches_tracked",
    ]  # fmt: skip
    bn.weight.data[...] = w
    X = Tensor(x, requires_grad=True)
    y = bn(X)
    y.backward(g)
    want_y, want_dx, want_dw, _ = reference(x, g, w, np.zeros(C), 1e-5)
    for a, e in ((y.data, want_y), (X.grad, want_dx), (bn.weight.grad, want_dw)):
        np.testing.assert_allclose(a, e, rtol=1e-12, atol=1e-12)
    torch = pytest.importorskip("torch")
    tb = torch.nn.BatchNorm1d(C, bias=False).double()
    assert list(tb.state_dict()) == list(bn.state_dict()) and repr(tb) == repr(bn)
    with torch.no_grad():
        tb.weight.copy_(torch.from_numpy(w))
    tx = torch.tensor(x, requires_grad=True)
    ty = tb(tx)
    ty.backward(torch.from_numpy(g))
    for a, e in ((y.data, ty), (X.grad, tx.grad), (bn.weight.grad, tb.weight.grad)):
        np.testing.assert_allclose(a, e.detach().numpy(), rtol=1e-12, atol=1e-12)


def test_a_shared_layer_s_buffers_once():
    bn = nn.BatchNorm1d(C)
    model = nn.Sequential(bn, nn.ReLU(), bn)
    assert [n for n, _ in model.named_buffers()] == [
        "layers.0.running_mean", "layers.0.running_var", "layers.0.num_batches_tracked",
    ]  # fmt: skip
    model(np.random.default_rng(0).normal(size=(3, C)).astype(np.float32))
    assert int(bn.num_batches_tracked) == 2  # (called twice, as PyTorch's)


def test_a_model_with_batchnorm_saves_and_loads_whole(tmp_path):
    # gn.load refused its running statistics as unexpected names
    import glassnet.io as gio

    model = gn.nn.Sequential(gn.nn.Linear(3, 4, rng=0), gn.nn.BatchNorm1d(4), gn.nn.Linear(4, 1))
    model(gn.Tensor(np.random.default_rng(0).normal(size=(8, 3)).astype(np.float32)))
    model.eval()
    path = tmp_path / "bn.glassnet"
    gn.save(model, path)
    back = gn.load(path)
    for (k, a), (k2, b) in zip(model.state_dict().items(), back.state_dict().items()):
        assert k == k2 and a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    assert back.state_dict()["layers.1.num_batches_tracked"] == 1
    fresh = gn.nn.Sequential(gn.nn.Linear(3, 4), gn.nn.BatchNorm1d(4), gn.nn.Linear(4, 1))
    gio.load_weights(fresh, path)
    np.testing.assert_array_equal(fresh.state_dict()["layers.1.running_var"],
                                  model.state_dict()["layers.1.running_var"])  # fmt: skip


def test_early_stopping_restores_the_running_statistics_with_the_best_weights():
    # it restored the best epoch's weights beside the last epoch's running statistics
    rng = np.random.default_rng(0)
    X = rng.normal(size=(240, 3))
    y = (X @ [1.0, -2.0, 0.5] > 0).astype(np.int64)
    Xv, yv = X[200:], y[200:]

    def net():
        return gn.nn.Sequential(
            gn.nn.Linear(3, 8, rng=0, dtype=np.float64), gn.nn.BatchNorm1d(8, dtype=np.float64),
            gn.nn.ReLU(), gn.nn.Linear(8, 1, rng=1, dtype=np.float64), gn.nn.Sigmoid(),
        )  # fmt: skip

    model = net()
    h = gn.fit(model, X[:200], y[:200], loss="binary_cross_entropy", lr=2.0, epochs=40,
               batch_size=50, early_stopping=True, validation_data=(Xv, yv),
               n_iter_no_change=3, seed=0)  # fmt: skip
    assert h.best_epoch is not None and h.best_epoch < h.epochs  # (stopped past its best)
    restored = gn.tasks.score(model, gn.functional.get_loss("binary_cross_entropy"),
                              "binary_cross_entropy", Xv, yv[:, None].astype(float))[0]  # fmt: skip
    assert restored == pytest.approx(min(h.val_loss), rel=1e-12)


def test_a_constant_float32_column_normalises_to_zero():
    # float32's mean of the column was not its value: 0.993 each (PyTorch's 0.227; exact: 0)
    x = np.full((777, 2), 12345.678, np.float32)
    x[:, 1] = np.random.default_rng(0).normal(size=777)
    y = gn.nn.BatchNorm1d(2)(gn.Tensor(x))
    assert y.data.dtype == np.float32
    np.testing.assert_array_equal(y.data[:, 0], 0.0)


_DISTRIBUTED_BN = """
import sys
import numpy as np, glassnet as gn
X = np.random.default_rng(0).normal(size=(64, 3))
model = gn.nn.Sequential(gn.nn.Linear(3, 4, rng=0), gn.nn.BatchNorm1d(4), gn.nn.Linear(4, 1))
try:
    gn.fit(model, X, X[:, :1], epochs=1, batch_size=16, distributed="mpi")
except ValueError as e:
    sys.stderr.write(f"refused: {e}\\n")
    sys.stderr.flush()
"""


def test_distributed_fit_refuses_a_model_with_buffers(tmp_path):
    # each rank kept running statistics of its own shard: the ranks' models differed
    from mpi_helpers import launch

    script = tmp_path / "bn.py"
    script.write_text(_DISTRIBUTED_BN)
    got = launch(["-n", "2", sys.executable, script], timeout=120)
    assert got is not None, "the job hung"
    code, out, err = got
    assert code == 0, err
    # every rank refuses alike, before any collective (each writes its own line)
    assert err.count("refused: fit(distributed='mpi'): the model holds buffers") == 2, err
    assert "layers.1.running_mean" in err and "nn.LayerNorm" in err
