"""PyTorch's ``nn.ModuleList``/``nn.ModuleDict`` and ``nn.init``'s in-place initializers.

Each behaviour runs in glassnet always, against a NumPy reference or the formula; where
PyTorch (``torch==2.13.0``, optional) is installed, the same calls run there too and must
agree: the gains, each initializer's bound and spread on the same layer (PyTorch's
``weight`` is glassnet's ``W`` transposed), and the containers' indexing and names.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.nn import init


def torch_or_none():
    try:
        import torch
    except ImportError:
        return None
    return torch


# ------------------------------------------------------------------------ containers
class Net(nn.Module):
    def __init__(self):
        self.hidden = nn.ModuleList([nn.Linear(2, 4, rng=0), nn.Linear(4, 4, rng=1)])
        self.heads = nn.ModuleDict({"y": nn.Linear(4, 1, rng=2)})

    def forward(self, x):
        for layer in self.hidden:
            x = layer(x).tanh()
        return self.heads["y"](x)


def test_containers_name_parameters_as_pytorch_does_and_fit_trains_them():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == [
        "hidden.0.W",
        "hidden.0.b",
        "hidden.1.W",
        "hidden.1.b",
        "heads.y.W",
        "heads.y.b",
    ]
    assert len(net.parameters()) == 6 and list(net.state_dict()) == names
    before = [p.data.copy() for p in net.parameters()]
    X = np.random.default_rng(0).random((32, 2))
    h = gn.fit(net, X, X.sum(1, keepdims=True), epochs=5, verbose=0, lr=0.1, seed=0)
    assert h.engine == "graph" and h.loss[-1] < h.loss[0]
    assert all(not np.array_equal(a, p.data) for a, p in zip(before, net.parameters()))
    # the state dict round-trips into a fresh model of the same structure
    other = Net()
    other.load_state_dict(net.state_dict())
    assert np.array_equal(other.predict(X), net.predict(X))
    torch = torch_or_none()
    if torch is not None:
        tnet = torch.nn.Module()
        tnet.hidden = torch.nn.ModuleList([torch.nn.Linear(2, 4), torch.nn.Linear(4, 4)])
        tnet.heads = torch.nn.ModuleDict({"y": torch.nn.Linear(4, 1)})
        tnames = [n for n, _ in tnet.named_parameters()]
        assert [n.rsplit(".", 1)[0] for n in tnames] == [n.rsplit(".", 1)[0] for n in names]


def _ops(lib, make):
    """The same edits of a ModuleList in glassnet and PyTorch; returns each step's order as
    indices of the modules made by ``make``."""
    mods = [make(i) for i in range(6)]
    index = {id(m): i for i, m in enumerate(mods)}
    ml = lib.ModuleList(mods[:3])
    seen = []

    def snap(x):
        seen.append([index[id(m)] for m in x])

    snap(ml)
    ml.append(mods[3])
    snap(ml)
    ml.extend([mods[4]])
    snap(ml)
    ml.insert(1, mods[5])
    snap(ml)
    snap(ml[1:4])
    snap(ml[::-2])
    seen.append(index[id(ml[-1])])
    del ml[0]
    snap(ml)
    ml[0] = mods[0]
    snap(ml)
    del ml[1:3]
    snap(ml)
    ml += [mods[2]]
    snap(ml)
    snap(ml + lib.ModuleList([mods[1]]))
    seen.append(len(ml))
    return seen


def test_module_list_edits_match_pytorch():
    expected = [
        [0, 1, 2], [0, 1, 2, 3], [0, 1, 2, 3, 4], [0, 5, 1, 2, 3, 4], [5, 1, 2], [4, 2, 5],
        4, [5, 1, 2, 3, 4], [0, 1, 2, 3, 4], [0, 3, 4], [0, 3, 4, 2], [0, 3, 4, 2, 1], 4,
    ]  # fmt: skip
    assert _ops(nn, lambda i: nn.Linear(1, 1, rng=i)) == expected
    torch = torch_or_none()
    if torch is not None:
        assert _ops(torch.nn, lambda i: torch.nn.Linear(1, 1)) == expected


def test_module_list_keeps_names_in_order_after_edits():
    ml = nn.ModuleList([nn.Linear(1, 2, rng=0), nn.Linear(2, 3, rng=0)])
    ml.insert(0, nn.Linear(3, 1, rng=0))
    assert [n for n, _ in ml.named_parameters()] == ["0.W", "0.b", "1.W", "1.b", "2.W", "2.b"]
    assert [p.shape for p in ml.parameters()] == [(3, 1), (1,), (1, 2), (2,), (2, 3), (3,)]
    assert "ModuleList(\n  (0): Linear(inputs=3, neurons=1)" in repr(ml)


def test_module_dict_behaves_as_pytorch_and_refuses_what_pytorch_refuses():
    md = nn.ModuleDict([("a", nn.Linear(1, 1, rng=0)), ("b", nn.Linear(1, 2, rng=0))])
    md["c"] = nn.Linear(2, 1, rng=0)
    assert list(md) == md.keys() == ["a", "b", "c"] and "b" in md and len(md) == 3
    popped = md.pop("a")
    assert isinstance(popped, nn.Linear) and md.keys() == ["b", "c"]
    del md["b"]
    assert [n for n, _ in md.named_parameters()] == ["c.W", "c.b"]
    with pytest.raises(KeyError, match="no module 'zz'; its keys are \\['c'\\]"):
        md["zz"]
    for bad in ("", "a.b", 3, "parameters", "train", "forward"):
        with pytest.raises(KeyError):
            md[bad] = nn.Linear(1, 1, rng=0)
    with pytest.raises(TypeError, match="glassnet Modules"):
        md["d"] = np.zeros(3)
    # update is checked whole before anything is stored
    with pytest.raises(TypeError):
        md.update({"e": nn.Linear(1, 1, rng=0), "f": "not a module"})
    assert md.keys() == ["c"]
    torch = torch_or_none()
    if torch is not None:  # PyTorch refuses the same keys
        tmd = torch.nn.ModuleDict()
        for bad in ("", "a.b", "parameters", "train"):
            with pytest.raises(KeyError):
                tmd[bad] = torch.nn.Linear(1, 1)


def test_module_list_refuses_what_is_not_a_module():
    with pytest.raises(TypeError, match="position 1 is 'x'"):
        nn.ModuleList([nn.Linear(1, 1, rng=0), "x"])
    with pytest.raises(TypeError, match="pass an instance, Tanh\\(\\)"):
        nn.ModuleList([nn.Tanh])
    with pytest.raises(TypeError, match="Wrap one module in a list"):
        nn.ModuleList(nn.Linear(1, 1, rng=0))
    ml = nn.ModuleList()
    with pytest.raises(TypeError):
        ml.append(np.zeros(2))
    with pytest.raises(IndexError, match="out of range for 0 modules"):
        ml[0]
    assert len(ml) == 0 and ml.parameters() == [] and repr(ml) == "ModuleList()"


# ------------------------------------------------------------------------ nn.init
GAINS = [
    ("linear", None), ("identity", None), ("sigmoid", None), ("tanh", None), ("relu", None),
    ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None), ("conv2d", None),
]  # fmt: skip


@pytest.mark.parametrize("name, param", GAINS)
def test_calculate_gain_is_pytorchs(name, param):
    expected = {"tanh": 5 / 3, "relu": math.sqrt(2), "selu": 0.75}.get(name, 1.0)
    if name == "leaky_relu":
        expected = math.sqrt(2 / (1 + (0.01 if param is None else param) ** 2))
    assert init.calculate_gain(name, param) == pytest.approx(expected, rel=1e-15)
    torch = torch_or_none()
    if torch is not None and name != "identity":  # ("identity" is glassnet's name of linear)
        assert init.calculate_gain(name, param) == pytest.approx(
            torch.nn.init.calculate_gain(name, param), rel=1e-15
        )
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")


# (name, kwargs, the bound of a uniform draw or the std of a normal one for W: (300, 200))
FAN_IN, FAN_OUT = 300, 200
CASES = [
    ("xavier_uniform_", {}, ("bound", math.sqrt(6 / (FAN_IN + FAN_OUT)))),
    ("xavier_uniform_", {"gain": 2.0}, ("bound", 2 * math.sqrt(6 / (FAN_IN + FAN_OUT)))),
    ("xavier_normal_", {}, ("std", math.sqrt(2 / (FAN_IN + FAN_OUT)))),
    ("kaiming_uniform_", {}, ("bound", math.sqrt(2) * math.sqrt(3 / FAN_IN))),
    ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"},
     ("bound", math.sqrt(2) * math.sqrt(3 / FAN_OUT))),
    ("kaiming_uniform_", {"a": math.sqrt(5)},  # PyTorch's nn.Linear default
     ("bound", math.sqrt(2 / 6) * math.sqrt(3 / FAN_IN))),
    ("kaiming_normal_", {}, ("std", math.sqrt(2 / FAN_IN))),
    ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "tanh"},
     ("std", 5 / 3 / math.sqrt(FAN_OUT))),
    ("uniform_", {"a": -0.3, "b": 0.1}, ("range", (-0.3, 0.1))),
    ("normal_", {"mean": 1.0, "std": 0.5}, ("std", 0.5)),
    ("trunc_normal_", {"std": 1.0, "a": -1.0, "b": 1.0}, ("range", (-1.0, 1.0))),
]  # fmt: skip


def _check_draw(values, kind, target):
    v = np.asarray(values, dtype=np.float64)
    if kind == "bound":  # U(-a, a): inside, reaching near a, std a / sqrt(3)
        assert np.abs(v).max() <= target * (1 + 1e-6) and np.abs(v).max() > 0.99 * target
        assert v.std() == pytest.approx(target / math.sqrt(3), rel=0.02)
    elif kind == "std":
        assert v.std() == pytest.approx(target, rel=0.02)
    else:
        lo, hi = target
        assert v.min() >= lo - 1e-7 and v.max() <= hi + 1e-7
        assert v.min() < lo + 0.01 * (hi - lo) and v.max() > hi - 0.01 * (hi - lo)


@pytest.mark.parametrize("name, kwargs, expect", CASES, ids=[f"{c[0]}{c[1]}" for c in CASES])
def test_initializers_draw_pytorchs_distribution_in_the_lectures_layout(name, kwargs, expect):
    layer = nn.Linear(FAN_IN, FAN_OUT, rng=0)  # W: (inputs 300, neurons 200)
    out = getattr(init, name)(layer.W, **kwargs, generator=0)
    assert out is layer.W and layer.W.dtype == np.float32
    _check_draw(layer.W.data, *expect)
    if name == "normal_":
        assert layer.W.data.mean() == pytest.approx(1.0, abs=0.01)
    # the same seed draws the same values
    again = nn.Linear(FAN_IN, FAN_OUT, rng=5)
    getattr(init, name)(again.W, **kwargs, generator=0)
    assert np.array_equal(again.W.data, layer.W.data)
    torch = torch_or_none()
    if torch is not None:  # PyTorch's weight (out, in) for the same layer: the same law
        w = torch.empty(FAN_OUT, FAN_IN)
        getattr(torch.nn.init, name)(w, **kwargs, generator=torch.Generator().manual_seed(0))
        _check_draw(w.numpy(), *expect)


def test_orthogonal_and_eye_as_pytorch():
    for shape in ((6, 4), (4, 6), (5, 5)):
        W = nn.Parameter(np.zeros(shape))
        init.orthogonal_(W, gain=2.0, generator=0)
        small = min(shape)
        gram = W.data.T @ W.data if shape[0] >= shape[1] else W.data @ W.data.T
        assert np.allclose(gram, 4.0 * np.eye(small), atol=1e-12)
        torch = torch_or_none()
        if torch is not None:  # PyTorch's weight of the same layer is the transpose
            t = torch.empty(shape[1], shape[0], dtype=torch.float64)
            torch.nn.init.orthogonal_(t, gain=2.0)
            t = t.numpy()
            tgram = t @ t.T if shape[0] >= shape[1] else t.T @ t
            assert np.allclose(tgram, 4.0 * np.eye(small), atol=1e-12)
    E = nn.Parameter(np.ones((2, 3)))
    init.eye_(E)
    assert np.array_equal(E.data, np.eye(2, 3))


def test_constants_and_biases():
    layer = nn.Linear(3, 2, rng=0)
    assert init.zeros_(layer.b) is layer.b and not layer.b.data.any()
    init.ones_(layer.W)
    assert (layer.W.data == 1).all()
    init.constant_(layer.b, 0.25)
    assert (layer.b.data == np.float32(0.25)).all()
    init.uniform_(layer.b, -1.0, 1.0, generator=0)
    init.normal_(layer.b, generator=0)
    arr = np.zeros((3, 2))  # a plain float array is filled in place too
    assert init.xavier_uniform_(arr, generator=1) is arr and arr.any()


def test_in_place_into_an_optimizers_flat_buffer():
    model = nn.MLP([3, 4, 1], rng=0)
    opt = gn.optim.SGD(model.parameters(), lr=0.1)
    W = model.layers[0].W
    view = W.data  # a view of the optimizer's flat buffer
    init.kaiming_normal_(W, generator=3)
    assert view is W.data and np.shares_memory(view, opt._packs[0].flat.data[0])
    expected = W.data.copy()
    W.grad = np.ones_like(W.data)
    opt.step()  # the step starts from the values written
    assert np.allclose(W.data, expected - 0.1)


def test_bad_calls_are_refused_naming_the_argument():
    layer = nn.Linear(3, 2, rng=0)
    with pytest.raises(ValueError, match="fan in and fan out .* shape \\(2,\\)"):
        init.kaiming_uniform_(layer.b)
    with pytest.raises(ValueError, match="fan in and fan out"):
        init.xavier_normal_(nn.Parameter(np.zeros((2, 3, 4))))
    with pytest.raises(ValueError, match="'mode' parameter of kaiming_normal_"):
        init.kaiming_normal_(layer.W, mode="fan_avg")
    with pytest.raises(ValueError, match="unsupported nonlinearity"):
        init.kaiming_uniform_(layer.W, nonlinearity="gelu")
    with pytest.raises(TypeError, match="fills a float Tensor"):
        init.zeros_(np.zeros(3, dtype=np.int64))
    with pytest.raises(TypeError, match="fills a float Tensor"):
        init.ones_([1.0, 2.0])
    with pytest.raises(ValueError, match="'generator' parameter of uniform_"):
        init.uniform_(layer.W, generator="seed")
    with pytest.raises(ValueError, match="lower bound a=1.0 is above the upper bound"):
        init.uniform_(layer.W, 1.0, 0.0)
    with pytest.raises(ValueError, match="'std' parameter of normal_"):
        init.normal_(layer.W, std=-1.0)
    with pytest.raises(ValueError, match="'val' parameter of constant_"):
        init.constant_(layer.W, float("nan"))
    with pytest.raises(ValueError, match="too little to draw from"):
        init.trunc_normal_(layer.W, a=10.0, b=11.0)
    with pytest.raises(ValueError, match="is empty"):
        init.trunc_normal_(layer.W, a=1.0, b=1.0)
    before = layer.W.data.copy()  # a refused call writes nothing
    assert np.array_equal(before, layer.W.data)


def test_cat_is_torch_cat():
    a = gn.Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    b = gn.Tensor(np.ones((2, 1)), requires_grad=True)
    out = gn.cat([a, b], 1)
    assert out.shape == (2, 4) and gn.cat([a, a], dim=0).shape == (4, 3)
    (out * gn.Tensor(np.arange(8.0).reshape(2, 4))).sum().backward()
    assert np.array_equal(b.grad, [[3.0], [7.0]])
    torch = torch_or_none()
    if torch is not None:
        ta = torch.tensor(a.data, requires_grad=True)
        tout = torch.cat([ta, torch.tensor(b.data)], 1)
        assert np.array_equal(tout.detach().numpy(), out.data)


def test_review_edge_cases_of_the_containers():
    ml = nn.ModuleList([nn.Linear(1, 1, rng=0), nn.Linear(1, 2, rng=0)])
    assert ml[np.int64(1)] is ml[1] and ml[np.int32(-1)] is ml[1]  # (NumPy's ints, as PyTorch)
    with pytest.raises(TypeError, match="indices are integers or slices, not str"):
        ml["0"]
    # a key that is an attribute set later (training, by train()/eval()) is refused too
    md = nn.ModuleDict({"y": nn.Linear(2, 1, rng=0)})
    md.eval()
    with pytest.raises(KeyError, match="'training' is an attribute"):
        md["training"] = nn.Linear(2, 1, rng=1)
    assert md.keys() == ["y"] and len(md.parameters()) == 2
    copy = nn.ModuleDict(md)  # (PyTorch takes a ModuleDict too)
    copy.update(nn.ModuleDict({"z": nn.Linear(1, 1, rng=0)}))
    assert copy.keys() == ["y", "z"] and copy["y"] is md["y"]


def test_review_edge_cases_of_the_initializers():
    W = nn.Parameter(np.zeros((10, 10)))
    for a, b in ((0.0, 1e-9), (5.0, 5.5)):  # (the rejection loop would all but never end)
        with pytest.raises(ValueError, match="too little to draw from"):
            init.trunc_normal_(W, a=a, b=b)
    init.trunc_normal_(W, a=0.5, b=3.0, generator=0)  # (a third of the mass: fine)
    assert W.data.min() >= 0.5 and W.data.max() <= 3.0
    empty = nn.Parameter(np.zeros((0, 4)))
    with pytest.warns(UserWarning, match="holds no values"):
        assert init.kaiming_uniform_(empty) is empty


def test_cat_takes_a_sequence_and_one_spelling_of_the_axis():
    a = gn.Tensor(np.arange(6.0).reshape(2, 3))
    with pytest.raises(TypeError, match="takes a sequence of tensors .* pass \\[t\\]"):
        gn.cat(a)
    with pytest.raises(TypeError, match="pass axis or dim"):
        gn.cat([a, a], axis=0, dim=1)
    assert gn.cat([a, a], axis=0).shape == (4, 3) and gn.stack([a, a], 1).shape == (2, 2, 3)


# ------------------------------------------------------ the module tree, PyTorch's names
def test_named_modules_children_and_apply_walk_the_tree_as_pytorch():
    net = Net()  # ModuleList of two Linear, ModuleDict of one
    names = [n for n, _ in net.named_modules()]
    assert names == ["", "hidden", "hidden.0", "hidden.1", "heads", "heads.y"]
    assert [type(m).__name__ for m in net.children()] == ["ModuleList", "ModuleDict"]
    order = []
    assert net.apply(lambda m: order.append(type(m).__name__)) is net
    assert order == ["Linear", "Linear", "ModuleList", "Linear", "ModuleDict", "Net"]
    torch = torch_or_none()
    if torch is not None:  # the same tree in PyTorch: the same names and the same order
        tnet = torch.nn.Module()
        tnet.hidden = torch.nn.ModuleList([torch.nn.Linear(2, 4), torch.nn.Linear(4, 4)])
        tnet.heads = torch.nn.ModuleDict({"y": torch.nn.Linear(4, 1)})
        assert [n for n, _ in tnet.named_modules()] == names
        torder = []
        tnet.apply(lambda m: torder.append(type(m).__name__))
        assert torder[:-1] == order[:-1]  # (the root: Module there, Net here)
    # a module used twice is met once, as in PyTorch
    shared = nn.Linear(2, 2, rng=0)
    seq = nn.Sequential(shared, nn.Tanh(), shared)
    assert [n for n, _ in seq.named_modules()] == ["", "layers.0", "layers.1"]
    with pytest.raises(TypeError, match="apply takes a function"):
        seq.apply("xavier")


def test_the_usual_init_function_through_apply():
    def init_weights(m):
        if isinstance(m, nn.Linear):
            init.xavier_uniform_(m.W, generator=0)
            init.constant_(m.bias, 0.01)

    net = nn.MLP([3, 5, 2], rng=0).apply(init_weights)
    assert all((layer.b.data == np.float32(0.01)).all() for layer in net.layers[::2])
    bound = math.sqrt(6 / (3 + 5))
    assert np.abs(net.layers[0].W.data).max() <= bound


def test_linear_answers_to_pytorchs_names_and_refuses_weight_saying_why():
    layer = nn.Linear(3, 2, rng=0)
    assert (layer.in_features, layer.out_features) == (3, 2) and layer.bias is layer.b

    # a subclass's own attributes of those names are its own, as before
    class Scaled(nn.Linear):
        def __init__(self, i, o, weight=2.0, bias=True):
            super().__init__(i, o, rng=0)
            self.weight, self.bias = weight, bias

    scaled = Scaled(3, 2)
    assert (scaled.weight, scaled.bias) == (2.0, True) and scaled.b is not None
    # PyTorch's idioms on the bias act on b; a tensor given as the weight is refused
    dropped = nn.Linear(3, 2, rng=0)
    dropped.bias = None
    assert dropped.b is None and [n for n, _ in dropped.named_parameters()] == ["W"]
    with pytest.raises(AttributeError, match="use layer.W"):
        dropped.weight = nn.Parameter(np.zeros((2, 3)))
    with pytest.raises(
        AttributeError, match="W: \\(inputs, neurons\\).*PyTorch's weight transposed"
    ):
        _ = layer.weight
    assert not hasattr(layer, "weight")  # (getattr(layer, "weight", None) is None)
