"""Round 21: flags refused unless a bool (keepdim, bias, retain_graph), wrong-typed dims,
shapes and dtypes named, sizes beyond memory refused with the argument named, Tensor.sum and
Tensor.mean typed, and PyTorch's keyword ``input=`` of a module's call."""

import textwrap
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet._validation import ParameterError
from glassnet.io import load_torch_state_dict

ROOT = Path(__file__).resolve().parent.parent

# ------------------------------------------------- apifuzz 4: keepdim is a bool


@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "norm"])
@pytest.mark.parametrize("value", ["False", 0.5, 1, np.array([True])])
def test_keepdim_of_every_reduction_must_be_a_bool(name, value):
    t = gn.tensor([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ParameterError, match=rf"'keepdim' parameter of {name} must be a bool"):
        getattr(t, name)(dim=1, keepdim=value)


def test_keepdims_numpy_spelling_is_checked_too_and_bools_still_work():
    t = gn.tensor([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ParameterError, match="'keepdims' parameter of mean must be a bool"):
        t.mean(1, keepdims="False")
    assert t.sum(1, keepdim=np.bool_(True)).shape == (2, 1)
    assert t.mean(1, keepdims=False).shape == (2,)
    assert t.amax(dim=0, keepdim=True).shape == (1, 2)
    assert t.norm(dim=1).shape == (2,)


# ------------------------------------------------- apifuzz 5: bool flags


@pytest.mark.parametrize("value", ["False", float("nan"), np.array([1.0, 0.0]), 2, 1.0])
def test_linear_bias_must_be_a_bool(value):
    with pytest.raises(ParameterError, match="'bias' parameter of Linear must be a bool"):
        nn.Linear(2, 2, bias=value)


def test_linear_bias_bools_numpy_too():
    assert nn.Linear(2, 2, bias=np.bool_(False)).b is None
    assert nn.Linear(2, 2, bias=True).b is not None


def test_pytorchs_flags_take_its_0_and_1():
    # torch.nn.Linear(2, 2, bias=0), backward(retain_graph=1), zero_grad(set_to_none=0) run in
    # PyTorch; 0 and 1 say which they mean (another number is refused above)
    assert nn.Linear(2, 2, bias=0).b is None and nn.Linear(2, 2, bias=np.int64(1)).b is not None
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=1)
    y.backward(retain_graph=0)
    np.testing.assert_array_equal(x.grad, [4.0, 8.0])


def test_backward_retain_graph_must_be_a_bool_or_none():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ParameterError, match="'retain_graph' parameter of backward must be"):
        (x * x).sum().backward(retain_graph="no")
    assert x.grad is None
    (x * x).sum().backward(retain_graph=np.bool_(True))
    (x * x).sum().backward(retain_graph=None)
    np.testing.assert_array_equal(x.grad, [4.0, 8.0])


