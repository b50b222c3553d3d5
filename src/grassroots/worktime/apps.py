from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorktimeConfig(AppConfig):
    name = "grassroots.worktime"
    verbose_name = _("工作日历")

    def ready(self) -> None:
        from grassroots.core.memo import forget_on_change

        from .models import CalendarDay, CalendarYear, TimeLimit

        forget_on_change("worktime.limits", TimeLimit)
        forget_on_change("worktime.overrides", CalendarDay, CalendarYear)
