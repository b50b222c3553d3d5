from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    """Cases from other systems: the 12345 hotline import, system-to-system push, Open311 GeoReport v2."""

    name = "grassroots.intake"
    verbose_name = _("诉求接入")

    def ready(self) -> None:
        from grassroots.areas.models import Area
        from grassroots.core.jobs import register_task
        from grassroots.core.memo import forget_on_change

        from .hotline import hotline_run_next
        from .services import GAZETTEER_VERSIONS

        register_task("intake.hotline", lambda worker: hotline_run_next(worker=worker))
        forget_on_change(GAZETTEER_VERSIONS, Area)
