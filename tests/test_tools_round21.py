"""Round 21 (bench, tools and two pieces of process state): the command line called
in-process gives back the ``sys.stdout`` it was called with after its reader left, the
exercise generator leaves glassnet's global random generator alone, and the bench and
tools scripts refuse ordinary mistakes with a usage line (no traceback)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sys
from pathlib import Path

import pytest
from cli_helpers import FAST, HEADER, rows, write_csv

import glassnet as gn
from glassnet import exercises
from glassnet.cli import main

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------- state 2: main() gives back the caller's sys.stdout


class _Gone(io.TextIOBase):
    """A stdout whose reader has left: every write and flush is a broken pipe."""

    def write(self, s: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    def isatty(self) -> bool:
        return False


def _open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else set()


def _model(tmp_path: Path) -> tuple[Path, Path]:
    data = write_csv(tmp_path / "d.csv", HEADER, rows(40))
    model = tmp_path / "m.glassnet"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["train", str(data), "--target", "label", *FAST, "--out", str(model)]) == 0
    return data, model


@pytest.mark.parametrize("command", ["info", "predict", "exercise"])
def test_main_gives_back_the_callers_stdout_after_a_broken_pipe(tmp_path, command):
    """`main(['info', m])` with a stdout whose reader left returned 0 with sys.stdout left
    a newly opened /dev/null file (one more file descriptor): the host's later prints went
    nowhere. info writes through the escaping wrapper; predict into a pipe writes raw."""
    data, model = _model(tmp_path)
    argv = {
        "info": ["info", str(model)],
        "predict": ["predict", str(model), str(data)],
        "exercise": ["exercise", "--seed", "1", "--out", str(tmp_path / "sheet")],
    }[command]
    gone = _Gone()
    before = _open_fds()
    saved = sys.stdout
    sys.stdout = gone
    try:
        with contextlib.redirect_stderr(io.StringIO()) as err:
            code = main(argv)
        after = sys.stdout
    finally:
        sys.stdout = saved
    assert code == 0, err.getvalue()
    assert after is gone, after
    assert _open_fds() <= before, _open_fds() - before


# ------------------------------- state 3: the exercises leave the global generator alone


def test_exercise_generation_leaves_glassnets_global_generator_alone(tmp_path):
    """`exercises.generate(seed=3)` and `main(['exercise', '--seed', ...])` drew from
    glassnet's global generator (the 2-2-1 network was built without its own): the
    values drawn after `manual_seed(0)` changed."""
    gn.manual_seed(0)
    want = gn.rand(3).numpy().tolist()
    gn.manual_seed(0)
    exercises.generate(seed=3)
    assert gn.rand(3).numpy().tolist() == want
    gn.manual_seed(0)
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["exercise", "--seed", "3", "--out", str(tmp_path / "s")]) == 0
    assert gn.rand(3).numpy().tolist() == want


# The sheets (every file: questions, answers, key, template) of these seeds as written before
# the generator stopped drawing from the global one: not one byte of an exercise or of its
# answer key may change with that mend (sha256 of the files' names and bytes, in order).
# (lecture audit 27: the questions' step reads the slides' w ← w − γ ∂L/∂w (γ = lr), not
# w <- w - lr dL/dw: only that line of questions.md and questions.html changed)
# (exercises round 28: the questions name the bias as the slides' w0 and state the weights'
# order; the HTML sheets write e<sup>z₁</sup>, relu′ and −log: key.json, answers.md and
# answers_template.txt are byte for byte as before)
SHEETS = {
    0: "ccb4cc09146a0c54",  # (round 22: key.json's -0.0 values are 0.0, nothing else)
    1: "469672922ab8e716",
    3: "862167e7e9b3633c",
    17: "7fc417513831a6ba",
    359: "602fc7a3d88d4d9a",
    1000: "c07c6a0c99e05882",  # (likewise)
}


@pytest.mark.parametrize("global_seed", [0, 12345])
def test_exercise_sheets_are_unchanged_and_independent_of_the_global_generator(
    tmp_path, global_seed
):
    for seed, want in SHEETS.items():
        gn.manual_seed(global_seed)
        out = tmp_path / f"g{global_seed}_s{seed}"
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["exercise", "--seed", str(seed), "--out", str(out)]) == 0
        h = hashlib.sha256()
        for p in sorted(out.iterdir()):
            h.update(p.name.encode() + b"\0" + p.read_bytes())
        assert h.hexdigest()[:16] == want, seed


# ------------------------- the bench and tools scripts: a usage line for ordinary mistakes


def _script(*argv: str) -> tuple[int, str, str]:
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, *argv], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )
    return proc.returncode, proc.stdout, proc.stderr


MISTAKES = [
    # (command line, the argument the usage line names)
    (["tools/loc.py", "--chek"], "unrecognized arguments: --chek"),
    (["bench/scaling_model.py", "/nonexistent.jsonl"], "no such file"),
    (["bench/micrograd_speed.py", "--rounds", "0"], "argument --rounds: must be at least 1"),
    (["bench/graph_grid.py", "--only", "zzz", "--rounds", "1"], "--only: no cell's label"),
    (["bench/graph_grid.py", "--compare", "/nonexistent.json", "x.json"], "argument --compare"),
    (["bench/many.py", "--rounds", "0"], "argument --rounds"),
    (["bench/fit_overhead.py", "--rounds", "0", "W3"], "argument --rounds"),
    (["bench/fit_overhead.py", "--rounds", "1", "W9"], "argument workloads: unknown ['W9']"),
    (["bench/profile_step.py", "W9"], "argument workload: unknown ['W9']"),
    (["bench/axpy.py", "--workloads", "W9"], "argument --workloads: unknown ['W9']"),
    (["bench/jit.py", "--workloads", "W9"], "argument --workloads: unknown ['W9']"),
    (["bench/same_weights.py", "--compare", "/nonexistent.npz"], "argument --compare"),
    (["bench/ab_inprocess.py", "/nonexistent", "W3"], "argument old"),
    (["bench/ab_graph_loop.py", "/nonexistent"], "argument old"),
    # (--out: were the refusal lost, the report would not replace bench/results-quick.md)
    (["bench/run.py", "--rounds", "0", "--quick", "--out", os.devnull], "argument --rounds"),
    (["bench/sklearn_predict.py", "--rounds", "0"], "argument --rounds"),
    (["bench/threads_gemm.py", "--rounds", "0"], "argument --rounds"),
    (["bench/sklearn_fit.py", "--solvers", "zzz", "--quick"], "argument --solvers: unknown"),
    (["bench/stream_rss.py", "--sizes", "abc"], "argument --sizes: expected a number"),
    (["bench/threads_bits.py", "--counts", "0"], "argument --counts"),
    (["bench/jit.py", "--frameworks", "zzz"], "argument --frameworks: unknown ['zzz']"),
    (["bench/playground_fps.py", "--seconds", "0"], "argument --seconds: must be above 0"),
]


@pytest.mark.parametrize(("argv", "needle"), MISTAKES, ids=[" ".join(a) for a, _ in MISTAKES])
def test_scripts_refuse_ordinary_mistakes_with_a_usage_line(argv, needle):
    """`micrograd_speed.py --rounds 0` ended in an UnboundLocalError, `graph_grid.py --only
    zzz` in `min() arg is an empty sequence`, `tools/loc.py --chek` passed its check with
    status 0, and the others printed a traceback around a message: now each is argparse's
    usage line naming the argument, status 2."""
    code, _, err = _script(*argv)
    assert code == 2, err
    assert "Traceback" not in err, err
    assert needle in err and "error: " in err, err


@pytest.mark.parametrize("script", ["tools/loc.py", "bench/scaling_model.py"])
def test_help_prints_the_usage(script):
    """`tools/loc.py --help` printed the table; `scaling_model.py --help` read '--help' as
    a file name and failed with a traceback."""
    code, out, err = _script(script, "--help")
    assert code == 0, err
    assert out.startswith("usage: ") and ("core" in out or "speedup" in out), out
    assert "__init__.py " not in out and "| global batch |" not in out, out
    assert "Traceback" not in err


def test_loc_check_still_counts_and_scaling_model_still_models():
    code, out, _ = _script("tools/loc.py")
    assert code == 0 and out.splitlines()[-1].startswith("core ")
    code, out, err = _script("bench/scaling_model.py", "bench/mpi_scaling_run2.jsonl")
    assert code == 0, err
    assert "| global batch | N=1 |" in out and "100 Gb/s InfiniBand" in out


def test_run_help_names_the_thread_count_framework_names():
    """bench/run.py --help listed numpy,...,glassnet.graph but not glassnet@N or
    glassnet@load, which bench/README.md and README.md use."""
    code, out, err = _script("bench/run.py", "--help")
    assert code == 0, err
    flat = " ".join(out.split())
    assert "glassnet@N" in flat and "glassnet@load" in flat, out


# --------------------------------- bench/README.md's latest results: the committed run's


def _ratios(text: str) -> dict[str, dict[str, float]]:
    """The 'glassnet / other' table of a report: {workload: {peer: ratio}}."""
    head = "| workload | numpy | torch | torch.compile | sklearn | jax |"
    rows = text.split(head, 1)[1].strip().splitlines()[1:]
    peers = [c.strip() for c in head.strip("|").split("|")][1:]
    out = {}
    for row in rows:
        if not row.startswith("| W"):
            break
        cells = [c.strip() for c in row.strip("|").split("|")]
        out[cells[0]] = {p: float(c.rstrip("×")) for p, c in zip(peers, cells[1:]) if c != "-"}
    return out


def test_bench_readme_latest_results_are_the_committed_runs():
    """bench/README.md's "Latest results" said they were the run in bench/results.md but
    came from another run, and marked "ahead of torch.compile on every workload" met where
    the committed run measured 0.79x on W1-b1024."""
    results = (ROOT / "bench" / "results.md").read_text(encoding="utf-8")
    readme = (ROOT / "bench" / "README.md").read_text(encoding="utf-8")
    latest = readme.split("## Latest results", 1)[1].split("### Where the time goes", 1)[0]
    for row in results.splitlines():  # the throughput and per-op rows, verbatim
        if "samples/s" in row or "steps/s" in row or row.startswith("| forward"):
            assert row in latest, row
    ratios = _ratios(results)
    assert _ratios(latest) == ratios
    targets = latest.split("### Against the targets", 1)[1]
    for peer, words in [
        ("torch", "ahead of PyTorch eager on every workload"),
        ("torch.compile", "ahead of torch.compile on every workload"),
        ("sklearn", "ahead of scikit-learn's MLP on every workload it runs"),
    ]:
        row = next(r for r in targets.splitlines() if r.startswith(f"| {words} |"))
        met = min(r[peer] for r in ratios.values() if peer in r) > 1
        assert row.rstrip(" |").endswith("| met") == met, row


# ----------------------------------------------- bench/ab.sh, which the bench README quotes


def test_ab_sh_that_the_bench_readme_quotes_is_shipped_and_runs():
    """bench/README.md's third and fourth sittings quote `ROUNDS=3 ab.sh`, a script that was
    not in the repository. One quick round, this tree against itself (a folder as OLD, so
    no git worktree): the table of glassnet / numpy on each side and new / old."""
    import subprocess

    readme = (ROOT / "bench" / "README.md").read_text(encoding="utf-8")
    quoted = {line.split()[1] for line in readme.splitlines() if line.startswith("ROUNDS=")}
    assert quoted == {"bench/ab.sh"}, quoted
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    env.update(ROUNDS="1", OLD=str(ROOT), HARNESS="new", PYTHON=sys.executable)
    proc = subprocess.run(
        ["bash", "bench/ab.sh", "--quick", "--workloads", "W3"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "| workload | new / numpy | old / numpy | new / old |" in proc.stdout
    row = next(r for r in proc.stdout.splitlines() if r.startswith("| W3 |"))
    assert len(row.split("|")) == 6 and float(row.split("|")[4]) > 0, row
    env["ROUNDS"] = "0"
    proc = subprocess.run(
        ["bash", "bench/ab.sh"], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert proc.returncode == 2 and "ROUNDS must be a whole number" in proc.stderr


# ------------------------------- docs/scaling.md's stream_rss.py tables: what it prints


@pytest.mark.parametrize(
    ("cli", "saved"), [(False, "stream_rss.jsonl"), (True, "stream_rss_cli.jsonl")]
)
def test_scaling_docs_show_the_tables_stream_rss_prints(cli, saved):
    """docs/scaling.md quoted `stream_rss.py --cli` with an epoch, other and held-out
    accuracy column that the script did not print (it printed the Python API's table in
    both modes). The tables are now the script's output for the saved rows, line by line."""
    code, out, err = _script(
        "bench/stream_rss.py", *["--cli"] * cli, "--from-json", f"bench/{saved}"
    )
    assert code == 0, err
    table = out.strip()
    assert ("held-out accuracy" in table) == cli and table.count("\n") >= 3, table
    assert table in (ROOT / "docs" / "scaling.md").read_text(encoding="utf-8"), table


