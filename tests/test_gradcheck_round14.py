"""gradcheck in PyTorch's calling style, ``gradcheck(fn, (x, labels))``: a Tensor without
``requires_grad`` and integer or bool values are fn's constants, passed as given and not
checked (every input was made a float64 Tensor with ``requires_grad=True``: a loss refused
labels that required grad, and a constant weight was checked)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import glassnet as gn
from glassnet import GradcheckError
from glassnet import functional as F
from glassnet.tensor import Tensor

R = np.random.default_rng(1414)
LOGITS = R.standard_normal((4, 3))
LABELS = np.array([0, 2, 1, 2])


def _cross_entropy_gradient(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """d mean(-log softmax(z)[y]) / dz = (softmax(z) - onehot(y)) / n, by hand."""
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(len(labels)), labels] -= 1.0
    return p / len(labels)


def test_integer_labels_in_the_tuple_are_passed_as_given_and_not_checked():
    logits = Tensor(LOGITS.copy(), requires_grad=True, dtype=np.float64)
    seen: list[Any] = []

    def loss(a: Tensor, t: Any) -> Tensor:
        seen.append(t)
        return F.cross_entropy(a, t)

    report = gn.autograd.gradcheck(loss, (logits, LABELS))
    assert report.ok and [r["input"] for r in report.rows] == [0]
    assert report.rows[0]["shape"] == (4, 3)
    assert len(seen) == 1 + 2 * LOGITS.size and all(t is LABELS for t in seen)
    hand = _cross_entropy_gradient(LOGITS, LABELS)
    row = report.rows[0]
    assert row["analytic"] == pytest.approx(hand[row["at"]], abs=1e-12)
    assert row["numeric"] == pytest.approx(hand[row["at"]], abs=1e-8)
    # a list of ints and bool values are constants too; the labels are unchanged
    labels_list = [0, 2, 1, 2]
    report = gn.gradcheck(lambda a, t: F.cross_entropy(a, t), [logits, labels_list])
    assert [r["input"] for r in report.rows] == [0]
    mask = np.array([True, False, True])
    report = gn.gradcheck(lambda a, m: (a * Tensor(m.astype(np.float64))).sum(), (logits, mask))
    assert [r["input"] for r in report.rows] == [0]
    assert labels_list == [0, 2, 1, 2] and LABELS.tolist() == [0, 2, 1, 2]
    assert logits.grad is None  # (the user's Tensor is not stepped nor given a .grad)
    np.testing.assert_array_equal(logits.data, LOGITS)


def test_a_tensor_without_requires_grad_in_the_tuple_is_a_constant():
    x = Tensor(R.standard_normal((3, 4)), requires_grad=True, dtype=np.float64)
    w_values = R.standard_normal((4, 2))
    w = Tensor(w_values.copy(), dtype=np.float64)  # requires_grad=False: a constant
    b = R.standard_normal(2)  # a float array: checked, as glassnet's own form
    got: list[Any] = []

    def fn(a: Tensor, v: Tensor, c: Tensor) -> Tensor:
        got.append(v)
        return ((a @ v).tanh() + c).pow(2).sum()

    report = gn.gradcheck(fn, (x, w, b))
    assert report.ok
    assert [(r["input"], r["shape"]) for r in report.rows] == [(0, (3, 4)), (2, (2,))]
    assert all(v is w for v in got) and len(got) == 1 + 2 * (x.size + b.size)
    np.testing.assert_array_equal(w.data, w_values)
    assert w.grad is None and not w.requires_grad
    # glassnet's own form, the inputs after fn, still checks every input
    report = gn.gradcheck(fn, x, w, b)
    assert [r["input"] for r in report.rows] == [0, 1, 2]


def test_a_wrong_gradient_beside_constants_is_still_caught():
    def wrong(x: Tensor, t: np.ndarray) -> Tensor:  # x's gradient off by 0.1 everywhere
        out = F.cross_entropy(x, t)
        good = _cross_entropy_gradient(x.data, t)
        return Tensor.from_op(out.data, "wrong", (x,), lambda g: (g * (good + 0.1),))

    x = Tensor(LOGITS.copy(), requires_grad=True, dtype=np.float64)
    with pytest.raises(GradcheckError, match="NO"):
        gn.gradcheck(wrong, (x, LABELS))
    report = gn.gradcheck(wrong, (x, LABELS), raise_exception=False)
    assert not report and [(r["input"], r["ok"]) for r in report.rows] == [(0, False)]
    assert report.rows[0]["analytic"] - report.rows[0]["numeric"] == pytest.approx(0.1)


def test_a_tuple_with_nothing_to_check_is_an_error():
    w = gn.randn(3, 2, dtype=gn.float64)  # requires_grad=False
    with pytest.raises(ValueError, match=r"no input in the tuple is checked.*requires_grad=True"):
        gn.gradcheck(lambda v: v.sum(), (w,))
    with pytest.raises(ValueError, match=r"0: Tensor float64 requires_grad=False, 1: int64 array"):
        gn.gradcheck(lambda v, t: F.cross_entropy(v, t), (w, np.array([0, 1, 1])))


def test_matches_torch_gradcheck_on_the_same_functions():
    torch = pytest.importorskip("torch")
    tgc = torch.autograd.gradcheck

    # cross-entropy with integer labels: both pass, with the same gradient
    logits = Tensor(LOGITS.copy(), requires_grad=True, dtype=np.float64)
    t_logits = torch.tensor(LOGITS, dtype=torch.float64, requires_grad=True)
    t_labels = torch.tensor(LABELS)
    assert tgc(lambda a, t: torch.nn.functional.cross_entropy(a, t), (t_logits, t_labels))
    report = gn.autograd.gradcheck(lambda a, t: F.cross_entropy(a, t), (logits, LABELS))
    assert report.ok
    (t_grad,) = torch.autograd.grad(torch.nn.functional.cross_entropy(t_logits, t_labels), t_logits)
    row = report.rows[0]
    assert row["analytic"] == pytest.approx(float(t_grad[row["at"]]), abs=1e-12)

    # a constant weight beside a checked input: both pass and check the input alone
    xv, wv = R.standard_normal((3, 4)), R.standard_normal((4, 2))
    x = Tensor(xv.copy(), requires_grad=True, dtype=np.float64)
    w = Tensor(wv.copy(), dtype=np.float64)
    assert tgc(
        lambda a, v: (a @ v).tanh().sum(),
        (torch.tensor(xv, requires_grad=True), torch.tensor(wv)),
    )
    report = gn.gradcheck(lambda a, v: (a @ v).tanh().sum(), (x, w))
    assert report.ok and [r["input"] for r in report.rows] == [0]

    # a wrong gradient of the checked input beside labels: both fail
    class Wrong(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, a: Any, t: Any) -> Any:
            ctx.save_for_backward(a, t)
            return torch.nn.functional.cross_entropy(a, t)

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            a, t = ctx.saved_tensors
            good = _cross_entropy_gradient(a.detach().numpy(), t.numpy())
            return g * (torch.from_numpy(good) + 0.1), None

    assert not tgc(Wrong.apply, (t_logits, t_labels), raise_exception=False)

    def wrong(a: Tensor, t: np.ndarray) -> Tensor:
        out = F.cross_entropy(a, t)
        good = _cross_entropy_gradient(a.data, t)
        return Tensor.from_op(out.data, "wrong", (a,), lambda g: (g * (good + 0.1),))

    assert not gn.gradcheck(wrong, (logits, LABELS), raise_exception=False)

    # nothing requires grad: both refuse
    with pytest.raises(ValueError, match="requires_grad=True"):
        tgc(lambda v: v.sum(), (torch.tensor(wv),))
    with pytest.raises(ValueError, match="requires_grad=True"):
        gn.gradcheck(lambda v: v.sum(), (w,))
