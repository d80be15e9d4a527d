"""PyTorch habits, round 9: the official tutorials' training and test loops, written with
glassnet, and the calls they make that glassnet lacked (a batch's labels moved with
``y.to(device)`` and cast with ``.type(torch.float)``), run in glassnet and, where torch is
installed, in PyTorch from the same values."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet._validation import ParameterError
from glassnet.data import DataLoader, Dataset, TensorDataset
from glassnet.habits import Array

RNG = np.random.default_rng(9)
X = RNG.normal(size=(40, 4)).astype(np.float32)
Y = RNG.integers(0, 3, 40)


class Rows(Dataset):
    """A map-style dataset as the tutorials write one: (features, label) per item."""

    def __len__(self) -> int:
        return len(X)

    def __getitem__(self, i: int):
        return X[i], Y[i]


# ---------------------------------------------------------------- a batch's labels
def test_a_batch_of_integer_labels_is_an_array_with_pytorchs_calls():
    xb, yb = next(iter(DataLoader(Rows(), batch_size=8)))
    assert isinstance(yb, Array) and yb.dtype == np.int64
    assert yb.to("cpu") is yb and yb.cpu() is yb and yb.detach() is yb
    assert type(yb.numpy()) is np.ndarray and np.shares_memory(yb.numpy(), yb)
    assert yb.size(0) == 8 and yb.size() == (8,) and yb.size == 8 and yb.numel() == 8
    assert yb.dim() == 1
    assert yb.unsqueeze(1).shape == (8, 1) and yb.view(-1, 1).shape == (8, 1)
    assert yb.view((2, 4)).shape == (2, 4) and type(yb.view(np.ndarray)) is np.ndarray
    f = yb.float()
    assert isinstance(f, gn.Tensor) and f.dtype == np.float32
    np.testing.assert_array_equal(f.data, Y[:8])
    for cast in (yb.to(gn.float32), yb.type(gn.float32), yb.to(dtype="float32")):
        assert isinstance(cast, gn.Tensor) and cast.dtype == np.float32
    assert yb.to(np.float64).dtype == np.float64
    assert type(yb.to(np.int32)) is Array and yb.to(np.int32).dtype == np.int32
    assert yb.to("cpu", copy=True) is not yb
    # TensorDataset's integer labels and bool masks likewise
    _, tb = next(iter(DataLoader(TensorDataset(X, Y > 1), batch_size=4)))
    assert isinstance(tb, Array) and tb.dtype == bool and tb.float().dtype == np.float32


def test_torch_dtypes_by_name_take_pytorchs_meaning():
    class FakeDtype:  # (PyTorch's dtypes print as torch.<name>)
        def __init__(self, name: str) -> None:
            self.name = name

        def __str__(self) -> str:
            return f"torch.{self.name}"

    y = np.array([0, 1, 2]).view(Array)
    assert y.to(FakeDtype("long")).dtype == np.int64
    assert y.to(FakeDtype("int")).dtype == np.int32  # (torch.int is int32, not NumPy's int)
    assert y.type(FakeDtype("float")).dtype == np.float32
    assert y.to(FakeDtype("float64")).dtype == np.float64


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda y: y.to("cuda:1"), ParameterError, "CuPy device"),
        (lambda y: y.to("tpu"), ParameterError, "'tpu' is not one glassnet knows"),
        (lambda y: y.to(np.complex64), ParameterError, r"float.*integer or bool"),
        (lambda y: y.to(np.float16), ParameterError, "float32 or float64"),
        (lambda y: y.to("cpu", non_blocking="yes"), ParameterError, "non_blocking"),
        (lambda y: y.type(), TypeError, r"read \.dtype \(int64\)"),
    ],
)
def test_array_to_refuses_what_it_cannot_do(call, error, match):
    with pytest.raises(error, match=match):
        call(np.array([0, 1, 2]).view(Array))


def test_the_quickstart_loops_run_as_written():
    """PyTorch's quickstart tutorial's train() and test(), gn for torch."""
    device = "cpu"
    loader = DataLoader(Rows(), batch_size=16)
    model = nn.Sequential(nn.Linear(4, 8, rng=0), nn.ReLU(), nn.Linear(8, 3, rng=1))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = gn.optim.SGD(model.parameters(), lr=0.1)
    model.train()
    for X_, y in loader:
        X_, y = X_.to(device), y.to(device)
        loss = loss_fn(model(X_), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    model.eval()
    test_loss, correct = 0.0, 0.0
    with gn.no_grad():
        for X_, y in loader:
            X_, y = X_.to(device), y.to(device)
            pred = model(X_)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(gn.float32).sum().item()
    out = model(gn.tensor(X)).data
    assert correct == float(np.sum(out.argmax(1) == Y))
    expected = sum(
        float(nn.CrossEntropyLoss()(gn.tensor(out[i : i + 16]), Y[i : i + 16]).item())
        for i in range(0, 40, 16)
    )
    assert test_loss == pytest.approx(expected, rel=1e-6)


def test_the_quickstart_loops_as_torch():
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader as TorchLoader
    from torch.utils.data import Dataset as TorchDataset

    class TorchRows(TorchDataset):
        def __len__(self):
            return len(X)

        def __getitem__(self, i):
            return X[i], Y[i]

    tm = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    gm = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    for a, b in zip((tm[0], tm[2]), (gm[0], gm[2])):
        b.W.data[...] = a.weight.detach().numpy().T
        b.b.data[...] = a.bias.detach().numpy()
    results = []
    for lib, model, loader in (
        (torch, tm, TorchLoader(TorchRows(), batch_size=16)),
        (gn, gm, DataLoader(Rows(), batch_size=16)),
    ):
        loss_fn = lib.nn.CrossEntropyLoss()
        opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-3)
        for _ in range(3):
            model.train()
            for xb, yb in loader:
                xb, yb = xb.to("cpu"), yb.to("cpu")
                loss = loss_fn(model(xb), yb)
                loss.backward()
                opt.step()
                opt.zero_grad(set_to_none=True)
        model.eval()
        test_loss, correct, bce = 0.0, 0.0, 0.0
        with lib.no_grad():
            for xb, yb in loader:
                pred = model(xb)
                test_loss += loss_fn(pred, yb).item()
                correct += (pred.argmax(1) == yb).type(lib.float32).sum().item()
                # a binary target from the labels: y.float().unsqueeze(1), y.view(-1, 1)
                t = (yb == 1).float().unsqueeze(1)
                bce += lib.nn.BCEWithLogitsLoss()(pred[:, :1], t).item()
                bce += lib.nn.MSELoss()(pred[:, 1:2], yb.view(-1, 1).float()).item()
                assert yb.size(0) == len(xb) and yb.numel() == len(xb)
        results.append((test_loss, correct, bce))
    (tl, tc, tb), (gl, gc, gb) = results
    assert gc == tc
    assert gl == pytest.approx(tl, rel=1e-5) and gb == pytest.approx(tb, rel=1e-5)


# ---------------------------------------------------------------- fill_
def test_fill_takes_one_value_as_pytorch():
    x = gn.zeros(2, 3)
    x.fill_(gn.tensor(2.0))
    np.testing.assert_array_equal(x.data, np.full((2, 3), 2.0))
    with pytest.raises(ValueError, match=r"fill_\(v\) takes one value.*\(3,\).*copy_"):
        x.fill_(gn.tensor([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(x.data, np.full((2, 3), 2.0))
    x.copy_(gn.tensor([1.0, 2.0, 3.0]))  # (copy_ broadcasts, as PyTorch's)
    np.testing.assert_array_equal(x.data, [[1.0, 2.0, 3.0]] * 2)


def test_fill_as_torch():
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="0-dimension"):
        torch.zeros(2, 4).fill_(torch.tensor([1.0, 2.0, 3.0, 4.0]))
    with pytest.raises(RuntimeError, match="0-dimension"):
        torch.zeros(2, 4).fill_(torch.tensor([1.0]))
    with pytest.raises(ValueError, match="one value"):
        gn.zeros(2, 4).fill_(gn.tensor([1.0]))


# ---------------------------------------------------------------- step(epoch)
def _warm_restarts(lib, **kw):
    if lib == "torch":
        torch = pytest.importorskip("torch")
        params = [torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))]
        opt = torch.optim.SGD([{"params": params[:1]}, {"params": params[1:], "lr": 0.3}], lr=0.1)
        return opt, torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, **kw)
    params = [nn.Parameter(gn.zeros(1)), nn.Parameter(gn.zeros(1))]
    opt = gn.optim.SGD([{"params": params[:1]}, {"params": params[1:], "lr": 0.3}], lr=0.1)
    return opt, gn.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, **kw)


def _per_batch(opt, sched, iters=5, epochs=9):
    """PyTorch's documented per-batch use: sched.step(epoch + i / iters) after each step;
    then plain steps, which go on from the last fractional epoch."""
    seen = []
    for epoch in range(epochs):
        for i in range(iters):
            opt.step()
            sched.step(epoch + i / iters)
            seen.append([g["lr"] for g in opt.param_groups])
    sched.step(2.5)
    seen.append([g["lr"] for g in opt.param_groups])
    for _ in range(4):
        sched.step()
        seen.append([g["lr"] for g in opt.param_groups])
    return seen


@pytest.mark.parametrize("kw", [dict(T_0=3), dict(T_0=2, T_mult=2, eta_min=0.01)])
def test_warm_restarts_step_takes_a_fractional_epoch(kw):
    opt, sched = _warm_restarts("gn", **kw)
    seen = _per_batch(opt, sched)
    t0, mult, eta = kw["T_0"], kw.get("T_mult", 1), kw.get("eta_min", 0.0)

    def rate(base, e):  # the curve's closed form, written out
        start, period = 0.0, t0
        while start + period <= e:
            start, period = start + period, period * mult
        return eta + (base - eta) * (1 + np.cos(np.pi * (e - start) / period)) / 2

    points = [e + i / 5 for e in range(9) for i in range(5)] + [2.5, 3.5, 4.5, 5.5, 6.5]
    want = [[rate(0.1, p), rate(0.3, p)] for p in points]
    np.testing.assert_allclose(seen, want, rtol=1e-12)
    assert sched.epoch == 6 and sched.fraction == 0.5
    state = sched.state_dict()
    again = _warm_restarts("gn", **kw)[1]
    again.load_state_dict(state)
    assert again.epoch == 6 and again.fraction == 0.5


@pytest.mark.parametrize("kw", [dict(T_0=3), dict(T_0=2, T_mult=2, eta_min=0.01)])
def test_warm_restarts_step_epoch_as_torch(kw):
    want = _per_batch(*_warm_restarts("torch", **kw))
    got = _per_batch(*_warm_restarts("gn", **kw))
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_step_epoch_is_refused_with_the_reason():
    opt, sched = _warm_restarts("gn", T_0=3)
    for bad, error in ((-0.5, ParameterError), ("1", TypeError), (True, TypeError)):
        with pytest.raises(error, match="epoch"):
            sched.step(bad)
    assert sched.epoch == 0 and [g["lr"] for g in opt.param_groups] == [0.1, 0.3]
    opt = gn.optim.SGD([nn.Parameter(gn.zeros(1))], lr=0.1)
    for sched in (
        gn.optim.lr_scheduler.StepLR(opt, 2),
        gn.optim.lr_scheduler.LambdaLR(opt, lambda e: 0.5**e),
    ):
        with pytest.raises(TypeError, match=r"takes no epoch.*once per epoch.*epoch=3"):
            sched.step(3)
        assert sched.epoch == 0


# ---------------------------------------------------------------- F.softmax without dim
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_functional_softmax_without_dim_on_3_axes_or_more_is_refused(name):
    import glassnet.nn.functional as F

    fn = getattr(F, name)
    for shape, implicit in (((2, 3, 4), 0), ((2, 3, 2, 2), 1)):
        x = gn.tensor(RNG.normal(size=shape))
        with pytest.raises(ValueError, match=rf"{len(shape)} axes.*dim={implicit}.*Pass dim="):
            fn(x)
        with pytest.raises(ValueError, match="Pass dim="):
            fn(x.data)
        np.testing.assert_allclose(fn(x, dim=-1).data, fn(x, -1).data)
    for shape in ((5,), (3, 4)):  # (at most 2 axes: the last, PyTorch's implicit one too)
        x = RNG.normal(size=shape)
        np.testing.assert_allclose(fn(x).data, fn(x, dim=-1).data)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_functional_softmax_without_dim_as_torch(name):
    torch = pytest.importorskip("torch")
    import warnings

    import glassnet.nn.functional as F

    for shape in ((5,), (3, 4), (2, 3, 4), (2, 3, 2, 2)):
        x = RNG.normal(size=shape)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (PyTorch's "implicit dimension" warning)
            want = getattr(torch.nn.functional, name)(torch.tensor(x)).numpy()
        if len(shape) <= 2:
            np.testing.assert_allclose(getattr(F, name)(x).data, want, rtol=1e-12)
        else:  # (the axis PyTorch took, passed: the same numbers)
            got = getattr(F, name)(x, dim=0 if len(shape) == 3 else 1).data
            np.testing.assert_allclose(got, want, rtol=1e-12)
            assert not np.allclose(getattr(F, name)(x, dim=-1).data, want)


# ---------------------------------------------------------------- int(x)
def test_int_of_a_one_value_tensor_is_its_value_toward_zero():
    labels = np.array([1, 0, 1, 1])
    assert int((gn.tensor(labels) == 1).float().sum()) == 3  # (a count, as PyTorch's)
    assert int(gn.tensor(2.7)) == 2 and int(gn.tensor([-2.7])) == -2
    assert int(gn.tensor(3.0, requires_grad=True) * 2) == 6
    with pytest.raises(ValueError, match="one value"):
        int(gn.tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match="NaN"):
        int(gn.tensor(float("nan")))


def test_int_as_torch():
    torch = pytest.importorskip("torch")
    for v in (2.7, -2.7, 0.0, [5.0], [[1e6 + 0.5]]):
        assert int(gn.tensor(v, dtype=gn.float64)) == int(torch.tensor(v, dtype=torch.float64))
    with pytest.raises((ValueError, RuntimeError)):
        int(torch.tensor([1.0, 2.0]))


# ---------------------------------------------------------------- DataLoader's positions
def _rows(loader):
    return [np.asarray(b[0].data).ravel().tolist() for b in loader]


def test_dataloader_takes_pytorchs_positional_order():
    ds = TensorDataset(np.arange(5.0)[:, None])
    # (dataset, batch_size, shuffle, sampler, batch_sampler, num_workers, collate_fn,
    #  pin_memory, drop_last, timeout, worker_init_fn, multiprocessing_context, generator)
    assert _rows(DataLoader(ds, 2, False, [4, 3, 2, 1, 0])) == [[4.0, 3.0], [2.0, 1.0], [0.0]]
    assert _rows(DataLoader(ds, 1, False, None, [[1, 0], [4]])) == [[1.0, 0.0], [4.0]]
    assert _rows(DataLoader(ds, 2, False, None, None, 0, None, False, True)) == [
        [0.0, 1.0],
        [2.0, 3.0],
    ]
    a = DataLoader(ds, 2, True, None, None, 0, None, False, False, 0, None, None, 7)
    b = DataLoader(ds, 2, True, generator=7)
    assert _rows(a) == _rows(b)
    with pytest.raises(ParameterError, match="'sampler'"):  # (4th: drop_last before)
        DataLoader(ds, 2, False, True)


def test_dataloader_takes_pytorchs_worker_options_as_pytorch_does_without_workers():
    ds = TensorDataset(np.arange(4.0)[:, None])
    loader = DataLoader(
        ds, 2, timeout=0, worker_init_fn=print, persistent_workers=False,
        pin_memory_device="", in_order=False,
    )  # fmt: skip
    assert _rows(loader) == [[0.0, 1.0], [2.0, 3.0]]
    for kw, match in (
        (dict(persistent_workers=True), "persistent_workers=True need worker"),
        (dict(prefetch_factor=2), "prefetch_factor need worker"),
        (dict(multiprocessing_context="spawn"), "multiprocessing_context need worker"),
        (dict(timeout=-1), "'timeout'"),
        (dict(timeout=5), "timeout=5 need worker"),
        (dict(worker_init_fn=3), "'worker_init_fn'"),
        (dict(in_order="yes"), "'in_order'"),
        (dict(persistent_workers=1), "'persistent_workers'"),
        (dict(pin_memory_device=None), "'pin_memory_device'"),
    ):
        with pytest.raises(ParameterError, match=match):
            DataLoader(ds, 2, **kw)


def test_dataloader_positional_order_and_worker_options_as_torch():
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader as TorchLoader
    from torch.utils.data import TensorDataset as TorchTensors

    x = np.arange(5.0)[:, None]
    tds, gds = TorchTensors(torch.tensor(x)), TensorDataset(x)
    for args in (
        (2, False, [4, 3, 2, 1, 0]),
        (1, False, None, [[1, 0], [4]]),
        (2, False, None, None, 0, None, False, True),
    ):
        want = [b[0].numpy().ravel().tolist() for b in TorchLoader(tds, *args)]
        assert _rows(DataLoader(gds, *args)) == want
    ok = dict(timeout=0, worker_init_fn=print, persistent_workers=False, in_order=False)
    assert len(list(TorchLoader(tds, 2, **ok))) == len(list(DataLoader(gds, 2, **ok)))
    for kw in (dict(persistent_workers=True), dict(prefetch_factor=2)):
        with pytest.raises(ValueError):
            TorchLoader(tds, 2, **kw)
    with pytest.raises(AssertionError, match="timeout == 0"):
        list(TorchLoader(tds, 2, timeout=5))


# ---------------------------------------------------------------- pytorch/examples' MNIST test()
def _mnist_test(lib, model, loader, F):
    """pytorch/examples mnist/main.py's test(), as written there (lib for torch)."""
    model.eval()
    test_loss, correct = 0, 0
    with lib.no_grad():
        for data, target in loader:
            data, target = data.to("cpu"), target.to("cpu")
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    return test_loss / len(loader.dataset), correct


