"""The core checks its arguments with glassnet._validation's checks, as its modules do."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import glassnet as gn
from glassnet import functional as F
from glassnet import nn
from glassnet.tensor import Tensor


@pytest.mark.parametrize("p", [np.float32(0.25), np.float64(0.25), np.int64(0), 0.25])
def test_dropout_takes_the_probabilities_dropout_takes(p: Any):
    x = Tensor(np.ones((4, 3)))
    nn.Dropout(p)  # the module takes it: so does the function, with the same mask
    got = F.dropout(x, p, np.random.default_rng(3)).data
    want = F.dropout(x, float(p), np.random.default_rng(3)).data
    assert np.array_equal(got, want)


@pytest.mark.parametrize("alpha", [True, False, np.nan, np.inf])
def test_leaky_relu_refuses_the_slopes_leaky_relu_module_refuses(alpha: Any):
    with pytest.raises(ValueError, match="The 'alpha' parameter of LeakyReLU must be"):
        nn.LeakyReLU(alpha)
    with pytest.raises(ValueError, match="The 'alpha' parameter of leaky_relu must be"):
        F.leaky_relu(Tensor([1.0, -1.0]), alpha)


@pytest.mark.parametrize("alpha", [np.float32(0.5), np.int64(0)])
def test_leaky_relu_takes_the_slopes_leaky_relu_module_takes(alpha: Any):
    z = Tensor([2.0, -2.0])
    assert np.array_equal(F.leaky_relu(z, alpha).data, nn.LeakyReLU(alpha)(z).data)


@pytest.mark.parametrize("dtype", ["torch.float64", np.dtype("float64"), "float64"])
def test_set_default_dtype_takes_the_dtypes_a_layer_takes(dtype: Any):
    nn.Linear(1, 1, dtype=dtype)
    try:
        gn.set_default_dtype(dtype)
        assert gn.get_default_dtype() == np.float64 and Tensor(1).dtype == np.float64
    finally:
        gn.set_default_dtype(np.float32)


@pytest.mark.parametrize("dtype", ["float16", np.int32, "no such dtype"])
def test_set_default_dtype_refuses_what_a_layer_refuses_with_its_message(dtype: Any):
    with pytest.raises(ValueError, match="The 'dtype' parameter of Linear must be float32 or"):
        nn.Linear(1, 1, dtype=dtype)
    with pytest.raises(ValueError, match="The 'dtype' parameter of set_default_dtype must be f"):
        gn.set_default_dtype(dtype)
    assert gn.get_default_dtype() == np.float32
