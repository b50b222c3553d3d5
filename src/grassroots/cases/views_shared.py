"""What the staff pages and ``/api/cases`` share: the scoped fetch, and the two audited reads
(revealing a reporter's contact, exporting a list). Both write an audit row in the same
transaction as the read they record, like ``people.services.person_reveal`` does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.core.services import audit_record
from grassroots.registers.xlsx import rows_bytes

from . import selectors
from .models import Case

EXPORT_MAX_ROWS = 50_000
EXPORT_HEADERS = ["编号", "标题", "状态", "紧急程度", "来源渠道", "响应层级", "类别", "所在区域", "地址",
                  "责任网格/社区/街道", "承办单位", "联系人", "联系电话", "上报时间", "办理时限", "剩余时间",
                  "督办", "评价", "办结时间"]


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def case_or_404(user, pk: int) -> Case:
    """The case if ``user`` works on it; a 404 otherwise (never a 403 that confirms it exists)."""
    try:
        return selectors.staff_cases_for(user).get(pk=pk)
    except Case.DoesNotExist:
        raise Http404(_("诉求不存在或您无权查看")) from None


def case_contact_reveal(*, case: Case, actor) -> tuple[str, str]:
    """The reporter's plain name and phone, for the call-back; needs REVEAL_PERSONAL at the case's
    place, and every reveal is audited (never with the values themselves)."""
    if not selectors.can_reveal_contact(actor, case):
        raise PermissionDenied(_("您没有查看完整联系方式的权限"))
    with transaction.atomic():
        audit_record(actor=actor, action="case.contact_reveal", obj=case,
                     detail={"code": case.code, "via_area": case.scope_code, "anonymous": case.anonymous})
        return case.plain_contact()


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


def cases_export(*, user, cases, filters: dict) -> tuple[bytes, int]:
    """The filtered list as .xlsx (contacts masked, at most EXPORT_MAX_ROWS rows), audited."""
    clock = selectors.Clock()
    chunk = cases.select_related("category__parent__parent")[:EXPORT_MAX_ROWS]
    rows = list(export_rows(selectors.CaseRow(case=c, deadline=clock.info(c)) for c in chunk.iterator(2000)))
    content = rows_bytes("诉求清单", EXPORT_HEADERS, rows)
    audit_record(actor=user, action="case.export", object_type="cases.case",
                 detail={"rows": len(rows), "filters": {k: str(v) for k, v in filters.items() if v}})
    return content, len(rows)
