"""PyTorch's habits of the core: a module's state in PyTorch's order, buffers that are not
saved (``register_buffer(..., persistent=False)``), and PyTorch's "cpu:0"."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn


class Net(nn.Module):
    """Sub-modules set before a parameter and a buffer of the module's own."""

    def __init__(self) -> None:
        self.fc1 = nn.Linear(3, 2, rng=0)
        self.register_buffer("count", np.zeros(1, np.float32))
        self.alpha = nn.Parameter(np.ones(1, np.float32))
        self.fc2 = nn.Linear(2, 2, rng=1)
        self.register_buffer("mask", np.array([1.0, 0.0], np.float32), persistent=False)

    def forward(self, x):
        return self.fc2(self.fc1(x)) * self.alpha * self.mask


# PyTorch 2.13's names and order for the same module (torch.nn.Linear's weight/bias for W/b)
TORCH_STATE = ["alpha", "count", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
TORCH_PARAMS = ["alpha", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
TORCH_BUFFERS = ["count", "mask"]


def _glassnet_names(names):
    return [n.replace("weight", "W").replace("bias", "b") for n in names]


def test_state_in_pytorchs_order():
    m = Net()
    # a module's own parameters, then its own buffers, then its sub-modules' state
    assert list(m.state_dict()) == _glassnet_names(TORCH_STATE)
    assert [n for n, _ in m.named_parameters()] == _glassnet_names(TORCH_PARAMS)
    assert [p.label for p in m.parameters()] == _glassnet_names(TORCH_PARAMS)  # (fast walk)
    assert [n for n, _ in m.named_buffers()] == TORCH_BUFFERS


def test_pytorchs_order_against_torch():
    torch = pytest.importorskip("torch")

    class T(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = torch.nn.Linear(3, 2)
            self.register_buffer("count", torch.zeros(1))
            self.alpha = torch.nn.Parameter(torch.ones(1))
            self.fc2 = torch.nn.Linear(2, 2)
            self.register_buffer("mask", torch.tensor([1.0, 0.0]), persistent=False)

    t = T()
    assert list(t.state_dict()) == TORCH_STATE
    assert [n for n, _ in t.named_parameters()] == TORCH_PARAMS
    assert [n for n, _ in t.named_buffers()] == TORCH_BUFFERS


def test_a_buffer_that_is_not_saved(tmp_path):
    m = Net()
    assert "mask" not in m.state_dict() and "mask" in dict(m.named_buffers())
    assert len(m.buffers()) == 2
    # to() converts it as every float buffer
    m.to(np.float64)
    assert m.mask.dtype == np.float64 and m.count.dtype == np.float64
    # load_state_dict neither needs it nor takes it (PyTorch's unexpected key)
    state = m.state_dict()
    assert m.load_state_dict(state) == ([], [])
    with pytest.raises(ValueError, match="mask"):
        m.load_state_dict({**state, "mask": np.zeros(2)})
    keys = m.load_state_dict({**state, "mask": np.zeros(2)}, strict=False)
    assert keys == ([], ["mask"])
    np.testing.assert_array_equal(m.mask, [1.0, 0.0])  # (untouched)
    # a model file holds the saved state only
    gn.save(m.state_dict(), tmp_path / "net.glassnet")
    assert "mask" not in gn.load(tmp_path / "net.glassnet")
    # registered again: it keeps its place, and persistent says whether it is saved
    m.register_buffer("mask", np.zeros(2), persistent=True)
    assert list(m.state_dict())[:2] == ["alpha", "count"] and "mask" in m.state_dict()
    assert [n for n, _ in m.named_buffers()] == TORCH_BUFFERS
    m.register_buffer("mask", np.zeros(2), persistent=False)
    assert "mask" not in m.state_dict()
    with pytest.raises(ValueError, match="'persistent' parameter of Net.register_buffer"):
        m.register_buffer("other", np.zeros(2), persistent=None)


def test_not_saved_buffer_against_torch():
    torch = pytest.importorskip("torch")
    t = torch.nn.Module()
    t.register_buffer("mask", torch.zeros(2), persistent=False)
    t.register_buffer("count", torch.zeros(1))
    assert list(t.state_dict()) == ["count"]
    t.register_buffer("mask", torch.zeros(2), persistent=True)
    assert list(t.state_dict()) == ["mask", "count"]  # (it keeps its place)
    m = nn.Module()
    m.register_buffer("mask", np.zeros(2), persistent=False)
    m.register_buffer("count", np.zeros(1))
    assert list(m.state_dict()) == ["count"]
    m.register_buffer("mask", np.zeros(2), persistent=True)
    assert list(m.state_dict()) == ["mask", "count"]


def test_cpu_0_is_the_cpu():
    """PyTorch's "cpu:0" names the one CPU device: model.to, x.to and fit take it."""
    m = nn.MLP([2, 3, 1], rng=0)
    assert m.to("cpu:0") is m and m.to(gn.device("cpu:0")) is m
    x = gn.tensor([1.0, 2.0])
    assert x.to("cpu:0").device == "cpu"
    X = np.random.default_rng(0).normal(size=(8, 2)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.float32)
    before = m.state_dict()
    a = gn.fit(m, X, y, epochs=2, device="cpu:0", verbose=0)
    m.load_state_dict(before)
    b = gn.fit(m, X, y, epochs=2, device="cpu", verbose=0)
    assert a.loss == b.loss
    for bad in ("cpu:1", "gpu"):  # another CPU number, or no device: refused
        with pytest.raises(ValueError, match=repr(bad)):
            m.to(bad)
        with pytest.raises(ValueError, match=repr(bad)):
            gn.fit(m, X, y, epochs=1, device=bad, verbose=0)


@pytest.mark.parametrize(("module", "words"), [(nn.ELU(), "holds an ELU."),
                                               (nn.GELU(), "holds a GELU.")])  # fmt: skip
def test_a_layer_the_fast_path_refuses_is_named_with_its_article(module, words):
    model = nn.Sequential(nn.Linear(3, 4), module, nn.Linear(4, 1))
    with pytest.raises(TypeError, match=words):
        gn.explain(model, np.zeros((2, 3)), np.zeros((2, 1)))
    with pytest.raises(TypeError, match=words):
        gn.viz.draw_network(model)


class CountingSGD(gn.optim.SGD):
    """A user's optimizer whose step() does more than the rule (here: counts)."""

    calls = 0

    def step(self, closure=None):
        CountingSGD.calls += 1
        return super().step(closure)


@pytest.mark.parametrize("batch_size", [None, 4])  # (full batch: fit's eager loop)
def test_fit_runs_a_subclass_step_at_every_step(batch_size):
    X = np.random.default_rng(1).normal(size=(16, 2)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.float32)
    m = nn.MLP([2, 3, 1], output_activation="sigmoid", rng=0)
    CountingSGD.calls = 0
    h = gn.fit(m, X, y, optimizer=CountingSGD(m.parameters(), lr=0.1), epochs=5,
               batch_size=batch_size, loss="bce", seed=0, verbose=0)  # fmt: skip
    assert h.steps == CountingSGD.calls == 5 * (16 // (batch_size or 16))
    # the same weights as plain SGD: the subclass's step is SGD's step
    m2 = nn.MLP([2, 3, 1], output_activation="sigmoid", rng=0)
    gn.fit(m2, X, y, optimizer=gn.optim.SGD(m2.parameters(), lr=0.1), epochs=5,
           batch_size=batch_size, loss="bce", seed=0, verbose=0)  # fmt: skip
    for a, b in zip(m.parameters(), m2.parameters()):
        np.testing.assert_array_equal(a.data, b.data)


def test_a_float32_network_traced_in_float64_takes_its_l2_term_in_float64():
    """explain's numbers: the trace in float64 of a float32 network, L2 term included."""
    from glassnet.fused import FastMLP, layers_of

    m = nn.MLP([2, 3, 1], output_activation="sigmoid", rng=0)  # float32
    X = np.random.default_rng(0).normal(size=(5, 2))
    y = np.array([0, 1, 1, 0, 1.0])
    t = FastMLP(layers_of(m), "bce", l2=0.3, dtype=np.float64).trace(X, y)
    for rec, below, lay in zip(t.layers, [X, t.layers[0]["A"]], m.layers[::2]):
        W = lay.W.data.astype(np.float64)
        want = below.T @ rec["dZ"] + 0.3 / 5 * W
        np.testing.assert_allclose(rec["dW"], want, rtol=1e-14, atol=0)


def test_no_grad_and_enable_grad_decorate_without_parentheses():
    """PyTorch's ``@torch.no_grad`` (no call) as well as ``@torch.no_grad()``."""

    @gn.no_grad
    def doubled(x):
        return x * 2

    @gn.no_grad()
    def tripled(x):
        return x * 3

    w = gn.tensor([1.0], requires_grad=True)
    assert doubled.__name__ == "doubled"
    assert not doubled(w).requires_grad and not tripled(w).requires_grad
    assert (w * 2).requires_grad  # (the mode comes back after each call)
    with gn.no_grad():

        @gn.enable_grad
        def recorded(x):
            return x * 2

        assert recorded(w).requires_grad and not (w * 2).requires_grad
    with pytest.raises(TypeError, match="no_grad decorates a function. Got Tensor"):
        gn.no_grad(w)


@pytest.mark.parametrize(("value", "want"), [(2.0, 1.0), (-1e30, 1.0), (np.inf, np.nan)])
def test_softmax_of_one_value(value, want):
    """A 0-d tensor's softmax over its one value is 1 (NaN at inf, as PyTorch's): NumPy's
    error before ('return arrays must be of ArrayType')."""
    x = gn.tensor(value, dtype=np.float64, requires_grad=True)
    with np.errstate(invalid="ignore"):  # (inf - inf, as for [inf] along an axis)
        y = x.softmax(0)
        np.testing.assert_equal(y.item(), want)
        assert y.shape == () and x.log_softmax(-1).shape == ()
        y.backward()
    np.testing.assert_equal(x.grad, 0.0 if want == 1.0 else np.nan)


def test_dropout_takes_pytorchs_inplace_false_and_full_like():
    assert nn.Dropout(0.2, inplace=False).p == 0.2
    with pytest.raises(ValueError, match=r"Dropout\(inplace=True\): inplace must be False"):
        nn.Dropout(0.2, inplace=True)
    np.testing.assert_array_equal(gn.full_like(gn.zeros(2, 3), 7.0).numpy(), np.full((2, 3), 7.0))


def test_a_loader_without_batching_gives_labels_and_arrays_as_a_batch_would():
    """DataLoader(batch_size=None): an item's integer label is an Array (``y.long()``,
    ``y.to(device)``), not a NumPy scalar, and a dataset of one's own has its NumPy arrays
    and scalars converted (PyTorch's default_convert), its other values left alone."""
    from glassnet.data import DataLoader, Dataset, TensorDataset
    from glassnet.habits import Array

    X, y = np.arange(6.0).reshape(3, 2), np.array([0, 1, 2])
    for i, (xi, yi) in enumerate(DataLoader(TensorDataset(X, y), batch_size=None)):
        assert isinstance(xi, gn.Tensor) and isinstance(yi, Array) and yi.shape == ()
        assert int(yi.long()) == i and yi.to("cpu").shape == ()

    class Rows(Dataset):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return {"x": X[i], "y": y[i], "n": 5, "pair": (X[i], "text")}

    item = next(iter(DataLoader(Rows(), batch_size=None)))
    assert isinstance(item["x"], gn.Tensor) and isinstance(item["y"], Array)
    assert item["n"] == 5 and isinstance(item["pair"], tuple) and item["pair"][1] == "text"
    assert isinstance(item["pair"][0], gn.Tensor)
    assert isinstance(next(iter(DataLoader(y, batch_size=None))), Array)
    # a collate_fn gets the item as the dataset gives it, as PyTorch's
    raw = DataLoader(Rows(), batch_size=None, collate_fn=lambda it: type(it["x"]).__name__)
    assert next(iter(raw)) == "ndarray"


def test_device_keywords_take_devices_only():
    """device= given a dtype changed the dtype in silence (factories, layers, .to)."""
    for call in (
        lambda: gn.zeros(2, device=gn.float64),
        lambda: gn.arange(3, device="float64"),
        lambda: nn.LayerNorm(3, device=np.float64),
        lambda: nn.BatchNorm1d(3, device="float64"),
        lambda: nn.Linear(2, 2).to(device=np.float64),
        lambda: gn.tensor([1.0]).to(device="float64"),
        lambda: gn.zeros(2, device=0),
    ):
        with pytest.raises(ValueError, match="device must be 'cpu' or 'cuda'.*dtype="):
            call()
    assert gn.zeros(2, device="cpu:0").device == gn.zeros(2, device=gn.device("cpu")).device
    assert nn.Linear(2, 2).to(np.float64, device="cpu").W.dtype == np.float64


def test_arange_with_one_position_and_start_by_name_is_refused():
    with pytest.raises(TypeError, match="multiple values for argument 'start'"):
        gn.arange(5, start=1)  # (PyTorch refuses it; it gave [1, 2, 3, 4])
    np.testing.assert_array_equal(gn.arange(1, end=4).numpy(), [1, 2, 3])


def test_named_modules_memo_as_pytorchs():
    """memo's modules are left out with remove_duplicate=False too, and memo is filled only
    with remove_duplicate=True (torch 2.13's names below, for the same tree)."""
    s = nn.Linear(2, 2)
    g = nn.Sequential(nn.Sequential(s), nn.Sequential(s, nn.Linear(2, 2)))
    names = lambda **kw: [n.replace("layers.", "") for n, _ in g.named_modules(**kw)]  # noqa: E731
    memo: set = {s}
    assert names(memo=memo, remove_duplicate=False) == ["", "0", "1", "1.1"] and memo == {s}
    memo = {s}
    assert names(memo=memo) == ["", "0", "1", "1.1"] and len(memo) == 5
    assert names(remove_duplicate=False) == ["", "0", "0.0", "1", "1.0", "1.1"]


def test_small_habits_review():
    with pytest.raises(IndexError, match="the Sequential is empty"):
        nn.Sequential().pop()
    with pytest.raises(TypeError, match="enable_grad decorates a function. Got int"):
        gn.enable_grad(3)
    mask = gn.tensor([[0.0, 1, 1], [1, 1, 1]]) > 0
    assert int(mask.sum(dim=())) == int(mask.sum(dim=[])) == 5  # (PyTorch's: every dim)
    assert np.asarray(mask.sum(1, True)).tolist() == [[2], [3]]  # (keepdim by position)
    assert np.asarray(mask.any(dim=())).shape == (2, 3)  # (any over no dim: as PyTorch's)


def test_review_mends_of_the_mends(tmp_path):
    from collections import namedtuple

    from glassnet.data import DataLoader, Dataset
    from glassnet.train import EarlyStopping

    # a label Array's device= takes devices only, as a Tensor's
    for dtype in (np.float64, "int32"):
        with pytest.raises(ValueError, match="Array.to: (device must be|the device 'int32')"):
            gn.randint(0, 5, (3,)).to(device=dtype)
    # a dataset of namedtuples, one item at a time (PyTorch's default_convert keeps them)
    P = namedtuple("P", "x y")

    class Pairs(Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return P(np.zeros(2), np.int64(i))

    item = next(iter(DataLoader(Pairs(), batch_size=None)))
    assert type(item) is P and isinstance(item.x, gn.Tensor) and int(item.y) == 0
    # summary: a BatchNorm1d or LayerNorm first keeps the width
    for norm in (nn.BatchNorm1d(4), nn.LayerNorm(4)):
        assert gn.summary(nn.Sequential(norm, nn.Linear(4, 3))).rows[0].input_shape == "(N, 4)"
    # an optimizer whose step is set on the object itself runs it at every step
    X = np.random.default_rng(1).normal(size=(16, 2))
    m = nn.MLP([2, 3, 1], rng=0, dtype=np.float64)
    opt, calls = gn.optim.SGD(m.parameters(), lr=0.1), []
    plain = opt.step
    opt.step = lambda closure=None: calls.append(1) or plain(closure)
    h = gn.fit(m, X, X[:, :1], optimizer=opt, epochs=3, batch_size=4, verbose=0)
    assert len(calls) == h.steps == 12
    # a resumed run its rule refuses leaves the best weights fit put back
    Xv = np.random.default_rng(2).normal(size=(8, 2))
    rule = EarlyStopping(None, 2)
    net = nn.MLP([2, 8, 1], rng=0, dtype=np.float64)
    gn.fit(net, X, X[:, :1], epochs=12, lr=0.3, validation_data=(Xv, Xv[:, :1]),
           stop_rules=[rule], verbose=0)  # fmt: skip
    best = [p.data.copy() for p in net.parameters()]
    with pytest.raises(ValueError, match="no validation data"):
        gn.fit(net, X, X[:, :1], epochs=20, initial_epoch=12, lr=0.3, stop_rules=[rule],
               verbose=0)  # fmt: skip
    assert all(np.array_equal(p.data, b) for p, b in zip(net.parameters(), best))


def test_parameters_of_a_module_held_twice_or_holding_its_parent_end():
    """The stack walk of parameters() walks a module's sub-modules once: a module held in
    two places gives its parameters once, in named_parameters' order, and one that holds
    its parent (a cycle) does not loop for ever."""
    s = nn.Linear(2, 2)
    shared = nn.Sequential(s, nn.Linear(2, 2))
    g = nn.Sequential(shared, nn.Sequential(shared, s), nn.Linear(2, 1))
    named = [id(p) for _, p in g.named_parameters()]  # (labels them: the stack walk next)
    assert [id(p) for p in g.parameters()] == named and len(named) == 6
    s.owner = g  # (now a cycle: g holds s, s holds g)
    assert len(g.parameters()) == 6  # (labelled already: the stack walk alone)


def test_last_review_mends():
    from glassnet.objective import Objective, evaluate_loss
    from glassnet.train import EarlyStopping

    X = np.random.default_rng(1).normal(size=(16, 2))
    y = (X[:, :1] > 0).astype(float)
    # a step set on the optimizer object: the compiled loop refuses it (it ran the rules)
    m = nn.MLP([2, 3, 1], rng=0, dtype=np.float64)
    opt = gn.optim.SGD(m.parameters(), lr=0.1)
    plain = opt.step
    opt.step = lambda closure=None: plain(closure)
    with pytest.raises(ValueError, match="has a step\\(\\) set on it"):
        gn.fit(m, X, y, optimizer=opt, epochs=2, engine="jit", verbose=0)
    # another optimizer's step set on this one: not this one's rules (prepared is that step)
    other = gn.optim.SGD(nn.MLP([2, 3, 1], rng=1, dtype=np.float64).parameters(), lr=0.1)
    opt.step = other.step
    assert opt.prepared() == other.step
    # PyTorch's BCE loss objects checked against the head where fit checks the named ones
    head = nn.MLP([2, 3, 1], output_activation="sigmoid", rng=0, dtype=np.float64)
    for call in (lambda: evaluate_loss(head, X, y, nn.BCEWithLogitsLoss()),
                 lambda: Objective(head, X, y, nn.BCEWithLogitsLoss())):  # fmt: skip
        with pytest.raises(ValueError, match="the model ends in sigmoid"):
            call()
    # a run its EarlyStopping refuses (another model's, no validation data) leaves the rule's
    # best weights: the first model resumes from its last epoch's weights, as unbroken
    Xv = np.random.default_rng(2).normal(size=(8, 2))
    rule = EarlyStopping(None, 2)
    net = nn.MLP([2, 8, 1], rng=0, dtype=np.float64)
    gn.fit(net, X, y, epochs=10, lr=0.5, validation_data=(Xv, Xv[:, :1] > 0),
           stop_rules=[rule], verbose=0)  # fmt: skip
    kept = rule.weights
    with pytest.raises(ValueError, match="no validation data"):
        gn.fit(nn.MLP([2, 8, 1], rng=3, dtype=np.float64), X, y, epochs=12, initial_epoch=10,
               stop_rules=[rule], verbose=0)  # fmt: skip
    assert rule.weights is kept


@pytest.mark.parametrize("engine", ["jit", "fused"])
def test_engine_refusals_name_what_needs_the_graph(engine):
    """fit(engine='jit'/'fused') on a model or loss the fast path has no place for said only
    'the model or the loss needs the autodiff graph'; now it names which."""
    X = np.random.default_rng(0).normal(size=(8, 2))
    y = X[:, :1]
    cases = [
        (nn.MLP([2, 3, 1], dropout=0.2, rng=0), {}, "the model holds a Dropout."),
        (nn.MLP([2, 3, 1], rng=0), {"loss": lambda o, t: ((o - t) ** 2).mean()},
         "the loss is a function of your own"),
        (nn.Sequential(nn.Linear(2, 3), nn.GELU(), nn.Linear(3, 1)), {}, "holds a GELU."),
    ]  # fmt: skip
    for model, kw, says in cases:
        with pytest.raises(ValueError, match=f"engine='{engine}'") as e:
            gn.fit(model, X, y, engine=engine, epochs=1, verbose=0, **kw)
        assert says in str(e.value)
