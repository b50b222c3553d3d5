from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """居民端: a resident reports a need (mobile first), follows it by its tracking code and rates it."""

    name = "grassroots.portal"
    verbose_name = _("居民端")

    def ready(self) -> None:
        from grassroots.areas.models import Area
        from grassroots.cases.models import Category
        from grassroots.core.memo import forget_on_change

        from . import sections
        from .selectors import my_cases_section

        forget_on_change("portal.common_categories", Category)
        forget_on_change("portal.default_district", Area)
        sections.register("cases", template="portal/_me_cases.html", context=my_cases_section, order=10)
