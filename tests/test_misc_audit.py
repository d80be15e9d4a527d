"""An adversarial user's audit of glassnet.schedules, threads, report, metrics, objective
and gradcheck: each test is a defect found (it failed before its fix)."""

from __future__ import annotations

import pytest

from glassnet import threads

W1 = [784, 256, 128, 10]


# ------------------------------------------------------------------ threads
@pytest.fixture
def blas_now():
    """The BLAS thread count in force (skips without threadpoolctl or a BLAS it sees)."""
    pytest.importorskip("threadpoolctl")
    before = threads.current_blas_threads()
    if before is None:
        pytest.skip("no BLAS that threadpoolctl can set")
    return before


@pytest.mark.parametrize("huge", [2**32 + 1, 10**30], ids=["wraps to 1", "past int64"])
def test_threads_past_a_c_int_are_refused_and_leave_no_limit_open(blas_now, huge):
    """2**32 + 1 reached BLAS as 1 thread ("runs at most 1"); 10**30 raised ctypes'
    ArgumentError and left its block open, so every later limit() failed on exit."""
    with pytest.raises(ValueError) as most:  # (the build's maximum, e.g. 64)
        with threads.limit(W1, 128, threads=10**6, owner="fit"):
            pass
    runs = str(most.value).split("runs at most ")[1].split(".")[0]
    message = rf"asks for {huge} BLAS threads, but the BLAS in this process runs at most {runs}\."
    with pytest.raises(ValueError, match=message):
        with threads.limit(W1, 128, threads=huge, owner="fit"):
            pass
    assert threads.current_blas_threads() == blas_now
    with threads.limit(W1, 128, threads=1) as n:
        assert n == threads.current_blas_threads() == 1
    assert threads.current_blas_threads() == blas_now


def test_a_limit_that_fails_to_apply_closes_its_block(blas_now, monkeypatch):
    """Setting the count failed (once) on entering a nested block: that block stayed
    open, so the blocks after it set its count."""
    ctl = threads._controller(required=False)

    def refuse_once(**kw):
        monkeypatch.undo()
        raise RuntimeError("the BLAS refused")

    with threads.limit(W1, 128, threads=1):
        monkeypatch.setattr(ctl, "limit", refuse_once)
        with pytest.raises(RuntimeError, match="the BLAS refused"):
            with threads.limit(W1, 128, threads=2):
                pass
        assert threads.current_blas_threads() == 1
        with threads.limit(W1, 128, threads=3) as n:
            assert n == threads.current_blas_threads() == 3
        assert threads.current_blas_threads() == 1
    assert threads.current_blas_threads() == blas_now
    with threads.limit(W1, 128, threads=1) as n:  # a later block opens and closes cleanly
        assert n == 1
    assert threads.current_blas_threads() == blas_now