def test_the_mnist_examples_test_loop_runs_as_written():
    import glassnet.nn.functional as F

    lin = nn.Linear(4, 3, rng=0)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = lin

        def forward(self, x):
            return F.log_softmax(self.fc(x), dim=1)

    model = Net()
    loss, correct = _mnist_test(gn, model, DataLoader(Rows(), batch_size=16), F)
    out = model(gn.tensor(X))
    assert correct == int(np.sum(out.data.argmax(1) == Y))
    assert loss == pytest.approx(-np.mean(out.data[np.arange(40), Y]), rel=1e-6)
    pred = out.argmax(1, keepdim=True)
    assert pred.eq(Y.reshape(-1, 1)).dtype == bool and pred.ne(pred).sum() == 0
    assert pred.eq(gn.tensor(Y.reshape(-1, 1))).sum() == correct
    assert np.array_equal(np.array([1, 2, 3]).view(Array).view_as(gn.zeros(3, 1)), [[1], [2], [3]])


def test_the_mnist_examples_test_loop_as_torch():
    torch = pytest.importorskip("torch")
    import torch.nn.functional as TF
    from torch.utils.data import DataLoader as TorchLoader
    from torch.utils.data import TensorDataset as TorchTensors

    import glassnet.nn.functional as F

    x = X.astype(np.float64)
    tlin = torch.nn.Linear(4, 3).double()
    glin = nn.Linear(4, 3, dtype=np.float64)
    glin.W.data[...] = tlin.weight.detach().numpy().T
    glin.b.data[...] = tlin.bias.detach().numpy()
    tnet = torch.nn.Sequential(tlin, torch.nn.LogSoftmax(dim=1))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = glin

        def forward(self, x):
            return F.log_softmax(self.fc(x), dim=1)

    want = _mnist_test(
        torch, tnet, TorchLoader(TorchTensors(torch.tensor(x), torch.tensor(Y)), 16), TF
    )
    got = _mnist_test(gn, Net(), DataLoader(TensorDataset(x, Y), 16), F)
    assert got[1] == want[1] and got[0] == pytest.approx(want[0], rel=1e-12)


