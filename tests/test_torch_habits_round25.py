"""PyTorch habits, round 25: a training script ported line for line.

nn.init on a weight kept in PyTorch's (out, in) layout (the layout glassnet.nn.functional.linear
takes), a bare nn.Linear's state_dict, backward's create_graph, a Tensor lr, a named
Sequential.add_module, and PyTorch's names glassnet has not (autocast, compile, backends).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.nn import functional as F

torch = pytest.importorskip("torch")


# ----------------------------------------------------------------- nn.init and the layout
def _torch_std(fill, shape):
    t = torch.empty(*shape, dtype=torch.float64)
    torch.manual_seed(0)
    fill(t)
    return t.std().item()


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("kaiming_uniform_", {"a": math.sqrt(5)}),
        ("kaiming_normal_", {"nonlinearity": "relu"}),
        ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"}),
        ("xavier_uniform_", {}),
        ("xavier_normal_", {"gain": 2.0}),
    ],
)
def test_an_init_of_a_torch_layout_weight_draws_pytorchs_spread(name, kwargs):
    out_f, in_f = 16, 1024  # PyTorch's weight (out, in); its fan_in is 1024
    want = _torch_std(lambda t: getattr(torch.nn.init, name)(t, **kwargs), (out_f, in_f))
    weight = nn.Parameter(np.empty((out_f, in_f)))  # kept as PyTorch keeps it, for F.linear
    getattr(nn.init, name)(weight, **kwargs, generator=0, layout="torch")
    assert np.std(weight.data) == pytest.approx(want, rel=0.05)
    W = nn.Parameter(np.empty((in_f, out_f)))  # the lecture's W: the default layout
    getattr(nn.init, name)(W, **kwargs, generator=0)
    assert np.std(W.data) == pytest.approx(want, rel=0.05)


def test_an_unknown_layout_is_refused_naming_both():
    for bad in ("pytorch_layout", "(out, in)", None, 1):
        with pytest.raises((ValueError, TypeError), match="layout") as info:
            nn.init.kaiming_uniform_(np.empty((3, 4)), layout=bad)
        assert "torch" in str(info.value) and "lecture" in str(info.value)


def test_sparse_in_torch_layout_zeroes_each_column_as_pytorchs():
    w = nn.init.sparse_(np.empty((10, 4)), sparsity=0.3, generator=0, layout="torch")
    assert (w == 0).sum(axis=0).tolist() == [3, 3, 3, 3]  # ceil(0.3 * 10) a column


def test_f_linear_warns_once_of_a_weight_whose_fans_were_read_in_the_lecture_layout():
    weight = nn.Parameter(np.empty((16, 1024)))
    nn.init.kaiming_uniform_(weight, a=math.sqrt(5), generator=0)  # read as W: fan_in 16
    x = np.ones((2, 1024))
    with pytest.warns(UserWarning, match="layout='torch'"):
        F.linear(x, weight)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.linear(x, weight)  # (once)
        nn.init.kaiming_uniform_(weight, a=math.sqrt(5), generator=0, layout="torch")
        F.linear(x, weight)
        square = nn.init.kaiming_uniform_(nn.Parameter(np.empty((8, 8))), generator=0)
        F.linear(np.ones((2, 8)), square)  # (the fans are the same either way)
        W = nn.init.kaiming_uniform_(nn.Parameter(np.empty((1024, 16))), generator=0)
        gn.functional.linear(x, W)  # (the lecture's W, read as one)


def test_f_linear_does_not_warn_once_other_values_were_written():
    class Port(nn.Module):  # PyTorch's layer, ported line for line
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(np.empty((3, 5)))
            nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5), generator=0)

        def forward(self, x):
            return F.linear(x, self.weight)

    loaded = Port()
    loaded.load_state_dict({"weight": torch.nn.Linear(5, 3, bias=False).weight.detach().numpy()})
    redrawn = Port()
    nn.init.normal_(redrawn.weight, 0, 0.02, generator=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for model in (loaded, redrawn):
            model(np.ones((2, 5)))
    with pytest.warns(UserWarning, match="fan_in 5.*fan_in 3"):
        Port()(np.ones((2, 5)))


# ----------------------------------------------------------------- a bare nn.Linear's state_dict
_ONE_LINEAR = [
    lambda: nn.Linear(5, 3),
    lambda: nn.Sequential(nn.Linear(5, 3)),
    lambda: nn.MLP([5, 3]),
]


@pytest.mark.parametrize("make", _ONE_LINEAR)
def test_a_bare_torch_linears_state_dict_loads(make):
    torch.manual_seed(0)
    lin = torch.nn.Linear(5, 3).double()
    model = make().to(np.float64)
    gn.io.load_torch_state_dict(model, lin.state_dict())
    x = np.random.default_rng(0).normal(size=(4, 5))
    with torch.no_grad():
        want = lin(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(model(gn.tensor(x)).data, want, rtol=1e-12)


def test_the_message_of_linear_load_state_dict_leads_to_a_load():
    lin, state = nn.Linear(5, 3), torch.nn.Linear(5, 3).state_dict()
    with pytest.raises(ValueError, match="load_torch_state_dict"):
        lin.load_state_dict(state)
    gn.io.load_torch_state_dict(lin, state)  # where the message sends the user
    np.testing.assert_allclose(lin.W.data, state["weight"].numpy().T)


def test_a_models_own_weight_beside_its_layers_is_still_refused():
    state = {"weight": np.ones((3, 5)), "fc.weight": np.ones((3, 5)), "fc.bias": np.zeros(3)}
    with pytest.raises(ValueError, match="'weight'") as info:
        gn.io.load_torch_state_dict(nn.Sequential(nn.Linear(5, 3), nn.Linear(3, 3)), state)
    assert "own" in str(info.value)


# ----------------------------------------------------------------- backward's create_graph
def _loss():
    w = gn.tensor([1.0, 2.0], requires_grad=True)
    return w, (w * w).sum()


def test_backward_takes_pytorchs_create_graph_false_by_name_and_place():
    for call in (
        lambda loss: loss.backward(create_graph=False),
        lambda loss: loss.backward(None, True, False),
        lambda loss: loss.backward(None, None, False, None),
        lambda loss: loss.backward(retain_graph=False, create_graph=0),
    ):
        w, loss = _loss()
        call(loss)
        np.testing.assert_array_equal(w.grad, [2.0, 4.0])


def test_backward_takes_inputs_fourth_as_pytorch():
    w, loss = _loss()
    v = gn.tensor([1.0], requires_grad=True)
    (loss + v.sum()).backward(None, None, False, [v])
    assert w.grad is None and v.grad.tolist() == [1.0]


def test_backward_create_graph_true_is_refused_saying_why():
    w, loss = _loss()
    with pytest.raises(ValueError, match=r"create_graph=True.*second derivatives") as info:
        loss.backward(create_graph=True)
    assert "autograd.grad" in str(info.value) and w.grad is None
    with pytest.raises(TypeError, match="create_graph"):
        loss.backward(create_graph="yes")


# ----------------------------------------------------------------- a Tensor lr
def test_a_tensor_lr_is_refused_saying_float_lr():
    with pytest.raises(ValueError, match=r"float\(lr\)"):
        gn.optim.Adam(nn.Linear(2, 2).parameters(), lr=gn.tensor(0.01))
    with pytest.raises(ValueError, match=r"float\(lr\)"):
        gn.optim.SGD(nn.Linear(2, 2).parameters(), lr=torch.tensor(0.01))
    gn.optim.Adam(nn.Linear(2, 2).parameters(), lr=float(gn.tensor(0.01)))  # the fix


# ----------------------------------------------------------------- Sequential.add_module
def test_a_named_add_module_on_a_sequential_is_a_value_error_said_plainly():
    s = nn.Sequential(nn.Linear(2, 3))
    with pytest.raises(ValueError, match="append") as info:
        s.add_module("relu1", nn.ReLU())
    assert not isinstance(info.value, KeyError) and not str(info.value).startswith(("'", '"'))
    assert "nn.ModuleDict" in str(info.value) or "own Module" in str(info.value)
    s.add_module("1", nn.ReLU())  # a place still works
    assert len(s) == 2


# ----------------------------------------------------------------- PyTorch's names glassnet has not
@pytest.mark.parametrize(
    "module, name, hint",
    [
        (gn, "autocast", "float32"),
        (gn, "amp", "float32"),
        (gn, "compile", "jit"),
        (gn, "backends", "gn.cuda.is_available"),
        (nn.init, "_calculate_fan_in_and_fan_out", "shape"),
    ],
)
def test_pytorchs_names_glassnet_has_not_say_what_to_do(module, name, hint):
    with pytest.raises(AttributeError, match=name) as info:
        getattr(module, name)
    assert hint in str(info.value)
    assert not hasattr(module, name)


def test_an_unknown_name_stays_a_plain_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'nothing_here'"):
        gn.nothing_here  # noqa: B018
    with pytest.raises(AttributeError, match="has no attribute 'nothing_here'"):
        nn.init.nothing_here  # noqa: B018


# ----------------------------------------------------------------- round 25, the review's cases
@pytest.mark.parametrize(
    "make, fix",
    [
        (lambda p, v: gn.optim.LBFGS(p, max_iter=v), "pass int(max_iter.item())"),
        (
            lambda p, v: gn.schedules.StepLR(gn.optim.SGD(p, lr=0.1), step_size=v),
            "pass int(step_size.item())",
        ),
    ],
)
def test_a_tensor_for_a_whole_number_setting_says_int(make, fix):
    params = nn.Linear(2, 2).parameters()
    with pytest.raises(ValueError) as info:
        make(params, gn.tensor(5.0))
    assert fix in str(info.value) and "float(" not in str(info.value)
    make(nn.Linear(2, 2).parameters(), int(gn.tensor(5.0).item()))  # what it says works


def test_a_tensor_out_of_range_says_its_value_is_refused_too():
    for value in (gn.tensor(-0.1), torch.tensor(-0.1)):
        with pytest.raises(ValueError) as info:
            gn.optim.SGD(nn.Linear(2, 2).parameters(), lr=value)
        msg = str(info.value)
        assert "not taken as a number" in msg and "float(lr)" not in msg, msg
        assert "its value, -0.1, is not a float >= 0 either" in msg, msg
    with pytest.raises(ValueError) as info:  # 2.5 steps: int() would hide the .5
        gn.optim.LBFGS(nn.Linear(2, 2).parameters(), max_iter=gn.tensor(2.5))
    assert "its value, 2.5, is not an int >= 1 either" in str(info.value)


def test_a_numpy_bool_or_array_lr_gets_its_own_message():
    with pytest.raises(ValueError) as info:
        gn.optim.SGD(nn.Linear(2, 2).parameters(), lr=np.True_)
    assert str(info.value) == (
        "The 'lr' parameter of SGD must be a float >= 0. Got True: a bool is not taken as a "
        "number; write lr=1.0."
    )
    with pytest.raises(ValueError) as info:
        gn.optim.SGD(nn.Linear(2, 2).parameters(), lr=np.array(0.1))
    msg = str(info.value)
    assert "an ndarray is not taken as a number" in msg and "float(lr)" in msg, msg
    assert "PyTorch" not in msg, msg


def test_f_linear_does_not_warn_of_a_linears_own_w_tied_into_a_decoder():
    enc = nn.Linear(6, 3)
    nn.init.kaiming_uniform_(enc.W, generator=0)  # right for enc: fan_in 6
    x = gn.randn(4, 6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.linear(enc(x), enc.W)  # the tied decoder: h @ W.T
        model = nn.Sequential(nn.Linear(6, 3))
        nn.init.kaiming_normal_(model.layers[0].W, generator=0)
        F.linear(model(x), model.layers[0].W)
    with pytest.warns(UserWarning, match="layout='torch'"):  # a port's own weight still warns
        weight = nn.Parameter(np.empty((3, 6)))
        nn.init.kaiming_uniform_(weight, generator=0)
        F.linear(x, weight)


def test_f_linear_does_not_warn_of_a_weight_of_no_values():
    weight = nn.Parameter(np.empty((0, 6)))
    with pytest.warns(UserWarning, match="holds no values"):
        nn.init.kaiming_uniform_(weight, generator=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.linear(np.ones((4, 6)), weight)


@pytest.fixture
def _bare():
    return torch.nn.Linear(6, 3).state_dict()


def test_a_bare_layers_refusals_name_the_users_keys(_bare):
    with pytest.raises(ValueError) as info:  # a shape
        gn.io.load_torch_state_dict(nn.Linear(6, 4), _bare)
    msg = str(info.value)
    assert "(the layer)" not in msg and "'weight'" in msg and "(3, 6)" in msg, msg
    with pytest.raises(ValueError) as info:  # a count
        gn.io.load_torch_state_dict(nn.Sequential(nn.Linear(6, 3), nn.Linear(3, 2)), _bare)
    msg = str(info.value)
    assert "(the layer)" not in msg and "'weight'" in msg and "2" in msg, msg
    with pytest.raises(ValueError) as info:  # a kind
        gn.io.load_torch_state_dict(nn.LayerNorm(6), _bare)
    assert "(the layer)" not in str(info.value), str(info.value)
    with pytest.raises(ValueError, match="leave 'order' out"):
        gn.io.load_torch_state_dict(nn.Linear(6, 3), _bare, order=["weight"])
    stats = torch.nn.BatchNorm1d(6).state_dict()
    with pytest.raises(ValueError) as info:  # the running statistics
        gn.io.load_torch_state_dict(nn.BatchNorm1d(6, track_running_stats=False), stats)
    assert "(the layer)" not in str(info.value) and "single layer" in str(info.value)
    odd = {**_bare, "scale": torch.ones(1)}  # a single layer of another kind
    with pytest.raises(ValueError) as info:
        gn.io.load_torch_state_dict(nn.Linear(6, 3), odd)
    msg = str(info.value)
    assert "['scale']" in msg and "['bias', 'scale', 'weight']" not in msg, msg


def test_pytorchs_names_in_a_from_import_are_pythons_import_error():
    # Python's `from glassnet import autocast` calls the module's __getattr__ and drops its
    # AttributeError (hint included) for its own ImportError: the hint is getattr's alone.
    with pytest.raises(ImportError, match="cannot import name 'autocast'"):
        from glassnet import autocast  # noqa: F401


def test_the_init_docs_say_which_initializers_f_linear_warns_of():
    from glassnet.nn import init_inplace

    doc = " ".join(init_inplace.__doc__.split())
    assert "kaiming_uniform_ or kaiming_normal_" in doc, doc
    assert "sparse_ does not" in doc, doc
