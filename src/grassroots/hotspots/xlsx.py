"""The rising problems of a week as an .xlsx file (Chinese headers, one row per problem, numbers as
numbers). Text starting with “=” is written as text, never as a formula."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from grassroots.areas.models import Level

from . import stats
from .rising import Hot

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ["排名", "区域", "层级", "类别", "本周件数", "基线（前8周周均）", "倍数", "p值", "得分（-log10 p）",
           "近12周件数"]


def _safe(value):
    return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") else value


def rising_xlsx(items: list[Hot], *, title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "上升问题"
    ws.append([_safe(title)])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([f"方法：本周件数与本区域本类别前{stats.BASELINE_WEEKS}周的周均比较（泊松检验），"
               f"本周至少{stats.MIN_COUNT}件、比基线多{stats.MIN_EXCESS:g}件以上且 p < {stats.ALPHA:g} 才列出"])
    ws.append(HEADERS)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for rank, h in enumerate(items, 1):
        s = h.score
        ws.append([rank, _safe(h.name), str(Level(h.level).label), _safe(h.category), s.count, s.baseline,
                   s.ratio, float(f"{s.p_value:.3g}"), s.score, " ".join(str(n) for n in h.series)])
    for col, width in zip("ABCDEFGHIJ", (6, 22, 10, 30, 9, 12, 8, 10, 12, 30), strict=True):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
