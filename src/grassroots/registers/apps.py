from django.apps import AppConfig


class RegistersConfig(AppConfig):
    name = "grassroots.registers"
    verbose_name = "台账导入导出"
