from django.apps import AppConfig


class WorktimeConfig(AppConfig):
    name = "grassroots.worktime"
    verbose_name = "工作日历"
