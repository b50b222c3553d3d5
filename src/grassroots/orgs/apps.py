from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "grassroots.orgs"
    verbose_name = _("组织")

    def ready(self) -> None:
        from grassroots.accounts.admin_scope import register_choices

        from .models import PartyOrg, Unit
        from .selectors import party_orgs_visible_to, units_visible_to

        # What the admin lets a user pick, and whose unit-owned rows they see.
        register_choices(Unit, lambda user, capability: units_visible_to(user))
        register_choices(PartyOrg, lambda user, capability: party_orgs_visible_to(user))
