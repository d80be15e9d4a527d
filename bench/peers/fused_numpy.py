"""The hand-written fused NumPy training step: the speed of light for a NumPy engine.

No graph, no allocation in the loop: every array is preallocated once, every ufunc and
matmul writes with ``out=``, the batch is gathered with ``np.take(..., out=, mode="clip")``
into a fixed buffer (a view of it for the partial last batch), the output gradient of
softmax + cross-entropy, sigmoid + BCE and identity + MSE is the closed form
``(y_hat - y) / N`` (scaled), and the parameters live in one flat float32 buffer so SGD is
one subtraction (the learning rate is folded into the output delta) and Adam is a dozen
ufuncs over the flat buffer. It computes no loss value: training needs only gradients.

Layer ``l`` (lecture notation, W of shape (inputs, neurons))::

    Z_l = A_{l-1} @ W_l + b_l          (N, n_l)
    A_l = g(Z_l)                        hidden: relu | tanh | sigmoid, kept in place
    dW_l = A_{l-1}.T @ dZ_l             (n_{l-1}, n_l)
    db_l = 1.T @ dZ_l                   (n_l,)   (a GEMV: faster than sum(axis=0))
    dZ_{l-1} = (dZ_l @ W_l.T) * g'(A_{l-1})   g' from the activation's own output
"""

from __future__ import annotations

import numpy as np
from workloads import SHUFFLE_SEED, Data, Weights, Workload, epoch_order

F32 = np.float32
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8  # Adam, as in torch.optim.Adam


def probe() -> dict:
    info: dict = {"version": np.__version__}
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        info["blas"] = "threadpoolctl not installed"
    else:
        keys = ("internal_api", "version", "architecture", "num_threads", "threading_layer")
        info["blas"] = [{k: d.get(k) for k in keys} for d in threadpool_info()]
    return info


def unsupported(w: Workload) -> str | None:
    return None


