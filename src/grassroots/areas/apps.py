from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "grassroots.areas"
    verbose_name = "区域"
