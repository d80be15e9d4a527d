"""Peak memory of training on a CSV file larger than memory, for two file sizes.

    python bench/stream_rss.py --sizes 1,5 --dir /tmp/glassnet-stream

For each size (GB) it writes a CSV file (16 number columns, one text column with 5
categories, a yes/no label; pyarrow's CSV writer, chunk by chunk), then trains a
21-32-2 MLP for one epoch on it in a fresh process with ``fit(model, path, "label")``
through ``glassnet.stream.from_csv`` (a statistics pass: standardization, categories and
classes; then the epoch through a 65,536-row shuffle buffer), and reports that process's
peak resident memory (``VmHWM`` of /proc/self/status, i.e. ru_maxrss) and the time.
The files are deleted afterwards unless --keep.

    python bench/stream_rss.py --cli --sizes 0.2,1

does the same through the command line, ``glassnet train big.csv --target label --stream
--hidden 32 --batch-size 1024 --lr 0.001 --epochs 1`` (a 21-32-1 MLP; the default 25 % of
the rows held out per chunk and scored chunk by chunk after training; the model file
written), run by ``glassnet.cli.main`` in a fresh process. Its table has the epoch's time,
"other" (everything but the epoch: the statistics pass, scoring the held-out rows and
writing the model file) and the held-out accuracy.

    python bench/stream_rss.py --cli --from-json bench/stream_rss_cli.jsonl

prints the table of rows saved with ``--json`` (no file written, nothing trained): the
tables of docs/scaling.md, from ``bench/stream_rss.jsonl`` and ``bench/stream_rss_cli.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

TRAIN = r"""
import json, sys, time
import numpy as np
from glassnet import nn, stream
from glassnet.train import fit

path, block_size = sys.argv[1], int(sys.argv[2])
t0 = time.perf_counter()
src = stream.from_csv(path, "label", standardize=True, buffer_size=65536, block_size=block_size)
t_stats = time.perf_counter() - t0
stats_peak = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
model = nn.MLP([len(src.columns.feature_names), 32, 2], output_activation="softmax", rng=0)
h = fit(model, src, None, loss="cross_entropy", optimizer="adam", lr=1e-3, epochs=1,
        batch_size=1024, seed=0, verbose=0)
peak = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(json.dumps({"rows": src.columns.rows, "loss": h.loss[-1], "steps": h.steps,
                  "stats_s": t_stats, "total_s": time.perf_counter() - t0,
                  "peak_rss_mb": int(peak) / 1024, "stats_peak_rss_mb": int(stats_peak) / 1024,
                  "block_size": block_size}))
"""

CLI = r"""
import json, os, sys, tempfile, time
from glassnet.cli import main
from glassnet.io import load_arrays

path = sys.argv[1]
out = os.path.join(tempfile.mkdtemp(), "big.glassnet")
t0 = time.perf_counter()
code = main(["train", path, "--target", "label", "--stream", "--hidden", "32",
             "--batch-size", "1024", "--lr", "0.001", "--epochs", "1", "--out", out, "-q"])
