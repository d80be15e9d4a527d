"""bench/graph_grid.py's NumPy reference: written out as straight-line calls, it makes the
same calls as the per-layer loop it replaced (``--reference loop``) and trains to the same
bits, on every activation and head, at one row, a few rows and past the column-major row
maximum's threshold (32 rows). Nothing here is timed."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def grid():
    added = [str(BENCH), str(BENCH / "peers")]
    sys.path[:0] = added
    try:
        import graph_grid

        yield graph_grid
    finally:
        for p in added:
            sys.path.remove(p)


@pytest.mark.parametrize("batch,depth", [(1, 1), (8, 3), (40, 2)])
def test_lean_reference_trains_to_the_loops_bits(grid, batch, depth):
    for act, head in itertools.product(grid.ACTS, grid.HEADS):
        cell = {**grid.MID, "act": act, "head": head, "width": 12, "batch": batch, "depth": depth}
        X, y, init = grid.make_data(cell)
        lean = grid.numpy_step(cell, X, y, [(W.copy(), b.copy()) for W, b in init])
        loop = grid.numpy_loop_step(cell, X, y, [(W.copy(), b.copy()) for W, b in init])
        for _ in range(4):
            lean()
            loop()
        got, want = lean.weights(), loop.weights()
        assert all(np.array_equal(a, b) for a, b in zip(got, want)), (act, head)
        moved = max(np.abs(a - W).max() for a, (W, _) in zip(got, init))
        assert moved > 0, (act, head)  # (it trained: the weights moved)
