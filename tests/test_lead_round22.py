"""Round 22 mends made by the lead: each test failed before its mend."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
import glassnet.functional as F
from glassnet import nn


@pytest.mark.parametrize("loss", [F.cross_entropy, nn.CrossEntropyLoss()], ids=["F", "nn"])
def test_a_float64_tensor_of_probability_rows_promotes_cross_entropy(loss):
    # the dtype rule (README): a Tensor target of a wider dtype promotes the loss, as in the
    # other losses; cross_entropy read probability rows as a plain array, losing it
    z = gn.tensor(np.array([[1.0, 2.0], [0.5, -1.0]], dtype=np.float32), requires_grad=True)
    y = gn.tensor(np.array([[0.2, 0.8], [1.0, 0.0]]), dtype=gn.float64)
    value = loss(z, y)
    assert value.dtype == np.float64
    value.backward()
    assert z.grad.dtype == np.float32
    z64 = np.array([[1.0, 2.0], [0.5, -1.0]], dtype=np.float32).astype(np.float64)
    p = np.exp(z64 - z64.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    expected = -(y.numpy() * np.log(p)).sum(1).mean()
    assert value.item() == pytest.approx(expected, rel=1e-12)
