"""PyTorch's optimizer switches (foreach, fused, maximize, capturable, differentiable,
decoupled_weight_decay): taken where they change no number, else refused naming what to
write (a bare "unexpected keyword" TypeError before)."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import optim


def _params():
    layer = gn.nn.Linear(2, 2, rng=0)
    return list(layer.parameters())


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop, optim.NAdam])
def test_switches_that_change_no_number_are_taken(cls):
    ps, qs = _params(), _params()
    a = cls(ps, lr=0.1)
    b = cls(qs, lr=0.1, foreach=True, fused=False, maximize=False, capturable=False,
            differentiable=False)  # fmt: skip
    for p, q in zip(ps, qs):
        p.grad = np.ones_like(p.data)
        q.grad = np.ones_like(q.data)
    a.step()
    b.step()
    for p, q in zip(ps, qs):
        np.testing.assert_array_equal(p.data, q.data)


@pytest.mark.parametrize(
    "given, message",
    [
        ({"maximize": True}, "negated objective"),
        ({"decoupled_weight_decay": True}, r"optim\.AdamW"),
        ({"capturable": True}, "glassnet.capture"),
        ({"differentiable": True}, "outside the autodiff graph"),
        ({"foreach": "yes"}, "True, False or None"),
    ],
)
def test_switches_that_would_change_the_steps_are_refused(given, message):
    with pytest.raises(TypeError, match=rf"^Adam\(\): .*{message}"):
        optim.Adam(_params(), lr=0.1, **given)


def test_an_optimizer_that_has_the_setting_keeps_it():
    # NAdam and RAdam take decoupled_weight_decay themselves, as PyTorch's
    opt = optim.NAdam(_params(), weight_decay=0.1, decoupled_weight_decay=True)
    assert opt.param_groups[0]["decoupled_weight_decay"] is True


def test_by_name_in_a_new_group_and_numpys_bools():
    # (the review: get_optimizer and add_param_group refused foreach=, np.True_ was refused)
    opt = optim.get_optimizer("adam", _params(), lr=0.1, foreach=True, fused=np.False_)
    assert type(opt) is optim.Adam
    with pytest.raises(TypeError, match=r"^RMSprop\(\): maximize=True is not offered"):
        optim.get_optimizer("rmsprop", _params(), maximize=True)
    opt.add_param_group({"params": _params(), "foreach": True})
    assert "foreach" not in opt.param_groups[1] and len(opt.param_groups) == 2
    with pytest.raises(TypeError, match="decoupled already"):
        optim.AdamW(_params(), decoupled_weight_decay=True)
