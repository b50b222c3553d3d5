"""The intake pages follow the language
(while the data's messages — row errors, Open311 descriptions by default — stay Chinese)."""


import pytest

from tests.intake.conftest import HEADERS, hotline_rows, upload, xlsx_bytes


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
