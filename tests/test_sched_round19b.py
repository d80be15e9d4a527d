"""Learning-rate schedules: a callable object's state in a glassnet file, schedules built
mid-run as PyTorch's, an adopting SequentialLR resumed, ``_step_count`` in state_dict."""

import numpy as np
from test_sched_round19 import _after_exponential, _lrs, _opt, _run

import glassnet as gn
from glassnet import lr_scheduler as L
from glassnet import nn, optim


def _decay(epoch):
    return 0.9**epoch


class _WarmThen:
    """A warm-up wrapping another factor function (an attribute no file holds)."""

    def __init__(self, warm, after):
        self.warm, self.after, self.calls, self.opt = warm, after, 0, None
        self.marks = {"seen": [1, 2.5, None], "flag": True}
        self.table = np.arange(3.0)

    def __call__(self, epoch):
        self.calls += 1
        return (epoch + 1) / self.warm if epoch < self.warm else self.after(epoch - self.warm)


# 1. A callable object holding a function: its state saves with gn.save -----------------------


def test_lambda_object_holding_a_function_saves_with_gn_save_and_loads_back(tmp_path):
    model = nn.Linear(2, 1, rng=0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    fn = _WarmThen(3, _decay)
    fn.opt = opt
    sched = L.LambdaLR(opt, fn)
    for _ in range(4):
        opt.step()
        sched.step()
    path = tmp_path / "ck.glassnet"
    gn.save({"optimizer": opt.state_dict(), "scheduler": sched.state_dict()}, path)
    saved = sched.state_dict()["lr_lambdas"][0]
    assert set(saved) == {"warm", "calls", "marks", "table"}  # (after, opt left out)
    back = gn.load(path)
    opt2 = optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=0.1)
    fn2 = _WarmThen(3, _decay)
    sched2 = L.LambdaLR(opt2, fn2)
    opt2.load_state_dict(back["optimizer"])
    sched2.load_state_dict(back["scheduler"])
    assert fn2.calls == fn.calls and fn2.after is _decay and fn2.opt is None
    assert fn2.marks == fn.marks and np.array_equal(fn2.table, fn.table)
    want, got = [], []
    for o, s, out in ((opt, sched, want), (opt2, sched2, got)):
        for _ in range(3):
            o.step()
            s.step()
            out.append(_lrs(o))
    assert got == want


