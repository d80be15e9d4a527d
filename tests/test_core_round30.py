"""Round 30's reshaping of the core (#10): what changed on purpose, pinned."""

import numpy as np
import pytest

import glassnet as gn
import glassnet.functional as F


@pytest.mark.parametrize("rows", [0, 2])
def test_softmax_kernel_refuses_an_integer_array_empty_or_not(rows):
    # softmax_fn works in place in z's dtype: an integer z could never hold exp's floats.
    # Before round 30 an empty integer z returned an empty integer array, a non-empty one
    # raised; both raise the same error now (F.softmax and nn.Softmax cast to a float first).
    with pytest.raises(TypeError, match="Cannot cast ufunc 'exp'"):
        F.softmax_fn(np.zeros((rows, 3), dtype=np.int64))


@pytest.mark.parametrize("rows", [0, 2])
def test_softmax_of_an_integer_tensor_is_a_float_one(rows):
    out = F.softmax(gn.Tensor(np.zeros((rows, 3), dtype=np.int64)))
    assert out.data.dtype.kind == "f" and out.data.shape == (rows, 3)


def test_tensor_named_shows_a_plain_self_in_its_signature():
    import inspect

    assert str(inspect.signature(gn.Tensor.named)).startswith("(self, label")


def test_a_function_callback_is_a_train_callback_and_the_estimators_take_it():
    # round 30 first moved the wrapper below train, where it was no Callback: isinstance
    # was False, on_step_end missing, and MLPRegressor(callbacks=[as_callback(f)]) refused it
    pytest.importorskip("sklearn")
    from glassnet.sklearn import MLPRegressor
    from glassnet.train import Callback, as_callback

    seen = []

    def stop_at_two(state):
        seen.append(state.epoch)
        return state.epoch >= 2

    cb = as_callback(stop_at_two)
    assert isinstance(cb, Callback)
    assert cb.on_step_end(None) is None  # (a Callback's: does nothing)
    X = np.random.default_rng(0).normal(size=(32, 2))
    MLPRegressor(hidden_layer_sizes=(3,), max_iter=20, callbacks=[cb], random_state=0).fit(
        X, X[:, 0]
    )
    assert seen == [1, 2]


def test_fit_given_a_function_as_a_stop_rule_keeps_a_train_callback_in_its_rules():
    from glassnet.train import Callback

    model = gn.nn.MLP([2, 3, 1])
    X = np.zeros((4, 2), np.float32)
    hist = gn.fit(model, X, np.zeros((4, 1), np.float32), epochs=5, verbose=0,
                  stop_rules=[lambda s: s.epoch >= 3], callbacks=[CheckRules()])  # fmt: skip
    assert (
        hist.epochs == 3
        and CheckRules.rules
        and all(isinstance(r, Callback) for r in CheckRules.rules)
    )


class CheckRules:
    rules: list = []

    def on_train_begin(self, state):
        type(self).rules = list(state.rules)

    def on_epoch_end(self, state): ...

    def on_train_end(self, state): ...


@pytest.mark.parametrize("order", ["param first", "group first"])
def test_an_optimizer_given_groups_and_parameters_mixed_says_so(order):
    # (before: AttributeError: 'dict' object has no attribute 'grad', from inside the step)
    from glassnet.nn import Parameter

    p, q = Parameter(np.zeros(2)), Parameter(np.zeros(2))
    given = [p, {"params": [q]}] if order == "param first" else [{"params": [q]}, p]
    with pytest.raises(TypeError, match="mixes param group dicts with parameters"):
        gn.optim.SGD(given, lr=0.1)
