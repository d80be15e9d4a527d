"""PyTorch's containers of sub-modules (:class:`ModuleList`, :class:`ModuleDict`) and of
parameters (:class:`ParameterList`, :class:`ParameterDict`),
``nn.Flatten`` (a layer of shape only, which the fast path does not run), and the
module tree's PyTorch names (``children``, ``named_children``, ``named_modules``,
``apply``; ``Linear.in_features``, ``out_features`` and ``bias``; ``reset_parameters()`` of
``Linear``, ``BatchNorm1d`` and ``LayerNorm``), and a ``Sequential``'s
list habits (``append``, ``extend``, ``insert``, ``seq[i] = m``, ``del seq[i]``, ``pop``,
``seq1 + seq2``); and :func:`from_config`, which rebuilds a module tree from its
``config()`` (what ``gn.load`` and ``glassnet.io`` do with a model file's description: no
engine calls it), with the table of the types it builds, ``BUILDABLE``.

A model written as PyTorch models are keeps its layers in one of these:

>>> from glassnet import nn
>>> class Net(nn.Module):
...     def __init__(self):
...         self.hidden = nn.ModuleList([nn.Linear(2, 4), nn.Linear(4, 4)])
...         self.heads = nn.ModuleDict({"y": nn.Linear(4, 1)})
...     def forward(self, x):
...         for layer in self.hidden:
...             x = layer(x).tanh()
...         return self.heads["y"](x)
>>> [name for name, _ in Net().named_parameters()][:3]
['hidden.0.W', 'hidden.0.b', 'hidden.1.W']

Parameters are found and named as PyTorch names them (``hidden.0.W``, ``heads.y.W``), so
``state_dict()``, optimizers and ``fit`` (on the autodiff graph) see every layer. A plain
Python list of modules is walked too (``Module``'s rule); these add what PyTorch's
containers add: indexing that keeps the container, ``append``/``extend``/``insert``, and,
for the dict, keys checked as PyTorch checks them.

How it works: a container keeps its modules as its own attributes, named ``"0"``,
``"1"``, ... (or by key), in order, which is where :class:`~glassnet.nn.Module`'s walk
looks. Like ``nn.ModuleList`` in PyTorch, neither container has a ``forward``: call its
modules. They are PyTorch's surface, not the engine (nothing in fit or the fast path uses
them), which is why ``tools/loc.py`` lists this file outside the core.
"""

from __future__ import annotations

import inspect
import operator
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .._validation import as_rng, attach, check_bool, missing_entry
from ..backend import is_array, namespace
from ..functional import get_activation
from ..hooks import RemovableHandle, run_module_hooks
from ..hooks import ids as hook_ids
from ..tensor import Tensor, is_grad_enabled, no_grad
from . import init as initializers
from .layers import (
    MLP,
    Dropout,
    Identity,
    LeakyReLU,
    Linear,
    Neuron,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    TableActivation,
    Tanh,
)  # fmt: skip
from .module import Module, Parameter
from .torch_layers import ELU, GELU, BatchNorm1d, LayerNorm, LogSoftmax, SiLU, Softplus
from .torch_module import BufferNameError, StateDictError

if TYPE_CHECKING:
    from ..declarations import Self

__all__ = ["ModuleDict", "ModuleList", "ParameterDict", "ParameterList"]


def _module(value: Any, owner: str, where: str) -> Module:
    """``value`` if it is a glassnet Module, else a TypeError naming where it was given."""
    if not isinstance(value, Module) or isinstance(value, type):
        fix = f": pass an instance, {value.__name__}()" if isinstance(value, type) else ""
        raise TypeError(f"{owner} holds glassnet Modules; {where} is {value!r:.80}{fix}.")
    return value


def _repr(kind: str, items: Iterable[tuple[str, Any]]) -> str:
    lines = [f"  ({k}): " + (m if isinstance(m, str) else repr(m)).replace("\n", "\n  ")
             for k, m in items]  # fmt: skip
    return f"{kind}(\n" + "\n".join(lines) + "\n)" if lines else f"{kind}()"


class ModuleList(Module):
    """A list of sub-modules whose parameters the model owns (PyTorch's ``nn.ModuleList``).

    ``ModuleList([a, b])``; ``ml[i]``, ``ml[i] = m``, ``del ml[i]``, ``ml[1:]`` (a
    ModuleList), ``len``, iteration, ``append``, ``extend``, ``insert``, ``pop``, ``+``/``+=``.
    Anything but a glassnet Module is refused with a TypeError.
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        self._set([] if modules is None else self._checked(modules, "the module at"))

    @staticmethod
    def _checked(modules: Any, where: str) -> list[Module]:
        if isinstance(modules, (Mapping, str)) or not isinstance(modules, Iterable):
            raise TypeError(
                f"ModuleList takes an iterable of glassnet Modules; got {modules!r:.80}. Wrap "
                "one module in a list: ModuleList([module])."
            )
        return [_module(m, "ModuleList", f"{where} position {i}") for i, m in enumerate(modules)]

    def _items(self) -> list[Module]:
        return [v for k, v in vars(self).items() if k.isdigit()]

    def _set(self, modules: list[Module]) -> None:
        """Store ``modules`` as the attributes "0", "1", ... (the old ones removed first)."""
        for k in [k for k in vars(self) if k.isdigit()]:
            del self.__dict__[k]
        self.__dict__.update({str(i): m for i, m in enumerate(modules)})

    def _index(self, i: Any) -> int:
        n = len(self)
        try:  # (an int, or NumPy's: what list indexing takes)
            i = operator.index(i)
        except TypeError:
            raise TypeError(
                f"ModuleList indices are integers or slices, not {type(i).__name__} ({i!r:.40})."
            ) from None
        if not -n <= i < n:
            raise IndexError(f"ModuleList index {i} is out of range for {n} modules.")
        return i % n

    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return ModuleList(self._items()[i])
        return self._items()[self._index(i)]

    def __setitem__(self, i: int, module: Module) -> None:
        items = self._items()
        items[self._index(i)] = _module(module, "ModuleList", f"the module set at {i}")
        self._set(items)

    def __delitem__(self, i: int | slice) -> None:
        items = self._items()
        del items[i if isinstance(i, slice) else self._index(i)]
        self._set(items)

    def __len__(self) -> int:
        return len(self._items())

    def __iter__(self) -> Iterator[Module]:
        return iter(self._items())

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        return ModuleList([*self._items(), *self._checked(other, "the added module at")])

    def __iadd__(self, other: Iterable[Module]) -> ModuleList:
        return self.extend(other)

    def append(self, module: Module) -> ModuleList:
        """Add ``module`` at the end; returns self."""
        self._set([*self._items(), _module(module, "ModuleList", "the module appended")])
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Add each of ``modules`` at the end; returns self."""
        self._set([*self._items(), *self._checked(modules, "the module extended with, at")])
        return self

    def pop(self, key: int | slice = -1) -> Any:
        """Remove and return the module at ``key`` (the last by default; a slice gives a
        ModuleList), as PyTorch's ``ModuleList.pop``."""
        popped = self[key]
        del self[key]
        return popped

    def insert(self, index: int, module: Module) -> None:
        """Insert ``module`` before ``index`` (as ``list.insert``)."""
        items = self._items()
        items.insert(index, _module(module, "ModuleList", "the module inserted"))
        self._set(items)

    def __repr__(self) -> str:
        """PyTorch's: a run of equal modules as one line, ``(0-2): 3 x Linear(...)``."""
        runs: list[list[Any]] = []  # [first, last, repr]
        for i, text in enumerate(map(repr, self._items())):
            if runs and runs[-1][2] == text:
                runs[-1][1] = i
            else:
                runs.append([i, i, text])
        return _repr("ModuleList", ((f"{a}-{b}", f"{b - a + 1} x {t}") if a < b else (str(a), t)
                                    for a, b, t in runs))  # fmt: skip


class _Keyed(Module):
    """What PyTorch's ``ModuleDict`` and ``ParameterDict`` share: entries by key, in
    insertion order, held as the container's attributes of the kind ``_holds``."""

    _holds: type = Module

    def _keys(self) -> list[str]:
        return [k for k, v in vars(self).items() if isinstance(v, self._holds)]

    def __getitem__(self, key: str) -> Any:
        if not isinstance(key, str) or key not in self._keys():
            raise KeyError(
                f"{type(self).__name__} has no {self._holds.__name__.lower()} {key!r}; its keys "
                f"are {self._keys()}."
            )
        return vars(self)[key]

    def __delitem__(self, key: str) -> None:
        self[key]  # (a KeyError naming the keys when absent)
        del self.__dict__[key]

    def __contains__(self, key: object) -> bool:
        return key in self._keys()

    def __len__(self) -> int:
        return len(self._keys())

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys())

    def __reversed__(self) -> Iterator[str]:
        return reversed(self._keys())

    def keys(self) -> list[str]:
        return self._keys()

    def values(self) -> list[Any]:
        return [vars(self)[k] for k in self._keys()]

    def items(self) -> list[tuple[str, Any]]:
        return [(k, vars(self)[k]) for k in self._keys()]

    def pop(self, key: str) -> Any:
        """Remove the entry at ``key`` and return it."""
        value = self[key]
        del self[key]
        return value

    def clear(self) -> None:
        """Remove every entry."""
        for key in self._keys():
            del self.__dict__[key]


