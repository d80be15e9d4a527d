"""The hand-written training loop on glassnet's autodiff graph, over a grid of shapes.

    python bench/graph_grid.py                 # the covering design (23 cells)
    python bench/graph_grid.py --full          # every cell of the cross product (640)
    python bench/graph_grid.py --quick         # fewer rounds, shorter timings
    python bench/graph_grid.py --json out.json # also save every measurement
    python bench/graph_grid.py --compare before.json after1.json,after2.json
    python bench/graph_grid.py --only "w8     b1     d1" --steps 120   # untimed, for valgrind

A PyTorch user's loop, written on glassnet's graph (``glassnet.Tensor``, ``nn.MLP``,
``nn.CrossEntropyLoss`` / ``nn.MSELoss``, ``glassnet.optim.SGD``)::

    opt.zero_grad(); loss = crit(model(xb), yb); loss.backward(); opt.step()

timed against the hand-written NumPy step (forward, backward and update written with NumPy
directly into preallocated buffers, the learning rate folded into the output delta, no
loss value: a reference step, written as a loop over the layers with the activation chosen
by ``if`` at every step, as ``bench/peers/fused_numpy.py`` was until round 23, so on
the small cells, where Python costs as much as arithmetic, a faster layout exists) and
against the same loop in PyTorch eager (float32). The axes: the hidden activation (sigmoid,
tanh, relu, leaky_relu, identity), the head (softmax + cross-entropy on 10 classes, or
identity + MSE on 10 outputs), the hidden width (8 to 1024), the batch (1 to 4096) and the
number of hidden layers (1 to 4); 32 input features. The default design covers every value
of every axis with the other axes at their middle value (tanh, cross-entropy, width 256,
batch 64, depth 2), plus the eight corners of width x batch x depth.

BLAS runs on one thread in all three (threadpoolctl's ``threadpool_limits(1)`` for NumPy,
``torch.set_num_threads(1)``): the comparison is about the cost around the arithmetic and
the kernels, not about how each library splits a GEMM over cores. Each cell times N steps
(N chosen so one timing lasts about ``--seconds``) of each engine in turn, ``--rounds``
times with the order rotated, and reports the medians of the process's CPU time (on a
shared machine, wall-clock time measures the scheduler as much as the code; ``--wall``
times the wall clock instead). The ratios are speeds:
glassnet/NumPy = t_numpy / t_glassnet (target >= 0.85) and glassnet/PyTorch =
t_torch / t_glassnet (target > 1: glassnet ahead).
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before NumPy loads its BLAS

import argparse  # noqa: E402
import functools  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

_BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(_BENCH, ".."), _BENCH, os.path.join(_BENCH, "peers")]

import glassnet as gn  # noqa: E402

ACTS = ("sigmoid", "tanh", "relu", "leaky_relu", "identity")
HEADS = ("ce", "mse")
WIDTHS = (8, 64, 256, 1024)
BATCHES = (1, 64, 512, 4096)
DEPTHS = (1, 2, 3, 4)
MID = {"act": "tanh", "head": "ce", "width": 256, "batch": 64, "depth": 2}
D_IN, D_OUT, LR, ALPHA = 32, 10, 0.01, 0.01
CLOCK = [time.process_time]  # the process's CPU time; --wall: time.perf_counter
AXES = {"act": ACTS, "head": HEADS, "width": WIDTHS, "batch": BATCHES, "depth": DEPTHS}


def cells(full: bool) -> list[dict]:
    """Every cell (``full``), or each value of each axis with the others at MID, plus the
    corners of width x batch x depth (at the middle activation and head)."""
    if full:
        return [dict(zip(AXES, v)) for v in itertools.product(*AXES.values())]
    out = [{**MID, axis: v} for axis, values in AXES.items() for v in values]
    for w, b, d in itertools.product(*((v[0], v[-1]) for v in (WIDTHS, BATCHES, DEPTHS))):
        out.append({**MID, "width": w, "batch": b, "depth": d})
    unique = {tuple(c.values()): c for c in out}
    return list(unique.values())


def make_data(cell: dict, seed: int = 0) -> tuple[np.ndarray, np.ndarray, list]:
    rng = np.random.default_rng(seed)
    n = cell["batch"]
    X = rng.standard_normal((n, D_IN)).astype(np.float32)
    if cell["head"] == "ce":
        y = rng.integers(0, D_OUT, n).astype(np.int64)
    else:
        y = rng.standard_normal((n, D_OUT)).astype(np.float32)
    sizes = [D_IN] + [cell["width"]] * cell["depth"] + [D_OUT]
    init = []
    for i, o in zip(sizes[:-1], sizes[1:]):
        a = np.sqrt(6.0 / (i + o))
        init.append((rng.uniform(-a, a, (i, o)).astype(np.float32), np.zeros(o, np.float32)))
    return X, y, init


# ------------------------------------------------------------------------ the engines


def glassnet_step(cell: dict, X: np.ndarray, y: np.ndarray, init: list, gn=gn):
    """The PyTorch-style loop on glassnet's graph (``gn``: the glassnet package, or an older
    copy of it: bench/ab_graph_loop.py)."""
    sizes = [D_IN] + [cell["width"]] * cell["depth"] + [D_OUT]
    model = gn.nn.MLP(sizes, activation=cell["act"], rng=0, leaky_alpha=ALPHA)
    lins = [m for m in model.layers if isinstance(m, gn.nn.Linear)]
    for lin, (W, b) in zip(lins, init):
        lin.W.data[...] = W
        lin.b.data[...] = b
    crit = gn.nn.CrossEntropyLoss() if cell["head"] == "ce" else gn.nn.MSELoss()
    opt = gn.optim.SGD(model.parameters(), lr=LR)
    xb = gn.Tensor(X)

    def step() -> None:
        opt.zero_grad()
        loss = crit(model(xb), y)
        loss.backward()
        opt.step()

    step.weights = lambda: [lin.W.data for lin in lins]
    return step


def torch_step(cell: dict, X: np.ndarray, y: np.ndarray, init: list):
    """The same loop in PyTorch eager, float32."""
    import torch
    from torch import nn

    torch.set_num_threads(1)
    acts = {
        "sigmoid": nn.Sigmoid,
        "tanh": nn.Tanh,
        "relu": nn.ReLU,
        "leaky_relu": lambda: nn.LeakyReLU(ALPHA),
        "identity": None,
    }
    layers: list = []
    for i, (W, b) in enumerate(init):
        lin = nn.Linear(*W.shape)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W.T))
            lin.bias.copy_(torch.from_numpy(b))
        layers.append(lin)
        if i < len(init) - 1 and acts[cell["act"]] is not None:
            layers.append(acts[cell["act"]]())
    model = nn.Sequential(*layers)
    lins = [m for m in layers if isinstance(m, nn.Linear)]
    crit = nn.CrossEntropyLoss() if cell["head"] == "ce" else nn.MSELoss()
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    xb, yb = torch.from_numpy(X), torch.from_numpy(y)

    def step() -> None:
        opt.zero_grad()
        loss = crit(model(xb), yb)
        loss.backward()
        opt.step()

    step.weights = lambda: [lin.weight.detach().numpy().T for lin in lins]
    return step


def _arrays(cell: dict, y: np.ndarray, init: list, n: int) -> tuple:
    """The NumPy references' arrays, allocated once: parameters and gradients in one flat
    buffer each (with each layer's W, b views), activations, deltas, scratch and masks per
    hidden layer, the ones vector of the bias gradients, the softmax head's buffers, the
    labels' flat indices and lr / n."""
    n_par = sum(W.size + b.size for W, b in init)
    p, g = np.empty(n_par, np.float32), np.empty(n_par, np.float32)
    Ws, bs, gWs, gbs, off = [], [], [], [], 0
    for W, b in init:
        for store, grad, arr in ((Ws, gWs, W), (bs, gbs, b)):
            store.append(p[off : off + arr.size].reshape(arr.shape))
            grad.append(g[off : off + arr.size].reshape(arr.shape))
            store[-1][...] = arr
            off += arr.size
    A = [np.empty((n, W.shape[1]), np.float32) for W, _ in init]
    D = [np.empty_like(a) for a in A[:-1]]
    T = [np.empty_like(a) for a in A[:-1]]
    M = [np.empty(a.shape, bool) for a in A[:-1]]
    ones = np.ones(n, np.float32)
    mx, s = np.empty((n, 1), np.float32), np.empty((n, 1), np.float32)
    AF, onesK = np.empty((n, D_OUT), np.float32, order="F"), np.ones((D_OUT, 1), np.float32)
    flat_y = np.arange(n) * D_OUT + (y if cell["head"] == "ce" else 0)
    return p, g, Ws, bs, gWs, gbs, A, D, T, M, ones, mx, s, AF, onesK, flat_y, LR / n


def numpy_step(cell: dict, X: np.ndarray, y: np.ndarray, init: list):
    """Forward, backward and SGD written with NumPy: preallocated buffers, out= everywhere,
    parameters and gradients in one flat buffer each, lr folded into the output delta. The
    cell's calls are laid out once and written out as straight-line code
    (``fused_numpy._unrolled``: no loop over the layers, no ``if`` on the activation, no
    look-up per step), what a programmer writes by hand for one network; the same calls, in
    the same order, as :func:`numpy_loop_step`, so the same bits."""
    from fused_numpy import _unrolled

    act, n, L = cell["act"], len(X), len(init)
    arrays = _arrays(cell, y, init, n)
    p, g, Ws, bs, gWs, gbs, A, D, T, M, ones, mx, s, AF, onesK, flat_y, c = arrays
    mm, mul, sub, f32 = np.matmul, np.multiply, np.subtract, np.float32
    ops: list = []
    a = X
    for i in range(L):  # forward, activations in place
        z = A[i]
        ops += [(mm, (a, Ws[i], z)), (np.add, (z, bs[i], z))]
        if i < L - 1:
            if act == "relu":
                ops.append((functools.partial(np.maximum, out=z), (z, f32(0))))
            elif act == "leaky_relu":
                t = T[i]  # (z * ALPHA into a buffer: the loop's temporary, preallocated)
                ops += [(mul, (z, ALPHA, t)), (functools.partial(np.maximum, out=z), (z, t))]
            elif act == "tanh":
                ops.append((np.tanh, (z, z)))
            elif act == "sigmoid":
                ops += [(mul, (z, 0.5, z)), (np.tanh, (z, z)), (mul, (z, 0.5, z))]
                ops.append((np.add, (z, 0.5, z)))
        a = z
    if cell["head"] == "ce":  # dZ = lr (softmax(Z) - onehot(y)) / n
        af = a.reshape(-1)
        if n >= 32:  # NumPy reduces a short last axis slowly; column-major, fast
            ops.append((np.copyto, (AF, a)))
        ops += [
            (np.maximum.reduce, (AF if n >= 32 else a, 1, None, mx, True)),
            (sub, (a, mx, a)),
            (np.exp, (a, a)),
            (mm, (a, onesK, s)),  # row sums as a GEMV (faster than np.sum(axis=1))
            (np.divide, (c, s, s)),
            (mul, (a, s, a)),
            (np.subtract.at, (af, flat_y, f32(c))),
        ]
    else:  # dZ = lr 2 (Z - y) / (n K)
        ops += [(sub, (a, y, a)), (mul, (a, 2 * c / D_OUT, a))]
    d = a
    for i in range(L - 1, -1, -1):  # backward
        a_prev = X if i == 0 else A[i - 1]
        if n == 1:  # an outer product: BLAS's GEMM with k = 1 is several times slower
            ops.append((mul, (a_prev.T, d, gWs[i])))
        else:
            ops.append((mm, (a_prev.T, d, gWs[i])))
        ops.append((mm, (ones, d, gbs[i])))
        if i == 0:
            break
        dp, t = D[i - 1], T[i - 1]
        ops.append((mm, (d, Ws[i].T, dp)))
        if act == "relu":  # g' = [A > 0]
            ops += [(np.greater, (a_prev, 0, M[i - 1])), (mul, (dp, M[i - 1], dp))]
        elif act == "leaky_relu":  # g' = alpha + (1 - alpha) [A > 0]
            ops += [(np.greater, (a_prev, 0, M[i - 1])), (mul, (M[i - 1], 1 - ALPHA, t))]
            ops += [(np.add, (t, ALPHA, t)), (mul, (dp, t, dp))]
        elif act == "tanh":  # g' = 1 - A^2
            ops += [(mul, (a_prev, a_prev, t)), (sub, (1, t, t)), (mul, (dp, t, dp))]
        elif act == "sigmoid":  # g' = A (1 - A)
            ops += [(sub, (1, a_prev, t)), (mul, (t, a_prev, t)), (mul, (dp, t, dp))]
        d = dp
    ops.append((sub, (p, g, p)))  # SGD: lr already in g
    step = _unrolled(ops)
    step.weights = lambda: Ws
    return step


def numpy_loop_step(cell: dict, X: np.ndarray, y: np.ndarray, init: list):
    """The reference as it was up to round 24 (``--reference loop``): forward, backward
    and SGD written with NumPy as a loop over the layers, the activation chosen by ``if``
    at every step; the same calls as :func:`numpy_step`, with Python around them."""
    act, n, L = cell["act"], len(X), len(init)
    arrays = _arrays(cell, y, init, n)
    p, g, Ws, bs, gWs, gbs, A, D, T, M, ones, mx, s, AF, onesK, flat_y, c = arrays

    def step() -> None:
        a = X
        for i in range(L):  # forward, activations in place
            z = A[i]
            np.matmul(a, Ws[i], out=z)
            z += bs[i]
            if i < L - 1:
                if act == "relu":
                    np.maximum(z, 0, out=z)
                elif act == "leaky_relu":
                    np.maximum(z, z * ALPHA, out=z)
                elif act == "tanh":
                    np.tanh(z, out=z)
                elif act == "sigmoid":
                    z *= 0.5
                    np.tanh(z, out=z)
                    z *= 0.5
                    z += 0.5
            a = z
        if cell["head"] == "ce":  # dZ = lr (softmax(Z) - onehot(y)) / n
            if n >= 32:  # NumPy reduces a short last axis slowly; column-major, fast
                np.copyto(AF, a)
            np.max(AF if n >= 32 else a, axis=1, keepdims=True, out=mx)
            a -= mx
            np.exp(a, out=a)
            np.matmul(a, onesK, out=s)  # row sums as a GEMV (faster than np.sum(axis=1))
            np.divide(c, s, out=s)
            a *= s
            a.reshape(-1)[flat_y] -= c
        else:  # dZ = lr 2 (Z - y) / (n K)
            a -= y
            a *= 2 * c / D_OUT
        d = a
        for i in range(L - 1, -1, -1):  # backward
            a_prev = X if i == 0 else A[i - 1]
            if n == 1:  # an outer product: BLAS's GEMM with k = 1 is several times slower
                np.multiply(a_prev.T, d, out=gWs[i])
            else:
                np.matmul(a_prev.T, d, out=gWs[i])
            np.matmul(ones, d, out=gbs[i])
            if i == 0:
                break
            dp = D[i - 1]
            np.matmul(d, Ws[i].T, out=dp)
            if act in ("relu", "leaky_relu"):
                m = np.greater(a_prev, 0, out=M[i - 1])
                if act == "relu":  # g' = [A > 0]
                    np.multiply(dp, m, out=dp)
                else:  # g' = alpha + (1 - alpha) [A > 0]
                    t = np.multiply(m, 1 - ALPHA, out=T[i - 1])
                    t += ALPHA
                    dp *= t
            elif act in ("tanh", "sigmoid"):
                t = T[i - 1]
                if act == "tanh":  # g' = 1 - A^2
                    np.multiply(a_prev, a_prev, out=t)
                    np.subtract(1, t, out=t)
                else:  # g' = A (1 - A)
                    np.subtract(1, a_prev, out=t)
                    t *= a_prev
                dp *= t
            d = dp
        np.subtract(p, g, out=p)  # SGD: lr already in g

    step.weights = lambda: Ws
    return step


ENGINES = {"glassnet": glassnet_step, "numpy": numpy_step, "torch": torch_step}


def agree(steps: int = 3) -> float:
    """The three engines train the same network: after ``steps`` steps on every activation
    and head (width 16, batch 8), the largest difference of a weight from PyTorch's (the
    straight-line NumPy reference and the per-layer loop: the same bits)."""

    worst = 0.0
    for act, head in itertools.product(ACTS, HEADS):
        cell = {**MID, "act": act, "head": head, "width": 16, "batch": 8}
        X, y, init = make_data(cell)
        made = {
            name: make(cell, X, y, [(W.copy(), b.copy()) for W, b in init])
            for name, make in ENGINES.items()
        }
        for _ in range(steps):
            for step in made.values():
                step()
        loop = numpy_loop_step(cell, X, y, [(W.copy(), b.copy()) for W, b in init])
        for _ in range(steps):
            loop()
        found = {name: step.weights() for name, step in made.items()}
        if not all(np.array_equal(a, b) for a, b in zip(found["numpy"], loop.weights())):
            raise AssertionError(f"the two NumPy references differ on {act}/{head}")
        for name in ("glassnet", "numpy"):
            diff = max(np.abs(a - b).max() for a, b in zip(found[name], found["torch"]))
            moved = max(np.abs(a - W).max() for a, (W, _) in zip(found["torch"], init))
            if not diff < 1e-3 * moved:
                raise AssertionError(f"{name} and torch disagree on {act}/{head}: {diff:.2e}")
            worst = max(worst, float(diff))
    return worst


# ------------------------------------------------------------------------ timing


def measure(cell: dict, rounds: int, seconds: float) -> dict:
    X, y, init = make_data(cell)
    steps = {name: make(cell, X, y, init) for name, make in ENGINES.items()}
    for step in steps.values():  # warm up (allocator, BLAS buffers, torch's dispatch)
        step()
        step()
    t0 = CLOCK[0]()
    steps["numpy"]()
    one = CLOCK[0]() - t0
    number = int(min(max(seconds / max(one, 1e-7), 2), 20000))
    times: dict[str, list[float]] = {name: [] for name in steps}
    names = list(steps)
    for r in range(rounds):
        for name in names[r % 3 :] + names[: r % 3]:  # rotate the order each round
            step = steps[name]
            t0 = CLOCK[0]()
            for _ in range(number):
                step()
            times[name].append((CLOCK[0]() - t0) / number)
    med = {name: float(np.median(ts)) for name, ts in times.items()}
    return {
        **cell,
        "steps": number,
        "us": {k: v * 1e6 for k, v in med.items()},
        "spread": {k: float((max(ts) - min(ts)) / np.median(ts)) for k, ts in times.items()},
        "vs_numpy": med["numpy"] / med["glassnet"],
        "vs_torch": med["torch"] / med["glassnet"],
    }


def label(r: dict) -> str:
    return f"{r['act']:<10} {r['head']:<3} w{r['width']:<5} b{r['batch']:<5} d{r['depth']}"


def report(rows: list[dict]) -> str:
    lines = [
        f"{'activation':<10} {'head':<3} {'width':<6} {'batch':<6} {'depth':<2}"
        f"{'steps':>7} {'glassnet us':>12} {'numpy us':>10} {'torch us':>10}"
        f"{'vs numpy':>9} {'vs torch':>9}"
    ]
    for r in rows:
        us = r["us"]
        lines.append(
            f"{label(r)} {r['steps']:>7} {us['glassnet']:>12.1f} {us['numpy']:>10.1f} "
            f"{us['torch']:>10.1f} {r['vs_numpy']:>8.2f}x {r['vs_torch']:>8.2f}x"
        )
    for key, target, name in (("vs_numpy", 0.85, "NumPy"), ("vs_torch", 1.0, "PyTorch")):
        worst = min(rows, key=lambda r: r[key])
        met = sum(r[key] >= target for r in rows)
        lines.append(
            f"worst glassnet/{name}: {worst[key]:.2f}x at {label(worst)}"
            f"   ({met}/{len(rows)} cells at >= {target}x)"
        )
    return "\n".join(lines)


def compare(before: str, after: str) -> str:
    """Per cell, the two ratios before and after (each the median over the comma-separated
    JSON files of its side), and the worst cell of each side."""
    sides = []
    for files in (before, after):
        runs: dict[tuple, list[dict]] = {}
        for path in files.split(","):
            with open(path) as f:
                for r in json.load(f):
                    runs.setdefault(tuple(r[k] for k in AXES), []).append(r)
        sides.append(
            {
                k: {q: float(np.median([r[q] for r in rs])) for q in ("vs_numpy", "vs_torch")}
                for k, rs in runs.items()
            }
        )
    lines = [
        "| activation | head | width | batch | depth | glassnet/NumPy before | after "
        "| glassnet/PyTorch before | after |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for k in (k for k in sides[0] if k in sides[1]):
        b, a = sides[0][k], sides[1][k]
        lines.append(
            f"| {' | '.join(map(str, k))} | {b['vs_numpy']:.2f}x | **{a['vs_numpy']:.2f}x** "
            f"| {b['vs_torch']:.2f}x | **{a['vs_torch']:.2f}x** |"
        )
    for q, name in (("vs_numpy", "NumPy"), ("vs_torch", "PyTorch")):
        worst = [min(side.items(), key=lambda kv: kv[1][q]) for side in sides]
        lines.append(
            f"\nworst glassnet/{name}: before {worst[0][1][q]:.2f}x at {worst[0][0]}, "
            f"after {worst[1][1][q]:.2f}x at {worst[1][0]}"
        )
    return "\n".join(lines)


def main() -> None:
    from argtypes import existing_files, positive_float, positive_int

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="the whole cross product")
    ap.add_argument("--quick", action="store_true", help="3 rounds of about 0.05 s")
    ap.add_argument("--rounds", type=positive_int, default=5, help="interleaved rounds (default 5)")
    ap.add_argument(
        "--seconds", type=positive_float, default=0.15, help="per timing (default 0.15)"
    )
    ap.add_argument("--json", help="save the measurements to this file")
    ap.add_argument("--wall", action="store_true", help="wall-clock time, not CPU time")
    ap.add_argument("--only", help="cells whose label contains this text, e.g. 'w1024'")
    ap.add_argument(
        "--compare",
        nargs=2,
        type=existing_files,
        metavar=("BEFORE", "AFTER"),
        help="print the before/after table of saved runs (comma-separated JSON files)",
    )
    ap.add_argument(
        "--steps",
        type=int,
        help="only run N glassnet steps of each cell, untimed: for instruction counts "
        "(valgrind --tool=callgrind, the difference of two N)",
    )
    ap.add_argument(
        "--reference",
        choices=("lean", "loop"),
        default="lean",
        help="the NumPy reference: the cell's calls as straight-line code (lean, the "
        "default) or the per-layer loop it was up to round 24 (loop); the same bits",
    )
    args = ap.parse_args()
    if args.reference == "loop":
        ENGINES["numpy"] = numpy_loop_step
    if args.compare:
        print(compare(*args.compare))
        return
    grid = [c for c in cells(args.full) if not args.only or args.only in label(c)]
    if not grid:
        ap.error(
            f"--only: no cell's label contains {args.only!r}; a label names the activation, "
            f"the head, wWIDTH, bBATCH and dDEPTH, e.g. {label(cells(args.full)[0])!r}"
        )
    if args.steps is not None:
        for cell in grid:
            step = glassnet_step(cell, *make_data(cell))
            for _ in range(args.steps):
                step()
        return
    if args.quick:
        args.rounds, args.seconds = 3, 0.05
    if args.wall:
        CLOCK[0] = time.perf_counter
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(1)
    rows = []
    with threadpool_limits(1):
        print(f"the three engines agree: weights within {agree():.1e} of PyTorch's after 3 steps")
        for cell in grid:
            rows.append(measure(cell, args.rounds, args.seconds))
            print(report(rows[-1:]).splitlines()[1], flush=True)
    print(
        f"\nglassnet {gn.__version__}, numpy {np.__version__}, torch {torch.__version__}; "
        f"BLAS threads 1; {args.rounds} rounds, medians of {'wall' if args.wall else 'CPU'} "
        f"time; load average {os.getloadavg()[0]:.1f} at the end\n"
    )
    print(report(rows))
    if args.json:
        from glassnet.files import atomic_write

        atomic_write(args.json, json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
