"""The colours staff pick under Branding, turned into a palette that stays readable (WCAG AA).

Staff may pick any primary and accent colour. Text on a coloured bar gets white or near-black,
whichever contrasts more; links and headings on white use the colour darkened just enough to reach
4.5:1. Imports nothing of the app (the portal pages, the back office and the favicon read it).
"""
from __future__ import annotations

import hashlib
import re

WHITE = "#ffffff"
#: body text colour of the portal, used on light backgrounds
DARK = "#111827"
#: WCAG AA for normal text
AA = 4.5
_HEX = re.compile(r"#?([0-9a-fA-F]{6})")


def _rgb(color: str) -> tuple[int, int, int]:
    match = _HEX.fullmatch((color or "").strip())
    if not match:
        raise ValueError(f"not a #rrggbb colour: {color!r}")
    value = match.group(1)
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _hex(rgb) -> str:
    return "#" + "".join(f"{round(max(0, min(255, c))):02x}" for c in rgb)


def luminance(color: str) -> float:
    """Relative luminance (WCAG 2.1)."""
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """Contrast ratio of two colours, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_on(background: str) -> str:
    """White or near-black text, whichever reads better on `background`."""
    return WHITE if contrast(WHITE, background) >= contrast(DARK, background) else DARK


def ink(color: str, background: str = WHITE, minimum: float = AA) -> str:
    """`color`, darkened in small steps until text of it on `background` reaches `minimum` contrast."""
    rgb = _rgb(color)
    for step in range(21):
        candidate = _hex(c * (1 - step / 20) for c in rgb)
        if contrast(candidate, background) >= minimum:
            return candidate
    return DARK


def palette(primary: str, accent: str) -> dict[str, str]:
    """CSS custom properties (without the leading --) for the two branding colours."""
    primary, accent = _hex(_rgb(primary)), _hex(_rgb(accent))
    return {
        "primary": primary, "on-primary": text_on(primary), "primary-ink": ink(primary),
        "accent": accent, "on-accent": text_on(accent), "accent-ink": ink(accent),
    }


def version(colors: dict[str, str]) -> str:
    """A short fingerprint of a palette, for cache-busting the stylesheet that carries it."""
    return hashlib.sha256(repr(sorted(colors.items())).encode()).hexdigest()[:12]
