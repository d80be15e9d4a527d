"""The core's fixes of round 7: no_grad on generators, softmax over an empty axis, and
FastMLP.trace past the dtype's range."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet.functional import logsumexp
from glassnet.fused import FastMLP, layers_of


# ------------------------------------------------- grad mode as a decorator of a generator
def test_no_grad_decorates_a_generator_each_time_it_resumes() -> None:
    w = gn.Tensor([1.0], requires_grad=True)
    modes = []

    @gn.no_grad()
    def batches():
        for _ in range(2):
            sent = yield w * 2  # recorded in the generator's mode
            modes.append((sent, gn.is_grad_enabled()))
        return "done"

    it = batches()
    first = next(it)
    assert not first.requires_grad  # (was True: the body ran after the decorator's block)
    assert gn.is_grad_enabled() and (w * 2).requires_grad  # the caller's mode between items
    assert not it.send("a").requires_grad
    with pytest.raises(StopIteration) as stop:
        it.send("b")
    assert stop.value.value == "done"
    assert modes == [("a", False), ("b", False)]


def test_enable_grad_and_set_grad_enabled_decorate_generators_too() -> None:
    w = gn.Tensor([1.0], requires_grad=True)

    @gn.enable_grad()
    def on():
        yield (w * 2).requires_grad

    @gn.set_grad_enabled(False)
    def off():
        yield (w * 2).requires_grad

    with gn.no_grad():
        assert list(on()) == [True]
        assert not gn.is_grad_enabled()
    assert list(off()) == [False] and gn.is_grad_enabled()


def test_a_decorated_generator_passes_throw_and_close_on_in_its_mode() -> None:
    seen = []

    @gn.no_grad()
    def gen():
        try:
            yield 1
        except KeyError:
            seen.append(("throw", gn.is_grad_enabled()))
            yield 2
        finally:
            seen.append(("close", gn.is_grad_enabled()))

    it = gen()
    next(it)
    assert it.throw(KeyError("k")) == 2
    it.close()
    assert seen == [("throw", False), ("close", False)] and gn.is_grad_enabled()
    it = gen()
    next(it)
    with pytest.raises(ValueError, match="not caught"):
        it.throw(ValueError("not caught"))  # (raised out of the generator, as it is)
    assert gn.is_grad_enabled()


def test_no_grad_object_reused_and_a_decorated_function_recursing() -> None:
    w = gn.Tensor([1.0], requires_grad=True)
    mode = gn.no_grad()
    for _ in range(2):  # (a contextlib generator manager refused a second with-block)
        with mode:
            assert not (w * 2).requires_grad
        assert (w * 2).requires_grad

    @gn.no_grad()
    def deep(n: int) -> bool:
        return (w * 2).requires_grad if n == 0 else deep(n - 1)

    assert deep(3) is False and gn.is_grad_enabled()


# --------------------------------------------------------- softmax over an empty axis
@pytest.mark.parametrize("shape", [(3, 0), (0, 3), (0, 0), (0,)])
@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
def test_softmax_of_an_empty_axis_is_empty_not_numpys_error(shape, fn) -> None:
    for axis in range(len(shape)):
        x = gn.Tensor(np.zeros(shape), requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # (no RuntimeWarning either)
            y = getattr(x, fn)(axis)
            y.sum().backward()
        assert y.shape == shape and x.grad.shape == shape


def test_softmax_on_empty_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    z = np.zeros((3, 0))
    for fn in ("softmax", "log_softmax"):
        ours = getattr(gn.Tensor(z), fn)(1).data
        theirs = getattr(torch.from_numpy(z), fn)(1).numpy()
        assert ours.shape == theirs.shape


def test_logsumexp_of_an_empty_axis_is_minus_inf() -> None:
    out = logsumexp(np.zeros((3, 0)), axis=1)
    assert out.shape == (3, 1) and np.all(out == -np.inf)
    assert logsumexp(np.zeros((0, 3)), axis=1).shape == (0, 1)
    z = np.array([[1.0, 2.0]])  # (unchanged where the axis has values)
    assert np.allclose(logsumexp(z), np.log(np.exp(1.0) + np.exp(2.0)))


# ------------------------------------------------------ FastMLP.trace past float32's range
def _ones_net() -> gn.nn.Module:
    net = gn.nn.MLP([2, 3, 1])
    for p in net.parameters():
        p.data[...] = 1.0
    return net


def test_trace_that_overflows_float32_says_where_and_what_to_do() -> None:
    fast = FastMLP(layers_of(_ones_net()), "mse")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (NumPy's overflow warnings were printed before)
        with pytest.raises(ValueError, match=r"layer 2's Z holds NaN or inf.*float32.*float64"):
            fast.trace([[1e38, 1e38]], [[1.0]])
        with pytest.raises(ValueError, match=r"layer 2's dW holds NaN or inf"):
            fast.trace([[1e30, 1.0]], [[1.0]])  # (forward finite, the gradient overflows)
    t = fast.trace([[1e30, 1.0]])  # the forward pass alone is finite: returned
    assert np.isfinite(t.layers[-1]["A"]).all()
    wide = FastMLP(layers_of(_ones_net()), "mse", dtype=np.float64).trace([[1e30, 1.0]], [[1.0]])
    assert np.isfinite(wide.loss) and np.isfinite(wide.layers[0]["dW"]).all()


# ------------------------------------------- load_torch_state_dict's layer order, n log n
def _old_order(prefixes: list[str]) -> list[str] | None:
    """The order as it was computed (every two names compared), kept as the reference."""
    split = [[int(p) if p.isdigit() else p for p in n.split(".")] for n in prefixes]
    for i, a in enumerate(split):
        for b in split[:i]:
            first = next(((x, y) for x, y in zip(a, b) if x != y), None)
            if first is None or not all(isinstance(v, int) for v in first):
                return None
    return [prefixes[i] for i in sorted(range(len(split)), key=lambda i: split[i])]


def test_torch_layer_order_equals_the_pairwise_rule() -> None:
    from glassnet.io import _torch_layer_order

    rng = np.random.default_rng(0)
    words = ["0", "1", "2", "10", "fc", "head", "net", "3"]
    for _ in range(3000):
        names = [
            ".".join(rng.choice(words, size=rng.integers(1, 4))) for _ in range(rng.integers(1, 6))
        ]
        names = list(dict.fromkeys(names))
        assert _torch_layer_order(names) == _old_order(names), names
    assert _torch_layer_order(["layers.10", "layers.2", "head.0"]) is None
    assert _torch_layer_order(["net.10", "net.2", "net.0"]) == ["net.0", "net.2", "net.10"]


def test_a_state_dict_of_many_layers_loads_without_a_quadratic_order_check() -> None:
    """50,000 numbered layer names (a crafted file) took about 1.25e9 comparisons."""
    from glassnet.io import _torch_layer_order

    names = [f"blocks.{i}.fc" for i in range(50_000)][::-1]
    out = _torch_layer_order(names)
    assert out == [f"blocks.{i}.fc" for i in range(50_000)]


# ------------------------------------------------------- np.sum / np.mean of a Tensor
def test_numpy_reductions_of_a_tensor_give_a_tensor_in_the_graph() -> None:
    """np.mean(x) called x.mean(axis=, dtype=, out=), which took no dtype: a TypeError, where
    PyTorch's tensor gives its mean."""
    x = gn.Tensor([1.0, 2.0, 4.0], requires_grad=True)
    m = np.mean(x)
    assert isinstance(m, gn.Tensor) and m.item() == pytest.approx(7 / 3)
    m.backward()
    assert np.allclose(x.grad, 1 / 3)
    s = np.sum(x, axis=0, keepdims=True)
    assert s.shape == (1,) and s.item() == 7.0
    assert np.mean(x, dtype=np.float64).dtype == np.float64
    with pytest.raises(TypeError, match="out="):
        np.sum(x, out=np.zeros(()))
    with pytest.raises(TypeError, match="float32 or float64"):
        np.mean(x, dtype=np.int64)


