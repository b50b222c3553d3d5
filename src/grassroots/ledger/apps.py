from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    """积分账本: an append-only double-entry ledger. Every movement of points is a transfer between two
    accounts; nothing is updated or deleted; every write carries an idempotency key. Other apps call
    its services and never write its tables."""

    name = "grassroots.ledger"
    verbose_name = _("积分账本")
