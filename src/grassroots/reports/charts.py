"""Simple charts drawn with fpdf2's own primitives (lines, rectangles, text) onto a
``grassroots.core.pdf.Document``: a line chart of daily counts and a horizontal bar chart of scores.

Why not matplotlib: it is not installed and would add tens of megabytes (and a font setup of its own)
for two kinds of chart. Drawn here, the charts are vectors (sharp when printed), a few kilobytes,
and use the document's own Chinese font.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from grassroots.core.pdf import Document

GRID = (225, 225, 225)
AXIS = (120, 120, 120)
TEXT = (60, 60, 60)
BAR = (192, 57, 43)  # the site's red
BAR_LIGHT = (236, 180, 172)


def nice_max(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k at or above ``value`` (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover


def count_max(value: float) -> int:
    """The top of an axis of counts with four whole-numbered steps (4, 8, 12, 16, 20, 24, 32, 40, …)."""
    need = max(1, math.ceil(value / 4))
    k = 0
    while True:
        for s in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8):
            step = s * 10 ** k
            if step >= need and float(step).is_integer():
                return int(4 * step)
        k += 1


def _number(value: float) -> str:
    return f"{value:g}"


def _reset(doc: Document) -> None:
    """Back to the document's colours (tables take the current fill colour)."""
    doc.pdf.set_text_color(0, 0, 0)
    doc.pdf.set_draw_color(0, 0, 0)
    doc.pdf.set_fill_color(255, 255, 255)
    doc.pdf.set_line_width(0.2)


def _room(doc: Document, height: float) -> None:
    if doc.pdf.will_page_break(height):
        doc.new_page()


def _title(doc: Document, text: str) -> None:
    doc.pdf.set_font("cjk", size=10)
    doc.pdf.set_text_color(*TEXT)
    doc.pdf.cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")


def line_chart(doc: Document, *, title: str, labels: Sequence[str],
               series: Sequence[tuple[str, Sequence[int], tuple[int, int, int]]], height: float = 62) -> None:
    """Lines of counts over ``labels`` (days), with a legend under the title and a light grid."""
    pdf = doc.pdf
    _room(doc, height + 18)
    _title(doc, title)
    x0, top = pdf.l_margin + 10, pdf.get_y() + 7
    width, plot_h = doc.width - 12, height - 12
    bottom = top + plot_h
    top_value = count_max(max((v for _n, values, _c in series for v in values), default=0))
    # legend
    pdf.set_font("cjk", size=8)
    lx = x0
    for name, _values, color in series:
        pdf.set_draw_color(*color)
        pdf.set_line_width(0.8)
        pdf.line(lx, top - 4, lx + 6, top - 4)
        pdf.set_text_color(*TEXT)
        pdf.text(lx + 7.5, top - 3, name)
        lx += 10 + pdf.get_string_width(name) + 4
    # grid and y labels
    pdf.set_line_width(0.2)
    for i in range(5):
        y = bottom - plot_h * i / 4
        pdf.set_draw_color(*(AXIS if i == 0 else GRID))
        pdf.line(x0, y, x0 + width, y)
        label = _number(top_value * i / 4)
        pdf.text(x0 - 1.5 - pdf.get_string_width(label), y + 1, label)
    n = len(labels)
    step = width / max(n - 1, 1)
    every = 1 if n <= 12 else (2 if n <= 20 else 3)
    for i, label in enumerate(labels):
        if i % every == 0 or i == n - 1:
            x = x0 + step * i
            pdf.set_draw_color(*AXIS)
            pdf.line(x, bottom, x, bottom + 1)
            pdf.text(x - pdf.get_string_width(label) / 2, bottom + 4.5, label)
    for _name, values, color in series:
        points = [(x0 + step * i, bottom - plot_h * v / top_value) for i, v in enumerate(values)]
        pdf.set_draw_color(*color)
        pdf.set_fill_color(*color)
        pdf.set_line_width(0.6)
        if len(points) > 1:
            pdf.polyline(points)
        for x, y in points:
            pdf.circle(x, y, 0.55, style="F")
    _reset(doc)
    pdf.set_y(bottom + 8)


def bar_chart(doc: Document, *, title: str, items: Sequence[tuple[str, float | None]], top_value: float = 100,
              highlight: Sequence[str] = (), row: float = 5.2, unit: str = "") -> None:
    """Horizontal bars, one per item in the given order; ``None`` is drawn as "—" (no score)."""
    pdf = doc.pdf
    if not items or all(v is None for _n, v in items):
        return
    height = row * len(items) + 8
    if height + 10 > pdf.h - 2 * pdf.t_margin:  # too long for one page: draw it on several
        per_page = int((pdf.h - 2 * pdf.t_margin - 20) // row)
        for start in range(0, len(items), per_page):
            bar_chart(doc, title=title if start == 0 else f"{title}（续）", items=items[start:start + per_page],
                      top_value=top_value, highlight=highlight, row=row, unit=unit)
        return
    _room(doc, height + 8)
    _title(doc, title)
    pdf.set_font("cjk", size=8)
    label_w = min(max((pdf.get_string_width(name) for name, _v in items), default=10) + 3, 55)
    x0, y0 = pdf.l_margin + label_w, pdf.get_y() + 1
    width = doc.width - label_w - 14
    pdf.set_line_width(0.2)
    for i in range(5):
        x = x0 + width * i / 4
        pdf.set_draw_color(*(AXIS if i == 0 else GRID))
        pdf.line(x, y0, x, y0 + row * len(items))
        label = _number(top_value * i / 4)
        pdf.set_text_color(*TEXT)
        pdf.text(x - pdf.get_string_width(label) / 2, y0 + row * len(items) + 3.5, label)
    for k, (name, value) in enumerate(items):
        y = y0 + row * k
        shown = name if pdf.get_string_width(name) <= label_w - 2 else name[:10] + "…"
        pdf.set_text_color(*TEXT)
        pdf.text(pdf.l_margin + label_w - 2 - pdf.get_string_width(shown), y + row * 0.68, shown)
        if value is None:
            pdf.text(x0 + 1.5, y + row * 0.68, "—")
            continue
        length = width * max(0.0, min(value, top_value)) / top_value
        pdf.set_fill_color(*(BAR if not highlight or name in highlight else BAR_LIGHT))
        pdf.rect(x0, y + row * 0.18, max(length, 0.3), row * 0.64, style="F")
        text = f"{value:.2f}{unit}"
        pdf.text(x0 + length + 1.2, y + row * 0.68, text)
    _reset(doc)
    pdf.set_y(y0 + row * len(items) + 7)
