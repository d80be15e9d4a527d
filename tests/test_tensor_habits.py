"""PyTorch habits on glassnet.Tensor: in-place updates, activation methods, dim/keepdim,
view/unsqueeze/squeeze/flatten.

Each snippet is written once and run on glassnet and, when torch is installed (the pinned
torch==2.13.0 CPU build; optional), on PyTorch with the same float64 starting values: the
numbers must agree to 1e-10. The glassnet half always runs, against a NumPy reference and
central finite differences (``tests/test_tensor.py`` covers the ops over random shapes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.tensor import Tensor

RNG = np.random.default_rng(7)
X = RNG.standard_normal((3, 4))  # the starting values every snippet receives
R = RNG.standard_normal((3, 4))  # a fixed upstream gradient for the backward pass


def np_softmax(a: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# name: (snippet written with what both libraries spell the same, NumPy reference)
SNIPPETS: dict[str, tuple[Callable[[Any], Any], Callable[[np.ndarray], np.ndarray]]] = {
    "relu": (lambda x: x.relu(), lambda a: np.maximum(a, 0.0)),
    "tanh": (lambda x: x.tanh(), np.tanh),
    "sigmoid": (lambda x: x.sigmoid(), lambda a: 1 / (1 + np.exp(-a))),
    "softmax(dim=1)": (lambda x: x.softmax(dim=1), lambda a: np_softmax(a, 1)),
    "softmax(0)": (lambda x: x.softmax(0), lambda a: np_softmax(a, 0)),
    "log_softmax(dim=-1)": (lambda x: x.log_softmax(dim=-1), lambda a: np.log(np_softmax(a, -1))),
    "exp": (lambda x: x.exp(), np.exp),
    "log": (lambda x: (x * x + 1.0).log(), lambda a: np.log(a * a + 1.0)),
    "sum(dim=1)": (lambda x: x.sum(dim=1), lambda a: a.sum(axis=1)),
    "sum(dim=(0, 1))": (lambda x: x.sum(dim=(0, 1)), lambda a: a.sum(axis=(0, 1))),
    "sum(0, True)": (lambda x: x.sum(0, True), lambda a: a.sum(axis=0, keepdims=True)),
    "mean(dim=0, keepdim=True)": (
        lambda x: x.mean(dim=0, keepdim=True),
        lambda a: a.mean(axis=0, keepdims=True),
    ),
    "mean(dim=[0, 1])": (lambda x: x.mean(dim=[0, 1]), lambda a: a.mean(axis=(0, 1))),
    "view(6, 2)": (lambda x: x.view(6, 2), lambda a: a.reshape(6, 2)),
    "view(-1)": (lambda x: x.view(-1), np.ravel),
    "unsqueeze(1)": (lambda x: x.unsqueeze(1), lambda a: a[:, None]),
    "unsqueeze(-1)": (lambda x: x.unsqueeze(-1), lambda a: a[..., None]),
    "unsqueeze(0).squeeze()": (lambda x: x.unsqueeze(0).squeeze(), lambda a: a),
    "view(3, 1, 4).squeeze(1)": (lambda x: x.view(3, 1, 4).squeeze(1), lambda a: a),
    "squeeze(0) keeps a long axis": (lambda x: x.squeeze(0), lambda a: a),
    "flatten()": (lambda x: x.flatten(), np.ravel),
    "view(3, 2, 2).flatten(1)": (lambda x: x.view(3, 2, 2).flatten(1), lambda a: a),
    "view(3, 2, 2).flatten(0, 1)": (
        lambda x: x.view(3, 2, 2).flatten(0, 1),
        lambda a: a.reshape(6, 2),
    ),
    "transpose(0, 1)": (lambda x: x.transpose(0, 1), lambda a: a.T),
    "view(3, 2, 2).transpose(0, 2)": (
        lambda x: x.view(3, 2, 2).transpose(0, 2),
        lambda a: a.reshape(3, 2, 2).swapaxes(0, 2),
    ),
    "view(3, 2, 2).transpose(-1, 1)": (
        lambda x: x.view(3, 2, 2).transpose(-1, 1),
        lambda a: a.reshape(3, 2, 2).swapaxes(2, 1),
    ),
    "relu chain": (
        lambda x: (x.tanh() * 2.0 - x.sigmoid()).relu().softmax(dim=1).sum(dim=0),
        lambda a: np_softmax(np.maximum(np.tanh(a) * 2 - 1 / (1 + np.exp(-a)), 0), 1).sum(0),
    ),
}


def _run(snippet: Callable, x: Any, make: Callable) -> tuple[np.ndarray, Any]:
    """Forward, then backward with the fixed upstream gradient R (reshaped to the output)."""
    out = snippet(x)
    r = make(R.reshape(-1)[: int(np.prod(out.shape))].reshape(tuple(out.shape)))
    (out * r).sum().backward()
    return np.asarray(out.detach().numpy()), x.grad


@pytest.mark.parametrize("name", SNIPPETS)
def test_snippet_matches_numpy_and_finite_differences(name: str):
    snippet, ref = SNIPPETS[name]
    out, grad = _run(snippet, Tensor(X, requires_grad=True), Tensor)
    np.testing.assert_allclose(out, ref(X), rtol=1e-12, atol=1e-12)
    assert grad.shape == X.shape
    assert gn.gradcheck(snippet, X).ok  # float64 central differences


@pytest.mark.parametrize("name", SNIPPETS)
def test_snippet_matches_pytorch(name: str):
    torch = pytest.importorskip("torch")  # optional reference (torch==2.13.0), not a dependency
    snippet, _ = SNIPPETS[name]
    out, grad = _run(snippet, Tensor(X, requires_grad=True), Tensor)
    out_t, grad_t = _run(snippet, torch.tensor(X, requires_grad=True), torch.tensor)
    np.testing.assert_allclose(out, out_t, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(grad, grad_t.numpy(), rtol=1e-10, atol=1e-10)


# --------------------------------------------------------------------------- in place
def _sgd(lib: Any, make: Callable, as_update: Callable, steps: int = 5, lr: float = 0.3):
    """A hand-written training loop as a PyTorch user writes it: y = tanh(x W + b)."""
    W = make(X.T[:, :2].copy(), requires_grad=True)  # (4, 2)
    b = make(np.array([0.1, -0.2]), requires_grad=True)
    inputs, targets = make(X), make(np.array([[0.5, -0.5], [0.2, 0.1], [-0.3, 0.4]]))
    for _ in range(steps):
        loss = (((inputs @ W + b).tanh() - targets) ** 2).mean()
        loss.backward()
        with lib.no_grad():
            W -= lr * as_update(W.grad)
            b -= lr * as_update(b.grad)
            W *= 0.99  # weight decay
            b += 0.01
            W /= 1.01
        W.grad = None
        b.grad = None
    return W, b


def _numpy_sgd(steps: int = 5, lr: float = 0.3) -> tuple[np.ndarray, np.ndarray]:
    """The same loop with the gradient worked out by hand."""
    W, b = X.T[:, :2].copy(), np.array([0.1, -0.2])
    targets = np.array([[0.5, -0.5], [0.2, 0.1], [-0.3, 0.4]])
    for _ in range(steps):
        a = np.tanh(X @ W + b)
        dz = 2 * (a - targets) / a.size * (1 - a * a)  # dL/dz of the mean squared error
        W, b = (W - lr * X.T @ dz) * 0.99 / 1.01, b - lr * dz.sum(axis=0) + 0.01
    return W, b


@pytest.mark.parametrize("as_update", [np.asarray, Tensor], ids=["grad_array", "grad_tensor"])
def test_in_place_updates_move_the_weights_in_their_own_memory(as_update: Callable):
    W, b = _sgd(gn, Tensor, as_update)
    W_ref, b_ref = _numpy_sgd()
    np.testing.assert_allclose(W.data, W_ref, rtol=1e-12)
    np.testing.assert_allclose(b.data, b_ref, rtol=1e-12)
    p = Tensor(np.ones(3), requires_grad=True)
    memory, same = p.data, p
    with gn.no_grad():
        p -= 0.5 * np.ones(3)
    assert p is same and p.data is memory  # updated where it is, not rebound
    np.testing.assert_array_equal(memory, [0.5, 0.5, 0.5])


def test_in_place_updates_match_pytorch():
    torch = pytest.importorskip("torch")  # optional reference (torch==2.13.0), not a dependency
    W, b = _sgd(gn, Tensor, np.asarray)
    W_t, b_t = _sgd(torch, torch.tensor, lambda g: g)
    np.testing.assert_allclose(W.data, W_t.detach().numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(b.data, b_t.detach().numpy(), rtol=1e-10, atol=1e-10)


def test_in_place_update_of_model_parameters_moves_the_model():
    model = nn.MLP([2, 3, 1], activation="tanh", rng=0, dtype=np.float64)
    X2 = np.array([[0.0, 1.0], [1.0, 0.0]])
    before = [p.data.copy() for p in model.parameters()]
    loss = gn.functional.mse(model(X2), np.ones((2, 1)))
    loss.backward()
    with gn.no_grad():
        for p in model.parameters():
            p -= 0.1 * p.grad
    for p, old in zip(model.parameters(), before):
        np.testing.assert_allclose(p.data, old - 0.1 * p.grad)
        assert not np.array_equal(p.data, old)


def test_in_place_on_a_parameter_outside_no_grad_raises_as_in_pytorch():
    p = nn.Parameter(np.ones(2))
    p.grad = np.ones(2)
    for update in (
        lambda: p.__isub__(0.1 * p.grad),
        lambda: p.__iadd__(1.0),
        lambda: p.__imul__(2.0),
        lambda: p.__itruediv__(2.0),
    ):
        with pytest.raises(RuntimeError, match=r"no_grad\(\).*p -= lr \* p.grad"):
            update()
    np.testing.assert_array_equal(p.data, [1.0, 1.0])  # nothing changed


def test_in_place_with_an_operand_that_requires_grad_raises_outside_no_grad():
    total = Tensor(0.0)
    loss = (Tensor([1.0, 2.0], requires_grad=True) ** 2).sum()
    with pytest.raises(RuntimeError, match=r"x = x \+ y"):
        total += loss  # would silently drop loss's gradient
    assert total.item() == 0.0
    with gn.no_grad():
        total += loss  # no graph is recorded here anyway
    assert total.item() == 5.0


def test_in_place_on_a_graph_node_raises():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 2.0
    with pytest.raises(RuntimeError, match=r"op 'mul'.*x = x \+ y"):
        y += 1.0
    with gn.no_grad(), pytest.raises(RuntimeError, match="op 'mul'"):
        y -= 1.0  # no_grad does not make it safe: the graph holds y's values
    np.testing.assert_array_equal(y.data, [2.0, 4.0])


def test_power_in_place_writes_the_tensor_as_the_other_operators():
    # without __ipow__, W **= 2 bound W to a new tensor: the model's parameter never changed
    w = Tensor([1.0, -3.0], requires_grad=True)
    same, memory = w, w.data
    with gn.no_grad():
        w **= 2
    assert w is same and w.data is memory
    np.testing.assert_array_equal(w.data, [1.0, 9.0])
    with pytest.raises(RuntimeError, match=r"outside no_grad.*x = x \*\* y"):
        w **= 2
    y = w * 2.0
    with pytest.raises(RuntimeError, match=r"op 'mul'.*x = x \*\* y"):
        y **= 2


def test_a_graph_that_used_the_old_values_refuses_backward():
    w = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([3.0, 4.0])  # a constant the graph holds as well
    loss = (w * c).sum()
    with gn.no_grad():
        w -= 1.0
    with pytest.raises(RuntimeError, match=r"op 'mul'.*changed in place"):
        loss.backward()
    loss = (w * c).sum()  # a new forward pass sees the new values: fine
    c += 1.0  # a tensor that requires no grad is updated outside no_grad too
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()
    (w * c).sum().backward()
    np.testing.assert_array_equal(w.grad, [4.0, 5.0])


def test_in_place_with_a_bad_operand_names_the_shapes():
    x = Tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"x \+= y on x of shape \(2, 3\)"):
        x += np.ones((4, 2, 3))  # would need a bigger x
    with pytest.raises(ValueError, match=r"x -= y"):
        x -= "a"
    with pytest.raises(TypeError, match="a = a @ b"):
        x @= np.eye(3)
    np.testing.assert_array_equal(x.data, np.zeros((2, 3)))


def test_in_place_keeps_the_dtype():
    x = Tensor(np.ones(2, dtype=np.float32))
    x -= np.array([0.1, 0.2])  # a float64 operand is rounded into the float32 array
    assert x.dtype == np.float32
    np.testing.assert_array_equal(x.data, np.float32(1.0) - np.array([0.1, 0.2], np.float32))


# --------------------------------------------------------------------------- bad input
def test_numpy_and_pytorch_names_of_one_argument_together_are_an_error():
    x = Tensor(X)
    with pytest.raises(TypeError, match="axis or dim"):
        x.sum(axis=0, dim=0)
    with pytest.raises(TypeError, match="keepdims or keepdim"):
        x.mean(keepdims=True, keepdim=True)
    with pytest.raises(TypeError, match="axis or dim"):
        x.softmax(1, dim=1)
    with pytest.raises(TypeError, match="axis or dim"):
        gn.functional.log_softmax(x, axis=0, dim=0)


@pytest.mark.parametrize(
    "call",
    [
        lambda x: x.unsqueeze(3),
        lambda x: x.unsqueeze(-4),
        lambda x: x.squeeze(2),
        lambda x: x.flatten(0, 5),
        lambda x: x.unsqueeze(1.0),
        lambda x: x.squeeze(True),
    ],
)
def test_a_dim_out_of_range_names_the_op_and_the_range(call: Callable):
    with pytest.raises(IndexError, match=r"dim must be an integer in \["):
        call(Tensor(X))


def test_squeeze_of_a_0d_tensor_takes_dim_0_and_errors_show_the_dim_given():
    # PyTorch: a 0-d tensor's dims are 0 and -1; a bad dim is shown as given (5, not np.int64(5))
    assert Tensor(2.0).squeeze(0).shape == ()
    assert Tensor(2.0).squeeze(-1).shape == ()
    assert Tensor(np.ones((1, 3, 1))).squeeze([0, 2]).shape == (3,)
    with pytest.raises(IndexError, match=r"in \[-2, 1\]\. Got 5\.$"):
        Tensor(X).squeeze(5)
    with pytest.raises(IndexError, match=r"in \[-2, 1\]\. Got 7\.$"):
        Tensor(X).squeeze((0, 7))


def test_a_loss_formats_and_converts_to_float_as_its_value():
    # print(f"loss {loss:.4f}"), PyTorch's habit, was "unsupported format string"
    loss = Tensor(0.123456, dtype=np.float64)
    assert f"{loss:.3f}" == "0.123" and f"{Tensor([[2.5]]):>6.1f}" == "   2.5"
    assert f"{loss}" == str(loss) == repr(loss)  # no format: the repr, as before
    with pytest.raises(TypeError, match=r"needs a tensor of one value.*shape \(3, 4\)"):
        f"{Tensor(X):.2f}"
    total = 0.0
    total += float(loss)  # float(loss) too, as in PyTorch (was a TypeError)
    assert total == loss.item() and float(Tensor([[2.5]])) == 2.5
    with pytest.raises(ValueError, match="one value"):
        float(Tensor(X))


def test_max_and_min_take_no_dim():
    # PyTorch's x.max(dim=1) returns (values, indices); glassnet's returns values only, so it
    # refuses the PyTorch spelling rather than unpack into something else
    with pytest.raises(TypeError, match="dim"):
        Tensor(X).max(dim=1)


# ----------------------------------------------------------- indexed writes: x[i] = y, x[i] -= y
def _indexed_updates(lib: Any, make: Callable, param: Callable) -> Any:
    """PyTorch's habits for writing part of a parameter under no_grad."""
    W = param(make(np.arange(12.0).reshape(3, 4)))
    with lib.no_grad():
        W[0] -= 1.0  # a view written in place, then written back
        W[:, 1] += make(np.array([1.0, 2.0, 3.0]))
        W[1] = 5.0
        W[[0, 2], [3, 3]] *= 2.0  # a copy (advanced index), written back
        W[2, :2] /= 4.0
    return W


