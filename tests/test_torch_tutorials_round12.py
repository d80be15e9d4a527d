"""PyTorch's official tutorials ported with ``import glassnet as gn`` in place of ``torch``:
"Learn the Basics" (tensors, autograd, transforms, the optimization loop), "What is
torch.nn really?" and the blitz's "Neural Networks", restricted to fully-connected networks.

Each snippet runs in glassnet as the tutorial writes it and is checked twice: against the
numbers NumPy computes here (these run without torch, as CI does), and against torch itself
where it is installed, from the same values.
"""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn.functional as F
from glassnet import habits


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


# the autograd tutorial's one-layer network, with fixed values in place of torch.randn
W0 = np.linspace(-1.0, 1.0, 15).reshape(5, 3)
B0 = np.array([0.5, 0.0, -0.5])


def _autograd_tutorial(torch, F):  # type: ignore[no-untyped-def]
    """The tutorial's code, for torch or glassnet (``torch`` the module, ``F`` its functional)."""
    x = torch.ones(5, dtype=torch.float64)  # input tensor
    y = torch.zeros(3, dtype=torch.float64)  # expected output
    w = torch.tensor(W0, requires_grad=True)
    b = torch.tensor(B0, requires_grad=True)
    z = torch.matmul(x, w) + b
    loss = F.binary_cross_entropy_with_logits(z, y)
    names = (z.grad_fn.name(), loss.grad_fn.name())
    shown = (
        f"Gradient function for z = {z.grad_fn}",
        f"Gradient function for loss = {loss.grad_fn}",
    )
    loss.backward()
    leaves = (w.grad_fn, b.grad_fn, x.grad_fn)
    with torch.no_grad():
        z2 = torch.matmul(x, w) + b
    return names, shown, leaves, z2.grad_fn, z.detach().grad_fn, loss.item(), w.grad, b.grad


# ------------------------------------------------------------------ grad_fn
def test_grad_fn_of_the_autograd_tutorial() -> None:
    # (z.grad_fn was an AttributeError: the tutorial's first print after building a graph)
    names, shown, leaves, no_grad_fn, detached_fn, loss, w_grad, b_grad = _autograd_tutorial(gn, F)
    assert names == ("AddBackward0", "BinaryCrossEntropyWithLogitsBackward0")
    assert shown[0].startswith("Gradient function for z = <AddBackward0 object at 0x")
    assert shown[1].startswith(
        "Gradient function for loss = <BinaryCrossEntropyWithLogitsBackward0 object at 0x"
    )
    assert leaves == (None, None, None)  # leaves have no grad_fn, as in PyTorch
    assert no_grad_fn is None and detached_fn is None
    z = np.ones(5) @ W0 + B0
    expected = np.mean(np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z))))  # target 0
    assert loss == pytest.approx(expected, rel=1e-12)
    dz = _sigmoid(z) / 3
    np.testing.assert_allclose(w_grad, np.outer(np.ones(5), dz), rtol=1e-12)
    np.testing.assert_allclose(b_grad, dz, rtol=1e-12)


def test_grad_fn_against_torch() -> None:
    torch = pytest.importorskip("torch")
    got = _autograd_tutorial(gn, F)
    want = _autograd_tutorial(torch, torch.nn.functional)
    assert got[0] == want[0]
    assert got[2] == want[2] == (None, None, None)
    assert got[3] is None and want[3] is None and got[4] is None and want[4] is None
    assert got[5] == pytest.approx(want[5], rel=1e-12)
    np.testing.assert_allclose(got[6], want[6].numpy(), rtol=1e-12)
    np.testing.assert_allclose(got[7], want[7].numpy(), rtol=1e-12)
    # the blitz's loss.grad_fn (MSELoss) and a product's node have PyTorch's names too
    for lib, mse in ((gn, gn.nn.MSELoss()), (torch, torch.nn.MSELoss())):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        assert mse(a * 2, lib.tensor([0.0, 1.0])).grad_fn.name() == "MseLossBackward0"
        assert (a * 2).grad_fn.name() == "MulBackward0"
        assert (a * 2).sum().grad_fn.name() == "SumBackward0"


def test_grad_fn_next_functions_walk_the_graph() -> None:
    w = gn.tensor([1.0, 2.0], requires_grad=True)
    c = gn.tensor([3.0, 4.0])  # requires no grad
    z = w * c
    loss = z.sum()
    ((node, k),) = loss.grad_fn.next_functions
    assert k == 0 and node == z.grad_fn and node.name() == "MulBackward0"
    (acc, _), (none, _) = node.next_functions
    assert acc.variable is w and acc.name() == "torch::autograd::AccumulateGrad"
    assert repr(acc).startswith("<AccumulateGrad object at 0x") and acc.next_functions == ()
    assert none is None
    assert (c * 2).grad_fn is None  # no input requires grad: no node, as in PyTorch


