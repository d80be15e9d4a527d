"""PyTorch's tensor factories (``gn.tensor``, ``gn.zeros``, ``gn.randn``, ...), ``x.to()``,
and the layer signatures PyTorch code writes: ``nn.Softmax(dim=1)``, ``nn.ReLU(inplace=False)``,
``nn.LeakyReLU(negative_slope=)``, ``nn.Flatten()``.

Each runs in glassnet always, against NumPy; where PyTorch (``torch==2.13.0``, optional) is
installed, the same calls run there too and must agree (shapes, values, gradients).
"""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.gradcheck import gradcheck


def torch_or_none():
    try:
        import torch
    except ImportError:
        return None
    return torch


# ------------------------------------------------------------------------ factories
def test_tensor_copies_its_data_and_takes_dtype_and_requires_grad():
    a = np.array([[1.0, 2.0]], np.float64)
    t = gn.tensor(a, requires_grad=True)
    a[0, 0] = 9.0  # a copy, as torch.tensor's
    assert t.data.tolist() == [[1.0, 2.0]] and t.dtype == np.float64 and t.requires_grad
    assert gn.tensor([1, 2]).dtype == gn.get_default_dtype() == np.float32
    assert gn.tensor([1.0], dtype=gn.float64).dtype == np.float64
    u = gn.tensor(t)  # from a Tensor: a new leaf with a copy
    assert u is not t and not u.requires_grad and not np.shares_memory(u.data, t.data)
    with pytest.raises(TypeError, match="float32 or float64"):
        gn.tensor([1, 2], dtype=np.int64)


def test_glassnet_tensor_is_still_the_module_of_the_tensor_class():
    import glassnet.tensor as module
    from glassnet.tensor import Tensor

    assert module is gn.tensor and gn.tensor.Tensor is Tensor is gn.Tensor
    assert isinstance(gn.tensor([1.0]), Tensor)


def test_from_numpy_shares_memory_and_refuses_what_it_cannot_share():
    a = np.zeros(3, np.float32)
    t = gn.from_numpy(a)
    a[1] = 5.0
    assert t.data[1] == 5.0 and np.shares_memory(t.data, a)
    with pytest.raises(TypeError, match="dtype int64.*gn.tensor"):
        gn.from_numpy(np.arange(3))
    with pytest.raises(TypeError, match="expected a numpy.ndarray"):
        gn.from_numpy([1.0, 2.0])


@pytest.mark.parametrize(
    "size, shape",
    [((2, 3), (2, 3)), (((2, 3),), (2, 3)), (([2, 3],), (2, 3)), ((np.int64(2), 3), (2, 3)),
     (((),), ())],
)  # fmt: skip
def test_zeros_ones_take_sizes_as_pytorch_does(size, shape):
    assert gn.zeros(*size).shape == shape and not gn.zeros(*size).data.any()
    assert gn.ones(*size, dtype="float64").data.tolist() == np.ones(shape).tolist()
    assert gn.ones(*size, dtype="float64").dtype == np.float64
    assert gn.full(shape, 2.5).data.tolist() == np.full(shape, 2.5).tolist()
    torch = torch_or_none()
    if torch is not None:
        assert tuple(torch.zeros(*size).shape) == shape


@pytest.mark.parametrize("bad", [(2.5,), (-1, 2), ("3",), (True,), ((2, None),)])
def test_a_size_that_is_not_whole_numbers_is_refused(bad):
    with pytest.raises(gn._validation.ParameterError, match=r"zeros: the size must be whole"):
        gn.zeros(*bad)


def test_rand_and_randn_draw_from_the_generator_or_manual_seed():
    a, b = gn.randn(4, 2, generator=7), gn.randn(4, 2, generator=7)
    assert a.shape == (4, 2) and a.dtype == np.float32
    np.testing.assert_array_equal(a.data, b.data)
    expected = np.random.default_rng(7).standard_normal((4, 2)).astype(np.float32)
    np.testing.assert_array_equal(a.data, expected)
    u = gn.rand(1000, generator=0, dtype=gn.float64)
    assert u.dtype == np.float64 and 0.0 <= u.data.min() and u.data.max() < 1.0
    gn.manual_seed(3)
    first = gn.randn(5).data.copy()
    gn.manual_seed(3)
    np.testing.assert_array_equal(gn.randn(5).data, first)
    like = gn.randn_like(gn.zeros(2, 2, dtype=gn.float64), generator=1)
    assert like.shape == (2, 2) and like.dtype == np.float64
    assert gn.rand_like(np.zeros(3), generator=1).shape == (3,)
    assert gn.zeros_like(u).dtype == np.float64 and gn.ones_like(np.zeros((2, 1))).shape == (2, 1)
    assert gn.ones_like(np.zeros(2, np.int64)).dtype == gn.get_default_dtype()
    with pytest.raises(ValueError, match="'generator' parameter of randn"):
        gn.randn(2, generator="seed")


def test_arange_gives_pytorchs_values_as_floats():
    np.testing.assert_array_equal(gn.arange(4).data, [0.0, 1.0, 2.0, 3.0])
    np.testing.assert_array_equal(gn.arange(1, 2, 0.25).data, [1.0, 1.25, 1.5, 1.75])
    with pytest.raises(ValueError, match="step must not be 0"):
        gn.arange(0, 1, 0)
    torch = torch_or_none()
    if torch is not None:
        np.testing.assert_array_equal(gn.arange(1, 2, 0.25).data, torch.arange(1, 2, 0.25).numpy())


