"""Round 18's PyTorch-port mends: autograd.backward, autograd.grad's messages naming
grad_outputs, nll_loss/NLLLoss label errors in their own name, gn.load on a PyTorch .pt."""

import pytest

import glassnet as gn
import glassnet.nn.functional as F
from glassnet import nn


@pytest.mark.parametrize(
    ("target", "cls", "words"),
    [([5, 1], ValueError, "must lie in [0, 2]"), ([0.5, 1.7], TypeError, "integer class labels")],
)
def test_nll_loss_label_errors_name_nll_loss_and_target(target, cls, words):
    x = gn.tensor([[-1.0, -2.0, -3.0], [-1.0, -2.0, -3.0]])
    t = gn.tensor(target)
    for call, name in ((F.nll_loss, "nll_loss"), (nn.NLLLoss(), "NLLLoss")):
        with pytest.raises(cls) as info:
            call(x, t)
        text = str(info.value)
        assert text.startswith(f"{name}: target"), text
        assert "one_hot" not in text and words in text and "Got" in text
    with pytest.raises(ValueError, match=r"^CrossEntropyLoss: target"):
        nn.CrossEntropyLoss(label_smoothing=0.1)(x, gn.tensor([5, 1]))
