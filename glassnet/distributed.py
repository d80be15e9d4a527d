"""Data-parallel training over MPI: ``fit(..., distributed="mpi")`` under ``mpiexec -n N``.

Every rank holds the same model and reads the same data (or memory-maps the same file).
Each global mini-batch of ``fit`` (the rows ``order[start:stop]``, drawn from the same seed
on every rank) is cut into N contiguous shards; rank r runs the forward and backward pass
on its shard only, and one ``Allreduce`` on a flat buffer per step sums

    g = sum_r (n_r / n) g_r           (n_r rows of the shard, n of the global batch)

which is exactly the gradient of the global batch's mean loss: each engine's loss is
``sum_i w_i l_i / n_r`` (the sample weights multiply, the row count divides), so the weight
``n_r / n`` also covers uneven shards, empty shards and sample weights (a loss given as a
function must be a mean over its rows too). The L2 penalty
``l2 / (2 n) ||W||^2`` is added once, after the sum; a parameter no rank gave a gradient
(the graph engine leaves ``.grad`` None where the loss does not reach) keeps none. Then
every rank takes the same optimizer step, so the weights stay identical without being sent
again.

Only one kind of collective runs while training: the same ``Allreduce`` on the same
buffer, which after the P gradient entries (and one slot per parameter: the ranks that
gave it a gradient) carries a few control slots (the loss, an error
count, a "this rank has left" count, rank 0's stop flag, a 48-bit value rank 0
broadcasts and the count of ranks taking a training step: when some ranks take a step
while the others have ended the epoch, every rank raises :class:`DistributedError`). A
rank that fails anywhere inside ``fit`` joins the next collective with its error count
set; every rank sees it, the error is gathered, the failing rank raises its own exception
and the others raise :class:`DistributedError` naming that rank and its error. No rank is
left waiting. A rank whose ``fit`` ends takes part in one last collective, so
an error after the last step is caught too.

Before training every collective runs on a buffer of one fixed size, the same on every
rank whatever its model: rank 0's seed, then the checksums of rank 0's model (its layers,
parameter shapes and dtypes), fit's settings (epochs, batch_size, loss, ...,
validation_data's shapes and first and last rows: each rank's early stopping restores its
own best epoch) and of its data, seed and optimizer, item by item (:func:`checks_of`: the
data's shapes, dtype and first and last rows, the shuffling generator's state, the
optimizer's lr, settings and state, a stream's shuffle buffer in whole batches), which every
rank compares with its own before the P-entry buffer is made; when some rank differs, every
rank gathers each rank's summary of those items (short texts), and a rank that differs
raises naming each item with its value and rank 0's. So a rank that fails while checking
its data, or whose model, settings or data differ from rank 0's, ends every rank with an
error rather than with buffers of different sizes meeting in one ``Allreduce``.

A rank's program ending: under ``mpiexec -n N`` (N > 1), after :func:`install` (which a
script calls at its top, and the command line's ``train`` does), a rank whose program ends
on its own (an uncaught exception outside fit, such as its data file missing before its
first fit; ``sys.exit()``; the end of its script) joins the other ranks in one last
collective, of the kind and size of fit's first ones (MPI is started for it if nothing
had: the others wait for it in ``MPI_Init``); after a distributed fit without it, the same
on that fit's communicators. (A communicator of the script's own that this rank has not
trained on yet, a ``Split`` group, is not among them: the ranks in their first fit there
are not told, and the job ends with ``MPI_Abort`` after 10 s.) Ranks in fit raise
:class:`DistributedError` naming it; ranks that end too end. An error every rank hit alike
is printed by rank 0 alone. A failing rank whose others
do not join within 10 s (busy in code of their own, such as their own ``bcast``) ends the
job with ``MPI_Abort``. A rank ending without an error waits for the ranks of the
communicators it trained on however long they take (each joins when its program ends, or
when it calls ``MPI.Finalize()`` itself), as MPICH's own MPI_Finalize waits for every rank;
on ``MPI.COMM_WORLD`` after :func:`install` without a fit there, it leaves quietly after
10 s. Without either, importing glassnet changes nothing of how an MPI program ends.

Callbacks' ``on_train_begin``/``on_epoch_end``/``on_train_end`` (checkpoints, progress,
diagnostics) and the progress line run on rank 0 only; ``on_step_end`` runs on every rank
(keep it free of file writes); stop decisions are rank 0's, agreed at each epoch's end,
where every rank also checks that its learning rates are rank 0's (a callback that changes
them on rank 0 alone is an error, not a silent split of the ranks). A seed given as a
function of the epoch is checked against rank 0's at the start of every epoch.

mpi4py is imported only here and only when asked for (``pip install "glassnet[mpi]"``).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import stat
import sys
import time
import traceback
import warnings
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .fused import add_l2
from .interrupts import deferred
from .nn.layers import Dropout, Linear

__all__ = [
    "DataParallel", "DistributedError", "run", "launched", "checks_of", "end_rank", "install"
]  # fmt: skip

# control slots after the gradients (_EXIT: the ranks ending their program, see _part)
_LOSS_HI, _LOSS_LO, _ERROR, _LEFT, _STOP, _HI, _LO, _STEP, _EXIT = range(9)
_CONTROL = 9
# outside a step, rank 0 puts in the loss's slot what its collective is for, so that ranks
# at different points of fit (called with other arguments) say so instead of reading one
# collective's values as another's
_KIND = _LOSS_HI
_DOING = {
    1: "draws the seed every rank shuffles with (its fit has seed=None)",
    2: "checks the value of the seed function for an epoch (seed(0) is drawn before "
    "training only when rows are held out: validation_split, or early_stopping without "
    "validation_data)",
    3: "compares the model and fit's settings",
    4: "has passed the checks of the model and settings",
    5: "starts training",
    6: "ends an epoch",
    7: "has ended its program",
}
_DRAW, _SEED, _SETTINGS_KIND, _PASSED, _START, _EPOCH, _GONE_KIND = range(1, 8)
_B24 = 1 << 24  # integers below 2**24 are exact in float32: a 48-bit value takes two slots
# fit's arguments every rank must pass alike (the data, seed and optimizer state are
# compared by checks_of; callbacks, verbose, device and threads may differ)
# fmt: off
_SETTINGS = (
    "loss", "optimizer", "lr", "epochs", "max_steps", "batch_size", "shuffle", "tol",
    "n_iter_no_change", "tol_weights", "validation_split", "early_stopping", "l2", "engine",
    "initial_epoch", "schedule", "validation_data",
)
# fmt: on
# what the ranks compare of the data, the seed and the optimizer (checks_of), each by name:
# X's rows (a stream's where known), its shape past them and dtype, y's shape past its rows,
# whether sample_weight is given, the first row of each, the last rows (arrays'), the
# shuffling generator's state, the optimizer's lr, its other settings and its state, and the
# shuffle (a stream's buffer in whole batches, unless it holds every row: which rows each
# global batch draws)
# fmt: off
_DATA = (
    "rows", "columns", "dtype", "targets", "weights", "X rows", "y rows", "w rows",
    "last rows", "seed", "lr of the optimizer", "optimizer settings", "optimizer state",
    "buffer",
)
# fmt: on
_KEYS = ("model", *_SETTINGS, *_DATA)  # the slots before training: one checksum per key
_CHECKS = len(_KEYS) + 1  # (and one slot: whether rank 0's shuffle buffer holds every row)
_BUFFER = 65_536  # (the shuffle buffer of the streams fit makes: stream.Stream's default)
_ANY = object()  # an item of checks_of that this rank cannot know (a stream's rows): it
# agrees with any value


class DistributedError(RuntimeError):
    """Another rank failed during distributed training; ``.rank`` is that rank and
    ``.error`` its exception as text (type, message and traceback)."""

    def __init__(self, message: str, rank: int, error: str) -> None:
        super().__init__(message)
        self.rank, self.error = rank, error


def _mpi() -> Any:
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise ImportError(
            "fit(distributed='mpi') needs mpi4py and an MPI library: "
            'pip install "glassnet[mpi]" (mpi4py and the mpich wheel; no system MPI needed), '
            "then launch with: mpiexec -n 4 python train.py"
        ) from e
    return MPI


# (rank, size) variables of the launchers: PMI-1/PMI-2 (MPICH's and Intel MPI's mpiexec,
# srun --mpi=pmi2, Flux, Cray's PALS), Open MPI's mpirun, and srun --mpi=pmix, which sets
# PMIX_RANK but no size (srun's own SLURM_STEP_NUM_TASKS gives it)
_LAUNCHERS = (
    ("PMI_RANK", "PMI_SIZE"),
    ("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"),
    ("PMIX_RANK", "SLURM_STEP_NUM_TASKS"),
)


def launcher() -> tuple[int, int, str]:
    """(rank, size, the variable that gave the size) of :func:`launched`."""
    for rank, size in _LAUNCHERS:
        # (PMIX_RANK itself: Slurm's step size alone is in every srun step, --mpi=none too)
        given = os.environ.get(rank) or ("0" if rank != "PMIX_RANK" else "")
        if os.environ.get(size, "").isdigit() and given.isdigit():
            return int(given), int(os.environ[size]), size
    return 0, 1, ""


def launched() -> tuple[int, int]:
    """(rank, size) of a process started by ``mpiexec`` (MPICH's, Intel MPI's or Open MPI's)
    or ``srun`` (``--mpi=pmi2`` or ``--mpi=pmix``), read from the launcher's environment
    without starting MPI; ``(0, 1)`` otherwise."""
    return launcher()[:2]


class Unjoined(RuntimeError):
    """A launch of N ranks that MPI does not join; ``.detail``: the message without the
    ``fit(distributed='mpi')`` it starts with (the command line's ``train`` says it)."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"fit(distributed='mpi'): {detail}")
        self.detail = detail


def _world(MPI: Any) -> Any:
    """``MPI.COMM_WORLD``, refused in a rank (not a process one started) when the launcher
    started more processes than MPI joined: each rank would train alone, in silence."""
    _, n, var = launcher()
    if rank_process() and MPI.COMM_WORLD.Get_size() == 1:
        raise Unjoined(
            f"the launcher started {n} processes ({var}={n}), but "
            "MPI sees this one alone (MPI.COMM_WORLD has 1 rank): the MPI library mpi4py "
            "uses does not speak this launcher's process manager, and each rank would train "
            "by itself. Launch with that MPI's own mpiexec, or give srun an --mpi= it "
            "speaks (srun --mpi=pmi2 for MPICH); check with: srun -n 2 python -c "
            "'from mpi4py import MPI; print(MPI.COMM_WORLD.Get_size())'."
        )
    return MPI.COMM_WORLD


def appnum() -> int:
    """Which command line of an MPMD launch (``mpiexec -n 1 A : -n 1 B``) started this
    rank, read from MPI (0: rank 0's; 0 too where MPI is not started or does not say)."""
    MPI = sys.modules.get("mpi4py.MPI")
    with contextlib.suppress(Exception):
        if MPI is not None and MPI.Is_initialized() and not MPI.Is_finalized():
            return int(MPI.COMM_WORLD.Get_attr(MPI.APPNUM) or 0)
    return 0


def _fingerprint(*parts: Any) -> int:
    """A 32-bit checksum of ``parts`` (arrays by their bytes, the rest by repr)."""
    crc = 0
    for p in parts:
        b = np.ascontiguousarray(p).tobytes() if isinstance(p, np.ndarray) else repr(p).encode()
        crc = zlib.crc32(b, crc)
    return crc


def _checksum(value: Any) -> int:
    """An item's checksum (:func:`checks_of`): a list holding arrays by its parts (arrays by
    their bytes), anything else by its repr as a whole; -1 for :data:`_ANY`."""
    if value is _ANY:
        return -1
    if isinstance(value, list) and any(isinstance(p, np.ndarray) for p in value):
        return _fingerprint(*value)
    return _fingerprint(value)


class DataParallel:
    """The communicator of one distributed ``fit`` and its flat buffer.

    Parameters
    ----------
    comm : ``"mpi"`` (``MPI.COMM_WORLD``) or an mpi4py intra-communicator.
    """

    def __init__(self, comm: Any = "mpi") -> None:
        if isinstance(comm, str) and comm != "mpi":
            fix = ""
            if comm.strip().lower() == "mpi":
                fix = " Write it 'mpi', " + ("in lower case." if comm.strip() == comm else
                                             "without spaces.")  # fmt: skip
            raise ValueError(
                f"The 'distributed' parameter of fit must be None, 'mpi' or an mpi4py "
                f"communicator. Got {comm!r}.{fix}"
            )
        if comm is None:  # (fit's None trains in one process, without a DataParallel)
            raise TypeError(
                "DataParallel needs a communicator: 'mpi' (MPI.COMM_WORLD) or an mpi4py "
                "intracommunicator; got None. To train in one process, call fit with "
                "distributed=None and no DataParallel."
            )
        # (named before mpi4py is imported: without it, its absence is not the error)
        if not isinstance(comm, str) and not hasattr(comm, "Get_rank"):
            fix = {
                False: " Leave it out (None) to train in one process.",
                True: " Write distributed='mpi' under mpiexec.",
            }
            raise TypeError(
                f"The 'distributed' parameter of fit must be None, 'mpi' or an mpi4py "
                f"communicator. Got {comm!r:.40} ({type(comm).__name__})."
                + (fix.get(comm, "") if isinstance(comm, (bool, np.bool_)) else "")
            )
        MPI = _mpi()
        if isinstance(comm, str):
            comm = _world(MPI)
        elif comm == MPI.COMM_NULL:
            raise TypeError(
                "fit(distributed=MPI.COMM_NULL): this rank is not a member of the "
                "communicator (a Split with colour MPI.UNDEFINED gives the ranks left out "
                "COMM_NULL): pass a communicator this rank belongs to ('mpi', or a Split with "
                "a colour of its own), or train the ranks left out with distributed=None."
            )
        elif not isinstance(comm, MPI.Intracomm):
            what = "an intercommunicator" if isinstance(comm, MPI.Intercomm) else "no group"
            raise TypeError(
                f"fit(distributed=...) needs an mpi4py intracommunicator (one group of ranks: "
                f"'mpi', MPI.COMM_WORLD, its Dup() or Split()); got {type(comm).__name__}, "
                f"{what} of ranks to train. An intercommunicator's intercomm.Merge() gives "
                "one."
            )
        self.MPI, self.comm = MPI, comm
        if MPI.COMM_WORLD.Get_size() > 1:  # (any launcher: glassnet's import saw mpiexec's)
            _install()
            _watch_finalize(MPI)
        self.rank, self.size = comm.Get_rank(), comm.Get_size()
        for c, told, gone in _BROKEN:
            if c == comm:  # a rank has ended its program: its collectives would never come
                raise DistributedError(told, gone, told)
        if self.size > 1 and not any(c == comm for c in _TRACKED):
            _TRACKED.append(comm)
        self.root = self.rank == 0
        self.done = False  # this rank's last collective has run
        self.met = False  # a collective of this fit has run: every rank has glassnet's hooks
        # before training the collectives are nonblocking ones (Iallreduce), as is the one of
        # a rank that ends its program (_part), which must meet them; training's are blocking
        self.fixed = True
        self.n_global = 0
        self.settings: dict[str, Any] = {}  # fit's settings to compare with rank 0's (run)
        self.source: dict[str, Any] = {}  # the data's source: a stream's (run, checks_of)
        # before training: one size on every rank, whatever its model (see the module doc)
        self.buf = np.zeros(_CHECKS + _CONTROL, np.float64)
        self.params: list[Any] = []
        self.views: list[np.ndarray] = []

    # ------------------------------------------------------------ the collective
    def _collective(self, last: bool = False, step: bool = False, kind: int = 0) -> np.ndarray:
        """Allreduce-sum the buffer; raise when a rank failed, (mid-run) has left, when
        some ranks take a training ``step`` while the others are at the epoch's end, or
        when rank 0's collective is for another ``kind`` of exchange than this rank's."""
        ctl = self.buf[self.buf.size - _CONTROL :]
        ctl[_LEFT] = 1.0 if last else 0.0
        ctl[_STEP] = 1.0 if step else 0.0
        ctl[_EXIT] = 0.0
        if not step:  # (a step's loss is in that slot)
            ctl[_KIND] = kind if self.root else 0.0
        with self._held():
            self._allreduce()
            if last:  # (before a Ctrl-C that came meanwhile is raised: no collective follows)
                self.done = True
            return self._read(last, step, kind)

    @contextlib.contextmanager
    def _held(self) -> Any:
        """Hold Ctrl-C (and the stop signals fit holds) across a collective and the reading
        of its result: a ``KeyboardInterrupt`` raised as the ``Allreduce`` returns would
        leave this rank's books (``done``) behind the collective every rank has run, and the
        rank would post one the others never join. A signal noted meanwhile is raised once
        the books are kept (an error the collective raises wins over it)."""
        with deferred() as hold:
            held, hold.held = hold.held, True
            try:
                yield
            finally:
                hold.held = held
            if hold.pending and not held:
                hold.release()

    def _read(self, last: bool, step: bool, kind: int) -> np.ndarray:
        """The books of a collective that has run (see :meth:`_collective`)."""
        ctl = self.buf[self.buf.size - _CONTROL :]
        if ctl[_ERROR] > 0 or ctl[_EXIT] > 0:
            self._settle(None)
        if ctl[_LEFT] > 0 and not last:
            # another rank's fit has ended while this one expected a step: it was
            # interrupted (Ctrl-C reaches every rank); this rank stops as interrupted too
            self.done = True
            raise KeyboardInterrupt
        if ctl[_LEFT] == 0 and 0 < ctl[_STEP] < self.size:
            self._out_of_step(step)
        if kind and ctl[_KIND] != kind:
            raise ValueError(  # (the others learn it from this rank's fail())
                f"fit(distributed='mpi'): rank {self.rank} and rank 0 are at different points "
                f"of fit: rank 0 {_DOING.get(int(ctl[_KIND]), 'is elsewhere')}, while rank "
                f"{self.rank} {_DOING[kind]}. The ranks called fit with other arguments: "
                "give every rank the same seed (None on every rank or on none), "
                "validation_split, early_stopping and validation_data."
            )
        return ctl

    def _out_of_step(self, step: bool) -> None:
        """Every rank, at the same collective: some ranks ended the epoch early (an
        ``on_step_end`` callback set ``state.stop`` on them alone). Raise on every rank."""
        self.done = True
        stopped = [r for r, s in enumerate(self.comm.allgather(step)) if not s]
        text = (
            f"fit(distributed='mpi'): rank(s) {stopped} of {self.size} ended the epoch while "
            "the others took another step: an on_step_end callback set state.stop on some "
            "ranks only (it runs on every rank, and must decide the same on each: from "
            "state.step or state.batch_loss, which every rank shares; or stop in "
            "on_epoch_end, where rank 0 decides for all), or the ranks read streams of "
            "different lengths (every rank must read the same data)."
        )
        raise DistributedError(text, stopped[0], text)

    def _allreduce(self) -> None:
        """Sum the buffer over the ranks: before training with ``Iallreduce`` (the kind of
        collective a rank ending its program joins, see :func:`_part`), then ``Allreduce``."""
        if self.fixed:
            self.comm.Iallreduce(self.MPI.IN_PLACE, self.buf, op=self.MPI.SUM).Wait()
        else:
            self.comm.Allreduce(self.MPI.IN_PLACE, self.buf, op=self.MPI.SUM)
        if not self.met:  # every rank of comm is in a distributed fit (or has ended its
            # program through glassnet's hooks): each joins _part's collective at its end
            self.met = True
            if self.size > 1 and not any(c == self.comm for c in _MET):
                _MET.append(self.comm)

    def _settle(self, mine: BaseException | None) -> None:
        """Every rank, after a collective where a rank failed (``mine``: this rank's error)
        or ended its program: learn which, and raise (the failing rank its own error, which
        the caller raises; the others :class:`DistributedError`, naming it)."""
        self.done = True
        got = self.comm.allgather((_text(mine) if mine is not None else None, False))
        quiet = _heard(self.comm, got)
        if mine is not None:
            if quiet:
                with contextlib.suppress(AttributeError):
                    mine._glassnet_quiet = True  # type: ignore[union-attr]
            return
        errors = [(r, t) for r, (t, _) in enumerate(got) if t is not None]
        left = [r for r, (_, gone) in enumerate(got) if gone]
        if errors:
            r, t = errors[0]
            head = t.splitlines()[0]
            where = (
                " outside fit, and has ended its program (its error is on its stderr)"
                if r in left
                else " (its traceback is on that rank's stderr)"
            )
            error = DistributedError(
                f"distributed training stopped: rank {r} of {self.size} failed with {head}{where}",
                r,
                t,
            )
        else:
            told = _told(left, self.size)
            error = DistributedError(told, left[0], told)
        if quiet:
            error._glassnet_quiet = True  # type: ignore[attr-defined]
        raise error

    def fail(self, error: BaseException) -> None:
        """Tell the other ranks that this rank failed with ``error`` (at their next
        collective), unless the failure is already known to every rank."""
        if self.done or isinstance(error, DistributedError):
            return
        self.buf[self.buf.size - _CONTROL :] = 0.0
        self.buf[self.buf.size - _CONTROL + _ERROR] = 1.0
        with self._held():
            self._allreduce()
            self.done = True
            self._settle(error)

    def finish(self) -> None:
        """The last collective of a rank whose fit returned."""
        if not self.done:
            self.buf[self.buf.size - _CONTROL :] = 0.0
            self._collective(last=True)  # (which marks this rank done)

    def broadcast_int(self, value: int) -> int:
        """Rank 0's ``value`` (0 <= value < 2**48) on every rank."""
        ctl = self.buf[self.buf.size - _CONTROL :]
        ctl[:] = 0.0
        if self.root:
            ctl[_HI], ctl[_LO] = divmod(int(value), _B24)
        ctl = self._collective(kind=_DRAW)
        return int(ctl[_HI]) * _B24 + int(ctl[_LO])

    # ------------------------------------------------------------ training
    def start(self, model: Any, checks: dict[str, tuple[Any, str]]) -> None:
        """Give every parameter rank 0's value and check that every rank trains the same
        model (layers, parameter shapes and dtypes) with the same settings of fit, on the
        same data, seed and optimizer state (``checks``: :func:`checks_of`, compared by
        checksum). Each dropout layer gets a stream of its own per rank (its generator's
        next draw and the rank): equal generators would drop the same positions of every
        rank's shard."""
        held = [name for name, _ in model.named_buffers()]
        if held:  # (before any collective: every rank refuses alike)
            raise ValueError(
                f"fit(distributed='mpi'): the model holds buffers ({', '.join(held[:3])}: a "
                "BatchNorm1d's running statistics), which each rank would compute from its own "
                "shard of every batch: the ranks' models would differ, and differ from one "
                "process's. Train it in one process, or normalise with nn.LayerNorm (no "
                "buffers), which distributed training takes."
            )
        self.params = params = model.parameters()
        self._same_model_and_settings(model, checks)
        for m in model.modules():
            if isinstance(m, Dropout):
                m.rng = np.random.default_rng([int(m.rng.integers(2**62)), self.rank])
        dtypes = {p.data.dtype for p in params}
        dtype = dtypes.pop() if len(dtypes) == 1 else np.dtype(np.float64)
        sizes = [p.data.size for p in params]
        P = sum(sizes)
        # the gradients, then one slot per parameter (the ranks that gave it a gradient),
        # then the control slots
        self.buf = np.zeros(P + len(params) + _CONTROL, dtype)
        self.fixed = False
        offsets = np.cumsum([0, *sizes])
        self.views = [
            self.buf[a:b].reshape(p.data.shape) for a, b, p in zip(offsets, offsets[1:], params)
        ]
        if self.root:
            for v, p in zip(self.views, params):
                v[...] = p.data
        self._collective(kind=_START)
        for v, p in zip(self.views, params):
            p.data[...] = v  # x + 0 + ... + 0 is x: rank 0's weights, exactly

    def _same_model_and_settings(self, model: Any, checks: dict[str, tuple[Any, str]]) -> None:
        """Raise on a rank whose model, fit settings, data, seed or optimizer differ from
        rank 0's, naming each item with this rank's value and rank 0's, and on every other
        rank a DistributedError naming it. Collectives on the buffer of the size every rank
        holds before training (a rank that fails there joins from fail()): rank 0's checksum
        of each item; whether some rank differs; only then, every rank's summary of its
        items (allgather: small texts), and the collective where the differing ranks fail."""
        params = model.parameters()
        layers = [type(m).__name__ for m in model.modules()]
        shapes = [(tuple(p.data.shape), str(p.data.dtype)) for p in params]
        count = sum(p.data.size for p in params)
        items: dict[str, tuple[Any, Any]] = {"model": ((layers, shapes, count), str(count))}
        for k in _SETTINGS:
            v = self.settings.get(k)
            items[k] = (_comparable(v), (k, v))  # (shown as k=v, only on a mismatch)
        items.update(checks)
        # the buffer: its whole batches (cap) in its slot, and after the checksums whether it
        # holds every row (full): equal caps agree, and so do buffers that both hold all rows
        cap, full = items.get("buffer", ((0, False), ""))[0]
        mine = [_checksum(items[k][0]) if k in items else 0 for k in _KEYS]
        mine[_KEYS.index("buffer")] = cap
        self.buf = np.zeros(_CHECKS + _CONTROL, np.float64)
        if self.root:
            self.buf[:_CHECKS] = [*mine, full]
        self._collective(kind=_SETTINGS_KIND)
        agree = {"buffer"} if full and self.buf[_CHECKS - 1] else set()  # (both hold all rows)
        differ = [k for k, a, b in zip(_KEYS, self.buf[:_CHECKS].tolist(), mine)
                  if a != b and a != -1 and b != -1 and k not in agree]  # fmt: skip
        self.buf[:] = 0.0
        self.buf[0] = 1.0 if differ else 0.0
        self._collective(kind=_PASSED)  # every rank passed; one that did not joins from fail()
        if not self.buf[0]:
            return
        shown = {k: _shown(k, v[1]) for k, v in items.items()}
        root = self.comm.allgather(shown)[0]  # (every rank: some rank differs)
        if differ:  # (the others learn it from this rank's fail(), at their next collective)
            raise ValueError(_mismatch(self.rank, differ, shown, root, layers, shapes))
        self.buf[:] = 0.0
        self._collective(kind=_PASSED)  # (raises DistributedError, naming the ranks that differ)

    def shard(self, start: int, stop: int) -> tuple[int, int]:
        """This rank's rows [lo, hi) of the global batch [start, stop)."""
        m = stop - start
        self.n_global = m
        return start + m * self.rank // self.size, start + m * (self.rank + 1) // self.size

    def begin(self, model: Any, step: Callable, l2: float, data: tuple, seed: Any, rng: Any,
              optimizer: Any, src: Any = None) -> Callable:  # fmt: skip
        """fit's start of a run over the ranks: rank 0's weights everywhere (the checks of
        ``data = (X, y, w)`` compared, ``src`` the stream fit reads, if any), ``step`` wrapped
        to sum the gradients once a step."""
        # (a stream's rows where it knows them: a memmap, from_arrays, from_csv and a path,
        # the statistics pass's count; a bound on them, the command line's)
        rows = {k: getattr(src, k, None) for k in ("rows", "rows_at_most")}
        self.start(model, checks_of(*data, None if callable(seed) else rng, optimizer,
                                    {**self.source, **rows}))  # fmt: skip
        return self.wrap(step, [m.W for m in model.modules() if isinstance(m, Linear)], l2)

    def wrap(self, step: Callable[..., float], weights: list[Any], l2: float) -> Callable:
        """``step(X, y, w) -> loss`` on this rank's shard, made the global batch's step: the
        gradients of every rank summed with the weights n_r / n by one Allreduce, then the
        L2 penalty of the global batch added (``step`` itself runs with l2 = 0). A parameter
        that no rank's step gave a gradient (the graph engine leaves ``.grad`` None where the
        loss does not reach it) keeps ``.grad`` None, so that the optimizer skips it as in
        one process (zeros would move it by Adam's or momentum's past steps)."""
        n = len(self.params)
        P = self.buf.size - n - _CONTROL
        given = self.buf[P : P + n]  # per parameter: the ranks whose step gave a gradient

        def global_step(X: np.ndarray, y: np.ndarray, w: np.ndarray | None) -> float:
            m = X.shape[0]
            # the gradients land in the flat buffer: each p.grad a view of it (the engines
            # overwrite or zero it; the optimizer copies it into its own flat buffer)
            for p, v in zip(self.params, self.views):
                p.grad = v
            loss = step(X, y, w) if m else 0.0  # an empty shard adds nothing
            for i, (p, v) in enumerate(zip(self.params, self.views)):
                given[i] = 1.0 if m and p.grad is not None else 0.0
                if p.grad is not v:  # an engine that made new arrays: copy them in
                    v[...] = 0.0 if p.grad is None else p.grad
                    p.grad = v
            if not m:
                self.buf[:P] = 0.0
            scale = m / self.n_global
            self.buf[:P] *= scale
            ctl = self.buf[self.buf.size - _CONTROL :]
            ctl[:] = 0.0
            part = loss * scale
            ctl[_LOSS_HI] = part
            ctl[_LOSS_LO] = part - float(ctl[_LOSS_HI])  # the rest float32 rounded off
            ctl = self._collective(step=True)
            for p, g in zip(self.params, given):
                if not g:  # (no rank's loss reached it: no gradient, as in one process)
                    p.grad = None
            total = float(ctl[_LOSS_HI]) + float(ctl[_LOSS_LO])
            return total + (add_l2(weights, l2, self.n_global) if l2 else 0.0)

        return global_step

    def same_seeds(self, seed: Callable[[int], Any]) -> Callable[[int], Any]:
        """``seed``, a function of the epoch, whose value each epoch (an int or a Generator,
        by its state) every rank checks against rank 0's: ranks with other batch orders
        would sum the gradients of other rows, some twice and some never, in silence."""

        def checked(epoch: int) -> Any:
            value = seed(epoch)
            state = getattr(getattr(value, "bit_generator", None), "state", value)
            mine = _fingerprint(state)
            ctl = self.buf[self.buf.size - _CONTROL :]
            ctl[:] = 0.0
            if self.root:
                ctl[_HI], ctl[_LO] = divmod(mine, _B24)
            ctl = self._collective(kind=_SEED)
            if int(ctl[_HI]) * _B24 + int(ctl[_LO]) != mine:
                raise ValueError(
                    f"fit(distributed='mpi'): seed({epoch}) gave rank {self.rank} another "
                    f"seed than rank 0 ({value!r:.60}): every rank must draw the same batches. "
                    "Make the seed a function of the epoch alone, e.g. lambda epoch: "
                    "np.random.default_rng([1234, epoch])."
                )
            return value

        return checked

    def agree(self, state: Any) -> None:
        """Make rank 0's stop decision (its callbacks and rules) every rank's, and, when
        training goes on, check that every rank's learning rates are still rank 0's: a
        callback that changes them runs on rank 0 alone, and the ranks would go on with
        other rates (other weights) silently."""
        ctl = self.buf[self.buf.size - _CONTROL :]
        ctl[:] = 0.0
        lrs = [float(g["lr"]) for g in getattr(state.optimizer, "param_groups", ())]
        mine = _fingerprint(lrs)
        if self.root:
            ctl[_STOP] = float(state.stop)
            ctl[_HI], ctl[_LO] = divmod(mine, _B24)
        ctl = self._collective(kind=_EPOCH)
        state.stop = bool(ctl[_STOP] > 0)
        if state.stop and not state.stop_reason:
            state.stop_reason = "callback"
        if not state.stop and int(ctl[_HI]) * _B24 + int(ctl[_LO]) != mine:
            raise ValueError(
                f"fit(distributed='mpi'): after epoch {state.epoch} rank {self.rank}'s "
                f"learning rates {lrs} are not rank 0's: a callback changed them on rank 0 "
                "only (on_train_begin and on_epoch_end run on rank 0 alone). Change the "
                "learning rate with fit(schedule=...), which every rank steps, or in "
                "on_step_end, which runs on every rank."
            )


def run(fit: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
    """``fit(**kwargs)`` with ``kwargs["distributed"]`` (``"mpi"`` or a communicator) made a
    :class:`DataParallel`: a missing seed drawn on rank 0 and sent to all, and every rank's
    failure reported to every rank."""
    dp = DataParallel(kwargs["distributed"])
    dp.settings = {k: kwargs.get(k) for k in _SETTINGS}
    if dp.settings["n_iter_no_change"] is None:  # (fit's default: one rank may pass it)
        dp.settings["n_iter_no_change"] = 10
    if not isinstance(kwargs.get("optimizer"), str):  # lr is the optimizer's own (checked)
        dp.settings["lr"] = None
    dp.settings["validation_data"] = _summary(_as_fit_reads(kwargs))
    seed = kwargs.get("seed")
    X, y = kwargs.get("X"), kwargs.get("y")
    # a stream (fit's X then its first chunk): a Stream, a path (y a column's name), memmaps,
    # chunks (y None); its shuffle buffer is a Stream's, else that of the streams fit makes
    dp.source = {
        "stream": y is None or isinstance(y, str) or isinstance(X, np.memmap),
        "buffer_size": getattr(X, "buffer_size", _BUFFER),
        "batch_size": kwargs.get("batch_size"),
        "shuffle": kwargs.get("shuffle", True),
        "seed": seed,
    }
    try:
        if seed is None:
            entropy = np.random.SeedSequence().entropy if dp.root else 0
            seed = dp.broadcast_int(int(entropy) % (1 << 48))  # type: ignore[arg-type]
        elif callable(seed):  # each epoch's seed compared with rank 0's, as it is drawn
            seed = dp.same_seeds(seed)
        history = fit(**{**kwargs, "seed": seed, "distributed": dp})
    except BaseException as e:
        dp.fail(e)
        with contextlib.suppress(AttributeError):  # (every rank raises it, or its report)
            e._glassnet_every_rank = True  # type: ignore[union-attr]
        raise
    dp.finish()
    return history


def checks_of(
    X: Any, y: Any, w: Any, rng: Any, optimizer: Any, source: dict[str, Any] | None = None
) -> dict[str, tuple[Any, Any]]:
    """What every rank must agree on, cheaply, by name (:data:`_DATA`): ``(compared, shown)``,
    what is compared by checksum (:data:`_ANY`: not known here, agreeing with any value) and
    how it reads in an error (this rank's value: a text, or a function giving it, called only
    on a mismatch). The data's shapes and dtype and its first and last rows, the shuffling
    generator's state and the optimizer's (its lr, other settings and state). ``source``, for
    a stream (``X`` its first chunk): ``stream`` (True), ``rows`` (its rows, None where not
    known), ``rows_at_most`` (a bound on them, where only that is known), ``buffer_size``,
    ``batch_size`` and ``shuffle``: its rows where known and its
    first row are compared, not its chunks (the stream is re-cut into batches: the same rows
    in other chunks give the same batches), and its shuffle buffer in whole batches, unless
    the buffer holds every whole batch of its rows: then it shuffles all rows at once, as
    arrays in memory do; and ``seed``, the seed given to fit, as the error shows it."""
    source = source or {}
    streamed = bool(source.get("stream"))
    out: dict[str, tuple[Any, Any]] = {}
    shape = tuple(X.shape)
    n = source.get("rows") if streamed else shape[0]
    n = n if isinstance(n, (int, np.integer)) and not isinstance(n, bool) else None
    out["rows"] = (_ANY, "") if n is None else (int(n), f"{n} rows")
    out["columns"] = (shape[1:], lambda: _columns_said(shape))
    out["dtype"] = (str(X.dtype), str(X.dtype))
    out["targets"] = (y.shape[1:], lambda: f"{('rows', *y.shape[1:])}".replace("'", ""))
    out["weights"] = (w is None, "None" if w is None else "given")
    last: list[Any] = []
    for key, a, name in (("X rows", X, "X"), ("y rows", y, "y"), ("w rows", w, "sample_weight")):
        some = a is not None and len(a)
        out[key] = ([np.asarray(a[:1])] if some else [], f"the first row of {name} differs")
        last.append(np.asarray(a[-1:]) if some else None)
    out["last rows"] = (
        _ANY if streamed else last,
        "the last rows of X, y or sample_weight differ (their last row each)",
    )  # fmt: skip
    seed = source.get("seed")
    out["seed"] = (None, "") if rng is None else (rng.bit_generator.state, f"seed={seed!r:.40}")
    lrs: list[Any] = []
    settings: list[Any] = []
    state: list[Any] = []
    sd = getattr(optimizer, "state_dict", None)
    sd = sd() if callable(sd) else None
    if isinstance(sd, dict):  # (a group's own "extra" holds objects of the user's: not compared)
        for g in sd.get("param_groups", ()) if isinstance(sd.get("param_groups"), list) else ():
            for k in sorted(g, key=str):
                v = g[k]
                if k == "lr":
                    lrs.append(v)
                elif k != "extra":
                    (state if isinstance(v, np.ndarray) else settings).append((str(k), v))
        state += [(str(k), v) for k, v in sd.items() if k != "param_groups"]
    out["lr of the optimizer"] = (
        lrs, lambda: f"{lrs[0]!r}" if len(set(map(repr, lrs))) == 1 else f"{lrs!r:.60}"
    )  # fmt: skip
    out["optimizer settings"] = (settings, lambda: _settings_said(settings))
    out["optimizer state"] = (list(_leaves(state)) if state else [], "")
    # the buffer: (its whole batches, whether it holds every row), equal if either is (arrays
    # hold all: -2; no shuffle: 0); a stream's rows unknown, only its whole batches tell
    out["buffer"] = ((0, False), "no shuffle (shuffle=False)")
    if source.get("shuffle", True) and streamed:
        bs, size = source.get("batch_size") or 1, source.get("buffer_size") or 1
        cap = max(size // bs, 1) * bs
        most = n if n is not None else source.get("rows_at_most")
        most = most if isinstance(most, (int, np.integer)) and not isinstance(most, bool) else None
        if most is not None and cap >= most // bs * bs:  # (Stream.batches: all rows at once)
            rows = f"{n} " if n is not None else ""
            out["buffer"] = ((cap, True), f"all {rows}rows of a stream (buffer_size={size})")
        else:
            of = (
                "" if n is not None
                else f" whose row count is unknown (at most {most})" if most is not None
                else " whose row count is unknown"
            )  # fmt: skip
            out["buffer"] = ((cap, False), f"{cap} rows of a stream{of} (buffer_size={size})")
    elif source.get("shuffle", True):
        out["buffer"] = ((-2, True), f"all {n} rows (arrays in memory)")
    return out


def _columns_said(shape: tuple[int, ...]) -> str:
    """X's shape past its rows, as :func:`checks_of` shows it."""
    if len(shape) == 2:
        return f"{shape[1]} feature column{'s' * (shape[1] != 1)}"
    return f"shape {('rows', *shape[1:])}"


def _settings_said(settings: list[Any]) -> str:
    """The optimizer's settings but its type, as :func:`checks_of` shows them."""
    said = ", ".join(f"{k}={v!r:.20}" for k, v in settings if k != "type")
    return f"{said:.100}"


def _shown(key: str, shown: Any) -> str:
    """An item's text as an error shows it (:func:`checks_of`; a setting of fit: k=v)."""
    if key in _SETTINGS:
        k, v = shown
        return f"{k}={v!r:.60}" if k != "validation_data" else ""
    return shown() if callable(shown) else shown


# how an item of checks_of that differs is said: with this rank's value and rank 0's (mine,
# theirs), and without them where they read alike
_SAID = {
    "rows": ("X's rows differ", "X has {mine} on rank {r}, {theirs} on rank 0"),
    "columns": ("X's shape differs", "X has {mine} on rank {r}, {theirs} on rank 0"),
    "dtype": ("X's dtype differs", "X is {mine} on rank {r}, {theirs} on rank 0"),
    "targets": ("y's shape differs", "y has shape {mine} on rank {r}, {theirs} on rank 0"),
    "weights": ("sample_weight differs", "sample_weight is {mine} on rank {r}, {theirs} on rank 0"),
    "X rows": ("{mine}", "{mine}"),
    "y rows": ("{mine}", "{mine}"),
    "w rows": ("{mine}", "{mine}"),
    "last rows": ("{mine}", "{mine}"),
    "seed": (
        "the shuffling generator's state differs (fit's seed: a Generator in another state?)",
        "{mine} on rank {r}, {theirs} on rank 0 (fit's seed; the command line's --seed)",
    ),
    "lr of the optimizer": (
        "the optimizer's learning rates differ",
        "the optimizer's lr is {mine} on rank {r}, {theirs} on rank 0",
    ),  # fmt: skip
    "optimizer settings": (
        "the optimizer's settings differ",
        "the optimizer's settings differ: {mine} on rank {r}, {theirs} on rank 0",
    ),
    "optimizer state": (
        "the optimizer's state (its step count and moments) differs (resume: load the same "
        "checkpoint on every rank)",
        "",
    ),  # fmt: skip
    "buffer": (
        "the shuffle differs",
        "the shuffle buffer holds {mine} on rank {r}, {theirs} on rank 0 (a stream's "
        "buffer_size, the command line's --buffer-size, counts in whole batches; a buffer "
        "smaller than the stream's rows draws other rows into each global batch than another "
        "buffer, or than arrays in memory: give every rank the same buffer_size, the same kind "
        "of data)",
    ),
}
_UNKNOWN = (
    "the shuffle buffer holds {mine} on rank {r}, {theirs} on rank 0: where a stream's row "
    "count is unknown (chunks, a generator, a Stream of your own), whether its buffer holds "
    "every row cannot be told, and buffers of another buffer_size (the command line's "
    "--buffer-size), or arrays beside it, may draw other rows into each global batch. Give "
    "every rank the same kind of data and the same buffer_size, or a stream that knows its "
    "rows (stream.from_arrays, stream.from_csv, a memmap)"
)
_KIND_OF = {"seed": "shuffling seed", "lr of the optimizer": "optimizer",
            "optimizer settings": "optimizer", "optimizer state": "optimizer"}  # fmt: skip


def _said(key: str, rank: int, mine: str, theirs: str) -> str:
    """The item ``key`` of :func:`checks_of` that differs, in words (:data:`_SAID`)."""
    plain, valued = _SAID[key]
    text = valued if valued and mine != theirs else plain
    if key == "buffer" and "unknown" in mine + theirs:  # (cannot be told: said so)
        text = _UNKNOWN
    return text.format(mine=mine, theirs=theirs, r=rank)


def _mismatch(
    rank: int, differ: list[str], mine: dict[str, str], root: dict[str, str],
    layers: list[str], shapes: list[Any],
) -> str:  # fmt: skip
    """The error of a rank whose items ``differ`` from rank 0's (their summaries: ``mine``
    and rank 0's ``root``): the model, then fit's settings, then the data, seed and optimizer,
    each item with both values where they are short."""
    told: list[str] = []
    cols = "columns" in differ
    if "model" in differ:
        lead = f"{_said('columns', rank, mine['columns'], root['columns'])}, so " if cols else ""
        told.append(
            f"{lead}rank {rank}'s model differs from rank 0's (rank 0's has {root['model']} "
            f"parameter values, this rank's {mine['model']}: layers {layers}, parameters "
            f"(shape, dtype) {shapes}). Every rank must build the same model: the same layer "
            "sizes, activations and dtype"
            + (
                ", from data of the same columns (on the command line: the same data file)."
                if cols
                else "."
            )  # fmt: skip
        )
    valued = [k for k in differ if k in _SETTINGS and k != "validation_data"]
    if valued or "validation_data" in differ:
        said = []
        if valued:
            ours = ", ".join(mine[k] for k in valued)
            said.append(f"{ours} on rank {rank}, where rank 0 has "
                        + ", ".join(root[k] for k in valued))  # fmt: skip
        if "validation_data" in differ:
            said.append("validation_data (its shapes, dtypes, first or last rows) differs from "
                        "rank 0's")  # fmt: skip
        told.append(
            f"rank {rank} called fit with other settings than rank 0: {'; '.join(said)}. Every "
            "rank must call fit with the same arguments (only callbacks, verbose, device and "
            "threads may differ)"
            + (
                "; every rank validates on all of validation_data, and each rank's early "
                "stopping puts back the weights of its own best epoch: give every rank "
                "the same rows, not a part of them each."
                if "validation_data" in differ
                else "."
            )
        )
    # what follows from an item said, left out (another model: its optimizer state; other
    # columns: X's rows; another row count: the last rows and the buffer; an lr or optimizer
    # given to fit: its own; other optimizer settings or lr: its state; another batch_size or
    # shuffle: the buffer)
    also = {"columns", "optimizer state"} if "model" in differ else set()
    also |= {"X rows", "last rows"} if cols else set()
    also |= {"last rows", "buffer"} if "rows" in differ else set()
    also |= {"w rows", "last rows"} if "weights" in differ else set()
    also |= {"lr of the optimizer", "optimizer state"} if "lr" in differ else set()
    also |= {"lr of the optimizer", "optimizer settings", "optimizer state"} if (
        "optimizer" in differ
    ) else set()  # fmt: skip
    also |= {"optimizer state"} if {"lr of the optimizer", "optimizer settings"} & set(
        differ
    ) else set()  # fmt: skip
    also |= {"buffer"} if {"batch_size", "shuffle"} & set(differ) else set()
    data = [k for k in differ if k in _DATA and k not in also]
    if data:
        kinds = list(dict.fromkeys(_KIND_OF.get(k, "training data") for k in data))
        verb = "differs" if len(kinds) == 1 else "differ"
        told.append(
            f"rank {rank}'s {' and '.join(kinds)} {verb} from rank 0's: "
            + "; ".join(_said(k, rank, mine[k], root[k]) for k in data)
            + ". Every rank must call fit with the same X, y, sample_weight and seed, and the "
            "same optimizer ("
            + (
                "resume: load the same checkpoint on every rank; "
                if "optimizer state" in data
                else ""
            )  # fmt: skip
            + "on the command line: the same data file and options, --seed and --test-split "
            "choosing the training rows)."
            + (
                " The ranks compare the data's shapes and dtype, the first and last rows of X, "
                "y and sample_weight (a stream's first row, and its shuffle buffer), the "
                "shuffling generator's state and the optimizer's; the rows in between are not "
                "compared (ranks whose data differ only there train on a mix of their rows)."
                if {"X rows", "y rows", "w rows", "last rows"} & set(data)
                else ""
            )
        )
    told[1:] = [t[:1].upper() + t[1:] for t in told[1:]]  # (each sentence after the first)
    return "fit(distributed='mpi'): " + " ".join(told)


def _as_fit_reads(kwargs: dict[str, Any]) -> Any:
    """fit's ``validation_data`` as fit converts it (the features in the model's dtype, the
    targets as the loss takes them), so that ranks compare it as they compare the training
    data: the same values given as int32 on one rank and int64 on another are the same
    validation set. What fit refuses stays as given (fit names the error on every rank)."""
    given = kwargs.get("validation_data")
    if given is None:
        return None
    from . import tasks

    loss = kwargs.get("loss")
    try:
        spec = tasks.loss_spec(loss)
        with warnings.catch_warnings():  # (fit warns of them itself)
            warnings.simplefilter("ignore")
            return tasks.check_data(
                kwargs["model"], spec, *tasks.validation_parts(given), "fit",
                tasks.VALIDATION_NAMES, labels=spec is None and tasks.takes_labels(loss),
            )  # fmt: skip
    except Exception:
        return given


def _summary(data: Any) -> Any:
    """What every rank compares of its ``validation_data``, cheaply: each part's shape, dtype
    and first and last rows, as ``checks_of`` compares the training data (None stays None;
    what fit will refuse gives its type, so that the refusal comes from fit, on every rank)."""
    if data is None:
        return None
    try:
        parts: list[Any] = []
        for a in data:
            a = np.asarray(a) if a is not None else None
            parts += [None] if a is None else [a.shape, str(a.dtype)]
            if a is not None and a.ndim and len(a):
                parts += [a[:1], a[-1:]]
        return _fingerprint(*parts)
    except Exception:  # (not rows: fit names the error inside the collectives)
        return type(data).__name__


def _comparable(value: Any) -> Any:
    """A setting of fit as a value whose repr is the same on every rank that passed the
    same: numbers as floats, a loss function by its name, an optimizer by its type (its
    state is compared by checks_of), a schedule by its type and state."""
    if value is None or isinstance(value, (str, bool, np.bool_)):
        return value if not isinstance(value, np.bool_) else bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    state = getattr(value, "state_dict", None)
    if hasattr(value, "epoch_end") and callable(state):  # a learning-rate schedule
        return (type(value).__name__, *_leaves(state()))
    name = getattr(value, "name", None)  # a glassnet.functional Loss
    if isinstance(name, str):
        return (type(value).__name__, name)
    return getattr(value, "__qualname__", type(value).__name__)


def _leaves(obj: Any) -> Any:
    """The arrays and scalars inside nested dicts and lists, in a fixed order."""
    if isinstance(obj, dict):
        for k in sorted(obj, key=str):
            yield str(k)
            yield from _leaves(obj[k])
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _leaves(v)
    else:
        yield obj


# ------------------------------------------------------------ a rank's program ending
# Under mpiexec -n N (N > 1), after install() or a distributed fit, a rank that ends its
# program, by an uncaught error (the excepthook) or otherwise (atexit: sys.exit(), the end of
# the script), joins the other ranks in one collective of the kind and size that fit's
# first collectives have, with its "has ended" count (and error count) set. Ranks in fit
# raise DistributedError naming it; ranks that end too find that every rank has ended.
_HOOKED: list[Any] = []  # the excepthook before ours, once ours is set
_TRACKED: list[Any] = []  # the communicators of this rank's distributed fits, first used first
_BROKEN: list[tuple[Any, str, int]] = []  # those a rank has left: what the others were told,
# and the (first) rank that left
_GONE: list[bool] = []  # this rank has told the others that it ends its program
_ASKED: list[bool] = []  # install() was called: COMM_WORLD too, MPI started if need be
_PID: list[int] = []  # the process that installed the hooks (a forked child inherits them)
_MET: list[Any] = []  # the communicators of which every rank has the hooks (a collective of a
# distributed fit ran there): a rank ending without an error waits for them without limit
_WATCHED: list[Any] = []  # the key of MPI.COMM_SELF's attribute whose deletion (the start of
# MPI_Finalize, when the script calls it itself) tells the others that this rank ends
_ANSWER_WITHIN = 10.0  # seconds a failing rank waits for the others before MPI_Abort


def rank_process() -> bool:
    """Whether this process is one of N > 1 ranks that mpiexec started, not a process one
    of them started (multiprocessing's or joblib's workers inherit its environment)."""
    if launched()[1] < 2:
        return False
    fd = os.environ.get("PMI_FD", "")
    if fd.isdigit():  # (MPICH's: the rank's socket to its launcher, not a child's)
        try:
            if not stat.S_ISSOCK(os.fstat(int(fd)).st_mode):
                return False
        except OSError:
            return False
    if os.environ.setdefault("GLASSNET_MPI_RANK_PID", str(os.getpid())) != str(os.getpid()):
        return False
    import multiprocessing

    return multiprocessing.parent_process() is None


def install() -> None:
    """Under ``mpiexec -n N`` (N > 1): from now on, this rank's program ending on its own
    (an uncaught error, such as its data file missing before its first fit; ``sys.exit()``;
    the end of its script) tells the other ranks, whose ``fit(distributed="mpi")`` then
    raises :class:`DistributedError` naming it instead of waiting for ever. Call it at the
    top of a script whose every rank trains with ``fit(distributed="mpi")``; the command
    line's ``train`` calls it. (A distributed fit installs the same hooks for the
    communicators it used, from its start on.) Outside ``mpiexec``, and in processes a rank
    starts, it does nothing. Not for a script whose ranks do other MPI work of their own
    (a master and its workers): a rank ending there would wait, up to 10 s, for others
    that never join (MPICH then warns at MPI_Finalize of the request left pending). (A
    distributed fit, without it, installs the same for the communicators it used, from its
    start on; ``install()`` adds ``MPI.COMM_WORLD`` and the time before the first fit.)"""
    if not rank_process():
        return
    if not _ASKED:
        _ASKED.append(True)
    _install()
    MPI = sys.modules.get("mpi4py.MPI")
    if MPI is not None:  # (MPI not started yet: the first distributed fit does this)
        with contextlib.suppress(Exception):
            if MPI.Is_initialized() and not MPI.Is_finalized():
                _watch_finalize(MPI)


def _install() -> None:
    """Make an uncaught exception and the end of this process tell the other ranks."""
    if _HOOKED:
        return
    _PID.append(os.getpid())
    _HOOKED.append(sys.excepthook)
    sys.excepthook = _hook
    # (Python's atexit functions run before mpi4py's MPI_Finalize, whenever it was imported)
    atexit.register(_at_exit)


def _watch_finalize(MPI: Any) -> None:
    """A script that calls ``MPI.Finalize()`` itself ends this rank's MPI before its end:
    tell the other ranks then (MPI_Finalize deletes ``MPI.COMM_SELF``'s attributes first,
    while MPI still works), as the end of the program would. Without it they waited for this
    rank's last collective until their limit, and MPICH warned of the request left pending.
    (At the end of the program, mpi4py's own MPI_Finalize comes after :func:`_at_exit`.)"""
    if _WATCHED:
        return

    def finalizing(comm: Any, key: int, value: Any) -> None:
        with contextlib.suppress(BaseException):  # (an error must not fail MPI_Finalize)
            _at_exit()

    key = MPI.Comm.Create_keyval(delete_fn=finalizing)
    MPI.COMM_SELF.Set_attr(key, True)
    _WATCHED.append(key)


def _text(error: BaseException) -> str:
    """``error`` as the other ranks read it: its type and message, then its traceback."""
    text = "".join(traceback.format_exception(error)).rstrip()
    return f"{type(error).__name__}: {error}\n{text}"


def _told(left: list[int], size: int) -> str:
    who = f"rank {left[0]} of {size} has" if len(left) == 1 else f"ranks {left} of {size} have"
    return (
        f"distributed training stopped: {who} ended its program (sys.exit(), the end of the "
        "script, or an uncaught error) while this rank called fit(distributed='mpi'), which "
        "needs every rank: every rank must call fit alike, as many times (a script that ends "
        "early must end on every rank)."
    )


def _heard(comm: Any, got: list[tuple[str | None, bool]]) -> bool:
    """What a rank learns from every rank's (error, has ended its program) ``got``: a
    communicator that a rank has left is not used again (its collectives would never come).
    Returns whether this rank keeps quiet about it: every rank failed with the same error
    (rank 0 reports it), or another rank reports it."""
    rank = comm.Get_rank()
    left = [r for r, (_, gone) in enumerate(got) if gone]
    staying = [r for r, (_, gone) in enumerate(got) if not gone]
    if left and staying:
        _BROKEN.append((comm, _told(left, len(got)), left[0]))
    heads = {t.splitlines()[0] for t, _ in got if t is not None}
    if all(t is not None for t, _ in got) and len(heads) == 1:
        return rank != 0
    reporters = [r for r, (t, gone) in enumerate(got) if t is None and not gone]
    return rank in reporters and rank != reporters[0]  # (a failing rank reports its own)


# A rank's last collective carries in the checks' slots (unused there: a rank in a fit that
# meets it learns the rest with an allgather) what the ranks need when every rank ends, so that
# no second, blocking collective follows (a rank that gave up waiting may have gone): two
# 20-bit hashes of a failing rank's error's first line, each summed and summed squared (their
# sums are exact up to 8192 ranks; every failing rank has the same hash when
# count * sum of squares == sum squared), then which ranks fail, one bit a rank (52 a slot)
_HASHES, _BITS, _FAILED = 2, 20, 4
_MOST_ALIKE = 1 << 13  # (more ranks: their sums of squares may be inexact)


def _hashes(error: str) -> list[int]:
    """The hashes of ``error``'s first line, as :func:`_post` sums them."""
    head = int.from_bytes(hashlib.blake2b(error.splitlines()[0].encode(), digest_size=8).digest())
    return [(head >> (_BITS * i)) & ((1 << _BITS) - 1) for i in range(_HASHES)]


def _post(MPI: Any, comm: Any, error: str | None) -> tuple[np.ndarray, Any]:
    """Post this rank's last collective on ``comm``: its buffer and request."""
    buf = np.zeros(_CHECKS + _CONTROL, np.float64)
    ctl = buf[_CHECKS:]
    ctl[_EXIT] = 1.0
    ctl[_ERROR] = 0.0 if error is None else 1.0
    if error is not None:
        for i, h in enumerate(_hashes(error)):
            buf[2 * i], buf[2 * i + 1] = h, h * h
        slot, bit = divmod(comm.Get_rank(), 52)
        if _FAILED + slot < _CHECKS:
            buf[_FAILED + slot] = float(1 << bit)
    if comm.Get_rank() == 0:
        ctl[_KIND] = _GONE_KIND
    return buf, comm.Iallreduce(MPI.IN_PLACE, buf, op=MPI.SUM)


def _gathered(comm: Any, buf: np.ndarray, error: str | None) -> list[tuple[str | None, bool]]:
    """Every rank's (error, has ended), once this rank's last collective on ``comm`` ran and
    some rank stays (in a fit, which learns the errors with this allgather)."""
    return comm.allgather((error, True))


def _all_ended(comm: Any, buf: np.ndarray, error: str | None, told: float) -> bool:
    """Whether this rank keeps quiet about ``error`` once its last collective on ``comm``
    ran and every rank ends: with no blocking collective (a rank may have gone on to
    MPI_Finalize, or given up waiting and gone), from the sums :func:`_post` put in. When
    every failing rank failed with the same first line, the lowest of them reports it (rank 0
    when every rank failed alike), or none when ``told``: a rank gave up waiting for the others
    and reported it (:func:`_post_told`); failing ranks that differ each report their own."""
    if error is None:
        return False
    count = int(buf[_CHECKS + _ERROR])
    alike = comm.Get_size() <= _MOST_ALIKE and all(
        count * int(buf[2 * i + 1]) == int(buf[2 * i]) ** 2 for i in range(_HASHES)
    )
    if not alike:
        return False
    if told > 0:
        return True
    for slot in range(_CHECKS - _FAILED):
        bits = int(buf[_FAILED + slot])
        if bits:  # the lowest failing rank
            return comm.Get_rank() != 52 * slot + (bits & -bits).bit_length() - 1
    return False  # (the failing ranks are past the slots: each reports its own)


def _part(error: str | None, wait: float | None) -> bool | None:
    """This rank ends its program (with ``error``, as text, or None): tell the ranks of the
    communicators of its distributed fits and ``MPI.COMM_WORLD`` (starting MPI here if
    nothing did: a rank waiting in its first fit waits for this rank in ``MPI_Init``).
    Returns whether to keep quiet about ``error`` (another rank reports it); None when the
    other ranks did not answer within ``wait`` seconds.

    The collectives are posted on every communicator at once (another rank may hold them in
    another order) and each is finished as it completes. A rank ending without an error
    waits without limit on a communicator of which every rank has glassnet's hooks (a
    distributed fit ran there: each joins when its program ends, however late, or when it
    calls ``MPI.Finalize()``), as MPICH's MPI_Finalize itself waits for every rank; on the
    others (``MPI.COMM_WORLD`` after :func:`install` without a fit on it) at most ``wait``
    seconds. A failing rank waits at most ``wait`` seconds everywhere (the others may be
    blocked in the script's own collectives: the caller then ends the job). It waits without
    spinning a core (as MPI_Finalize does): a rank done early must not slow the others."""
    if _GONE or _PID != [os.getpid()]:  # (a forked child of the rank is not the rank)
        return False
    if not _ASKED and "mpi4py.MPI" not in sys.modules:  # (MPI not started: no fit of ours)
        return False
    try:
        from mpi4py import MPI

        if not MPI.Is_initialized() or MPI.Is_finalized():
            return False
        world = MPI.COMM_WORLD
        comms = [c for c in _TRACKED if c != MPI.COMM_NULL]
        if _ASKED and not any(c == world for c in comms):
            comms.append(world)
        comms = [c for c in comms if c.Get_size() > 1 and not any(c == b for b, _, _ in _BROKEN)]
    except Exception:  # (mpi4py missing, or its MPI library failing to load or start)
        return False
    _GONE.append(True)
    posted = [_post(MPI, comm, error) for comm in comms]
    sure = [error is None and any(c == comm for c in _MET) for comm in comms]
    heard: dict[int, bool] = {}
    ended: dict[int, tuple[np.ndarray, Any]] = {}  # every rank ended: the second collective
    late = False  # a communicator whose other ranks did not answer within ``wait``
    pending = list(range(len(comms)))
    end = None if wait is None else time.monotonic() + wait
    while pending:
        for i in list(pending):
            comm, (buf, request) = comms[i], posted[i]
            if not request.Test():
                continue
            pending.remove(i)
            if buf[_CHECKS + _EXIT] == comm.Get_size():
                ended[i] = _post_told(MPI, comm, False)
                continue
            got = _gathered(comm, buf, error)
            heard[i] = _heard(comm, got)
            staying = [r for r, (_, gone) in enumerate(got) if not gone]
            if error is None and staying:
                sys.stderr.write(
                    f"glassnet: rank {comm.Get_rank()} of {comm.Get_size()} has ended its "
                    f"program while rank(s) {staying} called fit(distributed='mpi'): they stop "
                    "with DistributedError\n"
                )
        if end is not None and time.monotonic() > end and any(not sure[i] for i in pending):
            told = [  # (the ranks that end later learn that this one gave up)
                _post_told(MPI, comms[i], error is not None)[1] for i in pending if not sure[i]
            ]
            _progress(told)
            if error is not None:
                return None
            late = True
            pending = [i for i in pending if sure[i]]
        if pending:
            time.sleep(0.005)
    if error is None:  # (its sum only tells a failing rank whether to print its error)
        _progress([request for _, request in ended.values()])
        heard.update(dict.fromkeys(ended, False))
        ended = {}
    for i, told in _waited(ended, wait).items():
        heard[i] = _all_ended(comms[i], posted[i][0], error, told)
    if late:
        return None
    return heard[len(comms) - 1] if comms else False


def _post_told(MPI: Any, comm: Any, told: bool) -> tuple[np.ndarray, Any]:
    """Post the collective that follows a rank's last one on ``comm`` when every rank ends
    there, or when this rank gave up waiting for it (``told``: and reports its error). It
    tells the ranks ending later that a rank gave up and printed its error, so that they
    print an error it shares with them no more."""
    buf = np.array([1.0 if told else 0.0])
    return buf, comm.Iallreduce(MPI.IN_PLACE, buf, op=MPI.SUM)


def _progress(requests: list[Any], within: float = 0.1) -> None:
    """Drive ``requests`` (:func:`_post_told`'s, of a rank giving up) for ``within`` seconds:
    MPI sends this rank's part of a nonblocking collective as it progresses, so that the
    ranks ending later complete it without this rank, gone to MPI_Finalize."""
    end = time.monotonic() + within
    while time.monotonic() < end:
        for request in requests:
            request.Test()
        time.sleep(0.002)


def _waited(posted: dict[int, tuple[np.ndarray, Any]], wait: float | None) -> dict[int, float]:
    """The sums of :func:`_post_told`'s collectives ``posted``, by communicator, each as it
    completes (every rank posts it at once after the last one, or had before it gave up),
    for at most ``wait`` seconds (then 0: no rank known to have given up)."""
    got = dict.fromkeys(posted, 0.0)
    pending = list(posted)
    end = time.monotonic() + (_ANSWER_WITHIN if wait is None else wait)
    while pending:
        for i in list(pending):
            buf, request = posted[i]
            if request.Test():
                pending.remove(i)
                got[i] = float(buf[0])
        if pending:
            if time.monotonic() > end:
                break
            time.sleep(0.002)
    return got


def _from_fit(error: BaseException, mark: str = "_glassnet_every_rank") -> bool:
    """Whether ``error`` is (or was raised from) one that every rank of a fit raised (with
    ``mark``, "_glassnet_quiet": one that another rank reports)."""
    seen: BaseException | None = error
    while seen is not None:
        if getattr(seen, mark, False):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def end_rank(error: BaseException) -> str:
    """This rank's program ends with ``error`` (an uncaught exception does this by itself;
    a front door that catches its errors, such as the command line, calls it): tell the
    other ranks, as :func:`_part` does, and say what to do with ``error``: ``"report"``
    (print it), ``"quiet"`` (print nothing: every rank failed alike and rank 0 reports it,
    or another rank reports it) or ``"abort"`` (the other ranks did not answer within 10 s,
    busy elsewhere: print it, then end the job with ``MPI.COMM_WORLD.Abort``). An error
    raised from a distributed fit is known to every rank already: no collective. Outside
    ``mpiexec -n N`` (N > 1), ``"report"``."""
    if not isinstance(error, BaseException):  # (str(e) would reach the other ranks as ours)
        raise TypeError(
            f"end_rank: error must be the exception this rank's program ends with. Got "
            f"{error!r:.60} ({type(error).__name__}): pass the exception object itself, "
            "end_rank(e) in an 'except Exception as e:' block, not str(e)."
        )
    if not _HOOKED:
        return "report"
    if _from_fit(error):
        return "quiet" if _from_fit(error, "_glassnet_quiet") else "report"
    try:
        quiet = _part(_text(error), _ANSWER_WITHIN)
    except Exception as e:  # (an MPI error: the caller prints ``error`` itself)
        sys.stderr.write(f"glassnet: could not tell the other ranks of this error: {e}\n")
        return "report"
    return "abort" if quiet is None else "quiet" if quiet else "report"


def _hook(kind: Any, value: Any, tb: Any) -> None:
    """An uncaught exception of a rank (see :func:`end_rank`): printed unless another rank
    reports it; ``MPI_Abort`` when the other ranks do not answer, as ``python -m mpi4py``
    does."""
    if _PID != [os.getpid()]:  # a forked child of the rank: Python's own report
        _HOOKED[0](kind, value, tb)
        return
    told = end_rank(value) if isinstance(value, BaseException) else "report"
    if told == "quiet":
        return
    _HOOKED[0](kind, value, tb)
    if told == "abort":
        from mpi4py import MPI

        rank, size = MPI.COMM_WORLD.Get_rank(), MPI.COMM_WORLD.Get_size()
        sys.stderr.write(
            f"glassnet: rank {rank} of {size} ended with this error, and the other ranks "
            f"did not answer within {_ANSWER_WITHIN:g} s (busy outside glassnet's fit): "
            "ending every rank (MPI_Abort)\n"
        )
        sys.stderr.flush()
        MPI.COMM_WORLD.Abort(1)


def _at_exit() -> None:
    """The end of a rank's program (sys.exit(), the end of the script): tell the others,
    waiting for the ranks of a communicator it trained on as long as they take, for the
    others at most 10 s (a master that never imported glassnet never joins ``install()``'s
    ``MPI.COMM_WORLD``: this rank leaves quietly). Also called when the script calls
    ``MPI.Finalize()`` itself (:func:`_watch_finalize`)."""
    try:
        _part(None, _ANSWER_WITHIN)
    except Exception as e:  # (an MPI error)
        sys.stderr.write(f"glassnet: could not tell the other ranks that this rank ends: {e}\n")


def shards(batches: Iterator[tuple], dp: DataParallel | None) -> Iterator[tuple]:
    """fit's global batches ``(X, y, w)`` of a stream as ``(X, y, w, rows)``, cut to this
    rank's shard (whole without ``dp``)."""
    for xb, yb, wb in batches:
        m = xb.shape[0]
        lo, hi = (0, m) if dp is None else dp.shard(0, m)
        yield xb[lo:hi], yb[lo:hi], None if wb is None else wb[lo:hi], m
