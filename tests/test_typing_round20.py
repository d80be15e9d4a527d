"""What type checkers see of the methods attached at run time, held to what runs.

``glassnet/declarations.pyi`` declares every method, property and operator that
glassnet.habits, functional, ops and nn.init_inplace attach to Tensor (and habits to
Array) at run time; Tensor and Array inherit the declarations under ``TYPE_CHECKING``
only. The optimizers' constructors are typed where they are defined (``@signature``).
These tests fail when a declaration and its run-time method drift apart, and run mypy on
a PyTorch-style script that must type-check except for one misspelled keyword.
"""

from __future__ import annotations
import __future__

import ast
import inspect
import types
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet._validation import TORCH_SWITCHES, NotGiven
from glassnet.gradient import TorchMethods
from glassnet.habits import Array
from glassnet.optim import Optimizer
from glassnet.tensor import Tensor
from glassnet.train import Tolerance

ROOT = Path(__file__).resolve().parent.parent
STUB = ROOT / "glassnet" / "declarations.pyi"
# what Python's class statement itself puts in a class's namespace
# (and __slotnames__, which copyreg caches on a class the first time one is copied or
# pickled: present or not depending on which tests ran before)
MADE_BY_CLASS = {"__module__", "__qualname__", "__doc__", "__dict__", "__weakref__",
                 "__annotations__", "__firstlineno__", "__static_attributes__",
                 "__slotnames__"}  # fmt: skip


def declarations() -> types.ModuleType:
    """The stub run as a module (its annotations left unevaluated): nothing imports it at
    run time, so this is how its classes and signatures are read."""
    module = types.ModuleType("glassnet.declarations")
    module.__package__ = "glassnet"
    flags = __future__.annotations.compiler_flag
    exec(compile(STUB.read_text(), str(STUB), "exec", flags=flags, dont_inherit=True), vars(module))
    return module


def class_body(path: Path, name: str) -> tuple[set[str], set[str]]:
    """The names class ``name`` of ``path`` defines in its own body: by ``def``, and by
    assignment (its __slots__ too)."""
    tree = ast.parse(path.read_text())
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name)
    defs: set[str] = set()
    assigned: set[str] = set()
    for node in cls.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defs.add(node.name)
        targets = node.targets if isinstance(node, ast.Assign) else []
        targets = [node.target] if isinstance(node, ast.AnnAssign) else targets
        for target in targets:
            for t in target.elts if isinstance(target, ast.Tuple) else [target]:
                assigned.add(t.id) if isinstance(t, ast.Name) else None
            if isinstance(target, ast.Name) and target.id == "__slots__":
                assigned.update(ast.literal_eval(node.value))
    return defs, assigned


def attached(cls: type, path: Path) -> dict[str, object]:
    """What ``cls`` holds that its class body in ``path`` does not define, or whose ``def``
    there run time replaced (the function is no longer ``<class>.<name>``)."""
    defs, assigned = class_body(path, cls.__name__)
    out = {}
    for name, value in vars(cls).items():
        fn = value.fget if isinstance(value, property) else value
        replaced = name in defs and getattr(fn, "__qualname__", "") != f"{cls.__name__}.{name}"
        if name not in MADE_BY_CLASS | defs | assigned or replaced:
            out[name] = value
    return out


def declared(cls: type) -> dict[str, object]:
    return {k: v for k, v in vars(cls).items() if k not in MADE_BY_CLASS}


CASES = [
    ("TensorMethods", Tensor, ROOT / "glassnet" / "tensor.py"),
    ("ArrayMethods", Array, ROOT / "glassnet" / "habits.py"),
    ("Optimizer", Optimizer, ROOT / "glassnet" / "optim.py"),
    # (train_habits attaches the stopping rules' state dicts to their base, train's _Books)
    ("Books", Tolerance.__base__, ROOT / "glassnet" / "train.py"),
]
IDS = ["Tensor", "Array", "Optimizer", "Books"]
FOUND = {Optimizer: 4, Tolerance.__base__: 1}  # (the discovery finds them at all)


