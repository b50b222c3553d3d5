from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    """接诉即办 KPIs per area and unit, kept in daily rollups; rankings, exports."""

    name = "grassroots.assessment"
    verbose_name = _("考核评价")

    def ready(self) -> None:
        from grassroots.cases.hooks import on_case_written

        from . import rollups

        on_case_written(rollups.apply)
