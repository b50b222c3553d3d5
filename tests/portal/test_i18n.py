"""The portal's pages follow the language."""


import pytest


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
    assert 'href="/r/new/">我要反映</a>' in html and 'href="/r/me/">我的</a>' in html
    assert "/r/staff/new/" not in html
    html = client_as(tree.user("grid_worker_A")).get("/").content.decode()
    assert 'href="/r/staff/new/">录入诉求</a>' in html
