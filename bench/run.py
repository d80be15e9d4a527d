#!/usr/bin/env python
"""Benchmark glassnet's training speed against its peers, measured in the same run.

    python bench/run.py                      # full suite, 3 rounds, writes bench/results.md
    python bench/run.py --quick              # smoke run: small data, 1 round, < 1 minute
    python bench/run.py --workloads W1-b128,W3 --frameworks numpy,torch,glassnet --rounds 5
    python bench/run.py --load 1 --frameworks glassnet,numpy,torch,sklearn --rounds 3
    python bench/run.py --frameworks glassnet,glassnet@2 --rounds 5   # auto vs 2 BLAS threads
    python bench/run.py --frameworks glassnet@load,glassnet --load 1  # threads='load' vs 'auto'

Every measurement (one framework on one workload) runs in a fresh subprocess pinned to 2
threads; rounds are interleaved (round 1 runs every framework on every workload, then
round 2 ...) with the framework order rotated each round, and the report gives medians.
``--load 1`` (or 2, or 1,2) measures everything also while that many background processes
keep CPUs busy, and reports each framework's loaded / quiet throughput.
See bench/README.md for what each framework does and how to read the tables.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
THREADS = int(os.environ.get("BENCH_THREADS", "2"))  # --threads sets it for the workers
THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)
OPENBLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
TAG = "@@bench "
OVERHEAD_FRAMEWORKS = ("glassnet", "torch")  # tiny-op autograd overhead is measured for these
ALL_FRAMEWORKS = ("numpy", "torch", "torch.compile", "sklearn", "jax", "glassnet")
OPT_IN_FRAMEWORKS = ("glassnet.graph",)  # run only when named in --frameworks
ALL_WORKLOADS = ("W1-b32", "W1-b128", "W1-b1024", "W2", "W3", "W4")
MEMORY_WORKLOAD = "W1-b128"
# one busy core for --load: a pure-Python loop that ends when its parent does
SPIN = (
    "import os\np = os.getppid()\nwhile os.getppid() == p:\n    for _ in range(10**6):\n"
    "        pass"
)


def _base(fw: str) -> str:
    """The peer module's name of a framework: ``glassnet@2`` runs ``glassnet`` at 2 BLAS
    threads (``glassnet@auto`` is ``glassnet``)."""
    return fw.partition("@")[0]


# ------------------------------------------------------------------------------------------
# worker: one subprocess, one framework, one or more jobs
# ------------------------------------------------------------------------------------------


def _pin_cpus() -> list[int] | None:
    """Restrict this process to THREADS CPUs (before any thread pool starts)."""
    try:
        cpus = sorted(os.sched_getaffinity(0))[:THREADS]
        os.sched_setaffinity(0, cpus)
        return cpus
    except (AttributeError, OSError):
        return None


def _rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise OSError("no VmRSS in /proc/self/status")


def _maxrss_kb() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def _memory_baseline() -> tuple[int, str]:
    """Reset the peak-RSS mark if the kernel allows (Linux >= 4.0: write 5 to clear_refs)
    and return (baseline KiB, method). After a reset, ru_maxrss restarts from the current
    RSS, so a transient peak before the baseline cannot hide the training's peak."""
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return _rss_kb(), "ru_maxrss after a peak reset, minus RSS at baseline"
    except OSError:
        return _maxrss_kb(), "ru_maxrss minus ru_maxrss at baseline"


def _cpu_snapshot() -> tuple[float, float, float]:
    """(wall s, machine-wide busy CPU s incl. steal, this process's CPU s)."""
    import resource

    busy = float("nan")
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        # user nice system idle iowait irq softirq steal ...: all but idle and iowait
        busy = (sum(v[:8]) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        pass
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), busy, ru.ru_utime + ru.ru_stime


