"""A differential contract of glassnet's PyTorch-style surface against ``torch==2.13.0``.

Each test pins one difference found by running the same op in both libraries on random
shapes (0-size axes and 0-d tensors included), negative dims, float32 and float64: the
glassnet half checks the numbers PyTorch gives, written out, and runs without torch; where
a test compares with torch itself it skips when torch is not installed (it is optional,
never a dependency).
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet.tensor import Tensor


def _leaf(a: object, dtype: object = np.float64) -> Tensor:
    return Tensor(np.array(a, dtype=dtype), requires_grad=True)


# --------------------------------------------------------------------------- ops


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("call", ["amax", "amin", "max", "min"])
@pytest.mark.parametrize("dim", [0, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_a_reduction_over_dim_0_of_a_0d_tensor_has_a_gradient(dtype, call, dim, keepdim):
    # PyTorch takes dim 0 (or -1) of a 0-d tensor as the tensor itself; glassnet's forward
    # agreed, and backward raised NumPy's "cannot broadcast a non-scalar to a scalar array"
    x = _leaf(2.5, dtype)
    if call in ("amax", "amin"):
        y = getattr(x, call)(dim, keepdim)
    else:
        y = getattr(x, call)(axis=dim, keepdims=keepdim)
    assert y.shape == () and y.item() == 2.5
    y.backward(np.array(3.0, dtype))
    assert x.grad.shape == () and x.grad == 3.0


@pytest.mark.parametrize("call", ["sum", "mean"])
@pytest.mark.parametrize("dim", [0, -1])
def test_a_sum_or_mean_over_dim_0_of_a_0d_tensor_has_a_gradient(call, dim):
    # as amax above: backward raised NumPy's AxisError from expand_dims of a 0-d gradient
    x = _leaf(2.5)
    y = getattr(x, call)(dim=dim)
    assert y.shape == () and y.item() == 2.5
    y.backward(np.array(3.0))
    assert x.grad.shape == () and x.grad == 3.0


@pytest.mark.parametrize("call", ["max", "min"])
def test_max_of_all_values_with_a_nan_gives_its_gradient_to_the_nans_as_pytorch(call):
    # PyTorch's x.max() (no dim) shares g among the NaNs when the result is NaN; glassnet
    # divided by the count of values equal to NaN (none): every gradient was NaN
    x = _leaf([[1.0, np.nan, np.nan], [3.0, 3.0, 0.0]])
    getattr(x, call)().backward()
    np.testing.assert_array_equal(x.grad, [[0.0, 0.5, 0.5], [0.0, 0.0, 0.0]])
    a = _leaf([[1.0, np.nan, 2.0], [3.0, 3.0, 0.0]])  # amax compares: NaN, as PyTorch's
    a.amax(1).sum().backward()
    np.testing.assert_array_equal(a.grad, [[np.nan] * 3, [0.5, 0.5, 0.0]])
    b = _leaf([[1.0, np.nan, 2.0], [3.0, 3.0, 0.0]])
    b.amax().backward()
    assert np.isnan(b.grad).all()


def test_abs_maximum_and_minimum_pass_pytorchs_gradient_at_nan():
    # PyTorch: d|x|/dx = sgn(x), 0 at NaN (glassnet's was NaN); maximum and minimum pass g to
    # both operands where either is NaN (neither is smaller), glassnet passed 0 to both
    x = _leaf([np.nan, -2.0, 0.0, 3.0])
    x.abs().sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, -1.0, 0.0, 1.0])
    both = [1.0, 1.0, 1.0, 0.5]
    for fn, to_a, to_b in ((gn.maximum, 1.0, 0.0), (gn.minimum, 0.0, 1.0)):
        a = _leaf([1.0, np.nan, np.nan, 2.0, 2.0])
        b = _leaf([np.nan, 1.0, np.nan, 2.0, 1.0])
        fn(a, b).sum().backward()
        np.testing.assert_array_equal(a.grad, [*both, to_a])
        np.testing.assert_array_equal(b.grad, [*both, to_b])


@pytest.mark.parametrize("call", ["clamp", "clip"])
def test_clamp_without_bounds_is_refused_as_in_pytorch(call):
    # PyTorch: "At least one of 'min' or 'max' must not be None"; glassnet returned the values
    x = _leaf([1.0, -2.0])
    with pytest.raises(TypeError, match=rf"{call}: pass (min|low)= or (max|high)=.*Got neither"):
        getattr(x, call)()
    np.testing.assert_array_equal(getattr(x, call)(None, 0.0).data, [0.0, -2.0])


def test_sqrt_at_0_has_an_infinite_gradient_without_a_warning():
    # PyTorch's is inf; glassnet's was inf with NumPy's "divide by zero" RuntimeWarning
    x = _leaf([0.0, 4.0], np.float32)
    x.sqrt().sum().backward()
    np.testing.assert_array_equal(x.grad, np.array([np.inf, 0.25], np.float32))


# --------------------------------------------------------------------------- habits


@pytest.mark.parametrize("dims", [(0, 0), (1, -2), (0, -3, 1)])
def test_squeeze_of_an_axis_named_twice_is_refused_as_in_pytorch(dims):
    # PyTorch: "dim 0 appears multiple times in the list of dims"; glassnet squeezed once
    x = _leaf(np.ones((1, 1, 1)))
    with pytest.raises(ValueError, match=r"squeeze: dim names an axis more than once. Got \("):
        x.squeeze(dims)
    assert x.squeeze((0, -1)).shape == (1,)


@pytest.mark.parametrize("dims", [(0, 0), (0, -1), (-1, -1), (-1, 0)])
def test_transpose_of_a_0d_tensor_is_itself_as_in_pytorch(dims):
    # PyTorch takes dims 0 and -1 of a 0-d tensor; glassnet raised "dim must be an integer
    # in [0, -1]", a range with no integer in it
    x = _leaf(2.0)
    y = x.transpose(*dims)
    assert y.shape == () and y.item() == 2.0
    y.backward()
    assert x.grad == 1.0
    with pytest.raises(IndexError, match=r"transpose: dim must be an integer in \[-1, 0\]"):
        x.transpose(0, 1)


# --------------------------------------------------------------------------- nn.utils


def _param(grad: object) -> object:
    from glassnet import nn

    p = nn.Parameter(np.zeros(np.shape(grad)))
    p.grad = np.array(grad, dtype=float)
    return p


@pytest.mark.parametrize("foreach", [None, True, False])
def test_clipping_takes_pytorchs_foreach(foreach):
    # torch.nn.utils.clip_grad_norm_(..., foreach=None) and clip_grad_value_(..., foreach=)
    # were a TypeError ("unexpected keyword argument 'foreach'")
    from glassnet.nn.utils import clip_grad_norm_, clip_grad_value_

    p = _param([3.0, 4.0])
    assert clip_grad_norm_([p], 1.0, 2.0, False, foreach).item() == 5.0
    np.testing.assert_allclose(p.grad, [0.6, 0.8], rtol=1e-6)
    clip_grad_value_([p], 0.7, foreach=foreach)
    np.testing.assert_allclose(p.grad, [0.6, 0.7], rtol=1e-6)
    with pytest.raises(ValueError, match="'foreach' parameter of clip_grad_norm_ must be a bool"):
        clip_grad_norm_([p], 1.0, foreach="yes")


def test_an_infinite_max_norm_or_clip_value_clips_nothing_as_in_pytorch():
    # clip_grad_norm_(params, float("inf")) is PyTorch's way to measure the gradients' norm
    # (to log it) without clipping; glassnet refused it: "must be a float >= 0. Got inf."
    from glassnet.nn.utils import clip_grad_norm_, clip_grad_value_

    p = _param([3.0, -4.0])
    assert clip_grad_norm_([p], float("inf")).item() == 5.0
    assert clip_grad_norm_([p], np.inf, norm_type=1).item() == 7.0
    clip_grad_value_([p], float("inf"))
    np.testing.assert_array_equal(p.grad, [3.0, -4.0])


def test_the_total_norm_of_float32_and_float64_gradients_is_float64_as_in_pytorch():
    # it took the first gradient's dtype: float32, rounding a float64 model's norm
    from glassnet import nn
    from glassnet.nn.utils import clip_grad_norm_

    a, b = nn.Parameter(np.zeros(1, np.float32)), nn.Parameter(np.zeros(1))
    a.grad, b.grad = np.array([0.1], np.float32), np.array([1 / 3])
    total = clip_grad_norm_([a, b], 10.0)
    assert total.dtype == np.float64
    assert total.item() == np.hypot(np.float64(np.float32(0.1)), 1 / 3)


# --------------------------------------------------------------------------- losses


@pytest.mark.parametrize("name", ["CrossEntropyLoss", "NLLLoss"])
@pytest.mark.parametrize("ignore_index", [0, 2])
def test_a_class_ignore_index_with_probability_rows_is_refused_as_in_pytorch(name, ignore_index):
    # PyTorch: "ignore_index is not supported for floating point target"; glassnet ignored
    # nothing, silently. A negative ignore_index (the default -100) names no class: taken
    from glassnet import nn

    z, rows = np.zeros((2, 3)), np.full((2, 3), 1 / 3)
    loss = getattr(nn, name)(ignore_index=ignore_index)
    with pytest.raises(ValueError, match=rf"ignore_index={ignore_index} leaves out class labels"):
        loss(z, rows)
    assert getattr(nn, name)(ignore_index=-1)(z, rows).item() == pytest.approx(
        np.log(3) if name == "CrossEntropyLoss" else 0.0
    )


@pytest.mark.parametrize(
    ("call", "op", "over"),
    [
        (lambda x: x.amax(0), "max", "its axis 0 has length 0"),
        (lambda x: x.amin(dim=-2, keepdim=True), "min", "its axis -2 has length 0"),
        (lambda x: x.max(), "max", "it has no values"),
        (lambda x: x.min(axis=0), "min", "its axis 0 has length 0"),
        (lambda x: x.argmax(), "argmax", "it has no values"),
        (lambda x: x.argmin(0), "argmin", "its axis 0 has length 0"),
    ],
)
def test_a_maximum_over_an_empty_axis_names_the_axis_and_the_shape(call, op, over):
    # PyTorch: "Expected reduction dim 0 to have non-zero size"; glassnet passed on NumPy's
    # "zero-size array to reduction operation maximum which has no identity"
    x = _leaf(np.zeros((0, 3)))
    with pytest.raises(ValueError, match=rf"^{op} of a tensor of shape \(0, 3\): {over}, so"):
        call(x)
    assert x.amax(1).shape == (0,) and x.argmax(1).shape == (0,)  # (no axis of length 0)
    with pytest.raises(IndexError, match=r"dim 2 is out of range for a tensor of shape \(0, 3\)"):
        x.amax(2)  # (PyTorch's IndexError, in its words: NumPy's AxisError said "axis 2")


# --------------------------------------------------------------------------- against torch

SHAPES = [(), (0,), (3,), (2, 3), (0, 3), (2, 1, 3)]


def _ops(nd: int) -> list[tuple[str, object]]:
    """(name, f(x, lib)) for a tensor of ``nd`` axes, the same call in both libraries."""
    dims = range(-nd, nd) if nd else (0, -1)
    out = [
        ("abs", lambda x, lib: x.abs()),
        ("sqrt", lambda x, lib: (x.abs() + 0.5).sqrt()),
        ("clamp", lambda x, lib: x.clamp(-0.5, 1.0)),
        ("clamp(min=)", lambda x, lib: x.clamp(min=0.0)),
        ("clamp(max=)", lambda x, lib: x.clamp(max=0.0)),
        ("clamp(1, -1)", lambda x, lib: x.clamp(1.0, -1.0)),
        ("max()", lambda x, lib: x.max()),
        ("min()", lambda x, lib: x.min()),
        ("amax()", lambda x, lib: x.amax()),
        (".T", lambda x, lib: x.T),
        ("flatten()", lambda x, lib: x.flatten()),
        ("squeeze()", lambda x, lib: x.squeeze()),
        ("view(-1)", lambda x, lib: x.view(-1)),
        ("x[..., None]", lambda x, lib: x[..., None]),
    ]
    for d in dims:
        for k in (False, True):
            out.append((f"amax({d}, {k})", lambda x, lib, d=d, k=k: x.amax(d, k)))
            out.append((f"amin(dim={d}, keepdim={k})", lambda x, lib, d=d, k=k: x.amin(d, k)))
        out.append((f"squeeze({d})", lambda x, lib, d=d: x.squeeze(d)))
        out.append((f"unsqueeze({d})", lambda x, lib, d=d: x.unsqueeze(d)))
        out.append((f"flatten({d})", lambda x, lib, d=d: x.flatten(d)))
        out.append((f"transpose({d}, 0)", lambda x, lib, d=d: x.transpose(d, 0)))
        out.append((f"cat(dim={d})", lambda x, lib, d=d: lib.cat([x, 2 * x], dim=d)))
        out.append((f"stack(dim={d})", lambda x, lib, d=d: lib.stack([x, x * x], dim=d)))
    out += [
        ("where", lambda x, lib: lib.where(x > 0, x, -x)),
        ("maximum", lambda x, lib: lib.maximum(x, lib.const(np.round(lib.values(x))))),
        ("minimum", lambda x, lib: lib.minimum(lib.const(np.round(lib.values(x))), x)),
    ]
    return out


class _GnLib:
    """glassnet's spellings of torch.cat, stack, where, maximum and minimum; a constant."""

    cat = staticmethod(lambda ts, dim: gn.concatenate(ts, dim=dim))
    stack = staticmethod(lambda ts, dim: gn.stack(ts, dim=dim))
    where = staticmethod(gn.where)
    maximum = staticmethod(gn.maximum)
    minimum = staticmethod(gn.minimum)
    const = staticmethod(Tensor)
    values = staticmethod(lambda x: x.data)


