"""PyTorch habits, round 11: calls a PyTorch user ports that glassnet answered differently.

Each behaviour is checked twice: against values and errors written here (these run without
torch, as CI does), and against torch itself where it is installed (float64).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import glassnet as gn
import glassnet.factories as factories
import glassnet.optim as optim
from glassnet.optim import lr_scheduler


# ------------------------------------------------------------------ iterating a tensor
def test_iterating_a_0d_tensor_is_refused_as_in_pytorch() -> None:
    # (Python's fallback through __getitem__ iterated over nothing, silently: list(x) == [])
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        list(gn.tensor(2.5))
    with pytest.raises(TypeError, match="x.item"):
        for _ in gn.tensor(2.5):
            pass


def test_iterating_a_tensor_gives_its_rows_in_the_graph() -> None:
    x = gn.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=gn.float64, requires_grad=True)
    rows = list(x)
    assert len(rows) == 3 and all(r.shape == (2,) for r in rows)
    np.testing.assert_array_equal(rows[1].data, [3.0, 4.0])
    (rows[0] * 2 + rows[2]).sum().backward()
    np.testing.assert_array_equal(x.grad, [[2.0, 2.0], [0.0, 0.0], [1.0, 1.0]])
    assert [float(v) for v in gn.tensor([7.0, 8.0])] == [7.0, 8.0]
    assert list(gn.zeros(0, 3)) == []


def test_iterating_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError):
        list(torch.tensor(2.5))
    a = np.arange(6.0).reshape(3, 2)
    x, xt = gn.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    (list(x)[0] * 2 + list(x)[2]).sum().backward()
    (list(xt)[0] * 2 + list(xt)[2]).sum().backward()
    np.testing.assert_array_equal(x.grad, xt.grad.numpy())


# ------------------------------------------------------------------ schedules' last_epoch
def _sgd(lr: float = 0.1) -> Any:
    return optim.SGD([gn.tensor(np.ones(2), requires_grad=True)], lr=lr)


SCHEDULES = {
    "StepLR": lambda o: lr_scheduler.StepLR(o, 3),
    "LambdaLR": lambda o: lr_scheduler.LambdaLR(o, lambda e: 0.9**e),
    "CosineAnnealingLR": lambda o: lr_scheduler.CosineAnnealingLR(o, 10),
    "LinearLR": lambda o: lr_scheduler.LinearLR(o),
    "OneCycleLR": lambda o: lr_scheduler.OneCycleLR(o, 1.0, total_steps=20),
    "CyclicLR": lambda o: lr_scheduler.CyclicLR(o, 0.01, 0.1),
    "SequentialLR": lambda o: lr_scheduler.SequentialLR(
        o, [lr_scheduler.LinearLR(o), lr_scheduler.StepLR(o, 2)], [3]
    ),
    "CosineAnnealingWarmRestarts": lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, 3),
    "ReduceLROnPlateau": lambda o: lr_scheduler.ReduceLROnPlateau(o),
}


def _last_epochs(sched: Any, plateau: bool) -> list[int]:
    seen = [sched.last_epoch]
    for _ in range(5):
        sched.step(*([1.0] if plateau else []))
        seen.append(sched.last_epoch)
    return seen


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_last_epoch_counts_the_steps_as_pytorchs(name: str) -> None:
    # (PyTorch's constructor steps once: last_epoch 0 when built, k after k steps; it was an
    # AttributeError here)
    sched = SCHEDULES[name](_sgd())
    assert _last_epochs(sched, name == "ReduceLROnPlateau") == [0, 1, 2, 3, 4, 5]


def test_last_epoch_of_a_fractional_warm_restart_step_is_its_whole_epoch() -> None:
    sched = lr_scheduler.CosineAnnealingWarmRestarts(_sgd(), 3)
    sched.step(7.5)
    assert sched.last_epoch == 7
    sched.step()
    assert sched.last_epoch == 8


def test_last_epoch_is_read_only_with_the_way_to_resume() -> None:
    sched = lr_scheduler.StepLR(_sgd(), 3)
    with pytest.raises(AttributeError, match="load_state_dict"):
        sched.last_epoch = 5
    assert sched.last_epoch == 0


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_last_epoch_matches_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    ts = torch.optim.lr_scheduler
    built = {
        "StepLR": lambda o: ts.StepLR(o, 3),
        "LambdaLR": lambda o: ts.LambdaLR(o, lambda e: 0.9**e),
        "CosineAnnealingLR": lambda o: ts.CosineAnnealingLR(o, 10),
        "LinearLR": lambda o: ts.LinearLR(o),
        "OneCycleLR": lambda o: ts.OneCycleLR(o, 1.0, total_steps=20),
        "CyclicLR": lambda o: ts.CyclicLR(o, 0.01, 0.1),
        "SequentialLR": lambda o: ts.SequentialLR(o, [ts.LinearLR(o), ts.StepLR(o, 2)], [3]),
        "CosineAnnealingWarmRestarts": lambda o: ts.CosineAnnealingWarmRestarts(o, 3),
        "ReduceLROnPlateau": lambda o: ts.ReduceLROnPlateau(o),
    }[name]
    opt = torch.optim.SGD([torch.ones(2, requires_grad=True)], lr=0.1, momentum=0.9)
    plateau = name == "ReduceLROnPlateau"
    mine = _last_epochs(SCHEDULES[name](_sgd()), plateau)
    with __import__("warnings").catch_warnings():
        __import__("warnings").simplefilter("ignore")
        assert mine == _last_epochs(built(opt), plateau)


# ------------------------------------------------------------------ factories
@pytest.mark.parametrize("name", ["zeros", "ones", "rand", "randn"])
def test_a_factory_without_a_size_is_refused(name: str) -> None:
    # (zeros() gave a 0-d tensor, silently; PyTorch: "missing 1 required positional argument")
    with pytest.raises(TypeError, match=rf"{name}\(\) needs a size"):
        getattr(gn, name)()
    assert getattr(gn, name)(()).shape == ()


@pytest.mark.parametrize("name", ["zeros", "ones", "rand", "randn"])
def test_a_factory_takes_size_by_name(name: str) -> None:
    assert getattr(gn, name)(size=(2, 3)).shape == (2, 3)
    assert getattr(gn, name)(size=[4]).shape == (4,)
    with pytest.raises(TypeError, match="given twice"):
        getattr(gn, name)(2, size=(2,))
    with pytest.raises(TypeError, match="unexpected keyword argument 'sizes'"):
        getattr(gn, name)(sizes=(2,))


ARANGE = [
    ((5,), {}, [0, 1, 2, 3, 4]),
    ((), {"end": 3}, [0, 1, 2]),
    ((1,), {"end": 4}, [1, 2, 3]),
    ((), {"start": 1, "end": 6, "step": 2}, [1, 3, 5]),
    ((1, 6), {"step": 2}, [1, 3, 5]),
    ((5, 0, -2), {}, [5, 3, 1]),
]
ARANGE_REFUSED = [((), {}), ((), {"start": 2}), ((5,), {"step": 2}), ((), {"end": 5, "step": 2})]


@pytest.mark.parametrize(("args", "kw", "expected"), ARANGE)
def test_arange_takes_pytorchs_arguments(args: Any, kw: Any, expected: Any) -> None:
    # (arange(end=3) was a TypeError: "missing 1 required positional argument: 'start'")
    np.testing.assert_array_equal(gn.arange(*args, **kw).data, expected)


@pytest.mark.parametrize(("args", "kw"), ARANGE_REFUSED)
def test_arange_refuses_what_pytorch_refuses(args: Any, kw: Any) -> None:
    # (arange(start=2) was arange(0, 2), silently; PyTorch: end is required)
    with pytest.raises(TypeError, match=r"arange\(\) (takes|needs)"):
        gn.arange(*args, **kw)
    with pytest.raises(TypeError, match="multiple values for argument 'end'"):
        gn.arange(1, 5, end=5)


def test_arange_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    for args, kw, expected in ARANGE:
        assert torch.arange(*args, **kw).tolist() == expected
    for args, kw in ARANGE_REFUSED:
        with pytest.raises(TypeError):
            torch.arange(*args, **kw)
    with pytest.raises(TypeError):
        torch.zeros()
    assert torch.zeros(size=(2, 3)).shape == (2, 3)


def test_factories_take_requires_grad_and_full_like() -> None:
    x = gn.zeros(2, 3, dtype=gn.float64)
    f = factories.full_like(x, 7.0)
    assert f.dtype == np.float64 and f.shape == (2, 3) and not f.requires_grad
    np.testing.assert_array_equal(f.data, np.full((2, 3), 7.0))
    assert factories.full_like(x, 2, dtype=gn.float32, requires_grad=True).requires_grad
    for t in (
        gn.arange(3, requires_grad=True),
        gn.linspace(0, 1, 3, requires_grad=True),
        gn.rand_like(x, requires_grad=True),
        gn.randn_like(x, requires_grad=True),
    ):
        assert t.requires_grad and t.is_leaf


# ------------------------------------------------------------------ where's condition
@pytest.mark.parametrize(
    "cond",
    [
        gn.tensor([1.0, 0.0]),
        np.array([1.0, 0.0]),
        np.array([1, 0]),
        [1, 0],
    ],
)
def test_where_refuses_a_condition_that_is_not_a_mask(cond: Any) -> None:
    # (a 0/1 Tensor was taken as nonzero -> True; PyTorch: "where expected condition to be a
    # boolean tensor")
    x = gn.tensor([1.0, -2.0])
    with pytest.raises(TypeError, match="condition must be a mask of True/False"):
        gn.where(cond, x, 0.0)


def test_where_takes_a_bool_mask() -> None:
    x = gn.tensor([1.0, -2.0], dtype=gn.float64, requires_grad=True)
    out = gn.where(x > 0, x, x * 3)
    np.testing.assert_array_equal(out.data, [1.0, -6.0])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 3.0])
    np.testing.assert_array_equal(gn.where([True, False], x, 0.0).data, [1.0, 0.0])
    np.testing.assert_array_equal(gn.where((x > 0).bool(), x, 0.0).data, [1.0, 0.0])


def test_where_condition_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    x = torch.tensor([1.0, -2.0])
    with pytest.raises(RuntimeError, match="boolean"):
        torch.where(torch.tensor([1.0, 0.0]), x, 0.0)
    assert torch.where(x > 0, x, 0.0).tolist() == [1.0, 0.0]


# ------------------------------------------------------------------ x.max(other), abs(x), view
A = np.array([[1.0, -5.0], [2.0, 4.0]])
B = np.array([2.0, 2.0])


def test_max_and_min_of_a_tensor_are_the_elementwise_overloads() -> None:
    # (x.max(other) was refused as if other were a dim, its message about (values, indices))
    x = gn.tensor(A, requires_grad=True)
    y = gn.tensor(B, requires_grad=True)
    out = x.max(y) * 3 + x.min(other=y)
    np.testing.assert_array_equal(out.data, [[7.0, 1.0], [8.0, 14.0]])
    out.sum().backward()
    # (at the tie 2 == 2 each side takes half, as PyTorch's maximum/minimum)
    np.testing.assert_array_equal(x.grad, [[1.0, 1.0], [2.0, 3.0]])
    np.testing.assert_array_equal(y.grad, [5.0, 4.0])
    with pytest.raises(TypeError, match=r"x.amax\(dim=1\)"):
        x.max(1)  # (still refused: PyTorch's (values, indices))


def test_abs_and_view_dtype() -> None:
    x = gn.tensor(A, requires_grad=True)
    np.testing.assert_array_equal(abs(x).data, np.abs(A))  # (was a TypeError)
    (abs(x) + x.clamp(min=0.0) + x.clamp(max=1.5)).sum().backward()
    np.testing.assert_array_equal(x.grad, [[3.0, 0.0], [2.0, 2.0]])
    # (x.view(dtype) was NumPy's "'type' object cannot be interpreted as an integer")
    with pytest.raises(TypeError, match=r"view\(dtype\).*x.to\(dtype\)"):
        x.view(gn.float32)
    assert x.view(-1).shape == (4,) and x.view(x.size(0), -1).shape == (2, 2)


def test_max_other_and_abs_match_torch() -> None:
    torch = pytest.importorskip("torch")
    x, y = torch.tensor(A, requires_grad=True), torch.tensor(B, requires_grad=True)
    out = x.max(y) * 3 + x.min(other=y)
    assert out.tolist() == [[7.0, 1.0], [8.0, 14.0]]
    out.sum().backward()
    assert x.grad.tolist() == [[1.0, 1.0], [2.0, 3.0]] and y.grad.tolist() == [5.0, 4.0]
    x = torch.tensor(A, requires_grad=True)
    (abs(x) + x.clamp(min=0.0) + x.clamp(max=1.5)).sum().backward()
    assert x.grad.tolist() == [[3.0, 0.0], [2.0, 2.0]]


# ------------------------------------------------------------------ Sequential's list habits
def _seq() -> Any:
    return gn.nn.Sequential(gn.nn.Linear(2, 3, rng=0), gn.nn.ReLU(), gn.nn.Linear(3, 1, rng=1))


def _kinds(seq: Any) -> list[str]:
    return [type(m).__name__ for m in seq]


def test_sequential_setitem_delitem_pop_and_add() -> None:
    # (each was an AttributeError/TypeError: "'Sequential' object does not support item
    # assignment"; PyTorch's model[-1] = nn.Linear(...) replaces a head)
    seq = _seq()
    head = gn.nn.Linear(3, 4, rng=2)
    seq[-1] = head
    assert seq[2] is head and _kinds(seq) == ["Linear", "ReLU", "Linear"]
    assert seq(gn.zeros(5, 2)).shape == (5, 4)
    assert any(p is head.W for p in seq.parameters())
    seq[1] = gn.nn.Tanh()
    assert _kinds(seq) == ["Linear", "Tanh", "Linear"]
    del seq[1]
    assert _kinds(seq) == ["Linear", "Linear"]
    assert seq.pop(0) is not None and _kinds(seq) == ["Linear"]
    seq = _seq()
    popped = seq.pop(slice(1, None))
    assert _kinds(popped) == ["ReLU", "Linear"] and _kinds(seq) == ["Linear"]
    seq = _seq()
    del seq[:2]
    assert _kinds(seq) == ["Linear"]
    a, b = _seq(), _seq()
    joined = a + b
    assert len(joined) == 6 and joined[3] is b[0] and len(a) == 3
    a += b
    assert len(a) == 6 and a[5] is b[2]


def test_sequential_item_errors_name_the_index() -> None:
    seq = _seq()
    with pytest.raises(IndexError, match="index 3 is out of range for 3 layer"):
        seq[3] = gn.nn.ReLU()
    with pytest.raises(IndexError, match="index -4 is out of range"):
        del seq[-4]
    with pytest.raises(TypeError, match="must be a glassnet Module"):
        seq[0] = "relu"
    with pytest.raises(TypeError, match="index must be an int"):
        seq.pop("0")
    with pytest.raises(TypeError, match="takes a Sequential"):
        seq + gn.nn.ReLU()  # noqa: B018
    assert _kinds(seq) == ["Linear", "ReLU", "Linear"]


def test_moduledict_clear() -> None:
    md = gn.nn.ModuleDict({"a": gn.nn.ReLU(), "b": gn.nn.Linear(2, 2, rng=0)})
    md.clear()
    assert len(md) == 0 and list(md.parameters()) == [] and md.keys() == []
    md["c"] = gn.nn.ReLU()
    assert list(md) == ["c"]


def test_sequential_and_moduledict_habits_match_torch() -> None:
    torch = pytest.importorskip("torch")
    nn = torch.nn
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    seq[1] = nn.Tanh()
    del seq[0]
    assert [type(m).__name__ for m in seq] == ["Tanh", "Linear"]
    assert [type(m).__name__ for m in seq.pop(slice(0, 1))] == ["Tanh"]
    with pytest.raises(IndexError):
        seq[3] = nn.ReLU()
    assert len(seq + seq) == 2
    md = nn.ModuleDict({"a": nn.ReLU()})
    md.clear()
    assert len(md) == 0


# ------------------------------------------------------------------ masks' reductions by dim
X2 = np.array([[1.0, -2.0, 3.0], [0.0, 5.0, -6.0]])


def test_a_mask_reduces_with_pytorchs_dim_and_keepdim() -> None:
    # (NumPy's TypeError: "_sum() got an unexpected keyword argument 'dim'")
    m = gn.tensor(X2) > 0  # [[T, F, T], [F, T, F]]
    np.testing.assert_array_equal(m.sum(dim=1), [2, 1])
    np.testing.assert_array_equal(m.sum(dim=1, keepdim=True), [[2], [1]])
    assert m.sum(dim=[0, 1]) == 3 and m.sum([0, 1]) == 3 and m.sum((0, 1)) == 3
    np.testing.assert_array_equal(m.any(dim=0), [True, True, True])
    np.testing.assert_array_equal(m.all(dim=1, keepdim=True), [[False], [False]])
    np.testing.assert_array_equal(m.prod(dim=0), [0, 0, 0])
    idx = gn.tensor(X2).argmax(1)  # [2, 1]
    assert idx.argmax(dim=0) == 0 and idx.argmin(dim=0) == 1
    # NumPy's own spellings and calls as before
    np.testing.assert_array_equal(np.sum(m, axis=1), [2, 1])
    np.testing.assert_array_equal(m.sum(axis=0, keepdims=True), [[1, 1, 1]])
    assert np.any(m) and not np.all(m) and m.sum() == 3
    with pytest.raises(TypeError, match="pass axis or dim"):
        m.sum(1, dim=1)
    with pytest.raises(TypeError, match="pass keepdims or keepdim"):
        m.any(dim=1, keepdim=True, keepdims=True)


def test_mask_reductions_match_torch() -> None:
    torch = pytest.importorskip("torch")
    m = torch.tensor(X2) > 0
    assert m.sum(dim=1).tolist() == [2, 1] and m.sum(dim=1, keepdim=True).tolist() == [[2], [1]]
    assert m.sum(dim=[0, 1]).item() == 3 and m.sum([0, 1]).item() == 3
    assert m.any(dim=0).tolist() == [True, True, True]
    assert m.all(dim=1, keepdim=True).tolist() == [[False], [False]]
    assert m.prod(dim=0).tolist() == [0, 0, 0]
    idx = torch.tensor(X2).argmax(1)
    assert idx.argmax(dim=0).item() == 0 and idx.argmin(dim=0).item() == 1


# ------------------------------------------------------------------ x.type("torch.FloatTensor")
def test_type_takes_pytorchs_type_names() -> None:
    # (the name was taken for a device: "the device 'torch.FloatTensor' is not one glassnet
    # knows")
    x = gn.tensor([1.5, -2.0], dtype=gn.float64, requires_grad=True)
    y = x.type("torch.FloatTensor")
    assert y.dtype == np.float32 and x.type("torch.DoubleTensor") is x
    (y * 2).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])
    with pytest.raises(TypeError, match="float32 or float64 only"):
        x.type("torch.LongTensor")
    m = x > 0
    assert m.type("torch.FloatTensor").dtype == np.float32
    assert isinstance(m.type("torch.FloatTensor"), gn.Tensor)
    assert m.type("torch.LongTensor").dtype == np.int64
    np.testing.assert_array_equal(m.type("torch.LongTensor"), [1, 0])
    assert m.type("torch.BoolTensor").dtype == np.bool_
    with pytest.raises(TypeError, match="CPU type names"):
        m.type("torch.cuda.LongTensor")


def test_type_names_match_torch() -> None:
    torch = pytest.importorskip("torch")
    x = torch.tensor([1.5, -2.0], dtype=torch.float64)
    assert x.type("torch.FloatTensor").dtype == torch.float32
    m = x > 0
    assert m.type("torch.FloatTensor").dtype == torch.float32
    assert m.type("torch.LongTensor").tolist() == [1, 0]
    assert m.type("torch.BoolTensor").dtype == torch.bool


# ------------------------------------------------------------------ x.clip(min=, max=)
def test_clip_takes_min_and_max_by_name() -> None:
    # (x.clip(min=0, max=1), PyTorch's and NumPy's names, was "unexpected keyword 'min'")
    x = gn.tensor([-1.0, 0.3, 2.0], dtype=gn.float64, requires_grad=True)
    y = x.clip(min=-0.5, max=0.5)
    np.testing.assert_array_equal(y.data, [-0.5, 0.3, 0.5])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(x.clip(max=1.0).data, [-1.0, 0.3, 1.0])
    np.testing.assert_array_equal(x.clip(-0.5, 0.5).data, y.data)
    with pytest.raises(TypeError, match="pass low or min"):
        x.clip(0.0, min=1.0)


def test_clip_by_name_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    x = torch.tensor([-1.0, 0.3, 2.0], dtype=torch.float64, requires_grad=True)
    y = x.clip(min=-0.5, max=0.5)
    assert y.tolist() == [-0.5, 0.3, 0.5]
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]
    assert x.clip(max=1.0).tolist() == [-1.0, 0.3, 1.0]


# ------------------------------------------------------------------ weight= of mse/l1/huber
P = np.array([[0.5, -1.0], [2.0, 0.25]])
Y = np.array([[0.0, 1.0], [0.5, 0.25]])
W = np.array([[1.0, 2.0], [0.5, 3.0]])


def _weighted_cases() -> dict[str, tuple[Any, np.ndarray, bool]]:
    """name: (F function, the unweighted per-entry loss written out, mean over Σ weight)."""
    import glassnet.nn.functional as F

    d = P - Y
    huber = np.where(np.abs(d) < 0.5, 0.5 * d**2, 0.5 * (np.abs(d) - 0.25))
    return {
        "mse_loss": (F.mse_loss, d**2, True),
        "l1_loss": (F.l1_loss, np.abs(d), True),
        "huber_loss": (lambda *a, **k: F.huber_loss(*a, delta=0.5, **k), huber, False),
    }


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_regression_losses_take_pytorchs_weight(name: str) -> None:
    # (torch 2.6 on: F.mse_loss(x, y, weight=w); it was "unexpected keyword argument 'weight'")
    fn, per, by_weights = _weighted_cases()[name]
    x = gn.tensor(P, requires_grad=True)
    w = gn.tensor(W, requires_grad=True)
    np.testing.assert_allclose(fn(x, Y, reduction="none", weight=W).data, per * W, rtol=1e-15)
    np.testing.assert_allclose(fn(x, Y, reduction="sum", weight=W).data, (per * W).sum())
    mean = fn(x, Y, weight=w)
    denominator = W.sum() if by_weights else W.size
    np.testing.assert_allclose(mean.data, (per * W).sum() / denominator, rtol=1e-15)
    mean.backward()
    expected_w = per / denominator - (by_weights * (per * W).sum() / denominator**2)
    np.testing.assert_allclose(w.grad, expected_w, rtol=1e-12)
    with pytest.raises(ValueError, match="one weight per entry"):
        fn(x, Y, weight=W[0])
    if by_weights:
        with pytest.raises(ValueError, match="sum of the weights, which is 0"):
            fn(x, Y, weight=np.zeros_like(W))


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_weighted_regression_losses_match_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    import torch.nn.functional as TF

    fn, _, _ = _weighted_cases()[name]
    tfn = {
        "mse_loss": TF.mse_loss,
        "l1_loss": TF.l1_loss,
        "huber_loss": lambda *a, **k: TF.huber_loss(*a, delta=0.5, **k),
    }[name]
    for reduction in ("mean", "sum", "none"):
        x, w = gn.tensor(P, requires_grad=True), gn.tensor(W, requires_grad=True)
        xt = torch.tensor(P, requires_grad=True)
        wt = torch.tensor(W, requires_grad=True)
        out, outt = (
            fn(x, Y, reduction=reduction, weight=w),
            tfn(xt, torch.tensor(Y), reduction=reduction, weight=wt),
        )
        np.testing.assert_allclose(out.data, outt.detach().numpy(), rtol=1e-12)
        out.sum().backward()
        outt.sum().backward()
        np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(w.grad, wt.grad.numpy(), rtol=1e-12, atol=1e-15)


# ------------------------------------------------------------------ named_modules' arguments
def _tree(nn: Any, lin: Any) -> Any:
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.enc = nn.Sequential(lin(), nn.ReLU())
            self.heads = nn.ModuleDict({"a": lin(), "b": nn.ModuleList([lin(), nn.Tanh()])})
            self.shared = self.enc  # (one module, two names)

        def forward(self, x: Any) -> Any:
            return x

    return Net()


TREE = ["", "enc", "enc.0", "enc.1", "heads", "heads.a", "heads.b", "heads.b.0", "heads.b.1"]
TREE_ALL = TREE + ["shared", "shared.0", "shared.1"]


def _names(model: Any, *args: Any, **kw: Any) -> list[str]:
    return [n.replace("layers.", "") for n, _ in model.named_modules(*args, **kw)]


def test_named_modules_takes_pytorchs_arguments() -> None:
    # (remove_duplicate= and memo were "unexpected keyword argument" / taken as the prefix)
    net = _tree(gn.nn, lambda: gn.nn.Linear(2, 2, rng=0))
    assert _names(net) == TREE
    assert _names(net, remove_duplicate=False) == TREE_ALL
    assert _names(net, prefix="m")[:3] == ["m", "m.enc", "m.enc.0"]
    memo = {net.heads}
    assert _names(net, memo) == ["", "enc", "enc.0", "enc.1"]
    assert net.enc in memo and len(memo) == 5
    with pytest.raises(TypeError, match="memo is a set of modules"):
        _names(net, "m")


def test_named_modules_arguments_match_torch() -> None:
    torch = pytest.importorskip("torch")
    net = _tree(torch.nn, lambda: torch.nn.Linear(2, 2))
    assert _names(net) == TREE
    assert _names(net, remove_duplicate=False) == TREE_ALL
    assert _names(net, prefix="m")[:3] == ["m", "m.enc", "m.enc.0"]
    memo = {net.heads}
    assert _names(net, memo) == ["", "enc", "enc.0", "enc.1"]
    assert net.enc in memo and len(memo) == 5


# ------------------------------------------------------------------ clear errors for bad dims
def test_var_and_std_name_a_dim_out_of_range() -> None:
    # (x.var(3) was "IndexError: tuple index out of range" from inside var)
    x = gn.tensor(np.arange(6.0).reshape(2, 3))
    with pytest.raises(IndexError, match=r"dim must be an int from -2 to 1 .* Got 3"):
        x.var(3)
    with pytest.raises(IndexError, match="Got 1.5"):
        x.std(1.5)
    with pytest.raises(ValueError, match="more than once"):
        x.var((0, -2))
    np.testing.assert_array_equal(x.var(-1).data, [1.0, 1.0])
    np.testing.assert_array_equal(x.std((1,)).data, [1.0, 1.0])


def test_argmax_refuses_a_tuple_of_dims_clearly() -> None:
    # (NumPy's "'tuple' object cannot be interpreted as an integer"; torch: dim must be int)
    x = gn.tensor(np.arange(6.0).reshape(2, 3))
    for op in ("argmax", "argmin"):
        with pytest.raises(TypeError, match=rf"{op} takes one dim \(an int\) or None"):
            getattr(x, op)((0, 1))
        with pytest.raises(TypeError, match="Got dim=True"):
            getattr(x, op)(True)
    np.testing.assert_array_equal(x.argmax(np.int64(1)), [2, 2])
    assert x.argmax() == 5


def test_bad_dims_are_refused_by_torch_too() -> None:
    torch = pytest.importorskip("torch")
    x = torch.arange(6.0).reshape(2, 3)
    for bad in (lambda: x.var(3), lambda: x.var((0, -2)), lambda: x.argmax((0, 1))):
        with pytest.raises((IndexError, RuntimeError, TypeError)):
            bad()


def test_arange_and_linspace_name_an_argument_that_is_not_a_number() -> None:
    # (gn.arange("a") was "unsupported operand type(s) for -: 'str' and 'int'", linspace's
    # NumPy's DTypePromotionError)
    with pytest.raises(TypeError, match="arange: end must be a number. Got 'a'"):
        gn.arange("a")
    with pytest.raises(TypeError, match="arange: step must be a number"):
        gn.arange(0, 1, "x")
    with pytest.raises(TypeError, match="linspace: start must be a number"):
        gn.linspace("a", 1, 3)
    # a 0-d Tensor or array is its value, as in PyTorch
    np.testing.assert_array_equal(gn.arange(gn.tensor(3.0)).data, [0, 1, 2])
    np.testing.assert_array_equal(gn.arange(np.int64(3)).data, [0, 1, 2])
    np.testing.assert_array_equal(gn.linspace(0, gn.tensor(1.0), 3).data, [0, 0.5, 1])


def test_arange_and_linspace_arguments_match_torch() -> None:
    torch = pytest.importorskip("torch")
    assert torch.arange(torch.tensor(3.0)).tolist() == [0, 1, 2]
    assert torch.linspace(0, torch.tensor(1.0), 3).tolist() == [0, 0.5, 1]
    with pytest.raises(TypeError):
        torch.arange("a")


# ------------------------------------------------------------------ device= of the norm layers
@pytest.mark.parametrize("make", ["LayerNorm", "BatchNorm1d"])
def test_norm_layers_take_device(make: str) -> None:
    # (nn.LayerNorm(64, device=device), as ported code builds it, was an unexpected keyword)
    for device in ("cpu", gn.device("cpu")):
        layer = getattr(gn.nn, make)(4, device=device)
        assert str(layer.weight.device) == "cpu" and layer.weight.shape == (4,)
    assert getattr(gn.nn, make)(4, dtype=np.float64, device="cpu").weight.dtype == np.float64
    with pytest.raises(ValueError, match="not one glassnet knows"):
        getattr(gn.nn, make)(4, device="tpu")


def test_norm_layers_take_device_in_torch() -> None:
    torch = pytest.importorskip("torch")
    for make in ("LayerNorm", "BatchNorm1d"):
        assert getattr(torch.nn, make)(4, device="cpu").weight.shape == (4,)


# ------------------------------------------------------------------ device= of the factories
FACTORY_CALLS = {
    "tensor": lambda **k: gn.tensor([1.0, 2.0], **k),
    "zeros": lambda **k: gn.zeros(2, 3, **k),
    "ones": lambda **k: gn.ones((2,), **k),
    "full": lambda **k: gn.full((2,), 7.0, **k),
    "rand": lambda **k: gn.rand(2, generator=0, **k),
    "randn": lambda **k: gn.randn(2, generator=0, **k),
    "eye": lambda **k: gn.eye(2, **k),
    "linspace": lambda **k: gn.linspace(0, 1, 3, **k),
    "arange": lambda **k: gn.arange(3, **k),
    "zeros_like": lambda **k: gn.zeros_like(gn.ones(2), **k),
    "ones_like": lambda **k: gn.ones_like(gn.ones(2), **k),
    "full_like": lambda **k: factories.full_like(gn.ones(2), 3.0, **k),
    "rand_like": lambda **k: gn.rand_like(gn.ones(2), generator=0, **k),
    "randn_like": lambda **k: gn.randn_like(gn.ones(2), generator=0, **k),
}


@pytest.mark.parametrize("name", sorted(FACTORY_CALLS))
def test_factories_take_device(name: str) -> None:
    # (torch.zeros(n, device=device) in ported code was an unexpected keyword)
    make = FACTORY_CALLS[name]
    plain = make()
    for device in ("cpu", gn.device("cpu")):
        t = make(device=device)
        np.testing.assert_array_equal(t.data, plain.data)
        assert str(t.device) == "cpu" and not t.requires_grad
    t = make(device="cpu", requires_grad=True)
    assert t.requires_grad and t.is_leaf
    with pytest.raises(ValueError, match="not one glassnet knows"):
        make(device="tpu")


def test_factories_take_device_in_torch() -> None:
    torch = pytest.importorskip("torch")
    assert torch.zeros(2, 3, device="cpu").shape == (2, 3)
    assert torch.full_like(torch.ones(2), 3.0, device="cpu").tolist() == [3.0, 3.0]
    t = torch.arange(3.0, device="cpu", requires_grad=True)
    assert t.requires_grad and t.is_leaf
