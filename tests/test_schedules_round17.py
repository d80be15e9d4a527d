"""PyTorch's way of writing a scheduler (subclass LRScheduler, override get_lr()), PyTorch's
get_lr() on the built-in schedulers, and PyTorch's warning of a scheduler step before the
optimizer's first step."""

import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import lr_scheduler as gl
from glassnet import nn
from glassnet import optim as go
from glassnet.nn import Parameter


class Warmup(gl.LRScheduler):  # PyTorch's documented way to write a scheduler
    def __init__(self, optimizer, warm, last_epoch=-1):
        self.warm = warm
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [b * min(1.0, (self.last_epoch + 1) / self.warm) for b in self.base_lrs]


class Halving(gl.LRScheduler):  # a chainable one, reading the lrs in force (keyword call)
    def __init__(self, optimizer, last_epoch=-1):
        super().__init__(optimizer, last_epoch=last_epoch)

    def get_lr(self):
        if self.last_epoch == 0:
            return [g["lr"] for g in self.optimizer.param_groups]
        return [g["lr"] * 0.5 for g in self.optimizer.param_groups]


def _sgd(lr=0.1, groups=1):
    return go.SGD([{"params": [Parameter(np.zeros(2))], "lr": lr * (i + 1)} for i in range(groups)])


def _run(opt, sched, n=6):
    out = [sched.get_last_lr()]
    for _ in range(n):
        opt.step()
        sched.step()
        out.append(sched.get_last_lr())
    return out


WARMUP = [[0.025], [0.05], [0.075], [0.1], [0.1], [0.1], [0.1]]


def test_pytorch_style_subclass_sets_epoch_0_rate_at_construction_then_steps():
    opt = _sgd()
    sched = Warmup(opt, 4)
    assert opt.param_groups[0]["lr"] == 0.025 and sched.last_epoch == 0
    assert np.allclose(_run(opt, sched), WARMUP, rtol=0, atol=1e-15)
    assert sched.last_epoch == 6


def test_pytorch_style_subclass_sets_every_group_and_reads_the_lrs_in_force():
    opt = _sgd(groups=2)
    sched = Halving(opt)
    assert _run(opt, sched, 3) == [[0.1, 0.2], [0.05, 0.1], [0.025, 0.05], [0.0125, 0.025]]


def test_pytorch_style_subclass_get_lr_called_in_a_step_does_not_warn():
    opt = _sgd()
    sched = Warmup(opt, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        sched.step()  # (get_lr() within the step: no warning)
        assert sched.get_lr() == pytest.approx([0.05])  # (its own get_lr, as PyTorch's)


def test_pytorch_style_subclass_matches_torch():
    torch = pytest.importorskip("torch")

    class TorchWarmup(torch.optim.lr_scheduler.LRScheduler):
        def __init__(self, optimizer, warm, last_epoch=-1):
            self.warm = warm
            super().__init__(optimizer, last_epoch)

        def get_lr(self):
            return [b * min(1.0, (self.last_epoch + 1) / self.warm) for b in self.base_lrs]

    t_opt = torch.optim.SGD(
        [{"params": [torch.zeros(2, requires_grad=True)], "lr": 0.1 * (i + 1)} for i in range(2)]
    )
    expected = _run(t_opt, TorchWarmup(t_opt, 4))
    opt = _sgd(groups=2)
    assert np.allclose(_run(opt, Warmup(opt, 4)), expected, rtol=1e-15, atol=0)


def test_pytorch_style_subclass_with_a_bad_get_lr_is_refused_clearly():
    class Short(gl.LRScheduler):
        def get_lr(self):
            return [0.1]

    with pytest.raises(ValueError, match=r"get_lr\(\) must return a list of one lr per param"):
        Short(_sgd(groups=2))

    class Negative(gl.LRScheduler):
        def get_lr(self):
            return [-1.0]

    with pytest.raises(gn.ParameterError if hasattr(gn, "ParameterError") else ValueError):
        Negative(_sgd())
    with pytest.raises(ValueError, match="last_epoch=3 resumes a run"):
        Warmup(_sgd(), 4, last_epoch=3)


def test_subclass_overriding_neither_get_lr_nor_rate_is_refused_at_construction():
    class Nothing(gl.LRScheduler):
        pass

    with pytest.raises(TypeError, match=r"overrides neither get_lr\(\) nor _rate\(\)"):
        Nothing(_sgd())


def test_glassnet_style_subclass_still_works():
    class Half(gl.LRScheduler):
        def _rate(self, base_lr, epoch):
            return base_lr * 0.5**epoch

    opt = _sgd()
    sched = Half(opt)
    assert _run(opt, sched, 2) == [[0.1], [0.05], [0.025]]


def test_pytorch_style_subclass_state_dict_round_trips():
    opt = _sgd()
    sched = Warmup(opt, 4)
    _run(opt, sched, 2)
    state = sched.state_dict()
    assert state["epoch"] == 2 and state["warm"] == 4
    opt2 = _sgd()
    again = Warmup(opt2, 7)
    again.load_state_dict(state)
    assert again.warm == 4 and again.last_epoch == 2
    opt2.step()
    again.step()
    assert again.get_last_lr() == pytest.approx([0.1])


def test_pytorch_style_subclass_in_a_sequential_lr():
    opt = _sgd()
    warm = Warmup(opt, 4)
    decay = gl.ExponentialLR(opt, gamma=0.5)
    sched = gl.SequentialLR(opt, [warm, decay], milestones=[3])
    got = _run(opt, sched, 5)
    assert np.allclose(got, [[0.025], [0.05], [0.075], [0.1], [0.05], [0.025]], atol=1e-15)


def test_pytorch_style_subclass_in_fit():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(32, 3)), rng.normal(size=(32, 1))
    model = nn.Sequential(nn.Linear(3, 1, rng=0))
    opt = go.SGD(model.parameters(), lr=0.1)
    sched = Warmup(opt, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gn.fit(model, X, y, optimizer=opt, schedule=sched, epochs=3, batch_size=8)
    assert sched.last_epoch == 3 and opt.lr == pytest.approx(0.1)


# --- get_lr() of the built-in schedulers: PyTorch's, with its warning outside a step ---

BUILT_IN = [
    ("StepLR", {"step_size": 2, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [1, 3], "gamma": 0.1}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"T_max": 4}),
    ("LinearLR", {"total_iters": 3}),
    ("ConstantLR", {"total_iters": 2}),
    ("PolynomialLR", {"total_iters": 4}),
    ("LambdaLR", {"lr_lambda": lambda e: 0.9**e}),
    ("MultiplicativeLR", {"lr_lambda": lambda e: 0.9}),
    ("CosineAnnealingWarmRestarts", {"T_0": 3}),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 10}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 2}),
]


