"""Numerics mended in round 18: leaky ReLU's slopes, max/min's advice, normalisation at
extreme scales, writes beyond float32's range, lerp's dtypes, sample_weight's advice."""

import re

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn.functional as NF
from glassnet import functional as F
from glassnet import onnx
from glassnet.gradcheck import gradcheck

torch = pytest.importorskip("torch")

SLOPES = (-2.0, -0.5, 0.0, 0.01, 0.2, 1.0, 1.5, 3.0)


@pytest.mark.parametrize("slope", SLOPES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_leaky_relu_any_slope_matches_torch(slope, dtype):
    x = np.array([1.0, -1.0, 0.0, -3.0, 2.5, -0.0], dtype)
    r = np.array([0.3, -0.7, 1.1, 0.5, 2.0, -1.3], dtype)
    g = gn.tensor(x, requires_grad=True)
    y = NF.leaky_relu(g, negative_slope=slope)
    y.backward(gn.tensor(r))
    t = torch.tensor(x, requires_grad=True)
    ty = torch.nn.functional.leaky_relu(t, slope)
    ty.backward(torch.tensor(r))
    assert y.dtype == dtype and g.grad.dtype == dtype
    np.testing.assert_array_equal(y.data, ty.detach().numpy())
    np.testing.assert_array_equal(g.grad, t.grad.numpy())
    m = gn.nn.LeakyReLU(negative_slope=slope)
    np.testing.assert_array_equal(m(gn.tensor(x)).data, ty.detach().numpy())


@pytest.mark.parametrize("slope", [-0.5, 1.5, 0.3])
def test_leaky_relu_gradcheck_float64(slope):
    x = gn.tensor(np.array([0.7, -1.3, 2.1, -0.4, 1.9]), requires_grad=True)
    assert gradcheck(lambda t: NF.leaky_relu(t, negative_slope=slope) * t, x).ok
    assert gradcheck(lambda t: F.leaky_relu(t, slope), x).ok


def test_leaky_relu_audit_values():
    np.testing.assert_array_equal(
        NF.leaky_relu(gn.tensor([1.0, -1.0]), negative_slope=-0.5).data, [1.0, 0.5]
    )
    m = gn.nn.LeakyReLU(negative_slope=1.5)
    np.testing.assert_array_equal(m(gn.tensor([-1.0])).data, [-1.5])


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: gn.nn.LeakyReLU(negative_slope=float("nan")), "negative_slope"),
        (lambda: NF.leaky_relu(gn.tensor([1.0]), negative_slope=float("inf")), "negative_slope"),
        (lambda: gn.nn.LeakyReLU(alpha=float("inf")), "alpha"),
        (lambda: F.leaky_relu(gn.tensor([1.0]), float("nan")), "alpha"),
    ],
)
def test_leaky_relu_refusal_names_the_argument_given(call, name):
    with pytest.raises(ValueError, match=f"'{name}' parameter") as e:
        call()
    assert ("alpha" in str(e.value)) == (name == "alpha")


def _slope_model(slope):
    gn.manual_seed(0)
    return gn.nn.Sequential(
        gn.nn.Linear(3, 4), gn.nn.LeakyReLU(negative_slope=slope), gn.nn.Linear(4, 1)
    )


@pytest.mark.parametrize("slope", [-0.5, 1.5])
def test_fit_trains_any_slope_on_the_graph_and_the_fast_path_refuses(slope, tmp_path):
    X = np.random.default_rng(0).standard_normal((40, 3))
    y = X.sum(1, keepdims=True)
    m = _slope_model(slope)
    assert gn.fit(m, X, y, epochs=2, verbose=0).engine == "graph"
    for engine in ("fused", "jit"):
        with pytest.raises(ValueError, match=rf"LeakyReLU with negative_slope={slope}"):
            gn.fit(_slope_model(slope), X, y, epochs=2, verbose=0, engine=engine)
    with pytest.raises(TypeError, match=r"0 <= negative_slope < 1"):
        gn.fused.layers_of(m, "FastMLP")
    with pytest.raises(TypeError, match=rf"negative_slope={slope}"):
        onnx.export(m, tmp_path / "m.onnx")
    with pytest.raises(TypeError, match=rf"negative_slope={slope}"):
        gn.explain(m, X[:1], y[:1])


def test_fit_graph_and_fused_agree_for_an_in_range_slope():
    X = np.random.default_rng(1).standard_normal((40, 3))
    y = X.sum(1, keepdims=True)
    a, b = _slope_model(0.2), _slope_model(0.2)
    gn.fit(a, X, y, epochs=3, verbose=0, engine="graph")
    assert gn.fit(b, X, y, epochs=3, verbose=0, engine="fused").engine == "fused"
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


