"""The class summary's two charts as SVG text: a histogram of scores and a bar per item of its pass rate.

Plain SVG written by hand: it opens in any browser and shows in a rendered summary.md, costs a few milliseconds
(a plotting library costs a second to import at the end of every batch), and is text, so it is written atomically
like every other file of a batch and two runs on the same records give the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from xml.sax.saxutils import escape

FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12"'
BLUE, GREEN, GREY = "#4c72b0", "#55a868", "#cccccc"


def _svg(width: int, height: int, body: list[str]) -> str:
    return "\n".join([f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
                      f'viewBox="0 0 {width} {height}" {FONT}>',
                      f'<rect width="{width}" height="{height}" fill="white"/>', *body, "</svg>", ""])


def _num(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _step(top: float, ticks: int = 5) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) that covers 0..top in about ``ticks`` steps."""
    raw = max(top, 1e-9) / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def bins(values: Sequence[float], max_score: float) -> tuple[list[float], list[int]]:
    """Edges (n + 1) and counts (n) of the histogram: up to 20 equal bins over 0..max_score; the last bin holds
    full marks, and values outside the range go to the first or last bin."""
    top = max_score if max_score > 0 else 1.0
    n = min(20, max(1, int(max_score))) if max_score > 0 else 10
    edges = [top * i / n for i in range(n + 1)]
    counts = [0] * n
    for v in values:
        counts[min(n - 1, max(0, int(v / top * n)))] += 1
    return edges, counts


def histogram_svg(values: Sequence[float], max_score: float, score_label: str, note: str = "") -> str:
    """Bars of the number of submissions per score bin, with the axes labelled; note: added to the title (e.g.
    how many scores a reviewer set)."""
    width, height, left, right, top, bottom = 700, 400, 60, 20, 40, 50
    plot_w, plot_h = width - left - right, height - top - bottom
    edges, counts = bins(values, max_score)
    peak = max(counts, default=0) or 1
    step = max(1, int(_step(peak)))
    y_top = step * math.ceil(peak / step)
    bar_w = plot_w / len(counts)
    body = [f'<text x="{width / 2}" y="24" text-anchor="middle" font-size="14">Scores of {len(values)} graded '
            f'submissions{escape(f" ({note})") if note else ""}</text>']
    for k in range(0, y_top + 1, step):
        y = top + plot_h * (1 - k / y_top)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GREY}"/>')
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{k}</text>')
    for i, c in enumerate(counts):
        h = plot_h * c / y_top
        body.append(f'<rect class="bar" x="{left + i * bar_w + 0.5:.1f}" y="{top + plot_h - h:.1f}" '
                    f'width="{bar_w - 1:.1f}" height="{h:.1f}" fill="{BLUE}"><title>{_num(edges[i])} to '
                    f'{_num(edges[i + 1])}: {c}</title></rect>')
    label_every = max(1, math.ceil(len(counts) / 10))
    for i in range(0, len(edges), label_every):
        x = left + i * bar_w
        body.append(f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle">{_num(edges[i])}</text>')
    body += [f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="black"/>',
             f'<text x="{left + plot_w / 2}" y="{height - 10}" text-anchor="middle">score (out of '
             f'{escape(score_label)})</text>',
             f'<text transform="translate(16 {top + plot_h / 2}) rotate(-90)" text-anchor="middle">'
             f'submissions</text>']
    return _svg(width, height, body)


def pass_rates_svg(names: Sequence[str], rates: Sequence[float]) -> str:
    """One horizontal bar per item (top to bottom in rubric order): the share of graded submissions that passed
    every check of it, in percent (0..100)."""
    row, left, right, top, bottom, width = 26, 180, 50, 40, 40, 700
    plot_w = width - left - right
    height = top + bottom + row * len(names)
    body = [f'<text x="{width / 2}" y="24" text-anchor="middle" font-size="14">Pass rate per item</text>']
    for k in range(0, 101, 20):
        x = left + plot_w * k / 100
        body.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + row * len(names)}" stroke="{GREY}"/>')
        body.append(f'<text x="{x:.1f}" y="{top + row * len(names) + 16}" text-anchor="middle">{k}</text>')
    for i, (name, rate) in enumerate(zip(names, rates)):
        y = top + i * row
        w = plot_w * min(100.0, max(0.0, rate)) / 100
        body.append(f'<text x="{left - 8}" y="{y + row / 2 + 4:.1f}" text-anchor="end">{escape(name)}</text>')
        body.append(f'<rect class="bar" x="{left}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" '
                    f'fill="{GREEN}"/>')
        body.append(f'<text x="{left + w + 4:.1f}" y="{y + row / 2 + 4:.1f}">{rate:.0f}%</text>')
    body.append(f'<text x="{left + plot_w / 2}" y="{height - 8}" text-anchor="middle">% of graded submissions '
                f'passing every check</text>')
    return _svg(width, height, body)