def test_get_lr_of_a_built_in_scheduler_warns_outside_a_step():
    opt = _sgd()
    sched = gl.StepLR(opt, step_size=2)
    with pytest.warns(UserWarning, match=r"please use `get_last_lr\(\)`"):
        assert sched.get_lr() == [0.1]


def test_get_lr_of_a_schedule_without_a_curve_gives_the_lrs_in_force():
    opt = _sgd()
    sched = gl.ReduceLROnPlateau(opt)
    with pytest.warns(UserWarning, match="get_last_lr"):
        assert sched.get_lr() == [0.1]


@pytest.mark.parametrize("name,kw", BUILT_IN, ids=[b[0] for b in BUILT_IN])
def test_get_lr_of_built_in_schedulers_matches_torch(name, kw):
    torch = pytest.importorskip("torch")
    t_opt = torch.optim.SGD([torch.zeros(2, requires_grad=True)], lr=0.1)
    t_sched = getattr(torch.optim.lr_scheduler, name)(t_opt, **kw)
    opt = _sgd()
    sched = getattr(gl, name)(opt, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (both warn: get_lr() outside a step)
        for epoch in range(8):
            mine, theirs = sched.get_lr(), t_sched.get_lr()
            # (at last_epoch 0 too: PyTorch's chainable forms step once more there)
            assert mine == pytest.approx(theirs, rel=1e-12), epoch
            opt.step(), t_opt.step()
            sched.step(), t_sched.step()


# --- PyTorch's warning: a scheduler step before the optimizer's first step ---
WRONG_ORDER = r"Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`"


@pytest.mark.parametrize(
    "make",
    [
        lambda o: gl.StepLR(o, 1, gamma=0.5),
        lambda o: Warmup(o, 4),
        lambda o: gl.OneCycleLR(o, max_lr=1.0, total_steps=10),
        lambda o: gl.SequentialLR(o, [gl.LinearLR(o), gl.ExponentialLR(o, 0.9)], milestones=[2]),
        lambda o: gl.ChainedScheduler([gl.LinearLR(o), gl.ExponentialLR(o, 0.9)]),
    ],
)
def test_a_loop_stepping_the_scheduler_first_warns_as_pytorch(make):
    opt = _sgd()
    sched = make(opt)
    sched.step()  # (wrong order: the first rate of the curve is skipped)
    opt.step()
    with pytest.warns(UserWarning, match=WRONG_ORDER):
        sched.step()
    with warnings.catch_warnings():  # (once, as PyTorch's)
        warnings.simplefilter("error")
        opt.step()
        sched.step()


def test_a_schedule_stepped_alone_to_read_its_rates_does_not_warn():
    opt = _sgd()
    sched = gl.StepLR(opt, 1, gamma=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rates = [(sched.step(), opt.lr)[1] for _ in range(3)]
    assert rates == [0.05, 0.025, 0.0125]


def test_scheduler_step_after_optimizer_step_does_not_warn():
    opt = _sgd()
    opt.step()  # (a step before the scheduler was built does not count)
    sched = gl.StepLR(opt, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            opt.step()
            sched.step()
        sched.step()  # (two scheduler steps in a row: no warning, as PyTorch's)


def test_no_order_warning_where_pytorch_gives_none():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for sched in (gl.ReduceLROnPlateau(_sgd()), gl.CosineAnnealingWarmRestarts(_sgd(), 2)):
            args = (1.0,) if isinstance(sched, gl.ReduceLROnPlateau) else ()
            sched.step(*args)
            sched.optimizer.step()
            sched.step(*args)


def test_pytorch_warns_for_the_same_loop():
    torch = pytest.importorskip("torch")
    t_opt = torch.optim.SGD([torch.zeros(2, requires_grad=True)], lr=0.1)
    t_sched = torch.optim.lr_scheduler.StepLR(t_opt, 1, gamma=0.5)
    opt = _sgd()
    sched = gl.StepLR(opt, 1, gamma=0.5)
    with pytest.warns(UserWarning, match=WRONG_ORDER):
        t_sched.step()
    sched.step()
    t_opt.step()
    opt.step()
    with pytest.warns(UserWarning, match=WRONG_ORDER):
        sched.step()
    t_sched.step()
    assert sched.get_last_lr() == t_sched.get_last_lr()


def test_a_pytorch_style_optimizer_counts_its_steps_for_the_check():
    class Plain(go.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, dict(lr=lr))

        @gn.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        p.add_(p.grad, alpha=-group["lr"])

    w = Parameter(np.ones(2))
    opt = Plain([w])
    sched = gl.StepLR(opt, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(2):
            w.grad = np.ones(2)
            opt.step()
            sched.step()
    assert opt.t == 2
    opt2 = Plain([Parameter(np.ones(2))])
    sched2 = gl.StepLR(opt2, 1)
    sched2.step()
    opt2.step()
    with pytest.warns(UserWarning, match=WRONG_ORDER):
        sched2.step()


def test_fit_steps_its_schedule_without_the_order_warning():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(16, 3)), rng.normal(size=(16, 1))
    model = nn.Sequential(nn.Linear(3, 1, rng=0))
    opt = go.SGD(model.parameters(), lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gn.fit(model, X, y, optimizer=opt, schedule=gl.StepLR(opt, 1, 0.5), epochs=3)


class EveryOther(gl.LRScheduler):  # chainable: halves the lr in force at odd epochs
    def get_lr(self):
        odd = self.last_epoch % 2 == 1
        return [g["lr"] * (0.5 if odd else 1.0) for g in self.optimizer.param_groups]


def test_pytorch_style_subclass_in_a_chained_scheduler():
    opt = _sgd()
    chain = gl.ChainedScheduler([gl.ExponentialLR(opt, 0.9), EveryOther(opt)])
    got = [lr for (lr,) in _run(opt, chain, 4)]
    assert got == pytest.approx([0.1, 0.045, 0.0405, 0.018225, 0.0164025], rel=1e-14)


def test_pytorch_style_subclass_in_a_chained_scheduler_matches_torch():
    torch = pytest.importorskip("torch")

    class TorchEveryOther(torch.optim.lr_scheduler.LRScheduler):
        def get_lr(self):
            odd = self.last_epoch % 2 == 1
            return [g["lr"] * (0.5 if odd else 1.0) for g in self.optimizer.param_groups]

    t_opt = torch.optim.SGD([torch.zeros(2, requires_grad=True)], lr=0.1)
    t_chain = torch.optim.lr_scheduler.ChainedScheduler(
        [torch.optim.lr_scheduler.ExponentialLR(t_opt, 0.9), TorchEveryOther(t_opt)]
    )
    expected = _run(t_opt, t_chain, 6)
    opt = _sgd()
    chain = gl.ChainedScheduler([gl.ExponentialLR(opt, 0.9), EveryOther(opt)])
    assert np.allclose(_run(opt, chain, 6), expected, rtol=1e-14, atol=0)


def test_get_lr_overridden_in_a_subclass_of_a_built_in_is_refused_not_ignored():
    class Capped(gl.StepLR):
        def get_lr(self):
            return [min(lr, 0.04) for lr in super().get_lr()]

    with pytest.raises(TypeError, match="overrides get_lr\\(\\) of glassnet's StepLR"):
        Capped(_sgd(), step_size=2)
