"""The portal's own English catalogue is complete and compiled, and its pages follow the language."""

import gettext
import re
from pathlib import Path

import pytest

import grassroots.portal
from tests.test_i18n import parse_po

LC_MESSAGES = Path(grassroots.portal.__file__).resolve().parent / "locale" / "en" / "LC_MESSAGES"


def test_catalogue_complete_and_compiled():
    entries = parse_po(LC_MESSAGES / "django.po")[1:]
    assert len(entries) > 100
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
def test_pages_in_english(client, settings, verified_case):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/r/new/").content.decode()
    for word in ("Report a problem", "Description of the problem", "Urgent (a danger to safety)",
                 "Take or choose photos", "Report anonymously", "Property services (cleaning, repairs, fees)"):
        assert word in html
    assert "我要反映" not in html and "问题描述" not in html
    case = verified_case()
    html = client.get(f"/r/t/{case.tracking_code}/").content.decode()
    for word in ("Please rate", "Are you satisfied with the result?", "Submit the rating", "History"):
        assert word in html
    assert "请您评价" not in html
    html = client.get("/r/t/NOPENOPENOPE/").content.decode()
    assert "No request has the tracking code “NOPENOPENOPE”" in html


@pytest.mark.django_db
def test_nav_links_for_residents_and_staff(client_as, tree, resident):
    html = client_as(resident).get("/r/mine/").content.decode()
    assert 'href="/r/new/">我要反映</a>' in html and 'href="/r/mine/">我的诉求</a>' in html
    assert "/r/staff/new/" not in html
    html = client_as(tree.user("grid_worker_A")).get("/").content.decode()
    assert 'href="/r/staff/new/">录入诉求</a>' in html
