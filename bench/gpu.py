#!/usr/bin/env python
"""The GPU checks and the GPU benchmark, in one go (CuPy; an NVIDIA GPU). Sized to take
well under 5 minutes on an H200 (an estimate: it has not run on one yet; CuPy compiling its
kernels on first use should be most of it).

    pip install -e ".[gpu]"            # cupy-cuda12x; torch (a CUDA build) only as a reference
    python bench/gpu.py                # the checks, then W1 at batch 128, 1024 and 8192
    python bench/gpu.py --checks-only

1. Checks, in float64, against the CPU (NumPy) run from the same initial weights, each to
   1e-5 relative (on the GPU the sums run in another order; nothing else differs):
   * training: a W1-shaped network (784-256-128-10, ReLU, softmax + cross-entropy) for one
     epoch of 4,000 rows at batch 128 (the last batch 32 rows), with SGD + momentum and
     with Adam (whose bias corrections change every step), eagerly
     (``fit(device="cuda", engine="fused")``) and with the captured step
     (``fit(device="cuda")``: ``history.engine == "captured"``, no warning);
   * ``predict``, ``explain``'s numbers, and a model file written from the GPU model and
     loaded back (on the CPU).
2. Throughput: W1 (60,000 x 784, float32) at batch 128, 1024 and 8192: glassnet eager,
   glassnet captured, PyTorch eager and a PyTorch step captured in a CUDA graph (when a
   CUDA build of torch is installed). Each runner trains 1 and 3 epochs from scratch; the
   rate is the 2 extra epochs' samples over the extra time (so the data move, the set-up
   and the capture, paid once per fit, are left out), median of interleaved rounds, with
   the spread. Printed as a table with the ratios to PyTorch.

Exit status: 0 when every check holds, 1 when one fails, 2 (with the reason) where there is
no CuPy or no GPU: then nothing is measured.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

SIZES = (784, 256, 128, 10)
TOL = 1e-5
EPOCHS = (1, 3)  # the rate is taken over the epochs between these


def _data(n: int, dtype: Any = np.float32, sizes: tuple = SIZES) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, sizes[0])).astype(dtype)
    y = np.argmax(X @ rng.standard_normal((sizes[0], sizes[-1])).astype(dtype), axis=1)
    return X, y


def _model(dtype: Any, sizes: tuple = SIZES) -> Any:
    from glassnet import nn

    return nn.MLP(list(sizes), "relu", "softmax", rng=0, dtype=dtype)


def _fit(model: Any, X: np.ndarray, y: np.ndarray, bs: int, device: Any, **kw: Any) -> Any:
    import glassnet as gn

    named = {} if "optimizer" in kw else {"optimizer": "sgd", "lr": 0.05}  # (an object: its lr)
    kw = {**named, "epochs": 1, **kw}
    return gn.fit(model, X, y, loss="cross_entropy", batch_size=bs, seed=0, verbose=0,
                  device=device, **kw)  # fmt: skip


def worst_difference(a: Any, b: Any) -> float:
    """The largest relative difference of two lists of arrays, |a - b| / (|a| + 1e-3)."""
    worst = 0.0
    for u, v in zip(a, b):
        u, v = np.asarray(u, dtype=np.float64), np.asarray(v, dtype=np.float64)
        if u.shape != v.shape:
            return float("inf")
        worst = max(worst, float(np.max(np.abs(u - v) / (np.abs(u) + 1e-3), initial=0.0)))
    return worst


def checks(cp: Any, rows: int = 4000, sizes: tuple = SIZES) -> bool:
    """Every GPU check against the CPU; prints one line each; True when all hold. (``cp``
    is CuPy; the tests run this with a stand-in library and a small network.)"""
    import tempfile
    from pathlib import Path

    from glassnet import io, optim
    from glassnet.backend import to_device
    from glassnet.explain import explain

    X, y = _data(rows, np.float64, sizes)
    results: list[tuple[str, float, str]] = []
    trained = None
    makers = {  # name: (optimizer, fit's other arguments)
        "SGD + momentum": (lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9), {}),
        "Adam": (lambda ps: optim.Adam(ps, lr=1e-3), {}),
        "Adam + L2": (lambda ps: optim.Adam(ps, lr=1e-3), {"l2": 1e-3}),  # (||W||² captured)
    }
    for name, (make, extra) in makers.items():
        cpu = _model(np.float64, sizes)
        _fit(cpu, X, y, 128, "cpu", optimizer=make(cpu.parameters()), engine="fused", **extra)
        want = [p.data for p in cpu.parameters()]
        for engine in ("fused", "auto"):
            gpu = _model(np.float64, sizes).to("cuda")
            h = _fit(gpu, X, y, 128, None, optimizer=make(gpu.parameters()), engine=engine,
                     **extra)  # fmt: skip
            on_gpu = all(type(p.data) is not np.ndarray for p in gpu.parameters())  # (CuPy's)
            got = [to_device(p.data, "cpu") for p in gpu.parameters()]
            label = "eager" if engine == "fused" else "captured"
            note = f"engine {h.engine!r}" + (f"; {' '.join(h.warnings)}" if h.warnings else "")
            expected = "fused" if engine == "fused" else "captured"
            ok_engine = h.engine == expected and not h.warnings and on_gpu
            diff = worst_difference(want, got) if ok_engine else float("inf")
            results.append((f"training, {name}, {label}", diff, note))
            trained = trained or (gpu, cpu)
    gpu, cpu = trained
    diff = worst_difference([cpu.predict(X[:512])], [gpu.predict(X[:512])])
    results.append(("predict", diff, "on the GPU, the output brought back"))
    a, b = explain(cpu, X[:2], y[:2], "cross_entropy"), explain(gpu, X[:2], y[:2], "cross_entropy")
    results.append(("explain", worst_difference([*a.Z, *a.grad_W], [*b.Z, *b.grad_W]), ""))
    with tempfile.TemporaryDirectory() as tmp:
        back = io.load_model(io.save_model(gpu, Path(tmp) / "gpu.glassnet"))
    kept = [to_device(p.data, "cpu") for p in gpu.parameters()]
    on_cpu = all(type(p.data) is np.ndarray for p in back.parameters())
    loaded = [p.data for p in back.parameters()]
    diff = worst_difference(kept, loaded) if on_cpu else float("inf")
    results.append(("model file round trip", diff, "loads on the CPU"))
    print(f"checks (float64, against the CPU, each <= {TOL:g} relative):")
    for what, diff, note in results:
        print(f"  {'ok    ' if diff <= TOL else 'FAILED'} {what}: {diff:.2e}  {note}".rstrip())
    del cp
    return all(diff <= TOL for _, diff, _ in results)


def per_epoch(times: dict[int, list[float]], samples: int) -> tuple[float, float, float]:
    """Samples per second over the epochs between EPOCHS[0] and EPOCHS[1], from the
    rounds' times of each: (median, slowest, fastest) of the rounds."""
    lo, hi = EPOCHS
    rates = [samples * (hi - lo) / max(b - a, 1e-12) for a, b in zip(times[lo], times[hi])]
    return statistics.median(rates), min(rates), max(rates)