def _other_load(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    """CPUs' worth of work done by other processes (and the hypervisor) between a and b."""
    wall = b[0] - a[0]
    return max(0.0, ((b[1] - a[1]) - (b[2] - a[2])) / wall) if wall > 0 else 0.0


def _emit(record: dict) -> None:
    print(TAG + json.dumps(record), flush=True)


def _error(exc: BaseException) -> str:
    msg = f"{type(exc).__name__}: {exc}".strip()
    return msg.splitlines()[0][:300] if msg else type(exc).__name__


def _measure(mod, name: str, quick: bool, min_time: float, max_repeats: int) -> dict:
    """Time whole training runs of one framework on workload ``name``.

    The run is repeated from the initial weights (``runner.reset()``) until ``min_time``
    seconds of training have passed or ``max_repeats`` runs were made; the record holds the
    median run time (a single short run is at the mercy of one hiccup).
    """
    import workloads

    w = workloads.get(name, quick)
    rec: dict = {"workload": name, "unit": w.unit}
    why = mod.unsupported(w)
    if why:
        return {**rec, "status": "unsupported", "error": why}
    data = workloads.make_data(w)
    init = workloads.init_weights(w)
    base_kb, rec["memory_method"] = _memory_baseline()
    try:
        t0 = time.perf_counter()
        runner = mod.Runner(w, data, init)
        runner.warmup()
        rec["warmup_s"] = time.perf_counter() - t0
        times, loads = [], []
        while True:
            gc.collect()
            snap = _cpu_snapshot()
            t0 = time.perf_counter()
            runner.train()
            times.append(time.perf_counter() - t0)
            loads.append(_other_load(snap, _cpu_snapshot()))
            if sum(times) >= min_time or len(times) >= max_repeats:
                break
            runner.reset()
        seconds = statistics.median(times)
        rec["other_load"] = statistics.median(loads)
        rec["repeats"] = len(times)
    except Exception as exc:  # a framework failing must not stop the suite
        return {**rec, "status": "error", "error": _error(exc)}
    rec["peak_mb"] = (_maxrss_kb() - base_kb) / 1024
    rec["baseline_mb"] = base_kb / 1024
    rec.update(status="ok", seconds=seconds, throughput=w.throughput(seconds), steps=w.steps)
    if hasattr(runner, "info"):
        try:
            rec["info"] = runner.info()
        except Exception as exc:
            return {**rec, "status": "error", "error": _error(exc)}
    rec["loss_init"] = workloads.evaluate_loss(w, data, init)
    try:
        rec["loss_final"] = workloads.evaluate_loss(w, data, runner.weights())
    except Exception as exc:
        rec["loss_final_error"] = _error(exc)
    return rec


def worker(spec: dict) -> None:
    # under --load the worker is not pinned: the spinners are not either, and a pinned
    # worker would measure where the kernel put them rather than the library
    cpus = _pin_cpus() if spec.get("pin", True) else None
    sys.path.insert(0, str(BENCH))
    sys.path.insert(1, str(BENCH.parent))  # this checkout's glassnet, installed or not
    import peers

    fw, quick = spec["framework"], spec["quick"]
    os.environ["BENCH_GLASSNET_THREADS"] = fw.partition("@")[2] or "auto"
    mod = peers.load(_base(fw))
    try:
        info = mod.probe()
    except Exception as exc:
        for job in spec["jobs"]:
            _emit({"framework": fw, "job": job, "status": "unavailable", "error": _error(exc)})
        return
    info["cpus"] = cpus
    _emit({"framework": fw, "job": "probe", "status": "ok", "info": info})
    for job in spec["jobs"]:
        if job == "overhead":
            rec = {"framework": fw, "job": job}
            try:
                n, r = (2_000, 5) if quick else (20_000, 7)
                rec.update(status="ok", overhead_us=mod.tiny_op_overhead(n, r))
            except Exception as exc:
                rec.update(status="error", error=_error(exc))
        else:
            rec = {
                "framework": fw,
                "job": job,
                **_measure(mod, job, quick, spec["min_time"], spec["max_repeats"]),
            }
        _emit(rec)


# ------------------------------------------------------------------------------------------
# harness
# ------------------------------------------------------------------------------------------


def _worker_env(unset_openblas: bool) -> dict:
    env = dict(os.environ)
    for var in THREAD_VARS:
        env[var] = str(THREADS)
    env.setdefault("JAX_PLATFORMS", "cpu")
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    if unset_openblas:
        for var in OPENBLAS_VARS:
            env.pop(var, None)
    return env


def _spinners(k: int) -> list[subprocess.Popen]:
    """k background processes that each keep one core busy (a pure-Python loop), running
    before this returns."""
    procs = [
        subprocess.Popen([sys.executable, "-c", SPIN], stdin=subprocess.DEVNULL) for _ in range(k)
    ]
    if procs:
        time.sleep(0.2)  # started and spinning
    return procs


def _run_worker(
    fw: str, jobs: list[str], args: argparse.Namespace, env: dict, load: int = 0
) -> list[dict]:
    spec = json.dumps(
        {
            "framework": fw,
            "jobs": jobs,
            "quick": args.quick,
            "min_time": args.min_time,
            "max_repeats": args.max_repeats,
            "pin": args.load == [0],
        }
    )
    timeout = 300.0 if args.quick else args.timeout
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", spec]
    spin = _spinners(load)
    try:
        cp = subprocess.run(
            cmd, env=env, capture_output=True, text=True, timeout=timeout, cwd=BENCH.parent
        )
        out, err, rc = cp.stdout, cp.stderr, cp.returncode
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        err, rc = f"timed out after {timeout:.0f} s", None
    finally:
        for proc in spin:
            proc.kill()
            proc.wait()
    recs = [json.loads(line[len(TAG) :]) for line in out.splitlines() if line.startswith(TAG)]
    done = {r["job"] for r in recs}
    tail = (err or "").strip().splitlines()[-1:] or [f"exit code {rc}"]
    for job in jobs:
        if job not in done:
            recs.append(
                {
                    "framework": fw,
                    "job": job,
                    "status": "error",
                    "error": f"worker died (exit {rc}): {tail[0][:300]}",
                }
            )
    for rec in recs:
        rec["load"] = load
    return recs


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _describe(rec: dict) -> str:
    if rec["status"] != "ok":
        return f"{rec['status']}: {rec.get('error', '')}"
    if rec["job"] == "overhead":
        return "  ".join(f"{k} {v:.2f} us" for k, v in rec["overhead_us"].items())
    return (
        f"{rec['throughput']:>12,.0f} {rec['unit']:9s} (warm-up {rec['warmup_s']:.1f} s, "
        f"peak +{rec['peak_mb']:.0f} MB, loss {rec['loss_init']:.4f} -> "
        f"{rec.get('loss_final', float('nan')):.4f})"
    )


def run_suite(args: argparse.Namespace, checkpoint=None) -> tuple[list[dict], dict[str, dict]]:
    """Run every round; ``checkpoint(records, probes, rounds_done)`` after each round."""
    sys.path.insert(0, str(BENCH))
    import peers
    import workloads

    env = _worker_env(args.unset_openblas_env)
    records: list[dict] = []
    probes: dict[str, dict] = {}
    dead: dict[str, dict] = {}  # framework -> its 'unavailable' record

    def run(fw: str, jobs: list[str], r: int, load: int = 0) -> list[dict]:
        if fw in dead:
            recs = [{**dead[fw], "job": j, "load": load} for j in jobs]
        else:
            wenv = {**env, "BENCH_GLASSNET_THREADS": fw.partition("@")[2] or "auto"}
            recs = _run_worker(fw, jobs, args, wenv, load)
        out = []
        for rec in recs:
            rec["round"] = r
            if rec["job"] == "probe":
                probes.setdefault(fw, rec["info"])
                continue
            if rec["status"] == "unavailable":
                dead.setdefault(fw, {k: rec[k] for k in ("framework", "status", "error")})
            out.append(rec)
            _log(
                f"[round {r + 1}/{args.rounds}] {rec['job']:9s} {fw:14s} "
                + (f"load {load} " if args.load != [0] else "")
                + _describe(rec)
                + (
                    f"  [other load {_unplanned(rec):.2f} CPU]"
                    if _unplanned(rec) > args.max_other_load
                    else ""
                )
            )
        return out

    def retry_contended(r: int) -> None:
        """Rerun this round's measurements that shared the CPUs with other work."""
        for _ in range(args.retries):
            busy = [
                i
                for i, rec in enumerate(records)
                if rec["round"] == r and _unplanned(rec) > args.max_other_load
            ]
            if not busy:
                return
            _log(
                f"[round {r + 1}/{args.rounds}] retrying {len(busy)} measurement(s) "
                f"taken under other load > {args.max_other_load} CPU"
            )
            for i in busy:
                old = records[i]
                new = run(old["framework"], [old["job"]], r, old.get("load", 0))[0]
                new["retries"] = old.get("retries", 0) + 1
                if new["status"] == "ok" and _unplanned(new) < _unplanned(old):
                    records[i] = new
                else:
                    old["retries"] = new["retries"]

    def jobs_for(fw: str, names: list[str]) -> list[str]:
        mod = peers.load(_base(fw))
        todo = []
        for name in names:
            why = mod.unsupported(workloads.get(name, args.quick))
            if why:
                if not any(r["framework"] == fw and r["job"] == name for r in records):
                    records.append(
                        {
                            "framework": fw,
                            "job": name,
                            "status": "unsupported",
                            "error": why,
                            "round": 0,
                        }
                    )
            else:
                todo.append(name)
        return todo

    for r in range(args.rounds):
        k = r % len(args.frameworks)
        order = args.frameworks[k:] + args.frameworks[:k]  # rotate the order each round
        if args.quick:  # one process per framework for all workloads (fast, indicative)
            for fw in order:
                for load in args.load:  # quiet and loaded back to back: the same minute
                    jobs = jobs_for(fw, args.workloads)
                    if fw in OVERHEAD_FRAMEWORKS and load == 0:
                        jobs.append("overhead")
                    if jobs:
                        records.extend(run(fw, jobs, r, load))
            continue
        for name in args.workloads:
            for fw in order:
                if jobs_for(fw, [name]):
                    for load in args.load:  # quiet and loaded back to back: the same minute
                        records.extend(run(fw, [name], r, load))
        for fw in OVERHEAD_FRAMEWORKS:
            if fw in args.frameworks:
                records.extend(run(fw, ["overhead"], r))
        retry_contended(r)
        if checkpoint is not None and r + 1 < args.rounds:
            checkpoint(records, probes, r + 1)
    return records, probes


def _unplanned(rec: dict) -> float:
    """Other work on the CPUs during a measurement beyond the --load spinners it ran with."""
    return max(0.0, rec.get("other_load", 0.0) - rec.get("load", 0))


# ------------------------------------------------------------------------------------------
# report
# ------------------------------------------------------------------------------------------


def _median(
    records: list[dict], fw: str, job: str, key: str, load: int = 0
) -> tuple[float, float | None] | None:
    """(median, (max - min) / median or None for a single value) of ``key`` over the
    measurements with ``load`` busy background processes, or None."""
    vals = [
        r[key]
        for r in records
        if r["framework"] == fw
        and r["job"] == job
        and r["status"] == "ok"
        and key in r
        and r.get("load", 0) == load
    ]
    if not vals:
        return None
    med = statistics.median(vals)
    spread = (max(vals) - min(vals)) / med if med and len(vals) > 1 else None
    return med, spread


def _status(records: list[dict], fw: str, job: str, notes: list[str]) -> str:
    """A table cell for a framework/job that has no ok measurement."""
    for rec in records:
        if rec["framework"] == fw and rec["job"] == job and rec["status"] != "ok":
            note = f"{fw} on {job}: {rec['status']}: {rec.get('error', '')}"
            if rec["status"] == "unavailable":
                note = f"{fw}: unavailable: {rec.get('error', '')}"
            if note not in notes:
                notes.append(note)
            return f"{rec['status']} [{notes.index(note) + 1}]"
    return "-"


def _fmt_rate(v: float) -> str:
    return f"{v:,.0f}" if v >= 100 else f"{v:,.1f}"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def report(records: list[dict], probes: dict[str, dict], meta: dict) -> str:
    sys.path.insert(0, str(BENCH))
    import workloads

    fws, names, quick = meta["frameworks"], meta["workloads"], meta["quick"]
    notes: list[str] = []
    L: list[str] = []
    L.append("# glassnet benchmark results\n")
    mode = "--quick (small data, indicative only)" if quick else "full"
    L.append(
        f"- date: {meta['date']}; mode: {mode}; "
        f"rounds: {meta['rounds']}; wall time: {meta['wall_s']:.0f} s"
    )
    L.append(
        f"- machine: {_cpu_model()}, {os.cpu_count()} CPUs, {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}"
    )
    L.append(
        f"- load average (1 min) at start / end: {meta['load'][0]:.2f} / {meta['load'][1]:.2f}"
        " (other processes on the machine share its cores)"
    )
    L.append(
        f"- threads: {', '.join(f'{v}={THREADS}' for v in THREAD_VARS)}, "
        f"torch.set_num_threads({THREADS}); "
        + (
            "workers not pinned to CPUs (--load)"
            if meta.get("loads", [0]) != [0]
            else f"each worker pinned to CPUs {probes.get('numpy', {}).get('cpus', '?')}"
        )
    )
    ob = ", ".join(f"{v}={meta['openblas_env'].get(v) or '(not set)'}" for v in OPENBLAS_VARS)
    L.append(
        f"- OpenBLAS env in the harness: {ob}; "
        + (
            "unset for the workers (--unset-openblas-env)"
            if meta["unset_openblas"]
            else "passed to the workers as is"
        )
    )
    if any(meta["openblas_env"].values()) and not meta["unset_openblas"]:
        L.append(
            "  - **warning**: these variables force an OpenBLAS kernel and cache size that "
            "slow current NumPy; rerun with `--unset-openblas-env`"
        )
    blas = probes.get("numpy", {}).get("blas")
    if isinstance(blas, list):
        for d in blas:
            L.append(
                f"- numpy BLAS (threadpoolctl, in the worker): {d.get('internal_api')} "
                f"{d.get('version')}, kernel {d.get('architecture')}, "
                f"{d.get('num_threads')} threads, {d.get('threading_layer')}"
            )
    elif blas:
        L.append(f"- numpy BLAS: {blas}")
    L.append(
        f"- timing: each measurement repeats the whole training run from the initial weights "
        f"until {meta['min_time']:g} s of training (at most {meta['max_repeats']} runs) and keeps "
        "the median run; the tables give the median over rounds"
    )
    thr = meta["max_other_load"]
    timed = [r for r in records if "other_load" in r]
    busy = [r for r in timed if _unplanned(r) > thr]
    if timed:
        L.append(
            f"- other work on the CPUs during the timed runs (machine-wide busy CPU time "
            f"minus the worker's own, in CPUs, less the --load spinners): median "
            f"{statistics.median(_unplanned(r) for r in timed):.2f}; "
            f"{len(busy)} of {len(timed)} measurements kept above {thr} CPU after "
            f"retries"
            + (
                ": "
                + ", ".join(
                    f"{r['job']}/{r['framework']}"
                    + (f"/load {r['load']}" if r.get("load") else "")
                    + f" ({_unplanned(r):.2f})"
                    for r in busy
                )
                if busy
                else ""
            )
        )
    loads = meta.get("loads", [0])
    if loads != [0]:
        L.append(
            "- load mode: every measurement ran quiet and with "
            f"{' and '.join(map(str, loads[1:]))} background process(es) each keeping a core "
            "busy (a pure-Python `while True: pass`, started before the worker, killed after "
            "it); the other frameworks at their default thread count on this "
            f"{os.cpu_count()}-CPU machine ({THREADS}), glassnet at `threads='auto'` unless "
            "named `glassnet@N`"
        )
        if len(busy) > len(timed) / 4 and THREADS >= (os.cpu_count() or 1):
            L.append(
                f"  - **warning**: other processes kept the CPUs busy and the {THREADS} threads "
                f"per framework fill all {os.cpu_count()} CPUs; multi-threaded BLAS/OpenMP "
                "loses far more than its share then. Rerun on an idle machine, or with "
                "`--threads 1` for stable (single-threaded) ratios"
            )
    vers = ", ".join(f"{fw} {probes[fw].get('version', '?')}" for fw in fws if fw in probes)
    L.append(f"- versions: {vers}")
    L.append("")

    # 1) throughput
    L.append("## Training throughput (median over rounds; ± is (max - min) / median)\n")
    L.append("| workload | unit | " + " | ".join(fws) + " |")
    L.append("|---|---|" + "---:|" * len(fws))
    for name in names:
        w = workloads.get(name, quick)
        cells = []
        for fw in fws:
            m = _median(records, fw, name, "throughput")
            cells.append(
                _fmt_rate(m[0]) + (f" ±{m[1] * 100:.0f}%" if m[1] is not None else "")
                if m
                else _status(records, fw, name, notes)
            )
        L.append(f"| {name} | {w.unit} | " + " | ".join(cells) + " |")
    L.append("")
    for name in names:
        w = workloads.get(name, quick)
        L.append(f"- **{name}** ({w.title}): {w.describe()}")
    L.append("")

    # 2) ratios
    others = [fw for fw in fws if fw != "glassnet"]
    L.append("## glassnet / other framework (throughput ratio; > 1: glassnet is faster)\n")
    if "glassnet" not in fws:
        L.append("glassnet was not part of this run.\n")
    elif not any(
        r["framework"] == "glassnet" and r["status"] == "ok"
        for r in records
        if r["job"] != "overhead"
    ):
        why = next((r.get("error", "") for r in records if r["framework"] == "glassnet"), "")
        L.append(f"glassnet: no measurement ({why}); no ratios.\n")
    else:
        L.append("| workload | " + " | ".join(others) + " |")
        L.append("|---|" + "---:|" * len(others))
        for name in names:
            g = _median(records, "glassnet", name, "throughput")
            cells = []
            for fw in others:
                o = _median(records, fw, name, "throughput")
                cells.append(f"{g[0] / o[0]:.2f}×" if g and o else "-")
            L.append(f"| {name} | " + " | ".join(cells) + " |")
        L.append("")

    # 2b) under load
    if loads != [0]:
        L.extend(_load_sections(records, fws, names, loads, quick, meta.get("by_measured_load")))

    # 3) memory
    L.append(
        f"## Peak memory (MB above the baseline after imports and data; {MEMORY_WORKLOAD} "
        "is the headline row)\n"
    )
    L.append("| workload | " + " | ".join(fws) + " |")
    L.append("|---|" + "---:|" * len(fws))
    for name in sorted(names, key=lambda n: n != MEMORY_WORKLOAD):
        cells = []
        for fw in fws:
            m = _median(records, fw, name, "peak_mb")
            cells.append(f"{m[0]:.1f}" if m else "-")
        label = f"**{name}**" if name == MEMORY_WORKLOAD else name
        L.append(f"| {label} | " + " | ".join(cells) + " |")
    method = next((r["memory_method"] for r in records if "memory_method" in r), "?")
    L.append(
        f"\nMethod: {method}; the peak covers building the model, warm-up (compilation) "
        "and training; data the framework copies (e.g. JAX moving X to its device) counts.\n"
    )
    # whole-process peak (baseline, i.e. interpreter + imports + data, plus the training peak),
    # and glassnet's against each framework's: the "memory while training" a user sees
    if "glassnet" in fws:
        L.append("Whole-process peak RSS in MB (baseline + training peak), and glassnet / other:\n")
        L.append(
            "| workload | "
            + " | ".join(fws)
            + " | "
            + " | ".join(f"glassnet / {fw}" for fw in fws if fw != "glassnet")
            + " |"
        )
        L.append("|---|" + "---:|" * (2 * len(fws) - 1))
        for name in sorted(names, key=lambda n: n != MEMORY_WORKLOAD):
            totals = {}
            for fw in fws:
                p = _median(records, fw, name, "peak_mb")
                b = _median(records, fw, name, "baseline_mb")
                totals[fw] = p[0] + b[0] if p and b else None
            cells = [f"{totals[fw]:.0f}" if totals[fw] else "-" for fw in fws]
            g = totals["glassnet"]
            cells += [
                f"{g / totals[fw]:.2f}×" if g and totals[fw] else "-"
                for fw in fws
                if fw != "glassnet"
            ]
            label = f"**{name}**" if name == MEMORY_WORKLOAD else name
            L.append(f"| {label} | " + " | ".join(cells) + " |")
        L.append("")

    # 4) warm-up
    L.append(
        "## Warm-up seconds (model build + one step per batch shape, compilation included; "
        "not in the throughput)\n"
    )
    L.append("| workload | " + " | ".join(fws) + " |")
    L.append("|---|" + "---:|" * len(fws))
    for name in names:
        cells = []
        for fw in fws:
            m = _median(records, fw, name, "warmup_s")
            cells.append(f"{m[0]:.2f}" if m else "-")
        L.append(f"| {name} | " + " | ".join(cells) + " |")
    L.append("")

    # 5) loss check
    L.append("## Loss check: training loss before and after the run (same definition for all)\n")
    L.append("| workload | initial | " + " | ".join(fws) + " |")
    L.append("|---|---:|" + "---:|" * len(fws))
    for name in names:
        init = _median(records, fws[0], name, "loss_init")
        for fw in fws:
            init = init or _median(records, fw, name, "loss_init")
        cells = []
        for fw in fws:
            m = _median(records, fw, name, "loss_final")
            cells.append(f"{m[0]:.4f}" if m else "-")
        L.append(f"| {name} | {f'{init[0]:.4f}' if init else '-'} | " + " | ".join(cells) + " |")
    L.append(
        "\nnumpy, torch, torch.compile and jax see the same batches in the same order, so "
        "their final losses agree to float32 rounding; scikit-learn and glassnet shuffle "
        "with their own generators, so theirs differ a little.\n"
    )

    # 6) per-op overhead
    L.append(
        "## Per-op overhead: `y = (a * b).sum(); y.backward()` on 4-element float32 "
        "tensors (microseconds per call, median)\n"
    )
    ofws = [fw for fw in OVERHEAD_FRAMEWORKS if fw in fws]
    if ofws:
        L.append(
            "| | "
            + " | ".join(ofws)
            + (" | glassnet time / torch time |" if len(ofws) == 2 else " |")
        )
        L.append("|---|" + "---:|" * (len(ofws) + (len(ofws) == 2)))
        for key in ("forward", "forward+backward"):
            vals = {}
            for fw in ofws:
                v = [
                    r["overhead_us"][key]
                    for r in records
                    if r["framework"] == fw and r["job"] == "overhead" and r["status"] == "ok"
                ]
                vals[fw] = statistics.median(v) if v else None
            cells = [
                f"{vals[fw]:.2f}" if vals[fw] else _status(records, fw, "overhead", notes)
                for fw in ofws
            ]
            if len(ofws) == 2:
                g, t = vals["glassnet"], vals["torch"]
                cells.append(f"{g / t:.2f}" if g and t else "-")
            L.append(f"| {key} | " + " | ".join(cells) + " |")
        L.append("")
    else:
        L.append("neither glassnet nor torch was part of this run.\n")

    if notes:
        L.append("## Notes\n")
        L.extend(f"{i + 1}. {n}" for i, n in enumerate(notes))
        L.append("")
    return "\n".join(L)


def _load_sections(
    records: list[dict],
    fws: list[str],
    names: list[str],
    loads: list[int],
    quick: bool,
    measured: bool = False,
) -> list[str]:
    """The --load tables: throughput under load, loaded / quiet, glassnet / peers under load,
    and the BLAS threads glassnet chose."""
    import workloads

    L: list[str] = []
    gfws = [fw for fw in fws if _base(fw) == "glassnet"]
    for load in loads[1:]:
        what = (
            f"about {load} CPU(s) busy with other work, measured"
            if measured
            else f"{load} core(s) kept busy by background processes"
        )
        L.append(f"## Under load: {what} (median over rounds; ± is (max - min) / median)\n")
        L.append("| workload | unit | " + " | ".join(fws) + " |")
        L.append("|---|---|" + "---:|" * len(fws))
        for name in names:
            cells = []
            for fw in fws:
                m = _median(records, fw, name, "throughput", load)
                cells.append(
                    (_fmt_rate(m[0]) + (f" ±{m[1] * 100:.0f}%" if m[1] is not None else ""))
                    if m
                    else "-"
                )
            L.append(f"| {name} | {workloads.get(name, quick).unit} | " + " | ".join(cells) + " |")
        L.append("")
        L.append(
            f"Loaded / quiet throughput, {load} busy core(s) (each framework against itself, "
            "the same rounds; 1.00 = unaffected):\n"
        )
        L.append("| workload | " + " | ".join(fws) + " |")
        L.append("|---|" + "---:|" * len(fws))
        for name in names:
            cells = []
            for fw in fws:
                q = _median(records, fw, name, "throughput", 0)
                b = _median(records, fw, name, "throughput", load)
                cells.append(f"{b[0] / q[0]:.2f}" if q and b else "-")
            L.append(f"| {name} | " + " | ".join(cells) + " |")
        L.append("")
        others = [fw for fw in fws if _base(fw) != "glassnet"]
        for g in gfws:
            if not others:
                break
            L.append(f"{g} / other framework, both with {load} busy core(s) (throughput ratio):\n")
            L.append("| workload | " + " | ".join(others) + " |")
            L.append("|---|" + "---:|" * len(others))
            for name in names:
                gm = _median(records, g, name, "throughput", load)
                cells = []
                for fw in others:
                    o = _median(records, fw, name, "throughput", load)
                    cells.append(f"{gm[0] / o[0]:.2f}×" if gm and o else "-")
                L.append(f"| {name} | " + " | ".join(cells) + " |")
            L.append("")
    for g in gfws:
        L.append(f"BLAS threads {g} ran with (median over rounds), by busy cores:\n")
        L.append("| workload | " + " | ".join(f"load {x}" for x in loads) + " |")
        L.append("|---|" + "---:|" * len(loads))
        for name in names:
            cells = []
            for load in loads:
                v = [
                    r["info"]["blas_threads"]
                    for r in records
                    if r["framework"] == g
                    and r["job"] == name
                    and r.get("load", 0) == load
                    and r["status"] == "ok"
                    and "blas_threads" in r.get("info", {})
                ]
                cells.append(f"{statistics.median(v):g}" if v else "-")
            L.append(f"| {name} | " + " | ".join(cells) + " |")
        L.append("")
    return L


# ------------------------------------------------------------------------------------------


def _rewrite(args: argparse.Namespace) -> int:
    """The report of a saved run (--from-json), optionally from its quiet measurements only."""
    raw = json.loads(Path(args.from_json).read_text())
    meta, probes, records = raw["meta"], raw["probes"], raw["records"]
    global THREADS
    THREADS = int(probes.get("numpy", {}).get("threads", THREADS))
    if args.by_measured_load:
        for r in records:
            if "other_load" in r:
                r["load"] = min(2, round(r["other_load"]))
        meta["loads"] = sorted({r.get("load", 0) for r in records} | {0})
        meta["by_measured_load"] = True
    if args.drop_contended:
        kept = [r for r in records if _unplanned(r) <= args.max_other_load]
        dropped = len(records) - len(kept)
        records = kept
        meta["max_other_load"] = args.max_other_load
    text = report(records, probes, meta)
    if args.by_measured_load:
        text += (
            f"\n(rewritten from {args.from_json}: measurements grouped by the CPUs other work "
            "used during each, measured, rounded: 'load N' = N CPUs busy with other work)\n"
        )
    if args.drop_contended:
        text += (
            f"\n(rewritten from {args.from_json}: {dropped} measurement(s) taken under more "
            f"than {args.max_other_load} CPU of other load dropped)\n"
        )
    out = Path(args.out or Path(args.from_json).with_suffix(".md"))
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text(text + "\n")
    tmp.replace(out)
    print(text)
    _log(f"wrote {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    from argtypes import positive_int

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument(
        "--quick",
        action="store_true",
        help="small data, 1 round, one process per framework; < 1 minute",
    )
    p.add_argument(
        "--rounds",
        type=positive_int,
        default=None,
        help="interleaved rounds (default 3; 1 with --quick)",
    )
    p.add_argument("--workloads", default=",".join(ALL_WORKLOADS), help="comma-separated")
    p.add_argument(
        "--frameworks",
        default=None,
        help=f"comma-separated from {','.join(ALL_FRAMEWORKS + OPT_IN_FRAMEWORKS)}, "
        "glassnet@N (glassnet at N BLAS threads, e.g. glassnet@2) and glassnet@load "
        "(threads='load') (default: all but the opt-in glassnet.graph, glassnet@N and "
        "glassnet@load; --quick also leaves out torch.compile unless named)",
    )
    p.add_argument(
        "--out",
        default=None,
        help="Markdown report path (default bench/results.md; bench/results-quick.md with --quick)",
    )
    p.add_argument("--json", default=None, help="also write the raw records here")
    p.add_argument("--timeout", type=float, default=1800.0, help="seconds per worker process")
    p.add_argument(
        "--min-time",
        type=float,
        default=None,
        help="repeat each training run (from the initial weights) until this many seconds "
        "of training, and take the median run (default 1.0; 0 with --quick)",
    )
    p.add_argument("--max-repeats", type=int, default=20, help="cap on those repeats")
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        help="threads per framework (default 2; 1 with --quick): BLAS/OpenMP variables, "
        "torch.set_num_threads and the CPU affinity of each worker",
    )
    p.add_argument(
        "--max-other-load",
        type=float,
        default=0.25,
        help="a measurement during which other processes used more CPUs than this "
        "is retried at the end of its round (default 0.25)",
    )
    p.add_argument(
        "--retries",
        type=int,
        default=None,
        help="retries of such measurements per round (default 2; 0 with --quick)",
    )
    p.add_argument(
        "--unset-openblas-env",
        action="store_true",
        help=f"remove {' and '.join(OPENBLAS_VARS)} from the workers' environment",
    )
    p.add_argument(
        "--load",
        default="0",
        help="comma-separated numbers of background processes that each keep a core busy "
        "while a measurement runs, e.g. 1 or 1,2; every measurement also runs quiet (0) "
        "right before, for the loaded / quiet ratios (default 0: quiet only)",
    )
    p.add_argument(
        "--from-json",
        default=None,
        help="no measuring: rewrite the report from the raw records a --json run saved "
        "(to --out, default: beside it, .md), dropping with --drop-contended the measurements "
        "taken under more other load than --max-other-load",
    )
    p.add_argument("--drop-contended", action="store_true", help="see --from-json")
    p.add_argument(
        "--by-measured-load",
        action="store_true",
        help="with --from-json: group the measurements by the CPUs other work used during "
        "each (spinners and other processes, rounded, at most 2) instead of by --load; for "
        "a machine whose other users load it anyway",
    )
    p.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker is not None:
        worker(json.loads(args.worker))
        return 0
    if args.from_json is not None:
        return _rewrite(args)

    if args.threads is None:
        args.threads = 1 if args.quick else 2
    if args.threads < 1:
        p.error(f"--threads must be >= 1; got {args.threads}")
    global THREADS
    THREADS = args.threads
    os.environ["BENCH_THREADS"] = str(THREADS)  # read by the workers and the peer modules
    args.rounds = args.rounds or (1 if args.quick else 3)
    if args.min_time is None:
        args.min_time = 0.0 if args.quick else 1.0
    if args.retries is None:
        args.retries = 0 if args.quick else 2
    if args.rounds < 1:
        p.error(f"--rounds must be >= 1; got {args.rounds}")
    args.workloads = [s.strip() for s in args.workloads.split(",") if s.strip()]
    bad = [w for w in args.workloads if w not in ALL_WORKLOADS]
    if bad:
        p.error(f"--workloads: unknown {bad}; choose from {','.join(ALL_WORKLOADS)}")
    if args.frameworks is None:
        fws = [f for f in ALL_FRAMEWORKS if not (args.quick and f == "torch.compile")]
    else:
        fws = [s.strip() for s in args.frameworks.split(",") if s.strip()]
    known = ALL_FRAMEWORKS + OPT_IN_FRAMEWORKS

    def _known(f: str) -> bool:
        base, at, thr = f.partition("@")
        if not at:
            return f in known
        return base == "glassnet" and (thr in ("auto", "load") or (thr.isdigit() and int(thr) >= 1))

    bad = [f for f in fws if not _known(f)]
    if bad:
        p.error(
            f"--frameworks: unknown {bad}; choose from {','.join(known)}, or glassnet@N "
            "(glassnet at N BLAS threads) or glassnet@load (threads='load')"
        )
    args.frameworks = fws
    try:
        loads = sorted({int(x) for x in args.load.split(",") if x.strip()} | {0})
    except ValueError:
        p.error(f"--load: comma-separated ints >= 0 expected; got {args.load!r}")
    if loads[0] < 0:
        p.error(f"--load: numbers of busy processes must be >= 0; got {args.load!r}")
    args.load = loads

    openblas_env = {v: os.environ.get(v) for v in OPENBLAS_VARS}
    _log(
        "OpenBLAS env: "
        + ", ".join(f"{k}={v or '(not set)'}" for k, v in openblas_env.items())
        + ("; unset for the workers" if args.unset_openblas_env else "")
    )
    if any(openblas_env.values()) and not args.unset_openblas_env:
        _log("  (these slow current NumPy; --unset-openblas-env removes them for the workers)")
    load0 = os.getloadavg()[0]
    t0 = time.time()
    out = Path(args.out or BENCH / ("results-quick.md" if args.quick else "results.md"))

    def write(records: list[dict], probes: dict[str, dict], rounds_done: int) -> str:
        meta = {
            "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
            "quick": args.quick,
            "rounds": rounds_done,
            "frameworks": args.frameworks,
            "workloads": args.workloads,
            "openblas_env": openblas_env,
            "unset_openblas": args.unset_openblas_env,
            "load": (load0, os.getloadavg()[0]),
            "wall_s": time.time() - t0,
            "max_other_load": args.max_other_load,
            "min_time": args.min_time,
            "max_repeats": args.max_repeats,
            "loads": args.load,
        }
        text = report(records, probes, meta)
        if rounds_done < args.rounds:
            text += f"\n(partial: {rounds_done} of {args.rounds} rounds so far)\n"
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(out.suffix + ".tmp")
        tmp.write_text(text + "\n")
        tmp.replace(out)
        if args.json:
            raw = {"meta": meta, "probes": probes, "records": records}
            Path(args.json).write_text(json.dumps(raw, indent=1))
        return text

    records, probes = run_suite(args, checkpoint=write)
    blas = probes.get("numpy", {}).get("blas")
    if isinstance(blas, list):
        for d in blas:
            _log(
                f"numpy BLAS in the workers: {d.get('internal_api')} {d.get('version')}, "
                f"kernel {d.get('architecture')}, {d.get('num_threads')} threads"
            )
    print(write(records, probes, args.rounds))
    _log(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
