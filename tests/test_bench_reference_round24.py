"""bench/peers/fused_numpy.py: the reference step laid out once per batch size trains to the
same weights as the per-layer loop it replaced, and, drawing fit's batch order, to fit's
final loss to float32 rounding (bench/loss_check.py). Nothing here is timed."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(BENCH))
    try:
        import workloads
        from peers import fused_numpy

        yield workloads, fused_numpy
    finally:
        sys.path.remove(str(BENCH))


def _small(workloads, name: str, rows: int, epochs: int):
    w = dataclasses.replace(workloads.get(name), n_samples=rows, epochs=epochs)
    return w, workloads.make_data(w), workloads.init_weights(w)


def _train(r):
    r.warmup()
    r.train()
    return r.weights()


# W1 (ReLU, softmax + CE), W2 (tanh, sigmoid + BCE), W3 (sigmoid + MSE, full batch, the
# biases folded), W4 (ReLU, identity + MSE, Adam); each with a partial last batch
@pytest.mark.parametrize(
    "name, rows, epochs", [("W1-b32", 100, 1), ("W2", 150, 2), ("W3", 4, 50), ("W4", 300, 2)]
)
def test_the_reference_step_trains_the_same_bits_as_the_per_layer_loop(bench, name, rows, epochs):
    """The step's calls laid out once, biases apart (``fold=False``, as the per-layer loop
    adds them): the same bits on every BLAS kernel."""
    workloads, fused_numpy = bench
    w, data, init = _small(workloads, name, rows, epochs)
    new = _train(fused_numpy.Runner(w, data, init, fold=False))
    old = _train(fused_numpy.LayerLoopRunner(w, data, init))
    for (W, b), (W0, b0) in zip(new, old):
        assert np.array_equal(W, W0) and np.array_equal(b, b0)


def test_the_folded_full_batch_step_trains_to_float32_rounding_of_the_per_layer_loop(bench):
    """W3's default step folds the biases into the products (``[X 1] @ [W; b]``, one GEMM).
    Its sum order is the BLAS kernel's: OpenBLAS's Haswell kernels add the bias row last,
    which gives the per-layer loop's bits (this test asserted bits until round 31); its
    AVX-512 kernels sum in another order, and on a Xeon with AVX-512 the weights ended 5.9e-7
    relative apart (5 float32 eps) after these 50 steps. So: float32 rounding, with room
    for 40 eps, on every kernel."""
    workloads, fused_numpy = bench
    w, data, init = _small(workloads, "W3", 4, 50)
    runner = fused_numpy.Runner(w, data, init)
    assert runner.fold  # (the default for unshuffled data)
    new, old = _train(runner), _train(fused_numpy.LayerLoopRunner(w, data, init))
    for (W, b), (W0, b0) in zip(new, old):
        np.testing.assert_allclose(W, W0, rtol=5e-6, atol=0)
        np.testing.assert_allclose(b, b0, rtol=5e-6, atol=0)


def test_fit_and_the_reference_in_fits_batch_order_end_at_the_same_loss(bench):
    workloads, fused_numpy = bench
    import glassnet as gn

    w, data, init = _small(workloads, "W2", 300, 2)
    ref = _train(fused_numpy.Runner(w, data, init, shuffle_seed=0))
    other = _train(fused_numpy.Runner(w, data, init))  # the peers' own order
    model = gn.nn.MLP(list(w.sizes), w.activation, w.output, rng=0, dtype=np.float32)
    lins = [m for m in model.modules() if isinstance(m, gn.nn.Linear)]
    for lin, (W, b) in zip(lins, init):
        lin.W.data[...], lin.b.data[...] = W, b
    gn.fit(model, data.X, data.y, loss=w.loss, optimizer=gn.optim.SGD(model.parameters(), lr=w.lr),
           batch_size=w.batch_size, epochs=w.epochs, seed=0, verbose=0, threads=1)  # fmt: skip
    fit = [(lin.W.data, lin.b.data) for lin in lins]
    loss = {k: workloads.evaluate_loss(w, data, v) for k, v in (("fit", fit), ("ref", ref),
                                                                ("other", other))}  # fmt: skip
    assert loss["fit"] == pytest.approx(loss["ref"], rel=1e-6)
    assert loss["other"] != pytest.approx(loss["ref"], rel=1e-6)  # (the order matters)