def test_indexed_updates_under_no_grad_write_the_parameter():
    W = _indexed_updates(gn, np.asarray, nn.Parameter)
    ref = np.arange(12.0).reshape(3, 4)
    ref[0] -= 1.0
    ref[:, 1] += [1.0, 2.0, 3.0]
    ref[1] = 5.0
    ref[[0, 2], [3, 3]] *= 2.0
    ref[2, :2] /= 4.0
    np.testing.assert_array_equal(W.data, ref)
    assert isinstance(W, nn.Parameter) and W.requires_grad


def test_indexed_updates_match_pytorch():
    torch = pytest.importorskip("torch")  # optional reference (torch==2.13.0), not a dependency
    W = _indexed_updates(gn, np.asarray, nn.Parameter)
    W_t = _indexed_updates(torch, torch.tensor, torch.nn.Parameter)
    np.testing.assert_allclose(W.data, W_t.detach().numpy(), rtol=1e-10, atol=1e-10)


def test_a_refused_indexed_write_changes_nothing():
    W = nn.Parameter(np.zeros((2, 3)))
    with pytest.raises(RuntimeError, match=r"no_grad\(\)"):
        W[0] -= 1.0  # outside no_grad: refused before the write, as in PyTorch
    with pytest.raises(RuntimeError, match=r"no_grad\(\)"):
        W[0] = 1.0
    y = W * 2.0  # a graph node: its values are the graph's
    with gn.no_grad(), pytest.raises(RuntimeError, match="op 'mul'"):
        y[0] -= 1.0
    v = W.view(-1)  # a view recorded in the graph
    with gn.no_grad(), pytest.raises(RuntimeError, match="op 'reshape'"):
        v[0:2] -= 1.0  # refused at the first write, not after it
    with gn.no_grad(), pytest.raises(ValueError, match=r"x\[...\] = y on x of shape \(2, 3\)"):
        W[0] = np.ones(4)
    with gn.no_grad(), pytest.raises(IndexError):
        W[5] = 1.0
    np.testing.assert_array_equal(W.data, np.zeros((2, 3)))
    np.testing.assert_array_equal(y.data, np.zeros((2, 3)))


