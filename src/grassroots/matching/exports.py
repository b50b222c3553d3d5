"""The three lists and the agreements of a community as one `.xlsx` (a sheet each), for the
community's meetings and the street's files, written by ``registers.xlsx`` (text starting with “=”
as text, never a formula; times in local time)."""

from __future__ import annotations

from django.http import HttpResponse

from grassroots.areas.models import Area
from grassroots.core.services import audit_record
from grassroots.registers.xlsx import XLSX_MIME, Sheet, sheets_bytes

from . import selectors


def lists_xlsx(community: Area, actor) -> HttpResponse:
    needs = selectors.needs(community).prefetch_related("projects")[:5000]
    agreements = selectors.agreements(community).prefetch_related("items")[:1000]
    content = sheets_bytes([
        Sheet("需求清单", ["编号", "需求", "服务领域", "需要的资源", "位置", "来源", "涉及人数", "状态", "对接项目", "提出时间"],
              ([n.pk, n.title, n.get_category_display(), n.get_kind_display() if n.kind else "", n.area.name,
                n.get_source_display(), n.people, n.get_status_display(), "；".join(p.title for p in n.projects.all()),
                n.created_at] for n in needs), [8, 30, 12, 12, 20, 10, 10, 16, 30, 18]),
        Sheet("资源清单", ["编号", "资源", "类型", "服务领域", "提供单位", "服务范围", "说明", "可用", "来自双报到"],
              ([r.pk, r.title, r.get_kind_display(), r.get_category_display(), r.unit.name if r.unit_id else "社区",
                r.area.name, r.detail, "是" if r.available else "否", "是" if r.registration_id else "否"]
               for r in selectors.resources(community)[:5000]), [8, 34, 10, 12, 24, 16, 40, 6, 10]),
        Sheet("项目清单", ["编号", "项目", "承接单位", "完成时限", "进度（%）", "状态", "为民办实事", "完成时间"],
              ([p.pk, p.title, p.owner_label(), p.deadline, p.progress, p.get_status_display(),
                "是" if p.practical else "否", p.done_at] for p in selectors.projects(community)[:5000]),
              [8, 34, 24, 12, 10, 10, 10, 18]),
        Sheet("双向服务协议", ["年度", "单位", "承诺方", "承诺事项", "时限", "兑现", "兑现情况", "兑现时间"],
              ([a.year, a.unit.name, i.get_side_display(), i.what, i.due, "已兑现" if i.delivered_at else "未兑现",
                i.evidence, i.delivered_at] for a in agreements for i in a.items.all()),
              [8, 26, 10, 40, 12, 8, 40, 18]),
    ])
    audit_record(actor=actor, action="matching.export", obj=community, district_code=community.code[:6],
                 detail={"needs": len(needs)})
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{community.code}-lists.xlsx"
    return response
