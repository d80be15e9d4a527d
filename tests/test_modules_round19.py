"""nn.Module's attribute rules and PyTorch's keywords, as PyTorch's own module tests check
them: a plain Tensor set over a Parameter (or a non-Module over a sub-module, a number over
a buffer) is refused, ``del`` unregisters a buffer, tied weights load from PyTorch's full
state dict, ``state_dict(prefix=, keep_vars=)``, ``named_parameters(remove_duplicate=)``,
``named_buffers(recurse=, remove_duplicate=)``, ``buffers(recurse=)``,
``load_state_dict(assign=)``, ``to(non_blocking=)``, register_buffer's KeyError for a bad
name, and ModuleList's repr of repeated layers."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn


class Net(nn.Module):
    def __init__(self):
        self.lin = nn.Linear(2, 2)
        self.register_buffer("mask", np.ones(2, np.float32))

    def forward(self, x):
        return self.lin(x) * gn.tensor(self.mask)


class Holder(nn.Module):
    def __init__(self):
        self.enc = nn.Linear(2, 2)
        self.head = nn.Linear(2, 1)


# ----------------------------------------------------------------- 1. parameters, modules
@pytest.mark.parametrize("value", [gn.randn(3, 2), np.zeros((3, 2)), 0.5])
def test_a_plain_value_over_a_parameter_is_refused_naming_the_fix(value):
    lin = nn.Linear(3, 2)
    W = lin.W
    with pytest.raises(TypeError, match=r"cannot assign '\w+' as parameter 'W' of Linear") as e:
        lin.W = value
    assert "nn.Parameter or None expected" in str(e.value)
    assert "linear.W.data[...] = values" in str(e.value)
    assert lin.W is W and [n for n, _ in lin.named_parameters()] == ["W", "b"]
    assert list(lin.state_dict()) == ["W", "b"]
    lin.W.data[...] = 1.0  # (the fix the message names: the values, in place)
    lin.W = nn.Parameter(np.zeros((3, 2)))  # (or a new Parameter)
    assert [n for n, _ in lin.named_parameters()] == ["W", "b"]
    opt = gn.optim.SGD(lin.parameters(), lr=0.1)
    lin(np.ones((4, 3))).sum().backward()
    opt.step()
    assert not np.array_equal(lin.W.data, 0.0)  # (trained: still a parameter)


def test_a_graph_value_replaces_a_parameter_deleted_first_as_in_pytorch():
    # (a graph value set over the Parameter itself is refused, as PyTorch refuses it:
    # layer.W = layer.W * 0.5 dropped W from training in silence)
    lin = nn.Linear(3, 2)
    with pytest.raises(TypeError, match=r"as parameter 'W'.*del linear\.W first"):
        lin.W = lin.W * 0.5
    assert [n for n, _ in lin.named_parameters()] == ["W", "b"]
    W = gn.tensor(np.ones((3, 2)), requires_grad=True)
    del lin.W
    lin.W = W
    assert lin.W is W and [n for n, _ in lin.named_parameters()] == ["b"]
    lin(np.ones((1, 3))).sum().backward()
    np.testing.assert_array_equal(W.grad, 1.0)


def test_a_tensor_over_a_linear_bias_is_refused_too_as_pytorch():
    lin = nn.Linear(3, 2)
    with pytest.raises(TypeError, match="as parameter 'b'"):
        lin.bias = gn.zeros(2)
    lin.bias = None  # (PyTorch's way to drop the bias)
    assert [n for n, _ in lin.named_parameters()] == ["W"]
    lin.bias = nn.Parameter(np.zeros(2))
    assert [n for n, _ in lin.named_parameters()] == ["W", "b"]


@pytest.mark.parametrize("value", [gn.zeros(2), 5, "enc", np.zeros(2)])
def test_a_non_module_over_a_sub_module_is_refused(value):
    m = Holder()
    with pytest.raises(TypeError, match=r"cannot assign '\w+' as child module 'enc' of Holder"):
        m.enc = value
    assert list(m.state_dict()) == ["enc.W", "enc.b", "head.W", "head.b"]


def test_a_module_class_over_a_sub_module_says_to_pass_an_instance():
    m = Holder()
    with pytest.raises(TypeError, match=r"Set an instance, holder.enc = Linear\(...\)"):
        m.enc = nn.Linear


def test_none_and_modules_and_parameters_over_a_sub_module_as_pytorch():
    m = Holder()
    m.enc = nn.Linear(2, 3)  # another module: in its place
    assert [n for n, _ in m.named_children()] == ["enc", "head"]
    m.enc = None  # a place kept empty
    assert list(m.state_dict()) == ["head.W", "head.b"]
    m.enc = nn.Linear(2, 2)
    assert [n for n, _ in m.named_children()] == ["enc", "head"]
    m.enc = nn.Parameter(np.zeros(2))  # a Parameter makes it one (PyTorch's)
    assert list(m.state_dict()) == ["enc", "head.W", "head.b"]
    with pytest.raises(TypeError, match="as parameter 'enc'"):  # (and then only a Parameter)
        m.enc = nn.Linear(2, 2)


def test_none_over_a_linear_weight_as_pytorch_and_its_call_says_so():
    lin = nn.Linear(3, 2)
    lin.W = None
    assert lin.W is None and [n for n, _ in lin.named_parameters()] == ["b"]
    with pytest.raises(
        TypeError, match=r"weight W is None.*nn.Parameter\(values of shape \(3, 2\)"
    ):
        lin(np.ones((1, 3)))
    lin.W = nn.Parameter(np.ones((3, 2)))
    np.testing.assert_allclose(lin(np.ones((1, 3))).data, 3.0)
    assert [n for n, _ in lin.named_parameters()] == ["W", "b"]  # (in its place again)


def test_a_parameter_over_a_plain_attribute_comes_last_as_pytorch_registers_it():
    class M(nn.Module):
        def __init__(self):
            self.a = 1.0
            self.b = nn.Parameter(np.zeros(1))

    m = M()
    m.a = nn.Parameter(np.ones(1))
    assert [n for n, _ in m.named_parameters()] == ["b", "a"]


# ------------------------------------------------------------------------ 2. del
def test_del_of_a_buffer_unregisters_it():
    m = Net()
    del m.mask
    assert list(m.state_dict()) == ["lin.W", "lin.b"]
    assert list(m.named_buffers()) == [] and m.buffers() == []
    assert m.to(np.float64) is m and m.lin.W.dtype == np.float64
    m.mask = np.zeros(2)  # now a plain attribute, as PyTorch's
    assert list(m.state_dict()) == ["lin.W", "lin.b"]
    m.load_state_dict(m.state_dict())


def test_del_of_a_non_persistent_buffer_a_parameter_and_a_sub_module():
    m = Net()
    m.register_buffer("scratch", np.zeros(2), persistent=False)
    del m.scratch
    assert [n for n, _ in m.named_buffers()] == ["mask"]
    m.register_buffer("scratch", np.zeros(2))  # registered again: persistent now
    assert "scratch" in m.state_dict()
    del m.lin.b, m.lin
    assert list(m.state_dict()) == ["mask", "scratch"]
    with pytest.raises(AttributeError):
        del m.lin


def test_a_buffer_replaced_by_a_module_comes_after_the_others_as_pytorch():
    class M(nn.Module):
        def __init__(self):
            self.register_buffer("r", np.zeros(2))
            self.lin = nn.Linear(2, 2)

    m = M()
    m.r = nn.Linear(2, 2)
    assert [n for n, _ in m.named_children()] == ["lin", "r"]
    assert list(m.named_buffers()) == []
    m.to(np.float64)


# ------------------------------------------------------------------- 3. buffer values
@pytest.mark.parametrize("value", [3, 2.5, [1.0, 2.0], "x"])
def test_a_non_array_over_a_buffer_is_refused(value):
    m = Net()
    with pytest.raises(TypeError, match=r"cannot assign '\w+' as buffer 'mask' of Net") as e:
        m.mask = value
    assert "net.mask[...] = " in str(e.value) and "np.asarray(" in str(e.value)
    assert list(m.state_dict()) == ["mask", "lin.W", "lin.b"]


def test_a_buffer_takes_arrays_tensors_none_and_numpy_numbers():
    class Count(nn.Module):
        def __init__(self):
            self.register_buffer("count", np.array(0, np.int64))

    m = Count()
    m.count = m.count + 1  # NumPy's number (not an array): kept as a 0-d array
    assert type(m.count) is np.ndarray and m.count.dtype == np.int64 and m.count == 1
    m.load_state_dict({"count": np.array(5)})
    assert m.count == 5
    m.count = gn.tensor(np.array(2.0))
    assert type(m.count) is np.ndarray and m.state_dict()["count"] == 2.0
    m.count = None
    assert list(m.state_dict()) == []


@pytest.mark.parametrize("value", [3, [1.0, 2.0], (1, 2)])
def test_register_buffer_refuses_what_is_no_array(value):
    m = Net()
    with pytest.raises(TypeError, match=r"cannot assign '\w+' as buffer 'k' of Net.*np.asarray"):
        m.register_buffer("k", value)
    assert "k" not in vars(m) and [n for n, _ in m.named_buffers()] == ["mask"]
    m.register_buffer("k", np.float32(2.0))  # (a NumPy number: a 0-d array)
    assert m.state_dict()["k"].shape == ()


# ------------------------------------------------------------------------ 4. tied weights
def _pair(tie):
    enc, dec = nn.Linear(4, 4), nn.Linear(4, 4)
    if tie:
        dec.W = enc.W
    return nn.Sequential(enc, dec)


def test_a_tied_model_loads_a_state_dict_listing_every_name_as_pytorch_s():
    tied = _pair(True)
    assert list(tied.state_dict()) == ["layers.0.W", "layers.0.b", "layers.1.b"]  # (once)
    full = _pair(False).state_dict()
    full["layers.1.W"] = full["layers.0.W"]  # PyTorch's form: the tied weight at each name
    assert tied.load_state_dict(full) == ([], [])
    np.testing.assert_array_equal(tied.layers[1].W.data, full["layers.0.W"])
    assert tied.layers[1].W is tied.layers[0].W
    only_second = {k: v for k, v in full.items() if k != "layers.0.W"}
    tied.load_state_dict(only_second)  # (either name)


def test_a_tied_model_refuses_two_values_for_its_one_parameter():
    tied = _pair(True)
    before = tied.layers[0].W.data.copy()
    untied = _pair(False).state_dict()
    with pytest.raises(gn.nn.StateDictError, match=r"'layers.1.W' and 'layers.0.W' name one"):
        tied.load_state_dict(untied)
    np.testing.assert_array_equal(tied.layers[0].W.data, before)


def test_an_untied_model_says_how_to_load_a_tied_model_s_state_dict():
    state = _pair(True).state_dict()
    untied = _pair(False)
    with pytest.raises(
        gn.nn.StateDictError, match=r"state\['layers.1.W'\] = state\['layers.0.W'\]"
    ):
        untied.load_state_dict(state)
    state["layers.1.W"] = state["layers.0.W"]  # the fix the message names
    assert untied.load_state_dict(state) == ([], [])


def test_a_module_held_twice_loads_the_full_form_too():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, lin)
    full = {f"layers.{i}.{k}": v for i in (0, 1) for k, v in lin.state_dict().items()}
    assert seq.load_state_dict(full) == ([], [])
    result = seq.load_state_dict({**full, "extra": np.zeros(1)}, strict=False)
    assert result == ([], ["extra"])


# ------------------------------------------------------------------- 5. PyTorch's keywords
def test_state_dict_prefix_destination_and_keep_vars():
    m = Net()
    assert list(m.state_dict(prefix="enc.")) == ["enc.mask", "enc.lin.W", "enc.lin.b"]
    dest = {"x": 1}
    assert m.state_dict(dest, "p.") is dest and list(dest) == ["x", "p.mask", "p.lin.W", "p.lin.b"]
    kept = m.state_dict(keep_vars=True)
    assert kept["lin.W"] is m.lin.W and kept["mask"] is m.mask
    copied = m.state_dict()
    assert type(copied["lin.W"]) is np.ndarray and copied["lin.W"] is not m.lin.W.data
    with pytest.raises(ValueError, match="'keep_vars' parameter"):
        m.state_dict(keep_vars="yes")
    with pytest.raises(TypeError, match="prefix is a str, destination a dict or None"):
        m.state_dict(prefix=3)
    with pytest.raises(TypeError, match="prefix is a str, destination a dict or None"):
        m.state_dict([])


def test_named_parameters_and_buffers_remove_duplicate_and_recurse():
    tied = _pair(True)
    names = [n for n, _ in tied.named_parameters(remove_duplicate=False)]
    assert names == ["layers.0.W", "layers.0.b", "layers.1.W", "layers.1.b"]
    assert len(tied.parameters()) == 3  # (once each, as ever)
    bn = nn.BatchNorm1d(2)
    seq = nn.Sequential(bn, bn)
    assert [n for n, _ in seq.named_buffers()] == [
        "layers.0.running_mean", "layers.0.running_var", "layers.0.num_batches_tracked"
    ]  # fmt: skip
    assert len(list(seq.named_buffers(remove_duplicate=False))) == 6
    assert len(list(seq.named_parameters(remove_duplicate=False))) == 4
    m = Net()
    assert [n for n, _ in m.named_buffers(recurse=False)] == ["mask"]
    assert list(seq.named_buffers(recurse=False)) == [] and seq.buffers(recurse=False) == []
    assert [type(b) for b in m.buffers(recurse=False)] == [np.ndarray]
    assert [n for n, _ in m.named_parameters(recurse=False)] == []
    assert [n for n, _ in m.lin.named_parameters("lin", recurse=False)] == ["lin.W", "lin.b"]
    with pytest.raises(ValueError, match="'remove_duplicate' parameter"):
        list(m.named_buffers(remove_duplicate=None))


def test_remove_duplicate_false_ends_on_a_module_that_holds_its_parent():
    m = Holder()
    m.enc.back = m  # (a cycle: walked once along each path)
    names = [n for n, _ in m.named_parameters(remove_duplicate=False)]
    assert names == ["enc.W", "enc.b", "head.W", "head.b"]


def test_load_state_dict_assign_and_to_non_blocking():
    m = Net()
    assert m.load_state_dict(m.state_dict(), assign=False) == ([], [])
    with pytest.raises(ValueError, match=r"Net.load_state_dict\(assign=True\): glassnet copies"):
        m.load_state_dict(m.state_dict(), assign=True)
    assert m.to("cpu", non_blocking=True) is m
    assert m.to(np.float64, non_blocking=False) is m and m.mask.dtype == np.float64
    with pytest.raises(ValueError, match="'non_blocking' parameter of Net.to"):
        m.to("cpu", non_blocking="yes")


# ------------------------------------------------------------------ 6. register_buffer names
@pytest.mark.parametrize("name", ["a.b", "", "1a"])
def test_register_buffer_refuses_a_bad_name_with_a_key_error(name):
    m = Net()
    with pytest.raises(KeyError, match="name must be an attribute name"):
        m.register_buffer(name, np.zeros(1))
    with pytest.raises(TypeError, match="name must be an attribute name"):  # (as before)
        m.register_buffer(name, np.zeros(1))
    with pytest.raises(TypeError) as e:
        m.register_buffer(3, np.zeros(1))
    assert not isinstance(e.value, KeyError)  # (not a str: PyTorch's TypeError)


# ------------------------------------------------------------------- 7. ModuleList's repr
def test_module_list_repr_collapses_repeated_layers_as_pytorch():
    ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU(), nn.Linear(2, 3)])
    lines = repr(ml).splitlines()
    assert lines[1] == "  (0-2): 3 x Linear(inputs=2, neurons=2)"
    assert lines[2:] == ["  (3): ReLU()", "  (4): Linear(inputs=2, neurons=3)", ")"]
    assert repr(nn.ModuleList()) == "ModuleList()"


# ------------------------------------------------------------------------- against torch
def test_the_refusals_and_keywords_match_torch():
    torch = pytest.importorskip("torch")
    t = torch.nn.Linear(3, 2)
    with pytest.raises(TypeError, match="cannot assign .* as parameter 'weight'"):
        t.weight = torch.randn(2, 3)
    lin = nn.Linear(3, 2)
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'W'"):
        lin.W = gn.randn(3, 2)
    tm, gm = torch.nn.Sequential(torch.nn.Linear(2, 2)), nn.Sequential(nn.Linear(2, 2))
    with pytest.raises(KeyError):
        tm.register_buffer("a.b", torch.ones(1))
    with pytest.raises(KeyError):
        gm.register_buffer("a.b", np.ones(1))
    with pytest.raises(TypeError):
        tm.register_buffer("k", 3)
    with pytest.raises(TypeError):
        gm.register_buffer("k", 3)
    for m in (tm, gm):  # the same counts and prefixes, glassnet's names aside
        assert len(m.state_dict(prefix="enc.")) == 2
        assert all(k.startswith("enc.") for k in m.state_dict(prefix="enc."))
        assert m.to("cpu", non_blocking=True) is m
    tt = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Linear(4, 4))
    tt[1].weight = tt[0].weight
    gt = _pair(True)
    assert len(list(tt.named_parameters(remove_duplicate=False))) == len(
        list(gt.named_parameters(remove_duplicate=False))
    )


def test_module_list_repr_as_torch_s():
    torch = pytest.importorskip("torch")
    t = torch.nn.ModuleList([torch.nn.ReLU() for _ in range(3)] + [torch.nn.Tanh()])
    g = nn.ModuleList([nn.ReLU() for _ in range(3)] + [nn.Tanh()])
    assert repr(g) == repr(t)
