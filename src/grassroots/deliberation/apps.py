from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    """议事协商: meetings with minutes and resolutions tracked to done, residents' topics that gather
    support onto an agenda, household votes, conventions, and the public list of 为民办实事."""

    name = "grassroots.deliberation"
    verbose_name = _("议事协商")

    def ready(self) -> None:
        from django.core.cache import caches

        from grassroots.core.jobs import register_task

        def close_votes(worker: str) -> bool:
            from .services import close_due_votes

            return bool(close_due_votes())

        def overdue(worker: str) -> bool:
            """Tell owners of overdue resolutions, at most once an hour (each message once)."""
            if not caches["shared"].add("deliberation.overdue", worker, 3600):
                return False
            from .services import notify_overdue

            return bool(notify_overdue())

        register_task("deliberation.close_votes", close_votes)
        register_task("deliberation.overdue", overdue)

        from . import panels

        panels.connect()