class _TorchLib:
    def __init__(self, torch: object) -> None:
        self.torch = torch

    def __getattr__(self, name: str) -> object:
        return getattr(self.torch, name)

    def const(self, a: np.ndarray) -> object:
        return self.torch.tensor(a)

    def values(self, x: object) -> np.ndarray:
        return x.detach().numpy()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ties", [False, True])
def test_ops_values_gradients_and_errors_match_torch(dtype, ties):
    torch = pytest.importorskip("torch")  # optional reference (torch==2.13.0)
    rng = np.random.default_rng(7)
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-12}
    for shape in SHAPES:
        a = rng.integers(-2, 3, shape) if ties else rng.standard_normal(shape)
        a = np.asarray(a, dtype)
        for name, f in _ops(len(shape)):
            x, xt = Tensor(a.copy(), requires_grad=True), torch.tensor(a, requires_grad=True)
            try:
                with warnings.catch_warnings():  # (torch's deprecation of x.T on 0-d, 1-d)
                    warnings.simplefilter("ignore")
                    yt = f(xt, _TorchLib(torch))
            except (RuntimeError, IndexError, ValueError, TypeError):
                with pytest.raises((RuntimeError, IndexError, ValueError, TypeError)):
                    f(x, _GnLib)
                continue
            y = f(x, _GnLib)
            where = f"{name} of shape {shape}"
            assert y.shape == tuple(yt.shape), where
            np.testing.assert_allclose(y.data, yt.detach().numpy(), **tol, err_msg=where)
            up = rng.standard_normal(y.shape).astype(dtype)
            y.backward(up)
            yt.backward(torch.tensor(up))
            np.testing.assert_allclose(x.grad, xt.grad.numpy(), **tol, err_msg=where)


