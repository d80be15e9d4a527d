"""threads.explain never says more CPUs are busy than the process may use: busy_cpus()
counts runnable threads of other work, which may outnumber the CPUs (4 on a 2-CPU
machine); the line then says so ("4 runnable thread(s) of other work on 2 usable CPU(s):
all 2 busy, 0 free"). The thread count chosen is the same as before."""

import re

import pytest

from glassnet import threads

W1 = [784, 256, 128, 10]


@pytest.fixture
def machine(monkeypatch):
    def set_(cpus, busy=0.0, ceiling=None):
        monkeypatch.setattr(threads, "usable_cpus", lambda: cpus)
        monkeypatch.setattr(threads, "busy_cpus", lambda: busy)
        monkeypatch.setattr(
            threads, "current_blas_threads", lambda: cpus if ceiling is None else ceiling
        )

    return set_


def _busy_and_free(text):
    """The numbers of CPUs the line calls busy and free."""
    m = re.search(r"(?:all )?(\d+(?:\.\d+)?) (?:CPU\(s\) )?busy[^,]*, (\d+) free", text)
    assert m, text
    return float(m.group(1)), int(m.group(2))


@pytest.mark.parametrize(
    ("cpus", "busy", "chosen"),
    [(2, 4, 1), (2, 5, 1), (2, 2, 1), (2, 1, 1), (2, 0, 2), (8, 3, 5), (8, 20, 1), (4, 6.5, 1)],
)
def test_busy_cpus_at_most_the_usable_ones_and_the_count_unchanged(machine, cpus, busy, chosen):
    machine(cpus=cpus, busy=busy)
    text = threads.explain(W1, 128 if cpus == 2 else 1024, threads="load")
    said_busy, free = _busy_and_free(text)
    assert said_busy <= cpus, text
    assert free == max(0, int(cpus - busy)), text
    assert text.startswith(f"{chosen} BLAS thread(s)"), text
    assert threads.blas_threads(W1, 128 if cpus == 2 else 1024, threads="load") == chosen
    if busy > cpus:  # what is counted, said: runnable threads, more than the CPUs
        assert f"{busy:g} runnable thread(s) of other work on {cpus} usable CPU(s)" in text
        assert f"all {cpus} busy, 0 free" in text
    else:
        assert f"{busy:g} CPU(s) busy with other work, {free} free" in text


def test_the_audited_line_on_a_two_cpu_machine(machine):
    machine(cpus=2, busy=4)
    assert threads.explain(W1, batch_size=128, threads="load") == (
        "1 BLAS thread(s): largest GEMM 51.4 MFLOP: 51 thread(s) by size; 2 usable CPU(s); "
        "BLAS limit in force 2; 4 runnable thread(s) of other work on 2 usable CPU(s): all 2 "
        "busy, 0 free"
    )
    machine(cpus=2, busy=1)  # (docs/threads.md's example: unchanged)
    assert threads.explain(W1, batch_size=128, threads="load") == (
        "1 BLAS thread(s): largest GEMM 51.4 MFLOP: 51 thread(s) by size; 2 usable CPU(s); "
        "BLAS limit in force 2; 1 CPU(s) busy with other work, 1 free"
    )