# ------------------------------------------------------------------ out= (the Tensors tutorial)
def _arithmetic(torch):  # type: ignore[no-untyped-def]
    """The tensors tutorial's "Arithmetic operations", for torch or glassnet."""
    tensor = torch.ones(4, 4, dtype=torch.float64)
    tensor[:, 1] = 0
    y1 = tensor @ tensor.T
    y2 = tensor.matmul(tensor.T)
    y3 = torch.rand_like(y1)
    r3 = torch.matmul(tensor, tensor.T, out=y3)
    z1 = tensor * tensor
    z2 = tensor.mul(tensor)
    total = torch.zeros(4, dtype=torch.float64)
    r4 = torch.sum(z1, 1, out=total)
    return (y1, y2, y3, z1, z2), r3 is y3 and r4 is total, (total,)


def test_out_keyword_of_the_tensors_tutorial() -> None:
    # (gn.matmul(a, b, out=y3) was a TypeError: "unexpected keyword argument 'out'")
    values, same, extra = _arithmetic(gn)
    ones = np.ones((4, 4))
    ones[:, 1] = 0
    for v in values[:3]:
        np.testing.assert_array_equal(v.data, ones @ ones.T)
    for v in values[3:]:
        np.testing.assert_array_equal(v.data, ones * ones)
    assert same  # out= returns the tensor it wrote into
    np.testing.assert_array_equal(extra[0].data, [3.0, 3.0, 3.0, 3.0])


def test_out_keyword_against_torch() -> None:
    torch = pytest.importorskip("torch")
    got, got_same, got_extra = _arithmetic(gn)
    want, want_same, want_extra = _arithmetic(torch)
    assert got_same and want_same
    for g, w in zip(got + got_extra, want + want_extra):
        np.testing.assert_array_equal(g.data, w.numpy())
    # out= with an input that requires grad: refused by both, naming the cause
    for lib in (gn, torch):
        a = lib.ones(2, 2, requires_grad=True)
        with pytest.raises(RuntimeError, match="out=... arguments don't support automatic"):
            lib.matmul(a, a, out=lib.zeros(2, 2))


def test_out_keyword_refusals_say_what_to_do() -> None:
    a = gn.ones(2, 2, requires_grad=True)
    with pytest.raises(RuntimeError, match="out = gn.matmul"):
        gn.matmul(a, a, out=gn.zeros(2, 2))
    with gn.no_grad():  # (inside no_grad it writes, as PyTorch's)
        out = gn.zeros(2, 2)
        assert gn.matmul(a, a, out=out) is out
    np.testing.assert_array_equal(out.data, np.full((2, 2), 2.0))
    assert out.requires_grad is False and out.is_leaf
    with pytest.raises(ValueError, match=r"out has shape \(3,\) and the result shape \(2, 2\)"):
        gn.matmul(gn.ones(2, 2), gn.ones(2, 2), out=gn.zeros(3))
    with pytest.raises(TypeError, match="out must be a Tensor"):
        gn.matmul(gn.ones(2, 2), gn.ones(2, 2), out=np.zeros((2, 2)))
    with pytest.raises(TypeError, match="the result of argmax is Array"):
        gn.argmax(gn.ones(2, 2), 1, out=gn.zeros(2))
    # sum's out= was refused as NumPy's np.sum(tensor, out=); now PyTorch's torch.sum(x, out=)
    total = gn.zeros(())
    gn.sum(gn.ones(2, 3), out=total)
    assert total.item() == 6.0


# ------------------------------------------------------------------ scatter_ (Transforms)
def test_scatter_one_hot_target_transform() -> None:
    # the Transforms tutorial's target_transform, as written (was an AttributeError)
    def target_transform(y):  # type: ignore[no-untyped-def]
        return gn.zeros(10, dtype=gn.float).scatter_(0, gn.tensor(y), value=1)

    for y in (0, 3, 9):
        out = target_transform(y)
        assert out.dtype == np.float32
        np.testing.assert_array_equal(out.data, np.eye(10)[y])


def _scatter_cases():  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)
    x0, up = rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    for dim, index in (
        (0, np.array([[0, 1, 2, 0], [2, 0, 1, 1]])),
        (1, np.array([[0, 4, 2], [1, 3, 0]])),
    ):
        yield dim, index, x0, rng.standard_normal(index.shape), up


def _scatter_numpy(dim, index, x0, s0, up):  # type: ignore[no-untyped-def]
    """scatter's value and gradients, written out position by position."""
    out, gx, gs = x0.copy(), up.copy(), np.zeros_like(s0)
    for i, j in np.ndindex(*index.shape):
        at = (index[i, j], j) if dim == 0 else (i, index[i, j])
        out[at] = s0[i, j]
        gx[at] = 0.0
        gs[i, j] = up[at]
    return out, gx, gs


