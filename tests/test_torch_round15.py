"""PyTorch's meaning of the methods a ported script calls on labels, indices, masks and
gradients (glassnet.habits.Array, glassnet.gradient.Grad), and the PyTorch idioms of
modules, optimizers and state dicts, compared with torch where it is installed."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet.gradient import Grad
from glassnet.habits import Array
from glassnet.utils.data import DataLoader, TensorDataset

torch = pytest.importorskip("torch")


def _labels() -> tuple[gn.Tensor, Array]:
    X = np.arange(6, dtype=np.float32).reshape(3, 2)
    xb, yb = next(iter(DataLoader(TensorDataset(X, np.array([0, 1, 2])), batch_size=3)))
    assert isinstance(yb, Array)
    return xb, yb


def _grad() -> Grad:
    w = gn.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    (w * w).sum().backward()
    assert isinstance(w.grad, Grad)
    return w.grad


def test_labels_repeat_as_the_inputs_repeat():
    """x.repeat(2, 1) and y.repeat(2) keep rows and labels together, as in PyTorch (the
    labels were each repeated in place, NumPy's repeat)."""
    xb, yb = _labels()
    assert (xb.repeat(2, 1).data[:, 0] / 2).astype(int).tolist() == yb.repeat(2).tolist()
    assert yb.repeat(2).tolist() == torch.tensor([0, 1, 2]).repeat(2).tolist()
    m = np.arange(6).reshape(2, 3).view(Array)
    np.testing.assert_array_equal(m.repeat(2, 3), torch.arange(6).reshape(2, 3).repeat(2, 3))
    np.testing.assert_array_equal(np.repeat(yb, 2), [0, 0, 1, 1, 2, 2])  # NumPy's, as before
    np.testing.assert_array_equal(yb.repeat(2, axis=0), [0, 0, 1, 1, 2, 2])
    with pytest.raises(ValueError, match="one count per axis"):
        m.repeat(2)


@pytest.mark.parametrize("make", ["array", "grad"])
def test_torch_named_methods_as_torch(make):
    a = np.arange(6).reshape(2, 3).view(Array) if make == "array" else _grad()
    t = torch.tensor(np.asarray(a))
    same = np.testing.assert_array_equal
    same(a.transpose(0, 1), t.transpose(0, 1))
    same(a.transpose(-1, 0), t.transpose(-1, 0))
    same(a.t(), t.t())
    same(a.permute(1, 0), t.permute(1, 0))
    same(np.transpose(a, (0, 1)), np.asarray(a))  # NumPy's permutation, as before
    same(a.transpose(), np.asarray(a).T)
    for op in ("max", "min"):
        v, i = getattr(a, op)(1)
        tv, ti = getattr(t, op)(1)
        same(v, tv), same(i, ti)
        v, i = getattr(a, op)(dim=0, keepdim=True)
        tv, ti = getattr(t, op)(dim=0, keepdim=True)
        same(v, tv), same(i, ti)
        assert getattr(a, op)() == getattr(t, op)().item()
        same(getattr(np, op)(a, 1), getattr(t, op)(1).values)  # NumPy's: the values only
        same(getattr(np, op)(a, axis=0), getattr(t, op)(0).values)
    assert a.size() == tuple(t.size()) and a.size(-1) == t.size(-1) and a.size == 6
    same(a.flatten(0), t.flatten(0))
    same(a.unsqueeze(1).flatten(1), t.unsqueeze(1).flatten(1))
    same(a.reshape(1, 2, 3).squeeze(0), t.reshape(1, 2, 3).squeeze(0))
    same(a.squeeze(0), t.squeeze(0))  # (a no-op, as torch's: NumPy's raised)
    same(a[:1].expand(4, -1), t[:1].expand(4, -1))
    same(a.view(-1), t.view(-1))
    assert a.contiguous() is a and a.t().contiguous().flags.c_contiguous


def test_sort_argsort_nonzero_as_torch():
    y = np.array([2, 0, 1, 0]).view(Array)
    ty = torch.tensor([2, 0, 1, 0])
    v, i = y.sort()
    tv, ti = ty.sort(stable=True)
    np.testing.assert_array_equal(v, tv), np.testing.assert_array_equal(i, ti)
    assert y.tolist() == [2, 0, 1, 0]  # (left as it was: NumPy sorted in place, gave None)
    v, i = y.sort(descending=True)
    np.testing.assert_array_equal(v, ty.sort(descending=True, stable=True).values)
    np.testing.assert_array_equal(i, ty.sort(descending=True, stable=True).indices)
    np.testing.assert_array_equal(
        y.argsort(descending=True), ty.argsort(descending=True, stable=True)
    )
    np.testing.assert_array_equal(np.sort(y), [0, 0, 1, 2])  # NumPy's function, as before
    np.testing.assert_array_equal(np.argsort(y, kind="stable"), [1, 3, 2, 0])
    pred, tgt = np.array([1, 2, 2, 0]).view(Array), np.array([1, 0, 2, 1])
    wrong = pred != tgt
    assert isinstance(wrong, Array)
    assert len(wrong.nonzero()) == len((torch.tensor(pred) != torch.tensor(tgt)).nonzero()) == 2
    np.testing.assert_array_equal(
        wrong.reshape(2, 2).nonzero(), torch.tensor(np.asarray(wrong).reshape(2, 2)).nonzero()
    )
    assert len(np.nonzero(wrong)) == 1  # NumPy's tuple, one array per axis
    np.testing.assert_array_equal(np.flatnonzero(wrong), [1, 3])
    np.testing.assert_array_equal(np.argwhere(wrong), [[1], [3]])
    a, b = wrong.nonzero(as_tuple=True)[0], torch.tensor(np.asarray(wrong)).nonzero(as_tuple=True)
    np.testing.assert_array_equal(a, b[0])


def test_one_hot_max_and_topk_accuracy_as_torch():
    """``vals, labels = F.one_hot(y).max(1)`` and the ImageNet example's accuracy()."""
    y = np.array([2, 0, 1]).view(Array)
    vals, labels = gn.nn.functional.one_hot(y, 3).max(1)
    assert labels.tolist() == [2, 0, 1] and vals.tolist() == [1, 1, 1]

    def accuracy(output, target, topk, lib):
        with lib.no_grad():
            _, pred = output.topk(max(topk), 1, True, True)
            pred = pred.t()
            correct = pred.eq(target.view(1, -1).expand_as(pred))
            return [correct[:k].reshape(-1).float().sum(0, keepdim=True).item() for k in topk]

    rs = np.random.RandomState(0)
    out, tgt = rs.randn(8, 10), rs.randint(0, 10, 8)
    xb, yb = next(iter(DataLoader(TensorDataset(out, tgt), batch_size=8)))
    want = accuracy(torch.tensor(out), torch.tensor(tgt), (1, 5), torch)
    assert accuracy(xb, yb, (1, 5), gn) == want


def test_grad_size_std_var_as_torch():
    g = _grad()
    tg = torch.tensor(np.asarray(g))
    assert g.size() == tuple(tg.size()) and g.size(0) == 2
    np.testing.assert_allclose(g.std(), tg.std().item(), rtol=1e-6)
    np.testing.assert_allclose(g.std(1), tg.std(1), rtol=1e-6)
    a = np.array([1, 2, 4, 7]).view(Array)
    np.testing.assert_allclose(a.var(), torch.tensor([1.0, 2, 4, 7]).var().item())
    np.testing.assert_allclose(np.var(a), np.var([1, 2, 4, 7]))  # NumPy's, biased
    b = np.array([[True, False], [True, True]]).view(Array)
    np.testing.assert_array_equal(b.all(dim=1), torch.tensor(np.asarray(b)).all(dim=1))
    np.testing.assert_array_equal(b.sum(dim=0), torch.tensor(np.asarray(b)).sum(dim=0))


def test_reset_parameters_re_initialises_as_pytorch_idiom():
    """``for layer in m.children(): if hasattr(layer, "reset_parameters"): ...`` redraws a
    Linear's weights (from glassnet's default generator, so manual_seed fixes the draw),
    and resets a BatchNorm1d's and a LayerNorm's affine parameters and running statistics."""
    gn.manual_seed(0)
    m = gn.nn.Sequential(gn.nn.Linear(3, 4), gn.nn.BatchNorm1d(4), gn.nn.LayerNorm(4))
    W, lin, bn, ln = m[0].W, m[0], m[1], m[2]
    with gn.no_grad():
        lin.b.fill_(5.0), bn.weight.fill_(3.0), ln.bias.fill_(2.0)
    m(gn.randn(8, 3))  # (training mode: the running statistics move)
    before = W.data.copy()

    def reset(model):
        for layer in model.children():
            if hasattr(layer, "reset_parameters"):
                layer.reset_parameters()

    gn.manual_seed(1)
    reset(m)
    assert m[0].W is W and not np.allclose(W.data, before)
    assert np.all(lin.b.data == 0) and np.all(bn.weight.data == 1) and np.all(ln.bias.data == 0)
    assert np.all(bn.running_mean == 0) and np.all(bn.running_var == 1)
    assert int(bn.num_batches_tracked) == 0
    first = W.data.copy()
    gn.manual_seed(1)
    reset(m)
    np.testing.assert_array_equal(W.data, first)  # the draw follows glassnet.manual_seed
    gn.manual_seed(1)
    np.testing.assert_array_equal(gn.nn.Linear(3, 4).W.data, first)  # as at construction


def test_write_refusal_names_the_operand_that_requires_grad():
    """``out[:, t] = h`` (h in the graph, out a buffer) advises stack/cat, not no_grad()
    (which dropped the gradient silently); copy_ and zero_ name themselves."""
    W = gn.randn(3, 3, requires_grad=True)
    h = gn.randn(2, 3) @ W
    out = gn.zeros(2, 2, 3)
    with pytest.raises(RuntimeError, match=r"value written requires grad.*glassnet\.stack"):
        out[:, 0] = h
    with pytest.raises(RuntimeError, match=r"^x\.copy_\(src\): the value written"):
        out.copy_(gn.stack([h, h], 1))
    with pytest.raises(RuntimeError, match=r"^x\.zero_\(\): the target x requires grad"):
        W.zero_()
    with pytest.raises(RuntimeError, match=r"^x\.copy_\(src\): the target x requires grad"):
        W.copy_(np.zeros((3, 3)))
    # the advice, followed, keeps the gradient
    rows = [gn.randn(2, 3) @ W for _ in range(2)]
    gn.stack(rows, 1).sum().backward()
    assert np.abs(W.grad).sum() > 0


def test_nn_functional_linear_takes_pytorch_layout():
    """glassnet.nn.functional.linear is PyTorch's: weight (out, in), y = x @ weight.T + b
    (a square weight is not read transposed), the gradients checked in float64."""
    import glassnet.nn.functional as F

    rs = np.random.RandomState(0)
    for shape in [(4, 3), (3,), (2, 5, 3)]:
        x, w, b = rs.randn(*shape), rs.randn(3, 3), rs.randn(3)
        want = torch.nn.functional.linear(torch.tensor(x), torch.tensor(w), torch.tensor(b))
        np.testing.assert_allclose(F.linear(x, w, b).data, want.numpy(), rtol=1e-12)
    w2 = rs.randn(2, 3)
    np.testing.assert_allclose(F.linear(x, w2).data, x @ w2.T, rtol=1e-12)
    with pytest.raises(ValueError, match="out_features, in_features"):
        F.linear(x, w2.T)
    from glassnet.gradcheck import gradcheck

    args = [gn.tensor(a, dtype=np.float64, requires_grad=True) for a in (x, w2, rs.randn(2))]
    assert gradcheck(F.linear, args)


def test_load_torch_state_dict_takes_batchnorm1d():
    """A torch Sequential with BatchNorm1d loads (weights, bias and running statistics) and
    gives torch's outputs in eval mode."""
    torch.manual_seed(0)
    tnn = torch.nn
    t = tnn.Sequential(tnn.Linear(4, 8), tnn.BatchNorm1d(8), tnn.ReLU(), tnn.Linear(8, 3))
    t = t.double()
    t(torch.randn(10, 4, dtype=torch.float64) * 3 + 1)  # (the running statistics move)
    t.eval()
    nn = gn.nn
    g = nn.Sequential(
        nn.Linear(4, 8, dtype=np.float64),
        nn.BatchNorm1d(8, dtype=np.float64),
        nn.ReLU(),
        nn.Linear(8, 3, dtype=np.float64),
    )
    gn.io.load_torch_state_dict(g, t.state_dict())
    g.eval()
    x = np.random.RandomState(0).randn(5, 4)
    with torch.no_grad():
        want = t(torch.tensor(x)).numpy()
    np.testing.assert_allclose(g(x).data, want, rtol=1e-10, atol=1e-12)
    assert int(g[1].num_batches_tracked) == 1
    np.testing.assert_array_equal(g[1].running_var, t[1].running_var.numpy())
    # a BatchNorm1d without affine parameters (running statistics only) loads too
    t2 = tnn.Sequential(tnn.Linear(4, 8), tnn.BatchNorm1d(8, affine=False)).double()
    t2(torch.randn(6, 4, dtype=torch.float64))
    t2.eval()
    g2 = nn.Sequential(
        nn.Linear(4, 8, dtype=np.float64), nn.BatchNorm1d(8, affine=False, dtype=np.float64)
    )
    gn.io.load_torch_state_dict(g2, t2.state_dict()).eval()
    with torch.no_grad():
        np.testing.assert_allclose(g2(x).data, t2(torch.tensor(x)).numpy(), rtol=1e-10)
    # tracking in one and not the other: refused, naming track_running_stats
    g3 = nn.Sequential(
        nn.Linear(4, 8), nn.BatchNorm1d(8, track_running_stats=False), nn.ReLU(), nn.Linear(8, 3)
    )
    with pytest.raises(ValueError, match="track_running_stats"):
        gn.io.load_torch_state_dict(g3, t.state_dict())


def test_load_state_dict_of_pytorch_keys_names_load_torch_state_dict():
    t = torch.nn.Sequential(torch.nn.Linear(4, 3))
    g = gn.nn.Sequential(gn.nn.Linear(4, 3))
    with pytest.raises(ValueError, match=r"missing keys.*gn|glassnet\.io\.load_torch_state_dict"):
        g.load_state_dict(t.state_dict())
    with pytest.raises(ValueError, match=r"'0\.weight'.*load_torch_state_dict\(model"):
        g.load_state_dict(t.state_dict())
    with pytest.raises(ValueError) as info:  # glassnet's own keys, wrong: no such hint
        g.load_state_dict({"0.W": np.zeros((4, 3))})
    assert "load_torch_state_dict" not in str(info.value)


def _pair(opt_name, **kw):
    """A glassnet Linear and a torch Linear with the same float64 weights, and an optimizer
    of each kind."""
    torch.manual_seed(0)
    t = torch.nn.Linear(3, 2).double()
    g = gn.nn.Linear(3, 2, dtype=np.float64)
    with gn.no_grad():
        g.W.copy_(t.weight.detach().numpy().T), g.b.copy_(t.bias.detach().numpy())
    return (
        g,
        t,
        getattr(gn.optim, opt_name)(g.parameters(), **kw),
        getattr(torch.optim, opt_name)(t.parameters(), **kw),
    )


def _steps(g, t, go, to, n, rs):
    for _ in range(n):
        x = rs.randn(4, 3)
        go.zero_grad(), to.zero_grad()
        (g(x) ** 2).sum().backward()
        (t(torch.tensor(x)) ** 2).sum().backward()
        go.step(), to.step()


@pytest.mark.parametrize(
    ("opt_name", "kw", "keys"),
    [
        ("Adam", {"lr": 0.1}, ["exp_avg", "exp_avg_sq"]),
        ("SGD", {"lr": 0.1, "momentum": 0.9}, ["momentum_buffer"]),
    ],
)
def test_optimizer_state_as_pytorch(opt_name, kw, keys):
    """opt.state[p][PyTorch's key] holds torch's values (views of the optimizer's buffers);
    opt.state = defaultdict(dict) starts the moments afresh, as PyTorch's."""
    import collections

    g, t, go, to = _pair(opt_name, **kw)
    rs = np.random.RandomState(0)
    _steps(g, t, go, to, 3, rs)
    for k in keys:
        np.testing.assert_allclose(go.state[g.W][k], to.state[t.weight][k].numpy().T, rtol=1e-10)
        np.testing.assert_allclose(go.state[g.b][k], to.state[t.bias][k].numpy(), rtol=1e-10)
    if opt_name == "Adam":
        assert go.state[g.W]["step"] == int(to.state[t.weight]["step"]) == 3
    assert len(list(go.state.values())) == 2
    go.state[g.b][keys[0]][...] = 0  # a view: written into the optimizer's buffer
    to.state[t.bias][keys[0]].zero_()
    go.state, to.state = collections.defaultdict(dict), collections.defaultdict(dict)
    _steps(g, t, go, to, 2, rs)
    np.testing.assert_allclose(g.W.data, t.weight.detach().numpy().T, rtol=1e-10)
    np.testing.assert_allclose(g.b.data, t.bias.detach().numpy(), rtol=1e-10)
    with pytest.raises(TypeError, match="only an empty mapping"):
        go.state = {g.W: {}}


def test_module_cuda_mirrors_tensor_cuda_and_half_is_refused():
    m = gn.nn.Sequential(gn.nn.Linear(2, 3))
    try:
        import cupy  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError) as tensor_error:
            gn.tensor([1.0]).cuda()
        with pytest.raises(ImportError) as module_error:
            m.cuda()
        assert str(module_error.value) == str(tensor_error.value)  # x.cuda()'s own message
    else:
        assert m.cuda() is m and m.cpu() is m
    with pytest.raises(ValueError, match="one GPU"):
        m.cuda(1)
    with pytest.raises(TypeError, match=r"half\(\).*float32 or float64"):
        m.half()
    with pytest.raises(TypeError, match=r"bfloat16\(\)"):
        m.bfloat16()


