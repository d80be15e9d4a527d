#!/usr/bin/env python
"""glassnet's compiled loop (glassnet.jit, numba) against jitted JAX, measured in one run.

    python bench/jit.py                        # W3 and W2, 5 interleaved rounds
    python bench/jit.py --rounds 3 --workloads W3
    python bench/jit.py --crossover            # the size rule: jit vs the NumPy path per step
    python bench/jit.py --compile              # first-call compile time, cold and warm cache
    python bench/jit.py --clock cpu            # each run timed by CPU time (a loaded machine)

Frameworks, each training the workload from bench/workloads.py's data and initial weights:

* ``fit-jit``: the whole ``glassnet.fit(..., engine="jit")`` call, as a user calls it
  (bench/peers/glassnet_fit.py with ``engine="jit"``): its checks, history and books, and
  the compiled loop (numba): every W3 epoch in one compiled call, one call per W2 epoch;
* ``jit-raw``: the compiled loop alone, without ``fit`` around it: the network's
  FastMLP (built once, outside the timed runs, since round 31), then
  ``jit.run_full_batch`` (W3) or one ``jit.run_epoch`` per epoch with fit's
  batch order (``default_rng(0).permutation(n)`` each epoch; W2);
* ``glassnet``: the whole ``glassnet.fit`` call on the NumPy fused path;
* ``numpy``: the hand-written fused NumPy step (bench/peers/fused_numpy.py);
* ``jax``: JAX called once per step from Python: one ``jax.jit`` step per batch
  (bench/peers/jax_jit.py ``Runner``); on W3's 4 rows this times JAX's dispatch;
* ``jax-loop``: JAX compiling the same amount of the loop as glassnet.jit: the whole W3 run
  in one ``jax.jit`` call (``lax.fori_loop`` over the epochs), each W2 epoch's full batches
  in one (the partial last batch by the per-step function) (``jax_jit.LoopRunner``).

All in this one process (the peers' runners as bench/run.py uses them), BLAS at
``--threads`` threads (default 2). Rounds are interleaved, the framework order rotating;
each measurement repeats the whole training run from the initial weights for at least
``--min-time`` seconds and keeps the median run; the table gives the median over rounds and
the spread (max - min) / median; each ratio is taken within each round and given as the
median over rounds (min-max). Throughput is steps/s for W3 and samples/s for W2. After
timing, every framework's weights go through workloads.evaluate_loss (the same problem).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def _threads_from_argv() -> int:
    for i, a in enumerate(sys.argv):
        if a == "--threads" and i + 1 < len(sys.argv):
            return int(sys.argv[i + 1])
        if a.startswith("--threads="):
            return int(a.split("=", 1)[1])
    return 2


THREADS = _threads_from_argv()
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[var] = str(THREADS)  # before NumPy, SciPy, numba and JAX start their pools
sys.path[:0] = [str(BENCH), str(BENCH / "peers"), str(ROOT)]

import numpy as np  # noqa: E402
import workloads  # noqa: E402

FRAMEWORKS = ("fit-jit", "jit-raw", "glassnet", "numpy", "jax", "jax-loop")


def _fit_jit_runner():
    import glassnet_fit

    class Runner(glassnet_fit.Runner):
        """glassnet.fit as the user calls it, with the compiled loop."""

        extra = {"engine": "jit"}

        def info(self) -> dict:
            return {}

    return Runner


def _jit_runner():
    import glassnet_fit

    from glassnet import functional, jit
    from glassnet.fused import FastMLP, layers_of

    class Runner(glassnet_fit.Runner):
        """glassnet_fit's model and optimizer, trained by the compiled loop as fit would."""

        fast = None  # built once: reset() writes the initial weights into the same layers

        def _fit(self, X, y, epochs):
            w = self.w
            if self.fast is None:
                loss = functional.get_loss(w.loss).name
                self.fast = FastMLP(layers_of(self.model, training=True), loss)
            fast = self.fast
            n = X.shape[0]
            if w.batch_size is None or w.batch_size >= n:
                run = jit.run_full_batch(fast, self.opt, X, y, None, epochs)
                if run.stop_reason != "max_epochs":
                    raise RuntimeError(f"glassnet.jit stopped early: {run.stop_reason}")
                return run
            if jit.why_not(fast, self.opt) is not None:  # (any size: this measures it)
                raise RuntimeError(f"glassnet.jit: {jit.why_not(fast, self.opt)}")
            rng = np.random.default_rng(0)
            for _ in range(epochs):
                order = rng.permutation(n) if w.shuffle else None
                jit.run_epoch(fast, self.opt, X, y, None, order, w.batch_size)
            return None

        def info(self) -> dict:
            return {}

    return Runner


def _runner(fw: str, w, data, init):
    if fw == "fit-jit":
        return _fit_jit_runner()(w, data, init)
    if fw == "jit-raw":
        return _jit_runner()(w, data, init)
    import peers

    if fw == "jax-loop":
        return peers.load("jax").LoopRunner(w, data, init)
    return peers.load(fw).Runner(w, data, init)


