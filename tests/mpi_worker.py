"""Training runs for tests/test_distributed.py, run once in the test process
(``distributed=None``) and under ``mpiexec -n N python tests/mpi_worker.py OUT``
(``distributed="mpi"``); each rank saves what it got to ``OUT/rank<r>.npz``.

The data are chosen so that shards are uneven (53 rows, global batches of 10 and a last
one of 3: with 4 ranks one shard is empty).
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import numpy as np

from glassnet import nn, optim, stream
from glassnet.train import Callback, fit


def data(n=53, d=5, c=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = np.argmax(X @ rng.standard_normal((d, c)), axis=1)
    w = rng.uniform(0.2, 2.0, n)
    return X, y, w


def model(seed=1, sizes=(5, 16, 3), out="softmax", dtype=np.float64):
    return nn.MLP(list(sizes), activation="tanh", output_activation=out, rng=seed, dtype=dtype)


def flat(m):
    return np.concatenate([p.data.ravel() for p in m.parameters()])


class Calls(Callback):
    """Counts the hooks this rank ran."""

    def __init__(self):
        self.epochs = self.steps = 0

    def on_epoch_end(self, state):
        self.epochs += 1

    def on_step_end(self, state):
        self.steps += 1


class FailAt(Callback):
    """Raises on rank ``rank`` at step ``step`` (on_step_end runs on every rank)."""

    def __init__(self, rank, step, my_rank):
        self.rank, self.step, self.my_rank = rank, step, my_rank

    def on_step_end(self, state):
        if self.my_rank == self.rank and state.step == self.step:
            raise ValueError(f"rank {self.my_rank} cannot go on at step {state.step}")


class FailEpoch(Callback):
    """Raises in on_epoch_end (which runs on rank 0 only), e.g. a checkpoint write failing."""

    def on_epoch_end(self, state):
        if state.epoch == 2:
            raise OSError("No space left on device: 'model.ckpt'")


class StopOnRank0(Callback):
    """Sets state.stop at step 3 on rank 0 alone (as a time budget read from each rank's
    own clock would): an on_step_end callback runs on every rank."""

    def __init__(self, my_rank):
        self.my_rank = my_rank

    def on_step_end(self, state):
        if self.my_rank == 0 and state.step == 3:
            state.stop = True


class HalveLR(Callback):
    """Halves the learning rate after each epoch (on_epoch_end: on rank 0 alone)."""

    def on_epoch_end(self, state):
        for group in state.optimizer.param_groups:
            group["lr"] *= 0.5


class Gated(nn.Module):
    """Two layers summed, the second only while ``use_b``: the graph engine leaves its
    ``.grad`` None in the steps without it, and the optimizer skips it there."""

    def __init__(self):
        super().__init__()
        self.a = nn.Linear(5, 3, rng=10, dtype=np.float64)
        self.b = nn.Linear(5, 3, rng=11, dtype=np.float64)
        self.use_b = True

    def forward(self, x):
        return self.a(x) + self.b(x) if self.use_b else self.a(x)  # (cross_entropy's logits)


class EveryOtherStep(Callback):
    """Turns the gated layer on for even steps (on_step_end runs on every rank)."""

    def __init__(self, model):
        self.model = model

    def on_step_end(self, state):
        self.model.use_b = state.step % 2 == 0


def runs(distributed, rank=0):
    """name -> dict of arrays, for every scenario."""
    X, y, w = data()
    out = {}

    # 1) fused engine: Adam, shuffled batches, sample weights, L2, validation
    m, calls = model(), Calls()
    h = fit(
        m, X, y, loss="cross_entropy", optimizer="adam", lr=0.01, epochs=4, batch_size=10,
        seed=3, sample_weight=w, l2=0.1, validation_data=(X[:20], y[:20]), verbose=0,
        callbacks=[calls], distributed=distributed,
    )  # fmt: skip
    out["fused"] = dict(
        w=flat(m), loss=np.array(h.loss), val=np.array(h.val_loss),
        calls=np.array([calls.epochs, calls.steps]), steps=np.array(h.steps),
    )  # fmt: skip

    # 2) graph engine, regression, full batch, no shuffling
    Xr, yr = X[:, :3], np.tanh(X[:, :2])
    m = model(2, (3, 8, 2), "identity")
    h = fit(
        m, Xr, yr, loss="mse", optimizer="sgd", lr=0.1, epochs=5, engine="graph",
        verbose=0, distributed=distributed,
    )  # fmt: skip
    out["graph"] = dict(w=flat(m), loss=np.array(h.loss))

    # 3) early stopping (the best weights restored), from a seed drawn on rank 0
    m = model(4)
    h = fit(
        m, X, y, loss="cross_entropy", optimizer="sgd", lr=2.0, epochs=40, batch_size=8,
        seed=5, early_stopping=True, n_iter_no_change=2, verbose=0, distributed=distributed,
    )  # fmt: skip
    out["early"] = dict(w=flat(m), epochs=np.array(h.epochs), reason=np.array(h.stop_reason))

    # 4) resume: 2 epochs, a "checkpoint" (weights + optimizer state), then epochs 3..5
    def seed(e):
        return np.random.default_rng([7, e])

    m = model(5)
    opt = optim.Adam(m.parameters(), lr=0.01)
    fit(m, X, y, loss="cross_entropy", optimizer=opt, epochs=2, batch_size=16, seed=seed,
        verbose=0, distributed=distributed)  # fmt: skip
    saved, state = m.state_dict(), opt.state_dict()
    m = model(6)  # other starting weights: every rank loads the checkpoint
    m.load_state_dict(saved)
    opt = optim.Adam(m.parameters(), lr=0.01)
    opt.load_state_dict(state)
    fit(m, X, y, loss="cross_entropy", optimizer=opt, epochs=5, batch_size=16, seed=seed,
        initial_epoch=2, verbose=0, distributed=distributed)  # fmt: skip
    out["resume"] = dict(w=flat(m))

    # 5) a stream of chunks through a shuffle buffer: every rank draws the same batches
    chunks = [(X[s : s + 9], y[s : s + 9], w[s : s + 9]) for s in range(0, len(X), 9)]
    m = model(7)
    fit(m, stream.from_chunks(chunks, buffer_size=24), None, loss="cross_entropy", epochs=3,
        batch_size=10, seed=8, verbose=0, distributed=distributed)  # fmt: skip
    out["stream"] = dict(w=flat(m))

    # 6) dropout: each rank its own masks, and still one set of weights
    m = nn.MLP([5, 16, 3], activation="tanh", output_activation="softmax", dropout=0.5,
               rng=9, dtype=np.float64)  # fmt: skip
    fit(m, X, y, loss="cross_entropy", epochs=2, batch_size=10, seed=3, verbose=0,
        distributed=distributed)  # fmt: skip
    drop = next(d for d in m.modules() if isinstance(d, nn.Dropout))
    out["dropout"] = dict(w=flat(m), draw=np.array(drop.rng.random()))

    # 7) a parameter some steps leave without a gradient, under Adam: it must not move in
    # those steps (zeros summed in its place moved it by Adam's momentum)
    gated = Gated()
    fit(gated, X, y, loss="cross_entropy", optimizer="adam", lr=0.05, epochs=3, batch_size=10,
        seed=4, engine="graph", callbacks=[EveryOtherStep(gated)], verbose=0,
        distributed=distributed)  # fmt: skip
    out["unused"] = dict(w=flat(gated))

    # 8) failures: a rank raising mid-training, rank 0's epoch callback raising, and ranks
    # called with different data; each must end every rank with an error, not a hang
    if distributed is not None:
        for name, kw in (
            ("fail_step", dict(callbacks=[FailAt(1, 4, rank)])),
            ("fail_epoch", dict(callbacks=[FailEpoch()])),
            ("fail_data", dict(X=X + (rank == 1))),
            ("fail_optim", dict(optimizer=optim.Adam(m.parameters(), lr=0.01 * (1 + (rank == 1))))),
            # before the buffers are made: a rank refusing its labels, another model (layer
            # sizes, dtype) or other settings of fit must not meet the others' Allreduce
            ("fail_labels", dict(y=np.where(np.arange(len(y)) == 0, 3 * (rank == 1), y))),
            ("fail_model", dict(model=model(sizes=(5, 16 + (rank == 1), 3)))),
            ("fail_dtype", dict(model=model(dtype=np.float32 if rank == 1 else np.float64))),
            ("fail_settings", dict(batch_size=10 - 5 * (rank == 1), epochs=3 + (rank == 1))),
            # a callback changing the lr (on rank 0 alone) must not split the ranks silently
            ("fail_lr", dict(callbacks=[HalveLR()])),
            # a step callback stopping rank 0 alone mid-epoch: the others would step on
            ("fail_step_stop", dict(callbacks=[StopOnRank0(rank)])),
            # a seed function of the epoch that draws per rank: other batch orders, whose
            # gradients summed some rows twice and others never, in silence
            ("fail_seed", dict(seed=lambda epoch: 100 * rank + epoch)),
            # each rank validating on rows of its own: each rank's early stopping restored
            # its own best epoch (the ranks ended with other weights, in silence)
            ("fail_val", dict(validation_data=(X[rank : 20 + rank], y[rank : 20 + rank]))),
            # ranks at different points of fit before training (a seed drawn by rank 0
            # alone; a seed(0) drawn for a split of the other ranks only): each said that
            # rank 0 had another model ("0 parameter values"), or another seed(0)
            ("fail_seed_none", dict(seed=5 if rank else None)),
            ("fail_split", dict(seed=lambda epoch: epoch, validation_split=0.2 * (rank > 0))),
            # n_iter_no_change=10 on one rank, left at its default (10) on the other: alike
            ("same_patience", dict(tol=1e-9, **({"n_iter_no_change": 10} if rank else {}))),
        ):
            try:
                args = {
                    "X": X,
                    "y": y,
                    "batch_size": 10,
                    "epochs": 3,
                    "verbose": 0,
                    "loss": "cross_entropy",
                    "distributed": distributed,
                    **kw,
                }
                fit(args.pop("model", m), **args)
                out[name] = dict(error=np.array(""))
            except Exception as e:
                out[name] = dict(
                    error=np.array(f"{type(e).__name__}: {e}"),
                    cause=np.array(str(getattr(e, "error", ""))),
                )
    return out


def main(out_dir: str) -> None:
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    rank = comm.Get_rank()
    try:
        res = runs("mpi", rank)
    except BaseException:
        traceback.print_exc()
        comm.Abort(1)
    # every rank's weights, gathered: they must be bitwise equal
    same = {k: all(np.array_equal(v["w"], o) for o in comm.allgather(v["w"]))
            for k, v in res.items() if "w" in v}  # fmt: skip
    arrays = {f"{k}.{a}": v for k, d in res.items() for a, v in d.items()}
    arrays.update({f"{k}.same": np.array(s) for k, s in same.items()})
    np.savez(Path(out_dir) / f"rank{rank}.npz", **arrays)


if __name__ == "__main__":
    main(sys.argv[1])