def test_indexed_write_of_a_tensor_no_graph_needs_works_outside_no_grad():
    x = Tensor(np.zeros(3))
    x[1] = 2.0
    x[x.data > 1] += 1.0
    np.testing.assert_array_equal(x.data, [0.0, 3.0, 0.0])
    W = nn.Parameter(np.zeros(2))
    d = W.detach()  # PyTorch's w.detach().zero_() habit: no graph records it, W changes
    d += 1.0
    d[0] = 5.0
    np.testing.assert_array_equal(W.data, [5.0, 1.0])


# ------------------------------------------- views share the version clock of what they view
VIEWS: dict[str, Callable[[Any], Any]] = {
    "view(-1)": lambda x: x.view(-1),
    "reshape(4, 1)": lambda x: x.reshape(4, 1),
    "unsqueeze(0)": lambda x: x.unsqueeze(0),
    "unsqueeze(0).squeeze(0)": lambda x: x.unsqueeze(0).squeeze(0),
    "flatten()": lambda x: x.flatten(),
    "T": lambda x: x.T,
    "transpose(0, 1)": lambda x: x.transpose(0, 1),
    "[0]": lambda x: x[0],
    "[:, 1:]": lambda x: x[:, 1:],
    "detach()": lambda x: x.detach(),
}


