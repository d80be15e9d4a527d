"""What mypy sees of the names glassnet sets at run time (round 21).

Module's methods that glassnet.nn.containers attaches (``apply``, the hooks,
``named_modules``, ``cpu``, ...: ``ModuleMethods`` of glassnet/declarations.pyi), the
optimizers' ``state``, the function forms and dtype names that ``import glassnet`` sets by
a loop (``gn.sum``, ``gn.float``: glassnet/functions.pyi), PyTorch's import paths that
``sys.modules`` holds (glassnet/optim/lr_scheduler.pyi, glassnet/utils/data/*.pyi),
``nn.init``'s ``__all__``, ``train()``/``eval()``/``to()`` returning the model's own type,
``x.max(1)`` refused, and an Explanation's ``gradient`` indexable; what nn.containers attaches
to Linear and Sequential (declarations.pyi's ``LinearMethods``, ``SequentialMethods``),
``layer.b`` typed as PyTorch's ``bias`` (the README's weights), ``gn.full`` of a NumPy scalar
and ``infer_task(y).classes_``. One mypy run (the settings of
tests/test_typing_round20.py) checks every snippet; each must type-check, save the lines
marked ``# E:``, which must be the errors, and nothing else.
"""

from __future__ import annotations
import __future__

import ast
import inspect
import textwrap
import types
import typing
from pathlib import Path

import numpy as np
import pytest
from test_typing_round20 import (
    MADE_BY_CLASS,
    ROOT,
    _parameters,
    attached,
    class_body,
    declarations,
)

import glassnet as gn
from glassnet import nn
from glassnet.nn.module import Module

