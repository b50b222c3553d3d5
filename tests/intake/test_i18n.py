"""The intake app's English catalogue is complete and compiled, and its pages follow the language
(while the data's messages — row errors, Open311 descriptions by default — stay Chinese)."""

import gettext
import re
from pathlib import Path

import pytest

import grassroots.intake
from tests.intake.conftest import HEADERS, hotline_rows, upload, xlsx_bytes
from tests.test_i18n import parse_po

LC_MESSAGES = Path(grassroots.intake.__file__).resolve().parent / "locale" / "en" / "LC_MESSAGES"


def test_catalogue_complete_and_compiled():
    entries = parse_po(LC_MESSAGES / "django.po")[1:]
    assert len(entries) > 150
    with (LC_MESSAGES / "django.mo").open("rb") as f:
        catalog = gettext.GNUTranslations(f)
    for e in entries:
        assert "fuzzy" not in e["flags"], e["msgid"]
        for text in e["msgstr"].values():
            assert text.strip() and not re.search(r"[\u4e00-\u9fff]", text), e["msgid"]
        assert catalog.gettext(e["msgid"]) == e["msgstr"][0], f".mo is stale for {e['msgid']!r}"
        assert set(re.findall(r"%\(\w+\)s", e["msgid"])) == set(re.findall(r"%\(\w+\)s", e["msgstr"][0]))


@pytest.mark.django_db
def test_hotline_pages_in_english(client_as, settings, tree, tmp_path):
    from grassroots.intake.hotline import hotline_upload

    settings.MEDIA_ROOT = tmp_path
    user = tree.user("district_admin")
    client = client_as(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/intake/hotline/").content.decode()
    for words in ("12345 hotline import", "Upload a work order file", "Upload and check the columns", "Source system"):
        assert words in html
    assert "上传工单文件" not in html and "工单导入" not in html.split("<main", 1)[0]
    job = hotline_upload(user=user, upload=upload(xlsx_bytes(HEADERS, hotline_rows(tree, 2))))
    html = client.get(f"/intake/hotline/{job.pk}/mapping/").content.decode()
    for words in ("Check the columns", "Work order number", "(not imported)", "Confirm and start the import",
                  "headers in row 1"):
        assert words in html
    assert "平台字段" not in html and "（不导入）" not in html
    assert "来电号码" in html  # the file's own headers are shown as they are


@pytest.mark.django_db
def test_open311_errors_in_english_when_asked(client, settings, tree):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/open311/v2/services/999.json").json()
    assert body == [{"code": 404, "description": "service_code “999” not found; the available services are listed "
                                                 "in services.json"}]