def test_leaky_relu_config_round_trips_any_slope():
    for slope in (1.5, -0.5, 0.2):
        m = gn.nn.LeakyReLU(negative_slope=slope)
        assert m.config()["alpha"] == slope
        back = gn.nn.from_config(m.config())
        assert back.negative_slope == back.alpha == slope
        assert repr(back) == f"LeakyReLU(alpha={slope})"
        assert hasattr(back, "alpha")  # (a plain attribute: reading it never raises)
        back.negative_slope = 0.3  # (PyTorch's name is the same number, both ways)
        assert back.alpha == 0.3


@pytest.mark.parametrize("op", ["max", "min"])
@pytest.mark.parametrize("dim", [0, 1, 2, -1])
@pytest.mark.parametrize("as_kw", [True, False])
def test_max_min_dim_refusal_advises_the_dim_given(op, dim, as_kw):
    a = np.random.default_rng(dim + 5).standard_normal((2, 3, 4))
    a[0, 0, :2] = a.max() + 1  # a tie, where PyTorch's gradient goes to one index
    a[1, 1, :2] = a.min() - 1
    x = gn.tensor(a, requires_grad=True)
    with pytest.raises(TypeError) as e:
        getattr(x, op)(dim=dim) if as_kw else getattr(x, op)(dim)
    msg = str(e.value)
    assert f"x.a{op}(dim={dim}) for the values, x.arg{op}({dim}) for the indices" in msg
    assert f"x.{op}(axis={dim})" in msg
    assert "axis=1" not in msg or dim == 1
    values = eval(f"x.a{op}(dim={dim})", {"x": x})  # the advice, as written, runs
    t = torch.tensor(a, requires_grad=True)
    tv = getattr(t, op)(dim=dim).values
    np.testing.assert_array_equal(values.data, tv.detach().numpy())
    np.testing.assert_array_equal(
        eval(f"x.arg{op}({dim})", {"x": x}), getattr(t, op)(dim=dim).indices
    )
    gather = re.search(r"as (x\.gather\(.*\)) does", msg).group(1)
    eval(gather, {"x": x}).sum().backward()  # PyTorch's gradient: all to the index returned
    tv.sum().backward()
    np.testing.assert_array_equal(x.grad, t.grad.numpy())


def test_max_dim_refusal_with_a_tuple_names_it():
    x = gn.tensor(np.zeros((2, 3, 4), np.float32))
    with pytest.raises(TypeError, match=r"x\.amax\(dim=\(0, 1\)\) for the values\.$"):
        x.max(dim=(0, 1))


ROWS = np.array([[1.0, 2.0, 4.0], [3.0, -1.0, 0.5]])


@pytest.mark.parametrize("scale", [1.0, 1e20, 1e154, 1e160, 1e300, 4e307])
def test_layer_norm_float64_is_scale_invariant(scale):
    t = torch.tensor(ROWS, requires_grad=True)
    want = torch.nn.functional.layer_norm(t, (3,), eps=0.0)  # (eps: negligible here)
    x = gn.tensor(ROWS * scale, requires_grad=True)
    y = NF.layer_norm(x, (3,))
    np.testing.assert_allclose(y.data, want.detach().numpy(), rtol=1e-5)
    np.testing.assert_array_equal(gn.nn.LayerNorm(3).double()(x).data, y.data)
    r = np.arange(6.0).reshape(2, 3)
    (y * gn.tensor(r)).sum().backward()
    (want * torch.tensor(r)).sum().backward()
    np.testing.assert_allclose(x.grad * scale, t.grad.numpy(), rtol=1e-4)  # dL/dx ∝ 1/scale


def test_layer_norm_of_huge_rows_is_the_unit_rows_function_bit_for_bit():
    # the power-of-two scale changes nothing: 2^100 rows, with eps 2^200 times larger
    s = 2.0**100
    a = NF.layer_norm(gn.tensor(ROWS * s), (3,), eps=1e-5 * s * s).data
    b = NF.layer_norm(gn.tensor(ROWS), (3,), eps=1e-5).data
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("scale", [1e160, 1e300])
def test_norm_gradients_at_huge_scales_gradcheck(scale):
    t = gn.tensor(
        np.array([[0.7, -1.3, 2.1], [0.4, 1.9, -0.2], [1.1, 0.3, -0.8]]), requires_grad=True
    )
    w = gn.tensor(np.array([0.5, -1.5, 2.0]), requires_grad=True)
    assert gradcheck(lambda u, v: NF.layer_norm(u * scale, (3,), weight=v), t, w).ok
    bn = gn.nn.BatchNorm1d(3, track_running_stats=False).double()
    assert gradcheck(lambda u: bn(u * scale), t).ok
    # and the values checked are the unit rows' (the old zeros passed a gradcheck of zeros)
    y = NF.layer_norm(t * scale, (3,), weight=w).data
    np.testing.assert_allclose(y, NF.layer_norm(t, (3,), weight=w).data, rtol=1e-4)
    np.testing.assert_allclose(bn(t * scale).data, bn(t).data, rtol=1e-4, atol=1e-12)
    assert (np.abs(y) > 0.01).all()


