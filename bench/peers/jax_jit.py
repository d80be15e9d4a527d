"""JAX: one ``jax.jit``-compiled training step (gather, forward, ``jax.grad``, update).

Parameters are a list of ``(W, b)`` arrays in glassnet's layout. The data live on the
device once (``jnp.asarray``); each epoch's order (the same permutation as the NumPy
runner) is sent once per epoch, and the step slices its batch with
``lax.dynamic_slice`` and gathers the rows inside the compiled step, so one step is one
dispatch. Losses: ``log_softmax`` cross-entropy, BCE on the logits
(``softplus(z) - y z``), mean squared error over all elements. SGD is ``p - lr g``; Adam
is written out with torch's formula (no optax needed). Parameter buffers are donated to
the step. Compile time (one graph per batch shape) is spent in ``warmup()``.
"""

from __future__ import annotations

import functools

import numpy as np
from workloads import SHUFFLE_SEED, Data, Weights, Workload, epoch_order

BETA1, BETA2, EPS = 0.9, 0.999, 1e-8


def probe() -> dict:
    import jax

    return {"version": jax.__version__, "devices": str(jax.devices())}


def unsupported(w: Workload) -> str | None:
    return None


class Runner:
    def __init__(self, w: Workload, data: Data, init: Weights) -> None:
        import warnings

        import jax
        import jax.numpy as jnp
        from jax import lax

        self.jax, self.jnp, self.w, self.init = jax, jnp, w, init
        self.X, self.y = jnp.asarray(data.X), jnp.asarray(data.y)
        act = {"relu": jax.nn.relu, "tanh": jnp.tanh, "sigmoid": jax.nn.sigmoid}[w.activation]

        def loss_fn(params, xb, yb):
            a = xb
            for W, b in params[:-1]:
                a = act(a @ W + b)
            W, b = params[-1]
            z = a @ W + b
            if w.loss == "cross_entropy":
                logp = jax.nn.log_softmax(z, axis=1)
                return -jnp.take_along_axis(logp, yb[:, None], axis=1).mean()
            if w.loss == "binary_cross_entropy":
                return (jax.nn.softplus(z) - yb * z).mean()
            if w.output == "sigmoid":
                z = jax.nn.sigmoid(z)
            return ((z - yb) ** 2).mean()

        grad_fn = jax.grad(loss_fn)

        def update(params, state, g):
            if w.optimizer == "sgd":
                return jax.tree.map(lambda p, gi: p - w.lr * gi, params, g), state
            m, v, t = state
            t = t + 1
            m = jax.tree.map(lambda mi, gi: BETA1 * mi + (1 - BETA1) * gi, m, g)
            v = jax.tree.map(lambda vi, gi: BETA2 * vi + (1 - BETA2) * gi * gi, v, g)
            bc1, bc2 = 1 - BETA1**t, 1 - BETA2**t
            params = jax.tree.map(
                lambda p, mi, vi: p - (w.lr / bc1) * mi / (jnp.sqrt(vi) / jnp.sqrt(bc2) + EPS),
                params,
                m,
                v,
            )
            return params, (m, v, t)

        @functools.partial(jax.jit, static_argnames="size", donate_argnums=(0, 1))
        def step(params, state, X, y, order, start, size):
            idx = lax.dynamic_slice(order, (start,), (size,))
            xb, yb = jnp.take(X, idx, axis=0), jnp.take(y, idx, axis=0)
            return update(params, state, grad_fn(params, xb, yb))

        @functools.partial(jax.jit, donate_argnums=(0, 1))
        def step_full(params, state, X, y):
            return update(params, state, grad_fn(params, X, y))

        self.step, self.step_full = step, step_full
        self.grad_fn, self.update = grad_fn, update
        warnings.filterwarnings("ignore", message="Some donated buffers were not usable")
        self.reset()

    def reset(self) -> None:
        jnp = self.jnp
        self.params = [(jnp.asarray(W), jnp.asarray(b)) for W, b in self.init]
        if self.w.optimizer == "adam":
            zeros = [(jnp.zeros_like(W), jnp.zeros_like(b)) for W, b in self.params]
            self.state = (
                zeros,
                [(jnp.zeros_like(W), jnp.zeros_like(b)) for W, b in zeros],
                jnp.zeros((), jnp.float32),
            )
        else:
            self.state = ()

    def warmup(self) -> None:
        w = self.w
        if w.batch_size is None and not w.shuffle:
            self.params, self.state = self.step_full(self.params, self.state, self.X, self.y)
        else:
            order = self.jnp.arange(w.n_samples, dtype=self.jnp.int32)
            for n in w.batch_shapes:
                self.params, self.state = self.step(
                    self.params, self.state, self.X, self.y, order, 0, size=n
                )
        self.jax.block_until_ready(self.params)
        self.reset()

    def train(self) -> None:
        w = self.w
        params, state, X, y = self.params, self.state, self.X, self.y
        if w.batch_size is None and not w.shuffle:
            params, state = self.full_batch_run(params, state, X, y)
        else:
            rng = np.random.default_rng(SHUFFLE_SEED)
            for _ in range(w.epochs):
                order = self.jnp.asarray(epoch_order(rng, w.n_samples).astype(np.int32))
                params, state = self.one_epoch(params, state, X, y, order)
        self.params, self.state = self.jax.block_until_ready((params, state))

    def full_batch_run(self, params, state, X, y):
        """Every epoch of a full-batch run: one jitted step each, called from Python."""
        for _ in range(self.w.epochs):
            params, state = self.step_full(params, state, X, y)
        return params, state

    def one_epoch(self, params, state, X, y, order):
        """One epoch of mini-batches in ``order``: one jitted step each, called from Python."""
        n, B = self.w.n_samples, self.w.batch
        for s in range(0, n, B):
            params, state = self.step(params, state, X, y, order, s, size=min(B, n - s))
        return params, state

    def weights(self) -> Weights:
        return [(np.asarray(W), np.asarray(b)) for W, b in self.params]


