"""`.xlsx` statements: a person's entries, a community's books by month, a merchant's redemptions."""

from __future__ import annotations

import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

KIND_LABELS = {"earn": "获得积分", "settle": "兑换核销", "expire": "积分过期", "reverse": "冲正", "adjust": "调整",
               "hold": "兑换冻结", "release": "解冻退回"}


def workbook(title: str, header: list[str], rows, widths: list[int] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([timezone.localtime(v).replace(tzinfo=None) if hasattr(v, "tzinfo") and v.tzinfo else v
                      for v in row])
    for i, width in enumerate(widths or [], start=1):
        sheet.column_dimensions[chr(64 + i)].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