def test_array_to_takes_torchs_dtypes_and_devices():
    torch = pytest.importorskip("torch")
    y = np.array([1, 2]).view(Array)
    assert y.to(torch.device("cpu")) is y
    for dt in (torch.long, torch.int, torch.bool, torch.float, torch.float64):
        got = y.to(dt)
        assert str(got.dtype) == str(torch.tensor([1, 2]).to(dt).dtype).removeprefix("torch.")
    assert y.to(device="cpu", dtype=torch.float32).dtype == np.float32
    with pytest.raises(ParameterError, match="CuPy device"):
        y.to(torch.device("cuda", 0))


# ---------------------------------------------------------------- x.t(), x.type(dtype), x.clamp_
def test_t_transposes_a_matrix_and_passes_the_gradient_back():
    a = gn.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    out = a.t()
    assert out.shape == (3, 2)
    np.testing.assert_array_equal(out.data, a.data.T)
    (out * gn.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])).sum().backward()
    np.testing.assert_array_equal(a.grad, [[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]])
    v = gn.tensor([1.0, 2.0])
    assert v.t().shape == (2,) and gn.tensor(3.0).t().shape == ()
    with pytest.raises(ValueError, match=r"at most 2 axes.*\(2, 1, 1\).*transpose"):
        gn.zeros(2, 1, 1).t()


