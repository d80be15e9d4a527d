"""bench/gpu.py without a GPU: it says so and measures nothing (exit 2); its checks run
against the stand-in library of tests/test_backend.py (CuPy's place, with the stand-in for
CUDA-graph capture), pass there, and fail loudly when the captured step is wrong; its table
computes the rates and ratios it prints."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import test_backend as tb

from glassnet import backend, capture

_spec = importlib.util.spec_from_file_location(
    "bench_gpu", Path(__file__).resolve().parent.parent / "bench" / "gpu.py"
)
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)
SMALL = dict(rows=150, sizes=(12, 8, 6, 3))  # batch 128, then 22 rows


@pytest.fixture
def stand_in(monkeypatch):
    monkeypatch.setattr(backend, "cupy", lambda: tb.RECORDING)
    monkeypatch.setattr(tb.RECORDING, "cuda", tb.StandInCuda, raising=False)
    yield
    tb.CAPTURE[0] = None


def test_without_a_gpu_it_says_so_and_exits_2(capsys):
    try:
        import cupy  # noqa: F401
    except ImportError:
        assert bench.main([]) == 2
        err = capsys.readouterr().err
        assert "no GPU run" in err and "Nothing was measured" in err
    else:
        pytest.skip("CuPy is installed here: bench/gpu.py runs for real")


def test_the_checks_pass_on_the_stand_in(stand_in, capsys):
    assert bench.checks(None, **SMALL)
    out = capsys.readouterr().out
    assert out.count("  ok     ") == 9 and "FAILED" not in out, out
    assert "captured" in out and "model file round trip" in out


def test_the_checks_fail_loudly_when_the_captured_step_is_wrong(stand_in, monkeypatch, capsys):
    numbers = capture._Plan._numbers

    def baked(self):  # the step's numbers baked in at capture: wrong on every replay
        numbers(self)
        self.h = [self.opt._per_step({**p.settings, "t": 2}) for p in self.opt._packs]

    monkeypatch.setattr(capture._Plan, "_numbers", baked)
    assert not bench.checks(None, **SMALL)
    out = capsys.readouterr().out
    assert "FAILED training, Adam, captured" in out, out
    assert "ok     training, Adam, eager" in out


def test_the_rates_and_the_table():
    med, lo, hi = bench.per_epoch({1: [1.0, 1.0, 2.0], 3: [2.0, 3.0, 3.0]}, 100)
    assert (med, lo, hi) == (200.0, 100.0, 200.0)  # 200 samples over 1, 2 and 1 s
    text = bench.table({128: {"glassnet captured": (90.0, 80, 95), "torch eager": (60.0, 1, 2),
                              "torch CUDA graph": (100.0, 1, 2)},
                        8192: {"glassnet eager": (5.0, 4, 6)}})  # fmt: skip
    assert "| 128 | glassnet captured | 90 | 80-95 | 1.50x | 0.90x |" in text
    assert "| 8192 | glassnet eager | 5 | 4-6 | n/a | n/a |" in text
    assert bench.worst_difference([[1.0, 2.0]], [[1.0, 2.0]]) == 0.0
    assert bench.worst_difference([[1.0]], [[1.0, 2.0]]) == float("inf")


def test_the_benchmark_runs_on_the_stand_in(stand_in, monkeypatch, capsys):
    """(Its numbers there mean nothing: this runs the code path, glassnet's two runners.)"""

    class Device:
        def synchronize(self):
            pass

    monkeypatch.setattr(tb.StandInCuda, "Device", Device, raising=False)
    bench.throughput(tb.RECORDING, 1, rows=200, sizes=(12, 8, 6, 3), batches=(64,))
    out = capsys.readouterr().out
    assert "| 64 | glassnet eager |" in out and "| 64 | glassnet captured |" in out
    assert "12-8-6-3" in out and "200 rows" in out