def test_scatter_values_and_gradients() -> None:
    for dim, index, x0, s0, up in _scatter_cases():
        x = gn.tensor(x0, requires_grad=True)
        s = gn.tensor(s0, requires_grad=True)
        out = x.scatter(dim, index, s)
        assert out.grad_fn.name() == "ScatterBackward0"
        out.backward(up)
        want = _scatter_numpy(dim, index, x0, s0, up)
        np.testing.assert_array_equal(out.data, want[0])
        np.testing.assert_array_equal(x.grad, want[1])
        np.testing.assert_array_equal(s.grad, want[2])
        # in place, with a value or a larger src (its first index.shape part is written)
        y = gn.tensor(x0).scatter_(dim, index, 2.5)
        np.testing.assert_array_equal(
            y.data, _scatter_numpy(dim, index, x0, np.full(index.shape, 2.5), up)[0]
        )
        big = np.arange(18.0).reshape(3, 6)
        y = gn.tensor(x0).scatter_(dim, index, gn.tensor(big))
        np.testing.assert_array_equal(
            y.data, _scatter_numpy(dim, index, x0, big[: index.shape[0], : index.shape[1]], up)[0]
        )


def test_scatter_against_torch() -> None:
    torch = pytest.importorskip("torch")
    for dim, index, x0, s0, up in _scatter_cases():
        xt, st = torch.tensor(x0, requires_grad=True), torch.tensor(s0, requires_grad=True)
        ot = xt.scatter(dim, torch.tensor(index), st)
        ot.backward(torch.tensor(up))
        x, s = gn.tensor(x0, requires_grad=True), gn.tensor(s0, requires_grad=True)
        out = gn.scatter(x, dim, index, s)
        out.backward(up)
        assert out.grad_fn.name() == ot.grad_fn.name()
        np.testing.assert_array_equal(out.data, ot.detach().numpy())
        np.testing.assert_array_equal(x.grad, xt.grad.numpy())
        np.testing.assert_array_equal(s.grad, st.grad.numpy())
        np.testing.assert_array_equal(
            gn.tensor(x0).scatter_(dim, index, value=-1.0).data,
            torch.tensor(x0).scatter_(dim, torch.tensor(index), value=-1.0).numpy(),
        )
    for y in (0, 3, 9):
        np.testing.assert_array_equal(
            gn.zeros(10, dtype=gn.float).scatter_(0, gn.tensor(y), value=1).data,
            torch.zeros(10, dtype=torch.float).scatter_(0, torch.tensor(y), value=1).numpy(),
        )


def test_scatter_refusals_name_the_argument() -> None:
    x = gn.zeros(3, 4)
    with pytest.raises(IndexError, match=r"scatter_: index 3 is out of range for dim 0"):
        x.scatter_(0, np.array([[3]]), value=1.0)
    with pytest.raises(IndexError, match="whole numbers"):
        x.scatter_(0, gn.tensor([[0.5]]), value=1.0)
    with pytest.raises(ValueError, match="scatter_: index must have as many axes as x"):
        x.scatter_(0, np.array([0]), value=1.0)
    with pytest.raises(TypeError, match="not both"):
        x.scatter_(0, np.array([[0]]), gn.ones(1, 1), value=1.0)
    with pytest.raises(TypeError, match="reduce= is not supported"):
        x.scatter_(0, np.array([[0]]), value=1.0, reduce="add")
    with pytest.raises(ValueError, match="src of shape"):
        x.scatter_(0, np.array([[0, 1]]), gn.ones(1, 1))
    w = gn.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="no_grad"):
        w.scatter_(0, np.array([0]), value=1.0)  # a leaf that requires grad, as for w += 1
    np.testing.assert_array_equal(x.data, np.zeros((3, 4)))  # nothing written by a refusal


# ------------------------------------------------------------------ torch.mul and kin
def _operators(torch):  # type: ignore[no-untyped-def]
    """The tensors tutorial's torch.mul(tensor, tensor, out=z3), and the other operators'
    function forms, for torch or glassnet."""
    tensor = torch.ones(4, 4, dtype=torch.float64)
    tensor[:, 1] = 0
    z3 = torch.rand_like(tensor)
    same = torch.mul(tensor, tensor, out=z3) is z3
    a = torch.tensor([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]], dtype=torch.float64)
    done = (torch.add(a, 1), torch.sub(a, a), torch.div(a, 2), torch.neg(a), torch.t(a))
    return same, z3, done, torch.add(a, a, alpha=2), torch.clone(a)


