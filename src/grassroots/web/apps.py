from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "grassroots.web"
    verbose_name = "页面"
