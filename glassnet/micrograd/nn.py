"""micrograd's ``nn``: ``Neuron``, ``Layer`` and ``MLP`` of :class:`Value` numbers.

The same classes, arguments and initialization as ``micrograd.nn``: a neuron's weights
are drawn from Python's ``random.uniform(-1, 1)`` and its bias starts at 0, so after
``random.seed(s)`` a network is micrograd's, number for number. A neuron is the lecture's:
the weighted sum ``b + Σ wᵢ xᵢ``, then ReLU, except in the output layer (linear).

For arrays and speed use :class:`glassnet.nn.MLP`: one matrix product per layer where
these networks make one graph node per multiply and add. A network here takes one data
point per call (``[m(x) for x in X]`` for a data set); ``glassnet.nn.MLP`` takes a batch.

``explain``, ``draw_network``, ``fit``, ``summary`` and the plots take a glassnet Module:
the same network is a ``glassnet.nn.MLP`` of the same sizes (ReLU hidden layers, a linear
output; float64, a Value's numbers), with the weights copied in (``W[i, j]`` is the weight
from input ``i`` to neuron ``j``). ``glassnet.viz.draw_graph(m(x))`` draws the graph of
a network here, from its output:

>>> import random, numpy as np, glassnet as gn
>>> random.seed(0); m = MLP(2, [2, 1])
>>> net = gn.nn.MLP([2, 2, 1], activation="relu", dtype=np.float64)
>>> for lin, layer in zip(net.layers[::2], m.layers):   # (the Linear layers)
...     lin.W.data[:] = [[n.w[i].data for n in layer.neurons] for i in range(lin.inputs)]
...     lin.b.data[:] = [n.b.data for n in layer.neurons]
>>> bool(np.isclose(net(np.array([[1.0, 0.5]])).data[0, 0], m([1.0, 0.5]).data))
True
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterable, Mapping, Sequence, Set
from typing import Any

import numpy as np

from .._validation import check_number
from .engine import Value

__all__ = ["MLP", "Layer", "Module", "Neuron"]

MOST_VALUES = 10**6
"""The most weights and biases a network here makes (one Python object each)."""
_ONE = (float, int, Value)  # (a list starting with one: one data point, no _batch call)


def _batch(x: Any, model: Any, n: int) -> None:
    """The ValueError for a batch given where one data point is (``m(X)`` where
    ``[m(x) for x in X]`` is meant, as ``glassnet.nn.MLP(X)`` takes it): anything 2-D or
    more (an array, a pandas DataFrame, a torch tensor: ``ndim >= 2``), or a list or tuple
    whose first item is a row (a list, tuple, or anything with ``ndim >= 1``: an array, a
    Series, a 1-D tensor). Nothing for anything else (a cheap look: the first item only),
    nor for one data point of size-1 arrays, as micrograd takes it: ``n`` rows of one
    number each, in an array, or a list or tuple of arrays or lists (a (3, 1) column, a
    list of 1-element arrays; a Value takes a size-1 array, and refuses a list, saying
    so)."""
    if type(x) is list or type(x) is tuple:
        first = x[0] if x else None
        if isinstance(first, (list, tuple)):
            row = len(first)
        elif (dim := getattr(first, "ndim", 0)) and isinstance(dim, int):
            row = math.prod(first.shape)
        else:
            return
        rows, own = len(x), isinstance(first, (list, tuple, np.ndarray))
        got = f"a {type(x).__name__} of {rows} row{'s' * (rows != 1)}"
    elif isinstance(dim := getattr(x, "ndim", 0), int) and dim >= 2:
        shape = tuple(int(k) for k in x.shape)
        rows, row, own = shape[0], math.prod(shape[1:]), isinstance(x, np.ndarray)
        kind = "an array" if own else f"a {type(x).__module__.partition('.')[0]} {type(x).__name__}"
        got = f"{kind} of shape {shape}: {rows} row{'s' * (rows != 1)}"
    else:
        return
    if own and row == 1 and rows == n:  # (one data point of size-1 items)
        return
    one = "number or Value" if n == 1 else "numbers or Values"
    raise ValueError(
        f"{_made(model)} takes one data point (a list of {n} {one}). Got {got} of {row} "
        f"number{'s' * (row != 1)}, a batch: call it once per row, [m(x) for x in X] "
        "(micrograd's way), or use glassnet.nn.MLP, which takes a batch (an array of rows)."
    )


def _made(model: Any) -> str:
    """How ``model`` (a Neuron, Layer or MLP) was made, ``'MLP(3, [4, 1])'``."""
    if isinstance(model, MLP):
        return f"MLP({len(model.layers[0].neurons[0].w)}, {model._nouts()})"
    if isinstance(model, Layer):
        return f"Layer({len(model.neurons[0].w)}, {len(model.neurons)})"
    return f"{type(model).__name__}({len(model.w)})"


def _inputs(x: Any, owner: Any, n: int) -> list[Any] | tuple[Any, ...]:
    """``x``, a list of a layer's ``n`` inputs: micrograd's zip takes any iterable (a
    generator, ``map(Value, row)``), read once here, ``n + 1`` items at most."""
    if type(x) is list or type(x) is tuple:
        return x
    if isinstance(x, Value):  # (a Layer of one neuron returns one: micrograd's Layer)
        raise TypeError(
            f"{owner!r} takes a list of its inputs (numbers or Values), in order. Got a single "
            "Value, which is what a Layer of one neuron returns (not a list, as micrograd's "
            "Layer); pass [v] for one input."
        )
    if isinstance(x, (Mapping, Set, str, bytes)) or not isinstance(x, Iterable):
        raise TypeError(
            f"{owner!r} takes an iterable of its inputs (numbers or Values), in order. Got "
            f"{type(x).__name__}; pass a list, e.g. [x1, x2] or list(map(Value, row))."
        )
    x = list(itertools.islice(x, n + 1))  # (an endless iterator is no row)
    if len(x) > n:
        raise ValueError(f"{owner!r} takes {n} inputs. Got more than {n}; pass one per input.")
    return x


def _sizes(owner: str, nin: Any, nouts: Any, name: str = "nouts") -> list[int]:
    """``[nin, *nouts]``, each an int >= 1; ``nouts`` in order: a list, tuple, range (any
    sequence but text) or 1-D NumPy array, read up to the Values cap (range(1, 10**30))."""
    text = isinstance(nouts, (str, bytes, bytearray))
    seq = isinstance(nouts, Sequence) and not text
    if not (seq or isinstance(nouts, np.ndarray) and nouts.ndim == 1) or not len(nouts[:1]):
        raise TypeError(
            f"The {name!r} parameter of {owner} must be a non-empty list of layer sizes "
            f"(ints >= 1), e.g. [4, 4, 1] (a tuple, range or 1-D NumPy array too; a set, "
            f"dict or iterator has no order kept: pass a list). Got {nouts!r:.80} of type "
            f"{type(nouts).__name__}."
        )
    sz, count = [check_number(nin, "nin", owner, low=1, integer=True)], 0
    for i, n in enumerate(nouts):
        sz.append(
            check_number(n, name if name == "nout" else f"{name}[{i}]", owner, low=1, integer=True)
        )
        count += (sz[-2] + 1) * sz[-1]
        if count > MOST_VALUES:
            more = len(nouts[i + 1 : i + 2]) > 0  # (a long range: its first layers do)
            call = {"Neuron": f"{sz[0]}", "Layer": f"{sz[0]}, {sz[1]}"}.get(
                owner, f"{sz[0]}, {nouts!r:.60}" if more else f"{sz[0]}, {sz[1:]}"
            )
            raise ValueError(
                f"{owner}({call}) would make {'over ' if more else ''}{count} Values (weights "
                f"and biases), over the {MOST_VALUES} a Python object each can hold sanely: "
                "choose smaller sizes, or use glassnet.nn.MLP for arrays."
            )
    return sz


class Module:
    """micrograd's base: ``parameters()`` and ``zero_grad()``."""

    def zero_grad(self) -> None:
        """Every parameter's gradient back to 0 (micrograd's ``p.grad = 0``)."""
        for p in self.parameters():
            p.grad = 0

    def parameters(self) -> list[Value]:
        return []


