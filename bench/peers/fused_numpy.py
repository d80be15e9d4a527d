"""The hand-written fused NumPy training step: the reference step for a NumPy engine.

A reference, not a proven ceiling: ``Runner`` lays each batch size's calls out once and
writes them out as straight-line code; ``LayerLoopRunner``, the reference until round
23, loops over the layers with the activation and loss chosen at every step, which cost
W3 (2-2-1, 4 rows: Python-bound) 1.49x the instructions a step (187,089 against 125,732
under callgrind) and W2 1.06x (889,366 against 837,433), for the same bits.

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

import functools

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
    """The reference step: for each batch size the run meets (the full batch, and the
    partial last one), the step's NumPy calls are laid out once, at construction, as a list
    of ``(function, arguments)`` on fixed buffers and views, and written out as one function
    of straight-line calls (``_unrolled``: what a programmer writes by hand for one network):
    no attribute look-up, slicing, loop or ``if`` on the activation or loss per step. Where
    ``fold`` (the default), each bias is the last row of its layer's matrix and each layer's
    input carries a column of ones, so ``Z = [A 1] @ [W; b]`` is one GEMM and ``[dW; db] =
    [A 1].T @ dZ`` another (no ``+= b``, no bias-gradient GEMV); the flat parameter buffer
    keeps the layout ``W_1, b_1, W_2, b_2, ...`` either way. ``fold=False`` is the same list
    with the biases added by ``+= b`` and their gradients by a GEMV (as LayerLoopRunner).
    ``fold=None`` (the default) folds on unshuffled data (W3), where ``[X 1]`` is made once
    and, under OpenBLAS's Haswell kernels, the folded GEMM trains to the unfolded step's
    bits (under its AVX-512 kernels the bias row is summed in another order: W3's weights
    a few float32 eps apart after 50 steps). On shuffled batches the GEMM with one more row
    sums in another order on every kernel (weights 1 ulp apart after a run, the losses
    equal to 8 digits), and the batch is gathered into a strided buffer, so the biases stay
    apart.

    ``shuffle_seed``: the seed of the epoch permutations (``default_rng(seed).permutation``
    each epoch); ``0`` draws ``glassnet.fit(..., seed=0)``'s order, so the final loss can be
    compared with fit's to float32 rounding (bench/loss_check.py)."""

    def __init__(
        self,
        w: Workload,
        data: Data,
        init: Weights,
        shuffle_seed: int = SHUFFLE_SEED,
        fold: bool | None = None,
    ) -> None:
        self.w, self.X, self.y, self.init = w, data.X, data.y, init
        self.shuffle_seed = shuffle_seed
        self.fold = not w.shuffle if fold is None else fold
        sizes, B = w.sizes, w.batch
        n_par = sum(i * o + o for i, o in zip(sizes[:-1], sizes[1:]))
        self.p, self.g = np.empty(n_par, F32), np.empty(n_par, F32)
        self.Wa, self.gWa = [], []  # [W; b] of each layer, (inputs + 1, neurons)
        off = 0
        for i, o in zip(sizes[:-1], sizes[1:]):
            self.Wa.append(self.p[off : off + (i + 1) * o].reshape(i + 1, o))
            self.gWa.append(self.g[off : off + (i + 1) * o].reshape(i + 1, o))
            off += (i + 1) * o
        self.adam = w.optimizer == "adam"
        if self.adam:
            self.m, self.v = np.zeros(n_par, F32), np.zeros(n_par, F32)
            self.tmp = np.empty(n_par, F32)
        # hidden layers: Z_l computed in a contiguous buffer; folded, the activation's last
        # call writes A_l into the first columns of [A_l 1], else A_l is Z_l's buffer
        d, K = sizes[0], sizes[-1]
        fold = self.fold
        self.Zh = [np.empty((B, s), F32) for s in sizes[1:-1]]
        self.Aa = [np.ones((B, s + 1), F32) for s in sizes[1:-1]] if fold else None
        self.Z = np.empty((B, K), F32)  # the logits, then dZ_L in place
        self.yb = np.empty((B,) + self.y.shape[1:], self.y.dtype)
        if w.shuffle:  # gathered into a fixed buffer, one plan per batch size
            xbuf = np.ones((B, d + 1), F32) if fold else np.empty((B, d), F32)
            self.plans = {}
            for k in w.batch_shapes:
                x = xbuf[:k]
                xin = x[:, :-1] if fold else x  # (where np.take writes)
                self.plans[k] = (xin, self.yb[:k], self._step(k, x, x.T, self.yb[:k]))
        else:  # slices of X (or of [X 1], made once) and y: one plan per batch, in order
            n = w.n_samples
            X = np.ones((n, d + 1), F32) if fold else self.X
            if fold:
                X[:, :d] = self.X
            self.batches = []
            for s in range(0, n, B):
                x, yb = X[s : s + B], self.y[s : s + B]
                xT = np.ascontiguousarray(x.T)  # (made once: no transpose per step)
                self.batches.append((x, yb, self._step(len(x), x, xT, yb)))
        self.reset()

    # -- the step's calls, laid out once per batch size -------------------------------------

    def _step(self, k: int, x: np.ndarray, xT: np.ndarray, yb: np.ndarray):
        """``step()``: the plan's calls, written out one after another."""
        return _unrolled(self._plan(k, x, xT, yb))

    def _plan(self, k: int, x: np.ndarray, xT: np.ndarray, yb: np.ndarray) -> list:
        """[(function, arguments), ...]: a step on the k rows of ``x`` (``[X 1]`` where the
        biases are folded) and ``yb``; ``xT`` is ``x.T`` (a contiguous copy where x is fixed)."""
        w, L, fold = self.w, len(self.Wa), self.fold
        mm, mul, sub = np.matmul, np.multiply, np.subtract
        Zs = [Z[:k] for Z in self.Zh] + [self.Z[:k]]
        if fold:  # what each layer multiplies: [A_{l-1} 1]; its activations: A_{l-1}
            ins = [x] + [A[:k] for A in self.Aa]
            acts = [None] + [A[:k, :-1] for A in self.Aa]
        else:
            ins = [x] + Zs[:-1]
            acts = [None] + Zs[:-1]
        ops: list = []
        for i in range(L):  # forward
            Wa, z = self.Wa[i], Zs[i]
            if fold:
                ops.append((mm, (ins[i], Wa, z)))
            else:
                ops.append((mm, (ins[i], Wa[:-1], z)))
                ops.append((np.add, (z, Wa[-1], z)))
            if i < L - 1:
                ops += _activation(w.activation, z, acts[i + 1])
        z = Zs[-1]
        ops += self._delta_ops(z, yb, k)
        d = z
        ones = np.ones(k, F32)
        for i in range(L - 1, -1, -1):  # backward
            inT = xT if i == 0 else ins[i].T
            if fold:
                ops.append((mm, (inT, d, self.gWa[i])))
            else:
                ops.append((mm, (inT, d, self.gWa[i][:-1])))
                ops.append((mm, (ones, d, self.gWa[i][-1])))
            if i == 0:
                break
            a, dp = acts[i], np.empty((k, self.w.sizes[i]), F32)
            ops.append((mm, (d, self.Wa[i][:-1].T, dp)))
            if w.activation == "relu":
                m = np.empty(dp.shape, np.bool_)
                ops += [(np.greater, (a, 0, m)), (mul, (dp, m, dp))]
            else:
                t = np.empty_like(dp)
                if w.activation == "tanh":  # g' = 1 - A^2
                    ops += [(mul, (a, a, t)), (sub, (1, t, t))]
                else:  # sigmoid: g' = A (1 - A)
                    ops += [(sub, (1, a, t)), (mul, (t, a, t))]
                ops.append((mul, (dp, t, dp)))
            d = dp
        if self.adam:
            ops.append((self._adam, ()))
        else:
            ops.append((sub, (self.p, self.g, self.p)))  # p -= lr * grad (lr in dZ_L)
        return ops

    def _delta_ops(self, z: np.ndarray, yb, k: int) -> list:
        """The calls making dZ_L in place over the logits ``z`` (lr folded in for SGD)."""
        w, K = self.w, z.shape[1]
        c = (1.0 if self.adam else w.lr) / k
        mul, sub = np.multiply, np.subtract
        if w.loss == "cross_entropy":  # dZ = (softmax(Z) - onehot(y)) / n
            mx, s = np.empty((k, 1), F32), np.empty((k, 1), F32)
            rowK, fi, zf = np.arange(k, dtype=np.int64) * K, np.empty(k, np.int64), z.reshape(-1)

            def minus_c_at_labels() -> None:
                np.add(rowK, yb, out=fi)
                zf[fi] -= c

            return [
                (np.maximum.reduce, (z, 1, None, mx, True)),
                (sub, (z, mx, z)),
                (np.exp, (z, z)),
                (np.add.reduce, (z, 1, None, s, True)),
                (np.divide, (c, s, s)),
                (mul, (z, s, z)),
                (minus_c_at_labels, ()),
            ]
        if w.loss == "binary_cross_entropy":  # dZ = (sigmoid(Z) - y) / n
            return _sigmoid_ops(z) + [(sub, (z, yb, z)), (mul, (z, c, z))]
        if w.output == "identity":  # MSE mean over n*K elements: dZ = 2 (Z - y) / (n K)
            return [(sub, (z, yb, z)), (mul, (z, 2 * c / K, z))]
        e = np.empty_like(z)  # sigmoid + MSE: dZ = 2 (p - y) p (1 - p) / (n K)
        return _sigmoid_ops(z) + [
            (sub, (z, yb, e)),
            (mul, (e, 2 * c / K, e)),
            (mul, (e, z, e)),
            (sub, (1, z, z)),
            (mul, (z, e, z)),
        ]

    def _adam(self) -> None:
        # torch.optim.Adam's update: p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps)
        self.t = t = self.t + 1
        g, m, v, tmp = self.g, self.m, self.v, self.tmp
        mul = np.multiply
        mul(m, BETA1, m)
        mul(g, 1 - BETA1, tmp)
        np.add(m, tmp, m)
        mul(v, BETA2, v)
        mul(g, g, tmp)
        mul(tmp, 1 - BETA2, tmp)
        np.add(v, tmp, v)
        bc1, bc2 = 1 - BETA1**t, 1 - BETA2**t
        np.sqrt(v, tmp)
        mul(tmp, 1 / np.sqrt(bc2), tmp)  # (a float64 scalar: as LayerLoopRunner)
        np.add(tmp, EPS, tmp)
        np.divide(m, tmp, tmp)
        mul(tmp, self.w.lr / bc1, tmp)
        np.subtract(self.p, tmp, self.p)

    # -- the runner's interface (bench/peers/__init__.py) -----------------------------------

    def reset(self) -> None:
        for (W, b), Wa in zip(self.init, self.Wa):
            Wa[:-1] = W
            Wa[-1] = b
        if self.adam:
            self.m.fill(0)
            self.v.fill(0)
        self.t = 0

    def warmup(self) -> None:
        w = self.w
        if w.shuffle:
            for k in w.batch_shapes:
                xin, yb, step = self.plans[k]
                np.take(self.X, np.arange(k), axis=0, out=xin, mode="clip")
                np.take(self.y, np.arange(k), axis=0, out=yb, mode="clip")
                step()
        else:
            for _, _, step in self.batches:
                step()
        self.reset()

    def train(self) -> None:
        w, X, y = self.w, self.X, self.y
        if not w.shuffle:
            steps = [step for _, _, step in self.batches]
            for _ in range(w.epochs):
                for step in steps:
                    step()
            return
        n, B, plans, take = w.n_samples, w.batch, self.plans, np.take
        rng = np.random.default_rng(self.shuffle_seed)
        for _ in range(w.epochs):
            order = epoch_order(rng, n)
            for s in range(0, n, B):
                idx = order[s : s + B]
                xin, yb, step = plans[len(idx)]
                take(X, idx, axis=0, out=xin, mode="clip")
                take(y, idx, axis=0, out=yb, mode="clip")
                step()

    def weights(self) -> Weights:
        return [(Wa[:-1].copy(), Wa[-1].copy()) for Wa in self.Wa]


