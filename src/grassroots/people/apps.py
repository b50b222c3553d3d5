from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "grassroots.people"
    verbose_name = _("人员")

    def ready(self) -> None:
        from grassroots.accounts.admin_scope import register_choices

        from .models import Person
        from .selectors import persons_visible_to

        register_choices(Person, lambda user, capability: persons_visible_to(user))  # the admin's choices