# ------------------------------------------------------------ review mends (round 15)
def test_numpys_functions_keep_numpys_meaning_on_labels_and_gradients():
    # np.unique called a.sort() (PyTorch's: a tuple, the array unsorted), np.median and
    # np.percentile sorted a.flatten() in place (a view: the labels or the gradient reordered)
    from glassnet.habits import Array

    y = np.array([2, 0, 1, 1, 2, 0, 2])
    Y = y.copy().view(Array)
    assert np.unique(Y, return_counts=True)[1].tolist() == [2, 2, 3]
    assert np.median(Y) == 1.0 and Y.tolist() == y.tolist()
    assert np.tile(Y, 2).tolist() == np.tile(y, 2).tolist()
    assert np.sort(Y, axis=None).tolist() == sorted(y) and Y.tolist() == y.tolist()
    gn.manual_seed(0)
    lin = gn.nn.Linear(3, 2)
    ((lin(gn.randn(8, 3)) - 1) ** 2).mean().backward()
    before = np.array(lin.W.grad)
    np.percentile(lin.W.grad, 90)
    np.testing.assert_array_equal(lin.W.grad, before)
    assert np.all(np.diff(np.unique(lin.W.grad)) > 0)
    kept = lin.W.grad.flatten()  # (a copy, as NumPy's: a history of gradients stays)
    kept[:] = 0
    np.testing.assert_array_equal(lin.W.grad, before)