def test_batchnorm1d_float64_huge_values_normalise_or_refuse_running_var_overflow():
    x = np.r_[ROWS, ROWS * 0.5]
    want = gn.nn.BatchNorm1d(3).double()(gn.tensor(x)).data
    free = gn.nn.BatchNorm1d(3, track_running_stats=False).double()
    np.testing.assert_allclose(free(gn.tensor(x * 1e160)).data, want, rtol=1e-4)
    bn = gn.nn.BatchNorm1d(3).double()
    np.testing.assert_allclose(bn(gn.tensor(x * 1e150)).data, want, rtol=1e-4)
    assert np.isfinite(bn.running_var).all()
    bn = gn.nn.BatchNorm1d(3).double()
    with pytest.raises(ValueError, match=r"variance of feature 0.*beyond the range of float64"):
        bn(gn.tensor(x * 1e160))  # its variance, ~1e320, is beyond float64: running_var inf
    np.testing.assert_array_equal(bn.running_var, [1.0, 1.0, 1.0])
    assert bn.num_batches_tracked == 0


def test_batchnorm1d_float32_running_var_never_becomes_inf():
    X = np.random.default_rng(0).standard_normal((8, 3)).astype(np.float32) * np.float32(1e20)
    bn = gn.nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"beyond the range of float32.*model\.double\(\)"):
        bn(gn.tensor(X))
    assert np.isfinite(bn.running_var).all()
    bn = gn.nn.BatchNorm1d(3).double()
    y = bn(gn.tensor(X.astype(np.float64)))
    assert np.isfinite(bn.running_var).all() and np.isfinite(y.data).all()
    np.testing.assert_allclose(y.data.std(0), 1.0, rtol=1e-3)


def _f32():
    return gn.tensor([1.0, 2.0])


def _setitem(v):
    x = _f32()
    x[0] = v
    return x


MASK = np.array([True, False])
WRITES = {
    "masked_fill": (lambda v: _f32().masked_fill(MASK, v), "masked_fill(mask, value): value"),
    "masked_fill_": (lambda v: _f32().masked_fill_(MASK, v), "masked_fill_(mask, value): value"),
    "masked_fill 0-d": (
        lambda v: _f32().masked_fill(MASK, gn.tensor(v, dtype=gn.float64)),
        "masked_fill(mask, value): value",
    ),
    "fill_": (lambda v: _f32().fill_(v), "x.fill_(v): the value"),
    "new_full": (lambda v: _f32().new_full((2,), v), "new_full: fill_value"),
    "full": (lambda v: gn.full((2,), v), "full: fill_value"),
    "full_like": (lambda v: gn.full_like(_f32(), v), "fill_value"),
    "setitem": (_setitem, "x[...] = y: y"),
    "where": (lambda v: gn.where(MASK, _f32(), v), "where(condition, a, b): b"),
    "clamp": (lambda v: _f32().clamp(min=v), "clamp: min"),
}


@pytest.mark.parametrize("kind", list(WRITES))
@pytest.mark.parametrize("value", [1e300, -1e300, 3.5e38, 10**40])
def test_a_value_beyond_float32_is_refused_not_stored_as_inf(kind, value):
    call, said = WRITES[kind]
    if kind == "masked_fill 0-d" and value == 10**40:
        value = 1e40
    pattern = re.escape(said) + r" is -?[0-9.e+]+, beyond the range of float32"
    with pytest.raises(ValueError, match=pattern) as e:
        call(value)
    assert "float('-inf')" in str(e.value) and "x.double()" in str(e.value)
    t = torch.tensor([1.0, 2.0])
    if kind in ("fill_", "masked_fill", "masked_fill_", "new_full", "full", "setitem"):
        torch_call = {
            "fill_": lambda: t.fill_(value),
            "masked_fill": lambda: t.masked_fill(torch.tensor([True, False]), value),
            "masked_fill_": lambda: t.masked_fill_(torch.tensor([True, False]), value),
            "new_full": lambda: t.new_full((2,), value),
            "full": lambda: torch.full((2,), value),
            "setitem": lambda: t.__setitem__(0, value),
        }[kind]
        with pytest.raises((RuntimeError, OverflowError, ValueError)):  # PyTorch refuses it
            torch_call()