class ModuleDict(_Keyed):
    """Sub-modules by name, in insertion order (PyTorch's ``nn.ModuleDict``).

    ``ModuleDict({"enc": a, "dec": b})`` or from ``(key, module)`` pairs; ``md[key]``,
    ``md[key] = m``, ``del md[key]``, ``key in md``, ``len``, iteration over the keys,
    ``keys()``, ``values()``, ``items()``, ``update()``, ``pop()``, ``clear()``. A key is a
    non-empty string without ``"."`` that is not already an attribute of the container
    (``"train"``, ``"parameters"``, ...), as PyTorch requires; anything but a glassnet Module
    is refused.
    """

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None):
        if modules is not None:
            self.update(modules)

    def _key(self, key: Any) -> str:
        if not isinstance(key, str) or not key or "." in key:
            raise KeyError(
                f"ModuleDict keys are non-empty strings without '.' (they become parameter "
                f"names such as 'heads.<key>.W'); got {key!r:.80}."
            )
        if hasattr(self, key) and not isinstance(vars(self).get(key), Module):
            raise KeyError(
                f"ModuleDict: the key {key!r} is an attribute of the container "
                f"(ModuleDict.{key}); choose another name."
            )
        return key

    def __setitem__(self, key: str, module: Module) -> None:
        self.__dict__[self._key(key)] = _module(module, "ModuleDict", f"the value of {key!r}")

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add or replace modules from a mapping or ``(key, module)`` pairs; every key and
        module is checked before any is stored."""
        if isinstance(modules, (Mapping, ModuleDict)):
            pairs = list(modules.items())
        elif isinstance(modules, Iterable) and not isinstance(modules, (str, Module)):
            pairs = list(modules)
            if not all(isinstance(p, tuple) and len(p) == 2 for p in pairs):
                raise TypeError("ModuleDict.update takes a mapping or (key, module) pairs.")
        else:
            raise TypeError(f"ModuleDict takes a mapping of modules; got {modules!r:.80}.")
        for k, m in pairs:
            self._key(k), _module(m, "ModuleDict", f"the value of {k!r}")
        for k, m in pairs:
            self[k] = m

    def __repr__(self) -> str:
        return _repr("ModuleDict", self.items())


def _parameter(value: Any, owner: str, where: str) -> Parameter:
    """``value`` as PyTorch's parameter containers store it: a Parameter as it is, a Tensor
    (or a float array, glassnet's values) made a Parameter sharing its memory, as PyTorch's
    ``Parameter(tensor)``; anything else a TypeError naming where it was given."""
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor) or (isinstance(value, np.ndarray) and value.dtype.kind == "f"):
        return Parameter(value)
    kind = getattr(value, "dtype", None)
    what = f"an array of {kind}" if isinstance(value, np.ndarray) else f"{value!r:.60}"
    raise TypeError(
        f"{owner} holds parameters: a glassnet Parameter, or a Tensor or float array (made a "
        f"Parameter, as PyTorch makes a Tensor one); {where} is {what}. Keep other values in "
        "a plain attribute of your module."
    )


def _parameter_lines(items: Iterable[tuple[str, Parameter]]) -> list[str]:
    return [
        f"  ({k}): Parameter containing: [{p.data.dtype} of size "
        f"{'x'.join(map(str, p.data.shape))}]"
        for k, p in items
    ]


def _not_called(self: Module, *args: Any, **kwargs: Any) -> Any:
    name = type(self).__name__
    raise RuntimeError(
        f"{name} should not be called (PyTorch's rule): it holds parameters for your "
        f"module's forward to use, e.g. self.params[0] or self.params['key']."
    )


class ParameterList(Module):
    """A list of parameters that the model owns (PyTorch's ``nn.ParameterList``): in
    ``parameters()``, ``named_parameters()`` and ``state_dict()`` under the names ``"0"``,
    ``"1"``, ... (``"params.0"`` inside a module's ``self.params``), so optimizers see them.

    ``ParameterList([p, q])``; ``pl[i]``, ``pl[i] = p``, ``pl[1:]`` (a ParameterList),
    ``len``, iteration, ``append``, ``extend``, ``+=``. A Tensor (or a float array) put in
    is made a :class:`~glassnet.nn.Parameter` sharing its memory, as PyTorch makes a Tensor
    one; anything else is refused with a TypeError (PyTorch's would keep it as an object).
    Not called: use its parameters in your module's ``forward``.

    >>> import numpy as np
    >>> from glassnet import nn
    >>> pl = nn.ParameterList([np.zeros((2, 3)), nn.Parameter(np.ones(3))])
    >>> [(name, type(p).__name__) for name, p in pl.named_parameters()]
    [('0', 'Parameter'), ('1', 'Parameter')]
    """

    __call__ = _not_called

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        if values is not None:
            self.extend(values)

    def _items(self) -> list[Parameter]:
        return [v for k, v in vars(self).items() if k.isdigit()]

    def _set(self, params: list[Parameter]) -> None:
        for k in [k for k in vars(self) if k.isdigit()]:
            del self.__dict__[k]
        self.__dict__.update({str(i): p for i, p in enumerate(params)})

    def _index(self, i: Any) -> int:
        n = len(self)
        try:
            i = operator.index(i)
        except TypeError:
            raise TypeError(
                f"ParameterList indices are integers or slices, not {type(i).__name__} ({i!r:.40})."
            ) from None
        if not -n <= i < n:
            raise IndexError(
                f"ParameterList index {i} is out of range for {n} parameters; append(p) adds "
                "one at the end."
            )
        return i % n

    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return ParameterList(self._items()[i])
        return self._items()[self._index(i)]

    def __setitem__(self, i: int, value: Any) -> None:
        items = self._items()
        items[self._index(i)] = _parameter(value, "ParameterList", f"the value set at {i}")
        self._set(items)

    def __len__(self) -> int:
        return len(self._items())

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self._items())

    def __iadd__(self, values: Iterable[Any]) -> ParameterList:
        return self.extend(values)

    def __dir__(self) -> list[str]:
        return [k for k in super().__dir__() if not k.isdigit()]

    def append(self, value: Any) -> ParameterList:
        """Add ``value`` (made a Parameter, as above) at the end; returns self."""
        param = _parameter(value, "ParameterList", "the value appended")
        self._set([*self._items(), param])
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        """Add each of ``values`` at the end; returns self. Every value is checked before
        any is added."""
        if isinstance(values, (Tensor, np.ndarray, str, Mapping)) or not isinstance(
            values, Iterable
        ):
            raise TypeError(
                "ParameterList.extend takes an iterable of parameters (a list); got "
                f"{type(values).__name__}. Add one with append(p), or wrap it: extend([p])."
            )
        given = list(values)
        add = [_parameter(v, "ParameterList", f"the value at position {i}") for i, v in
               enumerate(given)]  # fmt: skip
        self._set([*self._items(), *add])
        return self

    def __repr__(self) -> str:
        lines = _parameter_lines((str(i), p) for i, p in enumerate(self._items()))
        return "ParameterList(\n" + "\n".join(lines) + "\n)" if lines else "ParameterList()"


class ParameterDict(_Keyed):
    """Parameters by name, in insertion order (PyTorch's ``nn.ParameterDict``): in
    ``parameters()``, ``named_parameters()`` and ``state_dict()`` under their keys
    (``"params.left"`` inside a module's ``self.params``).

    ``ParameterDict({"left": p, "right": q})`` or from ``(key, value)`` pairs; ``pd[key]``,
    ``pd[key] = p``, ``del pd[key]``, ``key in pd``, ``len``, iteration over the keys,
    ``keys()``, ``values()``, ``items()``, ``get``, ``setdefault``, ``update``, ``pop``,
    ``popitem``, ``clear``, ``copy``, ``fromkeys``, ``pd | other``, ``pd |= other``. As
    PyTorch's, a plain ``dict`` given to the constructor or ``update`` is taken in the
    sorted order of its keys (an ``OrderedDict``, a ParameterDict or a list of pairs keep
    their order). Values are made Parameters as :class:`ParameterList`'s are; a key is a
    non-empty string without ``"."`` that is not already an attribute of the container
    (``"train"``, ...), as PyTorch requires. Not called.

    >>> import numpy as np
    >>> from glassnet import nn
    >>> pd = nn.ParameterDict({"scale": np.ones(2), "shift": np.zeros(2)})
    >>> list(pd.state_dict())
    ['scale', 'shift']
    """

    __call__ = _not_called
    _holds = Parameter

    def __init__(self, parameters: Any = None) -> None:
        if parameters is not None:
            self.update(parameters)

    def _key(self, key: Any) -> str:
        if not isinstance(key, str):
            raise TypeError(
                f"ParameterDict keys are strings (they become parameter names such as "
                f"'params.<key>'); got {type(key).__name__} {key!r:.60}."
            )
        if not key or "." in key:
            raise KeyError(
                f"ParameterDict keys are non-empty strings without '.' (PyTorch's rule for a "
                f"parameter's name); got {key!r:.80}."
            )
        if hasattr(self, key) and not isinstance(vars(self).get(key), Parameter):
            raise KeyError(
                f"ParameterDict: the key {key!r} is an attribute of the container "
                f"(ParameterDict.{key}); choose another name."
            )
        return key

    def __setitem__(self, key: str, value: Any) -> None:
        param = _parameter(value, "ParameterDict", f"the value of {key!r}")
        self.__dict__[self._key(key)] = param

    def get(self, key: str, default: Any = None) -> Any:
        """The parameter at ``key``, else ``default``."""
        return self[key] if key in self else default

    def setdefault(self, key: str, default: Any = None) -> Parameter:
        """The parameter at ``key``; where there is none, ``default`` (made a Parameter) is
        set there first."""
        if key not in self:
            self[key] = default
        return self[key]

    def popitem(self) -> tuple[str, Parameter]:
        """Remove and return the last ``(key, parameter)`` pair set."""
        if not len(self):
            raise KeyError("popitem(): the ParameterDict is empty.")
        key = self._keys()[-1]
        return key, self.pop(key)

    def copy(self) -> ParameterDict:
        """A new ParameterDict of the same parameters, in the same order."""
        return ParameterDict(self.items())

    def fromkeys(self, keys: Iterable[str], default: Any = None) -> ParameterDict:
        """A new ParameterDict with ``keys``, each holding ``default``, as PyTorch's."""
        return ParameterDict([(k, default) for k in keys])

    def update(self, parameters: Any) -> None:
        """Add or replace parameters from a mapping (a plain dict in the sorted order of its
        keys, as PyTorch's; an OrderedDict or ParameterDict in its own) or from ``(key,
        value)`` pairs; every key and value is checked before any is stored."""
        if isinstance(parameters, (OrderedDict, ParameterDict)):
            pairs = list(parameters.items())
        elif isinstance(parameters, Mapping):
            pairs = sorted(parameters.items(), key=lambda kv: str(kv[0]))
        elif isinstance(parameters, Iterable) and not isinstance(
            parameters, (str, Module, Tensor, np.ndarray)
        ):
            pairs = list(parameters)
            for j, p in enumerate(pairs):
                if isinstance(p, (str, Tensor, np.ndarray)) or not isinstance(p, Iterable):
                    raise TypeError(
                        f"ParameterDict.update: element #{j} must be a (key, value) pair; got "
                        f"{type(p).__name__}."
                    )
                if len(p := tuple(p)) != 2:
                    raise ValueError(
                        f"ParameterDict.update: element #{j} has length {len(p)}; a (key, "
                        "value) pair has 2."
                    )
                pairs[j] = p
        else:
            raise TypeError(
                "ParameterDict takes a mapping of parameters or (key, value) pairs; got "
                f"{type(parameters).__name__}."
            )
        checked = {}
        for k, v in pairs:
            checked[self._key(k)] = _parameter(v, "ParameterDict", f"the value of {k!r}")
        for k, v in checked.items():
            self.__dict__[k] = v

    def __or__(self, other: Any) -> ParameterDict:
        merged = self.copy()
        merged.update(other)
        return merged

    def __ior__(self, other: Any) -> ParameterDict:
        self.update(other)
        return self

    def __repr__(self) -> str:
        lines = _parameter_lines(self.items())
        return "ParameterDict(\n" + "\n".join(lines) + "\n)" if lines else "ParameterDict()"


# ------------------------------------------------- the module tree, in PyTorch's names
# Attached to Module here, a layer above it, as glassnet.habits attaches PyTorch's Tensor
# methods: module.py keeps what the engine uses. Names are glassnet's own (``layers.0``
# for the first layer of a Sequential, as in named_parameters); a module is met once.


def named_children(self: Module) -> Iterator[tuple[str, Module]]:
    """The sub-modules this module holds directly, with their attribute names, each once."""
    seen: set[int] = set()
    for name, value in self._children():
        if isinstance(value, Module) and id(value) not in seen:
            seen.add(id(value))
            yield name, value


def named_modules(
    self: Module, memo: Any = None, prefix: str = "", remove_duplicate: bool = True
) -> Iterator[tuple[str, Module]]:
    """This module (named ``prefix``) and every module below it, depth first, each once,
    with its dotted name: PyTorch's ``named_modules(memo=None, prefix='',
    remove_duplicate=True)`` (``remove_duplicate=False``: a module two parents hold, under
    each of its names; ``memo``: a set of modules to leave out, filled as they are met)."""
    if memo is not None and not isinstance(memo, set):
        raise TypeError(
            f"named_modules: memo is a set of modules to leave out (PyTorch's first argument;"
            f" pass the prefix as prefix=). Got {memo!r:.60}."
        )
    check_bool(remove_duplicate, "remove_duplicate", "named_modules")
    seen: set[int] = {id(m) for m in memo} if memo else set()

    def walk(mod: Module, name: str) -> Iterator[tuple[str, Module]]:
        if id(mod) not in seen:  # (memo's modules left out either way, as PyTorch's)
            if remove_duplicate:  # (memo filled only then, as PyTorch's)
                seen.add(id(mod))
                if memo is not None:
                    memo.add(mod)
            yield name, mod
            kids = (
                mod.named_children()
                if remove_duplicate
                else ((n, v) for n, v in mod._children() if isinstance(v, Module))
            )
            for child, sub in kids:
                yield from walk(sub, f"{name}.{child}" if name else child)

    yield from walk(self, prefix)


def apply(self: Module, fn: Any) -> Module:
    """``fn(module)`` for every sub-module (children first) and then this one; returns self,
    as PyTorch's ``model.apply(init_weights)``."""
    if not callable(fn):
        raise TypeError(f"{type(self).__name__}.apply takes a function fn(module); got {fn!r:.80}.")
    for child in self.children():
        child.apply(fn)
    fn(self)
    return self


_TORCH_NAMES = {"in_features": "inputs", "out_features": "neurons", "bias": "b"}
_WEIGHT = (
    "glassnet's Linear keeps W: (inputs, neurons), the lecture's layout, which is PyTorch's "
    "weight transposed: use layer.W (layer.W.data.T holds PyTorch's weight values; nn.init's "
    "initializers take layer.W as they take PyTorch's weight)."
)


def _linear_getattr(self: Linear, name: str) -> Any:
    """PyTorch's names of a Linear's ``inputs``, ``neurons`` and ``b``; ``weight`` refused,
    naming W. (Only names the instance and its class lack come here: a subclass's own
    ``self.weight = 2.0`` is its own attribute.)"""
    if name in _TORCH_NAMES:
        return getattr(self, _TORCH_NAMES[name])
    raise AttributeError(
        _WEIGHT if name == "weight" else f"{type(self).__name__!r} object has no attribute {name!r}"
    )


def _linear_setattr(self: Linear, name: str, value: Any) -> None:
    """``layer.bias = None`` drops the bias and ``layer.bias = p`` sets it, as in PyTorch (on
    ``b``); a tensor given as ``layer.weight`` is refused, naming W. Anything else is the
    instance's own attribute, as ever."""
    if name == "bias" and (value is None or isinstance(value, Tensor)):
        name = "b"
    elif name == "weight" and isinstance(value, Tensor):
        raise AttributeError(_WEIGHT)
    Module.__setattr__(self, name, value)  # (a buffer set to a Tensor: its values)


def _linear_reset(self: Linear) -> None:
    """PyTorch's ``layer.reset_parameters()``: W drawn again from the layer's own
    initializer (``init``, xavier_uniform by default) with glassnet's default generator
    (``glassnet.manual_seed`` fixes it), b set to 0, as at construction; written into the
    same Parameters, so an optimizer built on them keeps them (its moments are its own: a
    fresh optimizer starts them afresh)."""
    if self.init == "custom" or self.init not in initializers.INITIALIZERS:
        raise ValueError(
            f"Linear.reset_parameters(): this layer was built with a custom initializer "
            f"({self.init!r}), which it does not keep; draw the weights again with it "
            f"yourself: with glassnet.no_grad(): layer.W.copy_(init(layer.W.shape, rng, "
            f"dtype))."
        )
    W = initializers.get_initializer(self.init)(self.W.shape, as_rng(None), self.W.dtype)
    with no_grad():
        self.W.copy_(W)
        if self.b is not None:
            self.b.zero_()


def _norm_reset(self: Module) -> None:
    """PyTorch's ``reset_parameters()`` of a normalization: weight 1, bias 0 and (of a
    BatchNorm1d) :meth:`reset_running_stats`."""
    if hasattr(self, "running_mean"):
        self.reset_running_stats()
    with no_grad():
        if self.weight is not None:
            self.weight.fill_(1)
        if self.bias is not None:
            self.bias.zero_()


def _reset_running_stats(self: BatchNorm1d) -> None:
    """PyTorch's ``reset_running_stats()``: running_mean 0, running_var 1,
    num_batches_tracked 0 (nothing where track_running_stats=False)."""
    if self.running_mean is not None:
        self.running_mean[...] = 0
        self.running_var[...] = 1
        self.num_batches_tracked[...] = 0


def get_parameter(self: Module, target: str) -> Parameter:
    """PyTorch's ``get_parameter("0.W")``: the Parameter at the dotted name ``target``."""
    return _get_state(self, target, "parameter")


def get_buffer(self: Module, target: str) -> Any:
    """PyTorch's ``get_buffer("1.running_mean")``: the buffer at the dotted name ``target``."""
    return _get_state(self, target, "buffer")


def _get_state(self: Module, target: str, kind: str) -> Any:
    if not isinstance(target, str):
        raise TypeError(f"get_{kind} takes a dotted name (a str). Got {target!r:.60}.")
    path, _, name = target.rpartition(".")
    mod = self.get_submodule(path)
    own = dict((mod.named_parameters if kind == "parameter" else mod.named_buffers)(recurse=False))
    if name not in own:
        raise AttributeError(
            f"{type(self).__name__}: {target!r} is not a {kind}; the {kind}s of "
            f"{type(mod).__name__} {path!r} are {list(own)}."
        )
    return own[name]


def get_submodule(self: Module, target: str) -> Module:
    """The sub-module at the dotted name ``target`` (``"layers.0"``; ``""``: this module),
    followed attribute by attribute (an index into a list of modules), as PyTorch's
    ``get_submodule``; a name that leads to no Module is an AttributeError naming it."""
    if not isinstance(target, str):
        raise TypeError(f"get_submodule takes a dotted name (a str). Got {target!r:.60}.")
    found: Any = self
    for part in target.split(".") if target else ():
        held = vars(found) if isinstance(found, Module) else {}
        if isinstance(found, (list, tuple)) and part.isdigit() and int(part) < len(found):
            found = found[int(part)]
        elif part in held:
            found = held[part]
        else:
            names = [n for n, _ in self.named_modules() if n]
            raise AttributeError(
                f"{type(self).__name__} has no sub-module {target!r} (no {part!r} there); its "
                f"sub-modules are {names[:12]}{' ...' if len(names) > 12 else ''}."
            )
    if not isinstance(found, Module):
        raise AttributeError(f"{type(self).__name__}: {target!r} is not a Module.")
    return found


_HOOK_KINDS = ("_forward_pre_hooks", "_forward_hooks", "_backward_pre_hooks", "_backward_hooks")


def _hooked_call(self: Module, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """A module's call with hooks (PyTorch's order): each pre-hook ``hook(module, args)``
    (a result other than None replaces the arguments: a tuple, or one argument), then
    ``forward``, then each hook ``hook(module, args, output)`` (a result other than None
    replaces the output); with ``with_kwargs=True``, ``(module, args, kwargs)`` and
    ``(module, args, kwargs, output)``, a pre-hook returning ``(args, kwargs)``."""
    for hook, with_kwargs in list(vars(self).get("_forward_pre_hooks", {}).values()):
        res = hook(self, args, kwargs) if with_kwargs else hook(self, args)
        if res is not None and with_kwargs:
            if not (isinstance(res, tuple) and len(res) == 2 and isinstance(res[1], dict)):
                raise TypeError(
                    f"a forward pre-hook with with_kwargs=True returns None or (args, kwargs); "
                    f"{getattr(hook, '__name__', hook)!s:.60} returned {type(res).__name__}."
                )
            args, kwargs = res
        elif res is not None:
            args = res if isinstance(res, tuple) else (res,)
    backward = is_grad_enabled() and any(vars(self).get(k) for k in _HOOK_KINDS[2:])
    if backward:
        args, seen = _gradient_taps(self, args)
    out = self.forward(*args, **kwargs)
    for hook, with_kwargs in list(vars(self).get("_forward_hooks", {}).values()):
        res = hook(self, args, kwargs, out) if with_kwargs else hook(self, args, out)
        out = out if res is None else res
    return _output_tap(self, out, seen) if backward else out


def _gradient_taps(self: Module, args: tuple[Any, ...]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The arguments of a call of a module with backward hooks: its one Tensor argument that
    requires grad (if any) passed through an identity node, whose backward runs the module's
    ``register_full_backward_hook`` hooks with dL/d(arguments) and dL/d(output), as PyTorch's
    (``grad_input`` holds None for every other argument). ``seen`` carries dL/d(output)
    from the output's node (:func:`_output_tap`) to it."""
    taps = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
    if len(taps) > 1:
        raise NotImplementedError(
            f"{type(self).__name__} with backward hooks was called with {len(taps)} tensors that "
            f"require grad (arguments {taps}): glassnet's module backward hooks take one; "
            "register a hook on each tensor instead (x.register_hook(hook))."
        )
    seen: dict[str, Any] = {"n": len(args), "at": taps[0] if taps else None}
    if not taps:
        return args, seen
    at, x = taps[0], args[taps[0]]

    def backward(g: Any) -> tuple[Any]:
        grad_input = tuple(g if i == at else None for i in range(len(args)))
        hooks = vars(self).get("_backward_hooks", {})
        what = f"full backward hook of {type(self).__name__}"
        return (run_module_hooks(hooks, (self,), grad_input, what, seen.get("out", (None,)))[at],)

    tap = x._viewing(Tensor.from_op(x.data.view(), "backward_hook", (x,), backward))
    return (*args[:at], tap, *args[at + 1 :]), seen


def _output_tap(self: Module, out: Any, seen: dict[str, Any]) -> Any:
    """A module's output, with backward hooks: through an identity node whose backward runs
    its ``register_full_backward_pre_hook`` hooks on dL/d(output), keeps it for the full
    backward hooks, and runs those at once when no argument requires grad (PyTorch's order)."""
    if isinstance(out, (tuple, list)) and any(isinstance(o, Tensor) for o in out):
        raise NotImplementedError(
            f"{type(self).__name__} with backward hooks returned a {type(out).__name__} of "
            "tensors: glassnet's module backward hooks take a module with one output tensor; "
            "register a hook on each output instead (out.register_hook(hook))."
        )
    if not isinstance(out, Tensor) or not out.requires_grad:
        return out  # (no gradient comes back through it: PyTorch runs no hook either)
    name = type(self).__name__

    def backward(g: Any) -> tuple[Any]:
        pre = vars(self).get("_backward_pre_hooks", {})
        (g,) = seen["out"] = run_module_hooks(
            pre, (self,), (g,), f"full backward pre-hook of {name}"
        )
        if seen["at"] is None:  # (no argument takes a gradient: the hooks run here)
            hooks = vars(self).get("_backward_hooks", {})
            none = (None,) * seen["n"]
            run_module_hooks(hooks, (self,), none, f"full backward hook of {name}", seen["out"])
        return (g,)

    return out._viewing(Tensor.from_op(out.data.view(), "backward_hook", (out,), backward))


def forward_hooked(module: Module) -> bool:
    """Whether ``module`` has forward hooks or forward pre-hooks (which see its calls; its
    backward hooks run in ``backward()`` only)."""
    return any(vars(module).get(k) for k in _HOOK_KINDS[:2])


def _register_hook(
    self: Module, kind: str, hook: Any, prepend: Any, with_kwargs: Any, always_call: Any = False
) -> RemovableHandle:
    owner = f"{type(self).__name__}.register{kind.removesuffix('s')}"
    if not callable(hook):
        raise TypeError(f"{owner} takes a function; got {hook!r:.80}.")
    first = check_bool(prepend, "prepend", owner)
    keywords = check_bool(with_kwargs, "with_kwargs", owner)
    if check_bool(always_call, "always_call", owner):
        raise ValueError(
            f"{owner}: always_call=True (a hook run when forward raises) is not offered; catch "
            f"the error around the call instead."
        )
    key = next(hook_ids)
    hooks = vars(self).setdefault(kind, {})
    if first:
        hooks_now = dict(hooks)
        hooks.clear()
        hooks[key] = (hook, keywords)
        hooks.update(hooks_now)
    else:
        hooks[key] = (hook, keywords)
    vars(self)["_hooked"] = _hooked_call

    def after() -> None:  # (with no hooks left, the module's call is plain again)
        if not any(vars(self).get(k) for k in _HOOK_KINDS):
            vars(self).pop("_hooked", None)

    return RemovableHandle(hooks, key, after)


def register_forward_hook(
    self: Module, hook: Any, *, prepend: Any = False, with_kwargs: Any = False,
    always_call: Any = False,
) -> RemovableHandle:  # fmt: skip
    """PyTorch's ``module.register_forward_hook(hook)``: ``hook(module, args, output)`` runs
    after each call of the module (a result other than None replaces the output), e.g. to
    keep a hidden layer's activations. The hooks run where the module is called, on the
    autodiff graph: ``fit`` runs a model with hooks there (the fast path never calls a
    module), and the tools that read a network's layers (``explain``, ONNX export) refuse it
    until ``handle.remove()``."""
    return _register_hook(self, "_forward_hooks", hook, prepend, with_kwargs, always_call)


def register_full_backward_hook(self: Module, hook: Any, prepend: Any = False) -> RemovableHandle:
    """PyTorch's ``module.register_full_backward_hook(hook)``: ``hook(module, grad_input,
    grad_output)`` runs when ``backward()`` has computed the gradients with respect to the
    module's arguments: ``grad_input`` a tuple with dL/d(argument) for the Tensor argument
    that requires grad and None for every other, ``grad_output`` ``(dL/d(output),)``, each a
    read-only array. A result other than None, a tuple of the same length, replaces
    ``grad_input``. Modules with one such argument and one output tensor, as glassnet's
    layers (several raise, naming ``Tensor.register_hook``). The hooks run on the autodiff
    graph, as forward hooks do (:func:`register_forward_hook`)."""
    return _register_hook(self, "_backward_hooks", hook, prepend, False)


def register_full_backward_pre_hook(
    self: Module, hook: Any, prepend: Any = False
) -> RemovableHandle:
    """PyTorch's ``module.register_full_backward_pre_hook(hook)``: ``hook(module,
    grad_output)`` runs when ``backward()`` reaches the module's output, before its own
    backward; a result other than None, a one-gradient tuple, replaces ``grad_output``."""
    return _register_hook(self, "_backward_pre_hooks", hook, prepend, False)


def register_backward_hook(self: Module, hook: Any) -> RemovableHandle:
    """PyTorch's deprecated form, refused with the pointer to its replacement."""
    raise NotImplementedError(
        f"{type(self).__name__}.register_backward_hook is PyTorch's deprecated form (its "
        "grad_input is the last op's, not the module's): use register_full_backward_hook(hook), "
        "hook(module, grad_input, grad_output), as PyTorch advises."
    )


def register_forward_pre_hook(
    self: Module, hook: Any, *, prepend: Any = False, with_kwargs: Any = False
) -> RemovableHandle:
    """PyTorch's ``module.register_forward_pre_hook(hook)``: ``hook(module, args)`` runs
    before each call's ``forward`` (a result other than None replaces the arguments); as
    :func:`register_forward_hook` for where hooks run."""
    return _register_hook(self, "_forward_pre_hooks", hook, prepend, with_kwargs)


def _attribute_name(self: Module, name: Any, owner: str, kind: type) -> str:
    """``name`` for an attribute of ``self`` as PyTorch checks it (a new one, or one that
    holds a ``kind`` or None), else a clear error."""
    if not isinstance(name, str):
        raise TypeError(f"{owner}: name must be a str. Got {name!r:.60}.")
    if not name or "." in name or not (name.isidentifier() or name.isdigit()):
        raise KeyError(f"{owner}: name must be an attribute name without '.'; got {name!r:.60}.")
    if hasattr(self, name) and not isinstance(getattr(self, name), (kind, type(None))):
        raise KeyError(f"{owner}: attribute {name!r} already exists; choose another name.")
    return name


def add_module(self: Module, name: str, module: Module | None) -> None:
    """PyTorch's ``add_module(name, module)`` (and ``register_module``): ``self.<name> =
    module`` (None: a place kept empty), a sub-module named as given."""
    owner = f"{type(self).__name__}.add_module"
    if module is not None:
        _module(module, owner, "module")
    if isinstance(self, Sequential):  # (its layers are its list, named layers.0, layers.1, ...)
        place = int(name) if isinstance(name, str) and name.isdigit() else -1
        if module is None or not 0 <= place <= len(self.layers):  # (PyTorch's takes any name)
            raise ValueError(
                f"{owner}: a Sequential's layers are its list, named by their place: give a "
                f"module and its place ({len(self.layers)} appends it, a smaller one replaces "
                f"that layer), or call append(module). Got {name!r:.40}. (PyTorch's takes any "
                "name: for layers by name, hold them in an nn.ModuleDict or your own Module.)"
            )
        self.layers[place : place + 1] = [module]  # (PyTorch's: a name held is replaced)
        return
    setattr(self, _attribute_name(self, name, owner, Module), module)


def register_parameter(self: Module, name: str, param: Any) -> None:
    """PyTorch's ``register_parameter(name, param)``: ``self.<name> = param``, a
    :class:`~glassnet.nn.Parameter` (or None: no parameter there)."""
    owner = f"{type(self).__name__}.register_parameter"
    if param is not None and not isinstance(param, Parameter):
        raise TypeError(
            f"{owner}: param must be a glassnet nn.Parameter or None; got "
            f"{type(param).__name__} (wrap it: nn.Parameter(values))."
        )
    setattr(self, _attribute_name(self, name, owner, Parameter), param)


def _layers(name: str, given: Any) -> list[Module]:
    for m in given:
        if not isinstance(m, Module):
            raise TypeError(
                f"Sequential.{name}: a layer must be a glassnet Module. Got {type(m).__name__}."
            )
    return list(given)


def _append(self: Sequential, module: Module) -> Sequential:
    """Add ``module`` at the end (PyTorch's ``Sequential.append``); returns the Sequential."""
    self.layers += _layers("append", [module])
    return self


def _extend(self: Sequential, modules: Any) -> Sequential:
    """Add ``modules`` at the end, in order (PyTorch's ``extend``); returns the Sequential."""
    self.layers += _layers("extend", list(modules))
    return self


def _insert(self: Sequential, index: int, module: Module) -> Sequential:
    """Put ``module`` before position ``index`` (``-len`` to ``len``), as PyTorch's
    ``insert``; an index outside that range is an IndexError (list.insert would clamp it)."""
    n = len(self.layers)
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not -n <= index <= n:
        raise IndexError(f"Sequential.insert: index must be in [{-n}, {n}]. Got {index!r}.")
    self.layers.insert(int(index) + n if index < 0 else int(index), *_layers("insert", [module]))
    return self


def _position(self: Sequential, index: Any, what: str) -> int:
    """``index`` (an int, negative from the end, as PyTorch's) as a position of the layers,
    or an error naming it."""
    n = len(self.layers)
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
        raise TypeError(f"Sequential.{what}: index must be an int. Got {index!r:.40}.")
    if not n:
        raise IndexError(f"Sequential.{what}: the Sequential is empty (no layer at {index}).")
    if not -n <= index < n:
        raise IndexError(
            f"Sequential.{what}: index {index} is out of range for {n} layer(s) "
            f"(from {-n} to {n - 1})."
        )
    return int(index) % n


def _len(self: Sequential) -> int:
    """``len(seq)``: its number of layers, as PyTorch's."""
    return len(self.layers)


def _iter(self: Sequential) -> Iterator[Module]:
    """``for layer in seq``: its layers in order, as PyTorch's."""
    return iter(self.layers)


def _setitem(self: Sequential, index: int, module: Module) -> None:
    """``seq[i] = module`` (PyTorch's: replace a layer, e.g. the head ``seq[-1]``)."""
    i = _position(self, index, "__setitem__")
    self.layers[i] = _layers("__setitem__", [module])[0]


def _delitem(self: Sequential, index: int | slice) -> None:
    """``del seq[i]`` or ``del seq[i:j]`` (PyTorch's; the layers after move up)."""
    if isinstance(index, slice):
        del self.layers[index]
    else:
        del self.layers[_position(self, index, "__delitem__")]


def _pop(self: Sequential, index: int | slice = -1) -> Any:
    """Remove and return the layer at ``index`` (a Sequential of them for a slice), as
    PyTorch's ``Sequential.pop``."""
    found = self[index] if isinstance(index, slice) else self[_position(self, index, "pop")]
    _delitem(self, index)
    return found


def _joined(self: Sequential, other: Any, op: str) -> list[Module]:
    if not isinstance(other, Sequential):
        raise TypeError(
            f"Sequential {op} takes a Sequential, as PyTorch's. Got {type(other).__name__}: "
            "seq.append(module) adds one layer, seq.extend([...]) several."
        )
    return list(other.layers)


def _add(self: Sequential, other: Any) -> Sequential:
    """``seq1 + seq2``: a new Sequential of the layers of both (the same modules, as
    PyTorch's)."""
    return Sequential(*self.layers, *_joined(self, other, "+"))


def _iadd(self: Sequential, other: Any) -> Sequential:
    """``seq1 += seq2``: seq2's layers appended to seq1 (the same modules, as PyTorch's)."""
    self.layers += _joined(self, other, "+=")
    return self


def register_module(self: Module, name: str, module: Module | None) -> None:
    """PyTorch's alias of :meth:`add_module`: ``self.<name> = module``."""
    add_module(self, name, module)


def children(self: Module) -> Iterator[Module]:
    """The direct sub-modules, in the order they were set (PyTorch's ``children()``)."""
    return (m for _, m in self.named_children())


def cpu(self: Module) -> Module:
    """PyTorch's ``model.cpu()``: ``model.to("cpu")``; returns the module."""
    return self.to("cpu")


def eval(self: Module) -> Module:  # noqa: A001 (PyTorch's name, a method here)
    """Evaluation mode (dropout off): ``train(False)``, as PyTorch's; returns self."""
    return self.train(False)


# (named as Module's own: help(), tracebacks and pickle find them)
attach(Module, (named_children, named_modules, apply, get_submodule, register_forward_hook,
    register_forward_pre_hook, register_full_backward_hook, register_full_backward_pre_hook,
    register_backward_hook, add_module, register_module, register_parameter, children, cpu,
    get_parameter, get_buffer, eval), module=False)  # fmt: skip


def register_buffer(self: Module, name: str, tensor: Any, persistent: bool = True) -> None:
    """Keep ``tensor`` (an array, a Tensor's values, or None) as the attribute ``name``:
    state that is no parameter (a BatchNorm's running mean), so in ``buffers()``,
    ``to()``, ``state_dict()`` and ``load_state_dict`` (these two not with
    ``persistent=False``, a buffer that is not saved), never in ``parameters()`` (no
    optimizer or L2 sees it), as PyTorch's ``register_buffer``. Set it again as
    ``self.name = array``."""
    owner = f"{type(self).__name__}.register_buffer"
    if not isinstance(name, str) or not name.isidentifier():  # (a str: PyTorch's KeyError)
        raise (BufferNameError if isinstance(name, str) else TypeError)(
            f"{owner}: name must be an attribute name (a str, no '.'). Got {name!r:.40}."
        )
    if hasattr(self, name) and name not in vars(self).get("_buffers", ()):
        raise KeyError(f"{owner}: attribute {name!r} already exists; choose another name.")
    saved = check_bool(persistent, "persistent", owner)
    value = tensor.data if isinstance(tensor, Tensor) else tensor
    if value is not None and namespace(value) is np:
        value = np.asarray(value)
    setattr(self, name, value)
    for key, keep in (("_buffers", True), ("_transient", not saved)):
        names = vars(self).setdefault(key, [])  # (a buffer set again keeps its place)
        if keep and name not in names:
            names.append(name)
        elif not keep and name in names:
            names.remove(name)


def _num_parameters(self) -> int:
    """The number of learned values."""
    return int(sum(p.data.size for p in self.parameters()))


def _requires_grad_(self, requires_grad: bool = True) -> Self:
    """Freeze (False) or unfreeze every parameter: optimizers skip a frozen one; self."""
    requires_grad = check_bool(requires_grad, "requires_grad", "requires_grad_")
    for p in self.parameters():
        p.requires_grad = requires_grad
    return self


def _double(self) -> Self:
    """``to(float64)``: every parameter in float64, in place."""
    return self.to(np.float64)


def _float(self) -> Self:
    """``to(float32)``: every parameter in float32, in place."""
    return self.to(np.float32)


# PyTorch's, which no engine module calls, Module's as before (the buffer's bookkeeping:
# __setattr__, __delattr__, _named_state and buffers() in torch_module.py)
Module.register_buffer = register_buffer
attach(Module, {f.__name__[1:]: f for f in (_num_parameters, _requires_grad_, _double, _float)},
       module=False)  # fmt: skip


# PyTorch's rules for a module's attributes, around torch_module's bookkeeping: what would drop
# a parameter, a sub-module or a buffer out of parameters() and state_dict() is refused.
_set_attribute, _register_buffer = Module.__setattr__, Module.register_buffer
_load_state_dict, _to, _state_dict = Module.load_state_dict, Module.to, Module.state_dict


def _refused(self: Module, name: str, kind: str, value: Any) -> TypeError:
    """PyTorch's TypeError for ``value`` set as the ``kind`` at ``name``, with the fix."""
    what, m = type(value).__name__, f"{type(self).__name__.lower()}.{name}"
    dropped = "it would drop out of parameters() and state_dict()"
    fix = {
        "parameter": (
            f"glassnet nn.Parameter or None expected: {dropped}, so no optimizer would train "
            f"it and no file would keep it. To set its values keep the Parameter, "
            f"{m}.data[...] = values; to replace it, {m} = nn.Parameter(values); for a "
            f"computed weight (a graph value), del {m} first, as in PyTorch"
        ),
        "child module": (
            f"glassnet Module or None expected: {dropped.replace('it', 'its parameters', 1)}."
            + (
                f" Set an instance, {m} = {value.__name__}(...)"
                if isinstance(value, type)
                else f" Set a Module, or None or del {m} to remove it"
            )
        ),  # fmt: skip
        "buffer": (
            "an array, a Tensor or None expected, as PyTorch's: state_dict() copies it and "
            f"to() moves it. Write into it, {m}[...] = {value!r:.30}, or give an array, "
            f"np.asarray({value!r:.30}); to keep a plain attribute, del {m} first"
        ),
        "new buffer": (
            "an array, a Tensor or None expected, as PyTorch's takes a tensor: state_dict() "
            f"copies it and to() moves it. Give an array, np.asarray({value!r:.30})"
        ),
    }[kind]
    kind = kind.removeprefix("new ")
    return TypeError(f"cannot assign {what!r} as {kind} {name!r} of {type(self).__name__} ({fix}).")


def _buffer_value(value: Any) -> Any:
    """``value`` as a buffer keeps it: None, a Tensor or an array (a NumPy number: a 0-d
    array, as ``self.count = self.count + 1`` gives one); else None and False."""
    if isinstance(value, np.generic):
        return np.asarray(value)
    return value if value is None or isinstance(value, Tensor) or is_array(value) else False


def _module_setattr(self: Module, name: str, value: Any) -> None:
    """PyTorch's ``Module.__setattr__`` rules: over a Parameter only a Parameter or None, over
    a sub-module only a Module (a Parameter) or None, over a buffer only an array, a Tensor,
    a Parameter or a Module (those two make it one) or None; a value of another kind than
    the one held moves to the end of its kind's order (PyTorch's registration order). A
    computed weight (a graph value, gradcheck's input) goes where the Parameter was ``del``-ed
    first, as in PyTorch (``layer.W = layer.W * 0.5`` would drop W from training in silence)."""
    held = vars(self).get(name)
    if value is not None and not isinstance(value, Parameter):
        if isinstance(held, Parameter):
            raise _refused(self, name, "parameter", value)
        if isinstance(held, Module) and not isinstance(value, Module):
            raise _refused(self, name, "child module", value)
        if name in vars(self).get("_buffers", ()) and not isinstance(value, Module):
            if (kept := _buffer_value(value)) is False:
                raise _refused(self, name, "buffer", value)
            value = kept
    kind = next((k for k in (Parameter, Module) if isinstance(value, k)), None)
    if kind and held is not None and not isinstance(held, kind):  # (over a plain value, say)
        delattr(self, name)
    _set_attribute(self, name, value)


def _module_state_dict(
    self: Module, destination: Any = None, prefix: str = "", keep_vars: bool = False
) -> Any:
    """As PyTorch's: ``prefix`` goes before each name, ``keep_vars=True`` gives the
    Parameters and buffer arrays themselves (no copies), and a ``destination`` dict is
    filled and returned."""
    keep = check_bool(keep_vars, "keep_vars", f"{type(self).__name__}.state_dict")
    if not isinstance(prefix, str) or not isinstance(destination, (MutableMapping, type(None))):
        raise TypeError(
            f"{type(self).__name__}.state_dict: prefix is a str, destination a dict or None; "
            f"got {prefix!r:.40} and {type(destination).__name__}."
        )
    state = self._named_state(saved=True) if keep else _state_dict(self).items()
    state = _own_states(self, {prefix + k: v for k, v in state}, prefix, keep)
    return state if destination is None else destination.update(state) or destination


_TORCH_ONLY = ("_save_to_state_dict", "_load_from_state_dict")  # (PyTorch's: not called here)


def _torch_only(self: Module, hook: str, modules: Any = None) -> None:
    """A NotImplementedError where a module of the tree overrides ``hook``, a state-dict
    method of PyTorch's that glassnet never calls (which would otherwise be skipped in
    silence): ``_save_to_state_dict`` checked by saving, ``_load_from_state_dict`` by
    loading. ``modules``: the tree's ``(name, module)`` pairs, when walked already."""
    for name, m in self.named_modules() if modules is None else modules:
        if hasattr(m, hook):
            raise NotImplementedError(
                f"{type(m).__name__}.{hook} (at {name or 'the model itself'!r}): glassnet does "
                "not call PyTorch's per-module state-dict hooks. Override state_dict() and "
                "load_state_dict() (a parent calls a child's state_dict, as PyTorch's), or keep "
                "non-parameter state in get_extra_state()/set_extra_state()."
            )


def _state_dict_hook(kind: str) -> Any:
    """PyTorch's ``register_<kind>_hook``, which glassnet does not offer: refused, saying
    what to write instead (not a bare AttributeError)."""

    def refused(self: Module, hook: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f"{type(self).__name__}.register_{kind}_hook: glassnet has no state-dict hooks "
            "(PyTorch's); override state_dict() or load_state_dict() in your Module (a parent "
            "calls a child's state_dict, as PyTorch's), or use get_extra_state()/"
            "set_extra_state() for state that is no parameter or buffer."
        )

    refused.__doc__ = f"PyTorch's ``register_{kind}_hook``: not offered (a clear refusal)."
    return refused


attach(Module, {f"register_{k}_hook": _state_dict_hook(k) for k in ("state_dict_pre",
    "state_dict_post", "load_state_dict_pre", "load_state_dict_post")}, module=False)  # fmt: skip


def _own_states(self: Module, state: dict[str, Any], prefix: str, keep: bool) -> dict[str, Any]:
    """``state`` with, as PyTorch's parent does, each sub-module's own ``state_dict()``
    override called for its part (in its place; an override of glassnet's signature, with
    no prefix, has its names prefixed) and each ``get_extra_state()`` under
    ``<name>._extra_state``."""
    if not any(map(_special, self.modules())):  # (a quick walk: types only, no names)
        return state
    parts: dict[str, dict[str, Any]] = {}  # (a sub-module's prefix -> its override's entries)
    extras: dict[str, Any] = {}
    for name, m in self.named_modules():  # (one walk: the check of a torch-only hook, too)
        _torch_only(self, _TORCH_ONLY[0], ((name, m),))
        at = f"{prefix}{name}." if name else prefix
        if any(at.startswith(p) for p in parts):  # (inside an override's part)
            continue
        if name and type(m).state_dict is not Module.state_dict:
            parts[at] = _called_state(m, at, keep)
        elif callable(getattr(m, "get_extra_state", None)):
            extras[at + "_extra_state"] = m.get_extra_state()
    if not parts and not extras:
        return state
    out: dict[str, Any] = {}
    for k, v in state.items():
        owner = next((p for p in parts if k.startswith(p)), None)
        if owner is None:
            out[k] = v
        elif owner in parts:  # (the first of its names: its override's entries there)
            out.update(parts.pop(owner))
    for part in parts.values():  # (an override of a module with nothing saved of its own)
        out.update(part)
    return {**out, **extras}


def _special(m: Module) -> bool:
    """Whether saving ``m`` needs more than its arrays: its class overrides ``state_dict``,
    has ``get_extra_state`` or PyTorch's ``_save_to_state_dict`` (read on the class: a
    module's own missing attribute costs its ``__getattr__``'s message)."""
    cls = type(m)
    return (
        cls.state_dict is not Module.state_dict
        or hasattr(cls, _TORCH_ONLY[0])
        or hasattr(cls, "get_extra_state")
    )


def _called_state(m: Module, at: str, keep: bool) -> dict[str, Any]:
    """A sub-module's ``state_dict()`` override called as PyTorch's parent calls it
    (``destination``, ``prefix``, ``keep_vars``), or, where it takes no ``prefix``
    (glassnet's signature), called plain, its names prefixed."""
    params = inspect.signature(m.state_dict).parameters.values()
    if any(p.name == "prefix" or p.kind is p.VAR_KEYWORD for p in params):
        dest: dict[str, Any] = {}
        out = m.state_dict(destination=dest, prefix=at, keep_vars=keep)
        return dest if out is None else dict(out)
    return {at + k: v for k, v in m.state_dict().items()}


def _checked_register_buffer(self: Module, name: str, tensor: Any, persistent: bool = True) -> None:
    """``register_buffer(name, tensor, persistent=True)``; ``tensor`` an array, a Tensor or
    None, as PyTorch's takes a tensor or None (a number or a list: a TypeError)."""
    if _buffer_value(tensor) is False:
        raise _refused(self, name, "new buffer", tensor)
    _register_buffer(self, name, tensor, persistent)


def _module_load_state_dict(
    self: Module, state_dict: Any, strict: bool = True, assign: bool = False
) -> Any:
    """PyTorch's ``assign=True`` is refused (glassnet copies into the model's own arrays).
    A tied parameter (one Parameter at several places, ``dec.W = enc.W``) is listed by
    ``state_dict()`` once, under its first name; PyTorch's lists it at every name, and such
    a state dict loads too (the values at its names must agree)."""
    owner = f"{type(self).__name__}.load_state_dict"
    if check_bool(assign, "assign", owner):
        raise ValueError(
            f"{owner}(assign=True): glassnet copies the values into the model's own "
            "parameters and buffers (PyTorch's assign=False; the optimizers hold those "
            "parameters), and has no meta device to assign into: call load_state_dict(state)."
        )
    state, hint, extras = state_dict, "", {}
    if isinstance(state_dict, Mapping):
        state, extras = _extra_states(self, state_dict, owner, strict)
        state, hint = _tied_folded(self, state, owner)
    try:
        loaded = _load_state_dict(self, state, strict)
    except StateDictError as e:
        hint += _overridden(self, state) if isinstance(state, Mapping) else ""
        if not hint:
            raise
        raise StateDictError(f"{e}{hint}") from None
    for m, value in extras.items():
        m.set_extra_state(value)
    return loaded


def _overridden(self: Module, state: Mapping[str, Any]) -> str:
    """Where a key not of the model's own lies under a sub-module whose class overrides
    ``state_dict`` (which a parent calls): a hint naming it, and that the parent does not
    call the sub-module's ``load_state_dict`` (PyTorch's neither)."""
    own = set(_state_dict(self))
    for name, m in self.named_modules():
        key = next((k for k in state if k not in own and k.startswith(f"{name}.")), None)
        if name and key is not None and type(m).state_dict is not Module.state_dict:
            cls = type(m).__name__
            return (
                f" ({key!r} came from {cls}.state_dict(), which the parent calls; a parent "
                f"does not call {cls}.load_state_dict (PyTorch's neither): keep such state "
                "in get_extra_state()/set_extra_state(), which a parent saves and loads.)"
            )
    return ""


def _extra_states(
    self: Module, state: Mapping[str, Any], owner: str, strict: Any
) -> tuple[Mapping[str, Any], dict[Module, Any]]:
    """``state`` without the ``<name>._extra_state`` entries of the modules that take one
    (``set_extra_state``, PyTorch's), and those values by module; one missing is refused
    with ``strict``. PyTorch's hooks that glassnet does not call are refused."""
    named = list(self.named_modules())
    _torch_only(self, _TORCH_ONLY[1], named)
    takes = [(n, m) for n, m in named if callable(getattr(m, "set_extra_state", 0))]
    if not takes:
        return state, {}
    state, extras = dict(state), {}
    for name, m in takes:
        key = f"{name}._extra_state" if name else "_extra_state"
        if key in state:
            extras[m] = state.pop(key)
        elif strict:
            raise StateDictError(
                f"{owner}: missing key {key!r}, the extra state {type(m).__name__}."
                "get_extra_state() saves; pass the dict state_dict() returned (or strict=False)."
            )
    return state, extras


def _tied_folded(self: Module, state: Mapping[str, Any], owner: str) -> tuple[Any, str]:
    """``state`` with the values at the other names of a tied parameter or buffer (one
    object at several places, which state_dict() lists once, under its first name, where
    PyTorch's lists every name) given under its first name; and, for a state that lacks a
    name, the hint to give a tied model's value there too."""
    own = dict(self._named_state(saved=True))
    names = {id(v): k for k, v in own.items()}
    folded = dict(state)
    for name, v in self._named_state(saved=True, dedupe=False):
        first = names[id(v)]
        if name != first and name in folded:
            given = folded.pop(name)
            if first in folded and not _same(folded[first], given):
                raise StateDictError(
                    f"{owner}: {name!r} and {first!r} name one object in this model (tied "
                    f"weights: one Parameter at both places), which cannot take the two "
                    f"different values the state dict gives them (PyTorch's keeps the "
                    f"last); give one of them, or the same values at both."
                )
            folded.setdefault(first, given)
    shapes = {k: getattr(v, "shape", None) for k, v in state.items() if isinstance(k, str)}
    for name in (k for k in own if k not in folded):
        leaf, shape = name.rsplit(".", 1)[-1], own[name].shape
        like = [k for k, s in shapes.items() if k.rsplit(".", 1)[-1] == leaf and s == shape]
        if like:
            return folded, (
                f" A glassnet model with tied weights (one Parameter at several places, "
                f"dec.W = enc.W) lists it in its state_dict once, under its first name, where "
                f"PyTorch's lists every name: if the state comes from such a model, give the "
                f"value at {name!r} too, state[{name!r}] = state[{like[0]!r}]."
            )
    return folded, ""


def _same(a: Any, b: Any) -> bool:
    """Whether two values given for one tied parameter are the same numbers."""
    try:
        return bool(np.array_equal(*(v.data if isinstance(v, Tensor) else v for v in (a, b)),
                                   equal_nan=True))  # fmt: skip
    except (TypeError, ValueError):  # (not numbers: load_state_dict names what they are)
        return a is b


def _module_to(self: Module, *args: Any, non_blocking: bool = False, **kwargs: Any) -> Module:
    """``to(...)`` with PyTorch's ``non_blocking``, taken: glassnet's copies to and from a
    GPU complete before ``to`` returns."""
    check_bool(non_blocking, "non_blocking", f"{type(self).__name__}.to")
    return _to(self, *args, **kwargs)


_linear_forward = Linear.forward


def _checked_linear_forward(self: Linear, x: Tensor) -> Tensor:
    if self.W is None:  # (set to None, as PyTorch lets a Linear's weight be)
        raise TypeError(
            f"{type(self).__name__}: its weight W is None (set to None); give it a Parameter "
            f"before calling it: layer.W = nn.Parameter(values of shape ({self.inputs}, "
            f"{self.neurons}))."
        )
    return _linear_forward(self, x)


for _fn, _name in (
    (_module_setattr, "__setattr__"), (_checked_register_buffer, "register_buffer"),
    (_module_load_state_dict, "load_state_dict"), (_module_to, "to"),
    (_module_state_dict, "state_dict"),
):  # fmt: skip
    _docs = (getattr(Module, _name).__doc__, _fn.__doc__)
    _fn.__doc__ = "\n\n".join(inspect.cleandoc(d) for d in _docs if d)
    attach(Module, {_name: _fn}, module=False)
attach(Linear, {"forward": _checked_linear_forward}, module=False)


def _cuda(self: Module, device: Any = None) -> Module:
    """PyTorch's ``model.cuda()``: ``model.to("cuda")``, as ``x.cuda()`` is ``x.to("cuda")``
    (CuPy arrays on an NVIDIA GPU; docs/gpu.md). Returns the module."""
    if device not in (None, 0, "cuda", "cuda:0"):
        raise ValueError(
            f"{type(self).__name__}.cuda(device): glassnet uses one GPU, cuda:0. Got {device!r}."
        )
    return self.to("cuda")


def _half(self: Module, name: str = "half") -> Module:
    """PyTorch's ``model.half()`` (``bfloat16()``): refused, glassnet's parameters are
    float32 or float64."""
    raise TypeError(
        f"{type(self).__name__}.{name}(): glassnet keeps parameters in float32 or float64 only "
        "(no float16 or bfloat16 training); model.float() is float32, model.double() "
        "float64. See docs/gpu.md for what runs on a GPU."
    )


def _bfloat16(self: Module) -> Module:
    """PyTorch's ``model.bfloat16()``: refused, glassnet's parameters are float32 or
    float64."""
    return _half(self, "bfloat16")


attach(Module, {"cuda": _cuda, "half": _half, "bfloat16": _bfloat16}, module=False)
attach(Sequential, {"__setitem__": _setitem, "__delitem__": _delitem, "__add__": _add,
    "__iadd__": _iadd}, module=False)  # fmt: skip
attach(Sequential, {f.__name__[1:]: f for f in (_append, _extend, _insert, _pop)})
attach(Sequential, {"__len__": _len, "__iter__": _iter})  # (the engine slices: layers.py)
attach(Linear, {"__getattr__": _linear_getattr, "__setattr__": _linear_setattr,
    "reset_parameters": _linear_reset}, module=False)  # fmt: skip
attach(BatchNorm1d, {"reset_parameters": _norm_reset,
    "reset_running_stats": _reset_running_stats}, module=False)  # fmt: skip
LayerNorm.reset_parameters = _norm_reset  # (one function: BatchNorm1d.reset_parameters)


class Flatten(Module):
    """PyTorch's ``nn.Flatten(start_dim=1, end_dim=-1)``: each sample's axes from
    ``start_dim`` to ``end_dim`` as one (images of shape (N, 28, 28) as rows (N, 784)); a
    view in the graph (:meth:`Tensor.flatten`). Networks with one run on the graph."""

    _hparams = ("start_dim", "end_dim")

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        for name, v in (("start_dim", start_dim), ("end_dim", end_dim)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise TypeError(f"Flatten: {name} must be an int. Got {v!r:.40}.")
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)

    def forward(self, x: Tensor) -> Tensor:
        return x.flatten(self.start_dim, self.end_dim)


def from_config(cfg: dict[str, Any]) -> Module:
    """Rebuild a module from :meth:`Module.config` (weights are zero/random: load them next).

    A config holds the module's type and the arguments of its constructor.
    """
    if not isinstance(cfg, dict) or "type" not in cfg:
        raise ValueError(f"from_config: expected a dict with a 'type' key. Got {cfg!r:.80}.")
    kwargs = {k: v for k, v in cfg.items() if k != "type"}
    module = BUILDABLE.get(cfg["type"])
    if module is None:
        raise ValueError(f"from_config: unknown module type {cfg['type']!r}.")
    seed = kwargs.pop("seed", None) if module in (MLP, Dropout) else None  # (an int rng=)
    if module is Dropout:
        kwargs["rng"] = seed
    if module in (Linear, MLP, Neuron):  # a fixed seed: rebuilding is deterministic (the
        kwargs["rng"] = 0 if seed is None else seed  # weights come next); an MLP's: its masks'
        if (why := missing_entry(cfg, get_activation)) is not None:  # (added where saved)
            raise ValueError(why)
    try:
        built = module(**kwargs)
    except TypeError as e:  # a key the constructor does not take
        raise ValueError(f"from_config: {cfg['type']} cannot be built from {cfg!r:.80}: {e}") from e
    if module is MLP and seed is None:  # (not rng=0's stream: the default generator's, as saved)
        built._seed = None
        for m in (m for m in built.layers if isinstance(m, Dropout)):
            m.rng = None
    return built


# fmt: off
#: The module types from_config builds, by name (the layers a model file may hold).
BUILDABLE: dict[str, Any] = {m.__name__: m for m in (
    Linear, MLP, Neuron, Dropout, Sigmoid, Tanh, ReLU, LeakyReLU, Identity, Softmax,
    TableActivation, Flatten, GELU, SiLU, ELU, Softplus, LogSoftmax, LayerNorm, BatchNorm1d,
)}
# fmt: on
BUILDABLE["Sequential"] = lambda layers: Sequential(*map(from_config, layers))