# ------------------------------------------------- apifuzz 11: wrong-typed dim/shape/dtype


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.sum(dim=1.5),
        lambda t: t.sum(1.5),
        lambda t: t.mean(dim=True),
        lambda t: t.mean(False),
        lambda t: t.sum(axis=[1.5]),
        lambda t: t.sum(dim=(0, "a")),
        lambda t: t.max(axis=True),
        lambda t: t.min(axis="0"),
        lambda t: t.amax(dim=1.0),
        lambda t: t.softmax(True),
        lambda t: t.prod(dim=0.5),
    ],
)
def test_a_dim_of_the_wrong_type_is_named(call):
    t = gn.tensor([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(TypeError, match=r"dim must be an integer.*Got"):
        call(t)


def test_integer_dims_of_numpy_and_tuples_still_work():
    t = gn.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert t.sum(np.int64(1)).tolist() == [3.0, 7.0]
    assert t.mean(axis=(0, 1)).item() == 2.5
    assert t.sum(dim=[0, -1]).item() == 10.0
    assert t.max(axis=np.int32(0)).tolist() == [3.0, 4.0]


@pytest.mark.parametrize("shape", [("a",), (2.0, 2), (None,), ((2, "x"),)])
def test_reshape_to_sizes_of_the_wrong_type_is_named(shape):
    t = gn.tensor([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(TypeError, match=r"op 'reshape': .*sizes must be integers"):
        t.reshape(*shape)


def test_reshape_that_does_not_fit_keeps_its_value_error():
    with pytest.raises(ValueError, match=r"cannot reshape \(2, 2\) \(4 values\) into \(3,\)"):
        gn.tensor([[1.0, 2.0], [3.0, 4.0]]).reshape(3)


@pytest.mark.parametrize("dtype", ["abc", object(), [1]])
def test_astype_of_something_no_dtype_is_named(dtype):
    with pytest.raises(TypeError, match="astype: a Tensor's dtype must be float32 or float64"):
        gn.tensor([1.0]).astype(dtype)


# ------------------------------------------------- apifuzz 7: sizes beyond memory


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: gn.zeros(10**30), "zeros"),
        (lambda: gn.ones(3, 10**30), "ones"),
        (lambda: gn.randn(10**30), "randn"),
        (lambda: gn.rand(10**30), "rand"),
        (lambda: gn.full((10**30,), 1.0), "full"),
        (lambda: gn.empty(10**30), "empty"),
        (lambda: gn.eye(10**30), "eye"),
        (lambda: gn.eye(3, 10**30), "eye"),
    ],
)
def test_factories_refuse_sizes_beyond_memory_naming_the_call(call, name):
    with pytest.raises(MemoryError, match=rf"{name}\(.*needs about .* of memory.*: "):
        call()


@pytest.mark.parametrize(
    "args, word",
    [
        (("0", 1, 3), "start"),
        ((0, [1], 3), "end"),
        ((0, 1, [1, 2]), "steps"),
        ((0, 1, 10**30), "steps"),
    ],
)
def test_linspace_names_the_argument(args, word):
    with pytest.raises((ValueError, TypeError, MemoryError, OverflowError), match=word):
        gn.linspace(*args)


@pytest.mark.parametrize("end", [float("nan"), float("inf"), -float("inf")])
def test_arange_of_a_non_finite_end_is_named(end):
    with pytest.raises(ValueError, match="arange.*end.*finite"):
        gn.arange(end)


def test_arange_beyond_memory_is_named():
    with pytest.raises(MemoryError, match=r"arange\(.*needs about"):
        gn.arange(0, 1e30, 1.0)


def test_linspace_takes_what_pytorchs_takes():
    # torch.linspace(0, 2**63 + 5, 3) and of NaN or inf ends run (NaN gives NaNs): not refused
    np.testing.assert_allclose(
        gn.linspace(0, 2**64, 3, dtype=gn.float64).data, [0, 2.0**63, 2.0**64]
    )
    assert np.isnan(gn.linspace(float("nan"), 1, 3).data[0])
    assert gn.linspace(0, float("inf"), 2).data[1] == np.inf
    assert gn.linspace(10**30, 1, 2, dtype=gn.float64).data[0] == 1e30


def test_factories_still_make_ordinary_tensors():
    assert gn.zeros(2, 3).shape == (2, 3)
    assert gn.eye(2, 3).shape == (2, 3)
    assert gn.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert gn.arange(3).tolist() == [0, 1, 2]


# ------------------------------------------------- typing 1: sum and mean are typed


def test_mypy_strict_types_sum_and_mean_as_tensor(mypy):
    errors, stdout, _ = mypy(
        textwrap.dedent("""\
        from typing_extensions import assert_type

        import glassnet as gn


        def loss(out: gn.Tensor, y: gn.Tensor) -> gn.Tensor:
            return ((out - y) ** 2).mean()


        x = gn.randn(4, 2)
        assert_type(x.sum(), gn.Tensor)
        assert_type(x.mean(dim=0, keepdim=True), gn.Tensor)
        assert_type(x.sum(axis=(0, 1)), gn.Tensor)
        x.sum().backward()
        """),
        "--strict",
    )
    assert errors == [], stdout


# ------------------------------------------------- research 5: a module's call takes input=


def _modules():
    return [
        nn.Linear(2, 2),
        nn.ReLU(),
        nn.Tanh(),
        nn.BatchNorm1d(2),
        nn.Dropout(0.5),
        nn.LayerNorm(2),
        nn.Sequential(nn.Linear(2, 2), nn.ReLU()),
    ]


@pytest.mark.parametrize("index", range(7))
def test_module_call_takes_pytorchs_input_keyword(index):
    layer = _modules()[index].eval()
    x = gn.tensor([[1.0, -2.0], [3.0, 0.5], [0.0, 1.0]])
    np.testing.assert_array_equal(layer(input=x).data, layer(x).data)


def test_input_keyword_of_numbers_is_made_a_tensor_and_a_loss_takes_input_and_target():
    layer = nn.Linear(2, 1)
    out = layer(input=[[1.0, 2.0]])
    assert isinstance(out, gn.Tensor) and out.shape == (1, 1)
    loss = nn.MSELoss()(input=gn.tensor([1.0, 2.0]), target=gn.tensor([1.0, 4.0]))
    assert loss.item() == 2.0


def test_a_forward_that_names_input_itself_gets_it_unchanged():
    class Own(nn.Module):
        def forward(self, x=None, input=None):
            return x, input

    assert Own()(input=1) == (None, 1)

    class Pos(nn.Module):
        def forward(self, x):
            return x

    with pytest.raises(TypeError):
        Pos()(gn.tensor([1.0]), input=gn.tensor([2.0]))


@pytest.mark.parametrize("index", range(7))
def test_input_keyword_as_torch(index):
    torch = pytest.importorskip("torch")
    layers = [
        torch.nn.Linear(2, 2),
        torch.nn.ReLU(),
        torch.nn.Tanh(),
        torch.nn.BatchNorm1d(2),
        torch.nn.Dropout(0.5),
        torch.nn.LayerNorm(2),
        torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU()),
    ]
    theirs, ours = layers[index].eval().double(), _modules()[index].eval()
    load_torch_state_dict(nn.Sequential(ours), torch.nn.Sequential(theirs).state_dict())
    a = np.array([[1.0, -2.0], [3.0, 0.5], [0.0, 1.0]])
    expected = theirs(input=torch.tensor(a)).detach().numpy()
    np.testing.assert_allclose(ours(input=gn.tensor(a)).data, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("make_moons", {"n_samples": 10**30}),
        ("make_circles", {"n_samples": 10**30}),
        ("make_spirals", {"n_samples": 10**30}),
        ("make_blobs", {"n_samples": 10**30}),
        ("make_blobs", {"n_features": 10**30}),
        ("make_regression_multi", {"n_samples": 10**30}),
        ("make_regression_multi", {"n_features": 10**30}),
        ("make_regression_multi", {"n_targets": 10**30}),
    ],
)
def test_datasets_refuse_sizes_beyond_memory_naming_the_argument(name, kwargs):
    (arg,) = kwargs
    with pytest.raises(MemoryError, match=rf"{name}\(.*{arg}=10+.*needs about .*: use"):
        getattr(gn.datasets, name)(**kwargs)
