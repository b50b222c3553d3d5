from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    """Smart routing: a text classifier learned from closed cases (the pure model code is in
    ``routing.learn``), automatic categorisation and dispatch above a confidence threshold, the
    dispatcher's suggestions and corrections."""

    name = "grassroots.routing"
    verbose_name = _("智能分派")

    def ready(self) -> None:
        from grassroots.cases.hooks import on_case_received
        from grassroots.core.jobs import register_task, register_warmup

        from . import corrections, panels, policy, store
        from .intake import route_new_case, route_reads, warm_up
        from .services import routing_task

        store.connect()
        policy.connect()
        corrections.connect()
        panels.connect()
        on_case_received(route_new_case, order=20, prepare=route_reads)
        register_task("routing.train", routing_task)
        register_warmup("routing.model", warm_up)
