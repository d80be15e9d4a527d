"""Round 30 (torch3 audit): a PyTorch user's training scripts ported to glassnet."""

from __future__ import annotations

import copy
import math
import pickle

import numpy as np
import pytest

import glassnet as gn
from glassnet.train import EarlyStopping

# -------- 4, 5: an optimizer's weak references to gradients, copied or pickled mid-loop


@pytest.mark.parametrize("size", [2, 400])  # (400: a step reads the gradient in place)
def test_deepcopy_of_model_and_optimizer_after_a_step_is_independent(size):
    m = gn.nn.Linear(size, size)
    o = gn.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    m(gn.ones(1, size)).sum().backward()
    o.step()
    before = np.array(m.W.grad)
    m2, o2 = copy.deepcopy((m, o))
    o2.zero_grad(set_to_none=False)
    assert m2.W.grad is not m.W.grad
    np.testing.assert_array_equal(m.W.grad, before)  # the original's gradient untouched
    assert not np.any(m2.W.grad)
    m2(gn.ones(1, size) * 3).sum().backward()
    np.testing.assert_array_equal(m.W.grad, before)
    o.zero_grad(set_to_none=False)  # the original's own zero_grad still zeroes its own
    assert not np.any(m.W.grad)


def test_a_held_gradient_is_still_zeroed_by_zero_grad_after_a_deepcopy():
    m = gn.nn.Linear(2, 1)
    o = gn.optim.SGD(m.parameters(), lr=0.1)
    m(gn.ones(1, 2)).sum().backward()
    g = m.W.grad
    o.step()
    copy.deepcopy(o)
    o.zero_grad(set_to_none=False)
    assert m.W.grad is g and not np.any(g)


@pytest.mark.parametrize("make", ["Adam", "SGD"])
def test_optimizer_and_scheduler_pickle_between_step_and_zero_grad(make):
    m = gn.nn.Linear(2, 1)
    o = getattr(gn.optim, make)(m.parameters(), lr=0.1)
    m(gn.ones(1, 2)).sum().backward()
    o.step()
    sched = gn.optim.lr_scheduler.StepLR(o, 2)
    o2 = pickle.loads(pickle.dumps(o))
    pickle.loads(pickle.dumps(sched))
    pickle.loads(pickle.dumps(o.zero_grad))
    o2.zero_grad(set_to_none=False)
    o2.step()  # the copy still steps
    np.testing.assert_array_equal(o2.state_dict()["t"], 2)


# -------- 2: an optimizer given a non-leaf tensor (it would never train)


@pytest.mark.parametrize("make", ["SGD", "Adam"])
def test_optimizer_refuses_a_non_leaf_tensor(make):
    w = gn.randn(3, requires_grad=True) * 0.1  # a graph node, not a leaf
    with pytest.raises(ValueError, match=r"non-leaf.*'mul'.*requires_grad_\(\)") as err:
        getattr(gn.optim, make)([w], lr=0.5)
    assert "params" in str(err.value)
    with pytest.raises(ValueError, match="non-leaf"):
        getattr(gn.optim, make)([{"params": [gn.ones(2, requires_grad=True) + 1]}], lr=0.5)
    leaf = (gn.randn(3) * 0.1).requires_grad_()
    getattr(gn.optim, make)([leaf], lr=0.5)  # the way it says works
    getattr(gn.optim, make)([w.detach().requires_grad_()], lr=0.5)


