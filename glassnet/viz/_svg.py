"""A few helpers to write SVG by hand (no system dependency)."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

CHAR_W = 7.2  # width of one 12 px monospace character, in px
LINE_H = 15.0  # line height for 12 px text


def esc(text: Any) -> str:
    """Escape text for an SVG/XML text node or attribute."""
    return escape(str(text), {'"': "&quot;"})


def text_width(text: str, size: float = 12.0) -> float:
    """Approximate width of monospace ``text`` at font size ``size``."""
    return len(text) * CHAR_W * size / 12.0


def svg_open(width: float, height: float, title: str = "") -> list[str]:
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="DejaVu Sans Mono, Menlo, '
        f'Consolas, monospace" font-size="12">',
    ]
    if title:
        out.append(f"<title>{esc(title)}</title>")
    out.append(f'<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="white"/>')
    return out


def arrow_marker(ident: str, color: str) -> str:
    return (
        f'<marker id="{ident}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{color}"/></marker>'
    )
