"""Round 20b: Function with several outputs under nested passes, anomaly naming, errstate scope,
2-D Linear assumptions, Function edges and messages."""

import numpy as np
import pytest

import glassnet as gn


class Two(gn.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2, x * 3

    @staticmethod
    def backward(ctx, ga, gb):
        return ga * 2 + gb * 3


def test_reentrant_backward_through_a_multi_output_function_keeps_each_gradient():
    x = gn.tensor([1.0], requires_grad=True)
    a, b = Two.apply(x)
    aside = gn.tensor([1.0], requires_grad=True)
    other = (b * aside).sum()
    a.register_hook(lambda g: gn.autograd.grad(other, [aside]) and None)
    (a + b).sum().backward()
    assert x.grad.tolist() == [5.0]  # torch: 2 from a, 3 from b


def test_materialize_false_still_gives_none_for_the_output_not_reached():
    seen = []

    class Keep(gn.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            seen.append((ga is None, gb is None))
            return ga * 2

    x = gn.tensor([1.0, 2.0], requires_grad=True)
    a, b = Keep.apply(x)
    a.sum().backward()
    assert seen == [(False, True)] and x.grad.tolist() == [2.0, 2.0]


class BadBack(gn.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 2

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * float("nan") * x


def test_detect_anomaly_names_the_function_whose_backward_returned_nan():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(gn.AnomalyError, match=r"Function 'BadBackBackward' returned nan values "
                       r"in its 0th output.*BadBack\.backward") as info:  # fmt: skip
        with gn.detect_anomaly():
            BadBack.apply(x).sum().backward()
    assert "forward" not in str(info.value) and "learning rate" not in str(info.value)


class InfTimesZero(gn.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * np.array([np.inf]) * 0


def test_the_callers_seterr_holds_inside_a_functions_backward():
    x = gn.tensor([1.0], requires_grad=True)
    with np.errstate(invalid="raise"):
        y = InfTimesZero.apply(x).sum()
        with pytest.raises(FloatingPointError):
            y.backward()
    with np.errstate(invalid="ignore"):  # (the caller's own choice: NaN, silent)
        InfTimesZero.apply(x).sum().backward()
    assert np.isnan(x.grad).all()


def test_sqrt_at_zero_still_gives_nan_without_a_warning():
    x = gn.tensor([0.0, 1.0], requires_grad=True)
    (x * x).sqrt().sum().backward()  # (-W error: a RuntimeWarning would fail here)
    assert np.isnan(x.grad[0]) and x.grad[1] == 1.0


def _net():
    return gn.nn.Sequential(gn.nn.Linear(4, 8), gn.nn.ReLU(), gn.nn.Linear(8, 3))


def test_onnx_export_of_a_linear_on_3d_input_does_not_advise_a_flatten(tmp_path):
    pytest.importorskip("onnx")
    import glassnet.onnx as gonnx

    with pytest.raises(ValueError, match=r"takes rows \(N, 4\) only") as info:
        gonnx.export(_net(), str(tmp_path / "m.onnx"), input_shape=(5, 4))
    assert "Flatten" not in str(info.value)


def test_summary_of_3d_input_data_shows_the_real_shapes():
    text = str(gn.summary(_net(), input_data=np.zeros((2, 5, 4), dtype=np.float32)))
    assert "(N, 5, 4)" in text and "(N, 5, 8)" in text and "(N, 5, 3)" in text
    assert "(N, 4) " not in text


def test_needs_input_grad_under_no_grad_is_read_from_requires_grad():
    seen = []

    class Peek(gn.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            seen.append(ctx.needs_input_grad)
            return x + y

        @staticmethod
        def backward(ctx, g):
            return g, g

    x, y = gn.tensor([1.0], requires_grad=True), gn.tensor([1.0])
    with gn.no_grad():
        Peek.apply(x, y)
    assert seen == [(True, False)]  # torch 2: from requires_grad


def test_a_wrong_shaped_gradient_for_an_input_needing_none_is_ignored():
    class Extra(gn.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g, gn.ones(7)

    x, y = gn.tensor([1.0, 2.0], requires_grad=True), gn.tensor([3.0, 4.0])
    Extra.apply(x, y).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0] and y.grad is None


def test_mark_dirty_is_refused_by_name():
    class Dirty(gn.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(RuntimeError, match=r"Dirty: ctx\.mark_dirty is not supported.*clone"):
        Dirty.apply(gn.tensor([1.0], requires_grad=True))


def test_grad_over_several_outputs_runs_the_functions_backward_once():
    calls = []

    class Count(gn.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            calls.append(1)
            return ga * 2 + gb * 3

    x = gn.tensor([1.0, 2.0], requires_grad=True)
    a, b = Count.apply(x)
    (dx,) = gn.autograd.grad([a.sum(), b], [x], [None, gn.tensor([1.0, 2.0])])
    assert calls == [1] and dx.data.tolist() == [5.0, 8.0] and dx.dtype == np.float32
    assert x.grad is None
    gn.autograd.backward([a.sum(), b.sum()])
    assert calls == [1, 1] and x.grad.tolist() == [5.0, 5.0]


def test_a_write_into_a_detached_tensor_advises_a_new_node_from_z_only():
    z = gn.tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"z\.detach\(\)\.clone\(\).*z = z \+ y\.$") as info:
        z.detach().__iadd__(1.0)
    assert "x = x" not in str(info.value)
    with pytest.raises(RuntimeError, match=r"z = glassnet\.zeros_like\(z\)\.$"):
        z.detach().zero_()


def test_the_function_form_of_clip_names_min_and_max():
    x = gn.tensor([1.0, 2.0])
    with pytest.raises(TypeError, match=r"clip: pass min= or max="):
        gn.clip(x)
    with pytest.raises(TypeError, match=r"clip: max requires grad.*max\.detach\(\)"):
        gn.clip(x, None, gn.tensor([0.0], requires_grad=True))
