from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "grassroots.cases"
    verbose_name = "诉求"