def test_a_descending_sort_of_unsigned_and_extreme_integers_is_pytorchs():
    from glassnet.habits import Array

    a = np.array([0, 3, 1, 2, 3, 1], np.uint8).view(Array)  # (-a wrapped around)
    v, i = a.sort(descending=True)
    assert v.tolist() == [3, 3, 2, 1, 1, 0] and i.tolist() == [1, 4, 3, 2, 5, 0]
    b = np.array([np.iinfo(np.int64).min, 0, 5]).view(Array)
    assert b.sort(descending=True)[0].tolist() == [5, 0, np.iinfo(np.int64).min]


def test_writes_to_the_state_mapping_are_refused_not_lost():
    # opt.state is read from the buffers at each read: opt.state[p]["exp_avg"] = ..., del
    # opt.state[p] and opt.state.clear() were lost in silence
    m = gn.nn.Linear(3, 2)
    opt = gn.optim.Adam(m.parameters(), lr=0.1)
    (m(gn.randn(4, 3)) ** 2).mean().backward()
    opt.step()
    for write in (
        lambda: opt.state[m.W].__setitem__("exp_avg", np.zeros((3, 2))),
        lambda: opt.state.__delitem__(m.W),
        lambda: opt.state.clear(),
    ):
        with pytest.raises(TypeError, match="a change to the mapping would be lost"):
            write()
    assert opt.state[m.W]["step"].item() == 1
    opt.state[m.W]["exp_avg"].zero_()  # (into the buffer: the optimizer's)
    assert not np.any(opt.state[m.W]["exp_avg"])


def test_the_pytorch_hint_is_not_given_for_glassnets_own_state_dict():
    # a glassnet model with a LayerNorm (its keys end in .weight) loaded into another
    # structure was told to use load_torch_state_dict
    a = gn.nn.Sequential(gn.nn.Linear(3, 4), gn.nn.LayerNorm(4))
    b = gn.nn.Sequential(gn.nn.Linear(3, 5), gn.nn.LayerNorm(5), gn.nn.Linear(5, 1))
    with pytest.raises(ValueError) as e:
        b.load_state_dict(a.state_dict())
    assert "load_torch_state_dict" not in str(e.value)