def test_type_casts_as_to_and_names_dtype_without_one():
    a = gn.tensor([1.0, 2.0], requires_grad=True)
    b = a.type(gn.float64)
    assert b.dtype == np.float64 and a.type(gn.float32) is a
    b.sum().backward()
    assert a.grad.dtype == np.float32
    with pytest.raises(TypeError, match=r"read x.dtype \(float32\)"):
        a.type()
    with pytest.raises(ParameterError, match="float32 or float64"):
        a.type(np.int64)


def test_t_and_type_as_torch():
    torch = pytest.importorskip("torch")
    m = RNG.normal(size=(3, 4))
    ta, ga = torch.tensor(m, requires_grad=True), gn.tensor(m, requires_grad=True)
    w = RNG.normal(size=(5, 4))
    (torch.tensor(w) @ ta.t().t().t()).sum().backward()
    (gn.tensor(w) @ ga.t().t().t()).sum().backward()
    np.testing.assert_array_equal(ga.grad, ta.grad.numpy())
    assert ga.type(gn.float32).dtype == np.float32 and ta.type(torch.float32).dtype == torch.float32
    with pytest.raises(RuntimeError):
        torch.zeros(2, 1, 1).t()


# ---------------------------------------------------------------- clamp_ and fill_
def test_clamp_in_place_under_the_rules_of_plus_equals():
    w = gn.tensor([-2.0, 0.5, 3.0], requires_grad=True)
    with gn.no_grad():
        assert w.clamp_(-1, 1) is w
    np.testing.assert_array_equal(w.data, [-1.0, 0.5, 1.0])
    with gn.no_grad():
        w.clamp_(min=0)
    np.testing.assert_array_equal(w.data, [0.0, 0.5, 1.0])
    with pytest.raises(RuntimeError, match="outside no_grad"):
        w.clamp_(0, 0.5)
    y = w * 2
    with pytest.raises(RuntimeError, match=r"x = x.clamp\(min, max\)"):
        y.clamp_(0, 0.5)
    np.testing.assert_array_equal(w.data, [0.0, 0.5, 1.0])  # (nothing written)
    with pytest.raises(TypeError, match="min must be a number"):
        gn.tensor([1.0]).clamp_(min="a")


