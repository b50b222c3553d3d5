from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "grassroots.accounts"
    verbose_name = "账号与角色"
