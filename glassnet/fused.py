"""The fast path: the lecture's MLP, forward and backward on a whole batch, written once.

A network of ``Linear`` layers, each followed by an activation, computes per layer
``Z = A_prev @ W + b`` and ``A = g(Z)`` (shapes ``(N, neurons)``); backpropagation runs
the slides' three steps backwards:

    dL/dZ = dL/dA * g'(Z)        dL/dW = A_prevᵀ dL/dZ      dL/db = 1ᵀ dL/dZ
    dL/dA_prev = dL/dZ Wᵀ

Everything an activation or a loss *is* comes from :mod:`glassnet.functional`'s tables:
:class:`FastMLP` looks each layer's activation up in ``ACTIVATIONS`` (and its in-place
kernels in ``INPLACE``, which exist only while the table entry is the built-in one) and
the loss in ``LOSSES``. It adds only the engineering: preallocated buffers per batch
size, activations applied in place (each g'(z) is read from a = g(z)), and an output
activation fused with its cross-entropy (``dL/dz = y_hat - y``).

The same code, with ``record=`` given, is the see-through trace: every layer's Z, A,
g'(Z), dL/dA, dL/dZ, dL/dW and dL/db for a batch (``FastMLP.trace``, which
:mod:`glassnet.tracing` attaches), which ``explain``, ``viz``, ``diagnostics`` and
``summary`` read.

>>> import numpy as np
>>> from glassnet import nn
>>> from glassnet.fused import FastMLP, layers_of
>>> net = nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
>>> t = FastMLP(layers_of(net), "half_mse", dtype=np.float64).trace([[0.0, 1.0]], [[1.0]])
>>> [sorted(layer) for layer in t.layers][0]
['A', 'X', 'Z', 'dA', 'dW', 'dZ', 'db', 'gprime']
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import is_
from typing import TYPE_CHECKING, Any

import numpy as np

from . import functional as F
from ._validation import check_activation, check_chain, fused_message, takes
from .backend import kept, namespace
from .gradient import LONG_SUM, as_grad, axis_sum, bias_sum, loss_sum, plain
from .nn.flat import grad_view
from .nn.layers import ActivationModule, Dropout, Identity, Linear, Sequential
from .nn.module import Module, Parameter
from .tasks import builtin_forward, check_weights_set, on_output, own_forward

if TYPE_CHECKING:  # (trace and forward_layers, which glassnet.tracing and .many attach)
    from .declarations import FastMLPMethods
else:
    FastMLPMethods = object

# fmt: off
__all__ = ["Layer", "layers_of", "flatten", "FastMLP", "add_l2", "l2_value", "takes",
           "keep_finite"]
# fmt: on


@dataclass
class Layer:
    """One fully-connected layer and the activation after it: ``A = g(A_prev @ W + b)``."""

    linear: Linear
    act: str = "identity"
    alpha: float = 0.0  # leaky_relu slope

    @property
    def activation(self) -> F.Activation:
        return F.ACTIVATIONS[self.act]

    @property
    def W(self) -> np.ndarray:  # (inputs, neurons)
        return self.linear.W.data

    @property
    def b(self) -> np.ndarray | None:  # (neurons,)
        return None if self.linear.b is None else self.linear.b.data

    @property
    def inputs(self) -> int:
        return self.linear.inputs

    @property
    def neurons(self) -> int:
        return self.linear.neurons

    @property
    def kw(self) -> dict[str, float]:
        return {"alpha": self.alpha} if self.act == "leaky_relu" else {}


def flatten(model: Module) -> Iterator[Module]:
    """The modules of ``model`` in order, nested Sequentials opened up."""
    if isinstance(model, Sequential) and builtin_forward(model):  # (a forward of yours: kept)
        for m in model.layers:
            yield from flatten(m)
    else:
        yield model


def layers_of(model: Any, owner: str = "explain", training: bool = False) -> list[Layer]:
    """Describe ``model`` as [Linear + activation] layers, or raise a clear TypeError.

    Handles ``Linear``, ``Sequential``, ``MLP`` and ``Neuron`` (nested Sequentials are
    flattened); ``Identity`` is a no-op, and so is ``Dropout`` except while training.
    For training, a Linear layer may appear once only (shared weights need the graph).
    """
    if not isinstance(model, Module):
        raise TypeError(fused_message("module", owner=owner, got=type(model).__name__))
    check_weights_set(model, owner, unhooked=True, training=training)  # (it runs no hook)
    layers: list[Layer] = []
    read = (Linear, ActivationModule, Dropout, Sequential)  # (by their class: not called)
    for m in flatten(model):
        if isinstance(m, read) and not builtin_forward(m):  # (a forward of yours: the graph's)
            raise TypeError(own_forward(m, owner, m is model, training))
        if isinstance(m, Linear):
            layers.append(Layer(m))
        elif isinstance(m, Identity) or (isinstance(m, Dropout) and not (training and m.p > 0)):
            continue
        elif isinstance(m, ActivationModule):  # (after a Linear layer of its own)
            layers[-1].act, layers[-1].alpha = check_activation(m, owner, F.ACTIVATIONS, layers)
        else:
            raise TypeError(
                fused_message("kind", owner=owner, kind=type(m).__name__, whole=m is model)
            )
    check_chain(layers, owner, training, type(model).__name__)  # (Linear layers that chain)
    return layers


def add_l2(
    weights: list[Parameter], l2: Any, n: int, keep: dict | None = None, squares: Any = None
) -> Any:
    """Add the L2 penalty ``l2 / (2 n) * sum ||W||^2`` to the weights' ``.grad`` (its
    gradient ``l2 / n * W``) and return its value: scikit-learn's ``alpha`` per batch (one
    per network of a stack, where ``l2`` is (K, 1, 1)). The fast path passes its kept
    buffers (``keep``: nothing allocated) and one buffer per weight for ``squares``: each
    ||W||² goes there and nothing is read back (the value is :func:`l2_value` of them)."""
    c = l2 / n  # a number, or one per network of a stack (K, 1, 1)
    for i, W in enumerate(weights):
        if W.grad is None:  # (frozen, or unused by the graph: no gradient to add to)
            continue
        tmp = kept(keep, f"l2.{i}", lambda W=W: np.empty_like(W.data))
        cw = c if np.ndim(c) == 0 else c.astype(W.dtype)
        g = plain(W.grad)
        np.add(g, np.multiply(W.data, cw, out=tmp), out=g)
    norms = [_squared_norm(W.data, None if squares is None else squares[i])
             for i, W in enumerate(weights)]  # fmt: skip
    return l2_value(l2, n, norms) if squares is None else None


def _squared_norm(W: Any, out: Any = None) -> Any:
    """||W||² (one per network of a stack (K, inputs, neurons))."""
    if W.ndim == 2:
        return np.matmul(W.reshape(-1), W.reshape(-1), out=out)
    v = W.reshape(W.shape[0], 1, -1)  # each network's dot product, as BLAS gives one network's
    sq = np.matmul(v, v.swapaxes(1, 2), out=None if out is None else out.reshape(-1, 1, 1))
    return sq.reshape(-1)


def l2_value(l2: Any, n: int, squares: Any) -> Any:
    """``l2 / (2 n) * sum ||W||^2`` from the ||W||² of each weight (host values)."""
    c, total = l2 / n, 0.0
    for s in squares:  # (a stack's network with l2 = 0 adds 0, as fit adds none: not 0 * inf)
        total += 0.5 * c * (float(s) if np.ndim(s) == 0 else np.where(c, s[:, None, None], 0))
    return total if np.ndim(total) == 0 else total.reshape(-1)


_GRADIENT_ONLY = {"value": False}  # a loss kernel's keyword: no value (a user's may not take it)
_GRAD, _DATA, _NONE = itertools.repeat("grad"), itertools.repeat("data"), itertools.repeat(None)


class FastMLP(FastMLPMethods):
    """Forward, loss and backward of ``layers`` with the loss ``loss``, replayed per batch.

    Parameters
    ----------
    layers : list of Layer (see :func:`layers_of`)
    loss : a name or alias from ``glassnet.functional.LOSSES``. A model whose output
        activation is the loss's ``head`` is trained on its logits with ``on_logits``.
    l2 : float
        The penalty of :func:`add_l2` on every weight matrix.
    dtype : the dtype of the buffers (default: the first layer's weights').

    **Many networks at once.** When every layer's ``W`` is a stack of K weight matrices
    (K, inputs, neurons) and its ``b`` a stack (K, 1, neurons), the same code trains K
    networks of one shape together (``np.matmul`` over the model axis; see
    :func:`glassnet.many.fit_many`): X is (N, inputs) shared or (K, N, inputs), targets
    (K, N, ...), and :meth:`step` returns the K losses.
    """

    def __init__(
        self, layers: list[Layer], loss: str, *, l2: float = 0.0, dtype: Any = None
    ) -> None:
        self.layers = layers
        self.spec = spec = F.get_loss(loss)
        head = bool(spec.head) and layers[-1].act == spec.head  # (replaced: on its output)
        self.fused = head and not F.replaced_entry(spec.head)
        self.loss = F.LOSSES[spec.on_logits] if self.fused else on_output(spec) if head else spec
        self.l2 = l2
        self.dtype = np.dtype(dtype or layers[0].linear.W.dtype)
        self.lead = layers[0].linear.W.shape[:-2]  # (K,) for a stack of networks, else ()
        # each layer's activation, resolved from the table now: in-place kernels where the
        # entry is a built-in one, else its fn and grad (keeping a copy of Z)
        self._acts = [F.ACTIVATIONS[lay.act] for lay in layers]
        if self.fused:  # (the head's own activation: in the loss on the logits)
            self._acts[-1] = F.ACTIVATIONS["identity"]
        self._kernels = [F.INPLACE.get((a.fn, a.grad)) for a in self._acts]
        self._bufs: dict[int, tuple[Any, ...]] = {}
        # the parameters the backward pass writes dL/dp into (W, b per layer, last layer
        # first), and the arrays it wrote into last: bound again when a .grad was rebound
        self._params = [p for lay in layers[::-1] for p in (lay.linear.W, lay.linear.b)]
        self._grads: list[Any] = [...] * len(self._params)
        self._datas, self._outs, self._plans = list(self._grads), [], {}  # (see bind)

    def _buffers(self, n: int) -> tuple[Any, ...]:
        """Per batch size n: each layer's (W, b, A, dL/dZ, scratch, alpha, fwd, gp); a vector
        of ones for dL/db;
        the loss kernel's buffers (``keep``); the step's outputs: one vector holding the
        per-entry losses, then each layer's ||W||² (per network of a stack), with those
        ||W||² as views; and the loss's plan: the output's and dL/d(out)'s rows as the
        kernel sees them, how many losses make one network's mean, and its reciprocal."""
        b = self._bufs.get(n)
        if b is None:
            per_layer, xp = [], namespace(self.layers[0].linear.W.data)  # NumPy, or CuPy
            for lay, k, (fwd, gp) in zip(self.layers, self._kernels, self.layer_fns()):
                s = (*self.lead, n, lay.neurons)
                A, D = xp.empty(s, self.dtype), xp.empty(s, self.dtype)
                # scratch: g'(z) work space, or a copy of Z for an activation without kernels
                # (identity's: none)
                t = self.dtype if k is None or k[2] == "f" else k[2]
                T = xp.empty(s if gp else 0, t)
                per_layer.append((lay.linear.W, lay.linear.b, A, D, T, lay.alpha, fwd, gp))
            nets, L = int(np.prod(self.lead)), len(self.layers)
            per = (nets * n,) + (() if self.loss.per_row else (per_layer[-1][2].shape[-1],))
            size = int(np.prod(per))
            out = xp.empty(size + nets * L, self.dtype)
            sq = [out[size + i * nets : size + (i + 1) * nets].reshape(self.lead) for i in range(L)]
            keep = {"per": out[:size].reshape(per)}  # where the kernel writes its losses
            o, G = (a.reshape(-1, a.shape[-1]) for a in per_layer[-1][2:4])  # (a stack's: K N rows)
            count = (o.shape[0] if self.loss.per_row else o.size) // nets  # one network's
            # 1 / count as a 0-d array of the buffers' dtype (NumPy): a ufunc takes it for less
            # than a Python float, which it casts to that dtype, to the same number (0 rows: a
            # forward pass only, as the graph's)
            scale = np.array(1 / max(count, 1), self.dtype) if xp is np else 1 / max(count, 1)
            # the table's kernels write into kept buffers; one a user put in the table may not
            loss = (o, G, (keep,) if takes(self.loss.kernel, "keep") else (), count, scale)
            b = self._bufs[n] = (per_layer, xp.ones(n, self.dtype), keep, out, sq, loss)
        return b

    def layer_fns(self) -> list[tuple[Any, Any]]:
        """Each layer's ``(fwd, gp)``: ``fwd(A, T, alpha)``: A <- g(Z) in place (Z kept in the
        scratch T where g' needs it); ``gp(D, A, T, alpha)``: D <- dL/dZ = D g'(Z); the
        in-place kernels, or the table entry's fn and grad (None, None: identity's)."""
        return [
            (None, None) if k is not None and act.name == "identity"
            else _unfused(act, lay.kw) if k is None else k[:2]
            for lay, act, k in zip(self.layers, self._acts, self._kernels)
        ]  # fmt: skip

    def outputs(self, n: int) -> Any:
        """The vector :meth:`run` leaves its outputs in for a batch of n rows: the per-entry
        losses (weighted), then each layer's ||W||² (with L2)."""
        return self._buffers(n)[3]

    def output(self, n: int) -> Any:
        """The output layer's buffer for a batch of n rows: after :meth:`run`, its values
        (the logits, when the head is fused with the loss)."""
        return self._buffers(n)[0][-1][2]

    def forward(self, X: np.ndarray, record: list[dict] | None = None) -> list[np.ndarray]:
        """Each layer's activation ``A = g(A_prev @ W + b)`` for the batch X (buffers reused
        by the next call). An output fused with its loss is left as logits."""
        self.bind(X, None, None, record)()
        return [t[2] for t in self._bufs[X.shape[-2]][0]]

    def run(
        self, X: Any, y: Any, w: Any = None, record: list[dict] | None = None, value: bool = True
    ) -> Any:
        """One forward + backward on a batch; dL/dparam goes into each parameter's ``.grad``
        (into ``record`` instead, when given). After the first batch of its size it
        allocates nothing and reads nothing back to the host: the per-entry losses (weighted
        by ``w`` of shape (n,)) and each ||W||² are left in :meth:`outputs` (what a step
        captured on a GPU replays, glassnet.capture). Returns the per-entry losses and how
        many of them make one network's mean. ``value=False`` leaves the losses out (None):
        the loss kernel computes the gradient only (glassnet.eager computes the values
        later, from the output layer's buffer). The step is :meth:`bind`'s, bound anew."""
        return self.bind(X, y, w, record, value)(), self._bufs[X.shape[-2]][-1][3]

    def bind(
        self, X: Any, y: Any, w: Any = None, record: list[dict] | None = None, value: bool = True
    ) -> Callable[[], Any]:
        """:meth:`run` on these arrays as a function of no arguments, every lookup made now:
        for steps on the same arrays (a full batch, a batch size's reused buffers:
        glassnet.eager), updated in place between them. It holds while no parameter's
        ``.data`` or ``.grad`` is rebound (an optimizer's prepared update rebinds none);
        :meth:`run` binds at every call, so it sees them. ``y=None``: the forward pass only."""
        n, params, lead = X.shape[-2], self._params, self.lead
        if not n and y is not None:  # (a mean over no rows, as the graph refuses)
            raise ValueError("FastMLP.run: the batch is empty (0 rows); a loss needs rows.")
        if not all(map(is_, map(getattr, params, _DATA, _NONE), self._datas)):  # (in C)
            self._datas, self._plans = [getattr(p, "data", None) for p in params], {}
        grads = self._grads  # (one look at every .grad: bound again where one changed)
        if record is None and y is not None and not all(map(is_, map(getattr, params, _GRAD,
                                                                     _NONE), grads)):  # fmt: skip
            grads[:] = [None if p is None else _grad_of(p) for p in params]
            self._outs, self._plans = [plain(g) for g in grads], {}  # (a Grad's plain view)
        step = self._plans.get((n, value, self.l2, self.loss)) or self._plan(n, value)
        XT = X.swapaxes(-1, -2) if lead else X.T
        yk = y.reshape(-1, *y.shape[2:]) if lead and y is not None else y  # (a stack: (K N,))
        wk = None if w is None else w.reshape(-1, 1)  # (a column)
        return functools.partial(step, X, XT, yk, wk, record)

    def _plan(self, n: int, value: bool) -> Callable[..., Any]:
        """The step on n rows (``value``: as :meth:`run`'s) as a function of (X, Xᵀ, y, w as a
        column, record) that returns the per-entry losses, with the parameters' arrays
        :meth:`bind` checked and the buffers of :meth:`_buffers` bound (kept per n until a
        ``.data`` or ``.grad`` is rebound)."""
        per_layer, ones, keep, _, sq, (o, Gk, args, _, scale) = self._buffers(n)
        L, lead, outs = len(per_layer), self.lead, self._outs or [None] * len(self._params)
        fwd = [(W.data, None if b is None else b.data, A, T, alpha, f)
               for W, b, A, _, T, alpha, f, _ in per_layer]  # fmt: skip
        # backward, last layer first: each layer's dL/dZ, where its dL/dW and dL/db go, W, Wᵀ,
        # and the layer below's Aᵀ (None: Xᵀ), A, dL/dZ, scratch, alpha, gp (or Nones)
        below = [(None,) * 6] + [(A.swapaxes(-1, -2), A, D, T, alpha, gp)
                                 for _, _, A, D, T, alpha, _, gp in per_layer[:-1]]  # fmt: skip
        bwd = [(i - L, G, gW, None if gb is None else gb[:, 0] if lead else gb, W.data,
                W.data.swapaxes(-1, -2), *below[i])
               for i, ((W, _, _, G, *_), gW, gb)
               in enumerate(zip(per_layer, outs[-2::-2], outs[::-2]))][::-1]  # fmt: skip
        _, _, out, G, T, alpha, _, gp = per_layer[-1]
        kernel, l2, Ws = self.loss.kernel, self.l2, [lay.linear.W for lay in self.layers]
        mm, add, mul, short = np.matmul, np.add, np.multiply, n <= LONG_SUM
        kw = {} if value else _GRADIENT_ONLY  # (the loss kernel's keywords)

        def step(X: Any, XT: Any, y: Any, w: Any, record: Any) -> Any:
            a = X  # 1) forward, keeping each layer's activation (g' is read from A)
            for Wd, bd, A, T_, alpha_, f in fwd:  # A <- g(a W + b)
                mm(a, Wd, A)
                if bd is not None:
                    add(A, bd, A)
                if record is not None:
                    record.append({"X": a, "Z": A.copy()})
                if f is not None:
                    f(A, T_, alpha_)  # (in place)
                a = A
            if y is None:
                return None
            # 2) the loss and dL/dZ of the output layer: the kernel writes dL/d(out) to G
            per = kernel(o, y, Gk, *(args if record is None else ()), **kw)
            if gp is not None:
                gp(G, out, T, alpha)
            if w is not None:
                if per is not None:
                    wp = w.reshape((-1,) + (1,) * (per.ndim - 1))
                    per = per * wp if record is not None else mul(per, wp, per)
                mul(Gk, w, Gk)
            if record is not None:
                record[-1]["per_sample"] = per  # (weighted, as the graph's reduction='none')
            mul(G, scale, G)  # 1 / count: the mean over per-sample (ce) or per-entry losses
            # 3) backward, last layer first: dL/dW = A_prevᵀ G, dL/db = 1ᵀ G, dL/dA_prev = G Wᵀ
            for i, G_, gW, gb, Wd, WT, aT, A, D, T_, alpha_, gp_ in bwd:
                aT = XT if aT is None else aT
                if record is None:
                    mm(aT, G_, gW)
                    if gb is not None:  # a matrix-vector product (BLAS): faster than a sum
                        mm(ones, G_, gb) if short else bias_sum(G_, ones, gb)  # (else float64)
                else:  # (W in the trace's dtype: a float32 layer traced in float64 rounds no term)
                    dW = aT @ G_ + l2 / n * Wd.astype(G_.dtype)
                    record[i].update(dZ=G_.copy(), dW=dW, db=axis_sum(G_, 0))
                if A is not None:  # the layer below: dL/dA, then dL/dZ = dL/dA g'(Z)
                    mm(G_, WT, D)
                    if record is not None:
                        record[i - 1]["dA"] = D.copy()
                    if gp_ is not None:
                        gp_(D, A, T_, alpha_)
            if l2 and record is None:  # 4) L2: (l2 / n) W into dL/dW, and ||W||²
                add_l2(Ws, l2, n, keep, sq)
            return per

        return self._plans.setdefault((n, value, l2, self.loss), step)  # (a new l2 or loss:
        # another plan)

    def step(self, X: Any, y: Any, w: Any = None, record: list[dict] | None = None) -> Any:
        """:meth:`run`, then the loss: the mean over the batch (weighted by ``w``), plus the
        L2 penalty (one loss per network of a stack)."""
        per, count = self.run(X, y, w, record)
        if self.lead:  # one loss per network of the stack
            loss = loss_sum(per.reshape(*self.lead, -1), axis=-1).astype(np.float64) / count
        else:
            loss = float(loss_sum(per)) / count
        sq = [_squared_norm(lay.W) for lay in self.layers] if record and self.l2 else None
        return loss + self.penalty(X.shape[-2], sq) if self.l2 else loss

    def penalty(self, n: int, sq: Any = None) -> Any:
        """The L2 penalty ``l2 / (2 n) sum ||W||²`` of the last :meth:`run` on n rows (from
        ``sq``, host copies of its ||W||², when given)."""
        return l2_value(self.l2, n, self._buffers(n)[4] if sq is None else sq)


