"""The command line's round-9 fixes: a quoted header row after a byte-order mark (a second
file joined in) recognised as the header row again, in memory and streamed."""

from __future__ import annotations

import numpy as np
import pytest
from cli_helpers import FAST, assert_one_line_error, run

pytest.importorskip("pyarrow")


def _lines(n: int = 30, seed: int = 0, text: bool = False) -> list[str]:
    """``n`` data lines of ``a,b,y`` (b a text column when ``text``), y a 0/1 label."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        a = rng.normal()
        b = ["x", "z"][i % 2] if text else f"{rng.normal():.3f}"
        out.append(f"{a:.3f},{b},{int(a > 0)}")
    return out


# ------------------------------------------- a quoted header after a byte-order mark


@pytest.mark.parametrize("text", [False, True])
@pytest.mark.parametrize("stream", [False, True])
def test_quoted_header_after_a_bom_is_the_header_again(capsys, tmp_path, text, stream):
    """Two Excel 'CSV UTF-8' files with quoted headers joined into one (cat a.csv b.csv):
    the second one's header row, ``\\ufeff"a","b","y"``, is the header row again, not the
    value '\\ufeff"a"' of column a (the byte-order mark kept the quote from opening the
    cell, so the name stayed quoted)."""
    one = '\ufeff"a","b","y"\n' + "\n".join(_lines(text=text)) + "\n"
    data = tmp_path / "joined.csv"
    data.write_text(one + one, encoding="utf-8")
    flags = ["--stream"] if stream else []
    code, _, err = run(
        capsys, "train", data, "--target", "y", "--out", tmp_path / "m.glassnet", *FAST, *flags
    )
    assert code == 2, err
    assert_one_line_error(err, "header row", "byte-order mark (U+FEFF)", "remove that line")
    if not stream:
        assert "line 32 of" in err
    assert '\\ufeff"a"' not in err
