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


def test_fit_takes_over_ctrl_c_without_the_signal_modules_enum_wrappers(monkeypatch):
    # signal.getsignal/signal.signal wrap every handler in an enum (a few microseconds each,
    # 5 a call); fit reads and sets the handlers with _signal's functions, the same handlers
    import signal

    before = signal.getsignal(signal.SIGINT)
    model = _xnor()

    def refused(*args):
        raise AssertionError("signal's wrapper called")

    monkeypatch.setattr(signal, "getsignal", refused)
    monkeypatch.setattr(signal, "signal", refused)
    assert _fit(model).steps == 1
    monkeypatch.undo()
    assert signal.getsignal(signal.SIGINT) is before  # (given back)


def test_fit_reads_the_parameters_a_bounded_number_of_times(monkeypatch):
    # every check that needs them walks the module tree for them (Module.parameters); fit
    # walked once more for the parameters' dtype, which the params it holds already give
    model = _xnor()
    _fit(model)
    reads = []
    real = Module.parameters
    monkeypatch.setattr(Module, "parameters", lambda self, *a: reads.append(a) or real(self, *a))
    _fit(model)
    assert len(reads) <= 6, f"fit read model.parameters() {len(reads)} times"


class _CountedModule(str):
    """A class's ``__module__`` that counts how often its name is formatted (the walk up a
    class's bases for the nearest class of glassnet's formats each one's)."""

    reads = 0

    def __format__(self, spec: str) -> str:
        type(self).reads += 1
        return str.__format__(str(self), spec)


def test_fit_finds_each_layer_classs_glassnet_base_once(monkeypatch):
    # the fast path's checks (own_layer, layers_of) ask builtin_forward of every layer,
    # which walked up the layer's classes (formatting each one's module) at every ask: 2 a
    # layer a call; now once a class while its __mro__ stays
    class MyLinear(gn.nn.Linear):
        pass

    class MyTanh(gn.nn.Tanh):
        pass

    monkeypatch.setattr(_CountedModule, "reads", 0)
    MyLinear.__module__ = MyTanh.__module__ = _CountedModule("tests.mine")
    rng = np.random.default_rng(0)
    model = gn.nn.Sequential(MyLinear(2, 2, rng=rng), MyTanh(), MyLinear(2, 1, rng=rng))
    h = gn.fit(model, X, Y, loss="mse", lr=0.1, epochs=1, seed=0, verbose=0)
    assert h.engine == "fused"  # (a subclass that adds nothing: read by its class)
    first = _CountedModule.reads
    gn.fit(model, X, Y, loss="mse", lr=0.1, epochs=1, seed=0, verbose=0)
    assert _CountedModule.reads == first


def test_a_layer_class_given_other_bases_is_read_by_its_new_base():
    from glassnet.tasks import builtin_forward, glassnet_base

    class Act(gn.nn.Tanh):
        pass

    a = Act()
    assert glassnet_base(a) is gn.nn.Tanh and builtin_forward(a)
    Act.__bases__ = (gn.nn.Sigmoid,)  # (a new __mro__: looked up again)
    assert glassnet_base(a) is gn.nn.Sigmoid
    Act.forward = lambda self, x: x  # (a forward of its own, set after a look-up: seen)
    assert not builtin_forward(a)


def test_a_one_step_run_prepares_the_optimizers_rules_once(monkeypatch):
    # the whole-run loop asks a fresh optimizer for its prepared rules again after the
    # first step (which binds the gradients); a run of one step has no second step to use
    # them for
    from glassnet.optim import Optimizer

    model = _xnor()
    _fit(model)
    asked = []
    real = Optimizer.prepared
    monkeypatch.setattr(Optimizer, "prepared", lambda self: asked.append(1) or real(self))
    h = _fit(model)
    assert (h.engine, h.steps, len(asked)) == ("fused", 1, 1)
    gn.fit(model, X, Y, lr=1.0, epochs=2, seed=0, verbose=0)
    assert len(asked) == 3  # (two steps: the rules asked for again after the first)


