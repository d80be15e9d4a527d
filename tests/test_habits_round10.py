"""PyTorch's habits that a common script uses and glassnet lacked (each an AttributeError or
ImportError before): ``torch.device``, ``torch.cuda.is_available()``, ``x.device``,
``torch.utils.data``, ``allclose``/``isclose``/``equal``, ``sort``/``argsort``/``topk``,
``randint``/``randperm``, ``bmm``, ``F.one_hot`` and ``F.dropout``.

Each is checked against values NumPy computes here (these run without PyTorch), and against
PyTorch 2.13 itself where it is installed (``pytest.importorskip`` in those tests only)."""

from __future__ import annotations

import pickle
import sys
import types

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn.functional as F
from glassnet import Tensor
from glassnet.habits import Array

RNG = np.random.default_rng(10)
X = RNG.standard_normal((3, 5))  # no ties: every order is unique
A3, B3 = RNG.standard_normal((4, 2, 3)), RNG.standard_normal((4, 3, 5))


# ------------------------------------------------------------------ devices
def test_device_objects_read_as_pytorchs():
    cpu, cuda, one = gn.device("cpu"), gn.device("cuda"), gn.device("cuda:1")
    assert (cpu.type, cpu.index, str(cpu), repr(cpu)) == ("cpu", None, "cpu", "device(type='cpu')")
    assert (cuda.type, cuda.index, str(cuda)) == ("cuda", None, "cuda")
    assert (one.type, one.index, repr(one)) == ("cuda", 1, "device(type='cuda', index=1)")
    assert gn.device("cuda", 1) == one and gn.device(1) == one and gn.device(one) is one
    assert gn.device(type="cuda", index=0) == "cuda:0"
    # the one CPU: "cpu:0" is "cpu", the name everything that moves arrays takes (it was
    # made, then refused by model.to, x.to, fit and load)
    assert gn.device("cpu:0") == gn.device("cpu", 0) == "cpu" and gn.device("cpu:0").index is None
    x = gn.randn(2)
    assert x.to(gn.device("cpu:0")) is x
    assert type(str(one)) is str and pickle.loads(pickle.dumps(one)) == one
    assert repr(pickle.loads(pickle.dumps(one))) == repr(one)


@pytest.mark.parametrize(
    "args, error, words",
    [
        (("gpu",), ValueError, "'cpu' (NumPy) and 'cuda'"),
        (("mps",), ValueError, "Got 'mps'"),
        (("cuda:x",), ValueError, "'cuda' or 'cuda:N'"),
        (("cuda:1", 1), ValueError, "given twice"),
        (("cuda", -1), ValueError, "int >= 0"),
        (("cpu", 1), ValueError, "one device"),
        ((2.5,), TypeError, "Got 2.5 (float)"),
    ],
)
def test_device_refuses_what_glassnet_does_not_know(args, error, words):
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        gn.device(*args)


def test_a_device_object_moves_models_and_tensors_as_its_name_does():
    model = gn.nn.Sequential(gn.nn.Linear(3, 2), gn.nn.ReLU())
    device = gn.device("cuda" if gn.cuda.is_available() else "cpu")
    assert model.to(device) is model
    x = gn.randn(4, 3)
    assert x.to(device) is x and x.device == device and repr(x.device) == "device(type='cpu')"
    assert model(x.to(device)).shape == (4, 2)
    labels = gn.randint(0, 2, (4,))
    assert labels.to(device) is labels and labels.device == "cpu"
    # fit(device=...) takes it too
    X, y = RNG.standard_normal((20, 3)), RNG.standard_normal((20, 2))
    net = gn.nn.MLP([3, 4, 2], rng=0)
    gn.fit(net, X, y, epochs=1, device=gn.device("cpu"), verbose=False)
    # "cuda:N" is refused by the calls that move arrays, saying how to choose the GPU
    with pytest.raises(ValueError, match=r"cupy\.cuda\.Device\(n\)\.use\(\)"):
        model.to(gn.device("cuda:1"))
    with pytest.raises(ValueError, match=r"cupy\.cuda\.Device\(n\)\.use\(\)"):
        x.to(gn.device("cuda", 1))


