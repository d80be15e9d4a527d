"""Test-run settings shared by every test module."""

import os

from hypothesis import settings

# Property-based tests explore freshly random examples on a developer's machine, but CI
# (CI=true) must give the same verdict for the same commit: there, hypothesis derives its
# examples from each test's name instead of a random seed.
settings.register_profile("ci", derandomize=True, database=None, deadline=None)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# One BLAS thread per test process: the suite's matrices are small, and on a 2-core machine
# two BLAS threads per product cost many times the CPU time of one (and oversubscribe when
# a test starts subprocesses). Tests that are about threads set their own limits.
from threadpoolctl import threadpool_limits  # noqa: E402

threadpool_limits(1)