def _graph_then_write(lib: Any, make: Callable, param: Callable, view: Callable, via_view: bool):
    """w * (a view of x) in a graph; then x (or another view of it) changes in place."""
    x = make(np.array([[1.0, 2.0], [3.0, 4.0]]))
    used = view(x) if via_view else x
    w = param(make(np.ones(tuple(used.shape))))
    z = (w * used).sum()
    if via_view:
        x += 1.0  # the base changes: the graph used a view of it
    else:
        v = view(x)  # a view changes: the graph used its base
        with lib.no_grad():
            v *= 2.0
    z.backward()
    return w


@pytest.mark.parametrize("via_view", [True, False], ids=["graph-used-view", "view-written"])
@pytest.mark.parametrize("name", VIEWS)
def test_an_in_place_write_is_seen_through_views(name: str, via_view: bool):
    with pytest.raises(RuntimeError, match="changed in place"):
        _graph_then_write(gn, Tensor, nn.Parameter, VIEWS[name], via_view)


@pytest.mark.parametrize("via_view", [True, False], ids=["graph-used-view", "view-written"])
@pytest.mark.parametrize("name", VIEWS)
def test_an_in_place_write_is_seen_through_views_as_in_pytorch(name: str, via_view: bool):
    torch = pytest.importorskip("torch")  # optional reference (torch==2.13.0), not a dependency
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        _graph_then_write(torch, torch.tensor, torch.nn.Parameter, VIEWS[name], via_view)


