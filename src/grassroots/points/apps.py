from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    """积分: points for service, paid from the events other apps write (a confirmed woodpecker report,
    verified volunteer hours, a 双报到 service record, a fulfilled micro-wish, a rated case), and an
    online store of goods, services and property-fee vouchers redeemed with a one-time code."""

    name = "grassroots.points"
    verbose_name = _("积分")

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
