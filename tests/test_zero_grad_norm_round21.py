"""zero_grad's set_to_none is a bool, and the normalization layers refuse sizes beyond memory
naming the call (round 21's API fuzzing found both read loosely)."""

import numpy as np
import pytest

import glassnet as gn
from glassnet._validation import ParameterError


@pytest.mark.parametrize("owner", ["module", "optimizer"])
@pytest.mark.parametrize("flag", ["False", 2, 0.0, None, np.array([True])])
def test_zero_grad_set_to_none_must_be_a_bool(owner, flag):
    model = gn.nn.Linear(2, 1)
    model(gn.tensor(np.ones((3, 2), np.float32))).sum().backward()
    target = model if owner == "module" else gn.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ParameterError, match="'set_to_none' parameter of zero_grad must be a bool"):
        target.zero_grad(set_to_none=flag)
    assert model.W.grad is not None  # (nothing cleared before the refusal)


@pytest.mark.parametrize("owner", ["module", "optimizer"])
def test_zero_grad_numpy_bool_still_works(owner):
    model = gn.nn.Linear(2, 1)
    model(gn.tensor(np.ones((3, 2), np.float32))).sum().backward()
    target = model if owner == "module" else gn.optim.SGD(model.parameters(), lr=0.1)
    target.zero_grad(set_to_none=np.bool_(False))
    assert model.W.grad is not None and not np.any(model.W.grad)
    target.zero_grad(set_to_none=np.bool_(True))
    assert model.W.grad is None
    model(gn.tensor(np.ones((3, 2), np.float32))).sum().backward()
    target.zero_grad(set_to_none=0)  # (PyTorch's 0 and 1 too)
    assert model.W.grad is not None and not np.any(model.W.grad)
    target.zero_grad(set_to_none=1)
    assert model.W.grad is None


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: gn.nn.BatchNorm1d(10**30), "BatchNorm1d"),
        (lambda: gn.nn.LayerNorm(10**30), "LayerNorm"),
    ],
)
def test_normalization_layers_refuse_sizes_beyond_memory_naming_the_call(make, name):
    with pytest.raises(MemoryError, match=rf"{name}\(.*use fewer features"):
        make()


def test_normalization_layers_of_ordinary_sizes_still_build():
    assert gn.nn.BatchNorm1d(64).weight.shape == (64,)
    assert gn.nn.LayerNorm((4, 8)).weight.shape == (4, 8)
    assert gn.nn.LayerNorm(8, elementwise_affine=False).weight is None
