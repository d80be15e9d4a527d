"""The functional forms check their settings as their modules do (glassnet._validation)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

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