def keep_finite(snapshot: Any) -> None:
    """fit's last finite weights: each (parameter, copy) pair's copy set to the
    parameter's values, when all of them are finite (fit's per-step loop and the eager
    loop call it every 64 steps)."""
    if snapshot and all(np.isfinite(p.data).all() for p, _ in snapshot):
        for p, keep in snapshot:
            np.copyto(keep, p.data)


def _unfused(act: Any, kw: dict) -> tuple[Callable[..., None], Callable[..., None]]:
    """``fwd(A, T, alpha)``: A <- g(Z), Z kept in the scratch buffer T; ``gp(D, A, T, alpha)``:
    D <- dL/dZ = D * g'(Z): for a layer whose activation has no in-place kernels, from the
    table's entry."""

    def fwd(A: Any, T: Any, alpha: float) -> None:
        np.copyto(T, A)  # keep Z for g'(Z)
        np.copyto(A, act.fn(T, **kw))

    return fwd, lambda D, A, T, alpha: np.copyto(D, act.backward(D, T, A, **kw))


def _grad_of(p: Parameter) -> np.ndarray:
    """``p.grad`` to write dL/dp into: its view of the optimizer's flat buffer when it has
    none (so the optimizer's update reads it there), else a new array."""
    g = p.grad
    if g is None or g.shape != p.data.shape:
        view = grad_view(p)
        g = p.grad = as_grad(np.zeros_like(p.data)) if view is None else view
    return g