total = time.perf_counter() - t0
peak = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
meta = load_arrays(out)[1]["meta"]
os.remove(out)
rows, train_s = meta["training"]["rows"], meta["history"]["seconds"]
print(json.dumps({"cli": True, "exit": code, "rows": rows["train"] + rows["test"],
                  "train_rows": rows["train"], "test_rows": rows["test"],
                  "loss": meta["history"]["loss"][-1], "steps": -(-rows["train"] // 1024),
                  "train_s": train_s, "stats_s": total - train_s, "total_s": total,
                  "test_accuracy": meta["test_metrics"]["accuracy"],
                  "peak_rss_mb": int(peak) / 1024}))
"""


def write_csv(path: Path, gigabytes: float, seed: int = 0) -> int:
    """A CSV file of about ``gigabytes`` GB; returns its number of rows."""
    import pyarrow as pa
    from pyarrow import csv

    rng = np.random.default_rng(seed)
    w = rng.standard_normal(16)
    target, rows, chunk = gigabytes * 1e9, 0, 100_000
    colors = np.array(["red", "green", "blue", "cyan", "magenta"])
    with csv.CSVWriter(str(path), pa.schema(
        [(f"x{i}", pa.float64()) for i in range(16)]
        + [("color", pa.string()), ("label", pa.string())]
    )) as out:  # fmt: skip
        while True:
            X = rng.standard_normal((chunk, 16)).round(6)
            c = rng.integers(0, 5, chunk)
            y = np.where(X @ w + (c == 0) > 0, "yes", "no")
            cols = [pa.array(X[:, i]) for i in range(16)] + [pa.array(colors[c]), pa.array(y)]
            out.write_table(pa.table(cols, names=[*(f"x{i}" for i in range(16)), "color", "label"]))
            rows += chunk
            if path.stat().st_size >= target:
                break
    return rows


_RULE = "\n|---:|---:|---:|---:|---:|---:|---:|"
HEADER = {  # the table's head, without --cli (False) and with it (True)
    False: "| file | rows | peak RSS (MB) | statistics pass (s) | total (s) | steps | loss |"
    + _RULE,
    True: "| file | rows | peak RSS (MB) | epoch (s) | other (s) | total (s) | held-out accuracy |"
    + _RULE,
}


def table_row(r: dict, cli: bool) -> str:
    """One measurement (a line of --json) as a row of :data:`HEADER`'s table."""
    head = f"| {r['file_gb']:.2f} GB | {r['rows']:,} | {r['peak_rss_mb']:.0f} | "
    if cli:
        return (f"{head}{r['train_s']:,.0f} | {r['stats_s']:,.0f} | {r['total_s']:,.0f} | "
                f"{r['test_accuracy']:.4f} |")  # fmt: skip
    return f"{head}{r['stats_s']:,.0f} | {r['total_s']:,.0f} | {r['steps']:,} | {r['loss']:.4f} |"


def main(argv: list[str] | None = None) -> None:
    from argtypes import positive_floats, positive_int

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--sizes", type=positive_floats, default="1,5", help="file sizes in GB, comma-separated"
    )
    ap.add_argument("--dir", default="/tmp/glassnet-stream")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--json", help="append the results to this file")
    ap.add_argument("--cli", action="store_true", help="train with glassnet train --stream")
    ap.add_argument(
        "--block-size", type=positive_int, default=1 << 22, metavar="BYTES",
        help="from_csv's block_size (without --cli; default 4 MiB, from_csv's own)",
    )  # fmt: skip
    ap.add_argument(
        "--from-json", metavar="FILE", help="print the table of the rows saved in FILE (--json)"
    )
    args = ap.parse_args(argv)
    if args.from_json:
        try:
            saved = [json.loads(x) for x in Path(args.from_json).read_text().splitlines() if x]
        except (OSError, ValueError) as e:
            ap.error(f"--from-json: cannot read {args.from_json!r}: {e}")
        if any(bool(r.get("cli")) != args.cli for r in saved):
            ap.error(f"--from-json: {args.from_json!r} holds {'no ' * args.cli}--cli rows; "
                     f"{'leave out' if args.cli else 'give'} --cli")  # fmt: skip
        print(HEADER[args.cli])
        for r in saved:
            print(table_row(r, args.cli))
        return
    d = Path(args.dir)
    d.mkdir(parents=True, exist_ok=True)
    print(HEADER[args.cli])
    for gb in [float(s) for s in args.sizes.split(",")]:
        path = d / f"big_{gb:g}gb.csv"
        if not path.exists():
            t0 = time.perf_counter()
            write_csv(path, gb)
            print(f"(wrote {path}: {path.stat().st_size / 1e9:.2f} GB in "
                  f"{time.perf_counter() - t0:.0f} s)", file=sys.stderr)  # fmt: skip
        env = {**os.environ, "OMP_NUM_THREADS": "1"}
        argv = [sys.executable, "-c", CLI, str(path)] if args.cli else [
            sys.executable, "-c", TRAIN, str(path), str(args.block_size)
        ]  # fmt: skip
        proc = subprocess.run(argv, capture_output=True, text=True, env=env)
        if proc.returncode:
            sys.exit(f"training on {path} failed:\n{proc.stderr[-3000:]}")
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        r["file_gb"] = path.stat().st_size / 1e9
        print(table_row(r, args.cli))
        sys.stdout.flush()
        if args.json:
            with open(args.json, "a") as f:
                f.write(json.dumps(r) + "\n")
        if not args.keep:
            path.unlink()


if __name__ == "__main__":
    main()
