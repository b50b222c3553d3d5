from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuplicatesConfig(AppConfig):
    """Duplicate requests: open cases near each other in place, time and text, offered as
    "same as #N" at intake and on the dispatch board, merged by a dispatcher."""

    name = "grassroots.duplicates"
    verbose_name = _("重复诉求")

    def ready(self) -> None:
        from grassroots.cases.hooks import on_case_received

        from . import panels
        from .services import candidates_find
        from .services import on_case_received as step

        on_case_received(step, order=10, prepare=candidates_find)
        panels.connect()