def test_a_copy_is_not_a_view_and_keeps_its_gradient():
    x = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]))
    w = nn.Parameter(np.ones(2))
    z = (w * x[[1, 0], 0]).sum()  # advanced indexing copies, in NumPy and PyTorch alike
    x += 1.0
    z.backward()
    np.testing.assert_array_equal(w.grad, [3.0, 1.0])


# --------------------------------------------------------------------- flatten, .grad
def test_flatten_with_start_after_end_raises_as_in_pytorch():
    x = np.zeros((2, 3, 4))
    for start, end in ((2, 1), (-1, 0), (1, -3)):
        with pytest.raises(ValueError, match="start_dim cannot come after end_dim"):
            Tensor(x).flatten(start, end)
    torch = pytest.importorskip("torch")  # optional reference (torch==2.13.0), not a dependency
    for start, end in ((2, 1), (-1, 0), (1, -3)):
        with pytest.raises(RuntimeError, match="start_dim cannot come after end_dim"):
            torch.tensor(x).flatten(start, end)


def test_a_grad_of_the_wrong_shape_or_dtype_is_refused_at_assignment():
    w = nn.Parameter(np.zeros(3))
    with pytest.raises(ValueError, match=r"shape \(3,\) and dtype float64. Got shape \(2, 3\)"):
        w.grad = np.zeros((2, 3))
    with pytest.raises(ValueError, match="Got shape .3,., dtype float32"):
        w.grad = np.zeros(3, np.float32)
    with pytest.raises(TypeError, match="NumPy array or None. Got list"):
        w.grad = [0.0, 0.0, 0.0]
    assert w.grad is None  # nothing was kept
    w.grad = np.ones(3)
    (w * 2.0).sum().backward()
    np.testing.assert_array_equal(w.grad, [3.0, 3.0, 3.0])
    torch = pytest.importorskip("torch")  # optional reference (torch==2.13.0), not a dependency
    w_t = torch.nn.Parameter(torch.zeros(3, dtype=torch.float64))
    for bad in (torch.zeros(2, 3, dtype=torch.float64), torch.zeros(3, dtype=torch.float32)):
        with pytest.raises(RuntimeError, match="size|type"):  # torch names it
            w_t.grad = bad


