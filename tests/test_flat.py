"""Tests for glassnet.nn.flat: packing parameters into flat buffers, sharing a packing,
re-binding replaced arrays, copies."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

from glassnet import nn
from glassnet.nn import FlatParameters, flatten_parameters


class P:
    """Stand-in parameter: an object with .data and .grad."""

    def __init__(self, data, grad=None):
        self.data = data
        self.grad = grad


def mixed_params(rng):
    """float32 and float64 parameters interleaved, with a scalar and an empty one."""
    shapes, dtypes = [(2, 3), (), (4,), (3, 1), (0,)], [np.float32, np.float64]
    return [P(rng.standard_normal(s).astype(dtypes[i % 2])) for i, s in enumerate(shapes)]


def test_packing_shares_memory_and_preserves_values():
    rng = np.random.default_rng(0)
    params = mixed_params(rng)
    params[2].grad = rng.standard_normal(4)  # float64 values into a float32 slot
    values = [p.data.copy() for p in params]
    flat = flatten_parameters(params)
    assert isinstance(flat, FlatParameters) and flat.params == params
    assert flat.dtypes == [np.dtype(np.float32), np.dtype(np.float64)]
    assert len(flat.data) == len(flat.grad) == 2
    for d, g, dt in zip(flat.data, flat.grad, flat.dtypes, strict=True):
        assert d.ndim == 1 and d.flags.c_contiguous and d.dtype == dt
        assert g.shape == d.shape and g.dtype == dt and g.flags.c_contiguous
    assert [d.size for d in flat.data] == [6 + 4 + 0, 1 + 3]
    # within a group, the parameters follow each other in the order given
    offsets = {0: (0, 0, 6), 2: (0, 6, 10), 4: (0, 10, 10), 1: (1, 0, 1), 3: (1, 1, 4)}
    for i, (group, start, stop) in offsets.items():
        p = params[i]
        assert p.data.dtype == values[i].dtype and p.grad.shape == values[i].shape
        np.testing.assert_array_equal(p.data, values[i])
        np.testing.assert_array_equal(flat.data[group][start:stop].reshape(p.data.shape), p.data)
        if p.data.size:  # (an empty array shares no memory)
            assert np.shares_memory(p.data, flat.data[group])
            assert np.shares_memory(p.grad, flat.grad[group])
    np.testing.assert_array_equal(flat.grad[0][6:10], params[2].grad)
    assert params[2].grad.dtype == np.float32
    assert not params[0].grad.any()  # None became a zero view
    # writing a flat buffer writes the parameters, and the other way round
    flat.data[1][:] = 7.0
    assert params[1].data == 7.0 and (params[3].data == 7.0).all()
    params[0].data[0, 0] = -3.0
    assert flat.data[0][0] == -3.0


def test_packing_the_same_parameters_again_reuses_the_packing():
    model = nn.MLP([3, 4, 2], rng=0)
    flat = flatten_parameters(model.parameters())
    views = [(p.data, p.grad) for p in model.parameters()]
    assert flatten_parameters(model.parameters()) is flat
    assert flatten_parameters(model.parameters()[::-1]) is flat  # the same set
    assert all(p.data is d and p.grad is g for p, (d, g) in zip(model.parameters(), views))
    # a different set is a new packing; it takes its parameters over
    part = flatten_parameters(model.parameters()[:2])
    assert part is not flat and flatten_parameters(model.parameters()[:2]) is part
    W = model.parameters()[0]
    assert np.shares_memory(W.data, part.data[0]) and not np.shares_memory(W.data, flat.data[0])
    W.data[...] = 5.0
    # the old packing copies the current values back in when synced (nothing is lost)
    assert flat.sync() is flat
    assert np.shares_memory(W.data, flat.data[0]) and (flat.data[0][:12] == 5.0).all()
    # and packing the whole model again gives the old packing back, everything in it
    assert flatten_parameters(model.parameters()) is flat


def test_sync_rebinds_replaced_arrays_and_none_gradients():
    rng = np.random.default_rng(1)
    a, b = P(rng.standard_normal((2, 2))), P(rng.standard_normal(3))
    flat = flatten_parameters([a, b])
    view_a, gview_a, gview_b = a.data, a.grad, b.grad
    new_a = np.full((2, 2), 2.0)
    a.data, a.grad = new_a, np.ones((2, 2))
    b.grad[...] = 4.0
    b.grad = None  # no gradient computed: a zero gradient
    assert flatten_parameters([a, b]) is flat  # re-packing the same set syncs
    assert a.data is view_a and a.grad is gview_a and b.grad is gview_b
    np.testing.assert_array_equal(flat.data[0][:4], 2.0)
    np.testing.assert_array_equal(flat.grad[0], [1, 1, 1, 1, 0, 0, 0])
    new_a[...] = 0.0  # the user's array was copied, not adopted
    assert (a.data == 2.0).all()
    s = P(np.array(1.0))  # a scalar parameter rebound to Python floats
    flat = flatten_parameters([s])
    s.data, s.grad = 3.0, 0.5
    flat.sync()
    assert isinstance(s.data, np.ndarray) and s.data.shape == () and s.data == 3.0
    assert flat.grad[0][0] == 0.5
    s.grad = np.zeros(2)  # a parameter keeps its shape
    with pytest.raises(ValueError, match=r"Parameter 0 has \.grad of shape \(2,\) but its slot"):
        flat.sync()


def test_sync_copies_a_fresh_gradient_in_and_casts_one_of_another_dtype():
    # the common case (a fresh gradient of the slot's type, shape and dtype) is copied in,
    # not adopted; a float64 gradient of a float32 parameter is cast into its slot
    a, b = P(np.zeros(3, np.float32)), P(np.zeros(2, np.float32))
    flat = flatten_parameters([a, b])
    ga, gb = np.full(3, 2.0, np.float32), np.full(2, 0.1)
    a.grad, b.grad = ga, gb
    flat.sync()
    assert a.grad is not ga and np.shares_memory(a.grad, flat.grad[0])
    assert b.grad.dtype == np.float32 and np.shares_memory(b.grad, flat.grad[0])
    ga[...] = 9.0
    np.testing.assert_array_equal(flat.grad[0], np.array([2, 2, 2, 0.1, 0.1], np.float32))


def test_sync_keeps_own_gradients_where_they_are():
    """sync(keep=...): a kept parameter's rebound .data is copied in and bound to its view;
    its own .grad stays the user's array, its slot uncopied; the others' gradients are
    copied in as usual. A refused .data leaves the kept .grad alone."""
    a, b = P(np.zeros(3)), P(np.ones(2))
    flat = flatten_parameters([a, b])
    view_a, gview_b = a.data, b.grad
    ga = np.full(3, 7.0)
    a.data, a.grad, b.grad = np.full(3, 5.0), ga, np.full(2, 3.0)
    assert sorted(flat.own_grads()) == [0, 1]
    flat.sync(keep={0})
    assert a.data is view_a and a.grad is ga and b.grad is gview_b
    np.testing.assert_array_equal(flat.data[0], [5, 5, 5, 1, 1])
    np.testing.assert_array_equal(flat.grad[0], [0, 0, 0, 3, 3])
    a.data = np.zeros(4)
    with pytest.raises(ValueError, match=r"Parameter 0 has \.data of shape \(4,\)"):
        flat.sync(keep={0})
    assert a.grad is ga


def test_zero_grad_fills_in_place_and_rebinds():
    rng = np.random.default_rng(2)
    params = mixed_params(rng)
    flat = flatten_parameters(params)
    views = [p.grad for p in params]
    for p in params:
        p.grad[...] = 1.0
    params[1].grad = None
    params[2].grad = np.ones(4)
    flat.zero_grad()
    assert all(p.grad is v and not v.any() for p, v in zip(params, views, strict=True))
    assert not any(g.any() for g in flat.grad)


class CopyingParam:
    """A parameter whose .data setter stores a copy: cannot be bound to a buffer."""

    def __init__(self, data):
        self._data = data
        self.grad = None

    @property
    def data(self):
        return self._data

    @data.setter
    def data(self, value):
        self._data = np.array(value, copy=True)


def test_bad_parameters_raise_and_change_nothing():
    with pytest.raises(TypeError, match=r"Parameter 1 must have a \.grad.*got object"):
        flatten_parameters([P(np.zeros(2)), object()])
    with pytest.raises(TypeError, match="float32 or float64.*int64"):
        flatten_parameters([P(np.zeros(2, dtype=np.int64))])
    with pytest.raises(TypeError, match="float32 or float64.*<class 'list'>"):
        flatten_parameters([P([1.0, 2.0])])
    p = P(np.zeros(2))
    with pytest.raises(ValueError, match="Parameters 0 and 1 are the same object"):
        flatten_parameters([p, p])
    arr = np.zeros(2)
    with pytest.raises(ValueError, match="share one .data array"):
        flatten_parameters([P(arr), P(arr)])
    with pytest.raises(TypeError, match="setter copies"):
        flatten_parameters([CopyingParam(np.zeros(2))])
    data = np.zeros(3)
    q = P(data)
    with pytest.raises(ValueError, match=r"\.grad of shape \(5,\) but its slot has shape \(2,\)"):
        flatten_parameters([q, P(np.zeros(2, dtype=np.float32), np.zeros(5))])
    assert q.data is data and q.grad is None


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_copies_are_packed_again(how):
    model = nn.MLP([3, 4, 1], rng=0)
    flat = flatten_parameters(model.parameters())
    model.parameters()[0].grad[...] = 2.0
    if how == "deepcopy":
        model2, flat2 = copy.deepcopy((model, flat))
    else:
        model2, flat2 = pickle.loads(pickle.dumps((model, flat)))
    assert flat2 is not flat and flat2.params == model2.parameters()
    assert flatten_parameters(model2.parameters()) is flat2
    (theta,), (theta2,) = flat.data, flat2.data
    np.testing.assert_array_equal(theta2, theta)
    np.testing.assert_array_equal(flat2.grad[0], flat.grad[0])
    assert all(np.shares_memory(p.data, theta2) for p in model2.parameters())
    theta2[:] = 0.0
    assert (theta != 0).any() and all(not p.data.any() for p in model2.parameters())


def test_graph_backward_fills_the_flat_gradient():
    model = nn.MLP([2, 3, 1], rng=0)
    flat = flatten_parameters(model.parameters())
    flat.zero_grad()
    (model(np.ones((4, 2))) ** 2).sum().backward()
    grads = np.concatenate([p.grad.ravel() for p in model.parameters()])
    assert grads.any()
    np.testing.assert_array_equal(flat.sync().grad[0], grads)


def test_a_model_without_parameters_packs_into_no_buffers():
    """Packing nothing (an activation-only model) is an empty packing, not an IndexError."""
    flat = flatten_parameters(nn.Sequential(nn.ReLU()).parameters())
    assert flat.params == flat.dtypes == flat.data == flat.grad == []
    flat.zero_grad()
    assert flat.sync() is flat and flat.own_grads() == {}