SNIPPETS = {
    "module_methods": """\
        import collections

        import glassnet as gn
        from glassnet import nn
        from glassnet.hooks import RemovableHandle
        from glassnet.tensor import Tensor

        class Net(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.fc1 = nn.Linear(4, 8)

            def forward(self, x: Tensor) -> Tensor:
                return self.fc1.forward(x)

        def init_weights(m: nn.Module) -> None:
            pass

        net = Net()
        same: Net = net.apply(init_weights)
        h: RemovableHandle = net.register_forward_hook(lambda m, i, o: None)
        h.remove()
        net.register_forward_pre_hook(lambda m, i: None).remove()
        net.register_full_backward_hook(lambda m, gi, go: None).remove()
        names = [name for name, _ in net.named_modules()] + [n for n, _ in net.named_children()]
        kids: list[nn.Module] = list(net.children())
        sub: nn.Module = net.get_submodule("fc1")
        net.add_module("extra", nn.ReLU())
        net.register_parameter("scale", None)
        on_cpu: Net = net.cpu()
        ev: Net = net.eval()
        tr: Net = net.train().to("cpu").double().float().requires_grad_(True)
        opt = gn.optim.Adam(net.parameters(), lr=1e-3)
        state: dict[object, dict[str, object]] = opt.state
        sgd = gn.optim.SGD(net.parameters(), lr=0.1)
        sgd.state = collections.defaultdict(dict)
        net.fly()  # E: "Net" has no attribute "fly"  [attr-defined]
    """,
    "function_forms": """\
        import glassnet as gn
        from glassnet.habits import Array
        from glassnet.tensor import Tensor

        x = gn.randn(2, 3)
        s: Tensor = gn.sum(x, dim=1)
        p: Tensor = gn.softmax(gn.relu(x), dim=1)
        i: Array = gn.argmax(x, 1)
        parts: tuple[Tensor, ...] = gn.split(x, 1, dim=0)
        n: int = gn.numel(x)
        z = gn.zeros(2, dtype=gn.double)
        kinds = [gn.float, gn.long, gn.int64, gn.int32, gn.int, gn.bool]
        gn.summ(x)  # E: Module has no attribute "summ"  [attr-defined]
    """,
    "import_paths": """\
        from glassnet.optim.lr_scheduler import StepLR
        from glassnet.utils.data.dataloader import DataLoader
        from glassnet.utils.data.dataset import TensorDataset
        from glassnet.utils.data.sampler import RandomSampler
        from glassnet.nn.init import kaiming_uniform_, zeros_
        import glassnet as gn

        w = gn.zeros(3, 2)
        kaiming_uniform_(w, a=5 ** 0.5)
        gn.nn.init.xavier_uniform_(w)
        data = TensorDataset(gn.randn(4, 2), gn.randn(4, 1))
        loader = DataLoader(data, batch_size=2, sampler=RandomSampler(data))
        sched = StepLR(gn.optim.SGD([w], lr=0.1), step_size=2)
    """,
    "max_refused": """\
        import glassnet as gn
        from glassnet.tensor import Tensor

        x = gn.randn(2, 3)
        a: Tensor = x.max()
        b: Tensor = x.max(axis=1, keepdims=True)
        c: Tensor = x.min(x)
        d: Tensor = x.max(other=0.0)
        x.max(1)  # E: No overload variant of "max"
        x.min(dim=1)  # E: Unexpected keyword argument "dim" for overloaded function "min"
    """,
    "lecture_gradient": """\
        import numpy as np
        import glassnet as gn
        from glassnet.explain import Explanation

        def first(e: Explanation) -> float:
            return float(e.gradient("x1")[0])
    """,
    "linear_sequential": """\
        import glassnet as gn
        from glassnet import nn

        lin = nn.Linear(2, 3)
        lin.reset_parameters()
        sizes: tuple[int, int] = (lin.in_features, lin.out_features)
        lin.bias.data[...] = 0.5
        lin.b.data[...] = lin.bias.data + 0.5
        nn.Linear(2, 3).bias = None
        net = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
        grown: nn.Sequential = net.append(nn.Linear(3, 1)).insert(0, nn.Identity())
        net.extend([nn.ReLU()])
        net[0] = nn.Sigmoid()
        del net[0]
        net += nn.Sequential(nn.Identity())
        both: nn.Sequential = net + nn.Sequential(nn.ReLU())
        last = net.pop()
        net.layers[0].W.data[...] = 0.0
        mlp: nn.MLP = nn.MLP([2, 3, 1]).append(nn.Sigmoid())
        lin.in_feature  # E: "Linear" has no attribute "in_feature"
        net.push(nn.ReLU())  # E: "Sequential" has no attribute "push"
    """,
    "full_of_numbers": """\
        import numpy as np
        import glassnet as gn
        from glassnet.tensor import Tensor

        a: Tensor = gn.full((2, 3), np.float32(0.5))
        b: Tensor = gn.full((2, 3), np.int64(2), dtype=np.float64)
        c: Tensor = gn.full((2, 3), 0.5) + gn.full((2, 3), 2)
        d: Tensor = gn.full_like(a, np.float64(1.5)) + gn.full_like(a, np.uint8(3))
        gn.full((2, 3), "0.5")  # E: Argument 2 to "full" has incompatible type "str"
    """,
    "infer_task_classes": """\
        from glassnet.tasks import infer_task

        task = infer_task(["cat", "dog", "bird", "dog"])
        names = [str(c) for c in task.classes_]
        task = infer_task(["Dog", "Bird", "Cat"], classes=["Cat", "Dog", "Bird"])
        for label, vector in zip(task.classes_, task.encode(task.classes_).astype(int)):
            print(f"{label:5s} {vector.tolist()}")
    """,
    "estimator_callbacks": """\
        import numpy as np
        from glassnet.sklearn import MLPClassifier, MLPRegressor
        from glassnet.train import Callback, TrainState

        def log(state: TrainState) -> None:
            pass

        class Stop(Callback):
            def on_epoch_end(self, state: TrainState) -> None:
                state.stop = True

        X, y = np.array([[0.0, 1.0], [1.0, 0.0]] * 4), np.array([0, 1] * 4)
        MLPClassifier(hidden_layer_sizes=(2,), max_iter=2, callbacks=log).fit(X, y)
        MLPRegressor(hidden_layer_sizes=(2,), max_iter=2, callbacks=Stop()).fit(X, y)
        MLPRegressor(hidden_layer_sizes=(2,), max_iter=2, callbacks=[log, Stop()]).fit(X, y)
        MLPClassifier(callbacks=3).fit(X, y)  # E: Argument "callbacks" to "MLPClassifier"
    """,
    "module_as_before": """\
        # What mypy took before nn/torch_module.py attached these (round 29): the errors'
        # import path, a user's overrides of module.py's signatures, to()'s keywords
        from typing import Any

        import numpy as np
        from glassnet import nn
        from glassnet.nn.module import BufferNameError, IncompatibleKeys, StateDictError
        from glassnet.nn.module import *

        Keys = IncompatibleKeys

        class Net(nn.Module):
            def state_dict(self) -> dict[str, np.ndarray]:
                return super().state_dict()

            def load_state_dict(self, state: dict[str, Any], strict: bool = True) -> Keys:
                return super().load_state_dict(state, strict)

        errors: tuple[object, ...] = (BufferNameError, StateDictError, Parameter, evaluating)
        m = Net().to(dtype=np.float64, device="cpu")
        m.to(dtyp=np.float64)  # E: Unexpected keyword argument "dtyp"
    """,
    "habits_as_before": """\
        # What mypy took before optim_habits and train_habits attached these (round 29):
        # the stopping rules' state dicts (a subclass's super() too), an optimizer's
        # load_state_dict of a mapping, named as Optimizer's
        from typing import Any

        import glassnet as gn
        from glassnet import nn
        from glassnet.train import EarlyStopping, Tolerance, WeightChange

        class MyStop(EarlyStopping):
            def state_dict(self) -> dict[str, Any]:
                return {**super().state_dict()}

        class MySGD(gn.optim.SGD):
            def load_state_dict(self, state: dict, *, finite: bool = True) -> None:  # E: Argument
                super().load_state_dict(state, finite=finite)

        es, t, w = MyStop(1e-4, 3), Tolerance(1e-3, 3), WeightChange(1e-3, 3)
        es.load_state_dict(es.state_dict())
        t.load_state_dict(t.state_dict())
        w.load_state_dict(w.state_dict())
        opt = gn.optim.SGD(nn.Linear(2, 1).parameters(), lr=0.1)
        opt.load_state_dict(opt.state_dict())
        opt.load_state_dict(42)  # E: Argument 1 to "load_state_dict" of "Optimizer" has
    """,
}  # fmt: skip


