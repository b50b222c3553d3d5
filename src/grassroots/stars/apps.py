from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StarsConfig(AppConfig):
    """星级评定: Party branches rated yearly by stars against the five basics (基本组织、基本队伍、
    基本活动、基本制度、基本阵地), from what the platform records and what inspectors enter."""

    name = "grassroots.stars"
    verbose_name = _("党支部星级评定")

    def ready(self) -> None:
        from grassroots.core.jobs import register_task

        from .jobs import stars_task

        register_task("stars.compute", stars_task)