def table(rates: dict[int, dict[str, tuple[float, float, float]]]) -> str:
    """The benchmark's table: per batch size and runner, samples/s (median, spread) and the
    ratios to PyTorch eager and to the PyTorch CUDA graph (n/a without torch)."""
    lines = [
        "| batch | runner | samples/s (median) | spread | vs torch eager | vs torch graph |",
        "|---|---|---|---|---|---|",
    ]
    for bs, row in rates.items():
        for name, (med, lo, hi) in row.items():
            ratio = [f"{med / row[r][0]:.2f}x" if r in row else "n/a"
                     for r in ("torch eager", "torch CUDA graph")]  # fmt: skip
            lines.append(f"| {bs} | {name} | {med:,.0f} | {lo:,.0f}-{hi:,.0f} | "
                         f"{ratio[0]} | {ratio[1]} |")  # fmt: skip
    return "\n".join(lines)


def _glassnet_runners(
    cp: Any, X: np.ndarray, y: np.ndarray, bs: int, sizes: tuple = SIZES
) -> dict[str, Callable]:
    def runner(engine: str) -> Callable[[int], None]:
        def run(epochs: int) -> None:
            h = _fit(_model(np.float32, sizes), X, y, bs, "cuda", epochs=epochs, engine=engine)
            cp.cuda.Device().synchronize()
            want = "fused" if engine == "fused" else "captured"
            if h.engine != want or h.warnings:
                raise RuntimeError(f"glassnet ran engine {h.engine!r}: {h.warnings}")

        return run

    return {"glassnet eager": runner("fused"), "glassnet captured": runner("auto")}


