"""Review revA of the first core move: engine code back in the core (functional, tensor),
backward(inputs=) refusing a non-Tensor, attached methods keeping their names."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet import functional as F
from glassnet import fused
from glassnet.tensor import Tensor

ROOT = Path(__file__).resolve().parents[1]


def test_engine_mathematics_lives_in_functional():
    for name in ("log_softmax", "logsumexp", "one_hot"):
        assert getattr(F, name).__module__ == "glassnet.functional", name
    assert "einsum" in inspect.getsource(F.Activation.backward)  # (a vector entry's J product)
    assert not (ROOT / "glassnet" / "functional_extra.py").exists()


def test_loss_semantics_live_in_functional():
    assert F.check_target.__module__ == "glassnet.functional"
    assert F.class_targets.__module__ == "glassnet.functional"
    heads = {s.on_logits: s.head for s in F.LOSSES.values() if s.head and s.on_logits}
    assert F.SQUASHES == heads
    assert F.SQUASHES["cross_entropy"] == "softmax"


def test_backward_inputs_refuses_a_non_tensor():
    class Duck:
        _rg = True

    loss = (Tensor([1.0], requires_grad=True) * 2).sum()
    with pytest.raises(ValueError, match="inputs"):
        loss.backward(inputs=[Duck()])


def test_attached_methods_keep_their_names():
    for name in ("__repr__", "__bool__", "item", "numpy", "astype", "register_hook", "retain_grad"):
        f = getattr(Tensor, name)
        assert f.__name__ == name and f.__qualname__ == f"Tensor.{name}", name
    for name in ("trace", "forward_layers"):
        f = getattr(fused.FastMLP, name)
        assert f.__name__ == name and f.__qualname__ == f"FastMLP.{name}", name


BARE = """
import sys, types
import numpy as np
pkg = types.ModuleType("glassnet"); pkg.__path__ = [sys.argv[1]]; sys.modules["glassnet"] = pkg
from glassnet.tensor import Tensor
assert bool(Tensor(0.0)) is False
try:
    bool(Tensor([1.5, 2.0]))
except TypeError:
    pass
else:
    raise SystemExit("bool of two values accepted")
t = Tensor([1.5, 2.0], requires_grad=True)
assert t.sum(dtype=np.float64).data.dtype == np.float64
assert t.astype(np.float64).data.dtype == np.float64
print("ok")
"""


def test_core_tensor_alone_has_truth_and_astype(tmp_path):
    script = tmp_path / "bare.py"
    script.write_text(BARE)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, str(script), str(ROOT / "glassnet")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "ok" in out.stdout


def test_dtype_rule_unchanged():
    x = Tensor(np.ones((2, 3), np.float32), requires_grad=True)
    loss = F.mse(x, Tensor(np.zeros((2, 3), np.float64)))
    assert loss.data.dtype == np.float64
    loss.backward()
    assert x.grad.dtype == np.float32
    assert gn is not None


TYPED = """\
import numpy as np

from glassnet import nn
from glassnet.fused import FastMLP, layers_of
from glassnet.tracing import Trace

f = FastMLP(layers_of(nn.Sequential(nn.Linear(2, 1))), "mse")
t: Trace = f.trace(np.zeros((1, 2)), jacobians=False)
FastMLP.forward_layers([], np.zeros((1, 2)))
f.trace(np.zeros((1, 2)), jacobian=False)
"""


def test_fast_path_see_through_is_declared_for_mypy(tmp_path):
    api = pytest.importorskip("mypy.api")
    (tmp_path / "snippet.py").write_text(TYPED)
    (tmp_path / "mypy.ini").write_text(
        f"[mypy]\nmypy_path = {ROOT}\ncache_dir = {tmp_path / 'cache'}\n\n"
        "[mypy-glassnet.*]\nfollow_imports = silent\nimplicit_reexport = False\n"
    )
    callers = [
        ROOT / "glassnet" / p for p in ("explain.py", "viz/plots.py", "diagnostics.py", "onnx.py")
    ]
    out, err, _ = api.run(
        [
            "--config-file",
            str(tmp_path / "mypy.ini"),
            str(tmp_path / "snippet.py"),
            *map(str, callers),
        ]
    )
    assert err == ""
    errors = [line for line in out.splitlines() if ": error:" in line]
    missing = [e for e in errors if 'no attribute "trace"' in e or '"forward_layers"' in e]
    assert not missing, missing
    mine = [e for e in errors if "snippet.py" in e]
    assert len(mine) == 1 and ':10: error: Unexpected keyword argument "jacobian"' in mine[0], mine


def test_declared_see_through_matches_what_runs():
    text = (ROOT / "glassnet" / "declarations.pyi").read_text()
    body = text[text.index("class FastMLPMethods:") :]
    for name in ("trace", "forward_layers"):
        params = list(inspect.signature(getattr(fused.FastMLP, name)).parameters)
        for p in params[1 if name == "trace" else 0 :]:
            assert f"{p}:" in body or f"{p}," in body, (name, p)
