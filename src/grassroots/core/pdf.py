"""Printable PDF documents in Chinese (fpdf2): a title, paragraphs and tables, A4, page numbers.

    doc = Document(title="阳光社区在职党员双报到季度反馈")
    doc.heading("某单位"); doc.paragraph("……"); doc.table(["姓名", "时长"], rows, widths=[40, 20])
    data = doc.bytes()

Why fpdf2: pure Python (no system libraries such as pango or cairo that WeasyPrint needs), actively
kept, and it embeds only the glyphs a document uses (a one-page report is about 20 KB). It needs a
font with Chinese glyphs: ``GRASSROOTS_PDF_FONT`` (a .ttf/.otf/.ttc path, ``#n`` for the n-th font
of a collection), else the first of ``FONT_CANDIDATES`` that exists — Debian's ``fonts-noto-cjk``,
which ``./dev`` installs. Without one, ``FontMissing`` says what to install.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings

# (path, index in a collection): Noto Sans CJK's collection holds JP, KR, SC, TC, HK; SC is the third.
FONT_CANDIDATES = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
]
MARGIN = 15
NEXT_LINE = {"new_x": "LMARGIN", "new_y": "NEXT"}  # after a block of text: the next line, at the margin


class FontMissing(RuntimeError):
    pass


def font() -> tuple[str, int]:
    configured = getattr(settings, "GRASSROOTS_PDF_FONT", "") or os.environ.get("GRASSROOTS_PDF_FONT", "")
    if configured:
        path, _, index = configured.partition("#")
        if not Path(path).exists():
            raise FontMissing(f"GRASSROOTS_PDF_FONT 指向的字体文件不存在：{path}")
        return path, int(index or 0)
    for path, index in FONT_CANDIDATES:
        if Path(path).exists():
            return path, index
    raise FontMissing("没有找到中文字体，无法生成PDF：请安装 fonts-noto-cjk（Debian/Ubuntu），"
                      "或设置 GRASSROOTS_PDF_FONT 为一个中文字体文件的路径")


class Document:
    def __init__(self, *, title: str, subtitle: str = "") -> None:
        from fpdf import FPDF

        path, index = font()
        self.title = title
        self.pdf = FPDF(orientation="P", unit="mm", format="A4")
        self.pdf.set_auto_page_break(auto=True, margin=MARGIN)
        self.pdf.set_margins(MARGIN, MARGIN, MARGIN)
        self.pdf.add_font("cjk", "", path, collection_font_number=index)
        self.pdf.set_title(title)
        self.pdf.alias_nb_pages()
        footer_title = title

        def footer() -> None:
            self.pdf.set_y(-12)
            self.pdf.set_font("cjk", size=8)
            self.pdf.cell(0, 6, f"{footer_title} · 第 {self.pdf.page_no()} / {{nb}} 页", align="C")

        self.pdf.footer = footer
        self.new_page()
        self.pdf.set_font("cjk", size=16)
        self.pdf.multi_cell(0, 9, title, align="C", **NEXT_LINE)
        if subtitle:
            self.pdf.set_font("cjk", size=10)
            self.pdf.multi_cell(0, 6, subtitle, align="C", **NEXT_LINE)
        self.pdf.ln(3)

    @property
    def width(self) -> float:
        return self.pdf.w - 2 * MARGIN

    def new_page(self) -> None:
        self.pdf.add_page()

    def heading(self, text: str) -> None:
        self.pdf.set_font("cjk", size=13)
        self.pdf.ln(2)
        self.pdf.multi_cell(0, 8, text, **NEXT_LINE)
        self.pdf.ln(1)

    def paragraph(self, text: str, *, size: int = 10) -> None:
        self.pdf.set_font("cjk", size=size)
        self.pdf.multi_cell(0, 6, text, **NEXT_LINE)
        self.pdf.ln(1)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence], *, widths: Sequence[float] | None = None,
              size: int = 9) -> None:
        """A table whose columns share the page width (``widths`` in relative units)."""
        from fpdf.fonts import FontFace

        self.pdf.set_font("cjk", size=size)
        weights = list(widths or [1] * len(headers))
        total = sum(weights)
        col_widths = tuple(self.width * w / total for w in weights)
        with self.pdf.table(col_widths=col_widths, text_align="LEFT", line_height=6, first_row_as_headings=True,
                            headings_style=FontFace(fill_color=(235, 235, 235))) as table:
            head = table.row()
            for h in headers:
                head.cell(str(h))
            for row in rows:
                line = table.row()
                for value in row:
                    line.cell("" if value is None else str(value))
        self.pdf.ln(2)

    def bytes(self) -> bytes:
        return bytes(self.pdf.output())
