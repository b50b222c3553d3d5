from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    """三张清单: resources of co-building units, residents' needs, the projects that match them, and
    the two-way service agreements between units and communities."""

    name = "grassroots.matching"
    verbose_name = _("资源需求项目清单")

    def ready(self) -> None:
        from . import panels

        panels.connect()