def _losses(torch: object, n: int, rng: np.random.Generator, dtype: object) -> list:
    """(name, glassnet loss, torch loss, input, target) for a batch of n, 3 outputs."""
    from glassnet import nn

    z = rng.standard_normal((n, 3)).astype(dtype)
    p = rng.random((n, 3)).astype(dtype)
    p.flat[:1] = 0.0  # (a probability of exactly 0: the log clamped at -100)
    y01 = (rng.random((n, 3)) > 0.5).astype(dtype)
    near = np.where(rng.random((n, 3)) < 0.3, z, rng.standard_normal((n, 3))).astype(dtype)
    labels = rng.integers(0, 3, n)
    labels[: n // 2] = np.where(rng.random(n // 2) < 0.5, -100, labels[: n // 2])
    rows = rng.random((n, 3)).astype(dtype)
    w, pw = rng.random(3).astype(dtype), (rng.random(3) * 3).astype(dtype)
    tw, tpw = torch.tensor(w), torch.tensor(pw)
    out = []
    for red in ("mean", "sum", "none"):
        for name, kw, tkw, x, t in [
            ("MSELoss", {}, {}, z, near),
            ("L1Loss", {}, {}, z, near),
            ("HuberLoss", {"delta": 0.7}, {"delta": 0.7}, z, near),
            ("BCELoss", {"weight": w}, {"weight": tw}, p, rows),
            ("BCEWithLogitsLoss", {"pos_weight": pw}, {"pos_weight": tpw}, z, y01),
            (
                "BCEWithLogitsLoss",
                {"weight": w, "pos_weight": pw},
                {"weight": tw, "pos_weight": tpw},
                z,
                rows,
            ),
            ("NLLLoss", {"weight": w}, {"weight": tw}, z, labels),
            (
                "CrossEntropyLoss",
                {"weight": w, "label_smoothing": 0.2},
                {"weight": tw, "label_smoothing": 0.2},
                z,
                labels,
            ),
            ("CrossEntropyLoss", {"label_smoothing": 0.1}, {"label_smoothing": 0.1}, z, labels),
            ("CrossEntropyLoss", {"ignore_index": 1}, {"ignore_index": 1}, z, labels % 3),
            ("CrossEntropyLoss", {"weight": w}, {"weight": tw}, z, rows),
        ]:
            gl = getattr(nn, name)(reduction=red, **kw)
            tl = getattr(torch.nn, name)(reduction=red, **tkw)
            out.append((f"{name}({kw}, reduction={red!r}), n={n}", gl, tl, x, t))
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_loss_modules_values_and_gradients_match_torch(dtype):
    torch = pytest.importorskip("torch")  # optional reference (torch==2.13.0)
    rng = np.random.default_rng(8)
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-12}
    for n in (0, 1, 6):
        for name, gl, tl, x, t in _losses(torch, n, rng, dtype):
            xt = torch.tensor(x, requires_grad=True)
            yt = tl(xt, torch.tensor(t))
            if n == 0 and "mean" in name:  # PyTorch's mean over no losses is NaN; glassnet's
                assert torch.isnan(yt)  # an error (the losses module's docstring)
                with pytest.raises(ValueError, match="a mean over no losses has no value"):
                    gl(Tensor(x), t)
                continue
            xg = Tensor(x.copy(), requires_grad=True)
            y = gl(xg, t)
            np.testing.assert_allclose(y.data, yt.detach().numpy(), **tol, err_msg=name)
            up = rng.standard_normal(y.shape).astype(dtype)
            y.backward(up)
            yt.backward(torch.tensor(up))
            np.testing.assert_allclose(xg.grad, xt.grad.numpy(), **tol, err_msg=name)


