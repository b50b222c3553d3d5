from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    """双报到: co-building units and in-service Party members register with communities, take posts,
    serve and are fed back to their employers every quarter."""

    name = "grassroots.service"
    verbose_name = _("双报到")

    def ready(self) -> None:
        from grassroots.core.jobs import register_task
        from grassroots.portal import sections

        from .feedback import feedback_task
        from .panels import me_section

        register_task("service.feedback", feedback_task)
        sections.register("service", template="service/_me.html", context=me_section, order=30)
