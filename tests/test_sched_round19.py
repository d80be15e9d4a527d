"""Learning-rate schedules as PyTorch's: initial_lr, state of callable objects, SequentialLR's
added groups, subclasses' steps, get_last_lr, CosineAnnealingWarmRestarts' T_cur/T_i."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import lr_scheduler as L
from glassnet import nn, optim


def _opt(lr=0.1, **kw):
    return optim.SGD([nn.Parameter(np.zeros(1))], lr=lr, **kw)


def _lrs(opt):
    return [round(g["lr"], 10) for g in opt.param_groups]


def _run(opt, sched, n):
    out = [_lrs(opt)[0]]
    for _ in range(n):
        opt.step()
        sched.step()
        out.append(_lrs(opt)[0])
    return out


def _after_exponential(lr=0.1):
    """An optimizer whose ExponentialLR(0.5) has stepped 3 times (lr 0.0125)."""
    opt = _opt(lr)
    first = L.ExponentialLR(opt, 0.5)
    for _ in range(3):
        opt.step()
        first.step()
    return opt


# 1. A schedule built after another starts from PyTorch's initial_lr -------------------------


def test_closed_form_schedule_built_later_starts_from_initial_lr():
    opt = _after_exponential()
    assert opt.param_groups[0]["initial_lr"] == 0.1 and _lrs(opt) == [0.0125]
    sched = L.LambdaLR(opt, lambda e: 0.5**e)
    assert sched.base_lrs == [0.1]
    assert _run(opt, sched, 3) == [0.1, 0.05, 0.025, 0.0125]
    opt = _after_exponential()
    sched = L.CosineAnnealingWarmRestarts(opt, 3)
    assert _run(opt, sched, 3) == [0.1, 0.075, 0.025, 0.1]


def test_chainable_schedule_built_later_goes_on_from_the_lr_in_force():
    """PyTorch's chainable schedules multiply the lr in force: that did not change."""
    opt = _after_exponential()
    sched = L.ExponentialLR(opt, 0.5)
    assert _run(opt, sched, 2) == [0.0125, 0.00625, 0.003125]
    assert opt.param_groups[0]["initial_lr"] == 0.1  # (setdefault: the first one's)


def test_initial_lr_is_in_the_groups_and_survives_the_state_dict_round_trip():
    opt = _opt(0.3)
    L.StepLR(opt, step_size=1, gamma=0.5)
    assert opt.param_groups[0]["initial_lr"] == 0.3
    again = _opt(0.3)
    again.load_state_dict(opt.state_dict())
    assert again.param_groups[0]["initial_lr"] == 0.3
    sched = L.LambdaLR(again, lambda e: 1.0)
    assert sched.base_lrs == [0.3]


def test_plateau_schedules_neither_set_nor_read_initial_lr():
    opt = _opt(0.2)
    L.ReduceLROnPlateau(opt)
    gn.schedules.AdaptiveLR(opt)
    assert "initial_lr" not in opt.param_groups[0]


def test_cycles_put_their_starting_lr_in_initial_lr():
    opt = _opt(0.2, momentum=0.9)
    L.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=2)
    assert opt.param_groups[0]["initial_lr"] == 0.01
    opt = _opt(0.2, momentum=0.9)
    L.OneCycleLR(opt, max_lr=1.0, total_steps=10)
    assert opt.param_groups[0]["initial_lr"] == pytest.approx(1.0 / 25)


def test_a_bad_initial_lr_is_refused_saying_what_to_do():
    opt = _opt(0.2)
    opt.param_groups[0]["initial_lr"] = "x"
    with pytest.raises(ValueError, match="initial_lr.*del group"):
        L.LambdaLR(opt, lambda e: 1.0)