# The README's first two code blocks, as a user pastes them into one script: the slide's
# weights write ``hidden.b.data``, which mypy takes as PyTorch's ``layer.bias.data``.
_BLOCKS = (ROOT / "README.md").read_text().split("```python\n")[1:3]
SNIPPETS["readme_lecture"] = "".join(block.split("```", 1)[0] for block in _BLOCKS)


def _expected(name: str) -> dict[int, str]:
    """The lines of a snippet marked ``# E:``, each with the start of mypy's error there."""
    out = {}
    for i, line in enumerate(textwrap.dedent(SNIPPETS[name]).splitlines(), 1):
        if "  # E: " in line:
            out[i] = line.split("  # E: ", 1)[1]
    return out


@pytest.fixture(scope="module")
def mypy_errors(tmp_path_factory):
    """One mypy run over every snippet: {snippet: [its error lines]}."""
    api = pytest.importorskip("mypy.api")
    tmp = tmp_path_factory.mktemp("mypy")
    paths = {}
    for name, code in SNIPPETS.items():
        paths[name] = tmp / f"{name}.py"
        paths[name].write_text(textwrap.dedent(code))
    config = tmp / "mypy.ini"
    config.write_text(
        textwrap.dedent(f"""\
        [mypy]
        mypy_path = {ROOT}
        cache_dir = {tmp / "cache"}

        # (the README's: glassnet's own code is read for its types, and not reported on;
        # and, as --strict reads it, a name is exported by __all__ or "import x as x")
        [mypy-glassnet.*]
        follow_imports = silent
        implicit_reexport = False
        """)
    )
    stdout, stderr, _ = api.run(["--config-file", str(config), *map(str, paths.values())])
    assert stderr == ""
    errors: dict[str, list[str]] = {name: [] for name in SNIPPETS}
    for line in stdout.splitlines():
        if ": error:" in line:
            path = Path(line.split(":", 1)[0])
            errors.setdefault(path.stem if path.parent == tmp else "glassnet", []).append(line)
    return errors, paths


@pytest.mark.parametrize("name", list(SNIPPETS))
def test_mypy_sees_what_runs_and_refuses_only_the_marked_lines(name, mypy_errors):
    errors, paths = mypy_errors
    expected = _expected(name)
    assert len(errors[name]) == len(expected), errors[name]
    for line, (i, text) in zip(errors[name], expected.items()):
        assert line.startswith(f"{paths[name]}:{i}: error: {text}"), (line, text)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")  # (max_iter of 2-3)
def test_the_snippets_run():
    """What the snippets declare type-checked runs (the lines marked as refused raise, or
    name nothing that exists)."""
    for name in ("module_methods", "function_forms", "import_paths", "max_refused",
                 "linear_sequential", "full_of_numbers", "infer_task_classes",
                 "estimator_callbacks", "module_as_before", "habits_as_before"):  # fmt: skip
        code = textwrap.dedent(SNIPPETS[name])
        tree = ast.parse(code)
        marked = {i for i, line in enumerate(code.splitlines(), 1) if "  # E: " in line}
        kept = [node for node in tree.body if node.lineno not in marked]
        exec(compile(ast.Module(kept, []), name, "exec"), {})
        for node in (n for n in tree.body if n.lineno in marked):
            with pytest.raises((AttributeError, TypeError)):
                exec(compile(ast.Module([*kept, node], []), name, "exec"), {})


