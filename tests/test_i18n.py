"""English is a real second locale: the pages switch language, and every catalogue is complete and compiled.

The source strings are Simplified Chinese. src/grassroots/locale/en/LC_MESSAGES/django.po holds the English
of the foundation's apps; the apps with many pages of their own (cases, portal, intake, assessment,
notifications) keep theirs in <app>/locale. After adding strings: makemessages -l en, translate every new
entry, compile (msgfmt or compilemessages), commit both .po and .mo. The checks below run on all of them.
"""

import gettext
import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

import grassroots

LC_MESSAGES = Path(grassroots.__file__).resolve().parent / "locale" / "en" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"

PAGES = {
    "/": ["Dashboard", "My roles", "Organisation structure", "Residents", "Log out", "Community worker", "Grids"],
    "/areas/": ["Organisation structure", "District → street → community → grid"],
    "/people/residents/": ["Residents", "Gender", "Relation to household head", "Exact lookup"],
    "/orgs/units/": ["Units", "Red property companies only", "Contact person", "Filter"],
}
CHINESE = {
    "/": ["工作台", "组织架构", "居民", "退出", "社区工作者"],
    "/areas/": ["组织架构", "区县 → 街道 → 社区 → 网格"],
    "/people/residents/": ["居民", "性别", "与户主关系", "精确查找"],
    "/orgs/units/": ["单位", "只看红色物业", "联系人", "筛选"],
}


@pytest.fixture
def worker(client, tree):
    client.force_login(tree.user("community_worker_1"))
    return client


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_setlang_switches_pages_to_english(worker, url):
    response = worker.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert worker.cookies["django_language"].value == "en"

    html = _page(worker, url)
    assert '<html lang="en">' in html
    for word in PAGES[url]:
        assert word in html, f"{url}: {word!r} missing in English"
    for word in ("组织架构", "退出"):  # the navigation is translated too
        assert word not in html, f"{url}: {word!r} left in Chinese"


def test_language_cookie_alone_selects_english(worker, settings):
    worker.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _page(worker, "/people/residents/")
    assert "Residents" in html and "居民" not in html.split("<main", 1)[0]


@pytest.mark.parametrize("url", CHINESE)
def test_chinese_is_still_the_default(worker, url):
    html = _page(worker, url)
    assert '<html lang="zh-hans">' in html
    for word in CHINESE[url]:
        assert word in html, f"{url}: {word!r} missing in Chinese"
    for word in PAGES[url]:
        assert word not in html, f"{url}: {word!r} shown without choosing English"


def test_switching_back_to_chinese(worker):
    worker.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Log out" in _page(worker, "/")
    worker.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    html = _page(worker, "/")
    assert "退出" in html and "Log out" not in html


def test_login_page_in_english(client):
    client.cookies["django_language"] = "en"
    html = _page(client, "/login/")
    for word in ("Log in", "Username", "Password"):
        assert word in html


# --- model labels: levels, kinds, roles, statuses follow the language ----------------------------

# (user, url): the labels an English page shows, and the same labels in Chinese.
MODEL_LABELS = {
    ("street_admin_1", "/areas/"): (
        ["Street/township", "Community/village", "Street Party working committee"],
        ["街道/乡镇", "社区/村", "街道党工委(大工委)"],
    ),
    ("district_admin", "/areas/"): (["District/county", "Street/township"], ["区/县", "街道/乡镇"]),
    ("community_worker_1", "/orgs/units/"): (
        ["Property company", "Department", "Co-building unit", "Social organisation"],
        ["物业公司", "职能部门", "驻区单位/共建单位", "社会组织"],
    ),
    ("community_worker_1", "/"): (
        ["Grassroots Governance Platform", "Community worker", "Communities", "Buildings"],
        ["基层治理平台", "社区工作者", "楼栋"],
    ),
    ("community_worker_1", "/people/residents/"): (["Care tags", "Elderly living alone"], ["关爱标签", "独居老人"]),
}


@pytest.mark.parametrize("language", ["en", None])
@pytest.mark.parametrize(("username", "url"), MODEL_LABELS)
def test_model_labels_follow_the_language(client, tree, settings, language, username, url):
    client.force_login(tree.user(username))
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    english, chinese = MODEL_LABELS[(username, url)]
    shown, hidden = (english, chinese) if language == "en" else (chinese, english)
    html = _page(client, url)
    for word in shown:
        assert word in html, f"{url} ({language or 'default'}): {word!r} missing"
    for word in hidden:
        assert word not in html, f"{url} ({language or 'default'}): {word!r} in the wrong language"


