"""The README's Python examples run, in order, as a reader would paste them."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_python_examples():
    assert len(_blocks()) >= 6


def test_readme_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    namespace: dict = {}
    for i, block in enumerate(_blocks()):
        try:
            exec(compile(block, f"README.md block {i}", "exec"), namespace)
        except Exception as e:  # pragma: no cover - the message says which block failed
            raise AssertionError(f"README block {i} failed: {e!r}\n{block}") from e
    out = capsys.readouterr().out
    # the numbers the README shows in its comments are the ones the code prints
    assert "[0.968 0.035 0.035 0.955]" in out
    assert "[[0.002 0.881]\n [0.119 0.119]\n [0.119 0.119]\n [0.881 0.002]]" in out
    assert namespace["accuracy"] >= 0.95
    assert np.isfinite(namespace["history"].loss).all()
    assert (tmp_path / "model.glassnet").exists()