def test_operator_function_forms() -> None:
    # (gn.mul, gn.add, gn.sub, gn.div, gn.neg, gn.t were AttributeErrors)
    same, z3, done, scaled, copy = _operators(gn)
    ones = np.ones((4, 4))
    ones[:, 1] = 0
    assert same
    np.testing.assert_array_equal(z3.data, ones)
    a = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])
    for got, want in zip(done, (a + 1, a - a, a / 2, -a, a.T)):
        np.testing.assert_array_equal(got.data, want)
    np.testing.assert_array_equal(scaled.data, 3 * a)
    np.testing.assert_array_equal(copy.data, a)


def test_operator_function_forms_against_torch() -> None:
    torch = pytest.importorskip("torch")
    got, want = _operators(gn), _operators(torch)
    assert got[0] and want[0]
    np.testing.assert_array_equal(got[1].data, want[1].numpy())
    for g, w in zip((*got[2], got[3], got[4]), (*want[2], want[3], want[4])):
        np.testing.assert_array_equal(g.data, w.numpy())


# ------------------------------------------------------------------ integer dtypes
@pytest.mark.parametrize(
    ("make", "owner", "fix"),
    [
        (lambda: gn.zeros(2, dtype=gn.long), "zeros", "np.zeros(size, dtype=np.int64)"),
        (lambda: gn.tensor([1, 2], dtype=gn.long), "tensor", "np.asarray(data, dtype=np.int64)"),
        (lambda: gn.ones(2, dtype="int32"), "ones", "np.ones(size, dtype=np.int32)"),
        (lambda: gn.arange(5, dtype=gn.long), "arange", "np.arange(start, end, dtype=np.int64)"),
        (lambda: gn.rand(2, dtype=gn.long), "rand", "gn.randint(low, high, size)"),
    ],
)
def test_an_integer_dtype_says_tensors_hold_floats_and_what_to_do(make, owner, fix) -> None:  # type: ignore[no-untyped-def]
    # (was "The 'dtype' parameter of zeros must be float32 or float64. Got <class
    # 'numpy.int64'>.", which said neither why nor what to write instead)
    with pytest.raises(gn.factories.ParameterError) as info:
        make()
    message = str(info.value)
    assert message.startswith(f"{owner}: dtype=")
    assert "Tensors hold float32 or float64 only" in message and fix in message
    with pytest.raises(
        gn.factories.ParameterError, match="must be float32 or float64. Got 'float16'"
    ):
        gn.zeros(2, dtype="float16")  # (a float dtype of another width: the message as before)


# ------------------------------------------------------------------ torch.accelerator
def _device_line(torch):  # type: ignore[no-untyped-def]
    """The first line of the tutorials' "Build the Neural Network" (and the Tensors tutorial's
    move to the accelerator), with ``torch.accelerator`` given as ``torch``."""
    return torch.current_accelerator().type if torch.is_available() else "cpu"


def test_accelerator_of_the_tutorials_without_a_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    # (glassnet had no torch.accelerator: the tutorials' first line was an AttributeError)
    monkeypatch.setattr(habits._Cuda, "device_count", staticmethod(lambda: 0))
    acc = habits.accelerator
    assert acc.is_available() is False and acc.current_accelerator() is None
    assert acc.device_count() == 0
    device = _device_line(acc)
    assert device == "cpu"
    model = gn.nn.Sequential(gn.nn.Linear(3, 2)).to(device)  # the tutorial's next line
    assert model(gn.rand(1, 3, device=device)).shape == (1, 2)
    with pytest.raises(AttributeError, match="glassnet.accelerator has no memory_stats"):
        acc.memory_stats()


def test_accelerator_with_a_gpu_names_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(habits._Cuda, "device_count", staticmethod(lambda: 1))
    acc = habits.accelerator
    assert acc.is_available() is True and acc.device_count() == 1
    assert acc.current_accelerator() == gn.device("cuda")
    assert acc.current_accelerator(check_available=True).type == "cuda"
    assert _device_line(acc) == "cuda"
    with pytest.raises(TypeError, match="check_available"):
        acc.current_accelerator(check_available="yes")


def test_accelerator_against_torch() -> None:
    torch = pytest.importorskip("torch")
    line = _device_line(habits.accelerator)
    assert line == ("cuda" if habits.cuda.is_available() else "cpu")
    if not torch.accelerator.is_available() and not habits.cuda.is_available():  # (as here)
        assert _device_line(torch.accelerator) == line == "cpu"
        assert habits.accelerator.current_accelerator() is None
        assert torch.accelerator.current_accelerator(check_available=True) is None


# ------------------------------------------------------------------ torch.max(outputs, 1)
X_TIES = np.array([[1.0, 5.0, 5.0, 0.0], [7.0, 2.0, 7.0, 7.0], [3.0, 3.0, 3.0, 3.0]])


def _classifier_accuracy(max_fn, outputs, labels):  # type: ignore[no-untyped-def]
    """The blitz's "Training a classifier" accuracy, ``max_fn`` as ``torch.max``."""
    correct, total = 0, 0
    _, predicted = max_fn(outputs, 1)
    total += labels.size(0)
    correct += (predicted == labels).sum().item()
    return predicted, 100 * correct // total