def test_cuda_is_available_asks_cupy(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", None)  # (not installed: the import fails)
    assert gn.cuda.is_available() is False and gn.cuda.device_count() == 0

    def fake(count):
        def get():
            if isinstance(count, Exception):
                raise count
            return count

        runtime = types.SimpleNamespace(getDeviceCount=get)
        return types.SimpleNamespace(cuda=types.SimpleNamespace(runtime=runtime))

    monkeypatch.setitem(sys.modules, "cupy", fake(2))
    assert gn.cuda.is_available() is True and gn.cuda.device_count() == 2
    monkeypatch.setitem(sys.modules, "cupy", fake(0))
    assert gn.cuda.is_available() is False
    monkeypatch.setitem(sys.modules, "cupy", fake(RuntimeError("no CUDA driver")))
    assert gn.cuda.is_available() is False and gn.cuda.device_count() == 0


def test_device_matches_pytorchs():
    torch = pytest.importorskip("torch")
    for args in (("cpu",), ("cuda",), ("cuda:1",), ("cuda", 2)):  # ("cpu:0": "cpu" here)
        theirs, ours = torch.device(*args), gn.device(*args)
        assert (str(ours), ours.type, ours.index) == (str(theirs), theirs.type, theirs.index)
        assert repr(ours) == repr(theirs)
    assert gn.cuda.is_available() == torch.cuda.is_available() or not gn.cuda.is_available()


# ------------------------------------------------------------------ torch.utils.data
def test_utils_data_is_glassnet_data():
    import glassnet.data
    from glassnet.utils.data import DataLoader, Dataset, Subset, TensorDataset, random_split

    for name in glassnet.data.__all__:
        assert getattr(gn.utils.data, name) is getattr(glassnet.data, name)
    assert (DataLoader, Dataset, Subset, TensorDataset, random_split) == tuple(
        getattr(glassnet.data, n)
        for n in ("DataLoader", "Dataset", "Subset", "TensorDataset", "random_split")
    )
    loader = gn.utils.data.DataLoader(TensorDataset(X, np.arange(3)), batch_size=2)
    assert [xb.shape for xb, _ in loader] == [(2, 5), (1, 5)]


# ------------------------------------------------------------------ allclose, isclose, equal
def test_isclose_allclose_equal_as_numpy_reads_the_rule():
    a = np.array([1.0, 1.0 + 2e-5, np.inf, -np.inf, np.nan, 0.0])
    b = np.array([1.0, 1.0, np.inf, np.inf, np.nan, 5e-9])
    with np.errstate(invalid="ignore"):  # (inf - inf)
        want = np.abs(a - b) <= 1e-8 + 1e-5 * np.abs(b)  # PyTorch's rule, written out
    want[2:5] = [True, False, False]  # inf only to itself; NaN to nothing
    got = gn.isclose(Tensor(a), Tensor(b))
    assert isinstance(got, Array) and got.dtype == bool
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(gn.isclose(Tensor(a), Tensor(b), equal_nan=True)[4], True)
    np.testing.assert_array_equal(Tensor(a).isclose(Tensor(b), rtol=0, atol=0), a == b)
    assert gn.allclose(Tensor(a[[0, 2]]), Tensor(b[[0, 2]])) is True
    assert gn.allclose(Tensor(a[:3]), Tensor(b[:3])) is False  # (2e-5 apart: not close)
    assert gn.allclose(Tensor(a), Tensor(b)) is False
    assert gn.allclose(Tensor(a), Tensor(b), equal_nan=True) is False  # (inf vs -inf)
    assert gn.allclose(Tensor([1.0, 2.0]), Tensor([1.1, 2.0]), atol=0.2) is True
    assert gn.allclose(Tensor(np.ones((2, 1))), Tensor(np.ones(3)))  # (broadcast)
    assert gn.equal(Tensor(a[:4]), Tensor(a[:4])) is True
    assert gn.equal(Tensor(a), Tensor(a)) is False  # (NaN equals nothing)
    assert gn.equal(Tensor([1.0, 2.0]), Tensor([1.0, 2.0, 3.0])) is False
    assert gn.equal(Tensor(np.ones(2, np.float32)), Tensor(np.ones(2)))  # (dtypes may differ)
    assert Tensor([1.0]).equal(Tensor([1.0])) and Tensor([1.0]).allclose(Tensor([1.0]))
    # a number (which PyTorch refuses) is taken in the tensor's dtype
    assert (
        gn.allclose(Tensor(np.full(2, 0.1)), 0.1)
        and Tensor(np.ones(2, np.float32)).isclose(1).all()
    )


def test_isclose_refuses_bad_input_saying_what_to_do():
    f32, f64 = Tensor(np.ones(2, np.float32)), Tensor(np.ones(2))
    with pytest.raises(TypeError, match=r"float32 and other float64.*b\.to\(a\.dtype\)"):
        gn.allclose(f32, f64)
    with pytest.raises(ValueError, match=r"rtol.*>= 0. Got -1"):
        gn.isclose(f64, f64, rtol=-1)
    with pytest.raises(ValueError, match=r"shapes \(2,\) and \(3,\) cannot be broadcast"):
        gn.allclose(f64, Tensor(np.ones(3)))
    with pytest.raises(ValueError, match="equal_nan"):
        gn.isclose(f64, f64, equal_nan="yes")


def test_comparisons_match_pytorchs():
    torch = pytest.importorskip("torch")
    a = np.array([1.0, 1.0 + 2e-5, np.inf, -np.inf, np.nan, 0.0, 1e-9])
    b = np.array([1.0, 1.0, np.inf, np.inf, np.nan, 5e-9, 0.0])
    ta, tb = torch.tensor(a), torch.tensor(b)
    for kw in ({}, {"equal_nan": True}, {"rtol": 1e-3, "atol": 0.0}):
        np.testing.assert_array_equal(
            gn.isclose(Tensor(a), Tensor(b), **kw), torch.isclose(ta, tb, **kw).numpy()
        )
        assert gn.allclose(Tensor(a[:3]), Tensor(b[:3]), **kw) == torch.allclose(
            ta[:3], tb[:3], **kw
        )
    for x, y in ((a, a), (a[:4], a[:4]), (a[:2], b[:2]), (a[:2], a[:3])):
        assert gn.equal(Tensor(x), Tensor(y)) == torch.equal(torch.tensor(x), torch.tensor(y))


# ------------------------------------------------------------------ sort, argsort, topk
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("descending", [False, True])
def test_sort_values_indices_and_gradient(dim, descending):
    x = Tensor(X, requires_grad=True)
    out = x.sort(dim=dim, descending=descending)
    values, indices = out  # (a named tuple: unpacks)
    order = np.argsort(-X if descending else X, axis=dim)
    assert out.values is values and out.indices is indices
    assert isinstance(indices, Array) and indices.dtype == np.int64
    np.testing.assert_array_equal(indices, order)
    np.testing.assert_array_equal(values.data, np.take_along_axis(X, order, axis=dim))
    np.testing.assert_array_equal(x.argsort(dim, descending), order)
    np.testing.assert_array_equal(gn.argsort(x, dim=dim, descending=descending), order)
    w = np.arange(X.size, dtype=float).reshape(X.shape)  # (each position's weight)
    (values * Tensor(w)).sum().backward()
    want = np.zeros_like(X)
    np.put_along_axis(want, order, w, axis=dim)  # each value's gradient: its new place's w
    np.testing.assert_array_equal(x.grad, want)


def test_sort_nan_ties_and_0d():
    v = Tensor([3.0, np.nan, 1.0, np.inf, 1.0])
    np.testing.assert_array_equal(v.sort().indices, [2, 4, 0, 3, 1])  # NaN last, ties stable
    np.testing.assert_array_equal(v.sort(descending=True).indices, [1, 3, 0, 2, 4])
    s = gn.sort(Tensor(2.5))
    assert s.values.data == 2.5 and s.indices == 0 and s.indices.dtype == np.int64
    assert repr(gn.Tensor([2.0, 1.0]).sort()).startswith("sort(values=Tensor([1., 2.]")
    with pytest.raises(IndexError, match=r"sort: dim must be an integer in \[-2, 1\]. Got 2"):
        Tensor(X).sort(2)
    with pytest.raises(ValueError, match="descending"):
        Tensor(X).sort(descending="yes")


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("dim", [0, -1])
def test_topk_values_indices_and_gradient(largest, dim):
    k = 2
    x = Tensor(X, requires_grad=True)
    values, indices = x.topk(k, dim=dim, largest=largest)
    order = np.argsort(-X if largest else X, axis=dim)
    first = np.take(order, np.arange(k), axis=dim)
    assert isinstance(indices, Array) and indices.dtype == np.int64
    np.testing.assert_array_equal(indices, first)
    np.testing.assert_array_equal(values.data, np.take_along_axis(X, first, axis=dim))
    w = np.arange(values.data.size, dtype=float).reshape(values.shape) + 1
    (values * Tensor(w)).sum().backward()
    want = np.zeros_like(X)
    np.put_along_axis(want, first, w, axis=dim)  # the picked values get g, the rest 0
    np.testing.assert_array_equal(x.grad, want)
    # sorted=False gives the same k values (here in the same order); the function form
    v2, i2 = gn.topk(Tensor(X), k, dim, largest, sorted=False)
    np.testing.assert_array_equal(i2, first)


def test_topk_refuses_a_k_out_of_range():
    with pytest.raises(ValueError, match=r"k must be an int in \[0, 5\].*Got k=6"):
        Tensor(X).topk(6)
    with pytest.raises(ValueError, match=r"Got k=-1"):
        Tensor(X).topk(-1)
    with pytest.raises(ValueError, match=r"Got k=1\.0"):
        Tensor(X).topk(1.0)
    assert Tensor(X).topk(0).values.shape == (3, 0)
    assert Tensor([1.0, np.nan, 3.0]).topk(1).indices.tolist() == [1]  # (NaN is the largest)


@pytest.mark.parametrize(
    "fn",
    [
        lambda t: t.sort(dim=1).values,
        lambda t: t.sort(dim=0, descending=True).values,
        lambda t: t.topk(2, dim=1).values,
        lambda t: gn.topk(t, 2, dim=0, largest=False).values,
        lambda t: t.sort(dim=-1).values * t,  # (two paths into x)
    ],
)
def test_sort_and_topk_gradcheck_in_float64(fn):
    report = gn.gradcheck(fn, X)
    assert report.ok and len(report.rows) == 1


def test_sort_topk_match_pytorchs():
    torch = pytest.importorskip("torch")
    t = torch.tensor(X, requires_grad=True)
    w = np.arange(X.size, dtype=float).reshape(X.shape)
    cases = [
        lambda m, x: m.sort(x, dim=1),
        lambda m, x: m.sort(x, dim=0, descending=True),
        lambda m, x: m.topk(x, 3),
        lambda m, x: m.topk(x, 2, dim=0, largest=False),
    ]
    for case in cases:
        x = Tensor(X, requires_grad=True)
        t.grad = None
        (tv, ti), (gv, gi) = case(torch, t), case(gn, x)
        np.testing.assert_array_equal(gi, ti.numpy())
        np.testing.assert_array_equal(gv.data, tv.detach().numpy())
        (tv * torch.tensor(w[:, : tv.shape[1]][: tv.shape[0]])).sum().backward()
        (gv * Tensor(w[:, : gv.shape[1]][: gv.shape[0]])).sum().backward()
        np.testing.assert_array_equal(x.grad, t.grad.numpy())
    v = np.array([3.0, np.nan, 1.0, np.inf, -np.inf])
    for descending in (False, True):
        np.testing.assert_array_equal(
            gn.sort(Tensor(v), descending=descending).indices,
            torch.sort(torch.tensor(v), descending=descending, stable=True).indices.numpy(),
        )
    for largest in (False, True):
        ours, theirs = Tensor(v).topk(2, largest=largest), torch.tensor(v).topk(2, largest=largest)
        np.testing.assert_array_equal(ours.indices, theirs.indices.numpy())
    np.testing.assert_array_equal(Tensor(X).argsort(0), torch.tensor(X).argsort(0).numpy())


# ------------------------------------------------------------------ randint, randperm
def test_randint_draws_from_the_generator():
    got = gn.randint(2, 10, (3, 4), generator=7)
    assert isinstance(got, Array) and got.dtype == np.int64 and got.shape == (3, 4)
    np.testing.assert_array_equal(got, np.random.default_rng(7).integers(2, 10, (3, 4)))
    np.testing.assert_array_equal(  # (high, size): low 0
        gn.randint(10, (5,), generator=3), np.random.default_rng(3).integers(0, 10, 5)
    )
    for call in (
        lambda: gn.randint(10, size=(5,), generator=3),
        lambda: gn.randint(high=10, size=[5], generator=3),
        lambda: gn.randint(low=0, high=10, size=(5,), generator=3),
        lambda: gn.randint(0, high=10, size=(5,), generator=3),
    ):
        np.testing.assert_array_equal(call(), np.random.default_rng(3).integers(0, 10, 5))
    gn.manual_seed(5)
    a = gn.randint(0, 100, (6,))
    gn.manual_seed(5)
    np.testing.assert_array_equal(gn.randint(0, 100, (6,)), a)
    f = gn.randint(0, 3, (4,), dtype=gn.float64, requires_grad=True, generator=1)
    assert isinstance(f, Tensor) and f.dtype == np.float64 and f.requires_grad
    np.testing.assert_array_equal(f.data, np.random.default_rng(1).integers(0, 3, 4))
    assert gn.randint(0, 5, (2,), dtype=gn.int32).dtype == np.int32
    assert gn.randint(0, 5, (0, 2)).shape == (0, 2)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (
            lambda: gn.randint(5, 5, (3,)),
            ValueError,
            r"high must be greater than low.*low=5, high=5",
        ),
        (lambda: gn.randint(5, 2, (3,)), ValueError, r"low=5, high=2"),
        (lambda: gn.randint(0, 10, 3), TypeError, r"size must be a tuple.*Got 3"),
        (lambda: gn.randint(0.5, 10, (3,)), TypeError, r"low must be an int.*Got 0\.5"),
        (lambda: gn.randint(10), TypeError, r"needs high and size"),
        (lambda: gn.randint(1, 2, 3, (3,)), TypeError, r"\(high, size\) or \(low, high, size\)"),
        (lambda: gn.randint(0, 10, (-1,)), TypeError, r"size must be a tuple of sizes"),
        (lambda: gn.randint(0, 300, (2,), dtype=np.uint8), ValueError, r"does not fit uint8"),
        (lambda: gn.randint(0, 3, (2,), requires_grad=True), RuntimeError, r"floating point"),
        (lambda: gn.randint(0, 3, (2,), dtype="str"), ValueError, r"dtype must be an integer"),
        (lambda: gn.randperm(-1), ValueError, r"n must be >= 0.*Got -1"),
        (lambda: gn.randperm(2.0), TypeError, r"n must be an int"),
        (lambda: gn.randperm(3, requires_grad=True), RuntimeError, r"dtype=glassnet\.float32"),
    ],
)
def test_randint_and_randperm_refuse_bad_input(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_randperm_is_a_permutation_from_the_generator():
    got = gn.randperm(10, generator=4)
    assert isinstance(got, Array) and got.dtype == np.int64
    np.testing.assert_array_equal(got, np.random.default_rng(4).permutation(10))
    assert sorted(got.tolist()) == list(range(10)) and gn.randperm(0).shape == (0,)
    f = gn.randperm(4, dtype=gn.float32, generator=4)
    assert isinstance(f, Tensor) and f.dtype == np.float32
    rows = Tensor(X)[gn.randperm(3, generator=0)]  # (shuffles rows, as in PyTorch)
    assert sorted(rows.data[:, 0].tolist()) == sorted(X[:, 0].tolist())


def test_randint_randperm_types_match_pytorchs():
    torch = pytest.importorskip("torch")
    for ours, theirs in (
        (gn.randint(3, 10, (2, 3)), torch.randint(3, 10, (2, 3))),
        (gn.randint(10, (4,)), torch.randint(10, (4,))),
        (gn.randperm(6), torch.randperm(6)),
    ):
        assert ours.shape == tuple(theirs.shape) and str(ours.dtype) == str(theirs.dtype)[6:]
    assert torch.randint(0, 5, (2,), dtype=torch.float64).dtype == torch.float64
    assert gn.randint(0, 5, (2,), dtype=torch.float64).dtype == np.float64  # (torch's dtype)


# ------------------------------------------------------------------ bmm
def test_bmm_values_gradients_and_errors():
    a, b = Tensor(A3, requires_grad=True), Tensor(B3, requires_grad=True)
    out = gn.bmm(a, b)
    np.testing.assert_allclose(out.data, np.einsum("bij,bjk->bik", A3, B3), rtol=1e-12)
    w = RNG.standard_normal(out.shape)
    (out * Tensor(w)).sum().backward()
    np.testing.assert_allclose(a.grad, np.einsum("bik,bjk->bij", w, B3), rtol=1e-12)
    np.testing.assert_allclose(b.grad, np.einsum("bij,bik->bjk", A3, w), rtol=1e-12)
    assert gn.gradcheck(lambda x, y: x.bmm(y), A3, B3).ok
    with pytest.raises(ValueError, match=r"input must be a batch of matrices.*Got shape \(2, 3\)"):
        gn.bmm(Tensor(np.ones((2, 3))), Tensor(np.ones((3, 2))))
    with pytest.raises(ValueError, match=r"mat2 must have shape \(4, 3, p\).*Got \(1, 3, 5\)"):
        gn.bmm(Tensor(A3), Tensor(B3[:1]))  # (no broadcasting, as PyTorch's)


def test_bmm_matches_pytorchs():
    torch = pytest.importorskip("torch")
    ta, tb = torch.tensor(A3, requires_grad=True), torch.tensor(B3, requires_grad=True)
    a, b = Tensor(A3, requires_grad=True), Tensor(B3, requires_grad=True)
    w = RNG.standard_normal((4, 2, 5))
    (torch.bmm(ta, tb) * torch.tensor(w)).sum().backward()
    (gn.bmm(a, b) * Tensor(w)).sum().backward()
    np.testing.assert_allclose(gn.bmm(a, b).data, torch.bmm(ta, tb).detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(a.grad, ta.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(b.grad, tb.grad.numpy(), rtol=1e-12)


# ------------------------------------------------------------------ F.one_hot, F.dropout
def test_one_hot_of_labels_of_any_shape():
    labels = np.array([[0, 2], [1, 1]])
    got = F.one_hot(labels, 4)
    assert isinstance(got, Array) and got.dtype == np.int64 and got.shape == (2, 2, 4)
    np.testing.assert_array_equal(got, np.eye(4, dtype=np.int64)[labels])
    np.testing.assert_array_equal(
        F.one_hot(np.array([0, 2, 1])), np.eye(3, dtype=np.int64)[[0, 2, 1]]
    )
    np.testing.assert_array_equal(F.one_hot(gn.randint(0, 3, (5,), generator=0), 3).sum(1), 1)
    assert F.one_hot(np.int64(2), 4).tolist() == [0, 0, 1, 0]
    assert F.one_hot(np.zeros(0, np.int64), 3).shape == (0, 3)


@pytest.mark.parametrize(
    "labels, kw, error, words",
    [
        (np.array([0, 3]), {"num_classes": 3}, ValueError, r"smaller than num_classes=3. Got 3"),
        (np.array([0, -1]), {"num_classes": 3}, ValueError, r">= 0.*Got -1"),
        (np.array([0.0, 1.0]), {}, TypeError, r"integer class labels.*Got dtype float64"),
        (Tensor([0.0, 1.0]), {}, TypeError, r"Got a float32 Tensor.*astype\(np\.int64\)"),
        (np.array([True, False]), {}, TypeError, r"Got dtype bool"),
        (np.zeros(0, np.int64), {}, ValueError, r"empty tensor; pass num_classes"),
        (np.array([1]), {"num_classes": -2}, ValueError, r"Got -2"),
        (np.array([1]), {"num_classes": 2.0}, TypeError, r"num_classes must be an int"),
    ],
)
def test_one_hot_refuses_bad_labels(labels, kw, error, words):
    with pytest.raises(error, match=words):
        F.one_hot(labels, **kw)


def test_dropout_as_pytorchs_function():
    x = Tensor(np.ones((50, 40)), requires_grad=True)
    gn.manual_seed(0)
    y = F.dropout(x, 0.3)  # (training=True by default, as PyTorch's)
    keep = np.random.default_rng(0).random((50, 40)) >= 0.3  # (manual_seed(0)'s stream)
    np.testing.assert_allclose(y.data, keep / 0.7, rtol=1e-15)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, keep / 0.7, rtol=1e-15)
    assert (
        F.dropout(x, 0.3, training=False) is x
        and F.dropout(x, 0.0).data.tolist() == x.data.tolist()
    )
    assert F.dropout(x, 1.0).data.max() == 0  # (every value dropped, as PyTorch's)
    assert F.dropout(x, 1.0, training=False) is x  # (it refused p=1 out of training)
    z = Tensor(np.ones(3), requires_grad=True)
    F.dropout(z, 1.0).sum().backward()
    assert z.grad.tolist() == [0, 0, 0]


def test_dropout_gradcheck_in_float64():
    def fn(t):
        gn.manual_seed(1)  # (the same mask at every call of the check)
        return F.dropout(t, 0.4)

    assert gn.gradcheck(fn, X).ok


@pytest.mark.parametrize(
    "kw, error, words",
    [
        ({"p": 1.5}, ValueError, r"between 0 and 1.*Got p=1\.5"),
        ({"p": -0.1}, ValueError, r"Got p=-0\.1"),
        ({"p": True}, ValueError, r"Got p=True"),
        ({"p": 0.5, "inplace": True}, ValueError, r"inplace must be False"),
        ({"p": 0.5, "training": "yes"}, ValueError, r"training"),
    ],
)
def test_dropout_refuses_bad_arguments(kw, error, words):
    with pytest.raises(error, match=words):
        F.dropout(Tensor(X), **kw)


def test_one_hot_and_dropout_match_pytorchs():
    torch = pytest.importorskip("torch")
    labels = np.array([[0, 2], [1, 3]])
    np.testing.assert_array_equal(
        F.one_hot(labels), torch.nn.functional.one_hot(torch.tensor(labels)).numpy()
    )
    np.testing.assert_array_equal(
        F.one_hot(labels, 6), torch.nn.functional.one_hot(torch.tensor(labels), 6).numpy()
    )
    t = torch.tensor(X)
    for p, training in ((1.0, True), (0.0, True), (0.5, False)):
        np.testing.assert_array_equal(
            F.dropout(Tensor(X), p, training).data,
            torch.nn.functional.dropout(t, p, training).numpy(),
        )


# ------------------------------------------------------------------ the script, as written
def test_a_common_pytorch_prologue_runs_with_glassnet_as_torch():
    import glassnet as torch  # noqa: F401 (the habit under test)
    from glassnet.utils.data import DataLoader, TensorDataset

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    X_, y_ = torch.randn(16, 3, generator=0), torch.randint(0, 2, (16,), generator=0)
    loader = DataLoader(TensorDataset(X_, y_), batch_size=8, shuffle=True, generator=0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 2)).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for xb, yb in loader:
        xb, yb = xb.to(device), yb.to(device)
        loss = torch.nn.functional.cross_entropy(F.dropout(model(xb), 0.1), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    values, indices = model(X_).topk(1, dim=1)
    assert torch.equal(torch.tensor(indices[:, 0]), torch.tensor(model(X_).argmax(1)))
    assert X_.device == device and torch.allclose(values[:, 0], model(X_).amax(1))


# ------------------------------------------------ values beside a tensor, in its dtype
def test_comparisons_read_a_list_in_the_tensors_dtype():
    # a list became float32 beside a float64 tensor: equal said False, allclose refused a
    # "float32 other" the user never gave
    x64 = gn.tensor(np.array([0.1, 0.2]))
    x32 = gn.tensor([0.1, 0.2])
    for x in (x64, x32):
        assert gn.equal(x, [0.1, 0.2]) and x.equal([0.1, 0.2])
        assert gn.allclose(x, [0.1, 0.2]) and bool(np.all(gn.isclose(x, [0.1, 0.2])))
        assert not gn.equal(x, [0.1, 0.3])


def test_whole_numbers_a_float_type_would_round_are_refused_not_compared_rounded():
    # 16777217 and 16777216 are one float32 number: equal said True, argsort lost the order
    big = np.array([16777217, 16777216, 3])
    for call in (
        lambda: gn.equal(big[:1], big[1:2]),
        lambda: gn.argsort(big),
        lambda: gn.sort(big),
        lambda: gn.sum(big),
    ):
        with pytest.raises(ValueError, match=r"16777217 is not exact in float32.*float64"):
            call()
    np.testing.assert_array_equal(gn.argsort(np.array([5, 3, 4])), [1, 2, 0])
    assert float(gn.sum(np.array([1, 2]))) == 3.0


def test_randint_and_randperm_refuse_whole_numbers_a_float_dtype_would_round():
    # randperm(2**24 + 8, dtype=float32) gave duplicates in silence (PyTorch refuses)
    with pytest.raises(ValueError, match=r"n=16777224 does not fit float32.*16777216"):
        gn.randperm(2**24 + 8, dtype=gn.float32)
    with pytest.raises(ValueError, match=r"\[0, 16777218\) does not fit float32"):
        gn.randint(0, 2**24 + 2, (3,), dtype=gn.float32)
    with pytest.raises(ValueError, match=r"\[0, 300\) does not fit int8"):
        gn.randint(0, 300, (3,), dtype=np.int8)
    p = gn.randperm(2**24 + 1, dtype=gn.float32, generator=0)  # the last exact one
    assert p.data.max() == 2**24 and len(np.unique(p.data)) == 2**24 + 1


def test_cuda_seeding_and_device_calls_of_pytorchs_boilerplate():
    # torch.cuda.manual_seed_all(s) beside torch.manual_seed(s) ended a script with a bare
    # AttributeError; glassnet draws on the CPU only, so there is nothing else to seed
    assert gn.cuda.manual_seed_all(0) is None and gn.cuda.manual_seed(3) is None
    with pytest.raises(TypeError, match="seed must be an int"):
        gn.cuda.manual_seed_all(0.5)
    if not gn.cuda.is_available():
        with pytest.raises(RuntimeError, match="no GPU here.*is_available"):
            gn.cuda.current_device()
        with pytest.raises(RuntimeError, match="no GPU here"):
            gn.cuda.synchronize()
    with pytest.raises(AttributeError, match="glassnet.cuda has no memory_allocated.*CuPy"):
        gn.cuda.memory_allocated()


def test_a_list_of_whole_numbers_beside_a_float32_tensor_is_not_rounded_in_silence():
    # equal([16777217]) was True beside 16777216 (the list rounded to float32)
    x = gn.tensor([16777216.0], dtype=gn.float32)
    for call in (lambda: x.equal([16777217]), lambda: x.allclose([16777217], rtol=0, atol=0)):
        with pytest.raises(ValueError, match="16777217 is not exact in float32"):
            call()
    assert x.equal([16777216]) and not x.equal([16777215])
    with pytest.raises(
        ValueError, match=r"not exact in float32 \(Tensors hold floats\)\. Use NumPy"
    ):
        gn.sum(np.array([2**64 - 1], dtype=np.uint64))  # (no float type holds it: no advice)
