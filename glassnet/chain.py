"""A model written as PyTorch models are (an ``nn.Module`` whose ``forward`` calls its
``Linear`` layers and activations, as modules, functions or methods) read as the lecture's
chain of layers, so that :func:`glassnet.explain`, :func:`glassnet.viz.draw_network` and
:func:`glassnet.onnx.export` take it as they take a ``Sequential``/``MLP``.

How: the model runs forward once on the rows given, recorded as a graph (the input
requires grad for the run); the graph, walked back from the output, must be a chain
``linear → activation → linear → …`` over the model's own ``Linear`` layers (found by
their weight matrices), with activations from :data:`glassnet.functional.ACTIVATIONS`.
The chain is a :class:`~glassnet.nn.Sequential` of the model's own Linear layers (the same
Parameter objects: nothing is copied) and activation modules, and it must give the model's
own outputs, bit for bit, on those rows. Anything else is refused, naming what was found:
another op (a residual sum, a product, dropout in training), a layer used twice, a weight
that is no Linear layer's, a leaky ReLU whose slope the values do not tell, a softmax over
another axis than the features, or a forward whose outputs differ from the chain's (a
branch taken on some rows only). A forward that branches on its input's values through the
Tensor (``x.sum() > 0``, ``x.item()``, ``float(x)``) is refused while it is recorded; one
that writes into its input too; and the chain is checked against the forward on rows it
was not read from (negated, scaled by 1e3, ±1e6 and 1e-3, each row alone, fresh ones),
which catches a branch on ``x.data`` that those rows reach, and state kept between calls.

A branch on ``x.data`` that none of those rows reaches (``if x.data.max() > 1e12:``) is
seen another way: while the forward is recorded, the input's array (and the arrays NumPy
computes from it, a layer's ``h.data`` too) notes each value the user's code takes out of
it as a Python bool or number (``bool()``, ``if``, ``float()``, ``int()``, an index,
``.item()``, ``.tolist()``; one element and a reduction, ``x.data[0, 0]``,
``x.data.max()``, ``np.any(...)``, ``argmax``, stay arrays to be seen); the forward is then
refused, naming the file, line and code of the first such read (the line of the user's
code, where the read is made by NumPy, the standard library or another package it
calls), as the check rows cannot vouch for rows of another branch; hashing one value
(``{h.data.argmax(): 1}``) is such a read too.

What is no such read: the shape (``x.data.shape``), and a value read for display only:
printing (``print(x.data)``, ``str``, ``repr``), formatting (``f"{m:.3f}"``,
``"{:.3f}".format(m)``, ``"max %.3f" % m``), the standard library's ``logging``
(``logging.info("max %.3f", m)``), ``pprint``, ``reprlib`` and ``string``, and the test of an
``assert`` (``assert np.isfinite(x.data).all()``), which can only raise, never choose
another chain (a row failing it raises in the forward, where the chain computes; under
``python -O`` the assert is gone). What still counts, as it cannot be told from a
branch's read: ``float(m)``, ``int(m)``, ``round(float(m), 3)`` and ``.item()`` even
inside a ``print`` (format the array itself instead: ``f"{m:.3f}"``), an ``if`` even one
that only raises (write it as an ``assert``), and a truth value taken anywhere else
(``x if m > 0 else y``, ``while``, ``and``/``or``, ``max(m, 0)``, a comparison in a
standard-library function). While the forward is recorded, one value or a reduction is a
0-d array, not a NumPy scalar (whose truth value could not be seen; a subclass of NumPy's
scalar types that would see it is not safe: NumPy 2.4 crashes on the repr of one with
a mixin, and its arithmetic gives plain scalars): a forward that tests
``isinstance(m, np.floating)`` or ``type(m)`` takes another path there than at predict,
and is refused by the check rows (its chain does not give its outputs), not returned;
``np.ndim(m) == 0`` holds in both.
What stays unseen: a value taken out through a plain NumPy array
(``np.asarray(x.data)``, ``x.data.view(np.ndarray)``, ``np.nonzero``), through Python's
own storage (``memoryview``, ``bytes``), by NumPy older than 2 (where one value of a
reduction is returned as a scalar), or state outside the input (a global counter): for
such a forward, build the network as an ``nn.Sequential`` of its layers.

>>> import numpy as np
>>> import glassnet as gn
>>> class Net(gn.nn.Module):
...     def __init__(self):
...         self.fc1, self.fc2 = gn.nn.Linear(2, 3, rng=0), gn.nn.Linear(3, 1, rng=1)
...     def forward(self, x):
...         return self.fc2(self.fc1(x).tanh()).sigmoid()
>>> as_chain(Net(), np.ones((1, 2)))
Sequential(
  (0): Linear(inputs=2, neurons=3)
  (1): Tanh()
  (2): Linear(inputs=3, neurons=1)
  (3): Sigmoid()
)
"""

