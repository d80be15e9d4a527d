"""The bad-input battery of the command line: hostile and messy input, one case each.

Every case runs ``glassnet ...`` in-process on a fresh copy of a small world of files
(a training CSV, a model trained on it, a checkpoint, ...) and checks what a user of
a broken input is owed: the documented exit status, exactly one line on stderr that
names the problem, no traceback, no "internal error", and every file as it was (the
bytes of each file, and no file added or removed). ``test_battery_totals`` counts
the cases and the totals the closing note quotes.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import write_csv

import glassnet as gn
from glassnet.cli import main
from glassnet.datasets import make_moons
from glassnet.io import load_arrays, load_model, save_model

FAST = ["--epochs", "3", "--hidden", "4", "-q"]


def moons_rows(n: int = 60) -> list[list[object]]:
    X, y = make_moons(n, noise=0.15, seed=0)
    colors = np.random.default_rng(0).choice(["red", "green", "blue"], size=n)
    return [[f"{a:.4f}", f"{b:.4f}", c, "upper" if t else "lower"] for (a, b), c, t in
            zip(X, colors, y)]  # fmt: skip


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data.csv (x1, x2, color, moon), new.csv (no target), model.glassnet, model.ckpt."""
    d = tmp_path_factory.mktemp("world")
    rows = moons_rows()
    write_csv(d / "data.csv", ["x1", "x2", "color", "moon"], rows)
    write_csv(d / "new.csv", ["x1", "x2", "color"], [r[:3] for r in rows[:5]])
    cwd = os.getcwd()
    os.chdir(d)
    try:
        code = main(["train", "data.csv", "--target", "moon", "--out", "model.glassnet",
                     "--checkpoint-every", "3", "--checkpoint", "model.ckpt", *FAST])  # fmt: skip
    finally:
        os.chdir(cwd)
    assert code == 0
    return d


def snapshot(d: Path) -> dict[str, bytes]:
    """Every file under ``d``: its bytes (a large sparse file: its size and mtime)."""
    out = {}
    for p in sorted(d.rglob("*")):
        if p.is_symlink():
            out[str(p.relative_to(d))] = b"-> " + os.readlink(p).encode()
        elif p.is_file():
            info = p.stat()
            big = info.st_size > 2**24
            out[str(p.relative_to(d))] = (
                f"{info.st_size} {info.st_mtime_ns}".encode() if big else p.read_bytes()
            )
    return out


@dataclass
class Case:
    """One bad input: ``argv`` run in a copy of the world after ``setup(dir)``."""

    id: str
    argv: list[str]
    needles: tuple[str, ...] = ()
    code: int = 2
    setup: Callable[[Path], None] | None = None
    changes: tuple[str, ...] = ()  # files the command may write (none: everything kept)
    stdout: tuple[str, ...] = field(default=())  # expected on stdout as well
    env: dict[str, str] = field(default_factory=dict)  # environment variables to set


def symlink(name: str, to: str) -> Callable[[Path], None]:
    return lambda d: (d / name).symlink_to(d / to)


def hardlink(name: str, to: str) -> Callable[[Path], None]:
    return lambda d: os.link(d / to, d / name)


def copy(name: str, of: str) -> Callable[[Path], None]:
    return lambda d: shutil.copy(d / of, d / name)


def edit_line(src: str, dst: str, line: int, text: str) -> Callable[[Path], None]:
    """Write ``dst``: ``src`` with its line ``line`` (counted from 1) replaced by ``text``."""

    def setup(d: Path) -> None:
        lines = (d / src).read_text().splitlines()
        lines[line - 1] = text
        (d / dst).write_text("\n".join(lines) + "\n")

    return setup


def content(name: str, text: str | bytes) -> Callable[[Path], None]:
    def setup(d: Path) -> None:
        if isinstance(text, bytes):
            (d / name).write_bytes(text)
        else:
            (d / name).write_text(text)

    return setup


def remeta(edit: Callable[[dict], object], name: str = "m.glassnet") -> Callable[[Path], None]:
    """Write ``name``: model.glassnet with its description edited by ``edit(meta)``, saved
    by glassnet itself (so its checksum is right: only the description is hostile)."""

    def setup(d: Path) -> None:
        meta = load_arrays(d / "model.glassnet")[1]["meta"]
        edit(meta)
        save_model(load_model(d / "model.glassnet", network_only=True), d / name, meta=meta)

    return setup


def drop(*keys: str) -> Callable[[dict], None]:
    def edit(meta: dict) -> None:
        for key in keys[:-1]:
            meta = meta[key]
        del meta[keys[-1]]

    return edit


def put(value: object, *keys: str) -> Callable[[dict], None]:
    def edit(meta: dict) -> None:
        for key in keys[:-1]:
            meta = meta[key]
        meta[keys[-1]] = value

    return edit


def flip_byte(name: str, offset: int) -> Callable[[Path], None]:
    def setup(d: Path) -> None:
        data = bytearray((d / name).read_bytes())
        data[offset] ^= 0x01
        (d / name).write_bytes(bytes(data))

    return setup