class Runner:
    def __init__(self, w: Workload, data: Data, init: Weights) -> None:
        self.w, self.X, self.y, self.init = w, data.X, data.y, init
        sizes, B = w.sizes, w.batch
        self.L = len(sizes) - 1
        n_par = sum(i * o + o for i, o in zip(sizes[:-1], sizes[1:]))
        # 1) parameters and gradients: views into one flat buffer each
        self.p, self.g = np.empty(n_par, F32), np.empty(n_par, F32)
        self.W, self.b, self.gW, self.gb = [], [], [], []
        off = 0
        for i, o in zip(sizes[:-1], sizes[1:]):
            self.W.append(self.p[off : off + i * o].reshape(i, o))
            self.gW.append(self.g[off : off + i * o].reshape(i, o))
            off += i * o
            self.b.append(self.p[off : off + o])
            self.gb.append(self.g[off : off + o])
            off += o
        # 2) batch buffers
        self.xb = np.empty((B, sizes[0]), F32)
        self.yb = np.empty((B,) + self.y.shape[1:], self.y.dtype)
        self.A = [np.empty((B, s), F32) for s in sizes[1:]]  # A_l; the last: logits, then dZ_L
        self.D = [np.empty((B, s), F32) for s in sizes[1:-1]]  # dZ of hidden layers
        self.T = [np.empty((B, s), F32) for s in sizes[1:-1]]  # g'(A) scratch
        self.M = [np.empty((B, s), np.bool_) for s in sizes[1:-1]]  # ReLU masks
        self.ones = np.ones(B, F32)
        K = sizes[-1]
        self.mx, self.s = np.empty((B, 1), F32), np.empty((B, 1), F32)  # softmax row max, sum
        self.rowK = np.arange(B, dtype=np.int64) * K  # flat index of each row's first logit
        self.fi = np.empty(B, np.int64)
        self.E = np.empty((B, K), F32)
        # 3) optimizer state
        self.adam = w.optimizer == "adam"
        if self.adam:
            self.m, self.v = np.zeros(n_par, F32), np.zeros(n_par, F32)
            self.tmp = np.empty(n_par, F32)
        self.reset()

    def reset(self) -> None:
        for (W, b), Wv, bv in zip(self.init, self.W, self.b):
            Wv[...] = W
            bv[...] = b
        if self.adam:
            self.m.fill(0)
            self.v.fill(0)
            self.t = 0

    def warmup(self) -> None:
        for n in self.w.batch_shapes:
            self._step(self.X[:n], self.y[:n])
        self.reset()

    def train(self) -> None:
        w, X, y = self.w, self.X, self.y
        n, B = w.n_samples, w.batch
        rng = np.random.default_rng(SHUFFLE_SEED)
        for _ in range(w.epochs):
            if not w.shuffle:
                for s in range(0, n, B):
                    self._step(X[s : s + B], y[s : s + B])  # contiguous views, no copy
                continue
            order = epoch_order(rng, n)
            for s in range(0, n, B):
                idx = order[s : s + B]
                k = len(idx)
                xb = np.take(X, idx, axis=0, out=self.xb[:k], mode="clip")
                yb = np.take(y, idx, axis=0, out=self.yb[:k], mode="clip")
                self._step(xb, yb)

    def weights(self) -> Weights:
        return [(W.copy(), b.copy()) for W, b in zip(self.W, self.b)]

    # -- one step ---------------------------------------------------------------------------

    def _step(self, xb: np.ndarray, yb: np.ndarray) -> None:
        n, L, act = len(xb), self.L, self.w.activation
        # 1) forward, activations in place
        a = xb
        for i in range(L):
            z = self.A[i][:n]
            np.matmul(a, self.W[i], out=z)  # (n, n_i)
            z += self.b[i]
            if i < L - 1:
                if act == "relu":
                    np.maximum(z, 0, out=z)
                elif act == "tanh":
                    np.tanh(z, out=z)
                else:
                    _sigmoid_(z)
            a = z
        # 2) output delta dZ_L, in place over the logits (lr folded in for SGD)
        d = self._output_delta(a, yb, n)
        # 3) backward
        for i in range(L - 1, -1, -1):
            a_prev = xb if i == 0 else self.A[i - 1][:n]
            np.matmul(a_prev.T, d, out=self.gW[i])  # (n_{i-1}, n_i)
            np.matmul(self.ones[:n], d, out=self.gb[i])  # (n_i,)
            if i == 0:
                break
            dp = self.D[i - 1][:n]
            np.matmul(d, self.W[i].T, out=dp)  # (n, n_{i-1})
            if act == "relu":
                m = self.M[i - 1][:n]
                np.greater(a_prev, 0, out=m)
                np.multiply(dp, m, out=dp)
            else:
                t = self.T[i - 1][:n]
                if act == "tanh":  # g' = 1 - A^2
                    np.multiply(a_prev, a_prev, out=t)
                    np.subtract(1, t, out=t)
                else:  # sigmoid: g' = A (1 - A)
                    np.subtract(1, a_prev, out=t)
                    t *= a_prev
                dp *= t
            d = dp
        # 4) update
        if self.adam:
            self._adam()
        else:
            np.subtract(self.p, self.g, out=self.p)  # p -= lr * grad (lr already in grad)

    def _output_delta(self, z: np.ndarray, yb: np.ndarray, n: int) -> np.ndarray:
        w = self.w
        c = (1.0 if self.adam else w.lr) / n
        if w.loss == "cross_entropy":  # dZ = (softmax(Z) - onehot(y)) / n
            m, s = self.mx[:n], self.s[:n]
            np.max(z, axis=1, keepdims=True, out=m)
            z -= m
            np.exp(z, out=z)
            np.sum(z, axis=1, keepdims=True, out=s)
            np.divide(c, s, out=s)
            z *= s
            fi = np.add(self.rowK[:n], yb, out=self.fi[:n])
            zf = z.reshape(-1)
            zf[fi] -= c
        elif w.loss == "binary_cross_entropy":  # dZ = (sigmoid(Z) - y) / n
            _sigmoid_(z)
            z -= yb
            z *= c
        elif w.output == "identity":  # MSE mean over n*K elements: dZ = 2 (Z - y) / (n K)
            z -= yb
            z *= 2 * c / z.shape[1]
        else:  # sigmoid + MSE: dZ = 2 (p - y) p (1 - p) / (n K)
            _sigmoid_(z)
            e = self.E[:n]
            np.subtract(z, yb, out=e)
            e *= 2 * c / z.shape[1]
            e *= z
            np.subtract(1, z, out=z)
            z *= e
        return z

    def _adam(self) -> None:
        # torch.optim.Adam's update: p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps)
        self.t += 1
        g, m, v, tmp = self.g, self.m, self.v, self.tmp
        m *= BETA1
        np.multiply(g, 1 - BETA1, out=tmp)
        m += tmp
        v *= BETA2
        np.multiply(g, g, out=tmp)
        tmp *= 1 - BETA2
        v += tmp
        bc1, bc2 = 1 - BETA1**self.t, 1 - BETA2**self.t
        np.sqrt(v, out=tmp)
        tmp *= 1 / np.sqrt(bc2)
        tmp += EPS
        np.divide(m, tmp, out=tmp)
        tmp *= self.w.lr / bc1
        np.subtract(self.p, tmp, out=self.p)


def _sigmoid_(z: np.ndarray) -> None:
    """In place: sigmoid(z) = (1 + tanh(z/2)) / 2, overflow-free."""
    z *= 0.5
    np.tanh(z, out=z)
    z *= 0.5
    z += 0.5