def test_a_graph_that_read_x_refuses_backward_after_clamp_in_place():
    x = gn.tensor([1.0, 2.0])
    w = gn.tensor([1.0, 1.0], requires_grad=True)
    loss = (x * w).sum()
    x.clamp_(0, 1.5)
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()


def test_clamp_in_place_as_torch():
    torch = pytest.importorskip("torch")
    v = RNG.normal(size=(3, 4))
    t, g = torch.tensor(v), gn.tensor(v)
    t.clamp_(-0.5, 0.25)
    g.clamp_(-0.5, 0.25)
    np.testing.assert_array_equal(g.data, t.numpy())
    t.clamp_(min=0.1)
    g.clamp_(min=0.1)
    np.testing.assert_array_equal(g.data, t.numpy())


def test_a_warm_restarts_state_dict_saved_before_fractions_loads():
    """CosineAnnealingWarmRestarts' state dict gained 'fraction' (step(epoch) with a fraction);
    one saved before it was refused for the missing key: it loads with fraction 0."""
    from glassnet import nn, optim
    from glassnet.schedules import CosineAnnealingWarmRestarts

    opt = optim.SGD(nn.MLP([2, 1], rng=0).parameters(), lr=0.1)
    sched = CosineAnnealingWarmRestarts(opt, T_0=3)
    for _ in range(4):
        sched.step()
    old = {k: v for k, v in sched.state_dict().items() if k != "fraction"}
    again = CosineAnnealingWarmRestarts(
        optim.SGD(nn.MLP([2, 1], rng=0).parameters(), lr=0.1), T_0=3
    )
    again.load_state_dict(old)
    assert again.state_dict() == sched.state_dict() and again.fraction == 0.0
    with pytest.raises(ValueError, match="missing"):
        again.load_state_dict({k: v for k, v in old.items() if k != "epoch"})
