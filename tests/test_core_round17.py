"""Core mends from a line-by-line read: a module holding its parent, zero_grad's wasted
pass, and the fast path's unused scratch for an identity layer."""

import numpy as np

import glassnet as gn
from glassnet import nn
from glassnet.fused import FastMLP, layers_of


class _Child(nn.Module):
    def __init__(self):
        self.lin = nn.Linear(2, 2, rng=0)

    def forward(self, x):
        return self.lin(x)


class _Parent(nn.Module):
    def __init__(self):
        self.child = _Child()
        self.child.parent = self

    def forward(self, x):
        return self.child(x)


def test_a_module_that_holds_its_parent_lists_its_parameters_once():
    """parameters(), named_parameters() and state_dict() recursed forever (RecursionError)."""
    m = _Parent()
    assert len(list(m.modules())) == 3  # (Parent, Child, Linear)
    assert [n for n, _ in m.named_parameters()] == ["child.lin.W", "child.lin.b"]
    assert len(m.parameters()) == 2
    assert sorted(m.state_dict()) == ["child.lin.W", "child.lin.b"]


def test_zero_grad_leaves_an_array_the_caller_kept():
    """model.zero_grad() filled each gradient with zeros before dropping it: a pass over
    every gradient each graph step, and a kept `g = w.grad` wiped (PyTorch leaves it)."""
    m = nn.MLP([3, 4, 1], rng=0)
    m(gn.tensor(np.ones((2, 3), np.float32))).sum().backward()
    kept = m.parameters()[0].grad
    before = np.array(kept, copy=True)
    assert np.any(before != 0)
    m.zero_grad()
    assert m.parameters()[0].grad is None
    assert np.array_equal(kept, before)
    m(gn.tensor(np.ones((2, 3), np.float32))).sum().backward()
    m.zero_grad(set_to_none=False)
    assert not np.any(m.parameters()[0].grad)


def test_an_identity_layer_gets_no_float64_scratch():
    """FastMLP made a float64 (n, width) scratch buffer for every identity layer, unused:
    80 MB for a 10,000-row batch into a 1,000-wide linear output."""
    model = nn.MLP([4, 8, 3], activation="relu", output_activation="identity", rng=0)
    fast = FastMLP(layers_of(model), "mse")
    per_layer = fast._buffers(16)[0]
    scratch = [layer[4] for layer in per_layer]
    assert scratch[-1].size == 0
    assert scratch[0].shape == (16, 8)