def test_add_param_group_refuses_a_non_leaf_tensor():
    opt = gn.optim.SGD([gn.ones(2, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        opt.add_param_group({"params": [gn.ones(2, requires_grad=True) * 2]})


# -------- 3: a tensor's hooks, carried by pickle and deepcopy: dropped, with a warning
# (fixM, below: test_hooks_are_dropped_by_pickle_or_deepcopy_with_a_warning_and_nothing_counted)


def clip(g):
    return g.clip(-1, 1)


# -------- 10: attached methods named as the class's own (help(), tracebacks, pickle)

NAMED = [
    ("Module", "children"),
    ("Module", "cpu"),
    ("Module", "cuda"),
    ("Module", "half"),
    ("Module", "bfloat16"),
    ("Module", "add_module"),
    ("Module", "register_module"),
    ("Module", "named_children"),
    ("Module", "named_modules"),
    ("Module", "apply"),
    ("Module", "get_submodule"),
    ("Module", "register_forward_hook"),
    ("Module", "register_parameter"),
    ("Sequential", "__add__"),
    ("Sequential", "__iadd__"),
    ("Sequential", "__setitem__"),
    ("Sequential", "__delitem__"),
    ("Linear", "reset_parameters"),
    ("Linear", "__getattr__"),
    ("Linear", "__setattr__"),
    ("BatchNorm1d", "reset_running_stats"),
]


@pytest.mark.parametrize(("cls", "name"), NAMED)
def test_attached_module_methods_are_named_and_pickle(cls, name):
    fn = vars(getattr(gn.nn, cls))[name]
    assert fn.__name__ == name and fn.__qualname__ == f"{cls}.{name}"
    assert fn.__doc__
    assert pickle.loads(pickle.dumps(fn)) is fn


def test_children_cpu_bfloat16_still_work():
    net = gn.nn.Sequential(gn.nn.Linear(2, 3), gn.nn.ReLU())
    assert [type(m).__name__ for m in net.children()] == ["Linear", "ReLU"]
    assert net.cpu() is net
    with pytest.raises(TypeError, match=r"bfloat16\(\)"):
        net.bfloat16()
    with pytest.raises(TypeError, match=r"half\(\)"):
        net.half()


def test_optimizer_load_state_dict_takes_torchs_keyword_name():
    w = gn.ones(2, requires_grad=True)
    opt = gn.optim.SGD([w], lr=0.1, momentum=0.9)
    opt.load_state_dict(state_dict=opt.state_dict())
    lbfgs = gn.optim.LBFGS([w])
    lbfgs.load_state_dict(state_dict=lbfgs.state_dict())


# -------- 9: gn.save of an optimizer: its repr in the message cut with a mark


def test_save_of_an_optimizer_shows_a_cut_repr_marked(tmp_path):
    opt = gn.optim.Adam([gn.ones(2, requires_grad=True)])
    with pytest.raises(TypeError) as err:
        gn.save(opt, tmp_path / "o.gn")
    msg = str(err.value)
    assert "eps=1)" not in msg and "eps=1," not in msg
    assert "…" in msg and "state_dict()" in msg


# -------- 7: a state dict loads into a subclass of the class that saved it, and back


class LoggedSGD(gn.optim.SGD):
    def step(self, closure=None):
        return super().step(closure)


class MyES(EarlyStopping):
    pass


class MyStepLR(gn.optim.lr_scheduler.StepLR):
    pass


def test_state_dicts_load_into_a_subclass_and_from_one():
    w = gn.ones(2, requires_grad=True)
    base, sub = gn.optim.SGD([w], lr=0.1, momentum=0.9), LoggedSGD([w], lr=0.1, momentum=0.9)
    sub.load_state_dict(base.state_dict())
    base.load_state_dict(sub.state_dict())
    MyES(1e-4, 5).load_state_dict(EarlyStopping(1e-4, 5).state_dict())
    EarlyStopping(1e-4, 5).load_state_dict(MyES(1e-4, 5).state_dict())
    MyStepLR(sub, 2).load_state_dict(gn.optim.lr_scheduler.StepLR(base, 2).state_dict())
    gn.optim.lr_scheduler.StepLR(base, 2).load_state_dict(MyStepLR(sub, 2).state_dict())


def test_state_dicts_of_unrelated_or_builtin_subclasses_are_still_refused():
    w = gn.ones(2, requires_grad=True)
    adam = gn.optim.Adam([w]).state_dict()
    with pytest.raises(ValueError, match=r"saved from 'Adam', not AdamW.*an instance of Adam"):
        gn.optim.AdamW([w]).load_state_dict(adam)  # (glassnet's own subclass: other rules)
    with pytest.raises(ValueError, match="saved from 'Adam', not LoggedSGD"):
        LoggedSGD([w], lr=0.1).load_state_dict(adam)


# -------- 8: a subclass of Optimizer with a step of its own needs no 'lr' in its defaults


class Sign(gn.optim.Optimizer):
    def __init__(self, params, eta=0.1):
        super().__init__(params, dict(eta=eta))

    def step(self, closure=None):
        with gn.no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        p.data -= group["eta"] * np.sign(p.grad)


class Factor(Sign):
    def __init__(self, params, lr=None):
        gn.optim.Optimizer.__init__(self, params, dict(lr=lr, eps=1e-3))


def test_an_optimizer_of_its_own_needs_no_lr_in_its_defaults():
    w = gn.ones(2, requires_grad=True)
    opt = Sign([w], eta=0.5)
    assert opt.defaults == {"eta": 0.5} and "lr" not in opt.param_groups[0]
    (w * gn.tensor([1.0, -1.0])).sum().backward()
    opt.step()
    np.testing.assert_array_equal(w.data, [0.5, 1.5])
    opt.add_param_group({"params": [gn.ones(1, requires_grad=True)], "eta": 0.2})
    f = Factor([gn.ones(2, requires_grad=True)])
    assert f.defaults == {"lr": None, "eps": 1e-3}
    with pytest.raises(ValueError, match="lr"):
        Factor([gn.ones(2, requires_grad=True)], lr=-1.0)


def test_a_schedule_on_an_optimizer_with_no_lr_says_so():
    with pytest.raises(ValueError, match=r"StepLR sets the 'lr'.*Sign's groups have none"):
        gn.optim.lr_scheduler.StepLR(Sign([gn.ones(2, requires_grad=True)]), 2)


# -------- 11: common PyTorch names


def test_set_detect_anomaly_sets_the_mode_and_restores_as_a_with_block():
    assert not gn.is_anomaly_enabled()
    try:
        gn.autograd.set_detect_anomaly(True)
        assert gn.is_anomaly_enabled()
        with pytest.raises(gn.AnomalyError):
            gn.tensor([0.0], requires_grad=True).log()
    finally:
        gn.autograd.set_detect_anomaly(False)
    assert not gn.is_anomaly_enabled()
    with gn.autograd.set_detect_anomaly(True):
        assert gn.is_anomaly_enabled()
    assert not gn.is_anomaly_enabled()
    with pytest.raises(TypeError, match="mode"):
        gn.autograd.set_detect_anomaly("yes")


def test_float16_names_exist_and_are_refused_clearly():
    assert gn.float16 is np.float16 and gn.half is np.float16
    with pytest.raises(ValueError, match="float32 or float64"):
        gn.nn.Linear(2, 1).to(gn.float16)
    with pytest.raises(ValueError, match="float32 or float64"):
        gn.zeros(2, dtype=gn.half)


def test_a_grad_has_the_guards_of_a_training_loop():
    w = gn.ones(3, requires_grad=True)
    (w * gn.tensor([1.0, -2.0, 3.0])).sum().backward()
    g = w.grad
    assert not g.isnan().any() and not g.isinf().any() and g.isfinite().all()
    np.testing.assert_array_equal(g.clamp(-1, 1), [1.0, -1.0, 1.0])
    np.testing.assert_array_equal(g.clamp(min=0), [1.0, 0.0, 3.0])
    np.testing.assert_array_equal(g.pow(2), [1.0, 4.0, 9.0])
    np.testing.assert_array_equal(g.sign(), [1.0, -1.0, 1.0])
    assert g.to("cpu") is g and g.float() is g and g.to(gn.float32) is g
    assert g.double().dtype == np.float64 and g.to(gn.float64).dtype == np.float64
    assert g.requires_grad is False
    g[1] = np.nan
    assert g.isnan().any()
    assert g.nan_to_num_() is g and not np.isnan(g).any()
    with pytest.raises(ValueError, match="cuda"):
        g.to("cuda")


# -------- 6: a child's state_dict override, get_extra_state, PyTorch's hooks not called


class Inner(gn.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = gn.nn.Linear(2, 2)

    def state_dict(self, *a, **k):
        d = super().state_dict(*a, **k)
        d["extra"] = 7
        return d


class Outer(gn.nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = Inner()
        self.head = gn.nn.Linear(2, 1)


def test_a_childs_state_dict_override_is_called_as_pytorchs_parent_calls_it():
    keys = list(Outer().state_dict())
    # (torch's order: the child's entries where the child is; its "extra" unprefixed)
    assert keys == ["inner.fc.W", "inner.fc.b", "extra", "head.W", "head.b"]
    assert list(Outer().state_dict(prefix="m.")) == [
        "m.inner.fc.W",
        "m.inner.fc.b",
        "extra",
        "m.head.W",
        "m.head.b",
    ]


class Own(gn.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = gn.nn.Linear(2, 1)

    def state_dict(self):  # (glassnet's signature: no prefix)
        return {**super().state_dict(), "seen": np.array(3.0)}


class Counter(gn.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc, self.count = gn.nn.Linear(2, 1), 0

    def get_extra_state(self):
        return {"count": self.count}

    def set_extra_state(self, state):
        self.count = state["count"]


def test_a_glassnet_style_override_and_extra_state_are_saved_and_loaded():
    net = gn.nn.Sequential(Own(), gn.nn.ReLU())
    assert list(net.state_dict()) == ["layers.0.fc.W", "layers.0.fc.b", "layers.0.seen"]
    net = gn.nn.Sequential(Counter())
    net[0].count = 5
    sd = net.state_dict()
    assert sd["layers.0._extra_state"] == {"count": 5}
    other = gn.nn.Sequential(Counter())
    other.load_state_dict(sd)
    assert other[0].count == 5
    del sd["layers.0._extra_state"]
    with pytest.raises(ValueError, match="_extra_state"):
        other.load_state_dict(sd)


class Renames(gn.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = gn.nn.Linear(2, 1)

    def _load_from_state_dict(self, state_dict, prefix, *args):
        pass


def test_pytorchs_load_hook_override_is_refused_not_skipped():
    net = gn.nn.Sequential(Renames())
    with pytest.raises(NotImplementedError, match="_load_from_state_dict"):
        net.load_state_dict(net.state_dict())
    assert set(net.state_dict()) == {"layers.0.fc.W", "layers.0.fc.b"}  # (saving: fine)


def test_get_parameter_and_get_buffer():
    net = gn.nn.Sequential(gn.nn.Linear(2, 3), gn.nn.BatchNorm1d(3))
    assert net.get_parameter("layers.0.W") is net[0].W
    assert net.get_buffer("layers.1.running_mean") is net[1].running_mean
    with pytest.raises(AttributeError, match="not a parameter"):
        net.get_parameter("layers.1.running_mean")
    with pytest.raises(AttributeError, match="not a buffer"):
        net.get_buffer("layers.0.W")


@pytest.mark.parametrize(
    "name",
    ["__abs__", "__floordiv__", "__rfloordiv__", "__mod__", "__rmod__", "mm", "type", "split",
     "chunk", "__getitem__", "__setitem__", "__setstate__"],
)  # fmt: skip
def test_attached_tensor_methods_are_named_and_pickle(name):
    fn = vars(gn.Tensor)[name]
    assert fn.__name__ == name and fn.__qualname__ == f"Tensor.{name}" and fn.__doc__
    assert pickle.loads(pickle.dumps(fn)) is fn
    x = gn.tensor([-3.0, 4.0])
    np.testing.assert_array_equal(abs(x).data, [3.0, 4.0])
    np.testing.assert_array_equal((x // 2).data, [-2.0, 2.0])
    np.testing.assert_array_equal((x % 3).data, [0.0, 1.0])


# -------- 1: parent.train()/eval() calls each sub-module's own train(mode), as PyTorch's


class FrozenBN(gn.nn.Module):
    calls = 0

    def __init__(self):
        super().__init__()
        self.bn = gn.nn.BatchNorm1d(3)

    def train(self, mode=True):
        FrozenBN.calls += 1
        super().train(mode)
        self.bn.eval()
        return self

    def forward(self, x):
        return self.bn(x)


def test_a_childs_own_train_runs_when_its_parent_switches_mode():
    net = gn.nn.Sequential(gn.nn.Linear(2, 3), FrozenBN())
    FrozenBN.calls = 0
    net.train()
    assert FrozenBN.calls == 1  # (once per parent call, as PyTorch's)
    assert net.training and net[0].training and net[1].training and not net[1].bn.training
    net(gn.randn(8, 2) * 5 + 3)
    np.testing.assert_array_equal(net[1].bn.running_mean, [0.0, 0.0, 0.0])  # frozen
    net.eval()
    assert FrozenBN.calls == 2 and not net[1].training


class Outer2(gn.nn.Module):
    calls = 0

    def __init__(self):
        super().__init__()
        self.inner = FrozenBN()

    def train(self, mode=True):
        Outer2.calls += 1
        return super().train(mode)


def test_nested_own_trains_each_run_once_and_a_cycle_ends():
    net = gn.nn.Sequential(Outer2(), gn.nn.Linear(3, 1))
    FrozenBN.calls = Outer2.calls = 0
    net.eval()
    assert (Outer2.calls, FrozenBN.calls) == (1, 1)
    net[0].inner.owner = net[0]  # (a module that holds its parent: the walk ends)
    net.train()
    assert (Outer2.calls, FrozenBN.calls) == (2, 2)
    assert not net[0].inner.bn.training and net[0].training


def test_add_param_group_takes_torchs_keyword_name():
    opt = gn.optim.SGD([gn.ones(2, requires_grad=True)], lr=0.1, momentum=0.9)
    opt.add_param_group(param_group={"params": [gn.ones(3, requires_grad=True)], "lr": 0.2})
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.2]
    with pytest.raises(ValueError, match="one group"):
        gn.optim.LBFGS([gn.ones(2, requires_grad=True)]).add_param_group(
            param_group={"params": [gn.ones(1, requires_grad=True)]}
        )


@pytest.mark.parametrize(
    "name",
    ["register_state_dict_pre_hook", "register_state_dict_post_hook",
     "register_load_state_dict_pre_hook", "register_load_state_dict_post_hook"],
)  # fmt: skip
def test_pytorchs_state_dict_hooks_are_refused_saying_what_to_do(name):
    with pytest.raises(NotImplementedError, match=r"override state_dict\(\)"):
        getattr(gn.nn.Linear(2, 1), name)(lambda *a: None)


# -------- fixM (review revM): the torch3 mends mended


@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
def test_hooks_are_dropped_by_pickle_or_deepcopy_with_a_warning_and_nothing_counted(how):
    from glassnet.hooks import grad_hooks

    m = gn.nn.Linear(2, 1)
    before = grad_hooks.on
    handles = [p.register_hook(clip) for p in m.parameters()]
    with pytest.warns(UserWarning, match="register_hook"):
        m2 = pickle.loads(pickle.dumps(m)) if how == "pickle" else copy.deepcopy(m)
    for h in handles:
        h.remove()
    assert grad_hooks.on == before  # (no hook left counted on: backward stays plain)
    m2(gn.ones(1, 2) * 100).sum().backward()
    np.testing.assert_array_equal(np.ravel(m2.W.grad), [100.0, 100.0])  # dropped: not run


def test_a_train_override_without_super_keeps_its_sub_modules_flags():
    class Frozen(gn.nn.Module):
        def __init__(s):
            super().__init__()
            s.l, s.bn, s.drop = gn.nn.Linear(2, 2), gn.nn.BatchNorm1d(2), gn.nn.Dropout(0.5)

        def forward(s, x):
            return s.drop(s.bn(s.l(x)))

        def train(s, mode=True):
            s.training = mode
            return s

    m = gn.nn.Sequential(gn.nn.Linear(2, 2), Frozen())
    f = m.layers[1]
    m.eval(), f.l.eval(), f.bn.eval(), f.drop.eval()
    m.train()
    assert m.training and f.training and m.layers[0].training
    assert not f.bn.training and not f.drop.training and not f.l.training  # (PyTorch's)


class SignSGD(gn.optim.Optimizer):
    def __init__(s, params, eta=0.01):
        super().__init__(params, dict(eta=eta))

    def step(s, closure=None):
        pass


class NoneLR(gn.optim.Optimizer):
    def __init__(s, params, lr=None):
        super().__init__(params, dict(lr=lr))

    def step(s, closure=None):
        pass


def test_an_optimizer_without_lr_says_so_on_opt_lr():
    o = SignSGD(gn.nn.Linear(2, 1).parameters())
    with pytest.raises(AttributeError, match="SignSGD.*'lr'"):
        _ = o.lr
    assert math.isnan(getattr(o, "lr", math.nan))


@pytest.mark.parametrize("cls", [SignSGD, NoneLR])
def test_fit_refuses_an_optimizer_without_lr_before_training(cls):
    m = gn.nn.Linear(2, 1)
    before = np.array(m.W.data)
    X, y = np.ones((8, 2), np.float32), np.ones((8, 1), np.float32)
    with pytest.raises(ValueError, match=f"fit: optimizer {cls.__name__} has no lr.*lr=None"):
        gn.fit(m, X, y, epochs=2, verbose=0, optimizer=cls(m.parameters()))
    np.testing.assert_array_equal(m.W.data, before)  # (refused up front: no epoch run)


def test_a_schedule_on_lr_none_names_the_missing_lr():
    o = NoneLR(gn.nn.Linear(2, 1).parameters())
    with pytest.raises(ValueError, match="no 'lr'|has no lr") as e:
        gn.optim.lr_scheduler.StepLR(o, 1)
    assert "initial_lr" not in str(e.value)


def test_a_load_from_state_dict_override_does_not_block_saving():
    class Old(gn.nn.Module):
        def __init__(s):
            super().__init__()
            s.l = gn.nn.Linear(3, 1)

        def forward(s, x):
            return s.l(x)

        def _load_from_state_dict(s, *a, **k):
            pass

    sd = Old().state_dict()
    assert set(sd) == {"l.W", "l.b"}
    with pytest.raises(NotImplementedError, match="_load_from_state_dict"):
        Old().load_state_dict(sd)


def test_a_save_to_state_dict_override_is_refused_by_saving_only():
    class Saves(gn.nn.Module):
        def __init__(s):
            super().__init__()
            s.l = gn.nn.Linear(3, 1)

        def _save_to_state_dict(s, *a, **k):
            pass

    sd = gn.nn.Sequential(gn.nn.Linear(3, 1)).state_dict()
    with pytest.raises(NotImplementedError, match=r"Saves._save_to_state_dict \(at 'layers.0'"):
        gn.nn.Sequential(Saves()).state_dict()
    gn.nn.Sequential(Saves()).load_state_dict({k.replace("0.", "0.l."): v for k, v in sd.items()})


class MyAdamW(gn.optim.AdamW):
    pass


class MyAdam(gn.optim.Adam):
    pass


@pytest.mark.parametrize(
    "src, dst", [(MyAdamW, gn.optim.Adam), (gn.optim.Adam, MyAdamW), (MyAdam, MyAdamW)]
)
def test_a_user_subclass_of_adamw_does_not_carry_state_across_adam_and_adamw(src, dst):
    p = gn.nn.Linear(2, 1).parameters()
    sd = src(p, lr=0.1).state_dict()
    with pytest.raises((ValueError, TypeError), match="AdamW|Adam"):
        dst(p, lr=0.1).load_state_dict(sd)


@pytest.mark.parametrize("src, dst", [(MyAdamW, gn.optim.AdamW), (gn.optim.AdamW, MyAdamW)])
def test_a_user_subclass_still_loads_its_bases_state_both_ways(src, dst):
    p = gn.nn.Linear(2, 1).parameters()
    dst(p, lr=0.1).load_state_dict(src(p, lr=0.1).state_dict())


def test_weak_is_a_weakref_that_copies_and_pickles_as_before():
    import weakref

    from glassnet.optim_habits import weak

    a = np.ones(3)
    w = weak(a)
    assert isinstance(w, weakref.ref) and w() is a
    c = copy.deepcopy([a, w])
    assert c[1]() is c[0] and c[1]() is not a
    assert pickle.loads(pickle.dumps(w))() is None
    assert copy.deepcopy(weak(np.ones(2)))() is None  # (its array copied, held nowhere)
    f = weak(1.5)
    assert f() == 1.5 and copy.deepcopy(f)() == 1.5 and pickle.loads(pickle.dumps(f))() is None


def test_float16_refusals_name_float16_not_the_numpy_class():
    with pytest.raises((TypeError, ValueError)) as e:
        gn.tensor([1.0], dtype=gn.float16)
    assert "float16" in str(e.value) and "numpy" not in str(e.value)

    m = gn.nn.Linear(2, 1)
    m(gn.ones(1, 2)).sum().backward()
    h = m.W.grad.half()
    assert h.dtype == np.float16 and type(h) is np.ndarray and m.W.grad.dtype == np.float32


def test_a_key_from_a_childs_state_dict_override_is_named_when_refused():
    class Scaled(gn.nn.Module):
        def __init__(s):
            super().__init__()
            s.l, s.scale = gn.nn.Linear(2, 2), 2.0

        def forward(s, x):
            return s.l(x) * s.scale

        def state_dict(s, *a, **k):
            d = super().state_dict(*a, **k)
            d[k.get("prefix", "") + "scale"] = np.array(s.scale)
            return d

        def load_state_dict(s, state, strict=True):
            state = dict(state)
            s.scale = float(state.pop("scale"))
            return super().load_state_dict(state, strict)

    sd = gn.nn.Sequential(gn.nn.Linear(2, 2), Scaled()).state_dict()
    pattern = r"'layers.1.scale' came from Scaled.state_dict\(\).*set_extra_state"
    with pytest.raises(gn.nn.StateDictError, match=pattern):
        gn.nn.Sequential(gn.nn.Linear(2, 2), Scaled()).load_state_dict(sd)