CLOCK = time.perf_counter  # --clock cpu: time.process_time


def _time_run(r, min_time: float, max_repeats: int) -> float:
    """Median seconds of the whole training run, repeated from the initial weights (by
    ``CLOCK``: wall time, or with ``--clock cpu`` the process's CPU time, all its threads,
    which leaves out the time other work on a shared machine held the CPU)."""
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < max_repeats and (not times or time.perf_counter() - start < min_time):
        r.reset()
        t = CLOCK()
        r.train()
        times.append(CLOCK() - t)
    return statistics.median(times)


def _other_load() -> float:
    """The 1-minute load average (the machine is shared: say how busy it was)."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def bench(names: list[str], frameworks: list[str], rounds: int, min_time: float) -> dict:
    results: dict = {}
    for name in names:
        w = workloads.get(name)
        data, init = workloads.make_data(w), workloads.init_weights(w)
        runners = {}
        for fw in frameworks:
            try:
                r = _runner(fw, w, data, init)
                t = time.perf_counter()
                r.warmup()
                runners[fw] = (r, time.perf_counter() - t)
            except Exception as e:  # a missing peer is reported, the rest run
                print(f"{name} {fw}: unavailable: {type(e).__name__}: {e}", file=sys.stderr)
        res = results[name] = {"unit": w.unit, "describe": w.describe(), "fw": {}}
        samples = {fw: [] for fw in runners}
        loads = []
        for k in range(rounds):
            order = list(runners)[k % len(runners) :] + list(runners)[: k % len(runners)]
            for fw in order:
                s = _time_run(runners[fw][0], min_time, 20)
                samples[fw].append(w.throughput(s))
                print(
                    f"{name} round {k + 1} {fw}: {w.throughput(s):,.0f} {w.unit}", file=sys.stderr
                )
            loads.append(_other_load())
        for fw, (r, warm) in runners.items():
            xs = samples[fw]
            med = statistics.median(xs)
            res["fw"][fw] = {
                "median": med,
                "spread": (max(xs) - min(xs)) / med,
                "samples": xs,
                "warmup_s": warm,
                "loss": workloads.evaluate_loss(w, data, r.weights()),
            }
        res["load_avg"] = loads
    return results


def _num(x: float) -> str:
    return f"{x:.2f}" if x >= 0.1 else f"{x:.2g}"


RATIOS = (
    ("fit-jit", "jax", "fit-jit / jax per step"),
    ("fit-jit", "jax-loop", "fit-jit / jax loop"),
    ("fit-jit", "numpy", "fit-jit / numpy"),
    ("fit-jit", "glassnet", "fit-jit / fit (NumPy)"),
    ("fit-jit", "jit-raw", "fit-jit / jit-raw"),
)


def report(results: dict, rounds: int) -> str:
    lines = [
        f"Throughput, median of {rounds} interleaved rounds (± = (max - min) / median); "
        f"{THREADS} BLAS threads; "
        f"{'CPU time' if CLOCK is time.process_time else 'wall time'}.",
        "",
        '| workload | unit | fit(engine="jit") | jit loop alone | fit (NumPy) '
        "| numpy (hand-written) | jax, per step | jax, loop compiled |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, res in results.items():
        fw = res["fw"]

        def cell(k: str, fw: dict = fw) -> str:
            if k not in fw:
                return "-"
            return f"{fw[k]['median']:,.0f} ±{100 * fw[k]['spread']:.0f}%"

        cells = " | ".join(cell(k) for k in ("fit-jit", "jit-raw", "glassnet", "numpy", "jax"))
        lines.append(f"| {name} | {res['unit']} | {cells} | {cell('jax-loop')} |")
    lines += [
        "",
        "Speed ratios, within each round: median over rounds (min-max).",
        "",
        "| workload | " + " | ".join(r[2] for r in RATIOS) + " |",
        "|---|" + "---:|" * len(RATIOS),
    ]
    for name, res in results.items():
        fw = res["fw"]
        cells = []
        for a, b, _ in RATIOS:
            if a not in fw or b not in fw:
                cells.append("-")
                continue
            r = [x / y for x, y in zip(fw[a]["samples"], fw[b]["samples"])]
            cells.append(f"{_num(statistics.median(r))}× ({_num(min(r))}-{_num(max(r))})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    for name, res in results.items():
        losses = ", ".join(f"{k} {v['loss']:.6f}" for k, v in res["fw"].items())
        load = ", ".join(f"{x:.1f}" for x in res["load_avg"])
        lines.append(f"- {name}: {res['describe']}. Final loss: {losses}. Load average: {load}.")
    return "\n".join(lines)


# ------------------------------------------------------------------------------ crossover
def crossover(rounds: int) -> str:
    """Per-step time of the compiled loop against the NumPy path (FastMLP.step +
    optimizer.step, what fit runs per step) on 20-w-w-1 tanh networks, sigmoid + BCE, SGD,
    float32, one epoch of 1024 rows: the size rule's measurements."""
    from glassnet import jit, nn, optim
    from glassnet.fused import FastMLP, layers_of

    rows = []
    rng = np.random.default_rng(0)
    for width in (8, 32, 64, 128, 256, 512):
        for bs in (16, 64, 256, 1024):
            n = max(1024, bs)
            X = rng.standard_normal((n, 20), dtype=np.float32)
            y = (rng.random((n, 1)) > 0.5).astype(np.float32)
            net = nn.MLP([20, width, width, 1], activation="tanh", output_activation="sigmoid",
                         rng=0, dtype=np.float32)  # fmt: skip
            params = [p.data.copy() for p in net.parameters()]
            fast = FastMLP(layers_of(net, training=True), "binary_cross_entropy")

            def numpy_epoch(fast, opt, X, y, order, bs):
                for s in range(0, X.shape[0], bs):
                    idx = order[s : s + bs]
                    fast.step(X[idx], y[idx], None)
                    opt.step()

            def jit_epoch(fast, opt, X, y, order, bs):
                jit.run_epoch(fast, opt, X, y, None, order, bs)

            times: dict[str, list[float]] = {"numpy": [], "jit": []}
            for k in range(rounds + 1):
                for key, fn in (("numpy", numpy_epoch), ("jit", jit_epoch)):
                    for p, v in zip(net.parameters(), params):
                        p.data[...] = v
                    opt = optim.SGD(net.parameters(), lr=0.05)
                    order = np.random.default_rng(k).permutation(n)
                    t = time.perf_counter()
                    fn(fast, opt, X, y, order, bs)
                    if k:  # round 0 warms up (compiles)
                        times[key].append((time.perf_counter() - t) / -(-n // bs))
            tn, tj = statistics.median(times["numpy"]), statistics.median(times["jit"])
            macs = jit._macs(fast, bs)
            rows.append((width, bs, macs, tn * 1e6, tj * 1e6, tn / tj))
            print(f"width {width} batch {bs}: numpy {tn * 1e6:.1f} us, jit {tj * 1e6:.1f} us",
                  file=sys.stderr)  # fmt: skip
    out = [
        f"Per-step time, median of {rounds} rounds, {THREADS} BLAS threads: 20-w-w-1 tanh, "
        "sigmoid + BCE, SGD, float32.",
        "",
        "| width | batch | forward MACs | NumPy path µs | jit µs | NumPy / jit |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for width, bs, macs, tn, tj, r in sorted(rows, key=lambda r: r[2]):
        out.append(f"| {width} | {bs} | {macs:,} | {tn:.1f} | {tj:.1f} | {r:.2f}× |")
    return "\n".join(out)


# -------------------------------------------------------------------------- compile time
_FIRST_CALL = """
import time, numpy as np
t0 = time.perf_counter()
from glassnet import jit, nn, optim
from glassnet.fused import FastMLP, layers_of
out = {}
for dt in (np.float32, np.float64):
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dt); y = np.array([[1], [0], [0], [1]], dt)
    net = nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0, dtype=dt)
    opt = optim.SGD(net.parameters(), lr=1.0)
    t = time.perf_counter()
    jit.run_full_batch(FastMLP(layers_of(net, training=True), "mse"), opt, X, y, None, 10)
    out[np.dtype(dt).name] = time.perf_counter() - t
print(out)
"""


def compile_times() -> str:
    """First-call time per dtype in a fresh process: with an empty numba cache (compiling)
    and again with the cache it left (loading)."""
    lines = ["| cache | first call, float32 | first call, float64 |", "|---|---:|---:|"]
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        for label in ("empty (compiles)", "warm (loads)"):
            run = subprocess.run([sys.executable, "-c", _FIRST_CALL], env=env, cwd=ROOT,
                                 capture_output=True, text=True, check=True)  # fmt: skip
            t = eval(run.stdout.strip().splitlines()[-1])  # {dtype: seconds}, our own output
            lines.append(f"| {label} | {t['float32']:.2f} s | {t['float64']:.2f} s |")
    return "\n".join(lines)


def main() -> None:
    from argtypes import positive_float, positive_int, some_of, workload_list

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--workloads", type=workload_list, default="W3,W2")
    ap.add_argument("--frameworks", type=some_of(*FRAMEWORKS), default=",".join(FRAMEWORKS))
    ap.add_argument("--rounds", type=positive_int, default=5)
    ap.add_argument("--min-time", type=positive_float, default=0.5)
    ap.add_argument("--threads", type=positive_int, default=2)
    ap.add_argument("--crossover", action="store_true")
    ap.add_argument("--compile", action="store_true")
    ap.add_argument("--json", help="write the raw results here")
    ap.add_argument(
        "--clock", choices=("wall", "cpu"), default="wall", help="cpu: the process's CPU time"
    )
    a = ap.parse_args()
    global CLOCK
    CLOCK = time.process_time if a.clock == "cpu" else time.perf_counter
    if a.compile:
        print(compile_times())
        return
    if a.crossover:
        print(crossover(a.rounds))
        return
    results = bench(a.workloads.split(","), a.frameworks.split(","), a.rounds, a.min_time)
    print(report(results, a.rounds))
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