def test_torch_max_of_the_classifier_tutorial() -> None:
    # (gn.max did not exist; x.max(1) is refused, as NumPy reads max(axis) as values only)
    outputs = gn.tensor([[0.1, 2.0, -1.0], [3.0, 0.0, 1.0], [0.5, 0.2, 0.9], [1.0, 1.0, 0.0]])
    labels = gn.utils.data.DataLoader(
        gn.utils.data.TensorDataset(np.zeros((4, 1)), np.array([1, 0, 0, 0])), batch_size=4
    )
    _, y = next(iter(labels))
    predicted, accuracy = _classifier_accuracy(habits.torch_max, outputs, y)
    np.testing.assert_array_equal(predicted, [1, 0, 2, 0])  # the first of ties, as PyTorch's
    assert predicted.dtype == np.int64 and accuracy == 75
    _, predicted = habits.torch_max(outputs.data, 1)  # (torch.max(outputs.data, 1))
    np.testing.assert_array_equal(predicted, [1, 0, 2, 0])


def _max_numpy(x0, dim, op):  # type: ignore[no-untyped-def]
    """values, indices and d(sum of values)/dx, the gradient going to the first of ties."""
    index = np.argmax(x0, dim) if op == "max" else np.argmin(x0, dim)
    values = np.take_along_axis(x0, np.expand_dims(index, dim), dim).squeeze(dim)
    grad = np.zeros_like(x0)
    np.put_along_axis(grad, np.expand_dims(index, dim), 1.0, dim)
    return values, index, grad


def test_torch_max_values_indices_and_gradient() -> None:
    for op, fn in (("max", habits.torch_max), ("min", habits.torch_min)):
        for dim in (0, 1, -1):
            x = gn.tensor(X_TIES, requires_grad=True)
            out = fn(x, dim)
            assert type(out).__name__ == op and out._fields == ("values", "indices")
            out.values.sum().backward()
            values, index, grad = _max_numpy(X_TIES, dim, op)
            np.testing.assert_array_equal(out.values.data, values)
            np.testing.assert_array_equal(out.indices, index)
            np.testing.assert_array_equal(x.grad, grad)  # the index returned takes it all
            kept = fn(gn.tensor(X_TIES), dim, keepdim=True)
            assert kept.values.shape == kept.indices.shape == np.expand_dims(values, dim).shape
        assert fn(gn.tensor(X_TIES)).item() == getattr(X_TIES, op)()
        pair = fn(gn.tensor(X_TIES), gn.full((3, 4), 3.0))  # torch.max(input, other)
        np.testing.assert_array_equal(pair.data, getattr(np, f"{op}imum")(X_TIES, 3.0))
    with pytest.raises(TypeError, match="not both"):
        habits.torch_max(gn.tensor(X_TIES), 1, other=gn.ones(3, 4))
    with pytest.raises(TypeError, match="takes no keepdim"):
        habits.torch_max(gn.tensor(X_TIES), keepdim=True)
    with pytest.raises(TypeError, match="dim must be one int"):
        habits.torch_max(gn.tensor(X_TIES), (0, 1))
    with pytest.raises(TypeError, match=r"max\(x, y\): elementwise"):
        habits.torch_max(gn.tensor(X_TIES), 2.0)
    # elementwise, broadcast: the gradient to the larger, halved at ties (as gn.maximum)
    a = gn.tensor([[1.0, 5.0, 2.0]], requires_grad=True)
    b = gn.tensor([[3.0], [5.0]], requires_grad=True)
    m = habits.torch_max(a, b)
    m.sum().backward()
    np.testing.assert_array_equal(m.data, [[3.0, 5.0, 3.0], [5.0, 5.0, 5.0]])
    np.testing.assert_array_equal(a.grad, [[0.0, 1.5, 0.0]])
    np.testing.assert_array_equal(b.grad, [[2.0], [2.5]])