from __future__ import annotations

import dis
import linecache
import os
import re
import sys
import sysconfig
import threading
from typing import Any

import numpy as np

from . import functional as F
from .nn.containers import Flatten
from .nn.layers import MLP, LeakyReLU, Linear, Neuron, Sequential, activation_module
from .nn.module import Module, evaluating
from .tasks import builtin_forward, model_dtype
from .tensor import Tensor, enable_grad

__all__ = ["as_chain"]

_DIRECT = (Sequential, MLP, Neuron, Linear)  # read by glassnet.fused.layers_of as they are


def _slope(z: np.ndarray, a: np.ndarray, model: Module) -> float | None:
    """The leaky ReLU slope that turned ``z`` into ``a``, read from the values where z < 0:
    the model's LeakyReLU layers' slope if it gives a exactly, else a / z rounded to the
    shortest decimal that does; None where no z < 0 shows it (a slope guessed from the
    layers alone could be another than the forward's, which rows with z < 0 would show)."""
    neg = z < 0
    if not neg.any():
        return None
    slopes = {m.alpha for m in model.modules() if isinstance(m, LeakyReLU)}
    ratio = float(np.median(a[neg] / z[neg]))
    for alpha in [*sorted(slopes), *(round(ratio, d) for d in range(2, 10)), ratio]:
        if 0 <= alpha < 1 and np.array_equal(F.leaky_relu_fn(z, alpha), a):
            return float(alpha)
    return None