SIZE_SHAPES = [(), (3,), (2, 3), (2, 0, 4), (1, 2, 3, 1)]


def _size_calls(x: Any, ndim: int) -> list[Any]:
    """x.size() and x.size(d) for every d in range and one past each end: the value, or
    the error's type and message."""
    out = []
    for call in (
        lambda: x.size(),
        lambda: x.size(None),
        *[lambda d=d: x.size(d) for d in range(-ndim - 1, ndim + 1)],
        lambda: x.size(dim=-1),
        lambda: x.size(np.int64(0)),
        lambda: x.size(True),
        lambda: x.size(1.0),
        lambda: x.size("0"),
    ):
        try:
            v = call()
            out.append(tuple(v) if isinstance(v, tuple) else (type(v).__name__, v))
        except (IndexError, TypeError) as e:
            out.append((type(e).__name__, str(e)))
    return out


@pytest.mark.parametrize("shape", SIZE_SHAPES)
def test_size_is_numpys_count_and_pytorchs_method(shape: tuple[int, ...]):
    # x.size(0) was "'int' object is not callable": x.size was NumPy's count only
    import copy
    import pickle

    x = Tensor(np.zeros(shape))
    n = int(np.prod(shape))
    assert x.size == n == x.numel() and isinstance(x.size, int)  # NumPy's, as before
    assert f"{x.size}" == str(n) and x.size + 1 == n + 1 and np.size(x) == n
    assert type(pickle.loads(pickle.dumps(x.size))) is int and copy.copy(x.size) == n
    assert x.size() == shape == x.shape and x.size(None) == shape
    for d in range(-len(shape), len(shape)):
        assert x.size(d) == shape[d] and type(x.size(d)) is int
    calls = _size_calls(x, len(shape))
    assert calls[-3:] == [
        ("TypeError", "size(): argument 'dim' (position 1) must be int, not bool"),
        ("TypeError", "size(): argument 'dim' (position 1) must be int, not float"),
        ("TypeError", "size(): argument 'dim' (position 1) must be int, not str"),
    ]
    if shape:
        n = len(shape)
        assert calls[2] == (
            "IndexError",
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got "
            f"{-n - 1})",
        )
    else:
        assert calls[2] == ("IndexError", "Dimension specified as -1 but tensor has no dimensions")


@pytest.mark.parametrize("shape", SIZE_SHAPES)
def test_size_matches_pytorch(shape: tuple[int, ...]):
    torch = pytest.importorskip("torch")  # optional reference (torch==2.13.0), not a dependency
    mine = _size_calls(Tensor(np.zeros(shape)), len(shape))
    assert mine == _size_calls(torch.zeros(shape), len(shape))
    assert Tensor(np.zeros(shape)).size == torch.zeros(shape).numel()