class LoopRunner(Runner):
    """JAX compiling as much of the loop as ``glassnet.jit`` does: the whole full-batch run
    in one ``jax.jit`` call (``lax.fori_loop`` over the epochs: W3), or each epoch's full
    batches in one call (``lax.fori_loop`` over them, the batch sliced from the epoch's
    order and gathered inside; the partial last batch, if any, by ``Runner``'s step: W2).
    The same loss, gradients and update as ``Runner``."""

    def __init__(self, w: Workload, data: Data, init: Weights) -> None:
        super().__init__(w, data, init)
        jax, jnp = self.jax, self.jnp
        from jax import lax

        grad_fn, update, B = self.grad_fn, self.update, w.batch

        @functools.partial(jax.jit, static_argnames="epochs", donate_argnums=(0, 1))
        def run_full(params, state, X, y, epochs):
            def body(i, ps):
                return update(ps[0], ps[1], grad_fn(ps[0], X, y))

            return lax.fori_loop(0, epochs, body, (params, state))

        @functools.partial(jax.jit, static_argnames="nfull", donate_argnums=(0, 1))
        def epoch(params, state, X, y, order, nfull):
            def body(i, ps):
                idx = lax.dynamic_slice(order, (i * B,), (B,))
                xb, yb = jnp.take(X, idx, axis=0), jnp.take(y, idx, axis=0)
                return update(ps[0], ps[1], grad_fn(ps[0], xb, yb))

            return lax.fori_loop(0, nfull, body, (params, state))

        self.run_full, self.epoch = run_full, epoch

    def warmup(self) -> None:
        super().warmup()  # (the partial batch's step compiled)
        self.train()
        self.reset()

    def full_batch_run(self, params, state, X, y):
        return self.run_full(params, state, X, y, epochs=self.w.epochs)

    def one_epoch(self, params, state, X, y, order):
        n, B = self.w.n_samples, self.w.batch
        params, state = self.epoch(params, state, X, y, order, nfull=n // B)
        if n % B:  # (the partial last batch: Runner's step)
            params, state = self.step(params, state, X, y, order, n - n % B, size=n % B)
        return params, state