def test_a_full_batch_run_tiles_its_targets_for_the_epochs_it_runs(monkeypatch):
    # the losses of the epochs a count holds are counted at once against the targets tiled:
    # 64 copies of y were made for a run of one epoch
    from glassnet import eager

    tiled = []
    real = eager._tiled
    monkeypatch.setattr(eager, "_tiled", lambda a, k: tiled.append(k) or real(a, k))
    model = _xnor()
    h1 = _fit(model)
    h3 = gn.fit(model, X, Y, lr=1.0, epochs=3, seed=0, verbose=0)
    assert tiled == [1, 3]
    assert (h1.engine, h3.engine, len(h3.loss)) == ("fused", "fused", 3)


def test_fit_compares_no_untouched_table_entry_with_the_built_in(monkeypatch):
    # the fast path follows a loss by its table entry's kernel alone, and fuses a head
    # (sigmoid under binary cross-entropy) by its entry; whether an entry was replaced was
    # asked at every call by a dataclasses.replace of it and a comparison of every field (a
    # few tens of us each; the head's entry was still compared); the entry import left, a
    # frozen dataclass, is the built-in: nothing to compare
    import glassnet.functional as F

    made = []
    real = F.replace
    monkeypatch.setattr(F, "replace", lambda e, **kw: made.append(e.name) or real(e, **kw))
    assert _fit(_xnor()).engine == "fused"
    assert gn.fit(_xnor(), X, Y, loss="binary_cross_entropy", epochs=1, verbose=0).engine == "fused"
    assert not F.replaced_entry("sigmoid") and not F.replaced_entry("mse", loss=True)
    assert made == []


@pytest.mark.parametrize("loss", [False, True])
def test_a_replaced_table_entry_is_still_found(monkeypatch, loss):
    import dataclasses

    import glassnet.functional as F

    table, name = (F.LOSSES, "mse") if loss else (F.ACTIVATIONS, "tanh")
    entry = table[name]
    monkeypatch.setitem(table, name, dataclasses.replace(entry, formula="my words"))
    assert not F.replaced_entry(name, loss=loss)  # (its texts alone: no replacement)
    monkeypatch.setitem(table, name, dataclasses.replace(entry))  # (a copy: the same fields)
    assert not F.replaced_entry(name, loss=loss)
    field = "kernel" if loss else "grad"
    monkeypatch.setitem(table, name, dataclasses.replace(entry, **{field: lambda *a, **k: 0}))
    assert F.replaced_entry(name, loss=loss)
    monkeypatch.delitem(table, name)
    assert F.replaced_entry(name, loss=loss)
    monkeypatch.setitem(table, name, entry)  # (put back: the import's own again)
    assert not F.replaced_entry(name, loss=loss)


def test_a_loss_entry_replaced_in_more_than_its_kernel_still_takes_the_graph(monkeypatch):
    import dataclasses

    import glassnet.functional as F
    from glassnet.engines import graph_reason

    entry = F.LOSSES["mse"]
    mine = dataclasses.replace(entry, fn=lambda *a, **k: entry.fn(*a, **k))
    monkeypatch.setitem(F.LOSSES, "mse", mine)
    assert "'mse' of glassnet.functional.LOSSES was replaced" in graph_reason(_xnor(), entry)
    assert _fit(_xnor()).engine == "graph"
    monkeypatch.setitem(F.LOSSES, "mse", dataclasses.replace(entry, formula="my words"))
    assert graph_reason(_xnor(), entry) == "" and _fit(_xnor()).engine == "fused"


@pytest.mark.parametrize("name", ["sgd", "adam", "rmsprop"])
def test_an_optimizer_built_by_keyword_binds_its_arguments_without_inspect(monkeypatch, name):
    # PyTorch's positional __init__ (optim_signature) bound every call through
    # inspect.Signature.bind and apply_defaults (some 10 us): a call that gives the params
    # alone by position and its settings by keyword, as fit and most users do, needs neither
    import inspect

    from glassnet import optim

    model, mine = _xnor(), optim.OPTIMIZERS[name].__init__.__signature__
    ps = list(_xnor().parameters())
    expected = optim.get_optimizer(name, ps, lr=0.25, weight_decay=0.5).param_groups[0]
    bound = []
    real = inspect.Signature.bind
    monkeypatch.setattr(
        inspect.Signature, "bind", lambda s, *a, **k: bound.append(s is mine) or real(s, *a, **k)
    )
    assert _fit(model, optimizer=name).steps == 1
    opt = optim.get_optimizer(name, ps, lr=0.25, weight_decay=0.5)
    assert bound == [] and opt.param_groups[0] == expected
    assert optim.OPTIMIZERS[name](ps, 0.25, weight_decay=0.5).param_groups[0] == expected
    assert bound == [True]  # (a setting by position: bound as before)


