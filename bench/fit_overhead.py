"""fit's own cost: the whole ``glassnet.fit`` call against the hand-written NumPy step.

    python bench/fit_overhead.py                      # W1-b32 ... W4, 7 rounds
    python bench/fit_overhead.py W2 W3 --rounds 15
    python bench/fit_overhead.py W2 W3 --parts        # where fit's time goes

Each round times, one after another and in an order that alternates between rounds, the
hand-written fused NumPy step's training run (``peers/fused_numpy.py``: no loss value,
every buffer preallocated) and ``glassnet.fit`` as a user calls it, twice: as it runs by
default (its epochs handed to the fast path's eager loop, ``glassnet.eager``, when nothing
runs between steps), and with the eager loop turned off (``glassnet.eager.use`` patched to
refuse: fit's per-step loop, its books kept after every step, as before glassnet.eager).
Each run starts from the same weights; one BLAS thread (``OPENBLAS_NUM_THREADS=1``, and
``threads=1`` for fit); wall time. The table gives, per workload, each fit's speed divided
by the hand-written step's within each round: the median over the rounds and the range
(min-max), the spread of a shared machine.

The hand-written step computes no loss value; ``fit`` must (``history.loss``, and its
stop on a NaN or inf). The last two columns time a peer doing that work too (``_WithLoss``:
the same step, each batch's loss computed in it the cheapest way, summed per epoch and
checked finite) and give ``fit``'s speed divided by that peer's. Both peers draw the same
permutation each epoch (``fit`` draws its own, the same work), train the same loss and no
L2 (bench/README.md, "fit's own cost, round two").

``--parts`` times, in the same way, where ``fit``'s time goes beyond the hand-written step
(every part over the workload's whole run, the same batches in the same order):

    step             the fast path's forward and backward alone (``FastMLP.run`` on each
                     batch, ``value=False``), the batches gathered as fit gathers them
    + update         and the optimizer's prepared update after each step
    eager loop       ``glassnet.eager``'s loop (``run_epoch`` each epoch, or
                     ``run_full_batch``): the losses kept and counted too
    fit              the whole ``fit`` call

and prints per part the median µs a step, the fastest round's, and the hand-written
step's speed / the part's (median over the rounds, min-max).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time

os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["BENCH_GLASSNET_THREADS"] = "1"  # fit's threads= (peers/glassnet_fit.py)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import workloads  # noqa: E402
from peers import fused_numpy, glassnet_fit  # noqa: E402

DEFAULT = ["W1-b32", "W1-b128", "W1-b1024", "W2", "W3", "W4"]


class _WithLoss(fused_numpy.Runner):
    """The hand-written step doing the work ``fit`` must do beyond it: each step's loss value
    (the batch mean ``fit`` trains on), added up per epoch into the epoch's loss (batch
    losses weighted by their rows, as ``history.loss``), each epoch's loss checked finite
    (``fit`` stops on a NaN or inf). The value is computed in the step, the cheapest way
    from what the step has at hand: the output error's dot product with itself for a
    squared error (one NumPy call), ``log sum e^(z - m)`` and each row's ``z_y - m`` for
    cross-entropy (four), ``logaddexp(0, z) - y z`` on the logits for binary
    cross-entropy (three). The same batches, shuffles and updates as the parent's."""

    total = 0.0  # n times the loss of the epoch's steps so far

    def train(self) -> None:
        # (the parent's epoch loop, repeated with the loss's books around it: a hook in the
        # parent would add a call a step to the reference timed, on W3 one epoch a step)
        w, X, y = self.w, self.X, self.y
        n, B = w.n_samples, w.batch
        rng = np.random.default_rng(self.shuffle_seed)
        self.losses = []
        for _ in range(w.epochs):
            self.total = 0.0
            if not w.shuffle:
                for _, _, step in self.batches:
                    step()
            else:
                order = workloads.epoch_order(rng, n)
                for s in range(0, n, B):
                    idx = order[s : s + B]
                    xin, yb, step = self.plans[len(idx)]
                    np.take(X, idx, axis=0, out=xin, mode="clip")
                    np.take(y, idx, axis=0, out=yb, mode="clip")
                    step()
            loss = self.total / n
            if not math.isfinite(loss):
                raise FloatingPointError(f"the loss became {loss}")
            self.losses.append(loss)

    def _delta_ops(self, z: np.ndarray, yb, k: int) -> list:
        """The parent's calls, with the batch loss added to ``self.total`` (times k)."""
        ops, K = super()._delta_ops(z, yb, k), z.shape[1]
        vdot, log, logaddexp = np.vdot, np.log, np.logaddexp
        if self.w.loss == "cross_entropy":  # after z -= max: + sum log s - sum (z_y - m)
            rowK, zf = np.arange(k, dtype=np.int64) * K, z.reshape(-1)
            s = ops[3][1][3]  # the row sums' buffer
            zy = [0.0]

            def label_logits() -> None:
                zy[0] = float(zf[rowK + yb].sum())

            def add_loss() -> None:
                self.total += float(log(s).sum()) - zy[0]

            return ops[:2] + [(label_logits, ())] + ops[2:4] + [(add_loss, ())] + ops[4:]
        if self.w.loss == "binary_cross_entropy":

            def add_bce() -> None:
                self.total += (float(logaddexp(0, z).sum()) - float(vdot(yb, z))) / K

            return [(add_bce, ())] + ops
        if self.w.output == "identity":  # ops: z -= y, z *= 2c/K

            def add_mse() -> None:
                self.total += float(vdot(z, z)) / K

            return ops[:1] + [(add_mse, ())] + ops[1:]
        e = ops[4][1][2]  # sigmoid + MSE: after e = p - y (ops 0-3: the sigmoid)

        def add_sq() -> None:
            self.total += float(vdot(e, e)) / K

        return ops[:5] + [(add_sq, ())] + ops[5:]


