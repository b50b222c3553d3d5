from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AreasConfig(AppConfig):
    name = "grassroots.areas"
    verbose_name = _("区域")

    def ready(self) -> None:
        from grassroots.accounts.admin_scope import register_choices
        from grassroots.core.memo import forget_on_change

        from .geo import DISTRICTS_KEY, GRID_KEY, TEAM_AREAS_KEY
        from .models import Area
        from .selectors import areas_visible_to

        forget_on_change(GRID_KEY, Area)
        forget_on_change(TEAM_AREAS_KEY, Area)
        forget_on_change(DISTRICTS_KEY, Area)
        register_choices(Area, areas_visible_to)  # the admin's area choices: the user's subtrees
