"""The staff inbox (``Notification``) and the outbox to SMS/WeChat/webhook gateways (``OutboxMessage``).

Both tables carry an idempotency ``key``: an inbox row is unique per (recipient, key) and an outbox
message per key, so an event that is reported twice (a retried request, a sweep run twice or after
a crash) never reaches a person twice. See docs/notifications.md for the key convention.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    NEW_CASE = "new_case", _("新诉求")
    WARNING = "warning", _("临期预警")
    ESCALATION = "escalation", _("超时升级")
    WHISTLE = "whistle", _("吹哨报到")
    RETURNED = "returned", _("退单")
    RATED = "rated", _("群众评价")
    SYSTEM = "system", _("系统消息")
    APPROVAL = "approval", _("待审核")


class Notification(models.Model):
    """One message in one staff member's inbox."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE,
                                  related_name="notifications")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=500, blank=True)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    key = models.CharField(_("幂等键"), max_length=200)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, editable=False)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    district_code = models.CharField(_("区县代码"), max_length=6, blank=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_key_per_recipient")]
        indexes = [models.Index(fields=["recipient", "read_at", "created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.title}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class Channel(models.TextChoices):
    SMS = "sms", _("短信")
    WECHAT = "wechat", _("微信")
    WEBHOOK = "webhook", _("Webhook")


class OutboxMessage(models.Model):
    """One message to send through a gateway, delivered by the worker (see outbox.py).

    The address (a phone, a WeChat openid, …) is encrypted at rest and shown masked; only the
    sender decrypts it, at the moment it hands the message to the gateway.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    address_enc = models.TextField(_("接收地址（密文）"), editable=False)
    address_index = models.CharField(_("接收地址（索引）"), max_length=64, db_index=True, editable=False)
    address_masked = models.CharField(_("接收地址"), max_length=64, editable=False)
    text = models.TextField(_("内容"))
    key = models.CharField(_("幂等键"), max_length=200, unique=True)
    notification = models.ForeignKey(Notification, verbose_name=_("站内消息"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="outbox_messages")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), default=timezone.now)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    claim_token = models.CharField(_("领取标记"), max_length=64, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    district_code = models.CharField(_("区县代码"), max_length=6, blank=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("待发消息")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.address_masked} {self.get_status_display()}"