def test_a_constructor_still_refuses_what_its_signature_refuses():
    from glassnet.optim import SGD

    ps = list(_xnor().parameters())
    with pytest.raises(TypeError, match=r"^SGD\(\): got an unexpected keyword argument 'momentun'"):
        SGD(ps, lr=0.1, momentun=0.9)
    with pytest.raises(TypeError, match=r"^SGD\(\): multiple values for argument 'lr'"):
        SGD(ps, 0.1, lr=0.1)
    with pytest.raises(TypeError, match=r"^SGD\(\): missing a required argument: 'params'"):
        SGD(lr=0.1)
    with pytest.raises(TypeError, match=r"^SGD\(\): too many positional arguments"):
        SGD(ps, 0.1, 0.9, 0.0, 0.0, False, "torch")
    assert SGD(params=ps, lr=0.1, style="sklearn").param_groups[0]["style"] == "sklearn"
    assert SGD(ps, 0.1, 0.9, nesterov=True).param_groups[0]["nesterov"] is True


def test_an_optimizer_built_from_its_name_reads_the_signature_its_constructor_carries(
    monkeypatch,
):
    # build's check_keywords (and get_optimizer) asked inspect.signature for an __init__
    # that carries its __signature__ (optim_signature made it): a search for it each time
    import inspect

    from glassnet import optim
    from glassnet._validation import check_keywords

    ps, asked = _params(), []
    real = inspect.signature
    monkeypatch.setattr(inspect, "signature", lambda f, **k: asked.append(f) or real(f, **k))
    check_keywords(optim.Adam, {"lr": 0.1, "betas": (0.9, 0.99)})
    opt = optim.get_optimizer("adam", ps, lr=0.1, foreach=None)
    assert (type(opt).__name__, opt.lr, asked) == ("Adam", 0.1, [])
    monkeypatch.undo()
    allowed = list(inspect.signature(optim.Adam.__init__).parameters)[2:]
    with pytest.raises(TypeError) as e:
        optim.get_optimizer("adam", _params(), lr=0.1, bettas=(0.9, 0.99))
    assert str(e.value) == (
        f"Adam got unexpected keyword arguments ['bettas']; its settings are {allowed}."
    )

    class Plain:  # (a constructor without one: inspect's signature, as before)
        def __init__(self, first, a=1):
            pass

    with pytest.raises(TypeError, match=r"Plain got unexpected keyword arguments \['b'\]"):
        check_keywords(Plain, {"a": 2, "b": 3})


def _params() -> list:
    return list(_xnor().parameters())


def test_the_fast_paths_layers_are_checked_in_one_walk_of_the_modules(monkeypatch):
    # layers_of checked the weights set (a walk of model.modules()), then the hooks the
    # fast path runs none of (a second walk); fit reads the layers at every call
    model = _xnor()
    walks = []
    real = Module.modules
    monkeypatch.setattr(Module, "modules", lambda self: walks.append(1) or real(self))
    gn.fused.layers_of(model, "fit", training=True)
    assert len(walks) == 1


def test_the_fast_paths_refusals_keep_their_order():
    # a Linear without weights first, then the hooks (forward; backward too for training)
    model = _xnor()
    model.layers[0].register_full_backward_hook(lambda *a: None)
    assert len(gn.fused.layers_of(model, "explain")) == 2  # (a backward hook: not run)
    with pytest.raises(TypeError, match="hook"):
        gn.fused.layers_of(model, "fit", training=True)
    model.layers[2].register_forward_hook(lambda *a: None)
    with pytest.raises(TypeError, match="hook"):
        gn.fused.layers_of(model, "explain")
    model.layers[2].W = None
    for training in (False, True):
        with pytest.raises(ValueError, match=r"'layers\.2' has its weight W set to None"):
            gn.fused.layers_of(model, "fit", training=training)


