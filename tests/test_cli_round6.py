"""The command line's round-6 fixes: a Ctrl-C while it imports, explain reading only the
rows it shows, --decimal stored in the model file, and pandas' row index."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import FAST, assert_one_line_error, run, write_csv

ROOT = Path(__file__).resolve().parents[1]

#: Run ``python -m glassnet --help`` as runpy does, with a Ctrl-C (a KeyboardInterrupt)
#: raised when the module named by argv[1] is imported: the moment a user presses it while
#: the command line is still importing.
_INTERRUPTED_IMPORT = textwrap.dedent(
    """
    import runpy, sys

    module = sys.argv[1]

    class Interrupt:
        def find_spec(self, name, path=None, target=None):
            if name == module:
                raise KeyboardInterrupt
            return None

    sys.meta_path.insert(0, Interrupt())
    sys.argv = ["-m", "--help"]
    runpy.run_module("glassnet", run_name="__main__", alter_sys=True)
    """
)


@pytest.mark.parametrize("module", ["glassnet.cli", "argparse", "shlex"])
def test_ctrl_c_while_the_command_line_imports_is_one_line_and_130(module):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONSTARTUP", None)
    proc = subprocess.run(
        [sys.executable, "-c", _INTERRUPTED_IMPORT, module],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr == "glassnet: error: interrupted\n"
    assert proc.returncode == 130
    assert proc.stdout == ""


# ---------------------------------------------------------------- --decimal in the model file


def _comma_rows(n: int = 40, seed: int = 0) -> list[list[str]]:
    """Rows of a European spreadsheet's export: decimal commas, ';' between cells."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return [
        [f"{a:.3f}".replace(".", ","), f"{b:.3f}".replace(".", ","), "yes" if a + b > 0 else "no"]
        for a, b in X
    ]


@pytest.fixture
def comma_model(tmp_path):
    data = write_csv(tmp_path / "eu.csv", ["a", "b", "label"], _comma_rows(), delimiter=";")
    model = tmp_path / "eu.glassnet"
    code = run_quiet("train", data, "--target", "label", "--decimal", ",", "--out", model)
    assert code == 0
    return data, model


def run_quiet(*argv: object) -> int:
    from glassnet.cli import main

    return main([str(a) for a in argv] + FAST)


def test_decimal_of_train_is_stored_and_is_the_default_of_predict_evaluate_explain(
    tmp_path, capsys, comma_model
):
    data, model = comma_model
    capsys.readouterr()
    new = write_csv(tmp_path / "new.csv", ["a", "b"], [["1,5", "0,25"], ["-2,5", "-1,75"]], ";")
    code, out, err = run(capsys, "predict", model, new)
    assert (code, err) == (0, ""), err
    assert len(out.splitlines()) == 3
    # the same predictions as with --decimal given again, and as the same numbers written
    # with decimal points and read with --decimal .
    assert run(capsys, "predict", model, new, "--decimal", ",")[1] == out
    points = write_csv(tmp_path / "pt.csv", ["a", "b"], [["1.5", "0.25"], ["-2.5", "-1.75"]])
    assert run(capsys, "predict", model, points, "--decimal", ".")[1] == out
    code, out, err = run(capsys, "evaluate", model, data)
    assert code == 0 and "accuracy" in out, err
    code, out, err = run(capsys, "explain", model, "--row", "2", data)
    assert code == 0, err
    assert out.startswith("row 2 of ") and "a=" in out
    code, out, err = run(capsys, "info", model)
    assert "numbers       read with the decimal mark ',' (--decimal)" in out
    from glassnet.io import load_arrays

    assert load_arrays(model)[1]["meta"]["training"]["decimal"] == ","


def test_an_explicit_decimal_overrides_the_models(tmp_path, capsys, comma_model):
    _, model = comma_model
    capsys.readouterr()
    points = write_csv(tmp_path / "pt.csv", ["a", "b"], [["1.5", "0.25"], ["-2.5", "-1.75"]])
    code, out, err = run(capsys, "predict", model, points, "--decimal", ".")
    assert (code, err) == (0, ""), err
    assert len(out.splitlines()) == 3
    # without it the model's ',' is used, and the error says it is the model's
    code, out, err = run(capsys, "predict", model, points)
    assert code == 2
    assert_one_line_error(err, "--decimal ','", "is the model's", "give --decimal . for a file")


def test_a_model_file_without_a_stored_decimal_reads_with_the_point(tmp_path, capsys):
    from glassnet.io import load_arrays, load_model, save_model

    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 2))
    rows = [[f"{a:.3f}", f"{b:.3f}", "yes" if a + b > 0 else "no"] for a, b in X]
    data = write_csv(tmp_path / "d.csv", ["a", "b", "label"], rows)
    model = tmp_path / "m.glassnet"
    assert run_quiet("train", data, "--target", "label", "--out", model) == 0
    meta = load_arrays(model)[1]["meta"]
    assert meta["training"].pop("decimal") == "."
    old = save_model(load_model(model, network_only=True), tmp_path / "old.glassnet", meta=meta)
    capsys.readouterr()
    code, out, err = run(capsys, "predict", old, data)
    assert (code, err) == (0, ""), err
    assert len(out.splitlines()) == 41
    assert "decimal mark" not in run(capsys, "info", old)[1]
