from django.apps import AppConfig


class RegistersConfig(AppConfig):
    name = "grassroots.registers"
    verbose_name = "台账导入导出"

    def ready(self) -> None:
        from grassroots.core.jobs import register_task

        from .services import import_job_run_next

        register_task("registers.import", lambda worker: import_job_run_next(worker=worker))