def _is_flag(value: Any) -> bool:
    """Whether ``value`` is a truth flag as upstream micrograd reads ``nonlin``: a bool, or an
    integer 0 or 1, NumPy's (np.int64(1), a 0-d bool or int array) too; not 1.0, not 'relu'."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    ok = isinstance(value, (bool, np.bool_, int, np.integer))
    return ok and value in (0, 1)


class Neuron(Module):
    """``nin`` weights from ``random.uniform(-1, 1)``, a bias at 0; ReLU when ``nonlin``."""

    def __init__(self, nin: int, nonlin: bool = True) -> None:
        nin = _sizes("Neuron", nin, [1])[0]
        if not _is_flag(nonlin):
            raise TypeError(
                f"Neuron: nonlin must be True (ReLU) or False (linear, no activation), as "
                f"micrograd's MLP passes it. Got {nonlin!r:.40}: write nonlin=True for a ReLU "
                "neuron, nonlin=False for a linear one (micrograd has no other activation)."
            )
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0)
        self.nonlin = bool(nonlin)

    def __call__(self, x: Iterable[Any]) -> Value:
        if type(x) is not list and type(x) is not tuple:  # (a list: looked at where it fails)
            _batch(x, self, len(self.w))
        x = _inputs(x, self, len(self.w))
        if len(x) != len(self.w):  # (zip would drop the inputs beyond the shorter one)
            _batch(x, self, len(self.w))
            raise ValueError(
                f"{self!r} takes {len(self.w)} inputs. Got {len(x)}; pass one number per input."
            )
        try:
            act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        except TypeError:  # (a row where a number is: a batch of as many rows as inputs)
            _batch(x, self, len(self.w))
            raise
        return act.relu() if self.nonlin else act

    def parameters(self) -> list[Value]:
        return self.w + [self.b]

    def __repr__(self) -> str:
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons of ``nin`` inputs each; one output is returned as a Value, more
    as a list, as in micrograd."""

    def __init__(self, nin: int, nout: int, **kwargs: Any) -> None:
        nin, nout = _sizes("Layer", nin, [nout], "nout")
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x: Iterable[Any]) -> Value | list[Value]:
        first = self.neurons[0]
        if type(x) is not list or x and type(x[0]) not in _ONE:  # (an MLP's Values: no look)
            _batch(x, self, len(first.w))
        x = _inputs(x, first, len(first.w))  # (an iterator once, for every neuron)
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """Layers of sizes ``[nin] + nouts``; ReLU in every layer but the last."""

    def __init__(self, nin: int, nouts: Sequence[int]) -> None:
        sz = _sizes("MLP", nin, nouts)
        self.layers = [Layer(sz[i], sz[i + 1], nonlin=i != len(sz) - 2) for i in range(len(sz) - 1)]

    def __call__(self, x: Any) -> Any:
        if type(x) is not list or x and type(x[0]) not in _ONE:  # (once: its layers' are Values)
            _batch(x, self, len(self.layers[0].neurons[0].w))
        for i, layer in enumerate(self.layers):
            if i and isinstance(x, Value):  # (micrograd: "'Value' object is not iterable")
                raise TypeError(
                    f"MLP({len(self.layers[0].neurons[0].w)}, {self._nouts()}): hidden layer "
                    f"{i - 1} has one neuron, and a Layer of one neuron returns its output as a "
                    "bare Value, not a list (as micrograd's, whose MLP fails here too), so "
                    f"layer {i} cannot take it as its inputs. Give each hidden layer 2 or more "
                    "neurons (only the last layer may have one)."
                )
            x = layer(x)
        return x

    def _nouts(self) -> list[int]:
        """The ``nouts`` this MLP was made with (for its messages)."""
        return [len(layer.neurons) for layer in self.layers]

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