# ---------------------------------------------- review: one no_grad object, many contexts
def test_one_no_grad_object_shared_by_asyncio_tasks_threads_and_nesting() -> None:
    import asyncio
    import sys
    import threading

    ng = gn.no_grad()
    seen = []

    async def task(d: float) -> None:
        with ng:  # (the tasks' blocks interleave: each leaves its own)
            await asyncio.sleep(d)
            seen.append(gn.is_grad_enabled())
        seen.append(gn.is_grad_enabled())

    async def main() -> None:
        await asyncio.gather(task(0.02), task(0.01), task(0.03))

    asyncio.run(main())  # (ValueError: a token created in a different Context, before)
    assert seen == [False, True] * 3
    errors: list[BaseException] = []

    def thread() -> None:
        try:
            for _ in range(500):
                with ng:
                    assert not gn.is_grad_enabled()
                assert gn.is_grad_enabled()
        except BaseException as e:  # noqa: BLE001 (reported below)
            errors.append(e)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=thread) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
    with ng:
        with ng:
            pass
        assert not gn.is_grad_enabled()  # (the inner block's exit left the outer's mode)
    assert gn.is_grad_enabled()


def test_empty_softmax_checks_its_axis_and_logsumexp_of_integers_is_float() -> None:
    for fn in ("softmax", "log_softmax"):
        with pytest.raises(IndexError, match="out of range"):  # as for a tensor with values
            getattr(gn.Tensor(np.zeros((3, 0))), fn)(5)
    out = logsumexp(np.zeros((2, 0), np.int64), axis=1)
    assert out.dtype == np.float64 and np.all(out == -np.inf)
    assert logsumexp(np.zeros((2, 0), np.float32), axis=1).dtype == np.float32