# ------------------------------------------------------------------ held to run time


def test_module_methods_are_those_attached_with_their_parameters():
    """ModuleMethods declares what nn.containers attaches to Module, each with its
    run-time parameters (and nothing Module lacks at run time)."""
    defs, assigned = class_body(ROOT / "glassnet" / "nn" / "module.py", "Module")
    tree = ast.parse((ROOT / "glassnet" / "nn" / "module.py").read_text())
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Module")
    annotated = {n.target.id for n in cls.body if isinstance(n, ast.AnnAssign)}
    runtime = {}
    for name, value in vars(Module).items():
        fn = value.fget if isinstance(value, property) else getattr(value, "__func__", value)
        replaced = name in defs and getattr(fn, "__qualname__", "") != f"Module.{name}"
        if name not in MADE_BY_CLASS | defs | assigned | annotated or replaced:
            runtime[name] = value
    stub = {k: v for k, v in vars(declarations().ModuleMethods).items() if k not in MADE_BY_CLASS}
    assert len(runtime) > 10
    assert sorted(set(runtime) - set(stub)) == [], "attached at run time, not declared"
    assert sorted(set(stub) - set(runtime)) == [], "declared, not attached at run time"
    wrong = [n for n in stub if _parameters(runtime[n]) != _parameters(stub[n])]
    assert sorted(wrong) == sorted(AS_BEFORE)
    for name, (declared, at_runtime) in AS_BEFORE.items():
        assert (_plain(stub[name]), _plain(runtime[name])) == (declared, at_runtime), name


def _plain(fn: object) -> str:
    """``fn``'s signature without its annotations: ``(self, *args, dtype=None)``."""
    sig = inspect.signature(fn)  # type: ignore[arg-type]
    ps = [p.replace(annotation=p.empty) for p in sig.parameters.values()]
    return str(sig.replace(parameters=ps, return_annotation=sig.empty))


# Declared as module.py defined them before nn/torch_module.py attached them (e37954e4), so
# that a user's override of those signatures type-checks as before, and to()'s keywords are
# checked; at run time nn/containers.py's wrappers take PyTorch's further arguments too
AS_BEFORE = {
    "state_dict": ("(self)", "(self, destination=None, prefix='', keep_vars=False)"),
    "load_state_dict": ("(self, state, strict=True)",
                        "(self, state_dict, strict=True, assign=False)"),
    "to": ("(self, *args, dtype=None, device=None)", "(self, *args, non_blocking=False, **kwargs)"),
}  # fmt: skip


def test_linear_and_sequential_methods_are_those_attached():
    """LinearMethods and SequentialMethods (Linear's and Sequential's bases for type
    checkers only: at run time their base is Module, as before) declare what nn.containers
    attaches to Linear and Sequential, with its parameters; Linear's __getattr__ by the
    names it serves, which are properties."""
    from glassnet.nn.containers import _TORCH_NAMES

    layers = ROOT / "glassnet" / "nn" / "layers.py"
    for cls, decl, served in [(nn.Linear, "LinearMethods", set(_TORCH_NAMES)),
                              (nn.Sequential, "SequentialMethods", set())]:  # fmt: skip
        runtime = attached(cls, layers)
        runtime.pop("__getattr__", None)
        stub = {k: v for k, v in vars(getattr(declarations(), decl)).items()
                if k not in MADE_BY_CLASS}  # fmt: skip
        assert set(stub) == set(runtime) | served, decl
        assert all(isinstance(stub[n], property) for n in served)
        wrong = [n for n in runtime if _parameters(runtime[n]) != _parameters(stub[n])]
        assert wrong == [], decl
    assert nn.Linear.__mro__ == (nn.Linear, Module, object)
    assert nn.MLP.__mro__ == (nn.MLP, nn.Sequential, Module, object)
    lin = nn.Linear(2, 3)
    assert (lin.in_features, lin.out_features, lin.bias) == (2, 3, lin.b)
    lin.bias = None
    assert lin.b is None and nn.Linear(2, 3, bias=False).bias is None


def test_the_returned_types_declared_are_those_returned():
    net = nn.Sequential(nn.Linear(2, 3))
    for method in ("apply", "cpu", "train", "eval", "to", "double", "float", "requires_grad_"):
        args = {"apply": (lambda m: None,), "to": ("cpu",)}.get(method, ())
        assert getattr(net, method)(*args) is net, method
    assert [type(m) for m in net.children()] == [nn.Linear]
    with pytest.raises(TypeError):
        net.half()


