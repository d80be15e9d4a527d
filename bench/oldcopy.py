"""An older glassnet beside the current one, in one interpreter (bench/ab_inprocess.py,
bench/micrograd_speed.py): its package copied as ``glassnet_old``, its absolute imports
renamed."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path


def old_package(root: Path, into: Path) -> str:
    """Copy ``root/glassnet`` to ``into/glassnet_old`` (absolute ``glassnet`` imports renamed),
    put ``into`` on ``sys.path`` and return the package's name, ``"glassnet_old"``."""
    target = into / "glassnet_old"
    shutil.copytree(Path(root) / "glassnet", target)
    for path in target.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        new = re.sub(r"\b(from|import) glassnet([\s.])", r"\1 glassnet_old\2", text)
        # the package's own name where a module's origin is checked (``__module__`` read
        # against the literal "glassnet."): the copy's classes live in glassnet_old
        new = re.sub(r"(['\"])glassnet\.\1", r"\1glassnet_old.\1", new)
        if new != text:
            path.write_text(new, encoding="utf-8")
    if str(into) not in sys.path:
        sys.path.insert(0, str(into))
    return "glassnet_old"