TRAIN = ["train", "data.csv", "--target", "moon", *FAST]
TRAIN_DAT = ["train", "data.dat", "--target", "moon", *FAST]
M = ["m.glassnet"]
OPTIONAL = [  # every part of a description that predict does not need
    ("glassnet_version",), ("task", "loss"), ("task", "output_activation"),
    ("preprocessing", "standardize"), ("preprocessing", "impute"), ("preprocessing", "inputs"),
    ("training",), ("training", "rows"), ("training", "hidden"), ("training", "lr"),
    ("training", "data"), ("training", "epochs"), ("history",), ("history", "loss"),
    ("history", "message"), ("history", "epoch"), ("history", "seconds"),
    ("history", "val_loss"), ("test_metrics",), ("target", "scaler"),
]  # fmt: skip
WRONG_TYPES = [  # optional parts of the wrong type: shown as '?' or left out
    ("abc", "history", "loss"), ([], "history"), ("fast", "training", "lr"),
    (None, "training", "rows"), ({"x": 1}, "test_metrics"), (7, "glassnet_version"),
    ([1, "a"], "history", "loss"), ("x", "training", "hidden"),
]  # fmt: skip
PREDICT = ["predict", "model.glassnet", "new.csv"]

CASES: list[Case] = [
    # -- 1. data loss: an output that is an input, or another output, is refused
    # (the data under a name a model file may take, .dat: --out data.csv is refused by its
    # name before anything else, a model under a CSV name misdescribing it)
    Case(
        "train-out-is-the-data",
        [*TRAIN_DAT, "--out", "data.dat"],
        ("--out 'data.dat' is the same file as the training data 'data.dat'",),
        setup=copy("data.dat", "data.csv"),
    ),
    Case(
        "train-out-is-the-data-via-dotdot",
        [*TRAIN_DAT, "--out", "sub/../data.dat"],
        ("same file as the training data",),
        setup=lambda d: ((d / "sub").mkdir(), copy("data.dat", "data.csv")(d)),
    ),
    Case(
        "train-out-is-a-symlink-to-the-data",
        [*TRAIN_DAT, "--out", "link.dat"],
        ("same file as the training data",),
        setup=lambda d: (copy("data.dat", "data.csv")(d), symlink("link.dat", "data.dat")(d)),
    ),
    Case(
        "train-out-is-a-hard-link-to-the-data",
        [*TRAIN_DAT, "--out", "hard.dat"],
        ("same file as the training data",),
        setup=lambda d: (copy("data.dat", "data.csv")(d), hardlink("hard.dat", "data.dat")(d)),
    ),
    Case(
        "train-data-is-a-symlink-to-the-out",
        ["train", "link.csv", "--target", "moon", "--out", "data.dat", *FAST],
        ("same file as the training data",),
        setup=lambda d: (copy("data.dat", "data.csv")(d), symlink("link.csv", "data.dat")(d)),
    ),
    Case(
        "train-out-is-the-data-by-csv-name",
        [*TRAIN, "--out", "data.csv"],
        ("--out 'data.csv' names a CSV file (.csv), but train writes a glassnet model file",),
    ),
    Case(
        "train-checkpoint-is-the-data",
        [*TRAIN, "--out", "m2.glassnet", "--checkpoint", "data.csv", "--checkpoint-every", "1"],
        ("--checkpoint 'data.csv' is the same file",),
    ),
    Case(
        "train-checkpoint-is-the-out",
        [*TRAIN, "--out", "x.glassnet", "--checkpoint", "x.glassnet", "--checkpoint-every", "1"],
        ("--checkpoint 'x.glassnet' is the same file as --out 'x.glassnet'",),
    ),
    Case(
        "train-checkpoint-is-a-link-to-the-out",
        [*TRAIN, "--out", "model.glassnet", "--checkpoint", "ck", "--checkpoint-every", "1"],
        ("same file as --out",),
        setup=symlink("ck", "model.glassnet"),
    ),
    Case(
        "train-resume-out-is-the-checkpoint",
        [*TRAIN, "--out", "run.state", "--checkpoint", "run.state", "--resume"],
        ("same file as the checkpoint 'run.state'",),
        setup=copy("run.state", "model.ckpt"),  # (a model under .ckpt: refused by its name)
    ),
    Case(
        "predict-out-is-the-data",
        [*PREDICT, "--out", "new.csv"],
        ("--out 'new.csv' is the same file as the data file 'new.csv'",),
    ),
    Case(
        "predict-out-is-the-model",
        [*PREDICT, "--out", "model.glassnet"],
        ("same file as the model file 'model.glassnet'",),
    ),
    Case(
        "predict-out-is-a-hard-link-to-the-model",
        [*PREDICT, "--out", "h.csv"],
        ("same file as the model file",),
        setup=hardlink("h.csv", "model.glassnet"),
    ),
    Case(
        "predict-out-is-the-data-with-force",
        [*PREDICT, "--out", "new.csv", "--force"],
        ("same file as the data file",),
    ),
    # -- 1. data loss: a file of another kind is never replaced without --force
    Case(
        "train-out-over-a-csv",
        [*TRAIN, "--out", "new.csv"],
        # (refused by its name before the file is looked at: a model under a CSV name would
        # misdescribe it, --force or not)
        ("--out 'new.csv' names a CSV file (.csv), but train writes a glassnet model file",),
    ),
    Case(
        "train-out-over-a-checkpoint",
        [*TRAIN, "--out", "run.state"],
        ("is a glassnet checkpoint, not a glassnet model file",),
        setup=copy("run.state", "model.ckpt"),
    ),
    Case(
        "train-checkpoint-over-a-model",
        [
            *TRAIN,
            "--out",
            "m3.glassnet",
            "--checkpoint",
            "model.glassnet",
            "--checkpoint-every",
            "1",
        ],
        (
            "--checkpoint 'model.glassnet' exists and is a glassnet model file, not a glassnet "
            "checkpoint",
        ),
    ),
    Case(
        "train-out-over-a-binary-file",
        [*TRAIN, "--out", "photo.png"],
        ("is a binary file",),
        setup=lambda d: (d / "photo.png").write_bytes(b"\x89PNG\0\0"),
    ),
    Case(
        "predict-out-over-a-model",
        [*PREDICT, "--out", "other.glassnet"],
        # (its name first, which --force would not take: no advice to pass it, round 27)
        ("--out 'other.glassnet' names a glassnet model file", "give a name ending in .csv"),
        setup=lambda d: shutil.copy(d / "model.glassnet", d / "other.glassnet"),
    ),
    Case(
        "predict-out-over-a-checkpoint",
        [*PREDICT, "--out", "model.ckpt"],
        ("--out 'model.ckpt' names a checkpoint (.ckpt)", "give a name ending in .csv"),
    ),
    # -- 1. the CSV reader swallows no rows
    Case(
        "train-unclosed-quote-eats-the-rest",
        ["train", "q.csv", "--target", "moon", *FAST],
        ("Line 8 of 'q.csv' opens a quote (\") that is never closed", "54 lines"),
        setup=edit_line("data.csv", "q.csv", 8, '0.1,0.2,red,"upper'),
    ),
    Case(
        "train-unclosed-quote-in-a-feature",
        ["train", "q.csv", "--target", "moon", *FAST],
        ("Line 3 of 'q.csv' opens a quote",),
        setup=edit_line("data.csv", "q.csv", 3, '0.1,0.2,"red,upper'),
    ),
    Case(
        "train-quoted-line-break",
        ["train", "q.csv", "--target", "moon", *FAST],
        ("Line 8 of 'q.csv' opens a quoted cell that runs on to line 9", "--multiline-cells"),
        setup=edit_line("data.csv", "q.csv", 8, '0.1,0.2,red,"upper\nlower"'),
    ),
    Case(
        "train-stray-quote-after-a-quoted-cell",
        ["train", "q.csv", "--target", "moon", *FAST],
        ("not valid CSV at line 5",),
        setup=edit_line("data.csv", "q.csv", 5, '0.1,0.2,"red"dish,upper'),
    ),
    Case(
        "predict-unclosed-quote",
        ["predict", "model.glassnet", "q.csv"],
        ("Line 4 of 'q.csv' opens a quote",),
        setup=edit_line("new.csv", "q.csv", 4, '0.1,0.2,"red'),
    ),
    Case(
        "evaluate-quoted-line-break",
        ["evaluate", "model.glassnet", "q.csv"],
        ("Line 2 of 'q.csv' opens a quoted cell",),
        setup=edit_line("data.csv", "q.csv", 2, '0.1,0.2,"re\nd",upper'),
    ),
    Case(
        "explain-unclosed-quote",
        ["explain", "model.glassnet", "--row", "1", "q.csv"],
        ("Line 30 of 'q.csv' opens a quote",),
        setup=edit_line("data.csv", "q.csv", 30, '"0.1,0.2,red,upper'),
    ),
    # -- 1. a corrupted model file is refused, never predicts other numbers
    Case(
        "predict-flipped-weight-bit",
        PREDICT,
        ("checksum does not match",),
        setup=flip_byte("model.glassnet", -3),
    ),
    Case(
        "info-flipped-weight-bit",
        ["info", "model.glassnet"],
        ("checksum does not match",),
        setup=flip_byte("model.glassnet", -30),
    ),
    Case(
        "train-resume-flipped-checkpoint-bit",
        [
            *TRAIN,
            "--out",
            "model.glassnet",
            "--checkpoint",
            "model.ckpt",
            "--checkpoint-every",
            "3",
            "--epochs",
            "6",
            "--resume",
        ],
        ("checksum does not match",),
        setup=flip_byte("model.ckpt", -5),
    ),
    # -- 2. every number of the description checked against the weights, before building
    Case(
        "predict-n-outputs-300-million",
        ["predict", *M, "new.csv"],
        ("task.n_outputs is 300000000 but the network has 1 output(s)",),
        setup=remeta(put(300_000_000, "task", "n_outputs")),
    ),
    Case(
        "info-n-outputs-300-million",
        ["info", *M],
        ("task.n_outputs is 300000000",),
        setup=remeta(put(300_000_000, "task", "n_outputs")),
    ),
    Case(
        "predict-n-outputs-a-string",
        ["predict", *M, "new.csv"],
        ("task.n_outputs is '1'",),
        setup=remeta(put("1", "task", "n_outputs")),
    ),
    Case(
        "predict-unknown-task",
        ["predict", *M, "new.csv"],
        ("unknown task 'ranking'",),
        setup=remeta(put("ranking", "task", "name")),
    ),
    Case(
        "predict-task-regression-on-a-classifier",
        ["predict", *M, "new.csv"],
        ("malformed",),
        setup=remeta(put("multiclass", "task", "name")),
    ),
    Case(
        "predict-three-labels-for-one-output",
        ["predict", *M, "new.csv"],
        ("3 class labels for a binary network",),
        setup=remeta(put(["a", "b", "c"], "target", "labels", "classes")),
    ),
    Case(
        "predict-no-labels",
        ["predict", *M, "new.csv"],
        ("no class labels",),
        setup=remeta(put(None, "target", "labels")),
    ),
    Case(
        "predict-no-task", ["predict", *M, "new.csv"], ("lacks 'task'",), setup=remeta(drop("task"))
    ),
    Case(
        "predict-no-preprocessor",
        ["predict", *M, "new.csv"],
        ("malformed",),
        setup=remeta(drop("preprocessing", "preprocessor")),
    ),
    Case(
        "predict-target-names-empty",
        ["predict", *M, "new.csv"],
        ("target.names",),
        setup=remeta(put([], "target", "names")),
    ),
    Case(
        "predict-preprocessor-one-column-more",
        ["predict", *M, "new.csv"],
        ("the preprocessing makes",),
        setup=remeta(
            lambda m: m["preprocessing"]["preprocessor"]["encoder"]["categories"][0].append(
                "violet"
            )
        ),
    ),
    Case(
        "predict-format-version-from-the-future",
        ["predict", *M, "new.csv"],
        ("description format 99", "upgrade glassnet"),
        setup=remeta(put(99, "format_version")),
    ),
    Case(
        "predict-format-version-a-huge-string",
        ["predict", *M, "new.csv"],
        ("description format",),
        setup=remeta(put("9" * 5000, "format_version")),
    ),
]
CASES += [  # -- 2. sizes refused before anything is allocated
    Case(
        "train-hidden-a-billion",
        [*TRAIN, "--hidden", "1000000000"],
        ("training an MLP 5 -> 1000000000 -> 1", "parameters) needs about", "--hidden"),
    ),
    Case(
        "train-hidden-two-layers-of-a-million",
        [*TRAIN, "--hidden", "1000000,1000000"],
        ("needs about", "TB of memory"),
    ),
    Case(
        "train-over-the-memory-limit",
        [*TRAIN, "--hidden", "100000"],
        ("needs about 65.2 MB", "more than GLASSNET_MEMORY_LIMIT=2M (2 MB)"),
        env={"GLASSNET_MEMORY_LIMIT": "2M"},
    ),
    Case(
        "train-memory-limit-not-a-size",
        TRAIN,
        ("GLASSNET_MEMORY_LIMIT='lots' is not a size",),
        env={"GLASSNET_MEMORY_LIMIT": "lots"},
    ),
    Case(
        "predict-over-the-memory-limit",
        PREDICT,
        ("scoring 5 rows", "GLASSNET_MEMORY_LIMIT"),
        env={"GLASSNET_MEMORY_LIMIT": "200"},
    ),
]
HUGE = "x1,x2,color,moon\n" + "".join(
    f"{i},{(-1) ** i * 1e308},red,{'ab'[i % 2]}\n" for i in range(12)
)
ESC = "x\x1b[2Jy"
HUGE_Y = "a,y\n" + "".join(f"{i},{1e308 if i == 3 else i % 5}\n" for i in range(12))
CASES += [  # -- 3. a regression target beyond float32
    Case(
        "train-target-1e308-unscaled",
        ["train", "y.csv", "--target", "y", "--task", "regression", "--no-standardize", *FAST],
        ("the target column 'y' overflows float32 at line 5 of y.csv", "--dtype float64"),
        setup=content("y.csv", HUGE_Y),
    ),
    Case(
        "train-target-1e308-standardized",
        ["train", "y.csv", "--target", "y", "--task", "regression", *FAST, "--out", "y.glassnet"],
        code=0,
        changes=("y.glassnet",),
        setup=content("y.csv", HUGE_Y),
        stdout=("MSE inf", "saved"),
    ),
]
CASES += [  # -- 3. values beyond float32: the column named, no warning leaks
    Case(
        "train-1e308-unscaled-float32",
        ["train", "huge.csv", "--target", "moon", "--no-standardize", *FAST],
        (
            "column 'x2' overflows float32 at line 2 of huge.csv",
            "the value 1e+308",
            "--dtype float64",
        ),
        setup=content("huge.csv", HUGE),
    ),
    Case(
        "train-1e308-standardized",
        ["train", "huge.csv", "--target", "moon", *FAST, "--out", "h.glassnet"],
        code=0,
        setup=content("huge.csv", HUGE),
        changes=("h.glassnet",),
    ),
    Case(
        "predict-1e308-into-a-float32-model",
        ["predict", "model.glassnet", "huge.csv"],
        ("column 'x2' overflows float32 at line 3 of 'huge.csv'",),
        setup=content("huge.csv", "x1,x2,color\n1,2,red\n1,-1e308,red\n"),
    ),
    Case(
        "evaluate-1e308",
        ["evaluate", "model.glassnet", "huge.csv"],
        ("column 'x1' overflows float32",),
        setup=content("huge.csv", "x1,x2,color,moon\n1e308,2,red,upper\n"),
    ),
    # -- 3. control characters from files are escaped in everything printed
    Case(
        "train-escape-in-a-column-name",
        ["train", "e.csv", "--target", "moon", *FAST],
        ("x\\x1b[2Jy",),
        setup=content("e.csv", f"a,{ESC}\n1,2\n"),
    ),
    Case(
        "train-escape-in-a-label-and-a-category",
        ["train", "e.csv", "--target", "moon", *FAST, "--out", "e.glassnet"],
        code=0,
        changes=("e.glassnet",),
        setup=content(
            "e.csv",
            "x,c,moon\n"
            + "".join(f"{i},{ESC if i % 3 else 'b'},{ESC if i % 2 else 'z'}\n" for i in range(12)),
        ),
    ),
    Case(
        "evaluate-escape-in-an-unseen-label",
        ["evaluate", "model.glassnet", "e.csv"],
        ("x\\x1b[2Jy",),
        setup=content("e.csv", f"x1,x2,color,moon\n1,2,red,{ESC}\n"),
    ),
    Case(
        "predict-escape-in-an-unseen-category",
        ["predict", "model.glassnet", "e.csv"],
        ("x\\x1b[2Jy",),
        setup=content("e.csv", f"x1,x2,color\n1,2,{ESC}\n"),
    ),
    Case(
        "info-escape-in-the-description",
        ["info", *M],
        code=0,
        setup=remeta(put(ESC, "training", "data")),
    ),
    Case(
        "predict-escape-in-a-path",
        ["predict", "model.glassnet", f"{ESC}.csv"],
        ("no such file 'x\\x1b[2Jy.csv'",),
    ),
    Case(
        "explain-escape-in-a-cell",
        ["explain", "model.glassnet", "--row", "1", "e.csv"],
        ("x\\x1b[2Jy",),
        setup=content("e.csv", f"x1,x2,color,moon\n1,2,{ESC},upper\n"),
    ),
]
CASES += [  # -- 4. messy tables: --drop, --id, --unknown
    Case(
        "train-drop-a-column-that-is-not-there",
        [*TRAIN, "--drop", "zip"],
        ("--drop/--id name column(s) not in 'data.csv': ['zip']",),
    ),
    Case(
        "train-id-is-the-target",
        [*TRAIN, "--id", "moon"],
        ("the target column 'moon' is also named by --drop or --id",),
    ),
    Case("train-drop-every-feature", [*TRAIN, "--drop", "x1,x2,color"], ("no feature columns",)),
    Case(
        "train-drop-with-a-dataset",
        ["train", "--dataset", "xor", "--drop", "x1", *FAST],
        ("--drop is for CSV files",),
    ),
    Case(
        "predict-unknown-not-a-policy", [*PREDICT, "--unknown", "zero"], ("invalid choice: 'zero'",)
    ),
    Case(
        "predict-unknown-category",
        ["predict", "model.glassnet", "u.csv"],
        ("'color' has 1 value(s) not seen at fit: ['violet']", "--unknown ignore"),
        setup=content("u.csv", "x1,x2,color\n1,2,violet\n"),
    ),
    Case(
        "predict-unknown-category-ignored",
        ["predict", "model.glassnet", "u.csv", "--unknown", "ignore"],
        code=0,
        setup=content("u.csv", "x1,x2,color\n1,2,violet\n"),
        stdout=("moon\n",),
    ),
    Case(
        "evaluate-unknown-category",
        ["evaluate", "model.glassnet", "u.csv"],
        ("not seen at fit",),
        setup=content("u.csv", "x1,x2,color,moon\n1,2,violet,upper\n"),
    ),
    Case(
        "predict-filled-cell-and-an-unknown-category",
        ["predict", *M, "u.csv"],
        ("'color' has 1 value(s) not seen at fit",),
        setup=lambda d: (
            remeta(put({"x1": 0.5}, "preprocessing", "preprocessor", "fill"))(d),
            content("u.csv", "x1,x2,color\n,2,violet\n")(d),
        ),
    ),
    Case(
        "predict-filled-cell",
        ["predict", *M, "u.csv"],
        code=0,
        setup=lambda d: (
            remeta(put({"x1": 0.5}, "preprocessing", "preprocessor", "fill"))(d),
            content("u.csv", "x1,x2,color\n,2,red\n")(d),
        ),
    ),
    Case(
        "predict-fill-of-the-wrong-type",
        ["predict", *M, "u.csv"],
        ("'fill.x1' must hold finite numbers", "Item 0 is 'a': a str, not a number"),
        setup=lambda d: (
            remeta(put({"x1": "a"}, "preprocessing", "preprocessor", "fill"))(d),
            content("u.csv", "x1,x2,color\n,2,red\n")(d),
        ),
    ),
    Case(
        "predict-missing-cell-without-imputation",
        ["predict", "model.glassnet", "u.csv"],
        ("Missing value '' at line 2 of 'u.csv', column 'x1'", "--impute mean"),
        setup=content("u.csv", "x1,x2,color\n,2,red\n"),
    ),
]