# ------------------------------------------------------------------------ x.to()
def test_tensor_to_casts_in_the_graph_and_keeps_a_tensor_already_there():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    assert x.to(gn.float32) is x and x.to("cpu") is x and x.to(dtype="float32") is x
    y = x.to(gn.float64)
    assert y.dtype == np.float64
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [2.0, 4.0]
    assert gn.tensor([1.0]).to("cpu", dtype=np.float64).dtype == np.float64
    with pytest.raises(ValueError, match="the device 'tpu' is not one glassnet knows"):
        x.to("tpu")
    with pytest.raises(TypeError, match="float32 or float64"):
        x.to(np.int32)


# ------------------------------------------------------------------------ layers
def test_softmax_takes_pytorchs_dim_of_the_features_and_refuses_another():
    X = gn.randn(5, 4, generator=0, dtype=gn.float64)
    for dim in (None, 1, -1):
        np.testing.assert_array_equal(nn.Softmax(dim=dim)(X).data, nn.Softmax()(X).data)
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)" and repr(nn.Softmax()) == "Softmax()"
    for bad in (0, 2, True, "1"):
        with pytest.raises(ValueError, match=r"Softmax\(dim=.*x\.softmax\(dim="):
            nn.Softmax(dim=bad)
    model = nn.Sequential(nn.Linear(4, 3, rng=0, dtype="float64"), nn.Softmax(dim=1))
    rebuilt = nn.from_config(model.config())
    assert rebuilt[1].dim == 1 and model.config()["layers"][1] == {"type": "Softmax", "dim": 1}
    # a network ending in Softmax(dim=1) trains on the fast path, as one ending in Softmax()
    h = gn.fit(model, X.data, np.array([0, 1, 2, 0, 1]), loss="cross_entropy", epochs=2,
               verbose=0)  # fmt: skip
    assert h.engine == "fused"
    torch = torch_or_none()
    if torch is not None:
        expected = torch.nn.Softmax(dim=1)(torch.from_numpy(X.data)).numpy()
        np.testing.assert_allclose(nn.Softmax(dim=1)(X).data, expected, rtol=1e-12)


def test_activations_refuse_inplace_true_rather_than_ignore_it():
    X = gn.randn(3, 2, generator=0)
    np.testing.assert_array_equal(nn.ReLU(inplace=False)(X).data, nn.ReLU()(X).data)
    np.testing.assert_array_equal(nn.LeakyReLU(0.2, False)(X).data, nn.LeakyReLU(0.2)(X).data)
    for make in (lambda: nn.ReLU(inplace=True), lambda: nn.LeakyReLU(0.1, True)):
        with pytest.raises(ValueError, match=r"inplace=True\): inplace must be False"):
            make()


def test_leaky_relu_takes_pytorchs_negative_slope():
    X = gn.randn(4, 3, generator=1, dtype=gn.float64)
    layer = nn.LeakyReLU(negative_slope=0.2)
    assert layer.alpha == 0.2
    np.testing.assert_array_equal(layer(X).data, nn.LeakyReLU(0.2)(X).data)
    with pytest.raises(TypeError, match="alpha or negative_slope"):
        nn.LeakyReLU(0.3, negative_slope=0.2)
    with pytest.raises(ValueError, match="'negative_slope' parameter of LeakyReLU"):
        nn.LeakyReLU(negative_slope=float("nan"))
    torch = torch_or_none()
    if torch is not None:
        expected = torch.nn.LeakyReLU(negative_slope=0.2)(torch.from_numpy(X.data)).numpy()
        np.testing.assert_array_equal(layer(X).data, expected)


def test_flatten_as_pytorchs_and_its_gradient_checked():
    images = gn.randn(6, 3, 4, generator=2, dtype=gn.float64)
    model = nn.Sequential(nn.Flatten(), nn.Linear(12, 2, rng=0, dtype="float64"), nn.Tanh())
    assert model(images).shape == (6, 2)
    assert nn.Flatten(0)(images).shape == (72,) and nn.Flatten(1, 1)(images).shape == (6, 3, 4)
    # the chain rule through the reshape: each input's gradient against finite differences
    x = gn.tensor(images.data, requires_grad=True)
    assert gradcheck(lambda t: (model(t) ** 2).sum(), x).ok
    rebuilt = nn.from_config(model.config())
    assert isinstance(rebuilt[0], nn.Flatten) and rebuilt[0].start_dim == 1
    with pytest.raises(TypeError, match="start_dim must be an int"):
        nn.Flatten(1.0)
    torch = torch_or_none()
    if torch is not None:
        t = torch.from_numpy(images.data)
        for args in ((), (0,), (1, 1), (0, 1), (-2, -1)):
            assert nn.Flatten(*args)(images).shape == tuple(torch.nn.Flatten(*args)(t).shape)


def test_sequential_of_a_dict_of_named_layers_says_what_to_write():
    from collections import OrderedDict

    layers = OrderedDict([("fc", nn.Linear(2, 3)), ("act", nn.ReLU())])
    with pytest.raises(TypeError, match=r"Got OrderedDict \(a dict of named layers: Seq"):
        nn.Sequential(layers)
    assert len(nn.Sequential(*layers.values())) == 2
