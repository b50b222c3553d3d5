from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "grassroots.orgs"
    verbose_name = "组织"
