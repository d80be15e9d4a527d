"""PyTorch habits, round 6: snippets a PyTorch user writes, run in glassnet (written-out
expected numbers) and, where torch is installed, in PyTorch from the same values."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet._validation import ParameterError


# ---------------------------------------------------------------- var/std of a 0-d tensor
@pytest.mark.parametrize(
    "call, value, grad",
    [
        (lambda x: x.var(0, correction=0), 0.0, 0.0),
        (lambda x: x.var(-1, correction=0), 0.0, 0.0),
        (lambda x: x.var(dim=(0,), correction=0), 0.0, 0.0),
        (lambda x: x.std(0, correction=0), 0.0, 0.0),
        (lambda x: x.std(-1, False), 0.0, 0.0),
        (lambda x: x.var(0, keepdim=True, correction=0), 0.0, 0.0),
    ],
)
def test_var_std_of_a_0d_tensor_take_dim_0_and_minus_1(call, value, grad):
    x = gn.tensor(2.5, dtype=gn.float64, requires_grad=True)
    out = call(x)
    assert out.shape == () and out.item() == value
    out.backward()
    assert x.grad.shape == () and float(x.grad) == grad


def test_var_std_of_a_0d_tensor_refuse_another_dim():
    x = gn.tensor(2.5, dtype=gn.float64)
    for op in ("var", "std"):
        with pytest.raises(IndexError, match=r"0-d tensor.*dim=None"):
            getattr(x, op)(1, correction=0)


def test_var_std_of_a_0d_tensor_as_torch():
    torch = pytest.importorskip("torch")
    for op, args in (("var", (0,)), ("var", (-1,)), ("std", (0,)), ("std", (-1,))):
        t = torch.tensor(2.5, dtype=torch.float64, requires_grad=True)
        x = gn.tensor(2.5, dtype=gn.float64, requires_grad=True)
        a, b = getattr(t, op)(*args, correction=0), getattr(x, op)(*args, correction=0)
        a.backward()
        b.backward()
        assert tuple(a.shape) == b.shape and a.item() == b.item()
        assert t.grad.item() == float(x.grad)


# ---------------------------------------------------------------- decorated generators
def _recording(x):
    return (x * 2).requires_grad


@pytest.mark.parametrize("bare", [False, True])
def test_inference_mode_decorates_a_generator_function_body(bare):
    x = gn.tensor([1.0, 2.0], requires_grad=True)

    def batches():
        sent = yield _recording(x)
        yield sent, _recording(x)
        return "done"

    gen = (gn.inference_mode(batches) if bare else gn.inference_mode()(batches))()
    assert next(gen) is False  # (the body records nothing, as under PyTorch's)
    assert _recording(x) is True  # (and the caller's mode is its own between items)
    assert gen.send("s") == ("s", False)
    with pytest.raises(StopIteration) as stop:
        next(gen)
    assert stop.value.value == "done"


def test_inference_mode_generator_gets_thrown_exceptions_and_close():
    x = gn.tensor([1.0], requires_grad=True)
    seen = []

    @gn.inference_mode()
    def items():
        try:
            yield 1
        except ValueError:
            yield _recording(x)
        finally:
            seen.append(_recording(x))

    gen = items()
    next(gen)
    assert gen.throw(ValueError) is False
    gen.close()
    assert seen == [False] and _recording(x) is True


def test_inference_mode_false_decorator_records_inside_no_grad():
    x = gn.tensor([1.0], requires_grad=True)

    @gn.inference_mode(False)
    def f():
        yield _recording(x)

    with gn.no_grad():
        assert list(f()) == [True]


def test_inference_mode_generator_as_torch():
    torch = pytest.importorskip("torch")
    out = {}
    for name, lib, x in (
        ("torch", torch, torch.ones(2, requires_grad=True)),
        ("gn", gn, gn.tensor([1.0, 1.0], requires_grad=True)),
    ):

        @lib.inference_mode()
        def gen(x=x):
            yield bool((x * 2).requires_grad)
            yield bool((x * 2).requires_grad)

        it = gen()
        out[name] = [next(it), bool((x * 2).requires_grad), next(it)]
    assert out["gn"] == out["torch"] == [False, True, False]


# ---------------------------------------------------------------- whole numbers in float32
@pytest.mark.parametrize(
    "make",
    [
        lambda: gn.tensor([16777217]),
        lambda: gn.tensor(np.array([0, 16777217])),
        lambda: gn.tensor(np.array([-16777219])),
        lambda: gn.arange(16777215, 16777219),
        lambda: gn.full((2,), 16777217),
        lambda: gn.tensor(np.array([2**53 + 1]), dtype=gn.float64),
    ],
)
def test_whole_numbers_a_float_cannot_hold_are_refused_not_rounded(make):
    with pytest.raises(ParameterError, match=r"not exact in float(32|64).*int64"):
        make()


def test_whole_numbers_a_float_holds_stay_exact():
    assert gn.tensor([16777216, -16777216]).data.tolist() == [16777216.0, -16777216.0]
    assert gn.tensor([16777217], dtype=gn.float64).item() == 16777217.0
    assert gn.arange(16777215, 16777219, dtype=gn.float64).data.tolist() == [
        16777215.0, 16777216.0, 16777217.0, 16777218.0
    ]  # fmt: skip
    assert gn.arange(0, 2**26, 2**24).data.tolist() == [0.0, 2.0**24, 2.0**25, 3 * 2.0**24]
    assert gn.full((1,), 2**24).item() == 16777216.0
    assert gn.tensor(np.array([2**30])).item() == 2.0**30  # (a power of two: exact)


def test_whole_numbers_as_torch_keeps_them():
    torch = pytest.importorskip("torch")
    assert torch.tensor([16777217]).item() == 16777217  # (int64: what the refusal protects)
    assert gn.tensor([16777217], dtype=gn.float64).item() == torch.tensor([16777217]).item()


# ---------------------------------------------------------------- autograd.grad(materialize_grads=)
def _unused_graph():
    a = gn.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=gn.float64, requires_grad=True)
    c = gn.tensor([1.0, 1.0, 1.0], requires_grad=True)
    return a, c, (a * a).sum()


def test_autograd_grad_materialize_grads_gives_zeros_for_unused_inputs():
    a, c, y = _unused_graph()
    ga, gc = gn.autograd.grad(y, [a, c], materialize_grads=True)
    assert ga.data.tolist() == [[2.0, 4.0], [6.0, 8.0]]
    assert gc.data.tolist() == [0.0, 0.0, 0.0] and gc.dtype == np.float32
    assert a.grad is None and c.grad is None
    ga, gc = gn.autograd.grad(y, [a, c], allow_unused=True)
    assert gc is None


def test_autograd_grad_materialize_grads_refuses_allow_unused_false():
    a, c, y = _unused_graph()
    with pytest.raises(ValueError, match="allow_unused"):
        gn.autograd.grad(y, [a, c], allow_unused=False, materialize_grads=True)
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        gn.autograd.grad(y, [a, c])
    with pytest.raises(TypeError, match="materialize_grads"):
        gn.autograd.grad(y, [a, c], materialize_grads="yes")


def test_autograd_grad_materialize_grads_as_torch():
    torch = pytest.importorskip("torch")
    a, c, y = _unused_graph()
    ta = torch.tensor(a.data, requires_grad=True)
    tc = torch.tensor(c.data, requires_grad=True)
    want = torch.autograd.grad((ta * ta).sum(), [ta, tc], materialize_grads=True)
    got = gn.autograd.grad(y, [a, c], materialize_grads=True)
    for w, g in zip(want, got):
        assert w.numpy().tolist() == g.data.tolist() and w.numpy().dtype == g.dtype


# ---------------------------------------------------------------- ModuleList.pop
def test_modulelist_pop_removes_and_returns_as_torch_names_it():
    from glassnet import nn

    layers = [nn.Linear(2, 2, rng=k) for k in range(4)]
    ml = nn.ModuleList(layers)
    assert ml.pop(-1) is layers[3] and ml.pop(0) is layers[0]
    rest = ml.pop(slice(0, 1))
    assert isinstance(rest, nn.ModuleList) and list(rest) == [layers[1]]
    assert list(ml) == [layers[2]] and [n for n, _ in ml.named_parameters()] == ["0.W", "0.b"]
    with pytest.raises(IndexError, match="out of range"):
        ml.pop(5)


def test_modulelist_pop_as_torch():
    torch = pytest.importorskip("torch")
    from glassnet import nn

    t = torch.nn.ModuleList([torch.nn.Linear(2, 2) for _ in range(4)])
    g = nn.ModuleList([nn.Linear(2, 2, rng=k) for k in range(4)])
    for key in (-1, 0, slice(0, 1)):
        a, b = t.pop(key), g.pop(key)
        assert type(a).__name__ == type(b).__name__ and len(t) == len(g)
    names = [n.replace("weight", "W").replace("bias", "b") for n, _ in t.named_parameters()]
    assert names == [n for n, _ in g.named_parameters()]


# ---------------------------------------------------------------- loss modules: PyTorch's slots
LEGACY_CALLS = [
    ("MSELoss", ("sum",), {}),  # (PyTorch: size_average='sum', a mean)
    ("L1Loss", (False,), {}),
    ("L1Loss", (), {"size_average": False}),
    ("MSELoss", (None, False), {}),
    ("BCELoss", (None, "sum"), {}),
    ("BCEWithLogitsLoss", (None, None, False), {}),
    ("CrossEntropyLoss", ([1.0, 2.0], "sum"), {}),
    ("CrossEntropyLoss", (None, None, -100, False), {}),
    ("NLLLoss", (None, True), {}),
    ("NLLLoss", (), {"reduce": False}),
]


@pytest.mark.parametrize("name, args, kwargs", LEGACY_CALLS)
def test_loss_modules_refuse_pytorchs_deprecated_slots(name, args, kwargs):
    from glassnet import nn

    with pytest.raises(TypeError, match=r"deprecated argument.*reduction='sum'"):
        getattr(nn, name)(*args, **kwargs)


def _loss_data():
    z = np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]])
    return z, np.array([2, 0]), 1 / (1 + np.exp(-z)), np.array([[1.0, 0, 1], [0, 1, 1]])


def test_loss_modules_take_pytorchs_positional_order():
    from glassnet import nn

    z, y, p, t = _loss_data()
    zt = gn.tensor(z, dtype=gn.float64)
    w = np.array([1.0, 2.0, 0.5])
    # (weight, size_average, ignore_index, reduce, reduction, label_smoothing)
    ce = nn.CrossEntropyLoss(w, None, 0, None, "sum", 0.0)(zt, y)
    assert ce.item() == pytest.approx(0.5 * (np.log(np.exp(z[0]).sum()) - 2.0), rel=1e-12)
    nll = nn.NLLLoss(None, None, 2, None, "sum")(zt, y)
    assert nll.item() == -1.5
    mse = nn.MSELoss(None, None, "sum")(gn.tensor(p, dtype=gn.float64), t)
    assert mse.item() == pytest.approx(((p - t) ** 2).sum(), rel=1e-12)
    bce = nn.BCEWithLogitsLoss(None, None, None, "none", np.array([2.0, 1.0, 1.0]))(zt, t)
    assert bce.data[0, 0] == pytest.approx(2 * np.log1p(np.exp(-0.5)), rel=1e-12)


def test_loss_modules_positional_order_as_torch():
    torch = pytest.importorskip("torch")
    from glassnet import nn

    z, y, p, t = _loss_data()
    zt, yt = torch.tensor(z), torch.tensor(y)
    zg = gn.tensor(z, dtype=gn.float64)
    w = [1.0, 2.0, 0.5]
    pairs = [
        (
            torch.nn.CrossEntropyLoss(
                torch.tensor(w, dtype=torch.float64), None, 0, None, "sum", 0.1
            )(zt, yt),
            nn.CrossEntropyLoss(np.array(w), None, 0, None, "sum", 0.1)(zg, y),
        ),
        (
            torch.nn.NLLLoss(None, None, 2, None, "sum")(zt, yt),
            nn.NLLLoss(None, None, 2, None, "sum")(zg, y),
        ),
        (
            torch.nn.MSELoss(None, None, "sum")(torch.tensor(p), torch.tensor(t)),
            nn.MSELoss(None, None, "sum")(gn.tensor(p, dtype=gn.float64), t),
        ),
        (
            torch.nn.BCELoss(torch.tensor(w, dtype=torch.float64), None, None, "sum")(
                torch.tensor(p), torch.tensor(t)
            ),
            nn.BCELoss(np.array(w), None, None, "sum")(gn.tensor(p, dtype=gn.float64), t),
        ),
    ]
    for a, b in pairs:
        assert a.item() == pytest.approx(b.item(), rel=1e-12)


# ---------------------------------------------------------------- schedules' last_epoch=-1
def _sgd(lr=0.1):
    from glassnet import nn

    return gn.optim.SGD(nn.Linear(2, 2, rng=0).parameters(), lr=lr)


SCHEDULES = [
    ("StepLR", (3, 0.5, -1), {}, 0.1),
    ("StepLR", (3,), {"last_epoch": -1}, 0.1),
    ("MultiStepLR", ([1, 2], 0.1, -1), {}, 0.1),
    ("ExponentialLR", (0.9, -1), {}, 0.1),
    ("CosineAnnealingLR", (10, 0.0, -1), {}, 0.1),
    ("LambdaLR", (lambda e: 0.5, -1), {}, 0.05),
    ("LinearLR", (0.5, 1.0, 4, -1), {}, 0.05),
    ("ConstantLR", (0.5, 3, -1), {}, 0.05),
    ("PolynomialLR", (5, 1.0, -1), {}, 0.1),
    ("CosineAnnealingWarmRestarts", (3, 1, 0.0), {"last_epoch": -1}, 0.1),
]


@pytest.mark.parametrize("name, args, kwargs, lr", SCHEDULES)
def test_schedules_take_pytorchs_last_epoch_minus_1(name, args, kwargs, lr):
    opt = _sgd()
    sched = getattr(gn.optim.lr_scheduler, name)(opt, *args, **kwargs)
    assert sched.get_last_lr() == [pytest.approx(lr, rel=1e-15)]


@pytest.mark.parametrize("name, args, kwargs, lr", SCHEDULES)
def test_schedules_refuse_a_resuming_last_epoch(name, args, kwargs, lr):
    cls = getattr(gn.optim.lr_scheduler, name)
    head = args[:-1] if "last_epoch" not in kwargs else args
    with pytest.raises(ValueError, match=r"last_epoch=4 resumes.*load_state_dict"):
        cls(_sgd(), *head, last_epoch=4)
    with pytest.raises(TypeError, match="last_epoch must be an int"):
        cls(_sgd(), *head, last_epoch=-1.0)


def test_schedules_last_epoch_as_torch():
    torch = pytest.importorskip("torch")
    w = torch.nn.Parameter(torch.zeros(1))
    for name, args, kwargs, _ in SCHEDULES:
        topt = torch.optim.SGD([w], lr=0.1)
        tsched = getattr(torch.optim.lr_scheduler, name)(topt, *args, **kwargs)
        opt = _sgd()
        sched = getattr(gn.optim.lr_scheduler, name)(opt, *args, **kwargs)
        for _ in range(4):
            assert sched.get_last_lr() == pytest.approx(tsched.get_last_lr(), rel=1e-12)
            topt.step()
            tsched.step()
            opt.step()
            sched.step()


# ---------------------------------------------------------------- F.softmax(dtype=)
def test_functional_softmax_dtype_casts_the_input_first():
    import glassnet.nn.functional as F

    x = gn.tensor([[1.0, 2.0, 0.5]], requires_grad=True)
    y = F.softmax(x, 1, dtype=gn.float64)
    assert y.dtype == np.float64
    e = np.exp(np.array([1.0, 2.0, 0.5]))
    assert y.data[0].tolist() == pytest.approx((e / e.sum()).tolist(), rel=1e-15)
    y[0, 0].backward()
    assert x.grad.dtype == np.float32  # (cast back, as PyTorch's)
    p = e / e.sum()
    assert x.grad[0].tolist() == pytest.approx((p[0] * (np.eye(3)[0] - p)).tolist(), rel=1e-6)
    z = F.log_softmax(np.array([1.0, 2.0]), 0, dtype="float32")
    assert z.dtype == np.float32
    with pytest.raises(ParameterError, match="float32 or float64"):
        F.softmax(x, 1, dtype=np.int64)


def test_functional_softmax_dtype_as_torch():
    torch = pytest.importorskip("torch")
    import torch.nn.functional as TF

    import glassnet.nn.functional as F

    z = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]], dtype=np.float32)
    for name in ("softmax", "log_softmax"):
        t = torch.tensor(z, requires_grad=True)
        g = gn.tensor(z, requires_grad=True)
        a = getattr(TF, name)(t, 1, dtype=torch.float64)
        b = getattr(F, name)(g, 1, dtype=gn.float64)
        assert b.dtype == np.float64 and np.allclose(a.detach().numpy(), b.data, rtol=1e-12)
        a[:, 0].sum().backward()
        b[:, 0].sum().backward()
        assert g.grad.dtype == np.float32 and np.allclose(t.grad.numpy(), g.grad, rtol=1e-6)


# ---------------------------------------------------------------- PyTorch's schedulers
@pytest.mark.parametrize("name", ["ChainedScheduler", "MultiplicativeLR"])
def test_pytorchs_chained_and_multiplicative_schedulers_are_at_pytorchs_place(name):
    assert getattr(gn.optim.lr_scheduler, name) is getattr(gn.schedules, name)
    with pytest.raises(AttributeError, match="has no attribute 'NoSuchLR'"):
        gn.optim.lr_scheduler.NoSuchLR  # noqa: B018


def test_multiplicativelr_as_the_lambdalr_the_message_gives():
    import math

    f = lambda e: 0.9  # noqa: E731
    opt = _sgd(lr=1.0)
    sched = gn.optim.lr_scheduler.LambdaLR(opt, lambda e: math.prod(f(k) for k in range(1, e + 1)))
    got = []
    for _ in range(4):
        got.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    assert got == pytest.approx([1.0, 0.9, 0.81, 0.729], rel=1e-15)
    torch = pytest.importorskip("torch")
    w = torch.nn.Parameter(torch.zeros(1))
    topt = torch.optim.SGD([w], lr=1.0)
    tsched = torch.optim.lr_scheduler.MultiplicativeLR(topt, f)
    want = []
    for _ in range(4):
        want.append(tsched.get_last_lr()[0])
        topt.step()
        tsched.step()
    assert got == pytest.approx(want, rel=1e-15)


# ---------------------------------------------------------------- gn.load's torch.load arguments
def test_load_takes_torch_loads_map_location_cpu_and_weights_only(tmp_path):
    path = tmp_path / "m.glassnet"
    gn.save({"w": np.array([1.0, 2.0])}, path)
    for kwargs in (
        {"map_location": "cpu"},
        {"weights_only": True},
        {"weights_only": False},  # (either way: the file holds no code to run)
        {"map_location": None, "weights_only": None, "mmap": False},
    ):
        assert gn.load(path, **kwargs)["w"].tolist() == [1.0, 2.0]
    assert gn.load(path, "cpu")["w"].tolist() == [1.0, 2.0]  # (positional, as torch.load's)


@pytest.mark.parametrize("where", ["cuda", "cuda:0", {"cuda:0": "cuda:1"}, "mps"])
def test_load_refuses_another_map_location_saying_to_move_the_model(tmp_path, where):
    path = tmp_path / "m.glassnet"
    gn.save({"w": np.array([1.0])}, path)
    with pytest.raises(ValueError, match=r"map_location=.*model\.to\(device\)"):
        gn.load(path, map_location=where)


def test_load_refuses_bad_weights_only_and_mmap(tmp_path):
    path = tmp_path / "m.glassnet"
    gn.save({"w": np.array([1.0])}, path)
    with pytest.raises(TypeError, match="weights_only must be True, False or None"):
        gn.load(path, weights_only="yes")
    with pytest.raises(ValueError, match="mmap=True is not taken"):
        gn.load(path, mmap=True)


def test_load_map_location_takes_a_torch_device(tmp_path):
    torch = pytest.importorskip("torch")
    path = tmp_path / "m.glassnet"
    gn.save({"w": np.array([3.0])}, path)
    assert gn.load(path, map_location=torch.device("cpu"))["w"].tolist() == [3.0]
    with pytest.raises(ValueError, match="map_location"):
        gn.load(path, map_location=torch.device("cuda", 0))


# ---------------------------------------------------------------- gn.load of hostile model metadata
@pytest.mark.parametrize(
    "state",
    [
        {"training": [True], "frozen": 5},
        {"training": [True], "frozen": [[1]]},
        {"training": [True], "frozen": ["no.such.weight"]},
        {"training": "abc", "frozen": []},
        {"training": [{}, None], "frozen": []},
        {"training": [True] * 50, "frozen": []},
        [1, 2],
    ],
)
def test_load_refuses_a_models_hostile_modes_and_frozen_names(tmp_path, state):
    pytest.importorskip("safetensors")
    from glassnet import io, nn

    path = tmp_path / "m.glassnet"
    model = nn.MLP([2, 3, 1], rng=0)  # (gn.save's record as an earlier gn.save wrote it:
    arrays = io._clean_arrays(model.state_dict(), "state")  # save_model refuses the key)
    description = {"config": io.to_json(model.config(), "config"), "meta": {"glassnet.save": state}}
    io._save(path, io._safetensors_numpy("saving"), arrays, description, kind="model")
    with pytest.raises(io.ModelFileError, match="modes and frozen parameters.*corrupt"):
        gn.load(path)


def test_load_keeps_a_saved_models_mode_and_frozen_parameters(tmp_path):
    pytest.importorskip("safetensors")
    from glassnet import nn

    model = nn.MLP([2, 3, 1], rng=0)
    model.eval()
    model.layers[0].W.requires_grad_(False)
    gn.save(model, tmp_path / "m.glassnet")
    again = gn.load(tmp_path / "m.glassnet")
    assert not any(m.training for m in again.modules())
    assert [n for n, p in again.named_parameters() if not p.requires_grad] == ["layers.0.W"]


# ---------------------------------------------------------------- gn.tensor of bools (a mask)
@pytest.mark.parametrize(
    "values", [[True, False, True], True, np.array([True, False]), [[False], [True]]]
)
def test_tensor_of_bools_is_refused_not_turned_into_row_numbers(values):
    with pytest.raises(TypeError, match=r"bool tensor, a mask.*NumPy bool array"):
        gn.tensor(values)


def test_a_mask_as_a_numpy_bool_array_picks_the_rows():
    x = gn.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    assert x[np.array([True, False, True])].data.tolist() == [[1.0, 2.0], [5.0, 6.0]]
    assert gn.tensor([[True, 1.5]]).data.tolist() == [[1.0, 1.5]]  # (mixed: numbers)


def test_a_mask_as_torch():
    torch = pytest.importorskip("torch")
    rows = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    want = torch.tensor(rows)[torch.tensor([True, False, True])].tolist()
    assert gn.tensor(rows)[np.array([True, False, True])].data.tolist() == want


def test_equality_with_a_number_or_an_array_is_the_mask_as_pytorch():
    """x == 0 was Python's identity, False: where(x == 0, a, b) gave b in silence."""
    x = gn.Tensor(np.array([0.0, 1.0, 0.0, -2.0]))
    np.testing.assert_array_equal(x == 0, [True, False, True, False])
    np.testing.assert_array_equal(x != 0, [False, True, False, True])
    np.testing.assert_array_equal(x == np.array([0, 1, 1, 1]), [True, True, False, False])
    np.testing.assert_array_equal(x == np.float32(-2), [False, False, False, True])
    ones, zeros = gn.Tensor(np.ones(4)), gn.Tensor(np.zeros(4))
    np.testing.assert_array_equal(gn.where(x == 0, ones, zeros).data, [1, 0, 1, 0])
    # between tensors, elementwise as PyTorch's; a tensor is still hashed by its identity
    y = gn.Tensor(np.array([0.0, 1.0, 0.0, -2.0]))
    assert (x == x).all() and (x == y).all() and not (x != y).any()
    assert x in [x, y] and len({x, y}) == 2 and (x == None) is False  # noqa: E711
    torch = pytest.importorskip("torch")
    t = torch.tensor([0.0, 1.0, 0.0, -2.0])
    np.testing.assert_array_equal(x == 0, (t == 0).numpy())