def as_chain(model: Any, x: Any = None, owner: str = "explain", *, flatten: bool = False) -> Any:
    """``model`` itself when it is a Sequential, MLP, Neuron or Linear (or no Module);
    else the :class:`~glassnet.nn.Sequential` of its own Linear layers and activations
    that its forward on the rows ``x`` computes, checked to give the same outputs; a
    forward that is no such chain is a TypeError naming what it found (``owner``: the
    function the message names). Without ``x``, 16 rows drawn from a normal distribution
    (seed 0; half of them times 1000), as wide as the first of the model's Linear layers its
    forward takes. A leaky ReLU's slope is read where a pre-activation is below 0 (no such
    value on the rows: refused, as the slope is not seen). With ``flatten`` (export's), a
    reshape of the input that makes each of the rows ``x`` one row, (N, d1, d2, ...) to
    (N, d1 * d2 * ...) (``nn.Flatten()``, ``x.flatten(1)``), is read as an ``nn.Flatten()``
    first in the chain; without it (explain's and draw_network's, which take rows) it is
    refused as any other op.

    A forward that takes its input's values out of ``x.data`` (``if x.data.max() > 1e12:``)
    is refused, naming the line, even where the chain gives its outputs on every row
    checked: no row set can vouch for a branch it does not reach. Values read for display
    only (printed, formatted, ``'%.3f' % m``, logged with ``logging``) or tested by an
    ``assert`` are no such read; ``float(m)`` is, even inside a ``print``. Values taken out
    through a plain array (``np.asarray(x.data)``) are not seen: the module's docstring
    says what is and what is not."""
    if not isinstance(model, Module) or (isinstance(model, _DIRECT) and _glassnets_own(model)):
        return model
    if x is None:
        widths = dict.fromkeys(m.inputs for m in model.modules() if isinstance(m, Linear))
        err: Exception | None = None
        for d in widths:  # (the first width the forward takes; a wrong one fails in linear)
            rows = np.random.default_rng(0).standard_normal((16, d))
            rows[8:] *= 1e3  # (large rows too: pre-activations of both signs, a slope seen)
            try:
                return as_chain(model, rows, owner, flatten=flatten)
            except (TypeError, ValueError) as e:  # (a width's own error, not linear's refusal
                wrong_width = getattr(e, "wrong_width", None)  # of another width, is kept;
                # told by its mark, a Sequential's name before its text: _validation.width_error)
                err = err or (None if wrong_width else e)
        if err is not None:
            raise err
        raise TypeError(
            f"{owner} reads a model whose forward is a chain of Linear layers and activations; "
            f"{type(model).__name__}'s forward took no input as wide as one of its Linear layers."
        )
    name = type(model).__name__
    foreign = [
        type(m).__name__ for m in model.modules() if m is not model and not builtin_forward(m)
    ]
    if foreign:  # (a layer of the user's own class: named, as glassnet.fused names it)
        name += f" (it holds a {foreign[0]}, a module of your own)"
    fix = (
        f"{owner} reads a model whose forward is a chain of Linear layers and activations "
        f"(nn.Sequential, nn.MLP, or a Module of your own calling them in turn)"
    )
    rows = np.array(x.data if isinstance(x, Tensor) else x, dtype=model_dtype(model))
    rows = rows.reshape(1, -1) if rows.ndim == 1 else rows
    linears = {id(m.W): m for m in model.modules() if isinstance(m, Linear)}
    evaluated = evaluating(model)  # (dropout off, as explain's forward runs; no flag written)
    evaluated.__enter__()
    try:
        out, probe = _traced(model, rows, fix, name)
        if out.backward_fn is None:
            raise TypeError(f"{fix}; {name}'s output has no graph (computed under no_grad?).")
        chain = _chain_of(out, probe, linears, model, fix, name, flatten)
        _same_outputs(model, Sequential(*chain), rows, fix, name)
        read = _DATA_READS.pop(threading.get_ident(), None)
        if read is not None:  # (the checks agree, but only on the rows they tried)
            raise TypeError(
                f"{fix}; {name}'s forward takes values of its input (or computed from it) out "
                f"of their array, as x.data ({read}), so it may branch on them: the chain "
                "gives the forward's outputs on every "
                "row checked (these rows, negated, scaled by 1e-3 to 1e6, one by one, fresh "
                "ones), but no check can vouch for rows that take another branch. Build the "
                "network as an nn.Sequential of its layers (or leave the read out of forward)."
            )
    finally:
        _DATA_READS.pop(threading.get_ident(), None)
        evaluated.__exit__(None, None, None)
    return Sequential(*chain)


def _glassnets_own(model: Module) -> bool:
    """Whether every module of ``model`` computes what glassnet's class of it computes
    (no subclass of the user's with a forward or a call of its own): then the layers of
    glassnet.fused read it as it is; else its forward is traced."""
    return all(builtin_forward(m) for m in model.modules())


_ORDERINGS = (
    "__lt__", "__le__", "__gt__", "__ge__", "__eq__", "__ne__", "item", "tolist", "numpy",
    "__float__",
)  # fmt: skip
_VALUES = (Tensor, np.ndarray, np.generic, int, float, bool)  # (== with others: identity)
_TRACING: list[int] = []  # the threads tracing a forward now (as_chain's, serialized below)
_LOCK = threading.Lock()


