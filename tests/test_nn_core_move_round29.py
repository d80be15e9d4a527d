"""What the move of nn.Module's PyTorch surface to nn/torch_module.py (round 29) must keep:
a cooperative mixin's config()/extra_repr() between a layer and Module, the order of two
refusals of MLP, the errors' import path and pickles, and the attached methods' names."""

from __future__ import annotations

import pickle

import pytest

from glassnet import nn
from glassnet._validation import ParameterError


class Mixin(nn.Module):
    def config(self):
        return {**super().config(), "mix": 1}

    def extra_repr(self):
        return super().extra_repr() + ", mix"


def test_a_mixin_between_a_layer_and_module_is_called():
    class L(nn.Linear, Mixin):
        pass

    class S(nn.Softmax, Mixin):
        pass

    lin, soft = L(2, 3, rng=0), S(dim=1)
    assert repr(lin) == "L(inputs=2, neurons=3, mix)"
    assert lin.config()["mix"] == 1 and lin.config()["bias"] is True
    assert soft.config() == {"type": "S", "mix": 1, "dim": 1}
    assert repr(nn.Linear(2, 3, bias=False)) == "Linear(inputs=2, neurons=3, bias=False)"


def test_mlp_refuses_its_arguments_in_the_order_it_did():
    with pytest.raises(ParameterError, match="'rng'"):
        nn.MLP([3, 2], dtype="int8", rng="bad")
    with pytest.raises(ParameterError, match="'rng'"):
        nn.MLP([10**7, 10**7], rng="bad")
    with pytest.raises((TypeError, ValueError), match="nope") as e:
        nn.MLP([3, 4, 2], activation="nope", dtype="int8")
    assert "dtype" not in str(e.value)
    with pytest.raises((TypeError, ValueError), match="nope"):
        nn.MLP([3, 4, 2], activation="nope", rng="bad")


def test_the_errors_import_path_and_pickles_are_nn_modules():
    ns: dict = {}
    exec("from glassnet.nn.module import *", ns)
    assert {"IncompatibleKeys", "Module", "Parameter", "StateDictError", "evaluating"} <= set(ns)
    from glassnet.nn import module, torch_module

    for name in ("StateDictError", "IncompatibleKeys", "BufferNameError"):
        cls = getattr(module, name)
        assert cls is getattr(torch_module, name) and cls.__module__ == "glassnet.nn.module"
    data = pickle.dumps(module.StateDictError("bad"))
    assert b"glassnet.nn.module" in data and b"torch_module" not in data
    assert str(pickle.loads(data)) == "bad"
    keys = module.IncompatibleKeys(["a"], [])
    assert b"torch_module" not in pickle.dumps(keys) and pickle.loads(pickle.dumps(keys)) == keys


def test_attached_methods_keep_the_names_of_those_they_replace():
    for cls, name in [(nn.Parameter, "__repr__"), (nn.Module, "__repr__"),
                      (nn.Module, "__delattr__"), (nn.Module, "state_dict"),
                      (nn.Linear, "config"), (nn.Linear, "extra_repr"), (nn.Softmax, "config"),
                      (nn.Softmax, "extra_repr"), (nn.Dropout, "config"),
                      (nn.Sequential, "config"), (nn.Sequential, "__repr__"),
                      (nn.MLP, "config")]:  # fmt: skip
        fn = vars(cls)[name]
        assert (fn.__name__, fn.__qualname__) == (name, f"{cls.__name__}.{name}")
    p = nn.Parameter([0.0, 0.0], requires_grad=False)
    assert repr(p) == "Parameter containing:\nTensor([0., 0.], dtype=float32, requires_grad=False)"
