"""The graph's loss calls: their kernels' intermediates are reused (backend.kept's
``scratch``: per thread, per shape, strides and dtype, a few sets at most), never what a
call returns (the per-sample losses, the gradient its backward holds), which a user may
keep across steps; the BCE modules reduce in one node, to the bits of three."""

from __future__ import annotations

import sys
import threading
from typing import Any

import numpy as np
import pytest

import glassnet as gn
from glassnet import backend
from glassnet import functional as F

RNG = np.random.default_rng(0)


def _calls() -> list[tuple[str, Any, Any]]:
    """(loss, two logits, two targets) of one shape: labels and rows for cross-entropy."""
    z = [RNG.standard_normal((40, 6)).astype(np.float32) for _ in range(2)]
    return [
        ("ce labels", z, [RNG.integers(0, 6, 40) for _ in range(2)]),
        ("ce rows", z, [RNG.dirichlet(np.ones(6), 40).astype(np.float32) for _ in range(2)]),
        ("bce logits", z, [(RNG.random((40, 6)) > 0.5).astype(np.float32) for _ in range(2)]),
        ("mse", z, [RNG.standard_normal((40, 6)).astype(np.float32) for _ in range(2)]),
    ]


LOSS = {
    "ce labels": F.cross_entropy,
    "ce rows": F.cross_entropy,
    "bce logits": F.binary_cross_entropy_with_logits,
    "mse": F.mse,
}


def _run(name: str, z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = gn.Tensor(z.copy(), requires_grad=True)
    per = LOSS[name](x, y, reduction="none")
    per.backward(np.ones_like(per.data))
    return per.data.copy(), x.grad.copy()


@pytest.mark.parametrize("name", list(LOSS))
def test_a_kept_loss_is_not_changed_by_the_next_call(name: str) -> None:
    _, (z1, z2), (y1, y2) = next(c for c in _calls() if c[0] == name)
    want_per, want_grad = _run(name, z1, y1)
    x = gn.Tensor(z1.copy(), requires_grad=True)
    first = LOSS[name](x, y1, reduction="none")  # kept across a second call of that shape
    seen = first.data.copy()
    LOSS[name](gn.Tensor(z2, requires_grad=True), y2, reduction="none").sum().backward()
    assert np.array_equal(first.data, seen) and np.array_equal(seen, want_per)
    first.backward(np.ones_like(first.data))  # its gradient, after the other call
    assert np.array_equal(x.grad, want_grad)
    fresh = gn.Tensor(z1.copy(), requires_grad=True)
    LOSS[name](fresh, y1).backward()  # a mean's gradient, alone
    mean = LOSS[name](x, y1)  # and after a later call
    LOSS[name](gn.Tensor(z2), y2)
    x.grad = None
    mean.backward()
    assert np.array_equal(x.grad, fresh.grad)


def test_threads_computing_one_shape_at_once_get_their_own_results() -> None:
    cases = _calls()
    want = {(n, i): _run(n, zs[i], ys[i]) for n, zs, ys in cases for i in (0, 1)}
    wrong: list[str] = []

    def work(i: int) -> None:
        for _ in range(150):
            for n, zs, ys in cases:
                per, grad = _run(n, zs[i], ys[i])
                if not (np.array_equal(per, want[n, i][0]) and np.array_equal(grad, want[n, i][1])):
                    wrong.append(f"{n} in thread {i}")

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often: mid-kernel
    try:
        threads = [threading.Thread(target=work, args=(i,)) for i in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert not wrong, wrong[:4]


def _owner(z: np.ndarray) -> dict | None:
    """This thread's scratch set for arrays like ``z``."""
    key = (z.shape, z.strides, z.dtype)
    return vars(backend._SCRATCH).get(key)


def test_the_scratch_is_per_thread_per_layout_and_bounded() -> None:
    z = np.zeros((8, 3), np.float32)
    assert backend.kept(None, "a", lambda: np.ones(2), z) is backend.kept(None, "a", list, z.copy())
    mine = _owner(z)
    assert backend.kept(None, "a", list, z[:4]) is not mine["a"]  # another shape
    assert backend.kept(None, "a", list, z.astype(np.float64)) is not mine["a"]  # dtype
    assert backend.kept(None, "a", list, np.asfortranarray(z)) is not mine["a"]  # layout
    assert backend.kept(None, "a", list) is not backend.kept(None, "a", list)  # no scratch: fresh
    other: list[Any] = []
    t = threading.Thread(target=lambda: other.append(backend.kept(None, "a", list, z)))
    t.start()
    t.join()
    assert other[0] is not mine["a"]  # another thread: its own
    for n in range(1, 12):  # many shapes: a few sets kept, not one per shape
        backend.kept(None, "a", list, np.zeros((n, 3), np.float32))
    assert len(vars(backend._SCRATCH)) <= 4
    keep: dict = {}  # a caller's own dict (the fast path's) is used as it is
    assert backend.kept(keep, "a", list, z) is keep["a"]
    big = np.zeros((1 << 17, 1), np.float32)  # large arrays: fresh buffers, nothing held
    assert backend.kept(None, "a", list, big) is not backend.kept(None, "a", list, big)
    F._ce_kernel(z, np.zeros(8, np.intp), np.empty_like(z))
    assert "ce1" in _owner(z)  # the graph's kernel call filled this thread's set


def test_the_layout_of_the_logits_keeps_its_rounding() -> None:
    # a row sum over a C- or F-ordered buffer rounds differently: a scratch buffer made
    # for one layout is never used for the other
    z = RNG.standard_normal((64, 20)).astype(np.float32)
    y = RNG.dirichlet(np.ones(20), 64).astype(np.float32)
    for order in "FCF":
        zo = np.asarray(z, order=order)
        want = F._ce_kernel(zo, y, np.empty_like(z), {})  # fresh buffers of zo's layout
        got = F.cross_entropy(zo, y, reduction="none").data
        assert np.array_equal(got, want)


@pytest.mark.parametrize("name", ["BCELoss", "BCEWithLogitsLoss"])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize(
    ("shape", "dtype"), [((7, 3), np.float32), ((64, 1), np.float64), ((5,), np.float32)]
)
def test_bce_modules_reduce_in_one_node_to_the_same_bits(name, reduction, shape, dtype) -> None:
    z = RNG.standard_normal(shape).astype(dtype)
    p = 1 / (1 + np.exp(-z)) if name == "BCELoss" else z
    y = (RNG.random(shape) > 0.5).astype(dtype)
    fn = F.binary_cross_entropy if name == "BCELoss" else F.binary_cross_entropy_with_logits
    a, b = gn.Tensor(p.copy(), requires_grad=True), gn.Tensor(p.copy(), requires_grad=True)
    per = fn(a, y, "none")  # the module's formula as three nodes: per, sum, division
    want = per.sum() if reduction == "sum" else per.sum() / per.data.size
    got = getattr(gn.nn, name)(reduction=reduction)(b, y)
    assert got.parents == (b,)  # one node, on the input
    assert got.dtype == want.dtype and got.data.tobytes() == want.data.tobytes()
    (want * 3.7).backward()  # an upstream gradient other than 1
    (got * 3.7).backward()
    assert a.grad.tobytes() == b.grad.tobytes()
