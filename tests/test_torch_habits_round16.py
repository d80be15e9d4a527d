"""PyTorch's habits that a port runs as written: the accuracy idioms on a count (a 0-d
Array), the in-place methods of hand-written optimizers and EMA loops (addcmul_, addcdiv_,
lerp_, exp_, ...) and their graph ops, FloatTensor/LongTensor/Generator, is_cuda, unique,
and the functional losses' refusal of PyTorch's deprecated size_average=/reduce=. Each is
checked on its own; where torch is installed, against torch too."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet.habits import Array


def _torch():
    return pytest.importorskip("torch")


# ------------------------------------------------------------- a count is a 0-d Array
def _scores():
    z = gn.tensor([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [1.0, 0.0, 5.0], [4.0, 0.0, 1.0]])
    y = np.array([0, 1, 0, 0]).view(Array)
    return z, y


def test_accuracy_idioms_on_a_count_run_as_in_pytorch():
    z, y = _scores()
    correct = (z.argmax(1) == y).sum()
    assert type(correct) is Array and correct.ndim == 0 and correct.dtype == np.int64
    acc = correct.float() / len(y)
    assert isinstance(acc, gn.Tensor) and acc.dtype == np.float32 and acc.item() == 0.75
    d = (z.argmax(1) == y).sum().double()
    assert d.dtype == np.float64 and d.item() == 3.0
    one = (z[0].argmax() == y[0]).float()
    assert one.shape == () and one.item() == 1.0
    assert (z.argmax(1) == y).any().float().item() == 1.0
    assert (z.argmax(1) == y).all().double().item() == 0.0
    # a count's value, as PyTorch's 0-d tensor gives it
    assert correct.item() == 3 and type(correct.item()) is int
    assert int(correct) == 3 and float(correct) == 3.0
    assert f"{correct:d}" == "3" and f"{acc:.3f}" == "0.750" and f"{correct / 4:.2f}" == "0.75"
    assert [10, 20, 30, 40][correct] == 40 and list(range(correct)) == [0, 1, 2]
    assert {correct: "c"}[3] == "c"
    # a mean of floats stays NumPy's float (a Python float)
    assert type(np.mean(z.argmax(1) == y)) is np.float64


def test_accuracy_idioms_match_torch():
    torch = _torch()
    z, y = _scores()
    tz, ty = torch.tensor(z.data), torch.tensor(np.asarray(y))
    mine = (z.argmax(1) == y).sum().float() / len(y)
    theirs = (tz.argmax(1) == ty).sum().float() / len(ty)
    assert mine.item() == theirs.item()
    assert (z[2].argmax() == y[2]).float().item() == (tz[2].argmax() == ty[2]).float().item()


# ------------------------------------------- the functional losses' deprecated arguments
_LOSSES = [
    ("mse_loss", "third", lambda F, x, y, **k: F.mse_loss(x, y, **k)),
    ("l1_loss", "third", lambda F, x, y, **k: F.l1_loss(x, y, **k)),
    ("smooth_l1_loss", "third", lambda F, x, y, **k: F.smooth_l1_loss(x, y, **k)),
    ("kl_div", "third", lambda F, x, y, **k: F.kl_div(x, y, **k)),
    ("binary_cross_entropy", "fourth", lambda F, x, y, **k: F.binary_cross_entropy(x, y, **k)),
    (
        "binary_cross_entropy_with_logits",
        "fourth",
        lambda F, x, y, **k: F.binary_cross_entropy_with_logits(x, y, **k),
    ),
    ("cross_entropy", "fourth", lambda F, x, y, **k: F.cross_entropy(x, y, **k)),
    ("nll_loss", "fourth", lambda F, x, y, **k: F.nll_loss(x, y, **k)),
]


@pytest.mark.parametrize(("name", "slot", "call"), _LOSSES, ids=[n for n, _, _ in _LOSSES])
def test_functional_losses_refuse_size_average_and_reduce_as_the_modules(name, slot, call):
    import glassnet.nn.functional as F

    x = gn.tensor([[0.2, 0.7], [0.6, 0.3]])
    y = np.array([1, 0]) if name in ("cross_entropy", "nll_loss") else gn.tensor([[0, 1], [1, 0]])
    for kw in ({"size_average": False}, {"reduce": False}):
        ((arg, value),) = kw.items()
        with pytest.raises(TypeError) as e:
            call(F, x, y, **kw)
        msg = str(e.value)
        assert f"{name}: {arg}={value!r}" in msg and "deprecated" in msg
        assert "reduction='sum'" in msg and "reduction='none'" in msg
        assert "unexpected keyword" not in msg
    assert f"(its {slot} positional one)" in str(
        pytest.raises(TypeError, call, F, x, y, size_average=True).value
    )
    call(F, x, y, reduction="sum")  # (the arguments otherwise as before)
