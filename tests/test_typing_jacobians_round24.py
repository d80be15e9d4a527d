"""glassnet.tensor's grad switches as a type checker and a star import see them, and the
callers of FastMLP.trace that never read a softmax head's Jacobian not making it."""

from __future__ import annotations

import glassnet as gn

SCRIPT = """\
from glassnet.tensor import detect_anomaly, set_grad_enabled

with set_grad_enabled(False):
    pass
with detect_anomaly():
    pass
"""


def test_the_grad_switches_type_check_from_glassnet_tensor(mypy):
    # they live in glassnet.autograd and are written into glassnet.tensor at run time,
    # which a type checker cannot see: tensor declares them for it
    errors, stdout, _ = mypy(SCRIPT)
    assert errors == [], stdout


def test_a_star_import_of_glassnet_tensor_gives_the_grad_switches():
    import glassnet.autograd
    import glassnet.tensor

    space: dict = {}
    exec("from glassnet.tensor import *", space)
    assert space["set_grad_enabled"] is glassnet.autograd.set_grad_enabled is gn.set_grad_enabled
    assert space["detect_anomaly"] is glassnet.autograd.detect_anomaly is gn.detect_anomaly
    assert {"set_grad_enabled", "detect_anomaly"} <= set(glassnet.tensor.__all__)


def test_activation_stats_makes_no_softmax_jacobian():
    # the statistics read the hidden layers' Z and A only; the trace made the head's
    # (N, K, K) Jacobian as well: 256 rows of a 200-class head, 82 MB in float64 (and a
    # 1000-class head on 50,000 rows, 400 GB)
    import numpy as np
    from memory_helpers import traced

    from glassnet import nn
    from glassnet.diagnostics import activation_stats

    net = nn.MLP([6, 16, 200], activation="relu", output_activation="softmax", rng=0)
    X = np.random.default_rng(0).standard_normal((256, 6))
    activation_stats(net, X[:2])  # (imports and caches warmed)
    stats, peak = traced(activation_stats, net, X)
    assert peak < 4_000_000, peak  # (was 83 MB: the Jacobian, 256 x 200 x 200 x 8 bytes)
    assert set(stats["dead_relu"]) == {"layer1"}
