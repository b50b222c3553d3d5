"""The demo's monthly reports: last month's report of the demo street (汉江路街道, the ``street``
account's) made at load time, so the reports page has one to open; those of the district and the
other streets queued for ``grassroots worker``."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def load_reports(plan, *, end: datetime, log) -> dict:
    from grassroots.areas.models import Area, Level
    from grassroots.reports.models import MonthlyReport
    from grassroots.reports.months import previous_month
    from grassroots.reports.services import report_request, report_run

    today = timezone.localtime(end).date()
    month = previous_month(today)
    dc = plan.district_code
    areas = [*Area.objects.filter(code=dc, level=Level.DISTRICT),
             *Area.objects.filter(level=Level.STREET, code__startswith=dc).order_by("code")]
    for area in areas:
        report_request(area=area, month=month, today=today)
    street = next((a for a in areas if a.level == Level.STREET), None)
    made = 0
    if street is not None:
        report = MonthlyReport.objects.get(area=street, month=month)
        MonthlyReport.objects.filter(pk=report.pk).update(status=MonthlyReport.Status.RUNNING, attempts=1,
                                                         claimed_by="load_demo", started_at=timezone.now())
        report.refresh_from_db()
        made = int(report_run(report=report).status == MonthlyReport.Status.DONE)
    log(f"月度报告 {month}：{street.name if street else ''}已生成，其余 {len(areas) - made} 份排队等待 worker 生成")
    return {"month": month, "queued": len(areas) - made, "made": made}
