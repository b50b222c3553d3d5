from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "grassroots.demo"
    verbose_name = _("演示数据")
