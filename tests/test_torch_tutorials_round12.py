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
from glassnet import habits


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