def _torch_runners(X: np.ndarray, y: np.ndarray, bs: int) -> dict[str, Callable]:
    try:
        import torch
    except ImportError:
        return {}
    if not torch.cuda.is_available():
        return {}
    dev = torch.device("cuda")
    Xt, yt = torch.from_numpy(X).to(dev), torch.from_numpy(y).to(dev)

    def build() -> tuple:
        layers: list[Any] = []
        for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:])):
            layers += [torch.nn.Linear(a, b)] + ([torch.nn.ReLU()] if i < len(SIZES) - 2 else [])
        model = torch.nn.Sequential(*layers).to(dev)
        return model, torch.optim.SGD(model.parameters(), lr=0.05), torch.nn.CrossEntropyLoss()

    def eager(epochs: int) -> None:
        model, opt, crit = build()
        for _ in range(epochs):
            order = torch.randperm(len(Xt), device=dev)
            for s in range(0, len(Xt) - bs + 1, bs):
                idx = order[s : s + bs]
                opt.zero_grad(set_to_none=False)
                crit(model(Xt[idx]), yt[idx]).backward()
                opt.step()
        torch.cuda.synchronize()

    def graphed(epochs: int) -> None:
        model, opt, crit = build()
        xb, yb = Xt[:bs].clone(), yt[:bs].clone()
        s = torch.cuda.Stream()
        s.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(s):  # warm-up before capture, as PyTorch's docs do
            for _ in range(3):
                opt.zero_grad(set_to_none=False)
                crit(model(xb), yb).backward()
                opt.step()
        torch.cuda.current_stream().wait_stream(s)
        g = torch.cuda.CUDAGraph()
        opt.zero_grad(set_to_none=False)
        with torch.cuda.graph(g):
            crit(model(xb), yb).backward()
            opt.step()
        for _ in range(epochs):
            order = torch.randperm(len(Xt), device=dev)
            for st in range(0, len(Xt) - bs + 1, bs):
                idx = order[st : st + bs]
                xb.copy_(Xt[idx])
                yb.copy_(yt[idx])
                g.replay()
        torch.cuda.synchronize()

    return {"torch eager": eager, "torch CUDA graph": graphed}


def throughput(
    cp: Any,
    rounds: int,
    rows: int = 60_000,
    sizes: tuple = SIZES,
    batches: tuple = (128, 1024, 8192),
) -> None:
    """The benchmark (see the module docstring); the tests run it small on the stand-ins."""
    X, y = _data(rows, np.float32, sizes)
    rates: dict[int, dict[str, tuple[float, float, float]]] = {}
    for bs in batches:
        torch = _torch_runners(X, y, bs) if sizes == SIZES else {}
        runners = {**_glassnet_runners(cp, X, y, bs, sizes), **torch}
        for fn in runners.values():  # warm-up: compile the kernels, fill the memory pools
            fn(1)
        times: dict[str, dict[int, list[float]]] = {k: {e: [] for e in EPOCHS} for k in runners}
        for _ in range(rounds):
            for k, fn in runners.items():
                for e in EPOCHS:
                    t0 = time.perf_counter()
                    fn(e)
                    times[k][e].append(time.perf_counter() - t0)
        full = len(X) // bs * bs  # (PyTorch's loops drop the last, shorter batch)
        rates[bs] = {k: per_epoch(v, full if k.startswith("torch") else len(X))
                     for k, v in times.items()}  # fmt: skip
        print(f"batch {bs}: done", flush=True)
    shape = "-".join(map(str, sizes))
    print(f"\nW1 ({shape}, float32, SGD), one epoch of {rows:,} rows, samples/s:\n")
    print(table(rates))


def gpu_name() -> tuple[Any, str]:
    """CuPy and the GPU's name, or an exception saying why there is none."""
    import cupy as cp

    name = cp.cuda.runtime.getDeviceProperties(0)["name"]
    return cp, name.decode() if isinstance(name, bytes) else str(name)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--checks-only", action="store_true")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    try:
        cp, name = gpu_name()
    except Exception as e:  # no CuPy, no driver, no device: say so, measure nothing
        print(
            f"bench/gpu.py: no GPU run ({type(e).__name__}: {e}). It needs CuPy and an NVIDIA "
            "GPU: pip install -e '.[gpu]'. Nothing was measured.",
            file=sys.stderr,
        )
        return 2
    print(f"device: {name}; CuPy {cp.__version__}")
    ok = checks(cp)
    if ok and not args.checks_only:
        throughput(cp, args.rounds)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
