from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """月度报告: last month's KPIs, rankings, charts, problems of the month and practical matters of a
    street or a district, as an .xlsx and a printable PDF, made by the worker (on request, and on the
    1st of each month for every street and district)."""

    name = "grassroots.reports"
    verbose_name = _("月度报告")

    def ready(self) -> None:
        from grassroots.core.jobs import register_task

        from .services import reports_task

        register_task("reports.monthly", reports_task)