class _PerStep(glassnet_fit.Runner):
    """glassnet.fit with its eager loop turned off: fit's per-step loop (the optimizer's
    prepared rules, the books kept after every step), as before glassnet.eager."""

    def _fit(self, X, y, epochs):
        from glassnet import eager

        use, eager.use = eager.use, lambda *a: False
        try:
            return super()._fit(X, y, epochs)
        finally:
            eager.use = use


def _time(runner) -> float:
    runner.reset()
    t = time.perf_counter()
    runner.train()
    return time.perf_counter() - t


def _parts(w, data, init) -> dict:
    """The timed parts of ``--parts`` for workload ``w``: name -> a function running it."""
    import numpy as np

    import glassnet as gn
    from glassnet import eager, nn, optim
    from glassnet.fused import FastMLP, layers_of

    hand = fused_numpy.Runner(w, data, init)
    model = nn.MLP(list(w.sizes), w.activation, w.output, rng=0, dtype=np.float32)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    X, n, bs = data.X, data.X.shape[0], w.batch
    spec = gn.tasks.loss_spec(w.loss)
    _, y, _ = gn.tasks.check_data(model, spec, X, data.y, None, "bench")
    order = workloads.epoch_order(np.random.default_rng(workloads.SHUFFLE_SEED), n)
    order = order if w.shuffle and bs < n else None
    batches = eager.Batches(X, y, None, bs).epoch(order)
    state = {}

    def reset() -> None:
        for lin, (W, b) in zip(linears, init):
            lin.W.data[...], lin.b.data[...] = W, b
        opt = optim.get_optimizer(w.optimizer, model.parameters(), lr=w.lr)
        fast = FastMLP(layers_of(model, training=True), spec.name)
        fast.run(*batches[0][:3], value=False)  # (the gradients bound, the buffers made)
        opt.step()
        state.update(opt=opt, fast=fast, update=opt.prepared())

    def step(update: bool) -> None:
        run, rules = state["fast"].run, state["update"]
        for _ in range(w.epochs):
            for xb, yb, wb, _m in batches:
                run(xb, yb, wb, value=False)
                if update:
                    rules()

    def loop() -> None:
        fast, opt = state["fast"], state["opt"]
        if order is None and bs >= n:
            eager.run_full_batch(fast, opt, X, y, None, w.epochs)
            return
        for e in range(w.epochs):
            eager.run_epoch(fast, opt, X, y, None, order, bs, step0=e * len(batches))

    def fit() -> None:
        gn.fit(model, X, y, loss=w.loss, optimizer=state["opt"], batch_size=w.batch_size,
               epochs=w.epochs, shuffle=w.shuffle, seed=0, verbose=0, threads=1,
               engine="fused")  # fmt: skip

    parts = {
        "hand-written step": hand.train,
        "step": lambda: step(False),
        "+ update": lambda: step(True),
        "eager loop": loop,
        "fit": fit,
    }
    return {k: (hand.reset if k.startswith("hand") else reset, f) for k, f in parts.items()}