def test_the_optimizers_state_is_declared_where_it_is_set():
    for cls in {*gn.optim.OPTIMIZERS.values()}:
        assert "state" in typing.get_type_hints(gn.optim.Optimizer, vars(gn.optim)), cls
        params = [gn.Tensor(np.ones(2), requires_grad=True)]
        assert isinstance(cls(params).state, dict), cls


def test_the_function_forms_and_dtype_names_are_glassnets():
    """glassnet/functions.pyi names every function form and dtype name that glassnet sets,
    each function with the run-time parameters and the method's declared return, and each
    dtype name as the NumPy type it is."""
    path = ROOT / "glassnet" / "functions.pyi"
    stub = types.ModuleType("glassnet.functions")
    stub.__package__ = "glassnet"
    flags = __future__.annotations.compiler_flag
    exec(compile(path.read_text(), str(path), "exec", flags=flags, dont_inherit=True), vars(stub))
    expected = {*gn.habits.FUNCTIONS, *gn.factories.DTYPE_NAMES}
    assert set(stub.__all__) == expected
    for name in gn.habits.FUNCTIONS:
        assert _parameters(getattr(stub, name)) == _parameters(getattr(gn, name)), name
    for name, value in gn.factories.DTYPE_NAMES.items():
        assert getattr(stub, name) is value is getattr(gn, name), name
    methods = vars(declarations().TensorMethods)
    for name in gn.habits.FUNCTIONS:
        declared = inspect.get_annotations(getattr(stub, name))["return"]
        assert declared == (methods[name].__annotations__["return"] if name in methods
                            else "Tensor"), name  # fmt: skip


def test_the_import_path_stubs_are_the_run_time_modules():
    """Each import path's stub names what the module in sys.modules holds, and Python
    still imports the modules, not the stubs' folders."""
    import glassnet.optim
    import glassnet.utils.data

    assert Path(glassnet.optim.__file__).name == "optim.py"
    assert Path(glassnet.utils.data.__file__).name == "data.py"
    for part, names in glassnet.utils.data._PARTS.items():
        text = (ROOT / "glassnet" / "utils" / "data" / f"{part}.pyi").read_text()
        stub = {a.asname for n in ast.parse(text).body if isinstance(n, ast.ImportFrom)
                for a in n.names}  # fmt: skip
        assert stub == set(names) == set(getattr(glassnet.utils.data, part).__all__)
    assert not any((ROOT / "glassnet" / d / "__init__.py").exists()
                   for d in ("optim", "utils/data"))  # fmt: skip
    text = (ROOT / "glassnet" / "optim" / "lr_scheduler.pyi").read_text()
    assert "from glassnet.lr_scheduler import *" in text
    assert glassnet.optim.lr_scheduler.__name__ == "glassnet.lr_scheduler"


def test_nn_init_exports_its_initializers():
    from glassnet.nn import init, init_inplace

    public = {n for n in vars(init_inplace) if n.endswith("_") and not n.startswith("_")}
    assert public <= set(init.__all__)
    assert all(hasattr(init, n) for n in init.__all__)


def _readme_paragraph() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index("**Type checking.**")
    return " ".join(text[start : text.index("\n\n", start)].split())


def test_the_readme_says_how_mypy_finds_an_editable_install(mypy_errors):
    """setuptools' default editable install is an import hook mypy does not follow: the
    README names the install mypy reads, and the configuration it gives (the one every
    snippet above is checked with) reports nothing on glassnet's own code."""
    paragraph = _readme_paragraph()
    assert "pip install -e . --config-settings editable_mode=compat" in paragraph
    assert "`mypy_path = /path/to/checkout`" in paragraph
    assert "`[mypy-glassnet.*]` holding `follow_imports = silent`" in paragraph
    errors, _ = mypy_errors
    assert errors.get("glassnet", []) == []  # (an error in glassnet's own files)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")  # (max_iter of 2-3)
def test_an_estimators_callbacks_may_be_one_and_its_refusal_says_so():
    """The estimators take one callback, as fit does (typed OneCallback | Sequence[...]),
    and refuse anything else naming the three forms they take."""
    pytest.importorskip("sklearn")
    from glassnet.sklearn import MLPClassifier

    X, y = np.array([[0.0, 1.0], [1.0, 0.0]] * 4), np.array([0, 1] * 4)
    seen = []
    MLPClassifier(hidden_layer_sizes=(2,), max_iter=3, callbacks=seen.append).fit(X, y)
    assert len(seen) == 3
    with pytest.raises(TypeError, match="a glassnet Callback / function, a list of them, or None"):
        MLPClassifier(callbacks=3).fit(X, y)
