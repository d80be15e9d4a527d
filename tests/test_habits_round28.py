"""PyTorch habits, round 28 (the torch28 and numerics28 audits).

A write through one element (``t[0, 1].fill_(5)``, ``for v in t: v.add_(1)``,
``p.grad[0].zero_()``) lands in the tensor; ``opt.zero_grad(set_to_none=False)`` zeroes the
array a user holds; ``lr=0.0`` is taken by the optimizers; ``len()`` of a 0-d tensor says
so; a scalar argument past float32's range is refused, and scatter refuses a src of
another dtype, as PyTorch refuses both.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn, optim


# ------------------------------------------------------- writes through one element
def test_fill_on_one_element_writes_into_the_tensor():
    t = gn.zeros(2, 3)
    t[0, 1].fill_(5.0)
    assert t.tolist() == [[0, 5, 0], [0, 0, 0]]


def test_zero_on_one_element_of_a_parameter_under_no_grad():
    w = gn.ones(2, 3, requires_grad=True)
    with gn.no_grad():
        w[1, 2].zero_()
    assert w.tolist() == [[1, 1, 1], [1, 1, 0]]


def test_add_on_one_element_of_a_vector():
    v = gn.zeros(2)
    v[0].add_(5.0)
    v[1].mul_(3.0)
    v[-1].add_(2.0)
    assert v.tolist() == [5, 2]


def test_bias_element_zeroed_under_no_grad():
    layer = nn.Linear(2, 3, rng=0)
    b = layer.parameters()[1]
    with gn.no_grad():
        b[0].zero_()
        b[1].fill_(7.0)
    assert b.tolist()[:2] == [0.0, 7.0]


def test_iteration_and_unpacking_give_views():
    t = gn.zeros(3)
    for v in t:
        v.add_(1.0)
    assert t.tolist() == [1, 1, 1]
    u = gn.zeros(2)
    a, _ = u
    a.fill_(3.0)
    assert u.tolist() == [3, 0]


def test_init_constant_and_copy_on_one_element():
    t = gn.zeros(3)
    nn.init.constant_(t[1], 5.0)
    t[2].copy_(gn.tensor(4.0))
    assert t.tolist() == [0, 5, 4]


def test_element_read_before_a_write_sees_it():
    t = gn.zeros(3)
    e = t[1]
    t[1] = 5.0
    assert e.item() == 5.0 and e.shape == ()


def test_element_of_a_flat_view_and_of_a_0d_index():
    x = gn.zeros(2, 2)
    x.view(-1)[3].fill_(2.0)
    x[np.array(0), np.int64(1)].fill_(1.0)
    x[gn.tensor(1)][0].fill_(4.0)
    assert x.tolist() == [[0, 1], [4, 2]]


def test_a_write_through_an_element_refuses_a_later_backward():
    w = gn.ones(3, requires_grad=True)
    x = gn.ones(3)
    y = (w * x).sum()
    x[1].add_(1.0)
    with pytest.raises(RuntimeError, match="in.place"):
        y.backward()


def test_element_indexing_stays_in_the_graph():
    w = gn.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (w[1] * 2 + w[2] ** 2).backward()
    assert w.grad.tolist() == [0, 2, 6]
    m = gn.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=gn.float64, requires_grad=True)
    assert gn.gradcheck(lambda a: a[1, 0] * a[0, 1] + a[-1, -1].exp(), (m,))


# ------------------------------------------------------- p.grad[i] in place
def test_one_element_of_a_grad_in_place():
    w = gn.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    w.grad[0].zero_()
    assert w.grad.tolist() == [0, 4]
    w.grad[1].mul_(2)
    assert w.grad.tolist() == [0, 8]
    m = gn.ones(2, 2, requires_grad=True)
    (m * 3).sum().backward()
    m.grad[0, 1].fill_(0.0)
    assert m.grad.tolist() == [[3, 0], [3, 3]]
    assert float(m.grad[1, 1]) == 3.0 and f"{m.grad[1, 1]:.1f}" == "3.0"


# ------------------------------------------------------- zero_grad(set_to_none=False)
def test_zero_grad_keep_zeroes_the_array_the_user_holds():
    w = gn.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    g = w.grad
    opt.zero_grad(set_to_none=False)
    assert g.tolist() == [0, 0]
    (w * 3).sum().backward()
    assert g.tolist() == [3, 3] and w.grad.tolist() == [3, 3]
    opt.step()
    assert w.tolist() == pytest.approx([0.7, 1.7])


# ------------------------------------------------------- lr=0.0
@pytest.mark.parametrize(
    "name",
    ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam", "LBFGS"],
)
def test_optimizers_take_lr_zero(name):
    w = gn.ones(2, requires_grad=True)
    opt = getattr(optim, name)([w], lr=0.0)
    assert opt.param_groups[0]["lr"] == 0.0
    for bad in (-0.1, math.nan, math.inf):
        with pytest.raises(ValueError, match="lr"):
            getattr(optim, name)([gn.ones(2, requires_grad=True)], lr=bad)


def test_sgd_lr_zero_leaves_weights_and_fit_still_refuses_it():
    w = gn.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.0, momentum=0.9)
    (w * w).sum().backward()
    opt.step()
    assert w.tolist() == [1, 2]
    X, y = np.zeros((4, 2)), np.zeros(4)
    with pytest.raises(ValueError, match="lr"):
        gn.fit(nn.MLP([2, 1], rng=0), X, y, lr=0, verbose=0)


# ------------------------------------------------------- len() of a 0-d tensor
def test_len_of_a_0d_tensor():
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(gn.tensor(1.0))
    assert len(gn.zeros(3, 2)) == 3


# ------------------------------------------------------- scalars past float32's range
@pytest.mark.parametrize(
    "call",
    [
        lambda x: x.lerp(x, 1e39),
        lambda x: x.clone().lerp_(x, 1e39),
        lambda x: x.add(gn.tensor([1e-38, 1e-38]), alpha=1e39),
        lambda x: x.sub(gn.tensor([1e-38, 1e-38]), alpha=-1e39),
        lambda x: x.clone().add_(gn.tensor([1e-38, 1e-38]), alpha=1e39),
        lambda x: x.clone().sub_(1.0, alpha=1e300),
        lambda x: x.addcmul(gn.tensor([1e-20, 1e-20]), gn.tensor([1e-20, 1e-20]), value=1e39),
        lambda x: x.addcdiv(x, gn.tensor([1.0, 1.0]), value=-1e39),
        lambda x: x.scatter(0, np.array([0]), 1e300),
        lambda x: x.clone().scatter_(0, np.array([0]), value=-1e300),
        lambda x: gn.maximum(x, 1e300),
        lambda x: gn.minimum(-1e300, x),
    ],
)
def test_scalar_past_float32_is_refused(call):
    x = gn.tensor([1.0, 2.0])
    with pytest.raises(ValueError, match="float32"):
        call(x)


def test_scalars_that_fit_and_infinities_still_pass():
    x = gn.tensor([1.0, 2.0])
    assert x.lerp(x, 3.0e38).tolist() == [1, 2]
    assert x.add(x, alpha=2).tolist() == [3, 6]
    assert gn.maximum(x, math.inf).tolist() == [math.inf, math.inf]
    assert x.scatter(0, np.array([0]), -math.inf).tolist() == [-math.inf, 2]
    x64 = gn.tensor([1.0, 2.0], dtype=gn.float64)
    assert x64.add(x64, alpha=1e300).tolist() == [1e300, 2e300]
    assert gn.maximum(x64, 1e300).tolist() == [1e300, 1e300]


# ------------------------------------------------------- scatter of another dtype
def test_scatter_refuses_a_src_of_another_dtype():
    x = gn.zeros(2, 3)
    src = gn.tensor([[1e300, 2.0]], dtype=gn.float64)
    for call in (x.scatter, x.scatter_):
        with pytest.raises(TypeError, match="float64.*float32"):
            call(1, np.array([[0, 1]]), src)
    assert x.tolist() == [[0, 0, 0], [0, 0, 0]]
    with pytest.raises(TypeError, match="float32.*float64"):
        gn.zeros(2, 3, dtype=gn.float64).scatter(1, np.array([[0]]), gn.ones(1, 1))
    out = x.scatter(1, np.array([[0, 1]]), gn.tensor([[5.0, 2.0]]))
    assert out.tolist() == [[5, 2, 0], [0, 0, 0]]
    assert x.scatter(1, np.array([[2]]), np.array([[3.0]])).tolist() == [[0, 0, 3], [0, 0, 0]]


# ------------------------------------------------------- review rev28d
def test_alpha_and_value_are_checked_against_the_result_dtype():
    x = gn.tensor(np.array([1.0, 2.0]))
    o = gn.tensor(np.array([3.0, 4.0], dtype=np.float32))
    assert x.add(o, alpha=1e39).tolist() == pytest.approx([3e39, 4e39])
    assert x.sub(o, alpha=1e39).tolist() == pytest.approx([-3e39, -4e39])
    assert x.addcmul(o, o, value=1e39).tolist() == pytest.approx([9e39, 16e39])
    assert x.addcdiv(o, o, value=1e39).tolist() == pytest.approx([1e39, 1e39])
    assert x.clone().add_(o, alpha=1e39).tolist() == pytest.approx([3e39, 4e39])
    w = gn.tensor(np.array([3.0, 4.0], dtype=np.float32), requires_grad=True)
    x.add(w, alpha=2.0).sum().backward()
    assert w.grad.tolist() == [2, 2] and w.grad.dtype == np.float32
    # a float32 x with a float32 operand: still refused, naming float32
    with pytest.raises(ValueError, match="float32"):
        o.add(o, alpha=1e39)
    with pytest.raises(ValueError, match="float32"):
        o.addcmul(o, o, value=1e39)


def test_lbfgs_lr_zero_with_strong_wolfe_moves_nothing():
    w = gn.tensor([1.0, -2.0], requires_grad=True)
    opt = optim.LBFGS([w], lr=0.0, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    for _ in range(3):
        opt.step(closure)
    assert w.tolist() == [1, -2]


def test_a_grad_element_hashes_by_identity():
    w = gn.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    (w * w).sum().backward()
    g = w.grad
    e = g[0, 1]
    assert {e: 1}[e] == 1 and len({g[1, 1], g[0, 0]}) == 2
    assert hash(e) == hash(e) and hash(g) == hash(g)


def test_zero_grad_keep_zeroes_a_grad_held_across_a_step():
    w = gn.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    (w * 3).sum().backward()
    g = w.grad
    opt.step()
    opt.zero_grad(set_to_none=False)
    assert g.tolist() == [0, 0] and w.grad is g
    (w * 2).sum().backward()
    assert g.tolist() == [2, 2]
    opt.step()
    assert w.tolist() == pytest.approx([0.5, 1.5])
    opt.zero_grad()
    assert w.grad is None


def test_a_step_keeps_no_gradient_alive_that_nobody_holds():
    # the step's list of the gradients it copied (for zero_grad(set_to_none=False)) kept
    # them alive through the next backward in PyTorch's model.zero_grad(); backward(); step()
    import gc
    import weakref

    w = gn.tensor(np.ones(4), requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    (w * 3).sum().backward()
    ref = weakref.ref(w.grad)
    opt.step()
    w.grad = None  # (model.zero_grad()'s set_to_none)
    gc.collect()
    assert ref() is None
    (w * 2).sum().backward()
    opt.step()
    opt.zero_grad(set_to_none=False)  # (nothing held: the flat view, zeroed)
    assert w.grad.tolist() == [0, 0, 0, 0]


def test_a_0d_integer_array_index_selects_a_view():
    x = gn.tensor([[1.0, 2.0], [3.0, 4.0]])
    x[np.asarray(1)].fill_(0)
    assert x.tolist() == [[1, 2], [0, 0]]
    x[np.asarray(0), np.asarray(1)].fill_(7)
    assert x.tolist() == [[1, 7], [0, 0]]
    assert x[np.asarray(0), [0, 1]].tolist() == [1, 7]
    assert x[[0, 1], np.asarray(1)].tolist() == [7, 0]
    assert x[np.asarray(True)].shape == (1, 2, 2)