@pytest.mark.parametrize("kind", list(WRITES))
@pytest.mark.parametrize("value", [np.inf, -np.inf, np.nan, 3.4028235e38, -3.0e38])
def test_inf_nan_and_values_within_float32_are_written(kind, value):
    call, _ = WRITES[kind]
    out = call(value)
    want = np.float32(value)
    got = out.data[1] if kind == "where" else out.data[0]  # (where: b where the mask is False)
    if kind == "clamp":
        want = np.float32(max(1.0, value)) if not np.isnan(value) else np.float32(np.nan)
    np.testing.assert_array_equal(got, want)


def test_array_writes_beyond_float32_are_refused_naming_the_index():
    x = _f32()
    with pytest.raises(ValueError, match=r"holds 1e\+300 at index \(1,\)"):
        x[:] = np.array([1.0, 1e300])
    with pytest.raises(ValueError, match=r"copy_\(src\): the value holds 1e\+39 at index \(0,\)"):
        x.copy_(gn.tensor([1e39, 1.0], dtype=gn.float64))
    np.testing.assert_array_equal(x.data, [1.0, 2.0])  # nothing written
    y = gn.tensor([1.0, 2.0], dtype=gn.float64)
    y[0] = 1e300
    y.fill_(-1e300)
    assert y.data[0] == -1e300
    x[:] = np.array([np.inf, 3.0e38])  # float64 values float32 holds
    np.testing.assert_array_equal(x.data, np.array([np.inf, 3.0e38], np.float32))


@pytest.mark.parametrize(
    ("end", "weight", "name"),
    [
        (np.zeros(2), 0.5, "end"),
        (gn.tensor(np.zeros(2)), 0.5, "end"),
        (gn.tensor([0.0, 0.0]), gn.tensor(np.array([0.5, 0.5])), "weight"),
    ],
)
def test_lerp_refuses_mixed_float_dtypes_as_pytorch(end, weight, name):
    x = gn.tensor([1.0, 2.0], requires_grad=True)  # float32
    with pytest.raises(TypeError, match=rf"{name} is float64 but x is float32") as e:
        x.lerp(end, weight)
    assert f"Convert {name} to x's dtype" in str(e.value)
    y = gn.tensor([1.0, 2.0])
    with pytest.raises(TypeError, match=rf"{name} is float64"):
        y.lerp_(end, weight)
    np.testing.assert_array_equal(y.data, [1.0, 2.0])
    t = torch.tensor([1.0, 2.0])
    te = torch.from_numpy(np.asarray(getattr(end, "data", end)))
    tw = weight if isinstance(weight, float) else torch.from_numpy(weight.data)
    with pytest.raises(RuntimeError, match=f"expected dtype float for `{name}`"):
        t.lerp(te, tw)


def test_lerp_keeps_x_dtype_where_pytorch_does():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    w = gn.tensor(np.array(0.5), requires_grad=True)  # a 0-d float64 weight: a number
    y = x.lerp(gn.tensor([0.0, 4.0]), w)
    assert y.dtype == np.float32
    y.sum().backward()
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    tw = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    ty = t.lerp(torch.tensor([0.0, 4.0]), tw)
    assert ty.dtype == torch.float32
    ty.sum().backward()
    np.testing.assert_array_equal(y.data, ty.detach().numpy())
    np.testing.assert_array_equal(x.grad, t.grad.numpy())
    assert float(w.grad) == float(tw.grad)
    assert x.lerp(np.zeros(2, np.float32), np.float64(0.25)).dtype == np.float32
    x64 = gn.tensor(np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match="end is float32 but x is float64"):
        x64.lerp(gn.tensor([0.0, 0.0]), 0.5)


def test_fit_sample_weight_beyond_float32_gets_advice_about_the_weights():
    X = np.random.default_rng(0).standard_normal((40, 3))
    y = X.sum(1, keepdims=True)
    gn.manual_seed(0)
    m = gn.nn.MLP([3, 4, 1])
    with pytest.raises(ValueError, match=r"sample_weight holds 1e\+39 at index \(0,\)") as e:
        gn.fit(m, X, y, epochs=2, verbose=0, sample_weight=np.r_[1e39, np.ones(39)])
    said = str(e.value)
    assert "Divide sample_weight by its largest value" in said
    assert "sample_weight / sample_weight.max()" in said
    assert "StandardScaler" not in said and "Scale the features" not in said
    with pytest.raises(ValueError, match="Scale the features"):  # X's advice stays X's
        gn.fit(m, np.r_[X[:1] * 1e39, X[1:]], y, epochs=1, verbose=0)
    # the advice, followed, trains
    w = np.r_[1e39, np.ones(39)]
    h = gn.fit(m, X, y, epochs=2, verbose=0, sample_weight=w / w.max())
    assert h.epochs == 2 and all(np.isfinite(p.data).all() for p in m.parameters())
