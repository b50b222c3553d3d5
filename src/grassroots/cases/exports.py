"""The case list as a spreadsheet: Chinese headers, masked contacts, one row per case.

A read; ``services.cases_export`` records who exported what.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.utils import timezone

from grassroots.registers.xlsx import rows_bytes

from . import selectors

EXPORT_MAX_ROWS = 50_000
EXPORT_HEADERS = ["编号", "标题", "状态", "紧急程度", "来源渠道", "响应层级", "类别", "所在区域", "地址",
                  "责任网格/社区/街道", "承办单位", "联系人", "联系电话", "上报时间", "办理时限", "剩余时间",
                  "督办", "评价", "办结时间"]


def _fmt(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def export_rows(rows: Iterable[selectors.CaseRow]) -> Iterator[list[str]]:
    for row in rows:
        c = row.case
        yield [c.code, c.title, c.get_status_display(), c.get_urgency_display(), c.get_channel_display(),
               c.get_tier_display(), " / ".join(c.category.path_names()) if c.category else "",
               c.area.name if c.area else "", c.address, c.assigned_area.name if c.assigned_area else "",
               c.assigned_unit.name if c.assigned_unit else "", row.contact_name, row.contact_phone,
               _fmt(c.created_at), _fmt(c.deadline), row.deadline.text, "是" if c.supervised_at else "",
               c.get_rating_display() if c.rating else "", _fmt(c.closed_at)]


def cases_xlsx(cases) -> tuple[bytes, int, bool]:
    """(.xlsx bytes, rows written, whether the list was cut at EXPORT_MAX_ROWS). A cut list ends with
    a row that says so, so nobody takes it for the whole list."""
    clock = selectors.Clock()
    chunk = cases.select_related("category__parent__parent")[:EXPORT_MAX_ROWS + 1]
    rows = list(export_rows(selectors.CaseRow(case=c, deadline=clock.info(c)) for c in chunk.iterator(2000)))
    cut = len(rows) > EXPORT_MAX_ROWS
    if cut:
        rows = rows[:EXPORT_MAX_ROWS]
        rows.append([f"（仅导出了前{EXPORT_MAX_ROWS:,}条，请缩小筛选范围后分批导出）"] + [""] * (len(EXPORT_HEADERS) - 1))
    return rows_bytes("诉求清单", EXPORT_HEADERS, rows), min(len(rows), EXPORT_MAX_ROWS), cut
