"""A Module.train patched on the class (a mock, instrumentation, a test's monkeypatch) is
still the base class's train(): a plain model gets no readers-writer gate while it is in
place, nor after it is undone, whichever came first (the gate's test compared with the
first Module.train function it saw, for the life of the process)."""

import subprocess
import sys

import numpy as np

from glassnet import nn
from glassnet.nn import _gate

X = np.ones((3, 2))


def _patch(monkeypatch, calls):
    plain = nn.Module.train

    def train(self, mode=True):
        calls.append(mode)
        return plain(self, mode)

    monkeypatch.setattr(nn.Module, "train", train)


def test_a_patched_module_train_gates_no_plain_model(monkeypatch):
    model, calls = nn.MLP([2, 3, 1], rng=0), []
    model.predict(X)  # (a reading before the patch)
    _patch(monkeypatch, calls)
    out = model.predict(X)
    assert calls == []  # (predict reads eval mode through evaluating(): no train() call)
    assert id(model) not in _gate._GATES and out.shape == (3, 1)
    model.train(False)  # (the patched train() itself runs, with no gate around it)
    assert calls == [False] and id(model) not in _gate._GATES and not vars(model)["training"]


def test_a_plain_model_after_the_patch_is_undone_gets_no_gate(monkeypatch):
    calls = []
    _patch(monkeypatch, calls)
    nn.MLP([2, 3, 1], rng=0).predict(X)
    monkeypatch.undo()
    model = nn.MLP([2, 3, 1], rng=0)
    model.predict(X)
    assert calls == [] and id(model) not in _gate._GATES


class Own(nn.Sequential):
    def train(self, mode=True):
        return super().train(mode)


def test_a_class_with_its_own_train_is_still_gated(monkeypatch):
    _patch(monkeypatch, [])
    model = Own(nn.Linear(2, 1))
    model.predict(X)
    assert id(model) in _gate._GATES


def test_the_first_reading_under_a_patch_leaves_no_gate_after_it():
    """In a fresh process, so that the patch is in place at the first reading."""
    code = """if True:
        import numpy as np
        from glassnet import nn
        from glassnet.nn import _gate
        plain = nn.Module.train
        nn.Module.train = lambda self, mode=True: plain(self, mode)
        nn.MLP([2, 3, 1], rng=0).predict(np.ones((3, 2)))
        nn.Module.train = plain
        model = nn.MLP([2, 3, 1], rng=0)
        model.predict(np.ones((3, 2)))
        print(id(model) in _gate._GATES, len(_gate._GATES))
    """
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["False", "0"]