def test_torch_max_against_torch() -> None:
    torch = pytest.importorskip("torch")
    for op, fn in (("max", habits.torch_max), ("min", habits.torch_min)):
        for dim, keep in ((0, False), (1, False), (-1, True)):
            xt, xg = torch.tensor(X_TIES, requires_grad=True), gn.tensor(X_TIES, requires_grad=True)
            want, got = getattr(torch, op)(xt, dim, keepdim=keep), fn(xg, dim, keepdim=keep)
            want.values.sum().backward()
            got.values.sum().backward()
            np.testing.assert_array_equal(got.values.data, want.values.detach().numpy())
            np.testing.assert_array_equal(got.indices, want.indices.numpy())
            np.testing.assert_array_equal(xg.grad, xt.grad.numpy())
        for args in ((), (torch.full((3, 4), 3.0, dtype=torch.float64),)):
            xt, xg = torch.tensor(X_TIES, requires_grad=True), gn.tensor(X_TIES, requires_grad=True)
            getattr(torch, op)(xt, *args).sum().backward()
            fn(xg, *(gn.tensor(a.numpy()) for a in args)).sum().backward()
            np.testing.assert_array_equal(xg.grad, xt.grad.numpy())
    outputs = np.array([[0.1, 2.0, -1.0], [3.0, 0.0, 1.0], [0.5, 0.2, 0.9], [1.0, 1.0, 0.0]])
    labels = gn.utils.data.DataLoader(
        gn.utils.data.TensorDataset(np.zeros((4, 1)), np.array([1, 0, 0, 0])), batch_size=4
    )
    got = _classifier_accuracy(habits.torch_max, gn.tensor(outputs), next(iter(labels))[1])
    want = _classifier_accuracy(torch.max, torch.tensor(outputs), torch.tensor([1, 0, 0, 0]))
    np.testing.assert_array_equal(got[0], want[0].numpy())
    assert got[1] == want[1]


# ------------------------------------------------------------------ torch.empty
def test_empty_is_zeros_of_its_size() -> None:
    # (PyTorch's values are its memory's; glassnet's are zeros, never stale memory)
    from glassnet.factories import empty, empty_like

    for t, shape in ((empty(2, 3), (2, 3)), (empty((4,)), (4,)), (empty(size=(1, 2)), (1, 2))):
        assert t.shape == shape and t.dtype == np.float32
        np.testing.assert_array_equal(t.data, np.zeros(shape))
    like = empty_like(gn.ones(3, dtype=gn.float64), requires_grad=True)
    assert like.dtype == np.float64 and like.requires_grad and like.shape == (3,)
    np.testing.assert_array_equal(like.data, np.zeros(3))
    with pytest.raises(gn.factories.ParameterError, match="np.zeros"):
        empty(2, dtype=gn.long)


def test_empty_against_torch() -> None:
    torch = pytest.importorskip("torch")
    from glassnet.factories import empty, empty_like

    for args in ((2, 3), ((4,),)):
        assert empty(*args).shape == tuple(torch.empty(*args).shape)
        assert empty(*args).dtype == np.float32 and torch.empty(*args).dtype == torch.float32
    x = np.ones((2, 5))
    assert empty_like(gn.tensor(x)).shape == tuple(torch.empty_like(torch.tensor(x)).shape)
    assert empty_like(gn.tensor(x)).dtype == np.float64


def test_top_level_names_the_tutorials_use():
    # the helpers existed in glassnet.habits / factories but not as gn.<name>
    import glassnet as gn

    x = gn.tensor([[1.0, 5.0], [7.0, 2.0]])
    values, indices = gn.max(x, 1)  # _, predicted = torch.max(outputs, 1)
    np.testing.assert_array_equal(values.data, [5.0, 7.0])
    np.testing.assert_array_equal(indices, [1, 0])
    assert float(gn.min(x)) == 1.0
    assert gn.empty(2, 3).shape == (2, 3) and gn.empty_like(x).shape == (2, 2)
    assert gn.accelerator.is_available() in (True, False)
    assert max([1, 2]) == 2  # (a star import does not shadow Python's max)
    ns: dict = {}
    exec("from glassnet import *", ns)
    assert "max" not in ns and "min" not in ns


def test_linear_takes_pytorchs_keyword_names_and_device():
    import glassnet as gn

    a = gn.nn.Linear(in_features=4, out_features=2, rng=0)
    b = gn.nn.Linear(4, 2, rng=0, device="cpu")
    assert (a.inputs, a.neurons) == (4, 2)
    np.testing.assert_array_equal(a.W.data, b.W.data)
    with pytest.raises(TypeError, match=r"give inputs or in_features .* both given"):
        gn.nn.Linear(4, 2, in_features=4)
    with pytest.raises(TypeError, match=r"give neurons or out_features .* neither given"):
        gn.nn.Linear(4)


def test_integer_dtype_advice_fits_the_factory_and_linear_names_the_keyword_given():
    import glassnet as gn

    with pytest.raises(ValueError, match=r"np\.linspace\(start, end, steps\)\.astype\(np\.int64\)"):
        gn.linspace(0, 10, 5, dtype=gn.long)  # (it advised gn.randint as "NumPy")
    with pytest.raises(ValueError, match=r"The 'in_features' parameter of Linear must be an int"):
        gn.nn.Linear(in_features=3.5, out_features=2)  # (it named 'inputs', not given)
    with pytest.raises(ValueError, match=r"The 'inputs' parameter of Linear must be an int"):
        gn.nn.Linear(3.5, 2)


