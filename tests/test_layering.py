"""The layering of DESIGN.md, checked by tools rather than by hand.

1. import-linter's contracts in pyproject.toml (``[tool.importlinter]``): each layer
   imports only the layers below it (tensor -> functional -> nn -> tasks -> fast path,
   optim -> train -> front doors), and the core never imports a front door.
2. No module imports another module's private names: a name with a leading underscore
   stays in its module (``from .explain import _fmt`` is refused; ``__version__`` and
   other dunder names are fine, and so are the package's private modules such as
   ``glassnet._validation``, whose public names are the package's to share).
"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "glassnet"


def test_import_linter_contracts_are_kept():
    if importlib.util.find_spec("importlinter") is None:
        pytest.skip('import-linter is not installed: pip install -e ".[test]" installs it')
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports_command; lint_imports_command()",
            "--config",
            str(ROOT / "pyproject.toml"),
            "--no-cache",
            "--no-logo",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = run.stdout + run.stderr
    assert run.returncode == 0, f"import-linter found broken contracts:\n{report}"
    assert "0 broken" in report, report


# ------------------------------------------------------------------ private names


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(dotted: str) -> bool:
    """Whether ``dotted`` (e.g. glassnet._validation) names a module or package of ours."""
    base = ROOT.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module name of ``from <node.module> import ...`` inside ``importer``."""
    if node.level == 0:
        return node.module or ""
    package = importer.split(".") if is_package else importer.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def private_imports(path: Path) -> list[str]:
    """Each place in ``path`` that takes another glassnet module's private name:
    ``from X import _name`` and ``X._name`` on a module bound by an import."""
    importer = _module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    modules: dict[str, str] = {}  # local name -> the glassnet module it is bound to
    where = f"{path.relative_to(ROOT)}"
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = _resolve(importer, path.name == "__init__.py", node)
            if source != "glassnet" and not source.startswith("glassnet."):
                continue
            for alias in node.names:
                full = f"{source}.{alias.name}"
                if _is_module(full):
                    modules[alias.asname or alias.name] = full
                elif _is_private(alias.name) and source != importer:
                    found.append(f"{where}:{node.lineno}: from {source} import {alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("glassnet.") and alias.asname:
                    modules[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and _is_private(node.attr)
            and not _is_module(f"{modules[node.value.id]}.{node.attr}")
        ):
            found.append(f"{where}:{node.lineno}: {modules[node.value.id]}.{node.attr}")
    return found


def test_the_checker_sees_private_imports(tmp_path, monkeypatch):
    # the rule itself, on a small fake package laid out like glassnet
    pkg = tmp_path / "glassnet"
    (pkg / "viz").mkdir(parents=True)
    for name in ("__init__.py", "explain.py", "_validation.py", "viz/__init__.py"):
        (pkg / name).write_text("")
    (pkg / "viz" / "plots.py").write_text(
        "from ..explain import _fmt, public\n"
        "from .. import explain as ex\n"
        "from .._validation import check_number\n"
        "from .. import _validation, __version__\n"
        "import glassnet.explain as gx\n"
        "ex._forward(1)\n"
        "gx.public, _validation.check_number, ex.__doc__\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    found = private_imports(pkg / "viz" / "plots.py")
    assert found == [
        "glassnet/viz/plots.py:1: from glassnet.explain import _fmt",
        "glassnet/viz/plots.py:6: glassnet.explain._forward",
    ]


def test_no_module_imports_another_modules_private_names():
    found = [hit for path in sorted(PACKAGE.rglob("*.py")) for hit in private_imports(path)]
    assert not found, (
        "A name with a leading underscore stays in its module; make it public in one "
        "place (or move it to the module that needs it):\n  " + "\n  ".join(found)
    )