def _traced(model: Module, rows: np.ndarray, fix: str, name: str) -> tuple[Tensor, Tensor]:
    """The model's forward on a read-only copy of ``rows``, recorded (the input requires
    grad), with the Tensor's value reads (comparisons, ``item``, ``float``, ``numpy``,
    ``tolist``) refused in this thread meanwhile: a forward that branches on its input's
    values computes another function than the chain one branch records."""
    data = rows.copy()
    data.flags.writeable = False  # (a forward that writes into its input is refused)
    me = threading.get_ident()

    def guard(method: str, original: Any) -> Any:
        def read(self: Tensor, *args: Any, **kwargs: Any) -> Any:
            identity = method in ("__eq__", "__ne__") and not isinstance(args[0], _VALUES)
            if me in _TRACING and threading.get_ident() == me and not identity:
                raise _ValueRead(method)
            return original(self, *args, **kwargs)

        return read

    with _LOCK:
        saved = {m: getattr(Tensor, m) for m in _ORDERINGS}
        for m, original in saved.items():
            setattr(Tensor, m, guard(m, original))
        _TRACING.append(me)
        _DATA_READS.pop(me, None)
        try:
            with enable_grad():
                probe = Tensor(data, requires_grad=True)
                probe.data = data.view(_Watched)  # (x.data's truth values are seen too)
                out = model(probe)
        except _ValueRead as e:
            raise TypeError(
                f"{fix}; {name}'s forward reads its input's values ({e.args[0]}), so it may "
                "compute another chain for other rows: build the network as an nn.Sequential "
                "of its layers."
            ) from None
        except ValueError as e:
            if "read-only" not in str(e):
                raise
            raise TypeError(f"{fix}; {name}'s forward writes into its input.") from None
        finally:
            _TRACING.remove(me)
            for m, original in saved.items():
                setattr(Tensor, m, original)
    if not isinstance(out, Tensor):
        raise TypeError(f"{fix}; {name}'s forward returned {type(out).__name__}, not a Tensor.")
    return out, probe


_NUMPY = os.path.dirname(os.path.abspath(np.__file__)) + os.sep
_GLASSNET = os.path.dirname(os.path.abspath(__file__)) + os.sep
_DATA_READS: dict[int, str] = {}  # thread -> where its traced forward first read x.data


def _data_read(what: str) -> None:
    """Note a value of the traced input read through its array (``x.data``) as a Python
    truth value or number (``what``) by the user's code, where: the forward may branch on
    it, on rows the checks may not reach. The read is the user's first frame's (the code
    that called NumPy, the standard library or another package that read it); not noted:
    a read by glassnet's own code (the same checks for every row), or one for display
    only (NumPy's printing, the standard library's ``logging``, ``pprint``, ``reprlib`` and
    ``string``, ``'%.3f' % a``, as ``f'{a:.3f}'``), or the truth value of an ``assert``
    (which can only raise, never choose another chain)."""
    me = threading.get_ident()
    if me not in _TRACING or me in _DATA_READS:
        return
    frame = sys._getframe(2)
    while frame is not None:
        path = frame.f_code.co_filename
        if path.startswith(_NUMPY):
            if path.endswith("arrayprint.py"):
                return  # (printed: print(x.data) reads every value, and branches on none)
        elif path.startswith(_GLASSNET):
            return  # (glassnet's own checks of the values: the same for every row)
        elif path.startswith(_STDLIB):
            if path[len(_STDLIB) :].partition(os.sep)[0] in _DISPLAY:
                return  # (logging.info("%.3f", a) formats a for a log, branches on none)
        elif not _THIRD_PARTY.search(path):
            break  # (the user's code: a package's reads are blamed on its caller's line)
        frame = frame.f_back
    if frame is None or _display_only(frame):
        return
    path, line = frame.f_code.co_filename, frame.f_lineno
    code = linecache.getline(path, line).strip()
    _DATA_READS[me] = f"{what} at {os.path.basename(path)}:{line}" + (f": `{code}`" if code else "")


_STDLIB = os.path.abspath(sysconfig.get_paths()["stdlib"]) + os.sep
_THIRD_PARTY = re.compile(r"[/\\](site|dist)-packages[/\\]|^<frozen ")  # (frozen: stdlib)
_DISPLAY = {"logging", "pprint.py", "reprlib.py", "string.py"}  # the stdlib's display only
_CODE: dict[Any, tuple[list, dict[int, int]]] = {}  # code -> its instructions, by offset


