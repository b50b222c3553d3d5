from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WoodpeckersConfig(AppConfig):
    """啄木鸟: residents, Party members and delivery riders who find problems on their rounds and report
    them with a photo in a few taps — even with no signal — and the grid worker who judges them."""

    name = "grassroots.woodpeckers"
    verbose_name = _("啄木鸟")

    def ready(self) -> None:
        from . import panels

        panels.connect()
