"""A loss's ``weight``/``pos_weight`` that requires grad is refused (PyTorch refuses it too),
where its ``.grad`` stayed None; ``nn.Identity`` takes and ignores any arguments."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.nn import functional as F
from glassnet.tensor import Tensor

RNG = np.random.default_rng(0)
X = RNG.normal(size=(4, 3))
LABELS = np.array([0, 2, 1, 1])
PROBS = (RNG.random((4, 3)) > 0.5).astype(float)


def _w(values=(1.0, 2.0, 0.5)):
    return Tensor(np.array(values), requires_grad=True)


CALLS = {
    "cross_entropy": lambda x, w: F.cross_entropy(x, LABELS, weight=w),
    "nll_loss": lambda x, w: F.nll_loss(x.log_softmax(dim=1), LABELS, weight=w),
    "binary_cross_entropy": lambda x, w: F.binary_cross_entropy(x.sigmoid(), PROBS, weight=w),
    "bce_with_logits": lambda x, w: F.binary_cross_entropy_with_logits(x, PROBS, weight=w),
    "bce_pos_weight": lambda x, w: F.binary_cross_entropy_with_logits(x, PROBS, pos_weight=w),
    "CrossEntropyLoss": lambda x, w: nn.CrossEntropyLoss(weight=w)(x, LABELS),
    "NLLLoss": lambda x, w: nn.NLLLoss(weight=w)(x.log_softmax(dim=1), LABELS),
    "BCELoss": lambda x, w: nn.BCELoss(weight=w)(x.sigmoid(), PROBS),
    "BCEWithLogitsLoss": lambda x, w: nn.BCEWithLogitsLoss(weight=w)(x, PROBS),
    "BCEWithLogitsLoss_pos": lambda x, w: nn.BCEWithLogitsLoss(pos_weight=w)(x, PROBS),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_weight_that_requires_grad_is_refused(name):
    x = Tensor(X, requires_grad=True)
    arg = "pos_weight" if name.endswith(("pos", "pos_weight")) else "weight"
    with pytest.raises(RuntimeError, match=f"'{arg}' requires grad.*detach"):
        CALLS[name](x, _w())


@pytest.mark.parametrize("name", sorted(CALLS))
def test_detached_weight_gives_the_same_loss_as_an_array(name):
    x = Tensor(X, requires_grad=True)
    loss = CALLS[name](x, _w().detach())
    loss.backward()
    assert x.grad is not None
    again = CALLS[name](Tensor(X), np.array([1.0, 2.0, 0.5]))
    assert loss.item() == again.item()


@pytest.mark.parametrize("name", ["cross_entropy", "bce_pos_weight", "NLLLoss"])
def test_weight_that_requires_grad_is_taken_under_no_grad(name):
    with gn.no_grad():  # (no gradient is asked for: nothing silent)
        loss = CALLS[name](Tensor(X), _w())
    assert np.isfinite(loss.item())


def test_torch_refuses_a_weight_that_requires_grad_too():
    torch = pytest.importorskip("torch")
    w = torch.tensor([1.0, 2.0, 0.5], dtype=torch.float64, requires_grad=True)
    x = torch.tensor(X, requires_grad=True)
    with pytest.raises(RuntimeError, match="not differentiable with respect to argument 'weight'"):
        torch.nn.functional.cross_entropy(x, torch.tensor(LABELS), weight=w).backward()


def test_identity_takes_and_ignores_any_arguments():
    layer = nn.Identity(54, unused_argument1=0.1, unused_argument2=False)
    x = Tensor(X)
    assert np.array_equal(layer(x).data, X)
    assert repr(layer) == repr(nn.Identity())
    model = nn.Sequential(nn.Linear(3, 2, rng=0), nn.Identity(7, bias=True))
    assert np.array_equal(model(x).data, nn.Sequential(model[0])(x).data)


def test_cross_entropy_weight_refusal_says_what_torch_does_with_probability_targets():
    torch = pytest.importorskip("torch")
    probs = np.array([[0.2, 0.5, 0.3], [1.0, 0.0, 0.0], [0.1, 0.1, 0.8], [0.4, 0.4, 0.2]])
    w = torch.tensor([1.0, 2.0, 0.5], dtype=torch.float64, requires_grad=True)
    x = torch.tensor(X, requires_grad=True)
    torch.nn.functional.cross_entropy(x, torch.tensor(probs), weight=w).backward()
    assert w.grad is not None and torch.all(w.grad != 0)  # (torch differentiates it there)
    with pytest.raises(RuntimeError, match="with class-probability targets PyTorch gives it a"):
        F.cross_entropy(Tensor(X, requires_grad=True), probs, weight=_w())
    with pytest.raises(RuntimeError, match=r"no gradient \(PyTorch refuses it too\)"):
        F.nll_loss(Tensor(X, requires_grad=True), LABELS, weight=_w())


@pytest.mark.parametrize("name", ["CrossEntropyLoss", "BCEWithLogitsLoss_pos"])
def test_a_loss_built_under_no_grad_refuses_its_trainable_weight_once_grad_is_on(name):
    w = _w()
    make = {
        "CrossEntropyLoss": lambda: nn.CrossEntropyLoss(weight=w),
        "BCEWithLogitsLoss_pos": lambda: nn.BCEWithLogitsLoss(pos_weight=w),
    }[name]
    target = LABELS if name == "CrossEntropyLoss" else PROBS
    with gn.no_grad():
        loss = make()
        assert np.isfinite(loss(Tensor(X), target).item())  # (grad off: nothing asked)
    arg = "pos_weight" if name.endswith("pos") else "weight"
    with pytest.raises(RuntimeError, match=f"'{arg}' requires grad.*detach"):
        loss(Tensor(X, requires_grad=True), target)
    assert w.grad is None
