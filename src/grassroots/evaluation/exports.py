"""Both rankings of a period as one ``.xlsx`` (a sheet each), written by ``registers.xlsx``."""

from __future__ import annotations

from django.http import HttpResponse

from grassroots.core.services import audit_record
from grassroots.registers.xlsx import XLSX_MIME, Sheet, sheets_bytes

from .periods import Period
from .selectors import Ranked

UNIT_HEADERS = ["排名", "承办单位", "评价数", "办理速度", "服务态度", "办理结果", "得分（0–100）"]
AREA_HEADERS = ["排名", "派单区域", "区域编码", "评价数", "派单清晰", "职责相符", "时限合理", "得分（0–100）"]


def rankings_xlsx(*, units: list[Ranked], areas: list[Ranked], period: Period, actor) -> HttpResponse:
    span = f"{period.start:%Y-%m-%d}至{period.last_day:%Y-%m-%d}"
    content = sheets_bytes([
        Sheet("承办单位评价排名", UNIT_HEADERS,
              ([r.rank, r.name, r.score.count, r.score.speed, r.score.attitude, r.score.result, r.score.score]
               for r in units), [6, 30, 8, 10, 10, 10, 12]),
        Sheet("派单评价排名", AREA_HEADERS,
              ([r.rank, r.name, r.key, r.score.count, r.score.clear, r.score.owner, r.score.deadline, r.score.score]
               for r in areas), [6, 24, 16, 8, 10, 10, 10, 12]),
        Sheet("说明", ["项目", "内容"], [
            ["时间段", span],
            ["得分", "得分 = （三项平均分的平均 − 1）÷ 4 × 100，满分 100；每项 1–5 分"],
            ["承办单位评价", "派单的街道/社区评价承办单位：办理速度、服务态度、办理结果"],
            ["派单评价", "承办单位评价收到的派单：派单清晰、职责相符、时限合理"],
        ], [14, 70]),
    ])
    audit_record(actor=actor, action="evaluation.export", object_type="evaluation.ranking",
                 object_id=f"{period.start}/{period.end}", detail={"units": len(units), "areas": len(areas)})
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = (f"attachment; filename*=UTF-8''evaluation-{period.start:%Y%m%d}-"
                                       f"{period.last_day:%Y%m%d}.xlsx")
    return response
