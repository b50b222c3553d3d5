"""The year's table of star ratings as an ``.xlsx`` (``registers.xlsx``: text starting with “=” stays
text), for the organisation department's files and the 考核、评先、绩效 that follow from it."""

from __future__ import annotations

from django.http import HttpResponse

from grassroots.core.services import audit_record
from grassroots.registers.xlsx import XLSX_MIME, Sheet, sheets_bytes

from .models import Basic, StarScheme, StarScore
from .selectors import Row


def _n(value):
    return None if value in (None, "") else float(value)


def ratings_xlsx(scheme: StarScheme, rows: list[Row], actor, *, under: str = "") -> HttpResponse:
    criteria = list(scheme.criteria.all())
    ids = [r.rating.pk for r in rows if r.rating is not None]
    scores = {(rating_id, criterion_id): points for rating_id, criterion_id, points in
              StarScore.objects.filter(rating_id__in=ids).values_list("rating_id", "criterion_id", "points")}
    head = ["党支部", "所在区域", "区域编码", "星级", "总分", *[str(b.label) for b in Basic], "状态", "版本",
            f"{scheme.year - 1}年星级", "较上年（分）"]
    table = []
    for r in rows:
        rt = r.rating
        table.append([r.org.name, r.org.area.name, r.org.area.code, rt.stars if rt else None, _n(rt.total) if rt else None,
                      *[_n(r.subtotal(b)) for b in Basic.values], rt.get_status_display() if rt else "未评定",
                      rt.version if rt else None, r.last.stars if r.last else None, _n(r.change)])
    detail = [[r.org.name, r.org.area.code, c.get_basic_display(), c.name, c.max_points,
               _n(scores.get((r.rating.pk, c.pk))), c.get_source_display()]
              for r in rows if r.rating is not None for c in criteria]
    content = sheets_bytes([
        Sheet(f"{scheme.year}年星级评定", head, table, [28, 20, 18, 6, 8, 10, 10, 10, 10, 10, 10, 6, 10, 10]),
        Sheet("评定明细", ["党支部", "区域编码", "五个基本", "评定内容", "分值", "得分", "评分方式"], detail,
              [28, 18, 10, 20, 6, 6, 24]),
        Sheet("评定标准", ["五个基本", "评定内容", "分值", "评分方式", "满分标准", "说明"],
              ([c.get_basic_display(), c.name, c.max_points, c.get_source_display(), _n(c.target), c.guide]
               for c in criteria), [10, 20, 6, 24, 10, 40]),
    ])
    audit_record(actor=actor, action="stars.export", obj=scheme, district_code=scheme.district_code,
                 detail={"year": scheme.year, "under": under, "rows": len(rows)})
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''stars-{scheme.district_code}-{scheme.year}.xlsx"
    return response