def test_initial_lr_as_torch():
    torch = pytest.importorskip("torch")
    seconds = ["LambdaLR(o, lambda e: 0.5 ** e)", "CosineAnnealingWarmRestarts(o, 3)"]
    seconds += ["ExponentialLR(o, 0.9)", "StepLR(o, 2, 0.5)", "PolynomialLR(o, 4, 1.0)"]
    seconds += ["CosineAnnealingLR(o, 4, 0.001)", "MultiplicativeLR(o, lambda e: 0.9)"]
    for second in seconds:
        got = []
        for lib, opt_cls, params in (
            (torch.optim.lr_scheduler, torch.optim.SGD, [torch.nn.Parameter(torch.zeros(1))]),
            (L, optim.SGD, [nn.Parameter(np.zeros(1))]),
        ):
            o = opt_cls(params, lr=0.1)
            s = lib.ExponentialLR(o, 0.5)
            for _ in range(3):
                o.step()
                s.step()
            s = eval("lib." + second)
            r = [o.param_groups[0]["lr"]]
            for _ in range(6):
                o.step()
                s.step()
                r.append(o.param_groups[0]["lr"])
            got.append(r + [o.param_groups[0]["initial_lr"]])
        np.testing.assert_allclose(got[1], got[0], rtol=1e-9, err_msg=second)


# 2, 3. A callable object's state is saved and restored, as PyTorch's --------------------------


class _Scale:
    def __init__(self, value):
        self.value = value

    def __call__(self, epoch):
        return self.value**epoch


def _resumed(kind, saved_value, built_value, steps=2):
    opt = _opt(0.1)
    sched = kind(opt, _Scale(saved_value))
    for _ in range(2):
        opt.step()
        sched.step()
    state = (opt.state_dict(), sched.state_dict())
    again = _opt(0.1)
    fresh = kind(again, _Scale(built_value))
    again.load_state_dict(state[0])
    fresh.load_state_dict(state[1])
    for _ in range(steps):
        again.step()
        fresh.step()
    return state[1], fresh, _lrs(again)[0]


def test_lambda_lr_saves_and_restores_a_callable_objects_state():
    state, fresh, lr = _resumed(L.LambdaLR, 0.5, 0.9)
    assert state["lr_lambdas"] == [{"value": 0.5}]
    assert fresh.lr_lambdas[0].value == 0.5 and lr == round(0.1 * 0.5**4, 10)


def test_multiplicative_lr_saves_and_restores_a_callable_objects_state():
    state, fresh, lr = _resumed(L.MultiplicativeLR, 0.5, 0.9)
    assert state["lr_lambdas"] == [{"value": 0.5}]
    assert fresh.lr_lambdas[0].value == 0.5
    assert lr == round(0.1 * 0.5 ** (1 + 2 + 3 + 4), 10)


def test_functions_save_none_and_older_state_dicts_still_load():
    opt = _opt(0.1)
    sched = L.LambdaLR(opt, [lambda e: 0.9**e])
    assert "lr_lambdas" not in sched.state_dict()  # (functions alone: the older layout)
    obj = L.LambdaLR(_opt(0.1), _Scale(0.9))
    state = obj.state_dict()
    state.pop("lr_lambdas")
    obj.load_state_dict(state)  # (a state dict saved before lr_lambdas was there)
    with pytest.raises(ValueError, match="lr_lambdas.*None"):
        obj.load_state_dict({**obj.state_dict(), "lr_lambdas": [1, 2]})
    assert obj.lr_lambdas[0].value == 0.9


def test_cyclic_lr_saves_and_restores_a_custom_scale_fn_objects_state():
    class Decay:
        def __init__(self, g):
            self.g = g

        def __call__(self, x):
            return self.g**x

    def build(g):
        o = _opt(0.1)
        return o, L.CyclicLR(o, 0.01, 0.1, 2, scale_fn=Decay(g), cycle_momentum=False)

    opt, sched = build(0.5)
    for _ in range(3):
        opt.step()
        sched.step()
    state = (opt.state_dict(), sched.state_dict())
    assert state[1]["_scale_fn_custom"] == {"g": 0.5}
    opt2, sched2 = build(0.9)
    opt2.load_state_dict(state[0])
    sched2.load_state_dict(state[1])
    assert sched2._scale_fn_custom.g == 0.5
    assert _run(opt2, sched2, 6)[1:] == [0.01, 0.02125, 0.0325, 0.02125, 0.01, 0.015625]