def test_lambda_object_state_saves_with_save_checkpoint(tmp_path):
    model = nn.Linear(2, 1, rng=0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    fn = _WarmThen(2, _decay)
    sched = L.MultiplicativeLR(opt, fn)
    opt.step()
    sched.step()
    path = tmp_path / "ck.glassnet"
    gn.io.save_checkpoint(
        path, model.state_dict(), {"optimizer": opt.state_dict(), "scheduler": sched.state_dict()}
    )
    _, state, _ = gn.io.load_checkpoint(path)
    assert state["scheduler"]["lr_lambdas"][0]["calls"] == fn.calls > 0


def test_cyclic_scale_fn_object_holding_a_function_saves_with_gn_save(tmp_path):
    class Scale:
        def __init__(self):
            self.fn, self.k = _decay, 2

        def __call__(self, x):
            return self.fn(x) / self.k * 2

    opt = _opt()
    sched = L.CyclicLR(opt, 0.01, 0.05, 2, scale_fn=Scale(), cycle_momentum=False)
    sched.step()
    gn.save({"scheduler": sched.state_dict()}, tmp_path / "c.glassnet")
    back = gn.load(tmp_path / "c.glassnet")["scheduler"]
    assert back["_scale_fn_custom"] == {"k": 2}
    fresh = Scale()
    fresh.k = 5
    sched2 = L.CyclicLR(_opt(), 0.01, 0.05, 2, scale_fn=fresh, cycle_momentum=False)
    sched2.load_state_dict(back)
    assert fresh.k == 2 and fresh.fn is _decay


# 2. Schedules built mid-run, as PyTorch 2.13's --------------------------------------------


def test_sequential_built_mid_run_restarts_from_initial_lr_as_pytorch():
    opt = _after_exponential()
    seq = L.SequentialLR(opt, [L.LinearLR(opt, 0.5, 1.0, 2), L.ExponentialLR(opt, 0.9)], [2])
    assert _run(opt, seq, 4) == [0.05, 0.075, 0.1, 0.09, 0.081]  # (PyTorch 2.13's)


def test_linear_after_a_stepped_constant_starts_from_the_lr_in_force_as_pytorch():
    opt = _opt()
    first = L.ConstantLR(opt, 0.5, 4)
    for _ in range(2):
        opt.step()
        first.step()
    second = L.LinearLR(opt, 0.25, 1.0, 3)
    assert _run(opt, second, 4) == [0.0125, 0.025, 0.0375, 0.05, 0.05]  # (PyTorch 2.13's)


def test_warmup_built_beside_the_decay_still_starts_the_decay_from_the_optimizer_lr():
    opt = _opt()
    warm = L.LinearLR(opt, 0.5, 1.0, 2)
    decay = L.StepLR(opt, 1, 0.5)
    assert decay.base_lrs == [0.1]
    seq = L.SequentialLR(opt, [warm, decay], [2])
    assert _run(opt, seq, 4) == [0.05, 0.075, 0.1, 0.05, 0.025]


def test_cyclic_built_mid_run_starts_from_its_base_lr():
    opt = _after_exponential()
    L.CyclicLR(opt, 0.01, 0.05, 2, cycle_momentum=False)
    assert _lrs(opt) == [0.01]  # (PyTorch's 0.1 is its bug #21965's remnant)


# 3. A SequentialLR that took an added group resumes into an optimizer built with both --------


def _seq(opt):
    return L.SequentialLR(opt, [L.LinearLR(opt, 0.4, 1.0, 3), L.StepLR(opt, 2, 0.5)], [3])


def test_sequential_that_took_a_group_resumes_into_an_optimizer_built_with_both():
    opt = _opt()
    sched = _seq(opt)
    for _ in range(4):
        opt.step()
        sched.step()
    opt.add_param_group({"params": [nn.Parameter(np.zeros(1))], "lr": 0.02})
    for _ in range(2):
        opt.step()
        sched.step()
    ostate, sstate = opt.state_dict(), sched.state_dict()
    want = []
    for _ in range(3):
        opt.step()
        sched.step()
        want.append(_lrs(opt))
    params = [nn.Parameter(np.zeros(1)), nn.Parameter(np.zeros(1))]
    opt2 = optim.SGD([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.02}], lr=0.1)
    sched2 = _seq(opt2)
    opt2.load_state_dict(ostate)
    sched2.load_state_dict(sstate)
    got = []
    for _ in range(3):
        opt2.step()
        sched2.step()
        got.append(_lrs(opt2))
    assert got == want == [[0.025, 0.005], [0.025, 0.005], [0.0125, 0.0025]]  # (PyTorch's)


# 4. _step_count in a subclass's state_dict ----------------------------------------------------


class _Warm(L.LRScheduler):
    def get_lr(self):
        return [b * min(1.0, self._step_count / 4) for b in self.base_lrs]


def test_step_count_is_saved_and_restored_as_pytorch():
    opt = _opt()
    sched = _Warm(opt)
    out = [_lrs(opt)[0]]
    for _ in range(2):
        opt.step()
        sched.step()
        out.append(_lrs(opt)[0])
    state = sched.state_dict()
    assert state["_step_count"] == 3
    opt2 = _opt()
    sched2 = _Warm(opt2)
    opt2.load_state_dict(opt.state_dict())
    sched2.load_state_dict(state)
    for _ in range(3):
        opt2.step()
        sched2.step()
        out.append(_lrs(opt2)[0])
    assert out == [0.025, 0.05, 0.075, 0.1, 0.1, 0.1]  # (PyTorch 2.13's)
    assert sched2._step_count == 6


def test_a_state_without_step_count_still_loads_and_a_bad_one_is_refused():
    opt = _opt()
    sched = _Warm(opt)
    opt.step()
    sched.step()
    state = sched.state_dict()
    old = {k: v for k, v in state.items() if k != "_step_count"}
    sched2 = _Warm(_opt())
    sched2.load_state_dict(old)
    assert sched2.epoch == 1 and sched2._step_count == 1
    for bad in (0, True, 2.5, "3"):
        try:
            sched2.load_state_dict({**state, "_step_count": bad})
        except ValueError as exc:
            assert "'_step_count'" in str(exc) and "int >= 1" in str(exc)
        else:
            raise AssertionError(f"_step_count={bad!r} was taken")
    assert sched2._step_count == 1


def test_glassnet_schedules_state_has_no_step_count():
    opt = _opt()
    assert "_step_count" not in L.StepLR(opt, 2).state_dict()