# ---------------------------------------- docs/img's PNG plots: current, pixel for pixel


def _gallery():
    import importlib.util

    spec = importlib.util.spec_from_file_location("gallery_round21", ROOT / "docs" / "gallery.py")
    assert spec is not None and spec.loader is not None
    gallery = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gallery)
    return gallery


def _redrawn(tmp_path: Path) -> dict:
    """`docs/gallery.py --pngs` in a process of its own with a clean environment: only what
    the gallery imports (not SciPy, whose BLAS a test process may hold beside NumPy's) and
    no user's matplotlibrc (MPLCONFIGDIR an empty folder, run from another empty one)."""
    import json
    import subprocess

    home = tmp_path / "clean"
    (home / "mpl").mkdir(parents=True)
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), "HOME": str(home)}
    env.update(MPLCONFIGDIR=str(home / "mpl"), MPLBACKEND="Agg")
    argv = [sys.executable, str(ROOT / "docs" / "gallery.py"), "--pngs", "--out", str(home / "o")]
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=home, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _check_gallery(tmp_path: Path) -> bool:
    """The record matches the committed PNGs; where the versions the PNGs are redrawn under
    are the recorded ones, the redrawn pixels are the recorded ones. True: compared."""
    import json

    gallery = _gallery()
    record = json.loads((ROOT / "docs" / "img" / "gallery_png.json").read_text())
    pngs = sorted(n for n in gallery.pictures() if n.endswith(".png"))
    assert sorted(record["pixels"]) == pngs
    for name in pngs:  # the record is the committed files'
        assert gallery.pixels(ROOT / "docs" / "img" / name) == record["pixels"][name], name
    drawn = _redrawn(tmp_path)
    assert sorted(drawn["pixels"]) == pngs
    if drawn["environment"] != record["environment"]:
        return False  # (another matplotlib, NumPy, machine or BLAS: pixels may differ)
    for name in pngs:
        assert drawn["pixels"][name] == record["pixels"][name], f"docs/img/{name} is stale"
    return True