def sparse(name: str, head: bytes, size: int) -> Callable[[Path], None]:
    def setup(d: Path) -> None:
        with open(d / name, "wb") as f:
            f.write(head)
            f.truncate(size)

    return setup


def moons_with(line: int, text: str) -> Callable[[Path], None]:
    return edit_line("data.csv", "bad.csv", line, text)


BAD = ["train", "bad.csv", "--target", "moon", *FAST]
CASES += [  # -- the files and cells every CSV user gets wrong
    Case("train-no-such-file", ["train", "nope.csv", "--target", "moon"], ("no such file",)),
    Case(
        "train-data-is-a-directory",
        ["train", "sub", "--target", "moon"],
        ("is a directory",),
        setup=lambda d: (d / "sub").mkdir(),
    ),
    Case("train-empty-file", BAD, ("is empty",), setup=content("bad.csv", "")),
    Case("train-blank-file", BAD, ("is empty",), setup=content("bad.csv", "\n  \n\n")),
    Case("train-header-only", BAD, ("no data rows",), setup=content("bad.csv", "x1,moon\n")),
    Case(
        "train-no-header",
        BAD,
        ("all numbers", "header row"),
        setup=content("bad.csv", "1,2\n3,4\n"),
    ),
    Case(
        "train-duplicate-column",
        BAD,
        ("repeats column names ['x1']",),
        setup=content("bad.csv", "x1,x1,moon\n1,2,a\n"),
    ),
    Case(
        "train-unnamed-column",
        BAD,
        ("no name for column(s) [2]",),
        setup=content("bad.csv", "x1,,moon\n1,2,a\n"),
    ),
    Case("train-binary-file", BAD, ("NUL bytes",), setup=content("bad.csv", b"\x89PNG\0\0\x01")),
    Case(
        "train-not-utf8",
        BAD,
        ("not UTF-8", "byte 0xe9"),
        setup=content("bad.csv", "x1,moon\n1,caf\xe9\n".encode("latin-1")),
    ),
    Case(
        "train-ragged-row",
        BAD,
        ("Line 4 of 'bad.csv' has 3 field(s)",),
        setup=moons_with(4, "0.1,0.2,red"),
    ),
    Case(
        "train-target-not-a-column",
        [*TRAIN[:3], "label", *FAST],
        ("Target column 'label' is not in 'data.csv'",),
    ),
    Case("train-no-target", ["train", "data.csv"], ("--target COL",)),
    Case("train-file-and-dataset", ["train", "data.csv", "--dataset", "xor"], ("give a CSV file",)),
    Case(
        "train-text-in-a-number-column",
        BAD,
        ("Non-numeric value '0.5l' at line 6",),
        setup=moons_with(6, "0.5l,0.2,red,upper"),
    ),
    Case(
        "train-nan-cell",
        BAD,
        ("Missing value 'nan' at line 6", "--impute mean"),
        setup=moons_with(6, "nan,0.2,red,upper"),
    ),
    Case(
        "train-inf-cell",
        BAD,
        ("Non-finite value 'inf' at line 6",),
        setup=moons_with(6, "inf,0.2,red,upper"),
    ),
    Case(
        "train-empty-cell",
        BAD,
        ("Missing value '' at line 6",),
        setup=moons_with(6, ",0.2,red,upper"),
    ),
    Case(
        "train-missing-target-cell",
        BAD,
        ("Missing value '' at line 6", "column 'moon'"),
        setup=moons_with(6, "0.1,0.2,red,"),
    ),
    Case(
        "train-single-class",
        BAD,
        ("single value", "at least two classes"),
        setup=content("bad.csv", "x1,moon\n1,a\n2,a\n3,a\n"),
    ),
    Case("train-bad-delimiter", [*TRAIN, "--delimiter", "ab"], ("one character",)),
    Case(
        "train-out-directory-missing",
        [*TRAIN, "--out", "no/dir/m.glassnet"],
        ("the directory 'no/dir' does not exist",),
    ),
    Case(
        "train-out-is-a-directory",
        [*TRAIN, "--out", "sub"],
        ("is a directory",),
        setup=lambda d: (d / "sub").mkdir(),
    ),
    Case(
        "train-resume-without-a-checkpoint",
        [*TRAIN, "--out", "n.glassnet", "--resume"],
        ("no checkpoint at 'n.glassnet.ckpt'",),
    ),
    Case(
        "train-resume-other-settings",
        [
            *TRAIN,
            "--out",
            "model.glassnet",
            "--checkpoint",
            "model.ckpt",
            "--checkpoint-every",
            "3",
            "--epochs",
            "6",
            "--hidden",
            "5",
            "--resume",
        ],
        ("other settings", "hidden"),
    ),
    Case("train-lr-negative", [*TRAIN, "--lr", "-1"], ("expected a number > 0",)),
    Case("train-hidden-not-numbers", [*TRAIN, "--hidden", "big"], ("layer widths",)),
    Case("predict-no-such-model", ["predict", "none.glassnet", "new.csv"], ("no such model file",)),
    Case("predict-model-is-a-csv", ["predict", "new.csv", "new.csv"], ("not a safetensors file",)),
    Case(
        "predict-truncated-model",
        ["predict", "cut.glassnet", "new.csv"],
        ("truncated",),
        setup=lambda d: (d / "cut.glassnet").write_bytes((d / "model.glassnet").read_bytes()[:500]),
    ),
    Case(
        "predict-empty-model",
        ["predict", "e.glassnet", "new.csv"],
        ("the file is empty",),
        setup=content("e.glassnet", b""),
    ),
    Case(
        "predict-2gb-sparse-model",
        ["predict", "s.glassnet", "new.csv"],
        ("not a JSON object",),
        setup=sparse("s.glassnet", b"\0" * 8, 2**31),
    ),
    Case(
        "predict-header-length-past-the-end",
        ["predict", "s.glassnet", "new.csv"],
        ("header length field says",),
        setup=sparse("s.glassnet", (10**6).to_bytes(8, "little") + b"{", 100),
    ),
    Case(
        "info-model-is-a-directory",
        ["info", "sub"],
        ("is a directory",),
        setup=lambda d: (d / "sub").mkdir(),
    ),
    # (info-checkpoint-not-model: info shows a checkpoint since round 27)
    Case(
        "predict-columns-differ",
        ["predict", "model.glassnet", "bad.csv"],
        ("missing: color", "not in the model: shade"),
        setup=content("bad.csv", "x1,x2,shade\n1,2,red\n"),
    ),
    Case(
        "evaluate-no-target-column",
        ["evaluate", "model.glassnet", "new.csv"],
        ("no target column 'moon'",),
    ),
    Case(
        "evaluate-unseen-label",
        ["evaluate", "model.glassnet", "bad.csv"],
        ("label(s) the model was not trained on: ['middle']",),
        setup=content("bad.csv", "x1,x2,color,moon\n1,2,red,middle\n"),
    ),
    Case(
        "explain-row-past-the-end",
        ["explain", "model.glassnet", "--row", "999", "data.csv"],
        ("--row 999: 'data.csv' has 60 data rows",),
    ),
    Case(
        "predict-data-is-a-directory",
        ["predict", "model.glassnet", "sub"],
        ("is a directory",),
        setup=lambda d: (d / "sub").mkdir(),
    ),
]
CASES += [  # -- 3. every optional key is optional (info and predict still work)
    Case(f"info-without-{'.'.join(keys)}", ["info", *M], code=0, setup=remeta(drop(*keys)))
    for keys in OPTIONAL
]
CASES += [
    Case(
        f"predict-without-{'.'.join(keys)}",
        ["predict", *M, "new.csv"],
        code=0,
        setup=remeta(drop(*keys)),
    )
    for keys in OPTIONAL[::3]
]
CASES += [
    Case(
        f"info-{'.'.join(keys)}-of-type-{type(value).__name__}",
        ["info", *M],
        code=0,
        setup=remeta(put(value, *keys)),
    )
    for value, *keys in WRONG_TYPES
]
CASES += [
    Case("explain-without-training-and-preprocessing-flags", ["explain", *M, "--row", "2",
         "data.csv"], code=0, setup=remeta(lambda m: (m.pop("training"),
                                                      m["preprocessing"].pop("standardize")))),
]  # fmt: skip