def test_callable_objects_state_as_torch():
    torch = pytest.importorskip("torch")
    tl = torch.optim.lr_scheduler
    for kind in ("LambdaLR", "MultiplicativeLR"):
        out = []
        for lib, make in (
            (tl, lambda: torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)),
            (L, lambda: _opt(0.1)),
        ):
            o = make()
            s = getattr(lib, kind)(o, _Scale(0.5))
            for _ in range(2):
                o.step()
                s.step()
            ck = (o.state_dict(), s.state_dict())
            o2 = make()
            s2 = getattr(lib, kind)(o2, _Scale(0.9))
            o2.load_state_dict(ck[0])
            s2.load_state_dict(ck[1])
            for _ in range(2):
                o2.step()
                s2.step()
            out.append((ck[1]["lr_lambdas"], o2.param_groups[0]["lr"]))
        assert out[1][0] == out[0][0]
        np.testing.assert_allclose(out[1][1], out[0][1], rtol=1e-9)


# 7. get_last_lr() gives the rates the schedule set ------------------------------------------


def test_get_last_lr_is_the_schedules_rate_not_a_hand_set_lr():
    opt = _opt(0.1)
    sched = L.CosineAnnealingWarmRestarts(opt, T_0=3)
    assert sched.get_last_lr() == [0.1] and sched._last_lr == [0.1]
    for _ in range(4):
        opt.step()
        sched.step()
    opt.param_groups[0]["lr"] = 0.7
    assert sched.get_last_lr() == [pytest.approx(0.075)]
    opt.step()
    sched.step()
    assert sched.get_last_lr() == [opt.param_groups[0]["lr"]]
    assert sched._step_count == 6  # (PyTorch's: the constructor's step counted)
    opt = _opt(0.1)
    step = L.StepLR(opt, step_size=1, gamma=0.5)
    opt.param_groups[0]["lr"] = 0.3
    assert step.get_last_lr() == [0.1]


# 8. CosineAnnealingWarmRestarts' T_cur, T_i and last_epoch ----------------------------------


def test_warm_restarts_keep_t_cur_and_t_i_and_save_last_epoch():
    opt = _opt(0.1)
    sched = L.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2)
    seen = []
    for _ in range(7):
        seen.append((sched.T_cur, sched.T_i))
        opt.step()
        sched.step()
    assert seen == [(0, 2), (1, 2), (0, 4), (1, 4), (2, 4), (3, 4), (0, 8)]
    state = sched.state_dict()
    assert state["last_epoch"] == 7 == state["epoch"]
    older = {k: v for k, v in state.items() if k != "last_epoch"}
    again = L.CosineAnnealingWarmRestarts(_opt(0.1), T_0=2, T_mult=2)
    again.load_state_dict(older)  # (a state dict saved before last_epoch was there)
    assert (again.T_cur, again.T_i, again.last_epoch) == (1, 8, 7)
    again.load_state_dict(state)
    with pytest.raises(ValueError, match="last_epoch"):
        again.load_state_dict({**state, "last_epoch": 3})
    sched.step(7.5)
    assert (sched.T_cur, sched.T_i) == (1.5, 8)


# 4. SequentialLR takes a group added after its last milestone --------------------------------


def _warm_then_decay(opt):
    return L.SequentialLR(opt, [L.LinearLR(opt, 0.1, 1, 3), L.ExponentialLR(opt, 0.9)], [3])


def test_sequential_lr_takes_a_group_added_after_its_last_milestone():
    opt = _opt(0.1)
    sched = _warm_then_decay(opt)
    out = []
    for epoch in range(7):
        if epoch == 5:
            opt.add_param_group({"params": [nn.Parameter(np.zeros(1))], "lr": 0.01})
        opt.step()
        sched.step()
        out.append(_lrs(opt))
    assert out[-2:] == [[0.0729, 0.009], [0.06561, 0.0081]]
    assert len(sched.base_lrs) == 2
    # resumed: the group put back, then the states loaded
    state = (opt.state_dict(), sched.state_dict())
    again = _opt(0.1)
    fresh = _warm_then_decay(again)
    again.add_param_group({"params": [nn.Parameter(np.zeros(1))], "lr": 0.01})
    again.load_state_dict(state[0])
    fresh.load_state_dict(state[1])
    again.step()
    fresh.step()
    opt.step()
    sched.step()
    assert _lrs(again) == _lrs(opt) == [round(0.06561 * 0.9, 10), round(0.0081 * 0.9, 10)]


