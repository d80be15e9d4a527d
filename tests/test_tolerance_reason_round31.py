"""A Tolerance's stop reason can be assigned again (on an instance, or by a subclass in its
__init__), as before it was derived from what the rule watches; a subclass's class attribute
and EarlyStopping's reason still win, and pickles and deep copies keep the reason."""

import copy
import pickle

import numpy as np

import glassnet as gn
from glassnet import nn
from glassnet.train import EarlyStopping, Tolerance

rng = np.random.default_rng(0)
X = rng.normal(size=(60, 3))
Y = X[:, 0] + rng.normal(size=60)


class Plateau(Tolerance):
    def __init__(self, tol, n):
        super().__init__(tol, n)
        self.reason = "plateau"


class Mine(Tolerance):
    reason = "mine"


class MyEarly(EarlyStopping):
    pass


def test_the_derived_reasons():
    assert Tolerance(1e-3, 2).reason == "tol"
    assert Tolerance(1e-3, 2, monitor="val_loss").reason == "val_tol"
    assert EarlyStopping(1e-3, 2).reason == "early_stopping"
    assert MyEarly(1e-3, 2).reason == "early_stopping"
    assert Mine(1e-3, 2).reason == Mine(1e-3, 2, monitor="val_loss").reason == "mine"


def test_assigning_the_reason_on_an_instance():
    for rule in (Tolerance(1e-3, 2), Tolerance(1e-3, 2, monitor="val_loss")):
        assert rule.reason in ("tol", "val_tol")  # (read, then assigned)
        rule.reason = "x"
        assert rule.reason == "x"
    fresh = Tolerance(1e-3, 2)
    fresh.reason = "y"  # (before it was ever read)
    assert fresh.reason == "y"


def test_a_subclass_setting_its_reason_in_init_stops_with_it():
    rule = Plateau(1e-2, 2)
    assert rule.reason == "plateau"
    h = gn.fit(nn.MLP([3, 8, 1], rng=0), X, Y, stop_rules=[rule], epochs=500, lr=0.05, verbose=0)
    assert h.epochs < 500 and h.stop_reason == "plateau"


def test_a_subclass_class_attribute_stops_with_it():
    h = gn.fit(
        nn.MLP([3, 8, 1], rng=0), X, Y, stop_rules=[Mine(1e-2, 2)], epochs=500, lr=0.05,
        verbose=0,
    )  # fmt: skip
    assert h.epochs < 500 and h.stop_reason == "mine"


def test_pickle_and_deepcopy_keep_the_reason():
    rules = [
        Tolerance(1e-3, 2), Tolerance(1e-3, 2, monitor="val_loss"), EarlyStopping(1e-3, 2),
        Plateau(1e-3, 2), Mine(1e-3, 2),
    ]  # fmt: skip
    named = Tolerance(1e-3, 2, monitor="val_loss")
    named.reason = "assigned"
    rules.append(named)
    want = ["tol", "val_tol", "early_stopping", "plateau", "mine", "assigned"]
    for copy_of in (lambda r: pickle.loads(pickle.dumps(r)), copy.deepcopy):
        assert [copy_of(r).reason for r in rules] == want
    read = Tolerance(1e-3, 2, monitor="val_loss")
    assert read.reason == "val_tol"  # (read, then copied)
    assert pickle.loads(pickle.dumps(read)).reason == copy.deepcopy(read).reason == "val_tol"


def test_the_class_still_names_its_reason():
    """``Tolerance.reason`` read on the class is the string a History's stop_reason holds
    ('tol'), as before round 31 (a cached property there gave a descriptor)."""
    from glassnet.train import EarlyStopping, Tolerance

    assert Tolerance.reason == "tol" and EarlyStopping.reason == "early_stopping"
    assert Tolerance(1e-4, 3, monitor="val_loss").reason == "val_tol"
    assert Tolerance(1e-4, 3).reason == "tol"
