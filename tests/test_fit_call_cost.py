"""fit's fixed cost per call (issue 17): the work a tiny run pays before and after its steps,
counted (never timed: bench/fit_call.py times it). Each count is of something the call did
more than once or for nothing: a guard that it stays gone, and that the refusals it made
are still made."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.nn.module import Module

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
Y = np.array([[1], [0], [0], [1]], dtype=float)


def _xnor() -> Module:
    return gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)


def _fit(model: Module, seed=0, **kw) -> gn.History:
    return gn.fit(model, X, Y, lr=1.0, epochs=1, seed=seed, verbose=0, **kw)


def test_fit_walks_the_module_tree_without_building_names(monkeypatch):
    # the checks walk the modules (Module.modules, .parameters); the dotted names of
    # named_modules were built twice a call to name a layer only a refusal names
    model = _xnor()
    _fit(model)
    calls = []
    real = Module._children
    monkeypatch.setattr(Module, "_children", lambda self: calls.append(self) or real(self))
    _fit(model)
    assert calls == []


def test_fit_with_an_int_seed_draws_one_generator(monkeypatch):
    # a full-batch run's whole-run loop made a second Generator from the seed to check a
    # seed function's return, which an int seed has not
    model = _xnor()
    _fit(model)
    made = []
    real = np.random.default_rng
    monkeypatch.setattr(np.random, "default_rng", lambda *a: made.append(a) or real(*a))
    _fit(model)
    assert made == [(0,)]


def test_a_seed_function_is_still_called_and_checked():
    with pytest.raises(ValueError, match=r"seed\(1\) returned 'x'"):
        _fit(_xnor(), seed=lambda epoch: 0 if epoch == 0 else "x")


@pytest.mark.parametrize("where", ["fit", "fast path"])
def test_a_linear_without_weights_is_still_refused_by_name(where):
    model = _xnor()
    model.layers[2].W = None
    with pytest.raises(ValueError, match=r"'layers\.2' has its weight W set to None"):
        if where == "fit":
            _fit(model)
        else:
            gn.fused.layers_of(model, "fit", training=True)


def test_modules_and_parameters_keep_their_order_and_each_once():
    shared = gn.nn.Linear(3, 3)
    inner = gn.nn.Sequential(shared, gn.nn.Tanh(), gn.nn.Sequential(gn.nn.Linear(3, 2)))
    outer = gn.nn.Sequential(inner, gn.nn.Linear(2, 1), inner)
    outer.extra = [gn.nn.Sigmoid(), gn.nn.Linear(1, 1)]
    inner.parent = outer  # (a module that holds its parent: the walk ends)
    names = [n for n, _ in outer.named_modules()]
    assert [id(m) for m in outer.modules()] == [id(m) for _, m in outer.named_modules()]
    assert names == ["", "layers.0", "layers.0.layers.0", "layers.0.layers.1",
                     "layers.0.layers.2", "layers.0.layers.2.layers.0", "layers.1",
                     "extra.0", "extra.1"]  # fmt: skip
    assert [p.label for p in outer.parameters()] == [n for n, _ in outer.named_parameters()]
