"""PyTorch's ``x.normal_()`` and ``x.uniform_()``: nn.init's draws written into x, under the
rules of ``x.copy_(src)``."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn


def test_draws_are_nn_inits_in_the_tensors_dtype():
    layer = nn.Linear(3, 2)
    with gn.no_grad():
        assert layer.W.normal_(0.5, 0.1, generator=0) is layer.W
        layer.b.uniform_(-1, 1, generator=1)
    w, b = np.empty((3, 2), np.float32), np.empty(2, np.float32)
    nn.init.normal_(w, 0.5, 0.1, generator=0)
    nn.init.uniform_(b, -1, 1, generator=1)
    np.testing.assert_array_equal(layer.W.data, w)
    np.testing.assert_array_equal(layer.b.data, b)
    assert layer.W.dtype == np.float32


def test_pytorch_keywords_and_the_default_generator():
    t = gn.Tensor(np.zeros(4))
    t.normal_(mean=3.0, std=0.0)
    np.testing.assert_array_equal(t.data, 3.0)
    t.uniform_(**{"from": 2.0, "to": 2.0})
    np.testing.assert_array_equal(t.data, 2.0)
    gn.manual_seed(5)
    a = gn.Tensor(np.zeros(6)).normal_().data.copy()
    gn.manual_seed(5)
    np.testing.assert_array_equal(gn.Tensor(np.zeros(6)).normal_().data, a)


def test_a_parameter_outside_no_grad_is_refused_before_a_value_is_drawn():
    layer = nn.Linear(3, 2)
    before = layer.W.data.copy()
    gen = np.random.default_rng(0)
    with pytest.raises(RuntimeError, match=r"x\.normal_\(\.\.\.\).*no_grad"):
        layer.W.normal_(0, 1, generator=gen)
    np.testing.assert_array_equal(layer.W.data, before)
    assert gen.random() == np.random.default_rng(0).random()  # (nothing drawn)


def test_a_graph_that_used_the_values_refuses_its_stale_backward():
    w = gn.Tensor(np.ones(3), requires_grad=True)
    loss = (w * w).sum()
    with gn.no_grad():
        w.uniform_(0, 1, generator=0)
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()


def test_bad_settings_name_themselves():
    t = gn.Tensor(np.zeros(2))
    with pytest.raises(ValueError, match="std"):
        t.normal_(0, -1)
    with pytest.raises(ValueError, match="lower bound"):
        t.uniform_(1, -1)
