"""The app's own English catalogue is complete and compiled, and the inbox follows the language."""

import gettext
import re
from pathlib import Path

import pytest

import grassroots.notifications
from grassroots.notifications.models import Kind
from grassroots.notifications.services import notify
from tests.test_i18n import parse_po

LC_MESSAGES = Path(grassroots.notifications.__file__).resolve().parent / "locale" / "en" / "LC_MESSAGES"


def test_catalogue_complete_and_compiled():
    entries = parse_po(LC_MESSAGES / "django.po")[1:]
    assert len(entries) > 50
    with (LC_MESSAGES / "django.mo").open("rb") as f:
        catalog = gettext.GNUTranslations(f)
    for e in entries:
        assert "fuzzy" not in e["flags"], e["msgid"]
        for text in e["msgstr"].values():
            assert text.strip() and not re.search(r"[\u4e00-\u9fff]", text), e["msgid"]
        if e["msgid_plural"] is None:
            assert catalog.gettext(e["msgid"]) == e["msgstr"][0], f".mo is stale for {e['msgid']!r}"
        else:
            assert catalog.ngettext(e["msgid"], e["msgid_plural"], 1) == e["msgstr"][0]
            assert catalog.ngettext(e["msgid"], e["msgid_plural"], 2) == e["msgstr"][1]


@pytest.mark.django_db
def test_inbox_in_english(client_as, settings, worker_a):
    notify(recipients=[worker_a], kind=Kind.ESCALATION, title="超时升级：3栋漏水", body="", key="k")
    client = client_as(worker_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/notifications/").content.decode()
    for word in ("My notifications", "Escalated (overdue)", "Mark read", "Unread (1)", "Mark all read"):
        assert word in html
    assert "我的消息" not in html and "标为已读" not in html
    assert 'aria-label="1 unread notification"' in client.get("/notifications/badge/").content.decode()
