"""Learning-rate schedules: a callable object's state in a glassnet file, schedules built
mid-run as PyTorch's, an adopting SequentialLR resumed, ``_step_count`` in state_dict."""

import numpy as np

import glassnet as gn
from glassnet import lr_scheduler as L
from glassnet import nn, optim


def _opt(lr=0.1, **kw):
    return optim.SGD([nn.Parameter(np.zeros(1))], lr=lr, **kw)


def _lrs(opt):
    return [round(g["lr"], 10) for g in opt.param_groups]


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
