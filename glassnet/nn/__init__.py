"""Layers and networks: ``Module``, ``Parameter``, ``Linear``, activations, ``MLP``, ``Neuron``."""

from . import init
from .flat import FlatParameters, flatten_parameters
from .layers import (
    MLP,
    ActivationModule,
    Dropout,
    Identity,
    LeakyReLU,
    Linear,
    Neuron,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
    activation_module,
    from_config,
)
from .module import Module, Parameter

__all__ = [
    "MLP",
    "ActivationModule",
    "Dropout",
    "FlatParameters",
    "Identity",
    "LeakyReLU",
    "Linear",
    "Module",
    "Neuron",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "activation_module",
    "flatten_parameters",
    "from_config",
    "init",
]
