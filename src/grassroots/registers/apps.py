from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistersConfig(AppConfig):
    name = "grassroots.registers"
    verbose_name = _("台账导入导出")

    def ready(self) -> None:
        from grassroots.core.jobs import register_task

        from .services import import_job_run_next

        register_task("registers.import", lambda worker: import_job_run_next(worker=worker))
