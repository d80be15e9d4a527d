"""PyTorch's way of writing an optimizer: a subclass of Optimizer built with
``super().__init__(params, defaults)``, its buffers in ``self.state[p]``, a ``step()`` of its
own under ``no_grad``; zero_grad and a state dict of PyTorch's layout that round-trips."""

import collections

import numpy as np
import pytest

import glassnet as gn
from glassnet import optim as go
from glassnet.nn import Parameter


class MomentumSGD(go.Optimizer):  # PyTorch's documented pattern
    def __init__(self, params, lr=0.1, momentum=0.9, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay))

    @gn.no_grad()
    def step(self, closure=None):
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                d_p = p.grad + group["weight_decay"] * p.data
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = np.array(d_p, copy=True)
                else:
                    buf = state["momentum_buffer"]
                    buf *= group["momentum"]
                    buf += d_p
                p.add_(state["momentum_buffer"], alpha=-group["lr"])
        return loss


class Plain(go.Optimizer):  # `with no_grad()` in the body; a group's own key
    def __init__(self, params, lr=0.1):
        super().__init__(params, {"lr": lr})

    def step(self, closure=None):
        with gn.no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        p.add_(p.grad, alpha=-group["lr"] * group.get("scale", 1.0))
                        self.state[p]["n"] = self.state[p].get("n", 0) + 1


START = np.random.default_rng(0).normal(size=(2, 3))
GRADS = np.random.default_rng(1).normal(size=(10, 2, 3))


def _grads(step, i):  # a gradient that depends on the weights too (a quadratic's)
    return lambda w: GRADS[step, i] + 0.5 * w


def _run_glassnet(n=10, split=None):
    a, b = Parameter(START[0].copy()), Parameter(START[1].copy())
    opt = MomentumSGD(
        [{"params": [a]}, {"params": [b], "lr": 0.05, "momentum": 0.5}], lr=0.1,
        weight_decay=0.01,
    )  # fmt: skip
    for k in range(n):
        for i, p in enumerate((a, b)):
            p.grad = _grads(k, i)(p.data)
        opt.step()
        if split == k:
            saved = opt.state_dict()
            a2, b2 = Parameter(a.data.copy()), Parameter(b.data.copy())
            opt = MomentumSGD([{"params": [a2]}, {"params": [b2]}], lr=1.0, momentum=0.0)
            opt.load_state_dict(saved)
            a, b = a2, b2
    return np.stack([a.data, b.data]), opt


def test_pytorch_style_momentum_sgd_matches_torchs_sgd_over_10_steps():
    torch = pytest.importorskip("torch")
    a = torch.tensor(START[0].copy(), requires_grad=True)
    b = torch.tensor(START[1].copy(), requires_grad=True)
    t_opt = torch.optim.SGD(
        [{"params": [a]}, {"params": [b], "lr": 0.05, "momentum": 0.5}], lr=0.1, momentum=0.9,
        weight_decay=0.01,
    )  # fmt: skip
    for k in range(10):
        for i, p in enumerate((a, b)):
            p.grad = torch.tensor(_grads(k, i)(p.detach().numpy()))
        t_opt.step()
    ours, _ = _run_glassnet()
    np.testing.assert_allclose(ours, np.stack([a.detach().numpy(), b.detach().numpy()]),
                               rtol=1e-14, atol=1e-15)  # fmt: skip


def test_defaults_dict_gives_each_groups_settings():
    a, b = Parameter(np.zeros(2)), Parameter(np.zeros(3))
    opt = MomentumSGD([{"params": [a]}, {"params": [b], "lr": 0.5, "tag": "head"}], lr=0.2)
    assert opt.defaults == {"lr": 0.2, "momentum": 0.9, "weight_decay": 0.0}
    assert opt.param_groups[0]["momentum"] == 0.9 and opt.param_groups[1]["lr"] == 0.5
    assert opt.param_groups[1]["tag"] == "head"  # (a group's own key, as PyTorch's)
    assert opt.lr == 0.2
    opt.add_param_group({"params": [Parameter(np.zeros(1))], "momentum": 0.0})
    assert opt.param_groups[2] == {**opt.param_groups[2], "lr": 0.2, "momentum": 0.0}


