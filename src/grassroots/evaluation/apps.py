from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    """双向评价: the street or community that dispatched a case rates the unit's work on it, and the unit
    rates the dispatch it got (clear, the right owner, a fair time limit)."""

    name = "grassroots.evaluation"
    verbose_name = _("双向评价")

    def ready(self) -> None:
        from . import panels

        panels.connect()
