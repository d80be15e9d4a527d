"""PyTorch's masked_fill / masked_fill_ and cumsum on the Tensor, and DataLoader's sampler
and batch_sampler (each was missing: an AttributeError, or DataLoader's TypeError)."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import Tensor
from glassnet.data import DataLoader, TensorDataset

MASK = np.array([[True, False, True], [False, False, True]])
W = np.arange(6.0).reshape(2, 3) ** 2  # (weights that make every gradient entry differ)


# ------------------------------------------------------------------ masked_fill
def test_masked_fill_values_and_gradients():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    v = Tensor(np.float64(-3.0), requires_grad=True)
    y = x.masked_fill(MASK, v)
    np.testing.assert_array_equal(y.data, [[-3, 1, -3], [3, 4, -3]])
    (y * Tensor(W)).sum().backward()
    np.testing.assert_array_equal(x.grad, np.where(MASK, 0.0, W))
    assert v.grad.shape == () and v.grad == W[MASK].sum()
    # a number keeps x's dtype; the mask broadcasts (a row mask for every row)
    z = Tensor(np.ones((2, 3), np.float32)).masked_fill(np.array([True, False, False]), 2.5)
    assert z.dtype == np.float32 and z.data.tolist() == [[2.5, 1, 1], [2.5, 1, 1]]
    # the mask of a comparison with a number
    t = Tensor([0.0, 1.0, 0.0])
    assert t.masked_fill(t == 0, 7.0).data.tolist() == [7.0, 1.0, 7.0]
    assert gn.masked_fill(t, t > 0, -1.0).data.tolist() == [0.0, -1.0, 0.0]


def test_masked_fill_gradcheck_in_float64():
    assert gn.gradcheck(lambda x: (x.masked_fill(MASK, 2.0) * Tensor(W)).sum(), W + 1).ok
    assert gn.gradcheck(
        lambda x, v: (x.masked_fill(MASK, v) * Tensor(W)).sum(), W + 1, np.float64(0.5)
    ).ok
    # a mask that broadcasts x: x's gradient sums over the new axis
    big = np.ones((4, 2, 3), bool) & MASK
    big[0] = ~MASK
    assert gn.gradcheck(
        lambda x, v: (x.masked_fill(big, v) ** 2).sum(), W[0] + 1, np.float64(1.5)
    ).ok


def test_masked_fill_in_place():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    view = x[0]
    assert x.masked_fill_(MASK, 9) is x
    np.testing.assert_array_equal(x.data, [[9, 1, 9], [3, 4, 9]])
    np.testing.assert_array_equal(view.data, [9, 1, 9])  # (written into x's array)
    p = Tensor(np.zeros(3), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"outside no_grad.*x\.masked_fill\(mask, value\)"):
        p.masked_fill_(np.array([True, False, True]), 1.0)
    assert p.data.tolist() == [0, 0, 0]  # (refused before anything is written)
    with gn.no_grad():
        p.masked_fill_(np.array([True, False, True]), Tensor(2.0))
    assert p.data.tolist() == [2, 0, 2]
    # a graph that used the old values refuses backward, as after x[mask] = v
    w = Tensor(np.ones(3), requires_grad=True)
    h = Tensor(np.ones(3))
    loss = (w * h).sum()
    h.masked_fill_(np.array([True, False, False]), 5.0)
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()


def test_masked_fill_refuses_bad_input():
    x = Tensor(np.zeros((2, 3)))
    with pytest.raises(TypeError, match="mask must be a bool array.*Got dtype float64"):
        x.masked_fill(np.ones((2, 3)), 1.0)
    with pytest.raises(TypeError, match=r"a Tensor \(of float64\).*mask.data != 0"):
        x.masked_fill(Tensor(np.ones(3)), 1.0)
    with pytest.raises(TypeError, match="the mask is True"):
        x.masked_fill(True, 1.0)
    with pytest.raises(ValueError, match=r"mask of shape \(4,\) does not broadcast .*\(2, 3\)"):
        x.masked_fill(np.ones(4, bool), 1.0)
    with pytest.raises(ValueError, match=r"value must be a number or a 0-d Tensor.*\(3,\)"):
        x.masked_fill(MASK, Tensor(np.ones(3)))
    with pytest.raises(TypeError, match="value must be a number or a 0-d Tensor. Got 'a'"):
        x.masked_fill(MASK, "a")
    with pytest.raises(ValueError, match=r"does not broadcast to x's shape \(2, 3\)"):
        x.masked_fill_(np.ones((4, 2, 3), bool), 1.0)
    with pytest.raises(ValueError, match=r"mask of shape \(2,\) does not broadcast"):
        x.masked_fill_(np.ones(2, bool), 1.0)
    assert not x.data.any()


def test_masked_fill_as_torch():
    torch = pytest.importorskip("torch")
    x, big = W + 1, np.ones((4, 2, 3), bool) & MASK
    g = Tensor(x, requires_grad=True)
    v = Tensor(np.float64(0.25), requires_grad=True)
    out = g.masked_fill(big, v)
    (out * out).sum().backward()
    tx = torch.tensor(x, requires_grad=True)
    tv = torch.tensor(0.25, dtype=torch.float64, requires_grad=True)
    tout = tx.masked_fill(torch.tensor(big), tv)
    (tout * tout).sum().backward()
    np.testing.assert_array_equal(out.data, tout.detach().numpy())
    np.testing.assert_allclose(g.grad, tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(v.grad, tv.grad.numpy(), rtol=1e-12)
    t = torch.tensor(x)
    np.testing.assert_array_equal(
        Tensor(x).masked_fill_(MASK[1], -1.0).data, t.masked_fill_(torch.tensor(MASK[1]), -1.0)
    )


# ------------------------------------------------------------------ cumsum
def test_cumsum_values_and_gradients():
    a = np.arange(1.0, 7.0).reshape(2, 3)
    x = Tensor(a, requires_grad=True)
    for dim in (0, 1, -1):
        np.testing.assert_array_equal(x.cumsum(dim).data, np.cumsum(a, axis=dim))
    np.testing.assert_array_equal(gn.cumsum(x, dim=1).data, np.cumsum(a, axis=1))
    np.testing.assert_array_equal(np.cumsum(x, axis=0).data, np.cumsum(a, axis=0))
    (x.cumsum(1) * Tensor(W)).sum().backward()
    np.testing.assert_array_equal(x.grad, np.cumsum(W[:, ::-1], axis=1)[:, ::-1])
    assert Tensor(np.ones(3, np.float32)).cumsum(0, dtype=np.float64).dtype == np.float64
    assert Tensor(2.0).cumsum(0).item() == 2.0 and Tensor(2.0).cumsum(-1).shape == ()


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_cumsum_gradcheck_in_float64(dim):
    a = np.random.default_rng(0).normal(size=(2, 3, 4))
    w = Tensor(np.random.default_rng(1).normal(size=(2, 3, 4)))
    assert gn.gradcheck(lambda x: (x.cumsum(dim) * w).sum(), a).ok
    assert gn.gradcheck(lambda x: (x.cumsum(dim) ** 2).sum(), a).ok


def test_cumsum_refuses_bad_input():
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"needs dim.*x\.reshape\(-1\)\.cumsum\(0\)"):
        x.cumsum()
    with pytest.raises(ValueError, match="needs dim"):  # (not NumPy's sum of Tensor objects)
        np.cumsum(x)
    with pytest.raises(IndexError, match=r"dim must be in \[-2, 1\].*Got 2"):
        x.cumsum(2)
    with pytest.raises(IndexError, match=r"dim must be in \[-1, 0\]"):
        Tensor(1.0).cumsum(1)
    with pytest.raises(TypeError, match="dim must be an int. Got 1.0"):
        x.cumsum(1.0)
    with pytest.raises(ValueError, match="dtype must be float32 or float64"):
        x.cumsum(0, dtype=np.int64)
    with pytest.raises(ValueError, match="pass dim or axis"):
        x.cumsum(0, axis=1)


def test_cumsum_as_torch():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(2).normal(size=(3, 4))
    w = np.random.default_rng(3).normal(size=(3, 4))
    for dim in (0, 1, -2):
        x, t = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        (x.cumsum(dim) * Tensor(w)).sum().backward()
        (t.cumsum(dim) * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(x.cumsum(dim).data, t.cumsum(dim).detach(), rtol=1e-12)
        np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12)


# ------------------------------------------------------------------ DataLoader's samplers
DS = TensorDataset(np.arange(10.0), np.arange(10))


def _labels(loader):
    return [yb.tolist() for _, yb in loader]


def test_sampler_gives_the_order_batch_size_at_a_time():
    loader = DataLoader(DS, sampler=[3, 1, 4, 1, 5], batch_size=2)
    assert len(loader) == 3 and _labels(loader) == [[3, 1], [4, 1], [5]]
    assert _labels(loader) == [[3, 1], [4, 1], [5]]  # (every epoch)
    loader = DataLoader(DS, sampler=np.array([3, 1, 4, 1, 5]), batch_size=2, drop_last=True)
    assert len(loader) == 2 and _labels(loader) == [[3, 1], [4, 1]]

    class EveryOther:  # a Sampler: iter() starts anew each epoch; no len()
        def __iter__(self):
            return iter(range(0, 10, 2))

    loader = DataLoader(DS, sampler=EveryOther(), batch_size=3)
    assert _labels(loader) == [[0, 2, 4], [6, 8]]
    with pytest.raises(TypeError, match="loader's sampler has no len()"):
        len(loader)
    # any dataset, and one of an array's rows
    assert [b.data.tolist() for b in DataLoader(np.arange(5.0), sampler=[4, 0])] == [[4], [0]]


def test_batch_sampler_gives_the_batches():
    loader = DataLoader(DS, batch_sampler=[[3, 1], [4], np.array([9, 0, 2])])
    assert loader.batch_size is None and len(loader) == 3
    assert _labels(loader) == [[3, 1], [4], [9, 0, 2]]
    items = DataLoader(DS, batch_sampler=[[2, 5]], collate_fn=lambda items: items)
    assert [[int(y) for _, y in b] for b in items] == [[2, 5]]


def test_samplers_follow_pytorchs_rules():
    with pytest.raises(ValueError, match="'sampler' .* mutually exclusive with shuffle=True"):
        DataLoader(DS, sampler=[1, 2], shuffle=True)
    with pytest.raises(ValueError, match="'sampler' .* mutually exclusive .*generator"):
        DataLoader(DS, sampler=[1, 2], generator=0)
    for extra, named in (
        (dict(batch_size=2), "batch_size=2"),
        (dict(shuffle=True), "shuffle=True"),
        (dict(sampler=[1]), "sampler"),
        (dict(drop_last=True), "drop_last=True"),
        (dict(generator=0), "generator"),
    ):
        with pytest.raises(ValueError, match=f"'batch_sampler' .* mutually exclusive.*{named}"):
            DataLoader(DS, batch_sampler=[[1, 2]], **extra)


def test_samplers_refuse_bad_input():
    for bad in (5, "ab", {"a": 1}, Tensor([1.0, 2.0])):
        with pytest.raises(ValueError, match="'sampler' parameter of DataLoader must be an it"):
            DataLoader(DS, sampler=bad)
    with pytest.raises(ValueError, match="'batch_sampler' .* iterable of lists of indices"):
        DataLoader(DS, batch_sampler=7)
    with pytest.raises(ValueError, match="one-pass iterator .*second epoch"):
        DataLoader(DS, sampler=iter([1, 2]))
    with pytest.raises(ValueError, match="'batch_sampler' .* one-pass iterator"):
        DataLoader(DS, batch_sampler=(b for b in [[1]]))
    with pytest.raises(ValueError, match=r"'sampler' must give whole-number indices.*1\.5"):
        list(DataLoader(DS, sampler=[1.5]))
    with pytest.raises(ValueError, match="whole-number indices"):
        list(DataLoader(DS, sampler=[True]))
    with pytest.raises(IndexError, match="'sampler' gave index 10, outside the dataset's 10"):
        list(DataLoader(DS, sampler=[0, 10]))
    with pytest.raises(IndexError, match="gave index -1"):
        list(DataLoader(DS, batch_sampler=[[-1]]))
    with pytest.raises(ValueError, match="Each batch .* must be a list of indices. Got 1"):
        list(DataLoader(DS, batch_sampler=[1, 2]))
    with pytest.raises(ValueError, match="non-empty list"):
        list(DataLoader(DS, batch_sampler=[[]]))


def test_samplers_as_torch():
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader as TorchLoader
    from torch.utils.data import TensorDataset as TorchDataset

    tds = TorchDataset(torch.arange(10.0), torch.arange(10))
    for kw in (
        dict(sampler=[3, 1, 4, 1, 5], batch_size=2),
        dict(sampler=[3, 1, 4, 1, 5], batch_size=2, drop_last=True),
        dict(batch_sampler=[[3, 1], [4], [9, 0, 2]]),
    ):
        ours, theirs = DataLoader(DS, **kw), TorchLoader(tds, **kw)
        assert len(ours) == len(theirs) and ours.batch_size == theirs.batch_size
        assert _labels(ours) == [yb.tolist() for _, yb in theirs]
    for kw in (dict(sampler=[1], shuffle=True), dict(batch_sampler=[[1]], drop_last=True)):
        with pytest.raises(ValueError):
            TorchLoader(tds, **kw)
        with pytest.raises(ValueError):
            DataLoader(DS, **kw)


# ------------------------------------------------------------------ == between Tensors
def test_equality_between_tensors_is_elementwise_with_broadcasting():
    """x == y between two Tensors was Python's identity: np.mean(pred == y) gave 0.0 and
    where(x == y, a, b) was refused, though PyTorch compares the values."""
    x = Tensor([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    y = Tensor([1.0, 2.0, 1.0])
    np.testing.assert_array_equal(x == y, [[True, True, False], [False, True, True]])
    np.testing.assert_array_equal(x != y, [[False, False, True], [True, False, False]])
    np.testing.assert_array_equal(y == x, x == y)
    np.testing.assert_array_equal(Tensor(2.0) == x, x.data == 2)
    np.testing.assert_array_equal(x == Tensor(np.float64(2.0)), x.data == 2)  # (dtypes mix)
    with pytest.raises(ValueError, match=r"x == y: shapes \(2, 3\) and \(2,\) cannot be broad"):
        x == Tensor([1.0, 2.0])  # noqa: B015
    with pytest.raises(ValueError, match=r"x != y: shapes \(3,\) and \(4,\)"):
        y != Tensor(np.ones(4))  # noqa: B015
    # with anything else (None, a string, a list) == stays Python's
    assert (y == None) is False and (y != None) is True and (y == "a") is False  # noqa: E711


def test_the_accuracy_idioms_run_as_in_pytorch():
    out = Tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
    labels = np.array([1, 0, 0, 0])
    for y in (labels, Tensor(labels), labels.astype(np.int32)):
        assert (out.argmax(1) == y).float().mean().item() == 0.75
        assert (out.argmax(dim=1) == y).sum().item() == 3
        assert np.mean(out.argmax(1) == y) == 0.75
    pred = Tensor([1.0, 0.0, 1.0, 1.0])
    y = Tensor([1.0, 0.0, 0.0, 1.0])
    assert (pred == y).sum().item() == 3 and np.mean(pred == y) == 0.75
    assert (pred == y).float().mean().item() == 0.75 and (pred != y).double().sum().item() == 1
    assert np.mean(pred == y.data) == 0.75 and isinstance((pred == y).sum().item(), int)


def test_comparisons_and_argmax_give_an_array_with_pytorchs_casts():
    from glassnet.habits import Array

    x = Tensor([[-1.0, 2.0], [3.0, -4.0]])
    for m in (x > 0, x >= 0, x < 0, x <= 0, x == 2, x != 2, x == x, x == np.float32(3)):
        assert type(m) is Array and m.dtype == bool and m.shape == (2, 2)
    i = x.argmax(1)
    assert type(i) is Array and i.dtype == np.int64 and i.tolist() == [1, 0]
    assert x.argmin().dtype == np.int64 and x.argmin().item() == 3  # (flattened)
    assert gn.argmax(x, 0, keepdim=True).tolist() == [[1, 0]]
    f = (x > 0).float()
    assert isinstance(f, Tensor) and f.dtype == np.float32 and f.data.tolist() == [[0, 1], [1, 0]]
    assert not f.requires_grad and (x > 0).double().dtype == np.float64
    assert (x > 0).long().dtype == np.int64 and (x > 0).int().dtype == np.int32
    assert i.bool().tolist() == [True, False] and i.float().data.tolist() == [1.0, 0.0]
    assert repr(x > 0) == repr(x.data > 0)  # NumPy's repr: array([[False,  True], ...
    # NumPy's results stay Arrays only while they hold bools or integers (a count: a Count,
    # NumPy's int64 with PyTorch's casts); one float value is a NumPy scalar
    assert type((x > 0) & (x < 3)) is Array and type(i + 1) is Array
    assert type(i * 0.5) is np.ndarray and type(i.astype(np.float32)) is np.ndarray
    assert type((x > 0).sum()).__name__ == "Count" and (x > 0).sum() == 2
    assert type(np.mean(x > 0)) is np.float64
    # the masks of PyTorch's habits
    mask = x == Tensor([3.0, 2.0])
    np.testing.assert_array_equal(x[mask].data, [2.0, 3.0])
    np.testing.assert_array_equal(gn.where(mask, x, 0.0).data, [[0, 2], [3, 0]])
    np.testing.assert_array_equal(x.masked_fill(mask, 0.0).data, [[-1, 0], [0, -4]])
    assert type(gn.Tensor(mask).data) is np.ndarray  # (a Tensor holds plain arrays)
    with pytest.raises(ValueError, match=r"argmax of a tensor of shape \(0, 2\): its axis 0"):
        Tensor(np.zeros((0, 2))).argmax(0)


def test_a_tensor_is_still_hashed_and_found_by_identity():
    x, y = Tensor([1.0, 2.0]), Tensor([1.0, 2.0])
    assert {x: 1, y: 2}[y] == 2 and len({x, y}) == 2 and x in {x} and y not in {x}
    assert x in [x, y] and [x, y].index(x) == 0
    assert any(t is y for t in [x, y])
    from glassnet.micrograd import Value

    a, b = Value(1.0), Value(1.0)  # micrograd's Value has no __eq__: identity, as micrograd's
    assert a != b and a == a and len({a, b}) == 2


def test_equality_as_torch():
    torch = pytest.importorskip("torch")
    a = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    b = np.array([1.0, 2.0, 1.0])
    for op in ("__eq__", "__ne__", "__lt__", "__ge__"):
        want = getattr(torch.tensor(a), op)(torch.tensor(b)).numpy()
        np.testing.assert_array_equal(getattr(Tensor(a), op)(Tensor(b)), want)
    logits, y = torch.tensor(a), torch.tensor([2, 0])
    want = (logits.argmax(1) == y).float().mean().item()
    assert (Tensor(a).argmax(1) == y.numpy()).float().mean().item() == want
    assert (Tensor(a).argmax(1) == y.numpy()).sum().item() == (logits.argmax(1) == y).sum().item()
    # with a list, Python's fallback in both (PyTorch compares no list either)
    assert (Tensor(b) == [1.0, 2.0, 1.0]) is (torch.tensor(b) == [1.0, 2.0, 1.0]) is False
    with pytest.raises(RuntimeError):
        torch.tensor(a) == torch.tensor([1.0, 2.0])  # noqa: B015
    with pytest.raises(ValueError, match="cannot be broadcast"):
        Tensor(a) == Tensor([1.0, 2.0])  # noqa: B015


def test_a_forward_that_compares_its_input_with_a_tensor_is_not_read_as_a_chain():
    """x == t with a Tensor t reads the values now, as x == 0 does: a forward that branches
    on it computes another function than the one branch a chain records."""
    from glassnet import nn
    from glassnet.chain import as_chain

    class Branchy(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(2, 3), nn.Linear(3, 1)
            self.ref = Tensor(np.zeros(2))

        def forward(self, x):
            h = self.a(x).relu()
            return self.b(h if (x[0] == self.ref).all() else h * 2)

    with pytest.raises(TypeError, match=r"reads its input's values \(__eq__\)"):
        as_chain(Branchy(), owner="explain")


def test_a_comparison_of_one_value_is_a_dict_key_as_numpys_scalar_was() -> None:
    loss = gn.tensor(1.5)
    assert {True: "pos", False: "neg"}[loss > 0] == "pos"
    assert hash(loss > 0) == hash(True)
    with pytest.raises(TypeError, match="unhashable"):
        hash(gn.tensor([1.0, 2.0]) > 0)


def test_a_comparison_on_another_librarys_array_is_left_as_it_is() -> None:
    from glassnet import habits

    class Device:  # (a stand-in for a CuPy array: no implicit conversion to NumPy)
        def __array__(self, *a, **k):
            raise TypeError("Implicit conversion to a NumPy array is not allowed")

    d = Device()
    assert habits._array(d) is d