def test_scatter_gives_no_gradient_to_an_overwritten_value():
    # with a repeated index the value written first is overwritten: it changes nothing, and
    # its gradient was g all the same (finite differences: 0)
    import glassnet as gn

    A = np.array([[0.5, -1.0, 2.0]])
    S = np.array([[1.0, 2.0, 3.0]])
    index = np.array([[1, 1, 0]])
    s = gn.tensor(S, dtype=gn.float64, requires_grad=True)
    out = gn.tensor(A, dtype=gn.float64).scatter(1, index, s)
    np.testing.assert_array_equal(out.data, [[3.0, 2.0, 2.0]])  # (the last of the repeats)
    (out**2).sum().backward()

    def f(v):
        return float((gn.tensor(A, dtype=gn.float64).scatter(1, index, gn.tensor(v)) ** 2).sum())

    fd = [(f(S + e) - f(S - e)) / 2e-6 for e in np.eye(3)[:, None, :] * 1e-6]
    np.testing.assert_allclose(s.grad, [fd], atol=1e-6)
    assert s.grad[0, 0] == 0.0


def test_grad_fn_lists_a_number_operand_as_none():
    import glassnet as gn

    x = gn.tensor([1.0, 2.0], requires_grad=True)
    for y in (x * 2, x + 1, x - 1, x / 2):
        nodes = y.grad_fn.next_functions
        assert len(nodes) == 2 and nodes[1] == (None, 0)
        assert nodes[0][0].name() == "torch::autograd::AccumulateGrad"
    assert len((x**2).grad_fn.next_functions) == 1  # (pow's exponent: none, as PyTorch's)


def test_out_that_requires_grad_is_refused_as_pytorch_and_max_takes_out():
    import glassnet as gn

    a, o = gn.tensor([1.0, 3.0]), gn.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"add\(\): functions with out=\.\.\. arguments"):
        gn.add(a, a, out=o)  # (it fell through to copy_'s advice about gn.where)
    out = gn.zeros(())
    assert gn.max(a, out=out) is out and float(out) == 3.0
    with pytest.raises(TypeError, match="leave out= out"):
        gn.max(gn.tensor([[1.0, 3.0]]), 1, out=gn.zeros(1))  # (values and indices: two)


def test_div_rounding_mode_as_pytorch():
    import glassnet as gn

    x = gn.tensor([7.0, -7.0, 6.5], requires_grad=True)
    floor, trunc = gn.div(x, 2, rounding_mode="floor"), x.div(2, rounding_mode="trunc")
    np.testing.assert_array_equal(floor.data, [3.0, -4.0, 3.0])
    np.testing.assert_array_equal(trunc.data, [3.0, -3.0, 3.0])
    (floor.sum() + trunc.sum()).backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0])  # (PyTorch's: 0)
    with pytest.raises(ValueError, match="rounding_mode must be None, 'trunc' or 'floor'"):
        gn.div(x, 2, rounding_mode="round")
    with pytest.raises(ValueError, match="rounding_mode must be"):
        x.mul(2, rounding_mode="floor")


