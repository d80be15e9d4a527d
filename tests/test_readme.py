"""The README's Python examples run, in order, as a reader would paste them.

A block that cannot run here says so on the line before its fence, with the reason:
``<!-- not run: REASON -->`` (docs/*.md use the same mark; tests/test_docs_examples.py).
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
NOT_RUN = re.compile(r"<!-- not run: (.*?) -->\n$")


def _fenced() -> list[tuple[str, str, str | None]]:
    """Every fenced block of the README: (language, body, the reason it is not run)."""
    text = README.read_text(encoding="utf-8")
    blocks = []
    for m in re.finditer(r"```(\w*)\n(.*?)```", text, flags=re.S):
        mark = NOT_RUN.search(text, 0, m.start())
        blocks.append((m.group(1), m.group(2), mark.group(1) if mark else None))
    return blocks


def _blocks() -> list[str]:
    """The Python blocks a reader can run: every one not marked ``not run``."""
    return [body for lang, body, why in _fenced() if lang == "python" and why is None]


def test_readme_has_python_examples():
    assert len(_blocks()) >= 6
    for _, body, why in _fenced():  # a block left out says why
        assert why is None or why.strip(), body


def test_readme_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    namespace: dict = {}
    for i, block in enumerate(_blocks()):
        try:
            exec(compile(block, f"README.md block {i}", "exec"), namespace)
        except Exception as e:  # pragma: no cover - the message says which block failed
            raise AssertionError(f"README block {i} failed: {e!r}\n{block}") from e
    out = capsys.readouterr().out
    text = README.read_text(encoding="utf-8")
    # the numbers the README shows in its comments are the ones the code prints
    assert "[0.968 0.035 0.035 0.955]" in out
    assert "[[0.002 0.881]\n [0.119 0.119]\n [0.119 0.119]\n [0.881 0.002]]" in out
    shown = re.search(r"accuracy = .*# (0\.\d+)\n", text).group(1)
    assert f"{namespace['accuracy']:.2f}" == shown
    assert np.isfinite(namespace["history"].loss).all()
    assert (tmp_path / "model.glassnet").exists()
    # "how often gradient descent solves XNOR from a random start (73 of 100 at lr 2.0)"
    solved = re.search(r"\((\d+) of 100 at lr 2\.0\)", text).group(1)
    assert namespace["stuck"] == 100 - int(solved)
    assert namespace["result"].best_params["lr"] == 8.0  # {'lr': 8.0, 'seed': ...}


def test_readme_quotes_the_core_line_count_tools_loc_prints():
    """The design notes quote `python tools/loc.py`'s core total and budget: the same numbers
    (the tool's own count, over the core's files only, so that the check stays cheap)."""
    spec = importlib.util.spec_from_file_location("loc", ROOT / "tools" / "loc.py")
    loc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loc)
    files = [f for f in sorted(loc.ROOT.rglob("*.py")) if loc.is_core(f.relative_to(loc.ROOT))]
    core = sum(loc.code_lines(f) for f in files)
    text = " ".join(README.read_text(encoding="utf-8").split())
    quote = r"`python tools/loc\.py` counts ([\d,]+) code lines .*? against the ([\d,]+)"
    quoted = re.search(quote, text)
    assert quoted is not None
    assert int(quoted.group(1).replace(",", "")) == core, "README.md's design notes: update it"
    assert int(quoted.group(2).replace(",", "")) == loc.BUDGET


def test_readme_names_every_optional_extra():
    """Quick start lists the extras of pyproject.toml (all but the developers' test and dev)."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    table = pyproject.split("[project.optional-dependencies]\n")[1].split("\n[")[0]
    extras = re.findall(r"^(\w+) = \[", table, re.M)
    assert "all" in extras
    quick_start = README.read_text(encoding="utf-8").split("## The lecture in a few lines")[0]
    for extra in set(extras) - {"test", "dev"}:
        assert f"`glassnet[{extra}]`" in quick_start, extra


def test_readme_counts_the_playgrounds_choices():
    """ "ten data sets (eight to classify, two to regress), seven input features, 0-6 hidden
    layers of 1-8 neurons, five activations": the playground's own tables."""
    from glassnet.playground import engine

    numbers = "zero one two three four five six seven eight nine ten"
    words = dict(enumerate(numbers.split()))
    text = " ".join(README.read_text(encoding="utf-8").split())
    classify, regress = len(engine.CLASSIFICATION_DATASETS), len(engine.REGRESSION_DATASETS)
    counts = (
        f"{words[classify + regress]} data sets ({words[classify]} to classify, "
        f"{words[regress]} to regress), {words[len(engine.FEATURES)]} input features, "
        f"0-{engine.LIMITS['hidden_layers']} hidden layers of 1-{engine.LIMITS['neurons']} "
        f"neurons, {words[len(engine.ACTIVATIONS)]} activations"
    )
    assert counts in text


def _resolves(name: str) -> bool:
    """Whether a dotted name is importable: the longest module prefix, then attributes."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for part in parts[i:]:
            if not hasattr(obj, part):
                return False
            obj = getattr(obj, part)
        return True
    return False


def test_every_glassnet_name_in_the_readme_exists():
    """Each `glassnet.x.y` the README gives (its changelog aside: it names removed ones) is
    there to import."""
    pytest.importorskip("sklearn")
    pytest.importorskip("onnx")
    text = README.read_text(encoding="utf-8").split("## Changelog")[0]
    names = set(re.findall(r"(?<![\w/.])(glassnet(?:\.[A-Za-z_]\w*)+)", text))
    missing = sorted(name for name in names if not _resolves(name))
    assert not missing, f"README.md names what is not there: {missing}"


def test_what_is_inside_names_every_public_module():
    """The "What is inside" table names each public module of the package (a module whose
    name starts with _ and the command line's aside), so a new module cannot go unlisted."""
    text = README.read_text(encoding="utf-8")
    table = text.split("## What is inside")[1].split("\n\n")[1]
    pkg = ROOT / "glassnet"
    modules = {
        ".".join(p.relative_to(pkg).with_suffix("").parts).removesuffix(".__init__")
        for p in pkg.rglob("*.py")
        if p.parent == pkg or p.name == "__init__.py"
    }
    public = {m for m in modules if m and not m.startswith("_") and m not in ("cli", "tensor")}
    missing = sorted(m for m in public if f"`glassnet.{m}" not in table)
    assert not missing, f"the README's 'What is inside' table leaves out {missing}"
