"""The app's own English catalogue is complete and compiled, and the pages follow the language
(the spreadsheet stays Chinese, as every export does)."""

import gettext
import re
from pathlib import Path

import grassroots.assessment
from tests.assessment.util import MARCH_Q, sheet_rows
from tests.test_i18n import parse_po

LC_MESSAGES = Path(grassroots.assessment.__file__).resolve().parent / "locale" / "en" / "LC_MESSAGES"


def test_catalogue_complete_and_compiled():
    entries = parse_po(LC_MESSAGES / "django.po")[1:]
    assert len(entries) > 80
    with (LC_MESSAGES / "django.mo").open("rb") as f:
        catalog = gettext.GNUTranslations(f)
    for e in entries:
        assert "fuzzy" not in e["flags"], e["msgid"]
        for text in e["msgstr"].values():
            assert text.strip() and not re.search(r"[\u4e00-\u9fff]", text), e["msgid"]
        assert catalog.gettext(e["msgid"]) == e["msgstr"][0], f".mo is stale for {e['msgid']!r}"


def test_pages_in_english(client_as, tree, hand, settings):
    client = client_as(tree.user("community_worker_1"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/assessment/?{MARCH_Q}").content.decode()
    for words in ("demand-response assessment", "Composite score", "Response rate", "This month", "Rankings",
                  "Export to Excel", "Composite score = 0.1 × response rate + 0.5 × resolution rate"):
        assert words in html, words
    for words in ("综合得分", "响应率", "本月", "导出", "考核排名"):
        assert words not in html, words
    weights = client.get("/assessment/weights/").content.decode()
    assert "Only district administrators may change the weights" in weights
    content = client.get(f"/assessment/export.xlsx?{MARCH_Q}").content
    assert sheet_rows(content)[5][:2] == ["排名", "名称"]