@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.0, np.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e3, np.inf])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    torch = pytest.importorskip("torch")  # optional reference (torch==2.13.0)
    from glassnet import nn
    from glassnet.nn.utils import clip_grad_norm_

    rng = np.random.default_rng(9)
    grads = [rng.standard_normal((3, 2)), rng.standard_normal(4), np.zeros((0,)), np.ones(())]
    if norm_type == np.inf:
        grads.pop(2)  # (PyTorch: "cannot compute the infinity norm on an empty tensor")
    ps, ts = [], []
    for g in grads:
        p, t = nn.Parameter(np.zeros(g.shape)), torch.zeros(g.shape, dtype=torch.float64)
        p.grad, t.grad = g.copy(), torch.tensor(g)
        ps.append(p)
        ts.append(t)
    total = clip_grad_norm_(ps, max_norm, norm_type, foreach=None)
    total_t = torch.nn.utils.clip_grad_norm_(ts, max_norm, norm_type, foreach=None)
    np.testing.assert_allclose(total.data, total_t.numpy(), rtol=1e-12)
    for p, t in zip(ps, ts):
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("call", ["clamp", "clip"])
def test_clamp_to_bounds_of_more_axes_passes_the_gradient_summed_back(call):
    # x (3,) clamped to a (2, 3) bound is (2, 3), as in PyTorch; backward raised "produced a
    # gradient of shape (2, 3) for an input of shape (3,)". PyTorch's x.grad: [0, 2, 1]
    x = _leaf([0.0, 1.0, 2.0])
    y = getattr(x, call)(np.array([[0.5, 0.5, 0.5], [1.5, 0.0, 3.0]]))
    assert y.shape == (2, 3)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 2.0, 1.0])


