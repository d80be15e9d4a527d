#!/usr/bin/env python
"""The GPU checks and the GPU benchmark, in one go (CuPy; an NVIDIA GPU).

    pip install -e ".[gpu]"            # cupy-cuda12x; torch (CUDA build) only as a reference
    python bench/gpu.py                # checks, then W1 at batch 128, 1024 and 8192
    python bench/gpu.py --checks-only

1. Correctness: the same W1-shaped network (784-256-128-10, ReLU, softmax + cross-entropy,
   SGD) trained for one epoch on 4,096 rows from the same initial weights, on the CPU
   (NumPy) and on the GPU (``fit(device="cuda")``), in float64: every weight equal to
   1e-5 relative (the sums run in another order on the GPU, nothing else differs).
2. Throughput: W1 (60,000 x 784, one epoch) at batch 128, 1024 and 8192: glassnet on the
   GPU (the whole ``fit`` call, synchronised at its end), PyTorch eager on the GPU and a
   PyTorch step captured in a CUDA graph, when a CUDA build of torch is installed.
   Interleaved rounds; medians and spread; samples/s and the ratios.

Exit status 2 (with the reason) where there is no CuPy or no GPU: nothing is measured.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np

SIZES = (784, 256, 128, 10)


def _data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, SIZES[0])).astype(np.float32)
    y = np.argmax(X @ rng.standard_normal((SIZES[0], SIZES[-1])), axis=1)
    return X, y


def _model(dtype: type) -> object:
    from glassnet import nn

    return nn.MLP(list(SIZES), "relu", "softmax", rng=0, dtype=dtype)


def _fit(model: object, X: np.ndarray, y: np.ndarray, bs: int, device: str) -> None:
    import glassnet as gn

    gn.fit(model, X, y, loss="cross_entropy", optimizer="sgd", lr=0.1, epochs=1,
           batch_size=bs, seed=0, verbose=0, device=device)  # fmt: skip


def checks(cp: object) -> bool:
    X, y = _data(4096)
    cpu, gpu = _model(np.float64), _model(np.float64)
    _fit(cpu, X.astype(np.float64), y, 128, "cpu")
    _fit(gpu, X.astype(np.float64), y, 128, "cuda")
    worst = 0.0
    for a, b in zip(cpu.parameters(), gpu.parameters()):
        assert type(b.data).__module__.startswith("cupy"), "the GPU model's weights left the GPU"
        b_host = cp.asnumpy(b.data)
        worst = max(worst, float(np.max(np.abs(a.data - b_host) / (np.abs(a.data) + 1e-3))))
    ok = worst <= 1e-5
    print(f"correctness, float64, 1 epoch: worst relative difference {worst:.2e} "
          f"({'ok' if ok else 'FAILED'}: <= 1e-5)")  # fmt: skip
    return ok


def _torch_runners(X: np.ndarray, y: np.ndarray, bs: int) -> dict:
    try:
        import torch
    except ImportError:
        return {}
    if not torch.cuda.is_available():
        return {}
    dev = torch.device("cuda")
    Xt, yt = torch.from_numpy(X).to(dev), torch.from_numpy(y).to(dev)

    def build() -> tuple:
        layers = []
        for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:])):
            layers += [torch.nn.Linear(a, b)] + ([torch.nn.ReLU()] if i < len(SIZES) - 2 else [])
        model = torch.nn.Sequential(*layers).to(dev)
        return model, torch.optim.SGD(model.parameters(), lr=0.1), torch.nn.CrossEntropyLoss()

    def eager() -> None:
        model, opt, crit = build()
        order = torch.randperm(len(Xt), device=dev)
        for s in range(0, len(Xt) - bs + 1, bs):
            idx = order[s : s + bs]
            opt.zero_grad(set_to_none=False)
            crit(model(Xt[idx]), yt[idx]).backward()
            opt.step()
        torch.cuda.synchronize()

    def graphed() -> None:
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
        order = torch.randperm(len(Xt), device=dev)
        for st in range(0, len(Xt) - bs + 1, bs):
            idx = order[st : st + bs]
            xb.copy_(Xt[idx])
            yb.copy_(yt[idx])
            g.replay()
        torch.cuda.synchronize()

    return {"torch eager": eager, "torch CUDA graph": graphed}


def throughput(cp: object, rounds: int) -> None:
    X, y = _data(60_000)
    print("\n| batch | runner | samples/s (median) | spread | vs torch eager | vs torch graph |")
    print("|---|---|---|---|---|---|")
    for bs in (128, 1024, 8192):

        def glassnet_gpu(bs: int = bs) -> None:
            model = _model(np.float32)
            _fit(model, X, y, bs, "cuda")
            cp.cuda.Stream.null.synchronize()

        runners = {"glassnet (cuda)": glassnet_gpu, **_torch_runners(X, y, bs)}
        for fn in runners.values():  # warm-up: compile kernels, fill memory pools
            fn()
        times: dict[str, list[float]] = {k: [] for k in runners}
        for _ in range(rounds):
            for k, fn in runners.items():
                t0 = time.perf_counter()
                fn()
                times[k].append(time.perf_counter() - t0)
        rate = {k: len(X) / statistics.median(v) for k, v in times.items()}
        for k, v in times.items():
            spread = f"{len(X) / max(v):,.0f}-{len(X) / min(v):,.0f}"
            ratios = [f"{rate[k] / rate[r]:.2f}x" if r in rate else "n/a" for r in
                      ("torch eager", "torch CUDA graph")]  # fmt: skip
            print(f"| {bs} | {k} | {rate[k]:,.0f} | {spread} | {ratios[0]} | {ratios[1]} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--checks-only", action="store_true")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    try:
        import cupy as cp

        name = cp.cuda.runtime.getDeviceProperties(0)["name"].decode()
    except Exception as e:  # no CuPy, no driver, no device: say so, measure nothing
        print(f"no GPU run: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    print(f"device: {name}; CuPy {cp.__version__}")
    ok = checks(cp)
    if ok and not args.checks_only:
        throughput(cp, args.rounds)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
