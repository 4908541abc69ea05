"""Write static/icons/*.png: the phone page's icons for "Add to Home Screen" (the web app
manifest's 192 and 512 pixel icons, a maskable one, and the iPhone's apple-touch-icon).

The Waitroom mark, a white "W" drawn as one thick stroke, on the brand colour (the
pages' --accent, static/css/base.css). Generated rather than drawn by hand, with no
imaging library (the project's environment has none): a few lines of PNG writing. Run
it again after changing the design: `python tools/make_icons.py`.
"""

from __future__ import annotations

import itertools
import math
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "static" / "icons"
BRAND = (0x0B, 0x5C, 0xAB)  # --accent: 6.6:1 against the white mark
MARK = (0xFF, 0xFF, 0xFF)
# The W's stroke through five points, in a unit square, and its width.
W_POINTS = ((0.16, 0.27), (0.33, 0.75), (0.5, 0.4), (0.67, 0.75), (0.84, 0.27))
W_STROKE = 0.11


@dataclass(frozen=True)
class Icon:
    name: str
    size: int
    mark_scale: float  # the mark's share of the icon's side
    corner: float  # the rounded corners' radius as a share of the side (0: full bleed)


ICONS = (
    Icon("icon-192.png", 192, 0.86, 0.18),
    Icon("icon-512.png", 512, 0.86, 0.18),
    # Maskable: the platform cuts its own shape, keeping at least the middle circle of
    # 80% of the side (the "safe zone"); the mark stays well inside it.
    Icon("icon-maskable-512.png", 512, 0.6, 0.0),
    # iOS rounds the corners itself and shows transparency as black: full bleed.
    Icon("apple-touch-icon.png", 180, 0.86, 0.0),
)


Point = tuple[float, float]


def _segment_distance(px: float, py: float, a: Point, b: Point) -> float:
    ax, ay = a
    dx, dy = b[0] - ax, b[1] - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _coverage(distance_inside: float) -> float:
    """How much of a pixel a shape covers, given how far (in pixels) its centre lies
    inside the shape's edge: a one-pixel ramp, so edges are smooth."""
    return max(0.0, min(1.0, distance_inside + 0.5))


def _rounded_square(x: float, y: float, size: int, radius: float) -> float:
    """How far (pixels) a point lies inside the icon's square with rounded corners."""
    if radius <= 0:
        return math.inf
    half = size / 2
    qx = abs(x - half) - (half - radius)
    qy = abs(y - half) - (half - radius)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0)) + min(max(qx, qy), 0.0)
    return radius - outside


def render(icon: Icon) -> bytes:
    """The icon's pixels, RGBA rows."""
    size = icon.size
    span = size * icon.mark_scale
    offset = (size - span) / 2
    points = [(offset + x * span, offset + y * span) for x, y in W_POINTS]
    segments = list(itertools.pairwise(points))
    half_stroke = W_STROKE * span / 2
    rows = []
    for row in range(size):
        y = row + 0.5
        line = bytearray()
        for column in range(size):
            x = column + 0.5
            alpha = _coverage(_rounded_square(x, y, size, icon.corner * size))
            near = min(_segment_distance(x, y, a, b) for a, b in segments)
            ink = _coverage(half_stroke - near)
            rgb = (round(m * ink + c * (1 - ink)) for m, c in zip(MARK, BRAND, strict=True))
            line.extend((*rgb, round(alpha * 255)))
        rows.append(bytes(line))
    return b"".join(b"\x00" + row for row in rows)  # filter 0 (None) on every row


def png(width: int, height: int, raw: bytes) -> bytes:
    """A PNG file: 8-bit RGBA, one compressed IDAT."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for icon in ICONS:
        path = OUT / icon.name
        path.write_bytes(png(icon.size, icon.size, render(icon)))
        print(f"wrote {path.relative_to(OUT.parent.parent)}")


if __name__ == "__main__":
    main()
