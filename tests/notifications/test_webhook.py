"""The webhook sender against a real HTTP server on 127.0.0.1: signed JSON, failures raised."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured

from grassroots.notifications.models import OutboxMessage
from grassroots.notifications.outbox import outbox_deliver_batch
from grassroots.notifications.senders import SIGNATURE_HEADER, WebhookSender, get_sender
from grassroots.notifications.services import outbox_enqueue

from .conftest import PHONE

pytestmark = pytest.mark.django_db
SECRET = "gateway-shared-secret"


class Gateway(BaseHTTPRequestHandler):
    received: list[tuple[dict, bytes]] = []
    answer = 200

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(type(self).answer)
        if type(self).answer in (301, 302):
            self.send_header("Location", "/elsewhere")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    Gateway.received, Gateway.answer = [], 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sms"
    server.shutdown()
    server.server_close()


@pytest.fixture
def message(tree):
    return outbox_enqueue(channel="sms", address=PHONE, text="您有一条新诉求", key="case:9:new:sms:3",
                          district_code="420303")


def test_posts_signed_json_with_the_plain_address(gateway, message):
    WebhookSender(url=gateway, secret=SECRET).send(message)
    ((headers, body),) = Gateway.received
    expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers[SIGNATURE_HEADER] == f"sha256={expected}"
    assert headers["Idempotency-Key"] == "case:9:new:sms:3"
    assert headers["Content-Type"].startswith("application/json")
    data = json.loads(body)
    assert (data["to"], data["text"], data["channel"], data["key"]) == (PHONE, "您有一条新诉求", "sms",
                                                                         "case:9:new:sms:3")
    assert data["district_code"] == "420303"


def test_chosen_by_setting_and_delivered_by_the_worker(gateway, message, settings):
    settings.GRASSROOTS_NOTIFY_SENDER = "webhook"
    settings.GRASSROOTS_NOTIFY_WEBHOOK_URL = gateway
    settings.GRASSROOTS_NOTIFY_WEBHOOK_SECRET = SECRET
    assert isinstance(get_sender(), WebhookSender)
    assert outbox_deliver_batch(worker="w") == 1
    message.refresh_from_db()
    assert message.status == "sent" and len(Gateway.received) == 1


@pytest.mark.parametrize("answer", [500, 302])
def test_an_error_or_a_redirect_is_a_failed_attempt(gateway, message, answer, settings):
    Gateway.answer = answer
    sender = WebhookSender(url=gateway, secret=SECRET)
    assert outbox_deliver_batch(worker="w", sender=sender) == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.QUEUED and message.attempts == 1
    assert f"HTTP Error {answer}" in message.last_error
    assert len(Gateway.received) == 1  # the redirect was not followed


def test_refuses_a_missing_secret_or_a_non_http_url(settings):
    settings.GRASSROOTS_NOTIFY_WEBHOOK_SECRET = ""
    with pytest.raises(ImproperlyConfigured):
        WebhookSender(url="http://127.0.0.1:9/")
    with pytest.raises(ImproperlyConfigured):
        WebhookSender(url="file:///etc/passwd", secret=SECRET)