def parts_main(names: list[str], rounds: int) -> None:
    import statistics as st

    print("| workload | part | µs/step (median) | µs/step (fastest) | hand-written / part |")
    print("|---|---|---:|---:|---:|")
    for name in names:
        w = workloads.get(name)
        parts = _parts(w, workloads.make_data(w), workloads.init_weights(w))
        for reset, f in parts.values():  # (warm-up)
            reset()
            f()
        times: dict[str, list[float]] = {k: [] for k in parts}
        for i in range(rounds):
            for k in list(parts)[:: 1 if i % 2 == 0 else -1]:
                reset, f = parts[k]
                reset()
                t = time.perf_counter()
                f()
                times[k].append((time.perf_counter() - t) / w.steps * 1e6)
        hand = times["hand-written step"]
        for k, v in times.items():
            r = [a / b for a, b in zip(hand, v)]
            print(f"| {name} | {k} | {st.median(v):.1f} | {min(v):.1f} | "
                  f"{st.median(r):.2f} ({min(r):.2f}-{max(r):.2f}) |")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    from argtypes import positive_int, workload

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workloads", nargs="*", type=workload, default=DEFAULT)
    ap.add_argument("--rounds", type=positive_int, default=7)
    ap.add_argument("--parts", action="store_true", help="where fit's time goes (see above)")
    args = ap.parse_args(argv)
    if args.parts:
        parts_main(args.workloads, args.rounds)
        return 0
    head = "hand-written step | fit | fit / step | per-step loop / step | step + loss"
    print(f"| workload | {head} | fit / (step + loss) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in args.workloads:
        w = workloads.get(name)
        data, init = workloads.make_data(w), workloads.init_weights(w)
        runners = {
            "step": fused_numpy.Runner(w, data, init),
            "fit": glassnet_fit.Runner(w, data, init),
            "per-step": _PerStep(w, data, init),
            "step+loss": _WithLoss(w, data, init),
        }
        for r in runners.values():
            r.warmup()
        times: dict[str, list[float]] = {k: [] for k in runners}
        for i in range(args.rounds):
            for k in list(runners)[:: 1 if i % 2 == 0 else -1]:
                times[k].append(_time(runners[k]))
        ratio = {k: [s / t for s, t in zip(times["step"], times[k])] for k in ("fit", "per-step")}
        ratio["fit+"] = [s / t for s, t in zip(times["step+loss"], times["fit"])]
        us = {k: statistics.median(v) / w.steps * 1e6 for k, v in times.items()}
        cells = [f"{statistics.median(v):.2f} ({min(v):.2f}-{max(v):.2f})" for v in ratio.values()]
        at = " | ".join(f"{us[k]:.1f} µs/step" for k in ("step", "fit"))
        loss = f"{us['step+loss']:.1f} µs/step"
        print(f"| {name} | {at} | {cells[0]} | {cells[1]} | {loss} | {cells[2]} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
