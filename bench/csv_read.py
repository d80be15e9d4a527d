"""glassnet's CSV reader against pandas', on the same files, in interleaved rounds.

    python bench/csv_read.py                     # 200,000 rows, 7 rounds
    python bench/csv_read.py --rows 50000 --rounds 5 --files clean,bom
    python bench/csv_read.py --without-pyarrow   # NumPy alone reads the numbers (the core)

Times ``glassnet.cli.read_csv`` (the reader of ``glassnet train/predict``, which is
``glassnet.datasets.read_csv`` with the command line's options) and ``pandas.read_csv`` on
each file, one after the other in every round (so a busy moment of a shared machine falls
on both), and prints per file the median seconds of each, their spread over the rounds
(min-max) and glassnet / pandas as the median of the per-round ratios (min-max).

The files (written once to a temporary folder): 10 float columns written as pandas
writes them (17 significant digits), a text column of 3 categories and a 0/1 target:

- ``clean``: that file as is.
- ``missing``: every 50th cell of x0 empty, every 70th of x1 'NA' (read with
  ``impute="mean"``; pandas reads both as NaN).
- ``bom``: the clean file with a byte-order mark, as Excel's 'CSV UTF-8' writes it.
- ``stray``: x2 holds the text '?' in every 1,000th row (read with x2 categorical, as
  ``glassnet train`` reads it; pandas reads the column as text too).
- ``quoted``: the text column's cells quoted, some holding the delimiter ("red, dark").

``--without-pyarrow`` blocks pyarrow's import (``sys.modules["pyarrow"] = None``) before
glassnet and pandas are imported: glassnet then reads every number with NumPy, as it does
where only its core dependency is installed (and pandas keeps its text as Python str).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

FILES = ("clean", "missing", "bom", "stray", "quoted")


def write_files(folder: Path, rows: int, names: tuple[str, ...]) -> dict[str, tuple[Path, dict]]:
    """Each file of ``names`` in ``folder``: its path and read_csv's options for it."""
    import pandas as pd

    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(rows, 10)), columns=[f"x{i}" for i in range(10)])
    df["c"] = rng.choice(["red", "green", "blue"], rows)
    df["y"] = rng.integers(0, 2, rows)
    out: dict[str, tuple[Path, dict]] = {}
    for name in names:
        path = folder / f"{name}.csv"
        options: dict[str, Any] = {}
        frame = df.copy()
        if name == "missing":
            frame["x0"] = frame["x0"].astype(object)
            frame.loc[::50, "x0"] = ""
            frame["x1"] = frame["x1"].astype(object)
            frame.loc[::70, "x1"] = "NA"
            options = {"impute": "mean"}
        elif name == "stray":
            frame["x2"] = frame["x2"].astype(object)
            frame.loc[::1000, "x2"] = "?"
            options = {"categorical": ["x2"]}
        elif name == "quoted":
            frame["c"] = frame["c"].where(frame.index % 7 != 0, "red, dark")
        encoding = "utf-8-sig" if name == "bom" else "utf-8"
        frame.to_csv(path, index=False, encoding=encoding)
        out[name] = (path, options)
    return out


def _time(f: Any) -> float:
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def bench(files: dict[str, tuple[Path, dict]], rounds: int) -> list[dict[str, Any]]:
    """Per file: every round's seconds for glassnet and pandas (interleaved, glassnet first
    in even rounds, pandas first in odd ones), and the summary."""
    import pandas as pd

    from glassnet.cli import read_csv

    results = []
    for name, (path, options) in files.items():
        read_csv(path, **options)  # (warm: imports, the file in the page cache)
        pd.read_csv(path)
        ours, theirs = [], []
        for r in range(rounds):
            pair = [
                (ours, lambda p=path, o=options: read_csv(p, **o)),
                (theirs, lambda p=path: pd.read_csv(p)),
            ]
            for times, f in pair if r % 2 == 0 else pair[::-1]:
                times.append(_time(f))
        ratios = [a / b for a, b in zip(ours, theirs)]
        results.append(
            {
                "file": name,
                "glassnet_s": statistics.median(ours),
                "glassnet_spread": (min(ours), max(ours)),
                "pandas_s": statistics.median(theirs),
                "pandas_spread": (min(theirs), max(theirs)),
                "ratio": statistics.median(ratios),
                "ratio_spread": (min(ratios), max(ratios)),
            }
        )
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--files", default=",".join(FILES), help=f"some of {','.join(FILES)}")
    ap.add_argument(
        "--without-pyarrow", action="store_true", help="block pyarrow: NumPy reads the numbers"
    )
    args = ap.parse_args(argv)
    if args.without_pyarrow:
        if "glassnet" in sys.modules or "pandas" in sys.modules:
            ap.error("--without-pyarrow must be given before glassnet or pandas is imported")
        sys.modules["pyarrow"] = None  # (its import raises ImportError)
    names = tuple(n.strip() for n in args.files.split(",") if n.strip())
    unknown = [n for n in names if n not in FILES]
    if unknown or args.rows < 1 or args.rounds < 1:
        ap.error(f"--files takes {', '.join(FILES)} (got {unknown}); --rows, --rounds >= 1")
    with tempfile.TemporaryDirectory() as tmp:
        files = write_files(Path(tmp), args.rows, names)
        sizes = {n: p.stat().st_size for n, (p, _) in files.items()}
        results = bench(files, args.rounds)
    without = ", without pyarrow" if args.without_pyarrow else ""
    print(
        f"{args.rows:,} rows, {args.rounds} interleaved rounds{without}; seconds: median (min-max)"
    )
    print(f"{'file':8} {'MB':>5} {'glassnet':>22} {'pandas':>22} {'glassnet/pandas':>20}")
    for res in results:
        g, p, q = res["glassnet_spread"], res["pandas_spread"], res["ratio_spread"]
        print(
            f"{res['file']:8} {sizes[res['file']] / 1e6:5.1f} "
            f"{res['glassnet_s']:7.3f} ({g[0]:.3f}-{g[1]:.3f}) "
            f"{res['pandas_s']:7.3f} ({p[0]:.3f}-{p[1]:.3f}) "
            f"{res['ratio']:7.1f}x ({q[0]:.1f}-{q[1]:.1f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
