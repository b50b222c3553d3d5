from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "grassroots.accounts"
    verbose_name = _("账号与角色")

    def ready(self) -> None:
        from .admin_scope import register_choices, users_manageable_by
        from .models import User

        register_choices(User, lambda user, capability: users_manageable_by(user))