def test_a_forward_that_compares_its_input_with_a_number_is_not_read_as_a_chain():
    from glassnet import nn
    from glassnet.chain import as_chain

    class Branchy(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(2, 3), nn.Linear(3, 1)

        def forward(self, x):
            h = self.a(x).relu()
            return self.b(h if (x[:1] == 0).all() else h * 2)

    with pytest.raises(TypeError, match=r"reads its input's values \(__eq__\)"):
        as_chain(Branchy(), owner="explain")


def test_a_single_true_or_false_where_a_mask_was_meant_is_refused():
    """x == y with a y that is no Tensor, array or number (a list) is Python's, False:
    where(x == y, a, b) would give b everywhere and x[x == y] an empty tensor, in silence."""
    x, y = gn.Tensor(np.array([1.0, 2.0])), gn.Tensor(np.array([1.0, 3.0]))
    with pytest.raises(TypeError, match=r"where: the condition is False: .*x == glassnet.tensor"):
        gn.where(x == [1.0, 3.0], x, y)
    with pytest.raises(IndexError, match=r"indexed by False: .*x == glassnet.tensor\(y\)"):
        x[x == [1.0, 3.0]]
    with pytest.raises(IndexError, match="indexed by True"):
        x[True] = 0.0
    np.testing.assert_array_equal(gn.where(x.data == y.data, x, y).data, [1.0, 3.0])