def test_trace_says_why_by_cause_and_checks_finite() -> None:
    net = _ones_net()
    with pytest.raises(TypeError, match="finite"):
        FastMLP(layers_of(net), "mse").trace([[1.0, 1.0]], finite="no")
    net.layers[0].W.data[0, 0] = np.nan
    with pytest.raises(ValueError, match="weights are not finite") as e:
        FastMLP(layers_of(net), "mse").trace([[1.0, 1.0]])
    assert "float64" not in str(e.value)
    wide = FastMLP(layers_of(_ones_net()), "mse", dtype=np.float64)
    with pytest.raises(ValueError, match="overflows float64") as e:
        wide.trace([[1e300, 1e300]], [[1.0]])
    assert "dtype=np.float64" not in str(e.value)  # (it is float64 already)


# ------------------------------------------------------------- review: norm, CE, np.sum
def test_norm_near_the_top_of_the_float_range_is_finite_with_its_gradient() -> None:
    for v, want in (([1e308], 1e308), ([9e307, 1.0], 9e307), ([5e-324], 5e-324)):
        x = gn.tensor(v, dtype=np.float64, requires_grad=True)
        n = x.norm()  # (2^1024, the scale of 1e308, overflows: the slice was nan, grad 0)
        n.backward()
        assert n.item() == want and x.grad[0] == 1.0
    assert gn.tensor(np.float32([2e38])).norm().item() == np.float32(2e38)


def test_cross_entropy_rows_at_a_masked_logit_raise_no_floating_point_error() -> None:
    import glassnet.functional as F

    Z = gn.Tensor(np.array([[-np.inf, 0.0, 1.0]]), requires_grad=True)
    with np.errstate(all="raise"):  # (0 * -inf was computed, then repaired)
        loss = F.cross_entropy(Z, np.array([[0.0, 0.3, 0.7]]))
    want = -(0.3 * np.log(1 / (1 + np.e)) + 0.7 * np.log(np.e / (1 + np.e)))
    assert loss.item() == pytest.approx(want)


def test_numpy_dtype_of_a_reduction_is_the_dtype_it_sums_in() -> None:
    a = np.full(10**6, 0.1, np.float32)
    assert np.sum(gn.tensor(a), dtype=np.float64).item() == np.sum(a, dtype=np.float64)
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    s = np.mean(x, dtype=np.float64)
    s.backward()
    assert s.dtype == np.float64 and x.grad.dtype == np.float32


def test_norm_at_the_top_of_the_range_warns_of_no_overflow() -> None:
    x = gn.Tensor(np.array([1e308, 1e308]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (a sum of x itself, for the output's shape, overflowed)
        assert x.norm().item() == pytest.approx(np.sqrt(2) * 1e308)
    y = gn.tensor(np.arange(24.0).reshape(2, 3, 4))
    for dim in (None, 0, (0, 2), -1):
        for keep in (False, True):
            want = np.sqrt((y.data**2).sum(axis=dim, keepdims=keep))
            assert np.allclose(y.norm(dim=dim, keepdim=keep).data, want)
