"""The cases app's own English catalogue is complete and compiled, and the staff pages follow the language."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

import grassroots.cases
from tests.cases.pages_support import accepted
from tests.test_i18n import parse_po

LC_MESSAGES = Path(grassroots.cases.__file__).resolve().parent / "locale" / "en" / "LC_MESSAGES"


def test_catalogue_complete_and_compiled():
    entries = parse_po(LC_MESSAGES / "django.po")[1:]
    assert len(entries) > 200
    with (LC_MESSAGES / "django.mo").open("rb") as f:
        catalog = gettext.GNUTranslations(f)
    for e in entries:
        assert "fuzzy" not in e["flags"], e["msgid"]
        for text in e["msgstr"].values():
            assert text.strip() and not re.search(r"[\u4e00-\u9fff]", text), e["msgid"]
        assert catalog.gettext(e["msgid"]) == e["msgstr"][0], f".mo is stale for {e['msgid']!r}"


def test_placeholders_survive_translation():
    for e in parse_po(LC_MESSAGES / "django.po")[1:]:
        for pattern in (r"%\(\w+\)s", r"\{\w+\}"):
            assert sorted(re.findall(pattern, e["msgid"])) == sorted(re.findall(pattern, e["msgstr"][0])), e["msgid"]


@pytest.fixture
def english(client_as, settings):
    def login(user):
        client = client_as(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client
    return login


def test_staff_pages_in_english(english, tree, new_case):
    case = accepted(new_case("A", contact_phone="13812345678"), tree)
    client = english(tree.user("community_worker_1"))
    html = client.get("/cases/").content.decode()
    for word in ("Cases", "Dispatch board", "Export to Excel", "Time left", "To accept"):
        assert word in html, word
    html = client.get("/cases/board/").content.decode()
    assert "Include lower levels" in html and "Dispatch ticked" in html
    html = client.get(f"/cases/{case.pk}/").content.decode()
    for word in ("Actions", "Timeline", "Dispatch to unit", "Confirm: Dispatch", "Show the full contact", "Accept"):
        assert word in html, word
    assert "诉求清单" not in html and "办理操作" not in html
