from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """居民端: a resident reports a need (mobile first), follows it by its tracking code and rates it."""

    name = "grassroots.portal"
    verbose_name = _("居民端")
