from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    """Smart routing: a text classifier learned from closed cases (the pure model code is in
    ``routing.learn``), automatic categorisation and dispatch above a confidence threshold, the
    dispatcher's suggestions and corrections."""

    name = "grassroots.routing"
    verbose_name = _("智能分派")