def _display_only(frame: Any) -> bool:
    """Whether the instruction of ``frame`` that read a value is ``'%.3f' % a`` (string
    formatting: ``a % 2`` computes an array, without such a read) or the test of an
    ``assert`` (a jump to ``raise AssertionError``)."""
    code = frame.f_code
    if code not in _CODE:
        if len(_CODE) > 256:
            _CODE.clear()
        ins = list(dis.get_instructions(code))
        _CODE[code] = (ins, {i.offset: n for n, i in enumerate(ins)})
    ins, at = _CODE[code]
    n = at.get(frame.f_lasti)
    if n is None:
        return False
    if ins[n].opname == "BINARY_MODULO" or (ins[n].opname == "BINARY_OP" and ins[n].argrepr == "%"):
        return True
    while n + 1 < len(ins) and ins[n].opname in ("TO_BOOL", "UNARY_NOT"):
        n += 1  # (the truth value taken by the next instruction's jump)
    jump = ins[n]
    if "IF" not in jump.opname or jump.opcode not in (*dis.hasjrel, *dis.hasjabs):
        return False
    after = ins[n + 1 : n + 2]
    if jump.argval in at:
        after.append(ins[at[jump.argval]])
    return any(i.opname == "LOAD_ASSERTION_ERROR" for i in after)  # (either way it may go)


def _kept(out: Any) -> Any:
    """A scalar result of a :class:`_Watched` array as a 0-d one (its reads seen) while
    a forward is traced in this thread; as NumPy gives it otherwise."""
    if isinstance(out, np.generic) and threading.get_ident() in _TRACING:
        return np.asarray(out).view(_Watched)
    return out


class _Watched(np.ndarray):
    """The traced input's array (``x.data``, and the arrays computed from it): a value
    taken out of it as a Python bool or number (``if x.data.max() > 1e4:``,
    ``float(x.data[0, 0])``, ``.item()``, ``.tolist()``) is noted, with where. One value or
    a reduction stays such an array (NumPy gives a scalar, whose truth value is not seen)."""

    def __array_wrap__(self, arr: Any, context: Any = None, return_scalar: bool = False) -> Any:
        if threading.get_ident() not in _TRACING:  # (as an ndarray: a scalar for 0-d)
            return arr[()] if return_scalar and isinstance(arr, np.ndarray) else arr
        return arr.view(_Watched) if isinstance(arr, np.ndarray) else arr

    def __getitem__(self, key: Any) -> Any:
        out = super().__getitem__(key)
        return _kept(out)

    def argmax(self, *args: Any, **kwargs: Any) -> Any:
        return _kept(super().argmax(*args, **kwargs))

    def argmin(self, *args: Any, **kwargs: Any) -> Any:
        return _kept(super().argmin(*args, **kwargs))

    def __bool__(self) -> bool:
        _data_read("bool()")
        return bool(np.asarray(self))

    def __float__(self) -> float:
        _data_read("float()")
        return float(np.asarray(self))

    def __int__(self) -> int:
        _data_read("int()")
        return int(np.asarray(self))

    def __index__(self) -> int:
        _data_read("an index")
        return np.asarray(self).__index__()

    def __complex__(self) -> complex:
        _data_read("complex()")
        return complex(np.asarray(self))

    def __hash__(self) -> int:  # (a scalar's, as {x.data.argmax(): 1} takes outside a trace)
        if self.ndim:
            raise TypeError(f"unhashable type: 'numpy.ndarray' (an array of shape {self.shape})")
        _data_read("hash()")
        return hash(np.asarray(self)[()])

    def item(self, *args: Any) -> Any:
        _data_read("item()")
        return np.asarray(self).item(*args)

    def tolist(self) -> Any:
        _data_read("tolist()")
        return np.asarray(self).tolist()


class _ValueRead(Exception):
    """A Tensor's values read while a forward is traced."""


