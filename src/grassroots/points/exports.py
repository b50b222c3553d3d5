"""`.xlsx` statements: a person's entries, a community's books by month, a merchant's redemptions."""

from __future__ import annotations

import io
from datetime import datetime

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from grassroots.core.services import export_audit
from grassroots.ledger.models import Account

from . import selectors
from .models import Merchant

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


def entry_label(line: dict) -> str:
    return line["transfer__reason"] or KIND_LABELS.get(line["transfer__kind"], line["transfer__kind"])


STATEMENT_HEADERS = ["时间", "事项", "变动", "变动后余额"]
REDEMPTION_HEADERS = ["兑换时间", "项目", "积分", "状态", "核销/退回时间", "兑换码尾号"]


def statement_export(*, user, account: Account) -> bytes:
    """A resident's whole points statement in one community as .xlsx, audited (``points.statement.export``)
    with its row count and the community: the resident's own data, leaving the system all the same."""
    rows = []
    before = None
    while True:  # the whole statement, a page at a time
        page = selectors.statement(account, before=before, limit=1000)
        rows += [(line["created_at"], entry_label(line), line["amount"], line["balance_after"]) for line in page]
        if len(page) < 1000:
            break
        before = page[-1]["pk"]
    content = workbook("积分明细", STATEMENT_HEADERS, rows, [20, 40, 10, 12])
    export_audit(actor=user, kind="points.statement", obj=account, district_code=account.district_code,
                 rows=len(rows), fields=STATEMENT_HEADERS, filters={"community": account.community_code})
    return content


def merchant_redemptions_export(*, user, merchant: Merchant, since: datetime, until: datetime, month: str) -> bytes:
    """A merchant's redemptions of one month as .xlsx (the code's last four characters only), audited
    (``points.redemptions.export``) with the merchant, the month and the row count."""
    rows = [(r.created_at, r.offer.title, r.points, r.get_status_display(), r.closed_at, r.code[-4:])
            for r in selectors.merchant_redemptions(merchant, since=since, until=until).order_by("created_at")]
    content = workbook(f"{month}兑换", REDEMPTION_HEADERS, rows, [20, 30, 8, 10, 20, 10])
    export_audit(actor=user, kind="points.redemptions", obj=merchant, rows=len(rows), fields=REDEMPTION_HEADERS,
                 filters={"merchant": merchant.pk, "month": month})
    return content