@pytest.mark.parametrize(("decl", "cls", "path"), CASES, ids=IDS)
def test_every_attached_attribute_is_declared_and_nothing_else(decl, cls, path):
    runtime, stub = attached(cls, path), declared(getattr(declarations(), decl))
    assert len(runtime) > FOUND.get(cls, 10)
    assert sorted(set(runtime) - set(stub)) == [], "attached at run time, not declared"
    assert sorted(set(stub) - set(runtime)) == [], "declared, not attached at run time"


def _parameters(fn: object) -> list[tuple[str, object, object]]:
    """(name, kind, default) of each parameter; a default that is a bare ``object()`` or a
    ``NotGiven()`` (a sentinel no caller can write, shown as ``<not given>``) reads as the
    stub's ``...``."""
    out = []
    for p in inspect.signature(fn).parameters.values():  # type: ignore[arg-type]
        default = ... if type(p.default) in (object, NotGiven) else p.default
        out.append((p.name, p.kind, default))
    return out


# Declared by overloads as they are taken (round 21): max and min, whose run-time
# (*args, axis, keepdims, **kw) refuses PyTorch's x.max(1) and x.max(dim=1) (the
# (values, indices) form): the run-time parameters are pinned here, so that a change to
# them is seen, and the overloads are what test_typing_round21.py runs mypy on
OVERLOADED = {
    name: [("self", P.POSITIONAL_OR_KEYWORD, P.empty), ("args", P.VAR_POSITIONAL, P.empty),
           ("axis", P.KEYWORD_ONLY, None), ("keepdims", P.KEYWORD_ONLY, False),
           ("kw", P.VAR_KEYWORD, P.empty)]
    for name in ("max", "min") for P in [inspect.Parameter]
}  # fmt: skip


@pytest.mark.parametrize(("decl", "cls", "path"), CASES, ids=IDS)
def test_each_declaration_has_its_methods_parameters(decl, cls, path):
    runtime, stub = attached(cls, path), declared(getattr(declarations(), decl))
    wrong = []
    for name in sorted(set(runtime) & set(stub)):
        have, want = runtime[name], stub[name]
        if decl == "TensorMethods" and name in OVERLOADED:
            assert _parameters(have) == OVERLOADED[name], name
        elif isinstance(have, property) or isinstance(want, property):
            same = isinstance(want, property) and isinstance(have, property)
            if not same or (have.fset is None) != (want.fset is None):
                wrong.append(f"{name}: {have!r} at run time, {want!r} declared")
        elif _parameters(have) != _parameters(want):
            wrong.append(f"{name}{inspect.signature(have)} at run time, declared as "  # type: ignore[arg-type]
                         f"{name}{inspect.signature(want)}")  # type: ignore[arg-type]  # fmt: skip
    assert wrong == []


def test_the_declarations_are_for_type_checkers_only():
    """Run time is as it was: the classes' bases hold none of the declarations, and
    nothing imports the stub."""
    assert Tensor.__mro__ == (Tensor, object)
    assert Array.__mro__ == (Array, TorchMethods, np.ndarray, object)
    assert not (ROOT / "glassnet" / "declarations.py").exists()
    with pytest.raises(ModuleNotFoundError):
        __import__("glassnet.declarations")


def test_the_stub_finds_a_drifted_parameter():
    """The comparison above sees a renamed or re-defaulted parameter (its own check)."""
    stub = declared(declarations().TensorMethods)

    def view(self, *size):  # (view's parameter renamed)
        return self

    def clamp_(self, min=None, max=0):  # noqa: A002 (a default changed)
        return self

    assert _parameters(view) != _parameters(stub["view"])
    assert _parameters(clamp_) != _parameters(stub["clamp_"])
    assert _parameters(Tensor.view) == _parameters(stub["view"])


# ------------------------------------------------------------------ the optimizers


def _declared_inits() -> dict[str, ast.FunctionDef]:
    """Each optimizer's ``@signature``-decorated ``__init__`` of optim.py and torch_optim.py."""
    out = {}
    for name in ("optim.py", "torch_optim.py"):
        for cls in ast.parse((ROOT / "glassnet" / name).read_text()).body:
            for node in cls.body if isinstance(cls, ast.ClassDef) else []:
                decorators = [ast.unparse(d) for d in getattr(node, "decorator_list", [])]
                if isinstance(node, ast.FunctionDef) and decorators == ["signature"]:
                    out[cls.name] = node
    return out