def _unrolled(ops: list):
    """One function calling ``f(*args)`` for each of ``ops`` in turn, written out as the
    calls of a network-specific step are by hand: each function and argument a name of its
    closure, no loop or argument tuple per call. A ufunc's Python scalar becomes a float32
    (the value NumPy would convert it to: the same bits, without the weak-scalar path)."""
    names: dict = {}
    lines = []
    for i, (f, args) in enumerate(ops):
        names[f"f{i}"] = f
        arg_names = []
        for j, a in enumerate(args):
            if isinstance(f, np.ufunc) and type(a) in (int, float):
                a = F32(a)
            names[f"a{i}_{j}"] = a
            arg_names.append(f"a{i}_{j}")
        lines.append(f"        f{i}({', '.join(arg_names)})")
    src = f"def make({', '.join(names)}):\n    def step():\n"
    src += "\n".join(lines or ["        pass"]) + "\n    return step\n"
    scope: dict = {}
    exec(src, scope)  # (our own text: names and calls only)
    return scope["make"](**names)


def _activation(act: str, z: np.ndarray, out: np.ndarray | None) -> list:
    """g(z), computed in z and written by the last call into ``out`` (z where None)."""
    out = z if out is None else out
    if act == "relu":
        return [(functools.partial(np.maximum, out=out), (z, 0))]  # (out= by keyword only)
    if act == "tanh":
        return [(np.tanh, (z, out))]
    return _sigmoid_ops(z, out)


def _sigmoid_ops(z: np.ndarray, out: np.ndarray | None = None) -> list:
    """sigmoid(z) = (1 + tanh(z/2)) / 2 in z, overflow-free (as _sigmoid_), the last call
    writing into ``out`` (z where None)."""
    mul, out = np.multiply, z if out is None else out
    return [(mul, (z, 0.5, z)), (np.tanh, (z, z)), (mul, (z, 0.5, z)), (np.add, (z, 0.5, out))]


class LayerLoopRunner:
    """The reference step as it was up to round 23 (kept to compare against): the same
    math as ``Runner``, written as a loop over the layers with the activation and loss chosen
    by ``if`` at every step, each buffer sliced to the batch at every step, the biases added
    by a separate ``+= b`` and their gradients by a GEMV. ``Runner`` trains to the same
    weights (tests/test_bench_reference_round24.py) with a third fewer instructions a step on W3."""

    def __init__(
        self, w: Workload, data: Data, init: Weights, shuffle_seed: int = SHUFFLE_SEED
    ) -> None:
        self.w, self.X, self.y, self.init = w, data.X, data.y, init
        self.shuffle_seed = shuffle_seed
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
        rng = np.random.default_rng(self.shuffle_seed)
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
