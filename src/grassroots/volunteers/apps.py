from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    """志愿服务: teams, activities with slots and a waiting list, check-in and check-out by a short-lived
    code, hours confirmed by the organiser, a certificate."""

    name = "grassroots.volunteers"
    verbose_name = _("志愿服务")

    def ready(self) -> None:
        from grassroots.portal import sections

        from .panels import me_section

        sections.register("volunteering", template="volunteers/_me.html", context=me_section, order=35)
