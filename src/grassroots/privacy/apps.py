from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """个人信息权利 (PIPL): a verified resident's own data, correction and deletion requests decided by
    their community, who revealed their numbers, and the retention task (docs/privacy.md)."""

    name = "grassroots.privacy"
    verbose_name = _("个人信息权利")

    def ready(self) -> None:
        from grassroots.core.jobs import register_task
        from grassroots.portal import sections

        from .services import me_section, retention_task

        register_task("privacy.retention", retention_task)
        sections.register("privacy", template="privacy/_me.html", context=me_section, order=90)
