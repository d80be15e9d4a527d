"""PyTorch's habits that a port runs as written: the accuracy idioms on a count (a 0-d
Array), the in-place methods of hand-written optimizers and EMA loops (addcmul_, addcdiv_,
lerp_, exp_, ...) and their graph ops, FloatTensor/LongTensor/Generator, is_cuda, unique,
and the functional losses' refusal of PyTorch's deprecated size_average=/reduce=. Each is
checked on its own; where torch is installed, against torch too."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet.habits import Array


def _torch():
    return pytest.importorskip("torch")


# ------------------------------------------------------------- a count is a 0-d Array
def _scores():
    z = gn.tensor([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [1.0, 0.0, 5.0], [4.0, 0.0, 1.0]])
    y = np.array([0, 1, 0, 0]).view(Array)
    return z, y


def test_accuracy_idioms_on_a_count_run_as_in_pytorch():
    z, y = _scores()
    correct = (z.argmax(1) == y).sum()
    assert isinstance(correct, np.int64) and type(correct).__name__ == "Count"
    acc = correct.float() / len(y)
    assert isinstance(acc, gn.Tensor) and acc.dtype == np.float32 and acc.item() == 0.75
    d = (z.argmax(1) == y).sum().double()
    assert d.dtype == np.float64 and d.item() == 3.0
    one = (z[0].argmax() == y[0]).float()
    assert one.shape == () and one.item() == 1.0
    assert (z.argmax(1) == y).any().float().item() == 1.0
    assert (z.argmax(1) == y).all().double().item() == 0.0
    # a count's value, as PyTorch's 0-d tensor gives it
    assert correct.item() == 3 and type(correct.item()) is int
    assert int(correct) == 3 and float(correct) == 3.0
    assert f"{correct:d}" == "3" and f"{acc:.3f}" == "0.750" and f"{correct / 4:.2f}" == "0.75"
    assert [10, 20, 30, 40][correct] == 40 and list(range(correct)) == [0, 1, 2]
    assert {correct: "c"}[3] == "c" and round(correct) == 3 and type(round(correct)) is int
    assert round((z.argmax(1) == y).sum(), 1) == 3
    # an int to every library, as NumPy's int64 was (the review: [0] * n gave [0], and
    # glassnet's own integer checks refused it)
    assert [0] * correct == [0, 0, 0] and "-" * correct == "---"
    assert gn.nn.Linear(2, correct).W.shape == (2, 3) and len(gn.randperm(correct)) == 3
    # a mean of floats stays NumPy's float (a Python float)
    assert type(np.mean(z.argmax(1) == y)) is np.float64


def test_accuracy_idioms_match_torch():
    torch = _torch()
    z, y = _scores()
    tz, ty = torch.tensor(z.data), torch.tensor(np.asarray(y))
    mine = (z.argmax(1) == y).sum().float() / len(y)
    theirs = (tz.argmax(1) == ty).sum().float() / len(ty)
    assert mine.item() == theirs.item()
    assert (z[2].argmax() == y[2]).float().item() == (tz[2].argmax() == ty[2]).float().item()


# ------------------------------------------- the functional losses' deprecated arguments
_LOSSES = [
    ("mse_loss", "third", lambda F, x, y, **k: F.mse_loss(x, y, **k)),
    ("l1_loss", "third", lambda F, x, y, **k: F.l1_loss(x, y, **k)),
    ("smooth_l1_loss", "third", lambda F, x, y, **k: F.smooth_l1_loss(x, y, **k)),
    ("kl_div", "third", lambda F, x, y, **k: F.kl_div(x, y, **k)),
    ("binary_cross_entropy", "fourth", lambda F, x, y, **k: F.binary_cross_entropy(x, y, **k)),
    (
        "binary_cross_entropy_with_logits",
        "fourth",
        lambda F, x, y, **k: F.binary_cross_entropy_with_logits(x, y, **k),
    ),
    ("cross_entropy", "fourth", lambda F, x, y, **k: F.cross_entropy(x, y, **k)),
    ("nll_loss", "fourth", lambda F, x, y, **k: F.nll_loss(x, y, **k)),
]


@pytest.mark.parametrize(("name", "slot", "call"), _LOSSES, ids=[n for n, _, _ in _LOSSES])
def test_functional_losses_refuse_size_average_and_reduce_as_the_modules(name, slot, call):
    import glassnet.nn.functional as F

    x = gn.tensor([[0.2, 0.7], [0.6, 0.3]])
    y = np.array([1, 0]) if name in ("cross_entropy", "nll_loss") else gn.tensor([[0, 1], [1, 0]])
    for kw in ({"size_average": False}, {"reduce": False}):
        ((arg, value),) = kw.items()
        with pytest.raises(TypeError) as e:
            call(F, x, y, **kw)
        msg = str(e.value)
        assert f"{name}: {arg}={value!r}" in msg and "deprecated" in msg
        assert "reduction='sum'" in msg and "reduction='none'" in msg
        assert "unexpected keyword" not in msg
    assert f"(its {slot} positional one)" in str(
        pytest.raises(TypeError, call, F, x, y, size_average=True).value
    )
    call(F, x, y, reduction="sum")  # (the arguments otherwise as before)


# ------------------------------------------------ in-place ops of optimizers and EMA loops
def _np_lerp(a, b, w):
    return np.where(np.abs(w) < 0.5, a + w * (b - a), b - (b - a) * (1 - w))


_A = np.array([0.5, 1.5, 2.25, 4.0])
_T1 = np.array([0.25, -1.0, 3.0, 0.5])
_T2 = np.array([2.0, 0.5, -4.0, 8.0])
_W = np.array([0.1, 0.5, 0.7, 1.0])
_INPLACE = {  # name: (call on x, with T making a tensor of x's kind; values from x's a)
    "addcmul_": (
        lambda x, T: x.addcmul_(T(_T1), T(_T2), value=-0.01),
        lambda a: a + -0.01 * _T1 * _T2,
    ),
    "addcmul_ value=1": (lambda x, T: x.addcmul_(T(_T1), T(_T2)), lambda a: a + _T1 * _T2),
    "addcdiv_": (
        lambda x, T: x.addcdiv_(T(_T1), T(_T2), value=0.3),
        lambda a: a + 0.3 * _T1 / _T2,
    ),
    "lerp_ 0.25": (lambda x, T: x.lerp_(T(_T1), 0.25), lambda a: _np_lerp(a, _T1, 0.25)),
    "lerp_ 0.9": (lambda x, T: x.lerp_(T(_T1), 0.9), lambda a: _np_lerp(a, _T1, 0.9)),
    "lerp_ tensor": (lambda x, T: x.lerp_(T(_T1), T(_W)), lambda a: _np_lerp(a, _T1, _W)),
    "exp_": (lambda x, T: x.exp_(), np.exp),
    "sqrt_": (lambda x, T: x.sqrt_(), np.sqrt),
    "abs_": (lambda x, T: x.neg_().abs_(), np.abs),
    "neg_": (lambda x, T: x.neg_(), np.negative),
    "pow_": (lambda x, T: x.pow_(3), lambda a: a**3),
    "pow_ tensor": (lambda x, T: x.pow_(T(_T2)), lambda a: a**_T2),
    "sign_": (lambda x, T: x.sub_(1.5).sign_(), lambda a: np.sign(a - 1.5)),
}


@pytest.mark.parametrize("case", sorted(_INPLACE))
def test_inplace_pointwise_methods_write_pytorchs_values_into_a_parameter(case):
    call, expected = _INPLACE[case]
    w = gn.tensor(_A, dtype=gn.float64, requires_grad=True)
    before = w._version
    with gn.no_grad():
        out = call(w, lambda v: gn.tensor(v, dtype=gn.float64))
    assert out is w and w.requires_grad and w._version > before
    np.testing.assert_allclose(w.data, expected(_A), rtol=1e-15, atol=0)
    # numbers and arrays are operands too, as a Tensor's arithmetic takes them
    x = gn.tensor(_A, dtype=gn.float64)
    assert call(x, np.asarray) is x
    np.testing.assert_allclose(x.data, expected(_A), rtol=1e-15, atol=0)


@pytest.mark.parametrize("case", sorted(_INPLACE))
def test_inplace_pointwise_methods_match_torch(case):
    torch = _torch()
    call, _ = _INPLACE[case]
    for dtype, tdtype in ((gn.float64, torch.float64), (gn.float32, torch.float32)):
        w, t = gn.tensor(_A, dtype=dtype), torch.tensor(_A, dtype=tdtype)
        assert call(w, lambda v, d=dtype: gn.tensor(v, dtype=d)) is w
        assert call(t, lambda v, d=tdtype: torch.tensor(v, dtype=d)) is t
        np.testing.assert_allclose(w.data, t.numpy(), rtol=1e-6 if dtype == gn.float32 else 1e-15)


def test_inplace_pointwise_methods_keep_the_write_rules():
    w = gn.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"x\.addcmul_\(t1, t2, value=v\).*no_grad") as e:
        w.addcmul_(w.detach(), w.detach(), value=-0.1)
    assert "x = x.addcmul(t1, t2, value=v)" in str(e.value)
    with pytest.raises(RuntimeError, match=r"x\.lerp_\(end, weight\).*no_grad"):
        w.lerp_(gn.zeros(2), 0.5)
    assert w.data.tolist() == [1.0, 2.0]  # (refused before anything was written)
    # a value in the graph written into a tensor outside it: refused, as for x[...] = y
    ema = gn.zeros(2)
    with pytest.raises(RuntimeError, match="value written requires grad"):
        ema.lerp_(w, 0.1)
    with gn.no_grad():
        ema.lerp_(w, 0.1)
    np.testing.assert_allclose(ema.data, [0.1, 0.2], rtol=1e-6)
    # a graph that read the old values refuses backward afterwards
    a = gn.tensor([1.0, 2.0])
    loss = (w * a).sum()
    a.exp_()
    with pytest.raises(RuntimeError, match="modified|version|changed|written"):
        loss.backward()
    # an op's result that requires grad is not written into
    with pytest.raises(RuntimeError, match="computed by op"):
        (w * 2).sqrt_()
    with pytest.raises(TypeError, match="value must be a number"):
        gn.zeros(2).addcmul_(gn.ones(2), gn.ones(2), value="0.1")


def test_addcmul_addcdiv_lerp_are_graph_ops_with_pytorchs_gradients():
    torch = _torch()
    a, b, c = _A, _T1, np.abs(_T2)
    for name, call in (
        ("addcmul", lambda x, y, z: x.addcmul(y, z, value=-0.7)),
        ("addcdiv", lambda x, y, z: x.addcdiv(y, z, value=1.5)),
        ("lerp", lambda x, y, z: x.lerp(y, 0.3) + x.lerp(y, 0.8) * z),
        ("lerp tensor", lambda x, y, z: x.lerp(y, z / 10)),
    ):
        g = [gn.tensor(v, dtype=gn.float64, requires_grad=True) for v in (a, b, c)]
        t = [torch.tensor(v, requires_grad=True) for v in (a, b, c)]
        mine, theirs = call(*g), call(*t)
        np.testing.assert_allclose(mine.data, theirs.detach().numpy(), rtol=1e-15, err_msg=name)
        (mine * gn.tensor(_T2, dtype=gn.float64)).sum().backward()
        (theirs * torch.tensor(_T2)).sum().backward()
        for x, y in zip(g, t):
            np.testing.assert_allclose(x.grad, y.grad.numpy(), rtol=1e-14, err_msg=name)


def test_a_hand_written_adam_step_and_ema_run_as_in_pytorch():
    w = gn.tensor([1.0, -2.0, 0.5], dtype=gn.float64, requires_grad=True)
    ema = w.detach().clone()
    m, v = gn.zeros(3, dtype=gn.float64), gn.zeros(3, dtype=gn.float64)
    for _ in range(3):
        w.grad = None
        (w**2).sum().backward()
        with gn.no_grad():
            m.mul_(0.9).add_(w.grad, alpha=0.1)
            v.mul_(0.999).addcmul_(w.grad, w.grad, value=0.001)
            w.addcdiv_(m, v.sqrt().add_(1e-8), value=-0.01)
            ema.lerp_(w, 0.1)
    expect_w, expect_ema = np.array([1.0, -2.0, 0.5]), np.array([1.0, -2.0, 0.5])
    em, ev = np.zeros(3), np.zeros(3)
    for _ in range(3):
        g = 2 * expect_w
        em = 0.9 * em + 0.1 * g
        ev = 0.999 * ev + 0.001 * g * g
        expect_w = expect_w + -0.01 * em / (np.sqrt(ev) + 1e-8)
        expect_ema = _np_lerp(expect_ema, expect_w, 0.1)
    np.testing.assert_allclose(w.data, expect_w, rtol=1e-14)
    np.testing.assert_allclose(ema.data, expect_ema, rtol=1e-14)


# ----------------------------------------------------------------- is_cuda and unique
def test_is_cuda_is_false_in_host_memory():
    assert gn.tensor([1.0]).is_cuda is False and gn.zeros(2, 2).T.is_cuda is False
    assert (gn.tensor([1.0]) > 0).is_cuda is False


def test_unique_as_pytorchs():
    x = gn.tensor([[3.0, 1.0], [3.0, 2.0], [3.0, 1.0]])
    u = x.unique()
    assert isinstance(u, gn.Tensor) and u.data.tolist() == [1.0, 2.0, 3.0]
    assert u.dtype == x.dtype and not u.requires_grad
    values, inverse, counts = x.unique(return_inverse=True, return_counts=True)
    assert values.data.tolist() == [1.0, 2.0, 3.0]
    assert type(inverse) is Array and inverse.tolist() == [[2, 0], [2, 1], [2, 0]]
    assert counts.tolist() == [2, 1, 3] and counts.dtype == np.int64
    rows, inv = x.unique(dim=0, return_inverse=True)
    assert rows.data.tolist() == [[3.0, 1.0], [3.0, 2.0]] and inv.tolist() == [0, 1, 0]
    assert x.unique(sorted=False).data.tolist() == [1.0, 2.0, 3.0]
    # labels: the classes present, of the labels' dtype
    y = np.array([2, 0, 2, 2]).view(Array)
    classes, n = y.unique(return_counts=True)
    assert type(classes) is Array and classes.tolist() == [0, 2] and n.tolist() == [1, 3]
    with pytest.raises(IndexError, match="dim"):
        x.unique(dim=2)
    with pytest.raises((TypeError, ValueError), match="return_counts"):
        x.unique(return_counts="yes")


def test_unique_passes_no_gradient_and_says_so_at_backward():
    x = gn.tensor([3.0, 1.0, 3.0], requires_grad=True)
    u = x.unique()
    assert u.requires_grad  # (as PyTorch's: in the graph, its backward not implemented)
    loss = (x * 2).sum() + u.sum()
    with pytest.raises(RuntimeError, match=r"unique has no gradient.*x\.detach\(\)\.unique"):
        loss.backward()
    assert x.detach().unique().data.tolist() == [1.0, 3.0]


def test_unique_matches_torch():
    torch = _torch()
    a = np.array([[3.0, 1.0], [3.0, 2.0], [3.0, 1.0]])
    for kw in ({}, {"return_inverse": True, "return_counts": True}, {"dim": 0}, {"dim": 1}):
        mine, theirs = gn.tensor(a).unique(**kw), torch.tensor(a).unique(**kw)
        mine = mine if isinstance(mine, tuple) else (mine,)
        theirs = theirs if isinstance(theirs, tuple) else (theirs,)
        assert len(mine) == len(theirs)
        for m, t in zip(mine, theirs):
            assert np.asarray(m.data if isinstance(m, gn.Tensor) else m).tolist() == t.tolist()
    t = torch.tensor([3.0, 1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="not implemented"):
        t.unique().sum().backward()


# ----------------------------------------- FloatTensor, DoubleTensor, LongTensor, Generator
def test_legacy_constructors():
    f = gn.FloatTensor([1, 2, 3])
    assert isinstance(f, gn.Tensor) and f.dtype == np.float32 and f.data.tolist() == [1, 2, 3]
    assert not f.requires_grad
    d = gn.DoubleTensor(np.array([[0.5, 1.5]]))
    assert d.dtype == np.float64 and d.shape == (1, 2)
    assert gn.FloatTensor(2, 3).shape == (2, 3) and gn.FloatTensor(2, 3).data.sum() == 0
    assert gn.FloatTensor().shape == (0,)
    assert gn.FloatTensor(gn.tensor([1.0], dtype=gn.float64)).dtype == np.float32
    y = gn.LongTensor([2, 0, 1])
    assert type(y) is Array and y.dtype == np.int64 and y.tolist() == [2, 0, 1]
    assert gn.LongTensor(np.array([1.7, -2.7])).tolist() == [1, -2]  # (cut toward 0)
    assert gn.LongTensor(gn.tensor([3.0])).tolist() == [3]
    with pytest.raises(ValueError, match="nan"):
        gn.LongTensor([float("nan")])
    assert isinstance(gn.zeros(2), gn.FloatTensor) and not isinstance(gn.zeros(2), gn.LongTensor)
    assert isinstance(gn.zeros(2, dtype=gn.float64), gn.DoubleTensor)
    assert not isinstance(gn.zeros(2, dtype=gn.float64), gn.FloatTensor)
    assert isinstance(y, gn.LongTensor) and isinstance(gn.tensor([1.0]).long(), gn.LongTensor)
    with pytest.raises(TypeError, match=r"requires_grad=.*gn\.tensor\(data"):
        gn.FloatTensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="one data argument"):
        gn.FloatTensor([1.0], [2.0])
    # a network trains on them as PyTorch's scripts feed them
    model = gn.nn.Linear(3, 2)
    loss = gn.nn.CrossEntropyLoss()(model(gn.FloatTensor(np.eye(3))), gn.LongTensor([0, 1, 1]))
    loss.backward()
    assert model.W.grad is not None


def test_legacy_constructors_match_torch():
    torch = _torch()
    for data in ([1, 2], [[0.5, 1.5]], np.array([1.25, 2.5])):
        assert gn.FloatTensor(data).data.tolist() == torch.FloatTensor(data).tolist()
        assert gn.DoubleTensor(data).data.tolist() == torch.DoubleTensor(data).tolist()
        assert gn.LongTensor(data).tolist() == torch.LongTensor(data).tolist()
    assert gn.FloatTensor(2, 3).shape == tuple(torch.FloatTensor(2, 3).shape)
    assert gn.FloatTensor().shape == tuple(torch.FloatTensor().shape)


def test_generator_is_taken_wherever_generator_is():
    import copy
    import pickle

    g = gn.Generator()
    assert g.manual_seed(7) is g and g.initial_seed() == 7
    assert str(g) == repr(g) == "Generator(initial_seed=7)"
    assert isinstance(g, np.random.Generator)
    seeded = gn.randperm(10, generator=gn.Generator().manual_seed(3)).tolist()
    assert seeded == gn.randperm(10, generator=3).tolist()  # (a seed and a seeded one agree)
    a = gn.randint(0, 100, (5,), generator=gn.Generator().manual_seed(1)).tolist()
    assert a == gn.randint(0, 100, (5,), generator=1).tolist()
    r = gn.rand(3, generator=gn.Generator().manual_seed(2)).data
    np.testing.assert_array_equal(r, gn.rand(3, generator=2).data)
    # nn.init's in-place initializers
    w1, w2 = gn.nn.Linear(3, 2).W, gn.nn.Linear(3, 2).W
    with gn.no_grad():
        gn.nn.init.normal_(w1, generator=gn.Generator().manual_seed(5))
        gn.nn.init.normal_(w2, generator=5)
    np.testing.assert_array_equal(w1.data, w2.data)
    # a DataLoader's shuffle: the stream goes on from epoch to epoch, as PyTorch's
    X = gn.tensor(np.arange(8.0).reshape(8, 1))
    loader = gn.data.DataLoader(
        gn.data.TensorDataset(X),
        batch_size=8,
        shuffle=True,
        generator=gn.Generator().manual_seed(0),
    )
    same = gn.data.DataLoader(gn.data.TensorDataset(X), batch_size=8, shuffle=True, generator=0)
    first = [b[0].data.ravel().tolist() for b in loader]
    assert first == [b[0].data.ravel().tolist() for b in same]
    assert [b[0].data.ravel().tolist() for b in loader] != first  # (a new order each epoch)
    split = gn.data.random_split(gn.data.TensorDataset(X), [4, 4], generator=gn.Generator())
    assert sum(len(s) for s in split) == 8
    # reseeding starts the stream over; copies stay glassnet Generators mid-stream
    g.manual_seed(11)
    first = g.random(3)
    assert (g.manual_seed(11).random(3) == first).all()
    c = copy.deepcopy(g)
    assert type(c) is gn.Generator and c.random() == g.random() and c.initial_seed() == 11
    p = pickle.loads(pickle.dumps(g))
    assert type(p) is gn.Generator and p.random() == g.random()
    assert isinstance(g.seed(), int) and g.initial_seed() != 11
    for bad in (-1, 1.5, "7", True):
        with pytest.raises((TypeError, ValueError), match="manual_seed takes an int >= 0"):
            gn.Generator().manual_seed(bad)


def test_long_tensor_overflow_and_type_of_the_legacy_names():
    # (the review: LongTensor([2**63]) wrapped to -2**63; x.type(gn.FloatTensor) was refused)
    with pytest.raises(OverflowError, match="does not fit in int64"):
        gn.LongTensor([2**63])
    assert gn.LongTensor([2**63 - 1]).tolist() == [2**63 - 1]
    t = gn.Tensor([1.0, 2.0])
    assert (
        t.type(gn.DoubleTensor).dtype == np.float64 and t.type(gn.FloatTensor).dtype == np.float32
    )
    with pytest.raises(TypeError, match="float32 or float64 only"):
        t.type(gn.LongTensor)
