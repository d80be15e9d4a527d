"""glassnet.jit, round 31: the faster W3 step computes the same numbers as before.

The step now keeps a narrow product's sums in registers (fewer than ``_NARROW`` columns),
adds the bias in the same register, runs the float32 tanh over each layer's padded rows
(``_PAD``), and fills fit's History from the losses in one NumPy expression. Each must give
the bits the loops they replace gave: the sums in the same order, the padding never read
back as a value.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

pytest.importorskip("numba", reason='glassnet.jit needs numba: pip install -e ".[jit]"')

import glassnet as gn  # noqa: E402
from glassnet import jit, nn, optim  # noqa: E402
from glassnet.fused import FastMLP, layers_of  # noqa: E402

F32, F64 = np.float32, np.float64


def _bits(a):
    return np.asarray(a).view(np.uint8).tobytes()


@pytest.mark.parametrize("dt", [F32, F64])
@pytest.mark.parametrize("n,K,J", [(4, 2, 2), (7, 3, 5), (1, 9, 7), (16, 1, 3), (5, 4, 1)])
def test_narrow_products_sum_as_the_loops_through_memory(dt, n, K, J):
    jit._compile()
    rng = np.random.default_rng(n * 100 + K * 10 + J)
    A = rng.standard_normal(n * K).astype(dt)
    W = rng.standard_normal(K * J).astype(dt)
    G = rng.standard_normal(n * J).astype(dt)
    A[0], W[-1] = -0.0, -0.0  # (a sum that starts from 0 keeps 0 + -0 = +0)
    zero, b = dt(0), rng.standard_normal(J).astype(dt)
    # Z = A @ W (+ b): the register sums against the loop that sums through memory
    Z_loop, Z_reg = np.empty(n * J, dt), np.empty(n * J, dt)
    jit._k_matmul(A, n, K, W, J, Z_loop)
    jit._k_matmul_narrow(A, n, K, W, J, Z_reg, b[:0], zero)
    assert _bits(Z_reg) == _bits(Z_loop)
    jit._k_matmul_narrow(A, n, K, W, J, Z_reg, b, zero)
    assert _bits(Z_reg) == _bits(Z_loop + np.tile(b, n))  # (the rounded sum, then + b)
    # D = Aᵀ G
    D_loop, D_reg = np.empty(K * J, dt), np.empty(K * J, dt)
    jit._k_matmul_tn(A, n, K, G, J, D_loop)
    jit._k_matmul_tn_narrow(A, n, K, G, J, D_reg, zero)
    assert _bits(D_reg) == _bits(D_loop)
    # and the same as NumPy's sums in that order, in the dtype
    ref = np.zeros((n, J), dt)
    for k in range(K):
        ref = ref + A.reshape(n, K)[:, k : k + 1] * W.reshape(K, J)[k]
    assert _bits(Z_loop) == _bits(ref.reshape(-1))


@pytest.mark.parametrize("code", [1, 2])
def test_the_float32_tanh_over_padding_leaves_the_rows_as_without_it(code):
    jit._compile()
    hd = np.zeros(jit._N_SLOTS, F32)
    hd[jit._TANH :] = jit._TANH_CONSTANTS
    hd[jit._TAIL : jit._TANH] = jit._tanh_tail(F32)
    hd[jit._FAST], hd[jit._ONE], hd[jit._HALF] = 1, 1, 0.5
    rng = np.random.default_rng(code)
    for m in (1, 3, 4, 8, 9, 17):
        z = (rng.standard_normal(m) * 6).astype(F32)
        alone = z.copy()
        jit._k_activate(alone, 1, m, code, F32(0), hd)
        padded = np.zeros(-(-m // jit._PAD) * jit._PAD, F32)
        padded[:m] = z
        jit._k_activate(padded, 1, m, code, F32(0), hd)  # (the same compiled loop)
        assert _bits(padded[:m]) == _bits(alone), m


@pytest.mark.parametrize("sizes", [[2, 2, 1], [3, 9, 17, 2], [5, 7, 3]])
def test_padded_layers_train_to_the_numpy_paths_numbers(sizes):
    """Rows and widths that leave padding in every layer, full batch and a partial last
    mini-batch (whose padding holds the rows of the batch before): the same losses and
    weights as the NumPy path, to test_jit's float32 tolerance."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((23, sizes[0])).astype(F32)
    y = rng.standard_normal((23, sizes[-1])).astype(F32)
    a = nn.MLP(sizes, activation="tanh", output_activation="sigmoid", rng=1, dtype=F32)
    b = copy.deepcopy(a)
    oa, ob = optim.SGD(a.parameters(), lr=0.3), optim.SGD(b.parameters(), lr=0.3)
    fa, fb = (FastMLP(layers_of(m, training=True), "mse") for m in (a, b))
    ref = []
    for _ in range(25):
        ref.append(fa.step(X, y))
        oa.step()
    run = jit.run_full_batch(fb, ob, X, y, None, epochs=25)
    order = rng.permutation(23)
    for s in range(0, 23, 10):
        ref.append(fa.step(X[order[s : s + 10]], y[order[s : s + 10]]))
        oa.step()
    got = np.concatenate([run.losses, jit.run_epoch(fb, ob, X, y, None, order, 10)])
    np.testing.assert_allclose(got, ref, rtol=1e-5)
    for p, q in zip(a.parameters(), b.parameters()):
        scale = float(np.abs(p.data).max())
        assert float(np.abs(p.data - q.data).max()) <= 1e-5 * scale


def test_fits_history_holds_each_epochs_loss_as_the_loop_recorded_it():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], F32)
    y = np.array([[1], [0], [0], [1]], F32)
    net = nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0, dtype=F32)
    keep = copy.deepcopy(net)
    h = gn.fit(net, X, y, loss="mse", lr=1.0, epochs=300, verbose=0, engine="jit", threads=1)
    fast = FastMLP(layers_of(keep, training=True), "mse")
    run = jit.run_full_batch(fast, optim.SGD(keep.parameters(), lr=1.0), X, y, None, 300)
    n = X.shape[0]
    assert h.loss == [v * n / n for v in run.losses.tolist()]  # (fit's epoch loss, (L n) / n)
    assert h.steps == run.steps == 300 and h.best_loss == min(h.loss)
    for p, q in zip(net.parameters(), keep.parameters()):
        assert _bits(p.data) == _bits(q.data)
