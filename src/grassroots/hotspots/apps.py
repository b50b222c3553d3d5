from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotspotsConfig(AppConfig):
    """Hot problems: rising counts per area, category and week against their own baseline, clusters
    of the same problem across grids, and the street's "problem of the month" (每月一题)."""

    name = "grassroots.hotspots"
    verbose_name = _("热点问题")
