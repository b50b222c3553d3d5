from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "grassroots.notifications"
    verbose_name = _("消息通知")

    def ready(self) -> None:
        from grassroots.core.jobs import register_task

        from .outbox import outbox_deliver_batch

        register_task("notifications.outbox", lambda worker: outbox_deliver_batch(worker=worker) > 0)
