"""On a real GPU (CuPy): the checks of bench/gpu.py on a small network, and the captured
step against the eager one. Skipped, with the reason, where CuPy or an NVIDIA GPU is
missing; everything else about the GPU path is tested on the CPU (tests/test_backend.py,
tests/test_capture.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn, optim

cp = pytest.importorskip("cupy", reason="the GPU tests need CuPy: pip install 'glassnet[gpu]'")
try:
    GPUS = cp.cuda.runtime.getDeviceCount()
except Exception:  # (CuPy without a driver or a device)
    GPUS = 0
pytestmark = pytest.mark.skipif(not GPUS, reason="the GPU tests need an NVIDIA GPU")


def test_the_gpu_checks_hold_on_a_small_network(capsys):
    path = Path(__file__).resolve().parent.parent / "bench" / "gpu.py"
    spec = importlib.util.spec_from_file_location("bench_gpu", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.checks(cp, rows=300, sizes=(20, 16, 8, 3)), capsys.readouterr().out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_captured_step_trains_as_the_eager_one(dtype):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 6)).astype(dtype)
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    runs = []
    for engine in ("fused", "auto"):
        model = nn.MLP([6, 16, 8, 2], "leaky_relu", "softmax", rng=0, dtype=dtype).to("cuda")
        opt = optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-3)
        h = gn.fit(model, X, y, loss="cross_entropy", optimizer=opt, epochs=3, batch_size=64,
                   seed=0, verbose=0, engine=engine)  # fmt: skip
        assert h.engine == ("fused" if engine == "fused" else "captured") and not h.warnings
        runs.append([cp.asnumpy(p.data) for p in model.parameters()])
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for a, b in zip(*runs):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)