def test_clip_grad_norm_takes_norm_type_inf_as_a_string_as_pytorch_documents():
    # PyTorch: "norm_type (float): ... Can be 'inf' for infinity norm"; glassnet refused it
    from glassnet.nn.utils import clip_grad_norm_

    p = _param([3.0, -4.0])
    assert clip_grad_norm_([p], 100.0, "inf").item() == 4.0
    with pytest.raises(ValueError, match="'norm_type' parameter of clip_grad_norm_"):
        clip_grad_norm_([p], 1.0, "two")


def test_transpose_with_one_dim_says_it_takes_two():
    # PyTorch: "transpose() missing 1 required positional arguments: dim1"; glassnet said
    # "permute: dims must order all 2 axes once each. Got (0,)", naming a call not made
    x = _leaf(np.ones((2, 3)))
    with pytest.raises(TypeError, match=r"transpose takes the two dims to swap.*Got \(0,\)"):
        x.transpose(0)
    assert _leaf([1.0, 2.0]).transpose(0).shape == (2,)  # (NumPy's order of a vector's axes)


@pytest.mark.parametrize("name", ["CrossEntropyLoss", "NLLLoss"])
@pytest.mark.parametrize(
    ("x", "y"), [(np.zeros((2, 3, 4)), np.zeros((2, 4), int)), (np.zeros(3), np.array(1))]
)
def test_pytorchs_k_dimensional_and_unbatched_inputs_are_refused_saying_how_to_flatten(name, x, y):
    # PyTorch takes (N, C, d) and (C,) inputs; glassnet takes (N, C) and said only
    # "logits must have shape (N, C)", not how to get there
    from glassnet import nn

    shape = re.escape(str(x.shape))
    with pytest.raises(ValueError, match=rf"Got {shape}.*x.transpose\(1, 2\).reshape\(-1, C\)"):
        getattr(nn, name)()(Tensor(x), y)
    z = Tensor(x.reshape(-1, 3) if x.ndim == 1 else x.transpose(0, 2, 1).reshape(-1, 3))
    assert getattr(nn, name)()(z, y.reshape(-1)).shape == ()


def test_the_refusal_of_max_dim_says_how_its_gradient_at_ties_differs_from_amax():
    # PyTorch's x.max(1).values gives g at a tie to the index it returns; the error pointed
    # to amax, which shares it, without a word on the difference
    x = _leaf([[1.0, 3.0, 3.0], [2.0, 2.0, -1.0]])
    with pytest.raises(TypeError, match=r"share the gradient equally.*x\.gather\(1, x\.argmax"):
        x.max(1)
    x.gather(1, x.argmax(1, keepdim=True)).squeeze(1).sum().backward()  # max(1).values' g
    np.testing.assert_array_equal(x.grad, [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])


def test_float_of_a_float32_tensor_is_the_tensor_itself_as_in_pytorch():
    # PyTorch's x.float() of a float32 x returns x (a leaf stays a leaf, and an in-place
    # write reaches x); glassnet's was a copy in the graph: the write went to the copy
    w = _leaf([1.0, 2.0], np.float32)
    assert w.float() is w and w.double() is not w
    d = _leaf([1.0, 2.0])
    assert d.double() is d
    with gn.no_grad():
        w.float().mul_(0.5)
    np.testing.assert_array_equal(w.data, np.array([0.5, 1.0], np.float32))
