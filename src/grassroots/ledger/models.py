"""The ledger's three tables, shaped like a ledger database's (TigerBeetle's accounts and transfers):

* ``Account`` — a community's issuing account (发放, may go negative: minus what it has issued), a
  person's account in one community, a merchant's account, the community's expiry sink. ``posted``
  is the sum of the account's entries; ``held`` the sum of its open holds. A person's
  ``posted - held`` (what they can spend) never goes below zero: every debit is a conditional
  update, and the database checks it too.
* ``Transfer`` — one movement between two accounts, with its idempotency ``key`` (unique): a retry,
  a double click or a replayed event finds the transfer already made. A hold (``pending``) reserves
  points; exactly one settle or release ``closes`` it (unique). A correction ``reverses`` a posted
  transfer (unique: once). Credits to a person carry ``expires_at``: those points lapse then.
* ``Entry`` — the two lines of a posted transfer (−amount on the debit account, +amount on the
  credit account), with the account's balance after it: a statement is a read of one account's
  entries in order.

Rows are written once: ``save`` refuses an update, ``delete`` refuses, and the database refuses an
UPDATE (and on PostgreSQL a DELETE) with a trigger (migration 0002).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnly(Exception):
    """A ledger row was about to be changed or deleted."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly(f"{self.model.__name__} rows are never updated")

    def delete(self):
        raise AppendOnly(f"{self.model.__name__} rows are never deleted")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly(f"{type(self).__name__} rows are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly(f"{type(self).__name__} rows are never deleted")


class Account(models.Model):
    class Kind(models.TextChoices):
        ISSUER = "issuer", _("社区发放账户")
        PERSON = "person", _("个人积分账户")
        MERCHANT = "merchant", _("商家账户")
        EXPIRY = "expiry", _("积分过期账户")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    owner = models.CharField(_("所有者"), max_length=40, blank=True,
                             help_text=_("个人账户为 user:<id>，商家账户为 merchant:<id>；社区账户为空"))
    community_code = models.CharField(_("社区编码"), max_length=30, db_index=True)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)
    name = models.CharField(_("名称"), max_length=100, blank=True)
    posted = models.BigIntegerField(_("余额"), default=0)
    held = models.BigIntegerField(_("冻结"), default=0)
    may_go_negative = models.BooleanField(_("允许为负"), default=False)
    created_at = models.DateTimeField(_("开户时间"), default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = _("积分账户")
        constraints = [
            models.UniqueConstraint(fields=["kind", "owner", "community_code"], name="ledger_account_once"),
            models.CheckConstraint(condition=Q(may_go_negative=True) | Q(posted__gte=F("held")),
                                   name="ledger_account_not_negative"),
            models.CheckConstraint(condition=Q(held__gte=0), name="ledger_account_held_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.get_kind_display()} {self.owner} {self.community_code}"

    @property
    def available(self) -> int:
        return self.posted - self.held


class Transfer(AppendOnlyModel):
    class Kind(models.TextChoices):
        EARN = "earn", _("获得积分")
        HOLD = "hold", _("兑换冻结")
        SETTLE = "settle", _("兑换核销")
        RELEASE = "release", _("解冻退回")
        EXPIRE = "expire", _("积分过期")
        REVERSE = "reverse", _("冲正")
        ADJUST = "adjust", _("调整")

    key = models.CharField(_("幂等键"), max_length=120, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    debit = models.ForeignKey(Account, verbose_name=_("借方（转出）"), on_delete=models.PROTECT, related_name="+")
    credit = models.ForeignKey(Account, verbose_name=_("贷方（转入）"), on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField(_("积分"))
    pending = models.BooleanField(_("冻结中"), default=False)
    closes = models.OneToOneField("self", verbose_name=_("了结的冻结"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="closed_by")
    reverses = models.OneToOneField("self", verbose_name=_("冲正的流水"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="reversed_by")
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    ref = models.CharField(_("来源"), max_length=120, blank=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    community_code = models.CharField(_("社区编码"), max_length=30)
    district_code = models.CharField(_("区县代码"), max_length=6, db_index=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = _("积分流水")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_transfer_positive"),
            models.CheckConstraint(condition=~Q(debit=F("credit")), name="ledger_transfer_two_accounts"),
        ]
        indexes = [
            models.Index(fields=["community_code", "kind", "created_at"], name="ledger_transfer_books"),
            models.Index(fields=["credit", "expires_at"], name="ledger_transfer_lots"),
            models.Index(fields=["debit", "pending", "expires_at"], name="ledger_transfer_holds"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} ({self.key})"


class Entry(AppendOnlyModel):
    transfer = models.ForeignKey(Transfer, verbose_name=_("流水"), on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, verbose_name=_("账户"), on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField(_("变动"))
    balance_after = models.BigIntegerField(_("变动后余额"))
    created_at = models.DateTimeField(_("时间"))
    # The transfer's district (the shard key): writers copy it from the Transfer they hold, no query.
    district_code = models.CharField(_("区县代码"), max_length=6)

    class Meta:
        verbose_name = verbose_name_plural = _("账户明细")
        constraints = [models.UniqueConstraint(fields=["transfer", "account"], name="ledger_entry_once")]
        indexes = [models.Index(fields=["account", "-id"], name="ledger_entry_statement")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount:+d} → {self.balance_after}"