def test_rural_level_labels_in_english(client, tree, settings):
    from grassroots.areas.services import area_create

    town = area_create(name="测试镇", parent=tree.district, rural=True)
    area_create(name="测试村", parent=town)
    client.force_login(tree.user("district_admin"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _page(client, f"/areas/{town.code}/")
    assert "Township" in html and "Village" in html
    assert "乡镇" not in html.split("<main", 1)[-1] and "村民小组" not in html


def test_area_messages_in_english(client, tree, settings):
    community = tree.communities[0]
    client.force_login(tree.user("community_worker_1"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    upload = SimpleUploadedFile("grids.geojson", b"{", content_type="application/geo+json")
    html = client.post(f"/areas/{community.code}/boundaries/import/", {"file": upload}, follow=True).content.decode()
    assert "The grid boundaries were not imported" in html
    assert "The file is not valid JSON: there is a format error near line 1, column 2" in html


def test_registers_stay_chinese_in_an_english_session(client, tree, settings):
    """The spreadsheets' headers, drop-downs and labels are Chinese whatever language the page uses,
    so that an exported file can be imported again."""
    from tests.registers.util import messages, run_import, sheet_values

    client.force_login(tree.user("community_worker_1"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    units = sheet_values(_download(client, "/registers/units/export.xlsx"))
    assert {row[0]: row[1] for row in units[1:]}["阳光物业"] == "物业公司"
    residents = sheet_values(_download(client, "/registers/residents/export.xlsx"))
    row = next(r for r in residents if r[3] == "居民4")
    assert (row[6], row[7]) == ("户主", "独居老人")
    book = openpyxl.load_workbook(io.BytesIO(_download(client, "/registers/units/template.xlsx")))
    drop_downs = " ".join(v.formula1 for v in book.worksheets[0].data_validations.dataValidation)
    assert "物业公司" in drop_downs and "Property company" not in drop_downs

    with translation.override("en"):
        job = run_import(tree.user("community_worker_1"), "units",
                         [["新单位", "Property company", tree.communities[0].code, "", "", "", ""]])
    assert job.status == "failed"
    assert "物业公司" in messages(job)[0] and "Property company" in messages(job)[0]  # the value as typed
    assert "Property company、" not in messages(job)[0]


def _download(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content


# --- the catalogue -------------------------------------------------------------------------------


def _unquote(line):
    """The value of one PO string line: "…" with C escapes."""
    body = line.strip()
    assert body.startswith('"') and body.endswith('"'), line
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), body[1:-1])


def parse_po(path):
    """Entries of a .po file as dicts: flags, msgctxt, msgid, msgid_plural, msgstr {index: text}.

    A comment, msgctxt or msgid line after a finished entry (one with a msgstr) opens the next
    entry; obsolete entries (#~) are skipped, as msgfmt skips them."""
    entries, key = [], None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        m = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$', line)
        opens = line.startswith("#") or (m and m[1] in ("msgctxt", "msgid"))
        if opens and (not entries or entries[-1]["msgstr"]):
            entries.append(
                {"flags": set(), "msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": {}}
            )
        entry = entries[-1]
        if line.startswith("#"):
            if line.startswith("#,"):
                entry["flags"].update(f.strip() for f in line[2:].split(","))
            continue
        if m:
            key = ("msgstr", int(m[2] or 0)) if m[1].startswith("msgstr") else (m[1], None)
            value = _unquote(m[3])
        else:
            assert line.startswith('"') and key, f"unexpected line in {path.name}: {raw!r}"
            value = (entry["msgstr"][key[1]] if key[0] == "msgstr" else entry[key[0]]) + _unquote(line)
        if key[0] == "msgstr":
            entry["msgstr"][key[1]] = value
        else:
            entry[key[0]] = value
    return [e for e in entries if e["msgid"] is not None]


def test_parse_po_reads_flags_context_plurals_and_continuations(tmp_path):
    sample = tmp_path / "sample.po"
    sample.write_text(
        """msgid ""
msgstr ""
"Language: en\\n"
#: a.html:1
#, fuzzy, python-format
msgctxt "menu"
msgid ""
"共 %(n)s "
"个"
msgid_plural "共 %(n)s 个"
msgstr[0] "%(n)s item"
msgstr[1] ""
"%(n)s items"

#~ msgid "旧"
#~ msgstr "old"
msgid "无"
msgstr ""
""",
        encoding="utf-8",
    )
    header, plural, plain = parse_po(sample)
    assert header["msgid"] == "" and header["msgstr"] == {0: "Language: en\n"}
    assert plural["flags"] == {"fuzzy", "python-format"} and plural["msgctxt"] == "menu"
    assert plural["msgid"] == "共 %(n)s 个" and plural["msgid_plural"] == "共 %(n)s 个"
    assert plural["msgstr"] == {0: "%(n)s item", 1: "%(n)s items"}
    assert plain == {"flags": set(), "msgctxt": None, "msgid": "无", "msgid_plural": None, "msgstr": {0: ""}}


PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w+\}")


def test_po_file_exists_and_has_a_clean_header():
    entries = parse_po(PO)
    header = entries[0]
    assert header["msgid"] == ""
    assert "fuzzy" not in header["flags"]
    assert "Language: en\n" in header["msgstr"][0]
    assert "charset=UTF-8" in header["msgstr"][0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"][0]
    assert len(entries) > 100


# Every catalogue: the project's (src/grassroots/locale) and each app's own (<app>/locale).
CATALOGUES = sorted(Path(grassroots.__file__).resolve().parent.glob("**/locale/en/LC_MESSAGES/django.po"))


def _label(path: Path) -> str:
    return path.parents[3].name


@pytest.mark.parametrize("po", CATALOGUES, ids=_label)
def test_every_msgid_is_translated_and_none_is_fuzzy(po):
    entries = parse_po(po)[1:]
    assert entries, f"{po} is empty"
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not fuzzy, f"fuzzy entries left: {fuzzy}"
    for e in entries:
        forms = 2 if e["msgid_plural"] is not None else 1
        assert sorted(e["msgstr"]) == list(range(forms)), e["msgid"]
        for text in e["msgstr"].values():
            assert text.strip(), f"empty msgstr for {e['msgid']!r}"
            assert not re.search(r"[\u4e00-\u9fff]", text), f"Chinese left in msgstr for {e['msgid']!r}"
            source = e["msgid"] if forms == 1 else e["msgid_plural"]
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), (
                f"placeholders differ: {e['msgid']!r} → {text!r}"
            )


@pytest.mark.parametrize("po", CATALOGUES, ids=_label)
def test_compiled_mo_matches_the_po(po):
    """The committed .mo must be compiled from the committed .po (machines without gettext use it as is)."""
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"run compilemessages (or msgfmt) and commit {mo}"
    with mo.open("rb") as f:
        catalog = gettext.GNUTranslations(f)
    for e in parse_po(po)[1:]:
        msgid = e["msgid"] if e["msgctxt"] is None else f"{e['msgctxt']}\x04{e['msgid']}"
        if e["msgid_plural"] is None:
            assert catalog.gettext(msgid) == e["msgstr"][0], f".mo is stale for {e['msgid']!r}"
        else:
            assert catalog.ngettext(msgid, e["msgid_plural"], 1) == e["msgstr"][0]
            assert catalog.ngettext(msgid, e["msgid_plural"], 2) == e["msgstr"][1]


def test_every_app_with_pages_has_its_catalogue():
    assert {_label(p) for p in CATALOGUES} >= {"grassroots", "cases", "portal", "intake", "assessment",
                                                "notifications", "woodpeckers", "service", "volunteers", "wishes"}


def test_an_english_browser_still_gets_chinese_until_the_user_switches(client, tree):
    client.force_login(tree.user("community_worker_1"))
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in page and "工作台" in page


def test_the_admin_index_in_english_has_no_chinese_titles(admin_client, settings):
    """The admin's header, title and every app's heading follow the language (the app names of the
    woodpeckers, micro-wishes and volunteering and the site's titles were Chinese in English)."""
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _page(admin_client, "/admin/")
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S))
    text = text.replace("简体中文", "")  # the language switcher names Chinese in Chinese
    assert re.findall(r"[\u4e00-\u9fff]+", text) == []
    assert "Grassroots Governance Platform · Admin" in html
    assert all(name in text for name in ("Woodpeckers", "Micro-wishes", "Volunteering"))
