from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "grassroots.core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from . import deferred
        from .jobs import register_task

        register_task("core.deferred", deferred.task, urgent=True)