def test_div_rounding_mode_rounds_the_exact_quotient_with_gradient_zero():
    # floor(1 / 0.1) is 10 where PyTorch's floor division gives 9; and the gradient went
    # through the division's (NaN at a zero divisor)
    import glassnet as gn

    a = gn.tensor([1.0, 7.0, 1.0, -0.0], dtype=gn.float64, requires_grad=True)
    b = gn.tensor([0.1, -0.7, 0.0, 2.0], dtype=gn.float64, requires_grad=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        floor, trunc = gn.div(a, b, rounding_mode="floor"), gn.div(a, b, rounding_mode="trunc")
        np.testing.assert_array_equal(floor.data, np.floor_divide(a.data, b.data))
        np.testing.assert_array_equal(trunc.data, np.trunc(a.data / b.data))
    assert floor.data[0] == 9.0 and floor.data[1] == -11.0 and np.signbit(trunc.data[3])
    (floor.sum() + trunc.sum()).backward()
    np.testing.assert_array_equal(a.grad, 0.0)
    np.testing.assert_array_equal(b.grad, 0.0)


def test_max_out_checks_a_positional_other_and_names_the_dim_form():
    import glassnet as gn

    a, b = gn.tensor([1.0, 3.0]), gn.tensor([2.0, 0.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"max\(\): functions with out=\.\.\. arguments"):
        gn.max(a, b, out=gn.zeros(2))  # (b came as dim and went unchecked)
    with pytest.raises(TypeError, match=r"max\(x, dim, out=\): this form returns \(values"):
        gn.max(gn.tensor([[1.0, 5.0]]), 1, out=(gn.zeros(1), np.zeros(1, np.int64)))


def test_fit_refuses_a_subclass_of_a_closure_optimizer():
    import glassnet as gn

    class MyLBFGS(gn.optim.LBFGS):
        pass

    X = np.random.default_rng(0).normal(size=(16, 2))
    m = gn.nn.Linear(2, 1)
    with pytest.raises(ValueError, match="steps with a closure"):
        gn.fit(m, X, X[:, :1], loss="mse", epochs=1, optimizer=MyLBFGS(m.parameters()))


def test_learn_the_basics_loop_agrees_with_torch():
    """ "Learn the Basics"' optimization loop (a Flatten and a Linear-ReLU stack, SGD,
    CrossEntropyLoss, batches of 64, zero_grad after step), weights copied from torch's:
    every batch's loss and each epoch's accuracy as torch 2.13's (float32 rounding)."""
    torch = pytest.importorskip("torch")
    import glassnet as gn
    from glassnet import nn

    rng = np.random.default_rng(0)
    X = rng.random((256, 64)).astype(np.float32)
    Y = rng.integers(0, 10, 256)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 10)
            )

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x))

    torch.manual_seed(0)
    t = torch.nn.Sequential(
        torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 32), torch.nn.ReLU(),
        torch.nn.Linear(32, 10),
    )  # fmt: skip
    g = Net()
    ours = [m for m in g.linear_relu_stack if isinstance(m, nn.Linear)]
    theirs = [m for m in t if isinstance(m, torch.nn.Linear)]
    for a, b in zip(ours, theirs):
        a.W.data[...] = b.weight.detach().numpy().T
        a.b.data[...] = b.bias.detach().numpy()
    go, to = gn.optim.SGD(g.parameters(), lr=0.1), torch.optim.SGD(t.parameters(), lr=0.1)
    gf, tf = nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss()
    for _ in range(3):
        for i in range(0, 256, 64):
            xb, yb = X[i : i + 64], Y[i : i + 64]
            lg = gf(g(gn.tensor(xb)), yb)
            lg.backward()
            go.step()
            go.zero_grad()
            lt = tf(t(torch.tensor(xb)), torch.tensor(yb))
            lt.backward()
            to.step()
            to.zero_grad()
            assert abs(lg.item() - lt.item()) < 1e-5  # (float32 sums in another order: ~1e-7)
        with gn.no_grad():
            ours_acc = float((g(gn.tensor(X)).argmax(1) == Y).astype(float).mean())
        with torch.no_grad():
            theirs_acc = (t(torch.tensor(X)).argmax(1) == torch.tensor(Y)).float().mean().item()
        assert ours_acc == theirs_acc


def test_learn_the_basics_loop_agrees_with_numpy():
    """The torch-free twin: the same loop's batch losses against the hand-written NumPy
    forward, cross-entropy and SGD step (float32, weights drawn here)."""
    import glassnet as gn
    from glassnet import nn

    rng = np.random.default_rng(1)
    X = rng.random((128, 16)).astype(np.float32)
    Y = rng.integers(0, 5, 128)
    Ws = [rng.normal(0, 0.3, s).astype(np.float32) for s in ((16, 12), (12, 12), (12, 5))]
    bs = [np.zeros(k, np.float32) for k in (12, 12, 5)]
    model = nn.Sequential(nn.Linear(16, 12), nn.ReLU(), nn.Linear(12, 12), nn.ReLU(),
                          nn.Linear(12, 5))  # fmt: skip
    for lin, W, b in zip([m for m in model if isinstance(m, nn.Linear)], Ws, bs):
        lin.W.data[...], lin.b.data[...] = W, b
    opt, loss_fn = gn.optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss()
    for _ in range(2):
        for i in range(0, 128, 32):
            xb, yb = X[i : i + 32], Y[i : i + 32]
            # NumPy: forward, cross-entropy, backward, step
            a, acts = xb, [xb]
            for k, (W, b) in enumerate(zip(Ws, bs)):
                a = a @ W + b
                a = np.maximum(a, 0) if k < 2 else a
                acts.append(a)
            z = a - a.max(1, keepdims=True)
            p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
            expect = float(-np.log(p[np.arange(32), yb]).mean())
            d = p.copy()
            d[np.arange(32), yb] -= 1
            d /= 32
            for k in (2, 1, 0):
                gW, gb = acts[k].T @ d, d.sum(0)
                d = (d @ Ws[k].T) * (acts[k] > 0) if k else None
                Ws[k] -= 0.1 * gW
                bs[k] -= 0.1 * gb
            loss = loss_fn(model(gn.tensor(xb)), yb)
            loss.backward()
            opt.step()
            opt.zero_grad()
            assert abs(loss.item() - expect) < 1e-5  # (float32 sums in another order)
    for lin, W in zip([m for m in model if isinstance(m, nn.Linear)], Ws):
        np.testing.assert_allclose(lin.W.data, W, rtol=1e-4, atol=1e-6)