def test_every_optimizer_constructor_is_declared_with_types():
    inits = _declared_inits()
    classes = {c.__name__ for c in gn.optim.OPTIMIZERS.values()}
    assert set(inits) == classes
    for name, fn in inits.items():
        args = [*fn.args.args[1:], *fn.args.kwonlyargs]
        assert [a.arg for a in args if a.annotation is None] == [], name
        taken = {a.arg for a in args}
        switches = "SwitchesNoDecay" if "decoupled_weight_decay" in taken else "Switches"
        assert fn.args.kwarg is not None and fn.args.kwarg.arg == "switches", name
        assert ast.unparse(fn.args.kwarg.annotation) == f"Unpack[{switches}]", name
        # the run-time signature is the declared one without **switches and annotations
        sig = inspect.signature(getattr(gn.optim, name).__init__)
        assert list(sig.parameters) == ["self", *(a.arg for a in args)]
        assert all(p.annotation is p.empty for p in sig.parameters.values())


def test_the_switches_declared_are_the_switches_taken():
    stub = declarations()
    assert set(stub.Switches.__annotations__) | set(stub.SwitchesNoDecay.__annotations__) == set(
        TORCH_SWITCHES
    )
    assert stub.SwitchesNoDecay.__optional_keys__ == set(TORCH_SWITCHES) - {
        "decoupled_weight_decay"
    }
    assert stub.Switches.__optional_keys__ == set(TORCH_SWITCHES)
    params = [gn.Tensor(np.ones(2, dtype=np.float32), requires_grad=True)]
    for cls in {*gn.optim.OPTIMIZERS.values()}:  # (each switch's plain value is taken)
        cls(params, foreach=None, fused=False, maximize=False, capturable=None)


# ------------------------------------------------------------------ mypy on a script

SCRIPT = """\
from typing import TYPE_CHECKING

import glassnet as gn
from glassnet import nn
from glassnet.habits import Array
from glassnet.optim import Optimizer

if TYPE_CHECKING:
    from typing_extensions import assert_type
else:
    def assert_type(value, kind):
        assert isinstance(value, kind)

model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
opt = gn.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), weight_decay=0.0)
sgd = gn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, foreach=None)
nadam = gn.optim.NAdam(model.parameters(), lr=2e-3, decoupled_weight_decay=True)
x = gn.randn(16, 4)
y = gn.randn(16, 1)
assert_type(x.view(-1, 2), gn.Tensor)
assert_type(x.view(-1, 2).reshape(16, 4)[0], gn.Tensor)
assert_type(x[0].relu(), gn.Tensor)
assert_type(x.unsqueeze(1).permute(0, 2, 1).T, gn.Tensor)
assert_type(x.argmax(1), Array)
assert_type(x.dim(), int)
assert_type(x.numel(), int)
for epoch in range(2):
    opt.zero_grad()
    out = model(x)
    loss = ((out - y) ** 2).mean()
    loss.backward()
    opt.step()
    value: float = loss.item()
    accuracy = (out.argmax(1) == y.view(-1)).float().mean().item()
with gn.no_grad():
    for p in model.parameters():
        p -= 0.1 * p.grad
        p.add_(p.grad, alpha=-0.1).clamp_(-1, 1)
rows = x.size(0)


def misspelled() -> None:
    gn.optim.Adam(model.parameters(), lr=1e-3, betass=(0.9, 0.999))
"""


def test_mypy_sees_the_habits_and_flags_only_the_misspelled_keyword(mypy):
    errors, stdout, script = mypy(SCRIPT)
    line = SCRIPT[: SCRIPT.index("betass")].count("\n") + 1
    assert errors == [
        f'{script}:{line}: error: Unexpected keyword argument "betass" for "Adam"; '
        'did you mean "betas"?  [call-arg]'
    ], stdout


def test_the_script_runs():
    """The script mypy checks is a working PyTorch-style loop (its misspelled call is
    never made)."""
    exec(compile(SCRIPT, "script.py", "exec"), {})
