"""Layers: the fully-connected layer, activation modules, dropout, containers, MLP, Neuron.

Modules are thin: each ``forward`` calls one function of :mod:`glassnet.functional`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import functional as F
from .._validation import (
    as_rng,
    check_mlp_args,
    check_no_inplace,
    check_number,
    implicit_dim,  # (PyTorch's implicit softmax axis)
    name_layer,
)
from ..tensor import Tensor
from . import init as initializers
from ._checks import (
    check_init_shape,
    check_layers,
    leaky_slope,
    linear_args,
    mlp_dtype,
    neuron_activation,
    neuron_weights,
    softmax_dim,
    table_activation,
)
from .module import Module, Parameter

if TYPE_CHECKING:  # (what nn.containers and nn.torch_module attach to Linear and Sequential)
    from ..declarations import LinearMethods, SequentialMethods
else:
    LinearMethods = SequentialMethods = Module


class Linear(LinearMethods):
    """A fully-connected layer: Z = X @ W + b.

    Parameters
    ----------
    inputs : int
        Features per sample (the slides' d).
    neurons : int
        Neurons in the layer; column i of ``W`` holds neuron i's weights.
    bias : bool
        Learn ``b`` (the slides' w_0 with x_0 = 1).
    init : str or callable
        Initializer for ``W`` (``glassnet.nn.init``); ``b`` starts at 0.
        Default ``'xavier_uniform'``: W ~ U(-a, a), a = sqrt(6 / (inputs + neurons)).
    rng : int or numpy.random.Generator, optional
    dtype : float32 or float64; default: ``glassnet.get_default_dtype()`` (float32 unless
        ``set_default_dtype`` changed it, as PyTorch's)
    in_features, out_features, device : keyword only
        PyTorch's names of ``inputs`` and ``neurons`` (one spelling of each), and where the
        weights live (``'cpu'``; ``'cuda'`` with CuPy, docs/gpu.md).

    Shapes: X (N, inputs) -> Z (N, neurons), on the last axis as PyTorch's: (N, *, inputs)
    -> (N, *, neurons) (``fit`` takes 2-D rows); W (inputs, neurons); b (neurons,).

    >>> import glassnet as gn
    >>> layer = gn.nn.Linear(2, 3, rng=0)
    >>> layer
    Linear(inputs=2, neurons=3)
    >>> layer(np.ones((5, 2))).shape
    (5, 3)
    """

    _hparams = ("inputs", "neurons")

    def __init__(
        self,
        inputs: int | None = None,
        neurons: int | None = None,
        bias: bool = True,
        init: str | Callable[..., np.ndarray] = "xavier_uniform",
        rng: Any = None,
        dtype: Any = None,
        *,
        in_features: int | None = None,  # (PyTorch's names of inputs and neurons)
        out_features: int | None = None,
        device: Any = None,
    ) -> None:
        args = (inputs, neurons, in_features, out_features, dtype, bias)  # (PyTorch's names too)
        self.inputs, self.neurons, dt, with_bias = linear_args(*args)  # (checked; the memory)
        self.init = init if isinstance(init, str) else getattr(init, "__name__", "custom")
        shape = (self.inputs, self.neurons)
        W = initializers.get_initializer(init)(shape, as_rng(rng, "Linear", "rng"), dt)
        self.W = Parameter(W, dtype=dt)  # a custom initializer may return another dtype
        check_init_shape(self.W, shape, self.init)
        # b is None without a bias, yet typed Parameter: mypy reads PyTorch's nn.Linear.bias
        # as Parameter (no Optional), so layer.b.data[...] = ... type-checks as layer.bias.data
        self.b: Parameter = Parameter(np.zeros(self.neurons, dt), dtype=dt) if with_bias else None  # type: ignore[assignment]
        if device is not None:  # (PyTorch's nn.Linear(2, 3, device=device))
            self.to(device=device)

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.W, self.b)


class ActivationModule(Module):
    """An activation g applied elementwise (softmax: along the last axis)."""

    name = "identity"
    _hparams = ()

    def forward(self, x: Tensor) -> Tensor:
        return F.activation(x, self.name)

    @property
    def activation(self) -> F.Activation:
        """The function and its derivative, from :data:`glassnet.functional.ACTIVATIONS`."""
        return F.ACTIVATIONS[self.name]


class Sigmoid(ActivationModule):
    """a = 1 / (1 + e^-z)."""

    name = "sigmoid"


class Tanh(ActivationModule):
    """a = tanh(z)."""

    name = "tanh"


class ReLU(ActivationModule):
    """a = max(0, z). ``inplace``: PyTorch's flag, False only (see ``check_no_inplace``)."""

    name = "relu"

    def __init__(self, inplace: bool = False) -> None:
        check_no_inplace(inplace, "ReLU")


class Identity(ActivationModule):
    """a = z. As PyTorch's, it takes any arguments and ignores them (a drop-in for a layer's
    constructor call: ``nn.Identity(54, unused_argument1=0.1)``). Its ``name``,
    ``'identity'``, is ActivationModule's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None: ...


class Softmax(ActivationModule):
    """a_i = e^{z_i} / sum_j e^{z_j} over the last axis.

    ``dim``: PyTorch's ``nn.Softmax(dim=1)``: None, -1 or 1, the features of a batch of
    rows (the axis every consumer of a network's softmax layer, the fast path, ``explain``
    and the ONNX export, normalizes). Another axis is refused: ``x.softmax(dim=0)`` (a
    function, in the graph only) computes that one."""

    name = "softmax"

    def __init__(self, dim: int | None = None) -> None:
        self.dim = softmax_dim(dim)  # (None, -1 or 1)

    def forward(self, x: Tensor) -> Tensor:
        implicit_dim(x, self.dim, "nn.Softmax()", "nn.Softmax(dim=-1)")  # (PyTorch's on 3 axes)
        return F.softmax(x, axis=-1 if self.dim is None else self.dim)


class LeakyReLU(ActivationModule):
    """a = z if z > 0 else alpha z, any finite slope alpha (PyTorch's ``negative_slope``, the
    same number); the fast path takes 0 <= alpha < 1 (:func:`glassnet.fused.layers_of`)."""

    name = "leaky_relu"
    _hparams = ("alpha",)
    negative_slope: float  # (PyTorch's name of alpha: nn/torch_module.py sets it, a property)

    def __init__(
        self, alpha: float = 0.01, inplace: bool = False, *, negative_slope: float | None = None
    ) -> None:
        self.alpha = leaky_slope(alpha, negative_slope, inplace)  # (one of the two names)

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.alpha)


class TableActivation(ActivationModule):
    """The activation called ``name`` in :data:`glassnet.functional.ACTIVATIONS`: the module
    of an entry added there (``MLP(activation=name)`` builds one), run from the table."""

    _hparams = ("name",)

    def __init__(self, name: str) -> None:
        self.name = table_activation(name, _table_key)  # (a name missing: refused, saying so)


_ACT_MODULES = {m.name: m for m in (Sigmoid, Tanh, ReLU, LeakyReLU, Identity, Softmax)}


def _table_key(name: str) -> str:
    """The key of :data:`glassnet.functional.ACTIVATIONS` that ``name`` reads as (itself,
    lower-cased, or the name an alias stands for), whatever its entry's ``.name`` (an entry
    copied with ``dataclasses.replace`` keeps the original's)."""
    entry = F.ACTIVATIONS.get(name) if isinstance(name, str) else None
    entry = entry or F.get_activation(name)  # (a TypeError or ValueError naming ``name``)
    low = name.lower().replace("-", "_")
    return next(k for k in (name, low, *F.ACTIVATIONS) if F.ACTIVATIONS.get(k) is entry)


def activation_module(name: str | Module, alpha: float = 0.01) -> Module:
    """The activation module for a name from :data:`glassnet.functional.ACTIVATIONS`
    (``alpha``: the slope of ``'leaky_relu'`` for z < 0; a name added to the table: a
    :class:`TableActivation`)."""
    if isinstance(name, Module):
        return name
    module = _ACT_MODULES.get(name := _table_key(name))
    if module is None:  # (a name added to the table)
        return TableActivation(name)
    return LeakyReLU(alpha) if module is LeakyReLU else module()


def _int_seed(rng: Any) -> int | None:
    """The int seed an rng= argument is (after as_rng took it), else None."""
    return None if rng is None or isinstance(rng, np.random.Generator) else int(rng)


class Dropout(Module):
    """Inverted dropout: in training, zero each value with probability p, scale the rest
    by 1 / (1 - p); in eval mode, the identity.

    ``rng``: an int seed, a Generator, or None (glassnet's default generator, which
    :func:`glassnet.manual_seed` seeds). ``gn.save`` keeps an int seed (its ``config()``'s
    ``seed``): ``gn.load`` gives masks from that seed's start, as a new ``Dropout(p, seed)``
    draws, however many the saved layer had drawn (no stream position is saved, as
    ``torch.save`` keeps no random state; a pickle or ``copy.deepcopy`` keeps the Generator
    where it stands). A Generator is not saved: the loaded layer draws from the default
    generator, as PyTorch's dropout draws from its global one. (An MLP's dropout likewise.)

    Resuming a run: ``state_dict()`` holds no generator, so a seeded layer rebuilt for a
    resumed run (``Dropout(p, rng=7)``, ``MLP(..., dropout=p, rng=0)``) restarts its mask
    stream, and the resumed weights differ from an uninterrupted run's. Keep its position
    with the checkpoint: ``glassnet.ModelCheckpoint`` saves and restores it (and the
    default generator's), or by hand, ``gn.save({"drop": layer.rng.bit_generator.state},
    path)`` at the epoch's end and ``layer.rng.bit_generator.state =
    gn.load(path)["drop"]`` after rebuilding (each seeded Dropout of an MLP:
    ``[m for m in model.modules() if isinstance(m, nn.Dropout)]``). With ``rng=None``
    the masks come from the default generator: ``glassnet.get_rng_state()`` /
    ``set_rng_state`` keep it."""

    _hparams = ("p",)

    def __init__(self, p: float = 0.5, rng: Any = None, *, inplace: bool = False) -> None:
        check_no_inplace(inplace, "Dropout")  # (PyTorch's flag, by name: rng is the second here)
        self.p = check_number(p, "p", "Dropout", low=0, high=1)  # (1: zeros, as PyTorch's)
        self.rng = rng

    @property
    def rng(self) -> np.random.Generator:
        """The generator of the masks; rng=None: the default one at each call (manual_seed)."""
        return as_rng(self._rng)

    @rng.setter
    def rng(self, rng: Any) -> None:
        self._rng = None if rng is None else as_rng(rng, "Dropout", "rng")
        self._seed = _int_seed(rng)

    def forward(self, x: Tensor) -> Tensor:
        if self.p == 1:  # (in training every value dropped: PyTorch's input * 0)
            return x * 0.0 if self.training else x
        return F.dropout(x, self.p, self.rng, self.training)


class Sequential(SequentialMethods):
    """Layers applied one after another: ``Sequential(l1, l2)(x) == l2(l1(x))``."""

    def __init__(self, *layers: Module) -> None:
        # (given one by one or as one list; modules only. Any layer's attributes: net.layers[0].W)
        self.layers: list[Any] = check_layers(layers, Module)

    def forward(self, x: Tensor) -> Tensor:
        for i, layer in enumerate(self.layers):
            try:
                x = layer(x)
            except ValueError as e:  # (a width error names the layer: name_layer)
                raise name_layer(e, self, i, layer)  # noqa: B904 (e itself)
        return x

    def __getitem__(self, i: int | slice) -> Any:  # (len, iteration, seq[i] = ...: containers')
        return Sequential(*self.layers[i]) if isinstance(i, slice) else self.layers[i]


class MLP(Sequential):
    """A multi-layer perceptron: fully-connected layers with activations between them.

    ``MLP([d, h1, ..., hk, c])`` builds ``Linear(d, h1), g, ..., Linear(hk, c), g_out``.

    Parameters
    ----------
    sizes : sequence of int
        Widths from input to output, at least two entries.
    activation : str or list of str
        Hidden activation(s): one name for all hidden layers or one per hidden layer.
    output_activation : str
        Activation of the output layer: ``'identity'`` (regression), ``'sigmoid'``
        (binary), ``'softmax'`` (multi-class), ``'tanh'``.
    init : str
        ``'auto'`` (He-uniform before ReLU-like, Xavier-uniform otherwise) or an
        initializer name.
    dropout : float
        Dropout probability after each hidden activation (0: none).
    rng : int or Generator; dtype : float32 or float64 (default: ``get_default_dtype()``).
    leaky_alpha : float in [0, 1)
        The slope of ``'leaky_relu'`` for z < 0 (PyTorch's ``negative_slope``), 0.01.

    >>> import glassnet as gn
    >>> gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    MLP(
      (0): Linear(inputs=2, neurons=2)
      (1): Sigmoid()
      (2): Linear(inputs=2, neurons=1)
      (3): Sigmoid()
    )
    """

    _hparams = ("sizes", "activation", "output_activation", "dropout", "leaky_alpha")

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str | Sequence[str] = "relu",
        output_activation: str = "identity",
        init: str = "auto",
        dropout: float = 0.0,
        rng: Any = None,
        dtype: Any = None,
        leaky_alpha: float = 0.01,
    ) -> None:
        args = (sizes, activation, output_activation, dropout, leaky_alpha)
        sizes, dropout, leaky_alpha = check_mlp_args(*args)  # (widths, names, one per layer)
        n_hidden, single = len(sizes) - 2, not isinstance(activation, (list, tuple))
        acts = [_table_key(activation)] * n_hidden if single else [*activation]
        *acts, out_act = [_table_key(a) for a in [*acts, output_activation]]
        gen = as_rng(rng, "MLP", "rng")
        dt = mlp_dtype(sizes, dtype)  # (float32 or float64; its memory)
        super().__init__()  # (the layers appended as they are built)
        for i, (n_in, n_out, act) in enumerate(zip(sizes[:-1], sizes[1:], [*acts, out_act])):
            auto = "he_uniform" if act in ("relu", "leaky_relu") else "xavier_uniform"
            ini = auto if init == "auto" else init
            self.layers.append(lin := Linear(n_in, n_out, init=ini, rng=gen, dtype=dt))
            lin.W.label, lin.b.label = f"W{i + 1}", f"b{i + 1}"  # type: ignore[union-attr]
            if act != "identity":
                self.layers.append(activation_module(act, leaky_alpha))
            if i < n_hidden and dropout > 0:
                self.layers.append(Dropout(dropout, rng=None if rng is None else gen))
        self.sizes, self.activations, self.output_activation = sizes, acts, out_act
        self.activation = acts  # (the constructor's argument, as _hparams names it)
        self.init, self.dropout, self.leaky_alpha = init, dropout, leaky_alpha
        self._seed = _int_seed(rng)


class Neuron(Sequential):
    """One neuron: z = w_0 + sum_j w_j x_j, y_hat = g(z).

    With ``activation='sigmoid'`` it is logistic regression, with ``'identity'``
    linear regression (the lecture's first slides).

    >>> import glassnet as gn
    >>> n = gn.nn.Neuron(2, "sigmoid", rng=0)
    >>> n.set_weights([1.0, 1.0], -1.5)        # the slide's AND neuron: z = -1.5 + x1 + x2
    >>> (n.predict([[0, 0], [0, 1], [1, 0], [1, 1]]) > 0.5).ravel()
    array([False, False, False,  True])
    """

    _hparams = ("inputs", "activation")

    def __init__(
        self, inputs: int, activation: str = "sigmoid", rng: Any = None, dtype: Any = None
    ) -> None:
        lin = Linear(inputs, 1, init="xavier_uniform", rng=rng, dtype=dtype)
        lin.W.label, lin.b.label = "w", "w0"  # type: ignore[union-attr]
        act = _table_key(activation)
        neuron_activation(act, F.ACTIVATIONS[act].elementwise)  # (one output, seen alone)
        super().__init__(lin, activation_module(act))
        self.inputs, self.activation = lin.inputs, act
        self.activation_name = act  # (the name it had first; public since 0.1)

    @property
    def weights(self) -> np.ndarray:
        """w_1..w_d as a vector of shape (inputs,)."""
        return self.layers[0].W.data[:, 0]

    @property
    def bias(self) -> float:
        """w_0."""
        return float(self.layers[0].b.data[0])

    def set_weights(self, w: Sequence[float], w0: float) -> None:
        """Set w_1..w_d and w_0 (in place)."""
        lin = self.layers[0]
        w, w0 = neuron_weights(w, w0, lin.inputs, lin.W.dtype)  # (inputs numbers, and one)
        lin.W.data[:, 0] = w
        lin.b.data[0] = w0
