"""How an outbox message leaves the platform: a ``Sender`` hands one message to a gateway.

``send(message)`` returns when the gateway has accepted the message and raises on any failure; the
outbox worker then retries with back-off. Choose the sender with ``GRASSROOTS_NOTIFY_SENDER`` (Django
setting or environment variable): ``"log"`` (the default: write the masked address and the text to
the log), ``"webhook"`` (POST signed JSON to ``GRASSROOTS_NOTIFY_WEBHOOK_URL``) or the dotted path of
your own class, e.g. ``"myorg.sms.AliyunSender"``, instantiated without arguments.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import urllib.request
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

from grassroots.core.sensitive import get_sensitive

if TYPE_CHECKING:
    from .models import OutboxMessage

log = logging.getLogger("grassroots.notifications")

SIGNATURE_HEADER = "X-Grassroots-Signature"
DEFAULT_TIMEOUT = 10.0


def config(name: str, default: Any = "") -> Any:
    """A setting from settings.py if it is there, else from the environment, else the default."""
    return getattr(settings, name, None) or os.environ.get(name) or default


class Sender(Protocol):
    def send(self, message: OutboxMessage) -> None:
        """Deliver one message or raise; must not be slower than the gateway's timeout."""


class LogSender:
    """Writes the message to the log instead of sending it (development, intranets without a gateway)."""

    def send(self, message: OutboxMessage) -> None:
        log.info("outbox %s %s → %s: %s", message.key, message.channel, message.address_masked, message.text)


def sign(body: bytes, secret: str) -> str:
    """The signature header's value: ``sha256=`` and the hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookSender:
    """POSTs one JSON object per message to a gateway you run (SMS, WeChat template messages, …).

    The body carries the decrypted address, so use HTTPS outside the machine. The receiver checks
    ``X-Grassroots-Signature`` against its own HMAC of the raw body and de-duplicates on ``key``
    (also sent as ``Idempotency-Key``): a message whose result was lost in a crash is sent again.
    """

    def __init__(self, url: str | None = None, secret: str | None = None, timeout: float | None = None):
        self.url = url or config("GRASSROOTS_NOTIFY_WEBHOOK_URL")
        self.secret = secret if secret is not None else config("GRASSROOTS_NOTIFY_WEBHOOK_SECRET")
        self.timeout = float(timeout or config("GRASSROOTS_NOTIFY_WEBHOOK_TIMEOUT", DEFAULT_TIMEOUT))
        if urlsplit(self.url).scheme not in ("http", "https"):
            raise ImproperlyConfigured("GRASSROOTS_NOTIFY_WEBHOOK_URL must be an http(s) URL")
        if not self.secret:
            raise ImproperlyConfigured("GRASSROOTS_NOTIFY_WEBHOOK_SECRET must be set for the webhook sender")

    def payload(self, message: OutboxMessage) -> bytes:
        data = {
            "id": message.pk, "key": message.key, "channel": message.channel,
            "to": get_sensitive(message, "address"), "text": message.text,
            "district_code": message.district_code, "attempt": message.attempts,
            "timestamp": int(timezone.now().timestamp()),
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()

    def send(self, message: OutboxMessage) -> None:
        body = self.payload(message)
        request = urllib.request.Request(self.url, data=body, method="POST", headers={  # noqa: S310 (scheme checked)
            "Content-Type": "application/json; charset=utf-8",
            SIGNATURE_HEADER: sign(body, self.secret),
            "Idempotency-Key": message.key,
            "User-Agent": "grassroots-outbox/1",
        })
        with _opener.open(request, timeout=self.timeout) as response:
            if not 200 <= response.status < 300:
                raise RuntimeError(f"gateway answered HTTP {response.status}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an error: following it would turn the POST into a GET that 'succeeds'."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


BUILTIN = {"log": LogSender, "webhook": WebhookSender}


def get_sender() -> Sender:
    name = str(config("GRASSROOTS_NOTIFY_SENDER", "log"))
    factory = BUILTIN.get(name) or import_string(name)
    return factory()