def test_sequential_lr_before_its_last_milestone_refuses_saying_so():
    opt = _opt(0.1)
    sched = _warm_then_decay(opt)
    opt.step()
    sched.step()
    opt.add_param_group({"params": [nn.Parameter(np.zeros(1))], "lr": 0.01})
    want = "Before its last milestone, PyTorch's.*after the last milestone"
    with pytest.raises(ValueError, match=want):
        sched.step()


def test_sequential_lr_added_group_as_torch():
    torch = pytest.importorskip("torch")
    out = []
    for lib, make in (
        (torch.optim.lr_scheduler, lambda: [torch.nn.Parameter(torch.zeros(1))]),
        (L, lambda: [nn.Parameter(np.zeros(1))]),
    ):
        o = (torch.optim.SGD if lib is not L else optim.SGD)(make(), lr=0.1)
        s = lib.SequentialLR(o, [lib.LinearLR(o, 0.1, 1, 3), lib.StepLR(o, 2, 0.5)], [3])
        r = []
        for epoch in range(9):
            if epoch == 4:
                o.add_param_group({"params": make(), "lr": 0.02})
            o.step()
            s.step()
            r.append([g["lr"] for g in o.param_groups])
        out.append(r)
    for got, want in zip(out[1], out[0]):
        np.testing.assert_allclose(got, want, rtol=1e-9)


# 5, 6. PyTorch-style subclasses: the constructor's step, _LRScheduler, initial_lr ------------


def test_a_subclass_step_runs_once_when_built():
    class Halving(L.LRScheduler):
        def __init__(self, opt):
            self.k = 0
            super().__init__(opt)

        def get_lr(self):
            return [b * 0.5**self.k for b in self.base_lrs]

        def step(self, epoch=None):
            self.k += 1
            super().step()

    opt = _opt(0.1)
    sched = Halving(opt)
    assert sched.k == 1 and sched.last_epoch == 0 and sched._step_count == 1
    assert _run(opt, sched, 3) == [0.05, 0.025, 0.0125, 0.00625]
    assert sched.last_epoch == 3 and sched._step_count == 4


def test_lr_scheduler_alias_and_initial_lr_in_a_subclass():
    from glassnet.lr_scheduler import _LRScheduler

    class Warm(_LRScheduler):
        def get_lr(self):
            return [
                g["initial_lr"] * min(1.0, (self.last_epoch + 1) / 4)
                for g in self.optimizer.param_groups
            ]

    opt = _opt(0.1)
    sched = Warm(opt)
    assert isinstance(sched, L.LRScheduler)
    assert [round(x, 10) for x in _run(opt, sched, 4)] == [0.025, 0.05, 0.075, 0.1, 0.1]


def test_cosine_built_later_rises_back_to_initial_lr_past_t_max():
    opt = _after_exponential()
    sched = L.CosineAnnealingLR(opt, T_max=4, eta_min=0.001)
    got = [round(x, 6) for x in _run(opt, sched, 7)]
    assert got == [0.0125, 0.010816, 0.00675, 0.002684, 0.001, 0.015498, 0.0505, 0.085502]
    assert sched.rise_lrs == [0.1]
    state = sched.state_dict()
    again_opt = _after_exponential()
    again = L.CosineAnnealingLR(again_opt, T_max=4, eta_min=0.001)
    again.load_state_dict(state)
    again_opt.step()
    again.step()
    opt.step()
    sched.step()
    assert _lrs(again_opt) == _lrs(opt)
    fresh = L.CosineAnnealingLR(_opt(0.1), T_max=4)
    assert fresh.rise_lrs is None and "rise_lrs" not in fresh.state_dict()
    with pytest.raises(ValueError, match="rise_lrs"):
        again.load_state_dict({**state, "rise_lrs": [0.1, 0.2]})


def test_step_count_in_get_lr_is_pytorchs():
    class Counted(L.LRScheduler):
        def get_lr(self):
            return [b * (1 + self._step_count) for b in self.base_lrs]

    opt = _opt(0.1)
    sched = Counted(opt)
    assert [round(x, 10) for x in _run(opt, sched, 3)] == [0.2, 0.3, 0.4, 0.5]
