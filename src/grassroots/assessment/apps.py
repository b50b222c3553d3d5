from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    """接诉即办 KPIs per area and unit, rankings, exports."""

    name = "grassroots.assessment"
    verbose_name = _("考核评价")