def run_case(case: Case, world: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    d = tmp_path / "w"
    shutil.copytree(world, d, symlinks=True)
    if case.setup is not None:
        case.setup(d)
    before = snapshot(d)
    cwd = os.getcwd()
    saved = {k: os.environ.get(k) for k in case.env}
    os.chdir(d)
    os.environ.update(case.env)
    try:
        code = main(case.argv)
    finally:
        os.chdir(cwd)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    out, err = capsys.readouterr()
    after = snapshot(d)
    return code, out, err, before, after


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, world: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    code, out, err, before, after = run_case(case, world, tmp_path, capsys)
    assert code == case.code, (code, out, err)
    assert "Traceback" not in err and "internal error" not in err, err
    lines = err.splitlines()
    if case.code != 0:
        assert len(lines) == 1 and lines[0].startswith("glassnet: error: "), err
    else:  # notes and warnings only, one line each (no NumPy RuntimeWarning)
        assert all(line.startswith(("glassnet: note: ", "glassnet: warning: ")) for line in lines)
    assert "\x1b" not in err and (case.argv[0] == "predict" or "\x1b" not in out)
    for needle in case.needles:
        assert needle in err, (needle, err)
    for needle in case.stdout:
        assert needle in out, (needle, out)
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert changed <= set(case.changes), sorted(changed)


def test_rows_read_are_reported_against_the_lines_in_the_file(world, tmp_path, capsys):
    """Blank lines, or line breaks inside quotes (--multiline-cells), are not rows: train,
    predict and evaluate say how many rows came from how many lines."""
    rows = moons_rows()
    text = "x1,x2,color,moon\n" + "".join(f"{a},{b},{c},{m}\n\n" for a, b, c, m in rows)
    quoted = text.replace("upper", '"up\nper"')
    case = Case("lines", ["train", "blank.csv", "--target", "moon", *FAST, "--out", "b.glassnet"],
                code=0, setup=lambda d: (d / "blank.csv").write_text(text))  # fmt: skip
    code, out, err, _, _ = run_case(case, world, tmp_path, capsys)
    assert code == 0, err
    assert "read 60 rows from 121 lines (1 header, 60 blank)" in out
    n_upper = sum(r[3] == "upper" for r in rows)
    case = Case("lines", ["train", "q.csv", "--target", "moon", *FAST, "--multiline-cells",
                          "--out", "b.glassnet"], code=0,
                setup=lambda d: (d / "q.csv").write_text(quoted))  # fmt: skip
    code, out, err, _, _ = run_case(case, world, tmp_path / "2", capsys)
    assert code == 0, err
    assert "inside quoted cells that hold line breaks" in out
    assert f"60 rows from {121 + n_upper} lines (1 header, 60 blank, {n_upper} inside" in out
    case = Case("lines", ["predict", "model.glassnet", "blank.csv"], code=0,
                setup=lambda d: (d / "blank.csv").write_text(text))  # fmt: skip
    code, out, err, _, _ = run_case(case, world, tmp_path / "3", capsys)
    assert code == 0 and len(out.splitlines()) == 61
    assert err == "glassnet: note: 'blank.csv': 60 rows from 121 lines (1 header, 60 blank)\n"


def test_force_replaces_a_file_of_another_kind(world, tmp_path, capsys):
    ok = Case("force", [*TRAIN, "--out", "new.dat", "--force"], code=0, changes=("new.dat",),
              setup=copy("new.dat", "new.csv"))  # fmt: skip
    code, _, err, before, after = run_case(ok, world, tmp_path, capsys)
    assert code == 0, err
    assert after["new.dat"][:8] != before["new.dat"][:8]  # now a model file
    ok = Case("force", [*PREDICT, "--out", "other.out", "--force"], code=0,
              setup=copy("other.out", "model.glassnet"))  # fmt: skip
    code, _, err, before, after = run_case(ok, world, tmp_path / "2", capsys)
    assert code == 0, err
    assert after["other.out"].startswith(b"x1") or after["other.out"].startswith(b"moon")


def test_a_model_or_csv_over_its_own_kind_needs_no_force(world, tmp_path, capsys):
    ok = Case("same kind", [*TRAIN, "--out", "model.glassnet"], code=0)
    code, _, err, before, after = run_case(ok, world, tmp_path, capsys)
    assert code == 0, err
    ok = Case("same kind", [*PREDICT, "--out", "old.csv"], code=0,
              setup=lambda d: (d / "old.csv").write_text("moon\nupper\n"))  # fmt: skip
    code, _, err, before, after = run_case(ok, world, tmp_path / "2", capsys)
    assert code == 0, err
    assert after["old.csv"].startswith(b"moon\n") and after["old.csv"] != before["old.csv"]


def test_battery_totals():
    """The battery holds at least 120 cases, each with its own name; test_bad_input runs
    them, and its count of passes is the closing total: no traceback, no internal error,
    no file changed on error, one line per message."""
    ids = [c.id for c in CASES]
    assert len(ids) >= 120 and len(set(ids)) == len(ids)
    errors = [c for c in CASES if c.code != 0]
    assert len(errors) >= 90 and all(c.needles for c in errors)


@pytest.mark.parametrize(
    ("value", "rule"),
    [(10**30, {"integer": True, "low": 0, "high": 10}), (10**400, {"low": 0, "high": 10})],
)
def test_a_number_too_large_for_a_float_is_named_out_of_its_bounds(value, rule):
    from glassnet._validation import ParameterError, check_number

    with pytest.raises(ParameterError, match="The 'x' parameter of f must be"):
        check_number(value, "x", "f", **rule)
    assert check_number(10**30, "x", "f", integer=True, low=0) == 10**30  # (no upper bound)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (np.full((2, 3), "a"), "must hold real numbers; got dtype <U1"),
        (np.full((2, 3), 1 + 2j), "must hold real numbers; got dtype complex128"),
        (np.array([[None] * 3] * 2), "must hold real numbers; got dtype object"),
        (np.full((2, 3), 1e300), r"overflows float32 \(\|x\| > 3\.4e\+38\): 1e\+300 at"),
    ],
)
def test_load_state_dict_refuses_values_that_are_not_real_finite_weights(value, message):
    model = gn.nn.MLP([2, 3, 1], rng=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match=message):
        model.load_state_dict({**before, "layers.0.W": value})
    assert all(np.array_equal(v, model.state_dict()[k]) for k, v in before.items())


def test_a_huge_bad_value_is_quoted_short_in_the_message():
    # the whole value was repeated: a list of 10,000 numbers as lr made 58,943 characters
    from glassnet._validation import check_number

    with pytest.raises(ValueError) as e:
        check_number(list(range(10_000)), "lr", "SGD", low=0)
    message = str(e.value)
    assert len(message) < 400 and "The 'lr' parameter of SGD" in message
    assert "[0, 1, 2, 3" in message and "...]" in message
    with pytest.raises(ValueError, match=r"^duplicate key 'W': it appears twice in one object$"):
        import json

        from glassnet._validation import distinct_keys

        json.loads('{"W": 1, "W": 2}', object_pairs_hook=distinct_keys)