def _same_outputs(model: Module, seq: Module, rows: np.ndarray, fix: str, name: str) -> None:
    """The chain gives the model's outputs, bit for bit, on ``rows`` and on rows it did not
    see (negated, times 1e3, ±1e6 and 1e-3, each row alone, fresh ones): a forward that reads
    its input's values some other way (``x.data``), or keeps state between calls, shows
    there when those rows take its other branch (a branch no such row reaches is not seen:
    the docstring of the module says so)."""
    fresh = np.random.default_rng(1).standard_normal(rows.shape).astype(rows.dtype)
    tries = [rows, -rows, rows * 1e3, rows * 1e6, rows * -1e6, rows * 1e-3, fresh, *rows[:4, None]]
    with np.errstate(all="ignore"):
        for r in tries:
            ours, theirs = seq(r.copy()).data, model(r.copy()).data
            if not (ours.shape == theirs.shape and np.array_equal(ours, theirs, equal_nan=True)):
                read = ", ".join(type(m).__name__ for m in seq)
                raise TypeError(
                    f"{fix}; the chain read from {name}'s forward ({read}) does not give its "
                    "outputs on every row (an activation over another axis, a branch on the "
                    "input's values, state kept between calls, or a forward that is no such "
                    "chain)."
                )


def _chain_of(
    out: Tensor, probe: Tensor, linears: dict, model: Module, fix: str, name: str, flatten: bool
) -> list[Module]:
    """The modules of the graph from ``probe`` to ``out``: Linear layers of ``linears`` and
    activations, walked back from the output, in forward order (with ``flatten``, an
    ``nn.Flatten()`` first where the input is reshaped into rows)."""
    chain: list[Module] = []
    node, used = out, set()
    while node is not probe:
        parents = node.parents
        if node.op == "linear" and parents and id(parents[1]) in linears:
            layer = linears[id(parents[1])]
            if id(layer) in used:
                raise TypeError(f"{fix}; {name} uses its Linear layer {layer!r} twice.")
            used.add(id(layer))
            bias = parents[2] if len(parents) > 2 else None
            if bias is not layer.b:
                raise TypeError(f"{fix}; a Linear layer of {name} ran with another bias.")
            chain.append(layer)
        elif node.op in F.ACTIVATIONS and len(parents) == 1:
            z, a = parents[0].data, node.data
            if node.op == "leaky_relu":
                alpha = _slope(z, a, model)
                if alpha is None:
                    raise TypeError(
                        f"{fix}; the slope of {name}'s leaky ReLU cannot be read from these "
                        "rows (no pre-activation below 0): give rows that have some, or "
                        "build the network as an nn.Sequential of its layers."
                    )
                chain.append(LeakyReLU(alpha))
            else:
                chain.append(activation_module(node.op))
        elif (
            flatten
            and node.op == "reshape"
            and parents
            and parents[0] is probe
            and _flattens(node, probe)
        ):
            chain.append(Flatten())  # (x.flatten(1), nn.Flatten(), x.reshape(len(x), -1))
        else:
            what = f"op {node.op!r}" if node.op else "a tensor that is not the input"
            if node.op == "linear":
                what = "F.linear with a weight that is no Linear layer's"
            raise TypeError(f"{fix}; {name}'s forward computes {what} on the way to its output.")
        if not parents:
            raise TypeError(f"{fix}; {name}'s output does not depend on its input.")
        node = parents[0]
    chain.reverse()
    body = chain[1:] if chain and isinstance(chain[0], Flatten) else chain
    if not body or not isinstance(body[0], Linear):
        raise TypeError(f"{fix}; {name}'s forward does not start with a Linear layer.")
    return chain


def _flattens(node: Tensor, probe: Tensor) -> bool:
    """Whether the reshape ``node`` of the input ``probe`` makes each sample a row: (N, d1,
    d2, ...) to (N, d1 * d2 * ...), ``nn.Flatten()``'s result on these rows."""
    shape = probe.data.shape
    return len(shape) >= 2 and node.data.shape == (shape[0], int(np.prod(shape[1:])))