@pytest.mark.parametrize("training", [None, 0, np.False_, 1])
def test_the_fast_path_refuses_hooks_whatever_training_is_given_as(training):
    # layers_of is public: training=None (or another falsy non-bool) is read as False, and a
    # forward hook, which the fast path would not run, is still refused (it was accepted)
    model = _xnor()
    assert len(gn.fused.layers_of(model, "explain", training=training)) == 2
    model.layers[0].register_forward_hook(lambda *a: None)
    with pytest.raises(TypeError, match="hook"):
        gn.fused.layers_of(model, "explain", training=training)


def test_an_optimizer_built_on_a_list_checks_its_settings_and_parameters_once(monkeypatch):
    # the constructor checks its settings (opt.defaults) and the list; its one group of
    # that list was then checked again by add_param_group: {**defaults, **group} and the
    # same list (check_params), tens of us an optimizer built from its name at every fit
    from glassnet import optim, optim_habits

    checked, validated = [], []
    for module in (optim, optim_habits):
        real = module.check_params
        monkeypatch.setattr(
            module, "check_params", lambda p, o, real=real: checked.append(o) or real(p, o)
        )
    real_keys = optim.group_keys  # (Optimizer._validate's first step: one call, one check)
    monkeypatch.setattr(optim, "group_keys", lambda *a: validated.append(a[0]) or real_keys(*a))
    assert gn.fit(_xnor(), X, Y, optimizer="sgd", lr=1.0, epochs=1, verbose=0).steps == 1
    assert (len(checked), len(validated)) == (1, 1)
    opt = optim.SGD(_params(), lr=0.5, momentum=0.9)
    assert (len(checked), len(validated)) == (2, 2)
    opt.add_param_group({"params": _params()})  # (a user's call: checked, both)
    assert (len(checked), len(validated)) == (3, 3)
    assert opt.param_groups[0].keys() == opt.param_groups[1].keys()


@pytest.mark.parametrize("name", sorted(gn.optim.OPTIMIZERS))
def test_each_of_glassnets_optimizers_checks_its_settings_once(monkeypatch, name):
    # glassnet's own checks of a group's settings (Optimizer's, and SGD's of its momentum)
    # give the same settings when run again: the constructor's group skips the second run
    from glassnet import optim

    validated = []
    real_keys = optim.group_keys
    monkeypatch.setattr(optim, "group_keys", lambda *a: validated.append(a[0]) or real_keys(*a))
    opt = gn.optim.OPTIMIZERS[name](_params(), lr=0.25)
    assert validated == [type(opt).__name__]


def test_a_subclasss_own_validate_sees_the_constructors_group():
    # a check of a group's settings of a subclass's own (as SGD's of nesterov against
    # momentum) is run on the constructor's group too, as PyTorch's add_param_group runs it
    from glassnet.optim import SGD

    seen = []

    class Capped(SGD):
        def _validate(self, settings, *rate):
            out = super()._validate(settings, *rate)
            seen.append("params" in settings)
            if "params" in settings and out["lr"] > 0.5:
                raise ValueError("a group's lr is at most 0.5")
            return out

    Capped(_params(), lr=0.25)
    assert seen == [False, True]  # (the defaults, then the group)
    with pytest.raises(ValueError, match="at most 0.5"):
        Capped(_params(), lr=0.9)

    class Tagged(SGD):  # (one that is not the same when run again: the group's is its own)
        def _validate(self, settings, *rate):
            return {**super()._validate(settings, *rate), "runs": settings.get("runs", 0) + 1}

    assert Tagged(_params(), lr=0.25).param_groups[0]["runs"] == 2

    class Own(SGD):  # (an instance's own, set before the constructor's group)
        def __init__(self, params, lr):
            self._validate = lambda settings, *rate: (
                seen.append("own") or SGD._validate(self, settings, *rate)
            )
            super().__init__(params, lr=lr)

    seen.clear()
    Own(_params(), lr=0.25)
    assert seen == ["own", "own"]


