from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommandConfig(AppConfig):
    """The command center (指挥中心): a live map and charts of an area for leaders' wall screens."""

    name = "grassroots.command"
    verbose_name = _("指挥中心")