def test_state_is_a_defaultdict_per_parameter_from_the_start():
    w = Parameter(np.ones(2))
    opt = Plain([w], lr=0.1)
    assert isinstance(opt.state, collections.defaultdict) and not opt.state
    w.grad = np.ones(2)
    opt.step()
    opt.step()
    np.testing.assert_allclose(w.data, [0.8, 0.8])
    assert opt.state[w] == {"n": 2}


def test_a_groups_own_key_and_zero_grad():
    w = Parameter(np.ones(2))
    opt = Plain([{"params": [w], "scale": 2.0}])
    w.grad = np.ones(2)
    opt.step()
    np.testing.assert_allclose(w.data, [0.8, 0.8])
    opt.zero_grad()
    assert w.grad is None
    opt.step()  # (no gradient: left as it is)
    np.testing.assert_allclose(w.data, [0.8, 0.8])


def test_state_dict_round_trips_the_subclass_state():
    whole, _ = _run_glassnet()
    resumed, opt = _run_glassnet(split=4)
    np.testing.assert_array_equal(resumed, whole)  # (momentum buffers and settings restored)
    state = opt.state_dict()
    assert sorted(state) == ["param_groups", "state"]
    assert state["param_groups"][1]["params"] == [1] and state["param_groups"][1]["lr"] == 0.05
    assert set(state["state"]) == {0, 1} and "momentum_buffer" in state["state"][0]
    state["state"][0]["momentum_buffer"][...] = 7.0  # (a copy: the optimizer's is untouched)
    assert not np.any(opt.state[opt.param_groups[0]["params"][0]]["momentum_buffer"] == 7.0)


def test_load_state_dict_of_other_groups_is_refused_and_changes_nothing():
    _, opt = _run_glassnet()
    saved = opt.state_dict()
    other = MomentumSGD([Parameter(np.zeros(3))])
    with pytest.raises(ValueError, match="param groups hold \\[3, 3\\] parameters|hold"):
        other.load_state_dict(saved)
    assert not other.state and other.lr == 0.1
    with pytest.raises(ValueError, match="'state' must map"):
        opt.load_state_dict({"state": {5: {}}, "param_groups": saved["param_groups"]})


def test_defaults_without_lr_taken_and_a_dict_to_a_built_in_refused_clearly():
    class NoLr(go.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"momentum": 0.9})

        def step(self, closure=None):
            pass

    # (as PyTorch's since round 30: only a learning-rate schedule needs an lr)
    assert NoLr([Parameter(np.zeros(2))]).defaults == {"momentum": 0.9}
    with pytest.raises(ValueError, match="groups have none"):
        gn.schedules.StepLR(NoLr([Parameter(np.zeros(2))]), 2)

    class NoStep(go.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": 0.1})

    with pytest.raises(TypeError, match=r"writes no step\(\): override step"):
        NoStep([Parameter(np.zeros(2))])
    with pytest.raises(TypeError, match="own step"):
        go.SGD([Parameter(np.zeros(2))], {"lr": 0.1})
    with pytest.raises(gn.ParameterError if hasattr(gn, "ParameterError") else ValueError):
        Plain([Parameter(np.zeros(2))], lr=-1.0)


def test_glassnet_style_subclass_with_own_step_gets_state_too():
    class Counting(go.Optimizer):  # lr given as glassnet's base class takes it
        def step(self, closure=None):
            for p in self.params:
                self.state[p]["k"] = self.state[p].get("k", 0) + 1

    w = Parameter(np.zeros(2))
    opt = Counting([w], 0.1)
    opt.step()
    assert opt.state[w] == {"k": 1}
    assert opt.state_dict()["state"] == {0: {"k": 1}}