def test_a_patched_optimizer_add_param_group_sees_the_constructors_group(monkeypatch):
    # instrumentation (or mock.patch.object(Optimizer, "add_param_group", wraps=...)) of the
    # base class's method is called for the constructor's group, as before the shortcut
    from glassnet.optim import SGD, Optimizer

    seen = []
    real = Optimizer.add_param_group
    monkeypatch.setattr(
        Optimizer, "add_param_group", lambda self, g: seen.append(sorted(g)) or real(self, g)
    )
    SGD(_params(), lr=0.1)
    assert seen == [["params"]]
    monkeypatch.undo()
    SGD(_params(), lr=0.1)  # (the original back: the shortcut again)
    assert seen == [["params"]]


@pytest.mark.parametrize("name", sorted(gn.optim.OPTIMIZERS))
def test_the_constructors_group_has_the_settings_a_group_added_later_gets(name):
    # the constructor's group joins with a copy of its checked defaults; a group added by
    # add_param_group is checked: the same settings, of the same types, a dict of its own
    cls = gn.optim.OPTIMIZERS[name]
    opt = cls(_params(), lr=0.25)
    opt.add_param_group({"params": _params()})
    first, second = ({k: v for k, v in g.items() if k != "params"} for g in opt.param_groups)
    assert first == second == opt.defaults
    assert [type(v) for v in first.values()] == [type(v) for v in second.values()]
    assert first is not opt.defaults
    opt.param_groups[0]["lr"] = 0.5  # (a group's own dict: the defaults stay)
    assert opt.defaults["lr"] == 0.25


def test_a_pytorch_style_optimizers_group_keeps_its_own_settings():
    from glassnet.optim import Optimizer

    class Mine(Optimizer):
        def __init__(self, params, lr=0.1, decay=0.5):
            super().__init__(params, dict(lr=lr, decay=decay))

        def step(self, closure=None):
            pass

    class NoLr(Mine):  # (PyTorch's takes a defaults dict without one: a sign-SGD's eta)
        def __init__(self, params, eta=0.1):
            Optimizer.__init__(self, params, dict(eta=eta))

    opt = Mine(_params(), lr=0.2)
    opt.add_param_group({"params": _params()})
    assert [(g["lr"], g["decay"]) for g in opt.param_groups] == [(0.2, 0.5), (0.2, 0.5)]
    assert opt.param_groups[0] is not opt.defaults
    opt = NoLr(_params())
    opt.add_param_group({"params": _params()})
    assert [sorted(g) for g in opt.param_groups] == [["eta", "params"]] * 2


def test_add_param_group_still_refuses_what_it_refused():
    from glassnet._validation import ParameterError
    from glassnet.optim import SGD

    ps = _params()
    opt = SGD(ps, lr=0.1)
    with pytest.raises(ParameterError, match=r"'lr' parameter of SGD"):
        opt.add_param_group({"params": _params(), "lr": -1})
    with pytest.raises(ValueError, match="more than one"):
        opt.add_param_group({"params": ps[:1]})
    opt.defaults["momentum"] = 2.0  # (defaults edited: a new group's settings checked)
    with pytest.raises(ParameterError, match=r"'momentum' parameter of SGD"):
        opt.add_param_group({"params": _params()})
    with pytest.raises(ParameterError, match=r"'momentum' parameter of SGD"):
        SGD(_params(), lr=0.1, momentum=2.0)
    with pytest.raises(ParameterError, match="non-leaf"):
        SGD([ps[0] * 2], lr=0.1)


def test_a_subclasss_add_param_group_sees_the_constructors_group():
    # PyTorch's constructor adds its groups through add_param_group: an override of it is
    # called for the constructor's one group too, and what it edits there is checked
    from glassnet._validation import ParameterError
    from glassnet.optim import SGD

    seen = []

    class Halved(SGD):
        def add_param_group(self, group):
            seen.append(sorted(group))
            super().add_param_group({**group, "lr": group.get("lr", self.defaults["lr"]) / 2})

    opt = Halved(_params(), lr=1.0)
    assert (seen, opt.param_groups[0]["lr"], opt.defaults["lr"]) == ([["params"]], 0.5, 1.0)

    class Refused(SGD):
        def add_param_group(self, group):
            super().add_param_group({**group, "momentum": -1})

    with pytest.raises(ParameterError, match=r"'momentum' parameter of Refused"):
        Refused(_params(), lr=1.0)
