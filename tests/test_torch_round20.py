"""PyTorch's beginner tutorials, ported: ``torch.autograd.Function`` (the custom Functions
of "Learning PyTorch with Examples", LegendrePolynomial3 and MyReLU, against torch's
numbers), ``nn.Linear`` on (N, *, in), the function forms ``gn.clip`` and kin, writing
into ``z.detach()``, and backward through sqrt at 0 without NumPy's warning."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import glassnet as gn
from glassnet.autograd import Function


# ----------------------------------------------------------------- autograd.Function
class LegendrePolynomial3(gn.autograd.Function):
    @staticmethod
    def forward(ctx: Any, input: gn.Tensor) -> gn.Tensor:  # noqa: A002 (the tutorial's)
        ctx.save_for_backward(input)
        return 0.5 * (5 * input**3 - 3 * input)

    @staticmethod
    def backward(ctx: Any, grad_output: gn.Tensor) -> gn.Tensor:
        (input,) = ctx.saved_tensors  # noqa: A001
        return grad_output * 1.5 * (5 * input**2 - 1)


class MyReLU(gn.autograd.Function):
    @staticmethod
    def forward(ctx: Any, input: gn.Tensor) -> gn.Tensor:  # noqa: A002
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx: Any, grad_output: gn.Tensor) -> gn.Tensor:
        (input,) = ctx.saved_tensors  # noqa: A001
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


def test_legendre_tutorial_matches_torch_in_float64():
    """The tutorial's loop, 2000 steps in float64: torch 2.13 gives loss 8.943643355960496,
    b = -2.20852641519011, d = 0.2554861125088658 (a and c about 1e-18)."""
    dtype = gn.float64
    x = gn.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = gn.sin(x)
    a = gn.full((), 0.0, dtype=dtype, requires_grad=True)
    b = gn.full((), -1.0, dtype=dtype, requires_grad=True)
    c = gn.full((), 0.0, dtype=dtype, requires_grad=True)
    d = gn.full((), 0.3, dtype=dtype, requires_grad=True)
    for _ in range(2000):
        P3 = LegendrePolynomial3.apply
        loss = (a + b * P3(c + d * x) - y).pow(2).sum()
        loss.backward()
        with gn.no_grad():
            for p in (a, b, c, d):
                p -= 5e-6 * p.grad
                p.grad = None
    assert loss.item() == pytest.approx(8.943643355960496, rel=1e-12)
    assert b.item() == pytest.approx(-2.20852641519011, rel=1e-12)
    assert d.item() == pytest.approx(0.2554861125088658, rel=1e-12)
    assert abs(a.item()) < 1e-12 and abs(c.item()) < 1e-12


def test_myrelu_two_layer_net_matches_torch_in_float64():
    """The older tutorial's two-layer net with MyReLU (small sizes, 50 steps): torch 2.13's
    loss 13.294745973267002, sums of w1 and w2 -17.3043537032314 and 0.5200351944734501."""
    rng = np.random.default_rng(0)
    x = gn.tensor(rng.standard_normal((8, 20)), dtype=gn.float64)
    y = gn.tensor(rng.standard_normal((8, 3)), dtype=gn.float64)
    w1 = gn.tensor(rng.standard_normal((20, 6)), dtype=gn.float64, requires_grad=True)
    w2 = gn.tensor(rng.standard_normal((6, 3)), dtype=gn.float64, requires_grad=True)
    for _ in range(50):
        loss = (MyReLU.apply(x.mm(w1)).mm(w2) - y).pow(2).sum()
        loss.backward()
        with gn.no_grad():
            w1 -= 1e-3 * w1.grad
            w2 -= 1e-3 * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()
    assert loss.item() == pytest.approx(13.294745973267002, rel=1e-12)
    assert w1.sum().item() == pytest.approx(-17.3043537032314, rel=1e-12)
    assert w2.sum().item() == pytest.approx(0.5200351944734501, rel=1e-12)


def test_function_is_one_node_and_passes_gradcheck():
    x = gn.randn(3, 4, dtype=gn.float64, requires_grad=True)
    out = LegendrePolynomial3.apply(x)
    assert out.op == "LegendrePolynomial3" and out.parents == (x,)
    assert out.grad_fn.name() == "LegendrePolynomial3Backward0"
    assert gn.autograd.gradcheck(LegendrePolynomial3.apply, (x,))
    assert gn.autograd.gradcheck(
        MyReLU.apply, (gn.tensor([-1.5, -0.5, 0.5, 2.0], dtype=gn.float64, requires_grad=True),)
    )


class Recorder(Function):
    """Reports what forward and backward saw."""

    seen: dict[str, Any] = {}

    @staticmethod
    def forward(ctx: Any, x: gn.Tensor, k: float, w: gn.Tensor) -> gn.Tensor:
        inner = x * w
        Recorder.seen.update(
            inner_requires_grad=inner.requires_grad,
            grad_mode=gn.is_grad_enabled(),
            needs=ctx.needs_input_grad,
        )
        ctx.save_for_backward(x, w)
        ctx.k = k
        return inner * k

    @staticmethod
    def backward(ctx: Any, g: gn.Tensor) -> tuple[Any, ...]:
        x, w = ctx.saved_tensors
        Recorder.seen.update(g=g, back_mode=gn.is_grad_enabled())
        return g * w * ctx.k, None, g * x * ctx.k


def test_forward_runs_unrecorded_and_non_tensor_arguments_get_none():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    w = gn.tensor([3.0, 4.0])
    out = Recorder.apply(x, 2.0, w)
    seen = Recorder.seen
    assert seen["inner_requires_grad"] is False and seen["grad_mode"] is False
    assert seen["needs"] == (True, False, False)
    assert out.requires_grad and gn.is_grad_enabled()
    out.backward(gn.tensor([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad, [6.0, 80.0])
    assert seen["back_mode"] is False and not seen["g"].requires_grad
    with gn.no_grad():
        assert not Recorder.apply(x, 2.0, w).requires_grad
    assert Recorder.seen["needs"] == (True, False, False)  # (from requires_grad, as PyTorch 2)


def test_keyword_arguments_are_arguments_of_apply():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    Recorder.apply(x, k=3.0, w=gn.tensor([1.0, 1.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])


class Pair(Function):
    @staticmethod
    def forward(ctx: Any, x: gn.Tensor) -> tuple[Any, ...]:
        ctx.save_for_backward(x)
        return x * 2, x.exp(), "tag"

    @staticmethod
    def backward(ctx: Any, g1: gn.Tensor, g2: gn.Tensor, g3: Any) -> gn.Tensor:
        (x,) = ctx.saved_tensors
        Pair.got = (g1, g2, g3)
        return g1 * 2 + g2 * x.exp()


def test_several_outputs():
    x = gn.tensor([0.0, 1.0], dtype=gn.float64, requires_grad=True)
    a, b, tag = Pair.apply(x)
    assert tag == "tag" and a.requires_grad and b.requires_grad
    a.sum().backward()  # (b got no gradient: zeros, as PyTorch's)
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])
    np.testing.assert_array_equal(Pair.got[1].data, [0.0, 0.0])
    assert Pair.got[2] is None
    x.grad = None
    (a.sum() + (b * 3).sum()).backward()
    np.testing.assert_allclose(x.grad, [2.0 + 3.0, 2.0 + 3 * math.e], rtol=1e-15)
    x.grad = None
    b.sum().backward()  # (the one reached is passed, the other is zeros: no stale gradient)
    np.testing.assert_array_equal(Pair.got[0].data, [0.0, 0.0])
    np.testing.assert_allclose(x.grad, [1.0, math.e], rtol=1e-15)
    assert gn.autograd.gradcheck(lambda t: Pair.apply(t)[0] * Pair.apply(t)[1], (x,))


class SortValues(Function):
    @staticmethod
    def forward(ctx: Any, x: gn.Tensor) -> tuple[gn.Tensor, gn.Tensor]:
        order = np.argsort(x.data)
        ctx.order = order
        idx = gn.tensor(order.astype(float))
        ctx.mark_non_differentiable(idx)
        ctx.set_materialize_grads(False)
        return gn.tensor(x.data[order]), idx

    @staticmethod
    def backward(ctx: Any, g: gn.Tensor, g_idx: Any) -> np.ndarray:
        SortValues.g_idx = g_idx
        out = np.zeros(len(ctx.order))
        out[ctx.order] = g.data
        return out  # (a NumPy array is taken)


def test_mark_non_differentiable_and_materialize_grads():
    x = gn.tensor([3.0, 1.0, 2.0], dtype=gn.float64, requires_grad=True)
    values, idx = SortValues.apply(x)
    assert values.requires_grad and not idx.requires_grad
    (values * gn.tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 1.0, 2.0])
    assert SortValues.g_idx is None


class Setup(Function):  # PyTorch 2's form: forward without ctx, beside setup_context
    @staticmethod
    def forward(x: gn.Tensor, w: gn.Tensor) -> gn.Tensor:
        return x @ w

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: Any) -> None:
        ctx.save_for_backward(*inputs)

    @staticmethod
    def backward(ctx: Any, g: gn.Tensor) -> tuple[gn.Tensor, gn.Tensor]:
        x, w = ctx.saved_tensors
        return g @ w.T, x.T @ g


def test_setup_context_form():
    x = gn.randn(4, 3, dtype=gn.float64, requires_grad=True)
    w = gn.randn(3, 2, dtype=gn.float64, requires_grad=True)
    assert gn.autograd.gradcheck(Setup.apply, (x, w))


def _function(backward: Any, forward: Any = lambda ctx, x, y: x * y) -> type:
    return type(
        "Wrong", (Function,), {"forward": staticmethod(forward), "backward": staticmethod(backward)}
    )


@pytest.mark.parametrize(
    "backward, match",
    [
        (lambda ctx, g: g, r"Wrong.backward returned 1 gradients for the 2 arguments of Wrong"),
        (lambda ctx, g: (g, g, g), r"returned 3 gradients for the 2 arguments"),
        (
            lambda ctx, g: (g, gn.ones(5)),
            r"Wrong.backward returned a gradient of shape \(5,\) for argument 1 of shape",
        ),
        (lambda ctx, g: (g, 3.0), r"Wrong.backward returned float as the gradient of argument 1"),
    ],
)
def test_wrong_gradients_are_refused_naming_the_function(backward: Any, match: str):
    x = gn.ones(2, 3, requires_grad=True)
    y = gn.ones(2, 3, requires_grad=True)
    with pytest.raises((ValueError, TypeError), match=match):
        _function(backward).apply(x, y).sum().backward()


def test_gradient_for_a_number_argument_is_refused():
    f = _function(lambda ctx, g: (g, g), forward=lambda ctx, x, k: x * k)
    with pytest.raises(ValueError, match="argument 1 of Wrong.apply, a float, not a Tensor"):
        f.apply(gn.ones(2, requires_grad=True), 2.0).sum().backward()


def test_broadcast_gradient_is_summed_back_and_extra_nones_taken():
    f = _function(lambda ctx, g: (g, None, None), forward=lambda ctx, x, y: x + y)
    x = gn.ones(3, requires_grad=True)
    f.apply(x, gn.zeros(2, 3)).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])


def test_saved_tensor_changed_in_place_is_refused():
    class Exp(Function):
        @staticmethod
        def forward(ctx: Any, x: gn.Tensor) -> gn.Tensor:
            y = x.exp()
            ctx.save_for_backward(y)
            Exp.kept = y
            return y

        @staticmethod
        def backward(ctx: Any, g: gn.Tensor) -> gn.Tensor:
            (y,) = ctx.saved_tensors
            return g * y

    x = gn.tensor([0.0, 1.0], requires_grad=True)
    out = Exp.apply(x)
    Exp.kept[0] = 5.0  # (a plain tensor of forward's: writable, the saved value changed)
    with pytest.raises(RuntimeError, match=r"Exp.backward: a tensor of shape \(2,\) saved by ctx"):
        out.sum().backward()


def test_misuse_is_refused_clearly():
    x = gn.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"MyReLU\.apply\(\.\.\.\)"):
        MyReLU()(x)
    with pytest.raises(TypeError, match="Wrong.forward returned ndarray; it returns a Tensor"):
        _function(lambda ctx, g: g, forward=lambda ctx, x: x.data).apply(x)
    with pytest.raises(TypeError, match="save_for_backward takes Tensors"):
        _function(lambda ctx, g: g, forward=lambda ctx, x: ctx.save_for_backward(x.data)).apply(x)
    with pytest.raises(NotImplementedError, match="defines forward"):
        type("Empty", (Function,), {}).apply(x)


# ----------------------------------------------------------------- nn.Linear on (N, *, in)
def test_linear_applies_to_the_last_axis_as_torch():
    rng = np.random.default_rng(1)
    layer = gn.nn.Linear(28, 4, rng=0, dtype=gn.float64)
    x = gn.tensor(rng.standard_normal((2, 5, 28)), dtype=gn.float64, requires_grad=True)
    z = layer(x)
    assert z.shape == (2, 5, 4) and z.op == "linear" and z.parents[0] is x
    rows = x.data.reshape(10, 28)
    np.testing.assert_allclose(z.data.reshape(10, 4), rows @ layer.W.data + layer.b.data)
    r = rng.standard_normal((2, 5, 4))
    z.backward(r)
    np.testing.assert_allclose(layer.W.grad, rows.T @ r.reshape(10, 4), rtol=1e-13)
    np.testing.assert_allclose(layer.b.grad, r.reshape(10, 4).sum(0), rtol=1e-13)
    np.testing.assert_allclose(x.grad, r @ layer.W.data.T, rtol=1e-13)
    assert layer(gn.rand(1, 28, 28)).shape == (1, 28, 4)  # (an image without Flatten)
    assert gn.gradcheck(
        lambda x, W, b: gn.functional.linear(x, W, b),
        rng.standard_normal((2, 3, 1, 4)),
        rng.standard_normal((4, 2)),
        rng.standard_normal(2),
    )


def test_linear_still_refuses_a_wrong_last_axis_and_fit_takes_rows():
    with pytest.raises(ValueError, match=r"shape \(2, 5, 28\) does not fit .*\(N, \*, 10\)"):
        gn.nn.Linear(10, 4)(gn.rand(2, 5, 28))
    model = gn.nn.Sequential(gn.nn.Linear(28, 4), gn.nn.ReLU(), gn.nn.Linear(4, 1))
    X = np.random.default_rng(0).random((10, 5, 28))
    with pytest.raises(ValueError, match=r"fit: X must have 2 dimensions. Got shape \(10, 5, 28\)"):
        gn.fit(model, X, np.zeros((10, 1)), epochs=1, verbose=0)


# ----------------------------------------------------------------- function forms
def test_clip_and_the_other_torch_function_forms():
    x = gn.tensor([-2.0, 0.0, 2.0], requires_grad=True)
    np.testing.assert_array_equal(gn.clip(x, -1, 1).data, [-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(gn.clip(x, min=-1).data, [-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(gn.clip([-2.0, 2.0], max=1.0).data, [-2.0, 1.0])
    gn.clip(x, -1, 1).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, 0.0])
    a, b, c = gn.tensor([1.0, 2.0]), gn.tensor([3.0, 4.0]), gn.tensor([2.0, 8.0])
    np.testing.assert_array_equal(gn.addcmul(a, b, c, value=0.5).data, [4.0, 18.0])  # torch's
    np.testing.assert_array_equal(gn.addcdiv(a, b, c, value=2).data, [4.0, 3.0])
    np.testing.assert_array_equal(gn.lerp(a, b, 0.25).data, [1.5, 2.5])
    d = gn.detach(x)
    assert not d.requires_grad and d.data is x.data
    out = gn.zeros(3)
    assert gn.clip(np.array([-2.0, 0.5, 2.0]), -1, 1, out=out) is out
    np.testing.assert_array_equal(out.data, [-1.0, 0.5, 1.0])


# ----------------------------------------------------------------- backward through sqrt at 0
def test_backward_through_sqrt_at_zero_gives_nan_without_a_warning():
    """torch: grad [-1, nan, 1], no warning (pytest runs with warnings as errors)."""
    b = gn.tensor([-1.0, 0.0, 1.0], requires_grad=True)
    (b * b).sqrt().sum().backward()
    np.testing.assert_array_equal(b.grad, [-1.0, np.nan, 1.0])
    with pytest.warns(RuntimeWarning, match="invalid value"):  # (outside backward: NumPy's own)
        np.array([np.inf]) * 0


# ----------------------------------------------------------------- writing into z.detach()
def test_writing_into_a_detached_computed_tensor_is_refused_truthfully():
    """The tutorial's z_det = z.detach(); z_det[0] = 5: refused, since the graph keeps z's
    values (an op whose backward reads them, z = x.exp(), would give a wrong gradient in
    silence); the message says z_det requires no grad and names the copy to write into."""
    x = gn.ones(5)
    w = gn.ones(5, 3, requires_grad=True)
    z = gn.matmul(x, w)
    z_det = z.detach()
    assert not z_det.requires_grad
    expected = r"x requires no grad, but shares its values with a tensor computed by op 'matmul'"
    for write in (
        lambda: z_det.__setitem__(0, 5.0),
        lambda: z_det.__iadd__(1.0),
        lambda: z_det[1:].__setitem__(0, 5.0),
        lambda: z_det.clamp_(0, 1),
    ):
        with pytest.raises(RuntimeError, match=expected) as info:
            write()
        assert "z.detach().clone()" in str(info.value)
        assert "requires grad (" not in str(info.value)
    np.testing.assert_array_equal(z.data, [5.0, 5.0, 5.0])
    copy = z.detach().clone()
    copy[0] = 7.0
    np.testing.assert_array_equal(copy.data, [7.0, 5.0, 5.0])
    z.sum().backward()
    np.testing.assert_array_equal(w.grad, np.ones((5, 3)))
    leaf = gn.zeros(3, requires_grad=True)
    leaf.detach()[0] = 2.0  # (a leaf's detached values: writable, as PyTorch's)
    assert leaf.data[0] == 2.0
