"""fit's shuffled batches as the caller's code sees them, a stop rule loaded with a fresh
rule's state on a resumed run, SGD's nesterov refusal, and optim's module docstring."""

from __future__ import annotations

import re

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.train import Tolerance


def test_fit_gives_each_shuffled_batch_its_own_array() -> None:
    """A forward hook (or a forward, or a loss) that keeps a step's input kept a view of one
    buffer that fit wrote every batch into: three steps recorded the last batch three times.
    As a PyTorch DataLoader's, each batch is now an array of its own."""
    X = np.arange(12, dtype=np.float32).reshape(6, 2)
    y = X[:, :1].copy()
    m = nn.Sequential(nn.Linear(2, 1, rng=0))
    seen: list[np.ndarray] = []
    m.layers[0].register_forward_hook(lambda mod, inp, out: seen.append(inp[0].data))
    kept: list[np.ndarray] = []

    def loss(pred, target):  # type: ignore[no-untyped-def]
        kept.append(target.data if isinstance(target, gn.Tensor) else target)
        return ((pred - target) ** 2).mean()

    h = gn.fit(m, X, y, epochs=2, batch_size=2, seed=0, verbose=0, loss=loss)
    assert h.engine == "graph" and len(seen) == 6 and len(kept) == 6
    for epoch in (seen[:3], seen[3:]):  # each epoch: the six rows, each once
        rows = np.concatenate(epoch)
        assert sorted(rows[:, 0].tolist()) == X[:, 0].tolist()
    assert len({s.tobytes() for s in seen}) == 6
    for s, t in zip(seen, kept):  # the loss's target is the same step's rows
        np.testing.assert_array_equal(t[:, 0], s[:, 0])


def test_fit_fast_path_trains_as_before_on_shuffled_batches() -> None:
    """The fast path (which shows its batches to no caller code) trains to the same weights
    as the graph loop, whose batches are now copies."""
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(40, 3)), rng.normal(size=(40, 1))
    fast, graph = nn.MLP([3, 4, 1], rng=0), nn.MLP([3, 4, 1], rng=0)
    fast = fast.double()
    graph = graph.double()
    graph.layers[0].register_forward_hook(lambda mod, inp, out: None)
    h1 = gn.fit(fast, X, y, epochs=2, batch_size=8, seed=0, verbose=0)
    h2 = gn.fit(graph, X, y, epochs=2, batch_size=8, seed=0, verbose=0)
    assert h1.engine != "graph" and h2.engine == "graph"
    for a, b in zip(fast.parameters(), graph.parameters()):
        np.testing.assert_allclose(a.data, b.data, rtol=1e-12, atol=1e-14)


def test_stop_rule_loaded_with_a_fresh_state_resumes_as_a_fresh_rule() -> None:
    """A rule given the state_dict() of a rule that never ran was refused on a resumed run,
    "last saw epoch None"; it is now a fresh rule, as the rule it was saved from."""
    X = np.random.default_rng(0).normal(size=(20, 2))
    y = X[:, :1] * 2
    fresh = Tolerance(1e-4, 5)
    h1 = gn.fit(nn.MLP([2, 1], rng=0), X, y, epochs=5, initial_epoch=3, stop_rules=[fresh],
                verbose=0)  # fmt: skip
    loaded = Tolerance(1e-4, 5)
    loaded.load_state_dict(Tolerance(1e-4, 5).state_dict())
    h2 = gn.fit(nn.MLP([2, 1], rng=0), X, y, epochs=5, initial_epoch=3, stop_rules=[loaded],
                verbose=0)  # fmt: skip
    assert h1.stop_reason == h2.stop_reason == "max_epochs"
    assert loaded.state_dict() == fresh.state_dict()

    # a rule whose run ended before its first epoch did (a callback refused it) is fresh too
    class Refuse(gn.Callback):
        def on_train_begin(self, state):  # type: ignore[no-untyped-def]
            raise RuntimeError("no")

    stopped = Tolerance(1e-4, 5)
    with pytest.raises(RuntimeError, match="no"):
        gn.fit(nn.MLP([2, 1], rng=0), X, y, epochs=5, stop_rules=[stopped],
               callbacks=[Refuse()], verbose=0)  # fmt: skip
    h3 = gn.fit(nn.MLP([2, 1], rng=0), X, y, epochs=5, initial_epoch=3, stop_rules=[stopped],
                verbose=0)  # fmt: skip
    assert h3.stop_reason == "max_epochs"
    # a rule that did run, loaded, is still refused at another epoch
    ran = Tolerance(1e-4, 5)
    ran.load_state_dict(fresh.state_dict())
    with pytest.raises(ValueError, match="last saw epoch 5, not initial_epoch=3"):
        gn.fit(nn.MLP([2, 1], rng=0), X, y, epochs=5, initial_epoch=3, stop_rules=[ran],
               verbose=0)  # fmt: skip


@pytest.mark.parametrize(
    ("momentum", "dampening", "advice"),
    [
        (0.9, 0.5, "set dampening=0"),
        (0.0, 0.0, "set momentum, e.g. momentum=0.9."),
        (0.0, 0.5, "set momentum, e.g. momentum=0.9, and dampening=0 (or nesterov=False"),
    ],
)
def test_sgd_nesterov_refusal_says_what_is_wrong(
    momentum: float, dampening: float, advice: str
) -> None:
    """SGD(momentum=0.9, nesterov=True, dampening=0.5) was told to "set momentum, e.g.
    momentum=0.9": the advice now follows the value that is wrong."""
    params = nn.Linear(2, 1, rng=0).parameters()
    with pytest.raises(ValueError) as e:
        gn.optim.SGD(params, lr=0.1, momentum=momentum, nesterov=True, dampening=dampening)
    text = str(e.value)
    assert text.startswith("SGD with nesterov=True needs momentum > 0 and dampening=0. Got ")
    assert f"momentum={momentum!r}, dampening={dampening!r}; " in text
    assert advice in text
    if momentum > 0:
        assert "set momentum" not in text


def test_optim_docstring_names_what_it_has() -> None:
    """optim's module docstring cited a ParamGroup class (there is none) and said it
    implements RMSprop and PyTorch's further optimizers (they are torch_optim's)."""
    doc = gn.optim.__doc__ or ""
    for name in re.findall(r":class:`~?([\w.]+)`", doc):
        assert hasattr(gn.optim, name.rsplit(".", 1)[-1]), name
    assert "ParamGroup" not in doc
    assert "torch_optim" in doc