def test_gallery_pngs_are_what_the_gallery_draws(tmp_path):
    """Two committed PNGs differed from what `python docs/gallery.py` drew (one pixel each),
    which the gallery test, comparing sizes only, could not see. docs/img/gallery_png.json
    records the versions that drew the PNGs and each one's pixels: the record matches the
    committed files everywhere, and where matplotlib, NumPy, the machine and the BLAS are
    the recorded ones the PNGs are redrawn and compared pixel for pixel. (Elsewhere a pixel
    comparison would fail on text or antialiasing that another matplotlib draws otherwise,
    and a boundary another CPU's BLAS rounds otherwise; test_viz's gallery test checks
    their sizes there.)"""
    pytest.importorskip("matplotlib")
    _check_gallery(tmp_path)


def test_gallery_redraw_ignores_the_test_process_and_a_users_matplotlibrc(tmp_path, monkeypatch):
    """The redraw ran in the test process: once SciPy was imported (the sklearn and torch
    tests, earlier in the suite) its BLAS was listed beside NumPy's, the environment differed
    from the record and the comparison silently did not run; and a user's matplotlibrc
    (font.family: serif) drew every PNG otherwise, a false 'stale'. Now the PNGs are drawn
    in a clean process, under matplotlib's defaults: here the comparison runs (where the
    recorded versions are this machine's) whatever the test process imported."""
    pytest.importorskip("matplotlib")
    pytest.importorskip("scipy.linalg")  # (as the tests before this one import it)
    rc = tmp_path / "rc"
    rc.mkdir()
    (rc / "matplotlibrc").write_text("font.family: serif\nlines.linewidth: 4\n")
    monkeypatch.setenv("MPLCONFIGDIR", str(rc))
    monkeypatch.setenv("MATPLOTLIBRC", str(rc / "matplotlibrc"))
    monkeypatch.chdir(rc)
    compared = _check_gallery(tmp_path)
    gallery = _gallery()
    import json

    record = json.loads((ROOT / "docs" / "img" / "gallery_png.json").read_text())
    here = {k: v for k, v in gallery.environment().items() if k != "blas"}
    if here == {k: v for k, v in record["environment"].items() if k != "blas"}:
        # (this machine's matplotlib, NumPy and machine are the recorded ones: the redraw's
        # BLAS, NumPy's alone, is too where NumPy's is among this process's)
        assert compared or record["environment"]["blas"][0] not in gallery.environment()["blas"]
